"""The rig: `baraza run` as a subprocess against the fakes in another process
(faults/fakes.py), and simulated participants over Telegram and signed SMS webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from twilio.request_validator import RequestValidator

from bench.common import env_for, free_port, settings_values
from faults.sizes import Sizes

ROOT = Path(__file__).resolve().parent.parent

TOKEN = "123456:FAULTS"
ACCOUNT = "AC" + "f" * 32
AUTH = "faults-secret"
FROM = "+15005550006"
FACILITATOR = 1
WEBHOOK_SECRET = "right-secret"
PUBLIC = "https://baraza.test"
HTTP = httpx.Timeout(30.0, connect=5.0)


# --------------------------------------------------------------------------- processes


def _kill_group(proc: subprocess.Popen[Any], sig: int) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)


class Fakes:
    """The fake Bot API and fake Twilio API in their own process (faults/fakes.py)."""

    def __init__(self, workdir: Path) -> None:
        self.log = (workdir / "fakes.log").open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "faults.fakes"],
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
            **{
                "twilio_mps": sizes.twilio_mps,
                "http_host": "127.0.0.1",
                "http_port": self.port,
                "facilitators": f"telegram:{FACILITATOR}",
                **overrides,
            },
        )
        self.database = str(values.get("database_url") or values["database_path"])
        self.env = env_for(values)
        self.proc: subprocess.Popen[Any] | None = None
        self.starts = 0
        self.kills = 0
        self.url = f"http://127.0.0.1:{self.port}"
        self.lives: list[tuple[int, float, float | None]] = []
        """(pid, started, ended) of each process this Bot ran (time.time())."""

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
        self.lives.append((self.proc.pid, time.time(), None))

    def _ended(self) -> None:
        if self.lives and self.lives[-1][2] is None:
            pid, started, _ = self.lives[-1]
            self.lives[-1] = (pid, started, time.time())

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
            self._ended()

    def stop(self) -> None:
        if self.proc is None:
            return
        _kill_group(self.proc, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            _kill_group(self.proc, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._ended()

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
        """One query on the bot's database (SQLite or PostgreSQL)."""
        from tests.sql import rows

        return rows(self.database, sql, params)

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

    def targets(self) -> Iterator[str]:
        """The bot each try goes to (here always the one)."""
        while True:
            yield self.bot.url

    async def send(self, number: str, body: str, sid: str | None = None) -> int:
        sid = sid or self.next_sid()
        params = webhook(sid, number, body)
        signature = self.validator.compute_signature(self.url, params)
        headers = {"X-Twilio-Signature": signature}
        status = 0
        give_up = time.monotonic() + self.deadline
        targets = self.targets()
        while time.monotonic() < give_up:
            try:
                r = await self.client.post(
                    f"{next(targets)}/sms/inbound", data=params, headers=headers
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


class Crowd:
    """Participants answering the same script, half over Telegram (even ones), half by
    SMS: what they pushed and what each was scripted to say, for `count_turns`."""

    def __init__(self, fakes: Fakes, sms: Sms, seed: int, sizes: Sizes, stagger: float) -> None:
        self.fakes = fakes
        self.sms = sms
        self.seed = seed
        self.think = sizes.think
        self.stagger = stagger
        self.pushed: dict[int, tuple[int, str]] = {}
        self.scripts: dict[tuple[str, str], list[str]] = {}

    async def participant(self, i: int) -> None:
        prng = random.Random(self.seed * 1000 + i)
        await asyncio.sleep(prng.uniform(0, self.stagger))
        telegram = i % 2 == 0
        script = ["/start" if telegram else "Hi", "yes", "2", "2", "2"]
        key = ("telegram", str(tg_user(i))) if telegram else ("sms", sms_number(i))
        self.scripts[key] = script
        for text in script:
            if telegram:
                [update] = await asyncio.to_thread(
                    self.fakes.push, [{"user_id": tg_user(i), "text": text}]
                )
                self.pushed[int(update["update_id"])] = (tg_user(i), text)
            else:
                await self.sms.send(sms_number(i), text)
            await asyncio.sleep(prng.uniform(*self.think))
