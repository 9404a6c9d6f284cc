"""`ayo learning`: HR's development plan for a year, marking a proposal done, the city's gaps.

ayo learning plan --year 2026 [--json]      approved proposals (usulan pengembangan)
ayo learning done USL-2612-000001 --jp 24 --by NIP [--json]
ayo learning gaps [--year 2026] [--json]    the most common confirmed needs-analysis gaps
ayo learning record --nip NIP --source classroom --title T --hours H --type teknis
    --from D --to D [--by NIP] [--json]     HR records a training (verified at once)
ayo learning export --year 2026 --out FILE.csv   one row per learning record (docs/OPERATIONS.md)
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Competency development: HR's plan, finished trainings, the city's gaps.",
    no_args_is_help=True,
)
err = Console(stderr=True)
MAX_JP = 1000.0  # a degree study is counted by HR; anything above is a typo


def _this_year() -> int:
    from zoneinfo import ZoneInfo

    from core.settings import Settings

    return datetime.now(UTC).astimezone(ZoneInfo(Settings().timezone)).year


async def _open_db() -> Any:
    from core.settings import Settings
    from core.storage import migrate
    from core.storage.db import Database

    db = Database(Settings().resolved_database_url())
    await migrate.upgrade(db)
    return db


def _read(query: Any) -> Any:
    """Run `query(session)` in a read-only session of the configured database."""

    async def run() -> Any:
        db = await _open_db()
        try:
            async with db.sessions() as session:
                return await query(session)
        finally:
            await db.dispose()

    return asyncio.run(run())


def _rupiah(value: int) -> str:
    return f"Rp{value:,}".replace(",", ".")


def _printed_as_json_or_refused(result: dict[str, Any], json_mode: bool) -> bool:
    """An error exits 2 with its reason; with --json the result is printed as one object."""
    if "error" in result:
        err.print(f"[red]{result['error']}[/red]")
        raise typer.Exit(2)
    if json_mode:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return True
    return False


@app.command("plan")
def plan(
    year: Annotated[int | None, typer.Option("--year", help="The plan's year.")] = None,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The year's approved development proposals: who, what, when, cost, planned or done."""
    from lessons.proposals import plan_for_year

    wanted = year or _this_year()

    entries = _read(lambda session: plan_for_year(session, wanted))
    total = sum(e.cost for e in entries)
    if json_mode:
        typer.echo(
            json.dumps(
                {
                    "year": wanted,
                    "entries": [e.as_json() for e in entries],
                    "total_cost": total,
                    "planned": sum(e.status == "planned" for e in entries),
                    "done": sum(e.status == "done" for e in entries),
                },
                ensure_ascii=False,
            )
        )
        return
    table = Table(title=f"Rencana pengembangan kompetensi {wanted} / development plan")
    for column in ("Ref", "Nama", "OPD", "Jenis", "Kegiatan", "Mulai", "Biaya", "Status"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            e.ref,
            e.name,
            e.opd,
            e.kind,
            e.title,
            e.start.isoformat() if e.start else "-",
            _rupiah(e.cost),
            e.status if e.jp is None else f"{e.status} ({e.jp:g} JP)",
        )
    Console().print(table)
    typer.echo(f"{len(entries)} usulan / proposals, total {_rupiah(total)}")


@app.command("done")
def done(
    ref: Annotated[str, typer.Argument(help="The proposal's reference, e.g. USL-2612-000001.")],
    jp: Annotated[float, typer.Option("--jp", help="JP on the certificate (1 JP = 45 min).")],
    by: Annotated[str, typer.Option("--by", help="NIP of the HR officer who verified it.")],
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Mark an approved proposal done: it counts in the employee's JP ledger."""
    if not 0 < jp <= MAX_JP:
        err.print(f"[red]--jp: antara 0 dan {MAX_JP:g} / between 0 and {MAX_JP:g}[/red]")
        raise typer.Exit(2)

    async def run() -> dict[str, Any]:
        from core.clock import system_clock
        from core.settings import Settings

        db = await _open_db()
        try:
            async with db.transaction() as session:
                return await mark_done(
                    session, ref, jp=jp, by_nip=by, now=system_clock(), settings=Settings()
                )
        finally:
            await db.dispose()

    result = asyncio.run(run())
    if _printed_as_json_or_refused(result, json_mode):
        return
    typer.echo(f"{result['ref']}: selesai / done, {result['jp']:g} JP → {result['nip']}")


async def mark_done(
    session: Any, ref: str, *, jp: float, by_nip: str, now: datetime, settings: Any
) -> dict[str, Any]:
    """Complete the proposal (audited), add it to the ledger and tell the employee."""
    from sqlalchemy import select

    from core.storage.models import Employee
    from core.text import T
    from integrations import lifecycle
    from lessons.proposals import DONE, PLANNED, find
    from lessons.proposals_ledger import record_training

    officer = (await session.execute(select(Employee).where(Employee.nip == by_nip))).scalar()
    if officer is None or not officer.has_role("hr_admin"):
        return {"error": "--by: bukan petugas kepegawaian / not an HR officer"}
    request = await find(session, ref)
    if request is None:
        return {"error": f"{ref}: usulan tidak ditemukan / no such proposal"}
    if request.status == DONE:
        return {"error": f"{request.ref}: sudah selesai / already done"}
    if request.status not in PLANNED:
        return {"error": f"{request.ref}: belum disetujui / not approved ({request.status})"}
    employee = await session.get(Employee, request.employee_id)
    data = dict(request.data or {})
    event = record_training(
        session,
        employee_id=request.employee_id,
        proposal_kind=str(data.get("kind") or ""),
        competency=str(data.get("competency") or "teknis"),
        title=str(data.get("title") or request.ref),
        provider=str(data.get("provider") or ""),
        start=request.start_date or now.date(),
        end=request.end_date or request.start_date or now.date(),
        jp=jp,
        ref=request.ref or "",
        verified_by=officer.id,
        now=now,
        settings=settings,
    )
    data["_done"] = {"jp": jp, "by": officer.id, "at": now.isoformat()}
    request.data = data
    lifecycle.transition(
        session, request, DONE, now=now, actor_id=officer.id, channel="cli", detail={"jp": jp}
    )
    await lifecycle.notify(
        session,
        request.employee_id,
        T(
            f"🎓 {data.get('title')} ({request.ref}) tercatat selesai: {jp:g} JP masuk ke "
            'catatan belajar Anda. Ketik "progres belajar" untuk melihatnya.',
            f"🎓 {data.get('title')} ({request.ref}) is recorded as done: {jp:g} JP added to "
            'your learning record. Type "learning progress" to see it.',
        ),
        now=now,
        key=f"notify:{request.ref}:done",
    )
    await session.flush()
    return {
        "ref": request.ref,
        "nip": employee.nip if employee else None,
        "jp": jp,
        "kind": event.evidence["kind"],
        "status": request.status,
    }


@app.command("gaps")
def gaps(
    year: Annotated[int | None, typer.Option("--year", help="The analyses' year.")] = None,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The city's most common competency gaps (confirmed needs analyses), for planning."""
    from lessons.needs import city_gaps

    wanted = year or _this_year()

    result = _read(lambda session: city_gaps(session, wanted))
    if json_mode:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    counts = result["analyses"]
    table = Table(title=f"Kesenjangan kompetensi {wanted} / competency gaps")
    for column in ("Kompetensi", "Jenis", "Pegawai", "Rata-rata"):
        table.add_column(column)
    for row in result["gaps"]:
        table.add_row(
            row["title"], row["type"], str(row["employees"]), f"{row['average_gap']:.1f}"
        )
    Console().print(table)
    typer.echo(
        f"AKPK: {counts['confirmed']} dikonfirmasi / confirmed, {counts['submitted']} menunggu "
        f"/ waiting, {counts['draft']} draf / draft"
    )


@app.command("record")
def record(
    nip: Annotated[str, typer.Option("--nip", help="The employee's NIP.")],
    title: Annotated[str, typer.Option("--title", help="The training's name.")],
    hours: Annotated[float, typer.Option("--hours", help="Hours of learning (JP by the rule).")],
    competency: Annotated[
        str, typer.Option("--type", help="teknis | manajerial | sosial_kultural.")
    ],
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    source: Annotated[
        str, typer.Option("--source", help="classroom | external | on_the_job.")
    ] = "classroom",
    provider: Annotated[str, typer.Option("--provider", help="The organiser.")] = "",
    by: Annotated[
        str | None, typer.Option("--by", help="NIP of the HR officer recording it.")
    ] = None,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Record a training HR has the evidence of: verified at once, in the JP ledger."""
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        err.print("[red]--from/--to: tulis tanggal YYYY-MM-DD / write dates as YYYY-MM-DD[/red]")
        raise typer.Exit(2) from None

    async def run() -> dict[str, Any]:
        from core.clock import system_clock
        from core.settings import Settings

        db = await _open_db()
        try:
            async with db.transaction() as session:
                return await record_training(
                    session,
                    nip=nip,
                    source=source,
                    title=title,
                    provider=provider,
                    hours=hours,
                    competency=competency,
                    start=first,
                    end=last,
                    by_nip=by,
                    now=system_clock(),
                    settings=Settings(),
                )
        finally:
            await db.dispose()

    result = asyncio.run(run())
    if _printed_as_json_or_refused(result, json_mode):
        return
    typer.echo(
        f"#{result['id']}: {result['jp']:g} JP {result['type']} ({result['source']}) "
        f"→ {result['nip']}, terverifikasi / verified"
    )


async def record_training(
    session: Any,
    *,
    nip: str,
    source: str,
    title: str,
    provider: str,
    hours: float,
    competency: str,
    start: date,
    end: date,
    by_nip: str | None,
    now: datetime,
    settings: Any,
) -> dict[str, Any]:
    """HR's record of a training, verified at once; an error text when it cannot be kept."""
    from sqlalchemy import select

    from core.storage.models import Employee
    from lessons import learning_records

    person = (await session.execute(select(Employee).where(Employee.nip == nip))).scalar()
    if person is None or not person.active:
        return {"error": f"--nip {nip}: pegawai tidak ditemukan / no such employee"}
    officer = None
    if by_nip is not None:
        officer = (await session.execute(select(Employee).where(Employee.nip == by_nip))).scalar()
        if officer is None or not officer.has_role("hr_admin"):
            return {"error": "--by: bukan petugas kepegawaian / not an HR officer"}
    try:
        event = await learning_records.record_verified(
            session,
            person,
            source=source,
            competency=competency,
            title=title,
            provider=provider,
            start=start,
            end=end,
            hours=hours,
            officer_id=officer.id if officer else None,
            channel="cli",
            now=now,
            settings=settings,
        )
    except learning_records.RecordError as exc:
        return {"error": f"{exc.id_text} / {exc.en_text}"}
    return learning_records.as_json(event, person.nip)


@app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="The CSV file to write.")],
    year: Annotated[int | None, typer.Option("--year", help="The records' year.")] = None,
) -> None:
    """Every learning record of a year as CSV for the personnel system (docs/OPERATIONS.md)."""
    from lessons.learning_export import export_rows, to_csv

    wanted = year or _this_year()

    rows = _read(lambda session: export_rows(session, wanted))
    out.write_text(to_csv(rows), encoding="utf-8")
    verified = [r for r in rows if r.status == "verified"]
    typer.echo(
        f"{len(rows)} catatan / records ({len(verified)} terverifikasi / verified, "
        f"{sum(r.jp for r in verified):.2f} JP) → {out}"
    )
