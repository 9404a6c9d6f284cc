"""APScheduler wiring: short interval sweeps over due rows, started and stopped by `ayo serve`.

APScheduler only keeps time; the work and its state live in tables. Every instance runs every
sweep (claims make that safe). Each tick starts the sweep as a task and returns, and a sweep
still running when its next tick comes is left alone, so a long broadcast never piles up runs
(nor APScheduler's "maximum number of running instances" warnings). All sweeps run once right
at start, so work that fell due during downtime fires within a minute.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from core import metrics
from core.clock import Clock
from core.settings import Settings
from core.storage.db import Database
from core.workdays import WorkCalendar
from scheduler import sweeps
from scheduler.channel_port import ChannelSender, start_channels
from scheduler.sender import Sender
from scheduler.timing import QuietHours

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A sweep and how often to run it; `run` returns how many rows it handled."""

    name: str
    every: timedelta
    run: Callable[[], Awaitable[int]]


class Runner:
    """Runs the jobs on an `AsyncIOScheduler` with an explicit time zone."""

    def __init__(self, jobs: Sequence[Job], *, timezone: str) -> None:
        self.jobs = list(jobs)
        self.scheduler = AsyncIOScheduler(timezone=ZoneInfo(timezone))
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()

    def start(self, first_run_after: timedelta = timedelta(0)) -> None:
        """Schedule every job (first run after `first_run_after`) and start ticking; needs a
        running loop. `run_now` runs a job at once whatever the delay."""
        first = datetime.now(self.scheduler.timezone) + first_run_after
        for job in self.jobs:
            self.scheduler.add_job(
                self._tick,
                IntervalTrigger(seconds=job.every.total_seconds()),
                args=(job,),
                id=job.name,
                coalesce=True,
                max_instances=1,
                next_run_time=first,
            )
        # APScheduler logs every run at INFO (one line a job every few seconds): keep warnings.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        self.scheduler.start()
        log.info("scheduler started: %s", ", ".join(j.name for j in self.jobs))

    async def stop(self, grace: float = 5.0) -> None:
        """Stop ticking, give running sweeps `grace` seconds, then cancel them."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        running = [t for t in self._tasks.values() if not t.done()]
        if running:
            _, late = await asyncio.wait(running, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def run_now(self, name: str) -> None:
        """Run a job now (after a reply was queued, say) and wait for it.

        If it is already running it runs once more right after, so that work queued while
        the running sweep was finishing does not wait for the next tick.
        """
        job = next(j for j in self.jobs if j.name == name)
        task = self._tasks.get(name)
        if task is not None and not task.done():
            self._again.add(name)
        else:
            task = self._tasks[name] = asyncio.create_task(self._guarded(job))
        # shield: a caller giving up must not cancel a sweep shared with the ticks.
        await asyncio.shield(task)

    async def _tick(self, job: Job) -> None:
        task = self._tasks.get(job.name)
        if task is not None and not task.done():
            return
        self._tasks[job.name] = asyncio.create_task(self._guarded(job), name=f"sweep:{job.name}")

    async def _guarded(self, job: Job) -> None:
        while True:
            self._again.discard(job.name)
            started = time.perf_counter()
            try:
                count = await job.run()
            except Exception:
                metrics.SWEEP_SECONDS.labels(job.name).observe(time.perf_counter() - started)
                # A failing sweep must not stop the others; its rows stay due and are retried.
                log.exception("sweep %s failed", job.name)
                return
            metrics.SWEEP_SECONDS.labels(job.name).observe(time.perf_counter() - started)
            if count:
                log.info("sweep %s: %s", job.name, count)
            if job.name not in self._again:
                return


def build_jobs(
    *,
    db: Database,
    clock: Clock,
    calendar: WorkCalendar,
    settings: Settings,
    sender: Sender | None,
    connectors: Any = None,
    leave_rules: Any = None,
    send_every: float | None = None,
    documents: Any = None,
) -> list[Job]:
    """Every scheduled job of Ayo, on its interval."""
    jobs = [
        Job("lessons.daily", timedelta(seconds=60),
            lambda: sweeps.sweep_lessons(db, clock(), calendar, settings)),
        Job("approvals.remind", timedelta(seconds=60),
            lambda: sweeps.sweep_approvals(db, clock(), calendar, leave_rules, documents,
                                           settings.public_url)),
        Job("handoff.sla", timedelta(seconds=60),
            lambda: sweeps.sweep_handoff(db, clock(), calendar, settings)),
        Job("backend.deliver", timedelta(seconds=10),
            lambda: sweeps.sweep_backend_calls(db, clock(), connectors, settings)),
        Job("digest.weekly", timedelta(seconds=60),
            lambda: sweeps.sweep_weekly_digest(db, clock(), calendar, settings)),
        Job("requests.nudge", timedelta(seconds=300),
            lambda: sweeps.sweep_request_nudges(
                db, clock(), calendar, after_hours=settings.nudge_after_working_hours,
                default_tz=settings.timezone)),
        Job("needs.remind", timedelta(seconds=300),
            lambda: sweeps.sweep_needs_reminders(db, clock())),
    ]  # fmt: skip
    if sender is not None:
        jobs.insert(0, Job("outbox.send", timedelta(seconds=send_every or 2), sender.sweep))
    return jobs


async def start_scheduler(
    *,
    settings: Settings,
    db: Database,
    clock: Clock,
    calendar: WorkCalendar,
    channels: Mapping[str, ChannelSender],
    connectors: Any = None,
    leave_rules: Any = None,
    owner: str | None = None,
    send_every: float | None = None,
    documents: Any = None,
    first_run_after: timedelta = timedelta(0),
) -> Runner:
    """Build the sender and every sweep, start them, and return the runner to stop later.

    The channel adapters are initialised here but stay owned by the caller, who closes them.
    """
    sender = None
    if channels:
        quiet = QuietHours.parse(settings.quiet_hours)
        sender = Sender.from_settings(db, channels, settings, clock, quiet=quiet, owner=owner)
        await sender.reclaim_own()
    jobs = build_jobs(db=db, clock=clock, calendar=calendar, settings=settings, sender=sender,
                      connectors=connectors, leave_rules=leave_rules,
                      send_every=send_every, documents=documents)  # fmt: skip
    await start_channels(channels)
    runner = Runner(jobs, timezone=settings.timezone)
    runner.start(first_run_after)
    return runner
