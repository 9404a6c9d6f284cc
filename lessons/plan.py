"""The daily plan: which lesson an employee gets today and which one to three questions.

Due reviews come first (missed questions return sooner), then the new lesson's questions;
the plan is stored per employee and local day, so "belajar" twice shows the same lesson.
Built set-based for a chunk of employees at once, because the morning sweep plans thousands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import (
    LearningDay,
    LessonProgress,
    OrgUnit,
    ReviewCard,
    StoredLesson,
    StoredQuestion,
)
from lessons.needs import gap_tags

MAX_QUESTIONS = 3


@dataclass(frozen=True, slots=True)
class Learner:
    """What planning needs to know of an employee."""

    id: int
    unit_id: int
    timezone: str


@dataclass(frozen=True, slots=True)
class Curriculum:
    """The active lessons in order, their active questions, and each unit's codes up to the OPD."""

    lessons: tuple[StoredLesson, ...]
    questions: dict[str, tuple[str, ...]]  # lesson id -> question ids in order
    unit_codes: dict[int, frozenset[str]]

    def next_lesson(
        self, done: set[str], unit_id: int, prefer: Sequence[frozenset[str]] = ()
    ) -> StoredLesson | None:
        """The first open lesson; with `prefer` (the tags of confirmed needs-analysis gaps,
        widest first) a lesson meeting a gap comes before the usual order."""
        codes = self.unit_codes.get(unit_id, frozenset())
        open_lessons = [
            lesson
            for lesson in self.lessons
            if lesson.id not in done
            and (
                not ((lesson.meta or {}).get("targets") or [])
                or codes.intersection((lesson.meta or {}).get("targets") or [])
            )
        ]
        for tags in prefer:
            for lesson in open_lessons:
                if tags.intersection((lesson.meta or {}).get("tags") or ()):
                    return lesson
        return open_lessons[0] if open_lessons else None


async def load_curriculum(session: AsyncSession) -> Curriculum:
    """Everything planning reads that is the same for every employee (one query each)."""
    lessons = tuple(
        (
            await session.execute(
                select(StoredLesson)
                .where(StoredLesson.retired_at.is_(None))
                .order_by(StoredLesson.position, StoredLesson.id)
            )
        )
        .scalars()
        .all()
    )
    questions: dict[str, list[str]] = {}
    rows = await session.execute(
        select(StoredQuestion.lesson_id, StoredQuestion.id)
        .where(StoredQuestion.retired_at.is_(None))
        .order_by(StoredQuestion.lesson_id, StoredQuestion.position)
    )
    for lesson_id, question_id in rows:
        questions.setdefault(lesson_id, []).append(question_id)
    units = {
        u.id: (u.code, u.parent_id) for u in (await session.execute(select(OrgUnit))).scalars()
    }
    codes: dict[int, frozenset[str]] = {}
    for unit_id in units:
        chain, current = set(), unit_id
        while current is not None and current in units and len(chain) < 10:
            code, current = units[current]
            chain.add(code)
        codes[unit_id] = frozenset(chain)
    return Curriculum(lessons, {k: tuple(v) for k, v in questions.items()}, codes)


def choose_questions(due: Sequence[str], lesson: Sequence[str]) -> list[str]:
    """Due reviews first, then the lesson's questions; at least one of the lesson's if any."""
    from_lesson = min(len(lesson), max(1, MAX_QUESTIONS - len(due)))
    reviews = [q for q in due if q not in lesson][: MAX_QUESTIONS - from_lesson]
    return [*reviews, *lesson[:from_lesson]]


def day_end_utc(day: date, tz: str) -> datetime:
    """The first instant after `day` in the employee's time zone."""
    return datetime.combine(day + timedelta(days=1), time(), ZoneInfo(tz))


async def plan_days(
    session: AsyncSession,
    learners: Sequence[Learner],
    days: dict[int, date],
    now: datetime,
    curriculum: Curriculum,
) -> dict[int, LearningDay]:
    """Each learner's plan for their local day (`days`), created where it does not exist yet."""
    ids = [learner.id for learner in learners]
    if not ids:
        return {}
    existing = {
        (row.employee_id, row.day): row
        for row in (
            await session.execute(
                select(LearningDay).where(
                    LearningDay.employee_id.in_(ids), LearningDay.day.in_(set(days.values()))
                )
            )
        ).scalars()
    }
    done: dict[int, set[str]] = {}
    for employee_id, lesson_id in await session.execute(
        select(LessonProgress.employee_id, LessonProgress.lesson_id).where(
            LessonProgress.employee_id.in_(ids)
        )
    ):
        done.setdefault(employee_id, set()).add(lesson_id)
    latest_end = max(day_end_utc(days[learner.id], learner.timezone) for learner in learners)
    due: dict[int, list[tuple[datetime, str]]] = {}
    for employee_id, question_id, when in await session.execute(
        select(ReviewCard.employee_id, ReviewCard.question_id, ReviewCard.due)
        .join(StoredQuestion, StoredQuestion.id == ReviewCard.question_id)
        .where(
            ReviewCard.employee_id.in_(ids),
            ReviewCard.retired.is_(False),
            ReviewCard.due < latest_end,
            StoredQuestion.retired_at.is_(None),
        )
    ):
        due.setdefault(employee_id, []).append((when, question_id))
    # The year's confirmed needs analysis steers which lesson comes next (lessons/needs.py).
    prefer = await gap_tags(session, {lr.id: days[lr.id].year for lr in learners})
    plans: dict[int, LearningDay] = {}
    for learner in learners:
        day = days[learner.id]
        row = existing.get((learner.id, day))
        if row is not None:
            plans[learner.id] = row
            continue
        end = day_end_utc(day, learner.timezone)
        reviews = [q for when, q in sorted(due.get(learner.id, [])) if when < end]
        # An unfinished lesson of an earlier day is simply offered again.
        lesson = curriculum.next_lesson(
            done.get(learner.id, set()), learner.unit_id, prefer.get(learner.id, ())
        )
        lesson_qs = curriculum.questions.get(lesson.id, ()) if lesson else ()
        row = LearningDay(
            employee_id=learner.id,
            day=day,
            lesson_id=lesson.id if lesson else None,
            question_ids=choose_questions(reviews, lesson_qs),
            answered=0,
            correct=0,
            picked=[],
            created_at=now,
        )
        session.add(row)
        plans[learner.id] = row
    await session.flush()
    return plans
