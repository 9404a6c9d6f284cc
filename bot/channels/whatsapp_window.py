"""WhatsApp's 24-hour customer-service window, and the messages held back while it is closed.

Free-form messages may reach a contact only within 24 hours of their last message. Outside the
window a push goes out as an approved template; the full message (with its buttons) is held and
queued again the moment the contact replies, so the conversation continues where it stopped.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from core.messages import Reply
from core.outbox import PRIORITY_INTERACTIVE, enqueue_reply
from core.storage.db import Database
from core.storage.models import ChatAccount, HeldMessage, OutboxItem

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
# A little short of 24 hours, so that a message queued at 23:59 is not refused on arrival.
WINDOW = timedelta(hours=24) - timedelta(minutes=5)


async def window_open(db: Database, chat_id: str, now: datetime) -> tuple[bool, int | None]:
    """Whether free-form messages may reach this contact now, and its chat account id."""
    async with db.sessions() as session:
        row = (
            await session.execute(
                select(ChatAccount.id, ChatAccount.last_inbound_at).where(
                    ChatAccount.channel == CHANNEL, ChatAccount.external_id == chat_id
                )
            )
        ).first()
    if row is None:
        return False, None
    last = row.last_inbound_at
    return last is not None and now - last < WINDOW, row.id


async def hold(db: Database, chat_account_id: int, reply: Reply, now: datetime) -> None:
    """Keep a message for when the contact writes again."""
    async with db.transaction() as session:
        session.add(
            HeldMessage(chat_account_id=chat_account_id, payload=reply.to_json(), created_at=now)
        )


async def release(db: Database, chat_id: str, now: datetime) -> int:
    """Queue every held message of this contact again (they just opened the window)."""
    async with db.transaction() as session:
        account = (
            await session.execute(
                select(ChatAccount).where(
                    ChatAccount.channel == CHANNEL, ChatAccount.external_id == chat_id
                )
            )
        ).scalar()
        if account is None:
            return 0
        held = list(
            (
                await session.execute(
                    select(HeldMessage)
                    .where(
                        HeldMessage.chat_account_id == account.id,
                        HeldMessage.released_at.is_(None),
                    )
                    .order_by(HeldMessage.id)
                    .with_for_update(skip_locked=True)
                )
            ).scalars()
        )
        for row in held:
            row.released_at = now
            enqueue_reply(
                session,
                account,
                Reply.from_json(row.payload),
                now=now,
                key=f"held:{row.id}",
                priority=PRIORITY_INTERACTIVE,
            )
    if held:
        log.info("whatsapp: %s held messages released for chat account %s", len(held), account.id)
    return len(held)


async def note_failures(db: Database, failures: list[tuple[str, int | None]]) -> None:
    """Record on the outbox row that WhatsApp could not deliver a message (wamid, code)."""
    if not failures:
        return
    async with db.transaction() as session:
        for wamid, code in failures:
            await session.execute(
                update(OutboxItem)
                .where(OutboxItem.channel == CHANNEL, OutboxItem.external_ref == wamid[:100])
                .values(last_error=f"undelivered: {code}")
                .execution_options(synchronize_session=False)
            )
