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


async def floip_rows(conn: Reader, dialogue: str) -> AsyncIterator[tuple[Any, ...]]:
    """For a Flow Results package, every answer, every prompt or poll response, then every
    vote on a statement: (row id, time, participant, session, question id, value,
    language, channel). A session is a run of a flow, the one response to a prompt, or a
    person's votes on the statements."""
    async with conn.execute(
        "SELECT 'a' || a.id, a.created_at, a.participant_id,"
        " a.participant_id || '-' || coalesce(a.run_no, 0), a.flow_id || '-' || a.step_id,"
        " a.value, a.language, a.channel FROM answers a WHERE a.dialogue = ? ORDER BY a.id",
        (dialogue,),
    ) as cur:
        async for row in cur:
            yield tuple(row)
    async with conn.execute(
        "SELECT q.kind || '-' || q.id || '-' || r.participant_id, r.updated_at, r.participant_id,"
        " r.participant_id || '-' || q.kind || '-' || q.id, q.kind || '-' || q.id, r.value,"
        " r.language, r.channel FROM responses r JOIN prompts q ON q.id = r.prompt_id"
        " WHERE r.dialogue = ? AND q.dialogue = r.dialogue ORDER BY q.id, r.created_at",
        (dialogue,),
    ) as cur:
        async for row in cur:
            yield tuple(row)
    async with conn.execute(
        "SELECT 'statement-' || v.statement_id || '-' || v.participant_id, v.updated_at,"
        " v.participant_id, v.participant_id || '-statements', 'statement-' || v.statement_id,"
        " CASE v.vote WHEN 1 THEN 'agree' WHEN -1 THEN 'disagree' ELSE 'pass' END,"
        " p.language, v.channel FROM statement_votes v"
        " JOIN statements s ON s.id = v.statement_id JOIN participants p ON p.id = v.participant_id"
        " WHERE v.dialogue = ? AND s.status = 'approved' ORDER BY v.statement_id, v.created_at",
        (dialogue,),
    ) as cur:
        async for row in cur:
            yield tuple(row)


async def statement_texts(conn: Reader, dialogue: str) -> list[tuple[int, str]]:
    """(id, texts as JSON) of a dialogue's approved statements, in order."""
    async with conn.execute(
        "SELECT id, texts FROM statements WHERE dialogue = ? AND status = 'approved' ORDER BY id",
        (dialogue,),
    ) as cur:
        return [(int(r[0]), str(r[1])) for r in await cur.fetchall()]
