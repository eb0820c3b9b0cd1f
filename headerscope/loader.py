"""Turn input bytes (a file, a pipe, a paste) into message bytes, saying what was cleaned.

Nothing is lost: when the input already is a message, its bytes are handed on unchanged (DKIM
hashes them byte for byte). Otherwise each clean-up is applied to a copy and reported in words:

- a UTF-8 byte order mark, or a UTF-16 text (PowerShell's ``Get-Clipboard > file``);
- ``CR CR LF`` (a Windows text box copying ``CRLF`` twice) and old-Mac bare ``CR`` line ends;
- leading blank lines, and indentation common to the whole header block (a paste quoted in a
  forum or a ticket); deeper indentation is kept, so folded lines stay folded;
- an mbox ``From `` separator line (``>From`` un-quoting is not done: that is the mailbox
  reader's job and applies to bodies of mbox entries only);
- the summary table Gmail's "Show original" page shows above the message; its SPF, DKIM and
  DMARC lines become recorded results (written by mx.google.com);
- Outlook's message-properties layout, ``Name:<TAB>`` with the value on the next line;
- blank lines between header fields and trailing blank lines of a headers-only paste
  (Outlook's "Internet headers" pane).

Every step is a linear pass over lines, so a 10 MB line or 100,000 header lines load fast.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .model import RecordedResult


@dataclass(frozen=True)
class LoadedInput:
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
    """eml, headers-only, gmail-original, outlook-internet-headers, outlook-properties, msg, mbox-entry, unknown."""
    cleanups: tuple[str, ...]
    """Each clean-up, in words."""
    has_body: bool
    """False when the input has no body."""
    byte_exact: bool
    """False when the bytes are not the original message."""
    recorded: tuple[RecordedResult, ...] = ()
    """Results read from a paste's surrounding page (Gmail's summary table)."""


# RFC 5322 section 2.2: field-name is printable US-ASCII except colon; obs-optional (section
# 4.5) allows white space before the colon.
_FIELD = re.compile(rb"[\x21-\x39\x3b-\x7e]+[ \t]*:")
# A field with an empty value: the properties-dialog layout puts the value on the next line.
_EMPTY_FIELD = re.compile(rb"[\x21-\x39\x3b-\x7e]+:[ \t]*\Z")
_EMPTY_FIELD_LINE = re.compile(rb"(?m)^[\x21-\x39\x3b-\x7e]+:[ \t]*$")
# mbox separator (RFC 4155): "From " then the envelope sender and a date.
_MBOX_FROM = re.compile(rb"From [^ \t:][^\r\n]*\Z")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Gmail "Show original" summary (the English page). The labels and the layout are Gmail's.
_GMAIL_START = re.compile(rb"(?i)(?:original message|message id\b.*)\Z")
_GMAIL_LABEL = re.compile(rb"(?i)(message id|created at|from|to|cc|bcc|subject|spf|dkim|dmarc|arc)\b[ \t]*:?[ \t]*(.*)\Z")
_GMAIL_ACTIONS = re.compile(rb"(?i)(download original|copy to clipboard)\b")
_GMAIL_RESULT = re.compile(rb"(?i)'?([a-z]+)'?(?:[ \t]+with[ \t]+(ip|domain)[ \t]+([^ \t]+))?")
_GMAIL_AUTH_LABELS = (b"spf", b"dkim", b"dmarc", b"arc")
_MAX_GMAIL_LINES = 40

# Header names that tell an Outlook / Exchange paste apart from other headers.
_MICROSOFT_FIELD = re.compile(rb"(?im)^(?:x-ms-exchange-|x-ms-has-attach|x-ms-tnef-correlator|x-ms-office365-)")
_MESSAGE_CONTENT_TYPE = re.compile(rb"(?im)^content-type:[ \t]*message/")

_MAX_SCAN_LINE = 4096
"""Lines longer than this are never matched against the paste patterns (they are values)."""


@dataclass
class _Lines:
    """The input as lines with their own line ends, so untouched lines keep their bytes."""

    text: list[bytes]
    ends: list[bytes]
    cleanups: list[str] = field(default_factory=list)
    changed: bool = False
    format: str | None = None
    recorded: list[RecordedResult] = field(default_factory=list)

    def drop_front(self, count: int) -> None:
        del self.text[:count]
        del self.ends[:count]
        self.changed = True

    def join(self) -> bytes:
        return b"".join(t + e for t, e in zip(self.text, self.ends, strict=True))


def _split_lines(data: bytes) -> _Lines:
    # bytes.splitlines splits on exactly CRLF, LF and CR (the line ends mail can have).
    text = data.splitlines()
    ends = [full[len(line):] for full, line in zip(data.splitlines(keepends=True), text, strict=True)]
    return _Lines(text, ends)


def _is_blank(line: bytes) -> bool:
    return not line.strip(b" \t")


def _is_field(line: bytes) -> bool:
    return _FIELD.match(line[:_MAX_SCAN_LINE]) is not None


def _indent(line: bytes) -> int:
    return len(line) - len(line.lstrip(b" \t"))


def _decode_text_encodings(data: bytes, cleanups: list[str]) -> bytes:
    """Undo a byte order mark or UTF-16 (an editor's or PowerShell's way of saving a paste)."""
    if data.startswith(codecs.BOM_UTF8):
        cleanups.append("removed a UTF-8 byte order mark at the start")
        return data[len(codecs.BOM_UTF8):]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return data
        cleanups.append("converted the text from UTF-16 to UTF-8 (a saved paste)")
        return text.encode("utf-8", errors="surrogateescape")
    return data


def _fix_line_ends(data: bytes, cleanups: list[str]) -> bytes:
    if b"\r\r\n" in data:
        # A Windows text box that turned each CRLF into CR CRLF: one line end was meant.
        data = data.replace(b"\r\r\n", b"\r\n")
        cleanups.append("repaired doubled line ends (CR CR LF became CR LF)")
    if b"\n" not in data and b"\r" in data:
        data = data.replace(b"\r", b"\r\n")
        cleanups.append("converted bare CR line ends (old Mac style) to CR LF")
    return data


_LEADING_BLANK_LINES = re.compile(rb"(?:[ \t]*(?:\r\n|\n|\r))+")


def _strip_leading_blank_bytes(data: bytes, cleanups: list[str]) -> bytes:
    """Blank lines before the message, removed before splitting (there may be a million)."""
    match = _LEADING_BLANK_LINES.match(data)
    if match is None:
        return data
    prefix = match.group()
    count = prefix.count(b"\n") + prefix.replace(b"\r\n", b"").count(b"\r")
    cleanups.append(f"removed {count} blank line(s) before the message")
    return data[match.end():]


def _strip_leading_blank_lines(lines: _Lines) -> None:
    count = 0
    while count < len(lines.text) and _is_blank(lines.text[count]):
        count += 1
    if count:
        lines.drop_front(count)
        lines.cleanups.append(f"removed {count} blank line(s) before the message")


def _strip_outlook_banner(lines: _Lines) -> None:
    # Outlook 2003-2007 start their "Internet headers" text with this line.
    if lines.text and lines.text[0].strip().lower() == b"microsoft mail internet headers version 2.0":
        lines.drop_front(1)
        lines.format = "outlook-internet-headers"
        lines.cleanups.append("removed Outlook's 'Microsoft Mail Internet Headers Version 2.0' line")


def _strip_mbox_separator(lines: _Lines) -> None:
    if lines.text and _MBOX_FROM.match(lines.text[0][:_MAX_SCAN_LINE]):
        lines.drop_front(1)
        lines.format = "mbox-entry"
        lines.cleanups.append("removed the mbox 'From ' separator line (RFC 4155)")


def _gmail_recorded(label: bytes, rest: bytes) -> RecordedResult | None:
    rest = rest.split(b"Learn more")[0].strip()
    match = _GMAIL_RESULT.match(rest)
    if match is None:
        return None
    properties: tuple[tuple[str, str], ...] = ()
    if match.group(2) and match.group(3):
        key = "smtp.client-ip" if match.group(2).lower() == b"ip" else "header.d"
        properties = ((key, match.group(3).decode("ascii", "replace").lower()),)
    return RecordedResult(
        header="gmail-summary", header_index=None, authserv_id="mx.google.com",
        method=label.decode("ascii").lower(), result=match.group(1).decode("ascii").lower(),
        properties=properties, reason=None, trusted=True)


def _strip_gmail_summary(lines: _Lines) -> None:
    """Remove Gmail's "Show original" table and keep its verdicts as recorded results."""
    start = None
    for i, line in enumerate(lines.text[:_MAX_GMAIL_LINES]):
        if _is_blank(line):
            continue
        if _GMAIL_START.match(line.strip()[:_MAX_SCAN_LINE]):
            start = i
            break
        if _is_field(line):
            return  # the message starts before any summary
    if start is None:
        return
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
        if _GMAIL_ACTIONS.match(line):
            saw_actions = True
            end += 1
            continue
        if saw_actions:
            break  # the message follows the "Download original" line
        match = _GMAIL_LABEL.match(line)
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
        return  # not Gmail's table after all
    lines.drop_front(end)
    lines.format = "gmail-original"
    lines.recorded.extend(results)
    lines.cleanups.append("removed the summary table of Gmail's 'Show original' page"
                          + (f" (its {len(results)} SPF/DKIM/DMARC line(s) kept as results recorded by "
                             "mx.google.com)" if results else ""))


def _header_block_end(lines: _Lines) -> int:
    try:
        return lines.text.index(b"")
    except ValueError:
        return len(lines.text)


def _remove_common_indent(lines: _Lines) -> None:
    # An indented paste's separator line often carries the indentation too: any blank line ends
    # the header block here.
    if not lines.text or _indent(lines.text[0]) == 0:
        return  # the common indentation is 0 when the first line has none
    end = next((i for i, line in enumerate(lines.text) if _is_blank(line)), len(lines.text))
    if end == 0:
        return
    indents = [_indent(line) for line in lines.text[:end] if not _is_blank(line)]
    common = min(indents) if indents else 0
    if common:
        # Remove up to `common` blanks from every line; deeper indentation stays a fold.
        for i, line in enumerate(lines.text):
            cut = min(common, _indent(line))
            if cut:
                lines.text[i] = line[cut:]
        lines.changed = True
        lines.cleanups.append(f"removed {common} character(s) of indentation from the pasted lines")


def _remove_first_line_indent(lines: _Lines) -> None:
    if not lines.text:
        return
    first = lines.text[0]
    if _indent(first) and _is_field(first.lstrip(b" \t")):
        # Only the first line is indented (copied from the middle of a line): it is not a fold.
        lines.text[0] = first.lstrip(b" \t")
        lines.changed = True
        lines.cleanups.append("removed the indentation of the first line")


def _rebuild_properties_layout(lines: _Lines) -> None:
    """Outlook's properties dialog: ``Name:<TAB>`` and the value alone on the next line."""
    end = _header_block_end(lines)
    candidates = _EMPTY_FIELD_LINE.finditer(b"\n".join(lines.text[:end]))
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
    lines.changed = True
    lines.format = "outlook-properties"
    lines.cleanups.append(f"rebuilt {pairs} header field(s) from Outlook's properties layout "
                          "(name and value on separate lines)")


def _join_header_groups(lines: _Lines, content_is_message: bool) -> None:
    """Blank lines between header fields in a headers-only paste (nothing but fields follows)."""
    end = _header_block_end(lines)
    if end >= len(lines.text) or content_is_message:
        return
    rest = lines.text[end:]
    if all(_is_blank(line) for line in rest):
        return
    # Every non-blank line after the first blank one must be a field or a fold of one.
    previous_field = False
    for line in rest:
        if _is_blank(line):
            continue
        if _is_field(line):
            previous_field = True
        elif line[:1] in (b" ", b"\t") and previous_field:
            continue
        else:
            return
    first_after = next(line for line in rest if not _is_blank(line))
    if not _is_field(first_after):
        return
    keep = [i for i in range(end, len(lines.text)) if not _is_blank(lines.text[i])]
    removed = len(lines.text) - end - len(keep)
    lines.text[end:] = [lines.text[i] for i in keep]
    lines.ends[end:] = [lines.ends[i] for i in keep]
    lines.changed = True
    lines.cleanups.append(f"removed {removed} blank line(s) between header fields (a headers paste)")


def _strip_trailing_blank_lines(lines: _Lines) -> None:
    """A headers paste that ends in blank lines has no body: the blank lines are not one."""
    end = _header_block_end(lines)
    if end >= len(lines.text) or not all(_is_blank(line) for line in lines.text[end:]):
        return
    del lines.text[end:]
    del lines.ends[end:]
    lines.changed = True
    lines.cleanups.append("removed blank lines after the headers (no body was pasted)")


def _content_type_is_message(lines: _Lines, end: int) -> bool:
    return _MESSAGE_CONTENT_TYPE.search(b"\n".join(lines.text[:end])) is not None


def _is_microsoft(lines: _Lines, end: int) -> bool:
    return _MICROSOFT_FIELD.search(b"\n".join(lines.text[:end])) is not None


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    return b"\x00" in head or data.startswith(_OLE_MAGIC)


def load_bytes(data: bytes, source: str = "api") -> LoadedInput:
    """Normalise a paste into message bytes; never raises."""
    digest = hashlib.sha256(data).hexdigest()
    try:
        return _load(data, source, digest)
    except Exception as exc:  # noqa: BLE001 - a loader bug must not cost the user the report
        return LoadedInput(data=data, source=source, sha256=digest, size=len(data), format="unknown",
                           cleanups=(f"the input could not be cleaned up ({type(exc).__name__}); read as is",),
                           has_body=b"\n\n" in data or b"\r\n\r\n" in data, byte_exact=True)


def _load_msg(original: bytes, result: Callable[..., LoadedInput]) -> LoadedInput:
    """An Outlook .msg: the transport headers and decoded body, never byte-exact."""
    from .msg import MsgError, msg_to_message

    try:
        data, notes = msg_to_message(original)
    except MsgError as exc:
        return result(original, "unknown", [str(exc)], False)
    # A fresh bytes object, so `byte_exact` (data is original) is False, as it must be.
    return result(data, "msg", list(notes), True)


def _load(original: bytes, source: str, digest: str) -> LoadedInput:
    def result(data: bytes, fmt: str, cleanups: list[str], has_body: bool,
               recorded: tuple[RecordedResult, ...] = ()) -> LoadedInput:
        return LoadedInput(data=data, source=source, sha256=digest, size=len(original), format=fmt,
                           cleanups=tuple(cleanups), has_body=has_body, byte_exact=data is original,
                           recorded=recorded)

    if not original.strip():
        return result(original, "unknown", [], False)
    cleanups: list[str] = []
    decoded = _decode_text_encodings(original, cleanups)
    if original.startswith(_OLE_MAGIC):
        return _load_msg(original, result)
    if _looks_binary(decoded):
        return result(original, "unknown", ["the input is binary, not the text of a message"], False)
    data = _strip_leading_blank_bytes(_fix_line_ends(decoded, cleanups), cleanups)
    lines = _split_lines(data)
    lines.cleanups = cleanups
    lines.changed = data != original

    _strip_gmail_summary(lines)
    _strip_leading_blank_lines(lines)
    _strip_mbox_separator(lines)
    _strip_outlook_banner(lines)
    _remove_common_indent(lines)
    _remove_first_line_indent(lines)
    _rebuild_properties_layout(lines)
    end = _header_block_end(lines)
    is_message_body = _content_type_is_message(lines, end)
    _join_header_groups(lines, is_message_body)

    is_paste = lines.changed or source == "clipboard"
    end = _header_block_end(lines)
    microsoft = _is_microsoft(lines, end)
    if is_paste or microsoft or lines.format is not None:
        _strip_trailing_blank_lines(lines)
    end = _header_block_end(lines)
    has_body = end < len(lines.text)

    out = lines.join() if lines.changed else original
    if not lines.text or not _is_field(lines.text[0]):
        return result(out, "unknown", lines.cleanups, has_body, tuple(lines.recorded))
    fmt = lines.format
    if fmt is None or (fmt == "mbox-entry" and not has_body):
        if not has_body:
            fmt = "outlook-internet-headers" if microsoft else "headers-only"
        elif fmt is None:
            fmt = "eml"
    return result(out, fmt, lines.cleanups, has_body, tuple(lines.recorded))
