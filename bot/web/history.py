"""The web chat's memory: one employee's local chat read back from the inbox and outbox rows.

A page holds both directions in the order they happened (a reply right after the message it
answers), newest last, with an opaque cursor for the page before it. `pending` are the bot
messages still waiting for the employee: the question of an open form (the conversation row
awaits an answer) and messages whose buttons still work (an approval prompt pushed while the
page was closed). Nothing here writes: reading the history delivers nothing twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.channels.local import LocalMessage, local_iso, message_of, zone_of
from bot.state import ConversationState
from core.messages import Reply
from core.outbox import LOCAL_CHANNEL
from core.storage.models import (
    ButtonToken,
    ChatAccount,
    Conversation,
    Employee,
    InboxItem,
    OutboxItem,
)
from core.text import T

PAGE = 50
MAX_PAGE = 200
# A push sorts before the messages received at the same instant (it was there first, like
# the greeting of the demo picker; with the real clock two rows rarely share a microsecond).
_PUSH_ANCHOR = 0
# How far back a pressed button's label is looked up when its message is on an older page.
_LABEL_SCAN = 300
_CURSOR = re.compile(r"^(\d{1,20})\.(\d{1,20})\.([012])\.(\d{1,20})$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
FILE_SENT = T("📎 Berkas terkirim", "📎 File sent")
PRESSED = T("(tombol)", "(button)")


class BadCursor(ValueError):
    """A `before` value this module did not hand out."""


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """Where an item sits in the chat: (time, message it belongs to, 0 me/1 reply/2 push, id).

    A reply takes the time and id of the message it answers, so it follows that message even
    when several arrive at once; a push has no message (anchor 0).
    """

    at: datetime
    anchor: int
    order: int
    id: int

    def cursor(self) -> str:
        micros = (self.at - _EPOCH) // _MICRO  # exact: a float would lose a microsecond
        return f"{micros}.{self.anchor}.{self.order}.{self.id}"

    @classmethod
    def parse(cls, text: str) -> Position:
        found = _CURSOR.match(text)
        if found is None:
            raise BadCursor(text[:40])
        micros, anchor, order, id_ = (int(g) for g in found.groups())
        at = _EPOCH + micros * _MICRO
        return cls(at, anchor, order, id_)


@dataclass(frozen=True, slots=True)
class Mine:
    """A message the employee sent (text, a button press or a file)."""

    inbox_id: int
    text: str
    client_id: str | None
    at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.inbox_id,
            "from": "me",
            "text": self.text,
            "client_id": self.client_id,
            "at": self.at,
        }


@dataclass(frozen=True, slots=True)
class Page:
    messages: list[Mine | LocalMessage]
    older: str | None  # the cursor of the page before this one; None at the beginning
    pending: list[LocalMessage]
    today: str  # the employee's local date, so the page shows a time alone for today

    def to_json(self) -> dict[str, Any]:
        return {
            "messages": [m.to_json() for m in self.messages],
            "older": self.older,
            "pending": [m.to_json() for m in self.pending],
            "today": self.today,
        }


def _at(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def page(
    session: AsyncSession,
    employee: Employee,
    *,
    now: datetime,
    language: str,
    timezone: str,
    before: str | None = None,
    limit: int = PAGE,
) -> Page:
    """The `limit` latest items before `before` (the newest when None), oldest first."""
    limit = max(1, min(limit, MAX_PAGE))
    cursor = Position.parse(before) if before else None
    tz = zone_of(employee, timezone)
    today = now.astimezone(tz).date().isoformat()
    account = await session.scalar(
        select(ChatAccount).where(
            ChatAccount.channel == LOCAL_CHANNEL, ChatAccount.external_id == employee.nip
        )
    )
    if account is None:
        return Page([], None, [], today)
    found = await _items(session, account.id, cursor, limit + 1)
    older = None
    if len(found) > limit:
        found = found[-limit:]
        older = found[0][0].cursor()
    rows = [row for _, row in found]
    bots = [row for row in rows if isinstance(row, OutboxItem)]
    pending_rows = await _pending_rows(session, account.id, now, employee.id)
    live = await _live_tokens(session, employee.id, now, bots + pending_rows)
    labels = await _labels(session, account.id, rows, language)
    messages: list[Mine | LocalMessage] = []
    for row in rows:
        if isinstance(row, OutboxItem):
            messages.append(message_of(row, employee, language, tz, live))
        else:
            messages.append(_mine(row, employee.nip, language, tz, labels))
    pending = [message_of(row, employee, language, tz, live) for row in pending_rows]
    return Page(messages, older, pending, today)


def _sql(value: bool) -> Any:
    """A condition known in Python, as SQL (the cursor's own parts)."""
    return true() if value else false()


async def _items(
    session: AsyncSession, account_id: int, cursor: Position | None, count: int
) -> list[tuple[Position, InboxItem | OutboxItem]]:
    """The `count` latest items before `cursor` from the three sources, merged in order.

    Each source is read newest first in the same order the merge uses, so its first `count`
    rows hold every row of its own the merged page can need.
    """
    asked = aliased(InboxItem)
    mine = select(InboxItem).where(InboxItem.chat_account_id == account_id)
    replies = (
        select(OutboxItem, asked.received_at)
        .join(asked, asked.id == OutboxItem.in_reply_to)
        .where(OutboxItem.chat_account_id == account_id, OutboxItem.kind == "message")
    )
    pushes = select(OutboxItem).where(
        OutboxItem.chat_account_id == account_id,
        OutboxItem.kind == "message",
        OutboxItem.in_reply_to.is_(None),
    )
    if cursor is not None:
        t, a, o, i = cursor.at, cursor.anchor, cursor.order, cursor.id
        mine = mine.where(
            or_(
                InboxItem.received_at < t,
                and_(
                    InboxItem.received_at == t,
                    or_(InboxItem.id < a, and_(InboxItem.id == a, _sql(o > 0))),
                ),
            )
        )
        replies = replies.where(
            or_(
                asked.received_at < t,
                and_(
                    asked.received_at == t,
                    or_(
                        OutboxItem.in_reply_to < a,
                        and_(
                            OutboxItem.in_reply_to == a,
                            or_(_sql(o > 1), and_(_sql(o == 1), OutboxItem.id < i)),
                        ),
                    ),
                ),
            )
        )
        # (t, 0, 2, id) < (t, a, o, i): a message's position (a > 0) follows every push.
        push_tie = true() if a > _PUSH_ANCHOR else OutboxItem.id < i if o == 2 else false()
        pushes = pushes.where(
            or_(OutboxItem.created_at < t, and_(OutboxItem.created_at == t, push_tie))
        )
    found: list[tuple[Position, InboxItem | OutboxItem]] = []
    for row in (
        await session.execute(
            mine.order_by(InboxItem.received_at.desc(), InboxItem.id.desc()).limit(count)
        )
    ).scalars():
        found.append((Position(_at(row.received_at), row.id, 0, row.id), row))
    for row, received in (
        await session.execute(
            replies.order_by(
                asked.received_at.desc(), OutboxItem.in_reply_to.desc(), OutboxItem.id.desc()
            ).limit(count)
        )
    ).all():
        found.append((Position(_at(received), row.in_reply_to, 1, row.id), row))
    for row in (
        await session.execute(
            pushes.order_by(OutboxItem.created_at.desc(), OutboxItem.id.desc()).limit(count)
        )
    ).scalars():
        found.append((Position(_at(row.created_at), _PUSH_ANCHOR, 2, row.id), row))
    found.sort(key=lambda pair: pair[0])
    return found[-count:]


async def _pending_rows(
    session: AsyncSession, account_id: int, now: datetime, employee_id: int
) -> list[OutboxItem]:
    """What still waits for the employee, in chat order.

    The last reply, when the conversation awaits an answer (an open form's question) or its
    buttons still work; and the messages with working buttons pushed after the employee's
    last message (an approval prompt that arrived while they were away). An older menu they
    typed past is not repeated; its buttons still work where it stands in the history.
    """
    last_reply = await session.scalar(
        select(OutboxItem)
        .where(
            OutboxItem.chat_account_id == account_id,
            OutboxItem.kind == "message",
            OutboxItem.in_reply_to.is_not(None),
        )
        .order_by(OutboxItem.id.desc())
        .limit(1)
    )
    conversation = await session.get(Conversation, account_id)
    # Read through ConversationState so an expired draft counts as no open question.
    state = ConversationState.of(conversation, now) if conversation is not None else None
    awaiting = state is not None and state.awaiting is not None
    last_said = await session.scalar(
        select(InboxItem.received_at)
        .where(InboxItem.chat_account_id == account_id)
        .order_by(InboxItem.received_at.desc(), InboxItem.id.desc())
        .limit(1)
    )
    pushes = select(OutboxItem).where(
        OutboxItem.chat_account_id == account_id,
        OutboxItem.kind == "message",
        OutboxItem.in_reply_to.is_(None),
    )
    if last_said is not None:
        # A push at the very instant of a message sorts before it (see Position).
        pushes = pushes.where(OutboxItem.created_at > last_said)
    recent = (
        await session.execute(
            pushes.order_by(OutboxItem.created_at.desc(), OutboxItem.id.desc()).limit(20)
        )
    ).scalars()
    candidates = [*recent, *([last_reply] if last_reply is not None else [])]
    live = await _live_tokens(session, employee_id, now, candidates)
    waiting = [
        row
        for row in candidates
        if row is not last_reply and any(token in live for token in _buttons_of(row))
    ]
    waiting.reverse()
    if last_reply is not None and (
        awaiting or any(token in live for token in _buttons_of(last_reply))
    ):
        waiting.insert(0, last_reply)
    return waiting


def _buttons_of(row: OutboxItem) -> list[str]:
    return [b["token"] for b in (row.payload or {}).get("buttons", []) if b.get("token")]


async def _live_tokens(
    session: AsyncSession, employee_id: int, now: datetime, rows: list[OutboxItem]
) -> set[str]:
    """Tokens among these messages' buttons the employee may still press."""
    tokens = {token for row in rows for token in _buttons_of(row)}
    if not tokens:
        return set()
    found = await session.execute(
        select(ButtonToken.token, ButtonToken.expires_at).where(
            ButtonToken.token.in_(tokens),
            ButtonToken.employee_id == employee_id,
            ButtonToken.used_at.is_(None),
        )
    )
    return {token for token, expires in found.all() if _at(expires) > now}


async def _labels(
    session: AsyncSession, account_id: int, rows: list[Any], language: str
) -> dict[str, str]:
    """Labels of the buttons pressed on this page, from the messages that carried them."""
    pressed = {r.button_token for r in rows if isinstance(r, InboxItem) and r.button_token}
    if not pressed:
        return {}
    labels: dict[str, str] = {}
    for row in rows:
        if isinstance(row, OutboxItem):
            _collect_labels(row, pressed, language, labels)
    if pressed - labels.keys():
        newest = max(r.id for r in rows if isinstance(r, InboxItem) and r.button_token)
        scan = (
            await session.execute(
                select(OutboxItem)
                .where(
                    OutboxItem.chat_account_id == account_id,
                    OutboxItem.kind == "message",
                    or_(OutboxItem.in_reply_to.is_(None), OutboxItem.in_reply_to < newest),
                )
                .order_by(OutboxItem.id.desc())
                .limit(_LABEL_SCAN)
            )
        ).scalars()
        for row in scan:
            _collect_labels(row, pressed, language, labels)
    return labels


def _collect_labels(row: OutboxItem, wanted: set[str], language: str, into: dict) -> None:
    for button in Reply.from_json(row.payload).buttons:
        if button.token in wanted:
            into.setdefault(button.token, button.label.get(language))


def _mine(row: InboxItem, nip: str, language: str, tz: ZoneInfo, labels: dict[str, str]) -> Mine:
    if row.button_token:
        text = labels.get(row.button_token, PRESSED.get(language))
    elif (row.meta or {}).get("file"):
        text = FILE_SENT.get(language)
    else:
        text = row.text or ""
    prefix = f"{nip}:"
    key = row.external_key
    client_id = key[len(prefix) :] if key.startswith(prefix) else None
    return Mine(row.id, text, client_id, local_iso(row.received_at, tz))
