"""The one place that imports dkimpy: message splitting, canonicalization, crypto, ARC.

dkimpy is untyped and has a few quirks, kept here so dkim.py and arc.py stay typed:

- ``DKIM.verify()`` checks ``t=``/``x=`` against the wall clock (``time.time()``), stops at
  the first error and re-canonicalizes and re-hashes the body for every signature. To report
  body-changed vs. headers-changed, judge time against the delivery time and an injected
  "now", and hash each body form once, DKIM verification uses dkimpy's building blocks
  (its header/body canonicalization, ``hash_headers`` and RSA/ed25519 verification) on one
  split of the message, with a per-message cache. ARC uses ``dkim.ARC.verify``, with the
  signed fields of each seal and ARC-Message-Signature hashed here (``_Arc._signed_fields_process``):
  dkimpy canonicalizes every field again for each verification.
- Each header field is canonicalized once per message and canonicalization, and each selection of
  signed fields hashed once (``SplitMessage.signed_fields_hash``), for DKIM, its re-verifications
  of copies (without an added From:, with a Subject tag off) and ARC alike; every verification is
  paid for from the message's ``VerificationBudget`` with its key's cost and the bytes it hashes.
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

- Bodies are canonicalized and hashed as a stream of line-aligned chunks read from the
  message bytes themselves (RFC 6376 section 3.4.3/3.4.4 rules are line-local): a 50 MB
  body is never copied whole, and ARC's body hash reuses the same cache instead of
  dkimpy's whole-body canonicalization.
- Signed header fields are selected through a per-message index (dkimpy's
  ``select_headers`` rescans every field for each ``h=`` name: quadratic on hostile input),
  and ``b=`` is blanked by a linear scanner instead of dkimpy's ``RE_BTAG``, whose nested
  FWS groups backtrack quadratically on long folded whitespace.
- RSA verification (RFC 8017 section 8.2.2) uses Python's integer conversions rather than
  dkimpy's byte-by-byte loops (same arithmetic), refuses signatures of the wrong length or
  out of range as RFC 8017 requires (dkimpy accepts them), and in a scan lets OpenSSL do
  the arithmetic.

Nothing here touches module globals of dkimpy, so concurrent checks in threads are safe.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import operator
import re
import threading
from array import array
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Any, cast, overload

from .._value import Value, frozen
from ..dns.interface import DnsAnswer, DnsStatus, Resolver
from ..text import compiled_on_first_use
from ._dkimpy_import import import_dkim
from .tags import TagList, parse_tag_list

# Before the first `import dkim`: keeps dkimpy from importing dnspython's resolver (start-up time).
import_dkim()

import dkim  # noqa: E402 - must follow import_dkim()
import dkim.canonicalization as dkim_canon  # noqa: E402
import dkim.crypto as dkim_crypto  # noqa: E402
import dkim.util as dkim_util  # noqa: E402

HeaderPair = tuple[bytes, bytes]


class _SilentLogger:
    """What dkimpy calls of its logger, doing nothing.

    dkimpy logs every verification error at ERROR level; headerscope reports each result
    itself and keeps that out of the host program's logs. Not a ``logging.Logger``, so
    that importing dkimpy does not import logging (see _dkimpy_import)."""

    def debug(self, *args: object, **kwargs: object) -> None:
        pass

    info = warning = error = exception = debug

    def isEnabledFor(self, level: int) -> bool:
        return False


_LOGGER = _SilentLogger()

HASHES: dict[str, Callable[[], Any]] = {
    "rsa-sha256": hashlib.sha256,
    "rsa-sha1": hashlib.sha1,
    "ed25519-sha256": hashlib.sha256,
}
"""Signature algorithms of RFC 6376 section 3.3 and RFC 8463, with their hash."""
_HASH_OF = {"rsa-sha256": "sha256", "rsa-sha1": "sha1", "ed25519-sha256": "sha256"}
"""The hash function's name for each signature algorithm (the body hash depends on it alone)."""
_ALGORITHM_OF = {"sha256": "rsa-sha256", "sha1": "rsa-sha1"}
"""A signature algorithm of each hash function, to ask for a body hash by (SplitMessage.prepare_body_hashes)."""

MAX_RSA_BITS = 16384
"""Larger moduli are refused: pure-Python RSA on them would let a hostile key record stall us."""
MAX_RSA_EXPONENT_BITS = 64
"""Real keys use 65537; a huge exponent would make one verification take minutes."""

_HEADER_NAME = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]*:")
_LINE_SPLIT = re.compile(rb"\r?\n")
_WSP_RUN = re.compile(rb"[ \t]+")
# RFC 6376 section 3.4.4 (relaxed body): WSP at line ends goes, other WSP runs become one SP.
# Compressing first and then dropping the single SP left before each CRLF gives the same
# text in linear time. (dkimpy's ``[\t ]+\r\n`` substitution is quadratic: a 100 KB run of
# spaces not followed by CRLF takes it half a minute.) The pattern only matches runs that
# change: a tab, or two or more WSP characters.
_WSP_TO_COMPRESS = re.compile(rb"\t[\t ]*| [\t ]+")

# RFC 4155 section 2: a line of a mailbox entry's body that its writer may have quoted, from the
# line end before it (a literal start: the search skips to each LF followed by ">"). mboxrd
# quotes "From " and ">From ", ">>From "... lines with one more ">"; mboxo quotes "From " lines only.
_MBOXRD_QUOTED = re.compile(rb"\n>(>*From )")
_MBOXO_QUOTED = re.compile(rb"\n>(From )")

BODY_CHUNK = 1 << 16
"""Bytes of body canonicalized at a time (cut at a line end, so every rule stays line-local).
Small because ``re.sub`` holds a list of every piece it cuts: on a WSP-rich chunk that list
costs about 20 times the chunk."""
_SPACE_BLOCK = 1 << 12
"""Bytes of body after a space in which _has_relaxed_work looks for 2-byte needles."""
_CRLF_BLOCK = b"\r\n" * 4096
_Piece = tuple[bytes, int, int]
"""(buffer, start, stop): a part of the body without copying it."""


class _HeldBackLines:
    """The end-of-body rule of RFC 6376 sections 3.4.3 and 3.4.4 over a stream of canonical
    pieces: empty lines at the end are dropped, so each run of CRLFs is held back and given out
    only when more content follows it (shared by the whole body's hash and the hashes of the body
    cut short, SplitMessage.prefix_body_hashes)."""

    __slots__ = ("emitted", "pending")

    def __init__(self) -> None:
        self.pending = 0
        """CRLFs held back: they count only if more content follows."""
        self.emitted = False
        """Whether any content was given out."""

    def pieces(self, chunks: Iterable[tuple[bytes, int, int]]) -> Iterator[bytes | memoryview]:
        for buffer, start, stop in chunks:
            kept = trailing_crlfs_start(buffer, start, stop)
            if kept == start:
                self.pending += (stop - start) // 2
                continue
            while self.pending:
                block = min(self.pending, len(_CRLF_BLOCK) // 2)
                yield _CRLF_BLOCK[:block * 2]
                self.pending -= block
            self.emitted = True
            yield memoryview(buffer)[start:kept]
            self.pending = (stop - kept) // 2

    def ends_with_crlf(self, algorithm: str) -> bool:
        """Whether the body ends with one CRLF: a non-empty body, and an empty simple one."""
        return self.emitted or algorithm != "relaxed"


class _PrefixDigests:
    """The body hashes of one hash function for several l= values, fed piece by piece: one running
    hash, its state copied where each requested length ends (RFC 6376 section 3.5, l=: the first
    so many bytes of the canonical body); a length past the body's end is the whole body's hash."""

    __slots__ = ("cuts", "done", "fed", "hasher", "size")

    def __init__(self, hash_name: str) -> None:
        self.hasher = hashlib.new(hash_name)
        self.cuts: list[int] = []
        self.done: dict[int, bytes] = {}
        self.fed = 0
        self.size = 0

    def want(self, length: int | None) -> None:
        if length is not None and length not in self.cuts:
            self.cuts.append(length)
            self.cuts.sort(reverse=True)  # the next cut last, popped in order

    def update(self, piece: bytes | memoryview) -> None:
        size = len(piece)
        self.size += size
        position = 0
        while self.cuts and self.fed + (size - position) >= self.cuts[-1]:
            needed = self.cuts[-1] - self.fed
            if needed > 0:
                self.hasher.update(memoryview(piece)[position:position + needed])
                position += needed
                self.fed += needed
            self.done[self.cuts.pop()] = self.hasher.copy().digest()
        if position < size:
            self.hasher.update(piece if position == 0 else memoryview(piece)[position:])
            self.fed += size - position

    def digest(self, length: int | None) -> bytes:
        if length is not None and length in self.done:
            return self.done[length]
        return self.hasher.digest()


_PLAIN_CRLF_STEPS = 4
"""Trailing CRLFs stepped over one by one before trailing_crlfs_start copies the piece to strip
them in one step: most pieces end in one line end, a body's last in one or two."""


def trailing_crlfs_start(buffer: bytes, start: int, stop: int) -> int:
    """Where the run of CRLF pairs that ends ``buffer[start:stop]`` begins (``stop`` when the
    piece does not end in CRLF): the empty lines RFC 6376 sections 3.4.3 and 3.4.4 drop at the
    end of a body. A lone CR or LF ends the run (it is part of a line).

    A body of a million empty lines must not cost a Python step per line: past a few steps the
    rest of the run is found with C-level searches. ``rstrip`` finds where the CR/LF bytes
    begin; in them, the pairs counted from the end stop at the last doubled byte (CR CR or
    LF LF), and in the alternating bytes after it that end in LF every pair from the end is a CRLF.
    """
    kept = stop
    for _ in range(_PLAIN_CRLF_STEPS):
        if kept - start >= 2 and buffer.startswith(b"\r\n", kept - 2, kept):
            kept -= 2
        else:
            return kept
    if kept - start < 2 or not buffer.startswith(b"\r\n", kept - 2, kept):
        return kept
    line_ends_start = start + len(buffer[start:kept].rstrip(b"\r\n"))
    doubled = max(buffer.rfind(b"\r\r", line_ends_start, kept), buffer.rfind(b"\n\n", line_ends_start, kept))
    alternating_start = line_ends_start if doubled < 0 else doubled + 1
    # buffer[kept - 1] is LF (checked above): the alternating bytes end ... CR LF.
    return kept - (kept - alternating_start) // 2 * 2


class SplitMessage:
    """The message as dkimpy's verifier sees it, with caches so nothing is hashed twice.

    The body is not copied: it is ``raw[body_start:]``, with line ends made CRLF chunk by
    chunk when ``body_needs_crlf`` (dkimpy's ``rfc822_parse`` does the same to the whole body).
    A plain slotted class, not a dataclass: dataclasses compiles its methods from source at
    import, a cost every start-up paid for it.
    """

    __slots__ = ("_body_hashes", "_field_key_of", "_header_hashes", "_lock", "_mbox_established", "_mbox_mixed",
                 "_mbox_readings", "_positions", "_wanted", "body_has_cr", "body_needs_crlf", "body_start", "headers", "raw",
                 "skipped_lines")

    def __init__(self, headers: Sequence[HeaderPair], raw: bytes, body_start: int, body_needs_crlf: bool = False,
                 body_has_cr: bool = True, skipped_lines: int = 0) -> None:
        self.headers = headers
        """(name, value) in order, value with its folding and final CRLF (dkimpy's form)."""
        self.raw = raw
        """The message bytes the body is read from."""
        self.body_start = body_start
        """Offset of the body in ``raw`` (``len(raw)`` when the input had no body)."""
        self.body_needs_crlf = body_needs_crlf
        """Some body line ends in a bare LF: CRLF is substituted while reading (RFC 5322 section 2.3)."""
        self.body_has_cr = body_has_cr
        """The body contains a CR at all (when not, making line ends CRLF is one replace)."""
        self.skipped_lines = skipped_lines
        """Header lines that were neither a field nor a continuation."""
        self._body_hashes: dict[tuple[str, str, int | None], tuple[bytes, int]] = {}
        self._header_hashes = _HeaderHashes()
        """Canonical fields and signed-field hashes, shared with the copies made by without_field,
        with_field and fields_view (each field canonicalized once per message and canonicalization)."""
        self._field_key_of: Callable[[int], Hashable] | None = None
        """A copy's key in _header_hashes of the field at a position (None: the position itself)."""
        self._positions: dict[bytes, list[int]] | None = None
        self._mbox_readings: tuple[tuple[str, SplitMessage], ...] | None = None
        self._mbox_established: tuple[str | None] | None = None
        # The line-by-line readings' body hashes (mbox_mixed_reading_of), made on first call.
        self._mbox_mixed: _MixedReadings | None = None
        self._wanted: tuple[tuple[str, str, int | None], ...] = ()
        """Body hashes computed with the first one asked for (a mailbox reading's: those its
        message needed), so that each canonicalization is one pass over the body."""
        self._lock = threading.Lock()

    @property
    def body(self) -> bytes:
        """The body with CRLF line ends, as one bytes object (a copy: tests and fallbacks only)."""
        return b"".join(buffer[start:stop] for buffer, start, stop in self._body_chunks())

    def _body_chunks(self, begin: int | None = None, end: int | None = None) -> Iterator[_Piece]:
        """The CRLF body in line-aligned pieces; slices of ``raw`` when no line end needs fixing.
        ``begin``, ``end``: the part of the body between those offsets of ``raw`` only (line
        starts: prefix_body_hashes)."""
        raw = self.raw
        end = len(raw) if end is None else end
        start = self.body_start if begin is None else begin
        while start < end:
            stop = min(start + BODY_CHUNK, end)
            if stop < end:
                cut = raw.rfind(b"\n", start, stop)
                if cut < 0:
                    cut = raw.find(b"\n", stop)  # a line longer than a chunk: take it whole
                stop = end if cut < 0 else cut + 1
            if self.body_needs_crlf:
                # dkimpy's rfc822_parse: CRLF -> LF, then every LF -> CRLF (a lone CR stays).
                fixed = raw[start:stop]
                if self.body_has_cr:
                    fixed = fixed.replace(b"\r\n", b"\n")
                fixed = fixed.replace(b"\n", b"\r\n")
                yield fixed, 0, len(fixed)
            else:
                yield raw, start, stop
            start = stop

    def _has_relaxed_work(self) -> bool:
        """Whether relaxed body canonicalization changes anything but trailing empty lines."""
        raw, start = self.raw, self.body_start
        if raw.find(b"\t", start) >= 0:
            return True
        # Every other change begins at a space. A search for a 2-byte needle reads about a
        # byte per cycle, a search for one byte (memchr) a word or more, and most of a large
        # body is base64 without a space: so the 2-byte needles are looked for only in the
        # blocks that hold a space. A needle is found in the block where it starts.
        if not self.body_needs_crlf:
            needles: tuple[bytes, ...] = (b"  ", b" \r\n")
        elif self.body_has_cr:
            needles = (b"  ", b" \r", b" \n")
        else:
            needles = (b"  ", b" \n")
        space = raw.find(b" ", start)
        while space >= 0:
            block_end = space + _SPACE_BLOCK
            # Needles start with a space: none starts after the block's last one, so the search
            # stops there (memrchr), not at the block's end, which often lies deep in base64.
            stop = raw.rfind(b" ", space, block_end) + 1
            for needle in needles:
                if raw.find(needle, space, stop + len(needle) - 1) >= 0:
                    return True
            space = raw.find(b" ", block_end)
        return False

    def _canonical_chunks(self, algorithm: str, begin: int | None = None, end: int | None = None
                          ) -> Iterator[_Piece]:
        """Body pieces after ``simple`` or ``relaxed`` line rules, before trailing-line handling
        (of the body between ``begin`` and ``end`` in ``raw`` when given: _body_chunks)."""
        relaxed_work = algorithm == "relaxed" and self._has_relaxed_work()
        for buffer, start, stop in self._body_chunks(begin, end):
            if relaxed_work:
                data = buffer[start:stop]
                # Substitute only where there is something to change: same result, fewer copies.
                if data.find(b"\t") >= 0 or data.find(b"  ") >= 0:
                    data = _WSP_TO_COMPRESS.sub(b" ", data)
                if data.find(b" \r\n") >= 0:
                    # Runs are single spaces now, so no new " CRLF" can appear behind a removed one.
                    data = data.replace(b" \r\n", b"\r\n")
                yield data, 0, len(data)
            else:
                yield buffer, start, stop

    def _canonical_pieces(self, algorithm: str) -> Iterator[bytes | memoryview]:
        """The canonical body (RFC 6376 sections 3.4.3 and 3.4.4) as a stream of pieces.

        Empty lines at the end are dropped and one CRLF ends a non-empty body; an empty
        simple body is a single CRLF, an empty relaxed body is empty.
        """
        lines = _HeldBackLines()
        yield from lines.pieces(self._canonical_chunks(algorithm))
        if lines.ends_with_crlf(algorithm):
            yield b"\r\n"

    def tail_has_text(self, algorithm: str, length: int, limit: int = 65536) -> bool:
        """Whether the canonical body beyond its first ``length`` bytes (what an ``l=`` signature
        leaves unsigned) holds anything but white space. Reads at most ``limit`` bytes of that
        tail; a longer tail of white space alone counts as text (the safe side)."""
        seen = 0
        for piece in self._canonical_pieces(algorithm):
            size = len(piece)
            if seen + size <= length:
                seen += size
                continue
            start = max(0, length - seen)
            part = bytes(piece[start:start + limit])
            if part.translate(None, b" \t\r\n"):
                return True
            limit -= len(part)
            if limit <= 0:
                return True
            seen += size
        return False

    def canonical_body(self, algorithm: str) -> bytes:
        """Body canonicalized with ``simple`` or ``relaxed`` (a copy: tests and fallbacks only)."""
        return b"".join(bytes(piece) for piece in self._canonical_pieces(algorithm))

    def prepare_body_hashes(self, wanted: Iterable[tuple[str, str, int | None]]) -> None:
        """Compute every missing (canonicalization, a=, l=) body hash, one pass per canonicalization.

        Signatures that differ only in the signing algorithm (ed25519-sha256 beside
        rsa-sha256) share one body hash: the body hash depends on the hash function alone.
        """
        by_canon: dict[str, list[tuple[str, str, int | None]]] = {}
        with self._lock:
            for canon, algorithm, length in wanted:
                if algorithm not in HASHES or canon not in ("simple", "relaxed"):
                    continue
                key = (canon, _HASH_OF[algorithm], length)
                if key not in self._body_hashes and key not in by_canon.get(canon, ()):
                    by_canon.setdefault(canon, []).append(key)
        for canon, keys in by_canon.items():
            # One running hash per hash function, its state copied where each l= ends: signatures
            # that differ only in l= (a forger's 50, each with its own) cost one pass, not one
            # hash of the whole body each (verification V55d D1-3: 5 s on 100 MB, growing with it).
            digests: dict[str, _PrefixDigests] = {}
            for _, hash_name, length in keys:
                digests.setdefault(hash_name, _PrefixDigests(hash_name)).want(length)
            running = list(digests.values())
            for piece in self._canonical_pieces(canon):
                for digest in running:
                    digest.update(piece)
            with self._lock:
                for key in keys:
                    digest = digests[key[1]]
                    self._body_hashes[key] = (digest.digest(key[2]), digest.size)

    def prefix_body_hashes(self, algorithm: str, hash_name: str, cuts: Iterable[int]) -> dict[int, bytes]:
        """The body hash of the body cut at each of ``cuts`` (offsets in ``raw`` where a line
        starts, past ``body_start``), as the body hash of a message ending there: in ONE pass
        over the body up to the last cut, a copy of the hash state taken at each cut and ended
        as _canonical_pieces ends a body (the empty lines held back dropped, one CRLF after
        content; RFC 6376 sections 3.4.3 and 3.4.4). A piece never spans a cut: each cut is a
        line start, where _body_chunks may end a piece."""
        hasher = hashlib.new(_HASH_OF[hash_name])
        digests: dict[int, bytes] = {}
        lines = _HeldBackLines()  # its held-back CRLFs carry over from one cut to the next
        begin = self.body_start
        for cut in sorted(set(cuts)):
            for piece in lines.pieces(self._canonical_chunks(algorithm, begin, cut)):
                hasher.update(piece)
            ended = hasher.copy()
            if lines.ends_with_crlf(algorithm):
                ended.update(b"\r\n")
            digests[cut] = ended.digest()
            begin = cut  # the next cut's pieces start here
        return digests

    def body_hash(self, algorithm: str, hash_name: str, length: int | None) -> tuple[bytes, int]:
        """(digest, canonical body length) of the body, first ``length`` bytes when l= is set."""
        key = (algorithm, _HASH_OF[hash_name], length)
        with self._lock:
            cached = self._body_hashes.get(key)
        if cached is None:
            self.prepare_body_hashes([(algorithm, hash_name, length), *self._wanted])
            with self._lock:
                cached = self._body_hashes[key]
        return cached

    def has_mbox_quoted_lines(self) -> bool:
        """Whether a body line starts with ">From ", ">>From "... (see ``mbox_readings``). One
        search from the line end before the body, which always precedes it (``_split``)."""
        return 0 < self.body_start < len(self.raw) and \
            _MBOXRD_QUOTED.search(self.raw, self.body_start - 1) is not None

    def mbox_readings(self) -> tuple[tuple[str, SplitMessage], ...]:
        """The body of a mailbox's entry with its writer's "From " quoting undone (RFC 4155
        section 2), each as (reading, message) with this message's header fields: ``mboxrd``
        takes one ">" off every line starting with ">From ", ">>From "..., ``mboxo`` off the
        lines starting with exactly ">From " (it never quotes more); ``mbox`` when the two are
        the same body (no ">>From " line). A reading that is the body as stored (mboxo's, when
        every quoted line has two ">" or more) is left out, and all are when no body line is
        quoted. Computed once, on first call (a copy of the body per reading, two at most), and
        shared by DKIM and ARC (split_message keeps one split per message)."""
        with self._lock:
            if self._mbox_readings is not None:
                return self._mbox_readings
        readings: tuple[tuple[str, SplitMessage], ...] = ()
        if self.has_mbox_quoted_lines():
            # From the line end before the body, so its first line is matched as the others.
            body = self.raw[self.body_start - 1:]
            # Only ">" characters are removed: the line ends, and so these flags, stay.
            as_message = functools.partial(_reading, self)
            mboxrd = _MBOXRD_QUOTED.sub(rb"\n\1", body)[1:]
            if _MBOXO_QUOTED.search(body) is None:
                readings = (("mboxrd", as_message(raw=mboxrd)),)
            else:
                mboxo = _MBOXO_QUOTED.sub(rb"\n\1", body)[1:]
                readings = ((("mbox", as_message(raw=mboxrd)),) if mboxrd == mboxo
                            else (("mboxrd", as_message(raw=mboxrd)), ("mboxo", as_message(raw=mboxo))))
        with self._lock:
            if self._mbox_readings is None:
                self._mbox_readings = readings
            return self._mbox_readings

    def mbox_reading_matching(self, request: tuple[str, str, int | None], expected: bytes
                              ) -> tuple[str, SplitMessage, int] | None:
        """The reading of a mailbox entry's body, other than the body as stored, whose body hash
        by ``request`` (c= body canonicalization, a=, l=) is ``expected``, as (name, message,
        canonical body length): the whole readings first (``mbox_readings``), then, when neither
        matches, the line-by-line ones (``mbox_mixed_reading_of``, bounded there). None when no
        reading matches, or the body has no quoted line. A reading shorter than l= never matches:
        content was removed (RFC 6376 section 8.2). DKIM (dkim._verify) and ARC (_Arc) both read
        an ARC-Message-Signature's or DKIM-Signature's body hash through this one method, so a
        body one of them verifies the other verifies too."""
        length = request[2]
        readings = self.mbox_readings()
        for name, reading in readings:
            digest, size = reading.body_hash(*request)
            if digest == expected and (length is None or length <= size):
                return name, reading, size
        mixed = self.mbox_mixed_reading_of(request, expected) if readings else None
        if mixed is not None and (length is None or length <= mixed[2]):
            return mixed
        return None

    def mbox_mixed_reading_of(self, request: tuple[str, str, int | None], expected: bytes
                              ) -> tuple[str, SplitMessage, int] | None:
        """The line-by-line reading of a mailbox entry's body whose body hash by ``request`` is
        ``expected``, as (name, message, canonical body length); None when none is, or the body
        has fewer than two lines starting with exactly ">From " or is over MBOX_MIXED_MAX_BODY.

        An mboxo writer puts a ">" before a body line starting with "From " and leaves the
        sender's own ">From " line alone (RFC 4155 section 2), so a body with both kinds holds
        lines of each kind reading ">From " now, and neither the mboxo reading (all of them
        un-quoted) nor the body as stored restores it. Here each such line is either un-quoted or
        left: the first MBOX_MIXED_LINES of them both ways (2**4 = 16 readings at most, those two
        aside), the later ones un-quoted as mboxo reads them; ">>From " lines stay as stored
        (mboxo never quotes one). Each reading is a copy of the body made while its hashes are
        computed (every one the message has, in one pass per canonicalization) and not kept:
        its hashes are (see ``mbox_mixed_name`` for its name)."""
        if not self.has_mbox_quoted_lines() or len(self.raw) - self.body_start > MBOX_MIXED_MAX_BODY:
            return None
        body = self.raw[self.body_start - 1:]
        lines = [found.start() for found in _MBOXO_QUOTED.finditer(body)]
        if len(lines) < 2:
            return None
        varied = min(len(lines), MBOX_MIXED_LINES)
        # Line numbers in the body: its first line is line 1 (``body`` starts at the line end before it).
        numbers = [body.count(b"\n", 0, at + 1) for at in lines[:varied]]
        key = (request[0], _HASH_OF[request[1]], request[2])
        with self._lock:
            if self._mbox_mixed is None:
                self._mbox_mixed = _MixedReadings()
            mixed = self._mbox_mixed
        for choice in range(1 << varied):
            unquoted = [at for bit, at in enumerate(lines[:varied]) if choice >> bit & 1] + lines[varied:]
            if len(unquoted) in (0, len(lines)):
                continue  # the body as stored, and the mboxo reading: tried before
            name = mbox_mixed_name(numbers, choice, len(lines))
            with self._lock:
                digests = mixed.digests.setdefault(name, {})
                # Bounded whatever the signatures ask: each pass is a copy of the body and its hashes
                # (the first computes every body hash the message has, so one pass a reading is usual).
                over = key not in digests and mixed.passes >= MBOX_MIXED_PASSES
                if key not in digests and not over:
                    mixed.passes += 1
            if over:
                return None
            reading: SplitMessage | None = None
            if key not in digests:
                reading = _reading(self, _unquoted(body, unquoted))
                reading.body_hash(*request)
                with self._lock:
                    digests.update(reading._body_hashes)
            digest, size = digests[key]
            if digest == expected:
                if reading is None:
                    reading = _reading(self, _unquoted(body, unquoted))
                    reading._body_hashes.update(digests)
                return name, reading, size
        return None

    def mbox_mixed_limit(self) -> str | None:
        """Why the line-by-line readings (mbox_mixed_reading_of) left some of this body's
        readings untried, in words; None when they tried them all."""
        size = len(self.raw) - self.body_start
        if size > MBOX_MIXED_MAX_BODY:
            return (f"the body ({size} bytes) is over {MBOX_MIXED_MAX_BODY >> 20} MiB, so its '>From ' lines were not "
                    "read one by one")
        if not self.has_mbox_quoted_lines():
            return None
        with self._lock:
            spent = self._mbox_mixed is not None and self._mbox_mixed.passes >= MBOX_MIXED_PASSES
        if spent:
            return (f"the line-by-line readings were computed {MBOX_MIXED_PASSES} times for this message's signatures, "
                    "and no more")
        total = sum(1 for _ in _MBOXO_QUOTED.finditer(self.raw, self.body_start - 1))
        if total > MBOX_MIXED_LINES:
            return (f"only the first {MBOX_MIXED_LINES} of its {total} lines starting with '>From ' were read both "
                    "ways, the later ones un-quoted")
        return None

    def mbox_established_reading(self, body_hashes: Callable[[], Iterable[tuple[tuple[str, str, int | None], bytes]]]
                                 ) -> str | None:
        """The reading of a mailbox entry's body that its signatures' body hashes establish
        (``body_hashes``: each signature's request and bh=, as ``body_hash_request`` reads them):
        the one reading some of them match, when none matches another; None otherwise. A body hash
        is the hash of the body as its signer saw it, and one writer quoted the stored entry, so a
        reading one of them matches is the body as it was then. Computed once, on first call."""
        with self._lock:
            if self._mbox_established is not None:
                return self._mbox_established[0]
        wanted = list(body_hashes())
        # One pass over each body per canonicalization, for every body hash at once.
        self.prepare_body_hashes(request for request, _ in wanted)
        matched = {"stored" for request, expected in wanted if self.body_hash(*request)[0] == expected}
        rest = [(request, expected) for request, expected in wanted if self.body_hash(*request)[0] != expected]
        for name, body in self.mbox_readings() if rest else ():
            body.prepare_body_hashes(request for request, _ in rest)
            if any(body.body_hash(*request)[0] == expected for request, expected in rest):
                matched.add(name)
        established = next(iter(matched)) if len(matched) == 1 else None
        with self._lock:
            if self._mbox_established is None:
                self._mbox_established = (established,)
            return self._mbox_established[0]

    def with_header(self, header: bytes) -> SplitMessage:
        """This message's body under the header section ``header`` (the fields up to its first
        empty line, read as ``_split`` reads a message's): the header a copy keeps when the
        message's own was rebuilt from it. The body and its hashes are shared, not recomputed."""
        fields = _split(header)
        other = SplitMessage(fields.headers, self.raw, self.body_start, self.body_needs_crlf, self.body_has_cr,
                             fields.skipped_lines)
        # One lock for the one body-hash cache the two share.
        other._body_hashes = self._body_hashes
        other._lock = self._lock
        return other

    def field_positions(self) -> dict[bytes, list[int]]:
        """Lower-cased field name -> positions in ``headers``, top first (built once)."""
        with self._lock:
            if self._positions is None:
                positions: dict[bytes, list[int]] = {}
                headers = self.headers
                names = headers.names() if isinstance(headers, _FieldsOfText) else map(_first, headers)
                for position, name in enumerate(names):
                    positions.setdefault(name.lower(), []).append(position)
                self._positions = positions
            return self._positions

    def field_key(self, position: int) -> Hashable:
        """What the field at ``position`` is cached under in _header_hashes: its position in the
        message split from the bytes, or, for a field a copy changed, its name and value."""
        return position if self._field_key_of is None else self._field_key_of(position)

    def _copy_with(self, headers: Sequence[HeaderPair], key_of: Callable[[int], Hashable]) -> SplitMessage:
        copy = SplitMessage(headers, self.raw, self.body_start, self.body_needs_crlf, self.body_has_cr,
                            self.skipped_lines)
        copy._header_hashes = self._header_hashes
        copy._field_key_of = key_of
        return copy

    def without_field(self, position: int) -> SplitMessage:
        """This message without the field at ``position`` (a re-verification without an added
        From:), sharing this message's canonical fields and signed-field hashes."""
        key = self.field_key
        return self._copy_with([*self.headers[:position], *self.headers[position + 1:]],
                               lambda at: key(at if at < position else at + 1))

    def with_field(self, position: int, field: HeaderPair) -> SplitMessage:
        """This message with the field at ``position`` replaced by ``field`` (a re-verification with a
        Subject tag taken off), sharing this message's canonical fields and signed-field hashes."""
        key = self.field_key
        headers = list(self.headers)
        headers[position] = field
        return self._copy_with(headers, lambda at: ("field", field) if at == position else key(at))

    def fields_view(self, fields: Sequence[HeaderPair], positions: Sequence[int] | None) -> SplitMessage:
        """``fields`` as a message of header fields alone (ARC's usable fields), sharing this message's
        caches: field ``i`` is this message's at ``positions[i]`` when it is that very pair, else
        cached by its name and value (a field rewritten for dkimpy, or ``positions`` None)."""
        own = self.headers
        # Once per view, not per lookup: a field of a long header is a fresh copy each time it is read.
        keys: list[Hashable] = []
        for at, field in enumerate(fields):
            source = own[positions[at]] if positions is not None and at < len(positions) else None
            keys.append(self.field_key(positions[at]) if source is not None and positions is not None
                        and (source is field or source == field) else ("field", field))
        key_of = keys.__getitem__

        view = SplitMessage(fields, b"", 0)
        view._header_hashes = self._header_hashes
        view._field_key_of = key_of
        return view

    def _canonical_texts(self, algorithm: str, positions: Sequence[int]) -> list[bytes]:
        cache = self._header_hashes
        keys = [(algorithm, self.field_key(position)) for position in positions]
        with cache.lock:
            cached = [cache.fields.get(key) for key in keys]
        texts: list[bytes] = []
        made: dict[tuple[str, Hashable], bytes] = {}
        for position, key, text in zip(positions, keys, cached, strict=True):
            if text is None:
                text = made.get(key)
                if text is None:
                    name, value = canonicalize_header(algorithm, self.headers[position])
                    text = made[key] = name + b":" + value
            texts.append(text)
        if made:
            with cache.lock:
                cache.fields.update(made)
        return texts

    def canonical_fields(self, algorithm: str, positions: Sequence[int]) -> bytes:
        """The fields at ``positions`` canonicalized with ``simple`` or ``relaxed`` (RFC 6376
        section 3.4), each as ``name:value``, in the given order: the text the header hash
        covers before the signature field. Each field is canonicalized once per message."""
        return b"".join(self._canonical_texts(algorithm, positions))

    def signed_fields_hash(self, canon: str, algorithm: str, positions: Sequence[int],
                           pay: Callable[[int], None] | None = None) -> Any:
        """A hash object (of signature algorithm ``algorithm``'s hash) fed the fields at ``positions``
        canonicalized by ``canon``: the part of a header hash before the signature field (RFC 6376
        section 3.7). ``pay`` is called first with what the hashing costs in bytes (none when the hash
        is cached, else the fields' length and FIELD_OVERHEAD_BYTES each) and may raise to refuse it.
        The same fields are hashed once per message (MAX_CACHED_FIELD_HASHES selections): another key
        record, another signature with the same h=, a copy without an added From: get a copy of that
        hash (a copy: the caller feeds it its signature field)."""
        cache = self._header_hashes
        key = canon, _HASH_OF[algorithm], tuple(map(self.field_key, positions))
        with cache.lock:
            state = cache.prefixes.get(key)
        if state is not None:
            if pay is not None:
                pay(0)
            return state.copy()
        if pay is not None:
            headers = self.headers
            pay(sum(len(name) + len(value) for name, value in map(headers.__getitem__, positions))
                + FIELD_OVERHEAD_BYTES * len(positions))
        hasher = HASHES[algorithm]()
        hasher.update(b"".join(self._canonical_texts(canon, positions)))
        with cache.lock:
            if len(cache.prefixes) < MAX_CACHED_FIELD_HASHES:
                cache.prefixes[key] = hasher.copy()
        return hasher


class _HeaderHashes:
    """A message's canonical header fields and hashes of signed-field selections (SplitMessage)."""

    __slots__ = ("fields", "lock", "prefixes")

    def __init__(self) -> None:
        self.fields: dict[tuple[str, Hashable], bytes] = {}
        """(canonicalization, field key) -> ``name:value`` canonicalized."""
        self.prefixes: dict[Hashable, Any] = {}
        """(canonicalization, hash name, field keys) -> a hash object fed those fields."""
        self.lock = threading.Lock()


MAX_CACHED_FIELD_HASHES = 64
"""Signed-field selections whose hash is kept per message: real mail has a few (one per distinct h=
and copy); past these, each is hashed again, and paid for (VerificationBudget)."""
FIELD_OVERHEAD_BYTES = 256
"""What canonicalizing one field costs beyond its bytes (Python calls), counted as bytes."""


MBOX_MIXED_LINES = 4
"""Lines starting with exactly ">From " read both ways (un-quoted, or as stored) in a mailbox
entry's line-by-line readings (SplitMessage.mbox_mixed_reading_of): 2**4 readings at most."""
MBOX_MIXED_MAX_BODY = 16 << 20
"""A body over this size is not read line by line: each of up to 16 readings is a pass over it."""
MBOX_MIXED_PASSES = 32
"""Line-by-line readings computed for one message at most (a pass over the body each): twice the
readings of one body, so fifty signatures asking for different body hashes cost no more."""
MIXED_PREFIX = "mixed:"


class _MixedReadings:
    """The body hashes of a message's line-by-line readings (SplitMessage.mbox_mixed_reading_of)."""

    __slots__ = ("digests", "passes")

    def __init__(self) -> None:
        self.digests: dict[str, dict[tuple[str, str, int | None], tuple[bytes, int]]] = {}
        """Reading's name -> the body hashes computed over it (as SplitMessage._body_hashes)."""
        self.passes = 0
        """Readings computed (MBOX_MIXED_PASSES at most)."""


def mbox_mixed_name(numbers: list[int], choice: int, total: int) -> str:
    """The name of a line-by-line reading: ``mixed:``, the body line numbers (from 1) of the
    lines read both ways (``numbers``) that ``choice`` un-quotes (bit i for line i), "/", those
    it leaves as stored, "/", how many lines start with ">From " in all (``total``; those past
    ``numbers`` are un-quoted)."""
    taken = [str(number) for bit, number in enumerate(numbers) if choice >> bit & 1]
    left = [str(number) for bit, number in enumerate(numbers) if not choice >> bit & 1]
    return f"{MIXED_PREFIX}{','.join(taken)}/{','.join(left)}/{total}"


def _unquoted(body: bytes, unquoted: list[int]) -> bytes:
    """``body`` (from the line end before its first line) without the ">" after each line end
    at ``unquoted`` (in order), and without that leading line end."""
    pieces, start = [], 1
    for at in unquoted:
        pieces.append(body[start:at + 1])
        start = at + 2
    pieces.append(body[start:])
    return b"".join(pieces)


def _reading(message: SplitMessage, raw: bytes) -> SplitMessage:
    """``message`` with the body ``raw`` (a mailbox reading of its body: only ">" characters
    removed, so the line ends and their flags stay), its first body hash computed with every one
    ``message`` has (_wanted)."""
    reading = SplitMessage(message.headers, raw, 0, message.body_needs_crlf, message.body_has_cr,
                           message.skipped_lines)
    reading._header_hashes, reading._field_key_of = message._header_hashes, message._field_key_of
    with message._lock:
        reading._wanted = tuple((canon, _ALGORITHM_OF[hash_name], length)
                                for canon, hash_name, length in message._body_hashes)
    return reading


def canonicalize_header(algorithm: str, pair: HeaderPair) -> HeaderPair:
    """dkimpy's header canonicalization of one field (RFC 6376 sections 3.4.1 and 3.4.2)."""
    if algorithm == "relaxed":
        name, value = pair
        return (name.lower().rstrip(), _relaxed_value(value) + b"\r\n")
    return pair


def _relaxed_value(value: bytes) -> bytes:
    """dkimpy's relaxed header value: ``_WSP_RUN.sub(b" ", _LINE_SPLIT.sub(b"", value)).strip()``.

    The same bytes with fewer regex passes (``_LINE_SPLIT`` has no literal to look for, so
    sre tries a match at every byte). When every LF follows a CR, as in the fields ``_split``
    builds, the line breaks ``_LINE_SPLIT`` removes are exactly the CRLF pairs; and when
    there is no tab and no two spaces in a row, every WSP run is one SP already.
    """
    unfolded = value.replace(b"\r\n", b"")
    # bytes.find, not ``in``: ``in`` first tries the operand as an integer (a failed
    # conversion that raises and clears an exception, costlier than these short searches).
    if unfolded.find(b"\n") >= 0:
        unfolded = _LINE_SPLIT.sub(b"", value)  # a bare LF: let the pattern decide
    if unfolded.find(b"\t") >= 0 or unfolded.find(b"  ") >= 0:
        unfolded = _WSP_RUN.sub(b" ", unfolded)
    return unfolded.strip()


def _split(raw: bytes) -> SplitMessage:
    """dkimpy's ``rfc822_parse`` without its exception on a stray line (RFC 5322 section 2.2).

    Same result (lines end at CRLF or LF, the body is re-joined with CRLF), but the body is
    neither split into lines nor copied: it is read from ``raw`` when it is hashed.
    """
    if raw.startswith(b"\r\n"):
        head, body_start = b"", 2
    elif raw.startswith(b"\n"):
        head, body_start = b"", 1
    else:
        head, body_start = _split_at_blank_line(raw)
    has_cr = raw.find(b"\r", body_start) >= 0
    if has_cr:
        needs_crlf = raw.count(b"\n", body_start) != raw.count(b"\r\n", body_start)
    else:
        needs_crlf = raw.find(b"\n", body_start) >= 0
    fields_at_once = _fields_of_clean_head(head)
    if fields_at_once is not None:
        return SplitMessage(fields_at_once, raw, body_start, needs_crlf, has_cr, 0)
    # Each field as its name and value parts, joined once at the end (a field folded over
    # 100 000 lines must not cost 100 000 copies).
    fields: list[tuple[bytes, list[bytes]]] = []
    skipped = 0
    lines = head.split(b"\n") if head else []
    if head.find(b"\r") >= 0:  # find, not ``in``: see _relaxed_value
        # Lines end at CRLF or LF; a CR not followed by LF stays part of the line.
        lines[:-1] = [piece[:-1] if piece.endswith(b"\r") else piece for piece in lines[:-1]]
    for line in lines:
        if not line:
            continue  # only a trailing line break of a body-less message
        first = line[0]
        if first == 0x20 or first == 0x09:  # continuation line (RFC 5322 section 2.2.3)
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
    headers = [(name, b"".join(parts)) for name, parts in fields]
    return SplitMessage(headers, raw, body_start, needs_crlf, has_cr, skipped)


# A field of a header whose every line ends in CR LF: its name, and its value with its
# continuation lines (RFC 5322 section 2.2.3), each line with its CR LF.
_CRLF_FIELD = re.compile(rb"^([\x21-\x39\x3b-\x7e]+)[ \t]*:([^\n]*\n(?:[ \t][^\n]*\n)*)", re.MULTILINE)
# A line that is neither a field's first line nor a continuation line (the literal LF first
# lets sre skip to each line end, not try every byte).
_STRAY_LINE = re.compile(rb"\n(?![ \t]|[\x21-\x39\x3b-\x7e]+[ \t]*:)")


def _fields_of_clean_head(head: bytes) -> Sequence[HeaderPair] | None:
    """``_split``'s fields of ``head`` by C-level regex passes, not a Python step per line (a
    header of a million lines, V42b D4); None when a line is neither a field nor a continuation
    line (skipped lines, and continuation lines that join a field across them: the line loop
    says what those give).

    The line loop ends a line at LF, takes one CR before it off, and gives each line of a field
    CR LF: the same as making every line end CR LF first (each LF with at most one CR before it
    becomes CR LF; a CR without LF stays, the last line's too) and reading each field's lines
    with their ends as they are."""
    if not head:
        return []
    text = head.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if not text.endswith(b"\n"):
        text += b"\r\n"  # the last line: the loop gives it CR LF too
    # The first line must be a field's; after it, every line a field's or a continuation line
    # (the final LF is left out of the search: nothing follows it).
    if _HEADER_NAME.match(text) is None or _STRAY_LINE.search(text, 0, len(text) - 1) is not None:
        return None
    if text.count(b"\n") <= _HELD_FIELDS_UP_TO_LINES:
        fields: list[HeaderPair] = _CRLF_FIELD.findall(text)
        return fields
    # Every line is a field's first line or a continuation line, so each LF not before a blank
    # (but the last) starts a field, whose value runs to the next one: _CRLF_FIELD's fields.
    starts = array("q", [0])
    starts.extend(map(_match_end, _FIELD_AFTER_LF.finditer(text, 0, len(text) - 1)))
    return _FieldsOfText(text, starts)


_HELD_FIELDS_UP_TO_LINES = 4096
"""A clean header of at most this many lines is split into a list of (name, value) pairs (each
field read by a Python call costs an ordinary message more than the pairs' memory); a longer one
into _FieldsOfText, which makes each pair when asked."""
_FIELD_AFTER_LF = re.compile(rb"\n(?![ \t])")
_FIELD_LINE_NAME = re.compile(rb"^([\x21-\x39\x3b-\x7e]+)[ \t]*:", re.MULTILINE)
_name_of = cast("Callable[[re.Match[bytes]], bytes]", operator.itemgetter(1))
_first = cast("Callable[[HeaderPair], bytes]", operator.itemgetter(0))
_match_end = cast("Callable[[re.Match[bytes]], int]", re.Match.end)


class _FieldsOfText(Sequence[HeaderPair]):
    """The (name, value) fields of a header all of whose lines are fields' first lines or
    continuation lines, made from its text when asked (as _CRLF_FIELD reads them), not held: a
    tuple and two bytes objects for each of a million fields (a sender's padding) was 150 bytes a
    field. Holds the text and where each field starts (8 bytes a field)."""

    __slots__ = ("_starts", "_text")

    def __init__(self, text: bytes, starts: array[int]) -> None:
        self._text = text
        self._starts = starts

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, index: int) -> HeaderPair: ...

    @overload
    def __getitem__(self, index: slice) -> list[HeaderPair]: ...

    def __getitem__(self, index: int | slice) -> HeaderPair | list[HeaderPair]:
        starts = self._starts
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(len(starts)))]
        start = starts[index]  # IndexError past either end, as a list's
        following = (index if index >= 0 else index + len(starts)) + 1
        end = starts[following] if following < len(starts) else len(self._text)
        name = _HEADER_NAME.match(self._text, start)
        assert name is not None  # every start is a field's first line (_fields_of_clean_head)
        return name.group(1), self._text[name.end():end]

    def __iter__(self) -> Iterator[HeaderPair]:
        return map(self._field, range(len(self._starts)))

    def _field(self, index: int) -> HeaderPair:
        return self[index]

    def names(self) -> Iterator[bytes]:
        """Each field's name, in order: ``(name for name, _ in self)`` by one C-level search (a
        continuation line starts with SP or HTAB, so a name at a line's start is a field's)."""
        return map(_name_of, _FIELD_LINE_NAME.finditer(self._text))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, _FieldsOfText)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # as a list's: equal to its list of fields

    def __repr__(self) -> str:
        return repr(list(self))


_BLANK_LINE = re.compile(rb"\n\r?\n")


def _split_at_blank_line(raw: bytes) -> tuple[bytes, int]:
    """(header section, body offset) at the first empty line.

    One search for the earlier of LF LF and LF CR LF that stops there: searching for each
    separator in turn scanned the whole body for the one the message does not use. Linear:
    the pattern starts with a literal LF and each attempt reads at most three bytes.
    """
    found = _BLANK_LINE.search(raw)
    if found is None:
        return raw, len(raw)
    first = found.start()
    start = first - 1 if first and raw[first - 1:first] == b"\r" else first
    return raw[:start], found.end()


_split_lock = threading.Lock()
_last_split: tuple[bytes, SplitMessage] | None = None


def split_message(raw: bytes) -> SplitMessage:
    """Split once per message: the DKIM and ARC checks of one analysis share the result.

    One slot, matched by identity (hashing a 50 MB message to look it up would cost more
    than it saves); ``release`` empties it so a finished message is not kept alive.
    """
    global _last_split
    with _split_lock:
        if _last_split is not None and _last_split[0] is raw:
            return _last_split[1]
    split = _split(raw)
    with _split_lock:
        _last_split = (raw, split)
    return split


def release(raw: bytes) -> None:
    """Forget the split of ``raw`` (called when the last check of a message is done)."""
    global _last_split
    with _split_lock:
        if _last_split is not None and _last_split[0] is raw:
            _last_split = None


# ---------------------------------------------------------------- keys and signatures


@frozen
class PublicKey(Value):
    """A DKIM public key read from ``p=``."""

    kind: str
    """``rsa`` or ``ed25519``."""
    bits: int
    """RSA modulus size, 256 for ed25519."""
    key: Any
    """dkimpy's RSA key dict or a nacl VerifyKey."""


# A p= shorter than this cannot hold a key that costs a verification more than the largest one
# load_public_key accepts (a 16384-bit modulus with a 64-bit exponent, about 16384**2 * 64 in units of
# modulus bits squared times exponent bits): L base64 characters hold 6L bits, and a modulus of m bits
# with an exponent of e bits, m + e <= 6L, costs at most 32 * L**3 (m = 4L, e = 2L), under that bound
# while L < 814. (It was 2,800, a 16384-bit modulus's length: an 11,000-bit modulus with a 5,470-bit
# exponent fits in 2,796 characters and cost 1.4 s per key in dkimpy's pure-Python pow(): a forger's
# ARC selector of 22 such keys took a minute, verification V47d.)
_CHEAP_KEY_CHARS = 800


def costly_key_refusal(record: str) -> str | None:
    """Why an RSA key record is refused for its size (a modulus over MAX_RSA_BITS, an exponent over
    MAX_RSA_EXPONENT_BITS bits: load_public_key's bounds), or None: a key that would cost a
    verification more than any real key does. Other defects are left to the checks that read them."""
    tags = parse_tag_list(record)
    p_value = "".join((tags.get("p") or "").split())
    if not p_value or (tags.get("k") or "rsa").strip().lower() != "rsa" or len(p_value) < _CHEAP_KEY_CHARS:
        return None  # too short to hold a key that costs more than the largest one accepted
    loaded = load_public_key("rsa", p_value)
    return loaded if isinstance(loaded, str) and loaded.startswith(("RSA key of", "RSA public exponent")) else None


def oversized_key_words(record: str) -> str | None:
    """For a key record ``costly_key_refusal`` refuses, why it is no key to try, with its sizes:
    "not usable, too large to verify (an RSA key of 16384 bits with a 16000-bit exponent; ...)";
    None for any other record. Only refused records are read again here (they are rare, and
    load_public_key keeps no numbers for them)."""
    if costly_key_refusal(record) is None:
        return None
    sizes = ""
    try:
        p_value = "".join((parse_tag_list(record).get("p") or "").split())
        parsed = dkim_crypto.parse_public_key(base64.b64decode(p_value, validate=True))
        sizes = (f"an RSA key of {int(parsed['modulus']).bit_length()} bits with a "
                 f"{int(parsed['publicExponent']).bit_length()}-bit exponent; ")
    except Exception:  # noqa: BLE001 - refused already; its sizes are only words
        pass
    return (f"not usable, too large to verify ({sizes}at most {MAX_RSA_BITS}-bit keys and "
            f"{MAX_RSA_EXPONENT_BITS}-bit exponents are verified)")


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
        # Imported here: only ed25519 keys need PyNaCl, and its import costs every start-up.
        import nacl.exceptions
        import nacl.signing

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


# ---------------------------------------------------------------- verification budget

_ED25519_VERIFICATION_COST = 2048 ** 2 * 17
"""An ed25519 check costs about what an RSA one with a 2048-bit modulus and exponent 65537 does."""

COSTLY_VERIFICATION = 8192 ** 2 * 17
"""A verification costing more than this (in verification_cost's units) is a costly one: no key of
the usual sizes (up to 8192 bits with exponent 65537, dkim.MAX_USUAL_RSA_BITS) comes to it."""

MESSAGE_VERIFICATION_BUDGET = 16 * MAX_RSA_BITS ** 2 * MAX_RSA_EXPONENT_BITS
"""The work the DKIM and ARC signature checks of one message may cost together, in
verification_cost's units: sixteen verifications with the largest key load_public_key accepts (a
16384-bit modulus, a 64-bit exponent: 30 to 50 ms each in Python's pow()), under a second. It
holds about 3,800 verifications with 2048-bit keys of exponent 65537, 950 with 4096-bit ones: real
mail (a few signatures and ARC sets, each verified once or twice) never comes near it. Per-key
bounds alone let a forger's 50 ARC sets and 50 signatures over selectors of four such keys cost
28 s of CPU (verification V48b D1-2)."""

OPEN_BUDGET_SHARE = MESSAGE_VERIFICATION_BUDGET * 3 // 4
"""The most of the budget spent in all before a verification is refused, for every verification
but a cheap one (COSTLY_VERIFICATION at most) of a DKIM signature aligned with From:: the last
quarter is kept for those, the signatures DMARC rests on, so that signatures a forger adds above
them (of its own domain, with costly keys) cannot leave them untried. Verification keeps the
header order (the report's evidence is in first-use order); this reserve, not an order, puts them first."""

ARC_BUDGET_SHARE = MESSAGE_VERIFICATION_BUDGET // 2
"""The most of the budget ARC may spend: ARC is checked before DKIM (its verified seals are read
with the receiver's records, api._checks), and a forger's ARC sets must not leave nothing for the
DKIM signatures aligned with From:, the ones DMARC rests on."""


def verification_cost(kind: str, modulus_bits: int, exponent_bits: int) -> int:
    """An upper bound of what one signature check with a key costs, in units of a modular
    exponentiation's work: modulus bits squared times exponent bits (one squaring and reduction per
    exponent bit, each at most quadratic in the modulus in Python's arithmetic)."""
    if kind == "ed25519":
        return _ED25519_VERIFICATION_COST
    return modulus_bits * modulus_bits * max(exponent_bits, 1)


def key_verification_cost(key: PublicKey) -> int:
    """verification_cost of a key load_public_key gave."""
    if key.kind != "rsa":
        return _ED25519_VERIFICATION_COST
    return verification_cost("rsa", key.bits, int(key.key["publicExponent"]).bit_length())


HASHED_BYTE_COST = 2048
"""What canonicalizing and hashing one byte of the signed header fields costs, in verification_cost's
units (about 5 ns in Python's regex and hashlib, where a unit is about 2.4 ps of pow()): a
verification is paid for with its key's cost and these bytes (the fields not hashed before, and the
signature field), so that the budget holds about 130 MB of it. A real message's signed fields are
a few kilobytes (MTAs refuse headers over 100 KB or so): hundreds of verifications of them cost
less than one with a 16384-bit key. Per-key costs alone let a forger's 50 ARC sets or 50 DKIM
signatures over 4 cheap key records each, naming 5 MB of fields, cost 48 s and 14 s of CPU
canonicalizing and hashing the same fields again (verification V53a D1-1, D1-2)."""
DKIMPY_BYTE_COST = 16 * HASHED_BYTE_COST
"""The same for a signature left to dkimpy whole (an l= or c= _Arc does not read itself): its
regexes canonicalize every field and the body, about ten times slower."""


class VerificationBudgetSpent(Exception):
    """A signature check was not tried: the message's VerificationBudget could not pay for it."""


class VerificationBudget:
    """What the DKIM and ARC signature checks of one analysis may still cost, shared by the two
    (api._checks makes one per message). Each verification is paid for before it runs; one the
    budget cannot pay for is not tried (``spend`` is False), and the signature it was for is said
    as not verified: never a pass, never a failure excused, never a key record that "may have been
    used". A lock: the checks of one message may run in threads."""

    __slots__ = ("_lock", "arc_costly", "arc_paid", "arc_share", "costly", "hashed", "limit", "open_share", "paid",
                 "refused", "spent")

    def __init__(self, limit: int = MESSAGE_VERIFICATION_BUDGET) -> None:
        self.limit = limit
        """The work allowed in all (verification_cost's units)."""
        self.open_share = limit * OPEN_BUDGET_SHARE // MESSAGE_VERIFICATION_BUDGET
        """OPEN_BUDGET_SHARE of this budget."""
        self.arc_share = limit * ARC_BUDGET_SHARE // MESSAGE_VERIFICATION_BUDGET
        """ARC_BUDGET_SHARE of this budget."""
        self.spent = 0
        """The work paid for so far."""
        self.paid = 0
        """Verifications paid for."""
        self.costly = 0
        """Of those, the ones costing more than COSTLY_VERIFICATION."""
        self.refused = 0
        """Verifications not tried for want of budget."""
        self.hashed = 0
        """Bytes of signed fields (and bodies) paid for hashing."""
        self.arc_paid = 0
        """Of the verifications paid for, ARC's (spend's ``arc``)."""
        self.arc_costly = 0
        """Of ARC's, the ones costing more than COSTLY_VERIFICATION."""
        self._lock = threading.Lock()

    def spend(self, cost: int, ceiling: int | None = None, hashed: int = 0, byte_cost: int = HASHED_BYTE_COST,
              arc: bool = False) -> bool:
        """Pay for a verification with a key of ``cost`` (verification_cost) that hashes ``hashed``
        bytes at ``byte_cost`` each, when the budget holds it (with no more than ``ceiling`` spent in
        all, when given: ARC_BUDGET_SHARE); False, and counted as refused, when it does not. ``arc``:
        ARC pays (counted in arc_paid)."""
        with self._lock:
            bound = self.limit if ceiling is None else min(self.limit, ceiling)
            total = cost + hashed * byte_cost
            if self.spent + total > bound:
                self.refused += 1
                return False
            self.spent += total
            self.paid += 1
            self.arc_paid += arc
            self.hashed += hashed
            if cost > COSTLY_VERIFICATION:
                self.costly += 1
                self.arc_costly += arc
            return True

    def spent_words(self) -> str:
        """What the budget has paid for so far, ARC's part said apart (ARC is checked first, so a DKIM
        signature's words count ARC's verifications too, and ARC's words say them alone): "12
        verifications, 12 of them with costly keys (...), 8 of them by ARC; 3.0 MB of signed fields hashed"."""
        with self._lock:
            paid, costly, arc_paid, hashed = self.paid, self.costly, self.arc_paid, self.hashed
        words = f"{paid} verification{'' if paid == 1 else 's'}"
        if costly:
            words += f", {costly} of {'them' if paid > 1 else 'it'} with costly keys (large moduli or exponents)"
        if arc_paid:
            words += (f", {arc_paid} of them by ARC" if arc_paid < paid else
                      " by ARC" if paid == 1 else ", all by ARC")
        if hashed >= 1 << 20:
            words += f"; {hashed / (1 << 20):.1f} MB of signed fields hashed"
        return words

    def arc_words(self) -> str:
        """Why an ARC signature was not verified: ARC's share (ARC_BUDGET_SHARE) was spent, with the
        verifications ARC paid for (DKIM's come after: ARC is checked first)."""
        with self._lock:
            arc_paid, arc_costly = self.arc_paid, self.arc_costly
        costly = (f", {arc_costly} of {'them' if arc_paid > 1 else 'it'} with costly keys (large moduli or exponents)"
                  if arc_costly else "")
        return (f"not verified: ARC's share (half) of this message's signature-checking budget was spent ({arc_paid} "
                f"verification{'' if arc_paid == 1 else 's'} by ARC{costly})")

    def words(self) -> str:
        """Why a signature was not verified, with what the budget was spent on."""
        return (f"not verified: this message's signature-checking budget was spent ({self.spent_words()}), so it "
                "was not tried")


class BudgetClaim:
    """What one DKIM signature may draw from the message's VerificationBudget: up to
    OPEN_BUDGET_SHARE, and for a cheap key the reserve too when it is aligned with From:."""

    __slots__ = ("aligned", "budget")

    def __init__(self, budget: VerificationBudget, aligned: bool) -> None:
        self.budget = budget
        self.aligned = aligned

    def pay(self, key: PublicKey, hashed: int = 0) -> None:
        """Pays for a verification with ``key`` that hashes ``hashed`` bytes of signed fields;
        VerificationBudgetSpent when the budget cannot. The reserve is for a cheap key (its bytes
        too: those of the fields the aligned signature signs)."""
        cost = key_verification_cost(key)
        reserved = self.aligned and cost <= COSTLY_VERIFICATION
        if not self.budget.spend(cost, None if reserved else self.budget.open_share, hashed):
            raise VerificationBudgetSpent(self.budget.words())


def select_header_positions(message: SplitMessage, include_headers: Sequence[bytes]) -> list[int]:
    """Positions of the fields ``h=`` names, as RFC 6376 section 5.4.2 selects them.

    Each name takes the lowest not-yet-used field of that name (fields are signed from the
    bottom up); a name with no field left selects nothing. Same selection as dkimpy's
    ``select_headers``, in time linear in ``h=`` plus the header section.
    """
    positions = message.field_positions()
    used: dict[bytes, int] = {}
    selected: list[int] = []
    for name in include_headers:
        candidates = positions.get(name)
        taken = used.get(name, 0)
        if candidates is not None and taken < len(candidates):
            selected.append(candidates[-1 - taken])
        used[name] = taken + 1
    return selected


_B_TAG = re.compile(rb"b\s*=")
_B_VALUE = re.compile(rb"[\sA-Za-z0-9+/=]*")
_SPACE = b" \t\r\n\x0b\x0c"  # bytes-regex \s
_BEFORE_B_TAG = frozenset(b";" + _SPACE)


def _b_tag_value_start(value: bytes, position: int) -> int:
    """Where the value of the first ``[;\\s]b\\s*=`` match at or after ``position`` starts, or -1.

    The ``b\\s*=`` part is searched and the byte before it checked here: a pattern starting
    with a literal lets sre skip to each "b" instead of testing a character class at every
    byte. Candidates rejected by that check are passed over one at a time, so the leftmost
    match is the one found.
    """
    search = position + 1
    while True:
        match = _B_TAG.search(value, search)
        if match is None:
            return -1
        if value[match.start() - 1] in _BEFORE_B_TAG:
            return match.end()
        search = match.start() + 1


def blank_b_tag(value: bytes) -> bytes:
    """The signature field value with the ``b=`` value removed (RFC 6376 section 3.7).

    The same text dkimpy's ``RE_BTAG`` substitution leaves (every ``b=`` tag preceded by
    ";" or whitespace loses its base64 and FWS up to the last base64 character, plus a line
    break ending the field), found with linear patterns.
    """
    out: list[bytes] = []
    position = 0
    while True:
        value_start = _b_tag_value_start(value, position)
        if value_start < 0:
            break
        run_end = _B_VALUE.match(value, value_start).end()  # type: ignore[union-attr]
        end = value_start + len(value[value_start:run_end].rstrip(_SPACE))
        if value[end:] in (b"\r\n", b"\n"):
            end = len(value)
        out.append(value[position:value_start])
        position = end
    out.append(value[position:])
    return b"".join(out)


def verify_header_signature(message: SplitMessage, *, header_canon: str, algorithm: str,
                            include_headers: Sequence[str], signature_field: HeaderPair,
                            signature: bytes, key: PublicKey, budget: BudgetClaim | None = None) -> bool | str:
    """Check ``b=`` over the signed header fields (RFC 6376 section 3.7, RFC 8463 section 3).

    True/False for a verdict; a string when the check itself could not run. ``budget``: paid
    before the key's arithmetic runs; VerificationBudgetSpent when it cannot pay (not tried).
    """
    include = [name.lower().encode("utf-8", "replace") for name in include_headers]
    try:
        positions = select_header_positions(message, include)
        # The signature field itself, with b= empty and without its final CRLF.
        name, value = canonicalize_header(header_canon, (signature_field[0], blank_b_tag(signature_field[1])))
    except Exception as exc:  # noqa: BLE001 - hostile input must not escape the wrapper
        return f"could not hash the signed header fields: {exc}"
    pay: Callable[[int], None] | None = None
    if budget is not None:
        claim = budget

        def pay(hashed: int) -> None:
            # Before the fields are hashed: a hash cached for the message costs nothing again.
            claim.pay(key, hashed + len(signature_field[1]))

    try:
        hasher = message.signed_fields_hash(header_canon, algorithm, positions, pay)
        hasher.update(name + b":" + value.rstrip())
    except VerificationBudgetSpent:
        raise
    except Exception as exc:  # noqa: BLE001 - hostile input must not escape the wrapper
        return f"could not hash the signed header fields: {exc}"
    if key.kind == "ed25519":
        import nacl.exceptions  # loaded already: the key was made by load_public_key

        try:
            key.key.verify(hasher.digest(), signature)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError, TypeError):
            return False
        return True
    try:
        return rsa_verify(hasher, signature, key.key)
    except (dkim_crypto.DigestTooLargeError, TypeError, ValueError):
        # The key is too small to hold the digest: no signature can verify with it.
        return False


def rsa_verify(hasher: Any, signature: bytes, public_key: dict[str, int]) -> bool:
    """RSASSA-PKCS1-v1_5 verification (RFC 8017 section 8.2.2).

    dkimpy's ``RSASSA_PKCS1_v1_5_verify`` converts between integers and bytes one byte at
    a time; ``int.from_bytes``/``int.to_bytes`` give the same values. Unlike dkimpy, a
    signature that is not exactly as long as the modulus, or whose value is not below it,
    is invalid (RFC 8017 section 8.2.2 step 1, section 5.2.2 step 1), as OpenSSL-based
    verifiers judge it. After ``use_openssl_rsa()`` OpenSSL does the arithmetic.
    """
    modulus = public_key["modulus"]
    if modulus <= 0:
        return False
    size = (modulus.bit_length() + 7) // 8
    value = int.from_bytes(signature, "big")
    if len(signature) != size or value >= modulus:
        return False
    if _openssl_verify is not None:
        # The same check (RSAVP1, then the encoded message compared whole: OpenSSL rebuilds
        # the DigestInfo and compares it too), several times faster than Python's pow on a
        # 2048-bit key; a key too small for the digest fails there as it does below. None:
        # OpenSSL would not take this key, and the arithmetic decides.
        verdict = _openssl_verify(modulus, public_key["publicExponent"], signature, hasher)
        if verdict is not None:
            return verdict
    # Raises DigestTooLargeError when the key is too small to hold the digest (the caller's False).
    encoded = dkim_crypto.EMSA_PKCS1_v1_5_encode(hasher, size)
    return bool(pow(value, public_key["publicExponent"], modulus).to_bytes(size, "big") == encoded)


_bytes_repr_re = compiled_on_first_use(r"\bb'([^'\\]{0,60})'")


_openssl_verify: Callable[[int, int, bytes, Any], bool | None] | None = None


def use_openssl_rsa() -> bool:
    """Verify RSA signatures through the ``cryptography`` package (OpenSSL) from now on.

    A scan calls this once: importing ``cryptography`` costs about 30 ms, more than the
    pure-Python check of the few signatures of a single message, so ``analyze`` of one
    message does not. Returns False (and changes nothing) when the package is missing.
    """
    global _openssl_verify
    if _openssl_verify is not None:
        return True
    try:
        from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
    except ImportError:
        return False
    prehashed = {"sha256": utils.Prehashed(hashes.SHA256()), "sha1": utils.Prehashed(hashes.SHA1())}
    pkcs1 = padding.PKCS1v15()

    @functools.lru_cache(maxsize=512)
    def public_key(modulus: int, exponent: int) -> Any:
        try:
            return rsa.RSAPublicNumbers(exponent, modulus).public_key()
        except (ValueError, UnsupportedAlgorithm):
            return None  # OpenSSL refuses the numbers: dkimpy's arithmetic decides

    def verify(modulus: int, exponent: int, signature: bytes, hasher: Any) -> bool | None:
        key = public_key(modulus, exponent)
        algorithm = prehashed.get(hasher.name)
        if key is None or algorithm is None:
            return None
        try:
            key.verify(signature, hasher.digest(), pkcs1, algorithm)
        except InvalidSignature:
            return False
        except (ValueError, UnsupportedAlgorithm):
            return None
        return True

    _openssl_verify = verify
    return True


# ---------------------------------------------------------------- DNS adapter

_FWS = " \t\r\n"


def _other_version(record: str) -> bool:
    """Whether a TXT record begins with a v= tag of another value than DKIM1 (an SPF record at the
    selector's name, v=DKIM2): RFC 6376 section 3.6.1 says such records MUST be discarded. Tag
    names are case-sensitive (section 3.2), and white space may surround the tag and its value."""
    text = record.lstrip(_FWS)
    if text[:1] != "v":
        return False
    rest = text[1:].lstrip(_FWS)
    return rest[:1] == "=" and rest[1:].partition(";")[0].strip(_FWS) != "DKIM1"


def key_record(name: str, records: Sequence[Sequence[str]]) -> tuple[str, str | None]:
    """The key record used among the TXT records at ``name`` (each as its character-strings, which
    are concatenated: RFC 6376 section 3.6.2.2), and, when there are several, the note saying which.
    Those beginning with a v= of another value are discarded (RFC 6376 section 3.6.1), so DNS's
    order, which is none (RFC 1034 section 3.6), cannot put an SPF record in front of the key
    (verification V40c defect 4). Several remain: the result is undefined (section 3.6.2.2) and
    section 6.1.2 step 3 lets the verifier choose one: the first. None remains: the first is
    judged, whose v= is then the reason given. DKIM (dkim._fetch_key) and ARC (DnsFunc, the key of
    every ARC-Seal and ARC-Message-Signature: RFC 8617 section 5.2 uses DKIM's key lookup) both
    choose here. ``records`` is not empty."""
    if len(records) == 1:
        return "".join(records[0]), None
    texts = ["".join(strings) for strings in records]
    kept = [record for record in texts if not _other_version(record)]
    discarded = len(texts) - len(kept)
    if not kept or not discarded:
        return texts[0], f"{name} has {len(texts)} TXT records; the first was used"
    which = "the first of the others" if len(kept) > 1 else "the other"
    return kept[0], (f"{name} has {len(texts)} TXT records; {discarded} beginning with a v= other than DKIM1 "
                     f"{'was' if discarded == 1 else 'were'} discarded (RFC 6376 section 3.6.1), {which} used")


def key_record_position(records: Sequence[Sequence[str]]) -> int:
    """The position (from 0, in the answer's order) of the record ``key_record`` uses."""
    if len(records) == 1:
        return 0
    for position, strings in enumerate(records):
        if not _other_version("".join(strings)):
            return position
    return 0


MAX_KEY_RECORDS = 4
"""Key records tried per selector and signature: the one ``key_record`` uses, then while none has
verified the signature the selector's other usable ones (RFC 6376 section 6.1.2 lets a verifier
cycle through them), so a hostile answer of many records costs a few verifications at most."""


def _usable_key_text(text: str) -> bool:
    """Whether a TXT record is a key to try: a v= of DKIM1 or none (anywhere, as dkimpy reads it:
    RFC 6376 section 3.6.1) and a p= that is not empty (an empty one is a revoked key)."""
    tags = parse_tag_list(text)
    return tags.get("v") in (None, "DKIM1") and bool("".join((tags.get("p") or "").split()))


def other_key_records(records: Sequence[Sequence[str]]) -> tuple[tuple[tuple[int, str], ...], int]:
    """The selector's other key records to try when the one ``key_record`` uses does not verify
    a signature, as (position, text) in the answer's order (DNS gives no order: RFC 1034 section
    3.6), at most MAX_KEY_RECORDS - 1 of them; and how many more were left untried. Records with a
    v= of another value or an empty p= (revoked) are no key and not counted."""
    if len(records) < 2:
        return (), 0
    first = key_record_position(records)
    others = [(position, text) for position, text in (
        (position, "".join(strings)) for position, strings in enumerate(records) if position != first)
        if _usable_key_text(text)]
    return tuple(others[:MAX_KEY_RECORDS - 1]), max(0, len(others) - (MAX_KEY_RECORDS - 1))


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def ordinal(position: int) -> str:
    """'first' for position 0 ... 'tenth', then '11th', '12th', '21st' ..."""
    number = position + 1
    if number <= len(_ORDINALS):
        return _ORDINALS[position]
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _ordinals(positions: Sequence[int]) -> str:
    """'the second', 'the second and third', 'the first, third and fourth'; past five, a count."""
    if len(positions) > 5:
        return f"{len(positions)} of them"
    words = [ordinal(position) for position in positions]
    return "the " + (words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1])


def _record_fate(text: str) -> str:
    """Why a record before the one that verified did not: it was no key, a key too large to verify
    (never tried: oversized_key_words), or did not verify it."""
    tags = parse_tag_list(text)
    if tags.get("v") not in (None, "DKIM1"):
        return "not a DKIM key (v= other than DKIM1)"
    if "p" in tags and not "".join((tags.get("p") or "").split()):
        return "revoked (empty p=)"
    return oversized_key_words(text) or ""


def key_records_verified_words(name: str, records: Sequence[Sequence[str]], position: int) -> str:
    """Which TXT record at a selector verified a signature when the one ``key_record`` uses did not:
    "the second of 3 TXT records at NAME verified it; the first did not" (with what each record
    before it was: revoked, no DKIM key)."""
    fates: dict[str, list[int]] = {}
    for before, strings in enumerate(records[:position]):
        fates.setdefault(_record_fate("".join(strings)), []).append(before)
    said = [f"{_ordinals(positions)} {'did' if fate == '' else 'is' if len(positions) == 1 else 'are'}"
            f"{' not' if fate == '' else ' ' + fate}" for fate, positions in fates.items()]
    return f"the {ordinal(position)} of {len(records)} TXT records at {name} verified it; " + ", ".join(said)


def key_records_tried_words(tried: Sequence[int], untried: int, too_large: Sequence[tuple[int, str]] = (),
                            unpaid: int = 0) -> str:
    """What was tried beside the record used when no key record verified a signature; and which
    records were not tried for their size (``too_large``: positions and oversized_key_words), or for
    want of budget (``unpaid``: the message's VerificationBudget was spent)."""
    said = [f"{_ordinals(tried)} {'was' if len(tried) == 1 else 'were'} tried too and did not verify it"] if tried else []
    said += [f"the {ordinal(position)} is {words}" for position, words in too_large]
    if unpaid:
        said.append(f"{unpaid} {'more' if tried or too_large else 'other'} key record{'' if unpaid == 1 else 's'} "
                    f"not tried ({BUDGET_SPENT_WORDS})")
    words = ", ".join(said)
    if untried:
        words += (f", {untried} more key record{'' if untried == 1 else 's'} not tried (at most "
                  f"{MAX_KEY_RECORDS} are tried per selector)")
    return words


BUDGET_SPENT_WORDS = "this message's signature-checking budget was spent"
"""Why a verification was not done (VerificationBudget), said where the budget's figures are not."""


def key_record_count(records: Sequence[Sequence[str]]) -> int:
    """How many of the TXT records at a selector (each as its character-strings) another verifier
    could use as the key: those without a v= of another value than DKIM1 wherever the tag is (RFC
    6376 section 3.6.1; dkimpy refuses one anywhere as "bad version", so such a record is no key
    to any verifier even where ``key_record``, which looks at the start only, did not discard it).
    More than one: the one used was chosen among several (section 3.6.2.2), and a verifier may have
    used another (section 6.1.2). Asked only of a revoked record's selector (dkim, arc)."""
    return sum(1 for strings in records if parse_tag_list("".join(strings)).get("v") in (None, "DKIM1"))


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
        text = self.key_text(answer)
        refusal = costly_key_refusal(text)
        if refusal is not None:
            # dkimpy's pure-Python check would run its pow() on it unbounded (verification V45f:
            # a forger's own ARC selector of 16384-bit moduli and 16000-bit exponents stalled one
            # analysis for minutes): refused as DKIM refuses it (load_public_key).
            raise dkim.KeyFormatError(refusal)
        return text.encode("utf-8", "replace")

    @staticmethod
    def key_text(answer: DnsAnswer) -> str:
        """The key record of a usable answer, as DKIM chooses it among several (key_record)."""
        return key_record(answer.name, answer.records)[0]

    def answer_for(self, name: str) -> DnsAnswer | None:
        """The answer already fetched for a key name (any case, with or without final dot)."""
        wanted = name.rstrip(".").lower()
        for qname, answer in self._memo.items():
            if qname.rstrip(".").lower() == wanted:
                return answer
        return None

    @property
    def replays(self) -> bool:
        """Whether the answers come from a stored file (Resolver.replays_stored_answers)."""
        return self._resolver.replays_stored_answers

    @property
    def failures(self) -> tuple[DnsAnswer, ...]:
        """Answers that were SERVFAIL, TIMEOUT or OFFLINE."""
        return tuple(a for a in self.answers if a.temporary_failure or a.status == DnsStatus.OFFLINE)


# ---------------------------------------------------------------- ARC


@frozen
class ArcInstanceCheck(Value):
    """dkimpy's verdict on one ARC set."""

    instance: int
    ams_valid: bool
    seal_valid: bool | None
    cv: str | None
    seal_domain: str | None
    seal_selector: str | None


@frozen
class ArcOutcome(Value):
    """dkimpy's chain verdict: cv ``pass``/``fail``/``none``, or ``terminated`` (a seal
    reported cv=fail, dkimpy's None), or ``error`` when dkimpy raised."""

    cv: str
    reason: str
    instances: tuple[ArcInstanceCheck, ...]
    body_unchecked: tuple[int, ...] = ()
    """The instances whose ARC-Message-Signature was verified over its signed header fields alone,
    its body hash not matching a body that is not the original (``verify_arc``'s
    ``body_uncheckable``); their ``ams_valid`` says whether those fields verify."""
    mbox_readings: tuple[tuple[int, str], ...] = ()
    """For a mailbox's entry with quoted "From " lines (``verify_arc``'s ``mbox_quoted``): each
    instance whose ARC-Message-Signature's body hash matched, and the reading it matched
    (``stored``, or one of ``SplitMessage.mbox_reading_matching``'s: a whole reading, or a
    line-by-line one, whose name starts with MIXED_PREFIX)."""
    mbox_unmatched: tuple[int, ...] = ()
    """The instances whose body hash matched the entry's body in no reading: verified over their
    signed header fields alone, as ``body_unchecked`` (their ``ams_valid`` says whether those verify)."""
    mbox_judged: tuple[tuple[int, str], ...] = ()
    """The instances whose body hash matched no reading while other signatures' establish one
    (``SplitMessage.mbox_established_reading``): a mismatch over that reading, and the reading."""
    key_records: tuple[KeyRecordsTried, ...] = ()
    """The signatures whose key record (the one ``key_record`` uses) did not verify them and for which
    the selector's other key records were tried (``other_key_records``), in the order checked."""
    not_verified: tuple[tuple[str, int], ...] = ()
    """The signatures (``seal`` or ``ams``, instance) the message's VerificationBudget could not pay
    for, with the record used or another record at its selector: not tried, and dkimpy's ``False``
    for them no verdict (``verify_arc``'s ``budget``)."""


@frozen
class KeyRecordsTried(Value):
    """Another key record tried for an ARC signature (RFC 6376 section 6.1.2, RFC 8617 section 5.2)."""

    kind: str
    """``seal`` (ARC-Seal) or ``ams`` (ARC-Message-Signature)."""
    instance: int
    name: str
    """The selector's name (``s._domainkey.d``)."""
    verified: int | None
    """The position (from 0, in the answer's order) of the record that verified it; None: none did."""
    tried: tuple[int, ...]
    """The positions of the other records tried (the one used not among them)."""
    untried: int
    """Key records left untried past MAX_KEY_RECORDS."""
    too_large: tuple[tuple[int, str], ...] = ()
    """The other records not tried for their size: positions and oversized_key_words."""
    body_changed: bool = False
    """Its body hash does not match the body: no key record can verify it (RFC 6376 section 3.7:
    the body hash does not depend on the key), so no other record was tried."""
    unpaid: int = 0
    """Other key records not tried because the message's VerificationBudget was spent (after the
    record used was tried and did not verify it)."""


class _BodyHashMismatch(dkim.ValidationError):  # type: ignore[misc]
    """An ARC-Message-Signature's bh= is not the body's hash: a failure no key record changes."""


class _NotPaidFor(dkim.ValidationError):  # type: ignore[misc]
    """The message's VerificationBudget could not pay for an ARC signature check: not tried (dkimpy
    reads it as not valid; _Arc.not_verified says it was not tried)."""


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
    return b" " + _relaxed_value(value) + b"\r\n"


def arc_headers_for_dkimpy(headers: Sequence[HeaderPair]) -> list[HeaderPair]:
    """Headers with the dkimpy ARC-Message-Signature lookup bug worked around (see module doc).

    ARC-Seals are rewritten the same way (they are hashed relaxed, RFC 8617 section 4.1.3):
    it also takes the folding whitespace out of the text dkimpy's ``RE_BTAG`` scans.
    """
    out: list[HeaderPair] = []
    for name, value in headers:
        if name.lower() in (b"arc-message-signature", b"arc-seal"):
            rewritten = _relaxed_ams(value)
            if rewritten is not None:
                out.append((name, rewritten))
                continue
        out.append((name, value))
    return out


_ARC_FIELD_NAMES = (b"arc-seal", b"arc-message-signature", b"arc-authentication-results")


def _ams_signed_names(value: bytes) -> list[bytes]:
    """The names an ARC-Message-Signature's h= lists, read as dkimpy's ``verify_instance`` reads
    them (its relaxed value, ``parse_tag_value``, split at colons, lower-cased); none when dkimpy
    could not read the field (it then fails that set before hashing any field)."""
    try:
        ((_, relaxed),) = dkim_canon.Relaxed.canonicalize_headers([(b"ARC-Message-Signature", value)])
        signed = dkim_util.parse_tag_value(relaxed).get(b"h")
    except Exception:  # noqa: BLE001 - dkimpy raises several kinds on a malformed field
        return []
    return [] if signed is None else [name.lower() for name in re.split(rb"\s*:\s*", signed)]


def arc_usable_fields(message: SplitMessage) -> Sequence[HeaderPair]:
    """The fields dkimpy's ARC verifier can use, in their order: every ARC field, and of each name
    some ARC-Message-Signature's h= lists, the last as many as all h= lists name it (one more
    From:, which dkimpy adds to every h= that has one: its bug#644046 check).

    dkimpy reads the rest for nothing: it canonicalizes every field for every signature and scans
    them all for each ARC set, a cost of seconds on a header padded to a million fields. The
    verdict is the same: dkimpy selects the fields to hash as RFC 6376 section 5.4.2 does, for
    each h= name the lowest not yet used field of that name (``select_headers``), so only the last
    fields of each signed name can be chosen, and the ARC fields keep their order among themselves.
    """
    positions = message.field_positions()
    chosen: list[int] = []
    for name in _ARC_FIELD_NAMES:
        chosen.extend(positions.get(name, ()))
    wanted: dict[bytes, int] = {b"from": 1}
    for position in positions.get(b"arc-message-signature", ()):
        for name in _ams_signed_names(message.headers[position][1]):
            wanted[name] = wanted.get(name, 0) + 1
    for name, count in wanted.items():
        if name not in _ARC_FIELD_NAMES:
            chosen.extend(positions.get(name, [])[-count:])
    if len(chosen) == len(message.headers):
        return message.headers
    chosen.sort()
    return _UsableFields(chosen, [message.headers[position] for position in chosen])


class _UsableFields(list[HeaderPair]):
    """arc_usable_fields' fields, with their positions in the message (for SplitMessage.fields_view)."""

    def __init__(self, positions: list[int], fields: list[HeaderPair]) -> None:
        super().__init__(fields)
        self.positions = positions


_BODY_CANON = {b"simple": "simple", b"relaxed": "relaxed"}


class _Arc(dkim.ARC):  # type: ignore[misc]
    """dkimpy's ARC verifier with the AMS body hash taken from our cached, streamed hashes.

    dkimpy canonicalizes (copies) the whole body for every ARC-Message-Signature; here the
    ``bh=`` check of ``verify_sig_process`` is done first from ``SplitMessage.body_hash``
    with the same rules (c= body algorithm, a= hash, l= prefix), then dkimpy checks the
    rest with ``bh=`` taken out. Anything unusual (unknown c= or a=, l= that is not a
    non-negative number) goes to dkimpy unchanged, with the body materialized for it.
    """

    def __init__(self, message: SplitMessage, body_uncheckable: bool = False, mbox_quoted: bool = False,
                 mbox_established: Callable[[], str | None] | None = None,
                 budget: VerificationBudget | None = None) -> None:
        super().__init__(None, logger=_LOGGER, minkey=1024)
        self._budget = budget
        self._verifications = 0
        """Signature checks paid for and run (_paid_process)."""
        self.not_verified: dict[tuple[str, int], None] = {}
        """See ArcOutcome.not_verified (in the order met)."""
        usable = arc_usable_fields(message)
        self.headers = arc_headers_for_dkimpy(usable)
        positions = range(len(usable)) if usable is message.headers else getattr(usable, "positions", None)
        self._fields = message.fields_view(self.headers, positions)
        """self.headers, whose canonical forms and hashes are cached with the message's (_signed_fields_process)."""
        self.body = b""
        self._split = message
        self._body_uncheckable = body_uncheckable
        self._mbox_quoted = mbox_quoted and message.has_mbox_quoted_lines()
        self.body_unchecked: set[int] = set()
        """The i= of each AMS verified without its body hash (see ``verify_arc``)."""
        self._mbox_established = mbox_established
        self.mbox_readings: dict[int, str] = {}
        self.mbox_unmatched: set[int] = set()
        self.mbox_judged: dict[int, str] = {}
        """See ArcOutcome.mbox_readings, mbox_unmatched and mbox_judged."""
        self.key_records: list[KeyRecordsTried] = []
        """See ArcOutcome.key_records."""

    def sorted_arc_headers(self) -> Any:
        """dkimpy's, over the ARC fields alone: it relaxed-canonicalizes every field to pick out the ARC
        ones (by their relaxed names), so the signed fields were canonicalized once more for nothing."""
        every = self.headers
        self.headers = [field for field in every if field[0].lower().rstrip() in dkim.ARC.ARC_HEADERS]
        try:
            return super().sorted_arc_headers()
        finally:
            self.headers = every

    def verify_sig(self, sig: dict[bytes, bytes], include_headers: list[bytes], sig_header: HeaderPair,
                   dnsfunc: Any) -> Any:
        """dkimpy's check of one seal or AMS with the key record ``DnsFunc`` gives it, then, when that
        does not verify it, with the selector's other key records (``other_key_records``: RFC 6376
        section 6.1.2 lets a verifier cycle through them, and RFC 8617 section 5.2 looks an ARC key
        up as a DKIM key). A failure that is not the key's (a body hash mismatch, a malformed field)
        is raised by the first check and ends there."""
        signed = list(include_headers)  # dkimpy appends to the list it is given
        kind = "seal" if sig_header[0].lower() == b"arc-seal" else "ams"
        paid_before = self._verifications
        try:
            valid = super().verify_sig(sig, include_headers, sig_header, dnsfunc)
        except _BodyHashMismatch:
            # The body changed whatever the key: with several records at the selector, said so
            # rather than which record was used (verification V45f).
            self._body_changed(sig, kind, dnsfunc)
            raise
        except dkim.KeyFormatError:
            # The record used is no key dkimpy can use (a revoked one's empty p=): the selector's
            # other key records may be (verification V45b D1: a revoked record put first beside
            # the real key left a seal over changed fields unjudged, read as a DNS change).
            if not isinstance(dnsfunc, DnsFunc) or not self._first_record_revoked(sig, dnsfunc):
                raise
            valid = False
        except ValueError:
            # The record used holds a key of another type than the signature's (PyNaCl refuses an
            # RSA signature's length for an ed25519 key): another record may hold the right one
            # (verification V45f: an ed25519 record listed first aborted all of ARC).
            if not isinstance(dnsfunc, DnsFunc) or not other_key_records(self._records_of(sig, dnsfunc))[0]:
                raise
            valid = False
        if valid is True or not isinstance(dnsfunc, DnsFunc):
            return valid
        name = (sig.get(b"s", b"") + b"._domainkey." + sig.get(b"d", b"")).decode("utf-8", "replace")
        answer = dnsfunc.answer_for(name)
        if answer is None or not answer.ok or len(answer.records) < 2:
            return valid
        others, untried = other_key_records(answer.records)
        instance = _instance_number(sig)
        if not others or instance is None:
            return valid
        # Whether the record used was verified (paid for): not when it gave no key (a revoked record).
        record_used_tried = self._verifications > paid_before
        tried: list[int] = []
        too_large: list[tuple[int, str]] = []
        unpaid = 0
        for index, (position, text) in enumerate(others):
            refusal = oversized_key_words(text)
            if refusal is not None:
                # As the record used would be (DnsFunc): never handed to dkimpy's pow(), and said
                # as not usable rather than tried (verification V45f).
                too_large.append((position, refusal))
                continue
            tried.append(position)
            try:
                self.pk, self.keysize, self.ktag, self.seqtlsrpt = dkim.evaluate_pk(name, text.encode("utf-8", "replace"))
                verified = self.verify_sig_process(sig, list(signed), sig_header, dnsfunc) is True
            except _BodyHashMismatch:
                # The record used gave no key, so the body hash is first checked here: a mismatch
                # is the body's change, which no other record can verify (verification V45f: it was
                # said "tried too and did not verify it" of each record).
                self._body_changed(sig, kind, dnsfunc)
                raise
            except _NotPaidFor:
                tried.pop()
                if not record_used_tried:
                    # No key verified it yet: the signature is not verified (not_verified), whatever
                    # the records tried said.
                    untried += len(others) - index
                    break
                # The record used was tried and did not verify it: that failure stands, and this
                # record and those after it are said as not tried for want of budget (verification
                # V53a D2-1: "not tried" lost the record used's failure).
                self.not_verified.pop((kind, instance), None)
                rest = others[index + 1:]
                too_large += [(at, words) for at, record in rest if (words := oversized_key_words(record)) is not None]
                unpaid = 1 + sum(1 for _, record in rest if oversized_key_words(record) is None)
                break
            except (dkim.DKIMException, binascii.Error, ValueError, TypeError):
                # Not a key dkimpy can use, or one too small (its KeyFormatError): not this record.
                continue
            if verified:
                self.key_records.append(KeyRecordsTried(kind, instance, answer.name, position, tuple(tried), 0,
                                                        tuple(too_large)))
                return True
        self.key_records.append(KeyRecordsTried(kind, instance, answer.name, None, tuple(tried), untried,
                                                tuple(too_large), unpaid=unpaid))
        return valid

    def _body_changed(self, sig: dict[bytes, bytes], kind: str, dnsfunc: Any) -> None:
        """Notes that ``sig``'s body hash does not match, when its selector has several records."""
        instance = _instance_number(sig)
        if isinstance(dnsfunc, DnsFunc) and instance is not None and len(self._records_of(sig, dnsfunc)) > 1:
            name = (sig.get(b"s", b"") + b"._domainkey." + sig.get(b"d", b"")).decode("utf-8", "replace")
            self.key_records.append(KeyRecordsTried(kind, instance, name, None, (), 0, body_changed=True))

    @staticmethod
    def _records_of(sig: dict[bytes, bytes], dnsfunc: DnsFunc) -> Sequence[Sequence[str]]:
        """The TXT records at the selector ``sig`` names, as DnsFunc fetched them (none: ())."""
        name = (sig.get(b"s", b"") + b"._domainkey." + sig.get(b"d", b"")).decode("utf-8", "replace")
        answer = dnsfunc.answer_for(name)
        return answer.records if answer is not None and answer.ok else ()

    @staticmethod
    def _first_record_revoked(sig: dict[bytes, bytes], dnsfunc: DnsFunc) -> bool:
        """Whether the key record DnsFunc gave dkimpy for ``sig`` is a revoked one (empty p=)
        beside other key records at the selector."""
        records = _Arc._records_of(sig, dnsfunc)
        if len(records) < 2:
            return False
        key = parse_tag_list(key_record("", records)[0])
        return "p" in key and not "".join((key.get("p") or "").split())

    def _paid_process(self, sig: dict[bytes, bytes], include_headers: list[bytes],
                      sig_header: HeaderPair, dnsfunc: Any) -> Any:
        """The check of the signed fields with the key dkimpy read (``self.pk``), once the
        message's budget has paid for it (ARC_BUDGET_SHARE at most) with the bytes it hashes;
        not paid for: _NotPaidFor, and the signature is noted as not verified. A signature
        without ``bh=`` (its body hash checked here already) is checked by _signed_fields_process,
        over fields canonicalized and hashed once per message; another is left to dkimpy whole."""
        own = b"bh" not in sig
        if own:
            # dkimpy's checks before it hashes anything (verify_sig_process), with its errors.
            if self.tlsrpt == "strict" and not self.seqtlsrpt:
                raise dkim.ValidationError("Message is tlsrpt and Service Type is not tlsrpt")
            if not self.tlsrpt and self.seqtlsrpt:
                raise dkim.ValidationError("Message is not tlsrpt and Service Type is tlsrpt")
            try:
                policy = dkim_canon.CanonicalizationPolicy.from_c_value(sig.get(b"c", b"simple/simple"))
            except dkim_canon.InvalidCanonicalizationPolicyError as exc:
                raise dkim.MessageFormatError(f"invalid c= value: {exc.args[0]}") from None
            dkim.HASH_ALGORITHMS[sig[b"a"]]  # dkimpy's KeyError for an unknown a=
            canon = _BODY_CANON[policy.header_algorithm.name]
            algorithm = sig[b"a"].decode("ascii")
            # dkimpy's bug#644046 check: one more From: than h= names (see arc_usable_fields).
            if b"from" in include_headers:
                include_headers.append(b"from")
            positions = select_header_positions(self._fields, include_headers)
            hasher = self._fields.signed_fields_hash(
                canon, algorithm, positions,
                lambda hashed: self._pay(sig, sig_header, hashed + len(sig_header[1]), HASHED_BYTE_COST))
            return self._signed_fields_process(sig, canon, hasher, sig_header)
        # dkimpy canonicalizes every field and the body itself.
        self._pay(sig, sig_header, sum(len(name) + len(value) for name, value in self.headers) + len(self.body),
                  DKIMPY_BYTE_COST)
        return super().verify_sig_process(sig, include_headers, sig_header, dnsfunc)

    def _pay(self, sig: dict[bytes, bytes], sig_header: HeaderPair, hashed: int, byte_cost: int) -> None:
        """Pays for a check of ``sig`` with the key dkimpy read (``self.pk``) that hashes ``hashed``
        bytes at ``byte_cost`` each (ARC_BUDGET_SHARE at most); not paid for: _NotPaidFor, and the
        signature is noted as not verified."""
        if self._budget is not None:
            if self.ktag == b"rsa" and isinstance(self.pk, dict):
                cost = verification_cost("rsa", int(self.pk["modulus"]).bit_length(),
                                         int(self.pk["publicExponent"]).bit_length())
            else:
                cost = verification_cost("ed25519", 256, 0)
            if not self._budget.spend(cost, self._budget.arc_share, hashed, byte_cost, arc=True):
                instance = _instance_number(sig)
                kind = "seal" if sig_header[0].lower() == b"arc-seal" else "ams"
                if instance is not None:
                    self.not_verified[(kind, instance)] = None
                raise _NotPaidFor(self._budget.words())
        self._verifications += 1

    def _signed_fields_process(self, sig: dict[bytes, bytes], canon: str, hasher: Any, sig_header: HeaderPair) -> Any:
        """dkimpy's verify_sig_process without ``bh=``, given the hash of the signed fields (dkimpy's
        select_headers, with its added From:) that SplitMessage.signed_fields_hash gives: dkimpy
        canonicalized every usable field again for each verification, 400 times on 50 sets over
        selectors of 4 key records (verification V53a D1-1: 48 s on a 5 MB header). The same hash
        (canonicalize_header, blank_b_tag: dkimpy's canonicalization and RE_BTAG text), key checks
        and errors."""
        # The signature field itself, with b= empty and without its final CRLF (dkimpy's hash_headers).
        name, value = canonicalize_header(canon, (sig_header[0], blank_b_tag(sig_header[1])))
        hasher.update(name + b":" + value.rstrip())
        signature = base64.b64decode(re.sub(rb"\s+", b"", sig[b"b"]))
        if self.ktag == b"rsa":
            try:
                valid = dkim_crypto.RSASSA_PKCS1_v1_5_verify(hasher, signature, self.pk)
                if valid and self.keysize < self.minkey:
                    raise dkim.KeyFormatError(f"public key too small: {self.keysize}")
                return valid
            except (TypeError, dkim_crypto.DigestTooLargeError) as exc:
                raise dkim.KeyFormatError(f"digest too large for modulus: {exc}") from None
        if self.ktag == b"ed25519":
            import nacl.exceptions  # loaded already: dkimpy read an ed25519 key with it

            try:
                self.pk.verify(hasher.digest(), signature)
            except nacl.exceptions.BadSignatureError:
                return False
            return True
        raise dkim.UnknownKeyTypeError(self.ktag)

    def verify_sig_process(self, sig: dict[bytes, bytes], include_headers: list[bytes],
                           sig_header: HeaderPair, dnsfunc: Any) -> Any:
        body_hash = sig.get(b"bh")
        request = self._body_request(sig) if body_hash is not None else None
        if body_hash is not None and self._body_uncheckable and self._body_differs(body_hash, request):
            # The body is not the one that was signed (a .msg, a .partial.emlx): its hash says nothing, and
            # the signed header fields are checked alone, as a DKIM signature's are (dkim._verify).
            instance = _instance_number(sig)
            if instance is not None:
                self.body_unchecked.add(instance)
            checked = dict(sig)
            del checked[b"bh"]
            return self._paid_process(checked, include_headers, sig_header, dnsfunc)
        if body_hash is None or request is None:
            if body_hash is not None and not self.body:
                self.body = self._split.body
            return self._paid_process(sig, include_headers, sig_header, dnsfunc)
        digest, _ = self._split.body_hash(*request)
        try:
            expected = base64.b64decode(re.sub(rb"\s+", b"", body_hash))
        except (binascii.Error, ValueError) as exc:
            raise dkim.MessageFormatError(str(exc)) from None
        if self._mbox_quoted:
            # A mailbox's entry whose writer may have quoted its "From " lines: the body as stored,
            # then with that quoting undone, wholly or line by line (mbox_reading_matching, as
            # auth.dkim reads a DKIM signature's body); matching none, the signed header fields are
            # checked alone, as for a copy without the body.
            found = None if digest == expected else self._split.mbox_reading_matching(request, expected)
            reading = "stored" if digest == expected else found[0] if found is not None else None
            instance = _instance_number(sig)
            if reading is None:
                established = self._mbox_established() if self._mbox_established is not None else None
                if instance is None or established is not None:
                    # Another signature's body hash shows how the entry is to be read: over that
                    # body this one does not match, a change as on any message.
                    if instance is not None and established is not None:
                        self.mbox_judged[instance] = established
                    raise _BodyHashMismatch("body hash mismatch")
                self.mbox_unmatched.add(instance)
            elif instance is not None:
                self.mbox_readings[instance] = reading
            checked = dict(sig)
            del checked[b"bh"]
            return self._paid_process(checked, include_headers, sig_header, dnsfunc)
        if digest != expected:
            raise _BodyHashMismatch("body hash mismatch")
        checked = dict(sig)
        del checked[b"bh"]
        return self._paid_process(checked, include_headers, sig_header, dnsfunc)

    def _body_differs(self, body_hash: bytes, request: tuple[str, str, int | None] | None) -> bool:
        """Whether ``bh=`` is not the hash of the body by the signature's own rules; False when
        those rules or bh= cannot be read (such a signature fails as it always does)."""
        if request is None:
            return False
        try:
            expected = base64.b64decode(re.sub(rb"\s+", b"", body_hash))
        except (binascii.Error, ValueError):
            return False
        return self._split.body_hash(*request)[0] != expected

    @staticmethod
    def _body_request(sig: dict[bytes, bytes]) -> tuple[str, str, int | None] | None:
        try:
            policy = dkim_canon.CanonicalizationPolicy.from_c_value(sig.get(b"c", b"simple/simple"))
        except dkim_canon.InvalidCanonicalizationPolicyError:
            return None
        canon = _BODY_CANON.get(policy.body_algorithm.name)
        algorithm = sig.get(b"a", b"").decode("ascii", "replace")
        if canon is None or algorithm not in HASHES:
            return None
        length: int | None = None
        if b"l" in sig:
            text = sig[b"l"].strip()
            if not text.isdigit() or len(text) > 76:
                return None
            length = int(text)
        return canon, algorithm, length


def _instance_number(sig: dict[bytes, bytes]) -> int | None:
    """An ARC field's i= as a number, None when it is none (dkimpy fails such a set itself)."""
    instance = sig.get(b"i", b"").strip()
    return int(instance) if instance.isdigit() and len(instance) <= 9 else None


def body_hash_request(tags: TagList) -> tuple[tuple[str, str, int | None], bytes] | None:
    """A DKIM-Signature's or ARC-Message-Signature's body hash: ((body canonicalization, a=, l=),
    bh= decoded), read by its own tags (RFC 6376 section 3.5; c= defaults to simple/simple); None
    when a tag is missing or unknown, or bh= is not base64."""
    body_hash = tags.get("bh")
    sig = {name.encode("ascii", "replace"): (tags.get(name) or "").encode("ascii", "replace")
           for name in ("c", "a", "l") if name in tags}
    request = _Arc._body_request(sig)
    if body_hash is None or request is None:
        return None
    try:
        expected = base64.b64decode("".join(body_hash.split())[:200], validate=True)
    except (binascii.Error, ValueError):
        return None
    return request, expected


def ams_body_hash_matches(message: SplitMessage, tags: TagList, mbox_quoted: bool = False,
                          mbox_established: Callable[[], str | None] | None = None) -> bool | None:
    """Whether an ARC-Message-Signature's ``bh=`` is the hash of the body as it is now, by
    the signature's own c=, a= and l= (RFC 8617 section 4.1.2, RFC 6376 section 3.7); None
    when that cannot be computed (a tag missing or unknown, bh= not base64), or when the body is
    a mailbox's entry with quoted "From " lines (``mbox_quoted``) and matches in none of its
    readings (which quoting its writer used cannot be known: RFC 4155 section 2), unless the
    message's signatures establish one (``mbox_established``), over which it does not match."""
    read = body_hash_request(tags)
    if read is None:
        return None
    request, expected = read
    if message.body_hash(*request)[0] == expected:
        return True
    if not mbox_quoted or not message.has_mbox_quoted_lines():
        return False
    if message.mbox_reading_matching(request, expected) is not None:
        return True
    return False if mbox_established is not None and mbox_established() is not None else None


MAX_WSP_RUN = 998
"""Longest whitespace run accepted in an ARC signature field (RFC 5322 section 2.1.1 line limit)."""
_WSP_ANY = re.compile(rb"\s+")


def _long_whitespace(headers: Sequence[HeaderPair]) -> str | None:
    """Why dkimpy must not see these ARC fields, or None.

    dkimpy blanks ``b=`` with a regex whose nested FWS groups backtrack quadratically on
    long folded whitespace; no real signature has a whitespace run longer than a line.
    """
    for name, value in headers:
        if (name.lower() in (b"arc-seal", b"arc-message-signature") and len(value) > MAX_WSP_RUN
                and any(match.end() - match.start() > MAX_WSP_RUN for match in _WSP_ANY.finditer(value))):
            return f"{name.decode('ascii', 'replace')} has a run of more than {MAX_WSP_RUN} whitespace characters"
    return None


def verify_arc(message: SplitMessage, dnsfunc: DnsFunc, *, body_uncheckable: bool = False,
               mbox_quoted: bool = False, mbox_established: Callable[[], str | None] | None = None,
               budget: VerificationBudget | None = None) -> ArcOutcome:
    """Run dkimpy's ARC chain validation (RFC 8617 section 5.2); never raises.

    ``body_uncheckable``: the body is not the one that was signed (a message rebuilt from an
    Outlook .msg, Apple Mail's .partial.emlx): an ARC-Message-Signature whose body hash does not match it is verified over
    its signed header fields alone, and its instance listed in ``body_unchecked``.
    ``mbox_quoted``: the message is a mailbox's entry whose body may hold lines its writer quoted
    (LoadedInput.mbox_quoted): each body hash is matched against the body as stored and its
    ``SplitMessage.mbox_reading_matching`` readings (``mbox_readings``, ``mbox_unmatched``); ``mbox_established``
    gives the reading the message's signatures establish, over which one that matches no reading
    is a mismatch (``mbox_judged``). ``budget``: the message's VerificationBudget, of which ARC spends
    ARC_BUDGET_SHARE at most; the signatures it cannot pay for are ``not_verified``."""
    arc = _Arc(message, body_uncheckable, mbox_quoted, mbox_established, budget)
    too_long = _long_whitespace(arc.headers)
    if too_long:
        return ArcOutcome("error", too_long, ())
    # Every ARC-Message-Signature's body hash in one pass over the body per canonicalization, as
    # DKIM's are (prepare_body_hashes), not one canonicalization of the whole body per signature:
    # 50 sets, each with its own l= over a relaxed body full of tabs, cost 8 s on 5 MB, growing with
    # the body (verification V54b D-1). RFC 8617 section 4.2.2: at most 50 instances.
    message.prepare_body_hashes(_arc_body_requests(message))
    try:
        cv, results, reason = arc.verify(dnsfunc=dnsfunc)
    except Exception as exc:  # noqa: BLE001 - dkimpy raises IndexError, KeyError, ... on hostile input
        return ArcOutcome("error", _plain(f"{type(exc).__name__}: {exc}"), ())
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
    return ArcOutcome(cv_text, _plain(str(reason)), tuple(checks), tuple(sorted(arc.body_unchecked)),
                      tuple(sorted(arc.mbox_readings.items())), tuple(sorted(arc.mbox_unmatched)),
                      tuple(sorted(arc.mbox_judged.items())), tuple(arc.key_records), tuple(arc.not_verified))


_MAX_ARC_BODY_REQUESTS = 64
"""ARC-Message-Signatures whose body hash is prepared in the one pass (RFC 8617 allows 50 sets)."""


def _arc_body_requests(message: SplitMessage) -> list[tuple[str, str, int | None]]:
    """The (canonicalization, a=, l=) body hash requests of the message's ARC-Message-Signatures."""
    requests: list[tuple[str, str, int | None]] = []
    for name, value in message.headers:
        if name.lower() != b"arc-message-signature":
            continue
        read = body_hash_request(parse_tag_list(value.decode("ascii", "replace")))
        if read is not None:
            requests.append(read[0])
            if len(requests) >= _MAX_ARC_BODY_REQUESTS:
                break
    return requests


def _plain(text: str) -> str:
    """dkimpy's messages with its byte strings shown as text: "missing b'b'=" reads "missing b="."""
    return _bytes_repr_re().sub(lambda m: m.group(1), text) if "b'" in text else text
