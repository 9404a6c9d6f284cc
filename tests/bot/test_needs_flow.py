"""The needs analysis (AKPK) in the chat: employee rates, supervisor confirms or adjusts."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from core.storage.models import AuditEvent, Employee, LearningDay, NeedsAnalysis
from tests.support.ayo_chat import button, nip_of, press, say, text_of

EMPLOYEE = "Dimas Prasetyo"  # Pranata Komputer Ahli Pertama: the IT family, 7 competencies
SUPERVISOR = "Sri Wahyuni"
# The IT family's competencies in the file's order and the levels Dimas gives himself.
DIMAS_RATES = {
    "Keamanan informasi": "2",
    "SPBE (pemerintahan digital)": "1",
    "Pelindungan data pribadi": "3",
    "Literasi digital": "4",
    "Pelayanan publik": "2",
    "Integritas dan antikorupsi": "3",
    "Nilai dasar ASN BerAKHLAK": "3",
}


async def rate_all(ayo: App, nip: str) -> list:
    got = await say(ayo, nip, "analisis kebutuhan")
    for title, level in DIMAS_RATES.items():
        assert title in text_of(got)
        label = next(shown for m in got for shown, _ in m.buttons if shown.startswith(level))
        got = await press(ayo, nip, button(got, label))
    return got


async def test_the_employee_rates_and_the_supervisor_confirms_and_the_gaps_steer_lessons(
    ayo: App,
) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    sri = await nip_of(ayo, SUPERVISOR)
    got = await rate_all(ayo, dimas)
    summary = text_of(got)
    assert "Penilaian diri Anda 2026" in summary
    assert "• Keamanan informasi: 2 (standar 3) ⚠️ kurang 1" in summary
    assert "• SPBE (pemerintahan digital): 1 (standar 3) ⚠️ kurang 2" in summary
    assert "• Literasi digital: 4 (standar 3)\n" in summary
    got = await press(ayo, dimas, button(got, "📤 Kirim ke atasan"))
    assert "Terkirim ke Sri Wahyuni" in text_of(got)

    digest = await ayo.local.collect(sri)
    assert "Dimas Prasetyo · Pranata Komputer Ahli Pertama" in text_of(digest)
    assert "• Pelayanan publik: 2 (standar 2)\n" in text_of(digest)
    got = await press(ayo, sri, button(digest, "✅ Konfirmasi"))
    assert "dikonfirmasi: 2 kesenjangan" in text_of(got)

    told = text_of(await ayo.local.collect(dimas))
    assert "Sri Wahyuni telah mengonfirmasi" in told
    assert told.index("SPBE (pemerintahan digital): 1 dari standar 3") < told.index(
        "Keamanan informasi: 2 dari standar 3"
    )
    assert "Kursus: " in told
    async with ayo.db.sessions() as session:
        row = (await session.execute(select(NeedsAnalysis))).scalar_one()
    assert (row.status, row.confirmed["spbe"], row.confirmed["keamanan_informasi"]) == (
        "confirmed",
        1,
        2,
    )

    # The widest gap (SPBE) decides today's lesson: an SPBE lesson, not BerAKHLAK's first.
    got = await say(ayo, dimas, "belajar")
    async with ayo.db.sessions() as session:
        plan = (await session.execute(select(LearningDay))).scalar_one()
    assert plan.lesson_id is not None and plan.lesson_id.startswith("spbe-")


async def test_without_an_analysis_the_first_lesson_is_the_usual_one(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "belajar")
    async with ayo.db.sessions() as session:
        plan = (await session.execute(select(LearningDay))).scalar_one()
    assert plan.lesson_id == "berakhlak-01-pengantar"


async def test_the_supervisor_adjusts_a_level_before_confirming(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    sri = await nip_of(ayo, SUPERVISOR)
    got = await rate_all(ayo, dimas)
    await press(ayo, dimas, button(got, "📤 Kirim ke atasan"))
    digest = await ayo.local.collect(sri)
    got = await press(ayo, sri, button(digest, "✏️ Sesuaikan"))
    got = await press(ayo, sri, button(got, "Literasi digital: 4"))
    assert "Dimas menilai 4; standar 3" in text_of(got)
    got = await press(ayo, sri, button(got, "2 · Dasar (perlu bimbingan)"))
    assert "• Literasi digital: 2 (standar 3) (diubah dari 4) ⚠️ kurang 1" in text_of(got)
    got = await press(ayo, sri, button(got, "✅ Konfirmasi"))
    assert "dikonfirmasi: 3 kesenjangan" in text_of(got)
    told = text_of(await ayo.local.collect(dimas))
    assert "Literasi digital: 2 dari standar 3" in told
    async with ayo.db.sessions() as session:
        row = (await session.execute(select(NeedsAnalysis))).scalar_one()
        audit = (
            await session.execute(select(AuditEvent).where(AuditEvent.action == "needs.confirmed"))
        ).scalar_one()
    assert (row.ratings["literasi_digital"], row.confirmed["literasi_digital"]) == (4, 2)
    assert audit.detail["adjusted"] == ["literasi_digital"]


async def test_a_typed_level_is_an_answer_and_a_level_off_the_scale_gets_a_hint(
    ayo: App,
) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "analisis kebutuhan")
    got = await say(ayo, dimas, "7")
    assert text_of(got) == "Tulis angka 1 sampai 4."
    got = await say(ayo, dimas, "3")
    assert "Kompetensi 2/7: SPBE (pemerintahan digital)" in text_of(got)
    async with ayo.db.sessions() as session:
        row = (await session.execute(select(NeedsAnalysis))).scalar_one()
    assert row.ratings == {"keamanan_informasi": 3}
    # Asking again resumes where it stopped instead of starting over.
    got = await say(ayo, dimas, "analisis kebutuhan")
    assert "Kompetensi 2/7: SPBE (pemerintahan digital)" in text_of(got)


async def test_only_the_employees_supervisor_may_press_the_digest_buttons(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    sri = await nip_of(ayo, SUPERVISOR)
    got = await rate_all(ayo, dimas)
    await press(ayo, dimas, button(got, "📤 Kirim ke atasan"))
    digest = await ayo.local.collect(sri)
    confirm = button(digest, "✅ Konfirmasi")

    # The employee pressing the supervisor's token: refused by the token's owner check.
    got = await press(ayo, dimas, confirm)
    assert text_of(got) == "Maaf, tombol ini bukan untuk Anda."
    # A made-up token: refused, nothing changes.
    got = await press(ayo, sri, "forged-token-123")
    assert text_of(got).startswith("Tombol ini tidak dikenali")

    # Dimas moves to another supervisor: Sri's buttons are refused by the server-side check.
    async with ayo.db.transaction() as session:
        employee = (
            await session.execute(select(Employee).where(Employee.name == EMPLOYEE))
        ).scalar_one()
        boss = (
            await session.execute(select(Employee).where(Employee.name == "Agus Setiawan"))
        ).scalar_one()
        employee.supervisor_id = boss.id
    got = await press(ayo, sri, confirm)
    assert "hanya atasan langsung pegawai ini" in text_of(got)
    async with ayo.db.sessions() as session:
        row = (await session.execute(select(NeedsAnalysis))).scalar_one()
        refused = (
            (
                await session.execute(
                    select(AuditEvent.action).where(AuditEvent.action.like("needs.refused.%"))
                )
            )
            .scalars()
            .all()
        )
    assert row.status == "submitted"
    assert refused == ["needs.refused.not_supervisor"]


async def test_the_supervisor_sees_the_teams_gaps_and_progress(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    sri = await nip_of(ayo, SUPERVISOR)
    got = await rate_all(ayo, dimas)
    await press(ayo, dimas, button(got, "📤 Kirim ke atasan"))
    digest = await ayo.local.collect(sri)
    got = await say(ayo, sri, "kebutuhan tim")
    team = text_of(got)
    assert "🧭 Kebutuhan kompetensi tim 2026" in team
    assert "• Dimas Prasetyo: menunggu konfirmasi · 0,0 JP" in team
    assert "• Nurul Hidayah: belum mengisi AKPK · 0,0 JP" in team
    got = await press(ayo, sri, button(got, "📋 Tinjau Dimas"))
    got = await press(ayo, sri, button(got, "✅ Konfirmasi"))
    # The first digest's own button is still unused, but the analysis no longer waits.
    late = await press(ayo, sri, button(digest, "✅ Konfirmasi"))
    assert text_of(late) == "Analisis kebutuhan ini tidak sedang menunggu konfirmasi."
    team = text_of(await say(ayo, sri, "kebutuhan tim"))
    assert (
        "• Dimas Prasetyo: kesenjangan: SPBE (pemerintahan digital) (2), Keamanan informasi (1)"
        " · 0,0 JP" in team
    )
    common = "Kesenjangan paling umum: SPBE (pemerintahan digital) (1), Keamanan informasi (1)"
    assert common in team
    assert "1 dari 5 orang sudah dikonfirmasi." in team


async def test_an_employee_without_a_supervisor_is_told_to_contact_hr(ayo: App) -> None:
    budi = await nip_of(ayo, "Budi Santoso")  # the head of Diskominfo reports to nobody
    got = await say(ayo, budi, "analisis kebutuhan")
    assert "Atasan langsung Anda belum tercatat" in text_of(got)


async def test_the_hr_officer_sees_the_citys_most_common_gaps(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    sri = await nip_of(ayo, SUPERVISOR)
    got = await rate_all(ayo, dimas)
    await press(ayo, dimas, button(got, "📤 Kirim ke atasan"))
    await press(ayo, sri, button(await ayo.local.collect(sri), "✅ Konfirmasi"))
    wulan = await nip_of(ayo, "Wulan Sari")
    city = text_of(await say(ayo, wulan, "kebutuhan tim"))
    assert city == (
        "🏙️ Kesenjangan kompetensi paling umum 2026 (seluruh OPD)\n"
        "• SPBE (pemerintahan digital): 1 pegawai, rata-rata kurang 2,0\n"
        "• Keamanan informasi: 1 pegawai, rata-rata kurang 1,0\n"
        "AKPK: 1 dikonfirmasi, 0 menunggu atasan, 0 belum selesai. Rincian: ayo learning gaps."
    )


async def test_starting_over_clears_the_ratings(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    got = await rate_all(ayo, dimas)
    got = await press(ayo, dimas, button(got, "🔁 Ulangi"))
    assert "Kompetensi 1/7: Keamanan informasi" in text_of(got)
    async with ayo.db.sessions() as session:
        row = (await session.execute(select(NeedsAnalysis))).scalar_one()
    assert (row.status, row.ratings) == ("draft", {})


async def test_other_words_while_rating_are_a_new_message(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "analisis kebutuhan")
    got = await say(ayo, dimas, "sisa cuti saya berapa")
    assert "Sisa cuti" in text_of(got) or "sisa cuti" in text_of(got).lower()
    assert "Kompetensi" not in text_of(got)


async def test_asking_again_says_where_the_analysis_stands(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    sri = await nip_of(ayo, SUPERVISOR)
    got = await rate_all(ayo, dimas)
    await press(ayo, dimas, button(got, "📤 Kirim ke atasan"))
    got = await say(ayo, dimas, "analisis kebutuhan")
    assert text_of(got) == (
        "Analisis kebutuhan 2026 Anda sudah dikirim ke Sri Wahyuni dan menunggu konfirmasi."
    )
    await press(ayo, sri, button(await ayo.local.collect(sri), "✅ Konfirmasi"))
    await ayo.local.collect(dimas)
    got = await say(ayo, dimas, "analisis kebutuhan")
    assert text_of(got).startswith("✅ Analisis kebutuhan 2026 Anda sudah dikonfirmasi.")
    assert "• SPBE (pemerintahan digital): 1 dari standar 3" in text_of(got)
