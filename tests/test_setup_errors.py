"""Bad set-up ends in one line: the real `baraza` command in a subprocess, with a bad
setting, an unusable file, a taken port, a refused token or an unreachable API.

Each case checks the exit code and that stderr is exactly one `baraza: ...` line naming
the setting or path, with no traceback and no secret in it. Telegram is the local fake
Bot API (answering 401 for a refused token) or a closed port; nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from bot.config import Settings
from storage.db import database
from tests.conftest import ROOT
from tests.fakes import bind_loopback
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.twilio_api import FakeTwilioApi

pytestmark = pytest.mark.runs_long

TOKEN = "123456:AAEsecret-part-that-must-never-show"
SECRET_PART = TOKEN.split(":", 1)[1]
TRACEBACK = re.compile(
    r"Traceback \(most recent call last\)|^\s+File \"|^\w[\w.]*(Error|Exception)\b", re.M
)
TWILIO = {
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "twilio-auth-secret",
    "TWILIO_FROM_NUMBER": "+15005550006",
}
UNPRIVILEGED = ("--bounding-set=-dac_override,-dac_read_search,-fowner", "--")
"""setpriv arguments: root without the power to ignore file permissions."""


def env_for(tmp: Path, **settings: str) -> dict[str, str]:
    """The process environment without any Baraza setting, then `settings`."""
    ours = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in ours}
    env.update(
        DATABASE_PATH=str(tmp / "baraza.sqlite3"),
        FLOWS_DIR=str(ROOT / "flows"),
        LOCALES_DIR=str(ROOT / "locales"),
        FILES_DIR=str(tmp / "files"),
    )
    env.update(settings)
    return env


def command(*args: str, prefix: Sequence[str] = ()) -> list[str]:
    return [*prefix, sys.executable, "-m", "bot.cli", *args]


def baraza(
    tmp: Path, *args: str, prefix: Sequence[str] = (), **settings: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*args, prefix=prefix),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env_for(tmp, **settings),
        cwd=tmp,
        timeout=60,
        check=False,
    )


async def baraza_async(tmp: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """`baraza` while this test's event loop keeps serving a fake."""
    proc = await asyncio.create_subprocess_exec(
        *command(*args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env_for(tmp, **settings),
        cwd=tmp,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return subprocess.CompletedProcess(args, proc.returncode, out.decode(), err.decode())


def one_line(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The single `baraza: ...` line on stderr (checked: exit code, nothing else)."""
    assert result.returncode == code, result
    assert not TRACEBACK.search(result.stderr), result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("baraza: "), lines
    return lines[0]


async def existing_database(tmp: Path) -> None:
    """A database created (and migrated) before: `baraza run` logs nothing opening it."""
    async with database(tmp / "baraza.sqlite3"):
        pass


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A folder this user may not write to (0o555)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


def unprivileged() -> tuple[str, ...]:
    """A command prefix under which file permissions hold (root ignores them otherwise)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None or subprocess.run([setpriv, *UNPRIVILEGED, "true"], check=False).returncode:
        pytest.skip("running as root, and setpriv cannot drop the right to ignore permissions")
    return (setpriv, *UNPRIVILEGED)


def on_read_only_disk(folder: Path) -> tuple[str, ...]:
    """A command prefix that runs it with a read-only file system mounted on `folder`."""
    unshare = shutil.which("unshare")
    mount = ["sh", "-c", f'mount -t tmpfs -o ro tmpfs {folder} && exec "$@"', "sh"]
    if (
        unshare is None
        or subprocess.run(
            [unshare, "-rm", *mount, "true"], capture_output=True, check=False
        ).returncode
    ):
        pytest.skip("no user namespaces here to mount a read-only file system")
    return (unshare, "-rm", *mount)


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("setting", "value", "line"),
    [
        (
            "HTTP_PORT",
            "notaport",
            "baraza: HTTP_PORT: 'notaport' is not a port number (1-65535); set it in the environment",
        ),
        (
            "HTTP_PORT",
            "70000",
            "baraza: HTTP_PORT: '70000' is not a port number (1-65535); set it in the environment",
        ),
        (
            "TWILIO_MPS",
            "0",
            "baraza: TWILIO_MPS: '0' is not a number of SMS segments per second above 0 (e.g. 1);"
            " set it in the environment",
        ),
        (
            "DEFAULT_LANGUAGE",
            "de",
            "baraza: DEFAULT_LANGUAGE: 'de' is not one of en, fr, es; set it in the environment",
        ),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(
    tmp_path: Path, setting: str, value: str, line: str
) -> None:
    assert one_line(baraza(tmp_path, "run", **{setting: value})) == line


def test_bad_settings_in_env_file_one_line_each(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("HTTP_PORT=notaport\nTWILIO_MPS=0\n", encoding="utf-8")
    result = baraza(tmp_path, "check")
    assert result.returncode == 2
    assert not TRACEBACK.search(result.stderr)
    assert result.stderr.splitlines() == [
        "baraza: TWILIO_MPS: '0' is not a number of SMS segments per second above 0 (e.g. 1);"
        " set it in .env",
        "baraza: HTTP_PORT: 'notaport' is not a port number (1-65535); set it in .env",
    ]


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = baraza(tmp_path, "run", "--debug", HTTP_PORT="notaport")
    assert result.returncode == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert "pydantic_core._pydantic_core.ValidationError" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("baraza: HTTP_PORT: 'notaport'")


# --------------------------------------------------------------------------- Telegram


async def test_a_refused_token_is_named_and_masked(tmp_path: Path) -> None:
    await existing_database(tmp_path)
    async with FakeBotApi() as api:
        api.fail_next("getMe", "401")
        result = await baraza_async(
            tmp_path, "run", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.base_url
        )
        assert one_line(result) == (
            f"baraza: TELEGRAM_BOT_TOKEN was refused by the Bot API at TELEGRAM_API_URL "
            f"{api.base_url} (123456:…); check it with @BotFather"
        )
        # --debug: the traceback and DEBUG lines (the token in every URL), masked
        api.fail_next("getMe", "401")
        debug = await baraza_async(
            tmp_path, "--debug", "run", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.base_url
        )
        assert debug.returncode == 2
        assert "Traceback (most recent call last)" in debug.stderr
        assert " DEBUG " in debug.stderr and "/bot123456:…/getMe" in debug.stderr
        assert [c.method for c in api.calls] == ["getMe", "getMe"]
    for output in (result.stdout, result.stderr, debug.stdout, debug.stderr):
        assert SECRET_PART not in output


async def test_an_unreachable_bot_api_is_named(tmp_path: Path) -> None:
    await existing_database(tmp_path)
    url = f"http://127.0.0.1:{closed_port()}/bot"
    result = await baraza_async(tmp_path, "run", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=url)
    line = one_line(result)
    assert line.startswith(f"baraza: TELEGRAM_API_URL: {url} is unreachable (")
    assert line.endswith("); start the Bot API server there, or fix TELEGRAM_API_URL")
    assert SECRET_PART not in result.stderr + result.stdout


async def test_a_server_that_is_not_the_bot_api_is_named(tmp_path: Path) -> None:
    await existing_database(tmp_path)
    async with FakeTwilioApi() as other:  # a web server, but not a Bot API
        result = await baraza_async(
            tmp_path, "run", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=other.url
        )
    assert one_line(result) == (
        f"baraza: TELEGRAM_API_URL: {other.url} is not a Telegram Bot API server (it answered "
        "Not Found (404)); fix TELEGRAM_API_URL, or leave it empty"
    )


# --------------------------------------------------------------------------- the port


async def test_a_taken_port_stops_baraza_before_anything_starts(tmp_path: Path) -> None:
    taken = bind_loopback()
    port = str(taken.getsockname()[1])
    try:
        async with FakeBotApi() as api:
            result = await baraza_async(
                tmp_path,
                "run",
                HTTP_PORT=port,
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_URL=api.base_url,
                TELEGRAM_MODE="webhook",
                TELEGRAM_WEBHOOK_SECRET="webhook-secret",
                PUBLIC_BASE_URL="https://baraza.example.org",
            )
            assert api.calls == []  # no getMe, and above all no setWebhook to a deaf server
        sms = await baraza_async(tmp_path, "run", HTTP_PORT=port, **TWILIO)
    finally:
        taken.close()
    expected = (
        f"baraza: HTTP_PORT: port {port} on 127.0.0.1 is in use by another program; "
        "stop it, or set HTTP_PORT to a free port"
    )
    assert one_line(result) == one_line(sms) == expected
    assert not (tmp_path / "baraza.sqlite3").exists()  # stopped before opening anything


def test_an_address_of_another_machine(tmp_path: Path) -> None:
    line = one_line(baraza(tmp_path, "run", HTTP_HOST="192.0.2.1", **TWILIO))
    assert line == (
        "baraza: HTTP_HOST: 192.0.2.1 is not an address of this machine; "
        "set HTTP_HOST to 127.0.0.1, or 0.0.0.0 for every interface"
    )


# --------------------------------------------------------------------------- the database


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("shopping list: milk, bread\n" * 50, encoding="utf-8")
    assert one_line(baraza(tmp_path, "chat", DATABASE_PATH=str(path))) == (
        f"baraza: DATABASE_PATH={path}: not an SQLite database (file is not a database); "
        "move it away or use another file name"
    )
    assert path.read_text(encoding="utf-8").startswith("shopping list")  # left as it was


async def test_a_damaged_database(tmp_path: Path) -> None:
    path = tmp_path / "baraza.sqlite3"
    await existing_database(tmp_path)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page, after the intact header
    path.write_bytes(bytes(data))
    assert one_line(baraza(tmp_path, "run")) == (
        f"baraza: DATABASE_PATH={path}: the database is damaged (database disk image is "
        f"malformed); restore it from a backup (or `sqlite3 {path} .recover`) or use another "
        "file name"
    )


def test_a_folder_given_as_the_database(tmp_path: Path) -> None:
    assert one_line(baraza(tmp_path, "facilitators", "list", DATABASE_PATH=str(tmp_path))) == (
        f"baraza: DATABASE_PATH={tmp_path}: is a folder, not a file; "
        f"name a file, e.g. {tmp_path / 'baraza.sqlite3'}"
    )


def test_a_database_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file\n", encoding="utf-8")
    path = tmp_path / "data" / "baraza.sqlite3"
    assert one_line(baraza(tmp_path, "chat", DATABASE_PATH=str(path))) == (
        f"baraza: DATABASE_PATH={path}: {tmp_path / 'data'} is a file, not a folder; "
        "choose a folder this user can write to"
    )


def test_a_database_in_a_read_only_folder(tmp_path: Path, read_only: Path) -> None:
    path = read_only / "baraza.sqlite3"
    result = baraza(tmp_path, "chat", prefix=unprivileged(), DATABASE_PATH=str(path))
    assert one_line(result) == (
        f"baraza: DATABASE_PATH={path}: cannot be written (unable to open database file); "
        "make the folder writable by this user or use another file name"
    )


async def test_a_read_only_database_file(tmp_path: Path) -> None:
    path = tmp_path / "baraza.sqlite3"
    await existing_database(tmp_path)
    path.chmod(0o444)
    result = baraza(tmp_path, "chat", "--db", str(path), prefix=unprivileged())
    assert one_line(result) == (
        f"baraza: --db {path}: cannot be written (attempt to write a readonly database); "
        "make the file and its folder writable by this user or use another file name"
    )


def test_a_database_on_a_read_only_disk(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    path = disk / "baraza.sqlite3"
    result = baraza(tmp_path, "chat", prefix=on_read_only_disk(disk), DATABASE_PATH=str(path))
    assert one_line(result) == (
        f"baraza: DATABASE_PATH={path}: the disk is read-only (unable to open database file); "
        "choose a place on a writable disk"
    )


# --------------------------------------------------------------------------- export


def test_export_to_a_read_only_disk(tmp_path: Path) -> None:
    # a database to export from (a missing one is refused before --out is looked at)
    asyncio.run(existing_database(tmp_path))
    disk = tmp_path / "disk"
    disk.mkdir()
    out = disk / "answers.csv"
    result = baraza(tmp_path, "export", "--out", str(out), prefix=on_read_only_disk(disk))
    assert one_line(result) == (
        f"baraza: --out {out}: cannot write it (Read-only file system); "
        "choose a place this user can write to"
    )


def test_export_to_a_read_only_folder(tmp_path: Path, read_only: Path) -> None:
    asyncio.run(existing_database(tmp_path))
    out = read_only / "answers.csv"
    result = baraza(tmp_path, "export", "--out", str(out), prefix=unprivileged())
    assert one_line(result) == (
        f"baraza: --out {out}: cannot write it (Permission denied); "
        "choose a place this user can write to"
    )
    assert not out.exists()
    # the database itself was fine and is left usable
    with sqlite3.connect(tmp_path / "baraza.sqlite3") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 7
