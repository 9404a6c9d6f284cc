"""Storage contracts, each run on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.demo import load_demo, users
from core import tokens
from core.messages import Button, Reply
from core.outbox import enqueue_replies, enqueue_reply, local_account, push, reply_row
from core.storage import migrate
from core.storage.db import Database
from core.storage.models import ChatAccount, Employee, InboxItem, OrgUnit, OutboxItem
from core.storage.models.org import nip_is_valid
from core.text import T
from tests.support import databases
from tests.support.console import ROOT

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str):
    database = Database(database_url)
    await migrate.upgrade(database)
    yield database
    await database.dispose()


async def test_migrations_reach_head_and_are_idempotent(db: Database) -> None:
    await migrate.upgrade(db)
    assert await migrate.current_revision(db) is not None


def test_the_head_read_from_the_files_is_alembics_own() -> None:
    from alembic.script import ScriptDirectory

    expected = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert migrate.head_revision() == expected is not None


def test_a_history_that_is_not_one_line_is_left_to_alembic(tmp_path: Path) -> None:
    def migration(name: str, revision: str, down: str | tuple[str, ...] | None) -> None:
        text = f"revision: str = {revision!r}\ndown_revision = {down!r}\n"
        (tmp_path / f"{name}.py").write_text(text, encoding="utf-8")

    migration("a", "aaa", None)
    migration("b", "bbb", "aaa")
    assert migrate.head_of(tmp_path) == "bbb"
    migration("c", "ccc", "aaa")  # two heads
    assert migrate.head_of(tmp_path) is None
    migration("d", "ddd", ("bbb", "ccc"))  # a merge
    assert migrate.head_of(tmp_path) is None


def test_a_revision_written_over_several_lines_is_still_read(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text('"""revision one"""\nrevision = "aaa"\ndown_revision = None\n')
    (tmp_path / "b.py").write_text(
        '"""Second.\n\nrevision notes: none\n"""\nimport sqlalchemy\n\n'
        'revision: str = (\n    "bbb"\n)\ndown_revision = "aaa"\n\n\ndef upgrade():\n    pass\n'
    )
    assert migrate.head_of(tmp_path) == "bbb"


async def test_a_database_at_head_is_started_without_importing_alembic(
    db: Database, database_url: str
) -> None:
    code = f"""
import asyncio, sys
from core.storage import migrate
from core.storage.db import Database

async def main():
    db = Database({database_url!r})
    await migrate.upgrade(db)
    print(await migrate.current_revision(db), "alembic" in sys.modules)
    await db.dispose()

asyncio.run(main())
"""
    command = [sys.executable, "-c", code]
    done = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.split() == [migrate.head_revision(), "False"]


@pytest.mark.parametrize("backend", databases.backends())
async def test_an_empty_database_has_no_revision_until_migrated(
    backend: str, tmp_path: Path
) -> None:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    else:
        url = await databases.create_postgres_database()
    database = Database(url)
    try:
        assert await migrate.current_revision(database) is None
        await migrate.upgrade(database)
        assert await migrate.current_revision(database) == migrate.head_revision()
    finally:
        await database.dispose()
        if backend != "sqlite":
            await databases.drop_postgres_database(url)


async def test_datetimes_come_back_timezone_aware_in_utc(db: Database) -> None:
    async with db.transaction() as s:
        s.add(ChatAccount(channel="local", external_id="x", created_at=NOW))
    async with db.sessions() as s:
        account = (await s.execute(select(ChatAccount))).scalar_one()
    assert account.created_at == NOW
    assert account.created_at.tzinfo is not None


async def test_the_same_update_cannot_enter_the_inbox_twice(db: Database) -> None:
    def item() -> InboxItem:
        return InboxItem(channel="telegram", external_key="42", kind="text", received_at=NOW)

    async with db.transaction() as s:
        s.add(item())
    with pytest.raises(IntegrityError):
        async with db.transaction() as s:
            s.add(item())


async def test_demo_load_is_idempotent_and_keeps_the_hierarchy(db: Database) -> None:
    first = await load_demo(db, NOW)
    second = await load_demo(db, NOW)
    assert first == second >= 40
    async with db.sessions() as s:
        assert len((await s.execute(select(Employee))).scalars().all()) == first
        assert len((await s.execute(select(OrgUnit))).scalars().all()) >= 3
    people = await users(db)
    by_nip = {p["nip"]: p for p in people}
    assert all(nip_is_valid(p["nip"]) for p in people)
    assert any("hr_admin" in p["roles"] for p in people)
    assert sum(1 for p in people if p["employment"] == "PPPK") >= 3
    # Every supervisor link points at someone in the organisation, and tops have none.
    assert all(p["supervisor_nip"] in by_nip for p in people if p["supervisor_nip"])
    assert sum(1 for p in people if p["supervisor_nip"] is None) == 3


async def test_a_token_only_works_for_its_employee_and_only_once(db: Database) -> None:
    await load_demo(db, NOW)
    async with db.transaction() as s:
        a, b = (await s.execute(select(Employee.id).limit(2))).scalars().all()
        group = "g1"
        token = await tokens.issue(
            s, employee_id=a, action="x", payload={"n": 1}, now=NOW, group=group
        )
        sibling = await tokens.issue(s, employee_id=a, action="y", now=NOW, group=group)
    assert len(token.encode()) <= 64
    async with db.transaction() as s:
        assert await tokens.press(s, token, employee_id=b, now=NOW) == tokens.Refusal.NOT_YOURS
        assert (
            await tokens.press(s, "forged-token", employee_id=a, now=NOW) == tokens.Refusal.UNKNOWN
        )
        pressed = await tokens.press(s, token, employee_id=a, now=NOW)
        assert isinstance(pressed, tokens.Pressed)
        assert (pressed.action, pressed.payload) == ("x", {"n": 1})
    async with db.transaction() as s:
        assert await tokens.press(s, token, employee_id=a, now=NOW) == tokens.Refusal.USED
        # Pressing one button of a message retires the others.
        assert await tokens.press(s, sibling, employee_id=a, now=NOW) == tokens.Refusal.USED


async def test_tokens_issued_in_a_batch_are_written_at_once_and_work(db: Database) -> None:
    await load_demo(db, NOW)
    batch = tokens.TokenBatch(NOW)
    async with db.transaction() as s:
        a, b = (await s.execute(select(Employee.id).limit(2))).scalars().all()
        first = batch.issue(employee_id=a, action="x", payload={"n": 1}, group="g")
        second = batch.issue(employee_id=a, action="y", group="g")
        other = batch.issue(employee_id=b, action="z")
        assert await batch.write(s) == 3
        assert await batch.write(s) == 0  # written once
    async with db.transaction() as s:
        assert await tokens.press(s, first, employee_id=b, now=NOW) == tokens.Refusal.NOT_YOURS
        pressed = await tokens.press(s, first, employee_id=a, now=NOW)
        assert isinstance(pressed, tokens.Pressed)
        assert (pressed.action, pressed.payload) == ("x", {"n": 1})
        assert await tokens.press(s, second, employee_id=a, now=NOW) == tokens.Refusal.USED
        pressed = await tokens.press(s, other, employee_id=b, now=NOW)
        assert isinstance(pressed, tokens.Pressed) and pressed.payload == {}
    async with db.transaction() as s:
        later = NOW + tokens.DEFAULT_TTL
        fresh = tokens.TokenBatch(NOW)
        late = fresh.issue(employee_id=a, action="x")
        await fresh.write(s)
    async with db.transaction() as s:
        assert await tokens.press(s, late, employee_id=a, now=later) == tokens.Refusal.EXPIRED


async def test_messages_queued_together_are_the_rows_one_by_one_would_be(db: Database) -> None:
    await load_demo(db, NOW)
    reply = Reply(T("Setujui?", "Approve?"), (Button(T("Setuju", "Approve"), "tok"),))
    async with db.transaction() as s:
        emp = (await s.execute(select(Employee))).scalars().first()
        account = await local_account(s, emp.id, NOW)
        rows = [reply_row(account, reply, now=NOW, key=f"bulk:{n}", priority=10) for n in (0, 1)]
        assert await enqueue_replies(s, rows) == 2
        enqueue_reply(s, account, reply, now=NOW, key="single", priority=10)
    columns = ("channel", "chat_account_id", "employee_id", "kind", "status", "attempts")
    async with db.sessions() as s:
        found = (await s.execute(select(OutboxItem).order_by(OutboxItem.id))).scalars().all()
        seen = [
            (*(getattr(r, c) for c in columns), r.priority, r.next_attempt_at, r.payload)
            for r in found
        ]
    assert [r.idempotency_key for r in found] == ["bulk:0", "bulk:1", "single"]
    assert seen[0] == seen[1] == seen[2]
    assert seen[0][:6] == ("local", account.id, emp.id, "message", "pending", 0)
    assert Reply.from_json(found[0].payload) == reply
    with pytest.raises(IntegrityError):  # a key queued twice fails the whole transaction
        async with db.transaction() as s:
            await enqueue_replies(s, [reply_row(account, reply, now=NOW, key="bulk:0")])


async def test_an_expired_token_is_refused(db: Database) -> None:
    await load_demo(db, NOW)
    async with db.transaction() as s:
        a = (await s.execute(select(Employee.id))).scalars().first()
        token = await tokens.issue(s, employee_id=a, action="x", now=NOW, ttl=timedelta(hours=1))
    async with db.transaction() as s:
        later = NOW + timedelta(hours=2)
        assert await tokens.press(s, token, employee_id=a, now=later) == tokens.Refusal.EXPIRED


async def test_a_push_reaches_the_chat_the_employee_used_last(db: Database) -> None:
    await load_demo(db, NOW)
    async with db.transaction() as s:
        emp = (await s.execute(select(Employee))).scalars().first()
        s.add(
            ChatAccount(
                channel="telegram",
                external_id="1",
                employee_id=emp.id,
                created_at=NOW,
                last_inbound_at=NOW - timedelta(days=2),
            )
        )
        s.add(
            ChatAccount(
                channel="whatsapp",
                external_id="2",
                employee_id=emp.id,
                created_at=NOW,
                last_inbound_at=NOW - timedelta(hours=1),
            )
        )
    async with db.transaction() as s:
        item = await push(s, emp.id, Reply(T("halo", "hello")), now=NOW, key="k1")
    async with db.sessions() as s:
        account = await s.get(ChatAccount, item.chat_account_id)
        assert account.channel == "whatsapp"


async def test_an_outbox_message_keeps_its_buttons_and_both_languages(db: Database) -> None:
    await load_demo(db, NOW)
    reply = Reply(T("Setujui?", "Approve?"), (Button(T("Setuju", "Approve"), "tok"),))
    async with db.transaction() as s:
        emp = (await s.execute(select(Employee))).scalars().first()
        account = await local_account(s, emp.id, NOW)
        enqueue_reply(s, account, reply, now=NOW, key="reply:1:0")
    async with db.sessions() as s:
        row = (await s.execute(select(OutboxItem))).scalar_one()
        assert Reply.from_json(row.payload) == reply
        assert row.status == "pending"


def test_nip_validation_checks_length_digits_and_birth_date() -> None:
    assert nip_is_valid("199402172019031005")
    assert not nip_is_valid("19940217201903100")  # 17 digits
    assert not nip_is_valid("199413172019031005")  # month 13
    assert not nip_is_valid("19940217201903100x")
    assert not nip_is_valid("199402172019131005")  # appointment month 13
    with pytest.raises(ValueError):
        Employee(nip="123", name="x", service_start=date(2020, 1, 1))
