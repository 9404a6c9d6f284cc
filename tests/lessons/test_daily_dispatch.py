"""The morning push: working days only, at each person's time, once, within the grace window."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.app import App
from core.clock import FixedClock
from core.storage.models import Employee, JobClaim, LearnerPrefs
from tests.support.learning import approve_leave, at, employee, sweep

DIMAS = "Dimas Prasetyo"


async def test_the_lesson_and_first_question_arrive_once_after_the_reminder_time(
    ayo: App, clock: FixedClock
) -> None:
    dimas = await employee(ayo, DIMAS)
    at(clock, date(2026, 12, 1), 7, 59)
    assert await sweep(ayo) == 0
    at(clock, date(2026, 12, 1), 8, 0)
    sent = await sweep(ayo)
    assert sent > 0
    messages = await ayo.local.collect(dimas.nip)
    assert len(messages) == 2
    assert messages[0].text.startswith("📘 Pelajaran hari ini")
    assert messages[1].text.startswith("❓ Pertanyaan 1/")
    assert messages[1].buttons
    at(clock, date(2026, 12, 1), 8, 1)
    assert await sweep(ayo) == 0
    assert await ayo.local.collect(dimas.nip) == []


async def test_weekends_holidays_and_cuti_bersama_send_nothing(
    ayo: App, clock: FixedClock
) -> None:
    for day in (date(2026, 12, 5), date(2026, 12, 6), date(2026, 12, 24), date(2026, 12, 25)):
        at(clock, day, 9)
        assert await sweep(ayo) == 0, day


async def test_an_employee_on_approved_leave_gets_nothing(ayo: App, clock: FixedClock) -> None:
    dimas = await employee(ayo, DIMAS)
    await approve_leave(ayo, dimas, date(2026, 12, 1), date(2026, 12, 2))
    at(clock, date(2026, 12, 1), 9)
    sent = await sweep(ayo)
    assert sent > 0
    assert await ayo.local.collect(dimas.nip) == []
    at(clock, date(2026, 12, 3), 9)
    await sweep(ayo)
    assert len(await ayo.local.collect(dimas.nip)) == 2


async def test_paused_reminders_send_nothing_until_resumed(ayo: App, clock: FixedClock) -> None:
    dimas = await employee(ayo, DIMAS)
    async with ayo.db.transaction() as session:
        session.add(LearnerPrefs(employee_id=dimas.id, paused=True))
    at(clock, date(2026, 12, 1), 9)
    await sweep(ayo)
    assert await ayo.local.collect(dimas.nip) == []


async def test_a_chosen_reminder_time_is_kept(ayo: App, clock: FixedClock) -> None:
    dimas = await employee(ayo, DIMAS)
    async with ayo.db.transaction() as session:
        session.add(LearnerPrefs(employee_id=dimas.id, reminder_time="10:30"))
    at(clock, date(2026, 12, 1), 9)
    await sweep(ayo)
    assert await ayo.local.collect(dimas.nip) == []
    at(clock, date(2026, 12, 1), 10, 30)
    await sweep(ayo)
    assert len(await ayo.local.collect(dimas.nip)) == 2


async def test_the_reminder_follows_the_employees_own_time_zone(
    ayo: App, clock: FixedClock
) -> None:
    dimas = await employee(ayo, DIMAS)
    async with ayo.db.transaction() as session:
        (await session.get(Employee, dimas.id)).timezone = "Asia/Jayapura"
    # 06:00 in Jakarta is 08:00 in Jayapura.
    at(clock, date(2026, 12, 1), 6, 0)
    assert await sweep(ayo) == 1
    assert len(await ayo.local.collect(dimas.nip)) == 2


async def test_a_sweep_later_than_the_grace_window_skips_the_day(
    ayo: App, clock: FixedClock
) -> None:
    dimas = await employee(ayo, DIMAS)
    at(clock, date(2026, 12, 1), 10, 1)
    assert await sweep(ayo) == 0
    assert await ayo.local.collect(dimas.nip) == []
    async with ayo.db.sessions() as session:
        outcomes = set(
            (
                await session.execute(
                    select(JobClaim.outcome).where(JobClaim.kind == "lesson.daily")
                )
            ).scalars()
        )
    assert outcomes == {"skipped"}
