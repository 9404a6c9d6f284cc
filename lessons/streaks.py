"""Streaks of learning days: only working days count, and freezes cover a missed day or two.

Weekends, holidays, cuti bersama and the employee's own leave are simply not learning days,
so they can never break a streak. Every `FREEZE_EVERY` days in a row earn a freeze (at most
`MAX_FREEZES`); a freeze is spent on one missed learning day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

FREEZE_EVERY = 5
MAX_FREEZES = 2


@dataclass(frozen=True, slots=True)
class Streak:
    current: int = 0
    best: int = 0
    freezes: int = 0
    last_day: date | None = None


def record_day(streak: Streak, day: date, missed: int) -> Streak:
    """The streak after learning on `day`, with `missed` learning days since the last one."""
    if streak.last_day is not None and day <= streak.last_day:
        return streak
    freezes = streak.freezes
    if streak.last_day is None or missed > freezes:
        current, freezes = 1, freezes if streak.last_day is None else 0
    else:
        current, freezes = streak.current + 1, freezes - missed
    if current % FREEZE_EVERY == 0:
        freezes = min(MAX_FREEZES, freezes + 1)
    return Streak(current, max(streak.best, current), freezes, day)


def live(streak: Streak, missed: int) -> Streak:
    """The streak as it stands today, `missed` learning days after the last one (before today)."""
    if streak.last_day is None or missed <= streak.freezes:
        return streak
    return replace(streak, current=0)
