"""The console channel: a conversation in the terminal, or over piped stdin.

One line in is one message; every bot message is printed to stdout. At EOF it exits.
With piped stdin each line read is echoed as `> line`, as a terminal would show it.
The participant's address is `console:<name>` (`--as`), so running it again with the
same name resumes where that participant was.
"""

from __future__ import annotations

import asyncio
import sys
from functools import partial
from typing import TextIO

from bot.channels.text import render
from bot.engine.io import Inbound
from bot.turns import Envelope, TurnRunner
from storage import outbox
from storage.conn import Conn

CHANNEL = "console"


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

    async def send(self, inbound: Inbound) -> None:
        await self.runner.handle(Envelope(CHANNEL, self.address, inbound))
        await self.runner.dispatch()
        await self.drain()

    async def drain(self) -> int:
        """Print every queued console message, in order, and mark it sent."""
        printed = 0
        while True:
            rows = await self.runner.db.write(self._claim)
            if not rows:
                return printed
            for row in rows:
                text = render(row.message)
                if row.message.attachment:  # the console shows where the file is: it stays
                    text += f"\n[{row.message.attachment}]"
                self.stdout.write(text + "\n\n")
            self.stdout.flush()
            printed += len(rows)
            await self.runner.db.write(partial(self._done, rows, self.runner.clock().isoformat()))

    def _claim(self, conn: Conn) -> list[outbox.Outgoing]:
        return outbox.claim(conn, CHANNEL, float("inf"), 1, address=self.address)

    @staticmethod
    def _done(rows: list[outbox.Outgoing], stamp: str, conn: Conn) -> None:
        for row in rows:
            outbox.sent(conn, row.id, None, stamp)

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
