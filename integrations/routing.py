"""Who approves: approval policies resolved on the org chart, and delegation (Plt./Plh.)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import Delegation, Employee
from integrations import leave, leave_authority
from integrations.catalog import ApprovalPolicy, ApprovalStepSpec

# The org chart is shallow; a loop in bad data must not hang a request.
MAX_CHAIN = 12


@dataclass(frozen=True)
class Level:
    """One level of an approval chain: its approvers and how their answers combine."""

    approvers: tuple[int, ...]
    mode: str = "any"
    # The policy's approver kind (supervisor, head_of_opd, role:hr_admin …), for who-decides.
    role: str = ""


async def _employee(session: AsyncSession, employee_id: int | None) -> Employee | None:
    return await session.get(Employee, employee_id) if employee_id else None


async def head_of_opd(session: AsyncSession, employee: Employee) -> Employee | None:
    """The head of the employee's OPD: up the supervisor chain to the OPD's top unit."""
    person: Employee | None = employee
    for _ in range(MAX_CHAIN):
        if person is None:
            return None
        if person.unit is not None and person.unit.parent_id is None and person.id != employee.id:
            return person
        person = await _employee(session, person.supervisor_id)
    return None


async def with_role(session: AsyncSession, role: str) -> list[Employee]:
    """Active employees holding `role`, found by the database (not by loading everyone)."""
    rows = await session.execute(
        select(Employee)
        .where(Employee.active.is_(True), Employee.with_role(role))
        .order_by(Employee.id)
    )
    return list(rows.scalars())


async def hr_admins(session: AsyncSession) -> list[Employee]:
    return await with_role(session, "hr_admin")


async def _resolve(
    session: AsyncSession, step: ApprovalStepSpec, employee: Employee, data: dict[str, Any]
) -> list[int]:
    match step.approver:
        case "leave_authority":
            found = await leave_authority.holder(session, employee, data.get("leave_type"))
            return [found.id] if found else []
        case "supervisor":
            return [employee.supervisor_id] if employee.supervisor_id else []
        case "next_level":
            boss = await _employee(session, employee.supervisor_id)
            return [boss.supervisor_id] if boss and boss.supervisor_id else []
        case "head_of_opd":
            head = await head_of_opd(session, employee)
            return [head.id] if head else []
        case "role":
            return [e.id for e in await with_role(session, step.role or "")]
        case "employee":
            rows = (
                await session.execute(select(Employee).where(Employee.nip.in_(step.nips)))
            ).scalars()
            return [e.id for e in rows]
    return []


async def plan(
    session: AsyncSession, policy: ApprovalPolicy, employee: Employee, data: dict[str, Any]
) -> list[Level]:
    """The levels of approval a request needs; never the requester themselves."""
    if policy.auto:
        return []
    levels: list[Level] = []
    for step in policy.steps:
        if step.when is not None and not step.when.holds(data):
            continue
        ids = [i for i in await _resolve(session, step, employee, data) if i != employee.id]
        if not ids:
            continue
        role = f"role:{step.role}" if step.approver == "role" else step.approver
        if levels and set(levels[-1].approvers) == set(ids):
            # The same person twice in a row (a small unit) decides once, in the later
            # capacity (an atasan langsung who is also the PyBMC decides as the PyBMC).
            levels[-1] = Level(levels[-1].approvers, levels[-1].mode, role)
            continue
        levels.append(Level(tuple(dict.fromkeys(ids)), step.mode, role))
    if not levels:
        # Nobody above the requester in the org chart (a head of OPD): HR routes it.
        admins = [a.id for a in await hr_admins(session) if a.id != employee.id]
        if admins:
            levels.append(Level(tuple(admins), "any", "role:hr_admin"))
    return levels


async def active_delegate(session: AsyncSession, principal_id: int, day: date) -> int | None:
    """The delegate a principal named for `day`, if any (the latest named wins)."""
    row = (
        await session.execute(
            select(Delegation)
            .where(
                Delegation.principal_id == principal_id,
                Delegation.start_date <= day,
                Delegation.end_date >= day,
                Delegation.revoked_at.is_(None),
            )
            .order_by(Delegation.id.desc())
        )
    ).scalar()
    return row.delegate_id if row else None


async def route(
    session: AsyncSession,
    approver_id: int,
    requester_id: int,
    day: date,
    *,
    legal: bool = False,
) -> tuple[int, int | None]:
    """Who gets the prompt for `approver_id` today: (recipient, acting_for or None).

    A named delegate takes over while the approver is away; an approver on approved leave
    without one is covered by their own supervisor. For a `legal` step (deciding leave) only
    a delegate with a recorded assignment letter takes over, and nobody else ever does: the
    authority stays with the official (Perban BKN 24/2017; PP 11/2017 Ps. 309).
    """
    delegate = await active_delegate(session, approver_id, day)
    if legal:
        if (
            delegate is not None
            and delegate != requester_id
            and await leave_authority.assignment(session, approver_id, delegate, day)
        ):
            return delegate, approver_id
        return approver_id, None
    if delegate is not None and delegate != requester_id:
        return delegate, approver_id
    if await leave.on_leave(session, approver_id, day):
        boss = await _employee(session, approver_id)
        if boss is not None and boss.supervisor_id and boss.supervisor_id != requester_id:
            return boss.supervisor_id, approver_id
    return approver_id, None


async def may_decide(
    session: AsyncSession,
    actor_id: int,
    approver_id: int,
    acting_for_id: int | None,
    day: date,
    *,
    legal: bool = False,
) -> bool:
    """The assigned approver, the principal they act for, or the approver's delegate today.

    For a `legal` step the principal decides, or a delegate holding a recorded assignment
    letter for today; an assignment without its letter, or out of its dates, gives nothing.
    """
    if legal:
        principal = acting_for_id or approver_id
        if actor_id == principal:
            return True
        return await leave_authority.assignment(session, principal, actor_id, day) is not None
    if actor_id in (approver_id, acting_for_id):
        return True
    for principal in {approver_id, acting_for_id} - {None}:
        if await active_delegate(session, principal, day) == actor_id:  # type: ignore[arg-type]
            return True
    return False
