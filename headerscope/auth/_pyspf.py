"""The one place that imports pyspf: run its RFC 7208 ``check_host()`` over our Resolver.

pyspf sends every DNS question through ``query.dns()``; a subclass overrides that method
so all lookups go to the Resolver handed in, with no process-wide monkeypatching (each
evaluation owns its query object, so concurrent evaluations in threads never share state).
pyspf's exceptions and quirks stay here: callers get a typed ``SpfOutcome``.
"""

from __future__ import annotations

import time
from typing import Any

from .._value import Value, frozen
from ..dns.evidence import memoized
from ..dns.interface import DnsStatus, Resolver
from ._pyspf_import import import_pyspf

# pyspf imports dnspython's resolver only for its own DNS, which is never used here.
_spf: Any = import_pyspf()

# A TXT record cannot be longer than a DNS message (65535 octets, RFC 1035 section 4.2.2);
# anything longer can only come from a forged snapshot. Bounding it keeps pyspf's regexes
# (run once per term) from spending quadratic time on hostile input.
_MAX_RECORD_OCTETS = 65535

SPF_DEADLINE_SECONDS = 20.0
"""RFC 7208 section 4.6.4: check_host() SHOULD be given a limit on elapsed time, "at least 20
seconds", past which the result is temperror. Past it no further lookup is made."""

# The default explanations pyspf returns when no exp= text was fetched (RFC 7208 section 6.2).
_DEFAULT_EXPLANATIONS: dict[str, str] = dict(_spf.EXPLANATIONS)


# The redirect= modifier of a record being evaluated: none; present, its count not yet seen;
# its count deferred; followed and counted.
_NO_REDIRECT, _REDIRECT_EXPECTED, _REDIRECT_DEFERRED, _REDIRECT_FOLLOWED = range(4)


_KNOWN_MODIFIERS = ("redirect", "exp")
"""The modifiers RFC 7208 defines (section 6), which pyspf recognises only as written in lower case."""


def _modifier_names_lowered(record: str) -> str:
    """``record`` with the names of its redirect= and exp= modifiers in lower case, split into terms
    as pyspf's check0 splits it (on single spaces, the version first). RFC 7208 section 4.6.1: "As
    per the definition of the ABNF notation in [RFC5234], mechanism and modifier names are
    case-insensitive." pyspf compares the name it matched (case-insensitively) with "redirect" and
    "exp" as written, so "REDIRECT=_spf.example.com" was an unknown modifier, ignored: the record
    gave neutral instead of following it (and "redirect=a REDIRECT=b" escaped the permerror for a
    repeated redirect=, section 6). Only ASCII names are lowered (the ABNF's ALPHA): another
    character folding to one of these letters names no modifier. The values are left as they are
    (a macro's letter case matters, section 7.3)."""
    terms = record.split(" ")
    changed = False
    for position in range(1, len(terms)):
        name, equals, value = terms[position].partition("=")
        if equals and name.isascii() and name.lower() in _KNOWN_MODIFIERS and not name.islower():
            terms[position] = f"{name.lower()}={value}"
            changed = True
    return " ".join(terms) if changed else record


def _has_redirect(record: Any) -> bool:
    """Whether pyspf's check0 will read a redirect= modifier in ``record`` (and count it): its
    own split and test, so the two never disagree (a "REDIRECT=" is not one to pyspf)."""
    if not record or "redirect" not in record:
        return False
    terms = record.split(" ")
    if terms[0].lower() != "v=spf1":
        return False
    for term in terms[1:]:
        if term:
            parts = _spf.RE_MODIFIER.split(term)[1:]
            if len(parts) == 2 and parts[0] == "redirect":
                return True
    return False


class _OfflineError(_spf.TempError):  # type: ignore[misc]
    """An answer came back OFFLINE: the check must say "not checked", not temperror."""


@frozen
class SpfOutcome(Value):
    """What one pyspf ``check_host()`` evaluation found."""

    result: str
    """pass, fail, softfail, neutral, none, permerror, temperror, or not_checked (offline)."""
    domain: str
    """The domain whose policy was evaluated (MAIL FROM domain, or HELO)."""
    sender: str
    """The sender identity evaluated (``postmaster@HELO`` for the null sender)."""
    record: str | None
    """The SPF record of ``domain`` (None when none was found)."""
    mechanism: str | None
    """The top-level term that decided the result (``include:...`` for a matching include)."""
    redirect_records: tuple[tuple[str, str], ...]
    """Records fetched for include/redirect targets, as (domain, record)."""
    default_explanation: str
    """pyspf's explanation text (default text, or the message text on errors)."""
    domain_explanation: str | None
    """The text the domain published through ``exp=`` (RFC 7208 section 6.2), when fetched and used."""
    problem: str | None
    """The permerror/temperror reason, if any."""
    failed_name: str | None
    """The name whose lookup failed (SERVFAIL/TIMEOUT), for temperror."""
    failed_status: str | None
    """SERVFAIL or TIMEOUT for that name."""
    lookups: int
    """DNS-querying terms counted against the limit of 10 (RFC 7208 section 4.6.4)."""
    void_lookups: int
    """Lookups that returned no answer (NXDOMAIN or NODATA), limit 2 (RFC 7208 section 4.6.4)."""
    out_of_time: bool = False
    """True when the evaluation stopped at SPF_DEADLINE_SECONDS (temperror)."""
    lookup_limit_at: str | None = None
    """For the permerror of more than 10 DNS-querying terms (RFC 7208 section 4.6.4): the domain
    whose record holds the term past the limit, where the evaluation stopped."""
    mx_limit_at: tuple[str, int] | None = None
    """For the permerror of an mx mechanism whose MX lookup gave more than 10 names (RFC 7208
    section 4.6.4): the name looked up and how many MX records it has."""


class _ResolverQuery(_spf.query):  # type: ignore[misc]
    """pyspf's query with DNS served by our Resolver instead of pyspf's global DNSLookup."""

    def __init__(self, resolver: Resolver, ip: str, sender: str, helo: str) -> None:
        super().__init__(i=ip, s=sender, h=helo, strict=True, querytime=0)
        self._resolver = resolver
        self._answers: dict[tuple[str, str], list[Any]] = {}
        self.offline = False
        self.failed_name: str | None = None
        self.failed_status: str | None = None
        self.records: dict[str, str | None] = {}
        self._deadline = time.monotonic() + SPF_DEADLINE_SECONDS
        self.out_of_time = False
        self.lookup_limit_at: str | None = None
        self.mx_limit_at: tuple[str, int] | None = None
        # One entry per record being evaluated (check0 on the stack): its redirect= state.
        self._redirects: list[int] = []
        # A lookup was just counted and its DNS question not yet asked (include's dns_spf follows).
        self._just_counted = False

    # RFC 7208 section 6.1: redirect= is used "if all mechanisms fail to match", and section 4.6.4
    # counts the DNS-querying terms evaluated. pyspf counts redirect= while it reads the record's
    # modifiers, before any mechanism runs, so a record that matches at its 10th lookup and carries
    # redirect= gets permerror (verification V40b, D4). The count is moved to where the redirect
    # is followed: pyspf's first check_lookups() of a record holding redirect= is the modifier's
    # (its modifier loop runs before its mechanisms, and that is its only count there); the
    # follow is the record's one dns_spf() that no check_lookups() announced (include's is).

    def check0(self, spf: Any, recursion: int) -> Any:
        if isinstance(spf, str) and not spf.islower():
            # (A record with no upper-case letter has no modifier name to lower: as it is.)
            spf = _modifier_names_lowered(spf)
        self._redirects.append(_REDIRECT_EXPECTED if _has_redirect(spf) else _NO_REDIRECT)
        try:
            return super().check0(spf, recursion)
        finally:
            self._redirects.pop()

    def check_lookups(self) -> None:
        if self._redirects and self._redirects[-1] == _REDIRECT_EXPECTED:
            self._redirects[-1] = _REDIRECT_DEFERRED  # counted if it is followed
            return
        self._count_lookup()
        self._just_counted = True

    def _count_lookup(self) -> None:
        # strict=True: pyspf's own check raises at the 11th (its lax 40 never applies).
        self.lookups += 1
        if self.lookups > _spf.MAX_LOOKUP:
            self.lookup_limit_at = str(self.d or "")[:253]
            raise _spf.PermError(f"more than {_spf.MAX_LOOKUP} DNS lookups")

    def dns_spf(self, domain: str) -> Any:
        if not self._just_counted and self._redirects and self._redirects[-1] == _REDIRECT_DEFERRED:
            # No mechanism matched: pyspf follows the redirect now, which is when it counts.
            self._redirects[-1] = _REDIRECT_FOLLOWED
            self._count_lookup()
        self._just_counted = False
        record = super().dns_spf(domain)
        self.records.setdefault(str(domain).lower().rstrip("."), record)
        return record

    def dns_mx(self, domainname: Any) -> list[Any]:
        try:
            return super().dns_mx(domainname)  # type: ignore[no-any-return]
        except _spf.PermError:
            # pyspf's strict mode raises before looking up any address when the MX set has more
            # than MAX_MX names (RFC 7208 section 4.6.4); a PermError from an address lookup
            # (the void-lookup limit) comes from a set within it. Its answer is in the cache.
            qname = str(domainname or "").rstrip(".").lower()
            names = self._answers.get((qname, "MX"))
            if names is not None and len(names) > _spf.MAX_MX:
                self.mx_limit_at = (qname[:253], len(names))
            raise

    def dns(self, name: Any, qtype: str, cnames: Any = None, ignore_void: bool = False) -> list[Any]:
        self._just_counted = False
        qname = str(name or "").rstrip(".").lower()
        # pyspf treats over-long or empty labels as a name without data (RFC 7208 section 4.3).
        labels = qname.split(".")
        if not qname or not all(0 < len(label) < 64 for label in labels):
            return []
        key = (qname, qtype)
        cached = self._answers.get(key)
        if cached is None:
            cached = self._lookup(qname, qtype)
            self._answers[key] = cached
        if not cached and not ignore_void:
            # RFC 7208 section 4.6.4: more than two void lookups is a permerror.
            self.void_lookups += 1
            if self.void_lookups > _spf.MAX_VOID_LOOKUPS:
                raise _spf.PermError(f"Void lookup limit of {_spf.MAX_VOID_LOOKUPS} exceeded")
        return list(cached)

    def _lookup(self, qname: str, qtype: str) -> list[Any]:
        if time.monotonic() > self._deadline:
            # No failed name: no lookup failed; the temperror's reason is the deadline (its text).
            self.out_of_time = True
            raise _spf.TempError(f"the evaluation took longer than {SPF_DEADLINE_SECONDS:g} seconds (RFC 7208 "
                                 f"section 4.6.4), so the lookup of {qname} {qtype} was not made")
        try:
            answer = self._resolver.resolve(qname, qtype)
        except Exception as exc:  # noqa: BLE001 - a resolver bug must not crash the check
            self._note_failure(qname, DnsStatus.SERVFAIL)
            raise _spf.TempError(f"DNS lookup of {qname} {qtype} failed: {exc}") from None
        if answer.status == DnsStatus.OFFLINE:
            self.offline = True
            raise _OfflineError(f"DNS lookup of {qname} {qtype} not made (offline)")
        if answer.status in DnsStatus.TEMPORARY:
            self._note_failure(qname, answer.status)
            raise _spf.TempError(f"DNS lookup of {qname} {qtype} failed ({answer.status})")
        if answer.status != DnsStatus.NOERROR:
            return []
        return _convert(qtype, answer.records)

    def _note_failure(self, qname: str, status: str) -> None:
        # The latest failure is the one that ended the evaluation, if any did.
        self.failed_name = qname
        self.failed_status = status

    def validated_ptrs(self) -> list[str]:
        """PTR names of the client that resolve back to it (RFC 7208 section 5.5).

        pyspf lets a DNS error on one name's A/AAAA lookup end the whole check with
        temperror; section 5.5 says that name is skipped and the search continues.
        """
        validated: list[str] = []
        for name in self.dns_ptr(self.i)[:_spf.MAX_PTR]:
            try:
                addresses = self.dns_a(name, self.A)
            except _OfflineError:
                raise
            except _spf.TempError:
                continue
            if self.cidrmatch(addresses, self.cidrmax):
                validated.append(name)
        return validated


def _convert(qtype: str, records: tuple[tuple[str, ...], ...]) -> list[Any]:
    """Our answer records in the shapes pyspf's dnspython driver produces."""
    out: list[Any] = []
    for record in records:
        if qtype in ("TXT", "SPF"):
            # pyspf wants bytes and checks for 7-bit ASCII itself (RFC 7208 section 3.1).
            # A record of zero strings becomes one empty string: pyspf indexes the first chunk.
            chunks = tuple(chunk.encode("utf-8", "surrogateescape") for chunk in record) or (b"",)
            if sum(len(chunk) for chunk in chunks) > _MAX_RECORD_OCTETS:
                raise _spf.PermError(f"TXT record longer than {_MAX_RECORD_OCTETS} octets")
            out.append(chunks)
        elif not record:
            continue
        elif qtype == "MX":
            parts = record[0].split()
            if len(parts) == 2 and parts[0].isdigit():
                out.append((int(parts[0]), parts[1].rstrip(".")))
        elif qtype in ("PTR", "CNAME"):
            out.append(record[0].rstrip("."))
        else:
            out.append(record[0])
    return out


def evaluate(resolver: Resolver, *, ip: str, sender: str, helo: str) -> SpfOutcome:
    """RFC 7208 check_host() for one identity; never raises.

    ``sender`` empty means the null sender: pyspf then evaluates ``postmaster@helo``
    (RFC 7208 section 2.4). The outcome depends only on these inputs and the DNS answers,
    so a scan evaluates each (client IP, sender, HELO) once per resolver.
    """
    return memoized(resolver, ("spf", ip, sender, helo),
                    lambda asked: _evaluate(asked, ip=ip, sender=sender, helo=helo),
                    keep=lambda outcome: _timeless(outcome) and not outcome.out_of_time)


def _timeless(outcome: SpfOutcome) -> bool:
    """False when the outcome may hold the evaluation time: the %{t} macro (RFC 7208
    section 7.2) in a record, or an explanation text, which may expand it."""
    if outcome.domain_explanation is not None:
        return False
    records = [outcome.record or "", *(record for _domain, record in outcome.redirect_records)]
    return not any("%{t" in record.lower() for record in records)


def _evaluate(resolver: Resolver, *, ip: str, sender: str, helo: str) -> SpfOutcome:
    try:
        query = _ResolverQuery(resolver, ip, sender, helo)
    except _spf.PermError as exc:
        return _error_outcome("permerror", sender, helo, f"invalid client IP: {exc}")
    except Exception as exc:  # noqa: BLE001 - pyspf must not crash the report
        return _error_outcome("permerror", sender, helo, f"pyspf could not start: {exc}")
    domain = str(query.d or "")
    try:
        result, _code, text = query.check()
    except _OfflineError:
        result, text = "not_checked", "not checked (offline)"
    except RecursionError:
        result, text = "permerror", "SPF Permanent Error: include/redirect recursion too deep"
    except Exception as exc:  # noqa: BLE001 - pyspf raises on some real-world input
        result, text = "permerror", f"SPF Permanent Error: pyspf raised {type(exc).__name__}: {exc}"
    result = str(result)
    # Error texts quote the offending term, which a hostile record can make huge.
    text = _shorten(str(text))
    if query.offline:
        result, text = "not_checked", "not checked (offline)"
    if result == "ambiguous":  # harsh-mode only; never with strict=True, but be safe
        result = "neutral"
    problem = None
    if result in ("permerror", "temperror"):
        problem = text.removeprefix("SPF Permanent Error: ").removeprefix("SPF Temporary Error: ")
        if problem.endswith(".") and not problem.endswith(".."):
            # pyspf ends some texts with a period ("Two or more type TXT spf records found."); the
            # report puts the text inside its own sentences, which add theirs.
            problem = problem[:-1]
    domain_explanation = None
    if result in ("fail", "softfail") and text != _DEFAULT_EXPLANATIONS.get(result):
        domain_explanation = text
    record = query.records.get(domain.lower().rstrip("."))
    others = tuple((d, r) for d, r in query.records.items() if r and d != domain.lower().rstrip("."))
    mechanism = getattr(query, "mechanism", None)
    return SpfOutcome(
        result=result,
        domain=domain,
        sender=str(query.s or ""),
        record=record,
        mechanism=str(mechanism) if mechanism else None,
        redirect_records=others,
        default_explanation=text,
        domain_explanation=domain_explanation,
        problem=problem,
        failed_name=query.failed_name,
        failed_status=query.failed_status,
        lookups=int(getattr(query, "lookups", 0) or 0),
        void_lookups=int(getattr(query, "void_lookups", 0) or 0),
        out_of_time=query.out_of_time,
        lookup_limit_at=query.lookup_limit_at if result == "permerror" else None,
        mx_limit_at=query.mx_limit_at if result == "permerror" else None,
    )


def _shorten(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _error_outcome(result: str, sender: str, helo: str, problem: str) -> SpfOutcome:
    domain = sender.rpartition("@")[2] if "@" in sender else (sender or helo)
    return SpfOutcome(result=result, domain=domain, sender=sender or f"postmaster@{helo}", record=None,
                      mechanism=None, redirect_records=(), default_explanation=problem,
                      domain_explanation=None, problem=problem, failed_name=None, failed_status=None,
                      lookups=0, void_lookups=0)
