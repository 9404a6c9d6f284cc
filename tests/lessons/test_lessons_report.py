"""`ayo lessons report`: per-employee JP by competency type as CSV or JSON, and a chart per OPD."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.demo import load_demo
from core.clock import FixedClock
from core.storage.db import Database
from core.storage.models import Employee, LearningEvent, QuizAnswer
from lessons.catalog import DEFAULT_CONTENT_DIR
from lessons.cli import app
from lessons.importer import import_folder
from tests.support.databases import run


async def _seed(url: str, now: FixedClock) -> str:
    db = Database(url)
    try:
        await load_demo(db, now())
        await import_folder(db, DEFAULT_CONTENT_DIR, now())
        async with db.transaction() as session:
            dimas = (
                await session.execute(select(Employee).where(Employee.name == "Dimas Prasetyo"))
            ).scalar_one()
            question = "berakhlak-01-q1"
            for n, (competency, minutes) in enumerate([("teknis", 45), ("sosial_kultural", 90)]):
                session.add(
                    LearningEvent(
                        employee_id=dimas.id,
                        lesson_id="berakhlak-01-pengantar",
                        activity_type="e-learning (microlearning)",
                        competency=competency,
                        provider="Ayo – test",
                        material="x",
                        start_date=date(2026, 3, 2 + n),
                        end_date=date(2026, 3, 2 + n),
                        minutes=minutes,
                        jp=minutes / 45,
                        evidence={},
                        created_at=now(),
                    )
                )
            for correct in (True, True, True, False):
                session.add(
                    QuizAnswer(
                        employee_id=dimas.id,
                        question_id=question,
                        day=date(2026, 3, 2),
                        choice=[0],
                        correct=correct,
                        at=now(),
                    )
                )
            return dimas.nip
    finally:
        await db.dispose()


@pytest.fixture
def seeded(database_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AYO_DATABASE_URL", database_url)
    return run(_seed(database_url, clock))


def test_the_csv_report_has_jp_by_competency_lessons_and_accuracy(seeded: str) -> None:
    result = CliRunner().invoke(app, ["report", "--year", "2026", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {r["nip"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    mine = rows[seeded]
    assert (mine["jp_teknis"], mine["jp_sosial_kultural"], mine["jp_total"]) == (
        "1.0",
        "2.0",
        "3.0",
    )
    assert (mine["lessons_completed"], mine["accuracy_pct"], mine["target_met"]) == (
        "2",
        "75.0",
        "tidak",
    )
    assert mine["opd_code"] == "DISKOMINFO"


def test_the_json_report_can_be_narrowed_to_a_unit(seeded: str) -> None:
    result = CliRunner().invoke(
        app, ["report", "--year", "2026", "--unit", "DISKOMINFO-APTIKA", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    units = {e["unit_code"] for e in data["employees"]}
    assert units == {"DISKOMINFO-APTIKA"}
    assert next(e for e in data["employees"] if e["nip"] == seeded)["jp_total"] == 3.0


def test_another_year_has_no_jp(seeded: str) -> None:
    result = CliRunner().invoke(app, ["report", "--year", "2025", "--format", "json"])
    data = json.loads(result.stdout)
    assert {e["jp_total"] for e in data["employees"]} == {0.0}


def test_the_chart_is_a_png(seeded: str, tmp_path: Path) -> None:
    chart = tmp_path / "opd.png"
    result = CliRunner().invoke(
        app, ["report", "--year", "2026", "--format", "csv", "--chart", str(chart)]
    )
    assert result.exit_code == 0, result.output
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_check_reports_file_and_line(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR / "berakhlak", root / "berakhlak")
    questions = root / "berakhlak" / "01-pengantar.questions.yaml"
    lines = questions.read_text(encoding="utf-8").splitlines()
    cut = next(i for i, line in enumerate(lines) if line.strip().startswith("answer:"))
    questions.write_text("\n".join(lines[:cut] + lines[cut + 1 :]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(root)])
    assert result.exit_code == 1
    assert f"{questions}:" in result.stdout
    assert "missing required key 'answer'" in result.stdout
    assert CliRunner().invoke(app, ["check", str(DEFAULT_CONTENT_DIR)]).exit_code == 0


def test_a_pppk_is_never_behind_the_24_jp_ceiling(seeded: str) -> None:
    """PP 49/2018 Ps. 39: "paling lama 24 jam pelajaran" is what the employer owes at most, not a
    quota: a PPPK with no JP yet is not reported as missing a target."""
    result = CliRunner().invoke(app, ["report", "--year", "2026", "--format", "csv"])
    assert result.exit_code == 0, result.output
    fajar = next(
        r for r in csv.DictReader(io.StringIO(result.stdout)) if r["name"] == "Fajar Nugroho"
    )
    assert (fajar["employment"], fajar["jp_total"], fajar["jp_target"], fajar["target_met"]) == (
        "PPPK",
        "0.0",
        "24.0",
        "ya",
    )
