"""Which channel message stands for a reply the engine may later replace (edit).

A reply names itself with `meta["ref"]`; a later reply with `replaces=<that ref>` edits it in
place where the channel can (Telegram), so an approval prompt ends up showing its decision.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.messages import Reply
from core.storage.db import Database
from core.storage.models import ChannelMessageRef


def ref_of(reply: Reply) -> str | None:
    """The key a reply gives itself so a later reply can replace it."""
    ref = reply.meta.get("ref")
    return str(ref)[:120] if ref else None


async def remember(
    db: Database, channel: str, chat_id: str, ref: str, external_id: str, now: datetime
) -> None:
    """Record the channel message id of a reply that named itself."""
    try:
        async with db.transaction() as session:
            row = (
                await session.execute(
                    select(ChannelMessageRef).where(
                        ChannelMessageRef.channel == channel,
                        ChannelMessageRef.chat_id == chat_id,
                        ChannelMessageRef.ref == ref,
                    )
                )
            ).scalar()
            if row is None:
                session.add(
                    ChannelMessageRef(
                        channel=channel,
                        chat_id=chat_id,
                        ref=ref,
                        external_id=external_id,
                        created_at=now,
                    )
                )
            else:
                row.external_id = external_id
    except IntegrityError:
        # A concurrent send recorded the same ref: either id will do for an edit.
        pass


async def lookup(db: Database, channel: str, chat_id: str, ref: str) -> str | None:
    """The channel message id recorded for `ref` in this chat, if any."""
    async with db.sessions() as session:
        return await session.scalar(
            select(ChannelMessageRef.external_id).where(
                ChannelMessageRef.channel == channel,
                ChannelMessageRef.chat_id == chat_id,
                ChannelMessageRef.ref == ref,
            )
        )
