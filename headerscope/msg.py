"""Outlook .msg files (OLE compound documents): rebuild a message from the transport headers.

A .msg is Outlook's own storage format, not the message as it travelled: it keeps the
transport headers (PR_TRANSPORT_MESSAGE_HEADERS) and the decoded body, but not the original
MIME bytes, so anything that hashes the body (DKIM's bh=) cannot be trusted on it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
from email.utils import format_datetime
from typing import Any

from ._value import Value, frozen

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class MsgError(Exception):
    """The .msg file could not be read (its str is a one-line reason)."""


def is_msg(data: bytes) -> bool:
    """True for an OLE compound document (the container of Outlook .msg files)."""
    return data[:8] == OLE_MAGIC


def _header_value(text: str | None) -> str:
    # Header values from properties must not smuggle extra header lines in.
    return " ".join((text or "").split())


# An OLE compound file is a header sector and at least two more (MS-CFB section 2.2): shorter
# input is no .msg, and extract_msg would take bytes that short for a file name.
_MINIMUM_OLE_SIZE = 1536
# Messages inside messages (a reported phish inside a report): this deep, then no further;
# this many inside one message, and this many in the whole file (20 per message 5 deep would
# be 3.2 million). Each cap that applies is said (a clean-up note, and ``--attached``'s error).
_MAX_EMBEDDED_DEPTH = 5
_MAX_EMBEDDED = 20
_MAX_EMBEDDED_IN_FILE = 100
# A property stream holds a header and 16 bytes per fixed-length property (MS-OXMSG section
# 2.4.2); a message has hundreds of properties. One far larger is no message's (2.6 million
# entries took extract_msg 30 s and 750 MB): the file is read for its transport headers alone.
_MAX_PROPERTIES = 16384
_MAX_PROPERTY_STREAM = 32 + 16 * _MAX_PROPERTIES
# The named-property map's entry stream (MS-OXMSG section 2.2.3.1.2) has 8 bytes per named
# property, which extract_msg reads all on opening: bounded the same way.
_MAX_NAMED_ENTRY_STREAM = 8 * _MAX_PROPERTIES
# Header fields describing the original MIME body: replaced when embedded messages are added
# (the body kept is the decoded text, not the original parts).
_BODY_FIELDS = ("content-type", "content-transfer-encoding")
REWRITTEN_FIELDS = ("mime-version", *_BODY_FIELDS)
"""The header fields (lower case) the rebuild of a .msg with embedded messages removes from its
transport headers and writes itself (its own MIME-Version and multipart Content-Type): a DKIM
or ARC signature over them is verified over the header as received (MsgRead.received_header)."""
_EMBEDDED_NOTE = "embedded message(s) rebuilt the same way and attached as message/rfc822 parts"
"""Words of the clean-up note of a .msg whose header fields REWRITTEN_FIELDS were rewritten."""
_BOUNDARY_PREFIX = "=_headerscope_msg_"
"""How the boundary of the multipart the rebuild writes begins (its own: a part of the body that
names it is still the sender's text, never taken for a rebuild)."""


@frozen
class MsgRead(Value):
    """What reading one message of a .msg did: the file's own message, or one embedded in it
    (rebuilt as a message/rfc822 part of the message that carries it)."""

    digest: str
    """SHA-256 (hex) of the message's rebuilt bytes, as its carrier's message/rfc822 part holds
    them: how ``analyze --attached N`` knows a part is this embedded message (loader.load_carried)."""
    notes: tuple[str, ...]
    """What was done to rebuild it, in words: the clean-up notes it gets as a .msg of its own."""
    embedded: tuple[MsgRead, ...] = ()
    """The messages embedded in it that were rebuilt, in order."""
    left_out: str = ""
    """Why messages embedded in it were not read (a cap on hostile input), in words; "" when
    every one was."""
    received_header: str | None = None
    """The header the rebuild started from (the transport headers as the .msg keeps them, LF line
    ends) when it replaced their REWRITTEN_FIELDS with its own to attach embedded messages; None
    when it kept the header whole. A signature over those fields is verified over this header
    (auth.dkim, auth.arc): the transport headers keep the original MIME fields verbatim."""


def msg_to_message(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """Message bytes rebuilt from a .msg, and what was done to get them (in words)."""
    rebuilt, read = read_msg(data)
    return rebuilt, read.notes


def read_msg(data: bytes) -> tuple[bytes, MsgRead]:
    """Message bytes rebuilt from a .msg, and what reading it did (its notes, and those of the
    messages embedded in it). MsgError, in words, when it cannot be read."""
    try:
        import extract_msg
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise MsgError(f"cannot read Outlook .msg files: {exc}") from None
    if len(data) < _MINIMUM_OLE_SIZE:
        raise MsgError(f"not a readable Outlook .msg file: {len(data)} bytes, too short for an OLE compound file")
    oversized = _oversized_stream(data)
    if oversized is not None:
        return _headers_alone(data, oversized, "not a readable Outlook .msg file")
    _install_header_reader()
    try:
        msg: Any = extract_msg.openMsg(data, delayAttachments=True)
    except Exception as exc:  # noqa: BLE001 - the library raises many kinds on damaged files
        return _headers_alone(data, _damage_words(exc), "not a readable Outlook .msg file")
    try:
        caps = _Caps()
        text, read = _rebuild(msg, 0, caps)
        return text.replace("\n", "\r\n").encode("utf-8", errors="replace"), read
    except Exception as exc:  # noqa: BLE001
        return _headers_alone(data, _damage_words(exc), "damaged Outlook .msg file")
    finally:
        # Closing a damaged file may fail too; the message bytes are already built.
        with contextlib.suppress(Exception):
            msg.close()


def _oversized_stream(data: bytes) -> str | None:
    """Why the file is too large to hand to extract_msg, in words (a property stream far larger
    than any message's, which it would read whole into millions of objects); None when it is not.
    Only the stream sizes in the OLE directory are read; a file olefile cannot open is left to
    extract_msg, which says what is wrong with it."""
    try:
        import olefile

        with olefile.OleFileIO(data) as ole:
            for path in ole.listdir(streams=True, storages=False):
                name = path[-1].lower()
                if name == "__properties_version1.0":
                    limit = _MAX_PROPERTY_STREAM
                elif name == "__substg1.0_00030102" and len(path) >= 2 and path[-2].lower() == "__nameid_version1.0":
                    limit = _MAX_NAMED_ENTRY_STREAM
                else:
                    continue
                size = ole.get_size(path)
                if size > limit:
                    what = "property stream" if limit == _MAX_PROPERTY_STREAM else "named-property map"
                    per = 16 if limit == _MAX_PROPERTY_STREAM else 8
                    return (f"its {what} {'/'.join(path)[:120]} is {size:,} bytes (about {size // per:,} "
                            f"properties, where a message has hundreds; at most {_MAX_PROPERTIES:,} are read)")
    except Exception:  # noqa: BLE001 - olefile raises many kinds on damaged files
        return None
    return None


class _Caps:
    """The embedded messages rebuilt so far in one file, and the caps that applied (in words)."""

    def __init__(self) -> None:
        self.rebuilt = 0
        self.applied: list[str] = []


# PR_TRANSPORT_MESSAGE_HEADERS as extract_msg names it (without its type suffix).
_TRANSPORT_PROPERTY = "__substg1.0_007D"
# The name of a header field at the start of a line (RFC 5322 section 3.6.8: printable US-ASCII
# but the colon), as a header stream that is text has at least one.
_FIELD_LINE = re.compile(r"(?m)^[!-9;-~]+[ \t]*:")
# A header field's name at the start of a line and the colon after it (RFC 5322 section 2.2;
# section 4.5.3's obsolete syntax allows white space before the colon).
_FIELD_NAME = re.compile(r"([!-9;-~]+)[ \t]*:")
# Characters judged, at most, when telling text from bytes that are not (enough to tell).
_SAMPLE = 65536
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")
_HEADER_NOTE = "_headerscope_header_note"


def _is_header_text(text: str) -> bool:
    """Whether decoded transport headers read as header fields: most characters US-ASCII (RFC
    5322 header fields are; RFC 6532 allows UTF-8 in values, a small part of a header), and a
    line that starts a field. Bytes decoded in the wrong byte order or encoding fail both: the
    UTF-16 of "From:" read with its bytes swapped is five CJK characters."""
    sample = text[:_SAMPLE]
    return 2 * len(sample.encode("ascii", "ignore")) >= len(sample) and _FIELD_LINE.search(sample) is not None


def _header_text_and_note(msg: Any) -> tuple[str | None, str | None]:
    """The transport headers of ``msg`` as text (None when it has none), and what was done to
    read them, in words (None when nothing was). A stream that is not text is set aside, so the
    message is rebuilt from its properties as one without transport headers, said in the note."""
    name = _TRANSPORT_PROPERTY + ("001F" if msg.areStringsUnicode else "001E")
    if not msg.exists(name):
        return None, None
    import olefile

    # _getOleEntry is extract_msg's own (0.48 to 0.57 at least): without it, a storage there
    # fails getStream as a damaged file, as before this check.
    ole_entry = getattr(msg, "_getOleEntry", None)
    if ole_entry is not None and ole_entry(name).entry_type != olefile.STGTY_STREAM:
        return None, ("its transport headers (PR_TRANSPORT_MESSAGE_HEADERS) are a storage where a stream belongs, "
                      "so they were set aside")
    raw = msg.getStream(name) or b""
    encoding = msg.stringEncoding
    try:
        text: str | None = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        text = None
    note = None
    unicode = encoding.replace("_", "-").lower() in ("utf-16-le", "utf-16le")
    if text is not None and text.startswith("\ufeff"):
        # A byte-order mark is no part of a PT_UNICODE string (MS-OXCDATA section 2.11.1: UTF-16LE).
        text, note = text[1:], "its transport headers began with a byte-order mark, which was removed"
    if text is not None and (not text.strip() or _is_header_text(text)):
        return text, note
    if unicode and len(raw) % 2 == 0:
        # PT_UNICODE is little-endian; a big-endian writer's stream reads as CJK characters.
        swapped = raw[2:] if raw.startswith(b"\xfe\xff") else raw
        with contextlib.suppress(UnicodeDecodeError):
            big_endian = swapped.decode("utf-16-be")
            if _is_header_text(big_endian):
                return big_endian, ("its transport headers (PR_TRANSPORT_MESSAGE_HEADERS) were stored as big-endian "
                                    "UTF-16, where Outlook writes little-endian, and were read as such")
    what = "UTF-16 text" if unicode else f"text in its code page ({encoding})"
    return None, (f"its transport headers (PR_TRANSPORT_MESSAGE_HEADERS, {len(raw):,} bytes) are not header "
                  f"fields in {what}, so they were set aside")


def _read_header_text(msg: Any) -> str | None:
    """extract_msg's ``headerText``, read by _header_text_and_note: extract_msg reads it while
    opening a message (and builds From, To, Date... from it), and its own reading fails on a
    header stream that is not UTF-16 or is a storage, losing the body and properties too."""
    text, note = _header_text_and_note(msg)
    vars(msg)[_HEADER_NOTE] = note
    return text


@functools.cache
def _install_header_reader() -> None:
    """Make extract_msg's messages read their transport headers with _read_header_text (once).
    extract_msg builds its message objects itself and has no option for this; a release that
    moves the class keeps its own reading (the set-aside notes are then not given)."""
    try:
        from extract_msg.msg_classes.message_base import MessageBase
    except ImportError:  # pragma: no cover - another layout of extract_msg
        return

    reader = functools.cached_property(_read_header_text)
    reader.__set_name__(MessageBase, "headerText")
    MessageBase.headerText = reader  # type: ignore[assignment]


HEADERS_ALONE = "Outlook .msg: damaged"
"""How the clean-up note of a damaged .msg read for its transport headers alone begins: the
loader analyses it as a header without a body."""

# PR_TRANSPORT_MESSAGE_HEADERS (PidTagTransportMessageHeaders, tag 0x007D) as a top-level
# property stream: PT_UNICODE (001F, UTF-16LE) or PT_STRING8 (001E, 8-bit) (MS-OXMSG section
# 2.1.3, MS-OXPROPS section 2.1067).
_TRANSPORT_STREAMS = (("__substg1.0_007D001F", "utf-16-le"), ("__substg1.0_007D001E", "utf-8"))
# Transport headers read at most (a long Received chain is tens of kilobytes).
_MAX_TRANSPORT_HEADERS = 8 * 1024 * 1024


def _damage_words(exc: Exception) -> str:
    """What went wrong, in words: a library's exception class means nothing to a reader."""
    if isinstance(exc, UnicodeDecodeError):
        return "a text property of the file is not valid text in its encoding"
    if isinstance(exc, OSError) and "not a stream" in str(exc):
        return "a property of the file is a storage where a stream belongs"
    if type(exc).__module__.startswith("olefile") or isinstance(exc, OSError):
        return "the file's OLE storage (its sectors or directory) is damaged"
    if type(exc).__module__.startswith("extract_msg"):
        # extract_msg's own exceptions say which part of the format is broken, in English.
        detail = " ".join(str(exc).split())[:160].rstrip(".")
        return f"a property stream of the file is damaged: {detail}" if detail else \
            "a property stream of the file is damaged"
    return "a property stream of the file is damaged"


def _headers_alone(data: bytes, words: str, what: str) -> tuple[bytes, MsgRead]:
    """The transport headers of a .msg extract_msg could not read, taken from their stream with
    olefile, with a note that says so; MsgError, in words, when they cannot be read either. One
    broken property (a named-property map, one UTF-16 string) need not cost the header.
    ``words``: what is wrong with the file."""
    try:
        import olefile

        with olefile.OleFileIO(data) as ole:
            header = ""
            for stream, encoding in _TRANSPORT_STREAMS:
                if ole.exists(stream) and ole.get_type(stream) == olefile.STGTY_STREAM:
                    raw = ole.openstream(stream).read(_MAX_TRANSPORT_HEADERS)
                    # Only the terminating NUL(s) a string stream may end with are dropped. A NUL
                    # inside the text stays, as the .eml path keeps it (shown as U+FFFD with the
                    # "NUL byte" header defect): removed, "service@paypal.com\0@evil.example"
                    # would read as another address with nothing said.
                    header = raw.decode(encoding, errors="replace").rstrip("\x00")
                    break
    except Exception:  # noqa: BLE001 - olefile raises many kinds on damaged files too
        header = ""
    header = header.replace("\r\n", "\n").strip("\n")
    if ":" not in header.partition("\n")[0]:
        raise MsgError(f"{what}: {words}, and its transport headers cannot be read either") from None
    note = (f"{HEADERS_ALONE} ({words}): only its transport headers (PR_TRANSPORT_MESSAGE_HEADERS) were read, "
            "straight from their stream, and are analysed as a header alone, without the body or attachments")
    rebuilt = header.replace("\n", "\r\n").encode("utf-8", errors="replace") + b"\r\n"
    return rebuilt, MsgRead(digest=hashlib.sha256(rebuilt).hexdigest(), notes=(note,))


NO_TRANSPORT_HEADERS = ("the .msg has no transport headers and its message flags say unsent (never sent, or "
                        "saved from Drafts): headers were rebuilt from its properties")
"""The clean-up note of a .msg that was never sent: no server's header fields are in it, and
its PR_MESSAGE_FLAGS carry MSGFLAG_UNSENT."""

NO_SMTP_TRACE = ("the .msg has no transport headers, but its message flags do not say unsent: it has no SMTP "
                 "trace (delivered inside one Exchange organisation without SMTP, or exported without its "
                 "headers): headers were rebuilt from its properties")
"""The clean-up note of a .msg without transport headers that is not flagged unsent: mail between
two mailboxes of one Exchange organisation travels over MAPI, not SMTP, and gets no transport
headers although it was delivered; so does an item some export tools write."""

# PR_MESSAGE_FLAGS (PidTagMessageFlags, tag 0x0E07, type PT_LONG 0x0003) and its MSGFLAG_UNSENT
# bit, set while "the message is still being composed" (MS-OXCMSG section 2.2.1.6, PidTagMessageFlags).
_PR_MESSAGE_FLAGS = "0E070003"
_MSGFLAG_UNSENT = 0x8


def _flagged_unsent(msg: Any) -> bool:
    """True only when the .msg's PR_MESSAGE_FLAGS are there and carry MSGFLAG_UNSENT; unknown
    flags (absent, unreadable) are not taken for a draft."""
    try:
        flags = msg.getPropertyVal(_PR_MESSAGE_FLAGS)
    except Exception:  # noqa: BLE001 - a damaged property stream reads as unknown flags
        return False
    return isinstance(flags, int) and not isinstance(flags, bool) and bool(flags & _MSGFLAG_UNSENT)


def _rebuild(msg: Any, depth: int, caps: _Caps) -> tuple[str, MsgRead]:
    """The text of one message (LF line ends): its transport headers, or headers rebuilt from
    its properties, its decoded body, and the messages embedded in it as message/rfc822 parts;
    and what was done, as the notes it gets as a .msg of its own (an embedded one at its
    ``--attached`` number)."""
    notes = ["Outlook .msg: rebuilt from its transport headers and decoded body; "
             "the original MIME bytes are not stored in a .msg, so DKIM body hashes cannot be checked"]
    header_text = getattr(msg, "headerText", None) or ""
    header_note = vars(msg).get(_HEADER_NOTE)
    if header_note:
        notes.append(header_note)
    # Lines of white space before the first field end no header: they go, as the line ends around
    # the text do (else the empty line below would set the whole header aside as body).
    header_text = _LEADING_BLANK_LINES.sub("", header_text.replace("\r\n", "\n")).strip("\n")
    header_text, _, after_header = header_text.partition("\n\n")
    if after_header.strip():
        # The header ends at its first empty line (RFC 5322 section 2.1); Exchange may store the
        # start of the original body after it (a multipart's first boundary and part header).
        # Read as a field it would put the rebuild's own MIME fields into the body.
        # Outlook's stub of a multipart body (its boundary lines and part header fields, no content)
        # is recognised as a paste of the "Internet headers" box's is (loader.mime_part_stub).
        from .loader import mime_part_stub

        stub = mime_part_stub(header_text.encode("utf-8", "replace").split(b"\n"),
                              after_header.encode("utf-8", "replace"), outlook=True)
        what = ("the original body's MIME boundary and part header lines, no part content" if stub
                else "the start of the original body")
        notes.append(f"its transport headers go on after an empty line ({after_header.count(chr(10)) + 1} "
                     f"line(s), {what}): the header is read up to it")
    if not header_text.strip():
        # White space alone is no header: read as an empty stream is.
        # Only the flags tell a draft from a delivered item without an SMTP trace: a missing
        # header stream alone would call mail inside one organisation "never sent".
        # A stream set aside (header_note) was there: "no SMTP trace" would explain its absence
        # wrongly (verification V24 D7); the note before says why it is not used.
        notes.append(NO_TRANSPORT_HEADERS if _flagged_unsent(msg) else
                     "headers were rebuilt from its properties" if header_note else NO_SMTP_TRACE)
        # Nothing was rebuilt from transport headers: the first note says from what it was.
        notes[0] = notes[0].replace("from its transport headers", "from its properties")
        lines = []
        for name, attr in (("From", "sender"), ("To", "to"), ("Cc", "cc"), ("Subject", "subject"),
                           ("Message-ID", "messageId")):
            value = _header_value(getattr(msg, attr, None))
            if value:
                lines.append(f"{name}: {value}")
        date = getattr(msg, "date", None)
        if date is not None:
            with contextlib.suppress(TypeError, ValueError):
                lines.append(f"Date: {format_datetime(date)}")
        header_text = "\n".join(lines)
    body = getattr(msg, "body", None) or ""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    body = body.replace("\r\n", "\n")
    embedded, left_out = _embedded_messages(msg, depth, caps)
    if not embedded:
        text = header_text + "\n\n" + body
        return text, _read(text, notes, (), left_out, depth, caps, None)
    # Outlook keeps an attached message (a bounce's returned mail, a reported phish) as a .msg
    # of its own inside this one: rebuilt the same way and attached as message/rfc822, so
    # ``--attached N`` and the report's list of carried messages see it.
    inner = [_rebuild(item, depth + 1, caps) for item in embedded]
    notes.append(f"its {len(inner)} {_EMBEDDED_NOTE} (the body kept is the decoded text; its "
                 "MIME-Version, Content-Type and Content-Transfer-Encoding fields are the rebuild's own)")
    boundary = f"{_BOUNDARY_PREFIX}{depth}_" + hashlib.sha256(
        "".join(text for text, _ in inner).encode("utf-8", "replace")).hexdigest()[:24]
    parts = [f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n{body}"]
    parts.extend(f"--{boundary}\nContent-Type: message/rfc822\n\n{text}" for text, _ in inner)
    text = (_without_body_fields(header_text) + f"\nMIME-Version: 1.0\nContent-Type: multipart/mixed; "
            f"boundary=\"{boundary}\"\n\n" + "\n".join(parts) + f"\n--{boundary}--\n")
    return text, _read(text, notes, tuple(read for _, read in inner), left_out, depth, caps, header_text)


def _read(text: str, notes: list[str], embedded: tuple[MsgRead, ...], left_out: str, depth: int,
          caps: _Caps, received_header: str | None) -> MsgRead:
    """The MsgRead of one rebuilt message; the file's own (depth 0) says every cap that applied
    anywhere in it, an embedded one those that applied to it. ``received_header``: the header
    the rebuild replaced the MIME fields of (MsgRead.received_header)."""
    if depth == 0:
        notes.extend(dict.fromkeys(caps.applied))
    elif left_out:
        notes.append(left_out)
    digest = hashlib.sha256(text.replace("\n", "\r\n").encode("utf-8", errors="replace")).hexdigest()
    return MsgRead(digest=digest, notes=tuple(notes), embedded=embedded, left_out=left_out,
                   received_header=received_header)


def _embedded_messages(msg: Any, depth: int, caps: _Caps) -> tuple[list[Any], str]:
    """The messages attached inside ``msg`` (attachment type MSG) to rebuild, in order, and why
    any others were not read, in words ("" when none was left out)."""
    found: list[Any] = []
    more = 0
    for attachment in list(getattr(msg, "attachments", None) or []):
        with contextlib.suppress(Exception):  # a damaged attachment is passed over
            data = attachment.data
            if hasattr(data, "headerText") and hasattr(data, "body"):
                if depth < _MAX_EMBEDDED_DEPTH and len(found) < _MAX_EMBEDDED \
                        and caps.rebuilt < _MAX_EMBEDDED_IN_FILE:
                    found.append(data)
                    caps.rebuilt += 1
                else:
                    more += 1
    if not more:
        return found, ""
    if depth >= _MAX_EMBEDDED_DEPTH:
        why = (f"{more} message(s) embedded {depth + 1} levels deep were not read: headerscope reads messages "
               f"embedded {_MAX_EMBEDDED_DEPTH} levels deep at most")
        caps.applied.append(f"messages embedded more than {_MAX_EMBEDDED_DEPTH} levels deep were not read "
                            "(a cap on hostile input)")
    elif len(found) >= _MAX_EMBEDDED:
        why = (f"{more} more embedded message(s) were not read: headerscope reads the first {_MAX_EMBEDDED} "
               "embedded in one message")
        caps.applied.append(f"{more} of the {len(found) + more} messages embedded in one message were not read: "
                            f"headerscope reads the first {_MAX_EMBEDDED} (a cap on hostile input)"
                            if depth == 0 else
                            f"some embedded messages were not read: headerscope reads the first {_MAX_EMBEDDED} "
                            "embedded in one message (a cap on hostile input)")
    else:
        why = (f"{more} more embedded message(s) were not read: headerscope reads {_MAX_EMBEDDED_IN_FILE} embedded "
               "messages in one file at most")
        caps.applied.append(f"embedded messages past the file's first {_MAX_EMBEDDED_IN_FILE} were not read "
                            "(a cap on hostile input)")
    return found, why


def _without_body_fields(header_text: str) -> str:
    """The header without the fields that described the original body (and their folds), read as
    RFC 5322 section 2.2 reads a header: a field starts with its name and a colon, a line that
    starts with white space continues the field above, and the header ends at the first empty
    line (section 2.1). A line that is neither a field nor a fold is no field: it is kept, and
    does not change which field the folds after it continue (auth._dkimpy reads them as the
    field above's, so a signed field keeps them: a colon-less "Content-Type" line took them)."""
    kept: list[str] = []
    skipping = False
    lines = header_text.split("\n")
    for index, line in enumerate(lines):
        if not line:
            # What follows the header's end is no field of it (the rebuild keeps it as it was).
            kept.extend(lines[index:])
            break
        if line[:1] in (" ", "\t"):
            if not skipping:
                kept.append(line)
            continue
        field = _FIELD_NAME.match(line)
        if field is None:
            kept.append(line)
            continue
        skipping = field.group(1).lower() in REWRITTEN_FIELDS
        if not skipping:
            kept.append(line)
    return "\n".join(kept)
