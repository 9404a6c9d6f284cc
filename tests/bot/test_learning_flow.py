"""The whole learning flow through the real `ayo chat --json`: lesson, question, feedback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from bot.demo import demo_nip, read_organisation
from core.storage.db import Database
from core.storage.models import LearningDay
from lessons.content_check import load_content
from tests.support.databases import run

ROOT = Path(__file__).resolve().parents[2]


def dimas_nip() -> str:
    people = read_organisation()["employees"]
    serial, spec = next((n, p) for n, p in enumerate(people, start=1) if p["key"] == "dimas")
    return demo_nip(spec["born"], spec["tmt"], spec["sex"], serial)


def chat(env: dict[str, str], nip: str, *lines: str) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--as", nip, "--json"],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


async def _first_question(url: str) -> str:
    db = Database(url)
    try:
        async with db.sessions() as session:
            plan = (await session.execute(select(LearningDay))).scalar_one()
            return plan.question_ids[0]
    finally:
        await db.dispose()


def test_belajar_gives_a_lesson_a_quiz_and_feedback_with_the_explanation(
    database_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "AYO_DATABASE_URL": database_url,
        "AYO_DATA_DIR": str(tmp_path),
        "AYO_DEMO": "true",
        "AYO_LOG_LEVEL": "WARNING",
    }
    nip = dimas_nip()
    first = chat(env, nip, "belajar")
    assert [m["in_reply_to"] for m in first] == [0, 0]
    assert first[0]["text"].startswith("📘 Pelajaran hari ini")
    assert first[1]["text"].startswith("❓ Pertanyaan 1/")
    buttons = first[1]["buttons"]
    assert len(buttons) >= 2

    question = load_content().question(run(_first_question(database_url)))
    assert question is not None
    right = buttons[min(question.correct)]
    token = right["token"]
    if question.kind == "multi":
        # Every tap shows the question again with its picks and fresh buttons.
        for i in sorted(question.correct):
            buttons = chat(env, nip, json.dumps({"button": buttons[i]["token"]}))[-1]["buttons"]
        token = buttons[-1]["token"]
        replies = chat(env, nip, json.dumps({"button": token}))
    else:
        replies = chat(env, nip, json.dumps({"button": token}))
    feedback = next(m for m in replies if m["text"].startswith(("✅ Benar", "❌")))
    assert feedback["text"].startswith("✅ Benar!")
    assert question.explanation_id in feedback["text"]

    again = chat(env, nip, json.dumps({"button": token}))
    assert again[-1]["text"] == "Tombol ini sudah dipakai sebelumnya."
