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


def test_rules_are_read_as_the_list_format_says() -> None:
    from headerscope.domains import _SuffixRules

    # https://publicsuffix.org/list/: a rule is the text up to the first white space; "//"
    # lines are comments; the first line and CRLF line ends count like any other.
    text = (b"first.example\n// comment line\n  indented.example\nTrailing.Example  // note\r\n"
            b"crlf.example\r\n\n*.wild.example\n!except.wild.example\n//no.example\nlast.example")
    assert _SuffixRules(text).rules == {b"first.example", b"trailing.example", b"crlf.example",
                                        b"*.wild.example", b"!except.wild.example", b"last.example"}


def test_long_names_match_as_short_ones() -> None:
    reference = PublicSuffixList()
    for name in ("a.b.c.d.e.f.g.h.i.j.example.co.uk", "x." * 60 + "city.kawasaki.jp",
                 "deep." * 20 + "www.ck", "deep." * 20 + "other.ck"):
        assert organizational_domain(name) == reference.privatesuffix(name), name


def test_an_idn_domain_is_shown_in_its_unicode_form_beside_its_a_label() -> None:
    from headerscope.domains import unicode_domain, with_unicode_domain

    # RFC 5890 section 2.3.2.1: the A-label is what DNS holds; the U-label is what mail programs show.
    assert unicode_domain("xn--tkuka-m3a3v.nz") == "tīkōuka.nz"
    assert with_unicode_domain("sh1efs@xn--tkuka-m3a3v.nz") == "sh1efs@xn--tkuka-m3a3v.nz (tīkōuka.nz)"
    assert with_unicode_domain("a@example.org") == "a@example.org"
    # Not valid punycode, an empty label, a control character: nothing is shown beside it.
    assert unicode_domain("xn--zzzz.example") is None
    assert unicode_domain("xn--.example") is None
    assert unicode_domain("xn--" + "\u202e".encode("punycode").decode() + ".example") is None
    assert unicode_domain("example.org") is None


def test_the_summary_shows_an_idn_senders_domain_as_the_reader_saw_it() -> None:
    # A real list post from tīkōuka.nz (2025): only the A-label was shown, not what the user saw.
    import headerscope
    from headerscope.render.markdown import MarkdownRenderer
    from headerscope.render.terminal import TerminalRenderer

    raw = (b"Received: from mail.w14.tutanota.de (mail.w14.tutanota.de [185.205.69.214]) by lists.ozlabs.org "
           b"(Postfix) with ESMTPS id 4ZjTmt1cXkz3bqS for <linux-erofs@lists.ozlabs.org>; "
           b"Thu, 24 Apr 2025 05:24:23 +1000 (AEST)\r\n"
           b"Date: Wed, 23 Apr 2025 21:24:22 +0200 (CEST)\r\nFrom: Simon Hosie <sh1efs@xn--tkuka-m3a3v.nz>\r\n"
           b"To: Linux Erofs <linux-erofs@lists.ozlabs.org>\r\nSubject: question\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    terminal = TerminalRenderer(color=False).render(report)
    assert "From Simon Hosie <sh1efs@xn--tkuka-m3a3v.nz> (tīkōuka.nz) to linux-erofs@lists.ozlabs.org" in terminal
    markdown = MarkdownRenderer().render(report)
    assert "- **From:** Simon Hosie \\<sh1efs@xn--tkuka-m3a3v.nz\\> (tīkōuka.nz)" in markdown


def test_a_tld_the_list_knows_only_under_it_is_a_public_tld() -> None:
    """The list has no "za" line, only "co.za", "ac.za"...; nor "ck", "jm", "np" (only "*.ck",
    "com.jm"...): a host under them is a name in the public DNS, not a private one."""
    from headerscope.domains import is_listed_tld
    from headerscope.hops import host_domain

    assert all(is_listed_tld(tld) for tld in ("za", "ck", "jm", "np", "com", "xn--p1ai", "рф"))
    assert not any(is_listed_tld(tld) for tld in ("local", "lan", "internal", "localdomain"))
    assert host_domain("mail.telkom.co.za") == "telkom.co.za"
