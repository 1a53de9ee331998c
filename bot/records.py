"""A quicker `__init__` for the frozen dataclasses a turn makes by the dozen.

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__`
(its own `__setattr__` refuses): about 240 ns a field on Python 3.11, 2 us for a record of
eight fields against 0.4 us unfrozen. A Telegram turn makes about twenty such records (its
inbound, the run's state, the question, the messages out, the answer...): 32 us of its
300, timed alone, and 12 us with their fields written straight into the new instance's
`__dict__`, which is all `object.__setattr__` does for a plain field. Everything else stays the dataclass's
own: the frozen `__setattr__`, `__eq__`, `__hash__`, `__repr__`, `replace`, and what mypy
sees (the decorator returns the class it was given).
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, TypeVar

T = TypeVar("T")

_SELF = "__record_self"
_VALUES = "__record_values"


class _NoValue:
    """A default standing for "call the field's default factory"."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _NoValue()


def quick_init(cls: type[T]) -> type[T]:
    """Give frozen dataclass `cls` an `__init__` that writes its fields directly, with the
    same parameters, defaults and factories. Refuses (TypeError) a class it cannot speak
    for: not a frozen dataclass, with `__slots__`, `InitVar`s, fields left out of
    `__init__` or keyword-only ones; `__post_init__` is called as the dataclass would."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or not params.init:
        raise TypeError(f"{cls.__name__}: quick_init is for frozen dataclasses")
    if "__slots__" in cls.__dict__:
        raise TypeError(f"{cls.__name__}: quick_init needs an instance __dict__")
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]  # checked above
    original = inspect.signature(cls.__init__)
    names = [f.name for f in fields]
    if list(original.parameters)[1:] != names:
        raise TypeError(f"{cls.__name__}: InitVar, init=False or keyword-only fields")
    if any(f.kw_only for f in fields) or {_SELF, _VALUES} & set(names):
        raise TypeError(f"{cls.__name__}: keyword-only fields or reserved names")
    namespace: dict[str, Any] = {"_FACTORY": _FACTORY}
    arguments: list[str] = []
    body: list[str] = [f"{_VALUES} = {_SELF}.__dict__"]
    for f in fields:
        name = f.name
        if f.default is not dataclasses.MISSING:
            namespace[f"_default_{name}"] = f.default
            arguments.append(f"{name}=_default_{name}")
            body.append(f"{_VALUES}[{name!r}] = {name}")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{name}"] = f.default_factory
            arguments.append(f"{name}=_FACTORY")
            body.append(
                f"{_VALUES}[{name!r}] = _factory_{name}() if {name} is _FACTORY else {name}"
            )
        else:
            arguments.append(name)
            body.append(f"{_VALUES}[{name!r}] = {name}")
    if hasattr(cls, "__post_init__"):
        body.append(f"{_SELF}.__post_init__()")
    source = f"def __init__({', '.join([_SELF, *arguments])}):\n    " + "\n    ".join(body)
    exec(source, namespace)  # built from the class's own field names
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    init.__annotations__ = dict(cls.__init__.__annotations__)
    setattr(cls, "__init__", init)  # noqa: B010  # mypy refuses assigning to a method
    return cls
