"""The document store: outside the database, checked by content, links only for their viewer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import App
from core.clock import FixedClock
from core.text import T
from integrations.documents import Denied, DocumentStore
from tests.support.requests_kit import person

PDF = b"%PDF-1.7\n%%EOF\n"
DOCX = b"PK\x03\x04" + b"\x00" * 40


def store_of(ayo: App, **change) -> DocumentStore:
    store: DocumentStore = ayo.deps.documents
    for name, value in change.items():
        setattr(store, name, value)
    return store


async def test_a_pdf_is_kept_in_the_folder_once_and_read_back(ayo: App, clock) -> None:
    store = store_of(ayo)
    owner = await person(ayo, "Dimas Prasetyo")
    async with ayo.db.transaction() as session:
        first = await store.save(
            session, PDF, kind="doctor_letter", owner_id=owner.id, source="test", now=clock()
        )
        second = await store.save(
            session, PDF, kind="doctor_letter", owner_id=owner.id, source="test", now=clock()
        )
    assert (first.mime, first.size) == ("application/pdf", 15)
    files = [p for p in (ayo.settings.data_dir / "documents").rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].read_bytes() == PDF  # AYO_DATA_DIR/documents
    assert first.key == second.key and store.read(second) == PDF


async def test_wrong_type_and_size_are_refused_in_both_languages(ayo: App, clock) -> None:
    store = store_of(ayo, max_bytes=10)
    async with ayo.db.transaction() as session:
        too_big = await store.save(session, PDF, kind="x", owner_id=None, source=None, now=clock())
        store.max_bytes = 1024
        wrong = await store.save(session, DOCX, kind="x", owner_id=None, source=None, now=clock())
    assert isinstance(too_big, T) and isinstance(wrong, T)
    assert "terlalu besar" in too_big.id and "too large" in too_big.en
    assert wrong.id == "Maaf, jenis berkas itu tidak diterima. Kirim sebagai PDF, JPG, PNG."
    assert wrong.en == "Sorry, that kind of file is not accepted. Send it as PDF, JPG, PNG."
    # A file named .pdf that is not one is refused: the content decides, not the sender.
    assert store.refusal(5, "application/msword") is not None
    assert store.refusal(5, "application/pdf") is None


async def test_a_link_is_for_its_viewer_until_it_expires(ayo: App, clock: FixedClock) -> None:
    store = store_of(ayo, link_ttl=timedelta(hours=1))
    owner = await person(ayo, "Dimas Prasetyo")
    async with ayo.db.transaction() as session:
        doc = await store.save(session, PDF, kind="x", owner_id=owner.id, source=None, now=clock())
    path = store.link(doc, viewer_id=42, now=clock())
    token = path.removeprefix("/documents/")
    assert store.verify(token, clock()) == (doc.id, 42)
    doc_id, _viewer, expires, mac = token.split(".")
    with pytest.raises(Denied):
        store.verify(f"{doc_id}.43.{expires}.{mac}", clock())  # another viewer
    with pytest.raises(Denied):
        store.verify(token, clock() + timedelta(hours=2))
