"""From an authentic update to processed messages: commit first, then process per chat in order.

Webhooks (and Telegram long polling) hand each update to `InboundPipeline.accept`, which
commits it to the inbox (a redelivery is a no-op) and, when this process does the processing,
wakes the inbox worker (bot/inbound/worker.py); the webhook then answers 200 at once. The
worker leases a chat before processing it, so its updates are processed in the order they were
committed while different chats are processed concurrently, here or in worker processes
(`ayo worker`).
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
from bot.inbound.waiting import lease_start, to_process
from bot.inbound.worker import InboxWorker
from bot.types import Inbound
from core.statuses import InboxStatus
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
        self.worker = InboxWorker(engine, after=self.after_hook)
        # False when worker processes do the processing (`ayo serve --workers N` on PostgreSQL):
        # this process then only commits updates and the workers find them by polling.
        self.local = True
        # True while `worker.run` is running (ayo serve): a kick only wakes it.
        self.running = False
        self._drain: asyncio.Task[None] | None = None
        self._again = False
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
                        status=InboxStatus.PROCESSED,
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
                        status=InboxStatus.ASIDE,
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

    def kick(self, chat_account_id: int | None = None) -> None:
        """Make sure the inbox worker looks (again) for pending updates."""
        if not self.local:
            return
        if self.running:
            self.worker.wake()
            return
        if self._drain is not None and not self._drain.done():
            self._again = True
            return
        self._drain = asyncio.create_task(self._drain_all())

    async def recover(self) -> int:
        """Count the chats with pending updates (after a restart) and start on them at once."""
        async with self.db.sessions() as session:
            ids = list(
                (
                    await session.execute(
                        select(InboxItem.chat_account_id)
                        .where(to_process(lease_start(self.engine.deps.clock())))
                        .distinct()
                    )
                ).scalars()
            )
        if ids:
            self.kick()
        return len(ids)

    async def idle(self) -> None:
        """Wait until the worker and every side job have finished (tests, shutdown)."""
        while (self._drain is not None and not self._drain.done()) or self._tasks:
            pending = [*self._tasks] + ([self._drain] if self._drain is not None else [])
            await asyncio.gather(*pending, return_exceptions=True)
        await self.worker.idle_hooks()

    async def _drain_all(self) -> None:
        try:
            while True:
                self._again = False
                await self.worker.drain()
                if not self._again:
                    break
        except Exception:
            log.exception("inbox worker failed")

    async def after_hook(self) -> None:
        """Run the `after` hook (new outbox messages may be waiting to be sent)."""
        if self.after is None:
            return
        try:
            await self.after()
        except Exception:
            log.exception("after-processing hook failed")
