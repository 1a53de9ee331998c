"""What the pages show, as plain data for the templates.

Every count of people passes through `dashboard.shown` (a count under 5 reads "<5"), and a
bar is drawn only for a count that may be shown, scaled by shown counts only: neither a
bar's length nor a percentage gives a small group away.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from bot import cells
from bot.dialogues import Dialogue
from bot.facilitator.dashboard import Dashboard, shown
from bot.i18n import Translator
from storage import prompts, reports
from storage.db import Database

SEPARATORS = {"en": ",", "fr": "\u00a0", "es": "."}
WAITING_ROWS = 10


def count(n: int, lang: str) -> str:
    """A count of people as it may be shown: "<5", or the number with grouped digits."""
    return cell_text(cells.count(n), lang)


def cell_text(cell: cells.Cell, lang: str) -> str:
    """A figure through the small-cell rule, with the language's digit grouping."""
    if not cell.exact:
        return cell.text
    return f"{cell.value:,}".replace(",", SEPARATORS.get(lang, ","))


def visible(n: int) -> bool:
    return shown(n) == str(n)


@dataclass(frozen=True)
class Row:
    """One line of a bar chart."""

    label: str
    value: str
    bar: float | None = None
    """Length of the bar, 0-100; None when no bar may be drawn (a small cell, or zero)."""
    mark: float | None = None
    """Where the target ends, 0-100; None without a target."""
    target: str = ""
    below: bool = False
    note: str = ""


def _scale(values: Iterable[int]) -> float:
    top = max((v for v in values if visible(v)), default=0)
    return 100.0 / top if top else 0.0


def _bar(n: int, scale: float) -> float | None:
    return round(n * scale, 2) if n > 0 and visible(n) else None


def simple_rows(items: Sequence[tuple[str, int]], lang: str) -> list[Row]:
    """Bars without targets, largest first; small cells last and in name order, so that
    the order does not rank them."""
    scale = _scale(n for _, n in items)
    ordered = sorted(items, key=lambda x: (-x[1] if visible(x[1]) else 0, x[0]))
    return [Row(label, count(n, lang), _bar(n, scale)) for label, n in ordered]


def label_for(tr: Translator, lang: str, prefix: str, code: str) -> str:
    """A code's label from the Fluent texts (`<prefix>-<code>`), else the code itself."""
    msg_id = f"{prefix}-{code}"
    return tr(lang, msg_id) if tr.has(lang, msg_id) else code


def group_label(tr: Translator, lang: str, group: str) -> str:
    if group == "unknown":
        return tr(lang, "web-group-unknown")
    return label_for(tr, lang, "onboarding-group", group)


@dataclass
class PromptRate:
    kind: str
    id: int
    question: str
    responders: str
    reached: str
    rate: str


@dataclass
class Overview:
    totals: list[tuple[str, str]]
    groups: list[Row]
    has_targets: bool
    target_total: str
    below: list[str]
    channels: list[Row]
    languages: list[Row]
    finished: list[Row]
    waiting: list[Row]
    prompts: list[PromptRate] = field(default_factory=list)
    broadcast: list[Row] = field(default_factory=list)


TOTALS = ("joined", "consented", "active_24h", "stopped", "unreachable")


def overview(board: Dashboard, tr: Translator, lang: str) -> Overview:
    d = board.dialogue
    order = list(d.targets) + sorted(set(board.groups) - set(d.targets))
    scale = _scale([*board.groups.values(), *(d.expected(g) for g in order)])
    groups = []
    for g in order:
        have, expected = board.groups.get(g, 0), d.expected(g)
        groups.append(
            Row(
                group_label(tr, lang, g),
                count(have, lang),
                _bar(have, scale),
                round(expected * scale, 2) if g in d.targets and scale else None,
                str(expected) if g in d.targets else "",
                below=g in d.targets and have < expected,
            )
        )
    waiting = sorted(board.waiting, key=lambda w: (-w[2] if visible(w[2]) else 0, w[0], w[1]))
    waiting_scale = _scale(n for _, _, n in waiting)
    return Overview(
        totals=[(tr(lang, f"web-total-{k}"), count(board.totals[k], lang)) for k in TOTALS],
        groups=groups,
        has_targets=bool(d.targets),
        target_total=count(d.target_total, lang) if d.target_total else "",
        below=[r.label for r in groups if r.below],
        channels=simple_rows(
            [(label_for(tr, lang, "web-channel", c), n) for c, n in board.channels.items()], lang
        ),
        languages=simple_rows(
            [(label_for(tr, lang, "web-language", c), n) for c, n in board.languages.items()],
            lang,
        ),
        finished=simple_rows(list(board.finished.items()), lang),
        waiting=[
            Row(f"{f} › {s}", count(n, lang), _bar(n, waiting_scale))
            for f, s, n in waiting[:WAITING_ROWS]
        ],
        prompts=[_rate(row, n, tr, lang) for row, n in reversed(board.prompts)],
        broadcast=simple_rows(
            [(label_for(tr, lang, "web-status", s), n) for s, n in board.broadcast.items()], lang
        ),
    )


def _rate(row: prompts.PromptRow, answered: cells.Cell, tr: Translator, lang: str) -> PromptRate:
    reached = cells.count(row.reached)
    share = answered.share_of(reached)
    return PromptRate(
        tr(lang, f"web-kind-{row.kind}"),
        row.id,
        str(row.text_in(lang)["question"]),
        cell_text(answered, lang),
        cell_text(reached, lang),
        "–" if share is None else f"{round(100 * share)} %",
    )


@dataclass
class GroupVotes:
    label: str
    voters: str
    counts: list[str] | None
    """Votes per option; None when the group has fewer than 5 voters (not broken down)."""


@dataclass
class PollResult:
    id: int
    question: str
    options: list[str]
    state: str
    votes: str
    rows: list[Row]
    groups: list[GroupVotes]
    sent_at: str


async def polls(
    db: Database, dialogue: Dialogue, tr: Translator, lang: str, now: datetime
) -> list[PollResult]:
    """Every poll of the dialogue that was sent, newest first, with its results."""
    rows = await db.read(partial(prompts.all_for, dialogue=dialogue.code))
    found = []
    for row in reversed([r for r in rows if r.kind == "poll" and r.sent_at]):
        own = row.text_in(lang)
        options = [str(o) for o in own["options"]]
        by_group: dict[str, list[int]] = {}
        for group, value, n in await reports.votes_by_group(db.reader, row.id):
            by_group.setdefault(group, [0] * len(options))
            if value.isdigit() and int(value) < len(options):
                by_group[group][int(value)] += n
        breakdown = cells.table(by_group, len(options))
        overall = breakdown.overall
        scale = _scale([c.value for c in overall.parts if c.exact])
        bars = []
        for label, cell in zip(options, overall.parts, strict=True):
            share = cell.share_of(overall.total)
            note = f"{round(100 * share)} %" if share is not None else ""
            bar = _bar(cell.value, scale) if cell.exact else None
            bars.append(Row(label, cell_text(cell, lang), bar, note=note))
        order = list(dialogue.targets) + sorted(set(by_group) - set(dialogue.targets))
        groups = []
        for g in order:
            if g not in by_group:
                continue
            groups.append(
                GroupVotes(
                    group_label(tr, lang, g),
                    cell_text(breakdown.row_totals[g], lang),
                    [cell_text(c, lang) for c in breakdown.rows[g]]
                    if breakdown.broken_down(g)
                    else None,
                )
            )
        closed = row.closed_at is not None or (
            row.closes_at is not None and row.closes_at <= now.isoformat()
        )
        found.append(
            PollResult(
                row.id,
                str(own["question"]),
                options,
                tr(lang, "web-poll-closed" if closed else "web-poll-open"),
                cell_text(overall.total, lang),
                bars,
                groups,
                (row.sent_at or "")[:16].replace("T", " "),
            )
        )
    return found
