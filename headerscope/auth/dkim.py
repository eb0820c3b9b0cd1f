"""Re-verify every DKIM-Signature with dkimpy (RFC 6376, RFC 8463). STUB."""

from __future__ import annotations

from datetime import datetime

from ..dns.interface import Resolver
from ..message import Message
from ..model import DkimSignatureResult, Finding


def check_dkim(message: Message, resolver: Resolver, *, from_domain: str | None,
               delivery_time: datetime | None, now: datetime) -> tuple[tuple[DkimSignatureResult, ...], tuple[Finding, ...]]:
    """Every signature in header order, with result, reason and forensic extras."""
    return (), ()
