"""`INSERT … ON CONFLICT DO NOTHING` in the dialect of the session's database."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignoring(session: AsyncSession, target: Any, keys: list[str]) -> Any:
    """An INSERT into `target` that skips rows clashing on the unique `keys`.

    The dialect's module is imported when first needed: a SQLite instance never pays the
    ≈ 80 ms of importing SQLAlchemy's PostgreSQL dialect at start.
    """
    name = session.bind.dialect.name if session.bind is not None else "sqlite"
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(target).on_conflict_do_nothing(index_elements=keys)
