"""A crash inside a handler never leaves a chat stuck: told, kept as failed, replayable."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.context import Context
from bot.inbound.cli import replay
from core.clock import FixedClock
from core.messages import Reply
from core.settings import Settings
from core.storage.models import InboxItem, OutboxItem
from tests.support.channel_rig import Rig, channel_rig
from tests.support.console import ayo_env, run_ayo
from tests.support.fake_telegram import tg_message_update

CHAT = 5550201


@pytest.fixture
async def rig(settings: Settings, clock: FixedClock) -> AsyncIterator[Rig]:
    async with channel_rig(settings, clock, tg_chats=(CHAT,)) as rig:
        yield rig


def crash_first(rig: Rig) -> list[int]:
    """Make the handler for unlinked chats crash on its first call only."""
    real = rig.ayo.engine.unlinked
    calls: list[int] = []

    async def handler(ctx: Context) -> list[Reply]:
        calls.append(ctx.inbox_id)
        if len(calls) == 1:
            raise RuntimeError("handler bug")
        return await real(ctx)

    rig.ayo.engine.unlinked = handler
    return calls


async def statuses(rig: Rig) -> dict[str, str]:
    async with rig.ayo.db.sessions() as session:
        rows = await session.execute(select(InboxItem.external_key, InboxItem.status))
        return {key: status for key, status in rows.all()}


async def test_a_crash_tells_the_user_keeps_the_update_and_the_chat_goes_on(rig: Rig) -> None:
    crash_first(rig)
    assert (await rig.telegram(tg_message_update(1, CHAT, CHAT, "halo"))).status_code == 200
    await rig.settle()
    assert (await rig.telegram(tg_message_update(2, CHAT, CHAT, "halo lagi"))).status_code == 200
    await rig.settle()
    assert await statuses(rig) == {"1": "failed", "2": "processed"}
    failed, answered = [m["text"] for m in rig.tg.sent_messages(CHAT)]
    assert failed == (
        "Maaf, terjadi gangguan saat memproses pesan Anda. Pesan Anda tersimpan; silakan coba "
        "lagi sebentar lagi."
    )
    assert "kode penghubung" in answered


async def test_ayo_inbox_replay_processes_a_failed_update_again(
    rig: Rig, database_url: str, tmp_path: Path
) -> None:
    crash_first(rig)
    await rig.telegram(tg_message_update(1, CHAT, CHAT, "halo"))
    await rig.settle()
    env = ayo_env(database_url, tmp_path)
    listed = await asyncio.to_thread(run_ayo, ["inbox", "list", "--json"], env)
    [row] = json.loads(listed.stdout)
    assert (row["channel"], row["kind"], row["error"]) == (
        "telegram",
        "text",
        "handler error: RuntimeError",
    )

    done = await asyncio.to_thread(run_ayo, ["inbox", "replay", str(row["id"])], env)
    assert done.returncode == 0, done.stderr
    assert "processed" in done.stderr
    assert await statuses(rig) == {"1": "processed"}
    # The CLI ran on the real clock: bring the rig's clock past it for the sender.
    rig.clock.set(datetime.now(UTC) + timedelta(minutes=1))
    await rig.settle()
    failed, replayed = [m["text"] for m in rig.tg.sent_messages(CHAT)]
    assert "Maaf, terjadi gangguan" in failed and "kode penghubung" in replayed

    again = await asyncio.to_thread(run_ayo, ["inbox", "replay", str(row["id"])], env)
    assert again.returncode == 1
    assert "not replayed: processed" in again.stderr
    assert len(rig.tg.sent_messages(CHAT)) == 2


async def test_a_replay_that_fails_again_stays_failed_and_tells_once(rig: Rig) -> None:
    calls = crash_first(rig)
    await rig.telegram(tg_message_update(1, CHAT, CHAT, "halo"))
    await rig.settle()
    [inbox_id] = calls
    calls.clear()  # the next call is a "first" one again: it crashes too
    assert await replay(rig.ayo.engine, inbox_id) == "failed"
    async with rig.ayo.db.sessions() as session:
        keys = await session.execute(
            select(OutboxItem.idempotency_key).where(OutboxItem.in_reply_to == inbox_id)
        )
        assert list(keys.scalars()) == [f"reply:{inbox_id}:failed"]
