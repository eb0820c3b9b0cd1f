"""The one report data model every check fills and every renderer reads.

All classes are frozen dataclasses; collections are tuples so a Report is immutable
and hashable-ish. ``Report.to_json()`` is the JSON output (see schema/report.schema.json).
Renderers never compute verdicts: whatever they show must be a field here.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import re
from dataclasses import field
from typing import Any

from ._value import Value, frozen
from .text import result_words as _result_words


class Severity(str, enum.Enum):
    """How much a finding matters to a person reading the report."""

    INFO = "info"
    NOTICE = "notice"
    WARNING = "warning"
    DANGER = "danger"


class Role(str, enum.Enum):
    """The agent role of the host that *received* a hop (RFC 5598 section 2)."""

    MUA = "MUA"
    MSA = "MSA"
    MTA = "MTA"
    MDA = "MDA"
    UNKNOWN = "unknown"


class WaitCause(str, enum.Enum):
    """What the message itself says a hop's wait was: the reason a hop's ``hops.slow_hop`` or
    ``hops.wait_explained`` finding gives instead of "a queue" (see ``Hop.wait_cause``)."""

    MAILBOX = "mailbox"
    """The hop before delivered the message into a mailbox; this hop sends it on again."""
    RESUBMITTED = "resubmitted"
    """A program on the host submitted it anew (a list manager, a person re-sending it)."""
    GREYLISTED = "greylisted"
    """The server's greylisting stamp (``X-Greylist``, RFC 6647), when it is the receiving side's
    own field (above the trust boundary's Received); a greylisting field a sender could have
    written gives no cause: the finding quotes it as a claim."""
    RESENT = "resent"
    """A ``Resent-Date`` between the two stamps: someone re-sent it (RFC 5322 section 3.6.6)."""
    PROVIDER_QUEUE = "provider_queue"
    """The sending provider's own stamp of storing it (Gmail's ``X-Received``): the rest of the
    wait was in that provider's hands."""
    EXCHANGE_ARRIVAL = "exchange_arrival"
    """Exchange Online's ``X-MS-Exchange-CrossTenant-OriginalArrivalTime``: the sending tenant
    had accepted it, and the rest of the wait was inside Exchange Online (the field's claim)."""
    MODERATED = "moderated"
    """A list moderator's approval (``X-Mailman-Approved-At``)."""


@frozen
class Finding(Value):
    """One thing the report wants a person to notice, with a stable id for scripts."""

    id: str
    """Stable machine id, dotted, e.g. ``hops.clock_skew`` or ``dkim.body_changed``."""
    severity: Severity
    """How much it matters."""
    title: str
    """One short line."""
    explanation: str
    """Plain-language explanation of what it means and why."""
    reference: str | None = None
    """URL of the RFC section (or other document) the rule comes from."""
    subject: str | None = None
    """What it is about, e.g. ``hop 3`` or ``header 12`` or ``dkim example.com/s1``."""
    count: int = 1
    """How many findings of this id and severity this one stands for: more than a few of one
    kind (200 Authentication-Results fields, each an untrusted claim) are said once, naming
    the first few subjects, so they do not crowd out the rest."""


@frozen
class HeaderField(Value):
    """One header field of the message as it stands in the raw bytes."""

    index: int
    """0-based position among the message's header fields (top = 0); the reports' words say "header 1" for it."""
    name: str
    """Field name as written (case kept)."""
    value: str
    """Unfolded value, RFC 2047 words left encoded, control characters kept; raw bytes that are
    not UTF-8 are read in the charset the message declares (see ``defects``)."""
    decoded: str
    """Value with RFC 2047 encoded-words decoded, for display."""
    defects: tuple[str, ...] = ()
    """Problems seen while reading this field (bad encoding, no colon, ...)."""


@frozen
class TlsInfo(Value):
    """What a Received header says about transport encryption of one hop."""

    encrypted: bool | None
    """True when the hop was encrypted, False when it says plain SMTP, None when unknown."""
    version: str | None = None
    """TLS version as stated (e.g. ``TLSv1.3``, ``TLS1_3``)."""
    cipher: str | None = None
    """Cipher suite as stated."""


@frozen
class ReceivedFields(Value):
    """The fields read from one Received header value (RFC 5321 section 4.4)."""

    from_helo: str | None = None
    """What the client said in HELO/EHLO; for a ``with UUCP`` hop, which has no HELO, the UUCP neighbour's system name."""
    from_rdns: str | None = None
    """Reverse DNS name of the client as the receiver saw it."""
    from_ip: str | None = None
    """Client IP address (v4 or v6), brackets and ``IPv6:`` removed."""
    ident: str | None = None
    """RFC 1413 ident or local user (``from userid 1001``)."""
    by: str | None = None
    """The receiving host."""
    protocol: str | None = None
    """The ``with`` value (ESMTP, ESMTPS, ESMTPSA, LMTP, HTTP, ...)."""
    tls: TlsInfo = field(default_factory=lambda: TlsInfo(encrypted=None))
    """Transport encryption of this hop."""
    auth: str | None = None
    """Authenticated submission marker (ESMTPA, ESMTPSA, HTTP, ``Authenticated sender: x``), the login after the protocol word when the receiver names it; or, prefixed with its field name, a submission stamp the same server wrote beside this Received (SmarterMail's ``X-SmarterMail-Authenticated-As`` just above it; Orange's ``X-ME-Auth`` just below its ``with ME`` Received, after ``X-ME-Helo``, as ``X-ME-Auth: authenticated as LOGIN`` with the login decoded, or ``X-ME-Auth`` when it decodes to none)."""
    id: str | None = None
    """Queue id given by the receiver."""
    server_version: str | None = None
    """The receiving server's version where it writes it in the ``id`` clause instead of a queue id
    (Exchange's build number, ``id 15.1.2507.39``), then not the hop's ``id``."""
    for_: str | None = None
    """The ``for`` clause: the envelope recipient(s) as written."""
    envelope_from: str | None = None
    """Envelope sender when the header records it (``envelope-from``)."""
    via: str | None = None
    """The ``via`` clause (link type)."""
    timestamp: str | None = None
    """ISO 8601 date-time with offset, or None when unreadable."""
    date_text: str | None = None
    """The date text after the semicolon as written."""
    complete: bool = True
    """False when part of the header could not be read (kept raw, fields partial)."""
    problems: tuple[str, ...] = ()
    """What could not be read."""

    def queue_id(self) -> str:
        """The queue id as other fields repeat it: without the brackets and punctuation some
        receivers write around it ("<4XYZ>;"); "" when none was given."""
        return (self.id or "").strip("<>;,. ")


@frozen
class Hop(Value):
    """One hand-over in the chain: the host in ``by`` received it from ``from``."""

    number: int
    """1-based, earliest first."""
    header_index: int
    """Index of the Received header in the message's header fields."""
    fields: ReceivedFields
    """What the header says."""
    raw: str
    """The header value exactly as written (unfolded)."""
    delay_seconds: float | None
    """Signed seconds since the previous hop (or the Date: header for hop 1); None if unknown."""
    role: Role
    """Role of the receiving agent."""
    organization: str | None
    """Organisational domain of the receiving host (Public Suffix List), if known."""
    trusted: bool
    """True for hops added by the receiving side (at or above the trust boundary)."""
    boundary: bool
    """True for the hop where the final receiving organisation accepted from outside."""
    private_client: bool = False
    """True when the client IP is private, loopback or link-local."""
    note: str | None = None
    """What the hop is when its role alone does not say it: a content filter's hand-over on the
    server's loopback address: "content filter amavisd-new" for the filter's own stamp, "back from
    amavisd-new" for its re-injection into the server; qmail-queue's "invoked by uid N" stamp
    just above an SMTP stamp: "queued by hop 2's receiver (uid N)", the receiving program's
    account, not a user's; "queued by hop 2's receiver (qmail-smtpd), not a hand-over" for its
    "invoked from network" stamp, qmail-smtpd's own note; "mailbox retrieval" for an MUA hop that fetched the message from its
    mailbox over POP3 or IMAP (fetchmail), not a submission; "client not recorded" for a stamp by
    an inbound server that names no client (a privacy relay's "by smtp-inbound1.duck.com",
    role unknown); None for most hops."""
    delay_approximate: bool = False
    """True when a stamp the delay is measured between gives no seconds (RFC 5322 section 3.3
    lets a time leave them out): the delay is exact to the minute only."""
    wait_cause: WaitCause | None = None
    """What the message itself says this hop's wait was, when the hop's ``hops.slow_hop`` or
    ``hops.wait_explained`` finding gives that reason (its explanation says it in words); None
    for every other hop. Renderers read this, never the explanation's wording."""
    wait_seconds: float | None = None
    """Seconds the message waited at this hop net of the clock steps the chain shows (the
    measure hops.slow_hop, hops.greylisted and scan's slowest hop use); None when not measurable
    (no stamp, a step back, the time between two deliveries). Equal to ``delay_seconds`` for most hops."""

    def wait_differs(self) -> bool:
        """True when the step forward (``delay_seconds``) is not all a wait: ``wait_seconds`` is
        less, or None. The views show the wait beside the raw step then, as hops.slow_hop says it."""
        return self.delay_seconds is not None and self.delay_seconds > 0 and self.wait_seconds != self.delay_seconds

    def own_words(self) -> str | None:
        """The stamp's text before its date, when it names neither the client nor the receiving
        host, so a table shows what it says instead of blanks: qmail's "(qmail 13850 invoked from
        network)", a filter's "(amavisd-new, port 10024)". Bounded and on one line. For IIS's
        pickup ("from mail pickup service by HOST"), which names no client, what it is."""
        f = self.fields
        if f.from_helo or f.from_rdns or f.from_ip or f.ident:
            return None
        if f.by:
            # IIS's "from mail pickup service by HOST with Microsoft SMTPSVC": a local program
            # dropped the message into the server's pickup directory; no client, no user.
            pickup = " ".join(self.raw[:200].split()[:4]).lower() == "from mail pickup service"
            return "local program (IIS mail pickup service)" if pickup else None
        raw = self.raw[:2000]  # bounded: only 120 characters are shown
        if ";" in raw:
            raw = raw.rpartition(";")[0]
        elif f.date_text:
            # A date without its ";" (SendGrid's stamps, a paste's "Received: Sat, 8 Apr 2023 ..."):
            # the stamp's words are what is left around it, if anything.
            raw = raw.replace(f.date_text, " ", 1)
        words = " ".join(raw.split())
        if words[:5].lower() == "with " and f.protocol:
            # Only a with clause (ECARTIS's "with ECARTIS (v1.0.0; list linux-mips)"): no client
            # to name, and the protocol has a column of its own.
            return None
        return (words[:117] + "…" if len(words) > 120 else words) or None


@frozen
class Address(Value):
    """One mailbox as written in a header or in the envelope."""

    display_name: str | None
    """Display name (decoded), if any."""
    address: str
    """addr-spec as written, or the raw text when it could not be parsed."""
    domain: str | None
    """Lower-cased domain part, if any."""


@frozen
class SrsInfo(Value):
    """A decoded Sender Rewriting Scheme address."""

    scheme: str
    """``SRS0`` or ``SRS1``."""
    original_sender: str | None
    """The sender before forwarding, as far as it can be decoded."""
    forwarder: str
    """The domain that rewrote the address (the current envelope domain)."""
    first_forwarder: str | None = None
    """For SRS1, the domain of the first forwarder."""


@frozen
class RelayInfo(Value):
    """A privacy relay, alias or forwarding service the message passed through, read from the
    fields that service writes (DuckDuckGo's ``Duck-Original-From``, SimpleLogin's
    ``X-SimpleLogin-*``, ...). Every value is the relay's claim: anyone can write those fields,
    so nothing here is authenticated or used for a verdict."""

    service: str
    """The service's name (``DuckDuckGo Email Protection``, ``SimpleLogin``, ...)."""
    direction: str
    """``forward`` (mail to the alias, sent on to its owner), ``reply`` (the alias owner's
    message sent out through the relay under the alias or a reverse alias) or ``unknown``."""
    markers: tuple[str, ...]
    """The fields or address forms that identify the service."""
    alias: str | None = None
    """The alias (or the reverse alias of a reply) the relay used, as the relay writes it."""
    original_sender: str | None = None
    """The sender before the relay rewrote From: or the envelope, as the relay writes it."""
    original_sender_source: str | None = None
    """Where original_sender was read (a field name, or the alias address it is encoded in)."""
    notes: tuple[str, ...] = ()
    """What the relay means for reading the results: the relay's own recorded authentication of
    the original sender when it is none or fail; the From: rewrite that DMARC then judges."""
    in_chain: bool | None = None
    """Whether the receiving side's Received chain shows the relay handing the message over: a hop
    from a client whose reverse DNS name is a host of the relay's own domains, received by a host
    outside them. ``False``: its marks alone name it, and the sender may have written them, so
    ``direction`` is only their claim. ``None``: not checked (Firefox Relay, whose mark is its From:
    domain and which sends through Amazon SES): its marks then explain no recipient absent from
    To: and Cc: (its forwards write the owner in To:)."""
    received_by_relay: bool = False
    """With ``in_chain`` False: the receiving side's own hosts are the relay's provider's (an iCloud
    mailbox for Hide My Email), which receive every message delivered there, so the chain can
    neither show nor rule out the relay."""

    def summary(self) -> str:
        """One line: who relayed it, for which alias, and the original sender it claims."""
        alias = f" for alias {self.alias}" if self.alias else ""
        absent = self.in_chain is False
        # Not checked (Firefox Relay): the marks are the claim, told as marks, as when the chain
        # lacks the relay; what vouches for them is DMARC for the From: domain (said in the tail).
        claimed = absent or self.in_chain is None
        if self.direction == "reply":
            what = ("Marked as sent" if claimed else "Sent") + f" out through {self.service}" \
                + (f" from alias {self.alias}" if self.alias else "") \
                + " (a reply or message from the alias owner, whose real address the relay hides)"
        elif self.direction == "forward":
            what = ("Marked as relayed" if claimed else "Relayed") + f" by {self.service}{alias} (forwarded to the " \
                "alias owner)"
        else:
            what = ("Carries the marks of" if claimed else "Passed through") + f" {self.service}{alias}"
        # No hop of the receiving side was received by or from the relay's hosts: said once,
        # beside the original sender it claims when there is one.
        missing = (f"{self.service} does not appear in the message's Received chain, so the message may never have "
                   "passed through it") if not self.received_by_relay else (
            f"{self.service}'s provider is the receiving side here, whose hops are in every message delivered to it, so "
            "the Received chain cannot show whether the message passed through the relay")
        original = (f"; original sender {self.original_sender} (the relay's claim, from {self.original_sender_source}"
                    + (f"; but {missing}" if absent else "") + ")" if self.original_sender else "")
        tail = f" {missing}." if absent and not self.original_sender else ""
        if self.in_chain is None:
            tail += (f" {self.service}'s mark is its own From: domain, which DMARC judges: a DMARC pass for that "
                     "domain says the relay sent it.")
        return (f"{what}{original}. Read from {', '.join(self.markers)}: fields anyone can write, not "
                f"authenticated.{tail}")


@frozen
class EnvelopeDifference(Value):
    """One explained difference between envelope and header addresses."""

    kind: str
    """Stable id: ``srs``, ``verp``, ``bounce``, ``bcc``, ``reply_to_domain``, ``display_name_address``, ``display_name_domain``, ``address_decoy`` (an address that shows another: a local part holding an address, a NUL or control character), ``mail_from_domain``, ``forwarded``, ``list`` (a mailing list resent it to its members), ``batv`` (a BATV-signed form of the sender's own address), ``alias`` (a recipient the receiver rewrote from a To:/Cc: addressee: qmail's virtual-domain prefix), ``local`` (a mailbox of the receiving host alone), ``sender``, ``null_sender`` (``<>`` on a message that is no bounce or automatic reply), ``redelivered`` (a ``<>`` Return-Path on a copy the receiving side re-delivered, while its own records name the non-null MAIL FROM it accepted), ``claimed_rcpt`` (a recipient field below every Received, a milter's or the sender's, naming a recipient the receiving side's own record does not, or where it recorded none: ``envelope_value`` is that record (None when none), ``header_value`` the claimed address; see ``Envelope.claimed_rcpt_to``), ``co_recipient`` (another RCPT TO of the same SMTP transaction, not this copy's: the receiving side's X-Envelope-To, amavisd-new's list of the transaction's recipients, names it beside this copy's own recipient, ``header_value``; not in To:/Cc:)."""
    explanation: str
    """Plain-language explanation."""
    envelope_value: str | None = None
    """The envelope side of the comparison."""
    header_value: str | None = None
    """The header side of the comparison."""


@frozen
class Envelope(Value):
    """SMTP envelope as recorded in the message, beside the header addresses."""

    mail_from: str | None
    """Final MAIL FROM (Return-Path, or envelope-from); ``""`` for the null sender."""
    mail_from_source: str | None
    """Where mail_from was read (``Return-Path``, ``Received envelope-from``, ...)."""
    rcpt_to: tuple[str, ...]
    """Envelope recipients found (Delivered-To, X-Original-To, Envelope-To, for clauses)."""
    rcpt_to_sources: tuple[str, ...]
    """For each rcpt_to, where it was read."""
    header_from: tuple[Address, ...]
    """From: mailboxes."""
    sender: Address | None
    """Sender:, if present."""
    reply_to: tuple[Address, ...]
    """Reply-To: mailboxes."""
    to: tuple[Address, ...]
    """To: mailboxes."""
    cc: tuple[Address, ...]
    """Cc: mailboxes."""
    srs: SrsInfo | None
    """Decoded SRS address when MAIL FROM is SRS-rewritten."""
    differences: tuple[EnvelopeDifference, ...]
    """Each explained difference between envelope and headers."""
    claimed_mail_from: str | None = None
    """When the receiving side recorded no MAIL FROM: the envelope sender a hop below the trust
    boundary claims (an earlier server's Received envelope-from); or a Return-Path below the
    boundary Received that the receiver's own SPF record contradicts; or what a damaged Return-Path (its
    angle brackets do not pair) reads as. Shown, never used for SPF."""
    claimed_mail_from_source: str | None = None
    """Where claimed_mail_from was read (``Received envelope-from (hop N, a claim)``,
    ``Return-Path (header N) below the boundary Received``, ``Return-Path (header N), damaged: ...``)."""
    resent_from: tuple[Address, ...] = ()
    """Resent-From: of the latest resent block (RFC 5322 section 3.6.6: who reintroduced the
    message; a resent block is prepended, so the topmost fields are the latest)."""
    resent_to: tuple[Address, ...] = ()
    """Resent-To: of the latest resent block: the addressees of the message's last leg."""
    resent_cc: tuple[Address, ...] = ()
    """Resent-Cc: of the latest resent block."""
    resent_date: str | None = None
    """Resent-Date: of the latest resent block, as written (on one line, bounded)."""
    relay: RelayInfo | None = None
    """The privacy relay, alias or forwarding service whose marks the message carries (claims,
    never authenticated), or None."""
    rcpt_to_roles: tuple[str, ...] = ()
    """For each rcpt_to, its role: ``rcpt`` (a recipient as the receiver took it, in RCPT TO or
    as its MDA recorded it) or ``resolved_mailbox`` (the mailbox the receiver delivered to after
    its own alias or virtual expansion, or a forward inside it: Postfix's Delivered-To beside a
    different X-Original-To, Fastmail's X-Resolved-To, a Delivered-To above another): not a
    separate RCPT TO. Empty when not known (read as ``rcpt``)."""
    other_recipients: tuple[str, ...] = ()
    """Envelope recipients the receiver recorded that are no address, described: a program the
    message was piped to (``a program: |/path/prog args``), a mailbox or quarantine of the
    receiving host alone (``a local mailbox: spam-quarantine``). Bounded."""
    other_recipient_sources: tuple[str, ...] = ()
    """For each other_recipients entry, where it was read."""
    claimed_rcpt_to: tuple[str, ...] = ()
    """Recipients that a recipient field below every Received names (X-Envelope-To, Delivered-To...)
    while the receiving side recorded others of its own (above its boundary Received, or in its
    hops' ``for`` clauses), or recorded none (RCPT TO is then not recorded, or an earlier hop's
    claim): unverified claims, shown beside RCPT TO and never used as it. A
    milter appending to the header writes there (the SMTP transaction's recipients before the
    delivery agent's split and alias expansion), and so does the sender. Each is explained in a
    ``claimed_rcpt`` difference. Bounded."""
    claimed_rcpt_to_sources: tuple[str, ...] = ()
    """For each claimed_rcpt_to entry, where it was read and who could have written there
    (``X-Envelope-To (header 19), below every Received: a milter's or the sender's``)."""
    earlier_mail_from: tuple[str, ...] = ()
    """MAIL FROM addresses of earlier deliveries inside the receiving side, each a Return-Path the
    receiver wrote below the top one (a forward at the receiver: Gmail's auto-forwarding delivers
    the message first to the forwarding mailbox, with the author's envelope sender, then again
    with its own); "" for the null sender. Bounded."""
    earlier_mail_from_sources: tuple[str, ...] = ()
    """For each earlier_mail_from entry, where it was read."""
    to_without_address: str | None = None
    """The To: field as written (one line, bounded) when it names no address: an empty group such
    as ``undisclosed-recipients:;`` (RFC 5322 section 3.4), the mark of a message sent to Bcc
    recipients only; None when To: names an address or is absent."""

    def author(self) -> Address | None:
        """The From: mailbox to show: the first with a domain (text that is no address beside it
        is a decoy, envelope.from_not_an_address), else the first as written."""
        return next((a for a in self.header_from if a.domain), self.header_from[0] if self.header_from else None)

    def rcpt_role(self, index: int) -> str:
        """The role of rcpt_to[index] (``rcpt`` when not recorded)."""
        return self.rcpt_to_roles[index] if index < len(self.rcpt_to_roles) else "rcpt"

    def null_sender_words(self) -> str:
        """How a report shows the null MAIL FROM: what it is for, or that this message is none of that."""
        if any(d.kind == "null_sender" for d in self.differences):
            return "<> (null sender, on a message that is no bounce or auto-reply)"
        return "<> (null sender: a bounce or auto-reply)"


@frozen
class DnsRecordUse(Value):
    """One DNS query made during the analysis, and its answer: the evidence."""

    name: str
    """Queried name, lower case, no trailing dot."""
    rdtype: str
    """Record type (TXT, A, AAAA, MX, PTR, CNAME)."""
    status: str
    """NOERROR, NXDOMAIN, NODATA, SERVFAIL, TIMEOUT, REFUSED, FORMERR, NOTIMP, OFFLINE, BUDGET or
    NOT_RECORDED. REFUSED, FORMERR and NOTIMP are the server's own error rcode: failures, as SERVFAIL is.
    BUDGET: not asked, the analysis's DNS time budget being spent (a failure for the checks too).
    NOT_RECORDED: not in a snapshot written by --record-dns (unknown, a failure for the checks too)."""
    records: tuple[tuple[str, ...], ...]
    """Answers; each record is a tuple (TXT: its character-strings; others: one string)."""
    cname_chain: tuple[str, ...] = ()
    """The names a CNAME led through, in order; the last holds the records (or gave the status).
    Empty when the queried name answered itself."""
    more_records: int = 0
    """Records of the answer left out of ``records`` (50 are kept as evidence, in the answer's
    order: every SPF, DMARC and DKIM key record first, then the first others; the checks saw
    them all)."""
    more_octets: int = 0
    """Octets (UTF-8) cut from the ends of the records kept: each keeps its first 4,096
    characters as evidence (the checks saw them whole)."""

    def left_out_words(self) -> str:
        """What the evidence leaves out of the answer, in words ("" when nothing)."""
        parts = []
        if self.more_records:
            parts.append(f"{self.more_records} more record{'s' if self.more_records != 1 else ''}")
        if self.more_octets:
            parts.append(f"{self.more_octets} more octet{'s' if self.more_octets != 1 else ''}")
        return f"{' and '.join(parts)} not shown; the checks used the whole answer" if parts else ""


def _alignment_phrase(relaxed: bool | None, strict: bool | None, mode: str | None, tag: str) -> str:
    """"aligned with From" and its kin, in the mode the From: domain's DMARC record asks, so that
    a DKIM or SPF row never says "aligned" where the DMARC row says it does not align (RFC 7489
    sections 3.1.1 and 3.1.2: strict alignment needs the very domain, relaxed the organisational one)."""
    if relaxed is None:
        return ""
    if mode != "strict":
        return "aligned with From" if relaxed else "not aligned with From"
    if strict:
        return "aligned (strict) with From"
    if relaxed:
        return f"aligned (relaxed) with From but not strictly, as its DMARC record asks ({tag}=s)"
    return "not aligned with From"


@frozen
class DkimSignatureResult(Value):
    """The re-verification of one DKIM-Signature (RFC 6376)."""

    index: int
    """0-based order among DKIM-Signature fields, top first."""
    header_index: int
    """Index of the field among all header fields."""
    domain: str | None
    """``d=`` signing domain."""
    selector: str | None
    """``s=`` selector."""
    algorithm: str | None
    """``a=`` algorithm."""
    canonicalization: str | None
    """``c=`` header/body canonicalization."""
    signed_headers: tuple[str, ...]
    """``h=`` list as written."""
    body_length: int | None
    """``l=`` body length limit."""
    timestamp: str | None
    """``t=`` as ISO 8601 UTC."""
    expiration: str | None
    """``x=`` as ISO 8601 UTC."""
    key_bits: int | None
    """Public key size in bits (RSA), 256 for ed25519."""
    key_testing: bool
    """The key record has ``t=y`` (testing mode)."""
    result: str
    """RFC 8601 result: pass, fail, neutral, policy, temperror, permerror, none; or ``not_checked`` (offline)."""
    reason: str
    """Why, in words a person needs."""
    reason_code: str
    """Stable code: ok, body_hash_mismatch, signature_mismatch, key_not_found, key_revoked, offline,
    not_original (input not the signed bytes: .msg, paste), body_uncheckable (its signed header fields verify
    but its body cannot be checked from a copy that does not keep the signed body, an Outlook .msg, Apple
    Mail's .partial.emlx or a paste the loader cleaned up; see COPY_UNCHECKABLE_CODES), redacted (masked in the copy), cut_off (the paste stops
    inside it), shortened (a value shortened by hand in the copy), key_too_large, expired (before delivery, or
    before now when the delivery time is unknown), expired_after_delivery (a pass: valid at delivery, the
    verification time of RFC 6376 section 3.5, expired since), ..."""
    aligned: bool | None
    """Whether d= aligns (relaxed: same organisational domain) with the From: domain, whatever the
    DMARC record asks; None when no From: domain. ``aligned_by_mode`` applies the record's adkim=."""
    aligned_strict: bool | None
    """Whether d= equals the From: domain."""
    alignment_mode: str | None = None
    """The DKIM alignment mode the From: domain's DMARC record asks (adkim=): ``relaxed`` or ``strict``;
    None when no record was found (relaxed applies, RFC 7489 section 6.3)."""
    auid: str | None = None
    """``i=`` agent or user identifier."""
    body_hash_ok: bool | None = None
    """Whether the body hash matched (None when not computed)."""
    body_hash_words: str | None = None
    """What a matching body hash alone says when the key could not be had (offline, a DNS
    failure, a key gone): shown in the signature's row after ``reason``, never quoted elsewhere
    (anyone can write the hash of a body of their own); None otherwise."""
    unsigned_body_bytes: int | None = None
    """Bytes of body beyond ``l=`` that no signature covers."""
    unsigned_headers: tuple[str, ...] = ()
    """Header fields present but not covered, that matter (From, Subject, ...)."""
    not_oversigned: tuple[str, ...] = ()
    """Important headers signed but not over-signed (a second copy could be added)."""
    unsigned_body_text: bool | None = None
    """Whether the body bytes beyond ``l=`` hold more than white space (None when there are none)."""
    rsa_sha1_accepted_at_delivery: bool = False
    """An rsa-sha1 signature on mail the receiving side stamped (its trusted Received) before RFC 8301
    retired rsa-sha1 in January 2018, and whose t= is not later: one of RFC 6376's algorithms then."""
    verifies_without_subject_tag: str | None = None
    """The tag(s) at the start (or end) of the Subject with which taken off the failing header signature
    verifies (added after signing, the only change to the signed fields); None otherwise."""
    key_among_several: bool = False
    """reason_code key_revoked with a key record that is one of several DKIM key records at the
    selector, the first, the one used (RFC 6376 section 3.6.2.2: the result is then undefined): a
    verifier may use another (section 6.1.2), so a pass recorded at delivery needs no DNS change.
    Not set when every other key record at the selector was tried (at most four in all) and none
    verified it."""
    key_record_verified: str | None = None
    """Which TXT record at the selector verified the signature when the one used first did not (RFC
    6376 section 6.1.2 lets a verifier cycle through a selector's key records, at most four here):
    "the second of 3 TXT records at NAME verified it; the first did not"; None otherwise. A key the
    signer's domain publishes is the domain's, whichever record holds it."""
    lines_added_after_signing: int | None = None
    """On a message with a List-Id, lines added at the end of the body after signing (a list's
    footer, RFC 6377 section 5), proven: the body hash matches the body without them, and the header
    signature verifies with the key (as delivered, or with the list's other changes undone); None
    otherwise."""

    @property
    def row_reason(self) -> str:
        """The reason as the signature's own row shows it: with what the body hash alone says."""
        return f"{self.reason}; {self.body_hash_words}" if self.body_hash_words else self.reason

    @property
    def aligned_by_mode(self) -> bool | None:
        """Alignment as the DMARC record's adkim= asks (RFC 7489 section 3.1.1): strict when it
        says so, relaxed otherwise."""
        return self.aligned_strict if self.alignment_mode == "strict" else self.aligned

    def alignment_words(self) -> str:
        """The DKIM row's alignment in words, agreeing with the DMARC row's mode."""
        return _alignment_phrase(self.aligned, self.aligned_strict, self.alignment_mode, "adkim")


@frozen
class ArcInstance(Value):
    """One ARC set (RFC 8617): seal, message signature and authentication results."""

    instance: int
    """``i=`` value."""
    domain: str | None
    """Sealer's ``d=``."""
    selector: str | None
    """Sealer's ``s=``."""
    cv: str | None
    """``cv=`` recorded in the ARC-Seal."""
    seal_result: str | None
    """Our verification of this ARC-Seal: pass/fail, permerror (key not published), None (not checked)."""
    signature_result: str | None
    """Our verification of this ARC-Message-Signature."""
    authentication_results: str | None
    """The ARC-Authentication-Results value: what this intermediary saw."""
    seal_key_record: str | None = None
    """Which TXT record at the seal's selector verified it when the one used first did not (RFC 6376
    section 6.1.2 lets a verifier cycle through a selector's key records): "the second of 3 TXT
    records at NAME verified it; the first did not"; None otherwise."""
    signature_key_record: str | None = None
    """The same for this ARC-Message-Signature."""


COPY_UNCHECKABLE_CODES = frozenset({"body_uncheckable"})
"""Reason codes (DKIM and ARC) of a signature that cannot be checked from a copy whose header is the
one received but whose body is not the one that was signed (see UncheckableBody: an Outlook .msg
keeps the decoded text, Apple Mail's .partial.emlx keeps attachments in separate files, a paste's
body is what a page or mail program showed, re-spaced):
``body_uncheckable``, its signed header fields verify (over the header as the copy keeps it) and
only its body hash cannot be checked. Not a failure: the outcome is unknown
(auth.dkim._uncheckable_words). A signature whose header fields do not verify fails as on any copy."""
CANNOT_CHECK_FROM_COPY = "cannot be checked from this copy"
"""How the reason of such a signature (or ARC chain) begins."""


@frozen
class UncheckableBody(Value):
    """Why the body of a copy is not the one that was signed while its header fields are as
    received (LoadedInput.uncheckable_body): a DKIM or ARC body hash then says nothing either way,
    and signed header fields still verify (COPY_UNCHECKABLE_CODES)."""

    words: str
    """What the body is instead, in words that follow "the body is": "the decoded text Outlook keeps
    in a .msg"."""
    rewritten_fields: tuple[str, ...] = ()
    """The header fields (lower case) headerscope's rebuild of the copy wrote itself instead of the
    received ones (a .msg with embedded messages, msg.REWRITTEN_FIELDS). Empty when the header is
    kept whole."""
    received_header: bytes | None = None
    """When ``rewritten_fields`` is not empty: the header section the rebuild started from, as the
    copy keeps it (a .msg's transport headers, CR LF line ends, ending in the empty line), which
    holds the received fields of those names verbatim. A signature over them is verified over this
    header instead (RFC 6376 section 5.4.2 selects the fields of a name from the bottom up, so all
    of them are the received ones, in their order). None when not known: such a signature is then
    verified over the rebuilt header, and fails as on any copy."""
    apple_mail_parts: bool = False
    """The copy is Apple Mail's .partial.emlx (or a message carried in one) whose parts Mail keeps
    in separate files: the messages it carries may have parts cut the same way (loader.load_carried)."""


@frozen
class ArcResult(Value):
    """The ARC chain validation (RFC 8617 section 5.2)."""

    result: str
    """none, pass, fail, temperror, permerror, neutral (no body, or a copy without the signed body), or
    ``not_checked`` (offline)."""
    reason: str
    """Why."""
    instances: tuple[ArcInstance, ...]
    """Each set, lowest instance first."""
    oldest_pass: int | None = None
    """Lowest instance whose AMS still validates (RFC 8617 section 5.2 step 6)."""
    reason_code: str = ""
    """Stable code: ok, no_arc, chain_terminated, invalid, key_not_found, key_revoked, temperror, offline,
    no_body, incomplete_copy (a pasted header holds a set in part), duplicate_set (one instance's set twice:
    copied or replayed), instance_limit (instances above 50, RFC 8617 section 4.2.1), library_error,
    body_uncheckable (neutral: the newest ARC-Message-Signature's body hash cannot be checked from a copy
    that does not keep the signed body, see COPY_UNCHECKABLE_CODES)."""
    key_among_several: bool = False
    """reason_code key_revoked with the revoked key record one of several DKIM key records at its
    selector, the one used (RFC 6376 section 3.6.2.2: undefined): a verifier may use another
    (section 6.1.2; an ARC key is looked up as a DKIM key, RFC 8617 section 5.2), so a recorded
    arc=pass needs no DNS change."""


@frozen
class SpfResult(Value):
    """SPF evaluation for the boundary hop's client (RFC 7208)."""

    result: str
    """pass, fail, softfail, neutral, none, temperror, permerror, or ``not_checked``."""
    client_ip: str | None
    """IP evaluated."""
    mail_from: str | None
    """MAIL FROM evaluated (``postmaster@HELO`` substituted for the null sender)."""
    helo: str | None
    """HELO evaluated."""
    domain: str | None
    """Domain whose policy was evaluated."""
    record: str | None
    """The SPF record text."""
    mechanism: str | None
    """The mechanism that matched."""
    explanation: str
    """Why, in words."""
    lookups: int | None
    """DNS-querying terms counted (limit 10, RFC 7208 section 4.6.4)."""
    void_lookups: int | None
    """Void lookups counted (limit 2)."""
    helo_result: str | None
    """Result of the HELO identity's own check."""
    inputs_from: str | None = None
    """Where the inputs came from (``hop 3``, ``command line``)."""
    aligned: bool | None = None
    """Whether the SPF domain aligns (relaxed: same organisational domain) with the From: domain:
    identifier alignment, whatever the result (DmarcResult.spf_aligned says whether it also passed)
    and whatever the DMARC record's aspf= (``aligned_by_mode`` applies it)."""
    aligned_strict: bool | None = None
    """Whether the SPF domain equals the From: domain."""
    alignment_mode: str | None = None
    """The SPF alignment mode the From: domain's DMARC record asks (aspf=): ``relaxed`` or ``strict``;
    None when no record was found (relaxed applies, RFC 7489 section 6.3)."""
    helo_note: str | None = None
    """Why the HELO identity was not checked: it is not a domain name (an address literal, a bare
    word, qmail's ``?192.0.2.1?``), and RFC 7208 section 2.3 checks only a fully qualified one.
    ``helo_result`` is then ``none`` and no DNS question was asked for it."""

    @property
    def aligned_by_mode(self) -> bool | None:
        """Alignment as the DMARC record's aspf= asks (RFC 7489 section 3.1.2)."""
        return self.aligned_strict if self.alignment_mode == "strict" else self.aligned

    @property
    def evaluated(self) -> bool:
        """A policy was evaluated to a final result, so the matched mechanism and the lookup count
        are facts (not for ``not_checked``, nor for a ``temperror`` that stopped the evaluation)."""
        return self.result not in ("not_checked", "temperror")

    def detail_words(self) -> tuple[str, ...]:
        """The SPF row's details in words, from the facts there are: the inputs (or that none was
        recorded), the matched mechanism and the lookups only when a policy was evaluated, the
        domain's alignment with From:, and the explanation. One wording for every renderer."""
        inputs = (f"{self.client_ip} for {self.mail_from} (HELO {self.helo or 'not recorded'})"
                  if self.client_ip and self.mail_from else
                  f"client {self.client_ip or 'not recorded'}, MAIL FROM {self.mail_from or 'not recorded'}, "
                  f"HELO {self.helo or 'not recorded'}" if self.client_ip or self.mail_from or self.helo
                  else "no client IP, MAIL FROM or HELO recorded")
        lookups = (f"{self.lookups} of 10 DNS lookups" if self.evaluated and self.lookups is not None else None)
        alignment = (None if self.aligned is None or not self.domain else
                     f"domain {self.domain} "
                     + _alignment_phrase(self.aligned, self.aligned_strict, self.alignment_mode, "aspf"))
        return tuple(x for x in (
            inputs,
            f"matched {self.mechanism}" if self.mechanism else None,
            lookups,
            self.helo_note if self.helo_note else
            f"HELO identity: {_result_words(self.helo_result)}" if self.helo_result else None,
            f"inputs from {self.inputs_from}" if self.inputs_from else None,
            alignment,
            self.explanation) if x)


@frozen
class DmarcRecord(Value):
    """A parsed DMARC record (RFC 9989 section 4.7; pct=, rf=, ri= are RFC 7489 section 6.3's)."""

    raw: str
    """Record text."""
    tags: tuple[tuple[str, str], ...]
    """Every tag as written, in order."""
    p: str | None
    """Requested policy."""
    sp: str | None
    """Subdomain policy."""
    np: str | None
    """Non-existent subdomain policy (RFC 9989 section 4.7; RFC 9091 before it)."""
    pct: int
    """Percentage (default 100): RFC 7489's pct=, no tag of RFC 9989 (appendix A.6), which ignores it; kept for
    receivers still on RFC 7489."""
    adkim: str
    """DKIM alignment mode (r or s)."""
    aspf: str
    """SPF alignment mode (r or s)."""
    fo: str | None
    """Failure reporting options."""
    rua: tuple[str, ...]
    """Aggregate report URIs."""
    ruf: tuple[str, ...]
    """Failure report URIs."""
    t: str | None
    """Testing flag (RFC 9989 section 4.7)."""
    psd: str | None
    """Public suffix domain flag (RFC 9989 section 4.7)."""

    @property
    def removed_tags(self) -> tuple[str, ...]:
        """The RFC 7489 tags written here that RFC 9989 removed (appendix C.5.2: pct, rf, ri): receivers
        that follow RFC 9989 ignore them, as any unknown tag (section 4.7)."""
        return tuple(dict.fromkeys(name.lower() for name, _value in self.tags if name.lower() in ("pct", "rf", "ri")))


@frozen
class Rfc7489Reading(Value):
    """How a receiver still on RFC 7489 decides DMARC for the From: domain: the Public Suffix List's
    organisational domain (RFC 7489 section 3.2), the record at the From: domain or that one
    (section 6.6.3), pct= sampling (section 6.6.4), no np=."""

    result: str
    """pass, fail, none, temperror, permerror, not_checked."""
    record_domain: str | None
    """Where it finds the record."""
    org_domain: str | None
    """The From: domain's organisational domain by the Public Suffix List."""
    policy: str | None
    """The policy that applies (p or sp)."""
    policy_reason: str
    """Why, in words."""
    disposition: str | None
    """On a pass or fail: what such a receiver does (pct= applied)."""
    dkim_aligned: bool | None
    """On a pass or fail: a passing DKIM signature aligns by the Public Suffix List."""
    spf_aligned: bool | None
    """On a pass or fail: the SPF identity passes and aligns by the Public Suffix List."""


@frozen
class DmarcResult(Value):
    """DMARC evaluation of the From: domain (RFC 9989), with the RFC 7489 reading beside it."""

    result: str
    """pass, fail, none, temperror, permerror, not_checked."""
    from_domain: str | None
    """RFC5322.From domain."""
    org_domain: str | None
    """Organisational domain by the RFC 9989 DNS Tree Walk (section 4.10.2); null when the walk could not be
    made (offline, a DNS error). The Public Suffix List's is ``rfc7489.org_domain``."""
    record_domain: str | None
    """Where the record that applies was found (RFC 9989 section 4.10.1)."""
    record: DmarcRecord | None
    """Parsed record."""
    policy: str | None
    """Policy that applies (p or sp or np)."""
    policy_reason: str
    """Why that policy applies."""
    disposition: str | None
    """What a receiver would do: none, quarantine, reject."""
    dkim_aligned: bool | None
    """A passing DKIM signature aligns (aligned and passing); null when unknown: no From: domain, or no
    aligned signature passes and one that aligns could not be verified (offline, a DNS error)."""
    spf_aligned: bool | None
    """The SPF identity passes and aligns (SpfResult.aligned is the domain's alignment alone); null when
    unknown: no From: domain, or SPF was not evaluated (offline, a DNS error) for a domain that aligns
    or that nobody recorded."""
    aligned_dkim_domain: str | None
    """The d= that produced alignment."""
    explanation: str
    """Why, in words."""
    tree_walk_domain: str | None = None
    """Where the RFC 9989 DNS Tree Walk found the record that applies (the same as ``record_domain``)."""
    tree_walk_note: str | None = None
    """How a receiver still on RFC 7489 (Public Suffix List) decides, when that differs from this RFC 9989
    result: the policy at another name, another alignment, another result or disposition; null when they agree."""
    arc_override: str | None = None
    """What a receiver trusting the ARC sealer could decide."""
    arc_sealers: tuple[str, ...] = ()
    """On a DMARC pass or fail: the sealers (d=) of the ARC sets intermediaries added, oldest first, without
    the receiving side's own newest sets (RFC 8617 section 7.2); empty when the chain does not validate or
    only the receiving side sealed it."""
    arc_vouched: bool = False
    """On a DMARC pass or fail: the oldest of those intermediaries recorded dmarc=pass for the From: domain
    in its ARC-Authentication-Results, what a receiver trusting the sealers may override a failure on."""
    from_results: tuple[tuple[str, str], ...] = ()
    """With several From: domains, each one's own DMARC result as (domain, result), in From: order
    (RFC 7489 section 6.6.1); empty with one."""
    rfc7489: Rfc7489Reading | None = None
    """The RFC 7489 reading of the same From: domain (what receivers still on RFC 7489 decide); null when there
    is no From: domain to read."""

    def alignment_words(self) -> tuple[str, str]:
        """The DKIM and SPF halves of DMARC in words, labelled "aligned and passing" so that they
        are not read as the DKIM and SPF rows' own identifier alignment ("domain aligned with
        From", whatever the result); unknown is said, never "no"."""
        unknown = "unknown (no From: domain)" if self.from_domain is None else "unknown (not checked)"

        def word(value: bool | None) -> str:
            return unknown if value is None else "yes" if value else "no"

        via = f" ({self.aligned_dkim_domain})" if self.dkim_aligned and self.aligned_dkim_domain else ""
        return (f"DKIM aligned and passing: {word(self.dkim_aligned)}{via}",
                f"SPF aligned and passing: {word(self.spf_aligned)}")


@frozen
class ReverseDnsResult(Value):
    """Forward-confirmed reverse DNS of the boundary client IP."""

    ip: str | None
    """Client IP."""
    ptr_names: tuple[str, ...]
    """PTR names."""
    confirmed: bool | None
    """A PTR name resolves back to the IP (FCrDNS); None when not checked."""
    result: str
    """pass, fail, none, temperror, not_checked."""
    explanation: str
    """Why."""
    confirmed_names: tuple[str, ...] = ()
    """The PTR names whose forward lookup gives the IP back (the ones FCrDNS confirms)."""


@frozen
class ReportedEnvelope(Value):
    """The SMTP envelope and arrival of a message as the report carrying it records them (an abuse
    report's Original-Mail-From, Original-Rcpt-To, Source-IP, Arrival-Date, Authentication-Results
    and DKIM-Domain, RFC 5965 section 3.2, RFC 6591 section 3.1; a bounce's record of the sender
    it returns the message to), for ``analyze --attached N``: the reporter's record of its
    delivery, which the attached copy (often without the reporter's own Received fields,
    Return-Path or DKIM-Signature) leaves out."""

    source: str
    """Where it was read, in words ("the feedback report that carries it")."""
    mail_from: str | None = None
    """The MAIL FROM (Original-Mail-From); "" for the null sender."""
    rcpt_to: tuple[str, ...] = ()
    """The RCPT TO addresses (Original-Rcpt-To)."""
    client_ip: str | None = None
    """The IP address of the client that sent it to the reporter (Source-IP)."""
    arrival_date: str | None = None
    """When the reporter received it (Arrival-Date), as written."""
    authentication_results: tuple[str, ...] = ()
    """The reporter's Authentication-Results for it, as written: its results at delivery."""
    dkim_domains: tuple[str, ...] = ()
    """The d= of the DKIM signatures the reporter names (DKIM-Domain)."""
    mail_from_field: str = "Original-Mail-From"
    """The field the MAIL FROM was read from (a bounce's X-Postfix-Sender or its To:)."""

    @property
    def mail_from_source(self) -> str:
        """Where the MAIL FROM was read, in words, as the envelope shows it."""
        return f"{self.source}: {self.mail_from_field}"


@frozen
class RecordedResult(Value):
    """One method result recorded in the message by someone."""

    header: str
    """Authentication-Results, ARC-Authentication-Results, Received-SPF, gmail-summary, or the name of a
    field holding results under another name (X-Original-Authentication-Results, X-Rspamd-Authentication-Results)."""
    header_index: int | None
    """Index of the header field (None for the Gmail summary table)."""
    authserv_id: str | None
    """Who wrote it."""
    method: str
    """dkim, spf, dmarc, arc, ..."""
    result: str
    """Recorded result."""
    properties: tuple[tuple[str, str], ...]
    """ptype.property=value pairs (e.g. header.d=example.com)."""
    reason: str | None
    """Recorded reason comment, if any."""
    trusted: bool
    """Written by the receiving side (evidence) rather than a claim."""
    trust_reason: str | None = None
    """Why it counts as evidence or only as a claim (who wrote it, where it sits)."""
    instance: int | None = None
    """ARC-Authentication-Results ``i=`` instance."""
    signature_header_index: int | None = None
    """For dkim: index of the DKIM-Signature field it names (header.b, or header.d/header.s)."""
    defects: tuple[str, ...] = ()
    """Problems reading the field (parser rejection, truncation, invalid result word)."""
    below_with_filters: bool = False
    """A claim in the receiver's name directly below its Received, for checks other than those it
    recorded above it: where a receiver's per-check filters (Postfix milters) write, and where a
    sender connecting directly can write too; judged against headerscope's own results."""


@frozen
class BimiField(Value):
    """A BIMI-Location, BIMI-Indicator or BIMI-Logo-Preference field found in the message."""

    name: str
    """The field name as written."""
    header_index: int
    """Index of the header field."""
    receivers: bool | None
    """True above the trust-boundary Received (the receiving side's, added after its BIMI check);
    False below it (it came with the message: the sender's, which receivers must remove); None
    when no Received chain places it."""
    value: str
    """The value on one line, bounded (a BIMI-Indicator's base64 logo is cut short)."""


@frozen
class BimiResult(Value):
    """BIMI (draft-brand-indicators-for-message-identification): whether a receiver would look for
    the From: domain's logo, the assertion record it would find, and the BIMI fields in the message.
    The logo and the mark certificate are never fetched or validated here."""

    result: str
    """found (a usable assertion record: a receiver goes on to fetch and validate the logo), declined
    (l= and a= empty), none (no record), fail (malformed or several records), temperror (DNS error),
    skipped (the message does not qualify, see ``eligibility``), not_checked (offline, or DMARC not
    evaluated)."""
    eligible: bool | None
    """The message meets BIMI's authentication requirements (DMARC pass under an enforcing policy);
    None when unknown."""
    eligibility: str
    """Why it qualifies or which requirement fails."""
    from_domain: str | None
    """The author (RFC5322.From) domain."""
    selector: str
    """The selector looked up: ``default``, or a BIMI-Selector field's when a DMARC-aligned DKIM
    signature that passes covers it."""
    selector_note: str | None
    """Why a BIMI-Selector field was used or ignored; None without one."""
    record_name: str | None
    """The DNS name the assertion record was found at (``default._bimi.example.com``)."""
    record: str | None
    """The assertion record as published, bounded."""
    location: str | None
    """The l= URI (the logo, SVG), as written; hostile text."""
    authority: str | None
    """The a= URI (the mark certificate, VMC or CMC), as written; hostile text."""
    problems: tuple[str, ...]
    """What is wrong with the record or the selector, in words."""
    explanation: str
    """The outcome in one sentence."""
    display: str
    """What a mailbox provider would do with the logo (never checked here)."""
    fields: tuple[BimiField, ...] = ()
    """BIMI-Location, BIMI-Indicator and BIMI-Logo-Preference fields in the message, top first."""
    recorded: tuple[RecordedResult, ...] = ()
    """The bimi= results recorded in Authentication-Results, top first, with their trust standing."""


@frozen
class SpamFilterVerdict(Value):
    """What a spam filter recorded about the message in its own header fields."""

    filter: str
    """The filter, e.g. ``Microsoft 365`` (Exchange Online Protection), ``SpamAssassin``, ``rspamd``."""
    header: str
    """The header field read (the first, when the filter wrote several)."""
    header_index: int
    """Its index among the message's header fields."""
    spam: bool | None
    """The filter's own verdict: spam, not spam, or None when the fields do not say."""
    score: float | None
    """Its score (Microsoft's SCL, SpamAssassin's or rspamd's points), if written."""
    threshold: float | None
    """The score at which it calls a message spam, if written (or Microsoft's fixed 5)."""
    summary: str
    """The verdict in one line of words."""
    details: tuple[tuple[str, str, str], ...]
    """(field, value as written, what it means) for each part the filter wrote."""
    rules: tuple[str, ...]
    """The rules or symbols that fired (SpamAssassin tests, rspamd symbols), as written."""
    trusted: bool
    """Written by the receiving side at this delivery (evidence) rather than earlier or by the sender."""
    trust_reason: str
    """Why it counts as the receiver's verdict or only as a claim."""
    place: str = ""
    """A claim's place in a few words ("below hop 2", "below every Received, written at hop 3"); empty for the receiver's own."""


@frozen
class Comparison(Value):
    """A recorded result beside our recomputed one."""

    method: str
    """dkim, spf, dmarc, arc."""
    subject: str | None
    """Which identity (e.g. the DKIM d=/s=), if any."""
    recorded: str | None
    """The trusted recorded result."""
    recomputed: str | None
    """Our result now."""
    label: str
    """same, dns_drift, modified_after_delivery, expired_since, rules_changed (a recorded pass that fails now only
    because verifiers refuse rsa-sha1 since RFC 8301), policy_changed, not_recorded, not_recomputed,
    different, from_changed (the receiver's DMARC result names another From: domain than the one shown),
    records_disagree (ARC: the "now" is the newest ARC-Seal's recorded cv=fail, not a recomputation), older_rules
    (DMARC: the receiver recorded what RFC 7489 decides now, and RFC 9989 decides otherwise), key_among_several
    (a recorded pass that fails now only because the key record used is revoked and one of several at its
    selector: the receiver may have used another, RFC 6376 section 6.1.2; see ``key_among_several``)."""
    explanation: str
    """Why they differ, in words."""
    recorded_by: str | None = None
    """authserv-id (or Received-SPF receiver) of the recorded result used."""
    recorded_header_index: int | None = None
    """Index of the header field the recorded result was read from."""
    recorded_domain: str | None = None
    """For DMARC: the domain the receiver recorded it judged (its header.from), when it wrote one."""


@frozen
class Verdict(Value):
    """One-line summary at the top of the report."""

    status: str
    """authenticated, vouched (DMARC fails, but the receiving side recorded that it accepted the
    message on a valid ARC chain's word: a list's or forwarder's copy), suspicious, spoofed,
    unauthenticated, not_checked (offline, a DNS error, a check that cannot apply: also mail received
    before DMARC existed, which no policy of today judges; hops.predates_authentication says so)."""
    summary: str
    """One sentence: authenticated as whom, spoofed, or unauthenticated, and why."""
    authenticated_domain: str | None = None
    """The aligned authenticated domain, if any."""


@frozen
class MailFolder(Value):
    """Where a stored copy was kept, as its path says."""

    name: str
    """The folder's name as the mail store has it ("INBOX", "Junk", "Lists/dev")."""
    store: str
    """The kind of store: Maildir, mbox, Apple Mail, folder (a directory of exported files)."""
    junk: bool
    """Whether the folder is a junk folder, by its name."""
    flags: tuple[str, ...] = ()
    """What the store marked the copy (Maildir file-name flags), in words."""
    flags_as_written: str = ""
    """The flags as the file name writes them (":2,RS"), empty when it has none."""


@frozen
class InputInfo(Value):
    """Where the message came from and what loading it did."""

    source: str
    """File path, ``-`` for stdin, ``clipboard``, or ``api``."""
    sha256: str
    """SHA-256 of the bytes as read, before any clean-up."""
    size: int
    """Bytes as read."""
    format: str
    """eml, headers-only, cut-off (a file that ends inside its header: no line end, no body), gmail-original,
    outlook-internet-headers, outlook-properties, msg, emlx, mbox-entry, mmdf-entry."""
    has_body: bool
    """False for a headers-only paste or a file cut off inside its header: body-dependent checks cannot run."""
    cleanups: tuple[str, ...]
    """What was cleaned up to read the paste (each in words)."""
    byte_exact: bool = True
    """False when the bytes are not the original message (a paste, a .msg)."""
    carried_in: str | None = None
    """For a message carried inside another (``analyze --attached N``): where it was taken from, in words."""
    folder: MailFolder | None = None
    """The mail folder the copy was stored in, from its path (a Maildir, an mbox file); None for a loose file."""


@frozen
class DnsSource(Value):
    """Where the DNS answers of an analysis came from."""

    source: str
    """live, snapshot, recording, offline."""
    detail: str | None
    """Nameserver, or the snapshot path."""


@frozen
class AttachedMessage(Value):
    """A message carried inside this one: forwarded as an attachment, returned by a bounce,
    quoted by an abuse report (RFC 2046 section 5.2.1; RFC 6522 for a returned header)."""

    number: int
    """1-based, in the order of the parts: ``headerscope analyze FILE --attached N`` analyzes it."""
    content_type: str
    """message/rfc822, message/global, text/rfc822-headers or message/global-headers; text/plain
    for the copy a qmail bounce returns in its text; a saved message attached as a file, its type
    and "(.eml file)" or "(.msg file)" (e.g. "application/octet-stream (.eml file)")."""
    headers_only: bool
    """True when only the header was attached (a bounce returning the header alone)."""
    size: int
    """Bytes of the attached message, its transfer encoding undone."""
    filename: str | None = None
    """The attachment's file name, when it has one."""
    from_header: str | None = None
    """Its From: field, decoded."""
    to: str | None = None
    """Its To: field, decoded."""
    subject: str | None = None
    """Its Subject: field, decoded."""
    date: str | None = None
    """Its Date: field as written."""
    message_id: str | None = None
    """Its Message-ID: field."""


@frozen
class CarriedSummary(Value):
    """One message that a person forwarded or reported as an attachment, in one line: who it
    says it is from, its own verdict, and how to analyze it (never the outer message's verdict)."""

    number: int
    """Its number among the attached messages."""
    path: str
    """What ``headerscope analyze FILE --attached PATH`` takes to analyze it ("2", or "1.2" inside an attached message)."""
    from_domain: str | None
    """The domain of its From: address, as written (the sender's claim)."""
    subject: str | None
    """Its Subject: field, decoded."""
    verdict: str
    """Its own verdict read offline, in words: what its receiver recorded (DMARC, a spam filter) and its verdict status."""
    carries: int
    """Messages it carries itself (0: none)."""

    def line(self) -> str:
        """The message in one line of words (the finding's and the renderers' line)."""
        from .text import one_line

        carries = f" (carries {self.carries})" if self.carries else ""
        subject = one_line(self.subject or "")[:120] or "(no subject)"
        return (f"{self.path}{carries}: {self.from_domain or '(no From domain)'} — {self.verdict} — "
                f"“{subject}” (--attached {self.path})")


@frozen
class DsnRecipient(Value):
    """One recipient's part of a delivery status notification (RFC 3464 section 2.3)."""

    final_recipient: str | None
    """Final-Recipient: the address the reporting server tried (its type prefix removed)."""
    original_recipient: str | None
    """Original-Recipient: the address the sender gave, when it was recorded."""
    action: str | None
    """failed, delayed, delivered, relayed or expanded (RFC 3464 section 2.3.3)."""
    status: str | None
    """The enhanced status code, class.subject.detail (RFC 3463), e.g. 5.7.26."""
    status_meaning: str | None
    """That code in words."""
    remote_mta: str | None
    """The server that answered (its type prefix removed)."""
    diagnostic_code: str | None
    """What it answered, e.g. the SMTP reply (its type prefix removed)."""
    last_attempt_date: str | None = None
    """When delivery was last tried."""
    will_retry_until: str | None = None
    """For a delay: until when delivery will be retried."""
    diagnostic_type: str | None = None
    """The Diagnostic-Code's type, lower-case (RFC 3464 section 2.3.6): ``smtp`` for an SMTP
    server's reply, ``x-postfix`` (or another type) for the reporting server's own words; None
    without a Diagnostic-Code or a type."""
    text_reason: str | None = None
    """Without a Diagnostic-Code: the reason the notice's human-readable part gives under this
    recipient's address (Exim writes a failure it decided itself, an unknown local user, a rate
    limit, only there): the reporting server's own text, not a remote server's reply. Beside a
    Diagnostic-Code that is a remote server's reply, the reporting server's own words about it
    (a qmail bounce: its host line, "Connected to IP but sender was rejected.", and its giving up
    on a message that outlived its queue lifetime, "I'm not going to try again; ...")."""
    diagnostic_cut: str | None = None
    """When ``diagnostic_code`` keeps only the start of a longer reply (a qmail bounce quotes the
    remote server's reply in full, and its reading is bounded): how much was kept, e.g. "the first
    2000 of its 34512 characters (35 lines)"; None when the whole reply was kept."""


@frozen
class DeliveryReport(Value):
    """What a delivery status notification (a bounce, a delay warning, a delivery receipt)
    reports, read from its message/delivery-status part (RFC 3464)."""

    reporting_mta: str | None
    """The server that wrote the report."""
    received_from_mta: str | None
    """The server it had received the message from."""
    arrival_date: str | None
    """When the reporting server received the message."""
    original_envelope_id: str | None
    """The sender's envelope id (RFC 3461 ENVID), to match the report to what was sent."""
    recipients: tuple[DsnRecipient, ...]
    """One entry per recipient reported on."""
    format: str = "rfc3464"
    """How it was written: ``rfc3464`` (a message/delivery-status part) or ``qmail`` (qmail's
    plain-text bounce format, QSBMF)."""
    original_sender: str | None = None
    """The returned message's envelope sender (MAIL FROM) as the reporting server wrote it in its
    report (Postfix's X-Postfix-Sender, bounce(5)); "" when it names the null sender "<>"; None
    when the report names none (RFC 3464 has no field for it)."""


@frozen
class FeedbackReport(Value):
    """What an abuse or authentication failure report says about the message it is about, read
    from its message/feedback-report part (ARF, RFC 5965; RFC 6591 for authentication failures)."""

    feedback_type: str
    """abuse, fraud, virus, other, not-spam (RFC 6430) or auth-failure (RFC 6591), as written."""
    user_agent: str | None
    """The software that wrote the report, e.g. a mailbox provider's feedback loop."""
    version: str | None
    """The format's version (1)."""
    original_mail_from: str | None
    """The reported message's envelope sender (MAIL FROM)."""
    original_rcpt_to: tuple[str, ...]
    """Its envelope recipients, when the reporter says."""
    arrival_date: str | None
    """When the reporter received the reported message."""
    source_ip: str | None
    """The address of the server that handed it to the reporter."""
    reporting_mta: str | None
    """The server that wrote the report (its type prefix removed)."""
    reported_domain: tuple[str, ...]
    """Domains the reporter holds responsible (whom the report is addressed to)."""
    reported_uri: tuple[str, ...]
    """URIs of the report's subject (a complaint page, an abuse contact)."""
    incidents: str | None
    """How many times the same was seen."""
    authentication_results: tuple[str, ...]
    """The reporter's Authentication-Results for the reported message, as written."""
    auth_failure: str | None = None
    """For an auth-failure report: what failed, e.g. dmarc, signature, bodyhash, spf (RFC 6591
    section 3.2.2; RFC 7489 section 7.3.1)."""
    delivery_result: str | None = None
    """What the reporter did with the message: delivered, spam, policy, reject or other."""
    identity_alignment: str | None = None
    """For a DMARC failure report: which identities aligned (none, dkim, spf)."""
    dkim_domain: str | None = None
    """The failing DKIM signature's d=."""
    dkim_selector: str | None = None
    """Its s=."""
    spf_dns: str | None = None
    """The SPF record the reporter saw."""
    meaning: str | None = None
    """The feedback type in words."""
    format: str = "arf"
    """How it was written: ``arf`` (a message/feedback-report part, RFC 5965), ``jmrp``
    (Microsoft's Junk Mail Reporting Program complaint: the reported message attached, its
    original recipient in X-HmXmrOriginalRecipient, no report part), ``spamcop`` (a SpamCop
    spam report: Subject "[SpamCop (IP) id:N]", the spam inline after "[ Offending message ]"),
    ``xarf`` (an X-ARF report: "X-ARF: Yes", its report.txt part's Category as the feedback type,
    its Source as the source IP or reported URI), or ``text`` (a DMARC failure report written as
    plain text, as Exim's "DMARC Forensic Report")."""
    original_rcpt_to_total: int = 0
    """How many Original-Rcpt-To fields the report holds (``original_rcpt_to`` keeps the first
    100); 0 when not counted, then the tuple's length is the count."""
    reported_domain_total: int = 0
    """How many Reported-Domain fields the report holds (``reported_domain`` keeps the first 100)."""
    report_id: str | None = None
    """The reporter's own identifier of the report (X-ARF's Report-ID), as written."""
    service: str | None = None
    """The service the reported source was seen using, and its port (X-ARF's Service and Port)."""
    authenticated_by: str | None = None
    """The domain whose passing DKIM signature vouches for the report: aligned (relaxed, by
    organizational domain, RFC 7489 section 3.1.1) with every From: domain, checked now or
    recorded as pass by the receiver in its own trusted results (for a SpamCop report,
    spamcop.net's signature, the one that makes it read as SpamCop's). None: anyone may have
    written it, and every field above is the claim of whoever sent it."""
    report_type: str | None = None
    """X-ARF's Report-Type (login-attack, phishing...), as written."""
    source_type: str | None = None
    """X-ARF's Source-Type (ip-address, uri...), as written."""



@frozen
class CalendarInvite(Value):
    """The first text/calendar part of an iMIP message (RFC 6047): what a calendar client adds
    or changes when it reads it (RFC 5546), read bounded, each value cut at 200 characters."""

    method: str | None
    """METHOD: REQUEST (an invitation), CANCEL, REPLY, PUBLISH... (RFC 5546 section 1.4)."""
    organizer: str | None
    """ORGANIZER's address (its mailto: removed), as the event says: text the sender wrote."""
    summary: str | None
    """The first event's SUMMARY (its title)."""
    dtstart: str | None
    """The first event's DTSTART as written (with its TZID when it has one)."""
    attendees: int
    """ATTENDEE lines counted (up to 1000)."""
    organizers: tuple[str, ...] = ()
    """Every ORGANIZER the calendar parts name, the event's own first (at most 5): text the
    sender wrote, and a calendar program may show another than the first."""
    read_whole: bool = True
    """False when a bound stopped the reading (a part past 256 KB, a line past 2,000 characters,
    past 20,000 lines, 20 calendar parts or 5 organizers): an organizer may not have been seen."""


@frozen
class MessageStructure(Value):
    """The message's cryptographic and structural wrapping, read from the MIME part headers
    alone (no signature is verified, nothing is decrypted): S/MIME (RFC 8551), PGP/MIME (RFC
    3156) or inline PGP armour, TNEF, a calendar invitation, and header protection."""

    kinds: tuple[str, ...]
    """smime_signed, smime_opaque_signed, smime_encrypted, smime_certs_only, smime_compressed, pgp_signed,
    pgp_inline_signed, pgp_encrypted, pgp_inline_encrypted, tnef, calendar, signed_part_wrapped."""
    summary: str
    """The kinds in words, one line (saying, for S/MIME and PGP, that nothing was verified or decrypted)."""
    top_type: str
    """The message's own Content-Type (type/subtype, lower case)."""
    protocol: str | None = None
    """multipart/signed's or multipart/encrypted's protocol= (RFC 1847)."""
    micalg: str | None = None
    """multipart/signed's micalg= (the digest the signer says it used)."""
    smime_type: str | None = None
    """application/pkcs7-mime's smime-type= (signed-data, enveloped-data, authEnveloped-data)."""
    parts_outside_signed: int = 0
    """Parts beside a signed part inside the multipart that wraps it (a list's footer): not
    covered by the end-to-end signature."""
    subject_placeholder: bool = False
    """The message is encrypted and its Subject is a header-protection placeholder ("...",
    "Encrypted Message"): the real subject is inside the ciphertext (RFC 9788 section 4)."""
    protected_headers: tuple[tuple[str, str], ...] = ()
    """(name, value) of From, To, Cc, Subject, Message-ID and Date in the signed part's own header
    block, when it declares protected headers (protected-headers="v1", RFC 9788 hp=)."""
    calendar: CalendarInvite | None = None
    """The calendar invitation, when a text/calendar part is present."""


@frozen
class Attachment(Value):
    """A file attached to the message (a leaf MIME part with a file name, or marked
    ``Content-Disposition: attachment``), read from its part header: no file is opened (a part
    declared a message is decoded only to tell whether it holds one). Attached messages (message/rfc822, a saved .eml or .msg) are in ``attached`` instead, unless the
    file name has a risky extension (a mail program saves the part under its name) or the part holds no message."""

    position: str
    """The part's number as IMAP counts MIME parts (RFC 3501 section 6.4.5: "2", "1.3"; "1" for a one-part message)."""
    filename: str | None
    """Content-Disposition filename= or Content-Type name= (RFC 2231 and RFC 2047 decoded): text the sender wrote. A name longer than 200 characters is shortened in the middle, its end (the real extension) kept; its extension and disguise are read from the whole name."""
    content_type: str
    """The part's declared Content-Type (type/subtype, lower case): what the sender says, not what the bytes are."""
    size: int
    """Bytes of the part's body as written in the message (its transfer encoding not undone: base64 is about 4/3 of the file)."""
    disposition: str | None = None
    """Content-Disposition's type (attachment, inline; RFC 2183), or None when the part has none."""
    risk: str | None = None
    """What kind of risky file the name's extension or the declared type makes it (a disk image, a script...), or None."""
    spoofed: str | None = None
    """How the name hides its real extension (a bidi control, a decoy double extension), or None."""


@frozen
class BulkSignals(Value):
    """What the header says about bulk and list mail, read without DNS: the unsubscribe fields
    (RFC 2369, RFC 8058), Precedence, List-Id, Feedback-ID and a bulk-sending service's own
    mark. What mailbox providers weigh when they file a newsletter as spam."""

    kind: str
    """``mailing_list`` (a list relaying its members' posts: List-Post, Mailman's or ezmlm's
    fields, or a pre-RFC 2369 list's marks, ``list_markers``), ``bulk`` (a sender's bulk or
    subscribed mail: List-Unsubscribe, List-Id), ``service`` (only a sending service's mark or a Feedback-ID, which
    newsletters and receipts alike carry) or ``precedence_only`` (only ``Precedence: bulk``, ``list`` or
    ``junk``, which reports and automatic messages write too, to keep auto-responders quiet: RFC 3834
    section 3.1.8)."""
    list_unsubscribe: tuple[str, ...]
    """The URIs of List-Unsubscribe (RFC 2369 section 3.2), in order, angle brackets removed."""
    list_unsubscribe_post: str | None
    """List-Unsubscribe-Post as written (RFC 8058 section 3.1: ``List-Unsubscribe=One-Click``)."""
    one_click: bool
    """True when one-click unsubscription is offered as RFC 8058 section 3.1 asks: the Post field
    holds ``List-Unsubscribe=One-Click`` and List-Unsubscribe an https: URI."""
    unsubscribe_signed_by: tuple[str, ...]
    """The DKIM signatures (``domain/selector``) whose h= covers both List-Unsubscribe and
    List-Unsubscribe-Post (RFC 8058 section 4 asks for one), whatever their result."""
    one_click_split: bool = False
    """True when a mailing list replaced List-Unsubscribe (its field sits among the list's own
    fields, or points at the list's domain) while List-Unsubscribe-Post stands among the original
    sender's fields: the one-click POST would go to a URI that sender never published for it
    (RFC 8058 section 3.1), so one-click is not usable and ``one_click`` is False."""
    list_unsubscribe_unparsed: tuple[str, ...] = ()
    """Text of List-Unsubscribe that is neither a URI in angle brackets, a comma nor a comment
    (RFC 2369 section 2): an unbracketed address, a "<" never closed; on one line, bounded."""
    precedence: str | None = None
    """Precedence as written (``bulk``, ``list``, ``junk``: a convention, RFC 2076 section 3.9)."""
    list_id: str | None = None
    """List-Id (RFC 2919) as the header section shows it: its encoded-words decoded (RFC 2047
    section 5(3), as Mailman writes the list's description), on one line, bounded."""
    list_name: str | None = None
    """The list's address (or name) when the message is marked as a list's copy the way lists did
    before List-Id (RFC 2919) and List-Post (RFC 2369): X-Mailing-List, ezmlm's Mailing-List,
    ECARTIS' X-List, an owner-LIST@ Sender: (see ``headerscope.lists``); None with a List-Id."""
    list_markers: tuple[str, ...] = ()
    """The marks that make it a list's copy when no List-Id does, as written
    (``X-Mailing-List: linux-kernel@vger.kernel.org``): text the sender writes, which explains
    list behaviour and vouches for nothing."""
    feedback_id: str | None = None
    """Feedback-ID as written: the sender's campaign identifiers for Gmail's feedback loop."""
    auto_submitted: str | None = None
    """Auto-Submitted as written (RFC 3834 section 5), when present beside the other signals."""
    sending_service: str | None = None
    """The sending service (``Amazon SES``, ``SendGrid``, ``SparkPost``, ...) that a field of its
    own names or, failing one, a host of its own on the sending side of the route."""
    sending_service_field: str | None = None
    """The field that names it, e.g. ``X-SES-Outgoing``: text the sender writes, a claim."""
    sending_service_host: str | None = None
    """A host of a sending service on the route (``mta-70-2-177.sparkpostmail.com``): the server
    that handed the message to the receiving side, or a hop below it."""
    sending_service_host_service: str | None = None
    """The service that host belongs to (by its registrable domain, or the host under which the
    service names its servers: ``mta.salesforce.com``); may differ from
    ``sending_service`` when the fields name another."""
    sending_service_hop: int | None = None
    """The hop whose Received field names that host."""
    sending_service_host_recorded: bool = False
    """True when the receiving side recorded the host: its reverse DNS name of the client at the
    trust-boundary hop (evidence); False when the sending side wrote it (a HELO name, a hop below
    the boundary: a claim)."""
    sending_service_for: str | None = None
    """The From: domain the service sent for, as the From: field writes it."""

# A wait between the Date: and the first Received longer than this is told apart from the
# servers' time (Report.transit_split).
_DATE_GAP_APART = 600.0


@frozen
class Report(Value):
    """The analysis of one message."""

    version: str
    """headerscope version."""
    analyzed_at: str
    """ISO 8601 UTC time of analysis."""
    options: tuple[tuple[str, str], ...]
    """Options used, as name/value strings."""
    input: InputInfo
    """What was read."""
    headers: tuple[HeaderField, ...]
    """Every header field, top first."""
    subject: str | None
    """Decoded Subject."""
    date: str | None
    """Date: as ISO 8601, or None."""
    message_id: str | None
    """Message-ID."""
    hops: tuple[Hop, ...]
    """Received chain, earliest first."""
    boundary_hop: int | None
    """Number of the trust-boundary hop."""
    total_delay_seconds: float | None
    """From Date: to the last hop, leaving out a step read as a server's clock being off
    (hops.clock_offset) and the time between two deliveries (hops.earlier_delivery)."""
    envelope: Envelope
    """Envelope beside headers."""
    dkim: tuple[DkimSignatureResult, ...]
    """Each DKIM-Signature."""
    arc: ArcResult | None
    """ARC chain."""
    spf: SpfResult | None
    """SPF."""
    dmarc: DmarcResult | None
    """DMARC."""
    reverse_dns: ReverseDnsResult | None
    """FCrDNS of the boundary IP."""
    recorded: tuple[RecordedResult, ...]
    """Every recorded result found."""
    comparison: tuple[Comparison, ...]
    """Recorded vs. recomputed."""
    verdict: Verdict
    """Summary."""
    findings: tuple[Finding, ...]
    """Everything worth noticing, most severe first."""
    dns_source: DnsSource
    """Where DNS came from (live, snapshot, recording, offline)."""
    dns: tuple[DnsRecordUse, ...]
    """DNS evidence: every query and its answer (or error) used, in first-use order."""
    spam_filters: tuple[SpamFilterVerdict, ...] = ()
    """Spam filters' verdicts recorded in the header (Microsoft 365, SpamAssassin, rspamd), top first."""
    delivery_report: DeliveryReport | None = None
    """When the message is a delivery status notification (a bounce): what it reports."""
    feedback_report: FeedbackReport | None = None
    """When the message is an abuse or authentication failure report (ARF): what it reports."""
    attached: tuple[AttachedMessage, ...] = ()
    """Messages carried inside this one (forwarded as attachments, returned by a bounce)."""
    bulk: BulkSignals | None = None
    """Bulk and list mail signals (List-Unsubscribe, one-click, Precedence, Feedback-ID, the sending
    service); None for a message that carries none of them, as person-to-person mail."""
    structure: MessageStructure | None = None
    """The message's S/MIME, PGP, TNEF or calendar wrapping; None for plain mail."""
    attachments: tuple[Attachment, ...] = ()
    """Files attached to the message, in part order, at most 50 (attached messages are in ``attached``)."""
    attachments_unlisted: int = 0
    """Attachments past the 50 listed (each checked all the same: risky ones are in the findings): counted
    within the part walk's bounds of 300 parts and 8 levels of multipart nesting, and past them by their name=
    and filename= parameters (a lower bound then: ``attachments_walk_stopped``)."""
    attachments_walk_stopped: bool = False
    """The part walk stopped at its bound of 300 parts with parts left, or at multiparts nested 8 deep:
    ``attachments_unlisted`` is a lower bound, and the rest of the message was only searched for file names
    (risky ones are in the findings)."""
    carried: tuple[CarriedSummary, ...] = ()
    """When a person forwarded or reported messages as attachments (not a bounce, an abuse report or
    an automatic notice): one line per attached message, the first few; the outer verdict stays the forwarder's."""
    bimi: BimiResult | None = None
    """BIMI: the logo a mailbox provider may show; None when nothing in the message or its DMARC
    result makes BIMI apply (no BIMI field or recorded bimi=, and no DMARC pass under enforcement)."""

    def carrier_headline(self) -> str | None:
        """The line that says a person's forward or report carries messages (``carried``), so
        that the authentication shown first is not read as theirs; None for other mail."""
        if not self.carried:
            return None
        count = len(self.attached)
        return (f"Forwarded or reported message carrying {count} message(s): the authentication above is the "
                "forwarder's or reporter's, not the attached messages'. Each attached one, by what its own header "
                "says (text whoever sent this message could have written):")

    def carried_count(self, number: int) -> int:
        """How many messages attached message ``number`` carries itself (0 when not known)."""
        return next((s.carries for s in self.carried if s.number == number), 0)

    def delivery_gaps(self) -> list[tuple[int, float]]:
        """(hop number, seconds) of each step read as the time between two deliveries
        (hops.earlier_delivery), which the total leaves out."""
        numbers = {f.subject for f in self.findings if f.id == "hops.earlier_delivery"}
        return [(hop.number, hop.delay_seconds) for hop in self.hops
                if f"hop {hop.number}" in numbers and hop.delay_seconds is not None]

    def delivery_gap_words(self, number: int) -> str:
        """The words for the gap before hop ``number`` (one of delivery_gaps) in a total's
        "leaving out ..." clause. When the hop before it is below the trust boundary, the stamps
        before the gap are the sender's claim: as likely made up as an earlier delivery's."""
        before = next((hop for hop in self.hops if hop.number == number - 1), None)
        if before is not None and before.trusted:
            return f"between two deliveries (before hop {number})"
        return f"before hop {number} (an earlier delivery, or stamps the sender made up)"

    def claimed_entry(self) -> Hop | None:
        """The earliest hop below the trust boundary whose client is a public address: where, by
        the earlier servers' own records (claims, not evidence), the message came in from the
        network, the place an abuse handler starts from (SpamAssassin's "last untrusted relay"
        reading, one step further back). None without a boundary, or when no earlier hop records a
        public client."""
        if self.boundary_hop is None or self.boundary_hop < 2:
            return None
        import ipaddress

        from .domains import organizational_domain

        for hop in self.hops[:self.boundary_hop - 1]:
            if not hop.fields.from_ip or hop.private_client or hop.note is not None:
                continue
            try:
                address = ipaddress.ip_address(hop.fields.from_ip.split("%", 1)[0])
            except ValueError:
                continue
            if address.is_multicast or address.is_unspecified or address.is_reserved:
                continue  # no sender's address (255.255.255.255, 224.0.0.1): a made-up stamp
            if hop.role is Role.MSA and not hop.fields.from_rdns:
                # An authenticated submission (RFC 6409) with no reverse-DNS name recorded is where
                # the author's device handed it in, whatever name it gave: its HELO is its own
                # unchecked text, and a roaming laptop names itself after its company's domain
                # (Kerio: "from protopia.fink.org ([79.134.238.50]) (authenticated user
                # list@fink.org) by mail.fink.org ... with ESMTPSA"; verification V44a).
                return hop
            client = (hop.fields.from_rdns or hop.fields.from_helo or "").strip("[]").lower().rstrip(".")
            if client and hop.organization and organizational_domain(client) == hop.organization:
                continue  # a hand-over inside one organisation (its own relay): not where it came in
            return hop
        return None

    def claimed_entry_words(self) -> str | None:
        """``claimed_entry`` in words: "by their own record it came in at hop 2, where BY took it
        from IP (NAME) on 2026-02-06 07:28:07 UTC" ("was submitted" for a submission hop); None
        when there is none."""
        hop = self.claimed_entry()
        if hop is None:
            return None
        from .hops import vouched_client_name

        fields = hop.fields
        # Not a reverse-DNS name the receiver marked "(may be forged)" (Sendmail: its PTR does not
        # resolve back, so it names whoever controls the address's reverse zone), as the other
        # lines that name a client do; the greeting then, the client's own word as without a name.
        name = vouched_client_name(hop) or fields.from_helo
        named = f" ({name[:120]})" if name and name.strip("[]") != fields.from_ip else ""
        when = ""
        if fields.timestamp and any(problem.startswith("date has no time zone") for problem in fields.problems):
            # Read as UTC for the arithmetic (hops.no_zone), but its writer gave no zone.
            when = f" on {fields.timestamp[:19].replace('T', ' ')} (no time zone given)"
        elif fields.timestamp:
            from datetime import datetime, timezone

            try:
                moment = datetime.fromisoformat(fields.timestamp)
                when = (f" on {moment.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC" if moment.tzinfo is not None
                        else f" on {moment:%Y-%m-%d %H:%M:%S} (no zone)")
            except (ValueError, OverflowError):  # a stamp at the calendar's edge: no time said
                when = ""
        by = (fields.by or "a server it does not name")[:120]
        if len(by) > 2 and by[0] == ":" == by[-1] and by[1:-1].replace("_", "").isalnum():
            # A token in place of the name (GoDaddy's and other Cloudmark-filtered providers'
            # submission servers write "by :SMTPAUTH:"): no host it could be told by.
            by = f"a server that wrote \u201c{by}\u201d in place of its name"
        # A submission (RFC 6409) is where the author's device handed it over, not a relay.
        came = "was submitted" if hop.role is Role.MSA else "came in"
        words = (f"by their own record it {came} at hop {hop.number}, where {by} took it from "
                 f"{fields.from_ip}{named}{when}")
        gaps = [finding.subject for finding in self.findings if finding.id == "hops.chain_gap" and finding.subject
                and finding.subject.startswith("hop ") and finding.subject[4:].isdigit()
                and hop.number < int(finding.subject[4:]) <= (self.boundary_hop or 0)]
        if gaps:
            # Verification V18 P4: stamps that do not connect to the boundary's client are that
            # client's text, or were passed on by it; the address they name may be anyone's.
            words += (f", but the hops do not connect between it and the boundary ({gaps[0]}): the client the "
                      "receiving side saw wrote those stamps or passed them on, so that address may be anyone's")
        return words

    def transit_split(self) -> tuple[float | None, float | None]:
        """(the journey's time, the part of it before the first Received): the time from the
        first Received to the last, and the time from the Date: to the first Received, when that
        gap is long enough to tell apart (over 10 minutes: a draft sent later, a resent patch, an
        outbox that waited); else (the total from the Date:, None). The Date: is the sender's
        word, the Received stamps the servers'."""
        total = self.total_delay_seconds
        first = self.hops[0].delay_seconds if self.hops else None
        if total is None or first is None or first <= _DATE_GAP_APART or total - first < 0:
            return total, None
        return total - first, first

    def dkim_listed(self, limit: int) -> tuple[DkimSignatureResult, ...]:
        """The signatures a report lists when it shows at most ``limit``: all of them, in order,
        when they fit; else those aligned with From: first (what DMARC rests on, which 50 junk
        signatures above it must not push out of the list), then the others in order. Each is
        still labelled by its own number."""
        if len(self.dkim) <= limit:
            return self.dkim
        return tuple(sorted(self.dkim, key=lambda sig: not sig.aligned)[:limit])

    def no_signature_words(self) -> str:
        """What the DKIM row says when the message holds no DKIM-Signature. A header-only paste
        may stop before its signatures: then the words say so, and how many DKIM results the
        message's Authentication-Results record (signatures the receiver saw, not pasted). A copy
        carried by a feedback report whose Authentication-Results name signatures: what they say
        (RFC 6591 section 3.1 lets a report carry a copy without them)."""
        reported = list(dict.fromkeys(
            f"{r.method}={r.result} for {dict(r.properties).get('header.d', '?')[:80]}" for r in self.recorded
            if r.header == "Authentication-Results (feedback report)" and r.method == "dkim" and r.result != "none"))
        if reported:
            return (f"no DKIM-Signature in this copy; the feedback report carrying it records "
                    f"{', '.join(reported[:4])}")
        if self.input.has_body:
            return "no DKIM-Signature"
        checked = self._recorded_signature_count()
        copy = "the file" if self.input.format == "cut-off" else "the paste"
        seen = (f"; its recorded results name {checked} DKIM check{'s' if checked != 1 else ''}, so {copy} "
                "stops before the signature" + ("s" if checked != 1 else "")) if checked else ""
        return f"no DKIM-Signature in {self.header_words()}{seen}"

    def _recorded_signature_count(self) -> int:
        """How many distinct DKIM signatures the results relied on record a check of. The receiving
        side's results when any is trusted; else those of the writer of the topmost (ARC-)
        Authentication-Results recording DKIM, the likeliest receiver's in a paste without its Received fields (a lower one may be
        the sender's, or forged). One signature is one (d=, s=, header.b prefix) however many fields
        record it (a receiver writes the same check in its A-R and its ARC-Authentication-Results);
        only RFC 8601 section 2.7.1 words that report a check count: "none" says the message was
        not signed, and a vendor's own word ("unknown") names no signature either."""
        dkim = [r for r in self.recorded if r.method == "dkim" and r.header != "gmail-summary"]
        relied = [r for r in dkim if r.trusted]
        if not relied:
            fields = [r for r in dkim if r.header_index is not None
                      and r.header.lower() in ("authentication-results", "arc-authentication-results")]
            # (The writer of the topmost field recording DKIM: iCloud writes one authserv-id per
            # method, Exchange Online none at all.)
            top = (min(fields, key=lambda r: r.header_index or 0).authserv_id or "").lower() if fields else None
            relied = [r for r in fields if (r.authserv_id or "").lower() == top]
        signatures: set[tuple[str, ...]] = set()
        for result in relied:
            if result.result not in ("pass", "fail", "neutral", "policy", "temperror", "permerror"):
                continue
            props = {name.lower(): value for name, value in result.properties}
            domain = (props.get("header.d") or props.get("header.i", "").rpartition("@")[2]).strip().lower()[:255]
            # RFC 6008 section 2: header.b is a prefix of b=, at least 8 characters when it must
            # tell signatures apart; receivers write 8.
            key = (domain, props.get("header.s", "").strip().lower()[:64], props.get("header.b", "").strip()[:8])
            # A result naming no signature at all: one per writer and word (its A-R and its ARC copy).
            signatures.add(key if any(key) else ("", (result.authserv_id or "").lower(), result.result))
        return len(signatures)

    def header_words(self) -> str:
        """A header alone in the report's words (Message.header_words): "the pasted header", "the
        cut-off file's header" for a file cut off inside its header, or "the attached header" for
        one a bounce or report carries (``--attached``: a text/rfc822-headers part, never a paste)."""
        if self.input.carried_in is not None:
            return "the attached header"
        return "the cut-off file's header" if self.input.format == "cut-off" else "the pasted header"

    def signature_results(self, limit: int = 6) -> list[tuple[int | None, str, str | None, str]]:
        """The receiving side's trusted results for the end-to-end signature checks this tool
        does not do (RFC 7281's smime: the S/MIME signature, and whom its certificate names), at
        most ``limit``: (header index, field name, writer, words such as "smime=fail for
        alice@example.com (Alice Martin)"). Shown beside the comparison table, which holds only
        the checks recomputed here (the HTML report lists every recorded result)."""
        out: list[tuple[int | None, str, str | None, str]] = []
        for result in self.recorded:
            if not result.trusted or result.method != "smime":
                continue
            identity = dict(result.properties).get("body.smime-identifier")
            words = f"{result.method}={result.result}" + (f" for {identity[:120]}" if identity else "") + (
                f" ({' '.join(result.reason.split())[:120]})" if result.reason else "")
            out.append((result.header_index, result.header, result.authserv_id, words))
            if len(out) >= limit:
                break
        return out

    def claimed_results(self, limit: int = 12) -> list[tuple[int | None, str, str | None, str]]:
        """The recorded results not relied on, one entry per field (at most ``limit``), top
        first: (header index, field name, writer, "method=result" words). What the reports
        show of the claims, so that a failure someone recorded is seen, not only counted."""
        fields: dict[int | None, tuple[str, str | None, list[str]]] = {}
        for result in self.recorded:
            if result.trusted:
                continue
            entry = fields.setdefault(result.header_index, (result.header, result.authserv_id, []))
            word = f"{result.method}={result.result}"
            if word not in entry[2]:
                entry[2].append(word)
        return [(index, name, writer, ", ".join(words[:10]))
                for index, (name, writer, words) in list(fields.items())[:limit]]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as Python values (the parsed ``to_json()``)."""
        import orjson

        return orjson.loads(self.to_json())  # type: ignore[no-any-return]

    def to_json(self, indent: bool = False) -> bytes:
        """The JSON form, UTF-8: the dataclass tree with enums as their values, tuples as
        arrays, ``for_`` as ``for``, a hop's Received fields inside the hop object and the
        options as an object (see schema/report.schema.json)."""
        import orjson

        # orjson writes every other dataclass of the model itself, in C, as json_default would
        # (its fields in order, enums as their values); only the report's own two exceptions
        # are made here, the hops (their Received fields flattened into them) and the options
        # (pairs as an object). Passing every object through json_default cost a scan 2%.
        top = dict(self.__dict__)
        top["hops"] = [_hop_json(hop) if hop.__class__ is Hop else json_default(hop) for hop in self.hops]
        top["options"] = dict(self.options)
        try:
            return _escape_hidden(orjson.dumps(top, default=json_default,
                                               option=orjson.OPT_INDENT_2 if indent else 0))
        except orjson.JSONEncodeError:
            # orjson refuses what a hostile input can still put into a report: a lone
            # surrogate (a file name's stand-in for a byte that is not UTF-8) or an integer
            # beyond 64 bits (a DKIM l= of 30 digits). The standard library writes both; same
            # mapping, slower. A lone surrogate is no character: U+FFFD, so the output stays UTF-8.
            import json
            import re

            text = json.dumps(self, default=json_default, ensure_ascii=False, check_circular=False,
                              indent=2 if indent else None, separators=None if indent else (",", ":"))
            return _escape_hidden(re.sub("[\ud800-\udfff]", "\ufffd", text).encode("utf-8"))


# The UTF-8 of the characters text.HIDDEN_CHARACTERS names above ASCII: C1 controls (U+009B is a
# CSI that terminals obey), the soft hyphen, bidi controls, zero-width and invisible format
# characters, line separators, the byte order mark, annotations and tag characters. JSON may
# hold them raw, but JSON printed to a terminal must not obey them: written as \uXXXX escapes,
# the same text to a JSON reader. They occur only inside strings, so bytes can be replaced.
_HIDDEN_UTF8 = (rb"\xc2[\x80-\x9f\xad]|\xd8\x9c|\xe1\xa0\x8e|\xe2\x80[\x8b-\x8f\xa8-\xae]|\xe2\x81[\xa0-\xa4\xa6-\xa9]"
                rb"|\xef\xbb\xbf|\xef\xbf[\xb9-\xbb]|\xf3\xa0[\x80\x81][\x80-\xbf]")


@functools.cache
def _hidden_utf8() -> re.Pattern[bytes]:
    return re.compile(_HIDDEN_UTF8)


def _json_escape(match: re.Match[bytes]) -> bytes:
    code = ord(match.group().decode("utf-8"))
    if code > 0xFFFF:  # a surrogate pair, as JSON writes characters outside the BMP
        code -= 0x10000
        return b"\\u%04x\\u%04x" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))
    return b"\\u%04x" % code


# The code points _HIDDEN_UTF8 matches, by range (it matches exactly these, no others).
_HIDDEN_RANGES = ((0x80, 0x9F), (0xAD, 0xAD), (0x61C, 0x61C), (0x180E, 0x180E), (0x200B, 0x200F),
                  (0x2028, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069), (0xFEFF, 0xFEFF),
                  (0xFFF9, 0xFFFB), (0xE0000, 0xE007F))


@functools.cache
def _hidden_table() -> dict[int, str]:
    """{code point: its JSON escape} for every hidden character, built once: a translate
    with it runs in C, where a regex callback made one Python call per character (a Subject of
    millions of bidi controls took seconds and a gigabyte for the pieces)."""
    pattern = _hidden_utf8()
    table: dict[int, str] = {}
    for low, high in _HIDDEN_RANGES:
        for code in range(low, high + 1):
            match = pattern.fullmatch(chr(code).encode("utf-8"))
            assert match is not None
            table[code] = _json_escape(match).decode("ascii")
    return table


def _escape_hidden(data: bytes) -> bytes:
    # Most reports are ASCII (a C-speed check) or have none: no copy.
    if data.isascii() or _hidden_utf8().search(data) is None:
        return data
    # The JSON is UTF-8 (orjson's, or the fallback's with lone surrogates replaced), and the
    # characters occur only inside strings, so escaping them in the decoded text is exact.
    return data.decode("utf-8").translate(_hidden_table()).encode("utf-8")


# Fields holding (name, value) pairs that are unique by name become JSON objects.
_OBJECT_PAIR_FIELDS = frozenset({"options"})


def _received_json(fields: ReceivedFields) -> dict[str, Any]:
    return {("for" if name == "for_" else name): value for name, value in fields.__dict__.items()}


@functools.cache
def _received_json_names() -> tuple[str, ...]:
    """ReceivedFields' field names in field order, as the JSON writes them ("for")."""
    return tuple("for" if f.name == "for_" else f.name for f in dataclasses.fields(ReceivedFields))


def _hop_json(hop: Hop) -> dict[str, Any]:
    """json_default(hop), the hop's fields with its Received fields in their place at the end,
    named by zip instead of a comprehension (half the cost; a scan writes a few hops a message).
    Every constructor fills a ReceivedFields' __dict__ with exactly its fields in field order
    (see _value.py): one of another size (no constructor makes one) is named field by field."""
    out = dict(hop.__dict__)
    received = out.pop("fields").__dict__
    names = _received_json_names()
    if len(received) == len(names):
        out.update(zip(names, received.values(), strict=True))
    else:
        out.update({("for" if name == "for_" else name): value for name, value in received.items()})
    return out


def json_default(value: Any) -> Any:
    """The JSON form of one model object, for orjson's and json's ``default`` hook: its
    fields by name, in order (nested objects are converted by the encoder in turn)."""
    cls = value.__class__
    if cls is Hop:
        # Flatten a hop's Received fields so scripts read hop["from_ip"] directly.
        out = dict(value.__dict__)
        out.update(_received_json(out.pop("fields")))
        return out
    if cls is ReceivedFields:
        return _received_json(value)
    names = _PAIR_FIELDS.get(cls)
    if names is None:
        if isinstance(value, enum.Enum):
            return value.value
        if not dataclasses.is_dataclass(value):
            raise TypeError(f"not part of the report model: {cls.__name__}")
        names = _PAIR_FIELDS[cls] = tuple(f.name for f in dataclasses.fields(value) if f.name in _OBJECT_PAIR_FIELDS)
    if not names:
        # A frozen dataclass without __slots__ keeps exactly its fields in __dict__, in
        # field order.
        return value.__dict__
    out = dict(value.__dict__)
    for name in names:
        out[name] = dict(out[name])
    return out


# Per dataclass: the names of its pair fields (built once per class).
_PAIR_FIELDS: dict[type, tuple[str, ...]] = {}
