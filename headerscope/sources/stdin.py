"""Read a message from standard input (``pbpaste | headerscope analyze -``)."""

from __future__ import annotations

import sys
from typing import BinaryIO, cast

from .interface import DEFAULT_MAX_SIZE, InputError, InputSource, read_bounded


class StdinSource(InputSource):
    """Standard input, read as bytes (never decoded: DKIM needs the exact bytes)."""

    def __init__(self, stream: BinaryIO | None = None, max_size: int = DEFAULT_MAX_SIZE) -> None:
        self.name = "-"
        self.stream = stream
        self.max_size = max_size

    def open(self) -> BinaryIO:
        """The byte stream, for a reader that takes it as it comes (analyze streams a mailbox)."""
        if self.stream is not None:
            return self.stream
        # sys.stdin is None under pythonw and when the parent closed it.
        stdin = sys.stdin
        if stdin is None:
            raise InputError("standard input is closed")
        stream = getattr(stdin, "buffer", None)
        if stream is None:
            raise InputError("standard input is not a byte stream")
        return cast(BinaryIO, stream)  # sys.stdin.buffer, typed Any through getattr

    def read(self) -> bytes:
        return self.read_after(b"")

    def read_after(self, start: bytes) -> bytes:
        """``start``, bytes already read from ``open()``'s stream, and the rest of it, the whole
        bounded by ``max_size`` as ``read`` bounds it."""
        return start + read_bounded(self.open(), self.max_size - len(start), "standard input",
                                    shown_limit=self.max_size)
