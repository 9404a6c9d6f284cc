"""Committing updates to the inbox in groups: one transaction for every update waiting.

Each webhook request waits for its own update to be committed before it answers; while one
transaction runs, the updates arriving meanwhile go together in the next one
(`core.grouped.GroupCommit`). Under a morning rush a few statements and one commit serve
dozens of updates.

Per group: the chats are looked up (and created) in one SELECT, their `last_inbound_at` set in
one UPDATE, and the updates inserted with ON CONFLICT DO NOTHING RETURNING, so a redelivery
(already in the inbox, or twice in the same group) comes back as None without failing the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.types import Inbound
from core.clock import Clock
from core.grouped import GroupCommit
from core.statuses import InboxStatus
from core.storage.conflicts import insert_ignoring
from core.storage.db import Database
from core.storage.models import ChatAccount, InboxItem

# Bound on one group: the statements stay small whatever the backlog.
GROUP = 200
Row = dict[str, Any]
Result = tuple[int, int] | None


class InboxWriter:
    """`await writer.write(row)` → (inbox id, chat account id), or None for a redelivery."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db, self.clock = db, clock
        self._group: GroupCommit[Row, Result] = GroupCommit(
            self._commit, limit=GROUP, name="inbox"
        )

    async def write(self, row: Row) -> Result:
        return await self._group.write(row)

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
