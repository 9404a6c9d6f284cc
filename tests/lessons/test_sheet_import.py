"""`ayo lessons import-sheet`: a sheet's courses land in the database, or nothing does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from core.clock import FixedClock
from core.storage.db import Database
from core.storage.models import StoredLesson, StoredQuestion
from lessons.catalog import DEFAULT_CONTENT_DIR, ContentCatalog
from lessons.cli import app
from lessons.content_check import load_content
from lessons.sheet_import import import_sheet
from tests.lessons.test_sheet import COURSE, LESSON, SINGLE, TRUEFALSE, sheet

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "lessons-sheet-example.csv"


@pytest.fixture(scope="module")
def builtin() -> ContentCatalog:
    return load_content(DEFAULT_CONTENT_DIR)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def counts(db: Database, course: str) -> tuple[int, int]:
    async with db.sessions() as session:
        lessons = await session.scalar(
            select(func.count()).select_from(StoredLesson).where(StoredLesson.course == course)
        )
        questions = await session.scalar(
            select(func.count())
            .select_from(StoredQuestion)
            .join(StoredLesson, StoredLesson.id == StoredQuestion.lesson_id)
            .where(StoredLesson.course == course)
        )
    return lessons, questions


async def test_a_sheet_is_imported_once_and_then_unchanged(
    db: Database, clock: FixedClock, builtin: ContentCatalog
) -> None:
    data = EXAMPLE.read_bytes()
    first = await import_sheet(db, data, name="arsip.csv", now=clock(), builtin=builtin)
    assert first.problems == []
    assert (first.result.added, first.result.updated, first.applied) == (1, 0, True)
    async with db.sessions() as session:
        row = await session.get(StoredLesson, "arsip-dinas-01-mengenal-arsip")
        question = await session.get(StoredQuestion, "arsip-dinas-01-q3")
    assert (row.course, row.source, row.position, row.minutes, row.competency) == (
        "arsip-dinas",
        "sheet:arsip.csv",
        50001,
        4,
        "teknis",
    )
    assert row.meta["title"] == {"id": "Mengenal arsip dinamis", "en": "What active records are"}
    assert (question.data["kind"], question.data["correct"]) == ("multi", [0, 1])
    again = await import_sheet(db, data, name="arsip.csv", now=clock(), builtin=builtin)
    assert (again.result.added, again.result.updated, again.result.unchanged) == (0, 0, 1)


async def test_a_dry_run_counts_what_would_change_and_writes_nothing(
    db: Database, clock: FixedClock, builtin: ContentCatalog
) -> None:
    data = EXAMPLE.read_bytes()
    tried = await import_sheet(
        db, data, name="arsip.csv", now=clock(), builtin=builtin, dry_run=True
    )
    assert (tried.ok, tried.applied, tried.result.added) == (True, False, 1)
    assert await counts(db, "arsip-dinas") == (0, 0)


async def test_one_bad_row_keeps_every_course_of_the_file_out(
    db: Database, clock: FixedClock, builtin: ContentCatalog
) -> None:
    good = EXAMPLE.read_bytes()
    bad = good + sheet(COURSE, LESSON, {**SINGLE, "answer": "9"}).split(b"\r\n", 1)[1]
    outcome = await import_sheet(db, bad, name="dua.csv", now=clock(), builtin=builtin)
    assert [(p.line, p.column) for p in outcome.problems] == [(9, "answer")]
    assert (outcome.ok, outcome.applied, outcome.result) == (False, False, None)
    assert await counts(db, "arsip-dinas") == (0, 0)
    assert await counts(db, "tata-naskah") == (0, 0)


async def test_ids_and_orders_of_the_built_in_content_are_refused(
    db: Database, clock: FixedClock, builtin: ContentCatalog
) -> None:
    taken = builtin.courses[0]
    rows = (
        {**COURSE, "order": str(taken.order)},
        {**LESSON, "id": taken.lessons[0].id},
        {**SINGLE, "lesson": taken.lessons[0].id},
        {**TRUEFALSE, "lesson": taken.lessons[0].id, "id": taken.lessons[0].questions[0].id},
        {**COURSE, "id": taken.id, "order": "77"},
        {**LESSON, "course": taken.id, "id": "baru-01"},
        {**SINGLE, "lesson": "baru-01", "id": "baru-01-q1"},
    )
    outcome = await import_sheet(db, sheet(*rows), name="x.csv", now=clock(), builtin=builtin)
    assert [(p.line, p.column, p.reason.en) for p in outcome.problems] == [
        (2, "order", f"order {taken.order} is already used by course '{taken.id}'"),
        (
            3,
            "id",
            f"id '{taken.lessons[0].id}' is already used in course '{taken.id}'; use another",
        ),
        (
            5,
            "id",
            f"id '{taken.lessons[0].questions[0].id}' is already used in course "
            f"'{taken.id}'; use another",
        ),
        (6, "id", f"course '{taken.id}' is part of Ayo's built-in content; use another id"),
    ]
    assert outcome.result is None
    async with db.sessions() as session:
        kept = await session.get(StoredLesson, taken.lessons[0].id)
    assert kept.course == taken.id


async def test_a_lesson_left_out_of_the_sheet_is_retired(
    db: Database, clock: FixedClock, builtin: ContentCatalog
) -> None:
    second = {**LESSON, "id": "tata-naskah-02-surat", "order": "2"}
    question = {**SINGLE, "lesson": "tata-naskah-02-surat", "id": "tata-naskah-02-q1"}
    both = sheet(COURSE, LESSON, SINGLE, second, question)
    first = await import_sheet(db, both, name="naskah.csv", now=clock(), builtin=builtin)
    assert first.result.added == 2
    # Saved under another file name, the sheet still owns its course.
    one = sheet(COURSE, LESSON, SINGLE, TRUEFALSE)
    later = await import_sheet(db, one, name="naskah-v2.csv", now=clock(), builtin=builtin)
    assert (later.result.updated, later.result.retired) == (1, 1)
    async with db.sessions() as session:
        gone = await session.get(StoredLesson, "tata-naskah-02-surat")
    assert gone.retired_at is not None


def test_the_command_reports_rows_and_exits_by_outcome(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AYO_DATABASE_URL", database_url)
    monkeypatch.delenv("AYO_LESSONS_DIR", raising=False)
    tried = CliRunner().invoke(app, ["import-sheet", str(EXAMPLE), "--dry-run"])
    assert tried.exit_code == 0, tried.output
    assert tried.stdout.splitlines() == [
        "Uji coba, tidak ada yang disimpan: 1 kursus; 1 pelajaran baru, 0 diperbarui, 0 tetap, "
        "0 dipensiunkan.",
        "Dry run, nothing written: 1 course(s); 1 lesson(s) added, 0 updated, 0 unchanged, "
        "0 retired.",
    ]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(sheet(COURSE, LESSON, {**SINGLE, "answer": "9"}, delimiter=";"))
    refused = CliRunner().invoke(app, ["import-sheet", str(bad)])
    assert refused.exit_code == 1
    assert refused.stdout.splitlines() == [
        "Baris 4, kolom answer: jawaban 9 tidak ada; pilihan bernomor 1 sampai 3",
        "  Row 4, column answer: answer 9 does not exist; the options are numbered 1 to 3",
    ]
    saved = CliRunner().invoke(app, ["import-sheet", str(EXAMPLE)])
    assert saved.exit_code == 0
    assert saved.stdout.startswith("Tersimpan: 1 kursus; 1 pelajaran baru")
    missing = CliRunner().invoke(app, ["import-sheet", str(tmp_path / "tidak-ada.csv")])
    assert missing.exit_code == 2
