"""Where a chunk of employees is reached, found in one query instead of one per person.

The same rule as `core.outbox.account_for_push` (the private chat used last, else the local
web chat, created when missing), but set-based: the morning sweep pushes to thousands.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.outbox import LOCAL_CHANNEL
from core.storage.models import ChatAccount


async def accounts_for_push(
    session: AsyncSession, nips: Mapping[int, str], now: datetime
) -> dict[int, ChatAccount]:
    """Each employee's chat for a push, keyed by employee id (`nips`: id → NIP)."""
    if not nips:
        return {}
    found: dict[int, ChatAccount] = {}
    rows = (
        await session.execute(
            select(ChatAccount)
            .where(
                ChatAccount.employee_id.in_(list(nips)),
                ChatAccount.is_group.is_(False),
                ChatAccount.active.is_(True),
            )
            .order_by(ChatAccount.last_inbound_at.desc().nulls_last(), ChatAccount.id.desc())
        )
    ).scalars()
    for account in rows:
        # Rows come best first, so the first one seen per employee wins.
        found.setdefault(account.employee_id, account)
    missing = {nips[i]: i for i in nips if i not in found}
    if not missing:
        return found
    local = (
        await session.execute(
            select(ChatAccount).where(
                ChatAccount.channel == LOCAL_CHANNEL, ChatAccount.external_id.in_(list(missing))
            )
        )
    ).scalars()
    for account in local:
        found[missing.pop(account.external_id)] = account
    for nip, employee_id in missing.items():
        account = ChatAccount(
            channel=LOCAL_CHANNEL, external_id=nip, employee_id=employee_id, created_at=now
        )
        session.add(account)
        found[employee_id] = account
    if missing:
        await session.flush()  # one INSERT batch; the outbox rows need the new ids
    return found
