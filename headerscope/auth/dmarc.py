"""DMARC discovery, alignment and policy (RFC 9989, which obsoletes RFC 7489 and RFC 9091).

The result follows RFC 9989: the record at ``_dmarc.<From domain>``, else the one the DNS Tree
Walk finds at its organisational domain or public suffix domain (section 4.10.1); relaxed
alignment compares organisational domains found by tree walks (section 4.10.2). The RFC 7489
reading (the Public Suffix List's organisational domain, pct=) is computed beside it
(``rfc7489``), and ``tree_walk_note`` says when it decides otherwise: receivers still on RFC
7489 decide that way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from .._value import Value, frozen
from ..dns.interface import DnsStatus, Resolver
from ..domains import aligned, normalize_domain, organizational_domain, within
from ..hops import (  # loaded already: auth.recorded imports the hop chain
    OPERATOR_ALIASES,
    InboundGateway,
)
from ..model import (
    CANNOT_CHECK_FROM_COPY,
    COPY_UNCHECKABLE_CODES,
    ArcInstance,
    ArcResult,
    DkimSignatureResult,
    DmarcRecord,
    DmarcResult,
    Finding,
    Hop,
    RecordedResult,
    Rfc7489Reading,
    Severity,
    SpfResult,
    SrsInfo,
)
from ..text import header_ref
from .arc import holds
from .recorded import (
    aar_records_dmarc_pass,
    arc_override_recorded,
    gateway_judged,
    gateway_words,
    receiver_enforced,
    receiver_spf_not_pass,
)

RFC7489 = "https://www.rfc-editor.org/rfc/rfc7489"
RFC9989 = "https://www.rfc-editor.org/rfc/rfc9989"
"""RFC 9989 (2026) obsoletes RFC 7489 and RFC 9091. Its text was not stored where this was written;
the sections quoted are those of draft-ietf-dmarc-dmarcbis-41, the last draft (RFC Editor queue),
whose numbering the RFC keeps (4.10 DNS Tree Walk, 4.10.1 Policy Discovery, 4.10.2 Identifier
Alignment Evaluation, appendix A.6 pct=)."""
RFC8617 = "https://www.rfc-editor.org/rfc/rfc8617"

_POLICIES = ("none", "quarantine", "reject")
_STRICTNESS = {"none": 0, "quarantine": 1, "reject": 2}
# RFC 7489 section 6.6.4: when pct= samples a message out, the next less strict policy applies.
_LOWER = {"reject": "quarantine", "quarantine": "none", "none": "none"}
_MAX_FROM_DOMAINS = 5
_MAX_RECORD_CHARS = 4096  # far above any real record; keeps parsing of hostile text bounded
_MAX_TREE_WALK_QUERIES = 8
"""RFC 9989 section 4.10: "a shortcut is built into the process so that Author Domains with more than
eight labels do not result in more than eight DNS queries"."""
_TAG = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# RFC 7489 section 6.4's ABNF: the tag name "v" is a quoted string, which RFC 5234 section 2.3
# makes case-insensitive ("V=DMARC1" is a record); the value is %x44.4d.41.52.43.31, case-sensitive
# ("v=dmarc1" is not).
_VERSION = re.compile(r"[vV][ \t]*=[ \t]*DMARC1[ \t]*(;|\Z)")
_OFFLINE = "not checked (offline)"


@frozen
class _Lookup(Value):
    """The DMARC records published at one ``_dmarc`` name."""

    domain: str
    status: str
    records: tuple[str, ...]
    """Texts that start with v=DMARC1 (RFC 7489 section 6.6.3 step 2)."""

    @property
    def temporary(self) -> bool:
        return self.status in DnsStatus.TEMPORARY

    @property
    def offline(self) -> bool:
        return self.status == DnsStatus.OFFLINE


@frozen
class _Parsed(Value):
    """A DMARC record as read: the tags, and what was wrong with it."""

    record: DmarcRecord
    errors: tuple[str, ...]
    """Syntax errors: the record cannot be trusted as written (permerror)."""
    notes: tuple[str, ...]
    """Invalid values that were ignored or defaulted."""
    policy_valid: bool
    """p= present and valid, and sp= and np= valid if present (RFC 9989 section 4.10.1)."""
    has_valid_rua: bool
    np_invalid: bool = False
    """np= is present and not a policy: invalid under RFC 9989 section 4.10.1, an unknown tag to
    RFC 7489 (whose section 6.6.3 step 5 names p= and sp= only)."""


class _Dns:
    """Memoised DMARC-related lookups for one check (each name asked once)."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver
        self._dmarc: dict[str, _Lookup] = {}
        self._exists: dict[str, str] = {}

    def dmarc(self, domain: str) -> _Lookup:
        if domain not in self._dmarc:
            answer = self._resolver.resolve(f"_dmarc.{domain}", "TXT")
            records = tuple(text for text in answer.texts if _VERSION.match(text.lstrip()))
            self._dmarc[domain] = _Lookup(domain, answer.status, records)
        return self._dmarc[domain]

    def status(self, domain: str, rdtype: str = "A") -> str:
        """The rcode of a query for the domain itself (NXDOMAIN marks a non-existent domain)."""
        key = domain if rdtype == "A" else f"{rdtype} {domain}"
        if key not in self._exists:
            self._exists[key] = self._resolver.resolve(domain, rdtype).status
        return self._exists[key]


def check_dmarc(resolver: Resolver, *, from_domains: tuple[str, ...], dkim: tuple[DkimSignatureResult, ...],
                spf: SpfResult | None, arc: ArcResult | None, recorded: tuple[RecordedResult, ...] = (),
                hops: tuple[Hop, ...] = (), from_not_pasted: bool = False, cut_off: bool = False,
                from_literals: tuple[str, ...] = ()) -> tuple[DmarcResult, tuple[Finding, ...]]:
    """Evaluate the From: domain; several From: domains are a finding (RFC 7489 section 6.6.1).

    ``recorded``: the recorded results (auth.recorded.parse_recorded); the trusted ones tell
    which ARC seal the receiving side added itself and whether it recorded an ARC override.
    ``hops``: the chain; the receiving side's hosts (at and above the trust boundary) tell
    which ARC seal it added itself too.
    ``cut_off``: the header alone is a file cut off inside it (Message.cut_off), not a paste.
    ``from_literals``: From: addresses whose domain is an address literal ("joe@[192.0.2.1]", RFC
    5322 section 3.4.1), which name no domain to evaluate; a literal among ``from_domains`` is one too.
    """
    domains: list[str] = []
    literals = list(from_literals)
    for raw in from_domains:
        if raw.lstrip().startswith("["):
            # normalize_domain strips the brackets, and "_dmarc.192.0.2.1" is no policy of anyone's.
            literals.append(raw)
            continue
        domain = normalize_domain(raw)
        if domain and domain not in domains:
            domains.append(domain)
    if not domains and from_not_pasted:
        # A pasted header cut before its From: (envelope.no_from says so): the message had one,
        # which is unknown here; not the message's error.
        where = "the cut-off file's header" if cut_off else "the pasted header"
        stops = "the file stops before it" if cut_off else "the part pasted may stop before it"
        return DmarcResult(result="not_checked", from_domain=None, org_domain=None, record_domain=None,
                           record=None, policy=None, policy_reason=f"no From: in {where}", disposition=None,
                           dkim_aligned=None, spf_aligned=None, aligned_dkim_domain=None,
                           explanation=f"not checked: {where} holds no From: field ({stops})"), ()
    if not domains:
        literal = f"the From: address {literals[0][:260]} ends in an address literal, not a domain name" \
            if literals else ""
        explanation = (f"permerror: {literal or 'the From: header gives no domain to evaluate'}, so DMARC cannot be "
                       "applied (RFC 7489 section 6.6.1)")
        result = DmarcResult(result="permerror", from_domain=None, org_domain=None, record_domain=None,
                             record=None, policy=None,
                             policy_reason="no From: domain (an address literal)" if literals else "no From: domain",
                             disposition=None, dkim_aligned=None, spf_aligned=None, aligned_dkim_domain=None,
                             explanation=explanation)
        said = (f"The From: address {literals[0][:260]} ends in an address literal (RFC 5322 section 3.4.1), not a "
                "domain name: there is no From: domain to check" if literals else "The From: header has no usable address")
        return result, (Finding(
            id="dmarc.no_from_domain", severity=Severity.WARNING, title="No From: domain for DMARC",
            explanation=f"{said}, so no domain policy can protect or judge this message.",
            reference=f"{RFC7489}#section-6.6.1", subject="dmarc"),)

    dns = _Dns(resolver)
    receiver = _receiver_view(recorded, hops)
    evaluated = [_evaluate(dns, domain, dkim, spf, arc, receiver) for domain in domains[:_MAX_FROM_DOMAINS]]
    if len(domains) == 1:
        return evaluated[0]

    # RFC 7489 section 6.6.1: with several From: domains, check each and apply the most
    # strict policy among those that fail. A domain whose outcome is unknown (not_checked,
    # temperror) may fail with its policy, so it competes with that policy; on a tie the
    # known failure is reported.
    at_risk = [item for item in evaluated if item[0].result in ("fail", *_UNKNOWN)]
    if at_risk:
        chosen = max(at_risk, key=_multi_from_strictness)
        rule = ("applies the strictest policy among the domains that fail or may fail"
                if any(item[0].result in _UNKNOWN for item in at_risk) else "applies the strictest failing policy")
    else:
        chosen = evaluated[0]
        rule = "fails none of them, so the first is reported"
    result, findings = chosen
    others = ", ".join(d for d in domains if d != result.from_domain)
    summary = "; ".join(f"{item[0].from_domain}: {item[0].result}"
                        + (f" (p={item[0].policy})" if item[0].policy else "") for item in evaluated)
    reported = f", so {result.from_domain} is reported" if at_risk else ""
    result = replace(result, explanation=(
        f"{result.explanation}. From: holds {len(domains)} domains ({summary}); RFC 7489 section 6.6.1 checks "
        f"each and {rule}{reported}"),
        # Each domain's own result, so a receiver's verdict recorded for one of them is compared
        # with that domain's, not with the one reported here.
        from_results=tuple((item[0].from_domain, item[0].result) for item in evaluated
                           if item[0].from_domain is not None))
    multiple = Finding(
        id="dmarc.multiple_from", severity=Severity.WARNING, title="Several From: domains",
        explanation=f"The From: header names {len(domains)} different domains ({result.from_domain}, {others}). "
                    "Mail clients may show only one of them, and many receivers reject such messages.",
        reference=f"{RFC7489}#section-6.6.1", subject="dmarc")
    return result, (multiple, *findings)


_UNKNOWN = ("not_checked", "temperror")

_Align = Callable[[str | None, bool], "bool | None"]
"""Whether an identifier aligns with the From: domain (strict or not): True, False, or None when
the DNS that tells could not be had."""


def published_record(resolver: Resolver, domain: str) -> tuple[str, DmarcRecord | None]:
    """(DNS status, the record) of ``_dmarc.<domain>`` read as policy discovery reads it (RFC 7489
    section 6.6.3: texts starting with v=DMARC1; exactly one counts), for a check that needs a
    second domain's policy (BIMI asks for the organisational domain's beside the author
    domain's). The record is None when there is not exactly one; a p= that is not a policy
    stays as read ("invalid"), for the caller to judge."""
    answer = resolver.resolve(f"_dmarc.{domain}", "TXT")
    records = [text for text in answer.texts if _VERSION.match(text.lstrip())]
    return answer.status, _parse(records[0]).record if len(records) == 1 else None


def _multi_from_strictness(item: tuple[DmarcResult, tuple[Finding, ...]]) -> tuple[int, int]:
    """(how strict, known failure first): the disposition of a failure, the policy that would
    apply to a domain whose outcome is unknown (RFC 7489 section 6.6.1)."""
    result = item[0]
    if result.result == "fail":
        return _STRICTNESS.get(result.disposition or "none", 0), 1
    return _STRICTNESS.get(result.policy or "none", 0), 0


def _evaluate(dns: _Dns, from_domain: str, dkim: tuple[DkimSignatureResult, ...], spf: SpfResult | None,
              arc: ArcResult | None, receiver: _ReceiverView) -> tuple[DmarcResult, tuple[Finding, ...]]:
    subject = f"dmarc {from_domain}"
    findings: list[Finding] = []

    # RFC 9989 section 4.10.1: "Policy discovery starts first with a query for a valid DMARC Policy
    # Record at the name created by prepending the label "_dmarc" to the Author Domain"; "If no
    # valid DMARC Policy Record is found by the first query, then perform a DNS Tree Walk to find
    # the Author Domain's Organizational Domain or its Public Suffix Domain". The same walk from
    # the Author Domain gives its Organizational Domain for alignment (section 4.10.2).
    own = dns.dmarc(from_domain)
    author = (_walk(dns, from_domain) if not own.offline and not own.temporary else
              _Walk(from_domain, (), (), f"_dmarc.{from_domain} could not be asked"))
    lookup: _Lookup = own
    walk_failed: str | None = None
    if len(own.records) != 1 and not own.offline and not own.temporary:
        if author.failed is not None:
            walk_failed = author.failed
        else:
            # "listed from highest preference to lowest: The Author Domain; The Organizational
            # Domain of the Author Domain; The Public Suffix Domain of the Author Domain".
            org = author.org or from_domain
            psd = author.psd
            lookup = author.record_at(org) or (psd[1] if psd else None) or own
    record_domain = lookup.domain if len(lookup.records) == 1 else None
    org_domain = author.org
    align: _Align = _Aligner(dns, from_domain, author)

    parsed = _parse(lookup.records[0]) if len(lookup.records) == 1 else None
    record = parsed.record if parsed else None

    # Alignment needs the record's modes; defaults are relaxed (RFC 9989 section 4.7). When the
    # record could not be read (a temporary DNS error, at the From: domain or on the tree walk),
    # its adkim=/aspf= are unknown as well: only an identical domain aligns in either mode
    # (RFC 9989 section 4.4), so strict is applied, and an identifier that aligns only under
    # relaxed rules is told apart (``relaxed_only``), neither aligned nor failing.
    modes_unknown = (lookup.temporary or walk_failed is not None) and record is None
    adkim = record.adkim if record else "s" if modes_unknown else "r"
    aspf = record.aspf if record else "s" if modes_unknown else "r"
    dkim_domain = _aligned_dkim(dkim, align, strict=adkim == "s")
    spf_passes = spf is not None and spf.result == "pass"
    spf_alignment = align(spf.domain, aspf == "s") if spf is not None and spf_passes else False
    spf_aligned = spf_alignment is True
    relaxed_only = _RelaxedOnly(
        dkim=None if dkim_domain or not modes_unknown else _aligned_dkim(dkim, _psl_align(from_domain), strict=False),
        spf=None if spf_aligned or not modes_unknown or spf is None or spf.result != "pass"
        or not aligned(spf.domain, from_domain) else normalize_domain(spf.domain))
    alignment = _alignment_words(dkim_domain, spf_aligned, dkim, spf, adkim, aspf, from_domain,
                                 relaxed_only=relaxed_only if modes_unknown else None)
    # A passing identifier whose relaxed alignment a failed tree walk leaves unknown (RFC 9989
    # section 5.3.6: a query that did not complete means the message "cannot be considered to
    # pass or fail").
    walk_unknown = [] if modes_unknown else [
        domain for domain in dict.fromkeys(
            [s.domain for s in dkim if s.result == "pass" and s.domain and align(s.domain, adkim == "s") is None]
            + ([spf.domain] if spf is not None and spf_passes and spf_alignment is None else []))
        if domain]

    # What the result reports: True when an aligned identity passes, None (unknown) when none
    # does but one that aligns (or an SPF identity nobody recorded) was not evaluated, since it
    # may have passed, or passes and aligns only if the unknown record allows relaxed alignment;
    # False only when that is known (RFC 9989 section 5.3.5). An unevaluated identifier of an
    # unknown record is judged relaxed: it may align.
    check_dkim = "r" if modes_unknown else adkim
    check_spf = "r" if modes_unknown else aspf
    unknown_align = _psl_align(from_domain) if modes_unknown else align
    reported_dkim = True if dkim_domain else None if relaxed_only.dkim or _unevaluated_dkim(
        dkim, unknown_align, adkim=check_dkim) or any(
        s.domain in walk_unknown for s in dkim if s.result == "pass") else False
    reported_spf = True if spf_aligned else None if relaxed_only.spf or _unevaluated_spf(
        spf, unknown_align, aspf=check_spf) or spf_alignment is None else False

    older = _rfc7489_reading(dns, from_domain, dkim, spf, own)

    def result_of(result: str, explanation: str, *, policy: str | None = None, reason: str = "",
                  disposition: str | None = None, arc_override: str | None = None,
                  arc_sealers: tuple[str, ...] = (), arc_vouched: bool = False) -> DmarcResult:
        reading = older
        note = _rfc7489_note(reading, result, record_domain, org_domain, policy, disposition,
                             dkim_domain is not None, spf_aligned)
        return DmarcResult(
            result=result, from_domain=from_domain, org_domain=org_domain, record_domain=record_domain,
            record=record, policy=policy, policy_reason=reason, disposition=disposition,
            dkim_aligned=reported_dkim, spf_aligned=reported_spf, aligned_dkim_domain=dkim_domain,
            explanation=explanation, tree_walk_domain=record_domain, tree_walk_note=note,
            arc_override=arc_override, arc_sealers=arc_sealers, arc_vouched=arc_vouched,
            rfc7489=reading)

    if own.offline:
        return result_of("not_checked", _OFFLINE, reason="DNS not available (offline)"), ()
    if own.temporary or walk_failed is not None:
        if own.temporary:
            text = (f"temperror: the DNS lookup of _dmarc.{from_domain} failed ({own.status}); the policy cannot be "
                    "known, a receiver would try again later")
        else:
            # RFC 9989 section 4.10.1: "Handling of DNS errors when querying for the DMARC Policy
            # Record is left to the discretion of the Mail Receiver"; section 5.3.6: the message
            # "cannot be considered to pass or fail".
            text = (f"temperror: {from_domain} publishes no DMARC record of its own, and the RFC 9989 tree walk "
                    f"for its policy stopped: {walk_failed}; the policy cannot be known, a receiver would try "
                    "again later")
        findings.append(Finding(id="dmarc.temperror", severity=Severity.NOTICE,
                                title="DMARC policy lookup failed (DNS error)", explanation=text,
                                reference=f"{RFC9989}#section-4.10.1", subject=subject))
        return result_of("temperror", f"{text}; {alignment}", reason="policy lookup failed"), tuple(findings)
    for name in author.several:
        # RFC 9989 section 4.10 step 2: "If multiple DMARC Policy Records are returned for a single
        # target, they are all discarded" (RFC 7489 section 6.6.3 step 4 ended discovery there).
        findings.append(Finding(
            id="dmarc.invalid_record", severity=Severity.WARNING, title="Several DMARC records",
            explanation=f"_dmarc.{name} has {len(dns.dmarc(name).records)} TXT records starting with v=DMARC1; "
                        "receivers discard them all, as if it published none (RFC 9989 section 4.10)"
                        + (", and those still on RFC 7489 apply no DMARC to the message at all (RFC 7489 section "
                           "6.6.3)." if name == from_domain else "."),
            reference=f"{RFC9989}#section-4.10", subject=subject))
    if record is None:
        asked = walk_names(from_domain)
        where = f"_dmarc.{from_domain}" + (
            f" nor any name on its RFC 9989 tree walk ({', '.join(f'_dmarc.{n}' for n in asked[1:])})"
            if len(asked) > 1 else "")
        text = f"none: no DMARC record at {where}; {alignment}"
        publishes = (f"Neither {where} publishes a" if len(asked) > 1 else f"{where} publishes no")
        findings.append(Finding(
            id="dmarc.no_record", severity=Severity.NOTICE, title=f"No DMARC record for {from_domain}",
            explanation=f"{publishes} DMARC policy, so receivers have no instruction for "
                        "mail that fails authentication with this From: domain.",
            reference=f"{RFC9989}#section-4.10.1", subject=subject))
        return result_of("none", text, reason="no DMARC record"), tuple(findings)

    assert parsed is not None and record is not None
    if parsed.errors:
        problems = "; ".join(parsed.errors[:3]) + (f"; {len(parsed.errors) - 3} more" if len(parsed.errors) > 3 else "")
        text = f"permerror: the DMARC record at _dmarc.{lookup.domain} is malformed ({problems})"
        findings.append(Finding(
            id="dmarc.invalid_record", severity=Severity.WARNING, title="Malformed DMARC record",
            explanation=f"{text}. Receivers may ignore the policy.",
            reference=f"{RFC9989}#section-4.8", subject=subject))
        return result_of("permerror", text, policy=record.p if record.p in _POLICIES else None,
                         reason="malformed record", disposition="none"), tuple(findings)
    if not parsed.policy_valid:
        if not parsed.has_valid_rua:
            # RFC 9989 section 4.10.1: no valid p= (or an invalid sp= or np=) and no rua: "the Mail
            # Receiver applies no DMARC processing to this message".
            text = (f"none: the DMARC record at _dmarc.{lookup.domain} has no valid p= tag and no rua= "
                    "address, so DMARC is not applied (RFC 9989 section 4.10.1)")
            findings.append(Finding(
                id="dmarc.invalid_record", severity=Severity.WARNING, title="DMARC record without a valid p=",
                explanation=text, reference=f"{RFC9989}#section-4.10.1", subject=subject))
            return result_of("none", text, reason="record has no valid p="), tuple(findings)
        # ... with a valid rua it counts as p=none. The domain did not choose p=none (a typo such
        # as p=rejct most often means the stricter policy it meant to publish): its own warning,
        # not "monitoring only".
        written = {name.lower(): value for name, value in reversed(record.tags)}
        bad = (f"p={written['p'][:30]!r} is not a valid policy" if record.p == "invalid"
               else "it has no p= tag" if record.p is None
               else f"sp={written.get('sp', '')[:30]!r} is not a valid policy" if record.sp == "invalid"
               else f"np={written.get('np', '')[:30]!r} is not a valid policy")
        findings.append(Finding(
            id="dmarc.invalid_record", severity=Severity.WARNING, title="DMARC record with an invalid policy: "
                                                                        "treated as p=none",
            explanation=f"The DMARC record at _dmarc.{lookup.domain}: {bad}. It names a report address (rua=), so "
                        "receivers act as if it said p=none (RFC 9989 section 4.10.1): failing mail is not "
                        "rejected or quarantined, whatever policy the domain meant to publish.",
            reference=f"{RFC9989}#section-4.10.1", subject=subject))
        record = replace(record, p="none", sp=None if record.sp not in _POLICIES else record.sp,
                         np=None if record.np not in _POLICIES else record.np)

    passed = dkim_domain is not None or spf_aligned
    applicable = _applicable_policy(dns, from_domain, lookup.domain, record,
                                    psd_org=record.psd == "y" and org_domain == from_domain)
    policy, reason = applicable.policy, applicable.reason
    notes = list(parsed.notes)
    if not passed:
        unknown = _unevaluated(dkim, spf, align, adkim=adkim, aspf=aspf)
        if unknown is not None:
            # RFC 9989 section 5.3.5: DMARC fails only when no identifier can pass aligned. An
            # aligned input that could not be evaluated (no body, offline, temporary DNS error,
            # no client IP or MAIL FROM) leaves the outcome unknown, not a failure.
            word, why = unknown
            # A reason the alignment words already give (the unverified signature) is not said
            # twice (verification V38b: the headline repeated a key lookup's failure word for word).
            said = [part for part in why.split(" and ") if part not in alignment]
            reasons = f"; {' and '.join(said)}" if said else ""
            text = (f"{word}: {alignment}{reasons}, so whether DMARC would pass is unknown (RFC 9989 "
                    f"section 5.3.5); if it failed, the {policy} policy would apply ({reason})")
            if why.startswith(_UNVERIFIED_WORDS) and _uncheckable_copy_dkim(dkim, align, adkim=adkim):
                # RFC 9989 section 4.4.1: DMARC passes on either identifier; a copy without the signed
                # body (a .msg, a .partial.emlx) cannot check DKIM, so what is left to go on is SPF and
                # what the receiver recorded when it had the message.
                spf_words = ("was not evaluated either" if spf is not None and _unevaluated_spf(spf, align, aspf=aspf)
                             else "does not pass aligned here")
                text = (f"{word}: {alignment}. Without a verifiable DKIM result, DMARC rests on SPF, which "
                        f"{spf_words}, and on what the receiving side recorded at delivery (RFC 9989 section "
                        f"5.3.5): whether it would pass is unknown from this copy; if it failed, the {policy} "
                        f"policy would apply ({reason})")
            return result_of(word, text, policy=policy, reason=reason), tuple(findings)
        if walk_unknown:
            # RFC 9989 section 5.3.6: "If one or more DNS queries required to perform DMARC
            # validation on the message do not complete due to temporary or permanent DNS errors,
            # the message cannot be considered to pass or fail the DMARC mechanism check."
            why = "; ".join(_Aligner.why_unknown(align, d) for d in walk_unknown[:2]) if isinstance(align, _Aligner) \
                else "a tree walk failed"
            text = (f"temperror: {alignment}; whether {', '.join(walk_unknown[:3])} aligns with {from_domain} is "
                    f"unknown: {why} (RFC 9989 section 5.3.6); if it does not, the {policy} policy applies "
                    f"({reason})")
            findings.append(Finding(
                id="dmarc.temperror", severity=Severity.NOTICE,
                title="DMARC alignment unknown: an organisational domain's tree walk failed (DNS error)",
                explanation=text, reference=f"{RFC9989}#section-5.3.6", subject=subject))
            return result_of("temperror", text, policy=policy, reason=reason), tuple(findings)
        if applicable.unknown_existence is not None and _STRICTNESS.get(applicable.lenient or "none", 0) == 0:
            # (Both policies enforcing, quarantine or reject: the failure is certain and enforced,
            # only how strictly is not known; it is told with the stricter one and both named.)
            # No identifier aligns, but the policy a failure gets is unknown: a DNS error, as when
            # the _dmarc lookup itself fails (RFC 9989 section 4.10.1 leaves the handling of DNS
            # errors to the receiver, who may defer the message).
            text = f"temperror: {alignment}; {applicable.unknown_existence}"
            findings.append(Finding(
                id="dmarc.temperror", severity=Severity.NOTICE,
                title="DMARC policy unknown: the From: domain's existence check failed (DNS error)",
                explanation=f"No identifier aligns with {from_domain}, and {applicable.unknown_existence}.",
                reference=f"{RFC9989}#section-4.10.1", subject=subject))
            return result_of("temperror", text, policy=policy, reason=reason), tuple(findings)
    if passed:
        disposition = "none"
        text = f"pass: {alignment}"
    else:
        disposition, sampling = _disposition(policy, record)
        if sampling:
            notes.append(sampling)
        text = f"fail: {alignment}; the {policy} policy applies ({reason})"
    if notes:
        text += ". " + "; ".join(notes)
    intermediaries = intermediary_sets(arc, receiver.orgs)
    drift = _key_drift(arc, receiver)
    body_not_copied = _body_not_copied(arc, receiver)
    if (drift is not None or body_not_copied is not None) and _recorded_override(receiver, from_domain) is not None:
        # The receiver verified the chain at delivery (arc=pass) and accepted the message on its
        # word; it fails now only because a sealer's key left DNS since, or cannot be checked
        # whole because the copy holds no body: the sets it acted on.
        intermediaries = _trimmed(arc, receiver.orgs)
    # The receiving side recorded that it applied reject or quarantine without an ARC override:
    # it had the chain and did not trust its sealers; nothing here is softer than its decision.
    enforced = next((rec for rec in receiver.dmarc if receiver_enforced(rec, receiver.composite)
                     and normalize_domain(dict(rec.properties).get("header.from")) in (None, from_domain)), None)
    oldest_pass = arc.oldest_pass if arc is not None and drift is None else None
    vouched = _arc_vouches(intermediaries, from_domain, oldest_pass) and enforced is None
    arc_override = None if passed else _arc_override(arc, intermediaries, disposition, receiver, from_domain,
                                                     oldest_pass, drift, body_not_copied)
    if arc_override is not None and enforced is not None and intermediaries:
        arc_override += (f" But {enforced.authserv_id or 'the receiving side'} recorded that it applied the domain's "
                         "policy without an ARC override: it had the chain and did not act on it, and anyone can "
                         "seal a chain with a key in their own DNS, so it vouches for nothing here.")

    if not passed:
        severity = Severity.DANGER if disposition in ("reject", "quarantine") else Severity.WARNING
        overridden = _recorded_override(receiver, from_domain) is not None and bool(intermediaries)
        if vouched and overridden:
            # RFC 8617 section 7.2: a valid chain whose oldest intermediary saw dmarc=pass is
            # what receivers override the disposition on (a list or forwarder changed the message),
            # and the receiver recorded that it did. ARC results count only from sealers the
            # receiver trusts: a chain nobody acted on lowers nothing, as anyone can seal one.
            severity = Severity.WARNING
        # Passing by RFC 7489's rules, which receivers still apply (the Public Suffix List draws the
        # organisation wider than RFC 9989's tree walk where a parent publishes no record): the
        # domain's own mail, at risk only where receivers follow RFC 9989. Not a forgery sign.
        # Only for an identity of the From: domain itself or of a parent of it (the owner of the name
        # vouching for its subdomain), never a sibling (attacker.hoster.example for
        # victim.hoster.example: two registrants the Public Suffix List does not tell apart), and not
        # where any record on the From: domain's walk carries psd= (a public suffix operator's line,
        # or the owner's own "psd=n": RFC 9989 section 4.10.2): there the wider organisation joins
        # what the walk keeps apart (verification V39c), and no softening is due.
        older_pass = (older is not None and older.result == "pass"
                      and not any(_parse(found.records[0]).record.psd in ("y", "n") for _, found in author.found)
                      and older_aligned_parent(from_domain, older, dkim, spf) is not None)
        if older_pass:
            severity = Severity.WARNING
        findings.append(Finding(
            id="dmarc.fail", severity=severity,
            title=f"DMARC fail for {from_domain} (policy {policy}, disposition {disposition})"
                  + (", overridden by the receiver on ARC" if overridden
                     else ", an ARC chain claims a pass no receiver acted on" if vouched else "")
                  + (OLDER_RULES_PASS if older_pass else ""),
            explanation=f"No passing DKIM signature or SPF identity aligns with {from_domain}: {alignment}. "
                        f"The domain asks receivers to {_ASKS[disposition]} such mail."
                        + (f" {arc_override}" if (vouched or overridden or (
                            enforced is None and _arc_vouches(intermediaries, from_domain))) and arc_override else "")
                        + (_older_pass_words(older, from_domain, org_domain) if older_pass and older is not None else ""),
            reference=f"{RFC9989}#section-5.3.5", subject=subject))
    if policy == "none" and parsed.policy_valid:
        findings.append(Finding(
            # The tag that set the policy (sp= for a subdomain, np= for a name that does not exist:
            # RFC 9989 section 4.10.1), not p= when p= asks for more (V46a: "p=none" under p=reject).
            id="dmarc.monitoring_only", severity=Severity.NOTICE,
            title=f"{from_domain}: DMARC {_policy_tag(reason)}=none (monitoring only)",
            explanation=("The domain publishes DMARC only to collect reports: receivers are asked to do nothing "
                         "special with failing mail, so DMARC does not stop spoofing of this domain."
                         if _policy_tag(reason) == "p" else
                         f"The DMARC record at {record_domain} asks receivers to do nothing special with failing mail "
                         f"from this name ({_policy_tag(reason)}=none, whatever its p= asks for the organisational "
                         "domain itself): DMARC does not stop spoofing of it."),
            reference=f"{RFC9989}#section-4.7", subject=subject))
    if record.pct < 100 and not passed:
        # pct= samples only failing mail (RFC 7489 section 6.6.4): nothing to say of a pass. RFC 9989
        # appendix A.6 removed the tag ("introduces the "t" tag as shorthand for "testing""), and
        # section 4.7 has "unknown tags MUST be ignored": the disposition above ignores it, and what
        # a receiver still on RFC 7489 does with it is told here.
        lower = _LOWER.get(policy or "none", "none")
        older_words = (f"applies the {policy} policy to no failing message and treats all of them as {lower}"
                       if record.pct == 0 else
                       f"applies the {policy} policy to {record.pct}% of failing messages, chosen at random, and "
                       f"treats the rest as {lower}")
        findings.append(Finding(
            id="dmarc.partial_pct", severity=Severity.NOTICE,
            title=f"DMARC pct={record.pct}: not an RFC 9989 tag; receivers on RFC 7489 apply the policy to "
                  f"{record.pct}% only",
            explanation=(f"pct= is not a tag of RFC 9989 (appendix A.6 removed it in favour of t=), so a receiver "
                         f"that follows RFC 9989 ignores it and applies {policy}; a receiver still on RFC 7489 "
                         f"{older_words} (RFC 7489 section 6.6.4)."),
            reference=f"{RFC9989}#appendix-A.6", subject=subject))
    if record.t == "y":
        findings.append(Finding(
            id="dmarc.testing", severity=Severity.NOTICE, title="DMARC policy in testing mode (t=y)",
            explanation="t=y asks receivers to apply the next less strict policy while the domain tests its "
                        "DMARC deployment (RFC 9989 section 4.7).", reference=f"{RFC9989}#section-4.7",
            subject=subject))
    return result_of("pass" if passed else "fail", text, policy=policy, reason=reason, disposition=disposition,
                     arc_override=arc_override, arc_sealers=tuple(i.domain for i in intermediaries if i.domain),
                     arc_vouched=vouched), tuple(findings)


# DKIM outcomes that say nothing about the signature: it was not (or could not be) verified.
_DKIM_UNEVALUATED_CODES = frozenset({"offline", "no_body", "temperror", "not_checked", *COPY_UNCHECKABLE_CODES})


def _unevaluated_dkim(dkim: tuple[DkimSignatureResult, ...], align: _Align, *,
                      adkim: str) -> DkimSignatureResult | None:
    """The first signature that aligns (or may: its walk failed) but could not be verified
    (offline, DNS error, no body, a copy without the signed body)."""
    for signature in dkim:
        if align(signature.domain, adkim == "s") is not False and (
                signature.result in ("not_checked", "temperror")
                or signature.reason_code in _DKIM_UNEVALUATED_CODES):
            return signature
    return None


_UNVERIFIED_WORDS = "the DKIM signature by "
"""How _unevaluated's words begin when an aligned signature was left unverified."""


def _uncheckable_copy_dkim(dkim: tuple[DkimSignatureResult, ...], align: _Align, *, adkim: str) -> bool:
    """The aligned signature left unverified is one a copy without the signed body cannot check."""
    signature = _unevaluated_dkim(dkim, align, adkim=adkim)
    return signature is not None and signature.reason_code in COPY_UNCHECKABLE_CODES


def _unevaluated_spf(spf: SpfResult | None, align: _Align, *, aspf: str) -> bool:
    """SPF could not be evaluated for an identity that aligns or that nobody recorded.

    spf=None means the caller had no SPF identity at all; "not_checked" means there was one
    that could not be evaluated (no client IP, no MAIL FROM)."""
    if spf is None or spf.result not in ("not_checked", "temperror"):
        return False
    # The SPF identity matters only if it could align: a known MAIL FROM (or, for the
    # null sender, HELO) domain outside From's organisation can never make DMARC pass.
    domain = spf.domain or (spf.mail_from.rpartition("@")[2] if spf.mail_from else None)
    return domain is None or align(domain, aspf == "s") is not False


def _unevaluated(dkim: tuple[DkimSignatureResult, ...], spf: SpfResult | None, align: _Align, *,
                 adkim: str, aspf: str) -> tuple[str, str] | None:
    """("not_checked" or "temperror", why) when an aligned identifier was left unevaluated."""
    reasons: list[str] = []
    temporary = False
    signature = _unevaluated_dkim(dkim, align, adkim=adkim)
    if signature is not None:
        temporary = signature.result == "temperror"
        reasons.append(f"{_UNVERIFIED_WORDS}{signature.domain} could not be verified ({signature.reason})")
    if spf is not None and _unevaluated_spf(spf, align, aspf=aspf):
        temporary = temporary or spf.result == "temperror"
        reasons.append("SPF was not evaluated" if spf.result == "not_checked"
                       else "SPF had a temporary DNS error")
    if not reasons:
        return None
    return ("temperror" if temporary else "not_checked"), " and ".join(reasons)


@frozen
class _RelaxedOnly(Value):
    """Passing identifiers that align with the From: domain only under relaxed rules, when the
    DMARC record that sets the mode could not be read (RFC 7489 section 3.1)."""

    dkim: str | None
    """The d= of the first passing DKIM signature in From:'s organisation, not the very domain."""
    spf: str | None
    """The SPF-passing domain in From:'s organisation, not the very domain."""


_ASKS = {"none": "take no special action with", "quarantine": "quarantine (treat as suspicious)",
         "reject": "reject"}


def _aligned_dkim(dkim: tuple[DkimSignatureResult, ...], align: _Align, *, strict: bool) -> str | None:
    """The d= of the first passing signature that aligns (RFC 9989 section 4.4.1)."""
    for signature in dkim:
        if signature.result == "pass" and align(signature.domain, strict) is True:
            return normalize_domain(signature.domain)
    return None


def _unverified(signature: DkimSignatureResult) -> bool:
    """The signature was not (or could not be) verified: its outcome is unknown, not a failure
    (RFC 6376 section 6.1.2: a key lookup's temporary failure is TEMPFAIL)."""
    return signature.result in ("not_checked", "temperror") or signature.reason_code in _DKIM_UNEVALUATED_CODES


def _dkim_not_passing_words(dkim: tuple[DkimSignatureResult, ...]) -> str:
    """Why no DKIM signature passes, from the signatures there are: none, failing, or could not
    be verified (with the first such one's reason: "key lookup for ... failed: TIMEOUT")."""
    if not dkim:
        return "no DKIM signature"
    # (Those in From:'s organisation first: they are the ones that could have aligned.)
    unknown = sorted((s for s in dkim if _unverified(s)), key=lambda s: not s.aligned)
    if not unknown:
        return "no DKIM signature passes"
    first = unknown[0]
    who = f"the DKIM signature by {first.domain or 'an unnamed signer'}"
    more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
    failing = len(dkim) - len(unknown)
    rest = f"; {failing} other{'s' if failing > 1 else ''} fail{'' if failing > 1 else 's'}" if failing else ""
    if first.reason_code in COPY_UNCHECKABLE_CODES:
        # (Its row says why at length: what the copy keeps instead of the signed body.)
        return f"{who}{more} {CANNOT_CHECK_FROM_COPY}, which does not keep the body that was signed{rest}"
    return f"{who}{more} could not be verified ({first.reason[:200]}){rest}"


def _alignment_words(dkim_domain: str | None, spf_aligned: bool, dkim: tuple[DkimSignatureResult, ...],
                     spf: SpfResult | None, adkim: str, aspf: str, from_domain: str,
                     relaxed_only: _RelaxedOnly | None = None) -> str:
    """``relaxed_only``: the DMARC record could not be read, so its modes are unknown (strict is
    applied, and an identical domain is said to align in either mode)."""
    mode = {"r": "relaxed", "s": "strict"}
    if relaxed_only is not None:
        mode = {"r": "relaxed", "s": "the very domain, so in either mode"}
    parts: list[str] = []
    if dkim_domain:
        parts.append(f"DKIM d={dkim_domain} passes and aligns ({mode[adkim]}) with {from_domain}")
    elif relaxed_only is not None and relaxed_only.dkim:
        parts.append(f"DKIM d={relaxed_only.dkim} passes but aligns with {from_domain} only if the unknown DMARC "
                     "record allows relaxed alignment (adkim=s needs the very domain, RFC 7489 section 3.1.1)")
    else:
        passing = [s.domain for s in dkim if s.result == "pass" and s.domain]
        # (With the modes unknown, a domain here fails even relaxed alignment.)
        if passing:
            parts.append(f"DKIM passes only for {', '.join(sorted(set(passing)))}, which does not align "
                         f"({mode['r'] if relaxed_only is not None else mode[adkim]}) with {from_domain}")
            unknown = tuple(s for s in dkim if _unverified(s))
            if unknown:
                parts.append(_dkim_not_passing_words(unknown))
        else:
            parts.append(_dkim_not_passing_words(dkim))
    if spf is None or spf.result == "not_checked":
        parts.append("SPF was not checked")
    elif spf_aligned:
        parts.append(f"SPF passes for {spf.domain} and aligns ({mode[aspf]})")
    elif relaxed_only is not None and relaxed_only.spf:
        parts.append(f"SPF passes for {relaxed_only.spf} but aligns with {from_domain} only if the unknown DMARC "
                     "record allows relaxed alignment (aspf=s needs the very domain, RFC 7489 section 3.1.2)")
    elif spf.result == "pass":
        parts.append(f"SPF passes for {spf.domain}, which does not align "
                     f"({mode['r'] if relaxed_only is not None else mode[aspf]}) with {from_domain}")
    else:
        parts.append(f"SPF {spf.result} for {spf.domain or 'the envelope sender'}")
    return "; ".join(parts)


# A scan meets the same few records in message after message; the result is immutable, so
# it is parsed once. The bound keeps hostile records from growing the cache without limit.
@lru_cache(maxsize=256)
def _parse(text: str) -> _Parsed:
    """Parse a DMARC record (RFC 9989 sections 4.7 and 4.8; pct=, rf=, ri= of RFC 7489 section 6.3 are
    kept for the older reading).

    RFC 9989 section 4.7: "v: ... This tag MUST be the first tag in the list" (the caller keeps only
    texts that start with v=DMARC1), and every other tag may come in any order: p= need not follow
    v= as RFC 7489's section 6.4 grammar has it. "Only tags defined in that registry are to be
    processed; unknown tags MUST be ignored": they are kept in ``tags`` as written and read by
    nobody."""
    raw = text[:_MAX_RECORD_CHARS]
    errors: list[str] = []
    notes: list[str] = []
    tags: list[tuple[str, str]] = []
    values: dict[str, str] = {}
    for position, part in enumerate(raw.split(";")):
        part = part.strip(" \t\r\n")
        if not part:
            continue
        name, equals, value = part.partition("=")
        name, value = name.strip(" \t"), value.strip(" \t")
        if not equals or not _TAG.match(name):
            errors.append(f"missing tag or value: {part[:60]!r}")
            continue
        if position == 0 and name.lower() != "v":
            errors.append("v=DMARC1 is not the first tag")
        tags.append((name, value))
        key = name.lower()
        if key in values:
            notes.append(f"tag {key}= appears more than once; the first is used")
            continue
        values[key] = value
    if len(text) > _MAX_RECORD_CHARS:
        errors.append(f"record longer than {_MAX_RECORD_CHARS} characters")

    def policy(tag: str) -> str | None:
        value = values.get(tag)
        if value is None:
            return None
        lowered = value.lower()
        if lowered in _POLICIES:
            return lowered
        notes.append(f"invalid {tag}={value[:30]!r} ignored")
        return "invalid"

    p, sp, np = policy("p"), policy("sp"), policy("np")
    pct = 100
    if "pct" in values:
        if values["pct"].isdigit() and 0 <= int(values["pct"]) <= 100:
            pct = int(values["pct"])
        else:
            notes.append(f"invalid pct={values['pct'][:30]!r}; 100 is used")

    def mode(tag: str) -> str:
        value = values.get(tag, "r").lower()
        if value in ("r", "s"):
            return value
        notes.append(f"invalid {tag}={values[tag][:30]!r}; relaxed is used")
        return "r"

    def uris(tag: str) -> tuple[str, ...]:
        return tuple(u.strip() for u in values.get(tag, "").split(",") if u.strip())

    rua = uris("rua")
    record = DmarcRecord(
        raw=text, tags=tuple(tags), p=p, sp=sp, np=np, pct=pct, adkim=mode("adkim"), aspf=mode("aspf"),
        fo=values.get("fo"), rua=rua, ruf=uris("ruf"),
        t=values["t"].lower() if "t" in values else None,
        psd=values["psd"].lower() if "psd" in values else None)
    np_invalid = np == "invalid"
    if np_invalid:
        record = replace(record, np=None)
    policy_valid = p in _POLICIES and sp != "invalid" and not np_invalid
    has_valid_rua = any(re.match(r"[A-Za-z][A-Za-z0-9+.-]*:\S", uri) for uri in rua)
    return _Parsed(record, tuple(errors), tuple(notes), policy_valid, has_valid_rua, np_invalid)


@frozen
class _Applicable(Value):
    """The policy of the record that applies to the From: domain, and why."""

    policy: str
    reason: str
    unknown_existence: str | None = None
    """Set when np= and sp= (or p=) differ and whether the From: domain exists is unknown (a
    DNS error on its existence query): the words of why. ``policy`` is then the stricter one."""
    lenient: str | None = None
    """With ``unknown_existence``: the less strict of the two policies that may apply."""


def _policy_tag(reason: str) -> str:
    """The tag a policy reason names first ("sp=none: x is a subdomain of y" -> "sp"), else "p"."""
    tag = reason.partition("=")[0]
    return tag if tag in ("sp", "np") else "p"


def _applicable_policy(dns: _Dns, from_domain: str, record_domain: str, record: DmarcRecord,
                       *, with_np: bool = True, psd_org: bool = False) -> _Applicable:
    """Which of p, sp, np applies to the From domain, and why (RFC 9989 section 4.10.1: "If the DMARC
    Policy Record to be applied is that of either the Organizational Domain or the Public Suffix
    Domain and the Author Domain is a subdomain of that domain, then the Domain Owner Assessment
    Policy is taken from the "sp" tag (if any) if the Author Domain exists, or the "np" tag (if
    any) if the Author Domain does not exist"). ``with_np``: False for the RFC 7489 reading, which
    has no np= (RFC 7489 section 6.3 gives every subdomain sp=). ``psd_org``: the record is a public
    suffix domain's (psd=y) and the From: domain is the organisational domain one label below it,
    to which section 4.7 gives p=: sp= "applies only to existing subdomains of the message's
    Organizational Domain ... and not to the Organizational Domain itself", and np= "only to
    non-existent subdomains of the Organizational Domain queried and not to ... the domain
    itself"."""
    p = record.p or "none"
    if from_domain == record_domain:
        return _Applicable(p, f"p={p}: the record is the From: domain's own")
    if psd_org:
        return _Applicable(p, f"p={p}: the From: domain is the organisational domain below the public suffix "
                              f"domain {record_domain} (psd=y), whose sp= and np= are for its subdomains (RFC 9989 "
                              "section 4.7)")
    existing = (_Applicable(record.sp, f"sp={record.sp}: {from_domain} is a subdomain of {record_domain}")
                if record.sp else
                _Applicable(p, f"p={p}: {from_domain} is a subdomain of {record_domain}, which sets no sp="))
    if not record.np or not with_np:
        return existing
    status = dns.status(from_domain)
    if status == DnsStatus.NXDOMAIN:
        # RFC 9989 section 3.2.13: "if the response code received for a query for a domain name is
        # NXDOMAIN, then the domain name and any possible subdomains do not exist" (RFC 8020); the
        # older RFC 9091 section 2.1 agrees on NXDOMAIN.
        return _Applicable(record.np, f"np={record.np}: {from_domain} does not exist (NXDOMAIN), and the record at "
                                      f"{record_domain} sets a policy for non-existent subdomains (RFC 9989 "
                                      "section 3.2.13)")
    if record.np == existing.policy:
        return existing  # the same policy whether it exists or not: nothing more is asked
    if status in DnsStatus.TEMPORARY:
        # Another answer for the name tells as well (a TXT answer, asked for its SPF record too,
        # or an MX): NOERROR or NODATA, it exists; NXDOMAIN, it does not (verification V35a).
        for rdtype in ("TXT", "MX"):
            other = dns.status(from_domain, rdtype)
            if other in (DnsStatus.NOERROR, DnsStatus.NODATA):
                return _Applicable(existing.policy, f"{existing.reason} (its A query failed ({status}), but its "
                                                    f"{rdtype} query was answered: it exists)")
            if other == DnsStatus.NXDOMAIN:
                return _Applicable(record.np, f"np={record.np}: {from_domain} does not exist (NXDOMAIN for "
                                              f"{rdtype}; its A query failed ({status})), and the record at "
                                              f"{record_domain} sets a policy for non-existent subdomains (RFC 9989 "
                                              "section 3.2.13)")
        # Which of np= and sp= applies turns on whether the domain exists (RFC 9989 section 4.10.1),
        # and the queries that tell did not answer: the policy is not known. The stricter one is
        # kept as the policy that may apply (a domain with several From: domains competes with it).
        stricter, lenient = sorted((record.np, existing.policy), key=lambda name: -_STRICTNESS.get(name, 0))
        why = (f"np={record.np} if {from_domain} does not exist, {existing.reason.partition(':')[0]} if it does: "
               f"the query for {from_domain} (A) failed ({status}), so whether it exists, and so which policy "
               f"the record at {record_domain} gives it, is unknown (RFC 9989 section 4.10.1)")
        return _Applicable(stricter, why, unknown_existence=why, lenient=lenient)
    if status == DnsStatus.NODATA:
        # The older RFC 9091 section 2.1 also counted a name without A, AAAA and MX records (NODATA)
        # as non-existent; RFC 9989 appendix A.4 does not: "if any RR exists for a domain, then the
        # domain exists", and "a "NODATA" response (rcode "NOERROR") means that the given resource
        # record type queried for does not exist, but the domain name does". Asked only when np= is
        # published and differs from sp=.
        others = [dns.status(from_domain, rdtype) for rdtype in ("AAAA", "MX")]
        if all(other in (DnsStatus.NODATA, DnsStatus.NXDOMAIN) for other in others):
            return _Applicable(existing.policy, (
                f"{existing.reason}; it exists under RFC 9989, which counts only an NXDOMAIN name as non-existent "
                f"(section 3.2.13, appendix A.4), but it has no A, AAAA or MX record, which the older RFC 9091 "
                f"section 2.1 counted as non-existent: a receiver still on RFC 9091 applies np={record.np}"))
    return existing


def failing_disposition(result: DmarcResult) -> str | None:
    """What a receiver would do with the message if DMARC failed, under the policy that applies and
    its t= (_disposition; RFC 9989 has no pct=): for a result that could not be evaluated (a copy without the
    signed body) as for a failure. None without a policy."""
    if result.disposition is not None:
        return result.disposition
    policy = (result.policy or "").lower()
    if result.record is None or policy not in _LOWER:
        return policy or None
    return _disposition(policy, result.record)[0]


def _disposition(policy: str, record: DmarcRecord) -> tuple[str, str | None]:
    """What a receiver would do with failing mail, given t= (RFC 9989 section 4.7: "if the policy is
    "quarantine" and the value of the "t" tag is "y", a policy of "none" will be applied to failing
    messages; if the policy is "reject" and the value of the "t" tag is "y", a policy of
    "quarantine" will be applied"). pct= is no RFC 9989 tag (appendix A.6): ignored here, told by
    dmarc.partial_pct and the RFC 7489 reading."""
    if record.t == "y":
        lower = _LOWER[policy]
        return lower, f"t=y (testing): receivers apply the next less strict policy, {lower} (RFC 9989 section 4.7)"
    return policy, None


def _disposition_7489(policy: str, record: DmarcRecord) -> tuple[str, str | None]:
    """What a receiver on RFC 7489 would do with failing mail, given pct= (RFC 7489 section 6.6.4)
    and t= (which such a receiver may honour as well)."""
    if record.t == "y":
        return _disposition(policy, record)
    if record.pct == 0:
        lower = _LOWER[policy]
        return lower, f"pct=0: every message is sampled out, so {lower} applies (RFC 7489 section 6.6.4)"
    if record.pct < 100:
        return policy, (f"pct={record.pct}: {policy} applies to {record.pct}% of failing mail, "
                        f"{_LOWER[policy]} to the rest (RFC 7489 section 6.6.4)")
    return policy, None


_MAX_WALKED_IDENTIFIERS = 8
"""Authenticated identifiers (SPF's domain, DKIM d=) below the From: domain's organisational domain
whose own tree walk is run (RFC 9989 section 4.10.2): each walk is up to _MAX_TREE_WALK_QUERIES
queries (mostly memoised: they share the names above), and a message may carry any number of
signatures. One past the bound is left unknown, never guessed."""


@frozen
class _Walk(Value):
    """One RFC 9989 DNS Tree Walk (section 4.10) and the organisational domain it selects
    (section 4.10.2)."""

    start: str
    found: tuple[tuple[str, _Lookup], ...]
    """The names with exactly one DMARC record, longest first (step 2: several are discarded)."""
    several: tuple[str, ...]
    """Names that publish several DMARC records, all discarded (steps 2 and 6)."""
    failed: str | None
    """The words of the lookup that failed (a temporary DNS error, or offline): the walk stopped
    there and its organisational domain is unknown."""

    @property
    def org(self) -> str | None:
        """RFC 9989 section 4.10.2: the name with psd=n, or the one one label below a psd=y record
        (not the start's own), or else the record-bearing name with the fewest labels; without any
        record, the start itself. None when the walk failed before it stopped."""
        if self.failed is not None:
            return None
        if not self.found:
            return self.start
        labels = self.start.split(".")
        for name, walked in self.found:
            psd = _parse(walked.records[0]).record.psd
            if psd == "n":
                return name
            if psd == "y" and name != self.start:
                return ".".join(labels[-(name.count(".") + 2):])
        return self.found[-1][0]

    def record_at(self, name: str) -> _Lookup | None:
        return next((walked for found, walked in self.found if found == name), None)

    @property
    def psd(self) -> tuple[str, _Lookup] | None:
        """The psd=y record the walk stopped at, above its start (section 4.10.2 rule 2)."""
        if self.found and self.found[-1][0] != self.start \
                and _parse(self.found[-1][1].records[0]).record.psd == "y":
            return self.found[-1]
        return None


def walk_names(domain: str) -> tuple[str, ...]:
    """The names an RFC 9989 DNS Tree Walk from ``domain`` asks for, in order (section 4.10
    steps 1 to 7: the start; with 8 or more labels, the last 7 of them; then one label less at a
    time down to the single-label name, which a PSO may publish at with psd=y). At most
    _MAX_TREE_WALK_QUERIES (8)."""
    labels = domain.split(".")
    names: list[str] = []
    current = labels
    while current and len(names) < _MAX_TREE_WALK_QUERIES:
        names.append(".".join(current))
        # Step 4: "If x < 8, remove the left-most (highest-numbered) label from the subject
        # domain. If x >= 8, remove the left-most (highest-numbered) labels from the subject
        # domain until 7 labels remain."
        current = current[-7:] if len(current) >= 8 else current[1:]
    return tuple(names)


def _walk(dns: _Dns, domain: str) -> _Walk:
    """The RFC 9989 DNS Tree Walk from ``domain`` (section 4.10), stopping at a single record with
    psd=n or psd=y (steps 2 and 6) or at a lookup that failed."""
    found: list[tuple[str, _Lookup]] = []
    several: list[str] = []
    for name in walk_names(domain):
        walked = dns.dmarc(name)
        if walked.offline:
            return _Walk(domain, tuple(found), tuple(several), f"_dmarc.{name} could not be asked (offline)")
        if walked.temporary:
            return _Walk(domain, tuple(found), tuple(several), f"the lookup of _dmarc.{name} failed ({walked.status})")
        if len(walked.records) > 1:
            several.append(name)
        elif len(walked.records) == 1:
            found.append((name, walked))
            if _parse(walked.records[0]).record.psd in ("y", "n"):
                break
    return _Walk(domain, tuple(found), tuple(several), None)




class _Aligner:
    """Identifier alignment by RFC 9989 section 4.10.2: strict is the very domain; relaxed is the
    same organisational domain, each found by its own tree walk (memoised DNS)."""

    def __init__(self, dns: _Dns, from_domain: str, author: _Walk) -> None:
        self._dns = dns
        self.from_domain = from_domain
        self.author = author
        self.walks: dict[str, _Walk] = {}
        self.unwalked: list[str] = []
        """Identifiers past _MAX_WALKED_IDENTIFIERS: their alignment is unknown."""

    def __call__(self, identity: str | None, strict: bool) -> bool | None:
        """True or False; None when a lookup its walk needs failed (or could not be asked)."""
        domain = normalize_domain(identity)
        if not domain:
            return False
        if domain == self.from_domain:
            return True
        if strict:
            return False
        org = self.author.org
        if org is None:
            # Without the walk, one thing is known: an organisational domain is the name itself or
            # a parent of it, and never a top-level domain, whose operator is a PSO that "MUST
            # include the "psd" tag ... with a value of "y"" (RFC 9989 section 5.2), so the
            # organisational domain is one label below it at the highest. Two names that share no
            # more than the top-level domain never align.
            return None if domain.rsplit(".", 2)[-2:] == self.from_domain.rsplit(".", 2)[-2:] \
                and domain.count(".") and self.from_domain.count(".") else False
        # An organisational domain is always the name itself or one of its parents (section
        # 4.10.2 selects among the names its walk asked), so no name outside it can share it.
        if not within(domain, org):
            return False
        walk = self.walks.get(domain)
        if walk is None:
            if len(self.walks) >= _MAX_WALKED_IDENTIFIERS:
                if domain not in self.unwalked:
                    self.unwalked.append(domain)
                return None
            walk = self.walks[domain] = _walk(self._dns, domain)
        walked_org = walk.org
        return None if walked_org is None else walked_org == org

    def why_unknown(self, identity: str | None) -> str:
        """Why the relaxed alignment of ``identity`` is unknown, in words."""
        domain = normalize_domain(identity) or ""
        if self.author.failed is not None:
            return f"the tree walk for {self.from_domain}'s organisational domain stopped: {self.author.failed}"
        walk = self.walks.get(domain)
        if walk is not None and walk.failed is not None:
            return f"the tree walk for {domain}'s organisational domain stopped: {walk.failed}"
        return (f"{domain}'s organisational domain was not looked up (more than {_MAX_WALKED_IDENTIFIERS} "
                "identifiers to walk)")


def _psl_align(from_domain: str) -> _Align:
    """RFC 7489 section 3.1: alignment by the Public Suffix List's organisational domains (section
    3.2), which needs no DNS."""
    def align(identity: str | None, strict: bool) -> bool:
        return aligned(identity, from_domain, strict=strict)
    return align


def _rfc7489_reading(dns: _Dns, from_domain: str, dkim: tuple[DkimSignatureResult, ...], spf: SpfResult | None,
                     own: _Lookup) -> Rfc7489Reading:
    """How a receiver still on RFC 7489 decides (section 6.6.3: the From: domain's record, else the
    organisational domain's by the Public Suffix List; several records end discovery; pct=
    samples, section 6.6.4; np= is no tag of it). The names it asks are the tree walk's (memoised),
    except an organisational domain the walk skipped on a long name."""
    org = organizational_domain(from_domain) or from_domain

    def reading(result: str, reason: str, lookup: _Lookup | None = None, *, policy: str | None = None,
                disposition: str | None = None, dkim_aligned: bool | None = None,
                spf_aligned: bool | None = None) -> Rfc7489Reading:
        return Rfc7489Reading(result=result, record_domain=lookup.domain if lookup and lookup.records else None,
                              org_domain=org, policy=policy, policy_reason=reason, disposition=disposition,
                              dkim_aligned=dkim_aligned, spf_aligned=spf_aligned)

    if own.offline:
        return reading("not_checked", "DNS not available (offline)")
    lookup = own
    if not lookup.records and not lookup.temporary and org != from_domain:
        lookup = dns.dmarc(org)
    if lookup.offline:
        return reading("not_checked", "DNS not available (offline)")
    if lookup.temporary:
        return reading("temperror", f"the lookup of _dmarc.{lookup.domain} failed ({lookup.status})")
    if not lookup.records:
        return reading("none", "no DMARC record")
    if len(lookup.records) > 1:
        return reading("none", f"several records at _dmarc.{lookup.domain}: DMARC not applied (RFC 7489 section "
                               "6.6.3)", lookup)
    parsed = _parse(lookup.records[0])
    record = parsed.record
    if parsed.errors:
        return reading("permerror", "malformed record", lookup)
    if record.p not in _POLICIES or record.sp == "invalid":
        if not parsed.has_valid_rua:
            return reading("none", "record has no valid p=", lookup)
        record = replace(record, p="none", sp=None if record.sp not in _POLICIES else record.sp)
    align = _psl_align(from_domain)
    dkim_domain = _aligned_dkim(dkim, align, strict=record.adkim == "s")
    spf_aligned = bool(spf and spf.result == "pass" and aligned(spf.domain, from_domain, strict=record.aspf == "s"))
    applicable = _applicable_policy(dns, from_domain, lookup.domain, record, with_np=False)
    if dkim_domain is not None or spf_aligned:
        return reading("pass", applicable.reason, lookup, policy=applicable.policy, disposition="none",
                       dkim_aligned=dkim_domain is not None, spf_aligned=spf_aligned)
    unknown = _unevaluated(dkim, spf, align, adkim=record.adkim, aspf=record.aspf)
    if unknown is not None:
        return reading(unknown[0], applicable.reason, lookup, policy=applicable.policy)
    disposition, _sampling = _disposition_7489(applicable.policy, record)
    return reading("fail", applicable.reason, lookup, policy=applicable.policy, disposition=disposition,
                   dkim_aligned=False, spf_aligned=False)


def older_aligned_parent(from_domain: str, older: Rfc7489Reading, dkim: tuple[DkimSignatureResult, ...],
                         spf: SpfResult | None) -> str | None:
    """The passing identity that aligns by RFC 7489's rules and is the From: domain or a parent of
    it, "d=example.com" or "SPF for example.com", or None (no such identity, or only a sibling's)."""
    wanted = normalize_domain(from_domain) or ""

    def parent(domain: str | None) -> bool:
        name = (normalize_domain(domain) or "") if domain else ""
        return bool(name) and within(wanted, name) and organizational_domain(name) == older.org_domain
    if older.dkim_aligned:
        signer = next((s.domain for s in dkim if s.result == "pass" and parent(s.domain)), None)
        if signer:
            return f"DKIM by {signer}"
    if older.spf_aligned and spf is not None and spf.result == "pass" and parent(spf.domain):
        return f"SPF for {spf.domain}"
    return None


OLDER_RULES_PASS = ", but a pass by RFC 7489's rules"
"""How dmarc.fail's title ends when RFC 7489's rules pass the same message (verdict.py reads it)."""


def _older_pass_words(older: Rfc7489Reading, from_domain: str, org_domain: str | None) -> str:
    """What a pass by RFC 7489's rules where RFC 9989's fails means for the domain's owner."""
    how = "a DKIM signature" if older.dkim_aligned else "the SPF-checked envelope sender"
    walk = (f"RFC 9989's tree walk makes {org_domain} the organisational domain instead (RFC 9989 section "
            f"4.10.2: a parent that publishes no DMARC record, or a psd= tag, draws the line there)"
            if org_domain else "RFC 9989's tree walk draws the organisation otherwise (section 4.10.2)")
    return (f" By RFC 7489's rules, which receivers still widely apply, {how} aligns through the Public Suffix "
            f"List's organisational domain {older.org_domain or from_domain} and DMARC passes; {walk}. Receivers "
            f"that follow RFC 9989 apply the policy. If the mail is the domain's own, a DMARC record at "
            f"{older.org_domain or 'the organisational domain'} (when that is one organisation), or an identity of "
            f"{from_domain} itself, makes both readings pass.")


def _rfc7489_note(older: Rfc7489Reading, result: str, record_domain: str | None, org_domain: str | None,
                  policy: str | None, disposition: str | None, dkim_aligned: bool, spf_aligned: bool) -> str | None:
    """How the RFC 7489 reading decides, when it decides otherwise than the RFC 9989 result: its
    record at another name, another alignment, another result or disposition. None when they
    agree, or when neither could be decided (offline)."""
    if older.result == "not_checked" and result == "not_checked":
        return None
    differs: list[str] = []
    if older.record_domain != record_domain:
        differs.append("the policy at another name")
    if older.result in ("pass", "fail") and result in ("pass", "fail") and (
            older.dkim_aligned != dkim_aligned or older.spf_aligned != spf_aligned):
        differs.append("another alignment")
    if older.result != result:
        differs.append("another result")
    elif result == "fail" and (older.policy, older.disposition) != (policy, disposition):
        differs.append("another policy" if older.policy != policy else "another disposition")
    if not differs:
        return None
    where = f"_dmarc.{older.record_domain}" if older.record_domain else "no record"
    orgs = (f"organisational domain {older.org_domain} by the Public Suffix List"
            + (f", where the RFC 9989 tree walk gives {org_domain}" if org_domain and org_domain != older.org_domain
               else ""))
    outcome = older.result
    if older.result == "fail":
        outcome += f" with policy {older.policy}" + (
            f" (disposition {older.disposition})" if older.disposition and older.disposition != older.policy else "")
    if older.result in ("pass", "fail"):
        via = [name for name, value in (("DKIM", older.dkim_aligned), ("SPF", older.spf_aligned)) if value]
        outcome += f", aligned by {' and '.join(via)}" if via else ", nothing aligned"
    why = f" ({older.policy_reason})" if older.policy != policy and older.policy_reason else ""
    return (f"A receiver still on RFC 7489 ({orgs}) uses {where} and decides {outcome}: "
            f"{', '.join(differs)} than RFC 9989{why}")


def intermediary_sets(arc: ArcResult | None, receiver_orgs: frozenset[str]) -> tuple[ArcInstance, ...]:
    """The ARC sets intermediaries added, oldest first: those of a validating chain without the
    receiving side's own newest sets; empty when the chain does not validate or only the
    receiving side sealed it.

    RFC 8617 section 7.2: a receiver may act on the assertions of intermediaries before it.
    Gmail and others seal every incoming message themselves, after recording their own verdict
    (RFC 8617 section 5.1); such a set, sealed by the receiving organisation (``receiver_orgs``:
    the organisational domains of its trusted authserv-ids and of its hosts at and above the
    trust boundary), carries no third-party assertion. Only the newest run of them is dropped:
    the receiver seals last, so sets below an intermediary's are older hops' (the same
    organisation's earlier forward included). Dropping from the newest end never changes which
    set is the oldest, it can only leave none: nothing anyone writes can make a chain vouch
    through this choice."""
    if arc is None or not holds(arc) or not arc.instances:
        return ()
    return _trimmed(arc, receiver_orgs)


def _trimmed(arc: ArcResult | None, receiver_orgs: frozenset[str]) -> tuple[ArcInstance, ...]:
    """The sets of ``arc`` without the receiving side's own newest ones (see ``intermediary_sets``),
    whether or not the chain validates now."""
    if arc is None:
        return ()
    ordered = sorted(arc.instances, key=lambda i: i.instance)
    while ordered and (org := _org(ordered[-1].domain)) is not None and _operator(org) in receiver_orgs:
        ordered.pop()
    return tuple(ordered)


def _key_drift(arc: ArcResult | None, receiver: _ReceiverView) -> RecordedResult | None:
    """The receiving side's own recorded arc=pass when the chain fails now only because a sealer's
    key is no longer published or was revoked (arc.reason_code key_not_found, key_revoked): a DNS
    change since delivery, not a change to the message (recorded._compare_arc calls it dns drift)."""
    if arc is None or arc.result != "fail" or arc.reason_code not in ("key_not_found", "key_revoked"):
        return None
    return receiver.arc_pass


def _body_not_copied(arc: ArcResult | None, receiver: _ReceiverView) -> RecordedResult | None:
    """The receiving side's own recorded arc=pass when the input is a header without its body and
    the chain validates as far as a header shows: every seal, and the signed header fields of the
    newest ARC-Message-Signature (its word neutral, auth.arc), only that signature's body hash is
    not in the input. The receiver checked that hash at delivery, with the body (RFC 8617 section
    5.2); its record, above the trust boundary, is what a sender cannot write. A forger's message
    delivered with a blank body would have failed that check there, and recorded no arc=pass."""
    if arc is None or arc.result != "neutral" or arc.reason_code != "no_body" or not arc.instances:
        return None
    newest = max(arc.instances, key=lambda i: i.instance)
    if newest.signature_result != "neutral" or any(i.seal_result != "pass" for i in arc.instances):
        return None
    return receiver.arc_pass


def _tied(intermediaries: tuple[ArcInstance, ...], oldest_pass: int | None) -> tuple[ArcInstance, ...]:
    """The intermediaries' sets at or above the chain's oldest-pass (RFC 8617 section 5.2 step 6):
    those whose ARC-Message-Signature still validates on this message. A set below it signed
    another message, or this one before a change: a genuine set replayed onto a forgery is one."""
    if oldest_pass is None:
        return intermediaries
    return tuple(i for i in intermediaries if i.instance >= oldest_pass)


def _arc_vouches(intermediaries: tuple[ArcInstance, ...], from_domain: str, oldest_pass: int | None = None) -> bool:
    """The oldest intermediary whose set is tied to this message (at or above oldest-pass)
    recorded dmarc=pass for the From: domain (RFC 8617 section 7.2): what a receiver that trusts
    the sealers may override a DMARC failure on."""
    tied = _tied(intermediaries, oldest_pass)
    return bool(tied) and aar_records_dmarc_pass(tied[0].authentication_results, from_domain)


@frozen
class _ReceiverView(Value):
    """What the receiving side itself recorded, as far as ARC overrides go."""

    orgs: frozenset[str]
    """Organisational domains of the authserv-ids of trusted recorded results and of the hosts at
    and above the trust boundary."""
    dmarc: tuple[RecordedResult, ...]
    """Trusted recorded dmarc results, topmost first."""
    composite: tuple[RecordedResult, ...] = ()
    """Trusted recorded compauth results (Exchange Online's, where it marks an ARC override)."""
    arc_pass: RecordedResult | None = None
    """The topmost trusted recorded arc=pass: the receiver validated the chain at delivery."""


def _receiver_view(recorded: tuple[RecordedResult, ...], hops: tuple[Hop, ...] = ()) -> _ReceiverView:
    trusted = [r for r in recorded if r.trusted]
    # Each distinct authserv-id once (a receiver writes the same one on all its results), and
    # the receiving side's own hosts (at and above the trust boundary).
    names = {r.authserv_id for r in trusted} | {h.organization or h.fields.by for h in hops if h.trusted}
    orgs = frozenset(_operator(org) for org in map(_org, names) if org)
    def position(rec: RecordedResult) -> int:
        return rec.header_index if rec.header_index is not None else 1 << 30

    dmarc = tuple(sorted((r for r in trusted if r.method == "dmarc"), key=position))
    composite = tuple(r for r in trusted if r.method == "compauth")
    arc_pass = min((r for r in trusted if r.method == "arc" and r.result.lower() == "pass"), key=position, default=None)
    return _ReceiverView(orgs, dmarc, composite, arc_pass)


def _operator(org: str) -> str:
    """The operator an organisational domain's mail runs under (microsoft.com's ARC seal on
    Exchange Online's outlook.com hosts; gmail.com and google.com): see hops.OPERATOR_ALIASES."""
    return OPERATOR_ALIASES.get(org, org)


def _org(name: str | None) -> str | None:
    domain = normalize_domain(name)
    return (organizational_domain(domain) or domain) if domain else None


def _recorded_override(receiver: _ReceiverView, from_domain: str) -> RecordedResult | None:
    """The receiver's recorded dmarc=fail for this From: domain that says it applied an ARC
    override (RFC 8617 section 7.2; see ``arc_override_recorded``)."""
    for rec in receiver.dmarc:
        header_from = normalize_domain(dict(rec.properties).get("header.from"))
        if header_from is not None and header_from != from_domain:
            continue
        # Beside the receiver's other dmarc records: one saying it enforced the policy leaves no
        # override of the same receiver standing (arc_override_recorded).
        if arc_override_recorded(rec, receiver.dmarc + receiver.composite):
            return rec
    return None


def _arc_override(arc: ArcResult | None, intermediaries: tuple[ArcInstance, ...], disposition: str | None,
                  receiver: _ReceiverView, from_domain: str, oldest_pass: int | None = None,
                  drift: RecordedResult | None = None, body_not_copied: RecordedResult | None = None) -> str | None:
    """What a receiver that trusts the ARC sealers could decide (RFC 8617 section 7.2). ``drift``:
    the receiver's recorded arc=pass when the chain fails now only because a sealer's key left DNS
    (``_key_drift``); ``body_not_copied``: that record when the input holds no body for the newest
    ARC-Message-Signature's hash (``_body_not_copied``); ``intermediaries`` are then the sets it
    acted on."""
    recorded_pass = drift if drift is not None else body_not_copied
    if arc is None or not arc.instances or not (holds(arc) or (recorded_pass is not None and intermediaries)):
        return None
    action = disposition or "none"
    if not intermediaries:
        own = ", ".join(dict.fromkeys(i.domain for i in arc.instances if i.domain)) or "unnamed sealers"
        return (f"The ARC chain validates, but its only sealer is the receiving side ({own}), which seals "
                f"after recording its own verdict (RFC 8617 section 5.1): no intermediary vouches for the "
                f"message, so nothing justifies overriding the {action} disposition.")
    sealers = ", ".join(dict.fromkeys(i.domain for i in intermediaries if i.domain)) or "unnamed sealers"
    override = _recorded_override(receiver, from_domain)
    if override is not None:
        words = (f"The receiving side ({override.authserv_id or 'receiver'}) recorded dmarc=fail with an ARC "
                 f"override and accepted the message instead of applying the {action} disposition, on the word "
                 f"of {sealers} (RFC 8617 section 7.2, local policy).")
        if drift is not None and arc.key_among_several:
            # The revoked record used is one of several at its selector (recorded key_among_several):
            # RFC 6376 section 6.1.2 lets a verifier use any, so no DNS change need have happened.
            words += (" It recorded arc=pass at delivery; the chain fails now only because the key record used for "
                      "a sealer's signature is revoked, one of several at its selector, and the receiver may have used "
                      f"another (RFC 6376 section 6.1.2), not a change to the message ({arc.reason}).")
        elif body_not_copied is not None:
            words += (f" It recorded arc=pass at delivery, when it had the body; this copy holds none ({arc.reason}), "
                      "so that part of its check cannot be repeated here.")
        elif drift is not None:
            # As a DKIM key removed after delivery (recorded dns_drift): the receiver's check then stands.
            words += (f" It recorded arc=pass at delivery; the chain fails now only because a sealer's key has since "
                      f"been {'revoked in' if arc.reason_code == 'key_revoked' else 'removed from'} DNS "
                      f"({arc.reason}), a DNS change, not a change to the message.")
        return words
    tied = _tied(intermediaries, oldest_pass)
    replayed = ""
    if len(tied) < len(intermediaries):
        below = ", ".join(f"i={i.instance}" + (f" ({i.domain})" if i.domain else "")
                          for i in intermediaries if i not in tied)
        rest = ", ".join(dict.fromkeys(i.domain for i in tied if i.domain)) or "the newest sealer"
        # RFC 8617 section 5.2 step 6: the oldest-pass walk stops at the first AMS that fails.
        replayed = (f" The ARC-Message-Signature of {below} does not validate on this message (the chain's "
                    f"oldest-pass is i={oldest_pass}, RFC 8617 section 5.2): what that set recorded was about "
                    f"another message or this one before a change, and a genuine set can be copied onto a forgery, "
                    f"so the chain's word on this message rests on {rest} alone.")
    if not tied:
        return replayed.strip() or None
    first = tied[0]
    if _arc_vouches(intermediaries, from_domain, oldest_pass):
        return (f"DMARC fails now, but the ARC chain validates and the first intermediary that sealed it "
                f"({first.domain}) recorded dmarc=pass when the message reached it.{replayed} A receiver that "
                f"trusts {sealers} may override the {action} disposition and accept the message (RFC 8617 section "
                f"7.2, local policy). No receiver recorded doing so here, and anyone can seal a chain with a key "
                f"in their own DNS: a chain no receiver acted on vouches for nothing by itself.")
    return (f"The ARC chain validates (sealers: {sealers}), but the first intermediary that sealed it"
            f"{' over this message' if replayed else ''} did not record dmarc=pass, so trusting it would not "
            f"justify overriding the {action} disposition.{replayed}")


def _unsigned_words(reported_signed: str | None) -> str:
    """A message without DKIM-Signature, in words: a report's copy may have lost the signatures
    the report says it had (recorded.reported_signatures)."""
    if reported_signed:
        return f"this copy carries no DKIM signature ({reported_signed})"
    return "the message carries no DKIM signature"


def nothing_aligned(from_domains: tuple[str, ...], dkim: tuple[DkimSignatureResult, ...],
                     spf: SpfResult | None, dmarc: DmarcResult | None, srs: SrsInfo | None,
                     through_list: bool = False, default_key_tied: bool = False,
                     recorded: tuple[RecordedResult, ...] = (), reported_signed: str | None = None,
                     gateway: InboundGateway | None = None) -> list[Finding]:
    """When DMARC could not be evaluated (offline, a DNS error): whether any identity in the
    message could align with the From: domain at all (RFC 7489 section 3.1, relaxed), which
    needs no DNS. None can: DMARC cannot pass, whatever DNS says. ``default_key_tied``: the
    message shows a provider default signature to be the From: domain's own account's
    (origin.default_key_tied), so turning DKIM on there is the fix. ``recorded``: the recorded
    results; when only the envelope sender could align and the receiving side's own recorded
    SPF for it is not pass, DMARC cannot pass either (dmarc.cannot_pass). ``reported_signed``: for a
    copy without signatures carried by a feedback report, the report's words on who signed it
    (recorded.reported_signatures), said instead of "carries no DKIM signature". ``gateway``: the
    filtering service the hop chain found in front of the mailbox provider (HopChain.gateway), whose
    address the receiver's SPF may have judged instead of the sender's server."""
    if dmarc is None or dmarc.result not in ("not_checked", "temperror") or len(set(from_domains)) != 1:
        return []
    from_domain = from_domains[0].lower()
    from_org = organizational_domain(from_domain) or from_domain
    signers = [d.domain for d in dkim if d.domain]
    spf_domain = (spf.domain or "").lower() if spf else ""
    if not spf_domain and spf is not None and spf.mail_from and "@" in spf.mail_from:
        spf_domain = spf.mail_from.rpartition("@")[2].lower()  # not evaluated (no client IP, say)
    if not spf_domain:
        return []  # an envelope sender nobody recorded could have aligned: nothing to say
    # A signature the receiving side itself recorded as dkim=fail (matched by header.b, or as the
    # only signature of its d=: RecordedResult.signature_header_index) cannot make DMARC pass
    # either (RFC 7489 section 4.2 needs a passing one), unless it verifies now: else one garbage
    # signature with an aligned d= would stand for "could still pass".
    failed = _recorded_failing(dkim, recorded)
    if any(d.domain and aligned(d.domain, from_domain) and d.header_index not in failed for d in dkim):
        return []
    if aligned(spf_domain, from_domain):
        failing = [d for d in dkim if d.header_index in failed and d.domain and aligned(d.domain, from_domain)]
        return _spf_recorded_not_pass(from_domain, spf_domain, signers, spf, recorded, through_list, failing,
                                      reported_signed, gateway)
    if failed:
        # dmarc.nothing_aligned's words ("no DKIM signature is in its organisation") would be untrue.
        return []
    signed = (f"the DKIM signatures are by {', '.join(dict.fromkeys(signers))}" if signers
              else _unsigned_words(reported_signed))
    envelope = f"the envelope sender's domain is {spf_domain}"
    if spf is not None and spf.helo and spf.mail_from and spf.mail_from.lower() == f"postmaster@{spf.helo}".lower():
        # The null sender (RFC 7208 section 2.4): SPF checked postmaster@HELO, a name of the
        # sending host, not a sender's domain.
        envelope = f"the envelope sender is empty (the null sender), so SPF checked the HELO name {spf_domain}"
    original = srs.original_sender if srs is not None and srs.original_sender else None
    if original and srs is not None and spf_domain == srs.forwarder.lower():
        envelope += f" (a forwarder's SRS address; before forwarding the sender was {original})"
    elif original and srs is not None and spf_domain == original.rpartition("@")[2].lower():
        # SPF judged the sender the receiving side's own SRS address encodes (boundary_mail_from).
        envelope += (f" ({original}, the sender encoded in the SRS address {srs.forwarder} wrote when it "
                     "forwarded the message)")
    # What the From: domain's owner can do: in general, sign its mail; when the signatures are a
    # mail provider's default key (origin.provider_default), turn DKIM on at that provider.
    from ..origin import provider_default

    defaults = [provider_default(d) for d in signers]
    fix = f"mail that {from_domain}'s own systems send normally carries its signature"
    if signers and all(defaults):
        provider = defaults[0][0] if defaults[0] else "the provider"
        if default_key_tied:
            fix = (f"the signatures are {provider}'s default key, used until an administrator turns on DKIM for "
                   f"{from_domain} there (dkim.provider_default_key says where)")
        else:
            # Nothing ties the signing account to the From: domain: a spoof signed with its
            # sender's own tenant looks the same, so no fix is told to the From: domain's owner.
            fix = (f"the signatures are {provider}'s default key of an account that nothing in the message ties "
                   f"to {from_domain}")
    if through_list:
        # Mailman's REMOVE_DKIM_HEADERS (and other list managers' like settings) delete the author's
        # DKIM-Signature before resending (RFC 7960 describes the list behaviours that break
        # DMARC): a genuine post's list copy looks exactly like this. The
        # List-Id is text a sender can write too, so the severity is not lowered for it here.
        fix += (f"; this copy came through a mailing list (List-Id), and a list that strips DKIM-Signature "
                f"fields produces exactly this, so the copy alone cannot tell the list's resend of a genuine "
                f"post from a forgery of {from_domain}")
    # A mailing list re-sends under its own envelope and often changes what the author signed:
    # expected there (RFC 7960), so told, not raised.
    return [Finding(
        id="dmarc.nothing_aligned", severity=Severity.INFO if through_list else Severity.NOTICE,
        title=f"Nothing in the message can authenticate {from_domain}",
        explanation=(f"DMARC needs a DKIM signature or an SPF-checked envelope sender in {from_org}'s organisation "
                     f"(RFC 7489 section 3.1): {signed}, and {envelope}. So whatever DNS says now, DMARC for "
                     f"{from_domain} cannot pass; {fix}."),
        reference="https://www.rfc-editor.org/rfc/rfc7489#section-3.1", subject="dmarc")]


# In dmarc.cannot_pass's title when a signature in the From: organisation is there but the
# receiving side recorded it as failing (the verdict's words follow it).
SIGNATURE_RECORDED_FAILING = "its DKIM signature recorded as failing"
# In dmarc.cannot_pass's title when the client the receiver's SPF judged is a filtering service that
# may be the recipient's own gateway (hops.gateway_possible): the verdict's words follow it.
UNLESS_GATEWAY = "unless the receiver checked the recipient's gateway"


def _recorded_failing(dkim: tuple[DkimSignatureResult, ...], recorded: tuple[RecordedResult, ...]) -> set[int]:
    """Header indices of the DKIM-Signature fields the receiving side's own (trusted) results
    record as dkim=fail, that do not pass now."""
    named = {rec.signature_header_index for rec in recorded
             if rec.trusted and rec.method == "dkim" and rec.result.lower() == "fail"
             and rec.signature_header_index is not None}
    return {d.header_index for d in dkim if d.header_index in named and d.result != "pass"}


def _spf_recorded_not_pass(from_domain: str, spf_domain: str, signers: list[str], spf: SpfResult | None,
                           recorded: tuple[RecordedResult, ...], through_list: bool,
                           failing: list[DkimSignatureResult], reported_signed: str | None = None,
                           gateway: InboundGateway | None = None) -> list[Finding]:
    """No DKIM signature is in From:'s organisation, so only an aligned SPF pass could make DMARC
    pass (RFC 7489 section 4.2, identifiers of section 3.1); the receiving side's own recorded SPF
    result for that envelope sender (trusted: never a claim a sender could have written) is fail,
    softfail, neutral or none. SPF was judged once, at delivery, from the client that connected:
    re-checking it later (or offline, not at all) cannot make that session pass. Unless that client
    was the recipient's own gateway (possible, offline: hops.gateway_possible): then the receiver
    judged the gateway's hand-over, and the words say that DMARC cannot pass only if it was not."""
    if spf is None or (spf.helo and spf.mail_from and spf.mail_from.lower() == f"postmaster@{spf.helo}".lower()):
        return []  # the null sender: SPF checked the HELO name, which the receiver records apart
    rec = receiver_spf_not_pass(recorded, spf_domain, spf.client_ip, from_domain)
    if rec is None:
        return []
    from_org = organizational_domain(from_domain) or from_domain
    signed = (f"the DKIM signatures are by {', '.join(dict.fromkeys(signers))}" if signers
              else _unsigned_words(reported_signed))
    dkim_words = "no aligned DKIM signature"
    if failing:
        dkim_words = SIGNATURE_RECORDED_FAILING
        signed += (", and the receiving side recorded dkim=fail at delivery for the one"
                   f"{'s' if len(failing) > 1 else ''} in {from_org}'s organisation ("
                   + ", ".join(f"{d.domain} in {header_ref(d.header_index)}" for d in failing[:3])
                   + (f" and {len(failing) - 3} more" if len(failing) > 3 else "") + ")")
    sender = spf.mail_from or spf_domain
    by = f" by {rec.authserv_id}" if rec.authserv_id else ""
    where = f" in {header_ref(rec.header_index)}" if rec.header_index is not None else ""
    judged = gateway_judged(rec, recorded, gateway)
    # (A confirmed gateway moves SPF's client below it, where receiver_spf_not_pass finds no
    # result for that client: only a possible one reaches here.)
    unless = (f", {UNLESS_GATEWAY}" if judged is not None else "")
    unless_words = (f" But {gateway_words(judged, rec, recorded)}; DMARC may then pass where the gateway took "
                    "the message." if judged is not None else "")
    return [Finding(
        id="dmarc.cannot_pass", severity=Severity.INFO if through_list else Severity.NOTICE,
        title=f"DMARC for {from_domain} cannot pass: {dkim_words}, and SPF {rec.result} recorded for "
              f"{spf_domain}{unless}",
        explanation=(f"DMARC needs a DKIM signature or an SPF-checked envelope sender in {from_org}'s organisation "
                     f"that passes (RFC 7489 sections 3.1 and 4.2): {signed}, so only the envelope sender {sender} "
                     f"could align and pass, and the receiving side's own result for it, recorded{by}{where} at delivery for the "
                     f"client that connected, is SPF {rec.result}. So whatever DNS says now, DMARC for "
                     f"{from_domain} cannot pass. This rests on the receiver's recorded SPF result, not on a check "
                     f"made here.{unless_words}"),
        reference="https://www.rfc-editor.org/rfc/rfc7489#section-4.2", subject="dmarc")]
