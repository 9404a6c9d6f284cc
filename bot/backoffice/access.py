"""Who sees what in the back office: operators their teams' queues, supervisors their team,
HR admins their OPD (or, in the city's HR agency, the whole city); nobody else anything."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.auth import Viewer
from core.storage.models import Employee, HandoffCase, OrgUnit
from integrations.handoff.teams import Team, Teams


@dataclass
class Scope:
    viewer: Viewer
    operated: list[Team] = field(default_factory=list)
    led: list[Team] = field(default_factory=list)
    # Employees whose records the viewer may read; None: the whole city.
    employees: set[int] | None = field(default_factory=set)
    hr: bool = False
    city: bool = False

    @property
    def allowed(self) -> bool:
        return bool(self.operated or self.led or self.city or self.employees)

    @property
    def team_codes(self) -> set[str]:
        return {t.code for t in (*self.operated, *self.led)}

    def sees_employee(self, employee_id: int) -> bool:
        return self.employees is None or employee_id in self.employees

    def sees_case(self, case: HandoffCase) -> bool:
        return case.team in self.team_codes or self.sees_employee(case.employee_id)

    def operates(self, case: HandoffCase) -> bool:
        return case.team in {t.code for t in self.operated}


async def unit_opds(session: AsyncSession) -> dict[int, int]:
    """Every unit's OPD (its top unit), in one query."""
    parents = dict((await session.execute(select(OrgUnit.id, OrgUnit.parent_id))).all())
    top: dict[int, int] = {}
    for unit in parents:
        current, seen = unit, set()
        while parents.get(current) is not None and current not in seen:
            seen.add(current)
            current = parents[current]
        top[unit] = current
    return top


async def below(session: AsyncSession, boss_id: int) -> set[int]:
    """Everyone under `boss_id` in the supervisor chain (their team, all levels)."""
    pairs = (await session.execute(select(Employee.id, Employee.supervisor_id))).all()
    children: dict[int, list[int]] = {}
    for employee_id, supervisor_id in pairs:
        if supervisor_id is not None:
            children.setdefault(supervisor_id, []).append(employee_id)
    found: set[int] = set()
    todo = list(children.get(boss_id, []))
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        todo.extend(children.get(current, []))
    return found


async def scope_for(session: AsyncSession, viewer: Viewer, teams: Teams, city_opd: str) -> Scope:
    scope = Scope(
        viewer=viewer, operated=teams.of_operator(viewer.nip), led=teams.led_by(viewer.nip)
    )
    employees: set[int] = set()
    if viewer.has_role("hr_admin"):
        scope.hr = True
        opd = await session.get(OrgUnit, viewer.opd_id)
        if opd is not None and opd.code == city_opd:
            scope.city = True
        else:
            opds = await unit_opds(session)
            rows = await session.execute(select(Employee.id, Employee.unit_id))
            employees |= {e for e, unit in rows.all() if opds.get(unit) == viewer.opd_id}
    if viewer.has_role("supervisor"):
        employees |= await below(session, viewer.employee_id)
    scope.employees = None if scope.city else employees
    return scope
