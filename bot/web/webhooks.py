"""Channel webhooks: verify → parse → commit to the inbox → 200; processing runs in background.

Nothing touches the database before the request is proven authentic: a wrong or missing
secret or signature gets 401 (403 for a failed WhatsApp handshake), an oversized body 413, a
body that is not JSON 400. An authentic update nobody can read is set aside and answered 200,
so the platform stops retrying it.

The three webhooks are plain ASGI handlers that `AyoWeb` (bot/web/app.py) answers before
FastAPI's middleware and router: they do only what they must before the 200 (issue #15: the
machinery around the handler cost some 6 times the handler). Each does itself what the
middleware gives every other route, with the same answers: the body bound of bot/web/guard.py
(before the secret is looked at), the `{"detail": …}` 4xx of FastAPI's `HTTPException`, and a
bare 500 with the exception re-raised to the server's log if something breaks. They are also
in the FastAPI route table, so a wrong method (405), a trailing slash (307) and the route
checks of the tests see them as before.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.datastructures import Headers, QueryParams
from starlette.types import Message, Receive, Scope, Send

from bot.web import guard
from core import untrusted

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

OK = b'{"ok":true}'
JSON = b"application/json"
TEXT = b"text/plain; charset=utf-8"


class Refused(Exception):
    """A 4xx answer, `{"detail": …}` as FastAPI's `HTTPException` gives it."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


class Gone(Exception):
    """The client went away before its body was read: nothing to answer."""


Handler = Callable[[Scope, bytes], Awaitable[tuple[bytes, bytes]]]


async def read_body(scope: Scope, receive: Receive, send: Send, limit: int) -> bytes | None:
    """The raw body up to `limit` bytes, as bot/web/guard.py's `BodyLimit` reads it.

    A declared length past the limit is refused before a byte is read, a body sent without
    one is read only up to the limit; None once the refusal (or nothing, for a client that
    disconnected) is sent.
    """
    declared = guard.content_length(scope)
    if declared == -1:
        await guard.answer(send, 400, guard.BAD_LENGTH)
        return None
    if declared is not None and declared > limit:
        await guard.answer(send, 413, guard.TOO_LARGE)
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            await guard.answer(send, 413, guard.TOO_LARGE)
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def parse_json(body: bytes) -> Any:
    """Strict JSON (UTF-8, finite numbers, bounded nesting), else 400."""
    try:
        return untrusted.loads(body)
    except untrusted.Malformed as exc:
        raise Refused(400, "body is not JSON") from exc


class Webhook:
    """One webhook as an ASGI app: bounded body, then `handle(scope, body)` → 200."""

    def __init__(self, handle: Handler, limit: int) -> None:
        self.handle, self.limit = handle, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        async def respond(status: int, kind: bytes, content: bytes) -> None:
            await tracked(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-length", str(len(content)).encode()),
                        (b"content-type", kind),
                    ],
                }
            )
            await tracked({"type": "http.response.body", "body": content})

        try:
            body = await read_body(scope, receive, tracked, self.limit)
            if body is None:
                return
            try:
                kind, content = await self.handle(scope, body)
            except Refused as exc:
                detail = json.dumps({"detail": exc.detail}, separators=(",", ":"))
                await respond(exc.status, JSON, detail.encode())
                return
            await respond(200, kind, content)
        except Exception:
            # As Starlette's ServerErrorMiddleware: a bare 500, the traceback to the log.
            if not started:
                await respond(500, TEXT, b"Internal Server Error")
            raise


def channel_webhooks(app: App) -> dict[tuple[str, str], Webhook]:
    """`POST /telegram/webhook`, `GET`/`POST /whatsapp/webhook`, by (method, path)."""
    limit = app.settings.webhook_max_bytes

    async def telegram_webhook(scope: Scope, body: bytes) -> tuple[bytes, bytes]:
        """An update from Telegram, authenticated by the secret token header."""
        channel = app.channels.get("telegram")
        if channel is None:
            raise Refused(404, "Telegram is not configured")
        if not channel.verify(Headers(scope=scope)):
            raise Refused(401, "wrong secret token")
        await channel.accept(app.inbound, parse_json(body), body)
        return JSON, OK

    async def whatsapp_handshake(scope: Scope, body: bytes) -> tuple[bytes, bytes]:
        """Meta's subscription check: echo the challenge if the verify token is ours."""
        channel = app.channels.get("whatsapp")
        if channel is None:
            raise Refused(404, "WhatsApp is not configured")
        challenge = channel.handshake(QueryParams(scope["query_string"]))
        if challenge is None:
            raise Refused(403, "verification failed")
        return TEXT, challenge.encode()

    async def whatsapp_webhook(scope: Scope, body: bytes) -> tuple[bytes, bytes]:
        """Messages and statuses from WhatsApp, authenticated by X-Hub-Signature-256."""
        from bot.channels import menus, whatsapp_window
        from bot.channels.whatsapp import CONTINUE, SIGNATURE_HEADER, Unreadable

        channel = app.channels.get("whatsapp")
        if channel is None:
            raise Refused(404, "WhatsApp is not configured")
        if not channel.verify(body, Headers(scope=scope).get(SIGNATURE_HEADER)):
            raise Refused(401, "wrong signature")
        payload = parse_json(body)
        try:
            parsed = channel.parse(payload)
        except Unreadable as exc:
            await app.inbound.set_aside("whatsapp", body, str(exc))
            return JSON, OK
        for inbound in parsed.inbounds:
            chat_id = inbound.chat.chat_id

            async def release(chat_id: str = chat_id) -> None:
                await whatsapp_window.release(app.db, chat_id, app.deps.clock())

            if inbound.meta.get(CONTINUE):
                if await app.inbound.note(inbound):
                    await release()
                    app.inbound.spawn(app.inbound.after_hook())
                continue
            inbound = await menus.numbered_choice(app.db, inbound)
            await app.inbound.accept(inbound, before=release)
        await whatsapp_window.note_failures(app.db, parsed.failures)
        return JSON, OK

    return {
        ("POST", "/telegram/webhook"): Webhook(telegram_webhook, limit),
        ("GET", "/whatsapp/webhook"): Webhook(whatsapp_handshake, limit),
        ("POST", "/whatsapp/webhook"): Webhook(whatsapp_webhook, limit),
    }
