"""What every storage module takes: a `Conn`, one transaction of SQLite or PostgreSQL.

Storage modules write one set of SQL in SQLite's spelling, with `?` placeholders, and
call `conn.execute(sql, params)` / `conn.executemany(sql, rows)`; rows are read by
position or by column name. On PostgreSQL the same strings are translated once
(`storage.dialect`); where the two really differ a module asks `conn.dialect` (e.g.
`conn.dialect.for_update("p")`, which locks a row on PostgreSQL and is empty on SQLite,
where one writer does everything).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from storage.grouped import Grouped

Params = Sequence[Any]


@dataclass(frozen=True)
class Dialect:
    """Where the SQL of the two backends differs, said in one place."""

    name: str
    """`sqlite` or `postgresql`."""

    def for_update(self, *tables: str, skip_locked: bool = False) -> str:
        """The clause that ends a SELECT of rows this transaction will change: on
        PostgreSQL it locks them (another process's transaction waits, or skips them);
        on SQLite, where one writer runs every transaction, there is nothing to
        lock."""
        if self.name != "postgresql":
            return ""
        of = f" OF {', '.join(tables)}" if tables else ""
        return f" FOR UPDATE{of}{' SKIP LOCKED' if skip_locked else ''}"

    @property
    def join_in_order(self) -> str:
        """A join whose tables are scanned in the order written: SQLite's `CROSS JOIN`
        (its planner otherwise picks a slow order for the export); PostgreSQL plans it."""
        return "CROSS JOIN" if self.name == "sqlite" else "JOIN"

    def unindexed(self, column: str) -> str:
        """`column`, to compare in a WHERE clause that most rows of the table meet (a
        dialogue's participants): on SQLite `column || ''` keeps the planner off the
        column's index (reading the table in order is faster then, measured); PostgreSQL
        plans from its statistics, and with the bare column it estimates the rows right (a
        hash aggregate, not a sort on disk)."""
        return f"{column} || ''" if self.name == "sqlite" else column


SQLITE = Dialect("sqlite")
POSTGRESQL = Dialect("postgresql")


class PlanEachTime(str):
    """SQL that PostgreSQL plans at each run, with the tables as they are then: for a
    query on a queue whose length swings (the outbox's claim). psycopg prepares a
    statement it has run five times, and PostgreSQL may then keep one generic plan for
    it: made while a sender idled on an empty outbox, that plan read the whole queue once
    for each queued row when a broadcast filled it (16 s a claim at 10,000 rows, until
    autovacuum's next ANALYZE, bench 8). SQLite plans such a statement as any other."""

    __slots__ = ()


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchmany(self, size: int = ...) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...

    def close(self) -> None: ...


class Conn(Protocol):
    """One transaction's connection: SQLite's own (`SqliteConn`) or `postgres.PgConn`."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def grouped(self) -> Grouped | None:
        """Where a grouping turn's appended rows wait (`storage.grouped`), else None."""

    def execute(self, sql: str, parameters: Params = (), /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Params], /) -> Cursor: ...


class SqliteConn(sqlite3.Connection):
    """sqlite3's connection as a `Conn`: the same object, plus its dialect (no wrapper,
    so SQLite pays nothing for the second backend)."""

    dialect: ClassVar[Dialect] = SQLITE
    grouped: Grouped | None = None
    """Set by the writer while a turn that groups its rows runs."""
