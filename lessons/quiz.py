"""Answering the day's questions, and what finishing a day records: progress, JP, streak."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import (
    Employee,
    LearnerPrefs,
    LearningDay,
    LearningEvent,
    LessonProgress,
    QuizAnswer,
    ReviewCard,
    StoredLesson,
    StoredQuestion,
)
from lessons import srs
from lessons.catalog import Question
from lessons.daysoff import Calendar, is_learning_day, leave_days, missed_learning_days
from lessons.jp import JPSettings, to_jp
from lessons.records import LessonView, lesson_view, question_view
from lessons.streaks import Streak, live, record_day

ACTIVITY_TYPE = "e-learning (microlearning)"


class LearningSettings(JPSettings, Protocol):
    learning_provider: str


@dataclass(frozen=True, slots=True)
class Completion:
    lesson: LessonView | None
    jp: float
    correct: int
    total: int
    streak: Streak


@dataclass(frozen=True, slots=True)
class Outcome:
    question: Question
    correct: bool
    finished: Completion | None


async def question_at(session: AsyncSession, plan: LearningDay) -> Question | None:
    """The question the employee is on, or None when the day's questions are all answered."""
    if plan.answered >= len(plan.question_ids):
        return None
    row = await session.get(StoredQuestion, plan.question_ids[plan.answered])
    return question_view(row) if row is not None else None


async def answer(
    session: AsyncSession,
    *,
    employee: Employee,
    plan: LearningDay,
    question_id: str,
    choice: list[int],
    now: datetime,
    settings: LearningSettings,
    calendar: Calendar,
) -> Outcome | None:
    """Grade an answer to the current question; None if that question is not the current one."""
    question = await question_at(session, plan)
    if question is None or question.id != question_id:
        return None
    correct = frozenset(choice) == question.correct
    session.add(
        QuizAnswer(
            employee_id=employee.id,
            question_id=question.id,
            day=plan.day,
            choice=sorted(set(choice)),
            correct=correct,
            at=now,
        )
    )
    await _review(session, employee.id, question.id, correct, now)
    plan.answered += 1
    plan.correct += int(correct)
    plan.picked = []
    finished = None
    if plan.answered >= len(plan.question_ids):
        finished = await complete_day(
            session, employee=employee, plan=plan, now=now, settings=settings, calendar=calendar
        )
    return Outcome(question, correct, finished)


async def _review(
    session: AsyncSession, employee_id: int, question_id: str, correct: bool, now: datetime
) -> None:
    card = await session.get(ReviewCard, (employee_id, question_id))
    if card is None:
        card = ReviewCard(employee_id=employee_id, question_id=question_id, reviews=0)
        card.good_in_a_row = 0
        session.add(card)
    result = srs.review(
        card.card or None, correct=correct, good_in_a_row=card.good_in_a_row, now=now
    )
    card.card = result.card
    card.due = result.due
    card.good_in_a_row = result.good_in_a_row
    card.retired = result.retired
    card.reviews = (card.reviews or 0) + 1


async def complete_day(
    session: AsyncSession,
    *,
    employee: Employee,
    plan: LearningDay,
    now: datetime,
    settings: LearningSettings,
    calendar: Calendar,
) -> Completion:
    """Record a finished day: lesson progress and its learning event, new cards, the streak."""
    plan.done_at = now
    lesson = await session.get(StoredLesson, plan.lesson_id) if plan.lesson_id else None
    jp = 0.0
    if lesson is not None and await session.get(LessonProgress, (employee.id, lesson.id)) is None:
        session.add(
            LessonProgress(
                employee_id=employee.id,
                lesson_id=lesson.id,
                completed_at=now,
                minutes=lesson.minutes,
                content_hash=lesson.content_hash,
            )
        )
        jp = to_jp(lesson.minutes, settings)
        session.add(_event(employee.id, lesson, plan, jp, now, settings))
        await _card_the_rest(session, employee.id, lesson.id, now)
    streak = await update_streak(session, employee.id, plan.day, now, calendar)
    view = lesson_view(lesson) if lesson is not None else None
    return Completion(view, jp, plan.correct, len(plan.question_ids), streak)


def _event(
    employee_id: int,
    lesson: StoredLesson,
    plan: LearningDay,
    jp: float,
    now: datetime,
    settings: LearningSettings,
) -> LearningEvent:
    title = (lesson.meta or {}).get("title", {}).get("id", lesson.id)
    course = (lesson.meta or {}).get("course_title", {}).get("id", lesson.course)
    return LearningEvent(
        employee_id=employee_id,
        lesson_id=lesson.id,
        activity_type=ACTIVITY_TYPE,
        competency=lesson.competency,
        provider=settings.learning_provider[:120],
        material=f"{course}: {title}"[:300],
        start_date=plan.day,
        end_date=plan.day,
        minutes=lesson.minutes,
        jp=jp,
        source="ayo",  # a completed micro-lesson needs no verifier
        status="verified",
        evidence={
            "lesson_id": lesson.id,
            "content_hash": lesson.content_hash,
            "questions": list(plan.question_ids),
            "correct": plan.correct,
            "answered": plan.answered,
            "completed_at": now.isoformat(),
        },
        created_at=now,
    )


async def _card_the_rest(
    session: AsyncSession, employee_id: int, lesson_id: str, now: datetime
) -> None:
    """Questions of the lesson not asked today come back as reviews from tomorrow."""
    asked = set(
        (
            await session.execute(
                select(ReviewCard.question_id)
                .join(StoredQuestion, StoredQuestion.id == ReviewCard.question_id)
                .where(
                    ReviewCard.employee_id == employee_id, StoredQuestion.lesson_id == lesson_id
                )
            )
        ).scalars()
    )
    rest = (
        await session.execute(
            select(StoredQuestion.id).where(
                StoredQuestion.lesson_id == lesson_id, StoredQuestion.retired_at.is_(None)
            )
        )
    ).scalars()
    due = now + timedelta(days=1)
    for question_id in rest:
        if question_id not in asked:
            session.add(
                ReviewCard(
                    employee_id=employee_id,
                    question_id=question_id,
                    card=srs.new_card(due),
                    due=due,
                    reviews=0,
                    good_in_a_row=0,
                    retired=False,
                )
            )


async def prefs_for(session: AsyncSession, employee_id: int, now: datetime) -> LearnerPrefs:
    """The employee's learning preferences, created with the defaults when absent."""
    prefs = await session.get(LearnerPrefs, employee_id, with_for_update=True)
    if prefs is None:
        prefs = LearnerPrefs(
            employee_id=employee_id,
            paused=False,
            leaderboard_opt_out=False,
            streak=0,
            best_streak=0,
            freezes=0,
            updated_at=now,
        )
        session.add(prefs)
    return prefs


async def update_streak(
    session: AsyncSession, employee_id: int, day: date, now: datetime, calendar: Calendar
) -> Streak:
    """Count `day` in the streak if it is one of the employee's learning days."""
    prefs = await prefs_for(session, employee_id, now)
    before = Streak(prefs.streak, prefs.best_streak, prefs.freezes, prefs.last_active_day)
    since = prefs.last_active_day or day
    leave = (await leave_days(session, [employee_id], since, day)).get(employee_id, set())
    if not is_learning_day(calendar, day, leave):
        return before
    missed = missed_learning_days(calendar, since, day, leave) if prefs.last_active_day else 0
    after = record_day(before, day, missed)
    prefs.streak, prefs.best_streak = after.current, after.best
    prefs.freezes, prefs.last_active_day = after.freezes, after.last_day
    prefs.updated_at = now
    return after


async def current_streak(
    session: AsyncSession, employee_id: int, today: date, calendar: Calendar
) -> Streak:
    """The streak as it stands on `today`: broken if more learning days were missed than frozen."""
    prefs = await session.get(LearnerPrefs, employee_id)
    if prefs is None or prefs.last_active_day is None:
        return Streak()
    saved = Streak(prefs.streak, prefs.best_streak, prefs.freezes, prefs.last_active_day)
    leave = (await leave_days(session, [employee_id], prefs.last_active_day, today)).get(
        employee_id, set()
    )
    return live(saved, missed_learning_days(calendar, prefs.last_active_day, today, leave))
