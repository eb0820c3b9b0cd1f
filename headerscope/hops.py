"""Build the hop chain from the Received headers: order, delays, roles, organisations, trust.

Every SMTP server that accepts a message prepends a ``Received`` field (RFC 5321 section 4.4),
so the field at the bottom is the earliest hand-over and the top one is the final delivery.
This module reads those fields (through :func:`headerscope.received.parse_received`), turns
them into :class:`~headerscope.model.Hop` objects earliest first, and works out:

* the signed delay of each hop (never clamped, never wrapped into a day);
* the role of the receiving agent (RFC 5598 section 2: MUA, MSA, MTA, MDA);
* the organisation of the receiving host, so consecutive hops can be grouped;
* the trust boundary: the hop where the final receiving organisation accepted the message
  from outside. Only fields at or above it were written by the receiving side; everything
  below is what the sender claims, and can be forged.

Hostile input: every value comes from the message, so nothing here raises on bad data,
regular expressions are linear and only scan a bounded prefix of a field, and the number of
hops analysed in detail is capped (see ``DETAIL_LIMIT``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .domains import is_ip_literal, normalize_domain, organizational_domain
from .message import Message
from .model import Finding, HeaderField, Hop, ReceivedFields, Role, Severity
from .received import parse_received

# A message with 100,000 Received fields is a loop or an attack. Only the latest (topmost)
# DETAIL_LIMIT fields are parsed and analysed: the receiving side's hops, which decide the
# trust boundary, are at the top, and everything further down is the sender's claim anyway.
# The rest is summarised in one ``hops.too_many`` finding, so time and memory stay bounded.
DETAIL_LIMIT = 500

# At most this many findings of one id are listed; the rest are counted in one summary finding.
FINDINGS_PER_ID = 20

# Text regexes only look at this many characters of a field (a 10 MB header stays fast).
_SCAN_LIMIT = 4096

# Most Received dates have one-second resolution: a hop stamped 12:00:00 after one stamped
# 12:00:00.9 is not clock skew, so a negative delay counts only beyond this tolerance.
SKEW_TOLERANCE_SECONDS = 1.0
SLOW_HOP_SECONDS = 3600.0
FUTURE_TOLERANCE = timedelta(minutes=15)

_RFC5321_TRACE = "https://www.rfc-editor.org/rfc/rfc5321#section-4.4"
_RFC5598_ROLES = "https://www.rfc-editor.org/rfc/rfc5598#section-2"
_RFC1918 = "https://www.rfc-editor.org/rfc/rfc1918#section-3"
_RFC5322_DATE = "https://www.rfc-editor.org/rfc/rfc5322#section-3.3"

# Big operators run one network under several registrable domains. Hops on any of them are
# one organisation for grouping and for the trust boundary; ``Hop.organization`` shows the
# canonical domain (the right-hand side). General knowledge, kept deliberately small.
OPERATOR_ALIASES: dict[str, str] = {
    # Google (Gmail, Workspace; 1e100.net is its server naming domain)
    "google.com": "google.com",
    "googlemail.com": "google.com",
    "gmail.com": "google.com",
    "1e100.net": "google.com",
    # Microsoft (Exchange Online / Microsoft 365, Outlook.com; *.protection.outlook.com is outlook.com)
    "outlook.com": "outlook.com",
    "office365.com": "outlook.com",
    "hotmail.com": "outlook.com",
    "microsoft.com": "outlook.com",
    "live.com": "outlook.com",
    "msn.com": "outlook.com",
    # Yahoo
    "yahoo.com": "yahoo.com",
    "yahoodns.net": "yahoo.com",
    "yahoo.net": "yahoo.com",
    "ymail.com": "yahoo.com",
    # Apple iCloud Mail
    "icloud.com": "icloud.com",
    "me.com": "icloud.com",
    "mac.com": "icloud.com",
    "apple.com": "icloud.com",
}

# Top-level labels used only on private networks (not in the public DNS): a name under one
# says nothing about the organisation (RFC 6762 appendix G, RFC 8375 for home.arpa).
_PRIVATE_TLDS = frozenset({
    "local", "localdomain", "lan", "internal", "intranet", "corp", "home", "private",
    "localhost", "arpa",
})

# Addresses that are not reachable on the public internet: RFC 1918 private, RFC 6598 shared
# (carrier-grade NAT), loopback, link-local, unique-local IPv6. Documentation ranges
# (192.0.2.0/24, 2001:db8::/32) are deliberately NOT here: examples use them for public hosts.
_NON_PUBLIC_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
        "169.254.0.0/16", "0.0.0.0/8", "::1/128", "::/128", "fc00::/7", "fe80::/10",
    )
)

# Protocol names (the ``with`` clause) seen on real servers; RFC 3848 and the IANA "Mail
# Transmission Types" registry list the SMTP/LMTP family. Used only to call a made-up one
# below the trust boundary "forged-looking".
_KNOWN_PROTOCOL = re.compile(
    r"(?:utf8)?(?:e?smtp|lmtp)s?a?|http|https|mapi|uucp|nntp|imap|pop3?|qmqp|qmtp|local"
    r"|local-e?smtps?|local-bsmtp|bsmtp|webmail|asmtp|smtp-auth|ssl|tls",
    re.IGNORECASE,
)

# A date where a host name or address belongs ("from x ([Sun, 07 Jan 2018 00:03:41 -1100])").
_DATE_LIKE = re.compile(
    r"\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{2,4}\s+\d{1,2}:\d{2}",
    re.IGNORECASE,
)
_ZONE_OFFSET = re.compile(r"(?:^|\s)([+-])(\d{2})(\d{2})\b")
_BY_KEYWORD = re.compile(r"\bby\b", re.IGNORECASE)

# A local program handed the message over (RFC 5598 section 2.1, the MUA's submission):
# Postfix "(Postfix, from userid 1001)", qmail "(qmail 123 invoked by uid 1000)",
# Sendmail's submission program "(8.15.2/8.15.2/Submit)".
_LOCAL_PROGRAM = re.compile(
    r"\bfrom\s+userid\s+\d+|\binvoked\s+by\s+uid\b|/submit\)", re.IGNORECASE
)
_AUTHENTICATED_SENDER = re.compile(r"\bauthenticated\s+sender\s*:", re.IGNORECASE)
_WITH_LMTP = re.compile(r"\bwith\s+lmtp", re.IGNORECASE)
_MDA_SOFTWARE = re.compile(r"\b(?:dovecot|cyrus)\b", re.IGNORECASE)


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


@dataclass
class _Work:
    """Per-hop facts gathered before the Hop objects are frozen."""

    header: HeaderField
    fields: ReceivedFields
    time: datetime | None
    own_org: str | None
    org: str | None = None
    role: Role = Role.MTA


# ---------------------------------------------------------------- small helpers


def _scan(text: str | None) -> str:
    return (text or "")[:_SCAN_LIMIT]


def _ip(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text:
        return None
    try:
        ip = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_non_public_ip(text: str | None) -> bool:
    """True for private, shared (CGNAT), loopback and link-local addresses."""
    ip = _ip(text)
    if ip is None:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        return True
    return any(ip.version == net.version and ip in net for net in _NON_PUBLIC_NETWORKS)


def _is_loopback(text: str | None) -> bool:
    ip = _ip(text)
    return ip is not None and ip.is_loopback


def host_organization(name: str | None) -> str | None:
    """The organisation of a host name, operator aliases merged; None when it says nothing.

    None for missing names, IP literals, bare names without a dot (``localhost``, ``IMSVA``),
    names under private-network top-level labels, and text that is not a host name.
    """
    host = normalize_domain(name)
    if host is None or len(host) > 253 or is_ip_literal(host):
        return None
    if host.startswith("ipv6:"):
        return None
    if not re.fullmatch(r"[a-z0-9_.-]+", host):
        return None
    labels = host.split(".")
    if len(labels) < 2 or any(not label for label in labels):
        return None
    if labels[-1] in _PRIVATE_TLDS or labels[-1].isdigit():
        return None
    org = organizational_domain(host)
    if org is None:
        return None
    return OPERATOR_ALIASES.get(org, org)


def _utc(timestamp: str | None) -> datetime | None:
    """The ISO 8601 timestamp as an aware UTC datetime (naive ones are read as UTC)."""
    if not timestamp:
        return None
    try:
        parsed = datetime.fromisoformat(timestamp[:64])
    except ValueError:
        return None
    if parsed.tzinfo is None:
        # RFC 5322 section 3.3: "-0000" (zone unknown) is the only legitimate way to get here.
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _safe_parse(parse: Callable[[str], ReceivedFields], value: str) -> ReceivedFields:
    try:
        return parse(value)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not lose the hop
        return ReceivedFields(complete=False, problems=(f"parser error: {type(exc).__name__}",))


def _has_client(fields: ReceivedFields) -> bool:
    return bool(fields.from_ip or fields.from_rdns or fields.from_helo)


def _client_names(fields: ReceivedFields) -> list[str]:
    return [n for n in (fields.from_rdns, fields.from_helo) if n]


def _protocol(fields: ReceivedFields) -> str:
    return (fields.protocol or "").strip().lower()


def _is_local_delivery(fields: ReceivedFields, raw: str) -> bool:
    protocol = _protocol(fields)
    return (
        protocol.startswith("lmtp")
        or protocol == "local"
        or bool(_WITH_LMTP.search(_scan(raw)))
    )


def _fmt_seconds(seconds: float) -> str:
    magnitude = abs(seconds)
    if magnitude < 120:
        text = f"{magnitude:.3g} s" if magnitude < 10 else f"{magnitude:.0f} s"
    elif magnitude < 7200:
        text = f"{magnitude / 60:.0f} min"
    elif magnitude < 172800:
        text = f"{magnitude / 3600:.1f} h"
    else:
        text = f"{magnitude / 86400:.1f} days"
    return text


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------- roles


def classify_role(fields: ReceivedFields, raw: str, same_org_client: bool) -> Role:
    """The role of the agent that wrote this Received field (RFC 5598 section 2).

    Rules, first match wins:

    1. **MUA** - the field records a hand-over from a local program or user rather than a
       network client: Postfix ``(Postfix, from userid N)``, qmail ``invoked by uid N``,
       Sendmail's ``/Submit`` program, and Exim's ``with local``/``local-esmtp`` when the
       "from" part is a user name without an address (Exim writes ``with local`` for
       messages a local user or program submits on the command line).
    2. **MDA** - delivery into a mailbox store: ``with LMTP`` (any LMTP variant, e.g.
       Postfix to Dovecot or Cyrus), other ``with local`` delivery, or Dovecot/Cyrus named as
       the receiving software.
    3. **MSA** - authenticated submission: the parser's ``auth`` (``ESMTPA``, ``ESMTPSA``,
       ``Authenticated sender:``, ``with HTTP`` webmail), or Exchange's ``with mapi`` (Outlook
       submitting to its server). HTTP(S) between two hosts of one organisation is internal
       transport (Exchange Online writes ``with HTTPS`` between its own servers), not a
       submission, so it stays MTA.
    4. **MTA** - everything else.
    """
    protocol = _protocol(fields)
    text = _scan(raw)
    if _LOCAL_PROGRAM.search(text):
        return Role.MUA
    if protocol.startswith("local") and not fields.from_ip:
        user = (fields.from_helo or fields.from_rdns or "").strip()
        if protocol != "local" or (user and "." not in user):
            return Role.MUA
    if _is_local_delivery(fields, raw) or (
        _MDA_SOFTWARE.search(text) and not fields.auth and not protocol.startswith(("esmtp", "smtp"))
    ):
        return Role.MDA
    http_like = protocol.startswith("http") or (fields.via or "").strip().lower().startswith("http")
    if http_like and same_org_client:
        return Role.MTA
    if fields.auth or _AUTHENTICATED_SENDER.search(text) or protocol == "mapi" or http_like:
        return Role.MSA
    if re.fullmatch(r"(?:utf8)?(?:e?smtp)s?a", protocol):
        return Role.MSA
    return Role.MTA


# ---------------------------------------------------------------- organisations


def _assign_organizations(work: list[_Work]) -> None:
    """Organisation of each receiving host; unknown ``by`` names inherit from a neighbour.

    A ``by`` that is missing, an IP literal or a bare name says nothing about its owner. Such
    a hop takes the organisation of (a) the name the next hop's client gave (the same machine
    introducing itself when it passed the message on), else (b) the previous hop's receiver
    when this hop's client is absent or on a private/loopback address, i.e. the hand-over
    clearly happened inside the same network.
    """
    for i, item in enumerate(work):
        if item.own_org is not None:
            item.org = item.own_org
            continue
        inherited: str | None = None
        if i + 1 < len(work):
            nxt = work[i + 1].fields
            for name in _client_names(nxt):
                inherited = host_organization(name)
                if inherited:
                    break
        if inherited is None and i > 0:
            fields = item.fields
            if not _has_client(fields) or is_non_public_ip(fields.from_ip):
                inherited = work[i - 1].org
        item.org = inherited


def _client_in_org(fields: ReceivedFields, org: str | None) -> bool:
    """Whether the client of a hop is a host of ``org``, by names the receiver can vouch for.

    The reverse-DNS name is looked up by the receiver; the HELO name is the client's own claim.
    The HELO counts only when there is no address to contradict it, or the address is private,
    or ``org`` is one of the big operators whose internal relays talk over public addresses
    and record only the HELO name (accepted limitation: an outsider could claim such a name).
    """
    if org is None:
        return False
    if fields.from_rdns and host_organization(fields.from_rdns) == org:
        return True
    if fields.from_helo and not fields.from_rdns and host_organization(fields.from_helo) == org:
        return (
            not fields.from_ip
            or is_non_public_ip(fields.from_ip)
            or org in OPERATOR_ALIASES.values()
        )
    return False


def _client_inside(item: _Work, org: str | None) -> bool:
    fields = item.fields
    if not _has_client(fields):
        # No "from" part: the hand-over happened inside the receiving host (Gmail's
        # "by 2002:...", qmail's "invoked from network"). Unless the parser could not read a
        # "from" part that is there: then nothing vouches for the client.
        return fields.complete or not item.header.value.lstrip()[:5].lower().startswith("from")
    if is_non_public_ip(fields.from_ip):
        return True
    if _is_local_delivery(fields, item.header.value):
        # LMTP is for delivery inside a site, never across the internet (RFC 2033 section 1),
        # and "with local" is delivery on the host itself.
        return True
    return _client_in_org(fields, org)


def _find_boundary(work: list[_Work]) -> tuple[int, bool]:
    """0-based index of the trust-boundary hop, and whether the message came from outside.

    Walk down from the last hop while each hop's client is inside the final receiving
    organisation (the organisation of the last hop's receiver): no client (a hand-over inside
    one host), a private/loopback address (the previous receiver sits on the same network),
    LMTP/local delivery, or a client host name of the organisation. The first hop, going down,
    whose client is outside is the boundary: its client IP, HELO and envelope sender are what
    SPF evaluates, and every hop below it is the sender's claim.

    If every hop is internal (a message sent inside one organisation, e.g. Gmail to Gmail),
    the boundary is where the message entered the organisation's mail system: the earliest
    hop recording a public client address, else the earliest recording any address, else hop 1.
    """
    final_org = work[-1].org
    for index in range(len(work) - 1, -1, -1):
        if not _client_inside(work[index], final_org):
            return index, True
    for i, item in enumerate(work):
        ip = item.fields.from_ip
        if ip and _ip(ip) is not None and not is_non_public_ip(ip):
            return i, False
    for i, item in enumerate(work):
        if _ip(item.fields.from_ip) is not None:
            return i, False
    return 0, False


# ---------------------------------------------------------------- consistency checks


def _link_matches(by: str | None, nxt: ReceivedFields) -> bool | None:
    """Does ``by`` of one hop name the client of the next? None when it cannot be told."""
    host = normalize_domain(by)
    if host is None or not _has_client(nxt):
        return None
    names = [n for n in (normalize_domain(x) for x in _client_names(nxt)) if n]
    if host in names:
        return True
    if is_ip_literal(host):
        client_ip = _ip(nxt.from_ip)
        return True if client_ip is not None and client_ip == _ip(host) else None
    by_org = host_organization(host)
    name_orgs = [o for o in (host_organization(n) for n in names) if o]
    if by_org is None or not name_orgs:
        return None
    return by_org in name_orgs


def _forged_signs(fields: ReceivedFields, raw: str) -> list[str]:
    """Values that no real server writes, found in a hop below the trust boundary."""
    signs: list[str] = []
    text = _scan(raw)
    by_match = _BY_KEYWORD.search(text)
    from_clause = text[: by_match.start()] if by_match else ""
    host_values = " ".join(x for x in (fields.from_helo, fields.from_rdns, fields.from_ip, fields.by) if x)
    if _DATE_LIKE.search(from_clause) or _DATE_LIKE.search(_scan(host_values)):
        signs.append("a date written where the sending host's name or address belongs")
    if fields.from_ip and _ip(fields.from_ip) is None:
        signs.append(f"an impossible client address ({fields.from_ip[:80]!r})")
    zone = _ZONE_OFFSET.search(_scan(fields.date_text))
    if zone and (int(zone.group(2)) > 14 or int(zone.group(3)) >= 60):
        signs.append(f"an impossible time-zone offset ({zone.group(0).strip()})")
    protocol = (fields.protocol or "").strip()
    # A made-up protocol name alone is weak (real servers write "with FQDP", "with
    # qmail-scanner-1.24"), so it is only reported beside another sign.
    if (signs and protocol and " " not in protocol and not _KNOWN_PROTOCOL.fullmatch(protocol)
            and not re.search(r"smtp|lmtp|http", protocol, re.IGNORECASE)):
        signs.append(f"a protocol no mail server uses ('with {protocol[:40]}')")
    return signs


# ---------------------------------------------------------------- findings


class _Findings:
    """Collects findings, listing at most FINDINGS_PER_ID of each id."""

    def __init__(self) -> None:
        self.items: list[Finding] = []
        self.counts: dict[str, int] = {}

    def add(self, finding: Finding) -> None:
        count = self.counts.get(finding.id, 0) + 1
        self.counts[finding.id] = count
        if count <= FINDINGS_PER_ID:
            self.items.append(finding)

    def result(self) -> tuple[Finding, ...]:
        out = list(self.items)
        for finding_id, count in self.counts.items():
            if count > FINDINGS_PER_ID:
                out.append(Finding(
                    id=finding_id, severity=Severity.INFO,
                    title=f"{count - FINDINGS_PER_ID} more of the same",
                    explanation=f"{count} hops raised {finding_id}; only the first "
                                f"{FINDINGS_PER_ID} are listed.",
                ))
        return tuple(out)


def _skew_severity(seconds: float) -> Severity:
    magnitude = abs(seconds)
    if magnitude <= 120:
        return Severity.INFO
    if magnitude <= 86400:
        return Severity.NOTICE
    return Severity.WARNING


# ---------------------------------------------------------------- the chain


def build_chain(
    message: Message,
    date: datetime | None,
    now: datetime,
    *,
    parse: Callable[[str], ReceivedFields] = parse_received,
) -> HopChain:
    """Parse every Received header of the message and assemble the chain.

    ``date`` is the parsed ``Date:`` header (hop 1's delay and the total are measured from
    it), ``now`` the time of analysis (for dates in the future), ``parse`` the Received
    parser (injectable for tests). Never raises on message content.
    """
    return build_chain_from_fields(message.all("Received"), date, now, parse=parse)


def build_chain_from_fields(
    received: Sequence[HeaderField],
    date: datetime | None,
    now: datetime,
    *,
    parse: Callable[[str], ReceivedFields] = parse_received,
) -> HopChain:
    """The chain from Received fields given top first, as they stand in the message."""
    findings = _Findings()
    total = len(received)
    if total == 0:
        findings.add(Finding(
            id="hops.no_received", severity=Severity.INFO, title="No Received headers",
            explanation="The message has no Received header, so there is no record of the servers "
                        "that carried it: it was never sent over SMTP, was saved before sending, "
                        "or its trace headers were removed.",
            reference=_RFC5321_TRACE,
        ))
        return HopChain(hops=(), boundary_hop=None, total_delay_seconds=None, findings=findings.result())

    truncated = total > DETAIL_LIMIT
    kept = list(received[:DETAIL_LIMIT])
    kept.reverse()  # Received fields are prepended (RFC 5321 section 4.4): bottom = earliest.
    if truncated:
        findings.add(Finding(
            id="hops.too_many", severity=Severity.WARNING,
            title=f"{total} Received headers: only the latest {DETAIL_LIMIT} analysed",
            explanation=f"The message carries {total} Received headers. Real mail passes a handful "
                        f"of servers; this many means a mail loop or a message built to overload "
                        f"analysers. The latest {DETAIL_LIMIT} (top) are analysed; the "
                        f"{total - DETAIL_LIMIT} older ones are not, and hop numbers count from the "
                        f"oldest analysed one.",
            reference=_RFC5321_TRACE,
        ))

    work: list[_Work] = []
    for header in kept:
        fields = _safe_parse(parse, header.value)
        work.append(_Work(header=header, fields=fields, time=_utc(fields.timestamp),
                          own_org=host_organization(fields.by)))
    _assign_organizations(work)
    for item in work:
        same_org_client = item.org is not None and (
            _client_in_org(item.fields, item.org) or is_non_public_ip(item.fields.from_ip)
        )
        item.role = classify_role(item.fields, item.header.value, same_org_client)

    boundary_index, from_outside = _find_boundary(work)
    if not from_outside:
        where = work[-1].org or "the receiving host"
        findings.add(Finding(
            id="hops.internal_only", severity=Severity.INFO,
            title="Every hop is inside the receiving organisation",
            explanation=f"No hop shows the message arriving from outside {where}: it was sent "
                        f"inside that organisation. The trust boundary is placed at hop "
                        f"{boundary_index + 1}, where it entered the mail system.",
            reference=_RFC5321_TRACE,
        ))

    date_utc = _aware(date)
    now_utc = _aware(now) or datetime.now(timezone.utc)
    hops: list[Hop] = []
    for i, item in enumerate(work):
        number = i + 1
        previous = date_utc if i == 0 and not truncated else (work[i - 1].time if i > 0 else None)
        delay = (item.time - previous).total_seconds() if item.time and previous else None
        fields = item.fields
        hops.append(Hop(
            number=number, header_index=item.header.index, fields=fields, raw=item.header.value,
            delay_seconds=delay, role=item.role, organization=item.org,
            trusted=i >= boundary_index, boundary=i == boundary_index,
            private_client=is_non_public_ip(fields.from_ip),
        ))
        _hop_findings(findings, item, number, delay, i == 0 and not truncated, i < boundary_index, now_utc)

    for i in range(len(work) - 1):
        _check_link(findings, work, i, boundary_index)

    last_time = next((item.time for item in reversed(work) if item.time), None)
    total_delay = (last_time - date_utc).total_seconds() if last_time and date_utc else None
    return HopChain(hops=tuple(hops), boundary_hop=boundary_index + 1,
                    total_delay_seconds=total_delay, findings=findings.result())


def _hop_findings(findings: _Findings, item: _Work, number: int, delay: float | None,
                  from_date: bool, below_boundary: bool, now: datetime) -> None:
    subject = f"hop {number}"
    fields = item.fields
    claim = (" This hop is below the trust boundary: it is the sender's claim, not evidence."
             if below_boundary else "")
    if not fields.complete:
        problems = "; ".join(p[:120] for p in fields.problems[:3]) or "unreadable parts"
        findings.add(Finding(
            id="hops.unparsed", severity=Severity.INFO, title="Received header only partly read",
            explanation=f"Part of this Received header could not be read ({problems}). It is kept "
                        f"as written, with the fields that could be read.",
            reference=_RFC5321_TRACE, subject=subject,
        ))
    if delay is not None and delay < -SKEW_TOLERANCE_SECONDS:
        before = "the Date: header" if from_date else f"hop {number - 1}"
        findings.add(Finding(
            id="hops.clock_skew", severity=_skew_severity(delay),
            title=f"Time goes backwards by {_fmt_seconds(delay)}",
            explanation=f"This hop is stamped {_fmt_seconds(delay)} earlier than {before} "
                        f"(compared in UTC). A message cannot be received before it was sent, so "
                        f"at least one of the clocks involved is wrong, or a header was forged."
                        + claim,
            reference=_RFC5322_DATE, subject=subject,
        ))
    if delay is not None and delay > SLOW_HOP_SECONDS:
        what = ("between the Date: header and the first Received header (the message was written "
                "well before it was sent, or sat in an outbox or queue)") if from_date else \
               "at this hop (the message waited in a queue, or a server retried delivery)"
        findings.add(Finding(
            id="hops.slow_hop", severity=Severity.INFO, title=f"Delay of {_fmt_seconds(delay)}",
            explanation=f"{_fmt_seconds(delay)} passed {what}.",
            reference=_RFC5321_TRACE, subject=subject,
        ))
    if item.time is not None and item.time > now + FUTURE_TOLERANCE:
        findings.add(Finding(
            id="hops.future_date", severity=Severity.WARNING, title="Received date in the future",
            explanation=f"This hop is stamped {_iso(item.time)}, after the time of this analysis "
                        f"({_iso(now)}): the server's clock was wrong or the header was forged."
                        + claim,
            reference=_RFC5322_DATE, subject=subject,
        ))
    if is_non_public_ip(fields.from_ip) and not _is_loopback(fields.from_ip) and item.org:
        client_orgs = [o for o in (host_organization(n) for n in _client_names(fields)) if o]
        if client_orgs and item.org not in client_orgs:
            findings.add(Finding(
                id="hops.private_ip_outside",
                # Below the boundary it is the sender's own (claimed) network layout: a curiosity.
                severity=Severity.INFO if below_boundary else Severity.NOTICE,
                title="Private address between two organisations",
                explanation=f"{item.org} received this message from {client_orgs[0]} over a private "
                            f"address ({fields.from_ip}), which cannot be reached across the internet "
                            f"(RFC 1918). Either both sit on one private network (a VPN or peering) "
                            f"or the header was made up." + claim,
                reference=_RFC1918, subject=subject,
            ))
    if below_boundary:
        signs = _forged_signs(fields, item.header.value)
        if signs:
            findings.add(Finding(
                id="hops.forged_looking", severity=Severity.WARNING,
                title="Forged-looking Received header",
                explanation="Below the trust boundary, this header contains " + "; ".join(signs)
                            + ". No mail server writes that: the sender most likely added this "
                              "header to make the message look relayed.",
                reference=_RFC5321_TRACE, subject=subject,
            ))


def _check_link(findings: _Findings, work: list[_Work], i: int, boundary_index: int) -> None:
    """The ``by`` host of hop i+1 should be the ``from`` host of hop i+2 (1-based)."""
    by = work[i].fields.by
    nxt = work[i + 1].fields
    if _link_matches(by, nxt) is not False:
        return
    claimed = nxt.from_rdns or nxt.from_helo or nxt.from_ip or "?"
    crossing = i + 1 == boundary_index
    if crossing:
        severity = Severity.INFO
        why = ("This is where the receiving organisation took the message over, and its client "
               "named itself differently from the last server the sender's headers list. That is "
               "normal when an email service sends under its customer's host names, and it is "
               "also what a forged lower chain looks like.")
    elif i + 1 < boundary_index:
        severity = Severity.NOTICE
        why = ("Both headers are below the trust boundary, so this is the sender's claim: made-up "
               "Received headers often fail to connect.")
    else:
        severity = Severity.NOTICE
        why = ("Both headers were written by the receiving side; a header may be missing between "
               "them, or a server names itself differently inside and outside.")
    findings.add(Finding(
        id="hops.chain_gap", severity=severity, title="Hops do not connect",
        explanation=f"Hop {i + 1} was received by {str(by)[:200]}, but the next hop says it came from "
                    f"{str(claimed)[:200]}. " + why,
        reference=_RFC5321_TRACE, subject=f"hop {i + 2}",
    ))
