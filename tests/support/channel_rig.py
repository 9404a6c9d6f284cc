"""Ayo with its Telegram and WhatsApp channels pointed at the loopback fakes.

``async with channel_rig(settings, clock) as rig:`` builds the app with the real PTB and pywa
clients talking to ``FakeTelegram`` / ``FakeWhatsApp``; webhooks are posted to the app's real
FastAPI routes; ``await rig.settle()`` waits for the per-chat workers and runs the sender.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.demo import users
from bot.linking.cli import make_link_code
from bot.web.app import create_web
from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import InboxItem
from scheduler.channel_port import ChannelLimits
from scheduler.sender import Sender

from .fake_telegram import DEFAULT_TOKEN as TG_TOKEN
from .fake_telegram import FakeTelegram
from .fake_whatsapp import DEFAULT_PHONE_ID, FakeWhatsApp, sign
from .fake_whatsapp import DEFAULT_TOKEN as WA_TOKEN

TG_SECRET = "ayo-telegram-secret-0123"
WA_SECRET = "ayo-whatsapp-app-secret"
WA_VERIFY = "ayo-verify-token"
TEMPLATE = "ayo_pesan_baru"
FAST = ChannelLimits(1000.0, 1000.0)


@dataclass
class Rig:
    ayo: App
    web: httpx.AsyncClient
    sender: Sender
    tg: FakeTelegram
    wa: FakeWhatsApp
    clock: FixedClock

    async def telegram(
        self, update: dict[str, Any] | bytes, *, secret: str | None = TG_SECRET
    ) -> httpx.Response:
        """POST an update to /telegram/webhook as Telegram does."""
        body = update if isinstance(update, bytes) else json.dumps(update).encode()
        headers = {"content-type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return await self.web.post("/telegram/webhook", content=body, headers=headers)

    async def whatsapp(
        self, payload: dict[str, Any] | bytes, *, secret: str | None = WA_SECRET
    ) -> httpx.Response:
        """POST a webhook to /whatsapp/webhook, signed with `secret` (None: unsigned)."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"content-type": "application/json"}
        if secret is not None:
            headers["X-Hub-Signature-256"] = sign(body, secret)
        return await self.web.post("/whatsapp/webhook", content=body, headers=headers)

    async def settle(self) -> int:
        """Let every chat's worker finish, then send what they queued; returns sends."""
        await self.ayo.inbound.idle()
        return await self.sender.sweep()

    async def inbox_count(self) -> int:
        async with self.ayo.db.sessions() as session:
            return await session.scalar(select(func.count(InboxItem.id))) or 0

    async def link_code(self, nip: str) -> str:
        code, _, _ = await make_link_code(self.ayo.db, nip, self.clock(), timedelta(days=1))
        return code


def channel_settings(settings: Settings, tg: FakeTelegram, wa: FakeWhatsApp) -> Settings:
    return settings.model_copy(
        update={
            "telegram_token": TG_TOKEN,
            "telegram_webhook_secret": TG_SECRET,
            "telegram_api_url": tg.base_url,
            "telegram_bot_username": "ayo_test_bot",
            "whatsapp_token": WA_TOKEN,
            "whatsapp_phone_id": DEFAULT_PHONE_ID,
            "whatsapp_app_secret": WA_SECRET,
            "whatsapp_verify_token": WA_VERIFY,
            "whatsapp_api_url": wa.url,
            "whatsapp_templates": {"default": TEMPLATE},
            "webhook_max_bytes": 64 * 1024,
        }
    )


@asynccontextmanager
async def channel_rig(
    settings: Settings,
    clock: FixedClock,
    *,
    tg_chats: tuple[int, ...] = (),
    wa_recipients: tuple[str, ...] = (),
) -> AsyncIterator[Rig]:
    async with (
        FakeTelegram(chats=tg_chats) as tg,
        FakeWhatsApp(recipients=wa_recipients, templates=[TEMPLATE]) as wa,
    ):
        ayo = await build_app(channel_settings(settings, tg, wa), clock=clock)
        sender = Sender(
            ayo.db, ayo.channels, {"telegram": FAST, "whatsapp": FAST}, clock, owner="test"
        )
        transport = httpx.ASGITransport(app=create_web(ayo))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://ayo.test") as web:
                yield Rig(ayo, web, sender, tg, wa, clock)
        finally:
            await ayo.close()


async def demo_people(ayo: App) -> dict[str, dict[str, Any]]:
    """Demo employees by name: nip, supervisor_nip, …"""
    return {row["name"]: row for row in await users(ayo.db)}


async def phone_of(ayo: App, nip: str) -> str:
    from core.storage.models import Employee

    async with ayo.db.sessions() as session:
        phone = await session.scalar(select(Employee.phone).where(Employee.nip == nip))
    assert phone is not None
    return phone
