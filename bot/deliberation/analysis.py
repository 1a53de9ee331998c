"""What a deliberation's votes say: tallies, common ground, divisive statements, opinion groups.

Pure: no I/O, no database, no clock; numpy and scikit-learn, deterministic (fixed seeds).

    matrix = VoteMatrix.from_rows(rows, groups)   # rows: (participant_id, statement_id, vote)
    result = analyse(matrix)
    result.common_ground, result.divisive, result.opinion_groups, result.summary

A vote is +1 agree, -1 disagree, 0 pass. A pass is a vote: the person saw the statement and
did not agree, so it counts in every denominator below (as in Pol.is).

Rules (module constants; `analyse` takes each as a keyword argument):

- **Counting group.** A stakeholder group counts on a statement when at least `MIN_GROUP`
  (5) of its members voted on it. `UNGROUPED` ("unknown": no answer, "prefer-not") says
  nothing about where people stand, so those votes are in the overall tallies but never
  count towards or against a conclusion about groups. Tallies themselves are raw counts for
  every group; the display applies the small-cell rule.
- **Clear majority.** A group clearly agrees (disagrees) with a statement when at least
  `CLEAR_MAJORITY` (60 %) of its votes on it are agree (disagree).
- **Common ground.** Every counting group clearly agrees, and at least `MIN_GROUPS` (2)
  groups count. Ranked by Pol.is's group-informed consensus, the product over counting
  groups of the Laplace-smoothed agree probability (agree + 1) / (votes + 2), highest first.
  The score is in (0, 1); it is also given for every statement with a counting group.
- **Divisive.** One counting group clearly agrees and another clearly disagrees. Ranked by
  the spread of the counting groups' net shares (agree - disagree) / votes: the largest
  minus the smallest, from 0 to 2 (2: one group all agree, another all disagree).
- **Opinion groups** (Pol.is's math). Participants with at least min(`MIN_VOTES`, number
  of statements) votes (Pol.is: 7) are placed, when there are at least `MIN_PARTICIPANTS`
  (20) of them and two statements they voted on. Their matrix (agree +1, disagree -1,
  pass 0) has each missing vote imputed by the statement's mean; PCA reduces it to 2
  components; each projection is scaled by sqrt(statements / the person's votes), as
  Pol.is does, so people who voted on little are not pulled to the centre. k-means for
  k = 2..`MAX_K` (5); the k with the best silhouette (on a fixed sample of at most
  `SILHOUETTE_SAMPLE` people) wins, among the k whose every group has at least `MIN_GROUP`
  people. Groups are numbered by size, largest first. Otherwise `opinion_groups` is None
  and `summary.opinion_groups` says why (`OpinionGroupsStatus`).
- **Representative statements** (Pol.is "repness"). For opinion group g and a statement
  with a agree votes of n in g, and a' of n' among the other placed participants:
  p = (a + 1) / (n + 2), ratio = p / ((a' + 1) / (n' + 2)); a one-proportion z-test that g
  agrees more than half, and a two-proportion z-test that g agrees more than the rest, both
  significant at one-sided 90 % (z > 1.2816), as Pol.is; likewise for disagree. Ranked by
  ratio x z(rest) x p x z(half) (Pol.is's metric); the top `REPRESENTATIVE` (5), only among
  statements on which g has at least `MIN_GROUP` votes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Literal, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

Id: TypeAlias = str | int
"""A participant or statement id, as the database has it."""

AGREE, PASS, DISAGREE = 1, 0, -1

MIN_GROUP = 5
"""Fewest voters of a group on a statement before any conclusion rests on that group."""
CLEAR_MAJORITY = 0.6
"""Share of a group's votes (passes included) that makes a clear majority."""
MIN_GROUPS = 2
"""Counting stakeholder groups a statement needs to be common ground."""
UNKNOWN = "unknown"
UNGROUPED = frozenset({UNKNOWN, "prefer-not"})
"""Profile answers that name no stakeholder group."""
MIN_VOTES = 7
"""Votes a participant needs to be placed in an opinion group (Pol.is's figure)."""
MIN_PARTICIPANTS = 20
"""Placed participants needed before opinion groups are computed."""
MAX_K = 5
SILHOUETTE_SAMPLE = 2000
REPRESENTATIVE = 5
Z_90 = 1.2816
"""One-sided 90 % critical value of the standard normal (Pol.is's `z-sig-90?`)."""
RANDOM_STATE = 0


# --------------------------------------------------------------------------- input


@dataclass(frozen=True, eq=False)
class VoteMatrix:
    """Votes as sparse triples: vote i is `vote[i]` by participant `participant[i]` (an index
    into `participant_ids` and `groups`) on statement `statement[i]` (an index into
    `statement_ids`). One vote per participant and statement. Build it with `from_rows` or
    `from_arrays`; the constructor checks but does not convert."""

    participant: NDArray[np.int32]
    statement: NDArray[np.int32]
    vote: NDArray[np.int8]
    participant_ids: tuple[Id, ...]
    statement_ids: tuple[Id, ...]
    groups: tuple[str, ...]
    """The stakeholder group of each participant, by index."""

    def __post_init__(self) -> None:
        arrays = {"participant": self.participant, "statement": self.statement, "vote": self.vote}
        for name, dtype in (("participant", np.int32), ("statement", np.int32), ("vote", np.int8)):
            a = arrays[name]
            if not isinstance(a, np.ndarray) or a.ndim != 1 or a.dtype != dtype:
                raise ValueError(f"{name} must be a 1-D {np.dtype(dtype)} array (use from_arrays)")
        n = len(self.vote)
        if len(self.participant) != n or len(self.statement) != n:
            raise ValueError(
                f"participant, statement and vote differ in length: "
                f"{len(self.participant)}, {len(self.statement)}, {n}"
            )
        if len(self.groups) != len(self.participant_ids):
            raise ValueError(
                f"{len(self.groups)} groups for {len(self.participant_ids)} participants"
            )
        for name, ids in (("participant", self.participant_ids), ("statement", self.statement_ids)):
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate {name} ids")
        if n == 0:
            return
        if not np.isin(self.vote, (AGREE, PASS, DISAGREE)).all():
            bad = self.vote[~np.isin(self.vote, (AGREE, PASS, DISAGREE))][0]
            raise ValueError(f"a vote is +1 (agree), -1 (disagree) or 0 (pass), not {bad}")
        for name, index, size in (
            ("participant", self.participant, len(self.participant_ids)),
            ("statement", self.statement, len(self.statement_ids)),
        ):
            if index.min() < 0 or index.max() >= size:
                raise ValueError(f"{name} index out of range 0..{size - 1}")
        keys = np.sort(self.participant.astype(np.int64) * len(self.statement_ids) + self.statement)
        if (keys[1:] == keys[:-1]).any():
            raise ValueError("more than one vote by a participant on a statement")

    @classmethod
    def from_arrays(
        cls,
        participant: ArrayLike,
        statement: ArrayLike,
        vote: ArrayLike,
        groups: Sequence[str | None],
        *,
        statement_ids: Sequence[Id] | None = None,
        participant_ids: Sequence[Id] | None = None,
    ) -> VoteMatrix:
        """From index arrays; `groups[i]` is participant i's stakeholder group (None:
        unknown). Ids default to the indices."""
        arrays = []
        for name, a in (("participant", participant), ("statement", statement), ("vote", vote)):
            x = np.asarray(a)
            if x.size and x.dtype.kind not in "iu":
                raise ValueError(f"{name} must hold integers, not {x.dtype}")
            arrays.append(x.ravel())
        p, s, v = arrays
        if v.size and (v.min() < DISAGREE or v.max() > AGREE):
            raise ValueError("a vote is +1 (agree), -1 (disagree) or 0 (pass)")
        if s.size and (s.min() < 0 or s.max() >= np.iinfo(np.int32).max):
            raise ValueError("statement index out of range")
        if p.size and (p.min() < 0 or p.max() >= np.iinfo(np.int32).max):
            raise ValueError("participant index out of range")
        n_s = int(s.max()) + 1 if s.size else 0
        sids = tuple(statement_ids) if statement_ids is not None else tuple(range(n_s))
        pids = tuple(participant_ids) if participant_ids is not None else tuple(range(len(groups)))
        return cls(
            participant=p.astype(np.int32),
            statement=s.astype(np.int32),
            vote=v.astype(np.int8),
            participant_ids=pids,
            statement_ids=sids,
            groups=tuple(g or UNKNOWN for g in groups),
        )

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[tuple[Id, Id, int]],
        groups: Mapping[Id, str | None],
        statement_ids: Sequence[Id] | None = None,
    ) -> VoteMatrix:
        """From (participant_id, statement_id, vote) rows as a query returns them. A
        participant missing from `groups` (or None there) is "unknown". `statement_ids`
        lists every statement, voted on or not, in display order; a vote on a statement not
        in it is an error. Without it, statements come in the order first voted on. If a
        participant voted twice on a statement, the later row wins (a changed vote)."""
        s_index: dict[Id, int] = {}
        if statement_ids is not None:
            s_index = {sid: i for i, sid in enumerate(statement_ids)}
            if len(s_index) != len(statement_ids):
                raise ValueError("duplicate statement ids")
        fixed = statement_ids is not None
        p_index: dict[Id, int] = {}
        ps: list[int] = []
        ss: list[int] = []
        vs: list[int] = []
        for pid, sid, v in rows:
            p = p_index.get(pid)
            if p is None:
                p = p_index[pid] = len(p_index)
            s = s_index.get(sid)
            if s is None:
                if fixed:
                    raise ValueError(f"a vote on statement {sid!r}, which is not listed")
                s = s_index[sid] = len(s_index)
            ps.append(p)
            ss.append(s)
            vs.append(v)
        p_arr = np.array(ps, dtype=np.int32)
        s_arr = np.array(ss, dtype=np.int32)
        v_arr = np.array(vs, dtype=np.int64)
        if v_arr.size and not np.isin(v_arr, (AGREE, PASS, DISAGREE)).all():
            bad = v_arr[~np.isin(v_arr, (AGREE, PASS, DISAGREE))][0]
            raise ValueError(f"a vote is +1 (agree), -1 (disagree) or 0 (pass), not {bad}")
        if p_arr.size:
            keys = p_arr.astype(np.int64) * max(len(s_index), 1) + s_arr
            # the last occurrence of each key: unique over the reversed keys
            _, first_from_end = np.unique(keys[::-1], return_index=True)
            if len(first_from_end) < len(keys):
                keep = np.sort(len(keys) - 1 - first_from_end)
                p_arr, s_arr, v_arr = p_arr[keep], s_arr[keep], v_arr[keep]
        pids = tuple(p_index)
        return cls(
            participant=p_arr,
            statement=s_arr,
            vote=v_arr.astype(np.int8),
            participant_ids=pids,
            statement_ids=tuple(statement_ids) if statement_ids is not None else tuple(s_index),
            groups=tuple(groups.get(pid) or UNKNOWN for pid in pids),
        )


# --------------------------------------------------------------------------- output


@dataclass(frozen=True)
class Tally:
    """Raw vote counts."""

    agree: int = 0
    disagree: int = 0
    passed: int = 0

    @property
    def votes(self) -> int:
        return self.agree + self.disagree + self.passed

    def share(self, which: Literal["agree", "disagree", "passed"]) -> float:
        """Share of the votes (passes included); 0 without votes."""
        return getattr(self, which) / self.votes if self.votes else 0.0


@dataclass(frozen=True)
class StatementResult:
    statement_id: Id
    overall: Tally
    by_group: Mapping[str, Tally]
    """Every stakeholder group among the participants, raw counts (zeros included)."""
    counting_groups: tuple[str, ...]
    """The groups a conclusion about this statement rests on (see the module docstring)."""
    consensus: float | None
    """Group-informed consensus over the counting groups; None without one."""
    spread: float | None
    """Spread of the counting groups' net shares; None with fewer than two."""


@dataclass(frozen=True)
class CommonGround:
    statement_id: Id
    consensus: float
    groups: tuple[str, ...]
    """The counting groups, each of which clearly agrees."""


@dataclass(frozen=True)
class Divisive:
    statement_id: Id
    spread: float
    agreeing: tuple[str, ...]
    """Counting groups that clearly agree."""
    disagreeing: tuple[str, ...]
    """Counting groups that clearly disagree."""


@dataclass(frozen=True)
class Representative:
    """A statement that sets an opinion group apart (Pol.is repness)."""

    statement_id: Id
    direction: Literal["agree", "disagree"]
    tally: Tally
    """The opinion group's votes on it."""
    probability: float
    """(n + 1) / (votes + 2) of the direction in the group."""
    ratio: float
    """probability / the same for the other placed participants."""
    z_half: float
    z_rest: float
    metric: float


@dataclass(frozen=True)
class OpinionGroup:
    label: int
    """0 is the largest group."""
    size: int
    stakeholders: Mapping[str, int]
    """Members by stakeholder group, raw counts (groups with members only)."""
    representative: tuple[Representative, ...]
    members: tuple[Id, ...]
    center: tuple[float, float]
    """Centre in the 2-D opinion space."""


@dataclass(frozen=True)
class OpinionGroups:
    groups: tuple[OpinionGroup, ...]
    silhouette: float
    silhouettes: Mapping[int, float]
    """Silhouette of each k tried whose groups all reached MIN_GROUP people."""
    explained_variance: tuple[float, float]
    """Share of the variance the two components carry."""


class OpinionGroupsStatus(StrEnum):
    COMPUTED = "computed"
    NO_VOTES = "no-votes"
    TOO_FEW_STATEMENTS = "too-few-statements"
    """Fewer than two statements voted on by placed participants."""
    TOO_FEW_PARTICIPANTS = "too-few-participants"
    """Fewer than MIN_PARTICIPANTS people with enough votes."""
    NO_VARIATION = "no-variation"
    """Everyone placed voted alike (e.g. everyone passed): nothing to split."""
    GROUPS_TOO_SMALL = "groups-too-small"
    """Every split left a group under MIN_GROUP people."""


@dataclass(frozen=True)
class Summary:
    participants: int
    """People with at least one vote."""
    statements: int
    votes: int
    min_votes: int
    """Votes that placed a participant in the opinion space (min(MIN_VOTES, statements))."""
    placed: int
    """Participants with at least min_votes votes."""
    min_participants: int
    opinion_groups: OpinionGroupsStatus
    opinion_group_count: int
    common_ground: int
    divisive: int


@dataclass(frozen=True)
class Analysis:
    statements: tuple[StatementResult, ...]
    """In the order of the input's statement ids."""
    common_ground: tuple[CommonGround, ...]
    """Best consensus first."""
    divisive: tuple[Divisive, ...]
    """Widest spread first."""
    opinion_groups: OpinionGroups | None
    summary: Summary


# --------------------------------------------------------------------------- analysis


def analyse(
    matrix: VoteMatrix,
    *,
    min_group: int = MIN_GROUP,
    clear_majority: float = CLEAR_MAJORITY,
    min_groups: int = MIN_GROUPS,
    ungrouped: frozenset[str] = UNGROUPED,
    min_votes: int = MIN_VOTES,
    min_participants: int = MIN_PARTICIPANTS,
) -> Analysis:
    """Everything the votes say; see the module docstring for the rules."""
    n_s = len(matrix.statement_ids)
    names, codes = _group_codes(matrix.groups)
    n_g = len(names)

    # tally[s, g] = (agree, pass, disagree): column 1 - vote
    flat = (matrix.statement.astype(np.int64) * n_g + codes[matrix.participant]) * 3 + (
        1 - matrix.vote.astype(np.int64)
    )
    tally = np.bincount(flat, minlength=n_s * n_g * 3).reshape(n_s, n_g, 3)
    agree, disagree = tally[..., 0], tally[..., 2]
    votes = tally.sum(axis=2)

    stakeholder = np.array([name not in ungrouped for name in names], dtype=bool)
    counting = (votes >= min_group) & stakeholder[None, :]
    safe = np.maximum(votes, 1)
    clear_agree = counting & (agree / safe >= clear_majority)
    clear_disagree = counting & (disagree / safe >= clear_majority)
    n_counting = counting.sum(axis=1)

    smoothed = (agree + 1) / (votes + 2)
    consensus = np.where(n_counting > 0, np.where(counting, smoothed, 1.0).prod(axis=1), np.nan)
    net = (agree - disagree) / safe
    top = np.where(counting, net, -np.inf).max(axis=1, initial=-np.inf)
    bottom = np.where(counting, net, np.inf).min(axis=1, initial=np.inf)
    spread = np.where(n_counting >= 2, top - bottom, np.nan)

    is_common = (n_counting >= min_groups) & (clear_agree == counting).all(axis=1)
    is_divisive = clear_agree.any(axis=1) & clear_disagree.any(axis=1)

    overall = tally.sum(axis=1)
    statements = tuple(
        StatementResult(
            statement_id=matrix.statement_ids[s],
            overall=_tally(overall[s]),
            by_group=MappingProxyType({names[g]: _tally(tally[s, g]) for g in range(n_g)}),
            counting_groups=tuple(names[g] for g in np.flatnonzero(counting[s])),
            consensus=_maybe(consensus[s]),
            spread=_maybe(spread[s]),
        )
        for s in range(n_s)
    )
    total_votes = overall.sum(axis=1)

    def rank(which: NDArray[np.bool_], score: NDArray[np.float64]) -> list[int]:
        # best score first; then more votes; then input order
        return sorted(np.flatnonzero(which).tolist(), key=lambda s: (-score[s], -total_votes[s], s))

    common = tuple(
        CommonGround(
            statement_id=matrix.statement_ids[s],
            consensus=float(consensus[s]),
            groups=statements[s].counting_groups,
        )
        for s in rank(is_common, consensus)
    )
    divisive = tuple(
        Divisive(
            statement_id=matrix.statement_ids[s],
            spread=float(spread[s]),
            agreeing=tuple(names[g] for g in np.flatnonzero(clear_agree[s])),
            disagreeing=tuple(names[g] for g in np.flatnonzero(clear_disagree[s])),
        )
        for s in rank(is_divisive, spread)
    )

    per_participant = np.bincount(matrix.participant, minlength=len(matrix.participant_ids))
    need = max(1, min(min_votes, n_s))
    placed = per_participant >= need
    groups_found, status = _opinion_groups(
        matrix, names, codes, placed, min_group=min_group, min_participants=min_participants
    )
    summary = Summary(
        participants=int((per_participant > 0).sum()),
        statements=n_s,
        votes=len(matrix.vote),
        min_votes=need,
        placed=int(placed.sum()),
        min_participants=min_participants,
        opinion_groups=status,
        opinion_group_count=len(groups_found.groups) if groups_found else 0,
        common_ground=len(common),
        divisive=len(divisive),
    )
    return Analysis(statements, common, divisive, groups_found, summary)


def _group_codes(groups: tuple[str, ...]) -> tuple[list[str], NDArray[np.intp]]:
    if not groups:
        return [], np.zeros(0, dtype=np.intp)
    names, codes = np.unique(np.asarray(groups, dtype=str), return_inverse=True)
    return [str(x) for x in names], codes.astype(np.intp)


def _tally(row: NDArray[np.int64]) -> Tally:
    return Tally(agree=int(row[0]), disagree=int(row[2]), passed=int(row[1]))


def _maybe(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


# --------------------------------------------------------------------------- opinion groups


def _opinion_groups(
    matrix: VoteMatrix,
    names: list[str],
    codes: NDArray[np.intp],
    placed: NDArray[np.bool_],
    *,
    min_group: int,
    min_participants: int,
) -> tuple[OpinionGroups | None, OpinionGroupsStatus]:
    if len(matrix.vote) == 0:
        return None, OpinionGroupsStatus.NO_VOTES
    who = np.flatnonzero(placed)
    row_of = np.full(len(placed), -1, dtype=np.int64)
    row_of[who] = np.arange(len(who))
    keep = placed[matrix.participant]
    rows = row_of[matrix.participant[keep]]
    stmt = matrix.statement[keep].astype(np.int64)
    vote = matrix.vote[keep].astype(np.float64)
    used = np.unique(stmt)
    if len(used) < 2:
        return None, OpinionGroupsStatus.TOO_FEW_STATEMENTS
    if len(who) < min_participants:
        return None, OpinionGroupsStatus.TOO_FEW_PARTICIPANTS

    col_of = np.full(len(matrix.statement_ids), -1, dtype=np.int64)
    col_of[used] = np.arange(len(used))
    cols = col_of[stmt]
    mean = np.bincount(cols, weights=vote, minlength=len(used)) / np.bincount(
        cols, minlength=len(used)
    )
    x = np.repeat(mean[None, :], len(who), axis=0)
    x[rows, cols] = vote
    if (x == x[0]).all():
        return None, OpinionGroupsStatus.NO_VARIATION

    clustered = _cluster(x, np.bincount(rows, minlength=len(who)), min_group)
    del x
    if isinstance(clustered, OpinionGroupsStatus):
        return None, clustered
    labels, centers, score, silhouettes, explained = clustered

    k = len(centers)
    sizes = np.bincount(labels, minlength=k)
    order = np.argsort(-sizes, kind="stable")  # new label i is old label order[i]
    relabel = np.empty(k, dtype=np.intp)
    relabel[order] = np.arange(k)
    labels = relabel[labels]
    centers = centers[order]
    sizes = sizes[order]

    reps = _representative(
        labels[rows], stmt, matrix.vote[keep], k, matrix.statement_ids, min_group
    )
    member_codes = codes[who]
    groups = []
    for g in range(k):
        mine = labels == g
        counts = np.bincount(member_codes[mine], minlength=len(names))
        groups.append(
            OpinionGroup(
                label=g,
                size=int(sizes[g]),
                stakeholders=MappingProxyType(
                    {names[i]: int(c) for i, c in enumerate(counts) if c}
                ),
                representative=reps[g],
                members=tuple(matrix.participant_ids[i] for i in who[mine]),
                center=(float(centers[g, 0]), float(centers[g, 1])),
            )
        )
    return (
        OpinionGroups(
            groups=tuple(groups),
            silhouette=score,
            silhouettes=MappingProxyType(silhouettes),
            explained_variance=explained,
        ),
        OpinionGroupsStatus.COMPUTED,
    )


def _cluster(
    x: NDArray[np.float64], votes: NDArray[np.int64], min_group: int
) -> (
    tuple[NDArray[np.intp], NDArray[np.float64], float, dict[int, float], tuple[float, float]]
    | OpinionGroupsStatus
):
    """PCA to 2-D, Pol.is's sparsity scaling, then the k-means with the best silhouette:
    (labels, centres, silhouette, silhouette of each k, explained variance), or why not.

    One thread: the data is small (n x 2 after PCA), and OpenMP's threads spin-waiting on a
    busy shared machine made k-means fifty times slower than one thread (bench 6)."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        pca = PCA(n_components=2, random_state=RANDOM_STATE)
        proj = np.asarray(pca.fit_transform(x), dtype=np.float64)
        proj *= np.sqrt(x.shape[1] / votes)[:, None]
        # float noise makes identical voters look distinct; k-means would find them one
        distinct = len(np.unique(np.round(proj, 9), axis=0))
        if distinct < 2:
            return OpinionGroupsStatus.NO_VARIATION
        rng = np.random.default_rng(RANDOM_STATE)
        sample = np.sort(rng.choice(len(x), size=min(len(x), SILHOUETTE_SAMPLE), replace=False))
        best: tuple[float, NDArray[np.intp], NDArray[np.float64]] | None = None
        silhouettes: dict[int, float] = {}
        for k in range(2, min(MAX_K, distinct, len(sample) - 1) + 1):
            km = KMeans(n_clusters=k, n_init=10, random_state=RANDOM_STATE).fit(proj)
            labels = np.asarray(km.labels_, dtype=np.intp)
            if np.bincount(labels, minlength=k).min() < min_group:
                continue
            if len(np.unique(labels[sample])) < 2:
                continue
            score = float(silhouette_score(proj[sample], labels[sample]))
            silhouettes[k] = score
            if best is None or score > best[0]:
                best = (score, labels, np.asarray(km.cluster_centers_, dtype=np.float64))
    if best is None:
        return OpinionGroupsStatus.GROUPS_TOO_SMALL
    score, labels, centers = best
    ratio = pca.explained_variance_ratio_
    return labels, centers, score, silhouettes, (float(ratio[0]), float(ratio[1]))


def _prop_test(success: NDArray[np.int64], n: NDArray[np.int64]) -> NDArray[np.float64]:
    """Pol.is's one-proportion z-test that the share is above one half (pseudo-counts +1)."""
    return 2 * np.sqrt(n + 1) * ((success + 1) / (n + 1) - 0.5)


def _two_prop_test(
    success_in: NDArray[np.int64],
    success_out: NDArray[np.int64],
    n_in: NDArray[np.int64],
    n_out: NDArray[np.int64],
) -> NDArray[np.float64]:
    """Pol.is's two-proportion z-test that the share in is above the share out (+1 each)."""
    s1, s2, n1, n2 = success_in + 1, success_out + 1, n_in + 1, n_out + 1
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    return np.where(var > 0, (p1 - p2) / np.sqrt(np.where(var > 0, var, 1.0)), 0.0)


def _representative(
    label_of_vote: NDArray[np.intp],
    stmt: NDArray[np.int64],
    vote: NDArray[np.int8],
    k: int,
    statement_ids: tuple[Id, ...],
    min_group: int,
) -> list[tuple[Representative, ...]]:
    """The top REPRESENTATIVE statements of each opinion group, by Pol.is's repness."""
    n_s = len(statement_ids)
    key = label_of_vote.astype(np.int64) * n_s + stmt

    def count(mask: NDArray[np.bool_] | None) -> NDArray[np.int64]:
        chosen = key if mask is None else key[mask]
        return np.bincount(chosen, minlength=k * n_s).reshape(k, n_s)

    n_in, a_in, d_in = count(None), count(vote == AGREE), count(vote == DISAGREE)
    n_out = n_in.sum(axis=0) - n_in
    a_out = a_in.sum(axis=0) - a_in
    d_out = d_in.sum(axis=0) - d_in
    enough = n_in >= min_group

    def side(s_in: NDArray[np.int64], s_out: NDArray[np.int64]) -> tuple[NDArray[np.float64], ...]:
        p = (s_in + 1) / (n_in + 2)
        ratio = p / ((s_out + 1) / (n_out + 2))
        z_half = _prop_test(s_in, n_in)
        z_rest = _two_prop_test(s_in, s_out, n_in, n_out)
        passes = enough & (z_half > Z_90) & (z_rest > Z_90)
        metric = np.where(passes, ratio * z_rest * p * z_half, -np.inf)
        return p, ratio, z_half, z_rest, metric

    agree_side, disagree_side = side(a_in, a_out), side(d_in, d_out)
    out: list[tuple[Representative, ...]] = []
    for g in range(k):
        m_a, m_d = agree_side[4][g], disagree_side[4][g]
        best = np.maximum(m_a, m_d)
        chosen = [s for s in np.argsort(-best, kind="stable")[:REPRESENTATIVE] if best[s] > -np.inf]
        reps = []
        for s in chosen:
            direction: Literal["agree", "disagree"] = "agree" if m_a[s] >= m_d[s] else "disagree"
            p, ratio, z_half, z_rest, metric = agree_side if direction == "agree" else disagree_side
            n, a, d = int(n_in[g, s]), int(a_in[g, s]), int(d_in[g, s])
            reps.append(
                Representative(
                    statement_id=statement_ids[s],
                    direction=direction,
                    tally=Tally(agree=a, disagree=d, passed=n - a - d),
                    probability=float(p[g, s]),
                    ratio=float(ratio[g, s]),
                    z_half=float(z_half[g, s]),
                    z_rest=float(z_rest[g, s]),
                    metric=float(metric[g, s]),
                )
            )
        out.append(tuple(reps))
    return out
