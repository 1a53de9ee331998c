"""Facilitators' prompts and polls, and the responses to them (one per participant)."""

from __future__ import annotations

import json
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from bot.engine.io import Response
from storage.conn import Conn


@dataclass(frozen=True)
class PromptRow:
    id: int
    dialogue: str
    kind: str
    texts: dict[str, dict[str, Any]]
    target: str | None
    created_at: str
    closes_at: str | None
    sent_at: str | None
    closed_at: str | None
    shared_at: str | None
    reached: int

    opens_at: str = ""

    def text_in(self, lang: str) -> dict[str, Any]:
        return self.texts.get(lang) or next(iter(self.texts.values()))

    def is_open(self, now: str) -> bool:
        """Sent (opened) and neither closed by a facilitator nor past its deadline."""
        return (
            self.sent_at is not None
            and self.closed_at is None
            and (self.closes_at is None or self.closes_at > now)
        )

    def options(self, lang: str) -> list[str]:
        return [str(o) for o in self.text_in(lang).get("options", [])]


def _row(r: Any) -> PromptRow:
    return PromptRow(
        r["id"],
        r["dialogue"],
        r["kind"],
        json.loads(r["texts"]),
        r["target"],
        r["created_at"],
        r["closes_at"],
        r["sent_at"],
        r["closed_at"],
        r["shared_at"],
        r["reached"],
        r["opens_at"],
    )


def create(
    conn: Conn,
    dialogue: str,
    kind: str,
    texts: dict[str, dict[str, Any]],
    target: str | None,
    created_by: str,
    now: str,
    closes_at: str | None,
    opens_at: str | None = None,
) -> int:
    # Numbered max + 1 on both backends (SQLite's INTEGER PRIMARY KEY does so itself): a
    # PostgreSQL sequence would skip the number of a poll whose command was rolled back,
    # and the preview promises the number (`next_id`). Two processes taking the same
    # number: one meets the primary key and its job runs again.
    cur = conn.execute(
        "INSERT INTO prompts (id, dialogue, kind, texts, target, created_by, created_at,"
        " opens_at, closes_at) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM prompts),"
        " ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            dialogue,
            kind,
            json.dumps(texts, ensure_ascii=False),
            target,
            created_by,
            now,
            opens_at or now,
            closes_at,
        ),
    )
    row = cur.fetchone()
    cur.close()
    return int(row[0])


def get(conn: Conn, prompt_id: int) -> PromptRow | None:
    with closing(conn.execute("SELECT * FROM prompts WHERE id = ?", (prompt_id,))) as cur:
        row = cur.fetchone()
    return _row(row) if row else None


def latest(conn: Conn, dialogue: str, kind: str = "poll") -> PromptRow | None:
    with closing(
        conn.execute(
            "SELECT * FROM prompts WHERE dialogue = ? AND kind = ? AND sent_at IS NOT NULL"
            " ORDER BY id DESC LIMIT 1",
            (dialogue, kind),
        )
    ) as cur:
        row = cur.fetchone()
    return _row(row) if row else None


def numbers(conn: Conn, dialogue: str, kind: str) -> list[int]:
    """The ids of a dialogue's polls (or prompts), sent or scheduled, in order."""
    with closing(
        conn.execute(
            "SELECT id FROM prompts WHERE dialogue = ? AND kind = ? ORDER BY id", (dialogue, kind)
        )
    ) as cur:
        return [int(r[0]) for r in cur.fetchall()]


def next_id(conn: Conn) -> int:
    """The id the next prompt or poll will most likely get (for previews)."""
    with closing(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM prompts")) as cur:
        return int(cur.fetchone()[0])


def response_count(conn: Conn, prompt_id: int) -> int:
    with closing(
        conn.execute("SELECT count(*) FROM responses WHERE prompt_id = ?", (prompt_id,))
    ) as cur:
        return int(cur.fetchone()[0])


def all_for(conn: Conn, dialogue: str) -> list[PromptRow]:
    with closing(
        conn.execute("SELECT * FROM prompts WHERE dialogue = ? ORDER BY id", (dialogue,))
    ) as cur:
        return [_row(r) for r in cur.fetchall()]


def save_responses(
    conn: Conn,
    pid: str,
    dialogue: str,
    responses: list[Response],
    language: str,
    channel: str,
    now: str,
) -> None:
    """A new vote replaces the old one (only while the poll is open: the engine checked)."""
    conn.executemany(
        "INSERT INTO responses (prompt_id, participant_id, value, raw, language, channel,"
        " created_at, updated_at, dialogue) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (prompt_id, participant_id) DO UPDATE SET value = excluded.value,"
        " raw = excluded.raw, updated_at = excluded.updated_at, language = excluded.language,"
        " channel = excluded.channel",
        [
            (r.prompt_id, pid, r.value, r.raw, language, channel, now, now, dialogue)
            for r in responses
        ],
    )


def response_of(conn: Conn, prompt_id: int, pid: str) -> str | None:
    with closing(
        conn.execute(
            "SELECT value FROM responses WHERE prompt_id = ? AND participant_id = ?",
            (prompt_id, pid),
        )
    ) as cur:
        row = cur.fetchone()
    return None if row is None else str(row[0])


def mark_sent(conn: Conn, prompt_id: int, reached: int, now: str) -> None:
    conn.execute(
        "UPDATE prompts SET sent_at = ?, reached = ? WHERE id = ?", (now, reached, prompt_id)
    )


def close(conn: Conn, prompt_id: int, now: str) -> bool:
    cur = conn.execute(
        "UPDATE prompts SET closed_at = ? WHERE id = ? AND closed_at IS NULL", (now, prompt_id)
    )
    return cur.rowcount > 0


def open_due(conn: Conn, now: str) -> list[int]:
    """Mark the scheduled prompts and polls whose time has come as sent, and return them:
    one statement, so two processes can never both open the same one. One closed before
    it opened never opens."""
    with closing(
        conn.execute(
            "UPDATE prompts SET sent_at = ? WHERE sent_at IS NULL AND closed_at IS NULL"
            " AND opens_at <= ? RETURNING id",
            (now, now),
        )
    ) as cur:
        return sorted(int(r[0]) for r in cur.fetchall())


def due_to_close(conn: Conn, now: str) -> list[int]:
    with closing(
        conn.execute(
            "SELECT id FROM prompts WHERE closed_at IS NULL AND closes_at IS NOT NULL AND closes_at <= ?",
            (now,),
        )
    ) as cur:
        return [int(r[0]) for r in cur.fetchall()]


def mark_shared(conn: Conn, prompt_id: int, now: str) -> None:
    conn.execute("UPDATE prompts SET shared_at = ? WHERE id = ?", (now, prompt_id))


def tally(conn: Conn, prompt_id: int) -> dict[str, int]:
    """Votes per option index (as text) for a poll; responses count for a prompt."""
    with closing(
        conn.execute(
            "SELECT value, count(*) FROM responses WHERE prompt_id = ? GROUP BY value", (prompt_id,)
        )
    ) as cur:
        return {str(r[0]): int(r[1]) for r in cur.fetchall()}


def votes_by_group(conn: Conn, prompt_id: int) -> list[tuple[str, str, int]]:
    """(stakeholder group, option index, votes) of a poll; the group as given in the
    poll's dialogue ('unknown' for someone who has since moved to another dialogue)."""
    with closing(
        conn.execute(
            "SELECT CASE WHEN p.dialogue = r.dialogue THEN"
            " coalesce(json_extract(p.profile, '$.group'), 'unknown') ELSE 'unknown' END,"
            " r.value, count(*) FROM responses r JOIN participants p ON p.id = r.participant_id"
            " WHERE r.prompt_id = ? GROUP BY 1, 2",
            (prompt_id,),
        )
    ) as cur:
        return [(str(g), str(v), int(n)) for g, v, n in cur.fetchall()]
