"""The one place that imports dkimpy: message splitting, canonicalization, crypto, ARC.

dkimpy is untyped and has a few quirks, kept here so dkim.py and arc.py stay typed:

- ``DKIM.verify()`` checks ``t=``/``x=`` against the wall clock (``time.time()``), stops at
  the first error and re-canonicalizes and re-hashes the body for every signature. To report
  body-changed vs. headers-changed, judge time against the delivery time and an injected
  "now", and hash each body form once, DKIM verification uses dkimpy's building blocks
  (its header/body canonicalization, ``hash_headers`` and RSA/ed25519 verification) on one
  split of the message, with a per-message cache. ARC uses ``dkim.ARC.verify``.
- dkimpy's message splitter raises on one stray header line; ours keeps going (the line is
  skipped and reported), as DKIM verifiers in MTAs do.
- dkimpy's ARC verifier finds the raw ARC-Message-Signature by searching for ``" i=N;"``,
  so a field written ``ARC-Message-Signature:i=1; ...`` (no space after the colon, as some
  list servers write it) raises IndexError. We hand ARC a copy of the headers in which such
  fields (when their header canonicalization is relaxed) are rewritten to their relaxed
  form with one leading space: relaxed canonicalization (RFC 6376 section 3.4.2) removes
  that whitespace again, so every hash stays the same.
- dkimpy reports DNS failures only as "no key"; the ``dnsfunc`` adapter records each answer
  of our Resolver, so callers can tell NXDOMAIN from SERVFAIL/TIMEOUT/OFFLINE.

Nothing here touches module globals of dkimpy, so concurrent checks in threads are safe.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import dkim
import dkim.canonicalization as dkim_canon
import dkim.crypto as dkim_crypto
import nacl.exceptions
import nacl.signing

from ..dns.interface import DnsAnswer, DnsStatus, Resolver
from .tags import parse_tag_list

HeaderPair = tuple[bytes, bytes]

# dkimpy logs every verification error at ERROR level; keep that out of the host program's logs.
_LOGGER = logging.getLogger("headerscope.dkimpy")
_LOGGER.addHandler(logging.NullHandler())
_LOGGER.propagate = False

HASHES: dict[str, Callable[[], Any]] = {
    "rsa-sha256": hashlib.sha256,
    "rsa-sha1": hashlib.sha1,
    "ed25519-sha256": hashlib.sha256,
}
"""Signature algorithms of RFC 6376 section 3.3 and RFC 8463, with their hash."""

MAX_RSA_BITS = 16384
"""Larger moduli are refused: pure-Python RSA on them would let a hostile key record stall us."""
MAX_RSA_EXPONENT_BITS = 64
"""Real keys use 65537; a huge exponent would make one verification take minutes."""

_HEADER_NAME = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]*:")
_LINE_SPLIT = re.compile(rb"\r?\n")
_WSP_RUN = re.compile(rb"[ \t]+")


@dataclass
class SplitMessage:
    """The message as dkimpy's verifier sees it, with caches so nothing is hashed twice."""

    headers: list[HeaderPair]
    """(name, value) in order, value with its folding and final CRLF (dkimpy's form)."""
    body: bytes
    """Body with CRLF line ends (empty when the input had no body)."""
    skipped_lines: int = 0
    """Header lines that were neither a field nor a continuation."""
    _canon_bodies: dict[str, bytes] = field(default_factory=dict)
    _body_hashes: dict[tuple[str, str, int | None], tuple[bytes, int]] = field(default_factory=dict)
    _canon_headers: dict[str, list[HeaderPair]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def canonical_body(self, algorithm: str) -> bytes:
        """Body canonicalized with ``simple`` or ``relaxed`` (RFC 6376 section 3.4), cached."""
        with self._lock:
            cached = self._canon_bodies.get(algorithm)
        if cached is None:
            cached = dkim_canon.ALGORITHMS[algorithm.encode()].canonicalize_body(self.body)
            with self._lock:
                self._canon_bodies[algorithm] = cached
        return cached

    def body_hash(self, algorithm: str, hash_name: str, length: int | None) -> tuple[bytes, int]:
        """(digest, canonical body length) of the body, first ``length`` bytes when l= is set."""
        key = (algorithm, hash_name, length)
        with self._lock:
            cached = self._body_hashes.get(key)
        if cached is None:
            body = self.canonical_body(algorithm)
            hasher = HASHES[hash_name]()
            hasher.update(body if length is None else body[:length])
            cached = (hasher.digest(), len(body))
            with self._lock:
                self._body_hashes[key] = cached
        return cached

    def canonical_headers(self, algorithm: str) -> list[HeaderPair]:
        """All header fields canonicalized with ``simple`` or ``relaxed``, cached."""
        with self._lock:
            cached = self._canon_headers.get(algorithm)
        if cached is None:
            cached = list(dkim_canon.ALGORITHMS[algorithm.encode()].canonicalize_headers(self.headers))
            with self._lock:
                self._canon_headers[algorithm] = cached
        return cached


def _split(raw: bytes) -> SplitMessage:
    """dkimpy's ``rfc822_parse`` without its exception on a stray line (RFC 5322 section 2.2).

    Same result (lines end at CRLF or LF, the body is re-joined with CRLF), but the body is
    not split into lines: on a 100 KB body that split was most of the verification time.
    """
    if raw.startswith((b"\r\n", b"\n")):
        head, body = b"", raw[2:] if raw.startswith(b"\r\n") else raw[1:]
    else:
        head, body = _split_at_blank_line(raw)
    if body.count(b"\n") != body.count(b"\r\n"):
        body = body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    # Each field as its name and value parts, joined once at the end (a field folded over
    # 100 000 lines must not cost 100 000 copies).
    fields: list[tuple[bytes, list[bytes]]] = []
    skipped = 0
    pieces = head.split(b"\n") if head else []
    for number, piece in enumerate(pieces):
        # Lines end at CRLF or LF; a CR not followed by LF stays part of the line.
        line = piece[:-1] if number < len(pieces) - 1 and piece.endswith(b"\r") else piece
        if not line:
            continue  # only a trailing line break of a body-less message
        if line[:1] in (b" ", b"\t"):
            if fields:
                fields[-1][1].extend((line, b"\r\n"))
            else:
                skipped += 1
            continue
        match = _HEADER_NAME.match(line)
        if match is None:
            skipped += 1
            continue
        fields.append((match.group(1), [line[match.end():], b"\r\n"]))
    return SplitMessage([(name, b"".join(parts)) for name, parts in fields], body, skipped)


def _split_at_blank_line(raw: bytes) -> tuple[bytes, bytes]:
    """(header section, body) at the first empty line; bytes.find keeps this linear and fast."""
    best: tuple[int, int] | None = None
    for separator in (b"\n\r\n", b"\n\n"):
        found = raw.find(separator)
        if found >= 0 and (best is None or found < best[0]):
            best = (found, found + len(separator))
    if best is None:
        return raw, b""
    start = best[0] - 1 if best[0] and raw[best[0] - 1:best[0]] == b"\r" else best[0]
    return raw[:start], raw[best[1]:]


@functools.lru_cache(maxsize=4)
def split_message(raw: bytes) -> SplitMessage:
    """Split once per message: the DKIM and ARC checks of one analysis share the result."""
    return _split(raw)


# ---------------------------------------------------------------- keys and signatures


@dataclass(frozen=True)
class PublicKey:
    """A DKIM public key read from ``p=``."""

    kind: str
    """``rsa`` or ``ed25519``."""
    bits: int
    """RSA modulus size, 256 for ed25519."""
    key: Any
    """dkimpy's RSA key dict or a nacl VerifyKey."""


@functools.lru_cache(maxsize=512)
def load_public_key(kind: str, p_value: str) -> PublicKey | str:
    """Decode ``p=`` for key type ``k=``; a string says why it cannot be used.

    Cached: a scan meets the same few keys again and again, and reading one is the
    costliest step after the RSA check itself. Callers must not modify the key."""
    try:
        data = base64.b64decode("".join(p_value.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        return f"p= is not valid base64 ({exc})"
    if kind == "ed25519":
        # RFC 8463 section 4: p= is the raw 32-byte public key.
        if len(data) != 32:
            return f"ed25519 key must be 32 bytes, p= has {len(data)}"
        try:
            return PublicKey("ed25519", 256, nacl.signing.VerifyKey(data))
        except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
            return f"could not read ed25519 key: {exc}"
    try:
        parsed = dkim_crypto.parse_public_key(data)
        modulus = int(parsed["modulus"])
        exponent = int(parsed["publicExponent"])
    except Exception as exc:  # noqa: BLE001 - dkimpy's ASN.1 reader raises assorted errors on junk
        return f"could not read RSA key: {exc}"
    bits = modulus.bit_length()
    if bits > MAX_RSA_BITS:
        return f"RSA key of {bits} bits is larger than any verifier accepts ({MAX_RSA_BITS})"
    if exponent.bit_length() > MAX_RSA_EXPONENT_BITS or exponent < 3:
        return f"RSA public exponent {exponent if exponent < 10**6 else '(huge)'} is not usable"
    return PublicKey("rsa", bits, {"modulus": modulus, "publicExponent": exponent})


def verify_header_signature(message: SplitMessage, *, header_canon: str, algorithm: str,
                            include_headers: Sequence[str], signature_field: HeaderPair,
                            signature: bytes, key: PublicKey) -> bool | str:
    """Check ``b=`` over the signed header fields (RFC 6376 section 3.7, RFC 8463 section 3).

    True/False for a verdict; a string when the check itself could not run.
    """
    policy = dkim_canon.CanonicalizationPolicy(dkim_canon.ALGORITHMS[header_canon.encode()],
                                               dkim_canon.Simple)
    hasher = HASHES[algorithm]()
    include = [name.lower().encode("utf-8", "replace") for name in include_headers]
    try:
        dkim.hash_headers(hasher, policy, message.canonical_headers(header_canon), include,
                          signature_field, {})
    except Exception as exc:  # noqa: BLE001 - hostile input must not escape the wrapper
        return f"could not hash the signed header fields: {exc}"
    if key.kind == "ed25519":
        try:
            key.key.verify(hasher.digest(), signature)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError, TypeError):
            return False
        return True
    try:
        return bool(dkim_crypto.RSASSA_PKCS1_v1_5_verify(hasher, signature, key.key))
    except (dkim_crypto.DigestTooLargeError, TypeError, ValueError):
        # The key is too small to hold the digest: no signature can verify with it.
        return False


# ---------------------------------------------------------------- DNS adapter


class DnsFunc:
    """dkimpy's ``dnsfunc(name, timeout=...) -> bytes | None`` over our Resolver.

    One instance per check (never shared), so the answers it records belong to that check.
    Temporary failures and offline mode raise ``dkim.DnsTimeoutError``, which dkimpy turns
    into "this signature does not verify"; callers read ``failures`` to say temperror.
    """

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver
        self.answers: list[DnsAnswer] = []
        self._memo: dict[str, DnsAnswer] = {}

    def __call__(self, name: bytes | str, timeout: float = 5) -> bytes | None:
        qname = name.decode("utf-8", "replace") if isinstance(name, bytes) else name
        # dkimpy asks for a sealer's key once per seal and per signature: ask DNS once.
        answer = self._memo.get(qname)
        if answer is None:
            answer = self._memo[qname] = self._resolver.resolve(qname, "TXT")
            self.answers.append(answer)
        if answer.temporary_failure or answer.status == DnsStatus.OFFLINE:
            raise dkim.DnsTimeoutError(f"{answer.name}: {answer.status}")
        if not answer.ok:
            return None
        # RFC 6376 section 3.6.2.2: the character-strings of one TXT record are concatenated.
        return answer.texts[0].encode("utf-8", "replace")

    @property
    def failures(self) -> tuple[DnsAnswer, ...]:
        """Answers that were SERVFAIL, TIMEOUT or OFFLINE."""
        return tuple(a for a in self.answers if a.temporary_failure or a.status == DnsStatus.OFFLINE)


# ---------------------------------------------------------------- ARC


@dataclass(frozen=True)
class ArcInstanceCheck:
    """dkimpy's verdict on one ARC set."""

    instance: int
    ams_valid: bool
    seal_valid: bool | None
    cv: str | None
    seal_domain: str | None
    seal_selector: str | None


@dataclass(frozen=True)
class ArcOutcome:
    """dkimpy's chain verdict: cv ``pass``/``fail``/``none``, or ``terminated`` (a seal
    reported cv=fail, dkimpy's None), or ``error`` when dkimpy raised."""

    cv: str
    reason: str
    instances: tuple[ArcInstanceCheck, ...]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _relaxed_ams(value: bytes) -> bytes | None:
    """The AMS value rewritten to its relaxed form with a leading space, or None to keep it.

    Only when the AMS's own header canonicalization is relaxed: then the rewrite does not
    change any hash (RFC 6376 section 3.4.2 unfolds, compresses WSP and trims the value).
    """
    tags = parse_tag_list(value.decode("utf-8", "replace"))
    canon = (tags.get("c") or "relaxed/relaxed").split("/")[0].strip().lower()
    if canon != "relaxed":
        return None
    relaxed = _WSP_RUN.sub(b" ", _LINE_SPLIT.sub(b"", value)).strip()
    return b" " + relaxed + b"\r\n"


def arc_headers_for_dkimpy(headers: Sequence[HeaderPair]) -> list[HeaderPair]:
    """Headers with the dkimpy ARC-Message-Signature lookup bug worked around (see module doc)."""
    out: list[HeaderPair] = []
    for name, value in headers:
        if name.lower() == b"arc-message-signature":
            rewritten = _relaxed_ams(value)
            if rewritten is not None:
                out.append((name, rewritten))
                continue
        out.append((name, value))
    return out


def verify_arc(message: SplitMessage, dnsfunc: DnsFunc) -> ArcOutcome:
    """Run dkimpy's ARC chain validation (RFC 8617 section 5.2); never raises."""
    arc = dkim.ARC(None, logger=_LOGGER, minkey=1024)
    arc.headers = arc_headers_for_dkimpy(message.headers)
    arc.body = message.body
    try:
        cv, results, reason = arc.verify(dnsfunc=dnsfunc)
    except Exception as exc:  # noqa: BLE001 - dkimpy raises IndexError, KeyError, ... on hostile input
        return ArcOutcome("error", f"{type(exc).__name__}: {exc}", ())
    checks: list[ArcInstanceCheck] = []
    for result in results or ():
        try:
            checks.append(ArcInstanceCheck(
                instance=int(result["instance"]),
                ams_valid=bool(result.get("ams-valid")),
                seal_valid=None if "as-valid" not in result else bool(result["as-valid"]),
                cv=_text(result.get("cv")),
                seal_domain=_text(result.get("as-domain")),
                seal_selector=_text(result.get("as-selector")),
            ))
        except (KeyError, TypeError, ValueError):
            continue
    cv_text = "terminated" if cv is None else (_text(cv) or "fail").lower()
    return ArcOutcome(cv_text, str(reason), tuple(checks))
