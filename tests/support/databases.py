"""Test databases: a fresh SQLite file or a private PostgreSQL database per test run."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from core.storage import migrate
from core.storage.base import Base
from core.storage.db import Database

T = TypeVar("T")
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def postgres_admin_url() -> str:
    return os.environ.get("AYO_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


def backends() -> list[str]:
    """Both backends always; AYO_TEST_BACKENDS=sqlite narrows it for a quick local loop."""
    chosen = os.environ.get("AYO_TEST_BACKENDS", "sqlite,postgres")
    return [b.strip() for b in chosen.split(",") if b.strip()]


async def create_postgres_database() -> str:
    """A private database for this test run, so concurrent runs never see each other."""
    admin_url = postgres_admin_url()
    name = f"ayo_test_{uuid.uuid4().hex[:10]}"
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OSError as exc:  # connection refused: say what to do instead of a bare traceback
        raise RuntimeError(
            f"PostgreSQL is not reachable at {admin_url}; start it or set AYO_TEST_POSTGRES_URL "
            "(AYO_TEST_BACKENDS=sqlite runs only the SQLite half, never on CI)"
        ) from exc
    finally:
        await engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


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


async def migrated_sqlite_template(folder: Path) -> Path:
    path = folder / "template.db"
    await migrate_url(f"sqlite+aiosqlite:///{path}")
    return path


def fresh_sqlite(template: Path, folder: Path) -> str:
    """Copying a migrated file is far faster than migrating for every test."""
    path = folder / f"{uuid.uuid4().hex[:8]}.db"
    shutil.copy(template, path)
    return f"sqlite+aiosqlite:///{path}"


async def truncate_all(url: str) -> None:
    db = Database(url)
    try:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        async with db.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await db.dispose()


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine from a sync (session-scoped) fixture."""
    return asyncio.run(coro)
