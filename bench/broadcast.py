"""Bench 3: a facilitator's broadcast to N participants on the fake Bot API.

Three processes: the fake Bot API (`tests.fakes.telegram_api`), the bot (this module's
`bot` command: the runner, the Telegram channel polling, its Sender at R messages a
second and one a second per chat) and the driver (`run`), which sends the facilitator's
`/prompt`, has participants write to the bot during the broadcast, and then reads the
fake's recorded calls: when the broadcast was done, the shortest gap between two
messages to one chat, the most calls the fake took in any 1 s (its own clock: the
Sender's limit holds on the bot's clock, jitter between them shows here), and how long
each participant waited for the bot's reply. Completion counts from the facilitator's
/send (once the preview is on their phone) to the last participant reached.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import itertools
import json
import random
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    FIRST_USER,
    TOKEN,
    background,
    copy_to,
    env_for,
    free_port,
    query,
    seed_survey_population,
    settings_values,
    wait_http,
)

FACILITATOR = 500
QUESTION = "Which should the council fix first: the borehole or the road?"
WRITE = "2"
"""What participants write meanwhile: an answer to whichever survey step they are at (the
question waiting for them then comes with the bot's answer)."""


# --------------------------------------------------------------------------- the bot process


ROLES = ("sender:telegram", "scheduler")


async def serve_bot(workdir: Path, rate: float, only: Sequence[str] = ROLES) -> None:
    """The Telegram half of `baraza run`, with the Sender's overall rate set to `rate`
    (TELEGRAM has no setting for it: `baraza run` always sends at 30/s). `only`: the
    roles this process may take (the Telegram poller's is always among them)."""
    import logging

    from bot.channels.telegram import TelegramChannel
    from bot.config import Settings
    from bot.delivery import Sender
    from bot.roles import Role
    from bot.runtime import load_content, open_runner
    from bot.scheduler import Scheduler

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = Settings(_env_file=None)  # from the environment
    runner = await open_runner(settings, load_content(settings))
    channel = TelegramChannel(settings, runner, rate=rate, chat_interval=1.0)
    sender = Sender(runner.db, channel.transport, channel.limits, doorbell=runner.doorbell)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await channel.start(sender)
    # as `baraza run`: one sender and one scheduler among the processes sharing the database
    # (the scheduler carries on broadcasts; here every 2 s, so a second process helps)
    roles = [
        role
        for role in (
            Role(runner.db, "sender:telegram", sender.run, sender.request_stop),
            Role(runner.db, "scheduler", Scheduler(runner, interval=2.0).run),
        )
        if role.name in only
    ]
    tasks = [asyncio.create_task(role.hold()) for role in roles]
    try:
        await stop.wait()
    finally:
        for role in roles:
            role.stop()
        await asyncio.wait(tasks, timeout=15)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await channel.stop()
        await runner.db.close()


# --------------------------------------------------------------------------- the driver


def _broadcast_done(db: Path | str) -> bool:
    """Every participant reached: the broadcast finished and no bulk message waits (one
    taken back because its person wrote first went out inside the reply)."""
    rows = query(
        db,
        "SELECT (SELECT count(*) FROM broadcasts WHERE done_at IS NULL),"
        " (SELECT count(*) FROM broadcasts), (SELECT count(*) FROM outbox"
        "  WHERE priority = 1 AND status IN ('queued', 'sending'))",
    )
    waiting, started, queued = rows[0]
    return bool(started) and not waiting and not queued


def run(
    workdir: Path,
    participants: int,
    rate: float,
    writes_share: float = 0.04,
    database_url: str | None = None,
    processes: int = 1,
) -> dict[str, Any]:
    """`database_url`: PostgreSQL, where `processes` bots share the broadcast's work. With
    two or more, the first one sends and the second carries the broadcast on (the
    scheduler): the sender then learns of the rows queued in the other process only by
    looking, as it does in `baraza run` whenever the two roles land apart (with both in
    one process its own doorbell rings it; bench 8 stalled only in the other case). One
    of them polls; the deliveries go to whichever takes each batch.
    `writes_share`: people write during it at this share of the rate (8 a second at
    200/s, 1.2 at 30/s), each answered within the same rate."""
    db: Path | str = seed_survey_population(workdir, participants)
    where: dict[str, Any] = {"database_path": db}
    if database_url:
        copy_to(Path(db), database_url)
        db = database_url
        where = {"database_url": database_url}
    api_port = free_port()
    api = f"http://127.0.0.1:{api_port}"
    values = settings_values(
        workdir,
        telegram_bot_token=TOKEN,
        telegram_api_url=f"{api}/bot",
        facilitators=f"telegram:{FACILITATOR}",
        **where,
    )
    env = env_for(values)
    floor = participants / rate
    with (
        background(
            ["tests.fakes.telegram_api", "--port", str(api_port)], env, workdir / "fake-tg.log"
        ) as fake,
        httpx.Client(base_url=api, timeout=30) as http,
    ):
        wait_http(f"{api}/_control/calls?method=getMe", proc=fake)
        with contextlib.ExitStack() as bots:
            for n in range(processes):
                roles = ROLES if processes == 1 else ROLES[n : n + 1] or ROLES
                command = ["bench.broadcast", "bot", "--workdir", str(workdir)]
                command += ["--rate", str(rate), "--roles", ",".join(roles)]
                bot = bots.enter_context(
                    background(
                        command,
                        env,
                        workdir / f"bot-{n}.log",
                    )
                )
            deadline = time.monotonic() + 60
            while not http.get("/_control/calls", params={"method": "getUpdates"}).json():
                if bot.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"bot did not start: see {workdir / 'bot-0.log'}")
                time.sleep(0.2)
            time.sleep(3.0)  # every process up, the roles taken
            rng = random.Random(3)
            http.post(
                "/_control/message", json={"user_id": FACILITATOR, "text": f"/prompt {QUESTION}"}
            )
            # a preview comes back first; /send sends it: completion counts from here
            deadline = time.monotonic() + 30
            while not any(
                QUESTION in str(c["params"].get("text", ""))
                for c in http.get("/_control/calls", params={"method": "sendMessage"}).json()
            ):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no preview: see {workdir / 'bot-0.log'}")
                time.sleep(0.05)
            t0 = time.monotonic()
            http.post("/_control/message", json={"user_id": FACILITATOR, "text": "/send"})
            writes: list[tuple[int, float]] = []
            give_up = t0 + 3 * floor + 30
            next_check = t0 + 2
            done = False
            while time.monotonic() < give_up:
                # participants write during the broadcast (one message each, at most)
                chat = FIRST_USER + rng.randrange(participants)
                if chat not in {c for c, _ in writes}:
                    writes.append((chat, time.monotonic()))
                    http.post("/_control/message", json={"user_id": chat, "text": WRITE})
                time.sleep(1 / (writes_share * rate))
                if time.monotonic() >= next_check:
                    next_check += 2
                    if _broadcast_done(db):
                        done = True
                        break
            time.sleep(3)  # replies to the last writers
            calls = http.get("/_control/calls", params={"method": "sendMessage"}).json()
    (workdir / "calls.json").write_text(json.dumps({"t0": t0, "writes": writes, "calls": calls}))
    result = analyse(calls, writes, t0, participants, rate, floor, done)
    # Someone who wrote before the broadcast reached them was busy answering when it did:
    # the question waits for their next answer (or 15 minutes at rest), by design.
    result["waiting"] = query(
        db,
        "SELECT count(*) FROM participants WHERE json_extract(state, '$.waiting') LIKE ?",
        ("%prompt:%",),
    )[0][0]
    return result


def analyse(
    calls: list[dict[str, Any]],
    writes: list[tuple[int, float]],
    t0: float,
    participants: int,
    rate: float,
    floor: float,
    done: bool,
) -> dict[str, Any]:
    ok = [c for c in calls if c["failed"] is None]
    # the question reaches each person once: alone (a bulk message), or inside the reply to
    # what they wrote while it waited for them ("Question 1 from the facilitators: ...");
    # the facilitator's preview (before t0) is not one of them
    bulk = [
        c
        for c in ok
        if QUESTION in str(c["params"].get("text", ""))
        and str(c["params"].get("chat_id")) != str(FACILITATOR)
    ]
    stamps = sorted(c["at"] for c in calls)  # refused calls count against the rate too
    busiest = max(
        (bisect.bisect_left(stamps, t + 1.0) - i for i, t in enumerate(stamps)), default=0
    )
    by_chat: dict[str, list[dict[str, Any]]] = {}
    for c in ok:
        by_chat.setdefault(str(c["params"].get("chat_id")), []).append(c)
    gaps = [b["at"] - a["at"] for sent in by_chat.values() for a, b in itertools.pairwise(sent)]
    latencies = []
    missing = 0
    for chat, at in writes:
        reply = next(
            (
                c["at"]
                for c in by_chat.get(str(chat), [])
                if c["at"] > at  # the bot's answer: a question still waiting comes inside it
            ),
            None,
        )
        if reply is None:
            missing += 1
        else:
            latencies.append(reply - at)
    latencies.sort()
    last = max((c["at"] for c in bulk), default=t0)
    completion = last - t0
    return {
        "participants": participants,
        "rate": rate,
        "done": done,
        "delivered": len({str(c["params"]["chat_id"]) for c in bulk}),
        "duplicates": len(bulk) - len({str(c["params"]["chat_id"]) for c in bulk}),
        "completion_s": completion,
        "calls": sum(1 for c in calls if t0 <= c["at"] <= last),
        "calls_floor_s": sum(1 for c in calls if t0 <= c["at"] <= last) / rate,
        "floor_s": floor,
        "over_floor": completion / floor,
        "busiest_second": busiest,
        "min_gap_s": min(gaps) if gaps else None,
        "gaps_under_1s": sum(1 for g in gaps if g < 1.0),
        "writes": len(writes),
        "replies_missing": missing,
        "reply_p50_s": latencies[len(latencies) // 2] if latencies else None,
        "reply_p99_s": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
        if latencies
        else None,
        "reply_max_s": latencies[-1] if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bot")
    b.add_argument("--workdir", required=True)
    b.add_argument("--rate", type=float, default=200.0)
    b.add_argument("--roles", default=",".join(ROLES), help="the roles it may take")
    r = sub.add_parser("run")
    r.add_argument("--workdir", required=True)
    r.add_argument("--participants", type=int, default=10_000)
    r.add_argument("--rate", type=float, default=200.0)
    r.add_argument("--database-url", help="PostgreSQL instead of an SQLite file")
    r.add_argument("--processes", type=int, default=1, help="bots sharing the database")
    args = parser.parse_args()
    if args.command == "bot":
        asyncio.run(serve_bot(Path(args.workdir), args.rate, args.roles.split(",")))
    else:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
        result = run(
            Path(args.workdir),
            args.participants,
            args.rate,
            database_url=args.database_url,
            processes=args.processes,
        )
        print(json.dumps(result))


if __name__ == "__main__":
    main()
