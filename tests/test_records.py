"""`quick_init` builds the same records as the dataclass's own `__init__` would."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from dataclasses import FrozenInstanceError, InitVar, dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot
from bot.records import quick_init


def _quick_classes() -> list[type]:
    """Every class in `bot` whose `__init__` quick_init wrote."""
    found: dict[str, type] = {}
    root = Path(bot.__file__).parent.parent
    for path in sorted(Path(bot.__file__).parent.rglob("*.py")):
        name = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        module = importlib.import_module(name)
        for value in vars(module).values():
            init = getattr(value, "__init__", None)
            code = getattr(init, "__code__", None)
            if (
                isinstance(value, type)
                and value.__module__ == name
                and code is not None
                and code.co_varnames[:1] == ("__record_self",)
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


QUICK = _quick_classes()


def _reference(cls: type) -> type:
    """The same fields as a plain frozen dataclass, with the dataclass's own `__init__`."""
    specs = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            spec: Any = field(default=f.default)
        elif f.default_factory is not dataclasses.MISSING:
            spec = field(default_factory=f.default_factory)
        else:
            spec = field()
        specs.append((f.name, f.type, spec))
    namespace = {}
    if hasattr(cls, "__post_init__"):
        namespace["__post_init__"] = cls.__post_init__
    return dataclasses.make_dataclass(cls.__name__, specs, frozen=True, namespace=namespace)


def test_the_records_a_turn_makes_have_quick_inits() -> None:
    names = {cls.__name__ for cls in QUICK}
    assert {"Inbound", "Question", "Message", "Participant", "RunState", "Envelope"} <= names


@pytest.mark.parametrize("cls", QUICK, ids=lambda cls: cls.__qualname__)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_a_quick_init_builds_what_the_dataclass_would(cls: type, data: st.DataObject) -> None:
    reference = _reference(cls)
    fields = dataclasses.fields(cls)
    required = [
        f
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    values = {f.name: object() for f in fields}
    optional = [f.name for f in fields if f not in required]
    if data.draw(st.booleans(), label="by keyword"):
        chosen = data.draw(st.sets(st.sampled_from(optional)) if optional else st.just(set()))
        args: list[Any] = []
        kwargs = {f.name: values[f.name] for f in fields if f in required or f.name in chosen}
    else:
        count = data.draw(st.integers(len(required), len(fields)), label="positional")
        args, kwargs = [values[f.name] for f in fields[:count]], {}
    quick, plain = cls(*args, **kwargs), reference(*args, **kwargs)
    assert vars(quick) == vars(plain)
    given_names = {f.name for f in fields[: len(args)]} | kwargs.keys()
    for f in fields:  # a factory gives each record its own value
        if f.default_factory is not dataclasses.MISSING and f.name not in given_names:
            assert getattr(quick, f.name) is not getattr(cls(*args, **kwargs), f.name)
    with pytest.raises(FrozenInstanceError):
        setattr(quick, fields[0].name, 1)
    assert quick == cls(*args, **kwargs)
    assert repr(quick).split("(", 1)[1] == repr(plain).split("(", 1)[1]


@pytest.mark.parametrize("cls", QUICK, ids=lambda cls: cls.__qualname__)
def test_a_quick_init_refuses_what_the_dataclass_refuses(cls: type) -> None:
    fields = dataclasses.fields(cls)
    with pytest.raises(TypeError):
        cls(*([None] * (len(fields) + 1)))
    with pytest.raises(TypeError):
        cls(**{f.name: None for f in fields}, not_a_field=None)
    required = [
        f
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if required:
        with pytest.raises(TypeError):
            cls()
    quick = inspect.signature(cls)
    plain = inspect.signature(_reference(cls))
    assert [(p.name, p.kind) for p in quick.parameters.values()] == [
        (p.name, p.kind) for p in plain.parameters.values()
    ]


def test_post_init_runs_as_the_dataclass_runs_it() -> None:
    seen: list[int] = []

    @quick_init
    @dataclass(frozen=True)
    class Checked:
        n: int
        tags: list[str] = field(default_factory=list)

        def __post_init__(self) -> None:
            seen.append(self.n)

    assert Checked(3).tags == [] and seen == [3]


def test_classes_it_cannot_speak_for_are_refused() -> None:
    @dataclass
    class Mutable:
        n: int

    @dataclass(frozen=True, slots=True)
    class Slotted:
        n: int

    @dataclass(frozen=True)
    class Hidden:
        n: int
        m: int = field(default=0, init=False)

    @dataclass(frozen=True)
    class Keyword:
        n: int = field(kw_only=True)

    @dataclass(frozen=True)
    class WithInitVar:
        n: int
        scale: InitVar[int] = 1

    for cls in (Mutable, Slotted, Hidden, Keyword, WithInitVar):
        with pytest.raises(TypeError, match=cls.__name__):
            quick_init(cls)
