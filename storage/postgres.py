"""PostgreSQL: several `baraza run` processes, on one machine or several, share one database.

Writes: two writer connections per process, each in its own thread, share the jobs
waiting (up to `max_batch` each) and run a batch in one transaction in pipeline mode:
statements whose results nobody reads travel together, so a turn's reads cost one round
trip, its writes ride along, and the batch pays one commit. If anything in a batch fails
(a deadlock between two processes' batches, a unique key two processes raced for, a bug
in one job), the batch is rolled back and run again with a savepoint per job, so only the
failing job fails; a job that met a deadlock or a race runs again alone. If the
connection is lost (PostgreSQL restarted), the writer reconnects for up to
`RECONNECT_FOR` seconds and runs again what was not committed; a batch whose COMMIT was
in flight is looked up by its transaction id (`pg_xact_status`), never applied twice.

One person's turns are applied one at a time, in commit order, whichever process takes
them: the turn locks the participant's row (`Dialect.for_update`) before reading it.

Reads: a pool of read-only connections (psycopg_pool) beside the writer; long results
are streamed through a server-side cursor.

Elections: `elect(name)` takes a session advisory lock (`pg_try_advisory_lock`) on one
connection per process. The lock lives as long as that connection: if the process dies,
PostgreSQL drops it at once (TCP keepalives bound how long a vanished machine holds it),
and another process takes the role at its next try.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, ClassVar

import psycopg
from psycopg import errors
from psycopg.rows import RowMaker
from psycopg_pool import ConnectionPool

from storage import schema
from storage.conn import POSTGRESQL, Conn, Cursor, Dialect, Params, PlanEachTime
from storage.db import Database, Job, Lease, Unusable, ahead, shown
from storage.dialect import migration_to_postgres, statements, to_postgres

log = logging.getLogger(__name__)

RECONNECT_FOR = 30.0
"""How long the writer keeps reconnecting before the jobs in hand fail."""
RETRIES = 5
"""Attempts of one job that meets a deadlock or a unique key another process just took."""
RETRYABLE = (errors.DeadlockDetected, errors.SerializationFailure, errors.UniqueViolation)
MIGRATION_LOCK = 0x4241_5241_5A41_4D31
"""Advisory lock key held while migrating, so two processes starting together take turns."""
KEEPALIVES: dict[str, Any] = {
    "application_name": f"baraza-{os.getpid()}",
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "connect_timeout": 5,
}
"""libpq settings: a dead server or network is noticed in seconds, not hours."""
SERVER_KEEPALIVES = (
    "-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3"
)
"""And the server's side: a vanished client's session, and the roles it held, end within
about 11 seconds (on a Unix socket a dead process is noticed at once)."""


# --------------------------------------------------------------------------- rows


class Row(tuple[Any, ...]):
    """A result row read by position or by column name, like sqlite3.Row."""

    __slots__ = ()
    _index: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


@lru_cache(maxsize=1024)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"__slots__": (), "_index": {n: i for i, n in enumerate(names)}})


def row_factory(cursor: Any) -> RowMaker[Any]:
    """Rows named by the result's field names (read from the result itself: building
    `cursor.description` for every statement costs more than the statement)."""
    result = cursor.pgresult
    if result is None or not result.nfields:
        return tuple
    names = (result.fname(i) for i in range(result.nfields))
    return _row_class(tuple(n.decode() if n is not None else "?column?" for n in names))


# --------------------------------------------------------------------------- connections


class _Fetching:
    """What both cursor wrappers pass straight to the psycopg cursor they hold."""

    __slots__ = ("_cur",)
    _cur: Any

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cur.fetchall())

    def fetchmany(self, size: int = 0) -> list[Any]:
        return list(self._cur.fetchmany(size))

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cur)


class PgCursor(_Fetching):
    """A psycopg cursor as a `storage.conn.Cursor`. In pipeline mode results arrive at
    the next sync; `rowcount` asks for one when it is read first."""

    __slots__ = ("__weakref__", "_conn")

    def __init__(self, cur: psycopg.Cursor[Any], conn: psycopg.Connection[Any]) -> None:
        self._cur = cur
        self._conn = conn

    @property
    def rowcount(self) -> int:
        if self._cur.rowcount < 0 and self._conn._pipeline is not None:
            self._conn._pipeline.sync()
        return int(self._cur.rowcount)

    def close(self) -> None:
        """Nothing to free: the cursor may serve the connection's next statement."""


class PgConn:
    """A psycopg connection as a `storage.conn.Conn`: SQLite's spelling translated.

    A statement reuses the previous statement's cursor when nobody holds that one any
    more (most writes: their cursor is dropped at once): making a psycopg cursor costs
    more than sending a small INSERT. In pipeline mode the results of the statements a
    cursor ran arrive in order, so the last one's are the ones it keeps."""

    __slots__ = ("_owner", "_spare", "raw")
    dialect: ClassVar[Dialect] = POSTGRESQL
    grouped: ClassVar[None] = None
    """Every row is written at once (`storage.grouped`: only SQLite's writer groups)."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw
        self._spare: psycopg.Cursor[Any] | None = None
        self._owner: weakref.ref[PgCursor] | None = None

    def _cursor(self) -> psycopg.Cursor[Any]:
        if self._spare is None or (self._owner is not None and self._owner() is not None):
            self._spare = self.raw.cursor()
        return self._spare

    def _held(self, cur: psycopg.Cursor[Any]) -> PgCursor:
        wrapper = PgCursor(cur, self.raw)
        self._owner = weakref.ref(wrapper)
        return wrapper

    def execute(self, sql: str, parameters: Params = (), /) -> Cursor:
        cur = self._cursor()
        # prepare=None: psycopg's own choice (prepared after 5 runs); False: never
        cur.execute(_query(sql), parameters, prepare=False if type(sql) is PlanEachTime else None)
        return self._held(cur)

    def executemany(self, sql: str, parameters: Iterable[Params], /) -> Cursor:
        rows = list(parameters)
        cur = self._cursor()
        if len(rows) == 1:  # most turns store one answer, queue one message: cheaper so
            cur.execute(_query(sql), rows[0])
        else:
            cur.executemany(_query(sql), rows)
        return self._held(cur)


@lru_cache(maxsize=2048)
def _query(sql: str) -> bytes:
    """The translated query, as the bytes psycopg sends (encoded once, not per call)."""
    return to_postgres(sql).encode()


def connect(url: str, **options: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(
        url, row_factory=row_factory, options=SERVER_KEEPALIVES, **KEEPALIVES, **options
    )


def role_key(name: str) -> int:
    """The advisory lock key of a role: the same in every process (a signed 64-bit int)."""
    digest = hashlib.sha256(f"baraza:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def migrate(conn: psycopg.Connection[Any]) -> None:
    """Apply the migrations the database has not had (see `storage.schema`), one
    transaction per migration, under an advisory lock so that processes starting together
    take turns. A migration with a file of its own in `migrations/postgresql/` (the same
    name) runs that instead of the translated SQLite one."""
    from importlib import resources

    own = {
        m.name: m.sql
        for m in schema.files(resources.files("storage") / "migrations" / "postgresql")
    }
    pg = PgConn(conn)
    while True:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            _schema_table(pg)
            applied = schema.recorded(pg)
            todo = schema.pending(applied)
            if not todo:
                return
            migration = todo[0]
            try:
                with conn.transaction():  # a savepoint: a late migration may be there already
                    for statement in (
                        statements(own[migration.name])
                        if migration.name in own
                        else migration_to_postgres(migration.sql)
                    ):
                        conn.execute(statement)
            except psycopg.Error as exc:
                if not (schema.is_late(migration, applied) and schema.already_there(exc)):
                    raise
                log.warning("migration %s was already there: %s", migration.name, exc)
            schema.record(pg, [migration.name], _now())
        log.info("database migrated: %s", migration.name)


def _schema_table(pg: PgConn) -> None:
    """The table of applied migrations; on a database that kept one number
    (`baraza_schema`), the migrations that number stands for, and that table goes."""
    found = pg.execute(
        "SELECT to_regclass(?) IS NOT NULL, to_regclass('baraza_schema') IS NOT NULL",
        (schema.TABLE,),
    ).fetchone()
    if found[0]:
        return
    pg.execute(schema.CREATE)
    if found[1]:
        row = pg.execute("SELECT max(version) FROM baraza_schema").fetchone()
        schema.record(pg, schema.from_number(int(row[0] or 0)), _now())
        pg.execute("DROP TABLE baraza_schema")


def _now() -> str:
    return datetime.now(UTC).isoformat()


def initialised(url: str) -> bool:
    """Whether the database at `url` holds Baraza's tables (`Unusable` if unreachable)."""
    try:
        with connect(url) as conn:
            row = conn.execute(
                "SELECT to_regclass(%s) IS NOT NULL OR to_regclass('baraza_schema') IS NOT NULL",
                (schema.TABLE,),
            ).fetchone()
    except psycopg.Error as exc:
        raise unusable(url, exc) from exc
    return bool(row and row[0])


def unusable(url: str, exc: psycopg.Error) -> Unusable:
    """What PostgreSQL's refusal means, and what to do about it."""
    text = " ".join(str(exc).split())
    where = shown(url)
    if "does not exist" in text and "database" in text:
        return Unusable(
            where, f"no such database ({text})", "create it (createdb NAME) or fix the URL"
        )
    if "password" in text or "authentication" in text:
        return Unusable(
            where, f"the login was refused ({text})", "check the user and password in the URL"
        )
    if "permission denied" in text:
        return Unusable(
            where,
            f"permission denied ({text})",
            "grant this user CREATE on the database, or use its owner",
        )
    if isinstance(exc, psycopg.OperationalError):
        return Unusable(
            where,
            f"no PostgreSQL server answers ({text})",
            "start it, or fix the host and port in DATABASE_URL",
        )
    return Unusable(where, f"cannot be used ({text})", "check the server's log")


# --------------------------------------------------------------------------- the database


class _InDoubt(Exception):
    """The connection was lost while COMMIT was in flight: `xid` tells what happened to
    the jobs `jobs` (their results: `values`)."""

    def __init__(self, xid: str, jobs: list[int], values: list[Any]) -> None:
        super().__init__(f"commit of transaction {xid} in doubt")
        self.xid = xid
        self.jobs = jobs
        self.values = values


class PostgresDatabase(Database):
    shared: ClassVar[bool] = True
    max_batch: ClassVar[int] = 64
    """A batch holds its participants' row locks until it commits: kept short."""
    writers = 2
    """Two batches in flight per process: one's round trips overlap the other's work."""
    unavailable = (psycopg.OperationalError, _InDoubt)

    def __init__(self, url: str, *, readers: int = 4, send_lease: float = 60.0) -> None:
        super().__init__()
        self.dsn = url
        self.readers = readers
        self.claim_lease = send_lease
        self._local = threading.local()
        self._writer_conns: set[psycopg.Connection[Any]] = set()
        self._pool: ConnectionPool | None = None
        self._elections: _Elections | None = None

    @property
    def _conn(self) -> psycopg.Connection[Any] | None:
        """This writer thread's connection."""
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        return conn

    @_conn.setter
    def _conn(self, conn: psycopg.Connection[Any] | None) -> None:
        old = getattr(self._local, "conn", None)
        if old is not None:
            self._writer_conns.discard(old)
        self._local.conn = conn
        if conn is not None:
            self._writer_conns.add(conn)

    @property
    def url(self) -> str:
        return shown(self.dsn)

    @property
    def dialect(self) -> Dialect:
        return POSTGRESQL

    @property
    def target(self) -> str:
        return self.dsn

    async def _open(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self._open_writer)
            pool = ConnectionPool(
                self.dsn,
                kwargs={"row_factory": row_factory, "options": SERVER_KEEPALIVES, **KEEPALIVES},
                min_size=1,
                max_size=self.readers,
                open=False,
                configure=_read_only,
                check=ConnectionPool.check_connection,
                name="baraza-readers",
            )
            self._pool = pool
            await loop.run_in_executor(
                self._read_executor, lambda: pool.open(wait=True, timeout=30)
            )
        except psycopg.Error as exc:
            raise unusable(self.dsn, exc) from exc

    def _open_writer(self) -> None:
        conn = connect(self.dsn)
        try:
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    async def _close(self) -> None:
        loop = asyncio.get_running_loop()
        if self._elections is not None:
            await self._elections.close()
            self._elections = None
        conns, self._writer_conns = list(self._writer_conns), set()
        for conn in conns:
            conn.close()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await loop.run_in_executor(self._read_executor, pool.close)

    # --- writes --------------------------------------------------------------------------

    def _run_batch(self, fns: list[Job]) -> list[tuple[bool, Any]]:
        """In the writer thread: the whole batch in one transaction (pipelined); if that
        fails, again with a savepoint per job, so only the failing job fails; a job that
        met a deadlock or a race then runs alone, and again. A lost connection is
        reconnected and what is not yet committed runs again."""
        outcomes: list[tuple[bool, Any] | None] = [None] * len(fns)
        stage = "alone" if len(fns) == 1 else "together"
        deadline: float | None = None
        while True:
            todo = [i for i, outcome in enumerate(outcomes) if outcome is None]
            if not todo:
                return [o for o in outcomes if o is not None]
            lost: BaseException
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = connect(self.dsn)
                if stage == "together":
                    stage = "done" if self._together(fns, todo, outcomes) else "isolated"
                elif stage == "isolated":
                    stage = "alone"
                    self._isolated(fns, todo, outcomes)
                else:
                    self._alone(fns, todo, outcomes)
                continue
            except _InDoubt as doubt:
                lost = doubt
                deadline = deadline or time.monotonic() + RECONNECT_FOR
                self._reconnect_until(deadline)
                if self._conn is not None:
                    if self._committed(doubt.xid):
                        self.commits += 1
                        for i, value in zip(doubt.jobs, doubt.values, strict=True):
                            outcomes[i] = (True, value)
                    continue
            except psycopg.OperationalError as exc:
                lost = exc
            deadline = deadline or time.monotonic() + RECONNECT_FOR
            if time.monotonic() > deadline:
                log.error("database unreachable for %.0fs: %s", RECONNECT_FOR, lost)
                for i in todo:
                    if outcomes[i] is None:
                        outcomes[i] = (False, lost)
                continue
            log.warning("database connection lost (%s); reconnecting", lost)
            self._reconnect_until(deadline)

    def _reconnect_until(self, deadline: float) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        while time.monotonic() < deadline:
            try:
                self._conn = connect(self.dsn)
                return
            except psycopg.OperationalError:
                time.sleep(0.5)

    def _committed(self, xid: str) -> bool:
        """After a reconnect: did the transaction whose COMMIT was in flight commit?"""
        assert self._conn is not None
        row = self._conn.execute("SELECT pg_xact_status(%s::xid8)", (xid,)).fetchone()
        self._conn.rollback()
        return row is not None and row[0] == "committed"

    def _together(
        self, fns: list[Job], todo: list[int], outcomes: list[tuple[bool, Any] | None]
    ) -> bool:
        """The jobs in one transaction; False (nothing stored) if anything failed."""
        try:
            values = self._transaction(fns, todo)
        except (_InDoubt, psycopg.OperationalError):
            if self._usable():
                return False
            raise
        except Exception:
            return False
        self.commits += 1
        for i, value in zip(todo, values, strict=True):
            outcomes[i] = (True, value)
        return True

    def _isolated(
        self, fns: list[Job], todo: list[int], outcomes: list[tuple[bool, Any] | None]
    ) -> None:
        """The jobs in one transaction, each in its own savepoint (not pipelined, so an
        error is seen where it happens). Jobs that met a deadlock or a race are left
        without an outcome, to run alone."""
        conn = self._conn
        assert conn is not None
        pg = PgConn(conn)
        values: dict[int, Any] = {}
        failed: dict[int, BaseException] = {}
        xid = ""
        try:
            with conn.transaction():
                row = conn.execute("SELECT pg_current_xact_id()::text").fetchone()
                xid = str(row[0]) if row else ""
                for i in todo:
                    try:
                        with conn.transaction():
                            values[i] = fns[i](pg)
                    except RETRYABLE:
                        continue
                    except psycopg.OperationalError as exc:
                        if not self._usable():
                            raise
                        failed[i] = exc
                    except Exception as exc:
                        failed[i] = exc
        except psycopg.OperationalError as exc:
            if not self._usable() and xid and (values or failed):
                raise _InDoubt(xid, list(values), list(values.values())) from exc
            raise
        self.commits += 1
        for i, value in values.items():
            outcomes[i] = (True, value)
        for i, error in failed.items():
            outcomes[i] = (False, error)

    def _alone(
        self, fns: list[Job], todo: list[int], outcomes: list[tuple[bool, Any] | None]
    ) -> None:
        """Each job in its own transaction; deadlocks and races tried again."""
        for i in todo:
            for attempt in range(RETRIES):
                try:
                    [value] = self._transaction(fns, [i])
                except RETRYABLE as exc:
                    if attempt + 1 < RETRIES:
                        time.sleep(0.01 * (attempt + 1))
                        continue
                    outcomes[i] = (False, exc)
                except psycopg.OperationalError as exc:
                    if not self._usable():
                        raise
                    outcomes[i] = (False, exc)
                except _InDoubt:
                    raise
                except Exception as exc:
                    outcomes[i] = (False, exc)
                else:
                    self.commits += 1
                    outcomes[i] = (True, value)
                break

    def _usable(self) -> bool:
        conn = self._conn
        return conn is not None and not conn.broken and not conn.closed

    def _transaction(self, fns: list[Job], which: list[int]) -> list[Any]:
        """Run the jobs in one transaction in pipeline mode and commit; rolled back (and
        raised) on any error. A connection lost during COMMIT raises `_InDoubt`."""
        conn = self._conn
        assert conn is not None
        pg = PgConn(conn)
        values: list[Any] = []
        xid = ""
        try:
            with conn.pipeline():
                stamp = conn.execute("SELECT pg_current_xact_id()::text")
                for job in ahead(fns, which):  # their first reads, all in one round trip
                    job.start(pg)
                for i in which:
                    values.append(fns[i](pg))
                row = stamp.fetchone()
                xid = str(row[0]) if row else ""
                conn.commit()
        except BaseException as exc:
            if self._usable():
                conn.rollback()
            elif xid and isinstance(exc, psycopg.OperationalError):
                raise _InDoubt(xid, which, values) from exc
            raise
        return values

    # --- reads ---------------------------------------------------------------------------

    def _take_reader(self) -> psycopg.Connection[Any]:
        assert self._pool is not None, "database is not open"
        return self._pool.getconn()

    def _give_reader(self, raw: psycopg.Connection[Any]) -> None:
        if self._pool is not None:
            self._pool.putconn(raw)
        else:
            raw.close()

    def _conn_of(self, raw: psycopg.Connection[Any]) -> Conn:
        return PgConn(raw)

    def _begin_read(self, raw: psycopg.Connection[Any]) -> None:
        return None  # the first statement begins the (read-only) transaction

    def _end_read(self, raw: psycopg.Connection[Any]) -> None:
        if not raw.broken and not raw.closed:
            raw.rollback()

    def _stream(self, raw: psycopg.Connection[Any], sql: str, params: Sequence[Any]) -> Cursor:
        cur: psycopg.ServerCursor[Any] = raw.cursor(name="baraza_stream")
        cur.execute(to_postgres(sql), tuple(params))
        return _ServerCursor(cur)

    # --- roles ---------------------------------------------------------------------------

    async def elect(self, name: str) -> Lease | None:
        if self._elections is None:
            self._elections = _Elections(self.dsn)
        return await self._elections.take(name)


def _read_only(conn: psycopg.Connection[Any]) -> None:
    conn.read_only = True


class _ServerCursor(_Fetching):
    """A named (server-side) cursor: a long read streamed in chunks."""

    __slots__ = ()

    def __init__(self, cur: psycopg.ServerCursor[Any]) -> None:
        self._cur = cur

    @property
    def rowcount(self) -> int:
        return int(self._cur.rowcount)

    def close(self) -> None:
        self._cur.close()


# --------------------------------------------------------------------------- elections


class _Elections:
    """This process's connection holding the advisory locks of its roles."""

    CHECK_TIMEOUT = 3.0

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn: psycopg.AsyncConnection[Any] | None = None
        self.held: set[int] = set()
        self.lock = asyncio.Lock()
        self.checked_at = 0.0

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        if self.conn is None or self.conn.closed or self.conn.broken:
            await self._drop()
            self.conn = await psycopg.AsyncConnection.connect(
                self.url, autocommit=True, options=SERVER_KEEPALIVES, **KEEPALIVES
            )
        return self.conn

    async def _drop(self) -> None:
        self.held.clear()
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(TimeoutError, psycopg.Error, OSError):
                await asyncio.wait_for(conn.close(), self.CHECK_TIMEOUT)

    async def take(self, name: str) -> Lease | None:
        key = role_key(name)
        async with self.lock:
            try:
                conn = await self._connection()
                cur = await asyncio.wait_for(
                    conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)), self.CHECK_TIMEOUT
                )
                row = await cur.fetchone()
            except (TimeoutError, psycopg.Error, OSError) as exc:
                log.debug("role %s: cannot ask the database (%s)", name, exc)
                await self._drop()
                return None
            if not row or not row[0]:
                return None
            self.held.add(key)
            return _PgLease(name, key, self)

    async def alive(self, key: int) -> bool:
        async with self.lock:
            if key not in self.held or self.conn is None:
                return False
            now = time.monotonic()
            if now - self.checked_at < 0.25:  # one check serves every role held
                return True
            try:
                await asyncio.wait_for(self.conn.execute("SELECT 1"), self.CHECK_TIMEOUT)
            except (TimeoutError, psycopg.Error, OSError):
                await self._drop()
                return False
            self.checked_at = time.monotonic()
            return key in self.held

    async def release(self, key: int) -> None:
        async with self.lock:
            if key not in self.held:
                return
            self.held.discard(key)
            if self.conn is not None:
                try:
                    await asyncio.wait_for(
                        self.conn.execute("SELECT pg_advisory_unlock(%s)", (key,)),
                        self.CHECK_TIMEOUT,
                    )
                except (TimeoutError, psycopg.Error, OSError):
                    await self._drop()

    async def close(self) -> None:
        async with self.lock:
            await self._drop()


class _PgLease:
    def __init__(self, name: str, key: int, elections: _Elections) -> None:
        self.name = name
        self.key = key
        self.elections = elections

    async def alive(self) -> bool:
        return await self.elections.alive(self.key)

    async def release(self) -> None:
        await self.elections.release(self.key)


__all__ = ["PgConn", "PostgresDatabase", "Row", "connect", "migrate", "role_key", "unusable"]
