"""Webhook ingestion under open-loop load: `ayo serve` beside a bare Starlette + one INSERT.

    python bench/webhook_load.py                      # SQLite and PostgreSQL, 100/250/500/s, 20 s
    python bench/webhook_load.py --seconds 30 --rates 100,250,500 --backends postgres
    python bench/webhook_load.py --serve-arg=--workers --serve-arg=2   # web side only on PG
    python bench/webhook_load.py --profile            # also a py-spy profile at 250/s
    python bench/webhook_load.py --backends postgres --pause-workers \
        --serve-arg=--workers --serve-arg=2           # the web side alone (see below)

200 synthetic employees, each linked to a Telegram chat, get valid updates ("halo", "menu",
"cek sisa cuti") posted to /telegram/webhook with the right secret, open loop: request i is
due at start + i/rate whatever happened to the earlier ones, and its latency counts from that
due time (queueing included). Raw HTTP/1.1 keep-alive connections keep the generator cheap.
For each step: p50/p99 of the 200, accepted rate, lost (offered minus 200s; every 200 is also
checked to be in the inbox) and the server's CPU per accepted update (its whole process tree,
so processing counts when it runs in the same process). The baseline is a bare Starlette app
on the same uvicorn (httptools, uvloop) doing one INSERT per update into the same database,
run in the same invocation. The fake Bot API (for the replies) runs in its own process.

`--pause-workers` (PostgreSQL with `--workers N`) stops the worker processes with SIGSTOP for
each step and lets them go (SIGCONT) for the drain: the web side is measured as if the workers
ran on another machine (`ayo worker`), on a 2-core box where they would otherwise take the CPU
the webhook needs; its CPU figure is then the web process alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from bench.serving import TG_SECRET, database, free_port, served

CHATS = 200
TEXTS = ("halo", "menu", "cek sisa cuti")
TICK = os.sysconf("SC_CLK_TCK")


# -- the baseline server ------------------------------------------------------------------------
def baseline_server(url: str, port: int) -> None:
    """Bare Starlette: check the secret, parse, one INSERT, answer."""
    import uvicorn
    from sqlalchemy import Column, Integer, MetaData, String, Table, Text
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from core.storage.db import Database

    meta = MetaData()
    table = Table(
        "bench_inbox",
        meta,
        Column("id", Integer, primary_key=True),
        Column("key", String(100), unique=True),
        Column("chat", String(64)),
        Column("text", Text),
    )
    # The same engine set-up as Ayo's (SQLite: WAL, one writer connection).
    engine = Database(url).engine

    async def webhook(request: Request) -> JSONResponse:
        if request.headers.get("x-telegram-bot-api-secret-token") != TG_SECRET:
            return JSONResponse({"ok": False}, status_code=401)
        update = json.loads(await request.body())
        message = update["message"]
        async with engine.begin() as conn:
            await conn.execute(
                table.insert().values(
                    key=str(update["update_id"]),
                    chat=str(message["chat"]["id"]),
                    text=message.get("text"),
                )
            )
        return JSONResponse({"ok": True})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with engine.begin() as conn:
            await conn.run_sync(meta.create_all)
        yield

    app = Starlette(
        routes=[Route("/telegram/webhook", webhook, methods=["POST"]), Route("/healthz", health)],
        lifespan=lifespan,
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


# -- the fake Bot API in its own process ----------------------------------------------------------
def fake_telegram(chats: list[int], conn: Any) -> None:
    from tests.support.fake_telegram import FakeTelegram

    with FakeTelegram(chats=tuple(chats)) as tg:
        conn.send(tg.base_url)
        conn.recv()  # until told to stop


# -- load -----------------------------------------------------------------------------------------
class Load:
    """An open-loop generator over raw keep-alive HTTP/1.1 connections."""

    def __init__(self, port: int, chats: list[int]) -> None:
        self.port, self.chats = port, chats
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.next_id = 1

    def request(self, update_id: int) -> bytes:
        chat = self.chats[update_id % len(self.chats)]
        body = json.dumps(
            {
                "update_id": update_id,
                "message": {
                    "message_id": update_id,
                    "from": {"id": chat, "is_bot": False, "first_name": "Pegawai"},
                    "chat": {"id": chat, "type": "private", "first_name": "Pegawai"},
                    "date": 1764633600,
                    "text": TEXTS[update_id % len(TEXTS)],
                },
            }
        ).encode()
        head = (
            f"POST /telegram/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: {TG_SECRET}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        return head + body

    async def one(self, update_id: int, due: float, out: list[float], codes: Counter) -> None:
        loop = asyncio.get_running_loop()
        try:
            reused = bool(self.idle)
            if reused:
                reader, writer = self.idle.pop()
            else:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            writer.write(self.request(update_id))
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
            except (OSError, asyncio.IncompleteReadError):
                if not reused:
                    raise
                # The server closed an idle keep-alive connection (uvicorn's 5 s timeout): a
                # real client reconnects and resends, and the same update_id is deduplicated.
                codes["reconnected"] += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.write(self.request(update_id))
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            codes[status] += 1
            if status == 200:
                out.append(loop.time() - due)
            self.idle.append((reader, writer))
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
            codes["error"] += 1

    async def step(self, rate: float, seconds: float) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        latencies: list[float] = []
        codes: Counter = Counter()
        tasks = []
        count = int(rate * seconds)
        start = loop.time()
        for n in range(count):
            due = start + n / rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.one(self.next_id, due, latencies, codes)))
            self.next_id += 1
        sent_in = loop.time() - start
        await asyncio.gather(*tasks)
        elapsed = loop.time() - start
        latencies.sort()
        ok = codes.get(200, 0)
        return {
            "offered_per_s": rate,
            "offered": count,
            "sent_within_s": round(sent_in, 2),
            "accepted": ok,
            "accepted_per_s": round(ok / elapsed, 1),
            "lost": count - ok,
            "other_answers": {str(k): v for k, v in codes.items() if k != 200},
            "p50_ms": round(1000 * latencies[len(latencies) // 2], 1) if latencies else None,
            "p99_ms": round(1000 * latencies[int(len(latencies) * 0.99)], 1)
            if latencies
            else None,
        }


def tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(parents.get(p, []))
    return found


def cpu_seconds(pid: int) -> float:
    total = 0.0
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def web_cpu_seconds(pid: int) -> float:
    """CPU of the web process alone (not its worker processes)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def inbox_rows(url: str, table: str) -> int:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            where = " WHERE channel = 'telegram'" if table == "inbox" else ""
            return (await conn.execute(text(f"SELECT count(*) FROM {table}{where}"))).scalar()
    finally:
        await engine.dispose()


async def pending(url: str) -> int:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            sql = "SELECT count(*) FROM inbox WHERE status = 'pending'"
            return (await conn.execute(text(sql))).scalar()
    finally:
        await engine.dispose()


def signal_workers(pid: int, sig: int) -> int:
    """Send `sig` to every descendant of the `ayo serve` process (its worker processes)."""
    sent = 0
    for child in tree(pid)[1:]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, sig)
            sent += 1
    return sent


def run_steps(
    port: int,
    pid: int,
    chats: list[int],
    rates: list[float],
    seconds: float,
    settle: Any,
    *,
    pause_workers: bool = False,
) -> list[dict[str, Any]]:
    load = Load(port, chats)
    results = []
    for rate in rates:
        paused = signal_workers(pid, signal.SIGSTOP) if pause_workers else 0
        before = cpu_seconds(pid) if not paused else web_cpu_seconds(pid)
        result = asyncio.run(load.step(rate, seconds))
        spent = (cpu_seconds(pid) if not paused else web_cpu_seconds(pid)) - before
        result["cpu_ms_per_accepted"] = round(1000 * spent / max(result["accepted"], 1), 2)
        if paused:
            result["workers_paused"] = paused
            signal_workers(pid, signal.SIGCONT)
        result["backlog_left"] = settle()
        results.append(result)
        print(json.dumps(result), file=sys.stderr)
        load.idle.clear()
    return results


def profile(pid: int, seconds: float, out: Path) -> dict[str, list[tuple[str, float]]]:
    """py-spy for `seconds` over the server and its worker processes: the functions holding
    the most samples, inclusive (on the stack) and self (the running frame), in %."""
    # The venv's py-spy (the [bench] extra), else one on PATH.
    spy = shutil.which(
        "py-spy", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    )
    if spy is None:
        raise SystemExit("--profile needs py-spy: pip install -e '.[bench]'")
    subprocess.run(
        [spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "100",
         "--format", "raw", "--output", str(out), "--nonblocking", "--subprocesses"],
        check=True, capture_output=True,
    )  # fmt: skip
    inclusive: Counter = Counter()
    leaf: Counter = Counter()
    total = 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        frames = stack.split(";")
        leaf[frames[-1]] += n
        # With --subprocesses, py-spy names the process in a first frame of its own.
        for frame in {f for f in frames if not f.startswith("process ")}:
            inclusive[frame] += n
    return {
        "inclusive": [(f, round(100 * n / total, 1)) for f, n in inclusive.most_common(60)],
        "self": [(f, round(100 * n / total, 1)) for f, n in leaf.most_common(30)],
    }


def baseline(args: argparse.Namespace, postgres: bool) -> list[dict[str, Any]]:
    """The bare Starlette + one INSERT server, on its own private database."""
    with database(postgres) as url:
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, __file__, "--serve-baseline", url, str(port)],
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_up(port)
            return run_steps(
                port, proc.pid, list(range(1, CHATS + 1)), args.rates, args.seconds, lambda: 0
            )
        finally:
            proc.terminate()
            proc.wait()


def bench_backend(args: argparse.Namespace, postgres: bool) -> dict[str, Any]:
    from tests.support.scheduler_world import add_people

    name = "postgresql" if postgres else "sqlite"
    out: dict[str, Any] = {"backend": name}
    if args.no_baseline:
        out["baseline"] = "skipped (--no-baseline)"
    else:
        out["baseline"] = baseline(args, postgres)
    folder = Path(tempfile.mkdtemp(prefix="ayo-load-"))
    with database(postgres) as url:
        from core.storage.db import Database

        async def people() -> list[int]:
            from bench.serving import _prepare

            await _prepare(url, folder)
            db = Database(url)
            try:
                return await add_people(db, CHATS)
            finally:
                await db.dispose()

        ids = asyncio.run(people())
        chats = [700_000 + i for i in ids]
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        fake = ctx.Process(target=fake_telegram, args=(chats, child), daemon=True)
        fake.start()
        tg_url = parent.recv()
        extra = {"AYO_TELEGRAM_RATE_GLOBAL": "1000", "AYO_TELEGRAM_RATE_PER_CHAT": "1000"}
        try:
            with served(
                url, folder, telegram_api=tg_url, env_extra=extra, args=args.serve_arg
            ) as ayo:
                port = int(ayo.url.rsplit(":", 1)[1])
                time.sleep(3)
                out["idle_rss_mb"] = round(rss_mb(ayo.pid), 1)
                out["start_to_healthz_s"] = round(ayo.started_in, 2)

                def settle() -> int:
                    deadline = time.monotonic() + args.drain
                    left = asyncio.run(pending(url))
                    while left and time.monotonic() < deadline:
                        time.sleep(1)
                        left = asyncio.run(pending(url))
                    return left

                settle()
                out["ayo"] = run_steps(
                    port,
                    ayo.pid,
                    chats,
                    args.rates,
                    args.seconds,
                    settle,
                    pause_workers=args.pause_workers,
                )
                out["ayo_inbox_rows"] = asyncio.run(inbox_rows(url, "inbox"))
                if args.profile:
                    load = Load(port, chats)
                    load.next_id = 10_000_000
                    spy = folder / "profile.txt"

                    async def during() -> dict[str, list[tuple[str, float]]]:
                        task = asyncio.create_task(load.step(250, args.seconds))
                        top = await asyncio.to_thread(profile, ayo.pid, args.seconds - 2, spy)
                        await task
                        return top

                    out["profile_250"] = asyncio.run(during())
        finally:
            parent.send("stop")
            fake.join(10)
    return out


def wait_up(port: int) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--serve-baseline", nargs=2, metavar=("URL", "PORT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--rates", default="100,250,500")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--drain", type=float, default=30.0, help="wait for the backlog (s)")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--serve-arg", action="append", default=[], help="passed to ayo serve")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-baseline", action="store_true", help="only ayo (profiling runs)")
    parser.add_argument(
        "--pause-workers", action="store_true", help="SIGSTOP the workers during each step"
    )
    args = parser.parse_args()
    if args.serve_baseline:
        baseline_server(args.serve_baseline[0], int(args.serve_baseline[1]))
        return
    args.rates = [float(r) for r in args.rates.split(",")]
    load1 = os.getloadavg()[0]
    results = [bench_backend(args, b == "postgres") for b in args.backends.split(",")]
    summary = {
        "load_average_before": round(load1, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "seconds_per_step": args.seconds,
        "serve_args": args.serve_arg,
        "pause_workers": args.pause_workers,
        "results": results,
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
