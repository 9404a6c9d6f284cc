"""Importing content: idempotent, edits keep progress, removed lessons retire with history."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.demo import load_demo
from core.clock import FixedClock
from core.storage.db import Database
from core.storage.models import (
    Employee,
    LessonProgress,
    ReviewCard,
    StoredLesson,
    StoredQuestion,
)
from lessons.catalog import DEFAULT_CONTENT_DIR
from lessons.content_check import load_content
from lessons.importer import import_folder
from lessons.plan import Learner, load_curriculum, plan_days

LESSON = "berakhlak/02-berorientasi-pelayanan"


@pytest.fixture
async def db(database_url: str, clock: FixedClock) -> AsyncIterator[Database]:
    database = Database(database_url)
    await load_demo(database, clock())
    yield database
    await database.dispose()


def lesson_id(root: Path, name: str) -> str:
    header = (root / f"{name}.md").read_text(encoding="utf-8").split("---")[1]
    return next(
        line.split(":", 1)[1].strip() for line in header.splitlines() if line.startswith("id:")
    )


async def test_importing_twice_changes_nothing(
    db: Database, content: Path, clock: FixedClock
) -> None:
    first = await import_folder(db, content, clock())
    second = await import_folder(db, content, clock())
    total = len(list(load_content(content).lessons()))
    # The test database already holds the built-in lessons, so the first import may find them.
    assert first.added + first.updated + first.unchanged == total
    assert (second.added, second.updated, second.retired) == (0, 0, 0)
    assert second.unchanged == total


async def test_editing_a_lesson_keeps_everyones_progress(
    db: Database, content: Path, clock: FixedClock
) -> None:
    await import_folder(db, content, clock())
    target = lesson_id(content, LESSON)
    async with db.transaction() as session:
        person = (await session.execute(select(Employee).limit(1))).scalar_one()
        old = await session.get(StoredLesson, target)
        session.add(
            LessonProgress(
                employee_id=person.id,
                lesson_id=target,
                completed_at=clock(),
                minutes=old.minutes,
                content_hash=old.content_hash,
            )
        )
        old_hash = old.content_hash
    path = content / f"{LESSON}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nSatu kalimat tambahan.\n", "utf-8")
    result = await import_folder(db, content, clock())
    assert (result.added, result.updated, result.retired) == (0, 1, 0)
    async with db.sessions() as session:
        row = await session.get(StoredLesson, target)
        kept = await session.get(LessonProgress, (person.id, target))
    assert row.content_hash != old_hash
    assert "Satu kalimat tambahan." in row.meta["body"]["id"]
    assert kept is not None


async def test_a_removed_lesson_is_retired_not_deleted(
    db: Database, content: Path, clock: FixedClock
) -> None:
    await import_folder(db, content, clock())
    target = lesson_id(content, LESSON)
    async with db.transaction() as session:
        person = (await session.execute(select(Employee).limit(1))).scalar_one()
        question = (
            (
                await session.execute(
                    select(StoredQuestion).where(StoredQuestion.lesson_id == target)
                )
            )
            .scalars()
            .first()
        )
        session.add(
            ReviewCard(employee_id=person.id, question_id=question.id, card={}, due=clock())
        )
    (content / f"{LESSON}.md").unlink()
    (content / f"{LESSON}.questions.yaml").unlink()
    result = await import_folder(db, content, clock())
    assert result.retired == 1
    async with db.transaction() as session:
        row = await session.get(StoredLesson, target)
        card = await session.get(ReviewCard, (person.id, question.id))
        curriculum = await load_curriculum(session)
        learner = Learner(person.id, person.unit_id, "Asia/Jakarta")
        plans = await plan_days(
            session, [learner], {person.id: date(2026, 12, 1)}, clock(), curriculum
        )
    assert row is not None and row.retired_at is not None
    assert card.retired is True
    assert target not in [lesson.id for lesson in curriculum.lessons]
    assert question.id not in plans[person.id].question_ids
    # Putting it back brings it back.
    shutil.copy(DEFAULT_CONTENT_DIR / f"{LESSON}.md", content / f"{LESSON}.md")
    shutil.copy(
        DEFAULT_CONTENT_DIR / f"{LESSON}.questions.yaml", content / f"{LESSON}.questions.yaml"
    )
    again = await import_folder(db, content, clock())
    assert again.updated == 1
