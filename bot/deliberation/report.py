"""What a deliberation shows: the analysis (`analysis.py`) of a dialogue's votes, through
the small-cell rule, in the reader's language.

Every count of people goes through `bot.cells`: a statement's agree / disagree / pass by
stakeholder group is one protected table; an opinion group's make-up is a line of parts
of its size. Conclusions (common ground, divisive) rest only on groups with 5 voters or
more (the analysis' own rule), and name the groups, never how many of each voted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot import cells
from storage import statements
from storage.conn import Conn
from storage.statements import StatementRow

if TYPE_CHECKING:
    from bot.deliberation.analysis import Analysis

STANCES = ("agree", "disagree", "passed")


@dataclass(frozen=True)
class StatementFigures:
    id: int
    text: str
    votes: cells.Cell
    overall: cells.Line
    """Agree, disagree, pass (the columns of `by_group`, protected with it)."""
    by_group: cells.Table


@dataclass(frozen=True)
class GroupView:
    label: int
    size: cells.Cell
    make_up: dict[str, cells.Cell]
    representative: list[tuple[int, str, str, float]]
    """(statement, text, agree|disagree, the group's share in that direction)."""


@dataclass
class Report:
    dialogue: str
    participants: cells.Cell
    statements: list[StatementFigures] = field(default_factory=list)
    common_ground: list[tuple[int, str, float, tuple[str, ...]]] = field(default_factory=list)
    """(statement, text, consensus score, the groups that clearly agree)."""
    divisive: list[tuple[int, str, tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)
    """(statement, text, groups that agree, groups that disagree)."""
    opinion_groups: list[GroupView] = field(default_factory=list)
    opinion_status: str = ""
    pending: int = 0


def read(conn: Conn, dialogue: str) -> tuple[list[StatementRow], Analysis, int]:
    """The approved statements, the analysis of their votes, and proposals waiting.

    The analysis (numpy, scikit-learn) is imported here, when a report is first read:
    imported with the bot, numpy started OpenBLAS's threads in every process that runs
    turns and never reads a report (bench 1: 3% of its CPU, 12 MB of its peak memory)."""
    from bot.deliberation.analysis import VoteMatrix, analyse

    approved = statements.listing(conn, dialogue, "approved")
    rows: list[tuple[str | int, str | int, int]] = []
    groups: dict[str | int, str | None] = {}
    for pid, sid, vote, group in statements.votes(conn, dialogue):
        rows.append((pid, sid, vote))
        groups[pid] = group
    matrix = VoteMatrix.from_rows(rows, groups, [s.id for s in approved])
    pending = len(statements.listing(conn, dialogue, "pending"))
    return approved, analyse(matrix), pending


def build(
    dialogue: str, approved: list[StatementRow], result: Analysis, pending: int, lang: str
) -> Report:
    texts = {s.id: s.text_in(lang) for s in approved}
    report = Report(dialogue, cells.count(result.summary.participants), pending=pending)
    for st in result.statements:
        sid = int(st.statement_id)
        rows = {g: [t.agree, t.disagree, t.passed] for g, t in st.by_group.items() if t.votes}
        table = cells.table(rows, 3)
        report.statements.append(
            StatementFigures(sid, texts[sid], table.overall.total, table.overall, table)
        )
    report.common_ground = [
        (int(c.statement_id), texts[int(c.statement_id)], c.consensus, c.groups)
        for c in result.common_ground
    ]
    report.divisive = [
        (int(d.statement_id), texts[int(d.statement_id)], d.agreeing, d.disagreeing)
        for d in result.divisive
    ]
    report.opinion_status = str(result.summary.opinion_groups)
    if result.opinion_groups is not None:
        for g in result.opinion_groups.groups:
            names = sorted(g.stakeholders)
            line = cells.line([g.stakeholders[n] for n in names])
            report.opinion_groups.append(
                GroupView(
                    g.label,
                    cells.count(g.size),
                    dict(zip(names, line.parts, strict=True)),
                    [
                        (
                            int(r.statement_id),
                            texts[int(r.statement_id)],
                            r.direction,
                            r.tally.share("agree" if r.direction == "agree" else "disagree"),
                        )
                        for r in g.representative
                    ],
                )
            )
    return report


def text(report: Report, t: Callable[..., str], group_label: Callable[[str], str]) -> str:
    """The report as a chat message (`/statements report`, the dashboard)."""
    lines = [t("delib-head", people=report.participants.text, statements=len(report.statements))]
    if report.pending:
        lines.append(t("delib-pending", count=report.pending))
    lines.append("")
    lines.append(t("delib-common-ground"))
    if not report.common_ground:
        lines.append("  " + t("delib-none-yet"))
    for sid, txt, _score, groups in report.common_ground[:5]:
        lines.append(f"  {sid}. {txt} ({_names(groups, group_label)})")
    lines.append(t("delib-divisive"))
    if not report.divisive:
        lines.append("  " + t("delib-none-yet"))
    for sid, txt, yes, no in report.divisive[:5]:
        lines.append(
            f"  {sid}. {txt} "
            + t("delib-split", agree=_names(yes, group_label), disagree=_names(no, group_label))
        )
    lines.append(t("delib-opinion-groups"))
    if not report.opinion_groups:
        lines.append("  " + t(f"delib-status-{report.opinion_status}"))
    for g in report.opinion_groups:
        make_up = ", ".join(
            f"{group_label(name)} {cell.text}" for name, cell in g.make_up.items()
        )
        lines.append("  " + t("delib-group", label=g.label + 1, size=g.size.text, make_up=make_up))
        for sid, txt, direction, share in g.representative[:3]:
            lines.append(f"    {t(f'delib-{direction}', share=round(100 * share))} {sid}. {txt}")
    return "\n".join(lines)


def _names(groups: Iterable[str], group_label: Callable[[str], str]) -> str:
    return ", ".join(group_label(g) for g in groups)


def common_ground_message(
    report: Report, t: Callable[..., str], limit: int = 3
) -> str:
    """What `/share statements` tells participants: the statements with the most common
    ground, and how many took part."""
    if not report.common_ground:
        return t("delib-share-none", people=report.participants.text)
    lines = [t("delib-share-head", people=report.participants.text)]
    lines += [f"{i}. {txt}" for i, (_sid, txt, _s, _g) in enumerate(report.common_ground[:limit], 1)]
    return "\n".join(lines)
