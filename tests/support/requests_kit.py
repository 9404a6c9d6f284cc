"""Making requests for tests without the conversation: submit, decide, read back."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from bot.app import App
from core.clock import FixedClock
from core.storage.models import ApprovalStep, AuditEvent, Employee, ServiceRequest
from integrations.approvals import Env
from integrations.catalog import ApprovalPolicy, ApprovalStepSpec
from integrations.requests import submit


def env(ayo: App, clock: FixedClock, channel: str = "local") -> Env:
    return Env(
        now=clock(), calendar=ayo.deps.calendar, rules=ayo.deps.leave_rules, channel=channel
    )


async def person(ayo: App, name: str) -> Employee:
    async with ayo.db.sessions() as session:
        return (await session.execute(select(Employee).where(Employee.name == name))).scalar_one()


async def leave(
    ayo: App,
    clock: FixedClock,
    name: str,
    start: date,
    end: date,
    *,
    days: float,
    kind: str = "tahunan",
    spec_id: str = "cuti",
    **policy: Any,
) -> ServiceRequest:
    spec = ayo.deps.services.get(spec_id)
    # The approval mechanics are specified on a one-level chain (the direct supervisor);
    # the shipped leave chain (consideration, then the PyBMC) has its own tests.
    policy = {"approval": ApprovalPolicy(steps=(ApprovalStepSpec(),)), **policy}
    spec = spec.model_copy(update=policy)
    me = await person(ayo, name)
    data = {
        "leave_type": kind,
        "reason": "urusan keluarga",
        "days": days,
        "dates": {"start": start.isoformat(), "end": end.isoformat()},
    }
    async with ayo.db.transaction() as session:
        return await submit(session, spec, me, data, env=env(ayo, clock))


async def steps(ayo: App, request_id: int) -> list[ApprovalStep]:
    async with ayo.db.sessions() as session:
        rows = await session.execute(
            select(ApprovalStep)
            .where(ApprovalStep.request_id == request_id)
            .order_by(ApprovalStep.id)
        )
        return list(rows.scalars())


async def reload(ayo: App, request_id: int) -> ServiceRequest:
    async with ayo.db.sessions() as session:
        return await session.get(ServiceRequest, request_id)


async def audit(ayo: App, action_prefix: str) -> list[AuditEvent]:
    async with ayo.db.sessions() as session:
        rows = await session.execute(
            select(AuditEvent).where(AuditEvent.action.like(action_prefix + "%"))
        )
        return list(rows.scalars())
