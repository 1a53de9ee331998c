"""`baraza check --sms` (what each step costs as an SMS) and phone number handling."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.phones import mask, to_e164
from tests.conftest import ROOT

POLL = """id: poll
steps:
  - id: water
    type: choice
    options: [wells, pipes, tanks, rain, other]
  - id: done
    type: end
"""
POLL_TEXTS = {
    "en": "Which water source should the county fund first this year, given what was said at"
    " the last baraza about the dry season and the cost of repairs?",
    "fr": "Quelle source d'eau le comté doit-il financer en premier cette année ?",
    "es": "¿Qué fuente de agua debería financiar primero el condado?",
}
LABELS = {
    "en": ["Wells", "Piped water", "Storage tanks", "Rain harvesting", "Other"],
    "fr": ["Puits", "Eau courante", "Réservoirs", "Récupération de pluie", "Autre"],
    "es": ["Pozos", "Agua por tubería", "Tanques", "Cosecha de lluvia", "Otra"],
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with one flow (a long question) and the shipped common texts."""
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "poll.yaml").write_text(POLL)
    options = ["wells", "pipes", "tanks", "rain", "other"]
    for lang, question in POLL_TEXTS.items():
        folder = tmp_path / "locales" / lang
        folder.mkdir(parents=True)
        shutil.copy(ROOT / "locales" / lang / "common.ftl", folder / "common.ftl")
        shutil.copy(ROOT / "locales" / lang / "language.yaml", folder / "language.yaml")
        lines = [f"poll-water = {question}", f"poll-done = {LABELS[lang][-1]}."]
        lines += [
            f"poll-water-{o} = {label}" for o, label in zip(options, LABELS[lang], strict=True)
        ]
        (folder / "poll.ftl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("FLOWS_DIR", "LOCALES_DIR", "SMS_GSM_FALLBACK", "DEFAULT_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_check_sms_lists_the_shipped_flows(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code = main(["check", "--sms", str(ROOT / "flows"), "--locales", str(ROOT / "locales")])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("flow"))
    assert header.split() == ["flow", "step", "lang", "encoding", "chars", "segments"]
    rows = [line.split() for line in lines if line.startswith(("onboarding ", "explore "))]
    table = {(r[0], r[1], r[2]): r for r in rows if len(r) == 6}
    for lang in ("en", "fr", "es"):
        assert table[("onboarding", "group", lang)][3:6:2] == ["GSM-7", "1"]
        assert ("explore", "challenge", lang) in table
    assert table[("onboarding", "language", "fr")][3] == "UCS-2"  # "Français", 1 segment
    assert "onboarding  fr    max 1  UCS-2 1/10" in out
    assert "WARN" not in out


def test_check_sms_warns_about_long_questions(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--sms"]) == 0
    out = capsys.readouterr().out
    rows = {
        tuple(line.split()[:3]): line.split()
        for line in out.splitlines()
        if line.startswith("poll ")
    }
    assert rows[("poll", "water", "en")][3:] == ["GSM-7", "207", "2"]
    # "comté", "année": GSM-7 letters; the Spanish accents fold to GSM-7 to save a segment
    assert rows[("poll", "water", "fr")][3] == "GSM-7"
    assert rows[("poll", "water", "es")][3] == "GSM-7"
    assert rows[("poll", "done", "en")][5] == "1"
    warnings = [line for line in out.splitlines() if line.startswith("WARN")]
    assert warnings == [
        "WARN poll/water (en): the question with its options needs 2 SMS segments"
        " (GSM-7, 207 characters)"
    ]


def test_check_sms_without_fallback_keeps_accents(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMS_GSM_FALLBACK", "false")
    assert main(["check", "--sms"]) == 0
    out = capsys.readouterr().out
    assert "GSM-7 fallback off" in out
    es = next(
        line.split() for line in out.splitlines() if line.startswith("poll") and " es " in line
    )
    assert es[3:] == ["UCS-2", "121", "2"]
    assert "WARN poll/water (es)" in out


def test_check_sms_fails_only_on_invalid_flows(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flow = project / "flows" / "poll.yaml"
    flow.write_text(flow.read_text().replace("type: end", "type: finish"))
    assert main(["check", "--sms"]) == 1
    captured = capsys.readouterr()
    assert "problem(s)" in captured.err
    assert "segments" not in captured.out


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("+254712345678", "US", "+254712345678"),
        ("0712 345 678", "KE", "+254712345678"),
        ("+33 6 12 34 56 78", "KE", "+33612345678"),
        ("77 123 45 67", "SN", "+221771234567"),
        ("(202) 555-0123", "US", "+12025550123"),
        ("+1234", "US", None),
        ("12345", "US", None),
        ("MPESA", "KE", None),
        ("", "US", None),
        ("+" + "1" * 50, "US", None),
    ],
)
def test_to_e164(raw: str, region: str, e164: str | None) -> None:
    assert to_e164(raw, region) == e164


def test_mask_hides_most_of_the_number() -> None:
    assert mask("+254712345678") == "+2547…78"
    assert "12345" not in mask("+254712345678")
