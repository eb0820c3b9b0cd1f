"""Read a message from a file path."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .interface import DEFAULT_MAX_SIZE, InputError, InputSource, format_size, read_bounded


class FileSource(InputSource):
    """A message file (.eml, a saved paste, ...), read whole up to ``max_size`` bytes."""

    def __init__(self, path: str | os.PathLike[str], max_size: int = DEFAULT_MAX_SIZE) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.max_size = max_size

    def read(self) -> bytes:
        shown = repr(self.name)[1:-1]  # escapes control characters in a hostile file name
        try:
            info = self.path.stat()
        except FileNotFoundError as exc:
            raise InputError(f"{shown}: no such file") from exc
        except PermissionError as exc:
            raise InputError(f"{shown}: permission denied") from exc
        except OSError as exc:
            raise InputError(f"{shown}: cannot be read ({exc.strerror or exc})") from exc
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{shown}: is a directory, not a message file")
        # A regular file's size is known up front; pipes and devices are bounded while reading.
        if stat.S_ISREG(info.st_mode) and info.st_size > self.max_size:
            raise InputError(f"{shown}: {format_size(info.st_size)} is larger than the limit of "
                             f"{format_size(self.max_size)}")
        try:
            with self.path.open("rb") as handle:
                return read_bounded(handle, self.max_size, shown)
        except IsADirectoryError as exc:
            raise InputError(f"{shown}: is a directory, not a message file") from exc
        except PermissionError as exc:
            raise InputError(f"{shown}: permission denied") from exc
        except OSError as exc:
            raise InputError(f"{shown}: cannot be read ({exc.strerror or exc})") from exc
