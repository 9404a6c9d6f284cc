"""`ayo faq check [PATH]` and `ayo faq list`: HR checks the FAQ file before it goes live."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from integrations.faq.spec import Entry

app = typer.Typer(help="The FAQ HR maintains: check and list its entries.", no_args_is_help=True)
err = Console(stderr=True)


def _calendar():  # type: ignore[no-untyped-def]
    from core.settings import Settings
    from core.workdays import WorkCalendar

    return WorkCalendar(Settings().calendar_overrides)


def _today() -> date:
    from datetime import datetime

    from core.settings import Settings
    from core.workdays import zone

    return datetime.now(zone(Settings().timezone)).date()


@app.command("check")
def check(
    path: Annotated[
        Path | None,
        typer.Argument(help="FAQ file or folder (default: AYO_FAQ_PATH, else the shipped one)."),
    ] = None,
) -> None:
    """Check the FAQ: every error with file and line; expired entries are named."""
    from core.settings import Settings
    from integrations.faq import check_faq

    entries, errors = check_faq(path or Settings().faq_path, _calendar())
    for error in errors:
        typer.echo(str(error))
    if errors:
        raise typer.Exit(1)
    today = _today()
    for entry, file, line in entries:
        if today > entry.expires:
            typer.echo(
                f"{file}:{line}: entry {entry.id!r} expired on {entry.expires.isoformat()}"
                " (not answered until re-checked)"
            )
    _report_additions([e for e, _, _ in entries], Settings().resolved_faq_additions())
    err.print(f"{len(entries)} FAQ entr{'y' if len(entries) == 1 else 'ies'} OK")


def _report_additions(entries: list[Entry], path: Path) -> None:
    """What the back office added: variants whose entry is gone, drafts still to write."""
    from integrations.faq import additions

    found = additions.read(path)
    for problem in additions.merge(entries, found)[1]:
        typer.echo(f"{path}: {problem} (left out)")
    for draft in found.drafts:
        asked = " · ".join(draft.questions)
        typer.echo(f"{path}: draft {draft.number} waits for an entry: {asked}")


@app.command("list")
def list_entries(
    json_mode: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """The FAQ entries loaded: id, questions, expiry, whether still answered."""
    from core.settings import Settings
    from integrations.faq import check_faq

    entries, errors = check_faq(Settings().faq_path, _calendar())
    if errors:
        for error in errors:
            typer.echo(str(error))
        raise typer.Exit(1)
    today = _today()
    rows = [
        {
            "id": e.id,
            "questions": list(e.questions),
            "expires": e.expires.isoformat(),
            "answered": today <= e.expires,
            "source": e.source,
        }
        for e, _, _ in entries
    ]
    if json_mode:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        state = "ok" if row["answered"] else "EXPIRED"
        typer.echo(f"{row['id']}  expires {row['expires']}  {state}  ({len(row['questions'])} q)")
