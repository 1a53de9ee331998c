"""Bench 1: turns per second through the Telegram adapter, and bench 5's memory figure.

Bot API requests are answered in-process by `CannedRequest` (no HTTP). Three systems on
the same updates:

* ``baraza``: Baraza's `TelegramChannel.process` (what polling and the webhook call for
  each update) on the real turn runner and a real SQLite file; a turn is done when it is
  committed (its replies are outbox rows; the Sender, which is not measured here, sends
  them).
* ``bare``: a PTB application (`Application.process_update`) whose only handler replies
  (``reply_text``): the ceiling.
* ``conversation``: the same four-question survey as PTB's ``conversationbot.py`` example
  writes it: a ``ConversationHandler`` with ``PicklePersistence``, replying in-handler.

One system per process: ``python -m bench.tg_turns --system baraza --population 1000
--turns 5000 --workdir DIR`` prints one JSON line (rate, peak RSS). The population is
seeded beforehand (`bench.common.seed_survey_population`, or a pickle file here).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import pickle
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.request import BaseRequest, RequestData

from bench.common import (
    FIRST_USER,
    SURVEY_ANSWERS,
    TOKEN,
    make_settings,
    query,
    turn_schedule,
    vm_hwm_kb,
)

BOT_USER: dict[str, Any] = {"id": 999, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
AnyApp = Application[Any, Any, Any, Any, Any, Any]
PERSISTENCE_INTERVAL = 60.0
"""PicklePersistence's default `update_interval`, seconds."""
Context = ContextTypes.DEFAULT_TYPE
Process = Callable[[Update], Awaitable[Any]]


class CannedRequest(BaseRequest):
    """Answers every Bot API method in-process with canned JSON (no network)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._message_id = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        self.calls[name] += 1
        params = request_data.parameters if request_data is not None else {}
        result: Any = True
        if name == "getMe":
            result = BOT_USER
        elif name.startswith("send"):
            self._message_id += 1
            raw_chat_id = params.get("chat_id", 0)
            assert isinstance(raw_chat_id, int | str)  # an int, or its str
            chat_id = int(raw_chat_id)
            result = {
                "message_id": self._message_id,
                "from": BOT_USER,
                "chat": {"id": chat_id, "type": "private"},
                "date": int(time.time()),
                "text": str(params.get("text", "")),
            }
        elif name == "getUpdates":
            result = []
        return 200, json.dumps({"ok": True, "result": result}).encode()


def build(request: CannedRequest, persistence: Any = None) -> AnyApp:
    builder = Application.builder().token(TOKEN).request(request).updater(None)
    if persistence is not None:
        builder = builder.persistence(persistence)
    return builder.build()


def update_json(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Ada", "language_code": "en"}
    message = {
        "message_id": update_id,
        "from": user,
        "chat": {"id": user_id, "type": "private", "first_name": "Ada"},
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


# --------------------------------------------------------------------------- the systems


async def bare_app() -> AnyApp:
    app = build(CannedRequest())

    async def reply(update: Update, context: Context) -> None:
        assert update.message is not None
        await update.message.reply_text("ok")

    app.add_handler(MessageHandler(filters.TEXT, reply))
    return app


CONCERN, SECTOR, URGENCY, IDEA = range(4)
QUESTIONS = (
    "What is your main concern?",
    "Which sector are you in?\n1 Community\n2 Government\n3 Business",
    "How urgent is it? (1=Can wait, 5=Very urgent)",
    "What would you do about it?",
)


def conversation_handler() -> ConversationHandler[Any]:
    """The survey written as python-telegram-bot's `conversationbot.py` example does."""

    async def start(update: Update, context: Context) -> int:
        assert update.message is not None
        await update.message.reply_text(QUESTIONS[CONCERN])
        return CONCERN

    def step(key: str, ask: int) -> Any:
        async def answer(update: Update, context: Context) -> int:
            assert update.message is not None and context.user_data is not None
            context.user_data[key] = update.message.text
            await update.message.reply_text(QUESTIONS[ask])
            return ask

        return answer

    async def idea(update: Update, context: Context) -> int:
        assert update.message is not None and context.user_data is not None
        context.user_data["idea"] = update.message.text
        await update.message.reply_text("Thank you! Here we go again.\n" + QUESTIONS[CONCERN])
        return CONCERN

    async def cancel(update: Update, context: Context) -> int:
        assert update.message is not None
        await update.message.reply_text("Bye!")
        return ConversationHandler.END

    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={
            CONCERN: [MessageHandler(text, step("concern", SECTOR))],
            SECTOR: [
                MessageHandler(filters.Regex(re.compile(r"^[1-3]$")), step("sector", URGENCY))
            ],
            URGENCY: [MessageHandler(filters.Regex(re.compile(r"^[1-5]$")), step("urgency", IDEA))],
            IDEA: [MessageHandler(text, idea)],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        name="survey",
        persistent=True,
    )


def seed_pickle(path: Path, population: int) -> None:
    """The population mid-survey in PicklePersistence's single file (participant i at step
    i % 4, with the answers a participant there would have given)."""
    conversations = {}
    user_data: dict[int, dict[str, str]] = {}
    for i in range(population):
        uid = FIRST_USER + i
        conversations[(uid, uid)] = i % 4
        user_data[uid] = dict(
            zip(("concern", "sector", "urgency"), SURVEY_ANSWERS[: i % 4], strict=False)
        )
    data = {
        "conversations": {"survey": conversations},
        "user_data": user_data,
        "chat_data": {},
        "bot_data": {},
        "callback_data": None,
    }
    with path.open("wb") as f:
        pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)


async def conversation_app(workdir: Path, population: int) -> AnyApp:
    path = workdir / f"conversationbot-{population}"
    seed_pickle(path, population)
    app = build(CannedRequest(), PicklePersistence(filepath=path))
    app.add_handler(conversation_handler())
    return app


async def baraza_app(
    workdir: Path, database_url: str | None = None
) -> tuple[AnyApp, Any, Process]:
    """Baraza's Telegram channel on an application answered in-process (for its Bot)."""
    from bot.channels.telegram import TelegramChannel
    from bot.runtime import load_content, open_runner

    extra = {"database_url": database_url} if database_url else {}
    settings = make_settings(workdir, telegram_bot_token=TOKEN, **extra)
    runner = await open_runner(settings, load_content(settings))
    channel = TelegramChannel(settings, runner)
    app = build(CannedRequest())
    channel.username = BOT_USER["username"]

    async def process(update: Update) -> None:
        if not await channel.process(update):
            raise RuntimeError(f"update {update.update_id} failed (see the log)")

    return app, runner, process


# --------------------------------------------------------------------------- driving


async def drive(
    app: AnyApp,
    process: Process,
    rounds: list[list[tuple[int, int]]],
    window: int,
    part: tuple[int, int] = (0, 1),
    start_at: float = 0.0,
) -> float:
    """Feed the updates, `window` at a time (distinct participants in flight); seconds.
    `part` (k, n): only participants i with i % n == k (another process drives the
    others); `start_at`: begin at this time.time(), together with the other process."""
    batches: list[list[Update]] = []
    update_id = 1
    k, n = part
    for row in rounds:
        mine = [(i, step) for i, step in row if i % n == k]
        for start in range(0, len(mine), window):
            batch = []
            for i, step in mine[start : start + window]:
                data = update_json(update_id * n + k, FIRST_USER + i, SURVEY_ANSWERS[step])
                batch.append(Update.de_json(data, app.bot))
                update_id += 1
            batches.append(batch)
    # The updates are the bench's input, not the system's: built before the clock starts
    # and left out of the collector's full collections from here on, for every system.
    # (`baraza run` freezes what its start-up loaded the same way, `bot.serve.settle_heap`;
    # without this one a full collection of the 5,000 updates and start-up's objects
    # landed in Baraza's measured window, 70-83 ms of a 1.5 s run.)
    gc.collect()
    gc.freeze()
    if start_at:
        await asyncio.sleep(max(0.0, start_at - time.time()))
    t0 = time.perf_counter()
    for batch in batches:
        if len(batch) == 1:
            await process(batch[0])
        else:
            await asyncio.gather(*(process(u) for u in batch))
    return time.perf_counter() - t0


async def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(args.workdir)
    errors: list[str] = []

    async def record(update: object, context: Context) -> None:
        errors.append(repr(context.error))

    runner = None
    if args.system == "baraza":
        app, runner, baraza = await baraza_app(workdir, args.database_url)

        async def process(update: Update) -> None:
            try:
                await baraza(update)
            except Exception as exc:
                errors.append(repr(exc))

    else:
        app = await bare_app() if args.system == "bare" else await conversation_app(
            workdir, args.population
        )
        process = app.process_update
    app.add_error_handler(record)
    await app.initialize()
    rounds = turn_schedule(args.population, args.turns)
    # a short warm-up on other updates of the same kind is not needed: every system is
    # measured cold in a fresh process, the same way
    rss_before = vm_hwm_kb()
    part = tuple(int(x) for x in args.part.split("/"))
    turns = sum(1 for row in rounds for i, _ in row if i % part[1] == part[0])
    cpu = time.process_time()
    seconds = await drive(app, process, rounds, args.window, (part[0], part[1]), args.start_at)
    cpu = time.process_time() - cpu
    ended = time.time()
    rate = turns / seconds
    flush = 0.0
    if args.system == "conversation":
        # A running PTB application writes its persistence every `update_interval` (60 s):
        # every user and conversation changed since the last write, each one rewriting the
        # whole pickle file (on_flush=False), blocking the event loop meanwhile. Measured
        # here once for these turns (which touch every user), and amortised as PTB runs it
        # (`Application._persistence_updater`: wait the interval, then write): in steady
        # state each 60 s of updates is followed by a flush that processes none. (Until the
        # twelfth stop this counted the flush inside the 60 s, and printed 0/s at 2,000
        # users whenever the flush took a minute or more.)
        t0 = time.perf_counter()
        await app.update_persistence()
        flush = time.perf_counter() - t0
        rate *= PERSISTENCE_INTERVAL / (PERSISTENCE_INTERVAL + flush)
    result: dict[str, Any] = {
        "system": args.system,
        "population": args.population,
        "turns": args.turns,
        "window": args.window,
        "seconds": seconds,
        "rate": rate,
        "rate_processing": turns / seconds,
        "mine": turns,
        "ended": ended,
        "cpu_s": cpu,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "rss_before_kb": rss_before,
        "persistence_flush_s": flush,
        "replies": app.bot.request.calls.get("sendMessage", 0),
    }
    await app.shutdown()
    if runner is not None:
        result["commits"] = runner.db.commits
        target = runner.db.target
        await runner.db.close()
        result["inbound"] = query(target, "SELECT count(*) FROM inbound")[0][0]
        result["outbox"] = query(target, "SELECT count(*) FROM outbox")[0][0]
    result["vm_hwm_kb"] = vm_hwm_kb()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--system", choices=("baraza", "bare", "conversation"), required=True)
    parser.add_argument("--population", type=int, required=True)
    parser.add_argument("--turns", type=int, required=True)
    parser.add_argument("--window", type=int, default=1)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--database-url", help="instead of the workdir's SQLite file")
    parser.add_argument("--part", default="0/1", help="k/n: drive participants i %% n == k")
    parser.add_argument("--start-at", type=float, default=0.0, help="time.time() to begin at")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
