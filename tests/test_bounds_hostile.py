"""Hostile-size input against the plain forms: the trailing-CRLF search of body canonicalization
(a body of a million empty lines), ..."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

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


def _arc_messages() -> list[bytes]:
    """The ValiMail ARC suite's messages, and dkimpy-sealed ones padded with decoys: fields of
    the signed names above and below the signed ones, a second From:, unsigned fields."""
    import dkim
    from test_arc_corpus import CASES, DKIMPY, _sealed, crlf

    messages = [crlf(case.values[0]) for case in CASES]
    key = (DKIMPY / "test.private").read_bytes()
    # dkimpy's signer signs From: twice; a sealer that lists it once leaves a second one to
    # dkimpy's own bug#644046 check.
    plain = crlf((DKIMPY / "test.message").read_bytes())
    once = b"".join(dkim.arc_sign(plain, b"test", b"example.com", key, b"lists.example.org", timestamp=1700000001,
                                  include_headers=[b"from", b"to", b"subject"])) + plain
    bases = [sealed.partition(b"\r\n\r\n") for sealed in (_sealed(1), _sealed(2), once)]
    decoys = [b"From: decoy@example.net", b"Subject: decoy", b"To: x@example.net", b"X-Pad: 1",
              b"DKIM-Signature: v=1", b"Date: Mon, 1 Jan 2024 00:00:00 +0000", b"from: lower@example.net"]
    rng = random.Random(42)
    for turn in range(90):
        head, _, body = bases[turn % 3]
        padded = head.split(b"\r\n")
        for _ in range(rng.randint(1, 6)):
            padded.insert(rng.randint(0, len(padded)), rng.choice(decoys))
        if turn % 9 == 2:
            padded.insert(0, b"From: above@example.net")
        message = b"\r\n".join(padded) + b"\r\n\r\n" + body
        messages.append(message)
        # Sealed again over the decoys: a set whose h= names fields that appear more than once.
        messages.append(b"".join(dkim.arc_sign(message, b"test", b"example.com", key, b"hop3.example.net",
                                               timestamp=1700000003)) + message)
    return messages


def test_arc_sees_only_the_fields_it_can_use_with_the_same_verdict(monkeypatch: Any) -> None:
    from test_arc_corpus import CASES, DNS

    from headerscope.dns.snapshot import SnapshotResolver

    resolvers = [SnapshotResolver(case.values[2]) for case in CASES]
    messages = _arc_messages()
    resolvers += [SnapshotResolver(DNS)] * (len(messages) - len(resolvers))
    fewer = 0
    verdicts: list[str] = []
    for raw, resolver in zip(messages, resolvers, strict=True):
        split = _dkimpy._split(raw)
        usable = _dkimpy.arc_usable_fields(split)
        fewer += len(usable) < len(split.headers)
        outcome = _dkimpy.verify_arc(split, _dkimpy.DnsFunc(resolver))
        verdicts.append(outcome.cv)
        with monkeypatch.context() as patched:
            patched.setattr(_dkimpy, "arc_usable_fields", lambda message: message.headers)
            assert _dkimpy.verify_arc(_dkimpy._split(raw), _dkimpy.DnsFunc(resolver)) == outcome, raw[:300]
    # Most messages have fields ARC cannot use; chains pass and fail (the decoys break some).
    assert fewer > 100
    assert verdicts.count("pass") > 40 and verdicts.count("fail") > 40, verdicts


def test_a_gzip_bomb_of_nuls_is_refused_in_time_linear_in_what_it_gives(tmp_path: Path, monkeypatch: Any) -> None:
    # V42b D5's bomb.mbox.gz scaled down: one mbox entry, then a line of NULs with no end, far
    # longer than a message may be. Small reads (as a decompressor gives) of a line kept whole
    # until its end was found cost a copy of the line per read: 4,096 reads of a 16 MB line.
    import gzip
    import time
    import tracemalloc

    from headerscope.scan import readers

    monkeypatch.setattr(readers, "_READ_CHUNK", 4096)
    monkeypatch.setattr(readers, "_EXPANSION_SLACK", 0)
    entry = b"From a@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nSubject: x\n\nbody\n"
    compressed = gzip.compress(entry + b"From b@example.com Mon Jan  1 00:00:00 2024\nSubject: y\n\n" + b"\0" * (48 << 20))
    monkeypatch.setattr(readers, "_MAX_EXPANSION", (24 << 20) // len(compressed))
    bomb = tmp_path / "bomb.mbox.gz"
    bomb.write_bytes(compressed)
    started = time.process_time()
    tracemalloc.start()
    try:
        items = list(readers.iter_inputs([str(bomb)], max_message=16 << 20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Linear: well under a second; the copies took about ten (a loaded machine is slower by two).
    assert time.process_time() - started < 4
    # The line held is at most a message's worth, never copied whole (old: twice that at each read).
    assert peak < (16 << 20) * 1.3, peak
    assert items[0].error is None and items[0].data is not None and items[0].data.endswith(b"body\n")
    assert items[-1].error == (f"it decompresses to over {readers._MAX_EXPANSION} times its size: "
                               "not read further")
