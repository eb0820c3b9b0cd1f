"""Parse one Received header value into its fields (RFC 5321 section 4.4). STUB: to be replaced."""

from __future__ import annotations

from .model import ReceivedFields


def parse_received(value: str) -> ReceivedFields:
    """Read every field that can be read; never raises. ``complete`` is False for partial reads."""
    return ReceivedFields(complete=False, problems=("parser not implemented",))
