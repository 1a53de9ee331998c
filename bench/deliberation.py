"""Bench 6: the deliberation analysis (issue 13), 10,000 participants x 500 statements.

`generate` writes a vote matrix with planted structure to `votes.npz`: participants in
three opinion groups of 50, 30 and 20 %, each agreeing with its own block of statements
that the other two reject; statements that everyone agrees with (common ground);
statements that split stakeholder groups (community agrees, government and business
disagree); the rest noise; a share of the votes cast (30 %), at random.

Each measurement runs in a process of its own and reports its peak RSS (VmHWM):

    python -m bench.deliberation generate --workdir DIR [--participants N --statements S]
    python -m bench.deliberation analyse --workdir DIR   # from_arrays + analyse
    python -m bench.deliberation rows --workdir DIR      # from_rows on (id, id, vote) tuples

`analyse` also checks that the planted structure is found (adjusted Rand index of the
opinion groups, the common ground and divisive statements), so a fast wrong answer shows.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import Results, at_most, run_json, vm_hwm_kb

GROUPS = [
    "community", "civil-society", "government", "business",
    "research", "partner", "other", "prefer-not", "unknown",
]  # fmt: skip
GROUP_WEIGHTS = [40, 15, 8, 12, 6, 5, 6, 4, 4]
OPINION_SHARES = [0.5, 0.3, 0.2]
BLOCK = 20
"""Statements planted per opinion group."""
COMMON = 10
DIVISIVE = 10


def generate(
    workdir: Path, participants: int, statements: int, cast: float, seed: int
) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    n, s = participants, statements
    groups = rng.choice(len(GROUPS), size=n, p=np.array(GROUP_WEIGHTS) / sum(GROUP_WEIGHTS))
    opinion = rng.choice(len(OPINION_SHARES), size=n, p=OPINION_SHARES)
    # probability of agree and of disagree for each (participant, statement); pass otherwise
    p_agree = np.full((n, s), 0.35)
    p_disagree = np.full((n, s), 0.35)
    for g in range(len(OPINION_SHARES)):
        block = slice(g * BLOCK, (g + 1) * BLOCK)
        mine = opinion == g
        p_agree[:, block], p_disagree[:, block] = 0.15, 0.75
        p_agree[mine, block], p_disagree[mine, block] = 0.8, 0.1
    common = slice(len(OPINION_SHARES) * BLOCK, len(OPINION_SHARES) * BLOCK + COMMON)
    p_agree[:, common], p_disagree[:, common] = 0.85, 0.05
    divisive = slice(common.stop, common.stop + DIVISIVE)
    p_agree[:, divisive], p_disagree[:, divisive] = 0.4, 0.4
    for name, a, d in (
        ("community", 0.85, 0.1),
        ("government", 0.1, 0.85),
        ("business", 0.1, 0.85),
    ):
        who = groups == GROUPS.index(name)
        p_agree[who, divisive], p_disagree[who, divisive] = a, d
    u = rng.random((n, s))
    vote = np.where(u < p_agree, 1, np.where(u < p_agree + p_disagree, -1, 0)).astype(np.int8)
    del u, p_agree, p_disagree
    participant, statement = np.nonzero(rng.random((n, s)) < cast)
    workdir.mkdir(parents=True, exist_ok=True)
    np.savez(
        workdir / "votes.npz",
        participant=participant.astype(np.int32),
        statement=statement.astype(np.int32),
        vote=vote[participant, statement],
        groups=np.array(GROUPS)[groups],
        opinion=opinion,
        common=np.arange(common.start, common.stop),
        divisive=np.arange(divisive.start, divisive.stop),
        statements=np.array([s]),
    )
    return {"participants": n, "statements": s, "votes": len(participant), "vm_hwm_kb": vm_hwm_kb()}


def analyse(workdir: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    from sklearn.metrics import adjusted_rand_score

    from bot.deliberation.analysis import VoteMatrix, analyse

    imported = time.perf_counter() - t0
    data = np.load(workdir / "votes.npz")
    groups = data["groups"].tolist()
    t0 = time.perf_counter()
    matrix = VoteMatrix.from_arrays(
        data["participant"],
        data["statement"],
        data["vote"],
        groups,
        statement_ids=range(int(data["statements"][0])),
    )
    built = time.perf_counter() - t0
    result = analyse(matrix)
    seconds = time.perf_counter() - t0
    found = np.full(len(groups), -1)
    og = result.opinion_groups
    for group in og.groups if og else ():
        found[[int(p) for p in group.members]] = group.label  # ids are indexes here
    placed = found >= 0
    return {
        "seconds": seconds,
        "from_arrays_s": built,
        "import_s": imported,
        "vm_hwm_kb": vm_hwm_kb(),
        "votes": len(matrix.vote),
        "status": str(result.summary.opinion_groups),
        "k": result.summary.opinion_group_count,
        "silhouettes": dict(og.silhouettes) if og else {},
        "ari": float(adjusted_rand_score(data["opinion"][placed], found[placed])),
        "common_ground_planted_found": sorted(
            {c.statement_id for c in result.common_ground} & set(data["common"].tolist())
        )
        == sorted(data["common"].tolist()),
        "common_ground": len(result.common_ground),
        "divisive_planted_found": set(data["divisive"].tolist())
        <= {d.statement_id for d in result.divisive},
        "divisive": len(result.divisive),
    }


def rows(workdir: Path) -> dict[str, Any]:
    from bot.deliberation.analysis import Id, VoteMatrix

    data = np.load(workdir / "votes.npz")
    pids = [f"p{i:08x}" for i in range(len(data["groups"]))]
    triples = list(
        zip(
            [pids[i] for i in data["participant"].tolist()],
            data["statement"].tolist(),
            data["vote"].tolist(),
            strict=True,
        )
    )
    groups: dict[Id, str] = dict(zip(pids, data["groups"].tolist(), strict=True))
    t0 = time.perf_counter()
    matrix = VoteMatrix.from_rows(triples, groups, range(int(data["statements"][0])))
    return {"seconds": time.perf_counter() - t0, "votes": len(matrix.vote)}


def bench_deliberation(
    res: Results, work: Path, size: dict[str, Any], details: dict[str, Any]
) -> None:
    """Bench 6 for `python -m bench`: generate, then each measurement in its own process."""
    workdir = work / "deliberation"
    n, s = size.get("deliberation", (10_000, 500))
    gen = run_json(
        ["bench.deliberation", "generate", "--workdir", str(workdir),
         "--participants", str(n), "--statements", str(s)],
        timeout=300,
    )  # fmt: skip
    r = run_json(["bench.deliberation", "analyse", "--workdir", str(workdir)], timeout=300)
    from_rows = run_json(["bench.deliberation", "rows", "--workdir", str(workdir)], timeout=300)
    details["deliberation"] = {"generate": gen, "analyse": r, "from_rows": from_rows}
    found = (
        f"planted structure found: {r['k']} opinion groups (ARI {r['ari']:.3f}), common ground "
        f"{'yes' if r['common_ground_planted_found'] else 'NO'}, divisive "
        f"{'yes' if r['divisive_planted_found'] else 'NO'}"
    )
    ok = r["ari"] >= 0.9 and r["common_ground_planted_found"] and r["divisive_planted_found"]
    res.add(
        "6",
        f"deliberation analysis, {n:,} participants x {s} statements, {r['votes']:,} votes",
        f"{r['seconds']:.2f} s",
        "-",
        "-",
        "< 5 s",
        at_most(r["seconds"], 5.0) if ok else "NO: planted structure missed",
        f"from arrays, own process; {found}; imports {r['import_s']:.1f} s before; "
        f"from_rows on {from_rows['votes']:,} tuples: {from_rows['seconds']:.2f} s more",
    )
    res.add(
        "6",
        "same: peak RSS",
        f"{r['vm_hwm_kb'] / 1024:.0f} MB",
        "-",
        "-",
        "< 500 MB",
        at_most(r["vm_hwm_kb"], 500 * 1024),
        "VmHWM of the process (numpy, scikit-learn and the votes loaded)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.deliberation")
    parser.add_argument("command", choices=["generate", "analyse", "rows"])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=500)
    parser.add_argument("--cast", type=float, default=0.3, help="share of votes cast")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    if args.command == "generate":
        out = generate(args.workdir, args.participants, args.statements, args.cast, args.seed)
    elif args.command == "analyse":
        out = analyse(args.workdir)
    else:
        out = rows(args.workdir)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
