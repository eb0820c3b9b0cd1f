"""Bulk and list mail: the unsubscribe fields, and the requirements mailbox providers set for them.

"Why is my newsletter in spam?" is often answered by its header. Since February 2024 Gmail and
Yahoo require senders of bulk mail to offer one-click unsubscription on marketing and
subscribed messages (Google's email sender guidelines, https://support.google.com/mail/answer/81126;
Yahoo's sender best practices, https://senders.yahooinc.com/best-practices/). This module reads,
from the header alone and without DNS:

* ``List-Unsubscribe`` (RFC 2369 section 3.2): angle-bracketed URIs, usually a ``mailto:`` and an
  ``https:`` one;
* ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058): the receiver may unsubscribe
  the recipient with one HTTPS POST, with no page to visit. RFC 8058 section 4 asks for a valid
  DKIM signature whose ``h=`` covers both fields, so that nobody can make a mailbox provider POST
  to a URI of their choosing; without it, receivers do not offer the button;
* ``Precedence: bulk``, ``list`` or ``junk``: a convention no standard defines (RFC 2076 section 3.9
  calls it non-standard), which RFC 3834 section 2 asks automatic responders to respect;
* ``List-Id`` (RFC 2919), ``Auto-Submitted`` (RFC 3834 section 5);
* ``Feedback-ID``: the sender's campaign identifiers for Gmail's spam feedback loop
  (https://support.google.com/a/answer/6254652);
* the sending service, when a field of its own names it (``_SERVICE_FIELDS``: text the sender
  writes, a claim), and the service's host on the sending side of the route (``_SERVICE_DOMAINS``:
  evidence when the receiving side recorded it, the sending server's reverse DNS name at the
  trust boundary; a claim when the sending side wrote it).

A discussion list (Mailman, ezmlm, Google Groups) relays its members' posts; RFC 8058 and the
providers' requirement are written for a sender's own bulk mail, so a list's copy is told apart
and not held to them. Every field is read bounded (``_MAX_VALUE``): the header is hostile.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timezone

from .domains import organizational_domain
from .hops import host_domain, list_id_domain
from .lists import read_list
from .message import Message
from .model import BulkSignals, DkimSignatureResult, Finding, Hop, Severity
from .text import address_safe_shortened, compiled_on_first_use

_RFC2369 = "https://www.rfc-editor.org/rfc/rfc2369#section-3.2"
_RFC2369_LIST = "https://www.rfc-editor.org/rfc/rfc2369#section-2"
_RFC8058_SENDERS = "https://www.rfc-editor.org/rfc/rfc8058#section-3.1"
_RFC8058_DKIM = "https://www.rfc-editor.org/rfc/rfc8058#section-4"
_GOOGLE_GUIDELINES = "https://support.google.com/mail/answer/81126"

_MAX_VALUE = 4096
"""Characters read of any field (a List-Unsubscribe with two URIs is a few hundred)."""
_MAX_URIS = 8
"""URIs kept of List-Unsubscribe (RFC 2369 lists a handful of alternatives at most)."""
_MAX_SHOWN = 300
"""Characters kept of a field shown as written (Precedence, List-Id, Feedback-ID...)."""
_MAX_REMNANT = 200
"""Characters kept of text in List-Unsubscribe that is no bracketed URI."""

# Fields whose presence makes a message bulk or list mail; Precedence counts only with one of
# _BULK_PRECEDENCE (RFC 3834 section 2 names the three).
_LIST_FIELDS = frozenset({"list-unsubscribe", "list-unsubscribe-post", "list-id"})
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})
# Fields a list that relays its members' posts adds: RFC 2369's List-Post (unless "NO", an
# announcement list), Mailman's and ezmlm's own. Google Groups writes List-Post too.
_DISCUSSION_FIELDS = ("X-Mailman-Version", "X-BeenThere", "Mailing-List", "X-Mailing-List")
# The Sender: a list manager writes: majordomo's "owner-LIST@", Mailman's "LIST-bounces@",
# ECARTIS' and Listar's "LIST-bounce@", ezmlm's and others' "LIST-owner@" / "LIST-request@".
_list_sender_re = compiled_on_first_use(r"(?:^|[<\s\"])(?:owner-[^@\s<>]{1,64}|[^@\s<>]{1,64}-(?:bounces?|owner|request))@",
                                        )

# Sending services that mark every message with a field of their own, documented by the
# service or seen on every message it sends: a field's name is the marker, never its value. A
# field a sender could add by hand names the service no more surely than the sender says so:
# the report calls it a claim ("the message carries SparkPost's field").
_SERVICE_FIELDS = (
    ("X-SES-Outgoing", "Amazon SES"),
    ("X-SG-EID", "SendGrid"),
    ("X-Mandrill-User", "Mandrill (Mailchimp Transactional)"),
    ("X-MC-User", "Mailchimp"),
    ("X-SFMC-Stack", "Salesforce Marketing Cloud"),
    ("X-PM-Message-Id", "Postmark"),
    ("X-Sib-Id", "Brevo (Sendinblue)"),
    ("X-MJ-Mid", "Mailjet"),
    ("X-MarketoID", "Marketo"),
    ("X-MktMailDKIM", "Marketo"),
    ("X-Zendesk-From-Account-Id", "Zendesk"),
    ("X-HS-Cid", "HubSpot"),
    # Last: the fields of Message Systems' Momentum MTA, the feedback-loop field and the API
    # options field (https://developers.sparkpost.com/api/smtp/). SparkPost runs Momentum as a
    # service, but others run it themselves (Marketo's ecelerity servers write both), so a
    # service's own field above names it first.
    ("X-MSFBL", "SparkPost/Momentum"),
    ("X-MSYS-API", "SparkPost/Momentum"),
)
# Salesforce's own mail (Sales and Service Cloud): its organisation and user ids, on every message
# (a 2018 and a 2022 real copy, both sent through *.mta.salesforce.com). Asked after every other
# service's mark: Salesforce's messages go to customers' systems that send them on with the fields
# kept (a real copy resent through Mailgun, whose fields stand above them, names Mailgun).
_LATE_SERVICE_FIELDS = (("X-SFDC-LK", "Salesforce"), ("X-SFDC-User", "Salesforce"))
# Mailgun's fields all start with this (X-Mailgun-Sid on every message, X-Mailgun-Variables...).
_MAILGUN_PREFIX = "x-mailgun-"
# The suffix a service ends the Feedback-ID it writes with (Gmail's feedback loop asks senders for
# "a:b:c:SenderId", https://support.google.com/a/answer/6254652): Amazon SES's ":AmazonSES",
# Mailjet's ":MJ", Brevo's ":Sendinblue".
_FEEDBACK_SUFFIXES = ((":amazonses", "Amazon SES"), (":mj", "Mailjet"), (":sendinblue", "Brevo (Sendinblue)"))
# Proton Mail writes "Feedback-ID: <account>:user:proton" on every message its users send, one
# person's mail to another included (real copies, 2025): its sender id is the mailbox provider,
# and the field says nothing of bulk mail. addy.io (AnonAddy) writes "Feedback-ID: F:<alias id>:anonaddy"
# on every forward to an alias's owner (anonaddy/anonaddy ForwardEmail.php), one message to one
# person: its sender id is the relay. (A sender that writes either only drops this bulk signal.)
_MAILBOX_FEEDBACK_SUFFIXES = (":user:proton", ":anonaddy")
# A field name two services write: Postmark's X-PM-Message-Id holds a UUID, Proton Mail's
# X-Pm-Message-ID (field names are case-insensitive, RFC 5322 section 1.2.2) 40 hexadecimal digits
# (verification V38f: Proton's person-to-person mail was named "Postmark" and filed as bulk).
_SERVICE_VALUE_SHAPES = {"x-pm-message-id": compiled_on_first_use(
    r"(?i)\s*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\s*")}
_SERVICE_NAMES = frozenset(name.lower() for name, _ in (*_SERVICE_FIELDS, *_LATE_SERVICE_FIELDS))
_SIGNAL_FIELDS = _LIST_FIELDS | _SERVICE_NAMES | {"precedence", "feedback-id", "x-feedback-id"}
# The registrable domains under which sending services name their outbound servers (what their
# SPF includes and reverse DNS name): a hop there, on the sending side of the route, is the
# service's server. Only domains that name nothing but a service's sending servers.
_SERVICE_DOMAINS = {
    "amazonses.com": "Amazon SES",
    "sendgrid.net": "SendGrid",
    "mcsv.net": "Mailchimp",
    "mcdlv.net": "Mailchimp",
    "rsgsv.net": "Mailchimp",
    "mandrillapp.com": "Mandrill (Mailchimp Transactional)",
    "mtasv.net": "Postmark",
    "sender-sib.com": "Brevo (Sendinblue)",
    "sparkpostmail.com": "SparkPost",
    "mailjet.com": "Mailjet",
    "mailgun.net": "Mailgun",
    "mailgun.org": "Mailgun",
    "mktomail.com": "Marketo",
    "zdsys.com": "Zendesk",
    "email-od.com": "SocketLabs",
    "hubspotemail.net": "HubSpot",
    "exacttarget.com": "Salesforce Marketing Cloud",
}
# Services whose registrable domain names more than their sending servers (salesforce.com is the
# company's own): only a host under the name their sending servers have counts. By registrable
# domain, so that every other host name costs one more lookup.
_SERVICE_HOSTS = {"salesforce.com": (("mta.salesforce.com", "Salesforce"),)}
_MAX_HOPS_READ = 50
"""Hops below the boundary looked at for a service's host (a real route has a handful)."""

# One URI of RFC 2369 section 2: "<" URI ">", whitespace inside to be ignored.
_angle_uri = compiled_on_first_use(r"<([^<>]{1,2048})>")
# What follows a URI's closing ">" in an RFC 2369 section 2 list: whitespace, then the comma
# before the next URI, a comment, or the end. A ">" followed by anything else is inside the URI
# (a data: URI holding "<script>"); the whitespace run is scanned once, after its one ">".
_after_uri = compiled_on_first_use(r"[ \t\r\n]{0,4096}(?:[,(]|\Z)")
# The schemes RFC 2369 section 2 names (mailto, http) and the https RFC 8058 section 3.1
# requires for one-click; a browser or mail client that opens anything else (javascript:,
# data:, file:) runs or reads what the sender wrote.
_safe_unsubscribe = compiled_on_first_use(r"(?i)(?:mailto|https?):")
_scheme = compiled_on_first_use(r"([A-Za-z][A-Za-z0-9+.-]{0,31}):")

_KIND_WORDS = {
    "mailing_list": "a mailing list's copy of a member's post",
    "bulk": "a sender's bulk or subscribed mail",
    "service": "sent through a bulk-sending service (newsletters and receipts alike)",
    "precedence_only": ("not known to be bulk mail: only its Precedence field says so, which bulk senders "
                        "write, and so do reports and automatic messages to keep auto-responders quiet "
                        "(RFC 3834 section 3.1.8)"),
}


def read_bulk(message: Message, dkim: Sequence[DkimSignatureResult], *, notification: bool = False,
              date: datetime | None = None, hops: Sequence[Hop] = (), boundary_hop: int | None = None,
              from_domain: str | None = None) -> tuple[BulkSignals | None, tuple[Finding, ...]]:
    """The bulk and list signals of the header, and the findings they call for; (None, ()) for
    a message with none (person-to-person mail). ``notification``: the message is a bounce, a
    report or an automatic reply (mime.read_carried said so), which no unsubscription concerns:
    only the safety warning (bulk.unsafe_unsubscribe_uri) is given then.
    ``hops`` and ``boundary_hop`` (the chain) show a sending service's server on the route;
    ``from_domain`` is whom it sent for."""
    mailgun = message.name_starting(_MAILGUN_PREFIX)
    host = _service_host(hops, boundary_hop)
    # A list marked the way lists did before List-Id (X-Mailing-List, ECARTIS' fields, an owner-LIST
    # Sender:...), which may carry none of the fields below: text the sender writes, so it only
    # tells a list's copy from a sender's bulk mail here.
    old_list = read_list(message)
    if not message.has_any(_SIGNAL_FIELDS) and mailgun is None and host is None and old_list is None:
        return None, ()  # the usual case: a few set lookups
    precedence = _first(message, "Precedence")
    # Mailchimp and SendGrid write it as X-Feedback-ID.
    feedback_id = _first(message, "Feedback-ID") or _first(message, "X-Feedback-ID")
    if feedback_id is not None and feedback_id.strip().lower().endswith(_MAILBOX_FEEDBACK_SUFFIXES):
        feedback_id = None
    service, service_field = _service(message, mailgun, feedback_id)
    if service is None and host is not None:
        service = host[0]
    listed = message.has_any(_LIST_FIELDS)
    bulk_precedence = (precedence or "").strip().lower() in _BULK_PRECEDENCE
    if not (listed or bulk_precedence or feedback_id is not None or service is not None or old_list is not None):
        return None, ()  # only a Precedence such as "first-class"
    uris, remnants = _unsubscribe_uris(message.first("List-Unsubscribe"))
    post = _first(message, "List-Unsubscribe-Post")
    post_one_click = post is not None and "".join(post.split()).lower() == "list-unsubscribe=one-click"
    https = any(uri.lower().startswith("https:") for uri in uris)
    if _discussion_list(message) or old_list is not None or (message.first("List-Id") is not None and service is None
                                     and feedback_id is None and post is None):
        # A List-Id (RFC 2919) with no sign of a sending service's campaign is a list's copy.
        kind = "mailing_list"
    elif listed:
        kind = "bulk"
    elif service is not None or feedback_id is not None:
        kind = "service"
    else:
        # Precedence and nothing else. Bulk senders write it, but so do abuse and feedback
        # reports (SpamCop's "Precedence: list"), vacation replies and other automatic messages,
        # to keep auto-responders quiet (RFC 3834 sections 2 and 3.1.8): on its own it does not
        # make the message a sender's bulk or subscribed mail.
        kind = "precedence_only"
    listed_by_id = message.first("List-Id") is not None
    covering = _covering(dkim) if post is not None else []
    replaced_by_list = False
    if kind == "mailing_list" and covering:
        # A list that replaced List-Unsubscribe with its own (its URI on the list's domain) left
        # the sender's signature over the sender's field: that signature covers what is gone.
        list_org = list_id_domain(_first(message, "List-Id"))
        if list_org is not None and any(_uri_organization(uri) == list_org for uri in uris):
            kept = [c for c in covering if organizational_domain(c.domain or "") == list_org]
            replaced_by_list = len(kept) < len(covering)
            covering = kept
    signed = tuple(dict.fromkeys(_signer(s) for s in covering))
    split = kind == "mailing_list" and post_one_click and _one_click_split(message, uris)
    signals = BulkSignals(
        kind=kind, list_unsubscribe=uris, list_unsubscribe_post=post, list_unsubscribe_unparsed=remnants,
        one_click=post_one_click and https and not split, unsubscribe_signed_by=signed, one_click_split=split, precedence=precedence,
        # Shown as the raw-headers section shows it, its encoded-words decoded: Mailman writes the
        # list's description as one (CookHeaders, RFC 2047 section 5(3)). Its <label>, which the
        # list's organisation is read from (list_id_domain), is read from the field as written.
        list_id=_shown(message.first_decoded("List-Id")),
        feedback_id=feedback_id, auto_submitted=_first(message, "Auto-Submitted"),
        sending_service=service, sending_service_field=service_field,
        sending_service_host=host[1] if host else None, sending_service_host_service=host[0] if host else None,
        sending_service_hop=host[2] if host else None, sending_service_host_recorded=bool(host and host[3]),
        sending_service_for=from_domain[:253] if service and from_domain else None,
        # What marks the list when no List-Id names it (a List-Id is shown as itself).
        list_name=(old_list.name or None) if old_list is not None and not listed_by_id else None,
        list_markers=old_list.markers if old_list is not None and not listed_by_id else (),
    )
    # A URI that runs script is a danger to whoever reads the message, notice or not (and a
    # notice's look is what a sender can dress any message in): it is said whatever the message is.
    unsafe = _unsafe_uris(uris)
    safety = [_unsafe_finding(unsafe)] if unsafe else []
    if notification:
        return signals, tuple(safety)
    findings = _findings(signals, post_one_click, https, len(dkim), covering, replaced_by_list)
    if date is not None and date < _REQUIREMENTS_START:
        # A message older than the requirements is not judged by them without saying so.
        older = f" This message (Date: {date.date().isoformat()}) predates those requirements."
        findings = [dataclasses.replace(f, explanation=f.explanation + older) for f in findings]
    return signals, tuple(findings + safety)


def _unsafe_finding(unsafe: list[str]) -> Finding:
    """A warning for List-Unsubscribe URIs that are not mailto:, http: or https:."""
    schemes = []
    for uri in unsafe:
        match = _scheme().match(uri)
        word = f"{match.group(1).lower()}:" if match else "no scheme"
        if word not in schemes:
            schemes.append(word)
    shown = "; ".join(f"<{uri[:_MAX_REMNANT - 1]}{'…' if len(uri) > _MAX_REMNANT else ''}>" for uri in unsafe[:3])
    return Finding(
        id="bulk.unsafe_unsubscribe_uri", severity=Severity.WARNING,
        title=f"List-Unsubscribe offers a URI that is not mail or a web page ({', '.join(schemes)})",
        explanation=(f"List-Unsubscribe holds {shown}. RFC 2369 section 2 names mailto: and http: URIs for it, "
                     "and RFC 8058 section 3.1 requires https: for one-click unsubscription; a mail client or "
                     "browser that opens a javascript:, data: or file: URI runs or shows what the sender wrote, "
                     "so this is no unsubscribe link to follow or copy. Legitimate bulk senders do not write it."),
        reference=_RFC2369_LIST, subject="List-Unsubscribe")


# Fields only a list manager writes for its list (RFC 2369's List-Post, List-Help, List-Subscribe,
# List-Archive, List-Owner; Mailman's, ezmlm's and vger's own): where they stand is the list's
# block of fields. List-Id and List-Unsubscribe are left out: senders' bulk mail carries them too.
_LIST_OWN_FIELDS = ("X-BeenThere", "X-Mailman-Version", "List-Post", "List-Help", "List-Subscribe",
                    "List-Archive", "List-Owner", "Mailing-List", "X-Mailing-List")


def _one_click_split(message: Message, uris: tuple[str, ...]) -> bool:
    """Whether List-Unsubscribe is the list's and List-Unsubscribe-Post the original sender's.

    RFC 8058 section 3.1: the one-click POST goes to the https: URI of List-Unsubscribe, and a
    sender adds the Post field for the URI it published itself. A list that relays a post
    replaces List-Unsubscribe with its own (Mailman 2 appends its block at the end of the header,
    Mailman 3 and others put theirs at the top) and leaves the sender's Post field where it was:
    a POST would then go to the list's page (Mailman's options page), which does not take one.
    Positions are compared, not signatures: a list's outbound gateway may re-sign both fields."""
    posts = message.all("List-Unsubscribe-Post")
    unsubscribes = message.all("List-Unsubscribe")
    marks = [f.index for name in _LIST_OWN_FIELDS for f in message.all(name)[:20]]
    if not posts or not unsubscribes or not marks:
        return False
    post, unsubscribe = posts[0].index, unsubscribes[0].index
    list_org = list_id_domain(_first(message, "List-Id"))
    on_list_domain = list_org is not None and any(_uri_organization(uri) == list_org for uri in uris)
    if on_list_domain:
        # A List-Unsubscribe on the list's own domain, and its List-Id, are the list's block too
        # (vger writes X-Mailing-List, List-Id, List-Subscribe, List-Unsubscribe together; V38f: a
        # Brevo post through vger kept Brevo's signed Post field far below them).
        marks += [unsubscribe, *(f.index for f in message.all("List-Id")[:20])]
    top, bottom = min(marks), max(marks)
    if top - 1 <= post <= bottom + 1:
        return False  # the Post field stands in (or right beside) the list's block: the list's own
    in_block = top <= unsubscribe <= bottom
    # Apart from the Post field: the sender's two fields are written together, not split by the
    # list's block between them.
    apart = min(post, unsubscribe) < top <= bottom < max(post, unsubscribe) or in_block
    return apart and (in_block or on_list_domain)


def _uri_organization(uri: str) -> str | None:
    """The organisation of an https: or mailto: URI's host."""
    scheme, _, rest = uri.partition(":")
    host = rest.partition("?")[0].rpartition("@")[2] if scheme.lower() == "mailto" else \
        rest.lstrip("/").partition("/")[0].partition(":")[0]
    return organizational_domain(host.lower()) if "." in host else None


# Google's and Yahoo's bulk sender requirements took effect on 1 February 2024.
_REQUIREMENTS_START = datetime(2024, 2, 1, tzinfo=timezone.utc)


def bulk_rows(bulk: BulkSignals) -> tuple[tuple[str, str], ...]:
    """(label, value) for each signal present, in the order a reader wants them; shared by the
    terminal, HTML and Markdown reports."""
    if bulk.one_click:
        one_click = (f"offered; both fields signed by {', '.join(bulk.unsubscribe_signed_by)}"
                     if bulk.unsubscribe_signed_by else
                     "offered, but no DKIM signature covers both fields, so receivers do not show it "
                     "(RFC 8058 section 4)")
    elif bulk.one_click_split:
        one_click = ("not usable: List-Unsubscribe-Post stands among the original sender's fields, but the "
                     "mailing list replaced List-Unsubscribe with its own, so a one-click POST would go to a URI "
                     "the sender never published for it (RFC 8058 section 3.1)")
    elif bulk.list_unsubscribe_post is not None:
        one_click = (f"not offered: List-Unsubscribe-Post: {bulk.list_unsubscribe_post}, "
                     "without List-Unsubscribe=One-Click and an https: URI (RFC 8058 section 3.1)")
    else:
        one_click = "not offered (no List-Unsubscribe-Post)"
    service = service_words(bulk)
    rows = [
        ("Kind", _KIND_WORDS.get(bulk.kind, bulk.kind)),
        ("List-Unsubscribe", (", ".join(bulk.list_unsubscribe) or "none") + "".join(
            f"; not a URI in angle brackets: \"{remnant}\"" for remnant in bulk.list_unsubscribe_unparsed)),
        ("One-click (RFC 8058)", one_click),
        ("Precedence", bulk.precedence or ""),
        ("List-Id", bulk.list_id or ""),
        ("List", f"{bulk.list_name or 'unnamed'} (marked by {_markers(bulk.list_markers)}: text the sender "
                 "writes, which explains list behaviour and vouches for nothing)" if bulk.list_markers else ""),
        ("Feedback-ID", bulk.feedback_id or ""),
        ("Auto-Submitted", bulk.auto_submitted or ""),
        ("Sending service", service),
    ]
    return tuple((label, value) for label, value in rows if value)


def _markers(markers: tuple[str, ...], limit: int = 3) -> str:
    """A list's marks as the report shows them: the first few, and how many more."""
    more = f" and {len(markers) - limit} more" if len(markers) > limit else ""
    return "; ".join(markers[:limit]) + more


def service_words(bulk: BulkSignals) -> str:
    """The sending service and what names it, each sign labelled as what it is: "SparkPost for
    eventbrite.com: the message carries SparkPost's field X-MSFBL (text the sender writes, a
    claim); hop 2's receiver recorded ...". "" when no service is known."""
    service = bulk.sending_service
    if not service:
        return ""
    said: list[str] = []
    if bulk.sending_service_field:
        said.append(f"the message carries {service}'s field {bulk.sending_service_field} "
                    "(text the sender writes, a claim)")
    if bulk.sending_service_host and bulk.sending_service_hop is not None:
        owner = bulk.sending_service_host_service or service
        whose = f"{owner}'s server " if owner != service else ""
        if bulk.sending_service_host_recorded:
            said.append(f"the receiving side recorded the sending server as {whose}{bulk.sending_service_host} "
                        f"(hop {bulk.sending_service_hop}, its reverse DNS name: evidence)")
        else:
            said.append(f"hop {bulk.sending_service_hop} names {whose}{bulk.sending_service_host} "
                        "(written by the sending side, a claim)")
    head = f"{service} for {bulk.sending_service_for}" if bulk.sending_service_for else service
    return f"{head}: {'; '.join(said)}" if said else head


def _first(message: Message, name: str) -> str | None:
    """The topmost field's value, bounded and on one line, or None."""
    return _shown(message.first(name))


def _shown(value: str | None) -> str | None:
    """A field's value as the report shows it: bounded and on one line; None stays None."""
    if value is None:
        return None
    shown = " ".join(value[:_MAX_SHOWN * 2].split())
    # (Not cut inside an address: --redact would show the start of a mailbox name without the
    # "@" it needs to know it, verification V59a D3-3; address_safe_shortened.)
    return address_safe_shortened(shown, _MAX_SHOWN)


def _unsubscribe_uris(value: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The URIs of a List-Unsubscribe value, in order, and the text in it that is neither a
    URI, a comma nor a comment (an unbracketed address, a "<" never closed). RFC 2369 section 2:
    each URI is in angle brackets, whitespace inside them is ignored, several are separated by
    commas, and a comment in parentheses may follow. A URI ends at the ">" followed by a comma,
    a comment or the end, not at the first ">" (a data: or javascript: URI may hold "<" and ">")."""
    if not value:
        return (), ()
    text = value[:_MAX_VALUE]
    uris: list[str] = []
    remnants: list[str] = []
    position, length = 0, len(text)
    while position < length and len(uris) < _MAX_URIS and len(remnants) < _MAX_URIS:
        char = text[position]
        if char in " \t\r\n,":
            position += 1
        elif char == "(":
            close = text.find(")", position)
            position = length if close < 0 else close + 1
        elif char == "<":
            end = text.find(">", position + 1)
            while end >= 0 and _after_uri().match(text, end + 1) is None:
                end = text.find(">", end + 1)
            if end < 0:
                remnants.append(_remnant(text[position:]))
                break
            uri = "".join(text[position + 1:end].split())
            if uri:
                uris.append(uri)
            position = end + 1
        else:
            stops = [found for found in (text.find(",", position), text.find("<", position)) if found >= 0]
            stop = min(stops) if stops else length
            remnants.append(_remnant(text[position:stop]))
            position = stop
    return tuple(uris), tuple(remnants)


def _remnant(text: str) -> str:
    """Text of List-Unsubscribe that is no bracketed URI, on one line and bounded, to be shown."""
    shown = " ".join(text[:_MAX_REMNANT * 2].split())
    return shown[:_MAX_REMNANT - 1] + "…" if len(shown) > _MAX_REMNANT else shown


def _unsafe_uris(uris: tuple[str, ...]) -> list[str]:
    """The URIs that are not mailto:, http: or https:."""
    return [uri for uri in uris if _safe_unsubscribe().match(uri) is None]


def _discussion_list(message: Message) -> bool:
    """Whether the message came through a list that relays its members' posts."""
    post = message.first("List-Post")
    if post is not None and _angle_uri().search(post[:_MAX_VALUE]) is not None:
        return True  # "List-Post: NO (posting not allowed)" is an announcement list's (RFC 2369 section 3.4)
    if any(message.first(name) is not None for name in _DISCUSSION_FIELDS):
        return True
    sender = message.first("Sender")
    return sender is not None and _list_sender_re().search(sender[:500].lower()) is not None


def _service(message: Message, mailgun: str | None, feedback_id: str | None) -> tuple[str | None, str | None]:
    """(the sending service, the field that names it), or (None, None)."""
    for name, service in _SERVICE_FIELDS:
        found = message.all(name)
        shape = _SERVICE_VALUE_SHAPES.get(name.lower())
        if found and (shape is None or shape().fullmatch(found[0].value[:200]) is not None):
            return service, found[0].name
    if mailgun is not None:
        return "Mailgun", mailgun
    if feedback_id is not None:
        lowered = feedback_id.lower()
        for suffix, service in _FEEDBACK_SUFFIXES:
            if lowered.endswith(suffix):
                return service, "Feedback-ID"
    for name, service in _LATE_SERVICE_FIELDS:
        found = message.all(name)
        if found:
            return service, found[0].name
    return None, None


def _service_host(hops: Sequence[Hop], boundary_hop: int | None) -> tuple[str, str, int, bool] | None:
    """(service, host, hop number, recorded by the receiving side) for the first host of a
    sending service on the sending side of the route: the client of the trust-boundary hop
    (the server that handed the message to the receiving side), then the hops below it, newest
    first. Only the boundary hop's reverse DNS name of its client is the receiving side's record;
    a HELO name, and everything below the boundary, the sending side wrote."""
    if not hops or boundary_hop is None or not 1 <= boundary_hop <= len(hops):
        return None
    boundary = hops[boundary_hop - 1]
    candidates: list[tuple[str | None, Hop, bool]] = [
        (boundary.fields.from_rdns, boundary, boundary.trusted),
        (boundary.fields.from_helo, boundary, False),
    ]
    for hop in reversed(hops[max(0, boundary_hop - 1 - _MAX_HOPS_READ):boundary_hop - 1]):
        candidates += [(hop.fields.by, hop, False), (hop.fields.from_rdns, hop, False),
                       (hop.fields.from_helo, hop, False)]
    for name, hop, recorded in candidates:
        domain = host_domain(name) or ""  # normalized: lower case, no final dot
        service = _SERVICE_DOMAINS.get(domain)
        if service is None and domain in _SERVICE_HOSTS:
            service = _service_under(name, _SERVICE_HOSTS[domain])
        if service is not None and name is not None:
            return service, name.strip().rstrip(".").lower()[:253], hop.number, recorded
    return None


def _service_under(name: str | None, hosts: tuple[tuple[str, str], ...]) -> str | None:
    """The service of ``hosts`` (_SERVICE_HOSTS) whose servers' name a host name is under, or None."""
    lowered = (name or "")[:300].strip().rstrip(".").lower()
    return next((known for suffix, known in hosts if lowered.endswith(f".{suffix}")), None)


def _signer(signature: DkimSignatureResult) -> str:
    """A signature as the reports name it: ``domain/selector``."""
    return f"{signature.domain or '?'}/{signature.selector or '?'}"


def _covering(dkim: Sequence[DkimSignatureResult]) -> list[DkimSignatureResult]:
    """The signatures whose h= names both List-Unsubscribe and List-Unsubscribe-Post (names are
    case-insensitive, RFC 6376 section 3.5)."""
    out = []
    for signature in dkim[:50]:  # a hostile message may carry thousands; the DKIM check bounds its own
        names = {name.lower() for name in signature.signed_headers[:200]}
        if "list-unsubscribe" in names and "list-unsubscribe-post" in names:
            out.append(signature)
    return out


# Results of a signature that does not verify, so that it covers nothing (RFC 6376 section 6.1).
_BROKEN = frozenset({"fail", "permerror"})


def _findings(bulk: BulkSignals, post_one_click: bool, https: bool, signatures: int,
              covering: list[DkimSignatureResult], replaced_by_list: bool = False) -> list[Finding]:
    findings: list[Finding] = []
    requirement = ("Since February 2024 Gmail and Yahoo require senders of bulk mail (Google: over 5,000 "
                   "messages a day to Gmail accounts) to offer one-click unsubscription (RFC 8058) on marketing "
                   "and subscribed messages and to honour it within two days; mail that lacks it is more likely "
                   "to be rejected or filed as spam. Transactional messages (receipts, password resets) are "
                   "exempt.")
    if bulk.list_unsubscribe_post is not None and not (post_one_click and https) and not bulk.one_click_split:
        # (A Post field the list left beside its own List-Unsubscribe is the list's mix, said below.)
        if not post_one_click:
            what = (f"List-Unsubscribe-Post says \"{bulk.list_unsubscribe_post[:80]}\", not "
                    "\"List-Unsubscribe=One-Click\"")
        elif bulk.list_unsubscribe:
            what = "List-Unsubscribe holds no https: URI, which the one-click POST would go to"
        else:
            what = "the message has no List-Unsubscribe field to POST to"
        findings.append(Finding(
            id="bulk.one_click_incomplete", severity=Severity.NOTICE,
            title="One-click unsubscription is offered incompletely",
            explanation=(f"The message carries List-Unsubscribe-Post, but {what}. RFC 8058 section 3.1 asks for "
                         "the single key/value pair \"List-Unsubscribe=One-Click\" and an https: URI in "
                         "List-Unsubscribe; without both, receivers do not offer one-click unsubscription. "
                         f"{requirement}"),
            reference=_RFC8058_SENDERS, subject="List-Unsubscribe-Post"))
    elif bulk.one_click:
        verifying = [s for s in covering if s.result not in _BROKEN]
        if not verifying:
            if covering:
                named = ", ".join(f"{_signer(s)} ({s.result})" for s in covering[:3])
                why = (f"The DKIM signatures whose h= covers both fields do not verify ({named}), so they "
                       "vouch for neither.")
            elif replaced_by_list:
                why = ("The mailing list replaced List-Unsubscribe with its own (on its domain): the sender's "
                       "signature covered the sender's field, which is gone, and the list's own fields are "
                       "covered by no signature of the list.")
            elif signatures:
                why = "No DKIM signature's h= covers both List-Unsubscribe and List-Unsubscribe-Post."
            else:
                why = "The message has no DKIM signature."
            findings.append(Finding(
                id="bulk.one_click_unsigned", severity=Severity.INFO if replaced_by_list else Severity.NOTICE,
                title="One-click unsubscription is not covered by a valid DKIM signature",
                explanation=(f"{why} RFC 8058 section 4 requires a valid DKIM signature whose h= tag covers both "
                             "fields, so that nobody can add them to make a mailbox provider POST to a URI of "
                             "their choosing, and says receivers SHOULD NOT offer one-click unsubscription "
                             "without it. Gmail and Yahoo, which require one-click unsubscription of bulk senders "
                             "since February 2024, check for it; the sender's signing software has to be told to "
                             "sign List-Unsubscribe-Post (OpenDKIM's SignHeaders, for one, does not by default)."),
                reference=_RFC8058_DKIM, subject="List-Unsubscribe-Post"))
    elif bulk.one_click_split:
        findings.append(Finding(
            id="bulk.one_click_not_usable", severity=Severity.INFO,
            title="Mailing list: one-click unsubscription is not usable",
            explanation=("The message carries List-Unsubscribe-Post: List-Unsubscribe=One-Click among the original "
                         "sender's fields, but the mailing list that relayed it replaced List-Unsubscribe with its "
                         f"own ({_offered(bulk.list_unsubscribe)}, in the list's block of fields or on its domain). "
                         "RFC 8058 section 3.1 has the one-click POST go to the https: URI the same sender "
                         "published in List-Unsubscribe: here it would go to the list's page, which did not ask "
                         "for it and may not take one, so a receiver that offered one-click would unsubscribe "
                         "nobody. Whatever signature covers the two fields now, they came from two writers."),
            reference=_RFC8058_SENDERS, subject="List-Unsubscribe-Post"))
    elif bulk.list_unsubscribe:
        if bulk.kind == "mailing_list":
            findings.append(Finding(
                id="bulk.no_one_click", severity=Severity.INFO,
                title="Mailing list: List-Unsubscribe without one-click",
                explanation=("The message came through a mailing list that relays its members' posts, whose "
                             f"List-Unsubscribe (RFC 2369) offers {_offered(bulk.list_unsubscribe)}, not one-click "
                             "unsubscription (RFC 8058's List-Unsubscribe-Post). That is usual for a discussion list: "
                             "the one-click requirement Gmail and Yahoo set in February 2024 is written for "
                             "senders of marketing and subscribed bulk mail. A list manager that adds the field "
                             "(and signs it) gives the recipients' mailbox their one-click Unsubscribe button."),
                reference=_RFC8058_SENDERS, subject="List-Unsubscribe"))
        else:
            findings.append(Finding(
                id="bulk.no_one_click", severity=Severity.NOTICE,
                title="List-Unsubscribe without one-click unsubscription",
                explanation=("The message is subscribed mail: its List-Unsubscribe (RFC 2369) offers "
                             f"{_offered(bulk.list_unsubscribe)}, but no List-Unsubscribe-Post: "
                             f"List-Unsubscribe=One-Click (RFC 8058). {requirement}"),
                reference=_GOOGLE_GUIDELINES, subject="List-Unsubscribe"))
    elif bulk.kind in ("bulk", "precedence_only") and (bulk.precedence or "").lower() in ("bulk", "junk"):
        submitted = (bulk.auto_submitted or "").split(";")[0].strip().lower()
        if submitted and submitted != "no":
            # A system's notification (a ticket tracker's, a build server's) says "Precedence: bulk"
            # to keep auto-responders quiet, as RFC 3834 section 2 advises: not marketing mail.
            severity = Severity.INFO
            why = (f"It is an automatic notification (Auto-Submitted: {submitted[:60]}, RFC 3834), "
                   "which marks itself so to keep auto-responders quiet; if recipients subscribed to it, "
                   "List-Unsubscribe gives their mailbox an unsubscribe button.")
        else:
            severity = Severity.NOTICE
            why = ("The recipient's mailbox therefore offers no unsubscribe button, and a recipient who no longer "
                   "wants the mail can only report it as spam.")
        findings.append(Finding(
            id="bulk.no_unsubscribe", severity=severity,
            title=f"Marked as bulk mail (Precedence: {bulk.precedence}) without List-Unsubscribe",
            explanation=(f"The sender marks the message as bulk mail (Precedence: {bulk.precedence}) but gives no "
                         f"List-Unsubscribe field (RFC 2369). {why} {requirement}"),
            reference=_GOOGLE_GUIDELINES, subject="Precedence"))
    elif bulk.kind == "service" and not bulk.list_unsubscribe:
        sender = bulk.sending_service or "a bulk-sending service"
        marker = (f" ({bulk.sending_service_field})" if bulk.sending_service_field else
                  f" (hop {bulk.sending_service_hop}: {bulk.sending_service_host})" if bulk.sending_service_host else
                  " (Feedback-ID)")
        findings.append(Finding(
            id="bulk.no_unsubscribe", severity=Severity.INFO,
            title=f"Sent through {sender}, with no List-Unsubscribe",
            explanation=(f"The message was sent through {sender}{marker} and carries no List-Unsubscribe field "
                         "(RFC 2369). That is right for a transactional message (a receipt, a password reset), "
                         f"but not for a newsletter or marketing mail. {requirement}"),
            reference=_RFC2369, subject="List-Unsubscribe"))
    return findings


def _offered(uris: tuple[str, ...]) -> str:
    """What a List-Unsubscribe offers, in words: "a mailto: address and an https: page"."""
    schemes = {uri.partition(":")[0].lower() for uri in uris}
    words = [word for scheme, word in (("mailto", "a mailto: address"), ("https", "an https: page"),
                                        ("http", "an http: page")) if scheme in schemes]
    return " and ".join(words) or "URIs of other schemes"
