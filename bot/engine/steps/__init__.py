"""Step types, one module each: a subclass of `StepBase` with its schema (a pydantic
model whose `type` is a `Literal` of its name), its texts, how it is asked and how a
reply is accepted. Adding a step type is adding a module here (and its texts and tests):
this package finds its modules by itself.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from typing import Annotated, Any, Union

from pydantic import Field

from bot.engine.steps.base import Accepted, Asking, Miss, OptionsStep, StepBase

__all__ = ["Accepted", "Asking", "Miss", "OptionsStep", "StepBase", "step_types", "union"]


def _type_name(cls: type[StepBase]) -> str | None:
    annotation = cls.model_fields["type"].annotation
    if typing.get_origin(annotation) is typing.Literal:
        (name,) = typing.get_args(annotation)
        return str(name)
    return None


def _discover() -> dict[str, type[StepBase]]:
    found: dict[str, type[StepBase]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name == "base" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, StepBase) and cls.__module__ == module.__name__:
                name = _type_name(cls)
                if name is not None:
                    found[name] = cls
    return found


_TYPES = _discover()


def step_types() -> dict[str, type[StepBase]]:
    """Every step type, by name."""
    return dict(_TYPES)


def union() -> Any:
    """The annotation a flow's steps have: one of the step types, chosen by `type`."""
    return Annotated[Union[tuple(_TYPES.values())], Field(discriminator="type")]  # noqa: UP007
