"""The demo picker's welcome: an employee picked in the web chat is greeted with the menu.

Written to the outbox as a push (it answers no message of theirs), in one transaction with
the menu's button tokens, so the page shows it like any other message and a reload keeps it.
"""

from __future__ import annotations

import secrets

from bot.context import Context
from bot.deps import Deps
from bot.handlers.general import salutation, show_menu
from bot.state import ConversationState
from bot.types import ChatRef, Inbound
from core.messages import Reply
from core.outbox import LOCAL_CHANNEL, PRIORITY_INTERACTIVE, enqueue_reply, local_account
from core.storage.models import Employee
from core.text import T


async def greet_with_menu(deps: Deps, employee_id: int) -> None:
    """Queue "Selamat siang, Dimas! Apa yang bisa saya bantu?" with the menu's buttons."""
    now = deps.clock()
    async with deps.db.transaction() as session:
        employee = await session.get(Employee, employee_id)
        if employee is None:
            raise LookupError("unknown employee")
        account = await local_account(session, employee.id, now)
        # The menu reads no conversation state and changes none: a detached state, never saved.
        state = ConversationState()
        ctx = Context(
            session=session,
            now=now,
            account=account,
            employee=employee,
            inbound=Inbound(chat=ChatRef(LOCAL_CHANNEL, employee.nip), key="greeting"),
            state=state,
            deps=deps,
        )
        menu = (await show_menu(ctx))[0]
        first = employee.name.split()[0]
        text = salutation(ctx) + T(f", {first}! ", f", {first}! ") + menu.text
        enqueue_reply(
            session,
            account,
            Reply(text, menu.buttons),
            now=now,
            key=f"greeting:{account.id}:{secrets.token_hex(8)}",
            priority=PRIORITY_INTERACTIVE,
        )
