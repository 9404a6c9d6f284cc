"""Backend links: circuit breakers, inbound API keys and the sandbox HR backend's records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UTCDateTime


class BackendCircuit(Base):
    """A circuit breaker per backend, in a table so restarts and other instances share it."""

    __tablename__ = "backend_circuits"

    backend: Mapped[str] = mapped_column(String(60), primary_key=True)
    state: Mapped[str] = mapped_column(String(10), default="closed")  # closed | open | half
    failures: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiKey(Base):
    """An inbound API key of another municipal app; only its SHA-256 hash is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Signs the callbacks this app receives (HMAC-SHA256); shown once with the key.
    callback_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SandboxRecord(Base):
    """What the built-in sandbox HR backend received: one row per idempotency key."""

    __tablename__ = "sandbox_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    operation: Mapped[str] = mapped_column(String(40))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    external_ref: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
