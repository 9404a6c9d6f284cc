from __future__ import annotations

from datetime import date, datetime, time

import pytest

from intents import Entities, extract_entities
from tests.intents.conftest import JAKARTA


def test_besok_with_duration_fills_start_end_and_days(now: datetime) -> None:
    found = extract_entities("sy mau cuti bsk 2 hr", now)
    assert (found.start_date, found.end_date, found.duration_days) == (
        date(2025, 11, 29),
        date(2025, 11, 30),
        2.0,
    )


def test_day_of_month_already_past_means_next_month(now: datetime) -> None:
    assert extract_entities("tgl 5", now).start_date == date(2025, 12, 5)


def test_range_with_month_gives_both_ends(now: datetime) -> None:
    found = extract_entities("cuti 12-14 des", now)
    assert (found.start_date, found.end_date, found.duration_days) == (
        date(2025, 12, 12),
        date(2025, 12, 14),
        3.0,
    )


def test_january_range_asked_in_late_december_is_next_year() -> None:
    found = extract_entities("5-7 jan", datetime(2025, 12, 28, 10, tzinfo=JAKARTA))
    assert (found.start_date, found.end_date) == (date(2026, 1, 5), date(2026, 1, 7))


def test_tomorrow_on_new_years_eve_is_the_first_of_january() -> None:
    found = extract_entities("besok", datetime(2025, 12, 31, 20, tzinfo=JAKARTA))
    assert found.start_date == date(2026, 1, 1)


def test_utc_evening_is_already_tomorrow_in_jakarta() -> None:
    from datetime import UTC

    late_utc = datetime(2025, 12, 31, 18, 0, tzinfo=UTC)  # 01:00 on 1 January in Jakarta
    assert extract_entities("hari ini", late_utc).start_date == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("senin depan", date(2025, 12, 1)),
        ("next monday", date(2025, 12, 1)),
        ("lusa", date(2025, 11, 30)),
        ("tomorrow", date(2025, 11, 29)),
        ("1 Desember 2026", date(2026, 12, 1)),
        ("dec 3rd", date(2025, 12, 3)),
        ("30 nov - 2 des", date(2025, 11, 30)),
    ],
)
def test_single_dates_in_indonesian_and_english(text: str, expected: date, now: datetime) -> None:
    assert extract_entities(text, now).start_date == expected


def test_next_week_means_its_working_days(now: datetime) -> None:
    found = extract_entities("minggu depan", now)
    assert (found.start_date, found.end_date) == (date(2025, 12, 1), date(2025, 12, 5))


@pytest.mark.parametrize(
    ("text", "days"),
    [("3 hari", 3.0), ("2 hr", 2.0), ("setengah hari", 0.5), ("seminggu", 7.0), ("dua hari", 2.0)],
)
def test_durations_are_counted_in_days(text: str, days: float, now: datetime) -> None:
    assert extract_entities(text, now).duration_days == days


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jam 10", time(10)),
        ("jam 2 siang", time(14)),
        ("pukul 7.30", time(7, 30)),
        ("3 pm", time(15)),
    ],
)
def test_times_of_day(text: str, expected: time, now: datetime) -> None:
    assert extract_entities(text, now).time == expected


def test_a_bare_month_is_the_latest_one_already_begun(now: datetime) -> None:
    assert (
        extract_entities("slip gaji nov", now).month,
        extract_entities("slip gaji nov", now).year,
    ) == (11, 2025)
    dec = extract_entities("slip gaji des", now)
    assert (dec.month, dec.year) == (12, 2024)


def test_reason_follows_a_comma_and_permit_type_is_read(now: datetime) -> None:
    found = extract_entities("ijin telat, ban bocor", now)
    assert (found.permit_type, found.reason) == ("late", "ban bocor")


def test_leave_type_and_reason_from_a_full_request(now: datetime) -> None:
    found = extract_entities("cuti tahunan 12-14 des, pulang kampung", now)
    assert (found.leave_type, found.reason) == ("annual", "pulang kampung")


def test_purpose_word_followed_by_a_duration_is_not_a_reason(now: datetime) -> None:
    found = extract_entities("cuti untuk 3 hari karena acara keluarga", now)
    assert (found.duration_days, found.reason) == (3.0, "acara keluarga")


def test_cause_after_karena_does_not_change_the_permit_type(now: datetime) -> None:
    found = extract_entities("izin tidak masuk karena sakit", now)
    assert (found.permit_type, found.reason) == ("absent", "sakit")


def test_a_form_answer_of_one_number_is_just_a_number(now: datetime) -> None:
    assert extract_entities("3", now) == Entities(numbers=(3.0,))


def test_may_as_an_english_verb_is_not_a_month(now: datetime) -> None:
    assert extract_entities("may i see my payslip", now).month is None


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        extract_entities("besok", datetime(2025, 1, 1))
