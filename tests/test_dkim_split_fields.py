"""The DKIM split's fields of a header of clean lines, made from its text when asked: the same
fields as the regex reading that held them all, at 8 bytes a field."""

from __future__ import annotations

import random
import tracemalloc

import pytest

from headerscope.auth import _dkimpy


def test_fields_made_when_asked_are_the_regex_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    # Names with SP/HTAB before the colon, empty values, continuation lines (one and many), lone
    # CRs inside a line, non-ASCII values, one field alone; every index (from either end), slices
    # with steps, iteration, equality with the list both ways.
    pieces = [b"From: a", b"Subject:", b"X-A \t: v", b"a:b", b"N:\xff\r x", b"Received: by h;"]
    folds = [b" cont", b"\tcont", b" ", b"\t\r"]
    ends = [b"\n", b"\r\n"]
    monkeypatch.setattr(_dkimpy, "_HELD_FIELDS_UP_TO_LINES", 0)  # every header made when asked
    rng = random.Random(45)
    for _ in range(3000):
        lines = []
        for _ in range(rng.randrange(1, 12)):
            lines.append(rng.choice(pieces) + rng.choice(ends))
            lines += [rng.choice(folds) + rng.choice(ends) for _ in range(rng.choice((0, 0, 1, 3)))]
        head = b"".join(lines)
        if rng.random() < 0.3:
            head = head.rstrip(b"\r\n")
        fields = _dkimpy._fields_of_clean_head(head)
        assert isinstance(fields, _dkimpy._FieldsOfText), head
        text = head.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        text += b"" if text.endswith(b"\n") else b"\r\n"
        expected = _dkimpy._CRLF_FIELD.findall(text)
        assert len(fields) == len(expected)
        assert list(fields) == expected and fields == expected and expected == fields
        for index in range(-len(expected), len(expected)):
            assert fields[index] == expected[index]
        for index in (len(expected), -len(expected) - 1):
            with pytest.raises(IndexError):
                fields[index]
        for piece in (slice(None), slice(1, None), slice(None, -1), slice(None, None, -1), slice(1, 5, 2), slice(9, 2)):
            assert fields[piece] == expected[piece]
        assert list(fields.names()) == [name for name, _ in expected]


def test_a_million_field_header_is_split_in_a_few_times_its_size() -> None:
    # A sender's padding (a DKIM-Signature above a million "X-A: b" fields whose h= names X-A):
    # a (name, value) tuple per field was 19 times the header (tracemalloc), before any check.
    raw = b"X-A: b\r\n" * 200_000 + b"\r\nbody\r\n"
    tracemalloc.start()
    try:
        split = _dkimpy._split(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(split.headers) == 200_000 and split.headers[-1] == (b"X-A", b" b\r\n")
    assert split.field_positions()[b"x-a"] == list(range(200_000))
    assert peak < 5 * len(raw)
