"""Weekly leaderboards in small groups: points for right answers and finished lessons.

A group is the viewer's OPD, or, when the OPD is large (more than `LARGE_OPD` active people),
the viewer's own sub-unit (bidang), so nobody competes with hundreds of strangers. Points count
by the employee's local day (the plan's day), Monday to Sunday. Someone who opted out is never
shown to anyone, though they still see their own score.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import Employee, LearnerPrefs, LearningEvent, OrgUnit, QuizAnswer
from lessons.quiz import ACTIVITY_TYPE

POINTS_PER_RIGHT_ANSWER = 10
POINTS_PER_LESSON = 5
SHOWN = 10
LARGE_OPD = 30  # above this many active people, boards are per sub-unit


@dataclass(frozen=True, slots=True)
class Entry:
    rank: int
    employee_id: int
    name: str
    points: int


@dataclass(frozen=True, slots=True)
class Board:
    group_code: str  # the OPD, or the sub-unit in a large OPD
    group_name: str
    week_start: date
    entries: tuple[Entry, ...]  # shown entries only (opted-out people removed)
    mine: int  # the viewer's own points
    my_rank: int | None  # None when the viewer opted out


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


async def board_group(session: AsyncSession, unit_id: int) -> tuple[OrgUnit, set[int]]:
    """The unit a board is named after and the unit ids whose people are on it."""
    units = {u.id: u for u in (await session.execute(select(OrgUnit))).scalars()}
    children: dict[int, set[int]] = {}
    for unit in units.values():
        if unit.parent_id is not None:
            children.setdefault(unit.parent_id, set()).add(unit.id)

    def below(top: int) -> set[int]:
        found, frontier = {top}, [top]
        while frontier:
            fresh = children.get(frontier.pop(), set()) - found
            found |= fresh
            frontier.extend(fresh)
        return found

    chain = [units[unit_id]]
    while chain[-1].parent_id in units and len(chain) < 10:
        chain.append(units[chain[-1].parent_id])
    opd = chain[-1]
    whole = below(opd.id)
    size = (
        await session.execute(
            select(func.count(Employee.id)).where(
                Employee.unit_id.in_(whole), Employee.active.is_(True)
            )
        )
    ).scalar_one()
    if size <= LARGE_OPD:
        return opd, whole
    if len(chain) == 1:
        return opd, {opd.id}  # people placed at the OPD itself form their own small group
    sub = chain[-2]  # the bidang directly under the OPD
    return sub, below(sub.id)


async def weekly_board(session: AsyncSession, viewer: Employee, day: date) -> Board:
    """The viewer's group this week (Monday to Sunday of `day`, the viewer's local day)."""
    group, unit_ids = await board_group(session, viewer.unit_id)
    query = select(Employee.id, Employee.name).where(
        Employee.unit_id.in_(unit_ids), Employee.active.is_(True)
    )
    names: dict[int, str] = {i: n for i, n in await session.execute(query)}
    ids = list(names)
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
    # A finished lesson's event is dated by the plan's local day, not by the UTC instant.
    lessons = await session.execute(
        select(LearningEvent.employee_id, func.count(LearningEvent.id))
        .where(
            LearningEvent.employee_id.in_(ids),
            LearningEvent.activity_type == ACTIVITY_TYPE,
            LearningEvent.start_date >= first,
            LearningEvent.start_date <= last,
        )
        .group_by(LearningEvent.employee_id)
    )
    for employee_id, count in lessons:
        points[employee_id] += POINTS_PER_LESSON * int(count)
    hidden = set(
        (
            await session.execute(
                select(LearnerPrefs.employee_id).where(
                    LearnerPrefs.employee_id.in_(ids), LearnerPrefs.leaderboard_opt_out.is_(True)
                )
            )
        ).scalars()
    )
    ranked = sorted(
        (i for i in ids if i not in hidden and points[i] > 0), key=lambda i: (-points[i], names[i])
    )
    entries = tuple(Entry(n, i, names[i], points[i]) for n, i in enumerate(ranked, start=1))
    my_rank = next((e.rank for e in entries if e.employee_id == viewer.id), None)
    mine = points.get(viewer.id, 0)
    return Board(group.code, group.name, first, entries[:SHOWN], mine, my_rank)
