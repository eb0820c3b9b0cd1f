"""The one place that touches the ``authres`` library (RFC 8601 Authentication-Results parser).

authres is untyped, keeps a lazily built global for its "all features" context, and raises
its own ``SyntaxError`` (and, on deep comment nesting, ``RecursionError``) on real-world
input. This wrapper builds one feature context with every extension module at import time,
converts the parse into typed frozen values, and turns any library exception into
``AuthresParseError`` with the library's message, so callers can fall back to a tolerant
parse and record the defect.

authres drops comments (``spf=pass (sender IP is ...)``); the caller reads those itself.
Its parser rewrites the remaining text once per token, which is quadratic in the input
length, so callers must bound what they hand in (``MAX_STRICT_CHARS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import authres
import authres.arc
import authres.dkim_adsp
import authres.dkim_b
import authres.dmarc
import authres.rrvs
import authres.smime
import authres.vbr

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


class AuthresParseError(Exception):
    """authres could not parse the value; the message says why."""


@dataclass(frozen=True)
class AuthresResult:
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


@dataclass(frozen=True)
class AuthresHeader:
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
    try:
        header = _FEATURES.parse_value(value)
        return AuthresHeader(
            authserv_id=str(header.authserv_id),
            version=str(header.version) if header.version else None,
            results=tuple(_convert_result(r) for r in header.results),
        )
    except Exception as error:  # noqa: BLE001 - any library failure becomes a parse error
        message = str(error) or type(error).__name__
        raise AuthresParseError(message[:200]) from None


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
