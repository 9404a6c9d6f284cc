"""Inbox workers: claim chats with waiting updates, process them in order, give them back.

The webhook only commits updates to the inbox (`Engine.receive`); workers do the rest, in the
web process (`ayo serve --workers 0`, and always on SQLite, the one writer) or in worker
processes (`ayo serve --workers N`, `ayo worker` on another machine) against one PostgreSQL.
A worker holds up to `concurrency` chats at once (bot/inbound/claims.py), processes at most
`per_turn` updates of each before giving it back, and renews its leases while it lives, so a
dead worker's chats are taken over as soon as its short lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import update

from bot.engine import Engine, ProcessingDeferred
from bot.inbound import claims
from core.jobs import INSTANCE
from core.storage.models import ChatAccount

log = logging.getLogger(__name__)


class InboxWorker:
    """Processes the inbox of whichever chats it can claim, a few updates per turn."""

    def __init__(
        self,
        engine: Engine,
        *,
        owner: str = INSTANCE,
        lease: timedelta = timedelta(seconds=10),
        concurrency: int = 8,
        per_turn: int = 4,
        poll: float = 0.1,
        after: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.engine, self.db, self.clock = engine, engine.deps.db, engine.deps.clock
        self.owner, self.lease, self.poll = owner, lease, poll
        self.concurrency, self.per_turn = max(1, concurrency), max(1, per_turn)
        # Called after a turn that processed something (new replies may wait in the outbox).
        self.after = after
        self.processed = 0
        self._turns: dict[int, asyncio.Task[int]] = {}
        self._deferred = False  # a turn stopped on a database error (see `drain`)
        # Chats whose lease the heartbeat found taken over: their turn stops at once.
        self._lost: set[int] = set()
        self._hooks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for work now instead of at the next poll (an update was just committed)."""
        self._wake.set()

    async def reclaim_own(self) -> int:
        """Free the leases a previous run under the same name left behind (a restart)."""
        async with self.db.transaction() as session:
            result = await session.execute(
                update(ChatAccount)
                .where(ChatAccount.inbox_owner == self.owner)
                .values(inbox_owner=None, inbox_lease_until=None)
                .execution_options(synchronize_session=False)
            )
        return result.rowcount or 0

    async def drain(self) -> int:
        """Process until no chat with waiting updates can be claimed; returns updates done."""
        before = self.processed
        while True:
            if self._deferred and not self._turns:
                # The database failed during a turn: stop here; the update is pending and
                # the next poll or kick tries again (no retry loop during an outage).
                self._deferred = False
                return self.processed - before
            self._wake.clear()
            if not self._deferred:
                await self._fill()
            if not self._turns:
                if self._deferred:
                    continue
                if self._wake.is_set():
                    continue
                if await claims.claimable(self.db, now=self.clock()):
                    # The claim skipped a chat whose row was locked for a moment: try again.
                    await asyncio.sleep(self.poll / 10)
                    continue
                return self.processed - before
            await asyncio.wait(set(self._turns.values()), return_when=asyncio.FIRST_COMPLETED)

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set; then finish the turns in hand and give their chats back."""
        heartbeat = asyncio.create_task(self._heartbeat(stop))
        stopping = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                self._wake.clear()
                # A deferred turn's chat is claimed again at this poll, not at once.
                self._deferred = False
                try:
                    await self._fill()
                except Exception:
                    # The database went away for a moment: our leases run out, nothing is lost.
                    log.exception("claiming inbox chats failed")
                waker = asyncio.create_task(self._wake.wait())
                waits = {*self._turns.values(), stopping, waker}
                await asyncio.wait(waits, timeout=self.poll, return_when=asyncio.FIRST_COMPLETED)
                waker.cancel()
        finally:
            stopping.cancel()
            if self._turns:
                await asyncio.gather(*self._turns.values(), return_exceptions=True)
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _fill(self) -> None:
        free = self.concurrency - len(self._turns)
        if free <= 0:
            return
        chats = await claims.claim_chats(
            self.db, owner=self.owner, now=self.clock(), lease=self.lease, limit=free
        )
        for chat in chats:
            task = asyncio.create_task(self._turn(chat), name=f"inbox-chat:{chat}")
            self._turns[chat] = task
            self._lost.discard(chat)
            task.add_done_callback(lambda _t, chat=chat: self._turns.pop(chat, None))

    async def _turn(self, chat: int) -> int:
        done, deferred = 0, False
        try:
            # One query for the turn's updates; the heartbeat tells if the lease is lost.
            for inbox_id in await claims.pending_ids(
                self.db, chat, owner=self.owner, limit=self.per_turn, now=self.clock()
            ):
                if chat in self._lost:
                    break
                await self.engine.process(inbox_id)
                done += 1
        except ProcessingDeferred:
            # The database failed, not the update: give the chat back and let the next poll
            # (not an immediate wake-up) try again, so a database outage is not a hot loop.
            deferred = self._deferred = True
        except Exception:
            log.exception("inbox worker: chat account %s failed", chat)
        finally:
            try:
                await claims.release(self.db, chat, owner=self.owner, now=self.clock())
            except Exception:
                log.exception("inbox worker: releasing chat account %s failed", chat)
        self.processed += done
        if not deferred:
            # More may be waiting (this chat's next updates, or others'): look again at once.
            self._wake.set()
        if done and self.after is not None:
            # In background: a turn never waits for the replies to be sent (the hook may run a
            # whole sender sweep), so the chat slot is free for the next chat at once.
            task = asyncio.create_task(self._after())
            self._hooks.add(task)
            task.add_done_callback(self._hooks.discard)
        return done

    async def _after(self) -> None:
        try:
            await self.after()  # type: ignore[misc]
        except Exception:
            log.exception("after-processing hook failed")

    async def idle_hooks(self) -> None:
        """Wait for the after-processing hooks still running (tests, shutdown)."""
        while self._hooks:
            await asyncio.gather(*self._hooks, return_exceptions=True)

    async def _heartbeat(self, stop: asyncio.Event) -> None:
        every = max(0.05, self.lease.total_seconds() / 4)
        while not stop.is_set():
            await asyncio.sleep(every)
            held = list(self._turns)
            if not held:
                continue
            try:
                ours = await claims.renew(
                    self.db, held, owner=self.owner, now=self.clock(), lease=self.lease
                )
                self._lost.update(set(held) - ours)
            except Exception:
                log.exception("renewing %s inbox leases failed", len(held))
