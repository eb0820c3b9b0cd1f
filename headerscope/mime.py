"""The messages carried inside a message, and a bounce's delivery report.

A user asking "where did my mail go?" often holds the bounce, not the mail: a delivery status
notification (RFC 3464) whose ``message/delivery-status`` part says, per recipient, what
happened (``Action``), the enhanced status code (``Status``, RFC 3463) and what the remote
server answered (``Diagnostic-Code``); the returned message, or its header, is attached. A
security analyst often holds a user's report of a suspicious mail, forwarded as an attachment
(``message/rfc822``), or an abuse report (RFC 5965) quoting one. This module finds those parts
without a full MIME parse: only multipart bodies are split (RFC 2046 section 5.1.1), by
searching for their boundary lines, and only the headers of their parts are read. Every walk
is bounded in parts and depth, so a hostile message cannot make it expensive.
"""

from __future__ import annotations

import binascii
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace

from ._value import Value, frozen
from .addresses import address_domain, envelope_address, parse_addresses
from .message import (
    LEGACY_CHARSET_DEFECTS,
    Message,
    declared_charset,
    first_values,
    header_body_offsets,
    parse_message,
    part_charsets,
)
from .model import (
    AttachedMessage,
    Attachment,
    CalendarInvite,
    DeliveryReport,
    DsnRecipient,
    FeedbackReport,
    Finding,
    MessageStructure,
    RecordedResult,
    Severity,
)
from .text import (
    HIDDEN_CHARACTERS,
    IGNORABLE_NOT_FORMAT,
    address_safe_cut,
    address_safe_group,
    address_safe_shortened,
    address_safe_tail,
    charset_codec,
    compiled_on_first_use,
    decode_rfc2047,
    legacy_codec,
    shown_hidden,
)

MAX_PARTS = 300
"""Parts looked at in one message (a real one has a handful; a digest of a busy list, dozens)."""
MAX_DEPTH = 8
"""Multipart nesting followed (mixed > alternative > related is three)."""
MAX_ATTACHED = 20
"""Attached messages listed."""
MAX_RECIPIENTS = 100
"""Recipient blocks read from one delivery report."""
_MAX_CONTENT_TYPE = 8192
"""Characters of a Content-Type or Content-Disposition value read (a boundary is at most 70)."""
_MAX_FIELD = 2000
"""Characters kept of a delivery report's field (a Diagnostic-Code can hold a whole SMTP dialogue)."""

# The part types that carry a message: RFC 2046 section 5.2.1, RFC 6532 section 3.7 (UTF-8
# headers), and the header-only forms of RFC 6522 (a bounce returning only the header) and
# RFC 6533 section 6.3.
_MESSAGE_TYPES = frozenset({"message/rfc822", "message/global", "text/rfc822-headers",
                            "message/global-headers"})
_HEADERS_ONLY = frozenset({"text/rfc822-headers", "message/global-headers"})
_STATUS_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
_FEEDBACK_TYPE = "message/feedback-report"
_DISPOSITION_TYPES = frozenset({"message/disposition-notification", "message/global-disposition-notification"})


class _Part:
    """A part's place in the message and its content type (a plain slotted record)."""

    __slots__ = ("body_end", "body_start", "container", "content_type", "depth", "disposition", "disposition_name",
                 "encoding", "filename", "head_start", "params", "worth")

    def __init__(self, content_type: str, params: dict[str, str], encoding: str, filename: str | None,
                 body_start: int, body_end: int, depth: int = 0, head_start: int = 0,
                 disposition: str | None = None, *, container: bool = False, worth: bool = True,
                 disposition_name: str | None = None) -> None:
        self.content_type = content_type
        self.params = params
        self.encoding = encoding
        self.filename = filename
        self.body_start = body_start
        self.body_end = body_end
        self.depth = depth
        """Multipart levels above the part (0: the message itself)."""
        self.head_start = head_start
        """Where the part's own header fields start (its header ends where its body starts)."""
        self.disposition = disposition
        """The disposition type of its Content-Disposition (RFC 2183), lower case; None without one."""
        self.container = container
        """A multipart whose parts follow it in the walk."""
        self.disposition_name = disposition_name
        """Its Content-Disposition's filename= as given, blank too (``filename`` is Content-Type's
        name= when that one is blank: _read_part_head), or None without one."""
        self.worth = worth
        """Read by a walk for message parts: its header names a message, a report or a file of one
        (_WORTH_READING), or it is the message itself."""


# One parameter after a semicolon (RFC 2045 section 5.1): a name, "=", and a token or a quoted
# string (which may hold semicolons; an unterminated one runs to the end).
_parameter_re = compiled_on_first_use(r';[ \t\r\n]*([^\s=;"]+)[ \t\r\n]*=[ \t\r\n]*("(?:[^"\\]|\\.)*"?|[^;]*)')
# A piece of any number: Python's email and mail clients join "name*1000*" and
# "name*99999999999999999999*" too (verification V41c D3); the pieces a field holds are bounded by
# the characters read of it (_MAX_CONTENT_TYPE, _MAX_TAIL_READ), not by their numbers.
_rfc2231_name_re = compiled_on_first_use(r"([^*]+)\*(?:(\d+)\*?|)")
_MAX_PIECE_DIGITS = 4000
"""Digits of an RFC 2231 piece number read as a number (Python converts at most 4300); a longer
one counts as one number past every other."""
_LAST_PIECE = 10 ** _MAX_PIECE_DIGITS


def _piece_number(digits: str | None) -> int:
    """An RFC 2231 piece's number ("0" when the parameter is name*=, a single encoded value)."""
    if digits is None:
        return 0
    return int(digits) if len(digits) <= _MAX_PIECE_DIGITS else _LAST_PIECE


# Values already parsed, by their text: a message's top Content-Type is read by five readers, and
# "text/plain; charset=utf-8" heads a part of most mail in a mailbox (one parse cost about 28,000
# instructions, 2% of a scan's). Bounded in entries and in the length of a value kept.
_parsed_types: dict[str, tuple[str, dict[str, str]]] = {}
_MAX_PARSED_TYPES = 512
_MAX_PARSED_TYPE_LENGTH = 400


def parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """(type/subtype in lower case, parameters with lower-case names) of a Content-Type or
    Content-Disposition value (RFC 2045 section 5.1); quoted values are unquoted, RFC 2231
    continuations and charset-encoded values joined and decoded. Comments are dropped."""
    cached = _parsed_types.get(value)
    if cached is None:
        cached = _parse_content_type(value)
        if len(value) <= _MAX_PARSED_TYPE_LENGTH:
            if len(_parsed_types) >= _MAX_PARSED_TYPES:
                _parsed_types.clear()
            _parsed_types[value] = cached
    # Each caller gets its own parameters (the kept ones stay as parsed whatever a caller does).
    return cached[0], dict(cached[1])


def _parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """parse_content_type, not cached."""
    if len(value) > _MAX_CONTENT_TYPE + _MAX_TAIL_READ:
        return _parse_long_content_type(value)
    value = _strip_comments(value)
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    continued: dict[str, list[tuple[int, str, bool]]] = {}
    again: dict[str, list[str]] = {}
    _read_parameters(";" + rest, params, continued, again=again)
    for name, sections in continued.items():
        plain = params.get(name)
        params[name] = _rfc2231_value(sections)  # the RFC 2231 form wins over a plain one (it is the exact value)
        if plain is not None and name in _NAME_PARAMETERS:
            params[name] = _BothForms(params[name], plain, name)  # the other form, checked too
    for name, values in again.items():
        params[name] = _given_again(params[name], values, name)
    return main.strip().lower(), params


def _read_parameters(text: str, params: dict[str, str], continued: dict[str, list[tuple[int, str, bool]]],
                     seam: int = -1, again: dict[str, list[str]] | None = None) -> set[str]:
    """Reads the parameters of ``text`` (";" and what follows the type) into ``params`` (plain
    ones: the first of a name wins) and ``continued`` (RFC 2231 pieces by name, each as (number,
    text, encoded): every piece is kept, two of the same number too, as Python's decode_params
    keeps them; verification V43d D4); into ``again``, the other values of a file name given
    more than once (_note_again). The names of the plain parameters that end past ``seam`` (when
    one is given: where a long field's middle was skipped)."""
    past: set[str] = set()
    for match in _parameter_re().finditer(text):
        name = match.group(1).lower()
        raw = match.group(2).strip()
        value = _unquote(raw) if raw.startswith('"') else raw
        # RFC 2231 sections 3 and 4: name*0*=, name*1=, ... and name*= with charset''value.
        parts = _rfc2231_name_re().fullmatch(name) if "*" in name else None
        if parts is None:
            if seam >= 0 and match.end() > seam and name not in params:
                past.add(name)
            first = params.setdefault(name, value)
            if first is not value and again is not None and name in _NAME_PARAMETERS and value != first:
                _note_again(again.setdefault(name, []), value)
            continue
        continued.setdefault(parts.group(1), []).append((_piece_number(parts.group(2)), value, name.endswith("*")))
    return past


_MAX_TAIL_READ = 2048
"""Characters read at the end of a field longer than _MAX_CONTENT_TYPE + _MAX_TAIL_READ: where a
padded file name's real extension is ("invoice", 9,000 spaces, ".pdf.exe": V41c D2)."""
_SEAM = "\u2026"
"""What stands in a value for the middle of a field that was not read ("…")."""
# The bidi controls (below, _bidi_controls) as a field may hold them raw, and percent-encoded as
# UTF-8 in an RFC 2231 piece (U+202A-U+202E: E2 80 AA-AE; U+2066-U+2069: E2 81 A6-A9). Searched
# in the middle of a field that is not read: a find per control and a regex with a literal first
# character, each a fast scan of megabytes (a character class over them is ten times slower).
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_bidi_encoded = compiled_on_first_use("%[Ee]2%80%[Aa][A-Ea-e]|%[Ee]2%81%[Aa][6-9]")


class _CutName(str):
    """A parameter value of a field too long to read whole: its start and its end, with "…"
    (_SEAM) where the field's middle was skipped. ``skipped``: characters of the field not read;
    ``hidden``: a bidi control found in them (raw or percent-encoded), or None."""

    skipped: int
    hidden: str | None
    plain: str | None = None
    """The other form of a name given in both (see _BothForms), or None."""
    parameter: str = "filename"
    also: tuple[str, ...] = ()
    """The other values of a name given more than once in the field (see _NamedAgain)."""

    def __new__(cls, text: str, skipped: int, hidden: str | None) -> _CutName:
        self = super().__new__(cls, text)
        self.skipped = skipped
        self.hidden = hidden
        return self


class _BothForms(str):
    """A file name given in both forms (RFC 2231 section 4's ``filename*=`` and a plain
    ``filename=``, or ``name*=`` and ``name=``): the RFC 2231 one, which is the value read, with
    ``plain``, the other. Python's compat32 get_filename() gives the plain one (decode_params puts
    the RFC 2231 parameters last), other clients the RFC 2231 one: both are checked (task mime46)."""

    plain: str
    parameter: str
    also: tuple[str, ...] = ()
    """The other values of the plain form, given more than once in the field (see _NamedAgain)."""

    def __new__(cls, text: str = "", plain: str = "", parameter: str = "filename") -> _BothForms:
        self = super().__new__(cls, text)
        self.plain = plain
        self.parameter = parameter
        return self


class _NamedAgain(str):
    """A file name parameter given more than once in one field with other values (two
    filename=, two name=): the first, which is the value read (Python's email gives it, compat32
    and the default policy alike), with ``also``, the others in the order given (a mail program
    that keeps the last one shows the last). RFC 2045 section 5.1 and RFC 2183 give each
    parameter once; which one a reader takes is its own choice, so each is checked (task attach47)."""

    also: tuple[str, ...]
    parameter: str

    def __new__(cls, text: str, also: tuple[str, ...], parameter: str) -> _NamedAgain:
        self = super().__new__(cls, text)
        self.also = also
        self.parameter = parameter
        return self


_NAME_PARAMETERS = ("filename", "name")
_MAX_NAMES_AGAIN = 8
"""Other values of one file name parameter kept (_note_again): a field of thousands of
filename= keeps its first (the value read), the next seven and its last."""


def _note_again(values: list[str], value: str) -> None:
    """Keeps ``value``, another value of a file name given again, in ``values``: at most
    _MAX_NAMES_AGAIN, the last slot taken by the latest, so the last one given (the one a mail
    program that keeps the last shows) is always among them. Constant work per value."""
    if value in values:
        return
    if len(values) < _MAX_NAMES_AGAIN:
        values.append(value)
    else:
        values[-1] = value


def _given_again(value: str, values: list[str], parameter: str) -> str:
    """``value`` (the first of a file name parameter given more than once) with the other
    ``values`` kept beside it (``also``): on the _BothForms or _CutName it already is, else as a
    _NamedAgain."""
    also = tuple(given for given in values if given and given != value)
    if not also:
        return value
    if isinstance(value, (_BothForms, _CutName)):
        value.also = also
        return value
    return _NamedAgain(value, also, parameter)


def _names_again(value: str | None) -> tuple[str, ...]:
    """The other values of a file name given more than once in its field (see _NamedAgain)."""
    return value.also if isinstance(value, (_NamedAgain, _BothForms, _CutName)) else ()


def _plain_form(value: str | None) -> tuple[str, str] | None:
    """(the plain form of a file name given in both forms, its parameter's name), or None."""
    if isinstance(value, _BothForms) or (isinstance(value, _CutName) and value.plain is not None):
        return value.plain or "", value.parameter
    return None


def _hidden_bidi(text: str, start: int, end: int, encoded: bool = True) -> str | None:
    """A bidi control written in text[start:end] (raw, or percent-encoded when ``encoded``), as a
    character."""
    if not text.isascii():  # known without a scan
        for control in _BIDI_CONTROLS:
            if text.find(control, start, end) >= 0:
                return control
    if not encoded:
        return None
    found = _bidi_encoded().search(text, start, end)
    return None if found is None else bytes.fromhex(found.group().replace("%", "")).decode("utf-8")


def _parse_long_content_type(value: str) -> tuple[str, dict[str, str]]:
    """A field too long to read whole (a file name padded past any sane length, a header of
    pieces): its first _MAX_CONTENT_TYPE characters and its last _MAX_TAIL_READ are read as one
    value with "…" between them, so that a padded name keeps its end (its real extension) beside
    its start and time and memory stay bounded whatever the field's length. A parameter cut at the
    first window's end runs on into the last; otherwise the last is read from its first ";".
    Every RFC 2231 parameter (its pieces may lie in the middle) and every plain one that ends in
    the last window is a _CutName, which says how much was skipped."""
    head = _strip_comments(value[:_MAX_CONTENT_TYPE])
    main, _, rest = head.partition(";")
    text = ";" + rest
    # Whether the head's last parameter is still open at the cut, and runs on into the tail: its
    # value reaches the cut, and the middle holds nothing that would end it (a quote, a ";").
    matches = list(_parameter_re().finditer(text))  # at most a few thousand in _MAX_CONTENT_TYPE characters
    last = matches[-1] if matches else None
    tail_start = len(value) - _MAX_TAIL_READ
    # Not inside a "%XX" escape of an RFC 2231 piece (a stray "0" or "20" in the name).
    if value[tail_start - 1] == "%":
        tail_start += 2
    elif value[tail_start - 2] == "%":
        tail_start += 1
    quoted = last is not None and last.group(2).lstrip().startswith('"')
    if quoted and _backslashes_before(value, tail_start) % 2:
        tail_start += 1  # not the character a backslash escapes (a quote would seem to end the name)
    tail = value[tail_start:]
    # Whether a quoted value is still open at the cut (RFC 5322 section 3.2.4: a quote after an
    # even run of backslashes closes it; after an odd one it is a quoted-pair's). One whose last
    # character is a backslash that begins a quoted-pair (its escaped character in the middle)
    # is open, though the regex stops one short of the cut, before that backslash.
    head_open = quoted and last is not None and last.end() >= len(text) - 1 and not _closed_quote(last.group(2))
    closing = _unescaped_quote(value, _MAX_CONTENT_TYPE, tail_start) if head_open else -1
    runs_on = last is not None and (head_open if quoted else last.end() == len(text)) and not (
        closing >= 0 if quoted else value.find(";", _MAX_CONTENT_TYPE, tail_start) >= 0)
    read_in_middle = 0
    if not runs_on:
        semicolon = tail.find(";")
        tail = _strip_comments(tail[semicolon:]) if semicolon >= 0 else ""
        if closing >= 0:
            # The value open at the cut ends in the middle, at its closing quote: its last
            # _MAX_TAIL_READ characters are read there (its end, where a real extension is, as
            # Python's get_filename() reads it), from a character no backslash escapes.
            end_start = max(_MAX_CONTENT_TYPE, closing - _MAX_TAIL_READ)
            if _backslashes_before(value, end_start) % 2:  # (at the cut: the start's last one escapes it)
                end_start += 1
            read_in_middle = closing - end_start
            tail = value[end_start:closing] + '"' + tail
    elif quoted:
        # The tail goes on inside the quoted name: a "(" there is a character of the name, not
        # a comment (RFC 5322 section 3.2.4), as Python's get_filename() reads it (V43d D1).
        tail = _strip_comments('"' + tail)[1:]
    else:
        tail = _strip_comments(tail)
    seam = len(text)
    text += _SEAM + tail
    params: dict[str, str] = {}
    continued: dict[str, list[tuple[int, str, bool]]] = {}
    again: dict[str, list[str]] = {}
    cut = _read_parameters(text, params, continued, seam, again)
    # The file names the middle gives come before those the end gives, after the start's.
    running = last.group(1).lower() if runs_on and last is not None else None
    middle: dict[str, list[str]] = {}
    _names_in_middle(value, tail_start, head_open, params, continued, cut, cut - {running}, middle)
    # The middle's names given again are kept first, then the start's and the end's: the last
    # one given (the end's) stays among those kept whatever the middle holds (_note_again).
    for name, values in again.items():
        for other in values:
            _note_again(middle.setdefault(name, []), other)
    again = middle
    plains = {name: params[name] for name in continued.keys() & params.keys() if name in _NAME_PARAMETERS}
    for name, sections in continued.items():
        params[name] = _rfc2231_value(sections)
    skipped = tail_start - _MAX_CONTENT_TYPE - read_in_middle
    hidden = _hidden_bidi(value, _MAX_CONTENT_TYPE, tail_start)
    # A control in the middle is the name's only when the middle holds (a piece of) the name's own
    # parameter, and in a plain one only raw: Python decodes no %XX there (V43d D5: an x-note of
    # 12 KB with %E2%80%AE beside filename*0="report"; filename*1=".pdf" is not a disguise).
    for name in cut | continued.keys():
        own = hidden
        if hidden is not None and name in continued:
            if running is None or running.partition("*")[0] != name:
                # A piece of it in the middle says its name there ("filename*7*="): a search for
                # it, made only when a control was found (rare), as long as the middle.
                piece = re.compile(re.escape(name) + r"\s*\*", re.IGNORECASE)
                if piece.search(value, _MAX_CONTENT_TYPE, tail_start) is None:
                    own = None
        elif hidden is not None:
            own = _hidden_bidi(value, _MAX_CONTENT_TYPE, tail_start, encoded=False) if running == name else None
        params[name] = _CutName(params[name], skipped, own)
    for name, plain in plains.items():
        # The other form of a name given in both (see _BothForms), kept on the _CutName; cut
        # too when it spans the seam (a bidi control in the middle is its own when it runs on).
        given = params[name]
        if isinstance(given, _CutName):
            given.plain = plain if _SEAM not in plain else _CutName(plain, skipped, _hidden_bidi(
                value, _MAX_CONTENT_TYPE, tail_start, encoded=False) if hidden is not None and running == name else None)
            given.parameter = name
    for name, values in again.items():
        # A name given again that spans the seam (the one the start leaves open) is cut too, as
        # the plain form above.
        values[:] = [other if _SEAM not in other else _CutName(other, skipped, _hidden_bidi(
            value, _MAX_CONTENT_TYPE, tail_start, encoded=False) if hidden is not None and running == name else None)
            for other in values]
        params[name] = _given_again(params[name], values, name)
    return main.strip().lower(), params


# A file's name given in a long field's skipped middle (x-a="A" x 9,000; filename="invoice.pdf.exe";
# x-b="B" x 3,000: Python's get_filename() gives it, verification V43d D2), plain or in pieces.
_name_in_middle = compiled_on_first_use(r";[ \t\r\n]*((?:file)?name)(?:\*[0-9]*\*?)?[ \t\r\n]*=", re.IGNORECASE)


_MAX_MIDDLE_NAMES = 256
"""File-name parameters read of a long field's skipped middle at most (each a read of at most
_MAX_CONTENT_TYPE characters), in at most _MAX_MIDDLE_STEPS steps (a read, or a jump over a quoted
value): bounded whatever the field holds."""
_MAX_MIDDLE_STEPS = 4096


def _names_in_middle(value: str, tail_start: int, inside: bool, params: dict[str, str],
                     continued: dict[str, list[tuple[int, str, bool]]], cut: set[str], from_end: set[str],
                     again: dict[str, list[str]] | None = None) -> None:
    """The file names (filename=, name=) a long field gives in its skipped middle, read into
    ``params``, ``continued`` and ``cut`` as Python's get_filename() reads the whole field: the
    first plain one of a name wins (the start's, then the middle's, then the end's: ``from_end``,
    the plain names first given past the seam), and every RFC 2231 piece is joined. What looks like
    a parameter inside another's quoted value is text of it (x-note="; filename=a.pdf"): the middle
    is walked from the cut (``inside``: a quoted value is open there) from quote to closing quote,
    a quote escaped by an odd run of backslashes no end (RFC 5322 section 3.2.4), each stretch
    searched once. At most _MAX_MIDDLE_STEPS steps and _MAX_MIDDLE_NAMES reads: bounded. The
    other values of a name given again go to ``again`` (_note_again)."""
    from_end = {name for name in from_end if name in ("filename", "name")}
    at = _MAX_CONTENT_TYPE  # walked up to here
    search_from = _MAX_CONTENT_TYPE - 1  # (a ";" may end the start)
    found: re.Match[str] | None = None
    reads = 0
    for _ in range(_MAX_MIDDLE_STEPS):
        if inside:
            closing = _unescaped_quote(value, at, tail_start)
            if closing < 0:
                return
            at, inside = closing + 1, False
            search_from = max(search_from, at)
            continue
        if found is None or found.start() < search_from:
            found = _name_in_middle().search(value, search_from, tail_start)
            if found is None:
                return
        opening = _unescaped_quote(value, at, found.start()) if found.start() > at else -1
        if opening >= 0:  # a quoted value opens before it: what it holds is text
            at, inside = opening + 1, True
            search_from = max(search_from, at)
            continue
        parameter = _parameter_re().match(value, found.start(), min(len(value), found.start() + _MAX_CONTENT_TYPE))
        if parameter is None:
            at = search_from = found.end()
            continue
        written = parameter.group(1).lower()
        raw = parameter.group(2).strip()
        text = _unquote(raw) if raw.startswith('"') else raw
        pieces = _rfc2231_name_re().fullmatch(written) if "*" in written else None
        if pieces is not None:
            continued.setdefault(pieces.group(1), []).append(
                (_piece_number(pieces.group(2)), text, written.endswith("*")))
            cut.add(pieces.group(1))
        elif written not in params or written in from_end:
            if written in params and again is not None:
                _note_again(again.setdefault(written, []), params[written])  # the end's, given after it
            params[written] = text
            from_end.discard(written)
            cut.add(written)
        elif again is not None and text != params[written]:
            _note_again(again.setdefault(written, []), text)
        at = search_from = parameter.end()
        # A quoted value longer than the read is still open where the read stopped.
        inside = raw.startswith('"') and not _closed_quote(raw)
        reads += 1
        if reads >= _MAX_MIDDLE_NAMES:
            return


def _backslashes_before(value: str, end: int) -> int:
    """How many backslashes run up to value[end] (odd: the character at ``end`` is escaped)."""
    start = end
    while start > 0 and value[start - 1] == "\\":
        start -= 1
    return end - start


def _closed_quote(given: str) -> bool:
    """Whether a quoted value as the parameter regex matched it (from its opening quote) ends in
    its closing quote: a last quote that no odd run of backslashes escapes."""
    return len(given) > 1 and given.endswith('"') and _backslashes_before(given, len(given) - 1) % 2 == 0


# The rest of a quoted string's text and its closing quote, from a character no backslash escapes:
# quoted-pairs and runs of other characters, each taken once (possessive: no going back), linear.
_to_closing_quote = compiled_on_first_use(r'[^\\"]*+(?:\\.[^\\"]*+)*+"', re.DOTALL)


def _unescaped_quote(value: str, start: int, end: int) -> int:
    """Where in value[start:end] the first quote that ends a quoted string is (-1: none): one not
    escaped by a backslash (a quoted-pair, RFC 5322 section 3.2.4: the \\" of a name is a character
    of it, verification V43d D1). Linear: quotes found by a fast scan, each run of backslashes
    counted once; past the first escaped quote (a sender's megabytes of \\" inside a value), the
    rest by one regex."""
    at = value.find('"', start, end)
    if at < 0 or value[at - 1] != "\\" or _backslashes_before(value, at) % 2 == 0:
        return at
    found = _to_closing_quote().match(value, at + 1, end)  # (``at`` is a quoted-pair's: the text goes on)
    return -1 if found is None else found.end() - 1


def _strip_comments(value: str) -> str:
    if "(" not in value:
        return value
    out: list[str] = []
    depth = 0
    quoted = False
    escaped = False
    for char in value:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if depth == 0:
                out.append(char)
            continue
        if quoted:
            quoted = char != '"'
            out.append(char)
        elif char == '"' and depth == 0:
            quoted = True
            out.append(char)
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


def _unquote(text: str) -> str:
    body = text[1:-1] if len(text) >= 2 and text.endswith('"') else text[1:]
    return re.sub(r"\\(.)", r"\1", body) if "\\" in body else body


# A run of ASCII in an encoded piece, where its %XX octets are: other characters (raw UTF-8 in the
# header) are kept as written, as urllib's unquote keeps them.
_ascii_run = compiled_on_first_use(r"[\x00-\x7f]+")


def _rfc2231_value(sections: list[tuple[int, str, bool]]) -> str:
    """One parameter's RFC 2231 pieces ((number, text, whether "*" marks it encoded)) as its value.

    The charset and language are named once, in piece 0, and apply to the whole value (RFC 2231
    sections 3 and 4.1), so the encoded pieces' octets are joined in piece order first and
    decoded once: a character's octets may be split across pieces ("%E2%80;" then "%AE...", an
    RLO; real mail splits Cyrillic and Shift_JIS names so). The charset is read as mail readers
    read its label (charset_codec: WHATWG); an unknown one as UTF-8. A piece without "*" is its
    text as written. Every piece is joined, in the order of its number, whatever the number and
    whether numbers are missing between them, as Python's email joins them (get_filename()): a
    piece left out would hide from the checks what a client shows. Two pieces of the same number
    are both joined, in the order of their text, as decode_params sorts its (number, text,
    encoded) tuples: filename*1="z.exe"; filename*1=".pdf" after "invoice" is "invoice.pdfz.exe". Bounded by the caller: the
    characters read of the field (_MAX_CONTENT_TYPE and _MAX_TAIL_READ), which hold few pieces."""
    from urllib.parse import unquote_to_bytes

    codec = "utf-8"
    out: list[str] = []
    octets: list[bytes] = []

    def flush() -> None:
        if octets:
            data = b"".join(octets)
            octets.clear()
            try:
                out.append(data.decode(codec, "replace"))
            except (UnicodeError, ValueError, LookupError):  # a codec may refuse in its own way
                out.append(data.decode("utf-8", "replace"))

    for index, (number, text, encoded) in enumerate(sorted(sections)):
        if not encoded:
            flush()
            out.append(text)
            continue
        if index == 0 and number == 0 and text.count("'") >= 2:
            charset, _language, text = text.split("'", 2)
            codec = charset_codec(charset[:40]) or "utf-8"
        position = 0
        for run in _ascii_run().finditer(text):
            if run.start() > position:
                flush()
                out.append(text[position:run.start()])
            octets.append(unquote_to_bytes(run.group()))
            position = run.end()
        if position < len(text):
            flush()
            out.append(text[position:])
    flush()
    return "".join(out)


# What a part's header must name for the part to matter here: a message or status part, or a
# multipart to look into. Any other part (text, HTML, an attachment) is passed over unparsed:
# most mail in a mailbox is multipart/mixed, and parsing every part's header cost a scan 13%.
# (An SMTP TLS report's application/tlsrpt+gzip or +json part, RFC 8460 section 5.3, too.)
# A saved message attached as a file (below, _EML_SUFFIX and _MSG_SUFFIX) is named in its header
# ("report.eml", "phish.msg", application/vnd.ms-outlook), whatever type it is labelled with.
# (Compared with the header in lower case.)
_WORTH_READING = (b"message/", b"822-headers", b"multipart/", b"tlsrpt", b".eml", b".msg", b"ms-outlook")
# Whether a lower-case part header holds any of them: one search, not a find for each.
_worth_reading = compiled_on_first_use(b"|".join(re.escape(needle) for needle in _WORTH_READING))


def _parts(message: Message, keep_text: bool = False, containers: bool = False) -> list[_Part]:
    """The leaf and message parts of the message, depth first, bounded (MAX_PARTS, MAX_DEPTH).
    The message itself is the one part when it is not multipart. ``keep_text``: the text and
    other leaf parts too, which a walk for message parts passes over (their headers name nothing
    worth reading). ``containers``: each multipart too, before its parts (the structure: which
    part a signature wraps). Every reader filters the one walk of the message (``_walk``)."""
    return [part for part in _full_walk(message)
            if (containers or not part.container) and (keep_text or part.worth)]


def _walk(message: Message) -> list[_Part]:
    """Every part of the message, containers first, depth first, bounded (MAX_PARTS, MAX_DEPTH),
    each marked whether it is a container and whether a walk for message parts reads it."""
    if message.body_start is None:
        return []
    raw = message.raw
    found: list[_Part] = []
    content_type, params = parse_content_type(message.first("Content-Type") or "text/plain")
    encoding = (message.first("Content-Transfer-Encoding") or "7bit").strip().lower()
    top_disposition = message.first("Content-Disposition")
    if content_type.startswith("multipart/") and raw.find(b"\x1b", 0, message.body_start) >= 0 and any(
            LEGACY_CHARSET_DEFECTS[1] in field.defects for field in message.headers
            if field.name.lower() == "content-type"):
        # The message's own multipart header in raw ISO-2022-JP was read as ISO-2022-JP, where a
        # quote may be half of a kanji ('x="ESC$B0"ESC(B' is 唖). Python's email and Thunderbird
        # split its parameters byte by byte, and may find another boundary: that reading is
        # walked, as a part's header is (below), and another structure the ISO-2022-JP reading
        # gives is told (_name_in_message_charset; verification V64a D-3).
        head = message.raw[:message.body_start]
        as_bytes = _read_part_head(_iso2022jp_escape().sub(b"", head), "text/plain")
        if as_bytes[0].startswith("multipart/"):
            content_type, params, encoding = _name_in_message_charset(message, head, "text/plain", 0, as_bytes)[:3]
    stack: list[tuple[str, dict[str, str], str, str | None, int, int, int, int, str | None, bool, str | None]] = [
        (content_type, params, encoding, None, message.body_start, len(raw), 0, 0,
         _disposition_type(top_disposition) if top_disposition else None, True, None)]
    budget = MAX_PARTS
    stopped = False
    while stack and budget > 0:
        (content_type, params, encoding, filename, start, end, depth, head_start, disposition_type, worth,
         disposition_name) = stack.pop()
        budget -= 1
        boundary = params.get("boundary")
        if content_type.startswith("multipart/") and boundary and depth < MAX_DEPTH:
            found.append(_Part(content_type, params, encoding, filename, start, end, depth, head_start,
                               disposition_type, container=True, worth=worth))
            # RFC 2046 section 5.1.5: in a digest, a part without Content-Type is a message.
            default = "message/rfc822" if content_type == "multipart/digest" else "text/plain"
            # At most the parts still allowed: a body of a million delimiters lists no more.
            siblings = _split_multipart(raw, start, end, boundary)
            children = list(itertools.islice(siblings, budget))
            if len(children) == budget and next(siblings, None) is not None:
                stopped = True  # parts left that the walk will not reach
            for child_start, child_end in reversed(children):
                # A part's header is short: its blank line is looked for in its first 64 KB, then, for a
                # longer one, to the part's end (linear): a header cut at 64 KB would hide the end of a
                # file name padded past it, its real extension, and put the part's body in its header
                # (V41c D2). parse_content_type reads only the two ends of a field that long.
                limit = min(child_end, child_start + 64 * 1024)
                header_end, found_body = header_body_offsets(raw, child_start, limit)
                if found_body is None and limit < child_end:
                    header_end, found_body = header_body_offsets(raw, child_start, child_end)
                body_start = child_end if found_body is None else found_body
                head = raw[child_start:header_end]
                child_type, child_params, child_encoding, name, child_disposition, child_worth, child_named = \
                    _part_head(head, default)
                escapes = head.find(b"\x1b") >= 0 and _iso2022jp_escapes(head)
                if escapes or (not head.isascii() and ((name is not None and not name.isascii())
                                                       or _legacy_charset_declared(message, child_params))):
                    # A file name in raw 8-bit bytes (rare): how it was read is for the attachment list
                    # to say, and one not UTF-8 that the part's charset did not read is read in the message's.
                    # Raw 8-bit bytes anywhere in the header, under a legacy charset, are read in it
                    # too: a byte in another parameter may end a quoted string in one reading and
                    # not the other, and give another name (verification V58b D-1).
                    # ISO-2022-JP's escape sequences (ASCII bytes) were read as ISO-2022-JP: in it a
                    # quote, backslash or semicolon may be half of a kanji ('x="ESC$B0"ESC(B' is 唖), and
                    # the byte reading, Python's email's and Thunderbird's (which splits parameters
                    # before it decodes them), ends the quoted string there (verification V61a D-3).
                    # That reading is made without the escape sequences (their "(" opens no comment).
                    as_bytes = _part_head(_iso2022jp_escape().sub(b"", head), default) if escapes else (child_type, child_params, child_encoding, name, child_disposition,
                                         child_worth, child_named)
                    child_type, child_params, child_encoding, name, child_disposition, child_worth, child_named = \
                        _name_in_message_charset(message, head, default, child_start, as_bytes)
                stack.append((child_type, child_params, child_encoding, name, body_start, child_end,
                              depth + 1, child_start, child_disposition, child_worth, child_named))
            continue
        found.append(_Part(content_type, params, encoding, filename, start, end, depth, head_start, disposition_type,
                           worth=worth, disposition_name=disposition_name))
    # Whether parts were left unwalked (the attachment list says so, and searches the rest).
    message.__dict__[_WALK_STOPPED] = stopped or bool(stack)
    return found


_PartHead = tuple[str, dict[str, str], str, str | None, str | None, bool, str | None]
"""(type, parameters, transfer encoding, file name, disposition type, worth, Content-Disposition's
filename= as given) of a part's header."""

# What a part's header says, by the header's bytes and the multipart's default type. Mail programs
# write the same part headers message after message ("Content-Type: text/plain; charset=utf-8"
# and its transfer encoding): reading one costs some 60,000 instructions, a third of a walk.
# Bounded in entries and in the length of a header kept (a header naming its own boundary or a
# file name is kept too, and simply not met again).
_part_heads: dict[tuple[bytes, str], _PartHead] = {}
_MAX_PART_HEADS = 256
_MAX_PART_HEAD_LENGTH = 1024


def _part_head(head: bytes, default: str) -> _PartHead:
    """(type, parameters, transfer encoding, file name, disposition type, worth, Content-Disposition's
    filename=) of a part whose header is ``head``, cut where its empty line is (see _read_part_head); each caller gets its
    own parameters."""
    key = (head, default)
    cached = _part_heads.get(key)
    if cached is None:
        cached = _read_part_head(head, default)
        if len(head) <= _MAX_PART_HEAD_LENGTH:
            if len(_part_heads) >= _MAX_PART_HEADS:
                _part_heads.clear()
            # A copy of the parameters is kept: the walk's part holds the one returned.
            _part_heads[key] = (cached[0], dict(cached[1]), *cached[2:])
        return cached
    content_type, params, encoding, name, disposition_type, worth, disposition_name = cached
    return content_type, dict(params), encoding, name, disposition_type, worth, disposition_name


def _read_part_head(head: bytes, default: str, parsed: Message | None = None) -> _PartHead:
    """_part_head, not cached. ``default``: the type of a part that names none (text/plain; a
    digest's message/rfc822, RFC 2046 section 5.1.5). ``parsed``: the head already parsed
    (_name_in_message_charset), read instead of parsing it again."""
    lowered = head.lower()
    # A text or other leaf part whose header names nothing of a message, a report or a file of
    # one: a walk for message parts passes over it.
    worth = _worth_reading().search(lowered) is not None or not (
        default == "text/plain" or lowered.find(b"content-type") >= 0)
    # The head ends where header_body_offsets found the part's empty line (or its limit).
    values = first_values(head, _PART_FIELDS, cut=True) if parsed is None else None
    if values is None:
        headers = parse_message(head) if parsed is None else parsed
        values = {name: value for name in _PART_FIELDS for value in [headers.first(name)] if value is not None}
    content_type, params = parse_content_type(values.get("content-type") or default)
    if "/" not in content_type:
        content_type = default  # RFC 2045 section 5.2: an invalid type counts as the default
    disposition = values.get("content-disposition")
    parsed_disposition = parse_content_type(disposition) if disposition else None
    # A blank filename= ("", or only a later filename= with a value) gives way to name=, as mail
    # programs that fall back to Content-Type's name= show it; it is kept (the last item) so that
    # its values given again are checked all the same (_other_names).
    disposition_name = parsed_disposition[1].get("filename") if parsed_disposition else None
    name = disposition_name or params.get("name")
    encoding = (values.get("content-transfer-encoding") or "7bit").strip().lower()
    disposition_type = parsed_disposition[0][:40] or None if parsed_disposition else None
    return content_type, params, encoding, name, disposition_type, worth, disposition_name


_NAME_READINGS = "_mime_name_readings"
_CHARSET_NAMES = "_mime_charset_names"
_STRUCTURE_READINGS = "_mime_structure_readings"

_Structure = tuple[str, str | None, str, str | None]
"""(type, boundary, transfer encoding, disposition type) of a part's header: what decides how
the part is walked and what it is."""


def _structure(head: _PartHead) -> _Structure:
    """The _Structure of a part header's reading."""
    return head[0], head[1].get("boundary"), head[2], head[4]


def _name_in_message_charset(message: Message, head: bytes, default: str, head_start: int,
                             as_bytes: _PartHead) -> _PartHead:
    """The header of a part whose file name is raw 8-bit bytes (UTF-8, or a Shift_JIS
    name= a mail program wrote without RFC 2231 or RFC 2047 encoding), read as mail readers read
    it: in the part's own charset, else in the charset the message declares (Thunderbird and
    Outlook read raw header bytes so: message._read_legacy_charsets, verification V55a D-2).
    How it was read (the field's defect) is kept, by where the part's header starts, in the
    message's cache (_NAME_READINGS) for the attachment list to say. ``as_bytes``: the header
    read byte by byte (_part_head), as Python's email and Thunderbird parse parameters.

    The two readings may differ in more than the name's letters: Shift_JIS and Big5 take a
    backslash or quote after a lead byte into a character, so a quoted-pair escaping a quote in
    the bytes ('filename="invoice\\x95\\".exe"') is gone in the charset, which ends the name
    early ("invoice表", the ".exe" unread: verification V56b D1), and a genuine name ending in
    表 or ソ (second byte "\\") is the one a byte-by-byte reader misreads. Mail programs read it
    either way, so a sender must not be able to hide an extension in either: where the readings
    give another extension, the charset's reading loses a disguise, or the header another structure (type, encoding,
    parameters), the byte reading is listed and the charset's name kept (_CHARSET_NAMES) for the
    attachment checks, as a name the header gives too (_other_names)."""
    try:
        head.decode("utf-8")
        # (Bytes that are valid UTF-8: ASCII alone, as ISO-2022-JP is, is read so either way.)
        utf8 = not head.isascii()
    except UnicodeDecodeError:
        utf8 = False
    # Each legacy charset the message declares or a part of it does, not only the first (V64a D-4: a
    # us-ascii, ISO-8859-1 or EUC-KR first part counted as the message's charset and hid the
    # Shift_JIS of the HTML part Outlook shows, whose reading gives another name). Each reading is
    # compared with the bytes'; the first is the one listed where all agree.
    charsets = _legacy_charsets(message) or (declared_charset(message) or "",)
    readings: list[tuple[_PartHead, str]] = []
    first: _PartHead | None = None
    for charset in charsets:
        parsed = parse_message(head, message_charset=charset, parameters_in_charset=utf8)
        read = _read_part_head(head, default, parsed)
        first = read if first is None else first
        why = next((defect for field in parsed.headers if field.name.lower() in _PART_FIELDS
                    for defect in field.defects if defect.startswith(LEGACY_CHARSET_DEFECTS)), None)
        if why is not None and all(read != other for other, _ in readings):
            readings.append((read, why))
    if not readings:
        assert first is not None  # (charsets is never empty)
        return first
    other_structure = next(((read, why) for read, why in readings if _structure(as_bytes) != _structure(read)), None)
    if other_structure is not None:
        # The two readings give the part another type, boundary, transfer encoding or disposition
        # (verification V61a D-1: 'multipart/mixed; x="\x95\"; boundary=AAA; y="; boundary="BBB"'
        # is boundary BBB byte by byte, AAA in Shift_JIS, and each boundary finds other parts).
        # The byte reading, as Python's email and Thunderbird parse parameters, is the one walked,
        # named or not; the charset's is kept (_STRUCTURE_READINGS) for the attachment list to
        # tell: a header written to be read two ways is no mail program's.
        structures: dict[int, tuple[_Structure, _Structure, str]] = message.__dict__.setdefault(
            _STRUCTURE_READINGS, {})
        structures[head_start] = (_structure(as_bytes), _structure(other_structure[0]), other_structure[1])
    elif all(read[3] is None for read, _ in readings) and as_bytes[3] is None:
        return readings[0][0]
    disagreeing = [(read, why) for read, why in readings if not _same_reading(as_bytes, read)
                   and not (why == LEGACY_CHARSET_DEFECTS[1] and _cut_in_a_jis_character(as_bytes, read))]
    if utf8 or disagreeing or other_structure is not None:
        # Bytes that are valid UTF-8 are listed as UTF-8 reads them (RFC 6532); the charset's
        # reading beside them is checked where it says otherwise (verification V58b D-2:
        # 'report\xc3\x95\\".exe"' is "reportÕ\" in UTF-8, 'reportﾃ表".exe' in Shift_JIS).
        if disagreeing:
            # Each name each disagreeing charset's reading gives (the listed one, filename= and name=).
            charset_names: dict[int, tuple[tuple[str, ...], str]] = message.__dict__.setdefault(_CHARSET_NAMES, {})
            charset_names[head_start] = (tuple(dict.fromkeys(
                name for read, _ in disagreeing for name in (read[3], read[6], read[1].get("name"))
                if name is not None)), disagreeing[0][1])
        return as_bytes
    name_readings: dict[int, str] = message.__dict__.setdefault(_NAME_READINGS, {})
    name_readings[head_start] = readings[0][1]
    return readings[0][0]


# An ISO-2022-JP escape sequence (RFC 1468; ESC $ ( D of JIS X 0212, ESC ( I of half-width kana).
_iso2022jp_escape = compiled_on_first_use(rb"\x1b(?:\$\(?|\()[@-Z]")


def _iso2022jp_escapes(head: bytes) -> bool:
    """Whether a header holds ISO-2022-JP's escape sequences (RFC 1468: ESC $ and ESC ( switch
    character sets), which message.parse_message reads in ISO-2022-JP."""
    return head.find(b"\x1b$") >= 0 or head.find(b"\x1b(") >= 0


def _raw_parameters_as_written(message: Message) -> bool:
    """Whether the message's own Content-Type or Content-Disposition holds raw 8-bit bytes read as
    written: valid UTF-8, or left so where a legacy charset would end a quoted string elsewhere
    (message._read_legacy_charsets); not one the charset read."""
    return any(field.name.lower() in ("content-type", "content-disposition") and not field.value.isascii()
               and not any(defect.startswith(LEGACY_CHARSET_DEFECTS) for defect in field.defects)
               for field in message.headers)


def _legacy_charset_declared(message: Message, params: dict[str, str]) -> bool:
    """Whether a part (its Content-Type's ``params``) or the message declares a legacy charset,
    one whose reading of raw 8-bit header bytes may differ from UTF-8's (text.legacy_codec)."""
    charset = params.get("charset")
    return (charset is not None and legacy_codec(charset) is not None) or _legacy_charset(message) is not None


_LEGACY_CHARSETS = "_mime_legacy_charsets"
# At most so many legacy charsets a message's parts declare are tried on a part header with raw
# bytes (each is one more parse of it): mail holds one or two (a us-ascii text part and a
# Shift_JIS HTML part), and a header is read in each only where it holds raw 8-bit bytes.
_MAX_LEGACY_CHARSETS = 3


def _legacy_charset(message: Message) -> str | None:
    """The first legacy charset (_legacy_charsets) the message declares, None if it declares none."""
    charsets = _legacy_charsets(message)
    return charsets[0] if charsets else None


def _legacy_charsets(message: Message) -> tuple[str, ...]:
    """The legacy charsets (text.legacy_codec) the message declares (declared_charset) and its parts
    declare, wherever the part is, one per codec, at most _MAX_LEGACY_CHARSETS, the message's first
    (verification V61a D-4: a blank preamble of 16 KB pushed the Shift_JIS text part past
    declared_charset's search, and a UTF-8 first part hid the Shift_JIS HTML part Outlook shows;
    V64a D-4: so did a us-ascii, ISO-8859-1 or EUC-KR first part, whose reading of the bytes is not
    Shift_JIS's). Searched once per message, and only for a part header with raw 8-bit bytes."""
    cache = message.__dict__
    found: tuple[str, ...] | None = cache.get(_LEGACY_CHARSETS)
    if found is None:
        charsets: dict[str, str] = {}  # by codec: us-ascii and ISO-8859-1 are both windows-1252
        declared = declared_charset(message)
        if declared and (codec := legacy_codec(declared)) is not None:
            charsets[codec] = declared
        if parse_content_type(message.first("Content-Type") or "")[0].startswith("multipart/"):
            # (A one-part message's body is no part's header, whatever lines it quotes.)
            for charset in part_charsets(message, MAX_PARTS):
                if len(charsets) >= _MAX_LEGACY_CHARSETS:
                    break
                codec = legacy_codec(charset)
                if codec is not None and codec not in charsets:
                    charsets[codec] = charset
        found = cache[_LEGACY_CHARSETS] = tuple(charsets.values())
    return found


def _same_reading(as_bytes: _PartHead, in_charset: _PartHead) -> bool:
    """Whether a part header read in a charset says what its reading byte by byte says, but for
    the letters of its file name: the same type, parameters (but the name), encoding and
    disposition, and a name with the same extension, disguised (_spoofed) if the bytes' is (a
    charset may show a disguise the bytes do not: ideographic spaces padding a name, V55a D-2)."""
    # (Whether a walk reads the part is left out: the same bytes give it either way.)
    if as_bytes[:1] + as_bytes[2:3] + as_bytes[4:5] != in_charset[:1] + in_charset[2:3] + in_charset[4:5]:
        return False
    if {k: v for k, v in as_bytes[1].items() if k != "name"} != \
            {k: v for k, v in in_charset[1].items() if k != "name"}:
        return False
    for name_bytes, name_charset in ((as_bytes[3], in_charset[3]), (as_bytes[6], in_charset[6]),
                                     (as_bytes[1].get("name"), in_charset[1].get("name"))):
        first, second = _file_name(name_bytes), _file_name(name_charset)
        if first is None or second is None:
            if first != second:
                return False
        elif _extension(first)[1] != _extension(second)[1] or (_spoofed(first) is not None and _spoofed(second) is None):
            return False
    return True


def _cut_in_a_jis_character(as_bytes: _PartHead, in_jis: _PartHead) -> bool:
    """Whether a part header's byte reading differs from its ISO-2022-JP reading only as a genuine
    raw ISO-2022-JP name is cut by the bytes: the same structure and parameters (but the names), and
    each name the bytes give either with the ISO-2022-JP name's extension or, cut short where a
    character's JIS code holds a quote (ア is '%"', あ '$"', ※ '"('), with none and no disguise,
    beside an ISO-2022-JP name (verification V64a D-5: 'アンケート.xls' was listed as "%", and told
    as a name that disagrees). Such a cut name opens as no program, and the listed ISO-2022-JP name
    gets every check; a byte reading with another extension (verification V61a D-3's
    'x="ESC$B0"ESC(B; filename=invoice.exe; y="; filename="invoice.pdf"') is no such cut."""
    if _structure(as_bytes) != _structure(in_jis) or as_bytes[0] != in_jis[0]:
        return False
    if {k: v for k, v in as_bytes[1].items() if k != "name"} != {k: v for k, v in in_jis[1].items() if k != "name"}:
        return False
    for name_bytes, name_jis in ((as_bytes[3], in_jis[3]), (as_bytes[6], in_jis[6]),
                                 (as_bytes[1].get("name"), in_jis[1].get("name"))):
        cut, whole = _file_name(name_bytes), _file_name(name_jis)
        if cut is None and whole is None:
            continue
        if whole is None or (cut is not None and _spoofed(cut) is not None):
            return False
        if cut is not None and _extension(cut)[1] not in ("", _extension(whole)[1]):
            return False
    return True


def _disposition_type(value: str) -> str | None:
    """The disposition type of a Content-Disposition value (RFC 2183 section 2), lower case."""
    return parse_content_type(value)[0][:40] or None


_FULL_WALK = "_mime_full_walk"
_WALK_STOPPED = "_mime_walk_stopped"


def _full_walk(message: Message) -> list[_Part]:
    """``_walk(message)``, walked once per message: the carried messages, the reports, the text,
    the structure and the attachment list all read it (kept in the message's own cache, as its
    cached properties are)."""
    cached: list[_Part] | None = message.__dict__.get(_FULL_WALK)
    if cached is None:
        cached = _walk(message)
        message.__dict__[_FULL_WALK] = cached
    return cached


_PART_FIELDS = frozenset(("content-type", "content-disposition", "content-transfer-encoding"))


def _split_multipart(raw: bytes, start: int, end: int, boundary: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each body part of the multipart body raw[start:end] (RFC 2046 section
    5.1.1): a delimiter is a line that is "--" and the boundary, then only white space (or "--"
    for the last); the line break before it belongs to the delimiter, not to the part."""
    try:
        delimiter = b"--" + boundary.encode("ascii")
    except UnicodeEncodeError:
        return
    if not 3 <= len(delimiter) <= 74:  # RFC 2046: a boundary is 1 to 70 characters
        return
    line_delimiter = b"\n" + delimiter
    length = len(delimiter)
    position = start
    part_start: int | None = None
    while position < end:
        if position == start and raw.startswith(delimiter, start):
            found = start
        else:
            hit = raw.find(line_delimiter, position, end)
            if hit < 0:
                break
            found = hit + 1
        after = found + length
        line_end = raw.find(b"\n", after, end)
        line_end = end if line_end < 0 else line_end
        rest = raw[after:line_end].rstrip(b"\r")
        # Most delimiter lines hold nothing after the boundary, or the closing "--" alone.
        closing = rest == b"--"
        if rest and not closing:
            closing = rest.startswith(b"--")
            if (rest[2:] if closing else rest).strip(b" \t"):
                position = after  # "--boundaryX": a longer boundary, not this one
                continue
        if part_start is not None:
            # The CRLF (or LF) before the delimiter line is part of the delimiter.
            part_end = found - 1
            if part_end > part_start and raw[part_end - 1:part_end] == b"\r":
                part_end -= 1
            yield part_start, part_end if part_end > part_start else part_start
        if closing:
            return
        part_start = min(line_end + 1, end)
        position = part_start
    if part_start is not None and part_start < end:
        yield part_start, end  # no closing delimiter (a cut-off message): the rest is the last part


def _decoded(raw: bytes, part: _Part) -> bytes:
    """The part's body with its Content-Transfer-Encoding undone (RFC 2045 section 6)."""
    data = raw[part.body_start:part.body_end]
    if part.encoding == "base64":
        try:
            return binascii.a2b_base64(data)
        except (binascii.Error, ValueError):
            return data
    if part.encoding == "quoted-printable":
        return binascii.a2b_qp(data)
    return data


# Multipart types that can hold a message part. multipart/alternative (the text and HTML of
# one message) and multipart/related (HTML with its images), most of the mail in a mailbox,
# cannot hold one (RFC 2046 section 5.1.4; RFC 2387), so such a message is not walked at all.
_CARRIER_TYPES = ("multipart/mixed", "multipart/report", "multipart/digest", "multipart/signed",
                  "multipart/encrypted", "multipart/parallel", *_MESSAGE_TYPES)


# A message part names its type in its header: "message/rfc822" (or "Message/RFC822"; also
# message/global, and the message/feedback-report of an abuse report beside a returned header).
# When the body of a multipart/mixed message holds no such text there is nothing to walk to:
# one search (about 0.5 ns a byte) costs less than splitting the message, the most common kind
# of mail in a mailbox. A writer that spells the type in capitals alone ("MESSAGE/RFC822") is
# passed over in a multipart/mixed message; reports and digests are always walked.
_PART_TYPE_HINT = b"essage/"
_ALWAYS_WALKED = ("multipart/report", "multipart/digest", *_MESSAGE_TYPES)


def might_carry_parts(message: Message) -> bool:
    """Whether the message's type can hold a delivery report or an attached message."""
    if message.body_start is None:
        return False
    content_type = message.first("Content-Type")
    if content_type is None:
        return False
    content_type = content_type.lstrip().lower()
    if not content_type.startswith(_CARRIER_TYPES):
        return False
    return (content_type.startswith(_ALWAYS_WALKED) or message.raw.find(_PART_TYPE_HINT, message.body_start) >= 0
            or _names_a_message_file(message.raw, message.body_start, message.first("Content-Type") or ""))


def _names_a_message_file(raw: bytes, start: int, content_type: str) -> bool:
    """Whether a part header names an attached message file: a name ending in .eml or .msg, in
    whatever case, spacing or folding the header writes it (RFC 2183, RFC 2045, RFC 2231's
    "filename*="), or Outlook's ms-outlook type. Only the part headers are read: each
    multipart's boundary is found (one find through the body per boundary, RFC 2046 section
    5.1.1) and the header after it searched; a regex over a whole 50 MB attachment cost 0.2 s,
    and a find of the parameter's name missed FILENAME= and folded names (verification V16 R2)."""
    boundaries = [parse_content_type(content_type)[1].get("boundary") or ""]
    looked = 0
    while boundaries and looked < _MAX_PART_HEADERS:
        boundary = boundaries.pop()
        if not 1 <= len(boundary) <= 70:
            continue
        delimiter = b"--" + boundary.encode("ascii", "replace")
        at = raw.find(delimiter, start)
        while at >= 0 and looked < _MAX_PART_HEADERS:
            looked += 1
            header_end = raw.find(b"\n\n", at, at + _PART_HEADER_BYTES)
            # Only a CR LF CR LF before the LF LF can end the header first: it lies within the LF
            # LF's offset + 3 (searching all 8 KB each time cost a message 1% of its analysis).
            crlf_end = raw.find(b"\r\n\r\n", at, at + _PART_HEADER_BYTES if header_end < 0 else header_end + 3)
            if crlf_end >= 0 and not 0 <= header_end < crlf_end:
                header_end = crlf_end
            head = raw[at:header_end if header_end >= 0 else at + _PART_HEADER_BYTES]
            # Most part headers name neither a message file nor a multipart: one search of the
            # lower-case head for what both tests below look for (in any case) rules them out.
            lowered = head.lower()
            if _file_or_multipart_hint().search(lowered) is None:
                at = raw.find(delimiter, at + len(delimiter))
                continue
            # The regex only where the lower-case head holds what it matches (its IGNORECASE
            # search cost some 250 instructions a byte of every part header).
            if (lowered.find(b".eml") >= 0 or lowered.find(b".msg") >= 0 or lowered.find(b"ms-outlook") >= 0) \
                    and _file_message_hint().search(head) is not None:
                return True
            if head.find(b"ultipart/") >= 0 or head.find(b"ULTIPART/") >= 0:
                inner = _part_boundary().search(head)
                if inner is not None:
                    boundaries.append((inner.group(1) or inner.group(2)).decode("ascii", "replace"))
            at = raw.find(delimiter, at + len(delimiter))
    return False


# Part headers read at most, and the bytes of each (a part's header is short).
_MAX_PART_HEADERS = 500
_PART_HEADER_BYTES = 8192
# What a lower-case part header holds when it names a message file or a multipart (below).
_file_or_multipart_hint = compiled_on_first_use(rb"\.eml|\.msg|ms-outlook|ultipart/")
_part_boundary = compiled_on_first_use(rb'(?i)boundary\s{0,3}=\s{0,3}(?:"([^"\r\n]{1,70})"|([^\s;"]{1,70}))')


# A message attached as a file: a user drags a saved .eml into a new mail, a report add-in
# (KnowBe4's Phish Alert, Microsoft's Report Message) attaches one, labelled
# application/octet-stream; Outlook attaches a saved item as a .msg (application/vnd.ms-outlook,
# an OLE compound file, MS-OXMSG). The name in the part's header is the only sign: its body is
# usually base64, where "message/" never shows. The search starts with a literal ".", which the
# regex engine looks for first: a few ns a byte even on HTML full of dots.
_file_message_hint = compiled_on_first_use(rb"(?i)\.(?:eml|msg)\b|ms-outlook")
_EML_SUFFIX = ".eml"
_MSG_SUFFIX = ".msg"
_MSG_TYPES = frozenset({"application/vnd.ms-outlook", "application/x-msg"})
# Bytes of a .msg attachment read at most: extract_msg reads the whole OLE file into memory.
_MAX_MSG_PART = 32 << 20


def attached_messages(message: Message, limit: int = MAX_ATTACHED, signed_by: frozenset[str] = frozenset()
                      ) -> tuple[tuple[AttachedMessage, bytes], ...]:
    """Each message carried inside this one, with its bytes (headers only for a returned
    header), in part order, at most ``limit`` (MAX_ATTACHED are listed in a report; ``analyze
    --attached N`` asks for N); or the copy a qmail or other plain-text bounce returns.
    ``signed_by``: see read_carried (a SpamCop report's inline copy needs spamcop.net's pass)."""
    return _carried(message, _parts(message) if might_carry_parts(message) else [], limit, signed_by)


def _carried(message: Message, parts: list[_Part], limit: int = MAX_ATTACHED, signed_by: frozenset[str] = frozenset()
             ) -> tuple[tuple[AttachedMessage, bytes], ...]:
    """attached_messages, given the message's parts (when it might carry any)."""
    if not might_carry_parts(message):
        qmail = _qmail_bounce(message)
        return qmail[1] if qmail is not None else (
            _text_bounce_copy(message) or _spamcop_copy(message, signed_by))
    found = _attached(message.raw, parts, limit)
    # A report or bounce may carry the copy in its text part (Exim's DMARC failure report, a
    # multipart/report with no message part): read only for such a message, not for all mail.
    if found:
        return found
    if not is_automatic_notification(message):
        return _spamcop_copy(message, signed_by)
    return _text_bounce_copy(message) or _spamcop_copy(message, signed_by)


# SpamCop's spam reports (https://www.spamcop.net/fom-serve/cache/94.html, "What do SpamCop
# reports look like?"): Subject "[SpamCop (<source IP>) id:<report id>]<the spam's Subject>",
# a line "Email from <source IP> / <date>" and the spam itself, inline, after a line
# "[ Offending message ]" (V4) or "Offending message:" (older versions). No ARF part.
_spamcop_subject_re = compiled_on_first_use(r"\s{0,5}\[SpamCop \(([0-9A-Fa-f.:]{2,45})\) id:(\d{1,20})\]")
_spamcop_email_from_re = compiled_on_first_use(
    rb"^[ \t]{0,8}Email from ([0-9A-Fa-f.:]{2,45}) / ([^\r\n]{5,80}?)[ \t]*\r?$", re.MULTILINE)
_spamcop_marker_re = compiled_on_first_use(
    rb"^[ \t]{0,8}(?:\[ Offending message \]|Offending message:)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


# The domain SpamCop writes its reports from: From: N@reports.spamcop.net, Return-Path
# <N.x@bounces.spamcop.net> (its reports as the FAQ above shows them).
_SPAMCOP_DOMAIN = "spamcop.net"


def _at_spamcop(domain: str | None) -> bool:
    return domain is not None and (domain == _SPAMCOP_DOMAIN or domain.endswith("." + _SPAMCOP_DOMAIN))


def _signed_by_spamcop(signed_by: frozenset[str]) -> bool:
    """Whether a DKIM signature of spamcop.net passes (recomputed, or recorded as pass by the
    receiver above the boundary): the one proof that SpamCop wrote a report in its layout. Its
    From: and Return-Path are the sender's text (review V18 P3: a phish dressed as a SpamCop
    report with a forged From: or only a forged envelope sender); a passing signature makes
    spamcop.net answerable for the message (RFC 6376 section 2.1)."""
    return any(_at_spamcop(domain) for domain in signed_by)


def _claims_spamcop(message: Message) -> bool:
    """Whether the message says it comes from SpamCop: every From: mailbox, or the Return-Path,
    at spamcop.net. Both are the sender's text: only the look-alike's words use it."""
    authors = parse_addresses((message.first("From") or "")[:_MAX_ADDRESS_TEXT])[:10]
    if authors and all(_at_spamcop(a.domain) for a in authors):
        return True
    path = envelope_address((message.first("Return-Path") or "")[:_MAX_ADDRESS_TEXT])
    return bool(path) and _at_spamcop(address_domain(path or ""))


_MAX_ADDRESS_TEXT = 1000


def _from_domains(message: Message) -> tuple[str, ...]:
    """The domains of the message's From: mailboxes (the first 10), lower-cased."""
    return tuple(dict.fromkeys(a.domain.lower().rstrip(".") for a in parse_addresses(
        (message.first("From") or "")[:_MAX_ADDRESS_TEXT])[:10] if a.domain))


def report_signer(message: Message, signed_by: frozenset[str]) -> tuple[str | None, str | None, int]:
    """(the signer that vouches for every From: domain, a signer that vouches for only some of
    them, how many From: domains there are). A passing DKIM signature vouches for a From: domain
    when both have the same organizational domain: DMARC's relaxed alignment (RFC 7489 section
    3.1.1), so that mail.example.org's signature counts for example.org and the other way round.
    With two From: domains, one signed, the other is still anyone's text (review V19 P2)."""
    from .domains import organizational_domain

    authors = _from_domains(message)
    if not authors or not signed_by:
        return None, None, len(authors)
    organizations = {organizational_domain(a) or a for a in authors}
    partial: str | None = None
    for domain in sorted(signed_by):
        organization = organizational_domain(domain) or domain
        if organizations == {organization}:
            return domain, None, len(authors)
        if partial is None and organization in organizations:
            partial = domain
    return None, partial, len(authors)


def _with_authentication(feedback: FeedbackReport, message: Message, signed_by: frozenset[str]) -> FeedbackReport:
    """The feedback report with ``authenticated_by``: every format is text anyone can write
    (ARF has no signature of its own either: RFC 5965 section 8.2 leaves it to DKIM), so only a
    passing signature aligned with the From: domains vouches for it; a SpamCop report is read
    only when spamcop.net's signature passes (_spamcop_report), which is what vouches for it."""
    if feedback.format == "spamcop":
        signer = next((d for d in sorted(signed_by) if _at_spamcop(d)), None)
    else:
        signer = report_signer(message, signed_by)[0]
    return replace(feedback, authenticated_by=signer) if signer else feedback


def _spamcop_report(message: Message, signed_by: frozenset[str] = frozenset()
                    ) -> tuple[re.Match[str] | None, re.Match[bytes] | None, bytes] | None:
    """(the Subject's match, the "Email from" line's match, the decoded head of the text) of a
    SpamCop report, or None: a message in SpamCop's layout (_spamcop_shape) that spamcop.net
    signed (_signed_by_spamcop). Anyone can write a Subject "[SpamCop (IP) id:N]" (review V17 N6:
    a phish that steers an analyst to a harmless "offending message" and blames an innocent
    address), and a From: or Return-Path at spamcop.net with it (review V18 P3)."""
    if not _signed_by_spamcop(signed_by):
        return None
    return _spamcop_shape(message)


def _spamcop_lookalike(message: Message, signed_by: frozenset[str] = frozenset()) -> Finding | None:
    """A notice for a message in SpamCop's report layout that spamcop.net did not sign: its
    "source IP" and "offending message" are not read as a report's."""
    if _signed_by_spamcop(signed_by):
        return None
    found = _spamcop_shape(message)
    if found is None:
        return None
    subject_match, email_from, _head = found
    named = (email_from.group(1).decode("ascii", "replace") if email_from else None) or (
        subject_match.group(1) if subject_match else None)
    blamed = f", naming {named} as the source" if named else ""
    claimed = _claims_spamcop(message)
    title = ("Looks like a SpamCop report and claims to be from spamcop.net; not authenticated" if claimed else
             "Looks like a SpamCop report, but is not from spamcop.net")
    origin = ("its From: or Return-Path is at spamcop.net, but no DKIM signature of spamcop.net passes here (nor "
              "did the receiver record one): those fields are the sender's text, which anyone can write" if claimed
              else "neither its From: nor its Return-Path is at spamcop.net, where SpamCop writes its reports from "
              "(reports.spamcop.net, bounces.spamcop.net), and spamcop.net did not sign it")
    return Finding(
        id="feedback.spamcop_lookalike", severity=Severity.NOTICE,
        title=title,
        explanation=("This message is written in the layout of a SpamCop spam report (its Subject's "
                     "\"[SpamCop (IP) id:N]\" tag, or its \"Email from IP / date\" and \"Offending message\" lines"
                     f"{blamed}), but {origin}. Only a passing DKIM signature of spamcop.net shows SpamCop wrote "
                     "it. Anyone can write that layout: "
                     "it is not read as a report here, so the address it names and the message it quotes are not "
                     "offered as the reported spam. A genuine report whose signature did not survive, or a person "
                     "forwarding one, would also give this; a message dressed as one to make an abuse desk blame "
                     "an address, or open the copy, would too."),
        reference="https://www.spamcop.net/fom-serve/cache/94.html", subject="feedback report")


def in_spamcop_layout(message: Message) -> bool:
    """Whether the message is written in SpamCop's report layout, whoever wrote it: whether its
    reading (and its inline copy) depends on spamcop.net's signature (``signed_by``)."""
    return _spamcop_shape(message) is not None


_SPAMCOP_SHAPE = "_mime_spamcop_shape"


def _spamcop_shape(message: Message) -> tuple[re.Match[str] | None, re.Match[bytes] | None, bytes] | None:
    """(the Subject's match, the "Email from" line's match, the decoded head of the text) of a
    message in SpamCop's report layout, or None. The Subject names one; without it, the "Email
    from IP / date" line and the marker line before the copy together do. Text of the sender:
    a report's claims."""
    # Asked three times of every message (the copy, the feedback report, the look-alike notice),
    # each a search of the body: answered once, in the message's own cache.
    if _SPAMCOP_SHAPE not in message.__dict__:
        message.__dict__[_SPAMCOP_SHAPE] = _read_spamcop_shape(message)
    found: tuple[re.Match[str] | None, re.Match[bytes] | None, bytes] | None = message.__dict__[_SPAMCOP_SHAPE]
    return found


def _read_spamcop_shape(message: Message) -> tuple[re.Match[str] | None, re.Match[bytes] | None, bytes] | None:
    """_spamcop_shape, not cached."""
    subject = _spamcop_subject_re().match((message.first_decoded("Subject") or "")[:400])
    if subject is None and message.raw.find(b"ffending message", message.body_start or len(message.raw),
                                            (message.body_start or 0) + _MAX_BOUNCE_TEXT) < 0:
        return None  # the usual case: one find
    for part in _text_parts(message)[:1]:
        head = _decoded_head(message.raw, part)
        email_from = _spamcop_email_from_re().search(head)
        if subject is None and (email_from is None or _spamcop_marker_re().search(head) is None):
            return None
        return subject, email_from, head
    return None


def _spamcop_copy(message: Message, signed_by: frozenset[str] = frozenset()
                  ) -> tuple[tuple[AttachedMessage, bytes], ...]:
    """The spam a SpamCop report carries inline after its "[ Offending message ]" line, as a
    carried message (its header only when the report left out the body), so that ``--attached 1``
    analyzes it as an ARF report's attached copy is."""
    found = _spamcop_report(message, signed_by)
    return _spamcop_quoted(found[2]) if found is not None else ()


def spamcop_lookalike_copy(message: Message) -> tuple[tuple[AttachedMessage, bytes], ...]:
    """The message a text in SpamCop's layout quotes after its "Offending message" line, whoever
    wrote it: only for an analyst who asks for it by ``analyze --attached 1`` (review V19 P7: a
    genuine old report whose signature is gone could no longer be opened). Never offered in a
    report: unsigned, the quote is the sender's text (_spamcop_lookalike)."""
    found = _spamcop_shape(message)
    return _spamcop_quoted(found[2]) if found is not None else ()


def _spamcop_quoted(head: bytes) -> tuple[tuple[AttachedMessage, bytes], ...]:
    """The message quoted after the "Offending message" line of a SpamCop report's text."""
    marker = _spamcop_marker_re().search(head)
    if marker is None:
        return ()
    line_end = head.find(b"\n", marker.end())
    data = head[line_end + 1:].lstrip(b"\r\n") if line_end >= 0 else b""
    inner = parse_message(data) if data else None
    if inner is None or not inner.headers or all(h.defects for h in inner.headers):
        return ()
    return ((AttachedMessage(
        number=1, content_type="text/plain", headers_only=inner.body_start is None, size=len(data), filename=None,
        from_header=inner.first_decoded("From"), to=inner.first_decoded("To"),
        subject=inner.first_decoded("Subject"), date=inner.first("Date"), message_id=inner.first("Message-ID"),
    ), data),)


# The line before the copy a plain-text bounce returns: Exim's, sendmail's, Lotus Notes' and
# Gmail's (qmail's is read with its report, _qmail_bounce); and the line before the header Exim's
# DMARC failure report returns, which has no dashes after it and may be wrapped.
_copy_marker = compiled_on_first_use(
    rb"^[ \t]{0,8}-{2,}[ \t]*(?:(This is a copy of the message(?:'s headers|, including all the headers)\.?|"
    rb"(?:Original|Unsent) message follows|Returned Message|The header of the original message is following\.?|"
    rb"Original message|Message header follows)[ \t]*-{2,}|"
    rb"(This is a copy of the headers that were received before the error(?:[ \t]*\r?\n[ \t]{0,20}|[ \t]{1,5})"
    rb"was detected\.?))[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


def _text_bounce_copy(message: Message) -> tuple[tuple[AttachedMessage, bytes], ...]:
    """The copy a plain-text bounce returns after its marker line (Exim's "------ This is a copy
    of the message, including all the headers. ------"), when it reads as a message; searched
    in the text with its transfer encoding undone (Gmail's bounce is quoted-printable)."""
    if message.body_start is None:
        return ()
    raw = message.raw
    # The loop below returns nothing when no text part's head holds "---": asked of the text
    # parts alone (a message's text is usually a part of its body, beside HTML and attachments)
    # before the body's first 64 KB are searched; it cannot tell for an encoded part.
    if all(_head_lacks(raw, part, (b"---",)) for part in _text_parts(message)):
        return ()
    if raw.find(b"---", message.body_start, message.body_start + _MAX_BOUNCE_TEXT) < 0 \
            and not is_automatic_notification(message) and not _looks_like_bounce(message):
        # Ordinary mail (every message of a scan comes here): its parts are walked and decoded
        # only when a marker line may be in it as written, as before text parts were decoded.
        return ()
    for part in _text_parts(message):
        head = _decoded_head(raw, part)
        # A plain find first: most bodies have no line of dashes, and the regex tries every line.
        if head.find(b"---") < 0:
            continue
        found = _copy_marker().search(head)
        if found is None:
            continue
        said = (found.group(1) or found.group(2) or b"").lower()
        if said in (b"original message", b"message header follows") and not (_looks_like_bounce(message)
                                                 or message.first("X-Failed-Recipients") is not None):
            # Gmail's bounce marker is also how mail programs quote a message a person answers
            # ("----- Original Message -----"): taken only in a bounce.
            return ()
        if part.encoding in ("base64", "quoted-printable"):
            text, offset = _decoded(raw, part), 0
        else:
            text, offset = raw[:part.body_end], part.body_start
        line_end = text.find(b"\n", offset + found.end())
        data = text[line_end + 1:].lstrip(b"\r\n") if line_end >= 0 else b""
        inner = parse_message(data) if data else None
        if inner is None or not inner.headers or all(h.defects for h in inner.headers):
            return ()
        headers_only = (inner.body_start is None or b"'s headers" in said or said.startswith(b"the header of")
                        or said.startswith(b"message header") or found.group(2) is not None)
        return ((AttachedMessage(
            number=1, content_type="text/plain", headers_only=headers_only, size=len(data), filename=None,
            from_header=inner.first_decoded("From"), to=inner.first_decoded("To"),
            subject=inner.first_decoded("Subject"), date=inner.first("Date"), message_id=inner.first("Message-ID"),
        ), data),)
    return ()


# Attached messages counted past the MAX_ATTACHED listed (an abuse desk's batch of reported
# phish), and the highest ``--attached N`` reachable: each is parsed to tell a message from a
# part only labelled one, so a hostile message of 60,000 such parts stops being counted here.
MAX_COUNTED = 2000


def _file_kind(part: _Part) -> str | None:
    """"eml" or "msg" for a part that is a saved message attached as a file (by its name or, for
    Outlook's .msg, its type), whatever its Content-Type; None otherwise."""
    if part.content_type in _MESSAGE_TYPES:
        return None  # a message part already, read as one
    name = (part.filename or "").strip().strip('"').rstrip(". ").lower()
    if name.endswith(_EML_SUFFIX):
        return "eml"
    if name.endswith(_MSG_SUFFIX) or part.content_type in _MSG_TYPES:
        return "msg"
    return None


def _carried_message(raw: bytes, part: _Part, read_msg: bool = True) -> tuple[bytes, Message, str] | None:
    """The bytes, header and listed type of a message/rfc822 (or returned-header) part, or of a
    saved message attached as a file (.eml; Outlook's .msg, whose bytes stay the .msg file, so
    that ``--attached N`` reads it as the loader reads any .msg, with its caveats); None when the
    part holds no message after all. ``read_msg``: False to only check a .msg's file signature
    (counting), not rebuild it."""
    if part.body_start >= part.body_end:
        return None
    kind = _file_kind(part)
    if part.content_type not in _MESSAGE_TYPES and kind is None:
        return None
    if kind == "msg":
        if part.body_end - part.body_start > 2 * _MAX_MSG_PART:
            return None
        return _carried_msg(_decoded(raw, part), part, read_msg)
    data = _decoded(raw, part)
    inner = parse_message(data)
    if not inner.headers or all(h.defects for h in inner.headers):
        return None  # not a message after all (an .eml file that holds no header)
    if kind == "eml":
        return data, inner, f"{part.content_type} (.eml file)"
    return data, inner, part.content_type


def _carried_msg(data: bytes, part: _Part, read_msg: bool) -> tuple[bytes, Message, str] | None:
    """A .msg attachment: its OLE bytes, and the header rebuilt from it (headerscope.msg)."""
    from .msg import MsgError, is_msg, msg_to_message

    if not is_msg(data) or len(data) > _MAX_MSG_PART:
        return None
    listed = f"{part.content_type} (.msg file)"
    if not read_msg:
        return data, parse_message(b""), listed
    try:
        rebuilt, _notes = msg_to_message(data)
    except MsgError:
        return None
    inner = parse_message(rebuilt)
    if not inner.headers:
        return None
    return data, inner, listed


# Apple Mail's .partial.emlx: a part whose content Mail keeps in a separate file keeps its header,
# gains this field (the content's size) and has an empty body.
_apple_stub_field = compiled_on_first_use(rb"^X-Apple-Content-Length[ \t]*:", re.IGNORECASE | re.MULTILINE)
_blank_bytes = compiled_on_first_use(rb"[ \t\r\n]*")
# Transfer encodings under which a message/rfc822 part's body is the message itself (RFC 2046
# section 5.2.1 allows no other).
_IDENTITY_ENCODINGS = frozenset({"7bit", "8bit", "binary"})


def parts_kept_apart_by_apple_mail(message: Message) -> int:
    """How many parts of ``message`` are Apple Mail's placeholders for content it keeps in separate
    files (a .partial.emlx), counted where Mail writes them: a body part of a multipart whose own
    header has X-Apple-Content-Length and whose body is empty; also inside the messages attached
    to it (message/rfc822 parts), whose parts Mail numbers and stores apart the same way. The
    field in a part's body, in the message's own header, or above content is the sender's text.
    Bounded: MAX_PARTS parts in all, messages MAX_DEPTH deep."""
    count = 0
    budget = MAX_PARTS
    pending = [(message, 0)]
    while pending and budget > 0:
        current, depth = pending.pop()
        raw = current.raw
        for part in itertools.islice(_parts(current, keep_text=True), budget):
            budget -= 1
            if part.depth == 0:
                continue  # the message itself, not a part of a multipart
            if _apple_stub_field().search(raw, part.head_start, part.body_start) is not None \
                    and _blank_bytes().fullmatch(raw, part.body_start, part.body_end) is not None:
                count += 1
            elif part.content_type in ("message/rfc822", "message/global") and part.encoding in _IDENTITY_ENCODINGS \
                    and depth < MAX_DEPTH:
                pending.append((parse_message(raw[part.body_start:part.body_end]), depth + 1))
    return count


def count_attached(message: Message, parts: list[_Part] | None = None) -> tuple[int, bool]:
    """(attached messages, whether that is a lower bound: counting stopped at MAX_COUNTED).
    ``parts``: the message's parts when the caller has walked them already."""
    if not might_carry_parts(message):
        return len(attached_messages(message)), False
    count = 0
    for part in _parts(message) if parts is None else parts:
        if _carried_message(message.raw, part, read_msg=False) is not None:
            count += 1
            if count >= MAX_COUNTED:
                return count, True
    return count, False


def _attached(raw: bytes, parts: list[_Part], limit: int = MAX_ATTACHED) -> tuple[tuple[AttachedMessage, bytes], ...]:
    out: list[tuple[AttachedMessage, bytes]] = []
    for part in parts:
        carried = _carried_message(raw, part)
        if carried is None:
            continue
        data, inner, listed_type = carried
        headers_only = part.content_type in _HEADERS_ONLY
        out.append((AttachedMessage(
            number=len(out) + 1, content_type=listed_type, headers_only=headers_only,
            size=len(data), filename=part.filename, from_header=inner.first_decoded("From"),
            to=inner.first_decoded("To"), subject=inner.first_decoded("Subject"), date=inner.first("Date"),
            message_id=inner.first("Message-ID"),
        ), data))
        if len(out) >= limit:
            break
    return tuple(out)


def delivery_report(message: Message) -> DeliveryReport | None:
    """The delivery report of a delivery status notification (RFC 3464), or None."""
    if not might_carry_parts(message):
        qmail = _qmail_bounce(message)
        return qmail[0] if qmail is not None else _text_delivery_report(message)
    report = _delivery_report(message, _parts(message))
    if report is not None and report.recipients:
        return _with_text_reasons(message, report)
    return _text_delivery_report(message) or report


def _with_text_reasons(message: Message, report: DeliveryReport) -> DeliveryReport:
    """The report with the reason its notice text gives for each failed or delayed recipient
    that has no Diagnostic-Code. Exim writes Diagnostic-Code only for a remote server's reply
    (print_dsn_diagnostic_code, "af_pass_message"); a failure it decided itself (an unknown
    local user, a rate limit, a :fail: router) is said only in the text part, indented under the
    address, as in its bounces without a report part (_unstructured_bounce reads those)."""
    wanting = [r for r in report.recipients[:_MAX_LISTED]
               if r.diagnostic_code is None and r.action in ("failed", "delayed")]
    if not wanting:
        return report
    bodies = _text_bodies(message)
    if not bodies:
        return report
    text = bodies[0].decode("utf-8", "replace")  # the notice: the first text part
    reasons: dict[int, str] = {}
    for recipient in wanting:
        address = recipient.final_recipient or recipient.original_recipient
        if not address or "@" not in address:
            continue
        reason, _host, _command = _block_reason(_indented_block(text, address))
        if reason:
            reasons[id(recipient)] = reason
    if not reasons:
        return report
    return replace(report, recipients=tuple(
        replace(r, text_reason=reasons[id(r)]) if id(r) in reasons else r for r in report.recipients))


def dsn_said(recipient: DsnRecipient, reporting_mta: str | None) -> tuple[str | None, str | None]:
    """(who said it, what was said) of a recipient's reason: ("remote", the reply) for a remote
    server's reply, a Diagnostic-Code of type smtp beside a Remote-MTA (or of no type: the
    Remote-MTA is then the only sign); ("reporting", its words) for the reporting server's own,
    a Diagnostic-Code of another type (Postfix's "X-Postfix; connect to ...: Connection timed
    out"), one without Remote-MTA (no remote server was reached, RFC 3464 sections 2.3.5 and
    2.3.6), or the notice text's reason (text_reason); (None, None) when none is given."""
    if recipient.diagnostic_code:
        remote = recipient.remote_mta is not None and recipient.diagnostic_type in ("smtp", None)
        return ("remote" if remote else "reporting"), recipient.diagnostic_code
    if recipient.text_reason:
        return "reporting", recipient.text_reason
    return None, None


def dsn_said_heading(recipients: Sequence[DsnRecipient]) -> str:
    """The heading of a delivery report's reason column, by who said the reasons shown: "remote
    server said", "reporting server said", or "server said" when both (each cell then says whose)
    or neither."""
    speakers = {dsn_said(r, None)[0] for r in recipients} - {None}
    if speakers == {"remote"}:
        return "remote server said"
    if speakers == {"reporting"}:
        return "reporting server said"
    return "server said"


# The first line of a multi-line SMTP reply (RFC 5321 section 4.2.1): the reply code and a
# hyphen, then, when the server gives one, an enhanced status code (RFC 3463; RFC 2034 section 4
# has it repeated on every line).
_multiline_reply_re = compiled_on_first_use(r"([245]\d\d)-(?:([245]\.\d{1,3}\.\d{1,3})(?=[ \t]))?")


def joined_reply(reply: str) -> str:
    """A multi-line SMTP reply that a report joined into one line, without the code prefix of
    each line after the first (RFC 5321 section 4.2.1: every line but the last starts "550-",
    the last "550 "; Gmail repeats "550-5.1.1" on each): "550 5.1.1 The email account ...
    Please try double-checking ...". Only the first line's own codes are taken out of the later
    lines, so a number in the text stays. A reply that is not multi-line comes back as it is."""
    first = _multiline_reply_re().match(reply)
    if first is None:
        return reply
    code, enhanced = first.group(1), first.group(2)
    rest = " " + " ".join(reply[first.end():first.end() + 4000].split()) + " "
    if enhanced:
        rest = rest.replace(f" {code}-{enhanced} ", " ").replace(f" {code} {enhanced} ", " ")
        return f"{code} {enhanced} {rest.strip()}".rstrip()
    # Without an enhanced code to tell them, the last line's "550 " is the first "550 " after
    # the last "550-": a "550 " before it, or a second one, is the server's text.
    last = rest.rfind(f" {code}-")
    rest = rest.replace(f" {code}-", " ")
    if last >= 0:
        at = rest.find(f" {code} ", last)
        if at >= 0:
            rest = rest[:at] + rest[at + len(code) + 1:]
    return f"{code} {rest.strip()}".rstrip()


def dsn_said_cell(recipient: DsnRecipient, reporting_mta: str | None, mixed: bool) -> str | None:
    """A recipient's reason as a report's reason column shows it: a remote reply after the
    remote server's name; the reporting server's own words as they are, or, in a column that
    holds both kinds (``mixed``), after "reporting server (NAME)"; "(notice text)" marks a reason
    read from the human-readable part. None when there is none."""
    who, said = dsn_said(recipient, reporting_mta)
    if said is None:
        return None
    said = joined_reply(said)
    if recipient.diagnostic_code is None:
        said = f"{said} (notice text)"
    elif recipient.diagnostic_cut:
        said += f" [cut: {recipient.diagnostic_cut} kept]"
    elif recipient.text_reason:
        # The reporting server's own words beside a reply (qmail's: the command refused, its
        # giving up on an expired message), said as its.
        said += f"; reporting server{f' ({reporting_mta})' if reporting_mta else ''}: {recipient.text_reason}"
    if who == "remote" and recipient.remote_mta:
        return f"{recipient.remote_mta}: {said}"
    if mixed:
        return f"reporting server ({reporting_mta}): {said}" if reporting_mta else f"reporting server: {said}"
    return said


def feedback_report(message: Message, signed_by: frozenset[str] = frozenset()) -> FeedbackReport | None:
    """The feedback report of an abuse or authentication failure report (RFC 5965, or the
    forms without its report part: Microsoft's JMRP, a DMARC failure report in text), or None.
    ``signed_by``: see read_carried."""
    parts = _parts(message) if might_carry_parts(message) else []
    feedback = (_feedback_report(message, parts) if parts else None) or _unformatted_feedback(
        message, _carried(message, parts, signed_by=signed_by), signed_by)
    return _with_authentication(feedback, message, signed_by) if feedback is not None else None


def returned_sender(message: Message, copy: Message | None = None) -> tuple[str, str] | None:
    """(address, the field it was read from) for the envelope sender (MAIL FROM) of the message a
    bounce or other delivery status notification returns, as the bounce records it; None when the
    message is no such notice or records none. The reporting server's X-Postfix-Sender (Postfix's
    DSN field, bounce(5)) first; else the notice's own To: when it names one address that can be
    the returned message's sender: a delivery status notification goes to the returned message's
    reverse-path (RFC 5321 section 4.5.5, RFC 3461 section 6.2), and Sendmail, Exim and qmail write
    that address as To:. RFC 3464's own fields hold no sender (Original-Envelope-Id is the sender's
    opaque ENVID, X-Failed-Recipients and Final-Recipient the RCPT TO). Both are the bouncing
    server's words: the caller says so.

    None also when the bounce is the returned message's own organisation's (_own_organisations_bounce,
    given the ``copy``): the copy never reached a receiver outside it, and SPF, which judges the
    hand-over into another organisation (RFC 7208 section 2.2), has nothing to judge."""
    if might_carry_parts(message):
        parts = _parts(message)
        report = _delivery_report(message, parts)
        if report is None or not report.recipients:
            report = _text_delivery_report(message) or report
    else:
        qmail = _qmail_bounce(message)
        report = qmail[0] if qmail else _text_delivery_report(message)
    if report is None or not report.recipients or report.original_sender == "":
        return None  # the bounce says the returned message had no sender (<>)
    returned: tuple[str, str] | None = None
    sender = envelope_address(report.original_sender) if report.original_sender else None
    if sender and address_domain(sender):
        returned = sender, "X-Postfix-Sender"
    else:
        to = [a for a in parse_addresses((message.first("To") or "")[:_MAX_ADDRESS_TEXT])[:2]]
        if len(to) == 1 and to[0].domain and len(message.all("To")) == 1 \
                and not _null_senders_notice(to[0].address, copy):
            returned = to[0].address, "To"
    if returned is None or (copy is not None and _own_organisations_bounce(message, report, copy, returned[0])):
        return None
    return returned


# The mailboxes a notice about a message with no sender goes to, never a reverse-path: the
# postmaster (RFC 5321 section 4.5.1; section 4.5.5: a notice about a notice goes nowhere or to the
# postmaster, Postfix's double bounce) and the bounce writer's own name.
_NOTICE_MAILBOXES = frozenset({"postmaster", "mailer-daemon"})


def _null_senders_notice(to: str, copy: Message | None) -> bool:
    """Whether a bounce's To: cannot be the returned message's reverse-path: it names the
    postmaster or MAILER-DAEMON, where a notice about a message sent with the null reverse-path
    goes (RFC 5321 section 4.5.5, RFC 3464 section 2: a double bounce). The returned copy's own
    From: does not decide it: a spammer writes "MAILER-DAEMON" there as easily, and a bounce sent
    to an ordinary mailbox shows the copy had that reverse-path, not the null one (verification
    V62b D-1). ``copy`` is kept for the callers."""
    del copy
    return to.rpartition("@")[0].lower() in _NOTICE_MAILBOXES


def _own_organisations_bounce(message: Message, report: DeliveryReport | None, copy: Message, sender: str) -> bool:
    """Whether a bounce is the returned message's own organisation's: the bouncing server (the
    report's Reporting-MTA, else the bounce's From:) is of the organisation of the sender's domain
    or the copy's From: domain (its own outbound relay bouncing its own server's mail), or the
    copy's latest stamp is a hand-over inside that organisation (its receiver of the organisation,
    its client on a private address or named in it by reverse DNS, as that receiver recorded it).
    The message then never reached another organisation's receiver: its SPF has no outside
    hand-over to judge, and the internal client (an application server the relay takes mail from
    for its own network) is not one the domain lists (verification V58d D-1)."""
    from .domains import is_domain_name, organizational_domain
    from .hops import build_chain, is_non_public_ip

    def organisation(name: str | None) -> str | None:
        name = (name or "").strip().lower().rstrip(".")
        return (organizational_domain(name) or name) if name and is_domain_name(name) else None

    authors = [a.domain for a in parse_addresses((copy.first("From") or "")[:_MAX_ADDRESS_TEXT])[:2] if a.domain]
    own = {organisation(address_domain(sender)), *(organisation(d) for d in authors[:1])} - {None}
    bouncers = [report.reporting_mta] if report is not None and report.reporting_mta else []
    bouncers += [a.domain for a in parse_addresses((message.first("From") or "")[:_MAX_ADDRESS_TEXT])[:1] if a.domain]
    if copy.all("Received"):
        # The hop where the bouncing side took the copy in, past its own internal stamps (a content
        # filter re-injecting on 127.0.0.1 above the intake: verification V63b D-1), as the
        # backscatter check reads it.
        from datetime import datetime, timezone

        chain = build_chain(copy, None, datetime.now(timezone.utc))
        if chain.boundary_hop is None:
            return any(organisation(name) in own for name in bouncers)
        latest = chain.hops[chain.boundary_hop - 1].fields
        inside = (latest.from_ip is not None and is_non_public_ip(latest.from_ip)) \
            or organisation(latest.from_rdns) in own
        if organisation(latest.by) in own and inside:
            return True
        if latest.from_ip is not None and not inside and organisation(latest.by) in own:
            # The bouncer's own stamp on the copy records a public client outside the organisation:
            # the message came in from outside (spam forging the organisation's own address, then
            # bounced), whatever the bouncer is named (verification V62b D-2).
            return False
    return any(organisation(name) in own for name in bouncers)


def _delivery_report(message: Message, parts: list[_Part]) -> DeliveryReport | None:
    raw = message.raw
    empty: DeliveryReport | None = None
    for part in parts:
        if part.content_type in _STATUS_TYPES:
            content_type, params = parse_content_type(message.first("Content-Type") or "")
            declared = (content_type == "multipart/report"
                        and params.get("report-type", "").lower() == "delivery-status")
            # Some servers label a text part as the status part too: the one with recipients wins.
            report = _read_report(_decoded(raw, part), declared)
            if report is not None and report.recipients:
                return report
            empty = empty or report
    return empty


def _fields(block: bytes) -> list[tuple[str, str]]:
    """(lower-case name, unfolded value) of each field of a delivery-status group."""
    parsed = parse_message(block)
    # Unfolding leaves the continuation lines' indentation: one space is what was meant.
    # A value cut where an address is would keep part of a mailbox name that --redact cannot
    # mask (a Diagnostic-Code quotes the recipient's address): cut before it (address_safe_cut).
    return [(h.name.lower(), " ".join(address_safe_cut(h.decoded, _MAX_FIELD).split())) for h in parsed.headers
            if h.name]


def _part_fields(message: Message, part: _Part) -> list[tuple[str, str]]:
    """The fields of a report part that is one block of fields (a feedback report, a
    disposition notification), its transfer encoding undone."""
    return _fields(_decoded(message.raw, part).replace(b"\r\n", b"\n").strip(b"\n") + b"\n")


def _typed(value: str | None) -> str | None:
    """A DSN field's value without its type ("rfc822; bob@example.com" -> the address,
    "dns; mx.example.com" -> the host, RFC 3464 section 2.1.2); other values as written."""
    if value is None:
        return None
    kind, sep, rest = value.partition(";")
    if sep and re.fullmatch(r"[A-Za-z0-9-]{1,20}", kind.strip()):
        return rest.strip() or None
    return value.strip() or None


def _type_of(value: str | None) -> str | None:
    """The type _typed removes from a DSN field's value, lower-case ("smtp" of "smtp; 550 ...",
    "x-postfix" of "X-Postfix; connect to ..."), or None when it names none."""
    if value is None:
        return None
    kind, sep, _rest = value.partition(";")
    kind = kind.strip()
    return kind.lower() if sep and re.fullmatch(r"[A-Za-z0-9-]{1,20}", kind) else None


def _null_or_address(value: str | None) -> str | None:
    """_address, with the null reverse-path "<>" (RFC 5321 section 4.5.5) kept as ""."""
    return "" if value is not None and value.replace(" ", "") == "<>" else _address(value)


def _address(value: str | None) -> str | None:
    """An address as some servers write it in a DSN, "<bob@example.com>", without the brackets."""
    if value is not None and value.startswith("<") and value.endswith(">"):
        return value[1:-1].strip() or None
    return value


# A line that continues a multi-line SMTP reply (RFC 5321 section 4.2.1: "550-first line", ...,
# "550 last line") written at the margin.
_reply_line_re = compiled_on_first_use(rb"\n[2-5]\d\d[- ]")


def _fold_reply_lines(text: bytes) -> bytes:
    """The report with the lines of a multi-line SMTP reply folded into the Diagnostic-Code
    above them. MessageLabs (and some Exchange and Domino writers) put the remote server's reply
    into Diagnostic-Code line by line without folding it (RFC 3464 section 2.3.6 wants one
    folded field): the lines after the first start at the margin, read as no field at all,
    and the reply's reason, often on its last line, was lost."""
    if _reply_line_re().search(text) is None:
        return text
    lines = text.split(b"\n")
    in_diagnostic = False
    for index, line in enumerate(lines[:5000]):  # a report is a few dozen lines
        if in_diagnostic and line[:1] in (b" ", b"\t"):
            continue  # a folded line of the field
        if in_diagnostic and re.match(rb"[2-5]\d\d[- ]", line):
            lines[index] = b" " + line
            continue
        in_diagnostic = line[:16].lower() == b"diagnostic-code:"
    return b"\n".join(lines)


def _read_report(body: bytes, declared: bool) -> DeliveryReport | None:
    # RFC 3464 section 2.1: per-message fields, then one group per recipient, separated by
    # empty lines. Some writers put blank lines with white space, and Microsoft's SMTP service
    # two of them before each recipient: any run of blank lines is one separator.
    text = _fold_reply_lines(body.replace(b"\r\n", b"\n"))
    groups = [g for g in re.split(rb"\n(?:[ \t]*+\n)++", text.strip(b"\n")) if g.strip()]
    if not groups:
        return None
    per_message = dict(_fields(groups[0] + b"\n"))
    recipients: list[DsnRecipient] = []
    start = 1
    if "final-recipient" in per_message or "original-recipient" in per_message:
        start = 0  # no per-message group: some writers start with the first recipient
        per_message = {}
    for group in groups[start:start + MAX_RECIPIENTS]:
        fields = dict(_fields(group + b"\n"))
        if not fields.get("final-recipient") and not fields.get("original-recipient"):
            continue
        status = (fields.get("status") or "").strip()
        code = re.match(r"[245]\.\d{1,3}\.\d{1,3}", status)
        diagnostic = _typed(fields.get("diagnostic-code"))
        recipients.append(DsnRecipient(
            final_recipient=_address(_typed(fields.get("final-recipient"))),
            original_recipient=_address(_typed(fields.get("original-recipient"))),
            action=(fields.get("action") or "").strip().lower() or None,
            status=code.group(0) if code else (status or None),
            status_meaning=_reported_meaning(code.group(0), per_message, fields) if code else None,
            remote_mta=_typed(fields.get("remote-mta")),
            diagnostic_code=diagnostic,
            last_attempt_date=fields.get("last-attempt-date"),
            will_retry_until=fields.get("will-retry-until"),
            # The type of a Diagnostic-Code that says something ("SMTP; " alone says nothing).
            diagnostic_type=_type_of(fields.get("diagnostic-code")) if diagnostic else None,
        ))
    if not recipients and not declared:
        return None
    return DeliveryReport(
        reporting_mta=_typed(per_message.get("reporting-mta")),
        received_from_mta=_typed(per_message.get("received-from-mta")),
        arrival_date=per_message.get("arrival-date"),
        original_envelope_id=per_message.get("original-envelope-id"),
        recipients=tuple(recipients),
        # Postfix writes the original envelope sender into every delivery-status part it makes
        # ("X-Postfix-Sender: rfc822; ceo@example.com", bounce(5)); RFC 3464 has no such field.
        # A field naming "<>" is kept as "": the bounce says the returned message had no sender.
        original_sender=_null_or_address(_typed(per_message.get("x-postfix-sender"))),
    )


# A field of a delivery status group (RFC 3464 sections 2.2 and 2.3) at a line's start.
_dsn_field_re = compiled_on_first_use(
    rb"^(?:Reporting-MTA|Final-Recipient|Original-Recipient|Action|Status|Arrival-Date|Received-From-MTA|"
    rb"Remote-MTA|Diagnostic-Code)[ \t]{0,5}:", re.IGNORECASE | re.MULTILINE)
_MAX_TEXT_PARTS = 3
"""Text parts of a bounce read for what they say (the first is its notice)."""


_TEXT_PARTS = "_mime_text_parts"


def _text_parts(message: Message) -> list[_Part]:
    """The message's first text/plain parts, or the body itself when it is not multipart. Asked
    by several readers of every message (a bounce's copy, an inline forward, a report in text):
    picked from the walk once, in the message's own cache. Not to be changed by a caller."""
    cached: list[_Part] | None = message.__dict__.get(_TEXT_PARTS)
    if cached is None:
        cached = message.__dict__[_TEXT_PARTS] = _read_text_parts(message)
    return cached


def _read_text_parts(message: Message) -> list[_Part]:
    """_text_parts, not cached."""
    if message.body_start is None:
        return []
    content_type = (message.first("Content-Type") or "text/plain").lstrip().lower()
    if content_type.startswith("multipart/"):
        # Every part of the walk that is text/plain is a leaf (a container is a multipart).
        return [p for p in _full_walk(message) if p.content_type == "text/plain"][:_MAX_TEXT_PARTS]
    return _parts(message)


def _decoded_head(raw: bytes, part: _Part) -> bytes:
    """The first 64 KB of the part's body, transfer encoding undone."""
    end = min(part.body_end, part.body_start + _MAX_BOUNCE_TEXT)
    if end < part.body_end:
        # Cut at a line's end: a base64 line holds whole 4-character groups.
        end = max(part.body_start, raw.rfind(b"\n", part.body_start, end) + 1)
    return _decoded(raw, _Part(part.content_type, part.params, part.encoding, part.filename, part.body_start, end))


def _head_lacks(raw: bytes, part: _Part, needles: tuple[bytes, ...]) -> bool:
    """Whether the part's first 64 KB as _decoded_head gives them hold none of the needles, when
    the part has no transfer encoding to undo: searched where they lie, not copied. False (not
    known) for a base64 or quoted-printable part."""
    if part.encoding in ("base64", "quoted-printable"):
        return False
    end = min(part.body_end, part.body_start + _MAX_BOUNCE_TEXT)
    if end < part.body_end:
        end = max(part.body_start, raw.rfind(b"\n", part.body_start, end) + 1)  # as _decoded_head cuts
    return all(raw.find(needle, part.body_start, end) < 0 for needle in needles)


# The charsets whose decoding gives an ASCII character only from that same byte (their bytes
# below 0x80 are ASCII, and no byte sequence decodes to one: UTF-8's decoder replaces a malformed
# or overlong sequence with U+FFFD), by the codec names charset_codec gives: ASCII words of the
# decoded text are in the bytes as written. (UTF-7, UTF-16 or an EBCDIC page write them otherwise.)
_ASCII_KEEPING = frozenset({"utf-8", *(f"iso8859-{n}" for n in range(1, 17)),
                            *(f"whatwg-windows-{n}" for n in (*range(1250, 1259), 874))})


def _keeps_ascii(charset: str) -> bool:
    """Whether text decoded from this charset as _part_text decodes it (UTF-8 for a label no
    codec has) keeps its ASCII words as the bytes wrote them (_ASCII_KEEPING)."""
    return (charset_codec(charset[:40]) or "utf-8") in _ASCII_KEEPING


def _part_text(data: bytes, charset: str) -> str:
    """A text part's decoded bytes as its declared charset (RFC 2046 section 4.1.2) is read by a
    mail program: the WHATWG label table of charset_codec (iso-8859-1 is windows-1252, so a
    Windows program's 0x92 is the apostrophe a reader sees), UTF-8 for a label no codec has,
    replacement characters where bytes are invalid."""
    return data.decode(charset_codec(charset[:40]) or "utf-8", "replace")


def _text_bodies(message: Message) -> list[bytes]:
    """The text of the message's first text/plain parts (the body itself when it is not
    multipart), transfer encoding undone, each its first 64 KB."""
    return [_decoded_head(message.raw, part) for part in _text_parts(message)]


def _text_delivery_report(message: Message) -> DeliveryReport | None:
    """The delivery report a bounce writes into its text instead of a message/delivery-status
    part (Amazon SES and WorkMail: "Technical report:" and the RFC 3464 fields in a
    quoted-printable text part of multipart/mixed), when the message is a bounce and the
    fields name a recipient; None otherwise."""
    if not _looks_like_bounce(message):
        return None
    for text in _text_bodies(message):
        found = _dsn_field_re().search(text)
        if found is None:
            continue
        report = _read_report(text[found.start():], declared=False)
        if report is not None and report.recipients:
            return report
    return None


def _feedback_report(message: Message, parts: list[_Part]) -> FeedbackReport | None:
    """The first message/feedback-report part that names its Feedback-Type (RFC 5965 section 3.1)."""
    for part in parts:
        if part.content_type != _FEEDBACK_TYPE:
            continue
        fields = _part_fields(message, part)
        first: dict[str, str] = {}
        every: dict[str, list[str]] = {}
        # How many of each field were written, beyond the MAX_RECIPIENTS kept: "20 recipients"
        # is what tells an abuse desk a complaint is about bulk sending.
        counts: dict[str, int] = {}
        for name, value in fields:
            first.setdefault(name, value)
            counts[name] = counts.get(name, 0) + 1
            if len(every.setdefault(name, [])) < MAX_RECIPIENTS:
                every[name].append(value)
        kind = (first.get("feedback-type") or "").strip().lower()
        if not kind:
            continue
        return FeedbackReport(
            feedback_type=kind[:40], user_agent=first.get("user-agent"), version=first.get("version"),
            original_mail_from=_address(first.get("original-mail-from")) or None,
            original_rcpt_to=tuple(a for a in (_address(v) for v in every.get("original-rcpt-to", ())) if a),
            arrival_date=first.get("arrival-date") or first.get("received-date"),
            source_ip=first.get("source-ip"), reporting_mta=_typed(first.get("reporting-mta")),
            reported_domain=tuple(every.get("reported-domain", ())), reported_uri=tuple(every.get("reported-uri", ())),
            incidents=first.get("incidents"), authentication_results=tuple(every.get("authentication-results", ())),
            auth_failure=first.get("auth-failure"), delivery_result=first.get("delivery-result"),
            identity_alignment=first.get("identity-alignment"), dkim_domain=first.get("dkim-domain"),
            dkim_selector=first.get("dkim-selector"), spf_dns=first.get("spf-dns"),
            meaning=_FEEDBACK_MEANINGS.get(kind),
            original_rcpt_to_total=counts.get("original-rcpt-to", 0),
            reported_domain_total=counts.get("reported-domain", 0),
        )
    return None


# Microsoft's Junk Mail Reporting Program (Outlook.com, formerly Hotmail): "complaint about
# message from <IP>" from staff@hotmail.com, the reported message attached with the
# X-HmXmrOriginalRecipient field Microsoft adds; no message/feedback-report part.
_jmrp_subject_re = compiled_on_first_use(r"\s*complaint about message from \[?([0-9A-Fa-f.:]{2,45})\]?\s*", re.IGNORECASE)
# A DMARC failure report (RFC 7489 section 7.3) as Exim writes it without ARF: Subject "DMARC
# Forensic Report for <domain> from IP <ip>", and a text part that says so, with its fields.
_dmarc_text_subject_re = compiled_on_first_use(
    r"\s*DMARC (?:Forensic|Failure) Report for (\S{1,253}) from IP \[?([0-9A-Fa-f.:]{2,45})\]?", re.IGNORECASE)
_DMARC_TEXT_MARK = b"has failed the published DMARC policy"
_dmarc_text_field_re = compiled_on_first_use(
    rb"^[ \t]{0,10}(Sender Domain|Sender IP Address|Received date|SPF Alignment|DKIM Alignment|DMARC Results)"
    rb"[ \t]{0,5}:[ \t]*([^\r\n]{0,200})", re.IGNORECASE | re.MULTILINE)
# What Exim's "DMARC Results: <result>, <action>" did with the message, in RFC 6591's words.
_DMARC_ACTIONS = {"accept": "delivered", "reject": "reject", "quarantine": "spam"}


def _source_ip_address(text: str) -> str | None:
    """The address an ARF Source-IP field gives, or None when it gives none. RFC 5965 section 3.5:
    an IPv4 or IPv6 address literal of RFC 5321 section 4.1.3 ("IPv6:2001:db8::1"), with
    comments and folding white space around it ("192.0.2.1 (mail.example.net)")."""
    value = re.sub(r"\([^()]{0,200}\)", " ", text[:400]).strip().strip("[]")
    if value[:5].lower() == "ipv6:":
        value = value[5:]
    return _ip_or_none(value)


def _ip_or_none(text: str | None) -> str | None:
    import ipaddress

    try:
        return str(ipaddress.ip_address(text.strip())) if text else None
    except ValueError:
        return None


def _unformatted_feedback(message: Message, carried: tuple[tuple[AttachedMessage, bytes], ...],
                          signed_by: frozenset[str] = frozenset()) -> FeedbackReport | None:
    """A feedback report written without ARF's report part: a Microsoft JMRP complaint, a
    SpamCop report (signed by spamcop.net), an X-ARF report or a DMARC failure report in text
    (Exim's), or None."""
    if _is_xarf(message):
        xarf = _xarf_report(message)
        if xarf is not None:
            return xarf
    spamcop = _spamcop_report(message, signed_by)
    if spamcop is not None:
        subject_match, email_from, _head = spamcop
        # SpamCop's source IP, as its Subject and its "Email from IP / date" line give it: the
        # server SpamCop's parse of the spam's Received chain blamed, a claim of the report.
        source = (_ip_or_none(email_from.group(1).decode()) if email_from else None) or (
            _ip_or_none(subject_match.group(1)) if subject_match else None)
        return FeedbackReport(
            feedback_type="abuse", user_agent=None, version=None, original_mail_from=None, original_rcpt_to=(),
            arrival_date=email_from.group(2).decode("utf-8", "replace").strip() if email_from else None,
            source_ip=source, reporting_mta=None, reported_domain=(), reported_uri=(), incidents=None,
            authentication_results=(), meaning=_FEEDBACK_MEANINGS["abuse"], format="spamcop")
    subject = (message.first_decoded("Subject") or "")[:400]
    jmrp = _jmrp_subject_re().fullmatch(subject)
    if jmrp is not None and carried:
        inner = parse_message(carried[0][1])
        recipient = (inner.first("X-HmXmrOriginalRecipient") or "").strip()[:320]
        if recipient:
            return FeedbackReport(
                feedback_type="abuse", user_agent=None, version=None, original_mail_from=None,
                original_rcpt_to=(_address(recipient) or recipient,), arrival_date=None,
                source_ip=_ip_or_none(jmrp.group(1)), reporting_mta=None, reported_domain=(), reported_uri=(),
                incidents=None, authentication_results=(), meaning=_FEEDBACK_MEANINGS["abuse"], format="jmrp")
    dmarc = _dmarc_text_subject_re().match(subject)
    if dmarc is None and not is_automatic_notification(message):
        return None
    for text in _text_bodies(message)[:1]:
        if dmarc is None and _DMARC_TEXT_MARK not in text:
            return None
        fields: dict[str, str] = {}
        for found in itertools.islice(_dmarc_text_field_re().finditer(text), 20):
            fields.setdefault(found.group(1).decode().lower(), found.group(2).decode("utf-8", "replace").strip())
        domain = fields.get("sender domain") or (dmarc.group(1) if dmarc else None)
        aligned = [name for name in ("dkim", "spf") if fields.get(f"{name} alignment", "").lower() == "yes"]
        said = [name for name in ("dkim", "spf") if f"{name} alignment" in fields]
        action = fields.get("dmarc results", "").rpartition(",")[2].strip().lower()
        return FeedbackReport(
            feedback_type="auth-failure", user_agent=None, version=None, original_mail_from=None,
            original_rcpt_to=(), arrival_date=fields.get("received date") or None,
            source_ip=_ip_or_none(fields.get("sender ip address")) or (_ip_or_none(dmarc.group(2)) if dmarc else None),
            reporting_mta=None, reported_domain=(domain[:253],) if domain else (), reported_uri=(), incidents=None,
            authentication_results=(), auth_failure="dmarc", delivery_result=_DMARC_ACTIONS.get(action),
            identity_alignment=", ".join(aligned) or ("none" if said else None),
            meaning=_FEEDBACK_MEANINGS["auth-failure"], format="text")
    return None


# X-ARF (http://x-arf.org/specification.html), the abuse report format of blocklist.de and
# German hosters: a top-level "X-ARF: Yes" field, multipart/mixed with a human-readable text
# part, a second part "report.txt" (text/plain; name="report.txt") of YAML "Key: value" lines
# (versions 0.1 and 0.2: Reported-From, Category, Report-Type, Source-Type, Source, Date...),
# and an optional third part with the evidence; the later JSON forms (X-ARF 0.3 / XARF) put a
# JSON document in the second part. The sender's text, all of it: read bounded, never through a
# YAML loader (a YAML document can build objects and expand aliases without end).
_XARF_PART_NAMES = ("report.txt", "report.json", "report.yaml", "report.yml")
_XARF_TYPES = frozenset({"text/plain", "application/json", "text/json", "application/x-yaml", "text/yaml"})
_MAX_XARF_LINES = 50
_MAX_XARF_VALUE = 1000
_xarf_key_re = compiled_on_first_use(r"[A-Za-z][A-Za-z0-9_-]{0,40}")
# The report's fields under their names in X-ARF 0.1/0.2 (YAML), X-ARF 0.3 (JSON, CamelCase,
# its "Report" object) and XARF 4 (JSON, snake case), lower-cased without "-" and "_".
_XARF_KEYS = {
    "category": ("category", "reportclass", "class"),
    "type": ("reporttype", "type"),
    "source": ("source", "sourceidentifier"),
    "source_type": ("sourcetype",),
    "date": ("date", "timestamp"),
    "report_id": ("reportid",),
    "user_agent": ("useragent",),
    "version": ("version", "xarfversion"),
    "service": ("service",),
    "port": ("port", "sourceport"),
    "domain": ("domain",),
}


def _is_xarf(message: Message) -> bool:
    """Whether the message's header says it is an X-ARF report ("X-ARF: Yes", any case)."""
    return (message.first("X-ARF") or "").strip()[:10].lower() == "yes"


def _multipart(message: Message) -> bool:
    return message.body_start is not None and (
        message.first("Content-Type") or "").lstrip()[:10].lower() == "multipart/"


# The start of a YAML value this reader does not follow: a block scalar (| >), an anchor (&), an
# alias (*), a tag (!), a flow sequence or mapping ([ {) (YAML 1.2 section 6.9, 7.4, 8.1). A YAML
# consumer reads something else than the text after the colon: not shown as the field's value.
_YAML_SYNTAX = ("|", ">", "&", "*", "!", "[", "{")
_MAX_XARF_REPEATS = 5


class _JsonObject(dict[str, object]):
    """A JSON object as json.loads builds it with _xarf_json_object: the last value of a repeated
    key (as json.loads keeps), and each key's values when it repeats."""

    repeated: dict[str, list[object]]


def _xarf_json_object(pairs: list[tuple[str, object]]) -> _JsonObject:
    document = _JsonObject()
    document.repeated = {}
    for key, value in pairs[:1000]:
        if key in document and len(document.repeated.setdefault(key, [document[key]])) < _MAX_XARF_REPEATS:
            document.repeated[key].append(value)
        document[key] = value
    return document


def _xarf_name(key: str) -> str:
    return key[:40].lower().replace("-", "").replace("_", "")


def _xarf_fields(text: str) -> tuple[dict[str, str], tuple[str, ...]] | None:
    """The report part's fields, keys lower-cased without "-" and "_", each value cut at
    _MAX_XARF_VALUE, and notes of what a YAML or JSON reader would read otherwise; None when the
    text holds no report. YAML: the top-level "Key: value" lines among its first
    _MAX_XARF_LINES; JSON: the values of its one nested "Report" (0.3) object, then the
    document's top-level ones. A repeated key takes its last value, as a YAML loader (PyYAML)
    and json.loads do, and is noted (review V19 P3: the first was taken silently, and an abuse
    desk's own tool acted on another address)."""
    fields: dict[str, str] = {}
    notes: list[str] = []
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        import json

        try:
            document = json.loads(stripped, object_pairs_hook=_xarf_json_object)
        except (ValueError, RecursionError):
            return None
        if not isinstance(document, _JsonObject):
            return None
        nested = [v for k, v in list(document.items())[:100]
                  if isinstance(v, _JsonObject) and str(k).lower() == "report"]
        # X-ARF 0.3 puts the report's fields in its "Report" object: those win over top-level ones.
        for source in [*nested[:1], document]:
            for key, value in list(source.items())[:100]:
                name = _xarf_name(str(key))
                # Strings only (a port may be a number): a float, NaN, Infinity or a boolean is no
                # value of X-ARF's fields, and "inf" or "nan" shown as a Source misleads.
                if isinstance(value, bool) or not isinstance(value, (str, int)) or (
                        isinstance(value, int) and name not in _XARF_KEYS["port"]):
                    continue
                if name not in fields:
                    fields[name] = str(value)[:_MAX_XARF_VALUE].strip()
                repeats = source.repeated.get(key)
                if repeats and len({repr(v)[:200] for v in repeats}) > 1:
                    written = ", ".join(_short(str(v)[:200], 60) or "(empty)" for v in repeats)
                    notes.append(f"{_short(str(key), 40)} given {len(repeats)} times: {written}; a JSON reader "
                                 f"takes {_short(str(repeats[-1])[:200], 60)}")
        return (fields, tuple(notes)) if fields else None
    seen: dict[str, tuple[str, list[str]]] = {}
    for line in stripped.splitlines()[:_MAX_XARF_LINES]:
        key, colon, value = line.partition(":")
        if not colon or _xarf_key_re().fullmatch(key) is None:
            continue  # "---", an indented (nested) line, a list item, a comment
        value = value.strip()[:_MAX_XARF_VALUE]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]  # a quoted YAML scalar
        entry = seen.setdefault(_xarf_name(key), (key, []))
        if len(entry[1]) < _MAX_XARF_REPEATS:
            entry[1].append(value)
    for name, (key, values) in seen.items():
        value = values[-1]
        if len(set(values)) > 1:
            written = ", ".join(_short(v, 60) or "(empty)" for v in values)
            notes.append(f"{key} given {len(values)} times: {written}; a YAML reader takes {_short(value, 60)}")
        if value.startswith(_YAML_SYNTAX) and _bracketed_address_re().fullmatch(value) is None:
            # An address in brackets with its port ("[2001:db8::1]:22") is the one such value
            # read: it names an address the way RFC 3986 section 3.2.2 writes one (review V19 P4).
            notes.append(f"{key} is written in YAML syntax this reader does not follow ({_short(value, 60)}): "
                         "not shown as its value")
            continue
        fields[name] = value
    return (fields, tuple(notes)) if fields or notes else None


def _xarf_value(fields: dict[str, str], name: str) -> str | None:
    for key in _XARF_KEYS[name]:
        if fields.get(key):
            return fields[key]
    return None


# "[2001:db8::1]:22": an address in brackets, and a port (RFC 3986 section 3.2.2's form).
_bracketed_address_re = compiled_on_first_use(r"\[([0-9A-Fa-f:.]{2,45})\](?::(\d{1,5}))?")


def _xarf_source(source: str | None) -> tuple[str | None, str | None, str | None]:
    """(the address, the port, what else the Source said) of an X-ARF Source that names an
    address: "192.0.2.7", a network "192.0.2.0/24" (its first address; the network said), an
    address with a port "[2001:db8::1]:22" or "192.0.2.7:22", an IPv4-mapped IPv6 address
    "::ffff:192.0.2.1" (as the IPv4 address it is, RFC 4291 section 2.5.5.2); (None, None, None)
    for anything else (a URI, a domain)."""
    import ipaddress

    if not source:
        return None, None, None
    text = source.strip()[:100]
    port: str | None = None
    bracketed = _bracketed_address_re().fullmatch(text)
    if bracketed:
        text, port = bracketed.group(1), bracketed.group(2)
    elif text.count(":") == 1 and "/" not in text:
        host, _, number = text.partition(":")
        if number.isdigit() and len(number) <= 5:
            text, port = host, number
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(text)
        said = None
    except ValueError:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            return None, None, None
        if network.num_addresses == 1:
            address, said = network.network_address, None
        else:
            address, said = network.network_address, f"the network {network} (its first address shown)"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        said = ", ".join(filter(None, (said, f"written {text}")))
        address = address.ipv4_mapped
    return str(address), port, said


def _xarf_read(message: Message) -> tuple[FeedbackReport | None, tuple[str, ...]]:
    """The report of an X-ARF message and the notes of its ambiguous fields (_xarf_fields): its
    report part (named report.txt, or the first part after the greeting whose text reads as
    X-ARF's fields) read into the feedback report's fields; None when the message does not say
    it is X-ARF, or holds no such part (_xarf_without_report), with the notes of what was
    not read (a report whose every value is in YAML syntax)."""
    if not _is_xarf(message) or not _multipart(message):
        return None, ()
    unread: tuple[str, ...] = ()
    leaves = [p for p in _parts(message, keep_text=True) if p.depth >= 1][:_MAX_TEXT_PARTS + 8]
    named = [p for p in leaves if (p.filename or p.params.get("name") or "").strip().lower() in _XARF_PART_NAMES]
    # Without the name, the second part (the spec's place for it), when it holds the report's fields.
    candidates = named or [p for p in leaves[1:3] if p.content_type in _XARF_TYPES]
    for part in candidates[:2]:
        data = _decoded_head(message.raw, part)
        # The part's charset (RFC 2046 section 4.1.2): a Latin-1 report's "Fernüberwachung".
        text = _part_text(data, part.params.get("charset", "utf-8"))
        read = _xarf_fields(text)
        if read is None:
            continue
        fields, notes = read
        category, kind = _xarf_value(fields, "category"), _xarf_value(fields, "type")
        if category is None and kind is None:
            unread = unread or notes
            continue
        source = _xarf_value(fields, "source")
        source_ip, source_port, source_said = _xarf_source(source)
        port, service = _xarf_value(fields, "port") or source_port, _xarf_value(fields, "service")
        domain = _xarf_value(fields, "domain")
        source_type = _xarf_value(fields, "source_type")
        said = (category or "other").strip().lower()[:40]
        return FeedbackReport(
            feedback_type=said, user_agent=_xarf_value(fields, "user_agent"), version=_xarf_value(fields, "version"),
            original_mail_from=None, original_rcpt_to=(), arrival_date=_xarf_value(fields, "date"),
            source_ip=source_ip, reporting_mta=None, reported_domain=(domain[:253],) if domain else (),
            reported_uri=(source,) if source and source_ip is None else (), incidents=None,
            authentication_results=(),
            meaning=f"X-ARF category {_short(category or 'not given', 40)}, report type {_short(kind or 'not given', 60)}"
                    + (f", source type {_short(source_type, 40)}" if source_type else "")
                    + (f", source {source_said}" if source_said else ""),
            format="xarf", report_id=_xarf_value(fields, "report_id"),
            service=" ".join(filter(None, (service, f"port {port}" if port else None)))[:200] or None,
            report_type=kind[:100] if kind else None, source_type=source_type[:100] if source_type else None), notes
    return None, unread


def _xarf_report(message: Message) -> FeedbackReport | None:
    """The report of an X-ARF message (_xarf_read), or None."""
    return _xarf_read(message)[0]


def _xarf_ambiguous(message: Message) -> Finding | None:
    """A notice for an X-ARF report whose fields a YAML or JSON reader reads otherwise than
    shown: a key given twice with different values, a value in YAML syntax not followed here."""
    feedback, notes = _xarf_read(message)
    if feedback is None or not notes:
        return None
    notes = notes[:5]
    return Finding(
        id="feedback.xarf_ambiguous", severity=Severity.NOTICE,
        title=f"X-ARF report read ambiguously: {_short(shown_hidden(notes[0]), 160)}",
        explanation=("Its report part can be read in more than one way, and an abuse desk's own X-ARF tool may act "
                     "on another value than the one shown here: " + "; ".join(shown_hidden(n) for n in notes)
                     + ". A repeated key is shown with its last value, as a YAML loader and a JSON parser keep (X-ARF "
                     "0.3's Report object's value over a top-level one); "
                     "a value in YAML syntax (a block scalar, an anchor, an alias, a tag, a flow collection) is "
                     "not shown. A careless reporting script gives this, and so does a report written to make "
                     "two readers blame two different sources."),
        reference=_XARF_SPEC, subject="feedback report")


def _xarf_without_report(message: Message) -> Finding | None:
    """A notice for a message that says "X-ARF: Yes" but holds no report part X-ARF's fields
    can be read from: no abuse report is read from it."""
    if not _is_xarf(message):
        return None
    feedback, unread = _xarf_read(message)
    if feedback is not None:
        return None
    what = ("it is not multipart (X-ARF sends multipart/mixed: a text part, then the report part \"report.txt\")"
            if not _multipart(message) else
            "none of its parts is a report part (\"report.txt\", or a second part) with X-ARF's fields "
            "(Category, Report-Type, Source...)")
    return Finding(
        id="feedback.xarf_incomplete", severity=Severity.NOTICE,
        title="Says it is an X-ARF abuse report, but holds no report",
        explanation=("Its header says \"X-ARF: Yes\", the mark of an abuse report in the X-ARF format, but " + what
                     + (f" ({'; '.join(shown_hidden(n) for n in unread[:5])})" if unread else "")
                     + ": no report is read from it, and what its text says is not shown as a report's fields. A "
                     "reporting script that failed, a report cut on the way, or a message merely dressed as one "
                     "gives this."),
        reference=_XARF_SPEC, subject="feedback report")


_XARF_SPEC = "http://x-arf.org/specification.html"


# RFC 5965 section 7.3 and the IANA "Feedback Report Type Values" registry.
_FEEDBACK_MEANINGS = {
    "abuse": "reported as unsolicited mail (spam) or other abuse, by a recipient or an automated system such as a spam trap",
    "fraud": "a recipient reported it as fraud or phishing",
    "virus": "it was reported as carrying a virus or other malware",
    "other": "it was reported for a reason not listed in the format",
    "not-spam": "a recipient said it is not spam, after a filter had called it spam (RFC 6430)",
    "auth-failure": "it failed authentication (DKIM, SPF or DMARC) at the reporting receiver (RFC 6591)",
}
# RFC 6591 section 3.2.2 and RFC 7489 section 7.3.1: what failed in an auth-failure report.
_AUTH_FAILURE_MEANINGS = {
    "bodyhash": "the DKIM body hash did not match: the body was changed after signing",
    "signature": "a DKIM signature did not verify",
    "revoked": "the DKIM key had been revoked",
    "spf": "SPF failed",
    "dmarc": "DMARC failed: no aligned DKIM or SPF pass",
    "adsp": "ADSP (historic) failed",
}


# RFC 3463 section 3 and the IANA "Enumerated Status Codes" registry: subject.detail.
_STATUS_MEANINGS = {
    "0.0": "other or undefined status",
    "1.0": "other address status",
    "1.1": "bad destination mailbox address (no such user)",
    "1.2": "bad destination system address (no such domain, or it accepts no mail)",
    "1.3": "bad destination mailbox address syntax",
    "1.4": "destination mailbox address ambiguous",
    "1.5": "destination address valid",
    "1.6": "destination mailbox has moved, no forwarding address",
    "1.7": "bad sender's mailbox address syntax",
    "1.8": "bad sender's system address",
    # Registered for null MX; Microsoft 365 writes it for any unknown recipient
    # ("550 5.1.10 RESOLVER.ADR.RecipientNotFound"), so both readings are given.
    "1.10": "recipient address has null MX (RFC 7505), or, from Microsoft 365, recipient not found",
    "2.0": "other or undefined mailbox status",
    "2.1": "mailbox disabled, not accepting messages",
    "2.2": "mailbox full",
    "2.3": "message length exceeds administrative limit",
    "2.4": "mailing list expansion problem",
    "3.0": "other or undefined mail system status",
    "3.1": "mail system full",
    "3.2": "system not accepting network messages",
    "3.3": "system not capable of selected features",
    "3.4": "message too big for system",
    "3.5": "system incorrectly configured",
    "4.0": "other or undefined network or routing status",
    "4.1": "no answer from host",
    "4.2": "bad connection",
    "4.3": "directory server failure (DNS)",
    "4.4": "unable to route (no MX or address for the domain)",
    "4.5": "mail system congestion",
    "4.6": "routing loop detected",
    "4.7": "delivery time expired",
    "5.0": "other or undefined protocol status",
    "5.1": "invalid command",
    "5.2": "syntax error",
    "5.3": "too many recipients",
    "5.4": "invalid command arguments",
    "5.5": "wrong protocol version",
    "6.0": "other or undefined media error",
    "6.1": "media not supported",
    "6.2": "conversion required and prohibited",
    "6.3": "conversion required but not supported",
    "6.4": "conversion with loss performed",
    "6.5": "conversion failed",
    "6.7": "non-ASCII addresses not permitted for that sender or recipient (RFC 6531)",
    "7.0": "other or undefined security status",
    "7.1": "delivery not authorized, message refused (a policy of the receiving server)",
    "7.2": "mailing list expansion prohibited",
    "7.3": "security conversion required but not possible",
    "7.4": "security features not supported",
    "7.5": "cryptographic failure",
    "7.6": "cryptographic algorithm not supported",
    "7.7": "message integrity failure",
    "7.8": "authentication credentials invalid",
    "7.9": "authentication mechanism is too weak",
    "7.10": "encryption needed",
    "7.13": "user account disabled",
    "7.17": "mailbox owner has changed",
    "7.18": "domain owner has changed",
    "7.20": "no passing DKIM signature found (RFC 7372)",
    "7.21": "no acceptable DKIM signature found (RFC 7372)",
    "7.22": "no valid author-matched DKIM signature found (RFC 7372)",
    "7.23": "SPF validation failed (RFC 7372)",
    "7.24": "SPF validation error (RFC 7372)",
    "7.25": "reverse DNS validation failed (RFC 7372)",
    "7.26": "multiple authentication checks failed (RFC 7372): typically DMARC",
    "7.27": "sender address has null MX (RFC 7505)",
    "7.28": "mail flood detected",
    "7.29": "ARC validation failure (RFC 8617)",
    "7.30": "REQUIRETLS support required (RFC 8689)",
}
_CLASS_MEANINGS = {"2": "success", "4": "persistent transient failure (a condition that may clear)",
                   "5": "permanent failure"}


# Codes a vendor uses for something else than their registered meaning, told apart by what the
# report names: (code, words in the reporting server or the diagnostic, the vendor's meaning).
_VENDOR_MEANINGS = (
    ("5.1.10", ("outlook.com", "resolver.adr", "protection.outlook", "exchange"),
     "permanent failure: recipient not found (Microsoft 365's use of the code)"),
    # Exchange Online's Directory-Based Edge Blocking: "550 5.4.1 Recipient address rejected: Access
    # denied" (Microsoft Learn, "Fix NDR error 550 5.4.1 in Exchange Online").
    ("5.4.1", ("protection.outlook",),
     "permanent failure: recipient not found (Exchange Online's directory-based edge blocking)"),
)


def _vendor_meaning(code: str, said: str) -> str | None:
    """The vendor's own meaning of a status code (_VENDOR_MEANINGS) when ``said``, the words of
    the report that name who wrote it (its servers, its diagnostic, its writer), names the vendor."""
    said = said[:2000].lower()
    return next((meaning for vendor_code, marks, meaning in _VENDOR_MEANINGS
                 if code == vendor_code and any(mark in said for mark in marks)), None)


def _reported_meaning(code: str, per_message: dict[str, str], fields: dict[str, str]) -> str | None:
    """status_meaning, or the vendor's own meaning when the report shows who wrote it."""
    said = " ".join((per_message.get("reporting-mta") or "", fields.get("remote-mta") or "",
                     fields.get("diagnostic-code") or ""))
    vendor = _vendor_meaning(code, said)
    if vendor is not None:
        return vendor
    if code.endswith(".0.0"):
        # The reporting server wrote only the class ("5.0.0", Courier's way); the remote server's
        # reply may carry the precise code ("550 5.1.1 ... User Unknown"): that one says why.
        for remote in _enhanced_code_re().findall((fields.get("diagnostic-code") or "")[:2000]):
            if remote[0] == code[0] and not remote.endswith(".0.0") and status_meaning(remote):
                return f"{status_meaning(remote)} (the remote server's code {remote}; the report's Status is {code})"
    return status_meaning(code)


_enhanced_code_re = compiled_on_first_use(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")


def failure_meaning(code: str, meaning: str | None) -> str | None:
    """The meaning of a failed delivery's status code for its title: a temporary code (4.x.x)
    there is the last attempt's refusal, after which the sending server gave up retrying (Postfix
    reports a message that outlived its queue lifetime with "Action: failed" and the last reply's
    4.x.x code; Exim's "retry timeout exceeded" quotes the last 451): the class's "a condition that
    may clear" would contradict the failure beside it (RFC 3464 section 2.3.3; RFC 3463 section 3.1)."""
    transient = _CLASS_MEANINGS["4"]
    if meaning is None or not code.startswith("4.") or not meaning.startswith(transient):
        return meaning
    detail = meaning[len(transient):].lstrip(": ")
    return (f"{detail}; " if detail else "") + "temporary at the last attempt, retries given up"


def status_meaning(code: str) -> str | None:
    """An enhanced status code in words (RFC 3463): its class, then its subject and detail."""
    klass, _, rest = code.partition(".")
    if klass not in _CLASS_MEANINGS:
        return None
    subject = rest.partition(".")[0]
    meaning = _STATUS_MEANINGS.get(rest) or (
        f"{_STATUS_MEANINGS[subject + '.0']} (detail {rest.partition('.')[2]})"
        if subject + ".0" in _STATUS_MEANINGS else None)
    return f"{_CLASS_MEANINGS[klass]}: {meaning}" if meaning else _CLASS_MEANINGS[klass]


# A reply's codes (RFC 5321 section 4.2: "554 5.7.9 ", continuation lines "550-5.1.1 "), at
# its start or repeated inside a reply that was several lines.
_reply_codes_re = compiled_on_first_use(r"(?:^|\s)[245]\d\d(?:[- ]#?[245]\.\d{1,3}\.\d{1,3})?(?=[- ]|$)[- ]?|"
                                        r"(?:^|\s)#?[245]\.\d{1,3}\.\d{1,3}(?=\s|$)")


def diagnostic_words(diagnostic: str | None, limit: int = 120) -> str | None:
    """What the remote server said in its reply (a Diagnostic-Code, RFC 3464 section 2.3.6),
    without the reply and status codes: "Message not accepted for policy reasons" for "554 5.7.9
    Message not accepted for policy reasons". A server's words can mean another thing than the
    code's registered meaning (Yahoo uses 5.7.9, "authentication mechanism is too weak", for
    its policy refusals): the title says what it said. None when nothing but codes is left."""
    if not diagnostic:
        return None
    words = " ".join(_reply_codes_re().sub(" ", diagnostic[:2000]).split()).strip(" -:;")
    if len(words) < 3:
        return None
    # (Not cut inside an address: --redact would show the start of a mailbox name; address_safe_cut.)
    return words if len(words) <= limit else address_safe_cut(words, limit - 1) + "…"


_RFC3464 = "https://www.rfc-editor.org/rfc/rfc3464"
_RFC2046_MESSAGE = "https://www.rfc-editor.org/rfc/rfc2046#section-5.2.1"
_MAX_LISTED = 10


def read_carried(message: Message, path: str = "", signed_by: frozenset[str] = frozenset(),
                 spf_result: Callable[[str, str], tuple[str, bool]] | None = None,
                 verified_signers: Callable[[bytes], tuple[frozenset[str], frozenset[str]]] | None = None
                 ) -> tuple[DeliveryReport | None, FeedbackReport | None, tuple[AttachedMessage, ...], list[Finding]]:
    """The delivery report, the feedback report and the attached messages of a message, and
    the findings about them. ``path``: when the message is itself one carried inside another
    (``--attached 1``), its place ("1"), so that the findings name ``--attached 1.N`` for its own.
    ``signed_by``: the domains whose DKIM signature on the message passes (recomputed, or as the
    receiver recorded it), which tell whether a report in text is its writer's. ``spf_result``:
    the SPF result (RFC 7208 section 2.6) of a client IP for an address's domain, and whether a
    pass is through a term naming the domain's own servers (not a shared provider's include:);
    ``verified_signers``: the domains whose DKIM signature on a message's bytes verifies, and those
    whose signature could not be checked (no DNS). Both are
    asked (with DNS) only of a bounce's returned copy that looks forged (_backscatter); None asks
    nothing."""
    report: DeliveryReport | None
    feedback: FeedbackReport | None
    receipt: Finding | None = None
    parts: list[_Part] = []
    if might_carry_parts(message):
        parts = _parts(message)
        report = _delivery_report(message, parts)
        if report is None or not report.recipients:
            report = _text_delivery_report(message) or report
        else:
            report = _with_text_reasons(message, report)
        feedback = _feedback_report(message, parts)
        carried = _carried(message, parts, signed_by=signed_by)
        receipt = _disposition_finding(message, parts)
    else:
        qmail = _qmail_bounce(message)
        report, feedback = (qmail[0] if qmail else _text_delivery_report(message)), None
        carried = qmail[1] if qmail else (_text_bounce_copy(message) or _spamcop_copy(message, signed_by))
    attached = tuple(entry for entry, _ in carried)
    if feedback is None and (report is None or not report.recipients) and receipt is None:
        feedback = _unformatted_feedback(message, carried, signed_by)
    findings: list[Finding] = []
    if report is not None and report.recipients:
        findings.append(_report_finding(report, attached, _x_failed_recipients(message), path))
    elif receipt is not None:
        findings.append(receipt)
    elif feedback is None:
        lookalike = _spamcop_lookalike(message, signed_by) or _xarf_without_report(message)
        if lookalike is not None:
            findings.append(lookalike)
        # An SMTP TLS report carries the Subject a DMARC aggregate report does (RFC 8460 section
        # 5.3 took RFC 7489's): what the message says it is decides first.
        notice = (_tls_report_finding(message, parts) or _unstructured_bounce(message, carried)
                  or _auto_reply_finding(message))
        subject_only = None
        if notice is None:
            notice, subject_only = _dmarc_aggregate_findings(message)
        if notice is not None:
            findings.append(notice)
        else:
            if subject_only is not None:
                findings.append(subject_only)
            if not is_automatic_notification(message) and not _looks_like_bounce(message):
                forward = inline_forward(message)
                if forward is not None:
                    findings.append(forward)
    if carried and any(f.id in _BOUNCE_FINDINGS for f in findings):
        backscatter = _backscatter(message, carried[0][1], report if report is not None and report.recipients else None,
                                   spf_result, verified_signers)
        if backscatter is not None:
            findings.append(backscatter)
    if feedback is not None:
        feedback = _with_authentication(feedback, message, signed_by)
        removed = not attached and any(p.content_type in _MESSAGE_TYPES for p in parts)
        _signer, partial, authors = report_signer(message, signed_by)
        findings.append(_feedback_finding(feedback, attached, path, removed, partial, authors))
        if feedback.format == "xarf":
            ambiguous = _xarf_ambiguous(message)
            if ambiguous is not None:
                findings.append(ambiguous)
    if attached:
        listed = "; ".join(
            f"{a.number}: {'header of ' if a.headers_only else ''}"
            f"\"{_short(a.subject) or '(no subject)'}\" from {_short(a.from_header) or '(no From)'}"
            for a in attached[:_MAX_LISTED])
        total, more = (len(attached), False) if len(attached) < MAX_ATTACHED else count_attached(message, parts or None)
        count = f"{'at least ' if more else ''}{total}"
        first = f"; the first {len(attached)} are listed in the report" if total > len(attached) else ""
        findings.append(Finding(
            id="attached.messages", severity=Severity.INFO,
            title=f"{count} message(s) attached",
            explanation=f"This message carries {count} message(s) as attachments{first} ({listed}). "
                        f"The analysis above is of the outer message; to analyze an attached one (a "
                        f"reported phishing mail, the message a bounce returned) run "
                        f"`headerscope analyze FILE --attached {attached_path(path, 'N')}`.",
            reference=_RFC2046_MESSAGE, subject="attachments",
        ))
    return report, feedback, attached, findings


# The findings that say the message is a failure or delay notice about a message it returns.
_BOUNCE_FINDINGS = frozenset({"dsn.failed", "dsn.delayed", "dsn.unstructured"})
# A DKIM-Signature's d= tag (RFC 6376 section 3.5), read to see whose signature a returned copy
# carries, not to verify it (a returned header has no body to check).
_dkim_d_tag_re = compiled_on_first_use(r"(?:^|;)[ \t\r\n]*d[ \t\r\n]*=[ \t\r\n]*([^;\s]{1,253})")
_MAX_COPY_SIGNATURES = 10


def _relayed_outward(message: Message, report: DeliveryReport | None, copy: bytes, *,
                     alias_counts: bool = True) -> bool:
    """Whether the bounce reports failing to deliver the message onward, to another domain's
    server: the bouncing server was then relaying for the sender (its own outbound relay, an
    ISP's smarthost, an ESP), not a receiver of forged mail that accepted it and bounced it later.
    From a report: a failed or delayed recipient with a remote server's reply (Remote-MTA and its
    diagnostic, RFC 3464 sections 2.3.5 and 2.3.6), a status whose subject is routing or network
    (x.4.x, RFC 3463 section 3.5: a message expired unsent, 4.4.7) or Action delayed. Without a
    report: the text quotes a remote server's refusal (Exim's "SMTP error from remote mail server
    after ...", Postfix's "host X[ip] said:"), before the returned ``copy``: a forged message's
    own body may say anything."""
    if report is not None and not any(
            recipient.action == "delayed" or dsn_said(recipient, report.reporting_mta)[0] == "remote"
            or (recipient.status is not None and _routing_status_re().fullmatch(recipient.status))
            for recipient in report.recipients[:_MAX_LISTED] if recipient.action in ("failed", "delayed")):
        return False
    bodies = _text_bodies(message)
    body = bodies[0] if bodies else \
        message.raw[message.body_start:message.body_start + _MAX_BOUNCE_TEXT] if message.body_start else b""
    body = body[:_MAX_BOUNCE_TEXT]
    copy_at = body.find(copy[:200]) if copy[:200].strip() else -1
    if copy_at >= 0:
        body = body[:copy_at]
    text = body.decode("utf-8", "replace")
    if alias_counts and _alias_expansion_re().search(text):
        # Exim's "(generated from kevin@example.com)", Postfix's "(expanded from <...>)": the server
        # took the message for a local address and forwarded it; its onward failure says nothing
        # of the sender's own relay (verification V36: a forwarding alias's backscatter went
        # silent). Only for a copy an outside client handed over unauthenticated: a login
        # submission's own mail forwarded by an alias and refused is the sender's (V37).
        return False
    return report is not None or _remote_refusal_re().search(text) is not None


# The note under an address an alias or forward expanded from a local one: Exim's "(generated
# from X)" and "(ultimately generated from X)", Postfix's "(expanded from <X>)" (bounce_notify_util.c).
_alias_expansion_re = compiled_on_first_use(
    r"\((?:ultimately )?generated from [^()\s]{1,320}\)|\(expanded from <[^<>\s]{1,320}>\)")
# RFC 3463 section 3.5: subject 4, "Network and Routing Status" (4.4.7 "Delivery time expired").
_routing_status_re = compiled_on_first_use(r"[45]\.4\.\d{1,3}")
# A remote server's refusal quoted in a bounce's text: Exim's line before it, Postfix's "host
# mx.example[192.0.2.1] said:" (bounce(8)'s template). Bounded: linear on any text.
_remote_refusal_re = compiled_on_first_use(
    r"SMTP error from remote (?:mail server|mailer|host) after |"
    r"\bhost [A-Za-z0-9.-]{1,253}\[[0-9A-Fa-f.:]{2,45}\] said:")


def _backscatter(message: Message, copy: bytes, report: DeliveryReport | None,
                 spf_result: Callable[[str, str], tuple[str, bool]] | None = None,
                 verified_signers: Callable[[bytes], tuple[frozenset[str], frozenset[str]]] | None = None) -> Finding | None:
    """A notice when a bounce returns a message whose own header says it did not come from the
    domain its From: claims, and the bounce goes back to that From: address: spam that forged the
    address, bounced by a server that accepted it first and refused it later ("backscatter", RFC
    3834 section 2 and RFC 5321 section 6.2 on notices to forged senders).

    The evidence is the hop at which the bouncing side took the message in, as it recorded it: the
    copy's boundary hop (hops.build_chain, read down from the bouncing side's own stamps at the
    top; what the sender wrote below it, a fake earliest Received, moves nothing). At it: a login
    submission at a server of another organisation (not a webmail provider's, which lets only
    verified addresses send), an outside client whose HELO names the From: domain's organisation,
    or any other outside client (a public address, no login, no reverse name in that
    organisation) that the bouncing side's own results in the copy record as failing the domain's
    DMARC (_bouncer_recorded) or that the domain's SPF record refuses (``spf_result`` fail: RFC
    7208 section 2.6.4, the domain's explicit statement that the client is not authorised).

    None (the domain's own mail that bounced) when the bouncing side recorded dmarc=pass (or
    compauth=pass) for the domain; when the domain's SPF authorises that client through a term
    naming its own servers (api._own_listing: a pass only through a shared provider's include:
    lists a forger on the same platform too); when a DKIM signature of the domain's organisation
    in the copy verifies (``verified_signers``) or the bouncing side recorded dkim=pass for it
    (one the sender merely wrote, "d=" with any "b=", is no evidence); when the copy carries a
    DKIM signature of the bouncing side's own organisation (its Reporting-MTA, else the bounce's
    From:): that side signed the message to send it out for its customer, and its refusal is its
    own (an email service's suppression list); and when the bounce (``report``, or its text
    without one) says the bouncing server failed to deliver the message onward
    (_relayed_outward, read before any DNS question): a receiver of forged mail refuses it for its
    own reasons, a relay reports another server's, and a relay that takes a sender's login or
    HELO is the sender's own outbound route (an ISP's submission server, an ESP)."""
    from datetime import datetime, timezone

    from .domains import is_domain_name, organizational_domain
    from .envelope import is_free_mailbox
    from .hops import build_chain, is_non_public_ip

    inner = parse_message(copy[:_MAX_BOUNCE_TEXT])
    authors = [a for a in parse_addresses((inner.first("From") or "")[:_MAX_ADDRESS_TEXT])[:10] if a.domain]
    if len(authors) != 1:
        return None
    author = authors[0].address.lower()
    domain = (authors[0].domain or "").lower().rstrip(".")
    organization = organizational_domain(domain) or domain

    def ours(name: str | None) -> bool:
        name = (name or "").lower().rstrip(".")
        return bool(name) and (organizational_domain(name) or name) == organization

    # Sent back to the forged address (or its domain): the bounce is that domain's to read.
    addressed = [a.address.lower() for a in parse_addresses((message.first("To") or "")[:_MAX_ADDRESS_TEXT])[:10]
                 if a.domain]
    if author not in addressed and not any(address_domain(a) == domain for a in addressed):
        return None
    # DomainKeys (RFC 4870), DKIM's predecessor, signed with the same d= tag (Gmail until 2011).
    signatures = inner.all("DKIM-Signature")[:_MAX_COPY_SIGNATURES] + inner.all("DomainKey-Signature")[:2]
    # The bouncing side: the report's Reporting-MTA (RFC 3464 section 2.2.2), else the bounce's own From:.
    bouncer_names = [report.reporting_mta] if report is not None and report.reporting_mta else []
    bouncer_names += [a.domain for a in parse_addresses((message.first("From") or "")[:_MAX_ADDRESS_TEXT])[:1]
                      if a.domain]
    bouncers = {organizational_domain(name) for name in (n.strip().lower().rstrip(".") for n in bouncer_names)
                if is_domain_name(name)} - {None}
    signed_as_ours = False
    signed_by_bouncer = False
    for signature in signatures:
        signer = _dkim_d_tag_re().search(signature.value[:4000])
        if signer is None:
            continue
        if ours(signer.group(1)):
            signed_as_ours = True  # evidence only once it verifies (below): anyone can write d=
            continue
        signing = signer.group(1).lower().rstrip(".")
        if is_domain_name(signing) and organizational_domain(signing) in bouncers:
            # The bouncing side signed the message itself: it was sending it out for its customer,
            # as an email service signs its customers' mail with a key of its own (RFC 6376
            # section 3.5: d= is the signing organisation); a receiver does not sign the mail it
            # takes in. Its refusal, with or without another server's reply (a suppression list's
            # refusal of an address that bounced before reaches no server), is its own refusal of
            # its own customer's message: no forged sender's backscatter. Evidence only once it
            # verifies (below): a spammer writes the bouncer's d= as easily (verification V62b D-4).
            signed_by_bouncer = True
    if not inner.all("Received"):
        return None
    chain = build_chain(inner, None, datetime.now(timezone.utc))
    if chain.boundary_hop is None:
        return None
    arrival = chain.hops[chain.boundary_hop - 1]
    first = arrival.fields  # the client that handed it to the bouncing side, as that side recorded it
    if not first.by or not is_domain_name(first.by) or organizational_domain(first.by) is None:
        return None  # a receiver named by its address alone ("by 10.64.10.4"): whose it is is unknown
    if ours(first.by):
        return None  # the domain's own server took it in
    recorded = _bouncer_recorded(inner, arrival.header_index, domain)
    if recorded.passed:
        return None  # the bouncing side found the domain's DMARC passing: its own mail
    if first.auth:
        if is_free_mailbox(first.by):
            return None  # a webmail provider sends a custom From: only once its owner verified it
        evidence = (f"it was submitted with a login ({first.protocol or first.auth}) at {first.by}, a server of "
                    f"another organisation than {domain}"
                    + (f", from {first.from_ip}" if first.from_ip else ""))
        if _relayed_outward(message, report, copy, alias_counts=False):
            return None
    elif first.from_ip and not is_non_public_ip(first.from_ip) and not ours(first.from_rdns):
        greeted = ours(first.from_helo)
        if not greeted and recorded.failed is None and spf_result is None:
            return None  # no evidence, and none to ask for
        if _relayed_outward(message, report, copy):
            return None  # read before any DNS question: the text is decoded only for a copy that may look forged
        named = f"named {first.from_rdns}" if first.from_rdns else "without a reverse DNS name"
        # The DNS question last: only where the greeting or the recorded failure does not already tell.
        spf, own_listed = spf_result(first.from_ip, author) if spf_result is not None \
            and (greeted or recorded.failed is None) else (None, False)
        if own_listed:
            return None  # a server the domain's own SPF terms list: its own, whatever name it greets with
        if greeted:
            evidence = (f"the client that handed it to {first.by} ({first.from_ip}, {named}) said HELO "
                        f"{first.from_helo}, claiming {domain}'s organisation without being in it")
        elif recorded.failed is not None:
            # A bot greets with its own name or any word: the copy shows the forgery in what the
            # bouncing side recorded of it, or in the domain's own SPF record.
            evidence = (f"the client that handed it to {first.by} ({first.from_ip}, {named}) is an outside "
                        f"one, and the bouncing side's own Authentication-Results in the copy record "
                        f"{recorded.failed}")
        elif spf == "fail":
            evidence = (f"the client that handed it to {first.by} ({first.from_ip}, {named}) is one {domain}'s "
                        f"own SPF record refuses (SPF fail for {domain})")
        else:
            return None
    else:
        return None
    if signed_as_ours or signed_by_bouncer:
        checked, unchecked = verified_signers(copy) if verified_signers is not None else (frozenset(), frozenset())
        verified = {*recorded.dkim_passed, *checked}
        if signed_as_ours and any(ours(d) for d in verified):
            return None  # the domain's signature verifies: its own mail, whatever the route

        def bouncers_own(names: Iterable[str]) -> bool:
            return any(is_domain_name(d.lower().rstrip(".")) and organizational_domain(d.lower().rstrip(".")) in bouncers
                       for d in names)

        # The bouncing side's own signature: its customer's message where it verifies, and where it
        # could not be checked (offline), as before, since a genuine suppression-list refusal (SES)
        # is common and a spammer's d= of the bouncer only costs the notice; one that was checked
        # and failed is the spammer's text (verification V62b D-4).
        if signed_by_bouncer and (bouncers_own(verified) or bouncers_own(unchecked)):
            return None
    reply_to = [a for a in parse_addresses((inner.first("Reply-To") or "")[:_MAX_ADDRESS_TEXT])[:3] if a.domain]
    elsewhere = [a.address for a in reply_to if not ours(a.domain)]
    replies = f"; its Reply-To sends answers elsewhere ({_short(elsewhere[0], 80)})" if elsewhere else ""
    return Finding(
        id="dsn.backscatter", severity=Severity.NOTICE,
        title=f"Likely backscatter: the returned message only claims to be from {_short(author, 80)}",
        explanation=(f"The message this bounce returns says it is from {author}, and the bounce went back to "
                     f"that address, but its own header says it did not come from {domain}: {evidence}, and it "
                     f"carries no verified DKIM signature of {organization}{replies}. That is how spam that forged "
                     f"the address looks when a server accepted it and bounced it later (backscatter): the bounce "
                     f"is about a message someone else sent in {domain}'s name, not a failure of {domain}'s own "
                     "mail. This is read from the returned copy, the bouncing server's text, not proved: a "
                     f"sender of {domain} who submits through another provider without signing looks the same; "
                     f"{domain}'s own logs of the Message-ID tell for sure."),
        reference="https://www.rfc-editor.org/rfc/rfc3834#section-2", subject="delivery report",
    )


_MAX_COPY_RESULTS = 5
"""Authentication-Results fields of a returned copy read for the bouncing side's own results."""


@frozen
class _BouncerRecord(Value):
    """What the bouncing side recorded of the From: domain's checks in the copy it returns."""

    failed: str | None
    """Words for its DMARC failure ("dmarc=fail and compauth=fail for example.com"), or None."""
    passed: bool
    """It recorded dmarc=pass or compauth=pass for the domain."""
    dkim_passed: tuple[str, ...]
    """The header.d (else header.i domain) of each dkim=pass it recorded."""


def _bouncer_recorded(copy: Message, entry_index: int, domain: str) -> _BouncerRecord:
    """The From: domain's DMARC (or Microsoft's compauth, its composite authentication of the
    From: domain) and DKIM results that the bouncing side recorded in the copy it returns: the
    Authentication-Results fields at or above the stamp of its arrival (``entry_index``, the
    copy's boundary hop), written after it by that side (RFC 8601 section 5: a receiver adds its
    results at the top). A field below it is the sender's own text, and a field that names
    another From: domain (its header.from) is about another message. These are the bouncing
    server's words: they decide whether to raise a notice, and authenticate nothing here."""
    from .auth.recorded import reported_results

    failed: list[str] = []
    passed = False
    dkim_passed: list[str] = []
    for field in copy.all("Authentication-Results")[:_MAX_COPY_RESULTS]:
        if field.index > entry_index:
            continue  # below the arrival stamp: the sender's own text
        results = reported_results([field.value[:4000]])
        named = {value.strip().lower().rstrip(".") for r in results for key, value in r.properties
                 if key.lower() == "header.from"}
        if named and domain not in named:
            continue
        for r in results:
            if r.method in ("dmarc", "compauth") and r.result in ("pass", "fail"):
                if r.result == "pass":
                    passed = True
                elif r.method not in failed:
                    failed.append(r.method)
            elif r.method == "dkim" and r.result == "pass":
                props = {key.lower(): value.strip().lower().rstrip(".") for key, value in r.properties}
                signer = props.get("header.d") or props.get("header.i", "").rpartition("@")[2]
                if signer:
                    dkim_passed.append(signer)
    words = " and ".join(f"{method}=fail" for method in failed) + f" for {domain}" if failed else None
    return _BouncerRecord(failed=words, passed=passed, dkim_passed=tuple(dkim_passed[:_MAX_COPY_SIGNATURES]))


# An inline forward: the separator line a mail program writes above the quoted message's
# fields, as the vendors write it: Gmail's "---------- Forwarded message ---------", Thunderbird's
# "-------- Forwarded Message --------", Apple Mail's "Begin forwarded message:", and Outlook's
# line of underscores or "-----Original Message-----" above its From:/Sent:/To:/Subject: block
# (which Outlook also writes above the message a reply quotes: taken only with a forward's Subject).
# Bounded repetitions, one line each: linear on any text.
_forward_marker = compiled_on_first_use(
    r"^[ \t>]{0,8}(?:(-{2,20}[ \t]{0,4}Forwarded [Mm]essage[ \t]{0,4}-{2,20}|Begin forwarded message:)|"
    r"(-{2,20}[ \t]{0,4}Original Message[ \t]{0,4}-{2,20}|_{10,120}))[ \t]*\r?$", re.MULTILINE)
# One quoted field line after the separator ("From: ...", Apple's and Gmail's "Date:", Outlook's
# "Sent:"), with the "*From:*" bold marks a plain-text conversion may keep.
_forward_field = compiled_on_first_use(r"^[ \t>]{0,8}\*?(From|Date|Sent|Subject|To|Cc)\*?:\*?[ \t]{0,8}(.{0,400}?)[ \t]*\r?$",
                                       re.IGNORECASE)
# Forward prefixes of a Subject: English, and the common ones of German (WG), French (TR) and
# Spanish (RV) Outlook.
_forward_subject = compiled_on_first_use(r"^[ \t]{0,8}(?:\[[^\]]{0,40}\][ \t]{0,4})?(?:FW|FWD|WG|TR|RV)[ \t]{0,2}:",
                                         re.IGNORECASE)
_FORWARD_HINTS = (b"orwarded", b"Original Message", b"__________")
# Where the separator hint is looked for: the first text part starts near the body's start (a
# multipart's preamble and part header before it), and only its first 64 KB is read.
_FORWARD_WINDOW = 256 * 1024
_MAX_FORWARD_FIELDS = 12
"""Lines read after a forward separator for the quoted From/Date/Subject (Outlook writes up to six)."""
_RFC2046_MESSAGE_PART = "https://www.rfc-editor.org/rfc/rfc2046#section-5.2.1"


def inline_forward(message: Message) -> Finding | None:
    """The notice that a person's message quotes another message inline (a forward in the body,
    not as an attachment), read in the first 64 KB of its first text part: the quoted From,
    Date and Subject are the forwarder's text, and the quoted message's header is gone."""
    if message.body_start is None:
        return None
    subject = message.first_decoded("Subject") or ""
    forward_subject = _forward_subject().match(subject[:200]) is not None
    raw = message.raw
    # The separator is read in the first text part's first 64 KB (below): it is looked for near
    # the body's start only, not through a large attachment.
    window = message.body_start + _FORWARD_WINDOW
    if not forward_subject:
        # Every separator holds one of the hints, so a first text part whose head holds none, in
        # bytes that decode to the same ASCII, has none: asked of that part alone before the body.
        texts = _text_parts(message)[:1]
        if not texts or (_keeps_ascii(texts[0].params.get("charset", "utf-8"))
                         and _head_lacks(raw, texts[0], _FORWARD_HINTS)):
            return None
    if not forward_subject and not any(raw.find(hint, message.body_start, window) >= 0 for hint in _FORWARD_HINTS):
        return None  # most mail: no separator as written, and no forward's Subject (a base64 body)
    texts = _text_parts(message)[:1]
    if not texts:
        return None
    part = texts[0]
    text = _part_text(_decoded_head(raw, part), part.params.get("charset", "utf-8"))
    for found in _forward_marker().finditer(text):
        if found.group(2) is not None and not forward_subject:
            continue  # Outlook's separator above a reply's quote: not a forward
        fields = _quoted_fields(text, found.end())
        if "from" not in fields or not (fields.keys() & {"date", "sent", "subject"}):
            continue
        return _inline_forward_finding(fields, found.group(0).strip(" \t>\r"))
    return None


def _quoted_fields(text: str, start: int) -> dict[str, str]:
    """The quoted fields after a forward separator (lower-case names), until the first line
    that is neither a field nor blank, or a blank line after fields."""
    fields: dict[str, str] = {}
    position = start
    for _ in range(_MAX_FORWARD_FIELDS + 2):
        if position >= len(text):
            break
        end = text.find("\n", position + 1)
        line = text[position:end if end >= 0 else len(text)].strip("\r\n")
        position = end if end >= 0 else len(text)
        if not line.strip(" \t>"):
            if fields:
                break
            continue  # Apple Mail's blank line after its separator
        match = _forward_field().match(line)
        if match is None:
            break
        fields.setdefault(match.group(1).lower(), " ".join(match.group(2).split())[:200])
        if len(fields) >= _MAX_FORWARD_FIELDS:
            break
    return fields


def _inline_forward_finding(fields: dict[str, str], separator: str) -> Finding:
    sender = fields["from"]
    date = fields.get("date") or fields.get("sent")
    said = "; ".join(f"{name}: “{value}”" for name, value in (
        ("From", sender), ("Date" if "date" in fields else "Sent", date), ("Subject", fields.get("subject")))
        if value)
    return Finding(
        id="message.inline_forward", severity=Severity.NOTICE,
        title=f"Inline forward of a message from “{_short(sender, 80)}”: its route and authentication were not kept",
        explanation=(
            f"The body quotes another message after the separator “{_short(separator, 60)}” ({said}). These lines "
            "are the forwarder's text, typed by their mail program: a claim, which anyone can write, not the "
            "quoted message's header. A forward in the body keeps none of the original's Received chain, "
            "DKIM signatures or Authentication-Results, so where it came from and whether it was "
            "authenticated cannot be told from this message; the analysis above is of the forwarder's own "
            "mail (a message that only presents itself as a forward, as phishing does, is judged as itself). "
            "If a person forwarded it to you, ask them to forward it as an attachment (Outlook: More actions > "
            "Forward as attachment; Gmail: More > Forward as attachment), or to send the saved .eml file: an "
            "attached message keeps its whole header."),
        reference=_RFC2046_MESSAGE_PART, subject="body")


# RFC 7489 section 7.2.1.1: an aggregate report's Subject is "Report Domain: <domain> Submitter:
# <submitter> Report-ID: <id>" (receivers write "domain" in either case). Microsoft puts a tag
# before it ("[Preview] Report Domain: ...", dmarcreport@microsoft.com); Mail.Ru ends the domain
# and the submitter with ";" ("Report Domain: example.com; Submitter: Mail.Ru; Report-ID: 1852..."),
# a separator, not part of the name. Amazon SES writes "Dmarc Aggregate Report Domain: {example.com}
# Submitter: {Amazon SES} Date: {2020-04-18} Report-ID: {fd22fed8-...}" (postmaster@amazonses.com):
# each value in braces, which may hold spaces, and a Date: before the Report-ID. Every repetition is
# bounded, and the lazy names give back at most the one ";".
_aggregate_subject = compiled_on_first_use(
    r"^\s*(?:\[[^\[\]\r\n]{1,40}\]\s*)?(?:Dmarc\s+Aggregate\s+)?Report\s+Domain:\s*"
    r"(?:\{([^{}\r\n]{1,253})\}|(\S{1,253}?));?\s+Submitter:\s*(?:\{([^{}\r\n]{1,253})\}|(\S{1,253}?));?\s+"
    r"(?:Date:\s*(?:\{[^{}\r\n]{1,60}\}|\S{1,60})\s+)?Report-ID:\s*(?:\{([^{}\r\n]{1,200})\}|(\S{1,200}))",
    re.IGNORECASE)


def _aggregate_subject_parts(subject: str | None) -> tuple[str, str, str] | None:
    """(report domain, submitter, report id) of a DMARC aggregate report's Subject
    (_aggregate_subject), each as written without SES's braces, or None when it is not one."""
    found = _aggregate_subject().match(subject[:600]) if subject else None
    if found is None:
        return None
    groups = found.groups()
    domain, submitter, report_id = (braced if braced is not None else bare or ""
                                    for braced, bare in (groups[0:2], groups[2:4], groups[4:6]))
    return domain, submitter, report_id


# Fields RFC 5322 section 3.6 allows once (From: has its own finding, envelope.multiple_from),
# and the MIME fields of RFC 2045 that describe the body as a whole.
_ONCE_FIELDS = ("Date", "Sender", "Reply-To", "To", "Cc", "Bcc", "Message-ID", "In-Reply-To", "References",
                "Subject", "MIME-Version", "Content-Type", "Content-Transfer-Encoding")
_RFC5322_COUNTS = "https://www.rfc-editor.org/rfc/rfc5322#section-3.6"


def repeated_fields(message: Message) -> list[Finding]:
    """A notice for fields that may appear once and appear more than once, and an info for a
    DKIM-Signature repeated byte for byte."""
    findings: list[Finding] = []
    counts = {name: len(message.all(name)) for name in _ONCE_FIELDS}
    repeated = [(name, count) for name, count in counts.items() if count > 1]
    if repeated:
        listed = ", ".join(f"{name} ({count} times)" for name, count in repeated)
        findings.append(Finding(
            id="message.repeated_field", severity=Severity.NOTICE,
            title=f"Fields allowed once appear more than once: {listed}",
            explanation=(f"RFC 5322 section 3.6 (and RFC 2045 for the MIME fields) allows each of these once: "
                         f"{listed}. Programs then read different ones (a mail client shows the first, a filter "
                         "judges the last): a way to show a reader something other than what filters checked, or "
                         "the mark of a program that added its own without removing the original."),
            reference=_RFC5322_COUNTS, subject="header"))
    signatures = [field.value for field in message.all("DKIM-Signature")[:20]]
    twice = len(signatures) - len(set(signatures)) if len(signatures) > 1 else 0
    if twice:
        findings.append(Finding(
            id="message.repeated_signature", severity=Severity.INFO,
            title="The same DKIM-Signature appears twice" if twice == 1 else f"{twice} DKIM-Signatures appear twice",
            explanation=("A DKIM-Signature field is repeated byte for byte: it was copied, not signed again (a new "
                         "signature differs in its time and b=). A program that re-sent the message with its "
                         "header, or a relay that re-injected it, added the copy. It verifies as one signature."),
            reference="https://www.rfc-editor.org/rfc/rfc6376#section-3.5", subject="header"))
    return findings


# Fields a reader sees, whose hidden characters change what the reader is shown.
_SHOWN_FIELDS = ("Subject", "From", "Sender", "Reply-To", "To")
_hidden_character_re = compiled_on_first_use(f"[{HIDDEN_CHARACTERS}]")


def _joiners_hiding(text: str) -> list[bool]:
    """For each zero-width joiner or non-joiner (U+200D, U+200C) in the text, in order, whether
    it hides: whether no script needs it, being not between two visible characters that are not
    ASCII. Persian and Indic words and emoji sequences put them between such characters (The
    Unicode Standard, section 23.2), where they shape what is shown; between ASCII letters
    ("pay\u200dpal.com") they shape nothing and only hide what is written."""
    return [not (_visible_non_ascii(text[at - 1:at]) and _visible_non_ascii(text[at + 1:at + 2]))
            for at in (match.start() for match in _joiner_re().finditer(text))]


_joiner_re = compiled_on_first_use("[\u200c\u200d]")
_ignorable_re = compiled_on_first_use(f"[{IGNORABLE_NOT_FORMAT}]")


def _ignorables_hiding(text: str) -> list[str]:
    """The characters Unicode renders as nothing that are not format characters
    (text.IGNORABLE_NOT_FORMAT) and hide something here: those after an ASCII character or at the
    start, where no emoji, ideograph or Hangul syllable takes them (a variation selector after
    "\u2764" shapes the heart; after "PayPal" it only hides what is written)."""
    return [match.group() for match in _ignorable_re().finditer(text)
            if match.start() == 0 or (text[match.start() - 1].isascii()
                                      and not (match.group() in "\ufe0e\ufe0f" and text[match.start() - 1] in _KEYCAP_BASES))]


# Unicode's emoji variation sequences (emoji-variation-sequences.txt) take U+FE0E/U+FE0F after
# these ASCII characters too: the keycaps "3\ufe0f\u20e3", "#\ufe0f\u20e3" (verification V33).
_KEYCAP_BASES = frozenset("0123456789#*")


def _visible_non_ascii(char: str) -> bool:
    return bool(char) and not char.isascii() and not char.isspace() and _hidden_character_re().match(char) is None


def hidden_characters(message: Message) -> Finding | None:
    """A notice for invisible or direction-changing characters in the fields a reader sees (a
    right-to-left mark in a Subject, a zero-width space in a display name): they change what is
    shown (Unicode UTS #39; "Trojan Source"). Every report marks them where it shows these fields."""
    found: list[tuple[str, list[str]]] = []
    for name in _SHOWN_FIELDS:
        value = message.first_decoded(name)
        if not value:
            continue
        text = value[:2000]
        marks = _hidden_character_re().findall(text)
        ignorable = _ignorables_hiding(text) if not text.isascii() else []
        if not marks and not ignorable:
            continue  # nearly every field: no character to sort, so no look at each one for right-to-left text
        # The direction marks belong in right-to-left text: said only outside it.
        rtl = any("\u0590" <= c <= "\u08ff" for c in text)
        # Each joiner in turn: whether it hides (see _joiners_hiding), in the order found.
        hiding = iter(_joiners_hiding(text) if "\u200c" in marks or "\u200d" in marks else ())
        hidden = list(dict.fromkeys(f"U+{ord(c):04X}" for c in marks
                                    if (next(hiding, True) if c in "\u200c\u200d" else
                                        c not in "\r\n\t" and not (rtl and c in "\u200e\u200f\u061c"))))
        hidden = list(dict.fromkeys(hidden + [f"U+{ord(c):04X}" for c in ignorable]))
        if hidden:
            found.append((name, hidden[:5]))
    if not found:
        return None
    listed = "; ".join(f"{name}: {', '.join(codes)}" for name, codes in found)
    # The reports mark format and control characters (text.shown_hidden: the terminal's From, To,
    # Reply-To, Sender and Subject lines too, render/terminal._t_marked; verification V55a D-4);
    # the ones Unicode renders as nothing besides (text.IGNORABLE_NOT_FORMAT: variation selectors,
    # fillers) are left as written, since in emoji and ideographs they belong (verification V33).
    shown = ("The terminal, HTML and Markdown reports show them as ⟨U+XXXX⟩."
             if not any(_ignorable_re().match(chr(int(code[2:], 16))) for _, codes in found for code in codes) else
             "The terminal, HTML and Markdown reports show format characters as ⟨U+XXXX⟩; variation selectors, "
             "fillers and the grapheme joiner are left as written there.")
    return Finding(
        id="message.hidden_characters", severity=Severity.NOTICE,
        title=f"Invisible or direction-changing characters in {', '.join(name for name, _ in found)}",
        explanation=(f"These fields hold characters a reader does not see, or that reverse the direction of the "
                     f"text around them ({listed}): they make a text look other than it is, as look-alike names "
                     f"and reversed file names do (Unicode UTS #39). {shown}"),
        reference="https://www.unicode.org/reports/tr39/", subject=found[0][0])


# RFC 7489 section 7.2.1.1: the report is an XML file, gzipped or zipped, attached under a name
# the RFC lays out: receiver "!" policy-domain "!" begin "!" end ["!" unique-id] "." extension
# ("google.com!example.com!1604188800!1604275199.zip"). A zip or XML attachment alone proves
# nothing (a zip is the usual carrier of malware, verification V24 D3): the name must be that
# layout, for the domain the Subject names.
_aggregate_file_name = compiled_on_first_use(
    r"[^!/\\]{1,253}!([^!/\\]{1,253})!\d{1,12}!\d{1,12}(?:![^!/\\]{0,100})?\.(?:xml|xml\.gz|gz|zip)")


def _carries_aggregate_data(message: Message, domain: str) -> bool:
    """Whether a part of the message (its whole walk, the message itself for a single part) is
    named as RFC 7489 section 7.2.1.1 names an aggregate report about ``domain``."""
    wanted = domain.strip().strip(".").lower()
    # A single-part report (Google's) names itself in the message's own header, which the walk's
    # top part does not carry as a file name.
    top_type = parse_content_type((message.first("Content-Type") or "")[:_MAX_CONTENT_TYPE])[1].get("name")
    top_disposition = message.first("Content-Disposition")
    top_file = parse_content_type(top_disposition[:_MAX_CONTENT_TYPE])[1].get("filename") if top_disposition else None
    for name in (top_type, top_file, *(part.filename for part in _full_walk(message))):
        name = (name or "")[:1000].strip().strip('"').lower()
        found = _aggregate_file_name().fullmatch(name) if "!" in name else None
        if found is not None and found.group(1).strip(".") == wanted:
            return True
    return False


def _dmarc_aggregate_findings(message: Message) -> tuple[Finding | None, Finding | None]:
    """(a DMARC aggregate report's info finding, a notice for its Subject without the report),
    at most one of them, from the Subject RFC 7489 section 7.2.1.1 gives such reports, read once.

    A report is known by that Subject and a part named as the report (see _carries_aggregate_data):
    what it is, and that its Date: is the report's, written after the period. The Subject alone
    is anyone's to write, and a phish dressed as a report must not be filed as one (verification
    V23): the notice says so, and the message is read as the mail it is."""
    found = _aggregate_subject_parts(message.first_decoded("Subject"))
    if found is None:
        return None, None
    domain, submitter, report_id = (part.strip().strip("<>") for part in found)
    if not _carries_aggregate_data(message, domain):
        shown = _short(found[0].strip(), 80)
        return None, Finding(
            id="message.report_subject_only", severity=Severity.NOTICE,
            title="The Subject of a DMARC aggregate report, but no report attached",
            explanation=("Its Subject is laid out as RFC 7489 section 7.2.1.1 gives a DMARC aggregate report's "
                         f"(about {shown}, from {_short(found[1].strip(), 80)}), but no part carries a report "
                         f"named as the RFC has generators name it (receiver!{shown}!begin!end, .xml, .zip or .gz): "
                         "it is not shown to be such a report, whatever its Subject says. Anyone can write that "
                         "Subject, and attach a zip; the message is analysed as the mail it is."),
            reference="https://www.rfc-editor.org/rfc/rfc7489#section-7.2.1.1", subject="Subject")
    return Finding(
        id="message.dmarc_report", severity=Severity.INFO,
        title=f"DMARC aggregate report from {_short(submitter, 80)} about {_short(domain, 80)}",
        explanation=(f"This message is a DMARC aggregate report (RFC 7489 section 7.2): {submitter} sends "
                     f"{domain}'s owner, at the address its DMARC record's rua= names, counts of the mail it "
                     f"received claiming {domain} and how it authenticated (report {_short(report_id, 80)}, in the "
                     "attached XML, usually zipped or gzipped). A report generator sends it after the period it "
                     "covers, and its Date: may be the period's, so a long delay before the first hop is usual."),
        reference="https://www.rfc-editor.org/rfc/rfc7489#section-7.2", subject="Subject"), None


_RFC8460 = "https://www.rfc-editor.org/rfc/rfc8460"
_TLSRPT_TYPES = ("application/tlsrpt+gzip", "application/tlsrpt+json")
_MAX_TLSRPT = 1 << 20
"""Bytes of a TLS report's JSON read (after decompression: a gzip bomb stops there)."""
_TLSRPT_POLICIES_SHOWN = 10  # policies described in words; the totals count every one
_TLSRPT_DETAILS_READ = 50  # failure details of a policy read for its reasons
_MAX_TLSRPT_PART = 4 << 20
"""Bytes of a TLS report's part decoded at all (a real one is a few KB)."""
# RFC 8460 section 4.3: the result types of a failed session, in words.
_TLSRPT_RESULTS = {
    "starttls-not-supported": "the MX did not offer STARTTLS",
    "certificate-host-mismatch": "the certificate did not name the MX host",
    "certificate-expired": "the certificate had expired",
    "certificate-not-trusted": "the certificate was not trusted",
    "validation-failure": "a general validation failure",
    "tlsa-invalid": "the DANE TLSA record was invalid",
    "dnssec-invalid": "DNSSEC validation failed",
    "dane-required": "DANE was required but the domain has none",
    "sts-policy-fetch-error": "the MTA-STS policy could not be fetched",
    "sts-policy-invalid": "the MTA-STS policy was invalid",
    "sts-webpki-invalid": "the MTA-STS policy's HTTPS certificate was not valid",
}


def _tls_report_finding(message: Message, parts: list[_Part]) -> Finding | None:
    """A finding for an SMTP TLS report (RFC 8460): the report-type, the TLS-Report-Domain
    field or a report part says it; what its JSON says in sum, when it can be read."""
    content_type, params = parse_content_type((message.first("Content-Type") or "")[:_MAX_CONTENT_TYPE])
    part = next((p for p in parts if p.content_type in _TLSRPT_TYPES), None)
    if not ((content_type == "multipart/report" and params.get("report-type", "").lower() == "tlsrpt")
            or message.first("TLS-Report-Domain") is not None or part is not None):
        return None
    summary = _tlsrpt_summary(message.raw, part) if part is not None else None
    found = _aggregate_subject_parts(message.first_decoded("Subject"))
    domain = (message.first("TLS-Report-Domain") or "").strip()[:253] or (found[0] if found else None)
    submitter = (message.first("TLS-Report-Submitter") or "").strip()[:253] or (found[1] if found else None)
    report_id = found[2].strip("<>") if found else None
    failed = summary[1] if summary else 0
    said = (f" In its JSON: {summary[0]}." if summary else
            " Its JSON part could not be read here." if part is not None else "")
    title = (f"SMTP TLS report from {_short(submitter or 'an unnamed sender', 80)} about "
             f"{_short(domain or 'an unnamed domain', 80)}" + (f": {failed} failed TLS session(s)" if failed else ""))
    return Finding(
        id="message.tls_report", severity=Severity.NOTICE if failed else Severity.INFO, title=title,
        explanation=(f"This message is an SMTP TLS report (RFC 8460), not a DMARC report: "
                     f"{submitter or 'a sending mail system'} tells the owner of {domain or 'a domain'}, at the "
                     "address the domain's _smtp._tls TXT record names (rua=), how the TLS connections of its servers "
                     "to the domain's mail servers (MX) went, under the domain's MTA-STS or DANE policy"
                     + (f" (report {_short(report_id, 80)})" if report_id else "") + "." + said
                     + " A report generator sends it after the day it covers, so a long delay before the first hop "
                     "is usual."),
        reference=_RFC8460, subject="Content-Type")


def _tlsrpt_summary(raw: bytes, part: _Part) -> tuple[str, int] | None:
    """(what the report's policies say in sum, the failed sessions) of a TLS report's JSON
    (RFC 8460 section 4.4), bounded; None when it cannot be read."""
    import json
    import zlib

    if part.body_end - part.body_start > _MAX_TLSRPT_PART:
        return None
    data = _decoded(raw, part)
    if part.content_type.endswith("+gzip"):
        try:
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, _MAX_TLSRPT)
        except zlib.error:
            return None
    try:
        document = json.loads(data[:_MAX_TLSRPT].decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None
    policies = document.get("policies") if isinstance(document, dict) else None
    if not isinstance(policies, list):
        return None

    def count(value: object) -> int:
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0

    said: list[str] = []
    # The totals cover every policy of the document (already bounded by _MAX_TLSRPT); only the
    # words describe the first few: a report listing a thousand policies still says how many
    # sessions failed in all (RFC 8460 section 4.4: each policy's summary counts its sessions).
    failed_total = policies_read = 0
    for entry in policies:
        if not isinstance(entry, dict):
            continue
        policies_read += 1
        summary = _json_object(entry.get("summary"))
        good, bad = count(summary.get("total-successful-session-count")), count(summary.get("total-failure-session-count"))
        failed_total += bad
        if len(said) >= _TLSRPT_POLICIES_SHOWN:
            continue
        policy = _json_object(entry.get("policy"))
        kind = str(policy.get("policy-type")) if isinstance(policy.get("policy-type"), str) else "?"
        domain = str(policy.get("policy-domain")) if isinstance(policy.get("policy-domain"), str) else None
        listed = entry.get("failure-details")
        details = listed if isinstance(listed, list) else []
        reasons: dict[str, int] = {}
        for detail in details[:_TLSRPT_DETAILS_READ]:
            result = detail.get("result-type") if isinstance(detail, dict) else None
            if isinstance(result, str):
                key = _short(result.strip(), 60) or "?"
                reasons[key] = reasons.get(key, 0) + count(detail.get("failed-session-count"))
        why = "; ".join(f"{name}" + (f" ({_TLSRPT_RESULTS[name]})" if name in _TLSRPT_RESULTS else "")
                        + f": {number}" for name, number in list(reasons.items())[:5])
        if len(details) > _TLSRPT_DETAILS_READ:
            why += f"; counted from the first {_TLSRPT_DETAILS_READ} of its {len(details)} failure details"
        said.append(f"policy {_short(kind, 30)}" + (f" for {_short(domain, 80)}" if domain else "")
                    + f", {good} successful and {bad} failed session(s)" + (f" ({why})" if why else ""))
    if not said:
        return None
    if policies_read > len(said):
        said.append(f"{policies_read - len(said)} more policies, not described here, "
                    f"{failed_total} failed session(s) in all {policies_read}")
    return "; ".join(said), failed_total


def _json_object(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def attached_path(path: str, number: int | str) -> str:
    """The ``--attached`` argument of message ``number`` carried inside the message at ``path``
    ("" for the outer one): "2", or "1.2" for the second message inside attached message 1."""
    return f"{path}.{number}" if path else str(number)


def _short(text: str | None, limit: int = 120) -> str | None:
    if text is None:
        return None
    if len(text) <= limit:
        return text
    local, at, domain = text.rpartition("@")
    if at and local and "@" not in local and len(domain) + 5 < limit \
            and not any(c in text for c in " \t<>\"(),;:"):
        # One long address (Exchange's IMCEAEX- encoding of an X.500 name runs to hundreds of
        # characters): its start and its domain joined by "...", local-part characters, so that
        # --redact still masks the whole local part before the "@" (a plain cut dropped it all).
        return local[:limit - len(domain) - 4] + "...@" + domain
    return address_safe_shortened(text, limit)


def _recipient_name(recipient: DsnRecipient, failed_header: list[str]) -> str:
    """How the title names a recipient: its Final-Recipient, unless that is no address (Exim
    writes the file or pipe it delivered to, "rfc822;/mail/spool/..."), then its
    Original-Recipient, else the X-Failed-Recipients address."""
    final = recipient.final_recipient
    if final and "@" in final:
        return final
    original = recipient.original_recipient
    if original and "@" in original:
        return original
    if failed_header:
        return failed_header[0]
    return final or original or "?"


def dsn_sent_to(recipient: DsnRecipient) -> str | None:
    """The address the sender wrote, when the report names one other than the address delivery
    was tried to: Original-Recipient beside Final-Recipient (RFC 3464 sections 2.3.1 and 2.3.2;
    Postfix writes it when an alias or forward expanded the address, "(expanded from <X>)" in its
    text). A failure after an alias or forward is then no failure to an address the sender never
    wrote. None when they are the same (case aside) or either is no address."""
    final, original = recipient.final_recipient, recipient.original_recipient
    if not final or not original or "@" not in original or "@" not in final or final.lower() == original.lower():
        return None
    return original


def _reason_words(recipient: DsnRecipient) -> str | None:
    """A recipient's reason as compared with another's: its Diagnostic-Code or notice-text
    reason, its own address taken out ("<a@x>: Recipient address rejected" is the same reason as
    "<b@x>: ..."), white space and case folded; None when it has none."""
    said = recipient.diagnostic_code or recipient.text_reason
    if said is None:
        return None
    said = said[:_MAX_FIELD].lower()
    for address in (recipient.final_recipient, recipient.original_recipient):
        if address:
            said = said.replace(address[:_MAX_FIELD].lower(), "")
    return " ".join(said.split())


def _qmail_own(recipient: DsnRecipient) -> tuple[bool, tuple[str, str] | None]:
    """(whether qmail gave up on the message as expired, the stage its host line names) of a qmail
    bounce's recipient, read from qmail's own words kept beside the reply (text_reason)."""
    own = recipient.text_reason or ""
    command = next((command for phrase, command in _QMAIL_STAGES if phrase in own), None)
    return _QMAIL_EXPIRED in own, _stage(command)


def _report_finding(report: DeliveryReport, attached: tuple[AttachedMessage, ...],
                    failed_header: list[str] | None = None, path: str = "") -> Finding:
    actions = {r.action for r in report.recipients}
    if "failed" in actions:
        kind, severity, wanted = "failed", Severity.WARNING, "failed"
    elif "delayed" in actions:
        kind, severity, wanted = "delayed", Severity.NOTICE, "delayed"
    else:
        kind, severity, wanted = "delivered", Severity.INFO, None
    chosen = [r for r in report.recipients if wanted is None or r.action == wanted]
    names = ", ".join((_short(_recipient_name(r, failed_header or []), 80) or "?")
                      + (f" (sent to {_short(sent_to, 80)})" if (sent_to := dsn_sent_to(r)) else "") for r in chosen[:3])
    more = f" and {len(chosen) - 3} more" if len(chosen) > 3 else ""
    first = chosen[0]
    said_words = diagnostic_words(first.diagnostic_code or first.text_reason)
    meaning = f"“{said_words}”" if said_words else \
        failure_meaning(first.status, first.status_meaning) if kind == "failed" and first.status else first.status_meaning
    code = f" ({first.status}: {meaning})" if first.status and meaning else \
        f" ({first.status})" if first.status else f" ({meaning})" if said_words else ""
    qmail = report.format == "qmail"
    expired, stage = _qmail_own(first) if qmail else (False, None)
    if expired:
        # qmail gave up when the queue lifetime ran out: that is the failure; the last attempt's
        # reply (a temporary one) is what it had heard last, not its cause.
        code = (f" (expired in the queue{f', status {first.status}' if first.status else ''}"
                + (f"; the last attempt: “{said_words}”" if said_words else "") + ")")
    listed = chosen[:_MAX_LISTED]
    statuses = list(dict.fromkeys(r.status for r in listed if r.status))
    if len(statuses) > 1:
        # Each recipient its own code: the first one's words are not the others' reason.
        code = f" ({', '.join(statuses[:3])}{', …' if len(statuses) > 3 else ''})"
    elif len({_reason_words(r) for r in listed}) > 1:
        # One code, several reasons (Exim writes 5.0.0 for every failure it decided itself, each
        # its reason in the text): the first one's words are not the others'.
        code = f" ({statuses[0]}, each its own reason)" if statuses else " (each its own reason)"
    if stage is not None and len(chosen) == 1:
        code += f"; {stage[0]}"
    title = {"failed": f"Bounce: delivery to {names}{more} failed{code}",
             "delayed": f"Delay warning: delivery to {names}{more} is delayed{code}",
             "delivered": f"Delivery report for {names}{more}: {first.action or 'reported'}"}[kind]
    details = []
    for recipient in chosen[:_MAX_LISTED]:
        # Without Remote-MTA no remote server was reached: the diagnostic is the reporting server's
        # own (RFC 3464 sections 2.3.5 and 2.3.6), Exchange's "RESOLVER.RST..." say.
        reply = joined_reply(recipient.diagnostic_code) if recipient.diagnostic_code else None
        said = (f"; {recipient.remote_mta} answered \"{_short(reply, 400)}\"" if recipient.remote_mta
                else f"; {report.reporting_mta or 'the reporting server'} reported \"{_short(reply, 400)}\"") \
            if reply else \
            (f"; {report.reporting_mta or 'the reporting server'}'s own text gives the reason: "
             f"\"{_short(recipient.text_reason, 400)}\" (its human-readable part, under the address: no "
             f"Diagnostic-Code, so no remote server's reply)") if recipient.text_reason else ""
        if reply and recipient.diagnostic_cut:
            # A long reply was cut by the reading (_qmail_bounce): the words shown are its start only.
            said += f" (the reply is longer than the reading keeps: cut, {recipient.diagnostic_cut} kept)"
        if reply and recipient.text_reason and qmail:
            # qmail's own words beside the reply: the command refused, and whether it gave up.
            gave_up, refused = _qmail_own(recipient)
            if refused is not None:
                said += f" ({refused[1]})"
            if gave_up:
                said = (f"; expired in the queue: {report.reporting_mta or 'the reporting server'} gave up on the "
                        f"message (“{_QMAIL_EXPIRED}”, its own words: the message outlived its queue lifetime), "
                        f"and its last attempt{said.replace('; ', ': ', 1)}")
        status = f", status {recipient.status}" if recipient.status else ""
        sent_to = dsn_sent_to(recipient)
        # The address the sender wrote first: the one it knows (RFC 3464 section 2.3.1).
        # The report does not say which server changed it: the reporting one or one before it.
        forwarded = (f" (the sender wrote to {_short(sent_to, 120)}, its Original-Recipient: an alias, a forward or "
                     "a rewrite on the way made it this address, so the failure is of that onward delivery)"
                     ) if sent_to else ""
        details.append(f"{recipient.final_recipient or recipient.original_recipient}{forwarded}: "
                       f"{recipient.action or 'no action'}{status}{said}")
    returned = ""
    if attached:
        returned = (f" The returned message{' header' if attached[0].headers_only else ''} is attached: "
                    f"`headerscope analyze FILE --attached {attached_path(path, attached[0].number)}` shows how it "
                    "travelled and "
                    f"how it was authenticated.")
    by = f" written by {report.reporting_mta}" if report.reporting_mta else ""
    written = "qmail's bounce format (QSBMF)" if report.format == "qmail" else "RFC 3464"
    contradictions = _dsn_contradictions(report.recipients[:_MAX_LISTED])
    if contradictions and severity is Severity.INFO:
        severity = Severity.NOTICE  # a "delivered" report that says otherwise is worth a look
    odd = (" Its fields do not agree with RFC 3464 (sections 2.3.3 and 2.3.4; RFC 3463 for the codes): "
           + "; ".join(contradictions) + ". A mail program that writes reports wrongly, or a message made "
           "to look like a report: what it says happened is not certain.") if contradictions else ""
    return Finding(
        id=f"dsn.{kind}", severity=severity, title=title,
        explanation=f"This message is a delivery status notification{by} ({written}), not the mail itself. "
                    + "; ".join(details) + "." + odd + returned,
        reference=_QSBMF if report.format == "qmail" else _RFC3464, subject="delivery report",
    )


# RFC 3464 section 2.3.3's actions, and the status classes (RFC 3463 section 3.1: 2 success,
# 4 persistent transient failure, 5 permanent failure) each may carry. A "failed" action with a
# 4.x.x code is usual (Postfix and Exim give up on a message that outlived its queue lifetime
# with the last reply's temporary code: see failure_meaning); "delayed" with 4.x.x only.
_DSN_ACTION_CLASSES = {"failed": "45", "delayed": "4", "delivered": "2", "relayed": "2", "expanded": "2"}
_CLASS_WORDS = {"2": "a success code", "4": "a temporary failure code", "5": "a permanent failure code"}


def _dsn_contradictions(recipients: Sequence[DsnRecipient]) -> list[str]:
    """What a report's recipients say that RFC 3464 does not allow: an unknown action, a status
    that is no enhanced status code, an action whose status class says the opposite (a "failed"
    with 2.0.0, a "delivered" with 5.7.1)."""
    said: list[str] = []
    for recipient in recipients:
        who = _short(recipient.final_recipient or recipient.original_recipient or "a recipient", 80)
        action, status = recipient.action, recipient.status
        if action is not None and action not in _DSN_ACTION_CLASSES:
            said.append(f"{who}: Action {_short(action, 40)!r} is none of failed, delayed, delivered, relayed, expanded")
        if status is not None and not re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", status):
            said.append(f"{who}: Status {_short(status, 40)!r} is not an enhanced status code (class.subject.detail, "
                        "class 2, 4 or 5)")
        elif status is not None and action in _DSN_ACTION_CLASSES and status[0] not in _DSN_ACTION_CLASSES[action]:
            said.append(f"{who}: Action {action} with Status {status}, {_CLASS_WORDS[status[0]]}")
    return said[:_MAX_LISTED]


# qmail's bounce format (QSBMF, https://cr.yp.to/proto/qsbmf.txt): a plain-text body that
# starts "Hi. This is the qmail-send program at HOST.", one paragraph per recipient that starts
# "<address>:" (its last "(#x.y.z)" an enhanced status code), and the returned message after
# a line "--- Below this line is a copy of the message.".
_QSBMF = "https://cr.yp.to/proto/qsbmf.txt"
_QMAIL_START = b"Hi. This is the qmail-send program at "
_QMAIL_COPY = "\n--- Below this line is "
_MAX_BOUNCE_TEXT = 65536
_qmail_status_re = compiled_on_first_use(r"\(#([245]\.\d{1,3}\.\d{1,3})\)")
# qmail-remote.c's report of a remote server's refusal in a recipient's paragraph: the host line
# (outhost(), the address it connected to), "Remote host said: " and the reply's lines
# (outsmtptext()), up to qmail-send's "Giving up on IP." or "I'm not going to try again" line.
# Bounded, each line once: linear on any text.
_HOST = r"[0-9A-Fa-f.:\[\]]{2,47}|[A-Za-z0-9][A-Za-z0-9.-]{0,252}"
_qmail_remote_re = compiled_on_first_use(
    rf"^(?:({_HOST}) does not like recipient\.|Connected to ({_HOST}) but sender was rejected\."
    rf"|({_HOST}) failed (?:on DATA command|after I sent the message)\.)[ \t]*\n"
    r"Remote host said:[ \t]{0,5}([245]\d\d[^\n]{0,1000}(?:\n(?!Giving up on |I'm not going to try again)[^\n]{1,1000}){0,20})",
    re.MULTILINE)
# The enhanced status code after a reply's code, its first text (RFC 2034 section 4): "550 5.1.1 ...".
_reply_status_re = compiled_on_first_use(r"[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})(?![\d.])")
# qmail-send.c's words when it gives up on a message that outlived its queue lifetime
# (queuelifetime, a week by default): appended to the last attempt's deferral, which it turns into
# a failure, right after that deferral's text (on its own line after qmail-remote's reply, or glued
# to a qmail-local text's "(#4.4.3)"). The failure is the expiry; the last reply was temporary.
_QMAIL_EXPIRED = "I'm not going to try again; this message has been in the queue too long."
# The same words wherever a line was broken between them (a bounce quoted and rewrapped).
_qmail_expired_re = compiled_on_first_use(r"\s{1,8}".join(map(re.escape, _QMAIL_EXPIRED.split(" "))))
# The SMTP command each of qmail-remote's host lines reports a refusal after (qmail-remote.c:
# "Connected to IP but sender was rejected." after MAIL FROM, "IP does not like recipient." after
# RCPT TO, "IP failed on DATA command." and "IP failed after I sent the message." after DATA).
_QMAIL_STAGES = (("but sender was rejected.", "MAIL FROM"), ("does not like recipient.", "RCPT TO"),
                 ("failed on DATA command.", "DATA"), ("failed after I sent the message.", "END OF DATA"))


# Where qmail-send's own words follow a reply it quotes: the end of the reply.
_QMAIL_AFTER_REPLY = ("\nGiving up on ", "\nI'm not going to try again")


def _cut_note(kept: str, whole: str, at_least: bool) -> str | None:
    """How much of a reply ``kept`` (white space collapsed) keeps of ``whole`` (as written), or
    None when it keeps it all: "the first 2000 of its 34512 characters (35 lines)". ``at_least``:
    the bounce's text was itself read only in part, so the reply may run on past it."""
    total = len(" ".join(whole.split()))
    if total <= len(kept):
        return None
    lines = whole.strip().count("\n") + 1
    return (f"the first {len(kept)} of its {'at least ' if at_least else ''}{total} characters "
            f"({'at least ' if at_least else ''}{lines} line{'s' if lines != 1 else ''}; white space runs counted "
            "as one)")


def _qmail_bounce(message: Message) -> tuple[DeliveryReport, tuple[tuple[AttachedMessage, bytes], ...]] | None:
    """The report and returned copy of a qmail bounce, or None when the body is not one."""
    if message.body_start is None:
        return None
    head = message.raw[message.body_start:message.body_start + 200].lstrip()
    if not head.startswith(_QMAIL_START):
        return None
    # Its text is read from the first 64 KB only, whatever size the returned copy has.
    body = message.raw[message.body_start:message.body_start + _MAX_BOUNCE_TEXT].decode("utf-8", "replace")
    text, copy_marker, _ = body.replace("\r\n", "\n").partition(_QMAIL_COPY)
    host = text.lstrip()[len(_QMAIL_START):].split("\n", 1)[0].strip().rstrip(".") or None
    # Read only in part (no copy marker within the first 64 KB of a longer body): the last
    # paragraph read may run on past what was read.
    partly_read = not copy_marker and len(message.raw) - message.body_start > _MAX_BOUNCE_TEXT
    recipients: list[DsnRecipient] = []
    paragraphs = re.split(r"\n[ \t]*\n", text)
    for index, paragraph in enumerate(paragraphs):
        last_read = partly_read and index == len(paragraphs) - 1
        paragraph = paragraph.strip()
        if not paragraph.startswith("<"):
            continue
        address, closing, said = paragraph[1:].partition(">:")
        if not closing or "\n" in address:
            continue
        # qmail-send's give-up line is its own reason, apart from the last attempt's text.
        expired = "I'm not going" in said and _qmail_expired_re().search(said) is not None
        if expired:
            said = _qmail_expired_re().sub("\n", said)
        diagnostic = address_safe_cut(" ".join(said.split()), _MAX_FIELD) or None  # (see _fields)
        cut = _cut_note(diagnostic, said, last_read) if diagnostic else None
        codes = _qmail_status_re().findall(said)
        code = codes[-1] if codes else None
        remote_mta = diagnostic_type = None
        own = [_QMAIL_EXPIRED] if expired else []
        remote = _qmail_remote_re().search(said)
        if remote is not None:
            # qmail-remote's words for a remote server's refusal ("IP does not like recipient.",
            # "Connected to IP but sender was rejected.", "IP failed on DATA command.", "IP failed
            # after I sent the message.") and "Remote host said:" before the reply's lines, as it
            # read them: the reply is the remote server's, its enhanced code the status when qmail
            # gives none of its own "(#x.y.z)", unless a temporary one when qmail gave up on an
            # expired message (the last attempt's refusal, not the failure's cause). qmail's
            # host line (which command was refused) and its give-up line are its own words.
            remote_mta = next(group for group in remote.groups()[:3] if group)
            # (Not cut inside an address by the reading's own bound on a line: address_safe_group.)
            diagnostic = address_safe_cut(" ".join(address_safe_group(remote, 4).split()), _MAX_FIELD)
            # The reading keeps at most 21 lines of 1,000 characters, then 2,000 characters: a
            # longer reply (a server's policy text, a multi-line reply of many lines) is cut, and
            # the report says so and how much was kept. The whole reply runs up to qmail-send's own
            # next line, or the paragraph's end.
            ends = [at for at in (said.find(after, remote.start(4)) for after in _QMAIL_AFTER_REPLY) if at >= 0]
            cut = _cut_note(diagnostic, said[remote.start(4):min(ends, default=len(said))], last_read and not ends)
            diagnostic_type = "smtp"
            own.insert(0, remote.group(0).partition("\n")[0].strip())
            if code is None:
                enhanced = _reply_status_re().match(diagnostic)
                # (qmail appends its give-up line to a deferral only: a 5.x.x beside it is kept.)
                code = enhanced.group(1) if enhanced and not (expired and enhanced.group(1)[0] == "4") else None
        recipients.append(DsnRecipient(
            final_recipient=address_safe_cut(address.strip(), 320) or None, original_recipient=None, action="failed",
            status=code, status_meaning=status_meaning(code) if code else None, remote_mta=remote_mta,
            diagnostic_code=diagnostic, diagnostic_type=diagnostic_type, text_reason=" ".join(own) or None,
            diagnostic_cut=cut))
        if len(recipients) >= MAX_RECIPIENTS:
            break
    if not recipients:
        return None
    report = DeliveryReport(reporting_mta=host[:255] if host else None, received_from_mta=None, arrival_date=None,
                            original_envelope_id=None, recipients=tuple(recipients), format="qmail")
    attached: tuple[tuple[AttachedMessage, bytes], ...] = ()
    if copy_marker:
        # The copy starts after the marker line and the blank line after it.
        start = message.raw.find(b"--- Below this line is ", message.body_start)
        line_end = message.raw.find(b"\n", start)
        data = message.raw[line_end + 1:].lstrip(b"\r\n") if start >= 0 and line_end >= 0 else b""
        inner = parse_message(data) if data else None
        if inner is not None and inner.headers and not all(h.defects for h in inner.headers):
            attached = ((AttachedMessage(
                number=1, content_type="text/plain", headers_only=inner.body_start is None, size=len(data),
                filename=None, from_header=inner.first_decoded("From"), to=inner.first_decoded("To"),
                subject=inner.first_decoded("Subject"), date=inner.first("Date"),
                message_id=inner.first("Message-ID"),
            ), data),)
    return report, attached


# Bounces written as text alone (Exchange Online's NDR as some clients keep it, Lotus Domino,
# Novell GroupWise, Exchange 5.5): told by their subject and sender, or by Exchange's own mark.
# (Plain prefixes, not a pattern: this is asked of every message that has no report part.)
# Delay warnings are delivery status notifications too (RFC 3464 section 2.3.3, "delayed"):
# Gmail's "(Delay)", Postfix's "Delayed Mail (still being retried)", Exchange's "Delivery
# delayed:", sendmail's "Warning: could not send message for past 4 hours" (before 8.9,
# "Returned mail: warning: cannot send message for 4 hours"). They are kept apart from the
# failure subjects: a delay subject must never be read as a failure, nor a failure as a delay.
_DELAY_SUBJECTS = ("delivery status notification (delay)", "delayed mail", "delivery delayed",
                   "warning: could not send message", "returned mail: warning")
# Exchange's localised "Undeliverable:" (its NDR's subject prefix in the sender's language): "Non
# remis", "Unzustellbar"; Italian "Non recapitabile" and Swedish "Olevererbart" as Sisimai's
# Exchange2007 reader lists them (lhost/via-exchange2007.go); Spanish "No se puede entregar" as a
# Gmail script that files Spanish bounces searches for it.
_FAILURE_SUBJECTS = ("undeliverable", "undelivered mail", "delivery status notification (failure)",
                     "failure notice", "returned mail", "mail delivery failed", "delivery failure",
                     "message status - undeliverable", "mail system error", "non remis", "unzustellbar",
                     "non recapitabile", "olevererbart", "no se puede entregar")
_BOUNCE_SUBJECTS = _FAILURE_SUBJECTS + _DELAY_SUBJECTS
_BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail delivery subsystem", "microsoft outlook",
                   "mail delivery system", "system administrator")
_enhanced_code_re = compiled_on_first_use(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")
# Where a text-only bounce names the recipient that failed: Exchange Online's "Your message to
# X couldn't be delivered" and "Recipient Address: X" (and its older "Delivery has failed to
# these recipients or groups:" before the address), Postfix's and qmail's "<X>:" at a line's
# start, a line of "<X>" alone (KDDI's; never indented, which a folded header line of a returned
# copy is), Exim's "The following address(es) failed:" followed by the address.
_ADDRESS = r"[^\s<>@:;,\"()]{1,64}@[A-Za-z0-9.-]{1,253}"
_failed_recipient_re = compiled_on_first_use(
    rf"Your message to <?({_ADDRESS})>? couldn't be delivered|Recipient Address:[ \t]*<?({_ADDRESS})>?"
    # KDDI's and docomo's label, indented, above their SMTP transcript: "    Recipient: <X>".
    rf"|^[ \t]{{0,20}}Recipient:[ \t]{{0,20}}<({_ADDRESS})>"
    rf"|^<({_ADDRESS})>:?[ \t]*\r?$|^<({_ADDRESS})>: "
    # A gateway's "Message details" quoting the envelope it refused (Verizon's email-to-SMS):
    # "  RCPT TO: 0000@vtext.com" on a line of its own.
    rf"|^[ \t]{{0,20}}RCPT TO:[ \t]{{0,5}}<?({_ADDRESS})>?[ \t]*\r?$"
    # Exchange Online's and Exchange 2013 and later's opening, "mx.google.com rejected your message to
    # the following email addresses:", a blank line, and the address as Outlook's text keeps it:
    # "jeff@gmail.com<mailto:jeff@gmail.com>", "Lindsay (noreply@github.com)<mailto:...>",
    # "jane@contoso.com ( jane@contoso.com )".
    rf"|rejected your message to the following e-?mail addresses:[ \t]*\r?\n(?:[ \t]*\r?\n){{0,2}}[ \t]{{0,20}}"
    rf"(?:[^\r\n(<>@]{{0,100}}\([ \t]?)?<?({_ADDRESS})"
    # Exchange's heading above each failed recipient, localised with the NDR: English "Delivery has
    # failed to these recipients or groups:", French "Échec de la remise pour ces destinataires ou
    # groupes :" (French typography's space, or no-break space, before the colon; an Exchange Online
    # NDR kept in a project's tests), Spanish "... destinatarios o grupos:" (a script that reads
    # Spanish Exchange NDRs takes the address after these words).
    # Every repetition bounded and no two overlapping: linear on any text.
    rf"|(?:failed|recipients or groups|destinataires ou groupes|destinatarios o grupos)[ \t\u00a0]?:"
    rf"[ \t]*\r?\n(?:[ \t]*\r?\n){{0,2}}[ \t]{{0,20}}<?({_ADDRESS})>?[ \t]*\r?\n",
    re.MULTILINE)


# The SMTP session a bounce quotes (RFC 5321 section 4.2 replies): the command, sendmail's and
# KDDI's ">>> RCPT To:<X>", Exim's "SMTP error from remote mail server after RCPT TO:<X>:", and on
# one of the next lines the server's refusal, "<<< 550 5.1.1 <X>... User unknown" or Exim's "host
# mx.example.com [192.0.2.1]: 550 ...". Only a 4xx or 5xx reply is a refusal.
_rcpt_command_re = compiled_on_first_use(rf"RCPT[ \t]TO:[ \t]{{0,5}}<({_ADDRESS})>", re.IGNORECASE)
_refusal_re = compiled_on_first_use(r"(?:^[ \t]{0,20}<<<[ \t]{0,5}|^[ \t]{0,20}|\]:[ \t]{1,5})([45]\d\d[ -][^\r\n]{1,300})")
# sendmail's "<<< 550 5.1.1 <X>... User unknown" after ">>> DATA": the reply names the recipient.
_quoted_refusal_re = compiled_on_first_use(rf"^[ \t]{{0,20}}<<<[ \t]{{0,5}}([45]\d\d[ -][^\r\n<]{{0,80}}<({_ADDRESS})>[^\r\n]{{0,200}})",
                                           re.MULTILINE)


def _transcript_refusals(text: str) -> dict[str, str]:
    """The recipients the quoted SMTP transcript of a text bounce shows refused, each with the
    server's reply as written (first line, one line, bounded). Read from the text: a bounce that
    carries no report part (RFC 3464) has no field that says it."""
    found: dict[str, str] = {}
    for count, command in enumerate(_rcpt_command_re().finditer(text)):
        if count >= _MAX_LISTED * 2:
            break
        address = command.group(1)
        following = text[command.end():command.end() + 800].split("\n")[:4]
        # The rest of the command's own line (Exim's ":"), then up to three lines below it.
        for line in following[1:]:
            m = _refusal_re().search(line)
            if m is not None:
                # (Not cut inside an address, by the regex's bound or here: --redact would show
                # the start of a mailbox name; address_safe_group, address_safe_cut.)
                found.setdefault(address, address_safe_cut(" ".join(address_safe_group(m, 1).split()), 300))
                break
            if line.strip().startswith(">>>"):
                break  # the next command: this one was accepted
    for count, quoted in enumerate(_quoted_refusal_re().finditer(text)):
        if count >= _MAX_LISTED * 2:
            break
        found.setdefault(quoted.group(2), address_safe_cut(" ".join(address_safe_group(quoted, 1).split()), 300))
    return found


_lone_address_re = compiled_on_first_use(r"\(?(?:generated (?:from|by) )?<?[^\s<>@]{1,64}@[^\s<>@]{1,253}>?\)?")


def _indented_block(text: str, address: str) -> list[str]:
    """The lines indented below an address standing alone on its line (Exim's plain-text
    bounce: the host, "SMTP error from remote mail server after ...:" and the reply), each
    with its white space collapsed; at most 12 lines of 500 characters. The address as written
    first, then in any case: the local part is case-sensitive in theory (RFC 5321 section 2.4),
    but Exim writes the report's "Carol@dest.example" as "carol@dest.example" in its text."""
    exact = _address_block(text, address, (m.start() for m in re.finditer(re.escape(address), text)))
    if exact is not None or not address:
        return exact or []
    folded = re.finditer(re.escape(address), text, re.IGNORECASE)
    return _address_block(text, address, (m.start() for m in folded)) or []


def _address_block(text: str, address: str, places: Iterator[int]) -> list[str] | None:
    """_indented_block at the first of ``places`` (where the address starts in ``text``) where it
    stands alone on its line; None when at none of the first 20."""
    for at in itertools.islice(places, 20):  # bounded: a hostile text may repeat the address on one long line
        line_start = text.rfind("\n", 0, at) + 1
        line_end = text.find("\n", at)
        if line_end < 0:
            return None
        before = text[line_start:at]
        if not before.strip(" \t<") and not text[at + len(address):line_end].strip(" \t>\r"):
            indent = len(before) - len(before.lstrip(" \t"))
            block: list[str] = []
            for line in text[line_end + 1:line_end + 1 + 6000].split("\n")[:12]:
                stripped = line.strip()
                if not stripped or len(line) - len(line.lstrip(" \t")) <= indent:
                    break
                if _lone_address_re().fullmatch(stripped):
                    continue  # an address the failed one was expanded from ("(generated from x@y)"), not a reason
                block.append(address_safe_cut(" ".join(stripped.split()), 500))  # (see _fields)
            return block
    return None


# Exim's line before the remote server's reply ("SMTP error from remote mail server after RCPT
# TO:<x>:"; "after pipelined MAIL FROM:<x> SIZE=1024:", "after end of data:", "after initial
# connection:"), and the reply: at a line's start, or after the host ("host X [ip]: 550 ...").
_exim_after_re = compiled_on_first_use(r"SMTP error from remote (?:mail server|mailer|host) after (?:pipelined )?(.{1,300})")
_reply_line_start_re = compiled_on_first_use(r"(?:^|\]:[ \t]{1,5})([45]\d\d(?:[ -].{0,400})?)$")
_exim_host_re = compiled_on_first_use(r"^host ([A-Za-z0-9.-]{1,253}) \[([0-9A-Fa-f.:]{2,45})\]")
# The SMTP command a refusal came after (RFC 5321 section 3.3), and what refusing there means.
_STAGES = (
    ("MAIL FROM", "the sender address was refused (after MAIL FROM), not the recipient",
     "the remote server refused the envelope sender (its address or domain, or how the sender's server is "
     "routed or authenticated), before any recipient was tried"),
    ("RCPT TO", "the recipient address was refused (after RCPT TO)",
     "the remote server refused the recipient address"),
    ("DATA", "the message was refused after its content was sent (DATA): content or policy",
     "the remote server took the addresses and refused the message itself, after its content: a content or "
     "policy refusal (spam, malware, authentication such as DMARC, size)"),
    ("END OF DATA", "the message was refused after its content was sent (DATA): content or policy",
     "the remote server took the addresses and refused the message itself, after its content: a content or "
     "policy refusal (spam, malware, authentication such as DMARC, size)"),
)


def _block_reason(block: list[str]) -> tuple[str | None, str | None, str | None]:
    """(the reason, the remote host, the SMTP command the refusal came after) of the lines
    indented below a failed address: the remote server's reply when a line gives one (its
    lines joined), else the first line."""
    if not block:
        return None, None, None
    host = next((f"{m.group(1)} [{m.group(2)}]" for m in map(_exim_host_re().match, block) if m), None)
    command: str | None = None
    start = 0
    for index, line in enumerate(block):
        after = _exim_after_re().search(line)
        if after is not None:
            command = after.group(1).rstrip(": ")
            start = index + 1
            break
    replies: list[str] = []
    for line in block[start:] if command else block:
        found = _reply_line_start_re().search(line)
        if found is None:
            if replies:
                break
            continue
        replies.append(found.group(1))
        if found.group(1)[3:4] != "-":
            break  # "550 text" ends a reply; "550-text" continues it (RFC 5321 section 4.2.1)
    reason = address_safe_cut(" ".join(replies), _MAX_FIELD) if replies else block[0]  # (see _fields)
    return reason, host, command


def _stage(command: str | None) -> tuple[str, str] | None:
    """(a short phrase, a sentence) for the SMTP command a refusal came after, or None."""
    if not command:
        return None
    upper = command.upper()
    for name, short, long in _STAGES:
        if upper.startswith(name):
            return short, long
    return (f"refused after {_short(command, 40)}, before any address was taken",
            f"the remote server refused the session after {_short(command, 60)}, before the message's addresses")


def _x_failed_recipients(message: Message) -> list[str]:
    """The addresses of X-Failed-Recipients (Exim's, Google's): the recipients a bounce is about."""
    from .addresses import parse_addresses

    found: list[str] = []
    for field in message.all("X-Failed-Recipients")[:3]:
        for address in parse_addresses(field.value[:4000])[:_MAX_LISTED]:
            if address.domain and address.address not in found:
                found.append(address.address)
    return found


# A refusal quoted with the envelope it refused: an SMTP reply of 4yz or 5yz at a line's start and
# a "RCPT TO:" line (Verizon's email-to-SMS gateway: "550 - Requested action not taken: no such
# user here" ... "RCPT TO: 0000@vtext.com").
_reply_line_re = compiled_on_first_use(rb"^[ \t]{0,20}[45]\d\d[ -]", re.MULTILINE)
_rcpt_line_re = compiled_on_first_use(rb"^[ \t]{0,20}RCPT TO:", re.MULTILINE | re.IGNORECASE)


def _role_address(message: Message) -> bool:
    """Whether the From: address's local part (not its display name) is a mail system's role
    (postmaster, mailer-daemon, post_master...)."""
    from .addresses import parse_addresses

    author = next((a.address for a in parse_addresses((message.first("From") or "")[:500]) if a.domain), "")
    local = author.rpartition("@")[0].lower().replace("_", "").replace("-", "").replace(".", "")
    return local in ("postmaster", "mailerdaemon", "maildaemon", "mailerdeamon", "mailadmin")


def _transcript_rejection(message: Message) -> bool:
    """Whether the message's first text part quotes an SMTP refusal and the RCPT TO it refused."""
    texts = _text_bodies(message)[:1]
    if not texts and message.body_start is not None:
        # No text part found (a damaged Content-Type): the body's start as written.
        texts = [message.raw[message.body_start:message.body_start + _MAX_BOUNCE_TEXT]]
    from .addresses import parse_addresses

    own = {a.address.lower() for a in parse_addresses((message.first("To") or "")[:2000]) if a.domain}
    for text in texts:
        head = text[:_MAX_BOUNCE_TEXT]
        rcpt = _rcpt_line_re().search(head)
        if _reply_line_re().search(head) is None or rcpt is None:
            continue
        line = head[rcpt.end():head.find(b"\n", rcpt.end())].decode("utf-8", "replace")
        refused = {a.address.lower() for a in parse_addresses(line.strip().strip("<>")[:400]) if a.domain}
        # A bounce goes back to the sender; one refusing delivery to the very address it was
        # delivered to is no bounce (verification V14 F3).
        if refused and refused <= own:
            continue
        return True
    return False


_BOUNCE = "_mime_looks_like_bounce"


def _looks_like_bounce(message: Message) -> bool:
    """Whether the message says it is a bounce: Exchange's own mark, or a bounce's Subject
    (RFC 2047-decoded: Amazon SES writes "=?iso-8859-15?Q?Delivery_Status_Notification_=28Failure=29?=")
    from a mail system's sender."""
    # Asked four times of every message by the carried-part readers: answered once.
    cached: bool | None = message.__dict__.get(_BOUNCE)
    if cached is None:
        cached = message.__dict__[_BOUNCE] = _bounce_said(message)
    return cached


def _bounce_said(message: Message) -> bool:
    """_looks_like_bounce, not cached."""
    if message.first("X-MS-Exchange-Message-Is-Ndr") is not None:
        return True
    subject = (message.first_decoded("Subject") or "")[:200].lstrip().lower()
    sender = (message.first_decoded("From") or "")[:300].lower()
    # Written with punctuation inside ("post_master@vtext.com", "mailer_daemon"): the same role.
    squeezed = sender.replace("_", "").replace("-", "")
    if not any(s in sender or s.replace("-", "") in squeezed for s in _BOUNCE_SENDERS):
        return False
    if subject.startswith(_BOUNCE_SUBJECTS):
        return True
    if _role_address(message) and (message.first("Return-Path") or "<>").strip() == "<>" \
            and _transcript_rejection(message):
        # A gateway that answers in the thread ("Re: Test message", Verizon's email-to-SMS) with
        # the refusal and the envelope it refused: the words say it is a bounce. Only from a role
        # address itself (not a display name anyone types) and with the null sender or none
        # recorded (RFC 5321 section 4.5.5; verification V14 F3: a phish typed the two lines).
        return True
    # A localised subject with the English words after it ("投递状态通知 (Failure Notice)", eYou's
    # and Coremail's): the words anywhere, when the envelope sender is the null one every bounce
    # is sent from (RFC 5321 section 4.5.5).
    return (message.first("Return-Path") or "").strip() == "<>" and any(words in subject for words in _BOUNCE_SUBJECTS)


def _subject_kind(message: Message) -> str | None:
    """"delay" or "failure" for a notice's Subject, or None. A notifier writes its own words
    first and the returned message's subject after them ("Undeliverable: Delivery delayed: x" is a
    failure of a message so titled), so the words found first decide; at one place the longer
    wins (sendmail's "Returned mail: warning: cannot send message" is a delay)."""
    subject = (message.first_decoded("Subject") or "")[:200].lstrip().lower()
    best: tuple[int, int, str] | None = None
    for kind, phrases in (("failure", _FAILURE_SUBJECTS), ("delay", _DELAY_SUBJECTS)):
        for phrase in phrases:
            at = subject.find(phrase)
            if at >= 0 and (best is None or (at, -len(phrase)) < best[:2]):
                best = (at, -len(phrase), kind)
    return best[2] if best else None


# Gmail's text bounce: "The error that the other server returned was: 550 550 5.1.1 user unknown
# (UserSearch) (state 14)." (and its later "The response from the remote server was:").
_gmail_reply_re = compiled_on_first_use(
    r"(?:The error that the other server returned was|The response from the remote server was):"
    r"[ \t]{0,5}(?:\r?\n[ \t]{0,20}){0,2}([^\r\n]{1,400})")


def _gmail_reply(text: str) -> str | None:
    """The remote server's reply a Gmail text bounce quotes, or None."""
    found = _gmail_reply_re().search(text)
    if found is None:
        return None
    reply = " ".join(found.group(1).split()).rstrip(".")
    return reply[:_MAX_FIELD] or None


# The opening words of the notices mail servers write when they return a message (their text
# part, the first thing a person copies): Exim's, Postfix's, sendmail's, qmail's, Gmail's,
# Exchange's. A paste whose header follows such words returned that header: it is the copy the
# notice carried, and the words say what happened to it.
_NOTICE_OPENINGS = (
    ("This message was created automatically by mail delivery software", "Exim"),
    ("This is the mail system at host", "Postfix"),
    ("----- Transcript of session follows -----", "sendmail"),
    ("The original message was received at", "sendmail"),
    ("Hi. This is the qmail-send program", "qmail"),
    ("Delivery to the following recipient", "Gmail"),
    ("Delivery has failed to these recipients", "Exchange"),
    ("Échec de la remise pour ces destinataires", "Exchange"),
)
# How a notice frames itself, in the server's own sentence, not in the remote reply it quotes (a
# final "451 4.3.0 Temporary error" ends many permanent failures: Exim's "retry timeout
# exceeded"). Given up: Exim's "This is a permanent error", Gmail's "failed permanently",
# Postfix's "could not be delivered" with no warning line, Exchange's heading "Delivery has
# failed to these recipients or groups:" (French "Échec de la remise pour ces destinataires ou
# groupes :"). Still trying (RFC 3464 section
# 2.3.3's "delayed"): Exim's "This is a temporary error ... deferred:" and its delay warning
# "has not yet been delivered", Postfix's "THIS IS A WARNING ONLY", Gmail's "has been delayed".
_permanent_re = compiled_on_first_use(
    r"\bThis is a permanent error\b|\bfailed permanently\b|\bretry timeout exceeded\b"
    r"|\bpermanent fatal errors?\b|\bDelivery has failed to these recipients\b"
    r"|Échec de la remise pour ces destinataires\b", re.IGNORECASE)
# Exchange's delay notice: "Delivery is delayed to these recipients or groups:", "This message
# hasn't been delivered yet. Delivery will continue to be attempted."; Gmail's since about 2016:
# "There was a temporary problem delivering your message to X. Gmail will retry for 46 more hours."
_temporary_re = compiled_on_first_use(
    r"\bThis is a temporary error\b|\baddress(?:\(es\))? deferred:|\bhas not yet been delivered\b"
    r"|\bhas been delayed\b|\bTHIS IS A WARNING (?:MESSAGE )?ONLY\b"
    r"|\bis delayed to these recipients\b|\bhasn['\u2019]t been delivered yet\b|\bwill continue to be attempted\b"
    r"|\btemporary problem delivering\b|\bwill retry for [0-9]{1,3} more (?:hour|day)", re.IGNORECASE)
# What makes a notice's own text a failure report, whatever delay words it also has: an RFC 3463
# permanent status code (5.X.X), a permanent SMTP reply (RFC 5321 section 4.2.1, 5yz) where
# notices quote one (at a line's start; Postfix's "said:", Exchange's "returned '" and "#550",
# Gmail's "was:", sendmail's "<<<", Exim's "host [ip]:"), and the failure sentences of Postfix,
# Exim, Exchange and Gmail. Postfix's delay warning says "could not be delivered for more than 4
# hour(s)": that is no failure.
_failure_frame_re = compiled_on_first_use(
    r"(?<![\d.])5\.\d{1,3}\.\d{1,3}(?![\d.])"
    r"|(?:^[ \t]{0,20}|\bsaid:|\breturned|\bwas:|<<<|\]:|#)[ \t']{0,5}5[0-5]\d(?:[ -]|\r?$)"
    r"|\bcould(?: not|n['\u2019]t) be delivered\b(?! for more than)|\bwasn['\u2019]t delivered\b",
    re.IGNORECASE | re.MULTILINE)
# Where a plain-text notice's returned copy starts, past _copy_marker's lines: qmail's "--- Below
# this line is a copy of the message.", a header field at a line's start, a MIME part header of a
# message kept as text.
_copy_start_re = compiled_on_first_use(
    rb"^(?:[ \t]{0,8}-{2,}[ \t]{0,5}Below this line is a copy|(?:Received|Return-Path):[ \t]"
    rb"|Content-Type:[ \t]{0,5}(?:message/rfc822|text/rfc822-headers))", re.IGNORECASE | re.MULTILINE)
# Gmail's later delay notice names the recipient in its sentence ("delivering your message to X.").
_delay_to_re = compiled_on_first_use(rf"temporary problem delivering your message to <?({_ADDRESS})>?",
                                     re.IGNORECASE)
# Exim's list of deferred addresses: "The following address(es) deferred:", each on its own line.
# Gmail's delay notice: "Delivery to the following recipient has been delayed:", a blank line,
# the address indented; Exchange's "Delivery is delayed to these recipients or groups:".
_deferred_recipient_re = compiled_on_first_use(
    rf"(?:deferred|has been delayed|have been delayed|is delayed to these recipients or groups):[ \t]*\r?\n(?:[ \t]*\r?\n){{0,2}}[ \t]{{0,20}}"
    rf"<?({_ADDRESS})>?[ \t]*\r?\n")


# Exchange's diagnostic block ("Diagnostic information for administrators"), whose labels are
# localised but whose reply line is not: Exchange 2007's "Remote Server returned '550 5.1.1
# RESOLVER.ADR.ExRecipNotFound; not found'" and Exchange 2010 and later's "#550 5.1.1
# RESOLVER.ADR.ExRecipNotFound; not found ##", each on the line below the recipient
# (https://learn.microsoft.com/exchange/mail-flow/non-delivery-reports-and-bounce-messages/non-delivery-reports-and-bounce-messages).
# Exchange 2013 and later, and Exchange Online and Outlook.com, write a remote server's refusal as
# "Remote server returned '...'" (lower-case "server" in current ones), the remote server's name on
# the line between it and the recipient, and a multi-line reply joined into the one line (Gmail's
# 5.7.26 runs past 400 characters): the quoted reply ends at the line's last quote (it may hold
# one, "recipient's"). Bounded, one line: linear on any text.
_exchange_reply_re = compiled_on_first_use(
    r"^[ \t]{0,20}(?:Remote [Ss]erver returned '([245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}[^\r\n]{0,2000})'"
    r"|#([245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}[^\r\n#]{0,300})(?:##|#?[ \t]*\r?$))", re.MULTILINE)
# The title Exchange writes above the header of the message it returns, in the languages whose
# wording is known (Sisimai's Exchange2007/Office365 readers list the same): en, fr, it, nl, pt, sv.
_EXCHANGE_HEADER_TITLES = ("Original message headers:", "En-têtes de message d'origine :",
                           "En-têtes de message d'origine:", "Intestazioni originali del messaggio:",
                           "Oorspronkelijke berichtkoppen:", "Cabeçalhos originais da mensagem:",
                           "Ursprungshuvuden:")
# An Exchange address that encapsulates a legacyExchangeDN (X.500) address: a stale Outlook
# auto-complete entry or contact whose directory object is gone gives RESOLVER.ADR.ExRecipNotFound
# (https://learn.microsoft.com/exchange/troubleshoot/email-delivery/imceaex-ndr).
_IMCEAEX = "IMCEAEX-"
_exchange_recipient_re = compiled_on_first_use(r"<?[^\s<>@]{1,600}@[A-Za-z0-9.-]{1,253}>?")
# The remote server's line between the recipient and the reply: a host name or an address literal.
_exchange_host_re = compiled_on_first_use(r"[A-Za-z0-9][A-Za-z0-9.-]{0,252}|\[?[0-9A-Fa-f.:]{2,45}\]?")
# The server that wrote the NDR, on its own line in the same block: en, fr; nl and pt as Sisimai
# lists; it and sv as Sisimai's Exchange2007 reader lists them ("Server di generazione",
# "Genererande server"); de as a hosted-Exchange provider's guide to its German NDRs shows it
# ("Generierender Server: <server>", hilfe.cloud4you.biz, "Fehlermeldungen beim Versand und Empfang").
_generating_server_re = compiled_on_first_use(
    r"^[ \t]{0,20}(?:Generating server|Serveur de génération|Bronserver|Servidor de origem|Server di generazione"
    r"|Genererande server|Generierender Server)[ \t]{0,3}:[ \t]{0,5}"
    r"([A-Za-z0-9][A-Za-z0-9.-]{0,252})[ \t]*\r?$", re.MULTILINE)


def _exchange_diagnostic(text: str) -> tuple[str | None, str, str | None] | None:
    """(the recipient above the diagnostic line, Exchange's reply, the remote server named
    between them) of the first diagnostic line. The recipient is the nearest of the three
    non-empty lines above that is an address, with nothing but a host name between it and the
    reply: Exchange 2010's "recipient / #550 ..." and Exchange 2013 and later's "recipient /
    remote host / Remote server returned '...'"."""
    found = _exchange_reply_re().search(text)
    if found is None:
        return None
    reply = joined_reply(" ".join((found.group(1) or found.group(2)).split()))
    above = [line for line in (line.strip() for line in text[max(0, found.start() - 2000):found.start()].splitlines()[-6:])
             if line][-3:]
    address = remote = None
    for line in reversed(above):
        # An IMCEAEX local part is longer than RFC 5321's 64 octets: Exchange writes it so.
        if _exchange_recipient_re().fullmatch(line):
            address = line.strip("<>")
            break
        if remote is not None or not _exchange_host_re().fullmatch(line):
            remote = None
            break
        remote = line
    return address, reply, remote if address else None


def pasted_notice(text: str) -> Finding | None:
    """A finding for the words of a bounce or delay notice pasted above the header it returned
    (the header is analysed; these words are not a header field): which recipient failed or was
    deferred, and the server's reason. None when the text is no such notice."""
    text = text[:_MAX_BOUNCE_TEXT]
    writer = next((name for opening, name in _NOTICE_OPENINGS if opening in text), None)
    # Exchange's diagnostic line and its localised header title say what the English opening
    # would, in any language (a French NDR's "La remise a échoué..." is not in _NOTICE_OPENINGS).
    diagnostic = _exchange_diagnostic(text) if writer in (None, "Exchange") else None
    if writer is None and (diagnostic is not None or any(title in text for title in _EXCHANGE_HEADER_TITLES)):
        writer = "Exchange"
    if writer is None:
        return None
    temporary = _permanent_re().search(text) is None and _temporary_re().search(text) is not None
    found = _deferred_recipient_re().search(text) if temporary else None
    if found is None:
        found = next((m for m in _failed_recipient_re().finditer(text)), None)
    address = next((group for group in found.groups() if group), None) if found else None
    if diagnostic is not None and diagnostic[0] and not address:
        address = diagnostic[0]
    indented, host, command = _block_reason(_indented_block(text, address)) if address else (None, None, None)
    wrote = ""
    if diagnostic is not None and host is None:
        # The remote server Exchange names above its reply, for that recipient; else the server
        # that generated the report (then its own words: no remote server was named).
        remote = diagnostic[2] if diagnostic[0] is not None and diagnostic[0].lower() == (address or "").lower() \
            else None
        generating = _generating_server_re().search(text)
        host = remote or (generating.group(1) if generating else None)
        if remote is not None and generating is not None and generating.group(1).lower() != remote.lower():
            wrote = f" {generating.group(1)} generated the report"
    reason = indented or (_gmail_reply(text) if address else None) or (diagnostic[1] if diagnostic else None)
    imceaex = (" The recipient is an IMCEAEX address: a legacyExchangeDN (X.500) address wrapped for SMTP, "
               "from an Outlook auto-complete entry or a contact whose directory object no longer exists; "
               "adding that X.500 address to the mailbox or contact, or clearing the entry, is the usual fix."
               ) if address and address.upper().startswith(_IMCEAEX) else ""
    codes = list(dict.fromkeys(_enhanced_code_re().findall(reason or text)))[:3]
    # A code the vendor that wrote the text uses for something else is read as it means it (the
    # text is Exchange's, or names its servers or diagnostic), as in a report (_reported_meaning).
    vendor = _vendor_meaning(codes[0], " ".join((writer, host or "", reason or ""))) if codes else None
    meaning = vendor or ((status_meaning(codes[0]) if temporary else failure_meaning(codes[0], status_meaning(codes[0])))
                         if codes else None)
    code = f" ({codes[0]}: {meaning})" if codes and meaning else f" ({codes[0]})" if codes else ""
    who = address or "a recipient"
    said = f" The server's reason: “{_short(reason, 400)}”" + (f" (from {host})" if host else "") + "." \
        if reason else ""
    said += (wrote + "." if reason and wrote else "") + imceaex
    stage = _stage(command)
    if temporary:
        return Finding(
            id="dsn.delayed", severity=Severity.NOTICE,
            title=f"Delay notice pasted above the header: delivery to {_short(who, 80)} was deferred{code}",
            explanation=(f"The text before the pasted header fields is a delivery notice ({writer}'s words), and the "
                         f"header below it is the copy of the message it returned. It says delivery to {who} failed "
                         "for now, with a temporary error: the server keeps the message and tries again; it was not "
                         f"lost (RFC 3464 section 2.3.3, action delayed).{said}"
                         + (f" {stage[1].capitalize()}." if stage else "")),
            reference=_RFC3464, subject="delivery report")
    return Finding(
        id="dsn.unstructured", severity=Severity.WARNING,
        title=f"Bounce pasted above the header: delivery to {_short(who, 80)} failed{code}"
              + (f"; {stage[0]}" if stage else ""),
        explanation=(f"The text before the pasted header fields is a non-delivery report ({writer}'s words), and the "
                     f"header below it is the copy of the message it returned. It says delivery to {who} failed "
                     f"permanently.{said}" + (f" {stage[1].capitalize()}." if stage else "")),
        reference=_RFC3464, subject="delivery report")


def _notice_text(message: Message) -> str:
    """The notice's own words: its first text part up to the copy of the message it returns (a
    returned message says what its writer wrote, "your order has been delayed" included)."""
    bodies = _text_bodies(message)
    body = bodies[0] if bodies else b""
    end = len(body)
    marker = _copy_marker().search(body) if b"---" in body else None
    if marker is not None:
        end = marker.start()
    start = _copy_start_re().search(body, 0, end)
    if start is not None:
        end = start.start()
    for title in _EXCHANGE_HEADER_TITLES:
        at = body.find(title.encode(), 0, end)
        if at >= 0:
            end = at
    return body[:end].decode("utf-8", "replace")


def _sender_note(message: Message) -> tuple[bool, str]:
    """(whether the notice came from the null sender, what its report says when it did not, or ""):
    real delivery notices are sent with the null reverse-path (RFC 5321 section 4.5.5); one that is
    not says what anyone can write. Return-Path: <MAILER-DAEMON> is Postfix's local delivery
    writing the null sender (envelope_address)."""
    sender = (message.first("Return-Path") or "").strip()[:200]
    if sender and envelope_address(sender) == "":
        return True, ""
    return False, (
        f" It was not sent with the null sender (Return-Path: {_short(sender, 80)}), as real delivery notices are "
        "(RFC 5321 section 4.5.5): its words are a claim of whoever sent it." if sender else
        " Its envelope sender is not recorded here; real delivery notices are sent with the null sender (RFC 5321 "
        "section 4.5.5), so its words are a claim until that is known.")


def _unstructured_delay(message: Message, carried: Sequence[tuple[AttachedMessage, bytes]]) -> Finding | None:
    """A delay warning without a machine-readable report (Gmail's plain-text "Delivery Status
    Notification (Delay)", Exchange's "Delivery delayed:"): the recipient still being retried, the
    server's reason, and how long the message has waited. None, for the failure reading, when the
    notice's own text or header says a delivery failed (a 5.X.X code or 5yz reply, X-Failed-Recipients,
    a failure subject, "could not be delivered"), or when neither its subject nor its text says delay."""
    kind = _subject_kind(message)
    if kind == "failure" or message.first("X-Failed-Recipients") is not None:
        return None
    text = _notice_text(message)
    if _permanent_re().search(text) is not None or _failure_frame_re().search(text) is not None:
        return None
    framed = _temporary_re().search(text) is not None
    if not framed and kind != "delay":
        return None
    found = _deferred_recipient_re().search(text) or _delay_to_re().search(text)
    who = found.group(1).rstrip(".") if found else None
    reason = _gmail_reply(text) or _delay_reason(text)
    codes = list(dict.fromkeys(_enhanced_code_re().findall(reason or text)))[:3]
    meaning = status_meaning(codes[0]) if codes else None
    code = f" ({codes[0]}: {meaning})" if codes and meaning else f" ({codes[0]})" if codes else ""
    waited = _returned_copy_waited(message, carried)
    retry = _retry_re().search(text)
    null, sender_note = _sender_note(message)
    target = f"delivery to {_short(who or 'a recipient', 80)}"
    if framed:
        title = f"Delay notice: {target} is still being retried{code}"
        said = (f"This message is a delay warning (its {'subject, sender and ' if kind == 'delay' else 'sender and '}"
                f"text say delivery {'to ' + who + ' ' if who else ''}is delayed)")
    else:
        subject = message.first_decoded("Subject") or ""
        title = f"Delay notice (by its subject): {target} is said to be delayed{code}"
        said = (f"Its subject (“{_short(subject, 80)}”) and sender say this is a delay warning; its own text, "
                "before any returned copy, names no failure (no 5.X.X status, no 5yz reply, no X-Failed-Recipients, "
                "no “could not be delivered”), but does not say in words read here that delivery is still tried")
    if not null:
        title = title.replace("Delay notice", "Delay notice not sent with the null sender", 1)
    copy_note = (" The message it returns (listed with the attached messages) is the notice writer's copy, the "
                 "message that waits if the notice is genuine"
                 + (f"; if the returned copy is genuine, its latest Received is stamped {waited} before this "
                    "notice's Date:, how long the message had waited when the notice was written" if waited else "")
                 + ".") if carried else ""
    return Finding(
        id="dsn.delayed", severity=Severity.NOTICE, title=title,
        explanation=(f"{said}: if the notice is genuine, the server keeps the message and tries again; it was not "
                     "lost and nothing needs resending yet (RFC 3464 section 2.3.3, action delayed). It carries no "
                     "delivery status part, so this is read from its text." + sender_note
                     + (f" The server's reason: “{_short(reason, 300)}”." if reason else "")
                     + (f" {_short(retry.group(0), 120)}." if retry else "")
                     + copy_note),
        reference=_RFC3464, subject="delivery report")


# Gmail's "Message will be retried for 2 more day(s)" and later "Gmail will retry for 46 more
# hours"; Postfix's "will retry for N more days".
_retry_re = compiled_on_first_use(r"\b(?:Message will be retried|(?:Gmail )?will retry) for [0-9]{1,3} more (?:day|hour)\(?s?\)?",
                                  re.IGNORECASE)
# Gmail's old delay notice puts the reply in brackets below "Technical details of temporary
# failure:"; its later one below "The response was:"; Exchange's delay notice gives "Remote Server
# at mx.example (192.0.2.45) returned '400 4.4.7 Message delayed'".
_delay_reason_re = compiled_on_first_use(
    r"Technical details of temporary failure:[ \t]*\r?\n(?:[^\r\n]{0,400}\r?\n){0,3}?[ \t]{0,5}(\[[^\r\n\]]{1,300}\])"
    r"|The response was:[ \t]{0,20}(?:\r?\n[ \t]{0,20}){0,3}([^\s][^\r\n]{0,399})"
    r"|Remote Server at [^\r\n']{1,200} returned '([^'\r\n]{1,300})'")


def _delay_reason(text: str) -> str | None:
    found = _delay_reason_re().search(text)
    return next((group for group in found.groups() if group), None) if found else None


def _returned_copy_waited(message: Message, carried: Sequence[tuple[AttachedMessage, bytes]]) -> str:
    """How long after the returned copy's latest Received stamp this notice is dated ("24 h 39
    min"), or "" when either date cannot be read or has no time zone (read as UTC, it would be
    off by the zone's hours): how long the message has been waiting, if that copy is genuine."""
    if not carried:
        return ""
    from .received import parse_date_noted

    inner = parse_message(carried[0][1][:_MAX_BOUNCE_TEXT])
    stamp = inner.first("Received")
    accepted, accepted_notes = parse_date_noted(stamp.rpartition(";")[2][:200]) if stamp and ";" in stamp \
        else (None, [])
    dated, dated_notes = parse_date_noted((message.first("Date") or "")[:200])
    if accepted is None or dated is None or any("time zone" in note for note in accepted_notes + dated_notes):
        return ""
    minutes = int((dated - accepted).total_seconds() // 60)
    if minutes < 0 or minutes > 60 * 24 * 60:
        return ""  # a clock is wrong: no waiting time to give
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if hours else f"{rest} min"


def _unstructured_bounce(message: Message, carried: Sequence[tuple[AttachedMessage, bytes]] = ()) -> Finding | None:
    """A finding for a bounce that carries no machine-readable report, with the enhanced status
    codes its text gives; None when the message does not look like a bounce. A delay warning
    (the server still retries) is a notice of its own, not a failure: a delay subject comes to the
    failure reading only when the notice's own text or header says a delivery failed."""
    if not _looks_like_bounce(message):
        return None
    delayed = _unstructured_delay(message, carried)
    if delayed is not None:
        return delayed
    ndr_mark = message.first("X-MS-Exchange-Message-Is-Ndr") is not None
    subject = message.first_decoded("Subject") or ""
    multipart = (message.first("Content-Type") or "").lstrip().lower().startswith("multipart/")
    # A single-part bounce is read with its transfer encoding undone (Gmail's is quoted-printable,
    # its soft line breaks inside the sentences it writes).
    bodies = _text_bodies(message) if not multipart else []
    body = bodies[0] if bodies else \
        message.raw[message.body_start:message.body_start + _MAX_BOUNCE_TEXT] if message.body_start else b""
    text = body.decode("utf-8", "replace")
    codes = list(dict.fromkeys(_enhanced_code_re().findall(text)))[:5]
    said = "; ".join(f"{code}: {status_meaning(code) or 'unregistered code'}" for code in codes)
    why = "Exchange marks it as a non-delivery report (X-MS-Exchange-Message-Is-Ndr)" if ndr_mark else \
        f"its subject (\"{_short(subject, 80)}\") and sender say so" if _subject_kind(message) is not None \
        else f"its sender ({_short(message.first_decoded('From') or '', 80)}) and the SMTP refusal its text quotes say so"
    # A bounce from a sender other than the null one is a claim of whoever sent it (as a delay
    # notice's is, _sender_note): forged "Undeliverable" notices come so.
    null, sender_note = _sender_note(message)
    unsent = "" if null or not message.first("Return-Path") else " (not sent with the null sender)"
    # Exim and Google name the failed recipients in a header field of their own.
    failed = _x_failed_recipients(message)
    failed += [address for address in dict.fromkeys(next(group for group in match.groups() if group)
                                                    for match in _failed_recipient_re().finditer(text))
               if address not in failed]
    refusals = _transcript_refusals(text) if "<<<" in text or "RCPT" in text.upper() else {}
    failed += [address for address in refusals if address not in failed]
    # Exchange's diagnostic block: the recipient, the remote server and its reply (pasted_notice).
    diagnostic = _exchange_diagnostic(text) if "returned '" in text or "#" in text else None
    if diagnostic is not None and diagnostic[0] and diagnostic[0] not in failed:
        failed.append(diagnostic[0])
    failed = failed[:_MAX_LISTED]
    if failed:
        # What a ticket asks first, as for a structured report (dsn.failed): who did not get it.
        names = ", ".join(failed[:3]) + (f" and {len(failed) - 3} more" if len(failed) > 3 else "")
        # Exim writes each failed address on its own line and the reason indented below it
        # ("  user@example.com\n    Unrouteable address"): the reason a ticket asks for. The
        # server's own refusal in the SMTP transcript the bounce quotes, when there is one, says more
        # (Exim puts "SMTP error from remote mail server after RCPT TO:<X>:" on that indented line).
        reply = refusals.get(failed[0]) or _gmail_reply(text)
        exchange_host = generating = None
        from_block = False
        if not reply and diagnostic is not None and (diagnostic[0] or "").lower() == failed[0].lower():
            reply, exchange_host = diagnostic[1], diagnostic[2]
            from_block = True
            if exchange_host is None:
                # No remote server named between the recipient and the reply: Exchange's generating
                # server is then the one that refused the message (the "Generating server" field,
                # https://learn.microsoft.com/exchange/mail-flow/non-delivery-reports-and-bounce-messages/non-delivery-reports-and-bounce-messages).
                found_server = _generating_server_re().search(text)
                generating = found_server.group(1) if found_server else None
        # Exim's block below the address: the host, the command the refusal came after (MAIL
        # FROM: the sender was refused, not the recipient) and the reply itself.
        indented, host, command = _block_reason(_indented_block(text, failed[0]))
        # The block's reply, all its lines, before the transcript's first line.
        reason = indented if command and indented and indented[:1] in "45" and indented[1:3].isdigit() \
            else reply or indented
        stage = _stage(command)
        # The refusal's own enhanced code before the first in the text (an accepted command's "250 2.1.5").
        first = next(iter(_enhanced_code_re().findall(reason)), None) if reason and (reply or command) else None
        first = first or (codes[0] if codes else None)
        meaning = failure_meaning(first, status_meaning(first)) if first else None
        code = f" ({first}: {meaning})" if first and meaning else \
            f" ({first})" if first else f" (“{_short(reason, 100)}”)" if reason else ""
        quoted = ""
        if reason:
            whose = f", the reply of {exchange_host} as Exchange's diagnostic block quotes it" \
                if exchange_host and reason == reply else \
                ", as Exchange's diagnostic block gives it" + (
                    f"; the block names no remote server, so by its account its generating server, {generating}, "
                    "refused it" if generating else "") if from_block and reason == reply else \
                ", the receiving server's reply in the SMTP session the bounce quotes, read from its text" \
                if reason == reply else f", the reply of {host}" if host and command else \
                ", the remote server's reply" if command else ""
            quoted = (f" ({failed[0]}: “{_short(reason, 300)}”{whose}"
                      + (f" after {_short(command, 120)}: {stage[1]}" if stage and command else "") + ")")
        return Finding(
            id="dsn.unstructured", severity=Severity.WARNING,
            title=f"Bounce{unsent}: delivery to {names} failed{code}" + (f"; {stage[0]}" if stage else ""),
            explanation=(f"This message is a non-delivery report: {why}. It carries no delivery status part "
                         f"(RFC 3464); its text names the recipient(s) that failed: {', '.join(failed)}"
                         + quoted
                         + (f", and the status codes {said}" if said else "") + ". The message it returns, "
                         "when attached, is listed with the attached messages." + sender_note),
            reference=_RFC3464, subject="delivery report",
        )
    return Finding(
        id="dsn.unstructured", severity=Severity.NOTICE,
        title="Bounce without a machine-readable report" + (f" ({codes[0]})" if codes else "") + unsent,
        explanation=(f"This message looks like a non-delivery report: {why}. It carries no delivery status "
                     "part (RFC 3464), so which recipient failed is only in its text"
                     + (f"; the status codes there are {said}" if said else "") + ". The message it "
                     "returns, when attached, is listed with the attached messages." + sender_note),
        reference=_RFC3464, subject="delivery report",
    )


_RFC5965 = "https://www.rfc-editor.org/rfc/rfc5965"
_RFC6591 = "https://www.rfc-editor.org/rfc/rfc6591"
# Severity by feedback type: a complaint or a failure report is something a sender must act on.
# X-ARF categories that complain of nothing: the rest are warnings (_feedback_finding).
_XARF_NOTICES = frozenset({"info", "not-spam", "other"})
_FEEDBACK_SEVERITY = {"abuse": Severity.WARNING, "fraud": Severity.WARNING, "virus": Severity.WARNING,
                      "auth-failure": Severity.WARNING, "not-spam": Severity.INFO}


# How a report without ARF's report part is named, and said.
_UNFORMATTED = {
    "jmrp": ("Microsoft JMRP, not ARF",
             "This message is a complaint from Microsoft's Junk Mail Reporting Program (JMRP, Outlook.com), not the "
             "mail itself, and not in the Abuse Reporting Format (RFC 5965): it has no report part; the "
             "complained-about message is attached, with its original recipient in X-HmXmrOriginalRecipient: "),
    "spamcop": ("SpamCop, not ARF",
                "This message presents itself as a spam report from SpamCop (a recipient reported the spam there, "
                "and SpamCop wrote to the abuse address of the network it blamed), not the mail itself, and not in "
                "the Abuse "
                "Reporting Format (RFC 5965): its Subject and text name the source IP, and the reported message "
                "follows its \"Offending message\" line. What it says is the report's claim: "),
    "xarf": ("X-ARF, not ARF",
             "This message is an abuse report in the X-ARF format (x-arf.org: \"X-ARF: Yes\" and a report.txt part), "
             "not the mail itself, and not in the Abuse Reporting Format (RFC 5965): a reporter (often an "
             "automatic one, as blocklist.de's) tells the network's abuse address what it saw from a source. What "
             "it says is the report's claim: "),
    "text": ("plain text, not ARF",
             "This message is a DMARC failure report (RFC 7489 section 7.3) written as plain text (Exim's layout), not "
             "in the Abuse Reporting Format (RFC 6591), and not the mail itself: a receiver tells the domain's owner "
             "that a message claiming its domain failed DMARC there: "),
}


def _feedback_finding(feedback: FeedbackReport, attached: tuple[AttachedMessage, ...], path: str = "",
                      removed: bool = False, partial: str | None = None, authors: int = 0) -> Finding:
    """The finding of a feedback report. ``removed``: its message part holds no message (the
    reporter replaced the copy, as "REDACTED"). ``partial``: a passing signer aligned with only
    some of the ``authors`` From: domains (report_signer); ``feedback.authenticated_by`` the one
    aligned with all of them."""
    kind = feedback.feedback_type
    unformatted = _UNFORMATTED.get(feedback.format)
    writer = _short(feedback.user_agent or feedback.reporting_mta, 80)
    label = writer or (unformatted[0] if unformatted else None)
    signer = feedback.authenticated_by
    if feedback.format == "spamcop":
        # Read as SpamCop's only with spamcop.net's own passing DKIM signature (_spamcop_report):
        # its From: and Return-Path are the sender's text (reviews V17 N6, V18 P3).
        label = f"{label}; DKIM-signed by {signer or _SPAMCOP_DOMAIN}"
        authenticated = f"a DKIM signature of {signer or _SPAMCOP_DOMAIN} passes: SpamCop sent it"
    else:
        # No report format authenticates itself (RFC 5965 section 8.2; X-ARF has nothing of the
        # kind): a passing signature aligned with every From: domain (report_signer) is what shows
        # who wrote it. One aligned with only one of two From: domains leaves the other anyone's.
        some = f"signed by {partial}, for one of {authors} From: domains; " if partial and not signer else ""
        if feedback.format == "xarf":
            label = "X-ARF; " + (f"DKIM-signed by {signer}" if signer else f"{some}not authenticated")
        authenticated = (f"a DKIM signature of {signer}, aligned with its From: domain, passes" if signer else
                         (f"a DKIM signature of {partial} passes, but it vouches for only one of its {authors} "
                          "From: domains; " if some else "")
                         + "no DKIM signature aligned with its From: domain passes here (nor did the receiver "
                         "record one): who wrote it is not shown, and anyone can write the format")
    by = f" ({label})" if label else ""
    source = f" sent from {feedback.source_ip}" if feedback.source_ip else ""
    about = [f"Feedback-Type {kind}" + (f": {feedback.meaning}" if feedback.meaning else "")]
    about.append(authenticated)
    if feedback.source_ip and feedback.format != "xarf" and _source_ip_address(feedback.source_ip) is None:
        # RFC 5965 section 3.2: Source-IP is the address the reported message came from; text
        # that is none is shown as written (marked), never as where the message was sent from.
        written = _short(shown_hidden(feedback.source_ip), 80)
        source = ""
        about.append(f"its Source-IP, {written!r}, is not an IP address (RFC 5965 section 3.2 asks for the "
                     "address the reported message came from)")
    if writer:
        about.append(f"written by {writer}")
    if feedback.original_mail_from:
        about.append(f"envelope sender {feedback.original_mail_from}")
    if feedback.original_rcpt_to:
        about.append(recipients_words(feedback, shown=3))
    if feedback.arrival_date:
        # X-ARF's Date is when the reporter saw the incident, not a message's arrival.
        about.append(f"{'seen' if feedback.format == 'xarf' else 'received'} {feedback.arrival_date}")
    if feedback.reported_domain:
        about.append(reported_domains_words(feedback, shown=3))
    if kind == "auth-failure":
        failed = (feedback.auth_failure or "").strip().lower()
        if failed:
            what = _AUTH_FAILURE_MEANINGS.get(failed, failed)
            title = f"Authentication failure report{by}: a message{source} failed ({what})"
        else:
            # Auth-Failure is optional (RFC 6591 section 3.2): without it the report names no check.
            title = (f"Authentication failure report{by}: a message{source} failed authentication (the report "
                     "does not say which check)")
        for label, value in (("delivery result", feedback.delivery_result),
                             ("identity alignment", feedback.identity_alignment),
                             ("DKIM domain", feedback.dkim_domain), ("DKIM selector", feedback.dkim_selector)):
            if value:
                about.append(f"{label} {_short(value, 80)}")
        reference = _RFC6591
    elif feedback.format == "xarf":
        # What X-ARF reports is a source (an address, a phishing page's URL), often no message.
        # Its values are shown with their hidden characters marked (shown_hidden): a Category
        # "ab<NUL>use" must not read as "abuse" (review V19 P5).
        named = _short(shown_hidden(feedback.source_ip or next(iter(feedback.reported_uri), None)
                                    or next(iter(feedback.reported_domain), None) or ""), 100)
        title = (f"Abuse report{by}: {named or 'a source the report does not name'} was reported "
                 f"({_short(shown_hidden(feedback.meaning or ''), 120)})")
        about[0] = shown_hidden(feedback.meaning or "")
        for label, value in (("reported source", feedback.source_ip or next(iter(feedback.reported_uri), None)),
                             ("service", feedback.service), ("report ID", feedback.report_id)):
            if value:
                about.append(f"{label} {_short(shown_hidden(value), 200)}")
        reference = _XARF_SPEC
    else:
        title = {"abuse": f"Abuse report{by}: a message{source} was reported as abuse",
                 "fraud": f"Fraud report{by}: a message{source} was reported as fraud or phishing",
                 "virus": f"Virus report{by}: a message{source} was reported as carrying malware",
                 "not-spam": f"Not-spam report{by} about a message{source}",
                 }.get(kind, f"Feedback report ({_short(kind, 40)}){by} about a message{source}")
        reference = _RFC5965
    returned = ""
    if attached:
        first = attached[0]
        # What the reported message claims: a failure report's is often a spoof of the domain's own address.
        what = f" (“{_short(first.subject, 100) or '(no subject)'}” from {_short(first.from_header, 100) or '(no From)'})"
        # Only a report a signature vouches for says which message it reports: in anyone's text,
        # the attached message is whatever the sender chose to attach (review V19 P1).
        attached_words = (f"The reported message{' header' if first.headers_only else ''} is attached"
                          if signer else
                          f"A message{' header' if first.headers_only else ''} is attached (the sender's choice)")
        returned = (f" {attached_words}{what}: "
                    f"`headerscope analyze FILE --attached {attached_path(path, first.number)}` shows how it "
                    "travelled and "
                    f"how it was authenticated.")
    elif removed:
        # RFC 6591 section 3.1 lets a reporter redact the copy it returns; some replace it whole.
        returned = (" Its message part holds no message: the reporter removed the copy of the reported message, "
                    "so only the report's own fields above describe it.")
    identifier = kind.replace("-", "_") if kind in _FEEDBACK_MEANINGS else "other"
    intro = unformatted[1] if unformatted else \
        "This message is a feedback report in the Abuse Reporting Format (RFC 5965), not the mail itself: "
    severity = _FEEDBACK_SEVERITY.get(kind, Severity.NOTICE)
    if feedback.format == "xarf" and kind not in _XARF_NOTICES:
        # X-ARF exists for abuse complaints: XARF 4's categories (connection, infected, messaging,
        # content, login-attack...) each report the network's source doing harm, as 0.2's "abuse"
        # does: the same SSH attack is no milder in the newer version (verification V19 P4).
        severity = Severity.WARNING
    return Finding(
        id=f"feedback.{identifier}", severity=severity, title=title,
        explanation=(intro + "; ".join(about) + "." + returned),
        reference=reference, subject="feedback report",
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def recipients_words(feedback: FeedbackReport, shown: int | None = None) -> str:
    """The report's Original-Rcpt-To fields with their count first, and at how many domains:
    "20 recipients at 9 domains, first 3: a, b, c" (``shown``: how many are named; all kept
    when None). The count is what tells one complaint from a campaign to many mailboxes."""
    kept = feedback.original_rcpt_to
    total = max(feedback.original_rcpt_to_total, len(kept))
    domains = {address.rpartition("@")[2].lower() for address in kept if "@" in address}
    at = (f" at {_plural(len(domains), 'domain')}" + (" or more" if total > len(kept) else "")) if domains else ""
    named = kept if shown is None else kept[:shown]
    first = f", first {len(named)}" if len(named) < total else ""
    return f"{_plural(total, 'recipient')}{at}{first}: {', '.join(named)}"


def reported_domains_words(feedback: FeedbackReport, shown: int | None = None) -> str:
    """The report's Reported-Domain fields with their count first: "9 reported domains, first 3: ..."."""
    kept = feedback.reported_domain
    total = max(feedback.reported_domain_total, len(kept))
    named = kept if shown is None else kept[:shown]
    first = f", first {len(named)}" if len(named) < total else ""
    return f"{_plural(total, 'reported domain')}{first}: {', '.join(named)}"


# What each format is, for the feedback section's heading and intro (review V19 P1: it said
# "ARF, RFC 5965" for every format, and nothing of who wrote it).
_FEEDBACK_FORMATS = {
    "arf": "an abuse or authentication failure report in the Abuse Reporting Format (ARF, RFC 5965)",
    "xarf": "an abuse report in the X-ARF format (x-arf.org, not ARF)",
    "spamcop": "a SpamCop spam report (SpamCop's own layout, not ARF)",
    "jmrp": "a Microsoft JMRP complaint (Outlook.com's Junk Mail Reporting Program, not ARF)",
    "text": "a DMARC failure report in plain text (RFC 7489 section 7.3, Exim's layout, not ARF)",
}
_FEEDBACK_SHORT = {"arf": "ARF, RFC 5965", "xarf": "X-ARF", "spamcop": "SpamCop", "jmrp": "Microsoft JMRP",
                   "text": "a DMARC failure report in text"}


def feedback_heading(feedback: FeedbackReport) -> str:
    """The feedback section's heading: the format, and "claimed, not authenticated" when no
    aligned signature vouches for the report."""
    written = _FEEDBACK_SHORT.get(feedback.format, feedback.format)
    if feedback.format == "arf" and feedback.feedback_type == "auth-failure":
        written += ", RFC 6591"
    return f"Feedback report ({written}; " + (
        f"DKIM-signed by {feedback.authenticated_by})" if feedback.authenticated_by else "claimed, not authenticated)")


def feedback_intro(feedback: FeedbackReport, attached: bool = False) -> str:
    """The feedback section's sentence: what the message is, in its format's words, whether a
    signature vouches for it, and what its attached message is."""
    what = _FEEDBACK_FORMATS.get(feedback.format, "an abuse or authentication failure report")
    if feedback.format == "arf" and feedback.feedback_type == "auth-failure":
        what += " for an authentication failure (RFC 6591)"
    signer = feedback.authenticated_by
    vouched = (f"DKIM-signed by {signer}, which vouches for what it says" if signer else
               "claimed, not authenticated: no DKIM signature aligned with its From: domain passes, and anyone can "
               "write this format, so every field below is the claim of whoever sent it")
    copy = ""
    if attached:
        copy = (" The message it reports is listed under the attached messages." if signer else
                " A message is attached (the sender's choice), listed under the attached messages.")
    return f"This message is {what}, not the mail itself; {vouched}.{copy}"


def feedback_rows(feedback: FeedbackReport) -> tuple[tuple[str, str], ...]:
    """(label, value) for each part of a feedback report that was written, in the order a
    reader wants them; shared by the terminal, HTML and Markdown reports. First whether it is
    authenticated; an X-ARF report's under X-ARF's own field names (review V19 P4). Values
    from the report show their hidden characters (shown_hidden, review V19 P5): the terminal
    would remove them silently, and "ab<NUL>use" would read as "abuse"."""
    failed = (feedback.auth_failure or "").strip().lower()
    xarf = feedback.format == "xarf"
    authenticated = (f"yes: DKIM-signed by {feedback.authenticated_by}" if feedback.authenticated_by
                     else "no: anyone can write this format")
    rows = [
        ("Category" if xarf else "Feedback-Type",
         feedback.feedback_type + (f" ({feedback.meaning})" if feedback.meaning else "")),
        ("Report-Type", feedback.report_type or ""),
        ("Source-Type", feedback.source_type or ""),
        ("Auth-Failure", (feedback.auth_failure or "") + (f" ({_AUTH_FAILURE_MEANINGS[failed]})"
                                                          if failed in _AUTH_FAILURE_MEANINGS else "")),
        ("Delivery-Result", feedback.delivery_result or ""),
        ("Identity-Alignment", feedback.identity_alignment or ""),
        ("Source" if xarf else "Source-IP", feedback.source_ip or ""),
        ("Original-Mail-From", feedback.original_mail_from or ""),
        ("Original-Rcpt-To", recipients_words(feedback) if feedback.original_rcpt_to else ""),
        ("Date (seen)" if xarf else "Arrival-Date", feedback.arrival_date or ""),
        ("Reported-Domain", reported_domains_words(feedback) if feedback.reported_domain else ""),
        ("Source" if xarf else "Reported-URI", ", ".join(feedback.reported_uri)),
        ("DKIM-Domain", feedback.dkim_domain or ""),
        ("DKIM-Selector", feedback.dkim_selector or ""),
        ("SPF-DNS", feedback.spf_dns or ""),
        ("Authentication-Results", "; ".join(feedback.authentication_results)),
        ("Service", feedback.service or ""),
        ("Report-ID", feedback.report_id or ""),
        ("Incidents", feedback.incidents or ""),
        ("User-Agent", feedback.user_agent or ""),
        ("Version", (feedback.version or "") if xarf else ""),
        ("Reporting-MTA", feedback.reporting_mta or ""),
    ]
    return (("Authenticated", authenticated),
            *((label, shown_hidden(value)) for label, value in rows if value))


_RFC8098 = "https://www.rfc-editor.org/rfc/rfc8098"
_RFC3834 = "https://www.rfc-editor.org/rfc/rfc3834#section-5"
# RFC 8098 section 3.2.6.2: what happened to the message at the recipient.
_DISPOSITIONS = {
    "displayed": "the recipient's mail program displayed it (a read receipt; not proof that a person read it)",
    "deleted": "it was deleted without being displayed",
    "dispatched": "it was sent somewhere else (printed, faxed, forwarded) without being displayed",
    "processed": "it was processed without being displayed (an automatic action)",
    "denied": "the recipient declined to send a receipt",
    "failed": "no receipt could be made",
}


def _disposition_finding(message: Message, parts: list[_Part]) -> Finding | None:
    """A finding for a message disposition notification (a read receipt, RFC 8098), or None."""
    for part in parts:
        if part.content_type not in _DISPOSITION_TYPES:
            continue
        listed = list(_part_fields(message, part))
        fields = dict(listed)
        # RFC 8098 section 3.1 gives a notification one Disposition field; where it carries more
        # that differ, the first is read (as a mail program's parser would) and the others said.
        written = [value.strip() for name, value in listed if name == "disposition" and value.strip()]
        if not written:
            continue
        # Fields that differ only in case, white space or comments say the same (section 3.2.6's
        # tokens are case-insensitive; RFC 5322 CFWS may stand between them): one disposition.
        by_meaning: dict[str, str] = {}
        for value in written:
            by_meaning.setdefault(re.sub(r"\([^()]{0,200}\)|\s+", "", value[:400]).lower(), value)
        dispositions = list(by_meaning.values())
        disposition = dispositions[0]
        # "manual-action/MDN-sent-manually; displayed": the mode, then the type (section 3.2.6).
        kind = disposition.rpartition(";")[2].strip().split("/")[0].lower()
        recipient = _address(_typed(fields.get("final-recipient"))) or "the recipient"
        original = fields.get("original-message-id")
        by = _typed(fields.get("reporting-ua"))
        about = f" (Original-Message-ID {_short(original, 120)})" if original else ""
        others = "; ".join(f'"{_short(other, 120)}"' for other in dispositions[1:4])
        contradicted = (f" It carries {len(dispositions)} Disposition fields that differ (also {others}), where "
                        "RFC 8098 section 3.1 allows one: a mail program that writes receipts wrongly, or a message "
                        "made to look like a receipt; what happened to the message is not certain."
                        if len(dispositions) > 1 else "")
        return Finding(
            id="mdn.receipt", severity=Severity.NOTICE if contradicted else Severity.INFO,
            title=f"Read receipt from {_short(recipient, 80)}: {kind or 'disposition not given'}"
                  + (" (contradicted by another Disposition field)" if contradicted else ""),
            explanation=(f"This message is a message disposition notification (RFC 8098), not the mail itself: "
                         f"the answer to a request for a receipt for a message{about}. Disposition "
                         f"\"{_short(disposition, 120)}\": {_DISPOSITIONS.get(kind, 'a disposition RFC 8098 does not define')}."
                         + contradicted + (f" Written by {_short(by, 80)}." if by else "")),
            reference=_RFC8098, subject="disposition notification",
        )
    return None


# Marks that mail systems write on their automatic replies without RFC 3834's Auto-Submitted:
# (field, the value that marks it; "" for any value).
_AUTO_REPLY_MARKS = (
    ("X-Autoreply", ""), ("X-Autorespond", ""), ("X-Autoresponder", ""), ("X-Autogenerated", "reply"),
    ("X-QQ-HolidayReply", "true"), ("X-Mailer-Autoreply", ""), ("Precedence", "auto_reply"),
)


# The local parts of the addresses delivery reports are sent from (RFC 5321 section 4.5.5 asks
# for the null sender on them; these names are what their From: says).
_NOTIFIER_LOCAL_PARTS = frozenset(("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"))


# The subjects mail programs give automatic replies by default (Outlook's "Automatic reply:" in
# several languages, "Out of Office:"), for those that mark them no other way.
_AUTO_REPLY_SUBJECTS = ("out of office", "automatic reply", "auto reply", "auto-reply", "autoreply",
                        "abwesenheitsnotiz", "automatische antwort", "autosvar", "réponse automatique",
                        "respuesta automática", "risposta automatica", "automatisch antwoord", "resposta automática")


_AUTOMATIC = "_mime_automatic_notification"


def is_automatic_notification(message: Message) -> bool:
    """Whether the message says it is a delivery report, a disposition notification or an
    automatic reply: the messages sent with the null sender (RFC 5321 section 4.5.5 requires it of
    delivery reports; RFC 3834 section 3.3 advises it for automatic replies). Read from
    the header alone: a report's Content-Type (RFC 6522), Auto-Submitted other than "no" (RFC
    3834), a mail system's own auto-reply mark or a mail program's default auto-reply Subject,
    X-Failed-Recipients, a From: of MAILER-DAEMON."""
    # Asked by several readers of every message (the carried parts, the envelope): answered once,
    # in the message's own cache as _full_walk's walk is.
    cached: bool | None = message.__dict__.get(_AUTOMATIC)
    if cached is None:
        cached = message.__dict__[_AUTOMATIC] = _is_automatic_notification(message)
    return cached


def _is_automatic_notification(message: Message) -> bool:
    """is_automatic_notification, not cached."""
    content_type = (message.first("Content-Type") or "")[:200].lower()
    if "multipart/report" in content_type or message.first("X-Failed-Recipients") is not None:
        return True
    submitted = (message.first("Auto-Submitted") or "").strip()[:40].lower()
    if submitted and not submitted.startswith("no"):
        return True
    if _vendor_auto_reply(message) is not None:
        return True
    subject = (message.first_decoded("Subject") or "")[:80].strip().lower()
    if subject.startswith(_AUTO_REPLY_SUBJECTS):
        return True
    sender = (message.first("From") or "")[:300].lower()
    return any(f"{local}@" in sender or sender.strip().startswith(local) for local in _NOTIFIER_LOCAL_PARTS)


_VENDOR_AUTO_REPLY = "_mime_vendor_auto_reply"


def _vendor_auto_reply(message: Message) -> str | None:
    """The field marking the message as an automatic reply its system wrote, as written. Asked
    twice of every message (whether it is a notification, and its auto-reply finding): its seven
    field lookups are made once, in the message's own cache."""
    cache = message.__dict__
    if _VENDOR_AUTO_REPLY not in cache:
        cache[_VENDOR_AUTO_REPLY] = _read_vendor_auto_reply(message)
    found: str | None = cache[_VENDOR_AUTO_REPLY]
    return found


def _read_vendor_auto_reply(message: Message) -> str | None:
    """_vendor_auto_reply, not cached."""
    for name, wanted in _AUTO_REPLY_MARKS:
        value = message.first(name)
        if value is None:
            continue
        value = value.strip()
        if (not wanted and value.lower() not in ("", "no", "false", "0")) or (wanted and value.lower() == wanted):
            return f"{name}: {_short(value, 60)}"
    return None


_RFC2369 = "https://www.rfc-editor.org/rfc/rfc2369#section-3.2"


def _unsubscribe_request(message: Message) -> Finding | None:
    """A finding for a mail program's unsubscribe request: the message it sends to the mailto:
    address of a List-Unsubscribe field (RFC 2369 section 3.2) when its user unsubscribes.
    Apple Mail marks it X-Apple-Unsubscribe: true (and Auto-Submitted: auto-replied)."""
    apple = (message.first("X-Apple-Unsubscribe") or "").strip().lower() == "true"
    subject = (message.first_decoded("Subject") or "")[:40].strip().lower()
    submitted = (message.first("Auto-Submitted") or "").strip()[:40].lower()
    if not apple and not (subject == "unsubscribe" and submitted and not submitted.startswith("no")):
        return None
    to = _short((message.first_decoded("To") or "").strip(), 120) or "the list's address"
    return Finding(
        id="message.unsubscribe_request", severity=Severity.INFO,
        title="Unsubscribe request" + (" sent by Apple Mail (X-Apple-Unsubscribe)" if apple else ""),
        explanation=(f"This message asks to be taken off a mailing list: a mail program sent it for its user to "
                     f"{to}, the mailto: address a newsletter's List-Unsubscribe field names (RFC 2369 section "
                     "3.2), when the user chose to unsubscribe. It is not a reply written by a person, and not a "
                     "vacation notice."),
        reference=_RFC2369, subject="X-Apple-Unsubscribe" if apple else "Subject")


def _auto_reply_finding(message: Message) -> Finding | None:
    """A finding for an automatic reply (Auto-Submitted: auto-replied, RFC 3834, or a mail
    system's own mark of one, or an out-of-office Subject from the null sender), or None."""
    request = _unsubscribe_request(message)
    if request is not None:
        return request
    value = (message.first("Auto-Submitted") or "").strip()
    kind = value.split(";")[0].split("(")[0].strip().lower()
    if kind == "auto-generated":
        return _generated_auto_reply(message, value)
    if kind != "auto-replied":
        mark = _vendor_auto_reply(message) if kind in ("", "no") else None
        if mark is None:
            return _unmarked_auto_reply(message) if not kind else None
        return Finding(
            id="message.auto_reply", severity=Severity.INFO, title=f"Automatic reply ({mark})",
            explanation=(f"This message is marked as an automatic reply by its mail system (\"{mark}\"), not "
                         "with RFC 3834's Auto-Submitted field: a vacation notice or an autoresponder answering "
                         "a message, not written by a person."),
            reference=_RFC3834, subject=mark.partition(":")[0],
        )
    # auto-replied says only that a program answered a message (RFC 3834 section 5): a vacation
    # notice, and also a report, a confirmation or an unsubscribe request.
    return Finding(
        id="message.auto_reply", severity=Severity.INFO, title="Automatic reply (Auto-Submitted: auto-replied)",
        explanation=(f"This message was sent automatically in answer to another message (\"Auto-Submitted: "
                     f"{_short(value, 80)}\", RFC 3834 section 5), not written by a person: a vacation notice or an "
                     "autoresponder, or another program's answer (a report, a confirmation). Such replies go to the "
                     "envelope sender, and copy fields of the message they answer."),
        reference=_RFC3834, subject="Auto-Submitted",
    )


# Exchange's inbox rules (an Outlook rule's "have server reply using a specific message", an
# out-of-office rule) send their replies as "Auto-Submitted: auto-generated" with this source
# field (camilord/utilus's test data, a bphc.org reply of 2023 and parsedmarc's LinkedIn sample).
# The same agent also forwards and redirects by rule (Microsoft: X-MS-Exchange-Inbox-Rules-Loop
# counts redirects, forwards and automatic replies alike), so the field alone says no reply.
_RULES_AGENT_SOURCE = "X-MS-Exchange-Generated-Message-Source"
_RULES_AGENT = "mailbox rules agent"


def _generated_auto_reply(message: Message, value: str) -> Finding | None:
    """A finding for an automatic reply sent as "Auto-Submitted: auto-generated", or None.
    RFC 3834 section 5 gives auto-generated to a message that answers none, and auto-replied to
    an automatic response; Exchange's inbox rules write auto-generated on their replies all the
    same. Read as a reply only beside an explicit mark of one: a mail system's own auto-reply field
    (X-Autoreply: yes), or Exchange's rules agent as the source with a default auto-reply Subject."""
    mark = _vendor_auto_reply(message)
    source = (message.first(_RULES_AGENT_SOURCE) or "")[:100].strip()
    rules = source.lower() == _RULES_AGENT
    if mark is None:
        if not rules:
            return None  # (asked first: the Subject is decoded only for the rules agent's messages)
        subject = (message.first_decoded("Subject") or "")[:200].strip()
        if not subject.lower().startswith(_AUTO_REPLY_SUBJECTS):
            return None
        mark = f"Subject “{_short(subject, 60)}”"
        marked_by = (f"its Subject is a mail program's default for one (“{_short(subject, 60)}”) and Exchange's "
                     f"inbox rules wrote it ({_RULES_AGENT_SOURCE}: {source})")
        field = "Subject"
    else:
        marked_by = (f"its mail system marks it so (“{mark}”)"
                     + (f", and Exchange's inbox rules wrote it ({_RULES_AGENT_SOURCE}: {source})" if rules else ""))
        field = mark.partition(":")[0]
    return Finding(
        id="message.auto_reply", severity=Severity.INFO, title=f"Automatic reply ({mark})",
        explanation=(f"This message is an automatic reply: {marked_by}. A vacation notice or an autoresponder "
                     "answering a message, not written by a person. Its “Auto-Submitted: "
                     f"{_short(value, 80)}” says only that a program sent it: RFC 3834 section 5 asks an automatic "
                     "response to say auto-replied and gives auto-generated to messages that answer none, but "
                     "some systems (Exchange's inbox rules among them) write auto-generated on their replies."),
        reference=_RFC3834, subject=field,
    )


def _unmarked_auto_reply(message: Message) -> Finding | None:
    """A finding for an out-of-office reply that has no Auto-Submitted field: a mail program's
    default auto-reply Subject ("Out of Office:", "Automatic reply:") from the null sender
    (Exchange's and Outlook's rules, some gateways); None otherwise."""
    subject = (message.first_decoded("Subject") or "")[:200].strip()
    if not subject.lower().startswith(_AUTO_REPLY_SUBJECTS):
        return None
    if (message.first("Return-Path") or "").strip()[:10] != "<>":
        return None
    return Finding(
        id="message.auto_reply", severity=Severity.INFO,
        title=f"Automatic reply (Subject “{_short(subject, 60)}”), without Auto-Submitted",
        explanation=("This message is an automatic reply (an out-of-office or vacation notice): its Subject is a mail "
                     "program's default for one and it came from the null sender (Return-Path: <>). It lacks the "
                     "\"Auto-Submitted: auto-replied\" field RFC 3834 section 5 asks automatic responses to carry, "
                     "so other responders and list managers cannot tell it is automatic and may answer it in turn "
                     "(a mail loop): the sending system's auto-reply should add it."),
        reference=_RFC3834, subject="Auto-Submitted",
    )


# --- The message's cryptographic and structural wrapping ---------------------------------------
# Read from the part headers (and, for inline PGP and a calendar, a bounded look at a text part):
# no signature is verified and nothing is decrypted.
_RFC8551 = "https://www.rfc-editor.org/rfc/rfc8551#section-3.5"
_RFC3156 = "https://www.rfc-editor.org/rfc/rfc3156"
_RFC4880 = "https://www.rfc-editor.org/rfc/rfc4880"
_SMIME_SIGNATURES = frozenset({"application/pkcs7-signature", "application/x-pkcs7-signature"})
_SMIME_MIME = frozenset({"application/pkcs7-mime", "application/x-pkcs7-mime"})
_TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})
# Inline PGP (RFC 4880 section 6.2 armour) at the start of a line of a text body.
_ARMOR = b"-----BEGIN PGP "
_ARMOR_KINDS = ((b"SIGNED MESSAGE-----", "pgp_inline_signed"), (b"MESSAGE-----", "pgp_inline_encrypted"))
_MAX_ARMOR_SCAN = 1 << 20
"""Bytes of a body searched for an armour line."""
# The Subjects header protection puts on the outside of an encrypted message: RFC 9788 section
# 4.2's "[...]", the earlier drafts' and Thunderbird's and Delta Chat's "...", notmuch's and
# others' words.
# pEp's engine writes "p≡p" (its tests assert the outer shortMessage is "p≡p", and Enigmail's
# decryption reads that Subject as a placeholder).
_PLACEHOLDER_SUBJECTS = frozenset({"...", "[...]", "…", "encrypted message", "subject unavailable", "p≡p"})
_PROTECTED_FIELDS = ("From", "To", "Cc", "Subject", "Message-ID", "Date")
_RFC9788 = "https://www.rfc-editor.org/rfc/rfc9788"
_MAX_CALENDAR = 256 * 1024
"""Bytes of a text/calendar part read (a real invitation is a few KB)."""
_MAX_ATTENDEES = 1000
_ENCRYPTED_KINDS = ("smime_encrypted", "pgp_encrypted", "pgp_inline_encrypted")
# Bytes of a signed part's own header read for its protected fields (a real one is a few hundred).
_MAX_INNER_HEAD = 64 * 1024


def _has_armor(raw: bytes, start: int, end: int) -> list[str]:
    """The inline PGP kinds whose armour line starts a line of raw[start:end]."""
    found: list[str] = []
    position = start
    for _ in range(20):  # a few hits at most are looked at
        hit = raw.find(_ARMOR, position, end)
        if hit < 0:
            break
        position = hit + len(_ARMOR)
        if hit != start and raw[hit - 1:hit] != b"\n":
            continue  # quoted ("> -----BEGIN") or inside a sentence: not this body's armour
        kind = next((name for tail, name in _ARMOR_KINDS if raw.startswith(tail, position)), None)
        if kind is not None and kind not in found:
            found.append(kind)
    return found


def _address_of(value: str | None) -> str:
    """The addr-spec of a From:-like value, lower case, for comparing two copies of a field."""
    if not value:
        return ""
    inside = value.rpartition("<")[2].partition(">")[0] if "<" in value else value
    return inside.strip().lower()


_list_tag_re = compiled_on_first_use(r"\[[^\[\]\r\n]{1,60}\][ \t]?")


def _recipient_set(value: str) -> frozenset[str]:
    """The addresses of a To:- or Cc:-like value, lower case, as a set (their order aside)."""
    return frozenset(found.address.lower() for found in parse_addresses(value[:_MAX_ADDRESS_TEXT])[:100]
                     if found.domain)


def _kept_author(outer: Message, address: str) -> str | None:
    """The outer field that names ``address`` where a list that put its own address in From:
    keeps the author (Mailman's "Munge From": Reply-To, or Cc with reply_goes_to_list; Google
    Groups: X-Original-From; RFC 7960 section 4.1.3), or None."""
    for name in ("Reply-To", "X-Original-From", "Cc"):
        for field in outer.all(name)[:1]:
            if any(found.address.lower() == address for found in parse_addresses(field.value[:_MAX_ADDRESS_TEXT])[:20]
                   if found.domain):
                return name
    return None


def _protected_finding(outer: Message, inner: Message, kind: str,
                       list_from: str | None = None) -> tuple[tuple[tuple[str, str], ...], Finding]:
    """The protected header fields of a signed part and a finding comparing them with the outer ones.
    ``list_from``: the outer From: address when a mailing list's rewrite of From: to its own address
    is evidenced and that address is authenticated (see read_structure)."""
    fields: list[tuple[str, str]] = []
    differences: list[str] = []
    severity = Severity.INFO
    benign: list[str] = []
    author_kept_in: str | None = None
    benign_titles: list[str] = []
    first_different: str | None = None
    for name in _PROTECTED_FIELDS:
        value = inner.first_decoded(name)
        if value is None:
            continue
        value = " ".join(value.split())[:300]
        fields.append((name, value))
        theirs = " ".join((outer.first_decoded(name) or "").split())[:300]
        if name == "From":
            if _address_of(value) != _address_of(theirs):
                severity = Severity.WARNING
                if list_from is not None and _address_of(theirs) == list_from.lower() and _address_of(value):
                    author_kept_in = _kept_author(outer, _address_of(value))
                differences.append(f"From: is {_short(value, 120)} inside the signature but {_short(theirs, 120) or 'absent'} "
                                   "outside")
        elif value != theirs:
            # A list's "[tag] " put into the outer Subject: the signed one is the author's.
            if name in ("To", "Cc") and _recipient_set(value) and _recipient_set(value) == _recipient_set(theirs):
                # The same recipients in another order (Mailman 2.1 rewrites Cc: in its own
                # order): no recipient was added or removed.
                benign.append(f"{name}: names the same addresses inside and outside, in another order")
                benign_titles.append(f"{name} reordered")
            elif name == "Subject" and _list_tag_re().sub("", theirs, count=1).strip() == value.strip():
                benign.append(f"the outer Subject: adds a list's tag to the signed “{_short(value, 120)}” "
                              f"(outside: “{_short(theirs, 120)}”), as a mailing list does; benign")
                benign_titles.append("a list tagged the Subject")
            else:
                first_different = first_different or name
                differences.append(f"{name}: is “{_short(value, 120)}” inside the signature but "
                                   f"“{_short(theirs, 120) or '(absent)'}” outside")
    signer = "OpenPGP" if kind == "pgp_signed" else "S/MIME"
    said = "; ".join(differences + benign)
    if severity is Severity.WARNING and author_kept_in is not None and list_from is not None:
        # A list's DMARC mitigation (RFC 7960 section 4.1.3): the list put its own address in
        # From: and kept the author, whose address the signed part's From: is, in another field.
        # Said so, but still a warning (verification V62b D-3): the list fields, the kept author and
        # the inner From: are all the sender's to write, and the signature that would tie the inner
        # From: to its author is not verified here, so a domain of one's own dressed as a list
        # carries any inner From: (the recipient's own CEO, say) as easily as a list post does.
        title = ("The signed part's protected From: differs from the message's From:, which the fields of a "
                 "mailing list say it rewrote")
        why = (f" The message's fields read as a mailing list that rewrote From: to its own address "
               f"({_short(list_from, 120)}), as lists do so that the author's domain's DMARC policy does not reject "
               f"the message they changed (RFC 7960 section 4.1.3), keeping the author in {author_kept_in}:, which "
               f"names the protected From:'s address. DKIM, SPF and DMARC, above, vouch for the list's domain only, "
               f"and the list fields, the kept author and the inner From: are all the sender's to write: that the "
               f"inner From: wrote it rests on the {signer} signature, not verified here. A mail program that shows "
               "protected headers shows the inner From:; check the signature there before trusting it.")
    elif severity is Severity.WARNING:
        title = "The signed part's protected From: differs from the message's From:"
        why = (" A mail program that shows protected headers shows the inner From:, covered by the "
               f"{signer} signature; DKIM, SPF and DMARC judged the outer one. Two senders in one message is the "
               "mark of a spoof built on someone's signed message, or of a resent one: check both.")
    elif differences:
        title = "The signed part's protected header fields differ from the outer ones"
        why = " The inner copies are covered by the signature (not verified here); the outer ones are not."
    else:
        title = "The signed part carries protected header fields" + (
            f": {' and '.join(benign_titles)}" if benign_titles else "")
        why = (" The inner copies are covered by the signature (not verified here); the outer ones, which a list or "
               "relay may change, are not.")
    finding = Finding(
        id="message.protected_headers", severity=severity, title=title,
        explanation=(f"The signed part declares protected headers (RFC 9788; protected-headers=\"v1\" of the "
                     f"earlier draft) and repeats {', '.join(name for name, _ in fields) or 'no field'} inside the "
                     f"{signer} signature." + (f" Compared with the outer fields: {said}." if said else
                                                " They match the outer fields.") + why),
        reference=_RFC9788, subject="From" if severity is Severity.WARNING or author_kept_in
        else first_different or "Subject")
    return tuple(fields), finding


def _ical_lines(text: str, cut: list[bool] | None = None) -> Iterator[tuple[str, str]]:
    """(NAME with its parameters, value) of each content line, unfolded (RFC 5545 section 3.1:
    a line break followed by one space or tab continues the line)."""
    text = re.sub(r"\r?\n[ \t]", "", text)
    # Content lines end with CRLF (a bare LF, from a copy); never at the other characters
    # str.splitlines() breaks at (form feed, U+2028...): a calendar program reads "DESCRIPTION:
    # hi<FF>ORGANIZER:..." as one description, and so must this (verification V10, P2).
    for count, line in enumerate(text.split("\n")):
        if count > 20000:
            if cut is not None:
                cut.append(True)
            break
        if len(line) > 2001 and cut is not None:
            cut.append(True)  # a property past 2,000 characters is read only that far
        line = line.removesuffix("\r")[:2000]
        # The value starts after the first colon outside a quoted parameter value (CN="Doe: J").
        quoted = False
        for index, char in enumerate(line):
            if char == '"':
                quoted = not quoted
            elif char == ":" and not quoted:
                yield line[:index], line[index + 1:]
                break


def _calendar_parts(raw: bytes, parts: Sequence[_Part]) -> CalendarInvite | None:
    """The first calendar part's first event, with the organizers every calendar part names
    (a second part or a second ORGANIZER line may be the one a calendar program shows)."""
    found = [p for p in parts if p.content_type in _CALENDAR_TYPES and p.body_end > p.body_start]
    calendars = found[:20]
    if not calendars:
        return None
    invite = _calendar(raw, calendars[0])
    organizers = list(invite.organizers)
    whole = invite.read_whole and len(found) <= len(calendars)
    for part in calendars[1:]:
        other = _calendar(raw, part)
        whole = whole and other.read_whole
        for organizer in other.organizers:
            if organizer not in organizers:
                if len(organizers) < _MAX_ORGANIZERS:
                    organizers.append(organizer)
                else:
                    whole = False
    return replace(invite, organizers=tuple(organizers), read_whole=whole)


_CALENDAR_TYPES = frozenset({"text/calendar", "application/ics"})
_MAX_ORGANIZERS = 5


def _calendar(raw: bytes, part: _Part) -> CalendarInvite:
    """What the first event of a text/calendar part says (RFC 5545), bounded."""
    end = min(part.body_end, part.body_start + _MAX_CALENDAR)
    if end < part.body_end:
        cut = raw.rfind(b"\n", part.body_start, end)
        end = cut if cut > part.body_start else end  # a whole base64 line, never half of one
    stopped: list[bool] = [True] if end < part.body_end else []
    data = _decoded(raw, _Part(part.content_type, part.params, part.encoding, None, part.body_start, end))
    text = _part_text(data, part.params.get("charset", "utf-8"))
    method = part.params.get("method")
    organizer = summary = dtstart = None
    organizers: list[str] = []
    attendees = 0
    in_event = done = False
    alarm = 0
    for head, value in _ical_lines(text, stopped):
        name, _, params = head.partition(";")
        name = name.strip().upper()
        value = value.strip()[:200]
        if name == "METHOD" and not in_event:
            method = value  # the calendar's own METHOD property; the Content-Type's must match it
        elif name == "BEGIN" and value.upper() == "VEVENT" and not done:
            in_event = True
        elif name in ("BEGIN", "END") and value.upper() == "VALARM":
            # An alarm's ATTENDEE is whom the reminder is mailed to (RFC 5545 section 3.6.6), no guest.
            alarm = max(0, alarm + (1 if name == "BEGIN" else -1))
        elif name == "END" and value.upper() == "VEVENT":
            in_event, done = False, True  # the first event is the one read
        elif in_event and not alarm and name == "ATTENDEE":
            attendees = min(attendees + 1, _MAX_ATTENDEES)
        elif name == "ORGANIZER":
            named = re.sub(r"(?i)^mailto:", "", value) or None
            if in_event and organizer is None:
                organizer = named
            if named and named not in organizers:
                if len(organizers) < _MAX_ORGANIZERS:
                    organizers.append(named)  # every one, in any event: a program may show another
                else:
                    stopped.append(True)
        elif in_event and name == "SUMMARY" and summary is None:
            summary = value.replace("\\,", ",").replace("\\;", ";").replace("\\n", " ") or None
        elif in_event and name == "DTSTART" and dtstart is None:
            tzid = next((p[5:] for p in params.split(";") if p.upper().startswith("TZID=")), None)
            dtstart = f"{value} ({tzid[:60]})" if tzid else value
    if organizer is not None and organizers and organizers[0] != organizer:
        organizers.remove(organizer)
        organizers.insert(0, organizer)
    return CalendarInvite(method=method.upper()[:40] if method else None, organizer=organizer, summary=summary,
                          dtstart=dtstart, attendees=attendees, organizers=tuple(organizers), read_whole=not stopped)


def _calendar_finding(invite: CalendarInvite, message: Message) -> Finding:
    from .domains import organizational_domain

    author = _address_of(message.first("From"))
    from_domain = author.rpartition("@")[2] if "@" in author else ""
    organizer_domain = invite.organizer.rpartition("@")[2].lower() if invite.organizer and "@" in invite.organizer \
        else ""
    from_org = organizational_domain(from_domain) or from_domain

    def off_domain(address: str) -> str:
        domain = address.rpartition("@")[2].lower() if "@" in address else ""
        return domain if domain and from_domain and (organizational_domain(domain) or domain) != from_org else ""

    # Every organizer the calendar parts name: a second one (another part, another line) may be
    # the one a calendar program shows (verification V10, P2).
    others = [o for o in invite.organizers if o != invite.organizer]
    # An attendee's REPLY, REFRESH or COUNTER is sent by the attendee to the organizer (RFC 5546
    # sections 3.2.3, 3.2.6, 3.2.7): the organizer is the other party, not the sender to check.
    attendee_sent = invite.method in ("REPLY", "REFRESH", "COUNTER")
    foreign = "" if attendee_sent else next((d for d in (off_domain(o) for o in invite.organizers) if d), "")
    if foreign and not organizer_domain:
        organizer_domain = foreign
    other = bool(foreign)
    if foreign:
        organizer_domain = foreign
    said = ", ".join(part for part in (
        f"METHOD {invite.method}" if invite.method else "no METHOD",
        f"organizer {_short(invite.organizer, 120)}" if invite.organizer else "no ORGANIZER",
        f"other organizers named: {_short(', '.join(others), 200)}" if others else None,
        f"“{_short(invite.summary, 120)}”" if invite.summary else None,
        f"starting {_short(invite.dtstart, 80)}" if invite.dtstart else None,
        f"{invite.attendees} attendee(s)") if part)
    request = invite.method == "REQUEST"
    return Finding(
        id="message.calendar_invite", severity=Severity.NOTICE if other or others or not invite.read_whole
        else Severity.INFO,
        title=(f"Calendar {'invitation' if request else 'message'} ({said})"
               + (f": its organizer's domain {organizer_domain} is not the From: domain {from_domain}" if other else "")
               + ("; not read in full" if not invite.read_whole else "")),
        explanation=(f"This message carries a calendar object (iMIP, RFC 6047; RFC 5546): {said}. "
                     + ("A REQUEST is an invitation, which many calendar programs add to the calendar as soon as the "
                        "message arrives, before anyone reads it. " if request else "")
                     + ("The ORGANIZER is text the sender wrote: RFC 6047 section 3 warns that a message can carry an "
                        "organizer it does not come from, and asks the receiving program to check the sender. "
                        + ("The calendar was not read in full (a part, a line or the number of organizers past "
                           "what is read): an organizer past that point was not seen, and a calendar program may "
                           "show it. " if not invite.read_whole else "")
                        + (f"Here the organizer's domain ({organizer_domain}) is not the From: domain ({from_domain}): "
                           "the invitation claims an organizer the message's authentication (DKIM, SPF, DMARC, of "
                           "the From: domain) says nothing about. "
                           if other else "" if not invite.read_whole else "Several organizers are named, and a calendar program may show any of "
                           "them. " if others else "The From: domain's authentication, above, is what vouches for "
                           "the message that carries it. "))
                     + "Links and dial-in numbers in an invitation are a common phishing vehicle."),
        reference="https://www.rfc-editor.org/rfc/rfc6047#section-3", subject="calendar")


_KIND_WORDS = {
    "smime_signed": "S/MIME signed (multipart/signed, detached signature)",
    "smime_opaque_signed": "S/MIME opaque-signed (application/pkcs7-mime, signed-data)",
    "smime_encrypted": "S/MIME encrypted (application/pkcs7-mime)",
    "smime_certs_only": "S/MIME certificates only (application/pkcs7-mime, certs-only)",
    "smime_compressed": "S/MIME compressed (application/pkcs7-mime, compressed-data)",
    "pgp_signed": "PGP/MIME signed (multipart/signed)",
    "pgp_inline_signed": "inline PGP signed text",
    "pgp_encrypted": "PGP/MIME encrypted (multipart/encrypted)",
    "pgp_inline_encrypted": "inline PGP encrypted text",
    "tnef": "TNEF (application/ms-tnef, winmail.dat)",
    "calendar": "calendar object (text/calendar)",
    "signed_part_wrapped": "signed part wrapped with other parts outside it",
}


def _encryption_rfcs(encrypted: list[str]) -> str:
    """The sections that define each kind of encryption found: S/MIME enveloped-data (RFC 8551
    section 3.3), PGP/MIME (RFC 3156 section 4), inline OpenPGP armour (RFC 4880 section 6.2)."""
    sections = {"smime_encrypted": "RFC 8551 section 3.3", "pgp_encrypted": "RFC 3156 section 4",
                "pgp_inline_encrypted": "RFC 4880 section 6.2"}
    return ", ".join(dict.fromkeys(sections[kind] for kind in encrypted if kind in sections))


def _kind_findings(structure: MessageStructure) -> list[Finding]:
    """One info finding per kind of wrapping, each saying what the tool does not do with it."""
    kinds = structure.kinds
    findings: list[Finding] = []
    details = ", ".join(f"{name}={value}" for name, value in (
        ("protocol", structure.protocol), ("micalg", structure.micalg), ("smime-type", structure.smime_type)) if value)
    details = f" ({_short(details, 200)})" if details else ""
    if "smime_signed" in kinds or "smime_opaque_signed" in kinds:
        opaque = "smime_opaque_signed" in kinds
        findings.append(Finding(
            id="message.smime_signed", severity=Severity.INFO,
            title="S/MIME signature present (not verified by this tool)" + (": opaque, the body is inside it" if opaque
                                                                          else ""),
            explanation=(f"The message is S/MIME signed{details} (RFC 8551 section 3.5). This tool does not verify "
                         "the S/MIME signature, nor the signer's certificate or whom it names; a mail program that "
                         "does shows the result. "
                         + ("In the opaque form (application/pkcs7-mime, smime-type=signed-data) the content is inside "
                            "the signature's CMS structure: a reader without S/MIME support shows only an smime.p7m "
                            "attachment. " if opaque else
                            "The signature covers the signed part's content and its own header fields, not the message's "
                            "header (From:, Subject: outside it are not covered). ")
                         + "DKIM, SPF and DMARC, above, judge the domains, independently of it."),
            reference=_RFC8551, subject="structure"))
    if "pgp_signed" in kinds or "pgp_inline_signed" in kinds:
        inline = "pgp_signed" not in kinds
        findings.append(Finding(
            id="message.pgp_signed", severity=Severity.INFO,
            title="OpenPGP signature present (not verified by this tool)" + (": inline, in the text" if inline else ""),
            explanation=((f"The message is PGP/MIME signed{details} (RFC 3156 section 5): the signature covers the "
                          "first part of its multipart/signed, with that part's own header fields, not the message's "
                          "header. " if not inline else
                          "A text part holds an inline OpenPGP signed message (a \"-----BEGIN PGP SIGNED "
                          "MESSAGE-----\" line, RFC 4880 section 7): the signature covers that text only. ")
                         + "This tool does not verify the OpenPGP signature nor whose key made it; a mail program "
                         "with the signer's public key does. DKIM, SPF and DMARC, above, judge the domains, "
                         "independently of it."),
            reference=_RFC4880 + "#section-7" if inline else _RFC3156 + "#section-5", subject="structure"))
    if "smime_certs_only" in kinds:
        findings.append(Finding(
            id="message.smime_certs_only", severity=Severity.INFO,
            title="S/MIME certificates only (smime.p7c): no signed or encrypted content",
            explanation=(f"The message is an S/MIME certificate-management message{details} (RFC 8551 section 3.7): a "
                         "CMS structure carrying certificates (a sender's own, or a chain), with no content, neither "
                         "signed nor encrypted. A mail program may offer to import the certificates; this tool does "
                         "not read them. DKIM, SPF and DMARC, above, judge the domains."),
            reference="https://www.rfc-editor.org/rfc/rfc8551#section-3.7", subject="structure"))
    if "smime_compressed" in kinds:
        findings.append(Finding(
            id="message.smime_compressed", severity=Severity.INFO,
            title="S/MIME compressed content (not signed, not encrypted; not decompressed by this tool)",
            explanation=(f"The message's content is S/MIME compressed{details} (RFC 8551 section 3.6, RFC 3274): "
                         "anyone can decompress it, and compression neither signs nor encrypts it. This tool does "
                         "not decompress it, so nothing inside it (text, links, attachments) was inspected; a mail "
                         "program without S/MIME support shows only an smime.p7z attachment."),
            reference="https://www.rfc-editor.org/rfc/rfc8551#section-3.6", subject="structure"))
    encrypted = [kind for kind in kinds if kind in _ENCRYPTED_KINDS]
    if encrypted:
        words = " and ".join(_KIND_WORDS[kind] for kind in encrypted)
        findings.append(Finding(
            id="message.encrypted", severity=Severity.INFO,
            title=f"Body is encrypted: {words} (not decrypted by this tool)",
            explanation=(f"The message's content is encrypted{details} ({words}; {_encryption_rfcs(encrypted)}): "
                         "only the holder of a recipient's private key can read it. This tool does not "
                         "decrypt it, so nothing inside the ciphertext (text, links, attachments, a protected "
                         "Subject) was inspected; the header above it is analysed as usual."
                         + (" The Subject shown is a header-protection placeholder: the real subject is inside the "
                            "encrypted part (RFC 9788)." if structure.subject_placeholder else "")),
            reference=_RFC3156 + "#section-4" if "pgp_encrypted" in encrypted
            else _RFC4880 + "#section-6.2" if "pgp_inline_encrypted" in encrypted
            else "https://www.rfc-editor.org/rfc/rfc8551#section-3.3", subject="structure"))
    if "tnef" in kinds:
        findings.append(Finding(
            id="message.tnef", severity=Severity.INFO,
            title="TNEF content (winmail.dat): only Outlook or a TNEF reader shows it",
            explanation=("The message carries Microsoft's Transport Neutral Encapsulation Format (application/ms-tnef, "
                         "usually named winmail.dat, [MS-OXTNEF]): Outlook's rich text, its attachments and its "
                         "properties packed into one part, which other mail programs show as a winmail.dat attachment. "
                         "This tool does not unpack it: attachments inside it were not inspected."),
            reference="https://learn.microsoft.com/openspecs/exchange_server_protocols/ms-oxtnef", subject="structure"))
    if "signed_part_wrapped" in kinds:
        count = structure.parts_outside_signed
        findings.append(Finding(
            id="message.signed_part_wrapped", severity=Severity.INFO,
            title=f"The signed part is wrapped in a multipart with {count} part(s) outside the signature",
            explanation=(f"The multipart/signed part is not the message's top part: it sits inside a {structure.top_type} "
                         f"with {count} other part(s) (a mailing list's footer, typically, which a list adds this way "
                         "to leave the signed part intact). The end-to-end signature still covers its own part, but "
                         "not those outside it: read them as unsigned text. A DKIM signature made before the list "
                         "added them no longer matches the body (RFC 6376 covers the whole body)."),
            reference="https://www.rfc-editor.org/rfc/rfc1847#section-2.1", subject="structure"))
    return findings


def read_structure(message: Message, list_from: str | None = None) -> tuple[MessageStructure | None, list[Finding]]:
    """The message's S/MIME, PGP, TNEF and calendar wrapping and header protection, and the
    findings about them; (None, []) for a message with none. ``list_from``: the From: address,
    when it is a mailing list's own address put there by the list (envelope's list_rewrote_from)
    and its domain is authenticated: a protected From: naming the author the list kept is then
    the list's rewrite, not a second sender. Bounded: the part walk of
    ``_parts`` (MAX_PARTS, MAX_DEPTH), a calendar part read to _MAX_CALENDAR bytes, a body
    searched for armour to _MAX_ARMOR_SCAN bytes; nothing is decoded but a calendar part."""
    top_type, top_params = parse_content_type((message.first("Content-Type") or "text/plain")[:_MAX_CONTENT_TYPE])
    raw = message.raw
    body = message.body_start
    parts: list[_Part] = []
    if body is not None and top_type.startswith("multipart/"):
        # Every part, text ones too (inline PGP armour in a text part): the message's one walk,
        # which the other readers share; no search of the whole body for hints of these types.
        parts = _full_walk(message)
    elif body is not None:
        parts = _parts(message)  # the message itself, one part
    elif top_type:
        # A header alone (a paste): its Content-Type still says what the body was.
        parts = [_Part(top_type, top_params, "7bit", None, 0, 0)]
    kinds: list[str] = []
    protocol = micalg = smime_type = None
    signed: _Part | None = None
    for part in parts:
        kind = part.content_type
        if kind in ("multipart/signed", "multipart/encrypted"):
            declared = part.params.get("protocol", "").lower()
            if kind == "multipart/signed" and signed is None:
                signed = part
                micalg = part.params.get("micalg", "")[:60] or None
                protocol = declared[:80] or None
                name = "smime_signed" if declared in _SMIME_SIGNATURES else \
                    "pgp_signed" if declared == "application/pgp-signature" else None
            elif kind == "multipart/encrypted":
                protocol = protocol or declared[:80] or None
                # RFC 3156 section 4: the ciphertext is the second part, application/octet-stream.
                # A wrapper around readable content is no encrypted message (verification V10).
                ciphertext = any(p.depth == part.depth + 1 and part.body_start <= p.head_start < part.body_end
                                 and p.content_type == "application/octet-stream" for p in parts)
                name = "pgp_encrypted" if declared == "application/pgp-encrypted" and ciphertext else None
            else:
                name = None
            if name and name not in kinds:
                kinds.append(name)
        elif kind in _SMIME_MIME:
            smime_type = part.params.get("smime-type", "").lower()[:40] or None
            # RFC 8551 section 3.2.2: signed-data is a signed body, certs-only (section 3.7) a
            # certificate-management message with no content, compressed-data (section 3.6, RFC
            # 3274) a body anyone can decompress; enveloped-data and authEnveloped-data (and no
            # smime-type, as older programs write) are encrypted.
            name = {"signed-data": "smime_opaque_signed", "certs-only": "smime_certs_only",
                    "compressed-data": "smime_compressed"}.get(smime_type or "", "smime_encrypted")
            if name not in kinds:
                kinds.append(name)
        elif kind in _TNEF_TYPES or (part.filename or "").lower() == "winmail.dat":
            if "tnef" not in kinds:
                kinds.append("tnef")
        elif kind == "text/plain" and body is not None:
            end = part.body_end if part.body_end > part.body_start else len(raw)
            for name in _has_armor(raw, part.body_start, min(end, part.body_start + _MAX_ARMOR_SCAN)):
                if name not in kinds:
                    kinds.append(name)
    invite = _calendar_parts(raw, parts)
    if invite is not None:
        kinds.append("calendar")
    outside = 0
    protected: tuple[tuple[str, str], ...] = ()
    findings: list[Finding] = []
    if signed is not None and signed.depth > 0:
        outside = sum(1 for p in parts if not p.content_type.startswith("multipart/")
                      and not signed.head_start <= p.head_start < signed.body_end)
        if outside:
            kinds.append("signed_part_wrapped")
    if signed is not None:
        # The signed content is the multipart/signed's first part (RFC 1847 section 2.1).
        inner = next((p for p in parts if p.depth == signed.depth + 1 and signed.body_start <= p.head_start
                      < signed.body_end), None)
        if inner is not None and inner.body_start > inner.head_start:
            head = parse_message(raw[inner.head_start:min(inner.body_start, inner.head_start + _MAX_INNER_HEAD)])
            params = parse_content_type(head.first("Content-Type") or "text/plain")[1]
            if params.get("protected-headers", "").lower() == "v1" or "hp" in params:
                protected, finding = _protected_finding(
                    message, head, "pgp_signed" if "pgp_signed" in kinds else "smime_signed", list_from)
                if inner.body_start - inner.head_start > _MAX_INNER_HEAD:
                    # Fields past the part read could hold another From: (verification V10): said.
                    finding = replace(finding, severity=Severity.NOTICE if finding.severity is Severity.INFO
                                      else finding.severity,
                                      explanation=f"{finding.explanation.replace(' They match the outer fields.', '')}"
                                                  f" The signed part's header is longer than "
                                                  f"{_MAX_INNER_HEAD // 1024} KB; the fields past that were not read "
                                                  "and may differ from the outer ones.")
                findings.append(finding)
    if not kinds and not protected:
        return None, []
    subject = " ".join((message.first_decoded("Subject") or "").split()).lower()
    placeholder = subject in _PLACEHOLDER_SUBJECTS and any(kind in _ENCRYPTED_KINDS for kind in kinds)
    summary = "; ".join(_KIND_WORDS[kind] for kind in kinds) or "protected header fields"
    if any(kind.startswith(("smime", "pgp")) for kind in kinds):
        summary += " (no signature verified, nothing decrypted by this tool)"
    structure = MessageStructure(
        kinds=tuple(kinds), summary=summary,
        top_type=top_type[:100], protocol=protocol, micalg=micalg, smime_type=smime_type,
        parts_outside_signed=outside, subject_placeholder=placeholder, protected_headers=protected,
        calendar=invite)
    findings[:0] = _kind_findings(structure)
    if invite is not None:
        findings.append(_calendar_finding(invite, message))
    return structure, findings


def with_recorded_smime(findings: list[Finding], recorded: Sequence[RecordedResult],
                        from_address: str | None) -> list[Finding]:
    """The S/MIME finding with the receiving side's own S/MIME check (RFC 7281: smime=, the
    certificate's address in body.smime-identifier) told in it: only a trusted record (written
    by the receiving side at its boundary, which a sender cannot write), and a failure only
    raises the finding to a notice, never makes the message look authenticated."""
    record = next((r for r in recorded if r.trusted and r.method == "smime"), None)
    if record is None:
        return findings
    identity = (dict(record.properties).get("body.smime-identifier") or "")[:120]
    writer = record.authserv_id or "the receiving side"
    said = (f" The receiving side checked it: {writer} recorded smime={record.result} (RFC 7281)"
            + (f" for {identity}" if identity else "")
            + (f", not the From: address ({from_address})" if identity and from_address
               and identity.lower() != from_address.lower() else "")
            + ". That is its verdict on the signature and the certificate as it judged them, not this tool's.")
    failed = record.result in ("fail", "permerror", "neutral", "policy")
    out: list[Finding] = []
    for finding in findings:
        if finding.id == "message.smime_signed":
            finding = replace(
                finding, severity=Severity.NOTICE if failed else finding.severity,
                title=f"{finding.title}; the receiving side recorded smime={record.result}"[:200],
                explanation=finding.explanation + said)
        out.append(finding)
    return out


# --- The files attached to the message --------------------------------------------------------
# Listed from their part headers (the walk of _parts, bounded by MAX_PARTS and MAX_DEPTH): the
# name, the declared type and the encoded size. No file is opened; a part declared a message but
# named as a file is decoded only to tell whether it holds a message (as the attached list does).
MAX_ATTACHMENTS = 50
"""Attachments listed (the rest are counted)."""
_MAX_NAME = 200
"""Characters of a file name shown: a longer one is shortened in the middle, its end kept."""
_NAME_END_SHOWN = 60
"""Characters of a long name's end shown (its real extension, after any padding)."""
_MAX_NAME_READ = _MAX_CONTENT_TYPE + _MAX_TAIL_READ + 1
"""Characters of a name's value decoded at most: as many as parse_content_type reads of the whole
field, so that a name's end (its extension) is always read: "Invoice.pdf", 200 spaces and ".exe"
hides its extension from a reader that cuts the name first. A longer one (past the walk's bound)
keeps its start and end. RFC 2047 decoding is linear."""
# What a body must hold, as written, for its part headers to be worth a walk for attachments: a
# name= or filename= parameter (RFC 2045 section 5.1, RFC 2183 section 2.3), or an attachment
# disposition (RFC 2183 section 2.2). Three spellings each: a case-insensitive regex over a large
# body costs more than these finds.
_ATTACHMENT_HINTS = (b"name", b"Name", b"NAME", b"attachment", b"Attachment", b"ATTACHMENT")
# Parts that are no file: a report's machine-readable part (RFC 3464, RFC 5965, RFC 8098), read
# with the delivery or feedback report; a message part, listed among the attached messages.
_REPORT_PARTS = _STATUS_TYPES | _DISPOSITION_TYPES | {_FEEDBACK_TYPE}

# File types that run code, or show a page of the sender's making, when opened: the union of the
# lists of the two largest mail providers, less the plain archive formats among them (.ace .arj
# .cab .lha .lzh .xz .z and .rev, a RAR recovery volume, hold files and run nothing themselves;
# .zip and .rar are not raised either) and .ani (an animated cursor: an image, whose danger was
# a parser flaw patched in 2007), plus the Office macro formats, OneNote, and HTML and SVG pages:
# - Gmail refuses .ade .adp .apk .appx .appxbundle .bat .cab .chm .cmd .com .cpl .diagcab .diagcfg
#   .diagpkg .dll .dmg .ex .ex_ .exe .hta .img .ins .iso .isp .jar .jnlp .js .jse .lib .lnk .mde
#   .mjs .msc .msi .msix .msixbundle .msp .mst .nsh .pif .ps1 .scr .sct .shb .sys .vb .vbe .vbs
#   .vhd .vxd .wsc .wsf .wsh .xll ("File types blocked in Gmail", https://support.google.com/mail/answer/6590);
# - Microsoft Defender for Office 365's common attachments filter, on by default in every
#   anti-malware policy, quarantines .ace .ani .apk .app .appx .arj .bat .cab .cmd .com .deb .dex
#   .dll .docm .elf .exe .hta .img .iso .jar .jnlp .kext .lha .lib .library .lnk .lzh .macho .msc
#   .msi .msix .msp .mst .pif .ppa .ppam .reg .rev .scf .scr .sct .sys .uif .vb .vbe .vbs .vxd
#   .wsc .wsf .wsh .xll .xz .z ("Anti-malware protection in EOP", https://learn.microsoft.com/defender-office-365/anti-malware-protection-about);
#   Outlook blocks .vhd .vhdx .url .settingcontent-ms and the others ("Blocked attachments in
#   Outlook", https://support.microsoft.com/office/434752e1-02d3-4e90-9124-8b81e49a8519).
# - Office macro formats (documents, templates, add-ins and binary workbooks that can hold
#   macros): Microsoft blocks macros in files from the internet because they are a common way in
#   for malware (https://learn.microsoft.com/deployoffice/security/internet-macros-blocked);
# - OneNote: Microsoft 365 blocks dangerous files embedded in a .one since 2023, after OneNote
#   attachments replaced macro documents in malware mail
#   (https://techcommunity.microsoft.com/blog/microsoft365insiderblog/blocking-embedded-files-in-onenote/3776004);
# - HTML and SVG: a page opened from disk, with a login form or script of the sender's making
#   (MITRE ATT&CK T1027.006, HTML smuggling; T1566.001, spearphishing attachment).
# Each kind's words are true of every extension under it: a .dll or .sys is not run by a double
# click, a .ps1 opens in Notepad by default, so "a program ... Windows can run" and not "runs
# when opened".
_DISK_IMAGE = "a disk image, which the system opens as a drive holding files of the sender's choosing"
_PROGRAM = "a program, script or installer that Windows can run"
_WINDOWS_FILE = ("a Windows file that runs commands or changes settings when opened (a help file, console, "
                 "troubleshooter, registry, shell or Internet settings file)")
_LIBRARY = "a program library or driver, whose code Windows loads into a program (DLL side-loading)"
_SHORTCUT = ("a shortcut or link file, which opens a program, command, folder or web address of the sender's "
             "choosing when clicked")
_OTHER_SYSTEM = "a program or installer for another system (Android, macOS, Linux)"
_XLL = "an Excel add-in (a program library Excel loads and runs when the file is opened)"
_PAGE = "an HTML or SVG page, which opens in a browser (credential phishing pages, HTML smuggling)"
_MACRO = "an Office document, template or add-in that can hold macros, or an Access project that runs code"
_ONENOTE = "a OneNote notebook, which can embed files that run when clicked"
_RISKY_EXTENSIONS = {
    **dict.fromkeys(("iso", "img", "vhd", "vhdx", "dmg", "uif"), _DISK_IMAGE),
    **dict.fromkeys(("exe", "ex", "ex_", "scr", "com", "pif", "bat", "cmd", "js", "jse", "mjs", "vb", "vbs", "vbe",
                     "wsf", "wsh", "wsc", "sct", "hta", "ps1", "msi", "msp", "mst", "msix", "msixbundle", "appx",
                     "appxbundle", "jar", "jnlp", "cpl", "nsh"), _PROGRAM),
    **dict.fromkeys(("chm", "msc", "diagcab", "diagcfg", "diagpkg", "reg", "scf", "ins", "isp"), _WINDOWS_FILE),
    **dict.fromkeys(("dll", "sys", "vxd", "lib"), _LIBRARY),
    **dict.fromkeys(("lnk", "url", "shb", "settingcontent-ms", "library", "library-ms"), _SHORTCUT),
    **dict.fromkeys(("apk", "app", "deb", "dex", "elf", "kext", "macho"), _OTHER_SYSTEM),
    "xll": _XLL,
    **dict.fromkeys(("html", "htm", "shtml", "svg"), _PAGE),
    **dict.fromkeys(("docm", "dotm", "xlsm", "xltm", "xlam", "xlsb", "pptm", "potm", "ppsm", "ppam", "ppa", "sldm",
                     "ade", "adp", "mde"), _MACRO),
    "one": _ONENOTE,
}
# The same kinds by declared type (lower case, as parse_content_type gives them): IANA's media
# types and those mail programs write for these files.
_RISKY_TYPES = {
    **dict.fromkeys(("application/x-iso9660-image", "application/x-raw-disk-image", "application/x-vhd",
                     "application/x-apple-diskimage"), _DISK_IMAGE),
    **dict.fromkeys(("application/x-msdownload", "application/x-msdos-program", "application/x-dosexec",
                     "application/vnd.microsoft.portable-executable", "application/x-ms-installer",
                     "application/x-msi", "application/java-archive",
                     "application/x-java-archive", "application/javascript", "application/x-javascript",
                     "text/javascript", "text/vbscript", "application/hta", "application/x-java-jnlp-file"), _PROGRAM),
    **dict.fromkeys(("application/x-ms-shortcut", "application/internet-shortcut", "application/x-url"), _SHORTCUT),
    "application/vnd.ms-htmlhelp": _WINDOWS_FILE,
    "application/vnd.android.package-archive": _OTHER_SYSTEM,
    **dict.fromkeys(("text/html", "application/xhtml+xml", "image/svg+xml"), _PAGE),
    **dict.fromkeys(("application/vnd.ms-word.document.macroenabled.12", "application/vnd.ms-excel.sheet.macroenabled.12",
                     "application/vnd.ms-powerpoint.presentation.macroenabled.12",
                     "application/vnd.ms-word.template.macroenabled.12", "application/vnd.ms-excel.template.macroenabled.12",
                     "application/vnd.ms-excel.addin.macroenabled.12",
                     "application/vnd.ms-excel.sheet.binary.macroenabled.12",
                     "application/vnd.ms-powerpoint.slideshow.macroenabled.12",
                     "application/vnd.ms-powerpoint.addin.macroenabled.12",
                     "application/vnd.ms-powerpoint.template.macroenabled.12"), _MACRO),
    **dict.fromkeys(("application/onenote", "application/msonenote"), _ONENOTE),
}
# Extensions a reader takes for a harmless document, placed before the real one to hide it
# ("invoice.pdf.exe", "scan.pdf      .exe"): MITRE ATT&CK T1036.007, Masquerading: Double File
# Extension (Windows hides the last extension of known types by default).
_DECOY_EXTENSIONS = frozenset(("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "txt",
                               "csv", "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "mp3", "mp4", "wav", "mov",
                               "avi", "zip", "rar", "7z", "eml", "msg"))
# The longest extension read as one: .settingcontent-ms (17); a longer "extension" is the tail of
# a sentence with a dot in it.
_MAX_EXTENSION = 20
# Bidi embeddings, overrides and isolates (Unicode UAX #9): U+202E written before "fdp.exe" shows
# "invoice_\u202efdp.exe" as "invoice_exe.pdf" (MITRE ATT&CK T1036.002, Right-to-Left Override).
_bidi_controls = compiled_on_first_use("[\u202a-\u202e\u2066-\u2069]")
# The name Exchange (ATT00001.htm) and other relays (att24916.htm) give the HTML parts that
# follow an inline image or attachment in a message, so that clients showing one body part show
# the rest as files.
_body_fragment_name = compiled_on_first_use(r"(?i)att\d{1,8}\.html?")
_ATTACK_RLO = "https://attack.mitre.org/techniques/T1036/002/"
_ATTACK_DOUBLE = "https://attack.mitre.org/techniques/T1036/007/"
# Past the walk's bound (MAX_PARTS): a name= or filename= parameter (RFC 2045 section 5.1,
# RFC 2183 section 2.3; RFC 2231's name*=, name*0=, name*1*= pieces) after the ";" that separates
# parameters. The closing quote is optional so that every attempt matches and the search moves
# past it: linear on any body. Searched over at most _MAX_BEYOND_BYTES, _MAX_BEYOND_NAMES hits.
_name_parameter = compiled_on_first_use(
    rb"""(?i);[ \t\r\n]{0,40}(file)?name(?:\*(\d{1,40}))?(\*)?[ \t]{0,8}=[ \t]{0,8}("[^"\r\n]{0,1000}"?|[^\s;"]{1,1000})""")
_MAX_BEYOND_BYTES = 16 << 20
_MAX_BEYOND_NAMES = 5000


def _extension(name: str) -> tuple[str, str]:
    """(the name before its last extension, the extension in lower case) as Windows reads a
    file name: trailing dots and spaces are dropped when the file is saved."""
    name = name.rstrip(". \t")
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > _MAX_EXTENSION:
        return name, ""
    return stem, extension.lower()


def _file_name(value: str | None) -> str | None:
    """A part's file name as a mail program saves it: RFC 2047 encoded-words undone (written in
    a quoted name= by many mail programs, against RFC 2047 section 5), bounded (_MAX_NAME_READ:
    a longer one keeps its start and its end, a _CutName), one line. Its extension is read from
    this, its display from ``_shown_name``."""
    if value is None:
        return None
    skipped, hidden = (value.skipped, value.hidden) if isinstance(value, _CutName) else (0, None)
    if len(value) > _MAX_NAME_READ:
        end = len(value) - _MAX_TAIL_READ
        skipped += end - (_MAX_NAME_READ - _MAX_TAIL_READ)
        hidden = hidden or _hidden_bidi(value, _MAX_NAME_READ - _MAX_TAIL_READ, end)
        value = value[:_MAX_NAME_READ - _MAX_TAIL_READ] + _SEAM + value[end:]
    if "=?" in value:
        value = decode_rfc2047(value)
    value = value.replace("\r", "").replace("\n", " ").strip()
    if not value:
        return None
    return _CutName(value, skipped, hidden) if skipped else value


def _shown_name(name: str) -> str:
    """A file name for the report: a run of white space (the padding that pushes a real extension
    out of sight) said as "⟨200 spaces⟩", then at most _MAX_NAME characters, a longer one
    shortened in the middle so that its end, where the real extension is, stays in sight."""
    if "    " in name or "\t" in name:
        name = _padding().sub(lambda run: f" ⟨{len(run.group())} spaces⟩ ", name)
    if len(name) <= _MAX_NAME:
        return str(name)  # a plain string for the report, not a _CutName
    # Not cut inside an address: --redact (which runs on what is shown) would show the start of a
    # mailbox name left without its "@" and domain (address_safe_cut), or the end of one left
    # without its start (a quoted local part without its opening quote: address_safe_tail).
    return address_safe_cut(name, _MAX_NAME - _NAME_END_SHOWN - 1) + "…" + address_safe_tail(name, _NAME_END_SHOWN)


_padding = compiled_on_first_use(r"[ \t]{4,}")


# Blank or invisible characters a name is padded with: Unicode white space (str.isspace: U+3000,
# U+00A0, the U+2000 spaces), the zero-width ones, the Braille blank and the Hangul fillers; and the
# format characters a window draws as nothing, which a sender mixes into the blanks (verification
# V43d: " \u00ad" x 100 before ".exe"): the soft hyphen, the marks LRM, RLM and ALM (they set a
# direction but reorder nothing, unlike _bidi_controls), the combining grapheme joiner, the
# Mongolian and the Unicode variation selectors, the invisible operators (U+2061-U+2064), the tag
# characters (U+E0000-U+E007F), and the other format characters (Unicode category Cf) that draw
# nothing on their own: the deprecated U+206A-U+206F, the interlinear annotation marks
# (U+FFF9-U+FFFB), the Egyptian, shorthand and musical format controls, and the Khmer inherent
# vowels U+17B4 and U+17B5, which draw nothing (verification V45g) (task mime46: a format
# character between runs of blanks must not break the padding up). The Cf characters left out
# draw a glyph (the Arabic number signs U+0600-U+0605, U+06DD) or are bidi controls, told apart.
_FILL = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
         "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u115f\u1160\u180e\u200b\u200c\u200d\u2060\u2800"
         "\u3164\uffa0\ufeff"
         "\u00ad\u200e\u200f\u061c\u034f\u180b\u180c\u180d\u180f\u2061\u2062\u2063\u2064"
         "\u17b4\u17b5\u206a\u206b\u206c\u206d\u206e\u206f\ufff9\ufffa\ufffb"
         + "".join(map(chr, range(0xFE00, 0xFE10))) + "".join(map(chr, range(0xE0000, 0xE0080)))
         + "".join(map(chr, [*range(0x13430, 0x13439), *range(0x1BCA0, 0x1BCA4), *range(0x1D173, 0x1D17B)])))
_MIN_FILL = 20
"""Blank characters before an extension, in runs of _MIN_RUN or more, that make a padded name (no
real name has them: its blanks come one or two at a time between words)."""
_MIN_RUN = 3
"""The shortest run of blanks counted as padding. Two together are typing, not padding (verification
V45c D1): two spaces after a full stop ("Budget 2025.  Draft 3.  Please review.  ..."), U+3000
doubled between the words of a Japanese name, "Minutes  of  the  meeting", "❤️  ❤️": a name of ten
such words holds 20 blanks, and pushes its extension no further than its words do. Padding broken
up by a visible character at every third blank or further ("x", 3 spaces, "x", ...; every 19) is
still counted whole; one broken at every second blank ("  x  x  x") is not: it is the doubled
typing's shape, and its visible characters show in the window."""
_fill_runs = compiled_on_first_use(f"[{re.escape(_FILL)}]{{{_MIN_RUN},}}")
"""A run of _MIN_RUN or more blank characters: padding is counted over every such run before the
extension, whatever breaks the runs up ("invoice.pdf", 19 spaces, "x", 19 spaces, ... ".exe" leaves
the extension out of sight as one run of hundreds does; a visible "1" after 200 spaces too)."""
_space_runs = compiled_on_first_use(f" {{{_MIN_RUN},}}")
# The format characters an emoji is written with (the joiner, the variation selectors, the tag
# characters of a subdivision flag such as England's), left out when a run of blanks is weighed:
# "❤\ufe0f\u200d🔥" or "❤\ufe0f  " is an emoji's, not padding; a run counts when it holds _MIN_RUN
# blanks besides them, or runs to _MIN_FILL on its own (as before).
_EMOJI_PARTS = dict.fromkeys([0x200D, *range(0xFE00, 0xFE10), *range(0xE0020, 0xE0080)])


def _padding_length(stem: str) -> tuple[int, int]:
    """(how many blank characters pad the name before its extension, in how many runs): the blanks
    that stand _MIN_RUN or more together, counted over the whole stem, so that padding broken up by
    a visible character every 19 blanks counts as much as one run. A real name's blanks separate its
    words one or two at a time ("Scan 2024 03 01.pdf", "Budget 2025.  Draft 3.  ...", a Japanese
    name's U+3000 between words) and count nothing, however many words it has. Linear, whatever
    the name."""
    if stem.isascii() and stem.isprintable():
        # Of the blanks, a printable ASCII name can hold the space only: most names hold no three
        # together, known by a find (the regex is compiled on its first use, which most never pay).
        if "   " not in stem:
            return 0, 0
        runs = [len(run) for run in _space_runs().findall(stem)]
        return sum(runs), len(runs)
    runs = [len(run) for run in _fill_runs().findall(stem)
            if len(run) >= _MIN_FILL or len(run.translate(_EMOJI_PARTS)) >= _MIN_RUN]
    return sum(runs), len(runs)


def _padding_words(fill: int, runs: int) -> str:
    """The padding's count in words: "200 blank characters", and the runs when more than one."""
    return f"{fill:,} blank characters" + (f" (in {runs:,} runs broken up by other characters)" if runs > 1 else "")


def _spoofed(name: str) -> str | None:
    """How the name hides its real extension, or None."""
    bidi = _bidi_controls().search(name)
    hidden = name.hidden if isinstance(name, _CutName) else None
    if bidi is not None or hidden is not None:
        control = bidi.group() if bidi is not None else hidden or ""
        return (f"a bidi control (U+{ord(control):04X}) in the name makes it show its characters in another "
                "order than they are: the extension a reader sees is not the real one"
                + ("" if bidi is not None else " (in the part of the name too long to read whole)"))
    stem, extension = _extension(name)
    if extension not in _RISKY_EXTENSIONS:
        return None
    padded = stem != stem.rstrip()
    _, decoy = _extension(stem.rstrip())
    if decoy in _DECOY_EXTENSIONS:
        return (f"a double extension: “.{decoy}” shown before the real “.{extension}”"
                + (", with spaces between them to push the real one out of sight" if padded else ""))
    fill, runs = _padding_length(stem)
    if fill >= _MIN_FILL:
        # MITRE ATT&CK T1036.007: the padding pushes the real extension past what a window shows.
        # A name too long to read whole counts the blanks on both sides of its "…" (the middle not
        # read, not a character that breaks the padding up): at least so many.
        return (f"{f'at least {fill:,} blank characters' if isinstance(name, _CutName) else _padding_words(fill, runs)} "
                f"before the real “.{extension}” push it out of sight: a mail program or folder shows the "
                "start of the name only")
    return None


def _padding_note(name: str, spoofed: str | None) -> str | None:
    """What makes the name a padded one, in words, or None: too long to read whole (a _CutName),
    or a run of _MIN_FILL blank characters before its extension that the disguise (``spoofed``)
    does not already tell."""
    if isinstance(name, _CutName):
        return (f"too long to read whole: {name.skipped:,} characters of its header field were not read "
                f"(where “…” stands), as the field is longer than "
                f"{_MAX_CONTENT_TYPE + _MAX_TAIL_READ:,} characters, so its first {_MAX_CONTENT_TYPE:,} and its "
                f"last {_MAX_TAIL_READ:,} were read")
    if spoofed is not None:
        return None
    stem, extension = _extension(name)
    fill, runs = _padding_length(stem)
    if fill < _MIN_FILL or not extension:
        return None
    return f"{_padding_words(fill, runs)} before its extension “.{extension}”"


def _positions(parts: Sequence[_Part]) -> list[str]:
    """Each part's number as IMAP counts them (RFC 3501 section 6.4.5), from the walk with its
    containers: a part at depth d is the next child of the last part above it."""
    counters: list[int] = []
    out: list[str] = []
    for part in parts:
        if part.depth == 0:
            out.append("1" if not part.content_type.startswith("multipart/") else "")
            continue
        del counters[part.depth:]
        while len(counters) < part.depth:
            counters.append(0)
        counters[part.depth - 1] += 1
        out.append(".".join(str(n) for n in counters))
    return out


# What a page does that the rest of a message's text does not: a form (a login page's), a
# password field, a script, a redirect, a frame, a javascript: or data: link (verification V18 P2:
# a credential page named ATT00001.htm and placed as Exchange places a body fragment).
_active_html = compiled_on_first_use(
    rb"<form\b|<input[^>]{0,200}type\s*=\s*[\"']?password|<script\b|http-equiv\s*=\s*[\"']?refresh"
    rb"|<iframe\b|<object\b|<embed\b|javascript:|\bdata:text/html|window\.location|document\.location"
    rb"|location\.href|location\.replace", re.IGNORECASE)


def _active_page(raw: bytes, part: _Part) -> str | None:
    """What an HTML part does that the text of a message does not ("a form", "a script"), read in
    its first 64 KB (transfer encoding undone); None for plain markup."""
    found = _active_html().search(_decoded_head(raw, part))
    if found is None:
        return None
    word = found.group(0).lower()
    return ("a password field" if b"password" in word else "a form" if word.startswith(b"<form")
            else "a redirect" if b"refresh" in word or b"location" in word else "a script or frame")


def _placed_body_fragments(parts: Sequence[_Part]) -> set[int]:
    """The indexes of the text/html parts that sit where Exchange puts the rest of a message's
    text after an inline image or attachment: a child of a multipart/mixed whose first child is
    the text body (text/plain, text/html, multipart/alternative or /related with no file name),
    directly after a sibling that is an image or an attachment. Only their names decide nothing:
    the sender chooses those; the place is how Exchange writes them."""
    children: dict[int, list[int]] = {}
    above: list[int] = []  # the containers open at each depth, innermost last
    for index, part in enumerate(parts):
        while above and parts[above[-1]].depth >= part.depth:
            above.pop()
        if above:
            children.setdefault(above[-1], []).append(index)
        if part.container:
            above.append(index)
    placed: set[int] = set()
    for parent, kids in children.items():
        if parts[parent].content_type != "multipart/mixed" or len(kids) < 3:
            continue
        first = parts[kids[0]]
        if first.filename or first.disposition == "attachment" or first.content_type not in (
                "text/plain", "text/html", "multipart/alternative", "multipart/related"):
            continue
        for before, index in itertools.pairwise(kids[1:]):
            previous = parts[before]
            # After an image or a file, not after another HTML part (Exchange puts the image
            # between two fragments).
            if parts[index].content_type == "text/html" and previous.content_type != "text/html" and (
                    previous.disposition == "attachment" or previous.filename
                    or previous.content_type.startswith("image/")):
                placed.add(index)
    return placed


def read_attachments(message: Message) -> tuple[tuple[Attachment, ...], int, bool, list[Finding]]:
    """The files attached to the message (at most MAX_ATTACHMENTS), how many more there are,
    whether that count is a lower bound (the part walk stopped at MAX_PARTS with parts left),
    and the findings about risky and disguised ones. Bounded by the part walk (MAX_PARTS,
    MAX_DEPTH), each part's header read to 8 KB; past the walk, one bounded search of the rest
    for file names."""
    body = message.body_start
    if body is None:
        return (), 0, False, []
    raw = message.raw
    top_type = parse_content_type(message.first("Content-Type") or "text/plain")[0]
    # Whether the body is known to hold a hint (_ATTACHMENT_HINTS): a multipart without one has
    # no file to list. A walk another reader made is read first, and the body searched only for
    # a message that would list a file (below).
    hinted = True
    if top_type.startswith("multipart/"):
        walked: list[_Part] | None = message.__dict__.get(_FULL_WALK)
        if walked is None:
            if not any(raw.find(hint, body) >= 0 for hint in _ATTACHMENT_HINTS):
                return (), 0, False, []
            walked = _full_walk(message)
        else:
            hinted = False
        parts = walked
        top = message.first("Content-Type") or ""
        if not top.isascii() and _raw_parameters_as_written(message):
            top_params = parse_content_type(top)[1]
            if _legacy_charset_declared(message, top_params):
                # The message's own multipart header is walked as its bytes read; read in the
                # declared charset too, another boundary it gives is told (verification V61a D-2:
                # the charset's boundary finds other parts, an .exe a charset-first reader lists).
                disposition = message.first("Content-Disposition")
                disposition_name = parse_content_type(disposition)[1].get("filename") if disposition else None
                _name_in_message_charset(message, raw[:body], "text/plain", 0, (
                    top_type, top_params, (message.first("Content-Transfer-Encoding") or "7bit").strip().lower(),
                    disposition_name or top_params.get("name"),
                    _disposition_type(disposition) if disposition else None, True, disposition_name))
    else:
        # A one-part message whose body is the file (a scanner's or a script's mail).
        disposition = message.first("Content-Disposition")
        params = parse_content_type(message.first("Content-Type") or "text/plain")[1]
        disposition_name = parse_content_type(disposition)[1].get("filename") if disposition else None
        name = disposition_name or params.get("name")
        encoding = (message.first("Content-Transfer-Encoding") or "7bit").strip().lower()
        disposition_type = _disposition_type(disposition) if disposition else None
        if any(field.name.lower() in ("content-type", "content-disposition")
               and LEGACY_CHARSET_DEFECTS[1] in field.defects for field in message.headers):
            # Its Content-Type or Content-Disposition in raw ISO-2022-JP: read byte by byte too, as
            # a part's header is (_walk; verification V61a D-3).
            as_bytes = _read_part_head(_iso2022jp_escape().sub(b"", raw[:body]), "text/plain")
            top_type, params, encoding, name, disposition_type, _, disposition_name = _name_in_message_charset(
                message, raw[:body], "text/plain", 0, as_bytes)
        elif _raw_parameters_as_written(message) and _legacy_charset_declared(message, params):
            # The message's own header gets the parts' two readings (V58b D-3): its fields with raw
            # 8-bit bytes were left as written where a charset would read another structure
            # (message._read_legacy_charsets), or are valid UTF-8.
            as_bytes = (top_type, params, encoding, name, disposition_type, True, disposition_name)
            top_type, params, encoding, name, disposition_type, _, disposition_name = _name_in_message_charset(
                message, raw[:body], "text/plain", 0, as_bytes)
        if name is None and disposition_name is None and not (disposition or "").lower().lstrip().startswith(
                "attachment") and 0 not in (message.__dict__.get(_CHARSET_NAMES) or {}):
            return (), 0, False, []
        parts = [_Part(top_type, params, encoding, name, body, len(raw), disposition=disposition_type,
                       disposition_name=disposition_name)]
    listed: list[Attachment] = []
    fragments: list[Attachment] = []
    padded: list[tuple[Attachment, str]] = []  # names cut or padded, with what is wrong with them
    # Files whose header names them otherwise too: (the file, its name, [(other name, where)]).
    disagreeing: list[tuple[Attachment, str, list[tuple[str, str]]]] = []
    placed = _placed_body_fragments(parts)
    # Names in raw 8-bit bytes read in a legacy charset (_name_in_message_charset), by part.
    readings: dict[int, str] = message.__dict__.get(_NAME_READINGS) or {}
    # Names a legacy charset reads otherwise than the listed byte-by-byte reading, by part.
    charset_names: dict[int, tuple[tuple[str, ...], str]] = message.__dict__.get(_CHARSET_NAMES) or {}
    legacy_named: list[tuple[Attachment, str]] = []
    unlisted: list[Attachment] = []  # past the MAX_ATTACHMENTS listed: checked all the same
    # Multiparts at MAX_DEPTH, whose parts the walk did not read (it takes them as leaves): their
    # part headers are searched below, as the rest past MAX_PARTS is (V42b D2: an .exe nested 9
    # deep had no finding and no note).
    nested: list[_Part] = []
    more = 0
    first_file: _Part | None = None
    for index, (part, position) in enumerate(zip(parts, _positions(parts), strict=True)):
        if part.container or part.content_type in _REPORT_PARTS:
            continue  # a container (its parts are walked) or a report's own part
        if part.depth >= MAX_DEPTH and part.content_type.startswith("multipart/") and part.params.get("boundary"):
            nested.append(part)
        disposition_type = part.disposition
        name = _file_name(part.filename)
        # The other names a mail program may show for it (a name given twice, Content-Type's
        # name= beside Content-Disposition's filename=, those beside a blank listed name): each
        # gets the listed name's checks.
        others = _other_names(name, part)
        reading = readings.get(part.head_start) if readings else None
        in_charset = charset_names.get(part.head_start) if charset_names else None
        if in_charset is not None:
            # The names as a program that reads the header in its charset first shows them, where
            # that reading and the listed one, byte by byte, disagree (_name_in_message_charset).
            for value in in_charset[0]:
                charset_name = _file_name(value)
                if charset_name is not None and charset_name != name and all(o != charset_name for o, _ in others):
                    others.append((charset_name, f"its header {in_charset[1].partition(': ')[2]}"))
        if name is None and disposition_type != "attachment" and not others:
            continue  # a text or HTML body, an unnamed inline part: no file
        extension = _extension(name)[1] if name else ""
        other = _other_form(name, part.filename)
        if (part.content_type in _MESSAGE_TYPES or _file_kind(part) is not None) \
                and extension not in _RISKY_EXTENSIONS \
                and not any(_extension(shown)[1] in _RISKY_EXTENSIONS
                            for shown in (*(other[:1] if other else ()), *(shown for shown, _ in others))) \
                and _carried_message(raw, part, read_msg=False) is not None:
            # An attached message, listed with them. A risky extension wins over the declared
            # type: a mail program saves the part under its name ("Invoice.pdf.exe" declared
            # message/rfc822 is an .exe on disk), and a part that holds no message is a file.
            continue
        first_file = first_file or part
        # Every file is checked; only the listing stops at MAX_ATTACHMENTS (V42b D1: an .exe after
        # 50 inline images had no finding).
        risk = _RISKY_EXTENSIONS.get(extension) or _RISKY_TYPES.get(part.content_type)
        fragment = risk == _PAGE and name is not None and _body_fragment_name().fullmatch(name) is not None
        active = _active_page(raw, part) if fragment and index in placed else None
        if fragment:
            risk = (f"{risk}; its name is the one mail programs give an HTML body fragment they turn into an "
                    "attachment (Exchange's ATT00001.htm, after an inline image)"
                    + (f", and it sits where they put one, but it holds {active}, which no body fragment needs: "
                       "a page of the sender's making" if active else
                       ", and it sits where they put one: most likely the rest of the message's text, but a page "
                       "all the same" if index in placed else
                       ", but it is not where they put one (after an image or attachment, in a multipart/mixed "
                       "whose first part is the text): the name alone is the sender's choice"))
            fragment = active is None
        spoofed = _spoofed(name) if name else None
        if other is not None:
            risk, spoofed = _with_other_form(other, risk, spoofed, extension)
        for other_name, where in others:
            risk, spoofed = _with_other_name(other_name, where, risk, spoofed, extension)
        entry = Attachment(
            position=position or "1", filename=_shown_name(name) if name else None,
            content_type=part.content_type[:100], size=max(0, part.body_end - part.body_start),
            disposition=disposition_type, risk=risk, spoofed=spoofed)
        if len(listed) < MAX_ATTACHMENTS:
            listed.append(entry)
        else:
            more += 1
            unlisted.append(entry)
        if reading is not None:
            legacy_named.append((entry, reading))
        note = _padding_note(name, entry.spoofed) if name else None
        if note is None and other is not None and entry.spoofed is None:
            note = _padding_note(other[0], None)
            note = f"in the name its plain {other[1]}= gives, “{_shown_name(other[0])}”: {note}" if note else None
        for other_name, where in others:
            if note is not None or entry.spoofed is not None:
                break
            note = _padding_note(other_name, None)
            note = f"in its other name “{shown_hidden(_shown_name(other_name))}” ({where}): {note}" if note else None
        if note is not None:
            padded.append((entry, note))
        named_otherwise = [*([(other[0], f"its plain {other[1]}=, beside the RFC 2231 {other[1]}*= listed")]
                             if other is not None and _extension(other[0])[1] != extension else []), *others]
        if named_otherwise:
            # (A blank listed name too: a program that keeps Python's reading shows none, others
            # the names given beside it.)
            disagreeing.append((entry, name or "", named_otherwise))
        if fragment and index in placed and entry.spoofed is None:
            fragments.append(entry)
    past_walk = bool(message.__dict__.get(_WALK_STOPPED)) and len(parts) > 1
    stopped = past_walk or bool(nested)
    if not hinted and (first_file is not None or stopped) and not _hint_in_head(raw, first_file) \
            and not any(raw.find(hint, body) >= 0 for hint in _ATTACHMENT_HINTS):
        return (), 0, False, []  # what a body without a hint gives, as when it is not walked
    beyond: list[tuple[str, str, str | None, str]] = []
    # The nested multiparts are leaves of the walk, side by side or one inside another's sibling,
    # never one inside another: their searches cover each byte once at most.
    for part in nested:
        counted, found = _names_past_walk(raw, part.body_start, part.body_end)
        more += counted
        beyond.extend((name, kind, disguise, _NESTED_TOO_DEEP) for name, kind, disguise in found)
    if past_walk:
        last = parts[-1]
        counted, found = _names_past_walk(raw, last.body_start if last.container else last.body_end)
        more += counted
        beyond.extend((name, kind, disguise, _PAST_THE_WALK) for name, kind, disguise in found)
    findings = _attachment_findings(listed, fragments, beyond, padded, unlisted)
    if legacy_named:
        findings.append(_legacy_charset_names(legacy_named, frozenset(a.position for a in unlisted)))
    disagreement = _names_disagree(disagreeing, frozenset(a.position for a in unlisted))
    if disagreement is not None:
        findings.append(disagreement)
    structures: dict[int, tuple[_Structure, _Structure, str]] = message.__dict__.get(_STRUCTURE_READINGS) or {}
    if structures:
        findings.append(_structure_disagrees(parts, structures))
    return tuple(listed), more, stopped, findings


def _structure_disagrees(parts: Sequence[_Part], structures: dict[int, tuple[_Structure, _Structure, str]]) -> Finding:
    """A warning for the part headers that read as another structure (type, boundary, transfer
    encoding or disposition) in the legacy charset the part or message declares than byte by byte
    (_name_in_message_charset), by where each header starts: the byte reading was walked; a mail
    program that reads the header in the charset first walks or opens the part otherwise, and what
    it then shows no check here read."""
    where = {part.head_start: position for part, position in zip(parts, _positions(parts), strict=True)
             if part.head_start in structures}
    said: list[str] = []
    for head_start, (as_bytes, in_charset, why) in sorted(structures.items()):
        position = where.get(head_start)
        differences = [f"{what} {_quoted(first)} byte by byte, {_quoted(second)} in the charset"
                       for what, first, second in zip(("type", "boundary", "transfer encoding", "disposition"),
                                                      as_bytes, in_charset, strict=True) if first != second]
        part = "the message's own header" if head_start == 0 else f"part {position or '?'}'s header"
        said.append(f"{part}: {'; '.join(differences)} ({why.partition(': ')[2]})")
    return Finding(
        id="attachment.structure_disagrees", severity=Severity.WARNING,
        title="A part's header reads as another structure in its charset than byte by byte: " + _first_and_more(
            said[0].partition(":")[0], len(said)),
        explanation=(_ten_and_more(said)
                     + ". Raw 8-bit bytes before a backslash or quote in a parameter end a quoted string in one "
                     "reading and not in the other (Shift_JIS, Big5 and GBK take the backslash or quote into a "
                     "character), so the header gives other parameters each way. Python's email and Thunderbird "
                     "parse parameters byte by byte, and the parts and files listed here are that reading's; a "
                     "program that reads the header in the declared charset first walks other parts or opens the "
                     "part as another type, files no check here listed. No mail program writes a header that reads "
                     "two ways: it is made so."),
        reference="https://www.rfc-editor.org/rfc/rfc2045#section-5.1", subject="attachments")


def _quoted(value: str | None) -> str:
    """A structure's value in a finding's words (none: no such field or parameter)."""
    return "none" if value is None else f"“{shown_hidden(value[:100])}”"


def _other_form(name: str | None, value: str | None) -> tuple[str, str] | None:
    """(the other name of a part whose file name is given in both forms, its parameter's name:
    see _BothForms), read as the name is (_file_name); None when there is none or it is the same."""
    form = _plain_form(value)
    if form is None or name is None:
        return None
    other = _file_name(form[0])
    return (other, form[1]) if other is not None and other != name else None


def _with_other_form(other: tuple[str, str], risk: str | None, spoofed: str | None,
                     extension: str) -> tuple[str | None, str | None]:
    """A part's (risk, disguise) with those of the other form of its name (_BothForms) told too:
    clients differ in the form they show and save (Python's compat32 get_filename() the plain
    one, others the RFC 2231 one), so a risky type or a disguise in either is the file's. Each
    says which form it is in."""
    name, parameter = other
    shown = f"“{_shown_name(name)}”"
    other_extension = _extension(name)[1]
    other_risk = _RISKY_EXTENSIONS.get(other_extension)
    two = (f"the field gives two names, the RFC 2231 {parameter}*= listed and the plain {parameter}= {shown}: "
           "Python's email (get_filename) and the mail programs that read the plain form show and save the latter")
    if other_risk is not None and other_extension != extension:
        risk = (f"{risk}, by the RFC 2231 name listed; and " if risk else "") + \
            f"{other_risk}, by the name its plain {parameter}= gives ({two})"
    elif extension in _RISKY_EXTENSIONS and other_risk is None:
        risk = f"{risk}, by the RFC 2231 name listed ({two}, which is no such type)"
    other_spoofed = _spoofed(name)
    if spoofed is None and other_spoofed is not None:
        spoofed = f"in the name its plain {parameter}= gives, {other_spoofed} ({two})"
    return risk, spoofed


def _other_names(name: str | None, part: _Part) -> list[tuple[str, str]]:
    """(each other name a mail program may show and save the part under, read as the listed one
    is (_file_name); where the header gives it, in words): a name given again in its field with
    another value (_NamedAgain), Content-Disposition's filename= and Content-Type's name= (each
    with its RFC 2231 and plain forms and its values given again) beside the one listed. Python's
    email (get_filename) takes the first filename=, then name=; other mail programs show
    Content-Type's name=, or the last value of a name given twice (task attach47), or fall back
    to name= when filename= is blank. A blank listed name (``name`` None: "", " ", an empty
    encoded-word) leaves every other name to be checked (verification V47 f D1). The plain form of
    a listed name given in both forms is _other_form's. A name equal to the listed one, or to one
    before it, is left out. Bounded: at most 2 x (_MAX_NAMES_AGAIN + 2) + 1 names, each read
    bounded."""
    listed = part.filename
    disposition_name = part.disposition_name
    type_name = part.params.get("name")
    if listed is None and disposition_name is None:
        return []
    given: list[tuple[str, str]] = []
    for value, field, parameter in ((disposition_name, "Content-Disposition", "filename"),
                                    (type_name, "Content-Type", "name")):
        if value is None:
            continue
        if value is not listed:
            given.append((value, f"its {field}'s {parameter}="))
        plain = _plain_form(value)
        # (The listed name's plain form is _other_form's, when the listed name is read.)
        if plain is not None and (value is not listed or name is None):
            given.append((plain[0], f"its {field}'s plain {parameter}=, beside {parameter}*="))
        given.extend((again, f"a later {parameter}= of its {field}, the parameter given more than once")
                     for again in _names_again(value))
    seen = {name}
    plain = _plain_form(listed)
    if plain is not None and name is not None:
        seen.add(_file_name(plain[0]) or "")  # (the other form, said by _with_other_form)
    found: list[tuple[str, str]] = []
    for value, where in given:
        other = _file_name(value)
        if other is not None and other not in seen:
            seen.add(other)
            found.append((other, where))
    return found


def _with_other_name(other: str, where: str, risk: str | None, spoofed: str | None,
                     extension: str) -> tuple[str | None, str | None]:
    """A part's (risk, disguise) with those of another name its header gives (_other_names): a
    mail program that shows that one saves the file under it, so a risky type or a disguise in
    it is the file's. Each says where the name is given."""
    shown = f"“{shown_hidden(_shown_name(other))}”"
    other_extension = _extension(other)[1]
    other_risk = _RISKY_EXTENSIONS.get(other_extension)
    if other_risk is not None and other_extension != extension:
        listed = "" if not risk else risk if "by the name listed" in risk else f"{risk}, by the name listed"
        risk = (f"{listed}; and " if listed else "") + f"{other_risk}, by its other name {shown} ({where})"
    other_spoofed = _spoofed(other)
    if spoofed is None and other_spoofed is not None:
        spoofed = f"in its other name {shown} ({where}): {other_spoofed}"
    return risk, spoofed


def _names_disagree(disagreeing: Sequence[tuple[Attachment, str, list[tuple[str, str]]]],
                    unlisted: frozenset[str]) -> Finding | None:
    """A finding for the files whose header names them otherwise too (_other_names, and the
    plain form of a name given in both forms when its extension differs): a warning when a name's
    extension differs from the listed one's (the file is saved and opened as another type than
    the one a filter read), else a notice; names that differ in case only are the same name to
    Windows and macOS and say nothing. RFC 2231's name*= beside a plain name= of the same type
    is how a name in another script is written with a fallback (RFC 2231 section 4), not
    counted; nor is a fallback that spells the listed name in ASCII (_ascii_fallback), nor a
    media type written as name= (_media_type_as_name)."""
    said: list[str] = []
    other_type = False
    for attachment, name, others in disagreeing:
        extension = _extension(name)[1]
        # (A fallback or a media type counts as the same name only with the listed name's own
        # extension as written: NFKD reads a fullwidth dot as ".", and "text/invoice.pdf.zip" is no
        # media type a program writes, V49b.)
        differing = [(other, where) for other, where in others
                     if other.casefold() != name.casefold()
                     and not ((_extension(other)[1] == extension
                               or not (_plain_extension(extension) or _plain_extension(_extension(other)[1])))
                              and (_ascii_fallback(name, other) or _ascii_fallback(other, name)))
                     and not _media_type_as_name(other)]
        if not differing:
            continue
        other_type = other_type or any(_extension(other)[1] != extension for other, _ in differing)
        said.append(_named(attachment, unlisted) + ": " + ", ".join(
            f"“{shown_hidden(_shown_name(other))}” in {where}" for other, where in differing[:4])
            + (f" and {len(differing) - 4} more" if len(differing) > 4 else ""))
    if not said:
        return None
    return Finding(
        id="attachment.names_disagree", severity=Severity.WARNING if other_type else Severity.NOTICE,
        title="Attachment named otherwise in its own header: " + _first_and_more(said[0], len(said)),
        explanation=(_ten_and_more(said)
                     + ". RFC 2045 section 5.1 and RFC 2183 give each parameter once, and a file one name; mail "
                     "programs differ in the one they show and save the file under: Python's email and most programs "
                     "take Content-Disposition's filename= (its first, when given twice), others Content-Type's "
                     "name= or the last one given. A filter or scanner that reads one name lets through a file the "
                     "reader sees under another"
                     + (", here of another type (the extensions differ): a known way past attachment filters."
                        if other_type else
                        ". The names here have the same extension: less likely a way past a filter, but not what "
                        "one mail program writes.")),
        reference="https://www.rfc-editor.org/rfc/rfc2183#section-2.3", subject="attachments")


def _ascii_fallback(name: str, other: str) -> bool:
    """Whether ``other`` is ``name`` itself, in another Unicode normal form (NFD, as macOS writes a
    name, against NFC) or spelt in ASCII for a program that cannot read ``name`` (either way round
    in _names_disagree: the listed name or the other may be the fallback): Apple Mail writes Content-Type's name= so beside filename*=utf-8''... (RFC 2231 section
    4's fallback), its accented letters without their accents ("Gefluchtete" for "Geflüchtete")
    or every other non-ASCII character as "_" ("____.JPG" for "фото.JPG"; verification V47 f D2).
    The same characters at every ASCII place, so the same extension: the name a reader sees is the
    one a filter read. Each name keeps its own checks; this only says they are one name."""
    if name.isascii() or len(name) > _LONGEST_FILE_NAME or len(other) > _LONGEST_FILE_NAME:
        # (No file system keeps a longer name; Unicode normalisation sorts a run of combining marks
        # in quadratic time: two names of thousands of them took a minute, V51b D1.)
        return False
    import unicodedata  # (only for a name in another script beside another name: rare)

    if unicodedata.normalize("NFC", name).casefold() == unicodedata.normalize("NFC", other).casefold():
        return True  # (C-level work only)
    if not other.isascii() or len(other) > 4 * len(name):
        return False
    return other.casefold() in _name_forms(name)


@functools.lru_cache(maxsize=64)
def _name_forms(name: str) -> tuple[str, str]:
    """A non-ASCII name's ASCII spellings, with "_" for each other character and with its accents
    dropped, case-folded: worked out once per name, not once per other name beside it, and only
    for an ASCII other name (a forger's 300 parts of long non-ASCII names with 17 other names each
    took 30 s, V49b; distinct non-ASCII names beside each other, 14 s, V50b)."""
    import unicodedata

    underscored = "".join(char if char.isascii() else "_" for char in name)
    folded = "".join(
        char if char.isascii() else "".join(
            base for base in unicodedata.normalize("NFKD", char) if not unicodedata.combining(base)
        ).encode("ascii", "ignore").decode() or "_"
        for char in name)
    return underscored.casefold(), folded.casefold()


# A media type (RFC 2045 section 5.1: type "/" subtype, tokens) of one of the registered top-level
# types (RFC 6838 section 4.2), not a file name.
_media_type_name = compiled_on_first_use(
    # The subtype in the standard tree has no dots; the vendor, personal and unregistered trees
    # (RFC 6838 section 3) start "vnd.", "prs.", "x." or "x-": "text/invoice.pdf.zip" is a file name.
    r"(?:application|audio|font|haptics|image|message|model|multipart|text|video)/"
    r"(?:[A-Za-z0-9][A-Za-z0-9!#$&^_+-]{0,126}|(?:vnd|prs|x)[.-][A-Za-z0-9!#$&^_.+-]{1,124})",
    re.IGNORECASE)


_LONGEST_FILE_NAME = 255
"""Characters of a name compared with another as its spelling in ASCII (_ascii_fallback)."""


def _plain_extension(extension: str) -> bool:
    """Whether what follows a name's last dot reads as a file extension: short, no blank (" müller"
    in "Brief an Dr. Müller" is none, and its ASCII fallback "Brief an Dr. Muller" the same name,
    V50b D2-2)."""
    return 1 < len(extension) <= 12 and not any(char.isspace() for char in extension)


def _media_type_as_name(other: str) -> bool:
    """Whether ``other`` is a media type written as Content-Type's name= ("application/vnd.
    openxmlformats-officedocument.spreadsheetml.sheet", mikel/mail#1026), which no reader takes for
    the file's name: its ".sheet" is a subtype's, no extension (verification V47 f D2). One whose
    last dot gives a risky extension stays a disagreement: a program that saves it keeps that."""
    # Its last dot's tail must be no file extension either: a subtype's word ("sheet", "document",
    # "presentation") or version ("12"), not "zip" or "pdf" ("application/vnd.invoice.pdf.zip", V50b D2-1).
    extension = _extension(other)[1]
    return (extension not in _RISKY_EXTENSIONS and _media_type_name().fullmatch(other) is not None
            and "." + extension.lower() not in _known_extensions())


@functools.cache
def _known_extensions() -> frozenset[str]:
    """File extensions Python's own table maps to a media type (mimetypes' built-in defaults, not the
    machine's mime.types files, so the same everywhere): ".zip", ".pdf", ".xhtml" after a media type's
    last dot are a file's, not a subtype's word ("sheet", "text", "icon"; V51b D2-2, D2-3)."""
    import mimetypes

    # (Its table lacks some a program still saves as what they say: archives, web archives, Office's
    # and ClickOnce's, macOS's shell commands.)
    more = (".7z", ".rar", ".xz", ".bz2", ".tgz", ".iso", ".img", ".vhd", ".xhtml", ".mhtml", ".mht", ".docx",
            ".xlsx", ".pptx", ".docm", ".xlsm", ".pptm", ".odt", ".ods", ".odp", ".eml", ".msg", ".command",
            ".application", ".appref-ms", ".accde", ".accdb", ".one", ".url", ".website")
    return frozenset((*(ext.lower() for ext in mimetypes.MimeTypes(filenames=()).types_map[True]), *more))


def _hint_in_head(raw: bytes, part: _Part | None) -> bool:
    """Whether the part's own header (in the body: a part inside a multipart) holds one of
    _ATTACHMENT_HINTS, which the header of a part listed as a file nearly always does: then the
    body does, without a search through it."""
    return part is not None and part.depth > 0 and any(
        raw.find(hint, part.head_start, part.body_start) >= 0 for hint in _ATTACHMENT_HINTS)


def _names_past_walk(raw: bytes, start: int, stop: int | None = None) -> tuple[int, list[tuple[str, str, str | None]]]:
    """Past the walk's bound: (how many named parts at least, by their name= or filename=
    parameters, and the risky names among them as (name, kind, disguise)), from one bounded
    search of raw[start:stop] (_MAX_BEYOND_BYTES, _MAX_BEYOND_NAMES). A part usually names its file
    in both parameters: a name counts as a new part only when a blank line (the end of a part's
    header, RFC 2045 section 3) lies between it and the last one counted."""
    counted = 0
    scanned = start  # searched for a blank line up to here since the last name counted: linear
    risky: list[tuple[str, str, str | None]] = []
    end = min(len(raw) if stop is None else stop, start + _MAX_BEYOND_BYTES)
    # RFC 2231 pieces (name*0*=, name*1*=) of one part's header, by parameter ("file" or not):
    # joined and decoded as one value (_rfc2231_value), as the walk reads them, when the header
    # ends (a blank line) or the search does. Each is bounded as the walk's (_MAX_CONTENT_TYPE).
    pieces: dict[bytes, tuple[list[tuple[int, str, bool]], list[int]]] = {}
    previous_end = start  # a blank line is looked for between two hits only: linear

    # The risky names said of each part (by its count): a part names its file in name= and in
    # filename= alike, which is one file, said once.
    said: set[tuple[int, str]] = set()

    def read(value: str | None, sections: list[tuple[int, str, bool]] | None, part: int) -> None:
        name = _file_name(value if sections is None else _rfc2231_value(sections))
        if name is None:
            return
        kind = _RISKY_EXTENSIONS.get(_extension(name)[1])
        if kind is not None and (part, name) not in said:
            said.add((part, name))
            risky.append((_shown_name(name), kind, _spoofed(name)))

    def flush() -> None:
        for sections, length in pieces.values():
            read(None, sections, length[1])
        pieces.clear()

    for match in itertools.islice(_name_parameter().finditer(raw, start, end), _MAX_BEYOND_NAMES):
        piece, encoded = match.group(2), match.group(3) is not None
        if piece in (None, b"0"):
            if counted == 0 or raw.find(b"\n\n", scanned, match.start()) >= 0 \
                    or raw.find(b"\n\r\n", scanned, match.start()) >= 0:
                counted += 1
            scanned = max(scanned, match.end())
        if pieces and (raw.find(b"\n\n", previous_end, match.start()) >= 0
                       or raw.find(b"\n\r\n", previous_end, match.start()) >= 0):
            flush()
        previous_end = match.end()
        value = match.group(4).decode("utf-8", "replace")
        text = _unquote(value) if value.startswith('"') else value
        if piece is None:
            read(text, [(0, text, True)] if encoded else None, counted)
            continue
        # (The pieces, and the characters and the part they were read in.)
        sections, length = pieces.setdefault((match.group(1) or b"").lower(), ([], [0, counted]))
        if length[0] < _MAX_CONTENT_TYPE:
            sections.append((_piece_number(piece.decode()), text, encoded))
            length[0] += len(text)
    flush()
    return counted, risky


def _legacy_charset_names(named: list[tuple[Attachment, str]], unlisted: frozenset[str]) -> Finding:
    """A notice for file names written as raw 8-bit bytes and read in a legacy charset, said as
    headers.defects says it of header fields: the name is shown as mail readers show it."""
    return Finding(
        id="attachment.legacy_charset_name", severity=Severity.NOTICE,
        title="Attachment name in a legacy charset, not RFC 2231 encoded: " + _first_and_more(
            shown_hidden(named[0][0].filename or "(no name)"), len(named)),
        explanation=(_ten_and_more([f"{_named(entry, unlisted)}: {why}" for entry, why in named])
                     + ". RFC 2231 section 4 gives a file name's charset with it (filename*=charset''...); this "
                     "mail program wrote the bytes raw instead. Thunderbird and Outlook read such bytes in the "
                     "charset the part, else the message, declares, and so does this report, when that charset "
                     "reads them whole; a program that reads them otherwise shows other characters."),
        reference="https://www.rfc-editor.org/rfc/rfc2231#section-4", subject="attachments")


def _named(attachment: Attachment, unlisted: frozenset[str] = frozenset()) -> str:
    """An attachment in a finding's words: its name with hidden characters shown, and its part
    (and that it is not in the list, when its part is one of the ``unlisted`` positions)."""
    name = shown_hidden(attachment.filename) if attachment.filename else "(no name)"
    past_list = f", not listed: past the first {MAX_ATTACHMENTS}" if attachment.position in unlisted else ""
    return f"“{name}” ({attachment.content_type}, part {attachment.position}{past_list})"


# Where a name found by a search of part headers (_names_past_walk) was, in a finding's words.
_PAST_THE_WALK = f"in a part past the first {MAX_PARTS}, found by a search of the part headers"
_NESTED_TOO_DEEP = (f"in a part nested deeper than {MAX_DEPTH} multipart levels, found by a search of the part "
                    "headers")


def _first_and_more(first: str | None, count: int) -> str:
    """A finding's title's end: the first of ``count`` items (shortened), and how many more."""
    return f"{_short(first, 260)}" + (f" and {count - 1} more" if count > 1 else "")


def _ten_and_more(items: Sequence[str]) -> str:
    """A finding's explanation's list: the first ten items, and how many more."""
    return "; ".join(items[:10]) + (f"; and {len(items) - 10} more" if len(items) > 10 else "")


def _attachment_findings(listed: Sequence[Attachment], fragments: Sequence[Attachment] = (),
                         beyond: Sequence[tuple[str, str, str | None, str]] = (),
                         padded: Sequence[tuple[Attachment, str]] = (),
                         unlisted: Sequence[Attachment] = ()) -> list[Finding]:
    """The findings: disguised names (DANGER), risky types and padded names (WARNING) and HTML
    body fragments where Exchange puts them (NOTICE). ``beyond``: risky names found past the
    walk's bounds, as (name, kind, disguise, where), told in the same findings. ``padded``: the
    names padded or too long to read whole, with what is wrong with each (_padding_note).
    ``unlisted``: the files checked past the MAX_ATTACHMENTS listed, told as not listed."""
    findings: list[Finding] = []
    checked = [*listed, *unlisted] if unlisted else listed
    unlisted_at = frozenset(a.position for a in unlisted)
    spoofed = [(_named(a, unlisted_at), a.spoofed) for a in checked if a.spoofed] + [
        (f"“{shown_hidden(_shown_name(name))}” ({where})", disguise)
        for name, _kind, disguise, where in beyond if disguise]
    if spoofed:
        bidi = any(why.startswith("a bidi") for _, why in spoofed if why)
        findings.append(Finding(
            id="attachment.spoofed_extension", severity=Severity.DANGER,
            title="Attachment name disguises its real extension: " + _first_and_more(spoofed[0][0], len(spoofed)),
            explanation=(_ten_and_more([f"{named}: {why}" for named, why in spoofed])
                         + ". A name written to show one type while being another has no innocent use: it is "
                         "made to get a file opened that the reader would not open (MITRE ATT&CK T1036). "
                         "The file type is what Windows and the mail program go by, not what the name shows."),
            reference=_ATTACK_RLO if bidi else _ATTACK_DOUBLE, subject="attachments"))
    risky = [(_named(a, unlisted_at), a.risk) for a in checked if a.risk and not a.spoofed and a not in fragments] + [
        (f"“{shown_hidden(_shown_name(name))}” ({where})", kind) for name, kind, disguise, where in beyond
        if not disguise]
    if risky:
        findings.append(Finding(
            id="attachment.risky_type", severity=Severity.WARNING,
            title="Attachment of a type that runs code or shows a page when opened: "
                  + _first_and_more(risky[0][0], len(risky)),
            explanation=(_ten_and_more([f"{named}: {kind}" for named, kind in risky])
                         + ". Mail providers block or quarantine these types by default (Gmail's blocked file types, "
                         "Microsoft Defender's common attachments filter) because malware and phishing pages arrive "
                         "this way; a business document rarely does. Read by the name's extension and the declared "
                         "type only: the file itself was not opened."),
            reference="https://support.google.com/mail/answer/6590", subject="attachments"))
    if padded:
        findings.append(Finding(
            id="attachment.padded_name", severity=Severity.WARNING,
            title="Attachment name padded out of sight: " + _first_and_more(padded[0][0].filename, len(padded)),
            explanation=(_ten_and_more([f"{_named(a, unlisted_at)}: {note}" for a, note in padded])
                         + ". No real file name is padded so (Windows allows 255 characters in one): a run of "
                         "blanks, or a name too long for any window, pushes its end out of sight, where the real "
                         "extension of a double-extension file is (MITRE ATT&CK T1036.007), and past what filters "
                         "that cut a name read. Its end was read and checked here."),
            reference=_ATTACK_DOUBLE, subject="attachments"))
    if fragments:
        findings.append(Finding(
            id="attachment.body_fragment", severity=Severity.NOTICE,
            title="HTML part named and placed as Exchange writes a body fragment: "
                  + _first_and_more(_named(fragments[0], unlisted_at), len(fragments)),
            explanation=(_ten_and_more([_named(a, unlisted_at) for a in fragments])
                         + ". Exchange and other relays turn the HTML text that follows an inline image or an "
                         "attachment into a part named ATT00001.htm (att24916.htm), so that a client that shows "
                         "one body part shows the rest as files: this one has that name and sits there, after an "
                         "image or attachment in a multipart/mixed whose first part is the message's text. Most "
                         "likely the rest of the text; it is still a page that opens in a browser, so open it only "
                         "if the message is otherwise trusted. Read by its name, type and place only."),
            reference="https://support.microsoft.com/en-us/kb/814111",
            subject="attachments"))
    return findings


# --- A multipart/report that holds no report ---------------------------------------------------
_RFC6522 = "https://www.rfc-editor.org/rfc/rfc6522#section-3"


def _report_subtype(content_type: str) -> str:
    """The report type a part's type names: its subtype without a structured-syntax suffix
    (RFC 6838 section 4.2.8: application/tlsrpt+gzip is RFC 8460's "tlsrpt") nor the "global-"
    of RFC 6533's UTF-8 forms (message/global-delivery-status is a delivery-status report)."""
    subtype = content_type.partition("/")[2].partition("+")[0]
    return subtype.removeprefix("global-")


def report_without_report(message: Message, feedback: FeedbackReport | None = None,
                          delivery: DeliveryReport | None = None) -> Finding | None:
    """A NOTICE when the message is a multipart/report (RFC 6522) without the report-type
    parameter, or whose second part is not the report that parameter names: the wrapper of a
    bounce, a read receipt or an abuse report around no report. None otherwise. Reads the top
    part's header and the second part's header only. ``feedback``, ``delivery``: the report its
    text or parts were read as (read_carried), which the words then name instead of calling it
    a dress: still a NOTICE, since that text is anyone's to write."""
    content_type = message.first("Content-Type")
    if content_type is None or "report" not in content_type.lower():
        return None
    top, params = parse_content_type(content_type)
    if top != "multipart/report":
        return None
    report_type = params.get("report-type", "").strip().lower()[:60]
    second: str | None = None
    seen = False
    boundary = params.get("boundary")
    if message.body_start is not None and boundary:
        raw = message.raw
        children = list(itertools.islice(_split_multipart(raw, message.body_start, len(raw), boundary), 2))
        seen = True
        if len(children) == 2:
            start, end = children[1]
            header_end, _ = header_body_offsets(raw, start, min(end, start + _PART_HEADER_BYTES))
            second = parse_content_type(parse_message(raw[start:header_end]).first("Content-Type")
                                        or "text/plain")[0][:100]
    named = _short(report_type, 60)
    if report_type and (not seen or (second is not None
                                     and _report_subtype(second) == report_type.removeprefix("global-"))):
        return None  # the report it names is its second part (or no body to check: a header alone)
    if not report_type:
        what = "no report-type parameter" + (
            f" (its second part is {second})" if second else " and no second part" if seen else "")
    elif second is None:
        what = f"report-type={named} but no second part to hold that report"
    else:
        what = f"report-type={named} but its second part is {second}, not that report"
    read_as = _read_as(feedback, delivery)
    if read_as is not None:
        # Exim writes its DMARC failure reports so (a text part alone in this wrapper): calling
        # the message a dress contradicted the report finding. The wrapper still proves nothing,
        # and the text that made it a report is the sender's: the notice stays, in other words.
        return Finding(
            id="message.report_without_report", severity=Severity.NOTICE,
            title=f"Report not in RFC 6522's form: multipart/report with {what}; it reads as {read_as}",
            explanation=(f"The message is a multipart/report with {what}. RFC 6522 section 3 requires the "
                         "report-type parameter and a second part holding the report in its machine-readable "
                         f"form; this message was read as {read_as} all the same (the report finding). Some "
                         "programs write reports that do not follow it (Exim's DMARC failure reports are a text "
                         "part alone in this wrapper), so the wrapper is no sign of a fake here; nor is the content "
                         "proof of a real report, since anyone can write it: whether the report comes from the "
                         "server it names is for its sender's authentication to say."),
            reference=_RFC6522, subject="structure")
    return Finding(
        id="message.report_without_report", severity=Severity.NOTICE,
        title=f"Dressed as a report: multipart/report with {what}",
        explanation=(f"The message is a multipart/report with {what}. RFC 6522 section 3 requires the report-type "
                     "parameter, naming the kind of report, and a second part holding that report: "
                     "message/delivery-status for a bounce or delay notice (RFC 3464), "
                     "message/disposition-notification for a read receipt (RFC 8098), message/feedback-report for "
                     "an abuse report (RFC 5965). Mail servers that write bounces and reports write both. A "
                     "multipart/report without them has the wrapper of a notification and not its content: the "
                     "way spam and phishing try to pass as a bounce, which filters and readers trust more than "
                     "ordinary mail. Some programs write a text-only report in this wrapper too (Exim's DMARC "
                     "failure report): whether this is one is for its sender's authentication to say, not its "
                     "content type."),
        reference=_RFC6522, subject="structure")


def _read_as(feedback: FeedbackReport | None, delivery: DeliveryReport | None) -> str | None:
    """What read_carried read a report wrapper's content as, in words; None for nothing."""
    if feedback is not None:
        if feedback.format == "text":
            return "a DMARC failure report in Exim's plain-text layout"
        return f"a feedback report ({feedback.feedback_type[:40]})"
    if delivery is not None and delivery.recipients:
        return "a delivery report"
    return None
