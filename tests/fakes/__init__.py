"""Local HTTP fakes of the services Baraza talks to, for tests and manual tryouts.

* :class:`tests.fakes.telegram_api.FakeBotApi` - the Telegram Bot API.
* :class:`tests.fakes.twilio_api.FakeTwilioApi` - Twilio's REST Messages API.

Both are Starlette apps served by uvicorn on 127.0.0.1 (a free port unless one is given),
used as async context managers from the test's own event loop::

    async with FakeBotApi() as api:
        bot = telegram.Bot("123:ABC", base_url=api.base_url)

or run standalone (``python -m tests.fakes.telegram_api --port 8081``) with a small
``/_control/...`` HTTP API.

This module holds the shared machinery: serving, waiting and fault injection.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

import uvicorn
from starlette.applications import Starlette

if TYPE_CHECKING:
    from .telegram_api import FakeBotApi
    from .twilio_api import FakeTwilioApi

__all__ = ["FakeBotApi", "FakeServer", "FakeTwilioApi", "FaultPlan"]

HOST = "127.0.0.1"


def __getattr__(name: str) -> Any:
    # Lazy re-exports: importing the submodules here eagerly would make
    # ``python -m tests.fakes.telegram_api`` import the module twice (and warn).
    if name == "FakeBotApi":
        from .telegram_api import FakeBotApi

        return FakeBotApi
    if name == "FakeTwilioApi":
        from .twilio_api import FakeTwilioApi

        return FakeTwilioApi
    raise AttributeError(name)


class _InProcessServer(uvicorn.Server):
    """A uvicorn server that leaves the host process's signal handlers alone."""

    def capture_signals(self) -> contextlib.AbstractContextManager[None]:  # type: ignore[override]
        return contextlib.nullcontext()


def bind_loopback(port: int = 0) -> socket.socket:
    """A listening TCP socket on 127.0.0.1 (port 0 = a free port chosen by the OS).

    Made with IPPROTO_TCP named: asyncio turns Nagle's algorithm off (TCP_NODELAY) only
    on sockets whose `proto` says TCP, and with proto 0 every response whose headers and
    body go out in two writes waited 40 ms for the client's delayed ACK."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


@dataclass
class _Rule:
    kind: str
    remaining: int
    match: Callable[[dict[str, Any]], bool]
    extra: dict[str, Any]


class FaultPlan:
    """One-shot faults (``fail_next``) and a seeded random fault rate."""

    def __init__(self) -> None:
        self._rules: list[_Rule] = []
        self.rate = 0.0
        self.rate_kinds: tuple[str, ...] = ()
        self.rate_extra: dict[str, Any] = {}
        self._rng = random.Random(0)

    def add(
        self, kind: str, times: int, match: Callable[[dict[str, Any]], bool], **extra: Any
    ) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        self._rules.append(_Rule(kind, times, match, extra))

    def set_rate(self, rate: float, kinds: Iterable[str], seed: int, **extra: Any) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        self.rate = rate
        self.rate_kinds = tuple(kinds)
        if rate and not self.rate_kinds:
            raise ValueError("kinds must not be empty")
        self.rate_extra = extra
        self._rng = random.Random(seed)

    def clear(self) -> None:
        self._rules.clear()
        self.rate = 0.0

    def take(
        self, info: dict[str, Any], *, rate_applies: bool
    ) -> tuple[str, dict[str, Any]] | None:
        """The fault for this request, if any (consumes one use of a one-shot rule)."""
        for rule in self._rules:
            if rule.match(info):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._rules.remove(rule)
                return rule.kind, rule.extra
        if rate_applies and self.rate and self._rng.random() < self.rate:
            return self._rng.choice(self.rate_kinds), self.rate_extra
        return None


class FakeServer:
    """Base class: serves :meth:`build_app` with uvicorn on 127.0.0.1.

    ``async with`` starts it on the running loop and stops it cleanly; requests that
    "hang" or long-poll are released at shutdown.
    """

    #: how long a "hang" fault holds a request (released early at shutdown)
    hang_seconds: float = 60.0
    name = "fake"

    def __init__(self, port: int = 0) -> None:
        self._requested_port = port
        self.port: int | None = None
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing: asyncio.Event | None = None
        self._waiters: set[asyncio.Event] = set()
        self.app: Starlette = self.build_app()

    # -- to override -------------------------------------------------------------------
    def build_app(self) -> Starlette:
        raise NotImplementedError

    # -- addresses ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (only valid once started)."""
        if self.port is None:
            raise RuntimeError(f"{type(self).__name__} is not running")
        return f"http://{HOST}:{self.port}"

    # -- lifecycle ---------------------------------------------------------------------
    def _config(self, *, in_process: bool) -> uvicorn.Config:
        return uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            # In-process: do not reconfigure the host's logging (pytest's caplog etc.).
            log_config=None if in_process else uvicorn.config.LOGGING_CONFIG,
            lifespan="off",
            http="h11",
            ws="none",
            timeout_graceful_shutdown=3,
        )

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError(f"{type(self).__name__} already started")
        self._closing = asyncio.Event()
        sock = bind_loopback(self._requested_port)
        self.port = sock.getsockname()[1]
        server = _InProcessServer(self._config(in_process=True))
        self._server = server
        task = asyncio.create_task(server.serve(sockets=[sock]), name=f"{self.name}-server")
        self._task = task
        try:
            while not server.started:
                if task.done():
                    await task  # startup failed: surface its error
                    raise RuntimeError(f"{type(self).__name__} did not start")
                await asyncio.sleep(0.005)
        except BaseException:
            if task.done():
                self._task = self._server = None
            else:
                await self.stop()
            sock.close()
            raise

    async def stop(self) -> None:
        """Stop serving: release hanging/long-polling requests, close every connection."""
        task, server = self._task, self._server
        if task is None or server is None:
            return
        if self._closing is not None:
            self._closing.set()
        self._notify()
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=5)
        except TimeoutError:
            server.force_exit = True
            await asyncio.wait_for(task, timeout=5)
        finally:
            self._task = None
            self._server = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def serve_forever(self, port: int, banner: Callable[[], str]) -> None:
        """Standalone mode: serve until the process gets SIGINT/SIGTERM."""
        self._closing = asyncio.Event()
        sock = bind_loopback(port)
        self.port = sock.getsockname()[1]
        server = uvicorn.Server(self._config(in_process=False))
        print(banner(), flush=True)
        try:
            await server.serve(sockets=[sock])
        finally:
            sock.close()

    # -- helpers for subclasses ----------------------------------------------------------
    @property
    def closing(self) -> bool:
        return self._closing is not None and self._closing.is_set()

    def _notify(self) -> None:
        """Wake everyone waiting in :meth:`_wait_until` to re-check their condition."""
        for ev in self._waiters:
            ev.set()

    async def _wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``predicate()`` is true (re-checked on every :meth:`_notify`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0 or self.closing:
                return predicate()
            ev = asyncio.Event()
            self._waiters.add(ev)
            try:
                await asyncio.wait_for(ev.wait(), remaining)
            except TimeoutError:
                pass
            finally:
                self._waiters.discard(ev)
        return True

    async def _hang(self) -> None:
        """Hold a request for :attr:`hang_seconds` or until shutdown."""
        if self._closing is None:
            await asyncio.sleep(self.hang_seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), self.hang_seconds)


def run_standalone(fake: FakeServer, port: int, banner: Callable[[], str]) -> None:
    """Entry point for ``python -m tests.fakes.<module> --port N``."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(fake.serve_forever(port, banner))
