"""Information told once to a dialogue's participants, in each language."""

from __future__ import annotations

import json
from contextlib import closing

from storage.conn import Conn


def create(conn: Conn, dialogue: str, texts: dict[str, str], now: str) -> int:
    with closing(
        conn.execute(
            "INSERT INTO infos (dialogue, texts, created_at) VALUES (?, ?, ?) RETURNING id",
            (dialogue, json.dumps(texts, ensure_ascii=False), now),
        )
    ) as cur:
        return int(cur.fetchone()[0])


def get(conn: Conn, info_id: int) -> tuple[str, dict[str, str]] | None:
    """(dialogue, texts by language)."""
    with closing(conn.execute("SELECT dialogue, texts FROM infos WHERE id = ?", (info_id,))) as cur:
        row = cur.fetchone()
    return None if row is None else (str(row[0]), json.loads(row[1]))
