"""The small-cell rule: whatever the counts, no figure under 5 can be worked out from the
figures shown (checked with exact integer programming, independently of how `bot.cells`
decides), and percentages never come from small bases."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from bot import cells

small_counts = st.integers(0, 9)


def integer_range(
    n: int, rows: list[tuple[list[int], tuple[float, float]]], goal: list[int]
) -> tuple[int, int]:
    """Least and greatest integer value of sum(x[k] for k in goal) over non-negative
    integer x satisfying low <= sum(x[members]) <= high for each (members, bounds)."""
    ends = []
    for sign in (1.0, -1.0):
        c = np.zeros(n)
        c[goal] = sign
        a = np.zeros((len(rows), n))
        lows, highs = [], []
        for r, (members, (low, high)) in enumerate(rows):
            a[r, members] = 1.0
            lows.append(low)
            highs.append(high)
        res = milp(
            c,
            constraints=LinearConstraint(a, lows, highs),
            integrality=np.ones(n),
            bounds=Bounds(0, 1000),
        )
        assert res.success
        ends.append(round(sign * res.fun))
    return ends[0], ends[1]


def bounds_of(cell: cells.Cell) -> tuple[float, float]:
    low, high = cell.bounds
    return low, 1000.0 if high is None else high


@settings(max_examples=300, deadline=None)
@given(st.lists(small_counts, min_size=1, max_size=5))
def test_a_line_never_reveals_a_small_part(counts: list[int]) -> None:
    shown = cells.line(counts)
    n = len(counts)
    constraints = [([k], bounds_of(c)) for k, c in enumerate(shown.parts)]
    constraints.append((list(range(n)), bounds_of(shown.total)))
    for k, c in enumerate(shown.parts):
        assert c.exact or c.text in ("<5", "5+")
        if not c.exact and 0 < counts[k] < cells.SMALL:
            low, high = integer_range(n, constraints, [k])
            assert low < high, (counts, [p.text for p in shown.parts], k)
        if c.exact:
            assert c.value == counts[k] and not 0 < c.value < cells.SMALL


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda width: st.lists(
            st.lists(small_counts, min_size=width, max_size=width), min_size=1, max_size=4
        )
    )
)
def test_a_breakdown_by_group_never_reveals_a_small_count(grid: list[list[int]]) -> None:
    width = len(grid[0])
    names = [f"g{i}" for i in range(len(grid))]
    shown = cells.table(dict(zip(names, grid, strict=True)), width)
    n = len(grid) * width

    def var(i: int, j: int) -> int:
        return i * width + j

    figures: list[tuple[list[int], cells.Cell, int]] = []
    for i, r in enumerate(names):
        for j in range(width):
            figures.append(([var(i, j)], shown.rows[r][j], grid[i][j]))
        figures.append(([var(i, j) for j in range(width)], shown.row_totals[r], sum(grid[i])))
    for j in range(width):
        column = [var(i, j) for i in range(len(grid))]
        figures.append((column, shown.overall.parts[j], sum(g[j] for g in grid)))
    figures.append((list(range(n)), shown.overall.total, sum(map(sum, grid))))
    constraints = [(members, bounds_of(cell)) for members, cell, _ in figures]
    for members, cell, true in figures:
        if cell.exact:
            assert cell.value == true and not 0 < true < cells.SMALL
        elif 0 < true < cells.SMALL:
            low, high = integer_range(n, constraints, members)
            assert low < high, (grid, members)
    for r in names:
        if not shown.broken_down(r):
            assert all(not c.exact or c.value == 0 for c in shown.rows[r])


def test_percentages_only_of_exact_counts_over_bases_of_five_or_more() -> None:
    assert cells.Cell(2).percent_of(cells.Cell(3, False)) == ""
    assert cells.Cell(3, False).percent_of(cells.Cell(10)) == ""
    assert cells.Cell(6).percent_of(cells.Cell(8)) == "75%"
    assert cells.count(3).text == "<5" and cells.count(0).text == "0" and cells.count(5).text == "5"


def test_a_poll_with_one_small_group_hides_enough() -> None:
    """Water 6 + Roads 2 in all, the 2 from one small group: neither the group's voters
    nor its votes can be had by subtraction."""
    shown = cells.table({"community": [6, 0], "civil-society": [0, 2]}, 2)
    assert [c.text for c in shown.overall.parts] == ["5+", "<5"]
    assert shown.row_totals["civil-society"].text == "<5"
    assert not shown.row_totals["community"].exact


def test_a_breakdown_hides_group_figures_before_the_headline() -> None:
    """23 votes in three groups of 5 or more: every small count is safe with the overall
    tally's large option and every group's size shown, so those stay exact (the audit once
    checked the grand total instead of the figure at hand and hid them all)."""
    shown = cells.table(
        {"community": [7, 2, 3], "civil-society": [2, 4, 0], "government": [4, 0, 1]}, 3
    )
    assert [c.text for c in shown.overall.parts] == ["13", "5+", "<5"]
    assert shown.overall.total.text == "23"
    assert {r: c.text for r, c in shown.row_totals.items()} == {
        "civil-society": "6",
        "community": "12",
        "government": "5",
    }
    assert shown.rows["community"][0].text == "7"
