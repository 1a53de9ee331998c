"""Every flow version runs were started on, so a run in progress keeps its version."""

from __future__ import annotations

import aiosqlite


async def remember(
    conn: aiosqlite.Connection, version: str, flow_id: str, body: str, now: str
) -> None:
    await conn.execute(
        "INSERT OR IGNORE INTO flow_versions (version, flow_id, body, created_at) VALUES (?, ?, ?, ?)",
        (version, flow_id, body, now),
    )


async def all_versions(conn: aiosqlite.Connection) -> list[tuple[str, str]]:
    """(version, body JSON) of every stored version."""
    async with conn.execute("SELECT version, body FROM flow_versions") as cur:
        return [(str(r[0]), str(r[1])) for r in await cur.fetchall()]
