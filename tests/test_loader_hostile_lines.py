"""What a header of a million lines costs the loader: the C-level readings give the line-by-line
answers (on random and edge inputs), and the per-line costs they removed stay removed."""

from __future__ import annotations

import random
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


def test_join_bounded_gives_the_join() -> None:
    rng = random.Random(45)
    for count in (0, 1, 2, 4095, 4096, 4097, 8192, 8193, 12_000):
        parts = [rng.choice((b"", b"a", b"\r\n", b"xyz")) for _ in range(count)]
        for separator in (b"", b"\n", b"\r\n"):
            assert text.join_bounded(separator, parts) == separator.join(parts)
    views = [memoryview(b"abc")[1:], b"d"] * 5000
    assert text.join_bounded(b"", views) == b"".join(views)
