"""Courses from a spreadsheet: one CSV row per course, lesson and question, for HR.

The rows are written out as a content folder (`course.yaml`, `NN-name.md`,
`NN-name.questions.yaml`) in a temporary directory and checked by `content_check`, so a
sheet obeys exactly the rules of the content files. Every value goes on its own line of
those files, so each error the checker reports at a file line maps back to one CSV line and
column. See lessons/content/README.md ("Spreadsheet") for the columns.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import csvtext
from core.text import T
from lessons.catalog import ContentCatalog
from lessons.content_check import QUESTIONS_SUFFIX, check_content, load_content
from lessons.content_source import ContentError
from lessons.sheet_messages import explain

COLUMNS = (
    "kind",
    "course",
    "lesson",
    "id",
    "order",
    "title_id",
    "title_en",
    "description",
    "competency",
    "tags",
    "minutes",
    "targets",
    "text_id",
    "text_en",
    "type",
    "options_id",
    "options_en",
    "answer",
    "explanation_id",
    "explanation_en",
)
REQUIRED_COLUMNS = ("kind", "id")
KINDS = {
    "course": "course",
    "kursus": "course",
    "lesson": "lesson",
    "pelajaran": "lesson",
    "question": "question",
    "soal": "question",
}
TRUE_WORDS = {"true", "benar", "ya", "b"}
FALSE_WORDS = {"false", "salah", "tidak", "s"}
# Generated lines that hold an {id, en} pair; the error says which half is wrong.
BILINGUAL = ("title", "text", "explanation", "options")
FIRST_USED = re.compile(r"\(first used at (?P<path>.+):(?P<line>\d+)\)$")


@dataclass(frozen=True, slots=True)
class SheetProblem:
    """One bad row (as a spreadsheet numbers it, the header is row 1; None: the whole file)."""

    line: int | None
    column: str | None
    reason: T

    def describe(self, language: str = "id") -> str:
        where = T("Baris", "Row") if self.line is not None else T("Berkas", "File")
        place = where.get(language) + (f" {self.line}" if self.line is not None else "")
        if self.column:
            place += f", {T('kolom', 'column').get(language)} {self.column}"
        return f"{place}: {self.reason.get(language)}"


@dataclass
class SheetResult:
    """What a sheet holds: the checked catalog, or the problems that stop it."""

    catalog: ContentCatalog | None
    problems: list[SheetProblem]
    rows: int = 0
    delimiter: str = ""
    encoding: str = ""
    lines: dict[str, int] = field(default_factory=dict)  # course/lesson/question id -> line

    @property
    def ok(self) -> bool:
        return self.catalog is not None and not self.problems


@dataclass
class _Row:
    line: int
    kind: str
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()


@dataclass
class _Writer:
    """Writes one generated file line by line, remembering which row and column each came from."""

    path: Path
    lines: list[str] = field(default_factory=list)
    origin: dict[int, tuple[int, str]] = field(default_factory=dict)

    def add(self, text: str, line: int, column: str) -> None:
        for part in text.split("\n"):
            self.lines.append(part)
            self.origin[len(self.lines)] = (line, column)

    def save(self, origins: dict[Path, dict[int, tuple[int, str]]]) -> None:
        self.path.write_text("\n".join(self.lines) + "\n", encoding="utf-8")
        origins[self.path] = self.origin


def read_sheet(data: bytes) -> SheetResult:
    """Read and check a sheet; the catalog is None when any row is bad."""
    try:
        found = csvtext.read_records(data)
    except csvtext.NotUtf8:
        return SheetResult(None, [SheetProblem(None, None, csvtext.NOT_UTF8)])
    keys = [csvtext.header_key(h) for h in found.header]
    problems = _header_problems(keys)
    result = SheetResult(None, problems, len(found.records), found.delimiter, found.encoding)
    if problems:
        return result
    rows: list[_Row] = []
    for record in found.records:
        # A spreadsheet's row number, not the file line: lesson texts span several lines.
        line, cells = record.row, record.cells
        values = {k: cells[i] for i, k in enumerate(keys) if k in COLUMNS and i < len(cells)}
        kind = KINDS.get(values.get("kind", "").strip().lower())
        if kind is None:
            reason = T(
                f"jenis baris {values.get('kind', '').strip()!r} tidak dikenal; isi course, "
                "lesson, atau question (kursus, pelajaran, soal)",
                f"unknown row kind {values.get('kind', '').strip()!r}; use course, lesson or "
                "question (kursus, pelajaran, soal)",
            )
            problems.append(SheetProblem(line, "kind", reason))
            continue
        rows.append(_Row(line, kind, values))
    if not rows and not problems:
        problems.append(SheetProblem(None, None, T("Berkas tidak berisi baris.", "No rows.")))
    with tempfile.TemporaryDirectory(prefix="ayo-sheet-") as tmp:
        root = Path(tmp)
        origins: dict[Path, dict[int, tuple[int, str]]] = {}
        problems += _write_folder(root, rows, origins)
        result.lines = {r.get("id"): r.line for r in reversed(rows) if r.get("id")}
        # A lesson without question rows is reported above, in words about the sheet.
        errors = [e for e in check_content(root) if not e.message.startswith("no questions")]
        problems += [_locate(error, origins) for error in errors]
        if not problems:
            result.catalog = load_content(root)
    problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    result.problems = _unique(problems)
    return result


def _header_problems(keys: list[str]) -> list[SheetProblem]:
    if not any(keys):
        return [SheetProblem(None, None, T("Berkas kosong.", "The file is empty."))]
    problems = [
        SheetProblem(1, c, T(f"kolom wajib tidak ada: {c}", f"a required column is missing: {c}"))
        for c in REQUIRED_COLUMNS
        if c not in keys
    ]
    problems += [
        SheetProblem(
            1,
            k,
            T(
                f"kolom {k!r} tidak dikenal; kolom yang dikenal: {', '.join(COLUMNS)}",
                f"unknown column {k!r}; known columns: {', '.join(COLUMNS)}",
            ),
        )
        for k in dict.fromkeys(keys)
        if k and k not in COLUMNS
    ]
    return problems


def _write_folder(
    root: Path, rows: list[_Row], origins: dict[Path, dict[int, tuple[int, str]]]
) -> list[SheetProblem]:
    problems: list[SheetProblem] = []
    courses: dict[str, Path] = {}
    for row in (r for r in rows if r.kind == "course"):
        course_id = row.get("id")
        if course_id in courses:
            problems.append(SheetProblem(row.line, "id", _twice("kursus", "course", course_id)))
            continue
        folder = root / _file_safe(course_id or f"baris-{row.line}")
        folder.mkdir(exist_ok=True)
        courses[course_id] = folder
        _write_course(folder, row, origins)
    lessons: dict[str, tuple[Path, _Row]] = {}
    numbers: dict[str, int] = {}
    for row in (r for r in rows if r.kind == "lesson"):
        course_id = row.get("course")
        if course_id not in courses:
            problems.append(SheetProblem(row.line, "course", _no_parent("course", course_id)))
            continue
        numbers[course_id] = numbers.get(course_id, 0) + 1
        number = row.get("order") or str(numbers[course_id])
        if not number.isdigit():
            reason = T(
                f"'order' harus bilangan bulat (nomor pelajaran), bukan {number!r}",
                f"'order' must be a whole number (the lesson number), not {number!r}",
            )
            problems.append(SheetProblem(row.line, "order", reason))
            continue
        lesson_id = row.get("id")
        name = f"{int(number):02d}-{_file_safe(lesson_id or f'baris-{row.line}')}"
        path = courses[course_id] / f"{name}.md"
        if lesson_id in lessons or path.exists():
            problems.append(SheetProblem(row.line, "id", _twice("pelajaran", "lesson", lesson_id)))
            continue
        lessons[lesson_id] = (path, row)
    questions: dict[str, list[_Row]] = {lesson_id: [] for lesson_id in lessons}
    for row in (r for r in rows if r.kind == "question"):
        lesson_id = row.get("lesson")
        if lesson_id not in lessons:
            problems.append(SheetProblem(row.line, "lesson", _no_parent("lesson", lesson_id)))
            continue
        questions[lesson_id].append(row)
    for lesson_id, (path, row) in lessons.items():
        _write_lesson(path, row, origins)
        if questions[lesson_id]:
            problems += _write_questions(path, questions[lesson_id], origins)
        else:
            reason = T(
                "pelajaran ini belum punya soal; tambahkan baris question dengan kolom lesson "
                f"= {lesson_id}",
                f"this lesson has no questions; add question rows with lesson = {lesson_id}",
            )
            problems.append(SheetProblem(row.line, "id", reason))
    return problems


def _write_course(
    folder: Path, row: _Row, origins: dict[Path, dict[int, tuple[int, str]]]
) -> None:
    out = _Writer(folder / "course.yaml")
    out.add(f"id: {_json(row.get('id'))}", row.line, "id")
    out.add(f"title: {_json(_pair(row, 'title'))}", row.line, "title")
    out.add(f"description: {_json(row.get('description'))}", row.line, "description")
    out.add(f"competency: {_json(row.get('competency'))}", row.line, "competency")
    out.add(f"order: {_json(_number(row.get('order')))}", row.line, "order")
    out.save(origins)


def _write_lesson(path: Path, row: _Row, origins: dict[Path, dict[int, tuple[int, str]]]) -> None:
    out = _Writer(path)
    out.add("---", row.line, "id")
    out.add(f"id: {_json(row.get('id'))}", row.line, "id")
    out.add(f"title: {_json(_pair(row, 'title'))}", row.line, "title")
    if row.get("competency"):
        out.add(f"competency: {_json(row.get('competency'))}", row.line, "competency")
    out.add(f"tags: {_json(_words(row.get('tags')))}", row.line, "tags")
    out.add(f"minutes: {_json(_number(row.get('minutes')))}", row.line, "minutes")
    if row.get("targets"):
        out.add(f"targets: {_json(_words(row.get('targets')))}", row.line, "targets")
    out.add("---", row.line, "text_id")
    # Excel may save line breaks inside a cell as CRLF; the checker counts characters.
    out.add(_text(row.get("text_id")), row.line, "text_id")
    if row.get("text_en"):
        out.add("", row.line, "text_id")
        out.add("<!-- en -->", row.line, "text_en")
        out.add(_text(row.get("text_en")), row.line, "text_en")
    out.save(origins)


def _write_questions(
    lesson: Path, rows: list[_Row], origins: dict[Path, dict[int, tuple[int, str]]]
) -> list[SheetProblem]:
    problems: list[SheetProblem] = []
    out = _Writer(lesson.with_name(lesson.name.removesuffix(".md") + QUESTIONS_SUFFIX))
    for row in rows:
        kind = row.get("type").lower()
        out.add(f"- id: {_json(row.get('id'))}", row.line, "id")
        out.add(f"  type: {_json(kind)}", row.line, "type")
        out.add(f"  prompt: {_json(_pair(row, 'text'))}", row.line, "text")
        options, problem = _options(row)
        if problem is not None:
            problems.append(problem)
        if options is not None:
            out.add(f"  options: {_json(options)}", row.line, "options")
        out.add(f"  answer: {_json(_answer(row.get('answer'), kind))}", row.line, "answer")
        out.add(f"  explanation: {_json(_pair(row, 'explanation'))}", row.line, "explanation")
    out.save(origins)
    return problems


def _options(row: _Row) -> tuple[list[Any] | None, SheetProblem | None]:
    labels, labels_en = _choices(row.get("options_id")), _choices(row.get("options_en"))
    if not labels and not labels_en:
        return None, None
    if labels_en and len(labels_en) != len(labels):
        reason = T(
            f"options_id berisi {len(labels)} pilihan, options_en {len(labels_en)}; "
            "jumlahnya harus sama",
            f"options_id has {len(labels)} choices and options_en {len(labels_en)}; "
            "they must match",
        )
        return None, SheetProblem(row.line, "options_en", reason)
    if not labels_en:
        return list(labels), None
    return [{"id": a, "en": b} for a, b in zip(labels, labels_en, strict=True)], None


def _choices(cell: str) -> list[str]:
    """Choices split by `|` or by line breaks inside the cell (Alt+Enter in Excel)."""
    parts = cell.split("|") if "|" in cell else cell.splitlines()
    return [p.strip() for p in parts if p.strip()]


def _answer(cell: str, kind: str) -> Any:
    """Option numbers, or true/false; anything else is passed on for the checker to explain."""
    word = cell.strip().lower()
    if kind == "truefalse":
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        return cell.strip()
    parts = [p for p in re.split(r"[,;\s]+", word) if p]
    if parts and all(p.isdigit() for p in parts):
        numbers = [int(p) for p in parts]
        return numbers if kind == "multi" or len(numbers) > 1 else numbers[0]
    return cell.strip()


def _pair(row: _Row, column: str) -> Any:
    """`{id, en}` when an English text is given; the Indonesian text alone otherwise."""
    text_id, text_en = _text(row.get(f"{column}_id")), _text(row.get(f"{column}_en"))
    if column == "title" or text_en:
        return {"id": text_id, "en": text_en}
    return text_id


def _text(cell: str) -> str:
    return cell.replace("\r\n", "\n").replace("\r", "\n").strip()


def _words(cell: str) -> list[str]:
    return [w for w in re.split(r"[,;\s]+", cell.strip()) if w]


def _number(cell: str) -> Any:
    return int(cell) if cell.isdigit() else cell


def _json(value: Any) -> str:
    # JSON is valid YAML and keeps every value on one line, which the line map relies on.
    return json.dumps(value, ensure_ascii=False)


def _file_safe(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", value).strip("-") or "x"


def _twice(word_id: str, word_en: str, item_id: str) -> T:
    return T(
        f"{word_id} {item_id!r} muncul lebih dari sekali di berkas",
        f"{word_en} {item_id!r} appears more than once in the file",
    )


def _no_parent(column: str, parent: str) -> T:
    word_id, word_en = ("kursus", "course") if column == "course" else ("pelajaran", "lesson")
    if not parent:
        return T(f"kolom {column} kosong", f"the {column} column is empty")
    return T(
        f"{word_id} {parent!r} tidak ada di berkas; tambahkan barisnya atau periksa ejaannya",
        f"{word_en} {parent!r} is not in the file; add its row or check the spelling",
    )


def _locate(error: ContentError, origins: dict[Path, dict[int, tuple[int, str]]]) -> SheetProblem:
    line, column = origins.get(error.path, {}).get(error.line, (None, None))
    message = error.message
    first = FIRST_USED.search(message)
    if first is not None:
        # The checker names the temporary file; the person needs the sheet's line.
        where = origins.get(Path(first["path"]), {}).get(int(first["line"]), (0, ""))
        message = message[: first.start()] + f"(first used on line {where[0]})"
    if line is None:
        # An error about a whole file (e.g. no lessons): its first line names the row.
        found = origins.get(error.path, {}).get(1)
        line, column = found if found is not None else (None, None)
    if column in BILINGUAL:
        english = "'en'" in message or "English" in message
        column = f"{column}_en" if english else f"{column}_id"
        # "'en' must be non-empty text" reads better with the sheet's column name.
        message = re.sub(r"^'(id|en)' must", f"'{column}' must", message)
    return SheetProblem(line, column, explain(message))


def _unique(problems: Iterable[SheetProblem]) -> list[SheetProblem]:
    return list(dict.fromkeys(problems))
