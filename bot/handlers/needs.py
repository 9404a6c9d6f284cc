"""The needs analysis (AKPK) in the chat: rate oneself, the supervisor confirms, gaps guide.

The employee rates each competency of their position family (lessons/competencies.yaml);
the supervisor gets a digest with Konfirmasi / Sesuaikan buttons bound to them, and every
press is checked again here: only the employee's current supervisor, only while the analysis
waits for them. The confirmed gaps become the recommended lessons (the daily plan prefers
them, lessons/plan.py) and the courses to propose ("usul pelatihan").
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.context import Context
from bot.handlers.registry import UNHANDLED, ActionHandler, ExpectHandler, Handler, Result
from bot.handlers.services import run_service_intent
from bot.state import NeedsRating
from core.audit import record
from core.messages import Button, Reply
from core.outbox import push
from core.storage.models import Employee, NeedsAnalysis, StoredLesson
from core.text import T, join
from lessons import needs
from lessons.flow import local_day
from lessons.needs_reminders import reminder_due
from lessons.progress import year_progress
from lessons.team import subtree

RATE, SUBMIT, REDO = "needs.rate", "needs.submit", "needs.redo"
CONFIRM, ADJUST, PICK, SET, REVIEW = (
    "needs.confirm",
    "needs.adjust",
    "needs.pick",
    "needs.set",
    "needs.review",
)
MAX_TEAM_LINES = 25
MAX_CITY_GAPS = 8
NOT_FOUND = T("Analisis kebutuhan ini tidak ditemukan.", "This needs analysis was not found.")
NOT_YOURS = T(
    "Maaf, hanya atasan langsung pegawai ini yang dapat mengonfirmasi analisis kebutuhannya.",
    "Sorry, only this employee's direct supervisor can confirm their needs analysis.",
)
NOT_WAITING = T(
    "Analisis kebutuhan ini tidak sedang menunggu konfirmasi.",
    "This needs analysis is not waiting for confirmation.",
)
NO_SUPERVISOR = T(
    "Atasan langsung Anda belum tercatat, jadi analisis kebutuhan belum bisa dikonfirmasi. "
    "Mohon hubungi bagian kepegawaian (BKPSDM).",
    "Your direct supervisor is not on record, so the needs analysis cannot be confirmed yet. "
    "Please contact the HR office (BKPSDM).",
)


def _first(name: str) -> str:
    return name.split()[0] if name else name


def _scale_hint(framework: needs.Framework) -> T:
    parts = [
        T(f"{n} = {framework.label(n).id}", f"{n} = {framework.label(n).en}")
        for n in range(framework.low, framework.high + 1)
    ]
    return join(parts, sep="; ")


async def _level_buttons(
    ctx: Context,
    framework: needs.Framework,
    action: str,
    payload: dict[str, Any],
    *,
    for_employee: int | None = None,
) -> tuple[Button, ...]:
    group = ctx.new_button_group()
    return tuple(
        [
            await ctx.button(
                T(f"{n} · {framework.label(n).id}", f"{n} · {framework.label(n).en}"),
                action,
                {**payload, "v": n},
                group=group,
                for_employee=for_employee,
            )
            for n in range(framework.low, framework.high + 1)
        ]
    )


async def _ask(ctx: Context, row: NeedsAnalysis, framework: needs.Framework) -> list[Reply]:
    family = framework.family(row.family)
    found = needs.next_unrated(family, row.ratings or {})
    if found is None:
        return await _summary(ctx, row, framework)
    i, competency = found
    total = len(family.competencies)
    ctx.state.awaiting = NeedsRating(analysis=row.id, competency=competency.id)
    text = T(
        f"Kompetensi {i + 1}/{total}: {competency.title.id}\n"
        f"Standar jabatan: {competency.required}. Seberapa Anda menguasainya?",
        f"Competency {i + 1}/{total}: {competency.title.en}\n"
        f"Position standard: {competency.required}. How well do you master it?",
    )
    buttons = await _level_buttons(ctx, framework, RATE, {"a": row.id, "c": competency.id})
    return [Reply(text, buttons)]


def _levels_lines(
    family: needs.Family,
    levels: dict[str, Any],
    framework: needs.Framework,
    before: dict[str, Any] | None = None,
) -> list[T]:
    lines = []
    for c in family.competencies:
        if c.id not in levels:
            continue
        level = int(levels[c.id])
        gap = c.required - level
        mark = T(f" ⚠️ kurang {gap}", f" ⚠️ {gap} short") if gap > 0 else T("", "")
        changed = (
            T(f" (diubah dari {before[c.id]})", f" (changed from {before[c.id]})")
            if before is not None and c.id in before and int(before[c.id]) != level
            else T("", "")
        )
        lines.append(
            T(
                f"• {c.title.id}: {level} (standar {c.required})",
                f"• {c.title.en}: {level} (standard {c.required})",
            )
            + changed
            + mark
        )
    return lines


async def _summary(ctx: Context, row: NeedsAnalysis, framework: needs.Framework) -> list[Reply]:
    ctx.state.take(NeedsRating)
    family = framework.family(row.family)
    group = ctx.new_button_group()
    buttons = (
        await ctx.button(
            T("📤 Kirim ke atasan", "📤 Send to supervisor"), SUBMIT, {"a": row.id}, group=group
        ),
        await ctx.button(T("🔁 Ulangi", "🔁 Start over"), REDO, {"a": row.id}, group=group),
    )
    lines = [
        T(
            f"📋 Penilaian diri Anda {row.year} ({family.title.id}):",
            f"📋 Your self-assessment {row.year} ({family.title.en}):",
        ),
        *_levels_lines(family, row.ratings or {}, framework),
        T(
            "Kirim ke atasan langsung untuk dikonfirmasi?",
            "Send it to your direct supervisor to confirm?",
        ),
    ]
    return [Reply(join(lines), buttons, sensitive=True)]


async def _lessons(ctx: Context) -> list[StoredLesson]:
    rows = await ctx.session.execute(
        select(StoredLesson)
        .where(StoredLesson.retired_at.is_(None))
        .order_by(StoredLesson.position, StoredLesson.id)
    )
    return list(rows.scalars())


async def _result_text(ctx: Context, row: NeedsAnalysis, framework: needs.Framework) -> T:
    """The confirmed gaps with the lessons and courses recommended for them."""
    gaps = needs.row_gaps(row, framework)
    if not gaps:
        return T(
            f"✅ Analisis kebutuhan {row.year} Anda sudah dikonfirmasi: tidak ada kesenjangan "
            "terhadap standar jabatan. Tetap belajar 5 menit sehari!",
            f"✅ Your {row.year} needs analysis is confirmed: no gaps against the position "
            "standard. Keep learning five minutes a day!",
        )
    lines = [
        T(
            f"✅ Analisis kebutuhan {row.year} Anda sudah dikonfirmasi. Kesenjangan kompetensi:",
            f"✅ Your {row.year} needs analysis is confirmed. Competency gaps:",
        )
    ]
    for gap in gaps:
        lines.append(
            T(
                f"• {gap.competency.title.id}: {gap.level} dari standar {gap.required}",
                f"• {gap.competency.title.en}: {gap.level} of standard {gap.required}",
            )
        )
    recommended = needs.recommend(gaps, await _lessons(ctx))
    if recommended:
        lines.append(
            T(
                "Materi yang disarankan (muncul lebih dulu di pelajaran harian):",
                "Recommended lessons (they come first in your daily lessons):",
            )
        )
        lines.extend(T(f"  – {r.title.id}", f"  – {r.title.en}") for r in recommended[:6])
        courses = list(dict.fromkeys((r.course, r.course_title) for r in recommended))
        names = join([title for _, title in courses], sep=", ")
        lines.append(T("Kursus: ", "Courses: ") + names)
    lines.append(
        T(
            'Untuk pelatihan di luar Ayo, ketik "usul pelatihan".',
            'For training outside Ayo, type "propose a training".',
        )
    )
    return join(lines)


async def start(ctx: Context) -> list[Reply]:
    """ "analisis kebutuhan": the year's analysis where it stands (new, rating, waiting, done)."""
    framework = needs.load_framework()
    year = local_day(ctx.me, ctx.now).year
    row = await needs.analysis_for(ctx.session, ctx.me.id, year, lock=True)
    if row is not None and row.status == needs.CONFIRMED:
        return [Reply(await _result_text(ctx, row, framework), sensitive=True)]
    if row is not None and row.status == needs.SUBMITTED:
        boss = await ctx.session.get(Employee, row.supervisor_id or 0)
        who = boss.name if boss else T("atasan", "supervisor").id
        return [
            Reply(
                T(
                    f"Analisis kebutuhan {year} Anda sudah dikirim ke {who} dan menunggu "
                    "konfirmasi.",
                    f"Your {year} needs analysis was sent to {who} and waits for confirmation.",
                )
            )
        ]
    if ctx.me.supervisor_id is None:
        return [Reply(NO_SUPERVISOR)]
    intro: list[Reply] = []
    if row is None:
        family = framework.family_for(ctx.me.position)
        row = NeedsAnalysis(
            employee_id=ctx.me.id,
            year=year,
            family=family.id,
            status=needs.DRAFT,
            ratings={},
            adjusted={},
            confirmed={},
            created_at=ctx.now,
        )
        try:
            async with ctx.session.begin_nested():
                ctx.session.add(row)
        except IntegrityError:  # a second device started it at the same moment
            row = await needs.analysis_for(ctx.session, ctx.me.id, year, lock=True)
            assert row is not None
        intro.append(
            Reply(
                T(
                    f"📝 Analisis kebutuhan pengembangan kompetensi (AKPK) {year}\n"
                    f"Jabatan: {ctx.me.position or '-'} · rumpun {family.title.id}, "
                    f"{len(family.competencies)} kompetensi.\n"
                    "Nilai diri Anda dengan jujur; atasan langsung akan mengonfirmasi.\n",
                    f"📝 Competency development needs analysis {year}\n"
                    f"Position: {ctx.me.position or '-'} · family {family.title.en}, "
                    f"{len(family.competencies)} competencies.\n"
                    "Rate yourself honestly; your direct supervisor will confirm.\n",
                )
                + _scale_hint(framework)
            )
        )
    return intro + await _ask(ctx, row, framework)


async def _own_draft(ctx: Context, payload: dict[str, Any]) -> NeedsAnalysis | None:
    row = await ctx.session.get(NeedsAnalysis, int(payload.get("a", 0)), with_for_update=True)
    if row is None or row.employee_id != ctx.me.id or row.status != needs.DRAFT:
        return None
    return row


async def _rate(ctx: Context, row: NeedsAnalysis, competency_id: str, value: int) -> list[Reply]:
    framework = needs.load_framework()
    family = framework.family(row.family)
    if family.competency(competency_id) is None or not framework.low <= value <= framework.high:
        return await _ask(ctx, row, framework)
    row.ratings = {**(row.ratings or {}), competency_id: value}
    return await _ask(ctx, row, framework)


async def press_rate(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    row = await _own_draft(ctx, payload)
    if row is None:
        return [Reply(NOT_WAITING)]
    return await _rate(ctx, row, str(payload.get("c")), int(payload.get("v", 0)))


async def typed_rating(ctx: Context, text: str) -> Result:
    """A typed "3" answers the competency asked; anything else is routed as a new message."""
    awaited = ctx.state.awaited(NeedsRating)
    framework = needs.load_framework()
    found = re.fullmatch(r"\s*(\d+)\s*", text or "")
    if awaited is None or found is None:
        ctx.state.take(NeedsRating)
        return UNHANDLED
    row = await _own_draft(ctx, {"a": awaited.analysis})
    if row is None:
        ctx.state.take(NeedsRating)
        return [Reply(NOT_WAITING)]
    value = int(found.group(1))
    if not framework.low <= value <= framework.high:
        return [
            Reply(
                T(
                    f"Tulis angka {framework.low} sampai {framework.high}.",
                    f"Write a number from {framework.low} to {framework.high}.",
                )
            )
        ]
    return await _rate(ctx, row, awaited.competency, value)


async def press_redo(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    row = await _own_draft(ctx, payload)
    if row is None:
        return [Reply(NOT_WAITING)]
    row.ratings = {}
    return await _ask(ctx, row, needs.load_framework())


async def _digest(ctx: Context, row: NeedsAnalysis, employee: Employee, heading: T) -> Reply:
    """The supervisor's view: the ratings (with their changes) and buttons only they may press."""
    framework = needs.load_framework()
    family = framework.family(row.family)
    boss = row.supervisor_id or 0
    group = ctx.new_button_group()
    buttons = (
        await ctx.button(
            T("✅ Konfirmasi", "✅ Confirm"),
            CONFIRM,
            {"a": row.id},
            group=group,
            for_employee=boss,
        ),
        await ctx.button(
            T("✏️ Sesuaikan", "✏️ Adjust"), ADJUST, {"a": row.id}, group=group, for_employee=boss
        ),
    )
    levels = needs.review_levels(row)
    lines = [
        heading,
        T(
            f"{employee.name} · {employee.position or '-'} · rumpun {family.title.id}",
            f"{employee.name} · {employee.position or '-'} · family {family.title.en}",
        ),
        *_levels_lines(family, levels, framework, before=row.ratings or {}),
        T(
            "Konfirmasi bila sesuai, atau sesuaikan nilainya (PP 11/2017 Ps. 206: profil "
            "kompetensi dibandingkan dengan standar jabatan).",
            "Confirm when it is right, or adjust the levels (PP 11/2017 Ps. 206: the "
            "competency profile compared with the position standard).",
        ),
    ]
    return Reply(join(lines), buttons, sensitive=True)


async def press_submit(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    row = await _own_draft(ctx, payload)
    if row is None:
        return [Reply(NOT_WAITING)]
    framework = needs.load_framework()
    if needs.next_unrated(framework.family(row.family), row.ratings or {}) is not None:
        return await _ask(ctx, row, framework)
    boss = await ctx.session.get(Employee, ctx.me.supervisor_id or 0)
    if boss is None or not boss.active:
        return [Reply(NO_SUPERVISOR)]
    row.status, row.submitted_at, row.supervisor_id = needs.SUBMITTED, ctx.now, boss.id
    row.adjusted = {}
    # Swept by the scheduler: the supervisor is reminded once if they do not confirm.
    row.remind_at = reminder_due(ctx.now, str(boss.timezone or ctx.tz), ctx.deps.calendar)
    heading = T(
        f"📋 Analisis kebutuhan pengembangan kompetensi {row.year} — mohon dikonfirmasi",
        f"📋 Competency development needs analysis {row.year} — please confirm",
    )
    digest = await _digest(ctx, row, ctx.me, heading)
    await push(
        ctx.session,
        boss.id,
        digest,
        now=ctx.now,
        key=f"needs.digest:{row.id}:{int(ctx.now.timestamp())}",
    )
    record(
        ctx.session,
        now=ctx.now,
        actor_id=ctx.me.id,
        channel=ctx.account.channel,
        entity="needs_analysis",
        entity_id=row.id,
        action="needs.submitted",
        detail={"supervisor": boss.id},
    )
    return [
        Reply(
            T(
                f"📤 Terkirim ke {boss.name} untuk dikonfirmasi. Anda akan diberi tahu hasilnya.",
                f"📤 Sent to {boss.name} to confirm. You will be told the result.",
            )
        )
    ]


async def _reviewable(
    ctx: Context, payload: dict[str, Any]
) -> tuple[NeedsAnalysis, Employee] | Reply:
    """The analysis and its employee when the one pressing may review it now; else why not.

    The token is already bound to the supervisor it was sent to; this checks again that they
    are still the employee's supervisor and that the analysis still waits for them.
    """
    row = await ctx.session.get(NeedsAnalysis, int(payload.get("a", 0)), with_for_update=True)
    employee = await ctx.session.get(Employee, row.employee_id) if row is not None else None
    if row is None or employee is None:
        return Reply(NOT_FOUND)
    refused = None
    if ctx.me.id != employee.supervisor_id or ctx.me.id != row.supervisor_id:
        refused = "not_supervisor"
    elif row.status != needs.SUBMITTED:
        refused = "not_waiting"
    if refused is not None:
        record(
            ctx.session,
            now=ctx.now,
            actor_id=ctx.me.id,
            channel=ctx.account.channel,
            entity="needs_analysis",
            entity_id=row.id,
            action=f"needs.refused.{refused}",
        )
        return Reply(NOT_YOURS if refused == "not_supervisor" else NOT_WAITING)
    return row, employee


async def press_review(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    """The digest again (from "kebutuhan tim")."""
    found = await _reviewable(ctx, payload)
    if isinstance(found, Reply):
        return [found]
    row, employee = found
    heading = T(
        f"📋 Analisis kebutuhan {row.year} — {_first(employee.name)}",
        f"📋 Needs analysis {row.year} — {_first(employee.name)}",
    )
    return [await _digest(ctx, row, employee, heading)]


async def press_adjust(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    found = await _reviewable(ctx, payload)
    if isinstance(found, Reply):
        return [found]
    row, employee = found
    family = needs.load_framework().family(row.family)
    levels = needs.review_levels(row)
    group = ctx.new_button_group()
    buttons = [
        await ctx.button(
            T(f"{c.title.id}: {levels.get(c.id)}", f"{c.title.en}: {levels.get(c.id)}"),
            PICK,
            {"a": row.id, "c": c.id},
            group=group,
        )
        for c in family.competencies
    ]
    buttons.append(
        await ctx.button(T("✅ Konfirmasi", "✅ Confirm"), CONFIRM, {"a": row.id}, group=group)
    )
    return [
        Reply(
            T(
                f"Kompetensi {_first(employee.name)} mana yang ingin disesuaikan?",
                f"Which of {_first(employee.name)}'s competencies do you want to adjust?",
            ),
            tuple(buttons),
        )
    ]


async def press_pick(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    found = await _reviewable(ctx, payload)
    if isinstance(found, Reply):
        return [found]
    row, employee = found
    framework = needs.load_framework()
    competency = framework.family(row.family).competency(str(payload.get("c")))
    if competency is None:
        return [Reply(NOT_FOUND)]
    buttons = await _level_buttons(ctx, framework, SET, {"a": row.id, "c": competency.id})
    rated = (row.ratings or {}).get(competency.id)
    return [
        Reply(
            T(
                f"{competency.title.id} ({_first(employee.name)} menilai {rated}; standar "
                f"{competency.required}). Nilai menurut Anda?",
                f"{competency.title.en} ({_first(employee.name)} rated {rated}; standard "
                f"{competency.required}). Your level?",
            ),
            buttons,
        )
    ]


async def press_set(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    found = await _reviewable(ctx, payload)
    if isinstance(found, Reply):
        return [found]
    row, employee = found
    framework = needs.load_framework()
    competency = framework.family(row.family).competency(str(payload.get("c")))
    value = int(payload.get("v", 0))
    if competency is None or not framework.low <= value <= framework.high:
        return [Reply(NOT_FOUND)]
    row.adjusted = {**(row.adjusted or {}), competency.id: value}
    heading = T(
        f"✏️ Disesuaikan: {competency.title.id} = {value}",
        f"✏️ Adjusted: {competency.title.en} = {value}",
    )
    return [await _digest(ctx, row, employee, heading)]


async def press_confirm(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    found = await _reviewable(ctx, payload)
    if isinstance(found, Reply):
        return [found]
    row, employee = found
    framework = needs.load_framework()
    row.confirmed = needs.review_levels(row)
    row.status, row.confirmed_at, row.remind_at = needs.CONFIRMED, ctx.now, None
    changed = sorted(k for k, v in (row.adjusted or {}).items() if (row.ratings or {}).get(k) != v)
    record(
        ctx.session,
        now=ctx.now,
        actor_id=ctx.me.id,
        channel=ctx.account.channel,
        entity="needs_analysis",
        entity_id=row.id,
        action="needs.confirmed",
        detail={"adjusted": changed},
    )
    text = await _result_text(ctx, row, framework)
    await push(
        ctx.session,
        employee.id,
        Reply(
            T(f"{ctx.me.name} telah mengonfirmasi. ", f"{ctx.me.name} confirmed it. ") + text,
            sensitive=True,
        ),
        now=ctx.now,
        key=f"needs.confirmed:{row.id}",
    )
    gaps = needs.row_gaps(row, framework)
    return [
        Reply(
            T(
                f"✅ Analisis kebutuhan {employee.name} dikonfirmasi: {len(gaps)} kesenjangan. "
                f"{_first(employee.name)} sudah diberi tahu.",
                f"✅ {employee.name}'s needs analysis is confirmed: {len(gaps)} gaps. "
                f"{_first(employee.name)} has been told.",
            )
        )
    ]


async def team_needs(ctx: Context) -> list[Reply]:
    """ "kebutuhan tim": each member's analysis, gaps and JP, and the team's common gaps."""
    framework = needs.load_framework()
    members = await subtree(ctx.session, ctx.me.id)
    if not members and ctx.me.has_role("hr_admin"):
        return [await _city_needs(ctx)]
    if not members:
        return [
            Reply(
                T(
                    "Belum ada anggota tim yang tercatat di bawah Anda.",
                    "No team members are recorded under you yet.",
                )
            )
        ]
    year = local_day(ctx.me, ctx.now).year
    rows = await needs.analyses(ctx.session, [m.id for m in members], year)
    progress = await year_progress(ctx.session, [m.id for m in members], year)
    settings = ctx.deps.settings
    lines = [T(f"🧭 Kebutuhan kompetensi tim {year}", f"🧭 Team competency needs {year}")]
    buttons = []
    order = {needs.SUBMITTED: 0, needs.DRAFT: 1, needs.CONFIRMED: 2}
    ranked = sorted(
        members,
        key=lambda m: (order.get(rows[m.id].status, 1) if m.id in rows else 1, m.name),
    )
    for member in ranked[:MAX_TEAM_LINES]:
        row = rows.get(member.id)
        jp = progress[member.id].jp(settings)
        jp_text = T(f" · {jp:.1f} JP".replace(".", ","), f" · {jp:.1f} JP")
        if row is None or row.status == needs.DRAFT:
            state = T("belum mengisi AKPK", "needs analysis not done")
        elif row.status == needs.SUBMITTED:
            state = T("menunggu konfirmasi", "waiting for confirmation")
            if row.supervisor_id == ctx.me.id and len(buttons) < 8:
                buttons.append(
                    await ctx.button(
                        T(f"📋 Tinjau {_first(member.name)}", f"📋 Review {_first(member.name)}"),
                        REVIEW,
                        {"a": row.id},
                    )
                )
        else:
            gaps = needs.row_gaps(row, framework)
            if gaps:
                names_id = ", ".join(f"{g.competency.title.id} ({g.size})" for g in gaps[:3])
                names_en = ", ".join(f"{g.competency.title.en} ({g.size})" for g in gaps[:3])
                state = T(f"kesenjangan: {names_id}", f"gaps: {names_en}")
            else:
                state = T("tanpa kesenjangan", "no gaps")
        lines.append(T(f"• {member.name}: ", f"• {member.name}: ") + state + jp_text)
    if len(ranked) > MAX_TEAM_LINES:
        more = len(ranked) - MAX_TEAM_LINES
        lines.append(T(f"… dan {more} orang lainnya.", f"… and {more} more."))
    common = needs.count_gaps(rows.values(), framework)[:3]
    if common:
        lines.append(
            T("Kesenjangan paling umum: ", "Most common gaps: ")
            + join(
                [
                    T(f"{c.title.id} ({c.employees})", f"{c.title.en} ({c.employees})")
                    for c in common
                ],
                sep=", ",
            )
        )
    done = sum(1 for r in rows.values() if r.status == needs.CONFIRMED)
    lines.append(
        T(
            f"{done} dari {len(members)} orang sudah dikonfirmasi.",
            f"{done} of {len(members)} people are confirmed.",
        )
    )
    return [Reply(join(lines), tuple(buttons), sensitive=True)]


async def _city_needs(ctx: Context) -> Reply:
    """An HR officer's view: the whole city's most common confirmed gaps, for planning."""
    year = local_day(ctx.me, ctx.now).year
    found = await needs.city_gaps(ctx.session, year)
    counts = found["analyses"]
    lines = [
        T(
            f"🏙️ Kesenjangan kompetensi paling umum {year} (seluruh OPD)",
            f"🏙️ Most common competency gaps {year} (every OPD)",
        )
    ]
    for gap in found["gaps"][:MAX_CITY_GAPS]:
        average = f"{gap['average_gap']:.1f}"
        lines.append(
            T(
                f"• {gap['title']}: {gap['employees']} pegawai, rata-rata kurang "
                f"{average.replace('.', ',')}",
                f"• {gap['title_en']}: {gap['employees']} employees, {average} short on average",
            )
        )
    lines.append(
        T(
            f"AKPK: {counts['confirmed']} dikonfirmasi, {counts['submitted']} menunggu atasan, "
            f"{counts['draft']} belum selesai. Rincian: ayo learning gaps.",
            f"Needs analyses: {counts['confirmed']} confirmed, {counts['submitted']} waiting "
            f"for supervisors, {counts['draft']} unfinished. Details: ayo learning gaps.",
        )
    )
    return Reply(join(lines))


async def proposal(ctx: Context) -> list[Reply]:
    """ "usul pelatihan" opens the proposal form; "saya sudah ikut kursus, ini sertifikatnya"
    is finished learning to record instead (bot/handlers/learning_records.py)."""
    from bot.handlers import learning_records

    if learning_records.wants_record(ctx.inbound.text or "", proposing=True):
        return await learning_records.start(ctx)
    return await run_service_intent(ctx)


INTENTS: dict[str, Handler] = {
    "needs.start": start,
    "team.needs": team_needs,
    # The proposal is a service form (integrations/services/usulan_pengembangan.yaml).
    "development.proposal": proposal,
}
ACTIONS: dict[str, ActionHandler] = {
    RATE: press_rate,
    SUBMIT: press_submit,
    REDO: press_redo,
    CONFIRM: press_confirm,
    ADJUST: press_adjust,
    PICK: press_pick,
    SET: press_set,
    REVIEW: press_review,
}
EXPECTS: dict[str, ExpectHandler] = {NeedsRating.KIND: typed_rating}
