"""Writing to the outbox: every message and backend call, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.messages import Reply
from core.statuses import OutboxStatus
from core.storage import bulk
from core.storage.models import ChatAccount, OutboxItem

LOCAL_CHANNEL = "local"
PRIORITY_INTERACTIVE = 0
PRIORITY_PUSH = 5
PRIORITY_BULK = 10


async def account_for_push(session: AsyncSession, employee_id: int, now: datetime) -> ChatAccount:
    """The chat where an employee is reached: the private chat they used last.

    An employee who never chatted is reached in the local web chat, so that nothing is lost
    and the message waits there until they open it.
    """
    accounts = (
        await session.execute(
            select(ChatAccount)
            .where(
                ChatAccount.employee_id == employee_id,
                ChatAccount.is_group.is_(False),
                ChatAccount.active.is_(True),
            )
            .order_by(ChatAccount.last_inbound_at.desc().nulls_last(), ChatAccount.id.desc())
        )
    ).scalars()
    best = accounts.first()
    if best is not None:
        return best
    return await local_account(session, employee_id, now)


async def local_account(session: AsyncSession, employee_id: int, now: datetime) -> ChatAccount:
    """The employee's account in the local channel (web chat and console share it)."""
    from core.storage.models import Employee

    employee = await session.get(Employee, employee_id)
    if employee is None:
        raise LookupError(f"no employee with id {employee_id}")
    found = (
        await session.execute(
            select(ChatAccount).where(
                ChatAccount.channel == LOCAL_CHANNEL, ChatAccount.external_id == employee.nip
            )
        )
    ).scalar()
    if found is not None:
        return found
    account = ChatAccount(
        channel=LOCAL_CHANNEL, external_id=employee.nip, employee_id=employee_id, created_at=now
    )
    try:
        # Two requests of a new web-chat user (a send and a poll) may both get here first.
        async with session.begin_nested():
            session.add(account)
            await session.flush()
    except IntegrityError:
        return (
            await session.execute(
                select(ChatAccount).where(
                    ChatAccount.channel == LOCAL_CHANNEL, ChatAccount.external_id == employee.nip
                )
            )
        ).scalar_one()
    return account


def reply_row(
    account: ChatAccount,
    reply: Reply,
    *,
    now: datetime,
    key: str,
    in_reply_to: int | None = None,
    priority: int = PRIORITY_INTERACTIVE,
) -> dict[str, Any]:
    """The outbox row of one message to a chat (`enqueue_reply` and `enqueue_replies`)."""
    return payload_row(
        account, reply.to_json(), now=now, key=key, in_reply_to=in_reply_to, priority=priority
    )


def payload_row(
    account: ChatAccount,
    payload: dict[str, Any],
    *,
    now: datetime,
    key: str,
    in_reply_to: int | None = None,
    priority: int = PRIORITY_INTERACTIVE,
) -> dict[str, Any]:
    """`reply_row` for a message already in its stored form (`Reply.to_json()`): a sweep that
    sends the same text to thousands renders it once."""
    return {
        "kind": "message",
        "channel": account.channel,
        "chat_account_id": account.id,
        "employee_id": account.employee_id,
        "payload": payload,
        "in_reply_to": in_reply_to,
        "priority": priority,
        "idempotency_key": key,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def enqueue_reply(
    session: AsyncSession,
    account: ChatAccount,
    reply: Reply,
    *,
    now: datetime,
    key: str,
    in_reply_to: int | None = None,
    priority: int = PRIORITY_INTERACTIVE,
) -> OutboxItem:
    """Queue one message to a chat; `key` makes a retried transaction harmless."""
    row = reply_row(account, reply, now=now, key=key, in_reply_to=in_reply_to, priority=priority)
    item = OutboxItem(**row)
    session.add(item)
    return item


async def enqueue_replies(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Queue many messages (rows from `reply_row`) with one INSERT in the caller's transaction:
    for sweeps that push to thousands, where an ORM object per row costs more than the send
    decision. A duplicate key fails the transaction, as a flushed `enqueue_reply` would."""
    if rows:
        await bulk.insert_rows(session, OutboxItem.__table__, rows)
    return len(rows)


async def push(
    session: AsyncSession,
    employee_id: int,
    reply: Reply,
    *,
    now: datetime,
    key: str,
    priority: int = PRIORITY_PUSH,
) -> OutboxItem:
    """Queue a message to an employee wherever they are reached (not a reply to them)."""
    account = await account_for_push(session, employee_id, now)
    return enqueue_reply(session, account, reply, now=now, key=key, priority=priority)


def enqueue_call(
    session: AsyncSession,
    *,
    kind: str,
    target: str,
    payload: dict[str, Any],
    now: datetime,
    key: str,
    employee_id: int | None = None,
) -> OutboxItem:
    """Queue a call to a backend or a callback URL (delivered at least once, keyed)."""
    item = OutboxItem(
        kind=kind,
        channel=None,
        target=target,
        employee_id=employee_id,
        payload=payload,
        priority=PRIORITY_PUSH,
        idempotency_key=key,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(item)
    return item
