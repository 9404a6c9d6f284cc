"""Broadcasts: choose the audience, queue one outbox row each in bulk, report progress.

The rows are the state: a broadcast is created in one transaction (recipients and their
outbox rows together), then any instance's sender delivers it. After a crash nothing has to be
"resumed" by hand — the pending rows are simply still due.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.messages import Reply
from core.outbox import LOCAL_CHANNEL, PRIORITY_BULK
from core.storage.db import Database
from core.storage.models import (
    Broadcast,
    BroadcastRecipient,
    ChatAccount,
    Employee,
    OrgUnit,
    OutboxItem,
)

CHUNK = 1000


@dataclass(frozen=True)
class Audience:
    """Who a broadcast is for: everyone, one unit (with its sub-units) or one role."""

    kind: str  # all | unit | role
    value: str = ""

    @classmethod
    def parse(cls, text: str) -> Audience:
        """Read "all", "unit:CODE" or "role:NAME"."""
        kind, _, value = text.strip().partition(":")
        kind = kind.lower()
        if kind == "all" and not value:
            return cls("all")
        if kind in ("unit", "role") and value:
            return cls(kind, value)
        raise ValueError("audience must be all, unit:CODE or role:NAME")

    def __str__(self) -> str:
        return self.kind if self.kind == "all" else f"{self.kind}:{self.value}"


@dataclass
class BroadcastReport:
    """Where a broadcast stands: delivered, waiting, failed by reason, skipped by reason."""

    broadcast_id: int
    total: int = 0
    delivered: int = 0
    pending: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    # Messages to people without a linked chat wait in their web chat until they open it.
    waiting_in_web_chat: int = 0
    pending_by_channel: Counter[str] = field(default_factory=Counter)

    @property
    def finished(self) -> bool:
        """True when nothing is left for a channel sender (the web chat pulls its own)."""
        return self.pending == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "broadcast": self.broadcast_id,
            "total": self.total,
            "delivered": self.delivered,
            "pending": self.pending,
            "waiting_in_web_chat": self.waiting_in_web_chat,
            "failed": dict(self.failed),
            "skipped": dict(self.skipped),
        }


async def create_broadcast(
    db: Database,
    *,
    audience: Audience,
    reply: Reply,
    title: str,
    now: datetime,
    created_by_id: int | None = None,
) -> int:
    """Select the audience and queue the message for each of them; returns the broadcast id."""
    async with db.transaction() as session:
        broadcast = Broadcast(
            title=title[:200],
            audience=str(audience),
            payload=reply.to_json(),
            state="queued",
            created_by_id=created_by_id,
            created_at=now,
        )
        session.add(broadcast)
        await session.flush()
        people = await _audience(session, audience)
        chats, skipped = await _chats_for(session, people, now)
        payload = reply.to_json()
        recipients: list[dict[str, Any]] = [
            {"broadcast_id": broadcast.id, "employee_id": emp, "outbox_id": None, "skipped": why}
            for emp, why in skipped.items()
        ]
        rows = [
            {
                "kind": "message",
                "channel": channel,
                "chat_account_id": account_id,
                "employee_id": emp,
                "payload": payload,
                "priority": PRIORITY_BULK,
                "idempotency_key": f"broadcast:{broadcast.id}:{emp}",
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for emp, (account_id, channel) in chats.items()
        ]
        for start in range(0, len(rows), CHUNK):
            created = await session.execute(
                insert(OutboxItem).returning(OutboxItem.id, OutboxItem.employee_id),
                rows[start : start + CHUNK],
            )
            recipients += [
                {"broadcast_id": broadcast.id, "employee_id": r.employee_id, "outbox_id": r.id,
                 "skipped": None}
                for r in created
            ]  # fmt: skip
        for start in range(0, len(recipients), CHUNK):
            await session.execute(insert(BroadcastRecipient), recipients[start : start + CHUNK])
        broadcast.recipients = len(recipients)
        return broadcast.id


async def _audience(session: AsyncSession, audience: Audience) -> list[tuple[int, str]]:
    query = select(Employee.id, Employee.nip).where(Employee.active.is_(True))
    if audience.kind == "role":
        query = query.where(Employee.with_role(audience.value))
    elif audience.kind == "unit":
        units = await _unit_and_below(session, audience.value)
        query = query.where(Employee.unit_id.in_(units))
    return [(p.id, p.nip) for p in await session.execute(query.order_by(Employee.id))]


async def _unit_and_below(session: AsyncSession, code: str) -> set[int]:
    units = (await session.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.parent_id))).all()
    roots = {u.id for u in units if u.code == code}
    if not roots:
        raise LookupError(f"no unit with code {code!r}")
    found, grew = set(roots), True
    while grew:
        below = {u.id for u in units if u.parent_id in found} - found
        found |= below
        grew = bool(below)
    return found


async def _chats_for(
    session: AsyncSession, people: list[tuple[int, str]], now: datetime
) -> tuple[dict[int, tuple[int, str]], dict[int, str]]:
    """Each person's chat (as core.outbox.push picks it), and who is skipped and why."""
    ids = [emp for emp, _ in people]
    accounts: dict[int, list[Any]] = {}
    for start in range(0, len(ids), CHUNK):
        found = await session.execute(
            select(ChatAccount.id, ChatAccount.employee_id, ChatAccount.channel,
                   ChatAccount.active, ChatAccount.last_inbound_at)
            .where(ChatAccount.employee_id.in_(ids[start : start + CHUNK]),
                   ChatAccount.is_group.is_(False))
        )  # fmt: skip
        for row in found:
            accounts.setdefault(row.employee_id, []).append(row)
    chats: dict[int, tuple[int, str]] = {}
    skipped: dict[int, str] = {}
    missing_local: list[tuple[int, str]] = []
    for emp, nip in people:
        mine = accounts.get(emp, [])
        active = [a for a in mine if a.active]
        if mine and not active:
            skipped[emp] = "inactive"
            continue
        # The chat they used last, as push() would pick; never-used chats last.
        active.sort(key=lambda a: (a.last_inbound_at is not None, a.last_inbound_at, a.id))
        if active:
            chats[emp] = (active[-1].id, active[-1].channel)
        else:
            missing_local.append((emp, nip))
    if missing_local:
        # Nobody linked a chat yet: the message waits in their web chat, as push() does.
        await session.execute(
            insert(ChatAccount),
            [{"channel": LOCAL_CHANNEL, "external_id": nip, "employee_id": emp,
              "created_at": now} for emp, nip in missing_local],
        )  # fmt: skip
        made = await session.execute(
            select(ChatAccount.id, ChatAccount.employee_id).where(
                ChatAccount.channel == LOCAL_CHANNEL,
                ChatAccount.employee_id.in_([emp for emp, _ in missing_local]),
            )
        )
        chats.update({r.employee_id: (r.id, LOCAL_CHANNEL) for r in made})
    return chats, skipped


async def report(db: Database, broadcast_id: int, now: datetime | None = None) -> BroadcastReport:
    """Count where the broadcast stands; with `now`, mark it done once nothing is pending."""
    result = BroadcastReport(broadcast_id)
    async with db.transaction() as session:
        by_state = await session.execute(
            select(OutboxItem.channel, OutboxItem.status, OutboxItem.last_error, func.count())
            .join(BroadcastRecipient, BroadcastRecipient.outbox_id == OutboxItem.id)
            .where(BroadcastRecipient.broadcast_id == broadcast_id)
            .group_by(OutboxItem.channel, OutboxItem.status, OutboxItem.last_error)
        )
        for channel, status, error, count in by_state:
            result.total += count
            if status == "sent":
                result.delivered += count
            elif status == "pending" and channel == LOCAL_CHANNEL:
                result.waiting_in_web_chat += count
            elif status == "pending":
                result.pending += count
                result.pending_by_channel[channel] += count
            elif status == "skipped":
                result.skipped[error or "skipped"] += count
            else:
                result.failed[error or status] += count
        not_queued = await session.execute(
            select(BroadcastRecipient.skipped, func.count())
            .where(BroadcastRecipient.broadcast_id == broadcast_id,
                   BroadcastRecipient.outbox_id.is_(None))
            .group_by(BroadcastRecipient.skipped)
        )  # fmt: skip
        for why, count in not_queued:
            result.total += count
            result.skipped[why or "skipped"] += count
        if now is not None and result.finished:
            await session.execute(
                update(Broadcast)
                .where(Broadcast.id == broadcast_id, Broadcast.state != "done")
                .values(state="done", finished_at=now)
            )
    return result
