"""The handler types and the tables that route intents, button actions and awaited answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from bot.context import Context
from core.messages import Reply

Handler = Callable[[Context], Awaitable[list[Reply]]]
ActionHandler = Callable[[Context, dict[str, Any]], Awaitable[list[Reply]]]
ExpectHandler = Callable[[Context, str], Awaitable[list[Reply]]]


V = TypeVar("V")


def merge(*tables: Mapping[str, V]) -> dict[str, V]:
    """Merge feature tables, refusing a name claimed twice (a silent override is a bug)."""
    merged: dict[str, V] = {}
    for table in tables:
        for name, value in table.items():
            if name in merged:
                raise ValueError(f"handler {name!r} registered twice")
            merged[name] = value
    return merged
