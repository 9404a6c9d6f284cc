"""Leave taken before go-live, loaded from a CSV `nip,jenis,mulai,selesai,hari_kerja`.

Each row becomes a completed leave request, so balances, overlaps and learning days off read
it exactly like leave taken through Ayo (core.storage.models.LEAVE_TAKEN). A row is keyed by
(nip, jenis, mulai, selesai): loading the same file again changes nothing, and a corrected
`hari_kerja` updates the row. A file with any bad row writes nothing; every bad row is named
by its line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import Employee, ServiceRequest
from core.text import T

COLUMNS = ("nip", "jenis", "mulai", "selesai", "hari_kerja")
LEAVE_SERVICE = "cuti"
SOURCE = "riwayat-cuti"
# The leave codes, and the abbreviations the personnel system (SIASN) uses for them.
KINDS = {
    "tahunan": "tahunan",
    "ct": "tahunan",
    "besar": "besar",
    "cb": "besar",
    "sakit": "sakit",
    "cs": "sakit",
    "melahirkan": "melahirkan",
    "cm": "melahirkan",
    "alasan_penting": "alasan_penting",
    "alasan penting": "alasan_penting",
    "cap": "alasan_penting",
    "cltn": "cltn",
}
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


@dataclass(frozen=True)
class HistoryRow:
    line: int
    nip: str
    kind: str
    start: date
    end: date
    days: float

    @property
    def ref(self) -> str:
        key = f"{self.nip}|{self.kind}|{self.start.isoformat()}|{self.end.isoformat()}"
        return "RIW-" + hashlib.sha1(key.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Problem:
    line: int
    message: T


@dataclass
class HistoryResult:
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "problems": [
                {"line": p.line, "id": p.message.id, "en": p.message.en} for p in self.problems
            ],
        }


def read_file(path: Path) -> tuple[list[HistoryRow], list[Problem]]:
    """Parse the CSV (comma or semicolon, UTF-8 with or without BOM); line 1 is the header."""
    text = path.read_text(encoding="utf-8-sig")
    first = text.split("\n", 1)[0]
    reader = csv.reader(
        io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ","
    )
    rows: list[HistoryRow] = []
    problems: list[Problem] = []
    header = [h.strip().casefold() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        names = ", ".join(missing)
        return [], [Problem(1, T(f"Kolom tidak ada: {names}.", f"Missing columns: {names}."))]
    seen: dict[str, int] = {}
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values = {
            name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)
        }
        parsed = _row(number, values)
        if isinstance(parsed, Problem):
            problems.append(parsed)
            continue
        if parsed.ref in seen:
            first = seen[parsed.ref]
            problems.append(
                Problem(
                    number,
                    T(f"Sama dengan baris {first}.", f"The same leave as line {first}."),
                )
            )
            continue
        seen[parsed.ref] = number
        rows.append(parsed)
    return rows, problems


def _row(number: int, values: dict[str, str]) -> HistoryRow | Problem:
    nip = values["nip"]
    if not re.fullmatch(r"\d{18}", nip):
        return Problem(number, T("NIP harus 18 angka.", "The NIP must have 18 digits."))
    kind = KINDS.get(values["jenis"].casefold())
    if kind is None:
        shown = values["jenis"][:30]
        return Problem(
            number,
            T(
                f"Jenis cuti {shown!r} tidak dikenal (tahunan, besar, sakit, melahirkan, "
                "alasan_penting, cltn).",
                f"Unknown leave type {shown!r} (tahunan, besar, sakit, melahirkan, "
                "alasan_penting, cltn).",
            ),
        )
    start, end = _date(values["mulai"]), _date(values["selesai"])
    if start is None or end is None:
        return Problem(
            number,
            T(
                "Tanggal mulai/selesai harus YYYY-MM-DD atau DD-MM-YYYY.",
                "Start/end dates must be YYYY-MM-DD or DD-MM-YYYY.",
            ),
        )
    if end < start:
        return Problem(number, T("Tanggal selesai sebelum mulai.", "The end is before the start."))
    try:
        days = float(values["hari_kerja"].replace(",", "."))
    except ValueError:
        days = -1.0
    if days < 0 or days > (end - start).days + 1:
        return Problem(
            number,
            T(
                "hari_kerja harus angka dari 0 sampai jumlah hari dari mulai sampai selesai.",
                "hari_kerja must be a number from 0 to the days from start to end.",
            ),
        )
    return HistoryRow(number, nip, kind, start, end, days)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _DMY.match(text)
    if match is None:
        return None
    try:
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None


async def load(
    session: AsyncSession,
    rows: list[HistoryRow],
    problems: list[Problem],
    *,
    now: datetime,
    dry_run: bool,
) -> HistoryResult:
    """Write the rows (unless `dry_run` or any problem); unknown NIPs are problems too."""
    result = HistoryResult(dry_run=dry_run, rows=len(rows), problems=list(problems))
    nips = {r.nip for r in rows}
    people = {
        e.nip: e
        for e in (await session.execute(select(Employee).where(Employee.nip.in_(nips)))).scalars()
    }
    for row in rows:
        if row.nip not in people:
            result.problems.append(
                Problem(row.line, T("NIP tidak ada di organisasi.", "No employee has this NIP."))
            )
    result.problems.sort(key=lambda p: p.line)
    refs = [r.ref for r in rows]
    existing = {
        r.ref: r
        for r in (
            await session.execute(select(ServiceRequest).where(ServiceRequest.ref.in_(refs)))
        ).scalars()
    }
    for row in rows:
        old = existing.get(row.ref)
        if old is None:
            result.created += 1
        elif old.days != row.days:
            result.updated += 1
        else:
            result.unchanged += 1
    if dry_run or result.problems:
        return result
    for row in rows:
        old = existing.get(row.ref)
        if old is not None:
            if old.days != row.days:
                old.days = row.days
                old.updated_at = now
            continue
        session.add(
            ServiceRequest(
                ref=row.ref,
                service_id=LEAVE_SERVICE,
                employee_id=people[row.nip].id,
                status="completed",
                kind=row.kind,
                start_date=row.start,
                end_date=row.end,
                days=row.days,
                source_app=SOURCE,
                data={
                    "leave_type": row.kind,
                    "dates": {"start": row.start.isoformat(), "end": row.end.isoformat()},
                    "imported_line": row.line,
                },
                created_at=now,
                updated_at=now,
            )
        )
    return result
