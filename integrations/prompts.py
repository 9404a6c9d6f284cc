"""What an approver sees: who, what, when, the balance after approval, who else is away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import outbox, tokens
from core.messages import Button, Reply
from core.storage.models import ApprovalStep, Employee, ServiceRequest
from core.text import T, join
from core.workdays import WorkCalendar
from integrations import leave
from integrations.forms import format_range
from integrations.leave_rules import LeaveRules

# Approval buttons stay valid as long as a request may reasonably wait.
PROMPT_TTL = timedelta(days=30)
APPROVE = T("Setuju", "Approve")
REJECT = T("Tolak", "Reject")
ASK = T("Minta info", "Ask for info")
# For leave: one tap approves; the other decisions of the form are one tap further, with a
# reason (WhatsApp shows at most three buttons, so they do not all fit in the prompt).
OTHER = T("Keputusan lain", "Other decision")


def summary_lines(request: ServiceRequest) -> list[T]:
    """The request's answers as stored at submission (label: value)."""
    return [
        T(
            f"{line['label']['id']}: {line['value']['id']}",
            f"{line['label']['en']}: {line['value']['en']}",
        )
        for line in request.data.get("_summary", [])
    ]


def title_of(request: ServiceRequest) -> T:
    raw = request.data.get("_title") or {"id": request.service_id, "en": request.service_id}
    return T.from_json(raw)


async def leave_context(
    session: AsyncSession,
    request: ServiceRequest,
    employee: Employee,
    *,
    rules: LeaveRules | None,
    calendar: WorkCalendar | None,
) -> list[T]:
    """The balance after approval and colleagues away on the same dates (leave only)."""
    lines: list[T] = []
    if request.service_id != leave.LEAVE_SERVICE or request.start_date is None:
        return lines
    if request.kind == "tahunan" and rules is not None and calendar is not None:
        found = await leave.annual_balance(
            session,
            employee,
            request.start_date.year,
            rules=rules,
            calendar=calendar,
            exclude_request=request.id,
        )
        after = found.available - (request.days or 0)
        lines.append(
            T(
                f"Sisa cuti tahunan setelah disetujui: {after:g} hari",
                f"Annual leave left after approval: {after:g} days",
            )
        )
    away = await leave.away_in_unit(
        session, employee, request.start_date, request.end_date or request.start_date
    )
    if not away:
        lines.append(
            T("Rekan satu unit yang cuti: tidak ada", "Colleagues of the unit away: none")
        )
    else:
        names = [
            (p.name, format_range(r.start_date, r.end_date))  # type: ignore[arg-type]
            for p, r in away
        ]
        lines.append(
            T(
                "Rekan satu unit yang cuti: " + "; ".join(f"{n} ({w.id})" for n, w in names),
                "Colleagues of the unit away: " + "; ".join(f"{n} ({w.en})" for n, w in names),
            )
        )
    return lines


async def _leave_steps(
    session: AsyncSession, step: ApprovalStep, request: ServiceRequest
) -> list[T]:
    """For the PyBMC: the atasan langsung's consideration already given, and their role."""
    from integrations import leave_authority

    if step.role is None:
        return []
    lines: list[T] = []
    earlier_steps = await session.execute(
        select(ApprovalStep)
        .where(ApprovalStep.request_id == request.id, ApprovalStep.step < step.step)
        .order_by(ApprovalStep.id)
    )
    for earlier in earlier_steps.scalars():
        if earlier.role == leave_authority.ATASAN and earlier.outcome:
            who = await session.get(Employee, earlier.decided_by_id or earlier.approver_id)
            word = leave_authority.OUTCOME_TEXT[earlier.outcome]
            why = f" — {earlier.reason}" if earlier.reason else ""
            name = who.name if who else "-"
            lines.append(
                T(
                    f"Pertimbangan atasan langsung ({name}): {word.id}{why}",
                    f"The direct supervisor's consideration ({name}): {word.en}{why}",
                )
            )
    if step.role == leave_authority.PYBMC:
        lines.append(
            T(
                "Anda memutuskan sebagai pejabat yang berwenang memberikan cuti.",
                "You decide as the official authorised to grant leave.",
            )
        )
    else:
        lines.append(
            T(
                "Anda memberi pertimbangan sebagai atasan langsung.",
                "You give the consideration as the direct supervisor.",
            )
        )
    return lines


@dataclass(frozen=True)
class Links:
    """Makes the document links of a prompt: signed for its approver, expiring."""

    store: Any
    public_url: str

    async def lines(
        self, session: AsyncSession, request: ServiceRequest, viewer_id: int, now: datetime
    ) -> list[T]:
        from integrations import documents

        out = []
        for doc in await documents.of_request(session, request.id):
            url = self.public_url.rstrip("/") + self.store.link(doc, viewer_id, now)
            out.append(T(f"Lampiran: {url}", f"Attachment: {url}"))
        return out


async def send_prompt(
    session: AsyncSession,
    step: ApprovalStep,
    request: ServiceRequest,
    *,
    now: datetime,
    key: str,
    heading: T | None = None,
    rules: LeaveRules | None = None,
    calendar: WorkCalendar | None = None,
    links: Links | None = None,
) -> None:
    """Push the approval prompt with Setuju / Tolak / Minta info, bound to the approver."""
    reply = await prompt_reply(
        session,
        step,
        request,
        now=now,
        heading=heading,
        rules=rules,
        calendar=calendar,
        links=links,
    )
    await outbox.push(session, step.approver_id, reply, now=now, key=key)


async def prompt_reply(
    session: AsyncSession,
    step: ApprovalStep,
    request: ServiceRequest,
    *,
    now: datetime,
    heading: T | None = None,
    rules: LeaveRules | None = None,
    calendar: WorkCalendar | None = None,
    links: Links | None = None,
) -> Reply:
    """The prompt as a message; issuing it retires the step's earlier buttons."""
    employee = await session.get(Employee, request.employee_id)
    assert employee is not None
    group = tokens.secrets.token_hex(6)
    if step.prompt_group:
        await tokens.retire_group(session, step.prompt_group, now)
    step.prompt_group = group
    buttons = []
    choices = [(APPROVE, "approval.approve"), (REJECT, "approval.reject"), (ASK, "approval.info")]
    if step.role is not None:
        from integrations import leave_authority

        others = len(await leave_authority.outcomes_for(session, request, rules)) > 1
        choices = [(APPROVE, "approval.approve")]
        choices += [(OTHER, "approval.other")] if others else []
        choices += [(ASK, "approval.info")]
    for label, action in choices:
        token = await tokens.issue(
            session,
            employee_id=step.approver_id,
            action=action,
            payload={"step": step.id, "request": request.id},
            now=now,
            ttl=PROMPT_TTL,
            group=group,
        )
        buttons.append(Button(label, token))
    lines = [
        heading or T("Permohonan persetujuan", "Approval needed"),
        title_of(request) + T(f" {request.ref}", f" {request.ref}"),
        T(
            f"Dari: {employee.name} ({employee.position})",
            f"From: {employee.name} ({employee.position})",
        ),
        *summary_lines(request),
    ]
    if request.days:
        lines.append(T(f"Lama: {request.days:g} hari", f"Length: {request.days:g} days"))
    lines += await leave_context(session, request, employee, rules=rules, calendar=calendar)
    lines += await _leave_steps(session, step, request)
    attached = await links.lines(session, request, step.approver_id, now) if links else []
    lines += attached
    if step.acting_for_id:
        principal = await session.get(Employee, step.acting_for_id)
        if principal is not None:
            lines.append(
                T(f"(Anda sebagai Plh. {principal.name})", f"(You act for {principal.name})")
            )
    for item in request.data.get("_info", []):
        lines.append(
            T(
                f"Tanya: {item['q']} — Jawab: {item.get('a') or '-'}",
                f"Asked: {item['q']} — Answer: {item.get('a') or '-'}",
            )
        )
    # The ref lets the decision later replace this prompt where the channel can edit.
    meta = {"request": request.ref, "ref": f"approval:{step.id}"}
    # A document link is personal: never shown in a group chat.
    return Reply(join(lines), tuple(buttons), sensitive=bool(attached), meta=meta)
