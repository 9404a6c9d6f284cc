"""One step of a conversation: button token, awaited answer, global command, or intent."""

from __future__ import annotations

import logging
import re
from typing import Any

from bot import handlers
from bot.context import Context
from bot.handlers import handoff
from bot.handlers.general import intent_buttons, show_help, show_menu
from core import tokens
from core.messages import Reply
from core.text import T

log = logging.getLogger(__name__)

CANCEL_WORDS = frozenset({"batal", "cancel", "/cancel", "stop", "batalkan"})
MENU_WORDS = frozenset({"menu", "/menu", "/start", "mulai"})
HELP_WORDS = frozenset({"bantuan", "help", "/help", "tolong"})
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


async def step(ctx: Context) -> list[Reply]:
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
    word = text.casefold().strip(" .!?")
    if word in CANCEL_WORDS:
        return cancel(ctx)
    expect = ctx.state.get("expect")
    if expect is not None:
        handler = handlers.EXPECTS.get(expect.get("kind", ""))
        if handler is not None:
            return await handler(ctx, text)
        ctx.state.clear("expect")
    if word in MENU_WORDS:
        return await show_menu(ctx)
    if word in HELP_WORDS:
        return await show_help(ctx)
    return await route_text(ctx, text)


def cancel(ctx: Context) -> list[Reply]:
    had = ctx.state.get("expect") is not None
    ctx.state.clear("expect", "form", "misses")
    if had:
        return [
            Reply(
                T(
                    "Baik, dibatalkan. Ketik menu untuk pilihan lain.",
                    "OK, cancelled. Type menu for other options.",
                )
            )
        ]
    return [
        Reply(
            T(
                "Tidak ada yang sedang berjalan. Ketik menu untuk pilihan.",
                "Nothing is in progress. Type menu for options.",
            )
        )
    ]


async def press_button(ctx: Context, token: str) -> list[Reply]:
    pressed = await tokens.press(ctx.session, token, employee_id=ctx.me.id, now=ctx.now)
    if isinstance(pressed, tokens.Refusal):
        from integrations.audit import record

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
    handler = handlers.ACTIONS.get(pressed.action)
    if handler is None:
        return [Reply(REFUSALS[tokens.Refusal.UNKNOWN])]
    return await handler(ctx, pressed.payload)


async def route_text(ctx: Context, text: str) -> list[Reply]:
    router = ctx.deps.router
    match = router.classify(text, now=ctx.now, tz=str(ctx.tz))
    ctx.match = match
    log.info(
        "inbox %s: %s %s %.2f", ctx.inbox_id, match.kind.value, match.intent, match.confidence
    )
    if match.kind.value == "full" and match.intent is not None:
        ctx.state.clear("misses")
        return await run_intent(ctx, match.intent, text, match=match)
    return await not_understood(ctx, text, [s.intent for s in match.suggestions][:3])


async def not_understood(ctx: Context, text: str, suggestions: list[str]) -> list[Reply]:
    from bot.unknown import remember

    await remember(ctx.session, text, ctx.now)
    misses = int(ctx.state.get("misses", 0)) + 1
    ctx.state.set("misses", misses)
    allowed = [s for s in suggestions if allowed_for(ctx, s)]
    if misses >= 2:
        ctx.state.clear("misses")
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


async def run_intent(ctx: Context, intent: str, text: str, match: Any = None) -> list[Reply]:
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
    handler = handlers.INTENT_HANDLERS.get(intent)
    if handler is None:
        return [Reply(NOT_AVAILABLE)]
    ctx.state.set("last_intent", intent)
    return await handler(ctx)
