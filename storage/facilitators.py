"""Facilitators added with `baraza facilitators add` (FACILITATORS in .env adds more)."""

from __future__ import annotations

from contextlib import closing

from storage.conn import Conn


def add(conn: Conn, address: str, dialogue: str, now: str) -> bool:
    cur = conn.execute(
        "INSERT INTO facilitators (address, dialogue, added_at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (address, dialogue, now),
    )
    return cur.rowcount > 0


def remove(conn: Conn, address: str, dialogue: str | None) -> int:
    if dialogue is None:
        cur = conn.execute("DELETE FROM facilitators WHERE address = ?", (address,))
    else:
        cur = conn.execute(
            "DELETE FROM facilitators WHERE address = ? AND dialogue = ?", (address, dialogue)
        )
    return cur.rowcount


def listing(conn: Conn) -> list[tuple[str, str, str]]:
    with closing(
        conn.execute(
            "SELECT address, dialogue, added_at FROM facilitators ORDER BY address, dialogue"
        )
    ) as cur:
        return [(str(a), str(d), str(t)) for a, d, t in cur.fetchall()]


def dialogues_of(conn: Conn, address: str) -> list[str]:
    with closing(
        conn.execute(
            "SELECT dialogue FROM facilitators WHERE address = ? ORDER BY dialogue", (address,)
        )
    ) as cur:
        return [str(r[0]) for r in cur.fetchall()]
