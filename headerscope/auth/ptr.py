"""Forward-confirmed reverse DNS of the boundary client IP (FCrDNS). STUB."""

from __future__ import annotations

from ..dns.interface import Resolver
from ..model import ReverseDnsResult


def check_reverse_dns(resolver: Resolver, ip: str | None) -> ReverseDnsResult:
    """PTR names of ip, and whether one of them resolves back to ip."""
    return ReverseDnsResult(ip=ip, ptr_names=(), confirmed=None, result="not_checked", explanation="not implemented")
