"""Bench 7 (issue 14): the web overview page of a dialogue of 100,000 participants and
1,000,000 answers, over HTTP from `baraza run`; and the pages of what people said (the
flows' questions, a deep page of open answers, a search).

On the file bench 4 generates (`bench.dashboard_export generate`), `baraza run` serves its
SMS channel (sending to the fake Twilio API) and the pages on loopback. A session is opened
the way a facilitator opens one, through a one-time link (stored here with the storage
module, as `/web` would), then `GET /web/d/baraza/` is timed: the first request (cold
reader cache) and the best of a few. With `--database-url`, the same on PostgreSQL (bench 4's
dialogue copied there: `bench.on_postgres`).

    python -m bench.web_overview --workdir DIR [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.common import ROOT, background, env_for, free_port, settings_values, wait_http
from bench.dashboard_export import DIALOGUE
from bench.sms_webhook import ACCOUNT, AUTH_TOKEN, FROM

FACILITATOR = "console:bench"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"


def add_link(db: Path | str) -> str:
    """A one-time login link for FACILITATOR, as `/web` makes it; returns its token.
    `db`: the SQLite file, or a PostgreSQL URL."""
    from bot.web.login import LINK_TTL, digest, new_token, stamp
    from storage import web_sessions
    from storage.conn import SqliteConn

    token = new_token()
    now = datetime.now(UTC)
    args = (digest(token), FACILITATOR, "en", stamp(now), stamp(now + LINK_TTL))
    if isinstance(db, str):
        from storage.postgres import PgConn, connect

        with contextlib.closing(connect(db)) as pg:
            web_sessions.add_link(PgConn(pg), *args)
            pg.commit()
        return token
    with contextlib.closing(sqlite3.connect(db, timeout=30, isolation_level=None, factory=SqliteConn)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        web_sessions.add_link(conn, *args)
        conn.execute("COMMIT")
    return token


def measure(workdir: Path, repeat: int, database_url: str | None = None) -> dict[str, Any]:
    db: Path | str = database_url or workdir / "dialogue.sqlite3"
    backend = "postgresql" if database_url else "sqlite"
    twilio_port, port = free_port(), free_port()
    values = settings_values(
        workdir,
        database_path=workdir / "dialogue.sqlite3",
        **({"database_url": database_url} if database_url else {}),
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
        default_dialogue=DIALOGUE,
        start_flow="onboarding",
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=AUTH_TOKEN,
        twilio_from_number=FROM,
        twilio_api_url=f"http://127.0.0.1:{twilio_port}",
        http_host="127.0.0.1",
        http_port=port,
        facilitators=FACILITATOR,
    )
    env = env_for(values)
    base = f"http://127.0.0.1:{port}"
    with (
        background(
            ["tests.fakes.twilio_api", "--port", str(twilio_port)],
            env,
            workdir / f"twilio-web-{backend}.log",
        ),
        background(["bot.cli", "run"], env, workdir / f"baraza-web-{backend}.log") as proc,
    ):
        wait_http(f"{base}/healthz", timeout=120, proc=proc)
        token = add_link(db)
        with httpx.Client(base_url=base, headers={"User-Agent": BROWSER}, timeout=60) as http:
            login = http.get(f"/web/login/{token}")
            if login.status_code != 200 or "baraza_web" not in http.cookies:
                raise RuntimeError(f"login failed: {login.status_code} {login.text[:200]}")
            times, size = [], 0
            for _ in range(repeat):
                t0 = time.perf_counter()
                page = http.get(f"/web/d/{DIALOGUE}/")
                times.append(time.perf_counter() - t0)
                if page.status_code != 200 or "stakeholder" not in page.text:
                    raise RuntimeError(f"overview failed: {page.status_code} {page.text[:200]}")
                size = len(page.content)
            said: dict[str, Any] = {}
            for name, path in (
                ("questions", f"/web/d/{DIALOGUE}/questions"),
                ("answers", f"/web/d/{DIALOGUE}/answers/explore-challenge?page=100"),
                ("search", f"/web/d/{DIALOGUE}/answers/explore-challenge?q=truck"),
            ):
                runs = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    page = http.get(path)
                    runs.append(time.perf_counter() - t0)
                    if page.status_code != 200:
                        raise RuntimeError(f"{name} failed: {page.status_code} {page.text[:200]}")
                said[name] = {"first_s": runs[0], "best_s": min(runs), "bytes": len(page.content)}
    return {
        "first_s": times[0],
        "best_s": min(times),
        "bytes": size,
        "requests": repeat,
        "pages": said,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", required=True, help="holds bench 4's dialogue.sqlite3")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", help="a PostgreSQL copy of that dialogue instead")
    args = parser.parse_args()
    print(json.dumps(measure(Path(args.workdir), args.repeat, args.database_url)))


if __name__ == "__main__":
    main()
