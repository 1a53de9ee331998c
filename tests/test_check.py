"""`baraza check`: one `file: step: reason` line per problem, one test per kind of problem."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.check import check_paths
from bot.cli import main
from bot.engine.steps import step_types
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
        shutil.copy(ROOT / "locales" / lang / "language.yaml", tmp_path / "locales" / lang)
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


# --- what an organiser sees: `baraza check` in a terminal, every problem once per cause ---

DIALOGUE = """code: demo
title: {en: Demo, fr: Démo, es: Demo}
flows: [demo]
targets: {water: 0.5, land: 0.3, fishing: 0.2}
"""
GROUP_STEP = "options: [water, land]\n    save: profile.group"


def baraza_check(project: Path, *args: str) -> tuple[int, list[str]]:
    """`baraza check flows --locales locales` run in `project`: exit code, stderr lines."""
    env = {k: v for k, v in os.environ.items() if k not in ("FLOWS_DIR", "LOCALES_DIR")}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "check", "flows", "--locales", "locales", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode, result.stderr.splitlines()


def set_text(project: Path, lang: str, msg_id: str, text: str, file: str = "demo.ftl") -> None:
    path = project / "locales" / lang / file
    lines = path.read_text().splitlines() if path.exists() else []
    kept = [line for line in lines if not line.startswith(f"{msg_id} =")]
    path.write_text("\n".join([*kept, f"{msg_id} = {text}"]) + "\n")


def test_cli_a_variable_nothing_fills_in_a_step_text(project: Path) -> None:
    for lang, text in (("en", "Tell us more, { $name }."), ("fr", "Dites-en plus, { $name }.")):
        set_text(project, lang, "demo-topic", text)
    set_text(project, "es", "demo-topic", "¿Tema?")
    set_text(project, "en", "demo-topic-land", "Land of { $dialogue }")  # an option: given none
    assert baraza_check(project) == (
        1,
        [
            "locales/en/demo.ftl: demo-topic: variable $name is filled by nothing"
            " (a step's text is given only $dialogue)",
            "locales/fr/demo.ftl: demo-topic: variable $name is filled by nothing"
            " (a step's text is given only $dialogue)",
            "locales/en/demo.ftl: demo-topic-land: variable $dialogue is filled by nothing"
            " (only a step's own text is given $dialogue; this one is given none)",
            "3 problem(s)",
        ],
    )


def test_cli_an_engine_text_gets_only_the_variables_of_its_english_text(project: Path) -> None:
    set_text(project, "en", "reprompt-choice", "Reply with 1 to { $max }.", "common.ftl")
    set_text(project, "fr", "reprompt-choice", "Répondez de 1 à { $maximum }.", "common.ftl")
    set_text(project, "es", "reprompt-choice", "Responda del 1 al { $max }.", "common.ftl")
    assert baraza_check(project) == (
        1,
        [
            "locales/fr/common.ftl: reprompt-choice: variable $maximum is filled by nothing"
            " (the English text uses $max)",
            "locales/fr/common.ftl: reprompt-choice: variable $max used in en, es but not in fr",
            "2 problem(s)",
        ],
    )


def test_cli_a_missing_ftl_file_is_one_line(project: Path) -> None:
    (project / "locales" / "fr" / "demo.ftl").unlink()
    assert baraza_check(project) == (
        1,
        [
            "locales/fr/demo.ftl: file: missing: its texts are in en, es but not in fr",
            "1 problem(s)",
        ],
    )


def test_cli_a_flow_with_no_texts_at_all_is_one_line(project: Path) -> None:
    (project / "flows" / "extra.yaml").write_text(
        "id: extra\nsteps:\n  - id: a\n    type: text\n  - id: b\n    type: yesno\n"
    )
    assert baraza_check(project) == (
        1,
        [
            "flows/extra.yaml: texts: none of its 2 texts exist: write locales/en/extra.ftl,"
            " locales/fr/extra.ftl, locales/es/extra.ftl",
            "1 problem(s)",
        ],
    )


def test_cli_one_text_missing_in_two_languages_is_one_line(project: Path) -> None:
    for lang in ("fr", "es"):
        path = project / "locales" / lang / "demo.ftl"
        path.write_text("".join(x for x in path.read_text().splitlines(True) if "-land" not in x))
    assert baraza_check(project) == (
        1,
        ["flows/demo.yaml: topic: text 'demo-topic-land' missing in fr, es", "1 problem(s)"],
    )


def test_cli_schema_errors_do_not_stop_the_other_checks(project: Path) -> None:
    (project / "flows" / "dialogues").mkdir()
    (project / "flows" / "dialogues" / "demo.yaml").write_text(DIALOGUE)
    edit(project, "options: [water, land]", GROUP_STEP)
    edit(project, "type: end", "type: fin")  # a schema error in the last step
    edit(project, "  - id: consent\n", "  - id: consent\n    max_chars: 0\n")  # and the first
    set_text(project, "es", "demo-topic", "¿Tema, { $name }?")  # a text of a step that parsed
    (project / "flows" / "other.yaml").write_text("id: other\nsteps:\n  - id: a\n    type: yesno\n")
    (project / "locales" / "en" / "other.ftl").write_text("other-a = OK?\n")  # fr, es: none
    assert baraza_check(project) == (
        1,
        [
            "flows/demo.yaml: consent: max_chars: Extra inputs are not permitted",
            "flows/demo.yaml: thanks: type: unknown step type 'fin' (known: "
            + ", ".join(step_types())
            + ")",
            "flows/dialogues/demo.yaml: targets.fishing: no question of its flows asks about"
            " 'fishing' (profile.group options: water, land)",
            "locales/fr/other.ftl: file: missing: its texts are in en but not in fr",
            "locales/es/other.ftl: file: missing: its texts are in en but not in es",
            "locales/es/demo.ftl: demo-topic: variable $name is filled by nothing"
            " (a step's text is given only $dialogue)",
            "6 problem(s)",
        ],
    )


def test_cli_stakeholder_targets_must_be_groups_a_question_asks_about(project: Path) -> None:
    (project / "flows" / "dialogues").mkdir()
    dialogue = project / "flows" / "dialogues" / "demo.yaml"
    dialogue.write_text(DIALOGUE)
    assert baraza_check(project) == (
        1,
        ["flows/dialogues/demo.yaml: targets: no question of its flows (demo) saves profile.group",
         "1 problem(s)"],
    )  # fmt: skip
    edit(project, "options: [water, land]", GROUP_STEP + "\n    goto: {water: thanks}")
    edit(project, "type: choice", "type: choice\n    next: thanks")
    edit(project, "options: [water, land]", "options: [water, land, prefer-not]")
    for lang, label in (("en", "Rather not say"), ("fr", "Sans réponse"), ("es", "Sin respuesta")):
        set_text(project, lang, "demo-topic-prefer-not", label)
    assert baraza_check(project) == (
        1,
        [
            "flows/dialogues/demo.yaml: targets.fishing: no question of its flows asks about"
            " 'fishing' (profile.group options: water, land, prefer-not)",
            "1 problem(s)",
        ],
    )
    dialogue.write_text(DIALOGUE.replace("fishing: 0.2", "prefer-not: 0.2"))
    assert baraza_check(project)[0] == 0
