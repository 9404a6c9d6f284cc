"""FSRS scheduling: a miss comes back sooner than a right answer; mastered cards retire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lessons import srs
from lessons.plan import choose_questions

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_a_missed_question_comes_back_sooner_than_a_right_one() -> None:
    right = srs.review(None, correct=True, good_in_a_row=0, now=NOW)
    wrong = srs.review(None, correct=False, good_in_a_row=0, now=NOW)
    assert wrong.due < right.due
    assert wrong.due - NOW <= timedelta(days=1)


def test_a_miss_after_good_answers_shortens_the_interval() -> None:
    first = srs.review(None, correct=True, good_in_a_row=0, now=NOW)
    second = srs.review(first.card, correct=True, good_in_a_row=1, now=first.due)
    missed = srs.review(second.card, correct=False, good_in_a_row=2, now=second.due)
    assert missed.due - second.due < second.due - first.due
    assert missed.good_in_a_row == 0


def test_a_card_answered_right_again_and_again_retires() -> None:
    card, good, now, retired_after = None, 0, NOW, None
    for n in range(1, 12):
        result = srs.review(card, correct=True, good_in_a_row=good, now=now)
        card, good, now = result.card, result.good_in_a_row, result.due
        if result.retired:
            retired_after = n
            break
    assert retired_after is not None
    assert retired_after >= srs.RETIRE_AFTER_GOOD


def test_due_reviews_come_first_and_the_lesson_still_gets_a_question() -> None:
    assert choose_questions(["r1", "r2", "r3", "r4"], ["l1", "l2"]) == ["r1", "r2", "l1"]
    assert choose_questions(["r1"], ["l1", "l2", "l3"]) == ["r1", "l1", "l2"]
    assert choose_questions([], ["l1", "l2", "l3", "l4"]) == ["l1", "l2", "l3"]
    assert choose_questions(["r1", "r2"], []) == ["r1", "r2"]
