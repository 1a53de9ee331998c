"""Which providers cannot be reached, since when, and how many messages wait for them."""

from __future__ import annotations

from dataclasses import dataclass

from storage.conn import Conn
from storage.db import Reader

WAITING = "SELECT count(*) FROM outbox WHERE channel = ? AND status IN ('queued', 'sending')"


@dataclass(frozen=True)
class Outage:
    channel: str
    down_since: str
    error: str
    failures: int
    waiting: int
    """Messages queued for the channel."""


def down(conn: Conn, channel: str, *, since: str, error: str, failures: int, now: str) -> int:
    """Record `channel` as unreachable since `since` (replacing an older outage's row);
    returns how many messages wait for it."""
    conn.execute(
        "INSERT INTO provider_health (channel, down_since, error, failures, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel) DO UPDATE SET"
        " down_since = excluded.down_since, error = excluded.error,"
        " failures = excluded.failures, updated_at = excluded.updated_at",
        (channel, since, error, failures, now),
    )
    return int(conn.execute(WAITING, (channel,)).fetchone()[0])


def up(conn: Conn, channel: str) -> None:
    """`channel` answers again."""
    conn.execute("DELETE FROM provider_health WHERE channel = ?", (channel,))


async def outages(conn: Reader) -> list[Outage]:
    """Every provider recorded as unreachable, with the messages waiting for it."""
    async with conn.execute(
        "SELECT h.channel, h.down_since, h.error, h.failures, (SELECT count(*) FROM outbox o"
        " WHERE o.channel = h.channel AND o.status IN ('queued', 'sending'))"
        " FROM provider_health h ORDER BY h.channel"
    ) as cur:
        return [
            Outage(str(c), str(s), str(e), int(f), int(w)) for c, s, e, f, w in await cur.fetchall()
        ]


async def undelivered(conn: Reader, dialogue: str) -> dict[str, int]:
    """Messages of a dialogue's people given up or refused (blocked, opted out, invalid,
    failing again and again), by channel, over the retention period."""
    async with conn.execute(
        "SELECT o.channel, count(*) FROM outbox o LEFT JOIN participants p"
        " ON p.id = o.participant_id WHERE o.status = 'failed'"
        " AND coalesce(o.dialogue, p.dialogue) = ? GROUP BY o.channel ORDER BY o.channel",
        (dialogue,),
    ) as cur:
        return {str(c): int(n) for c, n in await cur.fetchall()}
