"""Turn input bytes (a file, a pipe, a paste) into message bytes, saying what was cleaned. STUB."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .model import RecordedResult


@dataclass(frozen=True)
class LoadedInput:
    """Bytes ready to parse, and what loading them did."""

    data: bytes
    """Message bytes after clean-up (the original bytes when nothing needed cleaning)."""
    source: str
    """Path, ``-``, ``clipboard`` or ``api``."""
    sha256: str
    """SHA-256 of the bytes as read."""
    size: int
    """Size of the bytes as read."""
    format: str
    """eml, headers-only, gmail-original, outlook-internet-headers, outlook-properties, msg, mbox-entry."""
    cleanups: tuple[str, ...]
    """Each clean-up, in words."""
    has_body: bool
    """False when the input has no body."""
    byte_exact: bool
    """False when the bytes are not the original message."""
    recorded: tuple[RecordedResult, ...] = ()
    """Results read from a paste's surrounding page (Gmail's summary table)."""


def load_bytes(data: bytes, source: str = "api") -> LoadedInput:
    """Normalise a paste into message bytes; never raises."""
    digest = hashlib.sha256(data).hexdigest()
    has_body = b"\n\n" in data or b"\r\n\r\n" in data
    return LoadedInput(data=data, source=source, sha256=digest, size=len(data),
                       format="eml" if has_body else "headers-only", cleanups=(), has_body=has_body,
                       byte_exact=True)
