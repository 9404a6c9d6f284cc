"""Handing a conversation to a person: opening a case, the open case's chat, operators in chat.

While a case is open the employee's messages go to the case and the bot stays out, except for
"kembali ke bot" / batal. An operator who took a case from their own chat (the Ambil/Take
button) writes replies there; "tutup <catatan>" closes it.
"""

from __future__ import annotations

import re
from typing import Any

from bot.context import Context
from bot.handlers.registry import ActionHandler, Handler
from core.audit import record
from core.messages import Reply
from core.storage.models import HandoffCase, ServiceRequest
from core.text import T
from integrations.handoff import cases
from integrations.leave_rules import rules_employment

# Leave decided with a person goes to the staffing desk (the employee's OPD team, else BKPSDM).
REQUEST_TOPIC = "kepegawaian"

BACK_TO_BOT = frozenset(
    {
        "kembali ke bot",
        "kembali ke ayo",
        "back to bot",
        "back to ayo",
        "batal",
        "cancel",
        "/cancel",
    }
)
# Words that say which team the employee needs; without them the employee picks.
_HELPDESK = re.compile(
    r"\b(it|ti|helpdesk|komputer|laptop|printer|internet|wifi|jaringan|email|e-mail|password|"
    r"sandi|aplikasi|server|diskominfo|error)\b"
)
_KEPEGAWAIAN = re.compile(
    r"\b(kepegawaian|bkpsdm|bkd|cuti|gaji|tunjangan|pangkat|mutasi|pensiun|sdm|absen|absensi)\b"
)
CLOSE_COMMAND = re.compile(r"^(tutup|close|/tutup|/close)\b[\s:]*(.*)$", re.IGNORECASE | re.DOTALL)


def env_of(ctx: Context) -> cases.Env:
    return cases.Env(
        now=ctx.now,
        teams=ctx.deps.handoff,
        calendar=ctx.deps.calendar,
        tz=ctx.deps.settings.timezone,
        channel=ctx.account.channel,
    )


def guess_topic(text: str) -> str | None:
    folded = text.casefold()
    it, hr = bool(_HELPDESK.search(folded)), bool(_KEPEGAWAIAN.search(folded))
    if it != hr:
        return "helpdesk" if it else "kepegawaian"
    return None


async def _open(ctx: Context, topic: str, source: str) -> tuple[HandoffCase, Reply]:
    case, reply = await cases.open_case(
        ctx.session,
        env_of(ctx),
        employee=ctx.me,
        account=ctx.account,
        topic=topic,
        source=source,
    )
    ctx.state.form, ctx.state.awaiting, ctx.state.misses = None, None, 0
    return case, reply


async def open_for(ctx: Context, topic: str, source: str) -> Reply:
    """Open a case for the employee talking (every promise of a person ends here)."""
    return (await _open(ctx, topic, source))[1]


async def for_request(ctx: Context, request: ServiceRequest) -> Reply | None:
    """A request the rules decide with a person (a leave type `handled_by_human`: CLTN) also
    opens a case for the staffing desk, carrying the request's reference; the request keeps
    the case's. None when the request needs no person."""
    if request.kind is None or ctx.account.is_group:
        return None
    rules = ctx.deps.leave_rules
    day = request.start_date or ctx.local_now.date()
    kind = rules.version_for(day).leave_type(request.kind, rules_employment(ctx.me.employment))
    if kind is None or not kind.handled_by_human:
        return None
    case, reply = await _open(ctx, REQUEST_TOPIC, f"{cases.REQUEST_SOURCE}{request.ref}")
    request.data = {**request.data, "_handoff": case.ref}
    record(
        ctx.session,
        now=ctx.now,
        actor_id=ctx.me.id,
        channel=ctx.account.channel,
        entity="request",
        entity_id=request.id,
        action="handoff.opened",
        detail={"case": case.ref},
    )
    return reply


async def human_handoff(ctx: Context) -> list[Reply]:
    """ "Bicara dengan petugas": straight to the team the words name, else ask which."""
    if ctx.account.is_group:
        return [
            Reply(
                T(
                    "Untuk bicara dengan petugas, silakan chat saya secara pribadi.",
                    "To talk to a person, please message me privately.",
                )
            )
        ]
    topic = guess_topic(ctx.inbound.text or "")
    if topic is not None:
        return [await open_for(ctx, topic, "human.handoff")]
    teams = ctx.deps.handoff
    group = ctx.new_button_group()
    buttons = [
        await ctx.button(teams.topic_label(t), "handoff.open", {"topic": t}, group=group)
        for t in teams.topics
    ]
    return [
        Reply(
            T(
                "Baik, saya hubungkan Anda dengan petugas. Untuk urusan apa?",
                "All right, I will connect you with a person. What is it about?",
            ),
            tuple(buttons),
        )
    ]


async def pick_topic(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    topic = str(payload.get("topic", ""))
    if topic not in ctx.deps.handoff.topics:
        return [Reply(T("Pilihan tidak dikenali.", "Unknown choice."))]
    return [await open_for(ctx, topic, str(payload.get("source") or "human.handoff"))]


async def take_from_chat(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    case = await ctx.session.get(HandoffCase, int(payload["case"]), with_for_update=True)
    if case is None:
        return [Reply(T("Kasus tidak ditemukan.", "Case not found."))]
    try:
        await cases.take(ctx.session, env_of(ctx), case, ctx.me, via="chat")
    except cases.Refused as refused:
        return [Reply(refused.message)]
    ctx.state.operating = case.id
    return [
        Reply(
            T(
                f"Anda menangani kasus {case.ref}. Tulis balasan Anda di sini, saya teruskan ke "
                "pegawai. Ketik tutup <catatan> untuk menutup kasus, kembali ke bot untuk "
                "berhenti meneruskan (kasus tetap Anda tangani di back office).",
                f"You are handling case {case.ref}. Write your reply here and I will pass it on. "
                "Type close <note> to close the case, back to bot to stop relaying (the case "
                "stays yours in the back office).",
            )
        )
    ]


async def rate(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    case = await ctx.session.get(HandoffCase, int(payload["case"]), with_for_update=True)
    if case is None:
        return [Reply(T("Kasus tidak ditemukan.", "Case not found."))]
    try:
        thanks = await cases.rate(ctx.session, env_of(ctx), case, ctx.me, int(payload["score"]))
    except cases.Refused as refused:
        return [Reply(refused.message)]
    return [Reply(thanks)]


async def intercept(ctx: Context, text: str) -> list[Reply] | None:
    """The engine's hook for typed text: the open case's chat, or an operator relaying.

    None means the bot handles the message as usual.
    """
    word = text.casefold().strip(" .!?")
    operating = ctx.state.operating
    if operating is not None:
        return await _operator_text(ctx, operating, text, word)
    case = await cases.active_case(ctx.session, ctx.account.id)
    if case is None:
        return None
    if word in BACK_TO_BOT:
        return [Reply(await cases.leave_case(ctx.session, env_of(ctx), case))]
    await cases.employee_says(ctx.session, env_of(ctx), case, text)
    return []


async def _operator_text(ctx: Context, case_id: int, text: str, word: str) -> list[Reply] | None:
    case = await ctx.session.get(HandoffCase, case_id, with_for_update=True)
    if case is None or case.status != "taken" or case.operator_id != ctx.me.id:
        ctx.state.operating = None
        return None
    if word in BACK_TO_BOT:
        ctx.state.operating = None
        return [
            Reply(
                T(
                    f"Berhenti meneruskan {case.ref}. Kasus tetap Anda tangani di back office.",
                    f"Stopped relaying {case.ref}. The case stays yours in the back office.",
                )
            )
        ]
    env = env_of(ctx)
    closing = CLOSE_COMMAND.match(text.strip())
    try:
        if closing:
            await cases.close(ctx.session, env, case, ctx.me, closing.group(2))
            ctx.state.operating = None
            return [Reply(T(f"Kasus {case.ref} ditutup.", f"Case {case.ref} is closed."))]
        await cases.reply(ctx.session, env, case, ctx.me, text)
    except cases.Refused as refused:
        return [Reply(refused.message)]
    return [
        Reply(T(f"✓ Terkirim ke pegawai ({case.ref}).", f"✓ Sent to the employee ({case.ref})."))
    ]


INTENTS: dict[str, Handler] = {"human.handoff": human_handoff}
ACTIONS: dict[str, ActionHandler] = {
    "handoff.open": pick_topic,
    "handoff.take": take_from_chat,
    "handoff.rate": rate,
}
