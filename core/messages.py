"""Channel-neutral outgoing messages: what the engine says, before any channel renders it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.text import T


@dataclass(frozen=True, slots=True)
class Button:
    """A choice the user can tap; `token` is short, opaque and resolved server-side."""

    label: T
    token: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a reply, named by reference: the channel loads the bytes when sending.

    `kind` says where it lives (bot/channels/attachments.py): "leave_letter" (rendered from
    its row) or "document" (the document store); `ref` is that row's id.
    """

    kind: str
    ref: str
    filename: str
    mime: str = "application/pdf"

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "ref": self.ref, "filename": self.filename, "mime": self.mime}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Attachment:
        return cls(str(data["kind"]), str(data["ref"]), str(data["filename"]), str(data["mime"]))


@dataclass(frozen=True, slots=True)
class Reply:
    """One bot message. `sensitive` marks personal data that must never reach a group chat."""

    text: T
    buttons: tuple[Button, ...] = ()
    sensitive: bool = False
    # Set on a message that replaces an earlier one (an approval prompt showing its decision).
    replaces: str | None = None
    # WhatsApp template to use when the 24-hour window is closed (a push, not a reply).
    template: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # A document sent after the text (Telegram sendDocument, a WhatsApp document message,
    # a download link in the web chat).
    attachment: Attachment | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "attachment": self.attachment.to_json() if self.attachment else None,
            "text": self.text.to_json(),
            "buttons": [{"label": b.label.to_json(), "token": b.token} for b in self.buttons],
            "sensitive": self.sensitive,
            "replaces": self.replaces,
            "template": self.template,
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=T.from_json(data["text"]),
            buttons=tuple(
                Button(T.from_json(b["label"]), b["token"]) for b in data.get("buttons", [])
            ),
            sensitive=bool(data.get("sensitive", False)),
            replaces=data.get("replaces"),
            template=data.get("template"),
            meta=dict(data.get("meta") or {}),
            attachment=Attachment.from_json(data["attachment"])
            if data.get("attachment")
            else None,
        )
