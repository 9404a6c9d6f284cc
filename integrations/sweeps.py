"""Reminding silent approvers and escalating to the next level, after working-hour limits.

Each reminder and escalation is claimed through `core.jobs.claim` (one row per step and due
time), so however many instances sweep, each fires exactly once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from core.audit import record
from core.jobs import claim
from core.statuses import StepStatus
from core.storage.db import Database
from core.storage.models import ApprovalStep, Employee, ServiceRequest
from core.text import T
from core.workdays import WorkCalendar
from integrations import leave_authority, lifecycle, prompts, routing
from integrations.approvals import Env, replace_step
from integrations.leave_rules import LeaveRules


async def remind_and_escalate(
    db: Database,
    now: datetime,
    calendar: WorkCalendar,
    *,
    rules: LeaveRules | None = None,
    limit: int = 100,
    documents: Any = None,
    public_url: str = "",
) -> int:
    """Send due reminders and escalations; returns how many fired in this sweep.

    With the document store (and the public address), a reminder carries the same signed
    links to the request's documents as the first prompt, fresh for the approver reminded."""
    env = Env(
        now=now,
        calendar=calendar,
        rules=rules,
        channel="scheduler",
        documents=documents,
        public_url=public_url,
    )
    async with db.sessions() as session:
        due = (
            (
                await session.execute(
                    select(ApprovalStep.id)
                    .join(ServiceRequest, ServiceRequest.id == ApprovalStep.request_id)
                    .where(
                        ApprovalStep.status == StepStatus.WAITING,
                        ServiceRequest.status.in_(lifecycle.OPEN),
                        or_(ApprovalStep.remind_at <= now, ApprovalStep.escalate_at <= now),
                    )
                    .order_by(ApprovalStep.id)
                    .limit(limit)
                )
            )
            .scalars()
            .all()
        )
    fired = 0
    for step_id in due:
        async with db.transaction() as session:
            fired += await _one(session, step_id, env)
    return fired


async def _one(session, step_id: int, env: Env) -> int:
    now = env.now
    step = await session.get(ApprovalStep, step_id)
    request = await session.get(ServiceRequest, step.request_id, with_for_update=True)
    await session.refresh(step)
    if step.status != StepStatus.WAITING or request.status not in lifecycle.OPEN:
        return 0
    if step.escalate_at is not None and step.escalate_at <= now:
        if not await claim(
            session,
            kind="approval.escalate",
            key=str(step.id),
            scheduled_for=step.escalate_at,
            now=now,
        ):
            return 0
        return await _escalate(session, step, request, env)
    if step.remind_at is None or not await claim(
        session, kind="approval.remind", key=str(step.id), scheduled_for=step.remind_at, now=now
    ):
        return 0
    await prompts.send_prompt(
        session,
        step,
        request,
        now=now,
        key=f"remind:{step.id}",
        heading=T(
            "⏰ Pengingat: permohonan ini menunggu keputusan Anda",
            "⏰ Reminder: this request is waiting for your decision",
        ),
        rules=env.rules,
        calendar=env.calendar,
        links=env.links,
    )
    step.remind_at = None
    record(
        session,
        now=now,
        actor_id=None,
        channel="scheduler",
        entity="request",
        entity_id=request.id,
        action="step.reminded",
        detail={"step": step.id},
    )
    return 1


async def _hold_authority(session, step: ApprovalStep, request: ServiceRequest, env: Env) -> int:
    step.escalate_at = None
    official = await session.get(Employee, step.acting_for_id or step.approver_id)
    name = official.name if official is not None else "-"
    for admin in await routing.hr_admins(session):
        if admin.id == request.employee_id:
            continue
        await lifecycle.notify(
            session,
            admin.id,
            T(
                f"⏫ {request.ref} belum diputuskan oleh {name} (pejabat yang berwenang memberikan"
                " cuti). Kewenangan tetap padanya; mohon ditindaklanjuti atau tunjuk Plh. dengan"
                " surat perintah.",
                f"⏫ {request.ref} is not decided yet by {name} (the official authorised to grant"
                " leave). The authority stays with them; please follow up or have a Plh."
                " appointed by letter.",
            ),
            now=env.now,
            key=f"hold:{step.id}:{admin.id}",
        )
    await prompts.send_prompt(
        session,
        step,
        request,
        now=env.now,
        key=f"prompt:{step.id}:held",
        heading=T(
            "⏰ Pengingat: menunggu keputusan Anda", "⏰ Reminder: waiting for your decision"
        ),
        rules=env.rules,
        calendar=env.calendar,
        links=env.links,
    )
    record(
        session,
        now=env.now,
        actor_id=None,
        channel="scheduler",
        entity="request",
        entity_id=request.id,
        action="step.escalation_held",
        detail={"step": step.id},
    )
    return 1


async def _escalate(session, step: ApprovalStep, request: ServiceRequest, env: Env) -> int:
    """Give the step to the next level up from the silent approver (else to HR).

    A PyBMC's step is never moved: the authority to grant leave is the official's by decree
    (PP 11/2017 Ps. 309), so HR is told and the official reminded instead.
    """
    if step.role == leave_authority.PYBMC:
        return await _hold_authority(session, step, request, env)
    silent = await session.get(Employee, step.acting_for_id or step.approver_id)
    target = silent.supervisor_id if silent is not None else None
    if target is None or target == request.employee_id:
        admins = [a.id for a in await routing.hr_admins(session) if a.id != request.employee_id]
        target = admins[0] if admins else None
    if target is None:
        step.escalate_at = None
        return 0
    new = await replace_step(
        session,
        step,
        request,
        target,
        "escalated",
        env,
        heading=T(
            "⏫ Eskalasi: atasan sebelumnya belum memutuskan",
            "⏫ Escalated: the previous approver has not decided",
        ),
    )
    record(
        session,
        now=env.now,
        actor_id=None,
        channel="scheduler",
        entity="request",
        entity_id=request.id,
        action="step.escalated",
        detail={"step": step.id, "new_step": new.id, "to": target},
    )
    return 1
