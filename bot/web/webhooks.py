"""Channel webhooks: verify → parse → commit to the inbox → 200; processing runs in background.

Nothing touches the database before the request is proven authentic: a wrong or missing
secret or signature gets 401 (403 for a failed WhatsApp handshake), an oversized body 413, a
body that is not JSON 400. An authentic update nobody can read is set aside and answered 200,
so the platform stops retrying it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse

from core import untrusted

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

OK = {"ok": True}


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 past `limit` bytes (declared or actually sent)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, "body too large")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise HTTPException(413, "body too large")
    return bytes(body)


def parse_json(body: bytes) -> Any:
    """Strict JSON (UTF-8, finite numbers, bounded nesting), else 400."""
    try:
        return untrusted.loads(body)
    except untrusted.Malformed as exc:
        raise HTTPException(400, "body is not JSON") from exc


def channel_routes(app: App) -> APIRouter:
    """`POST /telegram/webhook`, `GET`/`POST /whatsapp/webhook` for the configured channels."""
    routes = APIRouter(tags=["channel webhooks"])
    limit = app.settings.webhook_max_bytes

    @routes.post("/telegram/webhook")
    async def telegram_webhook(request: Request) -> dict[str, bool]:
        """An update from Telegram, authenticated by the secret token header."""
        channel = app.channels.get("telegram")
        if channel is None:
            raise HTTPException(404, "Telegram is not configured")
        if not channel.verify(request.headers):
            raise HTTPException(401, "wrong secret token")
        body = await read_body(request, limit)
        await channel.accept(app.inbound, parse_json(body), body)
        return OK

    @routes.get("/whatsapp/webhook", response_class=PlainTextResponse)
    async def whatsapp_handshake(request: Request) -> str:
        """Meta's subscription check: echo the challenge if the verify token is ours."""
        channel = app.channels.get("whatsapp")
        if channel is None:
            raise HTTPException(404, "WhatsApp is not configured")
        challenge = channel.handshake(request.query_params)
        if challenge is None:
            raise HTTPException(403, "verification failed")
        return challenge

    @routes.post("/whatsapp/webhook")
    async def whatsapp_webhook(request: Request) -> dict[str, bool]:
        """Messages and statuses from WhatsApp, authenticated by X-Hub-Signature-256."""
        from bot.channels import menus, whatsapp_window
        from bot.channels.whatsapp import CONTINUE, SIGNATURE_HEADER, Unreadable

        channel = app.channels.get("whatsapp")
        if channel is None:
            raise HTTPException(404, "WhatsApp is not configured")
        body = await read_body(request, limit)
        if not channel.verify(body, request.headers.get(SIGNATURE_HEADER)):
            raise HTTPException(401, "wrong signature")
        payload = parse_json(body)
        try:
            parsed = channel.parse(payload)
        except Unreadable as exc:
            await app.inbound.set_aside("whatsapp", body, str(exc))
            return OK
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
        return OK

    return routes
