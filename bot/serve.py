"""`baraza run`: with providers, their channels, senders and the web app (webhooks and the
organisers' pages) until stopped; with none, the console channel beside the pages."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import logging
import signal
import socket
import sys
from collections.abc import Callable, Coroutine, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import uvicorn
from starlette.routing import BaseRoute

from bot.channels import Channel
from bot.config import ConfigError, Settings
from bot.delivery import Sender
from bot.dialogues import Dialogue
from bot.roles import Role, holding
from bot.runtime import Content, open_runner
from bot.scheduler import Scheduler
from bot.turns import TurnRunner
from bot.web import build_app
from bot.web.login import secure_cookie

log = logging.getLogger(__name__)
SENDER_GRACE = 15.0


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (not on Windows), else asyncio's own.

    Measured on bench 2 (signed SMS webhooks, `baraza run` on 2 cores): the same rate at
    saturation, but at 70% of it the median webhook answered in 5-8 ms instead of 38-45
    ms, and the p99 fell by a third (less of the event loop's own time per request)."""
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def settle_heap() -> None:
    """Leave what start-up loaded (libraries, flows, texts) out of the garbage collector's
    full collections from now on (`gc.freeze`).

    Those objects live as long as the process; scanning them is most of what a full
    collection costs, and under load one came every second or so and stopped every turn
    and every webhook for about 50 ms (measured on bench 2: the p99 of webhooks)."""
    gc.collect()
    gc.freeze()


def make_channels(settings: Settings, runner: TurnRunner) -> list[Channel]:
    """Every channel configured in the settings (SMS and WhatsApp share Twilio's webhooks)."""
    channels: list[Channel] = []
    if settings.telegram_enabled:
        from bot.channels.telegram import TelegramChannel

        channels.append(TelegramChannel(settings, runner))
    if settings.twilio_enabled or settings.whatsapp_enabled:
        from bot.channels.sms.channel import SmsChannel
        from bot.channels.sms.webhook import TwilioWebhooks
        from bot.channels.whatsapp.channel import WhatsAppChannel

        webhooks = TwilioWebhooks(settings, runner)
        if settings.twilio_enabled:
            channels.append(SmsChannel(settings, runner, webhooks=webhooks))
        if settings.whatsapp_enabled:
            channels.append(WhatsAppChannel(settings, runner, webhooks=webhooks))
    return channels


def quiet_dialogues(dialogues: Mapping[str, Dialogue], now: float) -> list[str]:
    """Dialogues in their quiet hours at `now`: their bulk messages wait."""
    at = datetime.fromtimestamp(now, UTC)
    return [code for code, d in dialogues.items() if d.is_quiet(at)]


def web_pages(settings: Settings, runner: TurnRunner) -> list[BaseRoute]:
    """The organisers' read-only pages (`/web/...`), behind the links `/web` gives."""
    from bot.facilitator.commands import Facilitation
    from bot.web.site import Site

    if not isinstance(runner.commands, Facilitation):
        return []
    site = Site(
        runner.commands,
        flows=runner.flows,
        secure=secure_cookie(settings),
        default_language=settings.default_language,
    )
    return site.routes()


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signals to its host (the console's Ctrl-C)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_console(settings: Settings, content: Content, name: str) -> int:
    """No provider configured: the console channel in this terminal, and the web app on
    HTTP_HOST:HTTP_PORT, so that `/web` in the console opens the organisers' pages. If
    that port is taken, the console runs alone."""
    from bot.channels.console.chat import Console

    runner = await open_runner(settings, content)  # first: an unusable file is the news
    print("No Telegram or Twilio settings in .env: running the console channel.", file=sys.stderr)
    server: uvicorn.Server | None = None
    web: asyncio.Task[None] | None = None
    try:
        sock = listen(settings)
    except ConfigError as exc:
        print(f"Web pages not served ({exc}); the console runs alone.", file=sys.stderr)
    else:
        server = _QuietServer(
            uvicorn.Config(
                build_app(web_pages(settings, runner)),
                log_level="warning",
                access_log=False,
                lifespan="off",
            )
        )
        web = asyncio.create_task(server.serve(sockets=[sock]), name="web")
        print(
            f"Web pages on http://{settings.http_host}:{settings.http_port}/web/"
            " (send /web as a facilitator for a link).",
            file=sys.stderr,
        )
    try:
        await Console(runner, name).run()
    finally:
        if server is not None and web is not None:
            server.should_exit = True
            await asyncio.wait_for(web, SENDER_GRACE)
            sock.close()
        await runner.db.close()
    return 0


def listen(settings: Settings) -> socket.socket:
    """The web app's listening socket, bound before anything starts: a taken port or a
    wrong host is a ConfigError, not a server that runs deaf."""
    host, port = settings.http_host, settings.http_port
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise ConfigError(
            f"HTTP_HOST: {host!r} is not an address of this machine ({exc.strerror}); "
            "set HTTP_HOST to 127.0.0.1, or 0.0.0.0 for every interface"
        ) from exc
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            problem = (
                f"HTTP_PORT: port {port} on {host} is in use by another program; "
                "stop it, or set HTTP_PORT to a free port"
            )
        elif exc.errno == errno.EACCES:
            problem = (
                f"HTTP_PORT: port {port} needs privileges this user does not have; "
                "set HTTP_PORT above 1023 (with a proxy in front)"
            )
        elif exc.errno == errno.EADDRNOTAVAIL:
            problem = (
                f"HTTP_HOST: {host} is not an address of this machine; "
                "set HTTP_HOST to 127.0.0.1, or 0.0.0.0 for every interface"
            )
        else:
            problem = (
                f"HTTP_HOST/HTTP_PORT: cannot listen on {host}:{port} ({exc.strerror}); "
                "check both settings"
            )
        raise ConfigError(problem) from exc
    return sock


async def serve(settings: Settings, content: Content, stop: asyncio.Event | None = None) -> int:
    sock = listen(settings)
    try:
        return await _serve(settings, content, stop, sock)
    finally:
        sock.close()


async def _serve(
    settings: Settings, content: Content, stop: asyncio.Event | None, sock: socket.socket
) -> int:
    """Start-up in order, shutdown in reverse, in one AsyncExitStack: the database; each
    channel with its Sender (on stop the Sender finishes the sends in hand and records
    them, then the channel disconnects); the scheduler; the web app (stopped first, so no
    webhook arrives while the rest stops)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with contextlib.AsyncExitStack() as stack:
        runner = await open_runner(settings, content)
        stack.push_async_callback(runner.db.close)
        channels = make_channels(settings, runner)
        routes: dict[str, BaseRoute] = {}
        for channel in channels:
            sender = Sender(
                runner.db,
                channel.transport,
                channel.limits,
                doorbell=runner.doorbell,
                hold=partial(quiet_dialogues, runner.dialogues),
                grace=SENDER_GRACE,
            )
            await channel.start(sender)
            stack.push_async_callback(channel.stop)
            # One sender per channel among all processes sharing the database (bot/roles.py).
            role = Role(runner.db, f"sender:{channel.name}", sender.run, sender.request_stop)
            await stack.enter_async_context(holding(role, SENDER_GRACE))
            for route in channel.routes():  # Twilio's webhooks serve SMS and WhatsApp
                routes.setdefault(getattr(route, "path", repr(route)), route)
        scheduler = Scheduler(
            runner,
            retention=timedelta(days=settings.retention_days),
            files_dir=settings.files_dir,
        )
        stack.enter_context(
            _running(Role(runner.db, "scheduler", scheduler.run).hold(), "scheduler")
        )
        # Always served: the webhooks of the channels that use them, and the pages.
        server = uvicorn.Server(
            uvicorn.Config(
                build_app([*routes.values(), *web_pages(settings, runner)]),
                log_level="warning",
                access_log=False,
                lifespan="off",
            )
        )
        settle_heap()
        stack.callback(gc.unfreeze)  # collectable again once stopped (tests serve in-process)
        web = asyncio.create_task(server.serve(sockets=[sock]), name="web")
        web.add_done_callback(lambda _: stop.set())  # the web app ending stops all
        stack.push_async_callback(_stop_web, server, web)
        log.info("web app on http://%s:%d", settings.http_host, settings.http_port)
        log.info("serving: %s", ", ".join(c.name for c in channels))
        await stop.wait()
        if web.done() and not server.should_exit:
            raise ConfigError(
                f"the web app on {settings.http_host}:{settings.http_port} stopped "
                f"({_ended(web)}); see the log above"
            )
    return 0


@contextlib.contextmanager
def _running(coro: Coroutine[Any, Any, None], name: str) -> Iterator[asyncio.Task[None]]:
    """A background task, cancelled on the way out."""
    task = asyncio.create_task(coro, name=name)
    try:
        yield task
    finally:
        task.cancel()


async def _stop_web(server: uvicorn.Server, web: asyncio.Task[None]) -> None:
    """uvicorn closes its sockets itself once told to exit."""
    server.should_exit = True
    try:
        await asyncio.wait_for(web, SENDER_GRACE)
    except TimeoutError:
        log.warning("the web app did not stop in %ss", SENDER_GRACE)


def _ended(task: asyncio.Task[None]) -> str:
    if task.cancelled():
        return "cancelled"
    exc = task.exception()
    return f"{type(exc).__name__}: {exc}" if exc is not None else "no error given"
