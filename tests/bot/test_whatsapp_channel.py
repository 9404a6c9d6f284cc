"""WhatsApp end to end: signed webhooks → engine → sender → fake Graph API (pywa client)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import FixedClock
from core.messages import Button, Reply
from core.outbox import enqueue_reply
from core.settings import Settings
from core.storage.models import ChatAccount, HeldMessage, InboxItem, OutboxItem
from core.text import T
from tests.support.channel_rig import (
    TEMPLATE,
    WA_VERIFY,
    Rig,
    channel_rig,
    demo_people,
    phone_of,
)
from tests.support.fake_whatsapp import (
    wa_button_reply_update,
    wa_list_reply_update,
    wa_message_update,
    wa_status_update,
    wa_text_update,
)

STRANGER = "6289900000001"


@pytest.fixture
async def people(settings: Settings, clock: FixedClock) -> AsyncIterator[tuple[Rig, str, str]]:
    """A rig whose fake knows Dimas's phone; returns (rig, nip, phone)."""
    async with channel_rig(settings, clock) as rig:
        nip = (await demo_people(rig.ayo))["Dimas Prasetyo"]["nip"]
        phone = await phone_of(rig.ayo, nip)
        rig.wa.add_recipient(phone, STRANGER)
        yield rig, nip, phone


async def link(rig: Rig, nip: str, phone: str) -> None:
    code = await rig.link_code(nip)
    await rig.whatsapp(wa_text_update(phone, code.lower(), wamid="wamid.link"))
    await rig.settle()


def bodies(rig: Rig, phone: str) -> list[dict]:
    return rig.wa.sent(phone)


async def test_bad_or_missing_signature_is_401_and_touches_nothing(
    people: tuple[Rig, str, str],
) -> None:
    rig, _, phone = people
    update = wa_text_update(phone, "halo")
    assert (await rig.whatsapp(update, secret="another-secret")).status_code == 401
    assert (await rig.whatsapp(update, secret=None)).status_code == 401
    assert (await rig.whatsapp(b"x" * (70 * 1024))).status_code == 413
    assert (await rig.whatsapp(b"not json")).status_code == 400
    assert await rig.inbox_count() == 0


async def test_verification_handshake_echoes_challenge_only_for_our_token(
    people: tuple[Rig, str, str],
) -> None:
    rig, _, _ = people
    ok = {"hub.mode": "subscribe", "hub.verify_token": WA_VERIFY, "hub.challenge": "1158201444"}
    good = await rig.web.get("/whatsapp/webhook", params=ok)
    bad = await rig.web.get("/whatsapp/webhook", params={**ok, "hub.verify_token": "nope"})
    assert (good.status_code, good.text) == (200, "1158201444")
    assert bad.status_code == 403


async def test_unknown_number_gets_how_to_link_in_both_languages(
    people: tuple[Rig, str, str],
) -> None:
    rig, _, _ = people
    await rig.whatsapp(wa_text_update(STRANGER, "halo"))
    await rig.settle()
    [sent] = bodies(rig, STRANGER)
    assert "kode penghubung" in sent["text"]["body"] and "link code" in sent["text"]["body"]


async def test_code_from_the_number_on_file_links_and_a_redelivery_does_nothing(
    people: tuple[Rig, str, str],
) -> None:
    rig, nip, phone = people
    code = await rig.link_code(nip)
    update = wa_text_update(phone, code, wamid="wamid.one")
    assert (await rig.whatsapp(update)).status_code == 200
    assert (await rig.whatsapp(update)).status_code == 200
    await rig.settle()
    [welcome] = bodies(rig, phone)
    assert "Selamat datang, Dimas" in welcome["text"]["body"]


async def test_code_from_another_number_does_not_link(people: tuple[Rig, str, str]) -> None:
    rig, nip, _ = people
    code = await rig.link_code(nip)
    await rig.whatsapp(wa_text_update(STRANGER, code))
    await rig.settle()
    [sent] = bodies(rig, STRANGER)
    assert "tidak sama dengan nomor" in sent["text"]["body"]
    async with rig.ayo.db.sessions() as session:
        account = (await session.execute(select(ChatAccount))).scalar_one()
    assert account.employee_id is None


async def test_menu_uses_a_list_and_a_list_reply_presses_the_row(
    people: tuple[Rig, str, str],
) -> None:
    rig, nip, phone = people
    await link(rig, nip, phone)
    await rig.whatsapp(wa_text_update(phone, "menu", wamid="wamid.menu"))
    await rig.settle()
    menu = bodies(rig, phone)[-1]["interactive"]
    assert menu["type"] == "list"
    rows = menu["action"]["sections"][0]["rows"]
    assert 4 <= len(rows) <= 10 and all(len(r["title"]) <= 24 for r in rows)
    help_row = rows[-1]
    await rig.whatsapp(wa_list_reply_update(phone, help_row["id"], help_row["title"],
                                            wamid="wamid.pick"))  # fmt: skip
    await rig.settle()
    async with rig.ayo.db.sessions() as session:
        item = (
            await session.execute(select(InboxItem).where(InboxItem.external_key == "wamid.pick"))
        ).scalar_one()
    assert (item.kind, item.button_token, item.status) == ("button", help_row["id"], "processed")
    assert len(bodies(rig, phone)) == 3


async def test_three_choices_are_reply_buttons_and_a_tap_is_a_press(
    people: tuple[Rig, str, str],
) -> None:
    rig, nip, phone = people
    await link(rig, nip, phone)
    channel = rig.ayo.channels["whatsapp"]
    reply = Reply(T("Pilih:", "Choose:"), tuple(Button(T(f"Opsi {n}", "x"), f"t{n}")
                                               for n in range(3)))  # fmt: skip
    await channel.send(phone, reply, language="id")
    buttons = bodies(rig, phone)[-1]["interactive"]["action"]["buttons"]
    assert [b["reply"] for b in buttons] == [
        {"id": "t0", "title": "Opsi 0"}, {"id": "t1", "title": "Opsi 1"},
        {"id": "t2", "title": "Opsi 2"},
    ]  # fmt: skip
    await rig.whatsapp(wa_button_reply_update(phone, "t1", "Opsi 1", wamid="wamid.tap"))
    await rig.settle()
    async with rig.ayo.db.sessions() as session:
        item = (
            await session.execute(select(InboxItem).where(InboxItem.external_key == "wamid.tap"))
        ).scalar_one()
    assert item.button_token == "t1"


async def test_more_than_ten_choices_become_a_numbered_menu_answered_by_number(
    people: tuple[Rig, str, str],
) -> None:
    rig, nip, phone = people
    await link(rig, nip, phone)
    buttons = tuple(Button(T(f"Layanan {n}", "x"), f"tok{n}") for n in range(1, 13))
    async with rig.ayo.db.transaction() as session:
        account = (
            await session.execute(select(ChatAccount).where(ChatAccount.external_id == phone))
        ).scalar_one()
        enqueue_reply(session, account, Reply(T("Pilih layanan:", "x"), buttons),
                      now=rig.clock(), key="menu12")  # fmt: skip
    await rig.settle()
    text = bodies(rig, phone)[-1]["text"]["body"]
    assert "12. Layanan 12" in text and "Balas dengan angka: 1, 2" in text
    await rig.whatsapp(wa_text_update(phone, "2", wamid="wamid.two"))
    await rig.settle()
    async with rig.ayo.db.sessions() as session:
        item = (
            await session.execute(select(InboxItem).where(InboxItem.external_key == "wamid.two"))
        ).scalar_one()
    assert (item.kind, item.button_token, item.meta["menu_choice"]) == ("button", "tok2", 2)


async def test_outside_the_window_a_push_is_a_template_and_a_reply_releases_it(
    people: tuple[Rig, str, str],
) -> None:
    rig, nip, phone = people
    await link(rig, nip, phone)
    rig.clock.advance(timedelta(hours=25))
    channel = rig.ayo.channels["whatsapp"]
    prompt = Reply(T("Permohonan cuti menunggu persetujuan Anda", "x"),
                   (Button(T("Setuju", "Approve"), "okTok"),), template="approval")  # fmt: skip
    await channel.send(phone, prompt, language="id")
    template = bodies(rig, phone)[-1]
    assert template["type"] == "template" and template["template"]["name"] == TEMPLATE
    assert template["template"]["components"][0]["parameters"][0]["text"] == (
        "Permohonan cuti menunggu persetujuan Anda"
    )
    tap = wa_message_update(phone, {"type": "button",
                                    "button": {"payload": "Lanjutkan", "text": "Lanjutkan"}},
                            wamid="wamid.continue")  # fmt: skip
    await rig.whatsapp(tap)
    await rig.whatsapp(tap)
    await rig.settle()
    released = bodies(rig, phone)[-1]
    assert released["interactive"]["action"]["buttons"][0]["reply"]["id"] == "okTok"
    assert len(bodies(rig, phone)) == 3  # welcome, template, the prompt once
    async with rig.ayo.db.sessions() as session:
        held = (await session.execute(select(HeldMessage))).scalar_one()
    assert held.released_at is not None


async def test_outside_the_window_without_a_template_the_message_is_refused(
    people: tuple[Rig, str, str],
) -> None:
    rig, nip, phone = people
    await link(rig, nip, phone)
    rig.clock.advance(timedelta(days=2))
    rig.ayo.channels["whatsapp"].templates = {}
    async with rig.ayo.db.transaction() as session:
        account = (
            await session.execute(select(ChatAccount).where(ChatAccount.external_id == phone))
        ).scalar_one()
        enqueue_reply(session, account, Reply(T("Pengingat", "x")), now=rig.clock(), key="p")
    await rig.settle()
    async with rig.ayo.db.sessions() as session:
        item = (await session.execute(select(OutboxItem).where(OutboxItem.idempotency_key == "p"))
                ).scalar_one()  # fmt: skip
    assert item.status == "failed" and "no template" in item.last_error
    assert len(bodies(rig, phone)) == 1


async def test_statuses_are_acknowledged_and_failures_noted_on_the_outbox(
    people: tuple[Rig, str, str],
) -> None:
    rig, nip, phone = people
    await link(rig, nip, phone)
    async with rig.ayo.db.sessions() as session:
        welcome = (await session.execute(select(OutboxItem))).scalar_one()
    delivered = await rig.whatsapp(wa_status_update(phone, welcome.external_ref, "delivered"))
    failed = await rig.whatsapp(wa_status_update(phone, welcome.external_ref, "failed"))
    await rig.settle()
    assert (delivered.status_code, failed.status_code) == (200, 200)
    async with rig.ayo.db.sessions() as session:
        row = await session.get(OutboxItem, welcome.id)
        count = len(list((await session.execute(select(InboxItem))).scalars()))
    assert row.last_error == "undelivered: 131026"
    assert count == 1  # only the linking message; statuses are not conversation
