"""Employees and their link status, one-time link codes and the letters, over the real web app
and database: codes shown once and stored hashed, letters as a PDF, HR admins by scope."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import func, select, update

from bot.app import App
from bot.linking.codes import code_hash
from core.storage.models import ChatAccount, Employee, LinkCode
from tests.support.backoffice import admin, audit_actions, employee_id

WULAN = "198902142014032019"  # HR admin at BKPSDM: the whole city
AGUS = "197911202005011003"  # a supervisor
DIMAS = "199402172019031005"
AYU = "199508182020032032"  # Health Office
MUTASI = {"Joko Susilo", "Yuliana Putri", "Eko Purnomo", "Fitri Handayani", "Gilang Permana",
          "Hana Safitri"}  # fmt: skip


def with_links(ayo: App) -> None:
    ayo.settings = ayo.settings.model_copy(
        update={"telegram_bot_username": "AyoKotaBot", "whatsapp_number": "+62 811 1000 200"}
    )


async def codes(ayo: App) -> list[LinkCode]:
    async with ayo.db.sessions() as session:
        return list((await session.execute(select(LinkCode))).scalars())


async def link_telegram(ayo: App, nip: str) -> None:
    async with ayo.db.transaction() as session:
        session.add(
            ChatAccount(
                channel="telegram", external_id="5550001", employee_id=await employee_id(ayo, nip),
                created_at=ayo.deps.clock(),
            )
        )  # fmt: skip


def names(html: str) -> list[str]:
    table = html.split('id="employees"')[1]
    return re.findall(r"<tr><td>([^<]+) <small", table)


async def test_the_list_shows_who_is_linked(ayo: App) -> None:
    await link_telegram(ayo, DIMAS)
    async with admin(ayo, WULAN) as wulan:
        html = (await wulan.get("/admin/employees")).text
        assert "1 dari 44 pegawai sudah menautkan Telegram atau WhatsApp." in html
        row = html.split("Dimas Prasetyo <small")[1].split("</tr>")[0]
        assert row.count("✓ tertaut") == 1  # Telegram, not WhatsApp
        assert len(names(html)) == 44
        unlinked = (await wulan.get("/admin/employees?linked=no")).text
        assert len(names(unlinked)) == 43 and "Dimas Prasetyo" not in names(unlinked)
        assert names((await wulan.get("/admin/employees?q=dimas")).text) == ["Dimas Prasetyo"]
        unit = (await wulan.get("/admin/employees?unit=BKPSDM-MUTASI")).text
        assert set(names(unit)) == MUTASI


async def test_a_code_for_one_employee_is_shown_once_and_stored_hashed(ayo: App) -> None:
    with_links(ayo)
    dimas = await employee_id(ayo, DIMAS)
    async with admin(ayo, WULAN) as wulan:
        path = f"/admin/employees/{dimas}/link-code"
        assert (await wulan.post(path, data={"as": "page"})).status_code == 403  # no CSRF
        assert await codes(ayo) == []
        shown = await wulan.send_form(path, {"as": "page"})
        assert shown.status_code == 200
        assert shown.headers["cache-control"] == "no-store"
        code = re.search(r'id="code">([A-Z2-9]{8})<', shown.text).group(1)
        assert f"https://t.me/AyoKotaBot?start={code}" in shown.text
        assert f"https://wa.me/628111000200?text={code}" in shown.text
        assert shown.text.count('<svg width="') == 2  # a QR code each
        assert "hanya ditampilkan sekali" in shown.text
        stored = await codes(ayo)
        assert [(c.employee_id, c.code_hash) for c in stored] == [(dimas, code_hash(code))]
        assert code not in repr([vars(c) for c in stored])
        listing = (await wulan.get("/admin/employees?q=dimas")).text
        assert "kode menunggu dipakai" in listing

        letter = await wulan.send_form(path, {"as": "pdf"})
        assert letter.headers["content-type"] == "application/pdf"
        assert letter.headers["cache-control"] == "no-store"
        pdf = PdfReader(io.BytesIO(letter.content))
        assert len(pdf.pages) == 1
        assert "Dimas Prasetyo" in pdf.pages[0].extract_text()
    # The new code replaced the first one: only one works.
    live = [c for c in await codes(ayo) if c.used_at is None and c.expires_at > ayo.deps.clock()]
    assert len(live) == 1 and live[0].code_hash != code_hash(code)
    assert await audit_actions(ayo, "employee") == [
        ("link_code.created", {"as": "page"}),
        ("link_code.created", {"as": "pdf"}),
    ]


async def test_the_letters_of_a_unit_as_one_pdf(ayo: App) -> None:
    async with admin(ayo, WULAN) as wulan:
        form = {"unit": "BKPSDM-MUTASI", "days": "14", "unlinked": "1"}
        # Without a bot name or number the letters would have nothing to follow.
        missing = await wulan.send_form("/admin/employees/letters", form)
        assert missing.status_code == 400
        assert "AYO_TELEGRAM_BOT_USERNAME" in missing.text
        with_links(ayo)
        too_long = await wulan.send_form("/admin/employees/letters", {**form, "days": "90"})
        assert too_long.status_code == 400 and "Masa berlaku 1–60 hari" in too_long.text
        no_unit = await wulan.send_form("/admin/employees/letters", {**form, "unit": ""})
        assert "Pilih unit" in no_unit.text
        assert await codes(ayo) == []

        made = await wulan.send_form("/admin/employees/letters", form)
    assert made.status_code == 200
    assert made.headers["content-type"] == "application/pdf"
    assert 'filename="kode-penghubung-BKPSDM-MUTASI.pdf"' in made.headers["content-disposition"]
    pdf = PdfReader(io.BytesIO(made.content))
    assert len(pdf.pages) == 6
    assert {n for n in MUTASI if any(n in p.extract_text() for p in pdf.pages)} == MUTASI
    assert len(await codes(ayo)) == 6
    assert await audit_actions(ayo, "link_codes") == [
        ("link_codes.created",
         {"unit": "BKPSDM-MUTASI", "codes": 6, "unlinked": True, "days": 14}),
    ]  # fmt: skip


async def test_an_opd_hr_admin_works_on_their_opd_only(ayo: App) -> None:
    with_links(ayo)
    async with ayo.db.transaction() as session:
        await session.execute(
            update(Employee).where(Employee.nip == AYU).values(roles=["employee", "hr_admin"])
        )
    dimas = await employee_id(ayo, DIMAS)
    async with admin(ayo, AYU) as ayu:
        html = (await ayu.get("/admin/employees")).text
        assert len(names(html)) == 16 and "Dimas Prasetyo" not in html
        assert 'value="*"' not in html  # "everyone" is for the city's HR
        other = await ayu.send_form(f"/admin/employees/{dimas}/link-code", {"as": "page"})
        assert other.status_code == 404
        for unit in ("DISKOMINFO", "*"):
            refused = await ayu.send_form("/admin/employees/letters", {"unit": unit, "days": "14"})
            assert refused.status_code == 400 and "Pilih unit" in refused.text
        assert await codes(ayo) == []
        own = await ayu.send_form("/admin/employees/letters", {"unit": "DINKES", "days": "7"})
        assert len(PdfReader(io.BytesIO(own.content)).pages) == 16


async def test_others_are_refused(ayo: App) -> None:
    dimas = await employee_id(ayo, DIMAS)
    for nip in (AGUS, DIMAS):
        async with admin(ayo, nip) as someone:
            assert (await someone.get("/admin/employees")).status_code == 403
            answer = await someone.send_form(f"/admin/employees/{dimas}/link-code")
            assert answer.status_code == 403
            letters = await someone.send_form("/admin/employees/letters", {"unit": "DINKES"})
            assert letters.status_code == 403
    async with ayo.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(LinkCode)) == 0
