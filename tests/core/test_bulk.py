"""Bulk inserts (`core.storage.bulk`): in the caller's transaction on both backends (PostgreSQL
by COPY), values stored as an INSERT would store them, violations as IntegrityError."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.demo import load_demo
from core import tokens
from core.storage import migrate
from core.storage.bulk import Serialized, insert_rows
from core.storage.db import Database
from core.storage.models import ButtonToken, Employee

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


class Boom(Exception):
    pass


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await migrate.upgrade(database)
    await load_demo(database, NOW)
    yield database
    await database.dispose()


async def _someone(db: Database) -> int:
    async with db.sessions() as s:
        return (await s.execute(select(Employee.id).order_by(Employee.id).limit(1))).scalar_one()


def _token(token: str, who: int, payload: dict, group: str | None = "g") -> dict:
    return {"token": token, "employee_id": who, "action": "quiz.answer", "payload": payload,
            "group": group, "created_at": NOW, "expires_at": NOW + timedelta(days=14),
            "used_at": None}  # fmt: skip


async def test_rows_are_stored_as_given_and_one_shared_payload_serves_every_row(
    db: Database,
) -> None:
    who = await _someone(db)
    shared = {"d": "2026-12-01", "q": "berakhlak/01-q1", "i": 2, "teks": "Ketuk ✅"}
    async with db.transaction() as s:
        rows = [_token(f"t{n}", who, shared) for n in range(3)]
        rows.append(_token("t3", who, {}, group=None))
        assert await insert_rows(s, ButtonToken.__table__, rows) == 4
        assert await insert_rows(s, ButtonToken.__table__, []) == 0
    async with db.sessions() as s:
        found = (await s.execute(select(ButtonToken).order_by(ButtonToken.token))).scalars().all()
    assert [(t.token, t.employee_id, t.payload, t.group) for t in found] == [
        ("t0", who, shared, "g"),
        ("t1", who, shared, "g"),
        ("t2", who, shared, "g"),
        ("t3", who, {}, None),
    ]
    assert {t.created_at for t in found} == {NOW}
    assert {t.expires_at for t in found} == {datetime(2026, 12, 15, 2, 0, tzinfo=UTC)}
    assert {t.used_at for t in found} == {None}


async def test_rows_roll_back_with_the_transaction_even_as_its_first_statement(
    db: Database,
) -> None:
    """The outbox rule: nothing written in bulk outlives a transaction that failed (asyncpg
    begins a transaction at its first statement; a COPY first must still be inside one)."""
    who = await _someone(db)
    with pytest.raises(Boom):
        async with db.transaction() as s:
            await insert_rows(s, ButtonToken.__table__, [_token("lost", who, {})])
            raise Boom
    async with db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(ButtonToken))).scalar() == 0


async def test_a_duplicate_key_is_an_integrity_error_and_fails_the_whole_transaction(
    db: Database,
) -> None:
    who = await _someone(db)
    async with db.transaction() as s:
        await insert_rows(s, ButtonToken.__table__, [_token("once", who, {})])
    with pytest.raises(IntegrityError):
        async with db.transaction() as s:
            await insert_rows(s, ButtonToken.__table__, [_token("fresh", who, {})])
            await insert_rows(s, ButtonToken.__table__, [_token("once", who, {})])
    async with db.sessions() as s:
        tokens_now = (await s.execute(select(ButtonToken.token))).scalars().all()
    assert tokens_now == ["once"]


def test_a_batch_issues_distinct_url_safe_tokens_of_the_usual_length() -> None:
    batch = tokens.TokenBatch(NOW)
    issued = [batch.issue(employee_id=1, action="x") for _ in range(3000)]  # > one draw of 1,024
    assert len(set(issued)) == 3000
    assert {len(t) for t in issued} == {11}  # as secrets.token_urlsafe(8)
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert set("".join(issued)) <= allowed
    assert [r["token"] for r in batch.rows] == issued


def test_a_batch_draws_fresh_button_groups_of_twelve_hex_digits() -> None:
    batch = tokens.TokenBatch(NOW)
    groups = [batch.group() for _ in range(2000)]
    assert len(set(groups)) == 2000
    assert all(len(g) == 12 and int(g, 16) >= 0 for g in groups)  # as secrets.token_hex(6)


async def test_a_value_that_knows_its_json_text_is_stored_by_it(db: Database) -> None:
    """`Serialized` (a message copied from a template) is stored by its own text, which reads
    back as the value; a wrong text would show (it is not serialized again)."""
    who = await _someone(db)
    value = {"d": "2026-12-01", "label": {"id": "✅ Benar", "en": "✅ Right"}}
    async with db.transaction() as s:
        rows = [
            _token("right", who, Serialized(value, json.dumps(value))),
            _token("marked", who, Serialized(value, json.dumps({**value, "d": "text"}))),
        ]
        await insert_rows(s, ButtonToken.__table__, rows)
    async with db.sessions() as s:
        right = await s.get(ButtonToken, "right")
        marked = await s.get(ButtonToken, "marked")
    assert right.payload == value
    assert marked.payload == {**value, "d": "text"}


async def test_equal_lists_are_serialized_once_but_1_and_true_stay_apart(db: Database) -> None:
    from core.storage.models import LearningDay

    async with db.sessions() as s:
        people = (await s.execute(select(Employee.id).order_by(Employee.id).limit(4))).scalars()
        people = list(people)
    picks: list[list] = [[1, 2], [1, 2], [1.0, 2], [True, 2]]
    async with db.transaction() as s:
        rows = [
            {"employee_id": who, "day": NOW.date(), "lesson_id": None, "question_ids": ["q"],
             "answered": 0, "correct": 0, "picked": picked, "created_at": NOW, "done_at": None}
            for who, picked in zip(people, picks, strict=True)
        ]  # fmt: skip
        await insert_rows(s, LearningDay.__table__, rows)
    async with db.sessions() as s:
        stored = [(await s.get(LearningDay, (who, NOW.date()))).picked for who in people]
    assert stored == [[1, 2], [1, 2], [1.0, 2], [True, 2]]
    assert [[type(x) for x in p] for p in stored] == [[int, int], [int, int], [float, int],
                                                      [bool, int]]  # fmt: skip
