"""Aggregates for the dashboard. Plain counts; suppression of small groups is the caller's."""

from __future__ import annotations

from typing import Any

import aiosqlite


async def _rows(
    conn: aiosqlite.Connection, sql: str, params: tuple[Any, ...]
) -> list[tuple[Any, ...]]:
    async with conn.execute(sql, params) as cur:
        return [tuple(r) for r in await cur.fetchall()]


async def totals(conn: aiosqlite.Connection, dialogue: str, since: str) -> dict[str, int]:
    [row] = await _rows(
        conn,
        "SELECT count(*), count(consented_at), sum(last_seen_at >= ?), count(stopped_at),"
        " count(unreachable_at) FROM participants WHERE dialogue = ?",
        (since, dialogue),
    )
    joined, consented, active, stopped, unreachable = (int(x or 0) for x in row)
    return {
        "joined": joined,
        "consented": consented,
        "active_24h": active,
        "stopped": stopped,
        "unreachable": unreachable,
    }


async def by_column(conn: aiosqlite.Connection, dialogue: str, column: str) -> dict[str, int]:
    """Consented participants counted by `group` (profile), `channel` or `language`."""
    expr = {
        "group": "coalesce(json_extract(profile, '$.group'), 'unknown')",
        "channel": "channel",
        "language": "language",
    }[column]
    rows = await _rows(
        conn,
        f"SELECT {expr}, count(*) FROM participants WHERE dialogue = ? AND consented_at IS NOT NULL"
        " GROUP BY 1",
        (dialogue,),
    )
    return {str(k): int(v) for k, v in rows}


async def flows_finished(conn: aiosqlite.Connection, dialogue: str) -> dict[str, int]:
    rows = await _rows(
        conn,
        "SELECT r.flow_id, count(DISTINCT r.participant_id) FROM runs r"
        " JOIN participants p ON p.id = r.participant_id"
        " WHERE p.dialogue = ? AND r.status = 'completed' GROUP BY r.flow_id",
        (dialogue,),
    )
    return {str(k): int(v) for k, v in rows}


async def waiting_at(conn: aiosqlite.Connection, dialogue: str) -> list[tuple[str, str, int]]:
    """(flow, step, people) whose run is still open at that step: where people drop out."""
    rows = await _rows(
        conn,
        "SELECT r.flow_id, r.step_id, count(*) FROM runs r"
        " JOIN participants p ON p.id = r.participant_id"
        " WHERE p.dialogue = ? AND r.status = 'active' GROUP BY r.flow_id, r.step_id",
        (dialogue,),
    )
    return [(str(f), str(s), int(n)) for f, s, n in rows]


async def responders(conn: aiosqlite.Connection, dialogue: str) -> dict[int, int]:
    rows = await _rows(
        conn,
        "SELECT r.prompt_id, count(*) FROM responses r JOIN prompts q ON q.id = r.prompt_id"
        " WHERE q.dialogue = ? GROUP BY r.prompt_id",
        (dialogue,),
    )
    return {int(k): int(v) for k, v in rows}


async def votes_by_group(conn: aiosqlite.Connection, prompt_id: int) -> list[tuple[str, str, int]]:
    """(group, option index, votes) for a poll."""
    rows = await _rows(
        conn,
        "SELECT coalesce(json_extract(p.profile, '$.group'), 'unknown'), r.value, count(*)"
        " FROM responses r JOIN participants p ON p.id = r.participant_id"
        " WHERE r.prompt_id = ? GROUP BY 1, 2",
        (prompt_id,),
    )
    return [(str(g), str(v), int(n)) for g, v, n in rows]


async def broadcast_progress(conn: aiosqlite.Connection, dialogue: str) -> dict[str, int]:
    rows = await _rows(
        conn,
        "SELECT status, count(*) FROM outbox WHERE dialogue = ? AND priority = 1 GROUP BY status",
        (dialogue,),
    )
    return {str(k): int(v) for k, v in rows}
