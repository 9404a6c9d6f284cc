"""Learning outside Ayo, in the chat: "catat pelatihan" → questions → the supervisor verifies.

The employee tells what they finished — an external course or MOOC (with its certificate as a
photo or PDF) or on-the-job learning (coaching, mentoring, job shadowing) — its dates, hours,
competency type and provider. It goes pending to the direct supervisor with Setuju / Tolak
buttons bound to them; Tolak asks for the reason. The decision (lessons/learning_review.py)
is checked again on every press, audited, and the employee is told.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.context import Context
from bot.handlers.registry import UNHANDLED, ActionHandler, ExpectHandler, Handler, Result
from bot.state import LearningRecordAnswer, LearningRecordDraft, LearningRecordReason
from core.messages import Button, Reply
from core.outbox import push
from core.storage.models import Employee, LearningEvent, StoredDocument
from core.text import T, join
from integrations.catalog import FormField
from integrations.forms import Invalid, YearChoice, display, parse_answer
from lessons import learning_review
from lessons.summary import COMPETENCY_NAMES

INTENT = "learning.record"
KIND, TYPE, SKIP, SEND, CANCEL = (
    "lrec.kind",
    "lrec.type",
    "lrec.skip",
    "lrec.send",
    "lrec.cancel",
)
APPROVE, REJECT, START = "lrec.approve", "lrec.reject", "lrec.start"

# What the employee says when they record finished learning, not ask for their progress...
RECORD_WORDS = re.compile(
    r"\b(catat\w*|(kirim|unggah|upload) sertifikat|sudah (ikut|mengikuti|selesai)|"
    r"selesai (ikut|mengikuti)|record|log|i (attended|completed|finished))\b",
    re.IGNORECASE,
)
# ... nor propose a training: a proposal has no certificate yet, and these are not trainings.
FINISHED_WORDS = re.compile(
    r"\b(sertifikat\w*|certificate|completed|finished|attended|coaching|mentoring|"
    r"job shadowing|magang)\b",
    re.IGNORECASE,
)
KINDS = {
    "kursus": ("external", T("🎓 Kursus / MOOC / e-learning", "🎓 Course / MOOC / e-learning")),
    "coaching": ("on_the_job", T("🗣️ Coaching", "🗣️ Coaching")),
    "mentoring": ("on_the_job", T("🤝 Mentoring", "🤝 Mentoring")),
    "job_shadowing": ("on_the_job", T("👀 Job shadowing / magang", "👀 Job shadowing")),
}


def _field(name: str, type_: str, id_text: str, en_text: str, **extra: Any) -> FormField:
    return FormField.model_validate(
        {
            "name": name,
            "type": type_,
            "label": {"id": name, "en": name},
            "prompt": {"id": id_text, "en": en_text},
            **extra,
        }
    )


# Asked in this order; the competency type and the certificate have buttons.
FIELDS = (
    _field(
        "title",
        "text",
        "Apa nama kursus/kegiatannya?",
        "What is the course or activity called?",
        min_length=3,
        max_length=300,
    ),
    _field(
        "provider",
        "text",
        "Siapa penyelenggara atau pembimbingnya? (misalnya LAN, ASN Unggul, universitas)",
        "Who organised or guided it? (e.g. LAN, ASN Unggul, a university)",
        min_length=2,
        max_length=120,
    ),
    _field(
        "dates",
        "date_range",
        "Tanggal mulai dan selesai? (contoh 3-5 nov 2026)",
        "Start and end dates? (e.g. 3-5 Nov 2026)",
        count="calendar_days",
        allow_past=True,
    ),
    _field(
        "hours",
        "number",
        "Berapa jam belajarnya? (sesuai sertifikat, contoh 6)",
        "How many hours of learning? (as on the certificate, e.g. 6)",
        min=0.25,
        max=1000,
    ),
)
BY_NAME = {f.name: f for f in FIELDS}
TYPE_PROMPT = T(
    "Jenis kompetensinya? (teknis, manajerial, sosial kultural)",
    "Which competency type? (technical, managerial, socio-cultural)",
)
TYPE_WORDS = {
    "teknis": "teknis",
    "technical": "teknis",
    "manajerial": "manajerial",
    "managerial": "manajerial",
    "sosial kultural": "sosial_kultural",
    "sosial_kultural": "sosial_kultural",
    "sosial": "sosial_kultural",
    "socio-cultural": "sosial_kultural",
}
CERTIFICATE_PROMPT = T(
    "Kirim foto atau PDF sertifikatnya di sini.",
    "Send a photo or PDF of the certificate here.",
)
EVIDENCE_PROMPT = T(
    "Bila ada bukti (foto atau PDF catatan kegiatan), kirim di sini; atau tekan Lewati.",
    "If you have evidence (a photo or PDF of the activity log), send it here; or press Skip.",
)
EXPIRED = T(
    'Isian catatan belajar ini sudah tidak aktif. Ketik "catat pelatihan" untuk mulai lagi.',
    'This learning record is no longer open. Type "record a training" to start again.',
)


def wants_record(text: str, *, proposing: bool = False) -> bool:
    """Words that record finished learning ("catat pelatihan", "saya sudah ikut kursus");
    `proposing`: the words were read as a proposal, where a certificate also tells."""
    if RECORD_WORDS.search(text or ""):
        return True
    return proposing and bool(FINISHED_WORDS.search(text or ""))


def _jp(value: float) -> T:
    shown = f"{value:.1f}"
    return T(shown.replace(".", ","), shown)


def _draft(ctx: Context) -> LearningRecordDraft | None:
    return ctx.state.learning_record


async def start(ctx: Context) -> list[Reply]:
    """ "catat pelatihan": which kind of learning, with a button each."""
    ctx.state.learning_record = LearningRecordDraft()
    ctx.state.awaiting = None
    group = ctx.new_button_group()
    buttons = tuple(
        [
            await ctx.button(label, KIND, {"k": kind}, group=group)
            for kind, (_, label) in KINDS.items()
        ]
    )
    text = T(
        "📝 Catat pembelajaran di luar Ayo. Setelah diverifikasi atasan langsung, JP-nya masuk "
        "ke catatan belajar Anda (1 JP = "
        f"{ctx.deps.settings.minutes_per_jp} menit). Jenis kegiatannya?",
        "📝 Record learning outside Ayo. Once your direct supervisor verifies it, its JP go "
        f"into your learning record (1 JP = {ctx.deps.settings.minutes_per_jp} minutes). "
        "Which kind?",
    )
    return [Reply(text, buttons)]


async def press_kind(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    draft = _draft(ctx)
    kind = str(payload.get("k"))
    if draft is None or kind not in KINDS:
        return [Reply(EXPIRED)]
    draft = LearningRecordDraft(kind=kind, source=KINDS[kind][0])
    ctx.state.learning_record = draft
    return await _next(ctx, draft)


async def _next(ctx: Context, draft: LearningRecordDraft) -> list[Reply]:
    """Ask the first question not answered yet, or show the summary."""
    answers = draft.answers
    for field in FIELDS:
        if field.name not in answers:
            ctx.state.awaiting = LearningRecordAnswer(field=field.name)
            return [Reply(field.prompt.t())]
    if "competency" not in answers:
        ctx.state.awaiting = LearningRecordAnswer(field="competency")
        group = ctx.new_button_group()
        buttons = tuple(
            [
                await ctx.button(name, TYPE, {"v": code}, group=group)
                for code, name in COMPETENCY_NAMES.items()
            ]
        )
        return [Reply(TYPE_PROMPT, buttons)]
    if "document" not in answers:
        ctx.state.awaiting = LearningRecordAnswer(field="document")
        if draft.source == "external":
            return [Reply(CERTIFICATE_PROMPT)]
        skip = await ctx.button(T("Lewati", "Skip"), SKIP, group=ctx.new_button_group())
        return [Reply(EVIDENCE_PROMPT, (skip,))]
    return [await _summary(ctx, draft)]


async def _summary(ctx: Context, draft: LearningRecordDraft) -> Reply:
    ctx.state.awaiting = None
    a = draft.answers
    jp = a["hours"] * 60 / ctx.deps.settings.minutes_per_jp
    group = ctx.new_button_group()
    buttons = (
        await ctx.button(T("📤 Kirim ke atasan", "📤 Send to supervisor"), SEND, group=group),
        await ctx.button(T("✖️ Batal", "✖️ Cancel"), CANCEL, group=group),
    )
    lines = [
        T("📋 Catatan belajar:", "📋 Learning record:"),
        T("• Jenis: ", "• Kind: ") + KINDS[str(draft.kind)][1],
        T(f"• Kegiatan: {a['title']}", f"• Activity: {a['title']}"),
        T(f"• Penyelenggara: {a['provider']}", f"• Provider: {a['provider']}"),
        T("• Tanggal: ", "• Dates: ") + display(BY_NAME["dates"], a["dates"]),
        T(f"• {a['hours']:g} jam = ".replace(".", ","), f"• {a['hours']:g} hours = ")
        + _jp(jp)
        + T(" JP", " JP"),
        T("• Kompetensi: ", "• Competency: ") + COMPETENCY_NAMES[a["competency"]],
        T("• Bukti: terlampir", "• Evidence: attached")
        if a.get("document")
        else T("• Bukti: tidak ada", "• Evidence: none"),
    ]
    return Reply(join(lines), buttons, sensitive=True)


async def answer(ctx: Context, text: str) -> Result:
    """A typed answer to the question asked ("batal" is the global command that stops)."""
    draft = _draft(ctx)
    expect = ctx.state.awaited(LearningRecordAnswer)
    if draft is None or draft.kind is None or expect is None:
        ctx.state.awaiting = None
        return UNHANDLED
    name = expect.field
    if name == "competency":
        code = TYPE_WORDS.get(text.strip().casefold().replace("-", " ").strip(" ."))
        if code is None:
            return [Reply(TYPE_PROMPT)]
        return await _take(ctx, draft, "competency", code)
    if name == "document":
        if draft.source == "on_the_job" and text.strip().casefold() in ("lewati", "skip"):
            return await _take(ctx, draft, "document", None)
        return [Reply(CERTIFICATE_PROMPT if draft.source == "external" else EVIDENCE_PROMPT)]
    field = BY_NAME.get(name)
    if field is None:
        ctx.state.awaiting = None
        return UNHANDLED
    parsed = parse_answer(field, text, now=ctx.local_now, calendar=ctx.deps.calendar)
    if isinstance(parsed, Invalid):
        return [Reply(parsed.message + T("\n", "\n") + field.prompt.t())]
    value = parsed.value
    if isinstance(value, YearChoice):
        value = value.past  # learning already done: the date that has passed
    if name == "dates" and date.fromisoformat(value["end"]) > ctx.local_now.date():
        return [
            Reply(
                T(
                    "Catat kegiatan yang sudah selesai: tanggal selesainya belum lewat. ",
                    "Record learning that is finished: its end date has not passed yet. ",
                )
                + field.prompt.t()
            )
        ]
    return await _take(ctx, draft, name, value)


async def _take(ctx: Context, draft: LearningRecordDraft, name: str, value: Any) -> list[Reply]:
    draft = draft.model_copy(update={"answers": {**draft.answers, name: value}})
    ctx.state.learning_record = draft
    return await _next(ctx, draft)


async def press_type(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    draft = _draft(ctx)
    code = str(payload.get("v"))
    if draft is None or draft.kind is None or code not in COMPETENCY_NAMES:
        return [Reply(EXPIRED)]
    return await _take(ctx, draft, "competency", code)


async def press_skip(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    draft = _draft(ctx)
    if draft is None or draft.source != "on_the_job":
        return [Reply(EXPIRED)]
    return await _take(ctx, draft, "document", None)


def asking_certificate(ctx: Context) -> bool:
    """Is the learning record waiting for its certificate or evidence right now?"""
    expect = ctx.state.awaited(LearningRecordAnswer)
    return expect is not None and expect.field == "document"


async def accept_certificate(ctx: Context, doc: StoredDocument) -> list[Reply]:
    """A stored photo or PDF is the record's certificate (or on-the-job evidence)."""
    draft = _draft(ctx)
    if draft is None or draft.kind is None:
        return [Reply(EXPIRED)]
    doc.kind = "learning_certificate"
    return await _take(ctx, draft, "document", doc.id)


async def press_cancel(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    ctx.state.learning_record, ctx.state.awaiting = None, None
    return [Reply(T("Baik, catatan belajar dibatalkan.", "All right, the record is cancelled."))]


async def press_send(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    """Keep the record as pending and send it to the supervisor with Setuju / Tolak."""
    draft = _draft(ctx)
    if draft is None or draft.kind is None:
        return [Reply(EXPIRED)]
    a = draft.answers
    if any(f.name not in a for f in FIELDS) or "competency" not in a or "document" not in a:
        return await _next(ctx, draft)
    found = await learning_review.submit(
        ctx.session,
        ctx.me,
        learning_review.Draft(
            source=str(draft.source),
            activity=draft.kind,
            title=a["title"],
            provider=a["provider"],
            start=date.fromisoformat(a["dates"]["start"]),
            end=date.fromisoformat(a["dates"]["end"]),
            hours=float(a["hours"]),
            competency=a["competency"],
            document_id=a.get("document"),
        ),
        now=ctx.now,
        channel=ctx.account.channel,
        settings=ctx.deps.settings,
    )
    if isinstance(found, str):
        return [Reply(learning_review.REFUSED[found])]
    event, boss = found
    ctx.state.learning_record, ctx.state.awaiting = None, None
    await push(
        ctx.session,
        boss.id,
        await _digest(ctx, event, ctx.me, boss),
        now=ctx.now,
        key=f"learning.digest:{event.id}",
    )
    return [
        Reply(
            T(
                f"📤 Terkirim ke {boss.name} untuk diverifikasi. Anda akan diberi tahu hasilnya; "
                "JP-nya dihitung setelah diverifikasi.",
                f"📤 Sent to {boss.name} to verify. You will be told the result; the JP count "
                "once it is verified.",
            )
        )
    ]


async def _digest(ctx: Context, event: LearningEvent, employee: Employee, boss: Employee) -> Reply:
    """The supervisor's message: what was learnt, the certificate link, buttons only for them."""
    group = ctx.new_button_group()
    buttons: tuple[Button, ...] = (
        await ctx.button(
            T("✅ Setuju", "✅ Approve"),
            APPROVE,
            {"e": event.id},
            group=group,
            for_employee=boss.id,
        ),
        await ctx.button(
            T("❌ Tolak", "❌ Reject"), REJECT, {"e": event.id}, group=group, for_employee=boss.id
        ),
    )
    hours = event.minutes / 60
    kind = KINDS.get(str((event.evidence or {}).get("activity")), ("", T("-", "-")))[1]
    lines = [
        T(
            f"🎓 Mohon verifikasi catatan belajar {employee.name}",
            f"🎓 Please verify {employee.name}'s learning record",
        ),
        T("• Jenis: ", "• Kind: ") + kind,
        T(f"• Kegiatan: {event.material}", f"• Activity: {event.material}"),
        T(f"• Penyelenggara: {event.provider}", f"• Provider: {event.provider}"),
        T(
            f"• {event.start_date.isoformat()} s.d. {event.end_date.isoformat()}, "
            f"{hours:g} jam = ".replace(".", ","),
            f"• {event.start_date.isoformat()} to {event.end_date.isoformat()}, "
            f"{hours:g} hours = ",
        )
        + _jp(event.jp)
        + T(" JP", " JP"),
        T("• Kompetensi: ", "• Competency: ") + COMPETENCY_NAMES[event.competency],
    ]
    doc = await ctx.session.get(StoredDocument, event.document_id or 0)
    if doc is not None and ctx.deps.documents is not None:
        url = ctx.deps.settings.public_url.rstrip("/") + ctx.deps.documents.link(
            doc, boss.id, ctx.now
        )
        lines.append(T(f"Sertifikat/bukti: {url}", f"Certificate/evidence: {url}"))
    return Reply(join(lines), buttons, sensitive=True)


async def _decide(
    ctx: Context, event_id: int, *, approve: bool, reason: str | None = None
) -> list[Reply]:
    """Check again who presses, then verify or reject and tell the employee."""
    found = await learning_review.reviewable(
        ctx.session, event_id, ctx.me, now=ctx.now, channel=ctx.account.channel
    )
    if isinstance(found, str):
        return [Reply(learning_review.REFUSED[found])]
    event, employee = found
    if approve is False and reason is None:  # Tolak: the reason comes next
        ctx.state.awaiting = LearningRecordReason(event=event.id)
        return [
            Reply(
                T(
                    f"Tulis alasan penolakan catatan belajar {employee.name} (wajib).",
                    f"Write the reason for rejecting {employee.name}'s learning record "
                    "(required).",
                )
            )
        ]
    await learning_review.conclude(
        ctx.session,
        event,
        employee,
        ctx.me,
        approve=approve,
        reason=reason,
        now=ctx.now,
        channel=ctx.account.channel,
    )
    if approve:
        return [
            Reply(
                T(
                    f"✅ Catatan belajar {employee.name} diverifikasi (",
                    f"✅ {employee.name}'s learning record is verified (",
                )
                + _jp(event.jp)
                + T(" JP). Ia sudah diberi tahu.", " JP). They have been told.")
            )
        ]
    return [
        Reply(
            T(
                f"❌ Catatan belajar {employee.name} ditolak. Ia sudah diberi tahu alasannya.",
                f"❌ {employee.name}'s learning record is rejected. They have been told why.",
            )
        )
    ]


async def press_approve(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    return await _decide(ctx, int(payload.get("e", 0)), approve=True)


async def press_reject(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    return await _decide(ctx, int(payload.get("e", 0)), approve=False)


async def reason_typed(ctx: Context, text: str) -> Result:
    expect = ctx.state.take(LearningRecordReason)
    if expect is None:
        return UNHANDLED
    reason = text.strip()
    if len(reason) < 3:
        ctx.state.awaiting = expect
        return [Reply(T("Alasannya terlalu singkat.", "The reason is too short."))]
    return await _decide(ctx, expect.event, approve=False, reason=reason)


async def press_start(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    return await start(ctx)


INTENTS: dict[str, Handler] = {INTENT: start}
ACTIONS: dict[str, ActionHandler] = {
    START: press_start,
    KIND: press_kind,
    TYPE: press_type,
    SKIP: press_skip,
    SEND: press_send,
    CANCEL: press_cancel,
    APPROVE: press_approve,
    REJECT: press_reject,
}
EXPECTS: dict[str, ExpectHandler] = {
    LearningRecordAnswer.KIND: answer,
    LearningRecordReason.KIND: reason_typed,
}
