"""Aggregates for the dashboard. Plain counts; suppression of small groups is the caller's."""

from __future__ import annotations

from typing import Any

from storage.db import Reader


async def _rows(conn: Reader, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    async with conn.execute(sql, params) as cur:
        return [tuple(r) for r in await cur.fetchall()]


async def people(conn: Reader, dialogue: str, since: str) -> list[Any]:
    """One pass over a dialogue's participants, grouped by everything the dashboard
    counts: (group, channel, language, consented, active since, stopped, unreachable, n)."""
    return await _rows(
        conn,
        "SELECT coalesce(json_extract(profile, '$.group'), 'unknown'), channel, language,"
        " consented_at IS NOT NULL, last_seen_at >= ?, stopped_at IS NOT NULL,"
        " unreachable_at IS NOT NULL, count(*) FROM participants WHERE dialogue = ?"
        " GROUP BY 1, 2, 3, 4, 5, 6, 7",
        (since, dialogue),
    )


async def flows_finished(conn: Reader, dialogue: str) -> dict[str, int]:
    rows = await _rows(
        conn,
        "SELECT flow_id, count(DISTINCT participant_id) FROM runs"
        " WHERE dialogue = ? AND status = 'completed' GROUP BY flow_id",
        (dialogue,),
    )
    return {str(k): int(v) for k, v in rows}


async def waiting_at(conn: Reader, dialogue: str) -> list[tuple[str, str, int]]:
    """(flow, step, people) whose run is still open at that step: where people drop out."""
    rows = await _rows(
        conn,
        "SELECT flow_id, step_id, count(*) FROM runs WHERE dialogue = ? AND status = 'active'"
        " GROUP BY flow_id, step_id",
        (dialogue,),
    )
    return [(str(f), str(s), int(n)) for f, s, n in rows]


async def responders(conn: Reader, dialogue: str) -> dict[int, int]:
    rows = await _rows(
        conn,
        "SELECT r.prompt_id, count(*) FROM responses r JOIN prompts q ON q.id = r.prompt_id"
        " WHERE q.dialogue = ? GROUP BY r.prompt_id",
        (dialogue,),
    )
    return {int(k): int(v) for k, v in rows}


async def votes_by_group(conn: Reader, prompt_id: int) -> list[tuple[str, str, int]]:
    """(group, option index, votes) for a poll."""
    rows = await _rows(
        conn,
        "SELECT CASE WHEN p.dialogue = r.dialogue THEN"
        " coalesce(json_extract(p.profile, '$.group'), 'unknown') ELSE 'unknown' END,"
        " r.value, count(*) FROM responses r JOIN participants p ON p.id = r.participant_id"
        " WHERE r.prompt_id = ? GROUP BY 1, 2",
        (prompt_id,),
    )
    return [(str(g), str(v), int(n)) for g, v, n in rows]


async def broadcast_progress(conn: Reader, dialogue: str) -> dict[str, int]:
    rows = await _rows(
        conn,
        "SELECT status, count(*) FROM outbox WHERE dialogue = ? AND priority = 1 GROUP BY status",
        (dialogue,),
    )
    return {str(k): int(v) for k, v in rows}
