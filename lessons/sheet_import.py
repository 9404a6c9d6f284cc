"""Importing a checked spreadsheet into the database, or trying it (`dry_run`) without writing.

A sheet owns the courses it holds: importing the sheet again updates them, and a lesson
left out of it is retired like one removed from a content folder. It may not take over a
course, lesson or question id of the built-in content or of another course, because
progress rows refer to ids and the next start-up import would take them back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from core.storage.db import Database
from core.storage.models import StoredLesson, StoredQuestion
from core.text import T
from lessons.catalog import ContentCatalog
from lessons.importer import ImportResult, import_catalog
from lessons.sheet import SheetProblem, SheetResult, read_sheet

SOURCE_PREFIX = "sheet:"


@dataclass
class SheetImport:
    """The outcome: problems (then nothing was written) or the import's counts."""

    sheet: SheetResult
    problems: list[SheetProblem] = field(default_factory=list)
    result: ImportResult | None = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return self.result is not None and not self.problems

    @property
    def applied(self) -> bool:
        return self.ok and not self.dry_run


class _DryRun(Exception):
    """Raised inside the transaction so a dry run rolls back what it would have written."""


async def import_sheet(
    db: Database,
    data: bytes,
    *,
    name: str,
    now: datetime,
    builtin: ContentCatalog,
    dry_run: bool = False,
) -> SheetImport:
    """Check `data` (a CSV file's bytes) and import it unless any row is bad or clashes."""
    sheet = read_sheet(data)
    outcome = SheetImport(sheet, list(sheet.problems), dry_run=dry_run)
    if not sheet.ok or sheet.catalog is None:
        return outcome
    catalog = sheet.catalog
    try:
        async with db.transaction() as session:
            lessons = (await session.execute(select(StoredLesson))).scalars().all()
            questions = await session.execute(select(StoredQuestion.id, StoredQuestion.lesson_id))
            pairs = [(question_id, lesson_id) for question_id, lesson_id in questions]
            owners = _Owners.of(builtin, lessons, pairs)
            outcome.problems = owners.clashes(catalog, sheet.lines)
            if outcome.problems:
                return outcome
            outcome.result = await import_catalog(
                session, catalog, source=SOURCE_PREFIX + name, now=now
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return outcome


@dataclass
class _Owners:
    """Which course holds each id and order now, from the built-in content and the database."""

    item_course: dict[str, str]  # lesson or question id -> course id
    course_source: dict[str, str]  # course id -> where it comes from ("" = built-in folder)
    order_course: dict[int, str]

    @classmethod
    def of(
        cls,
        builtin: ContentCatalog,
        rows: Sequence[StoredLesson],
        questions: Iterable[tuple[str, str]],
    ) -> _Owners:
        item_course = {row.id: row.course for row in rows}
        lesson_course = dict(item_course)
        for question_id, lesson_id in questions:
            item_course[question_id] = lesson_course.get(lesson_id, "")
        course_source = {row.course: row.source for row in rows}
        order_course = {row.position // 1000: row.course for row in rows if not row.retired_at}
        for course in builtin.courses:
            course_source[course.id] = ""
            order_course[course.order] = course.id
            for lesson in course.lessons:
                item_course[lesson.id] = course.id
                for question in lesson.questions:
                    item_course[question.id] = course.id
        return cls(item_course, course_source, order_course)

    def clashes(self, catalog: ContentCatalog, lines: dict[str, int]) -> list[SheetProblem]:
        problems: list[SheetProblem] = []
        for course in catalog.courses:
            source = self.course_source.get(course.id)
            if source is not None and not source.startswith(SOURCE_PREFIX):
                reason = T(
                    f"kursus '{course.id}' sudah ada di konten bawaan Ayo; pakai id kursus lain",
                    f"course '{course.id}' is part of Ayo's built-in content; use another id",
                )
                problems.append(SheetProblem(lines.get(course.id), "id", reason))
                continue
            holder = self.order_course.get(course.order)
            if holder is not None and holder != course.id:
                reason = T(
                    f"urutan (order) {course.order} sudah dipakai kursus '{holder}'",
                    f"order {course.order} is already used by course '{holder}'",
                )
                problems.append(SheetProblem(lines.get(course.id), "order", reason))
            for lesson in course.lessons:
                ids = (lesson.id, *(q.id for q in lesson.questions))
                for item_id in ids:
                    owner = self.item_course.get(item_id)
                    if owner is not None and owner != course.id:
                        reason = T(
                            f"id '{item_id}' sudah dipakai di kursus '{owner}'; pakai id lain",
                            f"id '{item_id}' is already used in course '{owner}'; use another",
                        )
                        problems.append(SheetProblem(lines.get(item_id), "id", reason))
        problems.sort(key=lambda p: p.line or 0)
        return problems
