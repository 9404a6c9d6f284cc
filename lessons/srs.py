"""Spaced repetition with FSRS: each question an employee met is a card that comes back.

Ayo asks at most once a day, so the minute-long learning steps of flashcard apps are dropped:
a right answer schedules the card days ahead, a wrong one brings it back the next day.
A card retires once it was answered right several times in a row with a long stability.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fsrs import Card, Rating, Scheduler

RETIRE_AFTER_GOOD = 3
RETIRE_STABILITY_DAYS = 60.0

_SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


@dataclass(frozen=True, slots=True)
class Review:
    card: dict[str, Any]
    due: datetime
    good_in_a_row: int
    retired: bool


def new_card(now: datetime) -> dict[str, Any]:
    """A card never reviewed, due at once."""
    return Card(due=now).to_dict()


def review(
    card: dict[str, Any] | None, *, correct: bool, good_in_a_row: int, now: datetime
) -> Review:
    """Schedule a card after an answer: right → Good, wrong → Again."""
    current = Card.from_dict(card) if card else Card(due=now)
    rating = Rating.Good if correct else Rating.Again
    updated, _log = _SCHEDULER.review_card(current, rating, now)
    streak = good_in_a_row + 1 if correct else 0
    stability = updated.stability or 0.0
    retired = streak >= RETIRE_AFTER_GOOD and stability >= RETIRE_STABILITY_DAYS
    return Review(card=updated.to_dict(), due=updated.due, good_in_a_row=streak, retired=retired)
