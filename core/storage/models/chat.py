"""Chat accounts, conversation state, the inbox, the outbox and button tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UTCDateTime


class ChatAccount(Base):
    """One chat on one channel; linked to an employee once they prove who they are."""

    __tablename__ = "chat_accounts"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(64))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    # False once the user blocked the bot: bulk sends skip the chat until they write again.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str | None] = mapped_column(String(2))
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The worker processing this chat's inbox right now, and until when (bot/inbox_claims.py):
    # one worker per chat keeps its updates in order; a dead worker's lease soon runs out.
    inbox_owner: Mapped[str | None] = mapped_column(String(64))
    inbox_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When a worker last gave the chat back: chats served longest ago go first (fairness).
    inbox_served_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Conversation(Base):
    """The state of one chat's conversation: the active form and its slots."""

    __tablename__ = "conversations"

    chat_account_id: Mapped[int] = mapped_column(ForeignKey("chat_accounts.id"), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=0)


class InboxItem(Base):
    """An inbound update, committed before it is acknowledged; unique per channel key."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "external_key"),
        Index("ix_inbox_status_chat", "status", "chat_account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_key: Mapped[str] = mapped_column(String(100))
    chat_account_id: Mapped[int | None] = mapped_column(ForeignKey("chat_accounts.id"))
    kind: Mapped[str] = mapped_column(String(20))  # text | button | unsupported
    text: Mapped[str | None] = mapped_column(Text)
    button_token: Mapped[str | None] = mapped_column(String(64))
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(200))


class OutboxItem(Base):
    """Everything that leaves the process, written in the transaction that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "channel", "next_attempt_at"),
        Index("ix_outbox_chat", "chat_account_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(
        String(20), default="message"
    )  # message | backend | callback
    channel: Mapped[str | None] = mapped_column(String(20))
    chat_account_id: Mapped[int | None] = mapped_column(ForeignKey("chat_accounts.id"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    target: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    in_reply_to: Mapped[int | None] = mapped_column(ForeignKey("inbox.id"))
    priority: Mapped[int] = mapped_column(Integer, default=0)  # 0 interactive, 10 bulk
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(300))
    external_ref: Mapped[str | None] = mapped_column(String(100))


class ButtonToken(Base):
    """What a pressed button means, kept server-side; the chat only sees the opaque token."""

    __tablename__ = "button_tokens"

    token: Mapped[str] = mapped_column(String(24), primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    group: Mapped[str | None] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LinkCode(Base):
    """A one-time code that links a chat account to an employee; only its SHA-256 is kept."""

    __tablename__ = "link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LinkAttempt(Base):
    """A failed linking attempt, counted for the lockout."""

    __tablename__ = "link_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_account_id: Mapped[int] = mapped_column(ForeignKey("chat_accounts.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class UnknownMessage(Base):
    """A message the router did not understand, redacted, kept for curating the catalog."""

    __tablename__ = "unknown_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200), unique=True)
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())


class IntentExample(Base):
    """A curated example: a text (e.g. one Ayo did not understand) an HR admin assigned to an
    intent in the back office. The router learns it together with the catalog's examples."""

    __tablename__ = "intent_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200), unique=True)
    intent: Mapped[str] = mapped_column(String(80))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChannelMessageRef(Base):
    """A sent message a later reply may replace (edit), by the key the engine gave it."""

    __tablename__ = "channel_message_refs"
    __table_args__ = (UniqueConstraint("channel", "chat_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    ref: Mapped[str] = mapped_column(String(120))
    external_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HeldMessage(Base):
    """A message a closed WhatsApp window kept back (a template went instead); sent on reply."""

    __tablename__ = "held_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_account_id: Mapped[int] = mapped_column(ForeignKey("chat_accounts.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
