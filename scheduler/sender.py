"""The one outbound path for Telegram and WhatsApp: claim due messages, pace, send, record.

Per channel, a feeder claims small batches (about two seconds of sending) ahead of need, so the
pipe never runs dry and an interactive reply queued behind a broadcast waits at most one batch.
Several workers send at once; a chat's messages go out in order through one worker at a time,
each waiting for the chat's slot, then the channel's. A recorder writes outcomes as they come,
in small transactions, so a restart finds every finished send recorded.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from collections.abc import Mapping
from datetime import timedelta

from core import metrics
from core.clock import Clock
from core.jobs import INSTANCE
from core.messages import Reply
from core.storage.db import Database
from scheduler.channel_port import Blocked, ChannelLimits, ChannelSender, Rejected, RetryLater
from scheduler.outbox_claims import Claimed, Outcome, claim_due, record
from scheduler.pacing import ChannelGate
from scheduler.timing import QuietHours

log = logging.getLogger(__name__)


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
        lease: timedelta = timedelta(minutes=2),
        quiet: QuietHours | None = None,
        headroom: float = 0.99,
        record_linger: float = 0.2,
    ) -> None:
        self.db, self.clock, self.owner, self.lease, self.quiet = db, clock, owner, lease, quiet
        self.record_linger = record_linger
        self.channels = dict(channels)
        self.limits = {name: limits.get(name, ChannelLimits(1.0)) for name in self.channels}
        # Gates live as long as the sender: pacing carries over from one sweep to the next.
        self.gates = {
            name: ChannelGate(lim.global_per_sec, lim.per_chat_per_sec, headroom=headroom)
            for name, lim in self.limits.items()
        }
        self.stats: Counter[str] = Counter()

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
        queue: asyncio.Queue[Claimed | None] = asyncio.Queue()
        outcomes: asyncio.Queue[Outcome | None] = asyncio.Queue()
        low = asyncio.Event()
        sent_before = self.stats[f"{channel}.sent"]

        busy = 0
        # Messages of a chat another worker is sending to wait behind it, in order, while
        # this worker moves on: one chatty conversation never stalls the others.
        backlog: dict[str, deque[Claimed]] = {}

        async def work() -> None:
            nonlocal busy
            while (item := await queue.get()) is not None:
                if queue.qsize() <= batch // 2:
                    low.set()
                if item.chat_id in backlog:
                    backlog[item.chat_id].append(item)
                    continue
                mine = backlog[item.chat_id] = deque([item])
                busy += 1
                try:
                    while mine:
                        try:
                            outcome = await self._send_one(channel, mine.popleft())
                        finally:
                            queue.task_done()
                        if outcome is not None:
                            outcomes.put_nowait(outcome)
                finally:
                    del backlog[item.chat_id]
                    busy -= 1
            queue.task_done()

        recorder = asyncio.create_task(self._record(outcomes))
        workers = [asyncio.create_task(work()) for _ in range(limits.concurrency)]
        try:
            while True:
                items = await claim_due(
                    self.db,
                    channel,
                    self.clock(),
                    limit=batch,
                    lease=self.lease,
                    owner=self.owner,
                    quiet=self.quiet,
                )
                if items:
                    for item in items:
                        queue.put_nowait(item)
                    low.clear()
                    if queue.qsize() > batch // 2:
                        await low.wait()
                    continue
                if queue.empty() and not busy:
                    break
                # Nothing due right now but sends in flight: once they finish, look again
                # (a reply may have been queued meanwhile, a retry may have come due).
                await queue.join()
        except asyncio.CancelledError:
            # Shutting down: stop sending now. What was sent is recorded below; the rest is
            # still claimed under our lease and comes back to whichever instance runs next.
            for worker in workers:
                worker.cancel()
            raise
        finally:
            for _ in workers:
                queue.put_nowait(None)
            await asyncio.gather(*workers, return_exceptions=True)
            outcomes.put_nowait(None)
            await recorder
        return self.stats[f"{channel}.sent"] - sent_before

    async def _send_one(self, channel: str, item: Claimed) -> Outcome | None:
        gate, adapter = self.gates[channel], self.channels[channel]
        # An earlier message of this chat may just have been told to wait: this one must
        # wait as well, never overtake it.
        wait = gate.wait_for_chat(item.chat_id, self.clock())
        if wait > 0:
            self.stats[f"{channel}.deferred"] += 1
            return Outcome(item.id, "retry", delay=wait)
        await gate.acquire(item.chat_id)
        if self.clock() >= item.lease_until:
            # Our lease ran out while waiting: another instance may own it now.
            self.stats[f"{channel}.lease_lost"] += 1
            return None
        return await self._call(channel, gate, adapter, item)

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

    async def _record(self, outcomes: asyncio.Queue[Outcome | None]) -> None:
        done = False
        while not done:
            batch = [await outcomes.get()]
            if batch[0] is not None and self.record_linger:
                # A few outcomes per transaction instead of one: less database and CPU work
                # beside the sends, at the price of a slightly longer unrecorded moment.
                await asyncio.sleep(self.record_linger)
            while not outcomes.empty() and len(batch) < 500:
                batch.append(outcomes.get_nowait())
            done = None in batch
            real = [o for o in batch if o is not None]
            try:
                await record(self.db, real, self.clock(), self.owner)
            except Exception:
                # The claims' leases will expire and the messages be retried: at least once.
                log.exception("recording %s outcomes failed", len(real))
