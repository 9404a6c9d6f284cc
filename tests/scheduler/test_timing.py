"""Grace windows after downtime, and quiet hours in each employee's time zone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.storage.db import Database
from core.storage.models import JobClaim
from scheduler.timing import QuietHours, due_within_grace, fire_once

DUE = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 08:00 WIB
GRACE = timedelta(hours=2)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


def test_work_is_due_from_its_time_until_the_end_of_its_grace() -> None:
    assert not due_within_grace(DUE, DUE - timedelta(seconds=1), GRACE)
    assert due_within_grace(DUE, DUE, GRACE)
    assert due_within_grace(DUE, DUE + GRACE, GRACE)
    assert not due_within_grace(DUE, DUE + GRACE + timedelta(seconds=1), GRACE)


async def fire(db: Database, now: datetime) -> bool:
    async with db.transaction() as session:
        return await fire_once(
            session, kind="lesson.test", key="7", scheduled_for=DUE, now=now, grace=GRACE
        )


async def claims(db: Database) -> list[str]:
    async with db.sessions() as session:
        return list((await session.execute(select(JobClaim.outcome))).scalars())


async def test_a_restart_inside_the_grace_window_fires_the_missed_work_once(
    db: Database,
) -> None:
    restart = DUE + timedelta(minutes=90)
    assert await fire(db, restart) is True
    assert await fire(db, restart + timedelta(minutes=1)) is False
    assert await claims(db) == ["done"]


async def test_a_restart_after_the_grace_window_skips_and_records_it(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="scheduler.timing")
    restart = DUE + timedelta(hours=5)
    assert await fire(db, restart) is False
    assert await fire(db, restart + timedelta(minutes=1)) is False
    assert await claims(db) == ["skipped"]
    assert [r.getMessage() for r in caplog.records] == [
        "skipped lesson.test key=7: 300 min late, grace 2:00:00"
    ]


async def test_work_not_yet_due_is_not_claimed(db: Database) -> None:
    assert await fire(db, DUE - timedelta(minutes=1)) is False
    assert await claims(db) == []


@pytest.mark.parametrize(
    ("utc_hour", "tz", "quiet"),
    [
        (13, "WIB", False),  # 20:00 in Jakarta
        (14, "WIB", True),  # 21:00 in Jakarta
        (13, "WITA", True),  # 21:00 in Makassar
        (22, "WIB", True),  # 05:00 in Jakarta
        (22, "WIT", False),  # 07:00 in Jayapura
        (23, "Asia/Jakarta", False),  # 06:00
    ],
)
def test_quiet_hours_are_read_in_the_employee_time_zone(
    utc_hour: int, tz: str, quiet: bool
) -> None:
    now = datetime(2026, 12, 1, utc_hour, 0, tzinfo=UTC)
    assert QuietHours().is_quiet(now, tz) is quiet


def test_a_push_in_quiet_hours_waits_for_six_in_the_morning() -> None:
    hours = QuietHours()
    evening = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)  # 22:30 WIB
    after_midnight = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # 01:00 WIB on 2 Dec
    six_wib = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    assert hours.next_allowed(evening, "WIB") == six_wib
    assert hours.next_allowed(after_midnight, "WIB") == six_wib
    noon = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    assert hours.next_allowed(noon, "WIB") == noon


def test_quiet_hours_come_from_configuration() -> None:
    hours = QuietHours.parse("22:00-05:30")
    assert (hours.start.isoformat(), hours.end.isoformat()) == ("22:00:00", "05:30:00")
    assert hours.is_quiet(datetime(2026, 12, 1, 22, 0, tzinfo=UTC), "WIB")  # 05:00 WIB
    assert not hours.is_quiet(datetime(2026, 12, 1, 22, 30, tzinfo=UTC), "WIB")  # 05:30
