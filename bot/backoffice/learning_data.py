"""The numbers behind the learning page: the HR report's rows (lessons/report.py) within the
viewer's scope, each with its projection to year end (lessons/jp.py), and per unit, per
competency type and per week (learning days done and live streaks).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.backoffice.access import Scope
from core.storage.models import Employee, LearnerPrefs, LearningDay, OrgUnit
from lessons.daysoff import is_learning_day, leave_days, missed_learning_days
from lessons.jp import JPSettings, Projection, is_ceiling, project
from lessons.report import ReportRow, report_rows
from lessons.streaks import Streak, live, record_day

WEEKS = 12
# Streaks over time are replayed from the learning days of this many weeks before the chart,
# so a streak that began before the first week shown is counted from its start.
REPLAY_WEEKS = 12
COMPETENCIES = ("teknis", "manajerial", "sosial_kultural")


@dataclass(frozen=True, slots=True)
class Person:
    row: ReportRow
    employee_id: int
    projection: Projection
    streak: Streak

    @property
    def pace(self) -> float:
        p = self.projection
        return p.projected / p.target if p.target else 1.0


@dataclass(frozen=True, slots=True)
class UnitFigures:
    code: str
    name: str
    people: int
    jp_avg: float
    projected_avg: float
    met: int  # reached the target (PNS minimum) already
    behind: int  # not on track for the minimum


@dataclass(frozen=True, slots=True)
class Week:
    start: date
    days_done: int  # learning days completed (a day's lesson and quiz)
    learners: int  # people who completed at least one day
    streaking: int  # people with a live streak at the end of the week


@dataclass
class LearningView:
    year: int
    today: date
    people: list[Person] = field(default_factory=list)
    units: list[UnitFigures] = field(default_factory=list)
    competency_avg: dict[str, float] = field(default_factory=dict)
    weeks: list[Week] = field(default_factory=list)

    @property
    def jp_avg(self) -> float:
        return sum(p.row.jp_total for p in self.people) / len(self.people) if self.people else 0.0

    @property
    def behind(self) -> int:
        return sum(not p.projection.on_track for p in self.people)


def reference_day(year: int, today: date) -> date:
    """The day projections are made from: today in the current year, 31 December before."""
    return today if year == today.year else date(year, 12, 31)


async def scoped_ids(session: AsyncSession, scope: Scope) -> dict[str, int]:
    """NIP → employee id of the active employees the viewer may read."""
    rows = await session.execute(select(Employee.id, Employee.nip).where(Employee.active))
    return {nip: i for i, nip in rows.all() if scope.sees_employee(i)}


async def scoped_rows(
    session: AsyncSession, scope: Scope, year: int, settings: JPSettings, unit: str | None
) -> tuple[list[ReportRow], dict[str, int]]:
    """The HR report's rows (the same as `ayo lessons report`) of the people in scope."""
    ids = await scoped_ids(session, scope)
    rows = await report_rows(session, year, settings, unit or None)
    return [r for r in rows if r.nip in ids], ids


async def scoped_units(session: AsyncSession, scope: Scope) -> list[OrgUnit]:
    """The units of the people in scope (the unit filter's choices), by code."""
    ids = await scoped_ids(session, scope)
    unit_ids = set(
        (
            await session.execute(
                select(Employee.unit_id).where(Employee.id.in_(set(ids.values()) or {-1}))
            )
        ).scalars()
    )
    query = select(OrgUnit).where(OrgUnit.id.in_(unit_ids or {-1})).order_by(OrgUnit.code)
    return list((await session.execute(query)).scalars())


async def streaks_on(
    session: AsyncSession, employee_ids: list[int], today: date, calendar: Any
) -> dict[int, Streak]:
    """Each employee's streak as it stands today (lessons/quiz.py `current_streak`, in bulk)."""
    prefs = {
        p.employee_id: p
        for p in (
            await session.execute(
                select(LearnerPrefs).where(LearnerPrefs.employee_id.in_(employee_ids or [-1]))
            )
        ).scalars()
    }
    starts = [p.last_active_day for p in prefs.values() if p.last_active_day]
    leave = await leave_days(session, list(prefs), min(starts), today) if starts else {}
    found: dict[int, Streak] = {}
    for employee_id in employee_ids:
        p = prefs.get(employee_id)
        if p is None or p.last_active_day is None:
            found[employee_id] = Streak()
            continue
        saved = Streak(p.streak, p.best_streak, p.freezes, p.last_active_day)
        missed = missed_learning_days(
            calendar, p.last_active_day, today, leave.get(employee_id, set())
        )
        found[employee_id] = live(saved, missed)
    return found


async def weekly(
    session: AsyncSession, employee_ids: list[int], last_day: date, calendar: Any
) -> list[Week]:
    """The last `WEEKS` weeks (Monday to Sunday) up to `last_day`: days done, learners, streaks."""
    monday = last_day - timedelta(days=last_day.weekday())
    first = monday - timedelta(weeks=WEEKS - 1)
    replay_from = first - timedelta(weeks=REPLAY_WEEKS)
    days: dict[int, list[date]] = defaultdict(list)
    if employee_ids:
        rows = await session.execute(
            select(LearningDay.employee_id, LearningDay.day)
            .where(
                LearningDay.employee_id.in_(employee_ids),
                LearningDay.done_at.is_not(None),
                LearningDay.day >= replay_from,
                LearningDay.day <= last_day,
            )
            .order_by(LearningDay.day)
        )
        for employee_id, day in rows.all():
            days[employee_id].append(day)
    leave = await leave_days(session, list(days), replay_from, last_day) if days else {}
    starts = [first + timedelta(weeks=n) for n in range(WEEKS)]
    ends = [min(s + timedelta(days=6), last_day) for s in starts]
    done, learners, streaking = [0] * WEEKS, [0] * WEEKS, [0] * WEEKS
    for employee_id, learnt in days.items():
        off = leave.get(employee_id, set())
        streak, i = Streak(), 0
        for n, end in enumerate(ends):
            active = False
            # Replay the days up to this week's end once, in order (lessons/quiz.py's rule).
            while i < len(learnt) and learnt[i] <= end:
                d, i = learnt[i], i + 1
                if d >= starts[n]:
                    done[n] += 1
                    active = True
                if is_learning_day(calendar, d, off):
                    missed = (
                        missed_learning_days(calendar, streak.last_day, d, off)
                        if streak.last_day
                        else 0
                    )
                    streak = record_day(streak, d, missed)
            learners[n] += active
            if streak.last_day is not None:
                after = end + timedelta(days=1)
                now = live(streak, missed_learning_days(calendar, streak.last_day, after, off))
                streaking[n] += now.current > 0
    return [Week(starts[n], done[n], learners[n], streaking[n]) for n in range(WEEKS)]


def by_unit(people: list[Person], names: dict[str, str]) -> list[UnitFigures]:
    groups: dict[str, list[Person]] = defaultdict(list)
    for p in people:
        groups[p.row.unit_code].append(p)
    figures = []
    for code, members in sorted(groups.items()):
        minimum = [m for m in members if not m.projection.ceiling]
        figures.append(
            UnitFigures(
                code=code,
                name=names.get(code, code),
                people=len(members),
                jp_avg=sum(m.row.jp_total for m in members) / len(members),
                projected_avg=sum(m.projection.projected for m in members) / len(members),
                met=sum(m.row.target_met for m in minimum),
                behind=sum(not m.projection.on_track for m in minimum),
            )
        )
    return figures


async def learning_view(
    session: AsyncSession,
    scope: Scope,
    *,
    year: int,
    unit: str | None,
    today: date,
    settings: JPSettings,
    calendar: Any,
) -> LearningView:
    rows, ids = await scoped_rows(session, scope, year, settings, unit)
    on = reference_day(year, today)
    employee_ids = [ids[r.nip] for r in rows]
    streaks = await streaks_on(session, employee_ids, today, calendar)
    people = [
        Person(
            row=r,
            employee_id=ids[r.nip],
            projection=project(
                r.jp_total, r.jp_target, on, calendar, ceiling=is_ceiling(r.employment)
            ),
            streak=streaks[ids[r.nip]],
        )
        for r in rows
    ]
    people.sort(key=lambda p: (p.projection.ceiling, p.pace, p.row.jp_total, p.row.name))
    names = dict((await session.execute(select(OrgUnit.code, OrgUnit.name))).all())
    view = LearningView(year=year, today=today, people=people, units=by_unit(people, names))
    count = len(people) or 1
    view.competency_avg = {
        c: sum(getattr(p.row, f"jp_{c}") for p in people) / count for c in COMPETENCIES
    }
    view.weeks = await weekly(session, employee_ids, on, calendar)
    return view
