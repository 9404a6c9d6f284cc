"""How many inbox worker processes `ayo serve` starts, and SQLite's one worker process.

On PostgreSQL `--workers` (else AYO_WORKERS, 2) worker processes do the processing. SQLite has
one writer: by default the web process processes the inbox itself; asked for workers, it
gets one worker process, so answering webhooks never waits for processing's CPU.
"""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from bot.serve import inbox_workers
from core.settings import Settings
from tests.support.fake_telegram import DEFAULT_TOKEN, FakeTelegram, tg_message_update
from tests.support.server import serve_process

SECRET = "workers-test-secret-0123"
CHAT = 930_001


@pytest.mark.parametrize(
    ("environment", "flag", "sqlite", "expected"),
    [
        ({}, None, False, 2),
        ({}, 4, False, 4),
        ({"AYO_WORKERS": "3"}, None, False, 3),
        ({}, 0, False, 0),
        ({}, None, True, 0),
        ({}, 1, True, 1),
        ({}, 4, True, 1),
        ({"AYO_WORKERS": "2"}, None, True, 1),
        ({"AYO_WORKERS": "2"}, 0, True, 0),
        ({"AYO_WORKERS": "0"}, None, True, 0),
    ],
)
def test_worker_processes_by_database_flag_and_setting(
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    flag: int | None,
    sqlite: bool,
    expected: int,
) -> None:
    monkeypatch.delenv("AYO_WORKERS", raising=False)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    assert inbox_workers(Settings(_env_file=None), flag, sqlite=sqlite) == expected


def _children(pid: int) -> list[str]:
    """The command lines of a process's children (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found.append(Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode())
    return found


def test_ayo_serve_on_sqlite_with_workers_processes_in_one_worker_process(
    tmp_path: Path,
) -> None:
    log = tmp_path / "serve.log"
    with FakeTelegram(chats=[CHAT]) as tg:
        env = {
            **os.environ,
            "AYO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/ayo.db",
            "AYO_DATA_DIR": str(tmp_path), "AYO_DEMO": "0", "AYO_LOG_LEVEL": "INFO",
            "AYO_TELEGRAM_TOKEN": DEFAULT_TOKEN, "AYO_TELEGRAM_API_URL": tg.base_url,
            "AYO_TELEGRAM_WEBHOOK_SECRET": SECRET, "AYO_TELEGRAM_BOT_USERNAME": "ayo_test_bot",
            "PTB_TIMEDELTA": "true",
        }  # fmt: skip
        env.pop("AYO_WORKERS", None)
        with serve_process(env, "--workers", "3", output=log) as running:
            answered = httpx.post(
                f"{running.url}/telegram/webhook",
                json=tg_message_update(1, CHAT, CHAT, "halo"),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                timeout=30,
            )
            assert answered.status_code == 200
            deadline = time.monotonic() + 60
            while not tg.sent_messages(CHAT) and time.monotonic() < deadline:
                time.sleep(0.1)
            workers = [c for c in _children(running.pid) if " worker " in f"{c} "]
            os.kill(running.pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while "stopped after" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.1)
    said = log.read_text()
    # The chat was answered ("belum terhubung": nobody linked it), by the one worker process.
    [reply] = tg.sent_messages(CHAT)
    assert "belum terhubung" in reply["text"]
    assert len(workers) == 1
    assert "one worker process, not 3 (SQLite has one writer)" in said
    assert re.search(r"inbox worker \S+:w0 stopped after 1 updates", said)
    assert "processed in this process" not in said


def test_a_negative_number_of_workers_is_refused_with_the_setting_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AYO_WORKERS", "-1")
    with pytest.raises(ValidationError, match="workers"):
        Settings(_env_file=None)
