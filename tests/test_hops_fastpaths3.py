"""Fast paths of the hop chain and the envelope against their plain readings.

* ``envelope.bracket_damage`` answers None without its character loop for a Return-Path with no
  quoted string, no comment and at most one '<' before one '>'.
* ``envelope._address_decoy`` reads no character of printable ASCII for a cut.
* ``received.weekday_contradiction`` finds the day a word starts in one look-up.
* ``domains.normalize_domain`` remembers short names.
"""

from __future__ import annotations

import random
from datetime import datetime, timezone

from conftest import CORPUS

from headerscope import domains, envelope, received
from headerscope.message import parse_message


def _corpus_values(name: str) -> list[str]:
    values: list[str] = []
    for path in sorted((CORPUS / "messages").rglob("*")):
        if path.is_file() and path.stat().st_size < 2_000_000:
            values += [h.value for h in parse_message(path.read_bytes()).all(name)]
    return values


def _random_paths(count: int) -> list[str]:
    rng = random.Random(5)
    return ["".join(rng.choice('ab@.<>"()\\ \t') for _ in range(rng.randint(0, 14))) for _ in range(count)]


def test_bracket_damage_fast_path_gives_the_loops_answer() -> None:
    written = ["<a@b.example>", "a@b.example", "", "<>", "><", "<a@b.example", "a@b.example>",
               "<<a@b.example>>", '<"x>y"@b.example>', "<a@b.example> (note <)", "<a\\>@b.example>",
               "<a@b.example>" + " " * 2000 + ">"]
    values = [*_corpus_values("Return-Path"), *written, *_random_paths(20_000)]
    assert len(values) > 20_000
    for value in values:
        assert envelope.bracket_damage(value) == envelope._bracket_damage_scan(value[:envelope._MAX_PATH_SCAN]), value
    # The known answers, through the fast path and the loop alike.
    assert envelope.bracket_damage("<a@b.example>") is None
    assert envelope.bracket_damage("a@b.example>") == "a '>' with no '<' before it"
    assert envelope.bracket_damage("><") == "a '>' with no '<' before it"
    assert envelope.bracket_damage("<a@b.example") == "an unclosed '<'"
    assert envelope.bracket_damage('<"x>y"@b.example>') is None


def test_printable_ascii_holds_no_decoy_cut() -> None:
    # The fast path's premise, over every ASCII character: a printable one is never a cut.
    for code in range(128):
        ch = chr(code)
        cut = ch == envelope._ADDRESS_CUT or (ord(ch) < 0x20 and ch not in "\t\r\n") or 0x7F <= ord(ch) <= 0x9F
        if ch.isprintable():
            assert not cut, code


def test_decoy_found_with_and_without_the_fast_path() -> None:
    from headerscope.addresses import parse_addresses

    (plain,) = parse_addresses('"service@paypal.com"@example.com')
    assert envelope._address_decoy(plain) is not None
    (cut,) = parse_addresses("service@paypal.com\x00@example.com")
    found = envelope._address_decoy(cut)
    assert found is not None and found[0] == "service@paypal.com"


def test_weekday_prefix_lookup_is_the_first_day_starting_with_the_word() -> None:
    words = {name.lower()[:n] for name in received._DAY_NAMES for n in range(1, len(name) + 2)}
    words |= {"thur", "tues", "weds", "mond", "sunday", "sundays", "xyz", "ſun"}
    for word in words:
        expected = next((i for i, name in enumerate(received._DAY_NAMES) if name.lower().startswith(word)), None)
        if len(word) >= 3:
            assert received._DAY_PREFIXES.get(word) == expected, word
    moment = datetime(2011, 4, 29, 10, 0, tzinfo=timezone.utc)  # a Friday
    assert received.weekday_contradiction("Thu, 29 Apr 2011 10:00:00 +0000", moment) == ("Thursday", "Friday")
    assert received.weekday_contradiction("Friday, 29 Apr 2011 10:00:00 +0000", moment) is None
    assert received.weekday_contradiction("Thurs, 29 Apr 2011 10:00:00 +0000", moment) == ("Thursday", "Friday")


def test_cached_names_give_the_plain_answer() -> None:
    names = ["MX.Example.COM.", " [mail.example.org] ", "Bißmann.de", "", "x" * 300 + ".example", "a..b",
             *(v for v in _corpus_values("Received")[:300] for v in v.split()[:4])]
    for name in names:
        assert domains.normalize_domain(name) == domains._normalize(name) if name else True
    assert domains.normalize_domain("Bißmann.de") == "xn--bimann-cta.de"

