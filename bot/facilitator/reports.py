"""`/dashboard`, `/export` and `/web`. The dashboard and the export are long reads: they
are made before the command's transaction (`prepare_*`, on the reader connection) and
their reply is queued in it, with the claim of the message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.dialogues import Dialogue
from bot.engine.io import Message
from bot.facilitator import dashboard, export
from bot.facilitator.call import Call
from bot.facilitator.parse import UsageError
from bot.web import login
from storage import web_sessions
from storage.db import Database


@dataclass(frozen=True)
class Prepared:
    text: str
    file: Path


async def prepare_dashboard(
    db: Database, d: Dialogue, now: datetime, lang: str, files: Path
) -> Prepared:
    board = await dashboard.build(db, d, now, lang)
    png = dashboard.chart(board, files / f"dashboard-{d.code}-{now:%Y%m%d-%H%M%S}.png")
    return Prepared(dashboard.text(board), png)


async def prepare_export(
    db: Database, d: Dialogue, now: datetime, lang: str, files: Path
) -> Prepared:
    out = files / f"export-{d.code}-{now:%Y%m%d-%H%M%S}.csv"
    rows = await export.write(db, d.code, "csv", out)
    return Prepared(str(rows), out)


def show_dashboard(call: Call) -> list[Message]:
    found: Prepared = call.prepared
    return [Message(found.text, attachment=str(found.file))]


def show_export(call: Call) -> list[Message]:
    found: Prepared = call.prepared
    text = call.t("fac-export-ready", code=call.dialogue.code, rows=int(found.text))
    return [Message(text, attachment=str(found.file))]


def web(call: Call, base: str) -> list[Message]:
    """`/web` -> a one-time link to the web dashboard; `/web off` -> signed out
    everywhere (`bot.web.login`), in the command's transaction."""
    arg = call.cmd.body.strip().lower()
    if arg == "off":
        count = web_sessions.end_all(call.conn, call.who, login.stamp(call.now))
        return [Message(call.t("fac-web-off", count=count))]
    if arg:
        raise UsageError("fac-usage-web")
    token = login.new_token()
    web_sessions.add_link(
        call.conn,
        login.digest(token),
        call.who,
        call.lang,
        login.stamp(call.now),
        login.stamp(call.now + login.LINK_TTL),
    )
    minutes = int(login.LINK_TTL.total_seconds() // 60)
    url = f"{base}{login.LOGIN_PATH}{token}"
    return [Message(call.t("fac-web-link", url=url, minutes=minutes))]
