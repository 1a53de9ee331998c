"""The dashboard: who is at the table, against the stakeholder targets, and how they answer.

Every figure goes through the small-cell rule (`bot.cells`): counts under 5 show as
`<5`, groups under 5 are never broken down, and no total or percentage gives a hidden
count away.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from bot import cells
from bot.agenda_views import poll_table
from bot.dialogues import Dialogue
from storage import health, prompts, reports
from storage.db import Database
from storage.prompts import PromptRow

SMALL = cells.SMALL
PROVIDER_NAMES = {"telegram": "Telegram", "sms": "SMS (Twilio)", "whatsapp": "WhatsApp (Twilio)"}


def shown(n: int) -> str:
    """A count shown on its own."""
    return cells.count(n).text


@dataclass
class PollView:
    row: PromptRow
    question: str
    options: list[str]
    counts: list[int]
    by_group: dict[str, list[int]]


@dataclass
class Dashboard:
    dialogue: Dialogue
    totals: dict[str, int]
    groups: dict[str, int]
    channels: dict[str, int]
    languages: dict[str, int]
    finished: dict[str, int]
    waiting: list[tuple[str, str, int]]
    prompts: list[tuple[PromptRow, cells.Cell]] = field(default_factory=list)
    """(prompt, how many answered it, as shown), the latest five."""
    latest_poll: PollView | None = None
    broadcast: dict[str, int] = field(default_factory=dict)
    outages: list[health.Outage] = field(default_factory=list)
    """Providers that cannot be reached right now."""
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


async def build(db: Database, dialogue: Dialogue, now: datetime, lang: str = "en") -> Dashboard:
    conn = db.reader
    since = (now - timedelta(hours=24)).isoformat()
    totals = dict.fromkeys(("joined", "consented", "active_24h", "stopped", "unreachable"), 0)
    groups: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    for group, channel, language, consented, active, stopped, gone, n in await reports.people(
        conn, dialogue.code, since
    ):
        totals["joined"] += n
        totals["consented"] += n * consented
        totals["active_24h"] += n * active
        totals["stopped"] += n * stopped
        totals["unreachable"] += n * gone
        if consented:  # breakdowns count only people who agreed to take part
            groups[group] += n
            channels[channel] += n
            languages[language] += n
    board = Dashboard(
        dialogue,
        totals,
        dict(groups),
        dict(channels),
        dict(languages),
        await reports.flows_finished(conn, dialogue.code),
        await reports.waiting_at(conn, dialogue.code),
    )
    responders = await reports.responders(conn, dialogue.code)
    rows = await db.write(partial(prompts.all_for, dialogue=dialogue.code))
    for r in [r for r in rows if r.sent_at][-5:]:
        if r.kind == "poll":  # the same figure as every other display of the poll shows
            votes = await reports.votes_by_group(conn, r.id)
            answered = poll_table(votes, len(r.options(lang))).overall.total
        else:
            answered = cells.count(responders.get(r.id, 0))
        board.prompts.append((r, answered))
    polls = [r for r in rows if r.kind == "poll" and r.sent_at]
    if polls:
        row = polls[-1]
        own = row.text_in(lang)
        options = [str(o) for o in own["options"]]
        tally = await db.write(partial(prompts.tally, prompt_id=row.id))
        by_group: dict[str, list[int]] = {}
        for group, value, n in await reports.votes_by_group(conn, row.id):
            by_group.setdefault(group, [0] * len(options))
            if value.isdigit() and int(value) < len(options):
                by_group[group][int(value)] += n
        counts = [tally.get(str(i), 0) for i in range(len(options))]
        board.latest_poll = PollView(row, str(own["question"]), options, counts, by_group)
    board.broadcast = await reports.broadcast_progress(conn, dialogue.code)
    board.outages = await health.outages(conn)
    board.undelivered = await health.undelivered(conn, dialogue.code)
    return board


def text(board: Dashboard) -> str:
    """The dashboard as plain text (Telegram message, SMS-free)."""
    t = board.totals
    d = board.dialogue
    lines = [
        f"Dashboard: {d.title_in('en')} ({d.code})",
        f"Joined {shown(t['joined'])} | consented {shown(t['consented'])} | active 24h "
        f"{shown(t['active_24h'])} | stopped {shown(t['stopped'])}",
    ]
    if board.finished:
        lines.append(
            "Finished: " + ", ".join(f"{f} {shown(n)}" for f, n in sorted(board.finished.items()))
        )
    lines.append("")
    lines.append("Stakeholder groups (have / expected):")
    groups = sorted(set(board.groups) | set(d.targets))
    have = dict(zip(groups, cells.line([board.groups.get(g, 0) for g in groups]).parts, strict=True))
    for g in groups:
        expected = d.expected(g)
        lines.append(f"  {g}: {have[g].text}" + (f" / {expected}" if d.targets else ""))
    below = board.below_target()
    if below:
        lines.append(
            "Below target: "
            + "; ".join(f"{g}: {have[g].text} of {e} expected" for g, _h, e in below)
        )
    lines.append("By channel: " + _pairs(board.channels))
    lines.append("By language: " + _pairs(board.languages))
    if board.waiting:
        lines.append("")
        lines.append("Still at (where people stop):")
        for flow, step, n in sorted(board.waiting, key=lambda x: -x[2])[:8]:
            lines.append(f"  {flow}/{step}: {shown(n)}")
    if board.prompts:
        lines.append("")
        lines.append("Response rates:")
        for row, answered in board.prompts:
            reached = cells.count(row.reached)
            rate = answered.percent_of(reached)
            q = str(row.text_in("en")["question"])[:40]
            lines.append(
                f'  {row.kind} {row.id} "{q}": {answered.text}/{reached.text}'
                + (f" ({rate})" if rate else "")
            )
    poll = board.latest_poll
    if poll is not None:
        lines.append("")
        lines.append(f"Latest poll {poll.row.id}: {poll.question}")
        breakdown = poll_table(
            [(g, str(i), n) for g, counts in poll.by_group.items() for i, n in enumerate(counts)],
            len(poll.options),
        )
        overall = breakdown.overall
        lines.append(f"  votes: {overall.total.text}")
        for label, cell in zip(poll.options, overall.parts, strict=True):
            pct = cell.percent_of(overall.total)
            lines.append(f"  {label}: {cell.text}" + (f" ({pct})" if pct else ""))
        if breakdown.rows:
            lines.append("  by group:")
        for group in sorted(breakdown.rows):
            if not breakdown.broken_down(group):
                lines.append(f"    {group}: <5 voters")
                continue
            parts = ", ".join(
                f"{lbl} {c.text}"
                for lbl, c in zip(poll.options, breakdown.rows[group], strict=True)
            )
            lines.append(f"    {group}: {parts}")
    if board.broadcast:
        lines.append("")
        lines.append("Broadcasts: " + _pairs(board.broadcast))
    if board.undelivered:
        lines.append("Not delivered (refused or given up): " + _counts(board.undelivered))
    for o in board.outages:
        since = datetime.fromisoformat(o.down_since).astimezone(d.zone())
        lines.append(
            f"{PROVIDER_NAMES.get(o.channel, o.channel)}: unreachable since {since:%d %b %H:%M} "
            f"({o.waiting} messages waiting)"
        )
    return "\n".join(lines)


def _counts(messages: dict[str, int]) -> str:
    """Messages (not people) by channel."""
    return ", ".join(f"{PROVIDER_NAMES.get(c, c)} {n}" for c, n in sorted(messages.items()))


def _pairs(counts: dict[str, int]) -> str:
    """People by channel or language: parts of the consented total, protected together."""
    keys = sorted(counts)
    parts = cells.line([counts[k] for k in keys]).parts
    return ", ".join(f"{k} {c.text}" for k, c in zip(keys, parts, strict=True)) or "-"


def chart(board: Dashboard, path: Path) -> Path:
    """A PNG: stakeholder groups against their targets (matplotlib, Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = sorted(set(board.groups) | set(board.dialogue.targets))
    line = cells.line([board.groups.get(g, 0) for g in groups])
    have = [c.value if c.exact else 0 for c in line.parts]
    expected = [board.dialogue.expected(g) for g in groups]
    fig, ax = plt.subplots(figsize=(7, 3.5), dpi=100)
    ys = range(len(groups))
    ax.barh([y + 0.2 for y in ys], expected, height=0.4, color="#cccccc", label="expected")
    ax.barh(
        [y - 0.2 for y in ys], have, height=0.4, color="#2a7ab9", label="joined (groups <5 hidden)"
    )
    ax.set_yticks(list(ys), groups)
    ax.invert_yaxis()
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(f"{board.dialogue.title_in('en')}: who is at the table")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path


def rich_tables(board: Dashboard) -> list[object]:
    """The dashboard as rich tables for the terminal."""
    from rich.table import Table

    t = board.totals
    head = Table(title=f"{board.dialogue.title_in('en')} ({board.dialogue.code})")
    for col in ("joined", "consented", "active 24h", "stopped", "unreachable"):
        head.add_column(col, justify="right")
    head.add_row(
        *(shown(t[k]) for k in ("joined", "consented", "active_24h", "stopped", "unreachable"))
    )
    groups = Table(title="Stakeholder groups")
    groups.add_column("group")
    groups.add_column("joined", justify="right")
    groups.add_column("expected", justify="right")
    groups.add_column("")
    below = {g for g, _, _ in board.below_target()}
    names = sorted(set(board.groups) | set(board.dialogue.targets))
    line = cells.line([board.groups.get(g, 0) for g in names])
    for g, cell in zip(names, line.parts, strict=True):
        groups.add_row(
            g,
            cell.text,
            str(board.dialogue.expected(g)),
            "below target" if g in below else "",
        )
    return [head, groups]
