"""The agenda items a turn touches, as the engine sees them (`ItemView`s), read from
storage inside the turn's transaction: polls and prompts with their texts and whether the
participant may answer them now, results shared back, session reminders."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bot import cells
from bot.dialogues import Dialogue
from bot.engine.io import (
    Figure,
    InfoView,
    ItemView,
    Message,
    PollView,
    PromptView,
    Results,
    StatementView,
)
from bot.engine.state import Item, Participant
from bot.i18n import Translator
from storage import infos, prompts, statements
from storage.conn import Conn
from storage.prompts import PromptRow


def eligible(row: PromptRow, p: Participant) -> bool:
    """In the poll's audience: its dialogue, and its `--to` group if it has one."""
    return row.dialogue == p.dialogue and (
        row.target is None or p.profile.get("group") == row.target
    )


def poll_table(votes: list[tuple[str, str, int]], width: int) -> cells.Table:
    """A poll's votes by stakeholder group, through the small-cell rule. Its `overall`
    is what every display of the poll shows (/results, /share, the dashboard), so that
    no two of them together give a small count away."""
    by_group: dict[str, list[int]] = {}
    for group, value, n in votes:
        counts = by_group.setdefault(group, [0] * width)
        if value.isdigit() and int(value) < width:
            counts[int(value)] += n
    return cells.table(by_group, width)


def results_message(row: PromptRow, shown: cells.Line, lang: str, tr: Translator) -> Message:
    """A poll's results as participants see them, through the small-cell rule; with
    fewer than 5 votes, only that results come when more have voted."""
    labels = row.options(lang)
    question = str(row.text_in(lang)["question"])
    if not shown.enough:
        return Message(tr(lang, "share-too-few", id=row.id, question=question))
    header = tr(lang, "share-header", id=row.id, question=question, votes=shown.total.text)
    figures = tuple(
        Figure(label, cell.text, cell.share_of(shown.total))
        for label, cell in zip(labels, shown.parts, strict=True)
    )
    return Message(header, results=Results(header, figures))


def load(
    conn: Conn,
    p: Participant,
    items: Iterable[Item],
    now: datetime,
    *,
    tr: Translator,
    dialogues: Mapping[str, Dialogue],
    with_vote: Item | None = None,
    cache: dict[tuple[str, int], Any] | None = None,
) -> dict[Item, ItemView]:
    """`cache`: prompts and tallies read once for a batch of participants (a broadcast's
    deliveries in one transaction all look at the same poll)."""
    stamp = now.isoformat()
    found: dict[Item, ItemView] = {}
    memo: dict[tuple[str, int], Any] = {} if cache is None else cache
    for item in set(items):
        if item.kind == "notice":
            view = _notice(item, p, now, tr, dialogues)
            if view is not None:
                found[item] = view
            continue
        if item.kind == "info":
            if ("info", item.id) not in memo:
                memo["info", item.id] = infos.get(conn, item.id)
            info = memo["info", item.id]
            if info is not None:
                said = {lang: Message(text) for lang, text in info[1].items()}
                found[item] = InfoView(said, live=info[0] == p.dialogue)
            continue
        if item.kind == "statement":
            st = statements.get(conn, item.id)
            if st is not None:
                vote = statements.vote_of(conn, st.id, p.id) if item == with_vote else None
                found[item] = StatementView(
                    st.id,
                    st.texts,
                    st.origin,
                    st.status == "approved",
                    st.dialogue == p.dialogue,
                    vote,
                )
            continue
        if ("row", item.id) not in memo:
            memo["row", item.id] = prompts.get(conn, item.id)
        row: PromptRow | None = memo["row", item.id]
        if row is None:
            continue
        if item.kind == "results":
            if ("votes", row.id) not in memo:
                memo["votes", row.id] = prompts.votes_by_group(conn, row.id)
            shown = poll_table(memo["votes", row.id], len(row.options("en")))
            texts = {lang: results_message(row, shown.overall, lang, tr) for lang in row.texts}
            found[item] = InfoView(texts, live=row.dialogue == p.dialogue)
        elif item.kind == "poll" and row.kind == "poll":
            vote = None
            if item == with_vote:
                value = prompts.response_of(conn, row.id, p.id)
                vote = int(value) if value is not None and value.isdigit() else None
            found[item] = PollView(
                row.id,
                {lang: str(t["question"]) for lang, t in row.texts.items()},
                {lang: tuple(row.options(lang)) for lang in row.texts},
                row.is_open(stamp),
                eligible(row, p),
                vote,
            )
        elif item.kind == "prompt" and row.kind == "prompt":
            found[item] = PromptView(
                row.id,
                {lang: str(t["question"]) for lang, t in row.texts.items()},
                row.is_open(stamp),
                eligible(row, p),
            )
    return found


def _notice(
    item: Item, p: Participant, now: datetime, tr: Translator, dialogues: Mapping[str, Dialogue]
) -> InfoView | None:
    """A session reminder: notice n is the n-th session of the participant's dialogue."""
    d = dialogues.get(p.dialogue)
    if d is None or not 0 <= item.id < len(d.sessions):
        return None
    session = d.sessions[item.id]
    when = session.at.astimezone(d.zone()).strftime("%Y-%m-%d %H:%M")
    texts: dict[str, Message] = {
        lang: Message(
            tr(lang, "session-reminder", title=session.title or d.title_in(lang), date=when)
        )
        for lang in d.spoken(tr.languages)
    }
    return InfoView(texts, live=session.at > now)
