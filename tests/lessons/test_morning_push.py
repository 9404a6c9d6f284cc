"""The morning push's set-based paths give what the per-person paths give.

Messages rendered once per lesson and question (`lessons.push_messages`), plans inserted as
rows (`plan_days_inserted`), lessons chosen once per unit, lessons done and gaps, and the chat
of each person read as columns (`reach.accounts_for_push`).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from core import tokens
from core.clock import FixedClock
from core.storage.bulk import Serialized
from core.storage.models import (
    ChatAccount,
    Employee,
    LearningDay,
    LessonProgress,
    OrgUnit,
    StoredLesson,
    StoredQuestion,
)
from lessons import daily, push_messages
from lessons.flow import plan_replies
from lessons.plan import Learner, Plan, load_curriculum, plan_days, plan_days_inserted
from lessons.push_messages import PushMessages
from tests.support.learning import at, sweep

DAY = date(2026, 12, 1)


def _maker(batch: tokens.TokenBatch, who: int) -> Any:
    async def make(label: Any, action: str, payload: dict, group: str | None) -> Any:
        from core.messages import Button

        return Button(label, batch.issue(employee_id=who, action=action, payload=payload,
                                         group=group))  # fmt: skip

    return make


def _without_tokens(payloads: list[dict]) -> list[dict]:
    return [{**p, "buttons": [b["label"] for b in p["buttons"]]} for p in payloads]


async def _people(ayo: App, n: int) -> list[Employee]:
    async with ayo.db.sessions() as s:
        return list((await s.execute(select(Employee).order_by(Employee.id).limit(n))).scalars())


def _plan(who: int, lesson: str | None, questions: list[str], **rest: Any) -> Plan:
    fields = {"employee_id": who, "day": DAY, "lesson_id": lesson, "question_ids": questions,
              "answered": 0, "correct": 0, "picked": [], "created_at": None}  # fmt: skip
    return Plan(**{**fields, **rest})


async def test_messages_rendered_once_are_the_chats_rendering_with_each_persons_tokens(
    ayo: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    renders: list[str] = []
    real = push_messages.msg.question_reply

    async def counted(question: Any, *args: Any) -> Any:
        renders.append(question.id)
        return await real(question, *args)

    monkeypatch.setattr(push_messages.msg, "question_reply", counted)
    a, b, c, d = (p.id for p in await _people(ayo, 4))
    async with ayo.db.transaction() as s:
        curriculum = await load_curriculum(s)
        lesson = curriculum.lessons[0].id
        qs = list(curriculum.questions[lesson][:3])
        multi = (
            (await s.execute(select(StoredQuestion).order_by(StoredQuestion.id))).scalars().all()
        )
        multi_q = next(q for q in multi if q.data["kind"] == "multi")
        plans = [
            _plan(a, lesson, qs),
            _plan(b, lesson, qs),  # the same lesson and question: rendered once
            _plan(c, multi_q.lesson_id, [qs[0], multi_q.id], answered=1, picked=[1]),
            _plan(d, lesson, qs, done_at=ayo.deps.clock()),
        ]
        ours, theirs = tokens.TokenBatch(ayo.deps.clock()), tokens.TokenBatch(ayo.deps.clock())
        rendered = PushMessages()
        got = [await rendered.payloads(s, ours, p) for p in plans]
        assert renders == [qs[0], multi_q.id]
        want = [
            [r.to_json() for r in await plan_replies(s, p, _maker(theirs, p.employee_id))]
            for p in plans
        ]
        title = (await s.get(StoredLesson, lesson)).meta["title"]["id"]
    assert [_without_tokens(p) for p in got] == [_without_tokens(p) for p in want]
    # A question's copy carries its JSON text, made by joining: exactly what json.dumps makes.
    joined = [m for p in got for m in p if isinstance(m, Serialized)]
    assert len(joined) == 3  # the questions of a, b and c; d's day is done
    for message in joined:
        assert message.text == json.dumps(dict(message))
    firsts = [[m["text"]["id"].split("\n")[0] for m in p] for p in got]
    assert firsts[0][1] == "❓ Pertanyaan 1/3" and firsts[0][0].startswith("📘 Pelajaran hari ini")
    assert got[0][0]["text"]["id"].split("\n\n")[1] == title
    assert firsts[2] == ["❓ Pertanyaan 2/2"]  # a multi-answer question half answered
    assert "Pilihan Anda: B" in got[2][0]["text"]["id"]
    assert got[3] == [{**want[3][0]}]
    assert got[3][0]["text"]["id"] == "Pelajaran hari ini sudah selesai. Sampai besok! 👋"
    # Each person's buttons are their own tokens, one group per message, fresh per person.
    stored = {r["token"]: r for r in ours.rows}
    assert len(stored) == len(ours.rows) == len(theirs.rows)
    for plan, payloads in zip(plans, got, strict=True):
        for message in payloads:
            rows = [stored[b["token"]] for b in message["buttons"]]
            assert {r["employee_id"] for r in rows} <= {plan.employee_id}
            assert len({r["group"] for r in rows}) == (1 if rows else 0)
    group_of = {p.employee_id: stored[m[-1]["buttons"][0]["token"]]["group"] for p, m in
                zip(plans[:3], got[:3], strict=True)}  # fmt: skip
    assert len(set(group_of.values())) == 3
    assert [(r["action"], r["payload"]) for r in ours.rows] == [
        (r["action"], r["payload"]) for r in theirs.rows
    ]


async def test_the_sweeps_plans_are_the_plans_plan_days_makes_and_are_stored(
    ayo: App, clock: FixedClock
) -> None:
    people = await _people(ayo, 6)
    learners = [Learner(p.id, p.unit_id, "Asia/Jakarta") for p in people]
    days = {p.id: DAY for p in people}
    now = at(clock, DAY, 9)
    async with ayo.db.transaction() as s:
        # One has done the first lesson already; another has a plan for today already.
        curriculum = await load_curriculum(s)
        yesterday = now - timedelta(days=1)
        first = curriculum.lessons[0].id
        s.add(
            LessonProgress(
                employee_id=people[0].id,
                lesson_id=first,
                completed_at=yesterday,
                minutes=5,
                content_hash="x",
            )
        )
        s.add(
            LearningDay(
                employee_id=people[1].id,
                day=DAY,
                lesson_id=None,
                question_ids=["q"],
                answered=0,
                correct=0,
                picked=[],
                created_at=now,
            )
        )
    async with ayo.db.sessions() as s, s.begin():
        expected = {
            i: (p.lesson_id, list(p.question_ids))
            for i, p in (await plan_days(s, learners, days, now, curriculum)).items()
        }
        await s.rollback()
    async with ayo.db.transaction() as s:
        plans = await plan_days_inserted(s, learners, days, now, curriculum)
    assert {i: (p.lesson_id, list(p.question_ids)) for i, p in plans.items()} == expected
    assert expected[people[1].id] == (None, ["q"])
    assert expected[people[0].id][0] == curriculum.lessons[1].id
    assert expected[people[2].id][0] == curriculum.lessons[0].id
    assert isinstance(plans[people[1].id], LearningDay)  # as stored
    assert all(isinstance(plans[p.id], Plan) for p in people if p is not people[1])
    async with ayo.db.sessions() as s:
        stored = {
            r.employee_id: (r.lesson_id, r.question_ids, r.answered, r.picked, r.created_at)
            for r in (await s.execute(select(LearningDay).where(LearningDay.day == DAY))).scalars()
        }
    assert stored == {i: (*expected[i], 0, [], now) for i in expected}


async def test_a_lesson_for_some_units_goes_to_those_units_of_the_chunk_only(
    ayo: App, clock: FixedClock
) -> None:
    """Lessons are chosen once per (unit, lessons done, gaps): two units in one chunk still
    get each their own."""
    now = at(clock, DAY, 9)
    async with ayo.db.transaction() as s:
        codes = (await load_curriculum(s)).unit_codes
        units = {u.id: u.code for u in (await s.execute(select(OrgUnit))).scalars()}
        people = list((await s.execute(select(Employee).order_by(Employee.id))).scalars())
        inside = people[0]
        target = units[inside.unit_id]
        outside = next(p for p in people if target not in codes[p.unit_id])
        first = (await load_curriculum(s)).lessons[0]
        first.meta = {**(first.meta or {}), "targets": [target]}
    async with ayo.db.transaction() as s:
        curriculum = await load_curriculum(s)
        chosen = [inside, outside]
        plans = await plan_days_inserted(
            s,
            [Learner(p.id, p.unit_id, "Asia/Jakarta") for p in chosen],
            {p.id: DAY for p in chosen},
            now,
            curriculum,
        )
    assert plans[inside.id].lesson_id == first.id
    assert plans[outside.id].lesson_id == curriculum.lessons[1].id


async def _local_accounts(s: Any) -> dict[int, int]:
    """Employee id → id of their web-chat account."""
    rows = await s.execute(select(ChatAccount).where(ChatAccount.channel == "local"))
    return {x.employee_id: x.id for x in rows.scalars()}


async def test_each_person_is_reached_in_their_latest_private_chat_else_the_local_one(
    ayo: App, clock: FixedClock
) -> None:
    from lessons import reach

    a, b, c = await _people(ayo, 3)
    now = clock()
    async with ayo.db.transaction() as s:
        old = ChatAccount(channel="telegram", external_id="111", employee_id=a.id,
                          last_inbound_at=now - timedelta(days=2), created_at=now)  # fmt: skip
        new = ChatAccount(channel="whatsapp", external_id="222", employee_id=a.id,
                          last_inbound_at=now - timedelta(hours=1), created_at=now)  # fmt: skip
        group = ChatAccount(channel="telegram", external_id="-333", employee_id=b.id,
                            is_group=True, last_inbound_at=now, created_at=now)  # fmt: skip
        gone = ChatAccount(channel="telegram", external_id="444", employee_id=c.id,
                           active=False, last_inbound_at=now, created_at=now)  # fmt: skip
        s.add_all([old, new, group, gone])
    async with ayo.db.transaction() as s:
        before = await _local_accounts(s)
        found = await reach.accounts_for_push(s, {a.id: a.nip, b.id: b.nip, c.id: c.nip}, now)
    async with ayo.db.sessions() as s:
        local = await _local_accounts(s)
    assert (found[a.id].channel, found[a.id].id, found[a.id].employee_id) == (
        "whatsapp", new.id, a.id)  # fmt: skip
    for who in (b, c):  # a group chat and a blocked chat are never pushed to
        assert (found[who.id].channel, found[who.id].id) == ("local", local[who.id])
        assert found[who.id].employee_id == who.id
    assert {k: v for k, v in local.items() if k in before} == before  # existing ones reused
    async with ayo.db.transaction() as s:
        again = await reach.accounts_for_push(s, {b.id: b.nip}, now)
    assert again[b.id].id == local[b.id]


async def test_the_sweep_writes_what_the_per_person_rendering_writes(
    ayo: App, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole sweep, once as it is and once with `per_person_messages` (the chat's
    rendering per person): the same messages for the same people, tokens aside."""
    monkeypatch.setattr(daily, "CHUNK", 4)
    at(clock, DAY, 9)
    sent = await sweep(ayo)
    ours = await _outbox(ayo)
    async with ayo.db.transaction() as s:
        for table in ("outbox", "button_tokens", "learning_days", "job_claims"):
            await s.execute(_delete(table))
    monkeypatch.setattr(daily, "_messages", daily.per_person_messages)
    assert await sweep(ayo) == sent > 4
    theirs = await _outbox(ayo)
    assert ours == theirs
    assert len(ours) == 2 * sent


async def _outbox(ayo: App) -> list[tuple]:
    from core.storage.models import OutboxItem

    async with ayo.db.sessions() as s:
        rows = (
            await s.execute(
                select(OutboxItem)
                .where(OutboxItem.idempotency_key.like("lesson.daily:%"))
                .order_by(OutboxItem.idempotency_key)
            )
        ).scalars()
        return [
            (r.idempotency_key, r.employee_id, r.channel, r.priority, r.status,
             _without_tokens([r.payload])[0])
            for r in rows
        ]  # fmt: skip


def _delete(table: str) -> Any:
    from sqlalchemy import text

    return text(f"DELETE FROM {table}")  # a fixed table name of this test


async def test_on_postgresql_two_chunks_are_in_flight_at_once_on_sqlite_one(
    ayo: App, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(daily, "CHUNK", 3)
    real, now_running, most = daily._dispatch_chunk, [0], [0]

    async def counted(*args: Any) -> int:
        now_running[0] += 1
        most[0] = max(most[0], now_running[0])
        try:
            return await real(*args)
        finally:
            now_running[0] -= 1

    monkeypatch.setattr(daily, "_dispatch_chunk", counted)
    at(clock, DAY, 9)
    sent = await sweep(ayo)
    async with ayo.db.sessions() as s:
        people = (await s.execute(select(Employee.id).where(Employee.active.is_(True)))).all()
    assert sent == len(people) > 6
    assert most[0] == (1 if ayo.db.is_sqlite else 2)
    assert len(await _outbox(ayo)) == 2 * sent


async def test_a_failing_chunk_stops_the_sweep_and_leaves_no_half_pushed_person(
    ayo: App, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever chunks committed before the failure are whole (claim, plan, both messages and
    their tokens); the failing one and any in flight with it roll back; the next sweep sends
    the rest."""
    from core.storage.models import ButtonToken, JobClaim

    monkeypatch.setattr(daily, "CHUNK", 3)
    real, calls = daily._messages, [0]

    async def third_fails(*args: Any) -> Any:
        calls[0] += 1
        if calls[0] == 3:
            raise RuntimeError("boom")
        return await real(*args)

    monkeypatch.setattr(daily, "_messages", third_fails)
    at(clock, DAY, 9)
    with pytest.raises(RuntimeError, match="boom"):
        await sweep(ayo)
    async with ayo.db.sessions() as s:
        claimed = set((await s.execute(select(JobClaim.key))).scalars())
        planned = {str(i) for i in (await s.execute(select(LearningDay.employee_id))).scalars()}
        owners = {str(i) for i in (await s.execute(select(ButtonToken.employee_id))).scalars()}
    messaged = {str(who) for _, who, *_ in await _outbox(ayo)}
    assert claimed == planned == messaged == owners
    assert 3 <= len(claimed) <= 6  # the first chunk, and the second unless it was cancelled
    monkeypatch.setattr(daily, "_messages", real)
    rest = await sweep(ayo)
    assert rest > 0 and len(await _outbox(ayo)) == 2 * (len(claimed) + rest)
