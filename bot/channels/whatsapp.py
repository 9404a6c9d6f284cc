"""The WhatsApp channel: verify and translate Cloud API webhooks, render and send replies.

The adapter has a pywa client (it is not one). Inbound: `X-Hub-Signature-256` is the HMAC-SHA256
of the raw body with the app secret, compared in constant time; each message becomes an
`Inbound` keyed by its wamid. Outbound: it implements the scheduler's `ChannelSender` port;
outside the 24-hour window a push goes out as an approved template (whatsapp_window.py).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx
from pywa import errors as wa_errors
from pywa.types import Button, Section, SectionList, SectionRow
from pywa.types.templates import TemplateLanguage
from pywa_async import WhatsApp

from bot.channels import attachments, render, whatsapp_window
from bot.channels.whatsapp_transport import graph_session
from bot.types import (
    BUTTON_LIMIT,
    CHAT_ID_LIMIT,
    KEY_LIMIT,
    NAME_LIMIT,
    TEXT_LIMIT,
    ChatRef,
    Inbound,
)
from core import markdown, untrusted
from core.clock import Clock
from core.messages import Reply
from core.settings import Settings
from core.storage.db import Database
from core.text import T
from scheduler.channel_port import Blocked, Rejected, RetryLater

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
# A tap on a template's quick reply ("Lanjutkan"): it only reopens the window.
CONTINUE = "continue"
_SECTION = T("Pilihan", "Choices")


class Unreadable(ValueError):
    """An authentic webhook the channel cannot understand (kept aside, acknowledged)."""


@dataclass
class Parsed:
    """What one webhook carried: messages for the engine, continues, delivery failures."""

    inbounds: list[Inbound] = field(default_factory=list)
    failures: list[tuple[str, int | None]] = field(default_factory=list)
    statuses: int = 0


class WhatsAppChannel:
    """WhatsApp Cloud API through pywa: `verify`, `handshake`, `parse`, `send`."""

    name: ClassVar[str] = "whatsapp"

    def __init__(
        self,
        wa: WhatsApp,
        *,
        app_secret: str,
        verify_token: str,
        templates: Mapping[str, str],
        db: Database,
        clock: Clock,
        session: httpx.AsyncClient | None = None,
    ) -> None:
        self.wa, self.db, self.clock = wa, db, clock
        self._secret, self._verify_token = app_secret, verify_token
        self.templates = dict(templates)
        self._session = session

    @classmethod
    def from_settings(cls, settings: Settings, db: Database, clock: Clock) -> WhatsAppChannel:
        """The channel as configured; only call when the WhatsApp settings are set."""
        session = graph_session(settings.whatsapp_api_url)
        wa = WhatsApp(
            phone_id=settings.whatsapp_phone_id, token=settings.whatsapp_token, session=session
        )
        return cls(
            wa,
            app_secret=settings.whatsapp_app_secret,
            verify_token=settings.whatsapp_verify_token,
            templates=settings.whatsapp_templates,
            db=db,
            clock=clock,
            session=session,
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.aclose()

    # -- inbound -----------------------------------------------------------------------------
    def verify(self, body: bytes, signature: str | None) -> bool:
        """True if `signature` is the HMAC-SHA256 of the raw body with our app secret."""
        if not self._secret or not signature or not signature.startswith("sha256="):
            return False
        expected = hmac.new(self._secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(signature.removeprefix("sha256=").encode(), expected.encode())

    def handshake(self, params: Mapping[str, str]) -> str | None:
        """The challenge to echo if Meta's subscription request carries our verify token."""
        mode, token = params.get("hub.mode", ""), params.get("hub.verify_token", "")
        if mode != "subscribe" or not self._verify_token:
            return None
        if not hmac.compare_digest(token.encode(), self._verify_token.encode()):
            return None
        return params.get("hub.challenge", "")

    def parse(self, payload: Any) -> Parsed:
        """Every message and status in a webhook; `Unreadable` if it is not one.

        Every field is type-checked: a forged or broken webhook is set aside, never a 500.
        """
        parsed = Parsed()
        try:
            body = untrusted.obj(payload)
            if not isinstance(body.get("entry"), list):
                raise untrusted.Malformed("no entry")
            for entry in body["entry"]:
                for change in _list(untrusted.obj(entry).get("changes")):
                    value = untrusted.opt_obj(untrusted.obj(change).get("value"))
                    names = {}
                    for contact in _list(value.get("contacts")):
                        contact = untrusted.obj(contact)
                        profile = untrusted.opt_obj(contact.get("profile"))
                        name = untrusted.opt_text(profile.get("name"), NAME_LIMIT)
                        names[untrusted.opt_text(contact.get("wa_id"), CHAT_ID_LIMIT)] = name
                    for message in _list(value.get("messages")):
                        parsed.inbounds.append(_inbound(untrusted.obj(message), names))
                    for status in _list(value.get("statuses")):
                        status = untrusted.obj(status)
                        parsed.statuses += 1
                        if status.get("status") == "failed":
                            errors = _list(status.get("errors")) or [{}]
                            code = untrusted.opt_int64(untrusted.opt_obj(errors[0]).get("code"))
                            parsed.failures.append(
                                (untrusted.ident(status.get("id"), KEY_LIMIT), code)
                            )
        except untrusted.Malformed as exc:
            raise Unreadable(str(exc)) from exc
        return parsed

    # -- outbound ----------------------------------------------------------------------------
    async def send(self, chat_id: str, reply: Reply, *, language: str) -> str:
        """Send one reply (as a template when the window is closed); returns the last wamid."""
        now = self.clock()
        is_open, account_id = await whatsapp_window.window_open(self.db, chat_id, now)
        try:
            if not is_open:
                return await self._send_template(chat_id, account_id, reply, language)
            try:
                return await self._send_free(chat_id, reply, language)
            except wa_errors.ReEngagementMessage:
                # WhatsApp counts the window its own way; trust it and use the template.
                return await self._send_template(chat_id, account_id, reply, language)
        except wa_errors.ThrottlingError as exc:
            # The Cloud API gives no retry_after; pair limits clear within seconds.
            raise RetryLater(6.0 if isinstance(exc, wa_errors.TooManyMessages) else 2.0) from exc
        except wa_errors.MessageUndeliverable as exc:
            raise Blocked(_reason(exc)) from exc
        except wa_errors.WhatsAppError as exc:
            if exc.status_code is not None and exc.status_code >= 500:
                raise
            raise Rejected(_reason(exc)) from exc

    async def _send_free(self, chat_id: str, reply: Reply, language: str) -> str:
        sent_id = ""
        for part in render.whatsapp(reply, language):
            if isinstance(part, str):
                sent = await self.wa.send_message(to=chat_id, text=part)
            elif isinstance(part, render.WhatsAppButtons):
                sent = await self.wa.send_message(
                    to=chat_id,
                    text=part.body,
                    buttons=[Button(title=t, callback_data=i) for t, i in part.buttons],
                )
            else:
                rows = [
                    SectionRow(title=t, callback_data=i, description=d) for t, i, d in part.rows
                ]
                sent = await self.wa.send_message(
                    to=chat_id,
                    text=part.body,
                    buttons=SectionList(
                        button_title=part.button,
                        sections=[Section(title=_SECTION.get(language), rows=rows)],
                    ),
                )
            sent_id = sent.id
        if reply.attachment is not None:
            try:
                file = await attachments.load(self.db, reply.attachment)
            except attachments.MissingAttachment as exc:
                raise Rejected(f"attachment missing: {exc}") from exc
            sent = await self.wa.send_document(
                to=chat_id, document=file.content, filename=file.filename, mime_type=file.mime
            )
            sent_id = sent.id
        return sent_id

    async def download(self, file: dict[str, Any], limit: int) -> bytes:
        """The bytes of a file a user sent (media id → URL → bytes); at most `limit`."""
        found = await self.wa.get_media_url(file["id"])
        if found.file_size is not None and found.file_size > limit:
            raise ValueError("file too large")
        content = await self.wa.get_media_bytes(found.url)
        if len(content) > limit:
            raise ValueError("file too large")
        return content

    async def _send_template(
        self, chat_id: str, account_id: int | None, reply: Reply, language: str
    ) -> str:
        name = self.templates.get(reply.template or "default") or self.templates.get("default")
        if not name:
            raise Rejected("24-hour window closed and no template configured")
        body = {
            "type": "body",
            "parameters": [{"type": "text", "text": render.template_text(reply, language)}],
        }
        sent = await self.wa.send_template(
            to=chat_id,
            name=name,
            language=TemplateLanguage("en" if language == "en" else "id"),
            params=[body],
        )
        # A template carries no buttons or files: the whole reply waits for the user's answer.
        has_more = reply.buttons or reply.attachment is not None or _clipped(reply, language)
        if account_id is not None and has_more:
            await whatsapp_window.hold(self.db, account_id, reply, self.clock())
        return sent.id


def _clipped(reply: Reply, language: str) -> bool:
    shown = markdown.to_whatsapp(reply.text.get(language)).strip()
    return render.template_text(reply, language) != shown


def _reason(exc: wa_errors.WhatsAppError) -> str:
    return f"{exc.code}: {type(exc).__name__}"


def _list(value: Any) -> list[Any]:
    """An optional array: missing reads as empty, another type is `Malformed`."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise untrusted.Malformed("not an array")
    return value


def _inbound(message: dict[str, Any], names: Mapping[str | None, str | None]) -> Inbound:
    sender = untrusted.ident(message.get("from"), CHAT_ID_LIMIT)
    kind = untrusted.opt_text(message.get("type"), 20)
    text: str | None = None
    button: str | None = None
    meta: dict[str, Any] = {"type": kind}
    if kind == "text":
        text = untrusted.opt_text(untrusted.opt_obj(message.get("text")).get("body"), TEXT_LIMIT)
        text = text or ""
    elif kind == "interactive":
        interactive = untrusted.opt_obj(message.get("interactive"))
        reply = untrusted.opt_obj(interactive.get("button_reply")) or untrusted.opt_obj(
            interactive.get("list_reply")
        )
        data = reply.get("id")
        button = untrusted.clean(data) if isinstance(data, str) and data else None
        button = button if button is None or len(button) <= BUTTON_LIMIT else None
    elif kind in ("document", "image"):
        media = untrusted.opt_obj(message.get(kind))
        media_id = untrusted.opt_text(media.get("id"), KEY_LIMIT)
        if media_id:
            mime = untrusted.opt_text(media.get("mime_type"), NAME_LIMIT)
            meta["file"] = {"id": media_id, "mime": mime, "size": None}
        text = untrusted.opt_text(media.get("caption"), TEXT_LIMIT)
    elif kind == "button":
        # A template quick reply: it carries no token of ours, only the wish to go on.
        meta[CONTINUE] = True
    context_id = untrusted.opt_text(untrusted.opt_obj(message.get("context")).get("id"), 100)
    if context_id:
        meta["context_id"] = context_id
    return Inbound(
        chat=ChatRef("whatsapp", sender),
        key=untrusted.ident(message.get("id"), KEY_LIMIT),
        text=text,
        button=button,
        sender_name=names.get(sender),
        meta=meta,
    )
