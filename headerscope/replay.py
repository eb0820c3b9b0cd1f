"""DKIM replay told without an earlier delivery left in the copy (dkim.possible_replay).

A genuine DKIM signature shows what the signer sent, not who sent this copy: anyone who received
a signed message can send it again, unchanged, to recipients of their own choosing, and the
signature still verifies (RFC 6376 section 8.6, "Replay Attacks"). When DMARC passes by that
signature alone and the recipient the receiving side recorded is not among the signed To:/Cc:,
the copy is a blind copy, a forward without a trace, or a replay; envelope.py's
_earlier_delivery_findings tells a replay by an earlier Delivered-To the resender left below the
boundary, and this module by what remains when the resender removed it:

- the envelope sender, or the login the chain records for the submission, belongs to the
  organisation of a signed To:/Cc: address (not the From: domain's): the one who received the
  signed original is the one sending it on;
- the signature's t=, or the Date: it signs, is more than a day before the receiving side's own
  delivery stamp;
- the server that handed the message to the receiving side is refused by the From: domain's own
  SPF record (asked only when one of the signs above already holds, so that a Bcc costs no DNS
  question; the answers join the evidence like any other).

One sign is a notice, two or more a warning. No sign, and nothing is said: an ordinary Bcc.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from .addresses import address_domain, parse_addresses
from .auth.dkim import signature_subject
from .auth.spf import check_spf
from .dns.interface import Resolver
from .domains import organizational_domain
from .hops import list_id_domain
from .message import Message
from .model import DkimSignatureResult, DmarcResult, Envelope, Finding, Hop, Severity, SpfResult
from .received import authenticated_login

_RFC6376_REPLAY = "https://www.rfc-editor.org/rfc/rfc6376#section-8.6"
# Older than this before delivery, a signature is stale for mail that is sent when it is signed.
_STALE = timedelta(days=1)
# Bounds on hostile input: addresses read from the signed fields, recipients said.
_MAX_SIGNED_FIELDS = 4
_MAX_ADDRESSES = 50
_MAX_RECIPIENTS = 3


def _org(domain: str | None) -> str | None:
    return organizational_domain(domain) if domain else None


def _signed(signature: DkimSignatureResult) -> list[str]:
    """The names ``h=`` lists, lower-cased: field names are case-insensitive (RFC 6376 section 3.5),
    and signers write them either way (Microsoft's and Amazon SES's "From:To:Subject")."""
    return [name.lower() for name in signature.signed_headers[:200]]


def _signed_addresses(message: Message, signatures: Sequence[DkimSignatureResult]) -> list[str]:
    """The To:/Cc: addresses the signatures cover: for a name h= lists n times, the n bottom-most
    fields of that name (RFC 6376 section 5.4.2: the signer takes instances from the bottom up)."""
    found: dict[str, None] = {}
    for name in ("to", "cc"):
        fields = message.all(name)
        covered = max((_signed(s).count(name) for s in signatures), default=0)
        if not fields or not covered:
            continue
        for field in fields[-min(covered, _MAX_SIGNED_FIELDS):]:
            for address in parse_addresses(field.value)[:_MAX_ADDRESSES]:
                if address.domain:
                    found.setdefault(address.address.lower(), None)
    return list(found)


def _utc(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 72 else f"{hours / 24:.0f} days"


def possible_replay(message: Message, envelope: Envelope, *, dkim: Sequence[DkimSignatureResult],
                    dmarc: DmarcResult | None, spf: SpfResult | None, hops: Sequence[Hop],
                    from_domain: str | None, delivery_time: datetime | None, date: datetime | None,
                    resolver: Resolver) -> Finding | None:
    """dkim.possible_replay (see the module's words), or None."""
    # The cheap test first: a recipient the header does not name (envelope.py's "bcc", beside
    # To:/Cc: that name others). Most messages stop here.
    # A "list" reading counts too (below): a List-Id is a line anyone adds, unsigned, and one was
    # enough to hide a replay (verification V39d).
    blind = [d.envelope_value for d in envelope.differences
             if d.kind in ("bcc", "list") and d.envelope_value and d.header_value]
    if not blind or not from_domain or dmarc is None or dmarc.result != "pass" or dmarc.dkim_aligned is not True \
            or dmarc.spf_aligned is True:
        return None
    # Only a signature that covers To: says whom the signer addressed (RFC 6376 section 5.4
    # recommends signing it; one that does not is dkim.unsigned_header's).
    signatures = [s for s in dkim if s.result == "pass" and s.aligned_by_mode and "to" in _signed(s)]
    if not signatures:
        return None
    signed = _signed_addresses(message, signatures)
    signed_orgs = {_org(address_domain(address)) for address in signed} - {None}
    if not any(d.kind == "bcc" for d in envelope.differences if d.envelope_value in blind):
        # Read as a mailing list's copy: that is what it is when the list was an addressee of the
        # signed original (To: list@lists.example, resent to the members) or the signer's own list
        # signs the List-Id; a List-Id of another organisation, unsigned, explains nothing.
        list_org = _org(list_id_domain(message.first("List-Id")) or "")
        listed_signed = any("list-id" in _signed(s) for s in signatures)
        if list_org is None or list_org in signed_orgs or listed_signed:
            return None
    from_org = _org(from_domain)
    recipients = ", ".join(str(r)[:120] for r in blind[:_MAX_RECIPIENTS])
    signs: list[str] = []

    # 1. The resender is the signed addressee: its envelope sender or its login is of the
    # organisation the signed To:/Cc: names (and not the author's own: a sender that puts itself in
    # To: and its recipients in Bcc is no resender).
    candidates: list[tuple[str, str]] = []
    if envelope.mail_from:
        candidates.append((envelope.mail_from, f"the envelope sender ({envelope.mail_from_source or 'Return-Path'})"))
    for hop in hops:
        login = authenticated_login(hop.fields.auth)
        if login and "@" in login:
            candidates.append((login, f"the account that logged in to submit it (hop {hop.number}'s Received"
                                      + ("" if hop.trusted else ", a claim of the sending side") + ")"))
    for address, where in candidates[:6]:
        org = _org(address_domain(address))
        if org is not None and org != from_org and org in signed_orgs:
            addressee = next((a for a in signed if a == address.lower()),
                             next(a for a in signed if _org(address_domain(a)) == org))
            whose = ("is that very addressee" if addressee == address.lower()
                     else f"is of {org}, the organisation of {addressee[:120]}, whom the signed To:/Cc: names")
            signs.append(f"{where}, {address[:120]}, {whose}: the one who received the signed original is sending "
                         "it on")
            break

    # 2. Signed long before this delivery: t= (RFC 6376 section 3.5), or the Date: it signs.
    stale = False
    if delivery_time is not None:
        stamps: list[tuple[datetime, str]] = []
        for signature in signatures:
            stamp = _utc(signature.timestamp)
            if stamp is not None:
                stamps.append((stamp, f"it was signed at {stamp:%Y-%m-%d %H:%M} UTC (t=)"))
            if date is not None and "date" in _signed(signature) and len(message.all("Date")) == 1:
                stamps.append((date, f"the Date: it signs is {date:%Y-%m-%d %H:%M %z}"))
        # The older of the two: both are the signer's, and a Date: or t= a day old is stale either way.
        old = min(stamps, key=lambda item: item[0], default=None)
        if old is not None and delivery_time - old[0] > _STALE:
            stale = True
            signs.append(f"{old[1]}, {_hours(delivery_time - old[0])} before the receiving side's own delivery stamp "
                         f"({delivery_time:%Y-%m-%d %H:%M %z}), while mail is signed and dated when it is sent")

    # 3. The server that handed it over is refused by the From: domain's own SPF record: asked
    # only when a sign above already points at a replay, so that a plain Bcc costs no question.
    client = spf.client_ip if spf is not None else None
    if signs and client:
        if spf is not None and spf.domain and spf.domain.lower().rstrip(".") == from_domain.lower():
            refused = spf.result == "fail"
        else:
            own, _findings = check_spf(resolver, client_ip=client, mail_from=f"postmaster@{from_domain}",
                                       helo=None, from_domain=from_domain, inputs_from=None)
            refused = own.result == "fail"
        if refused:
            signs.append(f"{from_domain}'s own SPF record refuses {client}, the server that handed the message to "
                         "the receiving side (fail): the signer does not send from there")
    if not signs:
        return None
    signer = signatures[0].domain or from_domain
    shown = ", ".join(a[:120] for a in signed[:_MAX_RECIPIENTS]) or "others"
    return Finding(
        # A warning when the copy is stale beside another sign, or all three agree: a forward that
        # left no trace but rewrote the envelope to the forwarding organisation shows signs 1 and 3
        # at once, so those two alone are a notice (forwards go on at once; replays come later).
        id="dkim.possible_replay",
        severity=Severity.WARNING if len(signs) >= 3 or (stale and len(signs) >= 2) else Severity.NOTICE,
        title=f"Possibly a DKIM replay: {signer} signed it for {shown[:200]}, and it was delivered to "
              f"{recipients[:200]}",
        explanation=(f"DMARC passes for {from_domain} by {signer}'s DKIM signature alone (no aligned SPF pass), and "
                     f"the recipient the receiving side recorded ({recipients}) is not among the To:/Cc: addresses the "
                     f"signature covers ({shown[:300]}). A genuine signature shows what the signer sent, not who sent "
                     "this copy: anyone who received the signed message can send it again, unchanged, to recipients of "
                     "their choosing, and it still verifies. A blind copy (Bcc) or a forward that left no trace looks "
                     "like this too; what points at a replay here: " + "; ".join(signs) + "."),
        reference=_RFC6376_REPLAY, subject=signature_subject(signatures[0].domain, signatures[0].selector))
