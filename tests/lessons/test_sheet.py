"""Reading a lessons spreadsheet: the content rules per row, with line, column and reason."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from lessons.sheet import COLUMNS, read_sheet
from lessons.sheet_messages import explain

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "lessons-sheet-example.csv"


def sheet(*rows: dict[str, str], delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


COURSE = {
    "kind": "course",
    "id": "tata-naskah",
    "order": "60",
    "title_id": "Tata Naskah Dinas",
    "title_en": "Official Correspondence",
    "description": "Menulis nota dinas dan surat yang jelas.",
    "competency": "teknis",
}
LESSON = {
    "kind": "lesson",
    "course": "tata-naskah",
    "id": "tata-naskah-01-nota-dinas",
    "title_id": "Nota dinas",
    "title_en": "Memos",
    "tags": "naskah-dinas, surat",
    "minutes": "4",
    "text_id": "Nota dinas dipakai untuk komunikasi di dalam instansi.\r\nTulis singkat.",
    "text_en": "A memo is for communication inside the agency.",
}
SINGLE = {
    "kind": "question",
    "lesson": "tata-naskah-01-nota-dinas",
    "id": "tata-naskah-01-q1",
    "type": "single",
    "text_id": "Nota dinas dipakai untuk ...",
    "options_id": "komunikasi di dalam instansi\nundangan pernikahan\niklan",
    "answer": "1",
    "explanation_id": "Nota dinas untuk komunikasi internal.",
}
TRUEFALSE = {
    "kind": "soal",
    "lesson": "tata-naskah-01-nota-dinas",
    "id": "tata-naskah-01-q2",
    "type": "truefalse",
    "text_id": "Nota dinas sebaiknya singkat.",
    "answer": "Benar",
    "explanation_id": "Benar.",
}


def test_the_example_file_becomes_a_course_with_graded_questions() -> None:
    result = read_sheet(EXAMPLE.read_bytes())
    assert result.problems == []
    assert (result.rows, result.delimiter, result.encoding) == (5, ",", "utf-8")
    course = result.catalog.courses[0]
    assert (course.id, course.order, course.competency, course.title_en) == (
        "arsip-dinas",
        50,
        "teknis",
        "Managing Official Records",
    )
    lesson = course.lessons[0]
    assert (lesson.id, lesson.order, lesson.minutes, lesson.tags, lesson.competency) == (
        "arsip-dinas-01-mengenal-arsip",
        1,
        4,
        ("arsip", "kearsipan"),
        "teknis",
    )
    assert lesson.body_id.startswith("**Arsip dinamis** adalah arsip")
    assert lesson.body_en.startswith("**Active records** are records")
    graded = [(q.id, q.kind, sorted(q.correct), len(q.options)) for q in lesson.questions]
    assert graded == [
        ("arsip-dinas-01-q1", "single", [0], 3),
        ("arsip-dinas-01-q2", "truefalse", [0], 2),
        ("arsip-dinas-01-q3", "multi", [0, 1], 3),
    ]
    first = lesson.questions[0]
    assert (first.options[0].label_id, first.options[0].label_en) == (
        "Surat masuk yang masih diproses",
        "An incoming letter still being processed",
    )
    assert result.lines == {
        "arsip-dinas": 2,
        "arsip-dinas-01-mengenal-arsip": 3,
        "arsip-dinas-01-q1": 4,
        "arsip-dinas-01-q2": 5,
        "arsip-dinas-01-q3": 6,
    }


def test_semicolons_a_bom_line_breaks_in_cells_and_indonesian_kinds_are_read() -> None:
    result = read_sheet(sheet(COURSE, LESSON, SINGLE, TRUEFALSE, delimiter=";", bom=True))
    assert result.problems == []
    assert (result.delimiter, result.encoding) == (";", "utf-8-sig")
    lesson = next(result.catalog.lessons())
    # Lessons without an order are numbered in the order of their rows.
    assert lesson.order == 1
    assert lesson.body_id == (
        "Nota dinas dipakai untuk komunikasi di dalam instansi.\nTulis singkat."
    )
    single, truefalse = lesson.questions
    assert [o.label_id for o in single.options] == [
        "komunikasi di dalam instansi",
        "undangan pernikahan",
        "iklan",
    ]
    assert (truefalse.kind, sorted(truefalse.correct)) == ("truefalse", [0])


def test_every_bad_row_is_reported_with_its_line_column_and_reason() -> None:
    rows = (
        COURSE,
        {**LESSON, "tags": "Naskah Dinas", "minutes": "20"},
        SINGLE,
        {**TRUEFALSE, "answer": "mungkin"},
        {**SINGLE, "id": "tata-naskah-01-q3", "type": "single", "answer": "1, 2"},
        {**SINGLE, "id": "tata-naskah-01-q1"},
        {**SINGLE, "id": "tata-naskah-01-q4", "answer": "4"},
        {**LESSON, "course": "tidak-ada", "id": "lain-01"},
        {"kind": "bab", "id": "x"},
    )
    result = read_sheet(sheet(*rows))
    assert result.catalog is None
    assert [(p.line, p.column, p.reason.id) for p in result.problems] == [
        (3, "minutes", "'minutes' harus bilangan bulat dari 3 sampai 7"),
        (
            3,
            "tags",
            "setiap isi 'tags' hanya boleh huruf kecil, angka, dan tanda '-': 'Naskah'",
        ),
        (
            3,
            "tags",
            "setiap isi 'tags' hanya boleh huruf kecil, angka, dan tanda '-': 'Dinas'",
        ),
        (5, "answer", "jawaban soal benar/salah harus benar atau salah (true atau false)"),
        (
            6,
            "answer",
            "soal pilihan tunggal (single) hanya punya satu jawaban; untuk beberapa jawaban "
            "gunakan type multi",
        ),
        (7, "id", "id 'tata-naskah-01-q1' sudah dipakai di baris 4; setiap id harus unik"),
        (8, "answer", "jawaban 4 tidak ada; pilihan bernomor 1 sampai 3"),
        (
            9,
            "course",
            "kursus 'tidak-ada' tidak ada di berkas; tambahkan barisnya atau periksa ejaannya",
        ),
        (
            10,
            "kind",
            "jenis baris 'bab' tidak dikenal; isi course, lesson, atau question (kursus, "
            "pelajaran, soal)",
        ),
    ]
    assert result.problems[6].describe("en") == (
        "Row 8, column answer: answer 4 does not exist; the options are numbered 1 to 3"
    )
    assert result.problems[6].describe("id") == (
        "Baris 8, kolom answer: jawaban 4 tidak ada; pilihan bernomor 1 sampai 3"
    )


def test_english_halves_and_empty_cells_name_the_sheet_column() -> None:
    rows = (
        {**COURSE, "title_en": "", "competency": "teknik"},
        LESSON,
        {**SINGLE, "text_en": "Memos are for ...", "options_en": "inside|wedding|ads"},
        {**TRUEFALSE, "options_id": "Ya|Tidak"},
    )
    result = read_sheet(sheet(*rows))
    assert [(p.line, p.column, p.reason.en) for p in result.problems] == [
        (
            2,
            "competency",
            "unknown competency 'teknik'; use one of: manajerial, sosial_kultural, teknis",
        ),
        (2, "title_en", "'title_en' must not be empty"),
        (
            4,
            "text_en",
            "a question with an English text needs English options and explanation too",
        ),
        (
            5,
            "options_id",
            "'options' is not used here (true/false questions have no options); leave it empty",
        ),
    ]


def test_a_lesson_without_questions_and_a_course_without_lessons_are_named() -> None:
    other = {**COURSE, "id": "kosong", "order": "61"}
    result = read_sheet(sheet(COURSE, LESSON, other))
    assert [(p.line, p.column, p.reason.id) for p in result.problems] == [
        (
            3,
            "id",
            "pelajaran ini belum punya soal; tambahkan baris question dengan kolom lesson = "
            "tata-naskah-01-nota-dinas",
        ),
        (
            4,
            "id",
            "kursus ini belum punya pelajaran; tambahkan baris lesson dengan kolom course "
            "berisi id kursus ini",
        ),
    ]


def test_a_too_long_text_is_reported_at_its_column() -> None:
    long = {**LESSON, "text_en": "A very long memo. " * 80}
    result = read_sheet(sheet(COURSE, long, SINGLE))
    assert [(p.line, p.column, p.reason.id) for p in result.problems] == [
        (
            3,
            "text_en",
            "teks pelajaran terlalu panjang: 1439 karakter, paling banyak 1200 agar muat di "
            "layar ponsel",
        ),
    ]


def test_a_file_that_is_not_utf8_or_has_unknown_columns_is_refused_whole() -> None:
    latin = "kind,id,title_id\ncourse,x,Caf\xe9\n".encode("latin-1")
    refused = read_sheet(latin)
    assert [(p.line, p.reason.id) for p in refused.problems] == [
        (None, 'Berkas bukan UTF-8. Di Excel simpan sebagai "CSV UTF-8 (Comma delimited)".')
    ]
    assert refused.problems[0].describe("en").startswith("File: The file is not UTF-8.")
    header = read_sheet(b"jenis,id\ncourse,x\n")
    assert [(p.line, p.column) for p in header.problems] == [(1, "kind"), (1, "jenis")]
    assert header.problems[0].reason.id == "kolom wajib tidak ada: kind"
    assert header.catalog is None


def test_a_message_without_a_translation_is_shown_as_it_is() -> None:
    assert explain("question 3: something new").id == "something new"
    assert explain("question 2: two options have the same text").id == (
        "dua pilihan jawaban sama persis teksnya"
    )
