"""Inserting many rows of one table in the caller's transaction, as cheaply as the backend allows.

PostgreSQL (asyncpg): one binary COPY per call, on the session's own connection and inside its
transaction, so the rows commit or roll back with everything else the transaction does (the
outbox rule). COPY skips the per-row statement executions of an executemany: for the morning
push's 80,000 button tokens and 40,000 outbox rows it is the cheapest way in.
SQLite and anything else: one executemany INSERT.

The rows are dicts keyed by column name, as for `insert(table)`; every column of the table not
in the first row is left to its server default (none of ours have Python-side defaults that
COPY would skip: the callers give every column). A unique or foreign-key violation raises
`sqlalchemy.exc.IntegrityError`, as the INSERT would.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.types import UTCDateTime


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Insert `rows` into `table` in the session's transaction; returns how many."""
    if not rows:
        return 0
    connection = await session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "asyncpg":
        await _copy(connection, table, rows)
    else:
        await session.execute(insert(table), list(rows))
    return len(rows)


async def _copy(connection: Any, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    columns = list(rows[0])
    serialize = connection.dialect._json_serializer or json.dumps
    converters = [_converter(table.c[name].type, serialize) for name in columns]
    raw = await connection.get_raw_connection()
    adapted = raw.dbapi_connection  # SQLAlchemy's adapter around the asyncpg connection
    if adapted._transaction is None and adapted.isolation_level != "autocommit":
        # asyncpg begins lazily, at the first statement; COPY must not run outside it.
        await adapted._start_transaction()
    values = operator.itemgetter(*columns)
    convert = [(i, c) for i, c in enumerate(converters) if c is not None]
    records = []
    for row in rows:
        record = list(values(row)) if len(columns) > 1 else [values(row)]
        for i, to_copy in convert:
            if record[i] is not None:
                record[i] = to_copy(record[i])
        records.append(tuple(record))
    import asyncpg

    try:
        await adapted.driver_connection.copy_records_to_table(
            table.name, records=records, columns=columns, schema_name=table.schema
        )
    except asyncpg.IntegrityConstraintViolationError as error:
        raise IntegrityError(f"COPY {table.name}", None, error) from error


def _converter(column_type: Any, serialize: Any) -> Any:
    """How a Python value becomes what asyncpg's COPY expects for the column (None: as is)."""
    if isinstance(column_type, JSON):
        # SQLAlchemy's asyncpg dialect encodes json as text it serialized itself; the same
        # payload object (a lesson sent to thousands) is serialized once per call.
        cache: dict[int, tuple[Any, str]] = {}

        def dumps(value: Any) -> str:
            hit = cache.get(id(value))
            if hit is not None and hit[0] is value:
                return hit[1]
            text = serialize(value)
            cache[id(value)] = (value, text)
            return text

        return dumps
    if isinstance(column_type, UTCDateTime):
        # A sweep's rows share a few instants (now, now + 14 days): each converted once.
        instants: dict[Any, Any] = {}

        def utc(value: Any) -> Any:
            if value not in instants:
                instants[value] = column_type.process_bind_param(value, _POSTGRES)
            return instants[value]

        return utc
    return None


class _Postgres:
    name = "postgresql"


_POSTGRES: Any = _Postgres()
