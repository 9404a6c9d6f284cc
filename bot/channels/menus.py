"""Numbered text menus: an answer "2" to a menu of more than ten choices is a button press.

The menu itself is not stored apart: it is the last message sent to the chat, whose outbox
row keeps the reply with its buttons, and whose rendering is fixed by the number of choices.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from bot.channels import render
from bot.types import Inbound
from core.messages import Reply
from core.statuses import OutboxStatus
from core.storage.db import Database
from core.storage.models import ChatAccount, OutboxItem


async def numbered_choice(db: Database, inbound: Inbound) -> Inbound:
    """The inbound as a button press if it answers the chat's last numbered menu."""
    text = (inbound.text or "").strip().rstrip(".")
    if inbound.button is not None or not text.isdigit() or len(text) > 3:
        return inbound
    async with db.sessions() as session:
        payload = await session.scalar(
            select(OutboxItem.payload)
            .join(ChatAccount, ChatAccount.id == OutboxItem.chat_account_id)
            .where(
                ChatAccount.channel == inbound.chat.channel,
                ChatAccount.external_id == inbound.chat.chat_id,
                OutboxItem.kind == "message",
                OutboxItem.status == OutboxStatus.SENT,
            )
            .order_by(OutboxItem.id.desc())
            .limit(1)
        )
    if payload is None:
        return inbound
    token = render.menu_choice(text, Reply.from_json(payload).buttons)
    if token is None:
        return inbound
    meta = {**inbound.meta, "menu_choice": int(text)}
    return dataclasses.replace(inbound, text=None, button=token, meta=meta)
