"""A month of learning with a fixed clock: JP, streak and leaderboard come out right."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from bot.app import App
from core.clock import FixedClock
from core.storage.models import LearningEvent, LessonProgress, ReviewCard, StoredLesson
from lessons.leaderboard import weekly_board
from lessons.progress import year_progress
from lessons.quiz import current_streak
from tests.support.learning import answer_quiz, approve_leave, at, employee, sweep

DECEMBER = [date(2026, 12, 1) + timedelta(days=n) for n in range(31)]
LEAVE = (date(2026, 12, 14), date(2026, 12, 15))


async def test_a_month_of_daily_lessons_adds_up(ayo: App, clock: FixedClock) -> None:
    dimas = await employee(ayo, "Dimas Prasetyo")
    nurul = await employee(ayo, "Nurul Hidayah")
    await approve_leave(ayo, dimas, *LEAVE)
    calendar = ayo.deps.calendar
    learnt: list[date] = []
    for day in DECEMBER:
        at(clock, day, 9)
        await sweep(ayo)
        got = await ayo.local.collect(dimas.nip)
        if not calendar.is_working_day(day) or LEAVE[0] <= day <= LEAVE[1]:
            assert got == [], day
            await ayo.local.collect(nurul.nip)
            continue
        seen = await answer_quiz(ayo, dimas, day, got)
        assert seen[-1].text.startswith("🎉 Selesai untuk hari ini!"), day
        learnt.append(day)
        # Nurul learns on Tuesdays only, and every answer she gives is wrong.
        theirs = await ayo.local.collect(nurul.nip)
        if day.weekday() == 1:
            await answer_quiz(ayo, nurul, day, theirs, right=False)

    # December 2026: 23 weekdays, less cuti bersama (24th), Christmas (25th) and 2 days' leave.
    assert len(learnt) == 19
    async with ayo.db.sessions() as session:
        minutes = (
            await session.execute(
                select(func.sum(StoredLesson.minutes))
                .join(LessonProgress, LessonProgress.lesson_id == StoredLesson.id)
                .where(LessonProgress.employee_id == dimas.id)
            )
        ).scalar_one()
        events = (
            await session.execute(
                select(func.count(LearningEvent.id)).where(LearningEvent.employee_id == dimas.id)
            )
        ).scalar_one()
        progress = (await year_progress(session, [dimas.id], 2026))[dimas.id]
        streak = await current_streak(session, dimas.id, date(2026, 12, 31), calendar)
        missed_cards = (
            await session.execute(
                select(func.count())
                .select_from(ReviewCard)
                .where(ReviewCard.employee_id == nurul.id, ReviewCard.reviews > 0)
            )
        ).scalar_one()
        board_day = date(2026, 12, 29)
        board = await weekly_board(session, dimas, board_day)
    assert events == 19
    assert progress.lessons == 19
    assert progress.jp(ayo.settings) == minutes / 45
    assert progress.accuracy == 1.0
    # Weekends, the holidays and the leave never broke the streak.
    assert (streak.current, streak.best) == (19, 19)
    assert missed_cards > 0
    names = [e.name for e in board.entries]
    assert names[0] == "Dimas Prasetyo"
    assert board.my_rank == 1


async def test_someone_who_opted_out_is_not_shown_on_the_leaderboard(
    ayo: App, clock: FixedClock
) -> None:
    dimas = await employee(ayo, "Dimas Prasetyo")
    nurul = await employee(ayo, "Nurul Hidayah")
    day = date(2026, 12, 1)
    at(clock, day, 9)
    await sweep(ayo)
    for person in (dimas, nurul):
        await answer_quiz(ayo, person, day, await ayo.local.collect(person.nip))
    from core.storage.models import LearnerPrefs

    async with ayo.db.transaction() as session:
        prefs = await session.get(LearnerPrefs, nurul.id)
        prefs.leaderboard_opt_out = True
    async with ayo.db.sessions() as session:
        seen_by_dimas = await weekly_board(session, dimas, day)
        seen_by_nurul = await weekly_board(session, nurul, day)
    assert [e.name for e in seen_by_dimas.entries] == ["Dimas Prasetyo"]
    assert seen_by_nurul.my_rank is None
    assert seen_by_nurul.mine > 0
    assert [e.name for e in seen_by_nurul.entries] == ["Dimas Prasetyo"]
