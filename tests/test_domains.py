"""Organisational domains: our matcher over the PSL file gives the publicsuffixlist package's answers."""

from __future__ import annotations

import importlib.util
import os
import random

from publicsuffixlist import PublicSuffixList

from headerscope.domains import aligned, organizational_domain, public_suffix


def _names() -> list[str]:
    spec = importlib.util.find_spec("publicsuffixlist")
    assert spec is not None and spec.origin is not None
    with open(os.path.join(os.path.dirname(spec.origin), "public_suffix_list.dat"), encoding="utf-8") as handle:
        rules = [line.split()[0] for line in handle if line.strip() and not line.startswith("//")]
    rng = random.Random(5)
    names = []
    for rule in rng.sample(rules, 3000):
        base = rule.lstrip("!").replace("*", "wild")
        # Each rule itself, one label below it, and two below: all three sides of every rule kind.
        names += [base, f"org.{base}", f"host.org.{base}"]
    return names


def test_matches_the_publicsuffixlist_package() -> None:
    reference = PublicSuffixList()
    for name in _names():
        expected = reference.privatesuffix(name) or name
        assert organizational_domain(name) == expected.lower(), name


def test_rfc_7489_examples_and_alignment() -> None:
    assert organizational_domain("mail.example.co.uk") == "example.co.uk"
    assert organizational_domain("a.b.c.example.com") == "example.com"
    assert organizational_domain("co.uk") == "co.uk"  # a public suffix is its own org domain
    assert public_suffix("www.example.co.uk") == "co.uk"
    assert aligned("bounce.example.com", "example.com")
    assert not aligned("bounce.example.com", "example.com", strict=True)
    assert not aligned("example.co.uk", "other.co.uk")
    assert organizational_domain("192.0.2.1") == "192.0.2.1"
