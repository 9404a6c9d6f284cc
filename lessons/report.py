"""The HR report: per-employee JP by competency type, lessons and accuracy; a chart per OPD."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import Employee, OrgUnit
from lessons.jp import JPSettings, is_ceiling, target_for
from lessons.progress import year_progress

COLUMNS = (
    "year",
    "nip",
    "name",
    "employment",
    "unit_code",
    "opd_code",
    "opd_name",
    "jp_teknis",
    "jp_manajerial",
    "jp_sosial_kultural",
    "jp_total",
    "jp_target",
    "target_met",
    "lessons_completed",
    "questions_answered",
    "accuracy_pct",
)


@dataclass(frozen=True, slots=True)
class ReportRow:
    year: int
    nip: str
    name: str
    employment: str
    unit_code: str
    opd_code: str
    opd_name: str
    jp_teknis: float
    jp_manajerial: float
    jp_sosial_kultural: float
    jp_total: float
    jp_target: float
    target_met: bool
    lessons_completed: int
    questions_answered: int
    accuracy_pct: float | None


async def report_rows(
    session: AsyncSession, year: int, settings: JPSettings, unit: str | None = None
) -> list[ReportRow]:
    """One row per active employee (of `unit` and its sub-units when given), by NIP."""
    units = {u.id: u for u in (await session.execute(select(OrgUnit))).scalars()}

    def opd(unit_id: int) -> OrgUnit:
        current = units[unit_id]
        while current.parent_id is not None and current.parent_id in units:
            current = units[current.parent_id]
        return current

    def within(unit_id: int, code: str) -> bool:
        current: OrgUnit | None = units[unit_id]
        while current is not None:
            if current.code == code:
                return True
            current = units.get(current.parent_id) if current.parent_id else None
        return False

    query = select(Employee).where(Employee.active.is_(True)).order_by(Employee.nip)
    people = [
        e for e in (await session.execute(query)).scalars() if not unit or within(e.unit_id, unit)
    ]
    progress = await year_progress(session, [e.id for e in people], year)
    rows = []
    for person in people:
        p = progress[person.id]
        by_type = p.jp_by_competency(settings)
        total, target = p.jp(settings), target_for(person.employment, settings)
        top = opd(person.unit_id)
        rows.append(
            ReportRow(
                year=year,
                nip=person.nip,
                name=person.name,
                employment=person.employment,
                unit_code=units[person.unit_id].code,
                opd_code=top.code,
                opd_name=top.name,
                jp_teknis=round(by_type["teknis"], 2),
                jp_manajerial=round(by_type["manajerial"], 2),
                jp_sosial_kultural=round(by_type["sosial_kultural"], 2),
                jp_total=round(total, 2),
                jp_target=target,
                # A PPPK's 24 JP is a ceiling (PP 49/2018 Ps. 39): nobody is behind it.
                target_met=is_ceiling(person.employment) or total >= target,
                lessons_completed=p.lessons,
                questions_answered=p.answered,
                accuracy_pct=None if p.accuracy is None else round(p.accuracy * 100, 1),
            )
        )
    return rows


def to_csv(rows: Sequence[ReportRow]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        data = asdict(row)
        data["target_met"] = "ya" if row.target_met else "tidak"
        data["accuracy_pct"] = "" if row.accuracy_pct is None else row.accuracy_pct
        writer.writerow(data)
    return out.getvalue()


def to_json(rows: Sequence[ReportRow], generated: date) -> str:
    payload: dict[str, Any] = {
        "generated": generated.isoformat(),
        "columns": list(COLUMNS),
        "employees": [asdict(row) for row in rows],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)


def completion_by_opd(rows: Sequence[ReportRow]) -> dict[str, tuple[str, float, float]]:
    """Per OPD code: (name, average % of the JP target reached, % of people who met it)."""
    groups: dict[str, list[ReportRow]] = {}
    for row in rows:
        groups.setdefault(row.opd_code, []).append(row)
    return {
        code: (
            members[0].opd_name,
            100
            * sum(1.0 if r.target_met else min(1.0, r.jp_total / r.jp_target) for r in members)
            / len(members),
            100 * sum(r.target_met for r in members) / len(members),
        )
        for code, members in sorted(groups.items())
    }


def draw_chart(rows: Sequence[ReportRow], year: int, path: Path) -> None:
    """A bar chart of JP target completion per OPD, written as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers
    import matplotlib.pyplot as plt

    data = completion_by_opd(rows)
    codes = list(data)
    average = [data[c][1] for c in codes]
    met = [data[c][2] for c in codes]
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(codes) + 2), 4.5))
    x = range(len(codes))
    ax.bar([i - 0.2 for i in x], average, width=0.4, label="Rata-rata capaian JP (%)")
    ax.bar([i + 0.2 for i in x], met, width=0.4, label="Pegawai mencapai target (%)")
    ax.set_xticks(list(x), codes, rotation=20, ha="right")
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.set_title(f"Capaian JP per OPD, {year}")
    ax.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
