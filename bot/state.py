"""Conversation state: one DB row per chat, typed.

What a chat is in the middle of: the open form run (`FormRun`), what the bot awaits
(`Awaiting`, one model per kind), forms parked as drafts, how many messages in a row were not
understood, and the handoff case an operator relays from this chat. The language is not here:
it is stored on the employee (or the chat account), so it outlives any conversation.

The row holds it as JSON in the shape the earlier untyped state wrote (`form`, `expect`,
`drafts`, `misses`, `operating`, `expires_at`), so a row saved before a deploy keeps working
after it. Loading is lenient: a part that no longer reads (a kind since removed, a broken
draft) is dropped and logged, never the whole step.
"""

from __future__ import annotations

import copy
import logging
from datetime import datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.storage.models import Conversation

log = logging.getLogger(__name__)

# A form left half-way stays resumable this long; after that the draft is dropped.
DRAFT_TTL = timedelta(days=7)

# The row is read and written as columns, on the step's connection, not as an ORM object:
# the unit of work's flush at commit was the largest cost of a step (bench/worker_profile.py).
_TABLE = Conversation.__table__
_LOAD = (
    select(_TABLE.c.state).where(_TABLE.c.chat_account_id == bindparam("chat")).with_for_update()
)
_UPDATE = (
    update(_TABLE)
    .where(_TABLE.c.chat_account_id == bindparam("chat"))
    .values(state=bindparam("data"), updated_at=bindparam("at"), version=_TABLE.c.version + 1)
)
_INSERT = insert(_TABLE).values(
    chat_account_id=bindparam("chat"),
    state=bindparam("data"),
    updated_at=bindparam("at"),
    version=1,
)


class _Part(BaseModel):
    # Keys an older version wrote and this one no longer reads are ignored, not fatal.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class FormRun(_Part):
    """One service's form being filled: the answers so far and what is asked now."""

    service: str
    # Answers by field name (JSON values, as `integrations.forms` parses them).
    data: dict[str, Any] = Field(default_factory=dict)
    # The fields in the order they were answered, so `kembali` undoes the last one.
    history: list[str] = Field(default_factory=list)
    phase: Literal["ask", "confirm"] = "ask"
    # The field whose answer is awaited (phase "ask").
    asking: str | None = None
    # The rule notes shown with the summary (phase "confirm").
    notes: list[dict[str, Any]] = Field(default_factory=list)


class FormAnswer(_Part):
    """The open form's question awaits an answer."""

    KIND: ClassVar[str] = "form"
    kind: Literal["form"] = "form"


class RejectReason(_Part):
    """An approver pressed Tolak: the reason for rejecting `step` is awaited."""

    KIND: ClassVar[str] = "approval.reason"
    kind: Literal["approval.reason"] = "approval.reason"
    step: int


class OutcomeReason(_Part):
    """A leave decision other than setuju (perubahan, ditangguhkan …) awaits its reason."""

    KIND: ClassVar[str] = "approval.outcome_reason"
    kind: Literal["approval.outcome_reason"] = "approval.outcome_reason"
    step: int
    outcome: str


class ApproverQuestion(_Part):
    """An approver pressed Minta info: the question for the requester is awaited."""

    KIND: ClassVar[str] = "approval.question"
    kind: Literal["approval.question"] = "approval.question"
    step: int


class InfoAnswer(_Part):
    """The requester's answer to an approver's question is awaited."""

    KIND: ClassVar[str] = "request.answer"
    kind: Literal["request.answer"] = "request.answer"
    request: int
    step: int


class ReminderTime(_Part):
    """The time of day for lesson reminders is awaited."""

    KIND: ClassVar[str] = "learning.reminder_time"
    kind: Literal["learning.reminder_time"] = "learning.reminder_time"


class NeedsRating(_Part):
    """A typed level for one competency of a needs analysis is awaited."""

    KIND: ClassVar[str] = "needs.rating"
    kind: Literal["needs.rating"] = "needs.rating"
    analysis: int = Field(alias="a")
    competency: str = Field(alias="c")


class LearningRecordAnswer(_Part):
    """A learning record's question (`field`: title, dates, hours, competency, document) awaits."""

    KIND: ClassVar[str] = "lrec.answer"
    kind: Literal["lrec.answer"] = "lrec.answer"
    field: str = Field(alias="f")


class LearningRecordReason(_Part):
    """A supervisor pressed Tolak on a learning record: the reason is awaited."""

    KIND: ClassVar[str] = "lrec.reason"
    kind: Literal["lrec.reason"] = "lrec.reason"
    event: int = Field(alias="e")


class LearningRecordDraft(_Part):
    """Learning outside Ayo being recorded (bot/handlers/learning_records.py)."""

    # None until the kind (course, coaching …) is picked.
    kind: str | None = None
    source: str | None = None
    answers: dict[str, Any] = Field(default_factory=dict)


Awaiting = Annotated[
    FormAnswer
    | RejectReason
    | OutcomeReason
    | ApproverQuestion
    | InfoAnswer
    | ReminderTime
    | NeedsRating
    | LearningRecordAnswer
    | LearningRecordReason,
    Field(discriminator="kind"),
]
A = TypeVar("A", bound=_Part)


class ConversationState(_Part):
    """The state of one chat, loaded at the start of a step and saved at its end."""

    form: FormRun | None = None
    awaiting: Awaiting | None = Field(default=None, alias="expect")
    drafts: dict[str, FormRun] = Field(default_factory=dict)
    misses: int = 0
    # The handoff case whose employee this (operator's) chat is relaying to.
    operating: int | None = None
    learning_record: LearningRecordDraft | None = None

    # The chat whose row this state is saved to, the step's clock, whether the row exists and
    # its JSON as loaded, so that a step that leaves nothing open writes nothing.
    _chat: int | None = PrivateAttr(default=None)
    _now: datetime | None = PrivateAttr(default=None)
    _exists: bool = PrivateAttr(default=False)
    _stored: dict[str, Any] | None = PrivateAttr(default=None)

    @classmethod
    def of(cls, row: Conversation, now: datetime) -> ConversationState:
        """The state a row holds (empty once its drafts expired), to read."""
        return cls.read(row.state, now)

    @classmethod
    def read(cls, stored: dict[str, Any] | None, now: datetime) -> ConversationState:
        """The state a row's JSON holds (empty once its drafts expired)."""
        raw = copy.deepcopy(stored or {})
        expires = raw.get("expires_at")
        if expires and datetime.fromisoformat(expires) <= now:
            raw = {}
        return cls.parse(raw)

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> ConversationState:
        """Read a stored dict, keeping every part that still reads."""
        try:
            return cls.model_validate(raw)
        except ValidationError:
            pass
        kept: dict[str, Any] = {}
        for key in ("form", "expect", "misses", "operating", "learning_record"):
            if key not in raw:
                continue
            try:
                cls.model_validate({key: raw[key]})
            except ValidationError:
                log.warning("conversation state: unreadable %s dropped", key)
                continue
            kept[key] = raw[key]
        drafts = raw.get("drafts")
        if isinstance(drafts, dict):
            kept["drafts"] = {}
            for service, draft in drafts.items():
                try:
                    kept["drafts"][service] = FormRun.model_validate(draft)
                except ValidationError:
                    log.warning("conversation state: unreadable draft dropped")
        return cls.model_validate(kept)

    @classmethod
    async def load(
        cls, connection: AsyncConnection, account_id: int, now: datetime
    ) -> ConversationState:
        """The chat's state, its row locked until the step commits; bound to it for `save`.

        `connection` is the step's (`await session.connection()`): the same transaction."""
        found = (await connection.execute(_LOAD, {"chat": account_id})).first()
        stored = found.state if found is not None else None
        state = cls.read(stored, now)
        state._chat, state._now = account_id, now
        state._exists, state._stored = found is not None, stored
        return state

    def awaited(self, kind: type[A]) -> A | None:
        """What is awaited, if it is of this kind."""
        return self.awaiting if isinstance(self.awaiting, kind) else None

    def take(self, kind: type[A]) -> A | None:
        """What is awaited, if of this kind, no longer awaited from now on."""
        found = self.awaited(kind)
        if found is not None:
            self.awaiting = None
        return found

    def open_form(self) -> FormRun | None:
        """The form whose question is awaited (a form set aside by another question is not)."""
        return self.form if isinstance(self.awaiting, FormAnswer) else None

    def close_form(self) -> None:
        self.form = None
        if isinstance(self.awaiting, FormAnswer):
            self.awaiting = None

    def reset(self) -> None:
        """Forget everything (a chat linked or unlinked starts afresh)."""
        self.form, self.awaiting, self.operating = None, None, None
        self.learning_record = None
        self.drafts, self.misses = {}, 0

    def to_json(self) -> dict[str, Any]:
        """The row's JSON: only what is set, in the shape the untyped state wrote."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        if not data.get("drafts"):
            data.pop("drafts", None)
        if not data.get("misses"):
            data.pop("misses", None)
        return data

    async def save(self, connection: AsyncConnection) -> None:
        """Write the state back in the caller's transaction; nothing when it was empty and is.

        Most steps ("halo", a menu, a balance) start and end with nothing open: they neither
        write the row nor create one.
        """
        if self._chat is None or self._now is None:
            raise RuntimeError("this state is not bound to a conversation row")
        data = self.to_json()
        if data:
            data["expires_at"] = (self._now + DRAFT_TTL).isoformat()
        elif not self._stored:
            return
        values = {"chat": self._chat, "data": data, "at": self._now}
        await connection.execute(_UPDATE if self._exists else _INSERT, values)
        self._exists, self._stored = True, data
