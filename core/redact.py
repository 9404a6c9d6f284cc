"""Masking personal data in free text (NIPs, phone numbers, e-mail addresses)."""

from __future__ import annotations

import re

_LONG_NUMBER = re.compile(r"\+?\d[\d\s.-]{4,}\d")
_EMAIL = re.compile(r"\S+@\S+")


def mask(text: str) -> str:
    """Replace what could be a NIP, phone number or e-mail address; keep the wording."""
    return _LONG_NUMBER.sub("<angka>", _EMAIL.sub("<email>", text))
