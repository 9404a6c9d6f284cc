"""API keys of other municipal apps: shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import ApiKey

PREFIX = "ayo_"


@dataclass(frozen=True)
class NewKey:
    name: str
    key: str
    callback_secret: str


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create(session: AsyncSession, name: str, now: datetime) -> NewKey:
    """A new key for app `name` (replacing an earlier one of that name)."""
    key = PREFIX + secrets.token_urlsafe(32)
    secret = secrets.token_hex(32)
    row = (await session.execute(select(ApiKey).where(ApiKey.name == name))).scalar()
    if row is None:
        row = ApiKey(name=name, created_at=now)
        session.add(row)
    row.key_hash = digest(key)
    row.callback_secret = secret
    row.created_at = now
    row.revoked_at = None
    return NewKey(name, key, secret)


async def verify(session: AsyncSession, key: str, now: datetime) -> ApiKey | None:
    """The app a presented key belongs to, if it is valid (constant-time on the hash)."""
    if not key.startswith(PREFIX) or len(key) > 100:
        return None
    wanted = digest(key)
    row = (await session.execute(select(ApiKey).where(ApiKey.key_hash == wanted))).scalar()
    if row is None or row.revoked_at is not None:
        return None
    if not secrets.compare_digest(row.key_hash, wanted):
        return None
    row.last_used_at = now
    return row


async def revoke(session: AsyncSession, name: str, now: datetime) -> bool:
    row = (await session.execute(select(ApiKey).where(ApiKey.name == name))).scalar()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True
