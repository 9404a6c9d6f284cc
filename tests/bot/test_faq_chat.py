"""The FAQ in the chat: answers from the FAQ file and the working calendar, never made up."""

from __future__ import annotations

from pathlib import Path

from bot.app import App, build_app
from core.clock import FixedClock
from core.settings import Settings
from tests.support.ayo_chat import button, nip_of, press, say, text_of

EMPLOYEE = "Dimas Prasetyo"
CUTI_BERSAMA_2026 = [
    "Senin, 16 Februari 2026 (Tahun Baru Imlek)",
    "Rabu, 18 Maret 2026 (Hari Suci Nyepi)",
    "Jumat, 20 Maret 2026 (Hari Raya Idul Fitri)",
    "Senin, 23 Maret 2026 (Hari Raya Idul Fitri)",
    "Selasa, 24 Maret 2026 (Hari Raya Idul Fitri)",
    "Jumat, 15 Mei 2026 (Kenaikan Yesus Kristus)",
    "Kamis, 28 Mei 2026 (Hari Raya Idul Adha)",
    "Kamis, 24 Desember 2026 (Hari Raya Natal)",
]


async def test_cuti_bersama_2026_lists_the_calendar_days_and_the_decree(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    got = await say(ayo, dimas, "kapan cuti bersama 2026")
    text = text_of(got)
    assert text.startswith("Cuti bersama ASN tahun 2026 (8 hari):")
    assert [line.removeprefix("- ") for line in text.splitlines()[1:9]] == CUTI_BERSAMA_2026
    assert "Keppres 42/2025" in text and "PP 11/2017 Ps. 333 ayat (2)" in text


async def test_maternity_leave_question_is_answered_and_the_request_still_opens_the_form(
    ayo: App,
) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    got = await say(ayo, dimas, "berapa hari cuti melahirkan")
    assert "Cuti melahirkan PNS lamanya **3 bulan**" in text_of(got)
    assert "PP 11/2017 Ps. 325" in text_of(got)
    got = await say(ayo, dimas, "mau cuti melahirkan")
    assert "Cuti melahirkan PNS lamanya" not in text_of(got)
    # The leave form (a man is told maternity leave is not his and asked which leave).
    assert "Cuti apa yang Anda ajukan?" in text_of(got)


async def test_ramadan_hours_come_from_the_calendar_with_the_perpres(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    got = await say(ayo, dimas, "jam kerja saat Ramadan")
    text = text_of(got)
    assert "**32 jam 30 menit**" in text
    # The coming Ramadan (the clock is December 2026), as the calendar file records it.
    assert "Ramadan 2027, perkiraan Senin, 8 Februari 2027 s.d. Selasa, 9 Maret 2027" in text
    assert "Senin–Kamis 08.00–15.00, Jumat 08.00–15.30" in text
    assert "Perpres 21/2023 Ps. 4 ayat (2)" in text


async def test_a_year_hr_has_not_checked_is_not_answered_but_a_person_is_offered(
    ayo: App,
) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    got = await say(ayo, dimas, "kapan cuti bersama 2027")
    assert got[0].text.startswith("Maaf, saya belum punya jawaban yang pasti")
    assert [label for label, _ in got[0].buttons] == ["Bicara dengan petugas", "menu"]


async def test_an_expired_entry_says_it_does_not_know_and_offers_a_person(
    settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text(
        """
entries:
  - id: cuti-melahirkan-lama
    questions: [berapa hari cuti melahirkan]
    answer: {id: "Tiga bulan.", en: "Three months."}
    cites: ["PP 11/2017 Ps. 325"]
    expires: 2026-11-30
""",
        encoding="utf-8",
    )
    ayo = await build_app(settings.model_copy(update={"faq_path": faq}), clock=clock)
    try:
        dimas = await nip_of(ayo, EMPLOYEE)
        got = await say(ayo, dimas, "berapa hari cuti melahirkan")
        assert "Tiga bulan" not in text_of(got)
        assert got[0].text.startswith("Maaf, saya belum punya jawaban yang pasti")
        got = await press(ayo, dimas, button(got, "Bicara dengan petugas"))
        assert "petugas" in text_of(got).lower()
    finally:
        await ayo.close()


async def test_the_answer_follows_the_users_language(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "english")
    got = await say(ayo, dimas, "how long is maternity leave")
    assert "Maternity leave for PNS is **3 months**" in text_of(got)
    assert "Basis: PP 11/2017 Ps. 325" in text_of(got)


async def test_a_faq_question_inside_a_form_is_answered_and_the_question_asked_again(
    ayo: App,
) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "mau cuti tahunan besok 2 hari")
    got = await say(ayo, dimas, "kapan cuti bersama 2026")
    assert got[0].text.startswith("Cuti bersama ASN tahun 2026 (8 hari):")
    assert got[-1].text.startswith("Apa keperluan cutinya?")
    got = await say(ayo, dimas, "urusan keluarga")
    assert "Keperluan: urusan keluarga" in text_of(got)
    assert "cuti bersama" not in text_of(got).lower()
