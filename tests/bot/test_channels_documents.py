"""Files sent on the channels: refused with a clear message, kept only when asked for, never
logged, and opened only by the people the link was made for."""

from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy import select

from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import Employee, StoredDocument
from tests.support.channel_rig import channel_rig, demo_people
from tests.support.fake_telegram import tg_document_update, tg_message_update

DIMAS = 8880011
PDF = b"%PDF-1.4\n%%EOF\n"


async def test_telegram_files_refused_or_not_asked_for_are_not_kept_nor_logged(
    settings: Settings, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with channel_rig(settings, clock, tg_chats=(DIMAS,)) as rig:
        dimas = (await demo_people(rig.ayo))["Dimas Prasetyo"]["nip"]

        async def tell(update: dict) -> str:
            await rig.telegram(update)
            await rig.settle()
            return rig.tg.sent_messages(DIMAS)[-1]["text"]

        await tell(tg_message_update(1, DIMAS, DIMAS, f"/start {await rig.link_code(dimas)}"))
        file_id = rig.tg.add_file(PDF)
        not_asked = await tell(tg_document_update(2, DIMAS, file_id, file_size=len(PDF)))
        assert "tidak ada permohonan yang menunggu dokumen" in not_asked

        await tell(tg_message_update(3, DIMAS, DIMAS, "cuti sakit besok 2 hari"))
        await tell(tg_message_update(4, DIMAS, DIMAS, "demam tinggi"))
        big = await tell(tg_document_update(5, DIMAS, file_id, file_size=6 * 1024 * 1024))
        assert big.startswith("Maaf, berkasnya terlalu besar (maksimal 5 MB).")
        word = await tell(
            tg_document_update(
                6, DIMAS, file_id, file_size=20_000, mime_type="application/msword",
                file_name="surat-dokter.doc",
            )
        )  # fmt: skip
        assert word == "Maaf, jenis berkas itu tidak diterima. Kirim sebagai PDF, JPG, PNG."
        assert rig.tg.downloads == 0  # refused before anything was fetched

        async with rig.ayo.db.sessions() as session:
            assert (await session.execute(select(StoredDocument))).first() is None
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "surat-dokter" not in logged and "%PDF" not in logged


async def test_a_link_opens_only_for_an_approver_of_the_request(
    settings: Settings, clock: FixedClock
) -> None:
    async with channel_rig(settings, clock) as rig:
        store = rig.ayo.deps.documents
        async with rig.ayo.db.transaction() as session:
            people = {e.name: e.id for e in (await session.execute(select(Employee))).scalars()}
            doc = await store.save(
                session, PDF, kind="doctor_letter", owner_id=people["Dimas Prasetyo"],
                source="test", now=clock(),
            )  # fmt: skip
        # A colleague with a correctly signed link is still no approver of anything here.
        colleague = store.link(doc, people["Nurul Hidayah"], clock())
        assert (await rig.web.get(colleague)).status_code == 403
        assert "Tautan ini tidak berlaku" in (await rig.web.get(colleague)).text
        owner = store.link(doc, people["Dimas Prasetyo"], clock())
        assert (await rig.web.get(owner)).content == PDF
        hr = store.link(doc, people["Wulan Sari"], clock())
        assert (await rig.web.get(hr)).status_code == 200


async def test_the_web_chat_upload_attaches_a_letter_and_the_leave_letter_downloads(
    settings: Settings, clock: FixedClock
) -> None:
    async with channel_rig(settings, clock) as rig:
        web = rig.web
        users = {name: row["nip"] for name, row in (await demo_people(rig.ayo)).items()}
        dimas, sri, ratna = (
            users["Dimas Prasetyo"], users["Sri Wahyuni"], users["Ratna Dewi Lestari"]
        )  # fmt: skip

        sessions: dict[str, httpx.AsyncClient] = {}

        async def as_(nip: str) -> httpx.AsyncClient:
            """A browser that picked `nip` in the demo picker (its own cookie and CSRF)."""
            if nip not in sessions:
                client = httpx.AsyncClient(transport=web._transport, base_url="http://ayo.test")
                assert (await client.post("/api/local/login/demo", json={"nip": nip})).is_success
                csrf = (await client.get("/api/local/session")).json()["csrf"]
                client.headers["X-CSRF-Token"] = csrf
                sessions[nip] = client
            return sessions[nip]

        async def say(nip: str, **body) -> list[dict]:
            client = await as_(nip)
            return (await client.post("/api/local/me/messages", json=body)).json()["messages"]

        def button(messages: list[dict], label: str) -> str:
            return next(b["token"] for m in messages for b in m["buttons"] if b["label"] == label)

        await say(dimas, text="cuti sakit besok 2 hari")
        await say(dimas, text="demam tinggi")
        refused = await (await as_(dimas)).post(
            "/api/local/me/files",
            files={"file": ("surat.docx", b"PK\x03\x04x", "text/plain")},
        )
        assert refused.json()["messages"][0]["text"].startswith(
            "Maaf, jenis berkas itu tidak diterima."
        )
        summary = (
            await (await as_(dimas)).post(
                "/api/local/me/files", files={"file": ("surat.pdf", PDF, "application/pdf")}
            )
        ).json()["messages"]
        assert "Lampiran: dokumen terlampir (PDF)" in summary[-1]["text"]
        await say(dimas, button=button(summary, "Kirim"))
        for approver in (sri, ratna):
            prompt = (await (await as_(approver)).get("/api/local/me/messages")).json()["messages"]
            assert any("/documents/" in m["text"] for m in prompt)  # after the greeting on pick
            await say(approver, button=button(prompt, "Setuju"))
        told = (await (await as_(dimas)).get("/api/local/me/messages")).json()["messages"]
        [letter] = [m["attachment"] for m in told if m.get("attachment")]
        assert letter["filename"] == "surat-izin-cuti-CUTI-2612-000001.pdf"
        got = await (await as_(dimas)).get(letter["url"])
        assert got.status_code == 200 and got.content.startswith(b"%PDF-")
        # Another employee's session asking for the same letter is no way in, nor is nobody.
        assert (await (await as_(sri)).get(letter["url"])).status_code == 404
        assert (await web.get(letter["url"])).status_code == 401
        for client in sessions.values():
            await client.aclose()
