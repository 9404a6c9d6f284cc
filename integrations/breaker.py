"""A circuit breaker per backend, kept in a table: shared by instances, kept over restarts.

closed → (`threshold` failures in a row) → open for `open_for` → half-open: one trial call;
its success closes the circuit, its failure opens it again. Both limits are settings
(`AYO_BREAKER_FAILURES`, `AYO_BREAKER_OPEN_SECONDS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from core.storage.db import Database
from core.storage.models import BackendCircuit

THRESHOLD = 5
OPEN_FOR = timedelta(minutes=1)


@dataclass(frozen=True)
class Gate:
    """`wait_until` set: the circuit is open, try again then. `half_open`: one trial allowed."""

    wait_until: datetime | None = None
    half_open: bool = False


async def _row(session, backend: str, now: datetime) -> BackendCircuit:
    row = await session.get(BackendCircuit, backend, with_for_update=True)
    if row is None:
        try:
            async with session.begin_nested():
                row = BackendCircuit(backend=backend, state="closed", failures=0, updated_at=now)
                session.add(row)
        except IntegrityError:  # another instance created it first
            row = await session.get(BackendCircuit, backend, with_for_update=True)
    return row


async def admit(db: Database, backend: str, now: datetime) -> Gate:
    """May a call to `backend` go now?"""
    async with db.transaction() as session:
        row = await session.get(BackendCircuit, backend)
        if row is None or row.state == "closed":
            return Gate()
        if row.retry_at is not None and row.retry_at > now:
            return Gate(wait_until=row.retry_at)
        return Gate(half_open=True)


async def failure(
    db: Database,
    backend: str,
    now: datetime,
    *,
    threshold: int = THRESHOLD,
    open_for: timedelta = OPEN_FOR,
) -> None:
    async with db.transaction() as session:
        row = await _row(session, backend, now)
        row.failures += 1
        row.updated_at = now
        if row.state != "closed" or row.failures >= threshold:
            row.state = "open"
            row.opened_at = now
            row.retry_at = now + open_for


async def success(db: Database, backend: str, now: datetime) -> None:
    async with db.transaction() as session:
        row = await session.get(BackendCircuit, backend, with_for_update=True)
        if row is None or (row.state == "closed" and row.failures == 0):
            return
        row.state = "closed"
        row.failures = 0
        row.retry_at = None
        row.updated_at = now
