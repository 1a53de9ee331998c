"""The web pages of what people said (issue 14): each flow's questions with their
distributions, the open answers paged and searchable, the FLOIP package among the
downloads; through the small-cell rule, in three languages, each page under 100 KB.

The twelve people of tests/test_insights.py, through httpx against the app; the link
comes the way a facilitator gets it, `/web` in the chat."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from bot.facilitator.commands import Facilitation
from bot.runtime import Content, open_runner
from bot.web import build_app, site
from bot.web.site import Site
from tests.conftest import make_settings
from tests.people import Clock, say, use_clock
from tests.test_insights import ORG, PHONE, seed
from tests.web_rig import link_in, table_rows, visible_text

pytestmark = pytest.mark.backends

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36"}
BASE = "/web/d/baraza"


@pytest.fixture
async def browser(
    tmp_path: Path, content: Content, database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(tmp_path, database_url=database_url, facilitators=f"console:{ORG}")
    runner = await open_runner(settings, content)
    clock = Clock()
    use_clock(runner, clock)
    assert isinstance(runner.commands, Facilitation)
    app = build_app(Site(runner.commands, flows=runner.flows).routes())
    try:
        await seed(runner, clock)
        link = urlsplit(link_in(await say(runner, ORG, "/web"))).path
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://127.0.0.1:8080",
            headers=BROWSER,
        ) as client:
            assert (await client.get(link)).status_code == 200
            yield client
    finally:
        await runner.db.close()


async def test_questions_page_in_dialogue_order(browser: httpx.AsyncClient) -> None:
    r = await browser.get(f"{BASE}/questions")
    assert r.status_code == 200
    text = visible_text(r.text)
    order = [text.index(f" {flow} ") for flow in ("onboarding", "explore", "vision", "feedback")]
    assert order == sorted(order)
    rows = table_rows(r.text)
    assert ["18 to 24", "7", "58 %"] in rows and ["25 to 34", "5", "42 %"] in rows
    # two men: under 5, no bar and no share; another option hidden with them
    assert ["Man", "<5", ""] in rows and ["Other", "<5", ""] in rows
    man = r.text.split('<th scope="row">Man</th>', 1)[1].split("</tr>", 1)[0]
    assert 'class="have"' not in man
    assert "median 4.5, middle half 4 to 5" in text
    assert "median not shown: some values have fewer than 5 answers" in text
    assert "several answers each" in text and ["Water", "12", "100 %"] in rows
    # the latest open answers, a phone number masked; three answers are too few to quote
    assert "Challenge 11: the borehole, call me on …" in text and PHONE not in text
    assert "Better 0" not in text
    assert f'href="{BASE}/answers/explore-challenge"' in r.text
    # the group and language questions are the overview's stakeholder groups and languages
    assert "Which group are you part of?" not in text


async def test_open_answers_paged_and_searchable(
    browser: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = await browser.get(f"{BASE}/answers")
    rows = table_rows(listing.text)
    assert rows[0] == ["Question", "From", "Answers"]
    assert [r[1:] for r in rows[1:]] == [
        *[["explore", "12"]] * 4, ["explore", "6"], ["vision", "12"], ["vision", "12"],
        ["feedback", "<5"], ["Prompt 1", "6"],
    ]  # fmt: skip
    monkeypatch.setattr(site, "ANSWERS_PER_PAGE", 5)
    first = await browser.get(f"{BASE}/answers/explore-challenge")
    items = first.text.split('<ol class="answers" start="1">', 1)[1].split("</ol>", 1)[0]
    assert items.count("<li>") == 5 and "Challenge 11: the borehole, call me on …" in items
    assert "Page 1 of 3" in visible_text(first.text) and "?page=2" in first.text
    third = await browser.get(f"{BASE}/answers/explore-challenge?page=3")
    assert '<ol class="answers" start="11">' in third.text
    assert "Challenge 0: the borehole" in third.text and "?page=4" not in third.text
    found = await browser.get(f"{BASE}/answers/explore-challenge", params={"q": "challenge 1"})
    text = visible_text(found.text)
    assert '<5 answers contain "challenge 1"' in text
    assert all(f"Challenge {n}:" in text for n in (1, 10, 11)) and "Challenge 2:" not in text
    wild = await browser.get(f"{BASE}/answers/explore-challenge", params={"q": "%_"})
    assert "Challenge" not in visible_text(wild.text).replace("challenge", "")
    # three answers: not shown at all
    few = await browser.get(f"{BASE}/answers/feedback-missing")
    assert few.status_code == 200 and "Better" not in few.text
    assert "Fewer than 5 people answered" in visible_text(few.text)
    # a prompt's answers; a poll or an unknown id is no open question
    prompt = await browser.get(f"{BASE}/answers/prompt-1")
    assert "Next session: topic 5" in prompt.text
    assert (await browser.get(f"{BASE}/answers/poll-2")).status_code == 404
    assert (await browser.get(f"{BASE}/answers/nothing")).status_code == 404


async def test_rates_for_every_item_on_the_overview(browser: httpx.AsyncClient) -> None:
    page = await browser.get(f"{BASE}/")
    rows = table_rows(page.text)
    assert ["Poll 2", "Which first?", "<5", "12", "–"] in rows
    assert ["Prompt 1", "What should the next session discuss?", "6", "12", "50 %"] in rows
    # consented people by channel and language: parts of one total, protected together
    assert ["English", "8", ""] in rows and ["French", "<5", ""] in rows


async def test_floip_package_download(browser: httpx.AsyncClient) -> None:
    downloads = await browser.get(f"{BASE}/downloads")
    assert f'href="{BASE}/flow-results.zip"' in downloads.text
    r = await browser.get(f"{BASE}/flow-results.zip")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].startswith('attachment; filename="baraza-baraza-')
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        descriptor = json.loads(z.read("datapackage.json"))
        rows = json.loads(z.read(descriptor["resources"][0]["path"]))
        # pseudonymous: participants' addresses (here user00...) are nowhere in it
        assert b"user0" not in z.read(descriptor["resources"][0]["path"])
    assert descriptor["profile"] == "flow-results-package"
    assert {row[4] for row in rows} >= {"onboarding-age", "explore-urgency", "prompt-1", "poll-2"}
    assert all(row[2].startswith("p") for row in rows)


async def test_pages_in_three_languages_and_light(browser: httpx.AsyncClient) -> None:
    expected = {
        "en": ("How old are you?", "Open answers"),
        "fr": ("Combien d'années avez-vous ?", "Réponses libres"),
        "es": ("¿Qué edad tiene?", "Respuestas libres"),
    }
    for lang, (question, nav) in expected.items():
        await browser.get(f"/web/lang/{lang}?next=/web/")
        page = await browser.get(f"{BASE}/questions")
        assert f'<html lang="{lang}">' in page.text
        assert question in visible_text(page.text) and nav in visible_text(page.text)
        for path in ("questions", "answers", "answers/explore-challenge", ""):
            r = await browser.get(f"{BASE}/{path}")
            assert r.status_code == 200 and len(r.content) < 100_000, path
            assert "<script" not in r.text
