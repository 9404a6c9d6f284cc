"""The web chat keeps its place: history, the pending question and resends, from the server.

Through the real HTTP app (`create_web`) with a fixed clock, so every time is written here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from bot.web.app import create_web
from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import InboxItem, OutboxItem
from tests.support.channel_rig import Rig, channel_rig, demo_people

DIMAS = "199402172019031005"
MENU = [
    "Ajukan cuti",
    "Ajukan izin",
    "Sisa cuti",
    "Slip gaji",
    "Lapor masalah IT",
    "Status pengajuan",
    "Materi hari ini",
    "Progres belajar",
]
HINT = "\n(ketik kembali untuk mundur, batal untuk berhenti)"
ASK_DATES = "Permohonan cuti\nTanggal berapa? Contoh: 12-14 des, atau besok 2 hari." + HINT
ASK_PURPOSE = "Apa keperluan cutinya? (singkat saja)" + HINT


@pytest.fixture
async def rig(settings: Settings, clock: FixedClock) -> AsyncIterator[Rig]:
    async with channel_rig(settings, clock) as rig:
        yield rig


@asynccontextmanager
async def browser(rig: Rig, nip: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of its own that picked `nip` in the demo picker (cookie and CSRF token)."""
    transport = httpx.ASGITransport(app=create_web(rig.ayo))
    async with httpx.AsyncClient(transport=transport, base_url="http://ayo.test") as client:
        assert (await client.post("/api/local/login/demo", json={"nip": nip})).status_code == 200
        client.headers["X-CSRF-Token"] = (await client.get("/api/local/session")).json()["csrf"]
        yield client


async def say(web: httpx.AsyncClient, **body: str) -> dict:
    answer = await web.post("/api/local/me/messages", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def rows(history: dict) -> list[tuple[str, str, str]]:
    return [(m["from"], m["text"], m["at"]) for m in history["messages"]]


def labels(message: dict) -> list[str]:
    return [b["label"] for b in message["buttons"]]


async def count(rig: Rig, model: type) -> int:
    async with rig.ayo.db.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_picking_an_employee_greets_them_with_the_menu(rig: Rig) -> None:
    async with browser(rig, DIMAS) as web:
        waiting = (await web.get("/api/local/me/messages")).json()["messages"]
    assert [m["text"] for m in waiting] == ["Selamat pagi, Dimas! Apa yang bisa saya bantu?"]
    assert labels(waiting[0]) == MENU
    assert waiting[0]["at"] == "2026-12-01T09:00:00+07:00"  # 02:00 UTC in Asia/Jakarta


async def test_history_comes_back_both_ways_with_times_per_employee(
    rig: Rig, clock: FixedClock
) -> None:
    async with browser(rig, DIMAS) as web:
        clock.advance(timedelta(minutes=1))
        await say(web, text="mau cuti tahunan", client_id="c-1")
        clock.advance(timedelta(minutes=1, seconds=30))
        await say(web, text="besok 2 hari", client_id="c-2")
        # The page was reloaded: the server still has the whole conversation.
        history = (await web.get("/api/local/me/history")).json()
        async with browser(rig, (await demo_people(rig.ayo))["Nurul Hidayah"]["nip"]) as nurul:
            hers = (await nurul.get("/api/local/me/history")).json()
    greeting = "Selamat pagi, Dimas! Apa yang bisa saya bantu?"
    assert rows(history) == [
        ("bot", greeting, "2026-12-01T09:00:00+07:00"),
        ("me", "mau cuti tahunan", "2026-12-01T09:01:00+07:00"),
        ("bot", ASK_DATES, "2026-12-01T09:01:00+07:00"),
        ("me", "besok 2 hari", "2026-12-01T09:02:30+07:00"),
        ("bot", ASK_PURPOSE, "2026-12-01T09:02:30+07:00"),
    ]
    assert [m.get("client_id") for m in history["messages"] if m["from"] == "me"] == [
        "c-1",
        "c-2",
    ]
    assert history["older"] is None and history["today"] == "2026-12-01"
    # The open form's question waits for an answer; the menu Dimas typed past does not.
    assert [(m["text"], m["buttons"]) for m in history["pending"]] == [(ASK_PURPOSE, [])]
    # Nurul's history holds her own greeting only.
    assert [m["text"] for m in hers["messages"]] == [
        "Selamat pagi, Nurul! Apa yang bisa saya bantu?"
    ]


async def test_history_pages_back_without_gaps_or_repeats(rig: Rig) -> None:
    async with browser(rig, DIMAS) as web:
        # All at one instant of the fixed clock: the order must still be exact.
        for n in range(5):
            await say(web, text=f"halo {n}")
        first = (await web.get("/api/local/me/history", params={"limit": 4})).json()
        pages = [first["messages"]]
        older = first["older"]
        while older is not None:
            got = (
                await web.get("/api/local/me/history", params={"limit": 4, "before": older})
            ).json()
            pages.insert(0, got["messages"])
            older = got["older"]
        everything = (await web.get("/api/local/me/history")).json()["messages"]
        bad = await web.get("/api/local/me/history", params={"before": "not-a-cursor"})
    assert [len(p) for p in pages] == [3, 4, 4]
    assert [m for p in pages for m in p] == everything
    said = [m["text"] for m in everything if m["from"] == "me"]
    assert said == ["halo 0", "halo 1", "halo 2", "halo 3", "halo 4"]
    # Greeting first, then each message directly followed by its answer.
    assert [m["from"] for m in everything] == ["bot"] + ["me", "bot"] * 5
    assert [m["in_reply_to"] for m in everything if m["from"] == "bot"] == [
        None,
        *[m["id"] for m in everything if m["from"] == "me"],
    ]
    assert bad.status_code == 422


async def test_the_pending_question_keeps_its_working_buttons(rig: Rig) -> None:
    async with browser(rig, DIMAS) as web:
        for text in ("mau cuti tahunan", "besok 2 hari", "urusan keluarga"):
            await say(web, text=text)
        before = (await web.get("/api/local/me/history")).json()
        (confirm,) = before["pending"]
        assert confirm["text"].endswith("Kirim permohonan ini?")
        assert labels(confirm) == ["Kirim", "Ubah", "Batal"]
        assert all(b["token"] for b in confirm["buttons"])
        assert confirm == before["messages"][-1]
        # The old menu's buttons still work; they are shown where the menu stands.
        assert all(b["token"] for b in before["messages"][0]["buttons"])
        sent = await say(web, button=confirm["buttons"][0]["token"])
        after = (await web.get("/api/local/me/history")).json()
    assert "Kirim permohonan ini?" not in sent["messages"][0]["text"]
    pressed = next(m for m in after["messages"] if m["id"] == confirm["id"])
    assert [b["token"] for b in pressed["buttons"]] == [None, None, None]
    assert confirm["id"] not in [m["id"] for m in after["pending"]]
    # The press shows as the label Dimas pressed.
    assert after["messages"][-len(sent["messages"]) - 1]["text"] == "Kirim"


async def test_an_approval_prompt_delivered_while_away_comes_back(
    rig: Rig, clock: FixedClock
) -> None:
    people = await demo_people(rig.ayo)
    async with browser(rig, people["Sri Wahyuni"]["nip"]) as sri:
        (await sri.get("/api/local/me/messages")).json()  # her greeting, then she is away
        clock.advance(timedelta(minutes=5))
        async with browser(rig, DIMAS) as dimas:
            for text in ("mau cuti tahunan", "besok 2 hari", "urusan keluarga"):
                await say(dimas, text=text)
            confirm = (await dimas.get("/api/local/me/history")).json()["pending"][0]
            await say(dimas, button=confirm["buttons"][0]["token"])
        # Sri's page was closed; she opens it again.
        history = (await sri.get("/api/local/me/history")).json()
        # Her greeting's menu is unanswered too: she has not said anything since.
        greeting, prompt = history["pending"]
        assert greeting["text"] == "Selamat pagi, Sri! Apa yang bisa saya bantu?"
        assert "Dimas Prasetyo" in prompt["text"] and prompt["in_reply_to"] is None
        assert prompt["buttons"] and all(b["token"] for b in prompt["buttons"])
        assert prompt == history["messages"][-1]
        await say(sri, button=prompt["buttons"][0]["token"])
        later = (await sri.get("/api/local/me/history")).json()
    assert [m["id"] for m in later["pending"]] == []


async def test_a_retried_send_is_processed_once_and_gets_its_answer_back(rig: Rig) -> None:
    async with browser(rig, DIMAS) as web:
        await web.get("/api/local/me/messages")
        first = await say(web, text="mau cuti tahunan", client_id="retry-1")
        inbox, outbox = await count(rig, InboxItem), await count(rig, OutboxItem)
        # The first answer was lost on a slow connection; the page sends it again.
        again = await say(web, text="mau cuti tahunan", client_id="retry-1")
        history = (await web.get("/api/local/me/history")).json()
    assert first["sent"]["duplicate"] is False and again["sent"]["duplicate"] is True
    assert again["sent"]["id"] == first["sent"]["id"]
    assert again["sent"]["at"] == first["sent"]["at"] == "2026-12-01T09:00:00+07:00"
    assert [m["text"] for m in first["messages"]] == [ASK_DATES]
    assert again["messages"] == first["messages"]
    assert (await count(rig, InboxItem), await count(rig, OutboxItem)) == (inbox, outbox)
    assert [m["text"] for m in history["messages"] if m["from"] == "me"] == ["mau cuti tahunan"]
    # Still at the first question: the resend did not answer it.
    assert [m["text"] for m in history["pending"]] == [ASK_DATES]
