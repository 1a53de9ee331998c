"""Facilitators added with `baraza facilitators add` (FACILITATORS in .env adds more)."""

from __future__ import annotations

import aiosqlite


async def add(conn: aiosqlite.Connection, address: str, dialogue: str, now: str) -> bool:
    cur = await conn.execute(
        "INSERT OR IGNORE INTO facilitators (address, dialogue, added_at) VALUES (?, ?, ?)",
        (address, dialogue, now),
    )
    return cur.rowcount > 0


async def remove(conn: aiosqlite.Connection, address: str, dialogue: str | None) -> int:
    if dialogue is None:
        cur = await conn.execute("DELETE FROM facilitators WHERE address = ?", (address,))
    else:
        cur = await conn.execute(
            "DELETE FROM facilitators WHERE address = ? AND dialogue = ?", (address, dialogue)
        )
    return cur.rowcount


async def listing(conn: aiosqlite.Connection) -> list[tuple[str, str, str]]:
    async with conn.execute(
        "SELECT address, dialogue, added_at FROM facilitators ORDER BY address, dialogue"
    ) as cur:
        return [(str(a), str(d), str(t)) for a, d, t in await cur.fetchall()]


async def dialogues_of(conn: aiosqlite.Connection, address: str) -> list[str]:
    async with conn.execute(
        "SELECT dialogue FROM facilitators WHERE address = ? ORDER BY dialogue", (address,)
    ) as cur:
        return [str(r[0]) for r in await cur.fetchall()]
