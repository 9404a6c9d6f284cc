"""Today's numbers for the dashboard, within what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.backoffice.access import Scope
from core.storage.models import (
    ApprovalStep,
    ChatAccount,
    HandoffCase,
    InboxItem,
    LessonProgress,
    OutboxItem,
    ServiceRequest,
)
from core.storage.models.handoff import CASE_ACTIVE


@dataclass
class Today:
    messages: int
    requests_by_state: dict[str, int]
    approvals_waiting: int
    oldest_approval_hours: float | None
    cases_open: int
    cases_taken: int
    lessons_done: int
    outbox_depth: int
    dead_letters: int
    city: bool


def _day_start(now: datetime, tz: str) -> datetime:
    local = now.astimezone(ZoneInfo(tz))
    return datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)


async def today(session: AsyncSession, scope: Scope, now: datetime, tz: str) -> Today:
    start = _day_start(now, tz)
    people = scope.employees

    def within(query, column):
        return query if people is None else query.where(column.in_(people or {-1}))

    messages = await session.scalar(
        within(
            select(func.count(InboxItem.id))
            .join(ChatAccount, ChatAccount.id == InboxItem.chat_account_id)
            .where(
                InboxItem.received_at >= start, InboxItem.received_at < start + timedelta(days=1)
            ),
            ChatAccount.employee_id,
        )
    )
    states = dict(
        (
            await session.execute(
                within(
                    select(ServiceRequest.status, func.count(ServiceRequest.id)).group_by(
                        ServiceRequest.status
                    ),
                    ServiceRequest.employee_id,
                )
            )
        ).all()
    )
    waiting = (
        await session.execute(
            within(
                select(func.count(ApprovalStep.id), func.min(ApprovalStep.asked_at))
                .join(ServiceRequest, ServiceRequest.id == ApprovalStep.request_id)
                .where(ApprovalStep.status == "waiting"),
                ServiceRequest.employee_id,
            )
        )
    ).one()
    oldest = None
    if waiting[1] is not None:
        asked = waiting[1] if waiting[1].tzinfo else waiting[1].replace(tzinfo=ZoneInfo("UTC"))
        oldest = round((now - asked).total_seconds() / 3600, 1)
    case_query = select(HandoffCase.status, func.count(HandoffCase.id)).where(
        HandoffCase.status.in_(CASE_ACTIVE)
    )
    if people is not None:
        codes = scope.team_codes or {""}
        case_query = case_query.where(
            HandoffCase.team.in_(codes) | HandoffCase.employee_id.in_(people or {-1})
        )
    cases = dict((await session.execute(case_query.group_by(HandoffCase.status))).all())
    lessons = await session.scalar(
        within(
            select(func.count())
            .select_from(LessonProgress)
            .where(LessonProgress.completed_at >= start),
            LessonProgress.employee_id,
        )
    )
    depth = await session.scalar(
        select(func.count(OutboxItem.id)).where(OutboxItem.status.in_(("pending", "sending")))
    )
    dead = await session.scalar(
        select(func.count(OutboxItem.id)).where(OutboxItem.status.in_(("dead", "failed")))
    )
    return Today(
        messages=messages or 0,
        requests_by_state=states,
        approvals_waiting=waiting[0] or 0,
        oldest_approval_hours=oldest,
        cases_open=cases.get("open", 0),
        cases_taken=cases.get("taken", 0),
        lessons_done=lessons or 0,
        outbox_depth=depth or 0,
        dead_letters=dead or 0,
        city=people is None,
    )
