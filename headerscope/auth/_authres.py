"""The one place that touches the ``authres`` library (RFC 8601 Authentication-Results parser).

authres is untyped, keeps a lazily built global for its "all features" context, and raises
its own ``SyntaxError`` (and, on deep comment nesting, ``RecursionError``) on real-world
input. This wrapper builds one feature context with every extension module at import time,
converts the parse into typed frozen values, and turns any library exception into
``AuthresParseError`` with the library's message, so callers can fall back to a tolerant
parse and record the defect.

authres drops comments (``spf=pass (sender IP is ...)``); the caller reads those itself.
Its parser rewrites the remaining text once per token (quadratic in the input length, and
most of the per-message cost of reading results). ``_PositionalHeader`` keeps authres's
grammar and methods but reads by position instead (a subclass used only here, no global
patching); callers still bound what they hand in (``MAX_STRICT_CHARS``). Parses are memoised
per distinct value (``ARC-Authentication-Results`` often repeats the A-R beside it, and a
mailbox repeats its receivers' fields), in a bounded cache.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from threading import Lock
from typing import Any

import authres
import authres.arc
import authres.dkim_adsp
import authres.dkim_b
import authres.dmarc
import authres.rrvs
import authres.smime
import authres.vbr

from .._value import Value, frozen

# Above this many characters authres becomes slow (quadratic re-scanning: ~0.13 s at
# 16 KB, ~2 s at 64 KB); longer values go to the caller's linear tolerant parser instead.
MAX_STRICT_CHARS = 8192

# Every method module authres ships (RFC 5617 ADSP, RFC 6008 header.b, RFC 6212 VBR,
# RFC 7489 DMARC, RFC 7281 S/MIME, RFC 7293 RRVS, RFC 8617 ARC), so their properties
# are recognised instead of rejected.
_FEATURES: Any = authres.FeatureContext(
    authres.dkim_b,
    authres.dkim_adsp,
    authres.vbr,
    authres.dmarc,
    authres.smime,
    authres.rrvs,
    authres.arc,
)


class _PositionalHeader(authres.core.AuthenticationResultsHeader):  # type: ignore[misc]
    """authres's header parser, reading by position instead of rewriting the remaining text.

    authres's ``_parse_pattern`` does ``re.sub('^' + pattern, '', rest, 1)`` for every token,
    copying the rest of the value each time. Here ``_parse_text`` is a view (``text[pos:]``)
    computed only where authres reads it (end check, pvalue look-ahead, error messages), and a
    pattern matches at ``pos``, which is the same anchored match on the same characters.
    """

    _text: str = ""
    _pos: int = 0

    @property
    def _parse_text(self) -> str:
        return self._text[self._pos:]

    @_parse_text.setter
    def _parse_text(self, value: str) -> None:
        self._text = value
        self._pos = 0

    def _parse_pattern(self, pattern: Any) -> Any:
        if not isinstance(pattern, str):
            # A precompiled pattern keeps authres's own (unanchored) semantics.
            rest = self._text[self._pos:]
            found = pattern.search(rest)
            if found is None:
                return None
            self._text, self._pos = rest[:found.start()] + rest[found.end():], 0
            return found
        regexp = _COMPILED.get(pattern)
        if regexp is None:
            # authres anchors with "^"; a match at pos is anchored the same way, so the
            # pattern's own leading "^" (some authres patterns have one) is dropped.
            regexp = re.compile(pattern[1:] if pattern.startswith("^") else pattern, re.I)
            _COMPILED[pattern] = regexp
        found = regexp.match(self._text, self._pos)
        if found is not None:
            self._pos = found.end()
        return found

    def _parse_rfc5322_cfws(self) -> Any:
        # authres calls this before and after nearly every token. Its FWS pattern needs a WSP
        # or a line break first and a comment starts with "(": on any other character (or at
        # the end) both fail and authres returns None, so skip its four pattern tries.
        pos = self._pos
        if pos < len(self._text) and self._text[pos] in _CFWS_START:
            return super()._parse_rfc5322_cfws()
        return None


# The characters RFC 5322 CFWS can start with (FWS: WSP or a line break; comment: "(").
_CFWS_START = frozenset(" \t\r\n(")

# authres's patterns, compiled once (a fixed set of about thirty strings).
_COMPILED: dict[str, re.Pattern[str]] = {}

# Distinct values parsed recently: value -> parsed header or the parse error message.
_CACHE_SIZE = 512
_cache: OrderedDict[str, AuthresHeader | str] = OrderedDict()
_cache_lock = Lock()


class AuthresParseError(Exception):
    """authres could not parse the value; the message says why."""


@frozen
class AuthresResult(Value):
    """One ``method=result`` clause as authres read it."""

    method: str
    """Method name, lower case (``dkim``, ``spf``, ``dmarc``, ``arc``, ...)."""
    version: str | None
    """Method version (``dkim/1``), if written."""
    result: str
    """Result word, lower case."""
    reason: str | None
    """``reason=`` value, if written."""
    properties: tuple[tuple[str, str], ...]
    """``(ptype.property, value)`` pairs in order."""


@frozen
class AuthresHeader(Value):
    """A whole Authentication-Results value as authres read it."""

    authserv_id: str
    """The authserv-id, lower case."""
    version: str | None
    """Header version, if written."""
    results: tuple[AuthresResult, ...]
    """Each resinfo; empty for ``none``."""


def parse_value(value: str) -> AuthresHeader:
    """Parse an unfolded Authentication-Results value (without the field name).

    Raises AuthresParseError (never anything else) when authres rejects the value.
    """
    if len(value) > MAX_STRICT_CHARS:
        raise AuthresParseError(f"value longer than {MAX_STRICT_CHARS} characters")
    with _cache_lock:
        cached = _cache.get(value)
        if cached is not None:
            _cache.move_to_end(value)
    if cached is None:
        cached = _parse_uncached(value)
        with _cache_lock:
            _cache[value] = cached
            if len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    if isinstance(cached, str):
        raise AuthresParseError(cached)
    return cached


def _parse_uncached(value: str) -> AuthresHeader | str:
    """The parsed header, or the reason authres rejected the value."""
    try:
        header = _PositionalHeader.parse_value(_FEATURES, value)
        return AuthresHeader(
            authserv_id=str(header.authserv_id),
            version=str(header.version) if header.version else None,
            results=tuple(_convert_result(r) for r in header.results),
        )
    except Exception as error:  # noqa: BLE001 - any library failure becomes a parse error
        message = str(error) or type(error).__name__
        return message[:200]


def parse_value_reference(value: str) -> AuthresHeader | str:
    """authres's own (text-rewriting) parser, uncached: the reference the tests compare against."""
    try:
        header = _FEATURES.parse_value(value)
        return AuthresHeader(
            authserv_id=str(header.authserv_id),
            version=str(header.version) if header.version else None,
            results=tuple(_convert_result(r) for r in header.results),
        )
    except Exception as error:  # noqa: BLE001
        message = str(error) or type(error).__name__
        return message[:200]


def _convert_result(result: Any) -> AuthresResult:
    properties = tuple(
        (f"{str(p.type).lower()}.{str(p.name).lower()}", "" if p.value is None else str(p.value))
        for p in (result.properties or [])
    )
    return AuthresResult(
        method=str(result.method).lower(),
        version=str(result.version) if result.version else None,
        result=str(result.result).lower(),
        reason=str(result.reason) if result.reason else None,
        properties=properties,
    )
