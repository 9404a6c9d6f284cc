"""Test databases: a fresh SQLite file or a private PostgreSQL database per test run."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from core.storage import migrate
from core.storage.db import Database

T = TypeVar("T")
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def postgres_admin_url() -> str:
    return os.environ.get("AYO_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


def backends() -> list[str]:
    """Both backends always; AYO_TEST_BACKENDS=sqlite narrows it for a quick local loop."""
    chosen = os.environ.get("AYO_TEST_BACKENDS", "sqlite,postgres")
    return [b.strip() for b in chosen.split(",") if b.strip()]


async def create_postgres_database(template: str | None = None) -> str:
    """A private database, so concurrent runs never see each other; copied from `template`."""
    admin_url = postgres_admin_url()
    name = f"ayo_test_{uuid.uuid4().hex[:10]}"
    clause = f' TEMPLATE "{template}"' if template else ""
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    except OSError as exc:  # connection refused: say what to do instead of a bare traceback
        raise RuntimeError(
            f"PostgreSQL is not reachable at {admin_url}; start it or set AYO_TEST_POSTGRES_URL "
            "(AYO_TEST_BACKENDS=sqlite runs only the SQLite half, never on CI)"
        ) from exc
    finally:
        await engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


async def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    engine = create_async_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


async def migrate_url(url: str) -> None:
    db = Database(url)
    try:
        await migrate.upgrade(db)
    finally:
        await db.dispose()


async def prepare(url: str, folder: Path, now: datetime) -> None:
    """Migrate and import the lessons: what every test starts from (an empty organisation).

    Built once per run and copied for each test, which is far faster than building each time.
    The demo organisation is left to the `ayo` fixture, since some tests build their own.
    """
    from bot.app import build_app
    from core.clock import FixedClock
    from core.settings import Settings

    app = await build_app(
        Settings(_env_file=None, database_url=url, data_dir=folder, demo=False),
        clock=FixedClock(now),
    )
    await app.close()


async def prepared_sqlite_template(folder: Path, now: datetime) -> Path:
    path = folder / "template.db"
    await prepare(f"sqlite+aiosqlite:///{path}", folder, now)
    return path


def fresh_sqlite(template: Path, folder: Path) -> str:
    """Copying a migrated file is far faster than migrating for every test."""
    path = folder / f"{uuid.uuid4().hex[:8]}.db"
    shutil.copy(template, path)
    return f"sqlite+aiosqlite:///{path}"


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine from a sync (session-scoped) fixture."""
    return asyncio.run(coro)
