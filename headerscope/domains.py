"""Domain helpers shared by the checks: organisational domain and alignment.

The organisational domain comes from the Public Suffix List (RFC 7489 section 3.2). The list
file is the one the ``publicsuffixlist`` package ships (and updates regularly); the rules
are matched here, by the algorithm of https://publicsuffix.org/list/ (as that package
implements it), because building the package's matcher converts every one of the list's
10 000 rules to punycode at start-up, which took longer than a whole analysis. Here only
the ``xn--`` labels of the name asked about are decoded, once per name.
"""

from __future__ import annotations

import functools
import os
import re

from ._value import Value, frozen
from .text import HIDDEN_CHARACTERS, IGNORABLE_NOT_FORMAT, compiled_on_first_use

# Cheap pre-check for is_ip_literal: IPv4 is digits and dots, IPv6 hex digits and colons
# (with an optional zone after "%"), so a host name with any other letter is not an IP.
_MAYBE_IP = re.compile(r"[0-9A-Fa-f:.]+(?:%\S+)?")


# A rule is a line's text up to its first white space, unless the line is a "//" comment or
# starts with white space. Searched as a newline and what follows it (the file is read with a
# newline put in front): led by a literal, the regex engine skips from newline to newline
# instead of trying "^" at every byte, which took half as long again.
_RULE = re.compile(rb"\n([^/\s]\S*)")
# Names with at most this many labels try every suffix without measuring the longest rule.
_FEW_LABELS = 8


class _SuffixRules:
    """The Public Suffix List's rules (normal, ``*.`` wildcard and ``!`` exception)."""

    def __init__(self, data: bytes) -> None:
        # The list's format: one rule per line, up to the first white space; "//" starts a
        # comment line. One regex pass over the whole file is three times faster than a
        # Python loop over its 10,000 lines, and this runs at every start-up. The rules
        # stay UTF-8 bytes: decoding and lower-casing the file as text took as long again
        # (ASCII lower-casing suffices: the list writes its Unicode rules in lower case).
        self.rules = frozenset(_RULE.findall(b"\n" + data.lower()))
        """Every rule as written in the list, UTF-8 (wildcard and exception rules keep their prefix)."""

    @functools.cached_property
    def top_labels(self) -> frozenset[bytes]:
        """The last label of every rule: the top-level domains the list knows, including those it
        has no rule of their own for (za, ck, jm...: only "co.za", "*.ck" and the like)."""
        return frozenset(rule.rsplit(b".", 1)[-1].lstrip(b"*!") for rule in self.rules)

    @functools.cached_property
    def _longest(self) -> int:
        """Labels of the longest rule."""
        return max((rule.count(b".") + 1 for rule in self.rules), default=1)

    def public_labels(self, labels: list[str]) -> int:
        """How many of the (lower-case, Unicode) labels at the end form the public suffix."""
        count = len(labels)
        if count == 1:
            return 1  # an unknown top-level label counts as public (the "*" default rule)
        # Every suffix, longest first; but suffixes longer than the longest rule cannot match,
        # and a hostile name of 100,000 labels must not join 100,000 suffixes. That bound is
        # measured only for such a name: for every start-up it cost more than the lookups
        # it saves on real names, which have a handful of labels.
        first = 0 if count <= _FEW_LABELS else max(0, count - (self._longest + 1))
        for start in range(first, count):
            depth = count - start
            suffix = ".".join(labels[start:]).encode("utf-8", "surrogateescape")
            # Longest match first; an exception rule beats the wildcard it carves out of.
            if b"!" + suffix in self.rules:
                return depth - 1
            if b"*." + suffix in self.rules:
                return depth + 1 if start > 0 else depth
            if suffix in self.rules:
                return depth
        return 1


@functools.lru_cache(maxsize=1)
def _psl() -> _SuffixRules:
    # Only the package's data file is needed: locating it without importing the package
    # saves its import time (it pulls in typing and builds its own matcher's tables).
    import importlib.util

    spec = importlib.util.find_spec("publicsuffixlist")
    if spec is None or spec.origin is None:
        raise RuntimeError("the publicsuffixlist package is not installed")
    path = os.path.join(os.path.dirname(spec.origin), "public_suffix_list.dat")
    with open(path, "rb") as handle:
        return _SuffixRules(handle.read())


def is_listed_tld(label: str) -> bool:
    """True when the Public Suffix List has a rule for this top-level label or under it (A- or
    U-label): South Africa's names are all under "co.za", "ac.za"... and the list has no "za" line."""
    key = _unicode_label(label.lower()).encode("utf-8", "surrogateescape")
    rules = _psl()
    # The common case, a TLD with its own rule, without building the set of every rule's last label.
    return key in rules.rules or key in rules.top_labels


def _unicode_label(label: str) -> str:
    # The list holds IDN rules in Unicode; an A-label (RFC 5890 section 2.3.2.1) is decoded to
    # match them. A label that is not valid punycode matches as written.
    if not label.startswith("xn--"):
        return label
    try:
        return label[4:].encode("ascii").decode("punycode").lower()
    except (UnicodeError, ValueError):
        return label


def unicode_domain(domain: str | None) -> str | None:
    """The Unicode form of a domain written with A-labels (``xn--tkuka-m3a3v.nz`` ->
    ``tīkōuka.nz``), what a mail program shows its user (RFC 5890 section 2.3.2.1); None when
    no label is an A-label, or one does not decode to printable letters (an invalid or hostile
    label: control, format or bidirectional characters would garble the report's text)."""
    if not domain or "xn--" not in domain.lower() or len(domain) > 253:
        return None
    import unicodedata

    labels = [_unicode_label(label) for label in domain.lower().rstrip(".").split(".")]
    text = ".".join(labels)
    if text == domain.lower().rstrip(".") or any(not label or label.startswith("xn--") for label in labels):
        return None  # no label decoded, one did not, or one is empty ("xn--" alone decodes to nothing)
    if any(unicodedata.category(char)[0] in "CZ" for char in text):
        return None
    return text


def with_idn_forms(address: str) -> str:
    """An address or domain with its internationalised domain's other form beside it: the
    Unicode form of one written with A-labels, "sh1efs@xn--tkuka-m3a3v.nz (tīkōuka.nz)", what
    the reader's mail program showed; the A-label form of one written in Unicode,
    "professore@unıts.local (xn--unts-mza.local in DNS)", what DNS and the checks used (RFC 5890
    section 2.3.2.1). The text unchanged for an ASCII name without A-labels, and for a name
    that is not valid IDNA both ways (idn_other_form: the hop table and the headline agree, and
    an invalid label such as "xn--ls8h" is never shown as the emoji it decodes to). A name
    written to look like another has that said after its other form (idn_lookalike):
    "service@p\u0430ypal.com (xn--pypal-4ve.com in DNS; looks like the ASCII name paypal.com)"."""
    domain = address.rpartition("@")[2]
    other = idn_other_form(domain)
    if other is None:
        return address
    lookalike = idn_lookalike(domain)
    return f"{address} ({other}; {lookalike})" if lookalike else f"{address} ({other})"


def idn_other_form(name: str | None) -> str | None:
    """The other form of an internationalised host name, in with_idn_forms's words, for showing
    beside the name as written (a hop table's ``by``, HELO and reverse-DNS names; an SMTPUTF8
    server may write either form, RFC 6531 section 3.7.3): the Unicode form of one written with
    A-labels ("mx.xn--bcher-kva.example" -> "mx.bücher.example", what a mail program shows), the
    A-label form of one written in Unicode ("mx.bücher.example" -> "mx.xn--bcher-kva.example in
    DNS", what DNS is asked, RFC 5890 section 2.3.2.1).

    None for a name with neither, and for one that is not valid IDNA 2008 both ways: either form
    must be a name DNS can hold (labels of letters, digits and hyphens, 253 octets: RFC 1035
    sections 2.3.1 and 2.3.4); a Unicode form is shown only when it encodes back to the A-labels
    as written (ASCII case aside: RFC 5890 section 2.3.2.1, an A-label is one whose U-label
    converts back to it) and only as printable letters (see unicode_domain); an A-label form
    only when every label converts. So a hostile name (bad punycode, a label encoding upper
    case or a symbol, hidden or bidi controls, thousands of characters) shows only as written,
    and nothing raises."""
    if not name or len(name) > _MAX_IDN_CHARS:
        return None
    if name.isascii():
        if "xn--" not in name.lower():
            return None  # nearly every host name: nothing to decode
        if _dns_labels_re().fullmatch(name.rstrip(".")) is None:
            return None
        shown = unicode_domain(name)
        if shown is None or a_label_form(shown) != name.lower().rstrip("."):
            return None
        return shown
    # A name with a non-ASCII character always differs from its A-label form, even when Python's
    # lower() alone makes it ASCII (U+212A KELVIN SIGN becomes "k"): that name is shown with it.
    in_dns = a_label_form(name).rstrip(".")
    if not in_dns.isascii() or len(in_dns) > 253 or _dns_labels_re().fullmatch(in_dns) is None:
        return None
    return f"{in_dns} in DNS"


# A label's separators as UTS #46 reads them: the full stop, and the ideographic, fullwidth and
# halfwidth ideographic full stops it maps to one (UTS #46 section 5; RFC 3490 section 3.1).
_LABEL_DOTS_RE = compiled_on_first_use("[.\u3002\uff0e\uff61]")


def idn_lookalike(name: str | None) -> str | None:
    """Words for an internationalised host name written to look like another, said beside its
    other form (idn_other_form) wherever a name is shown, in the words of the From: look-alike
    warning (envelope.confusable_domain); None for any other name, and for a name that has no
    other form (not valid IDNA both ways: it is shown only as written).

    - "written in look-alike characters": a label written in characters UTS #46 maps to plain
      ASCII ("paypa\u217c" with U+217C SMALL ROMAN NUMERAL FIFTY, fullwidth "\uff50aypal", a soft
      hyphen), so DNS is asked the ASCII name. IDNA 2008 disallows those characters in a U-label
      (RFC 5892 section 2.2, unstable under NFKC and case folding; section 2.3, ignorable):
      UTS #46 maps them only to read what a person typed (UTS #46 section 4, RFC 5895). No
      software's own name is written so: a name written in them was written to read as the ASCII
      one while comparing as other text.
    - "looks like the ASCII name paypal.com": every non-ASCII letter has an ASCII twin (Unicode
      TR #39 section 4; ascii_lookalike), as for "p\u0430ypal.com" with a Cyrillic "\u0430". A
      letter that differs from its twin only by a mark ("b\u00fccher") and a whole-script name
      under its own country's domain (Greek under .gr) read as themselves: the From: warning
      names those only when they imitate another name in the message, which a host name alone
      cannot tell.
    - "mixes Latin and Cyrillic letters": a label mixing scripts (TR #39 section 5.2;
      mixed_script_domain).

    Bounded: the name must have an other form (at most 1,024 characters, 253 octets in DNS), and
    the answers are kept for the same relays named again and again."""
    if not name or len(name) > _MAX_IDN_CHARS:
        return None  # no other form either; and a hostile name is never kept in the cache
    return _idn_lookalike(name)


@functools.lru_cache(maxsize=1024)
def _idn_lookalike(name: str) -> str | None:
    if idn_other_form(name) is None:
        return None
    if not name.isascii() and _written_in_stand_ins(name):
        return "written in look-alike characters"
    lookalike = ascii_lookalike(name)
    if lookalike is not None and not lookalike[3] and not lookalike[4]:
        return f"looks like the ASCII name {lookalike[1]}"
    mixed = mixed_script_domain(name)
    if mixed is not None:
        return f"mixes {' and '.join(mixed[2])} letters"
    return None


def one_idn_host(helo: str, rdns: str) -> bool:
    """Whether a client's greeting and its reverse-DNS name are one internationalised name in its
    two forms (U-labels and A-labels, RFC 5890 section 2.3.2.1): the greeting has another form,
    that form's name is the reverse-DNS one, and the greeting is written in no look-alike way
    (idn_lookalike; such a greeting keeps its own place, with its words). The hop tables of every
    format then show the name once, the looked-up one, with its other form beside it (an SMTPUTF8
    client greets as mail.例子.中国, its reverse DNS says mail.xn--...; verification V40)."""
    return (idn_other_form(helo) is not None and a_label_form(helo).rstrip(".") == a_label_form(rdns).rstrip(".")
            and idn_lookalike(helo) is None)


def _written_in_stand_ins(name: str) -> bool:
    """Has the name a label written with non-ASCII characters that the UTS #46 mapping makes plain
    ASCII ("paypa\u217c", "\uff4d\uff41\uff49\uff4c", "pay\u00adpal")? A label of a real script
    ("b\u00fccher") stays non-ASCII and is not one."""
    import idna

    for label in _LABEL_DOTS_RE().split(name):
        if label.isascii():
            continue
        try:
            mapped = idna.uts46_remap(label, std3_rules=False, transitional=False)
        except (UnicodeError, ValueError):
            continue
        if mapped and mapped.isascii():
            return True
    return False


# Labels of letters, digits, hyphens and underscores (RFC 1035 section 2.3.1, RFC 2181 section 11),
# none empty: a_label_form keeps an ASCII label as written, control characters and all.
_dns_labels_re = compiled_on_first_use(r"[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*")


def _public_count(name: str) -> tuple[list[str], int] | None:
    labels = name.lower().split(".")
    if "" in labels:
        return None
    return labels, _psl().public_labels([_unicode_label(label) for label in labels])


def list_id_label(value: str | None) -> str | None:
    """The list-id of a List-Id field without its phrase (RFC 2919 section 2): "Git
    <git.vger.kernel.org>" -> "git.vger.kernel.org"; the value itself when it has no brackets."""
    if not value:
        return None
    text = value[:300]
    label = text.rpartition("<")[2].partition(">")[0] if "<" in text else text
    return label.strip().lower() or None


# The names a host gives itself on its loopback interface (RFC 6761 section 6.3): a client or
# server named so is a program on the same host.
LOCALHOST_NAMES = frozenset(("localhost", "localhost.localdomain"))


def normalize_domain(domain: str | None) -> str | None:
    """The form every check compares and looks up: brackets and the trailing dot stripped,
    lower case, and a name with non-ASCII labels in its A-label form ("Bißmann.de" ->
    "xn--bimann-cta.de", see a_label_form); None for empty input."""
    if not domain:
        return None
    if len(domain) > _CACHED_NAME_CHARS:  # not kept in the cache: hostile or broken anyway
        return _normalize(domain)
    return _normalize_cached(domain)


# Names up to this long are remembered (a DNS name is at most 253 octets, RFC 1035 section
# 2.3.4, plus brackets and a dot): the same relays and domains are normalised ~125 times a
# message, and across messages.
_CACHED_NAME_CHARS = 260


def _normalize(domain: str) -> str | None:
    cleaned = domain.strip().strip("[]").rstrip(".")
    if cleaned.isascii():
        return cleaned.lower() or None  # nearly every name: no IDNA work at all
    return a_label_form(cleaned) or None


_normalize_cached = functools.lru_cache(maxsize=8192)(_normalize)


# A DNS name is at most 253 octets in A-label form (RFC 1035 section 2.3.4), and each
# character of a U-label takes at least one octet of its A-label; UTS #46 can drop some
# characters (soft hyphens, variation selectors), so a little slack, but a hostile
# 100,000-character "domain" is not handed to the IDNA code.
_MAX_IDN_CHARS = 1024


def a_label_form(name: str) -> str:
    """A domain name with every non-ASCII label converted to its A-label: IDNA 2008 (RFC 5891
    section 4) after the UTS #46 mapping, non-transitional, so "ß" stays "ß" and becomes
    "xn--bimann-cta", not "bissmann" as Python's own IDNA 2003 codec makes it (a different
    domain). RFC 8616 sections 4-6: SPF, DKIM and DMARC compare and look up internationalised
    domains in A-label form. ASCII labels (an A-label, "_dmarc") stay as written, lower-cased.
    A name whose labels are not valid IDNA comes back lower-cased as written: it matches no
    A-label, and a hostile name never raises."""
    if name.isascii():
        return name.lower()
    if len(name) > _MAX_IDN_CHARS:
        return name.lower()
    return _a_label_form(name)


@functools.lru_cache(maxsize=4096)
def _a_label_form(name: str) -> str:
    # The idna package is imported only when a non-ASCII name is met: most mail has none,
    # and a scan's start-up stays lean.
    import idna

    try:
        # UTS #46 section 4 maps case and compatibility forms (and the ideographic full
        # stop "。" to "."); STD3 rules off, so an underscore label ("_dmarc") stays valid.
        mapped = idna.uts46_remap(name, std3_rules=False, transitional=False)
        labels = mapped.rstrip(".").split(".")
        return ".".join(label if label.isascii() else idna.alabel(label).decode("ascii") for label in labels)
    except (UnicodeError, ValueError):  # idna.IDNAError is a UnicodeError
        return name.lower()


@functools.lru_cache(maxsize=4096)
def organizational_domain(domain: str | None) -> str | None:
    """The registrable domain (public suffix + one label); the name itself if it is a suffix."""
    name = normalize_domain(domain)
    if name is None:
        return None
    if is_ip_literal(name):
        return name
    counted = _public_count(name)
    if counted is None:
        return name
    labels, public = counted
    if len(labels) < public + 1:
        return name
    return ".".join(labels[-(public + 1):])


def public_suffix(domain: str | None) -> str | None:
    """The public suffix of a domain, per the Public Suffix List."""
    name = normalize_domain(domain)
    if name is None:
        return None
    counted = _public_count(name)
    if counted is None:
        return None
    labels, public = counted
    if len(labels) < public:
        return None
    return ".".join(labels[-public:])


def within(name: str, domain: str) -> bool:
    """Whether ``name`` is ``domain`` or a name below it (both written alike: the caller normalises)."""
    return name == domain or name.endswith("." + domain)


def aligned(identity_domain: str | None, from_domain: str | None, strict: bool = False) -> bool:
    """DMARC identifier alignment (RFC 7489 section 3.1): strict = equal, relaxed = same org."""
    a = normalize_domain(identity_domain)
    b = normalize_domain(from_domain)
    if a is None or b is None:
        return False
    if strict:
        return a == b
    return a == b or organizational_domain(a) == organizational_domain(b)


# A host name: labels of letters, digits and hyphens, not starting or ending with a hyphen, at
# most 63 characters each (RFC 1035 section 2.3.1, RFC 1123 section 2.1; an IDN's A-labels are
# such labels, RFC 5890 section 2.3.2.1), and at least two of them, the last not all digits. '_' is let in, since DNS
# names may hold it (RFC 2181 section 11) and senders' bounce domains sometimes do.
_host_name_re = compiled_on_first_use(
    r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.){1,126}[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def is_domain_name(text: str) -> bool:
    """True when text (a trailing dot allowed) is written as a domain name of two labels or
    more; an internationalised one (U-labels) is judged by its A-labels."""
    name = text[:-1] if text.endswith(".") else text
    if not name or len(name) > 253:
        return False
    if not name.isascii():
        # IDNA 2008, not Python's IDNA 2003 "idna" codec (RFC 5891 section 4).
        name = a_label_form(name)
        if not name.isascii() or len(name) > 253:
            return False  # a label that is not valid IDNA
    # A top-level label is never all digits (RFC 3696 section 2): "192.0.2.1" is an address.
    return _host_name_re().fullmatch(name) is not None and not name.rpartition(".")[2].isdigit()


def is_ip_literal(text: str) -> bool:
    """True when text is an IPv4 or IPv6 address."""
    if _MAYBE_IP.fullmatch(text) is None:
        return False
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


# Country-code domains whose own script has letters that look like Latin ones: a name there
# spelled in that script is the country's ordinary usage, not an attempt on an ASCII name.
# Chromium's IDN display policy makes the same exception for whole-script confusables
# (https://chromium.googlesource.com/chromium/src/+/main/docs/idn.md).
_NATIVE_SCRIPT_TLDS = {
    "CYRILLIC": frozenset(("ru", "su", "by", "ua", "bg", "kz", "kg", "mk", "mn", "rs", "tj", "uz", "ba", "me",
                           "xn--p1ai", "xn--90ais", "xn--90ae", "xn--j1amh", "xn--d1alf", "xn--90a3ac",
                           "xn--80ao21a", "xn--l1acc")),
    "GREEK": frozenset(("gr", "cy", "xn--qxam", "xn--qxa6a")),
    "ARMENIAN": frozenset(("am", "xn--y9a3aq")),
    # Turkish and Azerbaijani write a dotless ı as an ordinary letter.
    "LATIN": frozenset(("tr", "az")),
}
# The ASCII twins that differ by one stroke on most screens: "l", "1" and "I" (lower-cased "i"
# for a Cyrillic palochka), "0" and "o". Compared loosely, a look-alike matches its target.
_LOOSE_TWINS = str.maketrans("1i0", "llo")
# In ASCII alone the twins are the digits and the letters they stand in for, and the pairs of
# letters that read as one: a dotted "i" is not an "l" (TR #39 lists "1", "I" and "|" for it).
_ASCII_TWINS = str.maketrans("10", "lo")


# Characters the confusables data gives the twin "i" that are drawn as a full-height stroke
# with no dot, so that a reader sees "l" (or "I") in a lower-case domain: the Cyrillic palochka
# of "аррӏе.com" (Xudong Zheng's demonstration of 2017) reads as apple.com, not appie.com
# (verification V40). Matching is unchanged: a look-alike is matched loosely (lookalike_key).
_READ_AS_L = frozenset("\u04cf")


def _ascii_twin(character: str) -> str | None:
    """The one ASCII letter or digit a character looks like, by Unicode's confusables data
    (Unicode TR #39 section 4), or None."""
    if character in _READ_AS_L:
        return "l"
    # The data (900 KB of JSON) is loaded only when a non-ASCII domain is met.
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(character, greedy=True, preferred_aliases=[])
    if not found:
        return None
    twins = [glyph["c"] for glyph in found[0]["homoglyphs"]
             if len(glyph["c"]) == 1 and glyph["c"].isascii() and glyph["c"].isalnum()]
    return twins[0].lower() if twins else None


_CJK_MIXES = (frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}), frozenset({"LATIN", "HAN", "BOPOMOFO"}),
              frozenset({"LATIN", "HAN", "HANGUL"}))
# Characters every script writes with (Unicode's Script property values Common and Inherited):
# the Japanese prolonged sound mark "ー", the Hawaiian ʻokina "ʻ", combining marks. They belong to
# no script of their own, so they mix none (Unicode TR #39 section 5.1, "resolved script set").
_SHARED_SCRIPTS = frozenset({"COMMON", "INHERITED"})


def _script(character: str) -> str | None:
    """The script of a character (Unicode's Script property, Scripts.txt, as confusable_homoglyphs
    keeps it: "а" -> CYRILLIC, "佐" -> HAN), or None for one every script shares (Common,
    Inherited). A character that data does not know (assigned after it) is named by the first
    word of its Unicode name, as the nearest guess."""
    from confusable_homoglyphs import categories

    script = str(categories.alias(character)).upper()
    if script in _SHARED_SCRIPTS:
        return None
    if script != "UNKNOWN":
        return script
    import unicodedata

    words = unicodedata.name(character, "").split(" ")
    return (words[1] if words[0] in ("HALFWIDTH", "FULLWIDTH") and len(words) > 1 else words[0]) or None


def mixed_script_domain(domain: str) -> tuple[str, str, tuple[str, ...]] | None:
    """(Unicode form, xn-- form, scripts) of a domain with a label that mixes letters of
    several scripts (Latin with Cyrillic or Greek, say), or None. An all-ASCII name, and a label
    in one script (Cyrillic "пример.рф"), is not mixed."""
    if not domain or len(domain) > 253:
        return None
    labels = domain.lower().split(".")
    if all(label.isascii() and not label.startswith("xn--") for label in labels):
        return None  # the common case: nothing to decode

    decoded: list[str] = []
    for label in labels:
        if label.startswith("xn--"):
            # Plain punycode (RFC 3492), not Python's IDNA 2003 "idna" codec, whose nameprep
            # round trip rejects an IDNA 2008 label such as "xn--bimann-cta" (bißmann).
            try:
                label = label[4:].encode("ascii").decode("punycode").lower()
            except (UnicodeError, ValueError):
                return None
        decoded.append(label)
    for label in decoded:
        scripts = {_script(ch) for ch in label if ch.isalpha()}
        scripts.discard(None)
        # Unicode TR #39 section 5.2, "Highly Restrictive": one script, or Latin with the
        # scripts Japanese, Chinese or Korean write together.
        if len(scripts) > 1 and not any(scripts <= allowed for allowed in _CJK_MIXES):
            unicode_form = ".".join(decoded)
            # The name DNS knows: IDNA 2008 A-labels (RFC 5891 section 4); as written when a
            # label is not valid IDNA.
            ascii_form = a_label_form(unicode_form)
            if not ascii_form.isascii():
                ascii_form = domain
            return unicode_form, ascii_form, tuple(sorted(script.title() for script in scripts if script))
    return None


# The scripts whose letters pass for Latin ones (Unicode's confusables.txt: Cyrillic "а", "р",
# "е"; Greek "ο", "Α"), into whose words Latin letters are slipped to make them pass for others.
_LATIN_LOOKALIKE_SCRIPTS = frozenset({"CYRILLIC", "GREEK"})
# A word: a run of letters (digits, "_", punctuation and spaces part words; combining marks are
# joined to their letter first by NFC). Characters of a display name read, at most.
_letters = compiled_on_first_use(r"[^\W\d_]+")
_MAX_NAME_READ = 1000
# A word of one script written entirely in look-alikes is told from this many letters: shorter
# ones are the script's everyday words (Russian "с", "ох", "мех", Armenian "հոս"), and too
# few to pass for a name on their own.
_MIN_WHOLE_SCRIPT_WORD = 4
# ... but a word in capitals beside a Latin word from this many: the acronyms a brand is written
# as ("ІВМ Support", "ВВС News": verification V61a D-6), which stand beside the words they brand.
_MIN_CAPITALS_BESIDE_LATIN = 3
# The capitals of the national alphabets of the languages that write Cyrillic or Greek capitals
# alone as acronyms and names (_reads_for_latin_readers): Russian, Ukrainian, Belarusian and
# Bulgarian (А-Я, Ё, Є, І, Ї, Ў, Ґ) and modern Greek (Α-Ω, and with tonos or dialytika). A letter
# outside them (Cyrillic Ѕ, Ј, Ӏ, Ԛ, Ԝ, Һ, Greek Ϲ, Ϳ: Macedonian, Serbian, Abkhaz, Kurdish or
# archaic letters) in a word of those capitals is no acronym of theirs (verification V61a D-7).
_NATIONAL_CAPITALS = frozenset(
    [chr(code) for code in range(0x410, 0x430)] + list("ЁЄІЇЎҐ")
    + [chr(code) for code in range(0x391, 0x3AA) if code != 0x3A2] + list("ΆΈΉΊΌΎΏ"))
# Characters rendered as nothing (format characters, category Cf, and the other Default_Ignorable
# code points: soft hyphen, zero-width space and joiners, word joiner, byte order mark, variation
# selectors): dropped before a name is split into words, so that "Ра\u00adураӏ" is one word, as a
# reader sees it. The message.hidden_characters notice tells that they are there.
_invisible = compiled_on_first_use(f"[{HIDDEN_CHARACTERS}{IGNORABLE_NOT_FORMAT}]")


def _orthographic_latin(character: str) -> bool:
    """A non-ASCII Latin letter of a living language's spelling (Latin-1 Supplement, Latin
    Extended-A and -B, Latin Extended Additional: Turkish "ı", Polish "ł", Vietnamese "ạ"), or a
    fullwidth form (U+FF00-U+FFEF, how Chinese and Japanese text writes Latin: "ＡＢＣ株式会社").
    Such a letter is the word's own, even where it has an ASCII twin (a dotless ı reads as "i")."""
    code = ord(character)
    return 0xC0 <= code <= 0x24F or 0x1E00 <= code <= 0x1EFF or 0xFF00 <= code <= 0xFFEF


@functools.lru_cache(maxsize=1024)
def _stand_in_letter(character: str) -> str | None:
    """The ASCII letter a non-ASCII letter stands in for, or None: a letter of another script
    that Unicode's confusables data gives an ASCII twin (Cyrillic "р", Armenian "օ", Cherokee "Ꭺ",
    Lisu "ꓮ"; UTS #39 section 4), and Latin or common letters that spell no language's words
    (UTS #39 section 3.1, identifier types Technical and Not_NFKC): Roman numerals ("Ⅿ"),
    mathematical letters ("𝐏", by their NFKC form), small capitals ("ᴀ", by their Unicode name:
    confusables.txt leaves most out). A Latin letter of a language's spelling stands in for
    nothing (_orthographic_latin). A twin that is a digit ("З" as "3") is no letter; "0" and "1"
    are read as "o" and "l"."""
    if _script(character) in (None, "LATIN") and _orthographic_latin(character):
        return None
    import unicodedata

    twin = _ascii_twin(character)
    if twin is None:
        compatible = unicodedata.normalize("NFKC", character)
        if len(compatible) == 1 and compatible.isascii():
            twin = compatible.lower()
        else:
            prefix, _, letter = unicodedata.name(character, "").rpartition(" ")
            if prefix == "LATIN LETTER SMALL CAPITAL" and len(letter) == 1:
                twin = letter.lower()
    if twin is None:
        return None
    twin = twin.translate(_ASCII_TWINS)
    return twin if twin.isascii() and twin.isalpha() else None


@frozen
class LookalikeWord(Value):
    """A word of a display name written to pass for another (Unicode UTS #39 sections 4 and 5)."""

    word: str
    """The word as written (NFC)."""
    scripts: tuple[str, ...]
    """The scripts of its letters, in title case ("Cyrillic", "Latin"); none for mathematical letters."""
    reading: str | None
    """The ASCII word it reads as, every non-ASCII letter by its twin ("apple"), or None."""
    mixed: bool
    """Latin letters mixed with another script's in the word ("Аррlе"); else a word in one
    script that reads as ASCII ("АррӀе" all Cyrillic, "Ⅿicrosoft" with a Roman numeral)."""
    stand_ins: str
    """Its distinct non-ASCII letters, in order."""


def _word_reading(word: str) -> str | None:
    """The ASCII word a word reads as, every non-ASCII letter by its twin (_stand_in_letter),
    or None when a letter has no twin."""
    reading: list[str] = []
    for character in word:
        twin = character.lower() if character.isascii() else _stand_in_letter(character)
        if twin is None:
            return None
        reading.append(twin)
    return "".join(reading)


@functools.lru_cache(maxsize=1)
def _symbol_letters() -> frozenset[str]:
    """Greek and Cyrillic letters Unicode also encodes as symbols of Latin text (the Latin-1
    Supplement's MICRO SIGN and the Letterlike Symbols' OHM SIGN, DOUBLE-STRUCK SMALL PI,
    DOUBLE-STRUCK N-ARY SUMMATION, ..., whose compatibility form, NFKC, is the letter): μ, Ω, π,
    Σ. Written among Latin letters, they are those symbols ("μTorrent", "Ωmega"), not look-alikes."""
    import unicodedata

    letters = (unicodedata.normalize("NFKC", chr(code)) for code in (*range(0xA0, 0x100), *range(0x2100, 0x2150)))
    return frozenset(letter for letter in letters
                     if len(letter) == 1 and _script(letter) in _LATIN_LOOKALIKE_SCRIPTS)


# Greek small letters typed among Latin ones for a Latin letter of a language's spelling they are
# confusable with, not for an ASCII letter. Empty: β for German ß ("Groβmann") was one, but it
# excused "eβay", "Coinβase" and "HSβC" as well (verification V64a D-7), and a false alarm on a
# name typed with β costs less than a brand look-alike left untold.
_TYPED_FOR_LATIN: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=1024)
def _mixed_reading(character: str) -> tuple[str | None, bool]:
    """(the ASCII letter a non-ASCII letter reads as in a word of Latin letters, or None; whether
    it is another script's look-alike). Beside _stand_in_letter's twins, a small letter reads as
    the twin of its capital (Cyrillic "к" and Greek "κ" as k, Greek "χ" as x, Cyrillic "т" as t:
    drawn as small capitals, which confusables.txt, being case-sensitive, pairs with no ASCII
    letter), unless the letter is a symbol of Latin text (_symbol_letters: "μ" reads as no "m");
    and a Latin letter of a language's spelling reads as its letter without marks ("é" as e), as
    it is no look-alike of another script; another script's letter with marks reads as its bare
    letter would ("ё" as e)."""
    twin = _stand_in_letter(character)
    if twin is not None:
        return twin, _script(character) not in (None, "LATIN")
    if character in _TYPED_FOR_LATIN:
        return None, False
    import unicodedata

    bare = "".join(c for c in unicodedata.normalize("NFD", character) if unicodedata.category(c) != "Mn")
    if _script(character) in (None, "LATIN"):
        return (bare.lower() if len(bare) == 1 and bare.isascii() and bare.isalpha() else None), False
    if character in _symbol_letters() or len(bare) != 1:
        return None, False
    # The letter without its marks (Cyrillic "ё" as "е"), and the small letter by its capital.
    for shape in dict.fromkeys((bare, bare.upper())):
        twin = _stand_in_letter(shape) if len(shape) == 1 else None
        if twin is not None:
            return twin, True
    return None, False


def _lookalike(word: str, scripts: set[str], reading: str | None, mixed: bool) -> LookalikeWord:
    """A LookalikeWord for a word."""
    return LookalikeWord(word=word, scripts=tuple(sorted(script.title() for script in scripts)),
                         reading=reading, mixed=mixed,
                         stand_ins="".join(dict.fromkeys(c for c in word if not c.isascii())))


def lookalike_word(text: str | None) -> LookalikeWord | None:
    """The first word of a text (a display name) written to pass for another, or None.

    - A word mixing Latin letters with look-alikes of another script's ("Аррlе": Cyrillic А р р е
      and a Latin l; "Facebooк", a Cyrillic к; Armenian "Gօօglé", Cherokee "Ꭺpple"), whatever
      other letters it holds, or Latin letters slipped into a longer Cyrillic or Greek word
      ("Сбербaнк", a Latin a): UTS #39 section 5, mixed-script detection. Greek or Cyrillic
      letters that read as no ASCII letter among Latin ones are symbols, not look-alikes
      ("μTorrent", "Ωmega", "KoЯn"): the word passes for none other. The scripts Japanese,
      Chinese and Korean write with Latin (UTS #39 section 5.2, Highly Restrictive) mix nothing.
    - A word in one other script whose every letter has an ASCII twin ("АррӀе", all Cyrillic),
      a whole-script confusable (UTS #39 section 4), unless the name writes that script as its
      own (another word of it has a letter with no ASCII twin: "Роса Иванова"), the word is
      shorter than _MIN_WHOLE_SCRIPT_WORD, or it is written in capitals alone and no Latin word
      stands beside it (_reads_for_latin_readers: "МТС", "ΜΑΡΙΑ ΚΑΡΑΜΗΤΡΟΥ"); and a Latin word
      with letters that spell no language ("Ⅿicrosoft", "Pay𝐏al", "ᴀpple"). (The address's
      country domain excuses nothing here, as it does a domain's own name (ascii_lookalike's
      ``native``): the sender picks the domain as freely as the name.)

    Characters rendered as nothing (_invisible) are dropped first: they split no word a reader
    sees. Real names write each word in one script ("Иван Petrov", "東京 Tokyo Office"), so whole
    words in different scripts, digits, punctuation and Latin letters with marks ("Zoë",
    Turkish "Yıldız") are none of these."""
    if not text or text.isascii():
        return None  # the common case
    import unicodedata

    shown = _invisible().sub("", text[:_MAX_NAME_READ])
    all_words = _letters().findall(unicodedata.normalize("NFC", shown))
    words = [word for word in all_words if not word.isascii()]
    for word in words:
        scripts = {script for script in map(_script, word) if script is not None}
        if "LATIN" in scripts and len(scripts) > 1 and not any(scripts <= allowed for allowed in _CJK_MIXES):
            # A small Greek letter among Latin capitals ("NF-κB", "Aβ", "ERα": a subunit or isoform)
            # is told as any look-alike is: excusing it (verification V61a D-9) let "IκEA", "NοKIA"
            # and "NETFLIχ" through (V64a D-7), and nothing in the word tells the two apart.
            readings = [(character.lower(), False) if character.isascii() else _mixed_reading(character)
                        for character in word]
            if any(lookalike for _, lookalike in readings) or _latin_slipped_in(word, scripts):
                letters = [letter for letter, _ in readings]
                reading = "".join(letter for letter in letters if letter) if all(letters) else None
                return _lookalike(word, scripts, reading, mixed=True)
            continue
        reading = _word_reading(word)
        if len(scripts) > 1:
            if reading is not None:
                return _lookalike(word, scripts, reading, mixed=True)
        elif reading is not None:
            others = scripts - {"LATIN"}
            if not others:
                return _lookalike(word, scripts, reading, mixed=False)  # "Ⅿicrosoft", "Pay𝐏al"
            [script] = others
            beside_latin = any(_latin_word(other) for other in all_words)
            if ((len(word) >= _MIN_WHOLE_SCRIPT_WORD
                 or (len(word) >= _MIN_CAPITALS_BESIDE_LATIN and word.isupper() and beside_latin))
                    and not _written_natively(script, words) and _reads_for_latin_readers(word, script, beside_latin)):
                return _lookalike(word, scripts, reading, mixed=False)
    return None


def _latin_word(word: str) -> bool:
    """Whether a word is written in Latin letters, accented ("Sécurité", "Müşteri") or fullwidth
    ("Ｓｕｐｐｏｒｔ") too, not only ASCII (verification V61a D-5: French or Turkish words beside a
    brand in Greek capitals hid it)."""
    return word.isascii() or all(_script(character) == "LATIN" for character in word)


def _reads_for_latin_readers(word: str, script: str, beside_latin: bool) -> bool:
    """Whether a word of another script that reads as ASCII is written to be read as Latin: it
    has a small letter, or a Latin word stands beside it ("ΑΜΑΖΟΝ Support"). Capitals alone are
    how Cyrillic and Greek write acronyms and, in Greek, names without their accents ("МТС",
    "ТЕРЕМОК", "ΜΑΡΙΑ ΚΑΡΑΜΗΤΡΟΥ", "ΟΤΕ"); most of those scripts' capitals are twins of Latin
    ones (Greek Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ, Cyrillic А В Е К М Н О Р С Т Х), so such a word
    reads as ASCII by chance (“tepemok”), while the few small letters with twins (а е о р с у х)
    make it by choice ("Аррӏе", "Раураӏ"). A capital outside the national alphabets
    (_NATIONAL_CAPITALS: Ѕ in "НЅВС", Ӏ in "РАУРАӀ", Ϲ in "ϹΙΤΙ") makes it by choice too. Other
    scripts' capitals (Cherokee "ᎪᏢᏢᏞᎬ") are told as any word. ``beside_latin``: a Latin word
    (_latin_word) stands beside it."""
    if script not in _LATIN_LOOKALIKE_SCRIPTS or not word.isupper() or beside_latin:
        return True
    return not all(character in _NATIONAL_CAPITALS for character in word)


def _latin_slipped_in(word: str, scripts: set[str]) -> bool:
    """Whether a word has Latin letters slipped into a Cyrillic or Greek word ("Сбербaнк", fewer
    Latin letters than the other script's)."""
    others = scripts - {"LATIN"}
    if "LATIN" not in scripts or not others <= _LATIN_LOOKALIKE_SCRIPTS:
        return False
    latin = sum(_script(character) == "LATIN" for character in word)
    return latin < sum(_script(character) in others for character in word)


def _written_natively(script: str, words: list[str]) -> bool:
    """Whether a name writes a script as its own: another of its words has a letter of that script
    with no ASCII twin ("Роса Иванова": И)."""
    return any(not character.isascii() and _script(character) == script and _stand_in_letter(character) is None
               for word in words for character in word)


@functools.lru_cache(maxsize=256)
def ascii_lookalike(domain: str | None) -> tuple[str, str, tuple[str, ...], bool, bool] | None:
    """(Unicode form, ASCII name it reads as, scripts of its non-ASCII letters, native, marked) for a
    domain whose every non-ASCII character looks like an ASCII letter or digit (Cyrillic
    "аррӏе.com", Latin "unıts.local" with a dotless ı); None for an ASCII name, or one with a
    character that has no ASCII twin ("bißmann.de", "пример.рф"): those read as themselves.
    ``native``: the name is under a country domain of that script (Greek letters under .gr),
    where a whole-script name is ordinary. ``marked``: a letter read only by dropping its marks
    ("ḷ" as "l"). Unicode TR #39 section 4 (confusable detection)."""
    if not domain or len(domain) > 253:
        return None
    labels = [_unicode_label(label) for label in domain.lower().rstrip(".").split(".")]
    shown = ".".join(labels)
    if shown.isascii():
        return None
    import unicodedata

    # The UTS #46 mapping first (case, width), as a mail program shows the name.
    try:
        import idna

        shown = idna.uts46_remap(shown, std3_rules=False, transitional=False)
    except (UnicodeError, ValueError):
        pass
    twin_chars: list[str] = []
    scripts: set[str] = set()
    marked = False
    for character in shown:
        if character.isascii():
            twin_chars.append(character)
            continue
        twin = _ascii_twin(character)
        if twin is None:
            # A Latin letter with a mark ("ḷ", "ọ") has no twin in the confusables data; without
            # its marks it is the letter it imitates (Chromium's skeleton for its top-domain
            # check drops them the same way). Such a name is told only when it imitates one in
            # the message: "café" is a word, not an attack.
            bare = "".join(c for c in unicodedata.normalize("NFD", character) if unicodedata.category(c) != "Mn")
            if len(bare) != 1 or not bare.isascii() or not bare.isalnum():
                return None
            twin, marked = bare.lower(), True
        twin_chars.append(twin)
        script = _script(character)
        if script is not None:
            scripts.add(script)
    twin_name = "".join(twin_chars)
    if twin_name == shown:
        return None
    top = shown.rpartition(".")[2]
    native = len(scripts) == 1 and a_label_form(top) in _NATIVE_SCRIPT_TLDS.get(next(iter(scripts)), ())
    return shown, twin_name, tuple(sorted(script.title() for script in scripts)), native, marked


@functools.lru_cache(maxsize=1024)
def ascii_cousin_key(name: str) -> str:
    """An ASCII name with the characters that stand in for others on most screens made one:
    the digits "1" and "0" as "l" and "o", the pairs "rn" and "vv" as "m" and "w":
    "cornpany.com", "c0mpany.com" and "company.com" have one key. ("cl" for "d" is left out:
    real pairs such as clear/dear and hcl/hd read apart at any usual size, verification V14 A3.)"""
    return name.lower().translate(_ASCII_TWINS).replace("rn", "m").replace("vv", "w")


def lookalike_key(name: str) -> str:
    """A name with the ASCII characters that differ by a stroke made one ("1", "i", "l"; "0",
    "o"), to match a look-alike's ASCII reading with the name it imitates."""
    return name.lower().translate(_LOOSE_TWINS)
