"""Markdown in lessons reaches each channel in its own form: Telegram HTML, WhatsApp markers,
safe HTML for the web chat; never as raw **stars**."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import App
from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import OutboxItem
from tests.support.ayo_chat import nip_of, say
from tests.support.channel_rig import Rig, channel_rig, demo_people, phone_of
from tests.support.fake_telegram import tg_message_update
from tests.support.fake_whatsapp import wa_text_update

CHAT = 5550001
LESSON_HEAD = "📘 Pelajaran hari ini"


@pytest.fixture
async def rig(settings: Settings, clock: FixedClock) -> AsyncIterator[Rig]:
    async with channel_rig(settings, clock, tg_chats=(CHAT,)) as rig:
        yield rig


async def lesson_source(ayo: App) -> str:
    """The lesson message as Ayo wrote it (Markdown), from the outbox."""
    async with ayo.db.sessions() as session:
        rows = (await session.execute(select(OutboxItem).order_by(OutboxItem.id))).scalars()
        found = [r.payload for r in rows if (r.payload.get("meta") or {}).get("lesson")]
    assert found, "no lesson was sent"
    return found[-1]["text"]["id"]


def bold_in(source: str) -> list[str]:
    pieces = re.findall(r"\*\*(.+?)\*\*", source)
    assert pieces, "the lesson has no bold text to check"
    return pieces


async def test_a_lesson_on_telegram_arrives_with_bold_entities_not_stars(rig: Rig) -> None:
    nip = (await demo_people(rig.ayo))["Dimas Prasetyo"]["nip"]
    code = await rig.link_code(nip)
    await rig.telegram(tg_message_update(901, CHAT, CHAT, f"/start {code}"))
    await rig.telegram(tg_message_update(902, CHAT, CHAT, "belajar"))
    await rig.settle()
    source = await lesson_source(rig.ayo)
    sent = next(m for m in rig.tg.sent_messages(CHAT) if m["text"].startswith(LESSON_HEAD))
    assert "**" not in sent["text"]
    units = sent["text"].encode("utf-16-le")  # Telegram's offsets count UTF-16 units
    shown_bold = [
        units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in sent.get("entities", [])
        if e["type"] == "bold"
    ]
    assert shown_bold == bold_in(source)


async def test_a_lesson_on_whatsapp_arrives_with_its_own_bold_markers(rig: Rig) -> None:
    nip = (await demo_people(rig.ayo))["Dimas Prasetyo"]["nip"]
    phone = await phone_of(rig.ayo, nip)
    rig.wa.add_recipient(phone)
    code = await rig.link_code(nip)
    await rig.whatsapp(wa_text_update(phone, code.lower(), wamid="wamid.link"))
    await rig.whatsapp(wa_text_update(phone, "belajar", wamid="wamid.learn"))
    await rig.settle()
    source = await lesson_source(rig.ayo)
    texts = [b["text"]["body"] for b in rig.wa.sent(phone) if b["type"] == "text"]
    texts += [
        b["interactive"]["body"]["text"] for b in rig.wa.sent(phone) if b["type"] == "interactive"
    ]
    lesson = next(t for t in texts if t.startswith(LESSON_HEAD))
    assert "**" not in lesson
    for piece in bold_in(source):
        assert f"*{piece.strip()}*" in lesson


async def test_the_web_chat_gets_safe_html_beside_the_text(ayo: App) -> None:
    dimas = await nip_of(ayo, "Dimas Prasetyo")
    got = await say(ayo, dimas, "belajar")
    lesson = next(m for m in got if m.text.startswith(LESSON_HEAD))
    shown = lesson.to_json()
    assert shown["text"] == lesson.text  # as written, for clients that render it themselves
    for piece in bold_in(lesson.text):
        assert f"<strong>{html.escape(piece)}</strong>" in shown["html"]
    assert "**" not in shown["html"]
