"""Weekly leaderboards per OPD: points for right answers and finished lessons, opt-out respected.

Groups are small on purpose (one OPD, top ten shown), and someone who opted out is never
shown to anyone, though they still see their own score.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import Employee, LearnerPrefs, LessonProgress, OrgUnit, QuizAnswer

POINTS_PER_RIGHT_ANSWER = 10
POINTS_PER_LESSON = 5
SHOWN = 10


@dataclass(frozen=True, slots=True)
class Entry:
    rank: int
    employee_id: int
    name: str
    points: int


@dataclass(frozen=True, slots=True)
class Board:
    opd_code: str
    opd_name: str
    week_start: date
    entries: tuple[Entry, ...]  # shown entries only (opted-out people removed)
    mine: int  # the viewer's own points
    my_rank: int | None  # None when the viewer opted out


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


async def opd_of(session: AsyncSession, unit_id: int) -> OrgUnit:
    unit = await session.get(OrgUnit, unit_id)
    while unit is not None and unit.parent_id is not None:
        unit = await session.get(OrgUnit, unit.parent_id)
    if unit is None:
        raise LookupError(f"no unit {unit_id}")
    return unit


async def opd_members(session: AsyncSession, opd_id: int) -> list[Employee]:
    units = {opd_id}
    frontier = {opd_id}
    while frontier:
        children = set(
            (await session.execute(select(OrgUnit.id).where(OrgUnit.parent_id.in_(frontier))))
            .scalars()
            .all()
        )
        frontier = children - units
        units |= children
    query = select(Employee).where(Employee.unit_id.in_(units), Employee.active.is_(True))
    return list((await session.execute(query)).scalars().all())


async def weekly_board(session: AsyncSession, viewer: Employee, day: date) -> Board:
    """The viewer's OPD this week (Monday to Sunday of `day`)."""
    opd = await opd_of(session, viewer.unit_id)
    members = await opd_members(session, opd.id)
    ids = [m.id for m in members]
    first, last = week_of(day)
    points = dict.fromkeys(ids, 0)
    right = await session.execute(
        select(QuizAnswer.employee_id, func.count(QuizAnswer.id))
        .where(
            QuizAnswer.employee_id.in_(ids),
            QuizAnswer.correct.is_(True),
            QuizAnswer.day >= first,
            QuizAnswer.day <= last,
        )
        .group_by(QuizAnswer.employee_id)
    )
    for employee_id, count in right:
        points[employee_id] += POINTS_PER_RIGHT_ANSWER * int(count)
    # Completion times are UTC; a day's margin either side is close enough for a weekly game.
    lessons = await session.execute(
        select(LessonProgress.employee_id, LessonProgress.completed_at).where(
            LessonProgress.employee_id.in_(ids)
        )
    )
    for employee_id, at in lessons:
        if first <= at.date() <= last:
            points[employee_id] += POINTS_PER_LESSON
    hidden = set(
        (
            await session.execute(
                select(LearnerPrefs.employee_id).where(
                    LearnerPrefs.employee_id.in_(ids), LearnerPrefs.leaderboard_opt_out.is_(True)
                )
            )
        ).scalars()
    )
    names = {m.id: m.name for m in members}
    ranked = sorted(
        (i for i in ids if i not in hidden and points[i] > 0), key=lambda i: (-points[i], names[i])
    )
    entries = tuple(Entry(n, i, names[i], points[i]) for n, i in enumerate(ranked, start=1))
    my_rank = next((e.rank for e in entries if e.employee_id == viewer.id), None)
    return Board(opd.code, opd.name, first, entries[:SHOWN], points.get(viewer.id, 0), my_rank)
