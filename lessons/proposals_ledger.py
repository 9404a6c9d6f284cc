"""Where a finished development proposal lands in the JP ledger: a verified learning record.

A classroom training or seminar is a `classroom` record, a course or degree study an
`external` one (lessons/learning_records.py); the HR officer who marks it done verified it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import LearningEvent
from lessons import learning_records
from lessons.jp import JPSettings

# The ledger source of each proposal kind: a classroom training, or external learning.
RECORD_KIND = {"pelatihan": "classroom", "seminar": "classroom"}


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
    """Add a finished training or course to the ledger, verified, `jp` as its hours."""
    kind = record_kind(proposal_kind)
    hours = jp * settings.minutes_per_jp / 60
    return learning_records.add(
        session,
        employee_id=employee_id,
        source=kind,
        competency=competency if competency in learning_records.COMPETENCIES else "teknis",
        title=title or ref,
        provider=provider,
        start=start,
        end=end,
        hours=hours,
        now=now,
        settings=settings,
        status=learning_records.VERIFIED,
        verifier_id=verified_by,
        recorded_by_id=verified_by,
        external_key=f"proposal:{ref}" if ref else None,
        evidence={"kind": kind, "source": "proposal", "ref": ref, "verified_by": verified_by},
    )
