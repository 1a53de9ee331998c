"""The organisers' pages (`/web/...`) through httpx against the app, on a real SQLite file,
with a clock the test controls. The link comes the way a facilitator gets it: `/web` sent
through the turn path. The browser tests are in tests/test_web_browser.py."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from bot.config import Settings
from bot.facilitator import export
from bot.facilitator.commands import Facilitation
from bot.runtime import Content, load_content, open_runner
from bot.serve import listen, serve
from bot.turns import TurnRunner
from bot.web import build_app
from bot.web.login import digest
from bot.web.site import Site
from storage.conn import Conn
from tests.conftest import ROOT, make_settings
from tests.fakes import bind_loopback
from tests.fakes.telegram_api import FakeBotApi
from tests.sql import lite
from tests.web_rig import (
    FACILITATORS,
    LINA,
    ORG,
    RIVER_TITLE,
    addresses,
    flows_with_two_dialogues,
    link_in,
    say,
    seed,
    table_rows,
    visible_text,
)

BROWSER = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"
}
PAGES = ("", "questions", "polls", "statements", "answers", "downloads")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Rig:
    runner: TurnRunner
    settings: Settings
    clock: Clock
    site: Site

    def client(self) -> httpx.AsyncClient:
        app = build_app(self.site.routes())
        base = self.settings.public_base_url or "http://127.0.0.1:8080"
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=base, headers=BROWSER
        )

    async def link(self, who: str = ORG, text: str = "/web") -> str:
        """The path of a fresh login link, asked for in the chat as the facilitator does."""
        url = link_in(await say(self.runner, "console", who, text))
        return urlsplit(url).path

    @contextlib.asynccontextmanager
    async def signed_in(self, who: str = ORG) -> AsyncIterator[httpx.AsyncClient]:
        async with self.client() as client:
            r = await client.get(await self.link(who))
            assert r.status_code == 200, r.text
            yield client

    def q(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        with contextlib.closing(lite(self.settings)) as conn:
            return list(conn.execute(sql, params))


@contextlib.asynccontextmanager
async def open_rig(tmp_path: Path, **overrides: object) -> AsyncIterator[Rig]:
    settings = make_settings(
        tmp_path,
        flows_dir=flows_with_two_dialogues(tmp_path),
        facilitators=FACILITATORS,
        **overrides,
    )
    runner = await open_runner(settings, load_content(settings))
    clock = Clock()
    runner.clock = clock
    assert isinstance(runner.commands, Facilitation)
    runner.commands.clock = clock
    site = Site(
        runner.commands, flows=runner.flows, secure=settings.public_base_url.startswith("https")
    )
    try:
        await seed(runner)
        yield Rig(runner, settings, clock, site)
    finally:
        await runner.db.close()


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with open_rig(tmp_path) as r:
        yield r


async def test_link_works_once_and_opens_a_session(rig: Rig) -> None:
    path = await rig.link()
    async with rig.client() as browser:
        first = await browser.get(path)
        assert first.status_code == 200
        cookie = first.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/web" in cookie
        assert "Max-Age=36000" in cookie and "Secure" not in cookie
        assert '<meta http-equiv="refresh" content="0; url=/web/">' in first.text
        home = await browser.get("/web/")
        assert home.status_code == 200
        assert "Your dialogues" in visible_text(home.text)
        again = await browser.get(path)
        assert again.status_code == 410 and "set-cookie" not in again.headers
        assert "works once, within 15 minutes" in visible_text(again.text)
    # a second browser with the same link gets nothing either
    async with rig.client() as other:
        assert (await other.get(path)).status_code == 410
        assert (await other.get("/web/d/baraza/")).status_code == 401
    # only hashes are stored: neither the link's token nor the session's is in the database
    token = path.rsplit("/", 1)[1]
    cookie_value = cookie.split(";")[0].split("=", 1)[1]
    for table in ("web_links", "web_sessions"):
        dump = repr(rig.q(f"SELECT * FROM {table}"))
        assert token not in dump and cookie_value not in dump
    assert rig.q("SELECT count(*) FROM web_links WHERE token_hash = ?", (digest(token),)) == [(1,)]
    assert rig.q(
        "SELECT count(*) FROM web_sessions WHERE token_hash = ?", (digest(cookie_value),)
    ) == [(1,)]


async def test_link_expires_after_15_minutes(rig: Rig) -> None:
    early, late = await rig.link(), await rig.link()
    rig.clock.now += timedelta(minutes=14, seconds=59)
    async with rig.client() as browser:
        assert (await browser.get(early)).status_code == 200
    rig.clock.now += timedelta(seconds=1)
    async with rig.client() as browser:
        refused = await browser.get(late)
        assert refused.status_code == 410
        assert "This link no longer works" in visible_text(refused.text)
        assert (await browser.get("/web/")).status_code == 401


async def test_session_ends_after_a_working_day(rig: Rig) -> None:
    async with rig.signed_in() as browser:
        rig.clock.now += timedelta(hours=9, minutes=59)
        assert (await browser.get("/web/d/baraza/")).status_code == 200
        rig.clock.now += timedelta(minutes=1)
        page = await browser.get("/web/d/baraza/")
        assert page.status_code == 401
        assert "Send /web to the bot" in visible_text(page.text)
        assert "Water for all" not in page.text


async def test_web_off_ends_every_session_of_that_facilitator(rig: Rig) -> None:
    async with (
        rig.signed_in() as laptop,
        rig.signed_in() as phone,
        rig.signed_in(LINA) as lina,
    ):
        unused = await rig.link()
        assert await say(rig.runner, "console", ORG, "/web off") == [
            "Signed out of the web dashboard: 2 sessions ended."
        ]
        for browser in (laptop, phone):
            assert (await browser.get("/web/d/baraza/")).status_code == 401
        async with rig.client() as late:
            assert (await late.get(unused)).status_code == 410
        # another facilitator's session goes on
        assert (await lina.get("/web/d/baraza/")).status_code == 200
        # and a new link opens a new session
        async with rig.signed_in() as again:
            assert (await again.get("/web/d/river/")).status_code == 200


async def test_web_command_usage_and_refusal(rig: Rig) -> None:
    assert (await say(rig.runner, "console", ORG, "/web please"))[0].startswith("Write /web")
    refused = await say(rig.runner, "console", "stranger", "/web")
    assert refused == ["Sorry, this command is for the dialogue's facilitators."]
    assert rig.q("SELECT count(*) FROM web_links") == [(0,)]


async def test_secure_cookie_and_link_when_public_url_is_https(tmp_path: Path) -> None:
    async with open_rig(tmp_path, public_base_url="https://baraza.example.org/") as rig:
        texts = await say(rig.runner, "console", ORG, "/web")
        assert link_in(texts).startswith("https://baraza.example.org/web/login/")
        async with rig.client() as browser:
            r = await browser.get(urlsplit(link_in(texts)).path)
            assert r.status_code == 200
            assert "Secure" in r.headers["set-cookie"]


async def test_facilitator_of_one_dialogue_cannot_read_another(rig: Rig) -> None:
    async with rig.signed_in(LINA) as lina, rig.signed_in(ORG) as org:
        home = await lina.get("/web/", follow_redirects=False)
        assert home.status_code == 303 and home.headers["location"] == "/web/d/baraza/"
        assert "Rivers" not in (await lina.get("/web/d/baraza/")).text
        nowhere = await lina.get("/web/d/nowhere/")
        assert nowhere.status_code == 404
        for page in (*PAGES, "export.csv", "flow-results.zip"):
            r = await lina.get(f"/web/d/river/{page}")
            assert r.status_code == 404, page
            assert r.text == nowhere.text.replace("/web/d/nowhere/", f"/web/d/river/{page}")
            assert RIVER_TITLE not in r.text and "Nets" not in r.text
        # the same pages open for a facilitator of both dialogues
        for page in (*PAGES, "export.csv", "flow-results.zip"):
            assert (await org.get(f"/web/d/river/{page}")).status_code == 200, page
        assert "Nets or boats?" in (await org.get("/web/d/river/polls")).text
        picker = visible_text((await org.get("/web/")).text)
        assert "Water for all" in picker and RIVER_TITLE in picker


async def test_pages_need_a_session(rig: Rig) -> None:
    async with rig.client() as browser:
        for page in (*PAGES, "export.csv", "flow-results.zip"):
            r = await browser.get(f"/web/d/baraza/{page}")
            assert r.status_code == 401
            assert "Water for all" not in r.text
        browser.cookies.set("baraza_web", "made-up", path="/web")
        assert (await browser.get("/web/d/baraza/")).status_code == 401


async def test_small_groups_show_as_under_5_without_a_bar(rig: Rig) -> None:
    async with rig.signed_in() as browser:
        page = (await browser.get("/web/d/baraza/")).text
        rows = table_rows(page)
        assert ["Community member", "7", "48", ""] in rows
        assert ["Civil society", "5", "18", ""] in rows
        assert ["Government", "<5", "12", ""] in rows
        assert ["Business", "<5", "12", ""] in rows
        assert ["Not given yet", "<5", "", ""] in rows
        assert ["Stopped", "<5"] not in rows and "Stopped <5" in visible_text(page)
        # a bar is drawn for a group that may be shown, never for a small one
        for label, drawn in (("Community member", True), ("Government", False)):
            row = page.split(f'<th scope="row">{label}</th>', 1)[1].split("</tr>", 1)[0]
            assert ('class="have"' in row) is drawn
        polls = await browser.get("/web/d/baraza/polls")
        rows = table_rows(polls.text)
        # 6 and 2 votes, the 2 from one small group: hidden enough that neither the
        # group's voters nor its votes can be had by subtraction (bot.cells)
        assert ["Water", "5+", ""] in rows and ["Roads", "<5", ""] in rows
        assert ["Community member", "5+", "6", "<5"] in rows
        assert ["Civil society", "<5", "fewer than 5 voters: not shown"] in rows


async def test_no_participant_address_on_any_page_or_download(rig: Rig) -> None:
    async with rig.signed_in() as browser:
        bodies = [(await browser.get("/web/")).text]
        for code in ("baraza", "river"):
            for page in (*PAGES, "export.csv", "flow-results.zip"):
                r = await browser.get(f"/web/d/{code}/{page}")
                assert r.status_code == 200
                bodies.append(r.text)
    stored = [str(a) for (a,) in rig.q("SELECT address FROM addresses")]
    assert sorted(stored) == sorted(addresses())
    for body in bodies:
        for address in stored:
            assert address not in body


async def test_csv_download_is_the_pseudonymous_export(rig: Rig) -> None:
    async with rig.signed_in() as browser:
        r = await browser.get("/web/d/baraza/export.csv")
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        r.headers["content-disposition"] == 'attachment; filename="baraza-baraza-20261130-0900.csv"'
    )
    rows = list(csv.reader(io.StringIO(r.text)))
    assert tuple(rows[0]) == export.COLUMNS
    answers = rig.q(
        "SELECT count(*) FROM answers a JOIN participants p ON p.id = a.participant_id"
        " WHERE p.dialogue = 'baraza'"
    )[0][0]
    responses = rig.q(
        "SELECT count(*) FROM responses r JOIN prompts q ON q.id = r.prompt_id"
        " WHERE q.dialogue = 'baraza'"
    )[0][0]
    # 15 people answered consent, language and group, one stopped at the group question,
    # one stopped after consenting; then 8 votes
    assert (answers, responses) == (15 * 3 + 2 + 1, 8)
    assert len(rows) - 1 == answers + responses
    ids = {pid for (pid,) in rig.q("SELECT id FROM participants WHERE dialogue = 'baraza'")}
    assert {row[0] for row in rows[1:]} <= ids
    # each row says what was asked and what the answer means, in the page's language
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    votes = [r for r in records if r["flow"] == "poll-1"]
    assert {(r["question"], r["value"], r["answer"]) for r in votes} == {
        ("Which first?", "0", "Water"),
        ("Which first?", "1", "Roads"),
    }
    groups = {(r["question"], r["value"], r["answer"]) for r in records if r["step"] == "group"}
    assert ("Which group are you part of?", "government", "Government") in groups


async def test_every_page_is_light(rig: Rig) -> None:
    async with rig.signed_in() as browser:
        css = await browser.get("/web/static/web.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        for page in PAGES:
            r = await browser.get(f"/web/d/baraza/{page}")
            assert len(r.content) + len(css.content) < 100_000, page
            assert "<script" not in r.text and "http://" not in r.text and "https://" not in r.text


async def test_pages_in_three_languages_switchable_and_remembered(rig: Rig) -> None:
    expected = {
        "en": ("Who is at the table", "Community member", "Polls"),
        "fr": ("Qui est à la table", "Communauté", "Sondages"),
        "es": ("Quién está en la mesa", "Comunidad", "Encuestas"),
    }
    async with rig.signed_in() as browser:
        for lang, (heading, group, nav) in expected.items():
            r = await browser.get(f"/web/lang/{lang}?next=/web/d/baraza/", follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == "/web/d/baraza/"
            page = await browser.get("/web/d/baraza/")  # no parameter: the session remembers
            assert f'<html lang="{lang}">' in page.text
            text = visible_text(page.text)
            assert heading in text and group in text and nav in text
        # a link somewhere else is not followed
        away = await browser.get(
            "/web/lang/fr?next=https://elsewhere.example/", follow_redirects=False
        )
        assert away.headers["location"] == "/web/"


async def test_pages_open_in_the_facilitators_chat_language(rig: Rig) -> None:
    # lina chose French for her replies: they and then her pages are in French
    await say(rig.runner, "console", LINA, "/lang fr")
    texts = await say(rig.runner, "console", LINA, "/web")
    assert texts[0].startswith("Votre tableau de bord web, valable 15 minutes")
    async with rig.client() as browser:
        assert (await browser.get(urlsplit(link_in(texts)).path)).status_code == 200
        r = await browser.get("/web/", follow_redirects=True)
        assert '<html lang="fr">' in r.text and "Qui est à la table" in visible_text(r.text)


async def test_security_headers_on_every_answer(rig: Rig) -> None:
    path = await rig.link()
    async with rig.client() as browser:
        answers = [await browser.get("/web/d/baraza/"), await browser.get(path)]
        answers += [await browser.get("/web/d/baraza/"), await browser.get("/web/d/river/")]
        answers += [await browser.get("/web/static/web.css"), await browser.get("/web/nothing")]
    for r in answers:
        assert r.headers["content-security-policy"].startswith("default-src 'self'")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
    assert [r.status_code for r in answers] == [401, 200, 200, 200, 200, 404]
    assert answers[1].headers["cache-control"] == "no-store"


async def test_link_previews_do_not_use_up_the_link(rig: Rig) -> None:
    path = await rig.link()
    async with rig.client() as fetcher:
        preview = await fetcher.get(path, headers={"User-Agent": "TelegramBot (like TwitterBot)"})
        assert preview.status_code == 200 and "set-cookie" not in preview.headers
        assert (await fetcher.head(path)).status_code == 200
    async with rig.client() as browser:
        assert "set-cookie" in (await browser.get(path)).headers


async def test_logout_ends_only_this_session(rig: Rig) -> None:
    async with rig.signed_in() as laptop, rig.signed_in() as phone:
        out = await laptop.get("/web/logout")
        assert out.status_code == 200 and "You are signed out" in visible_text(out.text)
        assert (await laptop.get("/web/d/baraza/")).status_code == 401
        assert (await phone.get("/web/d/baraza/")).status_code == 200


def free_port() -> int:
    with contextlib.closing(bind_loopback()) as sock:
        return int(sock.getsockname()[1])


async def test_baraza_run_serves_the_pages_with_telegram_polling_alone(
    tmp_path: Path, content: Content
) -> None:
    """The web app used to start only for webhooks; the pages need it whatever the mode."""
    async with FakeBotApi() as tg:
        port = free_port()
        settings = make_settings(
            tmp_path,
            telegram_bot_token="123:ABC",
            telegram_api_url=tg.base_url,
            telegram_mode="polling",
            http_port=port,
            facilitators="telegram:7",
        )
        stop = asyncio.Event()
        task = asyncio.create_task(serve(settings, content, stop))
        try:
            await tg.wait_for("getUpdates", timeout=10)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                assert (await http.get("/healthz")).json() == {"ok": True}
                page = await http.get("/web/", headers=BROWSER)
                assert page.status_code == 401 and "Send /web" in visible_text(page.text)
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)


def _console_run(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    """`baraza run` with no provider: the console channel, as `make run` starts it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "TWILIO_", "HTTP_", "PUBLIC_", "FACILITATORS"))
    }
    env.update(
        DATABASE_PATH=str(tmp_path / "console.sqlite3"),
        FLOWS_DIR=str(ROOT / "flows"),
        LOCALES_DIR=str(ROOT / "locales"),
        FILES_DIR=str(tmp_path / "files"),
        HTTP_PORT=str(port),
        FACILITATORS="console:org",
        LOGNAME="org",
        PYTHONPATH=str(ROOT),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _read_link(proc: subprocess.Popen[str]) -> str:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("/web\n")
    proc.stdin.flush()
    for line in proc.stdout:
        if "/web/login/" in line:
            return link_in([line])
    raise AssertionError("no link printed")


def test_console_mode_serves_the_pages_on_loopback(tmp_path: Path) -> None:
    port = free_port()
    proc = _console_run(tmp_path, port)
    try:
        link = _read_link(proc)
        assert link.startswith(f"http://127.0.0.1:{port}/web/login/")
        with httpx.Client(headers=BROWSER) as http:
            assert http.get(link).status_code == 200
            page = http.get(f"http://127.0.0.1:{port}/web/", follow_redirects=True)
            assert page.status_code == 200 and "Water for all" in page.text
        _, err = proc.communicate("", timeout=60)  # EOF: the console ends, and the pages
        assert proc.returncode == 0
        assert f"Web pages on http://127.0.0.1:{port}/web/" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@pytest.mark.parametrize("made_by", ["listen", "bind_loopback"])
async def test_connections_answer_without_nagles_delay(tmp_path: Path, made_by: str) -> None:
    """Every page of console mode (and every call to the tests' fakes) took 40 ms: a
    socket made with proto 0 gets no TCP_NODELAY from asyncio, so a response written as
    headers then body waited for the client's delayed ACK. Both listening sockets now
    give connections with Nagle's algorithm off."""
    sock = (
        listen(make_settings(tmp_path, http_host="127.0.0.1", http_port=free_port()))
        if made_by == "listen"
        else bind_loopback()
    )
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def on_connect(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn: socket.socket = writer.get_extra_info("socket")
        accepted.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(on_connect, sock=sock)
    async with server:
        _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        assert await asyncio.wait_for(accepted, 10) != 0
        writer.close()
        await writer.wait_closed()


def test_console_mode_runs_alone_when_the_port_is_taken(tmp_path: Path) -> None:
    with contextlib.closing(bind_loopback()) as taken:
        proc = _console_run(tmp_path, int(taken.getsockname()[1]))
        try:
            assert "/web/login/" in _read_link(proc)  # the console carries on
            _, err = proc.communicate("", timeout=60)
            assert proc.returncode == 0
            assert "Web pages not served" in err
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


async def test_statements_page_common_ground_and_small_groups(rig: Rig) -> None:
    """Statements with votes by stakeholder group: common ground where every group with
    5 voters agrees; a group under 5 is never broken down; no address anywhere."""
    from storage import statements

    stamp = rig.clock.now.isoformat()
    pids = [
        (str(pid), str(group))
        for pid, group in rig.q(
            "SELECT id, json_extract(profile, '$.group') FROM participants"
            " WHERE dialogue = 'baraza' AND consented_at IS NOT NULL"
        )
    ]

    def seed(conn: Conn) -> None:
        agreed = statements.create(
            conn, "baraza", {"en": "Water first.", "fr": "L'eau d'abord."}, "en",
            "facilitator", "approved", stamp,
        )  # fmt: skip
        split = statements.create(
            conn, "baraza", {"en": "Roads first."}, "en", "facilitator", "approved", stamp
        )
        for pid, group in pids:
            conn.execute(
                "INSERT INTO statement_votes VALUES (?, ?, 'baraza', 1, 'sms', ?, ?)",
                (agreed, pid, stamp, stamp),
            )
            vote = 1 if group == "community" else -1
            conn.execute(
                "INSERT INTO statement_votes VALUES (?, ?, 'baraza', ?, 'sms', ?, ?)",
                (split, pid, vote, stamp, stamp),
            )

    await rig.runner.db.write(seed)
    async with rig.signed_in() as browser:
        page = (await browser.get("/web/d/baraza/statements")).text
        await browser.get("/web/lang/fr?next=/web/d/baraza/statements")
        fr = visible_text((await browser.get("/web/d/baraza/statements")).text)
    text = visible_text(page)
    common = text.split("Common ground", 1)[1].split("Divisive", 1)[0]
    assert "1. Water first." in common and "Roads first." not in common
    divisive = text.split("Divisive", 1)[1].split("Opinion groups", 1)[0]
    assert "2. Roads first." in divisive
    rows = table_rows(page)
    assert ["Government", "<5", "fewer than 5 voters: not shown"] in rows
    assert "L'eau d'abord." in fr and "Terrain d'entente" in fr
    for address in addresses():
        assert address not in page
    assert len(page.encode()) < 100_000
