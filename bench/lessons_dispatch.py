"""Morning-push benchmark: one `dispatch_due_lessons` sweep over N employees.

    .venv/bin/python bench/lessons_dispatch.py --employees 20000 --database postgres \
        --variants ours,per_person_render,previous --repeat 2
    .venv/bin/python bench/lessons_dispatch.py --employees 2000     # SQLite, a quick iteration

Each variant gets a fresh temporary database (SQLite file, or a database created on the local
PostgreSQL, AYO_TEST_POSTGRES_URL) with the built-in lessons and N synthetic
employees (nine in ten linked to a Telegram chat, the rest reached in the local web chat), and
runs one sweep at 09:00 on a working day. Variants, side by side:
  ours                 the real sweep (set-based per chunk of 500, accounts in one query,
                       the day's claims one INSERT … ON CONFLICT DO NOTHING RETURNING, the
                       chunk's plans, button tokens and outbox rows one bulk insert each (COPY
                       on PostgreSQL), each lesson and question rendered once per sweep)
  one_chunk_at_a_time  the real sweep with one chunk in flight (IN_FLIGHT = 1; on SQLite it
                       always is)
  per_person_render    the real sweep with every person's messages rendered by `plan_replies`
                       (`daily.per_person_messages`), as before issue #15's render cache
  previous             the sweep as it was before the set-based plans and the render cache
                       (all in one run): claimed days looked up with a bound IN list, plans
                       as ORM objects (`plan_days`), chats as ORM objects, messages rendered
                       per person, tokens and outbox rows by executemany INSERTs, one chunk
                       at a time
  orm_rows             the real sweep with every button token and outbox row an ORM object
                       flushed by the session's unit of work, as before
  savepoint_claims     the real sweep with the claims one savepoint per person, as before
  per_person_accounts  the real sweep with the chat-account lookup done per person, as before
  naive                a per-employee baseline: one transaction per person, a plan, a push
Prints one JSON object: {variant: {employees, seconds, per_employee_ms, pushed, messages, runs,
times_faster_than_<last variant>}}; with --repeat N the variants run interleaved N times
(after one unmeasured warm-up sweep) and seconds is the median.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import jobs, outbox, tokens
from core.messages import Button
from core.outbox import LOCAL_CHANNEL
from core.settings import Settings
from core.storage import bulk, migrate
from core.storage.db import Database
from core.storage.models import ButtonToken, ChatAccount, Employee, JobClaim, OrgUnit, OutboxItem
from core.text import T
from core.workdays import WorkCalendar
from lessons import daily, reach
from lessons.catalog import DEFAULT_CONTENT_DIR
from lessons.flow import plan_replies
from lessons.importer import import_folder
from lessons.plan import Learner, load_curriculum, plan_days

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 09:00 in Jakarta


def nip_for(i: int) -> str:
    born = date(1970, 1, 1) + timedelta(days=i // 999)
    return f"{born:%Y%m%d}2000{i % 12 + 1:02d}1{i % 999 + 1:03d}"


async def seed(db: Database, n: int) -> None:
    async with db.transaction() as session:
        unit = OrgUnit(code="BENCH", name="Dinas Benchmark", kind="opd")
        session.add(unit)
        await session.flush()
        people = [
            {"nip": nip_for(i), "name": f"Pegawai {i}", "unit_id": unit.id,
             "service_start": date(2015, 1, 1), "roles": ["employee"], "timezone": "Asia/Jakarta",
             "language": "id", "active": True, "employment": "PNS", "gender": "L",
             "position": "Staf", "created_at": NOW}
            for i in range(n)
        ]  # fmt: skip
        ids: list[int] = []
        for start in range(0, n, 1000):
            made = await session.execute(
                insert(Employee).returning(Employee.id), people[start : start + 1000]
            )
            ids += list(made.scalars())
        chats = [
            {"channel": "telegram", "external_id": str(500_000_000 + i), "employee_id": emp,
             "is_group": False, "active": True, "created_at": NOW}
            for i, emp in enumerate(ids) if i % 10
        ]  # fmt: skip
        for start in range(0, len(chats), 1000):
            await session.execute(insert(ChatAccount), chats[start : start + 1000])


async def savepoint_claims(session: Any, *, kind: str, items: Any, now: datetime) -> set:
    """The claim as it was: one savepoint and INSERT per person."""
    won = set()
    for key, at, outcome in items:
        if await jobs.claim(session, kind=kind, key=key, scheduled_for=at, now=now,
                            outcome=outcome):  # fmt: skip
            won.add((key, at))
    return won


async def per_person_accounts(session: Any, nips: dict[int, str], now: datetime) -> dict:
    return {i: await outbox.account_for_push(session, i, now) for i in nips}


async def orm_rows(session: Any, buttons: tokens.TokenBatch, messages: list[dict]) -> None:
    """The chunk's writes as they were: an ORM object per token and outbox row."""
    for row in buttons.rows:
        session.add(ButtonToken(**row))
    buttons.rows = []
    for row in messages:
        session.add(OutboxItem(**row))


async def bound_claimed(session: AsyncSession, due: list) -> set:
    """The claimed-days lookup as it was: the keys a bound IN list (a generic plan on
    PostgreSQL after five runs)."""
    return set(
        await session.execute(
            select(JobClaim.key, JobClaim.scheduled_for).where(
                JobClaim.kind == daily.JOB_KIND,
                JobClaim.key.in_([str(d.learner.id) for d in due]),
                JobClaim.scheduled_for.in_({d.at for d in due}),
            )
        )
    )


async def orm_accounts(session: AsyncSession, nips: dict[int, str], now: datetime) -> dict:
    """`reach.accounts_for_push` as it was: ChatAccount objects, new ones flushed."""
    found: dict[int, ChatAccount] = {}
    rows = (
        await session.execute(
            select(ChatAccount)
            .where(
                ChatAccount.employee_id.in_(list(nips)),
                ChatAccount.is_group.is_(False),
                ChatAccount.active.is_(True),
            )
            .order_by(ChatAccount.last_inbound_at.desc().nulls_last(), ChatAccount.id.desc())
        )
    ).scalars()
    for account in rows:
        found.setdefault(account.employee_id, account)
    missing = {nips[i]: i for i in nips if i not in found}
    local = (
        await session.execute(
            select(ChatAccount).where(
                ChatAccount.channel == LOCAL_CHANNEL, ChatAccount.external_id.in_(list(missing))
            )
        )
    ).scalars()
    for account in local:
        found[missing.pop(account.external_id)] = account
    for nip, employee_id in missing.items():
        account = ChatAccount(
            channel=LOCAL_CHANNEL, external_id=nip, employee_id=employee_id, created_at=now
        )
        session.add(account)
        found[employee_id] = account
    if missing:
        await session.flush()
    return found


async def executemany_rows(session: AsyncSession, table: Any, rows: list[dict]) -> int:
    """`bulk.insert_rows` as it was: one executemany INSERT (no COPY)."""
    if rows:
        await session.execute(insert(table), list(rows))
    return len(rows)


def orm_maker(session: Any, employee_id: int, now: datetime) -> Any:
    """Buttons whose tokens are ORM objects added one by one (`tokens.issue`)."""

    async def make(label: T, action: str, payload: dict, group: str | None) -> Button:
        token = await tokens.issue(
            session, employee_id=employee_id, action=action, payload=payload, now=now, group=group
        )
        return Button(label, token)

    return make


async def naive_sweep(db: Database, now: datetime, calendar: WorkCalendar, settings: Any) -> int:
    """One transaction and a handful of queries per employee."""
    async with db.sessions() as session:
        curriculum = await load_curriculum(session)
        people = (await session.execute(select(Employee.id, Employee.unit_id))).all()
    sent = 0
    for employee_id, unit_id in people:
        async with db.transaction() as session:
            due = daily._due_now(
                [(employee_id, "", unit_id, "Asia/Jakarta", None, False)], now, calendar, settings
            )
            if not due:
                continue
            d = due[0]
            won = await daily.jobs.claim(
                session, kind=daily.JOB_KIND, key=str(employee_id), scheduled_for=d.at, now=now
            )
            if not won:
                continue
            who = Learner(employee_id, unit_id, "Asia/Jakarta")
            plan = (await plan_days(session, [who], {employee_id: d.day}, now, curriculum))[
                employee_id
            ]
            replies = await plan_replies(session, plan, orm_maker(session, employee_id, now))
            for n, reply in enumerate(replies):
                key = f"{daily.JOB_KIND}:{employee_id}:{d.day}:{n}"
                await outbox.push(session, employee_id, reply, now=now, key=key)
            sent += 1
    return sent


async def run(variant: str, n: int, backend: str = "sqlite") -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        if backend == "postgres":
            from tests.support import databases

            url = await databases.create_postgres_database()
        else:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(_env_file=None, database_url=url, data_dir=Path(tmp), demo=False)
        db = Database(url)
        try:
            await migrate.upgrade(db)
            await import_folder(db, DEFAULT_CONTENT_DIR, NOW)
            await seed(db, n)
            calendar = WorkCalendar(None)
            original = reach.accounts_for_push, jobs.claim_many, daily._write
            swapped = (daily._messages, daily._claimed, daily.plan_days_inserted,
                       bulk.insert_rows, daily.IN_FLIGHT)  # fmt: skip
            if variant in ("one_chunk_at_a_time", "previous"):
                daily.IN_FLIGHT = 1
            if variant in ("per_person_render", "previous"):
                daily._messages = daily.per_person_messages  # type: ignore[assignment]
            if variant == "previous":
                daily._claimed = bound_claimed  # type: ignore[assignment]
                daily.plan_days_inserted = plan_days  # type: ignore[assignment]
                reach.accounts_for_push = orm_accounts  # type: ignore[assignment]
                bulk.insert_rows = executemany_rows  # type: ignore[assignment]
            if variant == "per_person_accounts":
                reach.accounts_for_push = per_person_accounts  # type: ignore[assignment]
            if variant == "savepoint_claims":
                jobs.claim_many = savepoint_claims  # type: ignore[assignment]
            if variant == "orm_rows":
                daily._write = orm_rows  # type: ignore[assignment]
            started = time.perf_counter()
            try:
                if variant == "naive":
                    pushed = await naive_sweep(db, NOW, calendar, settings)
                else:
                    pushed = await daily.dispatch_due_lessons(db, NOW, calendar, settings)
            finally:
                reach.accounts_for_push, jobs.claim_many, daily._write = original
                (daily._messages, daily._claimed, daily.plan_days_inserted,
                 bulk.insert_rows, daily.IN_FLIGHT) = swapped  # fmt: skip
            seconds = time.perf_counter() - started
            async with db.sessions() as session:
                messages = (await session.execute(select(func.count(OutboxItem.id)))).scalar_one()
        finally:
            await db.dispose()
            if backend == "postgres":
                await databases.drop_postgres_database(url)
    return {
        "backend": backend,
        "employees": n,
        "seconds": round(seconds, 2),
        "per_employee_ms": round(1000 * seconds / n, 3),
        "pushed": pushed,
        "messages": messages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument(
        "--variants", default="ours,per_person_accounts,naive", help="comma-separated"
    )
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each variant, interleaved; medians"
    )
    args = parser.parse_args()
    variants = args.variants.split(",")
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    # One unmeasured small sweep first: one-time costs (the holiday tables, first imports,
    # compiled statements) would otherwise fall on whichever variant runs first.
    asyncio.run(run(variants[0], 50, args.database))
    for _ in range(args.repeat):
        for v in variants:
            runs[v].append(asyncio.run(run(v, args.employees, args.database)))
    results = {}
    for v, found in runs.items():
        seconds = sorted(r["seconds"] for r in found)
        median = statistics.median(seconds)
        results[v] = {
            **found[-1],
            "seconds": round(median, 2),
            "per_employee_ms": round(1000 * median / args.employees, 3),
            "runs": [r["seconds"] for r in found],
        }
    base = results[variants[-1]]["seconds"]
    for v in variants:
        # How many times faster than the last variant named (the baseline), same run.
        results[v]["times_faster_than_" + variants[-1]] = round(base / results[v]["seconds"], 2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
