"""`ayo lessons`: check and import content folders or a sheet, and the yearly HR report."""

from __future__ import annotations

import asyncio
import enum
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from core.settings import Settings
from core.storage import migrate
from core.storage.db import Database
from core.text import T
from lessons.catalog import DEFAULT_CONTENT_DIR
from lessons.content_check import ContentInvalid, check_content, load_content
from lessons.importer import ImportResult, import_folder
from lessons.report import draw_chart, report_rows, to_csv, to_json
from lessons.sheet_import import SheetImport, import_sheet

app = typer.Typer(help="Lessons: content folders and learning reports.", no_args_is_help=True)


class Format(enum.StrEnum):
    csv = "csv"
    json = "json"


@app.command("check")
def check(folder: Annotated[Path, typer.Argument(help="Content folder to validate.")]) -> None:
    """Validate a content folder; print each error as FILE:LINE: message."""
    errors = check_content(folder)
    for error in errors:
        typer.echo(str(error))
    if errors:
        typer.echo(f"{len(errors)} error(s)", err=True)
        raise typer.Exit(1)
    typer.echo("OK", err=True)


@app.command("import")
def import_(folder: Annotated[Path, typer.Argument(help="Content folder to load.")]) -> None:
    """Load a content folder into the database (safe to run again; edits keep progress)."""

    async def run() -> ImportResult:
        db = Database(Settings().resolved_database_url())
        try:
            await migrate.upgrade(db)
            return await import_folder(db, folder, datetime.now(UTC))
        finally:
            await db.dispose()

    try:
        result = asyncio.run(run())
    except ContentInvalid as exc:
        for error in exc.errors:
            typer.echo(str(error))
        raise typer.Exit(1) from exc
    typer.echo(
        f"added {result.added}, updated {result.updated}, unchanged {result.unchanged}, "
        f"retired {result.retired}"
    )


@app.command("import-sheet")
def import_sheet_(
    file: Annotated[Path, typer.Argument(help="CSV from Excel, a row per lesson and question.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count what would change; write nothing.")
    ] = False,
) -> None:
    """Add or update courses from a spreadsheet (see lessons/content/README.md)."""
    if not file.is_file():
        typer.echo(f"Berkas tidak ditemukan / File not found: {file}", err=True)
        raise typer.Exit(2)
    settings = Settings()

    async def run() -> SheetImport:
        db = Database(settings.resolved_database_url())
        try:
            await migrate.upgrade(db)
            return await import_sheet(
                db,
                file.read_bytes(),
                name=file.name,
                now=datetime.now(UTC),
                builtin=load_content(settings.lessons_dir or DEFAULT_CONTENT_DIR),
                dry_run=dry_run,
            )
        finally:
            await db.dispose()

    outcome = asyncio.run(run())
    for problem in outcome.problems:
        typer.echo(f"{problem.describe('id')}\n  {problem.describe('en')}")
    if not outcome.ok or outcome.result is None:
        typer.echo(
            f"{len(outcome.problems)} baris bermasalah; tidak ada yang disimpan. / "
            f"{len(outcome.problems)} problem(s); nothing was written.",
            err=True,
        )
        raise typer.Exit(1)
    done = outcome.result
    catalog = outcome.sheet.catalog
    courses = len(catalog.courses) if catalog else 0
    lead = (
        T("Uji coba, tidak ada yang disimpan", "Dry run, nothing written")
        if dry_run
        else T("Tersimpan", "Saved")
    )
    typer.echo(
        f"{lead.id}: {courses} kursus; {done.added} pelajaran baru, {done.updated} diperbarui, "
        f"{done.unchanged} tetap, {done.retired} dipensiunkan.\n"
        f"{lead.en}: {courses} course(s); {done.added} lesson(s) added, {done.updated} updated, "
        f"{done.unchanged} unchanged, {done.retired} retired."
    )


@app.command("report")
def report(
    year: Annotated[int, typer.Option(help="Calendar year of the report.")],
    unit: Annotated[
        str | None, typer.Option(help="Only this unit (code) and its sub-units.")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.csv,
    chart: Annotated[Path | None, typer.Option(help="Also draw completion per OPD (PNG).")] = None,
    output: Annotated[Path | None, typer.Option(help="Write to a file instead of stdout.")] = None,
) -> None:
    """Per-employee JP by competency type, lessons completed and accuracy, for HR records."""
    settings = Settings()

    async def run() -> list:
        db = Database(settings.resolved_database_url())
        try:
            await migrate.upgrade(db)
            async with db.sessions() as session:
                return await report_rows(session, year, settings, unit)
        finally:
            await db.dispose()

    rows = asyncio.run(run())
    text = to_csv(rows) if fmt is Format.csv else to_json(rows, datetime.now(UTC).date())
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
    if chart is not None:
        draw_chart(rows, year, chart)
        typer.echo(f"chart: {chart}", err=True)
