"""Outlook .msg files (OLE compound documents): rebuild a message from the transport headers.

A .msg is Outlook's own storage format, not the message as it travelled: it keeps the
transport headers (PR_TRANSPORT_MESSAGE_HEADERS) and the decoded body, but not the original
MIME bytes, so anything that hashes the body (DKIM's bh=) cannot be trusted on it.
"""

from __future__ import annotations

import contextlib
import hashlib
from email.utils import format_datetime
from typing import Any

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
# Messages inside messages (a reported phish inside a report): this deep, then no further.
_MAX_EMBEDDED_DEPTH = 5
_MAX_EMBEDDED = 20
# Header fields describing the original MIME body: replaced when embedded messages are added
# (the body kept is the decoded text, not the original parts).
_BODY_FIELDS = ("content-type", "content-transfer-encoding")


def msg_to_message(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """Message bytes rebuilt from a .msg, and what was done to get them (in words)."""
    try:
        import extract_msg
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise MsgError(f"cannot read Outlook .msg files: {exc}") from None
    if len(data) < _MINIMUM_OLE_SIZE:
        raise MsgError(f"not a readable Outlook .msg file: {len(data)} bytes, too short for an OLE compound file")
    try:
        msg: Any = extract_msg.openMsg(data, delayAttachments=True)
    except Exception as exc:  # noqa: BLE001 - the library raises many kinds on damaged files
        return _headers_alone(data, exc, "not a readable Outlook .msg file")
    try:
        notes = ["Outlook .msg: rebuilt from its transport headers and decoded body; "
                 "the original MIME bytes are not stored in a .msg, so DKIM body hashes cannot be checked"]
        text = _rebuild(msg, notes, depth=0)
        return text.replace("\n", "\r\n").encode("utf-8", errors="replace"), tuple(notes)
    except Exception as exc:  # noqa: BLE001
        return _headers_alone(data, exc, "damaged Outlook .msg file")
    finally:
        # Closing a damaged file may fail too; the message bytes are already built.
        with contextlib.suppress(Exception):
            msg.close()


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
    if type(exc).__module__.startswith("olefile") or isinstance(exc, OSError):
        return "the file's OLE storage (its sectors or directory) is damaged"
    if type(exc).__module__.startswith("extract_msg"):
        # extract_msg's own exceptions say which part of the format is broken, in English.
        detail = " ".join(str(exc).split())[:160].rstrip(".")
        return f"a property stream of the file is damaged: {detail}" if detail else \
            "a property stream of the file is damaged"
    return "a property stream of the file is damaged"


def _headers_alone(data: bytes, exc: Exception, what: str) -> tuple[bytes, tuple[str, ...]]:
    """The transport headers of a .msg extract_msg could not read, taken from their stream with
    olefile, with a note that says so; MsgError, in words, when they cannot be read either. One
    broken property (a named-property map, one UTF-16 string) need not cost the header."""
    words = _damage_words(exc)
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
    return header.replace("\n", "\r\n").encode("utf-8", errors="replace") + b"\r\n", (note,)


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


def _rebuild(msg: Any, notes: list[str], depth: int) -> str:
    """The text of one message (LF line ends): its transport headers, or headers rebuilt from
    its properties, its decoded body, and the messages embedded in it as message/rfc822 parts."""
    header_text = getattr(msg, "headerText", None) or ""
    header_text = header_text.replace("\r\n", "\n").strip("\n")
    if not header_text:
        if depth == 0:
            # Only the flags tell a draft from a delivered item without an SMTP trace: a missing
            # header stream alone would call mail inside one organisation "never sent".
            notes.append(NO_TRANSPORT_HEADERS if _flagged_unsent(msg) else NO_SMTP_TRACE)
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
    embedded = _embedded_messages(msg) if depth < _MAX_EMBEDDED_DEPTH else []
    if not embedded:
        return header_text + "\n\n" + body
    # Outlook keeps an attached message (a bounce's returned mail, a reported phish) as a .msg
    # of its own inside this one: rebuilt the same way and attached as message/rfc822, so
    # ``--attached N`` and the report's list of carried messages see it.
    inner = [_rebuild(item, notes, depth + 1) for item in embedded]
    if depth == 0:
        notes.append(f"its {len(inner)} embedded message(s) rebuilt the same way and attached as message/rfc822 "
                     "parts (the body kept is the decoded text)")
    boundary = f"=_headerscope_msg_{depth}_" + hashlib.sha256("".join(inner).encode("utf-8", "replace")).hexdigest()[:24]
    parts = [f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n{body}"]
    parts.extend(f"--{boundary}\nContent-Type: message/rfc822\n\n{text}" for text in inner)
    return (_without_body_fields(header_text) + f"\nMIME-Version: 1.0\nContent-Type: multipart/mixed; "
            f"boundary=\"{boundary}\"\n\n" + "\n".join(parts) + f"\n--{boundary}--\n")


def _embedded_messages(msg: Any) -> list[Any]:
    """The messages attached inside ``msg`` (attachment type MSG), in order."""
    found = []
    for attachment in list(getattr(msg, "attachments", None) or [])[:_MAX_EMBEDDED]:
        with contextlib.suppress(Exception):  # a damaged attachment is passed over
            data = attachment.data
            if hasattr(data, "headerText") and hasattr(data, "body"):
                found.append(data)
    return found


def _without_body_fields(header_text: str) -> str:
    """The header without the fields that described the original body (and their folds)."""
    kept: list[str] = []
    skipping = False
    for line in header_text.split("\n"):
        if line[:1] in (" ", "\t"):
            if not skipping:
                kept.append(line)
            continue
        name = line.partition(":")[0].strip().lower()
        skipping = name in _BODY_FIELDS or name == "mime-version"
        if not skipping:
            kept.append(line)
    return "\n".join(kept)
