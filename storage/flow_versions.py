"""Every flow version runs were started on, so a run in progress keeps its version."""

from __future__ import annotations

from contextlib import closing

from storage.conn import Conn


def remember(conn: Conn, version: str, flow_id: str, body: str, now: str) -> None:
    conn.execute(
        "INSERT INTO flow_versions (version, flow_id, body, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (version, flow_id, body, now),
    )


def all_versions(conn: Conn) -> list[tuple[str, str]]:
    """(version, body JSON) of every stored version."""
    with closing(conn.execute("SELECT version, body FROM flow_versions")) as cur:
        return [(str(r[0]), str(r[1])) for r in cur.fetchall()]
