"""How big each scenario runs: SHORT under `make test`, FULL under `make faults`."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    participants: int
    kills: int
    kill_gap: tuple[float, float]
    stagger: float
    think: tuple[float, float]
    settle: float
    fault_period: float
    fault_participants: int
    fault_settle: float
    dup_participants: int
    fuzz_examples: int
    twilio_mps: float = 100.0
    pg_participants: int = 40
    """PostgreSQL scenarios (faults/scale.py): participants, their start spread (s), the
    send lease (s), how often the server is restarted."""
    pg_stagger: float = 6.0
    pg_lease: float = 10.0
    pg_restarts: int = 1
    pg_poll_opens: float | None = 15.0
    """Seconds after the facilitator's scheduled poll is made at which the harness moves
    its opening (None: a minute, the least lead the command takes). Under `make test` the
    scenario's disruptions are over long before a minute, and waiting for it took 40 of
    the short scenario's 83 s; the scheduler still opens it, once, from the database."""


SHORT = Sizes(
    participants=50,
    kills=3,
    kill_gap=(1.5, 3.5),
    stagger=6.0,
    think=(0.3, 2.0),
    settle=60.0,
    fault_period=10.0,
    fault_participants=16,
    fault_settle=90.0,
    dup_participants=16,
    fuzz_examples=15,
)
FULL = Sizes(
    participants=1000,
    kills=10,
    kill_gap=(3.0, 8.0),
    stagger=50.0,
    think=(2.0, 8.0),
    settle=300.0,
    fault_period=60.0,
    fault_participants=100,
    fault_settle=300.0,
    dup_participants=200,
    fuzz_examples=150,
    pg_participants=1000,
    pg_stagger=40.0,
    pg_lease=20.0,
    pg_restarts=3,
    pg_poll_opens=None,
)


def current_sizes() -> Sizes:
    return FULL if os.environ.get("BARAZA_FAULTS") == "full" else SHORT
