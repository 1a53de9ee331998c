"""Polled updates: one chat's in order, different chats at the same time."""

from __future__ import annotations

import asyncio
import datetime as dtm

from telegram import Chat, Message, Update

from bot.channels.telegram import PerChatUpdates


def update(update_id: int, chat_id: int) -> Update:
    chat = Chat(id=chat_id, type=Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, dtm.datetime.now(dtm.UTC), chat))


async def test_one_chats_updates_never_overtake_and_chats_overlap() -> None:
    log: list[str] = []

    async def turn(name: str, delay: float) -> None:
        log.append(f"start {name}")
        await asyncio.sleep(delay)
        log.append(f"end {name}")

    processor = PerChatUpdates(16)
    async with processor:
        await asyncio.gather(
            processor.process_update(update(1, 5), turn("a1", 0.05)),  # slow first turn
            processor.process_update(update(2, 5), turn("a2", 0)),
            processor.process_update(update(3, 6), turn("b1", 0)),
        )
    assert log.index("end a1") < log.index("start a2")  # chat 5 in order
    assert log.index("end b1") < log.index("end a1")  # chat 6 did not wait for chat 5
