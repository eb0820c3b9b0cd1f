"""The Resolver interface every check receives, and the answer type it returns.

The network comes in through this object only (as httpx's ``transport=``): checks never
import dnspython, so tests and offline replays hand them a snapshot resolver.
Resolvers return a status instead of raising, so a DNS failure is always a result
(``temperror`` with the failing name), never an exception in a check.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

from .._value import Value, frozen
from ..domains import a_label_form


class DnsStatus:
    """The answer statuses a resolver can give (strings, as in the snapshot format)."""

    NOERROR = "NOERROR"
    NXDOMAIN = "NXDOMAIN"
    NODATA = "NODATA"
    SERVFAIL = "SERVFAIL"
    TIMEOUT = "TIMEOUT"
    REFUSED = "REFUSED"
    FORMERR = "FORMERR"
    NOTIMP = "NOTIMP"
    OFFLINE = "OFFLINE"
    BUDGET = "BUDGET"
    """Not asked: the analysis's DNS time budget was spent (EvidenceResolver). No server said
    anything, so it must not read as the server's TIMEOUT."""
    NOT_RECORDED = "NOT_RECORDED"
    """Not in the snapshot: a snapshot that says its absent names were not recorded (``$meta``
    ``"absent": "NOT_RECORDED"``, as --record-dns writes, which writes NXDOMAIN explicitly) holds
    no answer to the question. Nothing is known about the name: no NXDOMAIN, so no rotated key
    and no change in DNS since delivery (verification V42a D3)."""

    TEMPORARY = frozenset({SERVFAIL, TIMEOUT, REFUSED, FORMERR, NOTIMP, BUDGET, NOT_RECORDED})
    """Statuses that mean "try again later" (RFC 7208 temperror, RFC 6376 TEMPFAIL). REFUSED,
    FORMERR and NOTIMP (RFC 1035 section 4.1.1 rcodes 5, 1 and 4) are the server's own reply
    kept as written, so the evidence does not misstate it; for the checks they are exactly a
    SERVFAIL: the question was not answered, so nothing is known about the name. BUDGET is the
    same for the checks: the question was not asked, so nothing is known; and NOT_RECORDED: the
    snapshot holds no answer to it."""


def retry_words(status: str, replay: bool = False) -> str:
    """What to do about a lookup that failed with a temporary ``status`` (``replay``: answered
    from a stored file, Resolver.replays_stored_answers): try again later; or, for a question the
    DNS snapshot holds no answer to, or a failure a snapshot holds (a recorded TIMEOUT or
    SERVFAIL), another source: replaying the same file later gives the same answer (verification
    V43a D3), whether read alone or under --record-dns (V45b)."""
    if status == DnsStatus.NOT_RECORDED:
        return "not in the DNS snapshot: analyze with live DNS, or a snapshot recorded for this message"
    if replay:
        return REPLAYED_FAILURE_WORDS
    return "try again later"


REPLAYED_FAILURE_WORDS = "the DNS snapshot holds this failure: analyze with live DNS, or record a new snapshot"
"""What to do about a temporary DNS error a snapshot holds: a replay later fails again."""


SUPPORTED_TYPES = ("TXT", "A", "AAAA", "MX", "PTR", "CNAME", "NS", "SPF")


class SnapshotError(Exception):
    """A DNS snapshot file cannot be read or is not in the documented format."""


def normalize_name(name: str) -> str:
    """Lower-case, no trailing dot, non-ASCII labels as A-labels: the key form of the snapshot
    format, and the name asked on the wire. An internationalised name is looked up by its
    A-labels (RFC 8616 sections 4-6, RFC 5891 section 4), converted by IDNA 2008: dnspython
    given a U-label would otherwise convert it itself, by IDNA 2003 when the idna package is
    missing ("ß" -> "ss", another domain)."""
    cleaned = name.strip().rstrip(".")
    return cleaned.lower() if cleaned.isascii() else a_label_form(cleaned)


@frozen
class DnsAnswer(Value):
    """The answer to one (name, type) question."""

    name: str
    """Queried name, normalised (lower case, no trailing dot)."""
    rdtype: str
    """Record type, upper case."""
    status: str
    """One of DnsStatus (NOERROR with no records never happens: that is NODATA)."""
    records: tuple[tuple[str, ...], ...] = ()
    """Each record as a tuple: TXT its character-strings, other types one presentation string."""
    cname_chain: tuple[str, ...] = ()
    """The names a CNAME led through, in order, the last being where the answer came from (a
    DKIM key a customer's domain points at its email provider's name); empty when the queried
    name answered itself."""

    @property
    def ok(self) -> bool:
        """True when the name has records of this type."""
        return self.status == DnsStatus.NOERROR and bool(self.records)

    @property
    def texts(self) -> tuple[str, ...]:
        """TXT records with their character-strings joined (RFC 7208 section 3.3)."""
        return tuple("".join(record) for record in self.records)

    @property
    def values(self) -> tuple[str, ...]:
        """First string of each record: the address, host name or ``PREF host``."""
        return tuple(record[0] for record in self.records if record)

    @property
    def temporary_failure(self) -> bool:
        """True for SERVFAIL, TIMEOUT, REFUSED, FORMERR and NOTIMP."""
        return self.status in DnsStatus.TEMPORARY


class Resolver(ABC):
    """Answers DNS questions for the checks. Implementations must be thread-safe."""

    source: str = "unknown"
    """live, snapshot, recording or offline: shown in the report."""

    @property
    def detail(self) -> str | None:
        """Nameserver or snapshot path, for the report."""
        return None

    @property
    def asks_network(self) -> bool:
        """True when questions go to a nameserver (live), so time is spent waiting for answers."""
        return False

    @property
    def replays_stored_answers(self) -> bool:
        """True when the answers come from a stored file (a DNS snapshot): a temporary error it
        holds fails again whenever it is replayed, so "try again later" would never help."""
        return False

    @abstractmethod
    def resolve(self, name: str, rdtype: str) -> DnsAnswer:
        """Answer one question; never raises for DNS errors (they are statuses)."""

    def cached(self, name: str, rdtype: str) -> DnsAnswer | None:
        """The answer already held for this question, without asking anything (no network, no
        waiting): lets a caller whose time is spent still use what was already fetched. The
        default holds nothing."""
        return None

    def prefetch(self, questions: Iterable[tuple[str, str]]) -> None:
        """Hint: these (name, type) questions will be asked soon. A live resolver answers
        them in parallel and caches them; the default does nothing."""
        return None
