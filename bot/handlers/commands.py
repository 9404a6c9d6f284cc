"""Global commands: the first router group, answered at every point of a conversation.

A command is decided by the whole message: "menu" is the menu, "menu makan siang rapat" is an
answer to whatever was asked. Each command knows what to do with an open form: `menu` parks it
as a draft, `bantuan` helps and asks the question again, `kembali` undoes the last answer,
`batal` drops it, and a language switch re-asks the question in the new language.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from bot.context import Context
from bot.handlers import services
from bot.handlers.general import show_help, show_menu
from bot.handlers.registry import ActionHandler
from core.messages import Reply
from core.text import T

CANCEL_WORDS = frozenset({"batal", "cancel", "/cancel", "stop", "batalkan", "gak jadi", "ga jadi"})
MENU_WORDS = frozenset({"menu", "/menu", "/start", "mulai", "menu utama", "main menu"})
HELP_WORDS = frozenset({"bantuan", "help", "/help", "tolong", "bantu", "panduan"})
BACK_WORDS = frozenset({"kembali", "back", "balik", "sebelumnya", "/back", "mundur"})
LANGUAGE_WORDS = frozenset({"bahasa", "language", "ganti bahasa", "change language", "/language"})

_POLITE = r"(?:please|pls|tolong|dong|aja|saja|ya|yah|deh|sekarang|now|mode)"
_SWITCH = re.compile(
    rf"^(?:{_POLITE}\s+)*(?:(?:pakai|pake|gunakan|ganti|ubah|switch|change|use|in|dalam|"
    rf"berbahasa|reply in|speak)\s+)*(?:(?:ke|to|into)\s+)?(?:bahasa\s+|language\s+)?"
    rf"(?P<lang>inggris|english|bahasa indonesia|indonesia|indonesian|b\. ?indonesia)"
    rf"(?:\s+(?:language|{_POLITE}))*$"
)
LANGUAGES = {"inggris": "en", "english": "en"}

Command = Callable[[Context], Awaitable[list[Reply]]]


def word_of(text: str) -> str:
    """The whole message as a command word: case-folded, spaces collapsed, end marks dropped."""
    return " ".join(text.casefold().split()).strip(" .!?,")


def language_asked(word: str) -> str | None:
    """'en' or 'id' when the whole message asks for a language ("english please")."""
    m = _SWITCH.match(word)
    if m is None or word in ("inggris", "indonesia"):
        return None  # a lone country name is more likely an answer (a destination)
    return LANGUAGES.get(m["lang"], "id")


def match(text: str) -> Command | None:
    """The global command the whole message is, or None when it is anything else."""
    word = word_of(text)
    if word in CANCEL_WORDS:
        return cancel
    if word in MENU_WORDS:
        return menu
    if word in HELP_WORDS:
        return help_
    if word in BACK_WORDS:
        return back
    if word in LANGUAGE_WORDS:
        return choose_language
    lang = language_asked(word)
    if lang is not None:
        return lambda ctx: set_language(ctx, lang)
    return None


async def cancel(ctx: Context) -> list[Reply]:
    had = ctx.state.awaiting is not None
    ctx.state.form, ctx.state.awaiting, ctx.state.misses = None, None, 0
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


async def menu(ctx: Context) -> list[Reply]:
    """The menu; a half-filled form is kept as a draft and offered again later."""
    form = ctx.state.open_form()
    ctx.state.awaiting, ctx.state.misses = None, 0
    replies: list[Reply] = []
    if form is not None:
        services.park(ctx, form)
        title = services.title_of(ctx, form)
        replies.append(
            Reply(
                T("Draf ", "Your ")
                + title
                + T(
                    " disimpan; pilih layanan itu lagi untuk melanjutkan.",
                    " draft is kept; pick that service again to resume it.",
                )
            )
        )
    return replies + await show_menu(ctx)


async def help_(ctx: Context) -> list[Reply]:
    """Help, then the question that was open, with its buttons, so nothing is lost."""
    replies = await show_help(ctx)
    form = ctx.state.open_form()
    if form is not None:
        replies += await services.advance(ctx, form)
    return replies


async def back(ctx: Context) -> list[Reply]:
    form = ctx.state.open_form()
    if form is not None:
        return await services.back(ctx, form)
    ctx.state.awaiting = None
    return [
        Reply(
            T(
                "Tidak ada langkah sebelumnya. Ketik menu untuk pilihan.",
                "There is no previous step. Type menu for options.",
            )
        )
    ]


async def choose_language(ctx: Context) -> list[Reply]:
    group = ctx.new_button_group()
    buttons = (
        await ctx.button(
            T("Bahasa Indonesia", "Bahasa Indonesia"), "lang.set", {"lang": "id"}, group=group
        ),
        await ctx.button(T("English", "English"), "lang.set", {"lang": "en"}, group=group),
    )
    return [Reply(T("Pilih bahasa:", "Choose a language:"), buttons)]


async def set_language(ctx: Context, lang: str) -> list[Reply]:
    """Store the language on the employee: every later message and button follows it."""
    ctx.me.language = lang
    # A chat-level override would win over the employee's choice on that channel.
    ctx.account.language = None
    done = (
        Reply(
            T("Baik, sekarang saya memakai bahasa Inggris.", "OK, I will use English from now on.")
        )
        if lang == "en"
        else Reply(
            T(
                "Baik, sekarang saya memakai Bahasa Indonesia.",
                "OK, I will use Bahasa Indonesia from now on.",
            )
        )
    )
    form = ctx.state.open_form()
    if form is not None:
        return [done, *await services.advance(ctx, form)]
    return [done]


async def press_language(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    return await set_language(ctx, "en" if payload.get("lang") == "en" else "id")


ACTIONS: dict[str, ActionHandler] = {"lang.set": press_language}
