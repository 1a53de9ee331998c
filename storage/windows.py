"""Messaging windows: who of a broadcast's audience a channel can no longer write to freely.

WhatsApp takes free-form messages only within 24 hours of the person's last message
(`bot.channels.whatsapp.window`); outside it a broadcast goes as a pre-approved template,
or waits until the person writes. The facilitator's preview says how many that is.
"""

from __future__ import annotations

from contextlib import closing

from storage.conn import Conn


def outside_window(
    conn: Conn,
    channel: str,
    dialogue: str,
    since: str,
    group: str | None = None,
) -> int:
    """How many of the people a broadcast to `dialogue` (or its stakeholder `group`)
    reaches are on `channel` and last wrote before `since` (ISO-8601 UTC)."""
    sql = (
        "SELECT count(*) FROM participants p JOIN addresses a ON a.participant_id = p.id"
        " WHERE p.dialogue = ? AND a.channel = ? AND p.consented_at IS NOT NULL"
        " AND p.stopped_at IS NULL AND p.unreachable_at IS NULL AND p.last_seen_at < ?"
    )
    params: tuple[str, ...] = (dialogue, channel, since)
    if group is not None:
        sql += " AND json_extract(p.profile, '$.group') = ?"
        params += (group,)
    with closing(conn.execute(sql, params)) as cur:
        row = cur.fetchone()
    return int(row[0]) if row else 0
