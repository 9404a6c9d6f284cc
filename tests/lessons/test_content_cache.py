"""The parsed lesson content is kept on disk: a restart reads it, an edit is seen at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from lessons import content_cache
from lessons.content_cache import cached_content
from lessons.content_check import ContentInvalid, load_content

FILE = "berakhlak/02-berorientasi-pelayanan.md"
LESSON = "berakhlak-02-berorientasi-pelayanan"


def test_the_second_read_comes_from_the_cache_and_equals_a_fresh_parse(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = cached_content(content, cache_dir=tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("content-*.pkl"))) == 1

    def parse_again(root: Path) -> None:
        raise AssertionError("the content was parsed again")

    monkeypatch.setattr(content_cache, "load_content", parse_again)
    again = cached_content(content, cache_dir=tmp_path / "cache")
    monkeypatch.undo()
    assert again == first == load_content(content)
    assert again.lesson(LESSON) is not None


def test_an_edited_lesson_is_read_anew(content: Path, tmp_path: Path) -> None:
    cached_content(content, cache_dir=tmp_path / "cache")
    path = content / FILE
    path.write_text(
        path.read_text(encoding="utf-8").replace("  id: Berorientasi", "  id: Diubah —", 1),
        encoding="utf-8",
    )
    edited = cached_content(content, cache_dir=tmp_path / "cache")
    assert edited.lesson(LESSON).title_id == "Diubah — Pelayanan"
    assert len(list((tmp_path / "cache").glob("content-*.pkl"))) == 2


def test_a_folder_with_errors_raises_and_is_never_cached(content: Path, tmp_path: Path) -> None:
    (content / FILE).write_text("no front matter at all\n", encoding="utf-8")
    with pytest.raises(ContentInvalid):
        cached_content(content, cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache").glob("content-*.pkl")) == []


def test_an_unreadable_entry_is_ignored_and_rewritten(content: Path, tmp_path: Path) -> None:
    cached_content(content, cache_dir=tmp_path / "cache")
    (entry,) = (tmp_path / "cache").glob("content-*.pkl")
    entry.write_bytes(b"not a pickle")
    assert cached_content(content, cache_dir=tmp_path / "cache") == load_content(content)
    assert entry.read_bytes() != b"not a pickle"
