"""The inbound log: (channel, external id) once, so a redelivered message applies once.

It holds no text: before consent nothing but the address and language may be stored.
"""

from __future__ import annotations

from storage.conn import Conn


def claim(conn: Conn, channel: str, external_id: str, now: str) -> bool:
    """True the first time this message is seen, False for a redelivery."""
    cur = conn.execute(
        "INSERT INTO inbound (channel, external_id, received_at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (channel, external_id, now),
    )
    return cur.rowcount == 1


def prune(conn: Conn, before: str) -> int:
    """Forget messages received before `before` (past any provider's redelivery window)."""
    cur = conn.execute("DELETE FROM inbound WHERE received_at < ?", (before,))
    return cur.rowcount
