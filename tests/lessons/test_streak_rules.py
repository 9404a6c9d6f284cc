"""Streaks count learning days only; freezes cover missed ones; breaks reset."""

from __future__ import annotations

from datetime import date

from core.workdays import WorkCalendar
from lessons.daysoff import missed_learning_days
from lessons.streaks import MAX_FREEZES, Streak, live, record_day

CAL = WorkCalendar()


def learn_on(days: list[date], leave: frozenset[date] = frozenset()) -> Streak:
    streak = Streak()
    for day in days:
        missed = (
            missed_learning_days(CAL, streak.last_day, day, set(leave)) if streak.last_day else 0
        )
        streak = record_day(streak, day, missed)
    return streak


def test_a_weekend_does_not_break_a_streak() -> None:
    # Thursday, Friday, then Monday: no learning day was missed.
    streak = learn_on([date(2026, 12, 3), date(2026, 12, 4), date(2026, 12, 7)])
    assert streak.current == 3


def test_a_national_holiday_and_cuti_bersama_do_not_break_a_streak() -> None:
    # 24 Dec 2026 is cuti bersama and 25 Dec is Christmas: Wednesday 23rd then Monday 28th.
    assert not CAL.is_working_day(date(2026, 12, 24))
    assert not CAL.is_working_day(date(2026, 12, 25))
    streak = learn_on([date(2026, 12, 22), date(2026, 12, 23), date(2026, 12, 28)])
    assert streak.current == 3


def test_approved_leave_does_not_break_a_streak() -> None:
    leave = frozenset({date(2026, 12, 8), date(2026, 12, 9)})
    streak = learn_on([date(2026, 12, 7), date(2026, 12, 10)], leave)
    assert streak.current == 2


def test_a_missed_working_day_without_a_freeze_restarts_the_streak() -> None:
    streak = learn_on([date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 4)])
    assert (streak.current, streak.best) == (1, 2)


def test_five_days_in_a_row_earn_a_freeze_that_covers_one_missed_day() -> None:
    week = [date(2026, 11, 30 + i) if i == 0 else date(2026, 12, i) for i in range(5)]
    streak = learn_on(week)
    assert (streak.current, streak.freezes) == (5, 1)
    # Monday 7 December missed; Tuesday continues the streak and spends the freeze.
    after = learn_on([*week, date(2026, 12, 8)])
    assert (after.current, after.freezes) == (6, 0)


def test_freezes_are_capped() -> None:
    days, d = [], date(2026, 1, 5)
    while len(days) < 30:
        if CAL.is_working_day(d):
            days.append(d)
        d = date.fromordinal(d.toordinal() + 1)
    assert learn_on(days).freezes == MAX_FREEZES


def test_learning_twice_the_same_day_counts_once() -> None:
    assert learn_on([date(2026, 12, 1), date(2026, 12, 1)]).current == 1


def test_a_streak_shows_as_broken_once_missed_days_exceed_freezes() -> None:
    streak = Streak(current=3, best=3, freezes=0, last_day=date(2026, 12, 1))
    assert live(streak, 0).current == 3
    assert live(streak, 1).current == 0
