"""Production never loads or serves the demo organisation; the demo says it is one."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import func, select

from bot.app import App
from core.storage.db import Database
from core.storage.models import Employee
from tests.support import databases
from tests.support.console import ayo_env, run_ayo
from tests.support.server import ayo_server


def production_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = ayo_env(database_url, tmp_path)
    del env["AYO_DEMO"]
    env["AYO_ENV"] = "production"
    return env


async def employees(database_url: str) -> int:
    db = Database(database_url)
    try:
        async with db.sessions() as session:
            return await session.scalar(select(func.count(Employee.id)))
    finally:
        await db.dispose()


def test_serving_production_on_demo_data_is_refused(
    ayo: App, database_url: str, tmp_path: Path
) -> None:
    # The `ayo` fixture loaded the demo organisation into this database.
    done = run_ayo(["serve", "--port", "1"], production_env(database_url, tmp_path))
    assert done.returncode == 2
    assert "demo organisation" in done.stderr and "AYO_ENV" in done.stderr


def test_demo_load_is_refused_in_production(database_url: str, tmp_path: Path) -> None:
    done = run_ayo(["demo", "load"], production_env(database_url, tmp_path))
    assert done.returncode == 2
    assert "never loaded" in done.stderr


def test_production_starts_empty_and_lists_no_one(database_url: str, tmp_path: Path) -> None:
    with ayo_server(production_env(database_url, tmp_path)) as url:
        assert httpx.get(f"{url}/api/local/users").status_code == 401
        session = httpx.get(f"{url}/api/local/session").json()
        assert session == {"demo": False, "viewer": None, "csrf": None}
        page = httpx.get(f"{url}/").text
        assert 'id="login"' in page
    assert databases.run(employees(database_url)) == 0


def test_scripts_start_runs_the_demo() -> None:
    start = (Path(__file__).parents[2] / "scripts" / "start").read_text()
    assert "export AYO_ENV=demo" in start
