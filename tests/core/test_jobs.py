"""Claiming scheduled work once: the bulk claim returns only what nobody claimed before."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from core import jobs
from core.clock import FixedClock
from core.storage.db import Database
from core.storage.models.jobs import JobClaim


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def test_a_bulk_claim_wins_only_the_rows_nobody_claimed_first(
    db: Database, clock: FixedClock
) -> None:
    at = clock()
    async with db.transaction() as session:
        assert await jobs.claim(session, kind="k", key="2", scheduled_for=at, now=at)

    async with db.transaction() as session:
        won = await jobs.claim_many(
            session,
            kind="k",
            items=[("1", at, "done"), ("2", at, "skipped"), ("3", at, "skipped"),
                   ("2", at + timedelta(days=1), "done")],
            now=at,
        )  # fmt: skip

    assert won == {("1", at), ("3", at), ("2", at + timedelta(days=1))}
    async with db.sessions() as session:
        rows = (await session.execute(
            select(JobClaim.key, JobClaim.scheduled_for, JobClaim.outcome).order_by(JobClaim.id)
        )).all()  # fmt: skip
    # The earlier claim of "2" is untouched; each new one is stored with its outcome.
    assert [tuple(r) for r in rows] == [
        ("2", at, "done"), ("1", at, "done"), ("3", at, "skipped"),
        ("2", at + timedelta(days=1), "done"),
    ]  # fmt: skip


async def test_a_bulk_claim_of_thousands_spans_several_statements(
    db: Database, clock: FixedClock
) -> None:
    at = clock()
    async with db.transaction() as session:
        won = await jobs.claim_many(
            session, kind="k", items=[(str(i), at, "done") for i in range(4500)], now=at
        )
    assert len(won) == 4500
    async with db.transaction() as session:
        again = await jobs.claim_many(
            session, kind="k", items=[(str(i), at, "done") for i in range(4499, 4502)], now=at
        )
    assert again == {("4500", at), ("4501", at)}


async def test_the_claimed_lookup_finds_exactly_the_claimed_pairs(
    db: Database, clock: FixedClock
) -> None:
    """`claimed` renders the keys into the statement: quotes stay data, and the answer is the
    claimed (key, time) pairs among those asked, of that kind only."""
    at, later = clock(), clock() + timedelta(days=1)
    odd = "o'brien; DROP TABLE job_claims --"
    async with db.transaction() as session:
        await jobs.claim_many(
            session,
            kind="k",
            items=[("1", at, "done"), (odd, at, "done"), ("2", later, "skipped")],
            now=at,
        )
        await jobs.claim_many(session, kind="other", items=[("3", at, "done")], now=at)
    async with db.sessions() as session:
        found = await jobs.claimed(session, kind="k", keys={"1", "2", "3", odd, "4"}, at={at})
        both = await jobs.claimed(session, kind="k", keys=["2", odd], at=[at, later])
        assert await jobs.claimed(session, kind="k", keys=set(), at={at}) == set()
        # Many runs of the same statement (PostgreSQL's generic plan after five) answer the same.
        for _ in range(7):
            assert await jobs.claimed(session, kind="k", keys={"1", "9"}, at={at}) == {("1", at)}
    assert found == {("1", at), (odd, at)}
    assert both == {(odd, at), ("2", later)}
