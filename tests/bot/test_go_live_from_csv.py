"""A fresh database goes live from the city's CSV: import, letters, linking on both channels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.linking import letters
from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import ChatAccount, Employee
from integrations.org import ImportOptions, run_import
from tests.support.channel_rig import Rig, channel_rig
from tests.support.fake_telegram import tg_message_update
from tests.support.fake_whatsapp import wa_text_update

CHAT = 7780001
HEADER = (
    "nip;nama;jenis_kelamin;status;tmt;jabatan;kode_unit;nama_unit;kode_unit_induk;"
    "nip_atasan;peran;telepon"
)


def city_file() -> bytes:
    """50 people: the head of the OPD, four heads of bidang, and 45 staff under them."""
    head = "197001011995031001"
    lines = [
        HEADER,
        f"{head};Kepala Dinas;L;PNS;1995-03-01;Kepala;DINAS;Dinas Uji;;;;081230000000",
    ]
    for b in range(1, 5):
        boss = f"19750{b}012000031{b:03d}"
        lines.append(
            f"{boss};Kabid {b};L;PNS;2000-03-01;Kepala Bidang;DINAS-B{b};Bidang {b};DINAS;"
            f"{head};;08123000000{b}"
        )
        for s in range(1, 12 if b > 1 else 13):
            nip = f"1990{b:02d}{s:02d}2015032{b}{s:02d}"
            lines.append(
                f"{nip};Staf {b}-{s};P;PNS;2015-03-01;Pelaksana;DINAS-B{b};Bidang {b};DINAS;"
                f"{boss};;0812310{b}{s:04d}"
            )
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
async def rig(database_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[Rig]:
    settings = Settings(_env_file=None, database_url=database_url, data_dir=tmp_path, demo=False)
    async with channel_rig(settings, clock, tg_chats=(CHAT,)) as rig:
        yield rig


async def test_fifty_employees_import_and_link_from_their_letters(rig: Rig) -> None:
    result = await run_import(
        rig.ayo.db,
        city_file(),
        ImportOptions(),
        now=rig.clock(),
        calendar=rig.ayo.deps.calendar,
        rules=rig.ayo.deps.leave_rules,
    )
    assert result.as_json()["employees"]["added"] == 50, result.as_json()["errors"]
    made = await letters.issue(
        rig.ayo.db,
        unit_code=None,
        now=rig.clock(),
        ttl=timedelta(days=14),
        bot_username="ayo_test_bot",
        whatsapp_number="6281100001234",
    )
    assert len(made) == 50
    by_name = {x.name: x for x in made}

    kabid = by_name["Kabid 2"]
    assert kabid.telegram_link == f"https://t.me/ayo_test_bot?start={kabid.code}"
    await rig.telegram(tg_message_update(1, CHAT, CHAT, f"/start {kabid.code}"))
    await rig.settle()
    assert rig.tg.sent_messages(CHAT)[-1]["text"].startswith("Selamat datang, Kabid!")

    staff = by_name["Staf 3-7"]
    await rig.whatsapp(wa_text_update("6281231030007", staff.code))
    await rig.settle()
    async with rig.ayo.db.sessions() as session:
        linked = {
            (a.channel, e.nip)
            for a, e in (
                await session.execute(
                    select(ChatAccount, Employee).join(
                        Employee, Employee.id == ChatAccount.employee_id
                    )
                )
            ).all()
        }
    assert linked == {("telegram", kabid.nip), ("whatsapp", staff.nip)}
