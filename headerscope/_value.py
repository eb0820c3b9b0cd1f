"""A shared base for the frozen dataclasses (``Value``) and a fast constructor for them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T")


class Value:
    """Equality, hashing and repr of frozen dataclasses, written once for all of them.

    Each class is ``@dataclass(frozen=True, eq=False, repr=False)`` and inherits these,
    which behave as the ones dataclasses would generate (equal when the class and every
    field are equal; hash of the field values; ``Name(field=value, ...)``). Python 3.11's
    dataclasses compile each generated method from source when the class is created, and
    for the model and the checks' own result classes that was a tenth of the start-up
    of ``headerscope analyze``. Only for classes whose instance ``__dict__`` holds exactly
    their fields (no ``__slots__``, no cached properties).
    """

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
    """A faster constructor for a frozen dataclass, taking keyword arguments.

    A frozen dataclass's ``__init__`` sets every field through ``object.__setattr__`` (the
    dataclasses documentation, "Frozen instances"): for ReceivedFields that was a third of a
    fast parse. For a plain frozen dataclass (no ``__post_init__``, no ``__slots__``, no
    InitVar) filling the instance ``__dict__`` with every field, defaults included, gives the
    same object; for anything else the class itself is returned, so a model change can only
    cost speed, never correctness.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if (
        params is None
        or not params.frozen
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
