"""Helpers for conversation tests: who is who in the demo, saying things, pressing buttons."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.channels.local import LocalMessage
from core.storage.models import Employee


async def nip_of(ayo: App, name: str) -> str:
    async with ayo.db.sessions() as session:
        return (
            await session.execute(select(Employee.nip).where(Employee.name == name))
        ).scalar_one()


async def say(ayo: App, nip: str, text: str) -> list[LocalMessage]:
    await ayo.local.say(nip, text=text)
    return await ayo.local.collect(nip)


async def press(ayo: App, nip: str, token: str) -> list[LocalMessage]:
    await ayo.local.say(nip, button=token)
    return await ayo.local.collect(nip)


def button(messages: list[LocalMessage], label: str) -> str:
    """The token of the last button with this label among the messages."""
    for message in reversed(messages):
        for shown, token in message.buttons:
            if shown == label:
                return token
    raise AssertionError(f"no button {label!r} in {[m.buttons for m in messages]}")


def text_of(messages: list[LocalMessage]) -> str:
    return "\n".join(m.text for m in messages)
