"""Drive the real `ayo chat --json` in a subprocess, as other checks drive Ayo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def ayo_env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        AYO_DATABASE_URL=database_url,
        AYO_DATA_DIR=str(data_dir),
        AYO_DEMO="1",
        AYO_LOG_LEVEL="WARNING",
        PTB_TIMEDELTA="true",
    )
    return env


def run_ayo(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def chat(nip: str, lines: list[str | dict[str, Any]], env: dict[str, str]) -> list[dict[str, Any]]:
    """Run one `ayo chat --as NIP --json` session; returns the JSON objects it printed."""
    stdin = "".join(
        (json.dumps(line) if isinstance(line, dict) else line) + "\n" for line in lines
    )
    done = run_ayo(["chat", "--as", nip, "--json"], env, stdin)
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
