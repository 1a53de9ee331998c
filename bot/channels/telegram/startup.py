"""Connecting to the Bot API: the `Bot`, and what a failed start means, as one line."""

from __future__ import annotations

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.request import HTTPXRequest

from bot.config import ConfigError, Settings, mask, redact, secrets

TELEGRAM = "https://api.telegram.org/bot"


class TelegramConfigError(ConfigError):
    """The settings do not allow the Telegram channel to start."""


def api_urls(url: str) -> tuple[str, str]:
    """`base_url` and `base_file_url` for a Bot API server given as `http://host:port/bot`
    (or just `http://host:port`); python-telegram-bot appends the token to both."""
    base = url.rstrip("/")
    if not base.endswith("/bot"):
        base += "/bot"
    return base, base.removesuffix("/bot") + "/file/bot"


def make_bot(settings: Settings, read_timeout: float, connect_timeout: float) -> Bot:
    """The Bot for `TELEGRAM_BOT_TOKEN` at `TELEGRAM_API_URL` (Telegram's by default):
    64 connections for sending, 2 for long polling."""

    def request(pool: int) -> HTTPXRequest:
        return HTTPXRequest(
            connection_pool_size=pool,
            read_timeout=read_timeout,
            write_timeout=read_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=connect_timeout,
        )

    base_url, base_file_url = api_urls(settings.telegram_api_url or TELEGRAM)
    return Bot(
        settings.telegram_bot_token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=request(64),
        get_updates_request=request(2),
    )


def shown(settings: Settings, exc: BaseException, limit: int = 160) -> str:
    """An error's text on one short line, the token masked (python-telegram-bot quotes it)."""
    text = " ".join(redact(str(exc), secrets(settings)).split())
    text = text.split(". Parsing the server response", 1)[0]  # then the whole page
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text or type(exc).__name__


def start_error(settings: Settings, exc: TelegramError) -> TelegramConfigError:
    """What a failed start means, as one line: a refused token or an unreachable API."""
    token = mask("telegram_bot_token", settings.telegram_bot_token)
    url = settings.telegram_api_url
    answer = _not_bot_api(exc)
    if url and answer is not None:
        return TelegramConfigError(
            f"TELEGRAM_API_URL: {url} is not a Telegram Bot API server (it answered "
            f"{shown(settings, answer)}); fix TELEGRAM_API_URL, or leave it empty"
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
                f"TELEGRAM_API_URL: {url} {state} ({shown(settings, exc)}); "
                "start the Bot API server there, or fix TELEGRAM_API_URL"
            )
        return TelegramConfigError(
            f"Telegram (api.telegram.org) {state} ({shown(settings, exc)}); "
            "check this machine's network, or set TELEGRAM_API_URL"
        )
    return TelegramConfigError(
        f"Telegram refused to start the bot ({type(exc).__name__}: {shown(settings, exc)}); "
        "check TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL"
    )


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
