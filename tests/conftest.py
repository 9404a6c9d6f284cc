"""Shared fixtures: a fixed clock, a migrated database per backend, and a built Ayo."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App, build_app
from core.clock import FixedClock
from core.settings import Settings
from tests.support import databases

# PTB 22 warns on every RetryAfter unless told to use timedeltas (warnings fail tests).
os.environ.setdefault("PTB_TIMEDELTA", "true")

# Tuesday 1 December 2026, 09:00 in Jakarta: a plain working day.
START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tpl")
    return databases.run(databases.prepared_sqlite_template(folder, START))


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = databases.run(databases.create_postgres_database())
    databases.run(databases.prepare(url, tmp_path_factory.mktemp("pgtpl"), START))
    yield databases.database_name(url)
    databases.run(databases.drop_postgres_database(url))


@pytest.fixture(params=databases.backends())
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    """A database with the schema and the lessons, one per test."""
    if request.param == "sqlite":
        yield databases.fresh_sqlite(sqlite_template, tmp_path)
        return
    template = request.getfixturevalue("postgres_template")
    url = databases.run(databases.create_postgres_database(template))
    yield url
    databases.run(databases.drop_postgres_database(url))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(_env_file=None, database_url=database_url, data_dir=tmp_path, demo=True)


@pytest.fixture
async def ayo(settings: Settings, clock: FixedClock) -> AsyncIterator[App]:
    app = await build_app(settings, clock=clock)
    yield app
    await app.close()
