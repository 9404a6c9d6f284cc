"""Role lookups happen in the database, and the counts people read are real counts."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.app import App
from core.clock import FixedClock
from core.storage.models import ApprovalStep, Employee, ServiceRequest
from integrations import routing
from tests.support.requests_kit import person


async def test_hr_admins_and_role_steps_are_found_by_sql(ayo: App) -> None:
    async with ayo.db.transaction() as session:
        wulan = await session.execute(select(Employee).where(Employee.name == "Wulan Sari"))
        wulan = wulan.scalar_one()
        # Someone whose role merely contains the word must not match ("admin" ≠ "hr_admin").
        budi = await session.execute(select(Employee).where(Employee.name == "Budi Santoso"))
        budi.scalar_one().roles = ["supervisor", "admin"]
        admins = await routing.hr_admins(session)
        admin_role = await routing.with_role(session, "admin")

    assert [e.name for e in admins] == ["Wulan Sari"]
    assert [e.id for e in admins] == [wulan.id]
    assert [e.name for e in admin_role] == ["Budi Santoso"]


async def test_an_inactive_hr_admin_is_not_one(ayo: App) -> None:
    async with ayo.db.transaction() as session:
        wulan = await session.execute(select(Employee).where(Employee.name == "Wulan Sari"))
        wulan.scalar_one().active = False
        assert await routing.hr_admins(session) == []


async def test_the_pending_list_says_how_many_really_wait(ayo: App, clock: FixedClock) -> None:
    sri = await person(ayo, "Sri Wahyuni")
    dimas = await person(ayo, "Dimas Prasetyo")
    async with ayo.db.transaction() as session:
        for n in range(25):
            request = ServiceRequest(
                ref=f"CT-2026-{n + 1:04d}", service_id="cuti", employee_id=dimas.id,
                status="waiting", data={}, start_date=date(2026, 12, 14) + timedelta(days=n),
                end_date=date(2026, 12, 14) + timedelta(days=n), days=1, kind="tahunan",
                created_at=clock() - timedelta(minutes=60 - n), updated_at=clock(),
            )  # fmt: skip
            session.add(request)
            await session.flush()
            session.add(ApprovalStep(request_id=request.id, step=1, approver_id=sri.id,
                                     status="waiting", created_at=clock()))  # fmt: skip

    await ayo.local.say(sri.nip, text="ada pengajuan yang perlu saya setujui")
    texts = [m.text for m in await ayo.local.collect(sri.nip)]

    assert texts[0] == "Ada 25 permohonan menunggu persetujuan Anda; 20 yang paling lama:"
    assert len(texts) == 21
