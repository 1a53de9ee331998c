"""The organisers' commands as they are typed: `baraza facilitators`, `dashboard` and
`export` in a subprocess, on a real SQLite file, checking the lines and exit codes."""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bot.engine.io import Inbound
from bot.facilitator.export import COLUMNS
from bot.runtime import Content, open_runner
from bot.turns import Envelope
from tests.conftest import ROOT, make_settings

pytestmark = pytest.mark.runs_long

NOT_A_NUMBER = (
    "baraza facilitators add: 'tel:12' is not a valid phone number (read with"
    " DEFAULT_REGION=US): write it with its country code, e.g. tel:+254712345678"
)


def baraza(tmp_path: Path, *args: str, **env: str) -> tuple[int, list[str], list[str]]:
    """Run `baraza ARGS` in `tmp_path`: exit code, stdout lines, stderr lines."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TWILIO_"))}
    environ.update(
        DATABASE_PATH=str(tmp_path / "baraza.sqlite3"),
        FLOWS_DIR=str(ROOT / "flows"),
        LOCALES_DIR=str(ROOT / "locales"),
        FACILITATORS="",
        DEFAULT_REGION="US",
    )
    environ.update(env)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode, result.stdout.splitlines(), result.stderr.splitlines()


def without_times(lines: list[str]) -> list[str]:
    return [line.split("\tadded ")[0] for line in lines]


def test_addresses_are_normalised_and_said(tmp_path: Path) -> None:
    kenya = {"DEFAULT_REGION": "KE"}
    assert baraza(tmp_path, "facilitators", "add", "tel:0712 345 678", **kenya) == (
        0,
        ["tel:+254712345678 (written 'tel:0712 345 678') added to baraza"],
        [],
    )
    assert baraza(tmp_path, "facilitators", "add", "tel:+254712345678") == (
        0,
        ["tel:+254712345678 already facilitates baraza"],
        [],
    )
    assert baraza(tmp_path, "facilitators", "add", "Telegram:00123456789")[1] == [
        "telegram:123456789 (written 'Telegram:00123456789') added to baraza"
    ]
    assert baraza(tmp_path, "facilitators", "add", "console:org")[1] == [
        "console:org added to baraza"
    ]
    code, out, err = baraza(tmp_path, "facilitators", "list")
    assert (code, err) == (0, [])
    assert without_times(out) == [
        "console:org\tbaraza",
        "tel:+254712345678\tbaraza",
        "telegram:123456789\tbaraza",
    ]
    assert all(line.endswith(" UTC") for line in out)


@pytest.mark.parametrize(
    ("address", "region", "reason"),
    [
        ("tel:12", "US", NOT_A_NUMBER.split(": ", 1)[1]),
        (
            "tel:0712345678",
            "US",
            "'tel:0712345678' is not a valid phone number (read with DEFAULT_REGION=US):"
            " write it with its country code, e.g. tel:+254712345678",
        ),
        (
            "telegram:abc",
            "US",
            "'telegram:abc' is not a Telegram user id: write the number (not the @username),"
            " e.g. telegram:123456789",
        ),
        (
            "console:ana maria",
            "US",
            "'console:ana maria' needs a name without spaces, commas or @ (the name given to"
            " `baraza chat --as`), e.g. console:org",
        ),
        (
            "+254712345678",
            "KE",
            "'+254712345678' is not an address: write telegram:<user id>, tel:<phone number>,"
            " whatsapp:<phone number> or console:<name>, e.g. tel:+254712345678",
        ),
    ],
)
def test_an_invalid_address_is_refused_with_the_reason(
    tmp_path: Path, address: str, region: str, reason: str
) -> None:
    assert baraza(tmp_path, "facilitators", "add", address, DEFAULT_REGION=region) == (
        2,
        [],
        [f"baraza facilitators add: {reason}"],
    )
    assert not (tmp_path / "baraza.sqlite3").exists()  # nothing was stored


def test_remove_says_what_it_did_or_why_not(tmp_path: Path) -> None:
    baraza(tmp_path, "facilitators", "add", "console:org")
    assert baraza(tmp_path, "facilitators", "remove", "console:nobody") == (
        1,
        [],
        ["baraza facilitators remove: console:nobody is not a facilitator (in this database)"],
    )
    assert baraza(
        tmp_path, "facilitators", "remove", "console:boss", FACILITATORS="console:boss"
    ) == (
        1,
        [],
        [
            "baraza facilitators remove: console:boss is not a facilitator (in this database):"
            " it is named in FACILITATORS; remove it there"
        ],
    )
    assert baraza(tmp_path, "facilitators", "remove", "tel:12") == (
        2,
        [],
        [NOT_A_NUMBER.replace(" add:", " remove:")],
    )
    assert baraza(tmp_path, "facilitators", "remove", "console:org") == (
        0,
        ["console:org removed from baraza"],
        [],
    )
    # an empty list says so, and says how to add one
    assert baraza(tmp_path, "facilitators", "list") == (
        0,
        ["no facilitators yet: add one with `baraza facilitators add ADDRESS`"],
        [],
    )
    # the ones named in FACILITATORS are listed too
    assert baraza(tmp_path, "facilitators", "list", FACILITATORS="console:boss tel:+1@baraza") == (
        0,
        ["console:boss\tevery dialogue\tfrom FACILITATORS", "tel:+1\tbaraza\tfrom FACILITATORS"],
        [],
    )


def test_a_row_stored_as_typed_before_can_still_be_removed(tmp_path: Path) -> None:
    baraza(tmp_path, "facilitators", "add", "console:org")  # creates the database
    with sqlite3.connect(tmp_path / "baraza.sqlite3") as conn:
        conn.execute("INSERT INTO facilitators VALUES ('telegram:abc', 'baraza', 'then')")
    assert baraza(tmp_path, "facilitators", "remove", "telegram:abc") == (
        0,
        ["telegram:abc removed from baraza"],
        [],
    )


@pytest.mark.parametrize(
    "args",
    [
        ("dashboard",),
        ("export", "--out", "answers.csv"),
        ("facilitators", "list"),
        ("facilitators", "remove", "console:org"),
    ],
)
def test_a_read_only_command_on_a_missing_database_names_it(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    typo = tmp_path / "barazza.sqlite3"
    assert baraza(tmp_path, *args, DATABASE_PATH=str(typo)) == (
        2,
        [],
        [f"baraza {args[0]}: no database at {typo} (give --db or set DATABASE_PATH)"],
    )
    other = tmp_path / "elsewhere" / "b.sqlite3"
    assert baraza(tmp_path, *args, "--db", str(other))[2] == [
        f"baraza {args[0]}: no database at {other} (give --db or set DATABASE_PATH)"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing was created


@pytest.fixture
async def answered(tmp_path: Path, content: Content) -> Path:
    """A database where three people answered onboarding's first questions."""
    path = tmp_path / "data" / "answers.sqlite3"
    runner = await open_runner(make_settings(tmp_path, database_path=path), content)
    for who, lang, replies in (("ana", "fr", ["oui", "2", "3"]), ("ben", "es", ["sí", "3", "1"])):
        await runner.handle(Envelope("console", who, Inbound(kind="open", lang_hint=lang)))
        for text in replies:
            await runner.handle(Envelope("console", who, Inbound(text=text)))
    await runner.db.close()
    return path


def test_dashboard_reads_the_database_given_with_db(tmp_path: Path, answered: Path) -> None:
    code, out, err = baraza(tmp_path, "dashboard", "--db", str(answered))
    assert (code, err) == (0, [])
    page = "\n".join(out)
    assert "Dashboard: Water for all (baraza)" in page
    # the two people in that file, not an empty one
    assert re.search(r"│ French +│ +<5 │", page) and re.search(r"│ Spanish +│ +<5 │", page)


def test_export_formats_load_as_analysts_load_them(tmp_path: Path, answered: Path) -> None:
    for fmt in ("json", "jsonl", "csv"):
        out = tmp_path / f"answers.{fmt}"
        assert baraza(
            tmp_path, "export", "--db", str(answered), "--format", fmt, "--out", str(out)
        ) == (
            0,
            [f"6 rows written to {out}"],
            [],
        )
    with (tmp_path / "answers.json").open(encoding="utf-8") as f:
        records = json.load(f)
    assert isinstance(records, list) and len(records) == 6
    assert list(records[0]) == list(COLUMNS)
    assert {r["participant"] for r in records} and {r["language"] for r in records} == {"fr", "es"}
    lines = (tmp_path / "answers.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records
    with (tmp_path / "answers.csv").open(encoding="utf-8", newline="") as f:
        assert [row["value"] for row in csv.DictReader(f)] == [r["value"] for r in records]
    frame = pd.read_json(tmp_path / "answers.json", dtype=False)
    lined = pd.read_json(tmp_path / "answers.jsonl", lines=True, dtype=False)
    for df in (frame, lined):
        assert list(df.columns) == list(COLUMNS) and len(df) == 6
        assert list(df["value"]) == [r["value"] for r in records]


def test_an_empty_json_export_is_an_empty_list(tmp_path: Path) -> None:
    baraza(tmp_path, "facilitators", "add", "console:org")  # a database with no answers
    out = tmp_path / "none.json"
    assert baraza(tmp_path, "export", "--format", "json", "--out", str(out)) == (
        0,
        [f"0 rows written to {out}"],
        [],
    )
    assert json.loads(out.read_text(encoding="utf-8")) == []
    assert pd.read_json(out).empty
