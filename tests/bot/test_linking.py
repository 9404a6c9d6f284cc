"""Linking a chat to an employee: right, wrong, expired codes, lockout, unlink, both channels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.linking.cli import make_link_code, unlink_nip
from bot.linking.codes import looks_like_code, normalise_phone
from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import ChatAccount
from tests.support.channel_rig import Rig, channel_rig, demo_people, phone_of
from tests.support.fake_telegram import tg_message_update
from tests.support.fake_whatsapp import wa_text_update

CHAT = 7770001


@pytest.fixture
async def rig(settings: Settings, clock: FixedClock) -> AsyncIterator[Rig]:
    async with channel_rig(settings, clock, tg_chats=(CHAT,)) as rig:
        yield rig


async def say(rig: Rig, update_id: int, text: str) -> str:
    await rig.telegram(tg_message_update(update_id, CHAT, CHAT, text))
    await rig.settle()
    return rig.tg.sent_messages(CHAT)[-1]["text"]


async def linked_employee(rig: Rig, channel: str = "telegram") -> int | None:
    async with rig.ayo.db.sessions() as session:
        account = (
            await session.execute(select(ChatAccount).where(ChatAccount.channel == channel))
        ).scalar()
    return account.employee_id if account else None


async def nip(rig: Rig) -> str:
    return (await demo_people(rig.ayo))["Dimas Prasetyo"]["nip"]


def test_codes_mix_letters_and_digits_and_phones_compare_as_whatsapp_writes_them() -> None:
    assert looks_like_code("k7p2-qx9m") and not looks_like_code("terimaka")
    assert normalise_phone("0812-0000-0001") == normalise_phone("+62 812 0000 0001")


async def test_right_code_links_and_is_single_use(rig: Rig) -> None:
    code = await rig.link_code(await nip(rig))
    assert "Selamat datang" in await say(rig, 1, f"/start {code}")
    assert await linked_employee(rig) is not None
    assert await unlink_nip(rig.ayo.db, await nip(rig), "telegram") == 1
    assert "tidak dikenali atau sudah dipakai" in await say(rig, 2, f"/start {code}")
    assert await linked_employee(rig) is None


async def test_wrong_code_is_refused(rig: Rig) -> None:
    assert "tidak dikenali" in await say(rig, 1, "/start ABCD2345")
    assert await linked_employee(rig) is None


async def test_expired_code_is_refused(rig: Rig) -> None:
    code, _, _ = await make_link_code(rig.ayo.db, await nip(rig), rig.clock(), timedelta(hours=1))
    rig.clock.advance(timedelta(hours=2))
    assert "kedaluwarsa" in await say(rig, 1, f"/start {code}")
    assert await linked_employee(rig) is None


async def test_five_wrong_codes_in_an_hour_lock_linking_for_that_chat(rig: Rig) -> None:
    for n in range(5):
        await say(rig, n + 1, f"/start WRONG{n}X2")
    code = await rig.link_code(await nip(rig))
    assert "Terlalu banyak percobaan" in await say(rig, 10, f"/start {code}")
    assert await linked_employee(rig) is None
    rig.clock.advance(timedelta(hours=1, minutes=1))
    assert "Selamat datang" in await say(rig, 11, f"/start {code}")


async def test_unlink_and_relink_and_one_employee_on_both_channels(rig: Rig) -> None:
    employee_nip = await nip(rig)
    phone = await phone_of(rig.ayo, employee_nip)
    rig.wa.add_recipient(phone)
    await say(rig, 1, f"/start {await rig.link_code(employee_nip)}")
    await rig.whatsapp(wa_text_update(phone, await rig.link_code(employee_nip)))
    await rig.settle()
    telegram, whatsapp = await linked_employee(rig), await linked_employee(rig, "whatsapp")
    assert telegram is not None and telegram == whatsapp

    await say(rig, 2, "menu")  # a linked chat talks to the services
    await unlink_nip(rig.ayo.db, employee_nip, "telegram")
    assert "kode penghubung" in await say(rig, 3, "menu")
    assert await linked_employee(rig, "whatsapp") == whatsapp
    assert "Selamat datang" in await say(rig, 4, f"/start {await rig.link_code(employee_nip)}")
