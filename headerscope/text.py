"""Small text helpers shared by the parsers and renderers."""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, AnyStr

if TYPE_CHECKING:
    from typing_extensions import Buffer  # collections.abc.Buffer from Python 3.12

# Terminal escape sequences (CSI "ESC [ ... final" and OSC "ESC ] ... BEL|ST") are removed
# whole, so no parameter residue like "[2J" is left behind. Linear: no nested quantifiers.
# Compiled on first use (re caches it): most runs never meet an escape.
_ANSI = r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)?|\x9b[0-?]*[ -/]*[@-~]"
# Characters a message may use to hide text or change how it reads, none of which a report needs
# to obey: C0 and C1 controls (tab and line feed excepted), the soft hyphen, Arabic letter mark
# and other bidi controls (Unicode UAX #9), zero-width and invisible format characters, line
# and paragraph separators, byte order marks, interlinear annotations, tag characters, and lone
# surrogates (which no text has: a decoder's or a file name's stand-in for a byte, and written
# out they become raw 8-bit control bytes). Shared by the terminal (removed) and HTML (shown).
HIDDEN_CHARACTERS = ("\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
                     "\u2066-\u2069\ufeff\ufff9-\ufffb\U000e0000-\U000e007f\ud800-\udfff")
_CONTROL = re.compile(f"[{HIDDEN_CHARACTERS}]")
# Unicode's Default_Ignorable_Code_Point characters (DerivedCoreProperties.txt) that are not
# format characters (category Cf, in HIDDEN_CHARACTERS): rendered as nothing, yet some belong to
# what comes before them: variation selectors after an emoji or an ideograph, the combining
# grapheme joiner and the Hangul fillers in their scripts. After an ASCII character, or alone,
# they only hide what is written ("PayPal\u034f.com"; verification V32).
IGNORABLE_NOT_FORMAT = ("\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u3164\ufe00-\ufe0f\uffa0"
                        "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0100-\U000e01ef")
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")

_JOIN_BLOCK = 4096
"""Parts bytes.join is given at a time by join_bounded."""


def join_bounded(separator: bytes, parts: Sequence[Buffer]) -> bytes:
    """``separator.join(parts)``, with the join's own bookkeeping bounded.

    ``bytes.join`` holds a buffer view (80 bytes) of every part at once: joining a header of a
    million short lines took 80 MB besides the result, ten times the input. Joined a block of
    parts at a time and then the blocks, it holds one block's views and the blocks (the size of
    the result): the same bytes, since no block is empty."""
    if len(parts) <= _JOIN_BLOCK:
        return separator.join(parts)
    return separator.join([separator.join(parts[start:start + _JOIN_BLOCK])
                           for start in range(0, len(parts), _JOIN_BLOCK)])


def compiled_on_first_use(pattern: AnyStr, flags: int = 0) -> Callable[[], re.Pattern[AnyStr]]:
    """A function returning the compiled pattern, compiled when first called, not at import.

    For patterns only a rare path needs: Python compiles a regex in pure Python (0.1 to 1 ms
    each), and ``headerscope analyze`` of a common message should not pay for the patterns it
    never uses. After the first call, each use costs one cached call."""

    @functools.cache
    def compiled() -> re.Pattern[AnyStr]:
        return re.compile(pattern, flags)

    return compiled


# Decoding is bounded: a value longer than this is shown as written.
MAX_DECODE_LENGTH = 64 * 1024


# What a path shows escaped (see visible_path): the hidden characters, and tab and line feed,
# which a path must not lose either.
_PATH_HIDDEN = re.compile(f"[\t\n{HIDDEN_CHARACTERS}]")
_PATH_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _path_escape(found: re.Match[str]) -> str:
    character = found.group()
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:
        # os.fsdecode's stand-in for a byte that is not UTF-8 (PEP 383 surrogateescape): the byte.
        return f"\\x{code - 0xDC00:02x}"
    if character in _PATH_ESCAPES:
        return _PATH_ESCAPES[character]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible_path(path: str) -> str:
    """A file name as a scan row shows it, in every format: a byte that is not UTF-8 as
    ``\\xNN`` (Latin-1 "M\\xe4rz"), a line break, tab, escape or other control as ``\\n``,
    ``\\t``, ``\\xNN``, a bidi override or zero-width character as ``\\uNNNN``: the name still
    names the file (stripping them, or U+FFFD, names another or none), and none of its
    characters acts on a terminal or a spreadsheet. Other names are as they are (a backslash
    is not doubled, so a name that holds "\\x41" literally reads like one escaped: rare, and
    Windows paths keep their look)."""
    if _PATH_HIDDEN.search(path) is None:
        return path
    return _PATH_HIDDEN.sub(_path_escape, path)


def strip_controls(text: str) -> str:
    """Remove control, bidi-override and zero-width characters (tab becomes a space; line
    feeds stay, for the tool's own multi-line text: see ``one_line``)."""
    if "\x1b" in text or "\x9b" in text:
        text = re.sub(_ANSI, "", text)
    return _CONTROL.sub("", text.replace("\t", " "))


def result_words(result: str | None) -> str:
    """A result code as a report shows it: ``not_checked`` as "not checked" (the JSON and
    ``--filter`` keep the code)."""
    return (result or "none").replace("_", " ")


def header_ref(index: int | None) -> str:
    """How a report names one of the message's header fields: "header 1" is the first, as a
    reader counts them from the top. The JSON's ``index`` fields count from 0 (positions in
    ``headers``); only the words, and the HTML anchors they link to, count from 1. Results read
    from a pasted summary table (Gmail's "Show original") have no field: None."""
    return "the pasted summary table" if index is None else f"header {index + 1}"


def header_refs(indexes: list[int]) -> str:
    """Several header fields at once: "headers 3, 7" (counted from 1, as ``header_ref``)."""
    return "headers " + ", ".join(str(index + 1) for index in indexes)


def shown_hidden(text: str) -> str:
    """The text with each hidden or direction-changing character shown as ``⟨U+XXXX⟩``: for a
    value whose hidden characters are the point (a file name reversed by U+202E), which the
    terminal would otherwise remove silently (the HTML report shows them so everywhere)."""
    return _CONTROL.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text) if _CONTROL.search(text) else text


def one_line(text: str) -> str:
    """``strip_controls`` for a value from the message: its line breaks become spaces, so it
    cannot start a line of the report that looks like the report's own."""
    text = strip_controls(text)
    return text.replace("\n", " ") if "\n" in text else text


# What a mail client shows as an "@": the commercial at and the two characters Unicode's NFKC
# folds to it (FULLWIDTH U+FF20 and SMALL U+FE6B COMMERCIAL AT), which a sender can write in place
# of one: "bob＠example.org" reads as an address to its reader, so redaction masks it as one.
AT_SIGNS = "@\uff20\ufe6b"
# Characters that end an unquoted local part: separators of addr-spec context (RFC 5322 section
# 3.2.3 specials that are not atext), whitespace, quotes (double ones and the typographic opening
# ones, where a quoted piece may start; a closing one ends none: 'bob”@' is one word) and "@"
# itself; and "…", the report's own mark where it cuts a value (a long file name's start "…" its
# end), which no mailbox name holds: "…'bob smith'@example.org" is a single-quoted local part after
# a cut. An apostrophe is atext, and a local part's only inside a word (see _APOSTROPHE). So is the
# backtick ("`", section 3.2.3 atext): "bo`b@example.org" is one local part, and "`bob@example.org`"
# (a code span) too, its opening backtick kept when masked (redact._masked_local).
_STOP = rf"\s<>()\[\]\\,;:\"{AT_SIGNS}'\u2026\u201c\u2018"
# What a local part may start after: _STOP but the apostrophe, which starts one only where it
# follows a separator or a "." itself (masked_address's look-behind), where it is no part of a word.
# A start after any apostrophe would make each of a megabyte of "a'a'a'..." a start reading to the
# end of the run (quadratic); a word read from after ".'" ends at the next ".'".
_SEPARATOR = rf"\s<>()\[\]\\,;:\"{AT_SIGNS}\u2026\u201c\u2018"
# An apostrophe inside a word of a local part (RFC 5322 section 3.2.3: atext holds "'";
# "sean.o'brien@example.ie", "o'neill@example.org"): after an atext character, before another or
# the "@". After a "." it opens a single-quoted piece ("x.'bob smith'@"), and a local part may start
# after it (see masked_address) as after a separator.
_APOSTROPHE = rf"(?<=[^{_STOP}.])'(?=[^{_STOP}]|[{AT_SIGNS}])"
_WORD_CHARACTER = rf"(?:[^{_STOP}]|{_APOSTROPHE})"
# A quoted piece holds no "<", ">", "@" or line end: a display name's closing quote read as an
# opening one would otherwise take the text up to the next display name's quote ('John Smith'
# <john@a.example>, 'jane@b.example' <...>, Outlook's form) for one quoted string and mask two
# recipients as one, their first domain erased. RFC 5322 section 3.2.4 allows "<", ">" and "@" in
# qtext, but no mailbox holds them; a "," or ";" it allows is kept in double quotes ("Smith,
# John"@example.org), not in single ones, which are apostrophes in prose as often ("the users'
# list, 'bob'@...") and a file name's quotes only where it cannot hold double ones. A single quote
# opens one only after a separator or a "." (or at the start): after a letter it is an apostrophe
# ("Don't write to o'brien@example.com" is no quoted "'t write to o'" before "brien@").
# A double-quoted piece holds quoted-pairs (section 3.2.4: "\\" and any character, '"bob\\"
# smith"@example.org' is one local part), up to three, 30 characters of qtext around each (126
# in all, as bounded as one without): each repeat is possessive and a pair starts with what qtext
# is not, so none backtracks, and a start on each quote of a megabyte of '"\\"\\"...' reads at most
# three pairs. Typographic quotes (“bob smith”, ‘bob smith’) are quotes
# to the reader, whom a word processor or a client's autocorrection wrote them for.
_QTEXT = rf'[^"\\<>{AT_SIGNS}\r\n]'
_DOUBLE_QUOTED = (rf'(?:"(?:{_QTEXT}{{1,128}}+|(?:{_QTEXT}{{0,30}}+\\[^\r\n]){{1,3}}+{_QTEXT}{{0,30}}+)"'
                  rf"|\u201c[^\u201c\u201d<>{AT_SIGNS}\r\n]{{1,128}}+\u201d)")
_SINGLE_QUOTED = (rf"(?:(?<![^{_SEPARATOR}.])'[^'<>{AT_SIGNS},;\r\n]{{1,128}}+'"
                  rf"|\u2018[^\u2018\u2019<>{AT_SIGNS},;\r\n]{{1,128}}+\u2019)")
# Atoms and a single-quoted piece right after them, taken as such (not as an apostrophe in a word)
# only where the "@" follows its closing quote, blanks between at most: "aaa'bob smith'@example.org";
# "Don't write to o'brien@" is no "Don" and "'t write to o'" (a letter follows that quote).
_ATOMS_SINGLE_QUOTED = rf"[^{_STOP}]++'[^'<>{AT_SIGNS},;\r\n]{{1,128}}+'[ \t]*+(?=[{AT_SIGNS}])"
# A local part is masked wherever a run of local-part characters, or a quoted string, ends at an
# "@", whatever follows it: a mistyped address ("bob@@example.org", "bob@.example.org"), one split
# from its domain ("bob@ [192.0.2.1]") or cut short ("bob@[192.0.2") is still a person's mailbox
# name, and masking errs on the side of hiding. Its forms:
#   - RFC 5322 section 4.4's obs-local-part, words joined by dots where a word may be a quoted
#     string ('x."bob smith"@...', '"bob smith".x@...'): atoms and quoted strings in turn, each
#     bounded but the first run (64 and 128 characters, at most 8 quoted ones, 64 after the last:
#     a run before the first quoted string is read from where it starts, as a plain one is, so a
#     longer one, "aaa…(70)"bob smith"@", is masked too), a quoted string's
#     white space before the "@" included, however much (CFWS, section 4.4); single quotes taken
#     for double ones, as text that cannot hold a double quote writes them (a quoted file name:
#     "'bob smith'@example.org");
#   - a plain run of local-part characters, and the blanks after it when a domain name follows the
#     "@" at once ("bob  @example.org": CFWS before the "@", section 4.4, which a reader's client
#     drops); "meet @ 5pm", "no address @ here" are prose.
# The local part must start right after a separator (the look-behind); every repeat is possessive
# and the pieces cannot overlap (an atom holds no quote, a quoted string no quote of its own kind),
# so no attempt backtracks, and one costs at most its first run plus the bounded pieces; a run has
# at most two starts (after the separator, and after an apostrophe that follows it or a "."; a word
# ends at a ".'"): linear time, whatever the input. A run of blanks is read only by the attempt that
# reached the quote or word before it (a start on a blank fails at once). The "@" is one of
# AT_SIGNS (group ``at``). The domain is kept when there is one: a name, or an address literal.
masked_address = compiled_on_first_use(
    rf"(?:(?<![^{_SEPARATOR}])|(?<=(?<![^{_SEPARATOR}.])'))"
    rf"(?P<local>{_ATOMS_SINGLE_QUOTED}|{_WORD_CHARACTER}*+(?:{_DOUBLE_QUOTED}|{_SINGLE_QUOTED})"
    rf"(?:{_WORD_CHARACTER}{{0,64}}+(?:{_DOUBLE_QUOTED}|{_SINGLE_QUOTED})){{0,7}}+"
    rf"{_WORD_CHARACTER}{{0,64}}+(?:(?<=[\"'\u201d\u2019])[ \t]++)?+"
    rf"|{_WORD_CHARACTER}++(?:[ \t]++(?=[{AT_SIGNS}][^\W_][\w-]{{0,62}}+\.[^\W_]))?+)"
    rf"(?P<at>[{AT_SIGNS}])(?P<domain>[^\W_](?:[\w.-]*[^\W_])?|\[[^\]\s]{{1,64}}\])?"  # a name, or an address literal
)
"""An address as --redact (redact.redact_text) finds it: a local part that ends at an "@" (group
``local``), and the domain after the "@" when there is one (group ``domain``). The cuts below
(address_safe_cut, address_safe_tail) read a text with it, so that none splits a local part
redaction masks, whatever its form."""
# What ends an address's local part where redaction (_STOP) looks for one: RFC 5322
# section 3.2.3's specials that are not atext, white space, quotes, "@" itself and a cut's "…".
_LOCAL_PART_END = frozenset(" \t\r\n\x0b\x0c<>()[]\\,;:\"'\u2026\u201c\u2018" + AT_SIGNS)
_MAX_LOCAL_PART_LOOK = 1024
"""Characters looked at on each side of a cut for the local part it would split: RFC 5321 section
4.5.3.1.1 allows 64 octets; a longer run is no mailbox anyone has."""
_MAX_QUOTED_LOCAL_PART = 130
"""A quoted local part's length looked at, its quotes included (redact.py masks one of 128)."""
# What an address literal's text up to a cut can be (RFC 5321 section 4.1.3): the start of an IPv4
# dotted quad, or of a tag ("IPv6", a Standardized-tag: a Ldh-str) and its ":" and content (dcontent,
# %d33-90 / %d94-126: no white space, "[", "\\" or "]"); bounded as redaction's literal (64). Other
# text after an "@[" ("@[team-finance please review") is no address literal the cut would split.
_address_literal_start = compiled_on_first_use(r"[0-9.]{0,15}|[A-Za-z0-9-]{1,64}(?::[!-Z^-~]{0,64})?")


# An encoded-word as a cut looks for one around it (RFC 2047 section 2; its text bounded by the
# cut's look, as no word holding a mailbox name is longer).
_encoded_word_near_cut = compiled_on_first_use(r"=\?[^?\s]{1,75}\?[bBqQ]\?[^?\s]{0,1024}\?=")


def _encoded_address_run(text: str, position: int) -> tuple[int, int] | None:
    """The span of the run of encoded-words ``position`` is strictly inside when that run, decoded,
    holds an "@" (one of AT_SIGNS): a cut there would keep a piece of it that is no encoded-word,
    or no address, once cut ("=?utf-8?q?bob=40exa" of "=?utf-8?q?bob=40example.org?=" in a
    Received note; verification V55b D3-1), and redaction (which decodes, then masks) would not
    see the mailbox name in it. A run is encoded-words with white space or nothing between them,
    and the text glued to its ends ("bob=?utf-8?q?=40?=example.org"), as decode_rfc2047 reads it.
    None when there is no such run. A run that reaches past the look (_MAX_LOCAL_PART_LOOK each
    way) is taken to the look's edges, undecoded. Bounded: the look read once, and decoded once."""
    floor = max(0, position - _MAX_LOCAL_PART_LOOK)
    ceiling = min(len(text), position + _MAX_LOCAL_PART_LOOK)
    if text.find("=?", floor, ceiling) < 0:
        return None
    runs: list[tuple[int, int]] = []
    for word in _encoded_word_near_cut().finditer(text, floor, ceiling):
        if runs:
            between = text[runs[-1][1]:word.start()]
            if not between.strip(" \t\r\n") or not any(c.isspace() for c in between):
                runs[-1] = (runs[-1][0], word.end())  # the same run: white space, or glued text, between its words
                continue
            if runs[-1][0] > position:
                break
        runs.append((word.start(), word.end()))
    # The run the position is in, or in the text glued after it (the last one starting before it),
    # or in the text glued before the next one.
    before = [run for run in runs if run[0] <= position][-1:]
    after = [run for run in runs if run[0] > position][:1]
    for start, end in (*before, *after):
        while start > floor and not text[start - 1].isspace():
            start -= 1
        while end < ceiling and not text[end].isspace():
            end += 1
        if start < position < end:
            break
    else:
        return None
    if (start == floor and floor > 0) or (end == ceiling and ceiling < len(text)):
        # A run (or its glued text) that reaches past the look is taken for one that holds an
        # address, undecoded: the cut before it errs on hiding, and costs no decoding (1,100
        # characters glued after "=?utf-8?q?bob=40example.org?=" made the cut give up before,
        # verification V59a D3-2).
        return start, end
    decoded = decode_rfc2047_whole(text[start:end])
    return (start, end) if any(sign in decoded for sign in AT_SIGNS) else None


def address_safe_cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, the cut moved back before an address that it
    would leave unreadable as one: "<bob.secret@example.com>" cut at "<bob.sec" (or at
    "<bob.secret@", or in "bob@[192.0.2" of an address literal) keeps the mailbox name without
    what --redact needs to tell it from a word (redact.redact_text masks the local part before
    an "@" and the start of a domain), so it would be shown. A cut in the domain that leaves its
    first character is kept ("bob@exam": redaction masks "bob"). A quoted local part ("bob
    secret"@x, RFC 5322 section 3.4.1) is cut before its opening quote. Bounded: at most
    _MAX_LOCAL_PART_LOOK characters looked at each way."""
    if len(text) <= limit:
        return text
    run = _encoded_address_run(text, limit)
    if run is not None:
        limit = run[0]  # before the run of encoded-words that holds an address (then as any cut there)
    masked = _masked_local_part_start(text, limit)
    if masked >= 0:
        # In a local part as redaction reads it, whatever its form (quoted in single or double
        # quotes, dotted atoms and quoted strings, a quoted string and blanks before the "@",
        # apostrophes: V53b D3-1): before it. The walk below is for what it does not read.
        return text[:masked]
    floor = max(0, limit - _MAX_LOCAL_PART_LOOK)
    literal = text.rfind("@[", floor, limit)
    if literal >= 0 and text.find("]", literal, limit) < 0 and _address_literal_start().fullmatch(text, literal + 2, limit):
        # The cut is inside an address literal ("bob@[IPv6:2001:db8:..." holds ":" that end the
        # walk below before it reaches the "@["): before the whole address (V49b D2-1).
        return text[:_local_part_start(text, literal, floor)]
    start = limit  # where the run of local-part (or domain) characters the cut falls in starts
    while start > floor and text[start - 1] not in _LOCAL_PART_END:
        start -= 1
    if start > 0 and text[start - 1] in AT_SIGNS:
        if text[start:limit][:1].isalnum() and (
                text[start - 2:start - 1] not in (" ", "\t") or _domain_name_start().match(text, start, limit)):
            # The cut is in the domain, after its first character; after its first dot and the
            # character after that when blanks come before the "@" (masked_address masks those
            # only before a domain name: "bob  @e" is no address to it).
            return text[:limit]
        return text[:_local_part_start(text, start - 1, floor)]
    end = limit
    stop = min(len(text), limit + _MAX_LOCAL_PART_LOOK)
    while end < stop and text[end] not in _LOCAL_PART_END:
        end += 1
    if text[end:end + 1] in _AT_SIGN_SET:
        return text[:_local_part_start(text, end, floor)]  # the cut is in a local part, or before its "@"
    # Inside a quoted local part: its closing quote and "@" ahead, no other quote between.
    closing = text.find('"@', limit, limit + _MAX_QUOTED_LOCAL_PART)
    if closing >= 0 and text.find('"', limit, closing) < 0:
        opening = text.rfind('"', max(0, limit - _MAX_QUOTED_LOCAL_PART), limit)
        if opening >= 0:
            return text[:opening]
    encoded = _percent_encoded_local_part_start(text, limit)
    return text[:encoded] if encoded >= 0 else text[:limit]


# What a percent-encoded address's local part holds as redaction reads one (redact._ENCODED_ADDRESS:
# atext, and escapes, whose "%" it holds too), and its "@" encoded once or more ("%40", "%2540").
_PERCENT_LOCAL_PART = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+~!$*'-%")
_percent_encoded_at = compiled_on_first_use(r"%(?:25)*+40")


def _percent_encoded_local_part_start(text: str, position: int) -> int:
    """Where the local part of a percent-encoded address starts ("?e=bob%40example.org", RFC 6068
    section 2) when ``position`` is inside it or inside its encoded "@", -1 otherwise: a cut there
    keeps "bob" or "bob%25" of "bob%2540example.org", which redaction cannot tell from a word
    (verification V59a D3-1). A cut after the encoded "@" keeps what redaction masks. Bounded:
    _MAX_LOCAL_PART_LOOK characters each way; a longer run is no mailbox (as address_safe_cut's)."""
    floor = max(0, position - _MAX_LOCAL_PART_LOOK)
    start = position
    while start > floor and text[start - 1] in _PERCENT_LOCAL_PART:
        start -= 1
    if start == floor and floor > 0 and text[floor - 1] in _PERCENT_LOCAL_PART:
        return -1
    end = position
    stop = min(len(text), position + _MAX_LOCAL_PART_LOOK)
    while end < stop and text[end] in _PERCENT_LOCAL_PART:
        end += 1
    at = _percent_encoded_at().search(text, start, end)
    if at is None or at.end() <= position:
        return -1  # no encoded "@", or the cut is after it
    return start


def address_safe_tail(text: str, length: int) -> str:
    """The last ``length`` characters of ``text`` (fewer when they would start inside a local part),
    for a display that keeps a long value's end: a start inside a quoted local part ("…jkvb
    x"@example.org of "zqx jkvb x"@example.org, RFC 5322 section 3.4.1) leaves no opening quote, so
    redact.redact_text cannot tell the mailbox name from words; the end kept then starts at the
    address's "@". So does a start inside an unquoted local part, which redaction masks only
    together with what comes before it. Bounded: at most _MAX_LOCAL_PART_LOOK characters looked at."""
    if len(text) <= length:
        return text
    start = len(text) - length
    run = _encoded_address_run(text, start)
    if run is not None:
        start = run[1]  # after the run of encoded-words that holds an address (then as any start there)
        if start >= len(text):
            return ""
    if _masked_local_part_start(text, start) >= 0:
        return text[_first_at_sign(text, start, len(text)):]  # inside a local part as redaction reads it (see address_safe_cut)
    # Inside a quoted local part: its closing quote and "@" ahead, no other quote between, and an
    # opening quote behind (a start on the opening quote keeps the local part whole).
    closing = text.find('"@', start, start + _MAX_QUOTED_LOCAL_PART)
    if closing >= 0 and text.find('"', start, closing) < 0 \
            and text.rfind('"', max(0, start - _MAX_QUOTED_LOCAL_PART), start) >= 0:
        return text[closing + 1:]
    if text[start - 1] not in _LOCAL_PART_END:
        end = start
        stop = min(len(text), start + _MAX_LOCAL_PART_LOOK)
        while end < stop and text[end] not in _LOCAL_PART_END:
            end += 1
        if text[end:end + 1] in _AT_SIGN_SET:
            return text[end:]  # inside an unquoted local part (a start after a separator keeps it whole)
    return text[start:]


_AT_SIGN_SET = frozenset(AT_SIGNS)
_at_sign = compiled_on_first_use(f"[{AT_SIGNS}]")


def _first_at_sign(text: str, start: int, end: int) -> int:
    """Where the first of AT_SIGNS in ``text[start:end]`` is, or -1."""
    found = _at_sign().search(text, start, end)
    return found.start() if found else -1


_MAX_MASKED_LOCAL_PART = 2048
"""Characters looked at before an "@" for the local part masked_address reads there: its obsolete
form's bounded pieces (8 quoted pieces of 130 characters, 8 runs of 64 atoms) are 1,552; a longer
first run, or plain run, is no mailbox (RFC 5321 section 4.5.3.1.1 allows 64 octets), nor are
hundreds of blanks before the "@" (which redaction masks, but a cut in them is not told)."""


def _masked_local_part_start(text: str, position: int) -> int:
    """Where the local part redaction reads (masked_address) starts when ``position`` is inside it
    or at its "@" (so that a cut there would leave part of it, or all of it without the "@" that
    redaction needs); -1 when there is none. No local part holds an "@", so the one around
    ``position`` ends at the first "@" from there. Bounded: _MAX_MASKED_LOCAL_PART characters each
    way, read once."""
    at = _first_at_sign(text, position, position + _MAX_MASKED_LOCAL_PART)
    if at < 0:
        return -1
    start = _masked_local_part_before(text, at)
    return start if start < position else -1


_domain_name_start = compiled_on_first_use(r"[^\W_][\w-]{0,62}+\.[^\W_]")
_DOMAIN_LOOK = 66
"""Characters from an "@" masked_address looks at to mask the blanks before it: the "@", a DNS
label (at most 63, RFC 1035 section 2.3.4), its dot and one more."""


def _masked_local_part_before(text: str, at: int) -> int:
    """Where the local part redaction reads before the "@" at ``at`` starts (masked_address), or -1.
    Bounded: _MAX_MASKED_LOCAL_PART characters, read once, and none before the "@" before (no
    local part holds one: each is read alone, as redaction reads it, its look-behind seeing the
    text before)."""
    floor = max(0, at - _MAX_MASKED_LOCAL_PART)
    after = max(text.rfind(sign, floor, at) for sign in AT_SIGNS) + 1 or floor
    # (To the "@" and the start of the domain name after it, which blanks before the "@" need.)
    for found in masked_address().finditer(text, after, at + _DOMAIN_LOOK):
        if found.end("local") == at:
            return found.start()
    return -1


def address_safe_shortened(text: str, limit: int) -> str:
    """``text`` shortened to at most ``limit`` characters, "…" saying so, cut as address_safe_cut
    cuts (never inside an address --redact could not then mask)."""
    return text if len(text) <= limit else address_safe_cut(text, limit - 1).rstrip() + "…"


def address_safe_group(found: re.Match[str], group: int) -> str:
    """A group of a regex match whose bounded repeat ("[^\\n]{1,300}") may have stopped inside an
    address on a longer line, cut as address_safe_cut cuts there: the rest of the line is looked
    at (at most _MAX_LOCAL_PART_LOOK characters), so that a match that ends in "<bob.sec" keeps
    none of the mailbox name --redact could not mask. A group that ends where its line does is
    kept whole."""
    start, end = found.span(group)
    if start < 0:
        return ""
    text = found.string
    return address_safe_cut(text[start:end + _MAX_LOCAL_PART_LOOK + 1], end - start)


def _local_part_start(text: str, at: int, floor: int) -> int:
    """Where the local part before the "@" at ``at`` starts (its opening quote, when quoted); and
    where the one before that starts when it is itself after an "@": a login written with the
    client's address, "jane@example.org@198.51.100.7" (qmail, Plesk), cut at its second "@" would
    keep "jane@", a mailbox name without the domain redaction needs (verification V47 f)."""
    masked = _masked_local_part_before(text, at)  # (once: each turn below would read its 2,048 characters)
    while True:
        if masked >= 0:
            start = masked  # (quoted in single or double quotes, dotted, with apostrophes: as redaction reads it)
            masked = -1
        elif text[at - 1:at] == '"':
            opening = text.rfind('"', max(0, at - _MAX_QUOTED_LOCAL_PART), at - 1)
            start = opening if opening >= 0 else at
        else:
            start = at
            while start > floor and text[start - 1] not in _LOCAL_PART_END:
                start -= 1
        # (Each turn moves back at least one character, to no further than ``floor``: bounded.)
        if start <= floor or text[start - 1:start] not in _AT_SIGN_SET:
            return start
        at = start - 1


# What people put in place of a value they hide before sharing a copy: "***", "[redacted]",
# "<removed>", "REDACTED". Looked for only where a value failed to read or verify (a DKIM
# signature, an address literal): "REDACTED" is base64's alphabet too.
_redaction = compiled_on_first_use(
    r"\*{3,}|[\[<(](?:redacted|removed|hidden|masked|obfuscated|censored|deleted)[\]>)]|\bREDACTED\b",
    re.IGNORECASE)


def redaction_mark(text: str) -> str | None:
    """The first mask a person put in place of a hidden value in ``text`` ("***",
    "[redacted]"), or None. Only the first 4,000 characters are looked at."""
    found = _redaction().search(text, 0, 4000)
    return found.group(0) if found else None


# The start of an encoded-word: "=?charset?Q?" or "=?charset?B?" (RFC 2047 section 2).
_encoded_word_start = compiled_on_first_use(r"=\?[^?\s]{1,75}\?[QqBb]\?")


def unterminated_encoded_word(value: str) -> bool:
    """Whether the value opens an encoded-word that never ends with "?=" (RFC 2047 section 2)."""
    for match in _encoded_word_start().finditer(value[:MAX_DECODE_LENGTH]):
        if value.find("?=", match.end()) < 0:
            return True
    return False


def decode_rfc2047(value: str) -> str:
    """Decode RFC 2047 encoded-words for display; the value as written when it has none."""
    return decode_rfc2047_checked(value)[0]


# Charset labels as mail programs write them, mapped to the Python codec that decodes what they
# really send: the WHATWG Encoding Standard's label table (section 4.2), which browsers and mail
# readers follow. "gb2312" mail is GBK, "ks_c_5601-1987" is Windows-949, "shift_jis" is
# Windows-31J with NEC and IBM extensions, and "iso-8859-8-i" is ISO-8859-8 (logical order).
# The Latin-1, Turkish and Thai labels ("iso-8859-1", "latin1", "us-ascii"; "iso-8859-9";
# "tis-620", "iso-8859-11") name the Windows code pages that extend them: see _WHATWG_SINGLE_BYTE.
_CHARSET_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030",
    "csgb2312": "gb18030", "chinese": "gb18030",
    "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949", "ks_c_5601-1989": "cp949", "euc-kr": "cp949",
    "korean": "cp949", "csksc56011987": "cp949", "windows-949": "cp949",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932",
    "csshiftjis": "cp932", "windows-31j": "cp932",
    "iso-8859-8-i": "iso-8859-8", "csiso88598i": "iso-8859-8", "logical": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6", "iso-8859-6-e": "iso-8859-6", "iso-8859-8-e": "iso-8859-8",
    "x-user-defined": "latin-1", "unknown-8bit": "utf-8", "x-unknown": "utf-8", "unknown": "utf-8",
    "windows-874": "cp874", "dos-874": "cp874", "iso885911": "iso8859-11", "iso88591": "iso8859-1", "iso88599": "iso8859-9",
    "x-cp1250": "cp1250", "x-cp1251": "cp1251", "x-cp1252": "cp1252", "x-cp1253": "cp1253",
    "x-cp1254": "cp1254", "x-cp1255": "cp1255", "x-cp1256": "cp1256", "x-cp1257": "cp1257",
    "x-cp1258": "cp1258",
    "cn-big5": "big5", "x-x-big5": "big5",
}
# Python's codecs (by their normalized names) that the WHATWG Encoding Standard reads as a
# Windows code page (section 4.2's label table): ISO-8859-1 and US-ASCII as windows-1252, ISO-8859-9
# as windows-1254, TIS-620 and ISO-8859-11 as windows-874; each a superset, so text really in the
# older charset reads the same, and the typographic quotes, dashes and euro sign that Windows
# programs write under those labels read as the reader's mail program shows them (Thunderbird
# through encoding_rs, webmail through the browser). The code pages themselves are decoded by the
# Standard's tables (_whatwg_single_byte).
_WHATWG_SINGLE_BYTE = {
    "iso8859-1": "windows-1252", "ascii": "windows-1252", "iso8859-9": "windows-1254",
    "iso8859-11": "windows-874", "tis-620": "windows-874", "cp874": "windows-874",
    **{f"cp125{digit}": f"windows-125{digit}" for digit in "012345678"},
}
_WHATWG_PREFIX = "whatwg-"
# One encoded-word: charset (with an RFC 2231 language after "*"), encoding and text (RFC 2047 section 2).
_encoded_word_parts = compiled_on_first_use(r"=\?([^?\s]{1,75})\?([bBqQ])\?([^?\s]*)\?=")
_q_escape = compiled_on_first_use(rb"=([0-9A-Fa-f]{2})")
_BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def decode_rfc2047_checked(value: str) -> tuple[str, tuple[str, ...]]:
    """The value with its encoded-words decoded, and what could not be decoded cleanly.

    Adjacent encoded-words of one charset are decoded together (a character split across two
    words is common, though RFC 2047 section 5 forbids it), the white space between them is
    dropped (section 6.2), and one bad word never undoes its neighbours: it is decoded with
    replacement characters, or shown as written when its encoding is broken."""
    if len(value) > MAX_DECODE_LENGTH:
        return value, ()
    return _decoded_encoded_words(value)


def decode_rfc2047_whole(value: str) -> str:
    """decode_rfc2047, however long the value: for --redact (redact.redact_text), which must see
    an address a reader's decoding shows even in a value past MAX_DECODE_LENGTH (a run of 5,000
    encoded-words after one holding the address, verification V55b D3-2). Linear: each word is
    read once, as in decode_rfc2047_checked."""
    return _decoded_encoded_words(value)[0]


def _decoded_encoded_words(value: str) -> tuple[str, tuple[str, ...]]:
    """decode_rfc2047_checked without its length bound."""
    if "=?" not in value or not _ENCODED_WORD.search(value):
        return value, ()
    problems: list[str] = []
    out: list[str] = []
    run_charset: str | None = None
    run: list[bytes] = []
    position = 0

    def flush() -> None:
        nonlocal run_charset
        if run_charset is not None:
            out.append(_decode_bytes(b"".join(run), run_charset, problems))
        run_charset = None
        run.clear()

    for match in _encoded_word_parts().finditer(value):
        between = value[position:match.start()]
        charset = match.group(1).split("*", 1)[0]
        data = _word_bytes(match.group(2), match.group(3))
        position = match.end()
        if data is None:
            flush()
            out.append(between)
            out.append(match.group(0))
            problems.append(f"an encoded-word whose {match.group(2).upper()} encoding is broken: shown as written")
            continue
        if run_charset is not None and between.strip(" \t\r\n") == "":
            if charset.lower() == run_charset.lower():
                run.append(data)
                continue
            flush()  # white space between encoded-words is not shown (section 6.2)
        else:
            flush()
            out.append(between)
        run_charset = charset
        run.append(data)
    flush()
    out.append(value[position:])
    return "".join(out), tuple(dict.fromkeys(problems))


def _word_bytes(encoding: str, text: str) -> bytes | None:
    """The bytes an encoded-word's text stands for, or None when its B or Q encoding is broken."""
    if encoding in "bB":
        import binascii

        if text.rstrip("=").strip(_BASE64_ALPHABET):
            return None  # a character base64 does not have (decoders would drop it silently)
        try:
            return binascii.a2b_base64(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            return None
    raw = text.replace("_", " ").encode("ascii", "replace")
    return _q_escape().sub(lambda m: bytes((int(m.group(1), 16),)), raw)


# Python codecs that decode text but are no character set a message can be written in: they
# turn bytes into arbitrary code points (lone surrogates, escapes), or refuse with errors other
# than UnicodeDecodeError. Python's non-text codecs (rot13, base64, zlib...) are refused by
# their ``_is_text_encoding``.
_NOT_CHARSETS = frozenset({"unicode_escape", "raw_unicode_escape", "punycode", "idna", "undefined"})


def charset_codec(label: str) -> str | None:
    """The Python codec a charset label means (WHATWG labels, as above), or None when it is
    unknown or names no character set."""
    name = label.strip().lower()
    target = _CHARSET_ALIASES.get(name, name)
    try:
        info = codecs.lookup(target)
    except (LookupError, ValueError, TypeError):  # unknown, or a name with a NUL in it
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS \
            or info.name.startswith(_WHATWG_PREFIX):  # this module's own codecs are no label a message may use
        return None
    # x-user-defined keeps its Latin-1 reading (its WHATWG table puts bytes 0x80-0xFF in the
    # Private Use Area, which shows nothing a reader can read either).
    if info.name == "big5":
        return _WHATWG_PREFIX + "big5"
    windows = _WHATWG_SINGLE_BYTE.get(info.name) if name != "x-user-defined" else None
    return _WHATWG_PREFIX + windows if windows else info.name


def whatwg_encoding(codec: str) -> str | None:
    """The WHATWG encoding a codec from ``charset_codec`` decodes ("windows-1252"), or None for a
    codec that is Python's own."""
    return codec[len(_WHATWG_PREFIX):] if codec.startswith(_WHATWG_PREFIX) else None


def _whatwg_single_byte(name: str) -> codecs.CodecInfo | None:
    """Python's codec search function (codecs.register): the codec ``whatwg-windows-NNN``, a
    single-byte Windows code page decoded by the WHATWG Encoding Standard's index (section 9.1,
    index-windows-NNN.txt). Those are Microsoft's tables, which Python's cpNNN codecs follow,
    except that each byte of 0x80-0x9F Microsoft leaves undefined is the C1 control of the same
    number (0x81 is U+0081: still a control character, reported as a hidden one), and that
    windows-1255's 0xCA is U+05BA (HEBREW POINT HOLAM HASER FOR VAV). Other undefined bytes
    stay errors, as in the Standard. Encoding is the exact inverse (a DKIM candidate is written
    back in the charset it was read in)."""
    prefix = _WHATWG_PREFIX.replace("-", "_")
    if not name.startswith(prefix + "windows_"):
        return None
    page = name[len(prefix) + len("windows_"):]
    if f"cp{page}" not in _WHATWG_SINGLE_BYTE:
        return None
    table = []
    for byte in range(256):
        try:
            table.append(bytes((byte,)).decode(f"cp{page}"))
        except UnicodeDecodeError:
            table.append(chr(byte) if 0x80 <= byte < 0xA0 else "\ufffe")  # U+FFFE: undefined for charmap
    if page == "1255":
        table[0xCA] = "\u05ba"
    decoding_table = "".join(table)
    encoding_table = codecs.charmap_build(decoding_table)

    def encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
        return codecs.charmap_encode(text, errors, encoding_table)

    def decode(data: Buffer, errors: str = "strict") -> tuple[str, int]:
        return codecs.charmap_decode(data, errors, decoding_table)

    return codecs.CodecInfo(encode, decode, name=f"{_WHATWG_PREFIX}windows-{page}")


# Searched only for its own names (the registry caches each answer).
codecs.register(_whatwg_single_byte)


# Big5 as mail readers decode it: the WHATWG Encoding Standard's Big5 decoder (section 14.1,
# index-big5), which Thunderbird (encoding_rs) and webmail use for the labels "big5", "csbig5",
# "cn-big5" and "x-x-big5". It holds Microsoft's CP950 additions (the euro at A3E1, ETEN's 碁 at
# F9D6 and its box drawings) and HKSCS (綫 at 8EA8), which Python's big5 refuses; cp950 lacks
# HKSCS and big5hkscs lacks the euro, so no one Python codec is it. Each pair is read by Python's
# big5 first (plain Big5 reads as it always did here), then, where big5 refuses it, by cp950,
# then by big5hkscs (whose few pairs that differ from cp950's, F9FE, follow cp950 as WHATWG does).
# The other big5 labels Python knows ("big5-hkscs", "cp950") keep Python's codecs.
_BIG5_FALLBACKS = ("cp950", "big5hkscs")


@functools.cache
def _big5_errors(errors: str) -> str:
    """The name of a decoding error handler for Python's big5 codec that reads a pair big5
    refuses by _BIG5_FALLBACKS, and leaves any other to the caller's handler ``errors``.
    Registered once for each ``errors`` a caller passes (the tool's own few)."""
    name = f"headerscope-whatwg-big5-{errors}"

    def fallback(error: UnicodeError) -> tuple[str | bytes, int]:
        if isinstance(error, UnicodeDecodeError):
            pair = error.object[error.start:error.start + 2]
            # A Big5 lead byte is 0x81-0xFE, a trail byte 0x40-0x7E or 0xA1-0xFE (WHATWG section
            # 14.1.1): any other pair is no character in either table, and is not tried.
            if len(pair) == 2 and 0x81 <= pair[0] <= 0xFE and (0x40 <= pair[1] <= 0x7E or 0xA1 <= pair[1] <= 0xFE):
                for codec in _BIG5_FALLBACKS:
                    try:
                        return pair.decode(codec), error.start + 2
                    except UnicodeDecodeError:
                        continue
        result: tuple[str | bytes, int] = codecs.lookup_error(errors)(error)
        return result

    codecs.register_error(name, fallback)
    return name


def _whatwg_big5(name: str) -> codecs.CodecInfo | None:
    """Python's codec search function (codecs.register): the codec ``whatwg-big5`` above. Linear
    in the input: the big5 decoder calls the fallback once for each pair it refuses. Encoding
    is its inverse where one exists (a DKIM candidate is written back in the charset it was read
    in): each character by big5, else cp950, else big5hkscs."""
    if name != _WHATWG_PREFIX.replace("-", "_") + "big5":
        return None

    def decode(data: Buffer, errors: str = "strict") -> tuple[str, int]:
        octets = bytes(data)
        try:
            return octets.decode("big5"), len(octets)
        except UnicodeDecodeError:
            return octets.decode("big5", _big5_errors(errors)), len(octets)

    def encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
        try:
            return text.encode("big5"), len(text)
        except UnicodeEncodeError:
            pass
        out = bytearray()
        for char in text:
            for codec in ("big5", *_BIG5_FALLBACKS):
                try:
                    out += char.encode(codec)
                    break
                except UnicodeEncodeError:
                    continue
            else:
                out += char.encode("big5", errors)  # none has it: the caller's handler says what to do
        return bytes(out), len(text)

    return codecs.CodecInfo(encode, decode, name=f"{_WHATWG_PREFIX}big5")


codecs.register(_whatwg_big5)


def legacy_codec(label: str) -> str | None:
    """The codec a declared charset label means (WHATWG labels, as above), or None when it is
    unknown or a form of UTF-8 (which leaves nothing to read differently). US-ASCII is no such
    form: mail readers take its label for windows-1252 (WHATWG), as they take ISO-8859-1's."""
    codec = charset_codec(label)
    return None if codec is None or codec in ("utf-8", "ascii") or codec.startswith("utf") else codec


def _decode_bytes(data: bytes, label: str, problems: list[str]) -> str:
    """Decode with the codec the label really means; replacement characters where bytes are invalid."""
    codec = charset_codec(label)
    if codec is None:
        problems.append(f"an encoded-word in an unknown charset '{label[:40]}': read as UTF-8")
        codec = "utf-8"
    try:
        text = data.decode(codec)
    except (UnicodeError, ValueError):
        text = None
    if text is None and codec.startswith("iso2022_jp"):
        # Japanese mail in ISO-2022-JP often holds Windows-31J's extra characters (NEC's ①, ㈱):
        # the same JIS codes, decoded through Windows-31J (cp932).
        text = iso2022jp_via_cp932(data)
    if text is None:
        problems.append(f"an encoded-word with bytes that are not valid {label[:40]} (shown as \ufffd)")
        try:
            text = data.decode(codec, "replace")
        except (UnicodeError, ValueError):
            text = data.decode("utf-8", "replace")
    if _surrogate().search(text):
        # UTF-7 (RFC 2152) can spell a lone surrogate, which is no character.
        problems.append(f"an encoded-word whose {label[:40]} text holds no character (shown as \ufffd)")
        text = _surrogate().sub("\ufffd", text)
    # An encoded-word cannot break the header line it is in (RFC 2047 section 5 forbids CR and
    # LF in it); one that spells a line break would start a line of its own in a report.
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ") if "\r" in text or "\n" in text else text


_surrogate = compiled_on_first_use("[\ud800-\udfff]")


def iso2022jp_via_cp932(data: bytes) -> str | None:
    """ISO-2022-JP (RFC 1468) rewritten as Shift_JIS and decoded as Windows-31J, or None."""
    out = bytearray()
    mode = "ascii"
    i = 0
    while i < len(data):
        if data[i] == 0x1B:
            sequence = data[i + 1:i + 3]
            if sequence in (b"$B", b"$@"):
                mode = "jis"
            elif sequence in (b"(B", b"(J"):
                mode = "ascii"
            elif sequence == b"(I":
                mode = "kana"
            else:
                return None
            i += 3
            continue
        byte = data[i]
        if mode == "jis" and 0x21 <= byte <= 0x7E and i + 1 < len(data):
            first, second = byte, data[i + 1]
            if not 0x21 <= second <= 0x7E:
                return None
            # JIS X 0208 row and cell to Shift_JIS (JIS X 0208:1997 annex 1).
            lead = (first + 1) // 2 + (0x70 if first <= 0x5E else 0xB0)
            trail = second + (0x1F + (second >= 0x60) if first % 2 else 0x7E)
            out += bytes((lead, trail))
            i += 2
            continue
        out.append(byte + 0x80 if mode == "kana" and 0x21 <= byte <= 0x5F else byte)
        i += 1
    try:
        return bytes(out).decode("cp932")
    except UnicodeDecodeError:
        return None


# Nesting deeper than this is kept as plain text: comments nest (RFC 5322 section 3.2.2), but
# no real header needs more, and a bound keeps hostile input cheap.
MAX_COMMENT_DEPTH = 64


def read_comment(value: str, start: int) -> tuple[str, int]:
    """Read the (possibly nested) RFC 5322 comment opening at ``start``: its text (nested
    parentheses kept, quoted-pairs undone, nesting beyond a bound dropped) and the index just
    after its closing parenthesis, or -1 when it never closes. Linear in the comment length."""
    depth = 0
    i = start
    n = len(value)
    out: list[str] = []
    while i < n:
        ch = value[i]
        if ch == "\\" and i + 1 < n:
            out.append(value[i + 1])
            i += 2
            continue
        if ch == "(":
            depth += 1
            if depth > 1 and depth <= MAX_COMMENT_DEPTH:
                out.append(ch)
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return "".join(out), i + 1
            if depth < MAX_COMMENT_DEPTH:
                out.append(ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out), -1
