"""Claiming scheduled work exactly once, however many Ayo instances run the same sweep."""

from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models.jobs import JobClaim

INSTANCE = f"{socket.gethostname()}:{os.getpid()}"


async def claim(
    session: AsyncSession,
    *,
    kind: str,
    key: str,
    scheduled_for: datetime,
    now: datetime,
    outcome: str = "done",
) -> bool:
    """Claim (kind, key, scheduled_for) in the caller's transaction; False if already claimed.

    The unique constraint is the arbiter: the loser of a race gets an IntegrityError inside a
    savepoint and simply moves on, while the winner's claim commits with the work it caused.
    """
    try:
        async with session.begin_nested():
            session.add(
                JobClaim(
                    kind=kind,
                    key=key,
                    scheduled_for=scheduled_for,
                    claimed_at=now,
                    claimed_by=INSTANCE,
                    outcome=outcome,
                )
            )
    except IntegrityError:
        return False
    return True
