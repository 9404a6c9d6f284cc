"""`leave_check.evaluate` on the database: balances from the real history, one answer for all."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from bot.app import App
from core.clock import FixedClock
from core.storage.models import LeaveOpeningBalance, ServiceRequest
from integrations import leave_history
from integrations.leave_check import LeaveCheck, evaluate
from lessons.daysoff import leave_days
from tests.support.requests_kit import leave, person

DIMAS = "Dimas Prasetyo"  # PNS since March 2019, male, reports to Sri Wahyuni
NURUL = "Nurul Hidayah"  # PNS since March 2015, female
TODAY = date(2026, 12, 1)


async def run(
    ayo: App, name: str, kind: str, start: date, end: date, today: date = TODAY, **more: object
) -> LeaveCheck:
    me = await person(ayo, name)
    async with ayo.db.sessions() as session:
        return await evaluate(
            session,
            me,
            kind,
            start,
            end,
            today=today,
            rules=ayo.deps.leave_rules,
            calendar=ayo.deps.calendar,
            policy=ayo.deps.services.get("cuti").approval,
            **more,  # type: ignore[arg-type]
        )


async def nip(ayo: App, name: str) -> str:
    return (await person(ayo, name)).nip


async def test_annual_leave_in_december_2026_uses_the_full_twelve_days(ayo: App) -> None:
    got = await run(ayo, DIMAS, "tahunan", date(2026, 12, 21), date(2026, 12, 31))
    # 21-31 Dec: 9 weekdays less 24 Dec (cuti bersama) and 25 Dec (Natal) = 7.
    assert got.to_json() == {
        "outcome": "allowed",
        "working_days": 7,
        "balance_before": 12,
        "balance_after": 5,
        "reasons": [],
        "deciders": [
            {"role": "atasan_langsung", "nip": await nip(ayo, "Sri Wahyuni")},
            {"role": "pejabat_berwenang", "nip": await nip(ayo, "Budi Santoso")},
        ],
        "basis": [
            "PP 11/2017 Ps. 311",
            "PP 11/2017 Ps. 313",
            "PP 11/2017 Ps. 314",
            "PP 11/2017 Ps. 315",
            "PP 11/2017 Ps. 333",
        ],
    }


async def test_a_request_over_new_year_is_split_by_year(ayo: App) -> None:
    got = await run(ayo, DIMAS, "tahunan", date(2026, 12, 28), date(2027, 1, 6))
    # 28-31 Dec 2026: 4 days; 1 Jan (new year), 5 Jan (Isra Mikraj) off: 4 and 6 Jan: 2.
    assert (got.outcome, got.working_days, got.balance_before, got.balance_after) == (
        "split",
        6,
        12,
        8,
    )
    assert (
        "4 hari kerja dari saldo 2026 dan 2 hari kerja dari saldo 2027"
        in got.to_json()["reasons"][0]
    )


async def test_days_that_are_all_off_need_no_leave(ayo: App) -> None:
    got = await run(ayo, DIMAS, "tahunan", date(2026, 12, 24), date(2026, 12, 27))
    assert (got.outcome, got.working_days) == ("not_needed", 0)


async def test_sick_leave_may_be_filed_afterwards_annual_leave_may_not(ayo: App) -> None:
    sick = await run(ayo, DIMAS, "sakit", date(2026, 11, 26), date(2026, 11, 27))
    assert (sick.outcome, sick.working_days) == ("allowed", 2)
    annual = await run(ayo, DIMAS, "tahunan", date(2026, 11, 26), date(2026, 11, 27))
    assert annual.outcome == "refused"
    assert [v.code for v in annual.problems] == ["past_date"]


async def test_an_ineligible_type_is_refused_with_the_alternative(ayo: App) -> None:
    got = await run(ayo, DIMAS, "melahirkan", date(2027, 1, 4), date(2027, 4, 3))
    assert got.outcome == "refused"
    assert got.to_json()["reasons"] == [
        "Cuti melahirkan hanya untuk pegawai perempuan. Suami yang mendampingi istri "
        "melahirkan dapat mengambil Cuti karena alasan penting."
    ]


async def test_the_fourth_child_is_read_from_the_reason_or_the_record(ayo: App) -> None:
    said = await run(
        ayo, NURUL, "melahirkan", date(2027, 1, 4), date(2027, 4, 3), reason_text="anak ke-4"
    )
    assert [v.code for v in said.problems] == ["child_limit"]
    async with ayo.db.transaction() as session:
        me = await person(ayo, NURUL)
        me = await session.merge(me)
        me.children = 1
    on_record = await run(ayo, NURUL, "melahirkan", date(2027, 1, 4), date(2027, 4, 3))
    assert on_record.outcome == "allowed"


async def test_opening_balances_from_the_org_import_count(ayo: App, clock: FixedClock) -> None:
    me = await person(ayo, DIMAS)
    async with ayo.db.transaction() as session:
        session.add(
            LeaveOpeningBalance(
                employee_id=me.id, year=2026, remaining_n1=5, remaining_n2=0, updated_at=clock()
            )
        )
    got = await run(ayo, DIMAS, "tahunan", date(2026, 12, 14), date(2026, 12, 14))
    assert (got.balance_before, got.balance_after) == (17, 16)


async def test_staff_kept_at_work_on_cuti_bersama_get_those_days(ayo: App) -> None:
    async with ayo.db.transaction() as session:
        me = await session.merge(await person(ayo, DIMAS))
        me.cuti_bersama_denied = True
    got = await run(ayo, DIMAS, "tahunan", date(2026, 12, 14), date(2026, 12, 14))
    assert got.balance_before == 20  # 12 + the 8 cuti bersama of 2026 (Ps. 333 ayat (3))


async def test_overlapping_leave_is_refused(ayo: App, clock: FixedClock) -> None:
    await leave(ayo, clock, DIMAS, date(2026, 12, 14), date(2026, 12, 15), days=2)
    got = await run(ayo, DIMAS, "tahunan", date(2026, 12, 15), date(2026, 12, 16))
    assert [v.code for v in got.problems] == ["overlap"]


async def test_cltn_is_allowed_and_decided_with_the_hr_officer(ayo: App) -> None:
    got = await run(ayo, DIMAS, "cltn", date(2027, 1, 4), date(2027, 6, 30))
    assert got.outcome == "allowed"
    assert {"role": "petugas_kepegawaian", "nip": await nip(ayo, "Wulan Sari")} in got.deciders
    assert {d["role"] for d in got.deciders} <= {"pejabat_berwenang", "petugas_kepegawaian"}


# History import -------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "riwayat.csv"
    path.write_text(text, encoding="utf-8")
    return path


async def test_history_import_is_idempotent_and_counts_in_the_balance(
    ayo: App, clock: FixedClock, tmp_path: Path
) -> None:
    dimas = await nip(ayo, DIMAS)
    path = write(
        tmp_path,
        "nip,jenis,mulai,selesai,hari_kerja\n"
        f"{dimas},tahunan,2025-07-14,2025-07-18,5\n"
        f"{dimas},sakit,2025-09-01,2025-09-02,2\n",
    )
    rows, problems = leave_history.read_file(path)
    async with ayo.db.transaction() as session:
        dry = await leave_history.load(session, rows, problems, now=clock(), dry_run=True)
    assert (dry.created, dry.ok) == (2, True)
    async with ayo.db.sessions() as session:
        assert (await session.execute(select(ServiceRequest))).scalars().all() == []
    for expected in ((2, 0), (0, 2)):
        async with ayo.db.transaction() as session:
            done = await leave_history.load(session, rows, problems, now=clock(), dry_run=False)
        assert (done.created, done.unchanged) == expected
    # 2025: 12 - 5 = 7 left, at most 6 carried (Ps. 313): 2026 = 18.
    got = await run(ayo, DIMAS, "tahunan", date(2026, 12, 14), date(2026, 12, 14))
    assert got.balance_before == 18


async def test_history_import_names_bad_rows_by_line_and_writes_nothing(
    ayo: App, clock: FixedClock, tmp_path: Path
) -> None:
    dimas = await nip(ayo, DIMAS)
    path = write(
        tmp_path,
        "nip,jenis,mulai,selesai,hari_kerja\n"
        f"{dimas},tahunan,2025-07-14,2025-07-18,5\n"
        f"{dimas},liburan,2025-08-01,2025-08-01,1\n"
        f"{dimas},tahunan,2025-08-05,2025-08-01,1\n"
        "199001012020011999,tahunan,2025-08-05,2025-08-05,1\n"
        f"{dimas},tahunan,14-07-2025,18-07-2025,5\n",
    )
    rows, problems = leave_history.read_file(path)
    async with ayo.db.transaction() as session:
        done = await leave_history.load(session, rows, problems, now=clock(), dry_run=False)
    assert [p.line for p in done.problems] == [3, 4, 5, 6]
    assert "tidak dikenal" in done.problems[0].message.id
    async with ayo.db.sessions() as session:
        assert (await session.execute(select(ServiceRequest))).scalars().all() == []


# One place says which requests count as leave taken -----------------------------------------


async def test_leave_sent_to_the_backend_is_a_day_off_for_lessons_too(
    ayo: App, clock: FixedClock
) -> None:
    request = await leave(ayo, clock, DIMAS, date(2026, 12, 14), date(2026, 12, 15), days=2)
    async with ayo.db.transaction() as session:
        row = await session.get(ServiceRequest, request.id)
        assert row is not None
        row.status = "sent"
    me = await person(ayo, DIMAS)
    async with ayo.db.sessions() as session:
        days = await leave_days(session, [me.id], date(2026, 12, 1), date(2026, 12, 31))
    assert days == {me.id: {date(2026, 12, 14), date(2026, 12, 15)}}
    got = await run(ayo, DIMAS, "tahunan", date(2026, 12, 21), date(2026, 12, 21))
    assert got.balance_before == 10
