"""Statements of a deliberation, their moderation and the votes on them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from bot.engine.io import Response
from storage.conn import Conn


@dataclass(frozen=True)
class StatementRow:
    id: int
    dialogue: str
    texts: dict[str, str]
    origin: str
    source: str
    status: str
    created_at: str

    def text_in(self, lang: str) -> str:
        return self.texts.get(lang) or self.texts.get(self.origin) or next(iter(self.texts.values()))


def _row(r: Any) -> StatementRow:
    return StatementRow(
        int(r[0]), str(r[1]), json.loads(r[2]), str(r[3]), str(r[4]), str(r[5]), str(r[6])
    )


_COLUMNS = "id, dialogue, texts, origin, source, status, created_at"


def create(
    conn: Conn,
    dialogue: str,
    texts: dict[str, str],
    origin: str,
    source: str,
    status: str,
    now: str,
    author: str | None = None,
) -> int:
    with closing(
        conn.execute(
            "INSERT INTO statements (dialogue, texts, origin, source, author, status, created_at,"
            " decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                dialogue,
                json.dumps(texts, ensure_ascii=False),
                origin,
                source,
                author,
                status,
                now,
                now if status != "pending" else None,
            ),
        )
    ) as cur:
        return int(cur.fetchone()[0])


def get(conn: Conn, statement_id: int) -> StatementRow | None:
    with closing(
        conn.execute(f"SELECT {_COLUMNS} FROM statements WHERE id = ?", (statement_id,))
    ) as cur:
        row = cur.fetchone()
    return None if row is None else _row(row)


def listing(conn: Conn, dialogue: str, status: str) -> list[StatementRow]:
    with closing(
        conn.execute(
            f"SELECT {_COLUMNS} FROM statements WHERE dialogue = ? AND status = ? ORDER BY id",
            (dialogue, status),
        )
    ) as cur:
        return [_row(r) for r in cur.fetchall()]


def decide(
    conn: Conn,
    statement_id: int,
    status: str,
    now: str,
    texts: dict[str, str] | None = None,
) -> bool:
    """Approve (adding translations) or reject a statement; False if there is none."""
    found = get(conn, statement_id)
    if found is None:
        return False
    merged = {**found.texts, **(texts or {})}
    conn.execute(
        "UPDATE statements SET status = ?, texts = ?, decided_at = ? WHERE id = ?",
        (status, json.dumps(merged, ensure_ascii=False), now, statement_id),
    )
    return True


def save_votes(
    conn: Conn,
    pid: str,
    dialogue: str,
    votes: list[Response],
    channel: str,
    now: str,
) -> None:
    """A new vote replaces the old one (while the statement is open: the engine checked)."""
    conn.executemany(
        "INSERT INTO statement_votes (statement_id, participant_id, dialogue, vote, channel,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (statement_id, participant_id) DO UPDATE SET vote = excluded.vote,"
        " channel = excluded.channel, updated_at = excluded.updated_at",
        [(v.prompt_id, pid, dialogue, int(v.value), channel, now, now) for v in votes],
    )


def vote_of(conn: Conn, statement_id: int, pid: str) -> int | None:
    with closing(
        conn.execute(
            "SELECT vote FROM statement_votes WHERE statement_id = ? AND participant_id = ?",
            (statement_id, pid),
        )
    ) as cur:
        row = cur.fetchone()
    return None if row is None else int(row[0])


def candidates(conn: Conn, dialogue: str, pid: str, limit: int) -> list[int]:
    """Approved statements this person has not voted on, so that every statement gathers
    votes: the least voted first, the newest first among equals."""
    with closing(
        conn.execute(
            "SELECT s.id FROM statements s LEFT JOIN statement_votes v ON v.statement_id = s.id"
            " WHERE s.dialogue = ? AND s.status = 'approved' AND NOT EXISTS"
            " (SELECT 1 FROM statement_votes m WHERE m.statement_id = s.id"
            "  AND m.participant_id = ?)"
            " GROUP BY s.id ORDER BY count(v.participant_id), s.id DESC LIMIT ?",
            (dialogue, pid, limit),
        )
    ) as cur:
        return [int(r[0]) for r in cur.fetchall()]


def votes(conn: Conn, dialogue: str) -> Iterator[tuple[str, int, int, str]]:
    """(participant, statement, vote, stakeholder group as given in this dialogue)."""
    with closing(
        conn.execute(
            "SELECT v.participant_id, v.statement_id, v.vote, CASE WHEN p.dialogue = v.dialogue"
            " THEN coalesce(json_extract(p.profile, '$.group'), 'unknown') ELSE 'unknown' END"
            " FROM statement_votes v JOIN participants p ON p.id = v.participant_id"
            " JOIN statements s ON s.id = v.statement_id"
            " WHERE v.dialogue = ? AND s.status = 'approved'",
            (dialogue,),
        )
    ) as cur:
        for r in cur:
            yield str(r[0]), int(r[1]), int(r[2]), str(r[3])
