"""Human handoff in the chat: a case behind every promise, the case's chat, operators in chat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.app import App
from core.clock import FixedClock
from core.storage.models import AuditEvent, HandoffCase, HandoffMessage
from tests.support.ayo_chat import button, nip_of, press, say, text_of

DIMAS = "Dimas Prasetyo"  # Diskominfo, an employee
WULAN = "Wulan Sari"  # BKPSDM staffing desk operator
RINA = "Rina Oktaviani"  # BKPSDM staffing desk operator
DEWI = "Dewi Anggraini"  # the BKPSDM desk's lead
AYU = "Ayu Wandira"  # Dinas Kesehatan, which has its own staffing desk


async def cases(ayo: App) -> list[HandoffCase]:
    async with ayo.db.sessions() as session:
        return list(
            (await session.execute(select(HandoffCase).order_by(HandoffCase.id))).scalars()
        )


async def audit_actions(ayo: App, case_id: int) -> list[str]:
    async with ayo.db.sessions() as session:
        rows = await session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.entity == "handoff", AuditEvent.entity_id == case_id)
            .order_by(AuditEvent.id)
        )
        return list(rows.scalars())


async def test_asking_for_a_person_opens_a_case_with_a_reference(ayo: App) -> None:
    dimas = await nip_of(ayo, DIMAS)
    await say(ayo, dimas, "nip saya 199402172019031005 kok tidak muncul")
    got = await say(ayo, dimas, "mau bicara dengan petugas")
    assert "Untuk urusan apa?" in text_of(got)
    got = await press(ayo, dimas, button(got, "Kepegawaian (BKPSDM)"))
    text = text_of(got)
    assert "Nomor kasus Anda: PTG-2612-000001" in text
    assert "Layanan Kepegawaian BKPSDM" in text
    # 09:00 on a working Tuesday, the desk takes within 2 office hours.
    assert "paling lambat Selasa, 1 Desember 2026 pukul 11.00" in text
    [case] = await cases(ayo)
    assert (case.team, case.topic, case.status, case.channel) == (
        "bkpsdm",
        "kepegawaian",
        "open",
        "local",
    )
    shown = " ".join(item["text"] for item in case.context)
    assert "kok tidak muncul" in shown
    assert "199402172019031005" not in shown  # the NIP is masked in the context
    # Both operators of the desk are offered the case with a Take button.
    for name in (WULAN, RINA):
        offer = await ayo.local.collect(await nip_of(ayo, name))
        assert "Kasus baru PTG-2612-000001" in text_of(offer)
        assert "Dimas Prasetyo" in text_of(offer)
        button(offer, "Ambil")
    assert await audit_actions(ayo, case.id) == ["opened"]


async def test_it_words_go_straight_to_the_helpdesk(ayo: App) -> None:
    dimas = await nip_of(ayo, DIMAS)
    got = await say(ayo, dimas, "hubungkan dengan petugas, printer saya rusak")
    assert "Helpdesk TI Diskominfo" in text_of(got)
    [case] = await cases(ayo)
    assert case.team == "helpdesk"


async def test_an_opd_with_its_own_desk_gets_its_cases(ayo: App) -> None:
    ayu = await nip_of(ayo, AYU)
    got = await say(ayo, ayu, "saya butuh bantuan petugas kepegawaian")
    assert "Kepegawaian Dinas Kesehatan" in text_of(got)
    [case] = await cases(ayo)
    assert case.team == "dinkes-kepegawaian"


async def test_the_whole_case_from_telegram_style_chat(ayo: App) -> None:
    dimas, wulan, rina = [await nip_of(ayo, n) for n in (DIMAS, WULAN, RINA)]
    got = await say(ayo, dimas, "mau bicara dengan petugas kepegawaian")
    assert "PTG-2612-000001" in text_of(got)
    # While the case is open, Ayo stays out: no answer, the message is kept on the case.
    assert await say(ayo, dimas, "menu") == []
    offer_wulan = await ayo.local.collect(wulan)
    offer_rina = await ayo.local.collect(rina)
    got = await press(ayo, wulan, button(offer_wulan, "Ambil"))
    assert "Anda menangani kasus PTG-2612-000001" in text_of(got)
    assert "Wulan dari Layanan Kepegawaian BKPSDM menangani kasus" in text_of(
        await ayo.local.collect(dimas)
    )
    # The other operator's Take button is retired with the first press.
    got = await press(ayo, rina, button(offer_rina, "Ambil"))
    assert "sudah dipakai" in text_of(got)

    got = await say(ayo, wulan, "Sudah saya cek, SK Anda terbit besok.")
    assert "Terkirim ke pegawai" in text_of(got)
    assert "👤 Wulan (PTG-2612-000001): Sudah saya cek, SK Anda terbit besok." in text_of(
        await ayo.local.collect(dimas)
    )
    assert await say(ayo, dimas, "terima kasih bu") == []
    relay = text_of(await ayo.local.collect(wulan))
    assert "PTG-2612-000001 · Dimas: terima kasih bu" in relay

    got = await say(ayo, wulan, "tutup SK dijelaskan, terbit 2 Des")
    assert "ditutup" in text_of(got)
    closed = await ayo.local.collect(dimas)
    assert (
        "Kasus PTG-2612-000001 selesai. Catatan petugas: SK dijelaskan, terbit 2 Des"
        in text_of(closed)
    )
    got = await press(ayo, dimas, button(closed, "⭐⭐⭐⭐"))
    assert "(4/5)" in text_of(got)
    # The bot is back: menu works again.
    assert "Apa yang bisa saya bantu" in text_of(await say(ayo, dimas, "menu"))

    [case] = await cases(ayo)
    assert (case.status, case.rating, case.close_note) == (
        "closed",
        4,
        "SK dijelaskan, terbit 2 Des",
    )
    async with ayo.db.sessions() as session:
        said = (
            await session.execute(
                select(HandoffMessage.author, HandoffMessage.text)
                .where(HandoffMessage.case_id == case.id)
                .order_by(HandoffMessage.id)
            )
        ).all()
    assert [tuple(row) for row in said] == [
        ("employee", "menu"),
        ("operator", "Sudah saya cek, SK Anda terbit besok."),
        ("employee", "terima kasih bu"),
        ("system", "SK dijelaskan, terbit 2 Des"),
    ]
    assert await audit_actions(ayo, case.id) == [
        "opened",
        "message.employee",
        "taken",
        "message.operator",
        "message.employee",
        "closed",
        "rated",
    ]


async def test_back_to_the_bot_ends_the_case(ayo: App) -> None:
    dimas = await nip_of(ayo, DIMAS)
    await say(ayo, dimas, "mau bicara dengan petugas kepegawaian")
    got = await say(ayo, dimas, "kembali ke bot")
    assert "kasus PTG-2612-000001 ditutup dan Anda kembali dilayani Ayo" in text_of(got)
    [case] = await cases(ayo)
    assert case.status == "cancelled"
    assert "Apa yang bisa saya bantu" in text_of(await say(ayo, dimas, "menu"))


async def test_someone_outside_the_team_cannot_take_a_case(ayo: App) -> None:
    dimas, putri = await nip_of(ayo, DIMAS), await nip_of(ayo, "Putri Amelia")
    await say(ayo, dimas, "mau bicara dengan petugas kepegawaian")
    [case] = await cases(ayo)
    from integrations.handoff import cases as handoff_cases

    async with ayo.db.transaction() as session:
        row = await session.get(HandoffCase, case.id)
        from core.storage.models import Employee

        helpdesk_operator = (
            await session.execute(select(Employee).where(Employee.nip == putri))
        ).scalar_one()
        env = handoff_cases.Env(
            now=ayo.deps.clock(),
            teams=ayo.deps.handoff,
            calendar=ayo.deps.calendar,
            tz="Asia/Jakarta",
        )
        try:
            await handoff_cases.take(session, env, row, helpdesk_operator, via="web")
        except handoff_cases.Refused as refused:
            assert refused.reason == "not_operator"
        else:
            raise AssertionError("a helpdesk operator took a staffing case")
    assert (await cases(ayo))[0].status == "open"
    assert await audit_actions(ayo, case.id) == ["opened", "refused.take.not_operator"]


async def test_at_night_the_employee_is_told_when_to_expect_an_answer(
    ayo: App, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 12, 1, 13, 0, tzinfo=UTC))  # 20:00 in Jakarta
    dimas = await nip_of(ayo, DIMAS)
    got = await say(ayo, dimas, "mau bicara dengan petugas kepegawaian")
    text = text_of(got)
    assert "Saat ini di luar jam kerja" in text
    # Office opens 07:30 on Wednesday; two office hours later.
    assert "Rabu, 2 Desember 2026 pukul 09.30" in text


async def test_on_a_holiday_the_answer_waits_for_the_next_working_day(
    ayo: App, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 12, 25, 3, 0, tzinfo=UTC))  # Christmas Day, Friday 10:00 in Jakarta
    dimas = await nip_of(ayo, DIMAS)
    text = text_of(await say(ayo, dimas, "mau bicara dengan petugas kepegawaian"))
    assert "Saat ini di luar jam kerja" in text
    assert "Senin, 28 Desember 2026 pukul 09.30" in text


async def test_a_case_nobody_takes_reminds_the_team_then_the_lead(
    ayo: App, clock: FixedClock
) -> None:
    from integrations.handoff.sla import sweep_for_settings

    dimas, wulan, rina, dewi = [await nip_of(ayo, n) for n in (DIMAS, WULAN, RINA, DEWI)]
    await say(ayo, dimas, "mau bicara dengan petugas kepegawaian")  # 09:00
    for nip in (wulan, rina):
        await ayo.local.collect(nip)

    async def sweep() -> int:
        return await sweep_for_settings(ayo.db, clock(), ayo.deps.calendar, ayo.settings)

    clock.advance(timedelta(hours=1, minutes=59))
    assert await sweep() == 0
    clock.advance(timedelta(minutes=1))  # 11:00: two office hours
    assert await sweep() == 1
    assert await sweep() == 0
    for nip in (wulan, rina):
        assert "Pengingat: kasus PTG-2612-000001 (Dimas Prasetyo) menunggu sejak" in text_of(
            await ayo.local.collect(nip)
        )
    assert await ayo.local.collect(dewi) == []
    clock.advance(timedelta(hours=2))  # 13:00: four office hours, the lead is told
    assert await sweep() == 1
    assert "Kasus PTG-2612-000001 (Dimas Prasetyo) belum diambil" in text_of(
        await ayo.local.collect(dewi)
    )
    assert await sweep() == 0
    [case] = await cases(ayo)
    assert await audit_actions(ayo, case.id) == ["opened", "reminded", "escalated"]


async def test_a_taken_case_does_not_remind_anyone(ayo: App, clock: FixedClock) -> None:
    from integrations.handoff.sla import sweep_for_settings

    dimas, wulan = await nip_of(ayo, DIMAS), await nip_of(ayo, WULAN)
    await say(ayo, dimas, "mau bicara dengan petugas kepegawaian")
    await press(ayo, wulan, button(await ayo.local.collect(wulan), "Ambil"))
    clock.advance(timedelta(hours=8))
    assert await sweep_for_settings(ayo.db, clock(), ayo.deps.calendar, ayo.settings) == 0
