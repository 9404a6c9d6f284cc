"""All tables; importing this module registers every model on `Base.metadata`."""

from core.storage.models.chat import (
    ButtonToken,
    ChatAccount,
    Conversation,
    InboxItem,
    LinkAttempt,
    LinkCode,
    OutboxItem,
    UnknownMessage,
)
from core.storage.models.jobs import JobClaim
from core.storage.models.org import Employee, OrgUnit
from core.storage.models.requests import ApprovalStep, AuditEvent, Delegation, ServiceRequest

__all__ = [
    "ApprovalStep",
    "AuditEvent",
    "ButtonToken",
    "ChatAccount",
    "Conversation",
    "Delegation",
    "Employee",
    "InboxItem",
    "JobClaim",
    "LinkAttempt",
    "LinkCode",
    "OrgUnit",
    "OutboxItem",
    "ServiceRequest",
    "UnknownMessage",
]
