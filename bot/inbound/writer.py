"""Committing updates to the inbox in groups: one transaction for every update waiting.

Each webhook request waits for its own update to be committed before it answers, as before;
but while one transaction runs, the updates arriving meanwhile queue up and go together in the
next one (group commit). Idle, a group is one update and nothing waits longer than today;
under a morning rush a few statements and one commit serve dozens of updates.

Per group: the chats are looked up (and created) in one SELECT, their `last_inbound_at` set in
one UPDATE, and the updates inserted with ON CONFLICT DO NOTHING RETURNING, so a redelivery
(already in the inbox, or twice in the same group) comes back as None without failing the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.types import Inbound
from core.clock import Clock
from core.statuses import InboxStatus
from core.storage.conflicts import insert_ignoring
from core.storage.db import Database
from core.storage.models import ChatAccount, InboxItem

log = logging.getLogger(__name__)

# Bound on one group: the statements stay small whatever the backlog.
GROUP = 200
Row = dict[str, Any]
Result = tuple[int, int] | None


class InboxWriter:
    """`await writer.write(row)` → (inbox id, chat account id), or None for a redelivery."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db, self.clock = db, clock
        self._queue: list[tuple[Row, asyncio.Future[Result]]] = []
        self._task: asyncio.Task[None] | None = None

    async def write(self, row: Row) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((row, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._queue:
            group, self._queue = self._queue[:GROUP], self._queue[GROUP:]
            try:
                results = await self._commit([row for row, _ in group])
            except Exception:
                # One bad update must not refuse the others: commit them one by one, each
                # getting its own answer (a failure then reaches only its own webhook).
                if len(group) > 1:
                    log.warning("inbox group of %s failed; committing one by one", len(group))
                self._queue = group + self._queue
                await self._one_by_one(len(group))
                continue
            for (_, future), result in zip(group, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _one_by_one(self, count: int) -> None:
        for _ in range(count):
            row, future = self._queue.pop(0)
            try:
                [result] = await self._commit([row])
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
                continue
            if not future.done():
                future.set_result(result)

    async def _commit(self, rows: Sequence[Row]) -> list[Result]:
        now = self.clock()
        async with self.db.transaction() as session:
            accounts = await _accounts(session, rows, now)
            inserted = await _insert(session, rows, accounts, now)
        results: list[Result] = []
        seen: set[tuple[str, str]] = set()
        for row in rows:
            key = (row["channel"], row["external_key"])
            inbox_id = inserted.get(key)
            # The same update twice in one group: the first is the update, the second a copy.
            if inbox_id is None or key in seen:
                results.append(None)
            else:
                results.append((inbox_id, accounts[(row["channel"], row["chat_id"])][0]))
            seen.add(key)
        return results


async def _accounts(
    session: AsyncSession, rows: Sequence[Row], now: datetime
) -> dict[tuple[str, str], tuple[int, bool]]:
    """(channel, chat id) → (chat account id, is group), creating the chats never seen."""
    wanted = {(r["channel"], r["chat_id"]): r["is_group"] for r in rows}
    pairs = list(wanted)

    async def found() -> dict[tuple[str, str], tuple[int, bool]]:
        result = await session.execute(
            select(ChatAccount.channel, ChatAccount.external_id, ChatAccount.id).where(
                tuple_(ChatAccount.channel, ChatAccount.external_id).in_(pairs)
            )
        )
        return {(c, e): (i, wanted[(c, e)]) for c, e, i in result.all()}

    known = await found()
    missing = [p for p in pairs if p not in known]
    if missing:
        values = [
            {"channel": c, "external_id": e, "is_group": wanted[(c, e)], "active": True,
             "created_at": now}
            for c, e in missing
        ]  # fmt: skip
        statement = insert_ignoring(session, ChatAccount, ["channel", "external_id"])
        await session.execute(statement, values)
        known = await found()
    await session.execute(
        update(ChatAccount)
        .where(ChatAccount.id.in_([i for i, _ in known.values()]))
        .values(last_inbound_at=now, active=True)
    )
    return known


async def _insert(
    session: AsyncSession,
    rows: Sequence[Row],
    accounts: dict[tuple[str, str], tuple[int, bool]],
    now: datetime,
) -> dict[tuple[str, str], int]:
    values = [
        {
            "channel": r["channel"],
            "external_key": r["external_key"],
            "chat_account_id": accounts[(r["channel"], r["chat_id"])][0],
            "kind": r["kind"],
            "text": r["text"],
            "button_token": r["button_token"],
            "meta": r["meta"],
            "status": InboxStatus.PENDING,
            "received_at": now,
        }
        for r in rows
    ]
    statement = insert_ignoring(session, InboxItem, ["channel", "external_key"]).returning(
        InboxItem.id, InboxItem.channel, InboxItem.external_key
    )
    result = await session.execute(statement, values)
    return {(channel, key): inbox_id for inbox_id, channel, key in result.all()}


def row_of(inbound: Inbound, *, text: str | None, button: str | None, meta: dict) -> Row:
    """What the writer needs of one update (already cleaned and cut to the columns)."""
    return {
        "channel": inbound.chat.channel,
        "chat_id": inbound.chat.chat_id,
        "is_group": inbound.chat.is_group,
        "external_key": inbound.key,
        "kind": inbound.kind,
        "text": text,
        "button_token": button,
        "meta": meta,
    }
