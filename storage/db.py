"""The SQLite file: migrations, one writer thread with group commit, and a reader.

All writes go through `Database.write(fn)`, where `fn(conn)` is a plain function run in
the writer's own thread. The writer takes every job waiting in its queue, runs each in
its own SAVEPOINT of one shared transaction and commits once: under load many turns
share a commit and a single thread hop, yet a turn that fails rolls back alone. A job's
future resolves only after the commit, so a webhook is acknowledged only once its turn is
on disk. Long reads (dashboard, export) use an aiosqlite connection beside it (WAL lets
them run while the writer writes).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

log = logging.getLogger(__name__)
T = TypeVar("T")
Job = Callable[[sqlite3.Connection], Any]
MAX_BATCH = 512
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
)
WRITER_PRAGMAS = (
    "PRAGMA cache_size=-65536",
    "PRAGMA wal_autocheckpoint=10000",
)
"""WAL and NORMAL sync (durable at each commit but the last on power loss). The writer
keeps a 64 MB page cache, so 100,000 participants' rows stay in memory, and checkpoints
the WAL less often (measured: +20% turns/s at 100,000 participants)."""


def migrations() -> list[tuple[int, str]]:
    """(number, sql) of every `NNN_name.sql` shipped in storage/migrations, in order."""
    folder = resources.files("storage") / "migrations"
    found = []
    for item in folder.iterdir():
        name = item.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), item.read_text(encoding="utf-8")))
    return sorted(found)


def migrate(conn: sqlite3.Connection) -> None:
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for number, sql in migrations():
        if number <= current:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in sql.split(";\n"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version={number}")
            conn.execute("COMMIT")
        except Exception:
            if conn.in_transaction:  # else ROLLBACK itself fails and hides the cause
                conn.execute("ROLLBACK")
            raise
        log.info("database migrated to version %d", number)


class Unusable(Exception):
    """The database file cannot be opened or used: `reason` says why, `advice` what to do."""

    def __init__(self, path: Path, reason: str, advice: str) -> None:
        super().__init__(f"{path}: {reason}; {advice}")
        self.path = path
        self.reason = reason
        self.advice = advice


ELSEWHERE = "or use another file name"


def _probe_write(conn: sqlite3.Connection) -> None:
    """Fail now, not at the first turn, if the file can be read but not written."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE baraza_write_probe (x)")
    finally:
        conn.execute("ROLLBACK")


def _read_only_disk(path: Path) -> bool:
    folder = next((p for p in (path, *path.parents) if p.exists()), None)
    try:
        return folder is not None and bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _make_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((p for p in path.parents if p.exists()), None)
        if blocker is not None and not blocker.is_dir():
            reason = f"{blocker} is a file, not a folder"
        elif _read_only_disk(path):
            reason = f"the disk is read-only ({exc.strerror})"
        else:
            reason = f"cannot create the folder {exc.filename or path.parent} ({exc.strerror})"
        raise Unusable(path, reason, "choose a folder this user can write to") from exc


def unusable(path: Path, exc: sqlite3.Error) -> Unusable:
    """What SQLite's refusal to open `path` means, and what to do about it."""
    name = getattr(exc, "sqlite_errorname", "")
    if name == "SQLITE_NOTADB":
        return Unusable(path, f"not an SQLite database ({exc})", f"move it away {ELSEWHERE}")
    if name.startswith("SQLITE_CORRUPT"):
        return Unusable(
            path,
            f"the database is damaged ({exc})",
            f"restore it from a backup (or `sqlite3 {path} .recover`) {ELSEWHERE}",
        )
    if name.startswith("SQLITE_FULL"):
        return Unusable(path, f"the disk is full ({exc})", "free some space on it")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return Unusable(path, f"locked ({exc})", "stop the other program using it")
    if _read_only_disk(path):
        return Unusable(path, f"the disk is read-only ({exc})", "choose a place on a writable disk")
    if path.is_dir():
        return Unusable(
            path, "is a folder, not a file", f"name a file, e.g. {path / 'baraza.sqlite3'}"
        )
    writable = os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")) or not writable:
        where = "file and its folder" if path.exists() else "folder"
        return Unusable(
            path,
            f"cannot be written ({exc})",
            f"make the {where} writable by this user {ELSEWHERE}",
        )
    return Unusable(path, f"cannot be used ({exc})", f"check the file and the disk, {ELSEWHERE}")


@dataclass
class _Pending:
    fn: Job
    future: asyncio.Future[Any] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._queue: asyncio.Queue[_Pending | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.commits = 0

    async def open(self) -> Database:
        """Open (create, migrate) the file; `Unusable` says why it cannot be used."""
        _make_folder(self.path)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="baraza-writer")
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self._open_writer)
            self._reader = await aiosqlite.connect(self.path, isolation_level=None)
            self._reader.row_factory = aiosqlite.Row
            for pragma in PRAGMAS[1:]:
                await self._reader.execute(pragma)
        except sqlite3.Error as exc:
            await self.close()
            raise unusable(self.path, exc) from exc
        self._task = asyncio.create_task(self._write_loop(), name="baraza-db-writer")
        return self

    def _open_writer(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.row_factory = sqlite3.Row
            for pragma in PRAGMAS + WRITER_PRAGMAS:
                conn.execute(pragma)
            migrate(conn)
            _probe_write(conn)
            # Planner statistics where they are missing or stale (the dashboard needs them).
            conn.execute("PRAGMA analysis_limit=1000")
            conn.execute("PRAGMA optimize=0x10002")
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    async def close(self) -> None:
        """Finish the batch in hand, refuse what is still queued, close both connections."""
        if self._task is not None:
            self._queue.put_nowait(None)
            await self._task
            self._task = None
        while not self._queue.empty():
            job = self._queue.get_nowait()
            if job is not None and not job.future.done():
                job.future.set_exception(RuntimeError("database closed"))
        if self._executor is not None:
            conn, self._conn = self._conn, None
            if conn is not None:
                await asyncio.get_running_loop().run_in_executor(self._executor, conn.close)
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._reader is not None:
            await self._reader.close()
            self._reader = None

    async def __aenter__(self) -> Database:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn(conn)` in the writer's transaction: all of it is committed, or none."""
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
        async with self.reader.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def _write_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            first = await self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH and not self._queue.empty():
                job = self._queue.get_nowait()
                if job is None:
                    stop = True
                    break
                batch.append(job)
            fns = [job.fn for job in batch]
            outcomes = await loop.run_in_executor(self._executor, self._run_batch, fns)
            for job, (ok, value) in zip(batch, outcomes, strict=True):
                if job.future.done():
                    continue
                if ok:
                    job.future.set_result(value)
                else:
                    job.future.set_exception(value)
            if stop:
                return

    def _run_batch(self, fns: list[Job]) -> list[tuple[bool, Any]]:
        """In the writer thread: one transaction, one savepoint per job, one commit."""
        conn = self._conn
        assert conn is not None
        outcomes: list[tuple[bool, Any]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for fn in fns:
                conn.execute("SAVEPOINT job")
                try:
                    value = fn(conn)
                except Exception as exc:
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    outcomes.append((False, exc))
                else:
                    conn.execute("RELEASE job")
                    outcomes.append((True, value))
            conn.execute("COMMIT")
            self.commits += 1
        except Exception as exc:  # the commit itself failed: nothing of the batch is stored
            log.exception("commit failed")
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            return [(False, exc)] * len(fns)
        return outcomes
