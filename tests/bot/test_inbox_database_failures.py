"""A database failure during a step defers the update; it is never marked failed nor lost.

PostgreSQL only: the test cuts the worker's own database connection in the middle of a step
(`pg_terminate_backend`, as a failover or a restart of the server would), which SQLite has no
equivalent of.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text

from bot.app import App
from bot.inbound.worker import InboxWorker
from bot.types import ChatRef, Inbound
from core.storage.db import Database
from core.storage.models import InboxItem, OutboxItem
from tests.support import databases

pytestmark = pytest.mark.parametrize(
    "database_url", [b for b in databases.backends() if b == "postgres"], indirect=True
)


async def send(ayo: App, chat: str, n: int) -> int:
    inbox_id = await ayo.engine.receive(
        Inbound(ChatRef("telegram", chat), key=f"{chat}:{n}", text="halo")
    )
    assert inbox_id is not None
    return inbox_id


async def statuses(ayo: App) -> list[str]:
    async with ayo.db.sessions() as session:
        rows = await session.scalars(select(InboxItem.status).order_by(InboxItem.id))
        return list(rows)


async def reply_keys(ayo: App) -> list[str]:
    async with ayo.db.sessions() as session:
        rows = await session.scalars(select(OutboxItem.idempotency_key).order_by(OutboxItem.id))
        return list(rows)


async def wait_for_blocked_update(other: Database) -> int:
    """The backend pid of the connection waiting on the inbox row lock."""
    for _ in range(200):
        async with other.sessions() as session:
            pid = await session.scalar(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE 'UPDATE inbox%' AND pid <> pg_backend_pid()"
                )
            )
        if pid is not None:
            return int(pid)
        await asyncio.sleep(0.02)
    raise AssertionError("the worker never waited on the inbox row")


async def wait_until_gone(other: Database, pid: int) -> None:
    for _ in range(200):
        async with other.sessions() as session:
            alive = await session.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            )
        if not alive:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the worker's connection outlived pg_terminate_backend")


async def test_a_connection_cut_mid_step_leaves_the_update_pending_and_in_order(
    ayo: App,
) -> None:
    first = await send(ayo, "71", 1)
    second = await send(ayo, "71", 2)
    other = Database(ayo.db.url)
    worker = InboxWorker(ayo.engine, owner="w", poll=0.05)
    try:
        async with other.transaction() as holder:
            # Hold the first update's row so the worker's step stops on it, then cut the
            # worker's connection while it waits: the step fails on the database, not on
            # the update.
            await holder.execute(
                text("SELECT id FROM inbox WHERE id = :id FOR UPDATE"), {"id": first}
            )
            draining = asyncio.create_task(worker.drain())
            pid = await wait_for_blocked_update(other)
            async with other.sessions() as killer:
                await killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await wait_until_gone(other, pid)
        # The row is free again: whatever the worker does next, it is not waiting on us.
        assert await draining == 0
        # Both are still pending: nothing was marked failed, the user was told nothing, and
        # the second update did not overtake the first.
        assert await statuses(ayo) == ["pending", "pending"]
        assert await reply_keys(ayo) == []

        assert await worker.drain() == 2
    finally:
        await other.dispose()
    assert await statuses(ayo) == ["processed", "processed"]
    assert await reply_keys(ayo) == [f"reply:{first}:0", f"reply:{second}:0"]
