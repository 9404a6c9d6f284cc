"""Broadcasts: the audience, who is skipped and why, and the report."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import update

from core.clock import FixedClock
from core.messages import Reply
from core.storage.db import Database
from core.storage.models import ChatAccount
from core.text import T
from scheduler.broadcasts import Audience, create_broadcast, report
from scheduler.channel_port import Rejected
from scheduler.sender import Sender
from tests.support.scheduler_world import FAST, FakeChannel, add_people, add_unit, outbox_rows

NEWS = Reply(T("Apel pagi dipindah ke aula.", "Morning assembly moves to the hall."))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("all", Audience("all")), ("unit:DINKES", Audience("unit", "DINKES")),
     ("role:supervisor", Audience("role", "supervisor"))],
)  # fmt: skip
def test_an_audience_is_everyone_a_unit_or_a_role(text: str, expected: Audience) -> None:
    assert Audience.parse(text) == expected
    assert str(expected) == text


@pytest.mark.parametrize("text", ["", "unit:", "team:x", "all:x"])
def test_an_unknown_audience_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="audience must be"):
        Audience.parse(text)


async def test_a_unit_includes_its_sub_units_and_a_role_only_its_holders(
    db: Database, clock: FixedClock
) -> None:
    await add_unit(db, "DINKES")
    await add_unit(db, "DINKES-P2P", parent="DINKES")
    top = await add_people(db, 1, unit="DINKES", roles=("supervisor",))
    below = await add_people(db, 2, unit="DINKES-P2P")
    await add_people(db, 3, unit="BKPSDM")

    unit = await create_broadcast(db, audience=Audience("unit", "DINKES"), reply=NEWS,
                                  title="t", now=clock())  # fmt: skip
    role = await create_broadcast(db, audience=Audience("role", "supervisor"), reply=NEWS,
                                  title="t", now=clock())  # fmt: skip

    assert (await report(db, unit)).total == 3
    assert sorted(r.employee_id for r in await outbox_rows(db) if f":{role}:" in
                  r.idempotency_key) == top  # fmt: skip
    assert {r.employee_id for r in await outbox_rows(db)} == {*top, *below}


async def test_the_report_counts_delivered_failed_by_reason_and_skipped(
    db: Database, clock: FixedClock
) -> None:
    people = await add_people(db, 5)
    never_chatted = await add_people(db, 1, channel=None)
    async with db.transaction() as session:
        await session.execute(
            update(ChatAccount).where(ChatAccount.employee_id == people[0]).values(active=False)
        )
    broadcast = await create_broadcast(db, audience=Audience("all"), reply=NEWS, title="t",
                                       now=clock())  # fmt: skip
    channel = FakeChannel(blocked={str(700_000 + people[1])})
    channel.answer(str(700_000 + people[2]), Rejected("Bad Request: message is too long"))

    await Sender(db, {"telegram": channel}, {"telegram": FAST}, clock).sweep()
    state = await report(db, broadcast, clock())

    assert state.to_json() == {
        "broadcast": broadcast,
        "total": 6,
        "delivered": 2,
        "pending": 0,
        "waiting_in_web_chat": 1,
        "failed": {"blocked": 1, "Bad Request: message is too long": 1},
        "skipped": {"inactive": 1},
    }
    [web] = await outbox_rows(db, channel="local")
    assert web.employee_id == never_chatted[0]


async def test_a_broadcast_is_queued_once_per_employee(db: Database, clock: FixedClock) -> None:
    await add_people(db, 250)
    broadcast = await create_broadcast(db, audience=Audience("all"), reply=NEWS, title="t",
                                       now=clock())  # fmt: skip
    rows = await outbox_rows(db)
    assert len(rows) == len({r.employee_id for r in rows}) == 250
    assert {r.priority for r in rows} == {10}
    assert (await report(db, broadcast)).pending == 250
