"""Values from outside (webhooks, the inbound API): parsed strictly, cleaned before storage.

PostgreSQL refuses NUL characters in text and lone surrogates cannot be encoded as UTF-8, so
an update carrying either would fail its inbox insert on every redelivery; they are cleaned
here instead. JSON is decoded as strict UTF-8, without `NaN`/`Infinity`, with bounded nesting.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# C0 controls except tab, newline and carriage return, DEL, and UTF-16 surrogates.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATES = re.compile("[\ud800-\udfff]")
# A JSON string (skipped whole) or a bracket.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
INT64 = 2**63
# Deeper than any Telegram or WhatsApp payload; far below Python's recursion limit.
MAX_DEPTH = 32


class Malformed(ValueError):
    """The bytes are not the JSON we accept (not UTF-8, not JSON, non-finite, too deep)."""


def clean(text: str) -> str:
    """Text safe to store: controls dropped, lone surrogates shown as U+FFFD."""
    if text.isprintable():  # the common case costs one C-level scan
        return text
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", text))


def clean_value(value: Any) -> Any:
    """`clean` applied to every string inside a JSON-like value."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(str(k)): clean_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_value(v) for v in value]
    return value


def _finite(raw: str) -> float:
    number = float(raw)
    if not math.isfinite(number):
        raise Malformed("number out of range")
    return number


def _constant(name: str) -> Any:
    raise Malformed(f"{name} is not JSON")


def loads(body: bytes) -> Any:
    """Decode a request body; `Malformed` for anything but plain, finite, shallow JSON."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Malformed("not UTF-8") from exc
    if _too_deep(text):
        raise Malformed("nested too deeply")
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_finite)
    except Malformed:
        raise
    except (ValueError, RecursionError) as exc:  # includes ints past Python's digit limit
        raise Malformed("not JSON") from exc


def _too_deep(text: str) -> bool:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif token in "]}":
            depth -= 1
    return False


def obj(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else `Malformed`."""
    if not isinstance(value, dict):
        raise Malformed("not an object")
    return value


def opt_obj(value: Any) -> dict[str, Any]:
    """An optional object: missing or of another type reads as empty."""
    return value if isinstance(value, dict) else {}


def int64(value: Any) -> int:
    """A 64-bit integer id (not a bool, not a float), else `Malformed`."""
    if isinstance(value, bool) or not isinstance(value, int) or not -INT64 <= value < INT64:
        raise Malformed("not a 64-bit integer")
    return value


def opt_int64(value: Any) -> int | None:
    try:
        return int64(value)
    except Malformed:
        return None


def ident(value: Any, limit: int) -> str:
    """A non-empty string id of at most `limit` characters, else `Malformed`."""
    if not isinstance(value, str) or not value or len(value) > limit:
        raise Malformed("not an id")
    return clean(value)


def opt_text(value: Any, limit: int) -> str | None:
    """An optional string, cleaned and cut to `limit`; other types read as missing."""
    return clean(value)[:limit] if isinstance(value, str) else None
