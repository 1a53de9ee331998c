"""The Telegram channel: python-telegram-bot in, the outbox out.

Updates arrive by long polling (`TELEGRAM_MODE=polling`, the default) or on
`POST /telegram/webhook` (`webhook`); either way each one becomes an `Envelope` for the
turn runner, with the update id as its external id so a redelivered update is applied
once. Handlers never send: a turn queues outbox rows, and the `Sender` from `sender()`
drains them through `TelegramTransport` (`telegram_transport`), one message a second per
chat and 30 a second overall, with the per-chat pacing kept in the database.

What the channel does itself, without a turn: answering callback queries, redrawing a
multi-choice keyboard as options are toggled, and marking an answered keyboard with the
choice made (`telegram_keyboards` has the layouts and the callback data).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import hmac
import json
import logging
import os
from collections.abc import Awaitable
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import BotCommand, CallbackQuery, InlineKeyboardMarkup, Update
from telegram import Message as TgMessage
from telegram.constants import ChatType
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.channels import telegram_keyboards as kb
from bot.channels.telegram_transport import CHANNEL, WINDOW, TelegramTransport
from bot.config import ConfigError, Settings, mask, redact, secrets
from bot.engine.io import Inbound, Recorded
from bot.engine.state import Item
from bot.i18n import pick_language
from bot.outbox import Sender
from bot.roles import Role
from bot.turns import Envelope, Outcome, TurnRunner
from bot.web import MAX_BODY

# Opt in to python-telegram-bot's timedelta durations (RetryAfter.retry_after): without it
# every flood-limit answer also logs a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "true")
log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]

KEYWORD_COMMANDS = {
    "help": "HELP",
    "skip": "SKIP",
    "language": "LANG",
    "stop": "STOP",
    "mydata": "MYDATA",
    "delete": "DELETE",
}
"""Menu commands and the engine keyword each one stands for (/start is a join)."""

FACILITATOR_COMMANDS = (
    "prompt", "poll", "close", "results", "share", "dashboard", "export", "web",
    "send", "cancel", "lang", "answers",
)  # fmt: skip

MENU: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("start", "Join or resume the dialogue"),
        ("help", "How to answer, and the commands"),
        ("language", "Change language"),
        ("stop", "Stop all messages"),
        ("mydata", "See what we store about you"),
        ("delete", "Erase your data"),
    ],
    "fr": [
        ("start", "Rejoindre ou reprendre le dialogue"),
        ("help", "Comment répondre, et les commandes"),
        ("language", "Changer de langue"),
        ("stop", "Ne plus recevoir de messages"),
        ("mydata", "Voir ce que nous gardons sur vous"),
        ("delete", "Effacer vos données"),
    ],
    "es": [
        ("start", "Unirse o retomar el diálogo"),
        ("help", "Cómo responder, y los comandos"),
        ("language", "Cambiar de idioma"),
        ("stop", "Dejar de recibir mensajes"),
        ("mydata", "Ver lo que guardamos sobre usted"),
        ("delete", "Borrar sus datos"),
    ],
}
"""setMyCommands: English is the default menu, French and Spanish by the app's language."""


Context = ContextTypes.DEFAULT_TYPE


MAX_ATTEMPTS = 3
"""How often a polled update whose turn failed is fetched again before it is skipped."""


class PerChatUpdates(BaseUpdateProcessor):
    """Updates of one chat one at a time, in order; different chats at once.

    python-telegram-bot processes polled updates one after another by default, so every
    turn waited for the previous one's commit. Here turns of different people overlap and
    share commits, while a participant's tap and the answer they type next never swap.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._last: dict[int, asyncio.Future[None]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        before = self._last.get(chat.id)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._last[chat.id] = mine
        try:
            if before is not None:
                await asyncio.shield(before)
            await coroutine
        finally:
            mine.set_result(None)
            if self._last.get(chat.id) is mine:
                del self._last[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


class TelegramConfigError(ConfigError):
    """The settings do not allow the Telegram channel to start."""


def api_urls(url: str) -> tuple[str, str]:
    """`base_url` and `base_file_url` for a Bot API server given as `http://host:port/bot`
    (or just `http://host:port`); python-telegram-bot appends the token to both."""
    base = url.rstrip("/")
    if not base.endswith("/bot"):
        base += "/bot"
    return base, base.removesuffix("/bot") + "/file/bot"


class TelegramChannel:
    """The Channel `baraza run` serves: see the module docstring."""

    name = CHANNEL

    def __init__(
        self,
        settings: Settings,
        runner: TurnRunner,
        *,
        rate: float = 30.0,
        chat_interval: float = 1.0,
        read_timeout: float = 10.0,
        connect_timeout: float = 5.0,
        poll_timeout: float = 10.0,
    ) -> None:
        self.settings = settings
        self.runner = runner
        self.rate = rate
        self.chat_interval = chat_interval
        self.poll_timeout = poll_timeout
        self.read_timeout = read_timeout
        self.webhook = settings.telegram_mode == "webhook"
        self.application: Application[Any, Any, Any, Any, Any, Any] = self._build(
            read_timeout, connect_timeout
        )
        self.transport = TelegramTransport(self.application.bot)
        self._sender: Sender | None = None
        self._failed: set[int] = set()
        self._polling: asyncio.Task[None] | None = None
        self._attempts: dict[int, int] = {}
        self._add_handlers()

    def _build(
        self, read_timeout: float, connect_timeout: float
    ) -> Application[Any, Any, Any, Any, Any, Any]:
        def request(pool: int) -> HTTPXRequest:
            return HTTPXRequest(
                connection_pool_size=pool,
                read_timeout=read_timeout,
                write_timeout=read_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=connect_timeout,
            )

        builder = (
            Application.builder()
            .token(self.settings.telegram_bot_token)
            .request(request(64))
            .get_updates_request(request(2))
            .concurrent_updates(PerChatUpdates(64))
        )
        if self.settings.telegram_api_url:
            base_url, base_file_url = api_urls(self.settings.telegram_api_url)
            builder = builder.base_url(base_url).base_file_url(base_file_url)
        # No Updater: its polling confirms updates before their turns commit (see _poll).
        return builder.updater(None).build()

    def _add_handlers(self) -> None:
        private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        add = self.application.add_handler
        add(CommandHandler("start", self._on_start, filters=private))
        add(CommandHandler(list(KEYWORD_COMMANDS), self._on_keyword, filters=private))
        add(CommandHandler(list(FACILITATOR_COMMANDS), self._on_facilitator, filters=private))
        add(MessageHandler(private & filters.COMMAND, self._on_unknown_command))
        add(MessageHandler(private, self._on_message))
        add(CallbackQueryHandler(self._on_callback))
        self.application.add_error_handler(self._on_error)

    # --- Channel protocol ---------------------------------------------------------------

    async def start(self) -> None:
        if self.webhook:
            if not self.settings.telegram_webhook_secret:
                raise TelegramConfigError(
                    "TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_SECRET: without it anyone "
                    "could post fake updates to /telegram/webhook"
                )
            if not self.settings.public_base_url:
                raise TelegramConfigError(
                    "TELEGRAM_MODE=webhook needs PUBLIC_BASE_URL (the https address Telegram "
                    "calls, e.g. https://baraza.example.org)"
                )
        app = self.application
        try:
            await app.initialize()  # getMe: a wrong token or API URL fails here
            await self._set_commands()
            await app.start()
            if not self.webhook:
                await app.bot.delete_webhook()
                # One poller among all processes sharing the database (bot/roles.py).
                poller = Role(self.runner.db, "telegram-poller", self._poll)
                self._polling = asyncio.create_task(poller.hold(), name="telegram-polling")
            else:
                try:
                    await app.bot.set_webhook(
                        url=self.webhook_url,
                        secret_token=self.settings.telegram_webhook_secret,
                        allowed_updates=ALLOWED_UPDATES,
                    )
                except BadRequest as exc:
                    raise TelegramConfigError(
                        f"PUBLIC_BASE_URL: Telegram refused the webhook {self.webhook_url} "
                        f"({self._shown(exc)}); it must be a public https address"
                    ) from exc
        except TelegramError as exc:
            await self.stop()
            raise self._start_error(exc) from exc
        except BaseException:
            await self.stop()
            raise
        log.info(
            "telegram: @%s ready (%s)",
            app.bot.username,
            f"webhook {self.webhook_url}" if self.webhook else "polling",
        )

    def _shown(self, exc: BaseException, limit: int = 160) -> str:
        """An error's text on one short line, the token masked (python-telegram-bot
        quotes it)."""
        text = " ".join(redact(str(exc), secrets(self.settings)).split())
        text = text.split(". Parsing the server response", 1)[0]  # then the whole page
        if len(text) > limit:
            text = text[: limit - 1] + "…"
        return text or type(exc).__name__

    def _start_error(self, exc: TelegramError) -> TelegramConfigError:
        """What a failed start means, as one line: a refused token or an unreachable API."""
        token = mask("telegram_bot_token", self.settings.telegram_bot_token)
        url = self.settings.telegram_api_url
        answer = _not_bot_api(exc)
        if url and answer is not None:
            return TelegramConfigError(
                f"TELEGRAM_API_URL: {url} is not a Telegram Bot API server (it answered "
                f"{self._shown(answer)}); fix TELEGRAM_API_URL, or leave it empty"
            )
        if isinstance(exc, InvalidToken):
            by = f"the Bot API at TELEGRAM_API_URL {url}" if url else "Telegram"
            return TelegramConfigError(
                f"TELEGRAM_BOT_TOKEN was refused by {by} ({token}); check it with @BotFather"
            )
        if isinstance(exc, NetworkError):  # timeouts, refused connections, 5xx
            state = "is unreachable" if exc.__cause__ is not None else "answered an error"
            if url:
                return TelegramConfigError(
                    f"TELEGRAM_API_URL: {url} {state} ({self._shown(exc)}); "
                    "start the Bot API server there, or fix TELEGRAM_API_URL"
                )
            return TelegramConfigError(
                f"Telegram (api.telegram.org) {state} ({self._shown(exc)}); "
                "check this machine's network, or set TELEGRAM_API_URL"
            )
        return TelegramConfigError(
            f"Telegram refused to start the bot ({type(exc).__name__}: {self._shown(exc)}); "
            "check TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL"
        )

    async def stop(self) -> None:
        """Stop taking updates (those already fetched are handled), then close the bot.
        Rows the sender had not sent stay queued for the next start; the webhook stays
        set so Telegram keeps updates until then."""
        await self.transport.close(timeout=self.read_timeout)
        app = self.application
        if self._polling is not None:
            # A turn cut short here commits or not; unconfirmed updates come again next
            # start and the inbound log drops those already applied.
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None
        if app.running:
            await app.stop()
        await app.shutdown()

    def routes(self) -> list[BaseRoute]:
        if not self.webhook:
            return []
        return [Route(WEBHOOK_PATH, self._webhook, methods=["POST"])]

    def sender(self) -> Sender:
        if self._sender is None:
            self._sender = Sender(
                self.runner.db,
                self.transport,
                rate=self.rate,
                per_address_interval=self.chat_interval,
                window_margin=WINDOW,
            )
        return self._sender

    @property
    def webhook_url(self) -> str:
        return self.settings.public_base_url.rstrip("/") + WEBHOOK_PATH

    async def _set_commands(self) -> None:
        bot = self.application.bot
        for lang, menu in MENU.items():
            commands = [BotCommand(name, text) for name, text in menu]
            await bot.set_my_commands(commands, language_code=None if lang == "en" else lang)

    # --- webhook --------------------------------------------------------------------------

    async def _webhook(self, request: Request) -> Response:
        """One update per request; the 200 goes out only once its turn is committed (an
        error answers 500, so Telegram delivers it again and the inbound log sorts it out)."""
        secret = self.settings.telegram_webhook_secret
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("telegram: webhook call with a wrong or missing secret token, refused")
            return PlainTextResponse("forbidden", status_code=403)
        if not self.application.running:
            return PlainTextResponse("not running", status_code=503)
        declared = request.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > MAX_BODY:
            return PlainTextResponse("too large", status_code=413)
        body = await request.body()
        if len(body) > MAX_BODY:
            return PlainTextResponse("too large", status_code=413)
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            update = Update.de_json(data, self.application.bot)
        except (ValueError, TypeError, KeyError, RecursionError) as exc:  # deep nesting
            log.warning("telegram: malformed webhook body: %s", exc)
            return PlainTextResponse("malformed update", status_code=400)
        if (problem := malformed(update)) is not None:
            # 200: Telegram would deliver it again and again, and it can never be applied.
            log.warning("telegram: update %d dropped: %s", update.update_id, problem)
            return Response(status_code=200)
        await self.application.process_update(update)
        if update.update_id in self._failed:
            self._failed.discard(update.update_id)
            return PlainTextResponse("failed", status_code=500)
        return Response(status_code=200)

    # --- updates -> turns -----------------------------------------------------------------

    async def _turn(self, update: Update, inbound: Inbound) -> Outcome | None:
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return None
        env = Envelope(CHANNEL, str(chat.id), inbound, external_id=str(update.update_id))
        outcome = await self.runner.handle(env)
        if outcome.duplicate:
            log.info("telegram: update %d seen before, not applied again", update.update_id)
        return outcome

    @staticmethod
    def _hint(update: Update) -> str | None:
        user = update.effective_user
        return user.language_code if user is not None else None

    async def _on_start(self, update: Update, context: Context) -> None:
        code = context.args[0] if context.args else None
        await self._turn(update, Inbound(kind="start", code=code, lang_hint=self._hint(update)))

    async def _on_keyword(self, update: Update, context: Context) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        command = _command(message.text)
        text = KEYWORD_COMMANDS[command]
        if command == "language" and context.args:  # /language fr
            text = f"LANG {context.args[0]}"
        await self._turn(update, Inbound(text=text, lang_hint=self._hint(update)))

    async def _on_unknown_command(self, update: Update, context: Context) -> None:
        await self._turn(update, Inbound(text="HELP", lang_hint=self._hint(update)))

    async def _on_message(self, update: Update, context: Context) -> None:
        """Typed text; anything else (a photo, a sticker) counts as its caption or nothing,
        so the engine re-asks the question."""
        message = update.effective_message
        assert message is not None
        text = message.text if message.text is not None else (message.caption or "")
        await self._turn(update, Inbound(text=text, lang_hint=self._hint(update)))

    async def _on_callback(self, update: Update, context: Context) -> None:
        """A button: always answered (also when stale or garbled), then a turn, or a
        toggle redrawn in place; an answered keyboard then shows the choice made."""
        query = update.callback_query
        assert query is not None
        tap = kb.parse(query.data)
        message = query.message if isinstance(query.message, TgMessage) else None
        private = message is not None and message.chat.type == ChatType.PRIVATE
        if tap is None or message is None or not private or tap.kind == "closed":
            await self._answer(query, self._closed_text(update))
            return
        await self._answer(query)
        markup = message.reply_markup
        if tap.kind == "toggle":
            if (toggled := kb.toggled(markup, tap)) is not None:
                await self._edit_keyboard(message, toggled)
            return
        vote = Item("poll", tap.seq) if tap.kind == "vote" else None
        inbound_ = Inbound(
            kind="button",
            seq=0 if vote is not None else tap.seq,
            picks=tap.picks,
            item=vote,
            lang_hint=self._hint(update),
        )
        outcome = await self._turn(update, inbound_)
        if outcome is None or outcome.duplicate or outcome.turn is None:
            if outcome is not None and not outcome.duplicate and outcome.messages:
                await self._edit_keyboard(message, None)  # a tap nobody can answer now
            return
        facts = outcome.turn.facts
        recorded = next((f for f in facts if isinstance(f, Recorded)), None)
        if recorded is None:
            # closed, or refused and asked again with fresh buttons: these ones go
            await self._edit_keyboard(message, None)
            return
        if tap.kind == "vote":  # a vote can be changed while the poll is open
            if (voted := kb.voted(markup, tap)) is not None:
                await self._edit_keyboard(message, voted)
        else:
            await self._edit_keyboard(message, kb.chosen_keyboard(list(recorded.labels)))

    def _closed_text(self, update: Update) -> str:
        lang = pick_language(None, self._hint(update), self.settings.default_language, self.runner.tr)
        return self.runner.tr(lang, "question-closed")

    async def _answer(self, query: CallbackQuery, text: str | None = None) -> None:
        try:
            await query.answer(text)
        except TelegramError as exc:  # too old, or answered already (a redelivery)
            log.info("telegram: could not answer callback query: %s", exc)

    async def _edit_keyboard(self, message: TgMessage, markup: InlineKeyboardMarkup | None) -> None:
        try:
            await message.edit_reply_markup(reply_markup=markup)
        except TelegramError as exc:  # not modified (a double tap), too old, flood limit
            log.info("telegram: could not edit keyboard of message %d: %s", message.id, exc)

    # --- facilitator commands ------------------------------------------------------------

    async def _on_facilitator(self, update: Update, context: Context) -> None:
        """/prompt, /poll...: the runner's facilitator commands decide who may use them
        (refused and logged for anyone else); never an answer to a flow."""
        message = update.effective_message
        assert message is not None and message.text is not None
        await self._turn(update, Inbound(text=message.text, lang_hint=self._hint(update)))

    def _now(self) -> str:
        return self.runner.clock().isoformat()

    # --- errors -------------------------------------------------------------------------

    async def _on_error(self, update: object, context: Context) -> None:
        if isinstance(update, Update):
            self._failed.add(update.update_id)
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("telegram: update %s failed", update_id, exc_info=context.error)

    # --- polling ------------------------------------------------------------------------

    async def _poll(self) -> None:
        """Long polling that confirms updates only once their turns are committed.

        Telegram forgets updates below the `offset` of the next getUpdates. That call comes
        only after every update of the batch has been processed (chats in parallel, each
        chat's in order); a failed update is fetched again, up to MAX_ATTEMPTS times. After
        a crash the batch comes again and the inbound log drops what was already applied.
        """
        app, offset, pause = self.application, None, 1.0
        health = self.sender().health
        while True:
            try:
                updates = await app.bot.get_updates(
                    offset=offset,
                    timeout=dtm.timedelta(seconds=self.poll_timeout),
                    read_timeout=self.poll_timeout + self.read_timeout,
                    allowed_updates=ALLOWED_UPDATES,
                )
            except TelegramError as exc:  # reported once, then with backoff
                log.debug("telegram: getUpdates failed (%s); again in %.0fs", exc, pause)
                await health.failed(f"getUpdates: {self._shown(exc)}")
                await asyncio.sleep(pause)
                pause = min(pause * 2, 60.0)
                continue
            pause = 1.0
            await health.ok()
            if not updates:
                continue
            processor = app.update_processor
            usable = []
            for u in updates:
                if (problem := malformed(u)) is not None:
                    log.warning("telegram: update %d dropped: %s", u.update_id, problem)
                else:
                    usable.append(u)
            await asyncio.gather(
                *(processor.process_update(u, app.process_update(u)) for u in usable)
            )
            offset = self._next_offset(updates)

    def _next_offset(self, updates: list[Update]) -> int:
        """Past the batch, or at the first failed update that may be tried again."""
        retry = []
        for u in updates:
            if u.update_id not in self._failed:
                continue
            self._failed.discard(u.update_id)
            tries = self._attempts[u.update_id] = self._attempts.get(u.update_id, 0) + 1
            if tries < MAX_ATTEMPTS:
                retry.append(u.update_id)
            else:
                log.error("telegram: update %d failed %d times; skipped", u.update_id, tries)
        if retry:
            return min(retry)
        self._attempts.clear()
        return updates[-1].update_id + 1


def _not_bot_api(exc: TelegramError) -> TelegramError | None:
    """The error for an answer that was not Bot API JSON (another web server at that
    address), or None. python-telegram-bot chains it: (InvalidToken from Bot.initialize)
    <- the HTTP status error <- TelegramError("Invalid server response") <- the JSON error."""
    chain: list[BaseException] = [exc]
    while isinstance(chain[-1].__cause__, TelegramError) and len(chain) < 5:
        chain.append(chain[-1].__cause__)
    if len(chain) >= 2 and isinstance(chain[-1].__cause__, ValueError):
        answer = chain[-2]
        return answer if isinstance(answer, TelegramError) else None
    return None


def malformed(update: Update) -> str | None:
    """Why an update can never be handled (a message with no chat...), or None."""
    message = update.message
    if message is not None and (message.chat is None or message.date is None):
        return "a message without its chat or date"
    query = update.callback_query
    if query is not None and (not query.id or query.from_user is None):
        return "a button press without its id or sender"
    return None


def _command(text: str) -> str:
    """`/Poll@baraza_bot args` -> `poll`."""
    return text.split(None, 1)[0].lstrip("/").split("@", 1)[0].lower()
