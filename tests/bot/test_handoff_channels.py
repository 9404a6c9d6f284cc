"""A case across real channels: the employee on WhatsApp, the operator working from Telegram.

The real PTB and pywa clients talk to the loopback fakes; the operator takes the case with the
Ambil button, replies are relayed both ways, and a reply after WhatsApp's 24-hour window goes
as the approved template that reopens the conversation.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import HandoffCase
from tests.support.channel_rig import TEMPLATE, Rig, channel_rig, demo_people, phone_of
from tests.support.fake_telegram import tg_callback_update, tg_message_update
from tests.support.fake_whatsapp import wa_text_update

WULAN_CHAT = 7770001


def telegram_button(message: dict, label: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for button in row:
            if button["text"] == label:
                return button["callback_data"]
    raise AssertionError(f"no button {label!r} in {message}")


def whatsapp_texts(rig: Rig, phone: str) -> list[str]:
    texts = []
    for body in rig.wa.sent(phone):
        if body["type"] == "text":
            texts.append(body["text"]["body"])
        elif body["type"] == "interactive":
            texts.append(body["interactive"]["body"]["text"])
        else:
            texts.append("TEMPLATE " + body["template"]["name"])
    return texts


async def test_an_operator_on_telegram_answers_an_employee_on_whatsapp(
    settings: Settings, clock: FixedClock
) -> None:
    async with channel_rig(settings, clock, tg_chats=(WULAN_CHAT,)) as rig:
        people = await demo_people(rig.ayo)
        dimas, wulan = people["Dimas Prasetyo"]["nip"], people["Wulan Sari"]["nip"]
        phone = await phone_of(rig.ayo, dimas)
        rig.wa.add_recipient(phone)
        wamid = iter(f"wamid.{n}" for n in range(100))

        async def employee(text: str) -> None:
            await rig.whatsapp(wa_text_update(phone, text, wamid=next(wamid)))
            await rig.settle()

        async def operator(update_id: int, text: str) -> dict:
            await rig.telegram(tg_message_update(update_id, WULAN_CHAT, WULAN_CHAT, text))
            await rig.settle()
            return rig.tg.sent_messages(WULAN_CHAT)[-1]

        await operator(1, f"/start {await rig.link_code(wulan)}")
        await employee(await rig.link_code(dimas))
        await employee("mau bicara dengan petugas kepegawaian")
        assert "Nomor kasus Anda: PTG-2612-000001" in whatsapp_texts(rig, phone)[-1]

        offer = rig.tg.sent_messages(WULAN_CHAT)[-1]
        assert "Kasus baru PTG-2612-000001" in offer["text"]
        assert "Dimas Prasetyo" in offer["text"]
        token = telegram_button(offer, "Ambil")
        await rig.telegram(
            tg_callback_update(2, WULAN_CHAT, WULAN_CHAT, token, offer["message_id"])
        )
        await rig.settle()
        assert (
            "Anda menangani kasus PTG-2612-000001" in rig.tg.sent_messages(WULAN_CHAT)[-1]["text"]
        )
        assert "Wulan dari Layanan Kepegawaian BKPSDM" in whatsapp_texts(rig, phone)[-1]

        await operator(3, "Boleh kirim nomor SK lama Bapak?")
        assert whatsapp_texts(rig, phone)[-1] == (
            "👤 Wulan (PTG-2612-000001): Boleh kirim nomor SK lama Bapak?"
        )
        await employee("nomornya 800/123/BKPSDM")
        relayed = rig.tg.sent_messages(WULAN_CHAT)[-1]["text"]
        assert relayed.startswith("💬 PTG-2612-000001 · Dimas:")

        # A day later WhatsApp's window is closed: the reply goes as the template, whose one
        # parameter carries the whole (short) reply.
        clock.advance(timedelta(hours=25))
        await operator(4, "SK baru sudah terbit, silakan ambil di BKPSDM.")
        template = rig.wa.sent(phone)[-1]
        assert template["template"]["name"] == TEMPLATE
        assert template["template"]["components"][0]["parameters"][0]["text"] == (
            "👤 Wulan (PTG-2612-000001): SK baru sudah terbit, silakan ambil di BKPSDM."
        )
        await employee("baik bu")
        assert "baik bu" in rig.tg.sent_messages(WULAN_CHAT)[-1]["text"]

        done = await operator(5, "tutup SK diambil langsung")
        assert "Kasus PTG-2612-000001 ditutup" in done["text"]
        closing = rig.wa.sent(phone)[-1]
        assert "Catatan petugas: SK diambil langsung" in closing["interactive"]["body"]["text"]
        async with rig.ayo.db.sessions() as session:
            case = (await session.execute(select(HandoffCase))).scalar_one()
        assert (case.status, case.operator_via, case.channel) == ("closed", "chat", "whatsapp")
