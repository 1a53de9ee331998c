"""Rows that a writer batch's turns append, written together per table.

A turn appends rows nobody else's turn reads: its answers, its run's step, the messages
queued for it. Written as each turn goes, every INSERT walks its table's indexes among
pages another table's statements pushed out of the CPU's caches (an outbox row cost 32 us
in a batch, 6 us in a loop of its own); written per table once the batch's turns have
run, bench 1 went 1.14x faster. Nothing reads them before they are written:

* the rows of a participant are written before a later turn of theirs reads anything
  (`Grouped.touch` raises `Regroup`: the writer writes the group and runs that turn
  again), and before any job that is not a turn (it may read anything);
* a turn that fails leaves none of its rows in the group (its savepoint is rolled back
  and its rows dropped); a group whose writing fails is rolled back whole and its turns
  run again one by one, each writing its own rows, so one bad row costs only its turn.

Only SQLite's writer groups (`SqliteDatabase`): on PostgreSQL `Conn.grouped` is None and
every row is written at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.conn import Conn, Params


class Regroup(Exception):
    """The participant has rows waiting in the group: write them, then run the turn again."""


class Grouped:
    """The rows of the turns run since the group was last written, in order per table."""

    __slots__ = ("_job", "_tables", "pids")

    def __init__(self) -> None:
        self._tables: dict[str, list[tuple[str, list[Params]]]] = {}
        self._job: list[tuple[str, str, Sequence[Params], str | None]] = []
        self.pids: set[str] = set()
        """Participants whose rows are in the group (kept turns only)."""

    def touch(self, pid: str) -> None:
        """A turn of `pid` is about to read: their earlier rows must be written first."""
        if pid in self.pids:
            raise Regroup(pid)

    def add(self, table: str, sql: str, rows: Sequence[Params], pid: str | None) -> None:
        """Rows of the running turn, about participant `pid` (kept if the turn succeeds)."""
        self._job.append((table, sql, rows, pid))

    def keep(self) -> None:
        """The running turn succeeded: its rows join the group, after those before them."""
        for table, sql, rows, pid in self._job:
            entries = self._tables.setdefault(table, [])
            if entries and entries[-1][0] == sql:
                entries[-1][1].extend(rows)
            else:
                entries.append((sql, list(rows)))
            if pid is not None:
                self.pids.add(pid)
        self._job.clear()

    def drop(self) -> None:
        """The running turn failed: its rows go."""
        self._job.clear()

    def write(self, conn: Conn) -> None:
        """Write the group (one statement per table and kind of row) and empty it."""
        try:
            for entries in self._tables.values():
                for sql, rows in entries:
                    conn.executemany(sql, rows)
        finally:
            self.clear()

    def clear(self) -> None:
        self._tables.clear()
        self._job.clear()
        self.pids.clear()


def insert(conn: Conn, table: str, sql: str, rows: Sequence[Params], pid: str | None) -> None:
    """Write `rows` with `sql` (one statement per row) about participant `pid`: into the
    writer's group while a grouping turn runs, else now."""
    grouped = conn.grouped
    if grouped is None:
        conn.executemany(sql, rows)
    else:
        grouped.add(table, sql, rows, pid)
