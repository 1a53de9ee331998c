"""Which migrations a database has had: their names in `schema_migrations`, on both backends.

Migrations are the files `storage/migrations/NNN_name.sql`, applied in the order of their
numbers. A database records the name of each one it has had, not one version number, so a
migration whose number was reserved and lands later (`008_*` on a database that already
has `009_*` to `011_*`) is still applied.

Databases made before the table existed carry one number (SQLite's `PRAGMA
user_version`; PostgreSQL's `baraza_schema` table): it stands for the migrations in
`NUMBERED`, the ones shipped while that number was kept, up to it.

A migration that arrives late (numbered below one already applied) may have been applied
already under a number (a branch's runner that kept `user_version` and had it): if running
it fails because its tables or columns are already there, it counts as applied.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources
from typing import Any

from storage.conn import Conn

log = logging.getLogger(__name__)

TABLE = "schema_migrations"
CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
)
NUMBERED = frozenset(
    {
        "001_core",
        "002_facilitation",
        "003_pacing",
        "004_runs_dialogue",
        "005_web",
        "006_agenda",
        "007_health",
        "009_facilitator_drafts",
        "010_answers_by_step",
        "011_statements",
    }
)
"""The migrations a single schema version number could stand for (before the table)."""


@dataclass(frozen=True, order=True)
class Migration:
    number: int
    name: str
    """The file name without `.sql`, e.g. `010_answers_by_step`."""
    sql: str


def shipped() -> list[Migration]:
    """Every `NNN_name.sql` in storage/migrations, in order."""
    return files(resources.files("storage") / "migrations")


def files(folder: Any) -> list[Migration]:
    found = []
    if folder.is_dir():
        for item in folder.iterdir():
            name = str(item.name)
            if name.endswith(".sql") and name[:3].isdigit():
                stem = name.removesuffix(".sql")
                found.append(Migration(int(name[:3]), stem, item.read_text(encoding="utf-8")))
    return sorted(found)


def from_number(version: int) -> set[str]:
    """The migrations a database at schema version `version` (the old way) has had."""
    return {m.name for m in shipped() if m.name in NUMBERED and m.number <= version}


def recorded(conn: Conn) -> set[str]:
    """The names in the table (which must exist)."""
    return {str(r[0]) for r in conn.execute(f"SELECT name FROM {TABLE}").fetchall()}


def record(conn: Conn, names: set[str] | list[str], now: str) -> None:
    conn.executemany(
        f"INSERT INTO {TABLE} (name, applied_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        [(name, now) for name in sorted(names)],
    )


def pending(applied: set[str]) -> list[Migration]:
    return [m for m in shipped() if m.name not in applied]


def is_late(migration: Migration, applied: set[str]) -> bool:
    """Numbered below a migration the database already has."""
    return any(
        int(name[:3]) > migration.number for name in applied if name[:3].isdigit()
    )


def already_there(exc: BaseException) -> bool:
    """The error of a migration whose tables, indexes or columns exist already."""
    text = str(exc).lower()
    return "already exists" in text or "duplicate column" in text


def latest() -> set[str]:
    return {m.name for m in shipped()}
