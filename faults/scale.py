"""Scenarios on PostgreSQL: two `baraza run` processes share one database (issue 12).

Participants answer over Telegram (polled by whichever process holds the poller role) and
signed SMS webhooks (sent to either process, as a load balancer would, and to the other
one while the first is down); a facilitator's broadcast and a scheduled poll go out
meanwhile. Then one of three things, while the load runs:

* `kill -9`: a process, picked at random, killed with kill -9 again and again (each one
  restarted two seconds later, as a service manager would);
* `PostgreSQL restarted`: the database server itself stopped hard (`pg_ctl -m immediate`:
  no checkpoint, like a crash) and started again;
* `role holders killed`: the process holding the Telegram poller, a channel's sender or
  the scheduler killed in turn; another must take the role over within seconds.

What is counted afterwards, beside the checks every scenario makes (`faults.counting`):
every outbox row was held by one live process at a time (an audit trigger records who
changed each row's status: a row taken back from a process that was still alive, or
finished by one that no longer held it, would have been sent twice by two processes);
each provider's overall rate (Telegram 30 messages a second, TWILIO_MPS segments) held in
every second at the provider; every role was held by one process at a time, and taken over
after its holder died; the scheduled poll opened once.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from bot.channels.sms.gsm7 import segments
from faults.counting import check_delivery, count_turns
from faults.ledger import Ledger
from faults.rig import FACILITATOR, PUBLIC, Bot, Crowd, Fakes, Sms, settle
from faults.sizes import Sizes
from tests.infra.postgres import PostgresServer, throwaway_server
from tests.sql import execute

ROLES = ("telegram-poller", "sender:telegram", "sender:sms", "scheduler")
TELEGRAM_RATE = 30.0
SMS_MPS = 20.0
"""Low enough that the broadcast's SMS reach the limit, so a second sender would show."""
SMS_CONCURRENCY = 4
TELEGRAM_CONCURRENCY = 16
"""Each sender's requests in flight (bot/channels/sms.py, bot/outbox.py)."""
AUDIT = """
CREATE TABLE faults_outbox_audit (
    n bigserial PRIMARY KEY, row_id bigint, old text, new text, app text, at float8);
CREATE FUNCTION faults_outbox_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO faults_outbox_audit (row_id, old, new, app, at) VALUES (NEW.id,
            OLD.status, NEW.status, current_setting('application_name'),
            extract(epoch FROM clock_timestamp()));
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER faults_outbox_audit AFTER UPDATE ON outbox
    FOR EACH ROW EXECUTE FUNCTION faults_outbox_audit();
"""
"""Who changed each outbox row's status, and when: test scaffolding, not Baraza's schema."""


@dataclass
class Happened:
    """What the scenario did, with times (time.time())."""

    kills: list[tuple[float, int, str]] = field(default_factory=list)
    """(when, pid, roles it held)"""
    restarts: list[float] = field(default_factory=list)


# --------------------------------------------------------------------------- the rig


def prepare(url: str) -> None:
    """Baraza's schema, and the audit trigger on it."""
    from storage.postgres import connect, migrate

    with connect(url) as conn:
        migrate(conn)
        conn.execute(AUDIT)
        conn.commit()


@contextlib.contextmanager
def _server(given: PostgresServer | None) -> Iterator[PostgresServer]:
    if given is not None:
        given.ensure_running()
        yield given
        return
    with throwaway_server() as pg:
        yield pg


@contextlib.contextmanager
def two_bots(
    workdir: Path, sizes: Sizes, server: PostgresServer | None = None
) -> Iterator[tuple[PostgresServer, Fakes, list[Bot]]]:
    """A database (on `server`, else on a throwaway server of its own), the fakes, and
    two `baraza run` processes (not started) sharing the database."""
    with _server(server) as pg:
        url = pg.url(pg.create_database())
        prepare(url)
        fakes = Fakes(workdir)
        bots: list[Bot] = []
        try:
            for name in ("a", "b"):
                folder = workdir / name
                folder.mkdir()
                bots.append(
                    Bot(
                        folder,
                        fakes,
                        sizes,
                        database_url=url,
                        send_lease=sizes.pg_lease,
                        public_base_url=PUBLIC,
                        twilio_mps=SMS_MPS,
                    )
                )
            yield pg, fakes, bots
        finally:
            try:
                for bot in bots:
                    bot.stop()
            finally:
                fakes.close()


class Balancer(Sms):
    """Signed SMS webhooks as Twilio sends them through a load balancer: to either
    process, and to the other one while the first does not answer; retried (same
    MessageSid) until one answers 200 or `deadline` seconds pass."""

    def __init__(self, bots: list[Bot], deadline: float, seed: int) -> None:
        super().__init__(bots[0], deadline, public=PUBLIC)
        self.bots = bots
        self.rng = random.Random(seed)

    def targets(self) -> Iterator[str]:
        first = self.rng.randrange(len(self.bots))
        for tries in itertools.count():
            yield self.bots[(first + tries) % len(self.bots)].url


# --------------------------------------------------------------------------- roles, from the logs

_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \w+ [\w.]+: (\S+): (.*)$")


def role_spans(bot: Bot) -> list[tuple[str, int, float, float]]:
    """(role, pid, from, until) of every time one of this Bot's processes held a role."""
    spans = []
    for life, (pid, _started, ended) in enumerate(bot.lives, start=1):
        log = bot.workdir / f"bot-{life}.log"
        held: dict[str, float] = {}
        for line in log.read_text(errors="replace").splitlines():
            m = _LINE.match(line)
            if m is None or m[2] not in ROLES:
                continue
            at = datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            if m[3].startswith("this process holds the role"):
                held[m[2]] = at
            elif m[3].startswith(("role lost", "role given up")) and m[2] in held:
                spans.append((m[2], pid, held.pop(m[2]), at))
        end = ended if ended is not None else time.time()
        spans.extend((role, pid, since, end) for role, since in held.items())
    return spans


def holder(bots: list[Bot], role: str) -> Bot | None:
    """The Bot whose running process holds `role` now (None while nobody does)."""
    for bot in bots:
        if bot.proc is None or bot.proc.poll() is not None:
            continue
        pid = bot.proc.pid
        if any(
            r == role and p == pid and until >= time.time() - 0.5
            for r, p, _, until in role_spans(bot)
        ):
            return bot
    return None


def roles_of(bot: Bot) -> str:
    pid = bot.proc.pid if bot.proc is not None else -1
    now = time.time()
    return ",".join(
        sorted({r for r, p, _, until in role_spans(bot) if p == pid and until >= now - 0.5})
    )


# --------------------------------------------------------------------------- the checks


def check_roles(ledger: Ledger, name: str, bots: list[Bot], happened: Happened) -> None:
    spans = [s for bot in bots for s in role_spans(bot)]
    overlaps = 0
    for role in ROLES:
        mine = sorted((s for s in spans if s[0] == role), key=lambda s: s[2])
        for a, b in itertools.pairwise(mine):
            overlaps += b[2] < a[3] - 0.05  # started before the other had let go
    ledger.add(
        name,
        "each role held by one process at a time (from the logs)",
        len(spans),
        len(spans) - overlaps,
        f"{len(spans)} holdings of {', '.join(ROLES)}",
    )
    waits: list[float] = []
    tried = 0
    for killed_at, pid, roles in happened.kills:
        for role in filter(None, roles.split(",")):
            tried += 1
            after = [
                s[2] for s in spans if s[0] == role and s[1] != pid and s[2] >= killed_at - 0.05
            ]
            if after:
                waits.append(min(after) - killed_at)
    quick = sum(1 for w in waits if w <= 15.0)
    ledger.add(
        name,
        "a killed holder's role taken over within 15 s",
        tried,
        quick,
        f"longest wait {max(waits):.1f} s" if waits else "no role holder was killed",
    )


def check_claims(ledger: Ledger, name: str, bots: list[Bot], url: str) -> None:
    """Every outbox row held by one live process at a time (the audit trigger's record)."""
    lives = {f"baraza-{pid}": (started, ended) for bot in bots for pid, started, ended in bot.lives}
    with psycopg.connect(url) as conn:
        events = conn.execute(
            "SELECT row_id, old, new, app, at FROM faults_outbox_audit ORDER BY n"
        ).fetchall()
    holder_of: dict[int, str] = {}
    bad: set[int] = set()
    taken_back = 0
    for row_id, old, new, app, at in events:
        if new == "sending":
            holder_of[row_id] = app
            continue
        if old != "sending":
            continue
        claimed_by = holder_of.pop(row_id, None)
        if claimed_by is None or claimed_by == app:
            continue
        # another process moved the row on: only recovery may, and only from a dead one
        taken_back += 1
        _started, ended = lives.get(claimed_by, (0.0, None))
        if new != "queued" or ended is None or ended > at:
            bad.add(row_id)
    rows = len({e[0] for e in events if e[2] == "sending"})
    ledger.add(
        name,
        "outbox rows held by one live process at a time (0 sent twice by two processes)",
        rows,
        rows - len(bad),
        f"{taken_back} rows taken back from a process that had died",
    )


def busiest(times: list[float], costs: list[float] | None = None, window: float = 1.0) -> float:
    """The most sent (or segments) in any `window` seconds."""
    order = sorted(range(len(times)), key=lambda i: times[i])
    t = [times[i] for i in order]
    c = [costs[i] if costs else 1.0 for i in order]
    best, j, total = 0.0, 0, 0.0
    for i in range(len(t)):
        total += c[i]
        while t[i] - t[j] >= window:
            total -= c[j]
            j += 1
        best = max(best, total)
    return best


def check_rate(
    ledger: Ledger,
    name: str,
    what: str,
    rate: float,
    in_flight: int,
    times: list[float],
    costs: list[float] | None = None,
) -> None:
    """The sender's limit is strict where it sends; the fake stamps a request when its own
    (busy) event loop gets to it, so up to the sender's requests in flight can arrive
    bunched. A second sender would double the rate over every window."""
    one, five = busiest(times, costs, 1.0), busiest(times, costs, 5.0)
    ledger.add(
        name,
        f"{what}: at most {rate:.0f} a second (at the provider: + {in_flight} in flight)",
        1,
        int(one <= rate + in_flight and five <= 5 * rate + in_flight),
        f"{len(times)} sent; busiest second {one:.0f}, busiest 5 s {five:.0f}",
    )


def check_rates(ledger: Ledger, name: str, fakes: Fakes) -> None:
    tg = [c["at"] for c in fakes.tg_calls() if c["failed"] is None]
    check_rate(ledger, name, "Telegram messages", TELEGRAM_RATE, TELEGRAM_CONCURRENCY, tg)
    attempts = fakes.sms_attempts()
    at = [a["at"] for a in attempts]
    costs = [float(segments(str(a["params"].get("Body", ""))).segments) for a in attempts]
    check_rate(ledger, name, "SMS segments", SMS_MPS, SMS_CONCURRENCY, at, costs)


def check_one_sender(ledger: Ledger, name: str, url: str) -> None:
    """Per channel, claims by two processes never within a second of each other: one
    sender at a time (the new holder of a role waits HANDOVER before it starts)."""
    with psycopg.connect(url) as conn:
        claims = conn.execute(
            "SELECT o.channel, a.app, a.at FROM faults_outbox_audit a JOIN outbox o"
            " ON o.id = a.row_id WHERE a.new = 'sending' ORDER BY o.channel, a.at"
        ).fetchall()
    tried = held = 0
    for (channel, app, at), (channel2, app2, at2) in itertools.pairwise(claims):
        if channel != channel2 or app == app2:
            continue
        tried += 1  # the sender of this channel moved to another process
        held += at2 - at >= 1.0
    ledger.add(
        name,
        "one sender per channel at a time (claims by two processes >= 1 s apart)",
        tried,
        held,
        f"{len(claims)} claims; the sender moved {tried} times",
    )


def check_schedule(ledger: Ledger, name: str, bot: Bot) -> None:
    polls = bot.query("SELECT id FROM prompts WHERE kind = 'poll' AND sent_at IS NOT NULL")
    opened = 0
    for (poll_id,) in polls:
        opened += bot.scalar("SELECT count(*) FROM broadcasts WHERE item = ?", (f"poll:{poll_id}",))
    ledger.add(
        name,
        "the scheduled poll opened once",
        1,
        int(len(polls) == 1 and opened == 1),
        f"{len(polls)} opened, {opened} broadcasts",
    )


# --------------------------------------------------------------------------- the scenario


Disrupt = Callable[[PostgresServer, list[Bot], Happened, random.Random], Any]


async def kill_any(
    pg: PostgresServer, bots: list[Bot], happened: Happened, rng: random.Random
) -> None:
    bot = rng.choice([b for b in bots if b.proc is not None and b.proc.poll() is None] or bots)
    await _kill(bot, happened)


def kill_holder(role: str) -> Disrupt:
    async def disrupt(
        pg: PostgresServer, bots: list[Bot], happened: Happened, rng: random.Random
    ) -> None:
        bot = holder(bots, role) or rng.choice(bots)
        await _kill(bot, happened)

    return disrupt


async def _kill(bot: Bot, happened: Happened) -> None:
    assert bot.proc is not None
    pid, roles = bot.proc.pid, roles_of(bot)
    bot.kill()
    happened.kills.append((time.time(), pid, roles))
    await asyncio.sleep(2.0)  # a service manager restarts it
    bot.start()
    await bot.ready()


async def restart_postgres(
    pg: PostgresServer, bots: list[Bot], happened: Happened, rng: random.Random
) -> None:
    happened.restarts.append(time.time())
    await asyncio.to_thread(pg.restart, "immediate")


async def scenario_pg(
    workdir: Path,
    sizes: Sizes,
    ledger: Ledger,
    name: str,
    disruptions: list[Disrupt],
    seed: int = 5,
    server: PostgresServer | None = None,
) -> None:
    rng = random.Random(seed)
    n = sizes.pg_participants
    with two_bots(workdir, sizes, server) as (pg, fakes, bots):
        for bot in bots:
            bot.start()
        await asyncio.gather(*(bot.ready() for bot in bots))
        url = bots[0].database
        sms = Balancer(bots, deadline=sizes.settle, seed=seed)
        happened = Happened()
        first = asyncio.Event()

        crowd = Crowd(fakes, sms, seed, sizes, sizes.pg_stagger)
        pushed, scripts, participant = crowd.pushed, crowd.scripts, crowd.participant

        async def facilitator() -> None:
            for command in ("/poll --opens 1m Which first? | Water | Roads", None):
                if command is None:
                    await first.wait()
                    command = "/prompt --urgent What should the council fix first?"
                updates = await asyncio.to_thread(
                    fakes.push,
                    [
                        {"user_id": FACILITATOR, "text": command},
                        {"user_id": FACILITATOR, "text": "/send"},  # after its preview
                    ],
                )
                for update, text in zip(updates, (command.split()[0], "/send"), strict=True):
                    pushed[int(update["update_id"])] = (FACILITATOR, text)

        async def bring_poll_forward() -> None:
            """The poll opens `sizes.pg_poll_opens` s after it was made, not a minute."""
            lead = sizes.pg_poll_opens
            if lead is None:
                return
            made = "SELECT count(*) FROM prompts WHERE kind = 'poll' AND sent_at IS NULL"
            deadline = time.monotonic() + sizes.settle
            while time.monotonic() < deadline:
                # the disrupter restarts the server meanwhile: a refused connection is
                # tried again, as the bots do
                with contextlib.suppress(psycopg.OperationalError):
                    if await asyncio.to_thread(bots[0].scalar, made):
                        opens = (datetime.now(UTC) + timedelta(seconds=lead)).isoformat()
                        await asyncio.to_thread(
                            execute,
                            bots[0].database,
                            "UPDATE prompts SET opens_at = ? WHERE kind = 'poll'"
                            " AND sent_at IS NULL",
                            (opens,),
                        )
                        return
                await asyncio.sleep(0.2)
            # never made (check_schedule says so), or made and left at its minute

        async def disrupter() -> None:
            for disrupt in disruptions:
                await asyncio.sleep(rng.uniform(*sizes.kill_gap))
                await disrupt(pg, bots, happened, rng)
                first.set()

        await asyncio.gather(
            disrupter(), facilitator(), bring_poll_forward(), *(participant(i) for i in range(n))
        )
        # the scheduler (every 15 s) opens the poll a minute after it was made (the least
        # lead a facilitator may give), or when `bring_poll_forward` set it to
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not await asyncio.to_thread(
            bots[0].scalar, "SELECT count(*) FROM prompts WHERE kind = 'poll' AND sent_at IS NOT NULL"
        ):
            await asyncio.sleep(1.0)
        # rows a killed sender left 'sending' go again once their lease has passed
        settled = await settle(bots[0], fakes, sizes.settle + sizes.pg_lease)
        await sms.close()
        for bot in bots:
            bot.stop()
        count_turns(ledger, name, bots[0], fakes, sms, pushed, scripts, settled)
        label = f"{len(happened.kills)} kills, {len(happened.restarts)} PostgreSQL restarts"
        check_delivery(ledger, name, bots[0], fakes, label)
        check_claims(ledger, name, bots, url)
        check_rates(ledger, name, fakes)
        check_one_sender(ledger, name, url)
        check_roles(ledger, name, bots, happened)
        check_schedule(ledger, name, bots[0])


async def scenario_pg_kills(workdir: Path, sizes: Sizes, ledger: Ledger) -> None:
    await scenario_pg(workdir, sizes, ledger, "PostgreSQL: kill -9", [kill_any] * sizes.kills)


async def scenario_pg_restarts(workdir: Path, sizes: Sizes, ledger: Ledger) -> None:
    await scenario_pg(
        workdir,
        sizes,
        ledger,
        "PostgreSQL: server restarted",
        [restart_postgres] * sizes.pg_restarts,
    )


async def scenario_pg_short(
    workdir: Path, sizes: Sizes, ledger: Ledger, server: PostgresServer | None = None
) -> None:
    """All three at a small size (make test): the poller's holder killed, the server
    restarted, the sender's holder killed."""
    disruptions = [kill_holder("telegram-poller"), restart_postgres, kill_holder("sender:telegram")]
    await scenario_pg(workdir, sizes, ledger, "PostgreSQL: 2 processes", disruptions, server=server)


async def scenario_pg_roles(workdir: Path, sizes: Sizes, ledger: Ledger) -> None:
    disruptions = [kill_holder(role) for role in ROLES]
    await scenario_pg(workdir, sizes, ledger, "PostgreSQL: role holders killed", disruptions)
