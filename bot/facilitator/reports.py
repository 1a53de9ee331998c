"""`/dashboard [page]`, `/answers ID [page]`, `/export [floip]`, `/statements report` and
`/web`. The first four are long reads: they are made before the command's transaction
(`prepare_*`, on the reader connection) and their reply is queued in it, with the claim
of the message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.deliberation import report as deliberation_report
from bot.dialogues import Dialogue
from bot.engine.io import Message
from bot.facilitator import answers, dashboard, export, floip
from bot.facilitator.call import Call
from bot.facilitator.parse import UsageError
from bot.facilitator.questions import group_labels
from bot.flows import Flow
from bot.i18n import Translator
from bot.web import login
from storage import web_sessions
from storage.db import Database


@dataclass(frozen=True)
class Reading:
    """What a long read needs: the database, the texts and flows, who reads and what."""

    db: Database
    tr: Translator
    flows: Mapping[str, Flow]
    dialogue: Dialogue
    now: datetime
    lang: str
    files: Path
    body: str
    """The command's text after its name (`2` for a page, `explore-challenge 2`...)."""


@dataclass(frozen=True)
class Prepared:
    messages: list[Message]
    files: list[Path] = field(default_factory=list)
    """Files written for the reply (removed if the command turns out to be a repeat)."""
    rows: int = 0


def _page(text: str) -> int:
    return int(text) if text.strip().isdigit() and int(text) > 0 else 1


async def prepare_dashboard(r: Reading) -> Prepared:
    board = await dashboard.build(
        r.db, r.dialogue, r.now, r.lang, tr=r.tr, flows=r.flows, page=_page(r.body)
    )
    png = r.files / f"dashboard-{r.dialogue.code}-{r.now:%Y%m%d-%H%M%S}.png"
    return Prepared(dashboard.messages(board, png), [png])


async def prepare_answers(r: Reading) -> Prepared:
    wanted, _, page = r.body.strip().partition(" ")
    message = await answers.message(
        r.db, r.dialogue, r.flows, r.tr, wanted, _page(page), r.lang
    )
    return Prepared([message])


async def prepare_export(r: Reading) -> Prepared:
    """CSV (with the question and the answer as people saw them), or `/export floip`: a
    Flow Results package as one .zip file."""
    d, stamp = r.dialogue, f"{r.now:%Y%m%d-%H%M%S}"
    questions = await export.codebook(r.db, d, r.flows, r.tr)
    if r.body.strip().lower() == "floip":
        out = r.files / f"floip-{d.code}-{stamp}.zip"
        rows = await floip.write(r.db, d, questions, out, lang=r.lang, now=r.now)
    else:
        out = r.files / f"export-{d.code}-{stamp}.csv"
        rows = await export.write(r.db, d.code, "csv", out, questions=questions, lang=r.lang)
    return Prepared([], [out], rows)


async def prepare_statements(r: Reading) -> Prepared | None:
    """`/statements report`: the deliberation's analysis (other `/statements` forms are
    quick and run in the command's transaction)."""
    if r.body.strip().lower() != "report":
        return None
    approved, result, pending = await r.db.read(
        lambda conn: deliberation_report.read(conn, r.dialogue.code)
    )
    built = deliberation_report.build(r.dialogue.code, approved, result, pending, r.lang)

    def t(msg_id: str, **args: str | int) -> str:
        return r.tr(r.lang, msg_id, **args)

    labels = group_labels(r.dialogue, r.flows, r.tr)

    def label(group: str) -> str:
        return labels.get(group, {}).get(r.lang) or group

    return Prepared([Message(deliberation_report.text(built, t, label))])


def show_prepared(call: Call) -> list[Message]:
    found: Prepared = call.prepared
    return found.messages


def show_export(call: Call) -> list[Message]:
    found: Prepared = call.prepared
    text = call.t("fac-export-ready", code=call.dialogue.code, rows=found.rows)
    return [Message(text, attachment=str(found.files[0]))]


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
