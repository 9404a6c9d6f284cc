"""The learning messages: a lesson, a question with answer buttons, feedback, a finished day.

Buttons are made by the caller (a handler's `ctx.button`, or the morning sweep issuing tokens
directly), so the same messages serve a chat reply and a push.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Sequence
from datetime import date
from typing import Any, Protocol

from core.messages import Button, Reply
from core.text import T, join
from lessons.catalog import Question
from lessons.quiz import Completion
from lessons.records import LessonView, explanation_of, option_label, prompt_of

ANSWER = "quiz.answer"  # single choice and true/false: one tap answers
PICK = "quiz.pick"  # multi choice: each tap adds an option ...
SUBMIT = "quiz.submit"  # ... and this sends the picked ones
NEXT = "quiz.next"


class MakeButton(Protocol):
    def __call__(
        self, label: T, action: str, payload: dict[str, Any], group: str | None
    ) -> Awaitable[Button]: ...


def lesson_reply(lesson: LessonView) -> Reply:
    header = T("📘 Pelajaran hari ini", "📘 Today's lesson")
    minutes = T(f"⏱ {lesson.minutes} menit", f"⏱ {lesson.minutes} minutes")
    text = join(
        [
            header + T(f" — {lesson.course_title.id}", f" — {lesson.course_title.en}"),
            lesson.title,
            lesson.body,
            minutes,
        ],
        "\n\n",
    )
    return Reply(text, meta={"lesson": lesson.id})


async def question_reply(
    question: Question,
    number: int,
    total: int,
    day: date,
    make: MakeButton,
    picked: Sequence[int] = (),
) -> Reply:
    """A question with one button per option (and a send button for multi-answer ones).

    A multi-answer question is shown again after every tap with the picks so far, and all its
    buttons share one group: only the newest copy can be pressed, so a tap always toggles what
    the employee sees.
    """
    head = T(f"❓ Pertanyaan {number}/{total}", f"❓ Question {number}/{total}")
    lines = [head, prompt_of(question)]
    payload = {"d": day.isoformat(), "q": question.id}
    group = secrets.token_hex(6)
    buttons: list[Button] = []
    if question.kind == "multi":
        lines.append(join([letter_label(question, i) for i in range(len(question.options))]))
        lines.append(picked_text(picked))
        lines.append(
            T(
                "(Ketuk semua jawaban yang benar; ketuk lagi untuk membatalkan pilihan. "
                "Lalu tekan Kirim jawaban.)",
                "(Tap every right answer; tap again to unselect. Then press Send answer.)",
            )
        )
        for i in range(len(question.options)):
            mark = "✅ " if i in picked else ""
            label = T(mark, mark) + letter_label(question, i)
            buttons.append(await make(label, PICK, {**payload, "i": i}, group))
        buttons.append(await make(T("📨 Kirim jawaban", "📨 Send answer"), SUBMIT, payload, group))
    else:
        for i, option in enumerate(question.options):
            buttons.append(await make(option_label(option), ANSWER, {**payload, "i": i}, group))
    return Reply(join(lines, "\n\n"), tuple(buttons), meta={"question": question.id})


def letter(i: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i]


def letter_label(question: Question, i: int) -> T:
    """'A. Persyaratan': multi-answer options carry letters so picks can be named briefly."""
    return T(f"{letter(i)}. ", f"{letter(i)}. ") + option_label(question.options[i])


def picked_text(picked: Sequence[int]) -> T:
    if not picked:
        return T("Pilihan Anda: belum ada.", "Your picks: none yet.")
    chosen = ", ".join(letter(i) for i in sorted(picked))
    return T(f"Pilihan Anda: {chosen}", f"Your picks: {chosen}")


def feedback_text(question: Question, correct: bool) -> T:
    if correct:
        verdict = T("✅ Benar!", "✅ Correct!")
    else:
        right = [option_label(question.options[i]) for i in sorted(question.correct)]
        answer = join(right, ", ")
        verdict = T("❌ Kurang tepat. Jawaban yang benar: ", "❌ Not quite. The right answer: ")
        verdict = verdict + answer + T(".", ".")
    return join([verdict, explanation_of(question)], "\n\n")


async def feedback_reply(
    question: Question, correct: bool, day: date, make: MakeButton, more: bool
) -> Reply:
    buttons: tuple[Button, ...] = ()
    if more:
        label = T("➡️ Pertanyaan berikutnya", "➡️ Next question")
        buttons = (await make(label, NEXT, {"d": day.isoformat()}, secrets.token_hex(6)),)
    return Reply(feedback_text(question, correct), buttons)


def done_reply(done: Completion, minutes_per_jp: int) -> Reply:
    lines = [T("🎉 Selesai untuk hari ini!", "🎉 Done for today!")]
    lines.append(
        T(
            f"Jawaban benar: {done.correct} dari {done.total}.",
            f"Right answers: {done.correct} of {done.total}.",
        )
    )
    if done.lesson is not None and done.jp:
        jp, minutes = f"{done.jp:.2f}".rstrip("0").rstrip("."), done.lesson.minutes
        lines.append(
            T(
                f"+{minutes} menit belajar ({jp} JP; 1 JP = {minutes_per_jp} menit).",
                f"+{minutes} minutes of learning ({jp} JP; 1 JP = {minutes_per_jp} min).",
            )
        )
    if done.streak.current:
        lines.append(
            T(
                f"🔥 Runtun: {done.streak.current} hari kerja.",
                f"🔥 Streak: {done.streak.current} working days.",
            )
        )
    lines.append(
        T(
            'Ketik "progres belajar" untuk melihat capaian JP Anda.',
            'Type "learning progress" to see your JP.',
        )
    )
    return Reply(join(lines))


NOTHING_NEW = T(
    "Semua pelajaran sudah Anda selesaikan dan tidak ada ulasan hari ini. Materi baru segera "
    "hadir!",
    "You have finished every lesson and have no reviews today. New material is coming soon!",
)
ALREADY_DONE = T(
    "Pelajaran hari ini sudah selesai. Sampai besok! 👋",
    "Today's lesson is done. See you tomorrow! 👋",
)
ALREADY_ANSWERED = T(
    "Pertanyaan ini sudah dijawab. Ketik belajar untuk melanjutkan.",
    "This question was already answered. Type learn to continue.",
)
