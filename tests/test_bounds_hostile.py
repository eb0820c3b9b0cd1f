"""Hostile-size input against the plain forms: the trailing-CRLF search of body canonicalization
(a body of a million empty lines), ..."""

from __future__ import annotations

import random

import dkim.canonicalization as dkim_canon

from headerscope.auth import _dkimpy


def _plain_trailing_crlfs_start(buffer: bytes, start: int, stop: int) -> int:
    # The loop _canonical_pieces ran before: two bytes a step.
    kept = stop
    while kept - start >= 2 and buffer.startswith(b"\r\n", kept - 2, kept):
        kept -= 2
    return kept


def test_trailing_crlfs_start_matches_the_plain_loop() -> None:
    rng = random.Random(42)
    pieces = [b"\r\n", b"\r", b"\n", b"a", b"\r\r", b"\n\n", b"\r\n" * 7, b" "]
    samples = [b"", b"\r", b"\n", b"\r\n", b"\n\r\n", b"\r\r\n", b"a\r\n", b"\r\n\r"]
    for count in range(12):
        for lead in (b"", b"a", b"\r", b"\n", b"\r\r", b"\n\n", b"\r\n\n", b"\n\r", b"a\r", b"a\n"):
            for tail in (b"", b"\r", b"\n"):
                samples.append(lead + b"\r\n" * count + tail)
    for _ in range(4000):
        samples.append(b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 16))))
    for sample in samples:
        for start in range(min(len(sample), 3) + 1):
            for stop in {len(sample), max(start, len(sample) - 1)}:
                assert _dkimpy.trailing_crlfs_start(sample, start, stop) == \
                    _plain_trailing_crlfs_start(sample, start, stop), (sample, start, stop)


def test_a_body_of_many_empty_lines_canonicalizes_as_dkimpy() -> None:
    # Chunks of empty lines only, then text, then more: odd counts, lone CR and LF between.
    for body in (b"x\r\n" + b"\r\n" * 100_001, b"\r\n" * 70_000 + b"x\r\n" + b"\r\n" * 5,
                 b"x\n" + b"\n" * 100_001, b"x\r\n" + b"\r\n" * 40_000 + b"\r" + b"\r\n" * 40_000,
                 b"x\r\n" + b"\r\n" * 40_000 + b"\n" + b"\r\n" * 40_001 + b"y"):
        raw = b"From: a@example.com\r\n\r\n" + body
        split = _dkimpy._split(raw)
        assert split.canonical_body("simple") == dkim_canon.Simple.canonicalize_body(split.body)
        assert split.canonical_body("relaxed") == bytes(dkim_canon.Relaxed.canonicalize_body(split.body))
