"""Account linking: one-time codes that bind a chat to an employee, with a lockout.

An HR admin (or `ayo link-code NIP`) creates a code; the employee sends it from the chat
(Telegram: `/start CODE` via `https://t.me/<bot>?start=CODE`). On WhatsApp the sender's number
must also match the phone on file. Five failed attempts within an hour lock the chat.
Codes are stored as their SHA-256 only; the plain code exists in the reply, letter or CSV
that hands it out.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import ChatAccount, Conversation, Employee, LinkAttempt, LinkCode

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_TTL = timedelta(hours=24)
MAX_FAILURES = 5
LOCK_WINDOW = timedelta(hours=1)
_CODE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")


class LinkResult(StrEnum):
    LINKED = "linked"
    WRONG = "wrong"
    EXPIRED = "expired"
    PHONE_MISMATCH = "phone_mismatch"
    LOCKED = "locked"


def normalise_code(text: str) -> str | None:
    """The code in what the user typed (case, spaces and dashes ignored), if it looks like one."""
    code = re.sub(r"[\s-]", "", text).upper()
    return code if _CODE.match(code) else None


def normalise_phone(phone: str | None) -> str:
    """A phone number as WhatsApp writes it: digits only, Indonesian 0… turned into 62…."""
    digits = re.sub(r"\D", "", phone or "")
    return "62" + digits[1:] if digits.startswith("0") else digits


def code_hash(code: str) -> str:
    """What the database keeps of a code: a leaked table gives nobody a usable code."""
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(frozen=True)
class NewCode:
    """A code as handed to a person once; the database only knows its hash."""

    employee_id: int
    code: str
    expires_at: datetime


async def create_code(
    session: AsyncSession, employee_id: int, *, now: datetime, ttl: timedelta = CODE_TTL
) -> NewCode:
    """A new one-time code for an employee; their earlier unused codes stop working."""
    return (await create_codes(session, [employee_id], now=now, ttl=ttl))[0]


async def create_codes(
    session: AsyncSession, employee_ids: list[int], *, now: datetime, ttl: timedelta = CODE_TTL
) -> list[NewCode]:
    """New codes for many employees at once (bulk letters), in the order given."""
    if not employee_ids:
        return []
    for chunk in _chunks(employee_ids):
        await session.execute(
            update(LinkCode)
            .where(LinkCode.employee_id.in_(chunk), LinkCode.used_at.is_(None))
            .values(expires_at=now)
            .execution_options(synchronize_session=False)
        )
    codes: set[str] = set()
    made: list[NewCode] = []
    for employee_id in employee_ids:
        code = _new_code()
        while code in codes:
            code = _new_code()
        codes.add(code)
        made.append(NewCode(employee_id, code, now + ttl))
    await session.execute(
        insert(LinkCode),
        [
            {
                "code_hash": code_hash(c.code),
                "employee_id": c.employee_id,
                "created_at": now,
                "expires_at": c.expires_at,
            }
            for c in made
        ],
    )
    return made


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _new_code() -> str:
    # A code always mixes letters and digits, so an ordinary word is never taken for one.
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if looks_like_code(code):
            return code


def looks_like_code(text: str) -> bool:
    """True if the text is code-shaped: eight code characters with letters and digits."""
    code = normalise_code(text)
    return code is not None and any(c.isdigit() for c in code) and any(c.isalpha() for c in code)


async def is_locked(session: AsyncSession, account: ChatAccount, now: datetime) -> bool:
    """True while the chat has had five failed attempts within the last hour."""
    failures = await session.scalar(
        select(func.count(LinkAttempt.id)).where(
            LinkAttempt.chat_account_id == account.id, LinkAttempt.at > now - LOCK_WINDOW
        )
    )
    return (failures or 0) >= MAX_FAILURES


async def redeem(
    session: AsyncSession,
    account: ChatAccount,
    typed: str,
    *,
    now: datetime,
    phone: str | None = None,
) -> tuple[LinkResult, Employee | None]:
    """Link the chat with the code typed; `phone` (WhatsApp) must match the phone on file."""
    if await is_locked(session, account, now):
        return LinkResult.LOCKED, None
    code = normalise_code(typed)
    row = await session.get(LinkCode, code_hash(code), with_for_update=True) if code else None
    if row is None or row.used_at is not None:
        session.add(LinkAttempt(chat_account_id=account.id, at=now))
        return LinkResult.WRONG, None
    if row.expires_at <= now:
        return LinkResult.EXPIRED, None
    employee = await session.get(Employee, row.employee_id)
    if employee is None or not employee.active:
        session.add(LinkAttempt(chat_account_id=account.id, at=now))
        return LinkResult.WRONG, None
    if phone is not None and normalise_phone(employee.phone) != normalise_phone(phone):
        session.add(LinkAttempt(chat_account_id=account.id, at=now))
        return LinkResult.PHONE_MISMATCH, None
    row.used_at = now
    await link(session, account, employee)
    return LinkResult.LINKED, employee


async def link(session: AsyncSession, account: ChatAccount, employee: Employee) -> None:
    """Bind the chat to the employee, starting a fresh conversation."""
    account.employee_id = employee.id
    account.active = True
    await _forget_conversation(session, account)


async def unlink(session: AsyncSession, account: ChatAccount) -> None:
    """Unbind the chat; the employee's other chats stay linked."""
    account.employee_id = None
    await _forget_conversation(session, account)


async def unlink_employee(
    session: AsyncSession, employee_id: int, channel: str | None = None
) -> int:
    """Unbind every chat of an employee (on one channel, or all but the local web chat)."""
    query = select(ChatAccount).where(
        ChatAccount.employee_id == employee_id, ChatAccount.channel != "local"
    )
    if channel is not None:
        query = query.where(ChatAccount.channel == channel)
    accounts = list((await session.execute(query)).scalars())
    for account in accounts:
        await unlink(session, account)
    return len(accounts)


async def _forget_conversation(session: AsyncSession, account: ChatAccount) -> None:
    # An update, not a delete: inside an engine step the row is loaded and saved again,
    # and the handler clears `ctx.state` itself.
    await session.execute(
        update(Conversation)
        .where(Conversation.chat_account_id == account.id)
        .values(state={})
        .execution_options(synchronize_session=False)
    )
