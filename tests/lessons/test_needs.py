"""The needs-analysis configuration, gaps, recommendations and the plan's preference."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
import yaml

from core.storage.models import NeedsAnalysis
from lessons.needs import (
    DEFAULT_FILE,
    count_gaps,
    gaps_of,
    load_framework,
    next_unrated,
    parse_framework,
    recommend,
)
from lessons.plan import Curriculum


@dataclass
class FakeLesson:
    """What `recommend` and `Curriculum.next_lesson` read of a stored lesson."""

    id: str
    course: str
    meta: dict[str, Any] = field(default_factory=dict)


def lesson(lesson_id: str, course: str, *tags: str) -> FakeLesson:
    return FakeLesson(lesson_id, course, {"tags": list(tags), "title": {"id": lesson_id}})


@pytest.mark.parametrize(
    ("position", "family"),
    [
        ("Pranata Komputer Ahli Pertama", "teknologi_informasi"),
        ("Kepala Bidang Aplikasi Informatika", "pimpinan"),  # heads first, whatever the field
        ("Subkoordinator Persandian", "pimpinan"),
        ("Analis SDM Aparatur", "kepegawaian_administrasi"),
        ("Bidan Ahli Pertama", "kesehatan"),
        ("Pengemudi", "umum"),
        ("", "umum"),
        ("Komputerisasi", "umum"),  # a word, not a fragment: "komputer" needs "pranata"
    ],
)
def test_the_position_picks_its_family(position: str, family: str) -> None:
    assert load_framework().family_for(position).id == family


def test_gaps_are_below_the_standard_widest_first() -> None:
    family = load_framework().family("teknologi_informasi")
    levels = {"keamanan_informasi": 2, "spbe": 1, "literasi_digital": 4, "pelayanan_publik": 2}
    found = [(g.competency.id, g.level, g.required, g.size) for g in gaps_of(family, levels)]
    assert found == [("spbe", 1, 3, 2), ("keamanan_informasi", 2, 3, 1)]
    assert next_unrated(family, levels) is not None
    assert next_unrated(family, levels)[1].id == "pelindungan_data"


def test_recommendations_follow_the_gaps_and_their_tags() -> None:
    family = load_framework().family("teknologi_informasi")
    gaps = gaps_of(family, {"keamanan_informasi": 2, "spbe": 1})
    lessons = [
        lesson("b-1", "berakhlak", "berakhlak"),
        lesson("k-1", "keamanan", "keamanan-informasi", "phishing"),
        lesson("s-1", "spbe", "spbe"),
        lesson("s-2", "spbe", "spbe", "keamanan-informasi"),
    ]
    found = [(r.lesson_id, r.competency_id) for r in recommend(gaps, lessons)]
    assert found == [("s-1", "spbe"), ("s-2", "spbe"), ("k-1", "keamanan_informasi")]


def test_the_next_lesson_meets_the_widest_gap_first_then_the_usual_order() -> None:
    lessons = (
        lesson("b-1", "berakhlak", "berakhlak"),
        lesson("k-1", "keamanan", "keamanan-informasi"),
        lesson("s-1", "spbe", "spbe"),
    )
    curriculum = Curriculum(lessons, {}, {1: frozenset({"X"})})  # type: ignore[arg-type]
    prefer = (frozenset({"spbe"}), frozenset({"keamanan-informasi"}))
    assert curriculum.next_lesson(set(), 1).id == "b-1"
    assert curriculum.next_lesson(set(), 1, prefer).id == "s-1"
    assert curriculum.next_lesson({"s-1"}, 1, prefer).id == "k-1"
    assert curriculum.next_lesson({"s-1", "k-1"}, 1, prefer).id == "b-1"


def test_the_city_count_takes_only_confirmed_analyses() -> None:
    framework = load_framework()

    def row(status: str, **levels: int) -> NeedsAnalysis:
        return NeedsAnalysis(family="teknologi_informasi", status=status, confirmed=levels)

    rows = [
        row("confirmed", spbe=1, keamanan_informasi=2),
        row("confirmed", spbe=2),
        row("submitted", pelindungan_data=1),
    ]
    found = [(c.competency_id, c.employees, c.average_gap) for c in count_gaps(rows, framework)]
    assert found == [("spbe", 2, 1.5), ("keamanan_informasi", 1, 1.0)]


def base() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda raw: raw["families"][0]["required"].update(sihir=3), "unknown competencies"),
        (lambda raw: raw["families"][1]["required"].update(spbe=9), "off the scale"),
        (lambda raw: raw["families"][0].update(default=True), "exactly one family"),
        (lambda raw: raw["competencies"]["spbe"].update(type="teknik"), "type must be one of"),
        (lambda raw: raw["scale"]["labels"].pop(4), "every level needs a label"),
    ],
)
def test_a_broken_file_is_refused_with_its_problem(change: Any, problem: str) -> None:
    raw = base()
    change(raw)
    with pytest.raises(ValueError, match=problem):
        parse_framework(raw)


def test_every_competency_tag_meets_at_least_one_lesson() -> None:
    """A gap with no lesson would recommend nothing: the tags must exist in the content."""
    from lessons.content_check import load_content

    tags = {t for lesson_ in load_content().lessons() for t in lesson_.tags}
    framework = load_framework()
    missing = {
        c.id for _, family in framework.families for c in family.competencies if not c.tags & tags
    }
    assert missing == set()


@pytest.mark.parametrize(
    ("kind", "record"),
    [
        ("pelatihan", "classroom"),
        ("seminar", "classroom"),
        ("kursus", "external"),
        ("pendidikan", "external"),
    ],
)
def test_a_finished_proposal_is_a_classroom_or_an_external_record(kind: str, record: str) -> None:
    from lessons.proposals_ledger import record_kind

    assert record_kind(kind) == record
