"""Web chat sessions, one-time login codes, login attempts (rate limits) and privacy erasures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UTCDateTime


class WebSession(Base):
    """A logged-in browser; the cookie holds a random id, the table only its SHA-256."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    # Sent back in forms and the X-CSRF-Token header; bound to this session only.
    csrf: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10))  # code | demo
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebLoginCode(Base):
    """A one-time login code sent to the employee's linked chat; stored hashed."""

    __tablename__ = "web_login_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failures: Mapped[int] = mapped_column(Integer, default=0)


class WebAuthAttempt(Base):
    """A code request or a code check, counted per NIP and per address for the rate limits."""

    __tablename__ = "web_auth_attempts"
    __table_args__ = (
        Index("ix_web_auth_nip", "kind", "nip", "at"),
        Index("ix_web_auth_address", "kind", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # request | verify
    nip: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class PrivacyErasure(Base):
    """An erasure under UU 27/2022 (PDP): what was removed and which records were kept."""

    __tablename__ = "privacy_erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    kept: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
