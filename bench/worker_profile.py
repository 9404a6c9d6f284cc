"""Where one inbox update's processing goes: SQL statements, CPU and the top functions.

    .venv/bin/python bench/worker_profile.py --updates 600 --chats 200
    .venv/bin/python bench/worker_profile.py --updates 600 --sqlite

In one process, on a fresh database (PostgreSQL by default), N employees are linked to
Telegram chats and M updates ("halo", "menu", "cek sisa cuti", round robin over the chats) are
committed to the inbox; then the engine processes them one after the other, as one worker's
turns do (`Engine.process`), with nothing sent (the sender is not part of this measure). The
first 20 updates warm the router and the caches and are not counted. Prints updates a second,
CPU milliseconds and SQL statements per update, and the functions with the most cumulative
time under cProfile (a second, profiled pass over the same number of updates).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, insert, select

from bench.pipeline import prepare
from core.storage.db import Database
from core.storage.models import ChatAccount, InboxItem
from tests.support import databases

TEXTS = ("halo", "menu", "cek sisa cuti")
WARM = 20


async def commit_updates(db: Database, chat_ids: list[int], count: int, tag: str) -> None:
    now = datetime.now(UTC)
    rows = [
        {"channel": "telegram", "external_key": f"{tag}:{n}",
         "chat_account_id": chat_ids[n % len(chat_ids)], "kind": "text",
         "text": TEXTS[n % len(TEXTS)], "meta": {}, "status": "pending", "received_at": now}
        for n in range(count)
    ]  # fmt: skip
    async with db.transaction() as session:
        await session.execute(insert(InboxItem), rows)


async def pending_ids(db: Database) -> list[int]:
    async with db.sessions() as session:
        query = select(InboxItem.id).where(InboxItem.status == "pending").order_by(InboxItem.id)
        return list((await session.execute(query)).scalars())


async def run(url: str, updates: int, chats: int) -> dict[str, Any]:
    from bot.app import build_app
    from core.settings import Settings

    await prepare(url, chats)
    app = await build_app(Settings(_env_file=None, database_url=url, demo=False), prepare=False)
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(app.deps.db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with app.deps.db.sessions() as session:
            chat_ids = list(
                (await session.execute(select(ChatAccount.id).order_by(ChatAccount.id))).scalars()
            )
        await commit_updates(app.deps.db, chat_ids, WARM, "warm")
        for inbox_id in await pending_ids(app.deps.db):
            await app.engine.process(inbox_id)

        await commit_updates(app.deps.db, chat_ids, updates, "plain")
        ids = await pending_ids(app.deps.db)
        statements = 0
        cpu, wall = time.process_time(), time.perf_counter()
        for inbox_id in ids:
            await app.engine.process(inbox_id)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        plain = {
            "updates": len(ids),
            "updates_per_s": round(len(ids) / wall, 1),
            "cpu_ms_per_update": round(1000 * cpu / len(ids), 2),
            "sql_statements_per_update": round(statements / len(ids), 1),
        }

        await commit_updates(app.deps.db, chat_ids, updates, "profiled")
        ids = await pending_ids(app.deps.db)
        profiler = cProfile.Profile()
        profiler.enable()
        for inbox_id in ids:
            await app.engine.process(inbox_id)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
        return {"measured": plain, "profile_top_cumulative": out.getvalue()}
    finally:
        await app.close()


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    if args.sqlite:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{folder}/bench.db"
            return await run(url, args.updates, args.chats)
    url = await databases.create_postgres_database()
    try:
        return await run(url, args.updates, args.chats)
    finally:
        await databases.drop_postgres_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    print(json.dumps(result["measured"], indent=2))
    print(result["profile_top_cumulative"])


if __name__ == "__main__":
    main()
