"""The Surat Izin Cuti: issued on the PyBMC's approval, numbered per OPD and year, fetched
again by HR."""

from __future__ import annotations

import asyncio
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text
from typer.testing import CliRunner

from bot.app import App, build_app
from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import Delegation, LeaveLetter, ServiceRequest
from integrations import leave_letter
from integrations.approvals import decide
from tests.support.requests_kit import env, leave, person, steps


def pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return " ".join(text.split())


async def approved_leave(
    ayo: App, clock: FixedClock, name: str, start: date, end: date, days: float
) -> int:
    chain = ayo.deps.services.get("cuti").approval
    request = await leave(ayo, clock, name, start, end, days=days, approval=chain)
    for step in await steps(ayo, request.id):
        # Each level is asked once the one before it is decided; the recipient decides.
        [now] = [s for s in await steps(ayo, request.id) if s.id == step.id]
        async with ayo.db.transaction() as session:
            done = await decide(
                session, now.id, actor_id=now.approver_id, approve=True, env=env(ayo, clock)
            )
        assert done.ok
    return request.id


async def letters(ayo: App) -> dict[int, LeaveLetter]:
    async with ayo.db.sessions() as session:
        rows = (await session.execute(select(LeaveLetter))).scalars()
        return {row.request_id: row for row in rows}


async def test_letter_numbers_run_per_opd_and_year(ayo: App, clock: FixedClock) -> None:
    first = await approved_leave(
        ayo, clock, "Dimas Prasetyo", date(2026, 12, 7), date(2026, 12, 8), 2
    )
    second = await approved_leave(
        ayo, clock, "Nurul Hidayah", date(2026, 12, 9), date(2026, 12, 9), 1
    )
    other_opd = await approved_leave(
        ayo, clock, "Ayu Wandira", date(2026, 12, 7), date(2026, 12, 7), 1
    )
    issued = await letters(ayo)
    assert [issued[i].number for i in (first, second, other_opd)] == [
        "800.1.11.4/0001/DISKOMINFO/2026",
        "800.1.11.4/0002/DISKOMINFO/2026",
        "800.1.11.4/0001/DINKES/2026",
    ]
    page = pdf_text(leave_letter.render(issued[other_opd]))
    assert "DINAS KESEHATAN" in page
    assert "dr. Bambang Hermawan" in page  # the head of DINKES signs
    # Rendering again gives the same letter, byte for byte.
    assert leave_letter.render(issued[first]) == leave_letter.render(issued[first])


async def wait_until_waiting_on_a_lock(ayo: App) -> None:
    """PostgreSQL: until some session of this database waits on a row lock (the second insert
    of the same number waits for the first transaction). SQLite serialises writers: the second
    session's insert waits for the write lock, nothing to watch."""
    if ayo.db.is_sqlite:
        return
    async with ayo.db.sessions() as watcher:
        for _ in range(500):
            waiting = await watcher.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            )
            if waiting:
                return
            await watcher.rollback()
            await asyncio.sleep(0.01)  # polling another connection, not waiting for the clock
    raise AssertionError("the second approval never waited for the first")


async def test_two_approvals_at_once_never_share_a_letter_number(
    ayo: App, clock: FixedClock
) -> None:
    # Two leaves of the same OPD approved at the same moment: both read "no letter yet", the
    # second insert meets the unique number and takes the next one.
    first = await leave(ayo, clock, "Dimas Prasetyo", date(2026, 12, 7), date(2026, 12, 8), days=2)
    second = await leave(ayo, clock, "Nurul Hidayah", date(2026, 12, 9), date(2026, 12, 9), days=1)
    issue = {"now": clock(), "tz": "Asia/Jakarta", "city": "Pemerintah Kota Harapan"}
    async with ayo.db.transaction() as one:
        mine = await leave_letter.issue(one, await one.get(ServiceRequest, first.id), **issue)
        assert mine is not None and mine.number == "800.1.11.4/0001/DISKOMINFO/2026"

        async def the_other() -> str:
            async with ayo.db.transaction() as two:
                request = await two.get(ServiceRequest, second.id)
                theirs = await leave_letter.issue(two, request, **issue)
                assert theirs is not None
                return theirs.number

        racing = asyncio.create_task(the_other())
        await wait_until_waiting_on_a_lock(ayo)
    assert await racing == "800.1.11.4/0002/DISKOMINFO/2026"
    issued = await letters(ayo)
    assert sorted(x.seq for x in issued.values()) == [1, 2]
    assert issued[second.id].content["number"] == "800.1.11.4/0002/DISKOMINFO/2026"


async def test_a_postponed_leave_gets_no_letter(ayo: App, clock: FixedClock) -> None:
    chain = ayo.deps.services.get("cuti").approval
    request = await leave(
        ayo, clock, "Dimas Prasetyo", date(2026, 12, 7), date(2026, 12, 8), days=2, approval=chain
    )
    first, second = await steps(ayo, request.id)
    for step, outcome, reason in ((first, "setuju", None), (second, "ditangguhkan", "audit")):
        async with ayo.db.transaction() as session:
            await decide(
                session,
                step.id,
                actor_id=step.approver_id,
                approve=outcome == "setuju",
                outcome=outcome,
                reason=reason,
                env=env(ayo, clock),
            )
    assert await letters(ayo) == {}


async def test_a_letter_signed_by_a_plh_names_the_assignment(ayo: App, clock: FixedClock) -> None:
    budi, ratna = await person(ayo, "Budi Santoso"), await person(ayo, "Ratna Dewi Lestari")
    async with ayo.db.transaction() as session:
        session.add(
            Delegation(
                principal_id=budi.id,
                delegate_id=ratna.id,
                kind="plh",
                start_date=date(2026, 12, 1),
                end_date=date(2026, 12, 4),
                letter_number="800.1.3/SPT-17/2026",
                created_at=clock(),
            )
        )
    request_id = await approved_leave(
        ayo, clock, "Dimas Prasetyo", date(2026, 12, 7), date(2026, 12, 8), 2
    )
    page = pdf_text(leave_letter.render((await letters(ayo))[request_id]))
    assert "Plh. Kepala Dinas" in page
    assert "(Surat Perintah Nomor 800.1.3/SPT-17/2026)" in page
    assert f"Ratna Dewi Lestari NIP. {ratna.nip}" in page


@pytest.fixture
def issued_in(settings: Settings, clock: FixedClock) -> tuple[Settings, str]:
    """A database holding one approved leave with its letter (built outside the event loop)."""

    async def run() -> str:
        ayo = await build_app(settings, clock=clock)
        try:
            await approved_leave(
                ayo, clock, "Dimas Prasetyo", date(2026, 12, 7), date(2026, 12, 8), 2
            )
            [letter] = (await letters(ayo)).values()
            return str(letter.content["request_ref"])
        finally:
            await ayo.close()

    return settings, asyncio.run(run())


def test_hr_fetches_a_letter_again_with_the_cli(
    issued_in: tuple[Settings, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import app

    settings, ref = issued_in
    monkeypatch.setenv("AYO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("AYO_DATA_DIR", str(tmp_path))
    out = tmp_path / "surat.pdf"
    result = CliRunner().invoke(app, ["leave", "letter", ref, "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = pdf_text(out.read_bytes())
    assert "Nomor: 800.1.11.4/0001/DISKOMINFO/2026" in page
    assert "7 Desember 2026 sampai dengan tanggal 8 Desember 2026" in page

    missing = CliRunner().invoke(app, ["leave", "letter", "CUTI-2612-999999", "--out", str(out)])
    assert missing.exit_code == 1
    assert "tidak ditemukan" in missing.output
