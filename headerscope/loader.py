"""Turn input bytes (a file, a pipe, a paste) into message bytes, saying what was cleaned.

Nothing is lost: when the input already is a message, its bytes are handed on unchanged (DKIM
hashes them byte for byte). Otherwise each clean-up is applied to a copy and reported in words:

- a UTF-8 byte order mark, or a UTF-16 text (PowerShell's ``Get-Clipboard > file``);
- ``CR CR LF`` (a Windows text box copying ``CRLF`` twice) and old-Mac bare ``CR`` line ends;
- leading blank lines, and indentation common to the whole header block (a paste quoted in a
  forum or a ticket); deeper indentation is kept, so folded lines stay folded; a paste indented
  after its first line only (an issue page's rendering) gets the fields among its lines back;
- a header copied from a page's HTML source: its <pre> block, presentational tags and
  character references;
- the lines a paste put between header fields: prose (a poster's label or notes), and a
  second header pasted below the first (left out, and said);
- an mbox ``From `` separator line (its body's ``>From `` lines are kept as stored: which of them
  the mailbox's writer quoted cannot be known, RFC 4155 section 2, so DKIM and ARC read the body
  both ways, see ``LoadedInput.mbox_quoted``);
- the summary table Gmail's "Show original" page shows above the message; its SPF, DKIM and
  DMARC lines become recorded results (written by mx.google.com);
- Outlook's message-properties layout, ``Name:<TAB>`` with the value on the next line;
- Apple Mail's ``.emlx`` wrapping: the byte-count line before the message and the property
  list after it;
- blank lines between header fields and trailing blank lines of a headers-only paste
  (Outlook's "Internet headers" pane).
- the Markdown auto-links a ticket, chat or issue page adds to host names and addresses
  (``[host](http://host/)``, ``[a@b](mailto:a@b)``) when the paste is copied back from it;
- a paste copied from a quoted-printable text part's raw source (``=3D``, soft line breaks),
  decoded only when the whole header reads as encoded, the receiving side's own result fields
  included (_decode_quoted_printable), and said when only those do not show it;
- the folded lines a paste that starts inside a field begins with (_drop_leading_continuation).

Only the lines a step looks at are split (the header block, and the body only as far as a
headers-paste check needs): a 50 MB attachment stays one unsplit tail. Every step is a linear
pass, so a 10 MB line or 100,000 header lines load fast.

``byte_exact`` says whether the message bytes DKIM will hash are the ones in the input: removing
lines the message never had in front of it (a byte order mark, blank lines, the mbox separator,
Gmail's summary table, Outlook's banner) does not change the message; repairing line ends,
re-indenting, rebuilding fields or re-encoding does.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import itertools
import operator
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, cast

from ._value import Value, frozen, replace
from .message import MAX_HEADER_FIELDS
from .model import RecordedResult, ReportedEnvelope, UncheckableBody
from .text import compiled_on_first_use, join_bounded, one_line

if TYPE_CHECKING:
    from .msg import MsgRead


@frozen
class LoadedInput(Value):
    """Bytes ready to parse, and what loading them did."""

    data: bytes
    """Message bytes after clean-up (the original bytes when nothing needed cleaning)."""
    source: str
    """Path, ``-``, ``clipboard`` or ``api``."""
    sha256: str
    """SHA-256 of the bytes as read."""
    size: int
    """Size of the bytes as read."""
    format: str
    """eml, headers-only, cut-off, gmail-original, outlook-internet-headers, outlook-properties, msg, emlx,
    mbox-entry, mmdf-entry (an MMDF mailbox's first message, given to analyze), unknown."""
    cleanups: tuple[str, ...]
    """Each clean-up, in words."""
    has_body: bool
    """False when the input has no body."""
    byte_exact: bool
    """False when the message bytes differ from the input's (lines re-shaped, re-encoded, rebuilt)."""
    recorded: tuple[RecordedResult, ...] = ()
    """Results read from a paste's surrounding page (Gmail's summary table)."""
    byte_exact_note: str | None = None
    """Why the bytes are not the original ones, in words (None when they are)."""
    unreadable: str | None = None
    """Why the input holds no message to analyze (empty, binary, compressed, a broken .msg),
    in words; None when it holds one. ``scan`` makes such an input an error row."""
    carried_in: str | None = None
    """Where the message was taken from when it is one carried inside another (``analyze
    --attached N``), in words; None for a message read as it is."""
    attached_path: str = ""
    """Its ``--attached`` path ("1", "1.2") when it is carried inside another; "" otherwise."""
    reported_envelope: ReportedEnvelope | None = None
    """Its envelope as the report carrying it records it (an abuse report's), when it is
    carried inside one; what the copy's own fields do not record is taken from it."""
    in_mailbox: str | None = None
    """Which message of a mailbox file this is, in words, when ``analyze`` was given a mailbox
    (an mbox of several messages, an MMDF mailbox) and took its first; None otherwise."""
    store_flags: int | None = None
    """An Apple Mail .emlx's "flags" number, from the property list Mail keeps after the message
    (never text of the message): read, answered, flagged, forwarded... (see folders.py)."""
    mbox_sender: str | None = None
    """The address on an mbox entry's "From " line (RFC 4155), which the loader removed: the
    envelope sender as the mailbox's writer knew it (a delivery agent writes MAIL FROM there, an
    archive often the author's address); None when the line gave none."""
    text_before: str = ""
    """The text a paste had before its header fields, skipped (at most 16 KB): a note, or the
    words of the bounce or delay notice whose returned header was pasted below them."""
    msg_read: MsgRead | None = None
    """What reading an Outlook .msg did (format ``msg``): its notes, and those of the messages
    embedded in it, which its message/rfc822 parts hold rebuilt (see load_carried); None otherwise."""
    mbox_quoted: bool = False
    """The message is a mailbox's entry (RFC 4155) whose body has lines starting with ">From ",
    ">>From "...: its writer may have added a ">" to each (mboxo before "From " lines, mboxrd also
    before ">From " lines), or they are the sender's own (an mboxo writer leaves a ">From " line
    alone, mboxcl2 quotes nothing), and the file does not say which (RFC 4155 section 2). The bytes
    are kept as stored; a DKIM or ARC body hash that does not match them is matched against the
    body with that quoting undone (auth.dkim, auth.arc). False for any other input."""
    looks_quoted_printable: bool = False
    """The input may be a paste and its header reads as copied from an encoded text part's raw
    source (RFC 2045 section 6.7: "=3D" where "=" stands, soft line breaks) by every rule but one:
    the receiving side's own fields do not show the encoding, so it was read as it is, not decoded
    (_decode_quoted_printable). A delivered message's sender can write all the rest, so this says
    nothing of the message's authenticity; the report tells a paster to copy the decoded text."""
    starts_mid_field: bool = False
    """The paste started inside a header field: its first lines were folded lines continuing a
    field whose start was not copied (left out, and said). A delivered message never starts so
    (each server puts whole fields on top, RFC 5321 section 4.4): the fields above, the receiving
    side's topmost, are missing (Message.starts_mid_field)."""
    uncheckable_body: UncheckableBody | None = None
    """Set for a copy whose header fields are the ones received but whose body is not the one that
    was signed: a message headerscope rebuilt from an Outlook .msg (or one carried inside such a
    rebuild), whose body is the text Outlook kept; Apple Mail's .partial.emlx, whose attachments
    Mail keeps in separate files; or a paste with a body that a clean-up step changed to be read
    (or copied from Gmail's "Show original" page), whose body the copy re-spaced (_pasted_body).
    What the body is instead, and the header fields a .msg's rebuild wrote itself. None for every
    other input: a byte-exact one, a mail store's message, a part of another message. A DKIM or
    ARC signature's body hash, or one over those fields, cannot be checked from it (auth.dkim,
    auth.arc)."""


_MAX_TEXT_BEFORE = 16 * 1024


# RFC 5322 section 2.2: field-name is printable US-ASCII except colon; obs-optional (section
# 4.5) allows white space before the colon.
_FIELD = re.compile(rb"[\x21-\x39\x3b-\x7e]+[ \t]*:")
# A line of a header block, after the first, that is neither folded nor a field's start (as
# _FIELD): one search for line ends (a fast literal scan) instead of a match per line, for
# blocks whose lines end in LF or CR LF (one with a bare CR takes the full path). Its field
# test is stricter than _is_field (the name and the spaces before the colon within its
# _MAX_SCAN_LINE bytes), so a line _is_field rejects is always found.
_STRAY_LINE = rb"\n(?![ \t\r\n]|\Z|[\x21-\x39\x3b-\x7e]{1,4000}[ \t]{0,90}:)"
# A line that starts with a date's time and zone, which _is_field does not take for a field.
_TIME_FOLD_LINE = rb"\n[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?[ \t]+(?:[+-][0-9]{4}|UT|GMT|[ECMP][SD]T)\b"
# Either of the two: one pass over the header block instead of two (_needs_no_cleanup only asks
# whether one is there; both start at a line's LF).
_stray_or_time_fold_line = compiled_on_first_use(rb"\n(?:" + _STRAY_LINE[2:] + rb"|" + _TIME_FOLD_LINE[2:] + rb")")
# A field with an empty value: the properties-dialog layout puts the value on the next line.
_EMPTY_FIELD = re.compile(rb"[\x21-\x39\x3b-\x7e]+:[ \t]*\Z")
# mbox separator (RFC 4155): "From " then the envelope sender and a date.
# A null envelope sender leaves the sender empty: "From  Wed Dec 01 08:04:29 2021".
_MBOX_FROM = re.compile(rb"From (?:[^ \t:][^\r\n]*| +[A-Z][a-z]{2} [A-Z][a-z]{2} [^\r\n]*)\Z")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Apple Mail's .emlx (its message store, and what dragging a message out of Mail gives): the
# message's length in decimal on the first line, exactly that many bytes of message (with LF
# line ends), then an XML property list of Mail's own (flags, dates). Apple publishes no
# specification; this is the layout every reader of Mail's store relies on.
_emlx_count_re = compiled_on_first_use(rb"([0-9]{1,12})[ \t]*\r?\n")
_plist_start_re = compiled_on_first_use(rb"[ \t\r\n]*(?:<\?xml|<!DOCTYPE plist|<plist)")
_plist_end_re = compiled_on_first_use(rb"</plist>[ \t\r\n]*\Z")

# Gmail "Show original" summary (the English page). The labels and the layout are Gmail's.
_GMAIL_START = re.compile(rb"(?i)(?:original message|message id\b.*)\Z")
# Patterns only a Gmail summary or an mbox entry needs are compiled on first use (re caches
# them): a cold start does not pay for them.
_GMAIL_LABEL = rb"(?i)(message id|created at|from|to|cc|bcc|subject|spf|dkim|dmarc|arc)\b[ \t]*:?[ \t]*(.*)\Z"
_GMAIL_ACTIONS = rb"(?i)(download original|copy to clipboard)\b"
_GMAIL_RESULT = rb"(?i)'?([a-z]+)'?(?:[ \t]+with[ \t]+(ip|domain)[ \t]+([^ \t]+))?"
_GMAIL_AUTH_LABELS = (b"spf", b"dkim", b"dmarc", b"arc")
_MAX_GMAIL_LINES = 40

# Header names that tell an Outlook / Exchange paste apart from other headers.
_MICROSOFT_FIELDS = (b"x-ms-exchange-", b"x-ms-has-attach", b"x-ms-tnef-correlator", b"x-ms-office365-")
_message_content_type = compiled_on_first_use(rb"(?i)content-type:[ \t]*message/")

# What a copy from a web page leaves at line starts: no-break spaces (U+00A0) for indentation,
# zero-width spaces and joiners (U+200B, U+2060) and byte order marks (U+FEFF), in UTF-8.
_NBSP = b"\xc2\xa0"
_ZERO_WIDTH = (b"\xe2\x80\x8b", b"\xe2\x81\xa0", b"\xef\xbb\xbf")
_WEB_SPACES = (_NBSP, *_ZERO_WIDTH)
# Header fields whose lines a signer always folds: one written unfolded this long was unfolded
# by the copy (RFC 5322 section 2.1.1 asks for lines of at most 78 characters).
_SIGNATURE_FIELDS = (b"dkim-signature:", b"arc-seal:", b"arc-message-signature:")
_UNFOLDED_SIGNATURE = 300
# A line (of ``bytes.splitlines``: ended by CR or LF) longer than _UNFOLDED_SIGNATURE that starts
# with one of _SIGNATURE_FIELDS in any case, after a line end (the first line is matched on its
# own): one search, not a Python step per line. Led by the line-end set, the search scans for a
# CR or LF in C and tries the names only there, then the length: an alternation of "start or
# after a line end" before them was tried at every byte (1.6 s for a 55 MB header of short
# lines). Each try reads at most its own line: linear.
_SIGNATURE_LINE = rb"(?i:(?=%s))[^\r\n]{%d}" % (b"|".join(map(re.escape, _SIGNATURE_FIELDS)), _UNFOLDED_SIGNATURE + 1)
_long_signature_line = compiled_on_first_use(rb"[\r\n]" + _SIGNATURE_LINE)
_long_signature_first_line = compiled_on_first_use(_SIGNATURE_LINE)

_MAX_SCAN_LINE = 4096
"""Lines longer than this are never matched against the paste patterns (they are values)."""


_SPLIT_CHUNK = 16 * 1024
"""Bytes searched for the end of the header block in the first split."""
_BODY_CHUNK = 1024
"""Bytes split after the header block; doubled at each further split (linear overall)."""
_BLANK_REST = re.compile(rb"[ \t\r\n]*")
# The lines _Lines.blank_from joins at a time: first a few (the first line after a header is
# usually a body's words), then more, up to a block whose copy is bounded.
_FIRST_BLANK_BLOCK = 8
_MAX_BLANK_BLOCK = 1 << 16
# RFC 4155 section 2: mbox writers quote body lines starting with "From " as ">From " (and
# mboxrd quotes ">From " again); such a body may not be the body that was signed. Searched from
# the line end before the body (a literal start: the search skips to each LF followed by ">").
_quoted_from_line = compiled_on_first_use(rb"\n>+From ")
# The end of the header section as auth._dkimpy splits a message (its body follows).
_header_end = compiled_on_first_use(rb"\n\r?\n")


# Each of the four line ends a line can have, as one shared object: a million lines ending in
# CR LF hold a million references to one bytes object, not a million two-byte copies.
_SHARED_LINE_END = {end: end for end in (b"\r\n", b"\n", b"\r", b"")}


# A line end as bytes.splitlines reads them: CR LF, or a CR or LF alone.
_any_line_end = compiled_on_first_use(rb"\r\n?|\n")
_whole_match = cast("Callable[[re.Match[bytes]], bytes]", operator.itemgetter(0))
"""``match[0]``, the whole match, typed for bytes."""


def _line_ends(piece: bytes, text: list[bytes]) -> list[bytes]:
    """The line end of each of ``text`` (``piece.splitlines()``), as its kept-ends form has it."""
    count = len(text)
    # One line end throughout (a C-level count per kind): every LF when there is no CR; every
    # CR LF when each CR starts one and each LF ends one. The last line of the input may have no
    # end (its piece does not end with a LF; a lone CR at its end is no CR LF and is left to the
    # general reading below).
    crs = piece.count(b"\r")
    if crs == 0 or crs == piece.count(b"\n") == piece.count(b"\r\n"):
        ends = [b"\n" if crs == 0 else _SHARED_LINE_END[b"\r\n"]] * count
        if count and not piece.endswith(b"\n"):
            ends[-1] = b""
        return ends
    # Each line's end is the next line end in ``piece`` (bytes.splitlines splits at exactly
    # these three), found by C-level maps (a Python step per line cost a header of a million
    # lines, V42b D4), each match dropped as the next is read: the piece split a second time with
    # its ends kept held a second bytes object per line (a bare CR in a 220 MB header, V47e E1).
    ends = list(map(_SHARED_LINE_END.__getitem__, map(_whole_match, _any_line_end().finditer(piece))))
    if len(ends) < count:
        ends.append(b"")  # the last line of the input, with no line end
    return ends


class _Lines:
    """The input as lines with their own line ends, so untouched lines keep their bytes.

    Lines are split on demand: ``text``/``ends`` hold the lines split so far and the rest of
    the input stays one unsplit tail (a large body is never turned into a list of lines).
    """

    def __init__(self, data: bytes, start: int = 0) -> None:
        self.text: list[bytes] = []
        self.ends: list[bytes] = []
        self._data = data
        self._pos = start
        """Offset in ``_data`` where the unsplit tail starts."""
        self._chunk = max(_SPLIT_CHUNK, 1)
        self.cleanups: list[str] = []
        self.changed = False
        """The output differs from the input in any way."""
        self.reshaped = False
        """A change inside the message (not just lines removed in front of it)."""
        self.reshaping: list[str] = []
        """The clean-ups that changed the message itself."""
        self.whole_paste_steps: list[str] = []
        """Those of them that only a copy of the whole message makes fire: their trigger is at the
        input's start or on every line (indentation, quote marks, UTF-16), where a stored message
        has its receiver's own fields, which the sender cannot write. A step one line fires (a
        Markdown link, forum markup, a lost fold) is not among them: a sender can write that line
        into a message that is then stored (_pasted_body)."""
        self.format: str | None = None
        self.recorded: list[RecordedResult] = []
        self.text_before = False
        """Text was skipped before the pasted header (a note, a code fence)."""
        self.skipped = b""
        """That text, at most _MAX_TEXT_BEFORE bytes of it."""
        self.html_decoded = False
        """The character references of a header copied from a page's HTML source were decoded."""
        self.mbox_sender: str | None = None
        """The address on the mbox "From " line removed before the message, if it gave one."""
        self.starts_mid_field = False
        """The paste's first lines continued a field whose start was not copied (left out)."""
        self._split_more()

    def _split_more(self) -> bool:
        """Split the next chunk of the tail into lines; False when nothing is left."""
        data, pos = self._data, self._pos
        if pos >= len(data):
            return False
        # Cut right after a LF, so a CR LF pair is never split between two chunks. The first
        # cut is after the header block's end when it is near (most steps read nothing more).
        limit = min(pos + self._chunk, len(data))
        cut = -1
        if not self.text:
            blank = [i for i in (data.find(b"\n\n", pos, limit), data.find(b"\n\r\n", pos, limit)) if i >= 0]
            if blank:
                first = min(blank)
                cut = first + (1 if data[first + 1:first + 2] == b"\n" else 2)
                # Past the header block a step usually reads a line or two of the body.
                self._chunk = _BODY_CHUNK // 2
        if cut < 0:
            cut = data.find(b"\n", limit - 1)
        self._chunk *= 2
        end = len(data) if cut < 0 else cut + 1
        piece = data[pos:end]
        # bytes.splitlines splits on exactly CRLF, LF and CR (the line ends mail can have).
        text = piece.splitlines()
        self.text.extend(text)
        self.ends.extend(_line_ends(piece, text))
        self._pos = end
        return True

    def has(self, index: int) -> bool:
        """True when line ``index`` exists (splitting as far as needed)."""
        while index >= len(self.text):
            if not self._split_more():
                return False
        return True

    def split_all(self) -> None:
        while self._split_more():
            pass

    def indexes_from(self, start: int) -> Iterator[int]:
        """Line indexes from ``start`` to the end, splitting lazily."""
        index = start
        while self.has(index):
            yield index
            index += 1

    def header_block_end(self) -> int:
        """Index of the first empty line, or the number of lines when there is none."""
        searched = 0
        while True:
            try:
                return self.text.index(b"", searched)
            except ValueError:
                searched = len(self.text)
            if not self._split_more():
                return len(self.text)

    def blank_from(self, start: int) -> bool:
        """True when every line from ``start`` on is blank (the unsplit tail is not split)."""
        # A line holds no line end, so lines are all blank (_is_blank: spaces and tabs only)
        # exactly when their concatenation is: one C-level join and strip per block of lines,
        # not a Python call per line (a field of 2.5 million lone CRs is 2.5 million empty
        # lines, read by five steps). The blocks grow from a few lines, so the usual answer (a
        # body's first line is not blank) reads little, and the copy stays bounded.
        text = self.text
        index = slice(start, None).indices(len(text))[0]  # as ``text[start:]`` reads ``start``
        block = _FIRST_BLANK_BLOCK
        while index < len(text):
            if b"".join(text[index:index + block]).strip(b" \t"):
                return False
            index += block
            block = min(block * 4, _MAX_BLANK_BLOCK)
        return _BLANK_REST.fullmatch(self._data, self._pos) is not None

    def drop_front(self, count: int) -> None:
        """Remove lines in front of the message (the message bytes stay as they were)."""
        self.has(count - 1)
        del self.text[:count]
        del self.ends[:count]
        self.changed = True

    def truncate(self, start: int, cleanup: str) -> None:
        """Remove every line from ``start`` on."""
        del self.text[start:]
        del self.ends[start:]
        self._pos = len(self._data)
        self.reshape(cleanup)

    def reshape(self, cleanup: str, *, whole_paste: bool = False) -> None:
        """Record a change inside the message; the caller has split every line it changed.
        ``whole_paste``: only a copy of the whole message fires the step (whole_paste_steps)."""
        self.changed = self.reshaped = True
        self.cleanups.append(cleanup)
        self.reshaping.append(cleanup)
        if whole_paste:
            self.whole_paste_steps.append(cleanup)

    def join(self) -> bytes:
        parts: list[bytes | memoryview] = []
        for line, end in zip(self.text, self.ends, strict=True):
            parts.append(line)
            parts.append(end)
        if self._pos < len(self._data):
            parts.append(memoryview(self._data)[self._pos:])
        return join_bounded(b"", parts)


# Header field names (RFC 5322 section 3.6, RFC 5321 section 4.4, RFC 2045, RFC 6376, RFC 8601,
# RFC 8617, RFC 2369) and the prefixes of the many extension fields servers add ("X-MS-...",
# "X-Google-...", "ARC-...", "List-...", "Content-..."): the names a headers paste is made of.
_HEADER_FIELD_NAMES = frozenset({
    b"received", b"return-path", b"from", b"to", b"cc", b"bcc", b"subject", b"date", b"message-id",
    b"sender", b"reply-to", b"in-reply-to", b"references", b"mime-version", b"dkim-signature",
    b"authentication-results", b"received-spf", b"delivered-to", b"thread-topic", b"thread-index",
    b"importance", b"priority", b"precedence", b"user-agent", b"organization", b"comments", b"keywords",
    b"resent-from", b"resent-to", b"resent-date", b"resent-message-id", b"resent-sender", b"envelope-to",
    b"domainkey-signature", b"feedback-id", b"auto-submitted", b"disposition-notification-to",
})
_HEADER_FIELD_PREFIXES = (b"x-", b"arc-", b"list-", b"content-", b"accept-language", b"authentication-results-")


def _names_a_header_field(line: bytes) -> bool:
    name = line.split(b":", 1)[0].strip().lower()
    return name in _HEADER_FIELD_NAMES or name.startswith(_HEADER_FIELD_PREFIXES)


def _is_blank(line: bytes) -> bool:
    return not line.strip(b" \t")


def _is_field(line: bytes) -> bool:
    # "07:15:59 +0200" on a line of its own is the rest of a date whose fold lost its
    # indentation (a Received's "; Sun, 22 May 2022" above it), not a field named "07".
    return _FIELD.match(line[:_MAX_SCAN_LINE]) is not None and (
        not line[:1].isdigit() or _time_line().match(line) is None)


# The time and zone of a date (RFC 5322 section 3.3) at a line's start.
_time_line = compiled_on_first_use(rb"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?[ \t]+(?:[+-][0-9]{4}|UT|GMT|[ECMP][SD]T)\b")


def _indent(line: bytes) -> int:
    return len(line) - len(line.lstrip(b" \t"))


def _decode_text_encodings(data: bytes, cleanups: list[str], reshaping: list[str]) -> tuple[bytes, int]:
    """Undo a byte order mark or UTF-16 (an editor's or PowerShell's way of saving a paste).

    Returns the bytes and the offset where the message starts in them."""
    if data.startswith(codecs.BOM_UTF8):
        # A mark in front of the message, not part of it: the message bytes are unchanged.
        cleanups.append("removed a UTF-8 byte order mark at the start")
        return data, len(codecs.BOM_UTF8)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return data, 0
        note = "converted the text from UTF-16 to UTF-8 (a saved paste)"
        cleanups.append(note)
        reshaping.append(note)
        return text.encode("utf-8", errors="surrogateescape"), 0
    # Two byte comparisons for any other input: a message's first two bytes are never NUL.
    if data[1:2] == b"\x00" or data[:1] == b"\x00":
        order = _utf16_without_bom(data)
        if order is not None:
            try:
                text = data.decode(order)
            except UnicodeDecodeError:
                return data, 0
            # Windows' clipboard text (CF_UNICODETEXT) ends with a NUL code unit: no text.
            text = text.removesuffix("\x00")
            note = f"converted the text from UTF-16 without a byte order mark ({order[-2:].upper()}) to UTF-8 (a saved paste)"
            cleanups.append(note)
            reshaping.append(note)
            return text.encode("utf-8", errors="surrogateescape"), 0
    return data, 0


# The share of the first window's code units that must be in U+0001..U+00FF for text without a
# byte order mark to be read as UTF-16 (a header is ASCII; a Latin-1 or other letter may follow).
_MIN_UTF16_LATIN_SHARE = 0.9


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when the input is UTF-16 text written without a byte order mark
    (Windows' clipboard text, a program's UTF-16 file) that starts as a message does: every other
    byte of its start NUL (the high byte of ASCII code units), no NUL code unit, and its first line a
    header field or an mbox "From " line once decoded. Binary data with NUL bytes has no such
    shape, and stays refused (_looks_binary)."""
    if len(data) < 4 or len(data) % 2:
        return None
    # Windows' clipboard text ends with a NUL code unit (CF_UNICODETEXT), which is no text.
    window = data[:min(_BINARY_WINDOW, len(data) - 2 if data.endswith(b"\x00\x00") else len(data))]
    order = "utf-16-le" if window[1] == 0 else "utf-16-be"
    low, high = (window[0::2], window[1::2]) if order == "utf-16-le" else (window[1::2], window[0::2])
    if low.find(b"\x00") >= 0 or high.count(0) < len(high) * _MIN_UTF16_LATIN_SHARE:
        return None
    if not high.startswith(b"\x00" * min(len(high), 4)):
        return None
    first = low.lstrip(b" \t\r\n").split(b"\n", 1)[0].rstrip(b"\r")
    if not (_is_field(first) or _MBOX_FROM.match(first[:_MAX_SCAN_LINE])):
        return None
    return order


def _fix_line_ends(data: bytes, cleanups: list[str], reshaping: list[str]) -> bytes:
    first_lf = data.find(b"\n")
    if first_lf >= 2 and data[first_lf - 2:first_lf] == b"\r\r":
        # A Windows text box that turned each CRLF into CR CRLF: one line end was meant. It
        # does so to every line, so the first line end tells; a lone CR CR LF further down is
        # part of the message and stays.
        data = data.replace(b"\r\r\n", b"\r\n")
        cleanups.append("repaired doubled line ends (CR CR LF became CR LF)")
        reshaping.append(cleanups[-1])
    if first_lf < 0 and b"\r" in data:
        data = data.replace(b"\r", b"\r\n")
        cleanups.append("converted bare CR line ends (old Mac style) to CR LF")
        reshaping.append(cleanups[-1])
    return data


# A paste copied from the raw source of a text part that carried it quoted-printable (RFC 2045
# section 6.7, https://www.rfc-editor.org/rfc/rfc2045#section-6.7): each "=" is "=3D" (rule 1),
# lines are cut at 76 characters with a soft line break, a trailing "=" (rules 3 and 5).
QP_DECODED = "decoded quoted-printable: the paste was copied from an encoded text part"
# How much of the paste is read to decide, and so all that may be decoded (a header pasted is far
# smaller): a header block that does not end within it is never decoded.
_MAX_QP_HEADER = 256 * 1024
# RFC 2045 section 6.7 rule 5: encoded lines are at most 76 characters.
_MAX_QP_LINE = 76
_qp_soft_break = compiled_on_first_use(rb"=(?:\r\n|\n)")
_qp_escape = compiled_on_first_use(rb"=([0-9A-F]{2})")
# An "=" that is no escape: a delivered header's own (a tag list, an encoded word's "=?").
_qp_bare_equals = compiled_on_first_use(rb"=(?![0-9A-F]{2})")
# The escapes a header's encoding holds: "=" itself, white space kept at a line's end (rule 3),
# 8-bit text (rule 1). Never a line end or another control character, which would make fields
# out of one field's text (or end the header block): the only ones checked for, and the only
# ones decoded.
_QP_HEADER_ESCAPES = frozenset({b"3D", b"20", b"09"} | {f"{byte:02X}".encode() for byte in range(0x80, 0x100)})
_qp_header_escape = compiled_on_first_use(rb"=(3D|20|09|[89A-F][0-9A-F])")
# "=3D" where a tag list's or a parameter's "=" stands (RFC 6376 section 3.2 tag-spec, RFC 8601
# section 2.2 "method=result", "version=TLS1_2"), after white space, ";" or "(": the encoder's
# evidence. The name is bounded.
_qp_tag_equals = compiled_on_first_use(rb"(?:^|[ \t;(])[A-Za-z][A-Za-z0-9_.-]{0,63}=3D", re.MULTILINE)
# A line that starts a field ("Name:", or "Name :" as RFC 5322 section 4.5.3 still reads it);
# a soft break never joins one with a header field's name (or From:, Sender: in either form)
# to the line above: that would hide a field the delivered message shows. A DKIM h= list's
# "cc :" cut by the encoder is no field's start.
_qp_field_start = compiled_on_first_use(rb"[A-Za-z][A-Za-z0-9-]{0,75}(?::|[ \t]{1,8}:)")
_MIN_QP_TAG_EQUALS = 2
# A Received field that records an SMTP client: RFC 5321 section 4.4
# (https://www.rfc-editor.org/rfc/rfc5321#section-4.4) makes its FROM clause a MUST in an SMTP
# environment. Every field above the first such field is the receiving side's own (its internal
# "Received: by" hops, its ARC set, its results): a sender's fields lie below it.
_qp_received_from = compiled_on_first_use(rb"(?i)received[ \t]*:[ \t\r\n]*from[ \t\r\n]")
# The receiving side's result fields and where the first "=" of each is the writer's own tag
# separator, never text a sender chose (RFC 2045 encoded, "=3D"): an ARC set's instance tag
# (RFC 8617 sections 4.1.1-4.1.3); Authentication-Results' first "method=result" after its
# authserv-id, or first when Microsoft writes none (RFC 8601 section 2.2: the authserv-id and
# the method names are the receiver's, a reason or a property value comes after them);
# Received-SPF's first key=value after its result and a comment with no nested parenthesis or
# quoted text (RFC 7208 section 9.1). A delivered message's receiver writes a bare "=" there,
# which no decoding ever follows (_qp_bare_equals). All anchored at the field's value and bounded.
_qp_result_field_evidence = compiled_on_first_use(
    rb"(?i)(?:arc-seal|arc-message-signature|arc-authentication-results)[ \t]*:[ \t]*i[ \t]*=3D[ \t]*[0-9]{1,2}[ \t]*;"
    rb"|authentication-results[ \t]*:[ \t]*(?:[^ \t;()=\r\n]{1,255}(?:[ \t]+[0-9]{1,9})?[ \t]*;[ \t]*)?"
    rb"[a-z][a-z0-9-]{0,63}[ \t]*=3D[ \t]*[a-z]"
    rb"|received-spf[ \t]*:[ \t]*(?:pass|fail|softfail|neutral|none|temperror|permerror)"
    rb"(?:[ \t]*\([^()\"\\]{0,1024}\))?[ \t]*"
    rb"(?:client-ip|envelope-from|helo|problem|receiver|identity|mechanism)[ \t]*=3D")
# How much of a field's start is unfolded for those patterns (bounded work per field), and how
# many fields are read for the receiving side's own (Gmail's are about ten): past them, none is.
_MAX_QP_FIELD_START = 2048
_MAX_QP_TOP_FIELDS = 100


def _receiver_shows_encoding(block: bytes) -> bool:
    """Whether the receiving side's own fields (those above the first Received field with a FROM
    clause, of a header block whose soft breaks are joined) hold a result field whose tag
    separator reads "=3D". Text a sender writes inside the receiver's fields (Return-Path's and
    an envelope-from's address, a Received field's greeting or "for <...>", a Delivered-To's
    extension) never counts: a sender can make it hold "=3D" in a delivered message (V53c D1-1,
    D2-1)."""
    field: list[bytes] = []  # the field's lines, unfolded (RFC 5322 section 2.2.3), its start only
    size = fields = 0
    whole = True
    for line in [*block.splitlines(), b""]:
        if line[:1] in (b" ", b"\t") and field:
            if size < _MAX_QP_FIELD_START:
                field.append(line)
                size += len(line)
            else:
                whole = False
            continue
        if field:
            start = b"".join(field)
            if _qp_received_from().match(start):
                return False
            evidence = _qp_result_field_evidence().match(start)
            # Received-SPF's comment may quote a client's greeting, which may hold ")" and more
            # text: its key-value list is the receiver's only when no parenthesis follows it.
            if evidence is not None and (start[:12].lower() != b"received-spf" or (
                    whole and b"(" not in start[evidence.end():] and b")" not in start[evidence.end():])):
                return True
            fields += 1
            if fields >= _MAX_QP_TOP_FIELDS:
                return False
        field, size, whole = [line], len(line), True
    return False


def _qp_body_reads_encoded(body: bytes) -> bool:
    """A paste's body may be decoded with its header only when it reads as the encoder writes
    it by the header's rules: every line at most 76 characters, no "=" that is no escape, the
    escapes of _QP_HEADER_ESCAPES only."""
    if any(len(line) > _MAX_QP_LINE for line in body.splitlines()):
        return False
    joined = _qp_soft_break().sub(b"", body)
    return _qp_bare_equals().search(joined) is None and all(
        escape in _QP_HEADER_ESCAPES for escape in _qp_escape().findall(joined))


def _qp_decode(encoded: bytes) -> bytes:
    """Soft breaks joined, and the escapes of _QP_HEADER_ESCAPES decoded (no other: never a line end)."""
    return _qp_header_escape().sub(lambda escape: bytes.fromhex(escape.group(1).decode()),
                                   _qp_soft_break().sub(b"", encoded))


def _decode_quoted_printable(data: bytes, start: int, cleanups: list[str],
                             reshaping: list[str]) -> tuple[bytes, bool]:
    """A paste copied from an encoded text part's raw source (a ticket's or a customer's email):
    decoded, and said. A delivered message is never decoded: its header holds "=" of its own
    (a tag list, an encoded word, RFC 2047 section 4.2), and its receiving side's own result
    fields, which the sender cannot write, would have to read as encoded too. So the header
    block, which must end within _MAX_QP_HEADER, as a whole must read as the encoder writes it:
    every line at most 76 characters, no "=" that is no escape, escapes only of "=", white space
    and 8-bit text (never a line end: decoding makes no field), no soft break joining a field's
    start to the line above (decoding hides no field); it must show the encoding where a tag
    list's "=" stands, at least twice; and a result field of the receiving side, above its first
    Received field with a FROM clause, must read "=3D" at its own tag separator
    (_receiver_shows_encoding). Only the bytes checked are decoded: the header block, and the
    body when it lies within _MAX_QP_HEADER too and reads as encoded by the same rules.

    Also whether the header reads as encoded by every rule but the receiving side's evidence: left
    as it is, a paste that may be one (LoadedInput.looks_quoted_printable)."""
    window_end = start + _MAX_QP_HEADER
    # The header block: up to the first empty line. One that does not end within the window is
    # never decoded: its unread rest could hold any escape (V53c D1-1).
    end = data.find(b"\n\n", start, window_end) + 1
    if data.find(b"\r", start, end if end else window_end) >= 0:
        crlf = data.find(b"\n\r\n", start, window_end)
        end = crlf + 1 if crlf >= 0 and (not end or crlf < end) else end
    if not end:
        # No empty line: a header-only paste, whole when all of it is within the window.
        if len(data) > window_end:
            return data, False
        end = len(data)
    if data.find(b"=3D", start, end) < 0:
        return data, False
    raw = data[start:end].splitlines()
    # A soft break on the header's last line would join the empty line that ends it to it.
    if not raw or not _is_field(raw[0]) or raw[-1].endswith(b"=") or any(len(line) > _MAX_QP_LINE for line in raw):
        return data, False
    for index, line in enumerate(raw):
        soft_broken = index > 0 and raw[index - 1].endswith(b"=")
        field_start = _qp_field_start().match(line) if soft_broken else None
        if field_start is not None and (_field_name(line) in (b"from", b"sender") or (
                field_start.group()[-2:-1] not in (b" ", b"\t") and _names_a_header_field(line))):
            return data, False
    joined = _qp_soft_break().sub(b"", data[start:end])
    if _qp_bare_equals().search(joined) is not None:
        return data, False
    if any(escape not in _QP_HEADER_ESCAPES for escape in _qp_escape().findall(joined)):
        return data, False
    if len(_qp_tag_equals().findall(joined)) < _MIN_QP_TAG_EQUALS:
        return data, False
    if not _receiver_shows_encoding(joined):
        return data, True
    # The body with it only when all of it was read and reads as encoded; otherwise as it is.
    body_end = end if len(data) > window_end or not _qp_body_reads_encoded(data[end:]) else len(data)
    cleanups.append(QP_DECODED)
    reshaping.append(QP_DECODED)
    return data[:start] + _qp_decode(data[start:body_end]) + data[body_end:], False


_ALL_WHITESPACE = re.compile(rb"[ \t\n\r\x0b\x0c]*\Z")
_LEADING_BLANK_LINES = re.compile(rb"(?:[ \t]*+(?:\r\n|\n|\r))++")


def _skip_leading_blank_bytes(data: bytes, start: int, cleanups: list[str]) -> int:
    """Blank lines before the message, skipped before splitting (there may be a million).

    Returns the offset where the message starts."""
    match = _LEADING_BLANK_LINES.match(data, start)
    if match is None:
        return start
    prefix = match.group()
    count = prefix.count(b"\n") + prefix.replace(b"\r\n", b"").count(b"\r")
    cleanups.append(f"removed {count} blank line(s) before the message")
    return match.end()


def _strip_leading_blank_lines(lines: _Lines) -> None:
    count = 0
    while lines.has(count) and _is_blank(lines.text[count]):
        count += 1
    if count:
        lines.drop_front(count)
        lines.cleanups.append(f"removed {count} blank line(s) before the message")


def _strip_outlook_banner(lines: _Lines) -> None:
    # Outlook 2003-2007 start their "Internet headers" text with this line.
    if lines.has(0) and lines.text[0].strip().lower() == b"microsoft mail internet headers version 2.0":
        lines.drop_front(1)
        lines.format = "outlook-internet-headers"
        lines.cleanups.append("removed Outlook's 'Microsoft Mail Internet Headers Version 2.0' line")


_MBOX_SEPARATOR_REMOVED = "removed the mbox 'From ' separator line (RFC 4155)"
MBOX_SEPARATOR_REMOVED = _MBOX_SEPARATOR_REMOVED
"""That clean-up's words (analyze adds to them which bytes an mbox of one message was hashed over)."""
# Google Takeout's separator "From 1828754568043628583@xxx Mon Apr 07 14:31:02 +0000 2025": the
# message's Gmail id (its X-GM-THRID's number) at the literal "xxx", which is no domain (no dot,
# no such top-level domain): a placeholder, not an envelope sender anyone claimed.
_takeout_placeholder = compiled_on_first_use(rb"[0-9]{1,40}@xxx")


def _strip_mbox_separator(lines: _Lines) -> None:
    if lines.has(0) and _MBOX_FROM.match(lines.text[0][:_MAX_SCAN_LINE]):
        # RFC 4155 section 2: "From " and the envelope sender as the writer knew it, then the
        # date. Thunderbird writes "-", Google Takeout a number, pipermail "user at host": only an
        # address is kept.
        words = lines.text[0][5:_MAX_SCAN_LINE].split(None, 1)
        if words and b"@" in words[0] and len(words[0]) <= 254 and not _takeout_placeholder().fullmatch(words[0]):
            lines.mbox_sender = words[0].strip(b"<>").decode("utf-8", "replace")
        lines.drop_front(1)
        lines.format = "mbox-entry"
        lines.cleanups.append(_MBOX_SEPARATOR_REMOVED)


def _gmail_recorded(label: bytes, rest: bytes) -> RecordedResult | None:
    rest = rest.split(b"Learn more")[0].strip()
    match = re.match(_GMAIL_RESULT, rest)
    if match is None:
        return None
    properties: tuple[tuple[str, str], ...] = ()
    if match.group(2) and match.group(3):
        key = "smtp.client-ip" if match.group(2).lower() == b"ip" else "header.d"
        properties = ((key, match.group(3).decode("ascii", "replace").lower()),)
    return _gmail_result(label, match.group(1), properties)


def _gmail_result(method: bytes, result: bytes, properties: tuple[tuple[str, str], ...]) -> RecordedResult:
    """A verdict row of Gmail's table, as a result mx.google.com recorded at delivery."""
    return RecordedResult(
        header="gmail-summary", header_index=None, authserv_id="mx.google.com",
        method=method.decode("ascii").lower(), result=result.decode("ascii").lower(),
        properties=properties, reason=None, trusted=True)


def _strip_gmail_summary(lines: _Lines) -> None:
    """Remove Gmail's "Show original" table and keep its verdicts as recorded results."""
    start = None
    for i in range(_MAX_GMAIL_LINES):
        if not lines.has(i):
            break
        line = lines.text[i]
        if _is_blank(line):
            continue
        if _GMAIL_START.match(line.strip()[:_MAX_SCAN_LINE]):
            start = i
            break
        if _is_field(line):
            break  # the English table starts before any field ("Von:" may be another language's row)
    if start is None:
        _strip_any_gmail_summary(lines)
        return
    lines.has(start + _MAX_GMAIL_LINES)  # the lines of the table looked at below
    end = start + 1 if lines.text[start].strip().lower() == b"original message" else start
    results: list[RecordedResult] = []
    seen_auth = False
    saw_actions = False
    limit = min(len(lines.text), start + _MAX_GMAIL_LINES)
    while end < limit:
        line = lines.text[end].strip()[:_MAX_SCAN_LINE]
        if not line:
            end += 1
            continue
        if re.match(_GMAIL_ACTIONS, line):
            saw_actions = True
            end += 1
            continue
        if saw_actions:
            break  # the message follows the "Download original" line
        match = re.match(_GMAIL_LABEL, line)
        if match is None:
            break
        label = match.group(1).lower()
        if label in _GMAIL_AUTH_LABELS:
            seen_auth = True
            recorded = _gmail_recorded(label, match.group(2))
            if recorded is not None:
                results.append(recorded)
        elif seen_auth:
            break  # From:/To: after the verdict lines belong to the message itself
        end += 1
    if not results and not saw_actions:
        _strip_any_gmail_summary(lines)  # not the English table's layout
        return
    _drop_gmail_summary(lines, end, results)


def _drop_gmail_summary(lines: _Lines, end: int, results: list[RecordedResult]) -> None:
    lines.drop_front(end)
    lines.format = "gmail-original"
    lines.recorded.extend(results)
    lines.cleanups.append("removed the summary table of Gmail's 'Show original' page"
                          + (f" (its {len(results)} SPF/DKIM/DMARC line(s) kept as results recorded by "
                             "mx.google.com)" if results else ""))


# The verdict rows of Gmail's table in any language: the labels stay "SPF", "DKIM", "DMARC" and
# the verdict word stays English ("PASS", "'FAIL'"); the words around them are translated
# ("PASS mit IP 192.0.2.1 Weitere Informationen"). The value may be on the label's line or, when
# a browser copies each cell on a line of its own, on the next.
_gmail_auth_row = compiled_on_first_use(rb"(?i)(spf|dkim|dmarc)[ \t]*:[ \t]*(.*)\Z")
_gmail_verdict = compiled_on_first_use(
    rb"(?i)['\"]?(pass|fail|softfail|neutral|none|temperror|permerror)['\"]?(?![a-z])")
_gmail_ip = compiled_on_first_use(rb"(?<![0-9A-Za-z.:])(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})"
                                  rb"(?![0-9A-Za-z.:])")
_gmail_domain = compiled_on_first_use(rb"(?<![\w.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
                                      rb"(?![\w.-])")


def _strip_any_gmail_summary(lines: _Lines) -> None:
    """Gmail's table in another language, or copied a cell per line: found by its verdict rows
    before the message's first trace field, wherever the translated labels around them are."""
    results: list[RecordedResult] = []
    last_row = None
    index = 0
    seen_text = 0  # lines of text seen (a blank line may follow the title)
    while index < _MAX_GMAIL_LINES and lines.has(index):
        line = lines.text[index].strip()[:_MAX_SCAN_LINE]
        if _trace_field().match(line):
            break  # the message's own header has begun
        if not line:
            if seen_text > 1 and last_row is None:
                # Past its title, the table's rows have no blank line before its verdicts: this
                # is a message's body.
                return
            index += 1
            continue
        if not seen_text and (_is_field(lines.text[index]) or lines.text[index][:1] in (b" ", b"\t")):
            return  # the table starts with its title or a label that is no header field
        seen_text += 1
        # Retyped as a Markdown list ("* SPF: | PASS with IP ..."): the list marker and a
        # table's "|" cell separator are not part of the row.
        marker = _list_marker().match(line)
        row = _gmail_auth_row().match(line, marker.end() if marker else 0)
        if row is not None:
            value, value_index = row.group(2).strip().lstrip(b"|").strip(), index
            if not value and lines.has(index + 1):
                value_index = index + 1
                value = lines.text[value_index].strip()[:_MAX_SCAN_LINE].lstrip(b"|").strip()
            recorded = _gmail_any_recorded(row.group(1).lower(), value)
            if recorded is None:
                return  # an "SPF:" line that is not the table's
            results.append(recorded)
            last_row = index = value_index
        index += 1
    if last_row is None or len(results) < 2 or not any(r.properties for r in results):
        # Gmail writes at least SPF and DMARC rows, and names the client's address or the
        # signing domain: a note that says "SPF: pass" is not its table, and its words must
        # not become the receiver's recorded results.
        return
    # The message starts at the first field after the verdict rows (past the translated
    # "Download original" and "Copy to clipboard" line).
    end = last_row + 1
    while lines.has(end) and end < last_row + _MAX_GMAIL_LINES and not _is_field(lines.text[end]):
        if lines.text[end].strip().startswith(_CODE_FENCES):
            break  # the header is fenced: the fence stays, so that its closing one is found
        end += 1
    _drop_gmail_summary(lines, end, results)


def _gmail_any_recorded(method: bytes, value: bytes) -> RecordedResult | None:
    verdict = _gmail_verdict().match(value)
    if verdict is None:
        return None
    rest = value[verdict.end():]
    properties: tuple[tuple[str, str], ...] = ()
    if method == b"spf":
        address = _gmail_ip().search(rest)
        if address is not None:
            properties = (("smtp.client-ip", address.group(0).decode("ascii").lower()),)
    elif method == b"dkim":
        domain = _gmail_domain().search(rest)
        if domain is not None:
            properties = (("header.d", domain.group(0).decode("ascii").lower()),)
    return _gmail_result(method, verdict.group(1), properties)


# Fields only a message's own header has (a server's trace and signatures): a run of field
# lines holding one is the pasted header, not a note or a forwarded message's summary
# ("From: / Sent: / To: / Subject:").
_trace_field = compiled_on_first_use(rb"(?i)(?:received|return-path|delivered-to|x-received|received-spf|authentication-results"
                          rb"|arc-seal|arc-message-signature|dkim-signature|message-id|mime-version|x-ms-exchange-"
                          rb"[a-z-]+|x-originating-ip|x-google-smtp-source)[ \t]*:")
# Quote marks of a reply ("> ", ">> ", "> > ").
_quote_prefix = compiled_on_first_use(rb"(?:>[ \t]?)++")
# A list marker a note puts before a pasted field: "1. ", "2) ", "* ", "- ", "\u2022 " (Markdown,
# CommonMark section 5.2: at most 9 digits; 3 are plenty for a note).
_list_marker = compiled_on_first_use(rb"[ \t]{0,3}(?:[0-9]{1,3}[.)]|[*+-]|\xe2\x80\xa2)[ \t]+")


def _marker_kind(marker: bytes) -> bytes:
    """What a list marker is, its number aside: "." or ")" after a number, or the bullet."""
    text = marker.strip()
    return text[-1:] if text[:1].isdigit() else text


# Lines searched for the pasted header, and the field lines before a trace field still part of it.
_PASTE_SEARCH_LINES = 200
_CODE_FENCES = (b"```", b"~~~")


def _forward_summary(lines: _Lines) -> bool:
    """The input starts with the summary Outlook writes above a forwarded message ("From:",
    "Sent:", "To:", "Subject:"), with no trace field of its own before its first blank line."""
    end = lines.header_block_end()
    if end > 12:
        return False
    block = lines.text[:end]
    return (any(line[:5].lower() == b"sent:" for line in block)
            and not any(_trace_field().match(line[:_MAX_SCAN_LINE]) for line in block))


def _quoted_from_start(lines: _Lines) -> bool:
    """The input is a quoted header from its first line on, quoted with ">" and no space
    (">Received: from ..."; RFC 3676 section 4.5 quote marks have nothing between them): every
    line up to the quoted header's end starts with ">". ">Received" is a legal field name (ftext,
    RFC 5322 section 3.6.8), so the first line alone cannot tell; a stored message cannot look
    like this, since its receiver writes its own fields with no ">" before them."""
    first = lines.text[0]
    if first[:1] != b">":
        return False
    index = 0
    while index < _PASTE_SEARCH_LINES and lines.has(index):
        line = lines.text[index]
        if not line.startswith(b">"):
            return not line  # the header block's empty line ends the quote, anything else is no quote
        quote = _quote_prefix().match(line)
        text = line[quote.end():] if quote else line
        if not text.strip(b" \t"):
            return index > 0  # the quoted header's own empty line (">")
        if index == 0 and not _is_field(text):
            return False
        index += 1
    return True


def _find_pasted_header(lines: _Lines) -> None:
    """A header pasted after some text (a note, a Markdown code fence, a forwarded message's
    summary "From: / Sent: / To: / Subject:", a reply's "On ... wrote:") or quoted with "> ":
    the text before it is dropped, the quote marks removed and a closing code fence ends it.
    Only when the input does not already start with its header's fields."""
    if not lines.has(0):
        return
    if _is_field(lines.text[0]) and not _forward_summary(lines) and not _quoted_from_start(lines):
        return  # the input starts with a header (a message without trace fields is one too)
    first_trace = None
    prefix = b""
    marker = None
    for index in lines.indexes_from(0):
        if index >= _PASTE_SEARCH_LINES:
            return
        line = lines.text[index]
        quote = _quote_prefix().match(line)
        unquoted = (line[quote.end():] if quote else line).lstrip(b" \t")
        if _trace_field().match(unquoted[:_MAX_SCAN_LINE]):
            first_trace, prefix = index, (line[:quote.end()] if quote else b"")
            break
        marker = None if quote else _list_marker().match(line)
        if marker is not None and _trace_field().match(line[marker.end():marker.end() + _MAX_SCAN_LINE]):
            first_trace = index
            break
        marker = None
    if first_trace is None:
        return
    if marker is not None:
        # "1. Received: ..." (a note's numbered list, or a Markdown list): the header starts
        # at the marked field, whatever line of the note comes before it.
        if first_trace:
            lines.skipped = join_bounded(b"\n", lines.text[:first_trace])[:_MAX_TEXT_BEFORE]
            lines.drop_front(first_trace)
            lines.text_before = True
            lines.cleanups.append(f"skipped {first_trace} line(s) of text before the pasted header fields (a "
                                  "note, a code fence, a reply's or a forward's lines)")
        shown = one_line(lines.text[0][:marker.end()].strip().decode("utf-8", "replace"))
        kind = _marker_kind(lines.text[0][:marker.end()])
        lines.text[0] = lines.text[0][marker.end():]
        # The note numbered (or bulleted) each field it pasted, not only the first ("1. Received:
        # ...", "2. Received: ..."): the same kind of marker before a later field line goes too,
        # before the lost folds are repaired, or each marked field would read as the fold of the
        # one above it and the fields would merge into one.
        later = 0
        for index in range(1, min(lines.header_block_end(), MAX_HEADER_FIELDS)):
            line = lines.text[index]
            found = _list_marker().match(line)
            if (found is not None and _marker_kind(line[:found.end()]) == kind
                    and _is_field(line[found.end():])):
                lines.text[index] = line[found.end():]
                later += 1
        if later:
            lines.reshape(f"removed the list markers ('{shown}' and {later} more) before {later + 1} header fields",
                          whole_paste=True)
        else:
            lines.reshape(f"removed the list marker ('{shown}') before the first header field", whole_paste=True)
        _drop_closing_fence(lines)
        return
    marks = prefix.rstrip(b" \t")
    # The run of field and fold lines (with the same quote marks) that holds the trace field; in
    # a quoted paste, across empty lines a chat or web tool put between the quoted lines.
    start = first_trace
    while start > 0:
        previous = lines.text[start - 1]
        if prefix and _is_blank(previous) and start > 1 and lines.text[start - 2].startswith(marks):
            previous = lines.text[start - 2]
            body = previous[len(prefix):] if previous.startswith(prefix) else previous[len(marks):]
            if not (_is_field(body) or (body[:1] in (b" ", b"\t") and body.strip())):
                break
            start -= 2
            continue
        if prefix and not previous.startswith(marks):
            break
        body = previous[len(prefix):] if prefix and previous.startswith(prefix) else previous.lstrip(b">")
        if not (_is_field(body) or (body[:1] in (b" ", b"\t") and body.strip())):
            break
        start -= 1
    if start == 0 and not prefix:
        return  # the input starts with its header: nothing was pasted around it
    if start:
        lines.skipped = join_bounded(b"\n", lines.text[:start])[:_MAX_TEXT_BEFORE]
        lines.drop_front(start)
        lines.text_before = True
        lines.cleanups.append(f"skipped {start} line(s) of text before the pasted header fields (a note, a code "
                              "fence, a reply's or a forward's lines)")
    if prefix:
        _unquote(lines, marks)
    _drop_closing_fence(lines)


def _drop_closing_fence(lines: _Lines) -> None:
    """A Markdown code fence after the pasted header ends the paste: it and what follows go."""
    # Only the header block is searched for the closing fence: the body is never split.
    end = lines.header_block_end()
    fence = next((i for i in range(min(end + 1, len(lines.text)))
                  if lines.text[i].strip().startswith(_CODE_FENCES)), None)
    if fence is not None:
        lines.truncate(fence, "dropped a closing code fence and what followed it" + _dropped_fields(lines, fence))


def _unquote(lines: _Lines, marks: bytes) -> None:
    """Take the quote marks off a quoted paste (the input starts with its first quoted line).

    The quote runs on across empty lines that more quoted lines follow: a chat or web tool puts
    one after every line, or a reply has a stray one. Inside the quoted header (before a line of
    quote marks alone, its own empty line), such empty lines followed by a field or a folded line
    are the copy's, not the message's: removed, or the header would end at the first of them.
    One space after the marks is the quote's when most of the quoted header's field lines have it
    ("> Name:"), or, when they do not tell, most quoted lines; so that the deeper indentation of
    folded lines stays and a field quoted ">Name:" is not made a fold."""
    lines.split_all()
    count = len(lines.text)
    end = count
    quoted = spaced = 0
    # Field lines of the quoted header, quoted ">Name:" and "> Name:": they tell the quote's style
    # when folded lines are many (an Outlook header folds with one space, so ">" quoting makes
    # most lines start "> ").
    bare_fields = spaced_fields = 0
    header_lines = True
    index = 0
    while index < count:
        line = lines.text[index]
        if line.startswith(marks):
            quoted += 1
            after = line[len(marks):len(marks) + 1]
            spaced += after in (b" ", b"\t")
            if header_lines:
                text = line[len(marks):]
                if not text.strip(b" \t"):
                    header_lines = False
                elif after == b" " and _is_field(text[1:]):
                    spaced_fields += 1
                elif _is_field(text):
                    bare_fields += 1
            index += 1
            continue
        if not _is_blank(line):
            end = index
            break
        following = index
        while following < count and _is_blank(lines.text[following]):
            following += 1
        if following == count or not lines.text[following].startswith(marks):
            end = index
            break
        index = following  # empty lines inside the quote
    if bare_fields != spaced_fields:
        style = marks + b" " if spaced_fields > bare_fields else marks
    else:
        style = marks + b" " if spaced * 2 > quoted else marks
    removed: set[int] = set()
    in_header = True
    run: list[int] = []
    for index in range(end):
        line = lines.text[index]
        if not line.startswith(marks):
            run.append(index)  # an inserted empty line: decided at the next quoted line
            continue
        # Past the marks, a tab is the indentation of a folded line: kept.
        text = line[len(style):] if line.startswith(style) else line[len(marks):]
        lines.text[index] = text
        if in_header and run and (_is_field(text) or (text[:1] in (b" ", b"\t") and text.strip())):
            removed.update(run)
        run = []
        if not text.strip(b" \t"):
            in_header = False  # the quoted header's own empty line: the quoted body follows
    lines.reshape(f"removed the quote marks ('{marks.decode('ascii', 'replace')}') of a quoted paste", whole_paste=True)
    if end < count and lines.blank_from(end):
        del lines.text[end:], lines.ends[end:]  # blank lines only: the headers paste ends there
    elif end < count:
        lines.truncate(end, "dropped the text after the quoted header" + _dropped_fields(lines, end))
    if removed:
        lines.text[:] = [line for i, line in enumerate(lines.text) if i not in removed]
        lines.ends[:] = [line_end for i, line_end in enumerate(lines.ends) if i not in removed]
        lines.reshape(f"removed {len(removed)} empty line(s) between the lines of the quoted header: the copy put "
                      "them there (a chat or web page's line spacing)")


def _dropped_fields(lines: _Lines, start: int) -> str:
    """What a paste's dropped tail held of a message's own header (its trace fields), said with
    the drop: a second header pasted below the first is not lost without a word."""
    names: dict[str, int] = {}
    for line in lines.text[start:]:
        quote = _quote_prefix().match(line) if line[:1] == b">" else None
        text = (line[quote.end():] if quote else line)[:_MAX_SCAN_LINE]
        if _trace_field().match(text):
            name = text.split(b":", 1)[0].strip().decode("ascii", "replace")
            names[name] = names.get(name, 0) + 1
    if not names:
        return ""
    listed = ", ".join(f"{name} \u00d7{n}" if n > 1 else name for name, n in names.items())
    return f" (it held header fields too, not analysed: {listed})"


# A row of the grid Microsoft's Message Header Analyzer shows (its "Other headers" table, copied
# from the page): the row's number, a tab, the field's name, a tab, its value. A copy from
# Markdown may keep the backtick of an inline code span before the first row.
_mha_row = compiled_on_first_use(rb"`?([0-9]{1,4})\t([\x21-\x39\x3b-\x7e]{1,76})\t")


def _rewrite_header_grid(lines: _Lines) -> None:
    """The Message Header Analyzer's grid, "N<TAB>Name<TAB>Value" a row: each row becomes the
    field "Name: Value". Only a run of at least two rows, numbered upwards, that names a trace
    field (Received, Authentication-Results...): numbered tab-separated lines of another
    kind stay as they are."""
    first = None
    for index in lines.indexes_from(0):
        if index >= _PASTE_SEARCH_LINES:
            return
        if lines.text[index][:1] in _GRID_FIRST and _mha_row().match(lines.text[index]):
            first = index
            break
    if first is None:
        return
    rows: list[tuple[int, re.Match[bytes]]] = []
    number = -1
    for index in lines.indexes_from(first):
        row = _mha_row().match(lines.text[index])
        if row is None or int(row.group(1)) <= number:
            break
        number = int(row.group(1))
        rows.append((index, row))
    if len(rows) < 2 or not any(_trace_field().match(row.group(2) + b":") for _, row in rows):
        return
    for index, row in rows:
        line = lines.text[index]
        lines.text[index] = row.group(2) + b": " + line[row.end():].lstrip(b" \t")
    last = rows[-1][0]
    if rows[0][1].group().startswith(b"`") and lines.text[last].endswith(b"`"):
        lines.text[last] = lines.text[last][:-1]  # the inline code span's closing backtick
    lines.reshape(f"rewrote {len(rows)} row(s) of the Message Header Analyzer's grid (number, name, value) as "
                  "header fields")


_GRID_FIRST = frozenset(bytes([c]) for c in b"`0123456789")


def _respace_web_text(lines: _Lines) -> None:
    """A header copied from a web page: no-break spaces at line starts are the fold's spaces,
    zero-width characters at line starts are dropped. Only at line starts: inside a value a
    no-break space may be the message's own (French typography in an RFC 6532 header). Runs
    before the pasted header is looked for: a zero-width space hides a field."""
    end = _web_text_end(lines)
    changed = False
    for index in range(end):
        line = lines.text[index]
        if line[:1] not in (b"\xc2", b"\xe2", b"\xef", b" ", b"\t"):
            continue
        repaired = line
        while repaired.startswith(_ZERO_WIDTH):
            repaired = repaired[3:]
        indent = len(repaired) - len(repaired.lstrip(b" \t\xc2\xa0"))
        repaired = repaired[:indent].replace(_NBSP, b" ") + repaired[indent:]
        if repaired != line:
            lines.text[index] = repaired
            changed = True
    if changed:
        lines.reshape("replaced a web page's no-break and zero-width spaces at the start of header lines")


def _web_text_end(lines: _Lines) -> int:
    """The end of the header lines, for a paste that may start with text before them: the first
    blank line after a field line (or after the search limit)."""
    seen_field = False
    for index in lines.indexes_from(0):
        line = lines.text[index]
        if index >= _PASTE_SEARCH_LINES * 5:
            return index
        if seen_field and not line.strip(b" \t"):
            return index
        if not seen_field:
            bare = line.replace(_NBSP, b" ").lstrip(b" \t>")
            while bare.startswith(_ZERO_WIDTH):
                bare = bare[3:]
            seen_field = _is_field(bare)
    return len(lines.text)


# A line a blog post, ticket or chat puts where it left header fields out: "...", "…", "[...]",
# "[snip]". Not indented (an indented one would read as a fold of the field above).
_elision = compiled_on_first_use(rb"(?:\.{3,}|\xe2\x80\xa6|\[(?:\.{3}|\xe2\x80\xa6|snip|snipped|truncated)\]|<snip>)[ \t]*",
                                 re.IGNORECASE)


def _drop_elisions(lines: _Lines) -> None:
    """Lines of a pasted header that only mark fields left out: removed, and said, so that they
    are not read as damaged fields or as the lost folds of the field above."""
    end = min(lines.header_block_end(), MAX_HEADER_FIELDS)
    marks = [i for i in range(1, end) if lines.text[i][:1] in (b".", b"\xe2", b"[", b"<")
             and _elision().fullmatch(lines.text[i][:64]) is not None]
    if not marks:
        return
    # One pass over the lines (deleting each mark would cost a pass per mark: quadratic for a
    # hostile paste of many "..." lines).
    dropped = set(marks)
    lines.text[:end] = [line for i, line in enumerate(lines.text[:end]) if i not in dropped]
    lines.ends[:end] = [line_end for i, line_end in enumerate(lines.ends[:end]) if i not in dropped]
    lines.reshape(f"removed {len(marks)} line(s) that mark header fields the paste left out (\"...\")")


def _restore_lost_folds(lines: _Lines) -> None:
    """A paste that lost every fold's indentation (a chat or ticket tool trims each line):
    a line that is no field, after a field, is the rest of that field, indented again, when it
    fits that field. A line of prose (the words of whoever pasted it: "Web mail header:", "Email
    passed from anti-virus servers to Exchange gateway server |") fits none: it is dropped and
    quoted (in a paste: a header with no body, or one a clean-up already changed; in a message as
    it was given, such a line stays a fold as before). A Received field's fold is a trace clause (RFC 5321 section 4.4) before anything else;
    a field of free text (a Subject) takes any line. After such a line, a second header that
    starts again with Return-Path: or Received: once the first one's Date:, From:, Subject: or
    Message-ID: came, and repeats two of the fields a header has once (RFC 5322 section 3.6), is
    a second message pasted below the first: it is left out, and said."""
    end = min(lines.header_block_end(), MAX_HEADER_FIELDS)  # the fields read (message.py)
    header = lines.text[:end]
    if len(header) < 2 or not _is_field(header[0]):
        return
    # A line of white space only is no kept indentation: a fold of nothing the sender wrote
    # (RFC 5322 section 4.2, obs-FWS), which a copy that trims each line's indentation keeps too.
    if any(line[:1] in (b" ", b"\t") and line.strip(b" \t") for line in header):
        _restore_lost_trace_folds(lines, header)
        return
    @functools.cache
    def is_paste() -> bool:
        """A header with no body, or one a clean-up already changed (asked once, when needed)."""
        block_end = lines.header_block_end()
        return lines.changed or block_end >= len(lines.text) or lines.blank_from(block_end)

    # A line that is a field only by a lost fold's accident (_folded_list) is a fold in a paste; in
    # a message as given (an empty line and a body after its header) it is a field a receiving MTA
    # passed on as one, so possibly the sender's: joined only to a field whose text is the sender's
    # or signed (_JOINABLE_AS_GIVEN), never to a receiver's record (verification V41c: a sender's
    # "dkim=pass(x)header.d=paypal.com(y" below the receiver's Authentication-Results read as its
    # DMARC pass).
    # In a paste too, such a line is joined to a receiver's record only when that record cannot end
    # where it stands (_RecordEnd): else it is the same line as a sender's field written right below
    # the record (Exchange's and Gmail's order puts the message's own fields there), kept a field of
    # its own, and said (_say_kept_apart).
    names: list[bytes | None] = []
    joins_into: bytes | None = None  # the field a lost fold here would join
    record = _OpenRecord(header)
    kept_apart: list[tuple[int, int]] = []
    for index, line in enumerate(header):
        field = _is_field(line)
        folded = field and _folded_list(line) and (joins_into in _JOINABLE_AS_GIVEN or is_paste())
        if folded and joins_into is not None and joins_into not in _JOINABLE_AS_GIVEN and not record.continues(index):
            folded = False
            kept_apart.append((record.start, index))
        names.append(_field_name(line) if field and not folded else None)
        if names[-1] is not None:
            joins_into = names[-1]
            record.restart(index)
    last: dict[bytes, int] = {}
    for index, name in enumerate(names):
        if name in _ONCE_ONLY_NAMES:
            last[name] = index
    lost: list[int] = []
    prose: list[int] = []
    second = None

    current = names[0] or b""
    seen = {current}
    for index in range(1, end):
        line, name = header[index], names[index]
        if name is not None:
            if (name in _SECOND_HEADER_STARTS and prose and prose[-1] == index - 1
                    and not seen.isdisjoint(_ORIGINATOR_NAMES)
                    and sum(1 for once in seen & _ONCE_ONLY_NAMES if last[once] > index) >= 2):
                second = index
                break
            current = name
            seen.add(name)
        elif not line.strip():
            continue
        elif current in _ANY_TEXT_NAMES or (current == b"received" and _trace_clause().match(line) is not None):
            lost.append(index)
        elif _prose(line) and is_paste():
            prose.append(index)
        else:
            lost.append(index)
    if lost:
        _indent_again(lines, lost, f"indented {len(lost)} line(s) that are no header field again: the paste lost "
                                   "the indentation of folded lines")
    _say_kept_apart(lines, header, kept_apart)
    if not prose:
        return
    shown = "\", \"".join(one_line(header[i][:_MAX_SCAN_LINE].strip().decode("utf-8", "replace")[:60])
                         for i in prose[:2])
    lines.reshape(f"dropped {len(prose)} line(s) of prose between the header fields (\"{shown}\""
                  + (", ..." if len(prose) > 2 else "") + "): words of whoever pasted the header, not the folds of a field")
    dropped = set(prose)
    block_end = end
    if second is not None:
        block_end = lines.header_block_end()
        starts = one_line(header[second][:80].split(b":", 1)[0].strip().decode("ascii", "replace"))
        lines.reshape(f"the paste holds a second header block ({block_end - second} lines, from its {starts}: field "
                      "on), not analysed")
        dropped.update(range(second, block_end))
    # One pass over the lines (deleting each would be quadratic for a hostile paste).
    lines.text[:block_end] = [line for i, line in enumerate(lines.text[:block_end]) if i not in dropped]
    lines.ends[:block_end] = [line_end for i, line_end in enumerate(lines.ends[:block_end]) if i not in dropped]


def _field_name(line: bytes) -> bytes:
    return line[:_MAX_SCAN_LINE].split(b":", 1)[0].strip().lower()


# The fields a header has at most once (RFC 5322 section 3.6), those that mark its originator
# part, and the fields a header starts with (RFC 5321 section 4.4: each server puts its
# Received on top; the last one the Return-Path).
_ONCE_ONLY_NAMES = frozenset({b"date", b"from", b"sender", b"reply-to", b"to", b"cc", b"bcc", b"message-id",
                              b"in-reply-to", b"references", b"subject"})
_ORIGINATOR_NAMES = frozenset({b"date", b"from", b"subject", b"message-id"})
_SECOND_HEADER_STARTS = frozenset({b"received", b"return-path"})
# Fields whose folds may hold any words: free text, and a spam filter's report (its content
# preview quotes the message).
_ANY_TEXT_NAMES = frozenset({b"subject", b"thread-topic", b"comments", b"keywords", b"content-description",
                             b"x-spam-report"})
# A word of prose: letters (an apostrophe or a hyphen inside), maybe in parentheses, maybe
# followed by punctuation ("line).", "(shown", "anti-virus", "header:").
_prose_word = compiled_on_first_use(rb"\(?[A-Za-z][A-Za-z'-]{0,40}[.,;:!?)]{0,2}")
# The end of a sentence and the start of the next one ("... next line). Each server ...").
_sentence_break = compiled_on_first_use(rb"[a-z)][.!?][ \t]+[A-Z]")


_PROSE_WORDS_SCAN = 400


def _prose(line: bytes) -> bool:
    """A line of ordinary words that ends as a sentence or a label does (".", ":"), or holds a
    table's cell separator (" | "), or two sentences: what a person writes, never a fold of a
    header field (whose folds are tokens, addresses, dates and comments)."""
    text = line[:_MAX_SCAN_LINE].strip()
    words = text[:_PROSE_WORDS_SCAN].split()  # the first words tell (a line may hold thousands)
    if len(words) < 3 or not words[0][:1].isalpha():
        return False
    ordinary = sum(1 for word in words if _prose_word().fullmatch(word) is not None)
    if ordinary * 4 < len(words) * 3:
        return False
    return (text.endswith((b".", b":", b"|")) or text.find(b" | ") >= 0
            or _sentence_break().search(text) is not None)


# A header field's name run onto the end of the field before it (a copy that lost the line
# breaks between fields): a name of letters and hyphens, a colon and a space. Each run of
# letters is tried at its start only (the look-behind), so a search is linear in the line.
_run_on_name = compiled_on_first_use(rb"(?<![A-Za-z-])[A-Za-z][A-Za-z-]{0,76}+:[ \t]")
# What may stand right before a field run onto the previous one: the end of a value (a space,
# the ">" of an address, the ")" of a comment, the '"' of a quoted string) or the digit a date
# or a version number ends with ("+0000Received:", "1.0Content-Type:").
_RUN_ON_AFTER = frozenset(b' \t>)"0123456789')
# The end of a date (RFC 5322 section 3.3): a zone offset, an obsolete zone name, or a zone
# comment after it ("+0200 (CEST)"); a field run on right after one ends a Received or a Date.
_date_end = compiled_on_first_use(rb"(?:[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?[ \t]+(?:[+-][0-9]{4}|[A-Za-z]{1,5})"
                                  rb"(?:[ \t]*\([^()\r\n]{1,40}\))?)[ \t]*\Z")
# How a Received field starts (RFC 5321 section 4.4: "from", "by", or a comment such as qmail's).
_received_start = compiled_on_first_use(rb"(?i:from|by)[ \t]|\(")
_RUN_ON_LINE = 256 * 1024
"""Longer lines are not searched for fields run together (a whole header is far shorter)."""


def _split_run_together_fields(lines: _Lines) -> None:
    """Header fields a copy ran together on one line ("...evolt.org>Envelope-to: ...", five
    "Received:" on one line, "... +0200 (CEST)Date: ..."): each is put on a line of its own.

    Only in a paste: a header with no body, or text a clean-up already took off (a note, quote
    marks), and with no folded line at all (a copy that lost the line breaks lost those of the
    folds too, while every server folds the Received fields it writes, so a message as
    delivered never qualifies). A line is split only on strong evidence: a "Received: from"
    or "Received: by" run onto it, a field run on right after a date, or two fields or more.
    Only names of header fields split (RFC 5322 section 3.6 and the other names a header
    carries), after the end of a value; never inside a Subject or another field of free text,
    which may hold any words (the text after "Subject:" stays in it)."""
    end = min(lines.header_block_end(), MAX_HEADER_FIELDS)
    if end == 0 or not _is_field(lines.text[0]) or any(line[:1] in (b" ", b"\t") for line in lines.text[:end]):
        return
    if not lines.changed and not (end >= len(lines.text) or lines.blank_from(end)):
        return  # a message with a body, as it was given: its fields are its own
    text: list[bytes] = []
    ends: list[bytes] = []
    split = added = 0
    kept_in_free_text = False
    for index in range(end):
        line = lines.text[index]
        pieces, stopped = _run_on_pieces(line) if len(line) <= _RUN_ON_LINE else ([line], False)
        if len(pieces) > 1:
            split += 1
            added += len(pieces) - 1
            kept_in_free_text = kept_in_free_text or stopped
        text.extend(pieces)
        ends.extend([lines.ends[index] or b"\n"] * (len(pieces) - 1) + [lines.ends[index]])
    if not split:
        return
    lines.text[:end] = text
    lines.ends[:end] = ends
    lines.reshape(f"split {split} line(s) holding header fields run together (a copy that lost the line breaks) "
                  f"into {split + added} fields" + (": the text after a Subject: or another field of free text "
                                                    "stays in it" if kept_in_free_text else ""))


def _run_on_pieces(line: bytes) -> tuple[list[bytes], bool]:
    """The fields run together on ``line`` (the line alone when the evidence is not strong),
    and whether a field of free text kept fields that may follow in it."""
    colon = line.find(b":")
    if colon < 0 or (line.find(b": ", colon + 1) < 0 and line.find(b":\t", colon + 1) < 0):
        return [line], False  # no second "name: ": nothing run on (the common, fast case)
    if line[:colon].strip().lower() in _FREE_TEXT_NAMES:
        return [line], False
    starts: list[int] = []
    strong = False
    current = line[:colon].strip().lower()
    segment_start = 0
    for found in _run_on_name().finditer(line, colon + 1):
        at = found.start()
        name = found.group()[:-2].lower().rstrip(b":")
        if line[at - 1] not in _RUN_ON_AFTER or not _names_a_header_field(name + b":"):
            continue
        before = line[max(segment_start, at - 80):at]
        if name == b"received" and _received_start().match(line, found.end()):
            strong = True
        if current in (b"received", b"date", b"delivery-date", b"resent-date") and _date_end().search(before):
            strong = True
        starts.append(at)
        if name in _FREE_TEXT_NAMES:
            break  # a subject may hold any words: nothing after it is split off
        current, segment_start = name, at
        if len(starts) >= MAX_HEADER_FIELDS:
            break
    if not starts or not (strong or len(starts) >= 2):
        return [line], False
    bounds = [0, *starts, len(line)]
    pieces = [line[a:b].rstrip(b" \t") for a, b in itertools.pairwise(bounds)]
    stopped = pieces[-1].split(b":", 1)[0].strip().lower() in _FREE_TEXT_NAMES
    return pieces, stopped


def _indent_again(lines: _Lines, lost: list[int], cleanup: str) -> None:
    """Indent the lines that lost their fold's indentation again, and say so."""
    for index in lost:
        lines.text[index] = b" " + lines.text[index]
    lines.reshape(cleanup)


def _split_missing_separator(lines: _Lines) -> None:
    """A header that runs straight into its body (a copy that lost the empty line between
    them, or a sender that wrote none): the first line of text after the last field starts
    the body, and an empty line is put before it. RFC 5322 section 2.1 requires that empty
    line; Postfix's cleanup ends a header at its first line that is no field and inserts one,
    and Python's email parser reads the body from there (MissingHeaderBodySeparatorDefect).
    Only a line of words that no field follows, is not indented, and does not start a Received
    clause (a lost fold) or name a header field (a damaged one) is taken: anything else stays a
    damaged field."""
    end = min(lines.header_block_end(), MAX_HEADER_FIELDS)
    if end < 2 or not _is_field(lines.text[0]):
        return
    start = next((i for i in range(1, end) if lines.text[i][:1] not in (b" ", b"\t")
                  and not _is_field(lines.text[i])), None)
    if start is None or any(_is_field(line) for line in lines.text[start + 1:end]):
        return
    line = lines.text[start][:_MAX_SCAN_LINE]
    first_word = line.split(None, 1)[0] if line.strip() else b""
    if (_words().match(line) is None or _trace_clause().match(line) is not None
            or _names_a_header_field(first_word.rstrip(b":") + b":")):
        return
    lines.text.insert(start, b"")
    lines.ends.insert(start, lines.ends[start - 1] or b"\n")
    shown = one_line(line[:40].decode("utf-8", "replace"))
    lines.reshape(f"put an empty line before \"{shown}\": the header ran straight into "
                  "the body, with no empty line between them (RFC 5322 section 2.1)")


# A line of text: a word, a space, another word.
_words = compiled_on_first_use(rb"[^\s:]{1,200}[ \t]+\S")


# A Received field's clauses (RFC 5321 section 4.4) and its date, as a folded line starts them.
_trace_clause = compiled_on_first_use(rb"(?:by|with|id|for|via|from)\s|[(;]|[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?[ \t]+"
                                      rb"(?:[+-][0-9]{4}|UT|GMT|[ECMP][SD]T)\b|[+-][0-9]{4}[ \t]*(?:\(|$)", re.IGNORECASE)


def _restore_lost_trace_folds(lines: _Lines, header: list[bytes]) -> None:
    """A paste that kept most folds and lost some: only a line that is no field, right after a
    Received field or its folded lines, and starts one of its clauses ("by ...", "(authenticated
    ...)", "id ...", "; date") is taken for its lost fold. In a paste (a header with no body, or
    one a clean-up already changed), or in a copy that lost three or more folds, so is a line
    that is no field and no prose after a field's lines with more of the header below (an
    Authentication-Results reason a blog's page wrapped at its left margin, a script's template
    string), and a DKIM or ARC tag ("h=From:Date:...") in such a field. A message as delivered
    has no such line (a receiving MTA ends the header at its first line that is no field, as
    Postfix's cleanup does), so many of them are a copy's damage, not a sender's text. In the same
    reading, a line that starts with an IPv6 address literal ("(2603:10b6:a03:33e::24) by ...")
    under a Received that has not reached its date is that Received's fold, and once three or
    more folds were found lost, so is any line with no colon after a field's lines (a 72 or 76
    column wrap). Any other stray line stays what it is (damage, or the body's first line)."""
    # After the last field, a stray line may start a body that lost its empty line before it
    # (_split_missing_separator's case): a line is only taken for a fold before that field.
    last_field = max((i for i, line in enumerate(header) if line[:1] not in (b" ", b"\t") and _is_field(line)
                      and _tag_fold().match(line) is None), default=0)
    # Whether more of the header (a folded line that is not white space alone, or a field) follows
    # line i, after stray lines only. (A line of white space may stand for an empty line:
    # _split_at_space_lines' case, a body read as fields.)
    header_follows = [False] * len(header)
    for i in range(len(header) - 2, -1, -1):
        following = header[i + 1]
        header_follows[i] = ((following[:1] in (b" ", b"\t") and following.strip() != b"") or _is_field(following)
                             or header_follows[i + 1])

    def scan(extended: bool, wrapped: bool = False) -> tuple[list[int], int]:
        """The lines taken for lost folds, and how many of them only the extended reading takes.
        ``wrapped``: the copy lost three or more folds, so a line with no colon at all (which
        cannot be a field, RFC 5322 section 2.2) after a field's lines is the lost fold of that
        field too, whatever the field (the last fold of a Received-SPF or Content-Type that a 72 or
        76 column wrap put at the left margin), and so is such a line that ends the header."""
        taken: list[int] = []
        copied = 0
        in_received = in_field = in_tags = False
        received_start = 0
        field_name = b""
        record = _OpenRecord(header)
        kept_apart.clear()
        after_space = False  # the line before is white space alone, which may stand for an empty line
        for index, line in enumerate(header):
            if line[:1] in (b" ", b"\t"):
                after_space = not line.strip()
                continue
            loose, after_space = extended and not after_space, False
            # In a message as given (its header ends at an empty line, with a body after it, and no
            # clean-up changed it), a line that is a field by its syntax is the sender's field, not a
            # fold: a receiving MTA passes any such line on as a field, so the sender may have written it
            # right below the receiver's own field (verification V41c: a field named
            # "dkim=pass(x)header.d=paypal.com(y" below the receiver's Authentication-Results, with three
            # forged "(2001:db8::1) by" lines to reach this reading, read as the receiver's DMARC pass).
            # In a paste, such a line is joined to a receiver's record only when that record cannot
            # end where it stands (_OpenRecord); else it is kept a field, and said.
            joinable = not _is_field(line) or field_name in _JOINABLE_AS_GIVEN
            tag = loose and in_tags and index < last_field and _tag_fold().match(line) is not None
            if tag and not joinable and not whole:
                joinable = record.continues(index)
                if not joinable:
                    kept_apart.append((record.start, index))
            if tag and joinable:
                # "h=From:Date:Subject:..." of a signature whose folds lost their indentation: read
                # as a field named "h=From" it would end the signature (DKIM's and ARC's tag=value
                # list, RFC 6376 section 3.2; RFC 8617 section 4.1). No field's name holds "=".
                taken.append(index)
                copied += 1
            elif (loose and joinable and in_received and line[:1] in (b"(", b"[") and _address_literal_fold().match(line)
                  and not any(b";" in above for above in header[received_start:index])):
                # "(2603:10b6:a03:33e::24) by ..." where Exchange folds its Received before the
                # IPv6 literal: with the fold's indentation lost, the line reads as a field named
                # "(2603" (legal ftext, RFC 5322 section 3.6.8). Only while the Received has not
                # reached its "; date" (RFC 5321 section 4.4: a stamp ends with it), so a field
                # a sender wrote below a receiver's finished Received is never joined to it.
                taken.append(index)
                copied += 1
            elif _is_field(line):
                field_name = _field_name(line)
                in_received = line[:9].lower() == b"received:"
                received_start = index
                record.restart(index)
                in_tags = line[:_LONGEST_TAGGED_NAME].lower().startswith(_TAGGED_FIELDS)
                in_field = True
            elif in_received and _trace_clause().match(line) is not None:
                taken.append(index)
            elif loose and in_field and index < last_field and line.strip() and not _prose(line) and (
                    header[index + 1][:1] in (b" ", b"\t")
                    or ((in_received or in_tags) and header_follows[index])):
                # The fold below it continues the same field; or, in a trace or tag=value field
                # (whose folds are hosts, clauses, dates, tags), more of the header follows.
                taken.append(index)
                copied += 1
            elif (loose and wrapped and in_field and b":" not in line and line.strip() and not _prose(line)
                  and (index < last_field or index == len(header) - 1)):
                taken.append(index)
                copied += 1
            else:
                in_received = in_field = in_tags = False
        return taken, copied

    kept_apart: list[tuple[int, int]] = []  # (the record, the line kept apart from it) of the last scan
    end = lines.header_block_end()
    whole = not (lines.changed or end >= len(lines.text) or lines.blank_from(end))
    extended = True
    lost, copied = scan(extended)
    if copied and copied < 3 and whole:
        extended = False
        lost, _ = scan(extended)  # a message as given, with one or two stray lines: left as it is
    if extended and len(lost) >= 3:
        lost, _ = scan(extended, wrapped=True)
    if lost:
        _indent_again(lines, lost, f"indented {len(lost)} line(s) of header fields again: the paste lost the "
                                   "indentation of some folded lines")
    _say_kept_apart(lines, header, kept_apart)


# The fields a line that reads as a field may be joined to as a lost fold in a message as given
# (an empty line and a body after its header; _restore_lost_trace_folds, _restore_lost_folds):
# the sender's own text (RFC 5322 section 3.6's fields, MIME's), the signatures whose
# cryptography judges any join, and Received, whose joins end at its date (a receiver's stamp
# has one). Never a receiver's unsigned record (Authentication-Results, Received-SPF, a filter's
# X- field): a sender may write its own field right below it (verification V41c).
_JOINABLE_AS_GIVEN = frozenset({
    b"from", b"sender", b"reply-to", b"to", b"cc", b"bcc", b"subject", b"date", b"message-id", b"in-reply-to",
    b"references", b"comments", b"keywords", b"mime-version", b"content-type", b"content-transfer-encoding",
    b"content-disposition", b"content-id", b"content-description", b"dkim-signature", b"x-google-dkim-signature",
    b"arc-seal", b"arc-message-signature", b"received"})


# A quoted pair, a quoted string's quote, a comment's parentheses (RFC 5322 sections 3.2.1-3.2.4) and
# the ';' that ends a method's result (RFC 8601 section 2.2).
_comment_mark = compiled_on_first_use(rb'\\.|["();]', re.DOTALL)
# One of rspamd's symbols, as X-Spamd-Result lists them, each line ending with ';':
# "ARC_ALLOW(-1.00)[subspace.kernel.org:s=arc-20240116:i=1];" (rspamd's "Rspamd headers" reference;
# a real lfdr.de copy, verification V43b D2): the symbol's options may hold a colon, so a line of
# them whose fold a paste lost reads as a field.
_rspamd_symbol = compiled_on_first_use(rb"[A-Z][A-Z0-9_]*\(-?[0-9]+(?:\.[0-9]+)?\)(?:\[|;)")
# Records whose folded lines each end with ';' before the next symbol (see _rspamd_symbol).
_SYMBOL_RECORDS = (b"x-spamd-result",)
# Fields whose values end with a separator of their own, so a ',' at a line's end does not show
# more to come: Received-SPF's key-value-list may end with ';' (RFC 7208 section 9.1), and neither
# field is a list of items joined by ','; a sender's values (a HELO, a selector) may end one.
_NO_LIST_RECORDS = (b"authentication-results", b"received-spf")


class _OpenRecord:
    """Whether a field's text so far cannot end where it stands, so a line below it that reads as
    a field (a name, a colon) may only be its fold whose indentation a paste lost: the field has
    no value yet ("X-Forefront-Antispam-Report:" with its report on the next line), a comment is
    still open ("Received-SPF: Pass (protection.outlook.com: domain of ... designates" above
    "2a01:111:f403::1 as permitted sender)"), a list ends with ',' (RFC 5322 section 3.4,
    RFC 2369 section 2), or a Received-SPF ends with ';' before its client-ip= (RFC 7208 section
    9.1 asks for that key; Exchange Online folds "receiver=protection.outlook.com;" above
    "client-ip=2a01:111:f403::1; helo=..."). Where a field can end, the line below it is the same line as a field the
    sender wrote right below a receiver's record, and is not taken for its fold (verification
    V41c: "dkim=pass(x)header.d=paypal.com(y:z);dmarc=pass(x)header.from=paypal.com" below the
    receiver's Authentication-Results read as its DMARC pass in a headers-only paste). Another ';'
    at a line's end is no such sign: a filter's report ends with one ("SFV:NSPM;"), and so may
    a Received-SPF (RFC 7208 section 9.1) once it has its client-ip (Gmail's does, right above
    its Authentication-Results: a sender's "envelope-from=..." joined there would read as the
    identity the receiver checked). An Authentication-Results ends with none (RFC 8601 section
    2.2), but no receiver's method line starts with a name and a colon, so nothing real needs one.

    The field's lines are read once, on demand, from its first line to the one asked about,
    so a header of many such lines is read in linear time."""

    __slots__ = ("_client_ip", "_depth", "_header", "_last", "_name", "_quoted", "_read", "_semicolon_in_comment",
                 "_valued", "start")

    def __init__(self, header: list[bytes]) -> None:
        self._header = header
        self.restart(0)

    def restart(self, start: int) -> None:
        """A new field starts at line ``start``."""
        self.start = start
        self._read = start  # the lines before this one are read
        self._depth = 0  # comments open (RFC 5322 section 3.2.2: they nest)
        self._quoted = False  # inside a quoted string
        self._valued = False  # some of the value is read
        self._last = b""  # the value's last line with text, stripped
        self._name = b""
        self._client_ip = False  # "client-ip=" read (a sender's text in a comment only makes a join rarer)
        # A ';' read inside the comment still open: a receiver's comments hold none (RFC 8601
        # section 2.2 ends a method's result with it), so the comment was opened by a sender's
        # text the receiver copied ("header.s=x(y", verification V43b D1) and shows nothing open.
        self._semicolon_in_comment = False

    def continues(self, index: int) -> bool:
        """Whether the field cannot end before line ``index`` (its lines up to it read)."""
        for line in self._header[self._read:index]:
            if self._read == self.start:
                self._name, _, line = line.partition(b":")
                self._name = self._name.strip().lower()
            self._read += 1
            text = line.strip()
            if not text:
                continue
            self._valued, self._last = True, text
            self._client_ip = self._client_ip or b"client-ip=" in text.lower()
            for mark in _comment_mark().finditer(text):
                char = mark[0]
                if char == b'"':
                    # Inside a comment too (where RFC 5322 reads a quote as text): a receiver
                    # quotes a sender's local part in its reason ("domain of \"(a\"@evil.example"),
                    # and its parenthesis would otherwise leave the comment open.
                    self._quoted = not self._quoted
                elif self._quoted or len(char) > 1:
                    continue
                elif char == b";":
                    self._semicolon_in_comment = self._semicolon_in_comment or self._depth > 0
                elif char == b"(":
                    self._depth += 1
                elif char == b")":
                    self._depth = max(self._depth - 1, 0)
                    if not self._depth:
                        self._semicolon_in_comment = False
        if not self._valued:
            return True
        if self._quoted:
            return False  # a quote left open says nothing sure of the comments after it
        if self._depth > 0:
            return not self._semicolon_in_comment
        if self._last.endswith(b";"):
            if self._name in _SYMBOL_RECORDS:
                return _rspamd_symbol().match(self._header[index].lstrip()) is not None
            return self._name == b"received-spf" and not self._client_ip
        return self._last.endswith(b",") and not self._name.endswith(_NO_LIST_RECORDS)


def _say_kept_apart(lines: _Lines, header: list[bytes], kept: list[tuple[int, int]]) -> None:
    """Say which lines that may be a receiver's record's lost folds were kept fields of their own."""
    if not kept:
        return
    start, index = kept[0]
    name = one_line(header[start][:_MAX_SCAN_LINE].split(b":", 1)[0].strip().decode("utf-8", "replace")[:60])
    shown = one_line(header[index][:_MAX_SCAN_LINE].strip().decode("utf-8", "replace")[:60])
    more = f" and {len(kept) - 1} more" if len(kept) > 1 else ""
    lines.cleanups.append(
        f"kept \"{shown}\"{more} as a field of its own, not as a fold of the {name} field above it: the paste lost "
        "the indentation of folded lines, so it may be that field's fold, or a field the message's sender wrote "
        f"below it, which the text cannot tell apart; {name} is read from its own line(s) only")


# An address literal that starts a Received's folded line (RFC 5321 section 4.1.3), as Exchange
# folds before it ("(2603:10b6:a03:33e::24) by ...") or a Postfix comment wraps ("[IPv6:2001:db8::1])"),
# with a colon in it (an IPv6 one: an IPv4 one reads as no field anyway), and the clause after it.
_address_literal_fold = compiled_on_first_use(
    rb"[(\[](?:IPv6:)?[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.[0-9]{1,3}){0,4}[)\]]{1,2}"
    rb"(?:[ \t]*\Z|[ \t]+(?:by|with|id|for|via)\b)", re.IGNORECASE)
# A tag of DKIM's and ARC's tag=value lists at a line's start ("b=", "bh=", "h=From:Date:...",
# RFC 6376 section 3.2), or an Authentication-Results method ("dkim=pass", RFC 8601 section 2.2).
_tag_fold = compiled_on_first_use(rb"[a-z][a-z0-9._-]{0,19}=")
# The fields whose folds are such tags.
_TAGGED_FIELDS = (b"dkim-signature:", b"arc-seal:", b"arc-message-signature:", b"arc-authentication-results:",
                  b"authentication-results:", b"x-google-dkim-signature:")
_LONGEST_TAGGED_NAME = max(len(name) for name in _TAGGED_FIELDS)


# The character references an escaped copy of a header holds (HTML 5 section 13.1.4): the
# five markup characters by name, and any character by number.
_html_reference = compiled_on_first_use(rb"&(?:lt|gt|amp|quot|apos|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")


def _html_escaped(block: bytes) -> bool:
    """A header block written as HTML text: ``&lt;``/``&gt;`` where the angle brackets of its
    addresses belong, and not one angle bracket itself."""
    return (block.find(b"<") < 0 and block.find(b">") < 0
            and block.find(b"&lt;") >= 0 and block.find(b"&gt;") >= 0)


@functools.lru_cache(maxsize=1024)
def _unescaped(reference: bytes) -> bytes:
    """The character a reference stands for, unless it is a control character: a line break
    made from "&#10;" would start a header field of its own, so such a reference stays as written.
    Cached: a hostile header of a million references names a few distinct ones."""
    import html

    text = html.unescape(reference.decode("ascii"))
    if any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in text):
        return reference
    return text.encode("utf-8", "replace")


def _unescape_html(lines: _Lines) -> None:
    """A header copied from a page's HTML source, or through a ticket or chat tool that escaped
    it: its character references become the characters again."""
    end = lines.header_block_end()
    if lines.html_decoded or not _html_escaped(join_bounded(b"\n", lines.text[:end])):
        return  # (decoded with the page's tags already: "&amp;lt;" is the text "&lt;")
    # The topmost field (its first line and folds): on a stored message the receiving side's own.
    top_field_end = 1
    while top_field_end < end and lines.text[top_field_end][:1] in (b" ", b"\t"):
        top_field_end += 1
    count = 0
    top_field_decoded = False
    for index in range(end):
        line = lines.text[index]
        if line.find(b"&") < 0:
            continue
        repaired = _html_reference().sub(_decoded_reference, line)
        if repaired != line:
            lines.text[index] = repaired
            count += 1
            top_field_decoded = top_field_decoded or index < top_field_end
    # A whole copy's step only when the topmost field was escaped too: the trigger (a header with
    # no angle bracket) is a stored message's as well when its receiving side writes none
    # (Exchange Online's Return-Path and Received have none), and then the sender's own
    # "&lt;...&gt;" fires it (verification V25 D1); the sender cannot write the topmost field.
    lines.reshape(f"decoded HTML character references (&lt; &gt; &amp; ...) in {count} header line(s): the "
                  "text was copied from a page's HTML source or a tool that escaped it",
                  whole_paste=top_field_decoded)


# The presentational tags a page's HTML source puts in a header shown in a <pre> block (HTML 5
# sections 4.4.3, 4.5): exactly these names, with attributes or none, opening, closing or
# self-closing ("<u>", "</b>", "<br/>", '<span class="h">'). The name must end at a blank, "/"
# or ">", so that an address ("<b@example.com>", "<u.name@example.org>") is never taken for one;
# attributes are capped and hold no angle bracket (linear).
_HTML_TAG_NAMES = rb"(?:pre|code|u|b|i|span|br|strong|em|font)"
_html_tag = compiled_on_first_use(rb"</?(" + _HTML_TAG_NAMES + rb")(?=[ \t/>])(?:[ \t][^<>\r\n]{0,200})?/?>",
                                  re.IGNORECASE)
# A line of a header block that starts with such tags (at its very start: a fold's tags are only
# taken off once the block is known to be HTML source).
_html_tags_at_start = compiled_on_first_use(
    rb"(?:</?" + _HTML_TAG_NAMES + rb"(?=[ \t/>])(?:[ \t][^<>\r\n]{0,200})?/?>[ \t]*){1,8}", re.IGNORECASE)
# What the fast path looks for (a superset of the step's trigger): a line starting with one.
_html_tag_line = compiled_on_first_use(rb"(?:\A|\n)</?" + _HTML_TAG_NAMES + rb"(?=[ \t/>])", re.IGNORECASE)
# The character references of HTML source, with the legacy ones HTML parsers read without their
# ";" (HTML 5 section 13.2.5.73, the named references "lt", "gt", "amp", "quot" in either case,
# and numeric references).
_html_legacy_reference = compiled_on_first_use(
    rb"&(?:(?:lt|gt|amp|quot|LT|GT|AMP|QUOT);?|apos;|#[0-9]{1,7};?|#[xX][0-9A-Fa-f]{1,6};?)")
_HTML_BLOCK_TAGS = (b"pre", b"code")
_NAMED_TAG_LINES = 200


def _html_markup_starts(line: bytes) -> bool:
    """``line`` starts with presentational tags around a header field's name ("<u>Received:
    from", "<b>From:</b>"), or is a <pre> or <code> block's opening or closing tag alone."""
    line = line[:_MAX_SCAN_LINE]
    tags = _html_tags_at_start().match(line)
    if tags is None:
        return False
    rest = _html_tag().sub(b"", line[tags.end():])
    if not rest.strip():
        return {name.lower() for name in _html_tag().findall(line)} <= set(_HTML_BLOCK_TAGS)
    return _is_field(rest) and _names_a_header_field(rest)


def _decoded_reference(reference: re.Match[bytes]) -> bytes:
    return _unescaped(reference.group(0))


def _strip_html_markup(lines: _Lines) -> None:
    """A header copied from a page's HTML source: the <pre> block around it and the tags that
    mark up its text ("<u>Received: from ...</u>", "for <b>Name</b>") are taken off, and its
    character references decoded, with the legacy ones written without ";" ("&lt"), as a browser
    reads them. Only on strong evidence: a line of the header block starts with tags of exactly
    the presentational names around a header field's name, or is a <pre>/<code> tag alone; an
    address in angle brackets is never a tag."""
    end = lines.header_block_end()
    if not any(lines.text[i][:1] == b"<" and _html_markup_starts(lines.text[i]) for i in range(end)):
        return
    names: set[bytes] = set()
    removed: set[int] = set()
    stripped = decoded = 0

    for index in range(end):
        line = lines.text[index]
        if line.find(b"<") >= 0:
            text = _html_tag().sub(b"", line)
            if text != line:
                stripped += 1
                if stripped <= _NAMED_TAG_LINES:  # the names for the note: those of the first lines
                    names.update(name.lower() for name in _html_tag().findall(line, 0, _MAX_SCAN_LINE))
                if _is_blank(text):
                    removed.add(index)  # a line of tags alone ("<pre>", "</pre>", "<br>")
                    continue
                line = text
        if line.find(b"&") >= 0:
            line, count = _html_legacy_reference().subn(_decoded_reference, line)
            decoded += count
        lines.text[index] = line
    if removed:
        lines.text[:end] = [line for i, line in enumerate(lines.text[:end]) if i not in removed]
        lines.ends[:end] = [line_end for i, line_end in enumerate(lines.ends[:end]) if i not in removed]
    lines.html_decoded = True
    shown = ", ".join(f"<{name.decode('ascii', 'replace')}>" for name in sorted(names))
    lines.reshape(f"removed the HTML tags ({shown}) from {stripped} header line(s)"
                  + (f" and decoded {decoded} character reference(s) (&lt; &gt; ...)" if decoded else "")
                  + ": the header was copied from a page's HTML source")


# A Markdown auto-link a ticket, chat or issue page added when it rendered the paste (GitHub,
# Jira, Slack): "[host](http://host/)" for a host name, "[a@b](mailto:a@b)" for an address.
# The text holds no bracket, so each "[" is read at most up to the next one (linear); lengths
# are capped (253 for a host name, RFC 1035; 320 for an address, RFC 3696 errata). The scheme
# is lower case, as the auto-linkers write it (and as _needs_no_cleanup tests for it).
_markdown_autolink = compiled_on_first_use(
    rb"\[([^\[\]()<>\s]{1,320})\]\((?:https?://([^\s()<>/]{1,253})/?|mailto:([^\s()<>]{1,320}))\)")
# Fields whose text an author writes: a Markdown link there may be the author's own.
_FREE_TEXT_FIELDS = (b"subject:", b"thread-topic:", b"comments:", b"keywords:")
_FREE_TEXT_NAMES = frozenset(name.rstrip(b":") for name in _FREE_TEXT_FIELDS)


_link_markup = compiled_on_first_use(rb"\]\((?:http|mailto:)")


def _lines_with_link_markup(text: list[bytes], end: int) -> list[int]:
    """Indexes of the lines of ``text[:end]`` holding "](http" or "](mailto:", in order.

    One C-level search over the lines joined, not a Python step per line (a header of a million
    lines, V42b D4): the markup holds no line break, so the joining LF cannot make a match, and
    the lines hold none either (they are split at LF)."""
    joined = join_bounded(b"\n", text[:end])
    found = [match.start() for match in _link_markup().finditer(joined)]
    if not found:
        return []
    # A match's line is the number of LFs before it, counted from the previous match on (one
    # pass over ``joined`` in all).
    indexes: list[int] = []
    index = counted_to = 0
    for position in found:
        index += joined.count(b"\n", counted_to, position)
        counted_to = position
        if not indexes or indexes[-1] != index:
            indexes.append(index)
    return indexes


def _undo_markdown_autolinks(lines: _Lines) -> None:
    """A header copied back from a page that rendered it as Markdown: each host name and address
    the page turned into a link ("[host](http://host/)", "[a@b](mailto:a@b)") becomes its text
    again. Only a link whose text is exactly its target's host or address (in any case): an
    address literal ("[192.0.2.1]") or a link with other text is left as written. When links
    are only in a subject or another field of free text (which an author may write in
    Markdown), none is undone: a server writes no Markdown in a trace field, a signature or an
    address."""
    end = lines.header_block_end()
    repaired: dict[int, bytes] = {}
    undone = 0
    outside_free_text = False
    free_text = False

    def undo(link: re.Match[bytes]) -> bytes:
        nonlocal undone
        text, target = link.group(1), link.group(2) or link.group(3)
        if text.lower() != target.lower():
            return link.group(0)
        undone += 1
        return text

    text = lines.text
    field_start = -1
    """Index of the last line at or above the current one that is no continuation line."""
    for index in _lines_with_link_markup(text, end):
        # The field a candidate is in: walk back to its first line, but no further than the
        # previous candidate's (the candidates come in order, so the walks add up to one pass).
        start = index
        while start > field_start and text[start][:1] in (b" ", b"\t"):
            start -= 1
        if start > field_start:
            field_start = start
            free_text = text[start][:14].lower().startswith(_FREE_TEXT_FIELDS)
        line = text[index]
        before = undone
        repaired_line = _markdown_autolink().sub(undo, line)
        if undone > before:
            repaired[index] = repaired_line
            outside_free_text = outside_free_text or not free_text
    if not outside_free_text:
        return
    for index, repaired_line in repaired.items():
        lines.text[index] = repaired_line
    lines.reshape(f"undid {undone} Markdown auto-link(s) the paste added ([host](http://host) \u2192 host)")


# A forum's BBCode around the addresses and links of a paste (vBulletin and phpBB turn every
# address in a post into "[email]a@b[/email]", every link into "[url]...[/url]"); the "=" form
# ("[email=a@b]a@b[/email]") too when its text is its target. The text holds no bracket or
# space, so each "[" is read at most up to the next one (linear); lengths are capped as for
# Markdown links (320 for an address).
_bbcode_link = compiled_on_first_use(
    rb"\[(email|url)(?:=([^\[\]\s]{1,320}))?\]([^\[\]\s]{1,320})\[/\1\]", re.IGNORECASE)


_ORIGINATOR_FIELDS = (b"from:", b"sender:", b"reply-to:")


def _undo_bbcode_links(lines: _Lines) -> None:
    """A header copied back from a forum post: "[email]a@b[/email]" becomes "a@b" again, or
    "X-Apparently-To: [email]me@yahoo.com[/email] via ..." names no recipient. Only in a paste (a
    header with no body, or one a clean-up already changed), as for Markdown emphasis: a delivered
    message keeps what its sender wrote (a malformed From: is a trick of its own). Never in a
    Subject or another field of free text, whose author may have written the tags, nor in the
    originator fields (From, Sender, Reply-To), whose form the checks judge as written."""
    end = lines.header_block_end()
    if end == 0 or not _is_field(lines.text[0]):
        return
    if not lines.changed and not (end >= len(lines.text) or lines.blank_from(end)):
        return
    undone = 0
    free_text = False

    def undo(link: re.Match[bytes]) -> bytes:
        nonlocal undone
        target, text = link.group(2), link.group(3)
        if target is not None and target.lower() != text.lower():
            return link.group(0)
        undone += 1
        return text

    for index in range(min(end, MAX_HEADER_FIELDS)):
        line = lines.text[index]
        if line[:1] not in (b" ", b"\t"):
            free_text = line[:14].lower().startswith(_FREE_TEXT_FIELDS + _ORIGINATOR_FIELDS)
        if free_text or line.find(b"[/") < 0:
            continue
        lines.text[index] = _bbcode_link().sub(undo, line)
    if undone:
        lines.reshape(f"removed the forum markup ([email]...[/email], [url]...[/url]) around {undone} address(es) "
                      "or link(s) of the pasted header")


# Markdown emphasis and code spans typed around text of a pasted header (CommonMark sections
# 6.1 and 6.2): "**dkim=fail ... (2048-bit key)**", "`spf=pass`". The emphasised text starts and
# ends with no white space, as CommonMark requires of it; a run of stars alone ("X-Spam-Level:
# ****") holds no text and is left. Lengths are capped (a field line is at most 998 bytes,
# RFC 5322 section 2.1.1), and no star or backtick is read past the next one: linear.
# A mask of stars ("***@groups.io", "receiver=***@***.net": a shared copy's redaction) is no
# emphasis: the marks are exactly two stars, with no third beside them.
_markdown_strong = compiled_on_first_use(rb"(?<!\*)\*\*([^*\s](?:[^*\r\n]{0,996}[^*\s])?)\*\*(?!\*)")
_markdown_code = compiled_on_first_use(rb"`([^`\s](?:[^`\r\n]{0,996}[^`\s])?)`")


def _undo_markdown_emphasis(lines: _Lines) -> None:
    """A paste whose author put Markdown emphasis or a code span around part of a field (to point
    at it in an issue or a chat): the marks are taken off, or "**dkim=fail" would be read as a
    method no one knows. Only in a paste (a header with no body, or one a clean-up already
    changed: an author's note, quote marks) and never in a Subject or another field of free
    text, whose author may have written the stars."""
    end = lines.header_block_end()
    if end == 0 or not _is_field(lines.text[0]):
        return  # no header here (a text of another kind)
    if not lines.changed and not (end >= len(lines.text) or lines.blank_from(end)):
        return
    undone = 0
    free_text = False

    def undo(emphasis: re.Match[bytes]) -> bytes:
        nonlocal undone
        undone += 1
        return emphasis.group(1)

    for index in range(min(end, MAX_HEADER_FIELDS)):
        line = lines.text[index]
        if line[:1] not in (b" ", b"\t"):
            free_text = line[:14].lower().startswith(_FREE_TEXT_FIELDS)
        if free_text or (line.find(b"**") < 0 and line.find(b"`") < 0):
            continue
        lines.text[index] = _markdown_code().sub(undo, _markdown_strong().sub(undo, line))
    if undone:
        lines.reshape(f"removed the Markdown emphasis or code marks (**...**, `...`) typed around {undone} piece(s) "
                      "of header text")


# "Message-ID:Subject:From:Cc:" (a signature's h= list) or "OriginalChecksum:AB12..." at a line
# start: a "name:" with no space after its colon, and names only or an unknown name before it.
_colon_list = compiled_on_first_use(rb"[\x21-\x39\x3b-\x7e]+:[^ \t]")


def _folded_list(line: bytes) -> bool:
    """A line that reads as a field only because a fold lost its indentation: a signature's h=
    list ("subject : date : message-id :", three or more field names and colons only), or a
    "name:" with no space after its colon and either more names joined by colons or a name no
    header field has."""
    names = [name for name in re.split(rb"[ \t]*:[ \t]*", line[:_MAX_SCAN_LINE].strip().rstrip(b";")) if name]
    if len(names) >= 3 and line.count(b":") >= 2 and all(_names_a_header_field(name + b":") for name in names):
        return True
    if not _colon_list().match(line[:_MAX_SCAN_LINE]):
        return False
    value = line.partition(b":")[2]
    return (b" " not in value and value.count(b":") >= 1) or not _names_a_header_field(line)


def _respaced_by_copy(block: bytes) -> str | None:
    """Why the header block looks re-spaced by a copy, or None: trailing spaces on nearly every
    line, or a signature field hundreds of characters long in a header with no folded line.
    A signature over re-spaced lines (c=simple) fails for that alone. Counted with bytes
    methods: every message of a scan passes here."""
    first_end = block.find(b"\n")
    if first_end > 0 and block[max(first_end - 2, 0):first_end].rstrip(b"\r")[-1:] in (b" ", b"\t"):
        # A copy that leaves spaces at line ends leaves them on every line, the first too.
        lines = block.count(b"\n") + (not block.endswith(b"\n"))
        trailing = (block.count(b" \n") + block.count(b"\t\n") + block.count(b" \r\n") + block.count(b"\t\r\n")
                    + block.endswith((b" ", b"\t")))
        if lines >= 5 and trailing * 5 >= lines * 4:
            return "nearly every header line ends with spaces, as a copy from a web page or an editor leaves them"
    if b"\n " in block or b"\n\t" in block or block[:1] in (b" ", b"\t"):
        return None  # folded lines kept their indentation
    if _long_signature_first_line().match(block) is not None or (
            _starts_a_signature_line(block) and _long_signature_line().search(block) is not None):
        return "no header line is folded, yet its signatures are long single lines: the copy unfolded them"
    return None


def _starts_a_signature_line(block: bytes) -> bool:
    """Whether a line after the first of ``block`` starts with one of _SIGNATURE_FIELDS in any
    case (a line end and the name, in the block lower-cased): when none does,
    _long_signature_line cannot match, and its search, which tries each line end, is not run
    (0.4 s for an unfolded header of a million Received fields, of which this costs a third)."""
    lowered = block.lower()  # ``bytes.lower`` changes only A-Z, as the pattern's (?i) does
    return any(lowered.find(end + name) >= 0 for name in _SIGNATURE_FIELDS for end in (b"\n", b"\r"))


def _header_block_end(lines: _Lines) -> int:
    return lines.header_block_end()


_MAX_SEPARATOR_SEARCH = 20_000


def _blank_line_of_spaces(lines: _Lines) -> None:
    """With no empty line at all, a line of spaces or tabs after the header fields, followed by
    a line that is no field (a MIME boundary, body text), is the empty line that ends the header
    section (RFC 5322 section 2.1), its white space left by an editor or a copy; so are the
    lines of white space after it. Without this the whole message is read as header fields: the
    body's MIME parts as a second From: and To:, an attached message's Received as a hop."""
    end = _header_block_end(lines)
    if end < len(lines.text) or end < 2:
        return  # an empty line ends the header section (or too little to tell)
    # Looked for among the first fields only: a header of more is hostile, not a copy's slip,
    # and a million lines of fields must not cost a second more.
    for index in range(1, min(end - 1, _MAX_SEPARATOR_SEARCH)):
        line = lines.text[index]
        if not _is_blank(line):
            if not _is_field(line) and line[:1] not in (b" ", b"\t"):
                return  # neither field nor fold: no header block to end here
            continue
        following = lines.text[index + 1]
        if _is_blank(following) or following[:1] in (b" ", b"\t") or _is_field(following):
            return  # white space folded into a field, or more fields: not the separator
        # Every empty line lost its emptiness the same way: those of the MIME parts (which end
        # their headers too) and of the text are empty again.
        for later in range(index, len(lines.text)):
            if lines.text[later] and _is_blank(lines.text[later]):
                lines.text[later] = b""
        lines.reshape(f"read the lines of white space only (from line {index + 1}, after the header fields) as "
                      "the empty lines they stand for: the message has no empty line")
        return


def _remove_common_indent(lines: _Lines) -> None:
    # An indented paste's separator line often carries the indentation too: any blank line ends
    # the header block here.
    if not lines.has(0) or _indent(lines.text[0]) == 0:
        return  # the common indentation is 0 when the first line has none
    blank = next((i for i in lines.indexes_from(0) if _is_blank(lines.text[i])), None)
    end = len(lines.text) if blank is None else blank  # without a blank line, all was split
    if end == 0:
        return
    indents = [_indent(line) for line in lines.text[:end] if not _is_blank(line)]
    common = min(indents) if indents else 0
    if common:
        lines.split_all()  # an indented paste: every line is re-indented
        # Remove up to `common` blanks from every line; deeper indentation stays a fold.
        for i, line in enumerate(lines.text):
            cut = min(common, _indent(line))
            if cut:
                lines.text[i] = line[cut:]
        lines.reshape(f"removed {common} character(s) of indentation from the pasted lines", whole_paste=True)


def _remove_first_line_indent(lines: _Lines) -> None:
    if not lines.has(0):
        return
    first = lines.text[0]
    if _indent(first) and _is_field(first.lstrip(b" \t")):
        # Only the first line is indented (copied from the middle of a line): it is not a fold.
        lines.text[0] = first.lstrip(b" \t")
        lines.reshape("removed the indentation of the first line", whole_paste=True)


def _remove_indent_after_first_line(lines: _Lines) -> None:
    """A paste whose first line has no indentation and every later line has (an issue or forum
    page that indents a paste's lines after the first, as GitHub's rendering of one does): the
    lines at the common indentation that start with a header field's name are fields again, and
    so is a deeper one that starts a trace field ("Received:", "Authentication-Results:"); the
    other lines stay folds, with at least one blank (RFC 5322 section 2.2.3).

    Only in a paste (a header with no body, or one a clean-up already changed) and on strong
    evidence: at least two lines at the common indentation name known header fields. A message
    as delivered never qualifies: every line after its first being indented would make its whole
    header one field."""
    end = lines.header_block_end()
    if end < 3 or _indent(lines.text[0]) or not _is_field(lines.text[0]):
        return
    if not lines.changed and not (end >= len(lines.text) or lines.blank_from(end)):
        return  # a message with a body, as it was given: its folds are its own
    common = None
    for line in lines.text[1:end]:
        if _is_blank(line):
            continue
        indent = _indent(line)
        if not indent:
            return  # an unindented later line: not this layout (lost folds are another step's)
        common = indent if common is None else min(common, indent)
    if common is None:
        return
    fields: list[int] = []
    known = 0
    for index in range(1, end):
        line = lines.text[index]
        text = line[_indent(line):]
        if not _is_field(text) or not _names_a_header_field(text) or _folded_list(text):
            continue
        if _indent(line) == common:
            known += 1
        elif _trace_field().match(text[:_MAX_SCAN_LINE]) is None:
            continue  # deeper and no trace field: a fold that happens to hold a "name:"
        fields.append(index)
    if known < 2:
        return
    field_set = set(fields)
    for index in range(1, end):
        line = lines.text[index]
        indent = _indent(line)
        if index in field_set:
            lines.text[index] = line[indent:]
        elif indent > 1 and not _is_blank(line):
            lines.text[index] = line[min(common, indent - 1):]  # a fold keeps one blank at least
    lines.reshape(f"read {len(fields)} indented line(s) that start with a header field's name as fields again: "
                  f"every line after the unindented first one was indented by {common} character(s) or more, as a "
                  "page shows a paste; the other indented lines stay folds")


_MAX_PROPERTIES_LINES = 2 * MAX_HEADER_FIELDS
"""Lines of a header block that Outlook's properties layout is looked for in: twice the fields a
header is read to (message.MAX_HEADER_FIELDS), each a name line and a value line."""


# Folded lines a paste may start with before its first whole field (a field's continuation
# lines are at most a few hundred: a DKIM b= or an ARC seal is a dozen).
_MAX_LEADING_CONTINUATION = 200


def _drop_leading_continuation(lines: _Lines) -> None:
    """A paste whose first lines are folded lines (RFC 5322 section 2.2.3: they start with white
    space) continuing a field whose start was not copied, with a field after them: the copy began
    inside that field. Those lines are left out (the fields after them keep their bytes), and it
    is said, with the fields above missing: a delivered message never starts so, each server puts
    whole fields on top (RFC 5321 section 4.4)."""
    if not lines.has(0) or lines.text[0][:1] not in (b" ", b"\t") or _is_blank(lines.text[0]):
        return
    count = 0
    while count < _MAX_LEADING_CONTINUATION and lines.has(count) and lines.text[count][:1] in (b" ", b"\t") \
            and not _is_blank(lines.text[count]):
        count += 1
    if not lines.has(count) or not _is_field(lines.text[count]):
        return
    lines.drop_front(count)
    lines.starts_mid_field = True
    lines.cleanups.append(f"left out the first {count} line(s): the paste starts inside a header field, whose start "
                          "was not copied, and the fields above it (the receiving side's topmost) are missing")


def _rebuild_properties_layout(lines: _Lines) -> None:
    """Outlook's properties dialog: ``Name:<TAB>`` and the value alone on the next line."""
    end = _header_block_end(lines)
    if end > _MAX_PROPERTIES_LINES:
        # The dialog shows one message's header, a few hundred lines: a block this long is no such
        # paste, and the walk below is a Python step per line (40 million "a:" lines took a
        # minute, verification V47e).
        return
    # A line can only be an empty-valued field if it ends in the colon or blanks after it.
    candidates = (line for line in lines.text[:end]
                  if line[-1:] in (b":", b" ", b"\t") and _EMPTY_FIELD.match(line[:_MAX_SCAN_LINE]))
    if next(candidates, None) is None or next(candidates, None) is None:
        return  # fewer than two empty-valued fields: not this layout (the common, fast case)
    pairs = 0
    starts = 0
    for i in range(end):
        line = lines.text[i][:_MAX_SCAN_LINE]
        if line[:1] in (b" ", b"\t"):
            continue
        if _EMPTY_FIELD.match(line) and i + 1 < end:
            following = lines.text[i + 1]
            if following and following[:1] not in (b" ", b"\t") and not _EMPTY_FIELD.match(following[:_MAX_SCAN_LINE]):
                pairs += 1
                starts += 1
                continue
        if _is_field(line):
            starts += 1
    if pairs < 2 or pairs * 2 < starts:
        return
    text: list[bytes] = []
    ends: list[bytes] = []
    i = 0
    while i < end:
        line = lines.text[i]
        if _EMPTY_FIELD.match(line[:_MAX_SCAN_LINE]) and i + 1 < end and lines.text[i + 1]:
            name = line.rstrip(b" \t")
            value = lines.text[i + 1].strip(b" \t")
            text.append(name + b" " + value)
            ends.append(lines.ends[i + 1])
            i += 2
            # Further unindented lines that are not fields continue the value: fold them.
            while i < end and lines.text[i] and not _is_field(lines.text[i]) and lines.text[i][:1] not in (b" ", b"\t"):
                text.append(b" " + lines.text[i])
                ends.append(lines.ends[i])
                i += 1
            continue
        text.append(line)
        ends.append(lines.ends[i])
        i += 1
    lines.text[:end] = text
    lines.ends[:end] = ends
    lines.format = "outlook-properties"
    lines.reshape(f"rebuilt {pairs} header field(s) from Outlook's properties layout "
                  "(name and value on separate lines)")


def _join_header_groups(lines: _Lines) -> None:
    """Blank lines between header fields in a headers-only paste (nothing but fields follows)."""
    if lines.has(1) and lines.text[1] and _is_blank(lines.text[1]) and _undo_double_spacing(lines):
        return  # an empty line after every line, the copy's indentation on each (V35c)
    end = _header_block_end(lines)
    if end >= len(lines.text):
        return
    if lines.blank_from(end):
        return
    # Every non-blank line after the first blank one must be a field or a fold of one (a
    # body fails this at its first line, so a large body is not split).
    previous_field = False
    for index in lines.indexes_from(end):
        line = lines.text[index]
        if _is_blank(line):
            continue
        if _is_field(line):
            previous_field = True
        elif line[:1] in (b" ", b"\t") and previous_field:
            continue
        else:
            if end == 1:
                # An empty line after the first line: perhaps one after every line, whose folds
                # may have lost their indentation too, or with a body after the header.
                _undo_double_spacing(lines)
            return
    first_after = next(line for line in lines.text[end:] if not _is_blank(line))
    if not _is_field(first_after):
        return
    # A body can look like fields too: a patch review's "Acked-by: Name <address>", a note's
    # "Update: ...". What a paste splits off is transport or message header fields: at least
    # one must be a field name a header carries.
    if not any(_names_a_header_field(lines.text[i]) for i in lines.indexes_from(end)
               if _is_field(lines.text[i])):
        return
    # A message/* body is a message of its own: its header fields after the blank line are
    # not part of this header block. Asked last because it reads every header line, and a
    # message with an ordinary body has returned above at its first body line.
    if _content_type_is_message(lines, end):
        return
    keep = [i for i in range(end, len(lines.text)) if not _is_blank(lines.text[i])]
    removed = len(lines.text) - end - len(keep)
    lines.text[end:] = [lines.text[i] for i in keep]
    lines.ends[end:] = [lines.ends[i] for i in keep]
    lines.reshape(f"removed {removed} blank line(s) between header fields (a headers paste)")


_DOUBLE_SPACED_FIELDS = 3
"""Header fields a double-spaced paste must show before its header ends (one or two fields
after an empty line are a short header and a body that may be anything)."""


def _undo_double_spacing(lines: _Lines) -> bool:
    """A copy that put an empty line after every line (a note or chat tool that made each line a
    paragraph: an iCloud "message source" kept in a Markdown note), where a line between the
    fields is no field and not indented (a fold that lost its indentation too, which
    _join_header_groups cannot tell from a body), or a body follows the header. Only when the
    whole input is so: every second line empty (or the same white space on each: the copy put its
    indentation on them), from the first line to the last; its first line a field; and at least
    three fields a header carries before the header's own end (an empty line, two empty lines in a
    row here). A line of white space only is the header's end only when what follows it is no
    field nor an indented line: before a field it is a fold the sender wrote (RFC 5322 section
    4.2, obs-FWS allows a fold of white space only), as the undoubled message reads it. A message
    as stored has its receivers' Received fields, folded, on the lines after its first: its second
    line is never empty. The lines that are not the doubling's are kept as they were; the lost
    folds are _restore_lost_folds' to indent again, the header's end is the empty line it stands
    for (RFC 5322 section 2.1). True when the doubling was undone."""
    text = lines.text
    if not _is_field(text[0]):
        return False
    fields = 0  # fields whose names a header carries (not a body's "Note: ...")
    header_end = None
    # A line of white space only (and any right after it): the header's end unless a field or an
    # indented line follows, which the next line of the copy's own says.
    white_line = None
    doubling = text[1] if lines.has(1) else b""  # what the copy put on each of its added lines
    if not _is_blank(doubling):
        return False
    for index in lines.indexes_from(0):
        line = text[index]
        if index % 2:
            if line != doubling:
                return False  # a line where the doubling's empty line would be: not doubled
        elif header_end is not None:
            if fields < _DOUBLE_SPACED_FIELDS:
                return False  # too few fields before the header's end: the rest need not be read
        else:
            if line and _is_blank(line):
                if white_line is None:
                    white_line = index
                continue
            if white_line is not None:
                if line and (_is_field(line) or line[:1] in (b" ", b"\t")):
                    white_line = None  # a fold of white space only: the header goes on
                else:
                    header_end = white_line
                    continue
            if not line:
                header_end = index
            elif fields < _DOUBLE_SPACED_FIELDS and _is_field(line) and _names_a_header_field(line):
                fields += 1
    if header_end is None:
        header_end = white_line
    if fields < _DOUBLE_SPACED_FIELDS:
        return False
    doubled = len(text) // 2
    lines.text[:] = text[::2]
    lines.ends[:] = lines.ends[::2]
    if header_end is not None:
        lines.text[header_end // 2] = b""
    lines.reshape(f"removed the empty line after each of {doubled} line(s): the copy doubled every line break",
                  whole_paste=True)
    return True


# Fields every sending program writes (RFC 5322 section 3.6: From: and Date: are required,
# Message-ID: should be there; RFC 2045 section 4: MIME-Version: in every MIME message).
_ORIGIN_FIELDS = frozenset({b"from", b"date"})
_SENDER_FIELDS = _ORIGIN_FIELDS | {b"message-id", b"mime-version"}


def _drop_text_after_paste(lines: _Lines) -> None:
    """The asker's own words after a pasted header ("As you can see, ..."): not the message's
    body. Read as one, a part of a header was judged as a whole message ("No Date: ... scripts
    and bulk mailers", a Bcc recipient made up from an absent To:). Only in a paste (a clean-up
    already done) whose header is plainly a part: none of From:, Date:, Message-ID: and
    MIME-Version:, or neither From: nor Date: after text skipped before it; and only when the
    text after it is words, with no MIME structure (no Content-Type: or
    Content-Transfer-Encoding: in the header, no "--" boundary line) that a body would have."""
    if not lines.changed:
        return
    end = min(lines.header_block_end(), MAX_HEADER_FIELDS)
    if end == 0 or end >= len(lines.text) or not _is_field(lines.text[0]) or lines.blank_from(end):
        return
    names = {line.split(b":", 1)[0].strip().lower() for line in lines.text[:end]
             if line[:1] not in (b" ", b"\t") and _is_field(line)}
    if not (names.isdisjoint(_SENDER_FIELDS) or (lines.text_before and names.isdisjoint(_ORIGIN_FIELDS))):
        return
    if any(name.startswith(b"content-") for name in names):
        return
    first = next(i for i in lines.indexes_from(end) if not _is_blank(lines.text[i]))
    line = lines.text[first][:_MAX_SCAN_LINE].lstrip(b" \t")
    if line.startswith(b"--") or _words().match(line) is None:
        return
    shown = one_line(line[:200].decode("utf-8", "replace")[:40])
    lacking = ("From:, Date:, Message-ID: or MIME-Version:" if names.isdisjoint(_SENDER_FIELDS)
               else "From: or Date:")
    lines.split_all()
    note = (f"dropped the text after the pasted header (from \"{shown}\"): a note, not the message's body (the "
            f"header holds no {lacking} of a whole message)" + _dropped_fields(lines, end))
    del lines.text[end:], lines.ends[end:]
    lines.cleanups.append(note)


def _strip_trailing_blank_lines(lines: _Lines) -> None:
    """A headers paste that ends in blank lines has no body: the blank lines are not one."""
    end = _header_block_end(lines)
    if end >= len(lines.text) or not lines.blank_from(end):
        return
    lines.truncate(end, "removed blank lines after the headers (no body was pasted)")


_MAX_PART_STUB = 64 * 1024
"""Bytes after the header's empty line that are read as a part-header stub at most: Outlook keeps
a handful of lines per part (a message with hundreds of attachments stays under it); a longer
body is read as a body, as before."""
# A part's header field, as Exchange keeps them in the stub: the MIME part fields (RFC 2045
# section 9: "Content-" fields; MIME-Version may be repeated in a part), nothing a part's content
# could be (a line of text, another field a client might show).
_part_field = compiled_on_first_use(rb"(?i)(?:content-[\x21-\x39\x3b-\x7e]+|mime-version)[ \t]*:")
# A multipart Content-Type value, and its boundary parameter (RFC 2046 section 5.1.1: 1 to 70
# characters, quoted when it holds a tspecial). An RFC 2231 "boundary*" is not read: such a body
# is kept as a body, as before.
_multipart_type = compiled_on_first_use(rb"(?i)[ \t]*multipart/")
_boundary_parameter = compiled_on_first_use(rb'(?i);[ \t]*boundary[ \t]*=[ \t]*(?:"([^"\\]{1,70})"|([^ \t;"]{1,70}))')


def multipart_boundary(header_lines: list[bytes]) -> bytes | None:
    """The boundary of the multipart Content-Type among a header's lines (its folds joined), or
    None: no Content-Type, more than one (which one a reader takes differs), or not multipart."""
    found: bytes | None = None
    count = 0
    for index, line in enumerate(header_lines):
        if line[:13].lower() != b"content-type:":
            continue
        count += 1
        value = line[13:_MAX_SCAN_LINE]
        for fold in header_lines[index + 1:]:
            if fold[:1] not in (b" ", b"\t") or len(value) > _MAX_SCAN_LINE:
                break
            value += fold[:_MAX_SCAN_LINE]
        match = _boundary_parameter().search(value) if _multipart_type().match(value) else None
        found = None if match is None else (match.group(1) or match.group(2)).rstrip(b" ")
    return found if count == 1 else None


def mime_part_stub(header_lines: list[bytes], body: bytes, *, outlook: bool) -> bool:
    """Whether ``body``, the text after a header's empty line, holds only the MIME boundary lines
    and part header fields of the message's multipart body, with no content: the stub Outlook's
    "Internet headers" (PidTagTransportMessageHeaders, MS-OXPROPS) keep of the body, which a
    paste of them or a .msg (msg.py) carries. Each part's header fields are followed by the empty
    line that ends them and then the next boundary line: RFC 2046 section 5.1.1 gives that empty
    line's CR LF to the boundary, so no part has a body at all (a part whose content is empty has
    a second empty line: a real message with empty parts is no stub). ``outlook``: the text is
    known to be Outlook's (its banner, or a .msg's transport headers): any number of blank lines
    may end a part's fields. The boundaries are the header's multipart one (multipart_boundary)
    and those its parts declare; the body starts at one of them; after a closing boundary only
    another boundary line or blank lines may follow. A body over _MAX_PART_STUB bytes is none."""
    if not body.startswith(b"--") or len(body) > _MAX_PART_STUB:
        return False
    if _first_part_has_content(body):
        return False
    top = multipart_boundary(header_lines)
    if top is None:
        return False
    boundaries = {top}
    lines = body.splitlines()
    index, count = 0, len(lines)
    while index < count:
        line = lines[index].rstrip(b" \t")  # RFC 2046: transport padding after a boundary
        if not line.startswith(b"--"):
            return False
        if line.endswith(b"--") and line[2:-2] in boundaries:
            index += 1
            if all(not other.strip(b" \t") for other in lines[index:]):
                return True
            while outlook and not lines[index].strip(b" \t"):
                index += 1
            if not lines[index].startswith(b"--"):  # only another boundary (a nested one's end)
                return False
            continue
        if line[2:] not in boundaries:
            return False
        index += 1
        fields_start = index
        while index < count and (_part_field().match(lines[index][:_MAX_SCAN_LINE]) is not None or (
                index > fields_start and lines[index][:1] in (b" ", b"\t") and lines[index].strip(b" \t"))):
            index += 1
        if index == fields_start:
            return False  # a part with no field: the lines after its boundary are content
        if index == count:
            return True  # the stub stops after a part's fields
        inner = multipart_boundary(lines[fields_start:index])
        if inner is not None:
            boundaries.add(inner)
        blank = index
        while index < count and not lines[index].strip(b" \t") and (outlook or not lines[index]):
            index += 1
        if index == blank or (not outlook and index - blank != 1 and index < count):
            return False  # no empty line ends the fields, or a second one: the part has content
    return True


def _first_part_has_content(body: bytes) -> bool:
    """True when ``body`` (that starts with a boundary line) holds a line of content after the
    first empty line and the blank lines after it, which no stub has (mime_part_stub): most
    bodies that start with a boundary are a real message's first part, its fields, an empty line
    and its content, rejected here without splitting the body into lines. Only decided when no
    bare CR ends a line before that empty line (so it is the first empty line bytes.splitlines
    gives); False when unsure (tests/test_outlook_part_stub.py compares both ways)."""
    blank = _header_end().search(body)
    if blank is None or body.count(b"\r", 0, blank.start() + 1) != body.count(b"\r\n", 0, blank.start() + 1):
        return False
    after = _BLANK_LINES.match(body, blank.end())
    rest = blank.end() if after is None else after.end()
    return rest < len(body) and not body.startswith(b"--", rest) and _BLANK_REST.fullmatch(body, rest) is None


_PART_STUB_REMOVED = ("removed the MIME boundary and part header lines after the header ({count} line(s), no part "
                      "content): Outlook's 'Internet headers' keep them in place of the body, which the paste "
                      "does not hold")


def _drop_part_header_stub(lines: _Lines) -> None:
    """A header pasted from Outlook's "Internet headers" box, followed by its stub of the body
    (mime_part_stub): a header alone, as the box's text without the stub is read. Read as a body
    it was a body that changed after signing (DKIM "body changed", a receiver's recorded pass
    "modified after delivery"). The stub is Outlook's for sure after its banner line; without one
    only a stub with no part content at all is taken for it."""
    end = lines.header_block_end()
    if end == 0 or not lines.has(end + 1) or not lines.text[end + 1].startswith(b"--"):
        return
    pieces: list[bytes] = []
    size = 0
    for index in lines.indexes_from(end + 1):
        size += len(lines.text[index]) + len(lines.ends[index])
        if size > _MAX_PART_STUB:
            return
        pieces.append(lines.text[index])
        pieces.append(lines.ends[index])
    if not mime_part_stub(lines.text[:end], b"".join(pieces), outlook=lines.format == "outlook-internet-headers"):
        return
    count = len(lines.text) - end - 1
    del lines.text[end:], lines.ends[end:]
    # The header's own lines are not changed (its bytes stay exact): lines around it went.
    lines.changed = True
    lines.cleanups.append(_PART_STUB_REMOVED.format(count=count))


def _content_type_is_message(lines: _Lines, end: int) -> bool:
    return any(line[:13].lower() == b"content-type:" and _message_content_type().match(line)
               for line in lines.text[:end])


def _is_microsoft(lines: _Lines, end: int) -> bool:
    """A header line starts with one of _MICROSOFT_FIELDS (any case)."""
    # One C-level join, lower and search per name, not a Python step per line (a header of a
    # million lines paid it twice). A line holds no LF, so a name at the block's start or after
    # a LF is at a line's start; no name is longer than the 24 bytes a line was read by.
    block = join_bounded(b"\n", lines.text[:end]).lower()
    return any(block.startswith(name) or block.find(b"\n" + name) >= 0 for name in _MICROSOFT_FIELDS)


def _looks_binary(data: bytes) -> bool:
    # bytes.find, not ``in``: ``in`` first tries the operand as an integer (a failed conversion
    # that raises and clears an exception), and the range needs no copy of the first bytes.
    if data.startswith(_OLE_MAGIC) or compression(data) is not None:
        return True
    if data.find(b"\x00", 0, _BINARY_WINDOW) < 0:
        return False
    # A NUL byte alone does not make binary data: broken clients write one into a field, and
    # 8BITMIME/BINARYMIME bodies (RFC 6152, RFC 3030) carry them. As file(1) does, look at the
    # shape: text that starts as a message does (a header field, or an mbox "From " line) and
    # is mostly not control bytes is read; anything else with a NUL stays refused.
    start = data[:_BINARY_WINDOW]
    lead = len(start) - len(start.lstrip(b" \t\r\n"))
    line = start[lead:].split(b"\n", 1)[0].rstrip(b"\r")
    if not (_is_field(line) or _MBOX_FROM.match(line[:_MAX_SCAN_LINE])):
        return True
    if not _control_heavy(start):
        return False
    # The body is not the header: an 8BITMIME/BINARYMIME body (RFC 6152, RFC 3030; a
    # Content-Transfer-Encoding: binary part, RFC 2045 section 6.2) or a run of NULs a crashed
    # client left may fill the window, yet the message is read for its header. So the share is
    # also taken over the header block alone (up to its first empty line, RFC 5322 section 2.1):
    # text there is a message. Without an empty line in the window, the block is the window.
    blank = _first_empty_line().search(start, lead)
    return blank is None or _control_heavy(start[:blank.start()])


def _control_heavy(text: bytes) -> bool:
    """More than the share of control bytes text has (see _MAX_CONTROL_SHARE)."""
    return len(text) - len(text.translate(None, _CONTROL_BYTES)) > len(text) * _MAX_CONTROL_SHARE


# The empty line that ends a header block, with any line end: LF, CR LF, or a bare CR (old Mac
# text, which _fix_line_ends reads later); "CR CR LF" is one line end written twice over, no
# empty line.
_first_empty_line = compiled_on_first_use(rb"\n\r?\n|\r\r(?!\n)")


# How much of the input the binary test looks at, and the share of control bytes (C0 but
# tab, line ends, form feed and ESC, which ISO-2022-JP text uses; and DEL) beyond which text
# that starts like a message is still binary: a compressed or random stream has about 11%.
_BINARY_WINDOW = 4096
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_MAX_CONTROL_SHARE = 0.3


# The signatures that open a compressed file (gzip: RFC 1952 section 2.3.1; zstd: RFC 8878
# section 3.1.1; xz, zip, bzip2: their formats' magic numbers). None can start the text of a
# message: each has a control or non-ASCII byte in its first four, or (bzip2) is "BZh", a block
# size digit and the magic of a block ("1AY&SY") or of the end of the stream.
_COMPRESSED = (
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"PK\x03\x04", "zip"),
)
# The command that writes each one's content to standard output, for the hint.
_DECOMPRESS = {"gzip": "zcat", "bzip2": "bzcat", "xz": "xzcat", "zstd": "zstdcat", "zip": "unzip -p"}
_SCAN_READS = frozenset({"gzip", "bzip2", "xz"})
_bzip2 = compiled_on_first_use(rb"BZh[1-9](?:1AY&SY|\x17rE8P\x90)")  # a first block, or the end of an empty stream
# Their first bytes: a message (a header field name, a paste) rarely starts with one, so one
# set lookup answers for almost every input.
_COMPRESSED_FIRST = frozenset({b"\x1f", b"\xfd", b"\x28", b"P", b"B"})


def compression(data: bytes) -> str | None:
    """The compression format ``data`` starts with (gzip, bzip2, xz, zstd, zip), or None."""
    if data[:1] not in _COMPRESSED_FIRST:
        return None
    for magic, name in _COMPRESSED:
        if data.startswith(magic):
            return name
    return "bzip2" if _bzip2().match(data) else None


def _binary_reason(data: bytes) -> str:
    """Why binary ``data`` is not a message, in words a user can act on."""
    name = compression(data)
    if name is not None:
        reason = f"{name}-compressed data, not the text of a message: decompress it first ({_DECOMPRESS[name]} FILE)"
        # The formats of Python's own decompressors, which `headerscope scan` reads as they are.
        return reason + ", or give the file to headerscope scan" if name in _SCAN_READS else reason
    return "binary data, not the text of a message"


def load_bytes(data: bytes, source: str = "api", *, from_mail_store: bool = False,
               carried: bool = False, mbox_quoting: bool | None = None) -> LoadedInput:
    """Normalise a paste into message bytes; never raises.

    ``from_mail_store``: the bytes are a message a mail store wrote (a Maildir file, a mailbox's
    entry), whole by construction, not a file a person saved, standard input, the clipboard or a
    part of another message: a header alone that ends inside a field with no line end is then a
    message cut off (format ``cut-off``), not a paste. (A header pasted into an editor and saved
    often lacks its last line end: such a file stays a paste.)
    ``carried``: the bytes are a part of another message (load_carried). Neither a mail store's
    message nor a carried one is a paste, so neither gets a pasted body (_pasted_body).
    ``mbox_quoting``: the bytes are an mbox entry as its mailbox stores it, its separator line
    taken off by the caller (scan's reader): True when its writer may have quoted "From " lines,
    False when it quoted none (mboxcl2, its Content-Length borne out) or the entry has no quoted
    line at all. None: the loader judges, an entry whose separator line it removed being one whose
    writer may have quoted (LoadedInput.mbox_quoted).
    """
    digest = hashlib.sha256(data).hexdigest()
    try:
        loaded = _load(data, source, digest, from_mail_store=from_mail_store, carried=carried)
        if mbox_quoting is not False and (mbox_quoting or loaded.format == "mbox-entry") and loaded.has_body \
                and loaded.unreadable is None and _mbox_quoted_body(loaded.data):
            loaded = replace(loaded, mbox_quoted=True)
        return loaded
    except Exception as exc:  # noqa: BLE001 - a loader bug must not cost the user the report
        return LoadedInput(data=data, source=source, sha256=digest, size=len(data), format="unknown",
                           cleanups=(f"the input could not be cleaned up ({type(exc).__name__}); read as is",),
                           has_body=b"\n\n" in data or b"\r\n\r\n" in data, byte_exact=True)


def _mbox_quoted_body(data: bytes) -> bool:
    """Whether a line of the message's body, as auth._dkimpy splits it off at the first empty
    line, starts with ">From ", ">>From "... (RFC 4155 section 2 quoting). (A loaded message never
    starts with an empty line: the loader removes blank lines before it.)"""
    blank = _header_end().search(data)
    return blank is not None and _quoted_from_line().search(data, blank.end() - 1) is not None


def _load_msg(original: bytes, result: Callable[..., LoadedInput]) -> LoadedInput:
    """An Outlook .msg: the transport headers and decoded body, never byte-exact."""
    from .msg import HEADERS_ALONE, MsgError, read_msg

    try:
        data, read = read_msg(original)
    except MsgError as exc:
        return result(original, "unknown", [str(exc)], False, unreadable=str(exc))
    # A damaged .msg read for its transport headers alone has no body to check.
    has_body = not read.notes[0].startswith(HEADERS_ALONE)
    return replace(result(data, "msg", list(read.notes), has_body, exact_note=_MSG_NOTE), msg_read=read,
                   uncheckable_body=msg_uncheckable_body(read))


_MSG_NOTE = "rebuilt from an Outlook .msg, which does not keep the original MIME bytes"


def msg_uncheckable_body(read: MsgRead) -> UncheckableBody:
    """What a .msg's rebuild of one message keeps: Outlook's decoded text for the body; and, when it
    attached embedded messages under a multipart header of its own, the header fields it wrote
    itself (msg.REWRITTEN_FIELDS) and the header it started from (MsgRead.received_header), whose
    own fields of those names a signature over them is verified with (auth.dkim, auth.arc)."""
    from .msg import REWRITTEN_FIELDS

    if read.received_header is None:
        return UncheckableBody("the decoded text Outlook keeps in a .msg")
    # Encoded as msg.read_msg encodes the rebuilt text, so the fields the two share are the same bytes.
    header = (read.received_header + "\n\n").replace("\n", "\r\n").encode("utf-8", errors="replace")
    return UncheckableBody("the decoded text Outlook keeps in a .msg", REWRITTEN_FIELDS, header)


def load_carried(carrier: LoadedInput, data: bytes, source: str) -> LoadedInput:
    """A message carried inside ``carrier`` (``analyze --attached N``, the report's line per
    attached message), loaded as load_bytes loads it; but a message embedded in an Outlook .msg,
    which the carrier's rebuild holds as a message/rfc822 part, is loaded as that .msg would be
    on its own: format ``msg``, with its own notes (never sent, no SMTP trace, its transport
    headers set aside, caps that applied), not as a paste of the rebuilt text. It is known by its
    rebuilt bytes' digest, so the part numbering of the carrier does not matter. A message carried
    in an Apple Mail .partial.emlx whose own parts Mail kept apart is such a copy too (_load_emlx)."""
    read = carrier.msg_read
    if read is None and carrier.uncheckable_body is not None and carrier.uncheckable_body.apple_mail_parts:
        # Carried in a .partial.emlx (or in a message carried in one): Mail keeps the attachments
        # of the messages attached to it apart too, so a message holding its placeholders is a
        # copy without them, as the file's own message is (_load_emlx).
        loaded = load_bytes(data, source=source, carried=True)
        if not loaded.has_body or loaded.unreadable:
            return loaded
        notes = [loaded.byte_exact_note] if loaded.byte_exact_note is not None else []
        had = len(notes)
        uncheckable_body = _parts_kept_apart(loaded.data, notes, partial=True)
        if len(notes) == had:
            return loaded  # it holds no placeholder of Mail's: whole as the sender wrote it
        return replace(loaded, byte_exact=False, byte_exact_note="; ".join(notes), uncheckable_body=uncheckable_body)
    if read is None or not read.embedded:
        return load_bytes(data, source=source, carried=True)
    digest = hashlib.sha256(data).hexdigest()
    item = next((item for item in read.embedded if item.digest == digest), None)
    if item is None:
        return load_bytes(data, source=source, carried=True)
    return LoadedInput(data=data, source=source, sha256=digest, size=len(data), format="msg", cleanups=item.notes,
                       has_body=True, byte_exact=False, byte_exact_note=_MSG_NOTE, msg_read=item,
                       uncheckable_body=msg_uncheckable_body(item))


def _emlx_message(original: bytes) -> tuple[bytes, str, bool] | None:
    """The message inside an Apple Mail .emlx, and what was removed around it; None when the
    input is not one (a first line of digits alone does not make one: the count must end the
    file or lead to the property list)."""
    count = _emlx_count_re().match(original)
    if count is None:
        return None
    start = count.end()
    end = start + int(count.group(1))
    if end == len(original) or (end < len(original) and _plist_start_re().match(original, end)):
        return original[start:end], ("Apple Mail's .emlx wrapping was removed: the byte-count line before the "
                                     "message and Mail's property list after it"), False
    # A count that does not fit (the file was edited by hand): the property list still ends it.
    plist = original.rfind(b"<?xml", start)
    if plist > start and _plist_end_re().search(original, plist):
        return original[start:plist], (f"Apple Mail's .emlx wrapping was removed; its byte count "
                                       f"({int(count.group(1))}) does not match the message "
                                       f"({plist - start} bytes before Mail's property list), "
                                       f"so the file was edited after Mail wrote it"), True
    return None


def _load_emlx(original: bytes, message: bytes, removed: str, edited: bool, source: str, digest: str) -> LoadedInput:
    """An Apple Mail .emlx: the message inside, loaded as any input, reported as the file's."""
    inner = _load(message, source, digest, emlx=False)  # one wrapping: a nested count line is the message's
    # Every reason the bytes are not the original ones is said: the copy's own (a re-spaced paste),
    # an edit after Mail wrote the file, and the parts Mail kept apart.
    notes = [note for note in (inner.byte_exact_note, "the .emlx was edited after Apple Mail wrote it: its byte "
                               "count does not match the message" if edited else None) if note is not None]
    uncheckable_body = None
    if inner.has_body and not inner.unreadable:
        uncheckable_body = _parts_kept_apart(inner.data, notes, _partial_emlx_name(source))
    count = _emlx_count_re().match(original)
    after = (count.end() if count is not None else 0) + len(message)
    note = "; ".join(notes) or None
    return LoadedInput(data=inner.data, source=source, sha256=digest, size=len(original),
                       format="unknown" if inner.unreadable else "emlx", cleanups=(removed, *inner.cleanups),
                       has_body=inner.has_body, byte_exact=note is None, recorded=inner.recorded,
                       byte_exact_note=note, unreadable=inner.unreadable, store_flags=_emlx_flags(original, after),
                       uncheckable_body=uncheckable_body)


def _parts_kept_apart(data: bytes, notes: list[str], partial: bool) -> UncheckableBody | None:
    """Add to ``notes`` (why the bytes are not the original ones) that Apple Mail kept parts of
    the message ``data`` in separate files, when it holds Mail's placeholders for them
    (mime.parts_kept_apart_by_apple_mail). The parts Mail stored apart are empty here: a DKIM
    body hash over them cannot match. The UncheckableBody saying so when ``partial`` (the file's
    name, N.partial.emlx, is Mail's word that it cut the body) and nothing else made the copy
    differ; None otherwise."""
    # Mail writes the field in this case; the message is only parsed for it when it is there.
    if data.find(b"Apple-Content-Length") < 0:
        return None
    from .message import parse_message
    from .mime import parts_kept_apart_by_apple_mail

    stubs = parts_kept_apart_by_apple_mail(parse_message(data))
    if not stubs:
        return None
    uncheckable_body = None
    if partial and not notes:
        # Its header is Mail's copy of the one received: a signature's header fields still
        # verify, only its body hash cannot be checked (auth.dkim). The stub fields are text a
        # sender can write too, so alone (an N.emlx, standard input) they only make the copy not
        # byte-exact.
        uncheckable_body = UncheckableBody(
            f"Apple Mail's copy without the content of {stubs} part(s) (attachments) that Mail keeps in "
            "separate files (a .partial.emlx)", apple_mail_parts=True)
    notes.append(f"Apple Mail kept {stubs} part(s) of this message (attachments) in separate files "
                 "(a .partial.emlx), so their content is missing here and the body is not the one that was sent")
    return uncheckable_body


def _pasted_body(reshaping: list[str], fmt: str) -> UncheckableBody:
    """What the body of a paste the loader had to change to read is (LoadedInput.uncheckable_body).

    A paste is copied out of a mail program's "show original" view or a web page, which re-space
    and re-encode text as they show it (indentation, HTML character references, lost line ends):
    its header, once cleaned up, may be the one received, and a signature over it verifies; its
    body is no longer the signed bytes, so a DKIM or ARC body hash over it says nothing either way
    (auth.dkim._uncheckable_words). Given only when a clean-up that a copy of the whole message
    makes fire ran (_Lines.whole_paste_steps), or the input is Gmail's page: a step one line of the
    sender's fires would let a replayed signature over a swapped body, stored as received, read as
    unchecked. The clean-ups are named by their first words only: the rest quotes the paste (prose,
    list markers), which the input's own clean-ups show."""
    if fmt == "gmail-original" and not reshaping:
        return UncheckableBody("a copy of Gmail's 'Show original' web page, which a browser's copy may re-space")
    named = list(dict.fromkeys(_step_name(step) for step in reshaping))
    shown = "; ".join(named[:_STEPS_NAMED]) + (f"; and {len(named) - _STEPS_NAMED} more"
                                                if len(named) > _STEPS_NAMED else "")
    return UncheckableBody("a pasted copy, which a mail program's view or a web page re-spaces and re-encodes as "
                           f"it shows the message (this paste needed clean-up to be read: {shown})")


_STEPS_NAMED = 3
# Where a clean-up's words go on from its name to the details or the quoted text of the paste.
_step_details = compiled_on_first_use(r" \(|:| \"| '")


def _step_name(step: str) -> str:
    """A clean-up's first words: "removed 4 character(s) of indentation from the pasted lines",
    "decoded HTML character references"."""
    cut = _step_details().search(step)
    return (step[:cut.start()] if cut is not None else step)[:120]


def _partial_emlx_name(source: str) -> bool:
    """Whether ``source`` names a file as Apple Mail names a message whose attachments it keeps
    in separate files (``N.partial.emlx``, also with a compression suffix)."""
    name = source.replace("\\", "/").rpartition("/")[2].lower()
    for suffix in (".gz", ".bz2", ".xz", ".zst", ".zip"):  # as scan.readers.named_like_mail
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return name.endswith(".partial.emlx")


# The "flags" entry of an .emlx's property list: <key>flags</key> then an <integer> (or <real>).
_emlx_flags_re = compiled_on_first_use(rb"<key>flags</key>\s{0,64}<(?:integer|real)>([0-9]{1,20})(?:\.0+)?<")


def _emlx_flags(original: bytes, after: int) -> int | None:
    """Mail's flags number from the property list after the message (bounded: the list is a few
    hundred bytes; a message's own text, before ``after``, is never read for it)."""
    found = _emlx_flags_re().search(original[after:after + 65536])
    return int(found.group(1)) & 0xFFFFFFFF if found else None


_BLANK_LINES = re.compile(rb"(?:[ \t]*+(?:\r\n|\n|\r))*+")


def _cut_off(original: bytes, lines: _Lines) -> bool:
    """A header alone from a file that stops inside a field: the last line has no line end
    and no empty line follows the fields (RFC 5322 section 2.1: every line of a message ends
    in CRLF, and an empty line separates the header section from the body). A mail store and
    a saved message write both; a file that lacks them was cut off (a copy or a write that
    stopped). Only for bytes that needed no paste clean-up (the mbox separator aside): a file
    reshaped to be read holds a paste, and keeps that reading."""
    if original[-1:] in (b"\n", b"\r") or lines.reshaped:
        return False
    return all(cleanup == _MBOX_SEPARATOR_REMOVED for cleanup in lines.cleanups)


def _needs_no_cleanup(data: bytes) -> bool:
    """True when no line step of ``_load`` can change ``data``: an ordinary message.

    Called only when nothing before the line steps changed anything (no byte order mark, no
    line-end repair, no leading blank line). Each condition below is the trigger of one step
    read off that step, so when all hold, every step returns without a change and ``_load``
    answers "eml, unchanged, with a body" (the equivalence test in tests/test_loader.py runs
    both paths over every test input and the corpus). Anything unusual falls back to the full
    path, which stays the definition.

    - The header block ends within the first split chunk, at the first ``LF LF`` / ``LF CR LF``
      (``_Lines`` cuts its first piece there; its pieces end after a LF, so its lines are
      those of ``splitlines()``), and no earlier empty line (``CR CR`` etc.) exists: so the
      header lines the steps read are ``data[:first].splitlines()``, and the empty line after
      them is there, so ``has_body`` is True.
    - Line 0 is a header field (so it is neither blank nor indented: no leading-blank-line,
      common-indent or first-line-indent step applies) and is not Gmail's summary start, the
      mbox separator or Outlook's banner: the Gmail step stops at line 0, as do the others.
    - Fewer than two header lines can be empty-valued fields: not Outlook's properties layout.
    - The first non-blank line after the header block is not a header field: the header-group
      join stops there, and the body is not all blank, so trailing blank lines are never
      stripped (whatever the source or Microsoft fields) and ``_is_microsoft`` is not needed
      (``has_body`` is True).
    - The steps that act on pastes only (fields run together on one line, Markdown emphasis,
      text after a pasted header) need a header with no body or a clean-up already done; the
      conditions above give a body and no clean-up, so they do nothing here. The grid of the
      Message Header Analyzer and a list marker before a field are lines that are no field,
      so they are not line 0 here, and a later line only matters to ``_find_pasted_header``,
      which line 0 being a field stops.
    """
    first = _first_blank_line(data)
    if first < 0:
        return False
    cut = first + (2 if data[first + 1:first + 2] == b"\n" else 3)  # just after the blank line
    # ``_Lines``'s lines up to its first empty one, when that is the blank line at ``first``: a
    # CR before ``first`` ends the last line either way (CR LF, or a bare CR here).
    header = data[:first].splitlines()
    if not header or b"" in header:
        return False  # an empty line before the blank one ends the header block: not decided here
    line0 = header[0]
    block = data[:first]
    if not block.isascii() and any(mark in block for mark in _WEB_SPACES):
        return False  # a web page's non-breaking or zero-width spaces: _respace_web_text
    # (The block ends before the LF of its last line's CR LF when the blank line is CR LF.)
    # A block without a CR (one memchr) has neither a bare CR nor a CR LF to count.
    if block.find(b"\r") >= 0 and \
            block.count(b"\r") - (1 if block.endswith(b"\r") else 0) != block.count(b"\r\n"):
        return False  # a bare CR (a line end of its own)
    if _stray_or_time_fold_line().search(block) is not None:
        # A line that is no field and not folded: maybe a lost fold (_restore_lost_folds).
        return False
    if _html_escaped(block):
        return False  # HTML text: _unescape_html
    if (block[:1] == b"<" or block.find(b"\n<") >= 0) and _html_tag_line().search(block) is not None:
        return False  # maybe a header in a page's HTML source: _strip_html_markup
    if block.find(b"](http") >= 0 or block.find(b"](mailto:") >= 0:
        return False  # maybe a Markdown auto-link: _undo_markdown_autolinks
    if block.find(b"[/") >= 0:
        return False  # maybe a forum's BBCode: _undo_bbcode_links
    # As _restore_lost_folds reads the fields: with no folded line among them, a "name:" line
    # that reads as a field only because its fold lost its indentation is indented again.
    read = header[:MAX_HEADER_FIELDS]
    if not any(line[:1] in (b" ", b"\t") for line in read) and any(_folded_list(line) for line in read[1:]):
        return False
    if len(header) <= 12 and any(line[:5].lower() == b"sent:" for line in header):
        return False  # maybe Outlook's summary of a forwarded message: _find_pasted_header decides
    if (not _is_field(line0) or _GMAIL_START.match(line0.strip()[:_MAX_SCAN_LINE])
            or _MBOX_FROM.match(line0[:_MAX_SCAN_LINE])
            or line0.strip().lower() == b"microsoft mail internet headers version 2.0"):
        return False
    # As _rebuild_properties_layout counts its candidates.
    candidates = (line for line in header
                  if line[-1:] in (b":", b" ", b"\t") and _EMPTY_FIELD.match(line[:_MAX_SCAN_LINE]))
    if next(candidates, None) is not None and next(candidates, None) is not None:
        return False
    # The first non-blank line after the header block ("blank": spaces and tabs only).
    blank_lines = _BLANK_LINES.match(data, cut)  # always matches (possibly nothing)
    body = cut if blank_lines is None else blank_lines.end()
    if _BLANK_REST.fullmatch(data, body):
        return False  # nothing but blank lines after the headers
    # _FIELD matches no line end, so matching in place reads only that line's first bytes.
    return _FIELD.match(data, body, min(body + _MAX_SCAN_LINE, len(data))) is None


def _part_header_stub_after(data: bytes) -> bool:
    """For a paste _needs_no_cleanup passed: whether its body is Outlook's stub of one
    (mime_part_stub without its banner, which the fast path never has), which the full path
    drops (_drop_part_header_stub). Its header lines and body are those the full path reads:
    no line step changes such an input. Not asked of a mail store's message (the full path never
    drops its body), so a scan pays nothing for it."""
    first = _first_blank_line(data)
    cut = first + (2 if data[first + 1:first + 2] == b"\n" else 3)
    return data.startswith(b"--", cut) and len(data) - cut <= _MAX_PART_STUB and \
        mime_part_stub(data[:first].splitlines(), data[cut:], outlook=False)


def _first_blank_line(data: bytes) -> int:
    """Where the first blank line (LF LF, or LF CR LF) within the first split chunk starts (its
    first LF), or -1."""
    limit = min(_SPLIT_CHUNK, len(data))
    first = data.find(b"\n\n", 0, limit)
    # A LF CR LF before ``first`` lies within ``first + 2`` bytes: no need to search further.
    stop = limit if first < 0 else first + 2
    # It holds a CR: when none is there (one memchr; most stored mail has LF line ends), the
    # slower search for the three bytes is not needed.
    if data.find(b"\r", 0, stop) >= 0:
        crlf = data.find(b"\n\r\n", 0, stop)
        if crlf >= 0:
            first = crlf
    return first


def _load(original: bytes, source: str, digest: str, emlx: bool = True,
          from_mail_store: bool = False, carried: bool = False) -> LoadedInput:
    def result(data: bytes, fmt: str, cleanups: list[str], has_body: bool,
               recorded: tuple[RecordedResult, ...] = (), exact_note: str | None = None,
               unreadable: str | None = None, text_before: bytes = b"") -> LoadedInput:
        return LoadedInput(data=data, source=source, sha256=digest, size=len(original), format=fmt,
                           cleanups=tuple(cleanups), has_body=has_body, byte_exact=exact_note is None,
                           recorded=recorded, byte_exact_note=exact_note, unreadable=unreadable,
                           text_before=text_before.decode("utf-8", "replace"))

    if _ALL_WHITESPACE.match(original):
        return result(original, "unknown", [], False,
                      unreadable="empty: only white space" if original else "empty")
    if original.startswith(_OLE_MAGIC):
        return _load_msg(original, result)
    if emlx and original[:1].isdigit():
        inside = _emlx_message(original)
        if inside is not None:
            return _load_emlx(original, *inside, source=source, digest=digest)
    cleanups: list[str] = []
    reshaping: list[str] = []
    decoded, start = _decode_text_encodings(original, cleanups, reshaping)
    if _looks_binary(decoded):
        reason = _binary_reason(decoded)
        return result(original, "unknown", [f"the input is {reason}"], False, unreadable=reason)
    data = _fix_line_ends(decoded, cleanups, reshaping)
    start = _skip_leading_blank_bytes(data, start, cleanups)
    pasted = not from_mail_store and not carried
    looks_quoted_printable = False
    if pasted:  # a mail store's message, or a part of one, is as delivered: never a text part's copy
        data, looks_quoted_printable = _decode_quoted_printable(data, start, cleanups, reshaping)
    loaded = _load_text(original, data, start, cleanups, reshaping, source, result, from_mail_store, pasted)
    return replace(loaded, looks_quoted_printable=True) if looks_quoted_printable else loaded


def _load_text(original: bytes, data: bytes, start: int, cleanups: list[str], reshaping: list[str],
               source: str, result: Callable[..., LoadedInput], from_mail_store: bool, pasted: bool) -> LoadedInput:
    """The text's reading once its encodings are undone: as it is when it needs no clean-up, else
    the line steps (_load_lines)."""
    if not cleanups and start == 0 and data is original and _needs_no_cleanup(data) and \
            not (pasted and _part_header_stub_after(data)):
        # The header block ends at its first empty line (within the first split chunk, as
        # _needs_no_cleanup found); the body is never searched.
        block = data[:max(_first_blank_line(data), 0)]
        # The last line's CR LF ends at the blank line's LF: its CR is a line end, as the full
        # path's lines have it (a space before it is a trailing space).
        return result(original, "eml", cleanups, True,
                      exact_note=_respaced_by_copy(block[:-1] if block.endswith(b"\r") else block))
    return _load_lines(original, data, start, cleanups, reshaping, source, result, from_mail_store, pasted=pasted)


def _load_lines(original: bytes, data: bytes, start: int, cleanups: list[str], reshaping: list[str],
                source: str, result: Callable[..., LoadedInput], from_mail_store: bool = False,
                pasted: bool = False) -> LoadedInput:
    """The line steps: every clean-up of a paste (the full path). ``pasted``: the input may be a
    paste (not a mail store's message nor a part of another message), whose body is then a copy
    when a clean-up changed it (_pasted_body)."""
    lines = _Lines(data, start)
    lines.cleanups = cleanups
    lines.reshaping = reshaping
    lines.reshaped = bool(reshaping)
    # The clean-ups before the lines were read (UTF-16, doubled or bare CR line ends) act on the
    # whole input, which only a copy of it makes them do.
    lines.whole_paste_steps = list(reshaping)
    lines.changed = data is not original or start > 0

    _strip_gmail_summary(lines)
    _strip_leading_blank_lines(lines)
    _strip_mbox_separator(lines)
    _strip_outlook_banner(lines)
    _respace_web_text(lines)
    _rewrite_header_grid(lines)
    _find_pasted_header(lines)
    _strip_html_markup(lines)
    _remove_common_indent(lines)
    _remove_first_line_indent(lines)
    _remove_indent_after_first_line(lines)
    if pasted:  # a mail store's message, or a part of one, starts with a whole field
        _drop_leading_continuation(lines)
    _rebuild_properties_layout(lines)
    _join_header_groups(lines)
    _drop_elisions(lines)
    _split_run_together_fields(lines)
    _undo_markdown_autolinks(lines)
    _undo_bbcode_links(lines)
    _undo_markdown_emphasis(lines)
    _restore_lost_folds(lines)
    _split_missing_separator(lines)
    _unescape_html(lines)
    _blank_line_of_spaces(lines)
    _drop_text_after_paste(lines)
    if pasted:  # a mail store's message, or a part of one, is whole: its body is a body
        _drop_part_header_stub(lines)

    is_paste = lines.changed or source == "clipboard"
    end = _header_block_end(lines)
    # Read lazily (it scans every header line): most inputs are pastes, mbox entries or have
    # a body, and need no answer. Trailing blank lines removed below are after ``end``, so the
    # header lines it reads are the same whenever it is asked.
    microsoft_end = end
    if is_paste or lines.format is not None or _is_microsoft(lines, microsoft_end):
        _strip_trailing_blank_lines(lines)
    end = _header_block_end(lines)
    has_body = end < len(lines.text)

    exact_note = None
    respaced = _respaced_by_copy(join_bounded(b"\n", lines.text[:end]))
    if lines.reshaped:
        exact_note = "the input was changed to read it: " + "; ".join(lines.reshaping)
    elif lines.format == "gmail-original":
        # The table is only on the web page: the text was copied from a browser, which may
        # change white space and line ends (the downloaded original would be exact).
        exact_note = ("it was copied from Gmail's 'Show original' web page, not downloaded: a browser's "
                      "copy may change white space and line ends")
    elif respaced is not None:
        exact_note = respaced
    out = lines.join() if lines.changed else original
    if not lines.has(0) or not _is_field(lines.text[0]):
        if lines.format == "gmail-original" and lines.blank_from(0):
            # Its results would be compared with a message that is not there.
            return result(original, "unknown", lines.cleanups, False, unreadable=(
                "only the summary table of Gmail's 'Show original' page, not the message: copy the whole "
                "page, or use its 'Copy to clipboard' or 'Download original'"))
        return result(out, "unknown", lines.cleanups, has_body, tuple(lines.recorded), exact_note,
                      text_before=lines.skipped)
    fmt = lines.format
    if fmt is None or (fmt == "mbox-entry" and not has_body):
        if not has_body and from_mail_store and _cut_off(original, lines):
            fmt = "cut-off"
        elif not has_body:
            # A header a bounce or report carries (text/rfc822-headers, RFC 6522) is no paste
            # from Outlook, whatever Microsoft fields the returning server kept in it.
            fmt = "outlook-internet-headers" if pasted and _is_microsoft(lines, microsoft_end) \
                else "headers-only"
        elif fmt is None:
            fmt = "eml"
    loaded = result(out, fmt, lines.cleanups, has_body, tuple(lines.recorded), exact_note, text_before=lines.skipped)
    if pasted and has_body and fmt in ("eml", "gmail-original") and (lines.whole_paste_steps or fmt == "gmail-original"):
        loaded = replace(loaded, uncheckable_body=_pasted_body(lines.reshaping, fmt))
    if lines.starts_mid_field:
        loaded = replace(loaded, starts_mid_field=True)
    if lines.mbox_sender is not None and fmt == "mbox-entry":
        import dataclasses

        loaded = dataclasses.replace(loaded, mbox_sender=lines.mbox_sender)
    return loaded
