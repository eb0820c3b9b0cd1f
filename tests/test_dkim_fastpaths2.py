"""DKIM check fast paths against their plain forms: the cached d=/s= validity test, the
cached h= reading, b=/bh= decoding and header canonicalization."""

from __future__ import annotations

import random

from headerscope.auth import _dkimpy
from headerscope.auth import dkim as dkim_check
from headerscope.auth.tags import split_colon_list


def _plain_valid_domain(name: str) -> bool:
    # The test as written before the cache.
    if not name or len(name) > 253 or not dkim_check._DOMAIN_SPECIALS.isdisjoint(name):
        return False
    return all(label for label in name.rstrip(".").split("."))


def test_valid_domain_matches_the_plain_test() -> None:
    rng = random.Random(11)
    pieces = ["a", "b1", ".", "..", "-", "(", ")", "@", " ", "\t", "\r\n", '"', "é", "xn--d1a", ";", "\\", ""]
    samples = ["", ".", "a.", "a..b", "a" * 253, "a" * 254, "a." * 127, ("a." * 127) + "bb", "é" * 253, "é" * 254]
    for _ in range(3000):
        samples.append("".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))))
    for _ in range(50):
        samples.append("".join(rng.choice(pieces) for _ in range(rng.randint(100, 400))))
    for name in samples:
        # Twice: the second answer comes from the cache.
        assert dkim_check._valid_domain(name) == _plain_valid_domain(name), name
        assert dkim_check._valid_domain(name) == _plain_valid_domain(name), name


def test_signed_names_match_the_plain_reading() -> None:
    rng = random.Random(12)
    pieces = ["From", "from", " : ", ":", "To", "SUBJECT", "\r\n ", "\t", " ", "x-Ä", "", "Date"]
    samples = ["", ":", "::", "from", "From : To:\r\n\tSubject :", "a:" * 600, "From:" * 300]
    for _ in range(2000):
        samples.append("".join(rng.choice(pieces) for _ in range(rng.randint(0, 20))))
    assert any(len(h) > dkim_check.MAX_CACHED_H_LENGTH for h in samples)  # the uncached path too
    for h_value in samples:
        names = tuple(n for n in split_colon_list(h_value) if n)
        expected = (names, tuple(n.lower() for n in names))
        assert dkim_check._signed_names(h_value) == expected, h_value
        assert dkim_check._signed_names(h_value) == expected, h_value


def test_tag_base64_decoding_matches_b64decode_validate() -> None:
    """_tag_problem decodes b=/bh= with binascii directly: same bytes and same refusals as
    base64.b64decode(..., validate=True)."""
    import base64
    import binascii

    rng = random.Random(14)
    pieces = ["QUJD", "YQ==", "YWI=", "=", "==", "A", "+/", "-_", "*", "é", " ", "\r\n\t", "\x00", "Zm9v", "ab"]
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        check = dkim_check._Check(index=0, header_index=0)
        check.algorithm, check.domain, check.selector = "rsa-sha256", "example.com", "s"
        check.signed_lower = ("from",)
        values = {"v": "1", "b": text, "bh": "YWJj", "t": "1"}
        problem = dkim_check._tag_problem(check, values)
        if not text.strip():
            assert problem == "b= is empty"
            continue
        try:
            expected: bytes | None = base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            expected = None
        if expected is None:
            assert problem == "b= is not valid base64", text
        else:
            assert problem is None, text
            assert check.signature == expected and check.body_hash == b"abc", text


def test_canonical_fields_match_canonicalize_header() -> None:
    """SplitMessage.canonical_fields (through _relaxed_value's find-based tests) gives
    canonicalize_header's text for both forms, on folded, tabbed and bare-CR/LF fields."""
    from headerscope.auth import _dkimpy

    rng = random.Random(15)
    pieces = [b"A: 1", b"b :x  y", b" x", b"\tfold", b"\r\n", b"\n", b"\r", b"  ", b"\t\t", b"Bad line", b"C\t: z \r\n"]
    for _ in range(1500):
        raw = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 16))) + b"\r\n\r\nbody"
        split = _dkimpy._split(raw)
        positions = list(range(len(split.headers)))
        rng.shuffle(positions)
        for algorithm in ("simple", "relaxed"):
            expected = b"".join(b"%s:%s" % _dkimpy.canonicalize_header(algorithm, split.headers[p]) for p in positions)
            assert split.canonical_fields(algorithm, positions) == expected, raw
            assert split.canonical_fields(algorithm, positions) == expected, raw  # from the cache


def test_canonicalization_check_matches_the_split_test() -> None:
    """c= is checked by one set lookup: the same verdict as splitting at "/" and testing each part."""
    words = ["simple", "relaxed", "", "Simple", "nofws", "simple ", "x"]
    samples = [a + sep + b for a in words for sep in ("", "/", "//") for b in words]
    samples += [a + "/" + b + "/" + c for a in words[:2] for b in words[:2] for c in words[:3]]
    for canon in samples:
        parts = canon.split("/")
        plain_ok = not (len(parts) > 2 or any(p not in ("simple", "relaxed") for p in parts))
        check = dkim_check._Check(index=0, header_index=0)
        check.algorithm, check.canonicalization = "rsa-sha256", canon
        problem = dkim_check._tag_problem(check, {"v": "1"})
        flagged = problem == f"unknown canonicalization c={canon!r}"
        assert flagged == (not plain_ok and canon != ""), canon


def _plain_has_relaxed_work(split: object) -> bool:
    # The test as written before the block search: each needle looked for over the whole body.
    raw, start = split.raw, split.body_start  # type: ignore[attr-defined]
    if not split.body_needs_crlf:  # type: ignore[attr-defined]
        needles: tuple[bytes, ...] = (b"\t", b"  ", b" \r\n")
    elif split.body_has_cr:  # type: ignore[attr-defined]
        needles = (b"\t", b"  ", b" \r", b" \n")
    else:
        needles = (b"\t", b"  ", b" \n")
    return any(raw.find(needle, start) >= 0 for needle in needles)


def test_relaxed_work_block_search_matches_the_whole_body_search() -> None:
    """_has_relaxed_work looks for 2-byte needles only in the blocks after a space: the same
    answer as searching the whole body, with needles astride a block's end, near the body's
    start and end, and behind long runs of base64 without a space."""
    from headerscope.auth import _dkimpy

    rng = random.Random(21)
    block = _dkimpy._SPACE_BLOCK
    filler = b"QUJD"
    ends = (b"\r\n", b"\n")
    for _ in range(3000):
        line_end = rng.choice(ends)
        size = rng.choice((10, block - 3, block, block + 5, 3 * block + 7))
        body = bytearray((filler * (size // 4 + 1))[:size])
        # A few lone spaces (each followed by a letter), which start a block of their own.
        for _ in range(rng.randint(0, 3)):
            body[rng.randrange(size)] = 0x20
        if rng.random() < 0.6:
            needle = rng.choice((b"  ", b" \r\n", b" \n", b" \r", b"\t"))
            # Blocks begin at a space: the first one's is where the block after it ends.
            first_space = body.find(b" ")
            block_start = first_space if first_space >= 0 else 0
            anchor = rng.choice((0, block_start + block - 2, block_start + block - 1, block_start + block,
                                 size - 2, rng.randrange(size)))
            anchor = max(0, min(anchor, size))
            body[anchor:anchor] = needle
        body += line_end
        split = _dkimpy._split(b"A: 1" + line_end + line_end + bytes(body))
        assert split._has_relaxed_work() == _plain_has_relaxed_work(split), bytes(body)


def _split_fields_line_by_line(head: bytes) -> tuple[list[tuple[bytes, bytes]], int]:
    """The plain path of _dkimpy._split's fields: each line of the header section in turn."""
    fields: list[tuple[bytes, list[bytes]]] = []
    skipped = 0
    lines = head.split(b"\n") if head else []
    if head.find(b"\r") >= 0:
        lines[:-1] = [piece[:-1] if piece.endswith(b"\r") else piece for piece in lines[:-1]]
    for line in lines:
        if not line:
            continue
        if line[0] in (0x20, 0x09):
            if fields:
                fields[-1][1].extend((line, b"\r\n"))
            else:
                skipped += 1
            continue
        match = _dkimpy._HEADER_NAME.match(line)
        if match is None:
            skipped += 1
            continue
        fields.append((match.group(1), [line[match.end():], b"\r\n"]))
    return [(name, b"".join(parts)) for name, parts in fields], skipped


def test_split_by_regex_passes_gives_the_line_by_line_fields() -> None:
    # _split reads a header whose every line is a field's or a continuation line by regex
    # passes (V42b D4), else line by line: lines ending LF, CR LF, CR CR LF, a lone CR in a
    # line and at the end, continuation lines first or after a stray line, names with SP/HTAB
    # before the colon, empty values, no empty line (no body) or one ending in LF or CR LF.
    pieces = [b"From: a", b"Subject:", b"X-A \t: v", b"a:b", b" cont", b"\tcont", b" ", b"stray", b":x",
              b"\r", b"\xff: x", b"N\x00:", b"Received: by h;\r x"]
    ends = [b"\n", b"\r\n", b"\r\r\n", b"\r", b""]
    rng = random.Random(43)
    fast = 0
    for _ in range(6000):
        head = b"".join(rng.choice(pieces) + rng.choice(ends) for _ in range(rng.randrange(0, 10)))
        raw = head + rng.choice((b"", b"\n", b"\r\n", b"\nbody\n", b"\r\nbody\r\n"))
        split = _dkimpy._split(raw)
        expected_head, _ = _dkimpy._split_at_blank_line(raw) if not raw.startswith((b"\n", b"\r\n")) else (b"", 0)
        assert (split.headers, split.skipped_lines) == _split_fields_line_by_line(expected_head), raw
        fast += _dkimpy._fields_of_clean_head(expected_head) is not None
    assert 1000 < fast < 5000  # both paths were taken
