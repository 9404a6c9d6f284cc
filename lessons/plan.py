"""The daily plan: which lesson an employee gets today and which one to three questions.

Due reviews come first (missed questions return sooner), then the new lesson's questions;
the plan is stored per employee and local day, so "belajar" twice shows the same lesson.
Built set-based for a chunk of employees at once, because the morning sweep plans thousands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage import bulk
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
    # Each lesson with its targets and tags read once: `next_lesson` runs for every employee
    # of the morning sweep, and reading `meta` through the ORM for 84 lessons each time was
    # most of planning's cost.
    _offered: tuple[tuple[StoredLesson, str, frozenset[str], frozenset[str]], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        offered = []
        for lesson in self.lessons:
            meta = lesson.meta or {}
            targets = frozenset(meta.get("targets") or ())
            offered.append((lesson, lesson.id, targets, frozenset(meta.get("tags") or ())))
        object.__setattr__(self, "_offered", tuple(offered))

    def next_lesson(
        self, done: set[str], unit_id: int, prefer: Sequence[frozenset[str]] = ()
    ) -> StoredLesson | None:
        """The first open lesson; with `prefer` (the tags of confirmed needs-analysis gaps,
        widest first) a lesson meeting a gap comes before the usual order."""
        codes = self.unit_codes.get(unit_id, frozenset())
        open_lessons = [
            (lesson, tags)
            for lesson, lesson_id, targets, tags in self._offered
            if lesson_id not in done and (not targets or not codes.isdisjoint(targets))
        ]
        for wanted in prefer:
            for lesson, tags in open_lessons:
                if not wanted.isdisjoint(tags):
                    return lesson
        return open_lessons[0][0] if open_lessons else None


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


@dataclass(slots=True)
class Plan:
    """A new day's plan as the morning sweep wrote it (one INSERT for the chunk): the fields of
    `LearningDay` that `plan_replies` reads, without an ORM object per employee."""

    employee_id: int
    day: date
    lesson_id: str | None
    question_ids: list[str]
    answered: int
    correct: int
    picked: list[int]
    created_at: datetime
    done_at: datetime | None = None


async def plan_days(
    session: AsyncSession,
    learners: Sequence[Learner],
    days: dict[int, date],
    now: datetime,
    curriculum: Curriculum,
) -> dict[int, LearningDay]:
    """Each learner's plan for their local day (`days`), created where it does not exist yet."""
    existing, new = await _plan(session, learners, days, now, curriculum)
    plans: dict[int, LearningDay] = dict(existing)
    for row in new:
        plans[row["employee_id"]] = day_row = LearningDay(**row)
        session.add(day_row)
    await session.flush()
    return plans


async def plan_days_inserted(
    session: AsyncSession,
    learners: Sequence[Learner],
    days: dict[int, date],
    now: datetime,
    curriculum: Curriculum,
) -> dict[int, LearningDay | Plan]:
    """`plan_days` for the morning sweep: the new plans are one INSERT (no ORM objects, which
    nothing in the sweep changes afterwards); plans that exist are returned as stored."""
    existing, new = await _plan(session, learners, days, now, curriculum)
    plans: dict[int, LearningDay | Plan] = dict(existing)
    if new:
        await bulk.insert_rows(session, LearningDay.__table__, new)
    for row in new:
        plans[row["employee_id"]] = Plan(**row)
    return plans


async def _plan(
    session: AsyncSession,
    learners: Sequence[Learner],
    days: dict[int, date],
    now: datetime,
    curriculum: Curriculum,
) -> tuple[dict[int, LearningDay], list[dict[str, Any]]]:
    """The plans that exist, and the rows of those to create (in learner order)."""
    ids = [learner.id for learner in learners]
    if not ids:
        return {}, []
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
    ends = {(days[lr.id], lr.timezone): day_end_utc(days[lr.id], lr.timezone) for lr in learners}
    latest_end = max(ends.values())
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
    found: dict[int, LearningDay] = {}
    new: list[dict[str, Any]] = []
    # Most of a chunk share a unit, the lessons done and the gaps: each combination once.
    chosen: dict[tuple[int, frozenset[str], tuple[frozenset[str], ...]], StoredLesson | None] = {}
    for learner in learners:
        day = days[learner.id]
        row = existing.get((learner.id, day))
        if row is not None:
            found[learner.id] = row
            continue
        end = ends[(day, learner.timezone)]
        reviews = [q for when, q in sorted(due.get(learner.id, [])) if when < end]
        # An unfinished lesson of an earlier day is simply offered again.
        key = (learner.unit_id, frozenset(done.get(learner.id, ())), prefer.get(learner.id, ()))
        if key not in chosen:
            chosen[key] = curriculum.next_lesson(set(key[1]), key[0], key[2])
        lesson = chosen[key]
        lesson_qs = curriculum.questions.get(lesson.id, ()) if lesson else ()
        new.append(
            {
                "employee_id": learner.id,
                "day": day,
                "lesson_id": lesson.id if lesson else None,
                "question_ids": choose_questions(reviews, lesson_qs),
                "answered": 0,
                "correct": 0,
                "picked": [],
                "created_at": now,
                "done_at": None,
            }
        )
    return found, new
