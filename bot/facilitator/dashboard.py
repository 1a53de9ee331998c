"""The dashboard: who is at the table, against the stakeholder targets, and what they said.

In the facilitator's language (`locales/*/dashboard.ftl`, labels from the flows' texts).
Every figure goes through the small-cell rule (`bot.cells`): counts under 5 show as
`<5`, groups under 5 are never broken down, and no total or percentage gives a hidden
count away. Counts of people that are parts of a shown total (groups, channels,
languages, the options of a question) are protected together (`cells.line`).

`build` reads; `text` (the chat and the terminal), `messages` (the chat, split to fit),
`chart` (a PNG) and `rich_tables` (the terminal) show.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot import cells
from bot.deliberation import report as deliberation_report
from bot.deliberation.report import Report
from bot.dialogues import Dialogue, flows_of
from bot.engine.io import Message
from bot.facilitator import questions as catalogue
from bot.facilitator.summaries import Summary, summarise
from bot.flows import Flow
from bot.i18n import Translator, load_translator
from storage import health, reports
from storage.db import Database, Reader
from storage.prompts import PromptRow

SMALL = cells.SMALL
ITEMS_PER_PAGE = 10
"""Prompts and polls per page of the dashboard (newest first)."""
LABEL_WIDTH = 48
MESSAGE_LIMIT = 4000
"""A chat message holds at most 4096 characters (Telegram): `messages` splits below it."""
SKIPPED_SAVES = ("profile.group", "language")
"""Steps already shown as stakeholder groups and languages (from the participants): shown
twice, with slightly different people, they could be subtracted from one another."""


def shown(n: int) -> str:
    """A count shown on its own."""
    return cells.count(n).text


@lru_cache(maxsize=1)
def shipped_texts() -> Translator:
    """The texts shipped with Baraza, for a caller that has no translator of its own."""
    return load_translator(Path(__file__).resolve().parents[2] / "locales")


@dataclass(frozen=True)
class ItemRate:
    """A prompt or poll: how many answered of how many it reached, and what they said."""

    row: PromptRow
    answered: cells.Cell
    reached: cells.Cell
    summary: Summary

    @property
    def rate(self) -> float | None:
        return self.answered.share_of(self.reached)


@dataclass
class Dashboard:
    dialogue: Dialogue
    totals: dict[str, int]
    groups: dict[str, int]
    channels: dict[str, int]
    languages: dict[str, int]
    finished: dict[str, int]
    """People who finished each flow, in dialogue order."""
    waiting: list[tuple[str, str, int]]
    lang: str = "en"
    tr: Translator = field(default_factory=shipped_texts)
    group_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    said: list[Summary] = field(default_factory=list)
    """The flows' questions, in dialogue order, with what people answered."""
    items: list[ItemRate] = field(default_factory=list)
    """One page of prompts and polls, newest first."""
    items_total: int = 0
    page: int = 1
    latest_poll: ItemRate | None = None
    broadcast: dict[str, int] = field(default_factory=dict)
    outages: list[health.Outage] = field(default_factory=list)
    """Providers that cannot be reached right now."""
    deliberation: Report | None = None
    """Statements, when the dialogue has some: common ground, divisive, opinion groups."""

    @property
    def pages(self) -> int:
        return max(1, -(-self.items_total // ITEMS_PER_PAGE))

    def t(self, msg_id: str, **args: str | int) -> str:
        return self.tr(self.lang, msg_id, **args)

    def group_label(self, group: str) -> str:
        """A stakeholder group's label from the flows' texts (without the flows, the
        shipped onboarding's), else its code."""
        if group == "unknown":
            return self.t("dash-group-unknown")
        names = self.group_names.get(group)
        if names:
            return names.get(self.lang) or next(iter(names.values()), group)
        fallback = f"onboarding-group-{group}"
        return self.t(fallback) if self.tr.has(self.lang, fallback) else group

    undelivered: dict[str, int] = field(default_factory=dict)
    """Messages given up or refused, by channel."""

    def below_target(self) -> list[tuple[str, int, int]]:
        """(group, have, expected) for each group under its target."""
        out = []
        for group in self.dialogue.targets:
            expected = self.dialogue.expected(group)
            have = self.groups.get(group, 0)
            if have < expected:
                out.append((group, have, expected))
        return out

    def group_order(self) -> list[str]:
        """The targets' groups in the dialogue file's order, then any other, by name."""
        return list(self.dialogue.targets) + sorted(set(self.groups) - set(self.dialogue.targets))

    def people_lines(self) -> tuple[cells.Line, cells.Line, cells.Line, cells.Cell]:
        """Consented people by group, by channel and by language, each protected with
        their total; and that total (the consented), exact only if no line hides it."""
        by_group = cells.line([self.groups.get(g, 0) for g in self.group_order()])
        by_channel = cells.line([self.channels[k] for k in sorted(self.channels)])
        by_language = cells.line([self.languages[k] for k in sorted(self.languages)])
        consented = cells.count(self.totals["consented"])
        if not all(x.total.exact for x in (by_group, by_channel, by_language)):
            consented = cells.Cell(consented.value, False)
        return by_group, by_channel, by_language, consented


async def build(
    db: Database,
    dialogue: Dialogue,
    now: datetime,
    lang: str = "en",
    *,
    tr: Translator | None = None,
    flows: Mapping[str, Flow] | None = None,
    page: int = 1,
    said: bool = True,
) -> Dashboard:
    """Read the dashboard of `dialogue` in `lang`. Without `flows` the flows' questions are
    left out; `said=False` leaves out what people said (the web overview)."""
    conn = db.reader
    tr = tr or shipped_texts()
    since = (now - timedelta(hours=24)).isoformat()

    async def no_summaries() -> list[Summary]:
        return []

    async def no_report() -> Report | None:
        return None

    # The reads are independent: started together they share the readers (two on SQLite,
    # each in its own thread with the interpreter lock released while SQLite works), so
    # the dashboard takes about its longest reads, not their sum (bench 4). All are left
    # to finish before the first failure is raised as itself, so none is still running
    # (holding a reader) once the dashboard has answered.
    spawn = asyncio.ensure_future
    people_t = spawn(reports.people(conn, dialogue.code, since))
    finished_t = spawn(reports.flows_finished(conn, dialogue.code))
    waiting_t = spawn(reports.waiting_at(conn, dialogue.code))
    said_t = spawn(
        what_people_said(db, dialogue, flows, tr) if said and flows is not None else no_summaries()
    )
    prompts_t = spawn(reports.prompt_rows(conn, dialogue.code))
    progress_t = spawn(reports.broadcast_progress(conn, dialogue.code))
    outages_t = spawn(health.outages(conn))
    debate_t = spawn(_deliberation(db, dialogue, lang) if said else no_report())
    undelivered_t = spawn(health.undelivered(conn, dialogue.code))
    reads: list[asyncio.Future[Any]] = [
        people_t, finished_t, waiting_t, said_t, prompts_t,
        progress_t, outages_t, debate_t, undelivered_t,
    ]  # fmt: skip
    await asyncio.wait(reads)
    for read in reads:
        if (failure := read.exception()) is not None:
            raise failure
    finished = finished_t.result()
    totals = dict.fromkeys(("joined", "consented", "active_24h", "stopped", "unreachable"), 0)
    groups: dict[str, int] = {}
    channels: dict[str, int] = {}
    languages: dict[str, int] = {}
    for group, channel, language, consented, active, stopped, gone, n in people_t.result():
        totals["joined"] += n
        totals["consented"] += n * consented
        totals["active_24h"] += n * active
        totals["stopped"] += n * stopped
        totals["unreachable"] += n * gone
        if consented:  # breakdowns count only people who agreed to take part
            groups[group] = groups.get(group, 0) + n
            channels[channel] = channels.get(channel, 0) + n
            languages[language] = languages.get(language, 0) + n
    order = flows_of(dialogue, flows) if flows is not None else list(dialogue.flows)
    ordered = {f: finished[f] for f in order if f in finished}
    ordered.update({f: n for f, n in sorted(finished.items()) if f not in ordered})
    board = Dashboard(
        dialogue,
        totals,
        groups,
        channels,
        languages,
        ordered,
        waiting_t.result(),
        lang,
        tr,
        catalogue.group_labels(dialogue, flows, tr) if flows is not None else {},
        page=max(1, page),
    )
    board.said = said_t.result()
    sent = [r for r in prompts_t.result() if r.sent_at]
    board.items_total = len(sent)
    board.page = min(board.page, board.pages)  # past the last page: the last
    newest = list(reversed(sent))
    start = (board.page - 1) * ITEMS_PER_PAGE
    shown_rows = newest[start : start + ITEMS_PER_PAGE]
    polls = [r for r in newest if r.kind == "poll"]
    latest = polls[0] if polls and polls[0].id not in {r.id for r in shown_rows} else None
    items = await asyncio.gather(
        *(_item(conn, dialogue.code, row) for row in [*shown_rows, *([latest] if latest else [])])
    )
    board.items = list(items[: len(shown_rows)])
    if polls:
        on_page = {i.row.id: i for i in board.items}
        board.latest_poll = on_page.get(polls[0].id) or items[-1]
    board.broadcast = progress_t.result()
    board.outages = outages_t.result()
    board.deliberation = debate_t.result()
    board.undelivered = undelivered_t.result()
    return board


async def what_people_said(
    db: Database, dialogue: Dialogue, flows: Mapping[str, Flow], tr: Translator
) -> list[Summary]:
    """The flows' questions in dialogue order, with what people answered (the consent and
    the questions shown as stakeholder groups and languages left out)."""
    questions = [
        q
        for q in catalogue.flow_questions(dialogue, flows, tr)
        if q.kind != "consent" and q.save not in SKIPPED_SAVES
    ]
    return list(await asyncio.gather(*(summarise(db.reader, dialogue.code, q) for q in questions)))


async def _item(conn: Reader, code: str, row: PromptRow) -> ItemRate:
    summary = await summarise(conn, code, catalogue.prompt_question(row))
    return ItemRate(row, summary.answered, cells.count(row.reached), summary)


# --- showing it ------------------------------------------------------------------------------


def short(text: str, width: int = LABEL_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def percent(board: Dashboard, share: float | None) -> str:
    return "" if share is None else board.t("dash-percent", n=round(100 * share))


def _pairs(board: Dashboard, labels: Sequence[str], line: cells.Line) -> str:
    return ", ".join(
        f"{label} {cell.text}" for label, cell in zip(labels, line.parts, strict=True)
    ) or board.t("dash-none")


def channel_label(board: Dashboard, channel: str) -> str:
    msg = f"dash-channel-{channel}"
    return board.t(msg) if board.tr.has(board.lang, msg) else channel


def provider_label(board: Dashboard, channel: str) -> str:
    msg = f"dash-provider-{channel}"
    return board.t(msg) if board.tr.has(board.lang, msg) else channel


def language_label(board: Dashboard, language: str) -> str:
    msg = f"dash-language-{language}"
    return board.t(msg) if board.tr.has(board.lang, msg) else language


def options_text(board: Dashboard, s: Summary) -> str:
    """`Water 12 (60%), Roads <5`: each option of a question broken down."""
    parts = []
    for choice, cell in zip(s.question.choices, s.parts, strict=True):
        pct = percent(board, s.percent(cell))
        label = short(choice.label(board.lang), 24)
        parts.append(f"{label} {cell.text}" + (f" ({pct})" if pct else ""))
    return ", ".join(parts)


def summary_text(board: Dashboard, s: Summary) -> str:
    """What people answered to one question, in one line (a quote per line for open ones)."""
    t = board.t
    q = s.question
    if q.open:
        out = t("dash-open", n=s.answered.arg)
        if s.answered.value and not s.latest:
            out += " · " + t("dash-quotes-hidden")
        return out + "".join(f'\n    "{short(x, 90)}"' for x in s.latest)
    if not s.broken_down:
        return t("dash-answered", n=s.answered.arg) + (
            " · " + t("dash-too-few") if s.answered.value else ""
        )
    head = t("dash-answered", n=s.answered.arg)
    if q.kind == "scale":
        if s.median is not None and s.quartiles is not None:
            head += " · " + t(
                "dash-median",
                median=_number(s.median),
                low=_number(s.quartiles[0]),
                high=_number(s.quartiles[1]),
            )
        else:
            head += " · " + t("dash-median-hidden")
    return t("dash-pair", label=head, value=options_text(board, s))


def _number(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:.1f}"


def item_text(board: Dashboard, item: ItemRate) -> list[str]:
    t = board.t
    rate = percent(board, item.rate)
    head = t(
        "dash-item",
        kind=t(f"dash-kind-{item.row.kind}"),
        id=item.row.id,
        question=short(str(item.row.text_in(board.lang)["question"]), 40),
        answered=item.answered.arg,
        reached=item.reached.text,
    ) + (f" ({rate})" if rate else "")
    lines = [f"  {head}"]
    s = item.summary
    if item.row.kind == "poll" and s.broken_down:
        lines.append("    " + options_text(board, s))
        if board.latest_poll is item:
            lines.extend(_poll_groups(board, s))
    elif item.row.kind == "prompt":
        lines.extend(f'    "{short(x, 90)}"' for x in s.latest)
        if s.answered.value and s.answered.value >= SMALL:
            lines.append("    " + t("dash-more-answers", id=item.row.id))
    return lines


def _poll_groups(board: Dashboard, s: Summary) -> list[str]:
    """The latest poll by stakeholder group: only groups of 5 voters or more are broken
    down (the others are counted in the total above), so there may be no line at all."""
    table = s.by_group
    if table is None:
        return []
    labels = [short(c.label(board.lang), 24) for c in s.question.choices]
    lines = []
    for group in board.group_order() + sorted(set(table.rows) - set(board.group_order())):
        if group in table.rows and table.broken_down(group):
            parts = ", ".join(
                f"{label} {cell.text}"
                for label, cell in zip(labels, table.rows[group], strict=True)
            )
            value = f"{table.row_totals[group].text} ({parts})"
            lines.append(
                "      " + board.t("dash-pair", label=board.group_label(group), value=value)
            )
    return ["    " + board.t("dash-poll-groups"), *lines] if lines else []


async def _deliberation(db: Database, dialogue: Dialogue, lang: str) -> Report | None:
    read = await db.read(lambda conn: deliberation_report.read(conn, dialogue.code))
    approved, result, pending = read
    if not approved and not pending:
        return None
    return deliberation_report.build(dialogue.code, approved, result, pending, lang)


def sections(board: Dashboard) -> list[list[str]]:
    """The dashboard as blocks of lines: who, what people said, prompts and polls, delivery."""
    blocks = (_who(board), _said(board), _items(board), _statements(board), _delivery(board))
    return [block for block in blocks if block]


def _statements(board: Dashboard) -> list[str]:
    if board.deliberation is None or not board.deliberation.statements:
        return []
    return deliberation_report.text(board.deliberation, board.t, board.group_label).splitlines()


def _who(board: Dashboard) -> list[str]:
    t, d, totals = board.t, board.dialogue, board.totals
    by_group, by_channel, by_language, consented = board.people_lines()
    lines = [
        t("dash-title", title=d.title_in(board.lang), code=d.code),
        t(
            "dash-totals",
            joined=shown(totals["joined"]),
            consented=consented.text,
            active=shown(totals["active_24h"]),
            stopped=shown(totals["stopped"]),
        ),
    ]
    if board.finished:
        lines.append(
            t(
                "dash-finished",
                flows=", ".join(f"{f} {shown(n)}" for f, n in board.finished.items()),
            )
        )
    lines.append("")
    lines.append(t("dash-groups-targets" if d.targets else "dash-groups"))
    order = board.group_order()
    have = dict(zip(order, by_group.parts, strict=True))
    for g in order:
        target = f" / {d.expected(g)}" if g in d.targets else ""
        lines.append("  " + t("dash-pair", label=board.group_label(g), value=have[g].text + target))
    below = board.below_target()
    if below:
        lines.append(
            t(
                "dash-below",
                groups="; ".join(
                    t("dash-below-group", group=board.group_label(g), have=have[g].text, expected=e)
                    for g, _h, e in below
                ),
            )
        )
    channels = [channel_label(board, c) for c in sorted(board.channels)]
    languages = [language_label(board, x) for x in sorted(board.languages)]
    lines.append(t("dash-channels", list=_pairs(board, channels, by_channel)))
    lines.append(t("dash-languages", list=_pairs(board, languages, by_language)))
    if board.waiting:
        lines.append("")
        lines.append(t("dash-waiting"))
        for flow, step, n in sorted(board.waiting, key=lambda x: -x[2])[:8]:
            lines.append("  " + t("dash-pair", label=f"{flow} › {step}", value=shown(n)))
    return lines


def _said(board: Dashboard) -> list[str]:
    if not board.said:
        return []
    lines = [board.t("dash-said")]
    flow = None
    for s in board.said:
        if s.question.flow != flow:
            flow = s.question.flow
            lines.append(f"{flow}")
        lines.append(f"  {short(s.question.label(board.lang))} {summary_text(board, s)}")
        if s.question.open and s.answered.value >= SMALL:
            lines.append("    " + board.t("dash-more-answers", id=s.question.id))
    return lines


def _items(board: Dashboard) -> list[str]:
    if not board.items_total:
        return []
    t = board.t
    head = (
        t("dash-items-page", page=board.page, pages=board.pages)
        if board.pages > 1
        else t("dash-items")
    )
    lines = [head]
    for item in board.items:
        lines.extend(item_text(board, item))
    if board.pages > 1:
        lines.append(t("dash-items-more", total=board.items_total))
    return lines


def _delivery(board: Dashboard) -> list[str]:
    """Broadcast progress, then providers that cannot be reached (always last)."""
    t = board.t
    lines = []
    if board.broadcast:
        statuses = sorted(board.broadcast)
        line = cells.line([board.broadcast[s] for s in statuses])
        labels = [
            t(f"dash-status-{s}") if board.tr.has(board.lang, f"dash-status-{s}") else s
            for s in statuses
        ]
        lines.append(t("dash-broadcasts", list=_pairs(board, labels, line)))
    if board.undelivered:
        channels = sorted(board.undelivered)
        lines.append(
            t(
                "dash-undelivered",
                list=", ".join(
                    f"{provider_label(board, c)} {board.undelivered[c]}" for c in channels
                ),
            )
        )
    for o in board.outages:
        since = datetime.fromisoformat(o.down_since).astimezone(board.dialogue.zone())
        stamp = f"{since:%d %b %H:%M}" if board.lang == "en" else f"{since:%d/%m %H:%M}"
        lines.append(
            t(
                "dash-outage",
                provider=provider_label(board, o.channel),
                since=stamp,
                waiting=o.waiting,
            )
        )
    return lines


def text(board: Dashboard) -> str:
    """The whole dashboard as plain text (the terminal; the chat takes `messages`)."""
    return "\n\n".join("\n".join(block) for block in sections(board))


def messages(board: Dashboard, chart_path: Path | None = None) -> list[Message]:
    """The dashboard for the chat: one message per part, each under the chat's limit,
    the chart (if a path is given) with the first."""
    found: list[Message] = []
    for block in sections(board):
        chunk: list[str] = []
        for line in block:
            if chunk and len("\n".join([*chunk, line])) > MESSAGE_LIMIT:
                found.append(Message("\n".join(chunk)))
                chunk = []
            chunk.append(line[:MESSAGE_LIMIT])
        if chunk:
            found.append(Message("\n".join(chunk)))
    if chart_path is not None and found:
        png = chart(board, chart_path)
        found[0] = Message(found[0].text, attachment=str(png))
    return found


def chart(board: Dashboard, path: Path) -> Path:
    """The chart (`figure`) as a PNG file."""
    import matplotlib.pyplot as plt

    fig = figure(board)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path


def figure(board: Dashboard) -> Any:
    """A matplotlib figure in the facilitator's language: the stakeholder groups against
    their targets and, beside them, the latest poll's results. A count under 5 is not
    drawn: its bar is left empty and labelled `<5`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = board.t
    poll = board.latest_poll
    debate = board.deliberation if board.deliberation and board.deliberation.statements else None
    panels = 1 + (poll is not None) + (debate is not None)
    fig, found = plt.subplots(1, panels, figsize=(4 + 3.5 * panels, 4), dpi=100)
    axes = list(found) if panels > 1 else [found]
    ax = axes[0]
    order = board.group_order()
    line = board.people_lines()[0]
    have = [c.value if c.exact else 0 for c in line.parts]
    expected = [board.dialogue.expected(g) for g in order]
    ys = list(range(len(order)))
    if board.dialogue.targets:
        ax.barh(
            [y + 0.2 for y in ys],
            expected,
            height=0.4,
            color="#cccccc",
            label=t("dash-chart-expected"),
        )
    bars = ax.barh(
        [y - 0.2 for y in ys], have, height=0.4, color="#2a7ab9", label=t("dash-chart-joined")
    )
    for bar, cell in zip(bars, line.parts, strict=True):
        ax.annotate(cell.text, (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=8)  # fmt: skip
    ax.set_yticks(ys, [short(board.group_label(g), 22) for g in order])
    ax.invert_yaxis()
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(
        short(t("dash-chart-title", title=board.dialogue.title_in(board.lang)), 60), fontsize=10
    )
    if poll is not None:
        _poll_panel(board, axes[1], poll)
    if debate is not None:
        _statements_panel(board, axes[-1], debate)
    fig.tight_layout()
    return fig


def _statements_panel(board: Dashboard, ax: Any, debate: Report) -> None:
    """Agree / disagree / pass of the statements with the most common ground (else the
    first ones), as stacked shares; a statement whose figures are hidden is left empty."""
    chosen = [sid for sid, *_ in debate.common_ground[:6]] or [s.id for s in debate.statements[:6]]
    figures = {s.id: s for s in debate.statements}
    colours = ("#2a9d5c", "#c0392b", "#bbbbbb")
    for y, sid in enumerate(chosen):
        s = figures[sid]
        left = 0.0
        for cell, colour in zip(s.overall.parts, colours, strict=True):
            share = cell.share_of(s.overall.total)
            if share is not None:
                ax.barh(y, share * 100, left=left, color=colour, height=0.6)
                left += share * 100
    ax.set_yticks(range(len(chosen)), [f"{sid}. {short(figures[sid].text, 28)}" for sid in chosen])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    ax.set_title(short(board.t("dash-chart-statements"), 60), fontsize=10)


def _poll_panel(board: Dashboard, ax: object, poll: ItemRate) -> None:
    s = poll.summary
    labels = [short(c.label(board.lang), 22) for c in s.question.choices]
    cells_ = s.parts if s.broken_down else tuple(cells.Cell(c.value, False) for c in s.parts)
    values = [c.value if c.exact else 0 for c in cells_]
    ys = list(range(len(labels)))
    bars = ax.barh(ys, values, height=0.6, color="#e08a1e", label=board.t("dash-chart-votes"))  # type: ignore[attr-defined]
    for bar, cell in zip(bars, cells_, strict=True):
        pct = percent(board, s.percent(cell))
        ax.annotate(f"{cell.text}" + (f" ({pct})" if pct else ""),  # type: ignore[attr-defined]
                    (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=8)  # fmt: skip
    ax.set_yticks(ys, labels)  # type: ignore[attr-defined]
    ax.invert_yaxis()  # type: ignore[attr-defined]
    ax.legend(loc="lower right", fontsize=8)  # type: ignore[attr-defined]
    question = str(poll.row.text_in(board.lang)["question"])
    ax.set_title(  # type: ignore[attr-defined]
        short(
            board.t("dash-chart-poll", id=poll.row.id, question=question, votes=s.answered.text), 60
        ),
        fontsize=10,
    )


def rich_tables(board: Dashboard) -> list[object]:
    """The dashboard as tables for the terminal, each part once."""
    from rich.table import Table

    t, d = board.t, board.dialogue
    by_group, by_channel, by_language, consented = board.people_lines()
    head = Table(title=t("dash-title", title=d.title_in(board.lang), code=d.code))
    values = {
        "joined": shown(board.totals["joined"]),
        "consented": consented.text,
        "active_24h": shown(board.totals["active_24h"]),
        "stopped": shown(board.totals["stopped"]),
        "unreachable": shown(board.totals["unreachable"]),
    }
    for key in values:
        head.add_column(t(f"dash-col-{key}"), justify="right")
    head.add_row(*values.values())
    groups = Table(title=t("dash-groups"))
    groups.add_column(t("dash-col-group"))
    groups.add_column(t("dash-col-people"), justify="right")
    if d.targets:
        groups.add_column(t("dash-col-expected"), justify="right")
        groups.add_column("")
    below = {g for g, _, _ in board.below_target()}
    for g, cell in zip(board.group_order(), by_group.parts, strict=True):
        row = [board.group_label(g), cell.text]
        if d.targets:
            row += [
                str(d.expected(g)) if g in d.targets else "",
                t("dash-col-below") if g in below else "",
            ]
        groups.add_row(*row)
    reach = Table(title=t("dash-col-reach"))
    reach.add_column("")
    reach.add_column(t("dash-col-people"), justify="right")
    for label, cell in (
        *zip(
            [channel_label(board, c) for c in sorted(board.channels)], by_channel.parts, strict=True
        ),
        *zip(
            [language_label(board, x) for x in sorted(board.languages)],
            by_language.parts,
            strict=True,
        ),
    ):
        reach.add_row(label, cell.text)
    tables: list[object] = [head, groups, reach]
    if board.finished or board.waiting:
        flows = Table(title=t("dash-col-flows"))
        flows.add_column("")
        flows.add_column(t("dash-col-people"), justify="right")
        for f, n in board.finished.items():
            flows.add_row(t("dash-col-finished", flow=f), shown(n))
        for f, step, n in sorted(board.waiting, key=lambda x: -x[2])[:8]:
            flows.add_row(t("dash-col-still-at", flow=f, step=step), shown(n))
        tables.append(flows)
    if board.said:
        said = Table(title=t("dash-said"))
        said.add_column(t("dash-col-question"))
        said.add_column(t("dash-col-answers"))
        for s in board.said:
            said.add_row(
                f"{s.question.flow} › {short(s.question.label(board.lang))}", summary_text(board, s)
            )
        tables.append(said)
    if board.items:
        items = Table(title=_items(board)[0])
        items.add_column("")
        for item in board.items:
            items.add_row("\n".join(x.strip() for x in item_text(board, item)))
        tables.append(items)
    tables.extend(_delivery(board))
    return tables
