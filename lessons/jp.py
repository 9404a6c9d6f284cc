"""JP (jam pelajaran): minutes turned into JP, yearly targets, and whether a pace reaches them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from lessons.catalog import COMPETENCIES


class JPSettings(Protocol):
    minutes_per_jp: int
    jp_target_pns: float
    jp_target_pppk: float


class Calendar(Protocol):
    def working_days_between(self, start: date, end: date) -> int: ...


def to_jp(minutes: float, settings: JPSettings) -> float:
    """JP for `minutes` of learning (45 minutes a JP by default)."""
    return minutes / settings.minutes_per_jp


def target_for(employment: str, settings: JPSettings) -> float:
    """The yearly JP figure: a PNS's minimum, a PPPK's maximum.

    PNS (and CPNS): at least 20 JP a year (PP 11/2017 Ps. 203 ayat (4)). PPPK: competency
    development "paling lama 24 jam pelajaran" a year of the contract (PP 49/2018 Ps. 39): a
    ceiling on what the employer must give, not a quota the employee must reach.
    """
    return settings.jp_target_pppk if employment == "PPPK" else settings.jp_target_pns


def is_ceiling(employment: str) -> bool:
    """Whether `target_for` is a maximum (PPPK) rather than a minimum to reach (PNS)."""
    return employment == "PPPK"


@dataclass(frozen=True, slots=True)
class Projection:
    jp: float
    target: float
    projected: float
    days_elapsed: int  # working days of the year up to and including today
    days_left: int  # working days after today until 31 December
    ceiling: bool = False  # the target is a maximum (PPPK): nobody is "behind" it

    @property
    def on_track(self) -> bool:
        return self.ceiling or self.projected >= self.target - 1e-9

    @property
    def jp_per_day_needed(self) -> float:
        """JP per remaining working day still needed to reach the target (0 when reached)."""
        missing = max(0.0, self.target - self.jp)
        if missing == 0:
            return 0.0
        return missing / self.days_left if self.days_left else missing


def project(
    jp: float, target: float, today: date, calendar: Calendar, *, ceiling: bool = False
) -> Projection:
    """Project JP to year end at the pace of the working days so far this year."""
    start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    elapsed = calendar.working_days_between(start, today)
    left = calendar.working_days_between(today + timedelta(days=1), end)
    projected = jp + (jp / elapsed) * left if elapsed else jp
    return Projection(jp, target, projected, elapsed, left, ceiling)


def by_competency(minutes: dict[str, float], settings: JPSettings) -> dict[str, float]:
    """JP per competency type, every type present (0 when none)."""
    return {c: to_jp(minutes.get(c, 0.0), settings) for c in sorted(COMPETENCIES)}
