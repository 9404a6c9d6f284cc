"""Claiming due outbox messages under a lease, and recording what became of each send.

A claim is one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`: on
PostgreSQL concurrent instances skip each other's rows instead of waiting; on SQLite the single
statement is atomic. The lease (`claimed_until`) makes a crashed instance's claims come back
after it expires, so nothing is lost; a send is recorded right after it succeeds, so a restart
resends at most what was in flight.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import bindparam, or_, select, update

from core.outbox import PRIORITY_INTERACTIVE
from core.settings import DEFAULT_TIMEZONE
from core.storage.db import Database
from core.storage.models import ChatAccount, Employee, OutboxItem
from scheduler.timing import QuietHours

log = logging.getLogger(__name__)

OutcomeKind = Literal["sent", "retry", "blocked", "rejected", "error", "released"]
_ITEMS = OutboxItem.__table__


@dataclass(frozen=True, slots=True)
class Backoff:
    """How often a failing send is retried, and how long to wait between attempts.

    Set by `AYO_OUTBOX_MAX_ATTEMPTS`, `AYO_OUTBOX_BACKOFF_BASE_SECONDS` and
    `AYO_OUTBOX_BACKOFF_MAX_SECONDS`: the n-th failure waits base·2^n seconds, at most max.
    """

    max_attempts: int = 10
    base_seconds: float = 5.0
    max_seconds: float = 3600.0

    def delay(self, attempts: int) -> float:
        return min(self.base_seconds * 2**attempts, self.max_seconds)


@dataclass(frozen=True, slots=True)
class Claimed:
    """One message this instance may send until `lease_until`."""

    id: int
    chat_account_id: int
    chat_id: str
    payload: dict[str, Any]
    language: str
    priority: int
    attempts: int
    lease_until: datetime


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one claimed message."""

    item_id: int
    kind: OutcomeKind
    chat_account_id: int = 0
    external_ref: str | None = None
    delay: float = 0.0
    reason: str | None = None
    attempts: int = 0


async def claim_due(
    db: Database,
    channel: str,
    now: datetime,
    *,
    limit: int,
    lease: timedelta,
    owner: str,
    quiet: QuietHours | None = None,
) -> list[Claimed]:
    """Claim up to `limit` due messages of `channel`, highest priority first, oldest first.

    Messages to chats that blocked the bot are marked skipped; non-urgent pushes falling in
    the recipient's quiet hours are moved to the morning. Neither is returned.
    """
    due = (
        select(OutboxItem.id)
        .where(
            OutboxItem.kind == "message",
            OutboxItem.channel == channel,
            OutboxItem.status == "pending",
            OutboxItem.next_attempt_at <= now,
            or_(OutboxItem.claimed_until.is_(None), OutboxItem.claimed_until < now),
        )
        .order_by(OutboxItem.priority, OutboxItem.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    lease_until = now + lease
    async with db.transaction() as session:
        rows = (
            await session.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_(due.scalar_subquery()))
                .values(claimed_by=owner, claimed_until=lease_until)
                .returning(
                    OutboxItem.id,
                    OutboxItem.chat_account_id,
                    OutboxItem.payload,
                    OutboxItem.priority,
                    OutboxItem.attempts,
                )
                .execution_options(synchronize_session=False)
            )
        ).all()
        if not rows:
            return []
        chats = {
            r.id: r
            for r in await session.execute(
                select(
                    ChatAccount.id,
                    ChatAccount.external_id,
                    ChatAccount.active,
                    ChatAccount.language,
                    Employee.language.label("employee_language"),
                    Employee.timezone,
                )
                .outerjoin(Employee, Employee.id == ChatAccount.employee_id)
                .where(ChatAccount.id.in_({r.chat_account_id for r in rows}))
            )
        }
        claimed: list[Claimed] = []
        skipped: list[int] = []
        deferred: list[dict[str, Any]] = []
        for row in sorted(rows, key=lambda r: (r.priority, r.id)):
            chat = chats.get(row.chat_account_id)
            if chat is None or not chat.active:
                skipped.append(row.id)
                continue
            tz = chat.timezone or DEFAULT_TIMEZONE
            if quiet is not None and _deferrable(row) and quiet.is_quiet(now, tz):
                deferred.append({"b_id": row.id, "b_at": quiet.next_allowed(now, tz)})
                continue
            claimed.append(
                Claimed(
                    id=row.id,
                    chat_account_id=row.chat_account_id,
                    chat_id=chat.external_id,
                    payload=row.payload,
                    language=chat.language or chat.employee_language or "id",
                    priority=row.priority,
                    attempts=row.attempts,
                    lease_until=lease_until,
                )
            )
        if skipped:
            await session.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_(skipped))
                .values(status="skipped", last_error="inactive", claimed_by=None,
                        claimed_until=None)
                .execution_options(synchronize_session=False)
            )  # fmt: skip
        if deferred:
            await session.execute(
                update(_ITEMS)
                .where(_ITEMS.c.id == bindparam("b_id"))
                .values(next_attempt_at=bindparam("b_at"), claimed_by=None, claimed_until=None),
                deferred,
            )
    if skipped or deferred:
        log.info("%s: %s skipped (inactive), %s deferred (quiet hours)", channel,
                 len(skipped), len(deferred))  # fmt: skip
    return claimed


def _deferrable(row: Any) -> bool:
    # Interactive replies answer someone who just wrote; urgent pushes say so in their meta.
    if row.priority <= PRIORITY_INTERACTIVE:
        return False
    return not bool((row.payload.get("meta") or {}).get("urgent"))


async def renew_claims(db: Database, ids: list[int], owner: str, until: datetime) -> set[int]:
    """Extend our claims on `ids` to `until`; returns the ids still ours."""
    async with db.transaction() as session:
        rows = await session.execute(
            update(OutboxItem)
            .where(OutboxItem.id.in_(ids), OutboxItem.claimed_by == owner,
                   OutboxItem.status == "pending")
            .values(claimed_until=until)
            .returning(OutboxItem.id)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        return set(rows.scalars())


async def reclaim(db: Database, owner: str) -> int:
    """Free every claim held under `owner` (its previous run died): due again at once."""
    async with db.transaction() as session:
        result = await session.execute(
            update(OutboxItem)
            .where(OutboxItem.claimed_by == owner, OutboxItem.status == "pending",
                   OutboxItem.kind == "message")
            .values(claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    return result.rowcount or 0


async def record(
    db: Database,
    outcomes: list[Outcome],
    now: datetime,
    owner: str,
    backoff: Backoff | None = None,
) -> None:
    """Write the outcomes of sends in one transaction (sent, retry later, blocked, failed)."""
    backoff = backoff or Backoff()
    if not outcomes:
        return
    sent = [
        {"b_id": o.item_id, "b_ref": o.external_ref}
        for o in outcomes
        if o.kind == "sent"
    ]  # fmt: skip
    async with db.transaction() as session:
        if sent:
            # A send that succeeded is the truth even if our lease ran out meanwhile.
            await session.execute(
                update(_ITEMS)
                .where(_ITEMS.c.id == bindparam("b_id"))
                .values(status="sent", sent_at=now, external_ref=bindparam("b_ref"),
                        attempts=_ITEMS.c.attempts + 1, claimed_by=None, claimed_until=None),
                sent,
            )  # fmt: skip
        blocked = {o.chat_account_id for o in outcomes if o.kind == "blocked"}
        if blocked:
            await session.execute(
                update(ChatAccount)
                .where(ChatAccount.id.in_(blocked))
                .values(active=False)
                .execution_options(synchronize_session=False)
            )
        for o in outcomes:
            if o.kind != "sent":
                await session.execute(
                    update(_ITEMS)
                    .where(_ITEMS.c.id == o.item_id, _ITEMS.c.claimed_by == owner)
                    .values(**_change(o, now, backoff))
                )


def _change(o: Outcome, now: datetime, backoff: Backoff) -> dict[str, Any]:
    free = {"claimed_by": None, "claimed_until": None}
    if o.kind == "released":
        return free
    if o.kind == "retry":
        # A 429 is the channel pacing us, not a failure of the message: no attempt is spent.
        return {**free, "next_attempt_at": now + timedelta(seconds=o.delay), "last_error": "429"}
    if o.kind == "blocked":
        return {**free, "status": "failed", "last_error": "blocked", "attempts": o.attempts + 1}
    if o.kind == "rejected":
        return {**free, "status": "failed", "last_error": (o.reason or "rejected")[:300],
                "attempts": o.attempts + 1}  # fmt: skip
    attempts = o.attempts + 1
    if attempts >= backoff.max_attempts:
        return {**free, "status": "failed", "last_error": f"gave up: {o.reason}"[:300],
                "attempts": attempts}  # fmt: skip
    wait = backoff.delay(attempts)
    return {**free, "attempts": attempts, "next_attempt_at": now + timedelta(seconds=wait),
            "last_error": (o.reason or "error")[:300]}  # fmt: skip
