"""Recorded results (Authentication-Results, ARC-Authentication-Results, Received-SPF) and the
comparison with recomputed ones. STUB."""

from __future__ import annotations

from ..message import Message
from ..model import ArcResult, Comparison, DkimSignatureResult, DmarcResult, Finding, Hop, RecordedResult, SpfResult


def parse_recorded(message: Message, hops: tuple[Hop, ...], boundary_hop: int | None,
                   extra: tuple[RecordedResult, ...] = ()) -> tuple[tuple[RecordedResult, ...], tuple[Finding, ...]]:
    """Every recorded result; ``trusted`` when written by the receiving side."""
    return extra, ()


def compare(recorded: tuple[RecordedResult, ...], *, dkim: tuple[DkimSignatureResult, ...], spf: SpfResult | None,
            dmarc: DmarcResult | None, arc: ArcResult | None) -> tuple[tuple[Comparison, ...], tuple[Finding, ...]]:
    """Trusted recorded results beside recomputed ones, each difference labelled."""
    return (), ()
