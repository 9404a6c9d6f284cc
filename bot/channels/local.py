"""The local channel shared by the web chat and the console: messages are pulled, not pushed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.engine import Engine
from bot.types import ChatRef, Inbound
from core import markdown
from core.messages import Reply
from core.outbox import LOCAL_CHANNEL, local_account
from core.statuses import OutboxStatus
from core.storage.models import Employee, InboxItem, OutboxItem


@dataclass(frozen=True, slots=True)
class LocalMessage:
    """A bot message as the local clients show it, in the employee's language."""

    outbox_id: int
    in_reply_to: int | None  # inbox id of the message it answers; None for a push
    text: str
    # (label, token); in the web chat's history a button no longer valid has no token.
    buttons: tuple[tuple[str, str | None], ...]
    # A file sent with the message: {"filename", "url"} (the web chat shows a download link).
    attachment: dict[str, str] | None = None
    at: str | None = None  # when it was written, in the employee's local time (ISO 8601)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.outbox_id,
            "from": "bot",
            "in_reply_to": self.in_reply_to,
            "text": self.text,
            # The text rendered from its Markdown as safe HTML, for the web chat's page.
            "html": markdown.web_html(self.text),
            "buttons": [{"label": label, "token": token} for label, token in self.buttons],
            "attachment": self.attachment,
            "at": self.at,
        }


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the web chat learns about a message it sent: the inbox row and its answers."""

    inbox_id: int
    at: str
    replies: list[LocalMessage]


def zone_of(employee: Employee, settings_timezone: str) -> ZoneInfo:
    """The employee's time zone, as the engine's `Context.tz` picks it."""
    return ZoneInfo(employee.timezone or settings_timezone)


def local_iso(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat(timespec="seconds")


def message_of(
    row: OutboxItem,
    employee: Employee,
    language: str,
    tz: ZoneInfo,
    live: set[str] | None = None,
) -> LocalMessage:
    """One outbox row as the local clients show it; with `live`, dead buttons lose their token."""
    reply = Reply.from_json(row.payload)
    return LocalMessage(
        outbox_id=row.id,
        in_reply_to=row.in_reply_to,
        text=reply.text.get(language),
        buttons=tuple(
            (b.label.get(language), b.token if live is None or b.token in live else None)
            for b in reply.buttons
        ),
        attachment=_attachment(employee.nip, reply),
        at=local_iso(row.created_at, tz),
    )


class LocalChannel:
    name = LOCAL_CHANNEL

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.db = engine.deps.db

    async def employee(self, nip: str) -> Employee | None:
        async with self.db.sessions() as session:
            return (await session.execute(select(Employee).where(Employee.nip == nip))).scalar()

    async def ensure_account(self, employee: Employee) -> None:
        async with self.db.transaction() as session:
            await local_account(session, employee.id, self.engine.deps.clock())

    async def say(
        self,
        nip: str,
        *,
        text: str | None = None,
        button: str | None = None,
        client_id: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> int | None:
        """Hand one message to the engine; `client_id` makes a resent message harmless."""
        employee = await self.employee(nip)
        if employee is None:
            raise LookupError("unknown employee")
        await self.ensure_account(employee)
        inbound = Inbound(
            chat=ChatRef(LOCAL_CHANNEL, nip),
            key=f"{nip}:{client_id or uuid.uuid4().hex}",
            text=text,
            button=button,
            meta=dict(meta or {}),
        )
        return await self.engine.handle(inbound)

    async def collect(self, nip: str) -> list[LocalMessage]:
        """Deliver every waiting message for this employee (marks them sent)."""
        now = self.engine.deps.clock()
        async with self.db.transaction() as session:
            employee = (
                await session.execute(select(Employee).where(Employee.nip == nip))
            ).scalar()
            if employee is None:
                raise LookupError("unknown employee")
            account = await local_account(session, employee.id, now)
            rows = (
                (
                    await session.execute(
                        select(OutboxItem)
                        .where(
                            OutboxItem.chat_account_id == account.id,
                            OutboxItem.status == OutboxStatus.PENDING,
                        )
                        .order_by(OutboxItem.id)
                        .with_for_update(skip_locked=True)
                    )
                )
                .scalars()
                .all()
            )
            return self._deliver(employee, rows, now)

    async def receipt(self, nip: str, client_id: str) -> Receipt | None:
        """The message sent with `client_id` and its answers, delivered again when asked.

        A retried send (its first answer lost on a slow connection) is not processed twice:
        the inbox key is unique. The retry gets the first send's answers instead, so nothing
        the bot said is lost with the dropped response.
        """
        now = self.engine.deps.clock()
        async with self.db.transaction() as session:
            employee = (
                await session.execute(select(Employee).where(Employee.nip == nip))
            ).scalar()
            if employee is None:
                raise LookupError("unknown employee")
            item = (
                await session.execute(
                    select(InboxItem).where(
                        InboxItem.channel == LOCAL_CHANNEL,
                        InboxItem.external_key == f"{nip}:{client_id}",
                    )
                )
            ).scalar()
            if item is None:
                return None
            rows = (
                (
                    await session.execute(
                        select(OutboxItem)
                        .where(
                            OutboxItem.in_reply_to == item.id,
                            OutboxItem.chat_account_id == item.chat_account_id,
                        )
                        .order_by(OutboxItem.id)
                    )
                )
                .scalars()
                .all()
            )
            tz = zone_of(employee, self.engine.deps.settings.timezone)
            replies = self._deliver(employee, rows, now)
            return Receipt(item.id, local_iso(item.received_at, tz), replies)

    def _deliver(self, employee: Employee, rows: Any, now: datetime) -> list[LocalMessage]:
        """Render rows for the employee, marking the waiting ones sent."""
        settings = self.engine.deps.settings
        language = employee.language or settings.language
        tz = zone_of(employee, settings.timezone)
        messages = []
        for row in rows:
            if row.status == OutboxStatus.PENDING:
                row.status = OutboxStatus.SENT
                row.sent_at = now
                row.attempts += 1
            messages.append(message_of(row, employee, language, tz))
        return messages


def _attachment(nip: str, reply: Reply) -> dict[str, str] | None:
    found = reply.attachment
    if found is None:
        return None
    return {"filename": found.filename, "url": f"/api/local/me/files/{found.kind}/{found.ref}"}
