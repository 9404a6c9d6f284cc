"""Nudges for requests waiting too long: counted in office hours, sent once per step."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from core.storage.db import Database
from core.storage.models import ApprovalStep, ServiceRequest
from core.workdays import WorkCalendar
from scheduler.nudges import sweep_request_nudges
from tests.support.scheduler_world import add_people, outbox_rows

CALENDAR = WorkCalendar()
# Friday 27 November 2026, 14:00 WIB.
FRIDAY_AFTERNOON = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def waiting_request(db: Database, since: datetime) -> int:
    [boss] = await add_people(db, 1, roles=("supervisor",))
    [me] = await add_people(db, 1, supervisor_id=boss)
    async with db.transaction() as session:
        request = ServiceRequest(
            ref="CT-2026-0001", service_id="leave.annual", employee_id=me, status="waiting",
            created_at=since, updated_at=since, start_date=date(2026, 12, 14),
        )  # fmt: skip
        session.add(request)
        await session.flush()
        session.add(
            ApprovalStep(request_id=request.id, step=1, approver_id=boss, status="waiting",
                         created_at=since)
        )  # fmt: skip
    return me


async def test_a_weekend_does_not_count_as_waiting(db: Database) -> None:
    await waiting_request(db, FRIDAY_AFTERNOON)
    # Monday 09:00 WIB: 66 hours later, but only about 4 office hours.
    monday = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    assert await sweep_request_nudges(db, monday, CALENDAR) == 0


async def test_after_sixteen_office_hours_the_employee_is_told_once(db: Database) -> None:
    me = await waiting_request(db, FRIDAY_AFTERNOON)
    # Wednesday 12:00 WIB: 2 (Fri) + 8.5 (Mon) + 8.5 (Tue) + 4.5 (Wed) office hours.
    wednesday = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)

    assert await sweep_request_nudges(db, wednesday, CALENDAR) == 1
    assert await sweep_request_nudges(db, wednesday + timedelta(hours=3), CALENDAR) == 0

    [row] = await outbox_rows(db)
    assert row.employee_id == me
    assert row.payload["text"]["id"].startswith(
        "⏳ Permohonan CT-2026-0001 masih menunggu persetujuan sejak 27/11 14:00."
    )
