"""Claiming scheduled work exactly once, however many Ayo instances run the same sweep."""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.conflicts import insert_ignoring
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


async def claim_many(
    session: AsyncSession,
    *,
    kind: str,
    items: Sequence[tuple[str, datetime, str]],
    now: datetime,
) -> set[tuple[str, datetime]]:
    """Claim many (key, scheduled_for, outcome) of one kind at once; returns those we won.

    One `INSERT … ON CONFLICT DO NOTHING RETURNING` per few thousand rows instead of a
    savepoint each (PostgreSQL and SQLite alike): a row another instance claimed first is
    simply not returned, and ours commit with the work they caused in the caller's transaction.
    """
    table = JobClaim.__table__
    won: set[tuple[str, datetime]] = set()
    rows = [
        {"kind": kind, "key": key, "scheduled_for": at, "claimed_at": now,
         "claimed_by": INSTANCE, "outcome": outcome}
        for key, at, outcome in items
    ]  # fmt: skip
    # Bounded by the parameter limits (SQLite: 32,766 variables; 6 a row).
    for start in range(0, len(rows), 2000):
        statement = (
            insert_ignoring(session, table, ["kind", "key", "scheduled_for"])
            .values(rows[start : start + 2000])
            .returning(table.c.key, table.c.scheduled_for)
        )
        for key, at in await session.execute(statement):
            won.add((key, at))
    return won
