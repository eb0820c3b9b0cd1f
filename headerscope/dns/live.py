"""Answer DNS questions over the network with dnspython, with one cache per resolver.

dnspython is imported on first use, not at import time: most runs (snapshots, offline,
``--help``) never need it, and start-up time matters for a command-line tool.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from .interface import DnsAnswer, DnsStatus, Resolver, normalize_name

_MAX_PARALLEL = 16
"""Parallel questions in prefetch: enough for one message's keys, policies, PTR and MX questions in one round,
small enough not to look like a flood to a shared resolver."""

_NAME_TYPES = frozenset({"PTR", "CNAME", "NS", "DNAME"})

_FIRST_TRY_SHARE = 0.6
"""The share of a question's time its first try may take: most of it, so a slow but working
resolver (a cold recursive lookup through a VPN takes seconds) still answers before a second
server does (whose quick NXDOMAIN would be final: verification V43a D1), and the rest is left for
the next server or, with one, for the query sent again (a lost UDP packet: V42a D1)."""
_GLIBC_TRY = 5.0
"""glibc's time for one try of one server (resolv.conf(5) "timeout:5"): with a long --dns-timeout,
each try gets this, and every server is asked in turn within the question's time."""


def try_timeout(lifetime: float, servers: int) -> float:
    """Seconds one try of one question may wait for one server (dnspython's ``timeout`` is per
    try, its ``lifetime`` per question): the larger of glibc's 5 s and an equal share of two rounds
    over the servers, but never more than _FIRST_TRY_SHARE of the question's ``lifetime``, so a
    second server or a second try always fits in what is left (resolv.conf(5): "try a name server,
    and if the query times out, try the next, until out of name servers, then repeat")."""
    share = lifetime / (2 * max(servers, 1))
    return min(lifetime * _FIRST_TRY_SHARE, max(_GLIBC_TRY, share))


def parse_nameserver(text: str) -> tuple[str, int]:
    """``IP``, ``IP:PORT``, ``IPv6`` or ``[IPv6]:PORT`` as (address, port); ValueError otherwise."""
    value = text.strip()
    port = 53
    if value.startswith("["):
        host, sep, rest = value[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"invalid nameserver {text!r}: expected [IPv6]:PORT")
        port_text = rest[1:] if rest else ""
        if rest == ":":
            raise ValueError(f"invalid nameserver {text!r}: empty port after ':'")
    elif value.count(":") == 1:
        host, _, port_text = value.partition(":")
        if not port_text:
            raise ValueError(f"invalid nameserver {text!r}: empty port after ':'")
    else:
        # No colon (IPv4) or several (a bare IPv6 address, which cannot carry a port).
        host, port_text = value, ""
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"invalid nameserver {text!r}: port must be 1-65535")
        port = int(port_text)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"invalid nameserver {text!r}: not an IP address") from None
    if address.is_unspecified or address.is_multicast:
        # 0.0.0.0 / :: name no server (RFC 1122 section 3.2.1.3, RFC 4291 section 2.5.2), and a
        # multicast group would send each question to every member of it (RFC 5771, RFC 4291 2.7).
        kind = "unspecified" if address.is_unspecified else "multicast"
        raise ValueError(f"invalid nameserver {text!r}: {kind} address, not a nameserver's")
    return str(address), port


class LiveResolver(Resolver):
    """Asks a nameserver (or the system's) and caches every answer for its lifetime.

    Each (name, type) question goes to the network at most once per resolver, also when
    several threads ask it at the same moment: later askers wait for the first one's answer.
    """

    source = "live"

    def __init__(self, nameserver: str | Sequence[str] | None = None, timeout: float = 5.0) -> None:
        """``nameserver``: one ``IP[:PORT]``, several (asked in turn, as resolv.conf's are), or None
        for the system's; ``timeout``: one question's whole time, every server and retry within it."""
        given = [nameserver] if isinstance(nameserver, str) else list(nameserver or ())
        self._nameservers = tuple(parse_nameserver(text) for text in given if text)
        self._timeout = max(float(timeout), 0.01)
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], DnsAnswer] = {}
        self._in_flight: dict[tuple[str, str], Future[DnsAnswer]] = {}
        self._dns_resolver: Any = None
        self._setup_error: str | None = None
        self.network_queries = 0
        """Questions actually sent (cache misses): lets tests and callers see the cache work."""

    @property
    def detail(self) -> str | None:
        if not self._nameservers:
            return "system resolver"
        return ", ".join(_shown(address, port) for address, port in self._nameservers)

    @property
    def asks_network(self) -> bool:
        return True

    @property
    def timeout(self) -> float:
        """The whole time budget of one question, in seconds."""
        return self._timeout

    def resolve(self, name: str, rdtype: str) -> DnsAnswer:
        key = (normalize_name(name), rdtype.upper())
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                return cached
            pending = self._in_flight.get(key)
            owner = pending is None
            if pending is None:
                pending = Future()
                self._in_flight[key] = pending
                self.network_queries += 1
        if not owner:
            return pending.result()
        answer = DnsAnswer(key[0], key[1], DnsStatus.SERVFAIL)
        try:
            answer = self._ask(*key)
        except Exception:  # noqa: BLE001 - a resolver never raises; an unexpected library error is a failed lookup
            pass
        finally:
            # Also on KeyboardInterrupt: threads waiting for this question must not hang.
            with self._lock:
                self._cache[key] = answer
                del self._in_flight[key]
            pending.set_result(answer)
        return answer

    def cached(self, name: str, rdtype: str) -> DnsAnswer | None:
        with self._lock:
            return self._cache.get((normalize_name(name), rdtype.upper()))

    def prefetch(self, questions: Iterable[tuple[str, str]]) -> None:
        """Answer the questions not yet cached in parallel; returns when all are answered."""
        wanted: list[tuple[str, str]] = []
        with self._lock:
            for name, rdtype in questions:
                key = (normalize_name(name), rdtype.upper())
                if key not in self._cache and key not in wanted:
                    wanted.append(key)
        if not wanted:
            return
        if len(wanted) == 1:
            self.resolve(*wanted[0])
            return
        with ThreadPoolExecutor(max_workers=min(_MAX_PARALLEL, len(wanted)),
                                thread_name_prefix="headerscope-dns") as pool:
            list(pool.map(lambda key: self.resolve(*key), wanted))

    def _resolver(self) -> Any:
        """The dnspython resolver, built on first use (imports dnspython lazily)."""
        with self._lock:
            if self._dns_resolver is not None or self._setup_error is not None:
                return self._dns_resolver
            import dns.resolver

            try:
                if not self._nameservers:
                    resolver = dns.resolver.Resolver(configure=True)
                else:
                    import dns.nameserver

                    resolver = dns.resolver.Resolver(configure=False)
                    resolver.nameservers = [dns.nameserver.Do53Nameserver(address, port)
                                            for address, port in self._nameservers]
            except (dns.resolver.NoResolverConfiguration, OSError) as exc:
                self._setup_error = str(exc) or type(exc).__name__
                return None
            # --dns-timeout is the whole question's time (lifetime: every server, every retry);
            # each try gets a share of it, so a silent first server (a stale VPN resolver in
            # resolv.conf) or a lost UDP packet leaves time for the next try (resolv.conf(5)).
            resolver.lifetime = self._timeout
            resolver.timeout = try_timeout(self._timeout, len(resolver.nameservers))
            # Never append the system search domains: we ask for exactly the name given.
            resolver.use_search_by_default = False
            # EDNS(0) with a 1,232-byte UDP payload (RFC 6891 section 6.2.5; the size DNS Flag Day
            # 2020 settled on, which needs no IP fragmentation): a 4,096-bit DKIM key or a long
            # SPF record then comes back in one UDP answer. dnspython sends no EDNS by default,
            # and without it every answer over 512 bytes comes back truncated and is asked again
            # over TCP: the same question twice (RFC 1035 section 4.2.1). A server that answers
            # FORMERR to it is asked without EDNS from then on (see _ask).
            resolver.use_edns(0, 0, 1232)
            self._dns_resolver = resolver
            return resolver

    def _ask(self, name: str, rdtype: str) -> DnsAnswer:
        resolver = self._resolver()
        if resolver is None:
            return DnsAnswer(name, rdtype, DnsStatus.SERVFAIL)
        import dns.exception
        import dns.name
        import dns.rdatatype
        import dns.resolver

        try:
            qname = dns.name.from_text(name + "." if name else ".")
            qtype = dns.rdatatype.from_text(rdtype)
        except (dns.exception.DNSException, ValueError):
            # A name that cannot be written in DNS (empty label, label over 63 octets, over
            # 255 octets; RFC 1035 section 2.3.4) cannot exist: answer as the DNS would.
            return DnsAnswer(name, rdtype, DnsStatus.NXDOMAIN)
        try:
            result = resolver.resolve(qname, qtype, search=False, lifetime=self._timeout)
        except dns.resolver.NXDOMAIN as exc:
            return DnsAnswer(name, rdtype, DnsStatus.NXDOMAIN, cname_chain=_error_chain(exc, qname))
        except dns.resolver.NoAnswer as exc:
            response = _response_of(exc)
            if response is not None and _not_an_answer(response):
                # A referral or a non-recursive server's empty reply says nothing about the name.
                return DnsAnswer(name, rdtype, DnsStatus.SERVFAIL)
            chain = _chain_of(response) if response is not None else ()
            return DnsAnswer(name, rdtype, DnsStatus.NODATA, cname_chain=chain)
        except dns.exception.Timeout:
            return DnsAnswer(name, rdtype, DnsStatus.TIMEOUT)
        except dns.resolver.NoNameservers as exc:
            # Every server answered an error rcode or was unreachable: keep the rcode it wrote.
            status = _failure_status(exc)
            if status == DnsStatus.FORMERR and resolver.edns >= 0:
                # RFC 6891 section 7: a server that does not understand EDNS answers FORMERR, and
                # the requester asks again without it (dnspython does not). Every question after
                # this one goes without EDNS too (verification V24 D5).
                with self._lock:
                    if self._dns_resolver is resolver:
                        plain = dns.resolver.Resolver(configure=False)
                        plain.nameservers = resolver.nameservers
                        plain.lifetime, plain.timeout = resolver.lifetime, resolver.timeout
                        plain.use_search_by_default = False
                        self._dns_resolver = plain
                return self._ask(name, rdtype)
            return DnsAnswer(name, rdtype, status)
        except dns.exception.DNSException:
            return DnsAnswer(name, rdtype, DnsStatus.SERVFAIL)
        records = tuple(_presentation(rdtype, rdata) for rdata in result.rrset or ())
        if not records:
            return DnsAnswer(name, rdtype, DnsStatus.NODATA)
        return DnsAnswer(name, rdtype, DnsStatus.NOERROR, records, cname_chain=_cname_chain(result))


def _shown(address: str, port: int) -> str:
    shown = f"[{address}]" if ":" in address else address
    return shown if port == 53 else f"{shown}:{port}"


_KEPT_RCODES = frozenset({DnsStatus.SERVFAIL, DnsStatus.REFUSED, DnsStatus.FORMERR, DnsStatus.NOTIMP})


def _failure_status(exc: Any) -> str:
    """The rcode the (last) server answered, when it is one DnsStatus names; else SERVFAIL.

    dnspython keeps each server's error as (server, tcp, port, error, response), the error being
    the rcode's text when a reply came back (an I/O error or a bad reply otherwise)."""
    errors = getattr(exc, "kwargs", {}).get("errors") or ()
    for entry in reversed(list(errors)[-8:]):
        error = entry[3] if isinstance(entry, tuple) and len(entry) > 3 else None
        if isinstance(error, str) and error.upper() in _KEPT_RCODES:
            return error.upper()
    return DnsStatus.SERVFAIL


def _response_of(exc: Any) -> Any:
    try:
        return exc.response()
    except Exception:  # noqa: BLE001 - an unparametrised NoAnswer carries no response
        return None


def _not_an_answer(response: Any) -> bool:
    """True for an empty NOERROR reply that is no NODATA: not authoritative (AA=0), and either a
    referral (NS records in the authority section) or from a server that does not recurse (RA=0
    while we set RD). RFC 1035 section 4.1.1 (AA, RD, RA) and RFC 2308 section 2.2 (a NODATA
    reply is authoritative or comes from a recursive server; a referral is not one)."""
    import dns.flags
    import dns.rdatatype

    flags = int(response.flags)
    if flags & dns.flags.AA or response.answer:
        return False  # authoritative, or a CNAME chain that ends without the type: a real NODATA
    referral = any(rrset.rdtype == dns.rdatatype.NS for rrset in list(response.authority)[:16])
    return referral or not flags & dns.flags.RA


def _error_chain(exc: Any, qname: Any) -> tuple[str, ...]:
    """The CNAMEs followed before the NXDOMAIN (dnspython keeps the reply per name asked)."""
    responses = getattr(exc, "kwargs", {}).get("responses") or {}
    response = responses.get(qname)
    return _chain_of(response) if response is not None else ()


def _chain_of(response: Any) -> tuple[str, ...]:
    """The CNAME targets a reply's answer section leads through (RFC 1034 section 3.6.2)."""
    try:
        chaining = response.resolve_chaining()
    except Exception:  # noqa: BLE001 - a malformed chain is no evidence; the status stands
        return ()
    return _targets(getattr(chaining, "cnames", None))


def _cname_chain(result: Any) -> tuple[str, ...]:
    """The CNAME targets dnspython followed to the answer (its chaining result), in order."""
    chaining = getattr(result, "chaining_result", None)
    return _targets(getattr(chaining, "cnames", None))


def _targets(cnames: Any) -> tuple[str, ...]:
    targets = []
    for rrset in list(cnames or ())[:16]:
        for rdata in rrset:
            targets.append(normalize_name(rdata.target.to_text()))
            break
    return tuple(targets)


def _presentation(rdtype: str, rdata: Any) -> tuple[str, ...]:
    """One record in the snapshot's form (DESIGN.md): TXT keeps its character-strings."""
    if rdtype in ("TXT", "SPF"):
        # RFC 7208 section 3.3 / RFC 6376 section 3.6.2.2: the strings are joined by the
        # consumer, so keep them apart here. TXT is bytes; non-UTF-8 must not crash.
        return tuple(bytes(chunk).decode("utf-8", errors="replace") for chunk in rdata.strings)
    if rdtype == "MX":
        return (f"{rdata.preference} {rdata.exchange.to_text()}",)
    if rdtype in _NAME_TYPES:
        return (rdata.target.to_text(),)
    return (str(rdata.to_text()),)
