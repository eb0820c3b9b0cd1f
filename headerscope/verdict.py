"""The one-line verdict at the top of the report.

It answers the question every support ticket asks, in a sentence that can be pasted into a
reply: is this message from the domain in ``From:``, and if not, is it spoofed (the domain
asks receivers to reject such mail) or merely unauthenticated. It reads only results the
checks already computed; it computes nothing new.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ._value import replace
from .auth.arc import BODY_CHANGED_ID
from .auth.dmarc import (
    OLDER_RULES_PASS,
    SIGNATURE_RECORDED_FAILING,
    UNLESS_GATEWAY,
    failing_disposition,
    older_aligned_parent,
)
from .auth.recorded import ARC_OVERRIDE_SUBJECT, COMPAUTH_FAIL_SUBJECT, COMPAUTH_PASS_SUBJECT
from .domains import normalize_domain, organizational_domain, with_idn_forms, within
from .era import Era, listed
from .hops import host_organization, is_non_public_ip, loginless_submission
from .message import Message
from .model import (
    COPY_UNCHECKABLE_CODES,
    ArcResult,
    Comparison,
    DkimSignatureResult,
    DmarcResult,
    Finding,
    Hop,
    RecordedResult,
    Role,
    Severity,
    SpfResult,
    Verdict,
)
from .received import authenticated_login
from .text import address_safe_shortened, header_ref

# Reason codes that mean "we could not verify", not "it is false".
_UNVERIFIABLE = frozenset({"no_body", "offline", "temperror", "not_checked", *COPY_UNCHECKABLE_CODES})
_DELIVERY_ONLY_LABELS = frozenset({"dns_drift", "expired_since", "rules_changed", "key_among_several"})
# What api._gateway_rewrite tells of a body the recipient's confirmed inbound gateway changed after
# its check: (service, the change as the message shows it, the boundary Received's header index,
# the header index of the one record that may be credited: the ARC-Authentication-Results of the
# gateway's own ARC set sealed at its intake, or None when the change is read from the vendor's link
# rewrite, where any of the gateway's records above the boundary counts).
GatewayChange = tuple[str, str, int, int | None]

INSIDE_NOT_APPLICABLE = ("which judge mail arriving from the internet (RFC 7208 section 2.1, RFC 7489 section 3), "
                         "do not apply")
"""How the line of a message generated or sent inside the receiving system (``inside``, taken
only as _decided allows) says that SPF and DMARC have nothing to judge: api.py reads it to say
the findings of a computed SPF or DMARC failure in the same terms (no receiver applied them)."""


def decide(*, from_domains: tuple[str, ...], dkim: tuple[DkimSignatureResult, ...], spf: SpfResult | None,
           dmarc: DmarcResult | None, arc: ArcResult | None, comparison: tuple[Comparison, ...],
           findings: tuple[Finding, ...], checked: bool, inside: tuple[str, bool] | None = None,
           submitted: str | None = None, era: Era | None = None, self_signed: frozenset[int] = frozenset(),
           retry: str = "try again later", gateway_rewrite: GatewayChange | None = None,
           forwarded_through: tuple[str, bool] | None = None) -> Verdict:
    """authenticated / suspicious / spoofed / unauthenticated / not_checked, with the reason.
    ``inside``: how the message was generated inside the receiving system, and whether that rests
    on marks the receiving system's alone (a local program's hand-over, see ``generated_inside``;
    a provider's marker its firewall removes from incoming mail, see ``sent_inside_provider``), or None. ``submitted``: where the copy
    ends at its authenticated submission (see ``sent_copy``), or None. ``era``: the message was
    received before DMARC existed (see ``era.received_era``), or None. ``self_signed``: header
    indexes of recorded dkim=pass results a signing host gave its own fresh signature
    (``recorded.self_signed_passes``), which are no evidence about the sender. ``retry``: what to
    do about a temporary DNS error (dns.interface.retry_words: another source than trying again
    later, for a question a recorded snapshot holds no answer to). ``gateway_rewrite``: the
    recipient's confirmed inbound gateway and how the body shows its own change (its link rewrite,
    or its own ARC set sealed over the body as it reads now), see GatewayChange
    (api._gateway_rewrite), or None. ``forwarded_through``: the forwarder the
    envelope and the boundary hop show the message came through, and whether it rewrote the envelope
    sender (api._forwarded_through), or None: words on a DMARC failure only."""
    if era is not None:
        return _idn_named(_era_verdict(era, _distinct(from_domains), dkim, comparison, findings), from_domains)
    return _trusted_relay_named(_idn_named(_decided(
        from_domains=from_domains, dkim=dkim, spf=spf, dmarc=dmarc, arc=arc, comparison=comparison,
        findings=findings, checked=checked, inside=inside, submitted=submitted, self_signed=self_signed,
        retry=retry, gateway_rewrite=gateway_rewrite, forwarded_through=forwarded_through), from_domains), findings)


def _trusted_relay_named(verdict: Verdict, findings: tuple[Finding, ...]) -> Verdict:
    """The verdict with the trust boundary a user-declared trusted relay moved named after it
    (hops.trusted_relay): whatever it says rests on the user's word as well as on the headers."""
    moved = next((f for f in findings if f.id == "hops.trusted_relay" and "boundary moved" in f.title), None)
    if moved is None:
        return verdict
    return replace(verdict, summary=f"{verdict.summary} The trust boundary is {moved.subject}, where the relay you "
                                    f"declared trusted took the message in (hops.trusted_relay).")


def _idn_named(verdict: Verdict, from_domains: tuple[str, ...]) -> Verdict:
    """The verdict with the first mention of each internationalised From: domain given its other
    form beside it (domains.with_idn_forms), as the From line shows it: "Authenticated as
    xn--fsqu00a.xn--fiqs8s (例子.中国): ..." (verification V40 D4). The checks work on the A-label
    form (RFC 8616 section 4), which is what the words name; the reader's mail program shows the
    U-label. A name written to look like another has that said there too."""
    summary = verdict.summary
    for domain in _distinct(from_domains):
        if domain.isascii() and "xn--" not in domain:
            continue  # nearly every domain: no other form
        shown = with_idn_forms(domain)
        if shown == domain:
            continue
        # The name itself, not the end of a longer one ("mail.xn--..." or "_dmarc.xn--...").
        found = re.search(rf"(?<![\w.-]){re.escape(domain)}(?![\w-]|\.\w)", summary)
        if found is not None:
            summary = f"{summary[:found.start()]}{shown}{summary[found.end():]}"
    return verdict if summary == verdict.summary else replace(verdict, summary=summary)


def _decided(*, from_domains: tuple[str, ...], dkim: tuple[DkimSignatureResult, ...], spf: SpfResult | None,
             dmarc: DmarcResult | None, arc: ArcResult | None, comparison: tuple[Comparison, ...],
             findings: tuple[Finding, ...], checked: bool, inside: tuple[str, bool] | None,
             submitted: str | None, self_signed: frozenset[int], retry: str,
             gateway_rewrite: GatewayChange | None = None,
             forwarded_through: tuple[str, bool] | None = None) -> Verdict:
    """decide, for a message received in DMARC's era, in the words the checks use."""
    verdict = _decide(from_domains=from_domains, dkim=dkim, spf=spf, dmarc=dmarc, arc=arc, comparison=comparison,
                      findings=findings, checked=checked, self_signed=self_signed, retry=retry,
                      gateway_rewrite=gateway_rewrite, forwarded_through=forwarded_through)
    domains = _distinct(from_domains)
    if submitted is not None and len(domains) == 1:
        return _sent_copy_verdict(verdict, submitted, domains[0], dkim, comparison, findings)
    if inside is None or len(domains) != 1:
        return verdict
    how, local_entry = inside
    # A spoofed line stands unless a local program's hand-over shows the message never crossed a
    # network: a notification's marks are text a sender can write. The receiver's own recorded
    # verdicts (a DMARC fail, a spoof verdict) stand as they are.
    overridable = ("unauthenticated", "not_checked", "spoofed") if local_entry else ("unauthenticated", "not_checked")
    if verdict.status not in overridable or _plain_recorded_fail(comparison, findings) \
            or _receiver_evidence(findings) or (dmarc is not None and dmarc.result == "fail"
                                                and handed_over_inside(spf, findings)):
        return verdict  # (the last: _single_domain's own line for a private hand-over says it)
    domain = domains[0]
    signers = _names(s.domain for s in dkim if s.result == "pass" and not s.aligned_by_mode)
    others = f"; DKIM passes only for {signers}" if signers else ""
    unverified = [s for s in dkim if s.aligned and s.result in ("not_checked", "temperror")]
    # A person's message between two mailboxes of one provider was sent there, not generated: the
    # provider's own words say how.
    made = f"{how[0].upper()}{how[1:]}" if how.startswith("sent ") else f"Generated inside the receiving system: {how}"
    where = f"{made}, and every hop is inside it, so SPF and DMARC, {INSIDE_NOT_APPLICABLE}"
    if unverified:
        sig = unverified[0]
        return Verdict(status="not_checked", summary=(
            f"{where}; the DKIM signature by {sig.domain}, which could vouch for {domain}, could not be verified "
            f"({_without_word(sig.reason)})."))
    return Verdict(status="unauthenticated", summary=(
        f"Unauthenticated{':' if how.startswith('sent ') else ','} {where[0].lower()}{where[1:]}; no DKIM signature "
        f"aligned with {domain} vouches for it{others}."))


def _era_verdict(era: Era, domains: list[str], dkim: tuple[DkimSignatureResult, ...],
                 comparison: tuple[Comparison, ...], findings: tuple[Finding, ...]) -> Verdict:
    """The line for mail received before DMARC (and perhaps DKIM and SPF) existed: not_checked,
    as nothing of today can judge it, with what the message does hold. The stamp's date is
    named as what the line rests on: a made-up file can carry any."""
    who = domains[0] if len(domains) == 1 else "its From: domain" if domains else "its sender"
    them = {1: "it", 2: "either"}.get(len(era.predates), "any of them")
    judged = (f"so nothing could authenticate {who} as mail is authenticated now" if era.before("DKIM")
              else f"so no DMARC policy of {who} applied to it")
    # What the message itself shows stays said: a From: without a domain does not depend on the era.
    held: list[str] = [] if domains else ["The message has no From: domain."]
    passing = [s for s in dkim if s.result == "pass"]
    if passing:
        sig = passing[0]
        held.append(f"A DKIM signature by {sig.domain}{', aligned with From,' if sig.aligned else ''} still "
                    "verifies with today's key.")
    elif dkim:
        # The keys of that time are mostly gone: what the check found is said, not judged.
        sig = next((s for s in dkim if s.aligned), dkim[0])
        state = "fails now" if sig.result == "fail" and sig.reason_code not in _UNVERIFIABLE \
            else "could not be verified now"
        held.append(f"Its DKIM signature by {sig.domain} {state}.")
    keys = next((f for f in findings if f.id == "dkim.domainkeys"), None)
    if keys is not None:
        signer = keys.title.removeprefix("DomainKeys signature by ").partition(":")[0]
        held.append(f"It carries a DomainKeys signature by {signer}, the mechanism of its day, unverifiable now.")
    return Verdict(status="not_checked", summary=(
        f"Predates {listed(era.predates)}: received {era.day} ({era.stamp}), before {them} existed, {judged}; "
        "today's DNS says nothing of it, and only its trace can show whether it is genuine. This rests on that "
        "stamp's date, which an altered or made-up file can set." + "".join(f" {words}" for words in held)
        + _recorded_note(comparison, findings)))


def sent_copy(hops: tuple[Hop, ...], boundary_hop: int | None, findings: Iterable[Finding]) -> str | None:
    """Where the copy ends at its authenticated submission to the sender's provider, in words
    ("mx.google.com took it on a login (ESMTPSA, hop 2)"), when the chain says so
    (hops.submission_only: the sender's copy, whose delivery is not in it), else None."""
    if not boundary_hop or not 1 <= boundary_hop <= len(hops) \
            or not any(f.id == "hops.submission_only" for f in findings):
        return None
    entry = hops[boundary_hop - 1]
    by = str(entry.fields.by or entry.organization or "the provider's server")[:120]
    # (A login is not cut inside its address: --redact would show the start of a mailbox name.)
    return (f"hop {entry.number}, where {by} took it after a login "
            f"({address_safe_shortened(str(entry.fields.auth or 'authenticated'), 120)})")


def _sent_copy_verdict(verdict: Verdict, submitted: str, domain: str, dkim: tuple[DkimSignatureResult, ...],
                       comparison: tuple[Comparison, ...], findings: tuple[Finding, ...]) -> Verdict:
    """The line for the sender's copy of a message (see ``sent_copy``): SPF and DMARC judge the
    hand-over to a receiving server (RFC 7208 section 2.4, RFC 7489 section 6.6), which the copy
    does not hold; only a DKIM signature can say something of the From: domain in it. An aligned
    DKIM pass keeps its own line (DMARC passes on it whatever SPF would say), and so does a
    failure the receiving side itself recorded."""
    if verdict.status not in ("unauthenticated", "not_checked") or _plain_recorded_fail(comparison, findings) \
            or _receiver_evidence(findings):
        return verdict
    aligned = [s for s in dkim if s.aligned]
    if aligned:
        sig = aligned[0]
        # Only a verified mismatch fails; a key that is gone (permerror) or a check not made is unknown.
        said = "fails" if sig.result == "fail" and sig.reason_code not in _UNVERIFIABLE else "could not be verified"
        dkim_words = f"the DKIM signature by {sig.domain}, which could vouch for {domain}, {said} ({sig.reason})"
    else:
        dkim_words = f"no DKIM signature aligned with {domain} is in it{_elsewhere(domain, dkim, None)}"
    # A headers paste (no body, not a file cut off at its end) may be the lower part of a
    # delivered header: whoever pasted it chose where it starts, so the receiving hops above the
    # submission may only be left out. The verdict is the same; the words do not claim more.
    pasted = any(f.id == "input.no_body" for f in findings) and not any(f.id == "input.truncated" for f in findings)
    what = ("A sent copy, or a paste that left out the receiving hops above its submission"
            if pasted else "A sent copy, not a delivered one")
    return Verdict(status="not_checked", summary=(
        f"{what}: it ends at its submission, {submitted}. SPF and DMARC, which a "
        f"receiving server checks when the sender's provider hands the message over, cannot be judged from it; "
        f"{dkim_words}."))


def generated_inside(hops: tuple[Hop, ...], boundary_hop: int | None, findings: Iterable[Finding], *,
                     null_notification: bool) -> tuple[str, bool] | None:
    """How the message came to be written inside the receiving system, and whether a local
    program handed it over, or None: every hop shown is inside it (hops.internal_only, not a copy
    cut short), and it entered the mail system with no client from outside, a program on the host
    handing it over (Exim's "with local", a pickup: no client address), or it is an automatic
    notification (a bounce, a report) with the null sender, which the receiving system's own
    servers write (RFC 5321 section 4.5.5)."""
    if not any(f.id == "hops.internal_only" for f in findings):
        return None
    entry = next((hop for hop in hops if hop.number == boundary_hop), None)
    protocol = ((entry.fields.protocol or "").strip()[:20] if entry is not None else "")
    if entry is not None and not entry.fields.from_ip \
            and (protocol.lower().startswith("local") or entry.role is Role.MUA):
        host = (entry.fields.by or "the receiving host")[:120]
        way = f"with {protocol}" if protocol else "no network client"
        handed = f"a program on {host} handed {{}} to the mail system (hop {entry.number}, {way})"
        if null_notification:
            return "a notification with the null sender, which " + handed.format("over"), True
        return handed.format("it"), True
    if null_notification and entry is not None and (not entry.fields.from_ip or is_non_public_ip(entry.fields.from_ip)):
        # Handed over from a private address or none: a public client is where it came from the
        # internet (a person's automatic reply from their provider), whatever the hops' names say.
        return "an automatic notification with the null sender (a bounce or a report its own servers wrote)", False
    return None


# A provider's own statement that a message went from one of its mailboxes to another without
# an SMTP hand-over between organisations: (the organisation its hosts belong to, the field,
# the value, the provider's name). Proton Mail writes "X-Pm-Origin: internal" on mail between
# Proton addresses (custom domains hosted there included), end-to-end encrypted
# ("X-Pm-Content-Encryption: end-to-end"), and "external" on mail that came from outside.
# (organisation, field, value meaning internal, provider, whether the provider documents removing
# the field from mail that enters it from outside). Exchange Online's header firewall removes every
# X-MS-Exchange-Organization-* field of a message that arrives from outside the organisation
# (https://learn.microsoft.com/exchange/mail-flow/mail-routing/header-firewall), so "AuthAs:
# Internal" in mail it delivered is its own record of a sender who logged in to the organisation.
# Its mailbox servers hand mail to each other at Microsoft's public addresses, named only by
# their greeting: the public-client rule below cannot hold there, and the firewall stands in for it.
_PROVIDER_MARKERS = (("proton.me", "X-Pm-Origin", "internal", "Proton Mail", False),
                     ("outlook.com", "X-MS-Exchange-Organization-AuthAs", "internal", "Exchange Online", True))


def sent_inside_provider(message: Message, hops: tuple[Hop, ...], findings: Iterable[Finding],
                         recorded: Iterable[RecordedResult]) -> tuple[str, bool] | None:
    """How the message was sent inside the mail provider that delivered it, by the provider's own
    marker, or None; in the shape of ``generated_inside``, its flag True when the provider documents
    removing the marker from mail that enters from outside (then the marker is the receiving
    system's alone, as a local program's hand-over is, and may override a spoofed line).

    A sender can write any field, and nothing published says the provider removes a look-alike
    from mail that comes from outside: the marker counts only where the chain corroborates it.
    Every hop shown is inside the provider (hops.internal_only), every one was written by its
    hosts, and none records a public client address that the receiver did not name as one of its
    own hosts (a HELO name is the client's own claim); one marker field, with the value meaning
    internal. Mail from outside carries the provider's Received of the outside client, so such a
    marker is not read there. A failure the receiver itself recorded for SPF or DMARC is never
    talked away."""
    if not hops or not any(f.id == "hops.internal_only" for f in findings):
        return None
    for organization, name, value, provider, removed_on_entry in _PROVIDER_MARKERS:
        fields = message.all(name)
        if len(fields) != 1 or fields[0].value.strip().lower() != value:
            continue
        if not all(host_organization(hop.fields.by) == organization for hop in hops):
            continue
        if not removed_on_entry and any(hop.fields.from_ip and not is_non_public_ip(hop.fields.from_ip)
                                        and host_organization(hop.fields.from_rdns) != organization for hop in hops):
            continue
        if any(r.trusted and r.method in ("spf", "dmarc") and r.result not in ("pass", "none", "neutral")
               for r in recorded):
            continue
        encryption = " ".join((message.first("X-Pm-Content-Encryption") or "").split())[:40] \
            if organization == "proton.me" else ""
        encrypted = "; end-to-end encrypted" if encryption.lower() == "end-to-end" else ""
        return (f"sent between {provider} mailboxes, by {provider}'s own marker ({name}: "
                f"{fields[0].value.strip()[:20]}, {header_ref(fields[0].index)}{encrypted})"), removed_on_entry
    return None


def submitted_inside(hops: tuple[Hop, ...], boundary_hop: int | None, findings: Iterable[Finding],
                     recorded: Iterable[RecordedResult], from_domain: str | None,
                     from_address: str | None = None) -> tuple[str, bool] | None:
    """How the message was sent inside the provider that delivered it, by its own stamp of the
    submission, or None; in the shape of ``sent_inside_provider``, its flag True (the receiving
    system's own record). The trust boundary is a customer's submission to the provider's own
    server from a public address (a login recorded, ESMTPA/ESMTPSA, that is the From: address
    itself, ``from_address``; or a submission host that records no login:
    hops.loginless_submission, T-Online's fwd hosts), hops.internal_only says the
    provider delivered it without handing it to another organisation (hops._entered_by_submission),
    and the From: domain is the provider's own: its customer's own address, sent through its own
    server. SPF judges the server that hands mail from one administrative domain to another (RFC
    7208 section 2.1), and the submission authorises the sender by its account (RFC 6409 section
    4.3): the customer's home address is no question for the provider's SPF record. The stamp is
    the receiving side's own (at the boundary), never a sender's: a forger connecting to the
    provider's MX is recorded there, and any submission stamp it writes is below that, outside
    this reading. A From: domain of another organisation keeps the results as they are (a customer
    writing as someone else), and a failure the receiver itself recorded is never talked away."""
    if not boundary_hop or not 1 <= boundary_hop < len(hops) \
            or not any(f.id == "hops.internal_only" for f in findings):
        return None
    entry = hops[boundary_hop - 1]
    fields = entry.fields
    if entry.role is not Role.MSA or not fields.from_ip or is_non_public_ip(fields.from_ip) \
            or not (fields.auth or loginless_submission(fields)):
        return None
    provider = host_organization(fields.by)
    if provider is None or host_organization(normalize_domain(from_domain)) != provider:
        return None
    if any(r.trusted and r.method in ("spf", "dmarc") and r.result not in ("pass", "none", "neutral")
           for r in recorded):
        return None
    login = authenticated_login(fields.auth) if fields.auth else None
    if fields.auth and not (login and from_address and login.strip().lower() == from_address.strip().lower()):
        # A login is the customer's own From: address only where the stamp records that very
        # address: one account writing as another (an organisation's Postfix records
        # "Authenticated sender: mallory@..." under "From: president@...") is the internal fraud
        # SPF and DMARC exist to flag, and a login the stamp does not name (Gmail's "with ESMTPSA
        # id ...") or a relay service's customer server (smtp-relay.gmail.com sending as the
        # provider's own corporate domains) proves no more (verification V47a D-1, D-3).
        return None
    how = (f"after a login as {address_safe_shortened(login, 120)}" if login else
           "its submission host for its customers, whose stamps record no login")
    return (f"sent by a customer of {provider} from {str(fields.from_ip)[:45]} through {provider}'s own server "
            f"{str(fields.by)[:120]} (hop {entry.number}), {how}"), True


def _decide(*, from_domains: tuple[str, ...], dkim: tuple[DkimSignatureResult, ...], spf: SpfResult | None,
            dmarc: DmarcResult | None, arc: ArcResult | None, comparison: tuple[Comparison, ...],
            findings: tuple[Finding, ...], checked: bool, self_signed: frozenset[int] = frozenset(),
            retry: str = "try again later", gateway_rewrite: GatewayChange | None = None,
            forwarded_through: tuple[str, bool] | None = None) -> Verdict:
    domains = _distinct(from_domains)
    # Offline, what needs no DNS still decides: a message without a From: domain, or one where
    # no identity can align with it, is unauthenticated whatever DNS would say.
    # An address literal ("joe@[192.0.2.1]") is an address with no domain: DMARC's own finding says so.
    no_from = not domains and any((f.id == "envelope.no_from" and f.severity is Severity.WARNING)
                                  or f.id == "dmarc.no_from_domain" for f in findings)
    if not checked and not no_from:
        unalignable = _nothing_aligned(domains, findings, comparison)
        if unalignable is not None:
            return Verdict(status="unauthenticated", summary=unalignable + " Whether it asks receivers to reject "
                           "such mail was not checked (offline)." + _recorded_note(comparison, findings))
        note = _recorded_note(comparison, findings, has_from=bool(domains))
        if _plain_recorded_fail(comparison, findings) or (bool(domains) and _receiver_evidence(findings)):
            # The receiver's own verdict is what the line must say first; the re-check is not.
            return Verdict(status="not_checked", summary=(
                note.strip() + " Not re-checked: offline (no DNS), so DKIM, SPF and DMARC were not verified."))
        return Verdict(status="not_checked", summary=(
            "Could not check: offline (no DNS), so DKIM, SPF and DMARC were not verified." + note))
    if not domains:
        passing = _names(s.domain for s in dkim if s.result == "pass")
        tail = (f"; DKIM passes only for {passing}, which vouches for the message but not for a "
                "sender shown to the reader." if passing else ".")
        # A From: address literal beside a receiver's result for a domain: the From: it judged is gone.
        changed = any(item.method == "dmarc" and item.label == "from_changed" for item in comparison)
        return Verdict(status="unauthenticated", summary=(
            "Unauthenticated: the message has no From: domain, so DMARC cannot apply" + tail
            + (_recorded_note(comparison, findings) if changed else "")))

    # With several From: domains DMARC reports the one that decides (the strictest failing one,
    # RFC 7489 section 6.6.1): the line speaks of that one, whose result and policy it gives.
    lead = normalize_domain(dmarc.from_domain) if dmarc is not None and dmarc.from_domain else None
    verdict = _single_domain(lead if lead in domains else domains[0], dkim, spf, dmarc, arc, comparison, findings,
                             self_signed, retry, gateway_rewrite, forwarded_through)
    if len(domains) > 1 and verdict.status in ("authenticated", "unauthenticated", "not_checked"):
        # RFC 7489 section 6.6.1: a message naming several authors' domains cannot be tied
        # to one; mail clients may show either address.
        return Verdict(status="suspicious", summary=(
            f"Suspicious: From: names {len(domains)} domains ({', '.join(domains[:4])}); "
            "DMARC authenticates at most one of them and a mail client may show another. "
            + verdict.summary), authenticated_domain=verdict.authenticated_domain)
    return verdict


def _single_domain(domain: str, dkim: tuple[DkimSignatureResult, ...], spf: SpfResult | None,
                   dmarc: DmarcResult | None, arc: ArcResult | None, comparison: tuple[Comparison, ...],
                   findings: tuple[Finding, ...], self_signed: frozenset[int] = frozenset(),
                   retry: str = "try again later", gateway_rewrite: GatewayChange | None = None,
                   forwarded_through: tuple[str, bool] | None = None) -> Verdict:
    # (In the mode the DMARC record asks, adkim=/aspf=: RFC 7489 sections 3.1.1 and 3.1.2.)
    aligned_dkim = [s for s in dkim if s.result == "pass" and s.aligned_by_mode]
    spf_aligned = spf is not None and spf.result == "pass" and bool(spf.aligned_by_mode)
    modes_unknown = dmarc is not None and dmarc.result == "temperror" and dmarc.record is None
    if modes_unknown:
        # The DMARC record could not be read, and adkim=/aspf= with it: only the very From: domain
        # aligns in either mode (RFC 7489 sections 3.1 and 6.3), as dmarc.py judged; an identifier
        # in the organisation aligns only if the unknown record is relaxed, which is not known.
        aligned_dkim = [s for s in aligned_dkim if s.aligned_strict]
        spf_aligned = spf_aligned and dmarc is not None and dmarc.spf_aligned is True
    dangers = [f for f in findings if f.severity == Severity.DANGER]
    forged = [f for f in findings if f.id == "recorded.untrusted_claim"
              and f.severity in (Severity.WARNING, Severity.DANGER)]

    if dmarc is None or dmarc.result == "not_checked":
        unalignable = _nothing_aligned([domain], findings, comparison)
        if unalignable is not None:
            return Verdict(status="unauthenticated", summary=unalignable + _recorded_note(comparison, findings))
        reason = dmarc.explanation if dmarc else "DMARC was not evaluated"
        uncheckable = next((s for s in dkim if s.aligned_by_mode and s.reason_code in COPY_UNCHECKABLE_CODES), None)
        if dmarc is not None and uncheckable is not None and _plain_recorded_fail(comparison, findings):
            # The copy (a .msg, a .partial.emlx, a cleaned-up paste) cannot re-check the body its
            # aligned signature covers; the receiver, which held the bytes it was sent, recorded
            # DMARC fail. That record is the evidence there is, and nothing here contradicts it: a
            # replayed signature over a swapped body must not read as merely unchecked because the
            # copy lost the body (or because the sender made it look like a paste).
            recorded = _recorded_note(comparison, findings).strip()
            cannot = (f"This copy cannot re-check it: the aligned DKIM signature by {uncheckable.domain} "
                      f"{uncheckable.reason}")
            if failing_disposition(dmarc) not in ("reject", "quarantine"):
                # As the message itself would read with DMARC failing under p=none or t=y (the
                # disposition decides, RFC 9989 section 4.7; a mailing list's footer is the
                # usual cause): unauthenticated, not a forgery sign.
                return Verdict(status="unauthenticated", summary=(
                    f"Unauthenticated: {recorded[:1].lower()}{recorded[1:]} {cannot}; "
                    f"{dmarc.record_domain or domain} publishes {_policy_words(dmarc)}{_pct_note(dmarc)}, so "
                    "receivers deliver it anyway."))
            return Verdict(status="suspicious", summary=f"Suspicious: {recorded[:1].lower()}{recorded[1:]} {cannot}.")
        return Verdict(status="not_checked",
                       summary=f"Could not check: {_without_word(reason)}." + _recorded_note(comparison, findings))
    result = dmarc.result

    older = dmarc.rfc7489
    # (how, the identity's domain) of what passes aligned by RFC 9989.
    passed_by = [*([("DKIM by", dmarc.aligned_dkim_domain)] if dmarc.aligned_dkim_domain else []),
                 *([("SPF for", spf.domain)] if dmarc.spf_aligned and spf is not None and spf.domain else [])]
    if result == "pass" and older is not None and older.result == "fail" and passed_by and not any(
            within(domain.lower().rstrip("."), name.lower().rstrip(".")) for _, name in passed_by):
        # RFC 9989's walk joins the From: domain with a sibling under a record of a name the Public
        # Suffix List lists as a public suffix (blogspot.com's, with no psd=y): by RFC 7489's rules
        # they are two registrants and DMARC fails, as receivers on those rules record (verification
        # V39c). Only the name's owner (the domain itself or a parent) makes that pass sure.
        how, other = passed_by[0]
        signer = f"{how} {other}"
        return Verdict(status="suspicious", summary=(
            f"Suspicious: DMARC passes for {domain} only by RFC 9989's DNS tree walk, through {signer}, another "
            f"name under the organisational domain {dmarc.org_domain}; the Public Suffix List makes "
            f"{older.org_domain or domain} the organisational domain, so by RFC 7489's rules, which receivers still "
            f"widely apply, nothing aligns and DMARC fails: {other} may be another registrant "
            f"than {domain}." + _recorded_note(comparison, findings)))
    if result == "pass" or (result in ("none", "permerror", "temperror") and (aligned_dkim or spf_aligned)):
        how = _how_authenticated(domain, dmarc, aligned_dkim, spf, spf_aligned, dkim)
        qualifier = {
            "pass": "DMARC pass",
            "none": f"{domain} publishes no DMARC policy",
            "permerror": f"{domain} publishes an invalid DMARC record",
            "temperror": "the DMARC record lookup failed temporarily",
        }[result]
        if dangers:
            return Verdict(status="suspicious", authenticated_domain=domain, summary=(
                f"Suspicious: {how} ({qualifier}), but: {dangers[0].title}."))
        tail = _unsigned_tail(aligned_dkim)
        if tail is not None and tail[1] and not spf_aligned:
            # The classic l= attack (RFC 6376 section 8.2): text appended after signing rides on a
            # signature that verifies; only the domain's own SPF pass would vouch for the sender.
            return Verdict(status="suspicious", authenticated_domain=domain, summary=(
                f"Suspicious: {how} ({qualifier}), but {tail[0]} body bytes at the end are covered by no "
                f"signature of {domain}'s (l=): text added after signing, which {domain} does not vouch for (RFC 6376 "
                "section 8.2)."))
        if not spf_aligned and all("subject" in s.unsigned_headers for s in aligned_dkim) and aligned_dkim:
            # No aligned signature covers the Subject (a signer's h= without it: Libero signs
            # "h=From;" on all its mail): a genuine signed message replayed from anywhere with any
            # Subject verifies as well (RFC 6376 section 8.6), as text after l= does; only the
            # domain's own SPF pass would show its server sent this copy (verification V47c D1-2).
            return Verdict(status="suspicious", authenticated_domain=domain, summary=(
                f"Suspicious: {how} ({qualifier}), but no signature of {domain}'s covers the Subject, so a genuine "
                f"signed message sent again from anywhere with any Subject verifies as well, and {domain}'s SPF does "
                "not pass for the server that sent this copy (RFC 6376 section 8.6)."))
        if tail is not None:
            what = "white space" if not tail[1] else "text"
            return Verdict(status="authenticated", authenticated_domain=domain, summary=(
                f"Authenticated as {domain}: {how} ({qualifier}), but {tail[0]} body bytes at the end ({what}) "
                f"are covered by no DKIM signature of {domain}'s (l=)."))
        # The receiver's own DMARC fail is never contradicted in silence: with the record unknown
        # here, the line says what it recorded.
        # Nor where the domain publishes no valid record now (one removed since delivery, V46a): the
        # receiver's fail under the record of that time is news the line must carry.
        contradicted = _recorded_note(comparison, findings) if result in ("temperror", "none", "permerror") \
            and _plain_recorded_fail(comparison, findings) else ""
        # A genuine signature shows what the signer sent, not who sent this copy (RFC 6376
        # section 8.6): a replay's signs are said on the line (replay.possible_replay).
        replayed = ", but it may be a DKIM replay: the signature is genuine, and this copy went to a recipient " \
            "its signed To:/Cc: does not name" if any(f.id == "dkim.possible_replay" for f in findings) else ""
        return Verdict(status="authenticated", authenticated_domain=domain,
                       summary=f"Authenticated as {domain}: {how} ({qualifier}){replayed}.{contradicted}")

    if result == "temperror":
        unalignable = _nothing_aligned([domain], findings, comparison)
        if unalignable is not None:
            # Nothing in the message can align with the From: domain, which needs no DNS to know:
            # trying again later cannot change it (verification V38d: a list copy whose _dmarc
            # lookup timed out read "Could not check ... try again later").
            return Verdict(status="unauthenticated", summary=unalignable + " Whether it asks receivers to reject "
                           "such mail is unknown: its DMARC lookup failed temporarily."
                           + _recorded_note(comparison, findings))
        if dmarc.record is not None:
            # The policy was found; an aligned SPF or DKIM check had the temporary error.
            return Verdict(status="not_checked", summary=(
                f"Could not check: {_without_word(dmarc.explanation)}; {retry}."
                + _recorded_note(comparison, findings)))
        return Verdict(status="not_checked", summary=(
            f"Could not check: the DMARC lookup for {domain} failed temporarily (temperror), and "
            f"{_unknown_record_words(domain, dkim, spf)}; {retry}." + _recorded_note(comparison, findings)))

    delivery = _dmarc_at_delivery(comparison, dkim, self_signed)
    tagged = _only_subject_tag_added(dkim) if delivery is not None \
        and delivery.label == "modified_after_delivery" else None
    if delivery is not None and tagged is not None:
        # The receiver's own transport rule ("[EXTERNAL]") tags the Subject after its check: proven
        # with the key (the aligned signature verifies without the tag and its body hash matches),
        # so the change since delivery is that tag and nothing a forger could use.
        return Verdict(status="authenticated", authenticated_domain=domain, summary=(
            f"Authenticated as {domain} at delivery: the receiving side ({delivery.recorded_by or 'receiver'}) "
            f"recorded a pass; it fails now only because {tagged.verifies_without_subject_tag!r} was added to the "
            f"Subject after that check: with it taken off, the signature by {tagged.domain} verifies "
            "and its body hash matches (checked with the key)."))
    rewritten = _rewritten_by_gateway(delivery, dkim, gateway_rewrite, domain)
    if rewritten is not None:
        return rewritten
    if delivery is not None and delivery.label == "modified_after_delivery":
        # Said as recorded: a dmarc=pass, or (with no dmarc= recorded) an aligned dkim=pass.
        what = (f"DMARC pass for {domain}" if delivery.method == "dmarc"
                else f"a DKIM pass aligned with {domain} ({(delivery.subject or '?').partition('/')[0]})")
        return Verdict(status="suspicious", summary=(
            f"Suspicious: the receiving side ({delivery.recorded_by or 'receiver'}) recorded {what} at "
            f"delivery, but the message was modified since: {delivery.explanation}"))
    if delivery is not None and delivery.label in _DELIVERY_ONLY_LABELS:
        return Verdict(status="authenticated", authenticated_domain=domain, summary=(
            f"Authenticated as {domain} at delivery: the receiving side "
            f"({delivery.recorded_by or 'receiver'}) recorded a pass; it fails now only because "
            f"{_drift_words(delivery)}."))

    # Aligned in the mode the record asks (adkim=s: the very domain, RFC 7489 section 3.1.1): a
    # signature that could not align even if it verified leaves nothing unknown.
    unverifiable = [s for s in dkim if s.aligned_by_mode and s.reason_code in _UNVERIFIABLE]
    if unverifiable and not any(s.aligned_by_mode and s.result == "fail" and s.reason_code not in _UNVERIFIABLE
                                for s in dkim):
        sig = unverifiable[0]
        return Verdict(status="not_checked", summary=(
            f"Could not check: the DKIM signature by {sig.domain} could not be verified ({sig.reason}), "
            f"and SPF does not pass aligned with {domain}." + _recorded_note(comparison, findings)))

    override = _recorded_arc_override(comparison) if result == "fail" and dmarc.arc_sealers else None
    chain_claim = ""
    if result == "fail" and dmarc.arc_sealers and override is not None:
        # RFC 8617 section 7.2: only intermediaries' sets can vouch (the check leaves out the
        # receiving side's own seal, added after it recorded its verdict, section 5.1), and only
        # a receiver that trusts their sealers acts on them: here the receiving side recorded that
        # it accepted the message on the chain's word. What a mailing list's or a forwarder's
        # changed copy gets, not a sign of forgery.
        sealers = _names(dmarc.arc_sealers)
        changers = _names(_arc_changers(arc, findings, dmarc.arc_sealers)) or sealers
        drift = next((item for item in comparison if item.method == "arc"
                      and item.label in ("dns_drift", "key_among_several")), None)
        # As the DKIM drift line: the receiver's check at delivery stands; DNS changed since, or
        # the revoked record used is one of several and the receiver may have used another.
        since = ""
        if arc is not None and arc.result == "neutral" and arc.reason_code == "no_body":
            # A header without its body (auth.dmarc._body_not_copied): what the receiver checked then.
            since = (" It recorded arc=pass at delivery, when it had the body; the body was not in this copy, so the "
                     "newest ARC-Message-Signature's body hash cannot be checked here, and every seal and its signed "
                     "header fields validate.")
        elif drift is not None and arc is not None and arc.result != "pass":
            since = (" It recorded arc=pass at delivery; the chain fails now only because the key record used for a "
                     "sealer's signature is revoked, one of several at its selector: the receiver may have used "
                     "another, not a change to the message." if drift.label == "key_among_several" else
                     " It recorded arc=pass at delivery; the chain fails now only because a sealer's key has since "
                     f"been {'revoked in' if arc.reason_code == 'key_revoked' else 'removed from'} DNS, a DNS "
                     "change, not a change to the message.")
        return Verdict(status="vouched", summary=(
            f"Vouched for by ARC: DMARC fails for {domain} because {changers} (a mailing list or forwarder) "
            f"changed the message, and the receiving side ({override.recorded_by or 'receiver'}) recorded an "
            f"ARC override: it accepted the message on {sealers}'s word (RFC 8617 section 7.2).{since}"))
    if result == "fail" and dmarc.arc_sealers and dmarc.arc_vouched:
        # A valid chain whose first intermediary recorded dmarc=pass, that no receiver recorded
        # acting on: ARC results count only from sealers the receiver trusts (RFC 8617 section
        # 7.2) and headerscope has no such list, so the verdict is what it is without the chain.
        sealers = _names(dmarc.arc_sealers)
        chain_claim = (f" A valid ARC chain sealed by {sealers} claims DMARC passed when the message reached "
                       f"its first sealer, but no receiver recorded acting on it, and anyone can seal a chain with "
                       f"a key in their own DNS: it vouches for nothing by itself (RFC 8617 section 7.2).")

    others = _elsewhere(domain, dkim, spf)
    if result == "fail" and any(f.id == "hops.gateway_unbound" for f in findings):
        # Words only: the boundary's client is Exchange Online Protection's relay, which hands on
        # the recipient's own inbound mail too, but also any other tenant's (hops.gateway_unbound):
        # the status stays, as a forger's own tenant's copy reads the same.
        chain_claim += (" SPF judged Exchange Online Protection's relay, which the recipient domain's MX names but "
                        "which serves every Microsoft 365 tenant: EOP's own records below it cannot be tied to the "
                        "recipient's tenant, and the sender's server was not checked here (hops.gateway_unbound).")
    if result == "fail" and handed_over_inside(spf, findings):
        # SPF and DMARC judge mail arriving from the internet (RFC 7208 section 2.1 checks the
        # client that connected to the receiver). A message that every hop shows inside the
        # receiving organisation, handed over on its private network (a bounce or alert its
        # own servers wrote), never was: failing them says nothing of a forgery.
        assert spf is not None
        if any(f.id == "hops.arrival_missing" for f in findings):
            return Verdict(status="unauthenticated", summary=(
                f"Unauthenticated, as far as this copy shows: it stops before the hop where the message arrived, "
                f"so SPF and DMARC judged a loopback or private address ({spf.client_ip}) where they do not apply; "
                f"no aligned DKIM signature passes{others}."))
        if any(f.id == "hops.delivery_missing" for f in findings):
            return Verdict(status="unauthenticated", summary=(
                f"Unauthenticated, as far as this copy shows: it holds the hops of one organisation only, not "
                f"those of the mailing list it went through, so SPF and DMARC judged a private address "
                f"({spf.client_ip}) where they do not apply; no aligned DKIM signature passes{others}."))
        if any(f.id == "hops.private_entry" for f in findings):
            # No login and no name of the receiver's own for the private client: its own server,
            # or a proxy or NAT hiding where the message came from (hops.private_entry). Neither
            # is said to be the case; SPF against the address judges nothing either way.
            return Verdict(status="unauthenticated", summary=(
                f"Unauthenticated: handed over on the receiving side's private network ({spf.client_ip}), by one "
                f"of its own servers or by a proxy or NAT in front of it that hides where the message came from, "
                f"so SPF and DMARC cannot judge that hand-over; no aligned DKIM signature passes{others}."))
        return Verdict(status="unauthenticated", summary=(
            f"Unauthenticated, sent inside the receiving organisation: every hop is inside it and the "
            f"message was handed over on its private network ({spf.client_ip}), where SPF and DMARC, "
            f"which judge mail arriving from the internet, do not apply; no aligned DKIM signature "
            f"passes{others}."))
    # An rsa-sha1 signature of its era (the receiving side stamped the message before RFC 8301,
    # 2018) that verifies, body and signed header fields: DMARC fails today for the algorithm alone.
    # Not a forgery sign; with a recorded pass it is "authenticated at delivery" above.
    # Only when nothing else speaks against the message (verification V29): no header a reader sees
    # left unsigned, no other aligned signature failing on a change, no danger but DMARC's own
    # failure, and no failure the receiving side recorded then, when rsa-sha1 was accepted.
    of_its_era = next((s for s in dkim if s.aligned_by_mode and s.reason_code == "rsa_sha1"
                       and s.rsa_sha1_accepted_at_delivery and s.body_hash_ok is True and s.key_bits is not None
                       and not s.unsigned_body_text and not s.unsigned_headers), None)
    changed = any(s.aligned_by_mode and s.reason_code in ("body_hash_mismatch", "signature_mismatch", "from_added")
                  for s in dkim)
    other_dangers = [f for f in dangers if f.id != "dmarc.fail"]
    if result == "fail" and of_its_era is not None and not forged and not changed and not other_dangers \
            and not _plain_recorded_fail(comparison, findings):
        return Verdict(status="unauthenticated", summary=(
            f"Unauthenticated by today's rules only: the DKIM signature by {of_its_era.domain} verifies, body and "
            "signed header fields, with rsa-sha1, one of RFC 6376's algorithms when the message was received "
            "(before 2018), which verifiers refuse since RFC 8301; DMARC fails today for that alone, not for a "
            f"change to the message{others}."))
    if result == "fail" and older is not None and older.result == "pass" and not forged and not other_dangers \
            and any(f.id == "dmarc.fail" and f.title.endswith(OLDER_RULES_PASS) for f in findings) \
            and not _plain_recorded_fail(comparison, findings):
        # Passing by RFC 7489's rules, which receivers still widely apply (the Public Suffix List's
        # organisational domain), failing only by RFC 9989's tree walk: the domain's own mail by the
        # rules it was most likely judged by, at risk where receivers follow RFC 9989. Never
        # "spoofed" for that alone.
        how = older_aligned_parent(domain, older, dkim, spf) or "an identity of its organisation"
        return Verdict(status="authenticated", authenticated_domain=domain, summary=(
            f"Authenticated as {domain} by RFC 7489's rules ({how} aligns through the organisational domain "
            f"{older.org_domain or domain}), which receivers still widely apply; by RFC 9989's DNS tree walk "
            f"{dmarc.org_domain or domain} is its own organisational domain, so nothing aligns and DMARC fails "
            f"({_policy_words(dmarc)} where receivers follow RFC 9989){others}."))
    # The effective disposition (after t=y, RFC 9989 section 4.7; pct= is no RFC 9989 tag) decides
    # between spoofed and unauthenticated, so both wordings agree with what receivers do.
    disposition = (dmarc.disposition or dmarc.policy or "").lower()
    forward = _broken_forward_words(domain, dkim, forwarded_through) \
        if result == "fail" and not other_dangers else ""
    if result == "fail" and disposition in ("reject", "quarantine"):
        return Verdict(status="spoofed", summary=(
            f"Spoofed: From claims {domain}, but no aligned DKIM or SPF passes and "
            f"{dmarc.record_domain or domain} publishes {_policy_words(dmarc)}{_pct_note(dmarc)}{others}."
            f"{forward}{chain_claim}"))

    if result == "fail":
        base = (f"From claims {domain}, but no aligned DKIM or SPF passes; {dmarc.record_domain or domain} "
                f"publishes {_policy_words(dmarc)}{_pct_note(dmarc)}, so receivers deliver it anyway{others}."
                f"{forward}")
    elif result == "permerror":
        base = (f"From claims {domain}, whose DMARC record is invalid, and no DKIM or SPF identity "
                f"aligned with it passes{others}.")
    elif dmarc.record is not None:
        base = (f"{domain}'s DMARC record does not apply ({dmarc.policy_reason}) and no DKIM or SPF "
                f"identity aligned with From passes{others}.")
    else:
        base = (f"{domain} publishes no DMARC policy and no DKIM or SPF identity aligned with From "
                f"passes{others}.")
    if forged:
        return Verdict(status="suspicious", summary=(
            f"Suspicious: {base[0].lower()}{base[1:-1]}; yet an authentication result in the "
            "receiver's name, added before it accepted the message, claims pass (possibly forged)."))
    # Where DMARC decides nothing (no policy, an invalid one), the receiver's own evidence of a
    # spoof (its SPF fail for the From: domain, Exchange Online's compauth=fail) is said: "no
    # DMARC policy" alone reads as neutral.
    evidence = _recorded_note(comparison, findings) if result != "fail" and _receiver_evidence(findings) else ""
    return Verdict(status="unauthenticated", summary=f"Unauthenticated: {base}{evidence}{chain_claim}")


def _broken_forward_words(domain: str, dkim: tuple[DkimSignatureResult, ...],
                          forwarded_through: tuple[str, bool] | None) -> str:
    """Why DMARC fails, when the evidence shows a forward that broke the author's signature: an aligned
    signature whose signed header fields are proven intact with the key (its header signature
    verifies and only the body hash differs, dkim body_hash_mismatch; or it verifies with a Subject tag
    taken off, dkim.subject_tag_only_change), and a forwarder the envelope and the boundary hop
    establish (api._forwarded_through). RFC 7960 section 3.2.1: an alias forward keeps the author's
    envelope sender (SPF fails) or rewrites it (SPF passes for the forwarder, which does not align),
    and a change it makes to the message breaks DKIM, so DMARC fails. A replay of a genuine signed
    message with a new body looks the same, so these are words beside the status, never a softer
    one; "" without that evidence."""
    if forwarded_through is None or any(s.aligned_by_mode and s.reason_code == "from_added" for s in dkim):
        return ""
    signature = next((s for s in dkim if s.aligned_by_mode and s.result == "fail"
                      and (s.reason_code == "body_hash_mismatch" or s.verifies_without_subject_tag)), None)
    if signature is None:
        return ""
    forwarder, rewrote = forwarded_through
    body_changed = signature.body_hash_ok is False
    if signature.verifies_without_subject_tag:
        intact = (f"its signed header fields are intact but for {signature.verifies_without_subject_tag!r} added to "
                  "the Subject (it verifies with that taken off, checked with the key)"
                  + ("; the body changed too" if body_changed else ", and the body is unchanged"))
    else:
        intact = "its signed header fields are intact (checked with the key) and only the body changed"
    envelope = ("which rewrote the envelope sender (SRS), so SPF passes only for the forwarder and does not align"
                if rewrote else "which did not rewrite the envelope sender, so SPF fails for the author's domain")
    lookalike = ("a replay of a signed message with a new body" if body_changed
                 else "a signed message sent again by anyone with a tag added to its Subject")
    return (f" DMARC fails because the signature by {signature.domain} no longer verifies: {intact}; and the message "
            f"came through the forwarder {forwarder}, {envelope} (RFC 7960 section 3.2.1). A genuine forward broken "
            f"by its forwarder looks like this, and so does {lookalike}.")


def _arc_changers(arc: ArcResult | None, findings: tuple[Finding, ...], sealers: tuple[str, ...]) -> list[str]:
    """The sealers of the sets after whose checks the body was changed, as arc.body_changed_between
    locates them (its subject names the set: "arc i=N"), among the intermediaries ``sealers``; empty
    when none is located."""
    if arc is None:
        return []
    located = {f.subject for f in findings if f.id == BODY_CHANGED_ID}
    return [i.domain for i in arc.instances
            if i.domain and i.domain in sealers and f"arc i={i.instance}" in located]


def _plain_recorded_fail(comparison: tuple[Comparison, ...], findings: tuple[Finding, ...]) -> bool:
    """The receiver recorded DMARC fail, for the From: shown, with nothing that softens it (an ARC
    override or a composite pass, recorded.dmarc_fail as a notice): what an offline line says first."""
    dmarc = next((item for item in comparison if item.method == "dmarc" and item.recorded), None)
    return (dmarc is not None and dmarc.recorded == "fail" and dmarc.label not in ("from_changed", "different")
            and not any(f.id == "recorded.dmarc_fail" and f.severity is Severity.NOTICE for f in findings))


def _nothing_aligned(domains: list[str], findings: tuple[Finding, ...],
                     comparison: tuple[Comparison, ...] = ()) -> str | None:
    """The verdict's words when no identity in the message can align with the one From: domain
    (dmarc.nothing_aligned, RFC 7489 section 3.1), or when only the envelope sender could and the
    receiving side's own recorded SPF for it is not pass (dmarc.cannot_pass), or None."""
    if len(domains) != 1:
        return None
    if any(f.id == "dmarc.cannot_pass" for f in findings) and not any(f.id == "dmarc.nothing_aligned"
                                                                       for f in findings):
        if _plain_recorded_fail(comparison, findings):
            # The receiver recorded DMARC fail itself: its own verdict leads the line, as before;
            # what rests on its SPF result adds nothing to it.
            return None
        # (The recorded note that follows names the receiver's SPF result this rests on.)
        signed = ("the DKIM signatures in its organisation failed, as the receiving side recorded at delivery, and "
                  "the only other identity"
                  if any(f.id == "dmarc.cannot_pass" and SIGNATURE_RECORDED_FAILING in f.title for f in findings)
                  else "no DKIM signature is in its organisation, and the only identity")
        # The client the receiver's SPF judged may be the recipient's own gateway (offline,
        # hops.gateway_possible): then its fail is the gateway's, and the line says so.
        unless = (" Unless that client was the recipient's own inbound gateway, which the recipient domain's MX "
                  "would show (hops.gateway_possible): then the receiver judged the gateway's address, not the "
                  "sender's server."
                  if any(f.id == "dmarc.cannot_pass" and UNLESS_GATEWAY in f.title for f in findings) else "")
        return (f"Unauthenticated: DMARC for {domains[0]} cannot pass, whatever DNS says: {signed} that could "
                f"align, the envelope sender, did not pass SPF as the receiving side recorded it at delivery.{unless}")
    if not any(f.id == "dmarc.nothing_aligned" for f in findings):
        return None
    return (f"Unauthenticated: nothing in the message can authenticate {domains[0]}: neither a DKIM signature nor an "
            f"envelope sender is in its organisation, so DMARC cannot pass, whatever DNS says.")


def handed_over_inside(spf: SpfResult | None, findings: tuple[Finding, ...] | list[Finding]) -> bool:
    """Every hop shown is inside one organisation (all the message went through, or all a copy
    that stops early holds) and SPF's client is a private address. Not where the boundary hop's field
    holds text the client wrote that the parser could not place (hops.greeting_injection): its
    private or loopback address may be the client's own words ('ident=x (localhost [127.0.0.1]',
    a greeting's record), and a forger's text must not switch SPF and DMARC off (V58a D1-1)."""
    return (spf is not None and is_non_public_ip(spf.client_ip)
            and any(f.id in ("hops.internal_only", "hops.delivery_missing", "hops.arrival_missing") for f in findings)
            and not any(f.id == "hops.greeting_injection" for f in findings))


def _unsigned_tail(aligned_dkim: list[DkimSignatureResult]) -> tuple[int, bool] | None:
    """(bytes, holds text) at the end of the body that no aligned signature covers, when every
    aligned passing signature stops short of it with l=; None otherwise. The bytes are those
    beyond the longest-reaching aligned signature. Another domain's signature over the whole
    body vouches for nothing about the From: domain (the l= attack with the attacker's own
    full-body signature added, RFC 6376 section 8.2), so it does not cover the tail here (unlike
    the dkim.unsigned_body finding, which counts every verified signature)."""
    if not aligned_dkim:
        return None
    reaching = [s for s in aligned_dkim if s.unsigned_body_bytes]
    if len(reaching) != len(aligned_dkim):
        return None  # an aligned signature covers the whole body
    longest = min(reaching, key=lambda s: s.unsigned_body_bytes or 0)
    return longest.unsigned_body_bytes or 0, longest.unsigned_body_text is not False


def _how_authenticated(domain: str, dmarc: DmarcResult, aligned_dkim: list[DkimSignatureResult],
                       spf: SpfResult | None, spf_aligned: bool, dkim: tuple[DkimSignatureResult, ...] = ()) -> str:
    signer = dmarc.aligned_dkim_domain if dmarc.dkim_aligned and dmarc.aligned_dkim_domain else None
    if signer is None and aligned_dkim:
        signer = aligned_dkim[0].domain
    if signer:
        mapping = "" if normalize_domain(signer) == domain else f" ({domain})"
        return f"DKIM signature by {signer} passes and aligns with From{mapping}"
    if spf_aligned and spf is not None:
        source = f" from {spf.client_ip}" if spf.client_ip else ""
        return f"SPF passes for {spf.domain}{source} and aligns with From; {_no_aligned_dkim_words(dkim)}"
    return "an aligned identity passes"


def _no_aligned_dkim_words(dkim: tuple[DkimSignatureResult, ...]) -> str:
    """What the DKIM signatures say when none aligned passes, from the signatures there are. Only a
    signature known to fail (or none at all) makes the SPF pass the one thing a forward would
    break; one whose key lookup failed, or whose body is not here, is unknown, not failing (RFC 6376
    section 6.1.2: TEMPFAIL). Aligned in the mode the record asks: under adkim=s a signature by
    another name in the organisation could not align whatever its key says."""
    aligned = [s for s in dkim if s.aligned_by_mode]
    headers_only = next((s for s in aligned if s.result == "neutral" and s.reason_code == "no_body"), None)
    if headers_only is not None:
        # A headers-only paste: the aligned signature's headers verify, its body is not here.
        return (f"the aligned DKIM signature by {headers_only.domain} could not be checked whole: "
                f"{headers_only.reason}")
    unknown = next((s for s in aligned if s.result in ("neutral", "temperror", "not_checked")
                    or s.reason_code in _UNVERIFIABLE), None)
    if unknown is not None and unknown.reason_code in COPY_UNCHECKABLE_CODES:
        # (Its reason begins with the words that say so: "cannot be checked from this copy: ...".)
        return f"the aligned DKIM signature by {unknown.domain} {unknown.reason}"
    if unknown is not None:
        return f"the aligned DKIM signature by {unknown.domain} could not be verified: {_without_word(unknown.reason)}"
    if not dkim:
        return "the message carries no DKIM signature, so a forward would break it"
    return "no aligned DKIM signature passes, so a forward would break it"


def _unknown_record_words(domain: str, dkim: tuple[DkimSignatureResult, ...], spf: SpfResult | None) -> str:
    """Why nothing authenticates the From: domain while its DMARC record is unknown (a temporary
    DNS error), from the identifiers there are: a pass that aligns only under relaxed rules (the
    unknown record may ask adkim=s or aspf=s, RFC 7489 section 3.1), a signature that could not be
    verified, a failing one, or none."""
    parts: list[str] = []
    relaxed = next((s for s in dkim if s.result == "pass" and s.aligned and not s.aligned_strict), None)
    if relaxed is not None:
        parts.append(f"the DKIM signature by {relaxed.domain} passes, but aligns with {domain} only if the unknown "
                     "record allows relaxed alignment (adkim=s needs the very domain)")
    else:
        unknown = next((s for s in dkim if s.aligned and (s.result in ("neutral", "temperror", "not_checked")
                                                          or s.reason_code in _UNVERIFIABLE)), None)
        failing = next((s for s in dkim if s.aligned and s.result not in ("pass", "none")), None)
        if unknown is not None:
            # (Aligned for sure only when it is the very domain: the record's adkim= is unknown.)
            which = "aligned DKIM signature" if unknown.aligned_strict else "DKIM signature"
            where = "" if unknown.aligned_strict else f" (in {domain}'s organisation)"
            parts.append(f"the {which} by {unknown.domain}{where} could not be verified "
                         f"({_without_word(unknown.reason)})")
        elif failing is not None:
            parts.append(f"the aligned DKIM signature by {failing.domain} does not pass ({failing.result})")
        elif dkim:
            parts.append("no DKIM signature aligned with From passes" + _elsewhere(domain, dkim, None))
        else:
            parts.append("the message carries no DKIM signature")
    if spf is not None and spf.result == "pass" and spf.aligned and not spf.aligned_strict and spf.domain:
        parts.append(f"SPF passes for {spf.domain}, but aligns with {domain} only if the unknown record allows "
                     "relaxed alignment (aspf=s needs the very domain)")
    return "; ".join(parts)


def _policy_words(dmarc: DmarcResult) -> str:
    policy = (dmarc.policy or "none").lower()
    record_p = (dmarc.record.p or "").lower() if dmarc.record else ""
    if record_p and record_p != policy:
        return f"a policy of {policy} for this domain ({dmarc.policy_reason})"
    return f"p={policy}"


def _pct_note(dmarc: DmarcResult) -> str:
    """What t=y does to the policy (RFC 9989 section 4.7), and what pct= does for receivers still on
    RFC 7489 (section 6.6.4; RFC 9989 appendix A.6 removed it)."""
    record = dmarc.record
    policy = (dmarc.policy or "none").lower()
    if record is None or policy == "none":
        return ""
    disposition = (failing_disposition(dmarc) or policy).lower()
    # Parenthesised: the sentence around it goes on with its own "so ...".
    if record.t == "y":
        return f" in testing mode (t=y: receivers apply {disposition} instead)"
    lower = "quarantine" if policy == "reject" else "none"
    if record.pct == 0:
        return (f" with pct=0 (no RFC 9989 tag: receivers still on RFC 7489 apply it to no message and use {lower} "
                "instead)")
    if record.pct < 100:
        return (f" with pct={record.pct} (no RFC 9989 tag: a receiver still on RFC 7489 applies {policy} to "
                f"{record.pct}% of failing messages and {lower} to the rest)")
    return ""


def _recorded_arc_override(comparison: tuple[Comparison, ...]) -> Comparison | None:
    """The receiver's recorded DMARC verdict, when it says it applied an ARC override."""
    for item in comparison:
        if item.method == "dmarc" and item.recorded == "fail" and "arc" in item.explanation.lower() \
                and "override" in item.explanation.lower():
            return item
    return None


def _without_word(explanation: str) -> str:
    """An explanation without its leading result word ("not_checked: ...")."""
    head, colon, rest = explanation.partition(": ")
    return rest if colon and head in ("not_checked", "temperror", "none", "fail", "pass") else explanation


def _elsewhere(domain: str, dkim: tuple[DkimSignatureResult, ...], spf: SpfResult | None) -> str:
    """Identities that pass but do not align: who really vouches for the message."""
    signers = _names(s.domain for s in dkim if s.result == "pass" and not s.aligned_by_mode)
    parts = []
    if signers:
        parts.append(f"DKIM passes only for {signers}")
    if spf is not None and spf.result == "pass" and not spf.aligned_by_mode and spf.domain:
        parts.append(f"SPF passes only for {spf.domain}")
    return ("; " + " and ".join(parts)) if parts else ""


def _dmarc_at_delivery(comparison: tuple[Comparison, ...], dkim: tuple[DkimSignatureResult, ...],
                       self_signed: frozenset[int] = frozenset()) -> Comparison | None:
    """A trusted record of a pass at delivery that no longer holds, and why. A dkim=pass a signing
    host recorded for its own fresh signature (``self_signed``) verified nothing about the sender:
    it is not such a record."""
    for item in comparison:
        if item.method == "dmarc" and item.recorded == "pass" and item.recomputed != "pass":
            return item
    # Aligned as the record asks (adkim=s: the From: domain itself, RFC 7489 section 3.1.1), and not
    # beside the same receiver's own DMARC fail: a signature of a subdomain under adkim=s never
    # aligned, at delivery or now, and a receiver that recorded dmarc=fail judged its dkim=pass
    # unaligned (verification V46a: a strict-alignment message read "Authenticated ... at delivery"
    # once the subdomain's key was rotated out).
    aligned = {f"{s.domain or '?'}/{s.selector or '?'}" for s in dkim if s.aligned_by_mode}
    dmarc_failed_in = {item.recorded_header_index for item in comparison
                       if item.method == "dmarc" and item.recorded == "fail"}
    for item in comparison:
        if item.method == "dkim" and item.recorded == "pass" and item.subject in aligned \
                and item.recorded_header_index not in self_signed \
                and item.recorded_header_index not in dmarc_failed_in \
                and item.label in (*_DELIVERY_ONLY_LABELS, "modified_after_delivery"):
            return item
    return None


def _rewritten_by_gateway(delivery: Comparison | None, dkim: tuple[DkimSignatureResult, ...],
                          gateway_rewrite: GatewayChange | None, domain: str) -> Verdict | None:
    """The verdict when the pass recorded at delivery is the receiving side's own inbound gateway's
    (its authserv-id a name of the confirmed gateway's service, written above the boundary
    Received, where no sender writes: RFC 8601 section 5), the aligned DKIM signature now fails only
    in the body (the signed headers verify), and the body shows that gateway's own link rewrite
    (Proofpoint URL Defense behind Proofpoint: verification V44d). The gateway changed the message
    after it verified it, which it does to the mail of everyone behind it: not a change after
    delivery. Only the domain is vouched for: the body as it reads now is not what was signed, and
    the rewrite is read from marks a later editor could write too, which the words say."""
    if delivery is None or gateway_rewrite is None or delivery.label != "modified_after_delivery":
        return None
    service, rewrite, boundary_index, sealed_record = gateway_rewrite
    if delivery.recorded_header_index is None or delivery.recorded_header_index >= boundary_index \
            or host_organization(delivery.recorded_by) != service:
        return None
    if sealed_record is not None and delivery.recorded_header_index != sealed_record:
        # Proven by the gateway's own ARC set: only that set's record of its check is credited,
        # never another pass (an older set replayed, another field of the receiving side).
        return None
    broken = [s for s in dkim if s.aligned_by_mode and s.result != "pass"]
    if not broken or any(s.reason_code != "body_hash_mismatch" or s.unsigned_headers or s.unsigned_body_bytes
                         for s in broken):
        return None
    what = (f"DMARC pass for {domain}" if delivery.method == "dmarc"
            else f"a DKIM pass aligned with {domain} ({(delivery.subject or '?').partition('/')[0]})")
    signature = broken[0]
    if sealed_record is not None:
        return Verdict(status="authenticated", authenticated_domain=domain, summary=(
            f"Authenticated as {domain} at delivery: the receiving side's own gateway, {service} "
            f"({delivery.recorded_by}), recorded {what} when it took the message in; the aligned DKIM signature by "
            f"{signature.domain or '?'} fails now only in its body (the signed headers are intact), and {rewrite} "
            f"validates over the body as it reads now: the gateway sealed the changed body itself (a "
            f"banner or other text it adds after its check), so the change is the gateway's, not one made after "
            f"delivery. The body as it reads now is not what {domain} signed."))
    return Verdict(status="authenticated", authenticated_domain=domain, summary=(
        f"Authenticated as {domain} at delivery: the receiving side's own gateway, {service} "
        f"({delivery.recorded_by}), recorded {what} when it took the message in; the aligned DKIM signature by "
        f"{signature.domain or '?'} fails now only in its body (the signed headers are intact), and the body "
        f"shows that gateway's own rewrite ({rewrite}), which it makes to the mail it filters after its check: "
        f"the change is most likely the gateway's, not one made after delivery. The body as it reads now is not "
        f"what {domain} signed, and the rewrite is read from marks in it, which whoever changed it could write too."))


def _only_subject_tag_added(dkim: tuple[DkimSignatureResult, ...]) -> DkimSignatureResult | None:
    """A signature aligned with From: (in the record's mode) that fails only for a gateway's tag on
    the Subject: without it the header signature verifies, the body hash matches over
    the whole body (with l= short of it, text added after signing would ride on the pass), no copy
    of a field a reader sees is left unsigned (verification V17 N1: an added Subject above the
    signed one, tagged too), and the tag is one gateways write, not anyone's words (N2)."""
    from .auth.modifiers import gateway_tags  # only for such a signature

    return next((s for s in dkim if s.aligned_by_mode and s.verifies_without_subject_tag and s.body_hash_ok
                 and not s.unsigned_body_bytes and not s.unsigned_headers
                 and gateway_tags(s.verifies_without_subject_tag)), None)


def _drift_words(item: Comparison) -> str:
    if item.label == "expired_since":
        return "the DKIM signature has expired since"
    if item.label == "rules_changed":
        return ("verifiers refuse its rsa-sha1 DKIM signature since RFC 8301 (2018); the signature itself still "
                "verifies, body and signed header fields")
    if item.label == "key_among_several":
        return ("the DKIM key record used now is revoked, one of several at its selector, and the receiver may have "
                "used another (RFC 6376 section 6.1.2), not a change to the message")
    return "DNS changed since delivery (a key was rotated or a policy changed)"


def _receiver_evidence(findings: tuple[Finding, ...]) -> bool:
    """The receiving side recorded, in its own name, that the From: is not authenticated:
    Exchange Online's compauth=fail with no aligned pass beside it, or an SPF fail for an
    envelope sender in the From: domain's organisation (recorded.compauth_fail and
    recorded.spf_fail as warnings)."""
    return any(f.id in ("recorded.compauth_fail", "recorded.spf_fail") and f.severity is Severity.WARNING
               for f in findings)


# Recorded DMARC results that decide nothing about the From: (RFC 7489 section 11.2: no policy
# record, or none could be read): the other methods' results then say what the receiver found.
_UNDECIDED_DMARC = frozenset({"none", "permerror", "temperror"})


def _receiver_note(comparison: tuple[Comparison, ...], findings: tuple[Finding, ...]) -> str | None:
    """The receiving side's trusted results for every method, in one sentence, when they hold
    evidence against the From: (a result other than pass, compauth=fail); None otherwise."""
    composite = next((f for f in findings if f.id == "recorded.compauth_fail"), None)
    dkim = [item for item in comparison if item.method == "dkim" and item.recorded]
    spf = next((item for item in comparison if item.method == "spf" and item.recorded), None)
    dmarc = next((item for item in comparison if item.method == "dmarc" and item.recorded), None)
    against = composite is not None or any(item.recorded != "pass" for item in (*dkim, *([spf] if spf else [])))
    if not against:
        return None
    said: list[str] = []
    for item in dkim[:3]:
        if item.recorded == "none" and not item.subject:
            said.append("no DKIM signature")
        else:
            signer = (item.subject or "").partition("/")[0]
            said.append(f"DKIM {item.recorded}" + (f" for {signer}" if signer and signer != "?" else ""))
    if spf is not None:
        said.append(f"SPF {spf.recorded}" + (f" for {spf.subject}" if spf.subject else ""))
    if dmarc is not None:
        said.append(f"DMARC {dmarc.recorded}{_judged_words(dmarc)}" + (
            " (no DMARC policy applied, so DMARC could not act)" if dmarc.recorded == "none" else ""))
    listed = ", ".join(said[:-1]) + f" and {said[-1]}" if len(said) > 1 else "".join(said)
    writer = next((item.recorded_by for item in (*dkim, spf, dmarc) if item is not None and item.recorded_by), None)
    if writer is None and composite is not None:
        writer = "Exchange Online"  # compauth is its word; its Authentication-Results name no writer
    by = f" ({writer})" if writer else ""
    # (The reason code is the finding's to say: the line names the verdict.)
    if composite is not None and composite.subject == COMPAUTH_FAIL_SUBJECT:
        return (f"The receiving side{by} judged the From: spoofed at delivery (compauth=fail)"
                + (f": it recorded {listed}." if listed else "."))
    tail = ", and its composite authentication failed (compauth=fail)" if composite else ""
    return f"The receiving side{by} recorded {listed or 'no result'} at delivery{tail}."


def _judged_words(item: Comparison) -> str:
    """" for DOMAIN": the domain a recorded DMARC result judged, as the receiver wrote it (its
    header.from), with the From: domain beside it when they differ: Gmail names the organisational
    domain whose policy it applied; an edited copy's From: may be another domain altogether."""
    shown = item.subject or ""
    judged = item.recorded_domain or shown
    if not judged:
        return ""
    if not shown or judged == shown:
        return f" for {judged}"
    if organizational_domain(shown) == judged:
        return f" for {judged} (the organisational domain of {shown})"
    # Another organisation's domain is not named on the line: the recorded field may be a
    # look-alike a sender supplied, and the line would lend the message that domain's name
    # (verification V10, P1). The comparison table names it, with its standing.
    return f" for another From: domain than the one shown now ({shown})"


def _recorded_note(comparison: tuple[Comparison, ...], findings: tuple[Finding, ...], has_from: bool = True) -> str:
    recorded_dmarc = next((item for item in comparison if item.method == "dmarc" and item.recorded), None)
    if has_from and (recorded_dmarc is None or recorded_dmarc.recorded in _UNDECIDED_DMARC):
        # DMARC decided nothing at delivery: what the receiver found by each method is the news.
        summary = _receiver_note(comparison, findings)
        if summary is not None:
            return " " + summary
    for item in comparison:
        if item.method == "dmarc" and item.recorded:
            by = f" ({item.recorded_by})" if item.recorded_by else ""
            if not has_from:
                # A copy without From: (a headers paste cut short, a damaged message): what the
                # receiver judged is said, not compared with a From: that is not there.
                judged = f" for {item.subject}" if item.subject else ""
                return (f" The receiving side{by} recorded DMARC {item.recorded}{judged} at delivery; this copy "
                        "shows no From: domain.")
            notice = next((f for f in findings if f.id == "recorded.dmarc_fail" and f.severity is Severity.NOTICE),
                          None) if item.recorded == "fail" else None
            if notice is not None and notice.subject == ARC_OVERRIDE_SUBJECT:
                # It accepted the message on an ARC chain's word (recorded.dmarc_fail says why).
                return (f" The receiving side{by} recorded DMARC fail at delivery, but accepted the message on "
                        "the word of an ARC chain (a forward or a list).")
            if notice is not None and notice.subject == COMPAUTH_PASS_SUBJECT:
                # Exchange Online's composite authentication passed it (recorded.dmarc_fail says why).
                return (f" The receiving side{by} recorded DMARC fail at delivery, but its composite "
                        "authentication passed the message.")
            if item.label == "from_changed":
                # For another From: domain (see recorded._compare_dmarc): no credit to this one.
                shown = f" ({item.subject})" if item.subject else ""
                return (f" The receiving side{by} recorded DMARC {item.recorded} at delivery, but for another "
                        f"From: domain than the one shown now{shown}.")
            if item.label == "different":
                # For the resender's domain, or resting on identities that cannot align: no credit.
                return (f" The receiving side{by} recorded DMARC {item.recorded} at delivery, but not for the "
                        "From: shown now (see the comparison).")
            # The domain judged is named: "DMARC pass" alone reads as "legitimate", while a look-alike
            # domain passes its own DMARC as well as any.
            judged = _judged_words(item)
            if item.recorded == "pass" and any(f.id == "dmarc.nothing_aligned" for f in findings):
                # No identity in the message can align with From: (dmarc.nothing_aligned): the pass
                # rested on something no longer here, so it cannot be borne out from this copy.
                return (f" The receiving side{by} recorded DMARC pass{judged} at delivery, which nothing now in "
                        "the message can support: the DKIM signature or envelope sender it rested on is gone, or "
                        "was never there.")
            return f" The receiving side{by} recorded DMARC {item.recorded}{judged} at delivery."
    return ""


def _distinct(domains: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for domain in domains:
        name = normalize_domain(domain)
        if name and name not in out:
            out.append(name)
    return out


def _names(domains: Iterable[str | None]) -> str:
    seen: list[str] = []
    for domain in domains:
        if domain and domain not in seen:
            seen.append(domain)
    return ", ".join(seen[:3])
