"""Where a finished development proposal lands in the JP ledger.

One small function, so that it can be pointed at the learning records of kinds
external / classroom / on-the-job (lessons/learning_records.py) once they exist: today it
writes a `LearningEvent` without a lesson, which the year's progress already counts.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import LearningEvent
from lessons.jp import JPSettings

# The ledger kind of each proposal kind: a classroom training, or external learning.
RECORD_KIND = {"pelatihan": "classroom", "seminar": "classroom"}
ACTIVITY = {"classroom": "pelatihan klasikal", "external": "pelatihan nonklasikal"}


def record_kind(proposal_kind: str) -> str:
    return RECORD_KIND.get(proposal_kind, "external")


def record_training(
    session: AsyncSession,
    *,
    employee_id: int,
    proposal_kind: str,
    competency: str,
    title: str,
    provider: str,
    start: date,
    end: date,
    jp: float,
    ref: str,
    verified_by: int | None,
    now: datetime,
    settings: JPSettings,
) -> LearningEvent:
    """Add a finished training or course to the ledger, `jp` converted back to minutes."""
    kind = record_kind(proposal_kind)
    event = LearningEvent(
        employee_id=employee_id,
        lesson_id=None,
        activity_type=ACTIVITY[kind],
        competency=competency,
        provider=provider[:120],
        material=title[:300],
        start_date=start,
        end_date=end,
        minutes=round(jp * settings.minutes_per_jp),
        jp=jp,
        evidence={"kind": kind, "source": "proposal", "ref": ref, "verified_by": verified_by},
        created_at=now,
    )
    session.add(event)
    return event
