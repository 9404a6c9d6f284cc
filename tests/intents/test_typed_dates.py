"""Durations and dates as people type them, read on Wednesday 2 December 2026 in Jakarta."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from intents import extract_entities
from tests.intents.conftest import JAKARTA

WEDNESDAY = datetime(2026, 12, 2, 9, 0, tzinfo=JAKARTA)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("cuti 3hr", 3.0),
        ("cuti 3hari", 3.0),
        ("cuti 3 hr", 3.0),
        ("cuti 2 mgg", 14.0),
        ("cuti 2mgg", 14.0),
        ("cuti setengah hari", 0.5),
        ("cuti stgh hari", 0.5),
        ("cuti 1/2 hari", 0.5),
    ],
)
def test_a_duration_glued_or_abbreviated_is_counted_in_days(text: str, days: float) -> None:
    found = extract_entities(text, WEDNESDAY)
    assert (found.duration_days, found.start_date) == (days, None)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("cuti 7 s.d. 9 des", date(2026, 12, 7), date(2026, 12, 9)),
        ("cuti 7 s/d 9 des", date(2026, 12, 7), date(2026, 12, 9)),
        ("cuti 7 sd 9 des", date(2026, 12, 7), date(2026, 12, 9)),
        ("cuti 7 sampai 9 des", date(2026, 12, 7), date(2026, 12, 9)),
        ("cuti 7-9 des", date(2026, 12, 7), date(2026, 12, 9)),
        ("cuti 7 - 9 des", date(2026, 12, 7), date(2026, 12, 9)),
        ("cuti 7 des s.d. 11 des", date(2026, 12, 7), date(2026, 12, 11)),
        # March 2026 is past: the next March (the leave form then asks which year).
        ("tgl 3-5 mrt", date(2027, 3, 3), date(2027, 3, 5)),
        ("senin depan", date(2026, 12, 7), None),
        ("minggu depan", date(2026, 12, 7), date(2026, 12, 11)),
        ("minggu depan 3hr", date(2026, 12, 7), date(2026, 12, 9)),
        ("lusa 3hr", date(2026, 12, 4), date(2026, 12, 6)),
        ("besok setengah hari", date(2026, 12, 3), None),
        ("cuti 1/2 hari besok", date(2026, 12, 3), None),
        ("besok s.d. jumat", date(2026, 12, 3), date(2026, 12, 4)),
        ("besok sampai lusa", date(2026, 12, 3), date(2026, 12, 4)),
        ("kamis - jumat", date(2026, 12, 3), date(2026, 12, 4)),
        ("izin besok-jumat", date(2026, 12, 3), date(2026, 12, 4)),
        ("jumat sampai senin", date(2026, 12, 4), date(2026, 12, 7)),
        # "depan" at the end belongs to the whole range, and at the start too.
        ("senin sampai rabu depan", date(2026, 12, 7), date(2026, 12, 9)),
        ("senin depan sampai rabu", date(2026, 12, 7), date(2026, 12, 9)),
        ("selasa depan - kamis depan", date(2026, 12, 8), date(2026, 12, 10)),
    ],
)
def test_dates_and_ranges_as_typed(text: str, start: date, end: date | None) -> None:
    found = extract_entities(text, WEDNESDAY)
    assert (found.start_date, found.end_date) == (start, end)


def test_a_range_without_a_month_needs_tanggal() -> None:
    # "3-5" alone could be a count or hours; "tgl 3-5" is this month's (or the next) days.
    assert extract_entities("cuti 3-5", WEDNESDAY).start_date is None
    found = extract_entities("cuti tgl 7-9", WEDNESDAY)
    assert (found.start_date, found.end_date) == (date(2026, 12, 7), date(2026, 12, 9))


def test_dateparser_reads_what_the_rules_do_not() -> None:
    assert extract_entities("the 3rd of next month", WEDNESDAY).start_date == date(2027, 1, 3)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("cuti tgl 5 bulan depan", date(2027, 1, 5), None),
        ("tgl 3-5 bulan depan", date(2027, 1, 3), date(2027, 1, 5)),
        ("tgl 20 bulan ini", date(2026, 12, 20), None),
    ],
)
def test_a_day_of_next_month_is_that_day_not_a_count_of_months(
    text: str, start: date, end: date | None
) -> None:
    found = extract_entities(text, WEDNESDAY)
    assert (found.start_date, found.end_date, found.duration_days) == (
        start,
        end,
        None if end is None else float((end - start).days + 1),
    )
