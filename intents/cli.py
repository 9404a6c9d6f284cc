"""`ayo nlu`: classify a message or evaluate the router on a JSON Lines file."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from core.settings import DEFAULT_TIMEZONE

if TYPE_CHECKING:
    from intents.router import Router

app = typer.Typer(
    help="Intent router: classify messages and measure accuracy.", no_args_is_help=True
)


def _result_json(router: Router, text: str, now: datetime) -> dict[str, Any]:
    result = router.classify(text, now=now)
    return {
        "text": result.text,
        "kind": result.kind.value,
        "intent": result.intent,
        "confidence": result.confidence,
        "entities": result.entities.to_dict(),
        "alternatives": [
            {"intent": s.intent, "confidence": s.confidence} for s in result.suggestions
        ],
    }


@app.command()
def classify(
    text: Annotated[str, typer.Argument(help="The message to classify.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    tz: Annotated[str, typer.Option(help="Timezone for relative dates.")] = DEFAULT_TIMEZONE,
) -> None:
    """Show the intent, confidence, entities and alternatives for one message."""
    from intents.cache import default_router  # scikit-learn: only when classifying

    payload = _result_json(default_router(), text, datetime.now(ZoneInfo(tz)))
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    console = Console()
    console.print(
        f"[bold]{payload['kind']}[/bold] {payload['intent'] or '-'} "
        f"({payload['confidence']:.2f})  [dim]{payload['text']}[/dim]"
    )
    entities = {k: v for k, v in payload["entities"].items() if v not in (None, [])}
    if entities:
        console.print(entities)
    table = Table("alternative", "confidence")
    for alt in payload["alternatives"]:
        table.add_row(alt["intent"], f"{alt['confidence']:.3f}")
    console.print(table)


@app.command("eval")
def eval_(
    test: Annotated[Path, typer.Option("--test", help="JSON Lines of {text, intent}.")],
    train: Annotated[Path | None, typer.Option("--train", help="Train on this file only.")] = None,
    val: Annotated[
        Path | None, typer.Option("--val", help="Held-out file for thresholds.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Measure in-scope accuracy, out-of-scope recall/precision and latency on --test."""
    from intents.cache import default_router
    from intents.evaluate import evaluate, read_jsonl
    from intents.router import Router

    rows = read_jsonl(test)
    started = time.perf_counter()
    if train is not None:
        train_rows = read_jsonl(train)
        router = Router.from_examples(train_rows, read_jsonl(val) if val else None)
        n_train = len(train_rows)
    else:
        router = default_router()
        n_train = sum(len(s.examples) for s in router.catalog.values())
    build_seconds = time.perf_counter() - started
    if as_json:
        metrics = evaluate(router, rows)
    else:
        with Progress(transient=True) as progress:
            task = progress.add_task("classifying", total=len(rows))
            metrics = evaluate(router, rows, progress=lambda n: progress.update(task, completed=n))
    metrics = {"n_train": n_train, "build_seconds": round(build_seconds, 2), **metrics}
    if as_json:
        typer.echo(json.dumps(metrics, ensure_ascii=False))
        return
    table = Table("metric", "value")
    for key, value in metrics.items():
        if key != "top_errors":
            table.add_row(key, str(value))
    console = Console()
    console.print(table)
    for pair, count in metrics["top_errors"].items():
        console.print(f"  {count:3d}  {pair}")


if __name__ == "__main__":
    app()
