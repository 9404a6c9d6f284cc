"""The one outbound path for Telegram and WhatsApp: claim due messages, pace, send, record.

Per channel, a feeder claims small batches (about two seconds of sending) ahead of need, so the
pipe never runs dry and an interactive reply queued behind a broadcast waits at most one batch.
Several workers send at once. A chat's messages go out in order, one at a time; a chat whose
1-message-a-second slot is not due yet waits in a queue ordered by when it may send next, so no
worker ever sleeps on one chat while another could be written to, and the feeder counts only
what can be sent soon (not the messages waiting for their chat's slot). Each outcome is written
as soon as the channel answers (with the others that finish while one is being written, in one
transaction), so after a crash at most the sends in flight go out twice; the leases of
messages held in memory are renewed while they wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections import Counter, deque
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core import metrics
from core.clock import Clock
from core.grouped import GroupCommit
from core.jobs import INSTANCE
from core.messages import Reply
from core.settings import Settings
from core.storage.db import Database
from scheduler.channel_port import (
    Blocked,
    ChannelLimits,
    ChannelSender,
    Rejected,
    RetryLater,
    limits_from_settings,
)
from scheduler.outbox_claims import (
    Backoff,
    Claimed,
    Outcome,
    claim_due,
    reclaim,
    record,
    renew_claims,
)
from scheduler.pacing import ChannelGate
from scheduler.timing import QuietHours

if TYPE_CHECKING:
    from scheduler.budget import RedisBudget

log = logging.getLogger(__name__)

# Bound on the outcomes written in one transaction.
RECORD_GROUP = 100


class Sender:
    """Sends every due outbox message of the configured channels, within their limits."""

    def __init__(
        self,
        db: Database,
        channels: Mapping[str, ChannelSender],
        limits: Mapping[str, ChannelLimits],
        clock: Clock,
        *,
        owner: str = INSTANCE,
        lease: timedelta = timedelta(seconds=30),
        quiet: QuietHours | None = None,
        headroom: float = 0.99,
        backoff: Backoff | None = None,
        budget: RedisBudget | None = None,
    ) -> None:
        self.db, self.clock, self.owner, self.lease, self.quiet = db, clock, owner, lease, quiet
        self.backoff = backoff or Backoff()
        self.channels = dict(channels)
        self.limits = {name: limits.get(name, ChannelLimits(1.0)) for name in self.channels}
        # Gates live as long as the sender: pacing carries over from one sweep to the next.
        self.gates = {
            name: ChannelGate(
                lim.global_per_sec, lim.per_chat_per_sec, headroom=headroom,
                shared=(budget.pacer(name, lim.global_per_sec * headroom, lim.global_per_sec)
                        if budget else None),
            )
            for name, lim in self.limits.items()
        }  # fmt: skip
        self.stats: Counter[str] = Counter()
        # Outcomes of sends that finish while one is being written go in the next transaction
        # together: one transaction a send was a quarter of the web process's CPU at 150
        # replies a second (BENCHMARKS.md, the pipeline).
        self._outcomes: GroupCommit[Outcome, None] = GroupCommit(
            self._write_outcomes, limit=RECORD_GROUP, name="outbox outcomes"
        )

    @classmethod
    def from_settings(
        cls,
        db: Database,
        channels: Mapping[str, ChannelSender],
        settings: Settings,
        clock: Clock,
        *,
        owner: str | None = None,
        quiet: QuietHours | None = None,
    ) -> Sender:
        """The sender as configured: limits, lease, backoff and the shared budget (Redis)."""
        budget = None
        if settings.redis_url:
            from scheduler.budget import RedisBudget

            # Keyed by the bot's id (the token's public part) and the WhatsApp number.
            bots = {"telegram": settings.telegram_token.split(":", 1)[0],
                    "whatsapp": settings.whatsapp_phone_id}  # fmt: skip
            budget = RedisBudget.from_url(settings.redis_url, prefix=settings.redis_prefix,
                                          bots=bots,
                                          fallback_share=settings.sender_instances)  # fmt: skip
        return cls(
            db, channels, limits_from_settings(settings, shared=budget is not None), clock,
            owner=owner or INSTANCE, quiet=quiet, budget=budget,
            lease=timedelta(seconds=settings.sender_lease_seconds),
            backoff=Backoff(settings.outbox_max_attempts,
                            settings.outbox_backoff_base_seconds,
                            settings.outbox_backoff_max_seconds),
        )  # fmt: skip

    async def reclaim_own(self) -> int:
        """Free the messages a previous run under our name left claimed (a restart)."""
        return await reclaim(self.db, self.owner)

    async def sweep(self) -> int:
        """Send until no message is due on any channel; returns how many were sent."""
        if not self.channels:
            return 0
        counts = await asyncio.gather(*(self.drain(name) for name in self.channels))
        return sum(counts)

    async def drain(self, channel: str) -> int:
        """Send every due message of one channel; returns how many were sent."""
        limits, gate = self.limits[channel], self.gates[channel]
        batch = max(2 * limits.concurrency, int(gate.rate * 2))
        # Never hold more than this in memory (one chat's long backlog, say).
        cap = 4 * batch
        sent_before = self.stats[f"{channel}.sent"]
        queues: dict[str, deque[tuple[int, Claimed]]] = {}
        # Chats with queued messages and no send in flight: `due` may send now, by priority
        # and claim order of their next message; `later` wait for their slot, by time.
        due: list[tuple[int, int, str]] = []
        later: list[tuple[float, str]] = []
        order = itertools.count()
        leases: dict[int, datetime | None] = {}
        held = 0
        changed, wanted = asyncio.Event(), asyncio.Event()
        finished = False

        def soon() -> int:
            # What could leave within about a second: one message per chat when chats are
            # paced, every message otherwise.
            return len(queues) if limits.per_chat_per_sec else held

        def offer(chat: str) -> None:
            delay = gate.chat_delay(chat)
            if delay > 0:
                heapq.heappush(later, (time.monotonic() + delay, chat))
            else:
                seq, item = queues[chat][0]
                heapq.heappush(due, (item.priority, seq, chat))
            changed.set()

        async def work() -> None:
            nonlocal held
            while True:
                now = time.monotonic()
                while later and later[0][0] <= now:
                    _, chat = heapq.heappop(later)
                    seq, item = queues[chat][0]
                    heapq.heappush(due, (item.priority, seq, chat))
                if not due:
                    if finished:
                        return
                    changed.clear()
                    timeout = later[0][0] - now if later else None
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(changed.wait(), timeout)
                    continue
                _, _, chat = heapq.heappop(due)
                mine = queues[chat]
                _, item = mine.popleft()
                try:
                    await self._send_one(channel, item, leases)
                finally:
                    held -= 1
                    leases.pop(item.id, None)
                    if mine:
                        offer(chat)
                    else:
                        del queues[chat]
                    wanted.set()

        workers = [asyncio.create_task(work()) for _ in range(limits.concurrency)]
        renewing = asyncio.create_task(self._renew_leases(leases))
        try:
            while True:
                if soon() <= batch // 2 and held < cap:
                    items = await claim_due(
                        self.db,
                        channel,
                        self.clock(),
                        limit=min(batch, cap - held),
                        lease=self.lease,
                        owner=self.owner,
                        quiet=self.quiet,
                    )
                    for item in items:
                        if item.id in leases:
                            # Its lease ran out while it waited here and we claimed it again.
                            leases[item.id] = item.lease_until
                            continue
                        held += 1
                        leases[item.id] = item.lease_until
                        if item.chat_id in queues:
                            queues[item.chat_id].append((next(order), item))
                        else:
                            queues[item.chat_id] = deque([(next(order), item)])
                            offer(item.chat_id)
                    if items:
                        continue
                    if not held:
                        break
                # Wait for sends to finish (a reply may have been queued meanwhile, a retry
                # may have come due), then look again.
                wanted.clear()
                await wanted.wait()
        except asyncio.CancelledError:
            # Shutting down: stop sending now. Every finished send is recorded; the rest is
            # still claimed under our lease and comes back to whichever instance runs next.
            for worker in workers:
                worker.cancel()
            raise
        finally:
            finished = True
            changed.set()
            await asyncio.gather(*workers, return_exceptions=True)
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        return self.stats[f"{channel}.sent"] - sent_before

    async def _renew_leases(self, leases: dict[int, datetime | None]) -> None:
        # Messages wait in memory for their chat's slot and long sends run: keep the claims
        # ours while this instance lives, so only a dead instance's claims are taken over.
        every = max(0.05, self.lease.total_seconds() / 3)
        while True:
            await asyncio.sleep(every)
            ids = list(leases)
            if not ids:
                continue
            until = self.clock() + self.lease
            try:
                ours = await renew_claims(self.db, ids, self.owner, until)
            except Exception:
                log.exception("renewing %s outbox leases failed", len(ids))
                continue
            for item_id in ids:
                if item_id in leases:
                    # A claim no longer ours (taken over meanwhile) is never sent by us.
                    leases[item_id] = until if item_id in ours else None

    async def _send_one(
        self, channel: str, item: Claimed, leases: dict[int, datetime | None]
    ) -> None:
        gate, adapter = self.gates[channel], self.channels[channel]
        # An earlier message of this chat may just have been told to wait: this one must
        # wait as well, never overtake it.
        wait = gate.wait_for_chat(item.chat_id, self.clock())
        if wait > 0:
            self.stats[f"{channel}.deferred"] += 1
            await self._record(Outcome(item.id, "retry", delay=wait))
            return
        await gate.acquire(item.chat_id)
        lease_until = leases.get(item.id, item.lease_until)
        if lease_until is None or self.clock() >= lease_until:
            # Our lease ran out while waiting: another instance may own it now.
            self.stats[f"{channel}.lease_lost"] += 1
            return
        outcome = await self._call(channel, gate, adapter, item)
        # Written the moment the channel answered: a crash now resends nothing.
        await self._record(outcome)

    async def _record(self, outcome: Outcome) -> None:
        try:
            await self._outcomes.write(outcome)
        except Exception:
            # The claim's lease will expire and the message be retried: at least once.
            log.exception("recording outbox %s failed", outcome.item_id)

    async def _write_outcomes(self, outcomes: Sequence[Outcome]) -> list[None]:
        await record(self.db, list(outcomes), self.clock(), self.owner, self.backoff)
        return [None] * len(outcomes)

    async def _call(
        self, channel: str, gate: ChannelGate, adapter: ChannelSender, item: Claimed
    ) -> Outcome:
        base = {"chat_account_id": item.chat_account_id, "attempts": item.attempts}
        try:
            ref = await adapter.send(
                item.chat_id, Reply.from_json(item.payload), language=item.language
            )
        except RetryLater as exc:
            gate.defer_chat(item.chat_id, self.clock() + timedelta(seconds=exc.seconds))
            self.stats[f"{channel}.rate_limited"] += 1
            metrics.RATE_LIMITED.labels(channel).inc()
            return Outcome(item.id, "retry", delay=exc.seconds, **base)
        except Blocked:
            self.stats[f"{channel}.blocked"] += 1
            log.info("%s: chat account %s blocked the bot", channel, item.chat_account_id)
            return Outcome(item.id, "blocked", **base)
        except Rejected as exc:
            self.stats[f"{channel}.rejected"] += 1
            log.warning("%s: outbox %s rejected: %s", channel, item.id, exc.reason)
            return Outcome(item.id, "rejected", reason=exc.reason, **base)
        except Exception as exc:  # transient: network, 5xx, timeouts — retried with backoff
            self.stats[f"{channel}.errors"] += 1
            log.warning("%s: outbox %s failed: %s", channel, item.id, type(exc).__name__)
            return Outcome(item.id, "error", reason=type(exc).__name__, **base)
        self.stats[f"{channel}.sent"] += 1
        metrics.REPLIES_SENT.labels(channel).inc()
        return Outcome(item.id, "sent", external_ref=str(ref)[:100], **base)
