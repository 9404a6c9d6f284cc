"""Reading a reminder time from an answer, and the hours a reminder may use."""

from __future__ import annotations

from datetime import time

import pytest

from lessons.reminders import OUT_OF_HOURS, UNREADABLE, find_clock, problem_with, read_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", time(7)),
        ("07.30", time(7, 30)),
        ("jam 7 pagi", time(7)),
        ("pukul 19:30", time(19, 30)),
        ("jam 2 siang", time(14)),
        ("jam 11 siang", time(11)),
        ("6 sore", time(18)),
        ("8 WIB", time(8)),
    ],
)
def test_an_answer_that_is_only_a_time_is_read(text: str, expected: time) -> None:
    assert read_time(text) == expected


@pytest.mark.parametrize("text", ["besok saja", "25.00", "jam 7 lewat", "2 hari", ""])
def test_anything_else_is_not_a_time(text: str) -> None:
    assert read_time(text) is None


def test_only_a_clock_time_is_taken_from_a_sentence() -> None:
    assert find_clock("ingatkan belajar 06.45 ya") == time(6, 45)
    assert find_clock("ingatkan saya belajar 5 menit") is None


def test_reminders_stay_between_five_in_the_morning_and_nine_at_night() -> None:
    assert problem_with(time(5)) is None
    assert problem_with(time(21)) is None
    assert problem_with(time(4, 59)) == OUT_OF_HOURS
    assert problem_with(time(21, 1)) == OUT_OF_HOURS
    assert problem_with(None) == UNREADABLE
