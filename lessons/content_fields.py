"""Typed reads of YAML fields that record an error, with its line, for every bad field."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lessons.content_source import MISSING, ContentError, Key, YamlDoc

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Fields:
    """A view of one mapping inside a YAML document (at `base`), reporting into `errors`."""

    doc: YamlDoc
    path: Path
    errors: list[ContentError]
    base: tuple[Key, ...] = ()
    context: str = ""  # prefixed to messages, e.g. "question 2"

    def at(self, key: Key, context: str) -> Fields:
        return Fields(self.doc, self.path, self.errors, (*self.base, key), context)

    def get(self, *keys: Key) -> Any:
        return self.doc.get((*self.base, *keys))

    def error(self, keys: Sequence[Key], message: str) -> None:
        line = self.doc.line((*self.base, *keys))
        prefix = f"{self.context}: " if self.context else ""
        self.errors.append(ContentError(self.path, line, prefix + message))

    def line(self, *keys: Key) -> int:
        return self.doc.line((*self.base, *keys))

    def mapping(self, required: Collection[str], optional: Collection[str] = ()) -> bool:
        """Check this is a mapping with the required keys and no unknown (misspelt) ones."""
        value = self.get()
        if not isinstance(value, dict):
            self.error((), "expected a mapping of keys to values")
            return False
        for key in value:
            if key not in required and key not in optional:
                self.error((key,), f"unknown key '{key}'")
        for key in required:
            if key not in value:
                self.error((), f"missing required key '{key}'")
        return True

    def text(self, *keys: Key) -> str | None:
        value = self.get(*keys)
        if value is MISSING:
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(keys, f"'{_name(keys)}' must be non-empty text")
            return None
        return value.strip()

    def bilingual(self, key: Key, *, en_required: bool) -> tuple[str | None, str | None]:
        """Read `key: text` or `key: {id: ..., en: ...}`; returns (id, en)."""
        value = self.get(key)
        name = f"option {key + 1}" if isinstance(key, int) else f"'{key}'"
        if value is MISSING:
            return None, None
        if isinstance(value, str):
            if en_required:
                self.error((key,), f"{name} needs both 'id' and 'en' texts")
            return self.text(key), None
        if not isinstance(value, dict):
            self.error((key,), f"{name} must be text or a mapping with 'id' and 'en'")
            return None, None
        sub = self.at(key, self.context)
        sub.mapping(("id", "en") if en_required else ("id",), ("en",))
        return sub.text("id"), sub.text("en")

    def integer(self, key: str, low: int, high: int) -> int | None:
        value = self.get(key)
        if value is MISSING:
            return None
        # bool is an int subclass; `minutes: yes` must not count as 1.
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error((key,), f"'{key}' must be a whole number from {low} to {high}")
            return None
        return value

    def slug(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and not SLUG.match(value):
            self.error((key,), f"'{key}' must be lowercase letters, digits and '-': {value!r}")
            return None
        return value

    def slugs(self, key: str) -> tuple[str, ...]:
        value = self.get(key)
        if value is MISSING or value is None:
            return ()
        if not isinstance(value, list):
            self.error((key,), f"'{key}' must be a list")
            return ()
        good = []
        for index, item in enumerate(value):
            if isinstance(item, str) and SLUG.match(item):
                good.append(item)
            else:
                self.error((key, index), f"'{key}' entries must be lowercase slugs: {item!r}")
        return tuple(good)

    def choice(self, key: str, allowed: Collection[str]) -> str | None:
        value = self.get(key)
        if value is MISSING:
            return None
        if value not in allowed:
            names = ", ".join(sorted(allowed))
            self.error((key,), f"unknown {key} {value!r}; expected one of: {names}")
            return None
        return str(value)


def _name(keys: Sequence[Key]) -> str:
    return ".".join(str(k) for k in keys) or "value"
