"""Files employees send (doctor's letters, certificates): kept outside the database, checked,
linked to their request, and shown only to the people who may see them.

The API others reuse:

    store = DocumentStore.from_settings(settings)
    refused = store.refusal(size, declared_mime)      # None, or a bilingual reason
    doc = await store.save(session, content, kind=..., owner_id=..., source=..., now=...)
    content = store.read(doc)
    url = store.link(doc, viewer_id, now)              # a signed, expiring URL path
    doc_id, viewer_id = store.verify(token, now)       # raises Denied

Files are named by their SHA-256 (a file sent twice is kept once) under AYO_DOCUMENTS_DIR. The
type is read from the file's first bytes, never trusted from the sender. Nothing here logs a
file name or content: ids and sizes only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import StoredDocument
from core.text import T

# The first bytes of each accepted type (what the file is, whatever its sender says).
MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSION = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class Denied(Exception):
    """A document link that is forged, expired or not for this viewer."""


def sniff(content: bytes) -> str | None:
    for mime, prefixes in MAGIC.items():
        if any(content.startswith(p) for p in prefixes):
            return mime
    return None


@dataclass
class DocumentStore:
    root: Path
    max_bytes: int
    allowed: tuple[str, ...]
    secret: bytes
    link_ttl: timedelta

    @classmethod
    def from_settings(cls, settings: Any) -> DocumentStore:
        root = settings.documents_dir or (settings.data_dir / "documents")
        secret = settings.documents_link_secret.encode() or secrets.token_bytes(32)
        return cls(
            Path(root),
            int(settings.documents_max_bytes),
            tuple(settings.documents_types),
            secret,
            timedelta(minutes=settings.documents_link_minutes),
        )

    # -- checks ------------------------------------------------------------------------------
    def refusal(self, size: int | None, mime: str | None) -> T | None:
        """Why a file of this size and type is refused before it is fetched, or None."""
        if size is not None and size > self.max_bytes:
            mb = self.max_bytes / (1024 * 1024)
            return T(
                f"Maaf, berkasnya terlalu besar (maksimal {mb:g} MB). Kirim foto atau PDF "
                "yang lebih kecil.",
                f"Sorry, the file is too large (at most {mb:g} MB). Send a smaller photo or PDF.",
            )
        if mime is not None and mime not in self.allowed:
            return self.wrong_type()
        return None

    def wrong_type(self) -> T:
        kinds = ", ".join(EXTENSION.get(m, m).upper() for m in self.allowed)
        return T(
            f"Maaf, jenis berkas itu tidak diterima. Kirim sebagai {kinds}.",
            f"Sorry, that kind of file is not accepted. Send it as {kinds}.",
        )

    # -- storing -----------------------------------------------------------------------------
    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key

    async def save(
        self,
        session: AsyncSession,
        content: bytes,
        *,
        kind: str,
        owner_id: int | None,
        source: str | None,
        now: datetime,
        request_id: int | None = None,
    ) -> StoredDocument | T:
        """Keep a file and record it; a bilingual refusal when its size or type is wrong."""
        refused = self.refusal(len(content), None)
        if refused is not None:
            return refused
        mime = sniff(content)
        if mime is None or mime not in self.allowed:
            return self.wrong_type()
        key = hashlib.sha256(content).hexdigest()
        path = self._path(key)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_bytes(content)
            partial.replace(path)  # never a half-written file under the final name
        doc = StoredDocument(
            key=key,
            mime=mime,
            size=len(content),
            kind=kind,
            owner_id=owner_id,
            request_id=request_id,
            source=source,
            created_at=now,
        )
        session.add(doc)
        await session.flush()
        return doc

    def read(self, doc: StoredDocument) -> bytes:
        return self._path(doc.key).read_bytes()

    def filename(self, doc: StoredDocument) -> str:
        return f"{doc.kind}-{doc.id}.{EXTENSION.get(doc.mime, 'bin')}"

    # -- links -------------------------------------------------------------------------------
    def _sign(self, body: str) -> str:
        mac = hmac.new(self.secret, body.encode(), hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def link(self, doc: StoredDocument, viewer_id: int, now: datetime) -> str:
        """The URL path of a link only `viewer_id` may open, until it expires."""
        expires = int((now + self.link_ttl).timestamp())
        body = f"{doc.id}.{viewer_id}.{expires}"
        return f"/documents/{body}.{self._sign(body)}"

    def verify(self, token: str, now: datetime) -> tuple[int, int]:
        """(document id, viewer id) of a valid link; `Denied` when forged or expired."""
        parts = token.split(".")
        if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]):
            raise Denied("malformed")
        body = ".".join(parts[:3])
        if not hmac.compare_digest(self._sign(body), parts[3]):
            raise Denied("bad signature")
        if int(parts[2]) < int(now.timestamp()):
            raise Denied("expired")
        return int(parts[0]), int(parts[1])


async def of_request(session: AsyncSession, request_id: int) -> list[StoredDocument]:
    rows = await session.execute(
        select(StoredDocument)
        .where(StoredDocument.request_id == request_id)
        .order_by(StoredDocument.id)
    )
    return list(rows.scalars())


async def link_to_request(
    session: AsyncSession, data: dict[str, Any], request_id: int, owner_id: int
) -> int:
    """Attach the documents a form's answers name to the request just submitted."""
    linked = 0
    for value in data.values():
        if isinstance(value, dict) and isinstance(value.get("document"), int):
            doc = await session.get(StoredDocument, value["document"])
            if doc is not None and doc.owner_id == owner_id and doc.request_id is None:
                doc.request_id = request_id
                linked += 1
    return linked


async def may_view(session: AsyncSession, doc: StoredDocument, viewer_id: int) -> bool:
    """The owner, an approver of the request it belongs to, or an HR admin."""
    from core.storage.models import ApprovalStep, Employee

    if viewer_id == doc.owner_id:
        return True
    viewer = await session.get(Employee, viewer_id)
    if viewer is None or not viewer.active:
        return False
    if viewer.has_role("hr_admin"):
        return True
    if doc.request_id is None:
        return await _verifies_learning(session, doc.id, viewer_id)
    steps = await session.execute(
        select(ApprovalStep).where(ApprovalStep.request_id == doc.request_id)
    )
    return any(
        viewer_id in (s.approver_id, s.acting_for_id, s.decided_by_id) for s in steps.scalars()
    )


async def _verifies_learning(session: AsyncSession, doc_id: int, viewer_id: int) -> bool:
    """The supervisor asked to verify the learning record this certificate belongs to."""
    from core.storage.models import LearningEvent

    found = await session.execute(
        select(LearningEvent.id).where(
            LearningEvent.document_id == doc_id, LearningEvent.verifier_id == viewer_id
        )
    )
    return found.first() is not None
