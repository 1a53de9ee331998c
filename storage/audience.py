"""Who a facilitator's prompt or poll reaches: consented, reachable, not stopped."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass

from storage.conn import Conn


@dataclass(frozen=True)
class Member:
    participant_id: str
    language: str
    channel: str
    address: str


def members(conn: Conn, dialogue: str, group: str | None = None) -> Iterator[Member]:
    sql = (
        "SELECT p.id, p.language, a.channel, a.address FROM participants p"
        " JOIN addresses a ON a.participant_id = p.id"
        " WHERE p.dialogue = ? AND p.consented_at IS NOT NULL AND p.stopped_at IS NULL"
        " AND p.unreachable_at IS NULL"
    )
    params: tuple[str, ...] = (dialogue,)
    if group is not None:
        sql += " AND json_extract(p.profile, '$.group') = ?"
        params += (group,)
    with closing(conn.execute(sql + " ORDER BY p.id", params)) as cur:
        for row in cur:
            yield Member(row[0], row[1], row[2], row[3])


def set_pending_prompt(conn: Conn, ids: list[str], prompt_id: int) -> None:
    conn.executemany(
        "UPDATE participants SET prompt = ? WHERE id = ?", [(prompt_id, pid) for pid in ids]
    )


def clear_closed_prompts(conn: Conn, closed_before: str) -> int:
    """Stop waiting for replies to polls closed before `closed_before`."""
    cur = conn.execute(
        "UPDATE participants SET prompt = NULL WHERE prompt IN"
        " (SELECT id FROM prompts WHERE closed_at IS NOT NULL AND closed_at < ?)",
        (closed_before,),
    )
    return cur.rowcount
