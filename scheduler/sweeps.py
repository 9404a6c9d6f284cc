"""The sweeps the runner drives: each claims due rows and returns how many it handled.

Ours live in this package (the sender, broadcasts' sends, the weekly digest, nudges); the
lessons and integrations packages own theirs and are reached here by name, so that the
scheduler runs whatever of them exists (a missing one is logged once, not fatal).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from core.settings import Settings
from core.storage.db import Database
from core.workdays import WorkCalendar
from scheduler.digest import sweep_weekly_digest
from scheduler.nudges import sweep_request_nudges
from scheduler.sender import Sender

log = logging.getLogger(__name__)

__all__ = [
    "sweep_approvals",
    "sweep_backend_calls",
    "sweep_handoff",
    "sweep_lessons",
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
    dispatch = _find(("lessons.daily", "dispatch_due_lessons"))
    return await dispatch(db, now, calendar, settings) if dispatch else 0


async def sweep_approvals(
    db: Database, now: datetime, calendar: WorkCalendar, leave_rules: Any = None
) -> int:
    """Approval reminders and escalations of integrations/ (their grace is configurable)."""
    remind = _find(("integrations.sweeps", "remind_and_escalate"))
    if remind is None:
        return 0
    return await remind(db, now, calendar, rules=leave_rules)


async def sweep_backend_calls(
    db: Database, now: datetime, connectors: Any, settings: Any = None
) -> int:
    """Outbox rows to backends and callback URLs (integrations/), retried with backoff."""
    deliver = _find(("integrations.delivery", "deliver_due"))
    if deliver is None or connectors is None:
        return 0
    if settings is None:
        return await deliver(db, now, connectors)
    from integrations.delivery import RetryPolicy

    return await deliver(db, now, connectors, policy=RetryPolicy.from_settings(settings))


async def sweep_handoff(
    db: Database, now: datetime, calendar: WorkCalendar, settings: Settings
) -> int:
    """Handoff cases nobody took in time: remind the team, then its lead (integrations/)."""
    run = _find(("integrations.handoff.sla", "sweep_for_settings"))
    return await run(db, now, calendar, settings) if run else 0


_missing: set[str] = set()


def _find(*candidates: tuple[str, str]) -> Callable[..., Awaitable[int]] | None:
    for module, name in candidates:
        try:
            found = getattr(importlib.import_module(module), name, None)
        except ImportError:
            found = None
        if found is not None:
            return found  # type: ignore[no-any-return]
    label = candidates[0][1]
    if label not in _missing:
        _missing.add(label)
        log.warning("sweep %s is not available yet; skipping it", label)
    return None
