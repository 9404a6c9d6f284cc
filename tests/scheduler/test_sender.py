"""The sender: priority, exactly-once across instances, 429 for one chat only, blocked users,
a crash in the middle of a broadcast, and quiet hours."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from core.clock import FixedClock
from core.messages import Reply
from core.outbox import PRIORITY_BULK, PRIORITY_INTERACTIVE, PRIORITY_PUSH, enqueue_reply
from core.storage.db import Database
from core.storage.models import ChatAccount
from core.text import T
from scheduler.broadcasts import Audience, create_broadcast, report
from scheduler.channel_port import ChannelLimits, Rejected, RetryLater
from scheduler.outbox_claims import claim_due
from scheduler.sender import Sender
from scheduler.timing import QuietHours
from tests.support.scheduler_world import FAST, FakeChannel, add_people, outbox_rows

LESSON = Reply(T("Pelajaran hari ini", "Today's lesson"))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


def sender_for(
    db: Database, channel: FakeChannel, clock: FixedClock, owner: str = "a", **kw: object
) -> Sender:
    limits = kw.pop("limits", FAST)
    return Sender(db, {"telegram": channel}, {"telegram": limits}, clock, owner=owner, **kw)  # type: ignore[arg-type]


async def queue(db: Database, employee_ids: list[int], clock: FixedClock, **kw: object) -> None:
    async with db.transaction() as session:
        accounts = (
            await session.execute(
                select(ChatAccount).where(ChatAccount.employee_id.in_(employee_ids))
            )
        ).scalars()
        for n, account in enumerate(accounts):
            text = kw.get("text", "Halo")
            enqueue_reply(session, account, Reply(T(str(text), str(text))), now=clock(),
                          key=f"{text}:{n}:{account.id}", priority=int(kw.get("priority", 5)))  # type: ignore[arg-type]  # fmt: skip


async def test_every_due_message_is_sent_once_and_recorded(
    db: Database, clock: FixedClock
) -> None:
    people = await add_people(db, 12)
    await queue(db, people, clock)
    channel = FakeChannel()

    assert await sender_for(db, channel, clock).sweep() == 12

    assert sorted(channel.per_chat().values()) == [1] * 12
    rows = await outbox_rows(db)
    assert {(r.status, r.sent_at) for r in rows} == {("sent", clock())}
    assert all(r.external_ref and r.claimed_by is None for r in rows)
    # A second sweep (a restart) finds nothing to send.
    assert await sender_for(db, channel, clock).sweep() == 0
    assert len(channel.sent) == 12


async def test_interactive_replies_go_before_bulk(db: Database, clock: FixedClock) -> None:
    people = await add_people(db, 3)
    await queue(db, people, clock, text="bulk", priority=PRIORITY_BULK)
    await queue(db, people[:1], clock, text="push", priority=PRIORITY_PUSH)
    await queue(db, people[:1], clock, text="reply", priority=PRIORITY_INTERACTIVE)
    channel = FakeChannel()
    limits = ChannelLimits(100_000, None, concurrency=1)

    await sender_for(db, channel, clock, limits=limits).sweep()

    assert [text for _, text in channel.sent] == ["reply", "push", "bulk", "bulk", "bulk"]


async def test_two_instances_racing_send_each_message_exactly_once(
    database_url: str, clock: FixedClock
) -> None:
    first, second = Database(database_url), Database(database_url)
    try:
        people = await add_people(first, 60)
        await queue(first, people, clock)
        channel = FakeChannel()
        a = sender_for(first, channel, clock, owner="instance-a")
        b = sender_for(second, channel, clock, owner="instance-b")

        counts = await asyncio.gather(a.sweep(), b.sweep())

        assert sum(counts) == 60
        assert sorted(channel.per_chat().values()) == [1] * 60
        assert {r.status for r in await outbox_rows(first)} == {"sent"}
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_429_storm_delays_only_the_chats_told_to_wait(
    db: Database, clock: FixedClock
) -> None:
    people = await add_people(db, 20)
    await queue(db, people, clock)
    storm = [str(700_000 + i) for i in people[:8]]
    channel = FakeChannel()
    for chat in storm:
        channel.answer(chat, RetryLater(3), RetryLater(5))
    sender = sender_for(db, channel, clock)

    assert await sender.sweep() == 12
    assert set(channel.per_chat()) == {str(700_000 + i) for i in people[8:]}
    waiting = await outbox_rows(db, status="pending")
    assert {r.next_attempt_at for r in waiting} == {clock() + timedelta(seconds=3)}
    assert {r.attempts for r in waiting} == {0}  # being paced is not a failed attempt

    clock.advance(timedelta(seconds=3))
    assert await sender.sweep() == 0  # the second 429 for each of them
    clock.advance(timedelta(seconds=5))
    assert await sender.sweep() == 8

    assert sorted(channel.per_chat().values()) == [1] * 20
    assert sender.stats["telegram.rate_limited"] == 16


async def test_a_later_message_never_overtakes_one_told_to_wait(
    db: Database, clock: FixedClock
) -> None:
    [person] = await add_people(db, 1)
    await queue(db, [person], clock, text="first")
    await queue(db, [person], clock, text="second")
    channel = FakeChannel()
    channel.answer(str(700_000 + person), RetryLater(2))
    sender = sender_for(db, channel, clock, limits=ChannelLimits(100_000, None, concurrency=4))

    await sender.sweep()
    assert channel.sent == []

    clock.advance(timedelta(seconds=10))
    await sender.sweep()
    assert [text for _, text in channel.sent] == ["first", "second"]


async def test_a_user_who_blocked_the_bot_is_marked_inactive_and_skipped_next_time(
    db: Database, clock: FixedClock
) -> None:
    people = await add_people(db, 3)
    blocked_chat = str(700_000 + people[0])
    channel = FakeChannel(blocked={blocked_chat})
    await queue(db, people, clock, text="one")
    await sender_for(db, channel, clock).sweep()

    async with db.sessions() as session:
        account = (
            await session.execute(select(ChatAccount).where(ChatAccount.employee_id == people[0]))
        ).scalar_one()
    assert account.active is False
    failed = await outbox_rows(db, status="failed")
    assert [(r.chat_account_id, r.last_error) for r in failed] == [(account.id, "blocked")]

    await queue(db, people, clock, text="two")
    await sender_for(db, channel, clock).sweep()
    assert channel.attempts[blocked_chat] == 1  # never tried again
    assert [r.last_error for r in await outbox_rows(db, status="skipped")] == ["inactive"]


async def test_a_rejected_message_fails_for_good_with_its_reason(
    db: Database, clock: FixedClock
) -> None:
    [person] = await add_people(db, 1)
    await queue(db, [person], clock)
    channel = FakeChannel()
    channel.answer(str(700_000 + person), Rejected("Bad Request: chat not found"))

    await sender_for(db, channel, clock).sweep()
    clock.advance(timedelta(hours=1))
    await sender_for(db, channel, clock).sweep()

    [row] = await outbox_rows(db)
    assert (row.status, row.last_error, row.attempts) == (
        "failed",
        "Bad Request: chat not found",
        1,
    )


async def test_a_network_error_is_retried_with_backoff(db: Database, clock: FixedClock) -> None:
    [person] = await add_people(db, 1)
    await queue(db, [person], clock)
    channel = FakeChannel()
    channel.answer(str(700_000 + person), ConnectionError("reset"))

    await sender_for(db, channel, clock).sweep()
    [row] = await outbox_rows(db)
    assert (row.status, row.attempts, row.next_attempt_at) == (
        "pending",
        1,
        clock() + timedelta(seconds=10),
    )
    clock.advance(timedelta(seconds=10))
    await sender_for(db, channel, clock).sweep()
    assert [r.status for r in await outbox_rows(db)] == ["sent"]


async def test_a_crash_mid_broadcast_resumes_with_no_one_missed_and_only_in_flight_doubled(
    database_url: str, clock: FixedClock
) -> None:
    first, second = Database(database_url), Database(database_url)
    try:
        people = await add_people(first, 40)
        broadcast = await create_broadcast(
            first, audience=Audience("all"), reply=LESSON, title="t", now=clock()
        )
        limits = ChannelLimits(100_000, None, concurrency=4)
        # Instance A delivers 15, then 4 more reach the chat but the answers never come back.
        crashing = FakeChannel(hang_after=15, hang_count=4)
        a = Sender(first, {"telegram": crashing}, {"telegram": limits}, clock, owner="a")
        running = asyncio.create_task(a.sweep())
        await crashing.wait_hung()
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
        in_flight = {chat for chat, _ in crashing.sent[15:]}
        assert len(in_flight) == 4

        # Instance B starts; A's claims come back once their lease has run out.
        survivor = FakeChannel()
        b = Sender(second, {"telegram": survivor}, {"telegram": limits}, clock, owner="b")
        await b.sweep()
        assert len(survivor.sent) < 40 - 15  # A's unexpired claims are left alone
        clock.advance(timedelta(seconds=31))  # the 30-second lease ran out
        await b.sweep()

        delivered = crashing.per_chat() + survivor.per_chat()
        assert set(delivered) == {str(700_000 + i) for i in people}
        assert {chat for chat, n in delivered.items() if n > 1} == in_flight
        state = await report(first, broadcast, clock())
        assert (state.delivered, state.pending) == (40, 0)
    finally:
        await first.dispose()
        await second.dispose()


async def test_bulk_waits_for_morning_in_quiet_hours_but_replies_do_not(
    db: Database,
) -> None:
    night = FixedClock(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))  # 22:00 WIB
    wib = await add_people(db, 1)
    wit = await add_people(db, 1, timezone="Asia/Jayapura")  # already 00:00 there
    await queue(db, wib + wit, night, text="lesson", priority=PRIORITY_BULK)
    await queue(db, wib, night, text="reply", priority=PRIORITY_INTERACTIVE)
    channel = FakeChannel()

    await sender_for(db, channel, night, quiet=QuietHours()).sweep()

    assert [text for _, text in channel.sent] == ["reply"]
    waiting = {r.employee_id: r.next_attempt_at for r in await outbox_rows(db, status="pending")}
    assert waiting == {
        wib[0]: datetime(2026, 12, 1, 23, 0, tzinfo=UTC),  # 06:00 WIB on 2 December
        wit[0]: datetime(2026, 12, 1, 21, 0, tzinfo=UTC),  # 06:00 WIT on 2 December
    }


async def test_a_chat_waiting_for_its_slot_never_holds_the_only_worker(
    db: Database, clock: FixedClock
) -> None:
    chatty, *others = await add_people(db, 5)
    for n in (1, 2, 3):
        await queue(db, [chatty], clock, text=f"chatty {n}")
    await queue(db, others, clock, text="other")
    channel = FakeChannel()
    # One worker, one message a second per chat: chatty's 2nd and 3rd wait for their slot
    # while the other chats are written to.
    paced = ChannelLimits(100_000, 1.0, concurrency=1)

    assert await sender_for(db, channel, clock, limits=paced).sweep() == 7

    assert [text for _, text in channel.sent] == [
        "chatty 1", "other", "other", "other", "other", "chatty 2", "chatty 3",
    ]  # fmt: skip


async def test_each_send_is_recorded_before_the_next_one_leaves(
    db: Database, clock: FixedClock
) -> None:
    people = await add_people(db, 6)
    await queue(db, people, clock)
    seen: list[int] = []

    async def look(_chat: str) -> None:
        seen.append(len(await outbox_rows(db, status="sent")))

    channel = FakeChannel(on_send=look)
    one_at_a_time = ChannelLimits(100_000, None, concurrency=1)

    await sender_for(db, channel, clock, limits=one_at_a_time).sweep()

    # The n-th send sees the n-1 before it already recorded: a crash resends at most one.
    assert seen == [0, 1, 2, 3, 4, 5]


async def test_sends_that_finish_together_are_recorded_in_one_transaction(
    db: Database, clock: FixedClock
) -> None:
    people = await add_people(db, 4)
    await queue(db, people, clock)
    in_flight, together = 0, asyncio.Event()

    async def wait_for_the_others(_chat: str) -> None:
        nonlocal in_flight
        in_flight += 1
        if in_flight == 4:
            together.set()
        await together.wait()

    writes: list[int] = []

    def count(_conn, _cursor, statement: str, parameters, _context, executemany: bool) -> None:
        if statement.startswith("UPDATE outbox SET status="):
            writes.append(len(parameters) if executemany else 1)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        assert await sender_for(db, FakeChannel(on_send=wait_for_the_others), clock).sweep() == 4
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)

    # Four answers at once: one statement (and transaction) records them all, not four.
    assert writes == [4]
    assert {row.status for row in await outbox_rows(db)} == {"sent"}


async def test_a_claim_whose_lease_ran_out_during_the_sweep_is_left_to_others(
    database_url: str, clock: FixedClock
) -> None:
    first, second = Database(database_url), Database(database_url)
    try:
        [person] = await add_people(first, 1)
        for text in ("one", "two"):
            await queue(first, [person], clock, text=text)

        taken: list[int] = []

        async def stall(_chat: str) -> None:
            # The first send takes longer than the whole 30-second lease, and meanwhile
            # instance b claims what a still holds in memory.
            clock.advance(timedelta(seconds=45))
            claimed = await claim_due(second, "telegram", clock(), limit=10,
                                      lease=timedelta(seconds=30), owner="b")  # fmt: skip
            taken.extend(c.id for c in claimed)

        slow = FakeChannel(on_send=stall)
        a = sender_for(first, slow, clock, owner="a", lease=timedelta(seconds=30))
        assert await a.sweep() == 1
        assert [text for _, text in slow.sent] == ["one"]
        assert a.stats["telegram.lease_lost"] == 1
        # b claimed both, the one in flight too; a's "sent", recorded after, is the truth.
        assert len(taken) == 2

        # Nothing was lost: b sends "two" once its own claim is due again.
        clock.advance(timedelta(seconds=31))
        other = FakeChannel()
        assert await sender_for(second, other, clock, owner="b").sweep() == 1
        assert [text for _, text in other.sent] == ["two"]
        assert [r.status for r in await outbox_rows(first)] == ["sent", "sent"]
    finally:
        await first.dispose()
        await second.dispose()


async def test_leases_are_renewed_while_a_long_send_runs(
    database_url: str, clock: FixedClock
) -> None:
    first, second = Database(database_url), Database(database_url)
    try:
        [person] = await add_people(first, 1)
        await queue(first, [person], clock, text="long")
        started, release = asyncio.Event(), asyncio.Event()

        async def hold(_chat: str) -> None:
            started.set()
            await release.wait()

        slow = FakeChannel(on_send=hold)
        a = sender_for(first, slow, clock, owner="a", lease=timedelta(seconds=0.3))
        running = asyncio.create_task(a.sweep())
        await started.wait()
        clock.advance(timedelta(seconds=10))  # far past the first lease
        for _ in range(100):  # the heartbeat runs every 0.1 s; the test timeout bounds this
            if (await outbox_rows(first))[0].claimed_until > clock():
                break
            await asyncio.sleep(0.05)
        assert (await outbox_rows(first))[0].claimed_until > clock()

        other = FakeChannel()
        assert await sender_for(second, other, clock, owner="b").sweep() == 0
        release.set()
        assert await running == 1
        assert (await outbox_rows(first))[0].status == "sent"
        assert other.sent == []
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_restart_under_the_same_name_sends_its_old_claims_at_once(
    db: Database, clock: FixedClock
) -> None:
    people = await add_people(db, 3)
    await queue(db, people, clock)
    crashing = FakeChannel(hang_after=0, hang_count=1)
    dead = sender_for(db, crashing, clock, owner="host:8080")
    running = asyncio.create_task(dead.sweep())
    await crashing.wait_hung()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running

    restarted = sender_for(db, FakeChannel(), clock, owner="host:8080")
    assert await restarted.reclaim_own() == 3  # the unanswered send and the two waiting
    assert await restarted.sweep() == 3


async def test_the_retry_backoff_and_attempt_limit_are_settings(
    db: Database, clock: FixedClock, settings
) -> None:
    [person] = await add_people(db, 1)
    await queue(db, [person], clock)
    channel = FakeChannel()
    chat = str(700_000 + person)
    channel.answer(chat, ConnectionError("reset"), ConnectionError("reset"))
    configured = settings.model_copy(
        update={"outbox_backoff_base_seconds": 1, "outbox_backoff_max_seconds": 60,
                "outbox_max_attempts": 2}
    )  # fmt: skip
    sender = Sender.from_settings(db, {"telegram": channel}, configured, clock, owner="a")

    await sender.sweep()
    [row] = await outbox_rows(db)
    assert (row.status, row.attempts, row.next_attempt_at) == (
        "pending", 1, clock() + timedelta(seconds=2),  # 1 · 2^1
    )  # fmt: skip
    clock.advance(timedelta(seconds=2))
    await sender.sweep()
    [row] = await outbox_rows(db)
    assert (row.status, row.attempts, row.last_error) == ("failed", 2, "gave up: ConnectionError")
