"""What a header of a million lines costs the loader: the C-level readings give the line-by-line
answers (on random and edge inputs), and the per-line costs they removed stay removed."""

from __future__ import annotations

import random
import tracemalloc
from typing import Any

from headerscope import loader, text
from headerscope.loader import load_bytes

_LINE_PIECES = (b"", b" ", b"\t", b" \t ", b"x", b"a: b", b" x", b"\xa0", b"\x0b", b"\x0c", b"\x00", b"\r", b"\t\t")
_ENDS = (b"\n", b"\r\n", b"\r", b"\r\r\n", b"")


def _random_input(rng: random.Random, lines: int) -> bytes:
    return b"".join(rng.choice(_LINE_PIECES) + rng.choice(_ENDS) for _ in range(lines))


def _blank_from_line_by_line(lines: loader._Lines, start: int) -> bool:
    """The reading _Lines.blank_from had before it joined blocks of lines."""
    if not all(loader._is_blank(line) for line in lines.text[start:]):
        return False
    return loader._BLANK_REST.fullmatch(lines._data, lines._pos) is not None


def test_blank_from_gives_the_line_by_line_answer() -> None:
    # Blank runs across the block edges (8, 40, 168, 680 lines), a non-blank line before, at and
    # after each edge, starts past the end and from the end (negative), lines split in part.
    rng = random.Random(45)
    for _ in range(2500):
        size = rng.choice((0, 1, 7, 8, 9, 39, 40, 41, 167, 168, 169, 700, 3000))
        blank = rng.random() < 0.7
        pieces = [rng.choice((b"", b" ", b"\t", b" \t")) + rng.choice(_ENDS[:3]) for _ in range(size)]
        if not blank and pieces:
            at = rng.choice((0, len(pieces) - 1, rng.randrange(len(pieces)), min(8, len(pieces) - 1)))
            pieces[at] = rng.choice((b"x", b"\xa0", b"\x0b", b" y ", b"\x00")) + rng.choice(_ENDS[:3])
        data = rng.choice((b"a: b\n", b"a: b\r\n", b"")) + b"".join(pieces) + rng.choice((b"", b"z", b" \r\n", b"\n\nbody"))
        lines = loader._Lines(data)
        for _ in range(rng.randrange(0, 4)):
            lines._split_more()
        for start in {0, 1, 2, 8, 9, len(lines.text), len(lines.text) + 3, -1, -9, rng.randrange(-20, len(lines.text) + 2)}:
            assert lines.blank_from(start) == _blank_from_line_by_line(lines, start), (data, start)


def test_a_field_of_millions_of_lone_crs_is_not_read_a_line_at_a_time(monkeypatch: Any) -> None:
    # "X-A: " and lone CRs: each CR ends a line (RFC 5322 has none; splitlines reads one), so the
    # field is 500 000 empty lines, which five steps asked about one _is_blank call at a time
    # (2.5 million CRs took 5 s). A sender controls all of it.
    calls = 0
    plain = loader._is_blank

    def counted(line: bytes) -> bool:
        nonlocal calls
        calls += 1
        return plain(line)

    monkeypatch.setattr(loader, "_is_blank", counted)
    loaded = load_bytes(b"X-A: " + b"\r" * 500_000 + b"\r\n", source="x")
    assert loaded.format == "headers-only"
    assert calls < 1000


def test_line_ends_are_each_lines_own_end_and_shared() -> None:
    # One kind of line end throughout (every LF, every CR LF), with and without a last line end,
    # a lone CR at the end, a CR LF across a chunk's edge; and mixed ends (the general reading).
    rng = random.Random(45)
    shapes = [b"a: b\n" * 3000, b"a: b\r\n" * 3000, b"a: b\r\n" * 3000 + b"c", b"a: b\n" * 3000 + b"c",
              b"a: b\r\n" * 10 + b"c\r", b"\r\n", b"\n", b"\r", b"x", b"a\r\n\n", b"a\n\r\n", b"a\r\r\n"]
    shapes += [_random_input(rng, rng.randrange(1, 3000 if rng.random() < 0.1 else 20)) for _ in range(400)]
    for data in shapes:
        lines = loader._Lines(data)
        lines.split_all()
        assert lines.text == data.splitlines()
        assert lines.ends == [whole[len(line):] for whole, line in
                              zip(data.splitlines(keepends=True), data.splitlines(), strict=True)], data
        # At most one object per kind of end: a million lines hold references, not copies.
        assert len({id(end) for end in lines.ends}) <= 4


def test_the_line_ends_of_a_piece_with_a_bare_cr_cost_a_reference_a_line() -> None:
    # One bare CR makes a piece's line ends mixed: they were read by splitting the piece again
    # with its ends kept, a second bytes object per line (48 bytes a line at its peak, for a
    # chunk of a 220 MB header that is 100 MB: V47e E1). Now only the list of shared ends.
    piece = b"a:\n" * 300_000 + b"b\rc\n"
    lines = piece.splitlines()
    tracemalloc.start()
    try:
        ends = loader._line_ends(piece, lines)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ends == [b"\n"] * 300_000 + [b"\r", b"\n"]
    assert peak < 12 * len(lines), peak


def test_a_million_line_header_loads_in_less_than_ten_times_its_size() -> None:
    # A sender controls every line. Each line's two-byte CR LF end was a copy of its own (48
    # bytes a line), and bytes.join's buffer views 80 bytes a line: 23 times the input in all.
    data = b"X-A: b\r\n" * 200_000
    tracemalloc.start()
    try:
        load_bytes(data, source="x")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * len(data)


def _is_microsoft_line_by_line(lines: loader._Lines, end: int) -> bool:
    return any(line[:5].lower() == b"x-ms-" and line[:24].lower().startswith(loader._MICROSOFT_FIELDS)
               for line in lines.text[:end])


def test_is_microsoft_gives_the_line_by_line_answer() -> None:
    names = [b"X-MS-Exchange-Organization-SCL: 1", b"x-ms-has-attach:", b"X-MS-TNEF-Correlator:", b"X-MS-Office365-Filtering",
             b"X-MS-Other: 1", b"X-MS-", b"x-ms-exchange", b" X-MS-Exchange-A: 1", b"a: X-MS-Exchange-A", b"X-Ms-Has-Attach",
             b"\xffX-MS-Exchange-", b"Subject: x"]
    rng = random.Random(45)
    for _ in range(3000):
        data = b"".join(rng.choice([*names, b"", b"a: b"]) + rng.choice(_ENDS) for _ in range(rng.randrange(0, 10)))
        lines = loader._Lines(data)
        lines.split_all()
        for end in (0, 1, 3, len(lines.text), lines.header_block_end()):
            assert loader._is_microsoft(lines, end) == _is_microsoft_line_by_line(lines, end), (data, end)


def _respaced_by_copy_line_by_line(block: bytes) -> str | None:
    """_respaced_by_copy as it was, reading the long signature lines a line at a time."""
    first_end = block.find(b"\n")
    if first_end > 0 and block[max(first_end - 2, 0):first_end].rstrip(b"\r")[-1:] in (b" ", b"\t"):
        lines = block.count(b"\n") + (not block.endswith(b"\n"))
        trailing = (block.count(b" \n") + block.count(b"\t\n") + block.count(b" \r\n") + block.count(b"\t\r\n")
                    + block.endswith((b" ", b"\t")))
        if lines >= 5 and trailing * 5 >= lines * 4:
            return "nearly every header line ends with spaces, as a copy from a web page or an editor leaves them"
    if b"\n " in block or b"\n\t" in block or block[:1] in (b" ", b"\t"):
        return None
    for line in block.splitlines():
        if len(line) > loader._UNFOLDED_SIGNATURE and line[:22].lower().startswith(loader._SIGNATURE_FIELDS):
            return "no header line is folded, yet its signatures are long single lines: the copy unfolded them"
    return None


def test_long_signature_lines_are_found_as_line_by_line() -> None:
    # Lines of 300 and 301 bytes (the limit is "longer than 300"), names in any case, after LF,
    # CR, CR LF or at the start, a name not at a line start, a fold (no answer), a line end
    # inside the first 301 bytes.
    rng = random.Random(45)
    names = [b"DKIM-Signature:", b"dkim-signature:", b"ARC-Seal:", b"ARC-Message-Signature:", b"Arc-Seal :",
             b"X-DKIM-Signature:", b" DKIM-Signature:", b"Subject:"]
    for _ in range(3000):
        parts = []
        for _ in range(rng.randrange(1, 6)):
            name = rng.choice(names)
            length = rng.choice((0, 5, 299, 300, 301, 302, 400))
            parts.append(name + b"a" * max(length - len(name), 0) + rng.choice(_ENDS))
        block = b"".join(parts)
        assert loader._respaced_by_copy(block) == _respaced_by_copy_line_by_line(block), block


def test_the_long_signature_search_runs_only_when_a_line_starts_with_a_signature_name(monkeypatch: Any) -> None:
    # The search tries every line end (0.4 s for an unfolded header of a million Received
    # fields): it runs only when a line after the first starts with a signature field's name in
    # some case (a C-level find in the block lower-cased), and then answers as before.
    searched: list[bytes] = []
    pattern = loader._long_signature_line()

    class Counted:
        def search(self, block: bytes) -> Any:
            searched.append(block)
            return pattern.search(block)

    monkeypatch.setattr(loader, "_long_signature_line", lambda: Counted())
    unfolded = b"Received: by b.example; Mon, 1 Jan 2024 00:00:00 +0000\n" * 1000
    assert loader._respaced_by_copy(unfolded + b"X-DKIM-Signature: " + b"a" * 400) is None
    assert searched == []
    for line_end in (b"\n", b"\r"):
        long_line = unfolded + b"Subject: x" + line_end + b"dKiM-SiGnAtUrE: " + b"a" * 400
        assert loader._respaced_by_copy(long_line) is not None
    assert len(searched) == 2


def test_join_bounded_gives_the_join() -> None:
    rng = random.Random(45)
    for count in (0, 1, 2, 4095, 4096, 4097, 8192, 8193, 12_000):
        parts = [rng.choice((b"", b"a", b"\r\n", b"xyz")) for _ in range(count)]
        for separator in (b"", b"\n", b"\r\n"):
            assert text.join_bounded(separator, parts) == separator.join(parts)
    views = [memoryview(b"abc")[1:], b"d"] * 5000
    assert text.join_bounded(b"", views) == b"".join(views)
