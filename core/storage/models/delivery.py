"""Broadcasts: one message to many employees, resumable because the rows are the state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UTCDateTime


class Broadcast(Base):
    """A message to an audience ("all", "unit:CODE", "role:NAME"), queued in the outbox."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # Reply.to_json()
    state: Mapped[str] = mapped_column(String(12), default="queued")  # queued | done
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BroadcastRecipient(Base):
    """One employee of a broadcast and the outbox row that reaches them (None if skipped)."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (UniqueConstraint("broadcast_id", "employee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    # Why nobody was queued for this employee: "inactive" (blocked the bot), "no_chat".
    skipped: Mapped[str | None] = mapped_column(String(20))
