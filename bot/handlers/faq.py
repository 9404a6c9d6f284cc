"""FAQ answers: a question HR answered in the FAQ file gets that answer, never a made-up one.

`answer` runs on free text before the intent router (bot/dispatch.route_text). It only
claims messages that fit a question variant closely (integrations/faq/book.py), so "mau
cuti melahirkan" still reaches the leave form while "berapa hari cuti melahirkan" is
answered here. An entry past its expiry, or a year HR has not checked, gets "I don't know"
and the offer of a person (the human.handoff intent, which opens a case when pressed).
"""

from __future__ import annotations

import logging

from bot.context import Context
from bot.handlers.general import intent_buttons
from core.messages import Reply
from core.text import T
from integrations.faq import FaqBook, Known, current

log = logging.getLogger(__name__)

DONT_KNOW = T(
    "Maaf, saya belum punya jawaban yang pasti untuk pertanyaan itu. "
    "Anda bisa bertanya langsung ke petugas kepegawaian.",
    "Sorry, I do not have a confirmed answer to that question yet. "
    "You can ask the HR staff directly.",
)


async def answer(ctx: Context, text: str) -> list[Reply] | None:
    """The FAQ's answer if the message asks one of its questions; else None."""
    book: FaqBook | None = ctx.deps.faq
    if book is None:
        return None
    # The back office (maybe in another process) may have added question variants.
    book = ctx.deps.faq = current(book)
    entry = book.find(text)
    if entry is None:
        return None
    found = book.answer(entry, text, ctx.local_now.date(), ctx.deps.calendar)
    log.info("inbox %s: faq %s %s", ctx.inbox_id, entry.id, found.known.value)
    ctx.state.misses = 0
    if found.known is Known.ANSWERED and found.text is not None:
        return [Reply(found.text)]
    buttons = await intent_buttons(ctx, ["human.handoff", "menu"])
    return [Reply(DONT_KNOW, tuple(buttons))]
