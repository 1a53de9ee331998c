"""`make faults` (`python -m faults`): every scenario at full size, then the table of checks.

`--short` runs the short form (as `make test` does through tests/test_faults.py);
`--backend sqlite|postgresql` runs one backend's scenarios (default: both; PostgreSQL's
start a throwaway server from the machine's binaries, see tests/infra/postgres.py)."""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from faults.duplicates import scenario_duplicates
from faults.hostile import scenario_hostile
from faults.kills import scenario_kills
from faults.ledger import Ledger
from faults.provider_faults import scenario_provider_faults
from faults.scale import scenario_pg_kills, scenario_pg_restarts, scenario_pg_roles
from faults.sizes import FULL, SHORT, Sizes

BACKENDS = {
    "sqlite": ("kills", "provider_faults", "duplicates", "hostile"),
    "postgresql": ("pg_kills", "pg_restarts", "pg_roles"),
}


def run_all(
    sizes: Sizes, only: set[str] | None = None, keep: bool = False, backend: str = "both"
) -> Ledger:
    ledger = Ledger()
    scenarios: dict[str, Callable[[Path], None]] = {
        "kills": lambda w: asyncio.run(scenario_kills(w, sizes, ledger)),
        "provider_faults": lambda w: asyncio.run(scenario_provider_faults(w, sizes, ledger)),
        "duplicates": lambda w: asyncio.run(scenario_duplicates(w, sizes, ledger)),
        "hostile": lambda w: scenario_hostile(w, sizes, ledger),
        "pg_kills": lambda w: asyncio.run(scenario_pg_kills(w, sizes, ledger)),
        "pg_restarts": lambda w: asyncio.run(scenario_pg_restarts(w, sizes, ledger)),
        "pg_roles": lambda w: asyncio.run(scenario_pg_roles(w, sizes, ledger)),
    }
    chosen = {k for b, keys in BACKENDS.items() if backend in (b, "both") for k in keys}
    for key, run in scenarios.items():
        if key not in chosen or (only and key not in only):
            continue
        started = time.monotonic()
        print(f"fault scenario {key}...", file=sys.stderr, flush=True)
        tmp = Path(tempfile.mkdtemp(prefix=f"baraza-faults-{key}-"))
        try:
            run(tmp)
        except Exception as exc:
            ledger.add(key, f"scenario failed: {type(exc).__name__}: {str(exc)[:120]}", 1, 0)
        finally:
            if keep:
                print(f"kept {tmp}", file=sys.stderr)
            else:
                shutil.rmtree(tmp, ignore_errors=True)
        print(
            f"fault scenario {key}: {time.monotonic() - started:.0f}s", file=sys.stderr, flush=True
        )
    return ledger


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m faults")
    parser.add_argument("--short", action="store_true", help="the short form (as in make test)")
    parser.add_argument(
        "--only",
        help="comma-separated: kills,provider_faults,duplicates,hostile,pg_kills,pg_restarts,pg_roles",
    )
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql", "both"),
        default="both",
        help="the scenarios on an SQLite file, on PostgreSQL (two processes), or both",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folders (logs, SQLite)")
    args = parser.parse_args()
    sizes = SHORT if args.short else FULL
    only = set(args.only.split(",")) if args.only else None
    ledger = run_all(sizes, only, args.keep, args.backend)
    print()
    print(ledger.table())
    lost = sum(c.lost for c in ledger.checks)
    print(f"\n{len(ledger.checks)} checks, {lost} lost")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
