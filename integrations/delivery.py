"""Delivering backend calls and app callbacks from the outbox: retries, breaker, dead-letter.

A sweep claims due rows (`FOR UPDATE SKIP LOCKED`, so instances never share one), calls
outside any transaction, then records the outcome: success moves the request on; a transient
failure schedules the next attempt (capped exponential backoff with jitter, never less
than the backend's `Retry-After`) — the sweep never sleeps; a permanent failure, or one that
outlived the backend's dead-letter time, fails the request and tells the employee and HR.
"""

from __future__ import annotations

import dataclasses
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select

from core import metrics
from core.jobs import INSTANCE
from core.statuses import OutboxStatus, RequestStatus
from core.storage.db import Database
from core.storage.models import OutboxItem, ServiceRequest
from core.text import T
from integrations import breaker, lifecycle
from integrations.callbacks import post_callback
from integrations.connectors.base import BackendCall, BackendResult, DeliveryError
from integrations.routing import hr_admins

log = logging.getLogger(__name__)
KINDS = ("backend", "callback")
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff between attempts and when to give up (per backend it may be overridden)."""

    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    dead_letter_after: timedelta = timedelta(hours=24)
    # The circuit breaker per backend: open after this many failures in a row, for this long.
    breaker_failures: int = breaker.THRESHOLD
    breaker_open_for: timedelta = breaker.OPEN_FOR

    @classmethod
    def from_settings(cls, settings: Any) -> RetryPolicy:
        """AYO_BACKEND_BACKOFF_*, AYO_BACKEND_DEAD_LETTER_HOURS, AYO_BREAKER_* (.env.example)."""
        return cls(
            base=timedelta(seconds=settings.backend_backoff_base_seconds),
            cap=timedelta(seconds=settings.backend_backoff_max_seconds),
            dead_letter_after=timedelta(hours=settings.backend_dead_letter_hours),
            breaker_failures=settings.breaker_failures,
            breaker_open_for=timedelta(seconds=settings.breaker_open_seconds),
        )

    def delay(self, attempts: int, rng: random.Random, retry_after: float | None) -> timedelta:
        """Equal jitter: between half and all of min(cap, base·2^(n-1)), at least `Retry-After`."""
        ceiling = min(self.cap, self.base * (2 ** max(attempts - 1, 0)))
        wait = ceiling * (0.5 + rng.random() / 2)
        if retry_after is not None:
            wait = max(wait, timedelta(seconds=retry_after))
        return wait


DEFAULT_POLICY = RetryPolicy()


def _policy_for(connector: Any, default: RetryPolicy) -> RetryPolicy:
    hours = getattr(getattr(connector, "config", None), "dead_letter_after_hours", None)
    if hours is None:
        return default
    return dataclasses.replace(default, dead_letter_after=timedelta(hours=hours))


async def _claim(db: Database, now: datetime, limit: int) -> list[OutboxItem]:
    async with db.transaction() as session:
        rows = (
            (
                await session.execute(
                    select(OutboxItem)
                    .where(
                        OutboxItem.kind.in_(KINDS),
                        or_(
                            and_(
                                OutboxItem.status == OutboxStatus.PENDING,
                                OutboxItem.next_attempt_at <= now,
                            ),
                            # A claim whose instance died is taken over after its lease.
                            and_(
                                OutboxItem.status == OutboxStatus.SENDING,
                                OutboxItem.claimed_until <= now,
                            ),
                        ),
                    )
                    .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .all()
        )
        for row in rows:
            row.status = OutboxStatus.SENDING
            row.claimed_by = INSTANCE
            row.claimed_until = now + LEASE
        return list(rows)


async def deliver_due(
    db: Database,
    now: datetime,
    connectors: dict[str, Any],
    *,
    limit: int = 50,
    policy: RetryPolicy = DEFAULT_POLICY,
    rng: random.Random | None = None,
) -> int:
    """One sweep: deliver what is due; returns how many rows were attempted."""
    rng = rng or random.Random()
    attempted = 0
    half_open_used: set[str] = set()
    for item in await _claim(db, now, limit):
        target = item.target or ""
        gate = await breaker.admit(db, target, now)
        if gate.wait_until is not None or (gate.half_open and target in half_open_used):
            await _release(db, item.id, gate.wait_until or now + policy.base)
            continue
        if gate.half_open:
            half_open_used.add(target)
        attempted += 1
        connector = connectors.get(target)
        try:
            if item.kind == "callback":
                result = await post_callback(db, item)
            elif connector is None:
                raise DeliveryError(f"no connector named {target}", retryable=False)
            else:
                payload = item.payload
                result = await connector.send(
                    BackendCall(
                        operation=payload["operation"],
                        body=payload.get("body") or {},
                        idempotency_key=item.idempotency_key,
                        ref=payload.get("ref"),
                    )
                )
        except DeliveryError as exc:
            log.warning("outbox %s to %s failed: %s", item.id, target, exc)
            metrics.BACKEND_CALLS.labels(target, "failed").inc()
            await breaker.failure(db, target, now, threshold=policy.breaker_failures,
                                  open_for=policy.breaker_open_for)  # fmt: skip
            await _failed(db, item.id, exc, now, _policy_for(connector, policy), rng)
            continue
        metrics.BACKEND_CALLS.labels(target, "ok").inc()
        await breaker.success(db, target, now)
        await _delivered(db, item.id, result, now)
    return attempted


async def _release(db: Database, item_id: int, when: datetime) -> None:
    async with db.transaction() as session:
        item = await session.get(OutboxItem, item_id, with_for_update=True)
        if item is not None and item.status == OutboxStatus.SENDING:
            item.status = OutboxStatus.PENDING
            item.next_attempt_at = when
            item.claimed_until = None


async def _delivered(db: Database, item_id: int, result: BackendResult, now: datetime) -> None:
    async with db.transaction() as session:
        item = await session.get(OutboxItem, item_id, with_for_update=True)
        if item is None or item.status != OutboxStatus.SENDING:
            return
        item.status = OutboxStatus.SENT
        item.sent_at = now
        item.attempts += 1
        item.external_ref = result.external_ref
        item.claimed_until = None
        if item.kind != "backend":
            return
        request = await session.get(
            ServiceRequest, item.payload.get("request_id"), with_for_update=True
        )
        if request is None or request.status != RequestStatus.APPROVED:
            return
        request.backend_ref = result.external_ref
        lifecycle.transition(
            session,
            request,
            RequestStatus.SENT,
            now=now,
            actor_id=None,
            channel=None,
            detail={"backend_ref": result.external_ref},
        )
        if result.completed:
            lifecycle.transition(
                session, request, RequestStatus.COMPLETED, now=now, actor_id=None, channel=None
            )
        if request.source_app is None:
            ref = f" ({result.external_ref})" if result.external_ref else ""
            await lifecycle.notify(
                session,
                request.employee_id,
                T(
                    f"📌 {request.ref} sudah tercatat di sistem{ref}.",
                    f"📌 {request.ref} is recorded in the system{ref}.",
                ),
                now=now,
                key=f"notify:{request.ref}:delivered",
            )


async def _failed(
    db: Database,
    item_id: int,
    exc: DeliveryError,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
) -> None:
    async with db.transaction() as session:
        item = await session.get(OutboxItem, item_id, with_for_update=True)
        if item is None or item.status != OutboxStatus.SENDING:
            return
        item.attempts += 1
        item.last_error = str(exc)[:300]
        item.claimed_until = None
        too_old = now - item.created_at >= policy.dead_letter_after
        if exc.retryable and not too_old:
            item.status = OutboxStatus.PENDING
            item.next_attempt_at = now + policy.delay(item.attempts, rng, exc.retry_after)
            return
        item.status = OutboxStatus.DEAD
        await _dead_letter(session, item, now)


async def _dead_letter(session: Any, item: OutboxItem, now: datetime) -> None:
    """Give up: fail the request, tell the employee and every HR admin (the operators)."""
    request_id = item.payload.get("request_id")
    request = await session.get(ServiceRequest, request_id) if request_id else None
    ref = request.ref if request else item.idempotency_key
    if request is not None and request.status == RequestStatus.APPROVED:
        lifecycle.transition(
            session,
            request,
            RequestStatus.FAILED,
            now=now,
            actor_id=None,
            channel=None,
            detail={"error": item.last_error},
        )
        await lifecycle.notify(
            session,
            request.employee_id,
            T(
                f"⚠️ {ref} belum bisa diteruskan ke sistem kepegawaian. Petugas sudah diberi tahu.",
                f"⚠️ {ref} could not be passed on to the HR system. Staff have been told.",
            ),
            now=now,
            key=f"notify:{ref}:dead",
        )
    for admin in await hr_admins(session):
        await lifecycle.notify(
            session,
            admin.id,
            T(
                f"⚠️ Pengiriman {ref} ke {item.target} gagal permanen: {item.last_error}",
                f"⚠️ Delivery of {ref} to {item.target} failed for good: {item.last_error}",
            ),
            now=now,
            key=f"operator:{item.id}:dead:{admin.id}",
        )


async def redeliver(db: Database, item_id: int, now: datetime) -> bool:
    """An operator sends a dead-lettered row again (after fixing the backend)."""
    async with db.transaction() as session:
        item = await session.get(OutboxItem, item_id, with_for_update=True)
        if item is None or item.status != OutboxStatus.DEAD:
            return False
        item.status = OutboxStatus.PENDING
        item.next_attempt_at = now
        item.created_at = now
        request_id = item.payload.get("request_id")
        request = await session.get(ServiceRequest, request_id) if request_id else None
        if request is not None and request.status == RequestStatus.FAILED:
            lifecycle.transition(
                session,
                request,
                RequestStatus.APPROVED,
                now=now,
                actor_id=None,
                channel=None,
                detail={"redelivery": item.id},
            )
        return True
