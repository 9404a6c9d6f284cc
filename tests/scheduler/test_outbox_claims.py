"""Two instances claiming the outbox at the same moment never claim the same message.

The claiming transactions are forced to overlap: each holds its transaction open at a barrier
until the other has claimed too. With `FOR UPDATE SKIP LOCKED` the second skips the first's
rows and both pass the barrier; without it the second either claims the same rows or waits for
the first to commit (and the barrier times out), and the test fails. PostgreSQL only: SQLite
has one writer, so its claims cannot overlap (the racing test in test_sender.py covers it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import FixedClock
from core.storage.db import Database
from scheduler.outbox_claims import claim_due
from tests.scheduler.test_sender import queue
from tests.support import databases
from tests.support.scheduler_world import add_people

pytestmark = pytest.mark.parametrize(
    "database_url", [b for b in databases.backends() if b == "postgres"], indirect=True
)


class HeldOpen(Database):
    """A database whose transactions wait at a barrier before they commit."""

    def __init__(self, url: str, barrier: asyncio.Barrier) -> None:
        super().__init__(url)
        self.barrier = barrier
        self.met = False

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with super().transaction() as session:
            yield session
            # Claimed, not committed: wait for the other claimant to have claimed as well.
            await asyncio.wait_for(self.barrier.wait(), timeout=5)
            self.met = True


async def test_overlapping_claims_take_disjoint_messages(
    database_url: str, clock: FixedClock
) -> None:
    setup = Database(database_url)
    barrier = asyncio.Barrier(2)
    a, b = HeldOpen(database_url, barrier), HeldOpen(database_url, barrier)
    try:
        people = await add_people(setup, 20)
        await queue(setup, people, clock)
        lease = timedelta(seconds=30)

        first, second = await asyncio.gather(
            claim_due(a, "telegram", clock(), limit=10, lease=lease, owner="a"),
            claim_due(b, "telegram", clock(), limit=10, lease=lease, owner="b"),
        )

        assert (a.met, b.met) == (True, True)
        assert (len(first), len(second)) == (10, 10)
        assert {c.id for c in first}.isdisjoint({c.id for c in second})
    finally:
        for db in (setup, a, b):
            await db.dispose()
