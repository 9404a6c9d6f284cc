"""Pacing sends to a channel's flood limits: one global pace plus one pace per chat.

Channels count messages in sliding windows ("at most 30 in any second"). A leaky bucket with
a burst allowance (aiolimiter's `AsyncLimiter(30, 1)`) lets 30 through at once and 30 more as
the bucket drains, so the first second can see up to 59 — exactly what draws 429s. A pacer
hands out evenly spaced slots instead, slightly under the limit (`headroom`), and a window on
the moments sends really left (`SendWindow`) holds one back when an earlier one left late, so
that jitter never squeezes one message too many into a window.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

Monotonic = Callable[[], float]
_MARGIN_STEP = 0.01
_MARGIN_MAX = 0.25


class Pacer:
    """Evenly spaced slots at `rate` per second, first come first served."""

    def __init__(
        self, rate: float, *, catch_up: int = 0, monotonic: Monotonic = time.monotonic
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._catch_up = catch_up * self.interval
        self._next = 0.0
        self._monotonic = monotonic

    def reserve(self) -> float:
        """Take the next slot; returns how many seconds to wait for it."""
        now = self._monotonic()
        # A pacer that fell behind (a late wake-up) makes up at most `catch_up` slots at once.
        slot = max(now - self._catch_up, self._next)
        self._next = slot + self.interval
        return max(0.0, slot - now)

    def delay(self) -> float:
        """Seconds until the next slot, without taking it."""
        return max(0.0, self._next - self._monotonic())

    def skip(self) -> None:
        """Leave the next slot empty."""
        self._next = max(self._monotonic(), self._next) + self.interval

    async def wait(self) -> None:
        """Wait for the next slot."""
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)


class SendWindow:
    """At most `limit` sends in any `window` seconds, counted at the moment each really left.

    The pacer plans slots; a busy event loop wakes a sender late, which squeezes it towards
    the next ones. This window records when each send actually started and holds a send back
    until the one `limit` places before it is a full window (plus a `margin` for the hop to the
    channel) old, so lateness never crowds `limit + 1` sends into the channel's window.
    """

    def __init__(
        self, limit: int, window: float = 1.0, *, margin: float = 0.03,
        monotonic: Monotonic = time.monotonic,
    ) -> None:  # fmt: skip
        self.limit, self.window = limit, window
        self.margin = self._base_margin = margin
        self._monotonic = monotonic
        self._sent: deque[float] = deque()

    async def enter(self) -> None:
        """Wait until one more send fits, and count it as leaving now."""
        if len(self._sent) >= self.limit:
            delay = self._sent.popleft() + self.window + self.margin - self._monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        self._sent.append(self._monotonic())
        # Each send that went through lets the margin shrink back (about 10 ms a second).
        self.margin = max(self._base_margin, self.margin - _MARGIN_STEP / self.limit)

    def widen(self) -> None:
        """A 429 came anyway: the channel counts later than we think; keep more margin."""
        self.margin = min(_MARGIN_MAX, self.margin + _MARGIN_STEP)


class SharedPacer(Protocol):
    """Slots handed out across instances (the Redis budget)."""

    async def wait(self) -> None: ...


class ChannelGate:
    """The global pace of one channel, the pace of each chat and per-chat `retry_after`."""

    def __init__(
        self,
        global_rate: float,
        per_chat_rate: float | None,
        *,
        headroom: float = 0.99,
        max_chats: int = 50_000,
        monotonic: Monotonic = time.monotonic,
        shared: SharedPacer | None = None,
    ) -> None:
        self._monotonic = monotonic
        # The bot's budget shared with other instances (scheduler/budget.py), if any.
        self._shared = shared
        # The send window below holds the hard limit, so the pace may make up a late slot.
        self._global = Pacer(global_rate * headroom, catch_up=2, monotonic=monotonic)
        self._window = (
            SendWindow(int(global_rate), monotonic=monotonic) if global_rate >= 1 else None
        )
        # Slots are handed out one caller at a time, so pace and window stay first come first
        # served across the workers.
        self._turn = asyncio.Lock()
        self._chat_rate = per_chat_rate * headroom if per_chat_rate else None
        self._chats: OrderedDict[str, Pacer] = OrderedDict()
        self._not_before: OrderedDict[str, datetime] = OrderedDict()
        self._max_chats = max_chats

    @property
    def rate(self) -> float:
        """The effective global rate (messages per second)."""
        return 1.0 / self._global.interval

    def chat_delay(self, chat_id: str) -> float:
        """Seconds until this chat's next slot (0 when it may be written to now)."""
        pacer = self._chats.get(chat_id)
        return pacer.delay() if pacer is not None else 0.0

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
        # A 429 also says the channel's window is full right now (a delayed request got
        # counted late, say): one empty slot lets it drain instead of drawing 429 after 429.
        self._global.skip()
        if self._window is not None:
            self._window.widen()
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
        # The channel's slot is taken last, so that none is wasted waiting on one chat.
        async with self._turn:
            if self._shared is not None:
                await self._shared.wait()
            else:
                await self._global.wait()
            if self._window is not None:
                await self._window.enter()


def _trim(table: OrderedDict[str, Any], limit: int) -> None:
    # The oldest entries belong to chats not written to for the longest time: their pace has
    # long recovered, so forgetting them changes nothing.
    while len(table) > limit:
        table.popitem(last=False)
