"""`baraza check`: flows and locales, one `file: step: reason` line per problem."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from fluent.syntax import ast

from bot.config import LANGUAGES
from bot.dialogues import load_dialogues
from bot.flows import Problem, load_library
from bot.i18n import load_translator


def _variables(pattern: ast.Pattern | None) -> set[str]:
    found: set[str] = set()
    if pattern is None:
        return found

    def walk(node: object) -> None:
        if isinstance(node, ast.VariableReference):
            found.add(node.id.name)
        if isinstance(node, ast.BaseNode):
            for value in vars(node).values():
                if isinstance(value, list):
                    for item in value:
                        walk(item)
                else:
                    walk(value)

    walk(pattern)
    return found


def _line(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1


def locale_problems(locales_dir: Path) -> list[Problem]:
    """Syntax errors, and ids or variables present in one language and not another."""
    problems: list[Problem] = []
    tr = load_translator(locales_dir)
    if not tr.bundles:
        return [Problem(str(locales_dir), "locales", "no language folders (en, fr, es)")]
    ids: dict[str, dict[str, tuple[str, set[str]]]] = defaultdict(dict)
    for f in tr.files:
        source = f.path.read_text(encoding="utf-8")
        for entry in f.resource.body:
            if isinstance(entry, ast.Junk):
                line = _line(source, entry.span.start) if entry.span else 0
                reason = "; ".join(str(a.message) for a in entry.annotations) or "syntax error"
                problems.append(Problem(str(f.path), f"line {line}", f"syntax error: {reason}"))
            elif isinstance(entry, ast.Message):
                if entry.id.name in ids[f.lang]:
                    problems.append(Problem(str(f.path), entry.id.name, "message defined twice"))
                ids[f.lang][entry.id.name] = (str(f.path), _variables(entry.value))
    langs = [lang for lang in LANGUAGES if lang in tr.bundles]
    every_id = {i for lang in langs for i in ids[lang]}
    for msg_id in sorted(every_id):
        present = {lang: ids[lang][msg_id] for lang in langs if msg_id in ids[lang]}
        some_file = next(iter(present.values()))[0]
        for lang in langs:
            if lang not in present:
                problems.append(Problem(some_file, msg_id, f"missing in {lang}"))
        variable_sets = {lang: v for lang, (_, v) in present.items()}
        union = set().union(*variable_sets.values())
        for lang, (file, variables) in present.items():
            for var in sorted(union - variables):
                others = ", ".join(x for x, v in variable_sets.items() if var in v)
                problems.append(
                    Problem(file, msg_id, f"variable ${var} used in {others} but not in {lang}")
                )
    return problems


def check_paths(paths: Iterable[Path], locales_dir: Path) -> list[Problem]:
    paths = list(paths)
    library, problems = load_library(paths)
    problems = list(problems)
    for folder in paths:
        if (folder / "dialogues").is_dir():
            problems.extend(load_dialogues(folder / "dialogues", set(library.flows))[1])
    tr = load_translator(locales_dir)
    problems.extend(locale_problems(locales_dir))
    for flow_id, flow in library.flows.items():
        file = library.files[flow_id]
        for lang in flow.languages:
            if lang not in tr.bundles:
                problems.append(Problem(file, "languages", f"no texts for {lang} in {locales_dir}"))
                continue
            for step_id, msg_id in flow.message_ids():
                if not tr.has(lang, msg_id):
                    problems.append(Problem(file, step_id, f"text {msg_id!r} missing in {lang}"))
    return problems
