"""Redaction for reports shared outside the team: hide the local part of every address.

``redact_report`` walks the whole Report (envelope, headers, hops, recorded results,
findings, DNS evidence, ...) and rewrites every string in it, so no renderer can forget a
field. Domains stay: they are what the analysis is about. ``john.doe@example.com`` becomes
``j***@example.com``.

An address is masked whatever form the sender wrote it in (quoted, with an "@" look-alike,
percent-encoded in a link), and through RFC 2047 decoding: text that still shows a local part once
decoded is shown decoded and masked (redact_text).

The scan is linear in the text length (see ``text.masked_address``), so a megabyte of hostile text
cannot make it backtrack.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from typing import Any, TypeVar

from .model import Address, HeaderField, RecordedResult, Report, Verdict
from .text import AT_SIGNS, decode_rfc2047, decode_rfc2047_whole, masked_address

# An address as redaction reads it (text.masked_address, shared with the cuts that must never
# split one): its local part, masked, and its domain, kept.
_ADDRESS = masked_address()
# A run of local-part characters right after an apostrophe, ending at an "@" (see _redact_written).
_AFTER_APOSTROPHE = re.compile(rf"(?<=')(?P<local>[^\s<>()\[\]\\,;:\"{AT_SIGNS}'`\u2026]{{1,256}})(?P<at>[{AT_SIGNS}])")
# An address percent-encoded in a URL (a List-Unsubscribe link's "?e=john%40example.com"), the
# "@" encoded twice too ("%2540": a link inside a tracking link's parameter), and its local part
# holding percent-encoded characters (RFC 6068 section 2: "mailto:%22bob%20smith%22%40example.org"
# is the quoted local part "bob smith"). The look-behind makes a run of local-part characters start
# only where the run starts, so a megabyte of them is read once, not once from every position (as
# _ADDRESS); an escape is three characters the run's other alternative cannot take (nor a "%"
# that starts no escape, "a%zzbob%40", which the run takes alone), and an encoded "@" ends the
# run: no backtracking. The local part is masked whatever follows the encoded "@", as a plain
# one is (_ADDRESS): a domain percent-encoded itself ("%40%C3%A9xample.org", an IDN), none
# ("?e=bob%40&d=example.org", an RFC 2231 continuation "filename*0*=utf-8''bob%40;"), verification
# V59a D3-1.
_ENCODED_ADDRESS = re.compile(
    r"(?<![A-Za-z0-9._+~!$*'%-])"
    r"(?P<local>(?:[A-Za-z0-9._+~!$*'-]|%(?!(?:25)*+40)[0-9A-Fa-f]{2}|%(?![0-9A-Fa-f]{2}))++)"
    r"(?P<at>%(?:25)*+40)(?P<domain>[A-Za-z0-9][A-Za-z0-9.-]{0,252})?")
# A login with no "@" where a server names who authenticated: Postfix's "(Authenticated sender:
# alice)", Exim's "authenticated as"/"authenticated_id:", Courier's "AUTH: LOGIN", Kerio's
# "authenticated user", Runbox's "[Authenticated alias (N)]" / "[Authenticated ID (N)]" (an account
# id), RFC 8601's smtp.auth=. Usually the mailbox's local part.
_LOGIN = re.compile(r"(?i)(?P<key>authenticated sender:|authenticated as|authenticated-as:|authenticated user|authenticated_id:|"
                    r"\[authenticated (?:alias|id) \(|"
                    r"\bauth: (?:login|plain|cram-md5|xoauth2|ntlm|gssapi)|\bsmtp\.auth=)(?P<space>\s*)"
                    r"(?P<login>[^\s(),;@]{1,200})(?![^\s(),;])")
# Coremail's webmail login, written with "$" for "@" in its Received: "from luckd0g$163.com (
# [183.205.138.3] ) by ajax-webmail-wmsvr-40-123 (Coremail)" (and so in the hop's ident). The
# look-behind starts a match only where a run of login characters starts, so each run is read
# once (linear); "." cannot end a domain label, so the domain's repetition cannot backtrack.
_DOLLAR_LOGIN = re.compile(r"(?<![A-Za-z0-9._+-])(?P<local>[A-Za-z0-9._+-]+)\$"
                           r"(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# A run of RFC 2047 encoded-words with only white space between them (section 2; decoded together,
# section 6.2): an address written as one ("To: =?utf-8?q?bob=40example.org?=", or in base64) is
# no address to the scan until decoded (V53b D2-2). The encoded text holds no "?" or white space,
# so a run is read once from where it starts: linear.
_ENCODED_WORDS = re.compile(r"(?P<start>=\?[^?\s]{1,75}\?[bBqQ]\?)[^?\s]*+\?="
                            r"(?:[ \t\r\n]*+=\?[^?\s]{1,75}\?[bBqQ]\?[^?\s]*+\?=)*+")
# "key=value" prefixes that are not part of an address (Authentication-Results properties
# such as smtp.mailfrom=, DKIM i=, Received-SPF envelope-from=): keep the key visible.
_PROPERTY_KEYS = frozenset({"i", "mailfrom", "envelope-from", "from", "helo", "sender", "to", "rcpt"})

MASK = "***"

T = TypeVar("T")


def _split_property_key(local: str) -> tuple[str, str]:
    """("smtp.mailfrom=", "john") for "smtp.mailfrom=john"; ("", local) when there is no key."""
    key, sep, rest = local.partition("=")
    if not sep or not key or not key[0].isalpha():
        return "", local
    if not all(c.isalnum() or c in ".-_" for c in key):
        return "", local
    if "." in key or key.lower() in _PROPERTY_KEYS:
        return key + "=", rest
    return "", local


def _mask(match: re.Match[str]) -> str:
    key, local = _split_property_key(match.group("local"))
    if not local or local.endswith(MASK):  # "header.i=@example.com" or already redacted
        return match.group()
    return f"{key}{_masked_local(local)}{match.group('at')}{match.group('domain') or ''}"


# Quotes a local part may open with: double and single ones, and their typographic and backtick forms.
_OPENING_QUOTES = "\"'`\u201c\u2018"


def _masked_local(local: str) -> str:
    """``local`` masked: its first character and MASK, the first inside its quotes when it opens with
    a quoted piece ('"bob smith"', "'bob smith'.x"); an opening quote it never closes is the text's
    own quote around the address (rcpt='bob@example.org', `bob@example.org`, "rcpt='b***@...'"), kept
    so the text shown still pairs its quotes."""
    opening = local[:1]
    if opening in _OPENING_QUOTES:
        closing = {"\u201c": "\u201d", "\u2018": "\u2019"}.get(opening, opening)
        inside = local.lstrip(_OPENING_QUOTES)
        if closing not in local[1:]:
            return f"{local[:len(local) - len(inside)]}{inside[:1]}{MASK}"
        return f"{inside[:1] or opening}{MASK}"
    return f"{local[0]}{MASK}"


def _mask_encoded(match: re.Match[str]) -> str:
    local = match.group("local")
    if local.endswith(MASK):
        return match.group()  # already redacted
    first = local[:4] if local[0] == "%" else local[0]  # (an escape whole: "%22b***%40" for '"bob smith"@')
    return f"{first}{MASK}{match.group('at')}{match.group('domain') or ''}"


def _mask_login(match: re.Match[str]) -> str:
    login = match.group("login")
    if login.endswith(MASK):
        return match.group()
    return f"{match.group('key')}{match.group('space')}{login[0]}{MASK}"


def _mask_dollar_login(match: re.Match[str]) -> str:
    domain = match.group("domain")
    if not any(c.isalpha() for c in domain.rpartition(".")[2]):
        # No top-level domain is all digits (RFC 3696 section 2): "US$5.99" is a price, not a login.
        return match.group(0)
    return f"{match.group('local')[0]}{MASK}${domain}"


_MAX_DECODINGS = 4
"""Decodings redaction follows into an encoded-word whose text is itself encoded-words (a base64
word that decodes to "=?utf-8?q?bob=40example.org?=", verification V59a D2-1): each is linear in
the text, and deeper nesting is hidden whole (_hidden_nested_words)."""


def _mask_encoded_words(match: re.Match[str], decodings: int = _MAX_DECODINGS) -> str:
    decoded = decode_rfc2047(match.group())
    if decoded == match.group():
        inner = decoded  # its encoding broken (shown as written), or a word this redaction wrote: no deeper text
    elif decodings > 1 and "=?" in decoded:
        # Encoded-words inside the decoded text: masked as the text around them is, one decoding deeper.
        inner = _ENCODED_WORDS.sub(lambda found: _mask_encoded_words(found, decodings - 1), decoded)
    elif "=?" in decoded and _ENCODED_WORDS.search(decoded):
        return f"{match.group('start')}{MASK}?="  # nested deeper than redaction decodes: hidden
    else:
        inner = decoded
    masked = _redact_written(inner)
    if masked == decoded:
        return match.group()
    # The encoded-word's start and end kept around its decoded, masked text: the report still
    # shows that the text was encoded (envelope.encoded_word_in_address is about that), and what
    # it says, but no mailbox name one decoding away.
    return f"{match.group('start')}{masked}?="


def _hidden_nested_word(match: re.Match[str]) -> str:
    decoded = decode_rfc2047(match.group())
    if decoded == match.group():
        return _redact_written(decoded)
    return f"{match.group('start')}{MASK}?=" if "=?" in decoded or any(sign in decoded for sign in AT_SIGNS) else match.group()


def _mask_after_apostrophe(match: re.Match[str]) -> str:
    local = match.group("local")
    if local.endswith(MASK):
        return match.group()
    return f"{local[0]}{MASK}{match.group('at')}"


def redact_text(text: str) -> str:
    """``text`` with the local part of every address replaced by its first character and ``***``
    (also a login a server names, Coremail's "user$domain" login, an address percent-encoded
    in a URL, and one an RFC 2047 decoding shows: inside an encoded-word, or across its edges)."""
    if "=?" not in text:
        return _redact_written(text)
    # A text shown decoded may hold encoded-words its decoding revealed ("zz=?utf-8?q?=40?=c.example
    # =?utf-8?b?PT91dGYtOD9xP3...?=" decodes to a readable "=?utf-8?q?bob=40example.org?=",
    # verification V59a D2-1): it is redacted again, as the input was, until nothing changes.
    # Bounded: _MAX_DECODINGS rounds, each linear; what a last round would still show decoded keeps
    # no encoded-word that decodes to an "@" or to more encoded-words.
    for _ in range(_MAX_DECODINGS):
        redacted, shown_decoded = _redacted_once(text)
        if not shown_decoded or "=?" not in redacted:
            return redacted
        text = redacted
    return _ENCODED_WORDS.sub(_hidden_nested_word, text)


def _redacted_once(text: str) -> tuple[str, bool]:
    """redact_text's one round: the text redacted, and whether it is shown decoded."""
    masked = _redact_written(_ENCODED_WORDS.sub(_mask_encoded_words, text))
    # Decode, then mask: what is shown must hold no local part once decoded as a reader decodes it
    # (text.decode_rfc2047, which reads an encoded-word wherever it is written). A run of
    # encoded-words, decoded alone above, misses an address that only the text around it completes:
    # "bob=?utf-8?q?=40?=example.org" (an "@" encoded in a word glued to the local part),
    # "=?utf-8?q?Ann?= bob=?utf-8?q?=40example.org?=" (verification V56b D-4), or one in a run too
    # long for decode_rfc2047 (V55b D3-2). Redaction is idempotent, so masked text it would change
    # once decoded still shows a local part; the whole text is then shown decoded and masked (what is
    # masked already decodes to itself).
    decoded = decode_rfc2047_whole(masked)
    if decoded == masked:
        return masked, False
    redacted = _redact_written(decoded)
    return (masked, False) if redacted == decoded else (redacted, True)


def _redact_written(text: str) -> str:
    """redact_text but for encoded-words: the text as it is written."""
    if "@" in text or "\uff20" in text or "\ufe6b" in text:
        text = _ADDRESS.sub(_mask, text)
        if "'" in text:
            # A safety net for apostrophes the address pattern reads as no part of a local part
            # ("o''bob@", "''bob@a.example''", verification V55b D2-1): whatever run of local-part
            # characters follows an apostrophe and ends at an "@" is masked too. A run holds no
            # apostrophe, so each is read once from the one before it: linear.
            text = _AFTER_APOSTROPHE.sub(_mask_after_apostrophe, text)
    if "%40" in text or "%25" in text:
        text = _ENCODED_ADDRESS.sub(_mask_encoded, text)
    if "uth" in text or "UTH" in text:
        text = _LOGIN.sub(_mask_login, text)
    if "$" in text:
        text = _DOLLAR_LOGIN.sub(_mask_dollar_login, text)
    return text


def _redact_header(header: HeaderField) -> HeaderField:
    decoded = redact_text(header.decoded)
    value = redact_text(header.value)
    if "=?" in header.value and decoded != header.decoded:
        # An address may hide inside an RFC 2047 encoded-word, where the scan cannot see
        # it; show the redacted decoded text rather than leak the encoded original.
        value = decoded
    # The defects too: they quote what they could not read ("read as the name ... and the address
    # bob@example.org"), and a HeaderField is redacted here, not field by field in _redact.
    defects = tuple(redact_text(defect) for defect in header.defects)
    return dataclasses.replace(header, value=value, decoded=decoded, defects=defects)


def _redact_verdict(verdict: Verdict) -> Verdict:
    """The verdict with its summary redacted but for its own words "Authenticated as DOMAIN": the
    authenticated domain is a domain, which redaction keeps, not a login a server names (_LOGIN
    read "Authenticated as example.com:" as one and showed "Authenticated as e***", verification
    V55a D-1)."""
    domain = verdict.authenticated_domain
    if not domain:
        return dataclasses.replace(verdict, summary=redact_text(verdict.summary))
    phrase = re.compile(rf"(?i)\bauthenticated as {re.escape(domain)}(?![\w.-])")
    pieces: list[str] = []
    start = 0
    for found in phrase.finditer(verdict.summary):
        pieces.extend((redact_text(verdict.summary[start:found.start()]), found.group()))
        start = found.end()
    pieces.append(redact_text(verdict.summary[start:]))
    return dataclasses.replace(verdict, summary="".join(pieces))


# Result properties whose value names a mailbox or a login (RFC 8601 section 2.7: smtp.mailfrom and
# smtp.rcptto, an address or its domain; smtp.auth, the authenticated identity; header.from,
# header.sender, header.i; Received-SPF's envelope-from, RFC 7208 section 9.1).
_MAILBOX_PROPERTIES = frozenset({"smtp.mailfrom", "smtp.rcptto", "smtp.auth", "header.from", "header.sender",
                                 "header.i", "header.reply-to", "envelope-from"})
# A domain name such a property may hold instead of an address ("smtp.mailfrom=example.com",
# "header.i=@example.com"): labels joined by dots, bounded as DNS names are (RFC 1035 section 2.3.4).
_PROPERTY_DOMAIN = re.compile(r"@?[^\W_][\w-]{0,62}(?:\.[\w-]{1,63}){1,126}\.?")


def _redact_properties(properties: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """A recorded result's properties redacted pair by pair, as the text they were read from: a
    tolerant read may split a mailbox name into a key ("smtp.mailfrom=lorem bob=?utf-8?q?=40?=
    example.org" gives the pair "bob", "?utf-8?q?=40?=example.org") or keep it without its "@"
    ("smtp.mailfrom=“bob x”@example.org" gives "“bob", the rest dropped), so that no "@" is left
    for redaction to see (verification V59a D3-3). A key the pair's text masks is masked, and a
    mailbox property's value that is no address and no domain name is masked as a local part."""
    redacted: list[tuple[str, str]] = []
    for key, value in properties:
        shown_value = redact_text(value)
        shown_key = redact_text(key)
        if shown_key == key and key and shown_value == value \
                and not redact_text(f"{key}={value}").startswith(f"{key}="):
            # A mailbox name the pair's text shows, not a key; only where the value alone holds
            # nothing to mask: "x-sender=alice@example.org" is a key and an address, whose key stays
            # (verification V63a D2-1: IronPort's and policyd-spf's Received-SPF properties).
            shown_key = _masked_local(key)
        if (key.lower() in _MAILBOX_PROPERTIES and shown_value == value and value
                and not any(sign in value for sign in AT_SIGNS) and not value.endswith(MASK)
                and any(c.isalnum() for c in value) and not _PROPERTY_DOMAIN.fullmatch(value)):
            shown_value = _masked_local(value)  # a login, or a local part cut from its "@"
        redacted.append((shown_key, shown_value))
    return tuple(redacted)


def _redact_address(address: Address) -> Address:
    """An address redacted, its display name as the text it was read from: a typographic-quoted
    local part ("“bob x”@example.org", which RFC 5322 does not quote) is read as the display name
    "“bob" and the address "x”@example.org", and the name alone holds no "@" for redaction to see
    (verification V59a D3-3). A name that the name and address written together mask is masked."""
    redacted = dataclasses.replace(address, display_name=_redact(address.display_name), address=redact_text(address.address))
    name = address.display_name
    if name and redacted.display_name == name and not redact_text(f"{name} {address.address}").startswith(f"{name} "):
        redacted = dataclasses.replace(redacted, display_name=_masked_local(name))
    return redacted


def _redact(value: T) -> T:
    result: Any
    if isinstance(value, enum.Enum):  # Severity and Role are str subclasses: keep them
        return value
    if isinstance(value, str):
        result = redact_text(value)
    elif isinstance(value, Verdict):
        result = _redact_verdict(value)
    elif isinstance(value, HeaderField):
        result = _redact_header(value)
    elif isinstance(value, Address):
        result = _redact_address(value)
    elif isinstance(value, RecordedResult):
        changes = {f.name: _redact(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "properties"}
        result = dataclasses.replace(value, properties=_redact_properties(value.properties), **changes)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _redact(getattr(value, f.name)) for f in dataclasses.fields(value)}
        result = dataclasses.replace(value, **changes)
    elif isinstance(value, tuple):
        result = tuple(_redact(item) for item in value)
    else:
        result = value
    return result  # type: ignore[no-any-return]


def redact_report(report: Report) -> Report:
    """A new Report with every address's local part hidden, marked ``redact=True`` in its options."""
    redacted = _redact(report)
    options = (*((k, v) for k, v in redacted.options if k != "redact"), ("redact", "True"))
    return dataclasses.replace(redacted, options=options)


def is_redacted(report: Report) -> bool:
    """Whether the report says its addresses were redacted."""
    return any(k == "redact" and v == "True" for k, v in report.options)
