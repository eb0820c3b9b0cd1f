"""The SMTP envelope beside the header addresses, with each difference explained. STUB."""

from __future__ import annotations

from .message import Message
from .model import Envelope, Finding, Hop


def analyze_envelope(message: Message, hops: tuple[Hop, ...], boundary_hop: int | None) -> tuple[Envelope, tuple[Finding, ...]]:
    """Read MAIL FROM / RCPT TO and From/Sender/Reply-To/To/Cc; explain differences."""
    return (
        Envelope(mail_from=None, mail_from_source=None, rcpt_to=(), rcpt_to_sources=(), header_from=(),
                 sender=None, reply_to=(), to=(), cc=(), srs=None, differences=()),
        (),
    )
