"""Loading a content catalog into the database: upsert by id and content hash, retire the rest.

Progress, answers and cards refer to lessons and questions by id, so an edited lesson keeps
everyone's history, and a lesson removed from its folder is retired (hidden from new plans)
rather than deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.db import Database
from core.storage.models import ReviewCard, StoredLesson, StoredQuestion
from lessons.catalog import ContentCatalog, Course, Lesson
from lessons.content_cache import cached_content
from lessons.records import lesson_meta, question_data

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired)


async def import_catalog(
    session: AsyncSession, catalog: ContentCatalog, *, source: str, now: datetime
) -> ImportResult:
    """Upsert every lesson of `catalog`; retire lessons of this source or its courses now gone.

    `source` names the folder (see `source_key`): only lessons imported from it, or of the
    courses it holds, are retired when missing, so two content folders can coexist.
    """
    source_key = source
    existing = {
        row.id: row for row in (await session.execute(select(StoredLesson))).scalars().all()
    }
    added = updated = unchanged = 0
    for course in catalog.courses:
        for lesson in course.lessons:
            row = existing.get(lesson.id)
            if row is not None and row.content_hash == lesson.content_hash and not row.retired_at:
                unchanged += 1
                continue
            if row is None:
                row = StoredLesson(id=lesson.id)
                session.add(row)
                added += 1
            else:
                updated += 1
            _fill(row, course, lesson, source_key, now)
            await session.flush()
            await _upsert_questions(session, lesson, now)
    seen = {lesson.id for lesson in catalog.lessons()}
    course_ids = {course.id for course in catalog.courses}
    gone = [
        row
        for row in existing.values()
        if row.id not in seen
        and row.retired_at is None
        and (row.source == source_key or row.course in course_ids)
    ]
    for row in gone:
        row.retired_at = now
    if gone:
        await _retire_questions(session, [row.id for row in gone], now)
    result = ImportResult(added, updated, unchanged, len(gone))
    log.info(
        "lessons import: %s added, %s updated, %s unchanged, %s retired",
        result.added,
        result.updated,
        result.unchanged,
        result.retired,
    )
    return result


def _fill(row: StoredLesson, course: Course, lesson: Lesson, source: str, now: datetime) -> None:
    row.course = course.id
    row.position = course.order * 1000 + lesson.order
    row.content_hash = lesson.content_hash
    row.source = source
    row.competency = lesson.competency
    row.minutes = lesson.minutes
    row.meta = lesson_meta(course, lesson)
    row.imported_at = now
    row.retired_at = None


async def _upsert_questions(session: AsyncSession, lesson: Lesson, now: datetime) -> None:
    rows = {
        q.id: q
        for q in (
            await session.execute(
                select(StoredQuestion).where(StoredQuestion.lesson_id == lesson.id)
            )
        )
        .scalars()
        .all()
    }
    for position, question in enumerate(lesson.questions):
        row = rows.pop(question.id, None)
        if row is None:
            # A question id may move between lessons when an author reorganises content.
            row = await session.get(StoredQuestion, question.id) or StoredQuestion(id=question.id)
            session.add(row)
        row.lesson_id = lesson.id
        row.position = position
        row.data = question_data(question)
        row.retired_at = None
    for gone in rows.values():
        gone.retired_at = now
    if rows:
        await _retire_cards(session, list(rows))


async def _retire_questions(session: AsyncSession, lesson_ids: list[str], now: datetime) -> None:
    ids = list(
        (
            await session.execute(
                select(StoredQuestion.id).where(
                    StoredQuestion.lesson_id.in_(lesson_ids), StoredQuestion.retired_at.is_(None)
                )
            )
        ).scalars()
    )
    if not ids:
        return
    await session.execute(
        update(StoredQuestion).where(StoredQuestion.id.in_(ids)).values(retired_at=now)
    )
    await _retire_cards(session, ids)


async def _retire_cards(session: AsyncSession, question_ids: list[str]) -> None:
    # A retired question no longer comes back for review; its answers stay in history.
    await session.execute(
        update(ReviewCard)
        .where(ReviewCard.question_id.in_(question_ids), ReviewCard.retired.is_(False))
        .values(retired=True)
    )


async def import_folder(db: Database, root: Path, now: datetime) -> ImportResult:
    """Check and import a content folder in one transaction (raises ContentInvalid on errors)."""
    catalog = cached_content(root)
    async with db.transaction() as session:
        return await import_catalog(session, catalog, source=source_key(root), now=now)


def source_key(root: Path) -> str:
    """How a content folder is named in `lessons.source`."""
    return str(root.resolve())
