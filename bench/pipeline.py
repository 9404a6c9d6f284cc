"""End-to-end pipeline benchmark: inbox → workers → sender → reply at the fake Bot API.

    .venv/bin/python bench/pipeline.py                       # baseline, 1, 2 and 4 workers
    .venv/bin/python bench/pipeline.py --workers 0,2 --rates 100,200 --step 10

A fresh PostgreSQL database (AYO_TEST_POSTGRES_URL) gets N employees, each linked to a Telegram
chat. The fake Bot API (tests/support/fake_telegram.py) runs as its own process, flood limits
off (one bot cannot send more than 30 messages a second to the real Telegram, so 200 replies a
second needs the limits lifted); Ayo's per-chat pace of 1 message a second stays on. For each
configuration a real `ayo serve --workers W` runs as a subprocess (W = 0 is the baseline: the
web process processes the inbox itself, as before the worker processes). The load is open
loop: for `--step` seconds the benchmark commits "halo" updates to the inbox at the offered
rate, round robin over the chats (as the webhook's commit would), then waits for every reply.
Reply lag = when the reply was recorded as sent (right after the fake answered) − when the
update was committed. Prints one JSON object: {config: {rate: {lag_p50, lag_p99, throughput,
replied, updates}}}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import delete, func, insert, select, update

from core.storage.db import Database
from core.storage.models import ChatAccount, Conversation, Employee, InboxItem, OrgUnit, OutboxItem
from tests.support import databases
from tests.support.fake_telegram import DEFAULT_TOKEN
from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[1]
FIRST_CHAT = 800_000_000


def fake_telegram(chats: int) -> None:
    """Run the fake Bot API in this process until killed; print its URL first."""
    from tests.support.fake_telegram import FakeTelegram

    with FakeTelegram(chats=[FIRST_CHAT + i for i in range(chats)]) as tg:
        print(tg.base_url, flush=True)
        signal.sigwait({signal.SIGTERM, signal.SIGINT})


def nip_for(i: int) -> str:
    return f"19800101{2000 + i // 9999:04d}{i % 12 + 1:02d}1{i % 999 + 1:03d}"


async def prepare(url: str, chats: int) -> None:
    from bot.app import build_app
    from core.settings import Settings

    app = await build_app(Settings(_env_file=None, database_url=url, demo=False))
    await app.close()
    db = Database(url)
    now = datetime.now(UTC)
    try:
        async with db.transaction() as session:
            unit = OrgUnit(code="BENCH", name="Dinas Benchmark", kind="opd")
            session.add(unit)
            await session.flush()
            people = [
                {"nip": nip_for(i), "name": f"Pegawai {i}", "unit_id": unit.id,
                 "service_start": date(2015, 1, 1), "roles": ["employee"],
                 "timezone": "Asia/Jakarta", "language": "id", "active": True,
                 "employment": "PNS", "gender": "L", "position": "Staf", "created_at": now}
                for i in range(chats)
            ]  # fmt: skip
            ids = list(
                (await session.execute(insert(Employee).returning(Employee.id), people)).scalars()
            )
            await session.execute(
                insert(ChatAccount),
                [{"channel": "telegram", "external_id": str(FIRST_CHAT + n), "employee_id": e,
                  "is_group": False, "active": True, "created_at": now}
                 for n, e in enumerate(ids)],
            )  # fmt: skip
    finally:
        await db.dispose()


async def reset(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(delete(OutboxItem))
        await session.execute(delete(InboxItem))
        await session.execute(delete(Conversation))
        await session.execute(
            update(ChatAccount).values(inbox_owner=None, inbox_lease_until=None,
                                       inbox_served_at=None)
        )  # fmt: skip


def start_serve(url: str, tg_url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "AYO_DATABASE_URL": url,
        "AYO_DEMO": "0",
        "AYO_LOG_LEVEL": "WARNING",
        "AYO_TELEGRAM_TOKEN": DEFAULT_TOKEN,
        "AYO_TELEGRAM_API_URL": tg_url,
        "AYO_TELEGRAM_WEBHOOK_SECRET": "bench-secret",
        "AYO_TELEGRAM_BOT_USERNAME": "ayo_test_bot",
        "AYO_TELEGRAM_RATE_GLOBAL": "100000",
        "AYO_TELEGRAM_RATE_PER_CHAT": "1",
        "AYO_WORKERS": str(workers),
        "PTB_TIMEDELTA": "true",
    }
    # Its own process group, so that stopping it can wait for its worker processes too.
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    return process, f"http://127.0.0.1:{port}"


def stop_serve(serve: subprocess.Popen[bytes], grace: float = 30.0) -> None:
    """SIGTERM, then wait until the server and every worker it started have exited."""
    serve.send_signal(signal.SIGTERM)
    try:
        serve.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        serve.kill()
        serve.wait()
    deadline = time.monotonic() + grace
    while True:
        try:
            os.killpg(serve.pid, 0)
        except ProcessLookupError:
            return
        if time.monotonic() > deadline:
            os.killpg(serve.pid, signal.SIGKILL)
        time.sleep(0.2)


async def wait_ready(url: str) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                if (await client.get(f"{url}/healthz", timeout=1)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError("ayo serve did not start")


async def offer(db: Database, chat_ids: list[int], rate: float, seconds: float, tag: str) -> int:
    """Commit `rate` updates a second for `seconds`, open loop; returns how many."""
    sent, start, n = 0, time.monotonic(), 0
    while (elapsed := time.monotonic() - start) < seconds:
        due = int(elapsed * rate) - sent
        if due > 0:
            now = datetime.now(UTC)
            rows = []
            for _ in range(due):
                rows.append({"channel": "telegram", "external_key": f"{tag}:{n}",
                             "chat_account_id": chat_ids[n % len(chat_ids)], "kind": "text",
                             "text": "halo", "meta": {}, "status": "pending",
                             "received_at": now})  # fmt: skip
                n += 1
            async with db.transaction() as session:
                await session.execute(insert(InboxItem), rows)
            sent += due
        await asyncio.sleep(0.01)
    return sent


async def measure(db: Database, tag: str, count: int, patience: float) -> dict[str, Any]:
    deadline = time.monotonic() + patience
    while True:
        async with db.sessions() as session:
            lag_rows = (
                await session.execute(
                    select(
                        InboxItem.received_at, func.max(OutboxItem.sent_at), InboxItem.processed_at
                    )
                    .join(OutboxItem, OutboxItem.in_reply_to == InboxItem.id)
                    .where(InboxItem.external_key.like(f"{tag}:%"), OutboxItem.status == "sent")
                    .group_by(InboxItem.id, InboxItem.received_at, InboxItem.processed_at)
                )
            ).all()
        if len(lag_rows) >= count or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    lags = sorted((sent - got).total_seconds() for got, sent, _ in lag_rows)
    processing = sorted((done - got).total_seconds() for got, _, done in lag_rows)
    if not lags:
        return {"updates": count, "replied": 0}
    first = min(r[0] for r in lag_rows)
    last = max(r[1] for r in lag_rows)
    return {
        "updates": count,
        "replied": len(lags),
        "throughput": round(len(lags) / max((last - first).total_seconds(), 1e-6), 1),
        "lag_p50": round(lags[len(lags) // 2], 3),
        "lag_p99": round(lags[min(len(lags) - 1, int(len(lags) * 0.99))], 3),
        # Committed → processed by a worker (the rest of the lag is the sender's).
        "processed_p50": round(processing[len(processing) // 2], 3),
        "processed_p99": round(
            processing[min(len(processing) - 1, int(len(processing) * 0.99))], 3
        ),
    }


async def run(workers: list[int], rates: list[float], step: float, chats: int) -> dict[str, Any]:
    url = await databases.create_postgres_database()
    # Started once, before any measuring: the blocking Popen costs nothing measured.
    fake = subprocess.Popen(  # noqa: ASYNC220
        [sys.executable, __file__, "--fake-telegram", str(chats)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    results: dict[str, Any] = {"load_before": os.getloadavg()}
    try:
        tg_url = fake.stdout.readline().strip()
        await prepare(url, chats)
        db = Database(url)
        async with db.sessions() as session:
            chat_ids = list(
                (await session.execute(select(ChatAccount.id).order_by(ChatAccount.id))).scalars()
            )
        for w in workers:
            name = "baseline (workers 0: in the web process)" if w == 0 else f"workers {w}"
            await reset(db)
            serve, serve_url = start_serve(url, tg_url, w)
            try:
                await wait_ready(serve_url)
                # Warm up: every worker process loads the intent router on its first update.
                warm = await offer(db, chat_ids, 20, 2, f"w{w}warm")
                await measure(db, f"w{w}warm", warm, patience=60)
                results[name] = {}
                for rate in rates:
                    tag = f"w{w}r{rate}"
                    count = await offer(db, chat_ids, rate, step, tag)
                    results[name][str(rate)] = await measure(db, tag, count, patience=20)
                    print(name, rate, results[name][str(rate)], file=sys.stderr, flush=True)
            finally:
                stop_serve(serve)
        await db.dispose()
    finally:
        fake.terminate()
        fake.wait()
        await databases.drop_postgres_database(url)
    results["load_after"] = os.getloadavg()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="0,1,2,4", help="comma-separated; 0 = baseline")
    parser.add_argument("--rates", default="50,100,150,200,300", help="updates a second")
    parser.add_argument("--step", type=float, default=10.0, help="seconds per offered rate")
    parser.add_argument("--chats", type=int, default=600)
    parser.add_argument("--fake-telegram", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fake_telegram:
        fake_telegram(args.fake_telegram)
        return
    workers = [int(w) for w in args.workers.split(",")]
    rates = [float(r) for r in args.rates.split(",")]
    print(json.dumps(asyncio.run(run(workers, rates, args.step, args.chats)), indent=2))


if __name__ == "__main__":
    main()
