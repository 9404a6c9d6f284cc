"""The lesson catalogue as loaded from content files: courses, lessons, questions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent / "content"

Competency = Literal["teknis", "manajerial", "sosial_kultural"]
COMPETENCIES: frozenset[str] = frozenset({"teknis", "manajerial", "sosial_kultural"})

QuestionKind = Literal["single", "multi", "truefalse"]
QUESTION_KINDS: frozenset[str] = frozenset({"single", "multi", "truefalse"})

# Bodies are read on a phone in a chat bubble; longer text stops being "five minutes".
MAX_BODY_CHARS = 1200


@dataclass(frozen=True, slots=True)
class Option:
    label_id: str
    label_en: str | None = None


# True/false questions share one fixed pair of options so the bot renders them uniformly.
TRUE_FALSE_OPTIONS: tuple[Option, Option] = (Option("Benar", "True"), Option("Salah", "False"))


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    lesson_id: str
    kind: QuestionKind
    prompt_id: str
    prompt_en: str | None
    options: tuple[Option, ...]
    correct: frozenset[int]  # 0-based indices into `options`
    explanation_id: str
    explanation_en: str | None


@dataclass(frozen=True, slots=True)
class Lesson:
    id: str
    course_id: str
    order: int
    title_id: str
    title_en: str
    competency: Competency
    tags: tuple[str, ...]
    minutes: int
    targets: tuple[str, ...]  # unit or position codes; empty means every employee
    body_id: str
    body_en: str | None
    questions: tuple[Question, ...]
    content_hash: str  # sha256 of the source files, so progress can notice edited lessons


@dataclass(frozen=True, slots=True)
class Course:
    id: str
    title_id: str
    title_en: str
    description: str
    competency: Competency
    order: int
    lessons: tuple[Lesson, ...]


@dataclass(frozen=True)
class ContentCatalog:
    """All courses, ordered, with lookups by id."""

    courses: tuple[Course, ...]
    _lessons: dict[str, Lesson] = field(init=False, repr=False, compare=False)
    _questions: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lessons = {lesson.id: lesson for course in self.courses for lesson in course.lessons}
        questions = {q.id: q for lesson in lessons.values() for q in lesson.questions}
        # Frozen dataclasses only allow derived fields through object.__setattr__.
        object.__setattr__(self, "_lessons", lessons)
        object.__setattr__(self, "_questions", questions)

    def course(self, course_id: str) -> Course | None:
        return next((c for c in self.courses if c.id == course_id), None)

    def lesson(self, lesson_id: str) -> Lesson | None:
        return self._lessons.get(lesson_id)

    def question(self, question_id: str) -> Question | None:
        return self._questions.get(question_id)

    def lessons(self) -> Iterator[Lesson]:
        """Every lesson, in course order then lesson order."""
        for course in self.courses:
            yield from course.lessons
