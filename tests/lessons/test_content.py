"""The built-in lesson content: it loads cleanly and is shaped for five minutes on a phone."""

from __future__ import annotations

import pytest

from lessons.catalog import DEFAULT_CONTENT_DIR, MAX_BODY_CHARS, ContentCatalog
from lessons.content_check import check_content, load_content

REQUIRED_COURSES = {
    "berakhlak",
    "keamanan-informasi",
    "pelayanan-prima",
    "spbe",
    "anti-korupsi",
    "disiplin-pns",
    "netralitas-asn",
    "manajemen-kinerja",
    "pelindungan-data-pribadi",
    "literasi-digital",
    "aplikasi-kota",
    "standar-pelayanan-publik",
}


@pytest.fixture(scope="module")
def catalog() -> ContentCatalog:
    return load_content(DEFAULT_CONTENT_DIR)


def test_builtin_content_has_no_errors() -> None:
    assert [str(e) for e in check_content(DEFAULT_CONTENT_DIR)] == []


def test_builtin_content_has_the_required_courses_of_at_least_five_lessons(
    catalog: ContentCatalog,
) -> None:
    assert {c.id for c in catalog.courses} >= REQUIRED_COURSES
    assert {c.id: len(c.lessons) >= 5 for c in catalog.courses} == {
        c.id: True for c in catalog.courses
    }
    assert len(catalog.courses) >= 12
    assert len(list(catalog.lessons())) >= 84


def test_every_builtin_lesson_takes_three_to_seven_minutes(catalog: ContentCatalog) -> None:
    minutes = {lesson.id: lesson.minutes for lesson in catalog.lessons()}
    assert {k: v for k, v in minutes.items() if not 3 <= v <= 7} == {}


def test_builtin_course_competencies_are_as_tagged(catalog: ContentCatalog) -> None:
    competencies = {c.id: c.competency for c in catalog.courses}
    assert {k: competencies.get(k) for k in REQUIRED_COURSES} == {
        "berakhlak": "sosial_kultural",
        "keamanan-informasi": "teknis",
        "pelayanan-prima": "teknis",
        "spbe": "teknis",
        "anti-korupsi": "manajerial",
        "disiplin-pns": "manajerial",
        "netralitas-asn": "sosial_kultural",
        "manajemen-kinerja": "manajerial",
        "pelindungan-data-pribadi": "teknis",
        "literasi-digital": "teknis",
        "aplikasi-kota": "teknis",
        "standar-pelayanan-publik": "teknis",
    }


def test_a_lesson_differs_from_its_course_competency_only_where_declared(
    catalog: ContentCatalog,
) -> None:
    # A lesson inherits its course's competency type (which decides the JP column it counts
    # in); these are the deliberate exceptions, each declared in the lesson's front matter.
    courses = {c.id: c.competency for c in catalog.courses}
    differing = {
        lesson.id: lesson.competency
        for lesson in catalog.lessons()
        if lesson.competency != courses[lesson.course_id]
    }
    assert differing == {
        "berakhlak-03-akuntabel": "manajerial",
        "berakhlak-07-adaptif": "manajerial",
        "berakhlak-08-kolaboratif": "manajerial",
        "pelayanan-prima-05-menanggapi-keluhan": "sosial_kultural",
        "spbe-02-arsitektur-dan-aplikasi-umum": "manajerial",
        "spbe-03-transformasi-digital": "manajerial",
    }


def test_every_builtin_body_fits_a_phone_screen(catalog: ContentCatalog) -> None:
    too_long = [
        lesson.id
        for lesson in catalog.lessons()
        if len(lesson.body_id) > MAX_BODY_CHARS or len(lesson.body_en or "") > MAX_BODY_CHARS
    ]
    assert too_long == []


def test_every_builtin_lesson_has_two_or_three_questions(catalog: ContentCatalog) -> None:
    counts = {lesson.id: len(lesson.questions) for lesson in catalog.lessons()}
    assert {k: v for k, v in counts.items() if not 2 <= v <= 3} == {}


def test_every_builtin_question_has_an_explanation_and_a_right_answer(
    catalog: ContentCatalog,
) -> None:
    broken = [
        q.id
        for lesson in catalog.lessons()
        for q in lesson.questions
        if not q.explanation_id.strip()
        or not q.correct
        or not all(0 <= i < len(q.options) for i in q.correct)
        or (q.kind != "multi" and len(q.correct) != 1)
    ]
    assert broken == []


def test_builtin_courses_mix_all_question_kinds(catalog: ContentCatalog) -> None:
    kinds = {
        course.id: {q.kind for lesson in course.lessons for q in lesson.questions}
        for course in catalog.courses
    }
    assert kinds == {c.id: {"single", "multi", "truefalse"} for c in catalog.courses}


def test_builtin_lesson_and_question_ids_start_with_their_course_id(
    catalog: ContentCatalog,
) -> None:
    strays = [
        item_id
        for course in catalog.courses
        for lesson in course.lessons
        for item_id in (lesson.id, *(q.id for q in lesson.questions))
        if not item_id.startswith(f"{course.id}-")
    ]
    assert strays == []


def test_builtin_catalog_finds_lessons_and_questions_by_id(catalog: ContentCatalog) -> None:
    lesson = catalog.lesson("berakhlak-02-berorientasi-pelayanan")
    assert lesson is not None
    assert (lesson.course_id, lesson.order, lesson.title_en) == (
        "berakhlak",
        2,
        "Service-oriented",
    )
    assert catalog.question(lesson.questions[0].id) == lesson.questions[0]
    assert catalog.course("spbe") is not None
    assert catalog.lesson("tidak-ada") is None
