"""What people said, question by question, through the small-cell rule (`bot.cells`).

- A question with options (choice, yes/no, multi, poll): how many answered, and each
  option's count protected with the others (`cells.line`; a poll through
  `agenda_views.poll_table`, the same figures as /results and /share). With fewer than 5
  answers, nothing is broken down.
- A scale: the same distribution, and its median and middle half (the interquartile
  range). Those are shown only when no value has between 1 and 4 answers: a quartile that
  falls on a value tells how many chose the values below it, and next to a `<5` cell
  that could pin it down.
- An open question (a text step, a prompt): how many answered and the latest few
  answers. Verbatim answers are shown only once at least 5 people answered the question
  (for a prompt sent to one group: 5 of that group): a quote from one of two or three
  people who could be named points at them. They come alone, without group, channel,
  language or time, and digit runs that could be a phone number are masked.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot import cells
from bot.agenda_views import poll_table
from bot.facilitator.questions import Question
from storage import reports
from storage.db import Reader

LATEST = 3
"""Open answers shown on the dashboard (the rest with /answers)."""
VERBATIM_MIN = cells.SMALL
PHONE_LIKE = re.compile(r"\+?\d[\d .()/-]{5,}\d")


def masked(text: str) -> str:
    """A verbatim answer as a page may show it: a phone-number-like run of digits is
    replaced, whatever the person typed."""
    return PHONE_LIKE.sub(
        lambda m: "…" if sum(c.isdigit() for c in m.group()) >= 7 else m.group(), text
    )


@dataclass(frozen=True)
class Summary:
    question: Question
    answered: cells.Cell
    parts: tuple[cells.Cell, ...] = ()
    """One per choice of the question (empty for open questions)."""
    median: float | None = None
    quartiles: tuple[float, float] | None = None
    latest: tuple[str, ...] = ()
    """The latest open answers, newest first (only from VERBATIM_MIN answers up)."""
    by_group: cells.Table | None = None
    """A poll's votes by stakeholder group (`poll_table`)."""

    @property
    def broken_down(self) -> bool:
        """Whether the options are shown one by one (5 or more answered)."""
        return bool(self.parts) and self.answered.value >= cells.SMALL

    def percent(self, part: cells.Cell) -> float | None:
        """A part's share of those who answered, when it may be shown."""
        return part.share_of(self.answered)


def _distribution(
    question: Question, counts: Counter[str]
) -> tuple[cells.Cell, tuple[cells.Cell, ...]]:
    """(answered, parts) for options that add up to the answers (one option each)."""
    line = cells.line([counts.get(v, 0) for v in question.values])
    return line.total, line.parts


async def summarise(conn: Reader, dialogue: str, question: Question) -> Summary:
    q = question
    if q.prompt is not None and q.kind == "poll":
        votes = await reports.votes_by_group(conn, q.prompt.id)
        table = poll_table(votes, len(q.choices))
        return Summary(q, table.overall.total, table.overall.parts, by_group=table)
    if q.prompt is not None:
        total, latest = await reports.prompt_answers(conn, q.prompt.id, limit=LATEST)
        return _open(q, total, latest)
    assert q.flow is not None and q.step is not None
    if q.kind == "text":
        total, latest = await reports.step_answers(conn, dialogue, q.flow, q.step, limit=LATEST)
        return _open(q, total, latest)
    values = await reports.step_values(conn, dialogue, q.flow, q.step)
    counts: Counter[str] = Counter()
    if q.kind == "multi":
        people = 0
        for value, n in values:
            picked = set(value.split()) & set(q.values)
            if picked:
                people += n
            for v in picked:
                counts[v] += n
        # the parts add up to the choices made, not to the people: protected together
        # as a line, and shown beside the number of people who answered
        answered = cells.count(people)
        parts = cells.line([counts.get(v, 0) for v in q.values]).parts
        if answered.value < cells.SMALL:
            parts = tuple(cells.Cell(c.value, c.value == 0) for c in parts)
        return Summary(q, answered, parts)
    for value, n in values:
        counts[value] += n
    answered, parts = _distribution(q, counts)
    if q.kind != "scale" or answered.value < cells.SMALL or not all(p.exact for p in parts):
        return Summary(q, answered, parts)
    numbers = [(int(c.value), p.value) for c, p in zip(q.choices, parts, strict=True)]
    return Summary(
        q,
        answered,
        parts,
        median=quantile(numbers, 0.5),
        quartiles=(quantile(numbers, 0.25), quantile(numbers, 0.75)),
    )


def _open(q: Question, total: int, latest: list[str]) -> Summary:
    answered = cells.count(total)
    shown = tuple(masked(t) for t in latest) if total >= VERBATIM_MIN else ()
    return Summary(q, answered, latest=shown)


def quantile(counts: list[tuple[int, int]], p: float) -> float:
    """The p-quantile of values given as (value, how many), values in increasing order:
    linear between the two closest answers (the "inclusive" method of `statistics`)."""
    n = sum(k for _, k in counts)
    position = (n - 1) * p
    low, high = int(position), min(int(position) + 1, n - 1)

    def at(index: int) -> int:
        seen = 0
        for value, k in counts:
            seen += k
            if index < seen:
                return value
        return counts[-1][0]

    return at(low) + (at(high) - at(low)) * (position - low)
