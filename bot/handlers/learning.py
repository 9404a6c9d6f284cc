"""Learning in the chat: today's lesson, quiz answers, progress, reminders, leaderboard, team."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.context import Context
from bot.handlers.registry import ActionHandler, ExpectHandler, Handler
from bot.state import ReminderTime
from core.messages import Button, Reply
from core.outbox import push
from core.storage.models import Employee, LearningDay, OutboxItem
from core.text import T, join
from intents import extract_entities
from lessons import messages as msg
from lessons import reminders
from lessons.catalog import Question
from lessons.flow import answer_replies, local_day, plan_replies, today_plan
from lessons.jp import is_ceiling, project, target_for
from lessons.leaderboard import weekly_board
from lessons.progress import year_progress
from lessons.quiz import current_streak, prefs_for, question_at
from lessons.summary import board_text, progress_text, team_line
from lessons.team import is_under, standings, subtree

MAX_TEAM_LINES = 25  # a head of an OPD has hundreds under them: the most behind come first
MAX_NUDGES = 8  # buttons a channel can still show (WhatsApp lists hold 10 rows)


def _maker(ctx: Context) -> msg.MakeButton:
    async def make(label: T, action: str, payload: dict[str, Any], group: str | None) -> Button:
        return await ctx.button(label, action, payload, group=group)

    return make


async def lesson_today(ctx: Context) -> list[Reply]:
    plan = await today_plan(ctx.session, ctx.me, ctx.now)
    return await plan_replies(ctx.session, plan, _maker(ctx))


async def quiz_start(ctx: Context) -> list[Reply]:
    plan = await today_plan(ctx.session, ctx.me, ctx.now)
    return await plan_replies(ctx.session, plan, _maker(ctx), with_lesson=False)


async def _plan_of(ctx: Context, payload: dict[str, Any]) -> LearningDay | None:
    try:
        day = date.fromisoformat(str(payload.get("d")))
    except ValueError:
        return None
    return await ctx.session.get(LearningDay, (ctx.me.id, day), with_for_update=True)


async def _grade(
    ctx: Context, plan: LearningDay, question_id: str, choice: list[int]
) -> list[Reply]:
    return await answer_replies(
        ctx.session,
        employee=ctx.me,
        plan=plan,
        question_id=question_id,
        choice=choice,
        now=ctx.now,
        settings=ctx.deps.settings,
        calendar=ctx.deps.calendar,
        make=_maker(ctx),
    )


async def quiz_answer(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    plan = await _plan_of(ctx, payload)
    if plan is None:
        return [Reply(msg.ALREADY_ANSWERED)]
    return await _grade(ctx, plan, str(payload.get("q")), [int(payload.get("i", -1))])


async def _show_question(ctx: Context, plan: LearningDay, question: Question) -> Reply:
    number, total = plan.answered + 1, len(plan.question_ids)
    return await msg.question_reply(
        question, number, total, plan.day, _maker(ctx), plan.picked or ()
    )


async def quiz_pick(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    """Toggle one option of a multi-answer question and show the question with the picks."""
    plan = await _plan_of(ctx, payload)
    question = await question_at(ctx.session, plan) if plan is not None else None
    if plan is None or question is None or question.id != payload.get("q"):
        return [Reply(msg.ALREADY_ANSWERED)]
    i = int(payload.get("i", -1))
    if 0 <= i < len(question.options):
        plan.picked = sorted(set(plan.picked or ()) ^ {i})
    return [await _show_question(ctx, plan, question)]


async def quiz_submit(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    plan = await _plan_of(ctx, payload)
    if plan is None:
        return [Reply(msg.ALREADY_ANSWERED)]
    if not plan.picked:
        question = await question_at(ctx.session, plan)
        if question is None or question.id != payload.get("q"):
            return [Reply(msg.ALREADY_ANSWERED)]
        text = T("Pilih minimal satu jawaban dulu.", "Pick at least one answer first.")
        return [Reply(text), await _show_question(ctx, plan, question)]
    return await _grade(ctx, plan, str(payload.get("q")), list(plan.picked))


async def quiz_next(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    plan = await _plan_of(ctx, payload)
    if plan is None:
        return await lesson_today(ctx)
    return await plan_replies(ctx.session, plan, _maker(ctx), with_lesson=False)


async def learning_progress(ctx: Context) -> list[Reply]:
    """The year's verified JP per type and source against the target, with a button to record
    learning outside Ayo ("catat pelatihan" typed here starts that record instead)."""
    from bot.handlers import learning_records

    if learning_records.wants_record(ctx.inbound.text or ""):
        return await learning_records.start(ctx)
    today = local_day(ctx.me, ctx.now)
    progress = (await year_progress(ctx.session, [ctx.me.id], today.year))[ctx.me.id]
    settings = ctx.deps.settings
    target = target_for(ctx.me.employment, settings)
    projection = project(
        progress.jp(settings),
        target,
        today,
        ctx.deps.calendar,
        ceiling=is_ceiling(ctx.me.employment),
    )
    streak = await current_streak(ctx.session, ctx.me.id, today, ctx.deps.calendar)
    record = await ctx.button(
        T("📝 Catat pelatihan/kursus", "📝 Record a training/course"), learning_records.START
    )
    text = progress_text(today.year, progress, projection, streak, settings)
    return [Reply(text, (record,))]


async def reminder_time(ctx: Context) -> list[Reply]:
    """'ingatkan belajar jam 7 pagi' sets the time; without a time, ask for one."""
    found = getattr(getattr(ctx.match, "entities", None), "time", None)
    when = found or reminders.find_clock(ctx.inbound.text or "")
    if when is None:
        ctx.state.awaiting = ReminderTime()
        return [Reply(reminders.ASK)]
    problem = reminders.problem_with(when)
    if problem is not None:
        ctx.state.awaiting = ReminderTime()
        return [Reply(problem)]
    return await _set_time(ctx, when)


async def reminder_time_answer(ctx: Context, text: str) -> list[Reply]:
    """The answer to "what time?": a friendly hint until it is a usable time (or batal)."""
    when = extract_entities(text, ctx.now, str(ctx.tz)).time or reminders.read_time(text)
    problem = reminders.problem_with(when)
    if problem is not None or when is None:
        return [Reply(problem or reminders.UNREADABLE)]
    ctx.state.take(ReminderTime)
    return await _set_time(ctx, when)


async def _set_time(ctx: Context, when: time) -> list[Reply]:
    prefs = await prefs_for(ctx.session, ctx.me.id, ctx.now)
    prefs.reminder_time = f"{when:%H:%M}"
    prefs.paused = False
    prefs.updated_at = ctx.now
    hhmm = prefs.reminder_time
    return [
        Reply(
            T(
                f"Baik, pelajaran akan dikirim setiap hari kerja pukul {hhmm}.",
                f"OK, lessons will come every working day at {hhmm}.",
            )
        )
    ]


# A setting changes only from a message that names it (or a button): a lone "kirim" or
# "lanjut" belongs to another flow and must not silently turn reminders on or off.
_SAYS_REMINDER = re.compile(
    r"\b(?:pengingat\w*|reminder\w*|notif\w*|pemberitahuan|materi harian|belajar harian|"
    r"lessons?|pelajaran\w*|materi\w*|kuis|quiz\w*|belajar\w*)\b"
)
_SAYS_SWITCH = re.compile(
    r"\b(?:matikan|mati\w*|stop|berhenti\w*|jeda\w*|pause\w*|off|nonaktif\w*|libur\w*|"
    r"cuti|sibuk|snooze|suspend|silence|no more|break|aktif\w*|nyala\w*|hidup\w*|on|"
    r"resume|lanjut\w*|mulai|turn|kirim\w*|balik)\b"
)


def _says_setting(ctx: Context) -> bool:
    """True when the typed words name the reminder setting; a button press always counts."""
    if ctx.inbound.button is not None:
        return True
    folded = (ctx.inbound.text or "").casefold()
    return bool(_SAYS_REMINDER.search(folded) and _SAYS_SWITCH.search(folded))


async def _confirm_setting(ctx: Context, on: bool) -> list[Reply]:
    group = ctx.new_button_group()
    label = (
        T("Nyalakan pengingat", "Turn reminders on")
        if on
        else T("Matikan pengingat", "Turn reminders off")
    )
    buttons = (
        await ctx.button(label, "learning.setting", {"on": on}, group=group),
        await ctx.button(T("Menu", "Menu"), "intent.pick", {"intent": "menu"}, group=group),
    )
    question = (
        T("Maksud Anda menyalakan pengingat belajar?", "Do you mean turn learning reminders on?")
        if on
        else T(
            "Maksud Anda mematikan pengingat belajar?", "Do you mean turn learning reminders off?"
        )
    )
    return [Reply(question, buttons)]


async def press_setting(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    return await (_resume(ctx) if payload.get("on") else _pause(ctx))


async def pause(ctx: Context) -> list[Reply]:
    if not _says_setting(ctx):
        return await _confirm_setting(ctx, on=False)
    return await _pause(ctx)


async def _pause(ctx: Context) -> list[Reply]:
    prefs = await prefs_for(ctx.session, ctx.me.id, ctx.now)
    prefs.paused, prefs.updated_at = True, ctx.now
    return [
        Reply(
            T(
                'Pengingat belajar dimatikan. Ketik "nyalakan pengingat" untuk menyalakannya '
                'lagi; "belajar" tetap bisa kapan saja.',
                'Learning reminders are off. Type "turn reminders on" to turn them on again; '
                '"learn" still works any time.',
            )
        )
    ]


async def resume(ctx: Context) -> list[Reply]:
    if not _says_setting(ctx):
        return await _confirm_setting(ctx, on=True)
    return await _resume(ctx)


async def _resume(ctx: Context) -> list[Reply]:
    prefs = await prefs_for(ctx.session, ctx.me.id, ctx.now)
    prefs.paused, prefs.updated_at = False, ctx.now
    hhmm = prefs.reminder_time or ctx.deps.settings.lesson_default_time
    return [
        Reply(
            T(
                f"Pengingat belajar menyala lagi, setiap hari kerja pukul {hhmm}.",
                f"Learning reminders are on again, every working day at {hhmm}.",
            )
        )
    ]


async def leaderboard(ctx: Context) -> list[Reply]:
    board = await weekly_board(ctx.session, ctx.me, local_day(ctx.me, ctx.now))
    prefs = await prefs_for(ctx.session, ctx.me.id, ctx.now)
    if prefs.leaderboard_opt_out:
        label = T("Tampilkan nama saya", "Show my name")
    else:
        label = T("Sembunyikan nama saya", "Hide my name")
    toggle = await ctx.button(label, "leaderboard.optout", {"hide": not prefs.leaderboard_opt_out})
    return [Reply(board_text(board, local_day(ctx.me, ctx.now)), (toggle,))]


async def leaderboard_optout(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    prefs = await prefs_for(ctx.session, ctx.me.id, ctx.now)
    prefs.leaderboard_opt_out, prefs.updated_at = bool(payload.get("hide")), ctx.now
    if prefs.leaderboard_opt_out:
        return [
            Reply(
                T(
                    "Nama Anda tidak akan tampil di papan peringkat.",
                    "Your name will not appear on the leaderboard.",
                )
            )
        ]
    return [
        Reply(
            T(
                "Nama Anda akan tampil di papan peringkat.",
                "Your name will appear on the leaderboard.",
            )
        )
    ]


NOT_YOUR_TEAM = T(
    "Maaf, pegawai ini bukan anggota tim Anda.", "Sorry, this employee is not in your team."
)


async def team_progress(ctx: Context) -> list[Reply]:
    """Everyone under the supervisor (the whole subtree), the most behind first."""
    members = await subtree(ctx.session, ctx.me.id)
    if not members:
        return [
            Reply(
                T(
                    "Belum ada anggota tim yang tercatat di bawah Anda.",
                    "No team members are recorded under you yet.",
                )
            )
        ]
    today = local_day(ctx.me, ctx.now)
    ranked = await standings(ctx.session, members, today, ctx.deps.settings, ctx.deps.calendar)
    names = {m.id: m.name.split()[0] for m in members}
    lines = [T(f"👥 Progres belajar tim {today.year}", f"👥 Team learning progress {today.year}")]
    buttons = []
    for standing in ranked[:MAX_TEAM_LINES]:
        member = standing.employee
        via = None if member.supervisor_id == ctx.me.id else names.get(member.supervisor_id or 0)
        lines.append(team_line(standing, via))
        if not standing.projection.on_track and len(buttons) < MAX_NUDGES:
            first = member.name.split()[0]
            # Each nudge button is its own: nudging one person leaves the others pressable.
            buttons.append(
                await ctx.button(
                    T(f"🔔 Ingatkan {first}", f"🔔 Nudge {first}"), "team.nudge", {"e": member.id}
                )
            )
    if len(ranked) > MAX_TEAM_LINES:
        more = len(ranked) - MAX_TEAM_LINES
        lines.append(T(f"… dan {more} orang lainnya.", f"… and {more} more."))
    behind = sum(not s.projection.on_track for s in ranked)
    lines.append(
        T(
            f"{behind} dari {len(ranked)} orang belum sesuai jalur untuk target akhir tahun.",
            f"{behind} of {len(ranked)} people are not on track for the year-end target.",
        )
    )
    return [Reply(join(lines), tuple(buttons), sensitive=True)]


def _already_nudged(member: Employee) -> T:
    return T(
        f"{member.name} sudah diingatkan hari ini. Satu pengingat sehari sudah cukup.",
        f"{member.name} was already reminded today. One reminder a day is enough.",
    )


async def team_nudge(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    """A friendly push to a team member who is behind; at most one a day per member."""
    member = await ctx.session.get(Employee, int(payload.get("e", 0)))
    if member is None or not await is_under(ctx.session, member.id, ctx.me.id):
        return [Reply(NOT_YOUR_TEAM)]
    key = f"team.nudge:{member.id}:{local_day(member, ctx.now)}"
    sent = select(OutboxItem.id).where(OutboxItem.idempotency_key == key)
    if (await ctx.session.execute(sent)).first() is not None:
        return [Reply(_already_nudged(member))]
    boss = ctx.me.name.split()[0]
    text = T(
        f"👋 Halo! {boss} mengingatkan: yuk luangkan 5 menit belajar hari ini agar target JP "
        'tahun ini tercapai. Ketik "belajar" untuk mulai.',
        f"👋 Hi! {boss} reminds you: take 5 minutes to learn today to reach this year's JP "
        'target. Type "learn" to start.',
    )
    try:
        # Two supervisors may nudge at the same moment: the unique key lets one win.
        async with ctx.session.begin_nested():
            await push(ctx.session, member.id, Reply(text), now=ctx.now, key=key)
    except IntegrityError:
        return [Reply(_already_nudged(member))]
    return [Reply(T(f"Pengingat terkirim ke {member.name}.", f"Reminder sent to {member.name}."))]


INTENTS: dict[str, Handler] = {
    "lesson.today": lesson_today,
    "quiz.start": quiz_start,
    "learning.progress": learning_progress,
    "learning.reminder_time": reminder_time,
    "learning.pause": pause,
    "learning.resume": resume,
    "leaderboard.show": leaderboard,
    "team.progress": team_progress,
}
ACTIONS: dict[str, ActionHandler] = {
    msg.ANSWER: quiz_answer,
    msg.PICK: quiz_pick,
    msg.SUBMIT: quiz_submit,
    msg.NEXT: quiz_next,
    "leaderboard.optout": leaderboard_optout,
    "team.nudge": team_nudge,
    "learning.setting": press_setting,
}
EXPECTS: dict[str, ExpectHandler] = {ReminderTime.KIND: reminder_time_answer}
