"""Quiz answers are graded against the content's answer key, and a miss reaches the scheduler.

The answer keys are copied by hand from lessons/content/berakhlak/01-pengantar.questions.yaml
(`answer` there counts from 1; `choice` here from 0), so a grader that says "right" to
everything, or accepts part of a multi-answer pick, fails these tests.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.app import App
from core.clock import FixedClock
from core.storage.models import LearningDay, QuizAnswer, ReviewCard
from lessons.quiz import answer
from tests.support.learning import employee

DAY = date(2026, 12, 1)
SINGLE = "berakhlak-01-q1"  # the right option is "SE MenPANRB Nomor 20 Tahun 2021", index 0
MULTI = "berakhlak-01-q2"  # Akuntabel, Harmonis, Adaptif: indices 0, 1, 3 ("Hemat" is 2)
TRUE_FALSE = "berakhlak-01-q3"  # true


async def _grade(ayo: App, clock: FixedClock, question_id: str, choice: list[int]):
    """Answer one question of a fresh day; returns (outcome, the stored answer, the card)."""
    dimas = await employee(ayo, "Dimas Prasetyo")
    async with ayo.db.transaction() as session:
        plan = LearningDay(employee_id=dimas.id, day=DAY, question_ids=[question_id])
        plan.picked, plan.created_at = [], clock()
        session.add(plan)
        await session.flush()
        outcome = await answer(
            session,
            employee=dimas,
            plan=plan,
            question_id=question_id,
            choice=choice,
            now=clock(),
            settings=ayo.settings,
            calendar=ayo.deps.calendar,
        )
        day_correct = plan.correct
    async with ayo.db.sessions() as session:
        stored = await session.get(QuizAnswer, 1)
        card = await session.get(ReviewCard, (dimas.id, question_id))
    return outcome, day_correct, stored, card


@pytest.mark.parametrize("wrong", [[1], [2], [3]])
async def test_a_wrong_single_choice_is_graded_wrong(
    ayo: App, clock: FixedClock, wrong: list[int]
) -> None:
    outcome, day_correct, stored, _ = await _grade(ayo, clock, SINGLE, wrong)
    assert outcome is not None
    assert outcome.correct is False
    assert day_correct == 0
    assert stored.correct is False


async def test_the_right_single_choice_is_graded_right(ayo: App, clock: FixedClock) -> None:
    outcome, day_correct, stored, _ = await _grade(ayo, clock, SINGLE, [0])
    assert outcome.correct is True
    assert day_correct == 1
    assert stored.correct is True


@pytest.mark.parametrize(
    "picks",
    [[0], [0, 1], [1, 3], [0, 1, 2, 3], [0, 1, 2], []],
    ids=["one-of-three", "two-of-three", "another-two", "all-four", "three-with-a-wrong", "none"],
)
async def test_a_partial_or_padded_multi_answer_is_wrong(
    ayo: App, clock: FixedClock, picks: list[int]
) -> None:
    outcome, day_correct, stored, _ = await _grade(ayo, clock, MULTI, picks)
    assert outcome.correct is False
    assert day_correct == 0
    assert stored.correct is False


async def test_exactly_the_right_multi_answer_is_right_in_any_order(
    ayo: App, clock: FixedClock
) -> None:
    outcome, _, stored, _ = await _grade(ayo, clock, MULTI, [3, 0, 1])
    assert outcome.correct is True
    assert stored.choice == [0, 1, 3]


async def test_true_false_is_graded_by_its_key(ayo: App, clock: FixedClock) -> None:
    # True/false questions show "Benar" first (index 0) and "Salah" second (index 1).
    wrong, _, _, _ = await _grade(ayo, clock, TRUE_FALSE, [1])
    assert wrong.correct is False


async def test_a_miss_brings_the_question_back_tomorrow_and_resets_its_run(
    ayo: App, clock: FixedClock
) -> None:
    _, _, _, card = await _grade(ayo, clock, SINGLE, [2])
    assert card.due == clock() + timedelta(days=1)
    assert card.good_in_a_row == 0
    assert card.reviews == 1


async def test_a_right_answer_waits_longer_than_a_day(ayo: App, clock: FixedClock) -> None:
    _, _, _, card = await _grade(ayo, clock, SINGLE, [0])
    assert card.due >= clock() + timedelta(days=2)
    assert card.good_in_a_row == 1
