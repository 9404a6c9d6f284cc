"""Learning records from every source, in the one JP ledger (`LearningEvent`).

Four sources: Ayo's micro-lessons (lessons/quiz.py, verified when completed), external courses
and MOOCs the employee submits with a certificate, classroom training (diklat, bimtek,
workshop) recorded by HR or the training system's API, and on-the-job learning (coaching,
mentoring, job shadowing) confirmed by the supervisor. PP 11/2017 Ps. 210: training is
classical or non-classical, the latter at least e-learning, bimbingan di tempat kerja
(coaching, mentoring), distance training, magang (job shadowing) and exchanges. Only a
verified record counts (lessons/progress.py). Hours convert to JP by the city's rule
(JPSettings, 1 JP = 45 minutes by default); HR must confirm the rule and which on-the-job
activities it recognises.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import outbox
from core.audit import record as audit
from core.messages import Reply
from core.storage.models import Employee, LearningEvent
from core.text import T
from lessons.catalog import COMPETENCIES
from lessons.jp import JPSettings, to_jp

SOURCES = ("ayo", "external", "classroom", "on_the_job")
PENDING, VERIFIED, REJECTED = "pending", "verified", "rejected"
# The SIASN activity names per source (what the national record calls them).
ACTIVITY = {  # at most 40 characters (the column)
    "external": "pelatihan nonklasikal (e-learning)",
    "classroom": "pelatihan klasikal",
    "on_the_job": "bimbingan di tempat kerja",
}
MAX_HOURS = 1000.0  # a degree study is counted by HR; anything above is a typo


class RecordError(ValueError):
    """A learning record that cannot be kept as given (why, in both languages)."""

    def __init__(self, id_text: str, en_text: str) -> None:
        super().__init__(en_text)
        self.id_text, self.en_text = id_text, en_text


def check(
    *, source: str, competency: str, hours: float, start: date, end: date, title: str
) -> None:
    """Refuse what the ledger must not hold, with the reason in Indonesian and English."""
    if source not in SOURCES or source == "ayo":
        raise RecordError(
            "sumber harus external, classroom atau on_the_job",
            "source must be external, classroom or on_the_job",
        )
    if competency not in COMPETENCIES:
        raise RecordError(
            "jenis kompetensi harus teknis, manajerial atau sosial_kultural",
            "competency type must be teknis, manajerial or sosial_kultural",
        )
    if not 0 < hours <= MAX_HOURS:
        raise RecordError(
            f"jam harus lebih dari 0 dan paling banyak {MAX_HOURS:g}",
            f"hours must be above 0 and at most {MAX_HOURS:g}",
        )
    if end < start:
        raise RecordError(
            "tanggal selesai sebelum tanggal mulai", "the end date is before the start date"
        )
    if not title.strip():
        raise RecordError("nama kegiatan wajib diisi", "the title is required")


def minutes_of(hours: float) -> int:
    return round(hours * 60)


def add(
    session: AsyncSession,
    *,
    employee_id: int,
    source: str,
    competency: str,
    title: str,
    provider: str,
    start: date,
    end: date,
    hours: float,
    now: datetime,
    settings: JPSettings,
    status: str = PENDING,
    verifier_id: int | None = None,
    recorded_by_id: int | None = None,
    document_id: int | None = None,
    external_key: str | None = None,
    channel: str | None = None,
    evidence: dict[str, object] | None = None,
) -> LearningEvent:
    """A new learning record (checked), audited in the caller's transaction.

    A record entered by HR or its training system is `verified` at once (the officer is the
    verifier); one an employee submits waits for `verifier_id` (`pending`).
    """
    check(source=source, competency=competency, hours=hours, start=start, end=end, title=title)
    minutes = minutes_of(hours)
    event = LearningEvent(
        employee_id=employee_id,
        lesson_id=None,
        activity_type=ACTIVITY[source],
        competency=competency,
        provider=provider.strip()[:120],
        material=title.strip()[:300],
        start_date=start,
        end_date=end,
        minutes=minutes,
        jp=round(to_jp(minutes, settings), 4),
        evidence=dict(evidence or {}),
        created_at=now,
        source=source,
        status=status,
        verifier_id=verifier_id,
        recorded_by_id=recorded_by_id,
        document_id=document_id,
        external_key=external_key,
    )
    if status != PENDING:
        event.decided_by_id, event.decided_at = recorded_by_id, now
    session.add(event)
    return event


async def audit_added(
    session: AsyncSession, event: LearningEvent, *, actor_id: int | None, channel: str | None
) -> None:
    """The audit line of a new record (after a flush gave it its id)."""
    await session.flush()
    audit(
        session,
        now=event.created_at,
        actor_id=actor_id,
        channel=channel,
        entity="learning_event",
        entity_id=event.id,
        action=f"learning.{event.source}.{event.status}",
        detail={"jp": event.jp, "competency": event.competency},
    )


async def record_verified(
    session: AsyncSession,
    person: Employee,
    *,
    source: str,
    competency: str,
    title: str,
    provider: str,
    start: date,
    end: date,
    hours: float,
    officer_id: int | None,
    channel: str,
    now: datetime,
    settings: JPSettings,
    external_key: str | None = None,
) -> LearningEvent:
    """A record HR (or its training system) has the evidence of: verified at once, audited,
    and the employee told through the outbox in the same transaction."""
    event = add(
        session,
        employee_id=person.id,
        source=source,
        competency=competency,
        title=title,
        provider=provider,
        start=start,
        end=end,
        hours=hours,
        now=now,
        settings=settings,
        status=VERIFIED,
        verifier_id=officer_id,
        recorded_by_id=officer_id,
        external_key=external_key,
    )
    await audit_added(session, event, actor_id=officer_id, channel=channel)
    jp = f"{event.jp:.1f}"
    await outbox.push(
        session,
        person.id,
        Reply(
            T(
                f"🎓 {event.material} tercatat: {jp.replace('.', ',')} JP masuk ke catatan "
                'belajar Anda. Ketik "progres belajar" untuk melihatnya.',
                f"🎓 {event.material} is recorded: {jp} JP added to your learning record. "
                'Type "learning progress" to see it.',
            )
        ),
        now=now,
        key=f"notify:learning:{event.id}",
    )
    return event


def as_json(event: LearningEvent, nip: str) -> dict[str, Any]:
    """A record as the CLI and the inbound API answer it."""
    return {
        "id": event.id,
        "nip": nip,
        "source": event.source,
        "status": event.status,
        "type": event.competency,
        "title": event.material,
        "hours": round(event.minutes / 60, 2),
        "jp": round(event.jp, 2),
        "start": event.start_date.isoformat(),
        "end": event.end_date.isoformat(),
    }


async def find_by_key(session: AsyncSession, key: str) -> LearningEvent | None:
    return (
        await session.execute(select(LearningEvent).where(LearningEvent.external_key == key))
    ).scalar_one_or_none()


async def pending(session: AsyncSession, event_id: int) -> LearningEvent | None:
    """A record by id, locked: a decision happens once."""
    return await session.get(LearningEvent, event_id, with_for_update=True)


def decide(
    session: AsyncSession,
    event: LearningEvent,
    *,
    approve: bool,
    actor_id: int,
    now: datetime,
    channel: str | None,
    reason: str | None = None,
) -> None:
    """Verify or reject a pending record (audited); a rejection needs its reason."""
    if event.status != PENDING:
        raise RecordError("catatan ini sudah diputuskan", "this record was already decided")
    if not approve and not (reason or "").strip():
        raise RecordError("alasan penolakan wajib diisi", "a rejection needs its reason")
    event.status = VERIFIED if approve else REJECTED
    event.decided_by_id, event.decided_at = actor_id, now
    event.reason = None if approve else (reason or "").strip()[:500]
    audit(
        session,
        now=now,
        actor_id=actor_id,
        channel=channel,
        entity="learning_event",
        entity_id=event.id,
        action=f"learning.{event.status}",
        detail={"jp": event.jp, "source": event.source},
    )
