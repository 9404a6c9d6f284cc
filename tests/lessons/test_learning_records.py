"""Every hour of learning, from every source, in one ledger: only verified records count,
hours become JP by the city's rule, and HR's report and export show the same totals."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from core.clock import FixedClock
from core.storage.models import AuditEvent, LearningEvent
from lessons import learning_records
from lessons.learning_export import COLUMNS, export_rows, to_csv
from lessons.progress import year_progress
from lessons.proposals_ledger import record_training
from lessons.report import report_rows
from tests.support.requests_kit import person

SOCIAL = "sosial_kultural"
DOCUMENTED_COLUMNS = (
    "record_id,nip,name,start_date,end_date,minutes,hours,jp,competency_type,source,activity,title,"
    "provider,status,verifier_nip,decided_at"
)


def micro_lessons(employee_id: int, now, minutes: list[int]) -> list[LearningEvent]:
    """Completed Ayo lessons as lessons/quiz.py writes them (no source or status given)."""
    return [
        LearningEvent(
            employee_id=employee_id,
            lesson_id=None,
            activity_type="e-learning (microlearning)",
            competency="sosial_kultural",
            provider="Ayo",
            material=f"Pelajaran {n}",
            start_date=date(2026, 3, 2) + timedelta(days=n),
            end_date=date(2026, 3, 2) + timedelta(days=n),
            minutes=m,
            jp=m / 45,
            created_at=now,
        )
        for n, m in enumerate(minutes)
    ]


def submitted(session, employee_id: int, verifier_id: int, clock, settings, **given):
    """A record an employee sent, waiting for `verifier_id` (pending)."""
    return learning_records.add(
        session,
        employee_id=employee_id,
        now=clock(),
        settings=settings,
        verifier_id=verifier_id,
        **{"competency": "teknis", "provider": "LAN"} | given,
    )


async def test_twenty_jp_from_lessons_a_verified_mooc_and_a_classroom_training(
    ayo: App, clock: FixedClock
) -> None:
    dimas, sri = await person(ayo, "Dimas Prasetyo"), await person(ayo, "Sri Wahyuni")
    wulan = await person(ayo, "Wulan Sari")
    settings = ayo.deps.settings
    async with ayo.db.transaction() as session:
        # 9 micro-lessons of 5 minutes = 45 minutes = 1 JP.
        session.add_all(micro_lessons(dimas.id, clock(), [5] * 9))
        # A MOOC of 6 hours = 8 JP, verified by the supervisor.
        mooc = submitted(
            session, dimas.id, sri.id, clock, settings, source="external",
            title="Kursus Keamanan Informasi (MOOC)", start=date(2026, 5, 4),
            end=date(2026, 5, 8), hours=6,
        )  # fmt: skip
        # A MOOC still waiting and a mentoring rejected: neither counts.
        waiting = submitted(
            session, dimas.id, sri.id, clock, settings, source="external",
            title="Kursus Data Analitik", start=date(2026, 9, 1), end=date(2026, 9, 3), hours=9,
        )  # fmt: skip
        rejected = submitted(
            session, dimas.id, sri.id, clock, settings, source="on_the_job",
            competency="manajerial", title="Mentoring penyusunan SKP", start=date(2026, 10, 1),
            end=date(2026, 10, 1), hours=3,
        )  # fmt: skip
        await session.flush()
        learning_records.decide(
            session, mooc, approve=True, actor_id=sri.id, now=clock(), channel="local"
        )
        learning_records.decide(
            session,
            rejected,
            approve=False,
            actor_id=sri.id,
            now=clock(),
            channel="local",
            reason="Tidak ada bukti kegiatan",
        )
        # A bimtek of 11 JP recorded by HR (8 h 15 min).
        await learning_records.record_verified(
            session,
            dimas,
            source="classroom",
            competency="teknis",
            title="Bimtek SPBE",
            provider="BPSDM Provinsi",
            start=date(2026, 7, 13),
            end=date(2026, 7, 14),
            hours=8.25,
            officer_id=wulan.id,
            channel="cli",
            now=clock(),
            settings=settings,
        )
    assert (mooc.jp, waiting.status, rejected.reason) == (
        8.0,
        "pending",
        "Tidak ada bukti kegiatan",
    )

    async with ayo.db.sessions() as session:
        progress = (await year_progress(session, [dimas.id], 2026))[dimas.id]
        [row] = [r for r in await report_rows(session, 2026, settings) if r.nip == dimas.nip]
        exported = to_csv(await export_rows(session, 2026))
    assert progress.jp(settings) == pytest.approx(20.0)
    assert progress.jp_by_source(settings) == pytest.approx(
        {"ayo": 1.0, "external": 8.0, "classroom": 11.0, "on_the_job": 0.0}
    )
    assert progress.jp_by_competency(settings) == pytest.approx(
        {"teknis": 19.0, "manajerial": 0.0, "sosial_kultural": 1.0}
    )
    assert (progress.lessons, progress.records) == (9, 11)
    assert (row.jp_total, row.jp_target, row.target_met) == (20.0, 20.0, True)
    assert (row.jp_teknis, row.jp_sosial_kultural, row.lessons_completed) == (19.0, 1.0, 9)

    lines = exported.splitlines()
    assert lines[0] == DOCUMENTED_COLUMNS and ",".join(COLUMNS) == DOCUMENTED_COLUMNS
    mine = [r for r in csv.DictReader(io.StringIO(exported)) if r["nip"] == dimas.nip]
    assert len(mine) == 13  # 9 lessons, 2 MOOCs, the mentoring, the bimtek
    verified = [r for r in mine if r["status"] == "verified"]
    assert round(sum(float(r["jp"]) for r in verified), 2) == row.jp_total == 20.0
    assert sum(int(r["minutes"]) for r in verified) == 900  # 45 + 360 + 495 minutes
    assert sorted((r["source"], r["status"]) for r in mine if r["source"] != "ayo") == [
        ("classroom", "verified"),
        ("external", "pending"),
        ("external", "verified"),
        ("on_the_job", "rejected"),
    ]
    bimtek = next(r for r in mine if r["source"] == "classroom")
    assert (bimtek["hours"], bimtek["jp"], bimtek["verifier_nip"]) == ("8.25", "11.0", wulan.nip)
    assert (bimtek["start_date"], bimtek["end_date"]) == ("2026-07-13", "2026-07-14")
    assert (
        next(r for r in mine if r["title"].startswith("Kursus Keamanan"))["verifier_nip"]
        == sri.nip
    )


async def test_the_citys_minutes_per_jp_convert_hours(ayo: App, clock: FixedClock) -> None:
    dimas = await person(ayo, "Dimas Prasetyo")
    city = ayo.deps.settings.model_copy(update={"minutes_per_jp": 60})
    async with ayo.db.transaction() as session:
        event = learning_records.add(
            session,
            employee_id=dimas.id,
            source="classroom",
            competency="manajerial",
            title="Pelatihan Kepemimpinan",
            provider="BPSDM",
            start=date(2026, 2, 2),
            end=date(2026, 2, 3),
            hours=9,
            now=clock(),
            settings=city,
            status="verified",
        )
    assert (event.minutes, event.jp) == (540, 9.0)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"source": "ayo"}, "sumber harus external, classroom atau on_the_job"),
        (
            {"competency": "teknik"},
            "jenis kompetensi harus teknis, manajerial atau sosial_kultural",
        ),
        ({"hours": 0}, "jam harus lebih dari 0 dan paling banyak 1000"),
        ({"hours": 1500}, "jam harus lebih dari 0 dan paling banyak 1000"),
        ({"end": date(2026, 1, 31)}, "tanggal selesai sebelum tanggal mulai"),
        ({"title": "  "}, "nama kegiatan wajib diisi"),
    ],
)
async def test_a_record_the_ledger_must_not_hold_is_refused_with_a_reason(
    ayo: App, clock: FixedClock, change: dict, said: str
) -> None:
    dimas = await person(ayo, "Dimas Prasetyo")
    given = {
        "source": "classroom",
        "competency": "teknis",
        "title": "Bimtek",
        "hours": 4.0,
        "start": date(2026, 2, 2),
        "end": date(2026, 2, 2),
    } | change
    async with ayo.db.transaction() as session:
        with pytest.raises(learning_records.RecordError) as refused:
            learning_records.add(
                session,
                employee_id=dimas.id,
                provider="BPSDM",
                now=clock(),
                settings=ayo.deps.settings,
                **given,
            )
        assert (await session.execute(select(func.count(LearningEvent.id)))).scalar() == 0
    assert refused.value.id_text == said


async def test_a_decision_happens_once_and_a_rejection_needs_its_reason(
    ayo: App, clock: FixedClock
) -> None:
    dimas, sri = await person(ayo, "Dimas Prasetyo"), await person(ayo, "Sri Wahyuni")
    async with ayo.db.transaction() as session:
        event = submitted(
            session, dimas.id, sri.id, clock, ayo.deps.settings, source="external",
            title="Kursus Python", start=date(2026, 4, 1), end=date(2026, 4, 2), hours=3,
        )  # fmt: skip
        await session.flush()
        with pytest.raises(learning_records.RecordError) as no_reason:
            learning_records.decide(
                session, event, approve=False, actor_id=sri.id, now=clock(), channel="local"
            )
        learning_records.decide(
            session, event, approve=True, actor_id=sri.id, now=clock(), channel="local"
        )
        with pytest.raises(learning_records.RecordError) as twice:
            learning_records.decide(
                session, event, approve=False, actor_id=sri.id, now=clock(), channel="local",
                reason="salah",
            )  # fmt: skip
    assert no_reason.value.id_text == "alasan penolakan wajib diisi"
    assert twice.value.id_text == "catatan ini sudah diputuskan"
    async with ayo.db.sessions() as session:
        kept = await session.get(LearningEvent, event.id)
        actions = (
            (
                await session.execute(
                    select(AuditEvent.action).where(AuditEvent.entity == "learning_event")
                )
            )
            .scalars()
            .all()
        )
    assert (kept.status, kept.decided_by_id, kept.reason) == ("verified", sri.id, None)
    assert actions == ["learning.verified"]


async def test_a_finished_proposal_lands_as_a_verified_classroom_record(
    ayo: App, clock: FixedClock
) -> None:
    dimas, wulan = await person(ayo, "Dimas Prasetyo"), await person(ayo, "Wulan Sari")
    async with ayo.db.transaction() as session:
        event = record_training(
            session,
            employee_id=dimas.id,
            proposal_kind="pelatihan",
            competency="teknis",
            title="Bimtek Keamanan Siber",
            provider="BSSN",
            start=date(2026, 12, 14),
            end=date(2026, 12, 16),
            jp=24,
            ref="USL-2612-000001",
            verified_by=wulan.id,
            now=clock(),
            settings=ayo.deps.settings,
        )
    assert (event.source, event.status, event.decided_by_id, event.minutes, event.jp) == (
        "classroom",
        "verified",
        wulan.id,
        1080,
        24.0,
    )
    assert event.external_key == "proposal:USL-2612-000001"
