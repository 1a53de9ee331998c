"""Bench 2's open-loop generator (`bench.sms_webhook.open_loop`) against a loopback
server: every request sent on schedule is answered and counted once, and a kept-alive
connection the server closed meanwhile costs a retry, not an error."""

from __future__ import annotations

import asyncio
import contextlib

from bench.sms_webhook import open_loop, raw_request


class Server:
    """An HTTP server that answers 200 to each request and, after `close_after`
    answers, closes the connection when the next request comes in, unanswered (a
    keep-alive timeout that fired as the request crossed it)."""

    def __init__(self, close_after: int) -> None:
        self.close_after = close_after
        self.seen: list[bytes] = []
        self.dropped = 0
        self.handlers: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> int:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        if self.handlers:  # each ends at the end of its connection, closed by the client
            await asyncio.wait(self.handlers, timeout=10)
        assert not self.handlers
        await self.server.wait_closed()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.handlers.add(task)
        try:
            await self.answer(reader, writer)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            self.handlers.discard(task)

    async def answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for _ in range(self.close_after):
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                self.seen.append(await reader.readexactly(length))
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
            await reader.readuntil(b"\r\n\r\n")
            self.dropped += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass


async def test_every_request_is_sent_on_schedule_and_counted_once() -> None:
    server = Server(close_after=10**6)
    async with server as port:
        requests = [raw_request(port, "sig", f"MessageSid=SM{n}") for n in range(1000)]
        loop = asyncio.get_running_loop()
        started = loop.time()
        result = await open_loop(port, requests, rate=400, seconds=0.5)
        took = loop.time() - started
    assert result["requests"] == 200 and result["errors"] == 0
    assert result["statuses"] == {200: 200}
    assert sorted(server.seen) == sorted(f"MessageSid=SM{n}".encode() for n in range(200))
    assert 0.45 < took < 5 and 0 < result["p50_ms"] <= result["p99_ms"]


async def test_a_connection_closed_by_the_server_is_tried_again_not_lost() -> None:
    server = Server(close_after=3)
    async with server as port:
        requests = [raw_request(port, "sig", f"MessageSid=SM{n}") for n in range(1000)]
        result = await open_loop(port, requests, rate=300, seconds=0.5)
    assert result["requests"] == 150 and result["errors"] == 0
    assert server.dropped > 10
    assert {f"MessageSid=SM{n}".encode() for n in range(150)} <= set(server.seen)
