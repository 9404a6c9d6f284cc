"""Whole-form rules named in service files (`rules: [leave]`), run before the summary.

A rule may add computed values to the answers (the leave length, the balance before and
after) and returns problems, each naming the field to ask again (or none: the request cannot
go ahead at all), and notes the employee should see before confirming.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import Employee, ServiceRequest
from core.text import T
from core.workdays import WorkCalendar
from integrations import forms, leave
from integrations.catalog import ServiceSpec
from integrations.forms import range_of
from integrations.leave_rules import LeaveRules, Violation

# Which question to ask again for each leave-rule violation; absent: the request stops.
REASK = {
    "invalid_range": "dates",
    "no_working_days": "dates",
    "crosses_year": "dates",
    "insufficient_balance": "dates",
    "too_many_days": "dates",
    "too_many_months": "dates",
    "attachment_required": "attachment",
    "reason_required": "important_reason",
    "unknown_reason": "important_reason",
    "child_number_required": "child_number",
    "child_limit": "child_number",
    "past_date": "dates",
    "overlap": "dates",
    "extension_needed": "dates",
    "service_too_short": "dates",
    "service_too_long": "leave_type",
    "not_available": "leave_type",
    "not_offered": "leave_type",
    "not_for_gender": "leave_type",
    "unknown_type": "leave_type",
}


@dataclass(frozen=True)
class Problem:
    message: T
    field: str | None  # the question to ask again; None when the request cannot go ahead


@dataclass
class Check:
    problems: list[Problem] = field(default_factory=list)
    notes: list[T] = field(default_factory=list)


@dataclass
class RuleContext:
    session: AsyncSession
    spec: ServiceSpec
    employee: Employee
    data: dict[str, Any]
    now: datetime
    today: date
    calendar: WorkCalendar
    leave_rules: LeaveRules
    exclude_request: int | None = None


Rule = Callable[[RuleContext, Check], Awaitable[None]]


async def run(ctx: RuleContext) -> Check:
    """Run the service's rules in order; unknown rule names were refused at load time."""
    check = Check()
    for name in ctx.spec.rules:
        await RULES[name](ctx, check)
    return check


def _violation(v: Violation) -> T:
    return T(v.message["id"], v.message["en"])


async def leave_rule(ctx: RuleContext, check: Check) -> None:
    """The leave rules, through the same `leave_check.evaluate` as `ayo leave check`.

    As soon as the leave type is known it is checked for this employee (employment, gender,
    service, children), so an ineligible choice is refused before any date is asked.
    """
    from integrations import leave_check

    data = ctx.data
    if "leave_type" not in data:
        return
    me = ctx.employee
    if "dates" not in data:
        children = me.children
        if data.get("child_number"):
            children = int(data["child_number"]) - 1
        waiver = ctx.leave_rules.open_waiver(
            data["leave_type"],
            employment=me.employment,
            service_start=me.service_start,
            today=ctx.today,
        )
        if waiver is None:
            # Another leave type chosen after cuti besar: its hajj question no longer applies.
            data.pop("haji_pertama", None)
            data.pop("besar_service_short", None)
        elif "haji_pertama" not in data:
            # Service too short today: the form first asks whether the first hajj applies.
            data["besar_service_short"] = "ya"
            return
        refusal = ctx.leave_rules.eligibility(
            data["leave_type"],
            employment=me.employment,
            gender=me.gender,
            service_start=me.service_start,
            children=children,
            today=ctx.today,
            service_waiver=data.get("haji_pertama") == "ya",
        )
        if refusal is not None:
            # Choosing cuti besar again asks about the hajj again.
            data.pop("haji_pertama", None)
            data.pop("besar_service_short", None)
            check.problems.append(Problem(_violation(refusal), "leave_type"))
        return
    start, end = range_of(data["dates"])
    attachment = data.get("attachment")
    complete = forms.next_field(ctx.spec, data) is None
    result = await leave_check.evaluate(
        ctx.session,
        me,
        data["leave_type"],
        start,
        end,
        today=ctx.today,
        rules=ctx.leave_rules,
        calendar=ctx.calendar,
        policy=ctx.spec.approval,
        reason_text=data.get("reason"),
        important_reason=data.get("important_reason"),
        child_number=int(data["child_number"]) if data.get("child_number") else None,
        # Before the attachment question the documents are only listed, never refused.
        has_attachment=bool(attachment.get("provided")) if attachment else None,
        interactive=complete,
        exclude_request=ctx.exclude_request,
        service_waiver=data.get("haji_pertama") == "ya",
    )
    data["days"] = result.days
    if data["leave_type"] in ("tahunan", "besar"):
        data["balance_before"] = result.balance_before
        data["balance_after"] = result.balance_after
    if result.outcome == "split":
        # The chat explains and asks again: each year's part is its own request.
        split = next(v for v in result.notes if v.code == "crosses_year_split")
        check.problems.append(Problem(_violation(split), "dates"))
        return
    for v in result.problems:
        check.problems.append(Problem(_violation(v), REASK.get(v.code, "dates")))
    if complete:
        check.notes += [_violation(v) for v in result.notes if v.code != "attachment_needed"]


async def working_day_rule(ctx: RuleContext, check: Check) -> None:
    raw = ctx.data.get("date")
    if raw is None:
        return
    day = date.fromisoformat(raw)
    if not ctx.calendar.is_working_day(day):
        name = ctx.calendar.is_holiday(day)
        extra = f" ({name})" if name else ""
        check.problems.append(
            Problem(
                T(
                    f"Tanggal itu bukan hari kerja{extra}.",
                    f"That date is not a working day{extra}.",
                ),
                "date",
            )
        )


async def room_free_rule(ctx: RuleContext, check: Check) -> None:
    data = ctx.data
    if not all(k in data for k in ("room", "date", "time", "hours")):
        return
    start = datetime.combine(date.fromisoformat(data["date"]), time.fromisoformat(data["time"]))
    end = start + timedelta(hours=float(data["hours"]))
    rows = (
        await ctx.session.execute(
            select(ServiceRequest).where(
                ServiceRequest.service_id == ctx.spec.id,
                ServiceRequest.start_date == start.date(),
                ServiceRequest.status.in_(leave.TAKEN + leave.RESERVED),
            )
        )
    ).scalars()
    for other in rows:
        if other.data.get("room") != data["room"] or other.id == ctx.exclude_request:
            continue
        o_start = datetime.combine(start.date(), time.fromisoformat(other.data["time"]))
        o_end = o_start + timedelta(hours=float(other.data.get("hours", 1)))
        if o_start < end and start < o_end:
            check.problems.append(
                Problem(
                    T(
                        f"Ruang itu sudah dipesan ({other.ref}) pada jam tersebut.",
                        f"That room is already booked ({other.ref}) at that time.",
                    ),
                    "time",
                )
            )
            return


async def offered_choices(ctx: RuleContext, field: Any) -> tuple[Any, ...] | None:
    """The choices to show for a field; for the leave type, only what this employee may take.

    None means "all of them" (any field other than a leave form's leave type).
    """
    if field.name != "leave_type" or "leave" not in ctx.spec.rules:
        return None
    me = ctx.employee

    def may_take(code: str) -> bool:
        refusal = ctx.leave_rules.eligibility(
            code,
            employment=me.employment,
            gender=me.gender,
            service_start=me.service_start,
            children=me.children,
            today=ctx.today,
        )
        # Cuti besar before 5 years is still offered: the form asks about the first hajj.
        return refusal is None or refusal.code == "service_too_short_unless"

    return tuple(c for c in field.choices if may_take(c.value))


RULES: dict[str, Rule] = {
    "leave": leave_rule,
    "working_day": working_day_rule,
    "room_free": room_free_rule,
}
