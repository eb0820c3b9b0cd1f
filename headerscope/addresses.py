"""Address parsing and the envelope-sender schemes: SRS, VERP and bounce addresses.

``parse_addresses`` reads an address-list header value (RFC 5322 section 3.4) with a small
linear tokenizer instead of ``email.utils``: it must accept garbage (never raise, never drop
what it cannot read), the obsolete forms of RFC 5322 section 4.4 (routes, CFWS between the
parts of a local-part, comments used as display names) and group syntax, and it must parse
the *raw* value, so that an encoded-word cannot smuggle a comma or a bracket in: RFC 2047
words are decoded only inside display names, after parsing (RFC 2047 section 5 (3)).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from functools import lru_cache

from ._value import Value, frozen
from .domains import is_listed_tld, organizational_domain
from .message import LOST_NAME
from .model import Address, SrsInfo
from .text import (
    IGNORABLE_NOT_FORMAT,
    address_safe_shortened,
    compiled_on_first_use,
    decode_rfc2047,
    read_comment,
)

MAX_VALUE_LENGTH = 64 * 1024
"""Longer values are cut here (about 2,000 addresses): bounds the time spent on hostile input."""
MAX_ADDRESSES = 10_000
"""At most this many addresses are read from one value."""


class _Token:
    """One lexical token of an address header (RFC 5322 section 3.2).

    A plain slotted class, not a dataclass: dataclasses compiles its methods from source at
    import, a cost every start-up paid for this private record."""

    __slots__ = ("end", "kind", "spaced", "start", "text")

    def __init__(self, kind: str, text: str, start: int = 0, end: int = 0, spaced: bool = False) -> None:
        self.kind = kind
        """``atom``, ``quoted``, ``comment``, ``angle``, ``special``."""
        self.text = text
        self.start = start
        """Offset of the token in the value."""
        self.end = end
        """Offset just after the token."""
        self.spaced = spaced
        """White space (or a comment) came before it: kept when a display name is rebuilt."""


def _read_quoted(value: str, start: int) -> tuple[str, int]:
    """Read a quoted-string from the opening quote; an unclosed one returns end -1."""
    out: list[str] = []
    i = start + 1
    n = len(value)
    while i < n:
        ch = value[i]
        if ch == "\\" and i + 1 < n:
            out.append(value[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    return "".join(out), -1


class _Unclosed:
    """Remembers that a quote or comment never closed, so later ones are not re-scanned.

    Without this, a value of a million '(' would be scanned to its end once per '(' (quadratic).
    After one unclosed quote (or comment), later quote (comment) characters are plain text.
    """

    def __init__(self) -> None:
        self.quote = False
        self.comment = False

    def quoted(self, value: str, start: int) -> tuple[str, int]:
        if self.quote:
            return "", -1
        text, end = _read_quoted(value, start)
        self.quote = end < 0
        return text, end

    def commented(self, value: str, start: int) -> tuple[str, int]:
        if self.comment:
            return "", -1
        text, end = read_comment(value, start)
        self.comment = end < 0
        return text, end


_DELETE_FWS = str.maketrans("", "", " \t\r\n")


def _read_angle(value: str, start: int, unclosed: _Unclosed) -> tuple[str, int]:
    """Read an angle-addr body; quoted parts may hold '>', an unclosed one runs to the end."""
    close = value.find(">", start + 1)
    if close >= 0:
        plain = value[start + 1:close]
        if '"' not in plain and "(" not in plain:
            # The common case, no quoted string or comment inside: the text up to '>' without
            # folding white space (the same result as the character loop below, faster).
            return plain.translate(_DELETE_FWS), close + 1
    out: list[str] = []
    i = start + 1
    n = len(value)
    while i < n:
        ch = value[i]
        if ch == '"':
            text, end = unclosed.quoted(value, i)
            if end >= 0:
                out.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
                i = end
                continue
        elif ch == "(":
            _, end = unclosed.commented(value, i)
            if end >= 0:  # a comment inside <> is CFWS (obsolete), not content
                i = end
                continue
        if ch == ">":
            return "".join(out), i + 1
        if ch not in " \t\r\n":
            out.append(ch)
        i += 1
    return "".join(out), n


_SPECIALS = ",:;@.<>[]"
_ATOM = re.compile(r'[^ \t\r\n"(),:;<>@\[\]]*')


def _tokenize(value: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    n = len(value)
    spaced = False
    unclosed = _Unclosed()

    def add(kind: str, text: str, start: int, end: int) -> None:
        nonlocal spaced
        tokens.append(_Token(kind, text, start, end, spaced))
        spaced = kind == "comment"

    while i < n:
        ch = value[i]
        start = i
        if ch in " \t\r\n":
            spaced = True
            i += 1
            continue
        if ch == '"':
            text, end = unclosed.quoted(value, i)
            if end >= 0:
                add("quoted", text, start, end)
                i = end
                continue
        elif ch == "(":
            text, end = unclosed.commented(value, i)
            if end >= 0:
                add("comment", text, start, end)
                i = end
                continue
        elif ch == "<":
            text, i = _read_angle(value, i, unclosed)
            add("angle", text, start, i)
            continue
        elif ch == "[":
            # A domain literal (RFC 5322 section 3.4.1) is one token.
            close = value.find("]", i)
            i = n if close < 0 else close + 1
            add("atom", value[start:i], start, i)
            continue
        elif ch in _SPECIALS:
            add("special", ch, start, i + 1)
            i += 1
            continue
        # An atom; an unclosed quote or comment is read as a plain character of one.
        match = _ATOM.match(value, i + 1)
        j = match.end() if match else i + 1
        add("atom", value[i:j], start, j)
        i = j
    return tokens


def _strip_route(angle: str) -> str:
    # RFC 5322 section 4.4 obs-route: "<@relay1,@relay2:user@example.com>".
    if angle.startswith("@") and ":" in angle:
        return angle.split(":", 1)[1]
    return angle


# ASCII that no domain name holds: a domain is LDH labels (RFC 5321 section 4.1.2, RFC 1035
# section 2.3.1; '_' too, which DNS names may hold, RFC 2181 section 11) or an address literal
# in brackets. Non-ASCII is left to IDN U-labels (RFC 6531 section 3.3). A quote, '#', '*' or
# white space there is the trace of a paste or a redaction ('"a@b.test"' read without its
# opening quote, "user@***.example").
_not_in_domain_re = compiled_on_first_use(r"[\x00-\x2c/\x3a-\x40\x5b-\x5e`\x7b-\x7f]")


def address_domain(address: str) -> str | None:
    """Lower-cased domain of an addr-spec (after the last ``@``), trailing dot removed; None
    when there is none, or when it holds a character no domain name holds."""
    if "@" not in address:
        return None
    domain = address.rsplit("@", 1)[1].strip().rstrip(".").lower()
    if not domain:
        return None
    if domain.startswith("[") and domain.endswith("]") and "]" not in domain[:-1]:
        return domain  # an address literal (RFC 5321 section 4.1.3)
    if _not_in_domain_re().search(domain) is not None:
        return None
    return domain


def _phrase(tokens: list[_Token]) -> str | None:
    parts: list[str] = []
    for token in tokens:
        if token.kind == "comment":
            continue
        if token.spaced and parts:
            parts.append(" ")
        parts.append(token.text)
    text = "".join(parts).strip()
    if not text:
        return None
    return decode_rfc2047(text)


def _is_word(token: _Token) -> bool:
    return token.kind == "quoted" or (token.kind == "atom" and not token.text.startswith("["))


def _unbracketed_split(tokens: list[_Token]) -> tuple[int, int] | None:
    """Where the address starts and ends in a mailbox written without angle brackets beside
    words ("User user@example.com", "=?iso-8859-2?Q?...?= test@seznam.cz"), or None.

    RFC 5322 section 3.4 wants a display name followed by an angle-addr; an addr-spec is words
    joined by '.' (section 3.4.1; obs-local-part, section 4.4, allows white space around the
    dots and the '@': "john . smith @ example.com"), never two words side by side, and RFC 2047
    section 5 (3) puts no encoded-word in one. So two words separated only by white space (or
    a comment) cannot both be in the address: the address is the run of tokens between such
    pairs that holds the (last) '@', and the words around it are the name."""
    breaks: list[int] = []
    previous: _Token | None = None
    at = -1
    for position, token in enumerate(tokens):
        if token.kind == "comment":
            continue
        if token.kind == "special" and token.text == "@":
            at = position
        if previous is not None and token.spaced and _is_word(previous) and _is_word(token):
            breaks.append(position)
        previous = token
    if not breaks or at < 0:
        return None
    start = max((b for b in breaks if b <= at), default=0)
    end = min((b for b in breaks if b > at), default=len(tokens))
    return start, end


def _joined(tokens: list[_Token]) -> tuple[str, list[str]]:
    """An addr-spec's text with its CFWS removed (obs-local-part, obs-domain), and its comments."""
    parts: list[str] = []
    comments: list[str] = []
    for token in tokens:
        if token.kind == "comment":
            if token.text.strip():
                comments.append(token.text.strip())
        elif token.kind == "quoted":
            parts.append('"' + token.text.replace("\\", "\\\\").replace('"', '\\"') + '"')
        else:
            parts.append(token.text)
    return "".join(parts), comments


def _build(tokens: list[_Token], value: str) -> Address | None:
    """One mailbox from the tokens between two commas."""
    if not tokens:
        return None
    angles = [i for i, t in enumerate(tokens) if t.kind == "angle"]
    if angles:
        position = angles[-1]
        address = _strip_route(tokens[position].text)
        display = _phrase(tokens[:position])
        if display is None:
            notes = [t.text for t in tokens if t.kind == "comment" and t.text.strip()]
            display = decode_rfc2047(notes[0].strip()) if notes else None
        return Address(display_name=display, address=address, domain=address_domain(address))
    split = _unbracketed_split(tokens)
    if split is not None:
        # A name-addr that lost its angle brackets (a web page or a chat ate them): the words
        # beside the address are the display name, as written, not part of the address.
        start, end = split
        address, comments = _joined(tokens[start:end])
        display = _phrase(tokens[:start] + tokens[end:])
        if display is None and comments:
            display = decode_rfc2047(comments[0])
        return Address(display_name=display, address=address, domain=address_domain(address))
    # A bare addr-spec, possibly with CFWS between its parts (obs-local-part, obs-domain).
    address, comments = _joined(tokens)
    if not address:
        return None  # comments alone are white space (CFWS), no mailbox: "undisclosed:; (no To-header)"
    if not any(t.kind == "special" and t.text == "@" for t in tokens):
        # Not an address at all: keep the text as written (spaces included) for the report. An
        # '@' inside a quoted string is text, not an address's ('From: "a@b.test"' names none).
        first, last = tokens[0].start, tokens[-1].end
        address = value[first:last].strip()
        return Address(display_name=decode_rfc2047(comments[0]) if comments else None, address=address,
                       domain=None)
    # RFC 5322 section 3.4 allows a comment after an addr-spec; old mailers put the name there.
    display = decode_rfc2047(comments[0]) if comments else None
    return Address(display_name=display, address=address, domain=address_domain(address))


def parse_addresses(value: str | None) -> tuple[Address, ...]:
    """Every mailbox in an address-list value, group members included; never raises.

    Text that holds no address is kept as an Address whose ``address`` is the raw text and
    whose ``domain`` is None, so a report can show what was written.
    """
    if not value:
        return ()
    text = value[:MAX_VALUE_LENGTH]
    if len(text) <= _CACHED_VALUE_LENGTH:
        return _parse_short_addresses(text)
    return _parse_address_list(text)


# A mailbox scan meets the same To:, From: and Delivered-To values over and over (and the
# envelope reads Delivered-To/X-Original-To twice: for RCPT TO and for the alias check); the
# result is an immutable tuple, so a small memo of short values saves the tokenizer's work. Long values are not kept, so the memo
# stays small (a few MB at most, even if every entry is a list of one-letter addresses).
_CACHED_VALUE_LENGTH = 512
_CACHED_VALUES = 128


@lru_cache(maxsize=_CACHED_VALUES)
def _parse_short_addresses(text: str) -> tuple[Address, ...]:
    return _parse_address_list(text)


def _mailbox_tokens(tokens: list[_Token]) -> Iterator[list[_Token]]:
    """The tokens of each mailbox of an address list, in order (group names left out)."""
    current: list[_Token] = []
    in_group = False
    for token in tokens:
        if token.kind == "special" and token.text == ",":
            yield current
            current = []
        elif token.kind == "special" and token.text == ":" and not in_group and not any(
                t.kind == "angle" or (t.kind == "special" and t.text == "@") for t in current):
            # RFC 5322 section 3.4 group: "display-name: mailbox-list;". The name is not a mailbox.
            current = []
            in_group = True
        elif token.kind == "special" and token.text == ";" and in_group:
            yield current
            current = []
            in_group = False
        else:
            current.append(token)
    yield current


# The two commonest values, one mailbox each, read without the tokenizer:
#   [WORD (FWS WORD)*] [FWS] "<" ANGLE ">" [FWS]      ("Fox Newsletter <news@x.example>", "<a@b>")
#   [FWS] ATOM "@" ATOM [FWS]                          (Delivered-To's "user@x.example")
# Each WORD is exactly one token of _tokenize: an atom's first character is none that starts
# another token (white space, quote, comment, angle, literal, the specials), and the rest is
# _ATOM's class. An ANGLE without '"' or '(' is the text _read_angle keeps (its white space then
# deleted). So the tokens are the words and one angle (or atom, '@', atom), one mailbox, and the
# fast reading below is _build's on them. Anything else goes through the tokenizer. The classes
# on either side of each FWS run share no character, so a failed match is linear.
_ATOM_FIRST = r'[^ \t\r\n"(),:;<>@\[\].]'
_ATOM_REST = r'[^ \t\r\n"(),:;<>@\[\]]*'
_SIMPLE_MAILBOX_RE = re.compile(
    r"[ \t\r\n]*(?:(?P<name>" + _ATOM_FIRST + _ATOM_REST + r"(?:[ \t\r\n]+" + _ATOM_FIRST + _ATOM_REST
    + r")*)[ \t\r\n]*)?<(?P<angle>[^\"(>]*)>[ \t\r\n]*"
    r"|[ \t\r\n]*(?P<bare>" + _ATOM_FIRST + _ATOM_REST + "@" + _ATOM_FIRST + _ATOM_REST + r")[ \t\r\n]*"
)
_FWS_RUN_RE = re.compile(r"[ \t\r\n]+")


def _parse_simple_mailbox(text: str) -> tuple[Address, ...] | None:
    """The one mailbox of a value in a shape above, as _parse_address_list reads it; None for
    any other value."""
    m = _SIMPLE_MAILBOX_RE.fullmatch(text)
    if m is None:
        return None
    angle = m.group("angle")
    if angle is None:
        # Tokens: atom, '@', atom; no break between words (_unbracketed_split), no comment.
        address = m.group("bare")
        return (Address(display_name=None, address=address, domain=address_domain(address)),)
    address = _strip_route(angle.translate(_DELETE_FWS))
    name = m.group("name")
    # _phrase: the words joined by one space (each came after white space), strip()ped (which
    # takes Unicode white space too: a name of U+00A0 alone is none), decoded.
    phrase = _FWS_RUN_RE.sub(" ", name).strip() if name is not None else ""
    display = decode_rfc2047(phrase) if phrase else None
    return (Address(display_name=display, address=address, domain=address_domain(address)),)


def _parse_address_list(text: str) -> tuple[Address, ...]:
    simple = _parse_simple_mailbox(text)
    if simple is not None:
        return simple
    return _parse_address_list_tokens(text)


def _parse_address_list_tokens(text: str) -> tuple[Address, ...]:
    """The plain reading: every mailbox from the tokens."""
    out: list[Address] = []
    for mailbox in _mailbox_tokens(_tokenize(text)):
        built = _build(mailbox, text)
        if built is not None:
            out.append(built)
            if len(out) >= MAX_ADDRESSES:
                break
    return tuple(out)


UNBRACKETED_NAME = "a display name without angle brackets"
_LOST_CHARACTERS = frozenset("?\ufffd")


def address_field_defects(value: str, lost_names: bool = True) -> tuple[str, ...]:
    """See ``_address_field_defects``; short values are remembered, as by ``parse_addresses``
    (a mailbox's To: and Cc: lists repeat from message to message)."""
    if len(value) <= _CACHED_VALUE_LENGTH:
        return _short_address_field_defects(value, lost_names)
    return _address_field_defects(value, lost_names)


@lru_cache(maxsize=_CACHED_VALUES)
def _short_address_field_defects(value: str, lost_names: bool) -> tuple[str, ...]:
    return _address_field_defects(value, lost_names)


def _address_field_defects(value: str, lost_names: bool) -> tuple[str, ...]:
    """What is wrong with an address field's mailboxes, for the field's defects (at most one
    note of each kind): a name written without the angle brackets around the address, and
    (``lost_names``) a name that is only '?' or U+FFFD, the trace of a charset lost on the way.
    A field of bytes that are not UTF-8 is read again in a legacy charset, whose name then
    holds the characters: ``lost_names`` False."""
    notes: dict[str, str] = {}
    text = value[:MAX_VALUE_LENGTH]
    for count, mailbox in enumerate(_mailbox_tokens(_tokenize(text))):
        if count >= MAX_ADDRESSES:
            break
        built = _build(mailbox, text)
        if built is None:
            continue
        if UNBRACKETED_NAME not in notes and not any(t.kind == "angle" for t in mailbox) \
                and _unbracketed_split(mailbox) is not None:
            # RFC 5322 section 3.4: a display name goes with an angle-addr. Most often a web
            # page or a ticket tool took "<...>" for markup and dropped it.
            notes[UNBRACKETED_NAME] = (
                f"{UNBRACKETED_NAME} (RFC 5322 section 3.4 wants \"name <address>\"; a web page or "
                f"a paste may have removed them): read as the name "
                f"\"{address_safe_shortened(built.display_name or '', 80)}\" and the address "
                f"{address_safe_shortened(built.address, 120)}")
        name = (built.display_name or "").replace(" ", "")
        if lost_names and LOST_NAME not in notes and len(name) >= 2 and _LOST_CHARACTERS.issuperset(name):
            # A program that could not convert the name's charset wrote '?' for each character
            # (Python's and iconv's "replace", archives that stored the text as ASCII): what
            # the name was cannot be told from the message.
            notes[LOST_NAME] = (
                f"{LOST_NAME} (\"{address_safe_shortened(built.display_name or '', 40)}\" for "
                f"{address_safe_shortened(built.address, 120)}): its characters were lost in a charset conversion on the way "
                "or in an archive, and the original name cannot be recovered")
    return tuple(notes.values())


# A quoted-string inside an addr-spec ('"a@b"@example.com'): its "@" is part of the local part.
_quoted_re = compiled_on_first_use(r'"(?:[^"\\]|\\.){0,256}"')


def originator_field_problems(name: str, value: str) -> tuple[str, ...]:
    """Why an originator field's value is no valid field, in words (RFC 5322 section 3.6.2: From:
    is a mailbox-list, Sender: one mailbox, Reply-To: an address-list, each with at least one
    address; section 3.4.1: one "@" between the local part and the domain, another only inside
    a quoted local part); () for a valid one. ``name`` as the field is named."""
    problems: list[str] = []
    text = value[:MAX_VALUE_LENGTH]
    if not text.strip():
        wanted = "one mailbox" if name.lower() in ("sender", "resent-sender") else "at least one address"
        return (f"{name}: is empty, but RFC 5322 section 3.6.2 requires {wanted} there",)
    addresses = parse_addresses(text)
    for address in addresses[:20]:
        unquoted = _quoted_re().sub("", address.address) if '"' in address.address else address.address
        if unquoted.count("@") > 1:
            problems.append(f"{name}: {address.address[:120]} holds {unquoted.count('@')} \"@\", but an address has "
                            "one, between its local part and its domain (RFC 5322 section 3.4.1)")
            break
    if name.lower() in ("sender", "resent-sender") and len(addresses) > 1:
        real = [i for i, a in enumerate(addresses) if a.domain is not None]
        if len(real) == 1 and real[0] == len(addresses) - 1:
            # "GLS-Benachrichtigung, <service@stayfriends.de>": one mailbox whose display name has an
            # unquoted comma, which splits the field into entries before the mailbox that hold no
            # address (review V17 N10). A display name is a phrase of atoms and quoted strings
            # (RFC 5322 section 3.4), and "," is one of the specials no atom holds (section 3.2.3).
            before = addresses[0].address[:80]
            problems.append(f"{name}: has an unquoted comma in its display name, which splits it: \"{before}\" "
                            f"before the comma is read as a mailbox of its own, with no address, so the field "
                            f"holds {len(addresses)} entries where RFC 5322 section 3.6.2 allows one mailbox; a "
                            "display name holding a comma must be quoted (RFC 5322 section 3.4)")
        else:
            problems.append(f"{name}: names {len(addresses)} mailboxes, but RFC 5322 section 3.6.2 allows one")
    return tuple(problems)


# An RFC 2047 encoded-word: "=?charset?Q|B?text?=", at most 75 characters (RFC 2047 section 2),
# so every repetition is bounded.
_encoded_word_re = compiled_on_first_use(r"=\?[^?\s]{1,64}\?[QqBb]\?[^?\s]{0,70}\?=")


def encoded_word_in_addr_spec(address: str) -> bool:
    """True when an addr-spec holds an RFC 2047 encoded-word ("=?UTF-8?Q?profess=C3=B6re?=@..."),
    which RFC 2047 section 5 (3) forbids there: no mail system decodes it, so the address is not
    the one a reader sees decoded, and mail to it is not delivered as meant. A non-ASCII address
    is written in UTF-8 (RFC 6532), never encoded. A known library bug writes it (CPython
    gh-122476), and it hides the real characters of a local part or domain from a quick look."""
    return "=?" in address and _encoded_word_re().search(address[:1024]) is not None


_quoted_path_re = compiled_on_first_use(r'"(?:[^"\\\r\n]|\\.){0,256}"[^\s<>]{0,256}')


def envelope_address(value: str | None) -> str | None:
    """The path of Return-Path/envelope-from: ``<a@b>`` -> ``a@b``; ``<>`` -> ``""`` (null
    sender), as is a bare ``MAILER-DAEMON``: Postfix's local delivery writes the null sender
    so ("Return-Path: <MAILER-DAEMON>"), and no address lacks a domain."""
    if value is None:
        return None
    text = value.strip()[:MAX_VALUE_LENGTH]
    if not text:
        return None
    if text.startswith("<"):
        end = text.find(">")
        inner = text[1:end] if end >= 0 else text[1:]
        path = _strip_route(inner.strip())
    else:
        # No brackets (some MTAs write envelope-from=a@b): the first word is the path, a quoted
        # local part whole, spaces and all (RFC 5321 section 4.1.2's Quoted-string).
        quoted = _quoted_path_re().match(text) if text[0] == '"' else None
        word = quoted.group() if quoted is not None else text.split()[0]
        path = "" if word in ("<>", '""') else word
    return "" if path.upper() == "MAILER-DAEMON" else path


def _is_address_like(text: str) -> bool:
    return "@" in text and address_domain(text) is not None


# --- SRS (Sender Rewriting Scheme; libsrs2 / Shevek's "SRS" paper) ---------------------------

# SRS0<sep>HASH=TT=orig-domain=orig-local@forwarder; <sep> is '=', '+' or '-'.
_SRS0 = re.compile(r"(?i)^SRS0[=+-]([^=]*)=([^=]*)=([^=]*)=(.*)$")
# SRS1<sep>HASH=first-forwarder=<sep>SRS0-opaque@forwarder.
_SRS1 = re.compile(r"(?i)^SRS1[=+-]([^=]*)=([^=]*)=[=+-](.*)$")
# Microsoft 365 writes "bounces+SRS=HASH=TT=orig-domain=orig-local@forwarder".
_MS_SRS = re.compile(r"(?i)^[^@+]*\+SRS=([^=]*)=([^=]*)=([^=]*)=(.*)$")


def _srs0_original(opaque: str) -> str | None:
    """``HASH=TT=domain=local`` -> ``local@domain``."""
    parts = opaque.split("=", 3)
    if len(parts) != 4 or not parts[2] or not parts[3]:
        return None
    return f"{parts[3]}@{parts[2]}"


# Gmail's and Google Workspace's automatic forwarding sends the message on with the envelope
# sender "forwarder+caf_=destination=domain@forwarder-domain": the forwarding mailbox, tagged with
# where it forwards to ("=" for its "@"), so that bounces return to the forwarding mailbox.
_google_forward_re = compiled_on_first_use(r"^(.{1,64}?)\+caf_=(.{1,64})=([^=@\s]{1,253})@([^@\s]{1,253})$",
                                           re.IGNORECASE)


def google_forwarding(address: str | None) -> tuple[str, str] | None:
    """(forwarding mailbox, destination) of a Google forwarding envelope sender
    ("andris+caf_=andris.reinman=gmail.com@tr.example" is andris@tr.example forwarding to
    andris.reinman@gmail.com); None when the address is not one."""
    if not address or "+caf_=" not in address.lower():
        return None
    match = _google_forward_re().match(address[:MAX_VALUE_LENGTH])
    if match is None:
        return None
    return f"{match.group(1)}@{match.group(4)}", f"{match.group(2)}@{match.group(3)}"


def decode_srs(address: str | None) -> SrsInfo | None:
    """Decode an SRS0/SRS1 (or Microsoft ``bounces+SRS=``) address; None when it is not one."""
    if not address or "@" not in address:
        return None
    local, forwarder = address[:MAX_VALUE_LENGTH].rsplit("@", 1)
    forwarder = forwarder.lower().rstrip(".")
    match = _SRS0.match(local) or _MS_SRS.match(local)
    if match is not None:
        domain, orig_local = match.group(3), match.group(4)
        original = f"{orig_local}@{domain}" if domain and orig_local else None
        return SrsInfo(scheme="SRS0", original_sender=original, forwarder=forwarder)
    match = _SRS1.match(local)
    if match is not None:
        first = match.group(2).lower() or None
        return SrsInfo(scheme="SRS1", original_sender=_srs0_original(match.group(3)),
                       forwarder=forwarder, first_forwarder=first)
    if local[:4].upper() in ("SRS0", "SRS1"):
        # Recognisably SRS but not decodable (truncated or mangled).
        return SrsInfo(scheme=local[:4].upper(), original_sender=None, forwarder=forwarder)
    return None


# --- VERP and bounce addresses ----------------------------------------------------------------

@frozen
class BounceAddress(Value):
    """What an envelope sender's shape says about who handles its bounces."""

    kind: str
    """``verp`` (an address is encoded in the local part, one bounce address per recipient),
    ``batv`` (the sender's own address with a signed tag) or ``bounce`` (a bounce-handling
    address, an email service provider's included)."""
    encoded_recipient: str | None
    """The address read back from the local part (``encodes`` says whose it is); for BATV, the
    sender's address under the tag."""
    reason: str
    """Which pattern matched, in words."""
    encodes: str = ""
    """Whose address the local part encodes: ``recipient`` (one of the message's envelope or header
    recipients: VERP), ``sender`` (its From:, Sender: or Reply-To: address: a service's bounce
    mailbox for that sender), ``address`` (an address the message names nowhere else) or "" (none, or
    said in ``reason``: Salesforce's sending address beside a token)."""


# VERP (Bernstein 1997): the recipient user@example.com is encoded as "user=example.com" after a
# '+' or '-' separator, e.g. list-bounces+user=example.com@lists.example.org (Mailman, SendGrid),
# bounce-mc.us1_123-user=example.com@mail1.mcsv.net (Mailchimp), list-return-42-user=example.com@
# (ezmlm). The domain part must look like a domain.
_VERP_RECIPIENT = re.compile(r"[+\-]([A-Za-z0-9!#$%&'*/?^_`{|}~.]{1,64})=([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+)$")
# vger.kernel.org's (ZMailer) form: the "@" hex-escaped as "=40" and a per-message tag after
# the domain: "linux-kernel-owner+willy=40example.org-S964934AbWDDBLo@vger.kernel.org".
_verp_hex_at_re = compiled_on_first_use(r"[+\-]([A-Za-z0-9!#$%&'*/?^_`{|}~.]{1,64})=40((?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63})"
                          r"(?:-[A-Za-z0-9_]{1,60})?$")
# ezmlm/qmail "-return-NNN-" numbered bounces.
_RETURN_NUMBER = re.compile(r"(?i)-return-\d+(?:-|$)")
# ezmlm's per-recipient form "LIST-return-NNN-LOCAL=HOST@list.domain": everything after the
# number is the recipient, whose own local part may hold '-' and '+' ("listarch-cygwin-patches").
_ezmlm_recipient = compiled_on_first_use(r"(?i)-return-\d+-([A-Za-z0-9!#$%&'*+/?^_`{|}~.-]{1,64})="
                              r"([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+)$")
# Local parts that name a bounce handler: bounce, bounces, bnc, return(s), mailer-daemon, ...,
# and a service's "PREFIX_bounces": Postmark's default Return-Path, pm_bounces@pm.mtasv.net (its
# servers' "envelope-from <pm_bounces@pm.mtasv.net>" on a 2025 post to git@vger.kernel.org).
_BOUNCE_LOCAL = re.compile(r"(?i)^(?:(?:[a-z0-9]{1,20}_)?bounces?|bnc|returns?|return-path|mailer-daemon)(?:$|[+\-=._\d])")
# Bounce-handling subdomains: bounce.example.com, bounces.mail.example.com, bnc3.example.com,
# pm-bounces.example.com (Postmark), mailer-bounces.example.com.
_BOUNCE_LABEL = re.compile(r"(?i)^(?:(?:[a-z0-9]{1,20}-)?bounces?|bnc\d*|returns?|rp)(?:$|[-.\d])")
# Google Groups: "group+bncBDxxxx@googlegroups.com", an opaque per-recipient bounce token.
_GROUPS_BOUNCE_TOKEN = re.compile(r"\+bnc[A-Za-z0-9_-]{6,}$")
# A per-message token (Amazon SES's "0100018c...-uuid-000000" and similar): 20+ characters of
# hex digits and dashes with at least 12 digits, used to match a bounce back to one message.
_TRACKING_TOKEN = re.compile(r"^[0-9a-fA-F-]{20,}$")
# The same in base 36 (HubSpot's "1axb9lvdcpn34bfn6j4jfeyp2rsoz4m51ae55n@bf53x.hubspotemail.net"):
# 32 to 64 letters and digits of one case, with digits among the letters (see _base36_token).
_BASE36_TOKEN = re.compile(r"^(?:[0-9a-z]{32,64}|[0-9A-Z]{32,64})$")
# A sending address encoded as user=domain, then "__" and a token, at a domain with a "bnc"
# label below its registrable part: Salesforce's bounce management ("info=emjtpisc.com__0-1r12zvjmnf8rqu.
# l9azxrxo3x5g2pzm@xqfk2ane5qjq38ec.gpawymg.8d-3trx3eag.um8.bnc.salesforce.com", a 2022 copy in the
# lfdr.de archive of clang-built-linux@googlegroups.com; "support=akamai.com__9m4vlv27x6v0rxwe@
# mmh2xurvokdh.a-hu5amac.na63.bnc.salesforce.com", 2018). The domain part ends before the "__"
# (no "_" in a domain), so a local part holding "_" is read right.
_bnc_token_re = compiled_on_first_use(r"([A-Za-z0-9!#$%&'*+/?^_`{|}~.-]{1,64})=((?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63})"
                                      r"__([A-Za-z0-9._-]{1,120})")


# SparkPost's (Message Systems Momentum's) envelope sender: "msprvs1=TAG=bounces-CUSTOMER[-SUBACCOUNT]@
# bounce domain", the form its webhook events show as msg_from ("Sender address used on this
# message's SMTP envelope") beside the customer_id and subaccount_id they number
# (https://developers.sparkpost.com/api/webhooks/); the bounce domain is SparkPost's own or a
# customer's domain pointed at it by CNAME (https://developers.sparkpost.com/api/sending-domains/,
# "Using a sending domain as a bounce domain").
_msprvs_mailbox_re = compiled_on_first_use(r"^bounces-(\d{1,15})(?:-(\d{1,15}))?$", re.IGNORECASE)


def _encoded_in(lowered: str, addresses: tuple[str, ...]) -> str | None:
    """The first of ``addresses`` that the local part ends with in the user=domain form, after a
    '+', '-' or '=' separator (the address's own local part may hold '-' and '+')."""
    for candidate in addresses[:200]:
        if "@" in candidate:
            c_local, c_domain = candidate.lower().rsplit("@", 1)
            encoded = f"{c_local}={c_domain}"
            if lowered.endswith(encoded) and lowered[: -len(encoded)][-1:] in ("+", "-", "="):
                return candidate.lower()
    return None


def _base36_token(local: str) -> bool:
    """Whether a local part is a service's base-36 per-message token: 32 to 64 letters and
    digits of one case, with at least two digits and three changes between a letter and a digit
    (a person's long name with a year at its end has one)."""
    if _BASE36_TOKEN.match(local) is None:
        return False
    digits = sum(c.isdigit() for c in local)
    changes = sum(a.isdigit() != b.isdigit() for a, b in itertools.pairwise(local))
    return digits >= 2 and changes >= 3


def _bnc_token_bounce(local: str, domain: str, senders: tuple[str, ...]) -> BounceAddress | None:
    """Salesforce's form (see _bnc_token_re): the sending address and a token, at a "bnc" domain."""
    match = _bnc_token_re().fullmatch(local)
    if match is None or "bnc" not in domain.lower().split(".")[:-2]:
        return None
    sending = f"{match.group(1)}@{match.group(2)}".lower()
    whose = (f"the sender's address {sending}, written in From:, Sender: or Reply-To:,"
             if any(sending == s.lower() for s in senders[:200]) else f"a sending address, {sending},")
    # Named as Salesforce's only under its own domain: anyone can write the form (verification V33).
    salesforce = domain.lower().rstrip(".").endswith(".salesforce.com")
    form = ("the form of Salesforce's bounce management, whose token tells the service which message and "
            "recipient a bounce is for" if salesforce else
            "the form of Salesforce's bounce management, though at a domain that is not Salesforce's "
            f"({domain[:120]}): a bounce address of some sending service, or written to look like one")
    return BounceAddress("bounce", sending,
                         f"{whose} encoded as user=domain, then a '__' token, at a 'bnc' bounce subdomain: {form}")


def _sparkpost_bounce(local: str) -> BounceAddress:
    """SparkPost's "msprvs1=TAG=MAILBOX": a tag the service signs, so that it takes back only
    bounces of mail it sent, in front of its bounce mailbox for one customer account. Not BATV's
    prvs= (draft-levine-smtp-batv), whose tag guards the sender's own address."""
    mailbox = local.split("=", 2)[2] if local.count("=") >= 2 else ""
    match = _msprvs_mailbox_re().match(mailbox[:64])
    account = ""
    if match is not None:
        sub = f", subaccount {match.group(2)}" if match.group(2) else ""
        account = f", here '{mailbox}' (customer {match.group(1)}{sub})"
    return BounceAddress("bounce", None,
                         "SparkPost's signed form 'msprvs1=TAG=MAILBOX', from Message Systems' Momentum: a tag the "
                         "service signs, so that it accepts only bounces of mail it sent, in front of its bounce "
                         f"mailbox for one customer account{account}, at SparkPost's bounce domain or one the "
                         "customer points at SparkPost")


def classify_bounce_address(address: str | None, recipients: tuple[str, ...] = (),
                            senders: tuple[str, ...] = ()) -> BounceAddress | None:
    """VERP or bounce-handler shape of an envelope sender; None when it looks like a person's.

    ``recipients`` (the envelope and header recipients) settle which recipient a VERP address
    encodes when the encoded local part itself holds '-' or '+'; ``senders`` (From:, Sender:,
    Reply-To:) tell an address that encodes the sender's own (a service's bounce mailbox for that
    sender, such as Brevo's "bounces-ACCOUNT-user=domain@") from one that encodes a recipient.
    """
    # Read bounded: an "@" only past the first 1024 characters (a local part far over RFC 5321's
    # 64) leaves nothing to classify; split unchecked, it raised ValueError and ended the analysis.
    head = address[:1024] if address else ""
    if "@" not in head:
        return None
    local, domain = head.rsplit("@", 1)
    lowered = local.lower()
    if "+caf_=" in lowered:
        # Gmail's auto-forwarding envelope ("user+caf_=target=gmail.com@domain"): a forward of
        # one mailbox, which the forwarding difference explains, not a list's bounce address.
        return None
    if lowered.startswith("msprvs1="):
        return _sparkpost_bounce(local)
    if "__" in local and (bnc := _bnc_token_bounce(local, domain, senders)) is not None:
        return bnc
    recipient = _encoded_in(lowered, recipients)
    if recipient is not None:
        return BounceAddress("verp", recipient, "the recipient's address is encoded in the local part (user=domain)",
                             "recipient")
    sender = _encoded_in(lowered, senders)
    if sender is not None:
        return BounceAddress("bounce", sender,
                             f"the sender's address ({sender}) is encoded in the local part (user=domain): the "
                             "sending service's bounce address for that sender, the same on every recipient's copy",
                             "sender")
    verp = _verp_hex_at_re().search(local) if "=40" in local else None
    verp = verp or _ezmlm_recipient().search(local) or _VERP_RECIPIENT.search(local)
    if verp is not None:
        # Nothing says whose address it is: VERP senders encode the recipient, but this one is
        # none of the recipients or senders the message names (a Bcc, a list member, a copy
        # whose envelope is lost).
        return BounceAddress("verp", f"{verp.group(1)}@{verp.group(2).lower()}",
                             "an address is encoded in the local part (user=domain)", "address")
    if _RETURN_NUMBER.search(local):
        return BounceAddress("verp", None, "a numbered '-return-NNN-' bounce address (ezmlm/qmail VERP)")
    if local.upper().startswith("PRVS=") or lowered.startswith("btv1=="):
        # BATV (draft-levine-smtp-batv section 4.1): "prvs=TAG=user", the sender's own local
        # part behind a signed tag that lets its server refuse bounces of mail it never sent.
        # (Barracuda's btv1== is the same idea.) Older writers put the user first: "prvs=user/TAG".
        rest = local.split("=", 1)[1].lstrip("=")
        user = rest.rsplit("=", 1)[1] if "=" in rest else rest.split("/", 1)[0] if "/" in rest else ""
        underlying = f"{user}@{domain}" if user else None
        return BounceAddress("batv", underlying, "a BATV-signed bounce address")
    if _GROUPS_BOUNCE_TOKEN.search(local):
        return BounceAddress("bounce", None, "a '+bnc' bounce token (Google Groups), which encodes the recipient")
    if _BOUNCE_LOCAL.match(local):
        # Whole up to RFC 5321's 64 octets (section 4.5.3.1.1); a longer one is cut visibly (V46a:
        # Mandrill's and Salesforce's VERP local parts lost their ends at 40 without a mark).
        # The whole address, so that --redact masks the local part as in any address (V48b D2-4).
        shown = local if len(local) <= 64 else local[:61] + "..."
        return BounceAddress("bounce", None, f"the local part of '{shown}@{domain}' names a bounce handler")
    first_label = domain.split(".", 1)[0]
    if _BOUNCE_LABEL.match(first_label) and "." in domain:
        return BounceAddress("bounce", None, f"the domain '{domain.lower()[:80]}' is a bounce-handling subdomain")
    if _TRACKING_TOKEN.match(local) and sum(c.isdigit() for c in local) >= 12:
        return BounceAddress("bounce", None, "the local part is a per-message tracking token")
    if _base36_token(local):
        return BounceAddress("bounce", None, "the local part is a per-message tracking token (base 36)")
    return None


# Characters a mail program shows as '@' or '.' that are neither (NFKC folds most; these two
# full stops it keeps), and the bidi controls that reverse what follows them on screen.
_LOOKALIKE_DOTS = str.maketrans({"\u3002": ".", "\uff61": "."})
_REVERSING = ("\u202e", "\u2067")


# Rendered as nothing (text.IGNORABLE_NOT_FORMAT): dropped from the text a reader sees.
_IGNORABLE_NOT_FORMAT = compiled_on_first_use(f"[{IGNORABLE_NOT_FORMAT}]")


def shown_as(text: str) -> str:
    """Text as a reader sees it, for finding an address a display name or local part shows:
    compatibility forms folded (U+FF20 FULLWIDTH COMMERCIAL AT and U+FE6B SMALL COMMERCIAL AT to
    '@', full-width and leader dots to '.', by NFKC, Unicode UAX #15), invisible format characters
    dropped with the other characters Unicode renders as nothing (Default_Ignorable_Code_Point:
    variation selectors, the combining grapheme joiner, Hangul fillers), the text after a
    right-to-left override reversed, and spaces around '@' closed up."""
    text = text[:4096]
    if not text.isascii():
        import unicodedata

        for control in _REVERSING:
            before, found, after = text.partition(control)
            if found:
                text = before + after[::-1]
        text = unicodedata.normalize("NFKC", text).translate(_LOOKALIKE_DOTS)
        text = _IGNORABLE_NOT_FORMAT().sub("", "".join(ch for ch in text if unicodedata.category(ch) != "Cf"))
    if " @" in text or "@ " in text:
        text = re.sub(r"[ \t]{1,10}@[ \t]{0,10}|@[ \t]{1,10}", "@", text)
    return text


def contained_addresses(text: str | None) -> tuple[str, ...]:
    """Addresses written inside a display name (``"paypal@paypal.com" <x@evil.test>``), also in
    look-alike characters a reader shows as an address (see shown_as)."""
    if not text:
        return ()
    if "@" not in text:
        if text.isascii():
            return ()
        text = shown_as(text)
        if "@" not in text:
            return ()
    else:
        text = shown_as(text)
    found: list[str] = []
    for word in re.split(r"[\s<>()\[\]\"',;:]+", text[:4096]):
        word = word.strip(".")
        if _is_address_like(word) and "." in word.rsplit("@", 1)[1]:
            found.append(word.lower())
    return tuple(found)


# A domain name written in a display name ("Amazon.co.jp", "PayPal.com"): labels of letters,
# digits and hyphens, not part of an address or of a longer word.
_displayed_domain_re = compiled_on_first_use(
    r"(?<![\w@.-])((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,10}[A-Za-z]{2,63})(?![\w@-]|\.\w)")


def displayed_domains(text: str | None) -> tuple[str, ...]:
    """Domain names written in a display name, lower case, whose top-level label the Public
    Suffix List knows ("Amazon.co.jp" yes, "Node.js" no) and which have a registrable part;
    addresses are left to ``contained_addresses``."""
    if not text or "." not in text:
        return ()
    found: list[str] = []
    for match in _displayed_domain_re().finditer(text[:1024]):
        name = match.group(1).lower()
        if not is_listed_tld(name.rsplit(".", 1)[1]):
            continue
        org = organizational_domain(name)
        if org and org != name.rsplit(".", 1)[1] and "." in org and name not in found:
            found.append(name)
        if len(found) >= 5:
            break
    return tuple(found)
