"""A step asking a backend holds no lock of ours while the backend thinks; the reply comes once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from core.outbox import local_account
from core.storage.models import Conversation, Employee, InboxItem, OutboxItem
from integrations.connectors.http import HttpBackend, HttpConnector, Operation
from tests.support.fake_backend import FakeBackend

DIMAS = "199402172019031005"


@pytest.fixture
async def hrapp(ayo: App, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeBackend]:
    """The payslip service's backend, a real HTTP app on loopback that answers when told."""
    async with FakeBackend() as fake:
        config = HttpBackend(
            name="sandbox",
            base_url=fake.url,
            timeout_seconds=30,
            operations={"payslip.view": Operation(method="GET", path="/payslip")},
        )
        monkeypatch.setitem(ayo.deps.connectors, "sandbox", HttpConnector(config))
        yield fake


async def lock_nowait(ayo: App, table: str, column: str, key: int) -> None:
    """Take the row's lock at once or fail: PostgreSQL FOR UPDATE NOWAIT; on SQLite, whose
    lock is the one writer's, a write that may not wait (busy timeout 0)."""
    async with ayo.db.transaction() as session:
        await _lock_nowait(session, ayo.db.is_sqlite, table, column, key)


async def _lock_nowait(
    session: AsyncSession, sqlite: bool, table: str, column: str, key: int
) -> None:
    if not sqlite:
        query = f"SELECT {column} FROM {table} WHERE {column} = :key FOR UPDATE NOWAIT"
        assert (await session.execute(text(query), {"key": key})).scalar_one() == key
        return
    before = (await session.execute(text("PRAGMA busy_timeout"))).scalar_one()
    await session.execute(text("PRAGMA busy_timeout = 0"))
    try:
        await session.execute(
            text(f"UPDATE {table} SET {column} = {column} WHERE {column} = :key"), {"key": key}
        )
    finally:
        await session.execute(text(f"PRAGMA busy_timeout = {int(before)}"))


async def test_the_rows_are_free_while_the_backend_answers(ayo: App, hrapp: FakeBackend) -> None:
    # A form opened and cancelled: the chat's conversation row exists, as for a regular.
    await ayo.local.say(DIMAS, text="printer rusak")
    await ayo.local.say(DIMAS, text="batal")
    await ayo.local.collect(DIMAS)
    async with ayo.db.sessions() as session:
        dimas = await session.scalar(select(Employee).where(Employee.nip == DIMAS))
        account = await local_account(session, dimas.id, ayo.deps.clock())
        await session.commit()
        assert await session.get(Conversation, account.id) is not None
    hrapp.hold = True
    asking = asyncio.create_task(ayo.local.say(DIMAS, text="slip gaji november"))
    assert await asyncio.to_thread(hrapp.entered.wait, 30)
    async with ayo.db.sessions() as session:
        inbox_id = await session.scalar(select(func.max(InboxItem.id)))
    # The backend is still thinking: the step's rows can be locked by anyone else.
    await lock_nowait(ayo, "conversations", "chat_account_id", account.id)
    await lock_nowait(ayo, "inbox", "id", inbox_id)
    assert not asking.done()
    hrapp.release.set()
    await asyncio.wait_for(asking, 30)
    [reply] = await ayo.local.collect(DIMAS)
    assert reply.text.startswith("Slip gaji November 2026")
    assert "Diterima: Rp6.600.000" in reply.text
    async with ayo.db.sessions() as session:
        item = await session.get(InboxItem, inbox_id)
        replies = await session.scalar(
            select(func.count()).select_from(OutboxItem).where(OutboxItem.in_reply_to == inbox_id)
        )
    assert (item.status, replies, len(hrapp.queries)) == ("processed", 1, 1)
    assert hrapp.queries[0]["nip"] == DIMAS


async def test_a_message_sent_during_the_call_is_answered_after_it(
    ayo: App, hrapp: FakeBackend
) -> None:
    hrapp.hold = True
    asking = asyncio.create_task(ayo.local.say(DIMAS, text="slip gaji november"))
    assert await asyncio.to_thread(hrapp.entered.wait, 30)
    await ayo.local.say(DIMAS, text="sisa cuti")
    assert await ayo.local.collect(DIMAS) == []  # it waits for the payslip's answer
    hrapp.release.set()
    await asyncio.wait_for(asking, 30)
    payslip, balance = await ayo.local.collect(DIMAS)
    assert payslip.text.startswith("Slip gaji November 2026")
    assert balance.text.startswith("Sisa cuti tahunan 2026")


async def test_a_backend_that_is_down_gets_a_friendly_answer_once(
    ayo: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = FakeBackend()
    async with gone:
        url = gone.url
    config = HttpBackend(
        name="sandbox",
        base_url=url,
        timeout_seconds=2,
        operations={"payslip.view": Operation(method="GET", path="/payslip")},
    )
    monkeypatch.setitem(ayo.deps.connectors, "sandbox", HttpConnector(config))
    await ayo.local.say(DIMAS, text="slip gaji november")
    [reply] = await ayo.local.collect(DIMAS)
    assert "tidak bisa dihubungi" in reply.text
    async with ayo.db.sessions() as session:
        item = (await session.execute(select(InboxItem))).scalar_one()
    assert item.status == "processed"
