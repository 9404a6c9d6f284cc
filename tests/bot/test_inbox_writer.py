"""Updates arriving together are committed together, and each gets its own answer."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.types import ChatRef, Inbound
from core.storage.models import ChatAccount, InboxItem


def update(key: str, chat: str, text: str = "halo", **meta: object) -> Inbound:
    return Inbound(chat=ChatRef("telegram", chat), key=key, text=text, meta=dict(meta))


async def counts(ayo: App) -> tuple[int, int]:
    async with ayo.db.sessions() as session:
        inbox = await session.scalar(select(func.count(InboxItem.id)))
        chats = await session.scalar(
            select(func.count(ChatAccount.id)).where(ChatAccount.channel == "telegram")
        )
        return inbox or 0, chats or 0


async def test_a_burst_is_committed_once_each_with_redeliveries_answered_none(ayo: App) -> None:
    burst = [update(str(n), str(9000 + n % 7)) for n in range(40)]
    burst += [update("3", "9003"), update("17", "9003")]  # redeliveries inside the burst
    results = await asyncio.gather(*(ayo.engine.receive_item(u) for u in burst))
    fresh = [r for r in results if r is not None]
    assert len(fresh) == 40 and results[40:] == [None, None]
    assert len({inbox_id for inbox_id, _ in fresh}) == 40
    assert await counts(ayo) == (40, 7)
    again = await asyncio.gather(*(ayo.engine.receive_item(u) for u in burst[:5]))
    assert again == [None] * 5
    assert await counts(ayo) == (40, 7)


async def test_each_update_keeps_its_own_chat(ayo: App) -> None:
    results = await asyncio.gather(
        ayo.engine.receive_item(update("a", "111")),
        ayo.engine.receive_item(update("b", "222")),
        ayo.engine.receive_item(update("c", "111")),
    )
    async with ayo.db.sessions() as session:
        external = dict(
            (await session.execute(select(ChatAccount.id, ChatAccount.external_id))).all()
        )
    assert [external[account] for _, account in results] == ["111", "222", "111"]


async def test_one_update_that_cannot_be_stored_fails_alone(ayo: App) -> None:
    good = [update(f"g{n}", "333") for n in range(3)]
    bad = update("bad", "333", odd={1, 2})  # a set is no JSON: its insert fails
    results = await asyncio.gather(
        *(ayo.engine.receive_item(u) for u in [*good, bad]), return_exceptions=True
    )
    assert [r is not None and not isinstance(r, Exception) for r in results[:3]] == [True] * 3
    assert isinstance(results[3], Exception)
    assert await counts(ayo) == (3, 1)


@pytest.mark.parametrize("key", ["x" * 101])
async def test_keys_longer_than_the_column_are_refused_before_the_database(
    ayo: App, key: str
) -> None:
    with pytest.raises(ValueError):
        await ayo.engine.receive_item(update(key, "444"))
    assert await counts(ayo) == (0, 0)
