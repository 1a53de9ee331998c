"""`baraza check`: flows, dialogues and locales, one `file: step: reason` line per problem.

Every problem is reported in one run, once per cause: a flow with schema errors still has
the texts of its valid steps checked, and its dialogue is still checked; a missing `.ftl`
file is one line, not one per text it should hold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from fluent.syntax import ast

from bot import languages as language_files
from bot.dialogues import Dialogue, load_dialogues
from bot.flows import Flow, Problem, before_consent, load_library
from bot.i18n import Translator, load_translator

STEP_VARIABLES = frozenset({"dialogue"})
"""What the engine gives a step's own text (`<flow>-<step>`): the dialogue's title.
Its options, scale ends and `-declined` text are given nothing."""


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


def _names(items: Iterable[str]) -> str:
    return ", ".join(f"${v}" for v in sorted(items)) or "none"


@dataclass(frozen=True)
class Text:
    path: Path
    variables: frozenset[str]


@dataclass
class Texts:
    """Every message of every language, with the file it is in and the variables it uses."""

    tr: Translator
    by_lang: dict[str, dict[str, Text]] = field(default_factory=lambda: defaultdict(dict))
    files: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """File names per language (`explore.ftl`)."""
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def read(cls, tr: Translator) -> Texts:
        texts = cls(tr)
        for f in tr.files:
            texts.files[f.lang].add(f.path.name)
            source = f.path.read_text(encoding="utf-8")
            for entry in f.resource.body:
                if isinstance(entry, ast.Junk):
                    line = _line(source, entry.span.start) if entry.span else 0
                    why = "; ".join(str(a.message) for a in entry.annotations) or "syntax error"
                    texts.problems.append(
                        Problem(str(f.path), f"line {line}", f"syntax error: {why}")
                    )
                elif isinstance(entry, ast.Message):
                    if entry.id.name in texts.by_lang[f.lang]:
                        texts.problems.append(
                            Problem(str(f.path), entry.id.name, "message defined twice")
                        )
                    texts.by_lang[f.lang][entry.id.name] = Text(
                        f.path, frozenset(_variables(entry.value))
                    )
        return texts

    @property
    def langs(self) -> list[str]:
        return list(self.tr.languages)

    def missing_files(self) -> dict[str, set[str]]:
        """File names that some languages have and `lang` has not, by `lang`."""
        every = set().union(*(self.files[lang] for lang in self.langs))
        return {lang: every - self.files[lang] for lang in self.langs}

    def in_missing_file(self, msg_id: str, lang: str, missing: Mapping[str, set[str]]) -> bool:
        """Is `msg_id` absent from `lang` because its whole file is (reported once)?"""
        return any(
            msg_id in self.by_lang[other] and self.by_lang[other][msg_id].path.name in missing[lang]
            for other in self.langs
        )


def locale_problems(
    texts: Texts, locales_dir: Path, flow_texts: Mapping[str, frozenset[str]]
) -> list[Problem]:
    """Syntax errors, missing files, and texts or variables present in one language and not
    another. `flow_texts` (message id -> the variables the engine gives it) are the flows'
    texts: their absence is reported by the flow check, with the step it belongs to."""
    problems = list(texts.problems)
    langs = texts.langs
    missing = texts.missing_files()
    for lang in langs:
        for name in sorted(missing[lang]):
            having = [x for x in langs if name in texts.files[x]]
            problems.append(
                Problem(
                    str(locales_dir / lang / name),
                    "file",
                    f"missing: its texts are in {', '.join(having)} but not in {lang}",
                )
            )
    every_id = {i for lang in langs for i in texts.by_lang[lang]}
    for msg_id in sorted(every_id):
        present = {
            lang: texts.by_lang[lang][msg_id] for lang in langs if msg_id in texts.by_lang[lang]
        }
        if msg_id not in flow_texts:
            some_file = str(next(iter(present.values())).path)
            for lang in langs:
                if lang not in present and not texts.in_missing_file(msg_id, lang, missing):
                    problems.append(Problem(some_file, msg_id, f"missing in {lang}"))
        problems.extend(_variable_problems(msg_id, present, flow_texts.get(msg_id)))
    return problems


def _variable_problems(
    msg_id: str, present: Mapping[str, Text], given: frozenset[str] | None
) -> list[Problem]:
    """Variables nothing fills, and variables one language uses and another does not.

    A flow's text is given `given`. Any other text (the engine's, the facilitators') is
    given the variables its English text uses: a translation cannot ask for more."""
    problems: list[Problem] = []
    if given is not None:
        what = (
            "a step's text is given only $dialogue"
            if given
            else "only a step's own text is given $dialogue; this one is given none"
        )
    elif "en" in present:
        given = present["en"].variables
        what = f"the English text uses {_names(given)}"
    else:
        given = frozenset().union(*(t.variables for t in present.values()))
        what = ""
    for text in present.values():
        for var in sorted(text.variables - given):
            problems.append(
                Problem(str(text.path), msg_id, f"variable ${var} is filled by nothing ({what})")
            )
    used = {lang: t.variables & given for lang, t in present.items()}
    union = set().union(*used.values())
    for lang, text in present.items():
        for var in sorted(union - used[lang]):
            others = ", ".join(x for x, v in used.items() if var in v)
            problems.append(
                Problem(
                    str(text.path), msg_id, f"variable ${var} used in {others} but not in {lang}"
                )
            )
    return problems


def flow_text_ids(flow: Flow) -> dict[str, tuple[str, frozenset[str]]]:
    """Message id -> (step id, the variables the engine gives it) for every text of `flow`."""
    return {
        msg_id: (step_id, STEP_VARIABLES if msg_id == f"{flow.id}-{step_id}" else frozenset())
        for step_id, msg_id in flow.message_ids()
    }


def _flow_text_problems(
    flow: Flow, file: str, texts: Texts, locales_dir: Path, missing: Mapping[str, set[str]]
) -> list[Problem]:
    """Texts of the flow missing in its languages: one line per text, or one line for a
    language that has none of them and no `<flow>.ftl` at all."""
    problems: list[Problem] = []
    ids = flow_text_ids(flow)
    spoken = flow.spoken(texts.tr.languages)
    langs = [lang for lang in spoken if lang in texts.tr.bundles]
    for lang in spoken:
        if lang not in texts.tr.bundles:
            problems.append(Problem(file, "languages", f"no texts for {lang} in {locales_dir}"))
    absent = {lang: [i for i in ids if i not in texts.by_lang[lang]] for lang in langs}
    no_file = [
        lang
        for lang in langs
        if ids
        and len(absent[lang]) == len(ids)
        and f"{flow.id}.ftl" not in texts.files[lang]
        and f"{flow.id}.ftl" not in missing[lang]  # reported as a missing file already
    ]
    if no_file:
        where = ", ".join(str(locales_dir / lang / f"{flow.id}.ftl") for lang in no_file)
        problems.append(
            Problem(file, "texts", f"none of its {len(ids)} texts exist: write {where}")
        )
    for msg_id, (step_id, _) in ids.items():
        langs_missing = [
            lang
            for lang in langs
            if lang not in no_file
            and msg_id in absent[lang]
            and not texts.in_missing_file(msg_id, lang, missing)
        ]
        if langs_missing:
            problems.append(
                Problem(file, step_id, f"text {msg_id!r} missing in {', '.join(langs_missing)}")
            )
    return problems


def consent_problems(d: Dialogue, flows: Mapping[str, Flow], where: Path) -> list[Problem]:
    """Consent belongs to the dialogue: nothing may be asked whose answer would have to
    be thrown away because no consent step came before it."""
    unsafe = before_consent(flows, d.start_flow)
    if not unsafe:
        return []
    steps = ", ".join(f"{f}/{s}" for f, s in unsafe[:5]) + (" ..." if len(unsafe) > 5 else "")
    return [
        Problem(
            f"{where}.yaml",
            "flows",
            f"answers to {steps} could not be stored: no consent step comes before them"
            " (add a step of type consent first)",
        )
    ]


def check_paths(paths: Iterable[Path], locales_dir: Path) -> list[Problem]:
    paths = list(paths)
    library, problems = load_library(paths)
    problems = list(problems)
    flows = {**library.partial, **library.flows}
    for folder in paths:
        if (folder / "dialogues").is_dir():
            dialogues, found = load_dialogues(
                folder / "dialogues", set(flows), flows=flows, broken=set(library.partial)
            )
            problems.extend(found)
            for code, d in dialogues.items():
                problems.extend(consent_problems(d, library.flows, folder / "dialogues" / code))
    tr = load_translator(locales_dir)
    if not tr.bundles:
        problems.append(
            Problem(str(locales_dir), "locales", "no language folders (e.g. locales/en/)")
        )
        return problems
    problems.extend(
        Problem(str(path), "file", reason) for path, reason in language_files.problems(locales_dir)
    )
    texts = Texts.read(tr)
    given: dict[str, frozenset[str]] = {}
    for flow in flows.values():
        for msg_id, (_, variables) in flow_text_ids(flow).items():
            given[msg_id] = variables
    problems.extend(locale_problems(texts, locales_dir, given))
    missing = texts.missing_files()
    for flow_id, flow in flows.items():
        problems.extend(
            _flow_text_problems(flow, library.files[flow_id], texts, locales_dir, missing)
        )
    return problems
