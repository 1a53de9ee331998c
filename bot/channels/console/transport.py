"""The console's transport: a message is printed, as a basic phone would show it."""

from __future__ import annotations

from typing import TextIO

from bot.channels.text import render
from bot.delivery import Delivered, Delivery, Rejected, Throttle
from bot.engine.io import Message

CHANNEL = "console"


class ConsoleTransport:
    channel = CHANNEL

    def __init__(self, stdout: TextIO) -> None:
        self.stdout = stdout

    async def deliver(self, delivery: Delivery, throttle: Throttle) -> Delivered:
        message = delivery.what
        if not isinstance(message, Message):
            raise Rejected(f"the console cannot show {type(message).__name__}")
        text = render(message)
        if message.attachment:  # the console shows where the file is: it stays
            text += f"\n[{message.attachment}]"
        self.stdout.write(text + "\n\n")
        self.stdout.flush()
        return Delivered(keeps_attachment=bool(message.attachment))
