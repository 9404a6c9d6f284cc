"""Messages the router did not understand, kept without personal data for curating intents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.redact import mask
from core.storage.models import UnknownMessage


def redact(text: str) -> str:
    """Mask what could be a NIP, phone number or e-mail address; keep the wording."""
    return " ".join(mask(text).casefold().split())[:200]


async def remember(session: AsyncSession, text: str, now: datetime) -> None:
    key = redact(text)
    if not key:
        return
    row = (
        await session.execute(select(UnknownMessage).where(UnknownMessage.text == key))
    ).scalar()
    if row is None:
        # A nested transaction keeps a concurrent insert of the same text from failing the step.
        try:
            async with session.begin_nested():
                session.add(UnknownMessage(text=key, count=1, first_seen=now, last_seen=now))
        except IntegrityError:
            pass
        return
    row.count += 1
    row.last_seen = now


async def most_frequent(session: AsyncSession, limit: int = 20) -> list[UnknownMessage]:
    rows = await session.execute(
        select(UnknownMessage)
        .order_by(UnknownMessage.count.desc(), UnknownMessage.last_seen.desc())
        .limit(limit)
    )
    return list(rows.scalars())
