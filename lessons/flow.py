"""The learning conversation, channel-neutral: today's lesson, the next question, an answer."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.messages import Reply
from core.settings import DEFAULT_TIMEZONE
from core.storage.models import Employee, LearningDay, StoredLesson
from lessons import messages as msg
from lessons.daysoff import Calendar
from lessons.plan import Learner, load_curriculum, plan_days
from lessons.quiz import LearningSettings, answer, question_at
from lessons.records import lesson_view


def local_day(employee: Employee, now: datetime, default_tz: str = DEFAULT_TIMEZONE) -> date:
    return now.astimezone(ZoneInfo(employee.timezone or default_tz)).date()


def learner(employee: Employee, default_tz: str = DEFAULT_TIMEZONE) -> Learner:
    return Learner(employee.id, employee.unit_id, employee.timezone or default_tz)


async def today_plan(session: AsyncSession, employee: Employee, now: datetime) -> LearningDay:
    """Today's plan for the employee, created on first use."""
    curriculum = await load_curriculum(session)
    who = learner(employee)
    plans = await plan_days(session, [who], {who.id: local_day(employee, now)}, now, curriculum)
    return plans[who.id]


async def plan_replies(
    session: AsyncSession, plan: LearningDay, make: msg.MakeButton, *, with_lesson: bool = True
) -> list[Reply]:
    """The lesson (before the first answer) and the current question of a plan."""
    if plan.done_at is not None:
        return [Reply(msg.ALREADY_DONE)]
    if not plan.question_ids:
        return [Reply(msg.NOTHING_NEW)]
    replies = []
    if with_lesson and plan.answered == 0 and plan.lesson_id:
        lesson = await session.get(StoredLesson, plan.lesson_id)
        if lesson is not None:
            replies.append(msg.lesson_reply(lesson_view(lesson)))
    question = await question_at(session, plan)
    if question is not None:
        number, total = plan.answered + 1, len(plan.question_ids)
        replies.append(
            await msg.question_reply(question, number, total, plan.day, make, plan.picked or ())
        )
    return replies


async def answer_replies(
    session: AsyncSession,
    *,
    employee: Employee,
    plan: LearningDay,
    question_id: str,
    choice: list[int],
    now: datetime,
    settings: LearningSettings,
    calendar: Calendar,
    make: msg.MakeButton,
) -> list[Reply]:
    """Grade an answer and say so, with the explanation; then offer the next question or finish."""
    outcome = await answer(
        session,
        employee=employee,
        plan=plan,
        question_id=question_id,
        choice=choice,
        now=now,
        settings=settings,
        calendar=calendar,
    )
    if outcome is None:
        return [Reply(msg.ALREADY_ANSWERED)]
    more = outcome.finished is None
    replies = [await msg.feedback_reply(outcome.question, outcome.correct, plan.day, make, more)]
    if outcome.finished is not None:
        replies.append(msg.done_reply(outcome.finished, settings.minutes_per_jp))
    return replies
