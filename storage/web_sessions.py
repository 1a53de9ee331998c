"""One-time login links and web sessions of facilitators, stored by the sha256 of their
tokens (never the tokens). Times are ISO 8601 UTC strings from the caller's clock."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass

from storage.conn import Conn


@dataclass(frozen=True)
class WebSession:
    facilitator: str
    language: str
    expires_at: str


def add_link(
    conn: Conn,
    token_hash: str,
    facilitator: str,
    language: str,
    now: str,
    expires_at: str,
) -> None:
    """Store a new link, and drop links and sessions that ended or expired before `now`."""
    conn.execute("DELETE FROM web_links WHERE expires_at <= ? OR used_at IS NOT NULL", (now,))
    conn.execute("DELETE FROM web_sessions WHERE expires_at <= ? OR ended_at IS NOT NULL", (now,))
    conn.execute(
        "INSERT INTO web_links (token_hash, facilitator, language, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (token_hash, facilitator, language, now, expires_at),
    )


def redeem(
    conn: Conn,
    link_hash: str,
    session_hash: str,
    now: str,
    session_expires_at: str,
) -> WebSession | None:
    """Use a link once: mark it used and open a session; None if it is unknown, used or
    expired. One UPDATE guarded by `used_at IS NULL`, so two requests cannot both win."""
    cur = conn.execute(
        "UPDATE web_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"
        " AND expires_at > ?",
        (now, link_hash, now),
    )
    if cur.rowcount != 1:
        return None
    with closing(
        conn.execute(
            "SELECT facilitator, language FROM web_links WHERE token_hash = ?", (link_hash,)
        )
    ) as found:
        facilitator, language = found.fetchone()
    conn.execute(
        "INSERT INTO web_sessions (token_hash, facilitator, language, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (session_hash, facilitator, language, now, session_expires_at),
    )
    return WebSession(str(facilitator), str(language), session_expires_at)


def session(conn: Conn, session_hash: str, now: str) -> WebSession | None:
    """The open session with this token hash, if it has not ended or expired."""
    with closing(
        conn.execute(
            "SELECT facilitator, language, expires_at FROM web_sessions WHERE token_hash = ?"
            " AND ended_at IS NULL AND expires_at > ?",
            (session_hash, now),
        )
    ) as cur:
        row = cur.fetchone()
    return None if row is None else WebSession(str(row[0]), str(row[1]), str(row[2]))


def set_language(conn: Conn, session_hash: str, language: str) -> None:
    conn.execute(
        "UPDATE web_sessions SET language = ? WHERE token_hash = ?", (language, session_hash)
    )


def end(conn: Conn, session_hash: str, now: str) -> None:
    conn.execute(
        "UPDATE web_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
        (now, session_hash),
    )


def end_all(conn: Conn, facilitator: str, now: str) -> int:
    """End every open session of a facilitator and void their unused links; returns how
    many sessions were open."""
    conn.execute(
        "UPDATE web_links SET used_at = ? WHERE facilitator = ? AND used_at IS NULL",
        (now, facilitator),
    )
    cur = conn.execute(
        "UPDATE web_sessions SET ended_at = ? WHERE facilitator = ? AND ended_at IS NULL"
        " AND expires_at > ?",
        (now, facilitator, now),
    )
    return cur.rowcount
