"""The leave form in the chat: eligibility first, no guessing of cuti besar or of past years."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from core.storage.models import ApprovalStep, Employee, ServiceRequest
from tests.support.ayo_chat import button, nip_of, press, say, text_of

DIMAS = "Dimas Prasetyo"  # PNS, male, since 2019
NURUL = "Nurul Hidayah"  # PNS, female, since 2015


def labels(messages: list) -> list[str]:
    return [label for m in messages for label, _ in m.buttons]


async def test_a_male_employee_is_not_offered_maternity_leave(ayo: App) -> None:
    dimas = await nip_of(ayo, DIMAS)
    got = await say(ayo, dimas, "mau cuti")
    assert "Cuti tahunan" in labels(got)
    assert "Cuti melahirkan" not in labels(got)
    nurul = await nip_of(ayo, NURUL)
    assert "Cuti melahirkan" in labels(await say(ayo, nurul, "mau cuti"))


async def test_an_ineligible_choice_is_refused_before_any_date_is_asked(ayo: App) -> None:
    dimas = await nip_of(ayo, DIMAS)
    await say(ayo, dimas, "mau cuti")
    got = await say(ayo, dimas, "melahirkan")
    text = text_of(got)
    assert "hanya untuk pegawai perempuan" in text
    assert "Cuti karena alasan penting" in text  # the alternative
    assert "Cuti apa yang Anda ajukan?" in text
    assert "Tanggal berapa" not in text


async def test_free_text_never_selects_cuti_besar_without_a_confirmation(ayo: App) -> None:
    dimas = await nip_of(ayo, DIMAS)
    await say(ayo, dimas, "mau cuti")
    got = await say(ayo, dimas, "acara keluarga besar")
    assert "Maksud Anda Cuti besar?" in text_of(got)
    assert "Tanggal berapa" not in text_of(got)
    got = await press(ayo, dimas, button(got, "Bukan"))
    assert "Cuti apa yang Anda ajukan?" in text_of(got)
    got = await say(ayo, dimas, "besar")
    got = await press(ayo, dimas, button(got, "Ya, Cuti besar"))
    assert "Tanggal berapa" in text_of(got)


async def test_cuti_besar_in_the_first_message_is_asked_with_buttons(ayo: App) -> None:
    dimas = await nip_of(ayo, DIMAS)
    got = await say(ayo, dimas, "mau cuti besar 3 bulan")
    assert "Cuti apa yang Anda ajukan?" in text_of(got)
    assert "Cuti besar" in labels(got)


async def test_a_past_sick_day_is_never_moved_to_next_year_silently(ayo: App) -> None:
    # The clock stands on Tuesday 1 December 2026: "27 nov" may be four days ago.
    dimas = await nip_of(ayo, DIMAS)
    await say(ayo, dimas, "mau cuti")
    await say(ayo, dimas, "sakit")
    got = await say(ayo, dimas, "27 nov")
    assert "tahun ini (sudah lewat) atau tahun depan" in text_of(got)
    assert labels(got) == [
        "Jumat, 27 November 2026 (sudah lewat)",
        "Sabtu, 27 November 2027",
    ]
    got = await press(ayo, dimas, button(got, "Jumat, 27 November 2026 (sudah lewat)"))
    assert "keperluan" in text_of(got).lower()


async def test_annual_leave_on_a_past_date_is_refused_and_asked_again(ayo: App) -> None:
    dimas = await nip_of(ayo, DIMAS)
    await say(ayo, dimas, "mau cuti tahunan")
    got = await say(ayo, dimas, "kemarin")
    assert "tidak dapat diajukan untuk tanggal yang sudah lewat" in text_of(got)
    assert "Tanggal berapa" in text_of(got)


async def cltn_summary(ayo: App, nip: str) -> list:
    """The CLTN form filled in up to its summary (4 January to 30 June 2027, further study)."""
    for answer in ("mau cuti", "cltn", "4 jan 2027 - 30 jun 2027"):
        await say(ayo, nip, answer)
    return await say(ayo, nip, "studi lanjut")


async def test_cltn_is_recorded_and_reaches_the_hr_officer(ayo: App) -> None:
    dimas = await nip_of(ayo, DIMAS)
    got = await cltn_summary(ayo, dimas)
    assert "Ringkasan" in text_of(got)
    got = await press(ayo, dimas, button(got, "Kirim"))
    assert "CUTI-" in text_of(got)
    assert "Wulan Sari" in text_of(got)
    async with ayo.db.sessions() as session:
        request = (await session.execute(select(ServiceRequest))).scalar_one()
        first = (
            (
                await session.execute(
                    select(ApprovalStep)
                    .where(ApprovalStep.request_id == request.id)
                    .order_by(ApprovalStep.step)
                )
            )
            .scalars()
            .first()
        )
        officer = await session.get(Employee, first.approver_id)
    assert (request.kind, request.status) == ("cltn", "waiting")
    assert (officer.name, first.status) == ("Wulan Sari", "waiting")
    prompt = await ayo.local.collect(await nip_of(ayo, "Wulan Sari"))
    assert "Dimas Prasetyo" in text_of(prompt)


INTAN = "Intan Permatasari"  # PNS, female, since March 2022: not 5 years before March 2027


async def test_cuti_besar_before_five_years_asks_about_the_first_hajj_first(ayo: App) -> None:
    intan = await nip_of(ayo, INTAN)
    got = await say(ayo, intan, "mau cuti")
    assert "Cuti besar" in labels(got)  # offered: the hajj may set the 5 years aside
    got = await say(ayo, intan, "besar")
    got = await press(ayo, intan, button(got, "Ya, Cuti besar"))
    assert "hanya untuk menunaikan ibadah haji pertama kali" in text_of(got)
    assert "Tanggal berapa" not in text_of(got)
    got = await press(ayo, intan, button(got, "Bukan"))
    got = await say(ayo, intan, "4 jan 2027 - 28 feb 2027")
    assert (
        "baru bisa diambil setelah 5 tahun bekerja, yaitu mulai 1 Maret 2027, "
        "kecuali untuk menunaikan ibadah haji pertama kali" in text_of(got)
    )


async def test_cuti_besar_for_the_first_hajj_needs_the_departure_schedule(ayo: App) -> None:
    intan = await nip_of(ayo, INTAN)
    await say(ayo, intan, "mau cuti")
    got = await say(ayo, intan, "besar")
    got = await press(ayo, intan, button(got, "Ya, Cuti besar"))
    got = await press(ayo, intan, button(got, "Ya, haji pertama"))
    assert "Tanggal berapa" in text_of(got)
    got = await say(ayo, intan, "4 jan 2027 - 28 feb 2027")
    assert "baru bisa diambil" not in text_of(got)
    await say(ayo, intan, "ibadah haji")
    got = await say(ayo, intan, "belum")
    assert "Jadwal keberangkatan/kloter" in text_of(got)
    assert "Ringkasan" not in text_of(got)
