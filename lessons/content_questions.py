"""Reading a lesson's `NN-name.questions.yaml` file.

The file is a YAML list. Each question has `id`, `type` (single | multi | truefalse),
`prompt`, `options` (not for truefalse), `answer` and `explanation`. Answers count options
from 1, as the bot shows them, so `answer: 0` is caught as out of range rather than
silently meaning the first option.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from lessons.catalog import QUESTION_KINDS, TRUE_FALSE_OPTIONS, Option, Question, QuestionKind
from lessons.content_fields import Fields
from lessons.content_source import MISSING, ContentError, parse_yaml

MIN_OPTIONS, MAX_OPTIONS = 2, 6  # WhatsApp and Telegram render up to six choices cleanly
REQUIRED = ("id", "type", "prompt", "answer", "explanation")


def read_questions(
    path: Path, lesson_id: str, errors: list[ContentError]
) -> list[tuple[Question, int]]:
    """Parse the questions of one lesson; returns each question with its line."""
    doc = parse_yaml(path.read_text(encoding="utf-8"), path, errors)
    if doc.data is MISSING:
        return []
    top = Fields(doc, path, errors)
    if not isinstance(doc.data, list) or not doc.data:
        top.error((), "expected a non-empty list of questions")
        return []
    found = []
    for index in range(len(doc.data)):
        question = _read_question(top.at(index, f"question {index + 1}"), lesson_id)
        if question is not None:
            found.append((question, top.line(index, "id")))
    return found


def _read_question(fields: Fields, lesson_id: str) -> Question | None:
    kind = fields.get("type")
    optional = () if kind == "truefalse" else ("options",)
    if not fields.mapping(REQUIRED, optional):
        return None
    question_id = fields.slug("id")
    kind = fields.choice("type", QUESTION_KINDS)
    prompt_id, prompt_en = fields.bilingual("prompt", en_required=False)
    explanation_id, explanation_en = fields.bilingual("explanation", en_required=False)
    if kind == "truefalse":
        options, correct = TRUE_FALSE_OPTIONS, _true_false_answer(fields)
    else:
        options = _options(fields)
        correct = _choice_answer(fields, kind, len(options)) if options else None
    if prompt_en is not None and (
        explanation_en is None or any(o.label_en is None for o in options)
    ):
        fields.error(("prompt",), "an English prompt needs English options and explanation too")
    if None in (question_id, kind, prompt_id, explanation_id, correct) or not options:
        return None
    return Question(
        id=str(question_id),
        lesson_id=lesson_id,
        kind=cast(QuestionKind, kind),
        prompt_id=str(prompt_id),
        prompt_en=prompt_en,
        options=options,
        correct=correct or frozenset(),
        explanation_id=str(explanation_id),
        explanation_en=explanation_en,
    )


def _options(fields: Fields) -> tuple[Option, ...]:
    raw = fields.get("options")
    if raw is MISSING:
        fields.error((), "missing required key 'options'")
        return ()
    if not isinstance(raw, list) or not MIN_OPTIONS <= len(raw) <= MAX_OPTIONS:
        fields.error(("options",), f"'options' must list {MIN_OPTIONS} to {MAX_OPTIONS} choices")
        return ()
    options = []
    for index in range(len(raw)):
        label_id, label_en = fields.at("options", fields.context).bilingual(
            index, en_required=False
        )
        if label_id is None:
            return ()
        options.append(Option(label_id, label_en))
    labels = [o.label_id.casefold() for o in options]
    if len(set(labels)) != len(labels):
        fields.error(("options",), "two options have the same text")
    return tuple(options)


def _choice_answer(fields: Fields, kind: str | None, count: int) -> frozenset[int] | None:
    raw = fields.get("answer")
    if raw is MISSING:
        return None
    answers = raw if isinstance(raw, list) else [raw]
    if kind == "single" and isinstance(raw, list):
        fields.error(("answer",), "a single-choice question has one answer; use type: multi")
        return None
    if not answers or not all(isinstance(a, int) and not isinstance(a, bool) for a in answers):
        fields.error(("answer",), "'answer' must be an option number (or a list of them)")
        return None
    out_of_range = [a for a in answers if not 1 <= a <= count]
    if out_of_range:
        fields.error(
            ("answer",),
            f"answer {out_of_range[0]} is out of range; options are numbered 1 to {count}",
        )
        return None
    if len(set(answers)) != len(answers):
        fields.error(("answer",), "the same option is listed twice in 'answer'")
        return None
    return frozenset(a - 1 for a in answers)


def _true_false_answer(fields: Fields) -> frozenset[int] | None:
    raw = fields.get("answer")
    if raw is MISSING:
        return None
    if not isinstance(raw, bool):
        fields.error(("answer",), "a true/false answer must be true or false")
        return None
    return frozenset({0 if raw else 1})
