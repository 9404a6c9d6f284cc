"""A reminder for the supervisor who has not confirmed a needs analysis digest.

On submission the analysis gets a due time (`remind_at`): 09:00 local on the second working
day after. The scheduler's sweep finds the analyses still waiting past it, claims each once
(`JobClaim`, so two instances never remind twice), pushes one reminder through the outbox and
clears the due time, all in one transaction. No timer lives in memory.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from sqlalchemy import select

from core.jobs import claim
from core.messages import Reply
from core.outbox import PRIORITY_PUSH, push
from core.storage.db import Database
from core.storage.models import Employee, NeedsAnalysis
from core.text import T
from core.workdays import WorkCalendar, zone
from lessons.needs import SUBMITTED

log = logging.getLogger(__name__)

JOB_KIND = "needs.remind"
AFTER_WORKING_DAYS = 2
REMIND_AT = time(9, 0)


def reminder_due(now: datetime, tz: str, calendar: WorkCalendar) -> datetime:
    """09:00 local on the second working day after the day of `now`."""
    local = now.astimezone(zone(tz)).date()
    day = calendar.add_working_days(local + timedelta(days=1), AFTER_WORKING_DAYS)
    return datetime.combine(day, REMIND_AT, tzinfo=zone(tz))


async def sweep_needs_reminders(db: Database, now: datetime) -> int:
    """Remind each supervisor once about every digest waiting past its due time."""
    async with db.sessions() as session:
        due = (
            (
                await session.execute(
                    select(NeedsAnalysis.id)
                    .where(NeedsAnalysis.status == SUBMITTED, NeedsAnalysis.remind_at <= now)
                    .order_by(NeedsAnalysis.remind_at)
                    .limit(500)
                )
            )
            .scalars()
            .all()
        )
    sent = 0
    for analysis_id in due:
        async with db.transaction() as session:
            row = await session.get(NeedsAnalysis, analysis_id, with_for_update=True)
            if row is None or row.status != SUBMITTED or row.remind_at is None:
                continue
            if row.remind_at > now or row.supervisor_id is None:
                continue
            if not await claim(
                session, kind=JOB_KIND, key=str(row.id), scheduled_for=row.remind_at, now=now
            ):
                continue
            employee = await session.get(Employee, row.employee_id)
            name = employee.name if employee else "-"
            await push(
                session,
                row.supervisor_id,
                Reply(
                    T(
                        f"⏰ Pengingat: analisis kebutuhan {row.year} {name} masih menunggu "
                        'konfirmasi Anda. Ketik "kebutuhan tim" untuk meninjaunya.',
                        f"⏰ Reminder: {name}'s {row.year} needs analysis still waits for your "
                        'confirmation. Type "team needs" to review it.',
                    )
                ),
                now=now,
                key=f"needs.remind:{row.id}",
                priority=PRIORITY_PUSH,
            )
            row.remind_at = None
            sent += 1
    if sent:
        log.info("reminded supervisors of %s waiting needs analyses", sent)
    return sent
