"""The SQLite file: migrations, one writer with group commit, and a reader.

All writes go through `Database.write(fn)`. A single writer task takes every job waiting
in its queue, runs each inside its own SAVEPOINT of one shared transaction and commits
once: under load many turns share a commit, yet a turn that fails rolls back alone. A
job's future resolves only after the commit, so a webhook is acknowledged only once its
turn is on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

log = logging.getLogger(__name__)
T = TypeVar("T")
Job = Callable[[aiosqlite.Connection], Awaitable[Any]]
MAX_BATCH = 256


def migrations() -> list[tuple[int, str]]:
    """(number, sql) of every `NNN_name.sql` shipped in storage/migrations, in order."""
    folder = resources.files("storage") / "migrations"
    found = []
    for item in folder.iterdir():
        name = item.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), item.read_text(encoding="utf-8")))
    return sorted(found)


async def _configure(conn: aiosqlite.Connection) -> None:
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA synchronous=NORMAL")
    await conn.execute("PRAGMA busy_timeout=5000")
    await conn.execute("PRAGMA foreign_keys=ON")


@dataclass
class _Pending:
    fn: Job
    future: asyncio.Future[Any] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.commits = 0

    async def open(self) -> Database:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await aiosqlite.connect(self.path, isolation_level=None)
        self._writer.row_factory = aiosqlite.Row
        await _configure(self._writer)
        await self._migrate(self._writer)
        self._reader = await aiosqlite.connect(self.path, isolation_level=None)
        self._reader.row_factory = aiosqlite.Row
        await _configure(self._reader)
        self._task = asyncio.create_task(self._write_loop(), name="baraza-db-writer")
        return self

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        while not self._queue.empty():
            self._queue.get_nowait().future.set_exception(RuntimeError("database closed"))
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    async def __aenter__(self) -> Database:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @staticmethod
    async def _migrate(conn: aiosqlite.Connection) -> None:
        async with conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        current = int(row[0]) if row else 0
        for number, sql in migrations():
            if number <= current:
                continue
            await conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in sql.split(";\n"):
                    if statement.strip():
                        await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version={number}")
                await conn.execute("COMMIT")
            except Exception:
                await conn.execute("ROLLBACK")
                raise
            log.info("database migrated to version %d", number)

    async def write(self, fn: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """Run `fn` in the writer's transaction; all of it is committed, or none of it."""
        if self._task is None:
            raise RuntimeError("database is not open")
        job = _Pending(fn)
        self._queue.put_nowait(job)
        result: T = await job.future
        return result

    @property
    def reader(self) -> aiosqlite.Connection:
        """The read-only connection, for long reads (dashboard, export) beside the writer."""
        assert self._reader is not None, "database is not open"
        return self._reader

    async def read(
        self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()
    ) -> list[aiosqlite.Row]:
        """A read-only query on the reader connection (it never blocks the writer)."""
        assert self._reader is not None
        async with self._reader.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def _write_loop(self) -> None:
        conn = self._writer
        assert conn is not None
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._run_batch(conn, batch)

    async def _run_batch(self, conn: aiosqlite.Connection, batch: list[_Pending]) -> None:
        outcomes: list[tuple[_Pending, Any, BaseException | None]] = []
        try:
            await conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                await conn.execute("SAVEPOINT turn")
                try:
                    result = await job.fn(conn)
                except Exception as exc:
                    await conn.execute("ROLLBACK TO turn")
                    await conn.execute("RELEASE turn")
                    outcomes.append((job, None, exc))
                else:
                    await conn.execute("RELEASE turn")
                    outcomes.append((job, result, None))
            await conn.execute("COMMIT")
            self.commits += 1
        except asyncio.CancelledError:
            await self._abort(conn, batch, RuntimeError("database closed"))
            raise
        except Exception as exc:  # the commit itself failed: nothing of the batch is stored
            log.exception("commit failed")
            await self._abort(conn, batch, exc)
            return
        for job, result, error in outcomes:
            if job.future.done():
                continue
            if error is not None:
                job.future.set_exception(error)
            else:
                job.future.set_result(result)

    @staticmethod
    async def _abort(conn: aiosqlite.Connection, batch: list[_Pending], exc: BaseException) -> None:
        try:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
        except Exception:
            log.warning("rollback failed", exc_info=True)
        for job in batch:
            if not job.future.done():
                job.future.set_exception(exc)
