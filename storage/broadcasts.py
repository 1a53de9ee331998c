"""Broadcasts: an item (a prompt, a poll, results, a notice) put on the agendas of a
dialogue's participants, a batch at a time. The cursor is the last participant id done,
so a restart carries on where it stopped and nobody gets the item twice."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass

from storage.conn import Conn


@dataclass(frozen=True)
class Broadcast:
    id: int
    dialogue: str
    item: str
    target: str | None
    urgent: bool
    cursor: str
    reached: int


def create(
    conn: Conn,
    dialogue: str,
    item: str,
    target: str | None,
    urgent: bool,
    now: str,
) -> int:
    cur = conn.execute(
        "INSERT INTO broadcasts (dialogue, item, target, urgent, created_at)"
        " VALUES (?, ?, ?, ?, ?) RETURNING id",
        (dialogue, item, target, int(urgent), now),
    )
    row = cur.fetchone()
    cur.close()
    return int(row[0])


def unfinished(conn: Conn) -> list[Broadcast]:
    with closing(
        conn.execute(
            "SELECT id, dialogue, item, target, urgent, cursor, reached FROM broadcasts"
            " WHERE done_at IS NULL ORDER BY id"
        )
    ) as cur:
        return [
            Broadcast(int(r[0]), str(r[1]), str(r[2]), r[3], bool(r[4]), str(r[5]), int(r[6]))
            for r in cur.fetchall()
        ]


def locked(conn: Conn, broadcast_id: int) -> Broadcast | None:
    """The broadcast if unfinished, locked for this transaction: another process
    delivering it meanwhile waits, then carries on from the cursor this one leaves."""
    with closing(
        conn.execute(
            "SELECT id, dialogue, item, target, urgent, cursor, reached FROM broadcasts"
            " WHERE id = ? AND done_at IS NULL" + conn.dialect.for_update(),
            (broadcast_id,),
        )
    ) as cur:
        r = cur.fetchone()
    if r is None:
        return None
    return Broadcast(int(r[0]), str(r[1]), str(r[2]), r[3], bool(r[4]), str(r[5]), int(r[6]))


def audience_size(conn: Conn, dialogue: str, group: str | None) -> int:
    """How many a broadcast will reach: consented, not stopped, reachable."""
    sql = (
        "SELECT count(*) FROM participants WHERE dialogue = ? AND consented_at IS NOT NULL"
        " AND stopped_at IS NULL AND unreachable_at IS NULL"
    )
    params: tuple[str, ...] = (dialogue,)
    if group is not None:
        sql += " AND json_extract(profile, '$.group') = ?"
        params += (group,)
    with closing(conn.execute(sql, params)) as cur:
        return int(cur.fetchone()[0])


def next_members(conn: Conn, b: Broadcast, limit: int) -> list[str]:
    """The next participant ids of the audience after the cursor, in id order."""
    sql = (
        "SELECT id FROM participants WHERE dialogue = ? AND id > ?"
        " AND consented_at IS NOT NULL AND stopped_at IS NULL AND unreachable_at IS NULL"
    )
    params: tuple[object, ...] = (b.dialogue, b.cursor)
    if b.target is not None:
        sql += " AND json_extract(profile, '$.group') = ?"
        params += (b.target,)
    with closing(conn.execute(sql + " ORDER BY id LIMIT ?", (*params, limit))) as cur:
        return [str(r[0]) for r in cur.fetchall()]


def advance(conn: Conn, broadcast_id: int, cursor: str, reached: int) -> None:
    conn.execute(
        "UPDATE broadcasts SET cursor = ?, reached = reached + ? WHERE id = ?",
        (cursor, reached, broadcast_id),
    )


def finish(conn: Conn, broadcast_id: int, now: str) -> int:
    with closing(
        conn.execute(
            "UPDATE broadcasts SET done_at = ? WHERE id = ? RETURNING reached", (now, broadcast_id)
        )
    ) as cur:
        row = cur.fetchone()
    return int(row[0]) if row else 0


def audience(
    conn: Conn, dialogue: str, group: str | None
) -> list[tuple[str, str, int]]:
    """Who a broadcast would reach now, as (channel, language, how many): the same
    people as `audience_size`."""
    sql = (
        "SELECT channel, language, count(*) FROM participants WHERE dialogue = ?"
        " AND consented_at IS NOT NULL AND stopped_at IS NULL AND unreachable_at IS NULL"
    )
    params: tuple[str, ...] = (dialogue,)
    if group is not None:
        sql += " AND json_extract(profile, '$.group') = ?"
        params += (group,)
    with closing(conn.execute(sql + " GROUP BY 1, 2", params)) as cur:
        return [(str(c), str(lang), int(n)) for c, lang, n in cur.fetchall()]
