"""Rendering a channel-neutral `Reply` within each channel's limits (pure, no I/O).

Reply text is our Markdown subset (core/markdown.py): Telegram gets it as its HTML, WhatsApp
as its own *bold*/_italic_ markers. Button labels are plain text.

Telegram: HTML with every string escaped, text split at 4,096 characters, an inline keyboard
whose callback data is the opaque button token (checked against the 64-byte limit here, the one
place that knows it). WhatsApp: up to 3 reply buttons, else a list of up to 10 rows, else a
numbered text menu ("balas 1, 2 atau 3"); the same token is the button or row id.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import markdown
from core.messages import Button, Reply
from core.text import T

TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_CALLBACK_LIMIT = 64
WHATSAPP_TEXT_LIMIT = 4096
WHATSAPP_BODY_LIMIT = 1024  # body of an interactive message
WHATSAPP_MAX_BUTTONS = 3
WHATSAPP_BUTTON_TITLE = 20
WHATSAPP_MAX_ROWS = 10
WHATSAPP_ROW_TITLE = 24
WHATSAPP_ROW_DESCRIPTION = 72
WHATSAPP_LIST_BUTTON = T("Pilih", "Choose")
WHATSAPP_CHOOSE = T("Silakan pilih:", "Please choose:")


def split_text(text: str, limit: int, *, measure=len) -> list[str]:
    """Split text into parts of at most `limit`, preferring paragraph, line and word breaks."""
    text = text.strip()
    parts: list[str] = []
    while measure(text) > limit:
        cut = _longest_prefix(text, limit, measure)
        window = text[:cut]
        for sep in ("\n\n", "\n", " "):
            at = window.rfind(sep)
            if at > cut // 2:
                cut = at
                break
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts or [""]


def _longest_prefix(text: str, limit: int, measure) -> int:
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


def callback_data(token: str) -> str:
    """The callback data of a Telegram button: the token itself, refused past 64 bytes."""
    if not 1 <= len(token.encode()) <= TELEGRAM_CALLBACK_LIMIT:
        raise ValueError(f"callback data must be 1..64 bytes, got {len(token.encode())}")
    return token


@dataclass(frozen=True, slots=True)
class TelegramMessage:
    """One Telegram message: HTML text and rows of (label, callback data)."""

    html: str
    keyboard: tuple[tuple[tuple[str, str], ...], ...] = ()


def telegram(reply: Reply, language: str) -> list[TelegramMessage]:
    """Telegram messages for a reply; the keyboard rides on the last part."""
    parts = markdown.telegram_parts(reply.text.get(language), TELEGRAM_TEXT_LIMIT)
    keyboard = tuple(((b.label.get(language), callback_data(b.token)),) for b in reply.buttons)
    messages = [TelegramMessage(part) for part in parts]
    if keyboard:
        messages[-1] = TelegramMessage(messages[-1].html, keyboard)
    return messages


@dataclass(frozen=True, slots=True)
class WhatsAppButtons:
    body: str
    buttons: tuple[tuple[str, str], ...]  # (title, id)


@dataclass(frozen=True, slots=True)
class WhatsAppList:
    body: str
    button: str
    rows: tuple[tuple[str, str, str | None], ...]  # (title, id, description)


WhatsAppMessage = str | WhatsAppButtons | WhatsAppList


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _unique(titles: list[str], limit: int) -> list[str]:
    # WhatsApp refuses two buttons with the same title; clipping can make two alike.
    seen: set[str] = set()
    out = []
    for n, title in enumerate(titles, start=1):
        if title in seen:
            title = _clip(f"{n}. {title}", limit)
        seen.add(title)
        out.append(title)
    return out


def numbered_menu(buttons: tuple[Button, ...], language: str) -> str:
    """The text menu used beyond ten choices: one numbered line each, then how to answer."""
    lines = [f"{n}. {b.label.get(language)}" for n, b in enumerate(buttons, start=1)]
    numbers = [str(n) for n in range(1, len(buttons) + 1)]
    how = T("Balas dengan angka: {n}.", "Reply with a number: {n}.")
    joined = ", ".join(numbers[:-1]) + T(" atau ", " or ").get(language) + numbers[-1]
    return "\n".join(lines) + "\n\n" + how.get(language).format(n=joined)


def whatsapp(reply: Reply, language: str) -> list[WhatsAppMessage]:
    """WhatsApp messages for a reply: text parts, then the choices if any."""
    source = reply.text.get(language).strip()
    text = markdown.to_whatsapp(source)
    buttons = reply.buttons
    if not buttons:
        return list(markdown.whatsapp_parts(source, WHATSAPP_TEXT_LIMIT))
    if len(buttons) > WHATSAPP_MAX_ROWS:
        return list(split_text(text + "\n\n" + numbered_menu(buttons, language), 4096))
    out: list[WhatsAppMessage] = []
    if len(text) > WHATSAPP_BODY_LIMIT:
        out.extend(markdown.whatsapp_parts(source, WHATSAPP_TEXT_LIMIT))
        text = WHATSAPP_CHOOSE.get(language)
    labels = [b.label.get(language) for b in buttons]
    if len(buttons) <= WHATSAPP_MAX_BUTTONS and all(
        len(" ".join(label.split())) <= WHATSAPP_BUTTON_TITLE for label in labels
    ):
        titles = _unique([_clip(label, WHATSAPP_BUTTON_TITLE) for label in labels], 20)
        pairs = tuple(zip(titles, (b.token for b in buttons), strict=True))
        out.append(WhatsAppButtons(text, pairs))
        return out
    titles = _unique([_clip(label, WHATSAPP_ROW_TITLE) for label in labels], 24)
    rows = tuple(
        (
            title,
            b.token,
            _clip(label, WHATSAPP_ROW_DESCRIPTION) if _clip(label, 24) != label else None,
        )
        for title, label, b in zip(titles, labels, buttons, strict=True)
    )
    out.append(WhatsAppList(text, WHATSAPP_LIST_BUTTON.get(language), rows))
    return out


def menu_choice(text: str | None, buttons: tuple[Button, ...]) -> str | None:
    """The token chosen by answering a numbered menu with its number, if `text` is one."""
    if text is None or len(buttons) <= WHATSAPP_MAX_ROWS:
        return None
    word = text.strip().rstrip(".")
    if not word.isdigit():
        return None
    n = int(word)
    return buttons[n - 1].token if 1 <= n <= len(buttons) else None


def template_text(reply: Reply, language: str, limit: int = 900) -> str:
    """A reply as one template parameter: no newlines or tabs (WhatsApp refuses them)."""
    flat = " | ".join(
        line.strip()
        for line in markdown.to_whatsapp(reply.text.get(language)).splitlines()
        if line.strip()
    )
    return _clip(flat, limit)
