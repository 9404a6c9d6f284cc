"""Nothing secret in a log line: quiet chatty libraries, and redact every record as it is made.

Libraries that log request URLs or payloads (httpx logs the Bot API URL, which holds the bot
token, at INFO; PTB, pywa and aiosqlite log payloads at DEBUG) are held at WARNING. As the last
safety net a log-record factory redacts, in every record of every logger at every level, the
secrets from the settings, bot tokens, NIPs (18 digits) and Indonesian phone numbers; access
log lines lose their query string and the NIP in `/api/local/<NIP>/…` paths.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

from core.settings import Settings

QUIET = (
    "httpx",
    "httpcore",
    "hpack",
    "telegram",
    "pywa",
    "pywa_async",
    "aiosqlite",
    "asyncpg",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "apscheduler",
    "multipart",
)
NIP = re.compile(r"(?<!\d)\d{18}(?!\d)")
PHONE = re.compile(r"(?<![\w+])\+?(?:62|0)8\d{7,12}(?!\d)")
BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
LOCAL_PATH = re.compile(r"(/api/local/)[^/?\s]+")
# Shorter values would redact ordinary words; real secrets are far longer.
MIN_SECRET = 8

_lock = threading.Lock()
_secrets: set[str] = set()
_installed = False


def secrets_of(settings: Settings) -> list[str]:
    """The settings' values that must never be logged."""
    values = [
        settings.telegram_token,
        settings.telegram_webhook_secret,
        settings.whatsapp_token,
        settings.whatsapp_app_secret,
        settings.whatsapp_verify_token,
    ]
    password = re.search(r"://[^:/@]+:([^@]+)@", settings.database_url or "")
    if password:
        values.append(password.group(1))
    return [v for v in values if v and len(v) >= MIN_SECRET]


def redact(text: str) -> str:
    """`text` with known secrets, bot tokens, NIPs and phone numbers replaced."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "[secret]")
    text = BOT_TOKEN.sub("[token]", text)
    text = NIP.sub("[nip]", text)
    return PHONE.sub("[phone]", text)


def safe_path(path: str) -> str:
    """A request path fit for an access log: no query string, no NIP segment."""
    return LOCAL_PATH.sub(r"\1…", path.split("?", 1)[0])


def install(settings: Settings | None = None, extra: Iterable[str] = ()) -> None:
    """Quiet the libraries and redact every record from now on (idempotent; adds secrets)."""
    global _installed
    with _lock:
        if settings is not None:
            _secrets.update(secrets_of(settings))
        _secrets.update(v for v in extra if v and len(v) >= MIN_SECRET)
        for name in QUIET:
            logger = logging.getLogger(name)
            if logger.level == logging.NOTSET or logger.level < logging.WARNING:
                logger.setLevel(logging.WARNING)
        if _installed:
            return
        _installed = True
        make = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = make(*args, **kwargs)
            _scrub(record)
            return record

        logging.setLogRecordFactory(factory)


def _scrub(record: logging.LogRecord) -> None:
    try:
        original = record.getMessage()
    except Exception:  # a broken format call: keep only what the code wrote
        record.msg, record.args = redact(str(record.msg)), ()
        return
    access = record.name == "uvicorn.access" and isinstance(record.args, tuple)
    if access and len(record.args) == 5:
        client, method, path, version, status = record.args
        record.args = (client, method, safe_path(str(path)), version, status)
    elif record.args:
        record.args = _scrub_args(record.args)
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    try:
        if redact(record.getMessage()) != record.getMessage():
            raise ValueError
    except Exception:
        record.msg, record.args = redact(original), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def _scrub_args(args: Any) -> Any:
    if isinstance(args, dict):
        return {k: _scrub_arg(v) for k, v in args.items()}
    if isinstance(args, tuple):
        return tuple(_scrub_arg(a) for a in args)
    return _scrub_arg(args)


def _scrub_arg(arg: Any) -> Any:
    if arg is None or isinstance(arg, float):
        return arg
    text = str(arg)
    cleaned = redact(text)
    return arg if cleaned == text else cleaned
