"""The small-cell rule, in one place: no figure shown may reveal a count under 5.

Everything that shows counts of people (the dashboard, `/results`, `/share`, charts,
exports of aggregates, the web pages) goes through here:

- a count between 1 and 4 shows as `<5` (primary suppression);
- a total shown next to its parts must not give a hidden part away by subtraction, and
  neither may two hidden parts whose sum is known ("4 + 4 = 8"): more parts are hidden
  (complementary suppression, `5+` for a hidden part of 5 or more) until every hidden
  small count could take at least two values given everything shown;
- a group with fewer than 5 people is not broken down at all (`table`);
- a percentage is shown only of an exact count over an exact base of 5 or more.

`line` protects parts with their total (one sum: interval reasoning is exact). `table`
protects a breakdown by group with both margins; its audit solves, for every hidden small
count, the least and greatest value the shown figures allow (linear programming, scipy's
HiGHS) and hides more until none is pinned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

SMALL = 5


@dataclass(frozen=True)
class Cell:
    """One figure as shown: its true `value` is used only to decide and to draw what is
    exact; `exact` says whether the number itself may be shown."""

    value: int
    exact: bool = True

    @property
    def text(self) -> str:
        if self.exact:
            return str(self.value)
        return "<5" if self.value < SMALL else "5+"

    @property
    def arg(self) -> int | str:
        """The figure for a Fluent message: a number (plural forms apply) when exact."""
        return self.value if self.exact else self.text

    @property
    def bounds(self) -> tuple[float, float | None]:
        """What someone reading the figure knows of the value."""
        if self.exact:
            return float(self.value), float(self.value)
        return (0.0, SMALL - 1.0) if self.value < SMALL else (float(SMALL), None)

    def share_of(self, base: Cell) -> float | None:
        """value / base, when that reveals nothing (both exact, base of 5 or more)."""
        if self.exact and base.exact and base.value >= SMALL:
            return self.value / base.value
        return None

    def percent_of(self, base: Cell) -> str:
        share = self.share_of(base)
        return "" if share is None else f"{round(100 * share)}%"


def count(n: int) -> Cell:
    """A count shown on its own."""
    return Cell(n, not 0 < n < SMALL)


@dataclass(frozen=True)
class Line:
    """Parts and their total (a poll's tally, participants by group)."""

    parts: tuple[Cell, ...]
    total: Cell

    @property
    def enough(self) -> bool:
        """At least 5 in all: below that nothing but `<5` is shown."""
        return self.total.value >= SMALL


def line(counts: Sequence[int]) -> Line:
    total = count(sum(counts))
    if not total.exact:  # fewer than 5 in all: no breakdown
        return Line(tuple(Cell(n, n == 0) for n in counts), total)
    hidden = {i for i, n in enumerate(counts) if 0 < n < SMALL}
    total_shown = True
    while hidden and _pinned_in_line(counts, hidden, total_shown):
        candidates = [i for i in range(len(counts)) if i not in hidden]
        if candidates:
            hidden.add(min(candidates, key=lambda i: (counts[i], i)))
        elif total_shown:  # every part hidden and still too telling: the total goes too
            total_shown = False
        else:
            break
    parts = tuple(Cell(n, i not in hidden) for i, n in enumerate(counts))
    return Line(parts, Cell(total.value, total_shown))


def _pinned_in_line(counts: Sequence[int], hidden: set[int], total_shown: bool) -> bool:
    """Whether some hidden small count is the only value the shown figures allow."""
    known = sum(n for i, n in enumerate(counts) if i not in hidden)
    total = sum(counts)
    # what the hidden parts add up to: exactly, or (total shown as 5+) at least 5 - known
    rest_low = float(total - known) if total_shown else max(0.0, SMALL - known)
    rest_high = float(total - known) if total_shown else float("inf")
    lows = {i: Cell(counts[i], False).bounds[0] for i in hidden}
    highs = {
        i: (b if (b := Cell(counts[i], False).bounds[1]) is not None else rest_high)
        for i in hidden
    }
    for i in hidden:
        if counts[i] >= SMALL:
            continue
        low = max(lows[i], rest_low - sum(highs[j] for j in hidden if j != i))
        high = min(highs[i], rest_high - sum(lows[j] for j in hidden if j != i))
        if low >= high:
            return True
    return False


@dataclass(frozen=True)
class Table:
    """A breakdown by group: rows (groups) x columns (options), each row's total, the
    columns' totals (the overall tally) and the grand total."""

    rows: dict[str, tuple[Cell, ...]]
    row_totals: dict[str, Cell]
    overall: Line

    def broken_down(self, row: str) -> bool:
        """Whether the group is shown option by option (5 or more in it)."""
        return self.row_totals[row].value >= SMALL


Figure = tuple[str, int, int]
"""("cell", row, col), ("row", row, -1), ("col", -1, col) or ("all", -1, -1)."""


def table(rows: Mapping[str, Sequence[int]], width: int) -> Table:
    names = sorted(rows)
    grid = tuple(
        tuple(int(rows[r][j]) if j < len(rows[r]) else 0 for j in range(width)) for r in names
    )
    return _table(tuple(names), grid, width)


@lru_cache(maxsize=512)
def _table(names: tuple[str, ...], frozen: tuple[tuple[int, ...], ...], width: int) -> Table:
    """The same counts always get the same protection (and it is computed once)."""
    grid = [list(g) for g in frozen]
    primary: set[Figure] = set()
    for i, g in enumerate(grid):
        small_row = 0 < sum(g) < SMALL
        if small_row:
            primary.add(("row", i, -1))
        for j, n in enumerate(g):
            if 0 < n < SMALL or small_row:
                primary.add(("cell", i, j))
    overall = line([sum(g[j] for g in grid) for j in range(width)])
    primary.update(("col", -1, j) for j, c in enumerate(overall.parts) if not c.exact)
    if not overall.total.exact:
        primary.add(("all", -1, -1))
    # Hiding as little as possible is a hard problem: two greedy orders, and the one that
    # costs less of what people read first (the overall tally, then group sizes) wins.
    audits = []
    for cells_first in (True, False):
        audit = _Audit(grid, width, cells_first)
        audit.hidden.update(primary)
        audit.protect()
        audit.prune(primary)
        audits.append(audit)
    shown = min(audits, key=_Audit.cost).hidden
    return Table(
        {
            r: tuple(Cell(grid[i][j], ("cell", i, j) not in shown) for j in range(width))
            for i, r in enumerate(names)
        },
        {r: Cell(sum(grid[i]), ("row", i, -1) not in shown) for i, r in enumerate(names)},
        Line(
            tuple(
                Cell(sum(g[j] for g in grid), ("col", -1, j) not in shown) for j in range(width)
            ),
            Cell(sum(map(sum, grid)), ("all", -1, -1) not in shown),
        ),
    )


class _Audit:
    """Which figures of a table to hide so that none under 5 can be worked out."""

    WEIGHT: ClassVar[dict[str, int]] = {"cell": 1, "row": 3, "col": 6, "all": 12}
    """How much hiding one figure of each kind costs the reader."""

    def __init__(self, grid: list[list[int]], width: int, cells_first: bool = True) -> None:
        self.grid = grid
        self.width = width
        self.cells_first = cells_first
        self.hidden: set[Figure] = set()
        self.figures: list[Figure] = (
            [("cell", i, j) for i in range(len(grid)) for j in range(width)]
            + [("row", i, -1) for i in range(len(grid))]
            + [("col", -1, j) for j in range(width)]
            + [("all", -1, -1)]
        )

    def members(self, f: Figure) -> list[tuple[int, int]]:
        kind, i, j = f
        rows, cols = range(len(self.grid)), range(self.width)
        if kind == "cell":
            return [(i, j)]
        if kind == "row":
            return [(i, c) for c in cols]
        if kind == "col":
            return [(r, j) for r in rows]
        return [(r, c) for r in rows for c in cols]

    def value(self, f: Figure) -> int:
        return sum(self.grid[i][j] for i, j in self.members(f))

    def protect(self) -> None:
        """Hiding more only ever widens what the shown figures allow, so each small
        hidden figure is checked until it is not pinned, and never again."""
        sensitive = [f for f in sorted(self.hidden) if 0 < self.value(f) < SMALL]
        for f in sensitive:
            while self.is_pinned(f):
                candidate = self.candidate(f)
                if candidate is None:
                    return
                self.hidden.add(candidate)

    def prune(self, primary: set[Figure]) -> None:
        """Greedy hiding overshoots: show again, the most telling first, each figure hidden
        only for another's sake whose showing leaves every small one unpinned."""
        sensitive = [f for f in sorted(self.hidden) if 0 < self.value(f) < SMALL]
        extra = sorted(
            self.hidden - primary, key=lambda f: (-self.WEIGHT[f[0]], -self.value(f), f)
        )
        for f in extra:
            self.hidden.discard(f)
            if any(self.is_pinned(s) for s in sensitive):
                self.hidden.add(f)

    def candidate(self, pinned: Figure) -> Figure | None:
        """The figure to hide next: an exact one near the pinned figure; the least telling
        kind first (cells, then group totals) or the smallest first."""
        near = set(self.members(pinned))
        rows = {i for i, _ in near}
        cols = {j for _, j in near}
        order = {"cell": 0, "row": 1, "col": 2, "all": 3}
        exact = [f for f in self.figures if f not in self.hidden]
        if not exact:
            return None

        def related(f: Figure) -> bool:
            cells = set(self.members(f))
            if cells & near:
                return True
            return any(i in rows or j in cols for i, j in cells)

        pool = [f for f in exact if related(f)] or exact
        if self.cells_first:  # the overall tally and group sizes last
            return min(pool, key=lambda f: (order[f[0]], self.value(f), f))
        return min(pool, key=lambda f: (self.value(f), order[f[0]], f))

    def cost(self) -> int:
        return sum(self.WEIGHT[f[0]] for f in self.hidden)

    def is_pinned(self, f: Figure) -> bool:
        """Whether the shown figures fix hidden figure `f` to one value (LP bounds)."""
        import numpy as np
        from scipy.optimize import linprog

        cells = [(i, j) for i in range(len(self.grid)) for j in range(self.width)]
        index = {c: k for k, c in enumerate(cells)}
        bounds: list[tuple[float, float | None]] = []
        for i, j in cells:
            shown = ("cell", i, j) not in self.hidden
            bounds.append(Cell(self.grid[i][j], shown).bounds)
        a_eq: list[list[float]] = []
        b_eq: list[float] = []
        a_ub: list[list[float]] = []
        b_ub: list[float] = []
        for total in self.figures:
            if total[0] == "cell":
                continue
            row = [0.0] * len(cells)
            for c in self.members(total):
                row[index[c]] = 1.0
            low, high = Cell(self.value(total), total not in self.hidden).bounds
            if low == high:
                a_eq.append(row)
                b_eq.append(low)
                continue
            a_ub.append([-x for x in row])
            b_ub.append(-low)
            if high is not None:
                a_ub.append(row)
                b_ub.append(high)
        goal = np.zeros(len(cells))
        for c in self.members(f):
            goal[index[c]] = 1.0
        ends = []
        for sign in (1.0, -1.0):
            res = linprog(
                sign * goal,
                A_ub=np.array(a_ub) if a_ub else None,
                b_ub=np.array(b_ub) if b_ub else None,
                A_eq=np.array(a_eq) if a_eq else None,
                b_eq=np.array(b_eq) if b_eq else None,
                bounds=bounds,
                method="highs",
            )
            if res.success:
                ends.append(sign * res.fun)
            else:  # unbounded above: not pinned
                ends.append(float("inf") if sign < 0 else 0.0)
        low, high = ends
        if high == float("inf"):
            return False
        return bool(np.ceil(low - 1e-9) >= np.floor(high + 1e-9))
