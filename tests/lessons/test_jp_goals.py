"""A PNS's 20 JP is a minimum to reach; a PPPK's 24 JP is a ceiling (PP 49/2018 Ps. 39).

The advice is one a person can follow: minutes a day while that is a habit, other training
when daily lessons cannot close the gap. December 2026 has 20 working days after the 1st
(22 weekdays less Christmas and the cuti bersama on the 24th).
"""

from __future__ import annotations

from datetime import date

from core.settings import Settings
from core.workdays import WorkCalendar
from lessons.jp import is_ceiling, project, target_for
from lessons.summary import projection_text

CAL = WorkCalendar()
SETTINGS = Settings(_env_file=None)
TODAY = date(2026, 12, 1)


def test_pns_need_at_least_twenty_and_pppk_may_have_at_most_twenty_four() -> None:
    assert (target_for("PNS", SETTINGS), is_ceiling("PNS")) == (20.0, False)
    assert (target_for("CPNS", SETTINGS), is_ceiling("CPNS")) == (20.0, False)
    assert (target_for("PPPK", SETTINGS), is_ceiling("PPPK")) == (24.0, True)


def test_a_small_gap_is_advised_as_minutes_a_day() -> None:
    p = project(15.0, 20.0, TODAY, CAL)
    assert p.days_left == 20
    text = projection_text(p, SETTINGS)
    # 5 JP = 225 minutes over 20 working days: 11.25, rounded up to 12 minutes a day.
    assert "kurang 5.0 JP" in text.id
    assert "Cukup sekitar 12 menit belajar per hari kerja sampai akhir tahun" in text.id
    assert "(20 hari kerja lagi), atau 1 pelatihan lagi (±8 JP)." in text.id
    assert "About 12 minutes of learning per working day" in text.en
    assert "JP per hari kerja" not in text.id


def test_a_gap_daily_lessons_cannot_close_points_to_other_training() -> None:
    text = projection_text(project(2.0, 20.0, TODAY, CAL), SETTINGS)
    # 18 JP = 810 minutes = 13.5 hours; 40.5 minutes a day would be no habit.
    assert "Pelajaran harian saja tidak cukup" in text.id
    assert "sekitar 13.5 jam (18.0 JP)" in text.id
    assert "menit belajar per hari kerja" not in text.id
    # 15 minutes a day over 20 working days = 300 minutes = 6.7 JP; the other 11.3 JP are
    # two trainings of about 8 JP.
    assert "misalnya 2 pelatihan lagi (±8 JP) dan 15 menit sehari" in text.id
    assert "e.g. 2 more trainings (±8 JP) and 15 minutes a day" in text.en


def test_on_the_last_working_day_the_gap_is_training_not_minutes() -> None:
    text = projection_text(project(19.5, 20.0, date(2026, 12, 31), CAL), SETTINGS)
    assert "kurang 0.5 JP" in text.id
    assert "sekitar 0.4 jam (0.5 JP), misalnya 1 pelatihan lagi (±8 JP), dan" in text.id


def test_a_pppk_below_the_ceiling_is_never_behind() -> None:
    p = project(6.0, 24.0, TODAY, CAL, ceiling=True)
    assert p.on_track
    text = projection_text(p, SETTINGS)
    assert "Sisa kesempatan pengembangan kompetensi tahun ini: 18.0 JP" in text.id
    assert "PP 49/2018 Ps. 39" in text.id
    assert "Belum sesuai jalur" not in text.id


def test_a_pns_behind_is_not_on_track_but_the_same_jp_as_pppk_is() -> None:
    assert not project(6.0, 20.0, TODAY, CAL).on_track
    assert project(6.0, 24.0, TODAY, CAL, ceiling=True).on_track
