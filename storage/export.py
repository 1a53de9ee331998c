"""Export rows: one per answer or prompt response, pseudonymous (no address, ever)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from storage.db import Reader

COLUMNS = (
    "participant",
    "group",
    "age",
    "gender",
    "area",
    "flow",
    "step",
    "value",
    "raw",
    "language",
    "channel",
    "time",
)


async def rows(conn: Reader, dialogue: str) -> AsyncIterator[tuple[Any, ...]]:
    """Answers to flows, then responses to prompts and polls (flow `prompt-<id>`)."""
    # The profile is the one given in this dialogue: someone who moved on to another
    # dialogue has answered its profile questions there, not here.
    profile = ", ".join(
        f"CASE WHEN p.dialogue = ? THEN json_extract(p.profile, '$.{field}') END"
        for field in ("group", "age", "gender", "area")
    )
    async with conn.execute(
        f"SELECT a.participant_id, {profile}, a.flow_id, a.step_id, a.value, a.raw, a.language,"
        " a.channel, a.created_at FROM answers a"
        f" {conn.dialect.join_in_order} participants p"
        " ON p.id = a.participant_id WHERE a.dialogue = ? ORDER BY a.id",
        (*[dialogue] * 4, dialogue),
    ) as cur:
        async for row in cur:
            yield tuple(row)
    async with conn.execute(
        f"SELECT r.participant_id, {profile}, q.kind || '-' || q.id, q.kind, r.value, r.raw,"
        " r.language, r.channel, r.updated_at FROM responses r"
        " JOIN participants p ON p.id = r.participant_id JOIN prompts q ON q.id = r.prompt_id"
        " WHERE r.dialogue = ? AND q.dialogue = r.dialogue ORDER BY q.id, r.created_at",
        (*[dialogue] * 4, dialogue),
    ) as cur:
        async for row in cur:
            yield tuple(row)
