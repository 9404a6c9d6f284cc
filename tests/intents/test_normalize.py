from __future__ import annotations

import pytest

from intents.normalize import Speller, dereduplicate, fold, normalize, squeeze, stem


def test_case_accents_emoji_and_html_are_folded_away() -> None:
    assert fold("<b>Café</b> NAÏVE 😀👍") == "cafe naive"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("cutiii", "cuti"), ("pleaseee", "please"), ("maaaaf", "maaf"), ("tolong", "tolong")],
)
def test_letters_repeated_three_times_collapse_but_real_doubles_stay(
    typed: str, expected: str
) -> None:
    assert squeeze(typed) == expected


@pytest.mark.parametrize(
    ("word", "base"),
    [("hari-hari", "hari"), ("rapat2", "rapat"), ("bertanya-tanya", "bertanya"), ("x2", "x2")],
)
def test_reduplication_reduces_to_the_base_word(word: str, base: str) -> None:
    assert dereduplicate(word) == base


def test_chat_slang_expands_to_standard_words() -> None:
    assert normalize("Sy mau CUTIII bsk 2 hr, gk tau gmn") == (
        "saya mau cuti besok 2 hari tidak tau bagaimana"
    )


def test_office_abbreviations_keep_the_acronym_and_add_its_meaning() -> None:
    assert normalize("SPPD ke Bandung") == "sppd perjalanan dinas ke bandung"


def test_date_ranges_survive_normalisation_with_spaces_or_dashes() -> None:
    assert normalize("tgl 5 - 7 Des s/d 9") == "tanggal 5-7 des sampai 9"


def test_punctuation_is_kept_only_when_asked() -> None:
    assert normalize("ijin telat, ban bocor", keep_punct=True) == "izin telat , ban bocor"


def test_stemming_finds_indonesian_roots() -> None:
    assert stem("perjalanan") == "jalan"


def test_speller_maps_typos_to_known_words_and_leaves_known_words_alone() -> None:
    speller = Speller(["pengingat", "belajar", "cuti"])
    assert speller.correct("matikan pengingt belajarr cuti") == "matikan pengingat belajar cuti"


def test_huge_and_empty_messages_do_not_crash() -> None:
    assert normalize("") == ""
    assert len(normalize("cuti " * 1000).split()) == 1000
