"""The pending approvals of people who left the organisation go to the next approver.

The next approver is found as an escalation finds it (integrations/sweeps.py): up the
supervisor chain from the person who left, past anyone no longer active and never the
requester; with nobody left above, an HR admin. Delegations to a person who left end too.
The people who left are told nothing.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import record
from core.statuses import StepStatus
from core.storage.models import ApprovalStep, Delegation, Employee, ServiceRequest
from core.text import T
from integrations import lifecycle, routing
from integrations.approvals import Env, replace_step

HEADING = T(
    "📋 Permohonan ini dialihkan kepada Anda: penyetuju sebelumnya tidak lagi tercatat di "
    "organisasi",
    "📋 This request was passed to you: the previous approver is no longer in the organisation",
)


async def _next_approver(
    session: AsyncSession, gone_id: int, requester_id: int, cache: dict[int, Employee | None]
) -> int | None:
    async def person(employee_id: int | None) -> Employee | None:
        if employee_id is None:
            return None
        if employee_id not in cache:
            cache[employee_id] = await session.get(Employee, employee_id)
        return cache[employee_id]

    current = await person(gone_id)
    for _ in range(routing.MAX_CHAIN):
        current = await person(current.supervisor_id if current else None)
        if current is None:
            break
        if current.active and current.id != requester_id:
            return current.id
    admins = [a.id for a in await routing.hr_admins(session) if a.id != requester_id]
    return admins[0] if admins else None


async def hand_over(session: AsyncSession, gone: list[int], env: Env) -> tuple[int, int]:
    """Move every open step of the people who left; returns (moved, left without anyone)."""
    if not gone:
        return 0, 0
    await session.execute(
        update(Delegation)
        .where(
            Delegation.delegate_id.in_(gone),
            Delegation.revoked_at.is_(None),
            Delegation.end_date >= env.today,
        )
        .values(revoked_at=env.now)
    )
    steps = (
        await session.execute(
            select(ApprovalStep)
            .join(ServiceRequest, ServiceRequest.id == ApprovalStep.request_id)
            .where(
                ApprovalStep.approver_id.in_(gone),
                ApprovalStep.status.in_((StepStatus.WAITING, StepStatus.PENDING)),
                ServiceRequest.status.in_(lifecycle.OPEN),
            )
            .order_by(ApprovalStep.id)
        )
    ).scalars()
    cache: dict[int, Employee | None] = {}
    moved = stuck = 0
    for step in list(steps):
        request = await session.get(ServiceRequest, step.request_id, with_for_update=True)
        assert request is not None
        principal = step.acting_for_id
        target = (
            principal
            if principal is not None and principal not in gone
            else await _next_approver(session, step.approver_id, request.employee_id, cache)
        )
        if target is None:
            stuck += 1
            continue
        if step.status == StepStatus.WAITING:
            new = await replace_step(
                session, step, request, target, StepStatus.REASSIGNED, env, HEADING
            )
        else:  # a later level not asked yet: it will ask the new approver in its turn
            step.status = StepStatus.REASSIGNED
            new = ApprovalStep(
                request_id=request.id,
                step=step.step,
                mode=step.mode,
                approver_id=target,
                status=StepStatus.PENDING,
                created_at=env.now,
            )
            session.add(new)
            await session.flush()
        record(
            session,
            now=env.now,
            actor_id=None,
            channel="import",
            entity="request",
            entity_id=request.id,
            action="step.handed_over",
            detail={"step": step.id, "new_step": new.id, "to": target},
        )
        moved += 1
    return moved, stuck
