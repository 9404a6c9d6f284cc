"""The weekly supervisor digest: the working calendar, time zones, restarts, two instances."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from core.settings import Settings
from core.storage.db import Database
from core.storage.models import ApprovalStep, ServiceRequest
from core.workdays import WorkCalendar, zone
from scheduler.digest import digest_time, sweep_weekly_digest
from tests.support.scheduler_world import add_people, outbox_rows

CALENDAR = WorkCalendar()
MONDAY_0730_WIB = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


def local(y: int, m: int, d: int, hh: int, mm: int, tz: str) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=zone(tz))


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        # A plain week: Monday at 07:30 in Jakarta.
        (local(2026, 12, 1, 9, 0, "WIB"), "WIB", MONDAY_0730_WIB),
        # On Saturday it is still this week's Monday (already sent or skipped).
        (local(2026, 12, 5, 10, 0, "WIB"), "WIB", MONDAY_0730_WIB),
        # Monday is cuti bersama and Tuesday Imlek: Wednesday.
        (local(2026, 2, 16, 9, 0, "WIB"), "WIB", local(2026, 2, 18, 7, 30, "WIB")),
        # Ramadan: the office opens at 08:00.
        (local(2026, 2, 23, 9, 0, "WIB"), "WIB", local(2026, 2, 23, 8, 0, "WIB")),
        # Makassar (WITA) opens an hour before Jakarta: Sunday 23:30 UTC.
        (local(2026, 12, 1, 9, 0, "WITA"), "WITA", datetime(2026, 11, 29, 23, 30, tzinfo=UTC)),
        # Jayapura (WIT), Monday 1 June is Hari Lahir Pancasila: Tuesday 07:30 WIT.
        (local(2026, 6, 2, 9, 0, "WIT"), "WIT", datetime(2026, 6, 1, 22, 30, tzinfo=UTC)),
    ],
)
def test_the_digest_goes_out_at_the_first_office_opening_of_the_week(
    now: datetime, tz: str, expected: datetime
) -> None:
    assert digest_time(now.astimezone(UTC), tz, CALENDAR) == expected


def test_a_week_without_a_working_day_has_no_digest() -> None:
    # Nyepi, Idul Fitri and its cuti bersama fill the week of 8 March 2027.
    assert digest_time(local(2027, 3, 10, 9, 0, "WIB"), "WIB", CALENDAR) is None


async def seed(db: Database) -> tuple[int, list[int]]:
    [boss] = await add_people(db, 1, roles=("employee", "supervisor"))
    team = await add_people(db, 2, supervisor_id=boss)
    async with db.transaction() as session:
        request = ServiceRequest(
            service_id="leave.annual", employee_id=team[0], status="waiting",
            created_at=MONDAY_0730_WIB, updated_at=MONDAY_0730_WIB, start_date=date(2026, 12, 7),
        )  # fmt: skip
        session.add(request)
        await session.flush()
        session.add(
            ApprovalStep(request_id=request.id, step=1, approver_id=boss, status="waiting",
                         created_at=MONDAY_0730_WIB)
        )  # fmt: skip
    return boss, team


async def test_each_supervisor_gets_one_digest_with_approvals_and_team_learning(
    db: Database, settings: Settings
) -> None:
    boss, _ = await seed(db)
    now = MONDAY_0730_WIB + timedelta(minutes=1)

    assert await sweep_weekly_digest(db, now, CALENDAR, settings) == 1
    assert await sweep_weekly_digest(db, now + timedelta(minutes=1), CALENDAR, settings) == 0

    [row] = await outbox_rows(db)
    assert row.employee_id == boss
    assert row.payload["text"]["id"].splitlines() == [
        "📬 Ringkasan mingguan",
        "• 1 permohonan menunggu persetujuan Anda.",
        "• Tim Anda (2 orang): rata-rata 0.0 JP tahun ini; 0 sudah mencapai target, "
        "2 belum belajar sama sekali.",
        'Ketik "persetujuan" untuk melihat daftarnya.',
    ]


async def test_no_digest_before_office_opening(db: Database, settings: Settings) -> None:
    await seed(db)
    early = MONDAY_0730_WIB - timedelta(minutes=1)
    assert await sweep_weekly_digest(db, early, CALENDAR, settings) == 0
    assert await outbox_rows(db) == []


async def test_after_downtime_a_digest_within_grace_goes_out_and_an_older_one_is_skipped(
    db: Database, settings: Settings
) -> None:
    await seed(db)
    assert (
        await sweep_weekly_digest(db, MONDAY_0730_WIB + timedelta(hours=5), CALENDAR, settings)
        == 0
    )
    assert await outbox_rows(db) == []
    # Next week, Ayo comes back three hours after opening: still within the 4-hour grace.
    next_week = MONDAY_0730_WIB + timedelta(days=7, hours=3)
    assert await sweep_weekly_digest(db, next_week, CALENDAR, settings) == 1


async def test_two_instances_send_the_digest_exactly_once(
    database_url: str, settings: Settings
) -> None:
    first, second = Database(database_url), Database(database_url)
    try:
        boss, _ = await seed(first)
        more = await add_people(first, 5, roles=("supervisor",))
        now = MONDAY_0730_WIB + timedelta(minutes=1)

        sent = await asyncio.gather(
            sweep_weekly_digest(first, now, CALENDAR, settings),
            sweep_weekly_digest(second, now, CALENDAR, settings),
        )

        assert sum(sent) == 6
        assert sorted(r.employee_id for r in await outbox_rows(first)) == sorted([boss, *more])
    finally:
        await first.dispose()
        await second.dispose()
