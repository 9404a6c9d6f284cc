"""Learning outside Ayo in the chat: the employee records a course with its certificate or
on-the-job learning; only their supervisor verifies it (Setuju / Tolak with a reason)."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select

from bot.app import App
from bot.learning_cli import record_training
from core.clock import FixedClock
from core.storage.models import AuditEvent, LearningEvent
from integrations import documents
from lessons import learning_review
from lessons.learning_export import export_rows, to_csv
from lessons.progress import year_progress
from lessons.report import report_rows
from tests.support.ayo_chat import button, press, say, text_of
from tests.support.requests_kit import person

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def send_pdf(ayo: App, clock: FixedClock, nip: str, owner_id: int) -> list:
    """The web chat's upload: the file is in the store, the message names it."""
    async with ayo.db.transaction() as session:
        doc = await ayo.deps.documents.save(
            session, PDF, kind="attachment", owner_id=owner_id, source="local", now=clock()
        )
    await ayo.local.say(
        nip, meta={"file": {"stored": doc.id, "size": len(PDF), "mime": "application/pdf"}}
    )
    return await ayo.local.collect(nip)


async def actions(ayo: App) -> list[str]:
    async with ayo.db.sessions() as session:
        rows = await session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.entity == "learning_event")
            .order_by(AuditEvent.id)
        )
        return list(rows.scalars())


async def test_a_mooc_with_its_certificate_is_verified_by_the_supervisor(
    ayo: App, clock: FixedClock
) -> None:
    dimas, sri = await person(ayo, "Dimas Prasetyo"), await person(ayo, "Sri Wahyuni")
    got = await say(ayo, dimas.nip, "catat pelatihan")
    assert "📝 Catat pembelajaran di luar Ayo" in text_of(got)
    got = await press(ayo, dimas.nip, button(got, "🎓 Kursus / MOOC / e-learning"))
    assert text_of(got) == "Apa nama kursus/kegiatannya?"
    await say(ayo, dimas.nip, "Kursus Keamanan Informasi")
    await say(ayo, dimas.nip, "LAN")
    got = await say(ayo, dimas.nip, "3-5 nov 2026")
    assert text_of(got) == "Berapa jam belajarnya? (sesuai sertifikat, contoh 6)"
    got = await say(ayo, dimas.nip, "6")
    got = await press(ayo, dimas.nip, button(got, "Teknis"))
    assert text_of(got) == "Kirim foto atau PDF sertifikatnya di sini."
    summary = await send_pdf(ayo, clock, dimas.nip, dimas.id)
    assert "• Kegiatan: Kursus Keamanan Informasi" in text_of(summary)
    assert "• 6 jam = 8,0 JP" in text_of(summary)
    assert "• Bukti: terlampir" in text_of(summary)
    sent = await press(ayo, dimas.nip, button(summary, "📤 Kirim ke atasan"))
    assert "📤 Terkirim ke Sri Wahyuni untuk diverifikasi" in text_of(sent)

    async with ayo.db.sessions() as session:
        event = (await session.execute(select(LearningEvent))).scalar_one()
        progress = (await year_progress(session, [dimas.id], 2026))[dimas.id]
    assert (event.source, event.status, event.verifier_id, event.minutes, event.jp) == (
        "external",
        "pending",
        sri.id,
        360,
        8.0,
    )
    assert (str(event.start_date), str(event.end_date)) == ("2026-11-03", "2026-11-05")
    assert progress.jp(ayo.deps.settings) == 0.0  # pending: not in the ledger yet

    digest = await ayo.local.collect(sri.nip)
    assert "🎓 Mohon verifikasi catatan belajar Dimas Prasetyo" in text_of(digest)
    assert "6 jam = 8,0 JP" in text_of(digest) and "Sertifikat/bukti: " in text_of(digest)
    forged = await press(ayo, dimas.nip, button(digest, "✅ Setuju"))
    assert text_of(forged) == "Maaf, tombol ini bukan untuk Anda."
    got = await press(ayo, sri.nip, button(digest, "✅ Setuju"))
    assert "✅ Catatan belajar Dimas Prasetyo diverifikasi (8,0 JP)" in text_of(got)
    told = text_of(await ayo.local.collect(dimas.nip))
    assert "✅ Sri Wahyuni memverifikasi catatan belajar Anda" in told and "8,0 JP" in told

    async with ayo.db.sessions() as session:
        event = (await session.execute(select(LearningEvent))).scalar_one()
        progress = (await year_progress(session, [dimas.id], 2026))[dimas.id]
        certificate = await session.get(documents.StoredDocument, event.document_id)
        fajar = await person(ayo, "Fajar Nugroho")
        seen = (
            await documents.may_view(session, certificate, sri.id),
            await documents.may_view(session, certificate, fajar.id),
        )
    assert (event.status, event.decided_by_id) == ("verified", sri.id)
    assert progress.jp_by_source(ayo.deps.settings)["external"] == 8.0
    assert seen == (True, False)  # the verifier opens the certificate, a colleague does not
    assert await actions(ayo) == ["learning.external.pending", "learning.verified"]
    shown = text_of(await say(ayo, dimas.nip, "progres belajar"))
    assert "JP tahun ini: 8.0 dari target 20.0 JP" in shown
    assert "Sumber: kursus/MOOC 8.0 JP" in shown


async def test_mentoring_rejected_with_a_reason_and_only_the_supervisor_decides(
    ayo: App, clock: FixedClock
) -> None:
    dimas, sri = await person(ayo, "Dimas Prasetyo"), await person(ayo, "Sri Wahyuni")
    fajar = await person(ayo, "Fajar Nugroho")
    shown = await say(ayo, dimas.nip, "progres belajar")
    got = await press(ayo, dimas.nip, button(shown, "📝 Catat pelatihan/kursus"))
    got = await press(ayo, dimas.nip, button(got, "🤝 Mentoring"))
    for line in ("Mentoring penyusunan SKP", "Sri Wahyuni", "2 nov 2026", "2,5"):
        got = await say(ayo, dimas.nip, line)
    got = await say(ayo, dimas.nip, "manajerial")
    assert "Bila ada bukti" in text_of(got)
    summary = await press(ayo, dimas.nip, button(got, "Lewati"))
    assert "• 2,5 jam = 3,3 JP" in text_of(summary)
    assert "• Bukti: tidak ada" in text_of(summary)
    await press(ayo, dimas.nip, button(summary, "📤 Kirim ke atasan"))
    digest = await ayo.local.collect(sri.nip)
    async with ayo.db.sessions() as session:
        event = (await session.execute(select(LearningEvent))).scalar_one()
    assert (event.source, event.status, event.evidence) == (
        "on_the_job",
        "pending",
        {"activity": "mentoring"},
    )

    # A colleague cannot decide, whatever they press: the check is on the server.
    async with ayo.db.transaction() as session:
        refused = await learning_review.reviewable(
            session, event.id, fajar, now=clock(), channel="local"
        )
    assert refused == "not_verifier"

    asked = await press(ayo, sri.nip, button(digest, "❌ Tolak"))
    assert text_of(asked) == "Tulis alasan penolakan catatan belajar Dimas Prasetyo (wajib)."
    got = await say(ayo, sri.nip, "Belum ada catatan kegiatan mentoring")
    assert "❌ Catatan belajar Dimas Prasetyo ditolak" in text_of(got)
    told = text_of(await ayo.local.collect(dimas.nip))
    assert "❌ Sri Wahyuni menolak catatan belajar Anda" in told
    assert "Alasan: Belum ada catatan kegiatan mentoring." in told
    async with ayo.db.sessions() as session:
        event = (await session.execute(select(LearningEvent))).scalar_one()
        progress = (await year_progress(session, [dimas.id], 2026))[dimas.id]
    assert (event.status, event.reason, event.decided_by_id) == (
        "rejected",
        "Belum ada catatan kegiatan mentoring",
        sri.id,
    )
    assert progress.jp(ayo.deps.settings) == 0.0
    assert await actions(ayo) == [
        "learning.on_the_job.pending",
        "learning.refused.not_verifier",
        "learning.rejected",
    ]


async def test_bad_answers_get_a_friendly_hint_and_lose_nothing(ayo: App) -> None:
    dimas = await person(ayo, "Dimas Prasetyo")
    got = await say(ayo, dimas.nip, "catat pelatihan")
    await press(ayo, dimas.nip, button(got, "🎓 Kursus / MOOC / e-learning"))
    await say(ayo, dimas.nip, "Kursus SPBE")
    await say(ayo, dimas.nip, "LAN")
    ahead = await say(ayo, dimas.nip, "14-16 des 2026")
    assert "tanggal selesainya belum lewat" in text_of(ahead)
    got = await say(ayo, dimas.nip, "3-4 nov 2026")
    assert text_of(got) == "Berapa jam belajarnya? (sesuai sertifikat, contoh 6)"
    got = await say(ayo, dimas.nip, "banyak sekali")
    assert "Berapa jam belajarnya?" in text_of(got)
    got = await say(ayo, dimas.nip, "4")
    got = await say(ayo, dimas.nip, "ekonomi")
    assert "Jenis kompetensinya?" in text_of(got)
    got = await say(ayo, dimas.nip, "teknis")
    assert text_of(got) == "Kirim foto atau PDF sertifikatnya di sini."
    got = await say(ayo, dimas.nip, "batal")
    assert text_of(got).startswith("Baik, dibatalkan.")
    async with ayo.db.sessions() as session:
        assert (await session.execute(select(LearningEvent))).first() is None


async def test_done_when_twenty_jp_from_lessons_a_verified_certificate_and_a_bimtek(
    ayo: App, clock: FixedClock
) -> None:
    """Issue 14: 9 lessons of 5 minutes (1 JP) + a MOOC of 6 hours verified in the chat (8 JP)
    + a bimtek of 8 hours 15 minutes recorded by HR (11 JP) = 20.0 JP; report = export."""
    dimas, sri = await person(ayo, "Dimas Prasetyo"), await person(ayo, "Sri Wahyuni")
    wulan = await person(ayo, "Wulan Sari")
    async with ayo.db.transaction() as session:
        session.add_all(
            LearningEvent(
                employee_id=dimas.id, lesson_id=None, activity_type="e-learning (microlearning)",
                competency="sosial_kultural", provider="Ayo", material=f"Pelajaran {n}",
                start_date=date(2026, 3, 2 + n), end_date=date(2026, 3, 2 + n), minutes=5,
                jp=5 / 45, created_at=clock(), source="ayo", status="verified",
            )
            for n in range(9)
        )  # fmt: skip
    got = await say(ayo, dimas.nip, "saya sudah ikut kursus online, ini sertifikatnya")
    got = await press(ayo, dimas.nip, button(got, "🎓 Kursus / MOOC / e-learning"))
    for line in ("MOOC Literasi Digital ASN", "LAN", "3-5 nov 2026", "6 jam", "teknis"):
        await say(ayo, dimas.nip, line)
    summary = await send_pdf(ayo, clock, dimas.nip, dimas.id)
    await press(ayo, dimas.nip, button(summary, "📤 Kirim ke atasan"))
    digest = await ayo.local.collect(sri.nip)
    await press(ayo, sri.nip, button(digest, "✅ Setuju"))
    async with ayo.db.transaction() as session:
        bimtek = await record_training(
            session, nip=dimas.nip, source="classroom", title="Bimtek SPBE",
            provider="BPSDM", hours=8.25, competency="teknis", start=date(2026, 7, 13),
            end=date(2026, 7, 14), by_nip=wulan.nip, now=clock(), settings=ayo.deps.settings,
        )  # fmt: skip
    assert (bimtek["jp"], bimtek["status"]) == (11.0, "verified")

    shown = text_of(await say(ayo, dimas.nip, "progres belajar"))
    assert "JP tahun ini: 20.0 dari target 20.0 JP" in shown
    assert "Sumber: Ayo 1.0 · kursus/MOOC 8.0 · pelatihan klasikal 11.0 JP" in shown
    assert "✅ Target JP tahun ini sudah tercapai. Hebat!" in shown
    async with ayo.db.sessions() as session:
        [row] = [
            r for r in await report_rows(session, 2026, ayo.deps.settings) if r.nip == dimas.nip
        ]
        exported = to_csv(await export_rows(session, 2026))
    assert (row.jp_total, row.target_met) == (20.0, True)
    mine = [r for r in csv.DictReader(io.StringIO(exported)) if r["nip"] == dimas.nip]
    assert len(mine) == 11
    assert round(sum(float(r["jp"]) for r in mine if r["status"] == "verified"), 2) == 20.0
