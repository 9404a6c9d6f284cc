"""Help, menu, greetings, thanks, and the not-understood fallback."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.handlers.registry import ActionHandler, Handler, Redirect
from core.messages import Reply
from core.text import T

# The menu shows the things people do most; every entry is an intent id of the catalog.
MENU_INTENTS = (
    "leave.request",
    "permit.request",
    "leave.balance",
    "payslip.view",
    "helpdesk.ticket",
    "request.status",
    "lesson.today",
    "learning.progress",
)
SUPERVISOR_MENU = ("approval.pending", "team.progress")

HELP = T(
    "Saya Ayo, asisten layanan kepegawaian. Tulis saja keperluan Anda, misalnya:\n"
    "• mau cuti tahunan besok 2 hari\n"
    "• izin terlambat, ban bocor\n"
    "• slip gaji nov\n"
    "• printer rusak\n"
    "• belajar\n"
    "Perintah yang selalu bisa dipakai: menu, batal, kembali, bantuan.",
    "I am Ayo, your staff services assistant. Just write what you need, for example:\n"
    "• annual leave tomorrow for 2 days\n"
    "• permit: late, flat tyre\n"
    "• payslip november\n"
    "• printer broken\n"
    "• learn\n"
    "Commands that always work: menu, cancel, back, help.",
)


def intent_title(ctx: Context, intent: str) -> T:
    spec = ctx.deps.router.catalog.get(intent)
    if spec is None:
        return T(intent, intent)
    return T(spec.title_id, spec.title_en)


async def intent_buttons(
    ctx: Context, intents: tuple[str, ...] | list[str], text: str = ""
) -> list:
    group = ctx.new_button_group()
    return [
        await ctx.button(
            intent_title(ctx, i), "intent.pick", {"intent": i, "text": text}, group=group
        )
        for i in intents
    ]


async def show_menu(ctx: Context) -> list[Reply]:
    intents = list(MENU_INTENTS)
    if ctx.me.has_role("supervisor"):
        intents = [*SUPERVISOR_MENU, *intents]
    buttons = await intent_buttons(ctx, intents)
    return [Reply(T("Apa yang bisa saya bantu?", "How can I help?"), tuple(buttons))]


async def show_help(ctx: Context) -> list[Reply]:
    return [Reply(HELP)]


def salutation(ctx: Context) -> T:
    """ "Selamat pagi" … "Selamat malam" by the employee's local hour."""
    hour = ctx.local_now.hour
    return (
        T("Selamat pagi", "Good morning")
        if hour < 11
        else T("Selamat siang", "Good afternoon")
        if hour < 15
        else T("Selamat sore", "Good afternoon")
        if hour < 18
        else T("Selamat malam", "Good evening")
    )


async def greet(ctx: Context) -> list[Reply]:
    first = ctx.me.name.split()[0]
    return [
        Reply(
            salutation(ctx)
            + T(
                f", {first}! Ada yang bisa saya bantu? Ketik menu untuk pilihan.",
                f", {first}! How can I help? Type menu for options.",
            )
        )
    ]


async def thanks(ctx: Context) -> list[Reply]:
    return [Reply(T("Sama-sama! Senang membantu.", "You're welcome! Happy to help."))]


async def pick_intent(ctx: Context, payload: dict[str, Any]) -> Redirect:
    """A suggestion button was pressed: run that intent on the words first written."""
    return Redirect(payload["intent"], payload.get("text") or "")


INTENTS: dict[str, Handler] = {
    "help": show_help,
    "greeting": greet,
    "thanks": thanks,
    "menu": show_menu,
}
ACTIONS: dict[str, ActionHandler] = {"intent.pick": pick_intent}
