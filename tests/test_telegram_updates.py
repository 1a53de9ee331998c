"""From an update to what happened: polled updates one chat's in order, different chats at
the same time; commands and buttons read as python-telegram-bot's handlers would."""

from __future__ import annotations

import asyncio
import datetime as dtm

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
    User,
)

from bot.channels.telegram import keyboards as kb
from bot.channels.telegram.polling import Handled, by_chat
from bot.channels.telegram.updates import read
from bot.engine.io import Inbound
from bot.engine.state import Item

NOW = dtm.datetime(2026, 11, 30, 9, 0, tzinfo=dtm.UTC)
ADA = User(5, "Ada", False, language_code="fr")


def message(update_id: int, chat_id: int, text: str = "hi", kind: str = Chat.PRIVATE) -> Update:
    entities: tuple[MessageEntity, ...] = ()
    if text.startswith("/"):
        entities = (MessageEntity(MessageEntity.BOT_COMMAND, 0, len(text.split()[0])),)
    chat = Chat(id=chat_id, type=kind)
    return Update(
        update_id, message=Message(update_id, NOW, chat, ADA, text=text, entities=entities)
    )


def press(data: str, markup: InlineKeyboardMarkup | None = None) -> Update:
    shown = Message(3, NOW, Chat(id=5, type=Chat.PRIVATE), reply_markup=markup)
    return Update(9, callback_query=CallbackQuery("q9", ADA, "ci", message=shown, data=data))


async def test_one_chats_updates_never_overtake_and_chats_overlap() -> None:
    log: list[str] = []

    async def handle(update: Update) -> Handled:
        name = f"{update.effective_chat.id}:{update.update_id}"  # type: ignore[union-attr]
        log.append(f"start {name}")
        await asyncio.sleep(0.05 if update.update_id == 1 else 0)  # a slow first turn
        log.append(f"end {name}")
        return Handled.FAILED if update.update_id == 3 else Handled.DONE

    failed = await by_chat([message(1, 5), message(2, 5), message(3, 6)], handle)
    assert failed == {3: Handled.FAILED}
    assert log.index("end 5:1") < log.index("start 5:2")  # chat 5 in order
    assert log.index("end 6:3") < log.index("end 5:1")  # chat 6 did not wait for chat 5


async def test_after_an_update_the_database_could_not_take_its_chat_waits() -> None:
    """Its chat's later updates are not tried (they come again after it, in order); other
    chats go on."""
    tried: list[int] = []

    async def handle(update: Update) -> Handled:
        tried.append(update.update_id)
        return Handled.LATER if update.update_id == 1 else Handled.DONE

    undone = await by_chat([message(1, 5), message(2, 5), message(3, 6)], handle)
    assert undone == {1: Handled.LATER, 2: Handled.WAITING}
    assert sorted(tried) == [1, 3]


def test_commands_as_the_handlers_read_them() -> None:
    def said(text: str) -> Inbound | None:
        incoming = read(message(1, 5, text), "baraza_bot")
        return incoming.inbound if incoming is not None else None

    assert said("/start water") == Inbound(kind="start", code="water", lang_hint="fr")
    assert said("/Language@Baraza_Bot es") == Inbound(text="LANG es", lang_hint="fr")
    assert said("/stop") == Inbound(text="STOP", lang_hint="fr")
    assert said("/poll Q | A | B") == Inbound(text="/poll Q | A | B", lang_hint="fr")
    assert said("/start@other_bot") == Inbound(text="HELP", lang_hint="fr")
    assert said("/nonsense") == Inbound(text="HELP", lang_hint="fr")
    assert said("2 3") == Inbound(text="2 3", lang_hint="fr")
    assert read(message(1, -100, "/start", Chat.SUPERGROUP), "baraza_bot") is None


def test_buttons_as_taps() -> None:
    markup = kb.multi_keyboard(4, 0, ["Water", "Roads"])
    toggle = read(press("m:4:0:1", markup), "baraza_bot")
    assert toggle is not None and toggle.inbound is None  # redrawn in place, no turn
    assert toggle.press is not None and not toggle.press.closed
    vote = read(press("p:7:1"), "baraza_bot")
    assert vote is not None and vote.inbound == Inbound(
        kind="button", seq=0, picks=(1,), item=Item("poll", 7), lang_hint="fr"
    )
    done = read(press("d:4:3", markup), "baraza_bot")
    assert done is not None and done.inbound is not None and done.inbound.picks == (0, 1)
    for stale in ("x", "garbled", "a:-1:0"):
        closed = read(press(stale), "baraza_bot")
        assert closed is not None and closed.inbound is None
        assert closed.press is not None and closed.press.closed


def test_after_a_tap_the_keyboard_shows_what_the_facts_say() -> None:
    from bot.engine.io import Asks, Recorded, Refused

    tap = kb.Tap("answer", 2, 1)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="a:2:0")]])
    answered = kb.after(tap, markup, [Recorded(Asks("step", "1:f:s"), ("Non",))], True)
    assert answered == kb.Redraw(kb.chosen_keyboard(["Non"]))
    assert kb.after(tap, markup, [Refused("closed")], True) == kb.Redraw(None)
    assert kb.after(tap, markup, None, True) == kb.Redraw(None)  # nobody can answer it now
    assert kb.after(tap, markup, None, False) is None
    ballot = kb.poll_keyboard(7, ["Water", "Roads"])
    vote = kb.Tap("vote", 7, 1)
    marked = kb.after(vote, ballot, [Recorded(Asks("poll", "7"), ("Roads",))], True)
    assert marked == kb.Redraw(kb.poll_keyboard(7, ["Water", "Roads"], chosen=1))
