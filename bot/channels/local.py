"""The local channel shared by the web chat and the console: messages are pulled, not pushed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.engine import Engine
from bot.types import ChatRef, Inbound
from core import markdown
from core.messages import Reply
from core.outbox import LOCAL_CHANNEL, local_account
from core.storage.models import Employee, OutboxItem


@dataclass(frozen=True, slots=True)
class LocalMessage:
    """A bot message as the local clients show it, in the employee's language."""

    outbox_id: int
    in_reply_to: int | None  # inbox id of the message it answers; None for a push
    text: str
    buttons: tuple[tuple[str, str], ...]  # (label, token)
    # A file sent with the message: {"filename", "url"} (the web chat shows a download link).
    attachment: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.outbox_id,
            "in_reply_to": self.in_reply_to,
            "text": self.text,
            # The text rendered from its Markdown as safe HTML, for the web chat's page.
            "html": markdown.web_html(self.text),
            "buttons": [{"label": label, "token": token} for label, token in self.buttons],
            "attachment": self.attachment,
        }


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
                            OutboxItem.status == "pending",
                        )
                        .order_by(OutboxItem.id)
                        .with_for_update(skip_locked=True)
                    )
                )
                .scalars()
                .all()
            )
            language = employee.language or self.engine.deps.settings.language
            messages = []
            for row in rows:
                reply = Reply.from_json(row.payload)
                row.status = "sent"
                row.sent_at = now
                row.attempts += 1
                messages.append(
                    LocalMessage(
                        outbox_id=row.id,
                        in_reply_to=row.in_reply_to,
                        text=reply.text.get(language),
                        buttons=tuple((b.label.get(language), b.token) for b in reply.buttons),
                        attachment=_attachment(employee.nip, reply),
                    )
                )
            return messages


def _attachment(nip: str, reply: Reply) -> dict[str, str] | None:
    found = reply.attachment
    if found is None:
        return None
    return {"filename": found.filename, "url": f"/api/local/me/files/{found.kind}/{found.ref}"}
