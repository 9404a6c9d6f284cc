"""Competency development: each employee's yearly needs analysis (AKPK)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UTCDateTime


class NeedsAnalysis(Base):
    """One employee's analisis kebutuhan pengembangan kompetensi for one year.

    draft (rating) → submitted (the supervisor's digest) → confirmed (the gaps count).
    """

    __tablename__ = "needs_analyses"
    __table_args__ = (UniqueConstraint("employee_id", "year", name="uq_needs_employee_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    family: Mapped[str] = mapped_column(String(60))  # the position family (competencies.yaml)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    # competency id -> level: the employee's own rating, the supervisor's changes under
    # review, and what was confirmed (the profile compared with the standard).
    ratings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    adjusted: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    confirmed: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When to remind the supervisor who has not confirmed yet (lessons/needs_reminders.py):
    # a due time the scheduler sweeps, cleared once reminded or confirmed.
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
