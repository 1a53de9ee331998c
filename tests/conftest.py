"""Shared fixtures: real settings, real content, a real database per test (an SQLite
file; for tests marked `backends`, also a PostgreSQL database)."""

import functools
import os

os.environ.setdefault("PTB_TIMEDELTA", "1")

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings as hypothesis_settings

from bot.config import Settings
from bot.runtime import Content, load_content, open_runner
from bot.turns import TurnRunner

# `make test` draws the same examples every run (a newcomer's first run is never red by
# chance); BARAZA_PROPERTY_EXPLORE=1 draws new ones, as a search for bugs should. No
# deadline in either: an example slowed by a busy machine is not a failure.
hypothesis_settings.register_profile("baraza", derandomize=True, deadline=None)
hypothesis_settings.register_profile("explore", derandomize=False, deadline=None)
hypothesis_settings.load_profile(
    "explore" if os.environ.get("BARAZA_PROPERTY_EXPLORE") else "baraza"
)

if TYPE_CHECKING:
    from tests.infra.postgres import PostgresServer

ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = ["tests.infra.postgres"]


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings that ignore any .env and the process environment's provider credentials."""
    values: dict[str, Any] = {  # checked by Settings itself
        "database_path": tmp_path / "baraza.sqlite3",
        "flows_dir": ROOT / "flows",
        "locales_dir": ROOT / "locales",
        "telegram_bot_token": "",
        "twilio_account_sid": "",
        "twilio_auth_token": "",
        "files_dir": tmp_path / "files",
    }
    if "database_url" in overrides:
        del values["database_path"]
    values.update(overrides)
    return Settings(_env_file=None, **values)


@functools.cache
def shared_content() -> Content:
    """The shipped flows and texts, loaded once per process and only when a test needs
    them (loading at import cost each worker about a second before its first test)."""
    return load_content(make_settings(Path("/nonexistent")))


@pytest.fixture(scope="session")
def content() -> Content:
    return shared_content()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url=database_url)


@pytest.fixture
async def runner(settings: Settings, content: Content) -> AsyncIterator[TurnRunner]:
    r = await open_runner(settings, content)
    yield r
    await r.db.close()


# --------------------------------------------------------------------------- backends
# Tests marked `backends` (the storage, turn, facilitator and fault tests) run twice: on an
# SQLite file and on PostgreSQL (a fresh database per test, copied from a migrated
# template). The PostgreSQL run is marked `postgres` (skipped, or failed under
# BARAZA_REQUIRE_POSTGRES=1, without a server).

BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "backends: run on SQLite and on PostgreSQL (the `backend` fixture)"
    )
    config.addinivalue_line(
        "markers", "runs_long: a file whose tests take long together; they are started first"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("backends"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "postgresql":
            item.add_marker(pytest.mark.postgres)
    # The two workers take files in this order (`--no-loadscope-reorder`): the long ones
    # first, so that the last to start is short and both finish together. Started last
    # (xdist's own order, by number of tests), the fault suite's 150 s ran alone at the end.
    items.sort(key=lambda item: item.get_closest_marker("runs_long") is None)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def baraza_template(postgres_server: "PostgresServer") -> str:
    """A database with Baraza's schema, the template of every test's own."""
    from storage.postgres import connect, migrate

    name = postgres_server.create_database()
    with connect(postgres_server.url(name)) as conn:
        migrate(conn)
    return name


@pytest.fixture
def database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str]:
    """This test's database: an SQLite file, or a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'baraza.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    template: str = request.getfixturevalue("baraza_template")
    server.ensure_running()
    name = server.create_database(template)
    yield server.url(name)
    server.ensure_running()  # a test may leave it stopped
    server.drop_database(name)


# --------------------------------------------------------------------------- summaries
# `make test` runs the tests in two worker processes (pytest-xdist), whose own terminal
# output nobody sees. What a test wants printed at the end of the run (the fault suite's
# table, a loud skip) rides on its report as a user property, and the process that prints
# the run's summary prints it: the same with or without workers.

SUMMARY = "baraza-summary"
LOUD_SKIP = "LOUD SKIP: "
"""A skip whose reason starts with this is also printed in red at the end of the run."""


def add_summary(item: pytest.Item, title: str, text: str, *, alarm: bool = False) -> None:
    """Print `text` under `title` after the run (once per title: the longest text wins)."""
    item.user_properties.append((SUMMARY, (title, text, alarm)))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    found: dict[str, tuple[str, bool]] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            for key, value in getattr(report, "user_properties", ()):
                if key != SUMMARY:
                    continue
                title, text, alarm = value
                if len(text) >= len(found.get(title, ("", False))[0]):
                    found[title] = (text, alarm)
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        reason = longrepr[2] if isinstance(longrepr, tuple) else ""
        reason = reason.removeprefix("Skipped: ")
        if reason.startswith(LOUD_SKIP):
            found.setdefault("TESTS SKIPPED", (reason.removeprefix(LOUD_SKIP), True))
    for title, (text, alarm) in found.items():
        terminalreporter.write_sep("!" if alarm else "-", title, red=alarm, bold=alarm)
        for line in text.splitlines():
            terminalreporter.write_line(line, red=alarm, bold=alarm)
