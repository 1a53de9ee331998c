"""The database behind `DATABASE_URL`: SQLite (`storage.sqlite`, the default) or
PostgreSQL (`storage.postgres`), one interface for the rest of Baraza.

* `await db.write(fn)` runs `fn(conn)` (a plain function taking a `storage.conn.Conn`)
  in a transaction on the writer: all of it is committed, or none, and the result comes
  back only after the commit. Jobs waiting together share one commit (group commit).
  `fn` may run more than once (PostgreSQL: after a deadlock, a lost connection or a
  failed neighbour in its batch), so it must only read and write through `conn`.
* `await db.read(fn)` runs `fn(conn)` in a read-only transaction on a reader
  connection: it never waits behind the writer. `await db.read(sql, params)` returns
  the rows of one query.
* `db.reader.execute(sql, params)` is the streaming form (`async with ... as cur`, then
  `await cur.fetchall()` or `async for row in cur`), for reports and exports.
* `await db.elect(name)` makes this process the holder of a role (the Telegram poller,
  a channel's sender, the scheduler) if no other process holds it: see `bot.roles`.

`database(target)` picks the backend from a URL (`sqlite:///path`, `postgresql://...`)
or a plain file path.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Protocol, Self, TypeVar, overload, runtime_checkable
from urllib.parse import unquote, urlsplit, urlunsplit

from storage.conn import Conn, Cursor, Dialect

log = logging.getLogger(__name__)
T = TypeVar("T")
Job = Callable[[Conn], Any]


@runtime_checkable
class Prefetching(Protocol):
    """A job that can send its first reads ahead (`start`), so that a PostgreSQL batch
    sends the reads of all its jobs together: one round trip for the batch, not one per
    job. `key`: jobs with the same key read what an earlier one may change, so only the
    first of them starts ahead. The job reads what it started only on the `Conn` it
    started on (a batch tried again starts over)."""

    key: object

    def start(self, conn: Conn) -> None: ...

    def __call__(self, conn: Conn) -> Any: ...


def ahead(fns: Sequence[Job], which: Sequence[int]) -> list[Prefetching]:
    """The jobs of a batch that may start ahead: the leading run of `Prefetching` jobs
    with distinct keys (a job of another kind may change what later ones read)."""
    keys: set[object] = set()
    started: list[Prefetching] = []
    for i in which:
        fn = fns[i]
        if not isinstance(fn, Prefetching) or fn.key in keys:
            break
        keys.add(fn.key)
        started.append(fn)
    return started


STREAM_CHUNK = 1000
"""Rows fetched per thread hop when a read is streamed (an export)."""


class Unusable(Exception):
    """The database cannot be opened or used: `reason` says why, `advice` what to do.
    `path` is the file, or the URL with any password masked."""

    def __init__(self, path: Path | str, reason: str, advice: str) -> None:
        super().__init__(f"{path}: {reason}; {advice}")
        self.path = path
        self.reason = reason
        self.advice = advice


# --------------------------------------------------------------------------- URLs


def is_postgres(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def sqlite_path(target: str | Path) -> Path:
    """The file of `sqlite:///relative.db`, `sqlite:////absolute.db` or a plain path."""
    if isinstance(target, Path):
        return target
    if target.startswith("sqlite://"):
        rest = target.removeprefix("sqlite://")
        if not rest.startswith("/"):
            raise Unusable(
                target, "not an SQLite URL", "write sqlite:///file.sqlite3 (three slashes)"
            )
        return Path(unquote(rest[1:]))
    if "://" in target:
        raise Unusable(
            shown(target),
            "not a database URL Baraza knows",
            "write sqlite:///file.sqlite3 or postgresql://user@host/name",
        )
    return Path(target)


def shown(url: str | Path) -> str:
    """A database URL as it may be shown: any password masked."""
    if not isinstance(url, str) or "://" not in url:
        return str(url)
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":…@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def password(url: str | Path) -> str | None:
    """The password in a database URL, if any (to keep it out of every output)."""
    if not isinstance(url, str) or "://" not in url:
        return None
    return urlsplit(url).password


def database(target: str | Path, **options: Any) -> Database:
    """The database at `target` (not opened yet): a URL or an SQLite file path."""
    if is_postgres(target):
        from storage.postgres import PostgresDatabase

        options.pop("cache_mb", None)  # the server's shared_buffers are its own setting
        return PostgresDatabase(str(target), **options)
    from storage.sqlite import SqliteDatabase

    options.pop("send_lease", None)  # one process: nothing is ever half-sent by another
    return SqliteDatabase(sqlite_path(target), **options)


async def exists(target: str | Path) -> bool:
    """Whether a database is there already (a file; a PostgreSQL database Baraza has
    set up), so commands that only read never create an empty one. A server that does
    not answer raises `Unusable`."""
    if is_postgres(target):
        from storage.postgres import initialised

        return await asyncio.to_thread(initialised, str(target))
    return sqlite_path(target).exists()


# --------------------------------------------------------------------------- elections


class Lease(Protocol):
    """A role this process holds until `release()`, or until it is lost."""

    name: str

    async def alive(self) -> bool:
        """Still held (False once the connection that holds it is gone)."""
        ...

    async def release(self) -> None: ...


@dataclass
class SoleLease:
    """The lease of a database only one process uses: always held."""

    name: str

    async def alive(self) -> bool:
        return True

    async def release(self) -> None:
        return None


# --------------------------------------------------------------------------- the interface


@dataclass
class _Pending:
    fn: Job
    future: asyncio.Future[Any] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class Database(ABC):
    """See the module docstring. Backends implement the writer's batch, the reader
    connections and elections; the queue, the read path and streaming are shared."""

    shared: ClassVar[bool] = False
    """Several processes may use this database at once (PostgreSQL)."""
    claim_lease: float = 0.0
    """Seconds after which an outbox row still marked 'sending' counts as abandoned by
    a sender that died (0: only one process, so at start every such row is)."""
    max_batch: ClassVar[int] = 512
    writers: int = 1
    """Batches committed at once (each on its own connection and thread)."""
    turns_on_loop: ClassVar[bool] = False
    """Run a batch of turns only (jobs whose `groups_rows` is true: each bounded by one
    person's rows) in the event loop's own thread instead of the writer's (SQLite)."""
    gather_passes: ClassVar[int] = 0
    """Times the writer lets the event loop run before it takes a batch, so that the
    requests already read reach the queue first (SQLite: see there)."""
    readers: int = 2
    unavailable: ClassVar[tuple[type[Exception], ...]] = ()
    """What the backend raises when the database cannot be used right now (a full disk,
    a lock held too long, a lost connection): worth trying again, unlike a bug's error."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Database:
        """`Database(target)` is `database(target)`: the backend the URL or path names."""
        if cls is Database:
            from storage.postgres import PostgresDatabase
            from storage.sqlite import SqliteDatabase

            target = args[0] if args else kwargs.get("target", "")
            chosen: type[Database] = PostgresDatabase if is_postgres(target) else SqliteDatabase
            return super().__new__(chosen)
        return super().__new__(cls)

    def __init__(self) -> None:
        self.commits = 0
        self._queue: asyncio.Queue[_Pending | None] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._idle_writers = 0
        self._executor: ThreadPoolExecutor | None = None
        self._read_executor: ThreadPoolExecutor | None = None
        self._read_slots: asyncio.Semaphore | None = None

    @property
    @abstractmethod
    def url(self) -> str:
        """Where it is, as it may be shown (no password)."""

    @property
    @abstractmethod
    def dialect(self) -> Dialect: ...

    @property
    @abstractmethod
    def target(self) -> str | Path:
        """Where it is, to connect to again (the file, or the URL with its password)."""

    # --- lifecycle ---------------------------------------------------------------------

    async def open(self) -> Self:
        """Open (create, migrate); `Unusable` says why it cannot be used."""
        self._executor = ThreadPoolExecutor(self.writers, thread_name_prefix="baraza-writer")
        self._read_executor = ThreadPoolExecutor(
            self.readers + 1, thread_name_prefix="baraza-reader"
        )
        self._read_slots = asyncio.Semaphore(self.readers)
        try:
            await self._open()
        except BaseException:
            await self.close()
            raise
        self._tasks = [
            asyncio.create_task(self._write_loop(), name=f"baraza-db-writer-{n}")
            for n in range(self.writers)
        ]
        return self

    async def close(self) -> None:
        """Finish the batch in hand, refuse what is still queued, close the connections."""
        if self._tasks:
            for _ in self._tasks:
                self._queue.put_nowait(None)
            await asyncio.gather(*self._tasks)
            self._tasks = []
        while not self._queue.empty():
            job = self._queue.get_nowait()
            if job is not None and not job.future.done():
                job.future.set_exception(RuntimeError("database closed"))
        await self._close()
        for name in ("_executor", "_read_executor"):
            executor = getattr(self, name)
            if executor is not None:
                executor.shutdown(wait=True)
                setattr(self, name, None)

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @abstractmethod
    async def _open(self) -> None: ...

    @abstractmethod
    async def _close(self) -> None: ...

    # --- writes ------------------------------------------------------------------------

    def erased(self) -> None:
        """Someone was erased (committed): what the files may still hold of them as they
        were goes too, as soon as that costs the writes nothing (SQLite's WAL). PostgreSQL
        has nothing to do here: its deleted rows wait for VACUUM (README)."""
        return None

    async def write(self, fn: Callable[[Conn], T]) -> T:
        """Run `fn(conn)` in the writer's transaction: all of it is committed, or none."""
        if not self._tasks:
            raise RuntimeError("database is not open")
        job = _Pending(fn)
        self._queue.put_nowait(job)
        result: T = await job.future
        return result

    async def _write_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._idle_writers += 1
            try:
                first = await self._queue.get()
            finally:
                self._idle_writers -= 1
            if first is None:
                return
            for _ in range(self.gather_passes):
                await asyncio.sleep(0)
            # the jobs waiting are shared with the writers that are idle now
            share = -(-(1 + self._queue.qsize()) // (1 + self._idle_writers))
            limit = min(self.max_batch, share)
            batch = [first]
            stop = False
            while len(batch) < limit and not self._queue.empty():
                job = self._queue.get_nowait()
                if job is None:
                    stop = True
                    break
                batch.append(job)
            fns = [job.fn for job in batch]
            if self.turns_on_loop and all(getattr(fn, "groups_rows", False) for fn in fns):
                outcomes = self._run_batch(fns)
            else:
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

    @abstractmethod
    def _run_batch(self, fns: list[Job]) -> list[tuple[bool, Any]]:
        """In the writer (its thread, or the loop's: `turns_on_loop`): run every job,
        commit; (ok, value or exception) each."""

    # --- reads -------------------------------------------------------------------------

    @overload
    async def read(self, query: str, params: Sequence[Any] = ()) -> list[Any]: ...

    @overload
    async def read(self, query: Callable[[Conn], T]) -> T: ...

    async def read(self, query: str | Callable[[Conn], Any], params: Sequence[Any] = ()) -> Any:
        """`fn(conn)` in a read-only transaction beside the writer (never behind it), or
        the rows of one query."""
        if isinstance(query, str):
            sql = query

            def rows(conn: Conn) -> list[Any]:
                return list(conn.execute(sql, tuple(params)).fetchall())

            fn: Callable[[Conn], Any] = rows
        else:
            fn = query
        async with self._reading() as raw:
            return await self._in_reader(self._read_job, raw, fn)

    @property
    def reader(self) -> Reader:
        """Queries streamed from a reader connection (reports, exports)."""
        return Reader(self)

    def _read_job(self, raw: Any, fn: Callable[[Conn], T]) -> T:
        self._begin_read(raw)
        try:
            return fn(self._conn_of(raw))
        finally:
            self._end_read(raw)

    async def _in_reader(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in a reader thread, waited for to its end even when the caller is
        cancelled meanwhile (then cancelled after): what the caller's cleanup gives back
        (a connection, its transaction) is then no longer in a thread's hands."""
        return await _to_the_end(self._in_reader_future(fn, *args))

    def _in_reader_future(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        if self._read_executor is None:
            raise RuntimeError("database is not open")
        return asyncio.get_running_loop().run_in_executor(self._read_executor, fn, *args)

    def _reading(self) -> _Reading:
        if self._read_slots is None:
            raise RuntimeError("database is not open")
        return _Reading(self)

    @abstractmethod
    def _take_reader(self) -> Any:
        """In a reader thread: a reader connection (one of `readers`, so never waits long)."""

    @abstractmethod
    def _give_reader(self, raw: Any) -> None: ...

    @abstractmethod
    def _conn_of(self, raw: Any) -> Conn: ...

    @abstractmethod
    def _begin_read(self, raw: Any) -> None: ...

    @abstractmethod
    def _end_read(self, raw: Any) -> None: ...

    @abstractmethod
    def _stream(self, raw: Any, sql: str, params: Sequence[Any]) -> Cursor:
        """In a reader thread (inside `_begin_read`): a cursor that fetches as it goes."""

    # --- roles -------------------------------------------------------------------------

    async def elect(self, name: str) -> Lease | None:
        """Hold the role `name` if no other process does (None: another one holds it)."""
        return SoleLease(name)


async def _to_the_end(future: asyncio.Future[T]) -> T:
    """Await `future`; if cancelled meanwhile, wait until it is done all the same, then
    raise the cancellation (a reader thread's work is never abandoned halfway)."""
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await asyncio.wait([future])
        raise


def _succeeded(future: asyncio.Future[Any]) -> bool:
    """Done with a result: what it took or began must be given back or ended."""
    return future.done() and not future.cancelled() and future.exception() is None


class _Reading:
    """A reader connection for the time of one read or one stream."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.raw: Any = None

    async def __aenter__(self) -> Any:
        slots = self.db._read_slots
        assert slots is not None
        await slots.acquire()
        taking = None
        try:
            taking = self.db._in_reader_future(self.db._take_reader)
            self.raw = await _to_the_end(taking)
        except BaseException:
            # cancelled while the thread took a connection: it goes back, or it is lost
            if taking is not None and _succeeded(taking):
                await self.db._in_reader(self.db._give_reader, taking.result())
            slots.release()
            raise
        return self.raw

    async def __aexit__(self, *exc: object) -> None:
        slots = self.db._read_slots
        try:
            if self.raw is not None and self.db._read_executor is not None:
                await self.db._in_reader(self.db._give_reader, self.raw)
        finally:
            if slots is not None:
                slots.release()


class Reader:
    """aiosqlite's shape on both backends: `async with reader.execute(sql, params) as
    cur:` then `await cur.fetchall()`, `await cur.fetchone()` or `async for row in cur`
    (streamed: a million rows never sit in memory)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def dialect(self) -> Dialect:
        return self.db.dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> ReadCursor:
        return ReadCursor(self.db, sql, tuple(params))


class ReadCursor:
    def __init__(self, db: Database, sql: str, params: tuple[Any, ...]) -> None:
        self.db = db
        self.sql = sql
        self.params = params
        self._reading = db._reading()
        self._raw: Any = None

    async def __aenter__(self) -> Self:
        self._raw = await self._reading.__aenter__()
        beginning = None
        try:
            beginning = self.db._in_reader_future(self.db._begin_read, self._raw)
            await _to_the_end(beginning)
        except BaseException:
            try:  # cancelled once the read began: it ends before the connection goes back
                if beginning is not None and _succeeded(beginning):
                    await self.db._in_reader(self.db._end_read, self._raw)
            finally:
                await self._reading.__aexit__()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            await self.db._in_reader(self.db._end_read, self._raw)
        finally:
            await self._reading.__aexit__()

    def _query(self) -> Cursor:
        return self.db._conn_of(self._raw).execute(self.sql, self.params)

    async def fetchall(self) -> list[Any]:
        return await self.db._in_reader(lambda: list(self._query().fetchall()))

    async def fetchone(self) -> Any:
        return await self.db._in_reader(lambda: self._query().fetchone())

    async def __aiter__(self) -> AsyncIterator[Any]:
        opening = self.db._in_reader_future(self.db._stream, self._raw, self.sql, self.params)
        try:
            cursor = await _to_the_end(opening)
        except asyncio.CancelledError:  # cancelled once the cursor was open: it closes
            if _succeeded(opening):
                await self.db._in_reader(opening.result().close)
            raise
        try:
            while True:
                chunk = await self.db._in_reader(cursor.fetchmany, STREAM_CHUNK)
                for row in chunk:
                    yield row
                if len(chunk) < STREAM_CHUNK:
                    return
        finally:
            await self.db._in_reader(cursor.close)
