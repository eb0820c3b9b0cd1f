"""Split raw message bytes into ordered header fields and body bytes, losing nothing.

Only the header section is parsed (RFC 5322 section 2.2); the body stays raw bytes, since
DKIM hashes it byte for byte and nothing else in the analysis needs a MIME parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .model import HeaderField
from .text import decode_rfc2047

# RFC 5322 section 3.6.8: field-name is printable US-ASCII except colon.
_FIELD_NAME = re.compile(rb"^([\x21-\x39\x3b-\x7e]+)[ \t]*:")


@dataclass(frozen=True)
class Message:
    """A message as the checks see it: raw bytes, header fields in order, body bytes."""

    raw: bytes
    """The message bytes (after paste clean-up), exactly as handed to DKIM/ARC."""
    headers: tuple[HeaderField, ...]
    """Header fields, top first."""
    body: bytes | None
    """Body bytes, or None when the input had no body (headers-only paste)."""

    def all(self, name: str) -> list[HeaderField]:
        """Every field with this name (case-insensitive), top first."""
        lname = name.lower()
        return [h for h in self.headers if h.name.lower() == lname]

    def first(self, name: str) -> str | None:
        """Value of the topmost field with this name, or None."""
        lname = name.lower()
        for h in self.headers:
            if h.name.lower() == lname:
                return h.value
        return None

    def first_decoded(self, name: str) -> str | None:
        """Decoded (RFC 2047) value of the topmost field with this name, or None."""
        lname = name.lower()
        for h in self.headers:
            if h.name.lower() == lname:
                return h.decoded
        return None


def split_header_body(raw: bytes) -> tuple[bytes, bytes | None]:
    """Header section and body; body is None when there is no empty line."""
    if raw.startswith((b"\r\n", b"\n")):
        # An empty header section: everything is body.
        return b"", raw[2:] if raw.startswith(b"\r\n") else raw[1:]
    # The first empty line (LF or CRLF endings, mixed) ends the header section. bytes.find is
    # a plain scan; a regex with an optional leading CR is much slower on a 10 MB header.
    ends = [i for i in (raw.find(b"\n\n"), raw.find(b"\n\r\n")) if i >= 0]
    if not ends:
        return raw, None
    first_lf = min(ends)
    body_start = first_lf + (2 if raw[first_lf + 1:first_lf + 2] == b"\n" else 3)
    header_end = first_lf - 1 if first_lf > 0 and raw[first_lf - 1:first_lf] == b"\r" else first_lf
    # The line break belongs to the last header line; the body starts after the blank line.
    return raw[:header_end], raw[body_start:]


def _logical_lines(header_section: bytes) -> Iterator[bytes]:
    current: list[bytes] = []
    for line in header_section.splitlines():
        if line[:1] in (b" ", b"\t") and current:
            current.append(line)
            continue
        if current:
            yield b"\r\n".join(current)
        current = [line]
    if current:
        yield b"\r\n".join(current)


def _unfold(value: bytes) -> str:
    # RFC 5322 section 2.2.3: unfolding removes the CRLF before folding white space.
    text = value.decode("utf-8", errors="replace")
    return text.replace("\r\n", "").replace("\n", "").strip()


def parse_message(raw: bytes) -> Message:
    """Parse raw bytes into a Message; never raises, malformed lines become defects."""
    header_section, body = split_header_body(raw)
    headers: list[HeaderField] = []
    for index, line in enumerate(_logical_lines(header_section)):
        match = _FIELD_NAME.match(line)
        if match is None:
            text = _unfold(line)
            headers.append(
                HeaderField(index=index, name="", value=text, decoded=text,
                            defects=("not a header field (no name and colon)",))
            )
            continue
        name = match.group(1).decode("ascii")
        value = _unfold(line[match.end():])
        defects: tuple[str, ...] = ()
        if b"\xef\xbf\xbd" not in line and "\ufffd" in value:
            defects = ("bytes that are not UTF-8 (shown as \ufffd)",)
        decoded = decode_rfc2047(value)
        headers.append(HeaderField(index=index, name=name, value=value, decoded=decoded, defects=defects))
    return Message(raw=raw, headers=tuple(headers), body=body)
