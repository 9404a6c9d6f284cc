"""The handler contract: what a handler returns, and the tables that route to handlers.

A handler never calls back into the dispatcher. It returns its replies, or a `Redirect` (run
this intent on these words, after the role check), or `UNHANDLED` (these words were not for
me: route them as a fresh message), or a `Fetch` (ask a backend first, then answer: the engine
commits the step before the call and answers in a new transaction, so no row stays locked
while a backend thinks). The dispatcher follows the result, so the flow of one message reads
in one direction: dispatch → handler → result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.context import Context
from core.messages import Reply
from integrations.connectors.base import DeliveryError


@dataclass(frozen=True)
class Redirect:
    """Serve `intent` for `text` instead (a suggestion or switch button, a parked form)."""

    intent: str
    text: str = ""


@dataclass(frozen=True)
class Unhandled:
    """The words were not an answer for this handler; route them as a new message."""


UNHANDLED = Unhandled()

# What a backend answered to a query, or how the call failed.
Answer = dict[str, Any] | DeliveryError


@dataclass(frozen=True)
class Fetch:
    """Query `backend` (a connector's name), then answer with `then(ctx, answer)`.

    `then` runs in a fresh transaction with a fresh `Context` (state loaded again), after
    the step that asked was committed and while no lock of ours is held.
    """

    backend: str
    operation: str
    params: dict[str, Any]
    then: Callable[[Context, Answer], Awaitable[list[Reply]]]


Result = list[Reply] | Redirect | Unhandled | Fetch
Handler = Callable[[Context], Awaitable[Result]]
ActionHandler = Callable[[Context, dict[str, Any]], Awaitable[Result]]
ExpectHandler = Callable[[Context, str], Awaitable[Result]]


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
