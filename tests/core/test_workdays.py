from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest

from core.workdays import ZONES, WorkCalendar, zone

WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_weekends_are_not_working_days(cal: WorkCalendar) -> None:
    assert cal.is_working_day(date(2026, 11, 28)) is False  # Saturday
    assert cal.is_working_day(date(2026, 11, 29)) is False  # Sunday
    assert cal.is_working_day(date(2026, 11, 30)) is True  # Monday


def test_national_holidays_are_named_days_off(cal: WorkCalendar) -> None:
    assert cal.is_holiday(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    assert cal.is_holiday(date(2026, 12, 25)) == "Hari Raya Natal"
    assert cal.is_working_day(date(2026, 8, 17)) is False
    assert cal.is_holiday(date(2026, 11, 30)) is None


def test_cuti_bersama_from_the_override_file_are_days_off(cal: WorkCalendar) -> None:
    assert cal.cuti_bersama(2026) == [
        date(2026, 2, 16),
        date(2026, 3, 18),
        date(2026, 3, 20),
        date(2026, 3, 23),
        date(2026, 3, 24),
        date(2026, 5, 15),
        date(2026, 5, 28),
        date(2026, 12, 24),
    ]
    assert cal.is_cuti_bersama(date(2026, 12, 24)) is True
    assert cal.is_working_day(date(2026, 12, 24)) is False
    assert cal.is_holiday(date(2026, 12, 24)) == "Cuti Bersama Hari Raya Natal"
    assert cal.is_cuti_bersama(date(2026, 12, 25)) is False  # a national holiday, not leave


@pytest.mark.parametrize("year", [2025, 2026])
def test_shipped_cuti_bersama_match_the_holidays_package(cal: WorkCalendar, year: int) -> None:
    # If this fails after upgrading `holidays`, one of the two is out of date: HR checks the SKB.
    package = sorted(holidays.country_holidays("ID", years=year, categories=("government",)))
    assert cal.cuti_bersama(year) == package


def test_years_without_an_override_use_the_packages_cuti_bersama(cal: WorkCalendar) -> None:
    assert date(2027, 12, 24) in cal.cuti_bersama(2027)


def test_custom_override_file_adds_and_removes_days_off(tmp_path: Path) -> None:
    overrides = tmp_path / "city.yaml"
    overrides.write_text(
        "years:\n"
        "  2026:\n"
        "    add_holidays: {2026-06-15: Hari Jadi Kota}\n"
        "    remove_holidays: [2026-05-01]\n"
        "    cuti_bersama: [2026-12-24]\n",
        encoding="utf-8",
    )
    cal = WorkCalendar(overrides)

    assert cal.is_holiday(date(2026, 6, 15)) == "Hari Jadi Kota"
    assert cal.is_working_day(date(2026, 6, 15)) is False
    assert cal.is_cuti_bersama(date(2026, 6, 15)) is False
    assert cal.is_working_day(date(2026, 5, 1)) is True
    assert cal.cuti_bersama(2026) == [date(2026, 12, 24)]
    assert cal.is_working_day(date(2026, 3, 20)) is True  # no longer cuti bersama
    assert cal.office_start(date(2026, 6, 17)) == time(7, 30)  # shipped hours still apply


def test_override_dates_filed_under_another_year_are_rejected(tmp_path: Path) -> None:
    overrides = tmp_path / "typo.yaml"
    overrides.write_text("years:\n  2026:\n    cuti_bersama: [2025-12-24]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="another year"):
        WorkCalendar(overrides)


def test_working_days_across_a_year_boundary(cal: WorkCalendar) -> None:
    # 1 Jan is New Year and 5 Jan 2027 is Isra Mi'raj: 29, 30, 31 Dec and 4 Jan remain.
    assert cal.working_days_between(date(2026, 12, 29), date(2027, 1, 5)) == 4


def test_working_days_between_is_inclusive_and_zero_when_reversed(cal: WorkCalendar) -> None:
    assert cal.working_days_between(date(2026, 11, 30), date(2026, 11, 30)) == 1
    assert cal.working_days_between(date(2026, 12, 1), date(2026, 11, 30)) == 0


def test_add_working_days_from_a_friday_ends_on_monday(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2026, 11, 27), 2) == date(2026, 11, 30)


def test_add_working_days_skips_a_long_weekend(cal: WorkCalendar) -> None:
    # Thu 14 May 2026 Ascension, Fri 15 cuti bersama, then the weekend.
    assert cal.add_working_days(date(2026, 5, 14), 2) == date(2026, 5, 19)


def test_next_working_day(cal: WorkCalendar) -> None:
    assert cal.next_working_day(date(2026, 11, 30)) == date(2026, 11, 30)
    assert cal.next_working_day(date(2026, 11, 30), include_today=False) == date(2026, 12, 1)
    assert cal.next_working_day(date(2026, 12, 24)) == date(2026, 12, 28)


def test_office_opens_later_and_closes_earlier_in_ramadan(cal: WorkCalendar) -> None:
    assert cal.office_start(date(2026, 3, 2)) == time(8, 0)
    assert cal.office_end(date(2026, 3, 2)) == time(15, 0)
    assert cal.office_start(date(2026, 4, 6)) == time(7, 30)
    assert cal.office_end(date(2026, 4, 6)) == time(16, 0)
    assert cal.office_end(date(2026, 4, 10)) == time(16, 30)  # Friday


def test_ramadan_dates_given_in_code_replace_the_files() -> None:
    cal = WorkCalendar(ramadan={2026: (date(2026, 2, 18), date(2026, 3, 19))})
    assert cal.office_start(date(2026, 2, 18)) == time(8, 0)


def test_days_off_have_no_office_hours(cal: WorkCalendar) -> None:
    assert cal.office_hours(date(2026, 8, 17)) is None
    with pytest.raises(ValueError, match="not a working day"):
        cal.office_start(date(2026, 11, 28))


def test_working_hours_across_a_weekend(cal: WorkCalendar) -> None:
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=WIB)
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=WIB)
    assert cal.working_hours_between(friday, monday, WIB) == 4.0  # 1.5 Friday + 2.5 Monday


def test_add_working_hours_continues_on_the_next_working_day(cal: WorkCalendar) -> None:
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=WIB)
    assert cal.add_working_hours(friday, 8, "WIB") == datetime(2026, 11, 30, 14, 0, tzinfo=WIB)


def test_add_working_hours_ending_at_closing_time_stays_on_that_day(cal: WorkCalendar) -> None:
    monday = datetime(2026, 11, 30, 7, 30, tzinfo=WIB)
    assert cal.add_working_hours(monday, 8.5, WIB) == datetime(2026, 11, 30, 16, 0, tzinfo=WIB)


def test_working_hours_follow_the_offices_time_zone(cal: WorkCalendar) -> None:
    start = datetime(2026, 11, 30, 7, 0, tzinfo=WIB)  # 08:00 in Makassar
    end = datetime(2026, 11, 30, 8, 0, tzinfo=WIB)
    assert cal.working_hours_between(start, end, "WIB") == 0.5
    assert cal.working_hours_between(start, end, "WITA") == 1.0


def test_naive_datetimes_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.working_hours_between(datetime(2026, 11, 30, 8), datetime(2026, 11, 30, 9), WIB)


def test_zone_names_map_to_iana_zones() -> None:
    assert {name: zone(name) for name in ZONES} == {
        "WIB": ZoneInfo("Asia/Jakarta"),
        "WITA": ZoneInfo("Asia/Makassar"),
        "WIT": ZoneInfo("Asia/Jayapura"),
    }
