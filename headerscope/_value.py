"""Frozen dataclasses made cheaply (``@frozen``, ``Value``) and a fast constructor for them.

Python 3.11's dataclasses compile every method they generate from source text when a class
is created: six methods for a frozen class. For the report model and the checks' own result
classes that was a fifth of the start-up of ``headerscope analyze``. Here only ``__init__``
is generated; immutability, equality, hashing and repr are written once in ``Value``, and
behave as the generated ones would.

HOT: the price is one Python-level ``__setattr__`` call per field in ``__init__``. The few
classes built with many fields on every message of a scan (Report, the per-check results,
DNS evidence, scan rows) stay ``@dataclass(frozen=True, eq=False, repr=False)`` subclasses of
``Value``: dataclasses' frozen ``__init__`` assigns in C, which a mailbox scan notices (6%
of its time when every class used ``@frozen``) and a single analysis does not.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

_T = TypeVar("_T")


@dataclass_transform(frozen_default=True, eq_default=False)
def frozen(cls: type[_T]) -> type[_T]:
    """``@dataclass(frozen=True)`` for a subclass of ``Value``: type checkers see a frozen
    dataclass (PEP 681); at run time ``Value`` refuses assignments after ``__init__``."""
    if not issubclass(cls, Value):
        raise TypeError(f"@frozen needs a subclass of Value: {cls.__qualname__}")
    return dataclasses.dataclass(eq=False, repr=False)(cls)


class Value:
    """Immutability, equality, hashing and repr for ``@frozen`` classes, written once.

    As a frozen dataclass's: assigning or deleting any attribute after ``__init__`` raises
    ``dataclasses.FrozenInstanceError``; equal when the class and every field are equal; hash
    of the field values; ``Name(field=value, ...)``. Only for classes whose instance
    ``__dict__`` holds exactly their fields (no ``__slots__``, no cached properties).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        # __init__ sets each field once; any other assignment is refused, as frozen=True does.
        if name in self.__dict__ or name not in self.__dataclass_fields__:  # type: ignore[attr-defined]
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        self.__dict__[name] = value

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(tuple(self.__dict__.values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"{self.__class__.__qualname__}({fields})"


def frozen_maker(cls: type[_T]) -> Callable[..., _T]:
    """A faster constructor for a frozen dataclass or a ``@frozen`` class, taking keyword arguments.

    A frozen dataclass's ``__init__`` sets every field through ``object.__setattr__`` (the
    dataclasses documentation, "Frozen instances"), a ``@frozen`` class's through
    ``Value.__setattr__``: for ReceivedFields that was a third of a fast parse. For a plain
    one (no ``__post_init__``, no ``__slots__``, no InitVar) filling the instance ``__dict__``
    with every field, defaults included, gives the same object; for anything else the class
    itself is returned, so a model change can only cost speed, never correctness.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if (
        params is None
        or not (params.frozen or issubclass(cls, Value))
        or hasattr(cls, "__post_init__")
        or hasattr(cls, "__slots__")
    ):
        return cls
    defaults: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if not f.init:
            return cls
        if f.default is not dataclasses.MISSING:
            defaults[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            defaults[f.name] = None  # placeholder: keeps the field's place in the order
            factories[f.name] = f.default_factory
        else:
            defaults[f.name] = dataclasses.MISSING
    names = frozenset(defaults)
    required = frozenset(name for name, value in defaults.items() if value is dataclasses.MISSING)
    new = object.__new__

    def make(**values: Any) -> _T:
        keys = values.keys()
        if not keys <= names or not required <= keys:
            return cls(**values)  # unknown or missing field: let the class raise its usual error
        obj = new(cls)
        state = obj.__dict__
        # Every field first, in field order (as __init__ sets them: repr, equality, hashing
        # and the JSON form read __dict__ in order); updating existing keys keeps it.
        state.update(defaults)
        state.update(values)
        for name, factory in factories.items():
            if name not in values:
                state[name] = factory()
        return obj

    return make
