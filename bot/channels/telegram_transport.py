"""Sending one outbox row to Telegram, and what the Bot API's errors mean for the `Sender`.

- 429 (`RetryAfter`): retry after the delay Telegram gives, and pause every send meanwhile
- 403 (`Forbidden`: blocked by the person): they are unreachable until they write again
- 400 (`BadRequest`): this message can never be sent; marked failed
- timeouts, connection errors, 5xx: retried with backoff
"""

from __future__ import annotations

import os

# Before python-telegram-bot builds a RetryAfter: otherwise it warns (PTBDeprecationWarning)
# and `retry_after` is an int rather than a timedelta. `_seconds` accepts either.
os.environ.setdefault("PTB_TIMEDELTA", "1")

import asyncio
import contextlib
import datetime as dtm
from dataclasses import dataclass, field
from pathlib import Path

from telegram import Bot
from telegram import Message as TgMessage
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.channels import telegram_keyboards as kb
from bot.engine.io import Message
from bot.outbox import Delivered, Rejected, RetryLater, Throttle, Unreachable
from storage.outbox import Outgoing

CHANNEL = "telegram"
CAPTION_LIMIT = 1024
WINDOW = 1.05
"""The rate's window is stretched to 1.05 s, so that network jitter cannot squeeze 31
sends into one second at Telegram's end."""


def _seconds(value: float | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@dataclass
class TelegramTransport:
    """Delivers one outbox row (sendMessage, or sendPhoto/sendDocument for an attachment),
    mapping Bot API errors to what the `Sender` does next.

    Every call first waits for the Sender's `throttle` (30 a second, strictly, over a
    window of WINDOW seconds).
    """

    bot: Bot
    channel: str = CHANNEL
    closed: bool = False
    _in_flight: int = field(default=0, init=False)
    _idle: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    async def deliver(self, row: Outgoing, throttle: Throttle) -> Delivered:
        if self.closed:  # the channel is stopping: the row waits for the next start
            raise RetryLater("telegram channel stopped", delay=0.0)
        chat_id = int(row.address)
        self._in_flight += 1
        self._idle.clear()
        try:
            sent = await self._send(chat_id, row.message, throttle)
        except RetryAfter as exc:
            delay = _seconds(exc.retry_after)
            raise RetryLater(f"flood limit, retry after {delay:g}s", delay, True) from exc
        except Forbidden as exc:  # blocked by the user, or the account is gone
            raise Unreachable(str(exc)) from exc
        except BadRequest as exc:  # (a NetworkError subclass: caught first)
            raise Rejected(str(exc)) from exc
        except (TimedOut, NetworkError) as exc:  # timeouts, connection errors, 5xx
            raise RetryLater(f"{type(exc).__name__}: {exc}") from exc
        except TelegramError as exc:
            raise RetryLater(f"{type(exc).__name__}: {exc}") from exc
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()
        return Delivered(f"{chat_id}:{sent.message_id}")

    async def close(self, timeout: float) -> None:
        """Start no more sends; wait (up to `timeout`) for those on the wire to finish, so
        that a clean stop does not leave a delivered message to be sent again."""
        self.closed = True
        if self._in_flight:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), timeout)

    async def _call(self, throttle: Throttle) -> None:
        await throttle(1)

    async def _send(self, chat_id: int, message: Message, throttle: Throttle) -> TgMessage:
        text, markup = kb.render(message)
        if message.attachment is None:
            await self._call(throttle)
            return await self.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
        path = Path(message.attachment)
        if not path.is_file():
            raise Rejected(f"attachment not found: {path}")
        caption: str | None = text
        if len(text) > CAPTION_LIMIT:  # the text first, then the file on its own
            await self._call(throttle)
            await self.bot.send_message(chat_id=chat_id, text=text)
            caption = None
        await self._call(throttle)
        if path.suffix.lower() == ".png":
            return await self.bot.send_photo(chat_id, path, caption=caption, reply_markup=markup)
        return await self.bot.send_document(
            chat_id, path, caption=caption, reply_markup=markup, filename=path.name
        )
