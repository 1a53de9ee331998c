"""The dashboard: who is at the table, against the stakeholder targets, and how they answer.

Counts under 5 are shown as "<5" and such groups are never broken down further, so no
small group (or person) can be singled out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from bot.dialogues import Dialogue
from storage import health, prompts, reports
from storage.db import Database
from storage.prompts import PromptRow

SMALL = 5
PROVIDER_NAMES = {"telegram": "Telegram", "sms": "SMS (Twilio)"}


def shown(n: int) -> str:
    return "<5" if 0 < n < SMALL else str(n)


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
    prompts: list[tuple[PromptRow, int]] = field(default_factory=list)
    """(prompt, unique responders)."""
    latest_poll: PollView | None = None
    broadcast: dict[str, int] = field(default_factory=dict)
    outages: list[health.Outage] = field(default_factory=list)
    """Providers that cannot be reached right now."""

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
    board.prompts = [(r, responders.get(r.id, 0)) for r in rows if r.sent_at]
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
    for g in groups:
        expected = d.expected(g)
        lines.append(
            f"  {g}: {shown(board.groups.get(g, 0))}" + (f" / {expected}" if d.targets else "")
        )
    below = board.below_target()
    if below:
        lines.append(
            "Below target: " + "; ".join(f"{g}: {shown(h)} of {e} expected" for g, h, e in below)
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
        for row, responders in board.prompts[-5:]:
            rate = f"{round(100 * responders / row.reached)}%" if row.reached else "-"
            q = str(row.text_in("en")["question"])[:40]
            lines.append(
                f'  {row.kind} {row.id} "{q}": {shown(responders)}/{shown(row.reached)} ({rate})'
            )
    poll = board.latest_poll
    if poll is not None:
        lines.append("")
        lines.append(f"Latest poll {poll.row.id}: {poll.question}")
        total = sum(poll.counts)
        for label, n in zip(poll.options, poll.counts, strict=True):
            pct = round(100 * n / total) if total else 0
            lines.append(f"  {label}: {n} ({pct}%)")  # options are not groups of people
        lines.append("  by group:")
        for group, counts in sorted(poll.by_group.items()):
            voters = sum(counts)
            if voters < SMALL:
                lines.append(f"    {group}: <5 voters")
            else:
                parts = ", ".join(
                    f"{lbl} {shown(c)}" for lbl, c in zip(poll.options, counts, strict=True)
                )
                lines.append(f"    {group}: {parts}")
    if board.broadcast:
        lines.append("")
        lines.append("Broadcasts: " + _pairs(board.broadcast))
    for o in board.outages:
        since = datetime.fromisoformat(o.down_since).astimezone(d.zone())
        lines.append(
            f"{PROVIDER_NAMES.get(o.channel, o.channel)}: unreachable since {since:%d %b %H:%M} "
            f"({o.waiting} messages waiting)"
        )
    return "\n".join(lines)


def _pairs(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {shown(v)}" for k, v in sorted(counts.items())) or "-"


def chart(board: Dashboard, path: Path) -> Path:
    """A PNG: stakeholder groups against their targets (matplotlib, Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = sorted(set(board.groups) | set(board.dialogue.targets))
    have = [board.groups.get(g, 0) if board.groups.get(g, 0) >= SMALL else 0 for g in groups]
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
    for g in sorted(set(board.groups) | set(board.dialogue.targets)):
        groups.add_row(
            g,
            shown(board.groups.get(g, 0)),
            str(board.dialogue.expected(g)),
            "below target" if g in below else "",
        )
    return [head, groups]
