"""Read a message from standard input (``pbpaste | headerscope analyze -``)."""

from __future__ import annotations

import sys
from typing import BinaryIO

from .interface import DEFAULT_MAX_SIZE, InputError, InputSource, read_bounded


class StdinSource(InputSource):
    """Standard input, read as bytes (never decoded: DKIM needs the exact bytes)."""

    def __init__(self, stream: BinaryIO | None = None, max_size: int = DEFAULT_MAX_SIZE) -> None:
        self.name = "-"
        self.stream = stream
        self.max_size = max_size

    def read(self) -> bytes:
        stream: object = self.stream
        if stream is None:
            # sys.stdin is None under pythonw and when the parent closed it.
            stdin = sys.stdin
            if stdin is None:
                raise InputError("standard input is closed")
            stream = getattr(stdin, "buffer", None)
            if stream is None:
                raise InputError("standard input is not a byte stream")
        return read_bounded(stream, self.max_size, "standard input")
