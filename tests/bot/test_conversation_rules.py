"""A conversation that never traps, misleads or forgets: global commands at every point,
answers that read as another request, status and negation, two requests in one message."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App
from core.storage.models import Employee, ServiceRequest
from tests.support.ayo_chat import button, nip_of, press, say, text_of
from tests.support.console import ayo_env, chat

EMPLOYEE = "Dimas Prasetyo"
DIMAS = "199402172019031005"
LEAVE_REASON_QUESTION = "Apa keperluan cutinya? (singkat saja)"


async def requests_filed(ayo: App) -> int:
    async with ayo.db.sessions() as session:
        return (await session.execute(select(func.count()).select_from(ServiceRequest))).scalar()


async def test_menu_inside_a_form_is_the_menu_and_keeps_the_draft(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "mau cuti tahunan besok 2 hari")
    got = await say(ayo, dimas, "menu")
    assert "Keperluan: menu" not in text_of(got)
    assert "Apa yang bisa saya bantu?" in text_of(got)
    assert "Draf Permohonan cuti disimpan" in text_of(got)
    got = await say(ayo, dimas, "mau cuti tahunan")
    got = await press(ayo, dimas, button(got, "Lanjutkan draf"))
    assert LEAVE_REASON_QUESTION in text_of(got)
    assert await requests_filed(ayo) == 0


@pytest.mark.parametrize("word", ["bantuan", "help", "Bantuan!"])
async def test_help_inside_a_form_helps_and_asks_the_same_question_again(
    ayo: App, word: str
) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "printer rusak")
    got = await say(ayo, dimas, word)
    assert "Perintah yang selalu bisa dipakai" in text_of(got)
    assert got[-1].text.startswith("Ceritakan masalahnya singkat.")
    got = await say(ayo, dimas, "tidak bisa mencetak")
    assert "Keterangan: bantuan" not in text_of(got)
    assert "Di ruangan mana?" in text_of(got)


async def test_a_global_word_inside_a_longer_answer_is_an_answer(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "mau cuti tahunan besok 2 hari")
    got = await say(ayo, dimas, "menu makan siang rapat")
    assert "Keperluan: menu makan siang rapat" in text_of(got)
    assert "Maksud Anda" not in text_of(got)


@pytest.mark.parametrize("word", ["back", "kembali"])
async def test_back_in_english_and_indonesian_undoes_the_last_answer(ayo: App, word: str) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "mau cuti tahunan besok 2 hari")
    got = await say(ayo, dimas, word)
    assert "Tanggal berapa?" in text_of(got)


async def test_back_with_nothing_open_says_so(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    got = await say(ayo, dimas, "kembali")
    assert text_of(got) == "Tidak ada langkah sebelumnya. Ketik menu untuk pilihan."


@pytest.mark.parametrize("word", ["cancel", "batal"])
async def test_cancel_in_either_language_drops_the_form(ayo: App, word: str) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "mau cuti tahunan besok 2 hari")
    got = await say(ayo, dimas, word)
    assert text_of(got) == "Baik, dibatalkan. Ketik menu untuk pilihan lain."
    got = await say(ayo, dimas, "acara keluarga")
    assert "Ringkasan" not in text_of(got)


async def test_english_is_stored_on_the_employee_and_changes_every_later_message(
    ayo: App,
) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "mau cuti tahunan besok 2 hari")
    got = await say(ayo, dimas, "english please")
    assert got[0].text == "OK, I will use English from now on."
    assert got[1].text.startswith("What is the leave for?")
    got = await say(ayo, dimas, "menu")
    assert "How can I help?" in text_of(got)
    assert ("Request leave", got[-1].buttons[0][1]) in got[-1].buttons
    async with ayo.db.sessions() as session:
        stored = (
            await session.execute(select(Employee.language).where(Employee.nip == dimas))
        ).scalar_one()
    assert stored == "en"
    got = await say(ayo, dimas, "bahasa indonesia")
    assert text_of(got) == "Baik, sekarang saya memakai Bahasa Indonesia."


async def test_the_language_question_offers_both_as_buttons(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    got = await say(ayo, dimas, "bahasa")
    assert [label for label, _ in got[0].buttons] == ["Bahasa Indonesia", "English"]
    got = await press(ayo, dimas, button(got, "English"))
    assert text_of(got) == "OK, I will use English from now on."


async def test_another_request_typed_into_a_form_is_offered_as_a_switch_not_stored(
    ayo: App,
) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "mau pinjam mobil")
    got = await say(ayo, dimas, "besok")
    assert "Berangkat jam berapa?" in text_of(got)
    got = await say(ayo, dimas, "mau cuti tahunan 21-23 des")
    assert text_of(got) == "Maksud Anda Permohonan cuti?"
    assert [label for label, _ in got[0].buttons] == [
        "Beralih ke Permohonan cuti",
        "Itu jawaban saya",
    ]
    got = await say(ayo, dimas, "sisa cuti")
    assert "Beralih ke Sisa cuti" in [label for m in got for label, _ in m.buttons]
    assert "Tujuan: sisa cuti" not in text_of(got)


async def test_an_ordinary_place_answer_is_not_taken_for_a_room_booking(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "printer rusak")
    await say(ayo, dimas, "tidak bisa mencetak")
    got = await say(ayo, dimas, "Ruang Bidang Aplikasi lt 2")
    assert "Maksud Anda" not in text_of(got)
    assert "Ruang Bidang Aplikasi lt 2" in text_of(got)


@pytest.mark.parametrize(
    "words",
    [
        "jangan batalkan cuti saya",
        "progres permintaan peminjaman mobil",
        "status permintaan peminjaman mobil",
        "apakah cuti saya sudah disetujui",
    ],
)
async def test_negation_and_status_questions_go_to_status(ayo: App, words: str) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    got = await say(ayo, dimas, words)
    assert text_of(got) == "Anda belum punya permohonan."


async def test_thanks_with_a_question_answers_the_question(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    got = await say(ayo, dimas, "makasih, sekalian mau tanya sisa cuti")
    assert text_of(got).startswith("Sisa cuti tahunan 2026: 12 hari")


async def test_two_requests_serve_the_action_and_add_the_other(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    got = await say(ayo, dimas, "mau cuti tahunan besok 2 hari, sekalian cek sisa cuti")
    assert LEAVE_REASON_QUESTION in got[0].text
    assert got[-1].text.startswith("Sekalian: Sisa cuti tahunan 2026: 12 hari")


@pytest.mark.parametrize(
    ("words", "then"),
    [
        # The date goes with the choice: March 2026 is past, so the leave form asks the year.
        ("tgl 3-5 maret", "tahun ini (sudah lewat) atau tahun depan?"),
        ("senin depan", "Permohonan cuti"),
    ],
)
async def test_a_date_alone_asks_what_it_is_for(ayo: App, words: str, then: str) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    got = await say(ayo, dimas, words)
    assert got[0].text == "Untuk tanggal itu, Anda ingin apa?"
    assert [label for label, _ in got[0].buttons] == [
        "Ajukan cuti",
        "Ajukan izin",
        "Pinjam ruang rapat",
        "Pinjam kendaraan dinas",
    ]
    got = await press(ayo, dimas, button(got, "Ajukan cuti"))
    assert then in text_of(got)


async def test_mo_cuti_lusa_3hr_is_three_days(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "mo cuti tahunan lusa 3hr")
    got = await say(ayo, dimas, "urusan keluarga")
    assert "Tanggal: Kamis, 3 Desember 2026 s.d. Senin, 7 Desember 2026" in text_of(got)
    assert "Lama: 3 hari" in text_of(got)


async def test_global_commands_through_the_console_contract(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    out = chat(
        DIMAS,
        ["mau cuti tahunan besok 2 hari", "menu", "english", "help", "cancel"],
        ayo_env(database_url, tmp_path),
    )
    texts = [o["text"] for o in out]
    assert "Keperluan: menu" not in "\n".join(texts)
    assert any(t == "Apa yang bisa saya bantu?" for t in texts)
    assert "OK, I will use English from now on." in texts
    assert any(t.startswith("I am Ayo") for t in texts)
    assert texts[-1] == "Nothing is in progress. Type menu for options."


async def test_a_choice_typed_nearly_right_is_asked_back_not_taken(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "mau cuti")
    got = await say(ayo, dimas, "tahunn")
    assert got[0].text == "Maksud Anda Cuti tahunan?"
    assert [label for label, _ in got[0].buttons] == ["Ya, Cuti tahunan"]
    got = await press(ayo, dimas, button(got, "Ya, Cuti tahunan"))
    assert "Tanggal berapa?" in text_of(got)


async def test_a_re_prompt_keeps_the_choice_buttons(ayo: App) -> None:
    dimas = await nip_of(ayo, EMPLOYEE)
    await say(ayo, dimas, "mau cuti")
    got = await say(ayo, dimas, "xyzzy qwerty")
    assert got[0].text.startswith("Pilih salah satu: Cuti tahunan")
    labels = [label for label, _ in got[-1].buttons]
    assert labels[:2] == ["Cuti tahunan", "Cuti sakit"]
    got = await press(ayo, dimas, button(got, "Cuti sakit"))
    assert "Tanggal berapa?" in text_of(got)
