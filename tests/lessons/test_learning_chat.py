"""Learning through the chat: reminder time, pause, resume, opt-out, team progress and nudges."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.app import App
from core.clock import FixedClock
from core.storage.models import LearnerPrefs, LearningEvent, OutboxItem, StoredLesson
from tests.support.learning import answer_quiz, at, employee, sweep

DIMAS, NURUL, SRI, AGUS = "Dimas Prasetyo", "Nurul Hidayah", "Sri Wahyuni", "Agus Setiawan"
DAY = date(2026, 12, 1)


async def say(ayo: App, nip: str, text: str | None = None, button: str | None = None) -> list:
    await ayo.local.say(nip, text=text, button=button)
    return await ayo.local.collect(nip)


async def prefs(ayo: App, employee_id: int) -> LearnerPrefs | None:
    async with ayo.db.sessions() as session:
        return await session.get(LearnerPrefs, employee_id)


async def test_ingatkan_belajar_jam_7_pagi_moves_the_morning_push_to_seven(
    ayo: App, clock: FixedClock
) -> None:
    dimas = await employee(ayo, DIMAS)
    at(clock, DAY, 6)
    [reply] = await say(ayo, dimas.nip, "ingatkan belajar jam 7 pagi")
    assert reply.text == "Baik, pelajaran akan dikirim setiap hari kerja pukul 07:00."
    at(clock, DAY, 6, 59)
    assert await sweep(ayo) == 0
    at(clock, DAY, 7)
    assert await sweep(ayo) == 1
    assert len(await ayo.local.collect(dimas.nip)) == 2


async def test_a_reminder_request_without_a_time_asks_and_bad_answers_get_a_friendly_hint(
    ayo: App,
) -> None:
    dimas = await employee(ayo, DIMAS)
    [ask] = await say(ayo, dimas.nip, "ubah jam pengingat")
    assert ask.text.startswith("Jam berapa Anda ingin diingatkan belajar")
    [unreadable] = await say(ayo, dimas.nip, "besok saja")
    assert unreadable.text.startswith("Maaf, jamnya belum terbaca.")
    [night] = await say(ayo, dimas.nip, "jam 23")
    assert night.text.startswith("Pengingat bisa dipasang antara pukul 05.00 dan 21.00")
    assert await prefs(ayo, dimas.id) is None
    [done] = await say(ayo, dimas.nip, "07.30")
    assert done.text == "Baik, pelajaran akan dikirim setiap hari kerja pukul 07:30."
    saved = await prefs(ayo, dimas.id)
    assert saved is not None
    assert saved.reminder_time == "07:30"


async def test_matikan_pengingat_stops_the_morning_push(ayo: App, clock: FixedClock) -> None:
    dimas = await employee(ayo, DIMAS)
    at(clock, DAY, 7)
    [reply] = await say(ayo, dimas.nip, "matikan pengingat")
    assert reply.text.startswith("Pengingat belajar dimatikan.")
    at(clock, DAY, 9)
    assert await sweep(ayo) > 0  # the others still get theirs
    assert await ayo.local.collect(dimas.nip) == []


@pytest.mark.parametrize("words", ["nyalakan pengingat", "aktifkan pengingat"])
async def test_nyalakan_and_aktifkan_pengingat_turn_the_morning_push_back_on(
    ayo: App, clock: FixedClock, words: str
) -> None:
    dimas = await employee(ayo, DIMAS)
    at(clock, DAY, 7)
    await say(ayo, dimas.nip, "matikan pengingat")
    [reply] = await say(ayo, dimas.nip, words)
    assert reply.text == "Pengingat belajar menyala lagi, setiap hari kerja pukul 08:00."
    at(clock, DAY, 8)
    await sweep(ayo)
    assert len(await ayo.local.collect(dimas.nip)) == 2


@pytest.mark.parametrize("words", ["lanjut", "kirim"])
async def test_a_lone_word_of_another_flow_never_changes_the_setting(
    ayo: App, clock: FixedClock, words: str
) -> None:
    dimas = await employee(ayo, DIMAS)
    at(clock, DAY, 7)
    await say(ayo, dimas.nip, "matikan pengingat")
    replies = await say(ayo, dimas.nip, words)
    assert "Pengingat belajar menyala lagi" not in " ".join(r.text for r in replies)
    saved = await prefs(ayo, dimas.id)
    assert saved is not None and saved.paused
    offer = next(r for r in replies if r.buttons)
    assert offer.text == "Maksud Anda menyalakan pengingat belajar?"
    [done] = await say(ayo, dimas.nip, button=offer.buttons[0][1])
    assert done.text == "Pengingat belajar menyala lagi, setiap hari kerja pukul 08:00."


async def test_the_hide_my_name_button_hides_me_from_colleagues_boards(
    ayo: App, clock: FixedClock
) -> None:
    dimas, nurul = await employee(ayo, DIMAS), await employee(ayo, NURUL)
    at(clock, DAY, 9)
    await sweep(ayo)
    for person in (dimas, nurul):
        await answer_quiz(ayo, person, DAY, await ayo.local.collect(person.nip))
    assert NURUL in (await say(ayo, dimas.nip, "papan peringkat"))[0].text
    [board] = await say(ayo, nurul.nip, "papan peringkat")
    assert board.buttons[0][0] == "Sembunyikan nama saya"
    [hidden] = await say(ayo, nurul.nip, button=board.buttons[0][1])
    assert hidden.text == "Nama Anda tidak akan tampil di papan peringkat."
    seen_by_dimas = (await say(ayo, dimas.nip, "papan peringkat"))[0].text
    assert NURUL not in seen_by_dimas
    assert DIMAS in seen_by_dimas
    [own] = await say(ayo, nurul.nip, "papan peringkat")
    assert "(nama Anda disembunyikan)" in own.text
    assert own.buttons[0][0] == "Tampilkan nama saya"


async def nudge_button(ayo: App, nip: str, first_name: str) -> str:
    [team] = await say(ayo, nip, "progres tim")
    return dict(team.buttons)[f"🔔 Ingatkan {first_name}"]


async def nudges_to(ayo: App, employee_id: int) -> int:
    async with ayo.db.sessions() as session:
        query = select(func.count(OutboxItem.id)).where(
            OutboxItem.employee_id == employee_id, OutboxItem.idempotency_key.like("team.nudge:%")
        )
        return (await session.execute(query)).scalar_one()


async def test_a_nudge_reaches_the_member_once_however_often_it_is_pressed(ayo: App) -> None:
    sri, dimas = await employee(ayo, SRI), await employee(ayo, DIMAS)
    token = await nudge_button(ayo, sri.nip, "Dimas")
    [sent] = await say(ayo, sri.nip, button=token)
    assert sent.text == "Pengingat terkirim ke Dimas Prasetyo."
    [push] = await ayo.local.collect(dimas.nip)
    assert push.text.startswith("👋 Halo! Sri mengingatkan: yuk luangkan 5 menit belajar")
    [again] = await say(ayo, sri.nip, button=token)
    assert again.text == "Tombol ini sudah dipakai sebelumnya."
    # A fresh button from a second look at the team: still one nudge a day.
    [later] = await say(ayo, sri.nip, button=await nudge_button(ayo, sri.nip, "Dimas"))
    assert later.text.startswith("Dimas Prasetyo sudah diingatkan hari ini.")
    assert await ayo.local.collect(dimas.nip) == []
    assert await nudges_to(ayo, dimas.id) == 1


async def test_nobody_but_the_supervisor_can_press_the_nudge_button(ayo: App) -> None:
    sri, dimas, nurul = [await employee(ayo, n) for n in (SRI, DIMAS, NURUL)]
    token = await nudge_button(ayo, sri.nip, "Dimas")
    [refused] = await say(ayo, nurul.nip, button=token)
    assert refused.text == "Maaf, tombol ini bukan untuk Anda."
    assert await ayo.local.collect(dimas.nip) == []
    assert await nudges_to(ayo, dimas.id) == 0


async def test_a_head_of_unit_sees_the_whole_subtree_most_behind_first(
    ayo: App, clock: FixedClock
) -> None:
    agus, dimas, nurul = [await employee(ayo, n) for n in (AGUS, DIMAS, NURUL)]
    async with ayo.db.transaction() as session:
        lesson = (await session.execute(select(StoredLesson.id))).scalars().first()
        for person, minutes in ((dimas, 90), (nurul, 45)):
            session.add(
                LearningEvent(
                    employee_id=person.id,
                    lesson_id=lesson,
                    activity_type="e-learning (microlearning)",
                    competency="teknis",
                    provider="test",
                    material="test",
                    start_date=date(2026, 11, 2),
                    end_date=date(2026, 11, 2),
                    minutes=minutes,
                    jp=minutes / 45,
                    created_at=clock(),
                )
            )
    [team] = await say(ayo, agus.nip, "progres tim")
    members = [line for line in team.text.splitlines() if line.startswith(("✅", "⚠️", "ℹ️"))]
    names = [line.split(":")[0][2:].strip() for line in members]
    # Sri reports to Agus; the other five report to Sri.
    assert sorted(names) == sorted(
        [SRI, DIMAS, NURUL, "Fajar Nugroho", "Putri Amelia", "Rizky Ramadhan"]
    )
    assert names[-2:] == [NURUL, DIMAS]
    assert members[-1].endswith("· tim Sri")
    assert not next(m for m in members if SRI in m).endswith("· tim Sri")
    # Fajar and Putri are PPPK: 24 JP is their ceiling (PP 49/2018 Ps. 39), so nobody counts
    # them as behind; the four PNS are.
    assert "ℹ️ Fajar Nugroho: 0.0 JP (PPPK, paling banyak 24 JP) · tim Sri" in members
    assert "ℹ️ Putri Amelia: 0.0 JP (PPPK, paling banyak 24 JP) · tim Sri" in members
    assert team.text.endswith("4 dari 6 orang belum sesuai jalur untuk target akhir tahun.")
