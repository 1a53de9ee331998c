"""One PostgreSQL server for the run (benches 4, 7 and 8), bench 4's dialogue copied once.

The server has bench 8's durable settings (`bench.scale.server`: fsync on, a Unix
socket); it is started on first use and stopped when `python -m bench` ends (`close`).
The generated dialogue (an SQLite file) is copied into it with `baraza db copy`
(`storage.admin.copy`), once: bench 4's dashboard and bench 7's pages both read that copy.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from bench.common import copy_to
from tests.infra.postgres import PostgresServer, server_version

_later = contextlib.ExitStack()
_server: list[PostgresServer] = []
_copies: dict[Path, tuple[str, float]] = {}


def server() -> PostgresServer:
    """The run's PostgreSQL server, started on first use."""
    if not _server:
        from bench.scale import server as durable

        _server.append(_later.enter_context(durable()))
    return _server[0]


def version() -> str:
    return server_version(server().bindir)


def copied(sqlite: Path) -> tuple[str, float]:
    """(URL, seconds the copy took) of `sqlite`'s rows in a database of their own."""
    if sqlite not in _copies:
        pg = server()
        url = pg.url(pg.create_database())
        _copies[sqlite] = (url, copy_to(sqlite, url))
    return _copies[sqlite]


def close() -> None:
    """Stop the server (if one was started) and delete its folder."""
    _copies.clear()
    _server.clear()
    _later.close()
