"""The leave conversation end to end: ask, confirm, reference number, approval, decision."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from core.storage.models import ServiceRequest
from tests.support.ayo_chat import button, nip_of, press, say, text_of

EMPLOYEE = "Dimas Prasetyo"
SUPERVISOR = "Sri Wahyuni"


async def test_leave_request_asks_only_what_is_missing_and_reaches_the_supervisor(
    ayo: App,
) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    sri = await nip_of(ayo, SUPERVISOR)
    got = await say(ayo, dimas, "mau cuti tahunan besok 2 hari")
    assert "keperluan" in text_of(got).lower()
    got = await say(ayo, dimas, "acara keluarga")
    assert "Ringkasan" in text_of(got)
    assert "12 → 10" in text_of(got) or "→" in text_of(got)
    got = await press(ayo, dimas, button(got, "Kirim"))
    assert "CUTI-2612-" in text_of(got)

    prompt = await ayo.local.collect(sri)
    assert "Dimas Prasetyo" in text_of(prompt)
    assert "sebagai atasan langsung" in text_of(prompt)
    got = await press(ayo, sri, button(prompt, "Setuju"))
    assert "diteruskan ke pejabat yang berwenang" in text_of(got)
    assert await ayo.local.collect(dimas) == []

    # The head of DISKOMINFO holds the authority (bot/demo/leave_authority.yaml).
    budi = await nip_of(ayo, "Budi Santoso")
    prompt = await ayo.local.collect(budi)
    assert "Pertimbangan atasan langsung (Sri Wahyuni): Disetujui" in text_of(prompt)
    assert "pejabat yang berwenang memberikan cuti" in text_of(prompt)
    got = await press(ayo, budi, button(prompt, "Setuju"))
    assert "disetujui" in text_of(got)

    decision = await ayo.local.collect(dimas)
    assert "disetujui" in text_of(decision)
    async with ayo.db.sessions() as session:
        request = (await session.execute(select(ServiceRequest))).scalar_one()
    assert (request.status, request.days) == ("approved", 2)


async def test_kembali_goes_back_one_question(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "mau cuti tahunan besok 2 hari")
    got = await say(ayo, dimas, "kembali")
    assert "Tanggal berapa" in text_of(got)
    got = await say(ayo, dimas, "14-15 des")
    assert "keperluan" in text_of(got).lower()


async def test_a_form_left_half_way_is_kept_and_offered_again(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "mau cuti tahunan besok 2 hari")
    got = await say(ayo, dimas, "berapa sisa cuti saya")
    got = await press(ayo, dimas, button(got, "Beralih ke Sisa cuti"))
    assert "Sisa cuti tahunan 2026" in text_of(got)
    got = await say(ayo, dimas, "mau cuti tahunan")
    got = await press(ayo, dimas, button(got, "Lanjutkan draf"))
    assert "keperluan" in text_of(got).lower()


async def test_free_text_that_is_clearly_another_request_can_still_be_the_answer(
    ayo: App,
) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "mau cuti tahunan besok 2 hari")
    got = await say(ayo, dimas, "berapa sisa cuti saya")
    got = await press(ayo, dimas, button(got, "Itu jawaban saya"))
    assert "Keperluan: berapa sisa cuti saya" in text_of(got)


async def test_the_supervisor_asks_what_waits_and_gets_it_oldest_first_with_buttons(
    ayo: App, clock
) -> None:
    from datetime import timedelta

    sri = await nip_of(ayo, SUPERVISOR)
    for name, text in (
        ("Nurul Hidayah", "cuti tahunan 14 des, urusan bank"),
        (EMPLOYEE, "cuti tahunan 15 des, acara keluarga"),
    ):
        nip = await nip_of(ayo, name)
        got = await say(ayo, nip, text)
        await press(ayo, nip, button(got, "Kirim"))
        clock.advance(timedelta(minutes=5))
    await ayo.local.collect(sri)
    got = await say(ayo, sri, "ada yang perlu saya setujui?")
    texts = [m.text for m in got]
    assert "2 permohonan" in texts[0]
    assert "Nurul Hidayah" in texts[1] and EMPLOYEE in texts[2]
    # One tap approves; the form's other decisions are behind "Keputusan lain".
    assert [label for label, _ in got[2].buttons] == ["Setuju", "Keputusan lain", "Minta info"]


async def test_the_approver_sees_who_in_the_unit_is_already_away(ayo: App) -> None:
    nurul = await nip_of(ayo, "Nurul Hidayah")
    dimas, sri = await nip_of(ayo, EMPLOYEE), await nip_of(ayo, SUPERVISOR)
    got = await say(ayo, nurul, "cuti tahunan 14-15 des, urusan bank")
    await press(ayo, nurul, button(got, "Kirim"))
    got = await press(ayo, sri, button(await ayo.local.collect(sri), "Setuju"))
    got = await say(ayo, dimas, "cuti tahunan 15 des, acara keluarga")
    await press(ayo, dimas, button(got, "Kirim"))
    prompt = text_of(await ayo.local.collect(sri))
    assert "Rekan satu unit yang cuti: Nurul Hidayah" in prompt


async def test_the_employee_can_cancel_a_pending_request(ayo: App) -> None:
    dimas, sri = await nip_of(ayo, EMPLOYEE), await nip_of(ayo, SUPERVISOR)
    got = await say(ayo, dimas, "cuti tahunan 15 des, acara keluarga")
    await press(ayo, dimas, button(got, "Kirim"))
    prompt = await ayo.local.collect(sri)
    got = await say(ayo, dimas, "batalkan permohonan")
    got = await press(ayo, dimas, got[-1].buttons[0][1])
    assert "dibatalkan" in text_of(got)
    assert "dibatalkan oleh pemohon" in text_of(await ayo.local.collect(sri))
    assert "sudah dipakai" in text_of(await press(ayo, sri, button(prompt, "Setuju")))


async def test_the_decision_replaces_the_approval_prompt_where_a_channel_can_edit(
    ayo: App,
) -> None:
    from core.storage.models import OutboxItem

    dimas = await nip_of(ayo, EMPLOYEE)
    sri = await nip_of(ayo, SUPERVISOR)
    await say(ayo, dimas, "mau cuti tahunan besok 2 hari")
    got = await say(ayo, dimas, "acara keluarga")
    await press(ayo, dimas, button(got, "Kirim"))
    prompt = await ayo.local.collect(sri)
    await press(ayo, sri, button(prompt, "Setuju"))
    async with ayo.db.sessions() as session:
        rows = {
            row.id: row.payload
            for row in (await session.execute(select(OutboxItem))).scalars()
            if row.kind == "message"
        }
    [asked, _to_pybmc] = [p for p in rows.values() if "Setuju" in str(p["buttons"])]
    [decided] = [p for p in rows.values() if p.get("replaces")]
    assert asked["meta"]["ref"].startswith("approval:")
    assert decided["replaces"] == asked["meta"]["ref"]
    assert "disetujui" in decided["text"]["id"]
