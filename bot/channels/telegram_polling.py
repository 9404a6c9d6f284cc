"""`ayo serve --telegram-polling`: long polling instead of a webhook, for development.

Updates take the same path as the webhook's (parse → inbox → per-chat processing); the
webhook is removed first because Telegram refuses getUpdates while one is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import timedelta

from telegram.error import NetworkError, TimedOut

from bot.channels.telegram import ALLOWED_UPDATES, TelegramChannel
from bot.inbound.pipeline import InboundPipeline

log = logging.getLogger(__name__)


async def poll(
    channel: TelegramChannel,
    pipeline: InboundPipeline,
    *,
    stop: asyncio.Event,
    wait: timedelta = timedelta(seconds=30),
) -> int:
    """Feed updates until `stop` is set; returns how many were handed over."""
    await channel.bot.delete_webhook()
    log.info("telegram: long polling started")
    offset: int | None = None
    handed = 0
    while not stop.is_set():
        try:
            updates = await channel.bot.get_updates(
                offset=offset, timeout=wait, allowed_updates=list(ALLOWED_UPDATES)
            )
        except (NetworkError, TimedOut) as exc:
            log.warning("telegram: getUpdates failed (%s); retrying", type(exc).__name__)
            await _pause(stop, 2.0)
            continue
        for update in updates:
            offset = update.update_id + 1
            payload = update.to_dict()
            await channel.accept(pipeline, payload, json.dumps(payload).encode())
            handed += 1
    return handed


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
