"""A supervisor's team: direct reports and their reports (the whole subtree), most behind first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import Employee
from lessons.jp import Calendar, JPSettings, Projection, is_ceiling, project, target_for
from lessons.progress import year_progress

MAX_DEPTH = 10  # a guard against a cycle in supervisor data, far deeper than any hierarchy


@dataclass(frozen=True, slots=True)
class Standing:
    employee: Employee
    projection: Projection

    @property
    def pace(self) -> float:
        """Projected JP as a share of the target: the lower, the further behind."""
        return self.projection.projected / self.projection.target if self.projection.target else 1


async def subtree(session: AsyncSession, head_id: int) -> list[Employee]:
    """Active employees reporting to `head_id` directly or through others (one query a level)."""
    found: dict[int, Employee] = {}
    frontier = {head_id}
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        query = select(Employee).where(
            Employee.supervisor_id.in_(frontier), Employee.active.is_(True)
        )
        level = [e for e in (await session.execute(query)).scalars() if e.id not in found]
        found.update((e.id, e) for e in level if e.id != head_id)
        frontier = {e.id for e in level if e.id != head_id}
    return list(found.values())


async def is_under(session: AsyncSession, member_id: int, head_id: int) -> bool:
    """Whether `member_id` reports to `head_id`, directly or through others."""
    current = await session.get(Employee, member_id)
    for _ in range(MAX_DEPTH):
        if current is None or current.supervisor_id is None:
            return False
        if current.supervisor_id == head_id:
            return True
        current = await session.get(Employee, current.supervisor_id)
    return False


async def standings(
    session: AsyncSession,
    members: list[Employee],
    today: date,
    settings: JPSettings,
    calendar: Calendar,
) -> list[Standing]:
    """Each member's projected JP for the year, the furthest behind their target first."""
    progress = await year_progress(session, [m.id for m in members], today.year)
    found = [
        Standing(
            m,
            project(
                progress[m.id].jp(settings),
                target_for(m.employment, settings),
                today,
                calendar,
                ceiling=is_ceiling(m.employment),
            ),
        )
        for m in members
    ]
    return sorted(found, key=lambda s: (s.pace, s.projection.jp, s.employee.name))
