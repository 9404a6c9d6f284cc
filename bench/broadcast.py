"""Broadcast benchmark: the daily lesson to N employees through the real sender.

    python bench/broadcast.py --users 10000 --json            # SQLite, 30 msg/s, with baseline
    python bench/broadcast.py --users 1000 --no-baseline      # a quick iteration
    python bench/broadcast.py --users 10000 --postgres --json # on a private PostgreSQL database

N synthetic employees, each linked to a Telegram chat, live in a fresh database. A fake Bot API
on loopback (tests/support/fake_telegram.py) enforces the flood limits with sliding windows and
answers 429 with `retry_after` when they are broken. The broadcast is created (selecting and
queueing: "prepare") and sent by `scheduler.sender.Sender` through the real Telegram channel
(bot/channels/telegram.py, PTB's `Bot`). Delivered, missed and duplicates are counted from the
fake server's own records. A naive baseline (fixed concurrency, as fast as it can, a global
sleep on every 429) runs against a fresh fake after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from sqlalchemy import insert
from telegram import Bot
from telegram.error import RetryAfter
from telegram.request import HTTPXRequest

from bot.channels.setup import build_channels
from core.clock import system_clock
from core.messages import Button, Reply
from core.settings import Settings
from core.storage import migrate
from core.storage.db import Database
from core.storage.models import ChatAccount, Employee, OrgUnit
from core.text import T
from scheduler.broadcasts import Audience, create_broadcast, report
from scheduler.channel_port import ChannelLimits
from scheduler.sender import Sender
from tests.support.fake_telegram import DEFAULT_TOKEN, FakeTelegram, TelegramLimits

FIRST_CHAT = 500_000_000
LESSON = Reply(
    text=T(
        "📚 Pelajaran hari ini: Berorientasi Pelayanan (BerAKHLAK). Lima menit saja — siap mulai?",
        "📚 Today's lesson: Service Oriented (BerAKHLAK). Just five minutes — ready?",
    ),
    buttons=(
        Button(T("Mulai", "Start"), "bench-start"),
        Button(T("Nanti", "Later"), "bench-later"),
    ),
)


def nip_for(i: int) -> str:
    """A valid, unique 18-digit NIP for synthetic employee `i`."""
    born = date(1970, 1, 1) + timedelta(days=i // 999)
    return f"{born:%Y%m%d}2000{i % 12 + 1:02d}1{i % 999 + 1:03d}"


async def seed(db: Database, users: int) -> None:
    now = datetime.now(UTC)
    async with db.transaction() as session:
        unit = OrgUnit(code="BENCH", name="Dinas Benchmark", kind="opd")
        session.add(unit)
        await session.flush()
        people = [
            {"nip": nip_for(i), "name": f"Pegawai {i}", "unit_id": unit.id,
             "service_start": date(2015, 1, 1), "roles": ["employee"], "timezone": "Asia/Jakarta",
             "language": "id", "active": True, "employment": "PNS", "gender": "L",
             "position": "Staf", "created_at": now}
            for i in range(users)
        ]  # fmt: skip
        ids: list[int] = []
        for start in range(0, users, 1000):
            made = await session.execute(
                insert(Employee).returning(Employee.id), people[start : start + 1000]
            )
            ids += list(made.scalars())
        chats = [
            {"channel": "telegram", "external_id": str(FIRST_CHAT + i), "employee_id": emp,
             "is_group": False, "active": True, "created_at": now}
            for i, emp in enumerate(ids)
        ]  # fmt: skip
        for start in range(0, users, 1000):
            await session.execute(insert(ChatAccount), chats[start : start + 1000])


def truth(fake: FakeTelegram, users: int) -> dict[str, int]:
    per_chat = Counter(m["chat"]["id"] for m in fake.sent_messages())
    delivered = sum(1 for i in range(users) if per_chat[FIRST_CHAT + i])
    return {
        "delivered": delivered,
        "missed": users - delivered,
        "duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
        "rate_limited": fake.count_429,
        "sends": len(fake.requests("sendMessage")),
    }


def _serve_fake(conn: Connection, users: int, rate: int, latency: float) -> None:
    limits = TelegramLimits(global_per_sec=rate, per_chat_per_sec=1)
    chats = [FIRST_CHAT + i for i in range(users)]
    with FakeTelegram(DEFAULT_TOKEN, chats=chats, limits=limits, latency=latency) as tg:
        conn.send(tg.base_url)
        conn.recv()  # "done"
        conn.send(truth(tg, users))


class FakeInOwnProcess:
    """The fake Bot API in a process of its own, as Telegram is: no GIL shared with Ayo."""

    def __init__(self, args: argparse.Namespace) -> None:
        self._conn, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("spawn").Process(
            target=_serve_fake, args=(child, args.users, int(args.rate), args.latency)
        )

    def __enter__(self) -> str:
        self._process.start()
        return str(self._conn.recv())

    def counts(self) -> dict[str, int]:
        self._conn.send("done")
        return dict(self._conn.recv())

    def __exit__(self, *exc: object) -> None:
        self._process.join(timeout=30)


async def run_ayo(args: argparse.Namespace, url: str) -> dict[str, Any]:
    db = Database(url)
    await migrate.upgrade(db)
    await seed(db, args.users)
    fake = FakeInOwnProcess(args)
    with fake as base_url:
        # The real Telegram channel of bot/channels (PTB `Bot`), pointed at the fake.
        config = Settings(_env_file=None, telegram_token=DEFAULT_TOKEN, telegram_api_url=base_url)
        adapter = build_channels(config, db, system_clock)["telegram"]
        await adapter.start()
        sender = Sender(
            db,
            {"telegram": adapter},
            {"telegram": ChannelLimits(args.rate, 1.0, concurrency=args.concurrency)},
            system_clock,
            **({"headroom": args.headroom} if args.headroom else {}),
        )
        started = time.perf_counter()
        broadcast = await create_broadcast(
            db, audience=Audience("all"), reply=LESSON, title="Lesson", now=system_clock()
        )
        prepared = time.perf_counter()
        while True:
            await sender.sweep()
            state = await report(db, broadcast, system_clock())
            if state.finished:
                break
            await asyncio.sleep(0.05)  # a retry_after is pending: wait for it to come due
        finished = time.perf_counter()
        await adapter.close()
        counts = fake.counts()
    await db.dispose()
    seconds = finished - started
    ideal = args.users / args.rate
    return {
        **counts,
        "seconds": round(seconds, 2),
        "prepare_seconds": round(prepared - started, 3),
        "prepare_share": round((prepared - started) / seconds, 4),
        "ideal_seconds": round(ideal, 2),
        "efficiency": round(ideal / seconds, 4),
        "rate_limited_share": round(counts["rate_limited"] / max(1, counts["sends"]), 4),
        "report": state.to_json(),
    }


async def run_baseline(args: argparse.Namespace) -> dict[str, Any]:
    """Naive: `concurrency` workers as fast as possible, all sleeping on any 429."""
    chats = [FIRST_CHAT + i for i in range(args.users)]
    fake = FakeInOwnProcess(args)
    with fake as base_url:
        request = HTTPXRequest(connection_pool_size=args.concurrency + 4, pool_timeout=30.0)
        async with Bot(DEFAULT_TOKEN, base_url=base_url, request=request) as bot:
            todo: asyncio.Queue[int] = asyncio.Queue()
            for chat in chats:
                todo.put_nowait(chat)
            resume_at = 0.0

            async def worker() -> None:
                nonlocal resume_at
                while not todo.empty():
                    chat = todo.get_nowait()
                    while True:
                        pause = resume_at - time.monotonic()
                        if pause > 0:
                            await asyncio.sleep(pause)
                        try:
                            await bot.send_message(chat, LESSON.text.id)
                            break
                        except RetryAfter as exc:
                            wait = exc.retry_after
                            seconds = wait.total_seconds() if isinstance(wait, timedelta) else wait
                            resume_at = max(resume_at, time.monotonic() + seconds)

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(args.concurrency)))
            seconds = time.perf_counter() - started
        counts = fake.counts()
    ideal = args.users / args.rate
    return {
        **counts,
        "seconds": round(seconds, 2),
        "ideal_seconds": round(ideal, 2),
        "efficiency": round(ideal / seconds, 4),
        "rate_limited_share": round(counts["rate_limited"] / max(1, counts["sends"]), 4),
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"users": args.users, "rate": args.rate, "latency": args.latency,
                              "concurrency": args.concurrency}  # fmt: skip
    made_pg = None
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url
        if args.postgres:
            from tests.support.databases import create_postgres_database

            url = made_pg = await create_postgres_database()
        url = url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        result["database"] = url.split(":", 1)[0]
        try:
            result.update(await run_ayo(args, url))
        finally:
            if made_pg:
                from tests.support.databases import drop_postgres_database

                await drop_postgres_database(made_pg)
    if args.baseline:
        result["baseline"] = await run_baseline(args)
    return result


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--rate", type=float, default=30.0, help="channel limit, messages/s")
    p.add_argument("--latency", type=float, default=0.03, help="fake API latency, seconds")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument(
        "--headroom", type=float, default=0.0, help="pace at rate × this (default: the sender's)"
    )
    p.add_argument("--database-url", default="", help="an empty database (default: temp SQLite)")
    p.add_argument("--postgres", action="store_true", help="a private PostgreSQL database")
    p.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p.parse_args()


if __name__ == "__main__":
    arguments = parse()
    outcome = asyncio.run(main(arguments))
    if arguments.json:
        print(json.dumps(outcome))
    else:
        print(json.dumps(outcome, indent=2))
