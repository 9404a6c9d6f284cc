"""Button tokens: short opaque strings that stand for an action only the right person may take."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage import bulk
from core.storage.models import ButtonToken

# Telegram allows 64 bytes of callback data; our tokens are far below, so that a channel
# may prefix them (e.g. with a version) without ever hitting the limit.
TOKEN_BYTES = 8
MAX_TOKEN_LENGTH = 24
DEFAULT_TTL = timedelta(days=14)


class Refusal(StrEnum):
    UNKNOWN = "unknown"
    NOT_YOURS = "not_yours"
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True, slots=True)
class Pressed:
    """A button press that passed every check."""

    token: str
    action: str
    payload: dict[str, Any]


def _row(
    *,
    employee_id: int,
    action: str,
    payload: dict[str, Any] | None,
    now: datetime,
    ttl: timedelta,
    group: str | None,
) -> dict[str, Any]:
    return {
        "token": secrets.token_urlsafe(TOKEN_BYTES),
        "employee_id": employee_id,
        "action": action,
        "payload": payload or {},
        "group": group,
        "created_at": now,
        "expires_at": now + ttl,
        "used_at": None,
    }


async def issue(
    session: AsyncSession,
    *,
    employee_id: int,
    action: str,
    payload: dict[str, Any] | None = None,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
    group: str | None = None,
) -> str:
    """Store what a button means and return its opaque token."""
    row = _row(
        employee_id=employee_id, action=action, payload=payload, now=now, ttl=ttl, group=group
    )
    session.add(ButtonToken(**row))
    return row["token"]


class TokenBatch:
    """Tokens for many messages at once, stored by one bulk insert (`write`) in the caller's
    transaction: the morning push issues thousands, and the ORM's unit of work costs far more
    per row than the statement does. A token must be written before the transaction commits."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.rows: list[dict[str, Any]] = []
        self._random = b""  # drawn from the OS a thousand tokens at a time
        self._used = 0

    def issue(
        self,
        *,
        employee_id: int,
        action: str,
        payload: dict[str, Any] | None = None,
        ttl: timedelta = DEFAULT_TTL,
        group: str | None = None,
    ) -> str:
        """What `issue` stores, kept until `write`; returns the opaque token."""
        # What `secrets.token_urlsafe(TOKEN_BYTES)` makes of TOKEN_BYTES random bytes.
        token = base64.urlsafe_b64encode(self._draw(TOKEN_BYTES)).rstrip(b"=").decode("ascii")
        self.rows.append(
            {
                "token": token,
                "employee_id": employee_id,
                "action": action,
                "payload": payload or {},
                "group": group,
                "created_at": self.now,
                "expires_at": self.now + ttl,
                "used_at": None,
            }
        )
        return token

    def group(self) -> str:
        """A fresh button group, as `secrets.token_hex(6)` makes one (`lessons.messages`)."""
        return self._draw(6).hex()

    def _draw(self, n: int) -> bytes:
        if self._used + n > len(self._random):
            self._random, self._used = secrets.token_bytes(TOKEN_BYTES * 1024), 0
        self._used += n
        return self._random[self._used - n : self._used]

    async def write(self, session: AsyncSession) -> int:
        """Insert the tokens issued since the last write; returns how many."""
        rows, self.rows = self.rows, []
        if rows:
            await bulk.insert_rows(session, ButtonToken.__table__, rows)
        return len(rows)


async def press(
    session: AsyncSession, token: str, *, employee_id: int, now: datetime, consume: bool = True
) -> Pressed | Refusal:
    """Check a pressed token against who pressed it; consuming it retires its whole group."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return Refusal.UNKNOWN
    row = await session.get(ButtonToken, token, with_for_update=True)
    if row is None:
        return Refusal.UNKNOWN
    if row.employee_id != employee_id:
        return Refusal.NOT_YOURS
    if row.used_at is not None:
        return Refusal.USED
    if row.expires_at <= now:
        return Refusal.EXPIRED
    if consume:
        await retire(session, row, now)
    return Pressed(token=row.token, action=row.action, payload=dict(row.payload or {}))


async def retire(session: AsyncSession, row: ButtonToken, now: datetime) -> None:
    """Mark a token (and the other buttons of its message) as used."""
    if row.group:
        await session.execute(
            update(ButtonToken)
            .where(ButtonToken.group == row.group, ButtonToken.used_at.is_(None))
            .values(used_at=now)
        )
    row.used_at = now


async def retire_group(session: AsyncSession, group: str, now: datetime) -> None:
    await session.execute(
        update(ButtonToken)
        .where(ButtonToken.group == group, ButtonToken.used_at.is_(None))
        .values(used_at=now)
    )


async def payload_of(session: AsyncSession, token: str) -> dict[str, Any] | None:
    row = (await session.execute(select(ButtonToken).where(ButtonToken.token == token))).scalar()
    return None if row is None else dict(row.payload or {})
