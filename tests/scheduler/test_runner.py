"""The runner: every sweep runs right at start (or after a warm-up), failures are contained,
stop cancels."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from core.clock import FixedClock
from core.settings import Settings
from core.storage.db import Database
from core.workdays import WorkCalendar
from scheduler.runner import Job, Runner, build_jobs
from scheduler.sender import Sender
from tests.support.scheduler_world import FAST, FakeChannel


async def test_every_job_runs_once_right_at_start() -> None:
    ran: dict[str, asyncio.Event] = {"a": asyncio.Event(), "b": asyncio.Event()}

    def job(name: str) -> Job:
        async def run() -> int:
            ran[name].set()
            return 1

        return Job(name, timedelta(hours=1), run)

    runner = Runner([job("a"), job("b")], timezone="Asia/Jakarta")
    runner.start()
    try:
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ran.values())), 10)
    finally:
        await runner.stop()
    assert str(runner.scheduler.timezone) == "Asia/Jakarta"


async def test_a_warm_up_delays_the_first_runs_but_not_a_run_asked_for() -> None:
    ran: list[str] = []

    async def run() -> int:
        ran.append("sweep")
        return 1

    runner = Runner([Job("sweep", timedelta(minutes=1), run)], timezone="Asia/Jakarta")
    before = datetime.now(runner.scheduler.timezone)
    runner.start(first_run_after=timedelta(hours=1))
    try:
        first = runner.scheduler.get_job("sweep").next_run_time
        assert timedelta(minutes=59) < first - before < timedelta(minutes=61)
        assert ran == []
        await runner.run_now("sweep")
        assert ran == ["sweep"]
    finally:
        await runner.stop()


async def test_a_failing_sweep_is_logged_and_a_long_one_is_cancelled_on_stop(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = asyncio.Event()
    failed = asyncio.Event()

    async def stuck() -> int:
        started.set()
        await asyncio.Event().wait()
        return 0

    async def broken() -> int:
        failed.set()
        raise RuntimeError("boom")

    runner = Runner(
        [Job("stuck", timedelta(hours=1), stuck), Job("broken", timedelta(hours=1), broken)],
        timezone="Asia/Jakarta",
    )
    runner.start()
    await asyncio.wait_for(asyncio.gather(started.wait(), failed.wait()), 10)
    await runner.stop(grace=0.01)
    assert "sweep broken failed" in caplog.text


async def test_the_scheduled_jobs_cover_sends_lessons_approvals_handoff_backends_digest_nudges(
    database_url: str, clock: FixedClock
) -> None:
    db = Database(database_url)
    try:
        sender = Sender(db, {"telegram": FakeChannel()}, {"telegram": FAST}, clock)
        jobs = build_jobs(db=db, clock=clock, calendar=WorkCalendar(), settings=Settings(
            _env_file=None), sender=sender)  # fmt: skip
        assert [j.name for j in jobs] == [
            "outbox.send",
            "lessons.daily",
            "approvals.remind",
            "handoff.sla",
            "backend.deliver",
            "digest.weekly",
            "requests.nudge",
            "needs.remind",
        ]
        assert all(j.every <= timedelta(minutes=5) for j in jobs)
    finally:
        await db.dispose()


async def test_the_sweeps_of_lessons_and_integrations_are_reached_and_run(
    database_url: str, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(database_url)
    try:
        settings = Settings(_env_file=None)
        jobs = build_jobs(db=db, clock=clock, calendar=WorkCalendar(), settings=settings,
                          sender=None, connectors={})  # fmt: skip
        counts = {job.name: await job.run() for job in jobs}
    finally:
        await db.dispose()
    assert counts == {
        "lessons.daily": 0,
        "approvals.remind": 0,
        "handoff.sla": 0,
        "backend.deliver": 0,
        "digest.weekly": 0,
        "requests.nudge": 0,
        "needs.remind": 0,
    }
    assert "not available" not in caplog.text
