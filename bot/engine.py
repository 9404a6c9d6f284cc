"""The conversation engine: inbox in, outbox out, one transaction per step.

It never knows which channel it serves: channels hand it an `Inbound` and read the outbox.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Integer, bindparam, cast, func, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.context import Context
from bot.deps import Deps
from bot.handlers.registry import Answer, Fetch
from bot.inbound import waiting
from bot.inbound.writer import InboxWriter, row_of
from bot.state import ConversationState
from bot.types import BUTTON_LIMIT, CHAT_ID_LIMIT, KEY_LIMIT, TEXT_LIMIT, Inbound
from core import metrics, untrusted
from core.messages import Reply
from core.outbox import enqueue_reply, reply_row
from core.statuses import InboxStatus
from core.storage.models import ChatAccount, Employee, InboxItem, OutboxItem
from core.text import T
from integrations.connectors.base import DeliveryError

if TYPE_CHECKING:
    from bot import dispatch

log = logging.getLogger(__name__)

# The first key of the advisory lock one chat's steps take on PostgreSQL (the second is the
# chat account's id); core/storage/migrate.py and integrations/org use single-key locks.
CHAT_STEP_LOCK = 0x4179

# Built once: making these expressions anew took a tenth of a step's CPU (bench/worker_profile.py).
LOCK_CHAT_STEP = select(
    func.pg_advisory_xact_lock(CHAT_STEP_LOCK, cast(InboxItem.chat_account_id, Integer))
).where(InboxItem.id == bindparam("inbox_id"))
# Who writes, in one statement (the employee is None for a chat not linked yet).
ACCOUNT_AND_EMPLOYEE = (
    select(ChatAccount, Employee)
    .outerjoin(Employee, Employee.id == ChatAccount.employee_id)
    .where(ChatAccount.id == bindparam("chat"))
)
# The update is claimed if it waits, its chat asks no backend, and no earlier one waits.
CLAIM_ONE = (
    update(InboxItem)
    .where(
        InboxItem.id == bindparam("inbox_id"),
        waiting.to_process(waiting.SINCE),
        waiting.not_calling(InboxItem.chat_account_id, waiting.SINCE),
        waiting.first_of_its_chat(waiting.SINCE),
    )
    .values(status=InboxStatus.PENDING)
    .returning(InboxItem)
)
# Where a step leaves its update (processed, or calling a backend) and its replies: Core
# statements on the step's connection, not ORM objects flushed at commit (the flush was the
# largest cost of a step, bench/worker_profile.py).
MARK = (
    update(InboxItem.__table__)
    .where(InboxItem.__table__.c.id == bindparam("inbox_id"))
    .values(status=bindparam("new_status"), processed_at=bindparam("at"))
)
REPLIES = insert(OutboxItem.__table__)

UnlinkedHandler = Callable[[Context], Awaitable[list[Reply]]]


class InboxRow(Protocol):
    """What a step reads of its update: the claim's row, or the ORM item after a call."""

    id: int
    channel: str
    chat_account_id: int | None
    external_key: str
    text: str | None
    button_token: str | None
    meta: dict[str, Any] | None


PRIVATE_ONLY = T(
    "Informasi ini bersifat pribadi. Silakan chat saya secara pribadi.",
    "This information is personal. Please message me privately.",
)
FAILED = T(
    "Maaf, terjadi gangguan saat memproses pesan Anda. Pesan Anda tersimpan; silakan coba "
    "lagi sebentar lagi.",
    "Sorry, something went wrong while handling your message. It has been kept; please try "
    "again shortly.",
)
UNLINKED = T(
    "Halo! Akun chat ini belum terhubung dengan data kepegawaian Anda. Minta kode "
    "penghubung ke admin kepegawaian (BKPSDM), lalu kirim: /start KODE",
    "Hello! This chat is not linked to your staff record yet. Ask your HR administrator "
    "(BKPSDM) for a link code, then send: /start CODE",
)


# The database, not the update, failed: the connection dropped, a lock wait timed out, the
# pool was exhausted, the driver's connection was left unusable. Retrying later succeeds.
TRANSIENT_DB_ERRORS = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.InternalError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
)


class ProcessingDeferred(Exception):
    """The database failed during a step: the update stays pending and is tried again later.

    Raised instead of marking the update failed, so a database restart, a failover or a lock
    wait never ends in "something went wrong" for a message that can still be processed; the
    caller stops the chat's turn (later updates of the chat wait, keeping their order).
    """


def is_transient(error: BaseException) -> bool:
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, TRANSIENT_DB_ERRORS)


async def _default_unlinked(ctx: Context) -> list[Reply]:
    return [Reply(UNLINKED)]


class Engine:
    """Receives inbound updates into the inbox and processes them into outbox messages."""

    def __init__(self, deps: Deps, unlinked: UnlinkedHandler | None = None) -> None:
        self.deps = deps
        self.unlinked = unlinked or _default_unlinked
        # Updates arriving together are committed together (bot/inbound/writer.py).
        self.writer = InboxWriter(deps.db, deps.clock)

    async def receive(self, inbound: Inbound) -> int | None:
        """Commit the update to the inbox; None when it was seen before (a redelivery)."""
        received = await self.receive_item(inbound)
        return received[0] if received is not None else None

    async def receive_item(self, inbound: Inbound) -> tuple[int, int] | None:
        """Commit the update; (inbox id, chat account id), or None for a redelivery.

        Only what must happen before the acknowledgement: a short transaction shared with the
        updates arriving at the same time. Text is cleaned (no NUL, no lone surrogate) so the
        insert cannot fail on what a user typed.
        """
        chat = inbound.chat
        if len(inbound.key) > KEY_LIMIT or len(chat.chat_id) > CHAT_ID_LIMIT:
            raise ValueError("update key or chat id longer than the inbox keeps")
        text = untrusted.clean(inbound.text[:TEXT_LIMIT]) if inbound.text is not None else None
        button = inbound.button
        if button is not None:
            button = untrusted.clean(button[:BUTTON_LIMIT])
        meta = untrusted.clean_value(dict(inbound.meta))
        received = await self.writer.write(row_of(inbound, text=text, button=button, meta=meta))
        if received is None:
            log.info("duplicate %s update ignored", chat.channel)
        else:
            metrics.UPDATES_RECEIVED.labels(chat.channel).inc()
        return received

    async def handle(self, inbound: Inbound) -> int | None:
        """Receive and process at once (local channels, where nobody waits for an ack)."""
        received = await self.receive_item(inbound)
        if received is None:
            return None
        inbox_id, chat = received
        # Kept pending when deferred: the next drain processes it (bot/inbound/worker.py).
        # An earlier message of the chat still in flight (a second tab, a quick double send)
        # is processed first, so the answers keep the order of the messages.
        with contextlib.suppress(ProcessingDeferred):
            await self.process_pending(chat)
        return inbox_id

    async def process(self, inbox_id: int) -> bool:
        """Process one inbox item exactly once; False if it was already processed (or waits
        for an earlier update of its chat that is asking a backend)."""
        channel = "unknown"
        try:
            async with self.deps.db.transaction() as session:
                # A write first: it takes the row lock (PostgreSQL) or the writer lock (SQLite)
                # before anything is read, so the web request and a worker that reach the same
                # update at once never both process it.
                now = self.deps.clock()
                # The fixed statements of a step run on the connection: rows, not ORM objects.
                connection = await session.connection()
                if not self.deps.db.is_sqlite:
                    # One step of a chat at a time across processes: two updates of one chat
                    # processed at once would both create its conversation, or answer out of
                    # order. SQLite's single writer already serialises steps.
                    await connection.execute(LOCK_CHAT_STEP, {"inbox_id": inbox_id})
                claimed = await connection.execute(
                    CLAIM_ONE, {"inbox_id": inbox_id, "since": waiting.lease_start(now)}
                )
                item = claimed.first()
                if item is None:
                    return False
                channel, chat = item.channel, item.chat_account_id
                asked = await self._step(session, connection, item)
            if asked is not None:
                fetch, started = asked
                # The step is committed: no inbox or conversation row is locked during the call.
                answer = await self._ask(fetch)
                async with self.deps.db.transaction() as session:
                    await self._answer(session, inbox_id, started, fetch, answer)
                # Updates of this chat that arrived during the call waited for its answer.
                if chat is not None:
                    await self.process_pending(chat)
            metrics.UPDATES_PROCESSED.labels(channel).inc()
            return True
        except Exception as exc:
            if is_transient(exc):
                log.warning("inbox %s deferred: database error %s", inbox_id, type(exc).__name__)
                raise ProcessingDeferred(type(exc).__name__) from exc
            log.exception("inbox %s failed", inbox_id)
            metrics.UPDATES_FAILED.labels(channel).inc()
            await self._fail(inbox_id, f"handler error: {type(exc).__name__}")
            return True

    async def process_pending(self, chat_account_id: int | None = None, limit: int = 100) -> int:
        """Process waiting inbox items oldest first (per chat, in order)."""
        async with self.deps.db.sessions() as session:
            query = select(InboxItem.id).where(
                waiting.to_process(waiting.lease_start(self.deps.clock()))
            )
            if chat_account_id is not None:
                query = query.where(InboxItem.chat_account_id == chat_account_id)
            ids = list(
                (await session.execute(query.order_by(InboxItem.id).limit(limit))).scalars()
            )
        done = 0
        for inbox_id in ids:
            done += await self.process(inbox_id)
        return done

    async def _context(
        self, session: AsyncSession, connection: AsyncConnection, item: InboxRow
    ) -> Context:
        """Who is talking and their conversation (its row locked until the step commits)."""
        now = self.deps.clock()
        found = await session.execute(ACCOUNT_AND_EMPLOYEE, {"chat": item.chat_account_id})
        account, employee = found.one()
        inbound = Inbound(
            chat=_chat_ref(account),
            key=item.external_key,
            text=item.text,
            button=item.button_token,
            meta=dict(item.meta or {}),
        )
        state = await ConversationState.load(connection, account.id, now)
        return Context(
            session=session,
            now=now,
            account=account,
            employee=employee if employee is not None and employee.active else None,
            inbound=inbound,
            state=state,
            deps=self.deps,
            inbox_id=item.id,
        )

    async def _step(
        self, session: AsyncSession, connection: AsyncConnection, item: InboxRow
    ) -> tuple[Fetch, datetime] | None:
        """Run the step; a backend query it asks for is returned, to be made after commit,
        with the time its call began (the update's `processed_at`)."""
        ctx = await self._context(session, connection, item)
        # The routing tables import every feature; a starting server does not wait for them
        # (`bot.serve` loads them once it answers), a step that comes first loads them here.
        from bot import dispatch

        if ctx.employee is None:
            outcome: dispatch.Outcome = await self.unlinked(ctx)
        else:
            outcome = await dispatch.step(ctx)
        await ctx.state.save(connection)
        if isinstance(outcome, Fetch):
            await _mark(connection, item.id, InboxStatus.CALLING, ctx.now)
            log.info("inbox %s asks %s %s", item.id, outcome.backend, outcome.operation)
            return outcome, ctx.now
        await self._reply(ctx, connection, item, outcome)
        return None

    async def _ask(self, fetch: Fetch) -> Answer:
        connector = self.deps.connectors[fetch.backend]
        try:
            return await connector.query(fetch.operation, fetch.params)
        except DeliveryError as exc:
            log.warning("backend %s %s: %s", fetch.backend, fetch.operation, type(exc).__name__)
            return exc

    async def _answer(
        self,
        session: AsyncSession,
        inbox_id: int,
        started: datetime | None,
        fetch: Fetch,
        answer: Answer,
    ) -> None:
        """Write the replies the backend's answer makes, unless the update was taken over."""
        mine = await session.execute(
            update(InboxItem)
            .where(
                InboxItem.id == inbox_id,
                InboxItem.status == InboxStatus.CALLING,
                InboxItem.processed_at == started,
            )
            .values(status=InboxStatus.CALLING)
            .execution_options(synchronize_session=False)
        )
        item = await session.get(InboxItem, inbox_id) if mine.rowcount else None
        if item is None:
            # Past its lease another process took the update over; it writes the reply.
            log.warning("inbox %s: backend answered after the update was taken over", inbox_id)
            return
        connection = await session.connection()
        ctx = await self._context(session, connection, item)
        replies = await fetch.then(ctx, answer)
        await ctx.state.save(connection)
        await self._reply(ctx, connection, item, replies)

    async def _reply(
        self, ctx: Context, connection: AsyncConnection, item: InboxRow, replies: list[Reply]
    ) -> None:
        account = ctx.account
        rows = [
            reply_row(
                account,
                Reply(PRIVATE_ONLY) if account.is_group and reply.sensitive else reply,
                now=ctx.now,
                key=f"reply:{item.id}:{n}",
                in_reply_to=item.id,
            )
            for n, reply in enumerate(replies)
        ]
        if rows:
            # What the handler queued through the session goes first, as it always did (its
            # ids before the replies'); a session with nothing pending returns at once.
            await ctx.session.flush()
            await connection.execute(REPLIES, rows)
        await _mark(connection, item.id, InboxStatus.PROCESSED, ctx.now)
        log.info("inbox %s processed: %s replies", item.id, len(replies))

    async def _fail(self, inbox_id: int, error: str = "handler error") -> None:
        now = self.deps.clock()
        async with self.deps.db.transaction() as session:
            item = await session.get(InboxItem, inbox_id, with_for_update=True)
            if item is None or item.status not in (InboxStatus.PENDING, InboxStatus.CALLING):
                return
            item.status = InboxStatus.FAILED
            item.processed_at = now
            # The exception's class only: its message may quote what the user wrote.
            item.error = error[:200]
            account = await session.get(ChatAccount, item.chat_account_id)
            told = await session.scalar(
                select(OutboxItem.id).where(
                    OutboxItem.idempotency_key == f"reply:{inbox_id}:failed"
                )
            )
            # A replay that fails again does not tell the user a second time.
            if account is not None and told is None:
                enqueue_reply(
                    session,
                    account,
                    Reply(FAILED),
                    now=now,
                    key=f"reply:{inbox_id}:failed",
                    in_reply_to=inbox_id,
                )


async def _mark(connection: AsyncConnection, inbox_id: int, status: str, at: datetime) -> None:
    await connection.execute(MARK, {"inbox_id": inbox_id, "new_status": status, "at": at})


def _chat_ref(account: ChatAccount):
    from bot.types import ChatRef

    return ChatRef(account.channel, account.external_id, account.is_group)
