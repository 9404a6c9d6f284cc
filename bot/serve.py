"""`ayo serve`: the HTTP server plus the background work of one Ayo instance."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from datetime import timedelta
from typing import Any

import uvicorn

from bot.app import App, build_app, refuse_demo_data
from bot.web.app import create_web
from core.settings import Settings

log = logging.getLogger(__name__)

# A starting instance answers first: the sweeps' first runs (the morning push, digests …) and
# loading the handlers wait this long, so a restart takes webhooks again at once. Replies
# queued meanwhile are sent at once (the sender is woken, not ticked).
WARM_UP = timedelta(seconds=1)


async def run(
    settings: Settings,
    *,
    host: str,
    port: int,
    telegram_polling: bool = False,
    workers: int | None = None,
) -> None:
    from bot.channels.setup import describe

    ayo = await build_app(settings)
    await refuse_demo_data(ayo)
    for line in describe(settings, polling=telegram_polling):
        log.info("%s", line)
    web = create_web(ayo)
    log.info("web chat at http://%s:%s/", host, port)
    server = Server(uvicorn.Config(web, host=host, port=port, log_level="info"))
    workers = inbox_workers(settings, workers, sqlite=ayo.db.is_sqlite)
    name = f"{socket.gethostname()}:{port}"
    # The scheduler's sweeps and the outbound sender run beside the web server; several
    # instances may run them at once (claims keep every job to exactly one instance).
    from scheduler.runner import start_scheduler

    runner = await start_scheduler(
        settings=settings,
        db=ayo.db,
        clock=ayo.deps.clock,
        calendar=ayo.deps.calendar,
        channels=ayo.channels,
        connectors=ayo.deps.connectors,
        leave_rules=ayo.deps.leave_rules,
        # The web server's own store: the links reminders carry are signed with its key.
        documents=ayo.deps.documents,
        owner=name,
        # Replies processed in worker processes are found by polling, not by a wake-up.
        send_every=settings.sender_poll_seconds if workers else None,
        first_run_after=WARM_UP,
    )
    polling = _start_channels_work(ayo, runner, telegram_polling, workers=workers, name=name)
    pool = WorkerPool(settings, workers, name) if workers else None
    if pool is not None:
        pool.start()
    try:
        await server.serve()
    finally:
        server.stop_loading()
        polling.stop.set()
        if polling.task is not None:
            polling.task.cancel()
        if pool is not None:
            await pool.stop()
        if polling.worker is not None:
            await polling.worker
        await runner.stop()
        await ayo.close()


def inbox_workers(settings: Settings, asked: int | None, *, sqlite: bool) -> int:
    """How many worker processes `ayo serve` starts (0: the web process processes the inbox).

    On PostgreSQL, `--workers` or else AYO_WORKERS (2). SQLite has one writer: the web
    process processes the inbox itself unless `--workers` or AYO_WORKERS asks for workers,
    and then it gets one, so that answering webhooks never waits for processing's CPU.
    """
    if not sqlite:
        return settings.workers if asked is None else asked
    if asked is None:
        asked = settings.workers if "workers" in settings.model_fields_set else 0
    if asked == 0:
        log.info("inbox: processed in this process (SQLite has one writer)")
        return 0
    if asked > 1:
        log.info("inbox: one worker process, not %s (SQLite has one writer)", asked)
    return 1


class Server(uvicorn.Server):
    """uvicorn's server, loading the handlers once it listens (/readyz does not wait for them)."""

    loading: asyncio.Task[None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            from bot.handlers.loading import load_all

            self.loading = asyncio.create_task(load_all(after=WARM_UP.total_seconds()))

    def stop_loading(self) -> None:
        if self.loading is not None:
            self.loading.cancel()


class WorkerPool:
    """`ayo worker` processes started by `ayo serve`, restarted if one dies."""

    def __init__(self, settings: Settings, count: int, name: str) -> None:
        self.count, self.name = count, name
        self.procs: list[asyncio.subprocess.Process | None] = [None] * count
        self._watch: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._watch = asyncio.create_task(self._supervise())
        log.info("inbox: %s worker processes", self.count)

    async def _spawn(self, n: int) -> asyncio.subprocess.Process:
        env = {**os.environ, "AYO_WORKER_PARENT": str(os.getpid())}
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "worker", "--name", f"{self.name}:w{n}", env=env
        )

    async def _supervise(self) -> None:
        while not self._stopping:
            for n, proc in enumerate(self.procs):
                if proc is not None and proc.returncode is None:
                    continue
                if proc is not None:
                    log.warning("inbox worker w%s exited (%s); restarting", n, proc.returncode)
                self.procs[n] = await self._spawn(n)
            await asyncio.sleep(1.0)

    async def stop(self, grace: float = 10.0) -> None:
        self._stopping = True
        if self._watch is not None:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
        live = [p for p in self.procs if p is not None and p.returncode is None]
        for proc in live:
            proc.send_signal(signal.SIGTERM)
        for proc in live:
            try:
                await asyncio.wait_for(proc.wait(), grace)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def run_worker(settings: Settings, *, name: str | None, concurrency: int | None) -> None:
    """`ayo worker`: process the inbox of a shared PostgreSQL until SIGTERM/SIGINT."""
    from bot.inbound.worker import InboxWorker

    ayo = await build_app(settings, prepare=False)
    from bot.curated import follow, use_curated

    # The server migrated; the router learns the back office's curated examples now and
    # whenever they change (bot/curated.py).
    await use_curated(ayo.deps)
    worker = InboxWorker(
        ayo.engine,
        owner=name or f"{socket.gethostname()}:{os.getpid()}",
        lease=timedelta(seconds=settings.worker_lease_seconds),
        concurrency=concurrency or settings.worker_concurrency,
        poll=settings.worker_poll_seconds,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    parent = os.environ.get("AYO_WORKER_PARENT")
    orphan = asyncio.create_task(_exit_with_parent(int(parent), stop)) if parent else None
    follower = asyncio.create_task(follow(ayo.deps, stop))
    freed = await worker.reclaim_own()
    log.info("inbox worker %s started (%s chats at once; %s leases taken back)",
             worker.owner, worker.concurrency, freed)  # fmt: skip
    try:
        await worker.run(stop)
    finally:
        if orphan is not None:
            orphan.cancel()
        follower.cancel()
        await ayo.close()
        log.info("inbox worker %s stopped after %s updates", worker.owner, worker.processed)


async def _exit_with_parent(parent: int, stop: asyncio.Event) -> None:
    # A worker started by `ayo serve` stops when the server is gone (even after kill -9).
    while os.getppid() == parent and not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)
    stop.set()


class _Polling:
    def __init__(self) -> None:
        self.stop = asyncio.Event()
        self.task: asyncio.Task[int] | None = None
        self.worker: asyncio.Task[None] | None = None


def _start_channels_work(
    ayo: App, runner: Any, telegram_polling: bool, *, workers: int, name: str
) -> _Polling:
    """Process updates left pending by a restart, send replies at once, poll if asked."""
    sending = asyncio.Lock()

    async def send_now() -> None:
        # Replies go out right after processing instead of at the next 2-second sweep; the
        # lock coalesces a burst of finished chats into one extra sweep.
        if ayo.channels and not sending.locked():
            async with sending:
                await runner.run_now("outbox.send")

    polling = _Polling()
    ayo.inbound.after = send_now
    if workers:
        ayo.inbound.local = False
    else:
        settings = ayo.settings
        worker = ayo.inbound.worker
        worker.owner = f"{name}:serve"
        worker.lease = timedelta(seconds=settings.worker_lease_seconds)
        worker.concurrency = settings.worker_concurrency
        worker.poll = settings.worker_poll_seconds

        async def work() -> None:
            await worker.reclaim_own()
            ayo.inbound.running = True
            try:
                # Claims the backlog a restart left at once, then whatever comes in.
                await worker.run(polling.stop)
            finally:
                ayo.inbound.running = False

        polling.worker = asyncio.create_task(work())
    telegram = ayo.channels.get("telegram")
    if telegram_polling and telegram is not None:
        from bot.channels.telegram_polling import poll

        polling.task = asyncio.create_task(poll(telegram, ayo.inbound, stop=polling.stop))
    return polling
