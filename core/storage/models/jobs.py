"""Claims on scheduled work: one row per (job kind, key, scheduled time), so it fires once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UTCDateTime


class JobClaim(Base):
    __tablename__ = "job_claims"
    __table_args__ = (UniqueConstraint("kind", "key", "scheduled_for"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(80))
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(12), default="done")  # done | skipped
