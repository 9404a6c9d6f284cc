"""Pacing sends to a channel's flood limits: one global pace plus one pace per chat.

Channels count messages in sliding windows ("at most 30 in any second"). A leaky bucket with
a burst allowance (aiolimiter's `AsyncLimiter(30, 1)`) lets 30 through at once and 30 more as
the bucket drains, so the first second can see up to 59 — exactly what draws 429s. A pacer
hands out evenly spaced slots instead, slightly under the limit (`headroom`), so that network
jitter never squeezes one message too many into a window.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

Monotonic = Callable[[], float]


class Pacer:
    """Evenly spaced slots at `rate` per second, first come first served."""

    def __init__(self, rate: float, *, monotonic: Monotonic = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._next = 0.0
        self._monotonic = monotonic

    def reserve(self) -> float:
        """Take the next slot; returns how many seconds to wait for it."""
        now = self._monotonic()
        # max(): a pacer that fell behind never bursts to catch up.
        slot = max(now, self._next)
        self._next = slot + self.interval
        return slot - now

    async def wait(self) -> None:
        """Wait for the next slot."""
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)


class ChannelGate:
    """The global pace of one channel, the pace of each chat and per-chat `retry_after`."""

    def __init__(
        self,
        global_rate: float,
        per_chat_rate: float | None,
        *,
        headroom: float = 0.985,
        max_chats: int = 50_000,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        self._monotonic = monotonic
        self._global = Pacer(global_rate * headroom, monotonic=monotonic)
        self._chat_rate = per_chat_rate * headroom if per_chat_rate else None
        self._chats: OrderedDict[str, Pacer] = OrderedDict()
        self._not_before: OrderedDict[str, datetime] = OrderedDict()
        self._max_chats = max_chats

    @property
    def rate(self) -> float:
        """The effective global rate (messages per second)."""
        return 1.0 / self._global.interval

    def wait_for_chat(self, chat_id: str, now: datetime) -> float:
        """Seconds this chat must still wait because the channel said `retry_after`."""
        until = self._not_before.get(chat_id)
        if until is None:
            return 0.0
        left = (until - now).total_seconds()
        if left <= 0:
            del self._not_before[chat_id]
            return 0.0
        return left

    def defer_chat(self, chat_id: str, until: datetime) -> None:
        """Honour a `retry_after` for this chat only; the rest of the channel keeps going."""
        # On the injected clock, like the outbox's next_attempt_at it mirrors.
        self._not_before[chat_id] = until
        self._not_before.move_to_end(chat_id)
        _trim(self._not_before, self._max_chats)

    async def acquire(self, chat_id: str) -> None:
        """Wait for this chat's next slot, then for the channel's."""
        if self._chat_rate is not None:
            pacer = self._chats.get(chat_id)
            if pacer is None:
                pacer = self._chats[chat_id] = Pacer(self._chat_rate, monotonic=self._monotonic)
                _trim(self._chats, self._max_chats)
            else:
                self._chats.move_to_end(chat_id)
            await pacer.wait()
        # The global slot is taken last, so that no global slot is wasted waiting on one chat.
        await self._global.wait()


def _trim(table: OrderedDict[str, Any], limit: int) -> None:
    # The oldest entries belong to chats not written to for the longest time: their pace has
    # long recovered, so forgetting them changes nothing.
    while len(table) > limit:
        table.popitem(last=False)
