"""Helpers for learning tests: find demo people, move the clock, run the sweep, answer quizzes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import App
from bot.channels.local import LocalMessage
from core.clock import FixedClock
from core.storage.models import Employee, LearningDay, ServiceRequest
from lessons.daily import dispatch_due_lessons
from lessons.quiz import question_at

JAKARTA = ZoneInfo("Asia/Jakarta")


async def employee(ayo: App, name: str) -> Employee:
    async with ayo.db.sessions() as session:
        return (await session.execute(select(Employee).where(Employee.name == name))).scalar_one()


def at(clock: FixedClock, day: date, hour: int = 9, minute: int = 0) -> datetime:
    """Set the clock to `day` at a Jakarta local time; returns the UTC instant."""
    clock.set(datetime.combine(day, time(hour, minute), JAKARTA).astimezone(UTC))
    return clock()


async def sweep(ayo: App) -> int:
    return await dispatch_due_lessons(ayo.db, ayo.deps.clock(), ayo.deps.calendar, ayo.settings)


async def approve_leave(ayo: App, person: Employee, first: date, last: date) -> None:
    now = ayo.deps.clock()
    async with ayo.db.transaction() as session:
        session.add(
            ServiceRequest(
                service_id="leave.annual",
                employee_id=person.id,
                status="approved",
                data={},
                start_date=first,
                end_date=last,
                days=float((last - first).days + 1),
                created_at=now,
                updated_at=now,
            )
        )


async def right_choice(ayo: App, person: Employee, day: date) -> tuple[str, list[str]] | None:
    """The kind and option labels (Indonesian) of the right answer to the current question."""
    async with ayo.db.sessions() as session:
        plan = await session.get(LearningDay, (person.id, day))
        if plan is None:
            return None
        question = await question_at(session, plan)
        if question is None:
            return None
        labels = [question.options[i].label_id for i in sorted(question.correct)]
        return question.kind, labels


def option_token(message: LocalMessage, label: str) -> str:
    """The token of an option button, whether shown as "Teks", "B. Teks" or "✅ B. Teks"."""
    return next(
        token for shown, token in message.buttons if shown == label or shown.endswith(f". {label}")
    )


async def answer_quiz(
    ayo: App, person: Employee, day: date, messages: list[LocalMessage], *, right: bool = True
) -> list[LocalMessage]:
    """Answer every question of the day through the buttons; returns every message seen."""
    seen = list(messages)
    for _ in range(10):
        if not seen or not seen[-1].buttons:
            return seen
        last = seen[-1]
        if last.buttons[0][0].startswith("➡️"):
            await ayo.local.say(person.nip, button=last.buttons[0][1])
            seen += await ayo.local.collect(person.nip)
            continue
        found = await right_choice(ayo, person, day)
        assert found is not None
        kind, labels = found
        if kind == "multi":
            # Each tap shows the question again with fresh buttons; picking every option is
            # wrong unless every option is right.
            picks = labels if right else [label for label, _ in last.buttons[:-1]]
            current = last
            for label in picks:
                await ayo.local.say(person.nip, button=option_token(current, label))
                shown = await ayo.local.collect(person.nip)
                seen += shown
                current = shown[-1]
            await ayo.local.say(person.nip, button=current.buttons[-1][1])
        else:
            choice = labels[0] if right else next(lb for lb, _ in last.buttons if lb not in labels)
            await ayo.local.say(person.nip, button=dict(last.buttons)[choice])
        seen += await ayo.local.collect(person.nip)
    raise AssertionError("the quiz did not end")
