"""BIMI, Brand Indicators for Message Identification (draft-brand-indicators-for-message-identification-10).

BIMI is no authentication of its own: a receiver shows the author domain's logo only for a
message that passes DMARC under an enforcing policy (section 7.1). This module says whether the
message qualifies, which assertion record a receiver would find (``<selector>._bimi.<domain>``,
section 7.2), what is wrong with it, and what the BIMI header fields in the message are: the
receiver's own (above the trust boundary) or ones that came with the message, which receivers
must remove (sections 5.6 and 7.8).

The logo (l=) and the mark certificate (a=) are never fetched: this tool makes no HTTP request.
Mailbox providers validate both, and add reputation rules of their own (section 8.2).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from ..dns.interface import DnsStatus, Resolver
from ..domains import normalize_domain, organizational_domain, with_idn_forms
from ..message import Message
from ..model import (
    Address,
    BimiField,
    BimiResult,
    DkimSignatureResult,
    DmarcRecord,
    DmarcResult,
    Finding,
    HeaderField,
    Hop,
    RecordedResult,
    Severity,
)
from ..text import compiled_on_first_use, header_ref, header_refs, one_line, shown_hidden
from .dmarc import published_record
from .tags import parse_tag_list

DRAFT = "https://datatracker.ietf.org/doc/html/draft-brand-indicators-for-message-identification"
# What mailbox providers require beyond the draft (``_display``) is their own: Google's page
# (https://support.google.com/a/answer/10911320) asks for a VMC or CMC, as Apple Mail does;
# Yahoo's (https://senders.yahooinc.com/bimi/) weighs volume and reputation; Outlook.com has no BIMI.

# Section 5.6: the fields a receiver adds after its BIMI evaluation, and removes when they arrive.
_RECEIVER_FIELDS = ("BIMI-Location", "BIMI-Indicator", "BIMI-Logo-Preference")
_MAX_RECORD_CHARS = 2048  # far above any real record (two URIs and a few tags)
_MAX_URI_CHARS = 1024
_MAX_SHOWN = 200  # characters of a field value shown
_MAX_RECORDED = 5  # recorded bimi= results kept
_MAX_FIELDS = 10  # BIMI fields listed
_MAX_RECORDS_READ = 10  # TXT records read at one name

# Section 4.3 "v= ... MUST match precisely", and it is the first tag (ABNF bimi-version).
_VERSION = compiled_on_first_use(r"v[ \t]*=[ \t]*BIMI1[ \t]*(?:;|\Z)")
# What looks like a BIMI record under another spelling (v=bimi1, V=BIMI1, v=BIMI2): discarded
# (section 7.2 step 4), but said, since it is most likely the domain's intended record.
_LOOKS_LIKE = compiled_on_first_use(r"v[ \t]*=[ \t]*bimi", re.IGNORECASE)
# Section 4.4: selector = sub-domain *("." sub-domain), sub-domain from RFC 5321 (Let-dig [Ldh-str]).
_SELECTOR = compiled_on_first_use(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){0,8}\Z")
# Section 4.5 step 3: a normalised local part is letters, digits and dashes, at most 63.
_LOCAL_SELECTOR = compiled_on_first_use(r"[A-Za-z0-9-]{1,63}\Z")
_LOCAL_SEPARATORS = compiled_on_first_use(r"[._]+")
# Section 4.3.2: only SVG (and SVGZ) is acceptable; an l= ending in another image format's
# suffix is a permanent error.
# RFC 3986 section 2: the characters a URI may hold (unreserved, reserved, and "%" of a
# percent-encoding). Any other (a quote, "<", ">", a space, a control, a non-ASCII letter) makes
# l= or a= no URI: a receiver cannot fetch it as written, and it is how markup is slipped into a
# page that shows the record.
_NOT_IN_URI = compiled_on_first_use(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")
_OTHER_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".ico", ".tif", ".tiff", ".avif",
                         ".heic")


def check_bimi(message: Message, resolver: Resolver, *, dmarc: DmarcResult | None,
               header_from: tuple[Address, ...], dkim: tuple[DkimSignatureResult, ...],
               recorded: tuple[RecordedResult, ...], hops: tuple[Hop, ...], boundary_hop: int | None
               ) -> tuple[BimiResult | None, tuple[Finding, ...]]:
    """BIMI for the message, or None (and no finding) when nothing makes it apply: no BIMI field,
    no recorded bimi= result, and no DMARC pass under an enforcing policy. So the common message
    costs no DNS question; one that qualifies costs one or two TXT lookups."""
    boundary = next((h for h in hops if h.number == boundary_hop), None) if boundary_hop else None
    fields = _fields(message, boundary)
    selectors = message.all("BIMI-Selector")
    recorded_bimi = tuple(r for r in recorded if r.method == "bimi")[:_MAX_RECORDED]
    from_fields = len(message.all("From"))
    eligible, eligibility = _eligibility(resolver, dmarc, from_fields, len(header_from))
    if not (eligible or fields or selectors or recorded_bimi):
        return None, ()

    findings: list[Finding] = []
    from_domain = normalize_domain(dmarc.from_domain if dmarc is not None else None) \
        if from_fields == 1 and len(header_from) == 1 else None
    selector, selector_note = _selector(selectors, dkim)
    found = _discover(resolver, from_domain, selector, header_from) if from_domain else None
    sender_fields = [f for f in fields if f.receivers is not True]
    if sender_fields:
        findings.append(_sender_fields_finding(sender_fields, boundary))

    if found is None:
        why = eligibility if eligible is False else "no single From: domain to look up"
        result = BimiResult(
            result="skipped" if eligible is False else "not_checked", eligible=eligible, eligibility=eligibility,
            from_domain=None, selector=selector, selector_note=selector_note, record_name=None, record=None,
            location=None, authority=None, problems=(), explanation=f"not looked up: {why}",
            display=_display("skipped", None, eligibility), fields=fields, recorded=recorded_bimi)
        return result, tuple(findings)

    outcome = found.outcome
    if outcome in ("found", "declined", "fail") and eligible is not True:
        # A receiver does not even look (section 7.2: "MUST NOT be attempted if the message
        # authentication fails"); the record is shown for whoever asks why no logo appears.
        word = "skipped" if eligible is False else "not_checked"
        explanation = (f"{word}: {eligibility}; a receiver would not use the record published at "
                       f"{found.name} ({_outcome_words(found)})")
        if eligible is False and outcome != "declined":
            findings.append(Finding(
                id="bimi.not_eligible", severity=Severity.NOTICE,
                title=f"BIMI record for {from_domain}, but this message does not qualify for a logo",
                explanation=f"{found.name} publishes a BIMI record, but {eligibility}. Mailbox providers show "
                            "no logo for such a message.",
                reference=f"{DRAFT}#section-7.1", subject="bimi"))
        outcome = word
    else:
        explanation = _outcome_words(found)
    if found.problems and found.outcome in ("fail", "found", "none"):
        findings.append(Finding(
            id="bimi.invalid_record", severity=Severity.NOTICE,
            title=f"BIMI record for {from_domain} has problems" if found.outcome == "found"
            else f"BIMI record for {from_domain} cannot be used",
            explanation=f"{found.name}: " + "; ".join(found.problems) + ".",
            reference=f"{DRAFT}#section-4.3", subject="bimi"))
    notes = [*found.problems, *found.notes]
    return BimiResult(
        result=outcome, eligible=eligible, eligibility=eligibility, from_domain=from_domain, selector=found.selector,
        selector_note=selector_note, record_name=found.name if found.record is not None else None,
        record=found.record, location=found.location, authority=found.authority, problems=tuple(notes),
        explanation=explanation, display=_display(outcome, found, eligibility), fields=fields,
        recorded=recorded_bimi), tuple(findings)


# ----- section 7.1: the authentication requirements

def _eligibility(resolver: Resolver, dmarc: DmarcResult | None, from_fields: int,
                 from_addresses: int) -> tuple[bool | None, str]:
    """(qualifies, why): True, False, or None when unknown (DMARC not evaluated, a DNS error)."""
    if from_fields > 1 or from_addresses > 1:
        return False, (f"the message has {max(from_fields, from_addresses)} From: "
                       f"{'fields' if from_fields > 1 else 'addresses'}, and BIMI is not applied to such a message "
                       "(section 7.1 step 1)")
    if dmarc is None or dmarc.from_domain is None:
        return False, "the message has no From: domain (section 7.1 step 2)"
    domain = dmarc.from_domain
    if dmarc.result in ("not_checked", "temperror"):
        return None, (f"DMARC for {domain} was not evaluated here ({dmarc.policy_reason or dmarc.result}); BIMI "
                      "needs a DMARC pass (section 7.1)")
    if dmarc.result != "pass":
        why = f"DMARC {dmarc.result} for {domain}: BIMI requires a DMARC pass for the author domain (section 7.1 step 6)"
        if dmarc.arc_vouched:
            why += ("; a receiver that trusts the ARC sealers may treat the message as passing (section 7.1 step 5, "
                    "local policy)")
        return False, why
    # Steps 7 to 9: the author domain's record and the organisational domain's must both enforce.
    org = organizational_domain(domain) or domain
    where = dmarc.record_domain or domain
    reason = _weak_policy(dmarc.record, where)
    if reason is not None:
        return False, reason
    assert dmarc.record is not None
    words = f"DMARC passes for {with_idn_forms(domain)}, and _dmarc.{where} publishes p={dmarc.record.p}"
    if where != org:
        status, org_record = published_record(resolver, org)
        if status == DnsStatus.OFFLINE or status in DnsStatus.TEMPORARY:
            return None, (f"{words}, but the organisational domain's policy (_dmarc.{org}) could not be read "
                          f"({status}); BIMI needs it to enforce too (section 7.1 steps 7 to 9)")
        if org_record is not None:
            reason = _weak_policy(org_record, org)
            if reason is not None:
                return False, reason
            words += f" and _dmarc.{org} p={org_record.p}"
        else:
            # Section 7.1 tests only a record that exists; section 1 asks domain owners for one.
            words += (f"; _dmarc.{org} (the organisational domain) publishes no single DMARC record, which "
                      "section 1 asks of BIMI senders")
    return True, f"{words} (enforcing, as section 7.1 requires)"


def _weak_policy(record: DmarcRecord | None, where: str) -> str | None:
    """Which of section 7.1 steps 7 to 9 the record at _dmarc.WHERE fails, in words; None when it
    enforces."""
    if record is None:
        return f"_dmarc.{where} publishes no DMARC record: BIMI requires p=quarantine or p=reject (section 7.1)"
    if record.p not in ("quarantine", "reject"):
        shown = record.p if record.p in ("none",) else f"{record.p or 'missing'} (read as none)"
        return (f"the DMARC policy at _dmarc.{where} is p={shown}: BIMI requires quarantine or reject "
                "(section 7.1 step 7)")
    if record.sp == "none":
        return f"_dmarc.{where} has sp=none: BIMI requires a subdomain policy other than none (section 7.1 step 8)"
    if record.p == "quarantine" and record.pct != 100:
        return (f"_dmarc.{where} is p=quarantine with pct={record.pct}: BIMI requires pct=100 with quarantine "
                "(section 7.1 step 9)")
    return None


# ----- section 5.1 and 5.5: the BIMI-Selector field

def _selector(fields: Sequence[HeaderField], dkim: tuple[DkimSignatureResult, ...]) -> tuple[str, str | None]:
    """(the selector to look up, why the field was used or ignored)."""
    if not fields:
        return "default", None
    if len(fields) > 1:
        return "default", (f"{len(fields)} BIMI-Selector fields: which one the sender meant is unknown, so all are "
                           "ignored and 'default' is used")
    field = fields[0]
    value = one_line(field.value)[:_MAX_SHOWN]
    where = header_ref(field.index)
    tags = parse_tag_list(value, max_length=_MAX_SHOWN)
    names = tags.names()
    selector = (tags.get("s") or "").strip()
    if not tags.valid or not names or names[0] != "v" or tags.get("v") != "BIMI1":
        # Section 5.1: v= first, exactly BIMI1; else the field is ignored (appendix A.5).
        return "default", f"BIMI-Selector ({where}) does not start with v=BIMI1, so it is ignored (section 5.1)"
    if not selector or len(selector) > 100 or not _SELECTOR().match(selector):
        return "default", (f"BIMI-Selector ({where}) has no valid s= selector ({selector[:40]!r}), so it is ignored "
                           "(section 4.4)")
    # Section 5.5: the field counts only when the DMARC-aligned DKIM signature covers it.
    covering = [s for s in dkim if "bimi-selector" in (h.lower() for h in s.signed_headers)]
    good = next((s for s in covering if s.result == "pass" and s.aligned_by_mode), None)
    if good is not None:
        return selector.lower(), (f"s={selector} from BIMI-Selector ({where}), signed by {good.domain}'s passing, "
                                  "From:-aligned DKIM signature (section 5.5)")
    why = ("no DKIM signature covers it" if not covering
           else "the DKIM signatures that cover it do not pass or are not aligned with From:")
    return "default", (f"BIMI-Selector ({where}) asks for s={selector}, but {why}, so it is ignored and 'default' "
                       "is used (section 5.5): unsigned, anyone could have added it")


# ----- section 7.2: assertion record discovery, and section 4.3: the record

class _Found:
    """What discovery found: the outcome, where, and the record's parts."""

    def __init__(self, outcome: str, name: str, selector: str) -> None:
        self.outcome = outcome  # found, declined, none, fail, temperror, not_checked
        self.name = name
        self.selector = selector
        self.record: str | None = None
        self.location: str | None = None
        self.authority: str | None = None
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.status = DnsStatus.NOERROR


def _discover(resolver: Resolver, domain: str, selector: str, header_from: tuple[Address, ...]) -> _Found:
    org = organizational_domain(domain) or domain
    # Steps 3 to 5 at the author domain, then 6 to 8 at the organisational domain (the same
    # selector: section 7.2 step 6 and appendix A.4).
    tried: list[str] = []
    for where in dict.fromkeys((domain, org)):
        found = _at(resolver, f"{selector}._bimi.{where}", selector)
        tried.append(found.name)
        if found.outcome in ("temperror", "not_checked"):
            return found
        if found.outcome != "none" or found.problems:
            found = _local_part(resolver, found, where, header_from, tried)
            found.notes[:0] = [f"looked up {' then '.join(tried)}"] if len(tried) > 1 else []
            return found
    none = _Found("none", " nor ".join(tried), selector)
    if selector != "default":
        none.notes.append("section 6.4 speaks of the organisational domain's default record as a fallback, section "
                          "7.2 (followed here) of the same selector; receivers differ")
    return none


def _at(resolver: Resolver, name: str, selector: str) -> _Found:
    answer = resolver.resolve(name, "TXT")
    if answer.status == DnsStatus.OFFLINE:
        return _Found("not_checked", name, selector)
    if answer.status in DnsStatus.TEMPORARY:
        found = _Found("temperror", name, selector)
        found.status = answer.status
        return found
    found = _Found("none", name, selector)
    texts = [t[:_MAX_RECORD_CHARS] for t in answer.texts[:_MAX_RECORDS_READ]]
    records = [t for t in texts if _VERSION().match(t.lstrip(" \t"))]
    for text in texts:
        if text not in records and _LOOKS_LIKE().match(text.lstrip(" \t")):
            # Section 4.3: "MUST NOT attempt to fix syntactical or capitalization errors".
            found.problems.append(f"a TXT record that does not start with v=BIMI1 exactly is ignored "
                                  f"({_shown(text)[:60]!r}; section 7.2 step 4)")
    if len(records) > 1:
        found.outcome = "fail"
        found.problems.append(f"{len(records)} BIMI records: discovery ends and no logo is shown (section 7.2 step 9)")
        return found
    if records:
        _read_record(found, records[0])
    return found


def _read_record(found: _Found, text: str) -> None:
    """Section 4.3: the record's tags, strictly; fills ``found``."""
    # DNS text, shown with its hidden characters as ⟨U+XXXX⟩ (as attachment names are): a
    # U+202E or an escape sequence in a record is a fact about it, not something to drop.
    found.record = _shown(text)[:_MAX_SHOWN * 2]
    tags = parse_tag_list(text, max_length=_MAX_RECORD_CHARS)
    problems = found.problems
    if not tags.valid:
        problems.append(f"the record is not a valid tag list ({tags.error}; section 4.3)")
    if "l" not in tags:
        problems.append("l= is missing, and it is required (section 4.3)")
    location = (tags.get("l") or "").strip()
    authority = (tags.get("a") or "").strip()
    found.location = _shown(location)[:_MAX_URI_CHARS] or None
    found.authority = _shown(authority)[:_MAX_URI_CHARS] or None
    if "l" in tags and not location and not authority:
        found.outcome = "fail" if problems else "declined"
        return
    if location:
        problems.extend(_uri_problems("l=", location, logo=True))
    elif authority:
        found.notes.append("l= is empty: the logo can only come from the certificate (a=); section 7.3 step 1 "
                           "asks for l=, and receivers differ")
    if authority:
        problems.extend(_uri_problems("a=", authority, logo=False))
    avp = tags.get("avp")
    if avp is not None and avp not in ("brand", "personal"):
        found.notes.append(f"avp={_shown(avp)[:20]!r} is not brand or personal: ignored, or the record "
                           "failed (section 4.3)")
    if location and not location.lower().split("?")[0].endswith((".svg", ".svgz")):
        found.notes.append("l= does not end in .svg: receivers check that the file is SVG (section 4.3.2)")
    found.outcome = "fail" if problems else "found"


def _uri_problems(tag: str, uri: str, *, logo: bool) -> list[str]:
    """Sections 4.3 and 4.3.2: one https: URI with a fully qualified host; for l=, not another
    image format."""
    shown = _shown(uri)[:80]
    if len(uri) > _MAX_URI_CHARS:
        return [f"{tag} is {len(uri)} characters long"]
    if "," in uri:
        return [f"{tag} holds several URIs ({shown!r}); it must be a single URI, commas encoded (section 4.3)"]
    try:
        parts = urlsplit(uri)
    except ValueError:
        return [f"{tag} is not a URI ({shown!r})"]
    if parts.scheme.lower() != "https":
        return [f"{tag} is not an https: URI ({shown!r}); HTTPS is the only transport (section 4.3)"]
    bad = _NOT_IN_URI().search(uri)
    if bad is not None:
        return [f"{tag} holds {_shown(bad.group())!r}, a character a URI cannot hold ({shown!r}; RFC 3986 "
                "section 2): it is no URI as written"]
    host = parts.hostname or ""
    if "@" in parts.netloc:
        # "https://bimi.bank.example@evil.example/": the host is what follows the "@" (RFC 3986
        # section 3.2.1); the part before it only looks like one (verification V18 P7).
        return [f"{tag} has a user part before its host ({shown!r}): its host is {_shown(host)[:80]!r}, not "
                "the name before the '@' (RFC 3986 section 3.2.1)"]
    if "." not in host or host.replace(".", "").isdigit() or ":" in host:
        return [f"{tag} does not name a fully qualified host ({shown!r}; section 4.3)"]
    if logo and parts.path.lower().endswith(_OTHER_IMAGE_SUFFIXES):
        return [f"l= points at a {parts.path.rsplit('.', 1)[-1][:8].upper()} file ({shown!r}); only SVG is "
                "acceptable, a permanent error (section 4.3.2)"]
    return []


def _shown(text: str) -> str:
    """DNS text on one line, its hidden characters (controls, bidi, a line feed) shown as ⟨U+XXXX⟩;
    a tab, white space between tags (RFC 6376's tag-list, which section 4.2 takes), as a space."""
    return shown_hidden(text).replace("\n", "⟨U+000A⟩").replace("\t", " ")


def _local_part(resolver: Resolver, found: _Found, where: str, header_from: tuple[Address, ...],
                tried: list[str]) -> _Found:
    """Section 4.5 and section 7.2 steps 5 and 8: with lps=true, the record at a selector made from
    the From: address's local part replaces it when that name has one valid BIMI record."""
    if found.record is None or found.outcome not in ("found", "declined") \
            or parse_tag_list(found.record, max_length=_MAX_RECORD_CHARS).get("lps") != "true":
        return found
    local = header_from[0].address.rpartition("@")[0] if header_from else ""
    local = _LOCAL_SEPARATORS().sub("-", local.split("+", 1)[0][:200]).strip("-")
    if not _LOCAL_SELECTOR().match(local):
        found.notes.append("lps=true, but the From: local part makes no selector (section 4.5)")
        return found
    name = f"{local.lower()}._bimi.{where}"
    if name == found.name:
        return found
    tried.append(name)
    candidate = _at(resolver, name, local.lower())
    if candidate.outcome in ("found", "declined"):
        candidate.notes.append(f"lps=true at {found.name}: the local-part selector's record is used (section 4.5)")
        return candidate
    found.notes.append(f"lps=true: {name} has no usable record, so {found.name}'s is used (section 4.5)")
    return found


def _outcome_words(found: _Found) -> str:
    if found.outcome == "found":
        what = "a logo (l=)" + (" and a mark certificate (a=)" if found.authority else ", no mark certificate (a=)")
        if not found.location:
            what = "a mark certificate (a=) and no l="
        return f"assertion record at {found.name}: {what}"
    if found.outcome == "declined":
        return f"{found.name} declines to publish a logo (l= and a= empty, section 4.3.1)"
    if found.outcome == "fail":
        return f"the record at {found.name} cannot be used: " + "; ".join(found.problems[:3])
    if found.outcome == "temperror":
        return f"the lookup of {found.name} failed ({found.status}); a receiver would try again later"
    if found.outcome == "not_checked":
        return "not checked (offline)"
    return f"no BIMI record at {found.name}: no logo"


def _display(outcome: str, found: _Found | None, eligibility: str) -> str:
    """What a mailbox provider would do with the logo, in one line (section 4.1 and 8.2: each
    decides for itself)."""
    if outcome == "found" and found is not None:
        certificate = ("with a mark certificate (a=), which Gmail and Apple Mail require" if found.authority else
                       "without a mark certificate (no a=): Gmail and Apple Mail show no logo without a VMC or CMC")
        return (f"A provider fetches the logo {certificate}, and shows it only if its own checks of the logo "
                "and certificate pass and the sender has the reputation it asks for; Yahoo may show a logo without "
                "a certificate for senders of enough volume, Outlook.com shows none. The logo and certificate were "
                "not fetched or validated here.")
    if outcome == "declined":
        return "No logo: the domain declines BIMI for this selector."
    if outcome == "none":
        return "No logo: the domain publishes no BIMI record."
    if outcome == "fail":
        return "No logo: a receiver cannot use the record."
    if outcome == "skipped":
        return "No logo: a receiver does not apply BIMI to this message."
    return "Unknown: not checked here."


# ----- sections 5.6 and 7.8: the fields a receiver adds

def _fields(message: Message, boundary: Hop | None) -> tuple[BimiField, ...]:
    out: list[BimiField] = []
    for name in _RECEIVER_FIELDS:
        for field in message.all(name)[:_MAX_FIELDS]:
            value = one_line(field.value).strip()
            if name == "BIMI-Indicator":
                # The base64 SVG itself (section 5.3): its size is what a reader needs.
                compact = "".join(value.split())
                value = f"base64 SVG, {len(compact)} characters: {compact[:40]}…" if len(compact) > 40 else compact
            receivers = None if boundary is None else field.index < boundary.header_index
            out.append(BimiField(name=field.name, header_index=field.index, receivers=receivers,
                                 value=value[:_MAX_SHOWN]))
    return tuple(sorted(out, key=lambda f: f.header_index)[:_MAX_FIELDS])


def _sender_fields_finding(fields: list[BimiField], boundary: Hop | None) -> Finding:
    names = ", ".join(dict.fromkeys(f.name for f in fields))
    refs = header_refs([f.header_index for f in fields])
    if boundary is None:
        return Finding(
            id="bimi.sender_field", severity=Severity.NOTICE, title=f"{names} that no Received chain places",
            explanation=f"{names} ({refs}) should only be written by the receiving side after its BIMI check "
                        "(section 7.8); with no Received chain it cannot be told whether the receiver or the sender "
                        "wrote it, so the logo it points at vouches for nothing.",
            reference=f"{DRAFT}#section-7.8", subject=refs)
    return Finding(
        id="bimi.sender_field", severity=Severity.WARNING, title=f"{names} that came with the message (the sender's)",
        explanation=f"{names} ({refs}) sits below the Received field where the receiving side accepted the message "
                    f"(hop {boundary.number}): it came with the message. Only the receiver may write these fields, "
                    "after its own BIMI check, and it must remove any that arrive (sections 5.6 and 7.8): one that "
                    "survives lets the sender choose the logo a mail client shows, a forger's way to show a brand's "
                    "logo. The logo it names is not this message's authentication.",
        reference=f"{DRAFT}#section-7.8", subject=refs)


# ----- what the reports show

def bimi_rows(bimi: BimiResult) -> tuple[tuple[str, str], ...]:
    """The BIMI section's rows (label, value) for every renderer; values are message and DNS text,
    which each renderer escapes."""
    eligible = {True: "yes", False: "no", None: "unknown"}[bimi.eligible]
    rows: list[tuple[str, str]] = [("Qualifies", f"{eligible}: {bimi.eligibility}")]
    rows.append(("Selector", bimi.selector + (f" ({bimi.selector_note})" if bimi.selector_note else "")))
    if bimi.record is not None:
        rows.append(("Record", f"{bimi.record_name}: {bimi.record}"))
    if bimi.location or bimi.authority:
        rows.append(("Logo (l=)", bimi.location or "empty"))
        rows.append(("Certificate (a=)", bimi.authority or "none"))
    rows.append(("Result", f"{bimi.result}: {bimi.explanation}"))
    if bimi.problems:
        rows.append(("Notes", "; ".join(bimi.problems)))
    for field in bimi.fields:
        standing = ("added by the receiving side (above the trust boundary)" if field.receivers else
                    "came with the message: the sender's, which receivers remove" if field.receivers is False else
                    "not placed: no Received chain")
        rows.append((field.name, f"{header_ref(field.header_index)}, {standing}: {field.value}"))
    for rec in bimi.recorded:
        properties = " ".join(f"{key}={value}" for key, value in rec.properties[:6])
        by = f" by {rec.authserv_id}" if rec.authserv_id else ""
        standing = "evidence" if rec.trusted else "a claim, not relied on"
        reason = f" ({rec.reason})" if rec.reason else ""
        rows.append(("Recorded", f"bimi={rec.result}{reason} {properties}".rstrip()
                     + f"{by} in {header_ref(rec.header_index)}: {standing}"
                     + (f" ({rec.trust_reason})" if rec.trust_reason else "")))
    rows.append(("Mailbox providers", bimi.display))
    return tuple(rows)
