"""Fast paths in the recorded-results and DMARC code, each compared with the plain path."""

from __future__ import annotations

import random
import re

from headerscope.auth import recorded

# The searches recorded._signature_tags replaces (the reference it must agree with).
_B_TAG = re.compile(r"(?:^|;)\s*b\s*=([^;]*)")
_D_TAG = re.compile(r"(?:^|;)\s*d\s*=\s*([^;\s]*)")
_S_TAG = re.compile(r"(?:^|;)\s*s\s*=\s*([^;\s]*)")


def _reference_tags(value: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, pattern in (("b", _B_TAG), ("d", _D_TAG), ("s", _S_TAG)):
        match = pattern.search(value)
        if match is not None:
            found[name] = match.group(1)
    return found


_SIGNATURE = (
    "v=1; a=rsa-sha256; c=relaxed/relaxed; d=Example.COM;\r\n i=@example.com; q=dns/txt; "
    "s=S2048; t=1793606521; h=from : to :\r\n subject; bh=rdfD/dlJrrUnJhKImzgq=;\r\n "
    "b=EcyTRcW4JUb5zAWAUgmMn0EUDJxjqg730yQXLWyGGNo0PDSp3TqeXs7sZnspb4cuf7eYz\r\n pfF4ss7O=="
)

_EDGE_CASES = [
    "", ";", ";;", "b", "b=", "b =", " b = x y ", "d=", "d= ", "s=\t", "d =  a b c",
    ";b=x", "x;b=y;b=z", "bh=abc; b=def", "bh=abc", "h=b=c; d=x", "db=1; d=2", "B=x; D=y; S=z",
    "d\u00a0=\u2003example.org\u2028more; s=\u3000sel", "\x1cd=x\x1f; s=\x85y",
    "d=a;d=b;s=c;s=d;b=e;b=f", "s=sel;b=sig;d=dom;", "  ;  d  =  dom  ;  ",
    "d=\u00e9xample.com; s=sélector", "d=x\u200by", "b=\r\n abc\r\n def", "d=a\x00b; s=\x00",
    _SIGNATURE, _SIGNATURE.replace(";", ";;"), _SIGNATURE.replace("d=", "d = ")[::-1],
]

_ALPHABET = ["b", "d", "s", "h", "bh", "=", ";", " ", "\t", "\r\n", "\u00a0", "\u2003", "x", "B",
             "\x1c", "ex.com", "é", "\x85", "==", "; ", "v=1"]


def test_signature_tags_equal_the_searches_on_edge_cases() -> None:
    for value in _EDGE_CASES:
        assert recorded._signature_tags(value) == _reference_tags(value), value


def test_signature_tags_equal_the_searches_on_random_text() -> None:
    rng = random.Random(5)
    for _ in range(20000):
        value = "".join(rng.choice(_ALPHABET) for _ in range(rng.randrange(0, 30)))
        assert recorded._signature_tags(value) == _reference_tags(value), repr(value)


def test_signature_tags_equal_the_searches_on_any_character() -> None:
    # Every code point once in each place a tag's text can hold it: before the name, between
    # the name and "=", after "=", inside the value.
    whitespace = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    for char in whitespace + [chr(c) for c in range(0, 0x110000, 251)]:
        for value in (f"{char}d=x", f"d{char}=x", f"d={char}x", f"d=x{char}y; s={char}",
                      f"b{char}=1; b=2{char}3", f"{char}; s = {char}y{char}"):
            assert recorded._signature_tags(value) == _reference_tags(value), repr(value)


def test_signatures_read_a_hostile_value_in_linear_time() -> None:
    # 64 K of separators and near-misses: the same answer as the searches, read in one pass.
    value = ("bh = ;" * 5000 + " d\t=" * 3000 + ";b=" + "x" * 1000)[: recorded.MAX_FIELD_CHARS]
    assert recorded._signature_tags(value) == _reference_tags(value)


def test_leading_result_word_is_the_former_pattern() -> None:
    former = re.compile(r"(?:not_checked|not checked|temperror|permerror|none|fail|pass|neutral)\s*:\s*",
                        re.IGNORECASE)
    pattern = recorded._leading_result_word()
    assert pattern.pattern == former.pattern and pattern.flags == former.flags
    assert recorded._leading_result_word() is pattern
    for text in ("not_checked: offline", "Temperror : x", "pass:", "none: no key", "fine"):
        assert recorded._sentence(text)
        assert (pattern.match(text) is None) == (former.match(text) is None)
