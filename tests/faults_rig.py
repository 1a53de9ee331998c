"""The fault suite's rig: `baraza run` as a subprocess against the fakes in another process,
simulated participants over Telegram and signed SMS webhooks, and the counting afterwards.

`tests/test_faults.py` runs each scenario in its short form (part of `make test`);
`make faults` runs them all at full size (`python -m tests.faults_rig`) and prints the
table of checks: tried, held, lost. A check holds when `lost` is 0.

Scenarios:

1. `kills`: kill -9 the bot at random moments while participants answer and a facilitator's
   broadcast goes out; restart each time; then count what the fakes saw and the SQLite file
   holds.
2. `provider_faults`: 30% of sends answered 429, 5xx or never (a timeout) for a while.
3. `duplicates`: every inbound delivered 1 to 3 times (answers, votes, a facilitator's /poll).
4. `hostile`: forged, missing and stale signatures, wrong secret tokens, non-facilitators'
   commands, oversized and malformed bodies, hypothesis-generated text at every step.
"""

from __future__ import annotations

import os

os.environ.setdefault("PTB_TIMEDELTA", "1")

import asyncio
import base64
import contextlib
import itertools
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import env_for, free_port, settings_values  # noqa: E402

TOKEN = "123456:FAULTS"
ACCOUNT = "AC" + "f" * 32
AUTH = "faults-secret"
FROM = "+15005550006"
FACILITATOR = 1
WEBHOOK_SECRET = "right-secret"
PUBLIC = "https://baraza.test"
HTTP = httpx.Timeout(30.0, connect=5.0)


# --------------------------------------------------------------------------- sizes


@dataclass(frozen=True)
class Sizes:
    participants: int
    kills: int
    kill_gap: tuple[float, float]
    stagger: float
    think: tuple[float, float]
    settle: float
    fault_period: float
    fault_participants: int
    fault_settle: float
    dup_participants: int
    fuzz_examples: int
    twilio_mps: float = 100.0


SHORT = Sizes(
    participants=50,
    kills=3,
    kill_gap=(1.5, 3.5),
    stagger=6.0,
    think=(0.3, 2.0),
    settle=60.0,
    fault_period=10.0,
    fault_participants=16,
    fault_settle=90.0,
    dup_participants=16,
    fuzz_examples=15,
)
FULL = Sizes(
    participants=1000,
    kills=10,
    kill_gap=(3.0, 8.0),
    stagger=50.0,
    think=(2.0, 8.0),
    settle=300.0,
    fault_period=60.0,
    fault_participants=100,
    fault_settle=300.0,
    dup_participants=200,
    fuzz_examples=150,
)


def current_sizes() -> Sizes:
    return FULL if os.environ.get("BARAZA_FAULTS") == "full" else SHORT


# --------------------------------------------------------------------------- the ledger


@dataclass
class Check:
    scenario: str
    name: str
    tried: int
    held: int
    lost: int
    note: str = ""


@dataclass
class Ledger:
    checks: list[Check] = field(default_factory=list)

    def add(self, scenario: str, name: str, tried: int, held: int, note: str = "") -> Check:
        check = Check(scenario, name, tried, held, max(0, tried - held), note)
        self.checks.append(check)
        return check

    def of(self, scenario: str) -> list[Check]:
        return [c for c in self.checks if c.scenario == scenario]

    def table(self) -> str:
        head = ("scenario", "check", "tried", "held", "lost", "note")
        rows = [
            (c.scenario, c.name, str(c.tried), str(c.held), str(c.lost), c.note)
            for c in self.checks
        ]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

        def line(r: tuple[str, ...]) -> str:
            return "| " + " | ".join(x.ljust(w) for x, w in zip(r, widths, strict=True)) + " |"

        return "\n".join(
            [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]
        )


# --------------------------------------------------------------------------- processes


def _kill_group(proc: subprocess.Popen[Any], sig: int) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)


class Fakes:
    """The fake Bot API and fake Twilio API in their own process (tests/faults_fakes.py)."""

    def __init__(self, workdir: Path) -> None:
        self.log = (workdir / "fakes.log").open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.faults_fakes"],
            cwd=ROOT,
            env=env_for({}),
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.close()
            raise RuntimeError(f"fakes did not start; see {workdir / 'fakes.log'}")
        ports = json.loads(line)
        self.tg_port, self.tw_port = int(ports["telegram"]), int(ports["twilio"])
        self.tg = httpx.Client(base_url=f"http://127.0.0.1:{self.tg_port}", timeout=HTTP)
        self.tw = httpx.Client(base_url=f"http://127.0.0.1:{self.tw_port}", timeout=HTTP)

    def close(self) -> None:
        for client in ("tg", "tw"):
            with contextlib.suppress(AttributeError):
                getattr(self, client).close()
        _kill_group(self.proc, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _kill_group(self.proc, signal.SIGKILL)
            self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.log.close()

    # telegram
    def push(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        r = self.tg.post("/_control/push", json=items)
        r.raise_for_status()
        return list(r.json())

    def tg_state(self) -> dict[str, Any]:
        return dict(self.tg.get("/_control/state").json())

    def tg_calls(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return list(self.tg.get("/_control/calls", params={"method": method}).json())

    def bot_messages(self) -> list[dict[str, Any]]:
        return list(self.tg.get("/_control/bot_messages").json())

    def fault_rate(self, rate: float, seed: int = 1) -> None:
        kinds = ["429", "500", "hang"]
        self.tg.post(
            "/_control/fault_rate", json={"rate": rate, "kinds": kinds, "seed": seed}
        ).raise_for_status()
        self.tw.post(
            "/_control/fault_rate", json={"rate": rate, "kinds": kinds, "seed": seed}
        ).raise_for_status()

    # twilio
    def sms_messages(self) -> list[dict[str, Any]]:
        return list(self.tw.get("/_control/messages").json())

    def sms_attempts(self) -> list[dict[str, Any]]:
        return list(self.tw.get("/_control/attempts").json())


class Bot:
    """`baraza run` (python -m bot.cli run) with an env dict: no .env, loopback only."""

    def __init__(self, workdir: Path, fakes: Fakes, sizes: Sizes, **overrides: Any) -> None:
        self.workdir = workdir
        self.port = free_port()
        values = settings_values(
            workdir,
            telegram_bot_token=TOKEN,
            telegram_api_url=f"http://127.0.0.1:{fakes.tg_port}/bot",
            twilio_account_sid=ACCOUNT,
            twilio_auth_token=AUTH,
            twilio_from_number=FROM,
            twilio_api_url=f"http://127.0.0.1:{fakes.tw_port}",
            twilio_mps=sizes.twilio_mps,
            http_host="127.0.0.1",
            http_port=self.port,
            facilitators=f"telegram:{FACILITATOR}",
            **overrides,
        )
        self.db_path = Path(values["database_path"])
        self.env = env_for(values)
        self.proc: subprocess.Popen[Any] | None = None
        self.starts = 0
        self.kills = 0
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.starts += 1
        with (self.workdir / f"bot-{self.starts}.log").open("w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.proc is None or self.proc.poll() is not None:
                    raise RuntimeError(
                        f"baraza run exited: see {self.workdir}/bot-{self.starts}.log"
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        log = (self.workdir / f"bot-{self.starts}.log").read_text(errors="replace")[-1500:]
        raise RuntimeError(f"baraza run not ready in {timeout}s; its log ends:\n{log}")

    def kill(self) -> None:
        """kill -9, the whole process group."""
        if self.proc is not None:
            self.kills += 1
            _kill_group(self.proc, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None:
            return
        _kill_group(self.proc, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            _kill_group(self.proc, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def errors(self) -> list[str]:
        """Tracebacks and ERROR lines in the bot's logs (for the report)."""
        found = []
        for log in sorted(self.workdir.glob("bot-*.log")):
            found += [
                x
                for x in log.read_text(errors="replace").splitlines()
                if " ERROR " in x or "Traceback" in x
            ]
        return found

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(self.db_path, timeout=10)) as conn:
            return list(conn.execute(sql, params).fetchall())

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        return int(self.query(sql, params)[0][0] or 0)


@contextlib.contextmanager
def rig(workdir: Path, sizes: Sizes, **overrides: Any) -> Iterator[tuple[Fakes, Bot]]:
    fakes = Fakes(workdir)
    bot = Bot(workdir, fakes, sizes, **overrides)
    try:
        yield fakes, bot
    finally:
        try:
            bot.stop()
        finally:
            fakes.close()


# --------------------------------------------------------------------------- participants


def sms_number(i: int) -> str:
    return f"+2547{10_000_000 + i:08d}"


def tg_user(i: int) -> int:
    return 200_000 + i


def webhook(sid: str, number: str, body: str) -> dict[str, str]:
    return {
        "ToCountry": "US", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid,
        "SmsStatus": "received", "Body": body, "To": FROM, "NumSegments": "1",
        "MessageSid": sid, "AccountSid": ACCOUNT, "From": number, "ApiVersion": "2010-04-01",
    }  # fmt: skip


class Sms:
    """Posts signed webhooks as Twilio would, retrying (same MessageSid) until answered 200
    or `deadline` seconds pass: the bot may be down or restarting."""

    def __init__(self, bot: Bot, deadline: float, public: str | None = None) -> None:
        self.bot = bot
        self.deadline = deadline
        self.url = (public or bot.url) + "/sms/inbound"
        self.validator = RequestValidator(AUTH)
        self.client = httpx.AsyncClient(timeout=HTTP, limits=httpx.Limits(max_connections=64))
        self.sent: dict[str, tuple[str, str, int]] = {}
        """sid -> (number, body, final status; 0 if never answered)."""
        self._n = 0

    def next_sid(self) -> str:
        self._n += 1
        return f"SM{self._n:032x}"

    async def send(self, number: str, body: str, sid: str | None = None) -> int:
        sid = sid or self.next_sid()
        params = webhook(sid, number, body)
        signature = self.validator.compute_signature(self.url, params)
        headers = {"X-Twilio-Signature": signature}
        status = 0
        give_up = time.monotonic() + self.deadline
        while time.monotonic() < give_up:
            try:
                r = await self.client.post(
                    f"{self.bot.url}/sms/inbound", data=params, headers=headers
                )
                status = r.status_code
            except httpx.HTTPError:
                status = 0
            if status == 200 or 400 <= status < 500:
                break
            await asyncio.sleep(0.2)
        self.sent[sid] = (number, body, status)
        return status

    async def close(self) -> None:
        await self.client.aclose()


async def settle(bot: Bot, fakes: Fakes, timeout: float) -> bool:
    """Wait until no update is pending at the fake, no outbox row waits and the inbound
    log has stopped growing (2 s); False if that did not happen within `timeout`."""
    deadline = time.monotonic() + timeout
    last: tuple[int, ...] | None = None
    since = time.monotonic()
    while time.monotonic() < deadline:
        state = await asyncio.to_thread(fakes.tg_state)
        waiting = await asyncio.to_thread(
            bot.scalar,
            "SELECT count(*) FROM outbox o LEFT JOIN participants p ON p.id = o.participant_id"
            " WHERE o.status IN ('queued', 'sending') AND (o.force = 1 OR p.stopped_at IS NULL)",
        )
        inbound = await asyncio.to_thread(bot.scalar, "SELECT count(*) FROM inbound")
        now = (state["pending"], waiting, inbound)
        if now != last:
            last, since = now, time.monotonic()
        elif now[0] == 0 and now[1] == 0 and time.monotonic() - since >= 2.0:
            return True
        await asyncio.sleep(0.5)
    return False


# --------------------------------------------------------------------------- counting


def stored_external_ids(bot: Bot) -> set[tuple[str, str]]:
    return {(c, e) for c, e in bot.query("SELECT channel, external_id FROM inbound")}


def participant_ids(bot: Bot) -> dict[tuple[str, str], str]:
    return {
        (c, a): p for c, a, p in bot.query("SELECT channel, address, participant_id FROM addresses")
    }


def answer_counts(bot: Bot) -> Counter[str]:
    counts: Counter[str] = Counter()
    for pid, n in bot.query("SELECT participant_id, count(*) FROM answers GROUP BY 1"):
        counts[pid] += n
    for pid, n in bot.query("SELECT participant_id, count(*) FROM responses GROUP BY 1"):
        counts[pid] += n
    return counts


def check_delivery(
    ledger: Ledger, scenario: str, bot: Bot, fakes: Fakes, label: str
) -> dict[str, Any]:
    """Every outbox row sent and seen at the fake; order per participant (replies among
    themselves, bulk among themselves: a reply may overtake a pending broadcast); at most
    twice."""
    rows = bot.query(
        "SELECT o.id, o.channel, o.status, o.provider_id, o.priority, o.prompt_id,"
        " a.address FROM outbox o LEFT JOIN addresses a ON a.participant_id = o.participant_id"
        " AND a.channel = o.channel ORDER BY o.id"
    )
    tg_ids = {f"{m['chat_id']}:{m['message_id']}" for m in fakes.bot_messages()}
    sms = fakes.sms_messages()
    sms_pos = {m["sid"]: i for i, m in enumerate(sms)}
    delivered = 0
    broadcast = broadcast_ok = 0
    per_address: dict[tuple[str, str, int], list[tuple[int, int]]] = {}
    for _id, channel, status, provider_id, priority, prompt_id, address in rows:
        seen = (
            status == "sent"
            and provider_id is not None
            and (provider_id in tg_ids if channel == "telegram" else provider_id in sms_pos)
        )
        delivered += seen
        if prompt_id is not None:
            broadcast += 1
            broadcast_ok += seen
        if seen and address is not None:
            pos = int(provider_id.split(":")[1]) if channel == "telegram" else sms_pos[provider_id]
            per_address.setdefault((channel, address, priority), []).append((_id, pos))
    ledger.add(scenario, f"{label}: outbox messages delivered", len(rows), delivered)
    if broadcast:
        ledger.add(scenario, f"{label}: broadcast rows delivered", broadcast, broadcast_ok)
    out_of_order = {
        (channel, address)
        for (channel, address, _), seq in per_address.items()
        if any(a[1] > b[1] for a, b in itertools.pairwise(seq))
    }
    people = {(channel, address) for channel, address, _ in per_address}
    ledger.add(
        scenario,
        f"{label}: delivered in order per participant",
        len(people),
        len(people - out_of_order),
        "replies in order, broadcasts in order",
    )
    texts: Counter[tuple[str, str]] = Counter()
    for c in fakes.tg_calls():
        if c["failed"] is None:
            texts[(str(c["params"].get("chat_id")), str(c["params"].get("text")))] += 1
    for m in sms:
        texts[(m["to"], m["body"])] += 1
    worst: dict[str, int] = {}
    for (who, _), n in texts.items():
        worst[who] = max(worst.get(who, 0), n)
    twice = sum(1 for n in texts.values() if n == 2)
    ledger.add(
        scenario,
        f"{label}: no participant got a message more than twice",
        len(worst),
        sum(1 for n in worst.values() if n <= 2),
        f"{twice} messages delivered twice",
    )
    return {"rows": len(rows), "delivered": delivered}


# --------------------------------------------------------------------------- 1: kills


async def scenario_kills(workdir: Path, sizes: Sizes, ledger: Ledger, seed: int = 1) -> None:
    rng = random.Random(seed)
    name = "kill -9"
    with rig(workdir, sizes) as (fakes, bot):
        bot.start()
        await bot.ready()
        sms = Sms(bot, deadline=sizes.settle)
        pushed: dict[int, tuple[int, str]] = {}
        scripts: dict[tuple[str, str], list[str]] = {}
        first_kill = asyncio.Event()

        async def participant(i: int) -> None:
            prng = random.Random(seed * 1000 + i)
            await asyncio.sleep(prng.uniform(0, sizes.stagger))
            telegram = i % 2 == 0
            script = ["/start" if telegram else "Hi", "yes", "2", "2", "2"]
            key = ("telegram", str(tg_user(i))) if telegram else ("sms", sms_number(i))
            scripts[key] = script
            for text in script:
                if telegram:
                    [update] = await asyncio.to_thread(
                        fakes.push, [{"user_id": tg_user(i), "text": text}]
                    )
                    pushed[int(update["update_id"])] = (tg_user(i), text)
                else:
                    await sms.send(sms_number(i), text)
                await asyncio.sleep(prng.uniform(*sizes.think))

        async def facilitator() -> None:
            await first_kill.wait()
            await asyncio.sleep(0.5 * sizes.stagger)
            [update] = await asyncio.to_thread(
                fakes.push,
                [{"user_id": FACILITATOR, "text": "/prompt What should the council fix first?"}],
            )
            pushed[int(update["update_id"])] = (FACILITATOR, "/prompt")

        async def killer() -> None:
            for _ in range(sizes.kills):
                await asyncio.sleep(rng.uniform(*sizes.kill_gap))
                bot.kill()
                first_kill.set()
                bot.start()
                await bot.ready()

        await asyncio.gather(
            killer(), facilitator(), *(participant(i) for i in range(sizes.participants))
        )
        settled = await settle(bot, fakes, sizes.settle)
        await sms.close()
        bot.stop()
        count_turns(ledger, name, bot, fakes, sms, pushed, scripts, settled)
        check_delivery(ledger, name, bot, fakes, f"{bot.kills} kills")


def count_turns(
    ledger: Ledger,
    name: str,
    bot: Bot,
    fakes: Fakes,
    sms: Sms,
    pushed: dict[int, tuple[int, str]],
    scripts: dict[tuple[str, str], list[str]],
    settled: bool,
) -> None:
    stored = stored_external_ids(bot)
    answered = [sid for sid, (_, _, status) in sms.sent.items() if status == 200]
    ledger.add(
        name,
        "SMS webhooks answered 200",
        len(sms.sent),
        len(answered),
        "retried while the bot was down",
    )
    ledger.add(
        name,
        "SMS webhooks answered 200: turn stored",
        len(answered),
        sum(1 for sid in answered if ("sms", sid) in stored),
    )
    handed = set(fakes.tg_state()["delivered_update_ids"])
    ledger.add(
        name,
        "Telegram updates: turn stored",
        len(pushed),
        sum(1 for u in pushed if ("telegram", str(u)) in stored),
        f"{len(set(pushed) & handed)} handed out by getUpdates; settled: {settled}",
    )
    # every stored message after the first (which joins) is one answer or one response
    ids = participant_ids(bot)
    counts = answer_counts(bot)
    by_key: dict[tuple[str, str], int] = Counter()
    for u, (user, _text) in pushed.items():
        if user != FACILITATOR and ("telegram", str(u)) in stored:
            by_key[("telegram", str(user))] += 1
    for sid in answered:
        if ("sms", sid) in stored:
            by_key[("sms", sms.sent[sid][0])] += 1
    tried = held = 0
    for key in scripts:
        expected = max(0, by_key.get(key, 0) - 1)
        got = counts.get(ids.get(key, ""), 0)
        tried += expected
        held += expected - abs(got - expected)
    ledger.add(name, "answers + responses stored exactly once", tried, held)


# --------------------------------------------------------------------------- 2: provider faults


async def scenario_provider_faults(
    workdir: Path, sizes: Sizes, ledger: Ledger, seed: int = 2
) -> None:
    name = "provider faults"
    with rig(workdir, sizes) as (fakes, bot):
        bot.start()
        await bot.ready()
        sms = Sms(bot, deadline=60)
        fakes.fault_rate(0.3, seed)
        started = time.monotonic()

        async def participant(i: int) -> None:
            prng = random.Random(seed * 1000 + i)
            telegram = i % 2 == 0
            script = ["/start" if telegram else "Hi", "yes", "2", "2", "2", "2"]
            gap = sizes.fault_period / (len(script) + 1)
            await asyncio.sleep(prng.uniform(0, gap))
            for text in script:
                if telegram:
                    await asyncio.to_thread(fakes.push, [{"user_id": tg_user(i), "text": text}])
                else:
                    await sms.send(sms_number(i), text)
                await asyncio.sleep(prng.uniform(0.5 * gap, 1.5 * gap))

        async def facilitator() -> None:
            await asyncio.sleep(sizes.fault_period / 3)
            await asyncio.to_thread(
                fakes.push, [{"user_id": FACILITATOR, "text": "/prompt Which road first?"}]
            )

        await asyncio.gather(
            facilitator(), *(participant(i) for i in range(sizes.fault_participants))
        )
        await asyncio.sleep(max(0.0, sizes.fault_period - (time.monotonic() - started)))
        fakes.fault_rate(0)
        period = time.monotonic() - started
        t0 = time.monotonic()
        settled = await settle(bot, fakes, sizes.fault_settle)
        drained = time.monotonic() - t0
        await sms.close()
        bot.stop()
        failed_tg = sum(1 for c in fakes.tg_calls() if c["failed"])
        failed_sms = sum(1 for a in fakes.sms_attempts() if a["fault"])
        label = f"30% faults for {period:.0f}s"
        ledger.add(
            name,
            f"{label}: SMS webhooks answered 200",
            len(sms.sent),
            sum(1 for _, _, s in sms.sent.values() if s == 200),
        )
        check_delivery(ledger, name, bot, fakes, label)
        ledger.checks[-1].note += (
            f"; {failed_tg} Telegram and {failed_sms} Twilio calls faulted;"
            f" drained {drained:.0f}s after the faults stopped (settled: {settled})"
        )


# --------------------------------------------------------------------------- 3: duplicates


async def scenario_duplicates(workdir: Path, sizes: Sizes, ledger: Ledger, seed: int = 3) -> None:
    name = "duplicates"
    rng = random.Random(seed)
    with rig(workdir, sizes) as (fakes, bot):
        bot.start()
        await bot.ready()
        sms = Sms(bot, deadline=60)
        distinct: dict[tuple[str, str], int] = Counter()
        """Distinct inbound messages per participant (each delivered 1-3 times)."""

        async def sms_times(number: str, text: str) -> None:
            sid = sms.next_sid()
            times = rng.randint(1, 3)
            await asyncio.gather(*(sms.send(number, text, sid) for _ in range(times)))
            distinct[("sms", number)] += 1

        async def tg_times(user: int, item: dict[str, Any]) -> None:
            item = {"user_id": user, **item, "repeat": rng.randint(1, 3)}
            await asyncio.to_thread(fakes.push, [item])
            distinct[("telegram", str(user))] += 1

        async def participant(i: int) -> None:
            telegram = i % 2 == 0
            for text in ["/start" if telegram else "Hi", "yes", "2", "2"]:
                if telegram:
                    await tg_times(tg_user(i), {"text": text})
                else:
                    await sms_times(sms_number(i), text)
                await asyncio.sleep(0.3)

        n = sizes.dup_participants
        await asyncio.gather(*(participant(i) for i in range(n)))
        await settle(bot, fakes, 60)
        # a facilitator's poll, delivered twice, then everyone votes (1-3 times)
        await asyncio.to_thread(
            fakes.push,
            [
                {
                    "user_id": FACILITATOR,
                    "text": "/poll Which first? | Borehole | Road | Clinic",
                    "repeat": 2,
                }
            ],
        )
        await settle(bot, fakes, 60)
        polls = [p for (p,) in bot.query("SELECT id FROM prompts WHERE kind = 'poll' ORDER BY id")]
        ledger.add(
            name,
            "facilitator's /poll delivered twice: applied once",
            1,
            1 if len(polls) == 1 else 0,
            f"{len(polls)} polls created",
        )
        messages = await asyncio.to_thread(fakes.bot_messages)
        voters = 0
        for i in range(n):
            if i % 2 == 0:
                keyboards = [
                    m for m in messages
                    if m["chat_id"] == tg_user(i) and "p:" in json.dumps(m.get("reply_markup"))
                ]  # fmt: skip
                if not keyboards:
                    continue
                m = keyboards[0]
                buttons = [
                    b["callback_data"] for row in m["reply_markup"]["inline_keyboard"] for b in row
                ]
                data = next(b for b in buttons if b.startswith("p:") and b.endswith(":1"))
                await tg_times(tg_user(i), {"data": data, "message_id": m["message_id"]})
            else:
                await sms_times(sms_number(i), "2")
            voters += 1
        await settle(bot, fakes, 60)
        await sms.close()
        bot.stop()
        stored = bot.scalar("SELECT count(*) FROM inbound")
        expected_inbound = sum(distinct.values()) + 1  # and the /poll
        ledger.add(
            name,
            "inbound delivered 1-3 times: logged once",
            expected_inbound,
            min(stored, expected_inbound) - abs(stored - expected_inbound),
        )
        ids = participant_ids(bot)
        answers = dict(bot.query("SELECT participant_id, count(*) FROM answers GROUP BY 1"))
        tried = held = 0
        for i in range(n):
            key = ("telegram", str(tg_user(i))) if i % 2 == 0 else ("sms", sms_number(i))
            got = answers.get(ids.get(key, ""), 0)
            tried += 3  # consent and two answers
            held += 3 - abs(got - 3)
        ledger.add(name, "answers counted once", tried, held)
        votes = dict(bot.query("SELECT participant_id, count(*) FROM responses GROUP BY 1"))
        thanks = Counter(
            pid for (pid, payload) in bot.query("SELECT participant_id, payload FROM outbox")
            if json.loads(payload)["text"].startswith("Thank you! Your vote")
        )  # fmt: skip
        ok = sum(1 for pid in votes if votes[pid] == 1 and thanks[pid] == 1)
        ledger.add(
            name,
            "votes counted once (one response, one thanks)",
            voters,
            ok,
            f"{sum(votes.values())} responses stored",
        )


# --------------------------------------------------------------------------- 4: hostile input


def scenario_hostile(workdir: Path, sizes: Sizes, ledger: Ledger) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    name = "hostile input"
    with rig(
        workdir,
        sizes,
        telegram_mode="webhook",
        telegram_webhook_secret=WEBHOOK_SECRET,
        public_base_url=PUBLIC,
    ) as (_fakes, bot):
        bot.start()
        asyncio.run(bot.ready())
        http = httpx.Client(base_url=bot.url, timeout=HTTP)
        url = PUBLIC + "/sms/inbound"
        good = RequestValidator(AUTH)
        update_ids = iter(range(10_000, 10**9))
        hostile_numbers = iter(sms_number(900_000 + i) for i in range(100_000))
        results: dict[str, list[bool]] = {}

        def record(kind: str, ok: bool) -> None:
            results.setdefault(kind, []).append(ok)

        def sms_post(
            body: bytes | str,
            signature: str | None,
            content_type: str = "application/x-www-form-urlencoded",
        ) -> int:
            headers = {"Content-Type": content_type}
            if signature is not None:
                headers["X-Twilio-Signature"] = signature
            return http.post("/sms/inbound", content=body, headers=headers).status_code

        def signed(
            params: dict[str, str], validator: RequestValidator = good, sign_url: str = url
        ) -> tuple[str, str]:
            return urlencode(params), validator.compute_signature(sign_url, params)

        sid = iter(f"SMX{i:030x}" for i in range(1, 10**6))
        refused_sids: list[str] = []
        refused_numbers: list[str] = []

        def hostile_sms(kind: str, expected: int, make: Any) -> None:
            number, s = next(hostile_numbers), next(sid)
            refused_numbers.append(number)
            refused_sids.append(s)
            status = make(webhook(s, number, "yes"))
            record(f"SMS {kind} -> {expected}", status == expected)

        for _ in range(3):
            hostile_sms(
                "forged signature",
                403,
                lambda p: sms_post(urlencode(p), base64.b64encode(os.urandom(20)).decode()),
            )
            hostile_sms("missing signature", 403, lambda p: sms_post(urlencode(p), None))
            hostile_sms("empty signature", 403, lambda p: sms_post(urlencode(p), ""))
            hostile_sms(
                "stale signature (body changed after signing)",
                403,
                lambda p: sms_post(urlencode({**p, "Body": "STOP"}), signed(p)[1]),
            )
            hostile_sms(
                "signature by another auth token",
                403,
                lambda p: sms_post(*signed(p, RequestValidator("old-token"))),
            )
            hostile_sms(
                "signature over another URL",
                403,
                lambda p: sms_post(*signed(p, sign_url="http://127.0.0.1/sms/inbound")),
            )
            hostile_sms(
                "oversized body", 413, lambda p: sms_post(*signed({**p, "Body": "x" * 70_000}))
            )
            hostile_sms(
                "field added after signing",
                403,
                lambda p: sms_post(urlencode(p) + "&%zz=%", signed(p)[1]),
            )
            hostile_sms(
                "malformed form (a field without =)",
                400,
                lambda p: sms_post(urlencode(p) + "&garbage", signed(p)[1]),
            )
            hostile_sms(
                "malformed form (not UTF-8)",
                400,
                lambda p: sms_post(urlencode(p).encode() + b"&Body=%FF%FE\xff", signed(p)[1]),
            )
            hostile_sms(
                "JSON instead of a form",
                400,
                lambda p: sms_post(json.dumps(p), signed(p)[1], "application/json"),
            )
            hostile_sms(
                "signed, MessageSid missing",
                400,
                lambda p: sms_post(
                    *signed({k: v for k, v in p.items() if "Sid" not in k or k == "AccountSid"})
                ),
            )
            hostile_sms(
                "signed, From not a phone number",
                400,
                lambda p: sms_post(*signed({**p, "From": "'; DROP TABLE participants; --"})),
            )

        def tg_post(body: bytes | str, secret: str | None) -> int:
            headers = {"Content-Type": "application/json"}
            if secret is not None:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            return http.post("/telegram/webhook", content=body, headers=headers).status_code

        def tg_update(user: int, text: str) -> dict[str, Any]:
            u = next(update_ids)
            return {
                "update_id": u,
                "message": {
                    "message_id": u, "date": int(time.time()), "text": text,
                    "from": {"id": user, "is_bot": False, "first_name": "Eve", "language_code": "en"},
                    "chat": {"id": user, "type": "private", "first_name": "Eve"},
                    **({"entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]} if text.startswith("/") else {}),
                },
            }  # fmt: skip

        refused_updates: list[int] = []
        eve = 777_000
        for _ in range(3):
            for kind, expected, body, secret in [
                ("wrong secret token", 403, None, "wrong-secret"),
                ("missing secret token", 403, None, None),
                ("malformed JSON", 400, "{not json", WEBHOOK_SECRET),
                ("JSON not an object", 400, "[1, 2, 3]", WEBHOOK_SECRET),
                ("oversized body", 413, "x", WEBHOOK_SECRET),
            ]:
                update = tg_update(eve, "yes")
                refused_updates.append(update["update_id"])
                if body == "x":
                    update["message"]["text"] = "x" * 70_000
                payload = json.dumps(update) if body is None or body == "x" else body
                status = tg_post(payload, secret)
                record(f"Telegram webhook {kind} -> {expected}", status == expected)

        # non-facilitators: refused, a notice back, nothing created
        mallory_tg, mallory_sms = 888_000, sms_number(800_000)
        commands = [
            "/prompt Vote for me",
            "/poll Q | A | B",
            "/close",
            "/results",
            "/share",
            "/dashboard",
            "/export",
            "/facilitators",
        ]
        for command in commands:
            status = tg_post(json.dumps(tg_update(mallory_tg, command)), WEBHOOK_SECRET)
            record("non-facilitator command over Telegram -> 200, refused", status == 200)
            status = sms_post(*signed(webhook(next(sid), mallory_sms, command)))
            record("non-facilitator command over SMS -> 200, refused", status == 200)

        # hypothesis: any text at every step of the flow, over both channels
        statuses: Counter[int] = Counter()
        walkers = iter(range(1, 10**6))

        @settings(
            max_examples=sizes.fuzz_examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(st.lists(st.text(max_size=300), min_size=6, max_size=6), st.booleans())
        def walk(texts: list[str], telegram: bool) -> None:
            k = next(walkers)
            script = [
                "/start" if telegram else "Hi",
                texts[0],
                "yes",
                texts[1],
                "2",
                texts[2],
                "2",
                texts[3],
                "2",
                texts[4],
                "2",
                texts[5],
            ]
            for text in script:
                if telegram:
                    status = tg_post(
                        json.dumps(tg_update(tg_user(500_000 + k), text)), WEBHOOK_SECRET
                    )
                else:
                    status = sms_post(*signed(webhook(next(sid), sms_number(500_000 + k), text)))
                statuses[status] += 1

        walk()
        alive = http.get("/healthz").status_code == 200
        http.close()
        time.sleep(1.0)
        bot.stop()

        for kind, oks in results.items():
            ledger.add(name, kind, len(oks), sum(oks))
        fuzz_total = sum(statuses.values())
        ledger.add(
            name,
            f"hypothesis text at every step ({sizes.fuzz_examples} walks): answered 200",
            fuzz_total,
            statuses.get(200, 0),
            f"statuses {dict(statuses)}; alive after: {alive}",
        )
        # nothing stored that should not be
        stored = stored_external_ids(bot)
        addresses = participant_ids(bot)
        leaked = [s for s in refused_sids if ("sms", s) in stored]
        leaked += [str(u) for u in refused_updates if ("telegram", str(u)) in stored]
        leaked += [n for n in refused_numbers if ("sms", n) in addresses]
        leaked += ["eve"] if ("telegram", str(eve)) in addresses else []
        ledger.add(
            name,
            "refused requests: nothing stored",
            len(refused_sids) + len(refused_updates),
            len(refused_sids) + len(refused_updates) - len(leaked),
        )
        created = bot.scalar("SELECT count(*) FROM prompts")
        exports = list((workdir / "files").glob("*")) if (workdir / "files").exists() else []
        refusals = sum(
            1 for (address, payload) in bot.query("SELECT a.address, o.payload FROM outbox o LEFT JOIN addresses a ON a.participant_id = o.participant_id")
            if "facilitator" in json.loads(payload)["text"].lower()
        )  # fmt: skip
        ledger.add(
            name,
            "non-facilitators' commands: nothing created",
            len(commands) * 2,
            len(commands) * 2 if created == 0 and not exports else 0,
            f"{created} prompts, {len(exports)} files; {refusals} refusal notices queued",
        )
        unconsented = bot.scalar(
            "SELECT count(*) FROM answers a JOIN participants p ON p.id = a.participant_id"
            " WHERE p.consented_at IS NULL AND a.step_id != 'consent'"
        )
        profiles = bot.scalar(
            "SELECT count(*) FROM participants WHERE consented_at IS NULL AND profile != '{}'"
        )
        ledger.add(
            name,
            "no answer or profile kept without consent",
            1,
            1 if unconsented == 0 and profiles == 0 else 0,
            f"{unconsented} answers, {profiles} profiles",
        )
        crashes = [x for x in bot.errors() if "Traceback" in x or " ERROR " in x]
        ledger.add(
            name,
            "no crash (no ERROR or traceback in the bot's log)",
            1,
            0 if crashes else 1,
            crashes[0][:80] if crashes else "",
        )


# --------------------------------------------------------------------------- main


def run_all(sizes: Sizes, only: set[str] | None = None, keep: bool = False) -> Ledger:
    ledger = Ledger()
    scenarios = {
        "kills": lambda w: asyncio.run(scenario_kills(w, sizes, ledger)),
        "provider_faults": lambda w: asyncio.run(scenario_provider_faults(w, sizes, ledger)),
        "duplicates": lambda w: asyncio.run(scenario_duplicates(w, sizes, ledger)),
        "hostile": lambda w: scenario_hostile(w, sizes, ledger),
    }
    for key, run in scenarios.items():
        if only and key not in only:
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

    parser = argparse.ArgumentParser(prog="python -m tests.faults_rig")
    parser.add_argument("--short", action="store_true", help="the short form (as in make test)")
    parser.add_argument("--only", help="comma-separated: kills,provider_faults,duplicates,hostile")
    parser.add_argument("--keep", action="store_true", help="keep the work folders (logs, SQLite)")
    args = parser.parse_args()
    sizes = SHORT if args.short else FULL
    ledger = run_all(sizes, set(args.only.split(",")) if args.only else None, args.keep)
    print()
    print(ledger.table())
    lost = sum(c.lost for c in ledger.checks)
    print(f"\n{len(ledger.checks)} checks, {lost} lost")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
