"""Leave requests against the database: working days, cuti bersama, balances, year ends."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.app import App
from core.clock import FixedClock
from integrations import validation
from tests.support.requests_kit import env, leave, person, steps

DIMAS = "Dimas Prasetyo"


async def check(ayo: App, clock: FixedClock, data: dict[str, Any], name: str = DIMAS):
    me = await person(ayo, name)
    async with ayo.db.sessions() as session:
        ctx = validation.RuleContext(
            session=session,
            spec=ayo.deps.services.get("cuti"),
            employee=me,
            data=data,
            now=clock(),
            today=clock().date(),
            calendar=ayo.deps.calendar,
            leave_rules=ayo.deps.leave_rules,
        )
        return await validation.run(ctx), data


def annual(start: date, end: date, **more: Any) -> dict[str, Any]:
    return {
        "leave_type": "tahunan",
        "reason": "keluarga",
        "dates": {"start": start.isoformat(), "end": end.isoformat()},
        **more,
    }


async def approve_all(ayo: App, clock: FixedClock, request_id: int) -> None:
    from integrations.approvals import decide

    for step in await steps(ayo, request_id):
        async with ayo.db.transaction() as session:
            await decide(
                session, step.id, actor_id=step.approver_id, approve=True, env=env(ayo, clock)
            )


async def test_only_working_days_count_holidays_and_cuti_bersama_excluded(
    ayo: App, clock: FixedClock
) -> None:
    cal = ayo.deps.calendar
    start, end = date(2026, 12, 21), date(2026, 12, 31)  # nine weekdays, Christmas inside
    _, data = await check(ayo, clock, annual(start, end))
    assert data["days"] == cal.working_days_between(start, end) < 9
    _, plain = await check(ayo, clock, annual(date(2026, 12, 14), date(2026, 12, 15)))
    assert plain["days"] == 2


async def test_the_balance_before_and_after_reflects_approved_leave(
    ayo: App, clock: FixedClock
) -> None:
    _, first = await check(ayo, clock, annual(date(2026, 12, 7), date(2026, 12, 8)))
    before = first["balance_before"]
    assert first["balance_after"] == before - 2
    request = await leave(ayo, clock, DIMAS, date(2026, 12, 7), date(2026, 12, 8), days=2)
    await approve_all(ayo, clock, request.id)
    _, second = await check(ayo, clock, annual(date(2026, 12, 10), date(2026, 12, 10)))
    assert (second["balance_before"], second["balance_after"]) == (before - 2, before - 3)


async def test_leave_waiting_for_approval_is_reserved_from_the_balance(
    ayo: App, clock: FixedClock
) -> None:
    _, first = await check(ayo, clock, annual(date(2026, 12, 7), date(2026, 12, 7)))
    await leave(ayo, clock, DIMAS, date(2026, 12, 7), date(2026, 12, 8), days=2)
    _, second = await check(ayo, clock, annual(date(2026, 12, 10), date(2026, 12, 10)))
    assert second["balance_before"] == first["balance_before"] - 2


async def test_overlap_with_ones_own_approved_leave_is_refused(
    ayo: App, clock: FixedClock
) -> None:
    request = await leave(ayo, clock, DIMAS, date(2026, 12, 7), date(2026, 12, 8), days=2)
    await approve_all(ayo, clock, request.id)
    found, _ = await check(ayo, clock, annual(date(2026, 12, 8), date(2026, 12, 9)))
    assert [p.field for p in found.problems] == ["dates"]
    assert request.ref in found.problems[0].message.id


async def test_a_request_across_new_year_is_asked_again_as_two(
    ayo: App, clock: FixedClock
) -> None:
    found, _ = await check(ayo, clock, annual(date(2026, 12, 30), date(2027, 1, 5)))
    assert [p.field for p in found.problems] == ["dates"]


async def test_next_years_balance_carries_this_years_unused_days(
    ayo: App, clock: FixedClock
) -> None:
    _, now = await check(ayo, clock, annual(date(2026, 12, 7), date(2026, 12, 7)))
    assert now["balance_before"] == 12  # cuti bersama never reduce it (PP 11/2017 Ps. 333)
    request = await leave(ayo, clock, DIMAS, date(2026, 12, 7), date(2026, 12, 7), days=1)
    await approve_all(ayo, clock, request.id)
    _, nxt = await check(ayo, clock, annual(date(2027, 1, 11), date(2027, 1, 11)))
    assert nxt["balance_before"] == 18  # 12 for 2027 + at most 6 of the 11 left (Ps. 313)


async def test_more_days_than_the_balance_are_refused(ayo: App, clock: FixedClock) -> None:
    _, data = await check(ayo, clock, annual(date(2026, 12, 7), date(2026, 12, 7)))
    days = int(data["balance_before"]) + 1
    end = ayo.deps.calendar.add_working_days(date(2026, 12, 7), days)
    found, _ = await check(ayo, clock, annual(date(2026, 12, 7), end))
    assert "dates" in [p.field for p in found.problems]


async def test_sick_leave_over_one_day_needs_a_doctors_letter(ayo: App, clock: FixedClock) -> None:
    data = {
        "leave_type": "sakit",
        "reason": "demam",
        "dates": {"start": "2026-12-02", "end": "2026-12-04"},
    }
    found, _ = await check(ayo, clock, dict(data, attachment={"provided": False, "note": ""}))
    assert [p.field for p in found.problems] == ["attachment"]
    found, _ = await check(ayo, clock, dict(data, attachment={"provided": True, "note": "srt"}))
    assert found.problems == []


async def test_cltn_is_handed_to_a_human(ayo: App, clock: FixedClock) -> None:
    found, _ = await check(
        ayo,
        clock,
        {
            "leave_type": "cltn",
            "reason": "studi",
            "dates": {"start": "2027-01-04", "end": "2027-06-30"},
        },
    )
    # Not refused: the request goes ahead and is routed to the HR officer (see the CLTN chat
    # test in tests/bot/test_leave_form.py), with a note saying so.
    assert found.problems == []
    assert [n.id.startswith("Cuti di luar tanggungan negara") for n in found.notes] == [True]
