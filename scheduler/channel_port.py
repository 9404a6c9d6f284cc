"""The port every outbound channel implements, and the outcomes a send can report.

A channel adapter (Telegram, WhatsApp) renders a channel-neutral `Reply`, sends it and returns
the channel's message id. Anything other than success is one of three exceptions below, so the
sender can decide without knowing the channel: wait for this chat only, stop writing to a chat
that blocked the bot, or give up on a message the channel will never take. Any other exception
is treated as transient (network, 5xx) and retried with backoff.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from core.messages import Reply
from core.settings import Settings


class SendError(Exception):
    """Base of the outcomes a channel adapter reports instead of a message id."""


class RetryLater(SendError):
    """The channel asked to wait (HTTP 429 `retry_after`) before writing to this chat again."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = max(0.0, float(seconds))


class Blocked(SendError):
    """The recipient blocked the bot (or deleted the chat); bulk sends must skip them."""


class Rejected(SendError):
    """The channel refused this message for good (a permanent 4xx); `reason` is short, no PII."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:200]


@runtime_checkable
class ChannelSender(Protocol):
    """Sends one reply to one chat of a channel; returns the channel's message id."""

    name: str

    async def send(self, chat_id: str, reply: Reply, *, language: str) -> str: ...


@dataclass(frozen=True)
class ChannelLimits:
    """Flood limits of one channel: messages per second for the bot and for one chat."""

    global_per_sec: float
    per_chat_per_sec: float | None = None
    # Sends in flight at once, so that network latency does not cap throughput.
    concurrency: int = 8


def limits_from_settings(settings: Settings, *, shared: bool = False) -> dict[str, ChannelLimits]:
    """The configured limits of every channel the sender knows, for one of the instances.

    `shared`: the instances pace under one budget in Redis, so each may use the whole rate.
    """
    # The bot's limits hold for all instances together; a chat's messages may go through any.
    share = 1 if shared else max(1, settings.sender_instances)
    return {
        "telegram": ChannelLimits(settings.telegram_rate_global / share,
                                  settings.telegram_rate_per_chat),
        "whatsapp": ChannelLimits(settings.whatsapp_rate_global / share, None, concurrency=16),
    }  # fmt: skip


async def start_channels(channels: Mapping[str, ChannelSender]) -> None:
    """Start the adapters that need it (a PTB `Bot` must be initialised before sending)."""
    for channel in channels.values():
        start = getattr(channel, "start", None)
        if start is not None:
            await start()


async def close_channels(channels: Mapping[str, ChannelSender]) -> None:
    """Close the adapters that hold connections."""
    for channel in channels.values():
        close = getattr(channel, "close", None)
        if close is not None:
            await close()
