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
    while hidden and _pinned_in_line(counts, hidden):
        candidates = [i for i in range(len(counts)) if i not in hidden]
        if not candidates:
            break
        hidden.add(min(candidates, key=lambda i: (counts[i], i)))
    return Line(tuple(Cell(n, i not in hidden) for i, n in enumerate(counts)), total)


def _pinned_in_line(counts: Sequence[int], hidden: set[int]) -> bool:
    """Whether some hidden small count is the only value the shown figures allow."""
    rest = sum(counts) - sum(n for i, n in enumerate(counts) if i not in hidden)
    bounds = {i: Cell(counts[i], False).bounds for i in hidden}
    lows = {i: b[0] for i, b in bounds.items()}
    highs = {i: (b[1] if b[1] is not None else float(rest)) for i, b in bounds.items()}
    for i in hidden:
        if counts[i] >= SMALL:
            continue
        low = max(lows[i], rest - sum(highs[j] for j in hidden if j != i))
        high = min(highs[i], rest - sum(lows[j] for j in hidden if j != i))
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


def table(rows: Mapping[str, Sequence[int]], width: int) -> Table:
    names = list(rows)
    grid = [[int(rows[r][j]) if j < len(rows[r]) else 0 for j in range(width)] for r in names]
    overall = line([sum(g[j] for g in grid) for j in range(width)])
    hidden = {
        (i, j)
        for i, g in enumerate(grid)
        for j, n in enumerate(g)
        if 0 < n < SMALL or sum(g) < SMALL
    }
    while (spot := _pinned_in_table(grid, hidden, overall)) is not None:
        i, j = spot
        options = [
            (grid[a][b], a, b)
            for a, b in [(i, c) for c in range(width)] + [(r, j) for r in range(len(grid))]
            if (a, b) not in hidden
        ]
        if not options:
            options = [
                (grid[a][b], a, b)
                for a in range(len(grid))
                for b in range(width)
                if (a, b) not in hidden
            ]
            if not options:
                break
        _, a, b = min(options)
        hidden.add((a, b))
    return Table(
        {
            r: tuple(Cell(grid[i][j], (i, j) not in hidden) for j in range(width))
            for i, r in enumerate(names)
        },
        {r: count(sum(grid[i])) for i, r in enumerate(names)},
        overall,
    )


def _pinned_in_table(
    grid: list[list[int]], hidden: set[tuple[int, int]], overall: Line
) -> tuple[int, int] | None:
    """A hidden small cell whose value the shown figures fix, if any (LP bounds)."""
    sensitive = [(i, j) for (i, j) in sorted(hidden) if 0 < grid[i][j] < SMALL]
    if not sensitive:
        return None
    import numpy as np
    from scipy.optimize import linprog

    cells = sorted(hidden)
    index = {c: k for k, c in enumerate(cells)}
    n = len(cells)
    bounds = [Cell(grid[i][j], False).bounds for i, j in cells]
    a_eq: list[list[float]] = []
    b_eq: list[float] = []
    a_ub: list[list[float]] = []
    b_ub: list[float] = []

    def constrain(members: list[tuple[int, int]], total: Cell) -> None:
        known = sum(grid[i][j] for i, j in members if (i, j) not in hidden)
        row = [0.0] * n
        for c in members:
            if c in hidden:
                row[index[c]] = 1.0
        if not any(row):
            return
        low, high = total.bounds
        if low == high:
            a_eq.append(row)
            b_eq.append(low - known)
            return
        a_ub.append([-x for x in row])
        b_ub.append(known - low)
        if high is not None:
            a_ub.append(row)
            b_ub.append(high - known)

    width = len(grid[0]) if grid else 0
    for i, g in enumerate(grid):
        constrain([(i, j) for j in range(width)], count(sum(g)))
    for j in range(width):
        constrain([(i, j) for i in range(len(grid))], overall.parts[j])
    for i, j in sensitive:
        goal = np.zeros(n)
        goal[index[(i, j)]] = 1.0
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
        if int(np.ceil(low - 1e-9)) >= int(np.floor(high + 1e-9)):
            return (i, j)
    return None
