"""Checking and loading a lessons content folder.

Layout: one folder per course holding `course.yaml`, and per lesson a Markdown file with a
YAML front-matter header (`01-name.md`) beside its questions (`01-name.questions.yaml`). An
optional English body follows a line `<!-- en -->` in the Markdown. See content/README.md.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from lessons.catalog import (
    COMPETENCIES,
    DEFAULT_CONTENT_DIR,
    MAX_BODY_CHARS,
    Competency,
    ContentCatalog,
    Course,
    Lesson,
)
from lessons.content_fields import Fields
from lessons.content_questions import read_questions
from lessons.content_source import (
    MISSING,
    ContentError,
    ContentInvalid,
    MarkdownSource,
    parse_yaml,
    split_front_matter,
)

__all__ = ["ContentError", "ContentInvalid", "check_content", "load_content"]

COURSE_FILE = "course.yaml"
QUESTIONS_SUFFIX = ".questions.yaml"
LESSON_NAME = re.compile(r"^(\d+)-[^.]+\.md$")
EN_MARKER = re.compile(r"^<!-- en -->[ \t]*$", re.MULTILINE)
COURSE_KEYS = ("id", "title", "description", "competency", "order")
LESSON_KEYS = ("id", "title", "tags", "minutes")
LESSON_OPTIONAL = ("competency", "targets")
# A micro-lesson takes 3 to 7 minutes (issue 14): shorter teaches nothing, longer is no longer
# "5 minutes a day". HR's sheets are held to the same rule.
MIN_MINUTES, MAX_MINUTES = 3, 7


def check_content(root: Path) -> list[ContentError]:
    """Every problem in a content folder, sorted by file and line; empty when it is valid."""
    return _read_catalog(root)[1]


def load_content(root: Path = DEFAULT_CONTENT_DIR) -> ContentCatalog:
    """Load a content folder, raising `ContentInvalid` with all its errors if it has any."""
    catalog, errors = _read_catalog(root)
    if errors:
        raise ContentInvalid(errors)
    return catalog


@dataclass
class _Ids:
    """Lesson and question ids share one namespace: progress rows refer to them bare."""

    errors: list[ContentError]
    seen: dict[str, tuple[Path, int]] = field(default_factory=dict)

    def claim(self, item_id: str, path: Path, line: int) -> None:
        if item_id in self.seen:
            first_path, first_line = self.seen[item_id]
            message = f"duplicate id '{item_id}' (first used at {first_path}:{first_line})"
            self.errors.append(ContentError(path, line, message))
        else:
            self.seen[item_id] = (path, line)


def _read_catalog(root: Path) -> tuple[ContentCatalog, list[ContentError]]:
    errors: list[ContentError] = []
    if not root.is_dir():
        return ContentCatalog(()), [ContentError(root, 1, "content folder not found")]
    ids = _Ids(errors)
    courses: list[Course] = []
    orders: dict[int, str] = {}
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.name.startswith((".", "_")):
            continue
        found = _read_course(folder, ids, errors)
        if found is None:
            continue
        course, order_line = found
        if course.order in orders:
            message = f"course order {course.order} is already used by '{orders[course.order]}'"
            errors.append(ContentError(folder / COURSE_FILE, order_line, message))
        orders[course.order] = course.id
        courses.append(course)
    courses.sort(key=lambda c: (c.order, c.id))
    errors.sort(key=lambda e: (str(e.path), e.line))
    return ContentCatalog(tuple(courses)), errors


def _read_course(folder: Path, ids: _Ids, errors: list[ContentError]) -> tuple[Course, int] | None:
    meta = folder / COURSE_FILE
    if not meta.is_file():
        errors.append(ContentError(meta, 1, f"missing {COURSE_FILE} in course folder"))
        return None
    doc = parse_yaml(meta.read_text(encoding="utf-8"), meta, errors)
    fields = Fields(doc, meta, errors)
    header_ok = doc.data is not MISSING and fields.mapping(COURSE_KEYS)
    course_id = fields.slug("id")
    if course_id is not None and course_id != folder.name:
        fields.error(("id",), f"course id '{course_id}' must match its folder '{folder.name}'")
    title_id, title_en = fields.bilingual("title", en_required=True)
    description = fields.text("description")
    competency = fields.choice("competency", COMPETENCIES)
    order = fields.integer("order", 1, 999)
    lessons = _read_lessons(folder, course_id or folder.name, competency, ids, errors)
    if not header_ok or None in (course_id, title_id, title_en, description, competency, order):
        return None
    if not any(folder.glob("*.md")):
        errors.append(ContentError(meta, 1, "course has no lessons"))
    course = Course(
        id=str(course_id),
        title_id=str(title_id),
        title_en=str(title_en),
        description=str(description),
        competency=cast(Competency, competency),
        order=cast(int, order),
        lessons=tuple(lessons),
    )
    return course, fields.line("order")


def _read_lessons(
    folder: Path, course_id: str, competency: str | None, ids: _Ids, errors: list[ContentError]
) -> list[Lesson]:
    for orphan in sorted(folder.glob(f"*{QUESTIONS_SUFFIX}")):
        lesson_file = orphan.with_name(orphan.name.removesuffix(QUESTIONS_SUFFIX) + ".md")
        if not lesson_file.is_file():
            errors.append(ContentError(orphan, 1, f"no lesson {lesson_file.name} beside it"))
    lessons: dict[int, Lesson] = {}
    for path in sorted(folder.glob("*.md")):
        lesson = _read_lesson(path, course_id, competency, ids, errors)
        if lesson is None:
            continue
        if lesson.order in lessons:
            taken = lessons[lesson.order].id
            message = f"lesson number {lesson.order} is already used by '{taken}'"
            errors.append(ContentError(path, 1, message))
            continue
        lessons[lesson.order] = lesson
    return [lessons[order] for order in sorted(lessons)]


def _read_lesson(
    path: Path, course_id: str, default: str | None, ids: _Ids, errors: list[ContentError]
) -> Lesson | None:
    name = LESSON_NAME.match(path.name)
    if name is None:
        errors.append(ContentError(path, 1, "lesson file names start with a number: '01-name.md'"))
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    source = split_front_matter(text)
    if source is None:
        errors.append(ContentError(path, 1, "missing front matter between two '---' lines"))
        return None
    # The YAML text starts on the line after the opening `---`.
    doc = parse_yaml(source.front_matter, path, errors, offset=1)
    fields = Fields(doc, path, errors)
    header_ok = doc.data is not MISSING and fields.mapping(LESSON_KEYS, LESSON_OPTIONAL)
    lesson_id = fields.slug("id")
    if lesson_id is not None:
        ids.claim(lesson_id, path, fields.line("id"))
    title_id, title_en = fields.bilingual("title", en_required=True)
    has_own = fields.get("competency") is not MISSING
    competency = fields.choice("competency", COMPETENCIES) if has_own else default
    tags = fields.slugs("tags")
    if fields.get("tags") in (None, []):
        fields.error(("tags",), "'tags' needs at least one tag")
    minutes = fields.integer("minutes", MIN_MINUTES, MAX_MINUTES)
    targets = fields.slugs("targets")
    body_id, body_en = _bodies(path, source, errors)

    questions_path = path.with_name(path.name.removesuffix(".md") + QUESTIONS_SUFFIX)
    found = []
    if questions_path.is_file():
        found = read_questions(questions_path, lesson_id or "", errors)
        for question, line in found:
            ids.claim(question.id, questions_path, line)
        raw += b"\0" + questions_path.read_bytes()
    else:
        errors.append(ContentError(path, 1, f"no questions file {questions_path.name} beside it"))
    required = (name, lesson_id, title_id, title_en, competency, minutes, body_id)
    if not header_ok or None in required or not found:
        return None
    return Lesson(
        id=str(lesson_id),
        course_id=course_id,
        order=int(cast(re.Match[str], name).group(1)),
        title_id=str(title_id),
        title_en=str(title_en),
        competency=cast(Competency, competency),
        tags=tags,
        minutes=cast(int, minutes),
        targets=targets,
        body_id=str(body_id),
        body_en=body_en,
        questions=tuple(q for q, _ in found),
        content_hash=hashlib.sha256(raw).hexdigest(),
    )


def _bodies(
    path: Path, source: MarkdownSource, errors: list[ContentError]
) -> tuple[str | None, str | None]:
    """Split the Indonesian body from the optional English one and check each fits a phone."""
    marker = EN_MARKER.search(source.body)
    cut = marker.start() if marker else len(source.body)
    parts = [("", source.body[:cut], source.body_line)]
    if marker:
        en_line = source.body_line + source.body.count("\n", 0, marker.end()) + 1
        parts.append((" (English)", source.body[marker.end() + 1 :], en_line))
    bodies: list[str | None] = []
    for label, raw, first_line in parts:
        body = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        if not body:
            errors.append(ContentError(path, first_line, f"empty body{label}"))
            bodies.append(None)
            continue
        if len(body) > MAX_BODY_CHARS:
            # Point at the line where the text crosses the limit, where cutting must start.
            line = first_line + raw.count("\n", 0, lead + MAX_BODY_CHARS)
            message = (
                f"body{label} too long: {len(body)} characters, at most {MAX_BODY_CHARS} "
                "fit a phone screen"
            )
            errors.append(ContentError(path, line, message))
        bodies.append(body)
    return bodies[0], bodies[1] if len(bodies) > 1 else None
