"""Learning progress per employee and year: JP by competency and source, lessons, accuracy.

Only verified learning records count (lessons/learning_records.py): a certificate waiting
for the supervisor, or one they rejected, is not in the ledger. Set-based: one query per
1000 employees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import LearningEvent, QuizAnswer
from lessons.jp import JPSettings, by_competency, to_jp
from lessons.learning_records import SOURCES, VERIFIED


@dataclass
class YearProgress:
    employee_id: int
    minutes: dict[str, float] = field(default_factory=dict)  # by competency type
    by_source: dict[str, float] = field(default_factory=dict)  # minutes by source
    lessons: int = 0  # Ayo micro-lessons completed
    records: int = 0  # verified learning records of every source
    answered: int = 0
    correct: int = 0

    @property
    def total_minutes(self) -> float:
        return sum(self.minutes.values())

    def jp(self, settings: JPSettings) -> float:
        return to_jp(self.total_minutes, settings)

    def jp_by_competency(self, settings: JPSettings) -> dict[str, float]:
        return by_competency(self.minutes, settings)

    def jp_by_source(self, settings: JPSettings) -> dict[str, float]:
        """JP per source, every source present (0 when none)."""
        return {s: to_jp(self.by_source.get(s, 0.0), settings) for s in SOURCES}

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None


async def year_progress(
    session: AsyncSession, employee_ids: Iterable[int], year: int
) -> dict[int, YearProgress]:
    """Each employee's learning in `year`, from the learning events and the quiz answers."""
    ids = list(employee_ids)
    found = {i: YearProgress(i) for i in ids}
    if not ids:
        return found
    first, last = date(year, 1, 1), date(year, 12, 31)
    for chunk in _chunks(ids, 1000):
        events = await session.execute(
            select(
                LearningEvent.employee_id,
                LearningEvent.competency,
                LearningEvent.source,
                func.sum(LearningEvent.minutes),
                func.count(LearningEvent.id),
            )
            .where(
                LearningEvent.employee_id.in_(chunk),
                LearningEvent.status == VERIFIED,
                LearningEvent.start_date >= first,
                LearningEvent.start_date <= last,
            )
            .group_by(LearningEvent.employee_id, LearningEvent.competency, LearningEvent.source)
        )
        for employee_id, competency, source, minutes, count in events:
            mine = found[employee_id]
            mine.minutes[competency] = mine.minutes.get(competency, 0.0) + float(minutes or 0)
            mine.by_source[source] = mine.by_source.get(source, 0.0) + float(minutes or 0)
            mine.records += int(count)
            if source == "ayo":
                mine.lessons += int(count)
        answers = await session.execute(
            select(QuizAnswer.employee_id, QuizAnswer.correct, func.count(QuizAnswer.id))
            .where(
                QuizAnswer.employee_id.in_(chunk),
                QuizAnswer.day >= first,
                QuizAnswer.day <= last,
            )
            .group_by(QuizAnswer.employee_id, QuizAnswer.correct)
        )
        for employee_id, correct, count in answers:
            found[employee_id].answered += int(count)
            if correct:
                found[employee_id].correct += int(count)
    return found


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
