"""The throwaway PostgreSQL server (tests/infra/postgres.py) does what the PostgreSQL backend
will rely on: psycopg 3 sync and async, a fresh database per test, visibility between
sessions, advisory locks, SKIP LOCKED, a subprocess on the same socket, and a restart
that keeps committed data."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from tests.infra.postgres import PostgresDatabase, PostgresServer, StopMode


def tables(conn: psycopg.Connection[tuple[object, ...]]) -> list[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    ).fetchall()
    return [str(name) for (name,) in rows]


@pytest.mark.parametrize("round_", [1, 2])
def test_each_test_gets_a_fresh_empty_database(postgres_db: PostgresDatabase, round_: int) -> None:
    with psycopg.connect(postgres_db.url) as conn:
        assert tables(conn) == []
        assert conn.execute("SELECT current_database()").fetchone() == (postgres_db.name,)
        conn.execute("CREATE TABLE visits (n int)")  # would clash if the database were shared
        conn.execute("INSERT INTO visits VALUES (%s)", (round_,))


def test_sync_write_and_read_over_the_socket_only(postgres_url: str) -> None:
    assert postgres_url.startswith("postgresql://")
    [socket_dir] = parse_qs(urlsplit(postgres_url).query)["host"]
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone() == ("",)
        assert conn.execute("SHOW unix_socket_directories").fetchone() == (socket_dir,)
        [(version,)] = conn.execute("SHOW server_version_num").fetchall()
        assert int(version) >= 150000
        conn.execute("CREATE TABLE answers (id serial PRIMARY KEY, text text NOT NULL)")
        conn.execute("INSERT INTO answers (text) VALUES (%s), (%s)", ("maji", "barabara"))
        conn.commit()
        rows = conn.execute("SELECT text FROM answers ORDER BY id").fetchall()
    assert rows == [("maji",), ("barabara",)]


async def test_async_sessions_see_each_others_committed_rows_only(postgres_url: str) -> None:
    async with AsyncConnectionPool(postgres_url, min_size=2, max_size=2, open=False) as pool:
        async with pool.connection() as setup:
            await setup.execute("CREATE TABLE votes (who text, choice int)")
        async with pool.connection() as a, pool.connection() as b:
            await a.execute("INSERT INTO votes VALUES ('a', 1)")
            cur = await b.execute("SELECT count(*) FROM votes")
            assert await cur.fetchone() == (0,)  # not committed yet
            await a.commit()
            await b.rollback()  # b's snapshot ends; its next statement sees the commit
            cur = await b.execute("SELECT who, choice FROM votes")
            assert await cur.fetchall() == [("a", 1)]
            await b.execute("INSERT INTO votes VALUES ('b', 2)")
            await b.commit()
            cur = await a.execute("SELECT who FROM votes ORDER BY who")
            assert await cur.fetchall() == [("a",), ("b",)]
    async with await psycopg.AsyncConnection.connect(postgres_url) as c:
        cur = await c.execute("SELECT count(*) FROM votes")
        assert await cur.fetchone() == (2,)


def test_an_advisory_lock_held_by_one_session_is_refused_to_another(postgres_url: str) -> None:
    with (
        psycopg.connect(postgres_url, autocommit=True) as leader,
        psycopg.connect(postgres_url, autocommit=True) as other,
    ):
        take = "SELECT pg_try_advisory_lock(%s)"
        assert leader.execute(take, (7,)).fetchone() == (True,)
        assert other.execute(take, (7,)).fetchone() == (False,)
        assert other.execute(take, (8,)).fetchone() == (True,)  # another key is free
        leader.close()  # the session ends and its lock goes with it, once its backend exits:
        other.execute("SET lock_timeout = '60s'")  # so wait for the lock, do not race
        other.execute("SELECT pg_advisory_lock(7)")
        held = (
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        assert other.execute(held).fetchone() == (2,)


def test_skip_locked_skips_a_row_another_session_holds(postgres_url: str) -> None:
    claim = "SELECT id FROM outbox ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
    with psycopg.connect(postgres_url, autocommit=True) as setup:
        setup.execute("CREATE TABLE outbox (id int PRIMARY KEY)")
        setup.execute("INSERT INTO outbox SELECT generate_series(1, 3)")
    with psycopg.connect(postgres_url) as a, psycopg.connect(postgres_url) as b:
        assert a.execute(claim).fetchone() == (1,)  # a's transaction holds row 1
        assert b.execute(claim).fetchone() == (2,)
        a.rollback()
        b.rollback()
        assert b.execute(claim).fetchone() == (1,)


def test_a_subprocess_connects_with_the_same_url(postgres_db: PostgresDatabase) -> None:
    with psycopg.connect(postgres_db.url, autocommit=True) as conn:
        conn.execute("CREATE TABLE inbound (body text)")
    script = (
        "import os, psycopg\n"
        "with psycopg.connect(os.environ['DATABASE_URL']) as c:\n"
        "    c.execute(\"INSERT INTO inbound VALUES ('from a subprocess')\")\n"
    )
    subprocess.run([sys.executable, "-c", script], env=postgres_db.env(), check=True, timeout=60)
    with psycopg.connect(postgres_db.url) as conn:
        assert conn.execute("SELECT body FROM inbound").fetchall() == [("from a subprocess",)]


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_restart_keeps_committed_data_and_breaks_open_connections(
    postgres_server: PostgresServer, postgres_url: str, mode: StopMode
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE turns (n int)")
        conn.execute("INSERT INTO turns SELECT generate_series(1, 100)")
    before = psycopg.connect(postgres_url)
    try:
        before.execute("INSERT INTO turns VALUES (-1)")  # never committed
        postgres_server.restart(mode)
        with pytest.raises(psycopg.OperationalError):
            before.execute("SELECT 1")
    finally:
        before.close()
    with psycopg.connect(postgres_url) as after:
        assert after.execute("SELECT count(*), min(n) FROM turns").fetchone() == (100, 1)


def test_a_stopped_server_refuses_then_serves_again(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    postgres_server.stop()
    assert not postgres_server.is_running()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(postgres_url, connect_timeout=5)
    postgres_server.start()
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
