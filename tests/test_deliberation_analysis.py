"""The deliberation analysis (issue 13) on planted data: it must find what was planted.

Opinion groups planted with noise and missing votes are recovered (adjusted Rand index)
with their own statements as representative; common ground is exactly the statements
planted as agreed by every stakeholder group, ranked by group-informed consensus; split
statements are found; small groups count neither way; edge cases answer with a reason.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from bot.deliberation.analysis import (
    CLEAR_MAJORITY,
    MIN_GROUP,
    UNGROUPED,
    Analysis,
    Id,
    OpinionGroupsStatus,
    Tally,
    VoteMatrix,
    analyse,
)

Row = tuple[Id, str, int]

# --------------------------------------------------------------------------- opinion groups


@dataclass
class Planted:
    matrix: VoteMatrix
    labels: dict[Id, int]
    """Planted opinion group of each participant id."""
    blocks: dict[int, set[str]]
    """The statements each planted opinion group agrees with."""


def planted_opinions(
    seed: int, sizes: Sequence[int] = (120, 70, 40), missing: float = 0.4
) -> Planted:
    """Opinion groups of different sizes: group g agrees (85 %) with its own block of 8
    statements, which the others reject (80 %); 36 more statements are noise; each vote is
    missing with probability `missing`. Stakeholder groups are drawn independently."""
    rng = np.random.default_rng(seed)
    block, noise = 8, 36
    n_s = block * len(sizes) + noise
    sids = [f"s{i:02d}" for i in range(n_s)]
    labels: dict[Id, int] = {}
    rows: list[Row] = []
    groups: dict[Id, str] = {}
    stakeholders = ["community", "government", "business", "research", "unknown"]
    for g, size in enumerate(sizes):
        for i in range(size):
            pid = f"g{g}-p{i:03d}"
            labels[pid] = g
            groups[pid] = stakeholders[int(rng.integers(len(stakeholders)))]
            for s, sid in enumerate(sids):
                if rng.random() < missing:
                    continue
                owner = s // block if s < block * len(sizes) else None
                if owner is None:
                    p_agree, p_disagree = 0.4, 0.4
                elif owner == g:
                    p_agree, p_disagree = 0.85, 0.1
                else:
                    p_agree, p_disagree = 0.1, 0.8
                u = rng.random()
                rows.append((pid, sid, 1 if u < p_agree else -1 if u < p_agree + p_disagree else 0))
    order = rng.permutation(len(rows))  # votes arrive interleaved, as from a database
    matrix = VoteMatrix.from_rows([rows[i] for i in order], groups, sids)
    blocks = {g: set(sids[g * block : (g + 1) * block]) for g in range(len(sizes))}
    return Planted(matrix, labels, blocks)


@pytest.mark.parametrize(("seed", "missing"), [(1, 0.3), (2, 0.4), (3, 0.5)])
def test_planted_opinion_groups_are_recovered(seed: int, missing: float) -> None:
    planted = planted_opinions(seed, missing=missing)
    result = analyse(planted.matrix)

    assert result.summary.opinion_groups is OpinionGroupsStatus.COMPUTED
    og = result.opinion_groups
    assert og is not None
    assert len(og.groups) == 3
    found = {pid: group.label for group in og.groups for pid in group.members}
    assert set(found) == set(planted.labels)  # everyone voted enough to be placed
    ids = sorted(found)
    ari = adjusted_rand_score([planted.labels[p] for p in ids], [found[p] for p in ids])
    assert ari >= 0.9

    sizes = [group.size for group in og.groups]
    assert sizes == sorted(sizes, reverse=True)  # numbered by size, largest first
    assert [group.label for group in og.groups] == [0, 1, 2]
    for group in og.groups:
        assert group.size == len(group.members)
        makeup = Counter(
            planted.matrix.groups[planted.matrix.participant_ids.index(p)] for p in group.members
        )
        assert dict(group.stakeholders) == dict(makeup)
        # the planted group most of its members came from; its block is what sets it apart
        source = Counter(planted.labels[p] for p in group.members).most_common(1)[0][0]
        reps = group.representative
        assert len(reps) == 5
        assert {r.statement_id for r in reps} <= planted.blocks[source]
        assert all(r.direction == "agree" for r in reps)
        metrics = [r.metric for r in reps]
        assert metrics == sorted(metrics, reverse=True)
        for r in reps:
            assert r.z_half > 1.2816 and r.z_rest > 1.2816 and r.ratio > 1
            assert r.tally.votes >= MIN_GROUP
            assert r.probability == pytest.approx((r.tally.agree + 1) / (r.tally.votes + 2))
    assert 3 in og.silhouettes and og.silhouette == max(og.silhouettes.values())


def test_opinion_groups_are_deterministic() -> None:
    planted = planted_opinions(4)
    first, second = analyse(planted.matrix), analyse(planted.matrix)
    assert first.opinion_groups == second.opinion_groups


def test_a_participant_with_one_vote_is_counted_but_not_placed() -> None:
    planted = planted_opinions(5, sizes=(30, 25))
    m = planted.matrix
    rows = list(
        zip(
            [m.participant_ids[i] for i in m.participant],
            [m.statement_ids[i] for i in m.statement],
            m.vote.tolist(),
            strict=True,
        )
    )
    rows.append(("newcomer", "s00", 1))
    groups = dict(zip(m.participant_ids, m.groups, strict=True)) | {"newcomer": "business"}
    before = analyse(m)
    after = analyse(VoteMatrix.from_rows(rows, groups, m.statement_ids))

    assert after.summary.participants == before.summary.participants + 1
    assert after.summary.placed == before.summary.placed
    assert after.statements[0].overall.agree == before.statements[0].overall.agree + 1
    assert after.statements[0].by_group["business"].agree == (
        before.statements[0].by_group["business"].agree + 1
    )
    assert after.opinion_groups is not None
    assert all("newcomer" not in g.members for g in after.opinion_groups.groups)
    assert sum(g.size for g in after.opinion_groups.groups) == after.summary.placed


# --------------------------------------------------------------------------- stakeholder groups

ROSTER = {
    "community": 40,
    "government": 10,
    "business": 8,
    "research": 5,  # but at most 4 of them vote on a panel statement: under MIN_GROUP
    "prefer-not": 6,  # ungrouped: says nothing about where people stand
    "unknown": 6,
}

# statement -> group -> (agree, disagree, pass), cast by the group's first members
PANEL: dict[str, dict[str, tuple[int, int, int]]] = {
    # planted common ground, best consensus first
    "cg-strong": {"community": (36, 2, 2), "government": (9, 1, 0), "business": (8, 0, 0),
                  "research": (0, 4, 0), "prefer-not": (0, 6, 0)},
    "cg-medium": {"community": (30, 6, 4), "government": (8, 2, 0), "business": (6, 2, 0)},
    "cg-edge": {"community": (24, 10, 6), "government": (6, 4, 0), "business": (5, 3, 0)},
    # decoys
    "all-but-one": {"community": (36, 4, 0), "government": (2, 8, 0), "business": (7, 1, 0)},
    "dominated": {"community": (38, 2, 0), "government": (5, 5, 0), "business": (4, 4, 0)},
    "passes-are-not-agreement": {"community": (20, 0, 20), "government": (9, 0, 1),
                                 "business": (8, 0, 0)},
    "just-under": {"community": (23, 10, 7), "government": (9, 1, 0), "business": (8, 0, 0)},
    "one-counting-group": {"community": (36, 4, 0), "government": (4, 0, 0),
                           "business": (3, 0, 0), "research": (4, 0, 0)},
    "ungrouped-are-not-a-group": {"community": (36, 4, 0), "prefer-not": (6, 0, 0),
                                  "unknown": (6, 0, 0)},
    # divisive
    "split": {"community": (34, 4, 2), "government": (1, 9, 0), "business": (4, 4, 0)},
    "split-hard": {"community": (40, 0, 0), "government": (0, 10, 0), "business": (0, 8, 0)},
    "contested-within": {"community": (20, 20, 0), "government": (5, 5, 0)},
    "small-splitter": {"community": (36, 4, 0), "research": (0, 4, 0)},
    "ungrouped-splitter": {"community": (36, 4, 0), "unknown": (0, 6, 0)},
}  # fmt: skip


def panel_rows(panel: Mapping[str, Mapping[str, tuple[int, int, int]]]) -> list[Row]:
    rows: list[Row] = []
    for sid, by_group in panel.items():
        for group, (agree, disagree, passed) in by_group.items():
            votes = [1] * agree + [-1] * disagree + [0] * passed
            assert len(votes) <= ROSTER[group]
            rows += [(f"{group}-{i}", sid, v) for i, v in enumerate(votes)]
    return rows


def panel_groups() -> dict[Id, str | None]:
    groups: dict[Id, str | None] = {f"{g}-{i}": g for g, n in ROSTER.items() for i in range(n)}
    for i in range(ROSTER["unknown"]):
        groups[f"unknown-{i}"] = None  # never answered the group question
    return groups


def panel_analysis(panel: Mapping[str, Mapping[str, tuple[int, int, int]]] = PANEL) -> Analysis:
    return analyse(VoteMatrix.from_rows(panel_rows(panel), panel_groups(), list(panel)))


def consensus_of(by_group: Mapping[str, tuple[int, int, int]]) -> float:
    """Group-informed consensus, computed here from the planted counts."""
    score = 1.0
    for group, (agree, disagree, passed) in by_group.items():
        votes = agree + disagree + passed
        if group not in UNGROUPED and votes >= MIN_GROUP:
            score *= (agree + 1) / (votes + 2)
    return score


def test_common_ground_is_exactly_the_planted_statements_ranked_by_consensus() -> None:
    result = panel_analysis()
    assert [c.statement_id for c in result.common_ground] == ["cg-strong", "cg-medium", "cg-edge"]
    for c in result.common_ground:
        assert c.consensus == pytest.approx(consensus_of(PANEL[str(c.statement_id)]))
        assert c.groups == ("business", "community", "government")
    scores = [c.consensus for c in result.common_ground]
    assert scores == sorted(scores, reverse=True)
    assert result.summary.common_ground == 3


def test_tallies_are_raw_counts_overall_and_by_group() -> None:
    result = panel_analysis()
    by_id = {s.statement_id: s for s in result.statements}
    assert [s.statement_id for s in result.statements] == list(PANEL)
    strong = by_id["cg-strong"]
    assert strong.overall == Tally(agree=53, disagree=13, passed=2)
    assert strong.by_group["research"] == Tally(agree=0, disagree=4, passed=0)  # raw, even < 5
    assert strong.by_group["prefer-not"] == Tally(agree=0, disagree=6, passed=0)
    assert strong.by_group["unknown"] == Tally()  # every group present, zeros included
    assert set(strong.by_group) == set(ROSTER)
    assert strong.counting_groups == ("business", "community", "government")
    assert strong.by_group["community"].share("agree") == 0.9
    assert strong.by_group["business"].share("passed") == 0.0
    assert strong.by_group["unknown"].share("agree") == 0.0  # no votes, no division by zero
    for sid, by_group in PANEL.items():
        for group, (agree, disagree, passed) in by_group.items():
            assert by_id[sid].by_group[group] == Tally(agree, disagree, passed)


def test_a_group_under_five_voters_counts_neither_for_nor_against() -> None:
    # research, 4 voters, all disagree with cg-strong: it stays common ground
    assert "cg-strong" in {c.statement_id for c in panel_analysis().common_ground}
    # with a fifth research voter the group counts, and it blocks
    five = dict(PANEL["cg-strong"]) | {"research": (0, 5, 0)}
    result = panel_analysis({"cg-strong": five})
    assert result.common_ground == ()
    assert "research" in result.statements[0].counting_groups
    # 4 government voters beside one counting group: one group is not common ground
    assert "one-counting-group" not in {c.statement_id for c in panel_analysis().common_ground}


def test_divisive_statements_are_found_and_ranked_by_spread() -> None:
    result = panel_analysis()
    assert [d.statement_id for d in result.divisive] == ["split-hard", "split", "all-but-one"]
    hard, split, _ = result.divisive
    assert hard.spread == 2.0
    assert hard.agreeing == ("community",)
    assert hard.disagreeing == ("business", "government")
    assert split.agreeing == ("community",) and split.disagreeing == ("government",)
    # net shares: community (34 - 4) / 40 = 0.75, government (1 - 9) / 10 = -0.8
    assert split.spread == pytest.approx(0.75 + 0.8)
    by_id = {s.statement_id: s for s in result.statements}
    assert by_id["contested-within"].spread == pytest.approx(0.0)
    assert by_id["small-splitter"].spread is None  # one counting group
    assert by_id["ungrouped-splitter"].spread is None


def test_too_few_placed_participants_means_no_opinion_groups_with_the_reason() -> None:
    statements = [f"s{i}" for i in range(10)]
    rng = np.random.default_rng(0)
    rows = [(f"p{p}", s, int(rng.choice([-1, 0, 1]))) for p in range(19) for s in statements]
    # six more people with 6 votes each: counted, but under the 7 that place a person
    rows += [(f"q{p}", s, 1) for p in range(6) for s in statements[:6]]
    result = analyse(VoteMatrix.from_rows(rows, {}, statements))
    assert result.opinion_groups is None
    assert result.summary.opinion_groups is OpinionGroupsStatus.TOO_FEW_PARTICIPANTS
    assert result.summary.participants == 25
    assert result.summary.placed == 19
    assert result.summary.min_votes == 7
    assert result.summary.min_participants == 20
    assert result.summary.opinion_group_count == 0


def test_two_camps_voting_alike_are_two_groups_without_a_warning() -> None:
    """Everyone in a camp votes the same: the projections of identical voters differ only
    by float noise, which once made k-means look for more groups than distinct points
    (scikit-learn's ConvergenceWarning, an error under this suite's settings)."""
    statements = [f"s{i}" for i in range(8)]
    camps = {"a": [1, 1, -1, 1, -1, 1, -1, 1], "b": [-1, 1, 1, 1, 1, 0, 1, 1]}
    rows = [
        (f"{c}{p}", s, vote)
        for c, votes in camps.items()
        for p in range(12)
        for s, vote in zip(statements, votes, strict=True)
    ]
    result = analyse(VoteMatrix.from_rows(rows, {}, statements))
    assert result.opinion_groups is not None
    assert sorted(len(g.members) for g in result.opinion_groups.groups) == [12, 12]


def test_with_few_statements_a_person_who_voted_on_all_is_placed() -> None:
    statements = ["a", "b", "c"]
    rng = np.random.default_rng(1)
    half = [1, -1, 1], [-1, 1, -1]
    rows = [
        (f"p{p}", s, v if rng.random() < 0.9 else 0)
        for p in range(40)
        for s, v in zip(statements, half[p % 2], strict=True)
    ]
    result = analyse(VoteMatrix.from_rows(rows, {}, statements))
    assert result.summary.min_votes == 3
    assert result.summary.placed == 40
    assert result.opinion_groups is not None
    assert len(result.opinion_groups.groups) >= 2


# --------------------------------------------------------------------------- edge cases


def test_empty_input() -> None:
    result = analyse(VoteMatrix.from_rows([], {}))
    assert result.statements == () and result.common_ground == () and result.divisive == ()
    assert result.opinion_groups is None
    assert result.summary.opinion_groups is OpinionGroupsStatus.NO_VOTES
    assert (result.summary.participants, result.summary.statements, result.summary.votes) == (
        0,
        0,
        0,
    )


def test_statements_without_votes_are_listed_with_zero_tallies() -> None:
    result = analyse(VoteMatrix.from_rows([], {}, ["s1", "s2"]))
    assert [s.statement_id for s in result.statements] == ["s1", "s2"]
    assert all(s.overall == Tally() and s.consensus is None for s in result.statements)
    assert result.summary.opinion_groups is OpinionGroupsStatus.NO_VOTES


def test_one_statement() -> None:
    rows = [(f"c{i}", "only", 1) for i in range(30)] + [(f"g{i}", "only", 1) for i in range(6)]
    groups: dict[Id, str] = {f"c{i}": "community" for i in range(30)}
    groups |= {f"g{i}": "government" for i in range(6)}
    result = analyse(VoteMatrix.from_rows(rows, groups))
    assert result.statements[0].overall == Tally(agree=36)
    assert [c.statement_id for c in result.common_ground] == ["only"]
    assert result.common_ground[0].consensus == pytest.approx(31 / 32 * 7 / 8)
    assert result.opinion_groups is None
    assert result.summary.opinion_groups is OpinionGroupsStatus.TOO_FEW_STATEMENTS
    assert result.summary.min_votes == 1


def test_everyone_passing() -> None:
    groups: dict[Id, str] = {f"p{i}": ("community", "government")[i % 2] for i in range(40)}
    rows = [(p, f"s{s}", 0) for p in groups for s in range(10)]
    result = analyse(VoteMatrix.from_rows(rows, groups))
    assert all(s.overall == Tally(passed=40) for s in result.statements)
    assert all(s.consensus == pytest.approx((1 / 22) ** 2) for s in result.statements)
    assert result.common_ground == () and result.divisive == ()
    assert result.opinion_groups is None
    assert result.summary.opinion_groups is OpinionGroupsStatus.NO_VARIATION
    assert result.summary.placed == 40


def test_from_arrays_matches_from_rows() -> None:
    planted = planted_opinions(6, sizes=(30, 20))
    m = planted.matrix
    again = VoteMatrix.from_arrays(
        m.participant.astype(np.int64),
        m.statement.tolist(),
        m.vote.astype(np.int64),
        list(m.groups),
        statement_ids=m.statement_ids,
        participant_ids=m.participant_ids,
    )
    a, b = analyse(m), analyse(again)
    assert a.statements == b.statements and a.opinion_groups == b.opinion_groups
    # ids default to the indices
    plain = VoteMatrix.from_arrays([0, 1], [0, 2], [1, -1], ["community", None])
    assert plain.statement_ids == (0, 1, 2) and plain.participant_ids == (0, 1)
    assert plain.groups == ("community", "unknown")


def test_a_changed_vote_counts_once_the_later_wins() -> None:
    m = VoteMatrix.from_rows([("p", "s", 1), ("q", "s", 0), ("p", "s", -1)], {"p": "business"})
    result = analyse(m)
    assert result.statements[0].overall == Tally(disagree=1, passed=1)
    assert result.statements[0].by_group["business"] == Tally(disagree=1)
    assert result.statements[0].by_group["unknown"] == Tally(passed=1)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: VoteMatrix.from_rows([("p", "s", 2)], {}), "a vote is"),
        (lambda: VoteMatrix.from_rows([("p", "x", 1)], {}, ["s"]), "not listed"),
        (lambda: VoteMatrix.from_rows([], {}, ["s", "s"]), "duplicate statement"),
        (lambda: VoteMatrix.from_arrays([0, 0], [1, 1], [1, 1], ["a"]), "more than one vote"),
        (lambda: VoteMatrix.from_arrays([0, 1], [0], [1, 1], ["a", "b"]), "differ in length"),
        (lambda: VoteMatrix.from_arrays([0, 3], [0, 0], [1, 1], ["a", "b"]), "out of range"),
        (lambda: VoteMatrix.from_arrays([0], [0], [0.5], ["a"]), "integers"),
        (lambda: VoteMatrix.from_arrays([0], [0], [1], ["a"], statement_ids=[]), "out of range"),
    ],
)
def test_bad_input_gets_a_clear_answer(build: Callable[[], VoteMatrix], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


# --------------------------------------------------------------------------- properties

GROUP_NAMES = ["community", "government", "business", "unknown", "prefer-not"]


@st.composite
def vote_sets(
    draw: st.DrawFn, participants: tuple[int, int] = (0, 30), statements: tuple[int, int] = (1, 6)
) -> tuple[list[Row], dict[Id, str]]:
    n_p = draw(st.integers(*participants))
    n_s = draw(st.integers(*statements))
    groups: dict[Id, str] = {f"p{i}": draw(st.sampled_from(GROUP_NAMES)) for i in range(n_p)}
    rows = []
    for p in groups:
        for s in range(n_s):
            vote = draw(st.sampled_from([1, 1, 1, 0, -1, None]))  # leaning towards agree
            if vote is not None:
                rows.append((p, f"s{s}", vote))
    return rows, groups


def oracle_common_ground(rows: list[Row], groups: Mapping[Id, str]) -> set[str]:
    """Common ground by the rule, counted directly from the rows."""
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for p, s, v in rows:
        counts[s][groups[p]].append(v)
    found = set()
    for s, by_group in counts.items():
        counting = {
            g: votes
            for g, votes in by_group.items()
            if g not in UNGROUPED and len(votes) >= MIN_GROUP
        }
        clear = all(v.count(1) / len(v) >= CLEAR_MAJORITY for v in counting.values())
        if len(counting) >= 2 and clear:
            found.add(s)
    return found


@settings(deadline=None, max_examples=150)
@given(data=vote_sets(), seed=st.integers(0, 2**32 - 1))
def test_properties_of_tallies_consensus_and_common_ground(
    data: tuple[list[Row], dict[Id, str]], seed: int
) -> None:
    rows, groups = data
    statements = sorted({s for _, s, _ in rows})
    no_clustering = 10**6  # opinion groups have their own property below
    result = analyse(VoteMatrix.from_rows(rows, groups, statements), min_participants=no_clustering)

    for s in result.statements:
        assert s.overall.votes == sum(t.votes for t in s.by_group.values())
        if s.consensus is not None:
            assert 0 < s.consensus < 1
        if s.spread is not None:
            assert 0 <= s.spread <= 2
        assert not set(s.counting_groups) & UNGROUPED
    assert {c.statement_id for c in result.common_ground} == oracle_common_ground(rows, groups)
    scores = [c.consensus for c in result.common_ground]
    assert scores == sorted(scores, reverse=True)

    # the order participants come in changes nothing
    order = np.random.default_rng(seed).permutation(len(rows))
    shuffled = analyse(
        VoteMatrix.from_rows([rows[i] for i in order], groups, statements),
        min_participants=no_clustering,
    )
    assert shuffled.statements == result.statements
    assert shuffled.common_ground == result.common_ground
    assert shuffled.divisive == result.divisive
    assert shuffled.summary == result.summary


@settings(deadline=None, max_examples=40)
@given(data=vote_sets(participants=(20, 60), statements=(2, 8)))
def test_properties_of_opinion_groups(data: tuple[list[Row], dict[Id, str]]) -> None:
    rows, groups = data
    # placed with 3 votes, so that most examples have opinion groups to check
    result = analyse(VoteMatrix.from_rows(rows, groups), min_votes=3)
    summary, og = result.summary, result.opinion_groups
    assert (og is not None) == (summary.opinion_groups is OpinionGroupsStatus.COMPUTED)
    if summary.placed < summary.min_participants and summary.votes:
        assert summary.opinion_groups in (
            OpinionGroupsStatus.TOO_FEW_PARTICIPANTS,
            OpinionGroupsStatus.TOO_FEW_STATEMENTS,
        )
    if og is None:
        return
    members = [p for g in og.groups for p in g.members]
    assert len(members) == len(set(members)) == summary.placed
    for g in og.groups:
        assert g.size == len(g.members) >= MIN_GROUP
        assert sum(g.stakeholders.values()) == g.size
        for r in g.representative:
            assert r.tally.votes >= MIN_GROUP


def test_the_bot_runs_turns_without_loading_the_analysis() -> None:
    """numpy, scipy and scikit-learn load when a report or a small-cell audit first needs
    them: imported with the bot, numpy started OpenBLAS's threads and took 12 MB in every
    process that runs turns (bench 1)."""
    import subprocess
    import sys

    modules = [
        "bot.cli",
        "bot.runtime",
        "bot.web.site",
        "bot.facilitator.dashboard",
        "bot.channels.telegram",
        "bot.channels.sms",
        "bot.channels.whatsapp",
    ]
    code = (
        f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
        "print(sorted(m for m in ('numpy', 'scipy', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"
