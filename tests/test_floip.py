"""Results in a standard: `baraza export --format floip` writes a FLOIP Flow Results package
(specification 1.0.0-rc1) that a Data Package library validates, that follows FLOIP's own
rules, and that a researcher loads with pandas; the CSV says what each answer means."""

from __future__ import annotations

import copy
import csv
import json
import re
import sqlite3
import uuid
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from frictionless import validate

from bot.facilitator import export, floip
from bot.runtime import Content, open_runner
from tests.conftest import make_settings
from tests.people import Clock, use_clock
from tests.test_insights import ORG, PHONE, seed
from tests.test_organiser import baraza

TYPES = {"select_one", "select_many", "numeric", "open", "text", "image", "video", "audio",
         "geo_point", "date", "time", "datetime"}  # fmt: skip
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d:\d\d$")


@pytest.fixture(scope="module")
def answered(tmp_path_factory: pytest.TempPathFactory, content: Content) -> Path:
    """A database where twelve people answered the shipped flows, a prompt and a poll."""
    import asyncio

    tmp = tmp_path_factory.mktemp("floip")
    path = tmp / "answers.sqlite3"

    async def make() -> None:
        runner = await open_runner(
            make_settings(tmp, database_path=path, facilitators=f"console:{ORG}"), content
        )
        clock = Clock()
        use_clock(runner, clock)
        try:
            await seed(runner, clock)
        finally:
            await runner.db.close()

    asyncio.run(make())
    return path


def read_package(root: Path) -> tuple[dict[str, Any], list[list[Any]]]:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    data = root / descriptor["resources"][0]["path"]
    return descriptor, json.loads(data.read_text(encoding="utf-8"))


def addresses(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [str(a) for (a,) in conn.execute("SELECT address FROM addresses")]


def test_export_floip_folder_is_a_valid_data_package(tmp_path: Path, answered: Path) -> None:
    out = tmp_path / "package"
    code, lines, err = baraza(
        tmp_path, "export", "--db", str(answered), "--format", "floip", "--out", str(out)
    )
    assert (code, err) == (0, [])
    descriptor, rows = read_package(out)
    assert lines == [f"{len(rows)} responses written to {out} (Flow Results package)"]
    # frictionless reads `profile` as a schema to fetch: the Data Package rules are
    # checked on a copy that names the plain profile; FLOIP's rules are checked below
    check = copy.deepcopy(descriptor)
    check["profile"] = "data-package"
    (out / "check.json").write_text(json.dumps(check), encoding="utf-8")
    report = validate(out / "check.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    # and it does read the rows: a broken one is caught
    broken = copy.deepcopy(rows)
    broken[0][0] = "yesterday"
    (out / "data" / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    check["resources"][0]["path"] = "data/broken.json"
    (out / "broken.json").write_text(json.dumps(check), encoding="utf-8")
    assert [e.type for t in validate(out / "broken.json").tasks for e in t.errors] == ["type-error"]


def test_the_package_follows_the_flow_results_rules(tmp_path: Path, answered: Path) -> None:
    out = tmp_path / "package"
    assert (
        baraza(tmp_path, "export", "--db", str(answered), "--format", "floip", "--out", str(out))[0]
        == 0
    )
    d, rows = read_package(out)
    assert d["profile"] == "flow-results-package"
    assert d["flow_results_specification_version"] == "1.0.0-rc1"
    assert RFC3339.match(d["created"]) and RFC3339.match(d["modified"])
    assert uuid.UUID(d["id"]).version == 4
    assert re.fullmatch(r"[a-z0-9._-]+", d["name"]) and d["title"] == "Water for all"
    [resource] = d["resources"]  # exactly one resource
    assert "data" not in resource and resource["path"].startswith("data/")
    schema = resource["schema"]
    assert [f["name"] for f in schema["fields"]] == [
        "timestamp", "row_id", "contact_id", "session_id", "question_id", "response",
        "response_metadata",
    ]  # fmt: skip
    assert schema["language"] == "eng"
    questions = schema["questions"]
    # every question of the flows, in dialogue order, then the prompt and the poll
    assert list(questions)[:4] == [
        "onboarding-consent", "onboarding-language", "onboarding-group", "onboarding-age",
    ]  # fmt: skip
    assert list(questions)[-2:] == ["prompt-1", "poll-2"]
    for qid, q in questions.items():
        assert q["type"] in TYPES, qid
        assert isinstance(q["label"], str) and q["label"], qid
        assert isinstance(q["type_options"], dict), qid
    age = questions["onboarding-age"]
    assert age["type"] == "select_one" and age["label"] == "How old are you?"
    assert age["type_options"]["choices"][:2] == ["under-18", "18-24"]
    assert age["labels"] == {"eng": "How old are you?", "fra": "Combien d'années avez-vous ?",
                             "spa": "¿Qué edad tiene?"}  # fmt: skip
    assert age["type_options"]["choice_labels"]["18-24"]["fra"] == "18 à 24 ans"
    assert questions["vision-priorities"]["type"] == "select_many"
    assert questions["explore-urgency"] == {
        **questions["explore-urgency"], "type": "numeric", "type_options": {"range": [1, 5]},
    }  # fmt: skip
    assert questions["explore-challenge"]["type"] == "text"
    assert questions["prompt-1"]["label"] == "What should the next session discuss?"
    assert questions["poll-2"]["type_options"]["choices"] == ["Water", "Roads"]
    # the rows: 7 columns, unique row ids, responses in their question's type
    assert len({r[1] for r in rows}) == len(rows) and all(len(r) == 7 for r in rows)
    for when, _row, contact, session, qid, response, meta in rows:
        q = questions[qid]
        assert RFC3339.match(when) and when.endswith("+00:00")
        assert contact.startswith("p") and session.startswith(contact)
        assert meta["language"] in ("eng", "fra", "spa")
        if q["type"] == "select_one":
            assert response in q["type_options"]["choices"], (qid, response)
        elif q["type"] == "select_many":
            assert isinstance(response, list) and set(response) <= set(q["type_options"]["choices"])
        elif q["type"] == "numeric":
            low, high = q["type_options"]["range"]
            assert isinstance(response, int) and low <= response <= high
        else:
            assert isinstance(response, str)
    by_question = {qid: [r[5] for r in rows if r[4] == qid] for qid in questions}
    assert sorted(by_question["poll-2"]) == ["Water"] * 3
    assert sorted(by_question["explore-urgency"]) == [4] * 6 + [5] * 6
    assert ["education" not in x for x in by_question["vision-priorities"]]
    assert by_question["vision-priorities"].count(["water", "jobs"]) == 6
    # pseudonymous: the export is for researchers, an address is never in it
    body = (out / resource["path"]).read_text(encoding="utf-8") + json.dumps(d)
    for address in addresses(answered):
        assert address not in body


def test_a_researcher_loads_the_zip_with_pandas(tmp_path: Path, answered: Path) -> None:
    """What the README shows, on the single file `/export` sends in the chat."""
    out = tmp_path / "results.zip"
    assert baraza(
        tmp_path, "export", "--db", str(answered), "--format", "floip", "--lang", "fr",
        "--out", str(out),
    )[0] == 0  # fmt: skip
    # --- as in the README ---
    with zipfile.ZipFile(out) as package:
        descriptor = json.loads(package.read("datapackage.json"))
        resource = descriptor["resources"][0]
        columns = [field["name"] for field in resource["schema"]["fields"]]
        responses = pd.DataFrame(json.loads(package.read(resource["path"])), columns=columns)
    questions = pd.DataFrame.from_dict(resource["schema"]["questions"], orient="index")
    responses["timestamp"] = pd.to_datetime(responses["timestamp"])
    labelled = responses.join(questions["label"], on="question_id")
    # --- what they find ---
    assert set(questions.loc[responses["question_id"].unique(), "type"]) <= TYPES
    urgency = labelled[labelled["question_id"] == "explore-urgency"]
    assert urgency["label"].iloc[0] == "Ce problème est-il urgent ?"  # the package's language
    assert urgency["response"].median() == 4.5
    gender = labelled[labelled["question_id"] == "onboarding-gender"]["response"]
    assert gender.value_counts().to_dict() == {"woman": 10, "man": 2}
    votes = labelled[labelled["question_id"] == "poll-2"]["response"]
    assert list(votes) == ["Eau"] * 3  # a poll's choices are its options in French
    priorities = labelled[labelled["question_id"] == "vision-priorities"]["response"]
    assert priorities.explode().value_counts().to_dict() == {"water": 12, "jobs": 6, "health": 6}
    assert responses["timestamp"].dt.tz is not None
    assert not responses["contact_id"].str.contains(PHONE.replace(" ", "")).any()


def test_csv_export_names_the_question_and_the_answer(tmp_path: Path, answered: Path) -> None:
    out = tmp_path / "answers.csv"
    code, _, err = baraza(
        tmp_path, "export", "--db", str(answered), "--lang", "es", "--out", str(out)
    )
    assert (code, err) == (0, [])
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(export.COLUMNS)
    assert list(export.COLUMNS)[5:11] == ["flow", "step", "question", "value", "answer", "raw"]
    meaning = {(r["flow"], r["step"], r["value"]): (r["question"], r["answer"]) for r in rows}
    assert meaning[("onboarding", "gender", "woman")] == ("¿Cuál es su género?", "Mujer")
    assert meaning[("poll-2", "poll", "0")] == ("¿Qué primero?", "Agua")
    assert meaning[("explore", "urgency", "5")] == ("¿Es urgente este problema?", "5")
    prompt = [r for r in rows if r["flow"] == "prompt-1"]
    assert {r["question"] for r in prompt} == {"¿De qué hablar?"} and len(prompt) == 6
    assert {r["answer"] for r in prompt} == {""}  # open answers are their own text
    multi = next(r for r in rows if r["step"] == "priorities")
    assert multi["answer"] in ("Agua; Salud", "Agua; Empleo e ingresos")


@pytest.fixture
async def opened(tmp_path: Path, content: Content, answered: Path) -> AsyncIterator[Any]:
    runner = await open_runner(make_settings(tmp_path, database_path=answered), content)
    yield runner
    await runner.db.close()


async def test_unknown_steps_are_still_described(opened: Any, tmp_path: Path) -> None:
    """An answer to a step since removed from the flows still has its question."""
    runner = opened
    d = runner.dialogues["baraza"]
    book = await export.codebook(runner.db, d, runner.flows, runner.tr)
    del book["explore-causes"]
    out = tmp_path / "p.zip"
    count = await floip.write(
        runner.db, d, book, out, lang="en", now=datetime(2026, 12, 1, tzinfo=UTC)
    )
    with zipfile.ZipFile(out) as z:
        descriptor = json.loads(z.read("datapackage.json"))
        rows = json.loads(z.read(descriptor["resources"][0]["path"]))
    assert len(rows) == count
    assert descriptor["resources"][0]["schema"]["questions"]["explore-causes"]["type"] == "text"
    assert descriptor["created"] == "2026-12-01T00:00:00+00:00"


def test_baraza_dashboard_prints_each_part_once(tmp_path: Path, answered: Path) -> None:
    chart = tmp_path / "chart.png"
    code, lines, err = baraza(
        tmp_path, "dashboard", "--db", str(answered), "--lang", "fr", "--chart", str(chart),
        COLUMNS="250",
    )  # fmt: skip
    assert (code, err) == (0, [])
    page = "\n".join(lines)
    assert page.count("Tableau de bord : De l'eau pour tous (baraza)") == 1
    assert page.count("Groupes de parties prenantes") == 1
    assert page.count("Ce que les gens ont dit") == 1
    assert "Combien d'années avez-vous ?" in page and "18 à 24 ans 7 (58 %)" in page
    assert re.search(r"│ Communauté +│ +8 │ +48 │ sous l'objectif │", page)
    assert "by group" not in page and "civil-society" not in page
    assert lines[-1] == f"chart: {chart}" and chart.read_bytes()[:4] == b"\x89PNG"


def test_the_readme_snippet_runs(
    tmp_path: Path, answered: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pandas lines the README shows a researcher, as they are written there."""
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Results for researchers", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert baraza(
        tmp_path, "export", "--db", str(answered), "--format", "floip", "--out",
        str(tmp_path / "results.zip"),
    )[0] == 0  # fmt: skip
    lines = snippet.strip().splitlines()
    *setup, median, counts = lines
    scope: dict[str, Any] = {}
    monkeypatch.chdir(tmp_path)
    exec("\n".join(setup), scope)
    assert eval(median, scope) == 4.5
    assert eval(counts, scope).to_dict() == {"water": 12, "jobs": 6, "health": 6}
    assert set(scope["labelled"]["type"]) == {"select_one", "select_many", "numeric", "text"}
