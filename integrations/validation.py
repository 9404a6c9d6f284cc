"""Whole-form rules named in service files (`rules: [leave]`), run before the summary.

A rule may add computed values to the answers (the leave length, the balance before and
after) and returns problems, each naming the field to ask again (or none: the request cannot
go ahead at all), and notes the employee should see before confirming.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import Employee, ServiceRequest
from core.text import T
from core.workdays import WorkCalendar
from integrations import leave
from integrations.catalog import ServiceSpec
from integrations.forms import format_range, range_of
from integrations.leave_rules import LeaveRules, Violation

# Leave-rule violations that hand the employee to a person (their message promises one).
HANDOFF = {"handled_by_human": "kepegawaian"}
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
}


@dataclass(frozen=True)
class Problem:
    message: T
    field: str | None  # the question to ask again; None when the request cannot go ahead
    # The handoff topic when a person takes over instead (the message promises one).
    handoff: str | None = None


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
    data = ctx.data
    if "leave_type" not in data or "dates" not in data:
        return
    start, end = range_of(data["dates"])
    kind_code = data["leave_type"]
    employment = ctx.employee.employment
    version = ctx.leave_rules.version_for(start)
    kind = version.leave_type(kind_code, employment)  # type: ignore[arg-type]
    balance = None
    if kind is not None and kind.carry_over is not None and start.year == end.year:
        found = await leave.annual_balance(
            ctx.session,
            ctx.employee,
            start.year,
            rules=ctx.leave_rules,
            calendar=ctx.calendar,
            exclude_request=ctx.exclude_request,
        )
        balance = dataclasses.replace(found.annual, remaining=found.available)
        data["balance_before"] = found.available
    attachment = data.get("attachment") or {}
    violations = ctx.leave_rules.check_request(
        kind_code,
        start,
        end,
        service_start=ctx.employee.service_start,
        employment=employment,  # type: ignore[arg-type]
        calendar=ctx.calendar,
        balance=balance,
        has_attachment=bool(attachment.get("provided")),
        reason=data.get("important_reason"),
        child_number=int(data["child_number"]) if data.get("child_number") else None,
    )
    if kind is not None:
        days = kind.length(start, end, ctx.calendar)
        data["days"] = days
        if balance is not None:
            data["balance_after"] = balance.remaining - days
    for v in violations:
        if v.blocking:
            check.problems.append(
                Problem(_violation(v), REASK.get(v.code), handoff=HANDOFF.get(v.code))
            )
        else:
            check.notes.append(_violation(v))
    for other in await leave.overlapping(
        ctx.session, ctx.employee.id, start, end, exclude=ctx.exclude_request
    ):
        when = format_range(other.start_date, other.end_date)  # type: ignore[arg-type]
        check.problems.append(
            Problem(
                T(
                    f"Tanggal itu bertabrakan dengan cuti Anda {other.ref} ({when.id}).",
                    f"Those dates overlap your leave {other.ref} ({when.en}).",
                ),
                "dates",
            )
        )


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


RULES: dict[str, Rule] = {
    "leave": leave_rule,
    "working_day": working_day_rule,
    "room_free": room_free_rule,
}
