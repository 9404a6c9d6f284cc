"""The content checker's messages in Indonesian and English, for people fixing a spreadsheet.

The checker (`content_check` and friends) reports in English for authors of content files;
a sheet row already names the lesson or question, so the "question 2:" prefix is dropped.
A message without a translation here is shown as it is in both languages.
"""

from __future__ import annotations

import re

from core.text import T

# (pattern of the checker's message, Indonesian, English); groups are filled into both.
MESSAGES: tuple[tuple[str, str, str], ...] = (
    (
        r"missing required key '(?P<key>[^']+)'",
        "isian wajib '{key}' belum diisi",
        "the required value '{key}' is missing",
    ),
    (
        r"unknown key '(?P<key>[^']+)'",
        "isian '{key}' tidak dipakai di sini (soal benar/salah tidak memakai options); "
        "kosongkan kolomnya",
        "'{key}' is not used here (true/false questions have no options); leave it empty",
    ),
    (
        r"'(?P<key>[^']+)' must be non-empty text",
        "'{key}' wajib diisi",
        "'{key}' must not be empty",
    ),
    (
        r"(?P<name>.+) needs both 'id' and 'en' texts",
        "{name} perlu teks bahasa Indonesia dan bahasa Inggris",
        "{name} needs both an Indonesian and an English text",
    ),
    (
        r"'(?P<key>[^']+)' must be a whole number from (?P<low>\d+) to (?P<high>\d+)",
        "'{key}' harus bilangan bulat dari {low} sampai {high}",
        "'{key}' must be a whole number from {low} to {high}",
    ),
    (
        r"'(?P<key>[^']+)' must be lowercase letters, digits and '-': (?P<value>.*)",
        "'{key}' hanya boleh berisi huruf kecil, angka, dan tanda '-' (tanpa spasi): {value}",
        "'{key}' may only hold lowercase letters, digits and '-' (no spaces): {value}",
    ),
    (
        r"'(?P<key>[^']+)' entries must be lowercase slugs: (?P<value>.*)",
        "setiap isi '{key}' hanya boleh huruf kecil, angka, dan tanda '-': {value}",
        "each entry of '{key}' may only hold lowercase letters, digits and '-': {value}",
    ),
    (
        r"unknown (?P<key>\w+) (?P<value>.*); expected one of: (?P<names>.*)",
        "{key} {value} tidak dikenal; pilih salah satu: {names}",
        "unknown {key} {value}; use one of: {names}",
    ),
    (
        r"'options' must list (?P<low>\d+) to (?P<high>\d+) choices",
        "'options' harus berisi {low} sampai {high} pilihan, dipisah '|'",
        "'options' must hold {low} to {high} choices, separated by '|'",
    ),
    (
        r"two options have the same text",
        "dua pilihan jawaban sama persis teksnya",
        "two options have the same text",
    ),
    (
        r"a single-choice question has one answer; use type: multi",
        "soal pilihan tunggal (single) hanya punya satu jawaban; untuk beberapa jawaban "
        "gunakan type multi",
        "a single-choice question has one answer; for several answers use type multi",
    ),
    (
        r"'answer' must be an option number \(or a list of them\)",
        "'answer' harus nomor pilihan, misalnya 2, atau beberapa nomor untuk multi, misalnya 1, 3",
        "'answer' must be an option number such as 2, or several for multi such as 1, 3",
    ),
    (
        r"answer (?P<n>-?\d+) is out of range; options are numbered 1 to (?P<count>\d+)",
        "jawaban {n} tidak ada; pilihan bernomor 1 sampai {count}",
        "answer {n} does not exist; the options are numbered 1 to {count}",
    ),
    (
        r"the same option is listed twice in 'answer'",
        "nomor pilihan yang sama tertulis dua kali di 'answer'",
        "the same option number is listed twice in 'answer'",
    ),
    (
        r"a true/false answer must be true or false",
        "jawaban soal benar/salah harus benar atau salah (true atau false)",
        "a true/false answer must be true or false (benar or salah)",
    ),
    (
        r"an English prompt needs English options and explanation too",
        "soal yang punya teks bahasa Inggris perlu pilihan dan penjelasan bahasa Inggris juga",
        "a question with an English text needs English options and explanation too",
    ),
    (
        r"duplicate id '(?P<id>[^']+)' \(first used on line (?P<line>\d+)\)",
        "id '{id}' sudah dipakai di baris {line}; setiap id harus unik",
        "id '{id}' is already used on line {line}; every id must be unique",
    ),
    (
        r"duplicate id '(?P<id>[^']+)'.*",
        "id '{id}' sudah dipakai; setiap id harus unik",
        "id '{id}' is already used; every id must be unique",
    ),
    (
        r"course order (?P<n>\d+) is already used by '(?P<course>[^']+)'",
        "urutan (order) {n} sudah dipakai kursus '{course}'",
        "order {n} is already used by course '{course}'",
    ),
    (
        r"course has no lessons",
        "kursus ini belum punya pelajaran; tambahkan baris lesson dengan kolom course berisi "
        "id kursus ini",
        "this course has no lessons; add lesson rows whose course column holds its id",
    ),
    (
        r"lesson number (?P<n>\d+) is already used by '(?P<id>[^']+)'",
        "nomor pelajaran (order) {n} sudah dipakai '{id}'",
        "lesson number (order) {n} is already used by '{id}'",
    ),
    (
        r"'tags' needs at least one tag",
        "'tags' perlu paling sedikit satu tag, misalnya pelayanan-publik",
        "'tags' needs at least one tag, e.g. pelayanan-publik",
    ),
    (
        r"empty body(?: \(English\))?",
        "teks pelajaran kosong",
        "the lesson text is empty",
    ),
    (
        r"body(?: \(English\))? too long: (?P<n>\d+) characters, at most (?P<max>\d+) fit a "
        r"phone screen",
        "teks pelajaran terlalu panjang: {n} karakter, paling banyak {max} agar muat di layar "
        "ponsel",
        "the lesson text is too long: {n} characters, at most {max} fit a phone screen",
    ),
)
_COMPILED = tuple((re.compile(p), id_, en) for p, id_, en in MESSAGES)
_CONTEXT = re.compile(r"^question \d+: ")


def explain(message: str) -> T:
    """The checker's `message` for a sheet row, in both languages."""
    bare = _CONTEXT.sub("", message)
    for pattern, text_id, text_en in _COMPILED:
        found = pattern.fullmatch(bare)
        if found is not None:
            values = found.groupdict()
            return T(text_id.format(**values), text_en.format(**values))
    return T(bare, bare)
