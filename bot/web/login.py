"""Web chat login by one-time code: NIP → code on the linked Telegram/WhatsApp → session.

Every answer to a code request is the same whether the NIP exists, is linked or not (no
account enumeration). Requests and checks are counted in a table, per NIP and per client
address, so several instances share the limits. Failures are audited without the code.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit
from core.messages import Reply
from core.outbox import LOCAL_CHANNEL, enqueue_reply
from core.statuses import OutboxStatus
from core.storage.models import ChatAccount, Employee, OutboxItem, WebAuthAttempt, WebLoginCode
from core.text import T

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=15)
# Per 15 minutes: code requests per NIP / per address; failed checks per NIP / per address.
REQUESTS_PER_NIP = 3
REQUESTS_PER_ADDRESS = 10
FAILURES_PER_NIP = 5
FAILURES_PER_ADDRESS = 20
# Wrong guesses one code survives before it is void.
FAILURES_PER_CODE = 5

CODE_MESSAGE = T(
    "Kode masuk web chat Ayo: {code}\nBerlaku {minutes} menit. Jangan berikan kode ini kepada "
    "siapa pun, termasuk petugas. Jika Anda tidak sedang masuk, abaikan pesan ini.",
    "Your Ayo web chat login code: {code}\nValid for {minutes} minutes. Never share it with "
    "anyone, staff included. If you are not logging in, ignore this message.",
)


CODE_USED = T("Kode masuk web chat Ayo (sudah dipakai).", "Ayo web chat login code (used).")


class RateLimited(Exception):
    """Too many attempts; `retry_after` seconds until the oldest one leaves the window."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("rate limited")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Checked:
    employee_id: int | None


def clean_nip(raw: str) -> str:
    """What the employee typed, without spaces and dots (NIPs are often printed grouped)."""
    return "".join(ch for ch in raw if ch.isdigit())[:32]


def _hash(employee_id: int, code: str) -> str:
    return hashlib.sha256(f"{employee_id}:{code}".encode()).hexdigest()


async def _limit(
    session: AsyncSession,
    kind: str,
    nip: str,
    address: str,
    now: datetime,
    per_nip: int,
    per_address: int,
    *,
    failures_only: bool,
) -> None:
    since = now - WINDOW
    for column, value, limit in (
        (WebAuthAttempt.nip, nip, per_nip),
        (WebAuthAttempt.address, address, per_address),
    ):
        query = select(func.count(WebAuthAttempt.id), func.min(WebAuthAttempt.at)).where(
            WebAuthAttempt.kind == kind, column == value, WebAuthAttempt.at > since
        )
        if failures_only:
            query = query.where(WebAuthAttempt.ok.is_(False))
        count, oldest = (await session.execute(query)).one()
        if count >= limit:
            wait = (oldest + WINDOW - now).total_seconds() if oldest else WINDOW.total_seconds()
            raise RateLimited(max(1, int(wait) + 1))


async def _employee(session: AsyncSession, nip: str) -> Employee | None:
    if len(nip) != 18:
        return None
    return (
        await session.execute(select(Employee).where(Employee.nip == nip, Employee.active))
    ).scalar()


async def _linked_chat(session: AsyncSession, employee_id: int) -> ChatAccount | None:
    """The Telegram/WhatsApp private chat the employee used last."""
    return (
        (
            await session.execute(
                select(ChatAccount)
                .where(
                    ChatAccount.employee_id == employee_id,
                    ChatAccount.channel != LOCAL_CHANNEL,
                    ChatAccount.is_group.is_(False),
                    ChatAccount.active.is_(True),
                )
                .order_by(ChatAccount.last_inbound_at.desc().nulls_last(), ChatAccount.id.desc())
            )
        )
        .scalars()
        .first()
    )


async def request_code(app: Any, raw_nip: str, address: str) -> None:
    """Send a login code if the NIP belongs to an active, linked employee; else nothing.

    Raises RateLimited; otherwise the caller answers the same neutral text in every case.
    """
    nip = clean_nip(raw_nip)
    now: datetime = app.deps.clock()
    minutes = app.settings.login_code_minutes
    async with app.db.transaction() as session:
        await _limit(
            session,
            "request",
            nip,
            address,
            now,
            REQUESTS_PER_NIP,
            REQUESTS_PER_ADDRESS,
            failures_only=False,
        )
        employee = await _employee(session, nip)
        account = await _linked_chat(session, employee.id) if employee is not None else None
        linked = account is not None
        session.add(WebAuthAttempt(kind="request", nip=nip, address=address, ok=linked, at=now))
        if employee is None or account is None:
            audit.record(
                session,
                now=now,
                actor_id=employee.id if employee is not None else None,
                channel="web",
                entity="web_login",
                entity_id=employee.id if employee is not None else None,
                action="code_refused",
                detail={
                    "reason": "unknown_nip" if employee is None else "no_linked_chat",
                    "address": address,
                },
            )
            return
        # A new code voids the earlier ones: only the latest message is valid.
        await session.execute(
            update(WebLoginCode)
            .where(WebLoginCode.employee_id == employee.id, WebLoginCode.used_at.is_(None))
            .values(used_at=now)
        )
        code = f"{secrets.randbelow(1_000_000):06d}"
        row = WebLoginCode(
            employee_id=employee.id,
            code_hash=_hash(employee.id, code),
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
        session.add(row)
        await session.flush()
        enqueue_reply(
            session,
            account,
            Reply(CODE_MESSAGE.format(code=code, minutes=minutes), sensitive=True),
            now=now,
            key=f"weblogin:{row.id}",
        )
        audit.record(
            session,
            now=now,
            actor_id=employee.id,
            channel="web",
            entity="web_login",
            entity_id=employee.id,
            action="code_sent",
            detail={"via": account.channel, "address": address},
        )
    log.info("web login code queued for employee %s via %s", employee.id, account.channel)
    if app.inbound is not None:
        # Wake the sender now instead of at its next sweep.
        app.inbound.spawn(app.inbound.after_hook())


async def verify_code(app: Any, raw_nip: str, code: str, address: str) -> int | None:
    """The employee id when `code` is the NIP's live code; None otherwise (audited)."""
    nip = clean_nip(raw_nip)
    code = "".join(ch for ch in code if ch.isdigit())
    now: datetime = app.deps.clock()
    async with app.db.transaction() as session:
        await _limit(
            session,
            "verify",
            nip,
            address,
            now,
            FAILURES_PER_NIP,
            FAILURES_PER_ADDRESS,
            failures_only=True,
        )
        employee = await _employee(session, nip)
        row = None
        if employee is not None:
            row = (
                await session.execute(
                    select(WebLoginCode)
                    .where(
                        WebLoginCode.employee_id == employee.id,
                        WebLoginCode.used_at.is_(None),
                        WebLoginCode.expires_at > now,
                    )
                    .order_by(WebLoginCode.id.desc())
                )
            ).scalar()
        ok = (
            row is not None
            and len(code) == 6
            and hmac.compare_digest(row.code_hash, _hash(row.employee_id, code))
        )
        session.add(WebAuthAttempt(kind="verify", nip=nip, address=address, ok=ok, at=now))
        if ok:
            row.used_at = now
            # The sent messages held the code in plain text: keep them, without it.
            await session.execute(
                update(OutboxItem)
                .where(
                    OutboxItem.employee_id == employee.id,
                    OutboxItem.idempotency_key.like("weblogin:%"),
                    OutboxItem.status != OutboxStatus.PENDING,
                )
                .values(payload=Reply(CODE_USED).to_json())
            )
            audit.record(
                session,
                now=now,
                actor_id=employee.id,
                channel="web",
                entity="web_login",
                entity_id=employee.id,
                action="login",
                detail={"method": "code", "address": address},
            )
            return employee.id
        if row is not None:
            row.failures += 1
            if row.failures >= FAILURES_PER_CODE:
                row.used_at = now
        reason = "unknown_nip" if employee is None else "no_live_code" if row is None else "wrong"
        audit.record(
            session,
            now=now,
            actor_id=employee.id if employee is not None else None,
            channel="web",
            entity="web_login",
            entity_id=employee.id if employee is not None else None,
            action="login_failed",
            detail={"reason": reason, "address": address},
        )
        return None
