"""Where a chunk of employees is reached, found in one query instead of one per person.

The same rule as `core.outbox.account_for_push` (the private chat used last, else the local
web chat, created when missing), but set-based: the morning sweep pushes to thousands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.outbox import LOCAL_CHANNEL
from core.storage.models import ChatAccount


@dataclass(frozen=True, slots=True)
class Reached:
    """Where a push goes: what an outbox row needs of a `ChatAccount` (`core.outbox.reply_row`)."""

    id: int
    channel: str
    employee_id: int


async def accounts_for_push(
    session: AsyncSession, nips: Mapping[int, str], now: datetime
) -> dict[int, Reached]:
    """Each employee's chat for a push, keyed by employee id (`nips`: id → NIP).

    Read as plain columns and created with one INSERT … RETURNING: no ORM object per person."""
    if not nips:
        return {}
    found: dict[int, Reached] = {}
    rows = await session.execute(
        select(ChatAccount.id, ChatAccount.channel, ChatAccount.employee_id)
        .where(
            ChatAccount.employee_id.in_(list(nips)),
            ChatAccount.is_group.is_(False),
            ChatAccount.active.is_(True),
        )
        .order_by(ChatAccount.last_inbound_at.desc().nulls_last(), ChatAccount.id.desc())
    )
    for account_id, channel, employee_id in rows:
        # Rows come best first, so the first one seen per employee wins.
        if employee_id not in found:
            found[employee_id] = Reached(account_id, channel, employee_id)
    missing = {nips[i]: i for i in nips if i not in found}
    if not missing:
        return found
    local = await session.execute(
        select(ChatAccount.id, ChatAccount.external_id).where(
            ChatAccount.channel == LOCAL_CHANNEL, ChatAccount.external_id.in_(list(missing))
        )
    )
    for account_id, nip in local:
        employee_id = missing.pop(nip)
        found[employee_id] = Reached(account_id, LOCAL_CHANNEL, employee_id)
    if missing:
        table = ChatAccount.__table__
        new = [
            {"channel": LOCAL_CHANNEL, "external_id": nip, "employee_id": employee_id,
             "is_group": False, "active": True, "created_at": now}
            for nip, employee_id in missing.items()
        ]  # fmt: skip
        made = await session.execute(insert(table).returning(table.c.id, table.c.employee_id), new)
        for account_id, employee_id in made:
            found[employee_id] = Reached(account_id, LOCAL_CHANNEL, employee_id)
    return found
