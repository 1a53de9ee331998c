"""Facilitators' drafts: a broadcast previewed and not sent yet (`/prompt`, `/poll`,
`/share`). Only a facilitator's latest draft can be sent, once, before it expires."""

from __future__ import annotations

import json
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from storage.conn import Conn

PENDING = "pending"


@dataclass(frozen=True)
class Draft:
    id: int
    facilitator: str
    dialogue: str
    kind: str
    body: dict[str, Any]
    created_at: str
    expires_at: str
    status: str
    result: int | None

    def expired(self, now: str) -> bool:
        return self.expires_at <= now


def create(
    conn: Conn,
    facilitator: str,
    dialogue: str,
    kind: str,
    body: dict[str, Any],
    now: str,
    expires_at: str,
) -> tuple[int, int]:
    """A new draft, which replaces the facilitator's pending ones; returns (its id, how
    many pending drafts it replaced)."""
    with closing(
        conn.execute(
            "UPDATE drafts SET status = 'replaced', decided_at = ?"
            " WHERE facilitator = ? AND status = 'pending' AND expires_at > ? RETURNING id",
            (now, facilitator, now),
        )
    ) as cur:
        replaced = len(cur.fetchall())
    with closing(
        conn.execute(
            "INSERT INTO drafts (facilitator, dialogue, kind, body, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (facilitator, dialogue, kind, json.dumps(body, ensure_ascii=False), now, expires_at),
        )
    ) as cur:
        row = cur.fetchone()
    return int(row[0]), replaced


def latest(conn: Conn, facilitator: str) -> Draft | None:
    with closing(
        conn.execute(
            "SELECT id, facilitator, dialogue, kind, body, created_at, expires_at, status,"
            " result FROM drafts WHERE facilitator = ? ORDER BY id DESC LIMIT 1",
            (facilitator,),
        )
    ) as cur:
        r = cur.fetchone()
    if r is None:
        return None
    return Draft(
        int(r[0]),
        str(r[1]),
        str(r[2]),
        str(r[3]),
        json.loads(r[4]),
        str(r[5]),
        str(r[6]),
        str(r[7]),
        None if r[8] is None else int(r[8]),
    )


def decide(
    conn: Conn, draft_id: int, status: str, now: str, result: int | None = None
) -> bool:
    """Mark a pending draft sent or cancelled; False if it was not pending any more."""
    cur = conn.execute(
        "UPDATE drafts SET status = ?, decided_at = ?, result = ?"
        " WHERE id = ? AND status = 'pending'",
        (status, now, result, draft_id),
    )
    return cur.rowcount > 0


def prune(conn: Conn, before: str) -> int:
    """Forget drafts made before `before` (long decided or expired)."""
    cur = conn.execute("DELETE FROM drafts WHERE created_at < ?", (before,))
    return cur.rowcount
