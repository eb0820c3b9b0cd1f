"""A small, bounded parser for ``tag=value`` lists (RFC 6376 section 3.2).

DKIM-Signature, DKIM key records, ARC-Seal / ARC-Message-Signature (RFC 8617 section 4.1)
and DMARC records (RFC 7489 section 6.4) all use this syntax::

    tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
    tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
    tag-name  =  ALPHA *ALNUMPUNC          ; ALNUMPUNC = ALPHA / DIGIT / "_"

The parser never raises: a list that breaks the grammar comes back with ``error`` set and
with every tag that could still be read, so a report can show the domain and selector of a
malformed signature. It is linear in the input (``str.split`` only, no regex backtracking)
and refuses inputs longer than ``max_length``.
"""

from __future__ import annotations

from .._value import Value, frozen

MAX_TAG_LIST_LENGTH = 65_536
"""Longest tag list accepted. A DKIM-Signature with a 16384-bit RSA key and a long h= list
is under 8 KB; anything near this limit is hostile."""

_WSP_AND_NEWLINES = " \t\r\n"
_ALPHA = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


@frozen
class TagList(Value):
    """A parsed tag list: the tags in order, and why it is invalid (None when valid)."""

    tags: tuple[tuple[str, str], ...]
    """(name, value) pairs as written, values with surrounding FWS removed."""
    error: str | None = None
    """Why the list breaks RFC 6376 section 3.2 (first problem), or None."""

    @property
    def valid(self) -> bool:
        """True when the whole list follows the grammar."""
        return self.error is None

    def get(self, name: str) -> str | None:
        """Value of the tag (names are case-sensitive, RFC 6376 section 3.2), or None."""
        for tag, value in self.tags:
            if tag == name:
                return value
        return None

    def __contains__(self, name: object) -> bool:
        return any(tag == name for tag, _ in self.tags)

    def names(self) -> tuple[str, ...]:
        """Tag names in order."""
        return tuple(tag for tag, _ in self.tags)


def _is_tag_name(name: str) -> bool:
    # ALPHA *ALNUMPUNC, ASCII only (str.isalnum alone would accept other scripts' letters).
    return name in _COMMON_NAMES or (
        bool(name) and name[0] in _ALPHA and name.isascii() and name.replace("_", "").isalnum())


# The tags of DKIM signatures and keys, ARC sets and DMARC records (valid names): most
# names met are one of these, answered by one set lookup.
_COMMON_NAMES = frozenset({"v", "a", "b", "bh", "c", "d", "h", "i", "l", "q", "s", "t", "x", "z", "k", "n", "p",
                           "cv", "adkim", "aspf", "fo", "np", "pct", "rf", "ri", "rua", "ruf", "sp", "psd"})


def parse_tag_list(text: str, *, max_length: int = MAX_TAG_LIST_LENGTH) -> TagList:
    """Parse a tag list; never raises. Duplicate names make the whole list invalid
    (RFC 6376 section 3.2: "the entire tag-list is invalid"); the first value is kept."""
    values, error = parse_tag_dict(text, max_length=max_length)
    return TagList(tuple(values.items()), error)


def parse_tag_dict(text: str, *, max_length: int = MAX_TAG_LIST_LENGTH) -> tuple[dict[str, str], str | None]:
    """``parse_tag_list`` as (name -> value in the order written, error): the same tags and
    error, for callers that look tags up by name (no TagList and no second dict built)."""
    if len(text) > max_length:
        return {}, f"tag list is {len(text)} characters long (limit {max_length})"
    values: dict[str, str] = {}
    error: str | None = None
    specs = text.split(";")
    # A trailing semicolon is allowed (RFC 6376 section 3.2), so is trailing FWS after it.
    if not specs[-1].strip(_WSP_AND_NEWLINES):
        specs.pop()
    for position, spec in enumerate(specs, start=1):
        name, equals, value = spec.partition("=")
        if not equals:
            if error is None:
                shown = spec.strip(_WSP_AND_NEWLINES)
                error = (f"tag {position} has no '=': {shown[:40]!r}" if shown
                         else f"empty tag at position {position} (two semicolons in a row)")
            continue
        name = name.strip(_WSP_AND_NEWLINES)
        if name not in _COMMON_NAMES and not _is_tag_name(name):
            if error is None:
                error = f"invalid tag name {name[:40]!r}"
            continue
        if name in values:
            if error is None:
                error = f"tag {name}= appears more than once"
            continue
        values[name] = value.strip(_WSP_AND_NEWLINES)
    return values, error


def split_colon_list(value: str) -> tuple[str, ...]:
    """Split a colon-separated list such as ``h=`` or ``q=``, trimming FWS around items."""
    return tuple(item.strip(_WSP_AND_NEWLINES) for item in value.split(":"))
