"""The one-line verdict at the top of the report. STUB."""

from __future__ import annotations

from .model import ArcResult, Comparison, DkimSignatureResult, DmarcResult, Finding, SpfResult, Verdict


def decide(*, from_domains: tuple[str, ...], dkim: tuple[DkimSignatureResult, ...], spf: SpfResult | None,
           dmarc: DmarcResult | None, arc: ArcResult | None, comparison: tuple[Comparison, ...],
           findings: tuple[Finding, ...], checked: bool) -> Verdict:
    """authenticated / suspicious / spoofed / unauthenticated / not_checked, with the reason."""
    return Verdict(status="not_checked", summary="Authentication was not checked.")
