"""The Telegram adapter with the real PTB client against the loopback fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.clock import FixedClock
from core.messages import Button, Reply
from core.storage.db import Database
from core.text import T
from scheduler.broadcasts import Audience, create_broadcast, report
from scheduler.channel_port import Blocked, ChannelLimits, Rejected
from scheduler.sender import Sender
from scheduler.telegram_adapter import TelegramSender
from tests.support.fake_telegram import DEFAULT_TOKEN, FakeTelegram, TelegramLimits
from tests.support.scheduler_world import add_people

CHAT = 424242


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(chats=[CHAT]) as fake:
        yield fake


@pytest.fixture
async def adapter(tg: FakeTelegram) -> AsyncIterator[TelegramSender]:
    sender = TelegramSender.build(DEFAULT_TOKEN, tg.base_url)
    await sender.start()
    yield sender
    await sender.close()


async def test_a_reply_arrives_in_the_chosen_language_with_its_buttons(
    tg: FakeTelegram, adapter: TelegramSender
) -> None:
    reply = Reply(T("Mulai pelajaran?", "Start the lesson?"),
                  buttons=(Button(T("Ya", "Yes"), "tok123"),))  # fmt: skip

    ref = await adapter.send(str(CHAT), reply, language="en")

    [message] = tg.sent_messages(CHAT)
    assert (str(message["message_id"]), message["text"]) == (ref, "Start the lesson?")
    assert message["reply_markup"] == {
        "inline_keyboard": [[{"text": "Yes", "callback_data": "tok123"}]]
    }


async def test_a_blocked_chat_and_an_unknown_chat_are_told_apart(
    tg: FakeTelegram, adapter: TelegramSender
) -> None:
    tg.block_chat(CHAT)
    with pytest.raises(Blocked):
        await adapter.send(str(CHAT), Reply(T("a", "a")), language="id")
    with pytest.raises(Rejected, match="Chat not found"):
        await adapter.send("999", Reply(T("a", "a")), language="id")


async def test_a_429_storm_on_the_real_stack_reschedules_only_the_refused_sends(
    database_url: str, clock: FixedClock
) -> None:
    db = Database(database_url)
    people = await add_people(db, 12)
    chats = [700_000 + i for i in people]
    limits = TelegramLimits(global_per_sec=5, per_chat_per_sec=1)
    try:
        async with FakeTelegram(chats=chats, limits=limits) as tg:
            adapter = TelegramSender.build(DEFAULT_TOKEN, tg.base_url)
            await adapter.start()
            broadcast = await create_broadcast(
                db, audience=Audience("all"), reply=Reply(T("x", "x")), title="t", now=clock()
            )
            # Deliberately far above the fake's limit: the 429s must be handled, not avoided.
            reckless = ChannelLimits(1000, None, concurrency=4)
            sender = Sender(db, {"telegram": adapter}, {"telegram": reckless}, clock)
            await sender.sweep()
            await adapter.close()
            state = await report(db, broadcast)

            assert (state.delivered, state.pending) == (5, 7)
            assert tg.count_429 == 7 == sender.stats["telegram.rate_limited"]
            assert len(tg.sent_messages()) == 5
            # Nothing is resent before its retry_after (the fake clock has not moved).
            assert await Sender(db, {"telegram": adapter}, {"telegram": reckless},
                                clock).sweep() == 0  # fmt: skip
    finally:
        await db.dispose()
