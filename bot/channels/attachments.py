"""The bytes of a reply's attachment, loaded when a channel sends it (never stored in the outbox).

A leave letter is rendered from its row (integrations/leave_letter.py), so the outbox holds
only a reference and a redelivery sends the same letter.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.messages import Attachment
from core.storage.db import Database


class MissingAttachment(LookupError):
    """The row behind an attachment is gone; the message cannot be sent as it was."""


@dataclass(frozen=True)
class LoadedFile:
    content: bytes
    filename: str
    mime: str


async def load(db: Database, attachment: Attachment) -> LoadedFile:
    from core.storage.models import LeaveLetter
    from integrations import leave_letter

    if attachment.kind == leave_letter.LETTER_KIND:
        async with db.sessions() as session:
            letter = await session.get(LeaveLetter, int(attachment.ref))
            if letter is None:
                raise MissingAttachment(attachment.kind)
            return LoadedFile(leave_letter.render(letter), attachment.filename, attachment.mime)
    raise MissingAttachment(attachment.kind)
