"""A whole leave request across channels: the employee on Telegram, the supervisor on WhatsApp."""

from __future__ import annotations

from sqlalchemy import select

from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import ServiceRequest
from tests.support.channel_rig import Rig, channel_rig, demo_people, phone_of
from tests.support.fake_telegram import tg_callback_update, tg_document_update, tg_message_update
from tests.support.fake_whatsapp import (
    wa_button_reply_update,
    wa_document_update,
    wa_text_update,
)

DIMAS = 8880001


def pdf_text(content: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    assert content.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return " ".join(text.split())  # lines wrap where the page ends them


def last_telegram(rig: Rig) -> dict:
    return rig.tg.sent_messages(DIMAS)[-1]


def telegram_button(message: dict, label: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        if row[0]["text"].startswith(label):
            return row[0]["callback_data"]
    raise AssertionError(f"no button {label!r}")


async def test_leave_asked_on_telegram_is_approved_on_whatsapp(
    settings: Settings, clock: FixedClock
) -> None:
    async with channel_rig(settings, clock, tg_chats=(DIMAS,)) as rig:
        people = await demo_people(rig.ayo)
        dimas, sri = people["Dimas Prasetyo"]["nip"], people["Sri Wahyuni"]["nip"]
        budi = people["Budi Santoso"]["nip"]
        sri_phone, budi_phone = await phone_of(rig.ayo, sri), await phone_of(rig.ayo, budi)
        rig.wa.add_recipient(sri_phone, budi_phone)

        async def tell(update_id: int, text: str) -> dict:
            await rig.telegram(tg_message_update(update_id, DIMAS, DIMAS, text))
            await rig.settle()
            return last_telegram(rig)

        await tell(1, f"/start {await rig.link_code(dimas)}")
        await rig.whatsapp(wa_text_update(sri_phone, await rig.link_code(sri), wamid="w.1"))
        await rig.whatsapp(wa_text_update(budi_phone, await rig.link_code(budi), wamid="w.3"))
        await rig.settle()

        assert "keperluan" in (await tell(2, "mau cuti tahunan besok 2 hari"))["text"].lower()
        summary = await tell(3, "acara keluarga")
        assert "Ringkasan" in summary["text"]
        token = telegram_button(summary, "Kirim")
        await rig.telegram(tg_callback_update(4, DIMAS, DIMAS, token, summary["message_id"]))
        await rig.settle()
        assert "CUTI-" in last_telegram(rig)["text"]
        assert len(rig.tg.calls("answerCallbackQuery")) == 1

        prompt = rig.wa.sent(sri_phone)[-1]
        assert "Dimas Prasetyo" in prompt["interactive"]["body"]["text"]
        buttons = prompt["interactive"]["action"]["buttons"]
        approve = next(b["reply"] for b in buttons if b["reply"]["title"].startswith("Setuju"))
        await rig.whatsapp(
            wa_button_reply_update(sri_phone, approve["id"], approve["title"], wamid="w.2")
        )
        await rig.settle()

        assert "pejabat yang berwenang" in rig.wa.sent(sri_phone)[-1]["text"]["body"]
        assert "CUTI-" in last_telegram(rig)["text"]  # not decided yet: nothing new

        # The head of the OPD, the PyBMC by the demo decree, decides on WhatsApp too.
        prompt = rig.wa.sent(budi_phone)[-1]
        assert (
            "Pertimbangan atasan langsung (Sri Wahyuni): Disetujui"
            in (prompt["interactive"]["body"]["text"])
        )
        buttons = prompt["interactive"]["action"]["buttons"]
        approve = next(b["reply"] for b in buttons if b["reply"]["title"].startswith("Setuju"))
        await rig.whatsapp(
            wa_button_reply_update(budi_phone, approve["id"], approve["title"], wamid="w.4")
        )
        await rig.settle()

        assert "disetujui" in rig.wa.sent(budi_phone)[-1]["text"]["body"]
        told = [m.get("text", "") for m in rig.tg.sent_messages(DIMAS)]
        assert any("disetujui" in t for t in told)
        assert any("Surat Izin Cuti" in t for t in told)
        [letter] = rig.tg.documents
        assert (letter["chat_id"], letter["filename"]) == (
            DIMAS,
            "surat-izin-cuti-CUTI-2612-000001.pdf",
        )
        page = pdf_text(letter["content"])
        for expected in (
            "SURAT IZIN CUTI TAHUNAN",
            "Nomor: 800.1.11.4/0001/DISKOMINFO/2026",
            "Dimas Prasetyo",
            dimas,
            "Pranata Komputer Ahli Pertama",
            "Bidang Aplikasi Informatika",
            "selama 2 hari kerja",
            "2 Desember 2026 sampai dengan tanggal 3 Desember 2026",
            "Budi Santoso",
            f"NIP. {budi}",
            "Kepala Dinas",
        ):
            assert expected in page, expected
        async with rig.ayo.db.sessions() as session:
            request = (await session.execute(select(ServiceRequest))).scalar_one()
        assert (request.status, request.days) == ("approved", 2)


SRI_TG, RATNA_TG = 8880002, 8880003


async def test_sick_leave_with_a_photo_from_whatsapp_gets_its_letter_as_a_document(
    settings: Settings, clock: FixedClock
) -> None:
    async with channel_rig(settings, clock, tg_chats=(SRI_TG, RATNA_TG)) as rig:
        people = await demo_people(rig.ayo)
        nurul, sri = people["Nurul Hidayah"]["nip"], people["Sri Wahyuni"]["nip"]
        ratna = people["Ratna Dewi Lestari"]["nip"]
        nurul_phone = await phone_of(rig.ayo, nurul)
        rig.wa.add_recipient(nurul_phone)
        for n, (chat, nip) in enumerate(((SRI_TG, sri), (RATNA_TG, ratna)), start=1):
            code = await rig.link_code(nip)
            await rig.telegram(tg_message_update(n, chat, chat, f"/start {code}"))
        await rig.whatsapp(wa_text_update(nurul_phone, await rig.link_code(nurul), wamid="n.1"))
        await rig.settle()

        async def send(update: dict) -> dict:
            await rig.whatsapp(update)
            await rig.settle()
            return rig.wa.sent(nurul_phone)[-1]

        await send(wa_text_update(nurul_phone, "cuti sakit 14-15 des", wamid="n.2"))
        await send(wa_text_update(nurul_phone, "tipes", wamid="n.3"))
        media_id = rig.wa.add_media(DOCTOR_JPEG, "image/jpeg")
        summary = await send(
            wa_document_update(
                nurul_phone, media_id, mime_type="image/jpeg", image=True, wamid="n.4"
            )
        )
        assert "Lampiran: dokumen terlampir (foto)" in summary["interactive"]["body"]["text"]
        assert rig.wa.downloads == 1
        go = next(
            b["reply"]
            for b in summary["interactive"]["action"]["buttons"]
            if b["reply"]["title"].startswith("Kirim")
        )
        await send(wa_button_reply_update(nurul_phone, go["id"], go["title"], wamid="n.5"))

        prompt = rig.tg.sent_messages(SRI_TG)[-1]
        link = next(w for w in prompt["text"].split() if "/documents/" in w)
        opened = await rig.web.get(link.removeprefix("http://127.0.0.1:8080"))
        assert (opened.status_code, opened.content) == (200, DOCTOR_JPEG)

        for n, chat in enumerate((SRI_TG, RATNA_TG), start=10):
            prompt = rig.tg.sent_messages(chat)[-1]
            token = telegram_button(prompt, "Setuju")
            await rig.telegram(tg_callback_update(n, chat, chat, token, prompt["message_id"]))
            await rig.settle()

        documents = [m for m in rig.wa.sent(nurul_phone) if m.get("type") == "document"]
        assert len(documents) == 1
        sent = documents[0]["document"]
        assert sent["filename"] == "surat-izin-cuti-CUTI-2612-000001.pdf"
        uploaded = rig.wa.media[sent["id"]]
        assert uploaded["mime"] == "application/pdf"
        page = pdf_text(uploaded["content"])
        for expected in (
            "SURAT IZIN CUTI SAKIT",
            "Nomor: 800.1.11.4/0001/DISKOMINFO/2026",
            "Nurul Hidayah",
            nurul,
            "selama 2 hari kerja",
            "14 Desember 2026 sampai dengan tanggal 15 Desember 2026",
            f"NIP. {ratna}",
        ):
            assert expected in page, expected


DOCTOR_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOCTOR_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"


async def test_sick_leave_with_a_doctors_letter_from_telegram_to_the_signed_letter(
    settings: Settings, clock: FixedClock
) -> None:
    async with channel_rig(settings, clock, tg_chats=(DIMAS,)) as rig:
        people = await demo_people(rig.ayo)
        dimas, sri = people["Dimas Prasetyo"]["nip"], people["Sri Wahyuni"]["nip"]
        ratna = people["Ratna Dewi Lestari"]["nip"]  # grants sick leave (demo decree)
        sri_phone, ratna_phone = await phone_of(rig.ayo, sri), await phone_of(rig.ayo, ratna)
        rig.wa.add_recipient(sri_phone, ratna_phone)
        await rig.telegram(
            tg_message_update(1, DIMAS, DIMAS, f"/start {await rig.link_code(dimas)}")
        )
        for n, (phone, nip) in enumerate(((sri_phone, sri), (ratna_phone, ratna))):
            await rig.whatsapp(wa_text_update(phone, await rig.link_code(nip), wamid=f"s.{n}"))
        await rig.settle()

        async def tell(update: dict) -> dict:
            await rig.telegram(update)
            await rig.settle()
            return last_telegram(rig)

        await tell(tg_message_update(2, DIMAS, DIMAS, "cuti sakit besok 2 hari"))
        asked = await tell(tg_message_update(3, DIMAS, DIMAS, "demam tinggi"))
        assert "foto atau PDF" in asked["text"]
        file_id = rig.tg.add_file(DOCTOR_PDF)
        summary = await tell(tg_document_update(4, DIMAS, file_id, file_size=len(DOCTOR_PDF)))
        assert "Lampiran: dokumen terlampir (PDF)" in summary["text"]
        assert rig.tg.downloads == 1
        token = telegram_button(summary, "Kirim")
        await rig.telegram(tg_callback_update(5, DIMAS, DIMAS, token, summary["message_id"]))
        await rig.settle()

        prompt = rig.wa.sent(sri_phone)[-1]["interactive"]["body"]["text"]
        link = next(w for w in prompt.split() if "/documents/" in w)
        assert link.startswith("http://127.0.0.1:8080/documents/")
        path = link.removeprefix("http://127.0.0.1:8080")
        opened = await rig.web.get(path)
        assert (opened.status_code, opened.content) == (200, DOCTOR_PDF)
        assert opened.headers["content-type"] == "application/pdf"
        forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
        assert (await rig.web.get(forged)).status_code == 403

        for n, phone in enumerate((sri_phone, ratna_phone), start=10):
            body = rig.wa.sent(phone)[-1]["interactive"]
            approve = next(
                b["reply"] for b in body["action"]["buttons"] if b["reply"]["title"] == "Setuju"
            )
            await rig.whatsapp(
                wa_button_reply_update(phone, approve["id"], approve["title"], wamid=f"s.{n}")
            )
            await rig.settle()

        [letter] = rig.tg.documents
        page = pdf_text(letter["content"])
        assert "SURAT IZIN CUTI SAKIT" in page
        assert "Ratna Dewi Lestari" in page and f"NIP. {ratna}" in page
        assert "Sekretaris Dinas" in page
