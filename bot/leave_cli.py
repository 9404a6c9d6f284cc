"""`ayo leave check …` and `ayo leave import-history FILE.csv [--dry-run]`.

`check` answers through `integrations.leave_check.evaluate`, the same function the chat's
leave form calls, on the same database and configuration the chat uses; it creates nothing.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

leave_app = typer.Typer(help="Cuti: check a request, import past leave.", no_args_is_help=True)
err = Console(stderr=True)


def mount(target: typer.Typer) -> None:
    """Add `check` and `import-history` to another `ayo leave` app (one `leave` group)."""
    target.command("check")(check)
    target.command("import-history")(import_history)


def _day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        err.print(f"[red]{flag}: tanggal harus YYYY-MM-DD / the date must be YYYY-MM-DD[/red]")
        raise typer.Exit(2) from exc


def check(
    nip: Annotated[str, typer.Option("--nip", help="The employee's NIP.")],
    leave_type: Annotated[
        str,
        typer.Option("--type", help="tahunan, besar, sakit, melahirkan, alasan_penting or cltn."),
    ],
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    today: Annotated[
        str | None, typer.Option("--today", help="Answer as of this day (default: today).")
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help='The reason, e.g. "ayah meninggal" or "anak ke-2".'),
    ] = None,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """May this employee take this leave? Answers without creating anything."""
    from core.settings import Settings

    first, last = _day(start, "--from"), _day(end, "--to")
    as_of = _day(today, "--today")
    settings = Settings()
    result = asyncio.run(_check(settings, nip, leave_type, first, last, as_of, reason))  # type: ignore[arg-type]
    if result is None:
        err.print("[red]Tidak ada pegawai dengan NIP itu / no employee with that NIP[/red]")
        raise typer.Exit(2)
    if json_mode:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    out = Console()
    out.print(
        f"[bold]{result['outcome']}[/bold]  hari kerja / working days: {result['working_days']}"
    )
    out.print(f"saldo / balance: {result['balance_before']} → {result['balance_after']}")
    for line in result["reasons"]:
        out.print(f"• {line}")
    for person in result["deciders"]:
        out.print(f"  {person['role']}: {person['nip']}")
    out.print("dasar / basis: " + "; ".join(result["basis"]))


async def _check(
    settings: Any,
    nip: str,
    leave_type: str,
    start: date,
    end: date,
    today: date | None,
    reason: str | None,
) -> dict[str, Any] | None:
    from sqlalchemy import select

    from bot.app import build_app, load_demo_if_empty
    from core.storage import migrate
    from core.storage.models import Employee
    from integrations.leave_check import evaluate

    # The chat's own database and configuration; the lesson content is not needed here.
    ayo = await build_app(settings, prepare=False)
    try:
        await migrate.upgrade(ayo.db)
        if settings.demo:
            await load_demo_if_empty(ayo)
        async with ayo.db.sessions() as session:
            employee = (
                await session.execute(select(Employee).where(Employee.nip == nip))
            ).scalar()
            if employee is None:
                return None
            # As the chat does: the employee's own local date.
            as_of = today or ayo.deps.clock().astimezone(ZoneInfo(employee.timezone)).date()
            result = await evaluate(
                session,
                employee,
                leave_type,
                start,
                end,
                today=as_of,
                rules=ayo.deps.leave_rules,
                calendar=ayo.deps.calendar,
                policy=ayo.deps.services.get("cuti").approval,
                reason_text=reason,
            )
            await session.rollback()  # a check never writes
            return result.to_json()
    finally:
        await ayo.close()


def import_history(
    file: Annotated[Path, typer.Argument(help="CSV: nip,jenis,mulai,selesai,hari_kerja")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Load leave taken before Ayo; safe to run again (rows are matched, not duplicated)."""
    from core.clock import system_clock
    from core.settings import Settings
    from core.storage import migrate
    from core.storage.db import Database
    from integrations import leave_history

    if not file.is_file():
        err.print(f"[red]Berkas tidak ada / file not found: {file}[/red]")
        raise typer.Exit(2)
    rows, problems = leave_history.read_file(file)
    settings = Settings()

    async def _run() -> leave_history.HistoryResult:
        db = Database(settings.resolved_database_url())
        try:
            await migrate.upgrade(db)
            async with db.transaction() as session:
                now: datetime = system_clock()
                return await leave_history.load(session, rows, problems, now=now, dry_run=dry_run)
        finally:
            await db.dispose()

    result = asyncio.run(_run())
    if json_mode:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        for problem in result.problems:
            err.print(
                f"[red]baris/line {problem.line}: "
                f"{problem.message.id} / {problem.message.en}[/red]"
            )
        verb = "akan / would be" if dry_run else ""
        err.print(
            f"{result.rows} baris/rows: {result.created} baru/new, "
            f"{result.updated} diubah/updated, {result.unchanged} sama/unchanged {verb}".rstrip()
        )
        if result.problems:
            err.print("[yellow]Tidak ada yang ditulis / nothing was written[/yellow]")
    raise typer.Exit(0 if result.ok else 1)


mount(leave_app)
