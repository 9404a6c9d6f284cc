"""HR's development plan for a year: the approved proposals (usulan pengembangan kompetensi).

A proposal is the `usulan_pengembangan` service (integrations/services/usulan_pengembangan.yaml)
and goes through the approval engine (supervisor, then the HR officer). Once approved it is in
the plan; HR marks it done when the training took place (status `completed`, and a record in
the JP ledger). PP 11/2017 Ps. 207 ayat (3): the instansi's plan lists the competency, who,
the kind and route of development, the organiser, the schedule and the budget — the fields
of the proposal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import Employee, OrgUnit, ServiceRequest

SERVICE = "usulan_pengembangan"
PLANNED = ("approved", "sent")  # approved, not yet done
DONE = "completed"
IN_PLAN = (*PLANNED, DONE)
# How each kind of proposal is recorded in the ledger once done (lessons/proposals_ledger.py).
KIND_TITLES = {
    "pelatihan": ("Pelatihan klasikal", "Classroom training"),
    "kursus": ("Kursus / e-learning", "Course / e-learning"),
    "pendidikan": ("Pendidikan (tugas/izin belajar)", "Degree study"),
    "seminar": ("Seminar / lokakarya", "Seminar / workshop"),
}


@dataclass(frozen=True, slots=True)
class PlanEntry:
    ref: str
    request_id: int
    employee_id: int
    nip: str
    name: str
    opd: str
    kind: str
    title: str
    provider: str
    start: date | None
    end: date | None
    cost: int
    competency: str
    status: str  # planned | done
    jp: float | None

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "nip": self.nip,
            "name": self.name,
            "opd": self.opd,
            "kind": self.kind,
            "title": self.title,
            "provider": self.provider,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "cost": self.cost,
            "competency": self.competency,
            "status": self.status,
            "jp": self.jp,
        }


def entry_of(request: ServiceRequest, employee: Employee, opd: str) -> PlanEntry:
    data = request.data or {}
    done = data.get("_done") or {}
    return PlanEntry(
        ref=request.ref or "",
        request_id=request.id,
        employee_id=employee.id,
        nip=employee.nip,
        name=employee.name,
        opd=opd,
        kind=str(data.get("kind") or ""),
        title=str(data.get("title") or ""),
        provider=str(data.get("provider") or ""),
        start=request.start_date,
        end=request.end_date,
        cost=int(float(data.get("cost") or 0)),
        competency=str(data.get("competency") or ""),
        status="done" if request.status == DONE else "planned",
        jp=float(done["jp"]) if done.get("jp") is not None else None,
    )


async def plan_for_year(session: AsyncSession, year: int) -> list[PlanEntry]:
    """Approved proposals starting in `year`, by start date then reference."""
    rows = await session.execute(
        select(ServiceRequest, Employee)
        .join(Employee, Employee.id == ServiceRequest.employee_id)
        .where(
            ServiceRequest.service_id == SERVICE,
            ServiceRequest.status.in_(IN_PLAN),
            ServiceRequest.start_date >= date(year, 1, 1),
            ServiceRequest.start_date <= date(year, 12, 31),
        )
        .order_by(ServiceRequest.start_date, ServiceRequest.ref)
    )
    units = {u.id: u for u in (await session.execute(select(OrgUnit))).scalars()}
    found = []
    for request, employee in rows:
        found.append(entry_of(request, employee, _opd_name(units, employee.unit_id)))
    return found


def _opd_name(units: dict[int, OrgUnit], unit_id: int) -> str:
    unit = units.get(unit_id)
    for _ in range(10):
        if unit is None or unit.parent_id is None or unit.parent_id not in units:
            break
        unit = units[unit.parent_id]
    return unit.name if unit else ""


async def find(session: AsyncSession, ref: str) -> ServiceRequest | None:
    """A proposal by its reference, locked (marking it done happens once)."""
    return (
        await session.execute(
            select(ServiceRequest)
            .where(ServiceRequest.ref == ref.strip().upper(), ServiceRequest.service_id == SERVICE)
            .with_for_update()
        )
    ).scalar_one_or_none()
