"""A throwaway PostgreSQL server for the tests, started from the machine's binaries.

Registered from tests/conftest.py (`pytest_plugins`). Fixtures:

* `postgres_server` (session): one server for the whole run, started on first use, stopped
  and deleted at the end (also when tests fail). Socket only (`listen_addresses=''`), the
  data and socket folders in a temp folder, fsync off. `postgres_server.restart()` stops
  and starts it (`mode="immediate"` stops it without a checkpoint, like a crash: the next
  start replays the WAL); `.stop()` and `.start()` keep it down for a while.
* `postgres_db` (function): a fresh, empty database for one test, dropped after it:
  `.url` (a `postgresql://` URL for psycopg 3 and libpq, the socket folder as `host`; it
  works from a subprocess too), `.name`, `.env()` (os.environ plus `DATABASE_URL`).
* `postgres_url` (function): just `postgres_db.url`.

    def test_rows(postgres_url: str) -> None:
        with psycopg.connect(postgres_url) as conn: ...

A test that uses any of them is marked `postgres` (`pytest -m "not postgres"` leaves them
out); a test can also be marked `@pytest.mark.postgres` by hand. Without the server
binaries (`pg_ctl`, `initdb`, `postgres`: looked for in $BARAZA_PG_BINDIR, on PATH, then
in /usr/lib/postgresql/*/bin) those tests are skipped, and a banner at the end of the run
says so; with `BARAZA_REQUIRE_POSTGRES=1` (as in .ci/run) they fail instead.

Tests run as root here and initdb refuses root, so the server runs as the `postgres`
system user (`runuser -u postgres --`), which owns the temp folder. As any other user it
runs as that user.

`PostgresServer` needs no pytest: other tools (the fault suite) can use it on their own.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import psycopg
import pytest

REQUIRE_ENV = "BARAZA_REQUIRE_POSTGRES"
BINDIR_ENV = "BARAZA_PG_BINDIR"
TOOLS = ("pg_ctl", "initdb", "postgres")
FIXTURES = ("postgres_server", "postgres_db", "postgres_url")
PORT = 5432
"""Only names the socket file (`.s.PGSQL.5432` in our own folder): nothing listens on TCP."""
SUPERUSER = "postgres"
INSTALL_HINT = "on Debian/Ubuntu: apt-get install postgresql-15"
StopMode = Literal["smart", "fast", "immediate"]
_BINDIR = pytest.StashKey[Path | None]()
"""Where the binaries were found at start-up (None: not installed)."""


def find_bindir() -> Path | None:
    """The folder holding pg_ctl, initdb and postgres, or None."""

    def complete(d: Path) -> bool:
        return all((d / tool).is_file() for tool in TOOLS)

    if os.environ.get(BINDIR_ENV):
        d = Path(os.environ[BINDIR_ENV])
        return d if complete(d) else None
    on_path = shutil.which("pg_ctl")
    if on_path and complete(Path(on_path).resolve().parent):
        return Path(on_path).resolve().parent
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda d: [int(x) for x in re.findall(r"\d+", d.parent.name)],
        reverse=True,
    )
    return next((d for d in debian if complete(d)), None)


def server_version(bindir: Path) -> str:
    out = subprocess.run(
        [str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=False
    ).stdout
    found = re.search(r"\(PostgreSQL\) (\S+)", out)
    return f"PostgreSQL {found[1] if found else '(unknown version)'}"


class PostgresServer:
    """One PostgreSQL cluster in a temp folder: `initdb`, `start`, `stop`, `restart`, `close`."""

    def __init__(self, bindir: Path, config: dict[str, str] | None = None) -> None:
        self.bindir = bindir
        self.config = config or {}
        """postgresql.conf settings over the tests' own (the bench: fsync on)."""
        self.run_as: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self.run_as = pwd.getpwnam(SUPERUSER)
            except KeyError:
                raise RuntimeError(
                    "initdb refuses to run as root and there is no `postgres` system user to run"
                    f" it as: create one (adduser --system --group {SUPERUSER})"
                ) from None
        self.base = Path(tempfile.mkdtemp(prefix="baraza-pg-"))
        if self.run_as is not None:
            os.chown(self.base, self.run_as.pw_uid, self.run_as.pw_gid)
        self.data_dir = self.base / "data"
        self.socket_dir = self.base
        self.log_path = self.base / "server.log"
        self._names = itertools.count(1)
        self.running = False
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    def _run(self, tool: str, *args: str) -> str:
        command = [str(self.bindir / tool), *args]
        if self.run_as is not None:
            command = ["runuser", "-u", self.run_as.pw_name, "--", *command]
        done = subprocess.run(
            command, cwd=self.base, capture_output=True, text=True, check=False, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{tool} {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
                f"\nserver log ends:\n{self.log_tail()}"
            )
        return done.stdout

    def log_tail(self, chars: int = 2000) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-chars:]
        return "(no log)"

    def initdb(self) -> None:
        self._run(
            "initdb",
            "--pgdata", str(self.data_dir),
            "--username", SUPERUSER,
            "--auth", "trust",
            "--encoding", "UTF8",
            "--no-locale",
            "--no-sync",
        )  # fmt: skip
        settings = {
            "listen_addresses": "''",
            "port": str(PORT),
            "unix_socket_directories": f"'{self.socket_dir}'",
            # Fast, and still true to a crash of PostgreSQL (not of the machine): a commit is
            # written to the WAL before it returns, only never flushed to disk. No
            # synchronous_commit=off: an immediate stop would then lose acknowledged commits.
            "fsync": "off",
            "full_page_writes": "off",
            **self.config,
        }
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# baraza tests\n")
            conf.writelines(f"{k} = {v}\n" for k, v in settings.items())

    def start(self) -> None:
        self._run("pg_ctl", "start", "-D", str(self.data_dir), "-l", str(self.log_path), "-w",
                  "-t", "60")  # fmt: skip
        self.running = True

    def stop(self, mode: StopMode = "fast") -> None:
        """`mode`: "smart", "fast" (rolls back open transactions, checkpoints) or
        "immediate" (no checkpoint, like a crash)."""
        self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "60")
        self.running = False

    def restart(self, mode: StopMode = "fast") -> None:
        """Stop and start again: connections open before are broken, committed data stays."""
        self.stop(mode)
        self.start()

    def is_running(self) -> bool:
        """Asks pg_ctl (`running` is what this object last did)."""
        try:
            self._run("pg_ctl", "status", "-D", str(self.data_dir))
        except RuntimeError:
            return False
        return True

    def ensure_running(self) -> None:
        if not self.running:
            self.start()

    def close(self) -> None:
        """Stop the server (however it is) and delete its folder. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.data_dir.exists() and self.is_running():
                self.stop("immediate")
        except RuntimeError:
            self._kill_postmaster()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def _kill_postmaster(self) -> None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)

    # ------------------------------------------------------------------ databases

    def url(self, dbname: str = "postgres") -> str:
        """A libpq URL over the Unix socket: psycopg 3 takes it, and so does a subprocess."""
        host = quote(str(self.socket_dir), safe="")
        return f"postgresql://{SUPERUSER}@/{dbname}?host={host}&port={PORT}"

    def create_database(self, template: str = "template0") -> str:
        """A new database, a copy of `template` (FILE_COPY: a few milliseconds for a small
        one; nobody may be connected to the template meanwhile)."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        strategy = "" if template == "template0" else " STRATEGY FILE_COPY"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}')
        return name

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def throwaway_server(
    bindir: Path | None = None, config: dict[str, str] | None = None
) -> Iterator[PostgresServer]:
    """A started server, stopped and deleted on the way out (`config`: postgresql.conf
    settings over the tests' fast ones)."""
    found = bindir or find_bindir()
    if found is None:
        raise RuntimeError(f"no PostgreSQL server binaries found ({INSTALL_HINT})")
    server = PostgresServer(found, config)
    atexit.register(server.close)  # in case the way out is never reached
    try:
        server.initdb()
        server.start()
        yield server
    finally:
        server.close()
        atexit.unregister(server.close)


@dataclass(frozen=True)
class PostgresDatabase:
    name: str
    url: str
    server: PostgresServer

    def env(self, **extra: str) -> dict[str, str]:
        """An environment for a subprocess: this one, with DATABASE_URL pointing here."""
        return {**os.environ, "DATABASE_URL": self.url, **extra}


# ---------------------------------------------------------------------- pytest


def _required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def _missing_message() -> str:
    return (
        "no PostgreSQL server binaries (pg_ctl, initdb, postgres) on PATH, in"
        f" /usr/lib/postgresql/*/bin or ${BINDIR_ENV}; install them ({INSTALL_HINT})"
    )


def _skip_or_fail() -> None:
    if _required():
        pytest.fail(f"{REQUIRE_ENV}=1 and {_missing_message()}", pytrace=False)
    pytest.skip(_missing_message())


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "postgres: needs the throwaway PostgreSQL server (skipped without its binaries,"
        f" failed instead with {REQUIRE_ENV}=1)",
    )
    config.stash[_BINDIR] = find_bindir()


def pytest_report_header(config: pytest.Config) -> str:
    bindir = config.stash.get(_BINDIR, None)
    if bindir is None:
        return f"postgresql: NOT FOUND, tests marked postgres will be skipped ({INSTALL_HINT})"
    return f"postgresql: {server_version(bindir)} ({bindir})"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(name in getattr(item, "fixturenames", ()) for name in FIXTURES):
            item.add_marker(pytest.mark.postgres)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and item.config.stash.get(_BINDIR, None) is None:
        _skip_or_fail()


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    def postgres_reports(kind: str) -> int:
        # by the report's own keywords: under pytest-xdist the tests ran in workers
        return sum(
            1
            for r in terminalreporter.stats.get(kind, [])
            if "postgres" in getattr(r, "keywords", {}) and getattr(r, "when", "") != "teardown"
        )

    ran = sum(postgres_reports(k) for k in ("passed", "failed", "error", "skipped"))
    if not ran:
        return
    bindir = config.stash.get(_BINDIR, None)
    if bindir is not None:
        terminalreporter.write_sep(
            "-",
            f"{server_version(bindir)} ({bindir}): {ran} test{'s' * (ran != 1)} on a throwaway server",
        )
        return
    if _required():
        terminalreporter.write_sep(
            "!", "PostgreSQL REQUIRED BUT NOT INSTALLED", red=True, bold=True
        )
        terminalreporter.write_line(
            f"{REQUIRE_ENV}=1: {ran} tests that need PostgreSQL FAILED: {_missing_message()}",
            red=True,
        )
    else:
        terminalreporter.write_sep("!", "PostgreSQL NOT INSTALLED", yellow=True, bold=True)
        terminalreporter.write_line(
            f"{postgres_reports('skipped')} tests that need PostgreSQL were SKIPPED: "
            f"{_missing_message()}. Set {REQUIRE_ENV}=1 to fail instead.",
            yellow=True,
            bold=True,
        )


@pytest.fixture(scope="session")
def postgres_server(pytestconfig: pytest.Config) -> Iterator[PostgresServer]:
    bindir = pytestconfig.stash.get(_BINDIR, None)
    if bindir is None:
        _skip_or_fail()
    with throwaway_server(bindir) as server:
        yield server


@pytest.fixture
def postgres_db(postgres_server: PostgresServer) -> Iterator[PostgresDatabase]:
    postgres_server.ensure_running()
    name = postgres_server.create_database()
    yield PostgresDatabase(name, postgres_server.url(name), postgres_server)
    postgres_server.ensure_running()  # a test may leave it stopped
    postgres_server.drop_database(name)


@pytest.fixture
def postgres_url(postgres_db: PostgresDatabase) -> str:
    return postgres_db.url
