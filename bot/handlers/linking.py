"""Who is this? The engine's hook for chats not linked yet, and unlinking a linked chat.

An unknown chat gets a friendly explanation in Indonesian and English and nothing else; a
group is never linked and never told anything personal.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from bot.context import Context
from bot.handlers.registry import ActionHandler, Handler
from bot.linking import codes
from bot.linking.codes import LinkResult
from core.messages import Reply
from core.text import T

log = logging.getLogger(__name__)


def _both(id_: str, en: str) -> T:
    # The chat's language is unknown before linking: say it in both languages at once.
    return T(f"{id_}\n\n{en}", f"{en}\n\n{id_}")


HOW_TO_LINK = _both(
    "Halo! Saya Ayo, asisten layanan kepegawaian Pemerintah Kota. Chat ini belum terhubung "
    "dengan data kepegawaian Anda. Minta kode penghubung ke admin kepegawaian (BKPSDM), lalu "
    "kirim kode itu di sini, misalnya: /start K7P2QX9M",
    "Hello! I am Ayo, the city government's staff services assistant. This chat is not "
    "linked to your staff record yet. Ask your HR administrator (BKPSDM) for a link code, "
    "then send the code here, for example: /start K7P2QX9M",
)
GROUP = _both(
    "Halo! Ayo melayani lewat chat pribadi agar data Anda tetap aman. Silakan chat saya "
    "secara pribadi.",
    "Hello! Ayo works in private chats so that your data stays safe. Please message me privately.",
)
WRONG = _both(
    "Kode itu tidak dikenali atau sudah dipakai. Periksa lagi kodenya, atau minta kode baru "
    "ke admin kepegawaian.",
    "That code is not recognised or was already used. Check it again, or ask your HR "
    "administrator for a new one.",
)
EXPIRED = _both(
    "Kode itu sudah kedaluwarsa. Minta kode baru ke admin kepegawaian.",
    "That code has expired. Ask your HR administrator for a new one.",
)
PHONE_MISMATCH = _both(
    "Nomor WhatsApp ini tidak sama dengan nomor yang tercatat di data kepegawaian Anda. "
    "Hubungi admin kepegawaian untuk memperbarui nomor Anda.",
    "This WhatsApp number is not the one on your staff record. Contact your HR "
    "administrator to update your number.",
)
LOCKED = _both(
    "Terlalu banyak percobaan kode yang salah. Demi keamanan, coba lagi satu jam lagi.",
    "Too many wrong codes. For your security, please try again in an hour.",
)
WELCOME = T(
    "Selamat datang, {name}! Chat ini sudah terhubung dengan data kepegawaian Anda. Ketik "
    "menu untuk melihat yang bisa saya bantu.",
    "Welcome, {name}! This chat is now linked to your staff record. Type menu to see what I "
    "can help with.",
)
UNLINK_ASK = T(
    "Putuskan chat ini dari data kepegawaian Anda? Anda bisa menghubungkannya lagi dengan "
    "kode baru.",
    "Unlink this chat from your staff record? You can link it again with a new code.",
)
UNLINKED = T(
    "Chat ini sudah diputuskan. Untuk menghubungkan lagi, minta kode baru ke admin kepegawaian.",
    "This chat is unlinked. To link it again, ask your HR administrator for a new code.",
)
KEPT = T("Baik, chat ini tetap terhubung.", "All right, this chat stays linked.")

_COMMAND = re.compile(r"^/?(start|link|kode|code)(@\w+)?\s+(?P<code>\S.*)$", re.IGNORECASE)


def typed_code(text: str | None) -> str | None:
    """The code attempt in a message: `/start CODE`, `kode CODE`, or a bare code-shaped word."""
    text = (text or "").strip()
    found = _COMMAND.match(text)
    if found:
        return found.group("code")
    return text if codes.looks_like_code(text) else None


async def unlinked(ctx: Context) -> list[Reply]:
    """Answer a chat not linked to an employee: link it with a code, or explain how."""
    account = ctx.account
    if account.is_group:
        return [Reply(GROUP)]
    attempt = typed_code(ctx.inbound.text)
    if attempt is None:
        if await codes.is_locked(ctx.session, account, ctx.now):
            return [Reply(LOCKED)]
        return [Reply(HOW_TO_LINK)]
    phone = account.external_id if account.channel == "whatsapp" else None
    result, employee = await codes.redeem(ctx.session, account, attempt, now=ctx.now, phone=phone)
    log.info("link attempt on chat account %s: %s", account.id, result.value)
    if result is LinkResult.LINKED and employee is not None:
        ctx.state.reset()
        from core.audit import record

        record(
            ctx.session,
            now=ctx.now,
            actor_id=employee.id,
            channel=account.channel,
            entity="chat_account",
            entity_id=account.id,
            action="linked",
            detail={},
        )
        return [Reply(WELCOME.format(name=employee.name.split()[0]))]
    return [Reply(_REFUSALS[result])]


_REFUSALS = {
    LinkResult.WRONG: WRONG,
    LinkResult.EXPIRED: EXPIRED,
    LinkResult.PHONE_MISMATCH: PHONE_MISMATCH,
    LinkResult.LOCKED: LOCKED,
}


async def offer_unlink(ctx: Context) -> list[Reply]:
    """Ask before unlinking the chat (the web chat is not a linked chat and cannot be)."""
    if ctx.account.channel == "local":
        return [
            Reply(T("Chat web ini tidak perlu diputuskan.", "This web chat needs no unlinking."))
        ]
    group = ctx.new_button_group()
    yes = await ctx.button(T("Ya, putuskan", "Yes, unlink"), "link.unlink", {}, group=group)
    no = await ctx.button(T("Tidak", "No"), "link.keep", {}, group=group)
    return [Reply(UNLINK_ASK, (yes, no))]


async def confirm_unlink(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    from core.audit import record

    record(
        ctx.session,
        now=ctx.now,
        actor_id=ctx.me.id,
        channel=ctx.account.channel,
        entity="chat_account",
        entity_id=ctx.account.id,
        action="unlinked",
        detail={},
    )
    await codes.unlink(ctx.session, ctx.account)
    ctx.state.reset()
    return [Reply(UNLINKED)]


async def keep_link(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    return [Reply(KEPT)]


INTENTS: dict[str, Handler] = {"account.unlink": offer_unlink}
ACTIONS: dict[str, ActionHandler] = {"link.unlink": confirm_unlink, "link.keep": keep_link}
