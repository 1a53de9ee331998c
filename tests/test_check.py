"""`baraza check`: one `file: step: reason` line per problem, one test per kind of problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.check import check_paths
from bot.cli import main
from tests.conftest import ROOT

GOOD = """id: demo
steps:
  - id: consent
    type: consent
  - id: topic
    type: choice
    options: [water, land]
  - id: thanks
    type: end
"""
TEXTS = {
    "en": "demo-consent = Agree?\ndemo-consent-declined = Bye.\ndemo-topic = Topic?\n"
    "demo-topic-water = Water\ndemo-topic-land = Land\ndemo-thanks = Thanks.\n",
    "fr": "demo-consent = D'accord ?\ndemo-consent-declined = Au revoir.\ndemo-topic = Sujet ?\n"
    "demo-topic-water = Eau\ndemo-topic-land = Terre\ndemo-thanks = Merci.\n",
    "es": "demo-consent = ¿De acuerdo?\ndemo-consent-declined = Adiós.\ndemo-topic = ¿Tema?\n"
    "demo-topic-water = Agua\ndemo-topic-land = Tierra\ndemo-thanks = Gracias.\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "demo.yaml").write_text(GOOD)
    for lang, text in TEXTS.items():
        (tmp_path / "locales" / lang).mkdir(parents=True)
        (tmp_path / "locales" / lang / "demo.ftl").write_text(text)
    return tmp_path


def problems(project: Path) -> list[str]:
    return [str(p) for p in check_paths([project / "flows"], project / "locales")]


def edit(project: Path, old: str, new: str) -> None:
    path = project / "flows" / "demo.yaml"
    path.write_text(path.read_text().replace(old, new))


def test_good_project_has_no_problems(project: Path) -> None:
    assert problems(project) == []


def test_shipped_flows_and_locales_pass() -> None:
    assert main(["check", str(ROOT / "flows"), "--locales", str(ROOT / "locales")]) == 0


def test_goto_to_a_missing_step(project: Path) -> None:
    edit(project, "options: [water, land]", "options: [water, land]\n    goto: {land: nowhere}")
    file = str(project / "flows" / "demo.yaml")
    assert f"{file}: topic: goto 'land' leads to unknown step 'nowhere'" in problems(project)


def test_schema_error_names_the_step(project: Path) -> None:
    edit(project, "type: choice", "type: choise")
    [line] = problems(project)
    assert line.startswith(f"{project / 'flows' / 'demo.yaml'}: topic: type:")


def test_choice_without_options(project: Path) -> None:
    edit(project, "    options: [water, land]\n", "")
    assert any("topic: a choice step needs at least two options" in p for p in problems(project))


def test_unreachable_step(project: Path) -> None:
    edit(
        project,
        "  - id: thanks\n    type: end\n",
        "  - id: thanks\n    type: end\n  - id: orphan\n    type: message\n",
    )
    (project / "locales" / "en" / "demo.ftl").write_text(TEXTS["en"] + "demo-orphan = x\n")
    assert any("demo.yaml: orphan: unreachable" in p for p in problems(project))


def test_profile_question_must_offer_prefer_not(project: Path) -> None:
    edit(project, "options: [water, land]", "options: [water, land]\n    save: profile.topic")
    assert any("topic: a profile question must offer 'prefer-not'" in p for p in problems(project))


def test_message_missing_in_one_language(project: Path) -> None:
    fr = project / "locales" / "fr" / "demo.ftl"
    fr.write_text(fr.read_text().replace("demo-topic-land = Terre\n", ""))
    found = problems(project)
    assert (
        f"{project / 'flows' / 'demo.yaml'}: topic: text 'demo-topic-land' missing in fr" in found
    )


def test_ftl_syntax_error_names_file_and_line(project: Path) -> None:
    es = project / "locales" / "es" / "demo.ftl"
    es.write_text(es.read_text() + "demo-broken = { $oops\n")
    assert any(p.startswith(f"{es}: line 7: syntax error") for p in problems(project))


def test_variable_used_in_one_language_only(project: Path) -> None:
    for lang, text in (("en", "Hi { $name }"), ("fr", "Salut"), ("es", "Hola { $name }")):
        path = project / "locales" / lang / "demo.ftl"
        path.write_text(path.read_text() + f"demo-hi = {text}\n")
    found = problems(project)
    assert (
        f"{project / 'locales' / 'fr' / 'demo.ftl'}: demo-hi: variable $name used in en, es but not in fr"
        in found
    )


def test_flow_id_must_match_file_and_yaml_errors(project: Path) -> None:
    (project / "flows" / "other.yaml").write_text("id: [\n")
    assert any(p.startswith(f"{project / 'flows' / 'other.yaml'}: line") for p in problems(project))


def test_cli_check_exits_non_zero_with_lines(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(project, "options: [water, land]", "options: [water, land]\n    goto: {water: gone}")
    code = main(["check", str(project / "flows"), "--locales", str(project / "locales")])
    err = capsys.readouterr().err
    assert code == 1 and "topic: goto 'water' leads to unknown step 'gone'" in err


def test_chat_refuses_to_start_on_an_invalid_flow(
    project: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shutil.copytree(ROOT / "locales", project / "locales", dirs_exist_ok=True)
    edit(project, "options: [water, land]", "options: [water, land]\n    goto: {water: gone}")
    monkeypatch.setenv("FLOWS_DIR", str(project / "flows"))
    monkeypatch.setenv("LOCALES_DIR", str(project / "locales"))
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "x.sqlite3"))
    monkeypatch.chdir(tmp_path)
    assert main(["chat", "--as", "t"]) == 2
    assert "topic: goto 'water' leads to unknown step 'gone'" in capsys.readouterr().err
    assert not (tmp_path / "x.sqlite3").exists()
