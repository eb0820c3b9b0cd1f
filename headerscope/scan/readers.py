"""Find the messages under the paths given to ``scan``, streaming: memory stays flat.

mbox files (RFC 4155) are split on ``From `` lines and un-quoted the mboxrd way (one ``>``
removed from ``>+From `` lines), which also undoes the older mboxo quoting of ``>From ``.
Maildir folders are read from ``new/`` then ``cur/``. Other directories are walked in name
order; each file is an mbox when it starts with ``From ``, else one message (.eml, .msg, ...).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_MESSAGE = 256 * 1024 * 1024

_MBOX_QUOTED = re.compile(rb"^>+From ")
# "From sender Mon Nov  2 10:00:00 2026": a separator even without the blank line before it.
_MBOX_SEPARATOR = re.compile(rb"^From \S+ +[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]?\d \d\d:\d\d")


@dataclass(frozen=True)
class ScanInput:
    """One message to analyze, or why it could not be read."""

    label: str
    """Where it came from: a path, or ``mbox-path#N`` for the N-th message of a mailbox."""
    data: bytes | None
    """The message bytes (None when unreadable)."""
    error: str | None = None
    """Why it could not be read."""
    container: str = "file"
    """file, mbox, maildir."""


def is_maildir(path: Path) -> bool:
    """A Maildir has cur/ and new/ subfolders."""
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _looks_like_mbox(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"From "
    except OSError:
        return False


def iter_inputs(paths: Iterable[str], max_message: int = DEFAULT_MAX_MESSAGE) -> Iterator[ScanInput]:
    """Every message under the paths, in a stable order, each read only when it is its turn."""
    for raw_path in paths:
        path = Path(raw_path)
        if path.is_dir():
            yield from _iter_dir(path, max_message)
        elif path.is_file():
            yield from _iter_file(path, max_message)
        elif not path.exists():
            yield ScanInput(label=str(path), data=None, error="no such file or directory")
        else:
            yield ScanInput(label=str(path), data=None, error="not a regular file")


def _iter_dir(path: Path, max_message: int) -> Iterator[ScanInput]:
    if is_maildir(path):
        for sub in ("new", "cur"):
            for entry in sorted((path / sub).iterdir()):
                if entry.is_file() and not entry.name.startswith("."):
                    yield _read_single(entry, max_message, container="maildir")
        return
    for root, dirs, files in os.walk(path):
        dirs.sort()
        root_path = Path(root)
        # A Maildir nested in a tree is read as one (its tmp/ holds unfinished deliveries).
        for name in list(dirs):
            if is_maildir(root_path / name):
                dirs.remove(name)
                yield from _iter_dir(root_path / name, max_message)
        if root_path.name == "tmp" and is_maildir(root_path.parent):
            continue
        for name in sorted(files):
            if name.startswith("."):
                continue
            yield from _iter_file(root_path / name, max_message)


def _iter_file(path: Path, max_message: int) -> Iterator[ScanInput]:
    if _looks_like_mbox(path):
        yield from iter_mbox(path, max_message)
    else:
        yield _read_single(path, max_message)


def _read_single(path: Path, max_message: int, container: str = "file") -> ScanInput:
    try:
        size = path.stat().st_size
        if size > max_message:
            return ScanInput(label=str(path), data=None, container=container,
                             error=f"message of {size} bytes is over the {max_message}-byte limit")
        return ScanInput(label=str(path), data=path.read_bytes(), container=container)
    except OSError as exc:
        return ScanInput(label=str(path), data=None, container=container, error=exc.strerror or str(exc))


def iter_mbox(path: Path, max_message: int = DEFAULT_MAX_MESSAGE) -> Iterator[ScanInput]:
    """Messages of an mbox file, one at a time; an over-long one becomes an error entry."""
    number = 0
    lines: list[bytes] = []
    size = 0
    too_big = False
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield ScanInput(label=str(path), data=None, error=exc.strerror or str(exc), container="mbox")
        return

    def finish() -> ScanInput:
        label = f"{path}#{number}"
        if too_big:
            return ScanInput(label=label, data=None, container="mbox",
                             error=f"message over the {max_message}-byte limit")
        # RFC 4155: the empty line before the next "From " line belongs to the mbox, not the message.
        if lines and lines[-1] in (b"\n", b"\r\n"):
            lines.pop()
        return ScanInput(label=label, data=b"".join(lines), container="mbox")

    with handle:
        started = False
        for line in handle:
            if line.startswith(b"From ") and (not started or not lines or lines[-1] in (b"\n", b"\r\n")
                                               or _MBOX_SEPARATOR.match(line)):
                if started:
                    yield finish()
                started = True
                number += 1
                lines = []
                size = 0
                too_big = False
                continue
            if not started:
                continue
            if too_big:
                continue
            if line[:1] == b">" and _MBOX_QUOTED.match(line):
                line = line[1:]
            size += len(line)
            if size > max_message:
                too_big = True
                lines = []
                continue
            lines.append(line)
        if started:
            yield finish()
