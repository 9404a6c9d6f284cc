"""The statuses rows move through, one enum per kind of row: the one place they are spelled.

Each is a `StrEnum`, so a member equals the string stored in the column (rows written before
keep reading, `LEAVE_TAKEN`'s strings still match) and a typo is an AttributeError, not a
comparison that is silently never true.
"""

from __future__ import annotations

from enum import StrEnum


class RequestStatus(StrEnum):
    """A service request (`service_requests.status`); the moves are integrations/lifecycle.py."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    WAITING = "waiting"
    APPROVED = "approved"
    SENT = "sent"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    # The PyBMC's other decisions on leave: ditangguhkan, perubahan.
    POSTPONED = "postponed"
    RETURNED = "returned"
    FAILED = "failed"


class StepStatus(StrEnum):
    """One approver's step (`approval_steps.status`)."""

    WAITING = "waiting"
    # A later step, not asked yet.
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    # Handed to another approver (the organisation import moved the old one).
    REASSIGNED = "reassigned"


class InboxStatus(StrEnum):
    """An inbound update (`inbox.status`)."""

    PENDING = "pending"
    # Its step was committed and a backend is being asked (since `processed_at`); the answer
    # is written in a second transaction (bot/engine.py, bot/inbound/waiting.py).
    CALLING = "calling"
    PROCESSED = "processed"
    FAILED = "failed"
    # Authentic but unreadable: answered 200 and kept aside.
    ASIDE = "aside"


class OutboxStatus(StrEnum):
    """Something leaving the process (`outbox.status`)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    # A backend call that gave up after its retries (integrations/delivery.py).
    DEAD = "dead"
    # Never sent: the employee's data was erased first (bot/privacy.py).
    ERASED = "erased"
