"""The SMTP envelope beside the header addresses, with each difference explained.

SMTP delivers by the envelope (RFC 5321 section 3.3: ``MAIL FROM``, ``RCPT TO``), not by the
``From:``/``To:`` header fields (RFC 5322 section 3.6). The final envelope survives in the
message as ``Return-Path`` (written by the delivering MDA, RFC 5321 section 4.4),
``Delivered-To``/``X-Original-To``/``Envelope-To`` (written by common MDAs), and the
``envelope-from``/``for`` clauses of ``Received``, and the ``envelope-from`` the receiver's
``Received-SPF`` records (RFC 7208 section 9.1). Only trusted hops (added by the receiving side)
are read for envelope clauses; lower hops are the sender's claims.

A ``Delivered-To`` (or ``X-Original-To``, ``Envelope-To``) below the Received header where the
final receiving side accepted the message was already in the message when it arrived (RFC 5321
section 4.4: trace fields are prepended, so lower is older): an earlier receiver wrote it at an
earlier delivery. It is history, not the current recipient, and a sign that the message was
delivered once and sent again (a forward, a list, a resend, a replayed signed message).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet

from .addresses import (
    address_domain,
    classify_bounce_address,
    contained_addresses,
    decode_srs,
    displayed_domains,
    encoded_word_in_addr_spec,
    envelope_address,
    google_forwarding,
    originator_field_problems,
    parse_addresses,
    shown_as,
)
from .domains import (
    LOCALHOST_NAMES,
    LookalikeWord,
    a_label_form,
    ascii_cousin_key,
    ascii_lookalike,
    list_id_label,
    lookalike_key,
    lookalike_word,
    mixed_script_domain,
    normalize_domain,
    organizational_domain,
    public_suffix,
)
from .hops import is_retrieval
from .lists import ListReading, read_list
from .message import MAX_HEADER_FIELDS, MAX_KEPT_PER_NAME, Message
from .mime import is_automatic_notification
from .model import (
    Address,
    Envelope,
    EnvelopeDifference,
    Finding,
    HeaderField,
    Hop,
    RecordedResult,
    RelayInfo,
    ReportedEnvelope,
    Role,
    Severity,
    SpamFilterVerdict,
    SrsInfo,
)
from .received import authenticated_login
from .text import (
    MAX_DECODE_LENGTH,
    address_safe_shortened,
    compiled_on_first_use,
    decode_rfc2047,
    header_ref,
)

_ADDRESSEE_FIELDS = frozenset({"to", "cc", "bcc"})
_RFC5322_ORIGINATOR = "https://www.rfc-editor.org/rfc/rfc5322#section-3.6.2"
_RFC5322_FROM_COUNT = "https://www.rfc-editor.org/rfc/rfc5322#section-3.6"
_RFC7489_FROM = "https://www.rfc-editor.org/rfc/rfc7489#section-6.6.1"
_RFC5321_TRACE = "https://www.rfc-editor.org/rfc/rfc5321#section-4.4"

# Header fields MDAs write with the envelope recipient, in the order they are read.
# Yahoo Mail and AOL write "X-Apparently-To: user@yahoo.com; Sat, 9 Jul 2022 10:35:03 +0000";
# Fastmail "X-Delivered-to" (the RCPT TO) and "X-Resolved-to" (the mailbox after its aliases).
_RCPT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "X-Apparently-To",
                 "X-Delivered-To", "X-Resolved-To", "Original-Recipient", "X-Orcpt")
_RESENT_RECIPIENTS = ("Resent-To", "Resent-Cc", "Resent-Bcc")
_MAX_RECIPIENTS = 1000


def _trusted(hops: tuple[Hop, ...], boundary_hop: int | None) -> tuple[Hop, ...]:
    """Hops added by the receiving side: marked trusted, or at/after the boundary hop."""
    return tuple(h for h in hops if h.trusted or (boundary_hop is not None and h.number >= boundary_hop))


# cPanel's Exim stamps the account a message was submitted with: "X-Get-Message-Sender-Via:
# host: authenticated_id: user@domain" and "X-Authenticated-Sender: host: user@domain".
_sender_via_re = compiled_on_first_use(r"^\s*([^\s:]{1,253}):\s*(?:authenticated_id:\s*)?([^\s@:;]{1,64}@[^\s@:;]{1,253})\s*$")
_RFC6409_SUBMISSION = "https://www.rfc-editor.org/rfc/rfc6409#section-4.3"


def _submission_logins(message: Message, hops: tuple[Hop, ...]) -> list[tuple[str, str, str, int | None]]:
    """(login, the server that recorded it, where, the hop number when its Received did) for each
    submission whose account a server recorded: in its Received (Postfix's "Authenticated
    sender:", Exim's "authenticated_id:") or in cPanel's stamps. Only logins that are addresses."""
    logins: list[tuple[str, str, str, int | None]] = []
    for hop in hops:
        login = authenticated_login(hop.fields.auth)
        if login and "@" in login:
            logins.append((login, hop.fields.by or "a server", f"hop {hop.number}'s Received", hop.number))
    for name in ("X-Get-Message-Sender-Via", "X-Authenticated-Sender"):
        for field in message.all(name)[:3]:
            match = _sender_via_re().match(field.value[:600])
            if match is not None:
                logins.append((match.group(2), match.group(1), name, None))
            elif name == "X-Authenticated-Sender":
                # MDaemon's, without the host: the server whose Received is just above it.
                login = field.value.strip()[:200]
                if _bare_login_re().fullmatch(login):
                    above = max((h for h in hops if h.header_index < field.index), key=lambda h: h.header_index,
                                default=None)
                    logins.append((login, (above.fields.by if above else None) or "a server", name, None))
    # sendmail at Network Solutions/Web.com (carrierzone.com), some Kerio and SmarterMail builds:
    # "X-Authenticated-User: user@domain", the bare login, next to the authenticated Received of
    # the server that wrote it (sendmail's milter puts it just above that stamp).
    for field in message.all("X-Authenticated-User")[:3]:
        login = field.value.strip()[:200]
        if _bare_login_re().fullmatch(login):
            near = sorted((h for h in hops if h.fields.auth), key=lambda h: abs(h.header_index - field.index))
            server = near[0] if near else None
            logins.append((login, (server.fields.by if server else None) or "a server", "X-Authenticated-User",
                           None))
    # cPanel's Exim: X-Source-Auth, with the server in X-AntiAbuse's "Primary Hostname - HOST".
    for field in message.all("X-Source-Auth")[:1]:
        login = field.value.strip()[:200]
        if _bare_login_re().fullmatch(login):
            host = next((value.split("-", 1)[1].strip()[:253] for value in
                         (f.value for f in message.all("X-AntiAbuse")[:6]) if value.strip().lower().startswith(
                             "primary hostname")), None)
            logins.append((login, host or "a server", "X-Source-Auth", None))
    return logins


_bare_login_re = compiled_on_first_use(r"[^\s@:;<>]{1,64}@[^\s@:;<>]{1,253}")


def _submitted_by_another_account(message: Message, hops: tuple[Hop, ...], from_domain: str | None) -> Finding | None:
    """A notice when the account a server recorded for the submission belongs to another
    organisation than the From: domain: allowed sending ("send mail as", a shared mailbox), or a
    compromised or misused account, which the abuse desk of that server can tell apart."""
    if not from_domain:
        return None
    for login, server, where, number in _submission_logins(message, hops):
        login_domain = address_domain(login)
        if login_domain and _org(login_domain) != _org(from_domain):
            relay = _relayed_submission(hops, number)
            if relay is not None:
                # A mail server logging in to a smarthost (a relay service's account), as the hop
                # below says: the usual relay-host setup. That hop is the sending side's own
                # text, which a misused account's sender could write too: still a notice.
                return Finding(
                    id="envelope.submitted_by_other_account", severity=Severity.NOTICE,
                    title=f"Relayed through {server[:120]} with the account {address_safe_shortened(login, 120)}, while From: shows "
                          f"{from_domain}",
                    explanation=(f"{server[:120]} records ({where}) that the account {address_safe_shortened(login, 200)} handed the "
                                 f"message over, and the server that did, {relay[1]}, says it had taken the message "
                                 f"as a submission itself (hop {relay[0]}, written by the sending side): most likely "
                                 "a mail server sending through a smarthost, which logs in with the relay service's "
                                 "account whatever domain its users write in From:. A compromised or misused "
                                 f"account would look the same from here; the abuse desk of {server[:120]} can tell "
                                 "which."),
                    reference=_RFC6409_SUBMISSION, subject="From")
            return Finding(
                id="envelope.submitted_by_other_account", severity=Severity.NOTICE,
                title=f"Submitted by the account {address_safe_shortened(login, 120)}, while From: shows {from_domain}",
                explanation=(f"{server[:120]} records ({where}) that the message was submitted by the account "
                             f"{address_safe_shortened(login, 200)}, of another domain than From:'s {from_domain}. That is normal when "
                             "the account may send as that address (a \"send mail as\" setting, a shared mailbox, "
                             "a web form's mailer); it is also the mark of a compromised or misused account sending "
                             f"as someone else. The abuse desk of {server[:120]} can tell which."),
                reference=_RFC6409_SUBMISSION, subject="From")
    return None


def _relayed_submission(hops: tuple[Hop, ...], number: int | None) -> tuple[int, str] | None:
    """(hop number, server) of a submission below hop ``number``, whose Received recorded a
    login, made at the server that then logged in: its client is the server that took the
    earlier submission. None when no hop recorded the login, or no such submission is below."""
    if number is None or not 2 <= number <= len(hops):
        return None
    client = hops[number - 1].fields
    names = {normalize_domain(name) for name in (client.from_rdns, client.from_helo) if name}
    below = hops[number - 2]  # the hop just before: where the relaying server took the message
    by = normalize_domain(below.fields.by)
    # Its server names itself as the client did, or by a loopback name (a submission on the
    # relaying server's own port: "by localhost").
    if (below.role is Role.MSA or below.fields.auth) and by is not None and (by in names or by in LOCALHOST_NAMES):
        return below.number, (client.from_rdns or client.from_helo or by)[:120]
    return None



def _claimed_mail_from(hops: tuple[Hop, ...], trusted: tuple[Hop, ...]) -> tuple[str | None, str | None]:
    """The envelope sender the newest hop below the boundary records (Exim's "(envelope-from
    <...>)" in a list archive's copy, whose receiver wrote no Return-Path): a claim of an
    earlier server, which a reader wants beside "not recorded", and which SPF never uses."""
    for hop in reversed(hops):
        if hop in trusted or hop.fields.envelope_from is None:
            continue
        value = envelope_address(hop.fields.envelope_from)
        if value is not None:
            return value, f"Received envelope-from (hop {hop.number}, a claim)"
    return None, None


# A bounce-handling envelope sender is the same on a sender's genuine mail and on a forgery.
_NOT_THE_AUTHORS = "It says nothing of who wrote the message: DKIM and DMARC tell that."


def _claimed_rcpt_to(hops: tuple[Hop, ...], trusted: tuple[Hop, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The recipients the newest hop below the boundary with a "for" clause names, each with its
    source, or empty: an earlier server's claim, shown where the receiver recorded none."""
    for hop in reversed(hops):
        if hop in trusted or not hop.fields.for_:
            continue
        found = [a.address for a in parse_addresses(hop.fields.for_)[:_MAX_RECIPIENTS] if a.domain]
        if found:
            return tuple(found), (f"Received for (hop {hop.number}, a claim)",) * len(found)
    return (), ()


def _ip_equal(first: str | None, second: str | None) -> bool:
    try:
        return _ipv4_unmapped(ipaddress.ip_address((first or "").strip().strip("[]")[:64])) == \
            _ipv4_unmapped(ipaddress.ip_address((second or "").strip().strip("[]")[:64]))
    except ValueError:
        return False


def _ipv4_unmapped(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    # A dual-stack receiver records an IPv4 client as "::ffff:192.0.2.10" (RFC 4291 section
    # 2.5.5.2), where the Received shows 192.0.2.10: one client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def boundary_received_spf(recorded: tuple[RecordedResult, ...], hops: tuple[Hop, ...],
                          boundary_hop: int | None) -> RecordedResult | None:
    """The trusted Received-SPF the final receiver wrote for the boundary hop, or None.

    RFC 7208 section 9.1: the receiver records ``client-ip``, ``helo`` and ``envelope-from`` of
    the connection it checked. One counts only when it describes the boundary hop, so inputs
    of different hops are never mixed: its ``client-ip`` must equal the boundary hop's client
    IP; when either side has no IP, it must sit beside the boundary Received header (between
    it and the neighbouring Received headers). The one nearest the boundary Received wins.
    """
    boundary = next((h for h in hops if h.number == boundary_hop), None) if boundary_hop else None
    if boundary is None:
        return None
    indexes = sorted(h.header_index for h in hops)
    above = max((i for i in indexes if i < boundary.header_index), default=-1)
    below = min((i for i in indexes if i > boundary.header_index), default=None)
    best: tuple[int, RecordedResult] | None = None
    for result in recorded:
        if result.header != "Received-SPF" or not result.trusted or result.header_index is None:
            continue
        properties = dict(result.properties)
        client_ip = properties.get("client-ip")
        index = result.header_index
        if client_ip and boundary.fields.from_ip:
            if not _ip_equal(client_ip, boundary.fields.from_ip):
                continue  # another connection: another hop's inputs
        elif not (above < index and (below is None or index < below)):
            continue
        distance = abs(index - boundary.header_index)
        if best is None or distance < best[0]:
            best = (distance, result)
    return best[1] if best else None


def _spf_envelope_from(received_spf: RecordedResult | None) -> tuple[str | None, str | None]:
    """The envelope-from a Received-SPF records, and where: (None, None) when it records none."""
    if received_spf is None:
        return None, None
    value = envelope_address(dict(received_spf.properties).get("envelope-from"))
    if value is None:
        return None, None
    return value, f"Received-SPF envelope-from ({header_ref(received_spf.header_index)})"


def _mail_from(message: Message, hops: tuple[Hop, ...], received_spf: RecordedResult | None,
               recorded: tuple[str | None, str | None] = (None, None)
               ) -> tuple[str | None, str | None, tuple[str | None, str | None]]:
    """(MAIL FROM, where it was read, (a Return-Path set aside as a claim, where)).

    ``hops``: the receiving side's; ``recorded``: the smtp.mailfrom of the receiver's own trusted
    SPF result and where it was read (see ``api._recorded_mail_from``)."""
    # RFC 5321 section 4.4: the MDA puts the final MAIL FROM in Return-Path at the top.
    boundary_index = max((hop.header_index for hop in hops), default=-1)
    return_paths = message.all("Return-Path")
    damaged: tuple[str | None, str | None] = (None, None)
    if return_paths and bracket_damage(return_paths[0].value) is not None:
        # A Return-Path whose angle brackets do not pair ("<a@b" with no ">") is no path an MTA
        # wrote (RFC 5321 section 4.1.2: Reverse-path = Path / "<>", Path = "<" Mailbox ">"):
        # a copy typed or cut by hand, or a program's bug. What it reads as is shown as a
        # claim (envelope.damaged_return_path says why), never used as the MAIL FROM.
        read = envelope_address(return_paths[0].value.strip().strip("<>"))
        damaged = (read or None, f"Return-Path ({header_ref(return_paths[0].index)}), damaged: "
                                 f"{bracket_damage(return_paths[0].value)}")
        return_paths = ()
    if return_paths:
        value = envelope_address(return_paths[0].value)
        if value is not None and _is_local_mailer_daemon(value, hops):
            # sendmail's local delivery (and procmail, mail.local) writes the null reverse-path
            # of a bounce as the receiving host's own MAILER-DAEMON: no sender had that address.
            return "", f"Return-Path ({value}: the delivering host's spelling of the null sender)", (None, None)
        if value is not None:
            below = 0 <= boundary_index < return_paths[0].index
            receivers, receivers_source = _receivers_mail_from(received_spf, recorded)
            if below and receivers is not None and not _same_reverse_path(receivers, value):
                # Below the receiver's boundary Received the Return-Path was already in the message
                # when it arrived (RFC 5321 section 4.4: the delivering MTA inserts it at the top):
                # a sending system's leftover (Marketo's "reply@" beside its per-recipient bounce
                # address), not this delivery's. The receiver's own record of the MAIL FROM it
                # checked wins; the Return-Path is shown as the claim it is.
                where = f"Return-Path ({header_ref(return_paths[0].index)}) below the boundary Received"
                return receivers, (f"{receivers_source}, the receiver's record; the {where} says {value}, "
                                   "a claim written before the receiver took the message"), (value, where)
            return value, "Return-Path", (None, None)
    # X-Envelope-From, which some receivers (sendmail's and Postfix's milters, cPanel) write
    # above their Received: the receiving side's record when it sits there, "<>" for a bounce.
    for field in message.all("X-Envelope-From")[:3]:
        if field.index < boundary_index:
            value = envelope_address(field.value)
            if value is not None:
                return value, "X-Envelope-From", damaged
    # Without Return-Path, the latest trusted hop that recorded its envelope sender.
    for hop in reversed(hops):
        if hop.fields.envelope_from is not None:
            value = envelope_address(hop.fields.envelope_from)
            if value is not None:
                return value, f"Received envelope-from (hop {hop.number})", damaged
    # Then the MAIL FROM the receiver's SPF check recorded (RFC 7208 section 9.1).
    return (*_spf_envelope_from(received_spf), damaged)


def _recorded_before_redelivery(message: Message, trusted: tuple[Hop, ...], boundary: Hop | None,
                                received_spf: RecordedResult | None, recorded: tuple[str | None, str | None]
                                ) -> tuple[str, str] | None:
    """A non-null MAIL FROM the receiving side itself recorded when it accepted the message, with
    where it was read, or None: amavisd-new's X-Envelope-From above the boundary Received, the
    boundary hop's Received-SPF envelope-from (RFC 7208 section 9.1), a trusted Received's
    envelope-from, the receiver's Authentication-Results smtp.mailfrom. Only fields the receiver
    wrote count: a sender can write "X-Envelope-From" too, but below the boundary Received."""
    if boundary is None:
        return None
    for field in message.all("X-Envelope-From")[:3]:
        if field.index < boundary.header_index:
            value = envelope_address(field.value)
            if value:
                return value, f"X-Envelope-From ({header_ref(field.index)}), written by the receiving side"
    # Without a store's own mark above the boundary (a quarantine's, or a delivery to a mailbox
    # of the host alone such as "spam-quarantine"), nothing says the copy was stored and sent
    # again: a sender can use the null reverse-path itself.
    quarantine_id, blocked = _quarantine_marks(message, boundary)
    local_mailbox = any(f.index < boundary.header_index and "@" not in f.value
                        for f in message.all("Delivered-To")[:MAX_KEPT_PER_NAME])
    if quarantine_id is None and not blocked and not local_mailbox:
        return None
    # RFC 7208 section 2.4: for the null reverse-path SPF checks "postmaster@" and the HELO name,
    # an identity the sender chose; a receiver that records it records no MAIL FROM.
    helo = (boundary.fields.from_helo or "").lower().rstrip(".")

    def chosen_by_sender(address: str) -> bool:
        local, _, domain = address.lower().rpartition("@")
        return bool(helo) and local == "postmaster" and domain.rstrip(".") == helo

    value, source = _spf_envelope_from(received_spf)
    if value and source and not chosen_by_sender(value):
        return value, source
    for hop in reversed(trusted):
        value = envelope_address(hop.fields.envelope_from)
        if value and not chosen_by_sender(value):
            return value, f"Received envelope-from (hop {hop.number})"
    if recorded[0] and recorded[1] and not chosen_by_sender(recorded[0]):
        return recorded[0], recorded[1]
    return None


def _quarantine_marks(message: Message, boundary: Hop | None) -> tuple[str | None, tuple[str, ...]]:
    """amavisd-new's marks of a quarantined copy above the boundary Received: its quarantine id
    (X-Quarantine-ID) and the recipients whose delivery it blocked (X-Envelope-To-Blocked), both
    bounded. A sender's own fields of those names sit below the boundary and are not read."""
    if boundary is None:
        return None, ()
    quarantine_id = next((" ".join(f.value.split())[:80] for f in message.all("X-Quarantine-ID")[:3]
                          if f.index < boundary.header_index), None)
    blocked: list[str] = []
    for field in message.all("X-Envelope-To-Blocked")[:3]:
        if field.index < boundary.header_index:
            blocked.extend(a.address for a in parse_addresses(field.value[:4000])[:20] if a.domain)
    return quarantine_id or None, tuple(dict.fromkeys(blocked))


def _stored_copy_finding(message: Message, boundary: Hop | None, sender: str, source: str) -> Finding:
    """The finding for a copy the receiving side re-delivered from storage with the null sender."""
    quarantine_id, blocked = _quarantine_marks(message, boundary)
    recorded = (f"The receiving side recorded the MAIL FROM it accepted as {sender[:254]} ({source}), but the top "
                "Return-Path is <>: ")
    if quarantine_id or blocked:
        shown = ", ".join(blocked[:5]) + (f" and {len(blocked) - 5} more" if len(blocked) > 5 else "")
        marks = ", ".join(x for x in ((f"X-Quarantine-ID {quarantine_id}" if quarantine_id else None),
                                      ("X-Envelope-To-Blocked" if blocked else None)) if x)
        return Finding(
            id="envelope.quarantined_copy", severity=Severity.NOTICE,
            title="A quarantined copy" + (f": delivery to {shown[:200]} was blocked" if blocked else ""),
            explanation=(recorded + "amavisd-new delivers the copy it keeps in quarantine with the null sender, "
                         f"and marks it so ({marks}, written above the receiver's Received). This is the "
                         "quarantine's copy, not one the recipient received"
                         + (f": delivery to {shown[:300]} was blocked." if blocked else ".")
                         + " The null sender is the quarantine's, not the original sender's."),
            reference="https://www.ijs.si/software/amavisd/amavisd-new-docs.html", subject="MAIL FROM")
    return Finding(
        id="envelope.redelivered_copy", severity=Severity.INFO,
        title=f"Re-delivered with the null sender; the MAIL FROM accepted was {sender[:120]}",
        explanation=(recorded + "the receiving side delivered this copy again after it accepted the message (a "
                     "quarantine, a release from it, an archive or a copy kept by a filter), and such re-deliveries "
                     "use the null sender (RFC 5321 section 4.5.5) so that nothing bounces back to the author. The "
                     "MAIL FROM shown is the one accepted from the sender."),
        reference="https://www.rfc-editor.org/rfc/rfc5321#section-4.5.5", subject="MAIL FROM")


_MAX_PATH_SCAN = 1000


def bracket_damage(value: str) -> str | None:
    """What is wrong with a Return-Path's angle brackets, or None when they pair (or there are
    none: some MTAs write the bare address). Brackets inside a quoted local part or a comment
    do not count (RFC 5321 section 4.1.2, RFC 5322 section 3.2.2)."""
    text = value[:_MAX_PATH_SCAN]
    if '"' not in text and "(" not in text and text.count("<") <= 1 and text.count(">") <= 1 \
            and ("<" in text) == (">" in text) and text.find("<") <= text.find(">"):
        # Fast path, the loop's answer: with no quoted string and no comment, only the brackets
        # change its state (a backslash escapes only inside those), and none or one '<' before
        # one '>' pair.
        return None
    return _bracket_damage_scan(text)


def _bracket_damage_scan(text: str) -> str | None:
    """bracket_damage's reading, character by character."""
    depth = 0
    quoted = escaped = False
    comment = 0
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and (quoted or comment):
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif comment:
            comment += 1 if char == "(" else -1 if char == ")" else 0
        elif char == '"':
            quoted = True
        elif char == "(":
            comment = 1
        elif char == "<":
            if depth:
                return "a second '<' inside the first"
            depth = 1
        elif char == ">":
            if not depth:
                return "a '>' with no '<' before it"
            depth = 0
    if depth:
        return "an unclosed '<'"
    return None


def _searched_past_cap(message: Message, name: str) -> str:
    """For a header too long to read whole, how far the search for ``name`` went: every field
    of that name is read wherever it stands (message.KEPT_PAST_CAP), so its absence is real,
    but the reader should know the header was not read field by field."""
    if not message.fields_past_cap:
        return ""
    return (f" The header holds {message.field_count:,} fields, too many to read whole: the first "
            f"{MAX_HEADER_FIELDS:,} were read one by one and, of the {message.fields_past_cap:,} after them, those "
            f"of the names the checks read ({name}: among them, up to {MAX_KEPT_PER_NAME} of a name); there is "
            f"none in the fields read.")


def _damaged_return_path(message: Message, mail_from: str | None, source: str | None) -> Finding | None:
    """envelope.damaged_return_path: the top Return-Path's angle brackets do not pair, so it is
    not read as the envelope sender; what it reads as, and what is used instead, are said."""
    fields = message.all("Return-Path")
    damage = bracket_damage(fields[0].value) if fields else None
    if damage is None:
        return None
    written = " ".join(fields[0].value.split())[:120]
    read = envelope_address(fields[0].value.strip().strip("<>"))
    reads = (f"It reads as {read[:254]}, shown as a claim, not taken as the envelope sender." if read else
             "It is not taken as the envelope sender.")
    instead = (f"The MAIL FROM shown is read from {source} instead." if mail_from is not None and source else
               "Nothing else here records the MAIL FROM, so it is not known, and SPF has no envelope sender to "
               "check.")
    return Finding(
        id="envelope.damaged_return_path", severity=Severity.NOTICE,
        title="Return-Path is damaged: its angle brackets do not pair",
        explanation=(f"{header_ref(fields[0].index).capitalize()}, Return-Path: {written!r}, has {damage}. A "
                     "delivering server writes the envelope sender as one path in angle brackets (RFC 5321 sections "
                     "4.1.2 and 4.4), so this is not a server's record as it stands: a copy typed or cut by hand, "
                     f"or a program's bug. {reads} {instead}"),
        reference="https://www.rfc-editor.org/rfc/rfc5321#section-4.1.2", subject="Return-Path")


def _receivers_mail_from(received_spf: RecordedResult | None, recorded: tuple[str | None, str | None]
                         ) -> tuple[str | None, str | None]:
    """The MAIL FROM the receiver's own SPF record names: its Received-SPF envelope-from for the
    boundary hop, else its trusted Authentication-Results smtp.mailfrom."""
    value, source = _spf_envelope_from(received_spf)
    if value is not None:
        return value, source
    return recorded


def _same_reverse_path(recorded: str, return_path: str) -> bool:
    """Whether a receiver's record and a Return-Path name the same sender; a record of the
    domain alone (``postmaster@`` standing for it, RFC 7208 section 4.3) matches its domain."""
    if recorded.lower() == return_path.lower():
        return True
    local, _, domain = recorded.rpartition("@")
    return local.lower() == "postmaster" and domain.lower() == return_path.rpartition("@")[2].lower()



def _is_local_mailer_daemon(address: str, receiving_hops: tuple[Hop, ...]) -> bool:
    """``MAILER-DAEMON@host`` where the host (or its organisation) is one of the receiving side's."""
    local, _, domain = address.rpartition("@")
    if local.upper() != "MAILER-DAEMON" or not domain:
        return False
    domain = normalize_domain(domain) or domain.lower()
    names = {normalize_domain(hop.fields.by) for hop in receiving_hops} - {None}
    orgs = {organizational_domain(name) for name in names if name} | {
        hop.organization.lower() for hop in receiving_hops if hop.organization}
    return domain in names or (organizational_domain(domain) or domain) in orgs


def boundary_mail_from(message: Message, boundary: Hop | None, received_spf: RecordedResult | None,
                       final_srs: SrsInfo | None = None, hops: tuple[Hop, ...] = ()) -> tuple[str | None, str | None]:
    """The MAIL FROM of the boundary hop's own SMTP transaction, when something records it
    for that hop, with where it was read; (None, None) otherwise.

    The top Return-Path is the MAIL FROM of the final delivery (RFC 5321 section 4.4). When
    the receiving side forwards the message inside itself before that (Google Workspace to
    Gmail, a site's own alias expansion with SRS), the final MAIL FROM is its rewrite, not
    what the boundary hop's client sent, and SPF evaluated with it would describe a
    transaction that never happened. In order: the boundary Received's own envelope-from
    clause, the receiver's Received-SPF for that hop (RFC 7208 section 9.1), a Return-Path
    written directly above the boundary Received (Gmail stamps one per delivery), and the
    sender encoded in a final SRS Return-Path that the receiving side itself minted
    (``final_srs``: the envelope's decoded final MAIL FROM, ``Envelope.srs``). ``hops``: the
    chain, to tell the receiving side's own ``MAILER-DAEMON@host`` (the null sender) apart.
    """
    if boundary is None:
        return None, None
    value = envelope_address(boundary.fields.envelope_from)
    if value is not None:
        return value, f"Received envelope-from (hop {boundary.number})"
    value, source = _spf_envelope_from(received_spf)
    if value is not None:
        return value, source
    index = boundary.header_index
    if 0 < index <= len(message.headers) and message.headers[index - 1].name.lower() == "return-path" \
            and bracket_damage(message.headers[index - 1].value) is None:
        value = envelope_address(message.headers[index - 1].value)
        if value is not None and _is_local_mailer_daemon(value, _trusted(hops, boundary.number)):
            return "", f"Return-Path above hop {boundary.number}'s Received ({value}: the null sender)"
        # Unless the boundary hop delivered to a list and the Return-Path is the list's own: then
        # it is the MAIL FROM of the list's later resend (list_intake), not of this hop.
        if value is not None and not (hops and hops[-1] is boundary and list_intake(message, hops, value)):
            return value, f"Return-Path above hop {boundary.number}'s Received ({header_ref(index - 1)})"
    # The final MAIL FROM is an SRS address the receiving side minted when it forwarded the
    # message inside itself (kernel.org to its archive): the address it encodes is the one the
    # boundary hop's client sent.
    receiver = organizational_domain(normalize_domain(boundary.fields.by) or "") or boundary.organization
    if final_srs is not None and final_srs.original_sender and receiver \
            and (organizational_domain(final_srs.forwarder) or final_srs.forwarder) == receiver.lower() \
            and srs_list_sender(message, final_srs) is None:
        return final_srs.original_sender, (f"the sender encoded in the SRS Return-Path the receiving side "
                                           f"({final_srs.forwarder}) wrote when it forwarded the message")
    return None, None


def srs_list_sender(message: Message, final_srs: SrsInfo | None) -> Finding | None:
    """A finding when the sender a final SRS Return-Path encodes is the own address (bounce or
    owner address, or Sender:) of a mailing list run by the forwarder's organisation: the list
    resent the message inside the receiving side, so that address is the MAIL FROM the list gave
    after the boundary hop, not the one the author's server gave there, which is not recorded
    (RFC 7208 section 2.4: SPF checks one transaction's MAIL FROM)."""
    if final_srs is None or not final_srs.original_sender:
        return None
    encoded = final_srs.original_sender
    # A list of the forwarder's own organisation resent it inside the receiving side, after the
    # boundary hop; another organisation's list resent it to the receiving side, at the boundary
    # hop itself, whose MAIL FROM the encoded address then is.
    if _org(address_domain(encoded)) != (organizational_domain(final_srs.forwarder) or final_srs.forwarder):
        return None
    list_id = message.first("List-Id")
    lists = [address for address in _list_posting_addresses(message, list_id)
             if _is_lists_own_sender(encoded, address) and _list_and_author_apart(message, encoded, address)]
    if not lists:
        return None
    sender = next(iter(parse_addresses(message.first("Sender") or "")[:1]), None)
    by_sender = sender is not None and sender.address.lower() == encoded.lower()
    return Finding(
        id="envelope.srs_list_sender", severity=Severity.INFO,
        title=f"The SRS Return-Path encodes the list {lists[0]}'s own sender, {encoded}",
        explanation=(f"{final_srs.forwarder} rewrote the envelope sender with SRS when it forwarded the message; the "
                     f"address it encodes, {encoded}, is the mailing list's own"
                     + (" (its Sender:)" if by_sender else "") + ": the MAIL FROM of the list's resend, given after "
                     "the list received the message. The MAIL FROM the author's server gave at the boundary hop is "
                     "not recorded, so SPF checks that hop's HELO only: the list's address paired with the author's "
                     "server would fail for a transaction that never happened."),
        reference="https://www.rfc-editor.org/rfc/rfc7208#section-2.4", subject="Return-Path",
    )


def _list_posting_addresses(message: Message, list_id: str | None) -> list[str]:
    """The list's posting addresses (see _list_addresses), and the address its List-Id names
    ("linux-media@vger.kernel.org" for <linux-media.vger.kernel.org>, RFC 2919 section 2)."""
    found = sorted(_list_addresses(message))
    label = list_id_label(list_id)
    if label and label.count(".") >= 2 and "@" not in label:
        local, _, domain = label.partition(".")
        found.append(f"{local}@{domain}")
    return found


def list_intake(message: Message, hops: tuple[Hop, ...], mail_from: str | None) -> Finding | None:
    """A finding when this copy's Received chain ends where the author's message reached a
    mailing list, and the final MAIL FROM (Return-Path) is the list's own: that MAIL FROM
    belongs to the list's resend, which this copy does not record, not to the boundary hop.

    A list archive's copy, or one the list server kept, records the author's delivery to the
    list: the latest Received's ``for`` is the list's posting address (List-Post, RFC 2369
    section 3.4). Its Return-Path is the list's bounce address, written when the list sent it
    on. Paired with the boundary hop's client (the author's provider), SPF would answer a
    question no receiver asked, and fail. The list's address is the list's when it holds the
    list's name (Mailman's ``list-bounces``, ``owner-list``, ezmlm's ``list-return-...``,
    Google Groups' ``list+...``) in the list's organisation.
    """
    if not hops or not mail_from or not hops[-1].fields.for_:
        return None
    list_id = message.first("List-Id")
    if list_id is None and not _list_addresses(message):
        return None
    delivered_to = sorted({found.address.lower() for found in parse_addresses(hops[-1].fields.for_)[:_MAX_RECIPIENTS]
                           if found.domain})
    # The posting address by List-Post, or by the List-Id it makes (majordomo's and ecartis'
    # copies name the list in List-Id alone).
    posting = next(iter(_list_own_addresses(message, list_id or "", delivered_to)), None)
    if posting is None or not _is_lists_own_sender(mail_from, posting) \
            or not _list_and_author_apart(message, mail_from, posting) or mail_from.lower() in delivered_to:
        return None
    last = hops[-1].number
    return Finding(
        id="envelope.list_intake", severity=Severity.INFO,
        title=f"The hops end where the message reached the list {posting}: Return-Path is the list's later MAIL FROM",
        explanation=(f"The latest Received (hop {last}) delivered the message to {posting}, the list's posting "
                     f"address (List-Post, or the address its List-Id names). The list then sent it on to its "
                     f"members in hops this copy does not record, as in a list archive's copy. Return-Path "
                     f"({mail_from}) is the list's MAIL FROM "
                     f"for that later delivery, not the MAIL FROM the author's server gave at the boundary hop, "
                     f"which is not recorded. So SPF checks the boundary hop's HELO only: the list's address "
                     f"paired with the author's server would fail for a question no receiver asked."),
        reference="https://www.rfc-editor.org/rfc/rfc2369#section-3.4", subject="Return-Path",
    )


def _is_current(field: HeaderField, boundary: Hop | None) -> bool:
    """True for a field the final receiving side added: above its boundary Received header."""
    return boundary is None or field.index < boundary.header_index


class _ThisDelivery:
    """Tells whether a recipient trace field names a recipient of this delivery: written above
    the boundary Received, or below it with no evidence of an earlier delivery. An earlier
    receiver's field has that receiver's Received below it (its MDA writes at the top); one
    below every Received was written after them (Proton Mail writes its own below its
    Received, a milter appending at the end of the header puts it last), and one naming the
    address a receiving hop's ``for`` clause delivered to is this delivery's. What the last
    two need is worked out only for a field below the boundary, which most messages lack.

    Below every Received also sits the sender's own header, where anyone can write a
    Delivered-To. Such a field is read only when it names a recipient the receiving side
    recorded (above its boundary Received, or in its hops' ``for`` clauses). When the
    receiving side recorded none, it is still a claim: a delivery agent (Postfix's local(8) and
    virtual(8), Dovecot, qmail-local, Exim's appendfile) puts its Delivered-To or X-Original-To
    on top, above the Received it follows (RFC 5321 section 4.4), so the one below them all was
    written before the message reached the receiver. Proton Mail alone is known to write its
    own below its Received (``_receiver_writes_below``)."""

    def __init__(self, message: Message, receiving_hops: tuple[Hop, ...], boundary: Hop | None) -> None:
        self._message = message
        self._hops = receiving_hops
        self.boundary = boundary

    @functools.cached_property
    def _last_received(self) -> int:
        return max((h.index for h in self._message.all("Received")), default=-1)

    @functools.cached_property
    def _addressed(self) -> frozenset[str]:
        """The addresses the receiving side's hops name in their ``for`` clauses, lower case."""
        return frozenset(found.address.lower() for hop in self._hops if hop.fields.for_
                         for found in parse_addresses(hop.fields.for_)[:_MAX_RECIPIENTS] if found.domain)

    @functools.cached_property
    def _recorded_above(self) -> frozenset[str] | None:
        """The recipients the receiving side recorded (lower case): its own trace fields above its
        boundary Received and its hops' ``for`` addresses; None when it recorded none."""
        if self.boundary is None:
            return None
        found: set[str] = set()
        for name in _RCPT_HEADERS:
            for field in self._message.all(name)[:MAX_KEPT_PER_NAME]:
                if _is_current(field, self.boundary) and not _list_delivery(field.value):
                    found.update(a.address.lower() for a in _trace_addresses(field.value)[:_MAX_RECIPIENTS]
                                 if a.domain)
        # A hop's "for" clause is the receiver's record too (the MX that writes no Delivered-To).
        recorded = found | self._addressed
        return frozenset(recorded) if recorded else None

    def below_every_received(self, field: HeaderField) -> bool:
        """Written below every Received: by a program appending to the header, or by the sender."""
        return field.index > self._last_received and self.boundary is not None

    @functools.cached_property
    def _receiver_writes_below(self) -> bool:
        """Whether the receiving side is Proton Mail, whose copy (real exports, 2021-2024) puts its
        X-Original-To, Return-Path and Delivered-To below its own Received: known by its X-Pm-*
        fields above the boundary Received, where a sender's fields never stand."""
        if self.boundary is None:
            return False
        return any(field.name[:5].lower() == "x-pm-"
                   for field in self._message.headers[:min(self.boundary.header_index, MAX_HEADER_FIELDS)])

    def names(self, field: HeaderField, address: str) -> bool:
        if _is_current(field, self.boundary) or address.lower() in self._addressed:
            return True
        if field.index <= self._last_received:
            return False
        recorded = self._recorded_above
        if recorded is None:
            # Nothing of the receiving side's own names a recipient: the field below them all
            # is still no delivery agent's (they write on top), but a claim (see the class).
            return self._receiver_writes_below
        return address.lower() in recorded


# The address type before an original recipient (RFC 3461 section 4.2; "utf-8" from RFC 6533).
_address_type_re = compiled_on_first_use(r"\s*(?:rfc822|utf-8)\s*;\s*", re.IGNORECASE)
# zmailer's (vger.kernel.org's) Received comment of the original recipient: "(ORCPT <rfc822;user@host>)".
_orcpt_comment_re = compiled_on_first_use(r"\(ORCPT\s+<?(?:rfc822|utf-8)\s*;\s*([^\s<>()]{3,320})>?\s*\)",
                                          re.IGNORECASE)


# qmail and ezmlm write a phrase before the address in Delivered-To: "moderator for
# list@example.org", "mailing list list@example.org" (a mailing list's own delivery).
_trace_phrase_re = compiled_on_first_use(r"[A-Za-z][A-Za-z ]{0,40} (\S+@\S+)")


def _trace_addresses(value: str) -> tuple[Address, ...]:
    """The addresses of a recipient trace field (Delivered-To and the like): one address, or
    a list, or qmail's phrase and address; Yahoo's date after a ";" left out; the address type
    of an ORCPT before its ";" left out (``Original-Recipient: rfc822;user@example.org``, RFC
    3798 section 2.3; RFC 3461 section 4.2)."""
    typed = _address_type_re().match(value)
    if typed is not None:
        value = value[typed.end():]
    if ";" in value and "@" in value.partition(";")[0] and "<" not in value:
        value = value.partition(";")[0]
    phrase = _trace_phrase_re().fullmatch(value.strip()) if "<" not in value and " " in value.strip() else None
    if phrase is not None:
        return parse_addresses(phrase.group(1))
    words = value.split()
    if len(words) > 1 and "<" not in value and "," not in value and "@" in words[0] \
            and not any("@" in word for word in words[1:]):
        # Yahoo's older "X-Apparently-To: user@yahoo.com via 68.180.197.179": the address ends at
        # the first white space (RFC 5321 section 4.1.2); read as one, the words made
        # "user@yahoo.comvia68.180.197.179", a recipient nobody is.
        return parse_addresses(words[0])
    return parse_addresses(value)


def _list_addresses(message: Message) -> frozenset[str]:
    """The list's posting addresses: List-Post's mailto (RFC 2369 section 3.4), ezmlm's and
    groups.io's "Mailing-List: list x@example.org" and the address part of X-Mailing-List."""
    found: set[str] = set()
    for field in message.all("List-Post")[:2]:
        for part in field.value[:500].split(","):
            part = part.strip().strip("<>").strip()
            if part.lower().startswith("mailto:"):
                found.update(a.address.lower() for a in parse_addresses(part[7:].partition("?")[0]) if a.domain)
    for name in ("Mailing-List", "X-Mailing-List"):
        for field in message.all(name)[:1]:
            words = field.value[:300].replace(";", " ").split()
            found.update(a.address.lower() for word in words[:4] if "@" in word
                         for a in parse_addresses(word.strip("<>")) if a.domain)
    return frozenset(found)


def _list_delivery(value: str) -> bool:
    """ezmlm's and groups.io's "Delivered-To: mailing list list@example.org" (or "moderator for
    ..."): a mailing list's delivery to itself, written by the list, wherever it sits."""
    return value.lstrip()[:16].lower().startswith(("mailing list ", "moderator for "))


def _earlier_recipients(message: Message, this_delivery: _ThisDelivery) -> list[tuple[HeaderField, str]]:
    """Recipient fields an earlier delivery wrote (below the boundary Received), with the address."""
    if this_delivery.boundary is None:
        return []
    out: list[tuple[HeaderField, str]] = []
    for name in _RCPT_HEADERS:
        for field in message.all(name):
            if _is_current(field, this_delivery.boundary) or this_delivery.below_every_received(field):
                # Below every Received no earlier receiver wrote it: a program appending to the
                # header did, for this delivery, or the sender did (see _ThisDelivery).
                continue
            for found in _trace_addresses(field.value)[:_MAX_RECIPIENTS]:
                if found.domain and not this_delivery.names(field, found.address):
                    out.append((field, found.address))
                    if len(out) >= _MAX_RECIPIENTS:
                        return out
    return out


_MAX_CLAIMED_RCPT = 50
"""Claimed recipients kept (see ``_rcpt_to``): a milter's field lists a transaction's recipients."""
_MAX_CLAIM_NOTES = 5
"""Claimed recipients each explained in a difference of their own; the rest are listed only."""


class _ClaimedRecipient:
    """A recipient named only below every Received (see ``_rcpt_to``): the address as first
    written, and (field name, header index) of each field naming it."""

    __slots__ = ("address", "beside_recorded", "places")

    def __init__(self, address: str, place: tuple[str, int]) -> None:
        self.address = address
        self.places = [place]
        self.beside_recorded = False
        """Whether one of its fields also names a recipient the receiving side recorded."""

    def fields_words(self) -> str:
        """The fields naming it: "X-Envelope-To (header 19)", a few at most."""
        return ", ".join(f"{name} ({header_ref(index)})" for name, index in self.places[:3]) + (
            f" and {len(self.places) - 3} more" if len(self.places) > 3 else "")

    def where(self) -> str:
        """Where it was read, and who could have written there."""
        return f"{self.fields_words()}, below every Received: a milter's or the sender's"


def _rcpt_to(message: Message, hops: tuple[Hop, ...], this_delivery: _ThisDelivery
             ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[_ClaimedRecipient, ...]]:
    """(RCPT TO, where each was read, claims): the recipients the receiving side recorded for this
    delivery, and each other recipient a field below every Received names
    (see ``_ThisDelivery``). Such a field is a milter's, appending to the header at one of the
    servers (smfi_addheader adds at the end), or the sender's: an unverified claim, kept out of
    RCPT TO but not dropped. Those below the boundary with a Received below them are an earlier
    delivery's (``_earlier_recipients``), not claims."""
    order: list[str] = []
    sources: dict[str, list[str]] = {}
    spelled: dict[str, str] = {}
    claimed: dict[str, _ClaimedRecipient] = {}  # by the address in lower case
    naming_recorded: set[int] = set()  # fields below every Received that name a recorded recipient

    def add(address: str, source: str) -> None:
        key = address.lower()
        if key not in sources:
            if len(order) >= _MAX_RECIPIENTS:
                return
            order.append(key)
            sources[key] = []
            spelled[key] = address
        if source not in sources[key]:
            sources[key].append(source)

    boundary = this_delivery.boundary
    for name in _RCPT_HEADERS:
        for field in message.all(name):
            if _list_delivery(field.value):
                continue  # the list's own delivery to itself, never this receiver's recipient
            # Only a field below the boundary Received can be below every Received (and a claim):
            # the receiving side's own fields above it skip the look for the last Received.
            below = boundary is not None and field.index > boundary.header_index \
                and this_delivery.below_every_received(field)
            for found in _trace_addresses(field.value)[:_MAX_RECIPIENTS]:
                # An earlier delivery's recipient is left out (see _earlier_recipients).
                if not found.domain:
                    continue
                if this_delivery.names(field, found.address):
                    add(found.address, name)
                    if below:
                        naming_recorded.add(field.index)
                elif below:
                    key = found.address.lower()
                    if key not in claimed:
                        if len(claimed) < _MAX_CLAIMED_RCPT:
                            claimed[key] = _ClaimedRecipient(found.address, (name, field.index))
                    elif claimed[key].places[-1] != (name, field.index):  # a field's own repeats are adjacent
                        claimed[key].places.append((name, field.index))
    # Latest hop first: the final receiver's "for" clause is the most reliable.
    for hop in reversed(hops):
        if hop.fields.for_:
            for found in parse_addresses(hop.fields.for_):
                if found.domain:  # skips "<multiple recipients>"
                    add(found.address, f"Received for (hop {hop.number})")
        elif "ORCPT" in hop.raw[:2000].upper():
            orcpt = _orcpt_comment_re().search(hop.raw[:2000])
            for found in parse_addresses(orcpt.group(1)) if orcpt else ():
                if found.domain:
                    add(found.address, f"Received ORCPT (hop {hop.number})")
    for claim in claimed.values():
        claim.beside_recorded = any(index in naming_recorded for _, index in claim.places)
    # A claim naming a recipient recorded another way (a receiving hop's ORCPT) is no other one.
    return (tuple(spelled[k] for k in order),
            tuple(", ".join(sources[k]) for k in order),
            tuple(claim for key, claim in claimed.items() if key not in sources) if claimed else ())


def _claimed_rcpt_difference(claim: _ClaimedRecipient, rcpt_to: Sequence[str], rcpt_sources: Sequence[str],
                             addressed: set[str] | None, list_addresses: frozenset[str],
                             qmail_receiver: bool, *, shown: tuple[Sequence[str], Sequence[str]] = ((), ()),
                             pasted: str | None = None) -> EnvelopeDifference:
    """Why a recipient named only below every Received may differ from the receiving side's own
    record of this delivery (``rcpt_to``, empty when it recorded none), by what else the message
    shows: ``addressed``, the To:/Cc:/Resent-* addressees (None when the header holds no
    addressee field: unknown). ``shown``: the RCPT TO shown instead when the receiving side
    recorded none (an earlier hop's claim, a report's record) and where it was read; ``pasted``:
    the header's words when the copy is a header alone, which may have left the record out. The
    claim and the likeliest reading come first (a renderer may show only the start)."""
    address = claim.address
    several = len(claim.places) > 1
    key = address.lower()
    if not rcpt_to:
        # No record to compare with (RFC 5321 section 4.4: the receiver's would stand above its
        # Received): the claim is all there is; what To:/Cc: say tells the likeliest reading.
        where = (f"{pasted} holds no record in which the receiving side names a recipient (the part copied may have "
                 "left it out: a delivery agent writes its Delivered-To or X-Original-To on top)") if pasted else (
            "the receiving side's record names no recipient (no Delivered-To, X-Original-To or the like above its "
            "Received, where a delivery agent writes them, and no \"for\" clause in its Received)")
        instead = shown[0][:3]
        instead_words = "; ".join(f"{rcpt} ({source})" for rcpt, source in zip(instead, shown[1], strict=False))
        said = (f"{claim.fields_words()} {'name' if several else 'names'} {address}, but {where}"
                + (f"; RCPT TO shows {instead_words}" if instead_words else "")
                + f": {address} is an unverified claim, not the RCPT TO. ")
        if key in list_addresses:
            why = (f"{address} is the mailing list's own address (List-Post): if a server wrote it, the message came "
                   "in for the list, and the receiving side delivered it to a member the copy does not name.")
        elif addressed is None:
            why = (f"Who was addressed is unknown (the header holds no To:, Cc: or Bcc:): if a server wrote it, "
                   f"{address} was the RCPT TO of a transaction on the way.")
        elif key in addressed:
            why = (f"The message is addressed to {address} (To: or Cc:): if a server wrote it, {address} was the "
                   "RCPT TO of a transaction on the way, most likely this one's too; nothing the receiving side wrote "
                   "confirms it.")
        else:
            why = (f"{address} is in neither To: nor Cc:, so if a server wrote it, {address} was given in the "
                   "envelope alone (a Bcc copy went to it), or is the address an alias, forwarding or list expansion "
                   "led to.")
    else:
        recorded = "; ".join(f"{rcpt} ({source})" for rcpt, source in zip(rcpt_to[:3], rcpt_sources, strict=False))
        recorded += f" and {len(rcpt_to) - 3} more" if len(rcpt_to) > 3 else ""
        first = rcpt_to[0]
        said = (f"{claim.fields_words()} {'name' if several else 'names'} {address}, not the recipient the "
                f"receiving side recorded for this delivery, {recorded}, which stays the RCPT TO: {address} is an "
                "unverified claim. ")
        recorded_addressed = addressed is not None and any(rcpt.lower() in addressed for rcpt in rcpt_to)
        virtual = next((rcpt for rcpt in rcpt_to if _virtual_domain_addressee(rcpt, {key}) is not None), None) \
            if qmail_receiver else None
        if virtual is not None:
            why = (f"If a server wrote it, it is the same recipient: {virtual} is qmail's virtual-domain form of "
                   f"{address} (qmail-send(8), virtualdomains), which the receiving qmail server wrote in "
                   "Delivered-To.")
        elif key in list_addresses:
            why = (f"{address} is the mailing list's own address (List-Post): if a server wrote it, the message came "
                   f"in for the list, whose expansion delivered it to {first}, a member.")
        elif addressed is None:
            why = (f"Who was addressed is unknown (the header holds no To:, Cc: or Bcc:): if a server wrote it, "
                   f"{address} was another RCPT TO of the same SMTP transaction, or the address an alias, forwarding "
                   f"or list expansion led from to {first}.")
        elif key in addressed and not recorded_addressed:
            why = (f"The message is addressed to {address} (To: or Cc:): if a server wrote it, {address} was the "
                   f"RCPT TO there, and an alias, forwarding or list expansion led from it to {first}.")
        elif key in addressed:
            why = (f"Both are addressees in To: or Cc: if a server wrote it, one SMTP transaction named both, and "
                   f"the delivery agent wrote one copy per mailbox, so {address} had a copy of its own.")
        elif recorded_addressed:
            why = (f"{address} is in neither To: nor Cc:, while {first} is: if a server wrote it, {address} was "
                   "another RCPT TO of the same SMTP transaction, given in the envelope alone: a Bcc copy went to it.")
        else:
            why = (f"Neither {address} nor {first} is in To: or Cc: if a server wrote it, {address} was another "
                   f"RCPT TO of the same SMTP transaction, given in the envelope alone (a Bcc copy went to it), or "
                   f"the address an alias, forwarding or list expansion led from to {first}.")
    # Every server puts its trace fields on top (RFC 5321 section 4.4): what sits below the last
    # Received was appended after it, at any server on the way, or written by the sender.
    who = (" If the sender wrote it, it is a forgery naming whoever the sender chose. "
           f"{'These fields stand' if several else 'The field stands'} below every Received, where no server writes "
           "its trace fields (each puts them on top, RFC 5321 section 4.4): a milter appending to the header at one "
           "of the servers the message passed wrote it (smfi_addheader adds at the end; such a field lists the SMTP "
           "transaction's recipients as given, before the delivery agent's alias expansion and its copy per "
           "mailbox), or the sender did, whose own fields end there too. Nothing in the message tells which.")
    if claim.beside_recorded:
        who += (" The same field also names a recipient the receiving side recorded, as a milter's list of the "
                "transaction's recipients would.")
    return EnvelopeDifference(
        kind="claimed_rcpt", envelope_value=", ".join(rcpt_to[:3]) or None, header_value=address,
        explanation=said + why + who)


class _TransactionList:
    """One X-Envelope-To of the receiving side, above its boundary Received, that lists several
    recipients: a content filter's record of every envelope recipient of the SMTP transaction it
    scanned. amavisd-new writes it so (its release notes: X-Envelope-To "holds a complete list of
    envelope recipients", X-Envelope-To-Blocked the subset whose delivery it blocked), while the
    delivery agent after it writes one copy per mailbox: the others listed are co-recipients of
    that transaction, not mailboxes this copy was forwarded to."""

    __slots__ = ("addresses", "field")

    def __init__(self, field: HeaderField, addresses: tuple[str, ...]) -> None:
        self.field = field
        self.addresses = addresses
        """The addresses it lists, as written, each once (bounded by _MAX_RECIPIENTS)."""

    def others_words(self, address: str) -> str:
        """The others it lists beside ``address``: a few, the rest counted."""
        key = address.lower()
        others = [other for other in self.addresses[:4] if other.lower() != key][:3]
        rest = len(self.addresses) - 1 - len(others)
        return ", ".join(others) + (f" and {rest} more" if rest > 0 else "")


def _transaction_lists(message: Message, boundary: Hop | None) -> dict[str, _TransactionList]:
    """Each recipient (lower case) that an X-Envelope-To of the receiving side lists beside
    another, with the first such list (see ``_TransactionList``)."""
    listed: dict[str, _TransactionList] = {}
    for field in message.all("X-Envelope-To")[:MAX_KEPT_PER_NAME]:
        if not _is_current(field, boundary) or _list_delivery(field.value):
            continue
        spelled: dict[str, str] = {}
        for found in _trace_addresses(field.value)[:_MAX_RECIPIENTS]:
            if found.domain:
                spelled.setdefault(found.address.lower(), found.address)
        if len(spelled) > 1:
            transaction = _TransactionList(field, tuple(spelled.values()))
            for key in spelled:
                listed.setdefault(key, transaction)
    return listed


def _co_recipient_difference(rcpt: str, source: str, transaction: _TransactionList,
                             mailboxes: Sequence[tuple[str, str]], blocked: frozenset[str]) -> EnvelopeDifference:
    """The reading of a recipient not in To: or Cc: that the receiving side's X-Envelope-To lists
    with others (``_TransactionList``): another RCPT TO of the same SMTP transaction. Only named
    there while another recipient is this copy's own (``mailboxes``: named by its Delivered-To,
    X-Original-To or a "for" clause too, with where), it is a co-recipient (``co_recipient``)
    whose copy went to its own mailbox; this copy's own recipient, or any where no field names
    this copy's, is a blind copy (``bcc``) beside the others listed. ``blocked``: the addresses
    (lower case) amavisd-new's X-Envelope-To-Blocked names. Neither was forwarded."""
    transaction_words = (
        f"the receiving side's X-Envelope-To ({header_ref(transaction.field.index)}, above its Received) lists it "
        f"with {transaction.others_words(rcpt)}: the envelope recipients of one SMTP transaction, as a content filter "
        "records them (amavisd-new lists every recipient of the transaction it scanned there), and the delivery "
        "agent wrote one copy per mailbox")
    how = ("given in the envelope alone (a Bcc copy went to it), or an alias or list expansion at the receiver, "
           "before its filter, led to it")
    blocked_words = (" X-Envelope-To-Blocked names it: amavisd-new blocked its delivery (a quarantine)."
                     if rcpt.lower() in blocked else "")
    if source == "X-Envelope-To" and mailboxes:
        own = "; ".join(f"{mailbox} ({where})" for mailbox, where in mailboxes[:3])
        return EnvelopeDifference(
            kind="co_recipient", envelope_value=rcpt, header_value=", ".join(mailbox for mailbox, _ in mailboxes[:3]),
            explanation=f"{rcpt} ({source}) is another recipient of the same SMTP transaction, not this copy's: "
                        f"{transaction_words}; this copy is the one for {own}. {rcpt} is not in To: or Cc:, so it "
                        f"was {how}. No forward led to it from this copy's recipient.{blocked_words}")
    # This copy's own recipient when another field of the receiving side names it too.
    copys_own = source != "X-Envelope-To"
    which = f"{rcpt}, this copy's recipient, was one RCPT TO" if copys_own else f"{rcpt} was another RCPT TO"
    return EnvelopeDifference(
        kind="bcc", envelope_value=rcpt, header_value=transaction.others_words(rcpt) or None,
        explanation=f"{rcpt} ({source}) is an envelope recipient not in To: or Cc:; {transaction_words}. So {which} "
                    f"of that transaction beside the others it lists, {how}: no forward from an addressee."
                    f"{blocked_words}")


def _earlier_mail_from(message: Message, boundary: Hop | None, mail_from: str | None) -> list[tuple[str, str]]:
    """(MAIL FROM, where read) of the earlier deliveries inside the receiving side: every
    Return-Path below the top one and above the boundary Received, where only the receiving side
    writes (a delivery agent adds one per delivery, RFC 5321 section 4.4; a forward at the receiver
    delivers again). Those below the boundary are the sender's to write and are not read."""
    if boundary is None:
        return []
    found: list[tuple[str, str]] = []
    for field in message.all("Return-Path")[1:MAX_KEPT_PER_NAME]:
        if field.index >= boundary.header_index:
            break
        address = envelope_address(field.value)
        if address is None or address == mail_from or any(address == seen for seen, _ in found):
            continue
        found.append((address[:254], f"Return-Path ({header_ref(field.index)})"))
        if len(found) >= 5:
            break
    return found


def _to_without_address(message: Message) -> str | None:
    """The To: field as written, when it names no address ("undisclosed-recipients:;")."""
    value = message.first("To")
    written = " ".join(value[:400].split())[:200] if value else ""
    return written or None


_MAX_OTHER_RECIPIENT = 200
"""Characters kept of a recipient that is no address (a program's command line)."""
_local_name_re = compiled_on_first_use(r"[A-Za-z0-9._+=-]{1,64}")


def _other_recipients(message: Message, this_delivery: _ThisDelivery) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Recipients of this delivery that are no address, described, with where each was read: a
    program the MDA piped the message to (a .forward or aliases(5) entry "|command", written in
    X-Envelope-To by Ecartis's and others' deliveries) or a mailbox of the receiving host alone
    (amavisd-new's "Delivered-To: spam-quarantine"). A list of such fields is bounded."""
    found: list[str] = []
    sources: list[str] = []
    for name in _RCPT_HEADERS:
        for field in message.all(name)[:MAX_KEPT_PER_NAME]:
            # Only the receiving side's own fields, above its boundary Received: below every
            # Received sits the sender's own header too (a forged "Delivered-To: spam-quarantine").
            if this_delivery.boundary is None or not _is_current(field, this_delivery.boundary):
                continue
            value = " ".join(field.value[:_MAX_OTHER_RECIPIENT * 2].split())
            inner = value.strip("<>\" ")
            if inner.startswith("|") or value.startswith(('<"|', '"|')):
                command = value.partition("|")[2].partition('"')[0].strip()[:_MAX_OTHER_RECIPIENT]
                described = f"a program: |{command}"
            elif "@" not in value and _local_name_re().fullmatch(inner):
                kind = "a local quarantine mailbox" if "quarantin" in inner.lower() else "a local mailbox"
                described = f"{kind}: {inner}"
            else:
                continue
            if described not in found:
                found.append(described)
                sources.append(f"{name} ({header_ref(field.index)})")
            if len(found) >= 10:
                return tuple(found), tuple(sources)
    return tuple(found), tuple(sources)


_MAX_RESENT = 50
"""Addresses kept of one Resent-* field (a resend names a few)."""


def _first_resent(message: Message, name: str) -> tuple[Address, ...]:
    """The addresses of the topmost ``name`` field (the latest resent block's), bounded."""
    value = message.first(name)
    return parse_addresses(value[:8000])[:_MAX_RESENT] if value else ()


def _first_current_addresses(message: Message, name: str, boundary: Hop | None) -> tuple[Address, ...]:
    for field in message.all(name):
        if _is_current(field, boundary):
            return parse_addresses(field.value)
    return ()


def _writing_hop(field: HeaderField, hops: tuple[Hop, ...]) -> Hop | None:
    """The hop whose Received field is the nearest below ``field``: a delivery agent writes its
    Delivered-To or X-Original-To on top of the header, above that Received (RFC 5321 section 4.4)."""
    below = [hop for hop in hops if hop.header_index > field.index]
    return min(below, key=lambda hop: hop.header_index, default=None)


def _list_organization(list_id: str) -> str | None:
    """The organisation of a List-Id's or List-Post's domain (<linux-kernel.vger.kernel.org>,
    <mailto:list@lists.example.org>): where the list's servers are."""
    inner = list_id_label(list_id) or ""
    if inner.startswith("mailto:"):
        inner = inner[7:].partition("?")[0]
    return _org(inner.rpartition("@")[2]) if inner else None


def _list_hop_before(hops: tuple[Hop, ...], writer: Hop, list_org: str) -> bool:
    """Whether a hop of the list's organisation comes before (below) ``writer`` in the chain."""
    return any(hop.number < writer.number and hop.organization and _org(hop.organization) == list_org
               for hop in hops)


def _earlier_delivery_findings(earlier: list[tuple[HeaderField, str]], boundary: Hop | None,
                               list_id: str | None, forwarder: tuple[str, str] | None = None,
                               old_list: ListReading | None = None, signed: bool = True,
                               hops: tuple[Hop, ...] = (), reported_signed: str | None = None,
                               to_the_list: bool = False) -> list[Finding]:
    """``old_list``: the message's pre-RFC 2369 list marks (see headerscope.lists); ``signed``: it
    carries a DKIM-Signature, which a replay would reuse; ``hops``: the chain, to name the host
    whose delivery wrote the fields; ``reported_signed``: for an unsigned copy a feedback report
    carries, the report's words on who signed it (recorded.reported_signatures): a replay is then
    not ruled out; ``to_the_list``: every earlier address is the list's own (its posting address),
    so the host that wrote them is the list's server, though its organisation is another's
    (verification V38d: lists.linux.dev's mail is received by smtp.subspace.kernel.org)."""
    if not earlier or boundary is None:
        return []
    addresses = list(dict.fromkeys(address for _, address in earlier))
    fields = ", ".join(dict.fromkeys(f"{field.name} ({header_ref(field.index)})" for field, _ in earlier))
    shown = ", ".join(addresses[:5]) + (f" and {len(addresses) - 5} more" if len(addresses) > 5 else "")
    writer = _writing_hop(earlier[0][0], hops)
    list_org = _list_organization(list_id) if list_id else None
    if list_id and not to_the_list and writer is not None and list_org is not None and writer.organization \
            and _org(writer.organization) != list_org and not _list_hop_before(hops, writer, list_org):
        # The field is in the block of a host that is not the list's, and the list's servers
        # come after it in the chain: the message was delivered there first, then sent on (a
        # forward, or a re-send) into the list, which delivered it again.
        why = (f"Its Received below it is {writer.fields.by or 'a host'}'s (hop {writer.number}), not the mailing "
               f"list's: the message was delivered to that mailbox first, then sent on (forwarded or re-sent) to "
               f"the list ({_short_list_id(list_id)}), which received it later and sent it on to its members.")
        severity = Severity.INFO
    elif list_id:
        why = (f"The message came through a mailing list ({_short_list_id(list_id)}): the list's server received it "
               f"first and sent it on to its members.")
        severity = Severity.INFO
    elif forwarder is not None:
        # The message says who forwarded it: an ordinary forward, not a suspected replay.
        why = f"It was delivered to that mailbox once and then forwarded: {forwarder[1]}."
        severity = Severity.INFO
    elif old_list is not None:
        # Marked as a list's copy the pre-RFC 2369 way (X-Mailing-List, an owner-LIST Sender:...):
        # text the sender writes. Without a DKIM signature there is nothing a replay could reuse,
        # and the list explains the earlier delivery; with one, the marks do not rule a replay out.
        listed = (f"The message is marked as a mailing list's copy ({old_list.name or 'an unnamed list'}: "
                  f"{'; '.join(old_list.markers[:2])}): the list's server received it first and sent it on to "
                  f"its members.")
        if signed:
            why = (f"{listed} Those marks are text a sender can write, and the message carries a DKIM signature: "
                   "a replay, which reuses a genuinely signed message for new recipients, looks the same.")
            severity = Severity.NOTICE
        else:
            why = f"{listed} It carries no DKIM signature, which a replay would reuse."
            severity = Severity.INFO
            if reported_signed:
                why = (f"{listed} This copy carries no DKIM signature: {reported_signed}. A replay, which "
                       "reuses a genuinely signed message for new recipients, looks the same.")
                severity = Severity.NOTICE
    elif not signed and reported_signed:
        why = ("It was delivered to that mailbox once and then sent on again: by a forward, a resend, or "
               f"someone replaying a message they received. This copy carries no DKIM signature: {reported_signed}. "
               "A DKIM replay, which reuses a genuinely signed message for new recipients, is not ruled out.")
        severity = Severity.NOTICE
    elif not signed:
        why = ("It was delivered to that mailbox once and then sent on again: by a forward, a resend, or "
               "someone sending on a message they received (it carries no DKIM signature, so not a DKIM "
               "replay).")
        severity = Severity.NOTICE
    else:
        why = ("It was delivered to that mailbox once and then sent on again: by a forward, a resend, or "
               "someone replaying a message they received (a DKIM replay reuses a genuinely signed "
               "message for new recipients).")
        severity = Severity.NOTICE
    return [Finding(
        id="envelope.earlier_delivery", severity=severity,
        title=f"Delivered before, to {shown}",
        explanation=(f"{fields} sits below the Received header where the final receiver accepted the "
                     f"message (hop {boundary.number}), so it was written before this delivery: by an "
                     f"earlier receiver at an earlier delivery, or by the sender, whose part of the header "
                     f"that is (a claim, not the receiver's record); it is not a recipient of this "
                     f"delivery. {why}"),
        reference=_RFC5321_TRACE, subject=earlier[0][0].name)]


def _host_qualified(rcpt: str, header_domains: dict[str, list[str]]) -> bool:
    """Whether To: or Cc: names the same mailbox with a host added, left out or changed within
    one organisation (jrvincent@wesleyan.edu and jrvincent@mail.wesleyan.edu; troyer@cgl.ucsf.edu,
    which its host forwarded to troyer@celeste.mmwb.ucsf.edu): one recipient, not a blind copy."""
    local_part, _, domain = rcpt.lower().rpartition("@")
    others = [other for other in header_domains.get(local_part, ()) if other != domain]
    # Within one organisation only: "jr@edu" is no host-less form of jr@mail.example.edu.
    organisation = _org(domain)
    return organisation is not None and any(_org(other) == organisation for other in others)


# qmail's own Received, written when a program (qmail-inject, qmail-local's forward) queues a message:
# "Received: (qmail 10742 invoked by uid 89); 13 Aug 2013 05:04:54 -0000".
_qmail_invoked_re = compiled_on_first_use(r"\(qmail \d{1,10} invoked ")


def _without_subaddress(address: str) -> str:
    """The mailbox of a sub-address (RFC 5233: "user+detail@domain" is user@domain's)."""
    local, _, domain = address.rpartition("@")
    return f"{local.partition('+')[0]}@{domain}" if "+" in local else address


def _virtual_domain_addressee(rcpt: str, header_rcpts: set[str]) -> tuple[str, str] | None:
    """(the To:/Cc: addressee, the prefix) when ``rcpt`` is qmail's virtual-domain form of that
    addressee, ``prefix-local@domain`` for ``local@domain``: qmail-send rewrites a recipient of a
    virtual domain by its control/virtualdomains prefix (qmail-send(8), "virtualdomains";
    vpopmail and Plesk use the domain itself as the prefix), and qmail-local writes that form in
    Delivered-To. None when no addressee of the same domain ends the local part."""
    local, _, domain = rcpt.lower()[:320].rpartition("@")
    # Only the prefix vpopmail and Plesk give every virtual domain, the domain's own name: any
    # other prefix would let a To: the sender picks ("payable@") explain away a blind copy to a
    # hyphenated mailbox ("corp.example-accounts-payable@"), verification V9, N2.
    prefix = domain + "-"
    if not local.startswith(prefix) or len(local) <= len(prefix):
        return None
    addressee = f"{local[len(prefix):]}@{domain}"
    return (addressee, domain) if addressee in header_rcpts else None


def _lower_delivered_to(message: Message, rcpt: str, boundary: Hop | None,
                        hops: tuple[Hop, ...] = ()) -> tuple[str, HeaderField] | None:
    """The address of the next Delivered-To below the one naming ``rcpt``, both written by the
    receiving side (above its boundary Received), when it names another mailbox: qmail-local and
    Postfix's local(8) write one Delivered-To per delivery, so a forward at the receiver (a .qmail
    or .forward file) leaves the first mailbox's field below the one of the mailbox it led to."""
    fields = [f for f in message.all("Delivered-To")[:MAX_KEPT_PER_NAME] if _is_current(f, boundary)]
    for position, field in enumerate(fields):
        if any(a.address.lower() == rcpt.lower() for a in _trace_addresses(field.value[:1000])[:5]):
            for lower in fields[position + 1:]:
                found = next((a.address for a in _trace_addresses(lower.value[:1000])[:5]
                              if a.domain and a.address.lower() != rcpt.lower()), None)
                if found is None:
                    continue
                if any(field.index < hop.header_index and is_retrieval(hop.fields) for hop in hops):
                    # A download below the upper one (fetchmail's "with POP3"): the copy was fetched
                    # from another mailbox, whose host wrote the lower field; no forward inside one
                    # receiving side (verification V9: a regression on a fetchmail download).
                    return None
                return found, lower
            return None
    return None


# Domains that name one host, never an internet destination (RFC 6761 section 6.3, and the
# "localdomain" Linux distributions give a host without one).
_HOST_LOCAL_DOMAINS = frozenset({"localhost", "localdomain", "localhost.localdomain"})


def _host_local_domain(address: str) -> str | None:
    """The domain of an address only its own host delivers to (user@localhost, root@mailhost:
    a single label), or None for an internet address."""
    domain = address.rpartition("@")[2].lower().rstrip(".")
    if not domain or domain.startswith("["):
        return None
    if "." not in domain or domain in _HOST_LOCAL_DOMAINS or domain.endswith((".localhost", ".localdomain")):
        return domain
    return None


def _fmt(address: Address) -> str:
    if address.display_name:
        return f"{address.display_name} <{address.address}>"
    return address.address


def _org(domain: str | None) -> str | None:
    return organizational_domain(domain) if domain else None


# What a field's real address is, in the warning about its display name (RFC 5322 section 3.6.2:
# From: the author, Sender: the agent who sent it, Reply-To: where replies go).
_REALLY = {"From": "the message is really from {}", "Sender": "the sender (Sender:) is really {}",
           "Reply-To": "replies would go to {}"}


def _lookalike_name_finding(address: Address, found: LookalikeWord) -> Finding:
    """The warning for a From: display name with a word written to pass for another
    (domains.lookalike_word): one that mixes Latin letters with another script's ("Аррlе"), or
    one in another script, or in letters that spell no language, that reads as an ASCII word
    ("АррӀе" all Cyrillic, "Ⅿicrosoft" with a Roman numeral)."""
    word = found.word[:60]
    reads = f", which reads as “{found.reading}”" if found.reading is not None else ""
    really = (f"The name is the sender's own text: authentication vouches at most for {address.address}'s "
              "domain, not for the name.")
    if found.mixed:
        return Finding(
            id="envelope.display_name_mixed_script", severity=Severity.WARNING,
            title=f"From: display name mixes {' and '.join(found.scripts)} letters in one word (“{word}”{reads})",
            explanation=f"The display name \"{(address.display_name or '')[:120]}\" writes the word “{word}” with "
                        f"{' and '.join(found.scripts)} letters together{reads}. Real names write each word in one "
                        "script; letters of one script that look like another's, mixed in a word, make a name pass "
                        "for one it is not, a brand's most often (Unicode UTS #39 section 5, mixed-script "
                        f"detection). {really}",
            reference="https://www.unicode.org/reports/tr39/#Mixed_Script_Detection", subject="From")
    import unicodedata

    letters = ", ".join(f"{c} {unicodedata.name(c, '').lower()}" for c in found.stand_ins[:3])
    written = (f"in {found.scripts[0]} letters" if found.scripts and found.scripts != ("Latin",)
               else "with look-alike characters")
    return Finding(
        id="envelope.display_name_lookalike", severity=Severity.WARNING,
        title=f"From: display name writes “{word}” {written} that read as “{found.reading}”",
        explanation=f"The display name \"{(address.display_name or '')[:120]}\" writes the word “{word}” "
                    f"{written} ({letters}), every one the twin of an ASCII letter: on screen it reads as "
                    f"“{found.reading}”, yet it is not that word, so a filter or a reader's search for the name "
                    "misses it. Nothing else in the name writes that script as its own, so the word is there to "
                    "pass for an ASCII one, a brand's most often (Unicode UTS #39 section 4, whole-script "
                    f"confusables). {really}",
        reference="https://www.unicode.org/reports/tr39/#Confusable_Detection", subject="From")


def _display_name_trick(differences: list[EnvelopeDifference], findings: list[Finding], field_name: str,
                        address: Address, what: str, shown: str) -> None:
    """The difference and the warning for a display name that shows another address or domain
    than the field's real address: mail programs that show only the name display it."""
    differences.append(EnvelopeDifference(
        kind=f"display_name_{what}", envelope_value=None, header_value=_fmt(address),
        explanation=f"The {field_name}: display name shows the {what} {shown}, but the real address is "
                    f"{address.address}. Mail programs that show only the name would display {shown}: a "
                    f"common way to impersonate a sender."))
    findings.append(Finding(
        id=f"envelope.display_name_{what}", severity=Severity.WARNING,
        title=f"{field_name}: display name shows another {what} ({shown})",
        explanation=f"The display name \"{(address.display_name or '')[:120]}\" shows {shown}, while "
                    + _REALLY.get(field_name, "the real address is {}").format(address.address)
                    + ". Authentication results vouch for the address's domain only; trust the address, not the "
                      "name.",
        reference=_RFC5322_ORIGINATOR, subject=field_name))


def _from_decoy_finding(written: str, real: Address) -> Finding:
    """The warning for a From: entry that is no address beside the real one, naming what a mail
    program shows of it: an encoded-word there is a phrase's, which mail programs decode (RFC 2047
    section 5 (3)), so "=?utf-8?b?YWRtaW5AbGVnaXQuY29t?=, <any@attack.example>" shows
    admin@legit.com ("Composition Kills", USENIX Security 2020)."""
    shown = decode_rfc2047(written) if "=?" in written else written
    inner = next((found for found in contained_addresses(shown)
                  if found != real.address.lower() and _public_tld(address_domain(found))), None)
    if inner is not None:
        title = f"From: shows another address ({inner[:80]}) beside the real one"
    else:
        title = f"From: holds text that is no address (\"{shown[:60]}\") beside the real one"
    lists = f"From: lists \"{written[:120]}\" as if it were a mailbox, but it has no @domain (RFC 5322 section 3.4)"
    if inner is None and shown == written:
        explanation = (f"{lists}; the message's real address is {real.address}. A mail program that shows the first "
                       f"entry shows only that text: a way to look like someone else.")
    else:
        decoded = ("; mail programs decode its encoded-word as the words of a name (RFC 2047 section 5)"
                   if shown != written else "")
        named = inner[:120] if inner is not None else f"\"{shown[:120]}\""
        explanation = (f"{lists}{decoded}: it shows {named}, while the message is really from {real.address}. A mail "
                       f"program that shows the first entry shows only that: a way to look like someone else.")
    return Finding(id="envelope.from_not_an_address", severity=Severity.WARNING, title=title,
                   explanation=explanation, reference=_RFC5322_ORIGINATOR, subject="From")


_MAX_DECOY_ADDRESS = 320
"""Characters of an address read for a decoy (RFC 5321 section 4.5.3.1: 64 + 1 + 255)."""
# U+FFFD stands where the loader replaced a NUL (or a byte it could not decode): a NUL would cut
# the address there in a reader that handles it as a C string.
_ADDRESS_CUT = "\ufffd"


def _address_decoy(address: Address) -> tuple[str, str | None, str] | None:
    """(the text a mail program may show, the domain in it or None, how it comes to show it)
    for an address that itself displays another: a local part holding an address of another
    domain ('"service@paypal.com"@example.com'), or a control character (a NUL above all) cut
    after such text or anywhere in the address. RFC 5322 section 3.4.1 allows no control
    character in an addr-spec but the obsolete ones of a quoted string, and no NUL at all."""
    text = address.address[:_MAX_DECOY_ADDRESS]
    # Printable ASCII holds none of the characters looked for (no control character, no
    # U+FFFD): only other text is read character by character.
    cut = None if text.isascii() and text.isprintable() else next(
        (i for i, ch in enumerate(text) if ch == _ADDRESS_CUT or (ord(ch) < 0x20 and ch not in "\t\r\n")
         or 0x7F <= ord(ch) <= 0x9F), None)
    real_org = _org(address.domain)
    if cut is not None:
        shown, how = text[:cut], f"stops at the {_char_name(text[cut])} in it"
    else:
        shown, how = text.rpartition("@")[0], "shows the local part's text"
    # A shown domain must be one the DNS can have, under a top-level domain the Public Suffix List
    # knows (an X.400 gateway's '"/G=John/O=Acme/@ACME.X400"@gw' shows none).
    inner = next((found for found in contained_addresses(shown)
                  if _org(address_domain(found)) != real_org and _public_tld(address_domain(found))), None)
    if inner is not None:
        return inner, address_domain(inner), how
    if cut is not None and text[cut] != _ADDRESS_CUT:
        # A control character of its own (not a replaced byte, which may be a mis-encoded letter):
        # what is shown depends on the program, with no other domain to name.
        return shown, None, how
    return None


def _public_tld(domain: str | None) -> bool:
    from .domains import is_listed_tld

    return bool(domain) and "." in (domain or "") and is_listed_tld((domain or "").rsplit(".", 1)[1])


def _char_name(char: str) -> str:
    return "NUL (replaced by U+FFFD here)" if char == _ADDRESS_CUT else f"control character U+{ord(char):04X}"


def _visible(text: str) -> str:
    """The text with control characters written as U+XXXX, for an explanation."""
    return "".join(f"<U+{ord(ch):04X}>" if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F else ch for ch in text)


def _address_decoy_finding(differences: list[EnvelopeDifference], findings: list[Finding], field_name: str,
                           address: Address) -> None:
    """The difference and the warning for an address that shows another (see _address_decoy)."""
    decoy = _address_decoy(address)
    if decoy is None:
        return
    shown, shown_domain, how = decoy
    written = _visible(address.address[:_MAX_DECOY_ADDRESS])
    real = address.domain or "?"
    display = f"{_visible(shown)[:120]}" + (f" (domain {shown_domain})" if shown_domain else "")
    explanation = (f"The {field_name}: address is {written}. A mail program that {how} would display {display}, "
                   f"while DMARC and every authentication result here concern {real}, the domain after the last "
                   f"@ (RFC 7489 section 3.1)" + (f", never {shown_domain}." if shown_domain else "."))
    differences.append(EnvelopeDifference(
        kind="address_decoy", envelope_value=None, header_value=_fmt(address), explanation=explanation))
    findings.append(Finding(
        id="envelope.address_decoy", severity=Severity.WARNING,
        title=(f"{field_name}: address shows {_visible(shown)[:80]}, but its domain is {real}"
               if shown_domain else f"{field_name}: address holds a {_char_name(address.address[len(shown)])}"),
        explanation=explanation, reference="https://www.rfc-editor.org/rfc/rfc5322#section-3.4.1",
        subject=field_name))


# "andy at example.com (Andy Grunwald)": a local part, " at ", a domain, and the name as an
# RFC 5322 comment, as pipermail writes every address of its archive.
_archive_address_re = compiled_on_first_use(
    r"([^\s@()<>,;:\"]{1,64}) at ((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
    r"(?:\s*\((.{0,200})\))?")


def _archive_address(address: Address) -> Address | None:
    """The address an archive hid as "local at domain", or None."""
    if address.domain or " at " not in address.address:
        return None
    match = _archive_address_re().fullmatch(address.address.strip())
    if match is None:
        return None
    mailbox = f"{match.group(1)}@{match.group(2)}"
    return Address(display_name=address.display_name or match.group(3), address=mailbox,
                   domain=address_domain(mailbox))


# A List-Id's or List-Post's bracketed part: the list-id (RFC 2919 section 2) or a URL (RFC 2369
# section 2), where an encoded-word is no encoded-word (RFC 2047 section 5).
_BRACKETED_RE = compiled_on_first_use(r"(<[^<>]*>)")


def _short_list_id(list_id: str) -> str:
    """A list's field (List-Id, List-Post, a pre-RFC 2369 list mark) as a sentence names the list:
    on one line, at most 200 characters, the encoded-words of its phrase and comments decoded as a
    mail program shows them and as the bulk section shows the List-Id (RFC 2919 section 2: the
    phrase; RFC 2047 section 5 (1) and (2)), the bracketed list-id or URL as written (a list-id of
    "=?...?=" is that text, not the name it would decode to). Decoding is bounded as the loader's
    (text.MAX_DECODE_LENGTH): an encoded-word cut there is shown as written."""
    text = list_id[:MAX_DECODE_LENGTH]
    if "=?" in text:
        text = "".join(part if part[:1] == "<" else decode_rfc2047(part) for part in _BRACKETED_RE().split(text))
    return " ".join(text.split())[:200]


def _list_own_addresses(message: Message, list_id: str, candidates: list[str],
                        old_list: ListReading | None = None) -> list[str]:
    """The candidates that are the mailing list's own address: a posting address (see
    _list_addresses), or one whose local part and domain make the List-Id ("git@vger.kernel.org"
    for <git.vger.kernel.org>, the convention of Mailman, majordomo and mlmmj; RFC 2919 section 2),
    or one the pre-RFC 2369 marks of ``old_list`` name or imply (owner-LIST@ for LIST@).
    The list's host and its domain are one list's: Mailman posts as ``list@example.org`` and
    receives at ``list@lists.example.org`` (the address members write in Cc:)."""
    if not candidates:
        return []
    posts = [post.rpartition("@") for post in
             (*_list_addresses(message), *(old_list.addresses if old_list is not None else ()))]
    identifier = list_id_label(list_id)
    named = []
    for address in candidates:
        local, _, domain = address.lower().rpartition("@")
        if not local or not domain:
            continue
        if any(local == post_local and _one_list_host(domain, post_domain) for post_local, _, post_domain in posts) \
                or (identifier and identifier.startswith(f"{local}.")
                    and _one_list_host(domain, identifier[len(local) + 1:])):
            named.append(address)
    return named


def _one_list_host(domain: str, other: str) -> bool:
    """Whether two domains are the same, or one is a host under the other in one organisation
    (``lists.example.org`` and ``example.org``)."""
    if domain == other:
        return True
    if not (domain.endswith(f".{other}") or other.endswith(f".{domain}")):
        return False
    return _org(domain) is not None and _org(domain) == _org(other)


def _is_lists_own_sender(address: str, list_address: str) -> bool:
    """Whether an envelope sender is the list's own bounce or owner address, in the list's
    organisation: its name with a list manager's mark (Mailman's ``list-bounces`` and
    ``list-bounces+...``, majordomo's ``owner-list``, ``list-owner``, ``list-request``, ezmlm's
    ``list-return-...``, Google Groups' ``list+...``). The posting address itself, or any other
    address holding the name ("ceo@" for a "list" named ceo), is no list's bounce address."""
    list_name, _, list_domain = list_address.lower().rpartition("@")
    sender_local, _, sender_domain = address.lower().rpartition("@")
    if not list_name or _org(sender_domain) != _org(list_domain):
        return False
    return (sender_local in (f"owner-{list_name}", f"{list_name}-owner", f"{list_name}-bounces",
                             f"{list_name}-request", f"{list_name}-admin", f"{list_name}-errors")
            or sender_local.startswith((f"{list_name}-bounces+", f"{list_name}-return-", f"{list_name}+",
                                        f"owner-{list_name}+", f"owner-{list_name}-", f"{list_name}-owner+")))


def _list_and_author_apart(message: Message, sender: str, list_address: str) -> bool:
    """Whether the list and the author are of different organisations, and the envelope sender is
    neither the author's nor a recipient's address. A "list" of the From: domain's own
    organisation whose bounce address stands where the receiver wrote the MAIL FROM is also what
    a direct spoof with a made-up List-Id looks like (the MAIL FROM the receiver recorded would
    then be set aside, and a DMARC failure with it): the reading is kept for a list's copy of a
    member's post from elsewhere."""
    list_org = _org(list_address.rpartition("@")[2])
    authors = [a for a in parse_addresses(message.first("From") or "")[:3] if a.domain]
    if not authors or any(_org(a.domain) == list_org for a in authors):
        return False
    lowered = sender.lower()
    return not any(a.address.lower() == lowered for a in authors)


# The author's address a list encoded as the local part of its own ("user=domain.tld"): the
# user's characters (RFC 5322 section 3.2.3's atext, no "="), then a domain with a letters-only top label.
_encoded_author_re = compiled_on_first_use(
    r"([A-Za-z0-9!#$%&'*+/?^_`{|}~.-]{1,64})=((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})")


def _list_encoded_author(from_real: Sequence[Address], list_addresses: frozenset[str],
                         sender: Address | None) -> tuple[Address, str, str] | None:
    """(the From: address, the author's address, what stands for the "@") when a list rewrote
    From: to an address of its own organisation that encodes the author's: the IETF's
    "dthaler1968=40googlemail.com@dmarc.ietf.org" ("=40", the "@" hex-escaped) or Groups.io's
    "miquel.raynal=bootlin.com@groups.io" (one "="); or None. The list's organisation is that of
    its addresses (``list_addresses``) and of Sender:; the caller asks only with the list's fields."""
    list_orgs = {_org(address.rpartition("@")[2]) for address in list_addresses}
    if sender is not None and sender.domain:
        list_orgs.add(_org(sender.domain))
    for address in from_real[:3]:
        local = address.address.rpartition("@")[0]
        # An encoded address is at most 64 + 1 + 253 characters (RFC 5321 section 4.5.3.1).
        if "=" not in local or len(local) > 318 or _org(address.domain) not in list_orgs:
            continue
        if "=40" in local:
            author = local.replace("=40", "@", 1)
            if _bare_login_re().fullmatch(author) and "." in author.rpartition("@")[2]:
                return address, author, "=40"
            continue
        encoded = _encoded_author_re().fullmatch(local)
        # The author's domain is another organisation's: the list's own address of that shape
        # ("news=groups.io@groups.io") names no author.
        if encoded is not None and _org(encoded.group(2)) not in list_orgs:
            return address, f"{encoded.group(1)}@{encoded.group(2).lower()}", "="
    return None


# Consumer webmail providers where anyone can open a mailbox: by the first label of the
# organisational domain for those with a domain per country (hotmail.fr, yahoo.co.uk, gmx.de),
# else by the whole organisational domain.
_FREE_MAILBOX_BRANDS = frozenset(("gmail", "googlemail", "hotmail", "outlook", "live", "yahoo", "ymail", "aol",
                                  "gmx", "yandex", "protonmail", "libero", "rediffmail"))
_FREE_MAILBOX_DOMAINS = frozenset(("icloud.com", "me.com", "mac.com", "msn.com", "proton.me", "web.de", "mail.com",
                                   "mail.ru", "bk.ru", "inbox.ru", "list.ru", "rambler.ru", "qq.com", "163.com",
                                   "126.com", "yeah.net", "sina.com", "naver.com", "daum.net", "hanmail.net",
                                   "zoho.com", "tutanota.com", "mail.bg", "abv.bg", "seznam.cz", "wp.pl", "o2.pl",
                                   "interia.pl", "t-online.de", "laposte.net", "orange.fr", "free.fr", "op.pl",
                                   "ukr.net", "usa.net", "lycos.com", "inbox.com", "email.com"))


def is_free_mailbox(domain: str | None) -> bool:
    """Whether a domain (or its organisation) is a consumer webmail provider's."""
    org = _org(domain or "")
    return org is not None and (org in _FREE_MAILBOX_DOMAINS or org.partition(".")[0] in _FREE_MAILBOX_BRANDS)


# Alias services that receive mail at an alias and forward it to the real mailbox, and the
# field each writes with the alias (its envelope recipient).
_ALIAS_FORWARDERS = (("X-SimpleLogin-Envelope-To", "SimpleLogin"),)


def _forwarding_trace(message: Message, mail_from: str | None, recipient: str | None = None,
                      authors: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """The mailbox that forwarded or redirected the message, with the trace that says so, or None.
    ``recipient``: when given, a trace that names another forward target is not this forward.
    ``authors``: addresses (lower case) a Resent-From naming is no forwarding mailbox: the From:
    address itself, and the original sender a relay's rewrite claims (Firefox Relay writes that
    sender in Resent-From of every forward: a trace of the author, not of a forward)."""
    for field in message.all("Resent-From")[:1]:
        found = parse_addresses(field.value)
        if found and found[0].domain and found[0].address.lower() not in authors:
            return found[0].address, (f"Resent-From names {found[0].address} as who reintroduced it "
                                      f"(RFC 5322 section 3.6.6)")
    for field in message.all("X-MS-Exchange-ForwardingLoop")[:1]:
        # "mailbox@example.com;tenant-id": Exchange Online's mark on a message it forwarded.
        found = parse_addresses(field.value.partition(";")[0])
        if found and found[0].domain:
            return found[0].address, (f"Exchange Online marked it as forwarded by {found[0].address} "
                                      f"(X-MS-Exchange-ForwardingLoop)")
    for field in message.all("X-Forwarded-For")[:1]:
        # Gmail's auto-forward: "forwarding-mailbox target-mailbox". Only a forward to this
        # recipient: a message forwarded once and then re-sent elsewhere keeps the field.
        words = field.value[:600].split()
        found = parse_addresses(words[0]) if words else ()
        target = parse_addresses(words[1]) if len(words) > 1 else ()
        if found and found[0].domain and (recipient is None or not target
                                          or target[0].address.lower() == recipient.lower()):
            return found[0].address, f"Gmail's X-Forwarded-For names {found[0].address} as the forwarding mailbox"
    for name, service in _ALIAS_FORWARDERS:
        for field in message.all(name)[:1]:
            # An alias service's own record of the alias the message reached and was sent on from.
            found = parse_addresses(field.value[:600])
            if found and found[0].domain:
                return found[0].address, f"{service}'s {name} names the alias {found[0].address} that forwarded it"
    google_forward = google_forwarding(mail_from)
    if google_forward is not None:
        mailbox = google_forward[0]
        return mailbox, f"the envelope sender {mail_from} is Gmail's auto-forwarding address for {mailbox}"
    return None


# Proton Pass's alias domains: its hide-my-email aliases run on SimpleLogin (a Proton service),
# whose X-SimpleLogin-* fields and hosts they share. The domains as Proton Pass offers them (alias
# suffixes such as ".voice819@passinbox.com" and ".germicide770@passfwd.com" in a Pass API client's
# tests; users' Sieve filters that tell alias mail by To: at "passmail.net", "passmail.com",
# "passfwd.com", "passinbox.com").
_PROTON_PASS_DOMAINS = ("passmail.net", "passmail.com", "passinbox.com", "passfwd.com")
_ADDY_DOMAINS = ("addy.io", "anonaddy.com", "anonaddy.me")
# Privacy relays and alias services, with the fields each documents or writes (a claim: anyone
# can write them). Each entry: service, the domains it runs (its own recorded results are
# written under them), the fields that mark it, the fields holding the original sender (first
# found wins) and the fields holding the alias. Sources: DuckDuckGo's forwarded mail
# (Duck-Original-From/-To/-Message-ID); SimpleLogin's app/email/headers.py (X-SimpleLogin-Type
# "Forward"/"Reply", -EmailLog-ID, -Envelope-From, -Original-From, -Envelope-To,
# -Want-Signing); addy.io's (AnonAddy's) forwarding mailable (X-AnonAddy-Original-Sender,
# -Original-Envelope-From, -Original-From-Header; X-Addy-Original-Sender in newer versions);
# Forward Email's X-ForwardEmail-Sender ("rfc822; address[, host, ip]") and -Version; ImprovMX's
# X-ImprovMX-Server-Id/-Session-Id; Yandex's X-Yandex-Forward (rspamd's FWD_YANDEX rule reads it
# as Yandex's forwarding mark, only on mail a Yandex host handed over: Yandex writes the field on
# every delivery into its own mailboxes too, forwarded or not; see _FORWARD_ONLY_IN_CHAIN).
_RELAYS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    ("DuckDuckGo Email Protection", ("duck.com", "duckduckgo.com"),
     ("Duck-Original-From", "Duck-Original-To", "Duck-Original-Message-ID"),
     ("Duck-Original-From",), ("Duck-Original-To",)),
    ("SimpleLogin", ("simplelogin.co", "simplelogin.com", "simplelogin.io", "slmail.me", "aleeas.com", *_PROTON_PASS_DOMAINS),
     ("X-SimpleLogin-Type", "X-SimpleLogin-EmailLog-ID", "X-SimpleLogin-Envelope-To", "X-SimpleLogin-Envelope-From",
      "X-SimpleLogin-Original-From", "X-SimpleLogin-Want-Signing"),
     ("X-SimpleLogin-Original-From", "X-SimpleLogin-Envelope-From"), ("X-SimpleLogin-Envelope-To",)),
    ("addy.io (AnonAddy)", _ADDY_DOMAINS,
     ("X-AnonAddy-Original-Sender", "X-Addy-Original-Sender", "X-AnonAddy-Original-Envelope-From",
      "X-AnonAddy-Original-From-Header"),
     ("X-AnonAddy-Original-From-Header", "X-AnonAddy-Original-Sender", "X-Addy-Original-Sender",
      "X-AnonAddy-Original-Envelope-From"), ()),
    ("Forward Email", ("forwardemail.net",), ("X-ForwardEmail-Sender", "X-ForwardEmail-Version"),
     ("X-ForwardEmail-Sender",), ()),
    ("ImprovMX", ("improvmx.com",), ("X-ImprovMX-Server-Id", "X-ImprovMX-Session-Id"), (), ()),
    ("Yandex mail forwarding", ("yandex.ru", "yandex.net", "yandex.com"), ("X-Yandex-Forward",), (), ()),
)
# The field each service writes its own receipt's results under, in every forward it sends:
# addy.io's ForwardEmail.php (anonaddy/anonaddy) rebuilds the message and adds
# X-AnonAddy-Authentication-Results, which its rspamd milter_headers setting wrote on receipt
# (EmailData.php reads it). Anyone can write the name, so it is read only when the relay's
# hand-over is in the receiving side's chain (in_chain), and only its failures are said.
_RELAY_OWN_RESULTS: dict[str, tuple[str, ...]] = {"addy.io (AnonAddy)": ("X-AnonAddy-Authentication-Results",)}
# Services that rebuild the message they forward: they copy the original's Received fields into
# it and write a new Date: when they send it (addy.io's ForwardEmail.php adds the copied Received
# fields to a new Symfony message, which is dated when sent), so the copied stamps come before
# the relay's Date: by the time it held the message.
RELAYS_REDATING = frozenset({"addy.io (AnonAddy)"})
# Services whose marks say nothing unless the receiving side's chain shows the service handing
# the message over (_relay_in_chain): their fields are written on mail they merely delivered.
_FORWARD_ONLY_IN_CHAIN = frozenset({"Yandex mail forwarding"})
# Firefox Relay (mozilla/fx-private-relay) forwards with From: "original@example.com [via Relay]"
# <mask@mozmail.com>, To: the mask owner's real address, Reply-To: replies@relay.firefox.com and
# Resent-From: the original sender (its generate_relay_from and fixture
# single_recipient_expected.email); it used to write its shared replies@ or noreply@
# relay.firefox.com in From: instead of the mask, and an encoded-word display name that decodes
# with literal quotes ("\"someone@example.com [via Relay]\""). A reply the owner sends through it
# goes out as the mask: From: and Reply-To: the mask, no "[via Relay]" (s3_stored_replies_expected).
# Apple's Hide My Email aliases are at privaterelay.appleid.com.
_FIREFOX_RELAY_DOMAINS = ("mozmail.com", "relay.firefox.com")
_FIREFOX_RELAY_SUFFIX = " [via Relay]"
# Firefox Relay's own shared sending addresses at relay.firefox.com (no user's mask).
_FIREFOX_RELAY_SHARED = frozenset({"replies", "noreply"})
_APPLE_RELAY_DOMAIN = "privaterelay.appleid.com"
# The From: Apple's relay writes on a message it forwards to an alias owner: the sender's local
# part, "_at_", the sender's domain with each dot written "_", then two random parts (ten letters
# or digits, eight hex digits), as in the forwarded "Peloton"
# <peloton_at_mail_op_onepeloton_com_k6myg754kg_192d3661@privaterelay.appleid.com> and "Indeed"
# <donotreply_at_match_indeed_com_7dtpcj9p77_c32249dc@privaterelay.appleid.com> a public
# sender-normalising test suite decodes (backend/services/email_utils tests, to
# peloton@mail.op.onepeloton.com and donotreply@match.indeed.com). Apple documents no format;
# this is the one seen. A domain label holds no "_" (RFC 1035 section 2.3.1), so the labels
# are the parts between them. The alias owner's own alias, the From: of a reply, is a random
# local part without "_at_" (dpdcnf87nu@privaterelay.appleid.com).
_apple_from_re = compiled_on_first_use(
    r"([a-z0-9._%+-]{1,64}?)_at_([a-z0-9-]{1,63}(?:_[a-z0-9-]{1,63}){1,10})_[a-z0-9]{10}_[0-9a-f]{8}", re.IGNORECASE)
# DuckDuckGo's rewritten From: "local_at_example.com_alias@duck.com" (the sender's address with
# "@" written "_at_", then the alias's local part).
_duck_from_re = compiled_on_first_use(r"([a-z0-9._%+-]{1,64})_at_([a-z0-9.-]{1,253}\.[a-z]{2,63})_([a-z0-9._-]{1,64})",
                                      re.IGNORECASE)
# A method=result pair of an Authentication-Results-style field (RFC 8601 section 2.2).
_auth_result_re = compiled_on_first_use(r"\b(dkim|spf|dmarc)\s{0,4}=\s{0,4}([a-z]{1,12})", re.IGNORECASE)
_MAX_RELAY_VALUE = 600
"""Characters read of a relay's field (an address with a display name is a few dozen)."""


def _in_domains(domain: str | None, domains: tuple[str, ...]) -> bool:
    """Whether a domain is one of ``domains`` or below one (a premium mask's subdomain of
    mozmail.com): its parents, not its organisation alone, are compared, as relay.firefox.com is
    listed under firefox.com."""
    name = (domain or "").lower().rstrip(".")
    return any(name == listed or name.endswith("." + listed) for listed in domains)


def _firefox_relay_original(display_name: str | None) -> str | None:
    """What Firefox Relay's forward shows before " [via Relay]" in From:'s display name (the
    original From: as it read), or None when the name is not of that form. Its older
    encoded-word name decodes with the quotes it wrote inside it, which are no part of the text."""
    shown = (display_name or "").strip()
    if len(shown) >= 2 and shown[0] == shown[-1] == '"':
        shown = shown[1:-1].strip()
    if not shown.endswith(_FIREFOX_RELAY_SUFFIX):
        return None
    return shown[:-len(_FIREFOX_RELAY_SUFFIX)]


def relay_forward_layout(relay: RelayInfo | None, author: Address | None) -> tuple[str, str] | None:
    """(the original sender the From: display name shows, the relay's documented forward form in
    words) when the From: is laid out as the relay's forward writes it, or None. Firefox Relay:
    "original [via Relay]" <mask@mozmail.com>. addy.io: "<name> '<sender>'"
    <alias+sender=domain@alias-domain> (ForwardEmail.php: ->from($fromEmail, name." '".sender."'")),
    read only with From: at addy.io's own domains (a user's custom domain is anyone's to claim).
    The layout says nothing of who sent it: the caller asks for the relay's authentication."""
    if relay is None or relay.direction != "forward" or author is None:
        return None
    if relay.service == "Firefox Relay":
        shown = relay.original_sender[:120] if relay.original_sender and (
            relay.original_sender_source or "").startswith("From: ") else "the original sender"
        return shown, ("its documented forward writes the original From: in the display name, followed by "
                       "\"[via Relay]\", and the mask as the address")
    if relay.service == "addy.io (AnonAddy)" and _in_domains(author.domain, _ADDY_DOMAINS):
        name = (author.display_name or "").strip()[-400:]
        opening = name.rfind("'", 0, len(name) - 1) if name.endswith("'") else -1
        shown = name[opening + 1:-1] if opening >= 0 else ""
        if "@" in shown and not any(c.isspace() for c in shown) and "+" in author.address.rpartition("@")[0]:
            return shown[:120], ("its documented forward writes the original sender's name and address in the "
                                 "display name (\"Name 'sender'\") and the alias, with the sender after a \"+\", as "
                                 "the address")
    return None


def _relay_address(value: str) -> str | None:
    """The first address in a relay field's value ("rfc822; a@b" as Forward Email writes it, a
    name-addr as the others do), bounded."""
    value = value[:_MAX_RELAY_VALUE]
    if value[:7].lower() == "rfc822;":
        value = value[7:].split(",", 1)[0]
    found = parse_addresses(value)
    return found[0].address if found and found[0].domain else None


RELAY_OWN_RECORD_WORDS = "The relay's own record of its receipt"
"""How a RelayInfo note of the relay's own none/fail record begins (_relays_own_result): api reads it
to keep a forward's display-name warning where the relay itself found the original sender failing."""


def _relays_own_result(message: Message, domains: tuple[str, ...], own_fields: tuple[str, ...] = ()) -> str | None:
    """The none/fail results the relay itself recorded for the original sender when it received
    the message (its Authentication-Results-Original, its i=1 ARC-Authentication-Results, RFC 8617
    section 4.1.1, or ``own_fields``: the field of its own name it writes into every forward, read
    only when its hand-over is proven), said in words; None when it recorded passes or nothing of
    its own. Only failures are said: a record of passes is never read as evidence."""
    candidates = [(f.name, f.value) for f in message.all("Authentication-Results-Original")[:2]]
    for own in own_fields:
        candidates += [(f.name, f.value) for f in message.all(own)[:2]]
    candidates += [(f.name, f.value) for f in message.all("ARC-Authentication-Results")[:10]
                   if f.value.lstrip()[:4].replace(" ", "").lower().startswith("i=1;")]
    for name, value in candidates:
        value = value[:2000]
        text = value.split(";", 1)[1] if value.lstrip().lower().startswith("i=") else value
        authserv = text.strip().split(";", 1)[0].split()[0].lower() if text.strip() else ""
        org = _org(authserv.strip(";")) or ""
        if org not in domains:
            continue  # another's record (the relay's own upstream receiver, or a forger's)
        results = {method.lower(): result.lower() for method, result in _auth_result_re().findall(text)}
        bad = [f"{method}={results[method]}" for method in ("dkim", "spf", "dmarc")
               if results.get(method) in ("none", "fail", "softfail", "permerror", "neutral")]
        if bad and not any(results.get(m) == "pass" for m in ("dkim", "dmarc")):
            whose = ("a field the relay wrote" if name.lower() not in {f.lower() for f in own_fields} else
                     "the field the relay writes into each forward it rebuilds, read as its own because the receiving "
                     "side's chain shows the relay handing the message over; a sender can write the field too, but "
                     "not that hand-over")
            return (f"{RELAY_OWN_RECORD_WORDS} ({name} by {authserv}) says {', '.join(bad)}: the "
                    f"original sender was not authenticated when the message reached the relay (a claim in {whose}).")
    return None


def _relay_in_chain(trusted: Sequence[Hop], domains: tuple[str, ...]) -> bool:
    """Whether the receiving side recorded the relay handing the message over: a hop of its chain
    from a client whose reverse DNS name (looked up by the receiver, not the client's HELO) is a
    host of the relay's domains, received by a host outside them. Hops below the trust boundary
    are the sender's text, as are the relay's marks. A hop received BY the relay's hosts does not
    count, nor one between two of its hosts: when the receiving provider runs the relay too
    (iCloud and Hide My Email, a Yandex mailbox and Yandex forwarding), its own hops are in every
    message it receives, a spoof sent straight to it included, so they show no forward. A name
    the receiver marked "(may be forged)" (its PTR does not resolve back) vouches for nothing."""
    from .hops import host_organization, vouched_client_name

    orgs = {host_organization(domain) or domain for domain in domains}
    # A receiver named by a bare host name (iCloud's "by p116-mailgateway-smtp-746c496c44-6mknn") is
    # an internal host of the provider that took it when that provider is the relay's own; else
    # (a self-hosted "by mail (Postfix)") it is the outside receiver it names.
    bare_is_relays = _received_by(trusted, domains)
    for hop in trusted:
        name = vouched_client_name(hop)
        client = host_organization(name) if name else None
        receiver = host_organization(hop.fields.by) if hop.fields.by else None
        if client is not None and client in orgs and receiver not in orgs \
                and (receiver is not None or not bare_is_relays):
            return True
    return False


def _received_by(trusted: Sequence[Hop], domains: tuple[str, ...]) -> bool:
    """Whether a hop of the receiving side was received by a host of the relay's domains."""
    from .hops import host_organization

    orgs = {host_organization(domain) or domain for domain in domains}
    return any(hop.fields.by and host_organization(hop.fields.by) in orgs for hop in trusted)


_APPLE_TO_MARK = f"To: at {_APPLE_RELAY_DOMAIN}"


def _apple_relay(author: Address | None, to: Sequence[Address]
                 ) -> tuple[str | None, str, str | None, str | None, str | None, str]:
    """(service, direction, alias, original sender, where it was read, the mark) of Apple's Hide My Email,
    or service None when no address is at privaterelay.appleid.com. The direction is told from
    the addresses alone, and only as far as they show it:
    - From: in the relay's forward form (_apple_from_re): a forward to the alias owner, from the
      sender it encodes; the alias is the To: address at the relay (the From: is the relay's
      reply address for that sender, not the alias);
    - To: at the relay (the alias the message was sent to; a reply from the owner goes to an
      outside correspondent): a forward, whatever the From:;
    - From: at the relay with "_at_" in another form: a sender's address rewritten by a relay,
      direction not shown;
    - From: at the relay otherwise: the owner's message sent out as the alias (a reply)."""
    apple_to = next((a for a in to if (a.domain or "").lower() == _APPLE_RELAY_DOMAIN), None)
    from_apple = author is not None and (author.domain or "").lower() == _APPLE_RELAY_DOMAIN
    if author is None or not from_apple:
        if apple_to is None:
            return None, "unknown", None, None, None, ""
        return "Apple Hide My Email", "forward", apple_to.address, None, None, _APPLE_TO_MARK
    local = author.address.rpartition("@")[0]
    encoded = _apple_from_re().fullmatch(local) if len(local) <= 400 else None
    alias = apple_to.address if apple_to is not None and apple_to.address.lower() != author.address.lower() else None
    if encoded is not None:
        original = f"{encoded.group(1)}@{encoded.group(2).replace('_', '.')}"
        return ("Apple Hide My Email", "forward", alias, original, f"the relay's From: address {author.address}",
                "From: in the relay's forward form (sender_at_domain_..._...)")
    if alias is not None:
        return "Apple Hide My Email", "forward", alias, None, None, _APPLE_TO_MARK
    if "_at_" in local.lower():
        return "Apple Hide My Email", "unknown", None, None, None, f"From: at {_APPLE_RELAY_DOMAIN}"
    return "Apple Hide My Email", "reply", author.address, None, None, f"From: at {_APPLE_RELAY_DOMAIN}"


def _relay(message: Message, header_from: Sequence[Address], to: Sequence[Address],
           srs: SrsInfo | None, trusted: Sequence[Hop] = ()) -> RelayInfo | None:
    """The privacy relay or alias service whose marks the message carries, or None. Its fields
    are text the relay, or anyone, writes: the result is described as the relay's claim and
    never weighs in a verdict. ``trusted``: the receiving side's hops, where the relay must
    appear for its marks to say a forward happened (see _relay_in_chain)."""
    author = next((a for a in header_from if a.domain), None)
    author_org = _org(author.domain) if author is not None else None
    service: str | None = None
    domains: tuple[str, ...] = ()
    markers: list[str] = []
    original: str | None = None
    original_source: str | None = None
    alias: str | None = None
    direction = "unknown"
    for name, own, marks, originals, aliases in _RELAYS:
        present = [mark for mark in marks if message.first(mark) is not None]
        if not present or (name in _FORWARD_ONLY_IN_CHAIN and not _relay_in_chain(trusted, own)):
            continue
        service, domains, markers = name, own, present
        for field in originals:
            value = message.first(field)
            if value is not None and (found := _relay_address(value)) is not None:
                original, original_source = found, field
                break
        for field in aliases:
            value = message.first(field)
            if value is not None and (found := _relay_address(value)) is not None:
                alias = found
                break
        break
    if service == "SimpleLogin":
        kind = (message.first("X-SimpleLogin-Type") or "").strip().lower()[:20]
        # SimpleLogin's X-SimpleLogin-Type names the direction: "Forward" to the alias owner,
        # "Reply" from the owner out through a reverse alias (the From: is then the alias).
        direction = "forward" if kind == "forward" else "reply" if kind == "reply" else "unknown"
        if direction == "reply" and author is not None and author.address.lower() not in _list_addresses(message):
            alias = author.address  # unless a list replaced From: after the relay (RFC 7960 section 3.2.3)
    elif service == "DuckDuckGo Email Protection" or (service is None and author_org == "duck.com"):
        service, domains = "DuckDuckGo Email Protection", ("duck.com", "duckduckgo.com")
        local = author.address.rpartition("@")[0] if author is not None else ""
        encoded = _duck_from_re().fullmatch(local) if author_org == "duck.com" else None
        if original is None and encoded is not None and author is not None:
            original, original_source = f"{encoded.group(1)}@{encoded.group(2)}", f"the duck.com address {author.address}"
        if original is not None or alias is not None:
            direction = "forward"
        elif author is not None and author_org == "duck.com":
            # A From: at duck.com without DuckDuckGo's forwarding fields is the alias owner writing
            # as the alias (its replies carry Feedback-ID ":isSendReply:...:duckcom").
            direction, alias = "reply", author.address
        if not markers:
            feedback = (message.first("Feedback-ID") or "")[:200].lower()
            markers = ["Feedback-ID isSendReply" if "issendreply" in feedback else "From: at duck.com"]
    elif service in ("addy.io (AnonAddy)", "Yandex mail forwarding"):
        direction = "forward"
    elif service == "Forward Email" and srs is not None and _org(srs.forwarder) == "forwardemail.net":
        direction = "forward"  # its SRS rewrite of the envelope sender says it forwarded
    elif service == "ImprovMX" and ":send:improvmx" in (message.first("Feedback-ID") or "")[:200].lower():
        direction = "reply"  # ImprovMX's SMTP sending: the alias owner's message sent out as the alias
        alias = author.address if author is not None else None
    if service is None and author is not None and _in_domains(author.domain, _FIREFOX_RELAY_DOMAINS):
        service, domains, markers = "Firefox Relay", _FIREFOX_RELAY_DOMAINS, [f"From: at {author.domain}"]
        # The author's mask, unless From: is one of the relay's shared addresses (its older forwards).
        mask = author.address if author.address.rpartition("@")[0].lower() not in _FIREFOX_RELAY_SHARED else None
        shown = _firefox_relay_original(author.display_name)
        if shown is not None:
            # A forward: the original From: in the display name, and in Resent-From (PR #3576),
            # which is read when the name holds no address (the relay cuts a long one at 900).
            direction = "forward"
            markers.append("From: display name \"... [via Relay]\"")
            original = _relay_address(shown)
            resent = message.first("Resent-From")
            resent_from = _relay_address(resent) if resent is not None else None
            if original is not None:
                agrees = resent_from is not None and resent_from.lower() == original.lower()
                original_source = "From: display name (\"... [via Relay]\")" + (" and Resent-From" if agrees else "")
            elif resent_from is not None:
                original, original_source = resent_from, "Resent-From"
            # The mask the message was sent to is From:'s address (To: is the owner's real one).
            alias = next((a.address for a in to if _in_domains(a.domain, _FIREFOX_RELAY_DOMAINS)), mask)
        elif mask is not None:
            # No "[via Relay]": the mask owner's own message sent out as the mask (a reply), the
            # form of Apple's Hide My Email reply.
            direction, alias = "reply", mask
    if service is None:
        service, direction, alias, original, original_source, mark = _apple_relay(author, to)
        if service is not None:
            domains, markers = ("appleid.com", "icloud.com"), [mark]
    if service is None:
        return None
    # Firefox Relay's mark is its From: domain, which DMARC judges (RFC 7489 section 3.1), and it
    # sends through Amazon SES, so no host of its own is in the chain: not checked.
    in_chain = None if service == "Firefox Relay" else _relay_in_chain(trusted, domains)
    # The receiving side is the relay's own provider (an iCloud mailbox for Hide My Email): its hops
    # are in every message delivered there, so the chain can neither show nor rule out the relay.
    received_by_relay = in_chain is False and _received_by(trusted, domains)
    notes: list[str] = []
    recorded = _relays_own_result(message, domains, _RELAY_OWN_RESULTS.get(service, ()) if in_chain else ())
    if recorded is not None:
        notes.append(recorded)
    if author is not None and (author_org in domains or (original is not None
                                                         and _org(address_domain(original)) != author_org)):
        # RFC 7489 section 3.1 (identifier alignment): DMARC judges the RFC5322.From domain; after
        # the relay's rewrite that is the relay's (or the alias's) domain, and an ARC set the relay
        # added (RFC 8617) records, at most, what it saw of the original.
        whose = ("the alias owner's real address, which the relay hides" if direction == "reply" else
                 f"the original author{f' ({original})' if original else ''}")
        notes.append(f"DMARC and every aligned result here concern {author.domain}, the From: the relay wrote, not "
                     f"{whose}: a pass says the relay sent it, nothing about who wrote it (RFC 7489 section 3.1).")
    return RelayInfo(service=service, direction=direction, markers=tuple(markers[:6]), alias=alias,
                     original_sender=original, original_sender_source=original_source, notes=tuple(notes),
                     in_chain=in_chain, received_by_relay=received_by_relay)


def _other_displayed_domain(address: Address) -> str | None:
    """A domain the display name shows that is not the address's organisation's, or None.
    A brand under another suffix or spelled with a dot is its own ("Amazon.co.jp"
    <...@amazon.com>, "Dr.Web" <...@drweb.com>), and the operators that
    run mail under several domains are one each (hops.OPERATOR_ALIASES). A list that rewrites
    From: for DMARC writes "Author via List" with its own address: the name is the author's.
    The name is read as a reader sees it (addresses.shown_as): "pay\u200bpal.com" with a zero-width
    space, or "Pay\u00adPal.com" with a soft hyphen, shows paypal.com, not pal.com; and a domain
    the name shows inside an address ("support\uff20paypal.com", "support @ paypal.com") is the
    display_name_address warning's, not a second warning beside it."""
    name = address.display_name
    if not name or not address.domain or (name.isascii() and "." not in name):
        return None
    shown_name = shown_as(name)
    if "." not in shown_name or " via " in shown_name.lower():
        return None
    from .hops import host_organization

    own = host_organization(address.domain) or _org(address.domain) or address.domain.lower()
    own_label = own.split(".", 1)[0]
    in_addresses: set[str | None] | None = None
    for shown in displayed_domains(shown_name):
        shown_org = host_organization(shown) or _org(shown) or shown
        if shown_org == own:
            continue
        # One brand: the same name under another suffix (amazon.co.jp, amazon.com), or the name
        # spelled with a dot (dr.web, drweb.com).
        if own_label in (shown_org.split(".", 1)[0], shown_org.replace(".", "")):
            continue
        if in_addresses is None:
            in_addresses = {address_domain(found) for found in contained_addresses(name)}
        if shown in in_addresses:
            continue
        return shown
    return None


_STAND_INS = '("rn" for "m", "vv" for "w", "1" or a capital "I" for "l", "0" for "o")'


def _one_per_domain(named: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The first (domain, what) of each domain, lower-cased."""
    seen: dict[str, tuple[str, str]] = {}
    for domain, what in named:
        seen.setdefault(domain.lower(), (domain, what))
    return list(seen.values())


@functools.lru_cache(maxsize=2048)
def _cousin_keys(written: str, organisation: str) -> tuple[str, str]:
    """(the cousin key of an organisational domain, its label before the public suffix), from the
    name as written: a capital "I" stands for an "l" on most screens ("PAYPAI.COM"), which
    lower-casing would make an "i" (verification V14 A2)."""
    name = written.rstrip(".")
    as_written = name[-len(organisation):] if name.lower().endswith(organisation) else organisation
    org = as_written.replace("I", "l").lower()
    suffix = public_suffix(organisation) or ""
    label = org[:-len(suffix) - 1] if suffix and org.endswith("." + suffix) else org
    return ascii_cousin_key(org), label


# The shortest registrable label the one-edit, other-suffix and joined-word kinds compare: among
# short labels a letter's difference, a second suffix or a word beside them is mostly chance
# (bt/bbt, ing/ing.de, apple/pineapple's "mail"/"gmail"): unrelated organisations hold such pairs
# by the thousand, while business email compromise imitates names long enough to misread.
_MIN_LOOKALIKE_LABEL = 5
# Two changes (a stand-in and a letter) reach far more real names than one: turner.com reads as
# "tumer" beside tumor.com, hornet.com as "homet" beside homer.com (verification V41c). The longer
# of the two read labels must have seven letters: the made ones ("rnicrosooft", "c0ntso" beside
# "contoso") stay told, most short real names apart.
_MIN_STANDIN_EDIT_LABEL = 7
# The longest label compared letter by letter (RFC 1035 section 2.3.4: a label is at most 63
# octets); a longer one, which the message's text can hold, is not a name to compare.
_MAX_LOOKALIKE_LABEL = 63
# Beside a recipient's domain the strongest kind is told first: the stand-ins alone, the whole
# domain written first, a letter off (with or without stand-ins), then a joined word or a second suffix.
_KIND_ORDER = {"standin": 0, "prefix": 1, "edit": 2, "standin_edit": 3, "joined": 4, "suffix": 5}
# The kinds made to be misread at a glance, told as warnings: the sender's own look-alike copied
# into To: or Cc: does not silence them, and between two of the sender's fields they are a pair.
# A joined word or a second suffix is how one organisation names its services and countries.
_WARNING_KINDS = frozenset(("standin", "prefix", "edit", "standin_edit"))


@functools.lru_cache(maxsize=2048)
def _registrable_label(organisation: str) -> tuple[str, str] | None:
    """(the label before the public suffix, the suffix) of an organisational domain, or None
    when there is no such label to compare (an IP literal, a bare suffix, an A-label)."""
    suffix = public_suffix(organisation)
    if not suffix or not organisation.endswith("." + suffix):
        return None
    label = organisation[:-len(suffix) - 1]
    if "." in label or label.startswith("xn--") or not label:
        return None
    return label, suffix


@functools.lru_cache(maxsize=2048)
def _nobodys_to_imitate(own: str, other: str, kind: str) -> bool:
    """Whether two organisational domains are no look-alike pair of the ``kind`` found, whatever
    their letters: documentation's placeholder is one of them, or, for the kinds an ordinary name
    falls into by chance (one letter off, another suffix, joined with a word), a webmail provider's."""
    if kind not in _DELIBERATE_KINDS and (is_free_mailbox(own) or is_free_mailbox(other)):
        # A webmail provider's domain is nobody's registration to imitate it with, nor a recipient's
        # organisation (V39e: gmail.com beside email.com, icloud.com beside cloud.com,
        # outlookindia.com beside outlook.com were called business-email-compromise cousins).
        # Stand-ins and a name written first are no chance resemblance: grnail.com for gmail.com
        # in a Reply-To is the reply hijack the check is for.
        return True
    # Documentation's placeholder, nobody's organisation: example.com, .net and .org are all
    # IANA's (RFC 2606 section 3), and test messages write it under any suffix (example.de,
    # example.biz) and with any word (example-shop.net).
    return any(found is not None and found[0] == "example"
               for found in (_registrable_label(own), _registrable_label(other)))


# Look-alike kinds that only a choice makes (characters that stand in for others, the other's whole
# domain written first): the webmail exclusion of _nobodys_to_imitate does not apply to them.
_DELIBERATE_KINDS = frozenset({"standin", "standin_edit", "prefix"})


# Services that give each customer domain an alias of its own written first under theirs: Google
# Workspace's test domain alias "<domain>.test-google-a.com", which Workspace creates for every
# domain and which its mail may carry as envelope sender (verification V41c, real configurations
# in public repositories). The name is the customer's own, not a look-alike.
_ALIAS_HOSTS = frozenset({"test-google-a.com"})


def _shows_domain_first(name: str, own: str, other: str) -> bool:
    """Whether the domain ``name`` (of the organisation ``own``) is written with the whole domain
    ``other`` as its first labels, or after a label of its own, followed by a dot or a hyphen:
    "contoso.com.evil.example", "contoso.com-secure.example", "login.contoso.com.evil.example"
    beside contoso.com. A reader takes the start of a name in at a glance; its organisation is
    the end. Not when ``own`` is ``other``'s name under a longer public suffix ("contoso.com.au",
    a country's site beside contoso.com, is the other-suffix kind's), nor when one label follows
    ``other`` at the end ("mail.contoso.com.xx"): the shape of such a suffix, also where the
    public suffix list does not name it (a redacted corpus's "xxx.xx", a new country code)."""
    if len(name) > 253 or own.startswith(other + ".") or own in _ALIAS_HOSTS:
        return False  # (RFC 1035 section 2.3.4: a longer text is no domain name)
    dotted, needle = "." + name, "." + other
    at = dotted.find(needle)
    while at != -1:
        after = at + len(needle)
        if dotted[after:after + 1] == "-" or (dotted[after:after + 1] == "." and "." in dotted[after + 1:]):
            return True
        at = dotted.find(needle, at + 1)
    return False


@functools.lru_cache(maxsize=2048)
def _standin_edit(own: str, other: str, key: str, other_key: str) -> str | None:
    """The words when two organisational domains under one suffix are one letter apart once the
    characters that stand in for others are made one (their cousin keys ``key`` and ``other_key``):
    "rnicrosooft.com" reads as "microsooft.com", a doubled "o" beside "microsoft.com". Labels of
    five letters or more, the longer of the two read labels seven (_MIN_STANDIN_EDIT_LABEL). None otherwise."""
    mine, theirs = _registrable_label(own), _registrable_label(other)
    if mine is None or theirs is None or mine[1] != theirs[1]:
        return None
    cut = len(mine[1]) + 1
    if key[-cut:] != "." + mine[1] or other_key[-cut:] != "." + mine[1]:
        return None  # a suffix with a stand-in of its own ("k12.ca.us"): not read here
    label, other_label = key[:-cut], other_key[:-cut]
    if min(len(label), len(other_label), len(mine[0]), len(theirs[0])) < _MIN_LOOKALIKE_LABEL \
            or max(len(label), len(other_label)) < _MIN_STANDIN_EDIT_LABEL \
            or max(len(mine[0]), len(theirs[0])) > _MAX_LOOKALIKE_LABEL:
        return None
    edit = _one_edit(label, other_label)
    return None if edit is None else f'read as "{label}" beside "{other_label}": {edit}'


def _one_edit(look: str, real: str) -> str | None:
    """How ``look`` differs from ``real`` by one edit, in words ('a doubled "s"', 'a dropped
    "o"', '"tn" for "nt"', '"a" for "s"'), or None when it does not (Damerau's four edits: the
    misspellings a reader misses, and those cousin-domain generators register first)."""
    if abs(len(look) - len(real)) > 1 or look == real:
        return None
    at = next((i for i, (a, b) in enumerate(zip(look, real, strict=False)) if a != b), min(len(look), len(real)))
    if len(look) == len(real) + 1:
        if look[at + 1:] != real[at:]:
            return None
        added = look[at]
        doubled = (at > 0 and look[at - 1] == added) or look[at + 1:at + 2] == added
        return f'a doubled "{added}"' if doubled else f'an added "{added}"'
    if len(look) + 1 == len(real):
        return f'a dropped "{real[at]}"' if look[at:] == real[at + 1:] else None
    if look[at + 1:] == real[at + 1:]:
        return f'"{look[at]}" for "{real[at]}" (a letter replaced)'
    if look[at + 2:] == real[at + 2:] and look[at:at + 2] == real[at + 1] + real[at]:
        return f'"{look[at:at + 2]}" for "{real[at:at + 2]}" (two letters swapped)'
    return None


def _joined_word(look: str, real: str) -> str | None:
    """The word ``look`` joins to ``real``, with a hyphen or directly ("contoso-corp",
    "contosogroup", "corp-contoso"), or None. A word is two characters or more: one is an edit."""
    for word in (look[len(real):] if look.startswith(real) else None,
                 look[:-len(real)] if look.endswith(real) else None):
        if word is None:
            continue
        word = word.strip("-")
        if len(word) >= 2:
            return word
    return None


def _may_look_alike(own: str, other: str) -> bool:
    """False when _lookalike_kind(own, other) is surely None, read cheaply before the public
    suffixes are looked up (an organisational domain is its registrable label, a dot and its
    suffix): each kind needs the other's label inside this one's (one name, or a joined word), or
    the same suffix and labels a letter apart in length (one edit)."""
    own_first, _, own_rest = own.partition(".")
    other_first, _, other_rest = other.partition(".")
    return len(other_first) >= _MIN_LOOKALIKE_LABEL and (
        other_first in own_first or (other_rest == own_rest and abs(len(own_first) - len(other_first)) <= 1))


@functools.lru_cache(maxsize=2048)
def _lookalike_kind(own: str, other: str) -> tuple[str, str] | None:
    """(kind, words) when the organisational domain ``own`` is a business-email-compromise
    look-alike of ``other`` beyond the stand-in characters: "edit" (one letter doubled, dropped,
    swapped or replaced, under the same suffix), "suffix" (the same label under another public
    suffix) or "joined" (the label joined with a word). None otherwise. (Which pairs are told of
    no kind, and where, is _ascii_cousin_finding's: _nobodys_to_imitate and its callbacks.)"""
    mine, theirs = _registrable_label(own), _registrable_label(other)
    if mine is None or theirs is None:
        return None
    (label, suffix), (other_label, other_suffix) = mine, theirs
    if min(len(label), len(other_label)) < _MIN_LOOKALIKE_LABEL or max(len(label), len(other_label)) > _MAX_LOOKALIKE_LABEL:
        return None
    if label == other_label:
        return ("suffix", f'the name "{label}" under another suffix (.{suffix} for .{other_suffix})')
    if suffix == other_suffix:
        edit = _one_edit(label, other_label)
        if edit is not None:
            return ("edit", edit)
    word = _joined_word(label, other_label)
    if word is not None:
        return ("joined", f'the name "{other_label}" joined with "{word}"')
    return None


def _receivers_passing_organisations(recorded: Sequence[RecordedResult]) -> frozenset[str]:
    """The organisations the receiving side's own (trusted) results record a pass for: a DKIM
    signature's header.d, an SPF pass's smtp.mailfrom domain. Such an organisation's key or
    servers sent the message (RFC 8601 section 2.7)."""
    found: set[str] = set()
    for result in recorded[:200]:
        if not result.trusted or result.result != "pass" or result.method not in ("dkim", "spf"):
            continue
        properties = dict(result.properties)
        value = properties.get("header.d") if result.method == "dkim" else (
            properties.get("smtp.mailfrom") or properties.get("smtp.mail"))
        organisation = organizational_domain((value or "").strip().strip("<>\"").rpartition("@")[2][:255])
        if organisation:
            found.add(organisation)
    return frozenset(found)


def _recipients_organisation_sent(hops: tuple[Hop, ...], boundary: Hop | None, rcpt_to: Sequence[str]) -> frozenset[str]:
    """The envelope recipients' organisation when its own server handed the message to the
    receiving side (the boundary hop's client, by its reverse-DNS name, is in the organisation it
    delivers to), and that server took it from inside: from a private address, one of its own
    hosts, or by an authenticated submission (RFC 6409), or wrote no Received of its own. An
    inbound gateway of that organisation in front of its mailbox provider took mail from the
    internet: its Received names the outside client, and then nothing is shown (empty set)."""
    from .hops import host_organization, is_non_public_ip

    if boundary is None:
        return frozenset()
    client = host_organization(boundary.fields.from_rdns)
    if client is None or not any(organizational_domain(r.rpartition("@")[2]) == client for r in rcpt_to[:100]):
        return frozenset()
    below = next((h for h in hops if h.number == boundary.number - 1), None)
    if below is not None and not (below.role is Role.MSA or below.fields.auth
                                  or (below.fields.from_ip is not None and is_non_public_ip(below.fields.from_ip))
                                  or host_organization(below.fields.from_rdns) == client):
        return frozenset()
    return frozenset((client,))


def _ascii_cousin_finding(field: str, subject: str, domain: str, named: list[tuple[str, str]],
                          same_organisation: Callable[[], frozenset[str]] | None = None,
                          named_before: AbstractSet[str] = frozenset()) -> Finding | None:
    """A warning when an ASCII domain's organisation differs from another organisation the message
    names only by characters that stand in for others on screen ("c0mpany.com", "cornpany.com",
    "comell.edu" beside a recipient at company.com or cornell.edu; a Reply-To at "paypa1.com" under
    a From: at paypal.com): the business email compromise's cousin domain. Beside a recipient's
    domain the sender's side is the one named: the recipient's own domain is not the imitation,
    whichever holds the stand-ins (real names hold "rn" and digits: cornell, b1, 1und1). Between
    two of the sender's fields nothing tells which is real: both are named. Only organisational
    domains are compared, so a subdomain or another suffix of one organisation is never its own
    look-alike by its stand-ins.

    The other look-alikes such fraud registers are told too (see _lookalike_kind): a name one
    letter off, also once the stand-ins are made one ("rnicrosooft.com"), and the other's whole
    domain written at the start of the name ("contoso.com.evil.example"): warnings, beside a
    recipient's domain and between the sender's fields; beside a recipient's domain only, its
    name under another suffix or joined with a word (notices: one organisation often owns those,
    for a country or a service, and a sender's bounce and reply domains are its name joined with
    a word or under another suffix every day, brand-mail.com).

    Every kind shares one set of exclusions (none of them is told when): a webmail provider's or
    the documentation placeholder's domain is one of the two (_nobodys_to_imitate); beside a
    recipient's domain, ``same_organisation`` (the recipients' organisations the receiving side's
    trusted results, the chain or headerscope's own checks show sent the message themselves)
    holds it; and, but for the warning kinds beside a recipient's domain, the sender's
    organisation is among the recipients' (a look-alike of it is named at its own field; the
    sender's own look-alike copied into To: or Cc: silences no warning, verification V39e).
    ``named_before``: organisations an earlier field's finding named, whose pair with this field
    is that finding's."""
    name = domain.lower().rstrip(".")
    own = organizational_domain(name)
    if own is None:
        return None
    dotted_name = "." + name
    key, own_label = _cousin_keys(domain, own)
    kinds: list[tuple[str, str, str, str]] = []  # (kind, words, other organisation, what)
    own_ascii = own.isascii()
    for other, what in named:
        other_org = organizational_domain((other or "").lower().rstrip("."))
        if other_org is None or other_org == own or not other_org.isascii():
            continue
        other_key, other_label = _cousin_keys(other or "", other_org)
        found: tuple[str, str] | None
        # The same name, or the same name's label under another suffix ("comell.org" for
        # "cornell.edu"; verification V14 A1); one label under two suffixes is one brand's.
        if other_key == key or (own_label != other_label and own_label and other_label
                                and ascii_cousin_key(own_label) == ascii_cousin_key(other_label)):
            found = ("standin", "")
        elif "." + other_org in dotted_name and _shows_domain_first(name, own, other_org):
            found = ("prefix", f'the name begins with "{other_org}"')
        else:
            found = _lookalike_kind(own, other_org) if own_ascii and _may_look_alike(own, other_org) else None
            if found is None and abs(len(key) - len(other_key)) <= 1 and (key != own or other_key != other_org):
                # (Only when a stand-in is there to make one: without, the one-letter kind is all.)
                words = _standin_edit(own, other_org, key, other_key)
                found = ("standin_edit", words) if words is not None else None
        if found is None or _nobodys_to_imitate(own, other_org, found[0]):
            continue
        if what.startswith("a recipient's"):
            if same_organisation is not None and other_org in same_organisation():
                continue
        elif found[0] not in _WARNING_KINDS or (found[0] in ("edit", "standin_edit") and other_org in named_before):
            continue
        kinds.append((found[0], found[1], other_org, what))
    # A look-alike of a recipient's domain a reader misses at a glance stays said even when the
    # sender's organisation is among the recipients too: To: and Cc: are the sender's text, and
    # copying its own look-alike address there silenced the warning (verification V39e: From
    # ceo@contosso.com, To cfo@contoso.com, Cc assistant@contosso.com). Between the two names, the
    # field holding the other is not known to be the real one: the words say "unless both are known
    # to you".
    warned = any(k[0] in _WARNING_KINDS and k[3].startswith("a recipient's") for k in kinds)
    if not warned and any(what.startswith("a recipient's")
                          and organizational_domain((other or "").lower().rstrip(".")) == own
                          for other, what in named):
        return None  # the recipients' own organisation: a look-alike of it is named at its own field
    if not kinds:
        return None
    # The strongest kind beside a recipient's domain first, then the pairs among the sender's fields.
    beside_recipient = [k for k in kinds if k[3].startswith("a recipient's")]
    kind, words, other_org, what = min(beside_recipient or kinds, key=lambda k: _KIND_ORDER[k[0]])
    if beside_recipient:
        return _recipient_lookalike_finding(field, subject, name, own, kind, words, other_org, what)
    return _sender_fields_lookalike_finding(field, subject, name, own, kind, words, other_org, what)


def _recipient_lookalike_finding(field: str, subject: str, name: str, own: str, kind: str, words: str,
                                 other_org: str, what: str) -> Finding:
    """The finding of _ascii_cousin_finding for a look-alike of a recipient's domain, in its kind's words."""
    reference = "https://www.unicode.org/reports/tr39/#Confusable_Detection"
    if kind == "standin":
        return Finding(
            id="envelope.confusable_domain", severity=Severity.WARNING,
            title=f"{field} domain {own[:80]} looks like {other_org[:80]}, a recipient's domain",
            explanation=f"The {field} domain's organisation {own} differs from {other_org}, {what}, only "
                        f"by characters that stand in for others on screen {_STAND_INS}: unless both are known to "
                        f"you, it is a cousin domain made to pass for the recipient's own. One is not the other, "
                        f"whatever the screen shows.",
            reference=reference, subject=subject)
    if kind == "prefix":
        return Finding(
            id="envelope.confusable_domain", severity=Severity.WARNING,
            title=f"{field} domain {name[:80]} starts with {other_org[:80]}, a recipient's domain",
            explanation=f"The {field} domain {name[:200]} begins with {other_org}, {what}, but it is a name under "
                        f"{own}, another organisation: a reader takes in the start of a name at a glance, and the "
                        f"organisation is its end. Cousin domains are built so to pass for the recipient's own "
                        f"organisation or a partner's; the authentication checks vouch only for {own}. It is not "
                        f"{other_org}.",
            reference=reference, subject=subject)
    if kind in ("edit", "standin_edit"):
        how = (f"by one letter: {words}" if kind == "edit" else
               f"by characters that stand in for others on screen {_STAND_INS} and one letter: {words}")
        return Finding(
            id="envelope.confusable_domain", severity=Severity.WARNING,
            title=f"{field} domain {own[:80]} looks like {other_org[:80]}, a recipient's domain, one letter off"
                  + (" with stand-ins" if kind == "standin_edit" else ""),
            explanation=f"The {field} domain's organisation {own} differs from {other_org}, {what}, {how}. Business "
                        f"email compromise registers such cousin domains to pass for the recipient's own organisation "
                        f"or a partner's; the misspelling is missed at a glance, and the authentication checks vouch "
                        f"only for {own}. Unless both are known to you, it is not {other_org}.",
            reference=reference, subject=subject)
    owned = ("a country's site, a former name, a defensive registration" if kind == "suffix" else
             "a subsidiary, a brand, a service")
    return Finding(
        id="envelope.confusable_domain", severity=Severity.NOTICE,
        title=(f"{field} domain {own[:80]} is the name of {other_org[:80]}, a recipient's domain, "
               + ("under another suffix" if kind == "suffix" else "joined with a word")),
        explanation=f"The {field} domain's organisation {own} is not {other_org}, {what}: it is {words}. One "
                    f"organisation often owns both ({owned}), and then this is its own mail; business email "
                    f"compromise registers such names too, to pass for the recipient's own organisation or a "
                    f"partner's, and the authentication checks vouch only for {own}. Whether {own} is "
                    f"{other_org}'s is for you to know, not for the names to say.",
        reference=reference, subject=subject)


def _sender_fields_lookalike_finding(field: str, subject: str, name: str, own: str, kind: str, words: str,
                                     other_org: str, what: str) -> Finding:
    """The finding of _ascii_cousin_finding for a pair among the sender's own fields, in its kind's words."""
    reference = "https://www.unicode.org/reports/tr39/#Confusable_Detection"
    if kind == "standin":
        return Finding(
            id="envelope.confusable_domain", severity=Severity.WARNING,
            title=f"{field} domain {own[:80]} and {other_org[:80]} look alike",
            explanation=f"The {field} domain's organisation {own} and {other_org}, {what}, differ only by characters "
                        f"that stand in for others on screen {_STAND_INS}: one of them may be a cousin domain made "
                        f"to pass for the other. Nothing in the names tells which; the one the authentication "
                        f"checks vouch for, and the one you know, is the real one.",
            reference=reference, subject=subject)
    if kind == "prefix":
        return Finding(
            id="envelope.confusable_domain", severity=Severity.WARNING,
            title=f"{field} domain {name[:80]} starts with {other_org[:80]}, another of the sender's domains",
            explanation=f"The {field} domain {name[:200]} begins with {other_org}, {what}, but it is a name under "
                        f"{own}, another organisation: a reader takes in the start of a name at a glance, and the "
                        f"organisation is its end. A name built so passes for {other_org} in the sender's own "
                        f"fields; the authentication checks vouch only for the organisations themselves.",
            reference=reference, subject=subject)
    how = (f"({words})" if kind == "edit" else
           f"(by characters that stand in for others on screen {_STAND_INS}: {words})")
    return Finding(
        id="envelope.confusable_domain", severity=Severity.WARNING,
        title=f"{field} domain {own[:80]} and {other_org[:80]} look alike, one letter off"
              + (" with stand-ins" if kind == "standin_edit" else ""),
        explanation=f"The {field} domain's organisation {own} and {other_org}, {what}, differ by one letter {how}: "
                    f"one of them may be a cousin domain made to pass for the other. Nothing in the names tells "
                    f"which; the one the authentication checks vouch for, and the one you know, is the real one.",
        reference=reference, subject=subject)


def _delegation_marks(message: Message) -> str:
    """The sending provider's own record of a delegated send, in words ("" when none): Exchange's
    X-MS-Exchange-MessageSentRepresentingType (1: the mailbox sent as itself; 2: another principal
    sent for it, Send on Behalf) and Gmail's X-Google-Sender-Delegation (the delegate who sent from
    the delegator's mailbox). Written by the sending side, as the Sender: is (review AN 6)."""
    marks: list[str] = []
    representing = (message.first("X-MS-Exchange-MessageSentRepresentingType") or "").strip()[:4]
    if representing == "2":
        marks.append("Exchange recorded a send on behalf of the mailbox (X-MS-Exchange-MessageSentRepresentingType: 2)")
    elif representing == "1":
        marks.append("Exchange recorded the mailbox sending as itself (X-MS-Exchange-MessageSentRepresentingType: 1)")
    delegate = " ".join((message.first("X-Google-Sender-Delegation") or "").split())[:120]
    if delegate:
        marks.append(f"Gmail recorded a delegate sending from the mailbox (X-Google-Sender-Delegation: {delegate})")
    if not marks:
        return ""
    return (" " + "; ".join(marks) + ": the sending provider's own mark of a delegation, in the sending side's "
            "fields like the Sender: itself.")


def _confusable_domain_finding(field_name: str, domain: str, named: list[tuple[str, str]],
                               same_organisation: Callable[[], frozenset[str]] | None = None,
                               named_before: AbstractSet[str] = frozenset()) -> Finding | None:
    """A warning when a domain is written so as to look like another: every non-ASCII letter has
    an ASCII twin (Unicode TR #39 section 4), or a label mixes scripts (section 5.2). ``named``:
    (domain, what it is) of the other names in the message, to say which one it imitates.
    ``same_organisation``, ``named_before``: see _ascii_cousin_finding."""
    subject = "Return-Path" if field_name == "MAIL FROM" else field_name
    field = "envelope sender (MAIL FROM)" if field_name == "MAIL FROM" else f"{field_name}:"
    if domain.isascii() and "xn--" not in domain.lower():
        return _ascii_cousin_finding(field, subject, domain, named, same_organisation, named_before)
    lookalike = ascii_lookalike(domain)
    if lookalike is not None:
        shown, twin, scripts, native, marked = lookalike
        in_dns = a_label_form(shown)
        keys = {lookalike_key(twin), lookalike_key(organizational_domain(twin) or twin)}
        imitated = None
        for other, what in named:
            other_name = normalize_domain(other)
            if other_name is None or other_name == in_dns or other_name.startswith("xn--") or ".xn--" in other_name:
                continue  # itself, or another internationalised name: the ASCII one it imitates is wanted
            if lookalike_key(other_name) in keys:
                imitated = (other_name, what)
                break
            other_org = organizational_domain(other_name) or other_name
            if lookalike_key(other_org) in keys:
                imitated = (other_org, what)  # "unıts.local" imitates units.local of "studenti.units.local"
                break
        letters = " and ".join(scripts)
        if (marked or scripts == ("Latin",)) and native and imitated is None:
            lookalike = None  # a Turkish "ı" under .tr: an ordinary letter of the language
        elif marked and imitated is None:
            # A letter with a mark read as the letter ("café"): a word of its language unless it
            # imitates a name in the message; a mixed label is still told below.
            lookalike = None
        elif imitated is not None:
            title = f"{field} domain {shown[:80]} is a look-alike of {imitated[0][:80]}"
            which = f" It imitates {imitated[1]}: one is not the other, whatever the screen shows."
        elif native:
            # A Greek name under .gr, a Cyrillic one under .ru: the country's ordinary usage.
            title = f"{field} domain {shown[:80]} is written in {letters} letters that look like Latin ones"
            which = (" It is under a country domain of that script, where such names are ordinary; it is "
                     "a look-alike only if it imitates a name you know.")
        else:
            title = f"{field} domain {shown[:80]} looks like the ASCII name {twin[:80]}"
            which = ""
    if lookalike is not None:
        browsers = "" if native and imitated is None else (
            " Browsers show such names in their xn-- form for that reason (Unicode TR #39 section 4, confusable "
            "detection).")
        twins = "has an ASCII twin" if not marked else "has an ASCII twin, or is one with a mark added"
        return Finding(
            id="envelope.confusable_domain", severity=Severity.NOTICE if native and imitated is None
            else Severity.WARNING, title=title,
            explanation=f"The {field} domain is {shown} ({in_dns} in DNS): each of its non-ASCII letters "
                        f"({letters}) {twins}, so on screen it reads as {twin}, a different domain.{which}{browsers}",
            reference="https://www.unicode.org/reports/tr39/#Confusable_Detection", subject=subject)
    mixed = mixed_script_domain(domain)
    if mixed is None:
        return None
    unicode_form, ascii_form, mixed_scripts = mixed
    return Finding(
        id="envelope.confusable_domain", severity=Severity.WARNING,
        title=f"{field} domain {unicode_form[:80]} mixes {' and '.join(mixed_scripts)} letters",
        explanation=f"The {field} domain is {unicode_form} ({ascii_form} in DNS): one of its labels mixes "
                    f"{' and '.join(mixed_scripts)} letters, which look alike on screen. Browsers show such "
                    f"names in their xn-- form for that reason (Unicode TR #39 section 5.2); it is a "
                    f"look-alike of another domain, not that domain.",
        reference="https://www.unicode.org/reports/tr39/#Restriction_Level_Detection", subject=subject)


def _confusable_findings(from_real: Sequence[Address], sender: Address | None, reply_to: Sequence[Address],
                         mail_from: str | None, to: Sequence[Address], cc: Sequence[Address], rcpt_to: Sequence[str],
                         recorded: Sequence[RecordedResult], hops: tuple[Hop, ...], boundary: Hop | None,
                         envelope_sender_own: frozenset[str] = frozenset()) -> list[Finding]:
    """The envelope.confusable_domain findings of the sender's domains (From:, Sender:, Reply-To:,
    MAIL FROM), each beside the other names in the message. ``envelope_sender_own``: recipients'
    organisations headerscope's own checks show sent the message (see envelope_sender_as_own),
    whose look-alikes the MAIL FROM domain is not told as."""
    findings: list[Finding] = []
    # An internationalized domain that reads as another ("pаypal.com" with a Cyrillic "а",
    # "unıts.local" with a dotless ı) or mixes scripts: From:, Sender:, Reply-To: and MAIL FROM.
    # Every Reply-To address gets the reply: each is looked at (bounded).
    # The domains as written (case kept: a capital "I" may stand for an "l").
    looked_at: list[tuple[str, str]] = [("From", a.address.rpartition("@")[2]) for a in from_real[:10] if a.domain]
    looked_at += [("Sender", sender.address.rpartition("@")[2])] if sender and sender.domain else []
    looked_at += [("Reply-To", a.address.rpartition("@")[2]) for a in reply_to[:50] if a.domain]
    looked_at += [("MAIL FROM", mail_from.rpartition("@")[2])] if mail_from and "@" in mail_from else []
    if not looked_at:
        return findings
    # Bounded (a message to thousands): one name per domain, the first 100 recipients' domains.
    others_named = _one_per_domain([(a.domain, f"a recipient's domain ({a.address})")
                                    for a in (*to[:100], *cc[:100]) if a.domain])
    others_named += _one_per_domain([(r.rpartition("@")[2], f"a recipient's domain ({r})")
                                     for r in rcpt_to[:100] if "@" in r])
    others_named += [(a.domain, f"the From: domain ({a.address})") for a in from_real[:10] if a.domain]
    others_named += [(a.domain, f"the Reply-To: domain ({a.address})") for a in reply_to[:50] if a.domain]
    others_named += [(sender.domain, f"the Sender: domain ({sender.address})")] if sender and sender.domain else []
    if mail_from and "@" in mail_from:
        others_named.append((mail_from.rpartition("@")[2], f"the envelope sender's domain ({mail_from})"))

    def same_organisation() -> frozenset[str]:
        # Read only when a look-alike of a recipient's domain is found: most messages have none.
        return _receivers_passing_organisations(recorded) | _recipients_organisation_sent(hops, boundary, rcpt_to)

    def envelope_sender_same_organisation() -> frozenset[str]:
        return same_organisation() | envelope_sender_own

    flagged: set[str] = set()  # each field once, each domain once
    for field_name, domain in looked_at:
        if field_name in flagged or normalize_domain(domain) in flagged:
            continue
        # Of two ASCII cousins each in a field, the pair is named once.
        cousin = ascii_cousin_key(organizational_domain(domain) or domain) if domain.isascii() else None
        if cousin is not None and cousin in flagged:
            continue
        finding = _confusable_domain_finding(
            field_name, domain, others_named,
            envelope_sender_same_organisation if field_name == "MAIL FROM" and envelope_sender_own else same_organisation,
            flagged)
        if finding is not None:
            # (The organisation too: a pair a letter apart is named at its first field only.)
            flagged.update((field_name, normalize_domain(domain) or domain, organizational_domain(domain) or domain))
            flagged.update((cousin,) if cousin else ())
            findings.append(finding)
    return findings


def envelope_sender_as_own(findings: Sequence[Finding], envelope: Envelope, hops: tuple[Hop, ...],
                           boundary_hop: int | None, recorded: Sequence[RecordedResult],
                           own: str | None) -> list[Finding]:
    """``findings`` with the envelope sender's look-alike finding read again once authentication
    shows the recipients' organisation ``own`` sent the message itself: headerscope verified a DKIM
    signature of ``own`` aligned with a From: at ``own``, or DMARC passes for it. A company's mail
    to its staff through its bounce domain (contoso-mail.com in MAIL FROM, From: contoso.com,
    signed d=contoso.com) is then the organisation's own, as when the receiving side's trusted
    results record that pass (same_organisation in _ascii_cousin_finding). The MAIL FROM only: it
    is no signed field, while a Reply-To or Sender: a signature may leave out is the sender's text.
    ``envelope``: as analyze_envelope read it. Unchanged when there is no such finding (the
    envelope check runs before the DKIM check; reading it again costs only where it was told)."""
    at = next((i for i, f in enumerate(findings) if f.id == "envelope.confusable_domain" and f.subject == "Return-Path"),
              None)
    if at is None or not own:
        return list(findings)
    boundary = next((h for h in hops if h.number == boundary_hop), None) if boundary_hop else None
    again = _confusable_findings([a for a in envelope.header_from if a.domain], envelope.sender, envelope.reply_to,
                                 envelope.mail_from, envelope.to, envelope.cc, envelope.rcpt_to, recorded, hops,
                                 boundary, frozenset((own,)))
    # The MAIL FROM is the last field read: the earlier fields' findings are as before.
    replaced = next((f for f in again if f.subject == "Return-Path"), None)
    return [*findings[:at], *((replaced,) if replaced is not None else ()), *findings[at + 1:]]


def analyze_envelope(message: Message, hops: tuple[Hop, ...], boundary_hop: int | None,
                     received_spf: RecordedResult | None = None, reported: ReportedEnvelope | None = None,
                     recorded_mail_from: tuple[str | None, str | None] = (None, None),
                     recorded: Sequence[RecordedResult] = ()) -> tuple[Envelope, tuple[Finding, ...]]:
    """Read MAIL FROM / RCPT TO and From/Sender/Reply-To/To/Cc; explain differences.

    ``received_spf`` is the receiver's Received-SPF for the boundary hop (see
    ``boundary_received_spf``): its envelope-from is the MAIL FROM when nothing else records it.
    ``reported``: the envelope the report carrying the message records (``--attached``), for
    what the message's own fields do not record. ``recorded_mail_from``: the smtp.mailfrom of the
    receiver's trusted SPF result, which outweighs a Return-Path below the boundary Received.
    ``recorded``: the results recorded in the message (the receiver's trusted ones are read).
    """
    trusted = _trusted(hops, boundary_hop)
    boundary = next((h for h in hops if h.number == boundary_hop), None) if boundary_hop else None
    mail_from, mail_from_source, set_aside = _mail_from(message, trusted, received_spf, recorded_mail_from)
    # A "<>" top Return-Path on an ordinary message, while the receiving side's own records above
    # its boundary Received name the non-null MAIL FROM it accepted: the receiver delivered this
    # copy again later with the null sender (amavisd-new's quarantine: "Return-Path: <>",
    # "Delivered-To: spam-quarantine"). The MAIL FROM accepted is shown, and why the <> is there.
    stored = (_recorded_before_redelivery(message, trusted, boundary, received_spf, recorded_mail_from)
              if mail_from == "" and mail_from_source == "Return-Path" and not is_automatic_notification(message)
              else None)
    if stored is not None:
        mail_from = stored[0]
        mail_from_source = f"{stored[1]}; the top Return-Path is <>, written when the receiver re-delivered a copy"
    if mail_from is None and reported is not None and reported.mail_from is not None:
        mail_from = envelope_address(reported.mail_from)
        mail_from_source = reported.mail_from_source if mail_from is not None else None
    this_delivery = _ThisDelivery(message, trusted, boundary)
    rcpt_to, rcpt_sources, claimed_rcpt = _rcpt_to(message, trusted, this_delivery)
    # The receiving side's own record, which a claimed recipient is compared with (before a
    # report's record or an earlier hop's claim stands in for an empty one).
    receivers_rcpt = (rcpt_to, rcpt_sources)
    if not rcpt_to and reported is not None and reported.rcpt_to:
        rcpt_to = reported.rcpt_to[:_MAX_RECIPIENTS]
        rcpt_sources = (f"{reported.source}: Original-Rcpt-To",) * len(rcpt_to)
    if not rcpt_to:
        # Nothing of the receiving side names the recipient: the latest hop below the boundary
        # that does (a sending service's "for <x>"), said as the claim it is, as for MAIL FROM.
        rcpt_to, rcpt_sources = _claimed_rcpt_to(hops, trusted)

    header_from: list[Address] = []
    for field in message.all("From"):
        header_from.extend(parse_addresses(field.value))
    archived = [_archive_address(a) for a in header_from]
    sender_fields = message.all("Sender")
    sender_list = parse_addresses(sender_fields[0].value) if sender_fields else ()
    sender = sender_list[0] if sender_list else None
    reply_to = parse_addresses(message.first("Reply-To"))
    to: list[Address] = []
    for field in message.all("To"):
        to.extend(parse_addresses(field.value))
    cc: list[Address] = []
    for field in message.all("Cc"):
        cc.extend(parse_addresses(field.value))

    differences: list[EnvelopeDifference] = []
    findings: list[Finding] = []
    if stored is not None:
        findings.append(_stored_copy_finding(message, boundary, *stored))
        differences.append(EnvelopeDifference(
            kind="redelivered", envelope_value="<>", header_value=stored[0],
            explanation=f"The top Return-Path is <> (the null sender), but the receiving side recorded the MAIL FROM "
                        f"it accepted, {stored[0]} ({stored[1]}): the <> belongs to a later re-delivery of a copy "
                        "the receiver kept (a quarantine, a release, an archive), not to the sender's transaction."))
    if any(archived):
        # Mailman's pipermail archive writes "andy at example.com (Andy)": read as the address.
        written = next(a.address for a, found in zip(header_from, archived, strict=True) if found)
        header_from = [found or a for a, found in zip(header_from, archived, strict=True)]
        findings.append(Finding(
            id="envelope.archive_address", severity=Severity.INFO,
            title="From: written as a list archive hides addresses",
            explanation=f"From: reads \"{written[:120]}\", the way Mailman's pipermail archive writes an "
                        f"address (\"at\" for \"@\"); it is read as {header_from[0].address}. A message "
                        "taken from an archive is the archive's copy, not the one delivered.",
            reference=_RFC5322_ORIGINATOR, subject="From"))
    srs = decode_srs(mail_from)
    relay = _relay(message, header_from, to, srs, trusted)
    from_real = [a for a in header_from if a.domain]
    from_domain = from_real[0].domain if from_real else None
    from_text = from_real[0].address if from_real else None

    # A relay that takes its users' submissions and sends them on rewrites too (kernel.org's):
    # the rewrite is then where the message started, not a forward on its way.
    at_submission = srs is not None and any(hop.role is Role.MSA and hop.organization
                                            and _org(hop.organization) == _org(srs.forwarder) for hop in hops)
    # --- the envelope sender -------------------------------------------------------------
    if mail_from == "" and is_automatic_notification(message):
        differences.append(EnvelopeDifference(
            kind="bounce", envelope_value="<>", header_value=from_text,
            explanation="The envelope sender is empty (the null sender '<>'). RFC 5321 section 4.5.5 "
                        "requires it for delivery status notifications (bounces), and RFC 3834 section 3.3 "
                        "advises it for automatic replies (vacation notices, autoresponders), so that nobody "
                        "answers them with another bounce or reply; SPF then checks the HELO name."))
    elif mail_from == "":
        # RFC 5321 says notifications use the null sender, not that the null sender makes one: on
        # an ordinary message it leaves SPF only the HELO to check, and bounces nowhere to go.
        differences.append(EnvelopeDifference(
            kind="null_sender", envelope_value="<>", header_value=from_text,
            explanation="The envelope sender is empty (the null sender '<>'), but nothing in the message makes it a "
                        "bounce or an automatic reply, the messages sent that way (RFC 5321 section 4.5.5 requires it of "
                        "delivery reports, RFC 3834 section 3.3 advises it for automatic replies). On an ordinary "
                        "message it leaves SPF only the HELO name to check and sends any bounce nowhere: "
                        "a way to avoid SPF on a sender's domain, used by spam and phishing (and by some systems' "
                        "own notices)."))
        findings.append(Finding(
            id="envelope.null_sender", severity=Severity.NOTICE,
            title="Null envelope sender on a message that is no bounce or automatic reply",
            explanation=("MAIL FROM was empty ('<>'), which RFC 5321 section 4.5.5 keeps for delivery reports and "
                         "RFC 3834 section 3.3 advises for automatic replies, but this message is neither (no report part, no Auto-Submitted, no "
                         "auto-reply mark, no MAILER-DAEMON From:). SPF could only check the HELO name, and bounces "
                         "go nowhere: spam and phishing send this way to avoid SPF on a domain; some systems send "
                         "their own notices so too."),
            reference="https://www.rfc-editor.org/rfc/rfc5321#section-4.5.5", subject="MAIL FROM"))
    elif srs is not None:
        original = srs.original_sender or "an address that cannot be decoded"
        via = f" after first passing through {srs.first_forwarder}" if srs.first_forwarder else ""
        what = (f"{srs.forwarder}, where the author submitted the message (an authenticated submission), rewrote "
                "the envelope sender" if at_submission else
                f"The message was forwarded: {srs.forwarder} rewrote the envelope sender")
        differences.append(EnvelopeDifference(
            kind="srs", envelope_value=mail_from, header_value=srs.original_sender,
            explanation=f"{what} with the Sender Rewriting Scheme ({srs.scheme}){via}. The "
                        f"original envelope sender was {original}. SPF at the final receiver checks {srs.forwarder}, "
                        f"not the original sender's domain; only a DKIM signature of the author's domain can "
                        f"still authenticate the author (DMARC alignment)."))
    elif (google_forward := google_forwarding(mail_from)) is not None:
        forwarding_mailbox, destination = google_forward
        differences.append(EnvelopeDifference(
            kind="forwarded", envelope_value=mail_from, header_value=from_text,
            explanation=f"The message was forwarded automatically by Gmail or Google Workspace: the mailbox "
                        f"{forwarding_mailbox} forwards its mail to {destination}, and Google rewrote the envelope sender "
                        f"to {mail_from} (its \"+caf_=\" form) so that bounces return to the forwarding mailbox. "
                        f"The original envelope sender is not in it; SPF at the next receiver checks "
                        f"{address_domain(mail_from or '') or 'the forwarder'}, not the author's domain: only a DKIM "
                        "signature of the author's domain can still authenticate the author (DMARC alignment), or, "
                        "for a receiver that trusts Google as a forwarder, an ARC set Google added (RFC 8617)."))
    elif mail_from:
        known = tuple(rcpt_to) + tuple(a.address for a in (*to, *cc) if a.domain)
        # The author's own addresses: an address encoding one of these is the sending service's
        # bounce mailbox for that sender, not a per-recipient (VERP) address.
        senders = tuple(a.address for a in (*header_from, *([sender] if sender else []), *reply_to) if a.domain)
        shape = classify_bounce_address(mail_from, known, senders)
        if shape is not None and shape.kind == "verp" and shape.encodes == "address":
            differences.append(EnvelopeDifference(
                kind="verp", envelope_value=mail_from, header_value=from_text,
                explanation=f"The envelope sender encodes an address, {shape.encoded_recipient}: {shape.reason}. "
                            f"Mailing lists and bulk senders encode the recipient there (VERP), so that a bounce "
                            f"tells them exactly which address failed, but {shape.encoded_recipient} is none of "
                            f"the recipients or senders this message names (a Bcc recipient or a list member "
                            f"would not be). {_NOT_THE_AUTHORS}"))
        elif shape is not None and shape.kind == "verp":
            who = f" for {shape.encoded_recipient}" if shape.encoded_recipient else ""
            differences.append(EnvelopeDifference(
                kind="verp", envelope_value=mail_from, header_value=from_text,
                explanation=f"The envelope sender is a VERP address{who}: {shape.reason}. Mailing lists "
                            f"and bulk senders use one bounce address per recipient so that a bounce "
                            f"tells them exactly which address failed. {_NOT_THE_AUTHORS}"))
        elif shape is not None and shape.kind == "batv":
            whose = f"{shape.encoded_recipient}, " if shape.encoded_recipient else ""
            differences.append(EnvelopeDifference(
                kind="batv", envelope_value=mail_from, header_value=from_text,
                explanation=f"The envelope sender is a BATV-signed form of the sender's own address "
                            f"({whose}with a signed tag in front): the sender's server tags the addresses "
                            f"it sends from, so that it can refuse bounces of mail it never sent "
                            f"(backscatter). {_NOT_THE_AUTHORS}"))
        elif shape is not None and shape.encodes == "sender":
            differences.append(EnvelopeDifference(
                kind="bounce", envelope_value=mail_from, header_value=from_text,
                explanation=f"The envelope sender encodes the sender's address ({shape.encoded_recipient}, "
                            f"written in From:, Sender: or Reply-To:) in its local part: an email service "
                            f"provider's bounce address for that sender, the same on every recipient's copy, "
                            f"not one per recipient (VERP). Bounces go to the service, which reports them to its customer. "
                            f"{_NOT_THE_AUTHORS}"))
        elif shape is not None:
            differences.append(EnvelopeDifference(
                kind="bounce", envelope_value=mail_from, header_value=from_text,
                explanation=f"The envelope sender is a bounce-handling address ({shape.reason}). "
                            f"Senders and email service providers collect bounces at such addresses; "
                            f"it is not the author's mailbox. {_NOT_THE_AUTHORS}"))
    mail_from_domain = address_domain(mail_from) if mail_from else None
    if mail_from_domain and "." not in mail_from_domain.strip(".") and not mail_from_domain.startswith("["):
        # RFC 5321 section 4.1.2: a reverse-path's domain is fully qualified. A single label is
        # the name a server calls itself ("root@ubuntu-s-1vcpu-1gb"): a script on that host
        # sent it, and no domain stands behind it.
        differences.append(EnvelopeDifference(
            kind="mail_from_domain", envelope_value=mail_from, header_value=from_text,
            explanation=f"The envelope sender ({mail_from}) has no domain, only a host name ({mail_from_domain}): "
                        "RFC 5321 requires a fully qualified domain there. A program on a server that names "
                        "itself so sent the message; SPF has no domain to check (none), and nothing about it can "
                        f"align with {from_domain or 'the From: domain'} for DMARC."))
    elif mail_from_domain and from_domain and _org(mail_from_domain) != _org(from_domain) \
            and srs is not None and srs.original_sender and not at_submission \
            and _org(address_domain(srs.original_sender)) == _org(from_domain):
        # The SRS address decodes to a sender of the From: domain (told in the srs difference):
        # a forward. The conclusion is unchanged, so it is said once, without the generic list.
        differences.append(EnvelopeDifference(
            kind="mail_from_domain", envelope_value=mail_from, header_value=from_text,
            explanation=f"The envelope sender's domain ({mail_from_domain}) is the forwarder's, after its SRS "
                        f"rewrite of a {from_domain} sender: SPF vouches for {mail_from_domain}, not {from_domain}; "
                        f"authorship rests on an aligned DKIM signature (DMARC alignment, RFC 7489 section 3.1)."))
    elif mail_from_domain and from_domain and _org(mail_from_domain) != _org(from_domain):
        differences.append(EnvelopeDifference(
            kind="mail_from_domain", envelope_value=mail_from, header_value=from_text,
            explanation=f"The envelope sender's domain ({mail_from_domain}) differs from the From: "
                        f"domain ({from_domain}). A mailing list, a forwarder or an email service provider "
                        f"sending on the author's behalf does this (bounces go to them), and so does a sender "
                        f"forging {from_domain}: SPF then vouches for {mail_from_domain}, which does not align "
                        f"with {from_domain} for DMARC, and only an aligned DKIM signature tells the two apart."))

    # --- recipients ------------------------------------------------------------------------
    header_rcpts = {a.address.lower() for a in (*to, *cc) if a.domain}
    # A resent message (RFC 5322 section 3.6.6: "Resent-To:" and the like, written by whoever
    # reintroduced it, e.g. a client's "redirect") goes to the resent recipients: addressed,
    # not blind-copied.
    resent = [a.address.lower() for name in _RESENT_RECIPIENTS for field in message.all(name)
              for a in parse_addresses(field.value)[:_MAX_RECIPIENTS] if a.domain]
    header_rcpts.update(resent)
    list_id = message.first("List-Id") or message.first("List-Post")
    # A list marked the pre-RFC 2369 way (X-Mailing-List, an owner-LIST Sender:...): sender's text
    # that explains a member's address in the envelope alone, used for nothing else here.
    old_list = read_list(message) if list_id is None else None
    # Postfix writes the recipient before alias/virtual rewriting as X-Original-To and the
    # mailbox it reached as Delivered-To: a difference means the receiver redirected it.
    original_rcpt = _first_current_addresses(message, "X-Original-To", boundary)
    original_source = "X-Original-To"
    delivered_rcpt = _first_current_addresses(message, "Delivered-To", boundary)
    if not original_rcpt and delivered_rcpt and trusted:
        # Without X-Original-To, the receiving server's own "for" of one address (sendmail and
        # others write it; the Delivered-To after local alias expansion names another mailbox of
        # the same domain): the same alias, not two recipients.
        latest = trusted[-1]
        named = parse_addresses(latest.fields.for_) if latest.fields.for_ else ()
        if len(named) == 1 and named[0].domain and delivered_rcpt[0].domain \
                and named[0].domain.lower() == delivered_rcpt[0].domain.lower():
            original_rcpt, original_source = named, f"Received for (hop {latest.number})"
    alias_targets: set[str] = set()
    if original_rcpt and delivered_rcpt and original_rcpt[0].domain and delivered_rcpt[0].domain \
            and original_rcpt[0].address.lower() != delivered_rcpt[0].address.lower():
        alias_targets.add(delivered_rcpt[0].address.lower())
        differences.append(EnvelopeDifference(
            kind="forwarded", envelope_value=delivered_rcpt[0].address,
            header_value=original_rcpt[0].address,
            explanation=f"The message was addressed to {original_rcpt[0].address} ({original_source}) and "
                        f"delivered to {delivered_rcpt[0].address} (Delivered-To): an alias, virtual "
                        f"mailbox or forwarding rule at the receiver redirected it."))
    visible = [r for r in rcpt_to if r.lower() in header_rcpts]
    # A Resent-From naming the author (or the original sender a relay claims) is no forwarding mailbox.
    authors = frozenset(address.lower() for address in (from_text, relay.original_sender if relay else None)
                        if address)
    forwarder = _forwarding_trace(message, mail_from, authors=authors)
    # A forward the SRS rewrite or a relay's marks identify: (alias or "", how it is known).
    relay_forward: tuple[str, str] | None = None
    # A relay's marks say it forwarded only when the receiving side's chain shows it (anyone can
    # write the marks, or an address at privaterelay.appleid.com in To:): otherwise the recipient
    # stays a possible blind copy, with the relay's claim said beside it. Firefox Relay's hosts are
    # never in the chain (it sends through Amazon SES, in_chain None), and it needs no such excuse:
    # its forward writes the mask's owner in To:.
    claimed_forward = relay is not None and relay.direction == "forward" and relay.in_chain is not True
    if relay is not None and relay.direction == "forward" and relay.in_chain is True:
        relay_forward = (relay.alias or "", f"{relay.service} forwarded it (by its marks: "
                                            f"{', '.join(relay.markers[:3])}, a claim)")
    elif srs is not None and not at_submission:
        relay_forward = ("", f"{srs.forwarder} forwarded it (its SRS rewrite of the envelope sender)")
    header_domains: dict[str, list[str]] = {}  # local part -> the domains To:/Cc: write it with
    for header_rcpt in header_rcpts:
        local_part, _, domain = header_rcpt.rpartition("@")
        header_domains.setdefault(local_part, []).append(domain)
    # A pasted header that holds no To:, Cc: or Bcc: field at all (a copy cut before them): who
    # was addressed is unknown, so no recipient is said to be a blind copy.
    addressees_unknown = message.header_only and not message.has_any(_ADDRESSEE_FIELDS)
    earlier = _earlier_recipients(message, this_delivery)
    earlier_addresses = list(dict.fromkeys(address for _, address in earlier))
    # An earlier hop's "for" naming an addressee of To:/Cc: (a claim below the boundary): the
    # message was on its way to that addressee before it was sent on to this recipient.
    trusted_numbers = {hop.number for hop in trusted}
    addressed_earlier: tuple[int, str] | None = None
    if any(rcpt.lower() not in header_rcpts for rcpt in rcpt_to):
        # Only when a recipient is not addressed in the header (a candidate Bcc): parsing every
        # earlier hop's "for" is needed only then.
        addressed_earlier = next(((hop.number, found.address) for hop in hops
                                  if hop.number not in trusted_numbers and hop.fields.for_
                                  for found in parse_addresses(hop.fields.for_)[:_MAX_RECIPIENTS]
                                  if found.domain and found.address.lower() in header_rcpts), None)
    forwarded_inside: set[str] = set()  # reached by a forward inside the receiving side
    # Several recipients listed in one X-Envelope-To of the receiving side: one transaction's.
    transaction_lists = _transaction_lists(message, boundary) if len(rcpt_to) > 1 else {}
    # This copy's own recipients (named by another field too) and those amavisd-new blocked,
    # worked out once for the co-recipients' readings.
    copy_recipients = [(rcpt, source) for rcpt, source in zip(rcpt_to, rcpt_sources, strict=True)
                       if source != "X-Envelope-To"][:3] if transaction_lists else []
    blocked_rcpts = frozenset(address.lower() for address in _quarantine_marks(message, boundary)[1]) \
        if transaction_lists else frozenset()
    qmail_receiver = any(_qmail_invoked_re().search(hop.raw[:300]) for hop in trusted)
    for rcpt, source in zip(rcpt_to, rcpt_sources, strict=True):
        if rcpt.lower() in header_rcpts or rcpt.lower() in alias_targets or _host_qualified(rcpt, header_domains) \
                or addressees_unknown:
            continue
        virtual = (_virtual_domain_addressee(rcpt, header_rcpts)
                   if qmail_receiver and "Delivered-To" in source.split(", ") else None)
        if virtual is not None:
            differences.append(EnvelopeDifference(
                kind="alias", envelope_value=rcpt, header_value=virtual[0],
                explanation=f"{rcpt} ({source}) is qmail's virtual-domain form of {virtual[0]} (in To: or Cc:): "
                            f"the receiving qmail server (its Received shows it) rewrites a recipient of a virtual "
                            f"domain with the domain's prefix (\"{virtual[1][:80]}-\"; qmail-send(8), "
                            "virtualdomains; vpopmail and Plesk use the domain name) before it delivers. It is that "
                            "addressee, not a blind copy."))
            continue
        lower = _lower_delivered_to(message, rcpt, boundary, hops) if "Delivered-To" in source.split(", ") else None
        if lower is not None:
            differences.append(EnvelopeDifference(
                kind="forwarded", envelope_value=rcpt, header_value=lower[0],
                explanation=f"{rcpt} ({source}) is not in To: or Cc:, but the receiving side delivered the message "
                            f"first to {lower[0]} (the Delivered-To below it, {header_ref(lower[1].index)}) and then "
                            f"to {rcpt}: a delivery agent writes one Delivered-To per delivery, so a forward or "
                            "alias at the receiver (a mailbox's forwarding setting, or a .forward, .qmail or "
                            "aliases entry on its server) led from the one to the other. It is no blind copy of the "
                            "sender's."))
            forwarded_inside.add(rcpt.lower())
            continue
        local_domain = _host_local_domain(rcpt)
        if local_domain is not None:
            differences.append(EnvelopeDifference(
                kind="local", envelope_value=rcpt, header_value=", ".join(visible) or None,
                explanation=f"{rcpt} ({source}) is a mailbox of the receiving host alone ({local_domain} is no "
                            f"internet domain a sender could address): the host delivered the message to its "
                            f"local user, after a download (fetchmail, getmail) or through a local alias. It "
                            f"is not a blind copy."))
            continue
        if (list_id or old_list) and (list_named := _list_own_addresses(message, list_id or "", [*visible, *(
                ([addressed_earlier[1]] if addressed_earlier is not None else []) + earlier_addresses
                if forwarder is None else [])], old_list)):
            # The list's own address in the header (To: the list), or an earlier hop's "for" or an
            # earlier delivery's of it: the list resent it, which an alias or forward would only
            # describe in part. Without a List-Id only pre-RFC 2369 marks name the list: text the
            # sender writes, so the explanation says what it rests on (a spoof can carry them).
            differences.append(EnvelopeDifference(
                kind="list", envelope_value=rcpt, header_value=list_named[0],
                explanation=f"{rcpt} ({source}) is not in To: or Cc:, but the mailing list's address "
                            f"{list_named[0]} " + ("is" if list_named[0].lower() in header_rcpts else
                                                   "received it before (an earlier hop's record)")
                            + ": the message came through that list"
                            + (" (by its list marks, which the sender writes)" if list_id is None else "")
                            + ", which resent it to its members; each member's address is only in the envelope."))
        elif (listed_in := transaction_lists.get(rcpt.lower())) is not None:
            # Not a forward from the addressee beside it (the "visible" reading below): the
            # receiving side's filter saw both as RCPT TO of one transaction.
            differences.append(_co_recipient_difference(rcpt, source, listed_in, copy_recipients, blocked_rcpts))
        elif visible:
            differences.append(EnvelopeDifference(
                kind="forwarded", envelope_value=rcpt, header_value=", ".join(visible),
                explanation=f"{rcpt} ({source}) is not in To: or Cc:, but {', '.join(visible)} is: an "
                            f"alias or forwarding rule at the receiver redirected the message there."))
        elif forwarder is not None and (trace := _forwarding_trace(message, mail_from, rcpt, authors)) is not None:
            differences.append(EnvelopeDifference(
                kind="forwarded", envelope_value=rcpt, header_value=trace[0],
                explanation=f"{rcpt} ({source}) is not in To: or Cc:. {trace[1][:1].upper()}{trace[1][1:]}: the message was "
                            f"forwarded or redirected from {trace[0]} to {rcpt}, which is why the "
                            f"header names another recipient."))
        elif forwarder is not None and rcpt.lower() == forwarder[0].lower():
            # The forwarding mailbox itself (Gmail writes its Delivered-To before it forwards, and
            # the field travels on): the forward explains it, so no blind copy is suggested.
            differences.append(EnvelopeDifference(
                kind="forwarded", envelope_value=rcpt, header_value=forwarder[0],
                explanation=f"{rcpt} ({source}) is not in To: or Cc:, but it is the mailbox that forwarded the "
                            f"message: {forwarder[1]}. The record of its own delivery stayed in the copy it sent "
                            "on; it is where the forward started, not a blind copy of this delivery."))
        elif addressed_earlier is not None:
            number, addressee = addressed_earlier
            differences.append(EnvelopeDifference(
                kind="forwarded", envelope_value=rcpt, header_value=addressee,
                explanation=f"{rcpt} ({source}) is not in To: or Cc:, but hop {number} (below the trust boundary, a "
                            f"claim) received the message for {addressee}, who is: it was forwarded or redirected "
                            f"from {addressee} to {rcpt} on the way."))
        elif any(address.lower() != rcpt.lower() for address in earlier_addresses):
            # Delivered before to another mailbox, then sent on: this one is where the forward led.
            before = ", ".join(earlier_addresses[:3])
            differences.append(EnvelopeDifference(
                kind="forwarded", envelope_value=rcpt, header_value=before,
                explanation=f"{rcpt} ({source}) is not in To: or Cc:. Fields below the receiver's Received "
                            f"(the sending side's part of the header: a claim) say the message was delivered "
                            f"before, to {before}, and sent on from there: by a forward, or by someone replaying "
                            f"the message. If so, {rcpt} is where it was sent next, not a blind copy of the "
                            f"author's."))
        elif list_id or (old_list is not None and old_list.name):
            list_shown = list_id or (old_list.name if old_list is not None else "")
            differences.append(EnvelopeDifference(
                kind="list", envelope_value=rcpt, header_value=list_shown,
                explanation=f"{rcpt} ({source}) is not in To: or Cc:. The message came through a "
                            f"mailing list ({_short_list_id(list_shown)}), which resent it to its members"
                            + (" (by its list marks, which the sender writes)" if list_id is None else "")
                            + ": each member's address is only in the envelope."))
        elif relay_forward is not None:
            # A forward identified by the SRS rewrite or the relay's marks: the forwarder sent it on
            # to its alias's owner, whose address is only in the envelope (RFC 5321 section 3.9.2).
            differences.append(EnvelopeDifference(
                kind="forwarded", envelope_value=rcpt, header_value=relay_forward[0],
                explanation=f"{rcpt} ({source}) is not in To: or Cc:. {relay_forward[1]}: the message was "
                            f"addressed to the forwarder's alias"
                            + (f" ({relay_forward[0]})" if relay_forward[0] else "")
                            + f", and the forwarder delivered it to the alias's owner, {rcpt}; not a blind copy."))
        elif not message.has_any(_ADDRESSEE_FIELDS):
            # RFC 5322 section 3.6.3: a message may have no destination field at all; it is then
            # delivered by RCPT TO alone, which is no blind copy beside anyone.
            differences.append(EnvelopeDifference(
                kind="bcc", envelope_value=rcpt, header_value=None,
                explanation=f"{rcpt} ({source}) received the message, which has no To: or Cc: field at all "
                            f"(RFC 5322 section 3.6.3 allows that): it was addressed by RCPT TO alone, as a "
                            f"Bcc-only send, a script or a mass mailing does. RFC 5321 delivers by RCPT TO, not by "
                            f"the header."))
        else:
            unless = ("" if not claimed_forward or relay is None else
                      f" (the {relay.service} marks, which anyone can write, do not explain it: a {relay.service} "
                      "forward writes the mask's owner in To:, and the relay, which sends through Amazon SES, never "
                      "appears in the Received chain)" if relay.in_chain is None else
                      f" (unless the relay marks, which anyone can write, are true: {relay.service} would then "
                      "have forwarded it, " + ("which the receiving side's own hops, those of its provider, cannot show)"
                                               if relay.received_by_relay else
                                               "but it does not appear in the Received chain)"))
            differences.append(EnvelopeDifference(
                kind="bcc", envelope_value=rcpt, header_value=", ".join(sorted(header_rcpts)) or None,
                explanation=f"{rcpt} ({source}) received the message but is not in To: or Cc:. The "
                            f"sender put it in Bcc (blind copy), or an alias, list or forward without a "
                            f"trace delivered it there{unless}. RFC 5321 delivers by RCPT TO, not by the header."))

    if claimed_rcpt:
        # A field below every Received naming a recipient the receiver's own record does not: the
        # record stays RCPT TO, the other value is shown as the claim it is, with what explains it.
        list_addresses_claimed = _list_addresses(message)
        for claim in claimed_rcpt[:_MAX_CLAIM_NOTES]:
            differences.append(_claimed_rcpt_difference(
                claim, *receivers_rcpt, None if addressees_unknown else header_rcpts,
                list_addresses_claimed, qmail_receiver, shown=(rcpt_to, rcpt_sources),
                pasted=message.header_words if message.header_only else None))

    signed = bool(message.all("DKIM-Signature"))
    reported_signed = None
    if earlier and not signed and reported is not None and (reported.authentication_results or reported.dkim_domains):
        # The feedback report carrying this copy says it was signed (RFC 6591 section 3.1): the
        # copy lost the signature, and the original may well be a replay of a signed message.
        from .auth.recorded import reported_results, reported_signatures

        reported_signed = reported_signatures(reported_results(reported.authentication_results),
                                              reported.dkim_domains)
    # The list's own address in the earlier field (X-Original-To: the posting address) is the list
    # server's delivery to the list, whichever organisation runs that server, when the list resent
    # the message under its own envelope sender (RFC 7960 section 3.2.3): List-Id, List-Post and the
    # earlier fields are the sender's text too (verification V39a: a replay named its first
    # recipient in a forged List-Post to pass mx.google.com off as the list's server).
    list_envelope = bool(list_id and mail_from and "@" in mail_from
                         and _org(mail_from.rpartition("@")[2]) == _list_organization(list_id or ""))
    to_the_list = list_envelope and len(_list_own_addresses(
        message, list_id or "", [address for _, address in earlier], old_list)) == len(earlier)
    findings.extend(_earlier_delivery_findings(earlier, boundary, list_id, forwarder, old_list,
                                               signed=signed, hops=hops, reported_signed=reported_signed,
                                               to_the_list=to_the_list))

    # --- originator fields ---------------------------------------------------------------------
    list_addresses = _list_addresses(message) if list_id else frozenset()
    munged = next((a for a in from_real if a.address.lower() in list_addresses
                   and " via " in (a.display_name or "")), None)
    # A list that put an address of its own domain in From:, the author's encoded in it (only with
    # the list's fields: a From: at a list's domain without them is nobody's rewrite).
    encoded = _list_encoded_author(from_real, list_addresses, sender) if munged is None and list_id else None
    if sender is not None and sender.domain and sender.address.lower() != (from_text or "").lower():
        # A list that put its own address in From: (DMARC mitigation) keeps the author in
        # X-Original-From, or encodes it in that address: the agent acted for the author, not
        # for the list (review AN 3).
        original_author = next((a.address for a in parse_addresses(message.first("X-Original-From") or "")
                                if a.domain), None) if list_id else None
        original_author = original_author or (encoded[1] if encoded is not None else None)
        author_words = (f"the author ({original_author}; the list put its own address, {from_text}, in From: "
                        f"afterwards)" if original_author and original_author.lower() != (from_text or "").lower()
                        else f"the author in From: ({from_text or 'none'})")
        differences.append(EnvelopeDifference(
            kind="sender", envelope_value=None, header_value=_fmt(sender),
            explanation=f"Sender: names {sender.address} as the agent who sent the message on behalf of "
                        f"{author_words}: RFC 5322 section 3.6.2 lets an agent do "
                        f"so (a secretary, a list, a service). Mail programs may show '{sender.address} on "
                        f"behalf of {from_text or '?'}'. The field is the sending side's text: it says who "
                        f"claims to have sent the message, not that the author agreed; the authentication "
                        f"below says which of the two it vouches for." + _delegation_marks(message)))

    from_orgs = {_org(a.domain) for a in from_real}
    if munged is not None:
        # Mailman's "Munge From" (dmarc_moderation_action, dmarc_mitigate_action) and Google
        # Groups' "X via Group": a list that changes the message puts its own address in From:
        # so that the author's domain's DMARC policy does not reject the result (RFC 7960,
        # interoperability of DMARC with lists); the author moves to Reply-To or X-Original-From.
        author = reply_to[0].address if reply_to and reply_to[0].domain else message.first("X-Original-From")
        differences.append(EnvelopeDifference(
            kind="list_rewrote_from", envelope_value=None, header_value=_fmt(munged),
            explanation=f"The mailing list put its own address ({munged.address}) in From:, with the author's "
                        f"name \"{(munged.display_name or '')[:80]}\": lists do this so that the author's "
                        f"domain's DMARC policy does not reject the message they changed"
                        + (f". The author's address is {author[:120]}." if author else ".")))
    if encoded is not None:
        rewritten, author, at_sign = encoded
        original = " ".join((message.first("X-Original-From") or "").split())[:200]
        written_name = (rewritten.display_name or "")[:80]
        differences.append(EnvelopeDifference(
            kind="list_rewrote_from", envelope_value=None, header_value=_fmt(rewritten),
            explanation=f"The mailing list put an address of its own domain in From: ({rewritten.address}), with the "
                        f"author's address encoded in it (\"{at_sign}\" for \"@\"): {author}"
                        + (f", as X-Original-From says ({original})" if original else "")
                        + (f"; its name, \"{written_name}\", has the \"Author via List\" form lists write"
                           if " via " in written_name.lower() else "")
                        + ". Lists (the IETF's, Groups.io) do this so that the author's domain's "
                          "DMARC policy does not reject the message they changed (RFC 7960). The list's fields "
                          "are the sending side's text, which a sender can write too: the authentication below "
                          "says whether that domain's list sent it."))
    for address in reply_to:
        if address.address.lower() in list_addresses:
            continue  # replies go to the list itself (reply-to-list): the list's own setting
        if munged is not None and address is reply_to[0]:
            continue  # the author, whom the list moved to Reply-To (told above)
        if _in_domains(address.domain, _FIREFOX_RELAY_DOMAINS) and from_real \
                and address.address.rpartition("@")[0].lower() in _FIREFOX_RELAY_SHARED \
                and all(_in_domains(a.domain, _FIREFOX_RELAY_DOMAINS) for a in from_real):
            # Firefox Relay's forward from a mask at mozmail.com sets Reply-To: replies@relay.firefox.com
            # (mozilla/fx-private-relay, docs/adr "Use the Relay mask address as From:"): a reply goes
            # back through the relay, which sends it on as the mask. Only the relay's own shared
            # addresses: relay.firefox.com also holds users' older masks (its DOMAIN_CHOICES), whose
            # replies go on to whoever owns the mask (verification V39b).
            continue
        # Not excused: a Reply-To to the author a From: encodes, or to a list that old-style marks
        # and Sender: name. Those fields are the sending side's text, which a spoofer writes too
        # (verification V33: "CEO via groups.io" <ceo=bank.example@evil.example> with a List-Id
        # of its own, or owner-PAY@ and Sender: PAY at its own domain, silenced the notice).
        if address.domain and from_orgs and _org(address.domain) not in from_orgs:
            differences.append(EnvelopeDifference(
                kind="reply_to_domain", envelope_value=None, header_value=_fmt(address),
                explanation=f"Replies go to {address.address}, in another organisation than the "
                            f"From: domain ({from_domain}). Lists and help-desk systems do this; so do "
                            f"scams that spoof a trusted sender and collect the answers elsewhere."))
            if is_free_mailbox(address.domain) and not any(is_free_mailbox(o) for o in from_orgs):
                # An organisation's mail answered at a consumer webmail account: what advance-fee
                # fraud and business email compromise do to collect the replies; lists and help
                # desks route replies to their own domains.
                findings.append(Finding(
                    id="envelope.reply_to_free_mailbox", severity=Severity.WARNING,
                    title=f"Replies go to a free webmail mailbox ({address.address}), not to {from_domain}",
                    explanation=f"A reply would go to {address.address}, an account anyone can open at "
                                f"{address.domain}, while From: shows {from_domain}. Organisations, lists and help "
                                "desks route replies to their own domains; fraud that impersonates a sender "
                                "(business email compromise, advance-fee scams) collects the answers in a webmail "
                                "account this way. Do not answer before checking with the sender another way.",
                    reference=_RFC5322_ORIGINATOR, subject="Reply-To"))
                break
            findings.append(Finding(
                id="envelope.reply_to_other_domain", severity=Severity.NOTICE,
                title=f"Reply-To points to another domain ({address.domain})",
                explanation=f"A reply would go to {address.address}, not to the From: domain "
                            f"{from_domain}. Check that this is expected before answering.",
                reference=_RFC5322_ORIGINATOR, subject="Reply-To"))
            break
        if address.domain and header_from and not from_orgs:
            # 'From: "Facebook" <>': a name and no address to answer, and replies collected at
            # an address of another's choosing: what a brand impersonation looks like.
            shown = next((a.display_name for a in header_from if a.display_name), None)
            name = f" (only the name “{shown[:60]}”)" if shown else ""
            differences.append(EnvelopeDifference(
                kind="reply_to_domain", envelope_value=None, header_value=_fmt(address),
                explanation=f"Replies go to {address.address}, while From: names no address{name}."))
            findings.append(Finding(
                id="envelope.reply_to_other_domain", severity=Severity.WARNING,
                title=f"From: names no address{name}, and replies go to {address.address}",
                explanation=f"The From: field has no address of its own{name}, so nothing authenticates who "
                            f"sent it; a reply would go to {address.address}. A name without an address above "
                            f"a reply address elsewhere is how impersonations collect answers.",
                reference=_RFC5322_ORIGINATOR, subject="Reply-To"))
            break

    for field_name, addresses in (("From", header_from), ("Sender", (sender,) if sender else ()),
                                  ("Reply-To", reply_to)):
        for address in addresses:
            decoy = [c for c in contained_addresses(address.display_name) if c != address.address.lower()]
            if decoy:
                _display_name_trick(differences, findings, field_name, address, "address", decoy[0])
            if address.domain:
                # The address itself may show another: the same impersonation without a display name.
                _address_decoy_finding(differences, findings, field_name, address)
    findings.extend(_confusable_findings(from_real, sender, reply_to, mail_from, to, cc, rcpt_to, recorded, hops,
                                         boundary))
    # An encoded-word inside an address (RFC 2047 section 5 (3) forbids it): what a reader's program
    # shows decoded is not the address the message carries.
    for field_name, addresses in (("From", header_from), ("Sender", (sender,) if sender else ()),
                                  ("Reply-To", reply_to)):
        # A From: entry with no domain beside a real address is the from_not_an_address warning's:
        # a phrase, whose encoded-words mail programs do decode, and that warning names what they show.
        in_address = next((a.address for a in addresses[:3] if encoded_word_in_addr_spec(a.address)
                           and not (field_name == "From" and not a.domain and from_real)), None)
        if in_address is not None:
            findings.append(Finding(
                id="envelope.encoded_word_in_address", severity=Severity.NOTICE,
                title=f"{field_name}: address holds an RFC 2047 encoded-word ({in_address[:80]})",
                explanation=f"The {field_name}: address {in_address[:200]} holds an encoded-word (\"=?charset?Q?...?=\"), "
                            "which RFC 2047 section 5 allows in a display name or comment but never in an "
                            "address: no mail system decodes it there, so replies and bounces go to that literal "
                            "text, not to the address a mail program may show decoded. A non-ASCII address is "
                            "written in UTF-8 (RFC 6532). Some libraries write this by mistake; it also hides "
                            "the address's real characters from a quick look.",
                reference="https://www.rfc-editor.org/rfc/rfc2047#section-5", subject=field_name))
    # Originator fields that are no valid field (RFC 5322 sections 3.6.2 and 3.4.1): an empty
    # Reply-To:, a Sender: with two "@". What this report says of Sender: and Reply-To: describes
    # valid fields; a mail program's reading of these is its own guess.
    invalid = [problem for field_name in ("From", "Sender", "Reply-To")
               for field in message.all(field_name)[:3]
               for problem in originator_field_problems(field_name, field.value)]
    if invalid:
        names = list(dict.fromkeys(problem.partition(":")[0] for problem in invalid))
        findings.append(Finding(
            id="envelope.invalid_originator", severity=Severity.WARNING if "From" in names else Severity.NOTICE,
            title=f"Invalid {' and '.join(f'{n}:' for n in names)} field{'s' if len(names) > 1 else ''}",
            explanation=("; ".join(invalid[:5]) + ". No mail program writes such a field: it was written by hand or "
                         "by a broken script (or a copy altered it). What this report says elsewhere of a Sender: "
                         "acting for the author or of where replies go applies to valid fields; mail programs read "
                         "these in their own ways, or not at all."),
            reference=_RFC5322_ORIGINATOR, subject=names[0]))
    # A display name that names another company's domain ("Amazon.co.jp" <...@lptaoyou.cn>).
    for address in from_real:
        shown = _other_displayed_domain(address)
        if shown is not None:
            _display_name_trick(differences, findings, "From", address, "domain", shown)
            break
    # A display name word written in look-alike letters ("Аррlе Support", Cyrillic with a Latin
    # l; "АррӀе", all Cyrillic): the part of the message most mail programs show, written to
    # pass for a brand's name.
    for address in header_from[:10]:
        lookalike = lookalike_word(address.display_name)
        if lookalike is not None:
            findings.append(_lookalike_name_finding(address, lookalike))
            break

    decoys = [a.address for a in header_from if not a.domain and a.address.strip(" _-.,;:")]
    if decoys and from_real:
        # "Microsoft account team ,_<no-reply@...>" (a real phish): a comma turns the name into a
        # mailbox of its own that is no address, and a program that shows the first mailbox's
        # text shows the name alone.
        findings.append(_from_decoy_finding(decoys[0], from_real[0]))
    login_finding = _submitted_by_another_account(message, hops, from_domain)
    if login_finding is not None:
        findings.append(login_finding)
    if len(from_real) > 1 or len(message.all("From")) > 1:
        fields = len(message.all("From"))
        # Past the header cap, From: fields beyond the first and last 25 were not read: counted.
        unread = dict(message.dropped_past_cap).get("from", 0)
        if fields > 1:
            rule = (f"The message has {fields + unread} From: fields"
                    + (f" ({fields} of them read: the header is too long to read whole)" if unread else "")
                    + "; RFC 5322 section 3.6 allows exactly one.")
            fields += unread
        else:
            # RFC 5322 section 3.6.2: several authors are allowed, with a Sender: naming the one
            # who sent the message; say whether it is there rather than demand it in general.
            agents = [a.address for a in parse_addresses(message.first("Sender") or "")[:1] if a.domain]
            rule = (f"From: names {len(from_real)} authors; RFC 5322 section 3.6.2 allows that with a Sender: "
                    + (f"field, which is present ({agents[0][:120]})." if agents
                       else "field naming the one who sent it, and there is none."))
        findings.append(Finding(
            id="envelope.multiple_from", severity=Severity.WARNING,
            title=f"{max(len(from_real), fields)} authors in From:",
            explanation=f"{rule} DMARC receivers often reject such messages because it is unclear whose policy "
                        "applies, and a mail program may show only one of them.",
            reference=_RFC7489_FROM, subject="From"))
    elif not from_real and message.pasted_without("From"):
        # A pasted header without From: is most often a copy that stops before it: said so, not
        # as a message that breaks RFC 5322.
        # A file cut off inside its header (a mailbox's entry) stops early as a paste may.
        stops = ("the file is cut off inside its header, maybe before it" if message.cut_off
                 else "the part pasted may stop before it")
        findings.append(Finding(
            id="envelope.no_from", severity=Severity.NOTICE,
            title=f"No From: in {message.header_words}",
            explanation=f"The input holds header fields only, and no From: field among them: {stops} (every "
                        "message has one, RFC 5322 section 3.6). Who claims to be the author "
                        "cannot be told, and DMARC, which judges the From: domain, is not evaluated.",
            reference=_RFC5322_FROM_COUNT, subject="From"))
    elif not from_real:
        findings.append(Finding(
            id="envelope.no_from", severity=Severity.WARNING,
            title="No readable From: address",
            explanation="The message has no From: field, or none with an address in it. RFC 5322 "
                        "requires one; without it nobody can tell who claims to be the author and "
                        "DMARC cannot be applied." + _searched_past_cap(message, "From"),
            reference=_RFC5322_FROM_COUNT, subject="From"))

    damaged = _damaged_return_path(message, mail_from, mail_from_source)
    if damaged is not None:
        findings.append(damaged)
    claimed, claimed_source = set_aside if mail_from is not None or set_aside[0] is not None \
        else _claimed_mail_from(hops, trusted)
    # RFC 5322 section 3.6.6: each re-sending prepends a block of Resent-* fields, so the topmost
    # of each is the latest: the addressees and the moment of the message's last leg.
    resent_date = message.first("Resent-Date")
    # Postfix's Delivered-To after a different X-Original-To, Fastmail's X-Resolved-To, a
    # Delivered-To a forward inside the receiver wrote: the mailbox reached, not another RCPT TO
    # (a recipient also recorded as received, in a "for" clause or X-Original-To, stays one).
    if rcpt_to and is_automatic_notification(message):
        # A bounce or other report delivered to a VERP address (RFC 3464's report goes to the
        # original's envelope sender): the list or bulk mailer gave each recipient its own bounce
        # address, and this one names which recipient the report is about.
        for rcpt in rcpt_to[:20]:
            shape = classify_bounce_address(rcpt)
            if shape is not None and shape.kind == "verp" and shape.encoded_recipient:
                differences.append(EnvelopeDifference(
                    kind="verp", envelope_value=rcpt, header_value=shape.encoded_recipient,
                    explanation=f"This report was delivered to a VERP address, {rcpt}, which encodes "
                                f"{shape.encoded_recipient} ({shape.reason}): the original message's sender gave "
                                "each recipient its own bounce address, so the report tells it which recipient it "
                                f"is about; the delivery report's recipient should be {shape.encoded_recipient}."))
    roles = tuple("resolved_mailbox" if set(source.split(", ")) <= {"Delivered-To", "X-Resolved-To"} and (
        rcpt.lower() in alias_targets or rcpt.lower() in forwarded_inside or source == "X-Resolved-To")
        else "rcpt" for rcpt, source in zip(rcpt_to, rcpt_sources, strict=True))
    others, other_sources = _other_recipients(message, this_delivery)
    earlier_legs = _earlier_mail_from(message, boundary, mail_from)
    envelope = Envelope(
        mail_from=mail_from, mail_from_source=mail_from_source, rcpt_to=rcpt_to,
        rcpt_to_sources=rcpt_sources, header_from=tuple(header_from), sender=sender,
        reply_to=reply_to, to=tuple(to), cc=tuple(cc), srs=srs, differences=tuple(differences),
        to_without_address=_to_without_address(message) if not to else None,
        earlier_mail_from=tuple(address for address, _ in earlier_legs),
        earlier_mail_from_sources=tuple(source for _, source in earlier_legs),
        claimed_mail_from=claimed, claimed_mail_from_source=claimed_source,
        resent_from=_first_resent(message, "Resent-From"), resent_to=_first_resent(message, "Resent-To"),
        resent_cc=_first_resent(message, "Resent-Cc"),
        resent_date=" ".join(resent_date[:200].split())[:100] or None if resent_date is not None else None,
        relay=relay, rcpt_to_roles=roles, other_recipients=others, other_recipient_sources=other_sources,
        claimed_rcpt_to=tuple(claim.address for claim in claimed_rcpt) if claimed_rcpt else (),
        claimed_rcpt_to_sources=tuple(claim.where() for claim in claimed_rcpt) if claimed_rcpt else ())
    return envelope, tuple(findings)



def sender_is_recipient(envelope: Envelope) -> Finding | None:
    """A notice when the envelope sender (Return-Path) or Sender: is the very address the
    message was delivered to, while From: names someone else: bounces and the "on behalf of"
    line then point at the victim, not the sender (RFC 5321 section 4.5.5 sends bounces to the
    envelope sender). A spammer's old trick to hide its own address and land bounces on the
    recipient. None when From: is that address too (``self_addressed`` judges that: the
    recipient writing to itself, or a spoof "from yourself"), or nothing matches."""
    delivered = {r.lower(): source for r, source in zip(envelope.rcpt_to[:_MAX_RECIPIENTS],
                                                        envelope.rcpt_to_sources, strict=False)}
    if not delivered:
        return None
    if any(a.address.lower() in delivered for a in envelope.header_from):
        return None
    named: list[str] = []
    address = ""
    mail_from = (envelope.mail_from or "").strip().strip("<>").lower()
    if mail_from and mail_from in delivered:
        address = mail_from
        named.append(f"the envelope sender ({envelope.mail_from_source or 'MAIL FROM'})")
    sender = envelope.sender.address.lower() if envelope.sender is not None else ""
    if sender and sender in delivered:
        address = address or sender
        named.append("Sender:")
    if not named:
        return None
    author = next((a.address[:120] for a in envelope.header_from), "no address")
    who = " and ".join(named)
    who = who[:1].upper() + who[1:]
    return Finding(
        id="envelope.self_addressed", severity=Severity.NOTICE,
        title=f"{who} {'are' if len(named) > 1 else 'is'} the recipient's own address ({address[:120]})",
        explanation=(f"{who} {'name' if len(named) > 1 else 'names'} {address[:120]}, the address "
                     f"the message was delivered to ({delivered[address]}), while From: is {author}. Bounces go to "
                     "the envelope sender (RFC 5321 section 4.5.5) and mail programs show Sender: as the one who "
                     "sent it \"on behalf of\" the author, so both point at the recipient instead of whoever sent "
                     "it: a spammer's way to hide its own address and land the bounces of its run on the victims. "
                     "The recipient's own mail system writes such an envelope only when the recipient sends to "
                     "itself under another From: address."),
        reference="https://www.rfc-editor.org/rfc/rfc5321#section-4.5.5", subject="Return-Path")


# Display names a mass mailer writes in To: instead of the recipients it hides in the envelope.
_PLACEHOLDER_NAMES = frozenset({"recipients", "recipient", "undisclosed recipients", "undisclosed recipient",
                                "undisclosed", "undisclosed recipients:", "all recipients", "dear customer"})


def self_addressed(envelope: Envelope, *, vouched: bool | None,
                   spam_filters: Sequence[SpamFilterVerdict] = ()) -> Finding | None:
    """A spoof "from yourself": From: is the address the message was delivered to (the receiver's
    envelope recipient; To: alone gives a notice with both readings), To: and Cc: name no one else, so the real recipients were in the
    envelope alone (a blind mass mailing), and the receiving side's trusted results vouch for
    nothing aligned with the From: domain (``vouched`` False, from ``receiver_vouched``). None
    otherwise: sending to oneself with others in Bcc is common and, from one's own server, passes."""
    authors = [a for a in envelope.header_from if a.domain]
    if vouched is not False or len(authors) != 1:
        return None
    author = authors[0].address.lower()
    addressed = [a for a in (*envelope.to, *envelope.cc) if a.domain]
    if any(a.address.lower() != author for a in addressed):
        return None
    # A recipient read from a sender-written stamp (a Received "for" below the boundary, "a claim")
    # is the sender's choice, not a record (verification V39a: one forged line picked the reading).
    recorded_rcpts = [(r.lower(), source) for r, source in zip(envelope.rcpt_to[:_MAX_RECIPIENTS],
                                                               envelope.rcpt_to_sources, strict=False)
                      if "a claim" not in source]
    delivered = [r for r, _ in recorded_rcpts]
    if delivered:
        # The mailbox as its delivery agent writes it: a sub-address ("nemani+inbox@", RFC 5233)
        # or qmail's virtual-domain form ("victim.example-nemani@") is that mailbox.
        own = next((source for r, source in recorded_rcpts
                    if r == author or _without_subaddress(r) == author
                    or (_virtual_domain_addressee(r, {author}) or ("",))[0] == author), None)
        if own is None:
            return None
        where = f"the address the message was delivered to ({own})"
    elif not addressed:
        return None
    shown = next((" ".join((a.display_name or "").split())[:60] for a in envelope.to if a.display_name), "")
    placeholder = (f' (under the name "{shown}", a mass mailer\'s placeholder)'
                   if shown.strip("\"' ").lower().replace("-", " ") in _PLACEHOLDER_NAMES else "")
    named = "To: names only that address" + placeholder if addressed else "To: and Cc: name nobody"
    domain = authors[0].domain
    address = authors[0].address[:120]
    if not delivered:
        # This copy records no recipient (no Delivered-To, no Received "for", no receiver's envelope
        # field): the From: address in To: is the sender's choice, not the mailbox's. A mass mailing
        # from a forged or stolen address to its recipients in Bcc looks the same (verification V38a:
        # real advance-fee mail to an Outlook.com mailbox, From: and To: a third party's address), so
        # "from yourself" is one reading of two, and only a recorded recipient decides it.
        return Finding(
            id="envelope.self_addressed", severity=Severity.NOTICE,
            title=f"From: and To: are one address ({address}), the recipients hidden",
            explanation=(f"From: is {address} and {named}: the real recipients were given in the envelope alone, "
                         f"as in a mass mailing with every address in Bcc, and the receiving side recorded no pass "
                         f"for an identity aligned with {domain}. This copy does not record the address it was "
                         f"delivered to (no Delivered-To, no Received \"for\"): if it was {address}, this is the "
                         f"pattern of a spoof \"from yourself\", which advance-fee and extortion scams use to look "
                         f"trusted; if it was another mailbox, the sender addressed its mass mailing to the From: "
                         f"address itself, as mailings from a forged or stolen address do."),
            reference=_RFC5322_ORIGINATOR, subject="From")
    trusted_sender = any(f.trusted and any(key == "OFR" and value == "TrustedSenderList" for key, value, _ in f.details)
                         for f in spam_filters)
    bypass = (" Exchange Online delivered it to the Inbox on the user's safe senders list (OFR:TrustedSenderList, "
              "see spam.flagged): the user's own address counts as a safe sender, which is how the spoof bypassed "
              "the spam verdict." if trusted_sender else "")
    return Finding(
        id="envelope.self_addressed", severity=Severity.WARNING,
        title=f"Sent as the recipient's own address ({address})",
        explanation=(f"From: is {address}, {where}, and {named}: the real recipients were given in "
                     f"the envelope alone, as in a mass mailing with every address in Bcc. The receiving side "
                     f"recorded no pass for an identity aligned with {domain} (its recorded results show which it "
                     f"recorded), so nothing shows the recipient sent it: the pattern of a spoof \"from yourself\", "
                     f"which advance-fee and extortion scams use to look trusted and to reach the inbox."
                     f"{bypass}"),
        reference=_RFC5322_ORIGINATOR, subject="From")
