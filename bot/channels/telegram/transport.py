"""Sending to Telegram, and what the Bot API's errors mean for the `Sender`.

A delivery is a message (sendMessage, or sendPhoto/sendDocument with an attachment) or
one of the actions below (a keyboard redrawn, a button press answered). Each Bot API call
first waits for the Sender's `throttle` (30 a second overall, strictly).

- 429 (`RetryAfter`): retry after the delay Telegram gives, and pause every send meanwhile
- 403 (`Forbidden`: blocked by the person): they are unreachable until they write again
- 400 (`BadRequest`): this one can never be sent; marked failed (an action: dropped)
- timeouts, connection errors, 5xx: retried with backoff
"""

from __future__ import annotations

import datetime as dtm
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from telegram import Bot, InlineKeyboardMarkup
from telegram import Message as TgMessage
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.channels.telegram import keyboards as kb
from bot.delivery import Action, Delivered, Delivery, Rejected, RetryLater, Throttle, Unreachable
from bot.engine.io import Message

CHANNEL = "telegram"
CAPTION_LIMIT = 1024


@dataclass(frozen=True)
class AnswerPress(Action):
    """Answer a button press (`text`: shown as a short notice), ending its spinner."""

    query_id: str
    text: str | None = None
    lifetime: ClassVar[float] = 10.0
    """Telegram takes an answer only for a few seconds after the press."""


@dataclass(frozen=True)
class EditKeyboard(Action):
    """Replace the keyboard of the bot's message `message_id` (None: remove it)."""

    message_id: int
    markup: InlineKeyboardMarkup | None
    lifetime: ClassVar[float] = 60.0


def _seconds(value: float | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


class TelegramTransport:
    """Delivers to Telegram through python-telegram-bot's `Bot`; see the module docstring."""

    channel = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def deliver(self, delivery: Delivery, throttle: Throttle) -> Delivered:
        chat_id = int(delivery.address)
        try:
            match delivery.what:
                case Message() as message:
                    sent = await self._send(chat_id, message, throttle)
                    return Delivered(f"{chat_id}:{sent.message_id}")
                case AnswerPress(query_id=query_id, text=text):
                    await throttle(1)
                    await self.bot.answer_callback_query(query_id, text)
                case EditKeyboard(message_id=message_id, markup=markup):
                    await throttle(1)
                    await self.bot.edit_message_reply_markup(
                        chat_id=chat_id, message_id=message_id, reply_markup=markup
                    )
                case other:
                    raise Rejected(f"telegram cannot show {type(other).__name__}")
        except RetryAfter as exc:
            delay = _seconds(exc.retry_after)
            raise RetryLater(f"flood limit, retry after {delay:g}s", delay, True) from exc
        except Forbidden as exc:  # blocked by the user, or the account is gone
            raise Unreachable(str(exc)) from exc
        except BadRequest as exc:  # (a NetworkError subclass: caught first)
            raise Rejected(str(exc)) from exc
        except TelegramError as exc:  # timeouts, connection errors, 5xx
            raise RetryLater(f"{type(exc).__name__}: {exc}") from exc
        return Delivered()

    async def _send(self, chat_id: int, message: Message, throttle: Throttle) -> TgMessage:
        text, markup = kb.render(message)
        if message.attachment is None:
            await throttle(1)
            return await self.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
        path = Path(message.attachment)
        if not path.is_file():
            raise Rejected(f"attachment not found: {path}")
        caption: str | None = text
        if len(text) > CAPTION_LIMIT:  # the text first, then the file on its own
            await throttle(1)
            await self.bot.send_message(chat_id=chat_id, text=text)
            caption = None
        await throttle(1)
        if path.suffix.lower() == ".png":
            return await self.bot.send_photo(chat_id, path, caption=caption, reply_markup=markup)
        return await self.bot.send_document(
            chat_id, path, caption=caption, reply_markup=markup, filename=path.name
        )
