"""Handoff cases: a person takes over a conversation the bot promised to hand on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UTCDateTime

# open: waiting in the team's queue | taken: an operator answers | closed | cancelled (by the
# employee, "kembali ke bot")
CASE_ACTIVE = ("open", "taken")


class HandoffCase(Base):
    """One promise of a person: who asked, about what, which team, and where it stands."""

    __tablename__ = "handoff_cases"
    __table_args__ = (
        Index("ix_handoff_cases_queue", "team", "status", "created_at"),
        Index("ix_handoff_cases_chat", "chat_account_id", "status"),
        Index("ix_handoff_cases_due", "status", "remind_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(30), unique=True)
    team: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str] = mapped_column(String(40))
    # What made the promise: the intent, a leave type handled by a person, a second miss.
    source: Mapped[str] = mapped_column(String(60))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    chat_account_id: Mapped[int] = mapped_column(ForeignKey("chat_accounts.id"))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="open")
    # The last messages before the handoff, redacted (no NIPs, phones, e-mail addresses).
    context: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    # "chat" when the operator took it from their own chat (replies are relayed there).
    operator_via: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When the employee was told to expect an answer (working calendar).
    expected_by: Mapped[datetime] = mapped_column(UTCDateTime())
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_note: Mapped[str | None] = mapped_column(String(500))
    rating: Mapped[int | None] = mapped_column(Integer)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HandoffMessage(Base):
    """One message of a case's conversation: the employee's, an operator's, or a note."""

    __tablename__ = "handoff_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("handoff_cases.id"), index=True)
    author: Mapped[str] = mapped_column(String(10))  # employee | operator | system
    author_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
