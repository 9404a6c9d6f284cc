"""Service levels: a case nobody took within the team's time reminds the team, then its lead.

Due times are rows on the case (office hours on the working calendar), claimed once each
through `core.jobs.claim`, so any number of instances may sweep.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from core import outbox
from core.audit import record
from core.jobs import claim
from core.messages import Reply
from core.storage.db import Database
from core.storage.models import Employee
from core.storage.models.handoff import HandoffCase
from core.text import T
from core.workdays import WorkCalendar
from integrations.handoff.cases import format_moment
from integrations.handoff.teams import Teams, load_teams, members


async def sweep_for_settings(db: Database, now: datetime, calendar: WorkCalendar, settings) -> int:
    """The scheduler's entry point: the configured teams, the city's time zone."""
    return await sweep_due(
        db, now, calendar, load_teams(settings.handoff_teams), settings.timezone
    )


async def sweep_due(
    db: Database, now: datetime, calendar: WorkCalendar, teams: Teams, tz: str, limit: int = 100
) -> int:
    """Send due reminders (to the team) and escalations (to its lead); how many fired."""
    async with db.sessions() as session:
        due = list(
            (
                await session.execute(
                    select(HandoffCase.id)
                    .where(
                        HandoffCase.status == "open",
                        or_(HandoffCase.remind_at <= now, HandoffCase.escalate_at <= now),
                    )
                    .order_by(HandoffCase.id)
                    .limit(limit)
                )
            ).scalars()
        )
    fired = 0
    for case_id in due:
        async with db.transaction() as session:
            case = await session.get(HandoffCase, case_id, with_for_update=True)
            if case is None or case.status != "open":
                continue
            team = teams.get(case.team)
            if team is None:
                continue
            employee = await session.get(Employee, case.employee_id)
            since = format_moment(case.created_at, tz)
            who = employee.name if employee else "?"
            if case.escalate_at is not None and case.escalate_at <= now:
                at, case.escalate_at = case.escalate_at, None
                case.remind_at = None
                if not await claim(
                    session, kind="handoff.escalate", key=str(case.id), scheduled_for=at, now=now
                ):
                    continue
                targets = await members(session, [team.lead] if team.lead else [])
                text = (
                    T(
                        f"⏫ Kasus {case.ref} ({who}) belum diambil tim {team.name.id} sejak ",
                        f"⏫ Case {case.ref} ({who}) is not taken by the {team.name.en} since ",
                    )
                    + since
                    + T(". Mohon ditindaklanjuti.", ". Please follow up.")
                )
                action = "escalated"
            elif case.remind_at is not None and case.remind_at <= now:
                at, case.remind_at = case.remind_at, None
                if not await claim(
                    session, kind="handoff.remind", key=str(case.id), scheduled_for=at, now=now
                ):
                    continue
                targets = await members(session, team.operators)
                text = (
                    T(
                        f"⏰ Pengingat: kasus {case.ref} ({who}) menunggu sejak ",
                        f"⏰ Reminder: case {case.ref} ({who}) has been waiting since ",
                    )
                    + since
                    + T(
                        ". Ambil di back office atau dari pesan sebelumnya.",
                        ". Take it in the back office or from the earlier message.",
                    )
                )
                action = "reminded"
            else:
                continue
            for person in targets:
                await outbox.push(
                    session,
                    person.id,
                    Reply(text),
                    now=now,
                    key=f"handoff:{case.id}:{action}:{person.id}",
                    priority=outbox.PRIORITY_INTERACTIVE,
                )
            record(
                session,
                now=now,
                actor_id=None,
                channel="scheduler",
                entity="handoff",
                entity_id=case.id,
                action=action,
                detail={"ref": case.ref, "to": [p.id for p in targets]},
            )
            fired += 1
    return fired
