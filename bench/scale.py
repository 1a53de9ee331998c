"""Bench 8 (issue 12): PostgreSQL with one and two processes, beside SQLite, in one run.

A PostgreSQL server is started for the bench from the machine's binaries
(tests/infra/postgres.py) with durable settings: fsync and full-page writes on, as in
production (the tests' servers turn them off), shared_buffers 256 MB, on a Unix socket.
Each population is seeded once into an SQLite file (as bench 1 and 2 seed it), copied into
PostgreSQL with `baraza db copy`, and every run gets a fresh copy of it (a template
database), so no run sees another's turns.

* Turns/s (bench 1's harness: Telegram updates through Baraza's handlers, 40 in flight,
  a turn counted once committed): SQLite; PostgreSQL, one process; PostgreSQL, two
  processes at once, each driving half of the participants, started together, the rate
  being all turns over the time from the common start to the last one's end.
* Signed SMS webhooks/s (bench 2's harness: `baraza run`, wrk replaying pre-signed
  webhooks, 32 connections): SQLite; PostgreSQL, one process; two processes with 16
  connections each (a load balancer's share: each process its half of the numbers).
* CPU per turn: the bench process's own CPU time, and PostgreSQL's (every server process,
  from /proc), per turn: what `README.md` ("Running at scale") sizes machines from.
* A broadcast to 10,000 at R=200/s with two processes (bench 3's harness on PostgreSQL).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import on_postgres, sms_webhook
from bench.common import (
    Results,
    at_least,
    copy_to,
    delivered_verdict,
    ratio,
    run_json,
    seed_survey_population,
    sms_address,
)
from tests.infra.postgres import PostgresServer, throwaway_server

DURABLE = {
    "fsync": "on",
    "full_page_writes": "on",
    "shared_buffers": "'256MB'",
    "max_wal_size": "'2GB'",
}
WINDOW = 40


@contextlib.contextmanager
def server() -> Iterator[PostgresServer]:
    with throwaway_server(config=DURABLE) as pg:
        yield pg


class Seeds:
    """Seeded populations as template databases; a fresh copy for each run."""

    def __init__(self, pg: PostgresServer) -> None:
        self.pg = pg
        self.templates: dict[Path, str] = {}
        self.copy_seconds: dict[str, float] = {}

    def fresh(self, seeded: Path, label: str) -> str:
        if seeded not in self.templates:
            name = self.pg.create_database()
            self.copy_seconds[label] = copy_to(seeded, self.pg.url(name))
            self.templates[seeded] = name
        return self.pg.url(self.pg.create_database(self.templates[seeded]))


def postgres_cpu(pg: PostgresServer) -> float:
    """CPU seconds used so far by every process of the server: the postmaster's own and
    its ended children's (cutime, cstime), and its live children's."""
    try:
        top = int((pg.data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == top:
            total += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
        elif ppid == top:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


# --------------------------------------------------------------------------- turns


def turns_run(
    workdir: Path,
    population: int,
    turns: int,
    database_url: str | None = None,
    part: str = "0/1",
    start_at: float = 0.0,
) -> dict[str, Any]:
    args = [
        "bench.tg_turns", "--system", "baraza", "--population", str(population),
        "--turns", str(turns), "--window", str(WINDOW), "--workdir", str(workdir),
        "--part", part, "--start-at", str(start_at),
    ]  # fmt: skip
    if database_url:
        args += ["--database-url", database_url]
    r = run_json(args, timeout=600)
    if r["errors"]:
        raise RuntimeError(f"bench 8 turns at {population}: {r}")
    return r


def turns_at(
    pg: PostgresServer, seeds: Seeds, work: Path, population: int, turns: int
) -> dict[str, Any]:
    workdir = work / f"scale-turns-{population}"
    workdir.mkdir()
    seeded = seed_survey_population(workdir, population)
    pristine = workdir / "seeded.sqlite3"
    shutil.copy(seeded, pristine)
    lite = turns_run(workdir, population, turns)
    shutil.copy(pristine, seeded)  # the next runs start from the same state
    url = seeds.fresh(pristine, f"turns-{population}")
    cpu = postgres_cpu(pg)
    one = turns_run(workdir, population, turns, url)
    one["postgres_cpu_s"] = postgres_cpu(pg) - cpu
    url = seeds.fresh(pristine, f"turns-{population}")
    start = time.time() + 15  # both processes opened and waiting by then
    cpu = postgres_cpu(pg)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        halves = list(
            pool.map(
                lambda k: turns_run(workdir, population, turns, url, f"{k}/2", start),
                range(2),
            )
        )
    pg_cpu = postgres_cpu(pg) - cpu
    total = sum(h["mine"] for h in halves)
    two = {
        "turns": total,
        "seconds": max(h["ended"] for h in halves) - start,
        "halves": halves,
        "postgres_cpu_s": pg_cpu,
    }
    two["rate"] = total / two["seconds"]
    return {"sqlite": lite, "postgres_1": one, "postgres_2": two}


# --------------------------------------------------------------------------- SMS


def sms_at(
    pg: PostgresServer, seeds: Seeds, work: Path, population: int, seconds: int
) -> dict[str, Any]:
    workdir = work / f"scale-sms-{population}"
    workdir.mkdir()
    seeded = seed_survey_population(workdir, population, "sms", sms_address)
    pristine = workdir / "seeded.sqlite3"
    shutil.copy(seeded, pristine)
    size = max(40_000, population * 2)
    url_of = sms_webhook.PATH

    def saturate(port: int, connections: int, part: tuple[int, int], first_sid: int) -> Any:
        pool = sms_webhook.make_pool(
            f"http://127.0.0.1:{port}{url_of}", population, size, first_sid, part
        )
        return sms_webhook.saturate(port, pool, workdir, seconds, connections)

    with sms_webhook.baraza_server(workdir, seeded, "sqlite") as (port, _):
        lite = saturate(port, 32, (0, 1), 1)
    url = seeds.fresh(pristine, f"sms-{population}")
    with sms_webhook.baraza_server(workdir, url, "pg-1") as (port, _):
        one = saturate(port, 32, (0, 1), 1)
    url = seeds.fresh(pristine, f"sms-{population}")
    with (
        sms_webhook.baraza_server(workdir, url, "pg-2a") as (port_a, _),
        sms_webhook.baraza_server(workdir, url, "pg-2b") as (port_b, _),
        concurrent.futures.ThreadPoolExecutor(2) as pool,
    ):
        a = pool.submit(saturate, port_a, 16, (0, 2), 1)
        b = pool.submit(saturate, port_b, 16, (1, 2), 10_000_000)
        halves = [a.result(), b.result()]
    two = {
        "requests": sum(h["requests"] for h in halves),
        "rate": sum(h["rate"] for h in halves),
        "errors": sum(h["errors"] for h in halves),
        "halves": halves,
    }
    return {"sqlite": lite, "postgres_1": one, "postgres_2": two}


# --------------------------------------------------------------------------- the bench


def bench_scale(res: Results, work: Path, size: dict[str, Any], details: dict[str, Any]) -> None:
    turns = size["turns"]
    found: dict[str, Any] = {"postgres": DURABLE}
    details["scale"] = found
    with contextlib.nullcontext(on_postgres.server()) as pg:  # the run's one server
        seeds = Seeds(pg)
        from tests.infra.postgres import server_version

        found["version"] = server_version(pg.bindir)
        for population in size["scale_populations"]:
            t = found[f"turns_{population}"] = turns_at(pg, seeds, work, population, turns)
            lite, one, two = t["sqlite"]["rate"], t["postgres_1"]["rate"], t["postgres_2"]["rate"]
            note = f"{turns:,} turns, {WINDOW} in flight; {found['version']}, fsync on"
            res.add(
                "8",
                f"turns/s, {population:,} participants: PostgreSQL 1 process (vs SQLite)",
                f"{one:,.0f}/s",
                f"{lite:,.0f}/s",
                ratio(one, lite),
                ">= 0.5x",
                at_least(one, 0.5 * lite),
                note,
            )
            res.add(
                "8",
                f"turns/s, {population:,} participants: PostgreSQL 2 processes (vs 1)",
                f"{two:,.0f}/s",
                f"{one:,.0f}/s",
                ratio(two, one),
                ">= 1.3x",
                at_least(two, 1.3 * one),
                "each process half of the participants, started together",
            )
            cpu_one = t["postgres_1"]["postgres_cpu_s"] / turns * 1000
            cpu_app = t["postgres_1"].get("cpu_s", 0.0) / turns * 1000
            res.add(
                "8",
                f"CPU per turn, {population:,} participants: Baraza / PostgreSQL",
                f"{cpu_app:.2f} / {cpu_one:.2f} ms",
                note="one process; PostgreSQL: every server process's CPU over the run",
            )
        for population in size["scale_populations"]:
            s = found[f"sms_{population}"] = sms_at(pg, seeds, work, population, size["sms_seconds"])
            lite, one, two = s["sqlite"]["rate"], s["postgres_1"]["rate"], s["postgres_2"]["rate"]
            errors = s["sqlite"]["errors"] + s["postgres_1"]["errors"] + s["postgres_2"]["errors"]
            res.add(
                "8",
                f"SMS webhooks/s, {population:,} participants: PostgreSQL 1 process (vs SQLite)",
                f"{one:,.0f}/s",
                f"{lite:,.0f}/s",
                ratio(one, lite),
                note=f"wrk, 32 connections, {size['sms_seconds']} s; non-200: {errors}",
            )
            res.add(
                "8",
                f"SMS webhooks/s, {population:,} participants: PostgreSQL 2 processes (vs 1)",
                f"{two:,.0f}/s",
                f"{one:,.0f}/s",
                ratio(two, one),
                note="two `baraza run`, 16 connections each",
            )
        found["copy_seconds"] = seeds.copy_seconds
        n, rate = size["broadcast"], size["rate"]
        url = pg.url(pg.create_database())
        b = found["broadcast"] = run_json(
            [
                "bench.broadcast", "run", "--workdir", str(work / "scale-broadcast"),
                "--participants", str(n), "--rate", str(rate), "--database-url", url,
                "--processes", "2",
            ],
            timeout=3 * n / rate + 300,
        )  # fmt: skip
        res.add(
            "8",
            f"broadcast to {n:,} at R={rate:g}/s, PostgreSQL, 2 processes: completion vs N/R",
            f"{b['completion_s']:.1f} s",
            f"{b['floor_s']:.1f} s",
            f"{b['over_floor']:.2f}x",
            "delivered all, once",
            delivered_verdict(b, n) or "yes",
            f"delivered {b['delivered']:,}, waiting for their next answer {b['waiting']},"
            f" duplicates {b['duplicates']}, gaps under 1 s per"
            f" chat {b['gaps_under_1s']}; reply p99 {b['reply_p99_s'] or 0:.2f} s to"
            f" {b['writes']} writers",
        )
