"""The sender through the real Telegram channel (PTB) against the loopback fake Bot API."""

from __future__ import annotations

import pytest

from bot.channels.setup import build_channels
from core.clock import FixedClock
from core.messages import Reply
from core.settings import Settings
from core.storage.db import Database
from core.text import T
from scheduler.broadcasts import Audience, create_broadcast, report
from scheduler.channel_port import ChannelLimits, close_channels, start_channels
from scheduler.sender import Sender
from tests.support.fake_telegram import DEFAULT_TOKEN, FakeTelegram, TelegramLimits
from tests.support.scheduler_world import add_people


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def test_a_429_storm_on_the_real_stack_reschedules_only_the_refused_sends(
    database_url: str, clock: FixedClock
) -> None:
    db = Database(database_url)
    people = await add_people(db, 12)
    limits = TelegramLimits(global_per_sec=5, per_chat_per_sec=1)
    try:
        async with FakeTelegram(chats=[700_000 + i for i in people], limits=limits) as tg:
            config = Settings(
                _env_file=None, telegram_token=DEFAULT_TOKEN, telegram_api_url=tg.base_url
            )
            channels = build_channels(config, db, clock)
            await start_channels(channels)  # PTB closes only a client it initialised
            broadcast = await create_broadcast(
                db, audience=Audience("all"), reply=Reply(T("x", "x")), title="t", now=clock()
            )
            # Deliberately far above the fake's limit: the 429s must be handled, not avoided.
            reckless = {"telegram": ChannelLimits(1000, None, concurrency=4)}
            sender = Sender(db, channels, reckless, clock)
            await sender.sweep()
            state = await report(db, broadcast)

            assert (state.delivered, state.pending) == (5, 7)
            assert tg.count_429 == 7 == sender.stats["telegram.rate_limited"]
            assert len(tg.sent_messages()) == 5
            # Nothing is resent before its retry_after (the fixed clock has not moved).
            assert await Sender(db, channels, reckless, clock).sweep() == 0
            assert len(tg.requests("sendMessage")) == 12
            await close_channels(channels)
    finally:
        await db.dispose()
