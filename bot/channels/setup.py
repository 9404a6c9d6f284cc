"""Which chat channels are on, built from the settings; a channel without settings is off."""

from __future__ import annotations

from typing import Any

from core.clock import Clock
from core.settings import Settings
from core.storage.db import Database


def telegram_on(settings: Settings) -> bool:
    return bool(settings.telegram_token)


def whatsapp_on(settings: Settings) -> bool:
    return bool(
        settings.whatsapp_token and settings.whatsapp_phone_id and settings.whatsapp_app_secret
    )


def build_channels(settings: Settings, db: Database, clock: Clock) -> dict[str, Any]:
    """The configured channel adapters by name (each implements the sender's port)."""
    channels: dict[str, Any] = {}
    if telegram_on(settings):
        from bot.channels.telegram import TelegramChannel

        channels["telegram"] = TelegramChannel.from_settings(settings, db, clock)
    if whatsapp_on(settings):
        from bot.channels.whatsapp import WhatsAppChannel

        channels["whatsapp"] = WhatsAppChannel.from_settings(settings, db, clock)
    return channels


def describe(settings: Settings, *, polling: bool = False) -> list[str]:
    """One line per channel for `ayo serve` to say at start: on, off, and what is missing."""
    lines = []
    if not telegram_on(settings):
        lines.append("Telegram: off (set AYO_TELEGRAM_TOKEN to turn it on)")
    elif polling:
        lines.append("Telegram: on, long polling (development)")
    elif not settings.telegram_webhook_secret:
        lines.append(
            "Telegram: on, but AYO_TELEGRAM_WEBHOOK_SECRET is empty: POST /telegram/webhook "
            "refuses every update (set it, or use --telegram-polling)"
        )
    else:
        lines.append("Telegram: on, webhook at POST /telegram/webhook")
    if not whatsapp_on(settings):
        lines.append(
            "WhatsApp: off (set AYO_WHATSAPP_TOKEN, AYO_WHATSAPP_PHONE_ID and "
            "AYO_WHATSAPP_APP_SECRET to turn it on)"
        )
    else:
        missing = "" if settings.whatsapp_verify_token else " (AYO_WHATSAPP_VERIFY_TOKEN empty: "
        missing += "the GET handshake fails)" if missing else ""
        lines.append("WhatsApp: on, webhook at GET/POST /whatsapp/webhook" + missing)
    return lines
