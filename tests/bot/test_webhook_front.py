"""The channel webhooks are answered in front of FastAPI (issue #15), with the same answers.

`AyoWeb` hands `POST /telegram/webhook` and `GET`/`POST /whatsapp/webhook` to their handlers
before FastAPI's middleware and router; every other request, the webhook paths with another
method or a trailing slash too, still goes through FastAPI.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.web.app import AyoWeb, create_web
from core.clock import FixedClock
from core.settings import Settings
from tests.support.channel_rig import TG_SECRET, WA_SECRET, WA_VERIFY, Rig, channel_rig
from tests.support.fake_telegram import tg_message_update
from tests.support.fake_whatsapp import sign, wa_text_update

CHAT = 5550311
WEBHOOKS = {
    ("POST", "/telegram/webhook"),
    ("GET", "/whatsapp/webhook"),
    ("POST", "/whatsapp/webhook"),
}


@pytest.fixture
async def rig(settings: Settings, clock: FixedClock) -> AsyncIterator[Rig]:
    async with channel_rig(settings, clock, tg_chats=(CHAT,)) as rig:
        yield rig


def spied(web: AyoWeb) -> list[tuple[str, str]]:
    """The (method, path) of every request that reaches FastAPI's middleware and router."""
    stack = web.build_middleware_stack()
    seen: list[tuple[str, str]] = []

    async def spy(scope, receive, send) -> None:
        if scope["type"] == "http":
            seen.append((scope["method"], scope["path"]))
        await stack(scope, receive, send)

    web.middleware_stack = spy
    return seen


async def test_the_webhooks_do_not_pass_through_fastapi(rig: Rig) -> None:
    web = create_web(rig.ayo)
    assert set(web.front) == WEBHOOKS
    seen = spied(web)
    update = json.dumps(tg_message_update(1, CHAT, CHAT, "halo")).encode()
    wa = json.dumps(wa_text_update("6281234500011", "halo", wamid="wamid.front")).encode()
    handshake = {"hub.mode": "subscribe", "hub.verify_token": WA_VERIFY, "hub.challenge": "42"}
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://ayo.test") as client:
        tg = await client.post(
            "/telegram/webhook",
            content=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
        )
        assert (tg.status_code, tg.json()) == (200, {"ok": True})
        hs = await client.get("/whatsapp/webhook", params=handshake)
        assert (hs.status_code, hs.text) == (200, "42")
        signed = {"X-Hub-Signature-256": sign(wa, WA_SECRET)}
        posted = await client.post("/whatsapp/webhook", content=wa, headers=signed)
        assert (posted.status_code, posted.json()) == (200, {"ok": True})
        wrong = await client.post("/telegram/webhook", content=update)
        assert (wrong.status_code, wrong.json()) == (401, {"detail": "wrong secret token"})
        assert seen == [], "a webhook went through FastAPI's middleware and router"
        # Everything else is FastAPI's, the webhook paths' other methods and slashes too.
        assert (await client.get("/healthz")).status_code == 200
        get = await client.get("/telegram/webhook")
        assert (get.status_code, get.headers["allow"]) == (405, "POST")
        head = await client.head("/whatsapp/webhook", params=handshake)
        assert (head.status_code, head.headers["allow"]) == (405, "GET")
        slash = await client.post("/telegram/webhook/", content=update)
        assert (slash.status_code, slash.headers["location"]) == (
            307,
            "http://ayo.test/telegram/webhook",
        )
    assert seen == [
        ("GET", "/healthz"),
        ("GET", "/telegram/webhook"),
        ("HEAD", "/whatsapp/webhook"),
        ("POST", "/telegram/webhook/"),
    ]
    assert await rig.inbox_count() == 2


async def test_the_front_bounds_the_body_before_the_secret(rig: Rig) -> None:
    """413 without reading past the limit (64 KiB here), whatever the secret; 400 for a
    length that is not one; both close the connection, as bot/web/guard.py's answers do."""
    web = create_web(rig.ayo)
    seen = spied(web)

    async def post(headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple:
        scope = {
            "type": "http",
            "method": "POST",
            "path": "/telegram/webhook",
            "query_string": b"",
            "headers": headers,
        }
        messages = [
            {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
            for i, c in enumerate(chunks)
        ]
        read = 0

        async def receive() -> dict:
            nonlocal read
            read += 1
            return messages.pop(0)

        sent: list[dict] = []

        async def send(message: dict) -> None:
            sent.append(message)

        await web(scope, receive, send)
        start, body = sent
        return start["status"], dict(start["headers"]).get(b"connection"), body["body"], read

    wrong = [(b"x-telegram-bot-api-secret-token", b"nope")]
    too_large = b'{"detail":"body too large"}'
    declared = [*wrong, (b"content-length", b"999999")]
    assert await post(declared, [b"x"]) == (413, b"close", too_large, 0)
    chunked = [b"x" * 40_000] * 3
    assert await post(wrong, chunked) == (413, b"close", too_large, 2)
    assert await post([], chunked) == (413, b"close", too_large, 2)
    bad = [(b"content-length", b"abc")]
    assert await post(bad, [b"{}"]) == (400, b"close", b'{"detail":"bad content-length"}', 0)
    assert await post(wrong, [b"{}"]) == (401, None, b'{"detail":"wrong secret token"}', 1)
    assert seen == []
    assert await rig.inbox_count() == 0
