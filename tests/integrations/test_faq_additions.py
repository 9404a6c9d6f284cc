"""What the back office adds to the FAQ: variants merged into HR's entries at load, drafts
kept apart, a variant that asks nothing refused, and two writers at once both kept."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from integrations.faq import additions, current, load_faq
from intents.normalize import normalize
from tests.integrations.test_faq import GOOD
from tests.support.console import run_ayo

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def faq(tmp_path: Path) -> Path:
    path = tmp_path / "faq.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_a_variant_is_merged_into_its_entry_and_hr_s_file_is_never_written(
    faq: Path, tmp_path: Path
) -> None:
    extra = tmp_path / "data" / "faq-additions.yaml"
    book = load_faq(faq, None, normalize, extra)
    assert book.find("kapan masa bersalin selesai") is None
    [entry] = book.entries
    assert (
        additions.add_variants(extra, entry, ["kapan masa bersalin selesai"], by_id=7, now=NOW)
        == 1
    )
    assert faq.read_text(encoding="utf-8") == GOOD
    again = current(book)
    assert again is not book
    assert again.find("kapan masa bersalin selesai").id == "cuti-melahirkan-lama"
    assert again.entries[0].questions == (
        "berapa hari cuti melahirkan",
        "how long is maternity leave",
        "kapan masa bersalin selesai",
    )
    assert current(again) is again  # unchanged file: the same book, nothing read
    # The same text again adds nothing.
    assert (
        additions.add_variants(extra, entry, ["kapan masa bersalin selesai"], by_id=7, now=NOW)
        == 0
    )


def test_a_variant_that_asks_nothing_is_refused(faq: Path, tmp_path: Path) -> None:
    extra = tmp_path / "faq-additions.yaml"
    [entry] = load_faq(faq, None, normalize, extra).entries
    with pytest.raises(additions.AdditionRefused, match="asks nothing"):
        additions.add_variants(extra, entry, ["lupa kata sandi simpeg"], by_id=7, now=NOW)
    assert not extra.exists()


def test_a_draft_is_kept_but_not_answered(faq: Path, tmp_path: Path) -> None:
    extra = tmp_path / "faq-additions.yaml"
    assert additions.add_draft(extra, ["kapan gaji ke-13 cair"], by_id=7, now=NOW) == 1
    assert additions.add_draft(extra, ["berapa tunjangan anak"], by_id=7, now=NOW) == 2
    found = additions.read(extra)
    assert [(d.number, d.questions) for d in found.drafts] == [
        (1, ("kapan gaji ke-13 cair",)),
        (2, ("berapa tunjangan anak",)),
    ]
    assert found.texts == {"kapan gaji ke-13 cair", "berapa tunjangan anak"}
    assert load_faq(faq, None, normalize, extra).find("kapan gaji ke-13 cair") is None


def test_a_variant_whose_entry_hr_removed_is_left_out_and_logged(
    faq: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    extra = tmp_path / "faq-additions.yaml"
    extra.write_text(
        "variants:\n- {entry: gone, question: kapan gaji cair, by_id: 1, at: x}\ndrafts: []\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING):
        book = load_faq(faq, None, normalize, extra)
    assert book.find("kapan gaji cair") is None
    assert "entry 'gone' is not in the FAQ any more" in caplog.text


def test_two_writers_at_once_both_keep_their_change(faq: Path, tmp_path: Path) -> None:
    extra = tmp_path / "faq-additions.yaml"
    [entry] = load_faq(faq, None, normalize, extra).entries
    start = threading.Barrier(8)

    def write(n: int) -> None:
        start.wait()
        additions.add_variants(
            extra, entry, [f"berapa lama cuti bersalin ke {n}"], by_id=n, now=NOW
        )

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kept = sorted(v.question for v in additions.read(extra).variants)
    assert kept == sorted(f"berapa lama cuti bersalin ke {n}" for n in range(8))
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_faq_check_names_the_drafts_and_the_variants_left_out(faq: Path, tmp_path: Path) -> None:
    extra = tmp_path / "faq-additions.yaml"
    additions.add_draft(extra, ["kapan gaji ke-13 cair"], by_id=7, now=NOW)
    orphan = "variants:\n- {entry: gone, question: kapan gaji cair, by_id: 1, at: x}"
    extra.write_text(
        extra.read_text(encoding="utf-8").replace("variants: []", orphan), encoding="utf-8"
    )
    env = {"PATH": "/usr/bin:/bin", "AYO_FAQ_ADDITIONS": str(extra)}
    done = run_ayo(["faq", "check", str(faq)], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"{extra}: variant 'kapan gaji cair': entry 'gone' is not in the FAQ any more (left out)",
        f"{extra}: draft 1 waits for an entry: kapan gaji ke-13 cair",
    ]
