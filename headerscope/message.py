"""Split raw message bytes into ordered header fields and body bytes, losing nothing.

Only the header section is parsed (RFC 5322 section 2.2); the body stays raw bytes, since
DKIM hashes it byte for byte and nothing else in the analysis needs a MIME parse. The body is
kept as an offset into ``raw``, not copied: on a 50 MB message a copy is 50 MB more memory.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from itertools import chain, islice

from ._value import Value, frozen, frozen_maker
from .model import HeaderField
from .text import (
    compiled_on_first_use,
    decode_rfc2047_checked,
    legacy_codec,
    unterminated_encoded_word,
    whatwg_encoding,
)

# RFC 5322 section 3.6.8: field-name is printable US-ASCII except colon.
_FIELD_NAME = re.compile(rb"^([\x21-\x39\x3b-\x7e]+)[ \t]*:")
# A line break that does not start a folded continuation line.
_FIELD_BREAK = re.compile(rb"(?:\r\n|\n|\r(?!\n))(?![ \t])")
# The same breaks when every line ends in LF, or every line in CR LF (no bare CR or LF): with
# one kind of line end _FIELD_BREAK matches exactly these, and a pattern that starts with a
# literal is searched for that byte instead of testing a character set at every position.
_LF_BREAK = re.compile(rb"\n(?![ \t])")
_CRLF_BREAK = re.compile(rb"\r\n(?![ \t])")
_FIRST_WINDOW = 8 * 1024
# Header fields read one by one. RFC 5322 sets no limit, but servers do (Exim's header_maxsize
# is 1 MB, Postfix's header_size_limit 100 KB per field): a message with more is crafted, and
# each field costs parsing and report space.
MAX_HEADER_FIELDS = 20_000
# Past that cap the fields the checks read are still kept, with their real indexes: the
# receiver prepends its fields (RFC 5321 section 4.4 says "at the beginning"), so the sender's
# own From:, DKIM-Signature and Date are the deepest, and padding that pushed them past the
# cap would otherwise turn a spoof into "no From:". Each name keeps at most this many there.
MAX_KEPT_PER_NAME = 50
KEPT_PAST_CAP = frozenset((
    # RFC 5322 section 3.6: originator, destination, identification and informational fields.
    "from", "sender", "reply-to", "to", "cc", "bcc", "subject", "date", "message-id", "in-reply-to",
    "references",
    # Signatures and results: DKIM (RFC 6376), DomainKeys (RFC 4870), ARC (RFC 8617),
    # Authentication-Results (RFC 8601), Received-SPF (RFC 7208 section 9.1).
    "dkim-signature", "domainkey-signature", "arc-seal", "arc-message-signature",
    "arc-authentication-results", "authentication-results", "received-spf",
    # Trace fields (RFC 5321 section 4.4) and the envelope's copies.
    "return-path", "received", "delivered-to", "x-original-to", "envelope-to",
    # MIME (RFC 2045) and what the sender's software writes about itself.
    "mime-version", "content-type", "content-transfer-encoding", "x-mailer", "user-agent",
    "x-originating-ip", "x-google-original-from", "x-php-originating-script", "x-php-script",
    "precedence", "auto-submitted", "feedback-id", "errors-to", "disposition-notification-to",
))
# Name prefixes kept the same way: Resent-* (RFC 5322 section 3.6.6), List-* (RFC 2369, 2919, 8058).
KEPT_PREFIXES_PAST_CAP = ("resent-", "list-")
_LONGEST_KEPT = max(len(name) for name in KEPT_PAST_CAP) + 64  # a List-*/Resent-* name may be longer
NUL_DEFECT = "NUL byte: RFC 5322 section 2.2 allows none (shown as \ufffd)"
_NOT_UTF8 = "bytes that are not UTF-8 (shown as \ufffd)"
_READ_AS_DECLARED = "bytes that are not UTF-8: read as {}, the charset the {} declares"
_READ_AS_TAKEN = "bytes that are not UTF-8: read as {}, which mail readers take the charset the {} declares ({}) for"
_READ_AS_ISO2022JP = "raw ISO-2022-JP (escape sequences), not RFC 2047 encoded-words: read as ISO-2022-JP"
# How the defects of a field read in a legacy charset begin: the text is shown, nothing lost.
LEGACY_CHARSET_DEFECTS = (_READ_AS_DECLARED.partition("{")[0], _READ_AS_ISO2022JP)
# How the defect of a display name made of '?' only begins (see addresses.address_field_defects).
LOST_NAME = "a display name of question marks only"
# Defects that damage nothing the analysis reads: a notice, not a warning (a legacy charset
# read whole; a display name whose characters were lost before the message got here).
NOTICE_DEFECTS = (*LEGACY_CHARSET_DEFECTS, LOST_NAME)
# Fields of mailboxes (RFC 5322 sections 3.6.2, 3.6.3 and 3.6.6), in lower case.
_ADDRESS_FIELDS = frozenset(("from", "sender", "reply-to", "to", "cc", "bcc", "resent-from", "resent-sender",
                             "resent-to", "resent-cc", "resent-bcc"))
_LONGEST_ADDRESS_FIELD = max(map(len, _ADDRESS_FIELDS))
# A multipart message declares no charset at its top; its first part's does (searched for in
# this much of the body).
_PART_CHARSET_WINDOW = 16 * 1024
_part_charset = compiled_on_first_use(
    rb'(?im)^content-type:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*?charset[ \t]*=[ \t]*"?([A-Za-z0-9._:+-]{1,40})')


@frozen
class Message(Value):
    """A message as the checks see it: raw bytes, header fields in order, body bytes.

    ``@frozen`` rather than ``@dataclass(frozen=True)``, which compiles six methods from
    source at import; equality and hashing are by the three fields (the cached index and
    body are not fields), and the repr is short, since ``raw`` may be 50 MB."""

    raw: bytes
    """The message bytes (after paste clean-up), exactly as handed to DKIM/ARC."""
    headers: tuple[HeaderField, ...]
    """Header fields, top first."""
    body_start: int | None
    """Offset of the body in ``raw``, or None when the input had no body (headers-only paste)."""
    cut_off: bool = False
    """A file cut off inside its header (the loader's ``cut-off`` format), not a paste: what it
    lacks is as unknown as what a paste leaves out, but it is said in a file's words."""
    carried: bool = False
    """A message a bounce or report carries (``analyze --attached``): a header alone is its
    returned header (text/rfc822-headers, RFC 6522), not a paste."""
    starts_mid_field: bool = False
    """A paste that started inside a header field (LoadedInput.starts_mid_field): the fields
    above its first one, the receiving side's topmost, were not copied."""
    fields_past_cap: int = 0
    """How many header fields lay past MAX_HEADER_FIELDS (0 for nearly every message): of
    those only the names in KEPT_PAST_CAP were read (at most MAX_KEPT_PER_NAME of each)."""
    field_count: int = 0
    """How many header fields (logical lines) the header section holds."""
    dropped_past_cap: tuple[tuple[str, int], ...] = ()
    """(lower-case name, count) of the fields past MAX_HEADER_FIELDS not read, beyond the
    MAX_KEPT_PER_NAME of their name kept: "50 of the 51 From: fields were read"."""

    @property
    def header_words(self) -> str:
        """What a header alone is called in the report's words: "the pasted header", for a file
        cut off inside its header "the cut-off file's header", and for one a bounce or report
        carries "the attached header" (never a paste's words)."""
        if self.carried:
            return "the attached header"
        return "the cut-off file's header" if self.cut_off else "the pasted header"

    @property
    def has_body(self) -> bool:
        """True when the input has a body (an empty line ends the header section)."""
        return self.body_start is not None

    @cached_property
    def body(self) -> bytes | None:
        """Body bytes, or None when the input had no body. A copy, made on first use: use
        ``has_body`` to ask whether there is one and ``body_view`` to read it without copying."""
        return None if self.body_start is None else self.raw[self.body_start:]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Message)
        return (self.raw, self.headers, self.body_start) == (other.raw, other.headers, other.body_start)

    def __hash__(self) -> int:
        return hash((self.raw, self.headers, self.body_start))

    def __repr__(self) -> str:
        return f"Message(raw=<{len(self.raw)} bytes>, headers=<{len(self.headers)} fields>, body_start={self.body_start})"

    def body_view(self) -> memoryview | None:
        """The body without copying it, or None when the input had no body."""
        return None if self.body_start is None else memoryview(self.raw)[self.body_start:]

    @cached_property
    def body_blank(self) -> bool:
        """True when there is a body and it holds only white space and line ends: a copy of
        the header that kept the empty line after it, a message cut there, or (rarely) a
        message sent with no text. Signatures over another body then say it is missing."""
        if self.body_start is None or len(self.raw) - self.body_start > _BLANK_BODY_LIMIT:
            return False
        return not self.raw[self.body_start:].strip(b" \t\r\n")

    @cached_property
    def _by_name(self) -> dict[str, tuple[HeaderField, ...]]:
        # Every check asks for fields by name; one pass builds the index for all of them.
        index: dict[str, list[HeaderField]] = {}
        for h in self.headers:
            index.setdefault(h.name.lower(), []).append(h)
        return {name: tuple(fields) for name, fields in index.items()}

    def all(self, name: str) -> tuple[HeaderField, ...]:
        """Every field with this name (case-insensitive), top first (the index's own tuple: a
        check asks for fields by name about 140 times a message, so nothing is copied)."""
        return self._by_name.get(name.lower(), ())

    @property
    def header_only(self) -> bool:
        """True for a header alone: no body, or a blank one (a copy of the header that kept the
        empty line after it). Such a copy may hold only part of the header's fields."""
        return not self.has_body or self.body_blank

    def pasted_without(self, name: str) -> bool:
        """Whether the input is a header alone (a paste: no body) holding no field of this name,
        which the part pasted may have stopped before: unknown, not missing from the message."""
        return self.header_only and not self.all(name)

    def has_any(self, lowercase_names: frozenset[str]) -> bool:
        """Whether any field has one of these names (given in lower case)."""
        return not lowercase_names.isdisjoint(self._by_name)

    def has_name_ending(self, lowercase_suffix: str) -> bool:
        """Whether any field's name (in lower case) ends with this suffix."""
        return any(name.endswith(lowercase_suffix) for name in self._by_name)

    def name_starting(self, lowercase_prefix: str) -> str | None:
        """The first field name (as written) whose lower case starts with this prefix, or None."""
        found = next((fields for name, fields in self._by_name.items() if name.startswith(lowercase_prefix)), None)
        return found[0].name if found else None

    def first(self, name: str) -> str | None:
        """Value of the topmost field with this name, or None."""
        found = self._by_name.get(name.lower())
        return found[0].value if found else None

    def first_decoded(self, name: str) -> str | None:
        """Decoded (RFC 2047) value of the topmost field with this name, or None."""
        found = self._by_name.get(name.lower())
        return found[0].decoded if found else None


# A body longer than this is not looked at for being blank (see Message.body_blank).
_BLANK_BODY_LIMIT = 4096


def header_body_offsets(raw: bytes, begin: int = 0, stop: int | None = None) -> tuple[int, int | None]:
    """(end of the header section, start of the body) of raw[begin:stop] (the whole of raw by
    default; a MIME part's region without copying it), as offsets into raw; the body start
    is None when there is no empty line before ``stop``."""
    first = raw[begin:begin + 1]  # one byte: a shared object, no copy
    if first == b"\n":
        return begin, begin + 1  # an empty header section: everything is body
    if first == b"\r" and raw.startswith(b"\r\n", begin):
        return begin, begin + 2
    # The first empty line (LF or CRLF endings, mixed) ends the header section. bytes.find is
    # a plain scan; a regex with an optional leading CR is much slower on a 10 MB header. Both
    # line-end styles are searched in growing windows, so neither search runs through a large
    # body for a blank line of the other style that it does not have (linear overall).
    size = len(raw) if stop is None else min(stop, len(raw))
    start, window = begin, begin + _FIRST_WINDOW
    while True:
        end = min(size, window)
        lf = raw.find(b"\n\n", start, end)
        # A LF CR LF before ``lf`` lies within ``lf + 2`` bytes: no need to search further.
        crlf = raw.find(b"\n\r\n", start, end if lf < 0 else lf + 2)
        if lf >= 0 or crlf >= 0 or end == size:
            break
        # A blank line may straddle the window's end.
        start, window = end - 2, begin + (window - begin) * 2
    if lf < 0 and crlf < 0:
        return size, None
    # The first of the two (a list and min() cost a part of a MIME walk more than the searches).
    first_lf = lf if crlf < 0 or 0 <= lf < crlf else crlf
    body_start = min(first_lf + (2 if raw[first_lf + 1:first_lf + 2] == b"\n" else 3), size)
    # The line break belongs to the last header line; the body starts after the blank line.
    header_end = first_lf - 1 if first_lf > begin and raw[first_lf - 1:first_lf] == b"\r" else first_lf
    return header_end, body_start




def _logical_lines(header_section: bytes, limit: int = 0) -> list[bytes]:
    """Each field with its folded continuation lines (line breaks kept as written). With a
    ``limit``, at most that many fields are split off; when more follow, the list ends with one
    more item, the rest of the section unsplit (from the first field past the limit)."""
    # RFC 5322 section 2.2.3: a line starting with white space continues the field above.
    # Lines end at CRLF, LF or CR (as bytes.splitlines); one C-level split does it all.
    if not header_section:
        return []
    lines = _field_breaks(header_section).split(header_section, limit)
    if not lines[-1]:
        lines.pop()  # the line break that ends the last line starts no further line
    return lines


def _field_breaks(header_section: bytes) -> re.Pattern[bytes]:
    """The pattern of the line breaks that end a field in this header section."""
    # bytes.find, not ``in``: ``in`` first tries the operand as an integer (a failed conversion
    # that raises and clears an exception, costlier than the search here).
    if header_section.find(b"\r") < 0:
        return _LF_BREAK
    if header_section.count(b"\r") == header_section.count(b"\n") == header_section.count(b"\r\n"):
        return _CRLF_BREAK  # every CR starts a CR LF and every LF ends one
    return _FIELD_BREAK


def _field_count(rest: bytes) -> int:
    """How many fields ``_logical_lines(rest)`` holds, by C-level counts (no list of them).

    A break (_FIELD_BREAK) is a LF not followed by SP/HTAB (alone or ending a CR LF), or a CR
    followed by none of LF, SP, HTAB; the line break ending the last line starts no field."""
    if not rest:
        return 0
    lf_breaks = rest.count(b"\n") - rest.count(b"\n ") - rest.count(b"\n\t")
    cr_breaks = 0
    if rest.find(b"\r") >= 0:
        cr_breaks = rest.count(b"\r") - rest.count(b"\r\n") - rest.count(b"\r ") - rest.count(b"\r\t")
    return lf_breaks + cr_breaks + 1 - (rest[-1:] in (b"\n", b"\r"))


def _unfold(value: bytes) -> str:
    # RFC 5322 section 2.2.3: unfolding removes the line breaks before folding white space.
    text = value.decode("utf-8", "replace")
    if "\n" in text or "\r" in text:
        text = text.replace("\r", "").replace("\n", "")
    return text.strip()


_make_header = frozen_maker(HeaderField)
# A message has dozens of fields: each is built here as ``frozen_maker`` builds it (a new
# instance whose ``__dict__`` holds every field in field order), written out for the five
# fields, which saves a keyword call per field. Only when ``frozen_maker`` itself takes that
# route and the fields are these five; otherwise ``_make_header`` builds them.
_HEADER_FIELDS = ("index", "name", "value", "decoded", "defects")
_DIRECT_HEADER = (_make_header is not HeaderField
                  and tuple(field.name for field in dataclasses.fields(HeaderField)) == _HEADER_FIELDS)
_new = object.__new__


def parse_message(raw: bytes, *, cut_off: bool = False, starts_mid_field: bool = False,
                  message_charset: str | None = None, carried: bool = False,
                  parameters_in_charset: bool = False) -> Message:
    """Parse raw bytes into a Message; never raises, malformed lines become defects.
    ``cut_off``: the bytes are a file cut off inside its header (Message.cut_off); ``carried``:
    a message another carries (Message.carried);
    ``starts_mid_field``: a paste that started inside a field (Message.starts_mid_field);
    ``message_charset``: the bytes are a MIME part's header, and this the charset the message it
    belongs to declares (declared_charset; "" when it declares none), for raw 8-bit bytes the
    part's own charset does not read (_read_legacy_charsets); ``parameters_in_charset``: its
    Content-Type and Content-Disposition fields with raw 8-bit bytes are read in the legacy
    charset even where the bytes are valid UTF-8 (mime._name_in_message_charset compares the
    readings: a program reading the declared charset first sees the charset's)."""
    header_end, body_start = header_body_offsets(raw)
    header_section = raw[:header_end]
    headers: list[HeaderField] = []
    # Fields to read again in a legacy charset: raw 8-bit bytes, or ISO-2022-JP's escapes.
    legacy: list[int] = []
    direct, new = _DIRECT_HEADER, _new
    # The fields past MAX_HEADER_FIELDS stay one unsplit rest: a header of a million short
    # lines split whole held a bytes object per line, 16 times the header's size.
    lines = _logical_lines(header_section, MAX_HEADER_FIELDS)
    rest = lines.pop() if len(lines) > MAX_HEADER_FIELDS else b""
    beyond = _field_count(rest)
    total_fields = len(lines) + beyond
    fields: Iterable[tuple[int, bytes]] = enumerate(lines)
    kept: list[bytes] = []
    dropped = 0
    dropped_by_name: dict[str, int] = {}
    if beyond > 0:
        kept, dropped, dropped_by_name = _kept_past_cap(rest)
        # Each field's index is its place in ``headers``, as everywhere else (the checks compare
        # indexes with hop positions and read ``headers[index]``): the kept fields follow the
        # first MAX_HEADER_FIELDS in their order, numbered on from there (``lines`` realigned
        # for the legacy-charset reading).
        fields = chain(enumerate(lines), enumerate(kept, start=MAX_HEADER_FIELDS))
        lines = [*lines, *kept]
    # RFC 5322 section 2.2: a field body holds no NUL (nor does RFC 6532's UTF-8). The text
    # shows U+FFFD in its place; ``raw`` keeps the byte, so DKIM hashes what was sent.
    nul = header_section.find(b"\x00") >= 0
    for index, line in fields:
        match = _FIELD_NAME.match(line)
        if match is None:
            text = _unfold(line)
            problem: tuple[str, ...] = ("not a header field (no name and colon)",)
            if nul and text.find("\x00") >= 0:
                text = text.replace("\x00", "\ufffd")
                problem = (*problem, NUL_DEFECT)
            headers.append(HeaderField(index=index, name="", value=text, decoded=text, defects=problem))
            continue
        name = match.group(1).decode("ascii")
        value = _unfold(line[match.end():])
        defects: tuple[str, ...] = ()
        if "\ufffd" in value and line.find(b"\xef\xbf\xbd") < 0:  # find: see _logical_lines
            defects = (_NOT_UTF8,)
            legacy.append(len(headers))
        elif parameters_in_charset and not value.isascii() and name.lower() in _PARAMETER_FIELDS:
            legacy.append(len(headers))
        if nul and value.find("\x00") >= 0:
            value = value.replace("\x00", "\ufffd")
            defects = (*defects, NUL_DEFECT)
        decoded, problems = decode_rfc2047_checked(value)
        if problems:
            defects = (*defects, *problems)
        if decoded is value and "=?" in value and unterminated_encoded_word(value):
            defects = (*defects, "an encoded-word (RFC 2047 section 2) that does not end with '?=': shown as written")
        if len(name) <= _LONGEST_ADDRESS_FIELD and name.lower() in _ADDRESS_FIELDS and (
                (value.count("@") > value.count("<") and (" " in value or "\t" in value or "(" in value))
                or "??" in decoded or ("\ufffd" in decoded and _NOT_UTF8 not in defects)):
            # Only values that may hold such a mailbox are parsed: an '@' outside angle brackets
            # and a space or comment (not a bare "a@b.test"), or a run of '?', also encoded (U+FFFD
            # from bytes not UTF-8 is for the legacy-charset reading below to settle).
            from .addresses import address_field_defects  # its regexes: only for such values

            problems = address_field_defects(value, lost_names=_NOT_UTF8 not in defects)
            if problems:
                defects = (*defects, *problems)
        if direct:
            field = new(HeaderField)
            state = field.__dict__
            state["index"] = index
            state["name"] = name
            state["value"] = value
            state["decoded"] = decoded
            state["defects"] = defects
            headers.append(field)
        else:
            headers.append(_make_header(index=index, name=name, value=value, decoded=decoded, defects=defects))
    if header_section.find(b"\x1b") >= 0:  # find: see _logical_lines
        legacy.extend(position for position, field in enumerate(headers)
                      if "\x1b$" in field.value or "\x1b(" in field.value)
    if legacy:
        _read_legacy_charsets(headers, lines, sorted(set(legacy)), raw, body_start, message_charset)
    if beyond > 0:
        note = truncation_note(beyond, len(kept), dropped)
        # Indexed after the last field read, as its place in ``headers``.
        headers.append(HeaderField(index=len(headers), name="", value=note, decoded=note, defects=(note,)))
    return Message(raw=raw, headers=tuple(headers), body_start=body_start, cut_off=cut_off, carried=carried,
                   starts_mid_field=starts_mid_field,
                   fields_past_cap=max(beyond, 0), field_count=total_fields,
                   dropped_past_cap=tuple(dropped_by_name.items()))


def first_values(header_section: bytes, names: frozenset[str], *, cut: bool = False) -> dict[str, str] | None:
    """The value of the topmost field of each of ``names`` (lower case) in a header section, as
    ``parse_message(header_section).first`` reads it; None when the section needs that full reading
    (bytes that are not ASCII, a NUL or an escape, more than MAX_HEADER_FIELDS fields). A MIME
    walk reads every part's header: parsing each of its fields in full cost a tenth of a scan.
    ``cut``: the section was cut where header_body_offsets ends it, so it holds no empty line
    and its own header ends at its end (searching it again for one cost a walk 4% per part)."""
    if not header_section.isascii() or header_section.find(b"\x00") >= 0 or header_section.find(b"\x1b") >= 0:
        return None
    header_end = len(header_section) if cut else header_body_offsets(header_section)[0]
    lines = _logical_lines(header_section[:header_end])
    if len(lines) > MAX_HEADER_FIELDS:
        return None
    found: dict[str, str] = {}
    for line in lines:
        match = _FIELD_NAME.match(line)
        if match is None:
            continue
        name = match.group(1).decode("ascii").lower()
        if name in names and name not in found:
            found[name] = _unfold(line[match.end():])
    return found


def truncation_note(beyond: int, kept: int, dropped: int) -> str:
    """The header defect of a header section longer than MAX_HEADER_FIELDS fields."""
    note = f"{beyond} more header field(s) after the first {MAX_HEADER_FIELDS}: not read one by one"
    if kept:
        note += (f"; {kept} of them, of the names the checks read (From:, DKIM-Signature, Date, Received, ...), "
                 f"were read in their order, numbered on from {MAX_HEADER_FIELDS}")
    else:
        note += "; none of them has a name the checks read (From:, DKIM-Signature, Date, Received, ...)"
    if dropped:
        note += (f"; {dropped} more of those names were not read (of each name the first "
                 f"{MAX_KEPT_PER_NAME // 2} and the last {MAX_KEPT_PER_NAME - MAX_KEPT_PER_NAME // 2} are)")
    return note


def _kept_past_cap(rest: bytes) -> tuple[list[bytes], int, dict[str, int]]:
    """The fields of ``rest`` (the header section past MAX_HEADER_FIELDS, unsplit) whose field
    names the checks read (KEPT_PAST_CAP), in order: of each name at most MAX_KEPT_PER_NAME, the
    first half and the LAST half (the deepest fields are the sender's own, RFC 5321 section 4.4:
    a sender who writes 50 decoy From: fields above its real one must not push the real one
    out); and how many more there were, in all and by name.

    Each name is one anchored regex search over ``rest`` lower-cased: a field of it is counted
    by C-level iteration, and only the kept ones are cut out, so a million Received fields cost
    no Python step and no bytes object each. A name is the field's bytes before the first colon
    in its first _LONGEST_KEPT bytes, less SP/HTAB at its end (as a reading of the fields split
    one by one has it: tests/test_header_cap.py compares the two), with any line ends: a bare CR past the cap (no real mail)
    costs what a clean header does (it sent the whole rest to the line-by-line reading, a bytes
    object per field: 1.85 GB for a 220 MB header, V47e E1)."""
    breaks = _field_breaks(rest)
    # Without a bare CR every break ends in an LF and every LF in a field is a fold's (followed by
    # SP/HTAB): each field starts after an LF not followed by SP/HTAB, and the one LF put first
    # starts the first.
    lowered = (b"\n" + rest).lower()  # ``bytes.lower`` changes only A-Z, as the name test's does
    names_in = lowered
    if breaks is _FIELD_BREAK and rest.count(b"\r") != rest.count(b"\r\n"):
        # A bare CR (one starting no CR LF) is a break of its own (as _FIELD_BREAK reads it; RFC
        # 5322 section 2.2 allows a CR only in CR LF). The names are searched for in a copy with
        # every CR an LF: a CR before a name starts no CR LF, so an LF before a name there is a
        # break before it here, and a name's pattern reads no line break. The prefixes' patterns
        # read a name's folds, which need the CRs (CR LF SP is one fold, CR CR SP a break and a
        # fold): they search ``lowered`` (_kept_field_patterns' ``bare_cr``).
        names_in = lowered.translate(_CR_AS_LF)
    bare_cr = names_in is not lowered
    half = MAX_KEPT_PER_NAME // 2
    chosen: list[int] = []
    dropped = 0
    # (where the name's first field is, name, how many of it were not read)
    not_read: list[tuple[int, str, int]] = []
    present = _kept_starts_in(names_in)
    for start, pattern, reads_folds in _kept_field_patterns(bare_cr):
        if start not in present:
            continue
        found = pattern.finditer(lowered if reads_folds else names_in)
        first = [match.start() for match in islice(found, half)]
        # The rest of the matches, numbered: a deque of MAX_KEPT_PER_NAME - half keeps the last
        # ones, and the last number is how many there were (all consumed in C).
        last = deque(enumerate(found, start=half + 1), maxlen=MAX_KEPT_PER_NAME - half)
        total = last[-1][0] if last else len(first)
        chosen += first
        chosen += [match.start() for _, match in last]
        if total > MAX_KEPT_PER_NAME:
            dropped += total - MAX_KEPT_PER_NAME
            not_read.append((first[0], start[1:].decode("ascii"), total - MAX_KEPT_PER_NAME))
    chosen.sort()
    # Named in the order their first fields come, as the line-by-line reading meets them.
    by_name_dropped = {name: unread for _, name, unread in sorted(not_read)}
    kept = []
    for position in chosen:
        # ``position`` is the LF (or bare CR) before the field in ``lowered``: the field's own
        # first byte in ``rest``.
        after = breaks.search(rest, position)
        kept.append(rest[position:after.start() if after is not None else len(rest)])
    return kept, dropped, by_name_dropped


_PRESENCE_WINDOW = 1 << 18
"""Bytes of the lower-cased rest searched at a time for the kept names present."""


def _kept_starts_in(lowered: bytes) -> set[bytes]:
    """Which of the kept names' and prefixes' starts (an LF and the name) ``lowered`` holds: one
    regex pass of them all (a search for each was 44 passes), its hits gathered a window at a
    time so that a million of them are never a million bytes objects at once. The windows
    overlap by the longest start, so none is cut in two. A start found is left out of the
    pattern for the windows after (a million Received fields were a million hits)."""
    starts = _kept_starts_pattern(frozenset())
    overlap = max(map(len, _KEPT_STARTS))
    present: set[bytes] = set()
    for position in range(0, len(lowered), _PRESENCE_WINDOW):
        found = starts.findall(lowered, position, position + _PRESENCE_WINDOW + overlap)
        if found and not present.issuperset(found):
            present.update(found)
            if len(present) == len(_KEPT_STARTS):
                break
            starts = _kept_starts_pattern(frozenset(present))
    return present


def _kept_starts_pattern(found: frozenset[bytes]) -> re.Pattern[bytes]:
    """The pattern of the kept starts not in ``found`` (re's own cache keeps those compiled)."""
    # Longest first: a start that begins another (received, received-spf) does not hide it.
    return re.compile(b"|".join(map(re.escape, sorted(set(_KEPT_STARTS) - found, key=len, reverse=True))))


_CR_AS_LF = bytes.maketrans(b"\r", b"\n")


@functools.cache
def _kept_field_patterns(bare_cr: bool) -> tuple[tuple[bytes, re.Pattern[bytes], bool], ...]:
    """For each kept name and prefix, what its field starts with in ``_kept_past_cap``'s lower-cased
    rest (an LF and the name), the pattern of such a field up to its name's colon (the name, then
    SP/HTAB; any bytes of the field, folds included, after a prefix; the colon within the field's
    first _LONGEST_KEPT bytes), and whether the pattern reads folds (a prefix's: it needs the CRs
    a name's search may have turned into LFs). Compiled on first use: only a header past the cap
    needs them. ``bare_cr``: the rest has a bare CR, a line break of its own (as _FIELD_BREAK
    reads it): a field starts after an LF or a bare CR (a CR before a name starts no CR LF), and
    a fold is any line break followed by SP/HTAB."""
    lead = rb"[\r\n]" if bare_cr else rb"\n"
    # What a name after a prefix may hold before its colon: any byte but a colon or a line break,
    # and a line break only as a fold's (followed by SP/HTAB). Without a bare CR a CR is a CR LF's,
    # whose LF the fold test reads.
    name_byte = rb"[^:\r\n]|(?:\r\n?|\n)(?=[ \t])" if bare_cr else rb"[^:\n]|\n(?=[ \t])"
    patterns = []
    for name in sorted(_KEPT_NAMES):
        room = _LONGEST_KEPT - 1 - len(name)
        patterns.append((b"\n" + name, re.compile(rb"\n%s[ \t]{0,%d}:" % (re.escape(name), room)), False))
    for prefix in _KEPT_PREFIXES:
        room = _LONGEST_KEPT - 1 - len(prefix)
        # No colon within ``room`` bytes before the one ending the name, and no break before it.
        # The lookahead bounds the walk after it.
        patterns.append((b"\n" + prefix, re.compile(
            rb"%s%s(?=[^:]{0,%d}:)(?:%s)*:" % (lead, re.escape(prefix), room, name_byte)), True))
    return tuple(patterns)


_KEPT_NAMES = frozenset(name.encode("ascii") for name in KEPT_PAST_CAP)
_KEPT_PREFIXES = tuple(prefix.encode("ascii") for prefix in KEPT_PREFIXES_PAST_CAP)
# What a kept field starts with in _kept_past_cap's lower-cased rest: an LF and its name.
_KEPT_STARTS = tuple(b"\n" + name for name in sorted(_KEPT_NAMES | frozenset(_KEPT_PREFIXES)))


def _read_legacy_charsets(headers: list[HeaderField], lines: list[bytes], positions: list[int],
                          raw: bytes, body_start: int | None, message_charset: str | None = None) -> None:
    """Read fields written in a legacy charset as mail readers do, keeping the defect.

    RFC 5322 allows only ASCII in header fields, and RFC 6532 UTF-8; non-ASCII text belongs in
    RFC 2047 encoded-words (a file name in RFC 2231 section 4's charset'language'value form).
    Older mailers (Russian, Japanese, Chinese, Korean) wrote raw bytes in the message's own
    charset, or ISO-2022-JP with its escape sequences. Thunderbird and Outlook read such bytes in
    the charset the message declares; so do we, when that charset decodes them cleanly. A part's
    header (``message_charset`` given: a raw Shift_JIS name= of an attachment) is read in the
    part's own charset first, then in the message's. Otherwise the replacement characters stay."""
    declared = _declared_charset(headers, raw, body_start)
    whose = "message" if message_charset is None else "part"
    readings = [(declared, legacy_codec(declared) if declared else None, whose)]
    if message_charset and message_charset.strip().lower() != (declared or "").strip().lower():
        readings.append((message_charset, legacy_codec(message_charset), "message"))
    for position in positions:
        field = headers[position]
        line = lines[field.index]
        match = _FIELD_NAME.match(line)
        if match is None:
            continue
        data = line[match.end():]
        if message_charset is None and field.name.lower() in _PARAMETER_FIELDS \
                and _TRAIL_BYTE_STRUCTURE().search(data) is not None:
            # A byte that may lead a two-byte character before a backslash or quote: Shift_JIS and
            # Big5 take "\" (0x5C) as a character's second byte, so the field read whole in them
            # loses the quoted-pair that escaped the next quote, and the parameter ends early
            # ('filename="invoice\x95\".exe"' read as 'invoice表': the ".exe" gone, verification
            # V56b D1). The message's own parameters are left as written: nothing keeps their
            # reading byte by byte beside. A part's header (``message_charset`` given) is read in
            # the charset: the part walk keeps both readings and checks each
            # (mime._name_in_message_charset).
            continue
        if "\x1b$" in field.value or "\x1b(" in field.value:
            why = _READ_AS_ISO2022JP
            text = _iso2022jp_text(data)
            fallback: str | None = "iso2022_jp"
        else:
            fallback = next((codec for _, codec, _ in readings if codec), None)
            for charset, codec, whose in readings:
                why = _read_as_declared(charset, codec, whose)
                text = _unfold_as(data, codec) if codec else None
                if text is not None and _no_controls(text):
                    break
            else:
                why = next((_read_as_declared(charset, codec, whose) for charset, codec, whose in readings if codec),
                           why)
        if (text is None or not _no_controls(text)) and message_charset is not None and fallback is not None \
                and (why == _READ_AS_ISO2022JP or not _valid_utf8(data)):
            # A part's header that does not decode whole in the charset: mail readers decode it
            # all the same, a bad byte as U+FFFD (WHATWG Encoding Standard section 4.1, "replacement"
            # error mode; Python's email with errors="replace" too), and read its parameters so.
            # One bad byte ('z="\x80"') must not leave the charset's reading unmade and its
            # comparison with the byte reading unmade with it (mime._name_in_message_charset,
            # verification V64a D-1 and D-2). Bytes that are valid UTF-8 are UTF-8 to such a
            # reader (RFC 6532; Thunderbird tries UTF-8 first): a genuine UTF-8 name is not read
            # again as the legacy charset's replacement characters.
            text = _unfold_replacing(data, fallback)
        if text is None or not _no_controls(text):
            continue  # no charset fits: none, or it made control characters
        decoded, problems = decode_rfc2047_checked(text)
        defects = tuple(why if defect == _NOT_UTF8 else defect for defect in field.defects)
        if why not in defects:
            defects = (why, *defects)
        headers[position] = _make_header(index=field.index, name=field.name, value=text, decoded=decoded,
                                         defects=tuple(dict.fromkeys((*defects, *problems))))


# Fields whose parameters (RFC 2045 section 5.1, RFC 2183) hold quoted strings.
_PARAMETER_FIELDS = frozenset({"content-type", "content-disposition"})
_TRAIL_BYTE_STRUCTURE = compiled_on_first_use(rb'[\x80-\xff][\\"]')


def _no_controls(text: str) -> bool:
    """Whether a field's text read in a charset holds no control character (but tab): a charset
    that makes one does not fit the bytes."""
    return not any((ord(char) < 0x20 and char != "\t") or 0x7F <= ord(char) < 0xA0 for char in text)


def _read_as_declared(declared: str | None, codec: str | None, whose: str = "message") -> str:
    """The defect of a field read in the charset the message (or the part: ``whose``) declares,
    naming the encoding mail readers take the label for when that is another (iso-8859-1 is
    windows-1252: WHATWG Encoding Standard section 4.2)."""
    windows = whatwg_encoding(codec) if codec else None
    if declared is None or windows is None or declared.strip().lower() == windows:
        return _READ_AS_DECLARED.format(declared, whose)
    return _READ_AS_TAKEN.format(windows, whose, declared)


def declared_charset(message: Message) -> str | None:
    """The charset a message declares (its Content-Type's, or a multipart's first part's), in
    which mail readers read raw 8-bit bytes of its header and of its parts' headers."""
    return _declared_charset(message.headers, message.raw, message.body_start)


def part_charsets(message: Message, limit: int) -> Iterator[str]:
    """The charset= of each part's Content-Type in a multipart's body, in order, at most ``limit``
    (the search declared_charset makes in the first 16 KB only, over the whole body)."""
    if message.body_start is None:
        return
    for found in islice(_part_charset().finditer(message.raw, message.body_start), limit):
        yield found.group(1).decode("ascii")


def _unfold_as(value: bytes, codec: str) -> str | None:
    try:
        text = value.decode(codec)
    except (UnicodeError, ValueError):  # a codec may refuse in its own way
        return None
    return text.replace("\r", "").replace("\n", "").strip()


def _valid_utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _unfold_replacing(value: bytes, codec: str) -> str:
    """``value`` decoded in ``codec`` as mail readers decode it, a byte it does not read and a
    control character (but tab) shown as U+FFFD, unfolded."""
    try:
        text = value.decode(codec, "replace")
    except (UnicodeError, ValueError, LookupError):  # a codec may refuse in its own way
        text = value.decode("utf-8", "replace")
    text = text.replace("\r", "").replace("\n", "").strip()
    return "".join("\ufffd" if (ord(char) < 0x20 and char != "\t") or 0x7F <= ord(char) < 0xA0 else char
                   for char in text)


def _iso2022jp_text(value: bytes) -> str | None:
    """ISO-2022-JP (RFC 1468) and its extensions (JIS X 0212, JIS X 0213, half-width kana)."""
    for codec in ("iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004"):
        text = _unfold_as(value, codec)
        if text is not None:
            return text
    # Japanese mailers put Windows-31J's extra characters (NEC's ①, ㈱) in ISO-2022-JP.
    from .text import iso2022jp_via_cp932

    text = iso2022jp_via_cp932(value.replace(b"\r", b"").replace(b"\n", b""))
    return text.strip() if text is not None else None


def _declared_charset(headers: Sequence[HeaderField], raw: bytes, body_start: int | None) -> str | None:
    """The charset the message declares: its Content-Type's, or a multipart's first part's."""
    from .mime import parse_content_type

    content_type = next((field for field in headers if field.name.lower() == "content-type"), None)
    if content_type is None:
        return None
    kind, params = parse_content_type(content_type.value)
    if params.get("charset"):
        return params["charset"]
    if not kind.startswith("multipart/") or body_start is None:
        return None
    found = _part_charset().search(raw, body_start, body_start + _PART_CHARSET_WINDOW)
    return found.group(1).decode("ascii") if found else None
