"""Scheduled work done once: a job key is inserted in the same transaction as its work,
so a restart neither repeats nor forgets it."""

from __future__ import annotations

from storage.conn import Conn


def once(conn: Conn, key: str, dialogue: str, kind: str, due: str, now: str) -> bool:
    """True if the job `key` was not done before (and now counts as done)."""
    cur = conn.execute(
        "INSERT INTO jobs (dialogue, kind, key, due_at, done_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (dialogue, kind, key, due, now),
    )
    return cur.rowcount == 1
