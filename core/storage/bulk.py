"""Inserting many rows of one table in the caller's transaction, as cheaply as the backend allows.

PostgreSQL (asyncpg): one binary COPY per call, on the session's own connection and inside its
transaction, so the rows commit or roll back with everything else the transaction does (the
outbox rule). COPY skips the per-row statement executions of an executemany: for the morning
push's 80,000 button tokens and 40,000 outbox rows it is the cheapest way in.
SQLite: one executemany of a plain INSERT on the driver, the values bound as SQLAlchemy binds
them (its type processing per column), each distinct value object processed once.
Anything else: one executemany `insert(table)`.

The rows are dicts keyed by column name, as for `insert(table)`; every column of the table not
in the first row is left to its server default (none of ours have Python-side defaults that
COPY would skip: the callers give every column). A unique or foreign-key violation raises
`sqlalchemy.exc.IntegrityError`, as the INSERT would.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Insert `rows` into `table` in the session's transaction; returns how many."""
    if not rows:
        return 0
    connection = await session.connection()
    dialect = connection.dialect
    if dialect.name == "postgresql" and dialect.driver == "asyncpg":
        await _copy(connection, table, rows)
    elif dialect.name == "sqlite":
        columns = list(rows[0])
        quote = dialect.identifier_preparer.quote
        statement = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        await connection.exec_driver_sql(statement, _records(dialect, table, columns, rows))
    else:
        await session.execute(insert(table), list(rows))
    return len(rows)


def _records(
    dialect: Any, table: Table, columns: list[str], rows: Sequence[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """The rows as the driver takes them: each value through its column type's own bind
    processing (SQLAlchemy's, as an INSERT would do), each distinct value object once: the
    morning push gives thousands of rows the same payload dict and the same instants."""
    values = operator.itemgetter(*columns)
    processing = []
    plain_json = getattr(dialect, "_json_serializer", None) is None  # json.dumps, as SQLAlchemy
    for i, name in enumerate(columns):
        column_type = table.c[name].type
        process = column_type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            serialized = plain_json and isinstance(column_type, JSON)
            processing.append((i, _once_per_value(process, serialized)))
    records = []
    for row in rows:
        record = list(values(row)) if len(columns) > 1 else [values(row)]
        for i, process in processing:
            record[i] = process(record[i])
        records.append(tuple(record))
    return records


class Serialized(dict[str, Any]):
    """A JSON value that already knows its `json.dumps` text (`text`), for a column whose rows
    are built from one template: the text is used as is where SQLAlchemy's default serializer
    would have made the same."""

    __slots__ = ("text",)

    def __init__(self, value: dict[str, Any], text: str) -> None:
        super().__init__(value)
        self.text = text


def _once_per_value(process: Any, serialized: bool) -> Any:
    """`process`, each value object once; lists of plain scalars once per distinct content
    (a chunk's plans share a few question lists); `Serialized` values by their own text."""
    seen: dict[Any, tuple[Any, Any]] = {}

    def once(value: Any) -> Any:
        if serialized and type(value) is Serialized:
            return value.text
        key: Any = id(value)
        if type(value) is list and all(type(x) in _SCALARS for x in value):
            key = tuple((type(x), x) for x in value)  # 1, 1.0 and True serialize apart
        hit = seen.get(key)
        if hit is None or (type(key) is int and hit[0] is not value):
            # The value is kept with its result, so its id cannot be reused meanwhile.
            hit = seen[key] = (value, process(value))
        return hit[1]

    return once


_SCALARS = (str, int, float, bool, type(None))


async def _copy(connection: Any, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    columns = list(rows[0])
    records = _records(connection.dialect, table, columns, rows)
    raw = await connection.get_raw_connection()
    adapted = raw.dbapi_connection  # SQLAlchemy's adapter around the asyncpg connection
    if adapted._transaction is None and adapted.isolation_level != "autocommit":
        # asyncpg begins lazily, at the first statement; COPY must not run outside it.
        await adapted._start_transaction()
    import asyncpg

    try:
        await adapted.driver_connection.copy_records_to_table(
            table.name, records=records, columns=columns, schema_name=table.schema
        )
    except asyncpg.IntegrityConstraintViolationError as error:
        raise IntegrityError(f"COPY {table.name}", None, error) from error
