"""Two instances share one bot's send budget through Redis (the fake Bot API's flood limits on).

Each instance alone may send at the bot's whole rate; without the shared budget two of them
send at twice the rate and Telegram answers 429. Redis at AYO_TEST_REDIS_URL (default local).
"""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from bot.channels.setup import build_channels
from core.clock import FixedClock
from core.messages import Reply
from core.settings import Settings
from core.storage.db import Database
from core.text import T
from scheduler.broadcasts import Audience, create_broadcast, report
from scheduler.budget import RedisBudget
from scheduler.channel_port import ChannelLimits, close_channels, start_channels
from scheduler.sender import Sender
from tests.support.fake_telegram import DEFAULT_TOKEN, FakeTelegram, TelegramLimits
from tests.support.scheduler_world import add_people

REDIS = os.environ.get("AYO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BOT_RATE = 5  # the fake's limit, far below Telegram's 30 so that the test stays short


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def two_instances_send(
    database_url: str, clock: FixedClock, *, shared: bool
) -> tuple[int, int, int]:
    """(delivered, pending, 429s) after two instances each swept a broadcast to 20 people."""
    dbs = [Database(database_url), Database(database_url)]
    prefix = f"ayo-test-{uuid.uuid4().hex[:8]}"
    budgets = [RedisBudget.from_url(REDIS, prefix=prefix) for _ in dbs] if shared else []
    people = await add_people(dbs[0], 20)
    # A quarter of headroom over the bot's rate: on a loaded machine the fake's one-second
    # window and the budget's can be a few milliseconds apart. Alone, two instances still send
    # at twice the rate, well past it (the second test).
    limits = TelegramLimits(global_per_sec=BOT_RATE * 1.25, per_chat_per_sec=1)
    try:
        async with FakeTelegram(chats=[700_000 + i for i in people], limits=limits) as tg:
            config = Settings(
                _env_file=None, telegram_token=DEFAULT_TOKEN, telegram_api_url=tg.base_url
            )
            broadcast = await create_broadcast(
                dbs[0], audience=Audience("all"), reply=Reply(T("x", "x")), title="t",
                now=clock(),
            )  # fmt: skip
            senders, all_channels = [], []
            for n, db in enumerate(dbs):
                channels = build_channels(config, db, clock)
                await start_channels(channels)
                all_channels.append(channels)
                # Each instance is told the bot's whole rate: only the budget keeps them under.
                senders.append(Sender(
                    db, channels, {"telegram": ChannelLimits(BOT_RATE, 1.0, concurrency=4)},
                    clock, owner=f"instance-{n}",
                    budget=budgets[n] if shared else None,
                ))  # fmt: skip
            await asyncio.gather(*(s.sweep() for s in senders))
            state = await report(dbs[0], broadcast)
            for channels in all_channels:
                await close_channels(channels)
            return state.delivered, state.pending, tg.count_429
    finally:
        for budget in budgets:
            await budget.close()
        for db in dbs:
            await db.dispose()


async def test_two_instances_with_the_shared_budget_draw_no_429(
    database_url: str, clock: FixedClock
) -> None:
    assert await two_instances_send(database_url, clock, shared=True) == (20, 0, 0)


async def test_two_instances_pacing_alone_draw_429s(database_url: str, clock: FixedClock) -> None:
    delivered, pending, refused = await two_instances_send(database_url, clock, shared=False)
    # At twice the bot's rate the fake refuses some; those wait for their retry_after.
    assert refused > 0
    assert (delivered + pending, pending) == (20, refused)
