"""Reading the personnel system's CSV: UTF-8 (with or without Excel's BOM), `;` or `,`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from core.text import T
from integrations.org.problems import FileRejected, Problem

REQUIRED = (
    "nip",
    "nama",
    "jenis_kelamin",
    "status",
    "tmt",
    "jabatan",
    "kode_unit",
    "nama_unit",
    "kode_unit_induk",
    "nip_atasan",
)
# A column left out of the file leaves that field as it is in the database.
OPTIONAL = (
    "gelar_depan",
    "gelar_belakang",
    "peran",
    "telepon",
    "email",
    "jumlah_anak",
    "sisa_cuti_n1",
    "sisa_cuti_n2",
)
COLUMNS = REQUIRED + OPTIONAL


@dataclass
class Table:
    """The data rows of a file, each with its line number in the file (the header is line 1)."""

    rows: list[tuple[int, dict[str, str]]]
    columns: tuple[str, ...]
    delimiter: str
    encoding: str
    warnings: list[Problem] = field(default_factory=list)


def _header_key(name: str) -> str:
    return name.strip().strip('"').lower().replace(" ", "_")


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in; anything but UTF-8 is refused, never guessed."""
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise FileRejected(
            [
                Problem(
                    None,
                    "encoding",
                    T(
                        'Berkas bukan UTF-8. Di Excel simpan sebagai "CSV UTF-8 (Comma '
                        'delimited)".',
                        'The file is not UTF-8. In Excel, save it as "CSV UTF-8 (Comma '
                        'delimited)".',
                    ),
                )
            ]
        ) from exc


def sniff_delimiter(header_line: str) -> str:
    """`;` (Excel in an Indonesian locale) or `,`: whichever the header line holds more of."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_table(path: Path) -> Table:
    return parse(path.read_bytes())


def parse(data: bytes) -> Table:
    text, encoding = decode(data)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = sniff_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise FileRejected([Problem(None, "empty", T("Berkas kosong.", "The file is empty."))])
    keys = [_header_key(h) for h in header]
    missing = [c for c in REQUIRED if c not in keys]
    if missing:
        raise FileRejected(
            [
                Problem(
                    1,
                    "missing_column",
                    T(
                        f"Kolom wajib tidak ada: {c}.",
                        f"A required column is missing: {c}.",
                    ),
                    column=c,
                )
                for c in missing
            ]
        )
    warnings = [
        Problem(
            1,
            "unknown_column",
            T(
                f"Kolom {k!r} tidak dikenal dan diabaikan.",
                f"Column {k!r} is not known and was ignored.",
            ),
            column=k,
        )
        for k in dict.fromkeys(keys)
        if k and k not in COLUMNS
    ]
    wanted = [(i, k) for i, k in enumerate(keys) if k in COLUMNS]
    rows: list[tuple[int, dict[str, str]]] = []
    while True:
        line = reader.line_num + 1  # where the record starts, even if a quoted cell spans lines
        cells = next(reader, None)
        if cells is None:
            break
        if not any(cell.strip() for cell in cells):
            continue  # blank lines Excel leaves at the end
        values = {k: (cells[i].strip() if i < len(cells) else "") for i, k in wanted}
        rows.append((line, values))
    return Table(rows, tuple(k for _, k in wanted), delimiter, encoding, warnings)
