"""A minimal Telegram `ChannelSender` on python-telegram-bot, for the sender and the benchmark.

Interim: the channels work (bot/channels/telegram.py) owns Telegram rendering and should take
this over; it maps PTB's errors onto the port's outcomes, which is the part the sender needs.
"""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter
from telegram.request import HTTPXRequest

from core.messages import Reply
from scheduler.channel_port import Blocked, Rejected, RetryLater

MAX_TEXT = 4096


class TelegramSender:
    """Sends replies through a PTB `Bot` (a client we own, never a subclass of it)."""

    name = "telegram"

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    @classmethod
    def build(cls, token: str, base_url: str, *, pool: int = 16) -> TelegramSender:
        """A sender with a connection pool wide enough for concurrent sends."""
        request = HTTPXRequest(connection_pool_size=pool, pool_timeout=30.0)
        return cls(Bot(token, base_url=base_url, request=request))

    async def start(self) -> None:
        await self.bot.initialize()

    async def close(self) -> None:
        await self.bot.shutdown()

    async def send(self, chat_id: str, reply: Reply, *, language: str) -> str:
        """Send the reply (split at Telegram's length limit); returns the last message id."""
        text = reply.text.get(language) or " "
        parts = [text[i : i + MAX_TEXT] for i in range(0, len(text), MAX_TEXT)]
        markup = None
        if reply.buttons:
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(b.label.get(language), callback_data=b.token)]
                 for b in reply.buttons]
            )  # fmt: skip
        message_id = ""
        try:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                sent = await self.bot.send_message(
                    chat_id, part, reply_markup=markup if last else None
                )
                message_id = str(sent.message_id)
        except RetryAfter as exc:
            raise RetryLater(_seconds(exc)) from None
        except Forbidden:
            raise Blocked() from None
        except ChatMigrated as exc:
            raise Rejected("chat migrated") from exc
        except BadRequest as exc:
            raise Rejected(exc.message[:200]) from None
        return message_id


def _seconds(exc: RetryAfter) -> float:
    # PTB 22 returns int or timedelta depending on PTB_TIMEDELTA and warns on the int form.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
