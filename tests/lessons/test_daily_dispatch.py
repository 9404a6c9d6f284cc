"""The morning push: working days only, at each person's time, once, within the grace window."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.app import App
from core.clock import FixedClock
from core.storage.models import ButtonToken, Employee, JobClaim, LearnerPrefs, OutboxItem
from lessons import daily
from tests.support.learning import answer_quiz, approve_leave, at, employee, sweep

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


async def test_each_chunks_buttons_and_messages_are_written_and_the_buttons_work(
    ayo: App, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tokens and outbox rows are inserted a chunk at a time: every button of every message is
    stored for its own employee, and people of the first and the last chunk answer with them."""
    monkeypatch.setattr(daily, "CHUNK", 3)
    day = date(2026, 12, 1)
    at(clock, day, 9)
    sent = await sweep(ayo)
    assert sent > 6  # more than two chunks
    async with ayo.db.sessions() as session:
        rows = (
            await session.execute(
                select(OutboxItem)
                .where(OutboxItem.idempotency_key.like("lesson.daily:%"))
                .order_by(OutboxItem.employee_id, OutboxItem.idempotency_key)
            )
        ).scalars()
        messages = [(r.employee_id, r.idempotency_key, r.payload, r.status) for r in rows]
        stored = {
            t.token: (t.employee_id, t.action, t.group, t.used_at)
            for t in (await session.execute(select(ButtonToken))).scalars()
        }
    assert len(messages) == 2 * sent  # the lesson and the first question each
    people = sorted({who for who, *_ in messages})
    assert len(people) == sent
    for who, key, payload, status in messages:
        assert status == "pending" and key.startswith(f"lesson.daily:{who}:2026-12-01:")
        buttons = [stored[button["token"]] for button in payload["buttons"]]
        assert {(owner, used) for owner, _, _, used in buttons} <= {(who, None)}
        assert {action for _, action, _, _ in buttons} <= {
            "quiz.answer",
            "quiz.pick",
            "quiz.submit",
        }
        # One message's buttons are one group: answering retires them all.
        assert len({group for _, _, group, _ in buttons}) == (1 if buttons else 0)
    questions = [payload for _, key, payload, _ in messages if key.endswith(":1")]
    assert len(questions) == sent and all(q["buttons"] for q in questions)
    for who in (people[0], people[-1]):
        async with ayo.db.sessions() as session:
            person = await session.get(Employee, who)
        seen = await answer_quiz(ayo, person, day, await ayo.local.collect(person.nip))
        assert seen[-1].text.startswith("🎉 Selesai untuk hari ini!")
