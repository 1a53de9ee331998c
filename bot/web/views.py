"""What the pages show, as plain data for the templates.

Every count of people passes through the small-cell rule (`bot.cells`: a count under 5
reads "<5"; parts of a shown total are protected together with `cells.line`), and a bar is
drawn only for a count that may be shown, scaled by shown counts only: neither a bar's
length nor a percentage gives a small group away.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot import cells
from bot.agenda_views import poll_table
from bot.deliberation.report import Report
from bot.dialogues import Dialogue
from bot.facilitator import answers
from bot.facilitator.dashboard import Dashboard, ItemRate, shown
from bot.facilitator.questions import Question
from bot.facilitator.summaries import Summary
from bot.i18n import Translator
from storage import reports
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


def _cell_scale(parts: Iterable[cells.Cell]) -> float:
    top = max((c.value for c in parts if c.exact), default=0)
    return 100.0 / top if top else 0.0


def _cell_bar(cell: cells.Cell, scale: float) -> float | None:
    return round(cell.value * scale, 2) if cell.exact and cell.value > 0 else None


def simple_rows(items: Sequence[tuple[str, int]], lang: str) -> list[Row]:
    """Bars without targets, largest first; small cells last and in name order, so that
    the order does not rank them."""
    scale = _scale(n for _, n in items)
    ordered = sorted(items, key=lambda x: (-x[1] if visible(x[1]) else 0, x[0]))
    return [Row(label, count(n, lang), _bar(n, scale)) for label, n in ordered]


def line_rows(labels: Sequence[str], line: cells.Line, lang: str) -> list[Row]:
    """Parts of a total (people by channel, by language), protected together: largest
    first, hidden ones last and in name order, so that the order ranks none of them."""
    scale = _cell_scale(line.parts)
    pairs = sorted(
        zip(labels, line.parts, strict=True),
        key=lambda x: (-x[1].value if x[1].exact else 0, x[0]),
    )
    return [Row(label, cell_text(c, lang), _cell_bar(c, scale)) for label, c in pairs]


def label_for(tr: Translator, lang: str, prefix: str, code: str) -> str:
    """A code's label from the Fluent texts (`<prefix>-<code>`), else the code itself."""
    msg_id = f"{prefix}-{code}"
    return tr(lang, msg_id) if tr.has(lang, msg_id) else code


def group_label(tr: Translator, lang: str, group: str, board: Dashboard | None = None) -> str:
    if group == "unknown":
        return tr(lang, "web-group-unknown")
    if board is not None and board.group_names:
        return board.group_label(group)
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
    page: int = 1
    pages: int = 1


TOTALS = ("joined", "consented", "active_24h", "stopped", "unreachable")


def overview(board: Dashboard, tr: Translator, lang: str) -> Overview:
    d = board.dialogue
    order = board.group_order()
    by_group, by_channel, by_language, consented = board.people_lines()
    scale = _cell_scale([*by_group.parts, *(cells.Cell(d.expected(g)) for g in order)])
    groups = []
    for g, cell in zip(order, by_group.parts, strict=True):
        expected = d.expected(g)
        groups.append(
            Row(
                group_label(tr, lang, g, board),
                cell_text(cell, lang),
                _cell_bar(cell, scale),
                round(expected * scale, 2) if g in d.targets and scale else None,
                str(expected) if g in d.targets else "",
                below=g in d.targets and board.groups.get(g, 0) < expected,
            )
        )
    totals = {k: count(board.totals[k], lang) for k in TOTALS}
    totals["consented"] = cell_text(consented, lang)
    waiting = sorted(board.waiting, key=lambda w: (-w[2] if visible(w[2]) else 0, w[0], w[1]))
    waiting_scale = _scale(n for _, _, n in waiting)
    finished_scale = _scale(board.finished.values())
    channels = sorted(board.channels)
    languages = sorted(board.languages)
    return Overview(
        totals=[(tr(lang, f"web-total-{k}"), totals[k]) for k in TOTALS],
        groups=groups,
        has_targets=bool(d.targets),
        target_total=count(d.target_total, lang) if d.target_total else "",
        below=[r.label for r in groups if r.below],
        channels=line_rows([label_for(tr, lang, "web-channel", c) for c in channels], by_channel, lang),
        languages=line_rows(
            [label_for(tr, lang, "web-language", x) for x in languages], by_language, lang
        ),
        finished=[  # in dialogue order
            Row(f, count(n, lang), _bar(n, finished_scale)) for f, n in board.finished.items()
        ],
        waiting=[
            Row(f"{f} › {s}", count(n, lang), _bar(n, waiting_scale))
            for f, s, n in waiting[:WAITING_ROWS]
        ],
        prompts=[_rate(item, tr, lang) for item in board.items],
        broadcast=simple_rows(
            [(label_for(tr, lang, "web-status", s), n) for s, n in board.broadcast.items()], lang
        ),
        page=board.page,
        pages=board.pages,
    )


def _rate(item: ItemRate, tr: Translator, lang: str) -> PromptRate:
    share = item.rate
    return PromptRate(
        tr(lang, f"web-kind-{item.row.kind}"),
        item.row.id,
        str(item.row.text_in(lang)["question"]),
        cell_text(item.answered, lang),
        cell_text(item.reached, lang),
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
    db: Database,
    dialogue: Dialogue,
    tr: Translator,
    lang: str,
    now: datetime,
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> list[PollResult]:
    """Every poll of the dialogue that was sent, newest first, with its results (the
    same figures as /results: `agenda_views.poll_table`). `names`: group labels."""
    rows = await reports.prompt_rows(db.reader, dialogue.code)
    found = []
    for row in reversed([r for r in rows if r.kind == "poll" and r.sent_at]):
        own = row.text_in(lang)
        options = [str(o) for o in own["options"]]
        breakdown = poll_table(await reports.votes_by_group(db.reader, row.id), len(options))
        overall = breakdown.overall
        bars = option_rows(options, overall.parts, overall.total, lang)
        order = list(dialogue.targets) + sorted(set(breakdown.rows) - set(dialogue.targets))
        groups = []
        for g in order:
            if g not in breakdown.rows:
                continue
            label = (names or {}).get(g)
            groups.append(
                GroupVotes(
                    (label.get(lang) or next(iter(label.values()), g))
                    if label
                    else group_label(tr, lang, g),
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


def option_rows(
    labels: Sequence[str], parts: Sequence[cells.Cell], base: cells.Cell, lang: str
) -> list[Row]:
    """The options of a question in their own order, each bar and share only for a
    figure that may be shown."""
    scale = _cell_scale(parts)
    rows = []
    for label, cell in zip(labels, parts, strict=True):
        share = cell.share_of(base)
        note = f"{round(100 * share)} %" if share is not None else ""
        rows.append(Row(label, cell_text(cell, lang), _cell_bar(cell, scale), note=note))
    return rows


# --- what people said: the flows' questions, and the open answers -----------------------------


@dataclass
class QuestionView:
    id: str
    label: str
    answered: str
    rows: list[Row]
    """The options (empty for an open question, or fewer than 5 answers)."""
    note: str
    """A scale's median and middle half, or why nothing is broken down."""
    open: bool
    latest: list[str]


@dataclass
class FlowView:
    flow: str
    questions: list[QuestionView]


def question_view(s: Summary, tr: Translator, lang: str) -> QuestionView:
    q = s.question
    note = ""
    rows: list[Row] = []
    if s.broken_down:
        rows = option_rows([c.label(lang) for c in q.choices], s.parts, s.answered, lang)
        if q.kind == "scale" and s.median is not None and s.quartiles is not None:
            low, high = s.quartiles
            note = tr(lang, "web-median", median=_number(s.median), low=_number(low), high=_number(high))
        elif q.kind == "scale":
            note = tr(lang, "web-median-hidden")
        elif q.kind == "multi":
            note = tr(lang, "web-multi-note")
    elif q.open:
        note = "" if s.latest or not s.answered.value else tr(lang, "web-answers-hidden")
    elif s.answered.value:
        note = tr(lang, "web-too-few-answers")
    return QuestionView(
        q.id, q.label(lang), cell_text(s.answered, lang), rows, note, q.open, list(s.latest)
    )


def _number(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:.1f}"


def said(summaries: Sequence[Summary], tr: Translator, lang: str) -> list[FlowView]:
    """The flows' questions with what people answered, flow by flow, in dialogue order."""
    flows: list[FlowView] = []
    for s in summaries:
        if not flows or flows[-1].flow != s.question.flow:
            flows.append(FlowView(str(s.question.flow), []))
        flows[-1].questions.append(question_view(s, tr, lang))
    return flows


@dataclass
class OpenQuestion:
    id: str
    label: str
    kind: str
    answered: str


async def open_questions(
    db: Database, dialogue: Dialogue, questions: Sequence[Question], tr: Translator, lang: str
) -> list[OpenQuestion]:
    """Every open question of the dialogue (text steps in dialogue order, then prompts,
    newest first) with how many answered."""
    found = []
    steps = [q for q in questions if q.open and q.prompt is None]
    prompts_ = [q for q in reversed(questions) if q.open and q.prompt is not None]
    for q in [*steps, *prompts_]:
        page = await answers.read(db, dialogue, q, 1, per_page=0)
        kind = tr(lang, "web-kind-prompt") + f" {q.prompt.id}" if q.prompt else str(q.flow)
        found.append(OpenQuestion(q.id, q.label(lang), kind, count(page.total, lang)))
    return found


@dataclass
class AnswersPage:
    question: OpenQuestion
    answers: list[str]
    shown: bool
    page: int
    pages: int
    search: str
    matches: str


async def answers_page(
    db: Database,
    dialogue: Dialogue,
    q: Question,
    tr: Translator,
    lang: str,
    page: int,
    search: str,
    per_page: int,
) -> AnswersPage:
    found = await answers.read(db, dialogue, q, page, per_page=per_page, search=search or None)
    everyone = (
        found if not search else await answers.read(db, dialogue, q, 1, per_page=0)
    )
    kind = tr(lang, "web-kind-prompt") + f" {q.prompt.id}" if q.prompt else str(q.flow)
    return AnswersPage(
        OpenQuestion(q.id, q.label(lang), kind, count(everyone.total, lang)),
        list(found.answers),
        found.shown,
        found.page,
        found.pages,
        search,
        count(found.total, lang),
    )


# --------------------------------------------------------------------------- statements


@dataclass
class StatementView:
    id: int
    text: str
    votes: str
    rows: list[Row]
    """Agree, disagree, pass (in that order: the order is the meaning)."""
    groups: list[GroupVotes]


@dataclass
class OpinionView:
    label: int
    size: str
    make_up: list[Row]
    representative: list[tuple[int, str, str]]
    """(statement, text, "agrees 80%" as the reader's language says it)."""


@dataclass
class StatementsPage:
    people: str
    pending: int
    common_ground: list[tuple[int, str, str]]
    """(statement, text, the groups that agree)."""
    divisive: list[tuple[int, str, str, str]]
    opinion_groups: list[OpinionView]
    opinion_status: str
    statements: list[StatementView]


def statements_page(
    report: Report, tr: Translator, lang: str, names: Mapping[str, Mapping[str, str]]
) -> StatementsPage:
    """The deliberation's report (`bot.deliberation.report`, already through the
    small-cell rule) as the statements page shows it."""

    def label(group: str) -> str:
        return names.get(group, {}).get(lang) or label_for(tr, lang, "web-group", group)

    def listed(groups: Iterable[str]) -> str:
        return ", ".join(label(g) for g in groups)

    stances = [tr(lang, f"statement-{s}") for s in ("agree", "disagree", "pass")]
    shown = []
    for st in report.statements:
        rows = [
            Row(name, cell_text(c, lang), None, note=c.percent_of(st.overall.total))
            for name, c in zip(stances, st.overall.parts, strict=True)
        ]
        scale = _cell_scale(st.overall.parts)
        rows = [
            Row(r.label, r.value, _cell_bar(c, scale), note=r.note)
            for r, c in zip(rows, st.overall.parts, strict=True)
        ]
        groups = [
            GroupVotes(
                label(g),
                cell_text(st.by_group.row_totals[g], lang),
                [cell_text(c, lang) for c in st.by_group.rows[g]]
                if st.by_group.broken_down(g)
                else None,
            )
            for g in sorted(st.by_group.rows)
        ]
        shown.append(StatementView(st.id, st.text, cell_text(st.votes, lang), rows, groups))
    return StatementsPage(
        cell_text(report.participants, lang),
        report.pending,
        [(sid, text, listed(groups)) for sid, text, _score, groups in report.common_ground],
        [(sid, text, listed(yes), listed(no)) for sid, text, yes, no in report.divisive],
        [
            OpinionView(
                g.label + 1,
                cell_text(g.size, lang),
                [Row(label(name), cell_text(c, lang)) for name, c in g.make_up.items()],
                [
                    (sid, text, tr(lang, f"delib-{d}", share=round(100 * share)).rstrip(" :"))
                    for sid, text, d, share in g.representative
                ],
            )
            for g in report.opinion_groups
        ],
        tr(lang, f"delib-status-{report.opinion_status}"),
        shown,
    )
