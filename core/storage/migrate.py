"""Applies Alembic migrations from code, so `ayo serve` and `ayo db upgrade` share one path."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from core.storage.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant works; it only has to be the same for every Ayo instance.
_PG_LOCK_KEY = 7_202_611


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        # Several instances may start at once; only one may migrate at a time.
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    command.upgrade(alembic_config(connection), revision)


async def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to `revision` (default: the newest)."""
    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(db: Database) -> str | None:
    async with db.engine.connect() as conn:
        return await conn.run_sync(_current)


def _autogenerate(connection: Connection, message: str, rev_id: str | None) -> None:
    command.upgrade(alembic_config(connection), "head")
    command.revision(alembic_config(connection), message=message, autogenerate=True, rev_id=rev_id)


async def make_revision(message: str, rev_id: str | None = None) -> None:
    """Write a new migration: the difference between the models and the current migrations."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{tmp}/autogen.db")
        try:
            async with db.engine.begin() as conn:
                await conn.run_sync(_autogenerate, message, rev_id)
        finally:
            await db.dispose()
