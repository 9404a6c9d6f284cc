"""A served Ayo classifies with the router's exported arrays: scikit-learn and SciPy stay out
of the process (they cost it about 1.5 s of start and 60 MB; only training needs them). The
feature handlers are loaded once the server answers, not before it does."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from bot.app import App
from tests.support.console import ayo_env
from tests.support.server import ayo_server

DIMAS = "199402172019031005"


def imported_modules(log: str) -> set[str]:
    """Module names from the lines `python -X importtime` writes (PYTHONPROFILEIMPORTTIME)."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in log.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_a_served_process_answers_without_importing_scikit_learn_or_scipy(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    # The `ayo` fixture built the app here, so the router is in the disk cache, as after
    # any first start.
    env = ayo_env(database_url, tmp_path) | {"PYTHONPROFILEIMPORTTIME": "1"}
    output = tmp_path / "serve.log"
    with ayo_server(env, output=output) as url, httpx.Client(base_url=url, timeout=30) as web:
        assert web.get("/readyz").json()["checks"]["router"] is True
        assert web.post("/api/local/login/demo", json={"nip": DIMAS}).status_code == 200
        web.headers["X-CSRF-Token"] = web.get("/api/local/session").json()["csrf"]
        said = web.post("/api/local/me/messages", json={"text": "sisa cuti saya berapa"})
        assert said.status_code == 200
        assert "cuti" in str(said.json()["messages"]).lower()
    imported = imported_modules(output.read_text())
    assert {"intents.scorer", "numpy", "uvicorn"} <= imported  # the log does list imports
    assert sorted(m for m in imported if m.split(".")[0] in ("sklearn", "scipy")) == []


# What `ayo serve` does before it listens (bot/serve.py), then what it does once it does.
BEFORE_AND_AFTER = """
import asyncio, sys
from bot.app import build_app
from bot.web.app import create_web
from bot.handlers.loading import load_all

async def main():
    ayo = await build_app()
    create_web(ayo)
    before = sorted(m for m in sys.modules if m in ("bot.dispatch", "bot.handlers.services"))
    await load_all()
    after = sorted(m for m in sys.modules if m in ("bot.dispatch", "bot.handlers.services"))
    await ayo.close()
    print(before, after)

asyncio.run(main())
"""


def test_the_app_is_built_without_importing_the_handlers(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", BEFORE_AND_AFTER],
        env=ayo_env(database_url, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[] ['bot.dispatch', 'bot.handlers.services']"


def test_a_served_process_loads_the_handlers_once_it_answers(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    env = ayo_env(database_url, tmp_path)
    with ayo_server(env) as url, httpx.Client(base_url=url, timeout=30) as web:
        deadline = time.monotonic() + 60
        while not web.get("/readyz").json()["checks"]["handlers"]:
            assert time.monotonic() < deadline, "the handlers were never loaded"
            time.sleep(0.1)
        assert web.get("/readyz").status_code == 200
