"""Validate the ARC chain with dkimpy (RFC 8617). STUB."""

from __future__ import annotations

from ..dns.interface import Resolver
from ..message import Message
from ..model import ArcResult, Finding


def check_arc(message: Message, resolver: Resolver) -> tuple[ArcResult | None, tuple[Finding, ...]]:
    """None when the message has no ARC headers."""
    return None, ()
