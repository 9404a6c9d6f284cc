"""The morning push's messages, rendered once per lesson and question, stamped per person.

Thousands of employees get the same lesson and the same first question on the same day: the
texts and button labels are the same for all of them, only the button tokens (and the
group that ties one message's buttons together) are each person's own. `PushMessages` renders
a message once per (lesson) and (question, number, total, day, picks) with the real
`lessons.messages` functions, records the buttons they asked for, and for each person issues
those buttons' tokens and copies the stored form (`Reply.to_json()`) with them: the same
payloads `plan_replies` gives, without rendering, `Reply` objects or `to_json` per person.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from core import tokens
from core.messages import Button
from core.storage.bulk import Serialized
from core.storage.models import StoredLesson, StoredQuestion
from core.text import T
from lessons import messages as msg
from lessons.flow import plan_replies
from lessons.records import lesson_view, question_view


class PlanLike(Protocol):
    """What is read of a plan (`LearningDay` or `lessons.plan.Plan`)."""

    employee_id: int
    day: date
    lesson_id: str | None
    question_ids: list[str]
    answered: int
    picked: list[int]
    done_at: Any


_Call = tuple[T, str, dict[str, Any], str | None]  # label, action, payload, group


class _Template:
    """A rendered message: its stored form and the buttons it asked for, in order; and its
    `json.dumps` text around the buttons, so each person's copy is serialized by joining."""

    __slots__ = ("around", "calls", "labels", "labels_json", "payload")

    def __init__(self, payload: dict[str, Any], calls: list[_Call]) -> None:
        self.payload = payload
        self.calls = calls
        self.labels = [button["label"] for button in payload["buttons"]]
        self.labels_json = [json.dumps(label) for label in self.labels]
        mark = json.dumps(f"buttons-{uuid.uuid4().hex}")
        text = json.dumps({**payload, "buttons": mark[1:-1]})
        self.around = tuple(text.split(mark)) if text.count(mark) == 1 else None

    def serialized(self, buttons: list[dict[str, str]]) -> dict[str, Any]:
        """The stored form with these buttons, with its text when it can be joined."""
        value = {**self.payload, "buttons": buttons}
        if self.around is None or not all(_PLAIN.fullmatch(b["token"]) for b in buttons):
            return value
        listed = ", ".join(
            f'{{"label": {label}, "token": "{b["token"]}"}}'
            for label, b in zip(self.labels_json, buttons, strict=True)
        )
        return Serialized(value, f"{self.around[0]}[{listed}]{self.around[1]}")


_PLAIN = re.compile(r"[A-Za-z0-9_-]*")  # a token json.dumps leaves as it is


class _Recorder:
    """A `MakeButton` that issues nothing: it notes each button and hands back a stand-in."""

    def __init__(self) -> None:
        self.calls: list[_Call] = []

    async def __call__(
        self, label: T, action: str, payload: dict[str, Any], group: str | None
    ) -> Button:
        self.calls.append((label, action, payload, group))
        return Button(label, f"#{len(self.calls)}")


class PushMessages:
    """Each person's messages of a plan as outbox payloads, their tokens in a chunk's batch.

    One per sweep: what it rendered serves every chunk (each chunk its own transaction)."""

    def __init__(self) -> None:
        self._lessons: dict[str, dict[str, Any] | None] = {}
        self._questions: dict[tuple[str, int, int, date, tuple[int, ...]], _Template | None] = {}

    async def payloads(
        self, session: AsyncSession, buttons: tokens.TokenBatch, plan: PlanLike
    ) -> list[dict[str, Any]]:
        """What `plan_replies(session, plan, make)` gives, in stored form; the buttons'
        tokens are issued in `buttons` for `plan.employee_id`."""
        if plan.done_at is not None or not plan.question_ids:
            # The uncommon plans (done, or nothing to ask): rendered per person, as in a chat.
            make = _maker(buttons, plan.employee_id)
            return [r.to_json() for r in await plan_replies(session, plan, make)]  # type: ignore[arg-type]
        payloads = []
        if plan.answered == 0 and plan.lesson_id:
            lesson = await self._lesson(session, plan.lesson_id)
            if lesson is not None:
                payloads.append(lesson)
        if plan.answered < len(plan.question_ids):
            question = await self._question(session, plan)
            if question is not None:
                payloads.append(_stamp(question, buttons, plan.employee_id))
        return payloads

    async def _lesson(self, session: AsyncSession, lesson_id: str) -> dict[str, Any] | None:
        if lesson_id not in self._lessons:
            row = await session.get(StoredLesson, lesson_id)
            self._lessons[lesson_id] = (
                msg.lesson_reply(lesson_view(row)).to_json() if row is not None else None
            )
        return self._lessons[lesson_id]

    async def _question(self, session: AsyncSession, plan: PlanLike) -> _Template | None:
        question_id = plan.question_ids[plan.answered]
        number, total = plan.answered + 1, len(plan.question_ids)
        picked: Sequence[int] = plan.picked or ()
        key = (question_id, number, total, plan.day, tuple(picked))
        if key not in self._questions:
            row = await session.get(StoredQuestion, question_id)
            template = None
            if row is not None:
                record = _Recorder()
                reply = await msg.question_reply(
                    question_view(row), number, total, plan.day, record, picked
                )
                template = _Template(reply.to_json(), record.calls)
            self._questions[key] = template
        return self._questions[key]


def _stamp(template: _Template, buttons: tokens.TokenBatch, employee_id: int) -> dict[str, Any]:
    """The template with this person's tokens; each of its groups a fresh one, as every
    rendering draws its own (`secrets.token_hex(6)` in `question_reply`; here from the
    batch's random bytes, the same 12 hex digits)."""
    groups: dict[str, str] = {}
    stamped = []
    for (_, action, payload, group), label in zip(template.calls, template.labels, strict=True):
        if group is not None:
            if group not in groups:
                groups[group] = buttons.group()
            group = groups[group]
        token = buttons.issue(employee_id=employee_id, action=action, payload=payload, group=group)
        stamped.append({"label": label, "token": token})
    return template.serialized(stamped)


def _maker(buttons: tokens.TokenBatch, employee_id: int) -> msg.MakeButton:
    """Buttons for one employee's messages, their tokens kept in the chunk's batch."""

    async def make(label: T, action: str, payload: dict[str, Any], group: str | None) -> Button:
        token = buttons.issue(employee_id=employee_id, action=action, payload=payload, group=group)
        return Button(label, token)

    return make
