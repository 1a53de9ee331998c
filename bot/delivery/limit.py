"""A strict rolling rate limit, on a clock the caller gives (a test's, in tests)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

CATCH_UP = 0.05
"""Seconds a late grant may make up (a sleep that overslept), so the rate is kept on
average: at 200/s up to 10 sends close together, at 30/s one."""


class RollingLimit:
    """At most `rate` units a second, strictly: over any window of `period` seconds the
    costs add up to at most `rate * period`. Unlike a token bucket there is no burst on
    top of the rate, so no rolling second ever holds more than the provider allows.
    `margin` stretches the window a little against network jitter between this clock and
    the provider's.

    Grants are also spaced evenly (`cost / rate` apart, catching up at most `CATCH_UP`
    seconds behind): a whole second's worth granted at once, then the next second's,
    reached the provider as up to 1.3 times its rate in one of its seconds (bench 3, the
    delays between here and there moving two bursts together).

    `clock` (monotonic seconds) and `sleep` are injectable: a test drives both and checks
    the rate exactly, whatever the machine's load.
    """

    def __init__(
        self,
        rate: float,
        margin: float = 1.0,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be above 0")
        base = max(1.0, 1.0 / rate)
        self.capacity = rate * base
        self.period = base * margin
        self.clock = clock
        self.sleep = sleep
        self.rate = rate
        self._spent: deque[tuple[float, float]] = deque()
        self._used = 0.0
        self._due = float("-inf")
        """When the next unit may go (the last grant plus its spacing)."""
        self._lock = asyncio.Lock()

    async def acquire(self, cost: float = 1.0) -> float:
        """Wait until `cost` fits; returns the time (on `clock`) it was granted."""
        cost = min(cost, self.capacity)
        async with self._lock:
            while True:
                now = self.clock()
                while self._spent and self._spent[0][0] <= now - self.period:
                    self._used -= self._spent.popleft()[1]
                fits = self._used + cost <= self.capacity + 1e-9
                if fits and now + 1e-9 >= self._due:
                    break
                wait = self._due - now
                if not fits:
                    wait = max(wait, self._spent[0][0] + self.period - now)
                await self.sleep(wait)
            self._spent.append((now, cost))
            self._used += cost
            late = now - self._due  # a sleep that overslept is made up, an idle spell not
            self._due = (self._due if late <= CATCH_UP else now) + cost / self.rate
            return now
