"""The Telegram channel: updates in (polling or webhook), the Sender out.

Each update is read by `updates.read` (pure) and becomes a turn, with the update id as its
external id so a redelivered update is applied once. Nothing is sent here: a turn queues
outbox rows, and what the channel shows itself (the answer to a button press, a keyboard
redrawn as options are toggled or once a question is answered) is pushed to the Sender as
actions, within the same limits (`transport`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.routing import BaseRoute
from telegram import Update
from telegram.error import BadRequest, TelegramError

from bot.channels.telegram import keyboards as kb
from bot.channels.telegram import updates
from bot.channels.telegram.menus import menus
from bot.channels.telegram.polling import ALLOWED_UPDATES, Handled, Poller
from bot.channels.telegram.startup import TelegramConfigError, make_bot, shown, start_error
from bot.channels.telegram.transport import (
    CHANNEL,
    AnswerPress,
    EditKeyboard,
    TelegramTransport,
)
from bot.channels.telegram.webhook import WEBHOOK_PATH, webhook_route
from bot.config import Settings
from bot.delivery import Limits, Sender
from bot.roles import Role
from bot.turns import Envelope, Outcome, TurnRunner

log = logging.getLogger("bot.channels.telegram")


class TelegramChannel:
    """The channel `baraza run` serves: see the module docstring."""

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
        self.read_timeout = read_timeout
        self.poll_timeout = poll_timeout
        self.webhook = settings.telegram_mode == "webhook"
        self.bot = make_bot(settings, read_timeout, connect_timeout)
        self.transport = TelegramTransport(self.bot)
        self.limits = Limits(rate=rate, per_address=chat_interval, concurrency=16)
        """Telegram's: 30 messages a second overall, one a second per chat."""
        self.sender: Sender | None = None
        self.username = ""
        self.running = False
        self._polling: asyncio.Task[None] | None = None

    # --- Channel protocol ---------------------------------------------------------------

    async def start(self, sender: Sender) -> None:
        """getMe (a wrong token or API URL fails here), the menus, then polling or the
        webhook. A problem is a TelegramConfigError naming the setting."""
        self.sender = sender
        if self.webhook:
            for needed, why in (
                ("telegram_webhook_secret", "without it anyone could post fake updates to "
                 "/telegram/webhook"),
                ("public_base_url", "the https address Telegram calls, e.g. "
                 "https://baraza.example.org"),
            ):  # fmt: skip
                if not getattr(self.settings, needed):
                    raise TelegramConfigError(
                        f"TELEGRAM_MODE=webhook needs {needed.upper()}: {why}"
                    )
        try:
            await self.bot.initialize()
            self.username = self.bot.username
            for language, commands in menus(self.runner.tr).items():
                await self.bot.set_my_commands(commands, language_code=language)
            if self.webhook:
                await self._set_webhook()
            else:
                await self.bot.delete_webhook()
                poller = Poller(
                    self.bot,
                    self.handled,
                    sender.health,
                    timeout=self.poll_timeout,
                    read_timeout=self.read_timeout,
                    describe=lambda exc: shown(self.settings, exc),
                )
                # One poller among all processes sharing the database (`bot.roles`).
                role = Role(self.runner.db, "telegram-poller", poller.run)
                self._polling = asyncio.create_task(role.hold(), name="telegram-polling")
        except TelegramError as exc:
            await self.stop()
            raise start_error(self.settings, exc) from exc
        except BaseException:
            await self.stop()
            raise
        self.running = True
        log.info(
            "telegram: @%s ready (%s)",
            self.username,
            f"webhook {self.webhook_url}" if self.webhook else "polling",
        )

    async def _set_webhook(self) -> None:
        try:
            await self.bot.set_webhook(
                url=self.webhook_url,
                secret_token=self.settings.telegram_webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        except BadRequest as exc:
            raise TelegramConfigError(
                f"PUBLIC_BASE_URL: Telegram refused the webhook {self.webhook_url} "
                f"({shown(self.settings, exc)}); it must be a public https address"
            ) from exc

    async def stop(self) -> None:
        """Stop taking updates, then close the connections. Unconfirmed updates come again
        next start (the inbound log drops those already applied); the webhook stays set,
        so Telegram keeps updates until then."""
        self.running = False
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None
        await self.bot.shutdown()

    def routes(self) -> list[BaseRoute]:
        if not self.webhook:
            return []
        secret = self.settings.telegram_webhook_secret
        return [webhook_route(secret, self.bot, self.process, lambda: self.running)]

    @property
    def webhook_url(self) -> str:
        return self.settings.public_base_url.rstrip("/") + WEBHOOK_PATH

    # --- updates -> turns -----------------------------------------------------------------

    async def process(self, update: Update) -> bool:
        """Handle one update (the webhook's way); False if it should come again."""
        return await self.handled(update) is Handled.DONE

    async def handled(self, update: Update) -> Handled:
        """Handle one update: FAILED (logged) if its turn failed, LATER if the database
        could not take it now. An update that can never be handled is dropped with a
        warning (DONE)."""
        if (problem := updates.malformed(update)) is not None:
            log.warning("telegram: update %d dropped: %s", update.update_id, problem)
            return Handled.DONE
        try:
            await self.handle(update)
        except Exception as exc:
            log.error("telegram: update %d failed", update.update_id, exc_info=exc)
            return Handled.LATER if isinstance(exc, self.runner.db.unavailable) else Handled.FAILED
        return Handled.DONE

    async def handle(self, update: Update) -> Outcome | None:
        """The update's turn (None if it has none); a button press is answered first, and
        its keyboard redrawn after."""
        incoming = updates.read(update, self.username)
        if incoming is None:
            return None
        press = incoming.press
        address = str(incoming.chat_id)
        if press is not None:
            text = self._closed_text(incoming.lang_hint) if press.closed else None
            self._show(address, AnswerPress(press.query_id, text))
            tap = press.tap
            if tap is not None and tap.kind == "toggle" and press.message_id is not None:
                toggled = kb.toggled(press.markup, tap)
                if toggled is not None:
                    self._show(address, EditKeyboard(press.message_id, toggled))
        if incoming.inbound is None:
            return None
        env = Envelope(CHANNEL, address, incoming.inbound, external_id=str(incoming.update_id))
        outcome = await self.runner.handle(env)
        if outcome.duplicate:
            log.info("telegram: update %d seen before, not applied again", incoming.update_id)
        elif press is not None and press.tap is not None and press.message_id is not None:
            facts = outcome.turn.facts if outcome.turn is not None else None
            redraw = kb.after(press.tap, press.markup, facts, bool(outcome.messages))
            if redraw is not None:
                self._show(address, EditKeyboard(press.message_id, redraw.markup))
        return outcome

    def _show(self, address: str, action: AnswerPress | EditKeyboard) -> None:
        if self.sender is not None:
            self.sender.push(address, action)

    def _closed_text(self, hint: str | None) -> str:
        lang = self.runner.tr.pick(None, hint, self.settings.default_language)
        return self.runner.tr(lang, "question-closed")
