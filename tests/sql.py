"""Looking into the database a test ran against, SQLite file or PostgreSQL, with one query
in SQLite's spelling (translated for PostgreSQL as the storage modules' queries are)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import psycopg

from bot.config import Settings
from bot.turns import TurnRunner
from storage.conn import SqliteConn
from storage.db import Database, is_postgres, sqlite_path
from storage.dialect import to_postgres

Where = TurnRunner | Database | Settings | Path | str


def target(where: Where) -> str | Path:
    """The file or URL behind a runner, a database, settings, a path or a URL."""
    if isinstance(where, TurnRunner):
        where = where.db
    if isinstance(where, Database):
        return where.target
    if isinstance(where, Settings):
        return where.database_url
    return where


def rows(where: Where, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    """Every row of one query, as plain tuples (committed data only)."""
    found = target(where)
    if is_postgres(found):
        with psycopg.connect(str(found)) as conn:
            return [tuple(r) for r in conn.execute(to_postgres(sql), params).fetchall()]
    with contextlib.closing(sqlite3.connect(sqlite_path(found))) as lite:
        return [tuple(r) for r in lite.execute(sql, params).fetchall()]


def execute(where: Where, sql: str, params: tuple[object, ...] = ()) -> None:
    """One statement, committed (to set a scene a test then looks at)."""
    found = target(where)
    if is_postgres(found):
        with psycopg.connect(str(found)) as conn:
            conn.execute(to_postgres(sql), params)
        return
    with contextlib.closing(sqlite3.connect(sqlite_path(found))) as lite, lite:
        lite.execute(sql, params)


def tables(where: Where) -> list[str]:
    """Every table Baraza keeps data in."""
    from storage.admin import connection
    from storage.admin import tables as found

    with connection(target(where)) as conn:
        return list(found(conn))


def lite(where: Where) -> SqliteConn:
    """A connection to the SQLite file behind `where`, usable as a storage `Conn` (for
    tests that run on SQLite only; close it, e.g. with `contextlib.closing`)."""
    return sqlite3.connect(sqlite_path(target(where)), factory=SqliteConn)
