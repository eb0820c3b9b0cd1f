"""Forward-confirmed reverse DNS (FCrDNS) of the boundary client IP.

The IP's PTR names (``in-addr.arpa`` / ``ip6.arpa``, RFC 1035 section 3.5 and RFC 3596
section 2.5) are looked up, and each name's A or AAAA records are checked for the IP
(the same check as RFC 7208 section 5.5; Authentication-Results calls it "iprev",
RFC 8601 section 2.7.3). Receivers such as Gmail expect it of sending hosts.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from ..dns.evidence import memoized
from ..dns.interface import DnsStatus, Resolver
from ..model import ReverseDnsResult

# RFC 7208 section 4.6.4 bounds PTR names to 10 for the same check; a hostile PTR set
# with hundreds of names must not cost hundreds of lookups.
MAX_PTR_NAMES = 10


def check_reverse_dns(resolver: Resolver, ip: str | None) -> ReverseDnsResult:
    """PTR names of ip, and whether one of them resolves back to ip."""
    if ip is None or not ip.strip():
        return ReverseDnsResult(ip=ip, ptr_names=(), confirmed=None, result="not_checked",
                                explanation="not checked: no client IP")
    read = _read_ip(ip) if len(ip) <= _MAX_CACHED_IP_TEXT else _read_ip_text(ip)
    if read is None:
        return ReverseDnsResult(ip=ip, ptr_names=(), confirmed=None, result="not_checked",
                                explanation=f"not checked: {ip!r} is not an IP address")
    address, shown, non_public = read
    if non_public:
        # A private, link-local or loopback address has no name in the public DNS (RFC 6303 has
        # resolvers answer NXDOMAIN for them locally): "no PTR record" would say nothing.
        return ReverseDnsResult(ip=shown, ptr_names=(), confirmed=None, result="not_checked",
                                explanation=f"not checked: {shown} is a private or local address, which the "
                                            "public DNS does not name")
    # Depends on the address and the answers only: a scan checks each client once. (Keyed by the
    # address's text, which names one address: cheaper to hash than the address object.)
    return memoized(resolver, ("iprev", shown), lambda asked: _check_address(asked, address))


_Read = tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, str, bool]


@lru_cache(maxsize=1024)
def _read_ip(text: str) -> _Read | None:
    # The hop chain asks about each relay's client and the report about the boundary's: a scan
    # meets the same addresses again and again, and ipaddress's str() is Python code.
    return _read_ip_text(text)


def _read_ip_text(text: str) -> _Read | None:
    """The address written, its text, and whether it is private or local (hops.is_non_public_ip)."""
    from ..hops import is_non_public_ip

    address = parse_client_ip(text)
    if address is None:
        return None
    shown = str(address)
    return address, shown, is_non_public_ip(shown)


def _check_address(resolver: Resolver, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ReverseDnsResult:
    shown = str(address)
    reverse_name = address.reverse_pointer
    answer = resolver.resolve(reverse_name, "PTR")
    if answer.status == DnsStatus.OFFLINE:
        return ReverseDnsResult(ip=shown, ptr_names=(), confirmed=None, result="not_checked",
                                explanation="not checked (offline)")
    if answer.temporary_failure:
        return ReverseDnsResult(ip=shown, ptr_names=(), confirmed=None, result="temperror",
                                explanation=f"temperror: the PTR lookup of {reverse_name} failed ({answer.status})")
    names = tuple(dict.fromkeys(value.rstrip(".").lower() for value in answer.values if value.strip(".")))
    if not names:
        return ReverseDnsResult(ip=shown, ptr_names=(), confirmed=False, result="none",
                                explanation=f"none: {shown} has no PTR record ({reverse_name}: {answer.status}); "
                                            "many receivers distrust or reject such clients")
    checked = names[:MAX_PTR_NAMES]
    rdtype = "A" if address.version == 4 else "AAAA"
    failures: list[str] = []
    # Every name is asked: FCrDNS confirms names one by one (RFC 8601 section 3, iprev), and the
    # hop chain reads whose host the address is from the confirmed ones only, whatever their
    # order in the answer (an owner can add someone else's name beside its own, which does not
    # resolve back; an organisation's relay can carry a hosting provider's name before its own,
    # both resolving back: verifications V53d D1, V54a D1).
    confirmed: list[str] = []
    for name in checked:
        forward = resolver.resolve(name, rdtype)
        if forward.status == DnsStatus.OFFLINE:
            return ReverseDnsResult(ip=shown, ptr_names=names, confirmed=None, result="not_checked",
                                    explanation="not checked (offline)")
        if forward.temporary_failure:
            failures.append(f"{name} {rdtype} ({forward.status})")
            continue
        if any(parse_client_ip(value) == address for value in forward.values):
            confirmed.append(name)
    if confirmed:
        also = f" (also {', '.join(confirmed[1:])})" if len(confirmed) > 1 else ""
        return ReverseDnsResult(ip=shown, ptr_names=names, confirmed=True, result="pass",
                                explanation=f"pass: {shown} points to {confirmed[0]}{also}, whose {rdtype} records "
                                            f"point back to {shown} (forward-confirmed)",
                                confirmed_names=tuple(confirmed))
    skipped = len(names) - len(checked)
    extra = f"; {skipped} more PTR names not checked (limit {MAX_PTR_NAMES})" if skipped else ""
    if failures:
        return ReverseDnsResult(ip=shown, ptr_names=names, confirmed=None, result="temperror",
                                explanation=f"temperror: no PTR name confirmed {shown}, and the lookup of "
                                            f"{', '.join(failures)} failed{extra}")
    return ReverseDnsResult(ip=shown, ptr_names=names, confirmed=False, result="fail",
                            explanation=f"fail: {shown} points to {', '.join(checked)}, but no {rdtype} record "
                                        f"of those names points back to {shown}{extra}")


_MAX_CACHED_IP_TEXT = 100
"""Longer texts (no address is this long) are parsed but not cached."""


def parse_client_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client address as written in a Received or an option; None when it is not an IP."""
    # A scan parses the same relay addresses in message after message (and again for each
    # forward record): the parsed address is immutable, so it is cached.
    if len(text) <= _MAX_CACHED_IP_TEXT:
        return _parse_client_ip_cached(text)
    return _parse_client_ip(text)


@lru_cache(maxsize=1024)
def _parse_client_ip_cached(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    return _parse_client_ip(text)


def _parse_client_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    cleaned = text.strip().strip("[]")
    if cleaned.lower().startswith("ipv6:"):
        cleaned = cleaned[5:]
    try:
        address = ipaddress.ip_address(cleaned)
    except ValueError:
        return None
    # An IPv4-mapped IPv6 client is the IPv4 host (RFC 4291 section 2.5.5.2).
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
