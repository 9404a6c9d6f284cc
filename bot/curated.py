"""Examples curated in the back office (texts Ayo did not understand, assigned to an intent),
and the router that learns them on top of the catalog.

The examples are rows (`intent_examples`); the router is rebuilt from the catalog plus these
rows by `rebuild` (the back office's button) and at every start (`use_curated`), through the
same disk cache as the built-in router, so a start after a rebuild reads the fitted model.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.db import Database
from core.storage.models import IntentExample

log = logging.getLogger(__name__)
FOLLOW_SECONDS = 60.0  # how soon a worker process learns the back office's rebuilt router


async def examples(session: AsyncSession) -> list[tuple[str, str]]:
    """Every curated (text, intent) pair, oldest first (a stable order: a stable cache key)."""
    rows = await session.execute(
        select(IntentExample.text, IntentExample.intent).order_by(IntentExample.id)
    )
    return [(text, intent) for text, intent in rows.all()]


async def add_examples(
    session: AsyncSession, texts: Iterable[str], intent: str, *, by: int | None, now: datetime
) -> int:
    """Store `texts` as examples of `intent`; a text already curated moves to the new intent.

    Returns how many texts were added or moved.
    """
    wanted = [t for t in dict.fromkeys(texts) if t]
    if not wanted:
        return 0
    found = {
        row.text: row
        for row in (
            await session.execute(select(IntentExample).where(IntentExample.text.in_(wanted)))
        ).scalars()
    }
    changed = 0
    for text in wanted:
        row = found.get(text)
        if row is None:
            session.add(IntentExample(text=text, intent=intent, created_by_id=by, created_at=now))
            changed += 1
        elif row.intent != intent:
            row.intent, row.created_by_id, row.created_at = intent, by, now
            changed += 1
    return changed


@dataclass(frozen=True, slots=True)
class Rebuilt:
    examples: int
    seconds: float
    from_cache: bool


def _build(extra: list[tuple[str, str]]) -> Any:
    from intents.cache import cached_router, default_router

    router = cached_router(extra=extra) if extra else default_router()
    router.curated = frozenset(extra)  # what it learnt, for `pending`
    return router


def pending(router: Any, current: list[tuple[str, str]]) -> int:
    """Curated examples the running router has not learnt yet (added or moved since)."""
    return len(set(current) - getattr(router, "curated", frozenset()))


async def rebuild(deps: Any) -> Rebuilt:
    """Train the router on the catalog and the curated examples, then use it from now on."""
    async with deps.db.sessions() as session:
        extra = await examples(session)
    # Training takes seconds of CPU: off the event loop, so the server keeps answering.
    router = await asyncio.to_thread(_build, extra)
    deps.router = router
    seconds = 0.0 if router.from_cache else round(router.build_seconds, 1)
    return Rebuilt(len(extra), seconds, router.from_cache)


async def use_curated(deps: Any) -> None:
    """At start: when examples were curated, use the router that knows them."""
    db: Database = deps.db
    async with db.sessions() as session:
        extra = await examples(session)
    if extra:
        deps.router = await asyncio.to_thread(_build, extra)


async def refresh(deps: Any) -> bool:
    """Use the router of the curated examples as they are now, if they changed since this
    process built its router (a worker process, after the back office rebuilt the server's
    router: the fitted model is then read from the shared disk cache). True if it changed."""
    async with deps.db.sessions() as session:
        extra = await examples(session)
    if frozenset(extra) == getattr(deps.router, "curated", frozenset()):
        return False
    deps.router = await asyncio.to_thread(_build, extra)
    return True


async def follow(deps: Any, stop: asyncio.Event, every: float = FOLLOW_SECONDS) -> None:
    """Until `stop`: `refresh` every `every` seconds (inbox workers of `ayo serve`)."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), every)
        except TimeoutError:
            try:
                if await refresh(deps):
                    log.info("intent router: curated examples changed, router reloaded")
            except Exception:
                log.exception("intent router refresh failed; the current router stays")
