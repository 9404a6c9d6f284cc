"""Learning: imported lessons and questions, each employee's days, answers, cards and JP."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base
from core.storage.types import UTCDateTime


class StoredLesson(Base):
    """A lesson as last imported; `retired_at` hides it from new plans but keeps history."""

    __tablename__ = "lessons"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    course: Mapped[str] = mapped_column(String(80), index=True)
    position: Mapped[int] = mapped_column(Integer)  # course order * 1000 + lesson number
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(300), default="")  # folder it was imported from
    competency: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int] = mapped_column(Integer)
    # Title, bodies, tags, targets and the course title: everything the bot shows.
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StoredQuestion(Base):
    __tablename__ = "lesson_questions"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(ForeignKey("lessons.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # kind, prompt, options, correct indices, explanation (both languages).
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LearnerPrefs(Base):
    """One row per employee who learnt or changed a setting; absent means the defaults."""

    __tablename__ = "learner_prefs"

    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    reminder_time: Mapped[str | None] = mapped_column(String(5))  # "HH:MM" local; None: default
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    leaderboard_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    streak: Mapped[int] = mapped_column(Integer, default=0)
    best_streak: Mapped[int] = mapped_column(Integer, default=0)
    freezes: Mapped[int] = mapped_column(Integer, default=0)
    last_active_day: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LearningDay(Base):
    """An employee's plan for one local day: the lesson and the questions, and how far they got."""

    __tablename__ = "learning_days"

    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    lesson_id: Mapped[str | None] = mapped_column(ForeignKey("lessons.id"))
    question_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    # Options picked so far on a multi-answer question, before "Kirim jawaban".
    picked: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LessonProgress(Base):
    __tablename__ = "lesson_progress"
    __table_args__ = (Index("ix_lesson_progress_done", "completed_at"),)

    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(ForeignKey("lessons.id"), primary_key=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    minutes: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))  # the version they learnt


class ReviewCard(Base):
    """A question as an FSRS card for one employee: when it comes back, and whether it retired."""

    __tablename__ = "review_cards"
    __table_args__ = (Index("ix_review_cards_due", "employee_id", "retired", "due"),)

    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    question_id: Mapped[str] = mapped_column(ForeignKey("lesson_questions.id"), primary_key=True)
    card: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due: Mapped[datetime] = mapped_column(UTCDateTime())
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    good_in_a_row: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class QuizAnswer(Base):
    __tablename__ = "quiz_answers"
    __table_args__ = (Index("ix_quiz_answers_employee_at", "employee_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    question_id: Mapped[str] = mapped_column(ForeignKey("lesson_questions.id"))
    day: Mapped[date] = mapped_column(Date)
    choice: Mapped[list[int]] = mapped_column(JSON, default=list)
    correct: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class LearningEvent(Base):
    """A completed learning activity with the fields a national record (SIASN) asks for."""

    __tablename__ = "learning_events"
    __table_args__ = (
        Index("ix_learning_events_employee_start", "employee_id", "start_date"),
        Index("ix_learning_events_verifier", "verifier_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    # None for learning outside Ayo's lessons (a training): lessons/proposals_ledger.py.
    lesson_id: Mapped[str | None] = mapped_column(ForeignKey("lessons.id"))
    activity_type: Mapped[str] = mapped_column(String(40))  # e.g. "e-learning (microlearning)"
    competency: Mapped[str] = mapped_column(String(20))
    provider: Mapped[str] = mapped_column(String(120))
    material: Mapped[str] = mapped_column(String(300))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    jp: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Where the learning happened: ayo | external | classroom | on_the_job
    # (lessons/learning_records.py). Ayo's micro-lessons are verified when completed.
    source: Mapped[str] = mapped_column(String(20), default="ayo", server_default="ayo")
    # pending | verified | rejected: only a verified record counts in the JP ledger.
    status: Mapped[str] = mapped_column(String(10), default="verified", server_default="verified")
    verifier_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))  # asked to decide
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(String(500))  # why it was rejected
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))  # HR, CLI
    document_id: Mapped[int | None] = mapped_column(ForeignKey("stored_documents.id"))
    # The caller's own id ("app:external_id"): a repeated API call finds the record it made.
    external_key: Mapped[str | None] = mapped_column(String(160), unique=True)
