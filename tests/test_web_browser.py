"""The organisers' pages in a real browser: headless Chromium (Debian's `chromium`, driven
by Playwright's sync API) against `baraza run` in a subprocess on loopback, its Telegram
channel talking to the fake Bot API run standalone. A facilitator gets the link the way
they would: `/web` sent to the bot on Telegram.

Without a browser these tests are skipped with a loud banner (`make test` on a machine
where chromium cannot be installed); with BARAZA_REQUIRE_BROWSER=1 (set by .ci/run) that
is a failure instead. The overview's screenshot for the README is written to
docs/overview.png, only when it looks different from the one there.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.runtime import load_content, open_runner
from tests.conftest import LOUD_SKIP, make_settings
from tests.fakes import bind_loopback
from tests.web_rig import RIVER_TITLE, addresses, flows_with_two_dialogues, seed

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("BARAZA_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ORG, LINA = 7, 8
"""Telegram user ids: ORG facilitates every dialogue, LINA only `baraza`."""
VIEWPORT = {"width": 1000, "height": 800}
SCREENSHOT = ROOT / "docs" / "overview.png"
LINK = re.compile(r"http://\S+/web/login/[A-Za-z0-9_-]+")


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Headless Chromium, or a loud skip (a failure with BARAZA_REQUIRE_BROWSER=1)."""
    problem = ""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        problem = f"the playwright package is missing ({exc})"
    else:
        if not CHROMIUM.exists():
            problem = f"no browser at {CHROMIUM} (Debian: apt-get install chromium)"
    if not problem:
        pw = sync_playwright().start()
        try:
            chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        except Exception as exc:
            pw.stop()
            problem = f"chromium did not start: {str(exc).splitlines()[0]}"
    if problem:
        message = f"The web pages were NOT tested in a browser: {problem}."
        if os.environ.get("BARAZA_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (BARAZA_REQUIRE_BROWSER=1)")
        pytest.skip(
            f"{LOUD_SKIP}{message} CI sets BARAZA_REQUIRE_BROWSER=1, which makes this a failure."
        )
    try:
        yield chromium
    finally:
        chromium.close()
        pw.stop()


def free_port() -> int:
    with contextlib.closing(bind_loopback()) as sock:
        return int(sock.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited:\n{log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready in {timeout}s:\n{log.read_text(errors='replace')[-2000:]}")


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=log.parent,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


@dataclass
class Served:
    url: str
    control: str
    db: Path

    def link(self, user_id: int) -> str:
        """`/web` sent on Telegram; the link in the bot's answer."""
        before = len(self._sent(user_id))
        httpx.post(f"{self.control}/message", json={"user_id": user_id, "text": "/web"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            sent = self._sent(user_id)
            for message in sent[before:]:
                if m := LINK.search(str(message["text"])):
                    return m.group(0)
            time.sleep(0.1)
        raise AssertionError(f"no link sent to {user_id}: {self._sent(user_id)}")

    def say(self, user_id: int, text: str) -> str:
        before = len(self._sent(user_id))
        httpx.post(f"{self.control}/message", json={"user_id": user_id, "text": text})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            sent = self._sent(user_id)
            if len(sent) > before:
                return str(sent[before]["text"])
            time.sleep(0.1)
        raise AssertionError(f"no answer to {text!r} for {user_id}")

    def _sent(self, user_id: int) -> list[dict[str, Any]]:
        r = httpx.get(f"{self.control}/sent", params={"chat_id": str(user_id)})
        return list(r.json())

    def q(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with contextlib.closing(sqlite3.connect(self.db, timeout=10)) as conn, conn:
            return list(conn.execute(sql, params))


def _env(values: dict[str, object]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "TWILIO_", "HTTP_", "PUBLIC_", "FACILITATORS"))
    }
    env.update({k.upper(): str(v) for k, v in values.items()})
    env.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    return env


@pytest.fixture(scope="module")
def served(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The seeded dialogues served by `baraza run` (started after the browser, so that a
    machine without one skips quickly)."""
    work = tmp_path_factory.mktemp("web-browser")
    flows = flows_with_two_dialogues(work)
    dialogue = flows / "dialogues" / "baraza.yaml"  # no quiet hours: the same page any hour
    text = dialogue.read_text(encoding="utf-8")
    dialogue.write_text(re.sub(r"quiet_hours:.*\n(  .*\n)*", "", text), encoding="utf-8")
    tg_port, port = free_port(), free_port()
    values: dict[str, object] = {
        "database_path": work / "baraza.sqlite3",
        "flows_dir": flows,
        "locales_dir": ROOT / "locales",
        "files_dir": work / "files",
        "telegram_bot_token": "123:ABC",
        "telegram_api_url": f"http://127.0.0.1:{tg_port}/bot",
        "http_host": "127.0.0.1",
        "http_port": port,
        # console:org sends the seed's poll and prompt
        "facilitators": f"telegram:{ORG}, telegram:{LINA}@baraza, console:org",
    }
    settings = make_settings(work, **values)

    async def prepare() -> None:
        runner = await open_runner(settings, load_content(settings))
        try:
            await seed(runner)
        finally:
            await runner.db.close()

    # in a thread of its own: Playwright's sync API keeps an event loop on this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(prepare())).result()
    env = _env(values)
    with (
        process(
            ["tests.fakes.telegram_api", "--port", str(tg_port)], env, work / "fake-telegram.log"
        ) as fake,
        process(["bot.cli", "run"], env, work / "baraza-run.log") as bot,
    ):
        wait_http(f"http://127.0.0.1:{tg_port}/_control/calls", fake, work / "fake-telegram.log")
        wait_http(f"http://127.0.0.1:{port}/healthz", bot, work / "baraza-run.log")
        yield Served(
            f"http://127.0.0.1:{port}",
            f"http://127.0.0.1:{tg_port}/_control",
            work / "baraza.sqlite3",
        )


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (no cookies) per use."""
    ctx = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    try:
        yield ctx
    finally:
        ctx.close()


def test_login_link_works_once_and_reuse_is_refused(browser: Any, served: Served) -> None:
    link = served.link(ORG)
    first = browser.new_context(viewport=VIEWPORT)
    second = browser.new_context(viewport=VIEWPORT)
    try:
        page = first.new_page()
        page.goto(link)
        page.wait_for_url(f"{served.url}/web/")
        assert page.locator("h1").inner_text() == "Your dialogues"
        cookie = next(c for c in first.cookies() if c["name"] == "baraza_web")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]
        assert cookie["path"] == "/web"
        # the same link again, in this browser or another, opens nothing
        for ctx in (first, second):
            again = ctx.new_page()
            answer = again.goto(link)
            assert answer is not None and answer.status == 410
            assert again.locator("h1").inner_text() == "This link no longer works"
        late = second.new_page()
        assert (answer := late.goto(f"{served.url}/web/d/baraza/")) and answer.status == 401
        assert "Water for all" not in late.content()
        # the first browser stays signed in
        page.goto(f"{served.url}/web/d/baraza/")
        assert page.locator("h1").inner_text().startswith("Water for all")
    finally:
        first.close()
        second.close()


def test_expired_link_is_refused(context: Any, served: Served) -> None:
    link = served.link(ORG)
    # fifteen minutes pass: the link's time is up (the server's clock is the real one)
    served.q("UPDATE web_links SET expires_at = created_at WHERE used_at IS NULL")
    page = context.new_page()
    answer = page.goto(link)
    assert answer is not None and answer.status == 410
    assert "Send /web to the bot in the chat" in page.inner_text("main")
    assert not [c for c in context.cookies() if c["name"] == "baraza_web"]


def test_link_followed_from_another_site_signs_in(context: Any, served: Served) -> None:
    """Telegram Web or a mail page is another site: the SameSite=Strict cookie must still
    come with the first page after the link."""
    link = served.link(ORG)
    page = context.new_page()
    page.route(
        "http://chat.example/",
        lambda route: route.fulfill(
            content_type="text/html", body=f'<p>Your link: <a id="go" href="{link}">open</a></p>'
        ),
    )
    page.goto("http://chat.example/")
    page.click("#go")
    page.wait_for_url(f"{served.url}/web/")
    assert page.locator("h1").inner_text() == "Your dialogues"
    page.click("text=Water for all")
    page.wait_for_url(f"{served.url}/web/d/baraza/")
    assert "Who is at the table" in page.inner_text("main")


def test_facilitator_of_one_dialogue_cannot_open_another(context: Any, served: Served) -> None:
    page = context.new_page()
    page.goto(served.link(LINA))
    page.wait_for_url(f"{served.url}/web/d/baraza/")  # one dialogue: straight to it
    sections = page.locator(".sections > *").all_inner_texts()
    assert sections == ["Overview", "Questions", "Polls", "Statements", "Open answers", "Downloads"]
    assert page.locator("a", has_text="Other dialogues").count() == 0
    # editing the URL
    for path in ("", "questions", "polls", "answers", "downloads", "export.csv"):
        answer = page.goto(f"{served.url}/web/d/river/{path}")
        assert answer is not None and answer.status == 404, path
        assert page.locator("h1").inner_text() == "Page not found"
        assert RIVER_TITLE not in page.content() and "Nets" not in page.content()
    # following a link to it (as one facilitator might pass a page on to another)
    page.route(
        "http://chat.example/",
        lambda route: route.fulfill(
            content_type="text/html",
            body=f'<a id="go" href="{served.url}/web/d/river/polls">river polls</a>',
        ),
    )
    page.goto("http://chat.example/")
    with page.expect_navigation() as nav:
        page.click("#go")
    assert nav.value is not None and nav.value.status in (401, 404)
    assert RIVER_TITLE not in page.content() and "Nets" not in page.content()


def test_small_groups_show_as_under_5_and_no_address(context: Any, served: Served) -> None:
    page = context.new_page()
    page.goto(served.link(ORG))
    page.wait_for_url(f"{served.url}/web/")
    page.goto(f"{served.url}/web/d/baraza/")
    row = page.locator("tr", has=page.locator("th", has_text="Government"))
    assert row.locator("td").first.inner_text() == "<5"
    assert row.locator("rect.have").count() == 0
    community = page.locator("tr", has=page.locator("th", has_text="Community member"))
    assert community.locator("td").first.inner_text() == "7"
    assert community.locator("rect.have").count() == 1
    assert (
        page.locator("dt", has_text="Stopped").locator("xpath=..").locator("dd").inner_text()
        == "<5"
    )
    seen = page.inner_text("body")
    page.goto(f"{served.url}/web/d/baraza/polls")
    roads = page.locator("tr", has=page.locator("th", has_text="Roads"))
    assert roads.locator("td").first.inner_text() == "<5"
    assert "fewer than 5 voters: not shown" in page.inner_text("main")
    seen += page.inner_text("body")
    for address in addresses():
        assert address not in seen


def test_pages_in_english_french_and_spanish(context: Any, served: Served) -> None:
    page = context.new_page()
    page.goto(served.link(ORG))
    page.wait_for_url(f"{served.url}/web/")
    page.goto(f"{served.url}/web/d/baraza/polls")
    expected = {
        "Français": ("fr", "Sondages", "Quoi d'abord ?", "Eau"),
        "Español": ("es", "Encuestas", "¿Qué primero?", "Agua"),
        "English": ("en", "Polls", "Which first?", "Water"),
    }
    for name, (lang, nav, question, option) in expected.items():
        page.click(f".langs a:text-is('{name}')")
        page.wait_for_url(f"{served.url}/web/d/baraza/polls")
        assert page.get_attribute("html", "lang") == lang
        assert page.locator(".sections strong").inner_text() == nav
        assert question in page.inner_text("main") and option in page.inner_text("main")
        page.reload()  # remembered by the session
        assert page.get_attribute("html", "lang") == lang


def test_overview_screenshot_for_the_readme(context: Any, served: Served) -> None:
    """docs/overview.png: fixed data, viewport and language; rewritten only when the page
    looks different, so that running the tests again does not churn it."""
    import numpy as np
    from matplotlib import image

    # every broadcast to Telegram has gone out, so the counts on the page are settled
    deadline = time.monotonic() + 90
    while served.q("SELECT count(*) FROM outbox WHERE channel = 'telegram' AND status != 'sent'")[
        0
    ][0]:
        assert time.monotonic() < deadline, "the Telegram sender did not drain its outbox"
        time.sleep(0.5)
    page = context.new_page()
    page.goto(served.link(ORG))
    page.wait_for_url(f"{served.url}/web/")
    page.goto(f"{served.url}/web/d/baraza/")
    assert page.locator("h1").inner_text().startswith("Water for all")
    shot = SCREENSHOT.with_suffix(".new.png")
    shot.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(shot), full_page=True, animations="disabled", caret="hide")
    new = image.imread(shot)
    old = image.imread(SCREENSHOT) if SCREENSHOT.exists() else None
    if old is not None and old.shape == new.shape and np.array_equal(old, new):
        shot.unlink()
    else:
        shot.replace(SCREENSHOT)
    assert SCREENSHOT.stat().st_size < 400_000


def test_web_off_in_the_chat_signs_the_browser_out(context: Any, served: Served) -> None:
    page = context.new_page()
    page.goto(served.link(LINA))
    page.wait_for_url(f"{served.url}/web/d/baraza/")
    assert served.say(LINA, "/web off").startswith("Signed out of the web dashboard")
    answer = page.reload()
    assert answer is not None and answer.status == 401
    assert "Send /web to the bot in the chat" in page.inner_text("main")
