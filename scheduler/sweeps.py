"""The sweeps the runner drives: each claims due rows and returns how many it handled.

Ours live in this package (the sender, broadcasts' sends, the weekly digest, nudges); the
lessons and integrations packages own theirs and are imported here plainly, so a missing or
renamed sweep fails at import (and in tests), not silently at 3 a.m.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from core.settings import Settings
from core.storage.db import Database
from core.workdays import WorkCalendar
from integrations.delivery import deliver_due
from integrations.handoff.sla import sweep_for_settings
from integrations.sweeps import remind_and_escalate
from lessons.daily import dispatch_due_lessons
from lessons.needs_reminders import sweep_needs_reminders
from scheduler.digest import sweep_weekly_digest
from scheduler.nudges import sweep_request_nudges
from scheduler.sender import Sender

log = logging.getLogger(__name__)

__all__ = [
    "sweep_approvals",
    "sweep_backend_calls",
    "sweep_handoff",
    "sweep_lessons",
    "sweep_needs_reminders",
    "sweep_outbox",
    "sweep_request_nudges",
    "sweep_weekly_digest",
]


async def sweep_outbox(sender: Sender) -> int:
    """Send every due Telegram/WhatsApp message (replies first, then pushes, then bulk)."""
    return await sender.sweep()


async def sweep_lessons(
    db: Database, now: datetime, calendar: WorkCalendar, settings: Settings
) -> int:
    """The morning lesson push of lessons/ (2-hour grace window, claimed per employee-day)."""
    return await dispatch_due_lessons(db, now, calendar, settings)


async def sweep_approvals(
    db: Database,
    now: datetime,
    calendar: WorkCalendar,
    leave_rules: Any = None,
    documents: Any = None,
    public_url: str = "",
) -> int:
    """Approval reminders and escalations of integrations/ (their grace is configurable);
    with the document store, reminders link the request's documents like the first prompt."""
    return await remind_and_escalate(
        db, now, calendar, rules=leave_rules, documents=documents, public_url=public_url
    )


async def sweep_backend_calls(
    db: Database, now: datetime, connectors: Any, settings: Any = None
) -> int:
    """Outbox rows to backends and callback URLs (integrations/), retried with backoff."""
    if connectors is None:
        return 0
    if settings is None:
        return await deliver_due(db, now, connectors)
    from integrations.delivery import RetryPolicy

    return await deliver_due(db, now, connectors, policy=RetryPolicy.from_settings(settings))


async def sweep_handoff(
    db: Database, now: datetime, calendar: WorkCalendar, settings: Settings
) -> int:
    """Handoff cases nobody took in time: remind the team, then its lead (integrations/)."""
    return await sweep_for_settings(db, now, calendar, settings)
