"""Lessons and questions as stored rows: what the importer writes and the bot reads back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.storage.models import StoredLesson, StoredQuestion
from core.text import T
from lessons.catalog import Course, Lesson, Option, Question


@dataclass(frozen=True, slots=True)
class LessonView:
    """A lesson as the bot shows it."""

    id: str
    course: str
    course_title: T
    title: T
    body: T
    minutes: int
    competency: str
    content_hash: str
    targets: tuple[str, ...]


def lesson_meta(course: Course, lesson: Lesson) -> dict[str, Any]:
    return {
        "course_title": {"id": course.title_id, "en": course.title_en},
        "title": {"id": lesson.title_id, "en": lesson.title_en},
        "body": {"id": lesson.body_id, "en": lesson.body_en or lesson.body_id},
        "tags": list(lesson.tags),
        "targets": list(lesson.targets),
    }


def question_data(question: Question) -> dict[str, Any]:
    return {
        "kind": question.kind,
        "prompt": {"id": question.prompt_id, "en": question.prompt_en or question.prompt_id},
        "options": [{"id": o.label_id, "en": o.label_en or o.label_id} for o in question.options],
        "correct": sorted(question.correct),
        "explanation": {
            "id": question.explanation_id,
            "en": question.explanation_en or question.explanation_id,
        },
    }


def lesson_view(row: StoredLesson) -> LessonView:
    meta = row.meta or {}
    return LessonView(
        id=row.id,
        course=row.course,
        course_title=T.from_json(meta.get("course_title") or {"id": row.course}),
        title=T.from_json(meta.get("title") or {"id": row.id}),
        body=T.from_json(meta.get("body") or {"id": ""}),
        minutes=row.minutes,
        competency=row.competency,
        content_hash=row.content_hash,
        targets=tuple(meta.get("targets") or ()),
    )


def question_view(row: StoredQuestion) -> Question:
    data = row.data
    return Question(
        id=row.id,
        lesson_id=row.lesson_id,
        kind=data["kind"],
        prompt_id=data["prompt"]["id"],
        prompt_en=data["prompt"]["en"],
        options=tuple(Option(o["id"], o["en"]) for o in data["options"]),
        correct=frozenset(data["correct"]),
        explanation_id=data["explanation"]["id"],
        explanation_en=data["explanation"]["en"],
    )


def prompt_of(question: Question) -> T:
    return T(question.prompt_id, question.prompt_en or question.prompt_id)


def explanation_of(question: Question) -> T:
    return T(question.explanation_id, question.explanation_en or question.explanation_id)


def option_label(option: Option) -> T:
    return T(option.label_id, option.label_en or option.label_id)
