"""Domain helpers shared by the checks: organisational domain and alignment.

The organisational domain comes from the Public Suffix List (RFC 7489 section 3.2), via the
``publicsuffixlist`` package, which ships the list and is updated regularly.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Any


@functools.lru_cache(maxsize=1)
def _psl() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def normalize_domain(domain: str | None) -> str | None:
    """Lower-case, strip brackets and the trailing dot; None for empty input."""
    if not domain:
        return None
    cleaned = domain.strip().strip("[]").rstrip(".").lower()
    return cleaned or None


@functools.lru_cache(maxsize=4096)
def organizational_domain(domain: str | None) -> str | None:
    """The registrable domain (public suffix + one label); the name itself if it is a suffix."""
    name = normalize_domain(domain)
    if name is None:
        return None
    if is_ip_literal(name):
        return name
    try:
        org = _psl().privatesuffix(name)
    except Exception:  # noqa: BLE001 - malformed names fall back to themselves
        org = None
    return org if isinstance(org, str) else name


def public_suffix(domain: str | None) -> str | None:
    """The public suffix of a domain, per the Public Suffix List."""
    name = normalize_domain(domain)
    if name is None:
        return None
    try:
        suffix = _psl().publicsuffix(name)
    except Exception:  # noqa: BLE001
        return None
    return suffix if isinstance(suffix, str) else None


def aligned(identity_domain: str | None, from_domain: str | None, strict: bool = False) -> bool:
    """DMARC identifier alignment (RFC 7489 section 3.1): strict = equal, relaxed = same org."""
    a = normalize_domain(identity_domain)
    b = normalize_domain(from_domain)
    if a is None or b is None:
        return False
    if strict:
        return a == b
    return a == b or organizational_domain(a) == organizational_domain(b)


def is_ip_literal(text: str) -> bool:
    """True when text is an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
