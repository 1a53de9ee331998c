"""A conversation in the terminal, or over piped stdin.

One line in is one message; every bot message is printed to stdout, through the console's
Sender like any channel's, before the next line is read. At EOF it exits. With piped stdin
each line read is echoed as `> line`, as a terminal would show it. The participant's
address is `console:<name>` (`--as`), so running it again with the same name resumes where
that participant was.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.channels.console.transport import CHANNEL, ConsoleTransport
from bot.delivery import Limits, Sender
from bot.engine.io import Inbound
from bot.turns import Envelope, TurnRunner

LIMITS = Limits(rate=1000.0, concurrency=1, margin=1.0)
"""A terminal has no provider limit; one message at a time keeps the transcript in order."""


class Console:
    def __init__(
        self,
        runner: TurnRunner,
        address: str,
        *,
        lang_hint: str | None = None,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
    ) -> None:
        self.runner = runner
        self.address = address
        self.lang_hint = lang_hint
        self.stdin = stdin
        self.stdout = stdout
        self.interactive = stdin.isatty()
        self.sender = Sender(runner.db, ConsoleTransport(stdout), LIMITS, address=address)
        """This terminal shows one person's messages: those to `address`."""

    async def send(self, inbound: Inbound) -> None:
        await self.runner.handle(Envelope(CHANNEL, self.address, inbound))
        await self.runner.dispatch()
        await self.drain()

    async def drain(self) -> int:
        """Print every message queued for this person, in order."""
        printed = 0
        while sent := await self.sender.drain_once():
            printed += sent
        return printed

    async def _readline(self) -> str:
        if self.interactive:
            self.stdout.write("> ")
            self.stdout.flush()
        return await asyncio.to_thread(self.stdin.readline)

    async def run(self) -> None:
        await self.send(Inbound(kind="open", lang_hint=self.lang_hint))
        while True:
            line = await self._readline()
            if not line:
                return
            text = line.rstrip("\r\n")
            if not self.interactive:  # piped: echo, so the transcript reads as a conversation
                self.stdout.write(f"> {text}\n")
                self.stdout.flush()
            await self.send(Inbound(text=text, lang_hint=self.lang_hint))
