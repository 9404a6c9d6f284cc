"""Multi-answer toggling, leaderboards in small groups by local week, and the record's provider."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.app import App
from core.clock import FixedClock
from core.storage.models import (
    Employee,
    LearningDay,
    LearningEvent,
    OrgUnit,
    QuizAnswer,
    StoredQuestion,
)
from lessons.leaderboard import weekly_board
from lessons.records import question_view
from tests.support.learning import answer_quiz, at, employee

DAY = date(2026, 12, 1)


async def test_a_multi_answer_tap_toggles_and_shows_the_picks_then_send_grades(
    ayo: App, clock: FixedClock
) -> None:
    dimas = await employee(ayo, "Dimas Prasetyo")
    async with ayo.db.transaction() as session:
        row = next(
            q
            for q in (await session.execute(select(StoredQuestion))).scalars()
            if q.data["kind"] == "multi"
        )
        question = question_view(row)
        session.add(
            LearningDay(
                employee_id=dimas.id, day=DAY, question_ids=[row.id], picked=[], created_at=clock()
            )
        )
    right = sorted(question.correct)
    wrong = next(i for i in range(len(question.options)) if i not in question.correct)
    letters = "ABCDEFGH"

    async def tap(message, i: int):
        await ayo.local.say(dimas.nip, button=message.buttons[i][1])
        [shown] = await ayo.local.collect(dimas.nip)
        return shown

    await ayo.local.say(dimas.nip, text="belajar")
    [shown] = await ayo.local.collect(dimas.nip)
    assert "Pilihan Anda: belum ada." in shown.text
    first = shown
    shown = await tap(shown, wrong)
    assert f"Pilihan Anda: {letters[wrong]}" in shown.text
    assert shown.buttons[wrong][0].startswith(f"✅ {letters[wrong]}. ")
    shown = await tap(shown, right[0])
    assert (
        f"Pilihan Anda: {', '.join(sorted(letters[i] for i in (wrong, right[0])))}" in shown.text
    )
    shown = await tap(shown, wrong)  # tapping again unselects
    assert f"Pilihan Anda: {letters[right[0]]}\n" in shown.text
    assert not shown.buttons[wrong][0].startswith("✅")
    # Only the newest copy of the question can be pressed.
    await ayo.local.say(dimas.nip, button=first.buttons[wrong][1])
    assert (await ayo.local.collect(dimas.nip))[0].text == "Tombol ini sudah dipakai sebelumnya."
    for i in right[1:]:
        shown = await tap(shown, i)
    assert f"Pilihan Anda: {', '.join(letters[i] for i in right)}\n" in shown.text
    assert shown.buttons[-1][0] == "📨 Kirim jawaban"
    await ayo.local.say(dimas.nip, button=shown.buttons[-1][1])
    feedback = (await ayo.local.collect(dimas.nip))[0]
    assert feedback.text.startswith("✅ Benar!")
    async with ayo.db.sessions() as session:
        answer = (await session.execute(select(QuizAnswer))).scalar_one()
    assert answer.choice == right


async def add_points(ayo: App, person: Employee, day: date, right_answers: int) -> None:
    async with ayo.db.transaction() as session:
        question = (await session.execute(select(StoredQuestion.id))).scalars().first()
        for _ in range(right_answers):
            session.add(
                QuizAnswer(
                    employee_id=person.id,
                    question_id=question,
                    day=day,
                    choice=[0],
                    correct=True,
                    at=ayo.deps.clock(),
                )
            )


async def test_a_large_opd_ranks_people_within_their_own_bidang(ayo: App) -> None:
    dimas, bayu = await employee(ayo, "Dimas Prasetyo"), await employee(ayo, "Bayu Saputra")
    await add_points(ayo, dimas, DAY, 1)
    await add_points(ayo, bayu, DAY, 2)
    async with ayo.db.sessions() as session:
        small = await weekly_board(session, dimas, DAY)
    assert small.group_code == "DISKOMINFO"
    assert [e.name for e in small.entries] == ["Bayu Saputra", "Dimas Prasetyo"]
    # Twenty more people in the secretariat: Diskominfo now has 35, so boards go per bidang.
    async with ayo.db.transaction() as session:
        sek = (
            await session.execute(select(OrgUnit).where(OrgUnit.code == "DISKOMINFO-SEK"))
        ).scalar_one()
        for n in range(20):
            born = date(1990, 1, 1) + timedelta(days=n)
            session.add(
                Employee(
                    nip=f"{born:%Y%m%d}201503{1}{n + 100:03d}",
                    name=f"Staf Sekretariat {n}",
                    unit_id=sek.id,
                    service_start=date(2015, 3, 1),
                )
            )
    async with ayo.db.sessions() as session:
        mine = await weekly_board(session, dimas, DAY)
        theirs = await weekly_board(session, bayu, DAY)
    assert (mine.group_code, mine.group_name) == (
        "DISKOMINFO-APTIKA",
        "Bidang Aplikasi Informatika",
    )
    assert [e.name for e in mine.entries] == ["Dimas Prasetyo"]
    assert theirs.group_code == "DISKOMINFO-SEK"
    assert [e.name for e in theirs.entries] == ["Bayu Saputra"]


async def test_points_count_in_the_employees_local_week_not_the_utc_one(
    ayo: App, clock: FixedClock
) -> None:
    dimas = await employee(ayo, "Dimas Prasetyo")
    async with ayo.db.transaction() as session:
        (await session.get(Employee, dimas.id)).timezone = "Asia/Jayapura"
    monday = date(2026, 12, 7)
    # 05:30 in Jakarta is 07:30 on Monday in Jayapura, still Sunday 22:30 in UTC.
    at(clock, monday, 5, 30)
    assert clock().date() == date(2026, 12, 6)
    await ayo.local.say(dimas.nip, text="belajar")
    seen = await answer_quiz(ayo, dimas, monday, await ayo.local.collect(dimas.nip))
    assert seen[-1].text.startswith("🎉 Selesai untuk hari ini!")
    async with ayo.db.sessions() as session:
        plan = await session.get(LearningDay, (dimas.id, monday))
        this_week = await weekly_board(session, dimas, monday)
        last_week = await weekly_board(session, dimas, monday - timedelta(days=1))
    assert plan is not None
    assert this_week.mine == 10 * plan.correct + 5
    assert last_week.mine == 0


async def test_learning_records_name_the_configured_provider(ayo: App, clock: FixedClock) -> None:
    dimas = await employee(ayo, "Dimas Prasetyo")
    at(clock, DAY, 9)
    await ayo.local.say(dimas.nip, text="belajar")
    await answer_quiz(ayo, dimas, DAY, await ayo.local.collect(dimas.nip))
    async with ayo.db.sessions() as session:
        event = (await session.execute(select(LearningEvent))).scalar_one()
    assert event.provider == "Ayo – Pemerintah Kota Harapan" == ayo.settings.learning_provider
