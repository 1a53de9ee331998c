"""SQLite: the file, its migrations, one writer with group commit, readers beside it.

All writes go through `write(fn)`, where `fn(conn)` is run on the writer's connection:
in the writer's own thread, or, for a batch of turns only, in the event loop's
(`SqliteDatabase.turns_on_loop`). The writer takes every job waiting in its queue, runs
each in its own SAVEPOINT of one shared transaction and commits once: under load many
turns share a commit, yet a turn that fails rolls back alone; the rows the batch's turns
append (answers, run steps, queued messages) are written together, per table, before
the commit (`storage.grouped`). A job's future resolves only after the commit, so a
webhook is acknowledged only once its turn is on disk. Reads (dashboard, export, the
sender's idle look at the queue) use reader connections in their own threads (WAL lets
them run while the writer writes). One process uses the file at a time.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storage import schema
from storage.conn import SQLITE, Conn, Cursor, Dialect, SqliteConn
from storage.db import Database, Job, Unusable, sqlite_path
from storage.grouped import Grouped, Regroup

log = logging.getLogger(__name__)
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA secure_delete=ON",
)
WRITER_PRAGMAS = ("PRAGMA wal_autocheckpoint=0", "PRAGMA temp_store=MEMORY")
"""WAL and NORMAL sync (durable at each commit but the last on power loss). The writer
never checkpoints inside a commit: the `Checkpointer` does it beside it. Its savepoints'
journal stays in memory: the turns of a batch whose rows are grouped share one savepoint
(`storage.grouped`), whose journal passed SQLite's 64 KiB spill to a temporary file and
took most of what grouping saves (1.03x instead of 1.14x on bench 1).

Deletion is real in the files too: `secure_delete` overwrites what a DELETE removes with
zeros (Debian's SQLite is built with it on; python.org's, Homebrew's and SQLite's own
default is off, and there a deleted person's address stayed in the file). The WAL keeps
the pages as they were until its frames are overwritten: after an erasure the
checkpointer empties it once writes pause (`Checkpointer.IDLE_TRUNCATE`)."""
CACHE_MB = 8
"""The writer's page cache (SQLITE_CACHE_MB): a bound, filled only as pages are read."""
CHECKPOINT_COMMITS = 50
"""Commits between two nudges to the checkpointer (it also runs every second)."""
WAL_RESTART = 4_000
"""WAL frames (about 16 MB) from which the writer, once the checkpointer has copied
them, copies itself the few written since, so that its next commit starts the WAL over.
Under commits back to back the checkpointer never sees the WAL's end (one lands during
each pass): on bench 2 after its saturation runs the WAL reached the ceiling below every
2.2 s, and the checkpoint that waits there stopped every webhook for 55-85 ms. The
writer's copy syncs the WAL and the file while turns wait: 14-16 ms when it followed a
10 ms pass, a few ms after the closing passes below."""
CLOSING_PASSES = 3
CLOSING_FRAMES = 32
"""Past WAL_RESTART the checkpointer passes again, up to CLOSING_PASSES times, while a
pass found more than CLOSING_FRAMES new frames: what the writer copies after it (and
syncs, while every turn waits) is then what came in during a 1-3 ms pass, not a 10 ms one."""
WAL_CEILING = 50_000
"""WAL frames (about 200 MB) beyond which the writer checkpoints itself and waits for
readers: the WAL can only start over from a checkpoint that waits, should the one above
never find the readers gone."""


class Checkpointer:
    """Copies the WAL into the database file in its own thread and connection.

    SQLite's automatic checkpoint runs inside the commit that crosses its threshold: under
    load that commit took 40-50 ms twice a second, and every webhook waiting behind it
    waited as long (p99). Here a PASSIVE checkpoint copies what it can while the writer
    goes on; once it has copied everything, the next write starts the WAL over.

    After an erasure (`erased`), once no write has come for IDLE_TRUNCATE seconds and
    everything is copied, it empties the WAL file (a TRUNCATE checkpoint that waits for
    nobody): the pages the erasure changed leave the disk in their former state too, not
    only when the WAL comes round again (under writes that never pause it does so within
    seconds; its tail beyond the shortest round waits for the pause). Only after an
    erasure: a WAL grown again from nothing costs its next writes (the file's size in
    every sync); emptied at every pause and cut at every round, one pair of bench 2 runs
    read 1.77x Flask against 1.88x.
    """

    IDLE_TRUNCATE = 2.0

    def __init__(self, path: Path, every: float = 1.0) -> None:
        self.path = path
        self.every = every
        self.truncated = 0
        """Times the WAL file was emptied."""
        self.erasures = 0
        """Erasures committed (`SqliteDatabase.erased`)."""
        self._cleared = 0
        """Of them, those committed before the WAL was last emptied."""
        self._changed = time.monotonic()
        """When the WAL was last seen to change."""
        self.frames = 0
        """Frames in the WAL at the last checkpoint."""
        self.copied = 0
        """Of them, those copied into the database file (all: the WAL may start over)."""
        self.runs = 0
        self.handed = False
        """The WAL is past WAL_RESTART and all copied: the writer's turn to copy the rest.
        Nudges wait meanwhile: a pass of this thread's holds the checkpoint lock, and the
        writer's copy would find it busy and do nothing. With a disk slowed by others'
        syncs (CI) each pass took long enough that the writer found one under way every
        time and the WAL never started over."""
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="baraza-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def nudge(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        conn = connect(self.path)
        try:
            for pragma in PRAGMAS[1:]:
                conn.execute(pragma)
            while not self._stopping:
                nudged = self._wake.wait(self.every)
                self._wake.clear()
                if self._stopping:
                    break
                if nudged and self.handed:
                    continue
                try:
                    frames, copied = self._pass(conn)
                    if frames >= WAL_RESTART:
                        # passes again over what came in during the last one (each
                        # shorter), so the writer is left only a few frames to copy
                        for _ in range(CLOSING_PASSES):
                            last = frames
                            frames, copied = self._pass(conn)
                            if frames - last < CLOSING_FRAMES or frames < last:
                                break
                except sqlite3.Error as exc:
                    log.warning("checkpoint failed (the writer goes on): %s", exc)
                    continue
                if frames != self.frames:
                    self._changed = time.monotonic()
                elif (
                    self.erasures != self._cleared
                    and copied == frames  # also none: the file may still hold old ones
                    and time.monotonic() - self._changed >= self.IDLE_TRUNCATE
                    and self._truncate(conn)
                ):
                    frames = copied = 0
                self.frames, self.copied = frames, copied
                self.runs += 1
                # after `runs`: whoever sees the hand-over sees the pass that made it counted
                self.handed = frames >= WAL_RESTART and copied == frames
        finally:
            conn.close()

    def _truncate(self, conn: SqliteConn) -> bool:
        """Empty the WAL file, if neither the writer nor a reader is using it right now:
        without waiting (a writer that comes meanwhile waits the moment it takes)."""
        erasures = self.erasures  # committed, so in the WAL this empties
        conn.execute("PRAGMA busy_timeout=0")
        try:
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.execute(PRAGMAS[2])  # busy_timeout as before
        if busy:
            return False
        self._cleared = erasures
        self.truncated += 1
        return True

    @staticmethod
    def _pass(conn: SqliteConn) -> tuple[int, int]:
        _busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(frames), int(copied)


def connect(path: Path) -> SqliteConn:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, factory=SqliteConn)
    conn.row_factory = sqlite3.Row
    return conn


FOREIGN_KEYS_OFF = "-- baraza: foreign keys off"
"""A migration's line asking to run with foreign keys off: one that rebuilds a table
others refer to (dropping it with them on deletes every row that refers to it). Its rows
are checked before it commits."""


def migrate(conn: SqliteConn) -> None:
    """Apply the migrations the file has not had (see `storage.schema`), each in its own
    transaction; `user_version` keeps the highest number applied, for tools that look."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (schema.TABLE,)
        ).fetchone()
        if exists is None:
            conn.execute(schema.CREATE)
            legacy = int(conn.execute("PRAGMA user_version").fetchone()[0])
            schema.record(conn, schema.from_number(legacy), _now())
        applied = schema.recorded(conn)
        conn.execute("COMMIT")
    except Exception:
        if conn.in_transaction:  # else ROLLBACK itself fails and hides the cause
            conn.execute("ROLLBACK")
        raise
    for migration in schema.pending(applied):
        late = schema.is_late(migration, applied)
        keys_were = None  # set when the migration runs with foreign keys off
        if FOREIGN_KEYS_OFF in migration.sql:  # a no-op inside a transaction: set before
            keys_were = int(conn.execute("PRAGMA foreign_keys").fetchone()[0])
            conn.execute("PRAGMA foreign_keys=OFF")
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("SAVEPOINT migration")
            try:
                for statement in migration.sql.split(";\n"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("RELEASE migration")
            except sqlite3.Error as exc:
                if not (late and schema.already_there(exc)):
                    raise
                conn.execute("ROLLBACK TO migration")
                conn.execute("RELEASE migration")
                log.warning("migration %s was already there: %s", migration.name, exc)
            if keys_were is not None and (
                broken := conn.execute("PRAGMA foreign_key_check").fetchall()
            ):
                raise sqlite3.IntegrityError(
                    f"migration {migration.name} left rows that refer to nothing:"
                    f" {[tuple(row) for row in broken[:5]]}"
                )
            schema.record(conn, [migration.name], _now())
            applied.add(migration.name)
            top = max(int(name[:3]) for name in applied if name[:3].isdigit())
            conn.execute(f"PRAGMA user_version={top}")
            conn.execute("COMMIT")
        except Exception:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            if keys_were is not None:
                conn.execute(f"PRAGMA foreign_keys={keys_were}")
        log.info("database migrated: %s", migration.name)


def _now() -> str:
    return datetime.now(UTC).isoformat()


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


class SqliteDatabase(Database):
    gather_passes = 2
    """A webhook's task needs a pass or two of the loop to parse, check and queue its
    turn. Taking the queue at once, the writer (woken by the first turn) left behind the
    webhooks already read: under load bench 2's batches held one or two turns and thirty
    in turn (a mean of 15 at 32 connections); with two passes nearly all hold thirty-odd,
    half the commits, about 4% more webhooks a second. At rest it costs two idle passes.
    PostgreSQL's writers wait on their threads, the loop running meanwhile; there (bench
    8, one run each way) one process went 2-7% faster and two 1-6% slower: left out."""
    turns_on_loop = True
    """Turns are committed in the event loop's thread, which waits meanwhile. The loop
    and a writer thread share one interpreter lock, and SQLite lets go of it for each
    statement (10-40 us): whenever the loop had work in hand, the writer waited for the
    lock after every statement (up to the 5 ms switch interval) while webhooks piled up,
    which kept the loop busy, and so on. On bench 2 at 1,400 webhooks a second (70% of
    the maximum) that stalled the webhooks for 0.1-0.4 s about every 1.5 s: p99 59-134
    ms with the thread, 18-24 ms without it (three runs each). Bench 1 (Telegram
    turns): 1.2x faster at 1,000 participants, 1.0-1.2x at 100,000. Other jobs (a
    broadcast's rows, pruning, imports) may take longer and still run in the writer's
    thread, as everything does on PostgreSQL, whose round trips would hold the loop."""
    unavailable = (sqlite3.OperationalError,)

    def __init__(self, path: str | Path, *, readers: int = 2, cache_mb: int = CACHE_MB) -> None:
        super().__init__()
        self.path = sqlite_path(path)
        self.readers = readers
        self.cache_mb = cache_mb
        self._conn: SqliteConn | None = None
        self._commits = 0
        self.checkpointer: Checkpointer | None = None
        self._idle_readers: queue.SimpleQueue[SqliteConn] = queue.SimpleQueue()
        self._all_readers: list[SqliteConn] = []
        self._grouped = Grouped()

    @property
    def url(self) -> str:
        return str(self.path)

    @property
    def dialect(self) -> Dialect:
        return SQLITE

    @property
    def target(self) -> Path:
        return self.path

    async def _open(self) -> None:
        _make_folder(self.path)
        try:
            await self._in_writer(self._open_writer)
            await self._in_reader(self._open_readers)
        except sqlite3.Error as exc:
            raise unusable(self.path, exc) from exc
        self.checkpointer = Checkpointer(self.path)
        self.checkpointer.start()

    async def _in_writer(self, fn: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    def _open_writer(self) -> None:
        conn = connect(self.path)
        try:
            for pragma in PRAGMAS + WRITER_PRAGMAS:
                conn.execute(pragma)
            conn.execute(f"PRAGMA cache_size=-{self.cache_mb * 1024:d}")
            migrate(conn)
            _probe_write(conn)
            # Planner statistics where they are missing or stale (the dashboard needs them).
            conn.execute("PRAGMA analysis_limit=1000")
            conn.execute("PRAGMA optimize=0x10002")
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def _open_readers(self) -> None:
        for _ in range(self.readers):
            conn = connect(self.path)
            self._all_readers.append(conn)
            for pragma in PRAGMAS[1:]:
                conn.execute(pragma)
            conn.execute("PRAGMA query_only=ON")
            self._idle_readers.put(conn)

    async def _close(self) -> None:
        checkpointer, self.checkpointer = self.checkpointer, None
        if checkpointer is not None:
            await asyncio.to_thread(checkpointer.stop)
        if self._executor is not None and self._conn is not None:
            conn, self._conn = self._conn, None
            await self._in_writer(conn.close)
        readers, self._all_readers = self._all_readers, []
        for conn in readers:
            conn.close()

    # --- reads ---------------------------------------------------------------------------

    def _take_reader(self) -> SqliteConn:
        return self._idle_readers.get()

    def _give_reader(self, raw: SqliteConn) -> None:
        self._idle_readers.put(raw)

    def _conn_of(self, raw: SqliteConn) -> Conn:
        return raw

    def _begin_read(self, raw: SqliteConn) -> None:
        raw.execute("BEGIN")

    def _end_read(self, raw: SqliteConn) -> None:
        if raw.in_transaction:
            raw.execute("ROLLBACK")

    def _stream(self, raw: SqliteConn, sql: str, params: Sequence[Any]) -> Cursor:
        return raw.execute(sql, tuple(params))

    # --- writes --------------------------------------------------------------------------

    def _run_batch(self, fns: list[Job]) -> list[tuple[bool, Any]]:
        """In the writer: one transaction, one savepoint per job, one commit.
        Turns (jobs whose `groups_rows` is true) leave the rows they append in a group,
        written per table before the next job that is not a turn and before the commit
        (`storage.grouped`)."""
        conn = self._conn
        assert conn is not None
        outcomes: list[tuple[bool, Any]] = []
        turns: list[int] = []
        """The turns whose rows are in the group (inside SAVEPOINT grouped)."""
        try:
            conn.execute("BEGIN IMMEDIATE")
            for i, fn in enumerate(fns):
                if not getattr(fn, "groups_rows", False):
                    self._write_group(conn, fns, turns, outcomes)
                    outcome = self._run_job(conn, fn)
                    assert outcome is not None  # a job that does not group never regroups
                    outcomes.append(outcome)
                    continue
                if not turns:
                    conn.execute("SAVEPOINT grouped")
                outcome = self._run_job(conn, fn, self._grouped)
                if outcome is None:  # their earlier rows wait in the group: written first
                    self._write_group(conn, fns, turns, outcomes)
                    conn.execute("SAVEPOINT grouped")
                    outcome = self._run_job(conn, fn, self._grouped)
                    assert outcome is not None  # the group is empty: nothing to regroup
                turns.append(i)
                outcomes.append(outcome)
            self._write_group(conn, fns, turns, outcomes)
            conn.execute("COMMIT")
            self.commits += 1
            self._after_commit(conn)
        except Exception as exc:  # the commit itself failed: nothing of the batch is stored
            log.exception("commit failed")
            self._grouped.clear()
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            return [(False, exc)] * len(fns)
        return outcomes

    @staticmethod
    def _run_job(
        conn: SqliteConn, fn: Job, group: Grouped | None = None
    ) -> tuple[bool, Any] | None:
        """One job in its savepoint: (ok, value or exception); None when a turn met a
        participant with rows in `group` (nothing of it stays: run it again once the
        group is written)."""
        conn.grouped = group
        conn.execute("SAVEPOINT job")
        try:
            value = fn(conn)
        except Exception as exc:
            conn.execute("ROLLBACK TO job")
            conn.execute("RELEASE job")
            if group is not None:
                group.drop()
            return None if isinstance(exc, Regroup) else (False, exc)
        finally:
            conn.grouped = None
        conn.execute("RELEASE job")
        if group is not None:
            group.keep()
        return (True, value)

    def _write_group(
        self,
        conn: SqliteConn,
        fns: list[Job],
        turns: list[int],
        outcomes: list[tuple[bool, Any]],
    ) -> None:
        """Write the group of `turns`. Should that fail, their savepoint is rolled back
        and each runs again writing its own rows (the one whose rows fail fails alone)."""
        if not turns:
            return
        try:
            self._grouped.write(conn)
            conn.execute("RELEASE grouped")
        except sqlite3.Error:
            log.exception("writing the rows of %d turns together failed; one by one", len(turns))
            conn.execute("ROLLBACK TO grouped")
            conn.execute("RELEASE grouped")
            for i in turns:
                outcome = self._run_job(conn, fns[i])
                assert outcome is not None
                outcomes[i] = outcome
        finally:
            turns.clear()

    def erased(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.erasures += 1

    def _after_commit(self, conn: SqliteConn) -> None:
        checkpointer = self.checkpointer
        if checkpointer is None:
            return
        self._commits += 1
        if self._commits >= CHECKPOINT_COMMITS:
            self._commits = 0
            checkpointer.nudge()
        if checkpointer.handed:
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            checkpointer.handed = bool(busy)  # busy: a pass on the second's timer; next commit
        if checkpointer.frames > WAL_CEILING:
            checkpointer.frames = 0
            log.info("WAL over %d frames: the writer checkpoints it once", WAL_CEILING)
            conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
