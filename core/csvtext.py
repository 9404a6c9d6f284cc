"""Reading a CSV as Excel saves it: UTF-8 with or without the BOM, `;` or `,` between cells.

Shared by the organisation import and the lessons spreadsheet import, which each check
their own columns. Anything but UTF-8 is refused, never guessed: a wrong guess would
silently garble names.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from core.text import T

BOM = b"\xef\xbb\xbf"
NOT_UTF8 = T(
    'Berkas bukan UTF-8. Di Excel simpan sebagai "CSV UTF-8 (Comma delimited)".',
    'The file is not UTF-8. In Excel, save it as "CSV UTF-8 (Comma delimited)".',
)


class NotUtf8(ValueError):
    """The bytes are not UTF-8; `reason` says how to save the file instead."""

    reason = NOT_UTF8


@dataclass(frozen=True, slots=True)
class Record:
    line: int  # the file line it starts on (a quoted cell may span several lines)
    row: int  # the row number a spreadsheet shows (blank rows count, the header is row 1)
    cells: list[str]


@dataclass(frozen=True, slots=True)
class CsvRecords:
    """The header cells and each non-blank record."""

    header: list[str]
    records: list[Record]
    delimiter: str
    encoding: str  # "utf-8" or "utf-8-sig" (with Excel's byte-order mark)


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in; raises `NotUtf8` for anything else."""
    encoding = "utf-8-sig" if data.startswith(BOM) else "utf-8"
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise NotUtf8(NOT_UTF8.en) from exc


def sniff_delimiter(header_line: str) -> str:
    """`;` (Excel in an Indonesian locale) or `,`: whichever the header line holds more of."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def header_key(name: str) -> str:
    """A header cell as a column key: case, surrounding spaces and quotes do not matter."""
    return name.strip().strip('"').lower().replace(" ", "_")


def read_records(data: bytes) -> CsvRecords:
    """Split a file into its header and records; the header is line 1, blank records skipped."""
    text, encoding = decode(data)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = sniff_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None) or []
    records: list[Record] = []
    row = 1
    while True:
        line = reader.line_num + 1  # where the record starts, even if a quoted cell spans lines
        cells = next(reader, None)
        if cells is None:
            break
        row += 1
        if not any(cell.strip() for cell in cells):
            continue  # blank lines Excel leaves at the end
        records.append(Record(line, row, cells))
    return CsvRecords(header, records, delimiter, encoding)
