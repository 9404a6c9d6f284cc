"""Service requests, their approval steps, delegations and the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.storage.base import Base
from core.storage.types import UTCDateTime

# The one place that says which leave requests count: approved leave (also once sent to the
# backend, and completed or imported history) is leave TAKEN; leave waiting for approval is
# RESERVED, so the same days cannot be asked twice. Balances, overlaps, "who is away" and the
# learning days off (lessons/daysoff.py) all read these.
LEAVE_TAKEN = ("approved", "sent", "completed")
LEAVE_RESERVED = ("submitted", "waiting")


class ServiceRequest(Base):
    """One employee's request for a service, from submission to completion."""

    __tablename__ = "service_requests"
    __table_args__ = (Index("ix_requests_employee_dates", "employee_id", "start_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str | None] = mapped_column(String(30), unique=True)
    service_id: Mapped[str] = mapped_column(String(60))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    # draft | submitted | waiting | approved | sent | completed | rejected | cancelled | failed
    status: Mapped[str] = mapped_column(String(20), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    days: Mapped[float | None] = mapped_column(Float)
    # Leave code (tahunan, sakit …) for leave requests: balances and overlaps query it.
    kind: Mapped[str | None] = mapped_column(String(30))
    current_step: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str | None] = mapped_column(String(20))
    # Set for requests another app made through the inbound API (its name).
    source_app: Mapped[str | None] = mapped_column(String(60))
    backend_ref: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    steps: Mapped[list[ApprovalStep]] = relationship(
        back_populates="request", order_by="ApprovalStep.id"
    )


class ApprovalStep(Base):
    """One approver's part in a request; steps sharing `step` run in parallel."""

    __tablename__ = "approval_steps"
    __table_args__ = (Index("ix_approval_steps_due", "status", "remind_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    # For parallel steps: "any" (the first response decides) or "all" (every one must agree).
    mode: Mapped[str] = mapped_column(String(5), default="any")
    approver_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    # Set when the prompt went to a delegate (Plt./Plh.) instead of the approver.
    acting_for_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    # For leave: "atasan" (the atasan langsung's consideration) or "pybmc" (the decision of
    # the Pejabat yang Berwenang Memberikan Cuti); None for other services.
    role: Mapped[str | None] = mapped_column(String(20))
    # For leave: setuju | perubahan | ditangguhkan | tidak_disetujui (leave_authority.py).
    outcome: Mapped[str | None] = mapped_column(String(20))
    # waiting | pending (a later step, not asked yet) | approved | rejected | skipped
    # | escalated | reassigned | cancelled
    status: Mapped[str] = mapped_column(String(20), default="waiting")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
    # The button group of the latest prompt, retired when the step is decided elsewhere.
    prompt_group: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    request: Mapped[ServiceRequest] = relationship(back_populates="steps")


class Delegation(Base):
    """A supervisor's acting official (Plt./Plh.) or delegate for a date range."""

    __tablename__ = "delegations"

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    kind: Mapped[str] = mapped_column(String(10), default="plh")
    # The assignment letter (surat perintah Plh./Plt.): without it a delegate may not decide
    # leave, which is a legal authority (integrations.leave_authority).
    letter_number: Mapped[str | None] = mapped_column(String(120))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """Who did what, when, from which channel — including refused attempts."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    channel: Mapped[str | None] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
