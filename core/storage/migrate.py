"""Applies Alembic migrations from code, so `ayo serve` and `ayo db upgrade` share one path.

Alembic costs a process about 0.8 s and 10 MB to import, and every start and every /readyz asks
whether the schema is at head. So that question is answered from the migration files and the
`alembic_version` table directly; Alembic is imported only to migrate, or when the history is
not one straight line.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from core.storage.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant works; it only has to be the same for every Ayo instance.
_PG_LOCK_KEY = 7_202_611
_HISTORY = ("revision", "down_revision", "depends_on")


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    if connection.dialect.name == "postgresql":
        # Several instances may start at once; only one may migrate at a time.
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    command.upgrade(alembic_config(connection), revision)


async def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to `revision` (default: the newest)."""
    head = head_revision() if revision == "head" else None
    if head is not None and await current_revision(db) == head:
        return  # the usual restart: nothing to do, and no Alembic to import
    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


@cache
def head_revision() -> str | None:
    """The newest revision of Ayo's migrations (`head_of` its versions folder)."""
    return head_of(MIGRATIONS / "versions")


def head_of(versions: Path) -> str | None:
    """The newest revision in a folder of migrations, read from the files' `revision` and
    `down_revision`; None when the history is not one line (Alembic then decides)."""
    revisions: dict[str, object] = {}
    for path in versions.glob("*.py"):
        values: dict[str, object] = {}
        for node in _history_statements(path.read_text(encoding="utf-8")):
            if isinstance(node, ast.AnnAssign) and node.value is not None:
                target = node.target
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
            else:
                continue
            if isinstance(target, ast.Name) and target.id in _HISTORY:
                values[target.id] = ast.literal_eval(node.value)
        if not isinstance(values.get("revision"), str) or values.get("depends_on"):
            return None
        revisions[values["revision"]] = values.get("down_revision")  # type: ignore[index]
    parents = set(revisions.values())
    if not all(p is None or isinstance(p, str) for p in parents):
        return None  # a merge revision
    heads = [r for r in revisions if r not in parents]
    return heads[0] if len(heads) == 1 else None


def _history_statements(source: str) -> list[ast.stmt]:
    """The module's top-level statements that may name its place in the history.

    Only the lines assigning those names are parsed (parsing every migration in full took
    about 50 ms of each start); a value spread over several lines makes the whole file parsed.
    """
    lines = [
        line
        for line in source.splitlines()
        if line[:1].isalpha() and re.split(r"[\s:=]", line, maxsplit=1)[0] in _HISTORY
    ]
    try:
        return ast.parse("\n".join(lines)).body
    except SyntaxError:
        return ast.parse(source).body


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(db: Database) -> str | None:
    """The revision the database is at; None before the first migration."""
    async with db.engine.connect() as conn:
        try:
            rows = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
        except DBAPIError:  # no table yet: never migrated
            return None
        if len(rows) <= 1:
            return rows[0][0] if rows else None
    async with db.engine.connect() as conn:
        return await conn.run_sync(_current)  # several heads: Alembic says what that means


def _autogenerate(connection: Connection, message: str, rev_id: str | None) -> None:
    from alembic import command

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
