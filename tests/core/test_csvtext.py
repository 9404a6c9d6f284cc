"""Reading CSV as Excel saves it: encodings, delimiters, and row versus file line numbers."""

from __future__ import annotations

import pytest

from core.csvtext import NotUtf8, read_records


def test_a_quoted_line_break_moves_the_file_line_but_not_the_row() -> None:
    data = b'\xef\xbb\xbfkind;text\ncourse;"satu\ndua"\n\nlesson;tiga\n'
    found = read_records(data)
    assert (found.header, found.delimiter, found.encoding) == (
        ["kind", "text"],
        ";",
        "utf-8-sig",
    )
    assert [(r.line, r.row, r.cells) for r in found.records] == [
        (2, 2, ["course", "satu\ndua"]),
        (5, 4, ["lesson", "tiga"]),
    ]


def test_commas_without_a_bom_are_plain_utf8() -> None:
    found = read_records("a,b\nx,é\n".encode())
    assert (found.delimiter, found.encoding, found.records[0].cells) == (",", "utf-8", ["x", "é"])


def test_anything_but_utf8_is_refused() -> None:
    with pytest.raises(NotUtf8):
        read_records("a;b\nx;\xe9\n".encode("latin-1"))
