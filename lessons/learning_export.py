"""HR's export of the learning ledger: one CSV row per learning record of a year.

The columns are documented in docs/OPERATIONS.md ("Learning records export"). Every status is
exported (the personnel system may want to see what waits); only `verified` rows count in the
JP totals, the same rows `ayo lessons report` sums (lessons/progress.py): their minutes over
the city's minutes per JP, or their JP rounded to 2 decimals, are the report's `jp_total`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.storage.models import Employee, LearningEvent

COLUMNS = (
    "record_id",
    "nip",
    "name",
    "start_date",
    "end_date",
    "minutes",
    "hours",
    "jp",
    "competency_type",
    "source",
    "activity",
    "title",
    "provider",
    "status",
    "verifier_nip",
    "decided_at",
)


@dataclass(frozen=True, slots=True)
class ExportRow:
    record_id: int
    nip: str
    name: str
    start_date: str
    end_date: str
    minutes: int
    hours: float
    jp: float
    competency_type: str
    source: str
    activity: str
    title: str
    provider: str
    status: str
    verifier_nip: str
    decided_at: str


async def export_rows(session: AsyncSession, year: int) -> list[ExportRow]:
    """Every learning record starting in `year`, by NIP, start date and id."""
    verifier = aliased(Employee)
    rows = await session.execute(
        select(LearningEvent, Employee.nip, Employee.name, verifier.nip)
        .join(Employee, Employee.id == LearningEvent.employee_id)
        .outerjoin(
            verifier,
            verifier.id == func.coalesce(LearningEvent.decided_by_id, LearningEvent.verifier_id),
        )
        .where(LearningEvent.start_date >= date(year, 1, 1))
        .where(LearningEvent.start_date <= date(year, 12, 31))
        .order_by(Employee.nip, LearningEvent.start_date, LearningEvent.id)
    )
    found = []
    for event, nip, name, verifier_nip in rows:
        found.append(
            ExportRow(
                record_id=event.id,
                nip=nip,
                name=name,
                start_date=event.start_date.isoformat(),
                end_date=event.end_date.isoformat(),
                minutes=event.minutes,
                hours=round(event.minutes / 60, 2),
                # 6 decimals: summed over a year's rows and rounded to 2, it is the report's total.
                jp=round(event.jp, 6),
                competency_type=event.competency,
                source=event.source,
                activity=event.activity_type,
                title=event.material,
                provider=event.provider,
                status=event.status,
                verifier_nip=verifier_nip or "",
                decided_at=event.decided_at.isoformat() if event.decided_at else "",
            )
        )
    return found


def to_csv(rows: Sequence[ExportRow]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(asdict(row))
    return out.getvalue()
