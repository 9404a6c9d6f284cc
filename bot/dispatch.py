"""One step of a conversation: button token, awaited answer, global command, or intent."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from bot.context import Context
from bot.handlers import commands, faq, handoff, tables
from bot.handlers.general import intent_buttons
from bot.handlers.registry import Answer, Fetch, Redirect, Result, Unhandled
from core import tokens
from core.messages import Reply
from core.text import T
from intents import cues
from intents.normalize import normalize

log = logging.getLogger(__name__)

# The longest text a handler sees; the rest of a pasted essay is dropped, not the message.
MAX_TEXT = 1000

REFUSALS: dict[tokens.Refusal, T] = {
    tokens.Refusal.UNKNOWN: T(
        "Tombol ini tidak dikenali. Ketik menu untuk memulai lagi.",
        "This button is not recognised. Type menu to start again.",
    ),
    tokens.Refusal.NOT_YOURS: T(
        "Maaf, tombol ini bukan untuk Anda.", "Sorry, this button is not meant for you."
    ),
    tokens.Refusal.EXPIRED: T(
        "Tombol ini sudah kedaluwarsa. Ketik menu untuk memulai lagi.",
        "This button has expired. Type menu to start again.",
    ),
    tokens.Refusal.USED: T(
        "Tombol ini sudah dipakai sebelumnya.", "This button has already been used."
    ),
}

NOT_UNDERSTOOD = T("Maaf, saya belum mengerti maksud Anda.", "Sorry, I did not understand that.")
DID_YOU_MEAN = T("Maksud Anda salah satu ini?", "Did you mean one of these?")
SECOND_MISS = T(
    'Maaf, saya masih belum mengerti. Coba tulis dengan kata lain, misalnya "cuti besok 2 '
    'hari", atau bicara dengan petugas.',
    'Sorry, I still do not understand. Try other words, for example "leave tomorrow for 2 '
    'days", or talk to a person.',
)
NOT_ALLOWED = T("Maaf, fitur ini hanya untuk {who}.", "Sorry, this feature is only for {who}.")
ROLE_NAMES = {
    "supervisor": ("atasan", "supervisors"),
    "hr_admin": ("admin kepegawaian", "HR administrators"),
}
NOT_AVAILABLE = T(
    "Fitur ini belum tersedia. Ketik menu untuk pilihan lain.",
    "This feature is not available yet. Type menu for other options.",
)


def clean_text(text: str) -> str:
    """Collapse whitespace and cap length; what a handler may safely store and echo."""
    return re.sub(r"\s+", " ", text).strip()[:MAX_TEXT]


# What a step comes to: the replies, or a backend query the engine makes between transactions.
Outcome = list[Reply] | Fetch


async def step(ctx: Context) -> Outcome:
    """Route one inbound update of a linked chat to the handler that owns it."""
    inbound = ctx.inbound
    if inbound.button is not None:
        return await press_button(ctx, inbound.button)
    if inbound.meta.get("file"):
        from bot.handlers.documents import received

        return await received(ctx, inbound.meta["file"])
    text = clean_text(inbound.text or "")
    if not text:
        return [
            Reply(
                T(
                    "Maaf, saya hanya bisa membaca pesan teks.",
                    "Sorry, I can only read text messages.",
                )
            )
        ]
    # An open handoff case owns the chat (the bot steps back until "kembali ke bot").
    handed = await handoff.intercept(ctx, text)
    if handed is not None:
        return handed
    # Global commands come first, decided by the whole message, at every point.
    command = commands.match(text)
    if command is not None:
        return await command(ctx)
    awaiting = ctx.state.awaiting
    if awaiting is not None:
        handler = tables.EXPECTS.get(awaiting.kind)
        if handler is not None:
            return await follow(ctx, await handler(ctx, text), text)
        ctx.state.awaiting = None
    return await route_text(ctx, text)


async def press_button(ctx: Context, token: str) -> Outcome:
    pressed = await tokens.press(ctx.session, token, employee_id=ctx.me.id, now=ctx.now)
    if isinstance(pressed, tokens.Refusal):
        from core.audit import record

        log.warning("button refused: %s (inbox %s)", pressed.value, ctx.inbox_id)
        record(
            ctx.session,
            now=ctx.now,
            actor_id=ctx.me.id,
            channel=ctx.account.channel,
            entity="button",
            entity_id=None,
            action=f"refused.{pressed.value}",
            detail={"token_length": len(token)},
        )
        return [Reply(REFUSALS[pressed])]
    handler = tables.ACTIONS.get(pressed.action)
    if handler is None:
        return [Reply(REFUSALS[tokens.Refusal.UNKNOWN])]
    return await follow(ctx, await handler(ctx, pressed.payload), "")


# Small talk that needs no action: with a real request beside it, the request is answered.
CONVERSATIONAL = frozenset({"thanks", "greeting", "help", "menu"})
# Read-only answers safe to give beside another request ("Sekalian: sisa cuti Anda …").
ALONGSIDE = frozenset({"leave.balance", "request.status", "learning.progress"})
# What a lone date is most likely for; asked instead of guessing.
DATE_INTENTS = ("leave.request", "permit.request", "room.booking", "vehicle.booking")
ALSO = T("Sekalian: ", "Also: ")


async def route_text(ctx: Context, text: str) -> Outcome:
    router = ctx.deps.router
    norm = normalize(text)
    if cues.only_dates(norm):
        return await ask_what_for_date(ctx, text)
    answered = await faq.answer(ctx, text)
    if answered is not None:
        return answered
    parts = cues.clauses(norm)
    if len(parts) > 1:
        replies = await route_parts(ctx, text, parts)
        if replies is not None:
            return replies
    match = router.classify(text, now=ctx.now, tz=str(ctx.tz))
    ctx.match = match
    log.info(
        "inbox %s: %s %s %.2f", ctx.inbox_id, match.kind.value, match.intent, match.confidence
    )
    if match.kind.value == "full" and match.intent is not None:
        ctx.state.misses = 0
        return await run_intent(ctx, match.intent, text, match=match)
    return await not_understood(ctx, text, [s.intent for s in match.suggestions][:3])


async def route_parts(ctx: Context, text: str, parts: list[str]) -> Outcome | None:
    """Two requests in one message: serve the one that needs an action, offer the other."""
    router = ctx.deps.router
    found = []
    for part in parts:
        m = router.classify(part, now=ctx.now, tz=str(ctx.tz))
        useful = m.kind.value == "full" and m.intent not in (None, *CONVERSATIONAL)
        if useful and all(m.intent != f.intent for f in found):
            found.append(m)
    if not found:
        return None
    # A form or a change outranks a read-only answer; the read-only one rides along.
    found.sort(key=lambda m: m.intent in ALONGSIDE)
    first, rest = found[0], found[1:]
    log.info("inbox %s: %s requests, first %s", ctx.inbox_id, len(found), first.intent)
    ctx.state.misses = 0
    ctx.match = first
    served = await run_intent(ctx, first.intent, text, match=first)
    replies: list[Reply] = []
    for other in rest[:1]:
        if other.intent in ALONGSIDE and allowed_for(ctx, other.intent):
            ctx.match = other
            extra = await run_intent(ctx, other.intent, other.text, match=other)
            if not isinstance(extra, Fetch):
                replies += [replace(r, text=ALSO + r.text) for r in extra]
        else:
            buttons = await intent_buttons(ctx, [other.intent], other.text)
            replies.append(
                Reply(ALSO + T("ada permintaan lain?", "another request?"), tuple(buttons))
            )
    return then_also(served, replies)


def then_also(outcome: Outcome, more: list[Reply]) -> Outcome:
    """`more` after the outcome's replies, also when those come after a backend query."""
    if not more:
        return outcome
    if not isinstance(outcome, Fetch):
        return [*outcome, *more]

    async def then(ctx: Context, answer: Answer) -> list[Reply]:
        return [*await outcome.then(ctx, answer), *more]

    return replace(outcome, then=then)


async def ask_what_for_date(ctx: Context, text: str) -> list[Reply]:
    """A date with no request: ask what it is for, keeping the date for the chosen service."""
    allowed = [i for i in DATE_INTENTS if allowed_for(ctx, i)]
    buttons = await intent_buttons(ctx, allowed, text)
    return [
        Reply(
            T("Untuk tanggal itu, Anda ingin apa?", "What would you like for that date?"),
            tuple(buttons),
        )
    ]


async def not_understood(ctx: Context, text: str, suggestions: list[str]) -> list[Reply]:
    from bot.unknown import remember

    await remember(ctx.session, text, ctx.now)
    ctx.state.misses += 1
    allowed = [s for s in suggestions if allowed_for(ctx, s)]
    if ctx.state.misses >= 2:
        ctx.state.misses = 0
        buttons = await intent_buttons(ctx, ["human.handoff", "menu"])
        return [Reply(SECOND_MISS, tuple(buttons))]
    if allowed:
        buttons = await intent_buttons(ctx, allowed, text)
        return [Reply(NOT_UNDERSTOOD + T("\n", "\n") + DID_YOU_MEAN, tuple(buttons))]
    buttons = await intent_buttons(ctx, ["menu", "help"])
    return [
        Reply(
            NOT_UNDERSTOOD + T(" Ketik menu untuk pilihan.", " Type menu for options."),
            tuple(buttons),
        )
    ]


def allowed_for(ctx: Context, intent: str) -> bool:
    spec = ctx.deps.router.catalog.get(intent)
    roles = getattr(spec, "roles", None) or ("employee",)
    return any(role == "employee" or ctx.me.has_role(role) for role in roles)


async def run_intent(
    ctx: Context, intent: str, text: str, match: Any = None, hops: int = 0
) -> Outcome:
    """Run an intent's handler, after checking the employee's role allows it."""
    if not allowed_for(ctx, intent):
        spec = ctx.deps.router.catalog.get(intent)
        role = next(r for r in spec.roles if r != "employee")
        who = ROLE_NAMES.get(role, (role, role))
        return [Reply(T(NOT_ALLOWED.id.format(who=who[0]), NOT_ALLOWED.en.format(who=who[1])))]
    if match is None:
        match = ctx.deps.router.classify(text, now=ctx.now, tz=str(ctx.tz)) if text else None
        if match is not None:
            ctx.match = match
    handler = tables.INTENT_HANDLERS.get(intent)
    if handler is None:
        return [Reply(NOT_AVAILABLE)]
    # The handler reads which intent it serves (one handler may serve several: the forms).
    ctx.intent = intent
    return await follow(ctx, await handler(ctx), text, hops)


# A redirect may lead to another (a picked suggestion that opens a parked form): bounded.
MAX_REDIRECTS = 3


async def follow(ctx: Context, result: Result, text: str, hops: int = 0) -> Outcome:
    """Turn a handler's result into replies (its own, another intent's, or a fresh route's),
    or the backend query it asks the engine to make."""
    if isinstance(result, Redirect):
        if hops >= MAX_REDIRECTS:
            log.warning("inbox %s: redirect loop at %s", ctx.inbox_id, result.intent)
            return [Reply(NOT_AVAILABLE)]
        return await run_intent(ctx, result.intent, result.text, hops=hops + 1)
    if isinstance(result, Unhandled):
        return await route_text(ctx, text)
    return result
