"""`ayo org import FILE.csv [--dry-run] [--json] [--skip-bad]`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

org_app = typer.Typer(help="The organisation: import units and employees.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)
SHOWN = 50


@org_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="CSV from the personnel system (SIMPEG/SIASN).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Leave bad rows out and import the rest.")
    ] = False,
) -> None:
    """Sync units and employees with the file: all of it or (with bad rows) none of it."""
    from core.clock import system_clock
    from core.settings import Settings
    from core.storage import migrate
    from core.storage.db import Database
    from core.workdays import WorkCalendar
    from integrations.leave_rules import LeaveRules
    from integrations.org import ImportOptions, run_import

    if not file.is_file():
        err.print(f"[red]Berkas tidak ada / file not found: {file}[/red]")
        raise typer.Exit(2)
    settings = Settings()
    options = ImportOptions(dry_run=dry_run, skip_bad=skip_bad, tz=settings.timezone)

    async def _run(progress=None):  # type: ignore[no-untyped-def]
        db = Database(settings.resolved_database_url())
        try:
            await migrate.upgrade(db)
            return await run_import(
                db,
                file,
                options,
                now=system_clock(),
                calendar=WorkCalendar(settings.calendar_overrides),
                rules=LeaveRules.load(),
                progress=progress,
                name=file.name,
            )
        finally:
            await db.dispose()

    if json_mode:
        result = asyncio.run(_run())
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False))
        raise typer.Exit(0 if result.ok else 1)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err
    ) as bar:
        tasks: dict[str, int] = {}
        labels = {"check": "Memeriksa baris / checking rows", "write": "Menulis / writing"}

        def tell(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels.get(stage, stage), total=total or 1)
            bar.update(tasks[stage], completed=done)

        result = asyncio.run(_run(tell))
    _print(result.as_json())
    raise typer.Exit(0 if result.ok else 1)


def _print(data: dict) -> None:
    for title, items in (
        ("Masalah / problems", data["errors"]),
        ("Peringatan / warnings", data["warnings"]),
    ):
        if not items:
            continue
        table = Table("Baris/line", "Kolom/column", "Alasan", "Reason", title=title)
        for item in items[:200]:
            table.add_row(
                str(item["line"] or "-"),
                item["column"] or "-",
                item["reason"]["id"],
                item["reason"]["en"],
            )
        out.print(table)
        if len(items) > 200:
            out.print(f"… +{len(items) - 200}")
    if not data["ok"]:
        out.print(
            "[red]Tidak ada yang ditulis: perbaiki baris di atas, atau pakai --skip-bad. "
            "Nothing was written: fix the rows above, or use --skip-bad.[/red]"
        )
        return
    summary = Table("", "Pegawai / employees", "Unit / units", title="Ringkasan / summary")
    for key, label in (
        ("added", "Ditambah / added"),
        ("updated", "Diubah / updated"),
        ("deactivated", "Dinonaktifkan / deactivated"),
        ("unchanged", "Tetap / unchanged"),
    ):
        summary.add_row(label, str(data["employees"][key]), str(data["units"][key]))
    out.print(summary)
    if data["changes"]:
        table = Table(
            "Aksi/action", "NIP", "Nama/name", "Kolom/fields", title="Perubahan / changes"
        )
        for change in data["changes"][:SHOWN]:
            table.add_row(
                change["action"], change["nip"], change["name"], ", ".join(change["fields"])
            )
        out.print(table)
        if len(data["changes"]) > SHOWN:
            out.print(f"… +{len(data['changes']) - SHOWN} (--json shows all)")
    if data["skipped"]:
        out.print(f"[yellow]{data['skipped']} baris dilewati / rows skipped[/yellow]")
    if data["approvals_moved"] or data["approvals_unassigned"]:
        out.print(
            f"Persetujuan dialihkan / approvals moved: {data['approvals_moved']}; "
            f"tanpa penyetuju / without an approver: {data['approvals_unassigned']}"
        )
    if data["dry_run"]:
        out.print("[cyan]Uji coba: tidak ada yang ditulis. Dry run: nothing was written.[/cyan]")
    else:
        out.print("[green]Impor selesai / import done.[/green]")
