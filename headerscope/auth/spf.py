"""Evaluate SPF with pyspf through our resolver (RFC 7208). STUB."""

from __future__ import annotations

from ..dns.interface import Resolver
from ..model import Finding, SpfResult


def check_spf(resolver: Resolver, *, client_ip: str | None, mail_from: str | None, helo: str | None,
              from_domain: str | None, inputs_from: str | None) -> tuple[SpfResult, tuple[Finding, ...]]:
    """SPF for MAIL FROM (postmaster@HELO for the null sender) and for HELO."""
    return (SpfResult(result="not_checked", client_ip=client_ip, mail_from=mail_from, helo=helo, domain=None,
                      record=None, mechanism=None, explanation="not implemented", lookups=None,
                      void_lookups=None, helo_result=None, inputs_from=inputs_from), ())
