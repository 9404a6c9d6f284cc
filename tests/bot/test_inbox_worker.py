"""Inbox workers: any number of them, each chat's updates in order, fair, dead ones taken over."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from sqlalchemy import select, update
from typer.testing import CliRunner

from bot.app import App
from bot.engine import Engine
from bot.inbound import claims
from bot.inbound.worker import InboxWorker
from bot.types import ChatRef, Inbound
from core.clock import FixedClock
from core.storage.db import Database
from core.storage.models import ChatAccount, InboxItem, OutboxItem


async def send(ayo: App, chat: str, n: int) -> int:
    inbox_id = await ayo.engine.receive(
        Inbound(ChatRef("telegram", chat), key=f"{chat}:{n}", text=f"halo {n}")
    )
    assert inbox_id is not None
    return inbox_id


async def replies_in_order(ayo: App) -> list[tuple[str, int]]:
    """(chat, inbox id answered) in the order the replies were written."""
    async with ayo.db.sessions() as session:
        rows = await session.execute(
            select(InboxItem.external_key, OutboxItem.in_reply_to)
            .join(InboxItem, InboxItem.id == OutboxItem.in_reply_to)
            .order_by(OutboxItem.id)
        )
        return [(key.split(":")[0], reply_to) for key, reply_to in rows]


async def pending(ayo: App) -> int:
    async with ayo.db.sessions() as session:
        rows = await session.scalars(select(InboxItem.id).where(InboxItem.status == "pending"))
        return len(list(rows))


def second_engine(ayo: App) -> tuple[Engine, Database]:
    """Another worker's engine on its own connections (another process, as far as the DB sees)."""
    db = Database(ayo.db.url)
    return Engine(dataclasses.replace(ayo.deps, db=db), unlinked=ayo.engine.unlinked), db


async def test_two_workers_keep_every_chats_updates_in_order(ayo: App) -> None:
    sent: dict[str, list[int]] = {}
    for n in range(6):
        for chat in ("11", "12", "13", "14"):
            sent.setdefault(chat, []).append(await send(ayo, chat, n))
    engine_b, db_b = second_engine(ayo)
    try:
        a = InboxWorker(ayo.engine, owner="a", concurrency=2, per_turn=2)
        b = InboxWorker(engine_b, owner="b", concurrency=2, per_turn=2)

        done = await asyncio.gather(a.drain(), b.drain())

        assert sum(done) == 24
        order = await replies_in_order(ayo)
        for chat, ids in sent.items():
            assert [reply_to for c, reply_to in order if c == chat] == ids
        assert await pending(ayo) == 0
    finally:
        await db_b.dispose()


async def test_a_flooding_chat_waits_its_turn_behind_the_others(ayo: App) -> None:
    for n in range(1, 13):
        await send(ayo, "flood", n)
    for chat in ("q1", "q2", "q3"):
        await send(ayo, chat, 1)
    worker = InboxWorker(ayo.engine, owner="a", concurrency=1, per_turn=4)

    assert await worker.drain() == 15

    chats = [chat for chat, _ in await replies_in_order(ayo)]
    assert chats == ["flood"] * 4 + ["q1", "q2", "q3"] + ["flood"] * 8


async def test_a_dead_workers_chat_is_taken_over_when_its_lease_runs_out(
    ayo: App, clock: FixedClock
) -> None:
    ids = [await send(ayo, "21", n) for n in range(3)]
    lease = timedelta(seconds=10)
    # Worker "dead" claimed the chat and died before processing anything.
    [chat] = await claims.claim_chats(ayo.db, owner="dead", now=clock(), lease=lease,
                                            limit=5)  # fmt: skip
    survivor = InboxWorker(ayo.engine, owner="alive", lease=lease)

    assert await survivor.drain() == 0  # the lease still holds
    clock.advance(timedelta(seconds=11))
    assert await survivor.drain() == 3

    assert [reply_to for _, reply_to in await replies_in_order(ayo)] == ids
    # Had "dead" only stalled, its heartbeat would now learn the chat is no longer its own.
    assert await claims.renew(ayo.db, [chat], owner="dead", now=clock(),
                                    lease=lease) == set()  # fmt: skip
    assert await claims.pending_ids(ayo.db, chat, owner="dead", limit=4, now=clock()) == []


async def test_a_restarted_worker_takes_its_own_claims_back_at_once(ayo: App, clock) -> None:
    for n in range(2):
        await send(ayo, "31", n)
    await claims.claim_chats(
        ayo.db, owner="host:8080:w0", now=clock(), lease=timedelta(seconds=10), limit=5
    )
    restarted = InboxWorker(ayo.engine, owner="host:8080:w0")

    assert await restarted.reclaim_own() == 1
    assert await restarted.drain() == 2  # no waiting for the lease


async def test_a_chat_locked_for_a_moment_is_not_left_waiting(ayo: App) -> None:
    # A webhook's commit (or a sender sweep) holds the chat's row just when the worker claims:
    # the claim skips it (PostgreSQL) or waits (SQLite); either way the update gets processed.
    inbox_id = await send(ayo, "51", 1)
    async with ayo.db.sessions() as session:
        chat = await session.scalar(
            select(InboxItem.chat_account_id).where(InboxItem.id == inbox_id)
        )
    other = Database(ayo.db.url)
    worker = InboxWorker(ayo.engine, owner="w", poll=0.05)
    try:
        async with other.transaction() as session:
            await session.execute(
                update(ChatAccount).where(ChatAccount.id == chat).values(active=True)
            )
            draining = asyncio.create_task(worker.drain())
            await asyncio.sleep(0.2)
        assert await draining == 1
    finally:
        await other.dispose()
    assert await pending(ayo) == 0


async def test_a_running_worker_picks_up_updates_committed_elsewhere(ayo: App) -> None:
    # The web process only commits; a worker process finds the update by polling.
    ayo.inbound.local = False
    stop, processed = asyncio.Event(), asyncio.Event()

    async def after() -> None:
        processed.set()

    worker = InboxWorker(ayo.engine, owner="w", poll=0.02, after=after)
    running = asyncio.create_task(worker.run(stop))
    try:
        await send(ayo, "41", 1)
        await processed.wait()
    finally:
        stop.set()
        await running
    assert [chat for chat, _ in await replies_in_order(ayo)] == ["41"]
    assert await pending(ayo) == 0


def test_ayo_worker_refuses_sqlite_with_a_clear_message(tmp_path, monkeypatch) -> None:
    from bot.cli import app

    monkeypatch.setenv("AYO_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/x.db")
    result = CliRunner().invoke(app, ["worker"])

    assert result.exit_code == 2
    assert "ayo worker butuh PostgreSQL" in result.output
    assert "ayo worker needs PostgreSQL" in result.output
