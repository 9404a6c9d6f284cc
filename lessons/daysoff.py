"""Which days are off for an employee: the office calendar plus their own approved leave."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import LEAVE_TAKEN, ServiceRequest

# Leave services are named by the service catalog; every leave kind starts with these.
LEAVE_PREFIXES = ("leave", "cuti")


class Calendar(Protocol):
    def is_working_day(self, d: date) -> bool: ...


async def leave_days(
    session: AsyncSession, employee_ids: Iterable[int], start: date, end: date
) -> dict[int, set[date]]:
    """Each employee's approved leave days between `start` and `end` (both included)."""
    ids = list(employee_ids)
    found: dict[int, set[date]] = {}
    if not ids:
        return found
    rows = await session.execute(
        select(
            ServiceRequest.employee_id, ServiceRequest.start_date, ServiceRequest.end_date
        ).where(
            ServiceRequest.employee_id.in_(ids),
            ServiceRequest.status.in_(LEAVE_TAKEN),
            or_(*(ServiceRequest.service_id.like(f"{p}%") for p in LEAVE_PREFIXES)),
            ServiceRequest.start_date.is_not(None),
            ServiceRequest.start_date <= end,
            or_(ServiceRequest.end_date >= start, ServiceRequest.end_date.is_(None)),
        )
    )
    for employee_id, first, last in rows:
        d = max(first, start)
        for _ in range(((min(last or first, end)) - d).days + 1):
            found.setdefault(employee_id, set()).add(d)
            d += timedelta(days=1)
    return found


def is_learning_day(calendar: Calendar, day: date, leave: set[date]) -> bool:
    """A working day the employee is not on leave: the days lessons are sent and streaks count."""
    return calendar.is_working_day(day) and day not in leave


def missed_learning_days(calendar: Calendar, after: date, before: date, leave: set[date]) -> int:
    """Learning days strictly between `after` and `before`."""
    count = 0
    d = after + timedelta(days=1)
    while d < before:
        count += is_learning_day(calendar, d, leave)
        d += timedelta(days=1)
    return count
