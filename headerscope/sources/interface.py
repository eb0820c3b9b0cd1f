"""The small interface every input source implements."""

from __future__ import annotations

from abc import ABC, abstractmethod

DEFAULT_MAX_SIZE = 256 * 1024 * 1024
"""Largest input read (bytes). A message is rarely above 50 MB; this bounds memory on hostile input."""


class InputError(Exception):
    """The input cannot be read; ``str(error)`` is a one-line message for the user."""

    def __init__(self, message: str) -> None:
        # A one-line message: a path or a tool's output could carry line breaks.
        super().__init__(" ".join(message.split()))


class InputSource(ABC):
    """Something that yields the raw bytes of one message."""

    name: str
    """How the report names the source: a path, ``-`` for stdin, ``clipboard``."""

    @abstractmethod
    def read(self) -> bytes:
        """The bytes as read; raises InputError with a one-line message when they cannot be."""


def read_bounded(stream: object, max_size: int, what: str, *, shown_limit: int | None = None) -> bytes:
    """Read at most ``max_size`` bytes from a binary stream; InputError when there is more, saying
    the limit is ``shown_limit`` (default ``max_size``: less when some bytes were read before)."""
    read = getattr(stream, "read", None)
    if read is None:
        raise InputError(f"{what} cannot be read")
    try:
        data = read(max_size + 1)
    except OSError as exc:
        raise InputError(f"{what} cannot be read: {exc.strerror or exc}") from exc
    if not isinstance(data, bytes):
        raise InputError(f"{what} did not give bytes")
    if len(data) > max_size:
        raise InputError(f"{what} is larger than the limit of {format_size(max_size if shown_limit is None else shown_limit)}")
    return data


def format_size(size: int) -> str:
    """A byte count in words a person reads at a glance."""
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MiB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KiB"
    return f"{size} bytes"
