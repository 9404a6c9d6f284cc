"""A small organisation and a fake channel for the scheduler tests (no MagicMock).

`add_people` inserts employees with chat accounts straight into a migrated database;
`FakeChannel` implements `scheduler.channel_port.ChannelSender` and records every send, and can
be scripted to answer 429, "blocked" or "rejected", or to hang (a crash in the middle of a send).
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from core.messages import Reply
from core.storage.db import Database
from core.storage.models import ChatAccount, Employee, OrgUnit, OutboxItem
from scheduler.channel_port import ChannelLimits

FAST = ChannelLimits(global_per_sec=100_000, per_chat_per_sec=None, concurrency=4)
_serial = itertools.count(1)


def make_nip(i: int) -> str:
    born = date(1980, 1, 1) + timedelta(days=i // 999)
    return f"{born:%Y%m%d}2005{i % 12 + 1:02d}1{i % 999 + 1:03d}"


async def add_unit(db: Database, code: str, parent: str | None = None) -> int:
    async with db.transaction() as session:
        parent_id = None
        if parent:
            parent_id = (
                await session.execute(select(OrgUnit.id).where(OrgUnit.code == parent))
            ).scalar_one()
        unit = OrgUnit(code=code, name=f"Unit {code}", kind="opd", parent_id=parent_id)
        session.add(unit)
        await session.flush()
        return unit.id


async def add_people(
    db: Database,
    count: int,
    *,
    unit: str = "DINAS",
    roles: tuple[str, ...] = ("employee",),
    timezone: str = "Asia/Jakarta",
    channel: str | None = "telegram",
    supervisor_id: int | None = None,
    employment: str = "PNS",
) -> list[int]:
    """Insert `count` employees (each with one chat on `channel`); returns their ids."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    async with db.transaction() as session:
        unit_id = (await session.execute(select(OrgUnit.id).where(OrgUnit.code == unit))).scalar()
        if unit_id is None:
            made = OrgUnit(code=unit, name=f"Unit {unit}", kind="opd")
            session.add(made)
            await session.flush()
            unit_id = made.id
        ids = []
        for _ in range(count):
            n = next(_serial)
            person = Employee(
                nip=make_nip(n), name=f"Pegawai {n}", unit_id=unit_id, roles=list(roles),
                timezone=timezone, supervisor_id=supervisor_id, employment=employment,
                service_start=date(2015, 1, 1), created_at=now,
            )  # fmt: skip
            session.add(person)
            await session.flush()
            ids.append(person.id)
        if channel:
            await session.execute(
                insert(ChatAccount),
                [{"channel": channel, "external_id": str(700_000 + i), "employee_id": i,
                  "is_group": False, "active": True, "created_at": now} for i in ids],
            )  # fmt: skip
    return ids


async def outbox_rows(db: Database, **where: object) -> list[OutboxItem]:
    async with db.sessions() as session:
        query = select(OutboxItem).order_by(OutboxItem.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxItem, name) == value)
        return list((await session.execute(query)).scalars())


@dataclass
class FakeChannel:
    """A `ChannelSender` that records sends; scripted answers per chat, or a hang."""

    name: str = "telegram"
    sent: list[tuple[str, str]] = field(default_factory=list)
    script: dict[str, deque[Exception]] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    hang_after: int | None = None
    hung: int = 0
    attempts: Counter[str] = field(default_factory=Counter)
    _hung_event: asyncio.Event = field(default_factory=asyncio.Event)
    hang_count: int = 1
    # Runs after each delivery, before the answer goes back (to look at the outbox meanwhile,
    # or to move the clock while a send is in flight).
    on_send: Callable[[str], Awaitable[None]] | None = None

    def answer(self, chat_id: str, *errors: Exception) -> None:
        """Raise these, in order, on the next sends to `chat_id`."""
        self.script.setdefault(chat_id, deque()).extend(errors)

    async def send(self, chat_id: str, reply: Reply, *, language: str) -> str:
        self.attempts[chat_id] += 1
        queued = self.script.get(chat_id)
        if queued:
            raise queued.popleft()
        if chat_id in self.blocked:
            from scheduler.channel_port import Blocked

            raise Blocked()
        self.sent.append((chat_id, reply.text.get(language)))
        if self.on_send is not None:
            await self.on_send(chat_id)
        if self.hang_after is not None and len(self.sent) > self.hang_after:
            # Delivered, but the answer never comes back: the process "crashes" here.
            self.hung += 1
            if self.hung >= self.hang_count:
                self._hung_event.set()
            await asyncio.Event().wait()
        return str(len(self.sent))

    async def wait_hung(self) -> None:
        await self._hung_event.wait()

    def per_chat(self) -> Counter[str]:
        return Counter(chat for chat, _ in self.sent)
