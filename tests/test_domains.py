"""Organisational domains: our matcher over the PSL file gives the publicsuffixlist package's answers."""

from __future__ import annotations

import importlib.util
import os
import random

import pytest
from publicsuffixlist import PublicSuffixList

from headerscope.domains import aligned, normalize_domain, organizational_domain, public_suffix


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
        # The package answers in the form asked; ours is the A-label form checks compare (RFC 8616).
        assert organizational_domain(name) == normalize_domain(expected), name


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
    from headerscope.domains import unicode_domain, with_idn_forms

    # RFC 5890 section 2.3.2.1: the A-label is what DNS holds; the U-label is what mail programs show.
    assert unicode_domain("xn--tkuka-m3a3v.nz") == "tīkōuka.nz"
    assert with_idn_forms("sh1efs@xn--tkuka-m3a3v.nz") == "sh1efs@xn--tkuka-m3a3v.nz (tīkōuka.nz)"
    assert with_idn_forms("a@example.org") == "a@example.org"
    # A domain written in Unicode gets the A-label DNS and the checks used (IDNA 2008: ß kept).
    # A dotless ı reads as an i: the From: look-alike's words follow (domains.idn_lookalike).
    assert with_idn_forms("professore@un\u0131ts.local") == \
        "professore@un\u0131ts.local (xn--unts-mza.local in DNS; looks like the ASCII name units.local)"
    assert with_idn_forms("naib@bi\u00dfmann.de") == "naib@bi\u00dfmann.de (xn--bimann-cta.de in DNS)"
    # Not valid punycode, an empty label, a control character: nothing is shown beside it.
    assert unicode_domain("xn--zzzz.example") is None
    assert unicode_domain("xn--.example") is None
    assert unicode_domain("xn--" + "\u202e".encode("punycode").decode() + ".example") is None
    assert unicode_domain("example.org") is None
    # The headline's and envelope's words are the hop table's (idn_other_form): a label that is
    # valid punycode but not IDNA 2008 (an emoji), a name with controls, a name of 40 Unicode
    # labels past DNS's 253 octets: shown as written only (the emoji form used to be shown).
    assert with_idn_forms("a@out.xn--ls8h.example") == "a@out.xn--ls8h.example"
    assert with_idn_forms("a@\x00.-]-\xad") == "a@\x00.-]-\xad"
    long_name = ".".join(["b\u00fccher"] * 40) + ".example"
    assert with_idn_forms("a@" + long_name) == "a@" + long_name


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


def test_a_domain_is_compared_and_looked_up_in_its_a_label_form() -> None:
    """RFC 8616 sections 4-6 (RFC 5891 section 4): U-label and A-label are one domain; IDNA 2008
    with UTS #46 non-transitional mapping, so "ß" stays a letter of its own (xn--bimann-cta),
    not "ss" as IDNA 2003 (Python's "idna" codec) makes it, which is another domain."""
    from headerscope.dns.interface import normalize_name
    from headerscope.domains import is_domain_name

    assert normalize_domain("Bißmann.DE.") == "xn--bimann-cta.de"
    assert normalize_domain("xn--bimann-cta.de") == "xn--bimann-cta.de"
    assert normalize_domain("ΑΣ.gr") == "xn--mxa0b.gr"  # UTS #46 maps Σ to σ, not the final ς
    assert normalize_domain("ｅｘａｍｐｌｅ。ｃｏｍ") == "example.com"  # full-width forms and dot (UTS #46)
    assert normalize_name("_dmarc.bißmann.de.") == "_dmarc.xn--bimann-cta.de"  # "_" labels stay
    assert organizational_domain("mail.bißmann.de") == "xn--bimann-cta.de"
    assert aligned("xn--bimann-cta.de", "bißmann.de", strict=True)
    assert aligned("mail.xn--bimann-cta.de", "bißmann.de")
    assert not aligned("bissmann.de", "bißmann.de")
    assert is_domain_name("bißmann.de")
    # Not valid IDNA (a joiner where none may stand, a bidi control, a hyphen at the end, far too
    # long): the text lower-cased as written, never an exception.
    assert normalize_domain("A\u200dB.de") == "a\u200db.de"
    assert normalize_domain("\u202eabc.de") == "\u202eabc.de"
    assert normalize_domain("é-.de") == "é-.de"
    assert normalize_domain("é" * 100_000 + ".de") == "é" * 100_000 + ".de"
    assert not is_domain_name("a\u200db.de")


def test_an_ascii_name_needs_no_idna_package() -> None:
    # A scan analyses hundreds of messages a second: ASCII names take the plain path, and the
    # idna package is imported only when a non-ASCII name is met.
    import subprocess
    import sys

    code = ("import sys\nimport headerscope\nfrom headerscope.domains import normalize_domain\n"
            "raw = open('samples/direct.eml', 'rb').read()\nheaderscope.analyze(raw, offline=True)\n"
            "print(normalize_domain('Mail.Example.COM.'), 'idna' in sys.modules)\n"
            "print(normalize_domain('bißmann.de'), 'idna' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.stdout.split() == ["mail.example.com", "False", "xn--bimann-cta.de", "True"]


@pytest.mark.parametrize("name", ["mail.コーヒー.jp", "佐々木.jp", "ラーメン.jp", "日本語ドメイン.jp", "hawaiʻi.example",
                                  "한국abc.kr", "mx.bücher.example"])
def test_names_in_one_script_or_an_allowed_mix_are_not_mixed_scripts(name: str) -> None:
    # Unicode TR #39 section 5.1: characters of the Common and Inherited scripts (the prolonged
    # sound mark "ー", the ʻokina "ʻ") mix with any script; section 5.2 allows Latin with Han and
    # the Japanese kana (or Hangul, or Bopomofo). Verification V25: the first word of a character's
    # Unicode name ("KATAKANA-HIRAGANA", "MODIFIER") was taken for its script.
    from headerscope.domains import idn_lookalike, mixed_script_domain

    assert mixed_script_domain(name) is None
    assert idn_lookalike(name) is None


@pytest.mark.parametrize(("name", "scripts"), [("gооgle.com", ("Cyrillic", "Latin")), ("ραypal.com", ("Greek", "Latin")),
                                               ("аbc.рф", ("Cyrillic", "Latin")), ("コーヒーabcд.jp", ("Cyrillic", "Katakana", "Latin"))])
def test_names_mixing_scripts_are_named_with_their_scripts(name: str, scripts: tuple[str, ...]) -> None:
    from headerscope.domains import mixed_script_domain

    found = mixed_script_domain(name)
    assert found is not None and found[2] == scripts
