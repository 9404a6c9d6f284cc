"""Reading the personnel system's CSV: UTF-8 (with or without Excel's BOM), `;` or `,`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core import csvtext
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
    # ya: the post keeps this employee at work on cuti bersama (PP 11/2017 Ps. 333 ayat (3)).
    "tanpa_cuti_bersama",
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


def read_table(path: Path) -> Table:
    return parse(path.read_bytes())


def parse(data: bytes) -> Table:
    try:
        found = csvtext.read_records(data)
    except csvtext.NotUtf8 as exc:
        raise FileRejected([Problem(None, "encoding", csvtext.NOT_UTF8)]) from exc
    header = found.header
    if not header or not any(cell.strip() for cell in header):
        raise FileRejected([Problem(None, "empty", T("Berkas kosong.", "The file is empty."))])
    keys = [csvtext.header_key(h) for h in header]
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
    rows = [
        (r.line, {k: (r.cells[i].strip() if i < len(r.cells) else "") for i, k in wanted})
        for r in found.records
    ]
    return Table(rows, tuple(k for _, k in wanted), found.delimiter, found.encoding, warnings)
