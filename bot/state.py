"""Conversation state: one DB row per chat, reached through a tiny get/set/clear façade."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import Conversation

# A form left half-way stays resumable this long; after that the draft is dropped.
DRAFT_TTL = timedelta(days=7)


class ConversationState:
    """The mutable state of one chat, loaded at the start of a step and saved at its end."""

    def __init__(self, row: Conversation, now: datetime) -> None:
        self._row = row
        self._now = now
        self.data: dict[str, Any] = copy.deepcopy(row.state or {})
        expires = self.data.get("expires_at")
        if expires and datetime.fromisoformat(expires) <= now:
            self.data = {}

    @classmethod
    async def load(
        cls, session: AsyncSession, account_id: int, now: datetime
    ) -> ConversationState:
        row = await session.get(Conversation, account_id, with_for_update=True)
        if row is None:
            row = Conversation(chat_account_id=account_id, state={}, updated_at=now, version=0)
            session.add(row)
        return cls(row, now)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value

    def pop(self, key: str, default: Any = None) -> Any:
        return self.data.pop(key, default)

    def clear(self, *keys: str) -> None:
        if not keys:
            self.data.clear()
            return
        for key in keys:
            self.data.pop(key, None)

    def save(self) -> None:
        """Write the state back; the caller's transaction commits it with everything else."""
        if self.data:
            self.data["expires_at"] = (self._now + DRAFT_TTL).isoformat()
        self._row.state = copy.deepcopy(self.data)
        self._row.updated_at = self._now
        self._row.version = (self._row.version or 0) + 1
