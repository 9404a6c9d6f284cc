"""`ayo serve`: the HTTP server plus the background work of one Ayo instance."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import uvicorn

from bot.app import App, build_app, refuse_demo_data
from bot.web import create_web
from core.settings import Settings

log = logging.getLogger(__name__)


async def run(settings: Settings, *, host: str, port: int, telegram_polling: bool = False) -> None:
    from bot.channels.setup import describe

    ayo = await build_app(settings)
    await refuse_demo_data(ayo)
    for line in describe(settings, polling=telegram_polling):
        log.info("%s", line)
    web = create_web(ayo)
    log.info("web chat at http://%s:%s/", host, port)
    server = uvicorn.Server(uvicorn.Config(web, host=host, port=port, log_level="info"))
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
    )
    polling = _start_channels_work(ayo, runner, telegram_polling)
    try:
        await server.serve()
    finally:
        polling.stop.set()
        if polling.task is not None:
            polling.task.cancel()
        await runner.stop()
        await ayo.close()


class _Polling:
    def __init__(self) -> None:
        self.stop = asyncio.Event()
        self.task: asyncio.Task[int] | None = None


def _start_channels_work(ayo: App, runner: Any, telegram_polling: bool) -> _Polling:
    """Process updates left pending by a restart, send replies at once, poll if asked."""
    sending = asyncio.Lock()

    async def send_now() -> None:
        # Replies go out right after processing instead of at the next 2-second sweep; the
        # lock coalesces a burst of finished chats into one extra sweep.
        if ayo.channels and not sending.locked():
            async with sending:
                await runner.run_now("outbox.send")

    ayo.inbound.after = send_now
    ayo.inbound.spawn(ayo.inbound.recover())
    polling = _Polling()
    telegram = ayo.channels.get("telegram")
    if telegram_polling and telegram is not None:
        from bot.channels.telegram_polling import poll

        polling.task = asyncio.create_task(poll(telegram, ayo.inbound, stop=polling.stop))
    return polling
