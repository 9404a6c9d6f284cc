"""The weekly digest to supervisors: approvals waiting for them and how their team learns.

It goes out on the first working day of each week at office opening, in the supervisor's own
time zone (a Monday holiday moves it to Tuesday). Each (supervisor, week) is claimed once; after
downtime a digest still within its grace window goes out, an older one is skipped and logged.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from core.messages import Reply
from core.outbox import PRIORITY_PUSH, push
from core.settings import Settings
from core.storage.db import Database
from core.storage.models import ApprovalStep, Employee, JobClaim
from core.text import T, join
from core.workdays import WorkCalendar, zone
from lessons.jp import target_for
from lessons.progress import year_progress
from scheduler.timing import fire_once

log = logging.getLogger(__name__)

JOB_KIND = "digest.weekly"
GRACE = timedelta(hours=4)


def digest_time(now: datetime, tz: str, calendar: WorkCalendar) -> datetime | None:
    """This week's digest instant (UTC) for an office in `tz`; None in a week without work."""
    today = now.astimezone(zone(tz)).date()
    monday = today - timedelta(days=today.weekday())
    for offset in range(5):
        day = monday + timedelta(days=offset)
        if calendar.is_working_day(day):
            return datetime.combine(day, calendar.office_start(day), zone(tz)).astimezone(UTC)
    return None


async def sweep_weekly_digest(
    db: Database, now: datetime, calendar: WorkCalendar, settings: Settings
) -> int:
    """Send this week's digest to every supervisor whose time has come; returns how many."""
    async with db.sessions() as session:
        supervisors = [
            (row.id, row.timezone or settings.timezone)
            for row in await session.execute(
                select(Employee.id, Employee.timezone).where(
                    Employee.active.is_(True), Employee.with_role("supervisor")
                )
            )
        ]
        due = [(sup, at) for sup, tz in supervisors if (at := digest_time(now, tz, calendar))]
        due = [(sup, at) for sup, at in due if at <= now]
        if not due:
            return 0
        done = set(
            await session.execute(
                select(JobClaim.key, JobClaim.scheduled_for).where(
                    JobClaim.kind == JOB_KIND, JobClaim.scheduled_for.in_({at for _, at in due})
                )
            )
        )
    sent = 0
    for sup, at in due:
        if (str(sup), at) in done:
            continue
        async with db.transaction() as session:
            if not await fire_once(
                session, kind=JOB_KIND, key=str(sup), scheduled_for=at, now=now, grace=GRACE
            ):
                continue
            reply = await _digest(session, sup, now, settings)
            key = f"digest:{sup}:{at.date().isoformat()}"
            await push(session, sup, reply, now=now, key=key, priority=PRIORITY_PUSH)
            sent += 1
    if sent:
        log.info("weekly digest sent to %s supervisors", sent)
    return sent


async def _digest(session: Any, supervisor_id: int, now: datetime, settings: Settings) -> Reply:
    pending = (
        await session.execute(
            select(func.count(ApprovalStep.id)).where(
                ApprovalStep.approver_id == supervisor_id, ApprovalStep.status == "waiting"
            )
        )
    ).scalar_one()
    team = (
        await session.execute(
            select(Employee.id, Employee.employment).where(
                Employee.supervisor_id == supervisor_id, Employee.active.is_(True)
            )
        )
    ).all()
    lines = [T("📬 Ringkasan mingguan", "📬 Weekly summary")]
    lines.append(
        T(
            f"• {pending} permohonan menunggu persetujuan Anda.",
            f"• {pending} requests are waiting for your approval.",
        )
        if pending
        else T("• Tidak ada permohonan yang menunggu Anda.", "• Nothing is waiting for you.")
    )
    if team:
        progress = await year_progress(session, [m.id for m in team], now.year)
        lines.append(_team_line(team, progress, settings))
    lines.append(
        T('Ketik "persetujuan" untuk melihat daftarnya.', 'Type "approvals" to see them.')
    )
    return Reply(text=join(lines), meta={"kind": JOB_KIND})


def _team_line(team: list[Any], progress: dict[int, Any], settings: Settings) -> T:
    jps = [progress[m.id].jp(settings) for m in team]
    on_track = sum(1 for m, jp in zip(team, jps, strict=True)
                   if jp >= target_for(m.employment, settings))  # fmt: skip
    idle = sum(1 for m in team if not progress[m.id].lessons)
    avg = sum(jps) / len(jps)
    return T(
        f"• Tim Anda ({len(team)} orang): rata-rata {avg:.1f} JP tahun ini; "
        f"{on_track} sudah mencapai target, {idle} belum belajar sama sekali.",
        f"• Your team ({len(team)} people): {avg:.1f} JP on average this year; "
        f"{on_track} reached the target, {idle} have not learned yet.",
    )
