"""DMARC discovery, alignment and policy (RFC 7489, DMARCbis tree walk). STUB."""

from __future__ import annotations

from ..dns.interface import Resolver
from ..model import ArcResult, DkimSignatureResult, DmarcResult, Finding, SpfResult


def check_dmarc(resolver: Resolver, *, from_domains: tuple[str, ...], dkim: tuple[DkimSignatureResult, ...],
                spf: SpfResult | None, arc: ArcResult | None) -> tuple[DmarcResult, tuple[Finding, ...]]:
    """Evaluate the (single) From: domain; several From: domains are a finding."""
    return (DmarcResult(result="not_checked", from_domain=from_domains[0] if from_domains else None,
                        org_domain=None, record_domain=None, record=None, policy=None, policy_reason="",
                        disposition=None, dkim_aligned=False, spf_aligned=False, aligned_dkim_domain=None,
                        explanation="not implemented"), ())
