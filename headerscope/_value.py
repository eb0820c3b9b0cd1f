"""Frozen dataclasses made cheaply (``@frozen``, ``Value``) and a fast constructor for them.

Python 3.11's dataclasses compile every method they generate from source text when a class
is created: six methods for a frozen class, about 0.1 ms each. For the report model and the
checks' result classes that was a fifth of the start-up of ``headerscope analyze``. Here
nothing is compiled: ``dataclasses`` still reads the fields (so ``fields()``, ``replace()``
and ``asdict()`` work as usual), ``__init__`` is one closure per class that fills the
instance ``__dict__`` (``_field_init``), and immutability, equality, hashing and repr are
written once in ``Value``, behaving as the generated ones would.

Filling ``__dict__`` in one ``update`` is also cheaper per object than a generated frozen
``__init__``, which calls ``object.__setattr__`` once per field; a mailbox scan builds many
of these objects for every message. A class built that often (``COMPILE_AFTER`` times in one
process) then gets an ``__init__`` compiled for it, which stores each field straight into
``__dict__``: about a third of the closure's cost per object, paid for once per class that a
scan uses, never by a single ``analyze``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, TypeVar, dataclass_transform

_T = TypeVar("_T")
_MISSING: Any = dataclasses.MISSING

COMPILE_AFTER = 64
"""Objects of one class built through the closure ``__init__`` before it is replaced by a
compiled one."""


@dataclass_transform(frozen_default=True, eq_default=False)
def frozen(cls: type[_T]) -> type[_T]:
    """``@dataclass(frozen=True)`` for a subclass of ``Value``: type checkers see a frozen
    dataclass (PEP 681); at run time ``Value`` refuses assignments after ``__init__``."""
    if not issubclass(cls, Value):
        raise TypeError(f"@frozen needs a subclass of Value: {cls.__qualname__}")
    made = dataclasses.dataclass(init=False, eq=False, repr=False)(cls)
    made.__init__ = _field_init(made)  # type: ignore[method-assign]
    _FIELD_COUNT[made] = len(dataclasses.fields(made))  # type: ignore[arg-type]  # a dataclass now
    return made


# The number of fields of every ``@frozen`` class (not of its subclasses, which may add fields
# or an ``__init__`` of their own): ``replace`` copies only these classes' objects.
_FIELD_COUNT: dict[type, int] = {}


def replace(obj: _T, /, **changes: Any) -> _T:
    """``dataclasses.replace(obj, **changes)``, the same new object, made without the
    ``__init__`` call. dataclasses.replace reads every field in Python and passes them all to
    ``__init__``, which here only fills the new ``__dict__`` with them in field order: for an
    object of a ``@frozen`` class whose ``__dict__`` holds exactly its fields, in field order
    (as every ``__init__``, copy and pickle leave it), copying that ``__dict__`` and updating
    the changed fields gives the same ``__dict__``. Anything else (an object that cached a
    property in its ``__dict__``, a field name the class lacks, a class not made by
    ``@frozen``) is passed to dataclasses.replace, for its usual answer or error."""
    cls = obj.__class__
    count = _FIELD_COUNT.get(cls)
    state = obj.__dict__
    # Every constructor fills each field once, in field order, and nothing removes one: a
    # __dict__ of another size holds something else (a cached property's value).
    if count is None or len(state) != count:
        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    for name in changes:
        if name not in state:
            return dataclasses.replace(obj, **changes)  # type: ignore[type-var]  # raises its TypeError
    made: _T = object.__new__(cls)
    fresh = made.__dict__
    fresh.update(state)
    fresh.update(changes)
    return made


def _filler(cls: type) -> tuple[tuple[str, ...], frozenset[str], Callable[[dict[str, Any], dict[str, Any]], bool]] | None:
    """A dataclass's field names, its required ones, and a function that fills an instance
    ``__dict__`` from keyword values as a generated ``__init__`` sets the fields: every field
    in field order, defaults and default factories included. The function returns False,
    changing nothing, when a name is unknown or a required one is missing. None when a field
    is not a plain init field (``init=False`` or keyword-only)."""
    defaults: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    for f in dataclasses.fields(cls):
        if not f.init or f.kw_only:
            return None
        if f.default is not _MISSING:
            defaults[f.name] = f.default
        elif f.default_factory is not _MISSING:
            defaults[f.name] = None  # a placeholder keeps the field's place in the order
            factories[f.name] = f.default_factory  # type: ignore[assignment]  # not MISSING here
        else:
            defaults[f.name] = _MISSING  # always replaced: a missing required field fails first
    known = frozenset(defaults)
    required = frozenset(name for name, value in defaults.items() if value is _MISSING)

    def fill(state: dict[str, Any], values: dict[str, Any]) -> bool:
        given = values.keys()
        if not (given <= known and required <= given):
            return False
        # Every field first, in field order (repr, equality, hashing and the JSON form read
        # __dict__ in order); updating an existing key keeps its place.
        state.update(defaults)
        state.update(values)
        for name, factory in factories.items():
            if name not in values:
                state[name] = factory()
        return True

    return tuple(defaults), required, fill


def _field_init(cls: type) -> Callable[..., None]:
    """The ``__init__`` a dataclass would generate for ``cls``, without compiling source:
    positional or keyword arguments in field order, defaults, default factories, and a
    TypeError for a missing, unknown or repeated argument. A class needing more (a
    ``__post_init__``, keyword-only or ``init=False`` fields) is refused when it is made."""
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"@frozen does not run __post_init__: {cls.__qualname__}")
    made = _filler(cls)
    if made is None:
        raise TypeError(f"@frozen supports only plain init fields (no init=False, no keyword-only): {cls.__qualname__}")
    names, required, fill = made
    where = f"{cls.__qualname__}.__init__()"
    # A dunder-framed field name could collide with the compiled __init__'s own names.
    built = COMPILE_AFTER if any(name.startswith("__") for name in names) else 0

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal built
        built += 1  # threads racing here can only skip the switch: both __init__s build the same object
        if built == COMPILE_AFTER and cls.__dict__.get("__init__") is __init__:
            cls.__init__ = _compiled_init(cls)  # type: ignore[misc]  # the next objects use it
        if args:
            if len(args) > len(names):
                raise TypeError(f"{where} takes {len(names) + 1} positional arguments but {len(args) + 1} were given")
            for name, value in zip(names, args, strict=False):  # fewer args than fields is usual
                if name in kwargs:
                    raise TypeError(f"{where} got multiple values for argument {name!r}")
                kwargs[name] = value
        if not fill(self.__dict__, kwargs):
            unknown = [name for name in kwargs if name not in names]
            if unknown:
                raise TypeError(f"{where} got an unexpected keyword argument {unknown[0]!r}")
            missing = [name for name in names if name in required and name not in kwargs]
            raise TypeError(f"{where} missing {len(missing)} required argument(s): "
                            + ", ".join(repr(name) for name in missing))

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


class _Factory:
    """Marks a default-factory argument left out (a compiled ``__init__``'s default)."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def _compiled_init(cls: type) -> Callable[..., None]:
    """The ``__init__`` a dataclass would generate for ``cls``, compiled from source as
    dataclasses does, but storing each field straight into the instance ``__dict__`` in field
    order (``Value`` refuses ``__setattr__``). Python itself checks the arguments."""
    namespace: dict[str, Any] = {"__frozen_factory__": _FACTORY}
    params: list[str] = []
    body: list[str] = []
    for f in dataclasses.fields(cls):
        # Field names are identifiers from the class body, and no field name is dunder-framed
        # like the source's own names; defaults are passed by reference, never as text.
        if f.default is not _MISSING:
            namespace[f"__frozen_default_{f.name}__"] = f.default
            params.append(f"{f.name}=__frozen_default_{f.name}__")
            body.append(f"    __frozen_state__[{f.name!r}] = {f.name}")
        elif f.default_factory is not _MISSING:
            namespace[f"__frozen_new_{f.name}__"] = f.default_factory
            params.append(f"{f.name}=__frozen_factory__")
            body.append(f"    __frozen_state__[{f.name!r}] = "
                        f"__frozen_new_{f.name}__() if {f.name} is __frozen_factory__ else {f.name}")
        else:
            params.append(f.name)
            body.append(f"    __frozen_state__[{f.name!r}] = {f.name}")
    source = (f"def __init__(__frozen_self__, {', '.join(params)}):\n"
              "    __frozen_state__ = __frozen_self__.__dict__\n" + "\n".join(body) + "\n")
    # Our own source, built from field names only: the exec is what dataclasses does too.
    exec(compile(source, f"<@frozen {cls.__qualname__}>", "exec"), namespace)
    made: Callable[..., None] = namespace["__init__"]
    made.__qualname__ = f"{cls.__qualname__}.__init__"
    made.__module__ = cls.__module__
    return made


class Value:
    """Immutability, equality, hashing and repr for ``@frozen`` classes, written once.

    As a frozen dataclass's: assigning or deleting any attribute after ``__init__`` raises
    ``dataclasses.FrozenInstanceError``; equal when the class and every field are equal; hash
    of the field values; ``Name(field=value, ...)``. Only for classes whose instance
    ``__dict__`` holds exactly their fields (no ``__slots__``); a class with cached properties
    writes its own equality, hash and repr (as ``Message`` does).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        # __init__ fills __dict__ directly (as do copy and pickle), so every assignment is
        # refused, as frozen=True does.
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

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
    dataclasses documentation, "Frozen instances"): for ReceivedFields that was a third of a
    fast parse. For a plain one (no ``__post_init__``, no ``__slots__``, no InitVar) filling
    the instance ``__dict__`` with every field, defaults included, gives the same object; for
    anything else the class itself is returned, so a model change can only cost speed, never
    correctness. A ``@frozen`` class's own ``__init__`` fills ``__dict__`` the same way; the
    maker only skips its handling of positional arguments.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if (
        params is None
        or not (params.frozen or issubclass(cls, Value))
        or hasattr(cls, "__post_init__")
        or hasattr(cls, "__slots__")
    ):
        return cls
    made = _filler(cls)
    if made is None:
        return cls
    fill = made[2]
    new = object.__new__

    def make(**values: Any) -> _T:
        obj = new(cls)
        if not fill(obj.__dict__, values):
            return cls(**values)  # unknown or missing field: let the class raise its usual error
        return obj

    return make


_K = TypeVar("_K")
_V = TypeVar("_V")


class IdentityMemo(Generic[_K, _V]):
    """A bounded memo of ``compute(obj)`` keyed by the object itself, for immutable objects a run
    hands out again and again (a snapshot's answer objects, one moment formatted several times)
    whose equality is dearer than their identity. Each entry holds its object, so its id cannot
    be reused by another object while the entry exists, and the identity test keeps a different
    object from ever taking another's value. Cleared when full."""

    def __init__(self, compute: Callable[[_K], _V], limit: int) -> None:
        self._compute = compute
        self.limit = limit
        self._held: dict[int, tuple[_K, _V]] = {}

    def __call__(self, obj: _K) -> _V:
        held = self._held.get(id(obj))
        if held is not None and held[0] is obj:
            return held[1]
        value = self._compute(obj)
        if len(self._held) >= self.limit:
            self._held.clear()
        self._held[id(obj)] = (obj, value)
        return value

    def __len__(self) -> int:
        return len(self._held)
