"""Nudges for requests that have waited too long at one approval step.

The approvals work reminds and escalates the approver (integrations/); this sweep tells the
employee, once per waiting step, that their request is still waiting and on whom, so that
nobody wonders in silence. "Too long" counts office hours in the employee's time zone, so a
request filed on Friday afternoon is not "late" on Monday morning.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import String, and_, cast, exists, select

from core.jobs import claim
from core.messages import Reply
from core.outbox import PRIORITY_PUSH, push
from core.settings import DEFAULT_TIMEZONE
from core.storage.db import Database
from core.storage.models import ApprovalStep, Employee, JobClaim, ServiceRequest
from core.text import T
from core.workdays import WorkCalendar, zone

log = logging.getLogger(__name__)

JOB_KIND = "nudge.request"
DEFAULT_AFTER_HOURS = 16.0  # two working days of 8 office hours


async def sweep_request_nudges(
    db: Database,
    now: datetime,
    calendar: WorkCalendar,
    *,
    after_hours: float = DEFAULT_AFTER_HOURS,
    default_tz: str = DEFAULT_TIMEZONE,
) -> int:
    """Tell each employee once when a step of their request waited `after_hours` office hours."""
    # Office hours never outrun wall-clock hours: this bound keeps the scan small.
    oldest = now - timedelta(hours=after_hours)
    already = exists().where(
        and_(JobClaim.kind == JOB_KIND, JobClaim.key == cast(ApprovalStep.id, String))
    )
    async with db.sessions() as session:
        waiting = (
            await session.execute(
                select(
                    ApprovalStep.id,
                    ApprovalStep.created_at,
                    ServiceRequest.id.label("request_id"),
                    ServiceRequest.ref,
                    ServiceRequest.employee_id,
                    Employee.timezone,
                )
                .join(ServiceRequest, ServiceRequest.id == ApprovalStep.request_id)
                .join(Employee, Employee.id == ServiceRequest.employee_id)
                .where(
                    ApprovalStep.status == "waiting",
                    ServiceRequest.status.in_(("submitted", "waiting")),
                    ApprovalStep.created_at <= oldest,
                    ~already,
                )
                .order_by(ApprovalStep.id)
            )
        ).all()
    sent = 0
    for step in waiting:
        tz = step.timezone or default_tz
        if calendar.working_hours_between(step.created_at, now, tz) < after_hours:
            continue
        async with db.transaction() as session:
            if not await claim(
                session, kind=JOB_KIND, key=str(step.id), scheduled_for=step.created_at, now=now
            ):
                continue
            await push(
                session,
                step.employee_id,
                _nudge(step.ref or f"#{step.request_id}", step.created_at, tz),
                now=now,
                key=f"nudge:{step.id}",
                priority=PRIORITY_PUSH,
            )
            sent += 1
    if sent:
        log.info("nudged %s employees about waiting requests", sent)
    return sent


def _nudge(ref: str, since: datetime, tz: str) -> Reply:
    day = since.astimezone(zone(tz)).strftime("%d/%m %H:%M")
    return Reply(
        text=T(
            f"⏳ Permohonan {ref} masih menunggu persetujuan sejak {day}. Atasan Anda sudah "
            'kami ingatkan. Ketik "status" untuk melihat perkembangannya.',
            f"⏳ Request {ref} has been waiting for approval since {day}. We have reminded "
            'your supervisor. Type "status" to follow it.',
        ),
        meta={"kind": JOB_KIND},
    )
