"""Learning in the chat: today's lesson, quiz answers, progress, reminders, leaderboard, team."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from sqlalchemy import select

from bot.context import Context
from bot.handlers.registry import ActionHandler, ExpectHandler, Handler
from core.messages import Button, Reply
from core.outbox import push
from core.storage.models import Employee, LearningDay
from core.text import T, join
from lessons import messages as msg
from lessons.flow import answer_replies, local_day, plan_replies, today_plan
from lessons.jp import project, target_for
from lessons.leaderboard import weekly_board
from lessons.progress import year_progress
from lessons.quiz import current_streak, prefs_for, question_at
from lessons.records import option_label
from lessons.summary import board_text, progress_text

TIME_RE = re.compile(r"\b(\d{1,2})(?:[.:](\d{2}))?\b")


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


async def quiz_pick(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    plan = await _plan_of(ctx, payload)
    question = await question_at(ctx.session, plan) if plan is not None else None
    if plan is None or question is None or question.id != payload.get("q"):
        return [Reply(msg.ALREADY_ANSWERED)]
    plan.picked = sorted({*plan.picked, int(payload.get("i", -1))})
    chosen = join([option_label(question.options[i]) for i in plan.picked], ", ")
    text = (
        T("Dipilih: ", "Picked: ")
        + chosen
        + T(". Pilih yang lain atau tekan Kirim jawaban.", ". Pick more or press Send answer.")
    )
    return [Reply(text)]


async def quiz_submit(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    plan = await _plan_of(ctx, payload)
    if plan is None:
        return [Reply(msg.ALREADY_ANSWERED)]
    if not plan.picked:
        again = await ctx.button(T("✅ Kirim jawaban", "✅ Send answer"), msg.SUBMIT, payload)
        text = T("Pilih minimal satu jawaban dulu.", "Pick at least one answer first.")
        return [Reply(text, (again,))]
    return await _grade(ctx, plan, str(payload.get("q")), list(plan.picked))


async def quiz_next(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    plan = await _plan_of(ctx, payload)
    if plan is None:
        return await lesson_today(ctx)
    return await plan_replies(ctx.session, plan, _maker(ctx), with_lesson=False)


async def learning_progress(ctx: Context) -> list[Reply]:
    today = local_day(ctx.me, ctx.now)
    progress = (await year_progress(ctx.session, [ctx.me.id], today.year))[ctx.me.id]
    settings = ctx.deps.settings
    target = target_for(ctx.me.employment, settings)
    projection = project(progress.jp(settings), target, today, ctx.deps.calendar)
    streak = await current_streak(ctx.session, ctx.me.id, today, ctx.deps.calendar)
    return [Reply(progress_text(today.year, progress, projection, streak, settings))]


def _time_of(ctx: Context, text: str | None) -> time | None:
    entities = getattr(ctx.match, "entities", None)
    found = getattr(entities, "time", None)
    if found is not None:
        return found
    match = TIME_RE.search(text or "")
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    return time(hours, minutes) if hours < 24 and minutes < 60 else None


async def reminder_time(ctx: Context) -> list[Reply]:
    when = _time_of(ctx, ctx.inbound.text)
    if when is None:
        ctx.state.set("expect", {"kind": "learning.reminder_time"})
        return [
            Reply(
                T(
                    'Jam berapa Anda ingin diingatkan belajar? Contoh: "07.30".',
                    'What time should I remind you to learn? For example: "07:30".',
                )
            )
        ]
    return await _set_time(ctx, when)


async def reminder_time_answer(ctx: Context, text: str) -> list[Reply]:
    match = TIME_RE.search(text)
    hours, minutes = (int(match.group(1)), int(match.group(2) or 0)) if match else (99, 0)
    if hours >= 24 or minutes >= 60:
        return [
            Reply(
                T(
                    'Maaf, jamnya belum terbaca. Tulis seperti "07.30", atau batal.',
                    'Sorry, I could not read the time. Write it like "07:30", or cancel.',
                )
            )
        ]
    ctx.state.clear("expect")
    return await _set_time(ctx, time(hours, minutes))


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


async def pause(ctx: Context) -> list[Reply]:
    prefs = await prefs_for(ctx.session, ctx.me.id, ctx.now)
    prefs.paused, prefs.updated_at = True, ctx.now
    return [
        Reply(
            T(
                'Pengingat belajar dimatikan. Ketik "lanjut" untuk menyalakannya lagi; '
                '"belajar" tetap bisa kapan saja.',
                'Learning reminders are off. Type "resume" to turn them on again; '
                '"learn" still works any time.',
            )
        )
    ]


async def resume(ctx: Context) -> list[Reply]:
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


async def team_progress(ctx: Context) -> list[Reply]:
    team = list(
        (
            await ctx.session.execute(
                select(Employee)
                .where(Employee.supervisor_id == ctx.me.id, Employee.active.is_(True))
                .order_by(Employee.name)
            )
        ).scalars()
    )
    if not team:
        return [
            Reply(
                T(
                    "Belum ada anggota tim yang tercatat di bawah Anda.",
                    "No team members are recorded under you yet.",
                )
            )
        ]
    today = local_day(ctx.me, ctx.now)
    settings = ctx.deps.settings
    progress = await year_progress(ctx.session, [m.id for m in team], today.year)
    lines = [T(f"👥 Progres belajar tim {today.year}", f"👥 Team learning progress {today.year}")]
    buttons = []
    for member in team:
        target = target_for(member.employment, settings)
        p = project(progress[member.id].jp(settings), target, today, ctx.deps.calendar)
        mark = "✅" if p.on_track else "⚠️"
        lines.append(
            T(
                f"{mark} {member.name}: {p.jp:.1f}/{target:.0f} JP, proyeksi {p.projected:.1f}",
                f"{mark} {member.name}: {p.jp:.1f}/{target:.0f} JP, projected {p.projected:.1f}",
            )
        )
        if not p.on_track:
            first = member.name.split()[0]
            buttons.append(
                await ctx.button(
                    T(f"Kirim pengingat ke {first}", f"Nudge {first}"),
                    "team.nudge",
                    {"e": member.id},
                )
            )
    behind = len(buttons)
    lines.append(
        T(
            f"{behind} orang belum sesuai jalur untuk target akhir tahun.",
            f"{behind} people are not on track for the year-end target.",
        )
    )
    return [Reply(join(lines), tuple(buttons), sensitive=True)]


async def team_nudge(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    member = await ctx.session.get(Employee, int(payload.get("e", 0)))
    if member is None or member.supervisor_id != ctx.me.id:
        return [
            Reply(
                T(
                    "Maaf, pegawai ini bukan anggota tim Anda.",
                    "Sorry, this employee is not in your team.",
                )
            )
        ]
    today = local_day(ctx.me, ctx.now)
    boss = ctx.me.name.split()[0]
    text = T(
        f"👋 Halo! {boss} mengingatkan: yuk lanjutkan belajar 5 menit hari ini agar target JP "
        'tahun ini tercapai. Ketik "belajar" untuk mulai.',
        f"👋 Hi! {boss} reminds you: take 5 minutes to learn today to reach this year's JP "
        'target. Type "learn" to start.',
    )
    await push(
        ctx.session,
        member.id,
        Reply(text),
        now=ctx.now,
        key=f"team.nudge:{member.id}:{today}:{ctx.inbox_id}",
    )
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
}
EXPECTS: dict[str, ExpectHandler] = {"learning.reminder_time": reminder_time_answer}
