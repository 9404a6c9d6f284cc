"""Data-subject rights under UU 27/2022 (PDP): export everything about a person, or erase.

Export: Pasal 7 (access and a copy) and Pasal 13 ayat (1) (in a machine-readable format);
Pasal 33 huruf b (no access that discloses someone else's data) is why only rows about the
person are exported.

The export walks the schema, so a table added later is exported without touching this file:
every row whose foreign key points at the employee or at one of their chat accounts, plus the
rows that name them by NIP. Secrets (token and code hashes, CSRF tokens) are left out.

Erasure removes the conversation (message texts, conversation state, message previews kept
for channels) and the chat identifiers; the records the law or the civil-service rules require
— requests, approvals, audit, learning records, the personnel record itself — stay, and a
`privacy_erasures` row marks them with what was kept and what was removed.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, delete, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.auth import revoke_sessions
from core import audit
from core.statuses import OutboxStatus
from core.storage.base import Base
from core.storage.db import Database
from core.storage.models import (
    ChannelMessageRef,
    ChatAccount,
    Conversation,
    Employee,
    HeldMessage,
    InboxItem,
    LinkAttempt,
    LinkCode,
    OrgUnit,
    OutboxItem,
    PrivacyErasure,
    ServiceRequest,
    WebAuthAttempt,
    WebLoginCode,
    WebSession,
)

FORMAT = "ayo-privacy-export/1"
SECRET_COLUMNS = {"token_hash", "csrf", "code_hash", "key_hash", "code", "token"}
# Kept on erasure: UU 27/2022 Pasal 8 (the right to erasure) and Pasal 43 ayat (2) (erasure
# "sesuai dengan ketentuan peraturan perundang-undangan") yield to the records other law
# requires; Pasal 15 ayat (1) huruf c exempts "kepentingan umum dalam rangka penyelenggaraan
# negara". Leave requests, approvals, the audit trail and learning (JP) records are
# personnel records of the civil service. Which of them HR must keep, and for how long, is
# for HR to confirm (see docs/OPERATIONS.md).
REQUIRED_RECORDS = (
    "service_requests",
    "approval_steps",
    "delegations",
    "audit_events",
    "learning_events",
    "learning_days",
    "lesson_progress",
    "quiz_answers",
    "review_cards",
    "broadcast_recipients",
)


class UnknownPerson(LookupError):
    pass


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _row(table: Table, row: Any) -> dict[str, Any]:
    return {
        column.name: _plain(row._mapping[column])
        for column in table.columns
        if column.name not in SECRET_COLUMNS
    }


def _fk_columns(table: Table, target: str) -> list[Any]:
    return [
        column
        for column in table.columns
        if any(fk.target_fullname == f"{target}.id" for fk in column.foreign_keys)
    ]


async def _person(session: AsyncSession, nip: str) -> Employee:
    employee = (await session.execute(select(Employee).where(Employee.nip == nip))).scalar()
    if employee is None:
        raise UnknownPerson("no employee with this NIP")
    return employee


async def _accounts(session: AsyncSession, employee_id: int) -> list[ChatAccount]:
    query = select(ChatAccount).where(ChatAccount.employee_id == employee_id)
    return list((await session.execute(query)).scalars())


async def collect(session: AsyncSession, employee: Employee) -> dict[str, list[dict[str, Any]]]:
    """Every row about the employee, by table name."""
    accounts = await _accounts(session, employee.id)
    account_ids = [a.id for a in accounts]
    request_ids = list(
        (
            await session.execute(
                select(ServiceRequest.id).where(ServiceRequest.employee_id == employee.id)
            )
        ).scalars()
    )
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name == "employees":
            continue
        conditions = [c == employee.id for c in _fk_columns(table, "employees")]
        if account_ids:
            conditions += [c.in_(account_ids) for c in _fk_columns(table, "chat_accounts")]
        if request_ids:
            conditions += [c.in_(request_ids) for c in _fk_columns(table, "service_requests")]
        if table.name == "chat_accounts" and account_ids:
            conditions.append(table.c.id.in_(account_ids))
        if table.name == "audit_events":
            conditions.append(
                (table.c.entity.in_(("employee", "web_login")))
                & (table.c.entity_id == employee.id)
            )
        if "nip" in table.c:
            conditions.append(table.c.nip == employee.nip)
        if table.name == "channel_message_refs" and accounts:
            conditions += [
                (table.c.channel == a.channel) & (table.c.chat_id == a.external_id)
                for a in accounts
            ]
        if not conditions:
            continue
        rows = (await session.execute(select(table).where(or_(*conditions)))).all()
        if rows:
            tables[table.name] = [_row(table, r) for r in rows]
    return tables


async def export_person(db: Database, nip: str, now: datetime) -> dict[str, Any]:
    """Everything Ayo holds about the employee with this NIP (audited)."""
    async with db.transaction() as session:
        employee = await _person(session, nip)
        person = _row(Employee.__table__, (await session.execute(
            select(Employee.__table__).where(Employee.id == employee.id)
        )).one())  # fmt: skip
        units = []
        unit = await session.get(OrgUnit, employee.unit_id)
        while unit is not None:
            units.append({"code": unit.code, "name": unit.name, "kind": unit.kind})
            unit = await session.get(OrgUnit, unit.parent_id) if unit.parent_id else None
        tables = await collect(session, employee)
        audit.record(
            session,
            now=now,
            actor_id=None,
            channel="cli",
            entity="employee",
            entity_id=employee.id,
            action="privacy.export",
            detail={"tables": {name: len(rows) for name, rows in tables.items()}},
        )
        return {
            "format": FORMAT,
            "generated_at": now.isoformat(),
            "employee": person,
            "units": units,
            "tables": tables,
        }


async def erase_person(db: Database, nip: str, now: datetime) -> dict[str, Any]:
    """Remove the person's conversations and chat identifiers; keep and mark required records."""
    async with db.transaction() as session:
        employee = await _person(session, nip)
        accounts = await _accounts(session, employee.id)
        ids = [a.id for a in accounts]
        removed: dict[str, int] = {}

        async def run(name: str, statement: Any) -> None:
            result = await session.execute(statement)
            removed[name] = removed.get(name, 0) + (result.rowcount or 0)

        if ids:
            await run(
                "inbox",
                update(InboxItem)
                .where(InboxItem.chat_account_id.in_(ids))
                .values(text=None, meta={}, button_token=None),
            )
            await run(
                "conversations", delete(Conversation).where(Conversation.chat_account_id.in_(ids))
            )
            await run(
                "held_messages", delete(HeldMessage).where(HeldMessage.chat_account_id.in_(ids))
            )
            await run(
                "link_attempts", delete(LinkAttempt).where(LinkAttempt.chat_account_id.in_(ids))
            )
            for account in accounts:
                await run(
                    "channel_message_refs",
                    delete(ChannelMessageRef).where(
                        ChannelMessageRef.channel == account.channel,
                        ChannelMessageRef.chat_id == account.external_id,
                    ),
                )
        messages = (OutboxItem.kind == "message") & or_(
            OutboxItem.employee_id == employee.id,
            OutboxItem.chat_account_id.in_(ids) if ids else false(),
        )
        # Waiting messages are never sent; every message's text goes.
        waiting = OutboxItem.status == OutboxStatus.PENDING
        await run("outbox", update(OutboxItem).where(messages, waiting)
                  .values(status=OutboxStatus.ERASED))  # fmt: skip
        await session.execute(update(OutboxItem).where(messages).values(payload={"erased": True}))
        for account in accounts:
            # The chat id (Telegram user id, WhatsApp phone, NIP for the web chat) goes.
            account.external_id = f"erased-{account.id}"
            account.employee_id = None
            account.active = False
            account.language = None
        removed["chat_accounts"] = len(accounts)
        mine = employee.id
        await run("link_codes", delete(LinkCode).where(LinkCode.employee_id == mine))
        await run("web_login_codes", delete(WebLoginCode).where(WebLoginCode.employee_id == mine))
        await revoke_sessions(session, mine, now)
        await run("web_sessions", delete(WebSession).where(WebSession.employee_id == mine))
        await run("web_auth_attempts", delete(WebAuthAttempt).where(WebAuthAttempt.nip == nip))
        kept_rows = await collect(session, employee)
        kept = {name: len(kept_rows[name]) for name in REQUIRED_RECORDS if name in kept_rows}
        kept["employees"] = 1
        session.add(PrivacyErasure(employee_id=employee.id, at=now, removed=removed, kept=kept))
        audit.record(
            session,
            now=now,
            actor_id=None,
            channel="cli",
            entity="employee",
            entity_id=employee.id,
            action="privacy.erase",
            detail={"removed": removed, "kept": kept},
        )
        return {"employee_id": employee.id, "removed": removed, "kept": kept}
