"""JP from minutes, targets per employment, and the year-end projection from the pace so far."""

from __future__ import annotations

from datetime import date

from core.settings import Settings
from core.workdays import WorkCalendar
from lessons.jp import project, target_for, to_jp

CAL = WorkCalendar()
SETTINGS = Settings(_env_file=None)


def test_minutes_per_jp_is_configuration() -> None:
    assert to_jp(45, SETTINGS) == 1.0
    assert to_jp(45, Settings(_env_file=None, minutes_per_jp=30)) == 1.5


def test_pppk_have_their_own_target() -> None:
    custom = Settings(_env_file=None, jp_target_pppk=12)
    assert target_for("PNS", custom) == 20.0
    assert target_for("PPPK", custom) == 12.0


def test_a_steady_pace_projects_past_the_target() -> None:
    # Half the working days of the year gone, 11 JP so far: about 22 by year end.
    today = date(2026, 7, 1)
    p = project(11.0, 20.0, today, CAL)
    assert p.on_track
    assert 20 < p.projected < 24


def test_the_projection_counts_what_is_done_not_only_the_total() -> None:
    p = project(5.0, 20.0, date(2026, 7, 1), CAL)
    assert not p.on_track
    assert p.jp_per_day_needed > 0


def test_on_the_last_working_day_the_projection_is_the_total() -> None:
    last = date(2026, 12, 31)
    p = project(19.5, 20.0, last, CAL)
    assert p.days_left == 0
    assert p.projected == 19.5
    assert not p.on_track
    assert p.jp_per_day_needed == 0.5


def test_a_reached_target_needs_nothing_more() -> None:
    p = project(21.0, 20.0, date(2026, 12, 30), CAL)
    assert p.on_track
    assert p.jp_per_day_needed == 0.0


def test_on_new_year_day_nothing_has_elapsed_yet() -> None:
    p = project(0.0, 20.0, date(2027, 1, 1), CAL)
    assert p.days_elapsed == 0
    assert p.projected == 0.0
