"""Small text helpers shared by the parsers and renderers."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import AnyStr

# Terminal escape sequences (CSI "ESC [ ... final" and OSC "ESC ] ... BEL|ST") are removed
# whole, so no parameter residue like "[2J" is left behind. Linear: no nested quantifiers.
# Compiled on first use (re caches it): most runs never meet an escape.
_ANSI = r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)?|\x9b[0-?]*[ -/]*[@-~]"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")

def compiled_on_first_use(pattern: AnyStr, flags: int = 0) -> Callable[[], re.Pattern[AnyStr]]:
    """A function returning the compiled pattern, compiled when first called, not at import.

    For patterns only a rare path needs: Python compiles a regex in pure Python (0.1 to 1 ms
    each), and ``headerscope analyze`` of a common message should not pay for the patterns it
    never uses. After the first call, each use costs one cached call."""

    @functools.cache
    def compiled() -> re.Pattern[AnyStr]:
        return re.compile(pattern, flags)

    return compiled


# Decoding is bounded: a value longer than this is shown as written.
MAX_DECODE_LENGTH = 64 * 1024


def strip_controls(text: str) -> str:
    """Remove control, bidi-override and zero-width characters (tab becomes a space)."""
    if "\x1b" in text or "\x9b" in text:
        text = re.sub(_ANSI, "", text)
    return _CONTROL.sub("", text.replace("\t", " "))


# The start of an encoded-word: "=?charset?Q?" or "=?charset?B?" (RFC 2047 section 2).
_encoded_word_start = compiled_on_first_use(r"=\?[^?\s]{1,75}\?[QqBb]\?")


def unterminated_encoded_word(value: str) -> bool:
    """Whether the value opens an encoded-word that never ends with "?=" (RFC 2047 section 2)."""
    for match in _encoded_word_start().finditer(value[:MAX_DECODE_LENGTH]):
        if value.find("?=", match.end()) < 0:
            return True
    return False


def decode_rfc2047(value: str) -> str:
    """Decode RFC 2047 encoded-words for display; the value as written when it cannot."""
    if "=?" not in value or len(value) > MAX_DECODE_LENGTH or not _ENCODED_WORD.search(value):
        return value
    from email.header import decode_header, make_header

    try:
        return str(make_header(decode_header(value)))
    except Exception:  # noqa: BLE001 - any decoding failure means "show as written"
        return value


# Nesting deeper than this is kept as plain text: comments nest (RFC 5322 section 3.2.2), but
# no real header needs more, and a bound keeps hostile input cheap.
MAX_COMMENT_DEPTH = 64


def read_comment(value: str, start: int) -> tuple[str, int]:
    """Read the (possibly nested) RFC 5322 comment opening at ``start``: its text (nested
    parentheses kept, quoted-pairs undone, nesting beyond a bound dropped) and the index just
    after its closing parenthesis, or -1 when it never closes. Linear in the comment length."""
    depth = 0
    i = start
    n = len(value)
    out: list[str] = []
    while i < n:
        ch = value[i]
        if ch == "\\" and i + 1 < n:
            out.append(value[i + 1])
            i += 2
            continue
        if ch == "(":
            depth += 1
            if depth > 1 and depth <= MAX_COMMENT_DEPTH:
                out.append(ch)
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return "".join(out), i + 1
            if depth < MAX_COMMENT_DEPTH:
                out.append(ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out), -1
