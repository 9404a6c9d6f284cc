"""`check_content` reports every broken rule with the file and line an author should fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from lessons.catalog import TRUE_FALSE_OPTIONS, Option, Question
from lessons.content_check import ContentError, ContentInvalid, check_content, load_content

COURSE = """\
id: demo
title:
  id: Kursus Contoh
  en: Sample Course
description: Kursus untuk pengujian.
competency: teknis
order: 1
"""

LESSON = """\
---
id: LESSON
title:
  id: Judul
  en: Title
tags: [demo]
minutes: 5
---
Isi pelajaran singkat.

<!-- en -->
Short lesson body.
"""

QUESTIONS = """\
- id: LESSON-q1
  type: single
  prompt: Pilih satu
  options:
    - Satu
    - Dua
  answer: 2
  explanation: Karena dua.
- id: LESSON-q2
  type: multi
  prompt: {id: Pilih dua, en: Pick two}
  options:
    - {id: A, en: A}
    - {id: B, en: B}
    - {id: C, en: C}
  answer: [1, 3]
  explanation: {id: Karena, en: Because}
- id: LESSON-q3
  type: truefalse
  prompt: Benar?
  answer: false
  explanation: Salah.
"""


def write_lesson(
    course: Path, name: str, lesson_id: str, lesson: str = LESSON, questions: str = QUESTIONS
) -> tuple[Path, Path]:
    md = course / f"{name}.md"
    md.write_text(lesson.replace("LESSON", lesson_id), encoding="utf-8")
    qs = course / f"{name}.questions.yaml"
    qs.write_text(questions.replace("LESSON", lesson_id), encoding="utf-8")
    return md, qs


@pytest.fixture
def course(tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "course.yaml").write_text(COURSE, encoding="utf-8")
    return folder


def located(errors: list[ContentError]) -> list[tuple[str, int]]:
    return [(e.path.name, e.line) for e in errors]


def test_valid_course_loads_into_frozen_dataclasses(course: Path) -> None:
    write_lesson(course, "01-pertama", "demo-01")

    catalog = load_content(course.parent)

    (loaded,) = catalog.courses
    (lesson,) = loaded.lessons
    assert (loaded.id, loaded.title_en, loaded.competency) == ("demo", "Sample Course", "teknis")
    assert (lesson.id, lesson.order, lesson.competency, lesson.tags, lesson.targets) == (
        "demo-01",
        1,
        "teknis",
        ("demo",),
        (),
    )
    assert (lesson.body_id, lesson.body_en) == ("Isi pelajaran singkat.", "Short lesson body.")
    assert len(lesson.content_hash) == 64
    single, multi, truefalse = lesson.questions
    assert single == Question(
        id="demo-01-q1",
        lesson_id="demo-01",
        kind="single",
        prompt_id="Pilih satu",
        prompt_en=None,
        options=(Option("Satu"), Option("Dua")),
        correct=frozenset({1}),
        explanation_id="Karena dua.",
        explanation_en=None,
    )
    assert (multi.correct, multi.prompt_en, multi.options[2]) == (
        frozenset({0, 2}),
        "Pick two",
        Option("C", "C"),
    )
    assert (truefalse.options, truefalse.correct) == (TRUE_FALSE_OPTIONS, frozenset({1}))


def test_error_prints_as_path_colon_line_colon_message() -> None:
    error = ContentError(Path("demo/01-a.md"), 7, "body too long")
    assert str(error) == "demo/01-a.md:7: body too long"


def test_load_content_raises_with_every_error(course: Path) -> None:
    write_lesson(course, "01-pertama", "demo-01", questions=QUESTIONS.replace("answer: 2", ""))

    with pytest.raises(ContentInvalid) as raised:
        load_content(course.parent)

    assert located(list(raised.value.errors)) == [("01-pertama.questions.yaml", 1)]


def test_missing_answer_is_reported_at_its_question(course: Path) -> None:
    write_lesson(course, "01-pertama", "demo-01", questions=QUESTIONS.replace("answer: false", ""))

    errors = check_content(course.parent)

    assert located(errors) == [("01-pertama.questions.yaml", 18)]
    assert errors[0].message == "question 3: missing required key 'answer'"


def test_unknown_competency_is_reported_at_its_key(course: Path) -> None:
    lesson = LESSON.replace("minutes: 5\n", "minutes: 5\ncompetency: rahasia\n")
    write_lesson(course, "01-pertama", "demo-01", lesson=lesson)

    errors = check_content(course.parent)

    assert located(errors) == [("01-pertama.md", 8)]
    assert "unknown competency 'rahasia'" in errors[0].message


@pytest.mark.parametrize("minutes", ["2", "8", "15"])
def test_a_lesson_outside_three_to_seven_minutes_is_reported(course: Path, minutes: str) -> None:
    lesson = LESSON.replace("minutes: 5\n", f"minutes: {minutes}\n")
    write_lesson(course, "01-pertama", "demo-01", lesson=lesson)

    errors = check_content(course.parent)

    assert located(errors) == [("01-pertama.md", 7)]
    assert errors[0].message == "'minutes' must be a whole number from 3 to 7"


@pytest.mark.parametrize("minutes", ["3", "7"])
def test_three_and_seven_minutes_are_accepted(course: Path, minutes: str) -> None:
    write_lesson(course, "01-pertama", "demo-01", lesson=LESSON.replace("5\n", f"{minutes}\n"))

    assert check_content(course.parent) == []


def test_body_too_long_is_reported_where_it_crosses_the_limit(course: Path) -> None:
    # Lines of 100 characters: character 1,201 sits on the 13th body line (file line 9 + 12).
    body = ("x" * 99 + "\n") * 20
    lesson = LESSON.split("---\n", 2)
    write_lesson(course, "01-pertama", "demo-01", lesson=f"---\n{lesson[1]}---\n{body}")

    errors = check_content(course.parent)

    assert located(errors) == [("01-pertama.md", 21)]
    assert "1999 characters" in errors[0].message


def test_long_english_body_is_reported_too(course: Path) -> None:
    lesson = LESSON.replace("Short lesson body.", "y" * 1201)
    write_lesson(course, "01-pertama", "demo-01", lesson=lesson)

    errors = check_content(course.parent)

    assert located(errors) == [("01-pertama.md", 12)]
    assert "(English)" in errors[0].message


def test_duplicate_lesson_id_is_reported_with_file_and_line(course: Path) -> None:
    write_lesson(course, "01-pertama", "demo-01")
    # Same lesson id, but distinct question ids so only the lesson id collides.
    write_lesson(course, "02-kedua", "demo-01", questions=QUESTIONS.replace("LESSON", "demo-02"))

    errors = check_content(course.parent)

    assert located(errors) == [("02-kedua.md", 2)]
    first = course / "01-pertama.md"
    assert errors[0].message == f"duplicate id 'demo-01' (first used at {first}:2)"


def test_duplicate_question_id_across_courses_is_reported(course: Path, tmp_path: Path) -> None:
    other = tmp_path / "lain"
    other.mkdir()
    course_yaml = COURSE.replace("id: demo", "id: lain").replace("order: 1", "order: 2")
    (other / "course.yaml").write_text(course_yaml, encoding="utf-8")
    write_lesson(course, "01-pertama", "demo-01")
    write_lesson(other, "01-pertama", "lain-01", questions=QUESTIONS.replace("LESSON", "demo-01"))

    errors = check_content(tmp_path)

    assert [(e.path.parent.name, e.path.name, e.line) for e in errors] == [
        ("lain", "01-pertama.questions.yaml", 1),
        ("lain", "01-pertama.questions.yaml", 9),
        ("lain", "01-pertama.questions.yaml", 18),
    ]


def test_bad_yaml_in_questions_is_reported_at_the_broken_line(course: Path) -> None:
    # A colon inside unquoted Indonesian text is the classic authoring slip.
    questions = QUESTIONS.replace("prompt: Pilih satu", "prompt: Pilih: satu")
    write_lesson(course, "01-pertama", "demo-01", questions=questions)

    errors = check_content(course.parent)

    assert located(errors) == [("01-pertama.questions.yaml", 3)]
    assert errors[0].message.startswith("bad YAML: mapping values are not allowed")


def test_bad_yaml_in_front_matter_counts_lines_from_the_file_start(course: Path) -> None:
    write_lesson(
        course, "01-pertama", "demo-01", lesson=LESSON.replace("tags: [demo]", "tags: [demo")
    )

    errors = check_content(course.parent)

    assert [e.path.name for e in errors] == ["01-pertama.md"]
    assert errors[0].line == 7
    assert errors[0].message.startswith("bad YAML:")


@pytest.mark.parametrize("answer", ["answer: 3", "answer: 0"])
def test_answer_index_out_of_range_is_reported_at_the_answer(course: Path, answer: str) -> None:
    write_lesson(course, "01-pertama", "demo-01", questions=QUESTIONS.replace("answer: 2", answer))

    errors = check_content(course.parent)

    assert located(errors) == [("01-pertama.questions.yaml", 7)]
    assert "out of range; options are numbered 1 to 2" in errors[0].message


def test_multi_answer_out_of_range_is_reported(course: Path) -> None:
    questions = QUESTIONS.replace("answer: [1, 3]", "answer: [1, 4]")
    write_lesson(course, "01-pertama", "demo-01", questions=questions)

    assert located(check_content(course.parent)) == [("01-pertama.questions.yaml", 16)]


def test_missing_english_title_is_reported_at_the_title(course: Path) -> None:
    write_lesson(course, "01-pertama", "demo-01", lesson=LESSON.replace("  en: Title\n", ""))

    errors = check_content(course.parent)

    assert located(errors) == [("01-pertama.md", 3)]
    assert errors[0].message == "missing required key 'en'"


def test_misspelt_key_is_reported_as_unknown(course: Path) -> None:
    write_lesson(course, "01-pertama", "demo-01", lesson=LESSON.replace("tags:", "tag:"))

    errors = check_content(course.parent)

    assert [(e.line, e.message) for e in errors] == [
        (2, "missing required key 'tags'"),
        (6, "unknown key 'tag'"),
    ]


def test_lesson_without_questions_file_is_reported(course: Path) -> None:
    _, questions = write_lesson(course, "01-pertama", "demo-01")
    questions.unlink()

    errors = check_content(course.parent)

    assert located(errors) == [("01-pertama.md", 1)]
    assert "no questions file 01-pertama.questions.yaml" in errors[0].message


def test_course_without_course_yaml_is_reported(tmp_path: Path) -> None:
    (tmp_path / "kosong").mkdir()

    assert located(check_content(tmp_path)) == [("course.yaml", 1)]
