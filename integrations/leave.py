"""Leave against the database: days used, balances before and after, overlaps, who is away."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import (
    LEAVE_RESERVED,
    LEAVE_TAKEN,
    Employee,
    LeaveOpeningBalance,
    ServiceRequest,
)
from core.workdays import WorkCalendar
from integrations.leave_rules import AnnualBalance, LeaveRules, Opening, overlaps, rules_employment

LEAVE_SERVICE = "cuti"
# Which statuses count as taken or reserved is owned by core (shared with lessons/daysoff.py).
TAKEN = LEAVE_TAKEN
RESERVED = LEAVE_RESERVED


@dataclass(frozen=True)
class Balance:
    """Cuti tahunan for a year: the rules' balance, and days still waiting for approval."""

    annual: AnnualBalance
    pending: float

    @property
    def available(self) -> float:
        return self.annual.remaining - self.pending


async def _leave_rows(
    session: AsyncSession, employee_id: int, statuses: tuple[str, ...], kind: str | None = None
) -> list[ServiceRequest]:
    query = select(ServiceRequest).where(
        ServiceRequest.employee_id == employee_id,
        ServiceRequest.service_id == LEAVE_SERVICE,
        ServiceRequest.status.in_(statuses),
    )
    if kind is not None:
        query = query.where(ServiceRequest.kind == kind)
    return list((await session.execute(query)).scalars())


async def annual_balance(
    session: AsyncSession,
    employee: Employee,
    year: int,
    *,
    rules: LeaveRules,
    calendar: WorkCalendar,
    exclude_request: int | None = None,
) -> Balance:
    """The employee's cuti tahunan for `year` from the real history.

    The history is what Ayo holds: its own requests, past leave loaded by
    `ayo leave import-history`, and the opening balances (`sisa_cuti_n1`, `sisa_cuti_n2`) of
    the organisation import, which start the count in their year. Without an opening balance
    the records start with the employee's first request; earlier years are taken as used, so
    nothing unknown is carried over.
    """
    rows = await _leave_rows(session, employee.id, TAKEN + RESERVED)
    rows = [r for r in rows if r.id != exclude_request]
    used: dict[int, float] = defaultdict(float)
    pending = 0.0
    besar_years: set[int] = set()
    for row in rows:
        if row.start_date is None:
            continue
        if row.kind == "besar" and row.status in TAKEN:
            besar_years.add(row.start_date.year)
        if row.kind != "tahunan":
            continue
        if row.status in TAKEN:
            used[row.start_date.year] += row.days or 0
        elif row.start_date.year == year:
            pending += row.days or 0
    known_from = min([r.start_date.year for r in rows if r.start_date] + [year])
    row = await session.get(LeaveOpeningBalance, employee.id)
    opening = Opening(row.year, row.remaining_n1, row.remaining_n2) if row is not None else None
    annual = rules.annual_entitlement(
        year,
        service_start=employee.service_start,
        employment=rules_employment(employee.employment),
        used_by_year=used,
        calendar=calendar,
        cuti_besar_years=besar_years,
        known_from=known_from,
        gets_cuti_bersama=not employee.cuti_bersama_denied,
        opening=opening,
    )
    return Balance(annual=annual, pending=pending)


async def overlapping(
    session: AsyncSession, employee_id: int, start: date, end: date, exclude: int | None = None
) -> list[ServiceRequest]:
    """The employee's own live leave requests that share a day with start..end."""
    rows = await _leave_rows(session, employee_id, TAKEN + RESERVED)
    return [
        r
        for r in rows
        if r.id != exclude
        and r.start_date is not None
        and r.end_date is not None
        and overlaps(start, end, r.start_date, r.end_date)
    ]


async def away_in_unit(
    session: AsyncSession, employee: Employee, start: date, end: date
) -> list[tuple[Employee, ServiceRequest]]:
    """Colleagues of the same unit on (approved or pending) leave during start..end."""
    rows = (
        await session.execute(
            select(ServiceRequest, Employee)
            .join(Employee, Employee.id == ServiceRequest.employee_id)
            .where(
                Employee.unit_id == employee.unit_id,
                Employee.id != employee.id,
                ServiceRequest.service_id == LEAVE_SERVICE,
                ServiceRequest.status.in_(TAKEN + RESERVED),
                ServiceRequest.start_date <= end,
                ServiceRequest.end_date >= start,
            )
            .order_by(ServiceRequest.start_date)
        )
    ).all()
    return [(person, request) for request, person in rows]


async def on_leave(session: AsyncSession, employee_id: int, day: date) -> bool:
    """True when the employee is on approved leave on `day`."""
    rows = await _leave_rows(session, employee_id, TAKEN)
    return any(
        r.start_date is not None and r.end_date is not None and r.start_date <= day <= r.end_date
        for r in rows
    )
