"""Internationalised mail (EAI): UTF-8 written as is in header fields, and how it travelled.

RFC 6532 lets a message carry UTF-8 in its header fields unencoded, and an address with a
non-ASCII local part or domain (RFC 6530 section 4); such a message may only be sent with the
SMTPUTF8 extension on every hop (RFC 6531 section 3.4), which a receiver records by the
``with UTF8SMTP``/``UTF8SMTPS``/``UTF8SMTPA``/``UTF8SMTPSA`` (and LMTP) protocol words of its
Received field (RFC 6531 section 3.7.3). A server that cannot take it must reject it, or
downgrade it and keep the originals in ``Downgraded-*`` fields (RFC 6857 section 3). A
sender's program that writes raw UTF-8 over plain ESMTP breaks that rule; many servers pass
it on, some reject it, and spam filters count it: worth saying when mail went missing.
"""

from __future__ import annotations

from .message import Message
from .model import Finding, Hop, Severity

# The fields the sender writes that people read or that carry addresses (RFC 5322 section 3.6).
_ORIGINATOR_FIELDS = ("From", "Sender", "Reply-To", "To", "Cc", "Subject", "Message-ID", "In-Reply-To",
                      "References", "Return-Path")
_ADDRESS_FIELDS = frozenset(("from", "sender", "reply-to", "to", "cc", "return-path"))
_MAX_NAMED = 6
_RFC6531 = "https://www.rfc-editor.org/rfc/rfc6531#section-3.7.3"


def _utf8_hops(hops: tuple[Hop, ...]) -> list[int]:
    """The numbers of the hops whose receiver recorded an SMTPUTF8 session: RFC 6531's words,
    and Exim's "utf8" before its own (utf8esmtp, utf8esmtpsa: Exim's specification, chapter
    "Internationalisation")."""
    return [hop.number for hop in hops
            if (hop.fields.protocol or "").upper().startswith(("UTF8SMTP", "UTF8LMTP", "UTF8ESMTP"))]


def _address_part_non_ascii(value: str) -> bool:
    """Whether an address (not only its display name) holds non-ASCII characters: the text
    between angle brackets, or the whole value when it has none."""
    text = value[:2000]
    if "<" in text:
        inner = text.rpartition("<")[2].partition(">")[0]
        return not inner.isascii()
    return "@" in text and not text.isascii() and not any(c in text for c in '"(')


def utf8_header_finding(message: Message, hops: tuple[Hop, ...]) -> Finding | None:
    """A finding when the sender's header fields carry UTF-8 as is: which fields, which hops were
    SMTPUTF8 sessions, and what it means when none was; a downgrade's Downgraded-* fields. None
    for a header in ASCII (encoded-words are ASCII), nearly every message."""
    raw_fields: list[str] = []
    in_address = False
    for name in _ORIGINATOR_FIELDS:
        for field in message.all(name)[:3]:
            # A value that was not UTF-8 is read in the declared charset and marked as a defect,
            # reported elsewhere; only valid UTF-8 is RFC 6532 text.
            if field.value.isascii() or field.defects:
                continue
            if name not in raw_fields:
                raw_fields.append(name)
            if name.lower() in _ADDRESS_FIELDS and _address_part_non_ascii(field.value):
                in_address = True
    # A downgrade's fields are rare: the header's bytes are searched before its fields are walked.
    end = message.body_start if message.body_start is not None else len(message.raw)
    downgraded = sorted({h.name for h in message.headers[:400] if h.name.lower().startswith("downgraded-")}) \
        if message.raw.find(b"owngraded-", 0, end) >= 0 or message.raw.find(b"OWNGRADED-", 0, end) >= 0 else []
    if not raw_fields and not downgraded:
        return None
    named = ", ".join(raw_fields[:_MAX_NAMED])
    carry = "carries" if len(raw_fields) == 1 else "carry"
    utf8 = _utf8_hops(hops)
    if downgraded:
        return Finding(
            id="message.eai_downgraded", severity=Severity.INFO,
            title=f"Downgraded on the way: {', '.join(downgraded[:4])}",
            explanation=("A server on the way could not pass this internationalised message with SMTPUTF8 and "
                         "downgraded it: the original UTF-8 fields are kept in "
                         f"{', '.join(downgraded[:_MAX_NAMED])} (RFC 6857 section 3), and the fields shown "
                         "elsewhere are the downgraded, ASCII ones. A DKIM signature over the original fields "
                         "no longer verifies after a downgrade."),
            reference="https://www.rfc-editor.org/rfc/rfc6857#section-3", subject="header")
    if utf8:
        return Finding(
            id="message.eai", severity=Severity.INFO,
            title=f"Internationalised header: UTF-8 in {named}, sent with SMTPUTF8",
            explanation=(f"{named} {carry} UTF-8 written as is (RFC 6532), "
                         + ("including an address with non-ASCII characters (RFC 6530), " if in_address else "")
                         + f"and hop{'s' if len(utf8) > 1 else ''} {', '.join(map(str, utf8[:8]))} "
                         f"recorded an SMTPUTF8 session (\"with UTF8SMTP...\", RFC 6531 section 3.7.3): how "
                         "such a message must travel."),
            reference=_RFC6531, subject="header")
    recorded = [hop for hop in hops if hop.fields.protocol]
    if in_address:
        return Finding(
            id="message.eai_plain_smtp", severity=Severity.NOTICE,
            title=f"Non-ASCII address in {named}, but no hop recorded SMTPUTF8",
            explanation=(f"{named} {carry} UTF-8 as is, including an address with non-ASCII characters, which only "
                         "SMTPUTF8 can carry (RFC 6531 section 3.4): a server without it must reject the message "
                         "or downgrade it (RFC 6857). "
                         + ("No Received field here records an SMTPUTF8 session (\"with UTF8SMTP...\"): the hops "
                            "recorded " + ", ".join(sorted({h.fields.protocol or "" for h in recorded})[:4])
                            + ". " if recorded else "No Received field here names its protocol. ")
                         + "Replies and bounces to such an address fail wherever SMTPUTF8 is missing."),
            reference=_RFC6531, subject="header")
    return Finding(
        id="message.eai_plain_smtp", severity=Severity.INFO,
        title=f"UTF-8 written as is in {named}, without SMTPUTF8",
        explanation=(f"{named} {carry} UTF-8 text written as is (RFC 6532), not as RFC 2047 encoded-words, and no "
                     "Received field here records an SMTPUTF8 session (\"with UTF8SMTP...\", RFC 6531 section "
                     "3.7.3). Such a header may only travel with SMTPUTF8 (RFC 6531 section 3.4); many servers "
                     "pass it on anyway, some reject it, and spam filters count unencoded 8-bit header text "
                     "against the message. The sending program should encode it (RFC 2047)."),
        reference=_RFC6531, subject="header")
