"""The approver's side: Setuju / Tolak (with a reason) / Minta info, and the pending list."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.handlers.registry import UNHANDLED, ActionHandler, ExpectHandler, Handler, Result
from bot.handlers.services import env_of
from bot.state import ApproverQuestion, InfoAnswer, OutcomeReason, RejectReason
from core.messages import Reply
from core.text import T
from integrations import approvals, leave_authority, prompts
from integrations.requests import count_pending_for, pending_for


def _refused(outcome: approvals.Outcome) -> list[Reply]:
    assert outcome.refused is not None
    return [Reply(approvals.REFUSED_TEXT[outcome.refused])]


async def press_approve(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    outcome = await approvals.decide(
        ctx.session, int(payload["step"]), actor_id=ctx.me.id, approve=True, env=env_of(ctx)
    )
    if not outcome.ok:
        return _refused(outcome)
    ref = outcome.request.ref if outcome.request else ""
    decided = T(f"✅ {ref} disetujui. Terima kasih.", f"✅ {ref} approved. Thank you.")
    if not outcome.final and outcome.request is not None and outcome.request.kind:
        decided = T(
            f"✅ {ref}: pertimbangan Anda (disetujui) diteruskan ke pejabat yang berwenang.",
            f"✅ {ref}: your consideration (approved) goes on to the authorised official.",
        )
    return [Reply(decided, replaces=f"approval:{int(payload['step'])}")]


async def press_reject(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    outcome, _ = await approvals.check(ctx.session, int(payload["step"]), ctx.me.id, env_of(ctx))
    if not outcome.ok:
        return _refused(outcome)
    ctx.state.awaiting = RejectReason(step=int(payload["step"]))
    back = await ctx.button(
        T("Kembali ke permohonan", "Back to the request"),
        "approval.show",
        {"step": int(payload["step"])},
        group=ctx.new_button_group(),
    )
    return [
        Reply(
            T(
                f"Tulis alasan penolakan {outcome.request.ref} (wajib).",
                f"Write the reason for rejecting {outcome.request.ref} (required).",
            ),
            (back,),
        )
    ]


async def press_other(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    """A leave step's other decisions (the form's PERUBAHAN / DITANGGUHKAN / TIDAK DISETUJUI),
    only those the regulation allows for this leave type; each asks for its reason next."""
    step_id = int(payload["step"])
    outcome, _ = await approvals.check(ctx.session, step_id, ctx.me.id, env_of(ctx))
    if not outcome.ok or outcome.request is None:
        return _refused(outcome)
    group = ctx.new_button_group()
    buttons = [
        await ctx.button(
            leave_authority.OUTCOME_TEXT[choice],
            "approval.outcome",
            {"step": step_id, "outcome": choice},
            group=group,
        )
        for choice in await leave_authority.outcomes_for(
            ctx.session, outcome.request, ctx.deps.leave_rules
        )
        if choice != leave_authority.SETUJU
    ]
    buttons.append(
        await ctx.button(
            T("Kembali ke permohonan", "Back to the request"),
            "approval.show",
            {"step": step_id},
            group=group,
        )
    )
    return [
        Reply(
            T(
                f"Keputusan untuk {outcome.request.ref}:",
                f"Decision on {outcome.request.ref}:",
            ),
            tuple(buttons),
        )
    ]


async def press_outcome(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    step_id, choice = int(payload["step"]), str(payload["outcome"])
    outcome, _ = await approvals.check(ctx.session, step_id, ctx.me.id, env_of(ctx))
    if not outcome.ok or outcome.request is None:
        return _refused(outcome)
    ctx.state.awaiting = OutcomeReason(step=step_id, outcome=choice)
    word = leave_authority.OUTCOME_TEXT[choice]
    return [
        Reply(
            T(
                f"{word.id} — tulis alasannya untuk {outcome.request.ref} (wajib).",
                f"{word.en} — write the reason for {outcome.request.ref} (required).",
            )
        )
    ]


async def outcome_reason_typed(ctx: Context, text: str) -> Result:
    awaited = ctx.state.take(OutcomeReason)
    if awaited is None:
        return UNHANDLED
    step_id, choice = awaited.step, awaited.outcome
    outcome = await approvals.decide(
        ctx.session,
        step_id,
        actor_id=ctx.me.id,
        approve=False,
        outcome=choice,
        reason=text,
        env=env_of(ctx),
    )
    if not outcome.ok:
        return _refused(outcome)
    ref = outcome.request.ref if outcome.request else ""
    word = leave_authority.OUTCOME_TEXT[choice]
    told = (
        T("Pemohon sudah diberi tahu.", "The requester has been told.")
        if outcome.final
        else T(
            "Pertimbangan Anda diteruskan ke pejabat yang berwenang.",
            "Your consideration goes on to the authorised official.",
        )
    )
    return [
        Reply(
            T(f"{ref}: {word.id}. ", f"{ref}: {word.en}. ") + told,
            replaces=f"approval:{step_id}",
        )
    ]


async def press_show(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    """Show a waiting request's prompt again, with fresh buttons (after Tolak was pressed)."""
    ctx.state.awaiting = None
    outcome, step = await approvals.check(
        ctx.session, int(payload["step"]), ctx.me.id, env_of(ctx)
    )
    if not outcome.ok or step is None or outcome.request is None:
        return _refused(outcome)
    env = env_of(ctx)
    reply = await prompts.prompt_reply(
        ctx.session,
        step,
        outcome.request,
        now=ctx.now,
        rules=env.rules,
        calendar=env.calendar,
        links=env.links,
    )
    return [reply]


async def reason_typed(ctx: Context, text: str) -> Result:
    awaited = ctx.state.take(RejectReason)
    if awaited is None:
        return UNHANDLED
    outcome = await approvals.decide(
        ctx.session,
        awaited.step,
        actor_id=ctx.me.id,
        approve=False,
        reason=text,
        env=env_of(ctx),
    )
    if not outcome.ok:
        return _refused(outcome)
    ref = outcome.request.ref if outcome.request else ""
    return [
        Reply(
            T(
                f"❌ {ref} ditolak. Pemohon sudah diberi tahu.",
                f"❌ {ref} rejected. The requester has been told.",
            ),
            replaces=f"approval:{awaited.step}",
        )
    ]


async def press_info(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    outcome, _ = await approvals.check(ctx.session, int(payload["step"]), ctx.me.id, env_of(ctx))
    if not outcome.ok:
        return _refused(outcome)
    ctx.state.awaiting = ApproverQuestion(step=int(payload["step"]))
    return [
        Reply(
            T(
                "Apa yang ingin Anda tanyakan ke pemohon?",
                "What would you like to ask the requester?",
            )
        )
    ]


async def question_typed(ctx: Context, text: str) -> Result:
    awaited = ctx.state.take(ApproverQuestion)
    if awaited is None:
        return UNHANDLED
    outcome = await approvals.ask_info(
        ctx.session, awaited.step, actor_id=ctx.me.id, question=text, env=env_of(ctx)
    )
    if not outcome.ok:
        return _refused(outcome)
    return [
        Reply(
            T(
                "Pertanyaan sudah dikirim ke pemohon. Jawabannya akan saya teruskan.",
                "Your question was sent to the requester. I will forward the answer.",
            )
        )
    ]


async def press_answer(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    ctx.state.awaiting = InfoAnswer(request=int(payload["request"]), step=int(payload["step"]))
    return [Reply(T("Silakan tulis jawaban Anda.", "Please write your answer."))]


async def answer_typed(ctx: Context, text: str) -> Result:
    awaited = ctx.state.take(InfoAnswer)
    if awaited is None:
        return UNHANDLED
    outcome = await approvals.answer_info(
        ctx.session,
        awaited.request,
        awaited.step,
        actor_id=ctx.me.id,
        answer=text,
        env=env_of(ctx),
    )
    if not outcome.ok:
        return _refused(outcome)
    return [
        Reply(
            T(
                "Terima kasih, jawaban Anda sudah diteruskan ke atasan.",
                "Thank you, your answer was forwarded to your approver.",
            )
        )
    ]


async def pending(ctx: Context) -> list[Reply]:
    """What waits for this supervisor (or for whom they act), oldest first, with buttons."""
    rows = await pending_for(ctx.session, ctx.me.id)
    if not rows:
        return [
            Reply(
                T(
                    "Tidak ada permohonan yang menunggu persetujuan Anda. 👍",
                    "Nothing is waiting for your approval. 👍",
                )
            )
        ]
    total = await count_pending_for(ctx.session, ctx.me.id)
    if total > len(rows):
        # The page holds the oldest ones; the count is the real one.
        heading = T(
            f"Ada {total} permohonan menunggu persetujuan Anda; {len(rows)} yang paling lama:",
            f"{total} requests are waiting for your approval; the {len(rows)} oldest:",
        )
    else:
        heading = T(
            f"Ada {total} permohonan menunggu persetujuan Anda:",
            f"{total} requests are waiting for your approval:",
        )
    replies = [Reply(heading)]
    env = env_of(ctx)
    for step, request in rows:
        replies.append(
            await prompts.prompt_reply(
                ctx.session,
                step,
                request,
                now=ctx.now,
                rules=env.rules,
                calendar=env.calendar,
                links=env.links,
                heading=T("Menunggu sejak ", "Waiting since ")
                + T(
                    f"{request.created_at.astimezone(ctx.tz):%d/%m %H:%M}",
                    f"{request.created_at.astimezone(ctx.tz):%d/%m %H:%M}",
                ),
            )
        )
    return replies


INTENTS: dict[str, Handler] = {"approval.pending": pending}
ACTIONS: dict[str, ActionHandler] = {
    "approval.approve": press_approve,
    "approval.reject": press_reject,
    "approval.info": press_info,
    "approval.show": press_show,
    "approval.other": press_other,
    "approval.outcome": press_outcome,
    "request.answer": press_answer,
}
EXPECTS: dict[str, ExpectHandler] = {
    RejectReason.KIND: reason_typed,
    OutcomeReason.KIND: outcome_reason_typed,
    ApproverQuestion.KIND: question_typed,
    InfoAnswer.KIND: answer_typed,
}
