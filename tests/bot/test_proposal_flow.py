"""A development proposal: the form, the supervisor, the HR officer, HR's plan, the ledger."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.learning_cli import mark_done
from core.clock import FixedClock
from core.storage.models import LearningEvent, ServiceRequest
from lessons.progress import year_progress
from lessons.proposals import plan_for_year
from tests.support.ayo_chat import button, nip_of, press, say, text_of

EMPLOYEE, SUPERVISOR, HR = "Dimas Prasetyo", "Sri Wahyuni", "Wulan Sari"
ANSWERS = (
    "usul pelatihan",
    "bimtek",
    "Bimtek Keamanan Siber Pemerintah Daerah",
    "BSSN",
    "14-16 des",
    "3.500.000",
    "teknis",
    "menutup kesenjangan keamanan informasi",
)


async def propose(ayo: App) -> str:
    """Dimas fills in and sends the proposal; returns its reference."""
    dimas = await nip_of(ayo, EMPLOYEE)
    got: list = []
    for line in ANSWERS:
        got = await say(ayo, dimas, line)
    summary = text_of(got)
    assert "Biaya (Rp): 3500000" in summary
    assert "Tanggal: Senin, 14 Desember 2026 s.d. Rabu, 16 Desember 2026" in summary
    got = await press(ayo, dimas, button(got, "Kirim"))
    async with ayo.db.sessions() as session:
        request = (await session.execute(select(ServiceRequest))).scalar_one()
    assert request.ref is not None and request.ref.startswith("USL-2612-")
    assert request.ref in text_of(got)
    return request.ref


async def test_a_proposal_goes_supervisor_then_hr_into_the_plan_and_the_ledger(
    ayo: App, clock: FixedClock
) -> None:
    ref = await propose(ayo)
    dimas, sri, wulan = [await nip_of(ayo, n) for n in (EMPLOYEE, SUPERVISOR, HR)]
    prompt = await ayo.local.collect(sri)
    assert "Bimtek Keamanan Siber Pemerintah Daerah" in text_of(prompt)
    await press(ayo, sri, button(prompt, "Setuju"))
    async with ayo.db.sessions() as session:
        assert await plan_for_year(session, 2026) == []  # not in the plan before HR agrees

    prompt = await ayo.local.collect(wulan)
    assert "Usulan pengembangan kompetensi" in text_of(prompt)
    await press(ayo, wulan, button(prompt, "Setuju"))
    assert f"✅ Permohonan {ref} disetujui." in text_of(await ayo.local.collect(dimas))

    async with ayo.db.sessions() as session:
        [entry] = await plan_for_year(session, 2026)
        assert await plan_for_year(session, 2027) == []
    assert entry.as_json() == {
        "ref": ref,
        "nip": dimas,
        "name": EMPLOYEE,
        "opd": "Dinas Komunikasi dan Informatika",
        "kind": "pelatihan",
        "title": "Bimtek Keamanan Siber Pemerintah Daerah",
        "provider": "BSSN",
        "start": "2026-12-14",
        "end": "2026-12-16",
        "cost": 3_500_000,
        "competency": "teknis",
        "status": "planned",
        "jp": None,
    }

    async with ayo.db.transaction() as session:
        done = await mark_done(
            session, ref, jp=24, by_nip=wulan, now=clock(), settings=ayo.deps.settings
        )
    assert done == {"ref": ref, "nip": dimas, "jp": 24, "kind": "classroom", "status": "completed"}
    async with ayo.db.sessions() as session:
        [entry] = await plan_for_year(session, 2026)
        event = (await session.execute(select(LearningEvent))).scalar_one()
        progress = await year_progress(session, [entry.employee_id], 2026)
    assert (entry.status, entry.jp) == ("done", 24.0)
    assert (event.lesson_id, event.activity_type, event.minutes, event.jp) == (
        None,
        "pelatihan klasikal",
        1080,
        24.0,
    )
    assert progress[entry.employee_id].jp(ayo.deps.settings) == 24.0
    told = text_of(await ayo.local.collect(dimas))
    assert "24 JP masuk ke catatan belajar Anda" in told

    async with ayo.db.transaction() as session:
        again = await mark_done(
            session, ref, jp=24, by_nip=wulan, now=clock(), settings=ayo.deps.settings
        )
    assert again == {"error": f"{ref}: sudah selesai / already done"}


async def test_only_an_hr_officer_marks_a_proposal_done_and_only_once_approved(
    ayo: App, clock: FixedClock
) -> None:
    ref = await propose(ayo)
    sri, wulan = await nip_of(ayo, SUPERVISOR), await nip_of(ayo, HR)
    async with ayo.db.transaction() as session:
        by_sri = await mark_done(
            session, ref, jp=24, by_nip=sri, now=clock(), settings=ayo.deps.settings
        )
        waiting = await mark_done(
            session, ref, jp=24, by_nip=wulan, now=clock(), settings=ayo.deps.settings
        )
    assert by_sri == {"error": "--by: bukan petugas kepegawaian / not an HR officer"}
    assert waiting == {"error": f"{ref}: belum disetujui / not approved (waiting)"}
    async with ayo.db.sessions() as session:
        assert (await session.execute(select(LearningEvent))).first() is None


async def test_the_supervisor_cannot_press_the_hr_officers_approval(ayo: App) -> None:
    await propose(ayo)
    sri, wulan = await nip_of(ayo, SUPERVISOR), await nip_of(ayo, HR)
    await press(ayo, sri, button(await ayo.local.collect(sri), "Setuju"))
    prompt = await ayo.local.collect(wulan)
    got = await press(ayo, sri, button(prompt, "Setuju"))
    assert text_of(got) == "Maaf, tombol ini bukan untuk Anda."
    async with ayo.db.sessions() as session:
        request = (await session.execute(select(ServiceRequest))).scalar_one()
    assert (request.status, request.current_step) == ("waiting", 2)


async def test_a_rejected_proposal_stays_out_of_the_plan(ayo: App) -> None:
    await propose(ayo)
    sri = await nip_of(ayo, SUPERVISOR)
    prompt = await ayo.local.collect(sri)
    got = await press(ayo, sri, button(prompt, "Tolak"))
    await say(ayo, sri, "anggaran tahun ini sudah habis")
    async with ayo.db.sessions() as session:
        request = (await session.execute(select(ServiceRequest))).scalar_one()
        assert await plan_for_year(session, 2026) == []
    assert request.status == "rejected", text_of(got)
