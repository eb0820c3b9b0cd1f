"""Build the hop chain from the Received headers: order, delays, roles, trust boundary. STUB."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .message import Message
from .model import Finding, Hop


@dataclass(frozen=True)
class HopChain:
    """The chain and what was learnt building it."""

    hops: tuple[Hop, ...]
    """Earliest first."""
    boundary_hop: int | None
    """Number of the trust-boundary hop (1-based), None when there are no hops."""
    total_delay_seconds: float | None
    """From the Date: header to the last hop, signed."""
    findings: tuple[Finding, ...]
    """Clock skew, inconsistencies, forged-looking hops, ..."""


def build_chain(message: Message, date: datetime | None, now: datetime) -> HopChain:
    """Parse every Received header of the message and assemble the chain."""
    return HopChain(hops=(), boundary_hop=None, total_delay_seconds=None, findings=())
