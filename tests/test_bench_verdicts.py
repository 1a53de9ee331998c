"""The bench's verdicts: a target missed says by how much (issue 15)."""

from __future__ import annotations

from bench.common import Results, at_least, at_most, delivered_verdict
from bench.sms_webhook import p99_verdict, rate_verdict


def test_a_ratio_short_of_its_target_says_how_much_it_must_grow() -> None:
    assert at_least(0.92, 0.9) == "yes"
    assert at_least(0.9, 0.9) == "yes"
    assert at_least(0.86, 0.9) == "NO: +4.7% needed"  # flatness: 100,000 must gain 4.7%
    assert at_least(3_820, 0.5 * 7_729) == "NO: +1.2% needed"
    assert at_least(1_000, 2 * 1_000) == "NO: +100% needed"
    assert at_least(0, 1) == "NO: nothing measured"


def test_a_figure_over_its_bound_says_by_how_much() -> None:
    assert at_most(0.65, 1.0) == "yes"
    assert at_most(1.0, 1.0) == "yes"
    assert at_most(1.23, 1.0) == "NO: 23% over"
    assert at_most(114 * 1024, 1.1 * 100 * 1024) == "NO: 3.6% over"


def test_a_broadcast_that_missed_people_or_sent_twice_says_so_before_its_time() -> None:
    whole = {"delivered": 9_990, "waiting": 10, "duplicates": 0}
    assert delivered_verdict(whole, 10_000) == ""
    assert delivered_verdict({**whole, "delivered": 9_000}, 10_000) == "NO: 990 not delivered"
    assert delivered_verdict({**whole, "duplicates": 3}, 10_000) == "NO: 3 twice"


def test_the_table_carries_the_shortfall_in_its_met_column() -> None:
    res = Results()
    res.add("1", "turns at 100,000 vs 1,000", "4,420/s", "5,124/s", "0.86x", ">= 0.90x",
            at_least(4_420 / 5_124, 0.9))  # fmt: skip
    table = res.table()
    assert "| NO: +4.3% needed |" in table
    assert table.splitlines()[0].startswith("| # | measure")


def test_the_sms_verdicts_say_it_the_same_way_after_their_own_checks() -> None:
    assert rate_verdict(2_750, 1_144, 0) == "yes"
    assert rate_verdict(2_000, 1_144, 0) == "NO: +14% needed"
    assert rate_verdict(2_750, 1_144, 3) == "NO: 3 non-200"
    assert rate_verdict(2_750, 0, 0) == "NO: no baseline"
    kept = {"rate": 1_754.0, "errors": 0, "p99_ms": 17.0}
    assert p99_verdict(kept, 1_754) == "yes"
    assert p99_verdict({**kept, "p99_ms": 52.0}, 1_754) == "NO: 4.0% over"
    assert p99_verdict({**kept, "rate": 1_500.0}, 1_754) == "NO: only 1,500/s of 1,754/s sent"
    assert p99_verdict({**kept, "errors": 2}, 1_754) == "NO: 2 errors"
