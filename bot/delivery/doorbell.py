"""Wakes every sender when turns queue messages."""

from __future__ import annotations

import asyncio


class Doorbell:
    def __init__(self) -> None:
        self._events: list[asyncio.Event] = []

    def subscribe(self) -> asyncio.Event:
        event = asyncio.Event()
        self._events.append(event)
        return event

    def ring(self) -> None:
        for event in self._events:
            event.set()
