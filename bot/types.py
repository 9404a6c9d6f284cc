"""The engine's vocabulary shared with every channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What the inbox keeps of an update (the columns' sizes): enough for any handler, bounded for
# a pasted novel. Channels cut or refuse longer values before they reach the engine.
TEXT_LIMIT = 5000
KEY_LIMIT = 100
CHAT_ID_LIMIT = 64
BUTTON_LIMIT = 64
NAME_LIMIT = 64


@dataclass(frozen=True, slots=True)
class ChatRef:
    """Where a message comes from or goes to: a chat on a channel."""

    channel: str
    chat_id: str
    is_group: bool = False


@dataclass(frozen=True, slots=True)
class Inbound:
    """One update from a channel, already verified and translated.

    `key` is the channel's unique id for the update (Telegram update_id, WhatsApp message id),
    which makes redelivered updates harmless.
    """

    chat: ChatRef
    key: str
    text: str | None = None
    button: str | None = None
    sender_name: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        if self.button is not None:
            return "button"
        if self.meta.get("file"):
            return "file"
        return "text" if self.text is not None else "unsupported"
