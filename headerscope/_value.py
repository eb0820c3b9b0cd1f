"""A shared base for the frozen dataclasses (see ``Value``)."""

from __future__ import annotations


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
