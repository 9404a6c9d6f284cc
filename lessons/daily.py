"""The morning push: each working day, at each employee's own time, today's lesson and question.

The scheduler calls `dispatch_due_lessons` every minute on every instance. Each employee's day
is claimed once (`core.jobs.claim`) in the same transaction as the outbox rows it causes, so
a crash, a retry or a second instance never sends a lesson twice. Employees are read in chunks
with set-based queries (plans, reviews, leave, chat accounts), so a city of 20,000 costs a few
dozen queries per chunk; the claims, the new plans, the button tokens and the outbox rows are
one bulk insert each per chunk, and each lesson and question is rendered once for the whole
sweep, every person's copy differing only in its button tokens (`lessons.push_messages`;
bench/lessons_dispatch.py).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import jobs, tokens
from core.messages import Button
from core.outbox import PRIORITY_BULK, enqueue_replies, payload_row, reply_row
from core.storage.db import Database
from core.storage.models import (
    Employee,
    LearnerPrefs,
    LearningDay,
    StoredLesson,
    StoredQuestion,
)
from core.text import T
from lessons import reach
from lessons.daysoff import Calendar, leave_days
from lessons.flow import plan_replies
from lessons.messages import MakeButton
from lessons.plan import Curriculum, Learner, Plan, load_curriculum, plan_days_inserted
from lessons.push_messages import PushMessages

log = logging.getLogger(__name__)

JOB_KIND = "lesson.daily"
GRACE = timedelta(hours=2)  # later than this after the reminder time, the day is skipped
CHUNK = 500
IN_FLIGHT = 2  # chunks at once on PostgreSQL (see dispatch_due_lessons)


@dataclass(frozen=True, slots=True)
class _Due:
    learner: Learner
    nip: str
    day: date
    at: datetime  # today's reminder time, in UTC


def parse_hhmm(value: str) -> time:
    """'08:00' → time(8, 0); raises ValueError on anything else."""
    hours, minutes = value.strip().split(":")
    return time(int(hours), int(minutes))


def reminder_at(day: date, hhmm: str, tz: str) -> datetime:
    """The reminder instant of `day` in UTC, for a local 'HH:MM' in zone `tz`."""
    return datetime.combine(day, parse_hhmm(hhmm), ZoneInfo(tz)).astimezone(UTC)


async def dispatch_due_lessons(
    db: Database, now: datetime, calendar: Calendar, settings: Any
) -> int:
    """Push today's lesson to everyone whose reminder time has come; returns how many were sent.

    Each chunk is its own transaction. On PostgreSQL two chunks are in flight at once
    (`IN_FLIGHT`): while one waits for the server to take its rows, the next one is planned
    and rendered, so the database and Python work side by side. SQLite takes one writer at a
    time (a second would fail on its stale snapshot in WAL mode), so there chunks go one by one.
    A chunk that fails rolls back alone and stops the sweep; the next minute's sweep retries.
    """
    async with db.sessions() as session:
        curriculum = await load_curriculum(session)
    rendered = PushMessages()  # each lesson and question rendered once for the whole sweep
    width = 1 if db.is_sqlite else IN_FLIGHT
    sent = 0
    after: int | None = 0
    running: set[asyncio.Task[int]] = set()
    try:
        while after is not None:
            if len(running) >= width:
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                sent += sum(task.result() for task in done)
                continue
            # The chunk reads its employees first; the next chunk starts after the last of them.
            started: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
            running.add(
                asyncio.create_task(
                    _sweep_chunk(db, after, started, now, calendar, settings, curriculum, rendered)
                )
            )
            after = await _next_start(started, running)
        for task in asyncio.as_completed(running):
            sent += await task
        running = set()
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
    return sent


async def _next_start(
    started: asyncio.Future[int | None], running: set[asyncio.Task[int]]
) -> int | None:
    """The last employee id the newest chunk read (None: there are no more); raises the error
    of a chunk that failed meanwhile."""
    waiting = {started, *running}
    while not started.done():
        done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not started and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        waiting -= done
    return started.result()


async def _sweep_chunk(
    db: Database,
    after: int,
    started: asyncio.Future[int | None],
    now: datetime,
    calendar: Calendar,
    settings: Any,
    curriculum: Curriculum,
    rendered: PushMessages,
) -> int:
    """One chunk in its own transaction: the CHUNK active employees after `after`."""
    try:
        async with db.transaction() as session:
            rows = (
                await session.execute(
                    select(
                        Employee.id,
                        Employee.nip,
                        Employee.unit_id,
                        Employee.timezone,
                        LearnerPrefs.reminder_time,
                        LearnerPrefs.paused,
                    )
                    .outerjoin(LearnerPrefs, LearnerPrefs.employee_id == Employee.id)
                    .where(Employee.active.is_(True), Employee.id > after)
                    .order_by(Employee.id)
                    .limit(CHUNK)
                )
            ).all()
            started.set_result(rows[-1][0] if rows else None)
            if not rows:
                return 0
            due = _due_now(rows, now, calendar, settings)
            return await _dispatch_chunk(session, due, now, curriculum, rendered)
    except BaseException as error:
        if not started.done():  # failed before reading its employees: the sweep stops
            if isinstance(error, asyncio.CancelledError):
                started.cancel()
            else:
                started.set_exception(error)
        raise


def _due_now(rows: list[Any], now: datetime, calendar: Calendar, settings: Any) -> list[_Due]:
    found = []
    for employee_id, nip, unit_id, tz_name, hhmm, paused in rows:
        if paused:
            continue
        tz = tz_name or settings.timezone
        day = now.astimezone(ZoneInfo(tz)).date()
        if not calendar.is_working_day(day):
            continue
        try:
            at = reminder_at(day, hhmm or settings.lesson_default_time, tz)
        except ValueError:
            at = reminder_at(day, settings.lesson_default_time, tz)
        if at <= now:
            found.append(_Due(Learner(employee_id, unit_id, tz), nip, day, at))
    return found


async def _dispatch_chunk(
    session: AsyncSession,
    due: list[_Due],
    now: datetime,
    curriculum: Curriculum,
    rendered: PushMessages | None = None,
) -> int:
    if not due:
        return 0
    ids = [d.learner.id for d in due]
    claimed = await _claimed(session, due)
    due = [d for d in due if (str(d.learner.id), d.at) not in claimed]
    days = {d.day for d in due}
    if not due:
        return 0
    leave = await leave_days(session, ids, min(days), max(days))
    due = [d for d in due if d.day not in leave.get(d.learner.id, set())]
    opened = set(
        await session.execute(
            select(LearningDay.employee_id, LearningDay.day).where(
                LearningDay.employee_id.in_([d.learner.id for d in due]),
                LearningDay.day.in_(days),
            )
        )
    )
    to_send: list[_Due] = []
    outcomes: dict[int, str] = {}
    for d in due:
        late = now - d.at > GRACE
        # Someone who already opened today's lesson by themselves needs no push.
        outcomes[d.learner.id] = "skipped" if late or (d.learner.id, d.day) in opened else "done"
    # One statement claims the whole chunk; a day another instance claimed is not returned.
    won = await jobs.claim_many(
        session,
        kind=JOB_KIND,
        items=[(str(d.learner.id), d.at, outcomes[d.learner.id]) for d in due],
        now=now,
    )
    skipped = 0
    for d in due:
        if (str(d.learner.id), d.at) not in won:
            continue
        if outcomes[d.learner.id] == "skipped":
            skipped += 1
        else:
            to_send.append(d)
    if skipped:
        log.info("lesson.daily: %s skipped (late or already opened)", skipped)
    if not to_send:
        return 0
    plans = await plan_days_inserted(
        session,
        [d.learner for d in to_send],
        {d.learner.id: d.day for d in to_send},
        now,
        curriculum,
    )
    claimed_now = len(to_send)
    # Nothing new and nothing to review: a push would only be noise.
    to_send = [d for d in to_send if plans[d.learner.id].question_ids]
    accounts = await reach.accounts_for_push(session, {d.learner.id: d.nip for d in to_send}, now)
    # Load the chunk's lessons and questions once: the `session.get` calls of rendering (a
    # lesson or question PushMessages has not rendered yet this sweep, or plan_replies for
    # an uncommon plan) then hit the identity map instead of querying each time.
    cached = await _preload(session, [plans[d.learner.id] for d in to_send])
    buttons = tokens.TokenBatch(now)
    messages = await _messages(
        session, to_send, plans, accounts, buttons, now, rendered or PushMessages()
    )
    del cached
    await _write(session, buttons, messages)
    log.info("lesson.daily: %s pushed of %s claimed", len(to_send), claimed_now)
    return len(to_send)


async def _claimed(session: AsyncSession, due: list[_Due]) -> set[tuple[str, datetime]]:
    """The chunk's days claimed already (by an earlier sweep or another instance)."""
    return await jobs.claimed(
        session, kind=JOB_KIND, keys={str(d.learner.id) for d in due}, at={d.at for d in due}
    )


async def _messages(
    session: AsyncSession,
    to_send: list[_Due],
    plans: dict[int, LearningDay | Plan],
    accounts: dict[int, Any],
    buttons: tokens.TokenBatch,
    now: datetime,
    rendered: PushMessages,
) -> list[dict[str, Any]]:
    """The chunk's outbox rows: each lesson and question rendered once (`PushMessages`), each
    person's copy with their own button tokens."""
    messages: list[dict[str, Any]] = []
    for d in to_send:
        account = accounts[d.learner.id]
        payloads = await rendered.payloads(session, buttons, plans[d.learner.id])
        for n, payload in enumerate(payloads):
            messages.append(
                payload_row(
                    account,
                    payload,
                    now=now,
                    key=_push_key(d, n),
                    priority=PRIORITY_BULK,
                )
            )
    return messages


async def per_person_messages(
    session: AsyncSession,
    to_send: list[_Due],
    plans: dict[int, LearningDay | Plan],
    accounts: dict[int, Any],
    buttons: tokens.TokenBatch,
    now: datetime,
    rendered: PushMessages,
) -> list[dict[str, Any]]:
    """`_messages` as it was: every person's replies rendered by `plan_replies` (the chat's
    path). Kept for the benchmark's `per_person_render` variant and as the reference the
    tests compare `_messages` with."""
    messages: list[dict[str, Any]] = []
    for d in to_send:
        plan = plans[d.learner.id]
        replies = await plan_replies(session, plan, _maker(buttons, d.learner.id))  # type: ignore[arg-type]
        messages += [
            reply_row(
                accounts[d.learner.id],
                reply,
                now=now,
                key=_push_key(d, n),
                priority=PRIORITY_BULK,
            )
            for n, reply in enumerate(replies)
        ]
    return messages


async def _preload(session: AsyncSession, plans: list[LearningDay | Plan]) -> list[Any]:
    lesson_ids = {p.lesson_id for p in plans if p.lesson_id}
    question_ids = {q for p in plans for q in p.question_ids}
    lessons = await session.execute(select(StoredLesson).where(StoredLesson.id.in_(lesson_ids)))
    questions = await session.execute(
        select(StoredQuestion).where(StoredQuestion.id.in_(question_ids))
    )
    return [*lessons.scalars(), *questions.scalars()]  # held so the identity map keeps them


async def _write(
    session: AsyncSession, buttons: tokens.TokenBatch, messages: list[dict[str, Any]]
) -> None:
    """The chunk's button tokens, then its messages: one INSERT each, in the chunk's
    transaction (an ORM object per row was a third of the sweep's time)."""
    await buttons.write(session)
    await enqueue_replies(session, messages)


def _push_key(due: _Due, n: int) -> str:
    """The outbox key of a person's n-th message of the day: both paths must write the same
    one, so a day pushed twice (two instances, a retried chunk) is one message."""
    return f"{JOB_KIND}:{due.learner.id}:{due.day}:{n}"


def _maker(buttons: tokens.TokenBatch, employee_id: int) -> MakeButton:
    """Buttons for one employee's messages, their tokens kept in the chunk's batch."""

    async def make(label: T, action: str, payload: dict[str, Any], group: str | None) -> Button:
        token = buttons.issue(employee_id=employee_id, action=action, payload=payload, group=group)
        return Button(label, token)

    return make
