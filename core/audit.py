"""The audit trail: who did what, when, from which channel — refused attempts included."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import AuditEvent


def record(
    session: AsyncSession,
    *,
    now: datetime,
    actor_id: int | None,
    channel: str | None,
    entity: str,
    entity_id: int | None,
    action: str,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the caller's transaction."""
    event = AuditEvent(
        at=now,
        actor_id=actor_id,
        channel=channel,
        entity=entity,
        entity_id=entity_id,
        action=action,
        detail=detail or {},
    )
    session.add(event)
    return event
