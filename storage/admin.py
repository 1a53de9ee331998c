"""Moving up: `baraza db upgrade` (the migrations) and `baraza db copy` (every row of one
database into another, e.g. a dialogue that outgrew its SQLite file into PostgreSQL).

The copy reads the source in one snapshot (one read transaction) and writes the target
in one transaction, so it is all or nothing; the target must be empty. Tables go in
foreign-key order, each row as it is (ids included), identity counters are moved past
the copied ids, and the rows of every table are counted on both sides at the end. Into
PostgreSQL, the copied tables are then vacuumed and analysed: the planner has statistics
and index-only scans have a visibility map from the first query (autovacuum would get
there only later; until then the dashboard of 100,000 people took 1.6 s instead of 0.5).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import psycopg

from storage import schema
from storage.conn import Conn
from storage.db import database, is_postgres, shown, sqlite_path

CHUNK = 5000
SKIPPED = {"schema_migrations", "baraza_schema", "sqlite_sequence", "sqlite_stat1", "sqlite_stat4"}
"""Bookkeeping of the backends themselves, not Baraza's data."""


class CopyRefused(Exception):
    """The copy cannot be made: the message says why and what to do."""


@dataclass(frozen=True)
class Counted:
    table: str
    source: int
    target: int


def latest() -> set[str]:
    """The migrations this version of Baraza ships."""
    return schema.latest()


# --------------------------------------------------------------------------- connections


@contextmanager
def connection(target: str | Path) -> Iterator[Conn]:
    """A plain connection (no writer thread): the copy runs in a thread of its own."""
    if is_postgres(target):
        from storage.postgres import PgConn, connect

        try:
            pg = connect(str(target))
        except psycopg.Error as exc:
            from storage.postgres import unusable

            raise unusable(str(target), exc) from exc
        try:
            yield PgConn(pg)
        finally:
            pg.close()
    else:
        from storage.sqlite import connect as sqlite_connect

        conn = sqlite_connect(sqlite_path(target))
        try:
            yield conn
        finally:
            conn.close()


def applied(conn: Conn) -> set[str]:
    """The migrations a database has had (none: nothing there yet)."""
    if conn.dialect.name == "sqlite":
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (schema.TABLE,)
        ).fetchone()
        if found is None:
            return schema.from_number(int(conn.execute("PRAGMA user_version").fetchone()[0]))
        return schema.recorded(conn)
    row = conn.execute(
        "SELECT to_regclass(?) IS NOT NULL, to_regclass('baraza_schema') IS NOT NULL",
        (schema.TABLE,),
    ).fetchone()
    if row[0]:
        return schema.recorded(conn)
    if row[1]:
        number = conn.execute("SELECT max(version) FROM baraza_schema").fetchone()[0]
        return schema.from_number(int(number or 0))
    return set()


async def upgrade(target: str | Path) -> tuple[set[str], set[str]]:
    """Apply the migrations this version brings; (applied before, applied after)."""
    import asyncio

    before: set[str] = set()
    if is_postgres(target) or sqlite_path(target).exists():
        before = await asyncio.to_thread(_applied_to, target)
    db = await database(target).open()
    await db.close()
    return before, await asyncio.to_thread(_applied_to, target)


def _applied_to(target: str | Path) -> set[str]:
    with connection(target) as conn:
        value = applied(conn)
        _end(conn)
        return value


def _end(conn: Conn) -> None:
    if isinstance(conn, sqlite3.Connection):
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    else:
        from storage.postgres import PgConn

        assert isinstance(conn, PgConn)
        conn.raw.rollback()


# --------------------------------------------------------------------------- the schema


def tables(conn: Conn) -> dict[str, list[str]]:
    """Baraza's tables -> their columns, parents (foreign keys) before children."""
    columns: dict[str, list[str]] = {}
    parents: dict[str, set[str]] = {}
    if conn.dialect.name == "sqlite":
        names = [
            str(r[0])
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        ]
        for name in names:
            columns[name] = [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{name}")')]
            parents[name] = {str(r[2]) for r in conn.execute(f'PRAGMA foreign_key_list("{name}")')}
    else:
        for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        ).fetchall():
            columns.setdefault(str(table), []).append(str(column))
        for child, parent in conn.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
            " WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
        ).fetchall():
            parents.setdefault(str(child), set()).add(str(parent))
    order = TopologicalSorter({t: parents.get(t, set()) & set(columns) for t in columns})
    return {t: columns[t] for t in order.static_order() if t not in SKIPPED}


def count(conn: Conn, table: str) -> int:
    return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


# --------------------------------------------------------------------------- the copy


async def copy(
    source: str | Path, target: str | Path, progress: Callable[[str], None] = lambda _: None
) -> list[Counted]:
    """Copy every row of `source` into the empty `target` (both upgraded first)."""
    import asyncio

    if str(source) == str(target):
        raise CopyRefused("--from and --to are the same database")
    if not is_postgres(source) and not sqlite_path(source).exists():
        raise CopyRefused(f"--from {shown(source)}: no database there")
    for end in (source, target):
        db = await database(end).open()
        await db.close()
    return await asyncio.to_thread(_copy, source, target, progress)


def _copy(source: str | Path, target: str | Path, progress: Callable[[str], None]) -> list[Counted]:
    with connection(source) as src, connection(target) as dst:
        _snapshot(src)
        found, wanted = tables(src), tables(dst)
        differ = applied(src) ^ applied(dst)
        if differ:
            raise CopyRefused(
                f"the two databases have had different migrations ({', '.join(sorted(differ))}):"
                " run `baraza db upgrade` on both with this version of Baraza"
            )
        missing = {t: [c for c in cols if c not in wanted.get(t, [])] for t, cols in found.items()}
        missing = {t: cols for t, cols in missing.items() if cols}
        if missing:
            raise CopyRefused(f"--to {shown(target)} lacks tables or columns: {missing}")
        full = {t: n for t in wanted if (n := count(dst, t))}
        _end(dst)
        if full:
            rows = ", ".join(f"{t} ({n})" for t, n in full.items())
            raise CopyRefused(
                f"--to {shown(target)} is not empty: {rows}; copy into a new, empty database"
            )
        orphans = _orphans(src)
        if orphans:
            rows = ", ".join(f"{t} ({n})" for t, n in orphans.items())
            raise CopyRefused(
                f"--from {shown(source)} has rows that refer to rows no longer there: {rows}"
                " (left when foreign keys were not enforced); PostgreSQL would refuse them"
            )
        before = {t: count(src, t) for t in found}
        try:
            for table, cols in found.items():
                progress(f"{table}: {before[table]:,} rows")
                _copy_table(src, dst, table, cols)
            _after(dst, found)
            _commit(dst)
        except BaseException:
            _end(dst)
            raise
        _end(src)
        after = {t: count(dst, t) for t in found}
        _end(dst)
        _vacuum(dst, found)
    return [Counted(t, before[t], after[t]) for t in found]


def _orphans(conn: Conn) -> dict[str, int]:
    """SQLite: rows whose foreign key points nowhere, per table (none on PostgreSQL)."""
    if conn.dialect.name != "sqlite":
        return {}
    found: dict[str, int] = {}
    for row in conn.execute("PRAGMA foreign_key_check").fetchall():
        found[str(row[0])] = found.get(str(row[0]), 0) + 1
    return found


def _snapshot(conn: Conn) -> None:
    """One consistent view of the source for the whole copy."""
    if isinstance(conn, sqlite3.Connection):
        conn.execute("BEGIN")
    else:
        from storage.postgres import PgConn

        assert isinstance(conn, PgConn)
        conn.raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.raw.read_only = True


def _commit(conn: Conn) -> None:
    if isinstance(conn, sqlite3.Connection):
        conn.execute("COMMIT")
    else:
        from storage.postgres import PgConn

        assert isinstance(conn, PgConn)
        conn.raw.commit()


def _vacuum(dst: Conn, found: dict[str, list[str]]) -> None:
    """PostgreSQL: VACUUM (ANALYZE) the copied tables (outside a transaction, as it must)."""
    if dst.dialect.name == "sqlite" or not found:
        return
    from storage.postgres import PgConn

    assert isinstance(dst, PgConn)
    dst.raw.autocommit = True
    try:
        dst.raw.execute("VACUUM (ANALYZE) " + ", ".join(f'"{t}"' for t in found))
    finally:
        dst.raw.autocommit = False


def _copy_table(src: Conn, dst: Conn, table: str, cols: list[str]) -> None:
    names = ", ".join(f'"{c}"' for c in cols)
    cursor = src.execute(f'SELECT {names} FROM "{table}"')
    if isinstance(dst, sqlite3.Connection):
        if not dst.in_transaction:
            dst.execute("BEGIN")
        marks = ", ".join("?" * len(cols))
        insert = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
        while chunk := cursor.fetchmany(CHUNK):
            dst.executemany(insert, [tuple(r) for r in chunk])
        return
    from storage.postgres import PgConn

    assert isinstance(dst, PgConn)
    with dst.raw.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as out:
        while chunk := cursor.fetchmany(CHUNK):
            for row in chunk:
                out.write_row(tuple(row))


def _after(dst: Conn, found: dict[str, list[str]]) -> None:
    """PostgreSQL: identity counters past the copied ids (SQLite keeps its own)."""
    if dst.dialect.name == "sqlite":
        return
    for table, column in dst.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_identity = 'YES'"
    ).fetchall():
        if table in found:
            dst.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                f' coalesce((SELECT max("{column}") FROM "{table}"), 0) + 1, false)'
            )


def report(counted: list[Counted]) -> list[str]:
    width = max((len(c.table) for c in counted), default=5)
    lines = [f"{'table'.ljust(width)}  {'source':>10}  {'copied':>10}"]
    for c in counted:
        mark = "" if c.source == c.target else "  MISMATCH"
        lines.append(f"{c.table.ljust(width)}  {c.source:>10,}  {c.target:>10,}{mark}")
    return lines


__all__ = ["CopyRefused", "Counted", "applied", "copy", "latest", "report", "upgrade"]
