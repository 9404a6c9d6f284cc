"""One answer to "may this employee take this leave?", shared by the chat and `ayo leave check`.

`evaluate` reads the database (balances, overlaps, who decides) but creates nothing. The leave
form (integrations/validation.py) and the CLI (integrations/leave_cli.py) both call it, so the
chat and the command can never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import Employee
from core.workdays import WorkCalendar
from integrations import leave, routing
from integrations.catalog import ApprovalPolicy
from integrations.leave_rules import LeaveRules, LeaveType, Violation, rules_employment, say

LEAVE_TYPES = ("tahunan", "besar", "sakit", "melahirkan", "alasan_penting", "cltn")
Outcome = Literal["allowed", "refused", "not_needed", "split"]
# Questions the chat asks; a check from the command line cannot ask, so they become notes.
ASKED_IN_CHAT = frozenset({"reason_required", "child_number_required"})
# Who decides, by the approval policy's approver kind, in the regulation's words.
DECIDER_ROLES = {
    "supervisor": "atasan_langsung",
    "next_level": "atasan_dari_atasan_langsung",
    "head_of_opd": "pejabat_berwenang",
    "leave_authority": "pejabat_berwenang",
    "role:hr_admin": "petugas_kepegawaian",
}
_CHILD = re.compile(r"\banak\s*(?:ke\s*-?\s*)?(\d{1,2})\b")


@dataclass
class LeaveCheck:
    """The answer, as of one day, for one employee and one request."""

    outcome: Outcome
    working_days: int
    days: int  # the length as this kind of leave counts it (working or calendar days)
    balance_before: float
    balance_after: float
    violations: list[Violation] = field(default_factory=list)
    deciders: list[dict[str, str]] = field(default_factory=list)
    basis: list[str] = field(default_factory=list)
    reason_code: str | None = None

    @property
    def problems(self) -> list[Violation]:
        return [v for v in self.violations if v.blocking]

    @property
    def notes(self) -> list[Violation]:
        return [v for v in self.violations if not v.blocking]

    def to_json(self) -> dict[str, Any]:
        """The contract of `ayo leave check --json` (reasons in Indonesian, refusals first)."""
        return {
            "outcome": self.outcome,
            "working_days": self.working_days,
            "balance_before": _number(self.balance_before),
            "balance_after": _number(self.balance_after),
            "reasons": [v.message["id"] for v in self.problems + self.notes],
            "deciders": self.deciders,
            "basis": self.basis,
        }


async def leave_deciders(
    session: AsyncSession, employee: Employee, policy: ApprovalPolicy, data: dict[str, Any]
) -> list[dict[str, str]]:
    """Who considers and decides this leave, in order: [{"role", "nip"}].

    The one place that answers "who decides" for a leave; it follows the approval routing
    (integrations/routing.py) so that what is shown is what the request will do.
    """
    found: list[dict[str, str]] = []
    for level in await routing.plan(session, policy, employee, data):
        role = DECIDER_ROLES.get(level.role, level.role)
        for approver_id in level.approvers:
            person = await session.get(Employee, approver_id)
            if person is not None:
                found.append({"role": role, "nip": person.nip})
    return found


async def evaluate(
    session: AsyncSession,
    employee: Employee,
    leave_type: str,
    start: date,
    end: date,
    *,
    today: date,
    rules: LeaveRules,
    calendar: WorkCalendar,
    policy: ApprovalPolicy,
    reason_text: str | None = None,
    important_reason: str | None = None,
    child_number: int | None = None,
    has_attachment: bool | None = None,
    interactive: bool = False,
    exclude_request: int | None = None,
    service_waiver: bool | None = None,
) -> LeaveCheck:
    """Check one request without creating anything, as of `today`.

    `interactive` is True for the chat form, which asks for a missing reason or child number;
    from the command line those are notes. `has_attachment=None` lists the documents needed
    without blocking (a check before the form).
    """
    employment = rules_employment(employee.employment)
    working_days = calendar.working_days_between(start, end)
    found = await leave.annual_balance(
        session,
        employee,
        start.year,
        rules=rules,
        calendar=calendar,
        exclude_request=exclude_request,
    )
    before = found.available
    result = LeaveCheck("refused", working_days, working_days, before, before)
    if leave_type not in LEAVE_TYPES:
        result.violations.append(say("unknown_type", types=", ".join(LEAVE_TYPES)))
        return result
    version = rules.version_for(min(start, today) if end >= start else today)
    kind = version.leave_type(leave_type, employment)
    result.basis = list(kind.basis) if kind else []
    if service_waiver is None:
        # From the command line the reason says it ("ibadah haji pertama"); the chat asks.
        waiver = kind.service_waiver if kind else None
        service_waiver = bool(waiver and waiver.named_in(reason_text))
    if child_number is None:
        child_number = _child_in(reason_text)
    if child_number is None and employee.children is not None:
        child_number = employee.children + 1
    refusal = rules.eligibility(
        leave_type,
        employment=employee.employment,
        gender=employee.gender,
        service_start=employee.service_start,
        children=(child_number - 1) if child_number is not None else None,
        today=today,
        service_waiver=service_waiver,
    )
    if refusal is not None or kind is None:
        result.violations.append(refusal or say("unknown_type", types=", ".join(LEAVE_TYPES)))
        return result
    if end < start:
        result.violations.append(say("invalid_range", start=start, end=end))
        return result
    result.days = kind.length(start, end, calendar)
    if working_days == 0:
        result.outcome = "not_needed"
        result.days = 0
        result.violations.append(say("no_working_days", blocking=False, start=start, end=end))
        return result
    if start < today and not kind.may_be_past:
        result.violations.append(say("past_date", leave=kind, start=start))
    reason_code = important_reason
    if reason_code is None and kind.reasons:
        chosen = kind.reason_in(reason_text)
        reason_code = chosen.code if chosen else None
    result.reason_code = reason_code
    split = kind.carry_over is not None and start.year != end.year
    parts = _parts_by_year(start, end) if split else [(start, end)]
    for part_start, part_end in parts:
        balance = None
        if kind.carry_over is not None:
            year_balance = (
                found
                if part_start.year == start.year
                else await leave.annual_balance(
                    session,
                    employee,
                    part_start.year,
                    rules=rules,
                    calendar=calendar,
                    exclude_request=exclude_request,
                )
            )
            balance = _with_available(year_balance)
        result.violations += rules.check_request(
            leave_type,
            part_start,
            part_end,
            service_start=employee.service_start,
            employment=employment,
            calendar=calendar,
            balance=balance,
            has_attachment=has_attachment,
            reason=reason_code,
            child_number=child_number,
            service_waiver=service_waiver,
        )
    if split:
        first, second = parts
        result.violations.append(
            say(
                "crosses_year_split",
                blocking=False,
                year=str(start.year),
                next_year=str(end.year),
                first=calendar.working_days_between(*first),
                second=calendar.working_days_between(*second),
            )
        )
    if not interactive:
        result.violations = [
            Violation(v.code, v.message, blocking=False) if v.code in ASKED_IN_CHAT else v
            for v in result.violations
        ]
    for other in await leave.overlapping(
        session, employee.id, start, end, exclude=exclude_request
    ):
        result.violations.append(
            say("overlap", ref=other.ref or "-", start=other.start_date, end=other.end_date)
        )
    result.balance_after = _after(kind, before, result, parts, calendar)
    data = {"leave_type": leave_type, "days": result.days}
    result.deciders = await leave_deciders(session, employee, policy, data)
    if result.problems:
        result.outcome = "refused"
    else:
        result.outcome = "split" if split else "allowed"
    return result


def _after(
    kind: LeaveType,
    before: float,
    result: LeaveCheck,
    parts: list[tuple[date, date]],
    calendar: WorkCalendar,
) -> float:
    if kind.forfeits_annual_leave:
        return 0.0  # PP 11/2017 Ps. 316 ayat (2): that year's cuti tahunan is gone
    if kind.carry_over is None:
        return before
    return before - calendar.working_days_between(*parts[0])


def _with_available(found: leave.Balance) -> Any:
    import dataclasses

    return dataclasses.replace(found.annual, remaining=found.available)


def _parts_by_year(start: date, end: date) -> list[tuple[date, date]]:
    year_end = date(start.year, 12, 31)
    return [(start, year_end), (year_end + timedelta(days=1), end)]


def _child_in(text: str | None) -> int | None:
    match = _CHILD.search((text or "").casefold())
    return int(match.group(1)) if match else None


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
