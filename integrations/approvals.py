"""Deciding: only the assigned approver or their delegate, once, never on one's own request.

Every refusal is audited and leaves the request unchanged. Parallel steps share a level
number: with mode "any" the first answer decides the level, with "all" every approver must
agree (a single rejection rejects the request in both modes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import tokens
from core.audit import record
from core.settings import DEFAULT_TIMEZONE
from core.statuses import RequestStatus, StepStatus
from core.storage.models import ApprovalStep, Employee, ServiceRequest
from core.text import T
from core.workdays import WorkCalendar
from integrations import leave, leave_authority, leave_letter, lifecycle, prompts, routing
from integrations.forms import format_date
from integrations.leave_rules import LeaveRules

SETUJU = leave_authority.SETUJU
LEAVE_AUDIT = {
    leave_authority.SETUJU: "decide.approve",
    leave_authority.TIDAK_DISETUJUI: "decide.reject",
    leave_authority.DITANGGUHKAN: "decide.postpone",
    leave_authority.PERUBAHAN: "decide.change",
}


class Refused(StrEnum):
    UNKNOWN = "unknown"
    SELF = "self_approval"
    NOT_APPROVER = "not_approver"
    DECIDED = "already_decided"
    CLOSED = "request_closed"
    REASON_REQUIRED = "reason_required"
    NOT_ALLOWED = "outcome_not_allowed"


REFUSED_TEXT: dict[Refused, T] = {
    Refused.UNKNOWN: T("Permohonan tidak ditemukan.", "Request not found."),
    Refused.SELF: T(
        "Anda tidak dapat menyetujui permohonan Anda sendiri.",
        "You cannot approve your own request.",
    ),
    Refused.NOT_APPROVER: T(
        "Maaf, Anda bukan penyetuju permohonan ini.", "Sorry, you are not this request's approver."
    ),
    Refused.DECIDED: T(
        "Permohonan ini sudah diputuskan sebelumnya.", "This request was already decided."
    ),
    Refused.CLOSED: T(
        "Permohonan ini sudah dibatalkan atau ditutup.", "This request was cancelled or closed."
    ),
    Refused.REASON_REQUIRED: T("Alasan penolakan wajib diisi.", "A reason is required to reject."),
    Refused.NOT_ALLOWED: T(
        "Keputusan itu tidak dimungkinkan untuk jenis cuti ini menurut peraturan.",
        "The regulation does not allow that decision for this leave type.",
    ),
}


@dataclass(frozen=True)
class Outcome:
    """The result of a decision attempt: `refused` is None when it took effect."""

    refused: Refused | None
    request: ServiceRequest | None = None
    final: bool = False

    @property
    def ok(self) -> bool:
        return self.refused is None


@dataclass
class Env:
    """What deciding needs besides the session: time, calendar, rules, the actor's channel."""

    now: datetime
    calendar: WorkCalendar
    rules: LeaveRules | None = None
    channel: str | None = None
    tz: str = DEFAULT_TIMEZONE
    # The government named on the letters issued (settings.organisation_name).
    organisation: str = "Pemerintah Kota Harapan"
    # The document store and public address, for the links approvers open; None: no links.
    documents: Any = None
    public_url: str = ""

    @property
    def links(self) -> prompts.Links | None:
        if self.documents is None:
            return None
        return prompts.Links(self.documents, self.public_url)

    @property
    def today(self) -> date:
        return self.now.astimezone(ZoneInfo(self.tz)).date()


def is_legal(step: ApprovalStep) -> bool:
    """A step that exercises the legal authority to grant leave (the PyBMC's decision)."""
    return step.role == leave_authority.PYBMC


async def steps_of(session: AsyncSession, request_id: int) -> list[ApprovalStep]:
    rows = await session.execute(
        select(ApprovalStep).where(ApprovalStep.request_id == request_id).order_by(ApprovalStep.id)
    )
    return list(rows.scalars())


def _deadlines(step: ApprovalStep, request: ServiceRequest, env: Env) -> None:
    sla = request.data.get("_sla") or {}
    start = env.now
    if sla.get("remind_after_hours"):
        step.remind_at = env.calendar.add_working_hours(start, sla["remind_after_hours"], env.tz)
    if sla.get("escalate_after_hours"):
        step.escalate_at = env.calendar.add_working_hours(
            start, sla["escalate_after_hours"], env.tz
        )


async def ask(
    session: AsyncSession,
    step: ApprovalStep,
    request: ServiceRequest,
    env: Env,
    *,
    heading: T | None = None,
) -> None:
    """Route one step to the approver or their delegate today, and send the prompt."""
    today = env.today
    recipient, acting_for = await routing.route(
        session, step.approver_id, request.employee_id, today, legal=is_legal(step)
    )
    if acting_for is not None:
        step.acting_for_id = acting_for
        step.approver_id = recipient
    step.status = StepStatus.WAITING
    step.asked_at = env.now
    _deadlines(step, request, env)
    await session.flush()
    await prompts.send_prompt(
        session,
        step,
        request,
        now=env.now,
        key=f"prompt:{step.id}:{int(env.now.timestamp())}",
        heading=heading,
        rules=env.rules,
        calendar=env.calendar,
        links=env.links,
    )


async def open_level(session: AsyncSession, request: ServiceRequest, level: int, env: Env) -> None:
    """Ask every approver of `level` (they were planned at submission as pending steps)."""
    request.current_step = level
    for step in await steps_of(session, request.id):
        if step.step == level and step.status == StepStatus.PENDING:
            await ask(session, step, request, env)


async def _load(
    session: AsyncSession, step_id: int
) -> tuple[ApprovalStep | None, ServiceRequest | None]:
    step = await session.get(ApprovalStep, step_id)
    if step is None:
        return None, None
    # Lock the request first: two taps on two devices serialise here and decide once.
    request = await session.get(ServiceRequest, step.request_id, with_for_update=True)
    await session.refresh(step)
    return step, request


def _refuse(
    session: AsyncSession,
    why: Refused,
    actor_id: int,
    step_id: int,
    env: Env,
    request: ServiceRequest | None,
) -> Outcome:
    record(
        session,
        now=env.now,
        actor_id=actor_id,
        channel=env.channel,
        entity="request",
        entity_id=request.id if request else None,
        action=f"decide.refused.{why.value}",
        detail={"step": step_id},
    )
    return Outcome(why, request)


async def check(
    session: AsyncSession, step_id: int, actor_id: int, env: Env
) -> tuple[Outcome, ApprovalStep | None]:
    """May `actor_id` decide this step now? A refusal is audited."""
    step, request = await _load(session, step_id)
    if step is None or request is None:
        return _refuse(session, Refused.UNKNOWN, actor_id, step_id, env, None), None
    if actor_id == request.employee_id:
        return _refuse(session, Refused.SELF, actor_id, step_id, env, request), step
    if request.status not in lifecycle.OPEN:
        why = (
            Refused.CLOSED
            if request.status in (RequestStatus.CANCELLED, RequestStatus.FAILED)
            else Refused.DECIDED
        )
        return _refuse(session, why, actor_id, step_id, env, request), step
    if step.status != StepStatus.WAITING:
        return _refuse(session, Refused.DECIDED, actor_id, step_id, env, request), step
    today = env.today
    if not await routing.may_decide(
        session, actor_id, step.approver_id, step.acting_for_id, today, legal=is_legal(step)
    ):
        return _refuse(session, Refused.NOT_APPROVER, actor_id, step_id, env, request), step
    return Outcome(None, request), step


async def decide(
    session: AsyncSession,
    step_id: int,
    *,
    actor_id: int,
    approve: bool,
    env: Env,
    reason: str | None = None,
    outcome: str | None = None,
) -> Outcome:
    """Approve or reject one step; moves the request on when its level is decided.

    A leave step takes one of the four outcomes of the regulation's form instead
    (`leave_authority.OUTCOMES`); `approve` then only stands for "setuju".
    """
    reason = (reason or "").strip() or None
    checked, step = await check(session, step_id, actor_id, env)
    if not checked.ok or step is None:
        return checked
    request = checked.request
    assert request is not None
    if step.role is not None:
        return await _decide_leave(
            session,
            step,
            request,
            actor_id=actor_id,
            outcome=outcome or (SETUJU if approve else leave_authority.TIDAK_DISETUJUI),
            reason=reason,
            env=env,
        )
    if not approve and reason is None:
        return _refuse(session, Refused.REASON_REQUIRED, actor_id, step_id, env, request)
    step.status = StepStatus.APPROVED if approve else StepStatus.REJECTED
    step.decided_by_id = actor_id
    step.decided_at = env.now
    step.reason = reason
    if step.prompt_group:
        await tokens.retire_group(session, step.prompt_group, env.now)
    record(
        session,
        now=env.now,
        actor_id=actor_id,
        channel=env.channel,
        entity="request",
        entity_id=request.id,
        action="decide.approve" if approve else "decide.reject",
        detail={"step": step.id, "level": step.step, "reason": reason},
    )
    level = [s for s in await steps_of(session, request.id) if s.step == step.step]
    if not approve:
        await _close_level(session, level, env, StepStatus.SKIPPED)
        await _reject(session, request, actor_id, reason or "", env)
        return Outcome(None, request, final=True)
    waiting = [s for s in level if s.status == StepStatus.WAITING]
    if step.mode == "all" and waiting:
        return Outcome(None, request)
    await _close_level(session, level, env, StepStatus.SKIPPED)
    return await _advance(session, request, actor_id, env)


async def _decide_leave(
    session: AsyncSession,
    step: ApprovalStep,
    request: ServiceRequest,
    *,
    actor_id: int,
    outcome: str,
    reason: str | None,
    env: Env,
) -> Outcome:
    """The atasan langsung's consideration or the PyBMC's decision (Anak Lampiran I.b)."""
    if outcome not in await leave_authority.outcomes_for(session, request, env.rules):
        return _refuse(session, Refused.NOT_ALLOWED, actor_id, step.id, env, request)
    if leave_authority.needs_reason(outcome) and reason is None:
        return _refuse(session, Refused.REASON_REQUIRED, actor_id, step.id, env, request)
    acting = None
    principal = step.acting_for_id or step.approver_id
    if is_legal(step) and actor_id != principal:
        acting = leave_authority.describe(
            await leave_authority.assignment(session, principal, actor_id, env.today)
        )
    step.outcome = outcome
    step.status = StepStatus.APPROVED if outcome == leave_authority.SETUJU else StepStatus.REJECTED
    step.decided_by_id = actor_id
    step.decided_at = env.now
    step.reason = reason
    if step.prompt_group:
        await tokens.retire_group(session, step.prompt_group, env.now)
    record(
        session,
        now=env.now,
        actor_id=actor_id,
        channel=env.channel,
        entity="request",
        entity_id=request.id,
        action=LEAVE_AUDIT[outcome],
        detail={
            "role": step.role,
            "outcome": outcome,
            "step": step.id,
            "level": step.step,
            "reason": reason,
            "for": principal if actor_id != principal else None,
            "assignment": acting,
        },
    )
    level = [s for s in await steps_of(session, request.id) if s.step == step.step]
    await _close_level(session, level, env, StepStatus.SKIPPED)
    later = [s for s in await steps_of(session, request.id) if s.status == StepStatus.PENDING]
    if step.role == leave_authority.ATASAN and later:
        # A consideration, never the decision: the PyBMC decides next (part VIII).
        return await _advance(session, request, actor_id, env)
    if outcome == leave_authority.SETUJU:
        return await _advance(session, request, actor_id, env)
    if outcome == leave_authority.TIDAK_DISETUJUI:
        await _reject(session, request, actor_id, reason or "", env)
        return Outcome(None, request, final=True)
    for pending in later:
        pending.status = StepStatus.SKIPPED
    status = (
        RequestStatus.POSTPONED
        if outcome == leave_authority.DITANGGUHKAN
        else RequestStatus.RETURNED
    )
    until = (
        await _postponed_until(session, request, env)
        if status == RequestStatus.POSTPONED
        else None
    )
    lifecycle.transition(
        session,
        request,
        status,
        now=env.now,
        actor_id=actor_id,
        channel=env.channel,
        detail={"reason": reason, **({"until": until.isoformat()} if until else {})},
    )
    word = leave_authority.OUTCOME_TEXT[outcome]
    await lifecycle.notify(
        session,
        request.employee_id,
        T(
            f"Permohonan {request.ref}: {word.id}. Alasan: {reason}",
            f"Your request {request.ref}: {word.en}. Reason: {reason}",
        )
        + (_postponed_text(until) if until else T("", ""))
        + (
            T(
                "\nSilakan ajukan kembali dengan tanggal yang disesuaikan.",
                "\nPlease submit it again with the adjusted dates.",
            )
            if outcome == leave_authority.PERUBAHAN
            else T("", "")
        ),
        now=env.now,
        key=f"notify:{request.ref}:{status}",
    )
    return Outcome(None, request, final=True)


async def _postponed_until(
    session: AsyncSession, request: ServiceRequest, env: Env
) -> date | None:
    """The last day the postponement may last (PP 11/2017 Ps. 315 / Ps. 317: at most 1 year
    from the leave's first day, `postpone_months` in the rules); kept on the request."""
    kind = await leave_authority.rule_of(session, request, env.rules)
    until = kind.postponed_until(request.start_date) if kind is not None else None
    if until is not None:
        request.data = {**request.data, "_postponed_until": until.isoformat()}
    return until


def _postponed_text(until: date) -> T:
    return (
        T("\nPenangguhan ada batasnya: cuti ini tetap hak Anda dan diberikan paling lambat ",
          "\nA postponement has a limit: this leave stays your right and is granted by ")
        + format_date(until)
        + T(".", ".")
    )  # fmt: skip


async def _close_level(
    session: AsyncSession, level: list[ApprovalStep], env: Env, status: str
) -> None:
    for other in level:
        if other.status == StepStatus.WAITING:
            other.status = status
            if other.prompt_group:
                await tokens.retire_group(session, other.prompt_group, env.now)


async def _advance(
    session: AsyncSession, request: ServiceRequest, actor_id: int | None, env: Env
) -> Outcome:
    later = sorted(
        {s.step for s in await steps_of(session, request.id) if s.status == StepStatus.PENDING}
    )
    if later:
        lifecycle.transition(
            session,
            request,
            RequestStatus.WAITING,
            now=env.now,
            actor_id=actor_id,
            channel=env.channel,
            detail={"next_step": later[0]},
        )
        await open_level(session, request, later[0], env)
        return Outcome(None, request)
    await lifecycle.finish_approved(
        session, request, now=env.now, actor_id=actor_id, channel=env.channel
    )
    if request.kind is not None and request.service_id == leave.LEAVE_SERVICE:
        # The Surat Izin Cuti goes out in the same transaction as the approval.
        await leave_letter.issue(session, request, now=env.now, tz=env.tz, city=env.organisation)
    return Outcome(None, request, final=True)


async def _reject(
    session: AsyncSession, request: ServiceRequest, actor_id: int, reason: str, env: Env
) -> None:
    for later in await steps_of(session, request.id):
        if later.status == StepStatus.PENDING:
            later.status = StepStatus.SKIPPED
    lifecycle.transition(
        session,
        request,
        RequestStatus.REJECTED,
        now=env.now,
        actor_id=actor_id,
        channel=env.channel,
        detail={"reason": reason},
    )
    await lifecycle.queue_callback(session, request, now=env.now, reason=reason)
    if request.source_app is None:
        await lifecycle.notify(
            session,
            request.employee_id,
            T(
                f"❌ Permohonan {request.ref} ditolak. Alasan: {reason}",
                f"❌ Your request {request.ref} was rejected. Reason: {reason}",
            ),
            now=env.now,
            key=f"notify:{request.ref}:rejected",
        )


async def ask_info(
    session: AsyncSession, step_id: int, *, actor_id: int, question: str, env: Env
) -> Outcome:
    """The approver's question goes to the employee, with a button to answer it."""
    outcome, step = await check(session, step_id, actor_id, env)
    if not outcome.ok or step is None:
        return outcome
    request = outcome.request
    assert request is not None
    data = dict(request.data)
    data["_info"] = [*data.get("_info", []), {"q": question, "a": None, "step": step.id}]
    request.data = data
    record(
        session,
        now=env.now,
        actor_id=actor_id,
        channel=env.channel,
        entity="request",
        entity_id=request.id,
        action="info.asked",
        detail={"step": step.id, "length": len(question)},
    )
    token = await tokens.issue(
        session,
        employee_id=request.employee_id,
        action="request.answer",
        payload={"request": request.id, "step": step.id},
        now=env.now,
        ttl=prompts.PROMPT_TTL,
        group=tokens.secrets.token_hex(6),
    )
    from core.messages import Button

    await lifecycle.notify(
        session,
        request.employee_id,
        T(
            f"❓ Atasan Anda bertanya tentang {request.ref}: {question}",
            f"❓ Your approver asks about {request.ref}: {question}",
        ),
        now=env.now,
        key=f"info:{request.id}:{len(data['_info'])}",
        buttons=(Button(T("Jawab", "Answer"), token),),
    )
    return Outcome(None, request)


async def answer_info(
    session: AsyncSession, request_id: int, step_id: int, *, actor_id: int, answer: str, env: Env
) -> Outcome:
    """The employee's answer goes into the request and back to the approver's prompt."""
    request = await session.get(ServiceRequest, request_id, with_for_update=True)
    step = await session.get(ApprovalStep, step_id)
    if request is None or step is None or actor_id != request.employee_id:
        return Outcome(Refused.UNKNOWN, request)
    if request.status not in lifecycle.OPEN or step.status != StepStatus.WAITING:
        return Outcome(Refused.DECIDED, request)
    data = dict(request.data)
    info = [dict(i) for i in data.get("_info", [])]
    for item in reversed(info):
        if item.get("step") == step_id and item.get("a") is None:
            item["a"] = answer
            break
    data["_info"] = info
    request.data = data
    record(
        session,
        now=env.now,
        actor_id=actor_id,
        channel=env.channel,
        entity="request",
        entity_id=request.id,
        action="info.answered",
        detail={"step": step.id},
    )
    await prompts.send_prompt(
        session,
        step,
        request,
        now=env.now,
        key=f"prompt:{step.id}:answer:{len(info)}",
        heading=T("Jawaban pemohon sudah masuk", "The requester answered"),
        rules=env.rules,
        calendar=env.calendar,
        links=env.links,
    )
    return Outcome(None, request)


async def reassign(
    session: AsyncSession, step_id: int, new_approver_id: int, *, actor_id: int, env: Env
) -> Outcome:
    """An HR admin gives a waiting step to someone else; audited like every decision."""
    actor = await session.get(Employee, actor_id)
    step, request = await _load(session, step_id)
    if request is None or step is None:
        return _refuse(session, Refused.UNKNOWN, actor_id, step_id, env, None)
    if actor is None or not actor.has_role("hr_admin"):
        return _refuse(session, Refused.NOT_APPROVER, actor_id, step_id, env, request)
    if new_approver_id == request.employee_id:
        return _refuse(session, Refused.SELF, actor_id, step_id, env, request)
    if request.status not in lifecycle.OPEN or step.status != StepStatus.WAITING:
        return _refuse(session, Refused.DECIDED, actor_id, step_id, env, request)
    await replace_step(session, step, request, new_approver_id, StepStatus.REASSIGNED, env)
    record(
        session,
        now=env.now,
        actor_id=actor_id,
        channel=env.channel,
        entity="request",
        entity_id=request.id,
        action="step.reassigned",
        detail={"step": step.id, "to": new_approver_id},
    )
    return Outcome(None, request)


async def replace_step(
    session: AsyncSession,
    step: ApprovalStep,
    request: ServiceRequest,
    approver_id: int,
    status: str,
    env: Env,
    heading: T | None = None,
) -> ApprovalStep:
    """Close a waiting step (reassigned or escalated) and ask someone else at its level."""
    step.status = status
    if step.prompt_group:
        await tokens.retire_group(session, step.prompt_group, env.now)
    new = ApprovalStep(
        request_id=request.id,
        step=step.step,
        mode=step.mode,
        role=step.role,
        approver_id=approver_id,
        status=StepStatus.PENDING,
        created_at=env.now,
    )
    session.add(new)
    await session.flush()
    await ask(session, new, request, env, heading=heading)
    return new


def step_role(request: ServiceRequest, level: routing.Level) -> str | None:
    """A leave request's levels: the PyBMC decides, the atasan langsung considers."""
    if request.kind is None:
        return None
    if level.role == "leave_authority":
        return leave_authority.PYBMC
    return leave_authority.ATASAN if level.role == "supervisor" else None


def plan_rows(request: ServiceRequest, levels: list[routing.Level], now: datetime) -> list[Any]:
    """ApprovalStep rows for a planned chain, all pending until their level is asked."""
    return [
        ApprovalStep(
            request_id=request.id,
            step=n,
            mode=level.mode,
            role=step_role(request, level),
            approver_id=approver,
            status=StepStatus.PENDING,
            created_at=now,
        )
        for n, level in enumerate(levels, start=1)
        for approver in level.approvers
    ]
