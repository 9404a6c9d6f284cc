"""Which inbox rows wait to be processed, and which chats are busy asking a backend.

A step that asks a backend commits first (status `calling`, `processed_at` = when the call
began), makes the call with no transaction open, then writes its replies in a second one.
While the call runs, the chat's later updates wait, so replies keep the order of the
messages. A call abandoned by a process that died is given up after CALL_LEASE: the update
counts as pending again and is processed afresh (a query may be asked twice; the reply is
written once, by whoever finishes the update).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeAlias

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, exists, or_, select
from sqlalchemy.orm import aliased

from core.statuses import InboxStatus
from core.storage.models import InboxItem

# Longer than any backend's timeout (integrations/connectors/http.py: 10 s by default).
CALL_LEASE = timedelta(minutes=2)

# The earliest start of a call still in progress (`lease_start(now)`), or a bound parameter
# standing for it in a statement built once (`SINCE`) and executed with `{"since": …}`.
Since: TypeAlias = datetime | ColumnElement[datetime]
SINCE: BindParameter[datetime] = bindparam("since", type_=InboxItem.processed_at.type)


def lease_start(now: datetime) -> datetime:
    """A call that began before this was abandoned by a process that died."""
    return now - CALL_LEASE


def abandoned(since: Since) -> ColumnElement[bool]:
    """A call that started longer than CALL_LEASE ago and never finished."""
    return and_(InboxItem.status == InboxStatus.CALLING, InboxItem.processed_at < since)


def to_process(since: Since) -> ColumnElement[bool]:
    """Rows to process: pending ones, and calls abandoned by a process that died."""
    return or_(InboxItem.status == InboxStatus.PENDING, abandoned(since))


def not_calling(chat_account_id: ColumnElement[int | None], since: Since) -> ColumnElement[bool]:
    """The chat has no backend call in progress (else its later updates wait for it)."""
    # Not correlated, so it reads the same inside an UPDATE, a join or a claim's subquery.
    busy = select(InboxItem.chat_account_id).where(
        InboxItem.status == InboxStatus.CALLING,
        InboxItem.processed_at >= since,
        InboxItem.chat_account_id.is_not(None),
    )
    return or_(chat_account_id.is_(None), chat_account_id.not_in(busy))


def first_of_its_chat(since: Since) -> ColumnElement[bool]:
    """No earlier update of the same chat still waits: a chat's updates go in arrival order,
    whoever processes them (a worker, or the web chat's own request)."""
    earlier = aliased(InboxItem)
    waits = or_(
        earlier.status == InboxStatus.PENDING,
        and_(earlier.status == InboxStatus.CALLING, earlier.processed_at < since),
    )
    return ~exists().where(
        earlier.chat_account_id == InboxItem.chat_account_id, earlier.id < InboxItem.id, waits
    )
