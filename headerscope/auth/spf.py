"""Evaluate SPF (RFC 7208) for the boundary hop's client, through our resolver.

pyspf does the evaluation (wrapped in ``_pyspf``); this module chooses the identities
(MAIL FROM, or ``postmaster@HELO`` for the null sender, and the HELO identity on its own,
RFC 7208 sections 2.3 and 2.4), explains the result in words and raises findings.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterator

from ..dns.evidence import memoized
from ..dns.interface import Resolver
from ..domains import a_label_form, aligned, is_ip_literal
from ..model import Finding, Severity, SpfResult
from ..text import compiled_on_first_use
from ._pyspf import SpfOutcome, evaluate

RFC7208 = "https://www.rfc-editor.org/rfc/rfc7208"
_REF_RESULTS = f"{RFC7208}#section-2.6"
_REF_LIMITS = f"{RFC7208}#section-4.6.4"
_REF_NONE = f"{RFC7208}#section-4.5"
_REF_ALL = f"{RFC7208}#section-5.1"
_REF_PTR = f"{RFC7208}#section-5.5"
_REF_IDENTITY = f"{RFC7208}#section-4.3"

_OFFLINE = "not checked (offline)"

# Prefix lengths at or below these authorise so many addresses that the record no longer
# says much about who may send (a /8 is 16 million IPv4 addresses).
_BROAD_IP4_PREFIX = 8
_BROAD_IP6_PREFIX = 16

_RESULT_WORDS = {
    "pass": "is authorized to send for",
    "fail": "is NOT authorized to send for",
    "softfail": "is probably not authorized (softfail: the owner discourages it) to send for",
    "neutral": "is neither authorized nor forbidden (neutral) to send for",
}


def check_spf(resolver: Resolver, *, client_ip: str | None, mail_from: str | None, helo: str | None,
              from_domain: str | None, inputs_from: str | None) -> tuple[SpfResult, tuple[Finding, ...]]:
    """SPF for MAIL FROM (postmaster@HELO for the null sender) and for HELO."""
    ip = _clean_ip(client_ip)
    helo_name = _clean_helo(helo)
    sender = _clean_sender(mail_from)
    shown_sender = sender if sender else (f"postmaster@{helo_name}" if sender == "" and helo_name else sender)
    # RFC 8616 section 4: an internationalised domain in MAIL FROM or HELO (legal with
    # SMTPUTF8, RFC 6531) is checked, and its policy looked up, by its A-labels.
    helo_name = a_label_form(helo_name) if helo_name is not None else None
    if sender and "@" in sender:
        local, _, sender_domain = sender.rpartition("@")
        sender = f"{local}@{a_label_form(sender_domain)}"
    helo_note: str | None = None

    def not_checked(reason: str, helo_result: str | None = None) -> tuple[SpfResult, tuple[Finding, ...]]:
        return (SpfResult(result="not_checked", client_ip=ip or client_ip, mail_from=shown_sender, helo=helo,
                          domain=None, record=None, mechanism=None, explanation=reason, lookups=None,
                          void_lookups=None, helo_result=helo_result, inputs_from=inputs_from,
                          helo_note=helo_note), ())

    if client_ip is None or not client_ip.strip():
        return not_checked("not checked: no client IP (no boundary hop recorded one; give --client-ip)")
    if ip is None:
        return not_checked(f"not checked: the client IP {client_ip!r} is not an IP address")

    # RFC 7208 section 2.3: the HELO identity is checked on its own when it is a domain name.
    helo_outcome: SpfOutcome | None = None
    helo_result: str | None = None
    if helo_name is not None:
        invalid = spf_domain_problem(helo_name)
        if invalid:
            # Only a fully qualified domain name is an SPF identity: no DNS question is asked
            # for the HELO (or for postmaster@HELO below), and "none" is what check_host() gives
            # a malformed name (RFC 7208 section 4.3).
            helo_result = "none"
            helo_note = f"HELO {helo_name[:80]!r} is not a domain name ({invalid}): not checked"
        else:
            helo_outcome = evaluate(resolver, ip=ip, sender="", helo=helo_name)
            helo_result = helo_outcome.result

    if sender is None:
        return not_checked("not checked: the MAIL FROM was not recorded (give --mail-from)", helo_result)
    if sender == "":
        # RFC 7208 section 2.4: for the null sender, MAIL FROM is postmaster@HELO.
        if helo_name is None:
            return not_checked("not checked: null sender (MAIL FROM:<>) and no HELO name to fall back to")
        invalid = spf_domain_problem(helo_name)
        if invalid:
            return _none_for_invalid(ip, f"postmaster@{helo_name}", helo, helo_name, invalid, helo_result,
                                     inputs_from, from_domain, helo_note)
        outcome = helo_outcome or evaluate(resolver, ip=ip, sender="", helo=helo_name)
    else:
        domain = sender.rpartition("@")[2] if "@" in sender else sender
        invalid = spf_domain_problem(domain)
        if invalid:
            return _none_for_invalid(ip, sender, helo, domain, invalid, helo_result, inputs_from, from_domain,
                                     helo_note)
        outcome = evaluate(resolver, ip=ip, sender=sender, helo=helo_name or "unknown")

    explanation, findings = _worded(outcome, ip)
    result = SpfResult(
        result=outcome.result,
        client_ip=ip,
        mail_from=outcome.sender,
        helo=helo,
        domain=outcome.domain or None,
        record=outcome.record,
        mechanism=outcome.mechanism,
        explanation=explanation,
        lookups=outcome.lookups if outcome.result != "not_checked" else None,
        void_lookups=outcome.void_lookups if outcome.result != "not_checked" else None,
        helo_result=helo_result,
        inputs_from=inputs_from,
        helo_note=helo_note,
        aligned=aligned(outcome.domain, from_domain) if from_domain and outcome.domain else None,
        aligned_strict=aligned(outcome.domain, from_domain, strict=True) if from_domain and outcome.domain else None,
    )
    if outcome.record and outcome.result in ("pass", "fail", "softfail", "neutral"):
        budget = _lookup_budget_finding(resolver, outcome)
        if budget is not None:
            findings = (*findings, budget)
    return result, findings


def from_domain_authorises(resolver: Resolver, *, client_ip: str, from_domain: str, helo: str | None) -> SpfOutcome | None:
    """The From: domain's own SPF policy for a client (RFC 7208 section 4: check_host() with the
    From: domain as the checked domain), or None for a name or address SPF cannot judge. What it
    says is only which servers the domain lists: DMARC counts SPF for the MAIL FROM domain alone
    (RFC 7489 section 3.1.2), so a pass here authenticates nothing; the caller uses it for words."""
    ip = _clean_ip(client_ip)
    domain = a_label_form(from_domain.strip().rstrip(".").lower()[:253])
    if ip is None or not domain or spf_domain_problem(domain):
        return None
    return evaluate(resolver, ip=ip, sender=f"postmaster@{domain}", helo=_clean_helo(helo) or "unknown")


def _none_for_invalid(ip: str, sender: str, helo: str | None, domain: str, why: str, helo_result: str | None,
                      inputs_from: str | None, from_domain: str | None,
                      helo_note: str | None) -> tuple[SpfResult, tuple[Finding, ...]]:
    # RFC 7208 section 4.3: a malformed or single-label domain gives "none" without a lookup.
    return (SpfResult(result="none", client_ip=ip, mail_from=sender, helo=helo, domain=domain, record=None,
                      mechanism=None, explanation=f"none: {domain!r} cannot carry an SPF policy ({why})",
                      lookups=0, void_lookups=0, helo_result=helo_result, inputs_from=inputs_from,
                      helo_note=helo_note, aligned=aligned(domain, from_domain) if from_domain else None,
                      aligned_strict=aligned(domain, from_domain, strict=True) if from_domain else None), ())


def _clean_ip(text: str | None) -> str | None:
    if not text:
        return None
    # A scan meets the same client addresses message after message; short texts are cached.
    return _clean_ip_cached(text) if len(text) <= 100 else _clean_ip_text(text)


@functools.lru_cache(maxsize=1024)
def _clean_ip_cached(text: str) -> str | None:
    return _clean_ip_text(text)


def _clean_ip_text(text: str) -> str | None:
    cleaned = text.strip().strip("[]")
    if cleaned.lower().startswith("ipv6:"):
        cleaned = cleaned[5:]
    try:
        return str(ipaddress.ip_address(cleaned))
    except ValueError:
        return None


def _clean_helo(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = text.strip().rstrip(".")
    return cleaned or None


def _clean_sender(text: str | None) -> str | None:
    """The MAIL FROM path without angle brackets; "" for the null sender, None when unknown."""
    if text is None:
        return None
    cleaned = text.strip()
    if cleaned.startswith("<") and cleaned.endswith(">"):
        cleaned = cleaned[1:-1].strip()
    return cleaned.rstrip(".")


_not_a_name_character = compiled_on_first_use(r"[^A-Za-z0-9._-]")


def spf_domain_problem(domain: str) -> str | None:
    """Why a name cannot be an SPF domain (RFC 7208 section 4.3), or None when it can."""
    name = domain.rstrip(".")
    if not name:
        return "empty domain"
    if name.startswith("[") or is_ip_literal(name):
        return "an address literal, not a domain name"
    odd = _not_a_name_character().search(name[:300])
    if odd:
        # Host names are letters, digits and hyphens (RFC 1123 section 2.1; the underscore is
        # tolerated, as DNS itself allows it). qmail's "(HELO ?192.0.2.1?)" and a HELO of free
        # text are no domain, and asking DNS about them would only add a question.
        return f"it holds {odd.group()!r}"
    labels = name.split(".")
    if len(labels) < 2:
        return "not a multi-label domain name"
    if any(not label for label in labels):
        return "empty label"
    if any(len(label) > 63 for label in labels):
        return "label longer than 63 characters"
    if len(name) > 253:
        return "name longer than 253 characters"
    return None


@functools.lru_cache(maxsize=1024)
def _worded(outcome: SpfOutcome, ip: str) -> tuple[str, tuple[Finding, ...]]:
    """The explanation and the findings of an outcome for a client: functions of the two alone
    (both immutable), and a scan meets the same sender's outcome for the same relay in message
    after message (the outcome itself is reused, _pyspf.evaluate), so they are worded once."""
    return _explain(outcome, ip), _findings(outcome, ip)


def _explain(outcome: SpfOutcome, ip: str) -> str:
    domain = outcome.domain
    if outcome.result == "not_checked":
        return _OFFLINE
    if outcome.result in _RESULT_WORDS:
        text = f"{outcome.result}: {ip} {_RESULT_WORDS[outcome.result]} {domain}"
        if outcome.mechanism:
            text += f" (matched {outcome.mechanism})"
        elif outcome.record:
            text += " (no mechanism matched: the default result applies)"
        if outcome.domain_explanation:
            text += f". The domain's explanation (exp=): \"{outcome.domain_explanation}\""
        return text
    if outcome.result == "none":
        return f"none: {domain} publishes no SPF record"
    if outcome.result == "temperror":
        if outcome.failed_name:
            return (f"temperror: the DNS lookup of {outcome.failed_name} failed ({outcome.failed_status}); "
                    "a receiver would ask the sender to try again later")
        return f"temperror: {outcome.problem or outcome.default_explanation}"
    if outcome.lookup_limit_at is not None:
        return f"permerror: the SPF policy of {domain} {_over_lookup_limit(outcome)}"
    if outcome.mx_limit_at is not None:
        return f"permerror: the SPF policy of {domain} {_over_mx_limit(outcome.mx_limit_at)}"
    return f"permerror: the SPF policy of {domain} cannot be evaluated: {outcome.problem}"


def _over_lookup_limit(outcome: SpfOutcome) -> str:
    """Where an evaluation passed the limit of 10 DNS-querying terms (RFC 7208 section 4.6.4), in
    words following "the SPF policy of DOMAIN"."""
    where = outcome.lookup_limit_at
    within = "its own record" if where == outcome.domain else f"the record of {where}"
    return (f"needs more than {_LOOKUP_LIMIT} DNS lookups (include, a, mx, ptr, exists, redirect=), the limit of "
            f"RFC 7208 section 4.6.4: the evaluation stopped at the {_LOOKUP_LIMIT + 1}th, in {within}")


def _over_mx_limit(mx_limit_at: tuple[str, int]) -> str:
    """Why an mx mechanism gave permerror: its MX lookup returned more than 10 names (RFC 7208
    section 4.6.4), in words following "the SPF policy of DOMAIN"."""
    name, count = mx_limit_at
    return (f"has an mx mechanism whose MX lookup of {name} returned {count} MX records: RFC 7208 section 4.6.4 "
            f"lets one mx mechanism look up the addresses of at most {_MX_LIMIT} MX names, and more is a permerror")


def _findings(outcome: SpfOutcome, ip: str) -> tuple[Finding, ...]:
    subject = f"spf {outcome.domain}"
    found: list[Finding] = []
    if outcome.result == "fail":
        found.append(Finding(
            id="spf.fail", severity=Severity.WARNING, title=f"SPF fail: {ip} may not send for {outcome.domain}",
            explanation=f"{outcome.domain}'s SPF record explicitly lists the client {ip} as not authorized"
                        f"{' (' + outcome.mechanism + ')' if outcome.mechanism else ''}. The message either "
                        "was forged or was forwarded without sender rewriting (SRS).",
            reference=_REF_RESULTS, subject=subject))
    elif outcome.result == "softfail":
        found.append(Finding(
            id="spf.softfail", severity=Severity.NOTICE,
            title=f"SPF softfail: {ip} probably may not send for {outcome.domain}",
            explanation=f"{outcome.domain}'s SPF record says {ip} is probably not authorized (~all). "
                        "Receivers usually accept but mark such mail.",
            reference=_REF_RESULTS, subject=subject))
    elif outcome.result == "permerror":
        problem = outcome.problem or ""
        limit = "lookup" in problem.lower() and ("limit" in problem.lower() or "more than" in problem.lower())
        if outcome.lookup_limit_at is not None:
            # The commonest permerror: said with the limit and where it was reached, not as a
            # record that cannot be read (verification V40b, D5).
            title = f"SPF record exceeds the DNS lookup limits ({_LOOKUP_LIMIT}, RFC 7208 section 4.6.4)"
            said, reference = _over_lookup_limit(outcome), _REF_LIMITS
        elif outcome.mx_limit_at is not None:
            # A lookup limit of its own, said as such (it was titled "SPF record is broken", as a record
            # that cannot be read, with the reference for permerror in general).
            title = (f"SPF record exceeds the DNS lookup limits (more than {_MX_LIMIT} MX names for one mx "
                     "mechanism, RFC 7208 section 4.6.4)")
            said, reference = _over_mx_limit(outcome.mx_limit_at), _REF_LIMITS
        else:
            title = "SPF record exceeds the DNS lookup limits" if limit else "SPF record is broken (permerror)"
            said = f"cannot be evaluated: {problem}"
            reference = _REF_LIMITS if limit else f"{RFC7208}#section-2.6.7"
        found.append(Finding(
            id="spf.permerror", severity=Severity.WARNING, title=title,
            explanation=f"The SPF policy of {outcome.domain} {said}. Receivers treat this as a permanent error; "
                        "for DMARC, SPF does not pass.",
            reference=reference, subject=subject))
    elif outcome.result == "temperror":
        found.append(Finding(
            id="spf.temperror", severity=Severity.NOTICE, title="SPF could not be checked (DNS error)",
            explanation=_explain(outcome, ip), reference=f"{RFC7208}#section-2.6.6", subject=subject))
    elif outcome.result == "none" and outcome.domain:
        found.append(Finding(
            id="spf.none", severity=Severity.NOTICE, title=f"No SPF record for {outcome.domain}",
            explanation=f"{outcome.domain} publishes no SPF policy, so nobody can tell which hosts may send "
                        "mail with this envelope sender.",
            reference=_REF_NONE, subject=subject))
    permissive = _permissive_terms(outcome)
    if permissive:
        found.append(Finding(
            id="spf.permissive", severity=Severity.WARNING, title="SPF record authorizes (almost) everyone",
            explanation="These terms let nearly any host pass SPF for the domain, so an SPF pass proves "
                        f"little: {'; '.join(permissive)}.",
            reference=_REF_ALL, subject=subject))
    ptr_terms = _ptr_terms(outcome)
    if ptr_terms:
        decided = outcome.mechanism is not None and outcome.mechanism.lstrip("+?~-").lower().startswith("ptr")
        found.append(Finding(
            id="spf.ptr", severity=Severity.INFO, title="SPF record uses the ptr mechanism",
            explanation=f"{'; '.join(ptr_terms)}. RFC 7208 section 5.5 says ptr SHOULD NOT be used: it is slow, "
                        "less reliable than the other mechanisms when DNS fails, and loads the reverse-DNS "
                        "servers" + ("; here it decided the result." if decided else "."),
            reference=_REF_PTR, subject=subject))
    return tuple(found)


# RFC 7208 section 4.6.4: these terms cause DNS queries, at most 10 per evaluation.
_LOOKUP_TERMS = frozenset({"include", "a", "mx", "ptr", "exists"})
_LOOKUP_LIMIT = 10
_MX_LIMIT = 10
"""MX names one mx mechanism may look up the addresses of (RFC 7208 section 4.6.4; pyspf's MAX_MX)."""
# Records read to count a policy's lookup terms: an honest tree holds a handful; a bigger one
# is over the limit many times already, and each record read is a DNS question.
_MAX_RECORDS_WALKED = 30


def _lookup_budget_finding(resolver: Resolver, outcome: SpfOutcome) -> Finding | None:
    """A notice when the policy holds more DNS-querying terms than the 10 RFC 7208 section 4.6.4
    allows, though this check ended before reaching the limit (its term matched early, or the
    record's own terms did): a server matched by a later term gets permerror (SPF not passing,
    for DMARC), and receivers that count the whole record before evaluating fail it outright.
    The count is a lower bound: an include whose record cannot be read, or written with a macro,
    adds its own term only."""
    domain, record = outcome.domain, outcome.record or ""
    # Depends on the record and the answers only: a scan counts each sender's policy once
    # (memoized replays the questions, so each message's evidence is what counting records).
    total, complete = memoized(resolver, ("spf-lookup-terms", domain, record),
                               lambda asked: _count_lookup_terms(asked, domain, record))
    if total <= _LOOKUP_LIMIT:
        return None
    at_least = "" if complete else "at least "
    decided = f" at {outcome.mechanism}" if outcome.mechanism else ""
    return Finding(
        id="spf.lookup_budget", severity=Severity.NOTICE,
        title=f"SPF policy of {outcome.domain} needs {at_least}{total} DNS lookups (the limit is 10)",
        explanation=(f"{outcome.domain}'s SPF record and the records it includes hold {at_least}{total} terms that "
                     "each cause a DNS lookup (include, a, mx, ptr, exists, redirect=), and RFC 7208 section 4.6.4 "
                     f"allows 10 per evaluation. This check ended{decided} after {outcome.lookups} lookup(s), so "
                     f"its result stands ({outcome.result}); a server that only a later term authorizes gets "
                     "permerror instead, which DMARC counts as SPF not passing, and receivers that count the "
                     "whole record up front fail it for every server. Flattening includes into ip4:/ip6: "
                     "ranges, or dropping unused ones, brings it under the limit."),
        reference=_REF_LIMITS, subject=f"spf {outcome.domain}")


def _count_lookup_terms(resolver: Resolver, domain: str, record: str) -> tuple[int, bool]:
    """(DNS-querying terms in the record and every record its include: and redirect= lead to,
    whether every one of those records was read and counted)."""
    total, complete = 0, True
    seen = {domain.lower()}
    pending = [record]
    walked = 0
    while pending:
        for term in pending.pop().split()[1:64]:
            name, _, target = term.lstrip("+?~-").partition(":")
            name = name.lower()
            if name.startswith("redirect="):
                name, target = "redirect", term.partition("=")[2]
            elif name not in _LOOKUP_TERMS:
                continue
            total += 1
            if name not in ("include", "redirect"):
                continue
            target = target.strip().rstrip(".").lower()
            if not target or "%" in target or walked >= _MAX_RECORDS_WALKED or target in seen:
                # A macro's target depends on the message; a record met again would be
                # evaluated (and counted) again: either way the count is a lower bound.
                complete = False
                continue
            seen.add(target)
            walked += 1
            found = [text for text in resolver.resolve(target, "TXT").texts
                     if text[:7].lower() == "v=spf1 " or text.lower() == "v=spf1"]
            if len(found) == 1:
                pending.append(found[0][:2048])
            else:
                complete = False
    return total, complete


def _record_terms(outcome: SpfOutcome) -> Iterator[tuple[str, str, re.Match[str]]]:
    """(domain, term, its match of _TERM) for the first terms of every record used: the
    evaluated domain's and those its redirect= modifiers led to."""
    records = [(outcome.domain, outcome.record)] if outcome.record else []
    records += [(d, r) for d, r in outcome.redirect_records]
    for domain, record in records:
        for term in record.split()[1:64]:
            match = _TERM.match(term)
            if match:
                yield domain, term, match


def _ptr_terms(outcome: SpfOutcome) -> list[str]:
    """The ptr terms (RFC 7208 section 5.5) of every record used, as "domain: term"."""
    return [f"{domain}: {term[:80]}" for domain, term, match in _record_terms(outcome)
            if match.group(2).lower() == "ptr"][:5]


_TERM = re.compile(r"^([+?~-]?)([a-z0-9]+)(?::([^/\s]*))?(?:/(\d{1,3}))?", re.IGNORECASE)


def _permissive_terms(outcome: SpfOutcome) -> list[str]:
    """Terms that authorize everyone (+all) or huge address ranges, in every record used."""
    out: list[str] = []
    for domain, term, match in _record_terms(outcome):
        qualifier, name, _arg, prefix = match.groups()
        name = name.lower()
        if qualifier not in ("", "+"):
            continue
        broad_limit = {"ip4": _BROAD_IP4_PREFIX, "ip6": _BROAD_IP6_PREFIX}.get(name)
        too_broad = broad_limit is not None and prefix is not None and int(prefix) <= broad_limit
        if name == "all" or too_broad:
            out.append(f"{domain}: {term}")
    return out
