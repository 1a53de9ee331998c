"""Scheduled work done once: a job key is inserted in the same transaction as its work,
so a restart neither repeats nor forgets it."""

from __future__ import annotations

import sqlite3


def once(conn: sqlite3.Connection, key: str, dialogue: str, kind: str, due: str, now: str) -> bool:
    """True if the job `key` was not done before (and now counts as done)."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO jobs (dialogue, kind, key, due_at, done_at) VALUES (?, ?, ?, ?, ?)",
        (dialogue, kind, key, due, now),
    )
    return cur.rowcount == 1
