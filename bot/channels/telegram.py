"""The Telegram channel: verify and translate webhook updates, render and send replies.

The adapter has a PTB `Bot` (it is not one). Inbound: the secret header is checked in
constant time, then an update becomes an `Inbound` keyed by `update_id`. Outbound: it
implements the scheduler's `ChannelSender` port and maps PTB errors onto its outcomes.
"""

from __future__ import annotations

import asyncio
import os

# PTB 22 warns on every RetryAfter unless told to use timedeltas; set before importing it.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import logging
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.request import HTTPXRequest

from bot.channels import attachments, refs, render
from bot.types import BUTTON_LIMIT, NAME_LIMIT, TEXT_LIMIT, ChatRef, Inbound
from core import untrusted
from core.clock import Clock
from core.messages import Reply
from core.settings import Settings
from core.storage.db import Database
from scheduler.channel_port import Blocked, Rejected, RetryLater

if TYPE_CHECKING:
    from bot.inbound.pipeline import InboundPipeline

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "callback_query")
# The command menu, per language; every command is one the dispatcher already knows.
COMMANDS = {
    "id": (("menu", "Menu layanan"), ("help", "Bantuan"), ("cancel", "Batalkan yang berjalan")),
    "en": (("menu", "Services menu"), ("help", "Help"), ("cancel", "Cancel what is running")),
}
_BLOCKED_HINTS = ("chat not found", "user is deactivated", "bot was kicked")


class Unreadable(ValueError):
    """An authentic update the channel cannot understand (kept aside, acknowledged)."""


class TelegramChannel:
    """Telegram through a PTB `Bot`: `verify`, `parse`, `send`, `answer_callback`."""

    name: ClassVar[str] = "telegram"

    def __init__(self, bot: Bot, secret: str, db: Database, clock: Clock) -> None:
        self.bot, self._secret, self.db, self.clock = bot, secret, db, clock
        # The bot's two request objects (updates, everything else), closed by `close`.
        self._requests = (bot._request[0], bot._request[1])

    @classmethod
    def from_settings(cls, settings: Settings, db: Database, clock: Clock) -> TelegramChannel:
        """The channel as configured; only call when `AYO_TELEGRAM_TOKEN` is set."""
        # One connection per concurrent send (PTB's default pool holds a single connection).
        request = HTTPXRequest(connection_pool_size=16, read_timeout=20.0)
        bot = Bot(
            settings.telegram_token,
            base_url=settings.telegram_api_url,
            # Files live beside the API: ".../bot" → ".../file/bot".
            base_file_url=settings.telegram_api_url.removesuffix("bot") + "file/bot",
            request=request,
            get_updates_request=HTTPXRequest(read_timeout=60.0),
        )
        return cls(bot, settings.telegram_webhook_secret, db, clock)

    async def start(self) -> None:
        """Initialise the client (asks Telegram who we are); sending works without it."""
        try:
            await self.bot.initialize()
        except Exception as exc:
            log.warning("telegram: initialise failed (%s); will retry on first send",
                        type(exc).__name__)  # fmt: skip

    async def close(self) -> None:
        await self.bot.shutdown()
        # `Bot.shutdown` skips a bot that was never initialised, yet sending works without
        # `initialize` and leaves pooled connections open: close them in any case.
        await asyncio.gather(*(request.shutdown() for request in self._requests))

    async def accept(self, pipeline: InboundPipeline, payload: Any, body: bytes) -> None:
        """Hand one authentic update to the pipeline (webhook and long polling alike)."""
        try:
            inbound = self.parse(payload)
        except Unreadable as exc:
            await pipeline.set_aside(self.name, body, str(exc))
            return
        if inbound is None:
            log.info("telegram: update %s of an ignored kind", payload.get("update_id"))
            return
        inbox_id = await pipeline.accept(inbound)
        callback_id = inbound.meta.get("callback_id")
        if inbox_id is not None and callback_id:
            pipeline.spawn(self.pressed(callback_id, inbound))

    # -- inbound -----------------------------------------------------------------------------
    def verify(self, headers: Mapping[str, str]) -> bool:
        """True if the request carries our webhook secret (compared in constant time)."""
        given = headers.get(SECRET_HEADER) or headers.get(SECRET_HEADER.lower()) or ""
        if not self._secret:
            return False
        return secrets.compare_digest(given.encode(), self._secret.encode())

    def parse(self, payload: Any) -> Inbound | None:
        """The update as an `Inbound`; None for kinds Ayo ignores; `Unreadable` if malformed.

        Every field is type-checked: a forged or broken update is set aside, never a 500.
        """
        try:
            update = untrusted.obj(payload)
            key = str(untrusted.int64(update.get("update_id")))
            if "message" in update:
                return _message(key, untrusted.obj(update["message"]))
            if "callback_query" in update:
                return _callback(key, untrusted.obj(update["callback_query"]))
        except untrusted.Malformed as exc:
            raise Unreadable(str(exc)) from exc
        return None

    async def pressed(self, callback_id: str, inbound: Inbound) -> None:
        """Answer the callback query, and take the keyboard off the pressed message.

        Telegram wants an answer to every callback query (else the button spins). Pressing a
        button retires every button of its message, so the keyboard goes at once.
        """
        try:
            await self.bot.answer_callback_query(callback_id)
        except Exception as exc:  # an old query (>15 min) cannot be answered; nothing to do
            log.info("answerCallbackQuery failed: %s", type(exc).__name__)
        message_id = inbound.meta.get("message_id")
        if message_id is None:
            return
        try:
            await self.bot.edit_message_reply_markup(
                chat_id=int(inbound.chat.chat_id), message_id=int(message_id), reply_markup=None
            )
        except Exception as exc:  # already without keyboard, too old: nothing to do
            log.info("removing a pressed keyboard failed: %s", type(exc).__name__)

    # -- outbound ----------------------------------------------------------------------------
    async def send(self, chat_id: str, reply: Reply, *, language: str) -> str:
        """Send (or edit in place) one reply; returns the last Telegram message id."""
        messages = render.telegram(reply, language)
        try:
            message_id = await self._deliver(chat_id, reply, messages)
        except RetryAfter as exc:
            wait = exc.retry_after
            raise RetryLater(
                wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            ) from exc
        except Forbidden as exc:
            raise Blocked(str(exc)) from exc
        except BadRequest as exc:
            if any(hint in exc.message.lower() for hint in _BLOCKED_HINTS):
                raise Blocked(exc.message) from exc
            raise Rejected(exc.message) from exc
        ref = refs.ref_of(reply)
        if ref is not None:
            await refs.remember(self.db, self.name, chat_id, ref, str(message_id), self.clock())
        return str(message_id)

    async def _deliver(
        self, chat_id: str, reply: Reply, messages: list[render.TelegramMessage]
    ) -> int:
        last = 0
        if reply.replaces:
            old = await refs.lookup(self.db, self.name, chat_id, reply.replaces)
            if old is not None and await self._edit(chat_id, int(old), messages[0]):
                messages = messages[1:]
                last = int(old)
        for message in messages:
            sent = await self.bot.send_message(
                chat_id=int(chat_id),
                text=message.html,
                parse_mode="HTML",
                reply_markup=_keyboard(message),
            )
            last = sent.message_id
        if reply.attachment is not None:
            try:
                file = await attachments.load(self.db, reply.attachment)
            except attachments.MissingAttachment as exc:
                raise Rejected(f"attachment missing: {exc}") from exc
            sent = await self.bot.send_document(
                chat_id=int(chat_id),
                document=InputFile(file.content, filename=file.filename),
            )
            last = sent.message_id
        return last

    async def _edit(self, chat_id: str, message_id: int, message: render.TelegramMessage) -> bool:
        try:
            await self.bot.edit_message_text(
                message.html,
                chat_id=int(chat_id),
                message_id=message_id,
                parse_mode="HTML",
                reply_markup=_keyboard(message),
            )
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return True
            # Too old, deleted or not ours to edit: the decision goes out as a new message.
            log.info("edit of a Telegram message failed: %s", exc.message)
            return False
        return True

    async def download(self, file: dict[str, Any], limit: int) -> bytes:
        """The bytes of a file a user sent (getFile, then the file URL); at most `limit`."""
        found = await self.bot.get_file(file["id"])
        if found.file_size is not None and found.file_size > limit:
            raise ValueError("file too large")
        content = bytes(await found.download_as_bytearray())
        if len(content) > limit:
            raise ValueError("file too large")
        return content

    # -- setup -------------------------------------------------------------------------------
    async def register_webhook(self, url: str) -> None:
        """Point Telegram at our webhook with the secret, and set the command menu."""
        await self.bot.set_webhook(
            url, secret_token=self._secret or None, allowed_updates=list(ALLOWED_UPDATES)
        )
        await self.set_commands()

    async def set_commands(self) -> None:
        await self.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS["id"]])
        await self.bot.set_my_commands(
            [BotCommand(c, d) for c, d in COMMANDS["en"]], language_code="en"
        )

    async def username(self) -> str:
        me = await self.bot.get_me()
        return me.username or ""


def _keyboard(message: render.TelegramMessage) -> InlineKeyboardMarkup | None:
    if not message.keyboard:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row]
         for row in message.keyboard]
    )  # fmt: skip


def _chat(chat: Any) -> ChatRef:
    chat = untrusted.obj(chat)
    chat_id = untrusted.int64(chat.get("id"))
    return ChatRef("telegram", str(chat_id), is_group=chat.get("type") != "private")


def _command(text: str) -> str:
    # "/menu@ayo_bot arg" → "/menu arg": in groups Telegram appends the bot's name.
    if text.startswith("/"):
        head, _, rest = text.partition(" ")
        return (head.split("@", 1)[0] + (" " + rest if rest else "")).strip()
    return text


# Telegram's file ids are opaque strings of about 70-90 characters.
FILE_ID_LIMIT = 200


def _file(message: dict[str, Any]) -> dict[str, Any] | None:
    """A document or photo in a message, as the engine's channel-neutral file reference."""
    document = untrusted.opt_obj(message.get("document"))
    file_id = untrusted.opt_text(document.get("file_id"), FILE_ID_LIMIT)
    if file_id:
        return {
            "id": file_id,
            "mime": untrusted.opt_text(document.get("mime_type"), NAME_LIMIT),
            "size": untrusted.opt_int64(document.get("file_size")),
        }
    photos = message.get("photo")
    if isinstance(photos, list) and photos:
        largest = untrusted.opt_obj(photos[-1])  # Telegram lists the sizes smallest first
        file_id = untrusted.opt_text(largest.get("file_id"), FILE_ID_LIMIT)
        if file_id:
            size = untrusted.opt_int64(largest.get("file_size"))
            return {"id": file_id, "mime": "image/jpeg", "size": size}
    return None


def _message(key: str, message: dict[str, Any]) -> Inbound:
    sender = untrusted.opt_obj(message.get("from"))
    text = untrusted.opt_text(message.get("text"), TEXT_LIMIT)
    meta: dict[str, Any] = {
        "from_id": untrusted.opt_int64(sender.get("id")),
        "message_id": untrusted.opt_int64(message.get("message_id")),
    }
    file = _file(message)
    if file is not None:
        meta["file"] = file
        text = untrusted.opt_text(message.get("caption"), TEXT_LIMIT)
    return Inbound(
        chat=_chat(message.get("chat")),
        key=key,
        text=_command(text) if text is not None else None,
        sender_name=untrusted.opt_text(sender.get("first_name"), NAME_LIMIT),
        meta=meta,
    )


def _callback(key: str, query: dict[str, Any]) -> Inbound:
    sender = untrusted.obj(query.get("from"))
    sender_id = untrusted.int64(sender.get("id"))
    message = untrusted.opt_obj(query.get("message"))
    chat = message.get("chat") if "chat" in message else {"id": sender_id, "type": "private"}
    data = query.get("data")
    # Telegram's callback_data is at most 64 bytes: anything longer is not one of ours.
    button = data if isinstance(data, str) and 0 < len(data) <= BUTTON_LIMIT else None
    return Inbound(
        chat=_chat(chat),
        key=key,
        # A press without data (a game button) reads as an unsupported message.
        button=untrusted.clean(button) if button else None,
        sender_name=untrusted.opt_text(sender.get("first_name"), NAME_LIMIT),
        meta={
            "from_id": sender_id,
            "callback_id": untrusted.ident(query.get("id"), 64),
            "message_id": untrusted.opt_int64(message.get("message_id")),
        },
    )
