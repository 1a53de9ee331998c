"""The fault suite, short form (`make faults` runs it at full size: the `faults` package).

Each test runs one scenario against `baraza run` in a subprocess (two of them sharing one
PostgreSQL in the last), with the fake Bot API and the fake Twilio API in another process,
and counts afterwards what the fakes saw and what the database holds. Every check must hold: nothing lost. The table of checks (tried,
held, lost) is printed at the end of the run.

Set BARAZA_FAULTS=full to run the full sizes under pytest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from faults.duplicates import scenario_duplicates
from faults.hostile import scenario_hostile
from faults.kills import scenario_kills
from faults.ledger import Check, Ledger
from faults.provider_faults import scenario_provider_faults
from faults.scale import scenario_pg_short
from faults.sizes import current_sizes
from tests.conftest import add_summary
from tests.infra.postgres import PostgresServer

pytestmark = pytest.mark.runs_long
SIZES = current_sizes()
LEDGER = Ledger()
FACILITATOR_CHECK = "facilitator's /poll delivered twice: applied once"


@pytest.fixture(autouse=True)
def print_table(request: pytest.FixtureRequest) -> Iterator[None]:
    """The table of checks so far rides on each test's report; the longest is printed."""
    yield
    if LEDGER.checks:
        add_summary(request.node, "Fault suite (tried / held / lost)", LEDGER.table())


def assert_held(checks: list[Check], *, but: tuple[str, ...] = ()) -> None:
    assert checks, "the scenario recorded no checks"
    lost = [c for c in checks if c.lost and c.name not in but]
    assert not lost, "lost:\n" + "\n".join(
        f"  {c.name}: tried {c.tried}, held {c.held}, lost {c.lost} {c.note}" for c in lost
    )


@pytest.fixture(scope="module")
def duplicates(tmp_path_factory: pytest.TempPathFactory) -> list[Check]:
    asyncio.run(scenario_duplicates(tmp_path_factory.mktemp("duplicates"), SIZES, LEDGER))
    return LEDGER.of("duplicates")


def test_kill_9_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    asyncio.run(scenario_kills(tmp_path, SIZES, LEDGER))
    assert_held(LEDGER.of("kill -9"))


def test_provider_faults_delay_but_lose_nothing_and_keep_order(tmp_path: Path) -> None:
    asyncio.run(scenario_provider_faults(tmp_path, SIZES, LEDGER))
    assert_held(LEDGER.of("provider faults"))


def test_redelivered_answers_and_votes_count_once(duplicates: list[Check]) -> None:
    assert_held(duplicates, but=(FACILITATOR_CHECK,))


def test_a_redelivered_facilitator_command_applies_once(duplicates: list[Check]) -> None:
    [check] = [c for c in duplicates if c.name == FACILITATOR_CHECK]
    assert check.lost == 0, check.note


def test_hostile_input_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    scenario_hostile(tmp_path, SIZES, LEDGER)
    assert_held(LEDGER.of("hostile input"))


def test_two_processes_on_postgresql_lose_nothing_and_send_nothing_twice(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    """Two `baraza run` on one PostgreSQL: the poller's holder killed, the server restarted,
    the sender's holder killed (`make faults` runs each of these at full size)."""
    asyncio.run(scenario_pg_short(tmp_path, SIZES, LEDGER, server=postgres_server))
    assert_held(LEDGER.of("PostgreSQL: 2 processes"))
