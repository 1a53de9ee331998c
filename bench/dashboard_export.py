"""Bench 4: `/dashboard` and the export on a generated dialogue.

`generate` makes a real SQLite file (migrated by `storage.db.Database`, then filled with
plain `sqlite3` executemany): the project's own `baraza` dialogue with N participants
spread over the stakeholder groups, their runs through onboarding and explore, ten
answers each (onboarding's choices, open answers, a scale and a multi step: the values
and the dialogue stored as Baraza stores them), a poll with votes from most of them and
its broadcast in the outbox, and a prompt answered by a third.

Each measurement runs in a process of its own and reports its peak RSS (VmHWM):

    python -m bench.dashboard_export dashboard --workdir DIR
    python -m bench.dashboard_export export --workdir DIR
    python -m bench.dashboard_export floip --workdir DIR

`dashboard --database-url postgresql://...` measures it on a PostgreSQL copy of the file
(`bench.on_postgres`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import ROOT, vm_hwm_kb

DIALOGUE = "baraza"
GROUPS = [
    "community",
    "civil-society",
    "government",
    "business",
    "research",
    "partner",
    "other",
    "prefer-not",
]
GROUP_WEIGHTS = [40, 15, 8, 12, 6, 5, 10, 4]
AGES = ["under-18", "18-24", "25-34", "35-49", "50-64", "65-plus", "prefer-not"]
GENDERS = ["woman", "man", "other", "prefer-not"]
AREAS = ["urban", "peri-urban", "rural", "prefer-not"]
ANSWERED = [
    ("onboarding", "consent"), ("onboarding", "language"), ("onboarding", "group"),
    ("onboarding", "age"), ("onboarding", "gender"), ("onboarding", "area"),
    ("explore", "challenge"), ("explore", "causes"), ("explore", "urgency"),
    ("vision", "priorities"),
]  # fmt: skip
PRIORITIES = ["water", "health", "jobs", "education", "security", "land", "governance", "other"]
TEXTS = [
    "The borehole is broken and we walk two hours for water",
    "Nobody maintains the pumps after the project ends",
    "Children miss school to fetch water",
    "The county sent a truck once, it did not come back",
]


def settings(workdir: Path, database_url: str | None = None) -> Any:
    """The dialogue's settings: its SQLite file, or `database_url` (a PostgreSQL copy)."""
    from bot.config import Settings

    values: dict[str, Any] = {"database_path": workdir / "dialogue.sqlite3"}
    if database_url:
        values["database_url"] = database_url
    return Settings(
        _env_file=None,
        **values,
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
        files_dir=workdir / "files",
        telegram_bot_token="",
        twilio_account_sid="",
        twilio_auth_token="",
    )


async def _migrate(path: Path) -> None:
    from storage.db import database

    db = await database(path).open()
    await db.close()


def generate(workdir: Path, participants: int, answers_each: int = 10, seed: int = 5) -> Path:
    path = Path(settings(workdir).database_path)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    asyncio.run(_migrate(path))
    rng = random.Random(seed)
    now = datetime.now(UTC)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO prompts (id, dialogue, kind, texts, target, created_by, created_at,"
        " opens_at, sent_at, reached) VALUES (1, ?, 'poll', ?, NULL, 'telegram:1', ?, ?, ?, ?)",
        (
            DIALOGUE,
            json.dumps(
                {"en": {"question": "What first?", "options": ["Borehole", "Road", "Clinic"]}}
            ),
            now.isoformat(),
            now.isoformat(),
            now.isoformat(),
            participants,
        ),
    )
    conn.execute(
        "INSERT INTO prompts (id, dialogue, kind, texts, target, created_by, created_at,"
        " opens_at, sent_at, reached) VALUES (2, ?, 'prompt', ?, NULL, 'telegram:1', ?, ?, ?, ?)",
        (
            DIALOGUE,
            json.dumps({"en": {"question": "What should the next session discuss?"}}),
            now.isoformat(),
            now.isoformat(),
            now.isoformat(),
            participants,
        ),
    )
    versions = {"onboarding": "v-onboarding", "explore": "v-explore"}
    batch = 10_000
    for start in range(0, participants, batch):
        ps, adds, runs, ans, resp, out = [], [], [], [], [], []
        for i in range(start, min(start + batch, participants)):
            pid = f"pg{i:014x}"
            created = (now - timedelta(minutes=rng.randrange(60 * 24 * 30))).isoformat()
            seen = (now - timedelta(minutes=rng.randrange(60 * 24 * 3))).isoformat()
            lang = rng.choice(("en", "en", "fr", "es"))
            channel = "telegram" if i % 3 else "sms"
            profile = {
                "group": rng.choices(GROUPS, GROUP_WEIGHTS)[0],
                "age": rng.choice(AGES),
                "gender": rng.choice(GENDERS),
                "area": rng.choice(AREAS),
            }
            finished = rng.random() < 0.6
            step = (
                "thanks"
                if finished
                else rng.choice(("challenge", "causes", "effects", "tried", "missing"))
            )
            state = {
                "run": None if finished else [2, "explore", versions["explore"], step, 0],
                "runs": 2,
                "seq": 12,
                "pending": None,
            }
            ps.append(
                (
                    pid,
                    DIALOGUE,
                    lang,
                    created,
                    json.dumps(profile),
                    json.dumps(state),
                    channel,
                    created,
                    seen,
                )
            )
            address = f"+2547{i:08d}" if channel == "sms" else str(20_000_000 + i)
            adds.append((channel, address, pid, created))
            runs.append(
                (
                    pid,
                    1,
                    "onboarding",
                    versions["onboarding"],
                    "thanks",
                    "completed",
                    created,
                    created,
                    DIALOGUE,
                )
            )
            runs.append(
                (
                    pid,
                    2,
                    "explore",
                    versions["explore"],
                    step,
                    "completed" if finished else "active",
                    created,
                    seen,
                    DIALOGUE,
                )
            )
            values = {
                "consent": "yes",
                "language": lang,
                "group": profile["group"],
                "age": profile["age"],
                "gender": profile["gender"],
                "area": profile["area"],
                "urgency": str(rng.choices((1, 2, 3, 4, 5), (1, 2, 4, 6, 5))[0]),
                "priorities": " ".join(rng.sample(PRIORITIES, rng.randint(1, 3))),
            }
            for k in range(answers_each):
                flow, step_id = ANSWERED[k % len(ANSWERED)]
                value = values.get(step_id) or rng.choice(TEXTS)
                ans.append(
                    (
                        pid,
                        {"onboarding": 1, "explore": 2}.get(flow, 3),
                        flow,
                        versions.get(flow, f"v-{flow}"),
                        step_id,
                        value,
                        value,
                        lang,
                        channel,
                        seen,
                        DIALOGUE,
                    )
                )
            if rng.random() < 0.7:
                vote = str(rng.choices((0, 1, 2), (5, 3, 2))[0])
                resp.append((1, pid, vote, vote, lang, channel, seen, seen, DIALOGUE))
            if rng.random() < 0.3:
                text = rng.choice(TEXTS)
                resp.append((2, pid, text, text, lang, channel, seen, seen, DIALOGUE))
            out.append(
                (
                    pid,
                    channel,
                    None,
                    '{"text": "What first?", "question": null}',
                    1,
                    "sent",
                    1,
                    created,
                    DIALOGUE,
                    1,
                    seen,
                )
            )
        conn.executemany(
            "INSERT INTO participants (id, dialogue, language, consented_at, profile, state, channel,"
            " created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ps,
        )
        conn.executemany(
            "INSERT INTO addresses (channel, address, participant_id, created_at) VALUES (?, ?, ?, ?)",
            adds,
        )
        conn.executemany(
            "INSERT INTO runs (participant_id, run_no, flow_id, version, step_id, status, started_at,"
            " updated_at, dialogue) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            runs,
        )
        conn.executemany(
            "INSERT INTO answers (participant_id, run_no, flow_id, version, step_id, value, raw,"
            " language, channel, created_at, dialogue) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ans,
        )
        conn.executemany(
            "INSERT INTO responses (prompt_id, participant_id, value, raw, language, channel,"
            " created_at, updated_at, dialogue) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            resp,
        )
        conn.executemany(
            "INSERT INTO outbox (participant_id, channel, address, payload, priority, status,"
            " attempts, created_at, dialogue, prompt_id, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            out,
        )
    # answers and responses carry the dialogue they were given in (migration 006)
    conn.execute("UPDATE answers SET dialogue = ? WHERE dialogue IS NULL", (DIALOGUE,))
    conn.execute("UPDATE responses SET dialogue = ? WHERE dialogue IS NULL", (DIALOGUE,))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # no ANALYZE: Baraza never runs it, so a real file has no planner statistics
    conn.close()
    return path


async def _dashboard(workdir: Path, repeat: int, database_url: str | None) -> dict[str, Any]:
    from bot.facilitator import dashboard
    from bot.runtime import load_content
    from storage.db import database

    s = settings(workdir, database_url)
    content = load_content(s)
    db = await database(s.database_url).open()
    times = []
    text = ""
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            board = await dashboard.build(
                db,
                content.dialogues[DIALOGUE],
                datetime.now(UTC),
                "fr",
                tr=content.tr,
                flows=content.library.flows,
            )
            text = dashboard.text(board)
            times.append(time.perf_counter() - t0)
    finally:
        await db.close()
    return {
        "first_s": times[0],
        "best_s": min(times),
        "lines": text.count("\n") + 1,
        "vm_hwm_kb": vm_hwm_kb(),
    }


async def _export(workdir: Path, fmt: str) -> dict[str, Any]:
    """The CSV export (questions and labels in French) or the FLOIP package (a zip)."""
    from bot.facilitator import export, floip
    from bot.runtime import load_content
    from storage.db import database

    s = settings(workdir)
    content = load_content(s)
    d = content.dialogues[DIALOGUE]
    db = await database(s.database_url).open()
    out = workdir / ("export.csv" if fmt == "csv" else "flow-results.zip")
    try:
        before = vm_hwm_kb()
        t0 = time.perf_counter()
        book = await export.codebook(db, d, content.library.flows, content.tr)
        if fmt == "csv":
            rows = await export.write(db, DIALOGUE, "csv", out, questions=book, lang="fr")
        else:
            rows = await floip.write(db, d, book, out, lang="fr", now=datetime.now(UTC))
        seconds = time.perf_counter() - t0
    finally:
        await db.close()
    size = out.stat().st_size
    out.unlink()
    return {
        "rows": rows,
        "seconds": seconds,
        "bytes": size,
        "rss_before_kb": before,
        "vm_hwm_kb": vm_hwm_kb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=("generate", "dashboard", "export", "floip"))
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", help="dashboard: a PostgreSQL copy of the dialogue")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if args.command == "generate":
        t0 = time.perf_counter()
        path = generate(workdir, args.participants)
        print(json.dumps({"path": str(path), "seconds": time.perf_counter() - t0}))
    elif args.command == "dashboard":
        print(json.dumps(asyncio.run(_dashboard(workdir, args.repeat, args.database_url))))
    else:
        fmt = "csv" if args.command == "export" else "floip"
        print(json.dumps(asyncio.run(_export(workdir, fmt))))


if __name__ == "__main__":
    main()
