"""Parse one Received header value into its fields (RFC 5321 section 4.4).

RFC 5321 section 4.4 gives the grammar (``from`` / ``by`` / ``via`` / ``with`` / ``id`` /
``for``, then ``;`` and a date-time), but real MTAs write many dialects of it and spam writes
anything. The parser therefore works in one linear tokenizing pass (words, balanced comments,
``<angle-addresses>``, ``[address-literals]``, quoted strings, semicolons), then reads clauses
from the token list, and reads the client's HELO / reverse-DNS name / IP from the ``from``
clause by the shape each MTA family uses:

* Postfix / sendmail: ``from HELO (RDNS [IP])``, ``from HELO (ident@RDNS [IP])``
* Exim / ecelerity:   ``from RDNS ([IP]:port helo=HELO)``; Exim 3: ``from RDNS (HELO) [IP]``
* qmail / CriticalPath: ``from RDNS (HELO x) (ident@IP)``; ``from RDNS (IP)`` when HELO = RDNS
* Exchange:           ``from HELO (IP) by ... with Microsoft SMTP Server``
* CommuniGate:        ``from [IP] (account u HELO x)``, ``from RDNS ([IP] verified)``
* XMail:              ``from HELO (IP:port) ... for <rcpt> from <envelope-sender>``

No regex here can backtrack catastrophically: every pattern is either anchored over a short,
bounded string or uses non-overlapping character classes. Values longer than
``MAX_PARSED_CHARS`` are cut (and say so). ``parse_received`` never raises.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

from ._value import frozen_maker
from .model import ReceivedFields, TlsInfo
from .text import address_safe_shortened, compiled_on_first_use, redaction_mark

# Real Received values are well under 2 KB; a value longer than this is hostile or broken.
# Cutting keeps time and memory bounded (the date is still looked for at the very end): the
# tokenizer costs microseconds per token, and a hostile value is all one-character tokens.
MAX_PARSED_CHARS = 8 * 1024
# Deeper nesting is legal (RFC 5322 section 3.2.2) but never written by an MTA: reported.
MAX_COMMENT_DEPTH = 32
MAX_PROBLEMS = 12
# Comments longer than this are only partly searched for TLS / auth markers.
MAX_COMMENT_SCAN = 1024
# At most this many comments are searched for TLS / auth / envelope markers.
MAX_COMMENTS_SCANNED = 64






class _Tok(NamedTuple):
    kind: str
    """W word, C comment (text = inner content), A <angle>, B [literal], Q "quoted", S ;, X stray."""
    text: str
    start: int
    end: int


# One token at a time from a given position (leading whitespace skipped in the same match).
# The alternatives are tried in order; each is a single character-class run or a bounded
# run, so a failed attempt costs at most 256 characters.
_token_re = compiled_on_first_use(
    r"\s*(?:"
    r"(;)"  # 1 semicolon
    # 2 angle address (may hold ';' as in ORCPT <rfc822;x>), or one name-addr nested in it as
    # Salesforce writes "for <\"a@b\" <a@b>>": one level, bounded, so still linear.
    r"|(<[^<>()]{0,256}(?:<[^<>()]{0,256}>[^<>()]{0,16})?>)"
    # 3 address literal or bracketed text, with at most one parenthesised part inside as Runbox
    # writes its login: "with esmtpsa [Authenticated alias (536975)]" (bounded, so still linear).
    r"|(\[[^\[\]()]{0,256}(?:\([^\[\]()]{0,64}\)[^\[\]()]{0,64})?\])"
    # 4 quoted string, its quoted-pairs read (RFC 5321 section 4.1.2 QcontentSMTP, RFC 5322 section
    # 3.2.4): '"victim+\\" by x"' is one string, not one ending before "by" (V58a D1-1). One left
    # open or longer than the bound is a lone '"' (kind X): see _address_broken_at.
    r'|("(?:[^"\\\r\n]|\\[^\r\n]){0,256}")'
    r'|([^\s()<>\[;"]+)'  # 5 word
    r"|(\()"  # 6 comment start: resolved through the precomputed paren map
    r"|(.))",  # 7 anything else (stray bracket or paren)
    re.S,
)
_paren_re = compiled_on_first_use(r"[()\\]")
_KINDS = ("", "S", "A", "B", "Q", "W", "(", "X")
# Builds a _Tok without the Python-level NamedTuple constructor (hot path).
_new_tok = tuple.__new__

_KEYWORDS = frozenset({"from", "by", "via", "with", "id", "for"})
_MAX_CLAUSES = 64
_OVER_TLS = ["over", "tls", "secured", "channel"]
_PICKUP_SERVICE = ["mail", "pickup", "service"]
_ID_TRAILING_CLAUSES = frozenset(("ORCPT", "CONVERT", "TLS", "ENVELOPE-FROM"))
# A second "with" clause that says only that the hop was encrypted.
_TLS_WITH_WORDS = frozenset({"STARTTLS", "TLS", "SSL"})
_make_fields = frozen_maker(ReceivedFields)
_make_tls = frozen_maker(TlsInfo)


@functools.lru_cache(maxsize=256)
def _tls_info(encrypted: bool | None, version: str | None, cipher: str | None) -> TlsInfo:
    """One shared TlsInfo per combination: hops repeat a handful of them, and it is immutable
    (a bounded cache: hostile values only evict entries, memory stays at 256 of them)."""
    return _make_tls(encrypted=encrypted, version=version, cipher=cipher)


def _match_parens(text: str) -> tuple[dict[int, int], int]:
    """Map each '(' to its matching ')' in one linear pass; also the deepest nesting.

    Unmatched parentheses are left out of the map and later read as stray characters, so an
    unbalanced comment costs its '(' only, never the rest of the header.
    """
    matches: dict[int, int] = {}
    stack: list[int] = []
    deepest = 0
    escaped_at = -1
    for m in _paren_re().finditer(text):
        i = m.start()
        if i == escaped_at:
            continue
        c = text[i]
        if c == "\\":  # quoted-pair (RFC 5322 section 3.2.1) inside comments
            escaped_at = i + 1
        elif c == "(":
            stack.append(i)
            if len(stack) > deepest:
                deepest = len(stack)
        elif stack:
            matches[stack.pop()] = i
    return matches, deepest


# Where the receiver quotes an address the client chose: Exim's and Dovecot LMTP's
# "(envelope-from <MAIL FROM>)" and "for <RCPT TO>" (RFC 5321 section 4.4). The '<' only; what
# follows is read by _quoted_angle_re.
_quoted_angle_start_re = compiled_on_first_use(r"(?:\(envelope-from |(?<![^\s])for )<", re.I)
# An angle address holding at least one quoted string (RFC 5321 section 4.1.2: a Quoted-string
# local part may hold parentheses, spaces and '>'; RFC 5322 section 3.2.4, a quoted-pair inside).
# Bounded and unambiguous, so linear. A path is at most 256 octets (RFC 5321 section 4.5.3.1.3),
# but Postfix takes longer ones: a quoted string of up to 1,024 is read, as one longer than the
# bound would leave its parentheses to open comments.
_quoted_angle_re = compiled_on_first_use(
    r'<[^<>()"\r\n]{0,256}(?:"(?:[^"\\\r\n]|\\.){0,1024}"[^<>()"\r\n]{0,256}){1,4}>'
)
# A clause word inside such an address: the span is then left to the ordinary reading (see
# _quoted_angle_spans).
_by_word_re = compiled_on_first_use(r"(?:^|[\s()\"])by(?:[\s()\"]|$)", re.I)


def _quoted_angle_spans(text: str) -> tuple[dict[int, int], int]:
    """The quoted angle addresses the receiver copied from the client, start to end, and where
    one starts that cannot be read as one (-1 when none).

    A quoted local part may hold parentheses: MAIL FROM <"x) via HTTP (x"@example.net> makes Exim
    write '(envelope-from <"x) via HTTP (x"@example.net>)', which read by parentheses alone is a
    comment, the words "via HTTP" and another comment: webmail (V50a D1-3). Its text is the
    sender's address (RFC 5321 section 4.4), so its parentheses neither close nor open a comment.
    A unit in an envelope-from comment must be the whole of it ('>' then ')').
    The greeting is the client's text too, and may copy such an opening: Postfix writes
    'from x (envelope-from <"a (unknown [IP]) by mx ... for <"b>"@c>' for EHLO 'x (envelope-from
    <"a'. An address read as one unit there would swallow the receiver's own record; a span that
    holds the word "by" is therefore not one (the receiver's record always precedes its "by", so
    no span that leaves "by" out can hold it).
    A quoted local part with parentheses that is not read as one unit (it holds "by", more quoted
    strings or longer ones than the bounds, or it is not the whole envelope-from comment) leaves
    its parentheses to pair as comments, where the sender chose them ('<"x) via HTTP (by"@...>',
    V53f D1-3): its start is returned so that the field is marked as holding the client's text
    the parser could not place, never read as the receiver's words.
    """
    spans: dict[int, int] = {}
    refused = -1
    unread = 0
    angle = _quoted_angle_re()
    for start in _quoted_angle_start_re().finditer(text):
        at = start.end() - 1
        m = angle.match(text, at)
        if m is None:
            # Not a bounded unit: ambiguous only when a quoted string before the address's
            # closing '>' holds a parenthesis, or one is left open before a parenthesis (read
            # within what a unit could span: no unbounded work). A '>' inside a quoted string
            # does not end the address.
            if refused >= 0:
                continue
            stop = min(len(text), at + _UNIT_SPAN)
            opening = _quoted_opening_re().match(text, at, stop)
            run_end = opening.end() if opening is not None else at
            if text[run_end : run_end + 1] != '"':
                # No quoted local part: its parentheses are no address's. The run is read up to a
                # window, not 256 characters: a quote after 300 atom characters had been skipped,
                # its parentheses left to pair as comments (V55c D1-3). (A field is read up to
                # MAX_PARSED_CHARS, less than the window, so no run outlasts it.)
                continue
            unread += 1
            if unread > _UNREAD_UNITS:
                # More addresses that read as no unit than a stamp holds (one MAIL FROM, a RCPT
                # TO): the field is the client's text, and each look costs a window.
                refused = at
                continue
            region = _angle_address_re().match(text, at, stop)
            seen = region.group() if region is not None else ""
            if ("(" in seen or ")" in seen) or (
                    text[at + len(seen) : at + len(seen) + 1] == '"'
                    and _paren_re().search(text, at + len(seen), stop) is not None):
                refused = at
            continue
        end = m.end()
        inner = m.group()
        if "(" not in inner and ")" not in inner:
            continue
        if (start.group()[0] == "(" and text[end : end + 1] != ")") or _by_word_re().search(inner) is not None:
            # Not the whole of the comment, or holding a clause word: its parentheses are left
            # as they are, and the field is marked.
            if refused < 0:
                refused = at
            continue
        spans[at] = end
    return spans, refused


# The run before a quoted local part of an angle address (the first part of _quoted_angle_re, with
# no length bound: it is matched within a window of _UNIT_SPAN, and each run starts at its own '<',
# which ends any other, so the runs read are disjoint: linear). A '"' after it opens a quoted part.
_quoted_opening_re = compiled_on_first_use(r'<[^<>()"\r\n]*')
# An angle address up to its closing '>' (not included), its quoted strings whole (RFC 5321
# section 4.1.2); it stops before a quoted string left open. Each alternative starts with its own
# characters, so the match is linear.
_angle_address_re = compiled_on_first_use(r'<(?:[^<>"\r\n]|"(?:[^"\\\r\n]|\\.)*")*')
_paren_re = compiled_on_first_use(r"[()]")
# The most a unit of _quoted_angle_re can span: 4 quoted strings of 1,024 and 5 runs of 256.
_UNIT_SPAN = 4 * (1024 * 2 + 2) + 5 * 256 + 2
# How many addresses that read as no unit are looked into (see _quoted_angle_spans).
_UNREAD_UNITS = 8


_NO_PARENS = str.maketrans("()", "__")


def _tokenize(text: str) -> tuple[list[_Tok], int, int]:
    """Split into tokens; comments are balanced (nested ones stay inside their parent). Also the
    deepest nesting, and where a quoted address starts that cannot be read as one unit (-1 when
    none; see _quoted_angle_spans)."""
    units, refused = _quoted_angle_spans(text) if '"' in text and "<" in text else (None, -1)
    if units:
        # Parentheses inside a quoted address are the sender's characters, not comment marks.
        # Each unit is then neutral: "(envelope-from <...>)" balanced by itself, "for <...>"
        # holding none, so the parentheses around it pair as the receiver wrote them.
        pieces: list[str] = []
        done = 0
        for at, end in units.items():
            pieces.append(text[done:at])
            pieces.append(text[at:end].translate(_NO_PARENS))
            done = end
        pieces.append(text[done:])
        matches, deepest = _match_parens("".join(pieces))
    else:
        matches, deepest = _match_parens(text) if "(" in text else ({}, 0)
    toks: list[_Tok] = []
    append = toks.append
    match = _token_re().match
    kinds = _KINDS
    pos = 0
    n = len(text)
    while pos < n:
        m = match(text, pos)
        if m is None:  # only trailing whitespace is left
            break
        group = m.lastindex or 7
        start = m.start(group)
        if group == 6:
            close = matches.get(start)
            if close is not None:
                append(_new_tok(_Tok, ("C", text[start + 1 : close], start, close + 1)))
                pos = close + 1
                continue
            group = 7
        elif group == 7 and units and start in units:
            # A quoted address with parentheses (not in the angle token's own pattern).
            end = units[start]
            append(_new_tok(_Tok, ("A", text[start:end], start, end)))
            pos = end
            continue
        end = m.end()
        append(_new_tok(_Tok, (kinds[group], text[start:end], start, end)))
        pos = end
    return toks, deepest, refused


def _strip_nested(inner: str) -> str:
    """Comment content without its nested comments (linear)."""
    if "(" not in inner:
        return inner
    out: list[str] = []
    depth = 0
    last = 0
    for m in _paren_re().finditer(inner):
        i = m.start()
        c = inner[i]
        if c == "(":
            if depth == 0:
                out.append(inner[last:i])
            depth += 1
        elif c == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                last = i + 1
                out.append(" ")
    if depth == 0:
        out.append(inner[last:])
    return "".join(out)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _flat(inner: str) -> str:
    """Comment content with nested parentheses dropped but their text kept, collapsed."""
    if '"' in inner and inner[:9].lower() == "envelope-":
        # '(envelope-from <"x) (y"@example.net>)' as one comment (_quoted_angle_spans): the
        # parentheses are the address's own characters, which its reader needs.
        return _collapse(inner[:MAX_COMMENT_SCAN])
    return _collapse(inner[:MAX_COMMENT_SCAN].replace("(", " ").replace(")", " "))


def _written(tokens: Sequence[_Tok]) -> str:
    """Tokens' text as the field writes it: a space between two, none where one ends where the next
    starts. The tokenizer splits an address at its literal or its quoted local part ("bob@" and
    "[192.0.2.1]", '"bob smith"' and "@example.org"); a note that put a space there would show a
    mailbox name without its domain, which --redact cannot mask (verification V49b D3-2). (A token
    made up, not read, has no place: start and end 0.)"""
    out: list[str] = []
    previous_end = 0
    for t in tokens:
        if out and not (t.start == previous_end > 0):
            out.append(" ")
        out.append(t.text)
        previous_end = t.end
    return "".join(out)


def _snippet(text: str, limit: int = 60) -> str:
    # Not cut inside an address: --redact would show the start of a mailbox name left without
    # the "@" and domain it needs to know it (address_safe_shortened).
    return address_safe_shortened(_collapse(text), limit)


# ---------------------------------------------------------------------------------------------
# Addresses and names


_IP_CHARS_RE = re.compile(r"^[0-9A-Fa-f:.]+$")
# IPv4 exactly as ipaddress writes it: decimal octets 0-255 without leading zeros.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_IPV4_RE = re.compile(_OCTET + r"(?:\." + _OCTET + r"){3}")
_v4_port_re = compiled_on_first_use(r"^(\d{1,3}(?:\.\d{1,3}){3})[.:](\d{1,5})$")


def _read_ip(text: str) -> tuple[str | None, bool]:
    # Cached: the same relays' addresses recur (a bounded cache; the result is immutable).
    if len(text) > 80:
        return None, False
    return _read_ip_cached(text)


@functools.lru_cache(maxsize=4096)
def _read_ip_cached(text: str) -> tuple[str | None, bool]:
    """The IP in ``1.2.3.4``, ``[1.2.3.4]``, ``[IPv6:2001:db8::1]``, ``1.2.3.4:25``,
    ``1.2.3.4.25`` (Exim 3 port) or ``::ffff:1.2.3.4`` (read as the IPv4 it maps);
    and whether a port was attached."""
    s = text.strip()
    if s.startswith("[") and s.endswith("]"):
        s = s[1:-1].strip()
    if s[:5].lower() == "ipv6:":
        s = s[5:]
    if "%" in s:
        # An IPv6 zone index ("fe80::1%11", RFC 4007 section 11) names an interface of the
        # receiving host: meaningless elsewhere, so the address is kept without it.
        s, _, zone = s.partition("%")
        if ":" not in s or not zone.isalnum():
            return None, False
    if not s or len(s) > 64 or _IP_CHARS_RE.match(s) is None:
        return None, False  # cheap rejection: most candidates are host names
    if _CANONICAL_IPV4_RE.fullmatch(s) is not None:
        return s, False  # the usual case: ipaddress would read it and write the same text
    has_port = False
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(s)
    except ValueError:
        m = _v4_port_re().match(s)
        if m is None:
            return None, False
        try:
            address = ipaddress.ip_address(m.group(1))
        except ValueError:
            return None, False
        has_port = True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped), has_port
    return str(address), has_port


# Cyrus writes "from host ([unix socket])" for an LMTP delivery over a local socket: the
# client is the host itself, not a network address (RFC 2033 section 1: LMTP is local).
_LOCAL_SOCKETS = frozenset(("unix socket", "unix", "local", "local socket", "unix-socket", "socket"))


def _is_local_socket(text: str) -> bool:
    return " ".join(text.lower().split()) in _LOCAL_SOCKETS


def _is_unknown_literal(text: str) -> bool:
    """``[]`` or ``[unknown]``: the receiver wrote that it did not record the address
    (Coremail's "(unknown [])"), which is not a damaged literal."""
    return text.strip().lower() in ("", "unknown")


_leading_literal_re = compiled_on_first_use(r"\[([^\[\]]*)\]")
# A bracketed status word in the reverse-DNS slot, then the address literal.
_status_then_literal_re = compiled_on_first_use(r"^\[([A-Za-z][A-Za-z_ -]{0,30})\]\.? \[([^\[\]]*)\]$")


def _is_literal(text: str) -> bool:
    return text.startswith("[") and text.endswith("]")


def _rdns_name(name: str | None, allow_ip: bool = True) -> str | None:
    """``name`` when it can be a reverse-DNS name (a PTR target is fully qualified, so a
    dotless word other than ``localhost`` is a NetBIOS or HELO name); ``unknown`` and
    address literals are the MTA saying there was none."""
    if not name or _is_literal(name) or name.lower() in ("unknown", "unverified"):
        return None
    if "." not in name and name.lower() != "localhost":
        return None
    if not allow_ip and _read_ip(name)[0] is not None:
        return None
    return name.rstrip(".") or None


def _strip_angle(text: str) -> str:
    text = text.strip()
    while text.startswith("<") and text.endswith(">") and len(text) >= 2:
        text = text[1:-1].strip()
    return text


# ---------------------------------------------------------------------------------------------
# Dates (RFC 5322 section 3.3, obsolete forms of section 4.3, and what MTAs write instead)

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for name in names
}
# In datetime.weekday() order, Monday first.
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS = frozenset(name[:3].lower() for name in _DAY_NAMES)
# Every prefix of three letters or more of a day's name, lower case, to the day's index: the
# first name starting with a word is found in one look-up (no two days share three letters).
_DAY_PREFIXES = {name.lower()[:n]: index for index, name in enumerate(_DAY_NAMES) for n in range(3, len(name) + 1)}
# RFC 5322 section 4.3 obsolete zones, plus a few unambiguous ones MTAs write in comments or
# in place of the offset. Ambiguous names (IST, CST-China) are left out on purpose.
_ZONE_NAMES = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
    "EST": -5 * 60, "EDT": -4 * 60, "CST": -6 * 60, "CDT": -5 * 60,
    "MST": -7 * 60, "MDT": -6 * 60, "PST": -8 * 60, "PDT": -7 * 60,
    "WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120, "MET": 60, "MEST": 120,
    "EET": 120, "EEST": 180, "MSK": 180, "JST": 540, "KST": 540, "HKT": 480, "SGT": 480,
    "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
}  # fmt: skip
_time_re = compiled_on_first_use(
    r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,12}))?)?([+-]\d{2}:?\d{2}|Z)?$", re.I
)
_iso_date_re = compiled_on_first_use(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:T(.*))?$", re.I)
_zone_re = compiled_on_first_use(r"^([+-])(\d{2}):?(\d{2})$")
_date_split_re = compiled_on_first_use(r"[\s,]+")


# The note of a date with no zone: its timestamp is shown, but it is no moment to measure by.
NO_TIME_ZONE = "date has no time zone; read as UTC"
# RFC 5322 section 3.3 lets a time leave its seconds out ("23:26"): the stamp is exact to the
# minute only, so a delay measured against it is too.
NO_SECONDS = "time has no seconds; exact to the minute"
# RFC 5322 section 3.3 writes the zone as four digits ("-0500"). Some old servers wrote three
# ("-500", quoted in SpamAssassin's Received.pm): read with the leading zero restored when that
# is unambiguous (a sign, one digit of hours, two of minutes that are a minute count). Read
# whole, so the stamp stays complete; the note says what was assumed. (Not worded "time zone":
# readers take that for a zone missing or impossible.)
THREE_DIGIT_ZONE = "zone offset written with three digits (RFC 5322 section 3.3 requires four); read with a leading 0"
# Notes of a stamp read whole: its fields are all there, its time only less exact or unplaced.
_READ_WHOLE_NOTES = (NO_TIME_ZONE, NO_SECONDS, THREE_DIGIT_ZONE)
_three_digit_zone_re = compiled_on_first_use(r"([+-])([0-9])([0-5][0-9])")


def _zone_offset(text: str, notes: list[str]) -> int | None:
    """Minutes east of UTC for ``+hhmm`` / ``+hh:mm`` (or ``+hmm``, noted); None when it is
    none of them; UTC with a note when impossible."""
    m = _zone_re().match(text)
    if m is None:
        three = _three_digit_zone_re().fullmatch(text)
        if three is None:
            return None
        notes.append(THREE_DIGIT_ZONE)
        sign, hours_digit, minutes_digits = three.groups()
        return (-1 if sign == "-" else 1) * (int(hours_digit) * 60 + int(minutes_digits))
    hours, minutes = int(m.group(2)), int(m.group(3))
    if hours > 23 or minutes > 59:
        notes.append(f"impossible time zone {text!r}; read as UTC")
        return 0
    sign = -1 if m.group(1) == "-" else 1
    return sign * (hours * 60 + minutes)


def _parse_date(text: str) -> tuple[datetime | None, list[str]]:
    """Tolerant date reader; returns the datetime (aware) and notes on what was assumed."""
    notes: list[str] = []
    text = text[:512]
    if "(" in text:
        text = _strip_nested(text)
    year = month = day = None
    hour = minute = second = micro = None
    offset: int | None = None
    named_offset: int | None = None
    meridiem: str | None = None
    iso_date, time_of_day = _iso_date_re().match, _time_re().match
    for raw in _date_split_re().split(text):
        if not raw:
            continue
        low = raw.lower()
        if raw[0].isdigit():
            m = iso_date(raw)
            if m is not None and year is None:
                year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
                rest = m.group(4)
                if not rest:
                    continue
                raw = rest
            m = time_of_day(raw)
            if m is not None and hour is None:
                hour, minute = int(m.group(1)), int(m.group(2))
                second = int(m.group(3) or 0)
                if m.group(3) is None:
                    notes.append(NO_SECONDS)
                micro = int((m.group(4) or "0")[:6].ljust(6, "0"))
                zone = m.group(5)
                if zone and offset is None:
                    offset = 0 if zone.upper() == "Z" else _zone_offset(zone, notes)
                continue
            if raw.isdigit() and len(raw) <= 4:
                value = int(raw)
                if len(raw) == 4 or (day is not None and year is None):
                    if year is None:
                        # RFC 5322 section 4.3: 2-digit years 00-49 are 20xx, 50-99 19xx;
                        # 3-digit years are 1900 + value.
                        if len(raw) <= 2:
                            value += 2000 if value < 50 else 1900
                        elif len(raw) == 3:
                            value += 1900
                        year = value
                elif day is None:
                    day = value
            continue
        if raw[0] in "+-":
            if offset is None:
                offset = _zone_offset(raw, notes)
            continue
        if low in _MONTHS:
            if month is None:
                month = _MONTHS[low]
            continue
        if low[:3] in _WEEKDAYS and raw.isalpha() and len(raw) <= 9:
            continue
        upper = raw.upper()
        if upper in _ZONE_NAMES:
            if named_offset is None:
                named_offset = _ZONE_NAMES[upper]
            continue
        if len(raw) == 1 and raw.isalpha():
            # RFC 5322 section 4.3: military zones are unreliable, to be read as -0000.
            named_offset = 0 if named_offset is None else named_offset
            continue
        if low in ("am", "pm"):
            # Not RFC 5322, but some old clients write "12:29:13 AM".
            meridiem = low
            continue
        # Anything else (SendGrid's Go monotonic clock "m=+1.2", stray words) is ignored.
    if year is None or month is None or day is None:
        return None, notes
    if hour is None:
        notes.append("date has no time of day; midnight assumed")
        hour = minute = second = micro = 0
    elif meridiem is not None and 1 <= hour <= 12:
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if offset is None:
        if named_offset is None:
            notes.append(NO_TIME_ZONE)
        offset = named_offset or 0
    if second is not None and second == 60:  # leap second (RFC 5322 section 3.3)
        second = 59
    try:
        return (
            datetime(
                year,
                month,
                day,
                hour,
                minute or 0,
                second or 0,
                micro or 0,
                tzinfo=timezone(timedelta(minutes=offset)),
            ),
            notes,
        )
    except ValueError as exc:
        notes.append(f"impossible date: {exc}")
        return None, notes


# Zone names with one meaning (RFC 5322 section 4.3's and common ones); "EST", "CST", "BST" and
# "IST" name zones of several countries ("+0800 (CST)" is China's), so they are not compared.
_UNAMBIGUOUS_ZONES = frozenset(("UT", "UTC", "GMT", "PST", "PDT", "MST", "MDT", "EDT", "WET", "WEST", "CET", "CEST",
                                "MET", "MEST", "EET", "EEST", "MSK", "JST", "KST", "HKT", "SGT", "AEST", "AEDT",
                                "NZST", "NZDT"))
# What the ambiguous names have meant, in minutes east of UTC (IANA tz abbreviations, current
# and historical): a numeric offset that is none of them contradicts the name whichever zone was
# meant ("-0600 (CDT)": US Central Daylight is -0500, Cuba's -0400, China's of 1986-1991 +0900).
_AMBIGUOUS_ZONES = {
    "EST": (-300, 600, 660), "CST": (-360, 480, -300, 570, 630), "CDT": (-300, -240, 540),
    "BST": (60, 360, 660), "IST": (330, 60, 120), "AST": (-240, 180), "ADT": (-180, 240),
}  # fmt: skip
_offset_and_zone_name = compiled_on_first_use(r"([+-])(\d{2})(\d{2})\s*\(\s*([A-Za-z]{2,5})\s*\)\s*$")


# Zone names whose offset changed over the years, with the IANA zones that used them: a stamp
# is judged by the offset the name had at its own moment, not by today's. Moscow Time was
# UTC+4 from 2011-03-27 to 2014-10-26 (Russia's law of 3 June 2011, IANA Europe/Moscow), so
# "+0400 (MSK)" in 2012 is right and "+0300 (MSK)" then is a server with an outdated zone table.
_ZONE_HISTORY = {"MSK": ("Europe/Moscow", "Europe/Volgograd", "Europe/Kirov", "Europe/Simferopol")}


def _historical_offsets(name: str, moment: datetime) -> list[int]:
    """The offsets (minutes east of UTC) the zones that used this name had under it at this
    moment; empty when the name has no known history or no time zone data is at hand."""
    keys = _ZONE_HISTORY.get(name)
    if not keys:
        return []
    # Imported here: only a stamp naming such a zone needs the time zone database (the
    # system's, else the tzdata package's).
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    offsets: list[int] = []
    for key in keys:
        try:
            local = moment.astimezone(ZoneInfo(key))
        except (ZoneInfoNotFoundError, ValueError, OSError, OverflowError):
            continue
        delta = local.utcoffset()
        if local.tzname() == name and delta is not None:
            offsets.append(int(delta.total_seconds()) // 60)
    return offsets


def zone_name_mismatch(date_text: str) -> tuple[str, str, int, str] | None:
    """(the zone name, the offset as written, the difference in minutes, the offset the name
    stood for then) when a date's numeric offset and the zone name in its comment disagree
    ("13:34:05 -0500 (GMT)": one of them is wrong, a server's clock or zone setting); None when
    they agree or cannot be compared. A name whose offset changed over the years (MSK) is
    judged by the offset it had at the stamp's moment; an ambiguous name (CDT, CST, IST) only
    when none of its meanings is the offset, and then by the nearest."""
    found = _offset_and_zone_name().search(date_text[-40:])
    if found is None:
        return None
    sign, hours, minutes, name = found.groups()
    name = name.upper()
    offset = (int(hours) * 60 + int(minutes)) * (-1 if sign == "-" else 1)
    meanings = _AMBIGUOUS_ZONES.get(name)
    if meanings is not None:
        if offset in meanings:
            return None
        nearest = min(meanings, key=lambda meaning: abs(offset - meaning))
        stood_for = " or ".join(f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}{abs(m) % 60:02d}" for m in meanings)
        return name, f"{sign}{hours}{minutes}", offset - nearest, stood_for
    if name not in _UNAMBIGUOUS_ZONES:
        return None
    named = _ZONE_NAMES[name]
    if name in _ZONE_HISTORY:
        moment = parse_received_date(date_text)
        offsets = _historical_offsets(name, moment) if moment is not None else []
        if offset in offsets:
            return None
        if offsets:
            named = offsets[0]
    if offset == named:
        return None
    stood_for = f"{'-' if named < 0 else '+'}{abs(named) // 60:02d}{abs(named) % 60:02d}"
    return name, f"{sign}{hours}{minutes}", offset - named, stood_for




def weekday_contradiction(text: str, moment: datetime) -> tuple[str, str] | None:
    """(the day of the week written, the day the date falls on) when a date starts with a
    day of the week ("Thu, 29 Apr 2011 ...") that is not the one of the date it names; None
    otherwise. RFC 5322 section 3.3: "the day-of-week (if included) MUST be the day implied by
    the date". ``moment`` is the date as read, in its own offset (so its calendar day is the
    one written). Asked once per date by the findings, not by the date readers: they stay as
    fast as they were."""
    head = text.lstrip()[:12]
    word = head.split(",", 1)[0].split(None, 1)[0].lower() if head.strip() else ""
    if len(word) < 3 or not word.isalpha():
        return None
    written = _DAY_PREFIXES.get(word)
    if written is None:
        return None
    actual = moment.weekday()
    if written == actual:
        return None
    return _DAY_NAMES[written], _DAY_NAMES[actual]


def parse_date_noted(text: str) -> tuple[datetime | None, list[str]]:
    """``parse_received_date`` with the tolerant reader's notes on what it assumed (a missing
    time zone read as UTC, say); no notes for a date written as RFC 5322 prescribes."""
    moment = _standard_date(text)
    if moment is not None:
        return moment, []
    try:
        return _parse_date(text)
    except Exception:  # noqa: BLE001 - hostile input must never raise
        return None, []


def _standard_date(text: str) -> datetime | None:
    """The date when written as RFC 5322 section 3.3 prescribes (nearly every Date: is), else None."""
    m = _STANDARD_DATE_RE.fullmatch(text)
    if m is None:
        return None
    day, month_name, year, hour, minute, second, sign, zone_hours, zone_minutes = m.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None or int(zone_hours) > 23 or int(zone_minutes) > 59:
        return None
    offset = int(zone_hours) * 60 + int(zone_minutes)
    try:
        seconds = int(second)
        return datetime(int(year), month, int(day), int(hour), int(minute),
                        59 if seconds == 60 else seconds,  # a leap second (60) reads as 59
                        tzinfo=_zone(-offset if sign == "-" else offset))
    except ValueError:
        return None


def parse_received_date(text: str) -> datetime | None:
    """Read a date as MTAs write it after the ``;`` of a Received header.

    Tolerates what RFC 5322 sections 3.3 and 4.3 allow and more: no weekday, 2-digit and
    3-digit years, obsolete zone names (UT, GMT, EST, PDT, ...), military zones (read as
    -0000), a missing or impossible zone (read as UTC), ``-0000``, comments, fractional
    seconds, asctime order (``Sun Nov 13 14:50:12 2005``), ISO dates and SendGrid's Go format
    ``2020-06-17 16:39:24.757045452 +0000 UTC m=+349867.495769315``. None when no calendar
    date can be read; never raises.
    """
    # The form RFC 5322 section 3.3 prescribes, as nearly every Date: is written, read
    # directly; anything else (or any doubt) goes to the tolerant reader.
    moment = _standard_date(text)
    if moment is not None:
        return moment
    try:
        return _parse_date(text)[0]
    except Exception:  # noqa: BLE001 - hostile input must never raise
        return None


_STANDARD_DATE_RE = re.compile(
    r"\s*(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})"
    r"\s+([+-])(\d{2})(\d{2})(?:\s+\([A-Za-z0-9][A-Za-z0-9 ]{0,11}\))?\s*"
)


def _is_date_start(toks: Sequence[_Tok], i: int) -> bool:
    """Whether a date begins at token i (used only when no ';' marks where it starts)."""
    t = toks[i]
    if t.kind != "W":
        return False
    word = t.text.rstrip(",")
    if not word:
        return False
    if word[0].isdigit():
        if _iso_date_re().match(word):
            return True
        if word.isdigit() and len(word) <= 2:
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            return nxt is not None and nxt.kind == "W" and nxt.text.rstrip(",").lower() in _MONTHS
        return False
    low = word.lower()
    if low[:3] in _WEEKDAYS and word.isalpha() and len(word) <= 9:
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if nxt is None or nxt.kind != "W":
            return False
        n = nxt.text.rstrip(",")
        return n.isdigit() or n.lower() in _MONTHS
    return False


# ---------------------------------------------------------------------------------------------
# Markers inside comments

_TLS_USING_RE = re.compile(r"\busing ((?:TLS|SSL)[^\s,;]*)(?: with cipher ([^\s,;]+))?", re.I)
# Exclaimer's proxy writes the keys with a prefix: "(tlsversion=TLS12, tlscipher=TLS_ECDHE_...)".
_tls_version_re = compiled_on_first_use(r"\b(?:tls)?version=((?:TLS|SSL)[^\s,;]*)", re.I)
# Forcepoint/Websense gateways: "(using TLS: TLSv1.2, AES256-SHA)".
_tls_using_colon_re = compiled_on_first_use(r"\busing (?:TLS|SSL): ?((?:TLS|SSL)[^\s,;]*),? ?([A-Za-z0-9_-]+)?", re.I)
# Exchange's build number as it writes it in the id clause: major.minor.build.revision, zero-padded
# in MAPI stamps ("15.01.2507.039", "15.20.7270.29", Exchange 2007's "8.3.485.1").
_exchange_build_re = compiled_on_first_use(r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,5}\.[0-9]{1,4}")
# The same gateways write the client as "(Not Verified[IP])" (its reverse-DNS name not
# confirmed) or "(Verified[IP])"; Oracle Beehive as "(/IP)".
_verified_ip_re = compiled_on_first_use(r"^(?:not )?verified ?\[([^\[\]]*)\]$", re.I)
# CommuniGate Pro's record of an authenticated client: "(account user@example.org [192.0.2.1]
# verified)", the account it logged in to, then the address it connected from (the shape of its
# "([IP] verified)" with the login before it).
_account_verified_ip_re = compiled_on_first_use(r"^account [^\s\[\]()]{1,200} \[([^\[\]]{1,64})\] verified$", re.I)
_tls_cipher_re = compiled_on_first_use(r"\b(?:tls)?cipher=([^\s,;]+)", re.I)
# A cipher suite's name, IANA's (TLS_AES_128_GCM_SHA256) or OpenSSL's (ECDHE-RSA-AES256-GCM-SHA384).
_cipher_suite_re = compiled_on_first_use(r"[A-Za-z0-9]{2,20}(?:[_-][A-Za-z0-9]{1,20}){1,12}$")
# A comment item that is a TLS version alone, as chasquid writes it (Go's tlsconst.VersionName):
# "(over submission+TLS, TLS-1.3, envelope from "a@b")".
_tls_version_item_re = compiled_on_first_use(r"(?:^|, ?)((?:TLS|SSL)(?:v|-|_| )?\d(?:[._]\d)?) ?(?:,|$)", re.I)
# Exim "(TLSv1:AES256-SHA:256)", "(TLS1.3)", "(TLS-1.0:RSA_ARCFOUR_MD5:16)"; Exchange "(TLS)";
# OpenSMTPD "(TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO)", whether it verified the client's certificate last.
_tls_exim_re = compiled_on_first_use(r"^((?:TLS|SSL)v?-?[\d._]*)(?::([^:\s]+))?(?::(\d+))?(?::[A-Za-z]+)?$", re.I)
# "(DHE-RSA-AES256-SHA encrypted)"; "(TLS_AES_256_GCM_SHA384 encrypted, authenticated)";
# T-Online's "(TLSv1.3:TLS_AES_256_GCM_SHA384 encrypted)", version and cipher joined as Exim joins them.
_tls_encrypted_re = compiled_on_first_use(r"^([^\s,]+) encrypted(?:,|$)", re.I)
# qmail's "(SSL: TLSv1/SSLv3,256bits,AES256-SHA)", Courier's "(AUTH: LOGIN u, TLS: TLSv1/SSLv3,256bits,AES256-SHA)".
_tls_ssl_re = compiled_on_first_use(r"\b(?:SSL|TLS): ?((?:TLS|SSL)[^,\s]*)(?:,[^,]*,([^,\s]+))?", re.I)
# Courier's comment is comma-separated items, "IDENT: x, AUTH: MECH login, TLS: ..." (its
# courieresmtpd.c, startsubmit(): each item only when there is one), so its AUTH item is read
# wherever it stands, and alone (group 1 marks it).
_auth_comment_re = compiled_on_first_use(
    r"(?<!not )\bauthenticated(?:\b|_)|(?:^|, )(auth: )|^account \S|^via https?$", re.I
)
# Courier's IDENT item, the client's RFC 1413 ident (tcpd's TCPREMOTEINFO), always first;
# "unknown" when the lookup gave none.
_courier_ident_re = compiled_on_first_use(r"ident: ([^\s,()\[\]]{1,64})(?:,|$)", re.I)
# "(envelope-from <x>)", "(envelope-sender x)", Active!Hunter's "(envelope sender: <x>)",
# chasquid's "(over SMTP, TLS-1.3, envelope from "x")" (a Go %q string, "" for the null sender).
_envfrom_re = compiled_on_first_use(
    r'\benvelope[- ](?:from|sender)[:=]? ?(<[^<>]*>|"[^"]{0,256}"|[^\s<>,;"]+)', re.I)
_userid_re = compiled_on_first_use(r"\bfrom userid (\S+)")
_fetchmail_re = compiled_on_first_use(r"fetchmail-[\w.-]+ (POP3|POP2|APOP|RPOP|KPOP|SDPS|IMAP)\b", re.I)
# qmail's "(qmail 1234 invoked by uid 89)" and the same stamp from programs modelled on it,
# such as nullmailer's "(nullmailer pid 2185 invoked by uid 1000)" and wp.pl's "(wp-smtpd 16293
# invoked by uid 100)".
_qmail_re = compiled_on_first_use(
    r"^[a-z][\w.-]{0,30}(?: pid| ([a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+))? \d+ (?:messnum \d+ )?"
    r"invoked (by|from|for) ?(.*)$", re.I
)
# The account a submission logged in as, where the receiver wrote it: Postfix's
# "(Authenticated sender: user@example.org)" (smtpd_sasl_authenticated_header), Courier's
# "(AUTH: LOGIN user@example.org, TLS: ...)", Exim's "(authenticated as user)" and
# "(authenticated_id: user@example.org)" (cPanel), MDaemon's "authenticated as user" and Kerio
# Connect's "(authenticated user user@example.org)", CommuniGate's "(account user@example.org
# [192.0.2.1] verified)" and "(account user@example.org HELO name)", and SmarterMail's
# X-SmarterMail-Authenticated-As stamp above its Received (see hops._stamped_login).
_login_re = compiled_on_first_use(
    r"(?:authenticated sender:|\bauth: (?:login|plain|cram-md5|xoauth2|ntlm|gssapi)|authenticated as|"
    r"authenticated user|authenticated-as:|\baccount(?= \S+ (?:\[[^\]]*\] verified|HELO ))|"
    r"authenticated_id:)\s*"
    r"([^\s(),;]{1,200})", re.I)


# Runbox's submission stamp names the account in brackets after the protocol word, "by
# submission03.runbox with esmtpsa [Authenticated alias (536975)]" (newer: "[Authenticated ID
# (604044)]"): the account id the client logged in as.
_bracket_login_re = compiled_on_first_use(r"^\[authenticated (?:alias|id) \(([^\s()\[\],;]{1,64})\)\]$", re.I)


def authenticated_login(auth: str | None) -> str | None:
    """The login an authenticated submission used, when its Received header names it."""
    if not auth or ("uth" not in auth and "UTH" not in auth and "account " not in auth):
        return None
    match = _login_re().search(auth)
    return match.group(1) if match else None


def client_user_words(ident: str | None) -> str | None:
    """The client's user as a report says it: "local user, uid 0" for Postfix's "(from userid
    0)" (a program on the receiving host submitted it), else "user NAME" (RFC 1413 ident)."""
    if not ident:
        return None
    if ident.startswith("userid "):
        return f"local user, uid {ident[7:]}"
    return f"user {ident}"


def client_name_words(name: str, protocol: str | None) -> str:
    """The name a hop's from clause gives the client (``from_helo``) as a report labels it:
    "helo=NAME", the client's own unverified greeting; for a ``with UUCP`` hop, which has no
    HELO (UUCP calls a neighbour by its configured system name: RFC 976), "uucp peer NAME"."""
    if (protocol or "").split(" ", 1)[0].upper() == "UUCP":
        return f"uucp peer {name}"
    return f"helo={name}"


_qmail_network_re = compiled_on_first_use(r"^network ?\[([^\]/\s]+)(?:/([^\]\s]+))?\]")
# "NAME [IP]"; some sendmail configurations leave the space out ("NAME[IP]").
# (Not "helo=[IP]": Exim's HELO marker, read elsewhere.)
_hostinfo_re = compiled_on_first_use(r"^(?:([^\s\[]+)(?: |(?<!=)(?=\[)))?\[([^\[\]]*)\](?::(\d+))?(?: (.*))?$")
_hostname_re = compiled_on_first_use(r"^[A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)+\.?$")
_exim_re = compiled_on_first_use(r"\bExim\b")

# RFC 3848's words, and Exim's: built with SUPPORT_I18N it writes "utf8" before its own word when
# the client asked for SMTPUTF8 (utf8esmtp, utf8esmtps, utf8esmtpa, utf8esmtpsa: Exim's
# specification, chapter "Internationalisation", and smtp_in.c), where RFC 6531 section 3.7.3
# has UTF8SMTP, UTF8SMTPS, UTF8SMTPA, UTF8SMTPSA.
_ENCRYPTED_PROTOCOLS = frozenset(
    ("ESMTPS", "ESMTPSA", "UTF8SMTPS", "UTF8SMTPSA", "UTF8ESMTPS", "UTF8ESMTPSA", "LMTPS", "LMTPSA",
     "UTF8LMTPS", "UTF8LMTPSA", "SMTPS", "HTTPS")
)  # fmt: skip
_PLAIN_PROTOCOLS = frozenset(
    ("SMTP", "ESMTP", "ESMTPA", "UTF8SMTP", "UTF8SMTPA", "UTF8ESMTP", "UTF8ESMTPA", "LMTP", "LMTPA",
     "UTF8LMTP", "UTF8LMTPA", "ASMTP")
)  # fmt: skip
# Exim's words for an SMTP session with a login, "utf8" before them when the client asked for
# SMTPUTF8 (RFC 6531 section 3.7.3): Runbox's "with utf8esmtpsa [Authenticated ID (N)]" is its
# "with esmtpsa [Authenticated ID (N)]" for an SMTPUTF8 client (V50a D3-1).
_EXIM_LOGIN_PROTOCOLS = frozenset(("esmtpa", "esmtpsa", "utf8esmtpa", "utf8esmtpsa"))
# RFC 3848 "A" protocols, Exim's "asmtp", and HTTP(S) submissions (webmail, Exchange's
# client submission, Gmail's HTTPREST) mark an authenticated submission.
_AUTH_PROTOCOLS = frozenset(
    ("ESMTPA", "ESMTPSA", "UTF8SMTPA", "UTF8SMTPSA", "UTF8ESMTPA", "UTF8ESMTPSA", "LMTPA", "LMTPSA",
     "UTF8LMTPA", "UTF8LMTPSA", "ASMTP")
)  # fmt: skip


# _TlsSeen, _Client and _Context are plain classes, not dataclasses: a dataclass writes its
# methods with exec() at import, a cost every start paid for three small records.


class _TlsSeen:
    __slots__ = ("cipher", "encrypted", "version")

    def __init__(self) -> None:
        self.encrypted: bool | None = None
        self.version: str | None = None
        self.cipher: str | None = None

    def mark(self, version: str | None = None, cipher: str | None = None) -> None:
        self.encrypted = True
        if version and version.upper() in ("TLS", "SSL"):
            version = None  # "(TLS)", "using TLS with cipher x": encrypted, version not said
        if version and self.version is None:
            self.version = version
        if cipher and self.cipher is None:
            self.cipher = cipher


def _tls_from_comment(text: str, tls: _TlsSeen) -> None:
    upper = text.upper()
    if "TLS" not in upper and "SSL" not in upper and "ENCRYPTED" not in upper:
        return
    if "USING TLS:" in upper or "USING SSL:" in upper:
        m = _tls_using_colon_re().search(text)
        if m is not None:
            tls.mark(m.group(1), m.group(2))
            return
    m = _TLS_USING_RE.search(text)
    if m is not None:
        tls.mark(m.group(1), m.group(2))
        return
    m = _tls_version_re().search(text)
    if m is not None:
        c = _tls_cipher_re().search(text)
        tls.mark(m.group(1), c.group(1) if c else None)
        return
    m = _tls_exim_re().match(text)
    if m is not None:
        tls.mark(m.group(1), m.group(2))
        return
    m = _tls_ssl_re().search(text)
    if m is not None:
        tls.mark(m.group(1), m.group(2))
        return
    m = _tls_encrypted_re().match(text)
    if m is not None:
        token = m.group(1)
        joined = _tls_exim_re().match(token) if ":" in token else None
        if joined is not None:
            tls.mark(joined.group(1), joined.group(2))
        else:
            tls.mark(None, token)
        return
    m = _tls_version_item_re().search(text)
    if m is not None:
        tls.mark(m.group(1))


# ---------------------------------------------------------------------------------------------
# The from clause


class _Client:
    __slots__ = ("helo", "ident", "ip", "login", "mechanism", "rdns")

    def __init__(self, helo: str | None = None, rdns: str | None = None, ip: str | None = None,
                 ident: str | None = None) -> None:
        self.helo = helo
        self.rdns = rdns
        self.ip = ip
        self.ident = ident
        self.login: str | None = None  # an SMTP AUTH login written where qmail writes the ident
        self.mechanism: str | None = None  # its SASL mechanism, when the stamp names it


class _Context:
    __slots__ = ("auth_protocol", "chasquid", "comments", "exim", "http", "microsoft", "order", "qmail", "qmail_auth",
                 "tis")

    def __init__(self, *, exim: bool, microsoft: bool, http: bool, tis: bool, qmail: bool = False,
                 qmail_auth: bool = False, auth_protocol: bool = False, chasquid: bool = False,
                 comments: Sequence[str] = (), order: Sequence[str] = ()) -> None:
        self.exim = exim
        self.microsoft = microsoft
        self.http = http
        self.tis = tis
        self.qmail = qmail
        self.qmail_auth = qmail_auth
        # The protocol is one of RFC 3848's authenticated words ("with ESMTPA"): the receiver's
        # own record that the client logged in.
        self.auth_protocol = auth_protocol
        self.chasquid = chasquid
        # The header's comments and clause keywords, for a rare shape's check (coremail_webmail).
        self.comments = comments
        self.order = order

    def coremail_webmail(self) -> bool:
        """Whether the stamp is Coremail's webmail's: "by ajax-webmail-wmsvr46 (Coremail) ; date",
        no "with" clause (Coremail's SMTP receiver writes "with SMTP"). Asked only of a from
        clause whose first word has a "$", so most headers never scan their comments."""
        return "Coremail" in self.comments and "with" not in self.order


# qmail-smtpd writes "(remoteinfo@ip)": remoteinfo is tcpserver's RFC 1413 ident
# ($TCPREMOTEINFO), which the SMTP AUTH patches and qmail-ldap replace with the login after a
# successful AUTH (qmail-ldap's qmail-smtpd.c: "remoteinfo = line.s", with its AUTHPREPEND
# text such as "Authenticated_SSL:" before it). tcpserver asks the client's identd for it by
# default (tcpserver(1): "-r (Default.) Attempt to obtain $TCPREMOTEINFO from the remote host"),
# so without a login the word is whatever the client's host answers (RFC 1413 section 6: "the
# information returned by this protocol is at most as trustworthy as the host providing it"),
# and qmail's received.c writes it with only characters outside [A-Za-z0-9.@%+/=:-] turned to
# "?": "president@example.net" and "auth:president" come through as written. The word is a login
# only where the stamp itself says the client logged in: the receiver is one of the servers below,
# which use the AUTH form for their submission service, or its protocol is RFC 3848's
# authenticated word ("with ESMTPA", the auth patches' record). There a login of an address
# ("user@example.org"), of other characters ("zcncx...=", a provider's encoded id) or after an
# AUTHPREPEND prefix is the login, and at those servers any word is. Anywhere else it is the
# client's ident claim, shown as such, never a login, whatever its shape.
_QMAIL_AUTH_SOFTWARE = ("qmail-ldap", "qmail-ptmail", "wp-smtpd")
_plain_ident_re = compiled_on_first_use(r"[A-Za-z0-9._-]{1,64}")
_auth_prepend_re = compiled_on_first_use(r"([A-Za-z_-]{0,30}auth[A-Za-z_-]{0,30}):(.+)", re.I)


# Yahoo's qmail-based submission servers write the login and its SASL mechanism where qmail
# writes "(ident@IP)": "(baldusi@200.69.254.217 with plain)" (2003, quoted in SpamAssassin's
# Received.pm). The user part may itself hold an "@"; the mechanism is a SASL name (RFC 4422
# section 3.1: up to 20 of A-Z, 0-9, "-" and "_"). Bounded and anchored: linear.
_qmail_auth_with_re = compiled_on_first_use(r"([^\s]{1,200})@([^\s@]{1,80}) with ([A-Za-z0-9_-]{1,20})")


# Sendmail's record of the client, "$_": "(ident@rdns [IP])" (RFC 1413's reply before the "@",
# kept by cleanstrcpy in alphanumerics and !#$%&'*+-./^_`{|}~). The word before the "@" is the
# client's ident claim, so an identd answering "authenticated" names no login: only Sendmail's own
# "(authenticated bits=N)" / "(authenticated as ...)" comment after the record does (V55c D1-5).
# Anchored and bounded: linear.
_sendmail_ident_record_re = compiled_on_first_use(r"[^\s@()\[\]]{1,200}@[^\s@()\[\]]{0,255} \[[^\s\[\]]{1,64}\]")
# The words the login reader below takes for a login (_auth_comment_re's, and RFC 3848's
# authenticated protocol words): a greeting that writes them is dressing itself as the receiver's
# record of a login (V55c D1-4). A host name holds none of them as a word.
_greeting_login_words_re = compiled_on_first_use(
    r"authenticated|\bauth: |\baccount\b|\bvia https?\b|\b(?:e?smtp|lmtp)s?a\b", re.I)


def _receiver_address_comment(tokens: Sequence[_Tok]) -> int:
    """The position of the last comment holding a bracketed address ("(rdns [IP])", the receiver's
    record of the connection), or -1 when there is none: the comments before it are the client's
    greeting as written (see _read_from)."""
    for position in range(len(tokens) - 1, -1, -1):
        token = tokens[position]
        if token.kind == "C" and "[" in token.text and "]" in token.text:
            inner = token.text[token.text.rfind("[") + 1:token.text.rfind("]")]
            if _read_ip(inner.strip())[0] is not None:
                return position
    return -1


def helo_text_comments(from_seg: Sequence[_Tok] | None) -> frozenset[str]:
    """The comments of a from clause that are the client's greeting as written (before the
    receiver's "(rdns [IP])" comment): never read as a login."""
    if not from_seg:
        return frozenset()
    receiver_comment = _receiver_address_comment(from_seg)
    return frozenset(t.text for t in from_seg[:max(receiver_comment, 0)] if t.kind == "C")


def _holds_address(comment: str) -> bool:
    """Whether a comment has a word that reads as an IP address (the client's, most likely)."""
    if "." not in comment and ":" not in comment:
        return False
    return any(_read_ip(word)[0] is not None for word in _address_split_re().split(comment) if word)


_address_split_re = compiled_on_first_use(r"[\s@,;()]+")


def _client_address_slot(comment: str) -> bool:
    """Whether a from-clause comment (collapsed, nested comments dropped) is shaped as a receiver's
    record of the client's address, one _read_from reads the client's address from: "(rdns [IP])"
    (Postfix, sendmail), "([IP]:port helo=x)" (Exim), "([status] [IP])", "(verified [IP])", "(/IP)",
    "(IP)" or "(ident@IP)" (qmail, Exchange). A comment opened by the HELO marker ("(HELO [10.0.0.2])",
    qmail, IronPort) is the client's greeting as the receiver labels it, not a record."""
    if "[" not in comment:
        if "." not in comment and ":" not in comment:
            return False
        if " " not in comment:
            return _read_ip(comment.rpartition("@")[2].removeprefix("/"))[0] is not None
        with_auth = _qmail_auth_with_re().fullmatch(comment) if " with " in comment else None
        return with_auth is not None and _read_ip(with_auth.group(2))[0] is not None
    if comment.split(None, 1)[0].strip('"').upper() in ("HELO", "EHLO", "LHLO"):
        return False
    if _hostinfo_re().match(comment) is not None or _status_then_literal_re().match(comment) is not None:
        return True
    if _verified_ip_re().match(comment) is not None:
        return True
    # NetEase's "( [58.213.83.156) ]", its bracket closed after the comment.
    return "]" not in comment and _read_ip(comment.strip().lstrip("[").strip())[0] is not None


def _qmail_ident_claim(comment: str, protocol: str | None, qmail_auth: bool) -> bool:
    """Whether a comment is qmail's "(remoteinfo@IP)" in a stamp that does not say the client
    logged in: the client's ident claim, so an AUTHPREPEND-like word in it ("(Authenticated:
    president@203.0.113.5)", which qmail's received.c writes as the identd sent it) is no login
    marker (see the note above _QMAIL_AUTH_SOFTWARE). Asked only of a comment with "auth" in it."""
    if " " in comment or "@" not in comment:
        return False
    if _read_ip(comment.rpartition("@")[2].removeprefix("[").removesuffix("]"))[0] is None:
        return False
    if protocol is not None and any(w.upper() in _AUTH_PROTOCOLS for w in protocol.split()):
        return False
    return not qmail_auth


def _qmail_user(user: str, ctx: _Context, client: _Client, problems: list[str]) -> None:
    """Put the user part of qmail's "(user@ip)" in the client's login, where the stamp says the
    client logged in, or else in its ident (see the note above _QMAIL_AUTH_SOFTWARE)."""
    user = user[:200]
    if not (ctx.qmail_auth or ctx.auth_protocol):
        client.ident = user
        if _ident_reply_unsafe_re().search(user) is not None:
            # Brackets or quotes (qmail's own received.c writes neither; a receiver that keeps
            # them can be made to show a record of the client's choosing): hops.greeting_injection.
            problems.append(f"the client's ident reply holds characters no account name has: {_snippet(user)}")
        return
    prepended = _auth_prepend_re().fullmatch(user)
    if prepended is not None:
        client.login = prepended.group(2)
    elif ctx.qmail_auth or "@" in user or _plain_ident_re().fullmatch(user) is None:
        client.login = user
    else:
        client.ident = user


def _read_from(seg: Sequence[_Tok], ctx: _Context, problems: list[str]) -> _Client:
    """Read HELO, reverse-DNS name, IP and ident from the tokens after ``from``."""
    client = _Client()
    if len(seg) == 3 and [t.text.lower() for t in seg] == _PICKUP_SERVICE:
        # IIS / Exchange: "from mail pickup service by host with Microsoft SMTPSVC", a message
        # a local program dropped into the pickup directory: no network client at all, and no
        # user or account either (the words name IIS's own pickup service; Hop.own_words shows them).
        return client
    first: _Tok | None = None
    rest: Sequence[_Tok] = seg
    if seg and seg[0].kind in "WBAQ":
        first, rest = seg[0], seg[1:]
    first_text = first.text.rstrip(",") if first is not None else None
    if first is not None and first.kind == "Q":
        first_text = first.text.strip('"')
    first_ip = _read_ip(first_text)[0] if first_text else None
    first_literal = first_text is not None and (_is_literal(first_text) or first_ip is not None)
    first_host = first_text if first_text and not first_literal else None
    if ctx.chasquid and first_text and first is not None and first.kind in "WB":
        # chasquid (internal/smtpsrv/conn.go) writes "from [IP] (EHLO)" for a client that did
        # not authenticate, and only "from EHLO" for one that did ("explicitly hide their
        # network address"): there the word, even an address literal, is the EHLO argument,
        # RFC 5321 section 4.4's From-domain, and no TCP-info records the connection.
        # (Other servers write a bare "from [IP]" for the connection's address, so this is
        # read only in chasquid's stamps.)
        comments = [t for t in rest if t.kind == "C"]
        if len(rest) == 0:
            client.helo = first_text
            return client
        if len(rest) == 1 and len(comments) == 1 and first_ip is not None:
            ehlo = _collapse(comments[0].text[:MAX_COMMENT_SCAN])
            client.ip = first_ip
            client.helo = ehlo[:255] or None
            return client

    helo_marker: str | None = None  # explicit HELO / EHLO / LHLO / helo= / claiming to be
    helo_marker_seen = False
    exim_style = ctx.exim
    host_info: tuple[str | None, str | None, str] | None = None  # (name, ip, tail)
    bare: tuple[str | None, str | None, bool] | None = None  # (ident, ip, has_port)
    literal_ip: str | None = None
    comment_host: str | None = None
    claiming = False
    ident_marker: str | None = None
    zmailer = False  # a quoted "EHLO name" marker
    extras: list[_Tok] = []
    pending: str | None = None  # "named" or "port", whose value is the next word
    api_client = False
    local_uid: str | None = None
    unread_comment: str | None = None
    # A comment before the one where the receiver writes the client's address ("(rdns [IP])") is
    # the client's own HELO text: Postfix writes a multi-word greeting as it came ("from evil
    # (victim@198.51.100.7 with plain) (unknown [203.0.113.66])"), so no login is read from it
    # (verification V32: a sender planted one and its spoof read as a sent copy).
    receiver_comment = _receiver_address_comment(rest)
    # RFC 5321 section 4.4: "from" names the client as it greeted (From-domain), then the
    # receiver's own record of the connection (TCP-info: its reverse-DNS name and the address).
    # The greeting is the client's text, and a receiver that writes it verbatim (Postfix joins a
    # multi-word one: "from mout.gmx.net([212.227.17.20]) (unknown [45.67.89.10])", "from x (name
    # [203.0.113.5]) (unknown [45.67.89.10])") puts it before its record, so of two comments shaped
    # as that record the last is the receiver's; the earlier ones are the client's claim, never its
    # address (verification V47c D1-1: a forger's greeting named an operator's address and the
    # boundary moved below it). Exim writes the greeting after the address but inside its own
    # comment ("([IP]:port helo=NAME)"), and refuses a greeting with parentheses, so its record is
    # the last one too; qmail's "(HELO x) (IP)" has the marker, read as the greeting below.
    client_slot = -1
    comment_positions = [position for position, t in enumerate(rest) if t.kind == "C"]
    for position in reversed(comment_positions[1:]):  # the first has no comment before it to outrank
        if _client_address_slot(_collapse(_strip_nested(rest[position].text[:MAX_COMMENT_SCAN]))):
            client_slot = position
            break

    for position, t in enumerate(rest):
        if t.kind == "C":
            c = _collapse(_strip_nested(t.text[:MAX_COMMENT_SCAN]))
            if not c:
                continue
            if position < client_slot and _client_address_slot(c):
                problems.append(f"the client's greeting holds another address than the receiver's record: "
                                f"{_snippet(c)}")
                continue
            words = c.split()
            if "ident=" in c:
                # Exim: "([IP]:port helo=NAME ident=USER)", the RFC 1413 ident it got.
                ident_marker = next((w[6:] for w in words if w[:6] == "ident="), None) or ident_marker
            helo_only = False
            marked = "ident=" in c  # a marker read from this comment (below: a HELO marker)
            for i, w in enumerate(words):
                up = w.upper().lstrip('"')  # ZMailer quotes it: ("EHLO name")
                if up in ("HELO", "EHLO", "LHLO"):
                    zmailer = zmailer or w[0] == '"'
                    helo_marker = words[i + 1].rstrip('"') if i + 1 < len(words) else ""
                    helo_marker_seen = True
                    helo_only = i == 0 and len(words) <= 2
                    marked = True
                    break
                if w[:5].lower() == "helo=":
                    helo_marker = w[5:]
                    helo_marker_seen = True
                    exim_style = True
                    marked = True
                    break
            if helo_only:
                # "(HELO [192.168.1.222])": the client's claim, an address literal it chose (a
                # host behind NAT); its address follows in a comment of its own (IronPort,
                # qmail: "from unknown (HELO [192.168.1.222]) ([118.208.187.186])").
                continue
            if "[" in c and "erified" in c:
                m = _verified_ip_re().match(c) or _account_verified_ip_re().match(c)
                if m is not None:
                    ip, _ = _read_ip(m.group(1))
                    if ip is not None and literal_ip is None:
                        literal_ip = ip
                        continue
                    if ip is not None and ip == literal_ip:
                        # "from [IP] (account user [IP] verified)": the same address again, read
                        # whole (the login is read from the comment with the other markers).
                        continue
            if c[0] == "/" and " " not in c:
                ip, _ = _read_ip(c[1:])
                if ip is not None and literal_ip is None:
                    literal_ip = ip
                    continue
            status_then_ip = _status_then_literal_re().match(c) if "[" in c else None
            if status_then_ip is not None and host_info is None:
                # "([TEMPUNAVAIL]. [34.87.251.30])" (MailChannels), "([UNAVAILABLE] [IP])": the
                # reverse-DNS slot holds the lookup's status, then the connection's address.
                ip, _ = _read_ip(status_then_ip.group(2))
                if ip is not None:
                    host_info = (None, ip, "")
                    continue
            if "[" in c:
                m = _hostinfo_re().match(c)
                if m is not None:
                    if host_info is None:
                        ip, _ = _read_ip(m.group(2))
                        tail_literal = _leading_literal_re().match(m.group(4) or "") if m.group(4) else None
                        if ip is None and _is_unknown_literal(m.group(2)) and tail_literal is not None:
                            # Sun Java / Oracle Messaging Server: "(HELO ([unknown] [IP]))",
                            # the reverse-DNS slot then the address.
                            ip, _ = _read_ip(tail_literal.group(1))
                            if ip is None:
                                problems.append(_literal_problem(f"[{tail_literal.group(1)}]"))
                        elif ip is None and not _is_local_socket(m.group(2)) and not _is_unknown_literal(m.group(2)):
                            problems.append(_literal_problem(f"[{m.group(2)}]"))
                        elif ip is not None and ":" in m.group(2) and "." in m.group(2) \
                                and _v4_port_re().match(m.group(2)):
                            exim_style = True  # ecelerity writes "[ip:port]"
                        host_info = (m.group(1), ip, m.group(4) or "")
                    continue
                # qmail with SMTP AUTH / ident: "(user@domain@[IP])"; the part before the last
                # "@" is the ident or authenticated user, not a host (RFC 1413).
            if "[" in c and "]" not in c and literal_ip is None:
                # NetEase's webmail: "from user@example.com( [58.213.83.156) ]", the bracket
                # closed after the comment: the address is still the client's.
                ip, _ = _read_ip(c.strip().lstrip("[").strip())
                if ip is not None:
                    literal_ip = ip
                    continue
            if bare is None and " with " in c and position >= receiver_comment:
                with_auth = _qmail_auth_with_re().fullmatch(c)
                if with_auth is not None:
                    ip, has_port = _read_ip(with_auth.group(2))
                    if ip is not None:
                        bare = (None, ip, has_port)
                        client.login, client.mechanism = with_auth.group(1), with_auth.group(3).upper()
                        continue
            if bare is None and " " not in c:
                ident, _, ip_part = c.rpartition("@")
                ip, has_port = _read_ip(ip_part)
                if ip is not None:
                    bare = (ident or None, ip, has_port)
                    continue
            if comment_host is None and _hostname_re().match(c) and _read_ip(c)[0] is None:
                comment_host = c
            elif local_uid is None and c[:4] == "uid " and c[4:].isdigit() and len(c) <= 16:
                # The DragonFly Mail Agent (dma, local submission only): "from USER (uid N)",
                # the submitting user and its uid, no host.
                local_uid = c[4:]
            elif unread_comment is None and not marked and _holds_address(c):
                # A comment with an address that no shape above reads (the markers in it are read
                # later, from the whole header): the client's address may be in it, so the field
                # is not read whole. (The first is said: one is enough.)
                unread_comment = c
            continue
        if t.kind == "B":
            ip, _ = _read_ip(t.text)
            if ip is None and (_is_local_socket(t.text[1:-1]) or _is_unknown_literal(t.text[1:-1])):
                continue
            if ip is None:
                problems.append(_literal_problem(t.text))
            elif literal_ip is None:
                literal_ip = ip
            continue
        if t.kind == "Q" and claiming:
            helo_marker = t.text.strip('"')
            helo_marker_seen = True
            continue
        if t.kind == "W":
            low = t.text.lower().strip(",")
            if pending == "named":
                # Gmail's API: "from 753933720722 named unknown by gmailapi.google.com with
                # HTTPREST", the API client's project number and its name (none known).
                pending = None
                api_client = True
                if low != "unknown" and _hostname_re().match(low):
                    comment_host = comment_host or low
                continue
            if pending == "port" and low.isdigit():
                pending = None  # Exim with a custom received_header_text: "(...) port 56666"
                continue
            pending = None
            if low in ("named", "port") and first is not None:
                pending = low
                continue
            if low in ("", "claiming", "to", "be"):
                # TIS / Obtuse smtpd: 'from RDNS(IP), claiming to be "HELO"'
                claiming = claiming or low == "be"
                continue
            if low == "unverified" and first is not None:
                # Mail2World: "from 212.112.174.166 unverified ([212.112.174.166])", the
                # server's note that no reverse-DNS name matched the address.
                continue
            if first is not None and literal_ip is None and host_info is None and not extras \
                    and (first_text or "").lower() == "unknown" and ctx.http \
                    and t.text[:1].isalnum() and (unbracketed := _read_ip(t.text)[0]) is not None:
                # The client's address written bare after its name, no brackets: Rediffmail's
                # webmail, "from unknown 203.0.113.223 by rediffmail.com via HTTP" (V46c). Only in
                # that shape: an SMTP server that writes the greeting alone (Merak, VisNetic,
                # Mercury/32) would write "EHLO mx3.slc.paypal.com 173.0.84.226" as "from
                # mx3.slc.paypal.com 173.0.84.226 by ...", the sender's choice (V49c).
                literal_ip = unbracketed
                continue
        extras.append(t)

    if extras:
        problems.append(f"unrecognized text in 'from' clause: {_snippet(_written(extras))}")
    if unread_comment is not None:
        problems.append(f"unrecognized comment with an address in 'from' clause: {_snippet(unread_comment)}")

    helo_given = helo_marker if helo_marker else None  # "(HELO )" is an explicit empty HELO

    if host_info is not None and host_info[0]:
        # Postfix / sendmail: from HELO (RDNS [IP]) or (ident@RDNS [IP])
        name = host_info[0]
        if "@" in name:
            user, _, name = name.rpartition("@")
            # sendmail with IDENT lookups writes "(IDENT:user@host [IP])".
            user = user.removeprefix("IDENT:").removeprefix("ident:")
            if user and not name:
                # qmail-ldap's "(user@[IP])", no host name between: see _qmail_user.
                _qmail_user(user, ctx, client, problems)
            else:
                client.ident = user or None
        client.rdns = _rdns_name(name)
        client.ip = host_info[1]
        client.helo = helo_given if helo_marker_seen else first_text
    elif host_info is not None:
        client.ip = host_info[1]
        tail_words = host_info[2].lower().split()
        if exim_style:
            # Exim: from RDNS ([IP]:port helo=HELO); helo= left out when it equals RDNS
            client.rdns = _rdns_name(first_host, allow_ip=False)
            client.helo = helo_given if helo_marker_seen else first_host
        else:
            client.helo = helo_given if helo_marker_seen else first_text
            if "verified" in tail_words:  # CommuniGate checked the name resolves to the IP
                client.rdns = _rdns_name(first_host)
            elif helo_marker_seen and first_host and not zmailer:
                # qmail and IronPort: "from RDNS (HELO name) ([IP])", the reverse-DNS name
                # first when the HELO differs (as in the bare-address form below).
                client.rdns = _rdns_name(first_host)
            elif zmailer:
                # ZMailer: from RDNS ([IP]:port "EHLO name" rhost-flags-OK-OK-OK-OK), the
                # reverse-DNS name first (the flags report its checks of it).
                client.rdns = _rdns_name(first_host, allow_ip=False)
            elif ctx.qmail and first_host:
                # qmail (and qmail-ldap) writes the reverse-DNS name first and "(HELO x)" only
                # when the HELO differs: "from RDNS ([IP]) ... by host (qmail-ldap-1.03)".
                # (sendmail's "from HELO ([IP])" is a HELO with no reverse-DNS name.)
                client.rdns = _rdns_name(first_host)
    elif bare is not None:
        bare_user, client.ip, has_port = bare
        if bare_user:
            # qmail's "(user@IP)"
            _qmail_user(bare_user, ctx, client, problems)
        if helo_marker_seen:
            # qmail: from RDNS (HELO x) (ident@IP); the RDNS slot is kept as written
            client.rdns = _rdns_name(first_text)
            client.helo = helo_given
        elif ctx.tis:
            client.rdns = _rdns_name(first_host)
        elif ctx.microsoft or has_port:
            # Exchange and XMail write the HELO name first and no reverse-DNS name.
            client.helo = first_text
        else:
            # qmail leaves "(HELO x)" out when the HELO equals the reverse-DNS name.
            client.helo = first_text
            client.rdns = _rdns_name(first_host)
    elif literal_ip is not None:
        client.ip = literal_ip
        if helo_marker_seen:
            client.rdns = _rdns_name(first_host)
            client.helo = helo_given
        elif comment_host is not None:
            # Exim 3: from RDNS (HELO) [IP]
            client.rdns = _rdns_name(first_host)
            client.helo = comment_host
        else:
            client.helo = first_text
    else:
        if first_literal:
            client.ip = first_ip
            if helo_marker_seen:
                client.helo = helo_given
            elif first_text is not None and _is_literal(first_text) and not exim_style:
                client.helo = first_text
        else:
            client.helo = helo_given if helo_marker_seen else first_text
            if comment_host is not None:
                client.rdns = _rdns_name(comment_host)
    if (first_text is not None and "@" in first_text and client.helo == first_text
            and "." in first_text.rpartition("@")[2] and (host_info is None or not host_info[0])
            and "with" not in ctx.order):
        # "from user@example.com( [IP) ] by ajax-webmail ..." (NetEase's webmail): a login, not a
        # host's HELO name. Only in the webmail stamp's shape, whose parts the receiver writes (no
        # reverse-DNS slot before the address, no "with"): an MTA's "from alice@victim.example
        # (unknown [IP]) by mx ... with ESMTP" names the client's own HELO, which it may write as
        # an address, not a login (hops45's review of the "$" form).
        client.ident, client.helo = first_text, None
    elif (first_text is not None and "$" in first_text and client.helo == first_text
            and "." in first_text.rpartition("$")[2] and host_info is not None and not host_info[0]
            and ctx.coremail_webmail()):
        # Coremail's webmail (NetEase's 163.com and 126.com, universities, companies) writes the
        # account it was logged in to with "$" for "@": "from luckd0g$163.com ( [183.205.138.3] )
        # by ajax-webmail-wmsvr-40-123 (Coremail) ; date". The browser spoke HTTP, which has no
        # HELO: the word is the login, kept as written. Only in that shape, whose parts the
        # receiver writes (no reverse-DNS slot before the address, no "with"): Coremail's SMTP
        # receiver writes "from HELO (unknown [IP]) ... with SMTP", where a "$" word is the
        # client's own HELO, and so is one in any other server's stamp.
        client.ident, client.helo = first_text, None
    if local_uid is not None and first_host and client.helo == first_host and client.ip is None:
        client.ident, client.helo, client.rdns = f"{first_host} (uid {local_uid})", None, None
    if api_client and first_text is not None and first_text.isdigit():
        client.ident = f"API client {first_text}"
        client.helo = None
    if ctx.http and not ctx.microsoft and client.helo is not None:
        # HTTP has no HELO: the name webmail writes first is the client's reverse-DNS name.
        if client.rdns is None and not _is_literal(client.helo):
            client.rdns = _rdns_name(client.helo, allow_ip=False)
        client.helo = None
    if client.helo == "":
        client.helo = None
    if client.ident is None:
        client.ident = ident_marker
    return client


# ---------------------------------------------------------------------------------------------
# The whole header


def _split_segments(toks: Sequence[_Tok]) -> list[tuple[str | None, list[_Tok]]]:
    segments: list[tuple[str | None, list[_Tok]]] = [(None, [])]
    for t in toks:
        if t.kind == "W" and len(t.text) <= 4 and t.text.lower() in _KEYWORDS:
            segments.append((t.text.lower(), []))
        elif t.kind != "S":
            segments[-1][1].append(t)
    return segments


# Exim's record of the client: "([IP]" or "([IP]:port", then " helo=" (RFC 5321 section 4.4's
# TCP-info with the greeting inside it).
_exim_slot_re = compiled_on_first_use(r"^(?:\S+ )?\[[0-9A-Fa-f.:]{2,45}\](?::\d{1,5})? helo=", re.I)


def _receiver_by(segments: list[tuple[str | None, list[_Tok]]], broken_at: int = -1) -> int:
    """The index of the receiver's own "by" clause, or -1 when there is none.

    RFC 5321 section 4.4: the receiver writes "from" the client's greeting and its record of the
    connection, then "by" itself, then "via", "with", "id" and "for". The client's text before that
    "by" (a greeting Postfix writes verbatim, an ident reply Exim keeps inside its record) can write
    a "by" of its own; after it the receiver writes only the addresses it quotes (Exim's
    "(envelope-from <...>)", "for RCPT" or "for <RCPT>"), which stay inside their comment or unit
    unless broken. So the receiver's "by" is the last one before ``broken_at`` (see
    _address_broken_at) and before the first quoted address that follows a "by" (a "for" clause or
    an "(envelope-from" comment): a "by" after one is the address's text, however it got out (V58a
    D1-1: Exim's bare 'for "victim+\\" by x"@example.net'). Such an address is the greeting's own
    where the receiver's record of the client stands after it, before a later "by" (a Postfix
    greeting copying Exim's stamp up to its "for", then Postfix's "(unknown [IP]) by mx"): the
    receiver writes its record before its "by", never after it."""
    by_at = [i for i, (keyword, _) in enumerate(segments) if keyword == "by"]
    if len(by_at) < 2:
        return by_at[0] if by_at and (broken_at < 0 or not segments[by_at[0]][1]
                                       or segments[by_at[0]][1][0].start < broken_at) else -1
    last = -1
    ahead: list[bool] | None = None
    for i, (keyword, toks) in enumerate(segments):
        if broken_at >= 0 and toks and toks[0].start >= broken_at:
            break
        if keyword == "by":
            last = i
            continue
        if last < 0 or i > by_at[-1]:
            continue
        quoted_at = -1 if keyword == "for" else next(
            (k for k, t in enumerate(toks) if t.kind == "C" and t.text[:13].lower() == "envelope-from"), -2)
        if quoted_at == -2:
            continue
        if ahead is None:
            ahead = _records_ahead(segments)
        if not (ahead[i] or _holds_client_record(toks[quoted_at + 1:])):
            break
    return last


def _holds_client_record(toks: Sequence[_Tok]) -> bool:
    """Whether the tokens hold a receiver's record of the client (a comment _client_address_slot reads)."""
    return any(t.kind == "C" and _client_address_slot(_collapse(_strip_nested(t.text[:MAX_COMMENT_SCAN])))
               for t in toks[:MAX_COMMENTS_SCANNED])


def _records_ahead(segments: list[tuple[str | None, list[_Tok]]]) -> list[bool]:
    """For each clause, whether a later clause before the next "by" holds a record of the client
    (one pass from the end: each clause is looked at once)."""
    ahead = [False] * len(segments)
    seen = False
    for i in range(len(segments) - 1, -1, -1):
        ahead[i] = seen
        keyword, toks = segments[i]
        seen = False if keyword == "by" else seen or _holds_client_record(toks)
    return ahead


def _address_broken_at(toks: Sequence[_Tok], unbounded: int) -> int:
    """Where a quoted address after the receiver's "by" may have broken out of its place, or -1:
    a quoted address that could not be read as a unit (``unbounded``, V49a D1-a), Exim's
    "(envelope-from <..." comment ending before its ">" (an address holding ")": "<a)(mx.bank.example
    [198.51.100.20]) by evil@bank.example>", V53f), a ")" left unpaired (a comment's end lost), or,
    after a "by", a quoted string left open or longer than a path may be (a lone '"': Exim's bare
    'for "victim+<250 characters> by x"@example.net', V58a D1-1; RFC 5321 section 4.5.3.1.3).
    A "by" after it may be the address's text, not the receiver's. (A quote before any "by" is the
    greeting's or the ident reply's, which come before the receiver's "by" anyway.)"""
    at = unbounded
    after_by = False
    for t in toks:
        if at >= 0 and t.start >= at:
            break
        if (t.kind == "C" and t.text[:13].lower() == "envelope-from" and not t.text.rstrip().endswith(">")) \
                or (t.kind == "X" and (t.text == ")" or (t.text == '"' and after_by))):
            return t.start
        if t.kind == "W" and t.text.lower() == "by":
            after_by = True
    return at


def _exim_receiver(segments: list[tuple[str | None, list[_Tok]]], receiver_by: int) -> bool:
    """Whether the receiver names itself Exim where Exim does: "(Exim 4.96)" after its own "by" and
    "with" (received_header_text, Exim's specification chapter "Main configuration"; older
    configurations put it after the host). The receiver's "by" is the last one (_receiver_by): a
    Postfix greeting that copies Exim's stamp, "by mx (Exim 4.96)" and all, comes before Postfix's
    own "by mx (Postfix)", and an Exim ident reply that writes "by mx (Postfix)" comes before
    Exim's; either way the field holds two "by" clauses, which is marked."""
    if receiver_by < 0:
        return False
    toks = segments[receiver_by][1]
    if receiver_by + 1 < len(segments) and segments[receiver_by + 1][0] == "with":
        toks = [*toks, *segments[receiver_by + 1][1]]
    return any(t.kind == "C" and t.text[:4] == "Exim" for t in toks)


# Exim's "ident=USER", the last item of its record (RFC 1413's reply, up to 127 characters).
_exim_ident_re = compiled_on_first_use(r"(?:^|\s)ident=(.*)\Z", re.S)
# What an account name does not hold: the reply is the client's text (RFC 1413 section 6), and
# these are what it needs to end Exim's record early or add one of its own.
_ident_reply_unsafe_re = compiled_on_first_use(r"[\s()\[\]<>\"']")


def _exim_record_first(segments: list[tuple[str | None, list[_Tok]]], problems: list[str],
                       dropped_at: set[int], broken_at: int = -1) -> list[tuple[str | None, list[_Tok]]]:
    """An Exim receiver's from clause without the address records after its own.

    Exim writes "from RDNS ([IP]:port helo=NAME ident=USER)" or "from [IP] (port=N helo=NAME
    ident=USER)": its record is the first comment, and the RFC 1413 ident reply, the client's own
    text which Exim keeps printable but does not rid of parentheses, comes last inside it. An
    ident "x) (mx.bank.example [198.51.100.20]" so puts a record of the client's choosing after
    Exim's, and the last record (the receiver's for Postfix, which writes the greeting before it)
    would name the client (V50a D1-2). Such a comment is dropped and said. The starts of the
    dropped tokens are added to ``dropped_at``: the field's comments are read for logins and TLS
    after this, and a dropped one is none of the receiver's."""
    from_seg = segments[1][1] if len(segments) > 1 and segments[1][0] == "from" else None
    if from_seg and any(t.kind == "X" and t.text == "(" for t in from_seg[:MAX_COMMENTS_SCANNED]):
        return _exim_record_left_open(segments, from_seg, problems, dropped_at, broken_at)
    if not from_seg or len(from_seg) < 2 or from_seg[1].kind != "C":
        return segments
    ident = _exim_ident_re().search(from_seg[1].text[:MAX_COMMENT_SCAN])
    if ident is not None:
        # Exim writes nothing between its record and its "by" (received_header_text: "from
        # $sender_rcvhost by ..."), and the ident reply is the last thing inside the record: what
        # stands after it up to the first "by" (an address literal, a login comment, "with
        # esmtpa", "via HTTP") is the reply breaking out of it, never the receiver's (V53f D1-1,
        # D1-2). All of it is dropped and said; an ident holding white space, parentheses,
        # brackets or quotes, which no account name has, is said as well.
        first_by = _receiver_by(segments, broken_at)
        tail = [t.text for t in from_seg[2:]]
        dropped_at.update(t.start for t in from_seg[2:])
        for keyword, toks in segments[2:first_by]:
            tail.extend([keyword or "", *(t.text for t in toks[:8])])
            dropped_at.update(t.start for t in toks)
        if tail:
            problems.append(f"the client's ident reply holds text after the receiver's record: "
                            f"{_snippet(' '.join(tail[:16]))}")
            return [segments[0], ("from", from_seg[:2]), *segments[first_by:]]
        if _ident_reply_unsafe_re().search(ident.group(1)) is not None:
            problems.append(f"the client's ident reply holds characters no account name has: "
                            f"{_snippet(ident.group(1))}")
        return segments
    if len(from_seg) < 3:
        return segments
    kept = from_seg[:2]
    dropped: list[str] = []
    for t in from_seg[2:]:
        if t.kind == "C" and _client_address_slot(_collapse(_strip_nested(t.text[:MAX_COMMENT_SCAN]))):
            dropped.append(t.text)
            dropped_at.add(t.start)
        else:
            kept.append(t)
    if not dropped:
        return segments
    problems.append(f"the client's ident reply holds another address after the receiver's record: "
                    f"{_snippet(dropped[0])}")
    return [segments[0], ("from", kept), *segments[2:]]


# The words Exim writes in its record before the ident reply (host_build_sender_fullhost):
# "[IP]" with ":port" after it in the form with a host name, "port=N" in the form without one,
# then "helo=NAME" (a name Exim checked: no white space or parentheses).
_exim_port_re = compiled_on_first_use(r":\d{1,5}")
_exim_port_word_re = compiled_on_first_use(r"port=\d{1,5}")


def _exim_record_left_open(segments: list[tuple[str | None, list[_Tok]]], from_seg: list[_Tok],
                           problems: list[str], dropped_at: set[int],
                           broken_at: int) -> list[tuple[str | None, list[_Tok]]]:
    """An Exim receiver's from clause whose record a "(" the client wrote left open.

    Exim writes "from NAME ([IP]:port helo=HELO ident=USER)" or "from [IP] (port=N helo=HELO
    ident=USER)" (host.c, host_build_sender_fullhost): the address and the port come first, from
    the connection, and the RFC 1413 reply last, kept with its parentheses. A reply "x
    (mx.bank.example [198.51.100.20]" pairs Exim's own ")" with its "(", so the comment read as the
    record is the client's and Exim's "(" is left unpaired (V55c D1-2, already marked as the
    client's text). The address is then read where Exim wrote it, before any "ident=": right
    after the unpaired "(" ("[IP]" or "[IP]:port"), or the from word itself in the form without a
    host name, and everything after it up to the first "by" is dropped and said. Where that place
    holds no address, no record is read at all: the client's text cannot be told from Exim's. A
    from clause that holds a "by" (a greeting with clause words, joined before this) is left as
    read: which "by" is the receiver's is not known here."""
    if any(t.kind == "W" and t.text.lower() == "by" for t in from_seg):
        return segments
    first_by = _receiver_by(segments, broken_at)
    opened = next(i for i, t in enumerate(from_seg) if t.kind == "X" and t.text == "(")
    kept: list[_Tok] = []
    record: list[str] = []
    if opened == 1 and from_seg[0].kind == "B" and _read_ip(from_seg[0].text)[0] is not None:
        kept = [from_seg[0]]  # "from [IP] (port=N helo=...": the from word is Exim's address
        words = from_seg[2:]
        if words and words[0].kind == "W" and _exim_port_word_re().fullmatch(words[0].text):
            record.append(words[0].text)
            words = words[1:]
    elif opened == 1 and from_seg[0].kind == "W" and len(from_seg) > 2 and from_seg[2].kind == "B" \
            and _read_ip(from_seg[2].text)[0] is not None:
        kept = [from_seg[0]]
        record.append(from_seg[2].text)
        words = from_seg[3:]
        if words and words[0].kind == "W" and words[0].start == from_seg[2].end and _exim_port_re().fullmatch(words[0].text):
            record[0] += words[0].text
            words = words[1:]
    else:
        words = []
    if (record or kept) and len(words) > 1 and words[0].kind == "W" and words[0].text[:5].lower() == "helo=" \
            and words[1].kind == "W" and words[1].text[:6].lower() == "ident=":
        # A greeting Exim checked and wrote whole, the ident reply after it.
        record.append(words[0].text)
    placed = bool(kept) and (kept[0].kind == "B" or bool(record))
    # The from word is Exim's (its verified host name, or the address); all after it is rebuilt
    # from Exim's words or dropped.
    dropped = from_seg[1:]
    dropped_at.update(t.start for t in dropped)
    tail = [t.text for t in dropped]
    for keyword, toks in segments[2:first_by]:
        tail.extend([keyword or "", *(t.text for t in toks[:8])])
        dropped_at.update(t.start for t in toks)
    if placed:
        if record:
            kept.append(_new_tok(_Tok, ("C", " ".join(record), from_seg[opened].start, from_seg[opened].start)))
        problems.append(f"the client's ident reply leaves the receiver's record open; only the address and "
                        f"greeting before it are read: {_snippet(' '.join(tail[:16]))}")
    else:
        kept = [from_seg[0]] if from_seg[0].kind == "W" else []
        problems.append(f"the client's ident reply leaves the receiver's record open and its address "
                        f"cannot be told: {_snippet(' '.join(tail[:16]))}")
    return [segments[0], ("from", kept), *segments[first_by:]]


def _greeting_clauses_joined(segments: list[tuple[str | None, list[_Tok]]],
                             problems: list[str], exim_receiver: bool) -> list[tuple[str | None, list[_Tok]]]:
    """The clauses with a greeting's clause words put back into the from clause.

    RFC 5321 section 4.4: the receiver writes "from" the client's greeting, then its own record of
    the connection (TCP-info), then "by" itself. A greeting of several words written verbatim can
    hold clause words of its own ("EHLO x ([192.0.2.5]) by mail.uni.example with ESMTPSA" makes
    "from x ([192.0.2.5]) by mail.uni.example with ESMTPSA (unknown [45.33.10.20]) by mx.uni.example
    (Postfix) with ESMTP ..."); read as clauses, the client would name the receiver and protocol
    (verification V47a O-1). Where the receiver's record of the client's address (a comment shaped as
    _client_address_slot reads) comes after a "by" that is not the last one, or in a clause between
    "from" and the first "by" ("EHLO mail with ESMTPSA" makes "from mail with ESMTPSA (unknown
    [203.0.113.66]) by mx ... with ESMTP", read as a logged-in submission with no client address:
    V48a D-4), everything before the record is the greeting, and the receiver's "by" is the next
    one after it: the text between joins the from clause, whose reader takes the last record as
    the client's. A stamp with no such record (qmail-scanner's "by uid N") is unchanged, and so is
    Exim's (``exim_receiver``: _exim_receiver; a Postfix greeting copying Exim's record with no
    "(Exim ...)" after its "by" is joined, V50a D1-1), which writes the greeting inside its own record ("from rdns ([IP]:port helo=NAME)"), the
    first comment: no greeting words can stand outside it, and what follows its "by" is its own (the
    MAIL FROM it quotes, "(envelope-from <...>)", which a quoted local part can break out of:
    "<\"x)(mx.bank.example [198.51.100.20]) by mx ... (x\"@bank.example>", V49a D1-a) — unless a
    record stands in a clause between "from" and the first "by", where Exim writes nothing and where
    a Postfix greeting that copies Exim's slot pushes Postfix's own record ("from x ([IP]:25 helo=y)
    id 1 (unknown [IP]) by mx (Postfix)", V50a D1-1). Each comment is looked at at most twice."""
    by_at = [i for i, (keyword, _) in enumerate(segments) if keyword == "by"]
    if not by_at or len(segments) < 2 or segments[1][0] != "from":
        return segments

    def holds_record(seg: Sequence[_Tok]) -> bool:
        return any(t.kind == "C" and _client_address_slot(_collapse(_strip_nested(t.text[:MAX_COMMENT_SCAN])))
                   for t in seg)

    early = next((i for i in range(by_at[0] - 1, 1, -1) if holds_record(segments[i][1])), -1)
    if early < 0 and exim_receiver and any(t.kind == "C" and _exim_slot_re().match(_collapse(_strip_nested(t.text[:MAX_COMMENT_SCAN])))
                         for t in segments[1][1]):
        return segments
    # A record after a "by" that is not the last, latest first; else the one before the first "by".
    record_at = next((i for i in range(by_at[-1] - 1, by_at[0] - 1, -1) if holds_record(segments[i][1])), early)
    if record_at < 0:
        return segments
    receiver_by = next(i for i in by_at if i > record_at)
    joined = list(segments[1][1])
    for keyword, seg in segments[2:receiver_by]:
        joined.append(_new_tok(_Tok, ("W", keyword or "", 0, 0)))
        joined.extend(seg)
    words = " ".join(f"{keyword} {' '.join(t.text for t in seg if t.kind != 'C')}"
                     for keyword, seg in segments[2:receiver_by])
    problems.append(f"the client's greeting holds clause words before the receiver's record: {_snippet(words)}")
    return [segments[0], ("from", joined), *segments[receiver_by:]]


def _words_until_comment(seg: Sequence[_Tok]) -> tuple[list[str], list[_Tok]]:
    """Leading comments skipped, then words up to the first comment after a word."""
    words: list[str] = []
    rest_at = len(seg)
    for i, t in enumerate(seg):
        if t.kind == "C":
            if words:
                rest_at = i
                break
            continue
        if t.kind in "WBAQ":
            words.append(t.text)
            continue
        rest_at = i
        break
    return words, list(seg[rest_at:])


# ---------------------------------------------------------------------------------------------
# Fast path: the shapes most mail carries, read by one anchored regex
#
#   [from NAME [(RDNS [IP]) | (IP)] [(TLS comment)]] by HOST [(IP)] [(software)]
#   with PROTOCOL [(TLS comment)] id ID [via WORDS] [(TLS comment)] [for <ADDR>] [(comment)]
#   ; DATE (RFC 5322 section 3.3, numeric zone) [(ZONE)]
#
# (Postfix, sendmail, Exchange, Gmail, Dovecot, most filters). The regex only replaces the
# tokenizer and the clause split: the from clause, comments and markers go through the same
# code as the general parser, so a fast read equals a general one (a test checks this on
# every corpus header). Anything else, including any doubt, falls back to the general parser.
# Linear: every part is a bounded character class next to a literal it cannot contain.

_FAST_HOST = r"[A-Za-z0-9_][A-Za-z0-9_.:-]{0,252}"


def _fast_comment(name: str) -> str:
    """A comment with at most one nested comment ("(using TLSv1.3 ... (256/256 bits))")."""
    return r"\s+\((?P<" + name + r">[^()\\]{1,200}(?:\([^()\\]{0,40}\)[^()\\]{0,40})?)\)"


_FAST_RE = re.compile(
    r"\s*(?:from\s+(?P<helo>\[[0-9A-Fa-f:.]{2,45}\]|" + _FAST_HOST + r")"
    r"(?:\s+\((?P<fc1>[^()\\]{1,300})\))?"
    "(?:" + _fast_comment("fc2") + ")?"
    "(?:" + _fast_comment("fc3") + ")?"
    r"\s+)?"
    r"by\s+(?P<by>" + _FAST_HOST + r")"
    r"(?:\s+\((?P<bc1>[^()\\]{1,100})\))?"
    r"(?:\s+\((?P<bc2>[^()\\]{1,100})\))?"
    r"\s+with\s+(?P<proto>[A-Za-z0-9][A-Za-z0-9-]{0,15}(?: SMTP Server)?)"
    "(?:" + _fast_comment("wc") + ")?"
    r"(?:\s+id\s+(?P<id>[A-Za-z0-9+/=_.-]{1,128}))?"
    r"(?:\s+via\s+(?P<via>[A-Za-z][A-Za-z0-9-]{0,30}(?: [A-Za-z][A-Za-z0-9-]{0,30}){0,3}))?"
    "(?:" + _fast_comment("ic") + ")?"
    r"(?:\s+for\s+(?P<rcpt><[^<>()\s;\"\\]{1,256}>))?"
    "(?:" + _fast_comment("rc") + ")?"
    r"\s*;\s*(?P<date>(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s*)?(?P<day>[0-9]{1,2})\s+(?P<mon>[A-Za-z]{3})"
    r"\s+(?P<year>[0-9]{4})\s+(?P<h>[0-9]{2}):(?P<mi>[0-9]{2}):(?P<s>[0-9]{2})\s+(?P<zs>[+-])(?P<zh>[0-9]{2})"
    r"(?P<zm>[0-9]{2})"
    r"(?:\s+\([A-Za-z0-9][A-Za-z0-9 ]{0,11}\))?)\s*$"
)
# _FAST_RE's groups in order, as _parse_fast_timed unpacks them (a test checks this).
_FAST_GROUPS = ("helo", "fc1", "fc2", "fc3", "by", "bc1", "bc2", "proto", "wc", "id", "via", "ic", "rcpt", "rc",
                "date", "day", "mon", "year", "h", "mi", "s", "zs", "zh", "zm")
# The date's numbers are ASCII digits ([0-9], not \d: int() reads other scripts' digits too, but
# the ISO text is written from the digits as read, which must be ASCII as isoformat writes them;
# other digits go to the general parser). Their values, looked up (int() costs more): one or two
# digits for the day, two for the hour, minute, second and zone parts.
_DIGIT_VALUES = {**{str(n): n for n in range(10)}, **{f"{n:02d}": n for n in range(100)}}
# A month's number and its two-digit ISO text, by its three-letter name in lower case.
_FAST_MONTHS = {name: (number, f"{number:02d}") for name, number in _MONTHS.items() if len(name) == 3}
# Words that would start a clause in the general parser: a value equal to one means the
# header is not the simple shape (e.g. "from by by x").
# chasquid and WP-SMTPD change how the from clause reads (_Context), which the fast path's
# comments-for-TLS-only read would not see.
_FAST_MARKERS = ("helo", "ehlo", "lhlo", "exim", "auth", "account", "http", "envelope", "userid", "qmail",
                 "chasquid", "wp-smtpd", "ident: ")


def _may_mark_tls(comment: str) -> bool:
    """The test _tls_from_comment starts with (upper() as there: Unicode case rules alike)."""
    upper = comment.upper()
    return "TLS" in upper or "SSL" in upper or "ENCRYPTED" in upper


@functools.lru_cache(maxsize=256)
def _zone(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


_SIMPLE_HOSTINFO_RE = re.compile(r"([A-Za-z0-9_.-]{1,255}) \[([0-9A-Fa-f:.]{2,45})\]")


def _simple_client(from_seg: list[_Tok] | None) -> _Client | None:
    """``from HELO (RDNS [IP])`` (Postfix, sendmail), the commonest from clause, read directly.

    Only for the fast path, whose comments hold no HELO/ident markers; the other comments
    must be ones _read_from ignores (empty, or with a space and no "["). Otherwise None, and
    _read_from reads it (the equivalence test on the corpus covers both)."""
    if not from_seg or len(from_seg) < 2 or from_seg[1].kind != "C":
        return None
    m = _SIMPLE_HOSTINFO_RE.fullmatch(from_seg[1].text)
    if m is None:
        return None
    for t in from_seg[2:]:
        c = _collapse(_strip_nested(t.text[:MAX_COMMENT_SCAN]))
        if c and (" " not in c or "[" in c):
            return None
    ip = _read_ip(m.group(2))[0]
    if ip is None:
        return None  # _read_from reports the bad literal
    helo = from_seg[0].text
    return _Client(helo=helo or None, rdns=_rdns_name(m.group(1)), ip=ip)


def _parse_fast(text: str) -> ReceivedFields | None:
    """The common shapes read without tokenizing; None when the header is anything else."""
    read = _parse_fast_timed(text)
    return None if read is None else read[0]


# A from comment "NAME [a.b.c.d]" whose address is canonical IPv4 (octets 0-255 in decimal
# without leading zeros: the text is exactly what ipaddress writes back, so reading it gives
# the same text). Postfix and sendmail record the client's address there, and a sender's
# internal relays use a new private address per message; see _parse_fast_timed.
_ADDRESS_COMMENT_RE = re.compile(r"([A-Za-z0-9_.-]{1,255}) \[(" + _CANONICAL_IPV4_RE.pattern + r")\]")
# In a shape key, a literal HELO that is filled in stands as this, and such a from comment as
# (NAME,): tuples, so never equal to text of a header (the other parts are a str or None).
_ANY_LITERAL_HELO = ("[literal]",)


def _parse_fast_timed(text: str) -> tuple[ReceivedFields, datetime] | None:
    """_parse_fast, with the datetime the ``timestamp`` field was written from."""
    m = _FAST_RE.match(text)
    if m is None:
        return None
    # One call for all groups, in _FAST_GROUPS order (hot path; groupdict() costs 4x more).
    (helo, fc1, fc2, fc3, by, bc1, bc2, proto, wc, queue, via, ic, rcpt, rc, date, day, mon, year,
     hour, minute, second_text, zone_sign, zone_hours_text, zone_minutes_text) = m.groups()
    if queue is not None and queue.lower() in _KEYWORDS:
        return None
    month_read = _FAST_MONTHS.get(mon.lower())
    digits = _DIGIT_VALUES
    zone_hours, zone_minutes = digits[zone_hours_text], digits[zone_minutes_text]
    if month_read is None or zone_hours > 23 or zone_minutes > 59:
        return None
    month, month_text = month_read
    if second_text == "60":  # leap second (RFC 5322 section 3.3)
        second_text = "59"
    offset = zone_hours * 60 + zone_minutes
    try:
        timestamp = datetime(int(year), month, digits[day], digits[hour], digits[minute], digits[second_text], 0,
                             _zone(-offset if zone_sign == "-" else offset))
    except ValueError:
        return None
    # timestamp.isoformat(), written from the digits read (ASCII, and datetime accepted them, so
    # each is in range and the year has its 4 digits): "-0000" is offset 0, which isoformat
    # writes "+00:00"; no microseconds, so no fraction.
    iso = (f"{year}-{month_text}-{day if len(day) == 2 else '0' + day}T{hour}:{minute}:{second_text}"
           + ("+00:00" if offset == 0 else f"{zone_sign}{zone_hours_text}:{zone_minutes_text}"))

    date_text = date.strip()
    zone_comment = date_text[date_text.index("(") + 1 : -1] if "(" in date_text else None
    # Everything but the queue id, the recipient and the date depends only on the header's
    # "shape" (its hosts, comments and protocol), which repeats from message to message: a
    # receiver writes its own hops the same way each time. The shape's fields are worked
    # out once and the varying ones filled in.
    #
    # A client address in "(NAME [a.b.c.d])" and an address-literal HELO ("from [a.b.c.d]")
    # are filled in too: a sender's internal hops carry a new private address per message.
    # Beside such a comment (first after the HELO, so the one the from clause reader takes
    # as the client's host info) the address only ever becomes ``from_ip``, and a literal
    # HELO only ``from_helo`` (kept, or dropped for HTTP, by the rest of the shape): nothing
    # else reads them (no TLS or marker text fits in digits and brackets). The first read
    # of a shape shows which of the two it keeps (checked, else the shape is not cached).
    address: str | None = None
    helo_key: object = helo
    fc1_key: object = fc1
    hostinfo = _ADDRESS_COMMENT_RE.fullmatch(fc1) if fc1 is not None else None
    if hostinfo is not None:
        address = hostinfo.group(2)
        fc1_key = (hostinfo.group(1),)
        if helo is not None and helo[0] == "[":
            helo_key = _ANY_LITERAL_HELO
    shape = (helo_key, fc1_key, fc2, fc3, by, bc1, bc2, proto, wc, queue is None, via, ic, rc, zone_comment)
    cached = _SHAPES.get(shape)
    if cached is None:
        read = _read_shape(m.groupdict(), zone_comment, address, helo_key is _ANY_LITERAL_HELO)
        if read is None:
            return None
        cached, reusable = read
        if reusable:
            if len(_SHAPES) >= _MAX_SHAPES:
                _SHAPES.clear()
            _SHAPES[shape] = cached
    template, fills_address, fills_helo = cached
    values = template.copy()
    if queue is not None and queue[:1].isdigit() and "." in queue and _exchange_build(queue, values):
        values["server_version"] = queue  # (see _assemble)
    else:
        values["id"] = queue
    values["for_"] = rcpt
    values["timestamp"] = iso
    values["date_text"] = date_text
    if fills_address:
        values["from_ip"] = address
    if fills_helo:
        values["from_helo"] = helo
    return _fields_from_dict(values), timestamp


# Fields of recently seen Received shapes (see _parse_fast_timed), bounded: the fields as a
# dict, and whether the client address and the HELO are filled in per header. Only shapes
# the fast path reads are kept (each passed the checks in _read_shape).
_SHAPES: dict[tuple[object, ...], tuple[dict[str, object], bool, bool]] = {}
_MAX_SHAPES = 4096


def _read_shape(d: dict[str, str | Any], zone_comment: str | None, address: str | None,
                any_literal_helo: bool) -> tuple[tuple[dict[str, object], bool, bool], bool] | None:
    """A shape's entry for _SHAPES (see _parse_fast_timed) and whether it may be cached for
    other headers; None when the fast path declines the header. The checks here read only
    what the shape key holds (a client address or a literal HELO cannot be a clause word
    or hold a marker), so a cached shape needs them no more."""
    helo, by, proto, via = d["helo"], d["by"], d["proto"], d["via"]
    for word in (helo, by, proto):
        if word is not None and word.lower() in _KEYWORDS:
            return None
    if via is not None and any(w.lower() in _KEYWORDS for w in via.split()):
        return None
    from_comments = [c for c in (d["fc1"], d["fc2"], d["fc3"]) if c is not None]
    comments = [*from_comments, *(c for c in (d["bc1"], d["bc2"], d["wc"], d["ic"], d["rc"]) if c is not None)]
    if comments:
        low = "\n".join(comments).lower()
        for marker in _FAST_MARKERS:
            if marker in low:
                return None  # markers the general parser reads with context: let it
    if len(from_comments) > 1 and any(_greeting_login_words_re().search(c) is not None for c in from_comments[:-1]):
        # A comment before the last one in the from clause is the client's greeting (see
        # _read_from), and the general parser says login words there ("EHLO x (with esmtpa)" makes
        # Postfix write "from x (with esmtpa) (unknown [IP])"), as hops' safety net needs; the
        # markers above hold none of the protocol words.
        return None
    fields = _fast_shape(helo, from_comments, comments, by, proto, via, d["id"] is not None, zone_comment)
    fills_helo = any_literal_helo and fields.from_helo is not None
    if address is not None and any(_client_address_slot(_collapse(_strip_nested(c))) for c in from_comments[1:]):
        # A later comment is the receiver's record, and the first one the client's greeting (see
        # _read_from): the client's address is in the shape key, not the one filled in, even when
        # this header's two addresses are the same.
        return (fields.__dict__, False, False), False
    if (address is not None and fields.from_ip != address) or (fills_helo and fields.from_helo != helo):
        return (fields.__dict__, False, False), False  # not the expected reading (never seen)
    return (fields.__dict__, address is not None, fills_helo), True


def _exchange_build(queue: str, values: dict[str, object]) -> bool:
    """Whether a fast-path header's id is Exchange's build number (see _assemble), by its shape's
    fields: Exchange's protocol words, its "via ... Transport", or a host of Exchange Online."""
    if _exchange_build_re().fullmatch(queue) is None:
        return False
    protocol, via, by = values["protocol"], values["via"], values["by"]
    return ("MICROSOFT" in str(protocol or "").upper().split() or "MAPI" in str(protocol or "").upper().split()
            or "TRANSPORT" in str(via or "").upper().split()
            or str(by or "").lower().endswith((".outlook.com", ".office365.com")))


def _fields_from_dict(values: dict[str, object]) -> ReceivedFields:
    """ReceivedFields from a complete dict of its fields in field order (a cached shape's,
    filled in). When _make_fields is the fast constructor, filling the instance ``__dict__``
    is exactly what it does, less its checks of the keys (all known here)."""
    if _make_fields is ReceivedFields:  # frozen_maker fell back to the class: so do we
        return ReceivedFields(**values)  # type: ignore[arg-type]
    fields: ReceivedFields = _new_object(ReceivedFields)
    fields.__dict__.update(values)
    return fields


_new_object = object.__new__


def _fast_shape(helo: str | None, from_comments: list[str], comments: list[str], by: str, proto: str,
                via: str | None, has_queue_id: bool, zone_comment: str | None) -> ReceivedFields:
    """The fields of a fast-path header that do not vary with its id, recipient and date."""
    from_seg: list[_Tok] | None = None
    order: list[str] = []
    if helo is not None:
        order.append("from")
        from_seg = [_new_tok(_Tok, ("B" if helo[0] == "[" else "W", helo, 0, 0))]
        from_seg.extend(_new_tok(_Tok, ("C", c, 0, 0)) for c in from_comments)
    order.extend(("by", "with", "id") if has_queue_id else ("by", "with"))
    if via is not None:
        order.append("via")
    # Only comments that can mark TLS matter here (the markers above are absent, so no
    # other comment changes a field): the rest are not flattened at all.
    flat_comments = [_flat(c) for c in comments if _may_mark_tls(c)]
    if zone_comment is not None:  # the zone comment, "(CEST)", is a comment too
        flat_comments.append(_flat(zone_comment))
    problems: list[str] = []
    return _assemble(
        problems=problems, flat_comments=flat_comments, exim=False, by=by.rstrip(","),
        protocol=proto, via=via, queue_id=None,
        for_=None, envelope_from=None, ident=None, from_seg=from_seg, leading_from=None,
        tls=_TlsSeen(), local_form=False, order=order, timestamp=None, date_text=None,
        tls_only=True,
    )


def parse_received(value: str) -> ReceivedFields:
    """Read every field that can be read; never raises. ``complete`` is False for partial reads."""
    return parse_received_timed(value)[0]


def parse_received_timed(value: str) -> tuple[ReceivedFields, datetime | None]:
    """:func:`parse_received`, and the moment its ``timestamp`` was written from (None when
    that is None): a caller that needs the datetime need not read the ISO text back."""
    try:
        if len(value) <= MAX_PARSED_CHARS:
            fast = _parse_fast_timed(value)
            if fast is not None:
                return fast
        return _parse_timed(value)
    except Exception as exc:  # noqa: BLE001 - defence in depth: a parser bug must not lose the hop
        return ReceivedFields(
            complete=False, problems=(f"internal parser error: {type(exc).__name__}",)
        ), None


def _literal_problem(literal: str) -> str:
    """What is wrong with an address literal that holds no IP: masked by whoever shared the
    copy ("[***]"), or not an address."""
    if redaction_mark(literal) is not None:
        return f"address literal masked in this copy: {_snippet(literal)}"
    return f"address literal is not an IP: {_snippet(literal)}"


def _parse(value: str) -> ReceivedFields:
    return _parse_timed(value)[0]


def _parse_timed(value: str) -> tuple[ReceivedFields, datetime | None]:
    problems: list[str] = []
    text = value
    tail_date: str | None = None
    if len(text) > MAX_PARSED_CHARS:
        problems.append(
            f"header is {len(value)} characters long; only the first {MAX_PARSED_CHARS} read"
        )
        cut = value.rfind(";")
        if cut != -1 and len(value) - cut < 256:
            tail_date = value[cut + 1 :].strip() or None
        text = value[:MAX_PARSED_CHARS]
    if not text.strip():
        return ReceivedFields(complete=False, problems=("empty Received header",)), None

    toks, deepest, unbounded = _tokenize(text)
    if deepest > MAX_COMMENT_DEPTH:
        problems.append(f"comments nested {deepest} deep")
    if unbounded >= 0:
        # A quoted local part with parentheses the parser could not read as one address: which
        # parentheses are the sender's and which the receiver's cannot be told (V53f D1-3).
        problems.append(f"the client's quoted address cannot be bounded: {_snippet(text[unbounded:unbounded + 200])}")
    strays = [t.text for t in toks if t.kind == "X"]
    if strays:
        problems.append(f"unbalanced or stray characters: {_snippet(' '.join(strays[:20]))}")
        if "(" in strays or ")" in strays:
            # Every receiver closes each comment it opens (RFC 5322 section 3.2.2); a parenthesis
            # left without its pair outside quoted strings and the quoted addresses read as units
            # is the client's text (an ident reply or greeting that opened one took the receiver's
            # record into it: 'ident=x (mx.bank.example [198.51.100.20]', V55c D1-2), and which
            # comment is whose cannot be told: hops.greeting_injection.
            at = next(t.start for t in toks if t.kind == "X" and t.text in "()")
            problems.append(f"the client's text leaves a parenthesis unpaired: {_snippet(text[at:at + 80])}")

    # Where the date is: after the LAST top-level ';' (earlier ones, and ';' inside comments
    # or angle addresses such as ORCPT <rfc822;x>, are not it). Without a ';' (SendGrid), at
    # the first token that starts a date and is not itself a clause value.
    semis = [i for i, t in enumerate(toks) if t.kind == "S"]
    clause_toks: list[_Tok]
    date_toks: list[_Tok]
    if semis:
        clause_toks = toks[: semis[-1]]
        date_toks = toks[semis[-1] + 1 :]
    else:
        start = len(toks)
        for i in range(len(toks)):
            prev = toks[i - 1] if i else None
            after_keyword = prev is not None and prev.kind == "W" and prev.text.lower() in _KEYWORDS
            if not after_keyword and _is_date_start(toks, i):
                start = i
                break
        clause_toks, date_toks = toks[:start], toks[start:]
    # Clauses written after the date ("...; Thu, 10 Nov 2005 08:24:21 -0600 id 000000DB").
    for j, t in enumerate(date_toks):
        if (
            t.kind == "W"
            and len(t.text) <= 4
            and t.text.lower() in _KEYWORDS
            and j + 1 < len(date_toks)
        ):
            clause_toks = clause_toks + date_toks[j:]
            date_toks = date_toks[:j]
            break
    date_end = 0
    for j, t in enumerate(date_toks):
        if t.kind != "C":
            date_end = j + 1
    if date_end < len(date_toks) and date_end > 0:
        zone = date_toks[date_end]
        if zone.kind == "C" and len(zone.text) <= 12 and zone.text.replace(" ", "").isalnum():
            date_end += 1  # "(PST)", "(UTC)": part of the date as written
    date_part = date_toks[:date_end]
    # Comments after the date (e.g. "(envelope-from x)") still count as clause comments.
    clause_toks = clause_toks + date_toks[date_end:]

    date_text = text[date_part[0].start : date_part[-1].end].strip() if date_part else None
    if date_text is None and tail_date is not None:
        date_text = tail_date
    timestamp: datetime | None = None
    if date_text:
        timestamp, notes = _parse_date(date_text)
        problems.extend(notes)
        if timestamp is None:
            problems.append(f"date not readable: {_snippet(date_text)}")
    elif semis:
        problems.append("no date after ';'")
    else:
        problems.append("no date (no ';' and no date-like text)")

    segments = _split_segments(clause_toks)
    if len(segments) > _MAX_CLAUSES:
        # A real Received field has a handful of clauses (RFC 5321 section 4.4); thousands are
        # an attack on the reader, each costing a pass over the ones before.
        problems.append(f"{len(segments)} clauses: only the first {_MAX_CLAUSES} read")
        segments = segments[:_MAX_CLAUSES]
    # (Only a field with two "by" clauses needs to know where an address broke.)
    by_clauses = sum(keyword == "by" for keyword, _ in segments)
    broken_at = _address_broken_at(clause_toks, unbounded) if by_clauses > 1 else -1
    receiver_by = _receiver_by(segments, broken_at)
    # Where the first "by" is not the one read as the receiver's, the field is the client's text in
    # part, which the net below says if nothing else has.
    first_by_start = next((next((t.start for t in seg if t.kind != "C"), -1) for keyword, seg in segments
                           if keyword == "by"), -1) if by_clauses > 1 else -1
    exim_receiver = _exim_receiver(segments, receiver_by)
    segments = _greeting_clauses_joined(segments, problems, exim_receiver)
    dropped_at: set[int] = set()
    if exim_receiver:
        segments = _exim_record_first(segments, problems, dropped_at, broken_at)

    # Context from the whole header, needed before the from clause can be read.
    comments = [t for t in toks if t.kind == "C" and t.start not in dropped_at][:MAX_COMMENTS_SCANNED] \
        if dropped_at else [t for t in toks if t.kind == "C"][:MAX_COMMENTS_SCANNED]
    flat_comments = [_flat(t.text) for t in comments]
    exim = any("Exim" in c and _exim_re().search(c) for c in flat_comments)
    # The receiver's software is named in its own part, after its "by" (qmail-ldap's "by host
    # (qmail-ldap-1.03) with SMTP"): the comments before it hold the client's greeting and ident
    # reply, which an identd answering "qmail-ldap" would fill (V55c D1-1).
    by_start = next((t.start for t in clause_toks if t.kind == "W" and t.text.lower() == "by"), -1)
    qmail_auth = by_start >= 0 and any(
        c.lower().startswith(_QMAIL_AUTH_SOFTWARE) for t, c in zip(comments, flat_comments, strict=True) if t.start > by_start)

    by: str | None = None
    receiver_by_start = -1
    protocol: str | None = None
    via: str | None = None
    queue_id: str | None = None
    for_: str | None = None
    envelope_from: str | None = None
    ident: str | None = None
    from_seg: list[_Tok] | None = None
    leading_from: list[_Tok] | None = None
    tls = _TlsSeen()
    local_form = False
    scanner_uid: str | None = None
    order: list[str] = []
    extras_by_clause: list[tuple[str, list[_Tok]]] = []
    other_withs: list[str] = []
    # A login written in a clause, not a comment: OpenSMTPD's "auth=yes" ("yes", or the login its
    # "user=" names) and Runbox's "[Authenticated alias (N)]" after the protocol word.
    id_login: str | None = None

    for keyword, seg in segments:
        if keyword is None:
            extras: list[_Tok] = []
            for t in seg:
                if t.kind == "C":
                    c = _collapse(t.text[:MAX_COMMENT_SCAN])
                    q = _qmail_re().match(c)
                    if q is not None:
                        local_form = True
                        how, what = q.group(2).lower(), q.group(3)
                        if q.group(1) and by is None:
                            # wp.pl's "(wp-smtpd smtp.tlen.pl 6210 invoked from network)": the host
                            # that wrote the stamp.
                            by = q.group(1)
                        if how == "by":
                            ident = what or None
                        elif how == "from":
                            n = _qmail_network_re().match(what)
                            if n is not None:
                                leading_from = [
                                    _Tok("W", n.group(2) or "unknown", 0, 0),
                                    _Tok("C", n.group(1), 0, 0),
                                ]
                    elif c[:5].lower() == "from " and leading_from is None:
                        # "(from KRYPTIK [70.20.57.51]) by ..." (NAVGW) and sendmail's
                        # "(from user@localhost) by ..."
                        sub = _tokenize(c[5:])[0]
                        leading_from = [s for s in sub if s.kind != "S"]
                        local_form = True
                elif t.kind not in "X":
                    extras.append(t)
            if extras:
                extras_by_clause.append(("start", extras))
            continue
        order.append(keyword)
        if keyword == "from":
            first = seg[0] if seg else None
            if (
                "by" in order[:-1]
                and first is not None
                and first.kind in "AW"
                and (first.kind == "A" or "@" in first.text)
            ):
                # IBM Domino / XMail: "... for <rcpt> from <envelope-sender>"
                if envelope_from is None:
                    envelope_from = _strip_angle(first.text)
                rest_toks = [t for t in seg[1:] if t.kind != "C"]
                if rest_toks:
                    extras_by_clause.append((keyword, rest_toks))
            elif from_seg is None:
                from_seg = seg
            else:
                problems.append(
                    f"repeated 'from' clause: {_snippet(' '.join(t.text for t in seg if t.kind != 'C'))}"
                )
            continue
        if keyword == "by":
            values = [t for t in seg if t.kind != "C"]
            if not values:
                problems.append("'by' clause without a host")
                continue
            host = values[0].text.rstrip(",")
            if not any(c.isalnum() for c in host):
                # RFC 5321 section 4.4: "by" names a domain or an address literal. A stray "("
                # (a paste whose host names a web page swallowed) names nobody.
                problems.append(f"'by' clause names no host: {_snippet(host)}")
                continue
            if by is None:
                by = host
                receiver_by_start = values[0].start
                rest = [t.text for t in values[1:]]
                if [w.lower() for w in rest] == _OVER_TLS:
                    # Exchange 2003-2010 and IIS: "by host over TLS secured channel with
                    # Microsoft SMTPSVC(...)": STARTTLS was used on this hop.
                    tls.mark()
                elif len(rest) == 2 and rest[0].lower() == "pod-id":
                    # Yahoo's web submission: "by atlas-production...yahoo.com pod-id
                    # atlas--production-...yahoo.com with HTTP", the serving pod of the host.
                    pass
                elif rest and len(rest) <= 3 and "." not in host and host[0] != "[" and all(w.isalpha() for w in rest):
                    # A gateway that writes its product's name, not its host name: "by
                    # Forcepoint Email with ESMTPS", "by Websense Email Security Gateway".
                    by = " ".join((host, *rest))
                elif rest:
                    extras_by_clause.append((keyword, values[1:]))
            elif host.lower() == "uid" and len(values) == 2 and values[1].text.isdigit() and len(values[1].text) <= 10:
                # qmail-scanner 1.0x-1.1x's fixed stamp, "from SENDER by HOST by uid N with
                # qmail-scanner-1.10 (...)": the uid the scanner ran as, a local account (as
                # qmail-queue's "invoked by uid N"), not a second receiving host.
                scanner_uid = values[1].text
            else:
                problems.append(f"repeated 'by' clause: {_snippet(host)}")
            continue
        if keyword == "with":
            words, rest_toks = _words_until_comment(seg)
            for k in range(1, len(words) - 1):
                if words[k].lower() == "tls" and _cipher_suite_re().match(words[k + 1]):
                    # RFC 8314 section 4.3's "tls" clause (cipher suite), written straight
                    # after the protocol word with no comment between, as chasquid does:
                    # "with ESMTPSA tls TLS_AES_128_GCM_SHA256 (over submission+TLS, ...)".
                    # The protocol is the word(s) before it.
                    tls.mark(None, words[k + 1])
                    words = words[:k] + words[k + 2:]
                    break
            # Only in the first "with" clause, after the protocol word that says a login: a later one
            # is text the receiver did not write there (a MAIL FROM that breaks out of Exim's
            # "(envelope-from <...>)" comment, verification V49a D1-b).
            if id_login is None and protocol is None and words and words[0].lower() in _EXIM_LOGIN_PROTOCOLS \
                    and any(w[:15].lower() == "[authenticated " for w in words):
                for k, w in enumerate(words):
                    bracket_login = _bracket_login_re().match(w)
                    if bracket_login is not None:
                        # Runbox's submission host: "with esmtpsa [Authenticated alias (536975)]"
                        # or "[Authenticated ID (604044)]", the account the client logged in as.
                        id_login = bracket_login.group(1)
                        del words[k]
                        break
            with_value = " ".join(words).rstrip(",") or None
            if protocol is None:
                protocol = with_value
            elif with_value is not None and with_value.upper() in _TLS_WITH_WORDS:
                # RFC 822 section 4.1 allows several "with" clauses (*("with" atom)); Mimecast
                # writes "with ESMTP with STARTTLS (version=..., cipher=...)".
                tls.mark()
            elif with_value:
                # Also allowed by RFC 822; RFC 5321 section 4.4 has one. The first is the
                # protocol; the others stay in the raw header, noted here.
                other_withs.append(with_value)
            left: list[_Tok] = []
            k = 0
            rest_words = [t for t in rest_toks if t.kind != "C"]
            while k < len(rest_words):
                if rest_words[k].text.lower() == "tls" and k + 1 < len(rest_words):
                    # Exim 4.9x: "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384"
                    tls.mark(None, rest_words[k + 1].text)
                    k += 2
                    continue
                left.append(rest_words[k])
                k += 1
            if left:
                extras_by_clause.append((keyword, left))
            continue
        if keyword == "via":
            words, rest_toks = _words_until_comment(seg)
            via_value = " ".join(words).rstrip(",") or None
            if via is None:
                via = via_value
            via_left = [t for t in rest_toks if t.kind != "C"]
            if via_left:
                extras_by_clause.append((keyword, via_left))
            continue
        if keyword == "id":
            values = [t for t in seg if t.kind != "C"]
            if values:
                if queue_id is None:
                    queue_id = _strip_angle(values[0].text).rstrip(",") or None
                id_rest = values[1:]
                # Clauses of two words after the id (RFC 5321 section 4.4 allows "Atom String"
                # ones, Additional-Registered-Clauses): "ORCPT <rfc822;x>" (RFC 3461 original
                # recipient), ZMailer's "convert rfc822-to-8bit", "tls CIPHER-SUITE" (RFC 8314
                # section 7.4) and Haraka's "envelope-from <sender>".
                while len(id_rest) >= 2 and id_rest[0].text.upper() in _ID_TRAILING_CLAUSES:
                    clause_word, clause_value = id_rest[0].text.upper(), id_rest[1].text
                    if clause_word == "TLS":
                        tls.mark(None, clause_value)
                    elif clause_word == "ENVELOPE-FROM" and envelope_from is None:
                        envelope_from = _strip_angle(clause_value)
                    id_rest = id_rest[2:]
                if id_rest and id_rest[0].text.lower().rstrip(";,") in ("auth=yes", "auth=no"):
                    # OpenSMTPD's "received-auth" listener option, after its TLS comment: "id
                    # d6a231c8 (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO) auth=yes user=me" (the
                    # client logged in, as "me"), or "auth=no".
                    said_yes = id_rest[0].text.lower().startswith("auth=yes")
                    id_rest = id_rest[1:]
                    if said_yes:
                        id_login = "yes"
                        if id_rest and id_rest[0].text[:5].lower() == "user=":
                            id_login = id_rest[0].text[5:205].rstrip(";,") or "yes"
                            id_rest = id_rest[1:]
                if id_rest:
                    extras_by_clause.append((keyword, id_rest))
            continue
        if keyword == "for":
            parts: list[str] = []
            for t in seg:
                if t.kind == "C":
                    if parts:
                        break
                    continue
                if t.kind in "AWQ":
                    parts.append(t.text)
            for_value = " ".join(parts).replace(" ,", ",").rstrip(",") or None
            if for_ is None:
                for_ = for_value
            continue

    if (protocol or "")[:14].lower() == "qmail-scanner-" and from_seg is not None and len(from_seg) == 1 \
            and from_seg[0].kind in "AW" and "@" in from_seg[0].text:
        # qmail-scanner before 1.2 writes the message's envelope sender (qmail's return path) in
        # the from clause, not a client: "from user@example.net by host by uid 111 with
        # qmail-scanner-1.10 (...)". (Later versions name the client there and give the sender
        # as "(envelope-from <...>, uid N)".) A single address, so no host is lost.
        if envelope_from is None:
            envelope_from = _strip_angle(from_seg[0].text)
        from_seg = None
    if scanner_uid is not None and ident is None:
        ident = f"uid {scanner_uid}"
    if first_by_start >= 0 and receiver_by_start != first_by_start and not any(
            p.startswith(("the client's ", "repeated 'by' clause")) for p in problems):
        # The safety net (hops.greeting_injection): two "by" clauses and the receiver's read as
        # another than the first. Whichever way the parser placed them, one is the client's text
        # (RFC 5321 section 4.4: a stamp names one receiver), so nothing read from the field is
        # the receiver's for certain (V58a D1-1).
        problems.append(f"repeated 'by' clause: {_snippet(by or '')} is read as the receiver's, after another")
    if other_withs:
        problems.append(f"more 'with' clauses than one (RFC 5321 has one): {_snippet(' '.join(other_withs))}")
    for name, words_left in extras_by_clause:
        kept = [t for t in words_left if t.text.strip(",.;:-")]
        if kept:
            where = "before the first clause" if name == "start" else f"in '{name}' clause"
            problems.append(f"unrecognized text {where}: {_snippet(_written(kept))}")

    return _assemble(
        problems=problems, flat_comments=flat_comments, exim=exim, by=by, protocol=protocol,
        via=via, queue_id=queue_id, for_=for_, envelope_from=envelope_from, ident=ident,
        from_seg=from_seg, leading_from=leading_from, tls=tls, local_form=local_form,
        order=order, timestamp=timestamp, date_text=date_text, id_login=id_login, qmail_auth=qmail_auth,
    ), timestamp


def _context(exim: bool, microsoft: bool, http: bool, order: list[str], flat_comments: list[str],
             auth_protocol: bool = False, qmail_auth: bool = False) -> _Context:
    """What _read_from needs to know of the whole header (built only when it reads a from clause)."""
    return _Context(
        exim=exim,
        microsoft=microsoft,
        http=http,
        tis="via" in order and "by" in order and order.index("via") < order.index("by"),
        qmail=any("qmail" in c.lower() for c in flat_comments),
        qmail_auth=qmail_auth,
        auth_protocol=auth_protocol,
        chasquid=any(c.lower() == "chasquid" for c in flat_comments),
        comments=flat_comments,
        order=order,
    )


def _assemble(
    *,
    problems: list[str],
    flat_comments: list[str],
    exim: bool,
    by: str | None,
    protocol: str | None,
    via: str | None,
    queue_id: str | None,
    for_: str | None,
    envelope_from: str | None,
    ident: str | None,
    from_seg: list[_Tok] | None,
    leading_from: list[_Tok] | None,
    tls: _TlsSeen,
    local_form: bool,
    order: list[str],
    timestamp: datetime | None,
    date_text: str | None,
    tls_only: bool = False,
    id_login: str | None = None,
    qmail_auth: bool = False,
) -> ReceivedFields:
    """The fields from the clauses read (shared by the general and the fast path).

    ``tls_only``: the comments are known to hold no authentication, envelope or user markers
    (the fast path checked), so only TLS is looked for in them."""
    # Markers in comments: TLS, authentication, envelope sender, local user.
    auth_comment: str | None = None
    # Whether auth_comment names the login; until it does, a later marked comment that names it
    # is added (sendmail's "(authenticated bits=0) (User authenticated as tytso@ATHENA.MIT.EDU)",
    # at MIT's outgoing.mit.edu: the first says that the client logged in, the second as whom).
    auth_comment_has_login = False
    greeting_text = helo_text_comments(from_seg) if not tls_only else frozenset()
    if greeting_text:
        # Compared as the comments below are read, flattened: a greeting comment holding a nested
        # one ('EHLO x ((Authenticated sender: president))') had matched none of them (V55c D1-4).
        # And said: a nested comment or login words in text the greeting wrote is the client
        # dressing itself as the receiver's record (hops.greeting_injection).
        dressed = next((c for c in greeting_text
                        if "(" in c or _greeting_login_words_re().search(c[:MAX_COMMENT_SCAN]) is not None), None)
        if dressed is not None:
            problems.append(f"the client's greeting holds a nested comment or login words: {_snippet(dressed)}")
        greeting_text = frozenset(_flat(c) for c in greeting_text)
    past_envelope_from = False
    for c in flat_comments:
        _tls_from_comment(c, tls)
        if tls_only:
            continue
        low = c.lower()
        if low.startswith(("envelope-from", "envelope-sender", "envelope sender")):
            # Exim quotes the MAIL FROM here and writes only "id" and "for" after it: a comment after
            # it is the MAIL FROM's own text breaking out of it ('<"x) (authenticated as president)
            # (x"@...>'), never a login the receiver recorded (V50a D1-3).
            past_envelope_from = True
        if not auth_comment_has_login and not past_envelope_from \
                and ("auth" in low or "account" in low or "via http" in low) and c not in greeting_text \
                and not _qmail_ident_claim(c, protocol, qmail_auth) \
                and _sendmail_ident_record_re().match(c) is None:
            # (An envelope-from comment quotes the MAIL FROM the client chose, never a login:
            # "(envelope-from <authenticated_id:president@uni.example;x@...>)" had read as one,
            # verification V48b D1-1.)
            auth_match = _auth_comment_re().search(c)
            if auth_match is not None:
                if auth_match.start(1) >= 0:
                    # Courier's "AUTH: MECH login" item, without the items around it.
                    end = c.find(", ", auth_match.end(1))
                    found = c[auth_match.start(1) : end if end >= 0 else len(c)][:200]
                else:
                    found = c[:200]
                if auth_comment is None:
                    auth_comment = found
                    auth_comment_has_login = authenticated_login(found) is not None
                elif authenticated_login(found) is not None:
                    auth_comment = f"{auth_comment} ({found})"
                    auth_comment_has_login = True
        if ident is None and low[:7] == "ident: " and c not in greeting_text:
            courier_ident = _courier_ident_re().match(c)
            if courier_ident is not None and courier_ident.group(1).lower() != "unknown":
                ident = courier_ident.group(1)
        if envelope_from is None and ("envelope-" in low or "envelope sender" in low or "envelope from" in low):
            m = _envfrom_re().search(c)
            if m is not None:
                found = m.group(1)
                envelope_from = found[1:-1].strip() if found[0] == '"' else _strip_angle(found)
        if ident is None and "userid" in c:
            m = _userid_re().search(c)
            if m is not None:
                ident = "userid " + m.group(1).rstrip(",")

    if protocol is None and not tls_only:
        # fetchmail before 5 wrote its protocol in a comment after its host, with no "with":
        # "by host (fetchmail-4.3.2 POP3 run by user)".
        for c in flat_comments:
            if c[:10].lower() == "fetchmail-":
                fetched = _fetchmail_re().match(c)
                if fetched is not None:
                    word = fetched.group(1).upper()
                    protocol = "POP3" if word in ("APOP", "RPOP", "KPOP", "SDPS") else word  # POP3 variants
                    break
        if protocol is None:
            # QQ Mail (Tencent's bizesmtp, Exmail) leaves "with" empty and writes the protocol as a
            # comment after its host: "by bizesmtp.qq.com (ESMTP) with id ;".
            protocol = next((c.strip().upper() for c in flat_comments
                             if c.strip().upper() in _ENCRYPTED_PROTOCOLS or c.strip().upper() in _PLAIN_PROTOCOLS),
                            None)
    protocol_words = [w.upper() for w in (protocol or "").split()]
    via_upper = (via or "").upper()
    microsoft = (
        "MICROSOFT" in protocol_words
        or "MAPI" in protocol_words
        or "TRANSPORT" in via_upper.split()
        or (by or "").lower().endswith((".outlook.com", ".office365.com"))
    )
    http = (
        any(w.startswith("HTTP") for w in protocol_words)
        or via_upper.startswith("HTTP")
        or any(c.lower() in ("via http", "via https") for c in flat_comments)
    )

    if tls.encrypted is None and via_upper in ("SSL", "TLS"):
        # Apache James: "with ESMTP via SSL", the session was over SSL/TLS.
        tls.mark()
    if tls.encrypted is None and protocol is not None and "/" in protocol:
        # Cisco IronPort: "with ESMTP/TLS/ECDHE-RSA-AES128-GCM-SHA256" (protocol/TLS/cipher).
        parts = protocol.split("/")
        for k, part in enumerate(parts[1:], 1):
            if part.upper().startswith(("TLS", "SSL")):
                tls.mark(part, parts[k + 1] if k + 1 < len(parts) else None)
                break
    if tls.encrypted is None and "ENCRYPTED" in protocol_words[1:]:
        # qmail's TLS patch (and Symantec's MessageLabs): "with ECDHE-RSA-AES256-GCM-SHA384
        # encrypted SMTP", the cipher before the word; the protocol is the word after it.
        at = protocol_words.index("ENCRYPTED", 1)
        words = (protocol or "").split()
        tls.mark(None, words[at - 1])
        if at == 1 and len(words) > 2:
            protocol = " ".join(words[2:])
    if tls.encrypted is None:
        if any(w in _ENCRYPTED_PROTOCOLS for w in protocol_words):
            tls.encrypted = True
        elif any(w in _PLAIN_PROTOCOLS for w in protocol_words) and from_seg is not None:
            # Not "HTTP": a webmail back end writes it after the front end ended the browser's
            # connection, whose encryption the word does not tell (only "HTTPS" says it). With no
            # "from" part no connection is recorded (Gmail's "by mail-yw1-f175.google.com with
            # SMTP id ..."): its encryption is not known either.
            tls.encrypted = False

    auth: str | None = None
    auth_protocol = False
    if protocol is not None:
        for w in protocol.split():
            if w.upper() in _AUTH_PROTOCOLS or w.upper().startswith("HTTP"):
                auth = w
                auth_protocol = w.upper() in _AUTH_PROTOCOLS
                break
    if auth is None and via_upper.startswith("HTTP"):
        auth = via
    if auth is None:
        auth = auth_comment
    elif auth_comment is not None and authenticated_login(auth_comment) is not None:
        # "with ESMTPSA ... (Authenticated sender: user@example.org)": the protocol says that
        # the client logged in, the comment as whom; both are kept.
        auth = f"{auth} ({auth_comment})"

    simple = _simple_client(from_seg) if tls_only and not http else None
    if simple is not None:
        client = simple
    elif from_seg is not None:
        client = _read_from(from_seg, _context(exim, microsoft, http, order, flat_comments, auth_protocol, qmail_auth), problems)
    elif leading_from is not None:
        if leading_from and leading_from[0].kind == "W" and "@" in leading_from[0].text:
            # sendmail local submission: "(from user@localhost)"
            user, _, host = leading_from[0].text.rpartition("@")
            client = _Client(ident=user or None, rdns=_rdns_name(host))
        else:
            client = _read_from(leading_from, _context(exim, microsoft, http, order, flat_comments, auth_protocol, qmail_auth),
                                  problems)
    else:
        client = _Client()
    if id_login is not None and client.login is None:
        if id_login != "yes":
            client.login = id_login
        elif auth is None:
            auth = "authenticated (auth=yes)"
    if client.login is not None:
        # Written in the words the other servers use, so the login is read as theirs is.
        marker = f"authenticated as {client.login}"
        if client.mechanism is not None:
            marker += f" with AUTH {client.mechanism}"
        if auth is None or (auth == auth_comment and client.login in auth):
            # (qmail-ldap's "(Authenticated_SSL:user@[IP])" is both the marker and the login.)
            auth = marker
        elif authenticated_login(auth) is None:
            auth = f"{auth} ({marker})"
    if client.ident is None:
        client.ident = ident
    if ((protocol or "").lower().startswith("local") or exim) and client.ip is None and client.rdns is None \
            and client.helo and "." not in client.helo and not _is_literal(client.helo) \
            and from_seg is not None and len(from_seg) == 1:
        # Exim's "from USER by HOST with local", and its re-injections ("from Debian-exim by
        # host with spam-scanned"): no TCP connection, so Exim's default Received text writes
        # the submitting login ($sender_ident) where a remote host would be, and a HELO only as
        # "(helo=name)". The word is the ident.
        client.ident = client.ident or client.helo
        client.helo = None

    if order == ["with"] and by is None and from_seg is None:
        # A list manager's own stamp, with no SMTP hand-over to name: ECARTIS writes
        # "Received: with ECARTIS (v1.0.0; list linux-mips); date" when it expands the list.
        local_form = True
    if by is None and not local_form and (from_seg is not None or order):
        problems.append("no 'by' clause")
    if not order and not local_form and leading_from is None:
        problems.append("no 'from' or 'by' clause")

    server_version: str | None = None
    if microsoft and queue_id is not None and _exchange_build_re().fullmatch(queue_id) is not None:
        # Exchange writes its own build number in the id clause ("with Microsoft SMTP Server
        # (...) id 15.1.2507.39", "with mapi id 15.20.6699.025"), the same on every hop of an
        # organisation's servers: the software's version, no queue or message id to look up.
        server_version, queue_id = queue_id, None
    return _make_fields(
        from_helo=client.helo,
        from_rdns=client.rdns,
        from_ip=client.ip,
        ident=client.ident,
        by=by,
        protocol=protocol,
        tls=_tls_info(tls.encrypted, tls.version, tls.cipher),
        auth=auth,
        id=queue_id,
        server_version=server_version,
        for_=for_,
        envelope_from=envelope_from,
        via=via,
        timestamp=timestamp.isoformat() if timestamp is not None else None,
        date_text=date_text,
        # A date with no zone was read whole: the stamp is complete, its time only unplaced
        # (hops.no_zone says so), not "partly read".
        complete=all(problem in _READ_WHOLE_NOTES for problem in problems),
        problems=tuple(dict.fromkeys(problems))[:MAX_PROBLEMS],
    )
