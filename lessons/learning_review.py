"""Who verifies an employee's own learning record, and what a decision does.

An external course with its certificate, or on-the-job learning (coaching, mentoring, job
shadowing), waits for the employee's direct supervisor (PP 11/2017 Ps. 210 names bimbingan di
tempat kerja and magang; who verifies is the city's rule, HR must confirm it). The supervisor,
or an HR officer, may decide; every press is checked again here — the token only says who it
was sent to. A decision is audited and the employee is told through the
outbox in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import record as audit
from core.messages import Reply
from core.outbox import push
from core.storage.models import Employee, LearningEvent
from core.text import T
from lessons import learning_records
from lessons.jp import JPSettings

REFUSED = {
    "not_found": T("Catatan belajar ini tidak ditemukan.", "This learning record was not found."),
    "not_verifier": T(
        "Maaf, hanya atasan langsung pegawai ini (atau petugas kepegawaian) yang dapat "
        "memverifikasi catatan belajarnya.",
        "Sorry, only this employee's direct supervisor (or an HR officer) can verify their "
        "learning record.",
    ),
    "not_waiting": T(
        "Catatan belajar ini sudah diputuskan.", "This learning record was already decided."
    ),
    "no_supervisor": T(
        "Atasan langsung Anda belum tercatat, jadi catatan belajar belum bisa diverifikasi. "
        "Mohon hubungi bagian kepegawaian (BKPSDM).",
        "Your direct supervisor is not on record, so the learning record cannot be verified "
        "yet. Please contact the HR office (BKPSDM).",
    ),
}


@dataclass(frozen=True, slots=True)
class Draft:
    """What the employee told about a learning activity they finished."""

    source: str  # external | on_the_job
    activity: str  # kursus | coaching | mentoring | job_shadowing
    title: str
    provider: str
    start: date
    end: date
    hours: float
    competency: str
    document_id: int | None


async def submit(
    session: AsyncSession,
    employee: Employee,
    draft: Draft,
    *,
    now: datetime,
    channel: str | None,
    settings: JPSettings,
) -> tuple[LearningEvent, Employee] | str:
    """A pending record for the supervisor to verify; or why it cannot be sent."""
    boss = await session.get(Employee, employee.supervisor_id or 0)
    if boss is None or not boss.active:
        return "no_supervisor"
    event = learning_records.add(
        session,
        employee_id=employee.id,
        source=draft.source,
        competency=draft.competency,
        title=draft.title,
        provider=draft.provider,
        start=draft.start,
        end=draft.end,
        hours=draft.hours,
        now=now,
        settings=settings,
        status=learning_records.PENDING,
        verifier_id=boss.id,
        recorded_by_id=employee.id,
        document_id=draft.document_id,
        evidence={"activity": draft.activity},
    )
    await learning_records.audit_added(session, event, actor_id=employee.id, channel=channel)
    return event, boss


async def reviewable(
    session: AsyncSession, event_id: int, actor: Employee, *, now: datetime, channel: str | None
) -> tuple[LearningEvent, Employee] | str:
    """The record and its employee when `actor` may decide it now; else the refusal's key.

    The one asked (still the employee's direct supervisor) or an HR officer may decide, once.
    A refusal is audited too.
    """
    event = await learning_records.pending(session, event_id)
    employee = await session.get(Employee, event.employee_id) if event is not None else None
    if event is None or employee is None:
        return "not_found"
    refused = None
    supervisor = actor.id == event.verifier_id and actor.id == employee.supervisor_id
    if not (supervisor or actor.has_role("hr_admin")) or actor.id == employee.id:
        refused = "not_verifier"
    elif event.status != learning_records.PENDING:
        refused = "not_waiting"
    if refused is not None:
        audit(
            session,
            now=now,
            actor_id=actor.id,
            channel=channel,
            entity="learning_event",
            entity_id=event.id,
            action=f"learning.refused.{refused}",
        )
        return refused
    return event, employee


async def conclude(
    session: AsyncSession,
    event: LearningEvent,
    employee: Employee,
    actor: Employee,
    *,
    approve: bool,
    reason: str | None,
    now: datetime,
    channel: str | None,
) -> None:
    """Verify or reject (audited), and tell the employee in the same transaction."""
    learning_records.decide(
        session, event, approve=approve, actor_id=actor.id, now=now, channel=channel, reason=reason
    )
    jp = f"{event.jp:.1f}"
    if approve:
        text = T(
            f'✅ {actor.name} memverifikasi catatan belajar Anda "{event.material}": '
            f'{jp.replace(".", ",")} JP masuk ke catatan belajar. Ketik "progres belajar".',
            f'✅ {actor.name} verified your learning record "{event.material}": {jp} JP '
            'added to your record. Type "learning progress".',
        )
    else:
        text = T(
            f'❌ {actor.name} menolak catatan belajar Anda "{event.material}". '
            f"Alasan: {event.reason}. Anda dapat mengirim ulang dengan bukti yang lengkap "
            '("catat pelatihan").',
            f'❌ {actor.name} rejected your learning record "{event.material}". '
            f"Reason: {event.reason}. You can send it again with complete evidence "
            '("record a training").',
        )
    await push(session, employee.id, Reply(text), now=now, key=f"learning.decided:{event.id}")
