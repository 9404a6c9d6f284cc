"""All tables; importing this module registers every model on `Base.metadata`."""

from core.storage.models.backends import ApiKey, BackendCircuit, SandboxRecord
from core.storage.models.balances import LeaveOpeningBalance
from core.storage.models.chat import (
    ButtonToken,
    ChannelMessageRef,
    ChatAccount,
    Conversation,
    HeldMessage,
    InboxItem,
    IntentExample,
    LinkAttempt,
    LinkCode,
    OutboxItem,
    UnknownMessage,
)
from core.storage.models.delivery import Broadcast, BroadcastRecipient
from core.storage.models.development import NeedsAnalysis
from core.storage.models.handoff import HandoffCase, HandoffMessage
from core.storage.models.jobs import JobClaim
from core.storage.models.leave_admin import LeaveAuthority, LeaveLetter, StoredDocument
from core.storage.models.lessons import (
    LearnerPrefs,
    LearningDay,
    LearningEvent,
    LessonProgress,
    QuizAnswer,
    ReviewCard,
    StoredLesson,
    StoredQuestion,
)
from core.storage.models.org import Employee, OrgUnit
from core.storage.models.requests import (
    LEAVE_RESERVED,
    LEAVE_TAKEN,
    ApprovalStep,
    AuditEvent,
    Delegation,
    ServiceRequest,
)
from core.storage.models.web import PrivacyErasure, WebAuthAttempt, WebLoginCode, WebSession

__all__ = [
    "LEAVE_RESERVED",
    "LEAVE_TAKEN",
    "ApiKey",
    "ApprovalStep",
    "AuditEvent",
    "BackendCircuit",
    "Broadcast",
    "BroadcastRecipient",
    "ButtonToken",
    "ChannelMessageRef",
    "ChatAccount",
    "Conversation",
    "Delegation",
    "Employee",
    "HandoffCase",
    "HandoffMessage",
    "HeldMessage",
    "InboxItem",
    "IntentExample",
    "JobClaim",
    "LearnerPrefs",
    "LearningDay",
    "LearningEvent",
    "LeaveAuthority",
    "LeaveLetter",
    "LeaveOpeningBalance",
    "LessonProgress",
    "LinkAttempt",
    "LinkCode",
    "NeedsAnalysis",
    "OrgUnit",
    "OutboxItem",
    "PrivacyErasure",
    "QuizAnswer",
    "ReviewCard",
    "SandboxRecord",
    "ServiceRequest",
    "StoredDocument",
    "StoredLesson",
    "StoredQuestion",
    "UnknownMessage",
    "WebAuthAttempt",
    "WebLoginCode",
    "WebSession",
]
