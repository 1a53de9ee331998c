"""Shared pieces of the benchmarks: bench content and settings, fast seeding by SQL,
subprocesses that report JSON, peak RSS, the machine, and the results table."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CONTENT = BENCH / "content"
BENCH_DIALOGUE = "bench"
BENCH_START_FLOW = "join"
TOKEN = "123456:BENCH"
FIRST_USER = 10_000_000
"""Telegram user (= private chat) ids of seeded participants: FIRST_USER + index."""

SURVEY_STEPS = ("concern", "sector", "urgency", "idea")
SURVEY_ANSWERS = ("Clean water is far from the village", "2", "4", "Dig a borehole together")
"""One valid answer per survey step, in order; the survey starts over after the fourth."""


# --------------------------------------------------------------------------- content


def bench_locales(workdir: Path) -> Path:
    """The project's locales plus the bench survey's texts, in `workdir/locales`."""
    target = workdir / "locales"
    if not target.exists():
        shutil.copytree(ROOT / "locales", target)
        for lang in ("en", "fr", "es"):
            shutil.copy(CONTENT / "survey-locales" / "survey.ftl", target / lang / "survey.ftl")
    return target


def settings_values(workdir: Path, **overrides: Any) -> dict[str, Any]:
    """Settings for the bench dialogue (four-question survey, no quiet hours)."""
    values: dict[str, Any] = {
        "database_path": workdir / "baraza.sqlite3",
        "flows_dir": CONTENT / "flows",
        "locales_dir": bench_locales(workdir),
        "default_dialogue": BENCH_DIALOGUE,
        "start_flow": BENCH_START_FLOW,
        "files_dir": workdir / "files",
        "telegram_bot_token": "",
        "twilio_account_sid": "",
        "twilio_auth_token": "",
    }
    values.update(overrides)
    return values


def make_settings(workdir: Path, **overrides: Any) -> Any:
    from bot.config import Settings

    return Settings(_env_file=None, **settings_values(workdir, **overrides))


def env_for(values: dict[str, Any]) -> dict[str, str]:
    """A subprocess environment carrying these settings (never relying on .env)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "TWILIO_", "HTTP_", "PUBLIC_", "FACILITATORS"))
    }
    env.update({k.upper(): str(v) for k, v in values.items()})
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    return env


# --------------------------------------------------------------------------- seeding


async def make_templates(settings: Any, channel: str = "telegram") -> list[str]:
    """Participant ids of four real participants, each consented and waiting at one survey
    step (concern, sector, urgency, idea): driven through the real turn runner, so the rows
    cloned from them are exactly what Baraza writes."""
    from bot.engine.io import Inbound
    from bot.runtime import load_content, open_runner
    from bot.turns import Envelope

    runner = await open_runner(settings, load_content(settings))
    ids: list[str] = []
    try:
        for step in range(len(SURVEY_STEPS)):
            address = f"template-{step}"
            out = await runner.handle(Envelope(channel, address, Inbound(kind="start")))
            await runner.handle(Envelope(channel, address, Inbound(text="yes")))
            for answer in SURVEY_ANSWERS[:step]:
                await runner.handle(Envelope(channel, address, Inbound(text=answer)))
            assert out.participant_id is not None
            ids.append(out.participant_id)
    finally:
        await runner.db.close()
    return ids


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def clone_participants(
    db_path: Path,
    templates: Sequence[str],
    channel: str,
    addresses: Iterable[str],
    *,
    id_prefix: str = "pb",
    batch: int = 20_000,
) -> int:
    """Insert one participant per address, participant i a copy of templates[i % len]
    (participants, addresses, runs and answers rows), with plain executemany."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.row_factory = sqlite3.Row
    try:
        cols = {t: _columns(conn, t) for t in ("participants", "addresses", "runs", "answers")}
        tpl = []
        for pid in templates:
            p = dict(conn.execute("SELECT * FROM participants WHERE id = ?", (pid,)).fetchone())
            a = dict(
                conn.execute("SELECT * FROM addresses WHERE participant_id = ?", (pid,)).fetchone()
            )
            runs = [
                dict(r) for r in conn.execute("SELECT * FROM runs WHERE participant_id = ?", (pid,))
            ]
            answers = [
                dict(r)
                for r in conn.execute("SELECT * FROM answers WHERE participant_id = ?", (pid,))
            ]
            tpl.append((p, a, runs, answers))
        ans_cols = [c for c in cols["answers"] if c != "id"]

        def sql(table: str, names: list[str]) -> str:
            return (
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            )

        count = 0
        it = iter(addresses)
        while True:
            chunk = [x for _, x in zip(range(batch), it, strict=False)]
            if not chunk:
                break
            rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in cols}
            for address in chunk:
                p, a, runs, answers = tpl[count % len(tpl)]
                new_id = f"{id_prefix}{count:014x}"
                rows["participants"].append(
                    tuple(new_id if c == "id" else p[c] for c in cols["participants"])
                )
                rows["addresses"].append(
                    tuple(
                        new_id if c == "participant_id" else address if c == "address" else a[c]
                        for c in cols["addresses"]
                    )
                )
                for r in runs:
                    rows["runs"].append(
                        tuple(new_id if c == "participant_id" else r[c] for c in cols["runs"])
                    )
                for r in answers:
                    rows["answers"].append(
                        tuple(new_id if c == "participant_id" else r[c] for c in ans_cols)
                    )
                count += 1
            conn.execute("BEGIN")
            for table in ("participants", "addresses", "runs"):
                conn.executemany(sql(table, cols[table]), rows[table])
            conn.executemany(sql("answers", ans_cols), rows["answers"])
            conn.execute("COMMIT")
        return count
    finally:
        conn.close()


def query(target: str | Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """One query on an SQLite file or a PostgreSQL database (SQLite's spelling)."""
    from storage.admin import connection

    with connection(target) as conn:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]


def copy_to(source: Path, url: str) -> float:
    """Copy a seeded SQLite file into an empty PostgreSQL database (`baraza db copy`);
    seconds it took."""
    from storage.admin import copy

    t0 = time.perf_counter()
    counted = asyncio.run(copy(source, url))
    if any(c.source != c.target for c in counted):
        raise RuntimeError(f"copy to PostgreSQL lost rows: {counted}")
    return time.perf_counter() - t0


def telegram_address(i: int) -> str:
    return str(FIRST_USER + i)


def sms_address(i: int) -> str:
    """A valid Kenyan mobile number in E.164, as Baraza stores it."""
    return f"+2547{i:08d}"


def seed_survey_population(
    workdir: Path,
    population: int,
    channel: str = "telegram",
    address: Callable[[int], str] = telegram_address,
) -> Path:
    """A database file with `population` participants mid-survey on `channel` at
    `address(i)` (participant i waits at survey step i % 4)."""
    settings = make_settings(workdir)
    templates = asyncio.run(make_templates(settings, channel))
    clone_participants(
        settings.database_path,
        templates,
        channel,
        (address(i) for i in range(population)),
    )
    conn = sqlite3.connect(settings.database_path)
    with contextlib.closing(conn):
        conn.execute("PRAGMA foreign_keys=ON")  # their addresses, runs and answers go too
        conn.execute(
            "DELETE FROM participants WHERE id IN ({})".format(",".join("?" * len(templates))),
            templates,
        )
        conn.execute("DELETE FROM outbox")
        # last seen an hour ago: at rest, so a broadcast is shown to them at once (bench 3)
        # rather than after their next answer
        conn.execute(
            "UPDATE participants SET last_seen_at = ?",
            ((datetime.now(UTC) - timedelta(hours=1)).isoformat(),),
        )
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Path(settings.database_path)


def turn_schedule(population: int, turns: int, seed: int = 7) -> list[list[tuple[int, int]]]:
    """Rounds of (participant index, answer index): each round visits distinct participants
    spread at random over the population; participant i's k-th answer is step (i + k) % 4."""
    rng = random.Random(seed)
    rounds: list[list[tuple[int, int]]] = []
    done: dict[int, int] = {}
    left = turns
    while left > 0:
        size = min(left, population)
        who = rng.sample(range(population), size)
        row = []
        for i in who:
            k = done.get(i, 0)
            done[i] = k + 1
            row.append((i, (i + k) % len(SURVEY_STEPS)))
        rounds.append(row)
        left -= size
    return rounds


# --------------------------------------------------------------------------- processes


def vm_hwm_kb() -> int:
    """Peak resident set size of this process (VmHWM), in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_json(
    args: Sequence[str], timeout: float, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run `python -m <args>` in its own process group; its last stdout line is JSON."""
    settle_writes()
    proc = subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env or env_for({}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, err = proc.communicate()
        raise RuntimeError(f"{' '.join(args)} timed out after {timeout}s:\n{err[-3000:]}") from None
    finally:
        kill_group(proc)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{err[-3000:]}")
    lines = [x for x in out.splitlines() if x.strip()]
    return dict(json.loads(lines[-1]))


def settle_writes() -> None:
    """Write out what the bench itself wrote (a database seeded or copied for the next run:
    160 MB at 100,000 participants) before a measured process starts. Left to the kernel,
    that writeback ran during the run: 90-97 MB of the copy still being written when each
    run at 100,000 began (/proc/vmstat `nr_writeback`), next to nothing at 1,000, so it
    slowed one side of bench 1's comparison (its median at 100,000 3,631 -> 3,814 turns/s
    over ten interleaved runs with the copy written out first; 1,000 unchanged)."""
    os.sync()


def kill_group(proc: subprocess.Popen[Any], sig: int = signal.SIGKILL) -> None:
    """Kill a process started with start_new_session=True, and all of its children."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)


@contextlib.contextmanager
def background(
    args: Sequence[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[Any]]:
    """A long-running `python -m <args>` (its own process group, output in `log`)."""
    settle_writes()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield proc
    finally:
        kill_group(proc, signal.SIGTERM)
        kill_group(proc)


def wait_http(url: str, timeout: float = 30.0, proc: subprocess.Popen[Any] | None = None) -> None:
    """Wait until GET `url` answers (any status)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited ({proc.returncode}) before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


# --------------------------------------------------------------------------- reporting


def machine() -> dict[str, str]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ""
    with contextlib.suppress(OSError):
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg": load,
    }


@dataclass
class Row:
    """One line of the results table."""

    bench: str
    what: str
    baraza: str
    baseline: str = "-"
    ratio: str = "-"
    target: str = "-"
    verdict: str = "-"
    note: str = ""


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *args: Any, **kwargs: Any) -> Row:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        return row

    def table(self) -> str:
        head = ("#", "measure", "Baraza", "baseline", "ratio", "target", "met?")
        body = [
            (r.bench, r.what, r.baraza, r.baseline, r.ratio, r.target, r.verdict) for r in self.rows
        ]
        widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]

        def line(cells: Sequence[str]) -> str:
            return (
                "| "
                + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True))
                + " |"
            )

        sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
        return "\n".join([line(head), sep, *(line(b) for b in body)])


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def at_least(value: float, target: float) -> str:
    """"yes", or by how much `value` must grow to reach `target` (issue 15: a target
    missed says by how much)."""
    if value >= target:
        return "yes"
    if value <= 0:
        return "NO: nothing measured"
    return f"NO: +{_share(target / value - 1)} needed"


def at_most(value: float, target: float) -> str:
    """"yes", or by how much `value` passes `target`."""
    if value <= target:
        return "yes"
    return f"NO: {_share(value / target - 1)} over"


def delivered_verdict(r: dict[str, Any], n: int) -> str:
    """"" when a broadcast reached all `n` once (delivered, or waiting for their next
    answer), else what went wrong."""
    missing = n - r["delivered"] - r["waiting"]
    if missing:
        return f"NO: {missing:,} not delivered"
    if r["duplicates"]:
        return f"NO: {r['duplicates']:,} twice"
    return ""


def _share(x: float) -> str:
    return f"{x:.1%}" if x < 0.1 else f"{x:.0%}"
