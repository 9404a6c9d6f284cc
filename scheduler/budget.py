"""One send budget per bot shared by every instance, kept in Redis.

Telegram counts a bot's messages (about 30 a second) however many machines send them, and
WhatsApp counts per sending number. Each instance asks Redis for the bot's next slot: a Lua
script reads the server's clock, hands out `slot = max(now, next)` and moves `next` one interval
on, atomically, so instances together stay at the rate instead of each sending at it. Without
`AYO_REDIS_URL` an instance paces alone (`AYO_SENDER_INSTANCES` divides the rate). If Redis is
unreachable the instance falls back to its own pace at the rate divided by `fallback_share`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Any

from scheduler.pacing import Pacer

log = logging.getLogger(__name__)

# Returns how long the caller must wait for its slot, in seconds (as a string: Lua numbers
# would be truncated to integers on the way back).
_NEXT_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local catch_up = tonumber(ARGV[2])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now - catch_up, nxt)
redis.call('SET', KEYS[1], string.format('%.6f', slot + interval), 'PX', 60000)
return string.format('%.6f', slot - now)
"""


# At most ARGV[1] sends in any ARGV[2] seconds (plus a margin ARGV[3] for the hop to the
# channel), counted when each really left: 0 and the send is counted, or how long to wait.
_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2]) + tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, string.format('%.6f:%s', now, ARGV[4]))
  redis.call('PEXPIRE', KEYS[1], 60000)
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return string.format('%.6f', tonumber(oldest[2]) + window - now)
"""


class RedisPacer:
    """Evenly spaced slots at `rate` per second for everyone using the same Redis `key`."""

    def __init__(
        self, client: Any, key: str, rate: float, *, limit: int | None = None,
        margin: float = 0.05, fallback_share: int = 1,
    ) -> None:  # fmt: skip
        self.client, self.key = client, key
        self.interval = 1.0 / rate
        # The hard limit the channel counts (e.g. 30 in any second), shared like the pace:
        # a send that woke late never crowds one too many into a window, whoever sent it.
        self.limit, self.margin = limit, margin
        self._script = client.register_script(_NEXT_SLOT)
        self._window = client.register_script(_WINDOW)
        self._ids = itertools.count()
        self._fallback = Pacer(rate / max(1, fallback_share))
        self._down = False

    async def wait(self) -> None:
        try:
            delay = float(await self._script(keys=[self.key], args=[self.interval, 0.0]))
        except Exception as exc:  # Redis down: pace alone, conservatively, until it is back
            if not self._down:
                log.warning("send budget: Redis unreachable (%s); pacing alone",
                            type(exc).__name__)  # fmt: skip
                self._down = True
            await self._fallback.wait()
            return
        if self._down:
            log.info("send budget: Redis is back")
            self._down = False
        if delay > 0:
            await asyncio.sleep(delay)
        if self.limit is None:
            return
        tag = f"{id(self)}:{next(self._ids)}"
        while True:
            try:
                wait = float(
                    await self._window(
                        keys=[f"{self.key}:window"], args=[self.limit, 1.0, self.margin, tag]
                    )
                )
            except Exception:  # Redis went away between the two calls: the pace holds
                return  # fmt: skip
            if wait <= 0:
                return
            await asyncio.sleep(wait)


class RedisBudget:
    """Builds the shared pacer of each channel, keyed by the bot it sends as."""

    def __init__(
        self, client: Any, *, prefix: str = "ayo", bots: dict[str, str] | None = None,
        fallback_share: int = 1,
    ) -> None:  # fmt: skip
        self.client, self.prefix = client, prefix
        self.bots = dict(bots or {})
        self.fallback_share = fallback_share

    @classmethod
    def from_url(
        cls, url: str, *, prefix: str = "ayo", bots: dict[str, str] | None = None,
        fallback_share: int = 1,
    ) -> RedisBudget:  # fmt: skip
        import redis.asyncio as redis

        return cls(redis.from_url(url), prefix=prefix, bots=bots, fallback_share=fallback_share)

    def pacer(self, channel: str, rate: float, limit: float | None = None) -> RedisPacer:
        bot = self.bots.get(channel, "default")
        key = f"{self.prefix}:send-budget:{channel}:{bot}"
        return RedisPacer(self.client, key, rate, limit=int(limit) if limit else None,
                          fallback_share=self.fallback_share)  # fmt: skip

    async def close(self) -> None:
        await self.client.aclose()
