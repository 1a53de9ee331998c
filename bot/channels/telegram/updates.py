"""From a Telegram update to what happened: a pure mapping, no I/O.

`read(update, username)` gives an `Incoming`: the chat, the `Inbound` for the engine (if
any) and, for a button press, a `Press` (what to answer, and the keyboard it was on). Only
private chats count; anything else (groups, edited messages, other update kinds) is None.

- `/start [code]`: a join (a deep link carries the dialogue code);
- `/help`, `/skip`, `/language [xx]`, `/stop`, `/mydata`, `/delete`: the engine keywords;
- facilitator commands (`/poll ...`): the text as typed, for the runner's facilitation;
- any other command, or one for another bot (`/x@other_bot`): HELP;
- typed text; anything else (a photo, a sticker) counts as its caption or nothing, so the
  engine asks the question again;
- a button: an answer, a vote, or Done of a multi question goes to the engine; a toggle of
  a multi question and a tap on a stale or garbled button do not.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, MessageEntity, Update
from telegram import Message as TgMessage
from telegram.constants import ChatType

from bot.channels.telegram import keyboards as kb
from bot.channels.telegram.menus import FACILITATOR_COMMANDS, KEYWORD_COMMANDS
from bot.engine.io import Inbound
from bot.engine.state import Item, ItemKind
from bot.records import quick_init

BALLOTS: dict[str, ItemKind | None] = {
    "answer": None,
    "done": None,
    "vote": "poll",
    "stance": "statement",
}
"""Taps that go to the engine, and the agenda item a vote or stance is for (None: the
question drawn with the tap's counter)."""


@quick_init
@dataclass(frozen=True)
class Press:
    """A button press: it is always answered (Telegram shows a spinner until then)."""

    query_id: str
    message_id: int | None
    """The message the button was on (None if Telegram no longer shows it to us)."""
    tap: kb.Tap | None
    """None: garbled, not ours, or on a message we cannot see; answered as closed."""
    markup: InlineKeyboardMarkup | None

    @property
    def closed(self) -> bool:
        """Answered as closed, with no turn: stale, garbled, or the marked choice."""
        return self.tap is None or self.message_id is None or self.tap.kind == "closed"


@quick_init
@dataclass(frozen=True)
class Incoming:
    update_id: int
    chat_id: int
    inbound: Inbound | None
    """What goes to the engine; None: nothing (a toggle, a closed tap)."""
    press: Press | None = None
    lang_hint: str | None = None


def read(update: Update, username: str) -> Incoming | None:
    """What `update` means for Baraza, or None if nothing (see the module docstring)."""
    user = update.effective_user
    hint = user.language_code if user is not None else None
    if update.message is not None:
        message = update.message
        if message.chat is None or message.chat.type != ChatType.PRIVATE:
            return None
        said = _inbound(message, username, hint)
        return Incoming(update.update_id, message.chat.id, said, lang_hint=hint)
    query = update.callback_query
    if query is not None:
        shown = query.message if isinstance(query.message, TgMessage) else None
        private = shown is not None and shown.chat.type == ChatType.PRIVATE
        chat_id = shown.chat.id if shown is not None else query.from_user.id
        tap = kb.parse(query.data) if private else None
        press = Press(
            query.id,
            shown.message_id if shown is not None and private else None,
            tap,
            shown.reply_markup if shown is not None else None,
        )
        inbound: Inbound | None = None
        if not press.closed and tap is not None and tap.kind in BALLOTS:
            ballot = BALLOTS[tap.kind]
            vote = Item(ballot, tap.seq) if ballot is not None else None
            inbound = Inbound(
                kind="button",
                seq=0 if vote is not None else tap.seq,
                picks=tap.picks,
                item=vote,
                lang_hint=hint,
            )
        return Incoming(update.update_id, chat_id, inbound, press, hint)
    return None


def _inbound(message: TgMessage, username: str, hint: str | None) -> Inbound:
    command = _command(message, username)
    if command is None:
        text = message.text if message.text is not None else (message.caption or "")
        return Inbound(text=text, lang_hint=hint)
    name, args = command
    if name == "start":
        return Inbound(kind="start", code=args[0] if args else None, lang_hint=hint)
    if name in KEYWORD_COMMANDS:
        text = KEYWORD_COMMANDS[name]
        if name == "language" and args:  # /language fr
            text = f"LANG {args[0]}"
        return Inbound(text=text, lang_hint=hint)
    if name in FACILITATOR_COMMANDS:
        return Inbound(text=message.text or "", lang_hint=hint)
    return Inbound(text="HELP", lang_hint=hint)


def _command(message: TgMessage, username: str) -> tuple[str, list[str]] | None:
    """(`poll`, args) for `/Poll@baraza_bot args`, as python-telegram-bot's CommandHandler
    reads it; ("", args) for a command to another bot; None for no command."""
    text, entities = message.text, message.entities
    if not text or not entities:
        return None
    first = entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    name, _, bot = text[1 : first.length].partition("@")
    args = text.split()[1:]
    if bot and bot.lower() != username.lower():
        return "", args
    return name.lower(), args


def malformed(update: Update) -> str | None:
    """Why an update can never be handled (a message with no chat...), or None."""
    message = update.message
    if message is not None and (message.chat is None or message.date is None):
        return "a message without its chat or date"
    query = update.callback_query
    if query is not None and (not query.id or query.from_user is None):
        return "a button press without its id or sender"
    return None
