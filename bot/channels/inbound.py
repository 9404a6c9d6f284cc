"""From an authentic update to processed messages: commit first, then process per chat in order.

Webhooks (and Telegram long polling) hand each update to `InboundPipeline.accept`, which commits
it to the inbox (a redelivery is a no-op) and wakes the chat's worker; the webhook then answers
200 at once. Each chat has at most one worker, so its updates are processed in the order they
were committed, while different chats are processed concurrently.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.engine import Engine
from bot.types import Inbound
from core.storage.models import ChatAccount, InboxItem
from core.untrusted import clean

log = logging.getLogger(__name__)

# What is kept of an update nobody could read, for a person to look at.
ASIDE_LIMIT = 20_000


class InboundPipeline:
    """Commits updates to the inbox and processes each chat's inbox in order, in background."""

    def __init__(self, engine: Engine, after: Callable[[], Awaitable[None]] | None = None) -> None:
        self.engine = engine
        self.db = engine.deps.db
        # Called after a chat's worker finished (e.g. to wake the sender for the replies).
        self.after = after
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._again: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    async def accept(
        self, inbound: Inbound, *, before: Callable[[], Awaitable[Any]] | None = None
    ) -> int | None:
        """Commit one update and schedule its processing; None for a redelivery.

        `before` runs after the commit and before processing (WhatsApp releases held
        messages there, so they arrive ahead of the answer).
        """
        received = await self.engine.receive_item(inbound)
        if received is None:
            return None
        inbox_id, account_id = received
        if before is not None:
            await before()
        self.kick(account_id)
        return inbox_id

    async def note(self, inbound: Inbound) -> bool:
        """Record an update the channel handled itself (deduplicated, never processed)."""
        now = self.engine.deps.clock()
        try:
            async with self.db.transaction() as session:
                account = (
                    await session.execute(
                        select(ChatAccount).where(
                            ChatAccount.channel == inbound.chat.channel,
                            ChatAccount.external_id == inbound.chat.chat_id,
                        )
                    )
                ).scalar()
                if account is not None:
                    account.last_inbound_at = now
                    account.active = True
                session.add(
                    InboxItem(
                        channel=inbound.chat.channel,
                        external_key=inbound.key,
                        chat_account_id=account.id if account else None,
                        kind=inbound.kind,
                        meta=dict(inbound.meta),
                        status="processed",
                        received_at=now,
                        processed_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def set_aside(self, channel: str, body: bytes, reason: str) -> None:
        """Keep an authentic update nobody could read, once, for a person to look at."""
        now = self.engine.deps.clock()
        digest = hashlib.sha256(body).hexdigest()[:40]
        try:
            async with self.db.transaction() as session:
                session.add(
                    InboxItem(
                        channel=channel,
                        external_key=f"aside:{digest}",
                        kind="unreadable",
                        text=clean(body[:ASIDE_LIMIT].decode("utf-8", errors="replace")),
                        meta={"reason": reason[:100], "size": len(body)},
                        status="aside",
                        received_at=now,
                        processed_at=now,
                    )
                )
        except IntegrityError:
            pass
        log.warning("%s: unreadable update set aside (%s, %s bytes)", channel, reason, len(body))

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a side job (answering a callback query) without holding the webhook's answer."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def kick(self, chat_account_id: int) -> None:
        """Make sure the chat's worker runs (again) over its pending inbox."""
        if chat_account_id in self._workers:
            self._again.add(chat_account_id)
            return
        self._workers[chat_account_id] = asyncio.create_task(self._work(chat_account_id))

    async def recover(self) -> int:
        """Wake a worker for every chat with pending updates (after a restart)."""
        async with self.db.sessions() as session:
            ids = list(
                (
                    await session.execute(
                        select(InboxItem.chat_account_id)
                        .where(InboxItem.status == "pending")
                        .distinct()
                    )
                ).scalars()
            )
        for account_id in ids:
            if account_id is not None:
                self.kick(account_id)
        return len(ids)

    async def idle(self) -> None:
        """Wait until every worker and side job has finished (tests, shutdown)."""
        while self._workers or self._tasks:
            await asyncio.gather(*self._workers.values(), *self._tasks, return_exceptions=True)

    async def _work(self, chat_account_id: int) -> None:
        try:
            while True:
                self._again.discard(chat_account_id)
                done = await self.engine.process_pending(chat_account_id)
                if not done and chat_account_id not in self._again:
                    break
        except Exception:
            log.exception("worker of chat account %s failed", chat_account_id)
        finally:
            del self._workers[chat_account_id]
        await self.after_hook()

    async def after_hook(self) -> None:
        """Run the `after` hook (new outbox messages may be waiting to be sent)."""
        if self.after is None:
            return
        try:
            await self.after()
        except Exception:
            log.exception("after-processing hook failed")
