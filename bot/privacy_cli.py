"""`ayo privacy export NIP` and `ayo privacy erase NIP`: data-subject rights (UU 27/2022)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(
    help="Data-subject rights (UU 27/2022 PDP): export or erase a person's data.",
    no_args_is_help=True,
)
err = Console(stderr=True)


def _run(work):
    from core.clock import system_clock
    from core.settings import Settings
    from core.storage.db import Database

    async def go():
        db = Database(Settings().resolved_database_url())
        try:
            return await work(db, system_clock())
        finally:
            await db.dispose()

    return asyncio.run(go())


@app.command("export")
def export(
    nip: Annotated[str, typer.Argument(help="NIP of the person (18 digits).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the JSON to this file (default stdout).")
    ] = None,
) -> None:
    """Everything Ayo holds about a person, as JSON (audited)."""
    from bot.privacy import UnknownPerson, export_person

    try:
        data = _run(lambda db, now: export_person(db, nip, now))
    except UnknownPerson:
        err.print("[red]No employee with this NIP. / Tidak ada pegawai dengan NIP ini.[/red]")
        raise typer.Exit(1) from None
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
        return
    out.write_text(text + "\n", encoding="utf-8")
    out.chmod(0o600)
    rows = sum(len(r) for r in data["tables"].values())
    err.print(f"[green]Exported {rows} rows in {len(data['tables'])} tables to {out}[/green]")


@app.command("erase")
def erase(
    nip: Annotated[str, typer.Argument(help="NIP of the person (18 digits).")],
) -> None:
    """Remove conversation texts and chat identifiers; keep and mark required records."""
    from bot.privacy import UnknownPerson, erase_person

    try:
        result = _run(lambda db, now: erase_person(db, nip, now))
    except UnknownPerson:
        err.print("[red]No employee with this NIP. / Tidak ada pegawai dengan NIP ini.[/red]")
        raise typer.Exit(1) from None
    typer.echo(json.dumps(result, ensure_ascii=False))
    err.print(
        "[green]Erased. Kept as required records:[/green] "
        + ", ".join(f"{k} ({v})" for k, v in result["kept"].items())
    )
