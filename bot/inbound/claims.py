"""Leases on chats with waiting inbox updates: one worker per chat, any number of workers.

A worker claims whole chats, not single updates: whoever holds a chat's lease processes its
updates one at a time, oldest first, so a chat's order holds whichever worker runs it. The
claim is one `UPDATE chat_accounts … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`:
on PostgreSQL concurrent workers skip each other's rows instead of waiting; on SQLite the single
statement runs under the one writer's lock. A worker gives a chat back after a few updates, and
chats are offered in turn (served longest ago first, then oldest waiting update), so one
flooding chat never starves the others. A lease is short and renewed while its worker lives;
a dead worker's chats come back when it runs out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from bot.inbound.waiting import lease_start, not_calling, to_process
from core.storage.db import Database
from core.storage.models import ChatAccount, InboxItem


def _free(now: datetime):
    return or_(ChatAccount.inbox_lease_until.is_(None), ChatAccount.inbox_lease_until < now)


async def claim_chats(
    db: Database, *, owner: str, now: datetime, lease: timedelta, limit: int
) -> list[int]:
    """Lease up to `limit` chats with pending updates, oldest waiting update first."""
    if limit <= 0:
        return []
    waiting = (
        select(InboxItem.chat_account_id.label("chat"), func.min(InboxItem.id).label("first"))
        .where(to_process(lease_start(now)), InboxItem.chat_account_id.is_not(None))
        .group_by(InboxItem.chat_account_id)
        .subquery()
    )
    candidates = (
        select(ChatAccount.id)
        .join(waiting, waiting.c.chat == ChatAccount.id)
        # A chat waiting for a backend's answer keeps its next updates until it comes.
        .where(_free(now), not_calling(ChatAccount.id, lease_start(now)))
        .order_by(
            ChatAccount.inbox_served_at.is_not(None), ChatAccount.inbox_served_at, waiting.c.first
        )
        .limit(limit)
        .with_for_update(skip_locked=True, of=ChatAccount)
    )
    async with db.transaction() as session:
        rows = await session.execute(
            update(ChatAccount)
            .where(ChatAccount.id.in_(candidates.scalar_subquery()), _free(now))
            .values(inbox_owner=owner, inbox_lease_until=now + lease)
            .returning(ChatAccount.id)
            .execution_options(synchronize_session=False)
        )
        return list(rows.scalars())


async def claimable(db: Database, *, now: datetime) -> bool:
    """Whether some chat with pending updates is free to lease (without skipping locked rows).

    A claim skips chats whose row another transaction holds for a moment (a webhook's commit, a
    sender sweep); this tells a draining worker that the empty claim was such a moment.
    """
    async with db.sessions() as session:
        found = await session.scalar(
            select(InboxItem.id)
            .join(ChatAccount, ChatAccount.id == InboxItem.chat_account_id)
            .where(
                to_process(lease_start(now)),
                _free(now),
                not_calling(ChatAccount.id, lease_start(now)),
            )
            .limit(1)
        )
        return found is not None


async def renew(
    db: Database, chats: list[int], *, owner: str, now: datetime, lease: timedelta
) -> set[int]:
    """Extend our leases on `chats`; returns the chats still ours."""
    if not chats:
        return set()
    async with db.transaction() as session:
        rows = await session.execute(
            update(ChatAccount)
            .where(ChatAccount.id.in_(chats), ChatAccount.inbox_owner == owner)
            .values(inbox_lease_until=now + lease)
            .returning(ChatAccount.id)
            .execution_options(synchronize_session=False)
        )
        return set(rows.scalars())


async def release(db: Database, chat: int, *, owner: str, now: datetime) -> None:
    """Give a chat back (its next updates may go to any worker, after the others' turn)."""
    async with db.transaction() as session:
        await session.execute(
            update(ChatAccount)
            .where(ChatAccount.id == chat, ChatAccount.inbox_owner == owner)
            .values(inbox_owner=None, inbox_lease_until=None, inbox_served_at=now)
            .execution_options(synchronize_session=False)
        )


async def pending_ids(
    db: Database, chat: int, *, owner: str, limit: int, now: datetime
) -> list[int]:
    """The chat's next `limit` pending updates, oldest first, while we hold its lease."""
    held = (
        select(ChatAccount.id)
        .where(ChatAccount.id == chat, ChatAccount.inbox_owner == owner)
        .exists()
    )
    async with db.sessions() as session:
        rows = await session.scalars(
            select(InboxItem.id)
            .where(
                InboxItem.chat_account_id == chat,
                to_process(lease_start(now)),
                not_calling(InboxItem.chat_account_id, lease_start(now)),
                held,
            )
            .order_by(InboxItem.id)
            .limit(limit)
        )
        return list(rows)
