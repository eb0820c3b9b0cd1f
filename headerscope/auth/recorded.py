"""Recorded results (Authentication-Results, ARC-Authentication-Results, Received-SPF) and their
comparison with the results we recompute now.

Recorded results are what a receiver wrote at delivery time (RFC 8601, RFC 8617 section 4.1.1,
RFC 7208 section 9.1). Only the receiving side's own fields are evidence: anything the sender
put into the message can say ``pass`` for free (RFC 8601 section 7.2). Fields are parsed with
authres (through ``_authres``) and, when it rejects real-world input, by a tolerant linear
reader of our own; the defect is recorded, never raised.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter
from typing import NamedTuple

from .._value import Value, frozen, replace
from ..domains import aligned, is_ip_literal, normalize_domain, organizational_domain
from ..hops import (
    OPERATOR_ALIASES,
    InboundGateway,
    client_in_organization,
    filter_loop_host,
    host_organization,
    is_non_public_ip,
    proven_tenant_handover,
    spf_comment_head_is_writer,
    tenant_handover,
)
from ..message import Message
from ..model import (
    CANNOT_CHECK_FROM_COPY,
    COPY_UNCHECKABLE_CODES,
    ArcResult,
    Comparison,
    DkimSignatureResult,
    DmarcResult,
    Finding,
    HeaderField,
    Hop,
    RecordedResult,
    ReverseDnsResult,
    Role,
    Severity,
    SpfResult,
)
from ..text import (
    address_safe_shortened,
    compiled_on_first_use,
    header_ref,
    header_refs,
    read_comment,
    result_words,
)
from . import _authres
from .dkim import SIGNED_FIELDS_NOT_IN_INPUT, unchanged_fields_witness
from .ptr import parse_client_ip

# Header bytes are hostile: never read more than this of one field.
MAX_FIELD_CHARS = 64 * 1024
# Nested comments deeper than this are read as flat text (no recursion anywhere).
# Never emit more than this many results from one field (a hostile field can hold thousands).
_MAX_CLAUSES_PER_FIELD = 200
# Real fields hold tens of tokens; stop reading a hostile one after this many.
_MAX_TOKENS_PER_FIELD = 4096

RFC8601_TRUST = "https://www.rfc-editor.org/rfc/rfc8601#section-5"
RFC8601_SYNTAX = "https://www.rfc-editor.org/rfc/rfc8601#section-2.2"
RFC7208_RECEIVED_SPF = "https://www.rfc-editor.org/rfc/rfc7208#section-9.1"
RFC6376_VERIFY = "https://www.rfc-editor.org/rfc/rfc6376#section-6.1"
RFC7489_POLICY = "https://www.rfc-editor.org/rfc/rfc7489#section-6.3"
RFC8617_ARC = "https://www.rfc-editor.org/rfc/rfc8617#section-5.2"
RFC8617_LOCAL_POLICY = "https://www.rfc-editor.org/rfc/rfc8617#section-7.2"
# The subjects of the two notices that stand for a recorded DMARC fail the receiver did not act
# on; the verdict's sentence says which (verdict._recorded_note).
COMPAUTH_PASS_SUBJECT = "dmarc, composite authentication"
ARC_OVERRIDE_SUBJECT = "dmarc, ARC override"
# The subject of recorded.compauth_fail when nothing aligned passed beside it: the receiver's
# spoof verdict, which the verdict's line says (verdict._receiver_note).
COMPAUTH_FAIL_SUBJECT = "dmarc, composite authentication failed"
ARC_EARLIER_PASS_SUBJECT = "dmarc, earlier pass in a verified ARC chain"

_AR = "Authentication-Results"
_ARC_AR = "ARC-Authentication-Results"
_RECEIVED_SPF = "Received-SPF"
_GMAIL_SUMMARY = "gmail-summary"
# The Authentication-Results of the feedback report that carries the message (``analyze
# --attached N``): the reporting receiver's results at delivery (RFC 5965 section 3.2, RFC 6591
# section 3.1), no header field of the message itself (header_index None).
FEEDBACK_AR = "Authentication-Results (feedback report)"
_FEEDBACK_TRUST = ("the Authentication-Results of the feedback report that carries this copy: what the report "
                   "says its writer's checks found at delivery (RFC 5965 section 3.2, RFC 6591 section 3.1), a "
                   "claim of whoever sent the report, which is not authenticated here: not relied on "
                   "(verification V13 F1: a made-up report made its phish read authenticated)")

# RFC 8601 section 2.7 result words per method (plus RFC 8617 for arc); "hardfail" is the
# pre-RFC 6577 spelling of an SPF fail and is read as "fail".
_VALID_RESULTS: dict[str, frozenset[str]] = {
    "dkim": frozenset({"none", "pass", "fail", "policy", "neutral", "temperror", "permerror"}),
    "spf": frozenset({"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"}),
    # Microsoft's "bestguesspass": the domain publishes no DMARC record, and an identity aligned
    # with it passed, so DMARC would have passed had there been one (documented at _COMPAUTH_DOCS).
    "dmarc": frozenset({"none", "pass", "fail", "temperror", "permerror", "bestguesspass"}),
    "arc": frozenset({"none", "pass", "fail", "temperror", "permerror"}),
}
_RESULT_ALIASES = {"hardfail": "fail", "softfail": "softfail"}

# Header fields a receiver writes next to its own Received header. Gmail, for one, puts its
# Received-SPF and Authentication-Results directly *below* the boundary Received header; a run
# of these fields there still belongs to the receiver, anything past the run is the sender's.
_RECEIVER_TRACE_FIELDS = frozenset({
    "received-spf", "authentication-results", "arc-authentication-results", "arc-seal",
    "arc-message-signature", "return-path", "delivered-to", "x-original-to", "envelope-to",
    "x-received",
    # The stamps the receiver's filters write beside their results: OpenDKIM's, OpenDMARC's
    # and OpenARC's "DKIM-Filter: OpenDKIM Filter v2.11.0 mail.example.org 4A1B2C" (host and
    # queue id), amavisd-new's "X-Virus-Scanned".
    "dkim-filter", "dmarc-filter", "arc-filter", "x-virus-scanned",
})

# Fields the author or the sending side writes; a receiver's appended block follows the last one.
_SENDER_FIELDS = frozenset({
    "received", "dkim-signature", "from", "sender", "reply-to", "to", "cc", "subject", "date",
    "message-id", "mime-version", "content-type", "content-transfer-encoding",
})
# What ends the receiver's run of fields below its Received besides the fields above: what
# the author's program writes (RFC 5322 section 3.6) and the sending side's list, resend and
# mailer stamps. A receiver's own stamps of other names may sit in the run (Yandex writes
# "X-Yandex-Fwd" above and "X-Yandex-Spam" below its Authentication-Results there).
_RUN_BREAKERS = _SENDER_FIELDS | frozenset({
    "bcc", "in-reply-to", "references", "comments", "keywords", "resent-date", "resent-from",
    "resent-sender", "resent-to", "resent-cc", "resent-bcc", "resent-message-id", "x-mailer",
    "user-agent", "x-priority", "x-msmail-priority", "importance", "priority", "x-mimeole",
    "list-id", "list-unsubscribe", "list-post", "list-help", "list-subscribe", "list-archive",
    "list-owner", "precedence", "mailing-list", "x-google-dkim-signature", "x-gm-message-state",
    "x-google-smtp-source", "domainkey-signature", "content-disposition", "thread-topic",
    "thread-index", "autocrypt", "openpgp", "organization", "disposition-notification-to",
})

# Which authentication properties name the SPF identity (RFC 8601 section 2.7.2; "mfrom" and
# "mail" are older spellings still written by some receivers).
_SPF_MAILFROM_KEYS = ("smtp.mailfrom", "smtp.mfrom", "smtp.mail", "envelope-from")
_SPF_HELO_KEYS = ("smtp.helo", "helo")

_DKIM_MODIFIED = frozenset({"body_hash_mismatch", "signature_mismatch"})
# DKIM results that say the signature does not verify, for whatever reason: one class when a
# recorded result is compared with a recomputed one.
_DKIM_DOES_NOT_VERIFY = frozenset({"fail", "permerror", "neutral"})
_DKIM_KEY_DRIFT = frozenset({"key_not_found", "key_revoked", "key_syntax"})
# Signature results that say nothing about the message: not verified (offline, no body), or
# not in the copy as the message carried it (cut off where a paste stops, masked, shortened).
_NOT_RECOMPUTED = frozenset({"offline", "not_checked", "no_body", "cut_off", "redacted", "shortened"})

# Receivers that write their Authentication-Results without an authserv-id: Exchange Online
# ("Authentication-Results: spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=...").
_NAMELESS_WRITERS = frozenset({"outlook.com"})

_POLICY_IN_COMMENT = re.compile(r"\b(?:p|policy)\s*=\s*([A-Za-z]+)")


# --------------------------------------------------------------------------------------------
# Tolerant reader: a linear scanner for RFC 8601 / RFC 7208 section 9.1 values.
# --------------------------------------------------------------------------------------------


# Characters that are none of the specials _tokens reacts to: a word is a run of these.
_PLAIN_RUN = re.compile(r'[^"(; \t\r\n]+')


# _Item and _Clause are plain slotted classes, not dataclasses: dataclasses compiles their
# methods from source at import, a cost every start-up paid for two private records.


class _Item:
    """``key=value``, a bare word (value None), or a bare quoted string (key None)."""

    __slots__ = ("comments", "key", "value")

    def __init__(self, key: str | None, value: str | None, comments: list[str] | None = None) -> None:
        self.key = key
        self.value = value
        self.comments = [] if comments is None else comments


class _Clause:
    """One ``method=result`` with what follows it."""

    __slots__ = ("comment", "method", "properties", "reason", "result")

    def __init__(self, method: str, result: str, reason: str | None, comment: str | None,
                 properties: list[tuple[str, str]]) -> None:
        self.method = method
        self.result = result
        self.reason = reason
        self.comment = comment
        self.properties = properties


def _tokens(text: str) -> list[list[tuple[str, str]]]:
    """Split on top-level ``;`` into segments of (kind, text) tokens: word, quoted, comment.

    One pass (its one regular expression is a character class), so hostile input costs linear
    time; reading stops after ``_MAX_TOKENS_PER_FIELD`` tokens (see ``_too_many_tokens``).
    """
    segments: list[list[tuple[str, str]]] = []
    tokens: list[tuple[str, str]] = []
    word: list[str] = []
    i, n = 0, len(text)

    def flush() -> None:
        if word:
            tokens.append(("word", "".join(word)))
            word.clear()

    count = 0
    while i < n:
        if len(tokens) + count > _MAX_TOKENS_PER_FIELD:
            break
        char = text[i]
        if char == '"':
            # A quoted string glued to a word (smtp.mailfrom="a b") stays part of the word.
            j = i + 1
            quoted: list[str] = []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                quoted.append(text[j])
                j += 1
            if word and word[-1][-1] == "=" and not quoted:
                # An empty quoted-string value (smtp.mailfrom="" for the null sender; RFC 8601
                # section 2.2's pvalue may be one): a value of its own, so the next word is not
                # taken for it.
                flush()
                tokens.append(("quoted", ""))
            elif word and word[-1][-1] == "=":
                word.append("".join(quoted))
                flush()
            else:
                flush()
                tokens.append(("quoted", "".join(quoted)))
            i = j + 1
        elif char == "(":
            flush()
            content, end = read_comment(text, i)
            tokens.append(("comment", content.strip()))
            # An unclosed comment runs to the end of the value.
            i = end if end >= 0 else n
        elif char == ";":
            flush()
            segments.append(tokens)
            count += len(tokens) + 1
            tokens = []
            i += 1
        elif char in " \t\r\n":
            flush()
            i += 1
        else:
            # A run of ordinary characters in one step: the token count cannot change inside
            # it, so the limit check above holds for the whole run.
            run = _PLAIN_RUN.match(text, i)
            assert run is not None
            word.append(run.group())
            i = run.end()
    flush()
    segments.append(tokens)
    return [s for s in segments if s]


def _too_many_tokens(segments: list[list[tuple[str, str]]]) -> bool:
    return sum(len(s) for s in segments) + len(segments) > _MAX_TOKENS_PER_FIELD


def _items(tokens: list[tuple[str, str]]) -> list[_Item]:
    """Group tokens into key=value items, allowing CFWS around ``=`` (RFC 8601 section 2.2)."""
    items: list[_Item] = []
    pending_key: str | None = None
    for kind, text in tokens:
        if kind == "comment":
            if items:
                items[-1].comments.append(text)
            else:
                items.append(_Item(key=None, value=None, comments=[text]))
            continue
        if pending_key is not None:
            items.append(_Item(key=pending_key, value=text))
            pending_key = None
            continue
        if kind == "quoted":
            items.append(_Item(key=None, value=text))
            continue
        if text.startswith("=") and items and items[-1].key is not None and items[-1].value is None:
            key = items.pop().key
            rest = text[1:]
            if rest:
                items.append(_Item(key=key, value=rest))
            else:
                pending_key = key
        elif "=" in text:
            key, _, value = text.partition("=")
            if value:
                items.append(_Item(key=key, value=value))
            else:
                pending_key = key
        else:
            items.append(_Item(key=text, value=None))
    if pending_key is not None:
        items.append(_Item(key=pending_key, value=""))
    return items


def _clause(items: list[_Item]) -> _Clause | None:
    """Read one resinfo (RFC 8601 section 2.2): method[/version]=result [reason=] props."""
    head_at = next((k for k, item in enumerate(items) if item.key and item.value is not None), None)
    if head_at is None:
        return None
    head = items[head_at]
    assert head.key is not None and head.value is not None
    method = head.key.split("/", 1)[0].strip().lower()
    # The result comment; failing that, any comment in the clause (OpenDMARC writes
    # "header.from=example.com (policy=none)").
    comment = "; ".join(head.comments) or "; ".join(
        c for item in items[head_at + 1:] for c in item.comments) or None
    reason: str | None = None
    properties: list[tuple[str, str]] = []
    for item in items[head_at + 1:]:
        if item.key is None or item.value is None:
            continue
        key = item.key.lower()
        if key == "reason" and reason is None:
            reason = item.value
        else:
            properties.append((key, item.value))
    return _Clause(method=method, result=head.value.lower(), reason=reason, comment=comment,
                   properties=properties)


# Method names of IANA's "Email Authentication Methods" registry (RFC 8601 section 6.2, with
# RFC 8617's arc, RFC 7489's dmarc, RFC 6541's dkim-atps, RFC 7293's rrvs...).
_REGISTERED_METHODS = frozenset({
    "arc", "auth", "dkim", "dkim-adsp", "dkim-atps", "dmarc", "dnswl", "domainkeys", "iprev", "rrvs",
    "sender-id", "smime", "spf", "vbr",
})
# A property name (RFC 8601 section 2.3, "policy" from RFC 7410): ptype "." property.
_property_key_re = compiled_on_first_use(r"(?:smtp|header|body|policy)\.[a-z0-9_-]{1,64}", re.IGNORECASE)


def _rejoin_split_tokens(value: str) -> str:
    """The value with the folds a writer made *inside* a token taken out again.

    Coremail (163.com, 126.com, QQ Exmail) folds Authentication-Results at a fixed width,
    wherever the column falls: ``dk`` CRLF TAB ``im=pass``, ``smtp.mail=...16516.0`` CRLF TAB
    ``.0.5375...``. Unfolding (RFC 5322 section 2.2.3) leaves a lone TAB there, which reads as
    two tokens: a method "im" and a stray word. A lone TAB between two words is rejoined only
    where the grammar (RFC 8601 section 2.2) has no room for two tokens and the joined text is
    what belongs there: a bare word starting a resinfo that with the next word's key makes a
    registered method name; a bare word inside a resinfo that with the next word's key makes a
    property name; a bare word after a property value (which only another ``key=value``, a
    comment or ";" may follow), or a result word completed by it. A fold between whole tokens
    is left alone. One pass; comments and quoted strings are skipped.
    """
    if "\t" not in value:
        return value
    # (start, end) of each top-level word; None marks a ";" and "" anything else between words
    # (a comment, a quoted string), which no join crosses.
    marks: list[tuple[int, int] | str | None] = []
    i, n = 0, len(value)
    while i < n and len(marks) <= _MAX_TOKENS_PER_FIELD:
        char = value[i]
        if char == '"':
            end = value.find('"', i + 1)
            i = n if end < 0 else end + 1
            marks.append("")
        elif char == "(":
            _, end = read_comment(value, i)
            i = n if end < 0 else end
            marks.append("")
        elif char == ";":
            marks.append(None)
            i += 1
        elif char in " \t\r\n":
            i += 1
        else:
            run = _PLAIN_RUN.match(value, i)
            assert run is not None
            marks.append((run.start(), run.end()))
            i = run.end()
    cuts: list[int] = []  # positions of the TABs to remove
    word_start: int | None = None  # where the word before starts (joined words keep the first start)
    word_end = -1
    starts_resinfo = False  # whether that word is the first of its resinfo
    for position, mark in enumerate(marks):
        if not isinstance(mark, tuple):
            word_start = None
            continue
        start, end = mark
        if word_start is not None and start == word_end + 1 and value[word_end] == "\t" \
                and _joins(value[word_start:min(word_end, word_start + 200)].replace("\t", ""), value[start:end],
                           starts_resinfo):
            # (Only the joined word's start is looked at: keys and result words are short, and a
            # long run of joins must not copy the growing word each time.)
            cuts.append(word_end)
            word_end = end
            continue
        starts_resinfo = position > 0 and marks[position - 1] is None
        word_start, word_end = start, end
    if not cuts:
        return value
    pieces: list[str] = []
    previous = 0
    for cut in cuts:
        pieces.append(value[previous:cut])
        previous = cut + 1
    pieces.append(value[previous:])
    return "".join(pieces)


def _joins(before: str, after: str, starts_resinfo: bool) -> bool:
    """Whether ``before`` TAB ``after`` is one token a fold split (see _rejoin_split_tokens)."""
    if "=" not in before:
        if "=" not in after:
            return False
        key = after.partition("=")[0]
        if starts_resinfo:
            # "dk" + "im=pass": a resinfo starts with its method; a bare word cannot.
            method = (before + key.partition("/")[0]).lower()
            return method in _REGISTERED_METHODS and before.lower() not in _REGISTERED_METHODS
        # "header" + ".d=example.com", "smtp.mail" + "from=a@b": a property name.
        return _property_key_re().fullmatch(before + key) is not None
    if "=" in after:
        return False
    key, _, written = before.partition("=")
    if not written:
        return False
    if "." in key:
        # "smtp.mail=...16516.0" + ".0.5375...": after a property value only another property,
        # a comment or ";" may follow, never a bare word.
        return True
    method = key.partition("/")[0].lower()
    valid = _VALID_RESULTS.get(method)
    # "dkim=pa" + "ss": the result word completed.
    return valid is not None and written.lower() not in valid and (written + after).lower() in valid


@frozen
class _ParsedField(Value):
    """One Authentication-Results field as read: authserv-id, ARC instance, its clauses."""

    authserv_id: str | None
    instance: int | None
    clauses: tuple[_Clause, ...]
    """Shared between messages through the cache below: read, never modified."""
    defects: tuple[str, ...]


# Values up to this length are memoised: a mailbox repeats its receivers' fields, and an
# ARC-Authentication-Results often repeats the A-R beside it. Longer (hostile) values are
# read every time so the cache stays small.
_CACHED_VALUE_CHARS = 8192


def _parse_authentication_results(value: str, arc: bool) -> _ParsedField:
    """Read an (ARC-)Authentication-Results value with authres, else tolerantly."""
    if len(value) <= _CACHED_VALUE_CHARS:
        return _parse_authentication_results_cached(value, arc)
    return _parse_authentication_results_uncached(value, arc)


@functools.lru_cache(maxsize=512)
def _parse_authentication_results_cached(value: str, arc: bool) -> _ParsedField:
    return _parse_authentication_results_uncached(value, arc)


def _parse_authentication_results_uncached(value: str, arc: bool) -> _ParsedField:
    defects: list[str] = []
    value = _rejoin_split_tokens(value)
    segments = _tokens(value)
    if _too_many_tokens(segments):
        defects.append(f"more than {_MAX_TOKENS_PER_FIELD} tokens; the rest was not read")
    instance: int | None = None
    if arc:
        # RFC 8617 section 4.1.1: ARC-Authentication-Results = i=N; then an A-R value.
        first = _items(segments[0]) if segments else []
        if first and first[0].key and first[0].key.lower() == "i" and first[0].value is not None:
            try:
                instance = int(first[0].value)
            except ValueError:
                defects.append(f"instance tag i={first[0].value} is not a number")
            segments = segments[1:]
            _, _, value = value.partition(";")
        else:
            defects.append("no i= instance tag (RFC 8617 section 4.1.1)")

    authserv_id: str | None = None
    clause_segments = segments
    if segments:
        first_items = _items(segments[0])
        words = [item for item in first_items if item.key is not None]
        if words and words[0].value is None:
            authserv_id = words[0].key.lower() if words[0].key else None
            clause_segments = segments[1:]
        else:
            # Microsoft 365 writes "spf=pass (sender IP is ...) ..." with no authserv-id.
            defects.append(_NO_AUTHSERV_ID)
    tolerant: list[_Clause] = []
    legacy_from: str | None = None
    if authserv_id is not None and segments:
        after_id = [item for item in _items(segments[0]) if item.key is not None][1:]
        if len(after_id) == 1 and (after_id[0].key or "").lower() == "from" and after_id[0].value:
            legacy_from = after_id[0].value  # Yahoo's first "from=" shares the authserv-id's segment
    for segment in clause_segments[:_MAX_CLAUSES_PER_FIELD]:
        items = _items(segment)
        lead = next((item for item in items if item.key), None)
        if lead is not None and lead.key is not None and lead.key.lower() == "from" and lead.value \
                and "@" not in lead.value and len(items) == 1:
            # Yahoo's results before RFC 5451: "from=example.com; domainkeys=neutral (no sig);
            # from=example.com; dkim=pass (ok)", the From: domain as a segment before each result.
            legacy_from = lead.value
            continue
        if lead is not None and lead.key is not None and lead.value is not None \
                and lead.key.lower() in _SPF_KEY_VALUE_KEYS and tolerant and tolerant[-1].method == "spf":
            # Amazon SES: "spf=pass (...) client-ip=192.0.2.1; envelope-from=a@example.com;
            # helo=x;", Received-SPF's key-value pairs (RFC 7208 section 9.1) written as
            # segments of their own. They describe the SPF check before them.
            tolerant[-1].properties.extend((item.key.lower(), item.value) for item in items
                                           if item.key is not None and item.value is not None)
            continue
        clause = _clause(items)
        if clause is None:
            continue
        if "." in clause.method:
            # A method is a keyword without dots (RFC 8601 section 2.2); "smtp.remote-ip=x"
            # alone between two ";" is a stray property, not a result.
            defects.append(f"a property without a method was skipped: {clause.method}={clause.result}"[:200])
            continue
        if legacy_from is not None:
            if not any(key.lower() == "header.from" for key, _ in clause.properties):
                clause.properties.append(("header.from", legacy_from))
            legacy_from = None
        tolerant.append(clause)

    if authserv_id is not None:
        strict_text = value
    else:
        # Exchange Online also writes a bare domain (the recipient's) as a segment of its own:
        # "smtp.mailfrom=fabrikam.com; contoso.com; dkim=...". The tolerant read skips it (no
        # method); the strict one would reject the field for it.
        strict_text = "authserv-id.invalid; " + _bare_segment_re().sub("", value)
    # An IPv6 address as a property value ("smtp.remote-ip=::1", Exim; "policy.iprev=2001:db8::1")
    # is not an RFC 2045 token (":" is a special), so authres would reject the field: quoted
    # for the strict read, it reads as the same value.
    if strict_text.count(":") >= 2:  # an IPv6 address has at least two; most fields have none or one
        # Outside quoted strings only (the even pieces between '"').
        pieces = strict_text.split('"')
        pieces[::2] = [_ipv6_value_re().sub(r'=\1"\2"', piece) for piece in pieces[::2]]
        strict_text = '"'.join(pieces)
    # Zoho writes the address in angle brackets ("header.from=<alice@example.com>"): "<" is a
    # special, so not a pvalue (RFC 8601 section 2.2), and authres rejects the field. Harmless
    # and on every message Zoho delivers or seals, as Yahoo's trailing ";" below: the brackets
    # are dropped for the strict read, which then reads the address inside them, so it is not a
    # finding.
    if "=<" in strict_text or "= <" in strict_text:
        pieces = strict_text.split('"')
        pieces[::2] = [_bracketed_address_re().sub(r"=\1\2", piece) for piece in pieces[::2]]
        strict_text = '"'.join(pieces)
    # An empty quoted-string is a valid pvalue (RFC 8601 section 2.2: pvalue = [[local-part] "@"]
    # domain-name / value; RFC 2045 section 5.1: value = token / quoted-string), and null-sender
    # mail is recorded as smtp.mailfrom="" (review AM D2). authres takes the empty string for "no
    # quoted-string" and then fails on the next property. The property is dropped for the strict
    # read only; the tolerant read above keeps it, and its properties fill in what authres lacks.
    if '""' in strict_text:
        strict_text = _empty_pvalue_re().sub(lambda m: m.group(0) if m.group(1) is None else "", strict_text)
    # Yahoo, AOL and Microsoft 365 end the field with ";" (an empty resinfo, which RFC 8601
    # section 2.2's grammar has no room for). Harmless, and on every message they deliver:
    # not worth a finding, so it is dropped before the strict read.
    strict_text = strict_text.strip()
    while strict_text.endswith(";"):
        strict_text = strict_text[:-1].rstrip()
    try:
        strict = _authres.parse_value(strict_text)
    except _authres.AuthresParseError as error:
        # The parser's own message ("Syntax error: Expected end of text at: ...") says where
        # the grammar broke: that place, in words.
        # authres cuts the text it quotes ("header.i=bob.sec..."): the quote is taken again from
        # the value, cut where no address is split (verification V59a D3-3: --redact could not
        # tell "bob.sec" for a mailbox name; address_safe_shortened).
        near = str(error).partition(" at: ")[2].strip()
        quoted = strict_text.find(near.removesuffix("...")) if near else -1
        if quoted >= 0:
            near = address_safe_shortened(strict_text[quoted:], 60)
        elif near.endswith("..."):
            near = near[:-3].rpartition(" ")[0][:60].rstrip() + "…"  # (not found: its cut last word dropped)
        where = f" near “{near}”" if near else ""
        defects.append(f"not in RFC 8601's syntax{where} (an unquoted URL or a stray character, say); "
                       "read tolerantly")
        return _ParsedField(authserv_id, instance, tuple(tolerant), tuple(defects))

    clauses: list[_Clause] = []
    # authres takes a stray "smtp.remote-ip=x" segment for a method; the tolerant read does not.
    strict_results = [r for r in strict.results if "." not in r.method]
    # A result written without the ";" RFC 8601 section 2.2 requires before it (an older Zoho form,
    # "dkim=pass spf=pass (...) smtp.mailfrom=...") is read by both readers as a property of the one
    # before it, whose ptype has no "." to it: said, not lost in silence (verification V47e E3).
    folded = [f"{key}={value}" for clause in tolerant for key, value in clause.properties
              if "." not in key and key.lower() in _VALID_RESULTS]
    if folded:
        defects.append(f"{', '.join(folded[:3])} written without the ';' before it (RFC 8601 section 2.2): read "
                       "as a property of the result before it, not as a result")
    comments_match = [c.method for c in tolerant] == [r.method for r in strict_results]
    for position, result in enumerate(strict_results[:_MAX_CLAUSES_PER_FIELD]):
        # authres drops comments; take them from the tolerant read when both agree on shape.
        comment = tolerant[position].comment if comments_match else None
        properties = list(result.properties)
        if comments_match:
            # authres silently skips non-RFC properties (Microsoft's action=, compauth reason=)
            # and quoted values of some (header.i="user@example.com", which RFC 8601 section
            # 2.2's pvalue allows); keep them from the tolerant read so the evidence is complete.
            known = {k.lower() for k, _ in properties}
            properties += [(k, v) for k, v in tolerant[position].properties if k.lower() not in known]
        clauses.append(_Clause(method=result.method, result=result.result, reason=result.reason,
                               comment=comment, properties=properties))
    if authserv_id is not None:
        authserv_id = strict.authserv_id
    return _ParsedField(authserv_id, instance, tuple(clauses), tuple(defects))


def _parse_received_spf(value: str) -> tuple[_Clause | None, str | None, list[str]]:
    """Read Received-SPF (RFC 7208 section 9.1): result [comment] key=value; ...

    Returns the clause, the writer (``receiver=`` or the host that starts the comment), defects.
    """
    defects: list[str] = []
    segments = _tokens(value)
    if _too_many_tokens(segments):
        defects.append(f"more than {_MAX_TOKENS_PER_FIELD} tokens; the rest was not read")
    items = [item for segment in segments for item in _items(segment)]
    if not items or items[0].key is None or items[0].value is not None:
        defects.append("does not start with a result word")
        return None, None, defects
    result = items[0].key.lower()
    comment = "; ".join(items[0].comments) or None
    properties = [(item.key.lower(), item.value) for item in items[1:]
                  if item.key is not None and item.value is not None]
    writer = dict(properties).get("receiver")
    if writer is not None and not _looks_like_host(writer):
        writer = None
    if writer is None and comment:
        # RFC 7208 section 9.1 example: "(mybox.example.org: domain of ... designates ...)".
        # Mail::SPF puts the authority domain there instead (whose policy gave the result):
        # that is not the writer, which is then told by the client-ip it records
        # (_client_hop_writer).
        head = comment.split(":", 1)[0].strip()
        checked = [value for key, value in properties if key in ("envelope-from", "helo")]
        if ":" in comment and _looks_like_host(head) and spf_comment_head_is_writer(head, comment, checked):
            writer = head.lower()
    return _Clause(method="spf", result=result, reason=None, comment=comment,
                   properties=properties), writer, defects


def _looks_like_host(text: str) -> bool:
    return 0 < len(text) <= 253 and "." in text and all(
        c.isalnum() or c in "-._" for c in text)


# --------------------------------------------------------------------------------------------
# Who wrote it: the receiving side or somebody else.
# --------------------------------------------------------------------------------------------


@frozen
class _TrustContext(Value):
    """What tells the receiver's own fields apart: its hosts, organisations and position."""

    hosts: frozenset[str]
    orgs: frozenset[str]
    boundary_index: int | None
    receiver_block_end: int | None
    boundary_number: int | None
    receiver_names: str
    trailing_start: int | None = None
    earlier_leg_end: int | None = None
    """When every hop is inside the receiving organisation: the index of the earliest Received
    (fields above it were written inside the organisation, on an earlier leg)."""
    loop_host: str | None = None
    """When the copy is one host's own content-filter loop and nothing else (see
    hops.filter_loop_host): that host. Fields above the earliest Received were written by it,
    at this delivery."""
    tenant_handover: bool = False
    """The boundary is one Microsoft 365 tenant handing the message to another through Exchange
    Online's outbound relay, shown to be EOP's by its address or the receiver's rDNS
    (hops.proven_tenant_handover): fields below it in Microsoft's names are the sending tenant's."""
    sealed_instances: frozenset[int] = frozenset()
    """ARC instances the receiving side sealed (an ARC-Seal whose d= is the receiver's)."""
    corroborating: frozenset[str] = frozenset()
    """Organisations of the receiver that also wrote a field above the boundary Received
    (A-R, ARC-Authentication-Results, Received-SPF, ARC-Seal), filled in by parse_recorded."""
    duplicated: frozenset[str] = frozenset()
    """authserv-ids whose A-R fields in the receiver's block below the boundary disagree on
    the same check (two results for one method and subject, in different fields)."""
    results_above: frozenset[tuple[str, str]] = frozenset()
    """(organisation, method) for each check the receiving side recorded in an
    Authentication-Results above the boundary Received: it writes that check's result there, so
    one for the same check under its name directly below is not its own."""
    boundary_names: frozenset[str] = frozenset()
    """The boundary hop's receiving host and its organisational domain."""
    block_closed: bool = False
    """The receiver's block below its Received ends at the previous hop's Received: it sits
    between two trace blocks, where RFC 5321 section 4.4 prepending puts the receiver's fields."""
    sealed_here: frozenset[str] = frozenset()
    """Organisations of the receiver whose ARC set in its block verifies (seal and message
    signature): proof that the receiver wrote there, in this message."""
    stamped: frozenset[int] = frozenset()
    """Indexes of the fields that follow, with no sender field between, a stamp repeating the
    queue id the boundary Received gave this message (Coremail's X-CM-TRANSID, rspamd's
    X-Rspamd-Queue-Id): written by the receiver in that transaction."""
    boundary_host: str | None = None
    """The boundary hop's receiving host, as its Received names it."""
    block_own: bool = False
    """Every writer named in the run directly below the boundary Received is the boundary host
    (or its organisation)."""
    trace_runs: frozenset[int] = frozenset()
    """Indexes of the fields in an unbroken run of trace and result fields directly below some
    Received (no field a sender writes between), when the receiver stamped its queue id."""
    cut_in_block: bool = False
    """A header alone (a paste) that ends inside the receiver's block below its Received, before
    any field that would show where the block ends (a sender field or the previous Received)."""
    gateway: str | None = None
    """The filtering service the boundary hop belongs to when it is the receiving side's own
    gateway (hops.inbound_gateway)."""
    arrival_cut: bool = False
    """The copy lacks the hop where the message arrived (hops.arrival_missing), and no hop shown
    is a submission inside the receiving side (see _arrival_cut): a field below the boundary
    cannot be placed, so it is not relied on, but not called forged either."""
    behind_boundary: tuple[tuple[int, int, int, str], ...] = ()
    """(first header index, last + 1, hop number, receiving host) of the fields directly above
    the Received of each hop of the receiving side above the boundary whose receiving host is
    Exchange Online's, when the boundary host is not: Exchange Online behind the receiving side's
    own gateway, which writes its results (its Authentication-Results without an authserv-id)
    directly above its Received for the hand-over from the gateway."""
    relay_run: tuple[int, int, str] | None = None
    """(header index of the Received where the receiving side took the message from a relay the
    user declared trusted, that of the relay's intake Received, the specification) when the
    boundary is such a relay's intake (--trusted-relay, hops.trusted_relay): the fields between
    are the relay's own records, which are not relied on (see _judge_trust)."""
    sealed_records: tuple[tuple[str, int, str, frozenset[tuple[str, str, str]]], ...] = ()
    """(organisation, instance, authserv-id, results) of each ARC set of the receiving side whose seal
    and message signature verify: what its one ARC-Authentication-Results records, as
    _sealed_outcome reads a clause (see _sealed_earlier_delivery)."""


def _arrival_cut(hops: tuple[Hop, ...], arrival_missing: bool) -> bool:
    """Whether the chain lacks the hop where the message arrived so that no field below the
    boundary can be placed (hops.arrival_missing), in a way its sender cannot bring about.

    hops.arrival_missing is only said when no hop shows the message coming from outside the
    receiving side; a sender outside cannot make the receiver's own arrival Received read so.
    A sender inside it can (an account at the same provider, whose chain never leaves it): a
    result field it writes may record a client no Received names, or a Received it writes below
    its own may read as a content filter's hand-over. Its chain then still holds the hop where
    it submitted the message (a login, a mail program's hand-over, webmail's HTTP, RFC 6409),
    which a sender cannot remove: with such a hop below the last, the message was written
    inside, nothing is missing, and a field below the boundary in the receiver's name stays
    possibly forged."""
    if not arrival_missing:
        return False
    return not any(hop.role in (Role.MSA, Role.MUA) or hop.fields.auth
                   or (hop.fields.protocol or "").strip().lower().startswith("http")
                   for hop in hops[:-1])


def _trust_context(message: Message, hops: tuple[Hop, ...], boundary_hop: int | None,
                   gateway: InboundGateway | None = None, arrival_missing: bool = False) -> _TrustContext:
    boundary = next((h for h in hops if h.number == boundary_hop), None) if boundary_hop else None
    if boundary is None:
        return _TrustContext(hosts=frozenset(), orgs=frozenset(), boundary_index=None, receiver_block_end=None,
                             boundary_number=None, receiver_names="", trailing_start=None)
    trusted_hops = [h for h in hops if h.trusted or h.number >= boundary.number]
    hosts: set[str] = set()
    orgs: set[str] = set()
    for hop in trusted_hops:
        by = normalize_domain(hop.fields.by)
        if by:
            hosts.add(by)
            org = organizational_domain(by)
            if org:
                orgs.add(org)
        if hop.organization:
            orgs.add(hop.organization.lower())
    # The receiver's own block below its boundary Received: a run of trace fields, and of
    # stamps of other names (iCloud's X-ICL-SCORE and X-DMARC-Info between its results), that
    # stops at the sender's previous Received header or at the first field a sender writes.
    # A run that reaches the previous Received is closed.
    previous = next((h for h in hops if h.number == boundary.number - 1), None)
    limit = previous.header_index if previous is not None else len(message.headers)
    stop = min(limit, len(message.headers))
    end = boundary.header_index + 1
    while end < stop and message.headers[end].name.lower() not in _RUN_BREAKERS:
        end += 1
    # The run of fields at the very end of the header section after the last field a sender
    # writes (where appending filters put theirs).
    trailing = len(message.headers)
    while trailing > boundary.header_index + 1 and \
            message.headers[trailing - 1].name.lower() not in _SENDER_FIELDS:
        trailing -= 1
    boundary_names: set[str] = set()
    boundary_by = normalize_domain(boundary.fields.by)
    if boundary_by:
        boundary_names.add(boundary_by)
        boundary_names.add(organizational_domain(boundary_by) or boundary_by)
    if boundary.organization:
        boundary_names.add(boundary.organization.lower())
    closed = previous is not None and end == previous.header_index
    cut_in_block = previous is None and end == len(message.headers) and message.header_only
    # One operator's names throughout, but Exchange Online's tenants all share outlook.com: a hand-over
    # from its outbound relay is one tenant sending to another, so the journey left the sender's
    # organisation (review AQ 2: the sending tenant's SPF result was called the receiver's earlier leg).
    # The boundary hop's own client must be inside too: every "by" being one operator's says
    # nothing of who connected to the lowest of them (review V17 N4: a boundary Received "from
    # mail.attacker.example (203.0.113.77) by ...mail.protection.outlook.com" is a journey that
    # came from outside, and fields below it are the sender's text).
    inside = boundary.organization is not None and all(h.organization == boundary.organization for h in hops) \
        and not any(tenant_handover(h.fields) for h in hops) and client_in_organization(boundary)
    stamped = _after_queue_stamp(message, boundary)
    behind: list[tuple[int, int, int, str]] = []
    if not _microsoft_name(boundary.fields.by):
        above_index = -1  # the Received of the hop after (its fields end there)
        for hop in reversed(hops):
            if hop.number <= boundary.number:
                break
            if _microsoft_name(hop.fields.by) and hop.header_index > above_index + 1:
                behind.append((above_index + 1, hop.header_index, hop.number, str(hop.fields.by)[:120]))
            above_index = hop.header_index
    trace_runs: set[int] = set()
    if stamped:
        in_run = False
        for field in message.headers[boundary.header_index + 1:_MAX_STAMP_SCAN]:
            name = field.name.lower()
            if name == "received":
                in_run = True
            elif name in _RUN_BREAKERS:
                in_run = False
            elif in_run:
                trace_runs.add(field.index)
    return _TrustContext(hosts=frozenset(hosts), orgs=frozenset(orgs), boundary_index=boundary.header_index,
                         trace_runs=frozenset(trace_runs),
                         stamped=stamped,
                         earlier_leg_end=hops[0].header_index if inside and hops else None,
                         loop_host=filter_loop_host(hops) if inside else None,
                         receiver_block_end=end, boundary_number=boundary.number,
                         receiver_names=", ".join(sorted(hosts)[:5]), trailing_start=trailing,
                         boundary_names=frozenset(boundary_names), block_closed=closed, boundary_host=boundary_by,
                         cut_in_block=cut_in_block, behind_boundary=tuple(behind),
                         gateway=gateway.service if gateway is not None and gateway.confirmed
                         and gateway.intake == boundary.number and not gateway.declared else None,
                         relay_run=_declared_relay_run(hops, boundary, gateway),
                         arrival_cut=_arrival_cut(hops, arrival_missing),
                         # Only a relay shown to be EOP's (its address, or the receiver's rDNS of it): a
                         # greeting is the client's own text, and a direct sender giving that name would
                         # otherwise have its forged Microsoft results called "the sending side's".
                         tenant_handover=proven_tenant_handover(boundary.fields))


def _declared_relay_run(hops: tuple[Hop, ...], boundary: Hop, gateway: InboundGateway | None
                        ) -> tuple[int, int, str] | None:
    """_TrustContext.relay_run: where a relay the user declared trusted (InboundGateway.declared)
    wrote its own records, between the Received of the hop where it handed the message on and
    that of its intake, the boundary."""
    if gateway is None or not gateway.declared or gateway.intake != boundary.number:
        return None
    handed_on = next((h for h in hops if h.number == gateway.handed_on), None)
    if handed_on is None:
        return None
    return handed_on.header_index, boundary.header_index, gateway.service


_MAX_STAMP_SCAN = 300


def _after_queue_stamp(message: Message, boundary: Hop) -> frozenset[int]:
    """The fields that follow a stamp repeating the boundary Received's queue id (see
    _TrustContext.stamped), up to the next sender field or Received."""
    queue_id = boundary.fields.queue_id()
    if len(queue_id) < 8:  # too short to be a transaction's own id ("1", "abc")
        return frozenset()
    stamped: set[int] = set()
    headers = message.headers
    stop = min(len(headers), boundary.header_index + 1 + _MAX_STAMP_SCAN)
    index = boundary.header_index + 1
    while index < stop:
        header = headers[index]
        index += 1
        if header.name.lower() in _RESULT_FIELDS or queue_id not in header.value[:300]:
            continue
        if queue_id not in header.value[:300].replace(";", " ").split():
            continue
        # The receiver writes the id only once it has the message: the fields it wrote with
        # that stamp follow it, until the sender's own fields or an earlier Received resume.
        while index < stop and headers[index].name.lower() not in _RUN_BREAKERS:
            stamped.add(index)
            index += 1
    return frozenset(stamped)


def _microsoft_name(name: str | None) -> bool:
    """A host or domain of Exchange Online's (protection.outlook.com, outlook.com, ...)."""
    org = organizational_domain(normalize_domain(name) or "") if name else None
    return org is not None and OPERATOR_ALIASES.get(org) == "outlook.com"


def _recorded_client(read: _Field) -> str | None:
    """The client address a Microsoft result field says it checked: Received-SPF's client-ip
    (RFC 7208 section 9.1), or the "(sender IP is 192.0.2.1)" comment of its A-R's spf clause."""
    for clause in read.clauses:
        if clause.method != "spf":
            continue
        ip = dict(clause.properties).get("client-ip")
        if ip is None and clause.comment:
            ip = next((w for w in (w.strip("()[],;:") for w in clause.comment[:300].split()) if is_ip_literal(w)),
                      None)
        if ip:
            return ip.strip("[]").lower()
    return None


# Result words that let a message through: Microsoft's dmarc=bestguesspass and compauth=softpass
# count as passes (https://learn.microsoft.com/defender-office-365/message-headers-eop-mdo).
_PASS_WORDS = frozenset({"pass", "bestguesspass", "softpass"})
# The results that judge the From: domain: what a spoofer forges a pass for.
_FROM_VERDICTS = frozenset({"dmarc", "compauth"})


def _exchange_subject(clause: _Clause) -> str:
    """What an Exchange result is about, where it names it: the MAIL FROM domain of spf, the d= of
    dkim, the From: domain of dmarc ("" when not named: Received-SPF names no MAIL FROM)."""
    properties = {key.lower(): value for key, value in clause.properties[:20]}
    if clause.method == "spf":
        value = next((properties[k] for k in _SPF_MAILFROM_KEYS if properties.get(k)), "")
        return normalize_domain(value.strip().strip("<>\"").rpartition("@")[2]) or ""
    key = {"dkim": "header.d", "dmarc": "header.from"}.get(clause.method)
    return (normalize_domain(properties.get(key)) or "") if key else ""


def _contradicted_passes(read: _Field, others: Sequence[_Field], methods: frozenset[str] | None = None) -> bool:
    """Whether a pass this field records (for ``methods``, or any) is contradicted by another
    field: a different result for the method, or a pass for another named domain."""
    for clause in read.clauses[:_MAX_CLAUSES_PER_FIELD]:
        result = _RESULT_ALIASES.get(clause.result.lower(), clause.result.lower())
        if result not in _PASS_WORDS or (methods is not None and clause.method not in methods):
            continue
        subject = _exchange_subject(clause)
        for other in others:
            if other.header_index == read.header_index:
                continue
            for theirs in other.clauses[:_MAX_CLAUSES_PER_FIELD]:
                if theirs.method != clause.method:
                    continue
                their_result = _RESULT_ALIASES.get(theirs.result.lower(), theirs.result.lower())
                their_subject = _exchange_subject(theirs)
                if their_result != result or (subject and their_subject and subject != their_subject):
                    return True
    return False


def _exchange_stored_results(message: Message, hops: tuple[Hop, ...], boundary_hop: int | None,
                             fields: Sequence[_Field]) -> tuple[dict[int, str], list[int]]:
    """Exchange Online's own results for the boundary hop, in the layout of the copy it keeps in
    the mailbox (what Outlook shows as the message's Internet headers, and a .msg holds): every
    Received first, its Authentication-Results (without an authserv-id) and Received-SPF after
    them all, where position cannot tell the receiver's fields from a sender's. Returns, by
    header index, the reason each is the receiver's; and the look-alikes set aside (fields of
    that form for the same client whose passes the receiver's own results contradict).

    Such a field is a candidate only when all of these hold:

    * the boundary host is Exchange Online's, and X-MS-Exchange-Organization-AuthSource names
      that very machine: Exchange removes X-MS-Exchange-Organization fields from mail arriving
      from outside (its header firewall), so this one was written by the receiving tenant when
      its frontend accepted the message;
    * no result field in Microsoft's name sits above the boundary Received (there, in the
      layout of the message as sent on, the receiver's own fields are the ones above its
      Received, and any below are the sender's, as before); one among the lower Received, the
      sender's hops, is the sender's and is not a candidate;
    * the field records as the client it checked the boundary hop's client address.

    Exchange writes one Authentication-Results for the hop; a second one that disagrees is a
    look-alike, and a sender has every reason to forge a pass and none to forge a failure. So
    when candidates disagree, the worse result wins: first a candidate whose pass for a From:
    verdict (dmarc, compauth) another candidate contradicts is set aside, then, among the rest,
    any whose pass for any method another contradicts. What remains is relied on; the passes set
    aside stay claims (told as possibly forged by parse_recorded).
    """
    boundary = next((h for h in hops if h.number == boundary_hop), None) if boundary_hop else None
    if boundary is None or not boundary.fields.from_ip or is_non_public_ip(boundary.fields.from_ip) \
            or not _microsoft_name(boundary.fields.by):
        return {}, []
    source = (message.first("X-MS-Exchange-Organization-AuthSource") or "").strip()[:253].lower()
    machine = (boundary.fields.by or "").strip().split(".", 1)[0]
    if not machine or source.split(".", 1)[0] != machine.lower():
        return {}, []
    lowest = max(h.header_index for h in hops)
    client = boundary.fields.from_ip.strip("[]").lower()
    candidates: list[_Field] = []
    for read in fields:
        microsoft = (read.name == _AR and read.writer is None) or \
            (read.name == _RECEIVED_SPF and _microsoft_name(read.writer))
        if not microsoft:
            continue
        if read.header_index < boundary.header_index:
            return {}, []  # the layout of the message as sent on: position decides, as for any receiver
        if read.header_index < lowest:
            continue  # among the sender's own Received: the sender's, whatever it says
        if _same_client(_recorded_client(read), client):
            candidates.append(read)
    # Exchange writes one Authentication-Results for the hop (a .msg may hold it twice, alike).
    kept = [read for read in candidates if not _contradicted_passes(read, candidates, _FROM_VERDICTS)]
    kept = [read for read in kept if not _contradicted_passes(read, kept)]
    aside = [read.header_index for read in candidates if read not in kept]
    return {read.header_index: (
        f"written by Exchange Online for the boundary hop (hop {boundary.number}): it records {client}, that hop's "
        "client, as the client it checked; the copy Exchange keeps in the mailbox puts its results below every "
        "Received field, and this copy's X-MS-Exchange-Organization-AuthSource (a field Exchange removes from mail "
        f"arriving from outside) names the boundary host, {machine[:60]}"
        + ("; of the fields of this form for that client that disagree, the worse results are taken as the "
           "receiver's (a sender forges passes, not failures)" if aside else ""))
        for read in kept}, aside


def _writer_matches(writer: str, context: _TrustContext) -> bool:
    name = normalize_domain(writer)
    if name is None:
        return False
    if name in context.hosts:
        return True
    org = organizational_domain(name)
    # A big operator writes its results under another of its domains (Exchange Online's
    # "mx.microsoft.com" on outlook.com servers): its domains are one organisation, as for hops.
    return org in context.orgs or OPERATOR_ALIASES.get(org or "", "") in context.orgs


# Why a result field of a header with no Received field is not relied on: nothing says whether
# its writer was the receiver or not, and the claim findings' titles must not say either.
_NO_CHAIN = "no Received chain, so the writer cannot be tied to the receiving side"


def _standing_words(why: str) -> str:
    """The standing a claim finding's title gives a field that is not relied on."""
    return "(not tied to the receiver: no Received chain)" if why == _NO_CHAIN else "(not the receiver)"


# An Authentication-Results above the receiver's Received that holds no check ("none").
_ANY_CHECK = "*"


def _judge_trust(writer: str | None, header_index: int, context: _TrustContext, field_name: str = _AR,
                 methods: frozenset[str] = frozenset()) -> tuple[bool, str, str | None]:
    """(trusted, why, how it names the receiver without being its: "forged", "appended", None).
    ``methods``: the checks the field reports."""
    if context.boundary_index is None:
        return False, _NO_CHAIN, None
    if context.relay_run is not None and context.relay_run[0] < header_index < context.relay_run[1]:
        # A relay the user declared its own (--trusted-relay) moved the boundary to its intake,
        # but what it recorded there is not the recipient's: a service that serves many
        # customers records what each configures (a forger's own Microsoft 365 tenant lists its
        # own domain as a trusted ARC sealer and records compauth=pass reason=130 for its
        # forgery: verification V59b D1-3), and a relay the headers cannot tie to the recipient
        # gives no more. So the records never raise the verdict: headerscope's own checks of the
        # intake's client decide.
        return False, (f"written inside the run of {context.relay_run[2]}, the relay you declared trusted "
                       f"(--trusted-relay), between its intake (hop {context.boundary_number}, the boundary) and its "
                       "hand-over to your side: the relay's own record, which a shared service writes as each "
                       "customer configures it; not relied on"), None
    above = header_index < context.boundary_index
    in_block = (context.receiver_block_end is not None
                and context.boundary_index < header_index < context.receiver_block_end)
    where = f"hop {context.boundary_number}"
    behind = _behind_the_boundary(header_index, context) if above and field_name in (_AR, _RECEIVED_SPF) else None
    if behind is not None and (field_name == _AR if writer is None else _microsoft_name(writer)):
        # Exchange Online behind the receiving side's own gateway (the boundary is the gateway's
        # intake, hops.inbound_gateway): its results are the receiving organisation's own records of
        # the hand-over from the gateway, nameless as Exchange writes them, above its own Received.
        number, host = behind
        intake = f"{context.boundary_host or 'the receiving side'} took the message from the sender at {where}"
        behind_what = (f"the receiving side's own gateway, {context.gateway}, handed it on ({intake}, the boundary)"
                       if context.gateway else f"the message passed the boundary ({intake})")
        return True, (f"{'no authserv-id, as Exchange Online writes it' if writer is None else f'written by {writer}'}"
                      f", directly above the Received of {host} (hop {number}): Exchange Online's own record, "
                      f"written on the receiving side after {behind_what}"), None
    if writer is None:
        if above and field_name == _AR and context.corroborating and not context.boundary_names & _NAMELESS_WRITERS:
            # RFC 8601 section 2.2 requires the authserv-id. This receiver names itself in its
            # other fields above its Received, so a nameless one is not its own: another
            # server's, carried up (Gmail's forwarding does), or the sender's.
            return False, (f"no authserv-id (RFC 8601 section 2.2 requires one), and the receiving side "
                           f"names itself in its own results above its Received ({where}): another "
                           "server wrote this one; a claim"), None
        if above:
            return True, (f"no authserv-id, but added above the boundary Received header ({where}), "
                          "so by the receiving side"), None
        if in_block:
            return False, (f"no authserv-id, among the trace fields directly below the boundary Received "
                           f"({where}), where the receiver may write it but a sender connecting directly can "
                           "too: a claim"), None
        return False, "no authserv-id, and added below the boundary: a claim", None
    if not context.hosts and not context.orgs and above:
        # The receiving side's Received headers name no host, so the authserv-id cannot be
        # checked; its position still proves it was added after the receiver took the message.
        return True, (f"written by {writer}, above the boundary Received ({where}); the receiving side "
                      "names no host, so trusted by position only"), None
    if not _writer_matches(writer, context):
        if in_block:
            # Often the receiver's own, under a brand name (Amazon SES inbound writes
            # "amazonses.com" on amazonaws.com hosts); a name that does not match cannot be told
            # from a sender's.
            return False, (f"written by {writer} among the trace fields directly below the boundary Received "
                           f"({where}), but {writer} is not a host or domain of the receiving side "
                           f"({context.receiver_names or 'unknown'}): perhaps the receiver's own under another "
                           "name, perhaps the sender's; a claim"), None
        return False, (f"written by {writer}, which is not a host or domain of the receiving side "
                       f"({context.receiver_names or 'unknown'}): a claim"), None
    if above:
        if context.gateway is not None and host_organization(writer) == context.gateway:
            # The receiving side's own gateway's record of its intake (Proofpoint's "ppops.net"
            # just above its "by mx0b-….pphosted.com" Received: verification V44d).
            return True, (f"written by {writer}, the receiving side's own gateway ({context.gateway}), above the "
                          f"boundary Received ({where}), where it took the message in"), None
        return True, f"written by {writer} (receiving side), above the boundary Received ({where})", None
    if header_index in context.stamped:
        name = normalize_domain(writer) or writer
        if (organizational_domain(name) or name) not in context.duplicated:
            # A sender cannot know the queue id the receiver gives its message before it
            # connects: a field that follows the receiver's stamp of that id is the receiver's.
            return True, (f"written by {writer} (receiving side) among the fields that follow its stamp of the "
                          f"queue id its Received ({where}) gave this message"), None
    if in_block:
        # RFC 5321 section 4.4: a field below the receiver's Received is older than it. Gmail
        # writes its A-R there, but so can a client connecting straight to the MX (RFC 8601
        # section 5 asks receivers to delete such fields; many do not). Position alone cannot
        # tell them apart: trust it only when the receiver also wrote a field above its
        # Received, and never when two fields there of the same authserv-id disagree.
        name = normalize_domain(writer) or writer
        if (organizational_domain(name) or name) in context.duplicated:
            return False, (f"names the receiving side ({writer}) directly below the boundary Received "
                           f"({where}), but another field there with the same authserv-id reports a "
                           "different result for the same check: one of them was written by the "
                           "sender; neither is relied on"), "forged"
        organization = organizational_domain(name) or name
        above_methods = {method for org, method in context.results_above if org == organization}
        if field_name == _AR and (above_methods & methods or _ANY_CHECK in above_methods):
            same_checks = ", ".join(sorted(above_methods & methods)) if above_methods & methods else "none"
            # The receiver recorded the same check in its own Authentication-Results above its
            # Received: it writes that result there, so one under its name below is a look-alike
            # the sender supplied (RFC 8601 section 5: receivers delete such fields; not all do).
            return False, (f"names the receiving side ({writer}) directly below the boundary Received "
                           f"({where}), but the receiving side recorded {same_checks} "
                           "in its own Authentication-Results above that Received, where it writes its results: "
                           "this one was supplied with the message (RFC 8601 section 5); a claim"), "forged"
        if field_name == _AR and above_methods:
            # Other checks than those it recorded above: Postfix with one milter per check puts
            # OpenDKIM's field above its Received and OpenDMARC's or policyd-spf's below it
            # (kernel.org's smtp.subspace.kernel.org, stored lore copies). A sender connecting
            # directly can write there too, so it is shown, not relied on, and not called forged.
            return False, (f"names the receiving side ({writer}) directly below the boundary Received "
                           f"({where}), where a receiver's filters may write their own checks (Postfix's "
                           "milters, one per check) while it recorded other checks above that Received, but "
                           "where a sender connecting directly can write too; not relied on"), "filters"
        if (organizational_domain(name) or name) in context.corroborating:
            return True, (f"written by {writer} (receiving side), among the receiver's trace fields "
                          f"directly below the boundary Received ({where}), and the receiver also "
                          "wrote a field above it"), None
        if (organizational_domain(name) or name) in context.sealed_here:
            # A sender can write any field under the receiver's name, but not the receiver's ARC
            # set: one that verifies in this block shows the receiver wrote here, and a look-alike
            # that disagrees with its results was caught as duplicated above.
            return True, (f"written by {writer} (receiving side) among its trace fields directly below the "
                          f"boundary Received ({where}), beside its own ARC set there, whose seal and message "
                          "signature verify"), None
        if context.block_closed and (name in context.boundary_names
                                     or (organizational_domain(name) or name) in context.boundary_names):
            # The boundary host's own authserv-id, in the unbroken run of trace fields between
            # its Received and the previous hop's: where a receiver that writes below its
            # Received (Gmail) puts it. A sender's field would sit below its own Received, and
            # RFC 8601 section 5 has the receiver delete look-alikes of its authserv-id.
            # Position alone, though: a sender connecting directly runs the previous hop's MTA and
            # writes anything above its own Received (verification V39d f5). Trusted for what
            # hardens a verdict, not for what softens one (_POSITION_ONLY, _softens).
            if name == context.boundary_host:
                return True, (f"written by {writer}, the boundary host ({where}), in the unbroken run of "
                              "trace fields and stamps between its Received and the previous hop's, where "
                              "the receiver writes its results"), _POSITION_ONLY
            # Another name of the receiving organisation (iCloud's bimi.icloud.com, dmarc.icloud.com
            # under its me.com host's Received; Gmail's google.com): not the boundary host's own
            # name, so not called that (verification V44g).
            organization = organizational_domain(name) or name
            by_host = f", by {context.boundary_host}" if context.boundary_host else ""
            return True, (f"written by {writer}, "
                          + ("the receiving organisation's domain" if name == organization
                             else f"a name of the receiving organisation ({organization})")
                          + f", in the unbroken run of trace fields and stamps between the boundary Received "
                          f"({where}{by_host}) and the previous hop's, where the receiver writes its results"), \
                _POSITION_ONLY
        if context.stamped and context.block_own and name == context.boundary_host:
            return True, _writes_below(writer, where), None
        if context.cut_in_block:
            # The true reason in a paste that stops in this run: what would tell the receiver's
            # run from a sender's fields (the previous hop's Received closing it, or the sender's
            # own fields after it) was not pasted. Fields above the boundary (the receiver's own
            # Received, X-Received) show the receiver carried the message on, which a direct
            # sender's forged field under its name would not change: they corroborate nothing.
            return False, (f"names the receiving side ({writer}) directly below the boundary Received "
                           f"({where}), where a receiver may put it but a sender connecting directly can too; "
                           "the paste ends inside this run of fields, before anything that would show whose it "
                           "is (the previous hop's Received, or the sender's own fields), and nothing above the "
                           "boundary corroborates it (a result field or ARC seal of the receiver's), so not "
                           "relied on"), "unverified"
        return False, (f"names the receiving side ({writer}) directly below the boundary Received "
                       f"({where}), where a receiver may put it but a sender connecting directly "
                       "can too; nothing above the boundary corroborates it, so not relied on"), "unverified"
    if context.stamped and header_index in context.trace_runs and normalize_domain(writer) == context.boundary_host \
            and (organizational_domain(context.boundary_host or "") or context.boundary_host) not in context.duplicated:
        # Proton writes its results below the message's last Received, not its own: in the run
        # of trace fields there, never among the sender's fields.
        return True, _writes_below(writer, where), None
    if context.earlier_leg_end is not None and header_index < context.earlier_leg_end \
            and context.loop_host is not None and normalize_domain(writer) == context.loop_host:
        # A paste that starts inside one host's filter loop (Postfix, amavisd-new, back to
        # Postfix, LMTP to its store; the hop where the message arrived is cut off): a field
        # between the host's own Received fields was added after its first stamp, and a sender's
        # fields all sit below the hop where it arrived, under every stamp here (RFC 5321
        # section 4.4 prepending). In the host's own name, it is this delivery's result.
        return True, (f"written by {writer}, the one host every Received of this copy names, between its own "
                      "Received fields (its server handing the message to its content filter and back): the "
                      "receiving host's own result at this delivery, though the hop where the message arrived "
                      "is not in this copy"), None
    if context.earlier_leg_end is not None and header_index < context.earlier_leg_end:
        # The whole journey ran inside the receiving organisation (a provider's own forward,
        # say): a field in its name below the final Received was written on an earlier leg,
        # by the same organisation; not the final delivery's result, and not a forgery.
        return False, (f"written by {writer} inside the receiving organisation on an earlier leg of a "
                       "journey that never left it: shown, not relied on for this delivery"), None
    if context.trailing_start is not None and header_index >= context.trailing_start:
        # Milters that add fields with smfi_addheader append them at the end of the header
        # section (rspamd does); a sender can put a field there too, so it stays a claim.
        return False, (f"names the receiving side ({writer}) but sits at the end of the header "
                       "section, below the boundary: a filter may have appended it, or the sender "
                       "forged it; not relied on"), "appended"
    if context.tenant_handover:
        # Every Exchange Online tenant's hosts are named under outlook.com: below a hand-over from
        # the outbound relay, a field in those names is the sending tenant's (its EOP judged its own
        # client), not the receiver's, and not a forgery of the receiver's name (review AQ 2).
        return False, (f"in the name of {writer} below a tenant-to-tenant hand-over (the receiving tenant took "
                       "the message from Exchange Online's outbound relay): the sending tenant's Exchange Online "
                       "writes such fields for its own client, all tenants' hosts being named under outlook.com, "
                       "and a sender could write one too; the sending side's result at most, not the receiver's; "
                       "shown, not relied on"), None
    if context.arrival_cut:
        # The copy lacks the hop where the message arrived (hops.arrival_missing): the receiver's
        # results sit below that missing Received, as a sender's would, so position cannot tell
        # whose this is. A sender outside cannot make the hop read as missing, and one inside shows
        # its own submission, which keeps this off (_arrival_cut).
        return False, (f"names the receiving side ({writer}) below the boundary Received ({where}), but "
                       "the hop where the message arrived is missing from this copy (hops.arrival_missing), "
                       "so its writer cannot be placed: the receiver's own result or a sender's; not relied on"), \
            "unverified"
    return False, (f"names the receiving side ({writer}) but was already in the message when the "
                   f"receiver accepted it ({where}): possibly forged"), "forged"


def _behind_the_boundary(header_index: int, context: _TrustContext) -> tuple[int, str] | None:
    """(hop number, receiving host) when the field sits directly above the Received of an Exchange
    Online hop of the receiving side above the boundary (see _TrustContext.behind_boundary)."""
    for first, end, number, host in context.behind_boundary:
        if first <= header_index < end:
            return number, host
    return None


def _writes_below(writer: str, where: str) -> str:
    """Why a result below the boundary Received in the boundary host's own name is trusted.

    Proton writes its results below the Received fields (its own, or the message's last) and
    stamps the transaction's queue id further down (X-Rspamd-Queue-Id): it demonstrably writes
    below its Received, and RFC 8601 section 5 has it delete look-alikes of its own authserv-id.
    A sender would have to name the very host that took the message."""
    return (f"written by {writer}, the boundary host itself ({where}), below its Received; the same receiver "
            "stamped this transaction's queue id in fields further down, so it writes below its Received "
            "(and deletes look-alikes of its own name, RFC 8601 section 5)")


# --------------------------------------------------------------------------------------------
# DKIM-Signature lookup for header.b / header.d / header.s (RFC 6008 section 4).
# --------------------------------------------------------------------------------------------


class _Signature(NamedTuple):
    # A NamedTuple, not a Value: one is built per DKIM-Signature of every message, private.
    header_index: int
    domain: str | None
    selector: str | None
    b: str
    # The field's tag list, for its i= (_identity_domain), read only when a record could name
    # several signatures: most messages never need it.
    tags: str


def _signatures(message: Message) -> list[_Signature]:
    out: list[_Signature] = []
    for header in message.all("DKIM-Signature"):
        value = header.value[:MAX_FIELD_CHARS]
        tags = _signature_tags(value)
        b = tags.get("b")
        s = tags.get("s")
        out.append(_Signature(header.index, normalize_domain(tags.get("d")),
                              s.strip().lower() if s is not None else None,
                              "".join(b.split()) if b is not None else "", value))
    return out


def _identity_domain(signature: _Signature) -> str | None:
    """The domain of a signature's AUID, which a receiver's header.i reports (RFC 8601 section
    2.7.1): that of its first i= tag (its first word, as _signature_tags reads d=), or d= when it
    has none (the default "@" + d=, RFC 6376 section 3.5)."""
    for segment in signature.tags.split(";"):
        name, equals, text = segment.partition("=")
        if equals and name.strip() == "i":
            words = text.split(None, 1)
            return normalize_domain(words[0].rpartition("@")[2]) if words else signature.domain
    return signature.domain


# The tags _signature_tags reads (RFC 6376 section 3.5: b= signature, d= domain, s= selector).
_SIGNATURE_TAGS = frozenset("bds")


def _signature_tags(value: str) -> dict[str, str]:
    """The first b=, d= and s= of a DKIM-Signature or ARC-Seal tag list, read loosely.

    What the searches ``(?:^|;)\\s*b\\s*=([^;]*)`` and ``(?:^|;)\\s*[ds]\\s*=\\s*([^;\\s]*)``
    would find: a match can only start a ``;``-separated segment, so the leftmost is the first
    segment that starts with the tag name and ``=`` (whitespace around the name allowed); b= is
    the rest of that segment, d= and s= its first word. One pass over the segments instead of a
    search per tag trying every position of the value (the b= value alone is hundreds of
    characters). ``str.lstrip``/``str.split`` and the pattern's ``\\s`` are the same Unicode
    whitespace test, so this is the same text (tests compare it with the patterns).
    """
    found: dict[str, str] = {}
    for segment in value.split(";"):
        text = segment.lstrip()
        name = text[:1]
        if name not in _SIGNATURE_TAGS or name in found:
            continue
        rest = text[1:].lstrip()
        if rest[:1] != "=":
            continue
        if name == "b":
            found[name] = rest[1:]
        else:
            words = rest[1:].split(None, 1)
            found[name] = words[0] if words else ""
        if len(found) == len(_SIGNATURE_TAGS):
            break
    return found


def _arc_instance(value: str) -> int | None:
    """The i= tag of an ARC-Seal (RFC 8617 section 4.2.1), or None when it has no readable one."""
    for segment in value.split(";"):
        name, equals, instance = segment.partition("=")
        if equals and name.strip() == "i":
            instance = instance.strip()
            return int(instance) if instance.isdigit() and len(instance) <= 3 else None
    return None


def _dkim_identity(properties: Iterable[tuple[str, str]]) -> tuple[str | None, str | None, str | None]:
    """(domain, selector, header.b) of a recorded dkim result."""
    props = dict(properties)
    domain = normalize_domain(props.get("header.d"))
    if domain is None and props.get("header.i"):
        domain = normalize_domain(props["header.i"].rpartition("@")[2])
    selector = props.get("header.s")
    return domain, selector.lower() if selector else None, props.get("header.b")


def _exact_signers(properties: Sequence[tuple[str, str]], domain: str, signatures: Sequence[_Signature],
                   identities: dict[int, str | None]) -> list[_Signature]:
    """The signatures whose own name is a recorded dkim result's domain (``domain``, from
    _dkim_identity), not a subdomain of their d=: header.d is a signature's d= tag, header.i its
    AUID, i= or else "@" + d= (RFC 8601 section 2.7.1, RFC 6376 section 3.5). IONOS and GMX write
    one "dkim=pass header.i=@mailb.linkedin.com" per signature: the d=mailb.linkedin.com
    signature's, not that of the d=linkedin.com one beside it (verification V44g). ``identities``:
    each signature's _identity_domain by header index, read once a message (a hostile one may hold
    thousands of signatures and records)."""
    if normalize_domain(dict(properties).get("header.d")) is not None:  # as _dkim_identity reads it
        return [s for s in signatures if s.domain == domain]
    exact = []
    for signature in signatures:
        if signature.header_index not in identities:
            identities[signature.header_index] = _identity_domain(signature)
        if identities[signature.header_index] == domain:
            exact.append(signature)
    return exact


def _domain_matches(recorded: str | None, signer: str | None) -> bool:
    # header.i may name a subdomain of d= (RFC 6376 section 3.5, i= tag).
    if recorded is None or signer is None:
        return False
    return recorded == signer or recorded.endswith("." + signer)


def _match_signature(properties: Sequence[tuple[str, str]], signatures: list[_Signature],
                     identities: dict[int, str | None]) -> int | None:
    """The header index of the one DKIM-Signature a recorded dkim result names, else None.
    ``identities``: a memo for _exact_signers, one a message."""
    domain, selector, b = _dkim_identity(properties)
    if b:
        by_b = [s for s in signatures if s.b and s.b.startswith(b)
                and (domain is None or _domain_matches(domain, s.domain))]
        if len(by_b) == 1:
            return by_b[0].header_index
    if domain is None:
        return None
    by_ds = [s for s in signatures if _domain_matches(domain, s.domain)
             and (selector is None or selector == s.selector)]
    if len(by_ds) > 1:
        # A name that is one signature's own beats a subdomain of another's d=: with
        # d=mail.example.org and d=example.org, "header.i=@mail.example.org" is the first's.
        by_ds = _exact_signers(properties, domain, by_ds, identities)
    return by_ds[0].header_index if len(by_ds) == 1 else None


# --------------------------------------------------------------------------------------------
# parse_recorded
# --------------------------------------------------------------------------------------------


def parse_recorded(message: Message, hops: tuple[Hop, ...], boundary_hop: int | None,
                   extra: tuple[RecordedResult, ...] = (), verified_seals: frozenset[tuple[str, int]] = frozenset(),
                   gateway: InboundGateway | None = None, *, arrival_missing: bool = False,
                   ) -> tuple[tuple[RecordedResult, ...], tuple[Finding, ...]]:
    """Every recorded result; ``trusted`` when written by the receiving side.
    ``verified_seals``: (sealer d=, instance) of the ARC sets whose seal and message signature
    verify (auth.arc), which prove their sealer wrote where they sit. ``gateway``: the hop chain's
    (HopChain.gateway), which names the receiving side's own gateway in the words.
    ``arrival_missing``: the chain lacks the hop where the message arrived (hops.arrival_missing)."""
    context = _trust_context(message, hops, boundary_hop, gateway, arrival_missing)
    # The message's by-name index (built once per message for every check) instead of a pass
    # over all its fields; merged back into header order (index = position, top first).
    found = [header for name in _RESULT_FIELDS for header in message.all(name)]
    found.sort(key=attrgetter("index"))
    findings: list[Finding] = []
    if len(found) > _MAX_RESULT_FIELDS:
        # Each field costs a parse, rows and maybe a finding; a message with thousands of them
        # is an attack on the reader. The topmost, nearest the receiver, are the ones read.
        findings.append(Finding(
            id="recorded.too_many", severity=Severity.NOTICE,
            title=f"{len(found)} authentication result fields: the first {_MAX_RESULT_FIELDS} read",
            explanation=f"The message has {len(found)} Authentication-Results, ARC-Authentication-Results and "
                        f"Received-SPF fields; real mail has a few. The {_MAX_RESULT_FIELDS} topmost were read "
                        f"and the {len(found) - _MAX_RESULT_FIELDS} below them ({header_ref(found[_MAX_RESULT_FIELDS].index)} "
                        "on) were not.",
            reference=RFC8601_SYNTAX))
        found = found[:_MAX_RESULT_FIELDS]
    fields = [_read_field(header) for header in found]
    context = _with_corroboration(context, message, fields, verified_seals)
    stored, set_aside = _exchange_stored_results(message, hops, boundary_hop, fields)
    signatures = _signatures(message) if any(clause.method == "dkim" for f in fields for clause in f.clauses) else []
    identities: dict[int, str | None] = {}  # _exact_signers' memo
    recorded: list[RecordedResult] = []
    claims: list[tuple[_Field, list[RecordedResult], str, str | None]] = []
    # Fields whose passes were set aside as trusted by position alone (_softens): shown, not called
    # forged for a failure of the same method beside them (a milter's dkim=fail of another signature).
    position_claims: set[int] = set()
    # Fields told as forged claims (a pass in the receiver's name below its Received, or one its own
    # records contradict): left out of the same-writer comparison (V52c D5).
    forged_claims: set[int] = set()
    quiet_claims: dict[tuple[str | None, str | None], list[tuple[_Field, list[str], str]]] = {}
    for read in fields:
        trusted, why, names_receiver = _judge_trust(read.writer, read.header_index, context, read.name,
                                                    frozenset(clause.method for clause in read.clauses))
        if not trusted and read.header_index in stored:
            trusted, why, names_receiver = True, stored[read.header_index], None
        if trusted and read.name == _ARC_AR and read.header_index > (context.boundary_index or 0) \
                and read.instance not in context.sealed_instances:
            # RFC 8617 section 4.1.1: an ARC-Authentication-Results is one part of a set that its
            # writer seals. Below the boundary Received, one the receiver sealed no set for is
            # not the receiver's, wherever it sits.
            trusted, names_receiver = False, "forged"
            why = (f"an ARC-Authentication-Results of instance {read.instance} below the boundary Received, "
                   "but the receiving side sealed no ARC set of that instance: not the receiver's")
        if not trusted and names_receiver == "forged" and read.name == _AR and context.sealed_records \
                and read.header_index > (context.boundary_index or 0) \
                and (organizational_domain(normalize_domain(read.writer) or "") or "") not in context.duplicated:
            earlier = _sealed_earlier_delivery(read, context)
            if earlier is not None:
                instance, sealer = earlier
                writer = normalize_domain(read.writer)
                # The title is the words before the first colon (_claim_finding).
                if not any(other.name == _AR and other.header_index < (context.boundary_index or 0)
                           and normalize_domain(other.writer) == writer for other in fields):
                    # With no record of the writer's above the boundary, the sealed set is this
                    # delivery's: a gateway that writes its Authentication-Results among the
                    # message's own fields (Mimecast does) recorded the same results as its seal
                    # (verification V52c, defect 3). An earlier delivery's record has the later
                    # delivery's above it (Gmail's auto-forward).
                    why = (f"the receiving side's own record of this delivery, written among the message's fields "
                           f"below its Received; sealed in ARC i={instance} by {sealer}: the set's seal and message "
                           f"signature verify and its results are these, so {read.writer} recorded them (some "
                           "gateways write their Authentication-Results there, RFC 8601 section 5 asks for it at "
                           "the top); a sender can write a field in that place too, so the sealed record is what "
                           "counts and this one is not relied on")
                else:
                    delivery = "the first delivery's record" if instance == 1 else "an earlier delivery's record"
                    why = (f"{delivery}, at the forwarding mailbox; sealed in ARC i={instance} by {sealer}: the "
                           f"set's seal and message signature verify and its results are these, so {read.writer} "
                           "recorded them when the message reached the operator earlier, and the operator then "
                           "passed it on (RFC 8617 section 5.1); not this delivery's result, so not relied on")
                names_receiver = _SEALED_EARLIER
        position_only = trusted and names_receiver == _POSITION_ONLY
        if position_only:
            names_receiver = None
        field_results: list[RecordedResult] = []
        for clause in read.clauses:
            result = _RESULT_ALIASES.get(clause.result, clause.result)
            clause_defects = list(read.defects)
            valid = _VALID_RESULTS.get(clause.method)
            if valid is not None and result not in valid:
                clause_defects.append(f"'{clause.result}' is not a {clause.method} result word")
            signature_index = (_match_signature(clause.properties, signatures, identities)
                               if clause.method == "dkim" else None)
            field_results.append(RecordedResult(
                header=read.name, header_index=read.header_index, authserv_id=read.writer, method=clause.method,
                result=result, properties=tuple(clause.properties),
                reason=clause.reason or _strip_quotes(clause.comment), trusted=trusted,
                trust_reason=why, instance=read.instance, signature_header_index=signature_index,
                defects=tuple(clause_defects), below_with_filters=names_receiver == "filters",
            ))
        if position_only and any(_softens(r) for r in field_results):
            # Trusted by its position alone: an ARC override is a claim there, the rest stays the
            # receiver's record (see _softens).
            claim_why = (f"{why}; but that position is also where a sender connecting directly writes (it runs "
                         "the previous hop's server), and nothing else shows the receiver wrote it (a field or ARC "
                         "seal of its own above the boundary, its verified ARC set, its queue id stamp): a field "
                         "that records an ARC override there is not relied on")
            # The whole field: one that would carry a forged override is not half the receiver's.
            field_results = [replace(r, trusted=False, trust_reason=claim_why) for r in field_results]
            why, names_receiver = claim_why, "unverified"
            position_claims.add(read.header_index)
        recorded.extend(field_results)
        # Microsoft 365 omits the authserv-id on every message: that stays a per-result
        # defect in the table, not a finding on ordinary mail.
        noteworthy = [d for d in read.defects if d != _NO_AUTHSERV_ID]
        if noteworthy:
            findings.append(Finding(
                id="recorded.malformed", severity=Severity.INFO,
                title=f"{read.name} field could not be read cleanly",
                explanation=f"{header_ref(read.header_index).capitalize()} ({read.name}): " + "; ".join(noteworthy) + ".",
                reference=RFC7208_RECEIVED_SPF if read.name == _RECEIVED_SPF else RFC8601_SYNTAX,
                subject=header_ref(read.header_index),
            ))
        claims.append((read, field_results, why, names_receiver))
    # What the receiving side itself recorded as a failure, per method: a claim of "pass"
    # against it is a deliberate deception, not a forwarder's honest note.
    trusted_failures = {r.method for r in recorded if r.trusted and r.result in ("fail", "softfail")}
    failures_only: list[tuple[_Field, list[str], str, str | None]] = []
    for read, field_results, why, names_receiver in claims:
        claimed = sorted({r.method for r in field_results
                          if not r.trusted and r.result == "pass" and r.method in _VALID_RESULTS})
        passes = [f"{method}=pass" for method in claimed]
        # Every result the field claims, in its order: a failure someone recorded (a receiver's
        # dmarc=fail that cannot be relied on) is as much worth seeing as a pass.
        said = list(dict.fromkeys(f"{r.method}={r.result}" for r in field_results
                                  if not r.trusted and r.method in _VALID_RESULTS))
        if claimed:
            # Only a claim in the receiver's name (or in its unnamed Microsoft format) pretends
            # to be the receiver; a list's or forwarder's honest pass before it changed the
            # message may well contradict the receiver's fail.
            pretends = read.name == _AR and (read.writer is None or names_receiver is not None)
            # A field the operator's own verified ARC set records is no deception, whatever the
            # later delivery found (_sealed_earlier_delivery).
            contradicted = (sorted(set(claimed) & trusted_failures)
                            if pretends and read.header_index not in position_claims
                            and names_receiver != _SEALED_EARLIER else [])
            if (contradicted and names_receiver != "forged") or names_receiver == "forged":
                forged_claims.add(read.header_index)
                findings.append(_claim_finding(read.name, read.header_index, read.writer, passes, why,
                                               names_receiver, contradicted))
                continue
        if names_receiver == "filters":
            continue  # told by filter_fields_finding, once headerscope's own results are known
        if said and (claimed or names_receiver in ("unverified", "appended")):
            # Shown, not alarmed on: one finding per writer, however many fields it wrote
            # (a forwarder writes one per check, a milter per field). Failures alone are told
            # when the field is in the receiver's name, where they may well be its own.
            quiet_claims.setdefault((read.writer or _client_hop_writer(read, field_results, hops), names_receiver),
                                    []).append((read, said, why))
        elif said:
            failures_only.append((read, said, why, names_receiver))
    # A writer's fields of failures alone join its other fields' finding (Proton writes
    # dmarc=fail in one field, spf=pass in the next): the finding tells all it said.
    for read, said, why, names_receiver in failures_only:
        group = quiet_claims.get((read.writer, names_receiver))
        if group is not None:
            group.append((read, said, why))
            group.sort(key=lambda item: item[0].header_index)
    for (writer, names_receiver), items in quiet_claims.items():
        if len(items) == 1:
            read, claimed, why = items[0]
            findings.append(_claim_finding(read.name, read.header_index, writer, claimed, why, names_receiver, []))
        else:
            findings.append(_claims_finding(writer, names_receiver, items))
    # Exchange-form results for the boundary's client set aside as look-alikes: where no warning
    # above already says a pass there contradicts the receiver's failure, the disagreement itself
    # is told, as the forgery sign it is (Exchange writes one such field per hop).
    warned = {f.subject for f in findings if f.severity is Severity.WARNING}
    unexplained = [index for index in set_aside if header_ref(index) not in warned]
    if unexplained:
        refs = header_refs(unexplained) if len(unexplained) > 1 else header_ref(unexplained[0])
        findings.append(Finding(
            id="recorded.disagree", severity=Severity.WARNING,
            title=f"Results in Exchange Online's form disagree: {refs} not relied on",
            explanation=(f"{refs.capitalize()} {'record' if len(unexplained) > 1 else 'records'} results in Exchange Online's form for the boundary hop's client "
                         "that other fields of that form contradict. Exchange writes one Authentication-Results "
                         "for the hop, so the others were written by someone else, the sender most likely; a "
                         "sender forges passes, not failures, so the worse results are taken as the receiver's "
                         "and these passes stay claims. Treat them as forged."),
            reference=RFC8601_TRUST, subject=header_ref(unexplained[0])))
    # A field already told as a forged claim is not one of the writer's records: with it in the
    # comparison, the writer's own records and the forgery "disagree" and "neither tells which the
    # receiver acted on", where the receiver acted on its own (verification V52c D5).
    findings.extend(_same_writer_disagreements(
        [read for read in fields if read.header_index not in forged_claims], context, hops,
        frozenset(r.header_index for r in recorded if r.trusted and r.header_index is not None)))
    originals, original_findings = _preserved_originals(message)
    recorded.extend(originals)
    findings.extend(original_findings)
    renamed, renamed_findings = _renamed_results(message)
    recorded.extend(renamed)
    findings.extend(renamed_findings)
    for item in extra:
        if item.trust_reason is None and item.header == _GMAIL_SUMMARY:
            item = replace(item, trust_reason=(
                "the summary table of Gmail's 'Show original' page: Gmail's own display of the "
                "verdicts it recorded at delivery"))
        recorded.append(item)
    return tuple(recorded), tuple(findings)


_RESULT_FIELDS = ("authentication-results", "arc-authentication-results", "received-spf")
# Result fields read per message (the topmost): real mail has a few, a list's copy a dozen.
_MAX_RESULT_FIELDS = 200

# Earlier receivers' Authentication-Results that a later server kept under another name when it
# passed the message on, and who keeps them so: what the message looked like when it reached
# a list (before the list changed it), or a gateway's results before Exchange Online's own.
_PRESERVED_FIELDS = {
    "x-original-authentication-results": ("Google Groups", "the results its receiving server recorded when "
                                          "the message reached the group"),
    "x-mailman-original-authentication-results": ("Mailman", "the results the list's server recorded when the "
                                                  "message reached the list"),
    "authentication-results-original": ("Exchange Online", "the Authentication-Results an earlier server wrote "
                                        "(often a filtering gateway in front of the mailbox, or the sending "
                                        "side's own)"),
    "x-ms-exchange-authentication-results": ("Exchange Online", "the results it recorded when a tenant's mail "
                                             "entered it to be relayed out (hybrid or connector mail: the "
                                             "sending side's checks)"),
}
_PRESERVED_NAMES = frozenset(_PRESERVED_FIELDS)
# Of those, the ones that record the sending side's own checks of its outbound mail.
_SENDING_SIDE_CHECKS = frozenset({"x-ms-exchange-authentication-results"})
_MAX_PRESERVED_FIELDS = 10


def nothing_recorded(recorded: Sequence[RecordedResult], hops: Sequence[Hop], boundary_hop: int | None,
                      header_only: bool, signed: bool) -> Finding | None:
    """recorded.none: the receiving side wrote no authentication result the message shows, in its
    own name or any other that can be tied to it: what an admin asking "why was SPF not enforced"
    needs said, and no DNS can tell. Not for a submission (an MSA checks no SPF or DMARC of its
    own users' mail) nor for a message with no trusted hop; and only for a signed message (a
    receiver that checks anything records its DKIM result): old mail and list archives, written
    before receivers recorded results, would each get it."""
    if not signed or boundary_hop is None or not 1 <= boundary_hop <= len(hops) or any(r.trusted for r in recorded):
        return None
    boundary = hops[boundary_hop - 1]
    if boundary.role in (Role.MSA, Role.MUA) or not boundary.trusted:
        return None
    if not header_only and not any(hop.role is Role.MDA for hop in hops[boundary_hop - 1:]):
        # A copy not shown delivered to a mailbox (a list's archive, a relay's copy): its last
        # server may never have been the one to check.
        return None
    receiver = boundary.organization or organizational_domain(boundary.fields.by)
    if receiver and any(r.authserv_id and organizational_domain(r.authserv_id) == receiver for r in recorded):
        return None  # its results are there, not relied on: the claim findings say why
    by = str(boundary.fields.by or "the receiving server")[:120]
    where = ("The part pasted holds no Authentication-Results or Received-SPF of the receiving side (they may be "
             "in the part not pasted, near its Received fields)" if header_only else
             f"{by} (hop {boundary.number}, where the receiving side accepted the message) and the servers after it "
             "wrote no Authentication-Results or Received-SPF field the message keeps: that server does not check "
             "SPF, DKIM or DMARC, keeps its results elsewhere (a log), or they were removed before delivery")
    return Finding(id="recorded.none", severity=Severity.INFO,
                   title="The receiving side recorded no authentication results",
                   explanation=f"{where}. So nothing here says what it made of them; the results above are this "
                               "analysis's own (RFC 8601 section 1: a receiver records its checks in "
                               "Authentication-Results).",
                   reference="https://www.rfc-editor.org/rfc/rfc8601#section-1", subject=f"hop {boundary.number}")


def preserved_dmarc_pass(recorded: Sequence[RecordedResult], domain: str) -> str | None:
    """An earlier receiver's dmarc=pass for ``domain`` that a later server kept under another name
    (recorded.preserved), in words for the verdict line; None when there is none. Not relied
    on: it says how the message stood before a list or a forward changed it."""
    for result in recorded:
        # (Exchange Online's X-MS-Exchange-Authentication-Results is a sending tenant's own outbound
        # check, not how an earlier receiver saw the message: not said here.)
        if result.header.lower() in _PRESERVED_NAMES and result.header.lower() not in _SENDING_SIDE_CHECKS \
                and result.method == "dmarc" and result.result == "pass" \
                and _property_domain(dict(result.properties).get("header.from")) == normalize_domain(domain):
            return (f"{header_ref(result.header_index)}, {result.header}, says "
                    f"{(result.authserv_id or 'an earlier receiver')[:120]} recorded dmarc=pass for {domain} before the "
                    "message was passed on (a claim, not relied on: the sending side can write that field too)")
    return None


def _through_google_groups(message: Message) -> bool:
    """Whether the message shows that a Google group passed it on (its group id, or a list
    address at googlegroups.com)."""
    if message.first("X-Google-Group-Id") is not None:
        return True
    listed = " ".join(message.first(name) or "" for name in ("Mailing-list", "List-Id", "List-Post"))[:2000]
    return "googlegroups.com" in listed.lower()


# Exclaimer's hosted signature service (an Exchange Online connector routes outbound mail through
# it, and it adds the signature to the body): its Received names the product ("with Exclaimer
# Signature Manager ESMTP Proxy") and it stamps X-ExclaimerHostedSignatures-MessageProcessed.
_EXCLAIMER_FIELD = "X-ExclaimerHostedSignatures-MessageProcessed"
_EXCLAIMER_WITH = "with exclaimer signature manager"
_MAX_RECEIVED_READ = 100


def _signature_service(message: Message) -> str | None:
    """Words naming a hosted signature service the message shows it passed through, or None."""
    for header in message.all("Received")[:_MAX_RECEIVED_READ]:
        if _EXCLAIMER_WITH in " ".join(header.value[:2000].lower().split()):
            return f"Exclaimer's signature service ({header_ref(header.index)}: with Exclaimer Signature Manager)"
    if message.first(_EXCLAIMER_FIELD) is not None:
        return f"Exclaimer's signature service ({_EXCLAIMER_FIELD})"
    return None


def _preserved_originals(message: Message) -> tuple[list[RecordedResult], list[Finding]]:
    """Results an earlier receiver recorded, kept under another name by a list or a later server:
    shown (never relied on, as nothing here proves who wrote them), and told in one finding."""
    if not message.has_any(_PRESERVED_NAMES):
        return [], []
    found = sorted((header for name in _PRESERVED_FIELDS for header in message.all(name)),
                   key=attrgetter("index"))[:_MAX_PRESERVED_FIELDS]
    results: list[RecordedResult] = []
    said: list[str] = []
    keepers: list[str] = []
    for header in found:
        value = header.value[:MAX_FIELD_CHARS]
        parsed = _parse_authentication_results(value, arc=False)
        keeper, what = _PRESERVED_FIELDS[header.name.lower()]
        if keeper == "Google Groups" and not _through_google_groups(message):
            # Google writes the field on its own forwarding and routing too (a Workspace rule):
            # a group is named only when the message shows one.
            keeper, what = "Google", ("the results its receiving server recorded before a forwarding or routing "
                                      "rule (or a group) sent the message on")
        why = (f"{keeper} keeps, under this name, {what}; it describes the message as it arrived there, before "
               "it was passed on, and nothing here proves who wrote it: shown, not relied on")
        methods: list[str] = []
        for clause in parsed.clauses:
            result = _RESULT_ALIASES.get(clause.result, clause.result)
            results.append(RecordedResult(
                header=header.name, header_index=header.index, authserv_id=parsed.authserv_id,
                method=clause.method, result=result, properties=tuple(clause.properties),
                reason=clause.reason or _strip_quotes(clause.comment), trusted=False, trust_reason=why,
                defects=parsed.defects))
            if clause.method in _VALID_RESULTS:
                methods.append(f"{clause.method}={result}")
        if methods:
            keepers.append(keeper)
            said.append(f"{header_ref(header.index)} ({header.name}, kept by {keeper}): "
                        f"{parsed.authserv_id or 'an unnamed writer'} recorded " + ", ".join(dict.fromkeys(methods)))
    if not said:
        return results, []
    return results, [Finding(
        id="recorded.preserved", severity=Severity.INFO,
        title=f"Results recorded before {' and '.join(dict.fromkeys(keepers))} passed the message on",
        explanation=("; ".join(said)[:1].upper() + "; ".join(said)[1:] + ". " + (
            "They tell how the sending side's own system judged its outbound mail, not how a receiver saw it"
            if all(h.name.lower() in _SENDING_SIDE_CHECKS for h in found) else _preserved_stood(message, keepers))
            + "; they are shown, not relied on, since nothing here "
            "proves who wrote them."),
        reference=RFC8601_TRUST, subject=header_ref(found[0].index),
    )]

def _preserved_stood(message: Message, keepers: list[str]) -> str:
    """What the kept results tell of the message, in words that fit what it shows: a list's
    keeping (Mailman, Google Groups) is before the list changed it; Exchange Online's is before it
    relayed the message on, naming a signature service the message passed through, and no list."""
    if any(keeper in ("Mailman", "Google Groups") for keeper in keepers):
        return ("They tell how the message stood when it reached the list, before the list changed it (a subject "
                "tag or a footer breaks DKIM, RFC 6377 section 5)")
    service = _signature_service(message)
    if service is not None:
        return ("They tell how the message stood when it arrived there, before it was passed on; the message also "
                f"passed through {service}, which adds a signature or disclaimer to the body, so a DKIM signature "
                "made before that service fails after it")
    return ("They tell how the message stood when it arrived there, before it was changed or relayed on (by a "
            "gateway, a forward, or a service that adds signatures or disclaimers)")


# Authentication-Results written under a name of the writer's own: rspamd's milter_headers
# module can write its results as "X-Rspamd-Authentication-Results" (beside OpenDKIM's field),
# forwarders keep an earlier receiver's as "X-Forwarded-Authentication-Results". Which of
# them the receiver wrote, and where it puts them, nothing standard says (RFC 8601 section 5
# only asks receivers to remove look-alikes of the registered name).
_RENAMED_SUFFIX = "-authentication-results"
_NOT_RENAMED = _PRESERVED_NAMES | {"arc-authentication-results", "authentication-results"}
_MAX_RENAMED_FIELDS = 10
# Renamed fields whose writer is known: addy.io's (AnonAddy's) mail server keeps its results under
# X-AnonAddy-Authentication-Results (the rspamd milter_headers setting of its self-hosting guide)
# and copies them into every forward it rebuilds (ForwardEmail.php, anonaddy/anonaddy).
_RENAMED_WRITERS = {
    "x-anonaddy-authentication-results": (
        "This name is addy.io's (AnonAddy's): its mail server writes the field when it receives a message for an "
        "alias and copies it into the forward it sends on, as its record of how the original sender stood on "
        "arrival (the relay section reads it so only when the relay's hand-over is in the receiving side's chain)"),
}


def _renamed_results(message: Message) -> tuple[list[RecordedResult], list[Finding]]:
    """Results under a renamed Authentication-Results field (``X-Rspamd-Authentication-Results``):
    read with the field's name, shown as claims (never relied on: where its writer puts it and
    whether it removes look-alikes is unknown), and told in one finding."""
    if not message.has_name_ending(_RENAMED_SUFFIX):
        return [], []
    found = [header for header in message.headers
             if header.name.lower().endswith(_RENAMED_SUFFIX) and header.name.lower() not in _NOT_RENAMED
             ][:_MAX_RENAMED_FIELDS]
    results: list[RecordedResult] = []
    said: list[str] = []
    for header in found:
        parsed = _parse_authentication_results(header.value[:MAX_FIELD_CHARS], arc=False)
        name = header.name[:80]
        why = (f"written under a renamed field, {name}, not Authentication-Results: who writes it and where is no "
               "standard's rule (a filter such as rspamd may keep its results so, and a sender can write it as "
               "easily), so it is shown as a claim, not relied on")
        methods: list[str] = []
        for clause in parsed.clauses:
            result = _RESULT_ALIASES.get(clause.result, clause.result)
            results.append(RecordedResult(
                header=name, header_index=header.index, authserv_id=parsed.authserv_id, method=clause.method,
                result=result, properties=tuple(clause.properties),
                reason=clause.reason or _strip_quotes(clause.comment), trusted=False, trust_reason=why,
                defects=parsed.defects))
            if clause.method in _VALID_RESULTS:
                methods.append(f"{clause.method}={result}")
        if methods:
            said.append(f"{header_ref(header.index)} ({name}): {parsed.authserv_id or 'an unnamed writer'} recorded "
                        + ", ".join(dict.fromkeys(methods)))
    if not said:
        return results, []
    names = ", ".join(dict.fromkeys(header.name[:80] for header in found))
    known = list(dict.fromkeys(_RENAMED_WRITERS[h.name.lower()] for h in found if h.name.lower() in _RENAMED_WRITERS))
    whose = ("; ".join(known) + ". But a sender can write the name as easily, and no standard says who writes it or "
             "where: shown as claims, not relied on.") if known else (
        "A receiver's filter may keep its results under such a name (rspamd's milter_headers can write "
        "X-Rspamd-Authentication-Results beside another filter's Authentication-Results), but no standard says who "
        "writes it or where, and a sender can write it too: shown as claims, not relied on.")
    return results, [Finding(
        id="recorded.renamed", severity=Severity.INFO,
        title=f"Results under a renamed field: {names}",
        explanation="; ".join(said)[:1].upper() + "; ".join(said)[1:] + ". " + whose,
        reference=RFC8601_TRUST, subject=header_ref(found[0].index),
    )]


_NO_AUTHSERV_ID = "no authserv-id (RFC 8601 section 2.2 requires one)"
# Received-SPF's key-value pairs (RFC 7208 section 9.1).
_SPF_KEY_VALUE_KEYS = frozenset(("client-ip", "envelope-from", "helo", "identity", "receiver", "mechanism",
                                 "problem"))
_ipv6_value_re = compiled_on_first_use(r"=([ \t]*)([0-9A-Fa-f]*:[0-9A-Fa-f:.]*)(?=[ \t\r\n;()]|$)")
# A quoted string (skipped whole, so nothing inside one is taken for a property), or a property
# whose value is the empty quoted-string (group 1: 'smtp.mailfrom=""'). Bounded: ptype and
# property are short names; the quoted string's body is one linear scan.
_empty_pvalue_re = compiled_on_first_use(
    r'"(?:[^"\\]|\\.)*"|(?<![^ \t\r\n;])([A-Za-z0-9_-]{1,32}[ \t]*\.[ \t]*[A-Za-z0-9_.-]{1,64}[ \t]*=[ \t]*)""'
    r'(?=[ \t\r\n;(]|$)')
# A property value that is an address in angle brackets (group 2: the address, addr-spec's
# characters only, each side bounded), ended by a blank, ";", "(" or the end.
_bracketed_address_re = compiled_on_first_use(
    r"=([ \t]*)<([^<>\"\s;()@]{1,128}@[^<>\"\s;()@]{1,255})>(?=[ \t\r\n;(]|$)")
# A segment that is one bare name between two ";" (or before the end).
_bare_segment_re = compiled_on_first_use(r";[ \t\r\n]*[A-Za-z0-9.-]+[ \t\r\n]*(?=;|$)")


class _Field(NamedTuple):
    """One result field as read, before its trust is judged (a NamedTuple: one is built per
    result field of every message, and it never leaves this module)."""

    header_index: int
    name: str
    writer: str | None
    instance: int | None
    clauses: tuple[_Clause, ...]
    defects: tuple[str, ...]


def _read_field(header: HeaderField) -> _Field:
    lname = header.name.lower()
    value = header.value
    defects: list[str] = []
    if len(value) > MAX_FIELD_CHARS:
        value = value[:MAX_FIELD_CHARS]
        defects.append(f"longer than {MAX_FIELD_CHARS} characters; only the start was read")
    if lname == "received-spf":
        clause, writer, spf_defects = _parse_received_spf(value)
        return _Field(header.index, _RECEIVED_SPF, writer, None, (clause,) if clause else (),
                      tuple(defects + spf_defects))
    arc = lname.startswith("arc-")
    parsed = _parse_authentication_results(value, arc=arc)
    return _Field(header.index, _ARC_AR if arc else _AR, parsed.authserv_id, parsed.instance,
                  parsed.clauses, tuple(defects) + parsed.defects)


def _with_corroboration(context: _TrustContext, message: Message, fields: list[_Field],
                        verified_seals: frozenset[tuple[str, int]] = frozenset()) -> _TrustContext:
    """Which receiver organisations also wrote above the boundary, or sealed a verified ARC set in
    their block; duplicate authserv-ids below it."""
    if context.boundary_index is None:
        return context
    corroborating: set[str] = set()
    results_above: set[tuple[str, str]] = set()
    for read in fields:
        if read.header_index < context.boundary_index and read.writer and _writer_matches(read.writer, context):
            name = normalize_domain(read.writer) or read.writer
            corroborating.add(organizational_domain(name) or name)
            if read.name == _AR:
                # "none" (no check in it, RFC 8601 section 2.2) is a result too: the receiver
                # writes its results there, for every check (verification V31).
                results_above.update(((organizational_domain(name) or name, clause.method) for clause in read.clauses)
                                     if read.clauses else ((organizational_domain(name) or name, _ANY_CHECK),))
    for header in message.headers[:context.boundary_index]:
        if header.name.lower() == "arc-seal":
            sealer = normalize_domain(_signature_tags(header.value[:MAX_FIELD_CHARS]).get("d"))
            if sealer and _writer_matches(sealer, context):
                corroborating.add(organizational_domain(sealer) or sealer)
    sealed: set[int] = set()
    sealed_here: set[str] = set()
    end = context.receiver_block_end or 0
    for header in message.all("ARC-Seal")[:50]:
        value = header.value[:MAX_FIELD_CHARS]
        sealer = normalize_domain(_signature_tags(value).get("d"))
        instance = _arc_instance(value)
        if sealer and _writer_matches(sealer, context) and instance is not None:
            sealed.add(instance)
            if (sealer, instance) in verified_seals and header.index < end:
                # RFC 8617 section 5.1: the seal signs the set's results and its message
                # signature this message's header and body; only the sealer's key makes them.
                sealed_here.add(organizational_domain(sealer) or sealer)
    # Receivers that run one filter per method (OpenDKIM, OpenDMARC, OpenARC, policyd-spf)
    # write one field each, all with the receiver's authserv-id, below its Received. Several
    # such fields are that layout, not a forgery. What a sender adding a look-alike would leave
    # is two fields of one authserv-id disagreeing on the same check: only then is neither
    # relied on.
    said: dict[tuple[str, str, str], dict[int, tuple[str, str | None, bool]]] = {}
    for read in fields:
        # Authentication-Results, ARC-Authentication-Results and Received-SPF alike: a sender
        # can add any of them under the receiver's name.
        if read.writer and context.boundary_index < read.header_index < end:
            # By organisation: Gmail's Received-SPF names google.com, its A-R mx.google.com.
            name = normalize_domain(read.writer) or read.writer
            name = organizational_domain(name) or name
            for clause in read.clauses:
                subject = _checked_subject(clause)
                if subject is not None:
                    said.setdefault((name, clause.method, subject), {})[read.header_index] = _outcome(clause)
    duplicated = {name for (name, _, _), by_field in said.items()
                  if len(by_field) > 1 and _disagree(by_field.values())}
    own_block = _block_is_the_boundary_hosts(context, message, fields)
    sealed_records = _sealed_records(context, fields, verified_seals) if verified_seals else ()
    # Built directly rather than with dataclasses.replace, which inspects every field.
    return _TrustContext(
        hosts=context.hosts, orgs=context.orgs, boundary_index=context.boundary_index,
        receiver_block_end=context.receiver_block_end, boundary_number=context.boundary_number,
        receiver_names=context.receiver_names, trailing_start=context.trailing_start,
        earlier_leg_end=context.earlier_leg_end, loop_host=context.loop_host,
        corroborating=frozenset(corroborating), duplicated=frozenset(duplicated), sealed_instances=frozenset(sealed),
        results_above=frozenset(results_above),
        sealed_here=frozenset(sealed_here), stamped=context.stamped,
        boundary_names=context.boundary_names, boundary_host=context.boundary_host, trace_runs=context.trace_runs,
        block_closed=context.block_closed and own_block, block_own=own_block, cut_in_block=context.cut_in_block,
        tenant_handover=context.tenant_handover, behind_boundary=context.behind_boundary, gateway=context.gateway,
        arrival_cut=context.arrival_cut, sealed_records=sealed_records, relay_run=context.relay_run)


def _sealed_records(context: _TrustContext, fields: list[_Field], verified_seals: frozenset[tuple[str, int]]
                    ) -> tuple[tuple[str, int, str, frozenset[tuple[str, str, str]]], ...]:
    """The results recorded in each verified ARC set the receiving side sealed (_TrustContext.sealed_records).
    RFC 8617 section 4.1.3: the seal signs its set's ARC-Authentication-Results; a set holds one field
    of each kind, so an instance with two ARC-Authentication-Results is not read (whichever the seal
    covers, the other is someone else's)."""
    by_instance: dict[int, list[_Field]] = {}
    for read in fields:
        if read.name == _ARC_AR and read.instance is not None and read.writer:
            by_instance.setdefault(read.instance, []).append(read)
    out: list[tuple[str, int, str, frozenset[tuple[str, str, str]]]] = []
    for sealer, instance in sorted(verified_seals):
        reads = by_instance.get(instance, [])
        if len(reads) != 1 or not sealer or not _writer_matches(sealer, context):
            continue
        read = reads[0]
        writer = normalize_domain(read.writer) or read.writer or ""
        organization = organizational_domain(sealer) or sealer
        # The sealer vouches for the results its own servers recorded: an authserv-id of another
        # organisation in its set is what it copied, not its record.
        if (organizational_domain(writer) or writer) != organization:
            continue
        out.append((organization, instance, writer, frozenset(_sealed_outcome(c) for c in read.clauses)))
    return tuple(out)


def _sealed_outcome(clause: _Clause) -> tuple[str, str, str]:
    """(method, result, identity) of a clause, for telling whether a field records what an ARC set
    does: the identity is the signature (header.b, else d= and s=) of a DKIM result, the MAIL FROM
    (or HELO) of an SPF result, the From: domain of a DMARC result, quotes taken off
    (RFC 8601 section 2.2 allows a property value as a quoted string)."""
    properties = {key.lower(): value.strip().strip('"').strip().lower() for key, value in clause.properties[:20]}
    if clause.method == "dkim":
        identity = properties.get("header.b") or f"{properties.get('header.d', properties.get('header.i', ''))}/" \
            f"{properties.get('header.s', '')}"
    elif clause.method == "spf":
        identity = next((properties[k] for k in (*_SPF_MAILFROM_KEYS, "smtp.helo") if properties.get(k)), "")
    else:
        identity = properties.get("header.from", "")
    return clause.method, _RESULT_ALIASES.get(clause.result, clause.result), identity


def _sealed_earlier_delivery(read: _Field, context: _TrustContext) -> tuple[int, str] | None:
    """(instance, sealer) of a verified ARC set of the receiving side that records every result of this
    Authentication-Results under the same authserv-id, or None.

    Below the boundary Received, a field in the receiver's name whose checks the receiver also
    recorded above it is a second record of the operator's: where the message was delivered
    to one of its mailboxes that passed it on (Gmail's auto-forward keeps the first delivery's
    block), the operator sealed an ARC set as it did (RFC 8617 section 5.1), and that set's
    ARC-Authentication-Results carries the first delivery's results. A sender can write the field,
    but not a set sealed with the operator's key over this message whose results match it; a
    replayed set's message signature would not verify over another message. Only the words
    change: the field is never relied on (a seal says what the operator found then, not now)."""
    if not read.writer or not read.clauses:
        return None
    writer = normalize_domain(read.writer) or read.writer
    outcomes = {_sealed_outcome(clause) for clause in read.clauses}
    for organization, instance, sealed_writer, sealed in context.sealed_records:
        if sealed_writer == writer and outcomes <= sealed:
            return instance, organization
    return None


def _outcome(clause: _Clause) -> tuple[str, str | None, bool]:
    """What a clause records, for telling two fields of one writer apart: its result, and for DMARC
    also the disposition it says it applied (Google's dis=, RFC 7489 section 7.2.1.1) and whether
    it accepted the message on an ARC chain (``_override_words``)."""
    result = clause.result.lower()
    if clause.method.lower() != "dmarc":
        return result, None, False
    text = f"{clause.reason or ''} {clause.comment or ''}"[:1024]
    disposition = _disposition_in_comment().search(text)
    lowered = text.lower()
    override = ("arc" in lowered and "override" in lowered) or _google_arc_accept().search(text) is not None
    return result, disposition.group(1).lower() if disposition else None, override


def _disagree(outcomes: Iterable[tuple[str, str | None, bool]]) -> bool:
    """Whether two of one writer's records of one check contradict each other: different results,
    different dispositions where both give one, or an ARC override beside an enforced policy. A
    sender adding a look-alike of the receiver's dmarc=fail that differs only in its comment turns
    enforcement into an override (verification V39d f1b); a field that leaves out the comment
    contradicts nothing."""
    seen = list(dict.fromkeys(outcomes))
    for index, (result, disposition, override) in enumerate(seen):
        for other_result, other_disposition, other_override in seen[index + 1:]:
            if result != other_result or (disposition and other_disposition and disposition != other_disposition):
                return True
            if override != other_override and (other_disposition if override else disposition) in (
                    "reject", "quarantine"):
                return True
    return False


_MAX_DISAGREEMENT_FINDINGS = 5
_COUNT_WORDS = {2: "Two", 3: "Three", 4: "Four"}


# RFC 7208 section 9.1's comment names the identity checked: "domain of myname@example.com
# designates 192.0.2.1 as permitted sender"; Gmail also writes "domain of transitioning X does not
# designate ..." and "... best guess record for domain of X)". Only that comment names it in
# Gmail's Received-SPF, whose key=value part is client-ip= alone.
_spf_comment_identity_re = compiled_on_first_use(
    r"\bdomain of (?:transitioning )?<?([^\s()<>;\"]{1,254})", re.IGNORECASE)


def _spf_checked(clause: _Clause) -> tuple[str, str] | None:
    """(identity as written, its kind: address, domain or HELO) of a recorded SPF result."""
    properties = {key.lower(): value for key, value in clause.properties}
    # RFC 7208 section 9.1: identity= names the check a Received-SPF reports; its envelope-from=
    # is written beside a HELO or Sender ID check too (Cisco Secure Email writes one field per
    # identity, each with envelope-from=, the identity checked in its x-sender=), so it says what
    # was checked only when the check was MAIL FROM's.
    identity = (properties.get("identity") or "").strip().lower()
    helo_check = identity == "helo"
    if identity == "pra":
        # Sender ID's purported responsible address (RFC 4407), from Sender:/From: fields the
        # sender writes: no SPF check of the envelope at all (verification V45a D1).
        return _x_sender(properties) or "", "PRA"
    if not helo_check:
        for key in _SPF_MAILFROM_KEYS:
            value = (properties.get(key) or "").strip().strip("<>\"")
            if value:
                return value[:254], "address" if "@" in value else "domain"
    for key in _SPF_HELO_KEYS:
        value = (properties.get(key) or "").strip()
        if value:
            return value[:254], "HELO"
    if helo_check and _x_sender(properties):
        return _x_sender(properties) or "", "HELO"
    if clause.comment:
        found = _spf_comment_identity_re().search(clause.comment[:1024])
        if found:
            value = found.group(1).rstrip(".,:")
            if value:
                return value, "HELO" if helo_check else ("address" if "@" in value else "domain")
    # A HELO check that names no HELO is still the HELO check, kept apart from the MAIL FROM's.
    return ("", "HELO") if helo_check else None


def _x_sender(properties: Mapping[str, str]) -> str | None:
    """Cisco Secure Email's x-sender= (the identity its Received-SPF checked: the MAIL FROM,
    postmaster@HELO, or the Sender ID address), unquoted; None when absent."""
    value = (properties.get("x-sender") or "").strip().strip('<>"')
    return value[:254] or None


def _spf_client(clause: _Clause) -> str | None:
    """The client IP a recorded SPF result was evaluated for, from the key=value properties the
    writer records (RFC 7208 section 9.1 client-ip=, RFC 8601 section 2.7.2 smtp.remote-ip /
    smtp.client-ip); None when it names none. The comment's IP is not read: a comment is free
    text, and a forger writes a different one to make a second session of a forged result."""
    properties = {key.lower(): value for key, value in clause.properties}
    text = properties.get("client-ip") or properties.get("smtp.remote-ip") or properties.get("smtp.client-ip")
    address = parse_client_ip(text[:64]) if text else None
    return str(address) if address is not None else None


def _spf_comment_client(clause: _Clause) -> str | None:
    """The first IP literal of a recorded SPF result's comment ("designates 192.0.2.1 as
    permitted sender"): only worded in a finding, never used to tell sessions apart."""
    if not clause.comment:
        return None
    text = next((word for word in (w.strip("()[],;:") for w in clause.comment[:1024].split()[:64])
                 if is_ip_literal(word)), None)
    address = parse_client_ip(text[:64]) if text else None
    return str(address) if address is not None else None


def _same_client(recorded_ip: str | None, other_ip: str | None) -> bool:
    """Whether a client address a receiver recorded (client-ip=, smtp.remote-ip) and another are
    one host: compared as addresses, so "::ffff:192.0.2.10" is 192.0.2.10 (an IPv4-mapped IPv6
    address, RFC 4291 section 2.5.5.2, as dual-stack servers record an IPv4 client), and
    "[192.0.2.10]" or "2001:DB8::1" as written. False when either is not an address."""
    if not recorded_ip or not other_ip:
        return False
    first = parse_client_ip(recorded_ip[:64])
    return first is not None and first == parse_client_ip(other_ip[:64])


def _client_words(ip: str) -> str:
    """A recorded client address as a finding names it: the address it stands for (an
    IPv4-mapped one as the IPv4 address the Received shows), else the text as written."""
    address = parse_client_ip(ip[:64])
    return str(address) if address is not None else ip.strip("[]")


def _disagreement_subject(clause: _Clause) -> str | None:
    """What two results must share to contradict each other: the signature for DKIM (see
    _checked_subject), the identity's domain for SPF, the From: domain for DMARC. None when
    the result does not say what it is about: it then contradicts nothing (as for DKIM)."""
    if clause.method == "dkim":
        return _checked_subject(clause)
    properties = {key.lower(): value for key, value in clause.properties}
    if clause.method == "spf":
        # RFC 7208 section 2.4: the identity checked is that SMTP session's MAIL FROM (or HELO).
        # None when unknown: _same_writer_disagreements then compares the result with every SPF
        # result of its writer (and client), as a forged one may simply leave the identity out.
        checked = _spf_checked(clause)
        if checked is None:
            return None
        # A HELO or Sender ID check that names nothing is about its own identity, not every one.
        return normalize_domain(checked[0].rpartition("@")[2]) or f"({checked[1]})"
    if clause.method == "dmarc":
        return normalize_domain(properties.get("header.from")) or ""
    return ""


def _hop_of_field(index: int, hops: tuple[Hop, ...]) -> Hop | None:
    """The hop whose Received sits nearest below a result field: the host that added that
    Received added the field above it (RFC 5321 section 4.4: trace fields are prepended, and so
    are the results a receiver records at that hop, RFC 8601 section 5). None with no Received below."""
    below = [hop for hop in hops if hop.header_index > index]
    return min(below, key=attrgetter("header_index")) if below else None


def _writers_at_hops(items: list[tuple[_Field, _Clause]], hops: tuple[Hop, ...], trusted: frozenset[int]
                     ) -> list[tuple[Hop, list[tuple[_Field, _Clause]]]] | None:
    """The results of one organisation split by the receiving host that wrote them, when they are
    two or more writers (RFC 8601 section 2.5: the authserv-id names the host that did the
    checks): every field relied on as the receiving side's own (a sender cannot write above the
    boundary Received), each placed above a hop's Received, and hosts at different hops naming
    themselves differently (a gateway, then the mailbox server). Earliest hop first; None when
    they are one writer (or unplaced), so a writer that contradicts itself stays told as such."""
    by_hop: dict[int, tuple[Hop, list[tuple[_Field, _Clause]]]] = {}
    for read, clause in items:
        hop = _hop_of_field(read.header_index, hops) if read.header_index in trusted else None
        if hop is None or not read.writer:
            return None
        by_hop.setdefault(hop.number, (hop, []))[1].append((read, clause))
    if len(by_hop) < 2:
        return None
    names = [{(normalize_domain(read.writer) or read.writer or "") for read, _ in group} for _, group in by_hop.values()]
    if any(a & b for i, a in enumerate(names) for b in names[i + 1:]):
        # One name at two hops (a host's content-filter loop re-injecting, or a copy of its
        # field): not two writers by the field's own words; the self-contradiction is kept.
        return None
    return [by_hop[number] for number in sorted(by_hop)]


def _changed_between_hops(method: str, about: str, split: list[tuple[Hop, list[tuple[_Field, _Clause]]]]
                          ) -> Finding:
    """Two receiving hosts at two hops recorded different results for one check."""
    steps = []
    for hop, group in split:
        results = "/".join(dict.fromkeys(_RESULT_ALIASES.get(c.result, c.result) for _, c in group))
        writer = group[0][0].writer
        steps.append((hop.number, writer, results, sorted({read.header_index for read, _ in group})))
    first, last = steps[0], steps[-1]

    def refs_of(indexes: list[int]) -> str:
        return header_refs(indexes) if len(indexes) > 1 else header_ref(indexes[0])

    trail = ", then ".join(f"{method}={results} by {writer} at hop {number} ({refs_of(refs)})"
                           for number, writer, results, refs in steps)
    if method == "spf":
        # RFC 7208 section 2.4: each host checks its own SMTP session's client; a later host's
        # client is the earlier host, which the sender's domain does not list.
        why = (f"SPF is checked per SMTP session (RFC 7208 section 2.4): hop {last[0]}'s client is the server of an "
               "earlier hop, which the sender's domain need not list, so the later result says nothing about the sender.")
    elif first[2] == "pass" and last[2] != "pass":
        why = (f"The message most likely changed in transit between hop {first[0]} and hop {last[0]}, inside the "
               "receiving side: a gateway that tags the subject, adds a banner or disclaimer, or rewrites links "
               "breaks DKIM"
               + ("; DMARC then rests on SPF, which the later host checks for its own session, whose client is "
                  "the earlier hop" if method == "dmarc" else "")
               + f". Hop {first[0]}'s result is about the message as it arrived there.")
    else:
        why = ("Each host recorded the message as it reached it; which result either acted on the fields do "
               "not tell.")
    refs = sorted({index for _, _, _, indexes in steps for index in indexes})
    return Finding(
        id="recorded.changed_between_hops", severity=Severity.NOTICE,
        title=(f"{method.upper()}{about}: {first[2]} at hop {first[0]} ({first[1]}), "
               f"{last[2]} at hop {last[0]} ({last[1]})"),
        explanation=(f"{trail}. These are two receiving hosts, each recording its own checks under its own "
                     "authserv-id (RFC 8601 section 2.5), both above the trust boundary where a sender cannot add "
                     f"fields: two checks at two hops, not one writer contradicting itself. {why}"),
        reference=RFC8601_SYNTAX, subject=refs_of(refs))


def _same_writer_disagreements(fields: list[_Field], context: _TrustContext, hops: tuple[Hop, ...] = (),
                               trusted: frozenset[int] = frozenset()) -> list[Finding]:
    """Results of one writer (authserv-id, by organisation) in separate fields that disagree on
    the same check, wherever they sit, even with no Received to place them. Results of one
    organisation written by different hosts at different hops of the receiving side (a gateway,
    then the mailbox server) are two writers: their difference is told as a change between the
    hops (_changed_between_hops), and only a host that disagrees with itself as a disagreement.
    Below the boundary
    Received, such a pair is told (as a possible forgery) by the trust judgement; elsewhere
    (above the boundary, or in a paste without Received) it is said here. Two filters of one
    receiver (pypolicyd-spf and OpenDMARC, say) each write a field under the receiver's
    authserv-id, and may check different identities (RFC 7208 section 2.4: MAIL FROM is an
    address, and some read only its domain): then their results may differ honestly."""
    # A disagreement needs two fields (every finding below compares results of different
    # header_index, at two hops or in one group): with fewer than two fields read here there is
    # nothing to find, and most messages carry one receiver's single Authentication-Results.
    if sum(1 for read in fields if read.writer and read.name != _ARC_AR) < 2:
        return []
    said: dict[tuple[str, str, str], list[tuple[_Field, _Clause]]] = {}
    spf_unknown: dict[str, list[tuple[_Field, _Clause]]] = {}
    for read in fields:
        if not read.writer or read.name == _ARC_AR:
            continue
        name = normalize_domain(read.writer) or read.writer
        name = organizational_domain(name) or name
        for clause in read.clauses[:_MAX_CLAUSES_PER_FIELD]:
            if clause.method not in _VALID_RESULTS:
                continue
            subject = _disagreement_subject(clause)
            if subject is None and clause.method == "spf":
                spf_unknown.setdefault(name, []).append((read, clause))
            elif subject is not None:
                said.setdefault((name, clause.method, subject), []).append((read, clause))
    # An SPF result that does not say which identity it checked (a bare "Received-SPF: pass
    # client-ip=..."): it may be about any of its writer's sessions, so it is compared with every
    # SPF result of that writer; _by_client then keeps it only with results of its own client.
    for name, unknown in spf_unknown.items():
        keys = [key for key in said if key[0] == name and key[1] == "spf"] or [(name, "spf", "")]
        for key in keys:
            merged = said.get(key, []) + unknown
            merged.sort(key=lambda item: item[0].header_index)
            said[key] = merged
    findings: list[Finding] = []
    groups: list[tuple[tuple[str, str, str], list[tuple[_Field, _Clause]]]] = []
    for key, items in _by_client(said):
        results = list(dict.fromkeys(_RESULT_ALIASES.get(c.result, c.result) for _, c in items))
        split = _writers_at_hops(items, hops, trusted) if len(results) > 1 else None
        if split is None:
            groups.append((key, items))
            continue
        _, method, subject = key
        if len(findings) < _MAX_DISAGREEMENT_FINDINGS:
            about = f" for {subject}" if subject and method != "dkim" else (f" on signature {subject}" if subject else "")
            findings.append(_changed_between_hops(method, about, split))
        # Each host is still held to its own word.
        groups.extend((key, group) for _, group in split)
    for (name, method, subject), items in groups:
        results = list(dict.fromkeys(_RESULT_ALIASES.get(c.result, c.result) for _, c in items))
        if len(results) < 2 or len({read.header_index for read, _ in items}) < 2 or name in context.duplicated:
            continue
        if len(findings) >= _MAX_DISAGREEMENT_FINDINGS:
            break
        writer = items[0][0].writer or name
        about = f" for {subject}" if subject and method != "dkim" else (f" on signature {subject}" if subject else "")
        refs = header_refs(sorted({read.header_index for read, _ in items}))
        identities = [_spf_checked(c) for _, c in items] if method == "spf" else []
        kinds = list(dict.fromkeys(i[1] for i in identities if i is not None))
        if len(kinds) > 1:
            why = (f"They checked different identities ({' vs '.join(kinds)}: "
                   + ", ".join(f"{i[0]}" for i in identities if i is not None)
                   + "): often two filters of the receiver (pypolicyd-spf and OpenDMARC each write a field under "
                   "its name, one checking the domain, one the address), or one filter's bug, rather than a "
                   "forgery; a sender can still write a field under the receiver's name, so which one the "
                   "receiver acted on is not told by the fields.")
        else:
            why = ("They are about the same check: one of the writer's filters is wrong, or one field was written by "
                   "someone else under its name (a sender can write any field); neither tells which the receiver "
                   "acted on.")
        verb = "disagree on"
        commented = list(dict.fromkeys(ip for ip in (_spf_comment_client(c) for _, c in items) if ip is not None)) \
            if method == "spf" else []
        if len(commented) > 1:
            # Only their comments name different clients: free text the sender can write as well
            # as the receiver, so not taken for two sessions; the stronger reading is kept.
            verb = "differ on"
            why = (f"Their comments name different clients ({', '.join(commented[:4])}) that no key=value "
                   "property (client-ip=, smtp.remote-ip) sets apart: they may be two deliveries, or one was "
                   "written by someone else under the writer's name (a sender can write any field, its comment "
                   "included); neither tells which the receiver acted on.")
        findings.append(Finding(
            id="recorded.disagree", severity=Severity.NOTICE,
            title=f"{_COUNT_WORDS.get(len(items), str(len(items)))} results by {writer} {verb} {method.upper()}{about} ({' vs '.join(results)})",
            explanation=(f"{refs.capitalize()} carry {method} results by {writer}"
                         f"{about}: " + ", ".join(f"{method}={_RESULT_ALIASES.get(c.result, c.result)}"
                                                   f" ({header_ref(read.header_index)})" for read, c in items)
                         + f". {why}"),
            reference=RFC8601_SYNTAX, subject=refs))
    return findings


def _by_client(said: dict[tuple[str, str, str], list[tuple[_Field, _Clause]]]
               ) -> list[tuple[tuple[str, str, str], list[tuple[_Field, _Clause]]]]:
    """Split each group of SPF results by the client IP they were evaluated for: results for two
    different clients are two SMTP sessions (RFC 7208 section 2.4), e.g. a delivery and the
    forward after it, never one check. A result naming no client may be either, so it stays in
    every group of its identity (the stronger warning is kept)."""
    groups: list[tuple[tuple[str, str, str], list[tuple[_Field, _Clause]]]] = []
    for key, items in said.items():
        if key[1] != "spf":
            groups.append((key, items))
            continue
        clients = [_spf_client(clause) for _, clause in items]
        known = list(dict.fromkeys(c for c in clients if c is not None))
        if len(known) < 2:
            groups.append((key, items))
            continue
        seen: set[tuple[int, ...]] = set()
        for ip in known:
            part = [item for item, client in zip(items, clients, strict=True) if client in (ip, None)]
            indices = tuple(id(item[1]) for item in part)
            if indices not in seen:
                seen.add(indices)
                groups.append((key, part))
    return groups


def _checked_subject(clause: _Clause) -> str | None:
    """What a result is about, where a method reports on several things in one message: a
    DKIM result per signature (header.b, else header.d and header.s; RFC 6008), else one.
    None when a DKIM result does not say which signature it is about."""
    if clause.method != "dkim":
        return ""
    properties = {key.lower(): value for key, value in clause.properties}
    if properties.get("header.b"):
        return properties["header.b"]
    if properties.get("header.s"):
        return f"{properties.get('header.d', '')}/{properties['header.s']}"
    # Without header.b or header.s, two results may be two signatures of one domain (one
    # passing, one not): nothing says they are about the same one, so they never disagree.
    return None


def _block_is_the_boundary_hosts(context: _TrustContext, message: Message, fields: list[_Field]) -> bool:
    """Every writer named in the run below the boundary Received is the boundary host (or its
    organisation): an intermediary's ARC set or results there belong to the previous hop's
    block (it added them after its own Received), so the run is not the receiver's alone."""
    assert context.boundary_index is not None and context.receiver_block_end is not None
    writers = {read.header_index: read.writer for read in fields}
    for index in range(context.boundary_index + 1, context.receiver_block_end):
        header = message.headers[index]
        lname = header.name.lower()
        if lname in ("arc-seal", "arc-message-signature"):
            writer = normalize_domain(_signature_tags(header.value[:MAX_FIELD_CHARS]).get("d"))
        elif lname in _RESULT_FIELDS:
            writer = normalize_domain(writers.get(index))
        else:
            continue
        if writer is None or (writer not in context.boundary_names
                              and (organizational_domain(writer) or writer) not in context.boundary_names):
            return False
    return True


def _client_hop_writer(read: _Field, results: list[RecordedResult], hops: tuple[Hop, ...]) -> str | None:
    """For a Received-SPF that names no receiver: the hop whose client is the client-ip it
    records (RFC 7208 section 9.1), in words ("the server of hop 4 (eggs.gnu.org)"), or None."""
    if read.name != _RECEIVED_SPF:
        return None
    client = next((dict(r.properties).get("client-ip") for r in results if dict(r.properties).get("client-ip")), None)
    if not client:
        return None
    hop = next((h for h in hops if _same_client(client, h.fields.from_ip)), None)
    if hop is None or hop.trusted:
        # The receiving side's own hop: had its server written the field, it would be relied on;
        # a claim that names its client is not its (verification V10, P5: "by the server of hop
        # 1 (the receiver's MX) ... (not the receiver)"). An earlier server (a list host) is named.
        return None
    return f"the server of hop {hop.number} ({str(hop.fields.by or '?')[:120]}, by its client-ip)"


def filter_fields_finding(recorded: tuple[RecordedResult, ...], *, dkim: tuple[DkimSignatureResult, ...],
                          spf: SpfResult | None, dmarc: DmarcResult | None, arc: ArcResult | None = None,
                          reverse_dns: ReverseDnsResult | None = None, boundary: Hop | None = None) -> Finding | None:
    """The fields in the receiver's name directly below its Received, for checks it did not record
    above it (RecordedResult.below_with_filters), judged against headerscope's own results. Postfix
    with one milter per check writes so (OpenDKIM's field above its Received, OpenDMARC's and
    policyd-spf's below: kernel.org's smtp.subspace.kernel.org); a sender connecting directly can
    write there too (RFC 8601 section 5 asks receivers to delete such fields; not all do). A pass
    that headerscope's own check contradicts is what a sender would forge, and no filter of the
    receiver would have recorded: a warning. Otherwise shown, not relied on."""
    below = [r for r in recorded if r.below_with_filters and r.header_index is not None]
    if not below:
        return None
    contradicted: list[str] = []
    for item in below:
        if item.result != "pass":
            continue
        now = _own_result(item, dkim, spf, dmarc, arc, reverse_dns, boundary)
        if now is not None and now in _OWN_FAILURES:
            contradicted.append(f"{item.method}={item.result} (headerscope: {now})")
    indexes = sorted({r.header_index for r in below if r.header_index is not None})
    said = ", ".join(dict.fromkeys(f"{r.method}={r.result}" for r in below))
    fields = "field" if len(indexes) == 1 else f"{len(indexes)} fields"
    writer = below[0].authserv_id or "the receiving side"
    why = below[0].trust_reason or ""
    if contradicted:
        return Finding(
            id="recorded.untrusted_claim", severity=Severity.WARNING,
            title=f"Possibly forged Authentication-Results: claims {said} in the receiver's name, against "
                  "headerscope's own checks",
            explanation=(f"{header_refs(indexes).capitalize()} say {said} in the name of {writer}. Their standing: "
                         f"{why}. headerscope's own checks contradict {', '.join(contradicted)}: a receiver's filter "
                         "records what it found, a sender writes a pass it did not earn (or DNS changed since). "
                         "Treat it as a claim, not as evidence."),
            reference=RFC8601_TRUST, subject=header_ref(indexes[0]),
        )
    return Finding(
        id="recorded.untrusted_claim", severity=Severity.INFO,
        title=f"Authentication-Results {fields} in the receiver's name below its Received: not relied on",
        explanation=(f"{header_refs(indexes).capitalize()} say {said}. Their standing: {why}. headerscope's own "
                     "checks do not contradict them; the results above are computed without them."),
        reference=RFC8601_TRUST, subject=header_ref(indexes[0]),
    )


# headerscope's own results that a recorded pass contradicts.
_OWN_FAILURES = frozenset({"fail", "softfail", "neutral", "permerror", "none", "no_signature"})


def _own_result(item: RecordedResult, dkim: tuple[DkimSignatureResult, ...], spf: SpfResult | None,
                dmarc: DmarcResult | None, arc: ArcResult | None = None, reverse_dns: ReverseDnsResult | None = None,
                boundary: Hop | None = None) -> str | None:
    """headerscope's own result for the check a recorded result reports; None when not known here.
    arc: the chain now ("none" without any ARC field); iprev: the boundary client's reverse DNS;
    auth: whether the boundary hop records a login (RFC 8601 section 2.7.4: SMTP AUTH)."""
    if item.method == "arc":
        return arc.result if arc is not None else "none"
    if item.method == "iprev":
        return reverse_dns.result if reverse_dns is not None else None
    if item.method == "auth":
        if boundary is None:
            return None
        return "pass" if boundary.fields.auth or boundary.role is Role.MSA else "none"
    if item.method == "dmarc":
        return dmarc.result if dmarc is not None else None
    if item.method == "spf":
        return spf.result if spf is not None else None
    if item.method == "dkim":
        if item.signature_header_index is not None:
            return next((sig.result for sig in dkim if sig.header_index == item.signature_header_index), None)
        domain = _dkim_identity(item.properties)[0]
        if not domain:
            return None
        results = [sig.result for sig in dkim if normalize_domain(sig.domain) == domain]
        if not results:
            return "no_signature"
        return "pass" if "pass" in results else results[0]
    return None


def _claims_finding(writer: str | None, names_receiver: str | None, items: list[tuple[_Field, list[str], str]]
                    ) -> Finding:
    """One info finding for several result fields of one writer that are shown, not relied on."""
    indexes = [read.header_index for read, _, _ in items]
    claimed = ", ".join(dict.fromkeys(word for _, said, _ in items for word in said))
    names = " and ".join(dict.fromkeys(read.name for read, _, _ in items))
    why = items[0][2]
    if names_receiver == "unverified":
        title = f"{len(items)} {names} fields in the receiver's name below its Received: not relied on"
        tail = "The results above are computed without them."
    elif names_receiver == "appended":
        # In the receiver's name at the end of the header (Proton appends its results there): a
        # notice, as for one such field (_claim_finding), each result it says told.
        return Finding(id="recorded.untrusted_claim", severity=Severity.NOTICE,
                       title=f"{len(items)} {names} fields in the receiver's name at the end of the header: not relied on",
                       explanation=f"{header_refs(indexes).capitalize()} say {claimed}. Their standing: {why}.",
                       reference=RFC8601_TRUST, subject=header_ref(indexes[0]))
    else:
        title = (f"{len(items)} {names} fields by {writer or 'an unnamed writer'} claim {claimed} "
                 f"{_standing_words(why)}")
        tail = "Results the receiving side did not write are shown but not relied on."
    return Finding(id="recorded.untrusted_claim", severity=Severity.INFO, title=title,
                   explanation=f"{header_refs(indexes).capitalize()} say {claimed}. Their standing: {why}. {tail}",
                   reference=RFC8601_TRUST, subject=header_ref(indexes[0]))


def _claim_finding(name: str, index: int, writer: str | None, said: list[str], why: str,
                   names_receiver: str | None, contradicted: list[str]) -> Finding:
    """``said``: the results the field claims, as "method=result" words."""
    claimed = ", ".join(said)
    if contradicted and names_receiver != "forged":
        against = ", ".join(contradicted)
        return Finding(
            id="recorded.untrusted_claim", severity=Severity.WARNING,
            title=f"Forged {name}? It claims {claimed}, but the receiver recorded a failure",
            explanation=(f"{header_ref(index).capitalize()} says {claimed}. Its standing: {why}. The receiving side's own "
                         f"results say {against} failed: a sender-supplied pass that contradicts the receiver "
                         "is aimed at people and naive filters reading the header. Treat it as forged."),
            reference=RFC8601_TRUST, subject=header_ref(index),
        )
    if names_receiver == "unverified":
        return Finding(
            id="recorded.untrusted_claim", severity=Severity.INFO,
            title=f"{name} in the receiver's name below its Received: not relied on",
            explanation=(f"{header_ref(index).capitalize()} says {claimed}. Its standing: {why}. The results above are "
                         "computed without it."),
            reference=RFC8601_TRUST, subject=header_ref(index),
        )
    if names_receiver == "appended":
        return Finding(
            id="recorded.untrusted_claim", severity=Severity.NOTICE,
            title=f"{name} in the receiver's name at the end of the header: not relied on",
            explanation=(f"{header_ref(index).capitalize()} says {claimed}. Its standing: {why}."),
            reference=RFC8601_TRUST, subject=header_ref(index),
        )
    if names_receiver == _SEALED_EARLIER:
        return Finding(
            id="recorded.untrusted_claim", severity=Severity.INFO,
            title=f"{name} by {writer} ({claimed}): {why.partition(': ')[0]}",
            explanation=(f"{header_ref(index).capitalize()} says {claimed}. Its standing: {why}. The results above are "
                         "computed without it."),
            reference=RFC8601_TRUST, subject=header_ref(index),
        )
    if names_receiver == "forged":
        return Finding(
            id="recorded.untrusted_claim", severity=Severity.WARNING,
            title=f"Possibly forged {name}: claims {claimed} in the receiver's name",
            explanation=(f"{header_ref(index).capitalize()} says {claimed} and names {writer}, but it sits below the "
                         "point where the receiving side accepted the message, so the sender "
                         "(or a hop before the receiver) wrote it. A receiver must remove such "
                         "fields; treat it as a claim, not as evidence."),
            reference=RFC8601_TRUST, subject=header_ref(index),
        )
    # Forwarders, lists and the sender's own filters write these routinely: shown, not alarmed on.
    return Finding(
        id="recorded.untrusted_claim", severity=Severity.INFO,
        title=f"{name} by {writer or 'an unnamed writer'} claims {claimed} {_standing_words(why)}",
        explanation=(f"{header_ref(index).capitalize()} says {claimed}. Its standing: {why}. Results the receiving side did "
                     "not write are shown but not relied on."),
        reference=RFC8601_TRUST, subject=header_ref(index),
    )


def _strip_quotes(text: str | None) -> str | None:
    if text is None:
        return None
    stripped = text.strip().strip('"').strip()
    return stripped or None


# --------------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------------

# The feedback report's results rank with the message's own Authentication-Results, after them
# (no header index): both are the receiver's, and an earlier sealer's ARC results are not.
_HEADER_RANK = {_AR: 0, FEEDBACK_AR: 0, _ARC_AR: 1, _RECEIVED_SPF: 2, _GMAIL_SUMMARY: 3}


def _rank(item: RecordedResult) -> tuple[int, int]:
    """Authentication-Results first, topmost first (the receiver's last word)."""
    index = item.header_index if item.header_index is not None else 1 << 30
    return _HEADER_RANK.get(item.header, 4), index


def _usable(item: RecordedResult, method: str) -> bool:
    return (item.trusted and item.method == method
            and item.result in _VALID_RESULTS.get(method, frozenset()))


_ARC_AAR = "ARC-Authentication-Results"
# Results that say a signature no longer verified when a later sealer received the message.
_DKIM_BROKEN = frozenset({"fail", "neutral", "permerror"})


def arc_breaks(recorded: tuple[RecordedResult, ...], arc: ArcResult | None) -> list[Finding]:
    """Where, along a verified ARC chain, a DKIM signature stopped verifying: one sealer recorded
    it passing and a later one not (RFC 8617 section 7.2, the use of a chain to an analyst). The
    sealers' results are their own statements, carried intact by a chain that verifies (now, or
    as the receiver recorded with arc=pass); with no such chain nothing is said."""
    verified = (arc is not None and arc.result == "pass") or any(
        r.trusted and r.method == "arc" and r.result == "pass" and r.header == _AR for r in recorded)
    if not verified:
        return []
    seen: dict[str, list[tuple[int, str, str]]] = {}
    for result in recorded:
        if result.header != _ARC_AAR or result.method != "dkim" or not result.instance:
            continue
        properties = dict(result.properties)
        domain = normalize_domain(properties.get("header.d") or properties.get("header.i", "").rpartition("@")[2])
        if domain:
            seen.setdefault(domain, []).append((result.instance, result.result, result.authserv_id or "?"))
    findings: list[Finding] = []
    for domain, history in seen.items():
        history.sort()
        passed = next(((i, who) for i, result, who in history if result == "pass"), None)
        if passed is None:
            continue
        broken = next(((i, result, who) for i, result, who in history if i > passed[0] and result in _DKIM_BROKEN),
                      None)
        if broken is None:
            continue
        findings.append(Finding(
            id="arc.signature_broken_between", severity=Severity.INFO,
            title=f"DKIM for {domain} passed at ARC set {passed[0]} ({passed[1]}) and not at set {broken[0]} "
                  f"({broken[2]})"[:200],
            explanation=(f"The verified ARC chain carries what each sealer found: {passed[1]} (i={passed[0]}) recorded "
                         f"dkim=pass for {domain}, {broken[2]} (i={broken[0]}) dkim={broken[1]}. The message was changed "
                         f"after {passed[1]} received it and before {broken[2]} did: by {passed[1]}'s own systems (a "
                         "footer, a rewritten subject, a re-encoding) or by a server between them. Those results are "
                         "the sealers' own statements; the chain proves they were not altered since."),
            reference="https://www.rfc-editor.org/rfc/rfc8617#section-7.2", subject="arc"))
    return findings[:3]


def compare(recorded: tuple[RecordedResult, ...], *, dkim: tuple[DkimSignatureResult, ...], spf: SpfResult | None,
            dmarc: DmarcResult | None, arc: ArcResult | None, resent_domains: frozenset[str] = frozenset(),
            header_only: bool = False, from_literal: str | None = None,
            gateway: InboundGateway | None = None
            ) -> tuple[tuple[Comparison, ...], tuple[Finding, ...]]:
    """Trusted recorded results beside recomputed ones, each difference labelled.
    ``resent_domains``: the domains of Resent-From: and Resent-Sender: (lower case), which some
    receivers judge DMARC by when a message was resent. ``header_only``: the input is a header
    without its body (a paste), which may hold only part of the fields. ``from_literal``: the
    From: address when it ends in an address literal ("joe@[192.0.2.1]"), which names no domain
    for DMARC to judge. ``gateway``: the filtering service in front of the mailbox provider
    (HopChain.gateway): results the receiver recorded for its address judged the gateway's
    hand-over, not the sender's server."""
    comparisons: list[Comparison] = []
    comparisons += _compare_dkim(recorded, dkim, header_only)
    spf_comparison = _compare_spf(recorded, spf, gateway)
    if spf_comparison is not None:
        comparisons.append(spf_comparison)
    dmarc_comparison = _compare_dmarc(recorded, dmarc, dkim, spf_comparison, resent_domains, from_literal,
                                      gateway)
    if dmarc_comparison is not None and dmarc_comparison.recorded is not None:
        # The domain the receiver judged, as it wrote it (header.from): Gmail names the
        # organisational domain whose policy it applied, an edited paste another domain.
        used = next((r for r in recorded if r.header_index == dmarc_comparison.recorded_header_index
                     and r.method == "dmarc" and r.result == dmarc_comparison.recorded), None)
        judged = _property_domain(dict(used.properties).get("header.from")) if used is not None else None
        if judged:
            dmarc_comparison = replace(dmarc_comparison, recorded_domain=judged)
    if dmarc_comparison is not None and dmarc_comparison.recorded is None:
        dmarc_comparison = _with_vendor_dmarc_word(dmarc_comparison, recorded)
    if dmarc_comparison is not None:
        comparisons.append(dmarc_comparison)
    arc_comparison = _compare_arc(recorded, arc)
    if arc_comparison is not None:
        comparisons.append(arc_comparison)
    findings = [f for f in (_comparison_finding(c) for c in comparisons) if f is not None]
    if dmarc_comparison is not None and dmarc_comparison.label == "not_recomputed" \
            and dmarc_comparison.recorded == "fail":
        # Not recomputed here (offline, a DNS error): the receiver's own verdict is the evidence.
        domain = dmarc_comparison.subject or "the From: domain"
        composite = next((r for r in recorded if r.trusted and r.method == "compauth"
                          and r.header_index == dmarc_comparison.recorded_header_index), None)
        override = next((r for r in recorded if r.trusted and r.method == "dmarc" and arc_override_recorded(r, recorded)
                         and r.header_index == dmarc_comparison.recorded_header_index), None)
        if composite is not None and composite.result in ("pass", "softpass"):
            # Exchange Online acts on its composite authentication, not on dmarc=: a pass beside
            # a DMARC fail is mail that reached it through another server first (a filtering
            # gateway in front of it, a forwarder; reason 130: a trusted ARC chain).
            reason = f" reason={composite.reason}" if composite.reason else ""
            findings.append(Finding(
                id="recorded.dmarc_fail", severity=Severity.NOTICE,
                title=f"The receiving side recorded DMARC fail for {domain}, but its composite authentication "
                      f"passed ({composite.result})",
                explanation=(f"{dmarc_comparison.explanation} Exchange Online judged the message by its composite "
                             f"authentication instead (compauth={composite.result}{reason}), which it acts on for "
                             "spoofing. A DMARC fail beside a compauth pass is typical of mail that came through "
                             "another server before Exchange Online (a filtering gateway in front of it, a "
                             "forwarder, a list): the failure describes that last hand-over, and the results an "
                             "earlier receiver recorded (its ARC set, Authentication-Results-Original) tell how the "
                             "message stood before it."),
                reference=_COMPAUTH_DOCS, subject=COMPAUTH_PASS_SUBJECT))
        elif override is not None:
            # RFC 8617 section 7.2: the receiver let the message through on the ARC chain's word
            # (local policy); the failure is the forwarding's, not evidence of a spoofed From:.
            findings.append(Finding(
                id="recorded.dmarc_fail", severity=Severity.NOTICE,
                title=f"The receiving side recorded DMARC fail for {domain}, but accepted it on the word of "
                      "an ARC chain",
                explanation=(f"{dmarc_comparison.explanation} It also recorded that it let the message through "
                             f"on the word of its ARC chain ({(override.reason or '')[:200]}): a forwarder or a "
                             "list changed the message or its envelope on the way, which broke the original "
                             "authentication, and the earlier receivers' sealed results vouch for how it stood "
                             "before. The ARC section shows what each sealer recorded; a chain is only as good "
                             "as the sealers the receiver trusts."),
                reference=RFC8617_LOCAL_POLICY, subject=ARC_OVERRIDE_SUBJECT))
        elif (earlier := _arc_recorded_dmarc_pass(recorded, dmarc_comparison)) is not None:
            # RFC 8617 section 7.2: the receiver verified the ARC chain (arc=pass), whose first
            # sealer recorded DMARC passing: a list or forwarder between them broke it, if that
            # sealer tells the truth. Anyone can seal, and the receiver did not record acting on
            # the chain: still a warning, with what the chain says.
            findings.append(Finding(
                id="recorded.dmarc_fail", severity=Severity.WARNING,
                title=f"The receiving side recorded DMARC fail for {domain} at delivery; its verified ARC chain "
                      f"says it passed at {earlier}",
                explanation=(f"{dmarc_comparison.explanation} The same receiver recorded arc=pass: the ARC chain "
                             f"verified, and its first sealer, {earlier}, recorded dmarc=pass for {domain} when it "
                             "received the message. If that sealer is the mailing list or forwarder it appears to be, "
                             "its change of the message or its envelope broke DMARC at the final receiver; but anyone "
                             "can seal a chain, and the receiver did not record that it let the message through on "
                             "the chain's word (RFC 8617 section 7.2 leaves that to its local policy). The ARC "
                             "section shows what each sealer recorded."),
                reference=RFC8617_LOCAL_POLICY, subject=ARC_EARLIER_PASS_SUBJECT))
        else:
            failed = next((r for r in recorded if r.trusted and r.method == "dmarc"
                           and r.header_index == dmarc_comparison.recorded_header_index), None)
            behind = gateway_judged(failed, recorded, gateway) if failed is not None else None
            if behind is not None and failed is not None and behind.confirmed:
                # The receiver's SPF judged the recipient's own gateway: its fail says nothing about
                # the sender. (Recomputed, the comparison already says so; else, a DNS error now, it
                # is said here.)
                said = "" if dmarc_comparison.recomputed == "pass" else (
                    f" {gateway_receiver(failed)} recorded dmarc=fail with no aligned DKIM pass, and "
                    f"{gateway_words(behind, failed, recorded)}.")
                findings.append(Finding(
                    id="recorded.dmarc_fail", severity=Severity.NOTICE,
                    title=f"The receiving side recorded DMARC fail for {domain}, judging the hand-over from the "
                          f"recipient's own gateway ({behind.service})",
                    explanation=f"{dmarc_comparison.explanation}{said}",
                    reference=RFC7489_POLICY, subject="dmarc"))
            else:
                # The receiver's SPF may have judged a filtering service's address (offline,
                # hops.gateway_possible): the From: is unauthenticated only if that service is not
                # the recipient's own gateway.
                unless = (f" But {gateway_words(behind, failed, recorded)}; DMARC may then pass where the gateway "
                          "took the message." if behind is not None and failed is not None else "")
                findings.append(Finding(
                    id="recorded.dmarc_fail", severity=Severity.WARNING,
                    title=f"The receiving side recorded DMARC fail for {domain} at delivery",
                    explanation=(f"{dmarc_comparison.explanation} The receiver's own result says that no identity "
                                 f"aligned with {domain} passed when it accepted the message: the From: address is "
                                 f"not authenticated, whatever the message shows.{unless}"),
                    reference=RFC7489_POLICY, subject="dmarc"))
    action = _receiver_dmarc_action(recorded, dmarc_comparison, dmarc)
    if action is not None:
        findings.append(action)
    from_domain = _judged_from_domain(recorded, dmarc, dmarc_comparison)
    spf_fail = _recorded_spf_fail(recorded, spf_comparison, from_domain, gateway)
    if spf_fail is not None:
        findings.append(spf_fail)
    composite_fail = _compauth_fail(recorded, from_domain, gateway)
    if composite_fail is not None:
        findings.append(composite_fail)
    return tuple(comparisons), tuple(findings)


def _judged_from_domain(recorded: tuple[RecordedResult, ...], dmarc: DmarcResult | None,
                        dmarc_comparison: Comparison | None) -> str | None:
    """The From: domain the receiver's results are read against: the one DMARC judges now, else
    the header.from its own DMARC result names (RFC 8601 section 2.7.2)."""
    if dmarc is not None and dmarc.from_domain:
        return normalize_domain(dmarc.from_domain)
    rec = next((r for r in recorded if _usable(r, "dmarc") and dmarc_comparison is not None
                and r.header_index == dmarc_comparison.recorded_header_index), None)
    return _property_domain(dict(rec.properties).get("header.from")) if rec is not None else None


def _aligned_passes(recorded: tuple[RecordedResult, ...], header_index: int | None, from_domain: str) -> list[str]:
    """The receiver's passes, in the field at ``header_index``, for an identity aligned (relaxed)
    with the From: domain (RFC 7489 section 3.1): what DMARC would rest on, as "spf=domain"."""
    passes: list[str] = []
    for item in recorded:
        if not item.trusted or item.header_index != header_index or item.result != "pass" or _self_signed(item):
            # A signing host's pass for its own fresh signature (amavisd-new's "just generated,
            # assumed good") verified nothing: no evidence about the sender.
            continue
        if item.method == "dkim":
            domain = _dkim_identity(item.properties)[0]
        elif item.method == "spf":
            kind, domain, _ = _spf_identity(item)
            domain = domain if kind == "mailfrom" else None
        else:
            continue
        if domain and aligned(domain, from_domain, strict=False):
            passes.append(f"{item.method}={domain}")
    return passes


def receiver_vouched(recorded: Sequence[RecordedResult], from_domain: str | None) -> bool | None:
    """Whether the receiving side's trusted results vouch for the From: domain: a pass for an
    identity aligned with it (SPF, DKIM), DMARC pass (or Microsoft's bestguesspass), or Exchange
    Online's composite authentication passing. None when it recorded none of these methods."""
    if not from_domain:
        return None
    domain = normalize_domain(from_domain) or from_domain
    seen = False
    for item in recorded:
        if not item.trusted or item.method not in ("spf", "dkim", "dmarc", "compauth"):
            continue
        seen = True
        if item.method == "dmarc" and item.result in ("pass", "bestguesspass"):
            return True
        if item.method == "compauth" and item.result in ("pass", "softpass"):
            return True
        if item.result == "pass" and item.method in ("spf", "dkim") \
                and _aligned_passes((item,), item.header_index, domain):
            return True
    return False if seen else None


RFC7208_FAIL = "https://www.rfc-editor.org/rfc/rfc7208#section-2.6.4"


def _recorded_spf_fail(recorded: tuple[RecordedResult, ...], spf_comparison: Comparison | None,
                       from_domain: str | None, gateway: InboundGateway | None = None) -> Finding | None:
    """The receiver's own spf=fail for an envelope sender in the From: domain's organisation,
    when SPF was not recomputed here (offline, other inputs): the counterpart of spf.fail,
    which only a recomputed SPF raises. RFC 7208 section 2.6.4: fail is the domain's explicit
    statement that the client may not send its mail.

    When the client it checked is the recipient's own gateway (``gateway`` confirmed), the fail
    is what any sender's mail gets there: told as that (info), never as a forgery sign. When the
    gateway is only possible, the forgery words are conditional on it."""
    if spf_comparison is None or spf_comparison.label != "not_recomputed" or spf_comparison.recorded != "fail" \
            or not from_domain:
        return None
    rec = next((r for r in recorded if _usable(r, "spf") and r.header_index == spf_comparison.recorded_header_index
                and r.result == "fail"), None)
    if rec is None or _best_guess(rec):
        return None  # a guessed record's fail is the receiver's guess, not the domain's statement
    kind, domain, ip = _spf_identity(rec)
    if kind != "mailfrom" or not domain or not aligned(domain, from_domain, strict=False):
        return None
    dkim_passes = [p for p in _aligned_passes(recorded, rec.header_index, from_domain) if p.startswith("dkim=")]
    client = f" from {_client_words(ip)}" if ip else ""
    judged = gateway_judged(rec, recorded, gateway)
    if judged is not None and judged.confirmed:
        # The receiver checked the hand-over from the recipient's own gateway (the boundary is the
        # gateway's intake, above which this client sits): a fail there is no sign of forgery.
        signers = ", ".join(p.partition("=")[2] for p in dkim_passes[:2])
        dkim_words = f" It also recorded a DKIM pass for {signers}, aligned with the From: domain." if signers else ""
        return Finding(
            id="recorded.spf_fail", severity=Severity.INFO,
            title=f"The receiving side recorded SPF fail for {domain}{client}, the recipient's own gateway "
                  f"({judged.service})",
            explanation=(f"{gateway_receiver(rec)} recorded spf=fail for the envelope sender's domain {domain}{client}: "
                         f"{gateway_words(judged, rec, recorded)}.{dkim_words}"),
            reference=RFC7208_FAIL, subject="spf")
    if dkim_passes:
        # An aligned signature carried the message through DMARC: a forward that kept the
        # envelope sender (no SRS) fails SPF this way, and DKIM is what authenticates it.
        return Finding(
            id="recorded.spf_fail", severity=Severity.NOTICE,
            title=f"The receiving side recorded SPF fail for {domain}{client}, but a DKIM pass aligned with "
                  f"{from_domain}",
            explanation=(f"{_who(rec)} recorded spf=fail for the envelope sender's domain {domain}{client}: its "
                         f"SPF record says that server may not send its mail. It also recorded "
                         f"{', '.join(dkim_passes[:2])}, aligned with the From: domain, which authenticates the "
                         "message whatever SPF says; a forward that kept the envelope sender (no SRS) fails SPF "
                         "this way."),
            reference=RFC7208_FAIL, subject="spf")
    # Offline (hops.gateway_possible): the client may be the recipient's own gateway, which the
    # MX would tell; the forgery reading then holds only if it is not.
    unless = f" But {gateway_words(judged, rec, recorded)}." if judged is not None else ""
    return Finding(
        id="recorded.spf_fail", severity=Severity.WARNING,
        title=f"The receiving side recorded SPF fail for {domain}{client}, in the From: domain's organisation"
              + (f" ({judged.service}: perhaps the recipient's gateway)" if judged is not None else ""),
        explanation=(f"{_who(rec)} recorded spf=fail for the envelope sender's domain {domain}{client}: {domain}'s "
                     "SPF record explicitly says that server may not send its mail (RFC 7208 section 2.6.4), and "
                     f"the envelope sender is in the organisation of the From: domain {from_domain}. No DKIM pass "
                     f"aligned with {from_domain} was recorded beside it: the message was sent in {domain}'s name "
                     "from a server it does not authorise (forged), or forwarded without sender rewriting (SRS) by "
                     f"a server the receiver took for the sender.{unless}"),
        reference=RFC7208_FAIL, subject="spf")


# Microsoft's reason codes of a failed composite authentication (its anti-spam message
# headers page): the first digit says why it failed.
_COMPAUTH_FAIL_REASONS = {
    "000": "explicit authentication failed: DMARC failed and the domain asks for quarantine or reject",
    "001": "implicit authentication failed: the domain publishes no authentication records, or weak ones "
           "(SPF softfail or neutral, DMARC p=none), and the message did not pass them",
    "002": "the organisation forbids this sender and domain pair to send spoofed mail (an admin's setting)",
    "010": "DMARC failed with quarantine or reject for one of the organisation's own accepted domains",
}


def _compauth_fail(recorded: tuple[RecordedResult, ...], from_domain: str | None = None,
                   gateway: InboundGateway | None = None) -> Finding | None:
    """Exchange Online's composite authentication failed (compauth=fail), its verdict on
    spoofing, which decides what its anti-phishing policy does: beside dmarc=none or a pass
    of another domain, nothing else in the report says it judged the From: a spoof.

    A warning when the same field records no pass for an identity aligned with the From:
    domain: then nothing the receiver checked authenticates the From:, and Microsoft's verdict
    ("the message failed explicit or implicit authentication", _COMPAUTH_DOCS) is a spoof
    verdict, not a reputation quirk. With an aligned pass beside it (reason 002, an admin's
    block; 6xx) it stays a notice, as it does when the SPF result beside it judged the recipient's
    own gateway (``gateway`` confirmed): Exchange Online judged the gateway's hand-over, where mail
    its sender does not sign with the From: domain fails however genuine. When the gateway is only
    possible (offline), the spoofing words are conditional on it."""
    rec = next((r for r in recorded if r.trusted and r.method == "compauth" and r.result == "fail"), None)
    if rec is None:
        return None
    code = (rec.reason or "").strip()[:3]
    why = _COMPAUTH_FAIL_REASONS.get(code) or (
        "implicit authentication failed for one of the organisation's own domains" if code.startswith("6")
        else "Microsoft does not document this reason")
    explanation = (f"Exchange Online combines SPF, DKIM, DMARC and the sender's reputation into its composite "
                   f"authentication, its verdict on whether the From: is spoofed, and acts on it through its "
                   f"anti-phishing policy (junk, quarantine). It failed here: {why}.")
    if not from_domain or _aligned_passes(recorded, rec.header_index, from_domain):
        return Finding(
            id="recorded.compauth_fail", severity=Severity.NOTICE,
            title=f"Exchange Online's composite authentication failed (compauth=fail reason={code or '?'})",
            explanation=explanation, reference=_COMPAUTH_DOCS, subject="dmarc")
    said = [f"{r.method}={r.result}" + (f" for {d}" if (d := _recorded_identity(r)) else "")
            for r in recorded if r.trusted and r.header_index == rec.header_index and r.method in ("spf", "dkim")]
    beside = f" It recorded {', '.join(said[:3])} beside it:" if said else ""
    judged = gateway_judged(rec, recorded, gateway)
    if judged is not None and judged.confirmed:
        return Finding(
            id="recorded.compauth_fail", severity=Severity.NOTICE,
            title=f"Exchange Online's composite authentication failed (compauth=fail reason={code or '?'}) for the "
                  f"hand-over from the recipient's own gateway ({judged.service})",
            explanation=(f"{explanation}{beside} no pass for an identity aligned with {from_domain}. But "
                         f"{gateway_words(judged, rec, recorded)}. Behind a gateway, mail that its sender does not "
                         f"sign with {from_domain}'s domain fails this way however genuine; the SPF, DKIM and DMARC "
                         "rows judge what the gateway took from the sender."),
            reference=_COMPAUTH_DOCS, subject="dmarc")
    unless = (f" But {gateway_words(judged, rec, recorded)}; behind a gateway, genuine mail that its sender does "
              f"not sign with {from_domain}'s domain fails this way too." if judged is not None else "")
    # Not "spoofed" in the verdict's sense (that is a domain's own reject or quarantine policy):
    # Microsoft fails domains that publish no records at all, and an email service's mail
    # signed only with its own domain, the same way (reason 001).
    return Finding(
        id="recorded.compauth_fail", severity=Severity.WARNING,
        title=f"Exchange Online judged the From: spoofed (compauth=fail reason={code or '?'})",
        explanation=(f"{explanation}{beside} no pass for an identity aligned with {from_domain}, so nothing the "
                     f"receiver checked authenticates the From: address. An email service sending in "
                     f"{from_domain}'s name without signing with its domain fails the same way; a forger always "
                     f"does.{unless}"),
        reference=_COMPAUTH_DOCS, subject=COMPAUTH_FAIL_SUBJECT)


def _field_spf(rec: RecordedResult, recorded: Sequence[RecordedResult]) -> RecordedResult | None:
    """The receiver's SPF result in ``rec``'s field (``rec`` itself for SPF)."""
    if rec.method == "spf":
        return rec
    return next((r for r in recorded if r.trusted and r.method == "spf" and r.header_index == rec.header_index), None)


def gateway_judged(rec: RecordedResult, recorded: Sequence[RecordedResult],
                   gateway: InboundGateway | None) -> InboundGateway | None:
    """``gateway`` when the SPF result the receiver recorded in ``rec``'s field (``rec`` itself
    for SPF) was evaluated for the gateway's address: the receiver judged the gateway's hand-over,
    not the sender's server. None otherwise (Enhanced Filtering for Connectors and Google's
    inbound gateway setting make the receiver look past the gateway, and record the sender's)."""
    if gateway is None or gateway.client_ip is None or not rec.trusted:
        return None
    spf = _field_spf(rec, recorded)
    ip = _spf_identity(spf)[2] if spf is not None else None
    checked = parse_client_ip(ip.strip("[]")[:64]) if ip else None
    return gateway if checked is not None and checked == parse_client_ip(gateway.client_ip) else None


def gateway_receiver(rec: RecordedResult) -> str:
    """Who recorded a result, by product where its form says (the words on gateways differ)."""
    if rec.header in (_AR, _RECEIVED_SPF) and (rec.authserv_id is None or _microsoft_name(rec.authserv_id)):
        return "Exchange Online"
    if rec.authserv_id and organizational_domain(normalize_domain(rec.authserv_id) or "") == "google.com":
        return "Gmail"
    return _who(rec)


# How a mailbox provider behind a gateway is told to look past it to the sender's server.
_LOOKS_PAST = {
    "Exchange Online": "it looks past a gateway to the sender's server only with Enhanced Filtering for "
                       "Connectors, not on for this delivery",
    "Gmail": "it looks past one only where Google Workspace lists it as an inbound gateway, not so here",
}


def gateway_words(gateway: InboundGateway, rec: RecordedResult, recorded: Sequence[RecordedResult]) -> str:
    """What the receiver's SPF result in ``rec``'s field, evaluated for the gateway's address,
    means (RFC 7208 section 2.4: SPF judges the client that connected to the receiver), with the
    MX confirming the gateway or only possibly one; a sentence without its final stop."""
    spf = _field_spf(rec, recorded)
    result = f"spf={spf.result}" if spf is not None else "its SPF result"
    receiver = gateway_receiver(rec)
    looks_past = f" ({_LOOKS_PAST[receiver]})" if receiver in _LOOKS_PAST else ""
    # The sender's SPF record lists its own servers, not the recipient's gateway: a fail there is
    # what every sender's mail gets (a pass would say nothing about the sender's server either).
    expected = " (the sender's SPF record does not list the recipient's gateway: expected)" \
        if spf is not None and spf.result in ("fail", "softfail") else ""
    if gateway.confirmed:
        return (f"{gateway.client_ip} is the recipient's own gateway, {gateway.service} (the client at hop "
                f"{gateway.handed_on}), not the sender's server: {receiver} checked the gateway's hand-over"
                f"{looks_past}, and its {result}{expected} is about the gateway's address, nothing about the "
                f"sender's; SPF here is evaluated for the sender's server where the gateway took the message "
                f"(hop {gateway.intake})")
    return (f"{gateway.service}, the client at hop {gateway.handed_on} whose address {gateway.client_ip} {receiver} "
            f"checked, may be the recipient's own gateway (hops.gateway_possible; the recipient domain's MX would "
            f"tell): if so, {receiver} judged the gateway's hand-over, and its {result}{expected} says nothing about "
            f"the sender's server (hop {gateway.intake}'s client), which it did not check")


def _recorded_identity(rec: RecordedResult) -> str | None:
    """The domain a recorded SPF or DKIM result is about (smtp.mailfrom, header.d)."""
    if rec.method == "spf":
        return _spf_identity(rec)[1]
    domain = _dkim_identity(rec.properties)[0]
    return domain if domain and domain != "none" else None


# Exchange Online's action= on its DMARC result: what it did with a failing message.
_MICROSOFT_ACTIONS = {
    "oreject": ("did not reject it: it treated it as spam instead (action=oreject, 'override reject')",
                "Exchange Online does not reject mail that fails DMARC under p=reject by default: it overrides "
                "the policy and sends the message to junk or quarantine, as its anti-phishing policy says."),
    "reject": ("applied the domain's reject policy (action=reject)",
               "The copy seen here was kept by the receiver (quarantine, or a journal) despite the rejection."),
    "quarantine": ("applied the domain's quarantine policy (action=quarantine)",
                   "The message went to the junk folder or to quarantine."),
    "pct.quarantine": ("did not apply the domain's quarantine policy: the policy's pct= sampling left this "
                       "message out (action=pct.quarantine)", "It was handled as if the policy were none."),
    "pct.reject": ("did not apply the domain's reject policy: the policy's pct= sampling left this message "
                   "out (action=pct.reject)", "It was handled under the next lower policy."),
    "none": ("took no action for DMARC (action=none): the domain's policy asks for none",
             "Where the message went was its spam filter's decision."),
}
# The disposition of Google's and others' comment: "(p=REJECT sp=REJECT dis=QUARANTINE)".
_disposition_in_comment = compiled_on_first_use(r"\bdis=(none|quarantine|reject)\b", re.IGNORECASE)


_subdomain_policy_in_comment = compiled_on_first_use(r"\bsp=(none|quarantine|reject)\b", re.IGNORECASE)


def _subdomain_policy(rec: RecordedResult, dmarc: DmarcResult | None) -> str | None:
    """The sp= policy (or p= without sp=) that RFC 7489 section 6.3 gives the From: domain when
    it is a subdomain of the domain whose record applied: the one the receiver recorded in its
    comment (Google's "sp=NONE"), else the record's now. None for the record's own domain."""
    if dmarc is None or not dmarc.from_domain or not dmarc.record_domain or dmarc.record is None \
            or normalize_domain(dmarc.from_domain) == normalize_domain(dmarc.record_domain):
        return None
    match = _subdomain_policy_in_comment().search((rec.reason or "")[:1024])
    if match is not None:
        return match.group(1).lower()
    return dmarc.record.sp or dmarc.record.p


def _receiver_dmarc_action(recorded: tuple[RecordedResult, ...], comparison: Comparison | None,
                           dmarc: DmarcResult | None = None) -> Finding | None:
    """What the receiving side recorded it did with a message failing DMARC: Exchange Online's
    action=, or the dis= (the disposition applied, RFC 7489 section 7.2.1.1) of Google's
    comment. A receiver's local policy may differ from the domain's (RFC 7489 section 6.7),
    and this is what a ticket asks: was it rejected, junked, or delivered?"""
    if comparison is None or comparison.recorded != "fail":
        return None
    rec = next((r for r in recorded if _usable(r, "dmarc") and r.header_index == comparison.recorded_header_index),
               None)
    if rec is None or arc_override_recorded(rec, recorded):
        return None  # an ARC override is told with the DMARC result and the verdict
    who = f"The receiving side ({rec.authserv_id})" if rec.authserv_id else "The receiving side"
    action = (dict(rec.properties).get("action") or "").strip().lower()
    if action in _MICROSOFT_ACTIONS:
        did, more = _MICROSOFT_ACTIONS[action]
    else:
        match = _disposition_in_comment().search((rec.reason or "")[:1024])
        if match is None:
            return None
        applied = match.group(1).lower()
        policy = _recorded_policy(rec)
        subdomain = _subdomain_policy(rec, dmarc)
        # Our policy came from np= (RFC 9989 section 4.7: a non-existent subdomain); a receiver that
        # follows RFC 7489 alone applies sp= (or p=) to it instead.
        from_np = dmarc is not None and dmarc.policy_reason.startswith("np=")
        np_words = (f" It did not apply np={dmarc.policy} for a non-existent subdomain, which RFC 9989 defines "
                    "(RFC 9091 before it); RFC 7489 section 6.3, the older rules, gives every subdomain the sp= "
                    "policy."
                    if from_np and dmarc is not None and dmarc.policy != applied else "")
        if applied == "reject":
            # A rejection refuses the message in the SMTP session: a copy holding the record of
            # it was kept all the same (Microsoft's action=reject, above, is told the same way).
            under = (f" under the domain's subdomain policy sp=reject for {dmarc.from_domain if dmarc else 'the From: domain'}"
                     if subdomain == applied and subdomain != policy else "")
            did = f"recorded the disposition reject (dis=REJECT){under}, yet kept this copy"
            more = ("A message rejected for DMARC is refused during the SMTP session and never stored; this copy "
                    "was kept all the same, by the receiver's local policy (RFC 7489 section 6.7): an "
                    "administrator's allow-list or routing rule, a quarantine, or the spam folder." + np_words)
        elif subdomain == applied and subdomain != policy:
            # RFC 7489 section 6.3: sp= is the policy of a subdomain; the p= beside it in the
            # comment is the organisational domain's, not what applied here.
            did = (f"applied the domain's subdomain policy sp={applied} (dis={applied.upper()}) to "
                   f"{dmarc.from_domain if dmarc else 'the From: domain'}")
            more = f"The p={policy} in its comment is the organisational domain's own.{np_words}" if policy \
                else np_words.strip()
        elif applied == "none" and policy in ("quarantine", "reject"):
            did = f"did not apply the domain's {policy} policy (dis=NONE): its own local policy let the message through"
            more = "RFC 7489 section 6.7 lets a receiver override the domain's policy."
        elif applied == "none":
            did = "took no action for DMARC (dis=NONE): the domain's policy asks for none"
            more = "Where the message went was its spam filter's decision." + np_words
        else:
            did = f"applied {applied} (dis={applied.upper()})"
            more = ("The message went to the spam folder." if applied == "quarantine" else "") + np_words
    return Finding(
        id="recorded.dmarc_action", severity=Severity.INFO, title=f"{who} {did}",
        explanation=f"{who} recorded dmarc=fail and {did}. {more}".strip(),
        reference=RFC7489_POLICY, subject="dmarc")


# Microsoft's description of compauth (composite authentication) in its Authentication-Results.
_COMPAUTH_DOCS = ("https://learn.microsoft.com/en-us/defender-office-365/message-headers-eop-mdo"
                  "#authentication-results-message-header-fields")


def _make(method: str, subject: str | None, rec: RecordedResult | None, ours: str | None,
          label: str, explanation: str) -> Comparison:
    return Comparison(method=method, subject=subject, recorded=rec.result if rec else None,
                      recomputed=ours, label=label, explanation=explanation,
                      recorded_by=rec.authserv_id if rec else None,
                      recorded_header_index=rec.header_index if rec else None)


def _not_recorded(recorded: tuple[RecordedResult, ...], method: str, what: str) -> str:
    """Why a comparison has no recorded side: nothing recorded at all, or only fields that are
    not relied on (below the boundary, another writer's), so the row does not say "recorded no
    result" of a message that carries one. The topmost such Authentication-Results or
    Received-SPF is named: the nearest to delivery, with its own standing (why it is not relied
    on: not every such field has a finding to point at, verification V44d). (ARC-Authentication-Results
    record earlier hand-overs by design: the ARC section shows them.)"""
    claim = min((r for r in recorded if not r.trusted and r.method == method and r.header_index is not None
                 and r.header in (_AR, _RECEIVED_SPF) and r.result in _VALID_RESULTS.get(method, frozenset())),
                key=lambda r: r.header_index or 0, default=None)
    if claim is None:
        return f"The receiving side recorded no {what}."
    return (f"No {what} the receiving side is known to have written; the topmost field not relied on, "
            f"{header_ref(claim.header_index)} by {claim.authserv_id or 'an unnamed writer'}, claims "
            f"{method}={claim.result}, not relied on: {claim.trust_reason or 'not the receiving side'}.")


def _who(rec: RecordedResult) -> str:
    if rec.header == FEEDBACK_AR:
        return f"{rec.authserv_id or 'the reporter'} (in the feedback report)"
    return rec.authserv_id or ("Gmail" if rec.header == _GMAIL_SUMMARY else "the receiver")


# Authentication-Results fields of a feedback report read (a report carries one or a few).
_MAX_FEEDBACK_FIELDS = 10


def reported_results(fields: Sequence[str]) -> tuple[RecordedResult, ...]:
    """The results of a feedback report's Authentication-Results fields (``fields``, the values as
    written), as the reporting receiver's record of the delivery of the message the report carries
    (RFC 5965 section 3.2: "Authentication-Results ... the results of authentication checks run by
    the report generator"; RFC 6591 section 3.1). Shown, never trusted: the report is a message like
    any other, and whoever sent it wrote them; analysing the copy does not authenticate the report."""
    results: list[RecordedResult] = []
    for value in fields[:_MAX_FEEDBACK_FIELDS]:
        defects: tuple[str, ...] = ()
        if len(value) > MAX_FIELD_CHARS:
            value = value[:MAX_FIELD_CHARS]
            defects = (f"longer than {MAX_FIELD_CHARS} characters; only the start was read",)
        parsed = _parse_authentication_results(value, arc=False)
        for clause in parsed.clauses:
            result = _RESULT_ALIASES.get(clause.result, clause.result)
            clause_defects = list(defects + parsed.defects)
            valid = _VALID_RESULTS.get(clause.method)
            if valid is not None and result not in valid:
                clause_defects.append(f"'{clause.result}' is not a {clause.method} result word")
            results.append(RecordedResult(
                header=FEEDBACK_AR, header_index=None, authserv_id=parsed.authserv_id, method=clause.method,
                result=result, properties=tuple(clause.properties),
                reason=clause.reason or _strip_quotes(clause.comment), trusted=False, trust_reason=_FEEDBACK_TRUST,
                defects=tuple(clause_defects)))
    return tuple(results)


def reported_signatures(recorded: Sequence[RecordedResult], dkim_domains: Sequence[str] = ()) -> str | None:
    """When the feedback report carrying a copy names DKIM signatures (its Authentication-Results'
    header.d, its DKIM-Domain, RFC 6591 section 3.1), words for a copy that carries none: who the
    report says signed it and with what result. None when the report names none."""
    named: dict[str, list[str]] = {}
    for rec in recorded:
        if rec.header != FEEDBACK_AR or rec.method != "dkim" or rec.result == "none":
            continue
        domain = _dkim_identity(rec.properties)[0]
        if domain:
            named.setdefault(domain, []).append(f"dkim={rec.result[:20]}")
    for domain in dkim_domains:
        name = normalize_domain(domain)
        if name and name not in named:
            named[name] = []
    if not named:
        return None
    signers = [f"{domain} ({', '.join(dict.fromkeys(words))})" if words else domain
               for domain, words in list(named.items())[:5]]
    listed = signers[0] if len(signers) == 1 else ", ".join(signers[:-1]) + " and " + signers[-1]
    return (f"the feedback report carrying it says it was signed by {listed}; the signature"
            f"{'s are' if len(signers) > 1 else ' is'} not in this copy (a report may carry a copy without them, "
            "RFC 6591 section 3.1)")


# Leading result words of a check's explanation ("not_checked: ..."): the comparison's label
# already says it was not recomputed, so the reason is given without them. Only comparisons
# that were not recomputed (offline, no body) need it.
_leading_result_word = compiled_on_first_use(
    r"(?:not_checked|not checked|temperror|permerror|none|fail|pass|neutral)\s*:\s*", re.IGNORECASE)


def _sentence(reason: str) -> str:
    """A check's reason as one sentence, without a leading result word."""
    text = reason.strip()
    match = _leading_result_word().match(text)
    if match and match.end() < len(text):
        text = text[match.end():]
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _after_prefix(reason: str) -> str:
    """The reason of a signature a copy without the signed body cannot check, without its "cannot be
    checked from this copy: " (which the comparison says in its own words)."""
    return reason.removeprefix(f"{CANNOT_CHECK_FROM_COPY}: ")


def _compare_dkim(recorded: tuple[RecordedResult, ...], dkim: tuple[DkimSignatureResult, ...],
                  header_only: bool = False) -> list[Comparison]:
    candidates = sorted((r for r in recorded if _usable(r, "dkim")), key=_rank)
    out: list[Comparison] = []
    used: set[int] = set()
    by_domain_only = _domain_only_assignments(candidates, dkim)
    for sig in dkim:
        subject = f"{sig.domain or '?'}/{sig.selector or '?'}"
        match = None
        for position, rec in enumerate(candidates):
            if position in by_domain_only:
                hit = position not in used and by_domain_only[position] == sig.header_index
            elif rec.signature_header_index is not None:
                hit = rec.signature_header_index == sig.header_index
            else:
                domain, selector, b = _dkim_identity(rec.properties)
                hit = (_domain_matches(domain, normalize_domain(sig.domain))
                       and (selector is None or selector == (sig.selector or "").lower()))
                # "dkim=pass" with no property naming the signature (RFC 8601 makes them
                # optional; Zoho writes it so): about the only signature there is.
                hit = hit or (domain is None and selector is None and b is None and len(dkim) == 1)
            if hit:
                match = rec
                used.add(position)
                break
        compared = _label_dkim(subject, match, sig, dkim)
        if match is None:
            compared = _with_vendor_word(compared, recorded, sig)
        out.append(compared)
    matched = {c.subject: c for c in out}
    for position, rec in enumerate(candidates):
        if position in used or rec.result == "none":
            continue
        domain, selector, _ = _dkim_identity(rec.properties)
        if any(r.result == rec.result and _dkim_identity(r.properties)[:2] == (domain, selector)
               for r in (candidates[p] for p in used)):
            continue
        # A second record of a signature already compared (Gmail's summary table, or a
        # "dkim=pass header.d=..." without header.s beside the full A-R): same verdict, no new
        # row; a different verdict is compared with that signature, never shown as a phantom.
        same_signer = [sig for sig in dkim if _domain_matches(domain, normalize_domain(sig.domain))
                       and (selector is None or selector == (sig.selector or "").lower())]
        if same_signer:
            used.add(position)
            sig = same_signer[0]
            subject = f"{sig.domain or '?'}/{sig.selector or '?'}"
            earlier = matched.get(subject)
            if earlier is None or earlier.recorded != rec.result:
                out.append(_label_dkim(subject, rec, sig, dkim))
            continue
        used.add(position)
        subject = f"{domain or '?'}/{selector or '?'}"
        if rec.header == FEEDBACK_AR:
            # The reporter's record of a signature its copy left out: nothing to compare, and no
            # sign of a change after delivery (reports often strip signatures, RFC 6591 section 3.1).
            out.append(_make("dkim", subject, rec, None, "not_recomputed",
                             f"{_who(rec)} recorded dkim={rec.result} for {subject}; the copy the report carries "
                             "holds no DKIM-Signature that matches it (the reporter left it out), so it cannot "
                             "be verified here."))
            continue
        if header_only:
            # A pasted header is often part of one: the signature may simply not be in the paste.
            out.append(_make("dkim", subject, rec, None, "not_recomputed",
                             f"{_who(rec)} recorded dkim={rec.result} for {subject}, but the pasted header holds no "
                             "DKIM-Signature that matches it: the paste may have left it out (a header copied in "
                             "part), or it was removed or altered after delivery."))
            continue
        out.append(_make("dkim", subject, rec, None, "different",
                         f"{_who(rec)} recorded dkim={rec.result} for {subject}, but no DKIM-Signature "
                         "in the message matches it now: the signature was removed or altered "
                         "after delivery, or the record names it in a way we cannot match."))
    if not dkim and candidates and not out:
        rec = candidates[0]
        out.append(_make("dkim", None, rec, "none", "same",
                         f"{_who(rec)} recorded dkim=none and the message has no DKIM-Signature."))
    return out


def _domain_only_assignments(candidates: list[RecordedResult], dkim: tuple[DkimSignatureResult, ...]
                             ) -> dict[int, int | None]:
    """For each recorded result that names a signing domain alone (no selector, no header.b)
    while the message holds several signatures of that domain, the one signature it is taken to
    be about (its header index; None: none left): Exchange Online writes one "dkim=pass
    header.d=..." per domain, which says that a signature of the domain verified, not which one.
    Each record is about one signature: the first one whose result now is the recorded one (the
    signature that still verifies is the one the receiver's pass stands for), else the first not
    yet taken. The others of the domain are compared as not recorded, never all with one record."""
    assigned: dict[int, int | None] = {}
    taken: set[int] = set()
    identities: dict[int, str | None] = {}  # each signature's AUID domain, by header index
    for position, rec in enumerate(candidates):
        if rec.signature_header_index is not None:
            continue
        domain, selector, b = _dkim_identity(rec.properties)
        if domain is None or selector is not None or b is not None:
            continue
        same_domain = [sig for sig in dkim if _domain_matches(domain, normalize_domain(sig.domain))]
        if len(same_domain) < 2:
            continue
        # When some are the signatures the record names exactly (their d= for header.d, their
        # AUID for header.i, as _exact_signers), it is about one of those, not about a parent
        # domain's signature beside them (d=example.org beside "header.i=@mail.example.org":
        # IONOS writes one such record per signature, verification V44g).
        if normalize_domain(dict(rec.properties).get("header.d")) is not None:
            exact = [sig for sig in same_domain if normalize_domain(sig.domain) == domain]
        else:
            for sig in same_domain:
                if sig.header_index not in identities:  # once a signature (a hostile i= is long)
                    identities[sig.header_index] = normalize_domain(
                        sig.auid.rpartition("@")[2] if sig.auid else sig.domain)
            exact = [sig for sig in same_domain if identities[sig.header_index] == domain]
        same_domain = exact or same_domain
        free = [sig for sig in same_domain if sig.header_index not in taken]
        chosen = next((sig for sig in free if sig.result == rec.result), free[0] if free else None)
        assigned[position] = chosen.header_index if chosen is not None else None
        if chosen is not None:
            taken.add(chosen.header_index)
    return assigned


def _with_vendor_word(compared: Comparison, recorded: tuple[RecordedResult, ...],
                      sig: DkimSignatureResult) -> Comparison:
    """A comparison with nothing recorded in RFC 8601's words, beside the receiver's result for
    the signature in a word of its own (Microsoft's "dkim=ignore": it did not evaluate the
    signature, a key below its minimum size), which is shown, not compared."""
    for rec in recorded:
        if not rec.trusted or rec.method != "dkim" or rec.result in _VALID_RESULTS["dkim"]:
            continue
        domain, selector, _ = _dkim_identity(rec.properties)
        if _domain_matches(domain, normalize_domain(sig.domain)) \
                and (selector is None or selector == (sig.selector or "").lower()):
            reason = f" ({rec.reason[:200]})" if rec.reason else ""
            return Comparison(
                method=compared.method, subject=compared.subject, recorded=rec.result[:40],
                recomputed=compared.recomputed, label=compared.label,
                explanation=(f"{_who(rec)} recorded dkim={rec.result[:40]}{reason}, a word of its own, not one of "
                             "RFC 8601's results (Microsoft writes \"ignore\" for a signature it did not evaluate). "
                             + compared.explanation),
                recorded_by=rec.authserv_id, recorded_header_index=rec.header_index)
    return compared


def _with_vendor_dmarc_word(compared: Comparison, recorded: tuple[RecordedResult, ...]) -> Comparison:
    """A DMARC comparison with nothing recorded in RFC 8601's words, beside the receiver's DMARC
    result in a word of its own (Yahoo's "dmarc=unknown"), which is shown, not compared: the
    table said "recorded —" of a message whose receiver wrote a line."""
    rec = next((r for r in recorded if r.trusted and r.method == "dmarc"
                and r.result not in _VALID_RESULTS["dmarc"]), None)
    if rec is None:
        return compared
    return replace(compared, recorded=rec.result[:40], recorded_by=rec.authserv_id,
                   recorded_header_index=rec.header_index,
                   explanation=(f"{_who(rec)[:120]} recorded dmarc={rec.result[:40]}, a word of its own, not one of RFC "
                                "8601's results (Yahoo writes \"unknown\" where it found no DMARC result to give); "
                                "read as no result. " + compared.explanation))


# amavisd-new's reason for the dkim=pass it records for a signature it has just made itself
# (outbound signing on the same host): "pass (just generated, assumed good)". Nothing was
# verified: the host wrote the signature and assumed it good.
_self_signed_reason = compiled_on_first_use(r"\bjust generated\b|\bassumed good\b", re.IGNORECASE)


def _self_signed(rec: RecordedResult) -> bool:
    """A recorded dkim=pass whose reason says the host made the signature itself and assumed it good."""
    return rec.method == "dkim" and rec.result == "pass" and rec.reason is not None \
        and _self_signed_reason().search(rec.reason[:200]) is not None


def self_signed_passes(recorded: Iterable[RecordedResult]) -> frozenset[int]:
    """Header indexes of the trusted fields recording a dkim=pass their writer gave its own fresh
    signature without verifying it (see _self_signed): no evidence about the sender."""
    return frozenset(r.header_index for r in recorded
                     if r.trusted and r.header_index is not None and _self_signed(r))


def _passed_at_delivery(rec: RecordedResult) -> str:
    """Who recorded the pass and what it stands for: a verification at delivery, or the pass a
    signing host records for its own fresh signature without verifying it."""
    if _self_signed(rec):
        return (f"{_who(rec)} signed this message itself and recorded dkim=pass without verifying it (its reason: "
                f"\"{rec.reason[:80] if rec.reason else ''}\", amavisd-new's words for its own fresh signature)")
    return f"{_who(rec)} verified this signature at delivery"


def _expired_before_delivery(sig: DkimSignatureResult) -> bool:
    """Whether an ``expired`` signature's x= had passed when the message was delivered: auth.dkim
    judges it at the delivery time when that is known (its words then say "before delivery"), and
    at the current time when it is not."""
    return "before delivery (" in sig.reason


def _label_dkim(subject: str, rec: RecordedResult | None, sig: DkimSignatureResult,
                siblings: tuple[DkimSignatureResult, ...] = ()) -> Comparison:
    """``siblings``: every signature of the message (one over the same fields that verifies now
    shows those fields unchanged)."""
    ours = sig.result
    code = sig.reason_code
    if rec is not None and rec.result == "pass" and sig.body_hash_ok is False and ours in ("not_checked", "temperror"):
        # The body hash needs no key (RFC 6376 section 3.7): found offline too. Verified (or made)
        # at delivery and not matching now, the body changed after delivery.
        return _make("dkim", subject, rec, ours, "modified_after_delivery",
                     f"{_passed_at_delivery(rec)}, but its body hash, computed without the key, no longer matches: "
                     "the body changed after delivery (the receiving side's own filters adding a footer or a scan "
                     "notice, an archive, or an edit).")
    if code in COPY_UNCHECKABLE_CODES:
        # Not the message's doing: the copy keeps no signed body (dkim._uncheckable_words).
        recorded_words = f"{_who(rec)} recorded dkim={rec.result}; it " if rec is not None else "It "
        return _make("dkim", subject, rec, ours, "not_recomputed",
                     f"{recorded_words}cannot be re-checked from this copy: {_after_prefix(sig.reason).rstrip('.')}.")
    if code in _NOT_RECOMPUTED or ours == "not_checked":
        return _make("dkim", subject, rec, ours, "not_recomputed", _sentence(sig.reason))
    if rec is None:
        return _make("dkim", subject, None, ours, "not_recorded",
                     "The receiving side recorded no result for this signature.")
    who = _who(rec)
    if rec.result == ours:
        return _make("dkim", subject, rec, ours, "same",
                     f"{who} recorded dkim={rec.result}; it is {ours} now too.")
    if ours == "temperror":
        return _make("dkim", subject, rec, ours, "not_recomputed",
                     f"{who} recorded dkim={rec.result}; the key lookup failed temporarily now ({sig.reason}).")
    if rec.result == "temperror" and ours == "pass":
        # RFC 8601 section 2.7.1: temperror is a transient failure (a key lookup that timed out
        # or failed at delivery), no judgement of the signature; a pass once DNS answers is what
        # is expected, not a difference in the message.
        return _make("dkim", subject, rec, ours, "dns_drift",
                     f"{who} recorded dkim=temperror: a transient DNS error when it looked up the key at delivery "
                     "(RFC 8601 section 2.7.1), not a judgement of the signature. The key resolves now and the "
                     "signature passes, as expected once that error is gone.")
    if rec.result == "pass":
        if sig.body_hash_ok is False and code not in _DKIM_MODIFIED:
            # The body hash is computed from the message alone: whatever happened to the key,
            # a mismatch now means the body is not what was verified (RFC 6376 section 3.7).
            return _make("dkim", subject, rec, ours, "modified_after_delivery",
                         f"{_passed_at_delivery(rec)}; now {sig.reason}, and the body "
                         "hash does not match either: the body changed after signing, so a DNS change "
                         "alone does not explain the difference.")
        if code == "rsa_sha1":
            # RFC 8301 section 3.1 (2018) made verifiers refuse rsa-sha1 whatever the key: a pass
            # recorded before cannot be had now, the message being what it was.
            now_words = ("its signature could not be checked now (offline)" if "offline" in sig.reason
                         else "its signature still verifies now")
            return _make("dkim", subject, rec, ours, "different",
                         f"{_passed_at_delivery(rec)}; {now_words}, but verifiers no longer accept rsa-sha1 (RFC "
                         "8301 section 3.1, 2018), so the recorded pass cannot be reproduced: the rules changed "
                         "since, which says nothing of a change to the message.")
        if code in _DKIM_KEY_DRIFT and sig.key_among_several:
            # The revoked record used is one of several key records at the selector (RFC 6376
            # section 3.6.2.2: undefined); section 6.1.2 lets a verifier use any of them, so the
            # pass may have come from another, with DNS as it is now.
            return _make("dkim", subject, rec, ours, "key_among_several",
                         f"{_passed_at_delivery(rec)}; now {sig.reason}. {_ANOTHER_KEY_WORDS}.")
        if code in _DKIM_KEY_DRIFT:
            return _make("dkim", subject, rec, ours, "dns_drift",
                         f"{_passed_at_delivery(rec)}; now {sig.reason}: the key in DNS "
                         "was removed, revoked or changed since (key rotation), not the message.")
        if code in _DKIM_MODIFIED and sig.algorithm == "rsa-sha1":
            # Verifiers refuse rsa-sha1 now (RFC 8301 section 3.1), so no pass could be had today
            # in any case; but that rule refuses a signature, it does not make one mismatch: the
            # mismatch stays the stronger fact and is said as such.
            part = "body" if code == "body_hash_mismatch" else "signed header fields"
            key = "" if code == "body_hash_mismatch" else ", or the key at the selector was replaced since"
            return _make("dkim", subject, rec, ours, "modified_after_delivery",
                         f"{_passed_at_delivery(rec)}; the signature uses rsa-sha1, which verifiers no longer "
                         "accept (RFC 8301 section 3.1, 2018), so that pass could not be reproduced today in any "
                         f"case; but the check now also finds a mismatch, which that rule does not cause: the {part} "
                         f"changed after delivery{key} (now: {sig.reason.split('; signed with rsa-sha1', 1)[0]}).")
        if code == "signature_mismatch" and sig.verifies_without_subject_tag:
            # Proven with the key (dkim.subject_tag_only_change): a gateway's transport rule tags
            # the Subject after the receiver's own check, which is how its pass and this failure
            # both come about.
            body = "; the body changed as well (body hash mismatch)" if sig.body_hash_ok is False else ""
            return _make("dkim", subject, rec, ours, "modified_after_delivery",
                         f"{_passed_at_delivery(rec)}; now it fails, and verifies with "
                         f"{sig.verifies_without_subject_tag!r} taken off the Subject: that tag, added after the "
                         "check (by the receiver's own rules or later), is the only change to the signed header "
                         f"fields{body}.")
        recorded_selector = dict(rec.properties).get("header.s")
        witness = (unchanged_fields_witness(sig, siblings) if code == "signature_mismatch" and (
            recorded_selector is None or recorded_selector.lower() == (sig.selector or "").lower()) else None)
        if witness is not None:
            # The body hash matches and a signature over the fields this one names verifies now:
            # those fields are as signed, pointing to a key replaced at the selector (RFC 6376
            # section 3.6.1: its record is the signer's to replace). Not a proof: this signature's
            # own field, which it alone signs, may have been edited (its h=, say) and fails alike
            # (verification V31), so a difference, not drift, and not "modified" as a fact.
            return _make("dkim", subject, rec, ours, "different",
                         f"{_passed_at_delivery(rec)}; now {sig.reason}, but its body hash matches and the signature "
                         f"by {witness.domain}/{witness.selector} over the header fields it names verifies: those "
                         "fields are as signed, which points to the key at this selector replaced since (key "
                         "rotation); an edit of this signature's own field (its h= or other tags) fails the same "
                         "way, and cannot be ruled out.")
        if code == "signature_mismatch" and SIGNED_FIELDS_NOT_IN_INPUT in sig.reason:
            # A header given alone, without From: and other fields the signature signs (a paste
            # that may stop before them): not said as a change after delivery. The label stays, so
            # every verdict reads as before (a message delivered without them is possible).
            return _make("dkim", subject, rec, ours, "modified_after_delivery",
                         f"{_passed_at_delivery(rec)}; now it fails: {sig.reason}.")
        if code in _DKIM_MODIFIED:
            part = "body" if code == "body_hash_mismatch" else "signed header fields"
            key = "" if code == "body_hash_mismatch" else ", or the key at the selector was replaced since"
            return _make("dkim", subject, rec, ours, "modified_after_delivery",
                         f"{_passed_at_delivery(rec)}; now {sig.reason}: the {part} "
                         f"changed after delivery (a client, archive, forwarder or tampering){key}.")
        if code == "expired" and _expired_before_delivery(sig):
            # A signature valid at delivery passes as of then (expired_after_delivery, RFC 6376
            # section 3.5): this one's x= had passed when it arrived.
            return _make("dkim", subject, rec, ours, "different",
                         f"{_passed_at_delivery(rec)}; but its x= expiry ({sig.expiration}) had passed before it was "
                         "delivered: the recorded pass does not hold (RFC 6376 section 3.5; a replay, or a receiver "
                         "that ignores x=).")
        if code == "expired":
            # The delivery time is not known here (no trusted stamp, or a carried copy's own):
            # expired by now, maybe since delivery, as the recorded pass suggests.
            return _make("dkim", subject, rec, ours, "expired_since",
                         f"{_passed_at_delivery(rec)}; its x= expiry ({sig.expiration}) has passed by now. When it was "
                         "delivered is not known here; expired signatures fail by rule (RFC 6376 section 3.5), not "
                         "because of a change.")
    if rec.result in _DKIM_DOES_NOT_VERIFY and ours in _DKIM_DOES_NOT_VERIFY:
        # fail, permerror and neutral all say the signature authenticates nothing (RFC 8601
        # section 2.7.1): a receiver that found no key and a check that refuses rsa-sha1 now
        # agree on that, whatever words they use; the why stays in the explanation.
        comment = f" ({rec.reason[:200]})" if rec.reason else ""
        return _make("dkim", subject, rec, ours, "same",
                     f"{who} recorded dkim={rec.result}{comment}; it is {ours} now ({sig.reason}): both say the "
                     "signature does not verify, so it authenticates nothing, at delivery as now.")
    return _make("dkim", subject, rec, ours, "different",
                 f"{who} recorded dkim={rec.result}; it is {ours} now ({sig.reason}).")


def _spf_identity(rec: RecordedResult) -> tuple[str, str | None, str | None]:
    """(identity kind, identity domain, client ip) of a recorded SPF result."""
    props = dict(rec.properties)
    identity = props.get("identity", "").lower()
    mailfrom = next((props[k] for k in _SPF_MAILFROM_KEYS if props.get(k)), None)
    helo = next((props[k] for k in _SPF_HELO_KEYS if props.get(k)), None)
    ip = props.get("client-ip") or props.get("smtp.remote-ip") or props.get("smtp.client-ip")
    if ip is None and rec.reason:
        # Receivers name the client in the comment ("designates 192.0.2.1 as permitted sender",
        # "sender IP is 192.0.2.1"): the first IP literal there is the one they evaluated.
        ip = next((word for word in (w.strip("()[],;:") for w in rec.reason[:1024].split())
                   if is_ip_literal(word)), None)
    if mailfrom is None and identity != "helo" and rec.header == _RECEIVED_SPF and rec.reason:
        # RFC 7208 section 9.1's comment names the identity checked ("domain of example.org
        # designates 192.0.2.1"): Exchange Online's Received-SPF names the MAIL FROM domain only
        # there, beside helo= (the client's greeting, not what it checked). One naming the HELO
        # itself is the HELO check (a null MAIL FROM, RFC 7208 section 2.4).
        found = _spf_comment_identity_re().search(rec.reason[:1024])
        named = _property_domain(found.group(1).rstrip(".,:")) if found else None
        if named is not None and named != normalize_domain(helo):
            return "mailfrom", named, ip
    if identity == "pra":
        # Sender ID's check of a Sender:/From: address (RFC 4407), which Cisco Secure Email
        # writes beside its MAIL FROM and HELO checks: neither of SPF's identities (V45a D1: a
        # forger's Sender: made a pass of it that stood for the MAIL FROM's fail).
        return "pra", _property_domain(_x_sender(props)), ip
    if identity == "helo" and helo is None:
        # A HELO check whose field names the HELO only as postmaster@HELO (RFC 7208 section 2.3),
        # in Cisco Secure Email's x-sender= or its comment ("...available from domain of
        # postmaster@mail.example.org").
        found = _spf_comment_identity_re().search(rec.reason[:1024]) if rec.reason else None
        named = _x_sender(props) or (found.group(1).rstrip(".,:") if found else None)
        return "helo", _property_domain(named), ip
    if identity == "helo" or (mailfrom is None and helo is not None and identity != "mailfrom"):
        return "helo", normalize_domain(helo), ip
    return "mailfrom", _property_domain(mailfrom), ip


# SPF results that are not pass (RFC 7208 section 2.6); for DMARC only a pass counts (RFC 7489
# section 4.2). temperror/permerror are left out: a retry or a fixed record could tell otherwise.
_SPF_NOT_PASS = frozenset({"fail", "softfail", "neutral", "none"})


def receiver_spf_not_pass(recorded: Sequence[RecordedResult], mail_from_domain: str,
                          client_ip: str | None, from_domain: str) -> RecordedResult | None:
    """The receiving side's own (trusted) recorded SPF result for the envelope sender's domain,
    when every such result is fail, softfail, neutral or none; None when there is none, one
    passes or erred, one names another client, or the receiver recorded a DMARC pass or a DKIM
    pass not shown to be for another organisation than From:'s (something it saw may have
    authenticated the From: that this copy no longer shows)."""
    found: RecordedResult | None = None
    client = parse_client_ip(client_ip) if client_ip else None
    for rec in recorded:
        if not rec.trusted:
            continue  # a claim (below the boundary, another writer's) decides nothing
        result = rec.result.lower()
        if rec.method == "dmarc" and result == "pass":
            return None
        if rec.method == "dkim" and result == "pass":
            signer = _property_domain(dict(rec.properties).get("header.d") or dict(rec.properties).get("header.i"))
            if signer is None or aligned(signer, from_domain):
                return None
            continue
        if rec.method != "spf":
            continue
        kind, domain, ip = _spf_identity(rec)
        if kind != "mailfrom" or domain is None or normalize_domain(domain) != normalize_domain(mail_from_domain):
            continue
        recorded_client = parse_client_ip(ip.strip("[]")[:64]) if ip else None
        if client is not None and recorded_client is not None and recorded_client != client:
            return None  # about another session than the one the chain shows
        if _RESULT_ALIASES.get(result, result) not in _SPF_NOT_PASS:
            return None
        found = found or rec
    return found


def receiver_spf_passed(recorded: Sequence[RecordedResult], mail_from_domain: str) -> bool:
    """Whether the receiving side's own (trusted) records hold an SPF pass for the envelope
    sender's domain (its MAIL FROM identity). A pass from a record the receiver guessed (the
    domain published none) is not the domain's word, and is not one."""
    wanted = normalize_domain(mail_from_domain)
    for rec in recorded:
        if not rec.trusted or rec.method != "spf" or _RESULT_ALIASES.get(rec.result.lower(), rec.result.lower()) != "pass" \
                or _best_guess(rec):
            continue
        kind, domain, _ip = _spf_identity(rec)
        if kind == "mailfrom" and domain is not None and normalize_domain(domain) == wanted:
            return True
    return False


def _companion_client_ip(rec: RecordedResult, kind: str, domain: str | None,
                        identities: list[tuple[RecordedResult, tuple[str, str | None, str | None]]]) -> str | None:
    """The client IP of a recorded SPF result that names none (Gmail's Authentication-Results
    give smtp.mailfrom only), from the receiving side's own Received-SPF of the same evaluation:
    trusted, written by the same organisation, the same result and identity, with client-ip=
    (RFC 7208 section 9.1). None when there is no such field, or they name different IPs."""
    writer = organizational_domain(rec.authserv_id or "") if rec.authserv_id else None
    if not writer:
        return None
    found: set[str] = set()
    for other, (other_kind, other_domain, ip) in identities:
        if other is rec or other.header != _RECEIVED_SPF or ip is None or other.result != rec.result \
                or other_kind != kind or (other_domain is not None and domain is not None and other_domain != domain) \
                or organizational_domain(other.authserv_id or "") != writer:
            continue
        address = parse_client_ip(ip[:64])
        found.add(str(address) if address is not None else ip.strip("[]"))
    return found.pop() if len(found) == 1 else None


def checked_client(recorded: tuple[RecordedResult, ...]) -> tuple[str, str | None, int | None] | None:
    """The public client address the receiving side's own trusted Authentication-Results name
    for its SPF or iprev check (smtp.remote-ip, smtp.client-ip; RFC 8601 section 2.7), learned
    from a proxy in front of it (Postfix XCLIENT/XFORWARD); the HELO its SPF result in that
    field names; and that field's index. None when they name no such address."""
    for rec in recorded:
        if not rec.trusted or rec.header != _AR or rec.method not in ("spf", "iprev"):
            continue
        props = dict(rec.properties)
        text = props.get("smtp.remote-ip") or props.get("smtp.client-ip")
        address = parse_client_ip(text) if text else None  # "unknown" or garbage: none
        if address is None or is_non_public_ip(str(address)):
            continue
        helo = None
        for other in recorded:
            if other.trusted and other.method == "spf" and other.header_index == rec.header_index:
                other_props = dict(other.properties)
                helo = next((other_props[key] for key in _SPF_HELO_KEYS if other_props.get(key)), None)
                if helo:
                    break
        return str(address), helo, rec.header_index
    return None


def _property_domain(value: str | None) -> str | None:
    """The domain of a recorded header.from or smtp.mailfrom. RFC 8601 section 2.3 has the
    domain there, but receivers also write the address, some in angle brackets (Zoho:
    "header.from=<alice@example.com>")."""
    if not value:
        return None
    return normalize_domain(value.strip().strip('<>"').rpartition("@")[2])


def _arc_recorded_dmarc_pass(recorded: tuple[RecordedResult, ...], dmarc: Comparison) -> str | None:
    """The first ARC sealer's authserv-id when the receiver that recorded ``dmarc`` (a fail) also
    recorded arc=pass in the same field and that sealer's ARC-Authentication-Results (i=1)
    recorded dmarc=pass for the same domain; None otherwise."""
    if not any(r.trusted and r.method == "arc" and r.result == "pass" and r.header_index == dmarc.recorded_header_index
               for r in recorded):
        return None
    domain = normalize_domain(dmarc.subject) if dmarc.subject else None
    for result in recorded:
        if result.header == "ARC-Authentication-Results" and result.instance == 1 and result.method == "dmarc" \
                and result.result == "pass":
            judged = _property_domain(dict(result.properties).get("header.from"))
            if domain is None or judged is None or judged == domain:
                return result.authserv_id or "the first sealer"
    return None


def _compare_spf(recorded: tuple[RecordedResult, ...], spf: SpfResult | None,
                 gateway: InboundGateway | None = None) -> Comparison | None:
    """The SPF comparison, and when the record compared is not the receiver's last word (an
    earlier leg inside the receiving side, as an ARC set kept it), what the last word says."""
    comparison = _compare_spf_identity(recorded, spf, gateway)
    if comparison is None or comparison.recorded_header_index is None:
        return comparison
    final = min((r for r in recorded if _usable(r, "spf")), key=_rank, default=None)
    if final is None or final.header_index == comparison.recorded_header_index:
        return comparison
    _, final_domain, _ = _spf_identity(final)
    if final.result == comparison.recorded or not final_domain:
        return comparison
    # The rows of the table then come from two deliveries (a forward inside the receiving side):
    # said, so that "spf pass" beside "dmarc fail" is not read as one evaluation.
    compared = next((r.header for r in recorded if r.header_index == comparison.recorded_header_index), "a field")
    return replace(comparison, explanation=(
        f"{comparison.explanation} This is the record of the hop SPF is evaluated at ({compared}, "
        f"{header_ref(comparison.recorded_header_index)}); the final delivery recorded spf={final.result} for "
        f"{final_domain} ({header_ref(final.header_index)}), the identity of a later leg."))


def _best_guess(rec: RecordedResult) -> bool:
    """Whether a recorded SPF result was evaluated against a record the receiver guessed because
    the domain published none: Gmail's "best guess record for domain of X designates ..." and
    "... neither permitted nor denied by best guess record for domain of X". RFC 7208 section 4.5
    gives such a domain none: the result is the receiver's, not the domain's policy. Only the text
    before the comment's first "domain of" is read: what follows is the MAIL FROM, the sender's."""
    if rec.method != "spf" or not rec.reason:
        return False
    before, found, _ = rec.reason[:1024].lower().partition("domain of")
    return bool(found) and before.rstrip().endswith("best guess record for")


def _compare_spf_identity(recorded: tuple[RecordedResult, ...], spf: SpfResult | None,
                          gateway: InboundGateway | None = None) -> Comparison | None:
    candidates = sorted((r for r in recorded if _usable(r, "spf")), key=_rank)
    # Each candidate's identity is read once: the chosen one's is used again below.
    identities = [(r, _spf_identity(r)) for r in candidates]
    # The record about the identity we evaluate, when the receiver recorded several (a forward
    # inside the receiving side: one SPF result per leg, RFC 8601 section 2.7.2).
    our_domain_first = normalize_domain(spf.domain) if spf else None
    chosen = next((pair for pair in identities if pair[1][0] == "mailfrom" and our_domain_first is not None
                   and pair[1][1] == our_domain_first), None) \
        or next((pair for pair in identities if pair[1][0] == "mailfrom"), None)
    # Else the receiver's HELO check alone (a Sender ID check, identity=pra, is neither of SPF's).
    helo_only = chosen is None and any(pair[1][0] == "helo" for pair in identities)
    if helo_only:
        chosen = next(pair for pair in identities if pair[1][0] == "helo")
    if chosen is None and spf is None:
        return None
    rec, rec_identity = chosen if chosen is not None else (None, None)
    ours = (spf.helo_result if helo_only else spf.result) if spf else None
    subject = (spf.domain if spf else None) or (rec_identity[1] if rec_identity else None)
    computed = normalize_domain(spf.helo if helo_only else spf.domain) if spf else None
    recorded_other = (rec is not None and rec_identity is not None and rec_identity[1] is not None
                      and rec_identity[1] != computed)
    if recorded_other and rec_identity is not None:
        # The row is the receiver's record: labelled with the identity it recorded (its smtp.helo
        # or smtp.mailfrom, RFC 8601 section 2.7.2), not one worked out here from other inputs.
        subject = rec_identity[1]
    elif helo_only and computed:
        # The receiver recorded the HELO identity only (postfix-policyd-spf's "identity=helo",
        # an smtp.helo alone): the row is about the HELO name, compared with its check here.
        subject = computed
    # What the receiver left unchecked (RFC 7208 section 2.3: the HELO check is its own, and a
    # HELO pass says nothing of the MAIL FROM domain's policy), said on every row of a HELO-only
    # record unless the MAIL FROM is the null sender's postmaster@HELO (section 2.4).
    mail_from_domain = normalize_domain(spf.domain) if spf and helo_only else None
    unchecked = (f" It recorded only the HELO identity: it did not check the MAIL FROM domain {mail_from_domain}, "
                 f"which is {spf.result} here (the SPF row)."
                 if spf is not None and mail_from_domain and mail_from_domain != computed
                 and spf.result != "not_checked" else "")

    def make(label: str, explanation: str) -> Comparison:
        return _make("spf", subject, rec, ours, label, explanation + unchecked)

    if spf is None or ours is None or ours == "not_checked":
        reason = spf.explanation if spf else "SPF was not evaluated"
        if recorded_other and rec is not None and rec_identity is not None:
            key = "smtp.helo" if rec_identity[0] == "helo" else "smtp.mailfrom"
            return make("not_recomputed",
                        f"{_who(rec)} recorded spf={rec.result} for {rec_identity[1]} ({key}); the SPF row here is "
                        f"for {computed or 'another identity'}: {_sentence(reason)}")
        return make("not_recomputed", _sentence(reason))
    if rec is None:
        return make("not_recorded", _not_recorded(recorded, "spf", "SPF result"))
    who = _who(rec)
    assert rec_identity is not None
    rec_kind, rec_domain, rec_ip = rec_identity
    if rec_ip is None:
        rec_ip = _companion_client_ip(rec, rec_kind, rec_domain, identities)
    our_domain = normalize_domain(spf.helo if helo_only else spf.domain)
    same_domain = rec_domain is not None and our_domain is not None and rec_domain == our_domain
    same_ip = _same_client(rec_ip, spf.client_ip)
    checked = f" for the HELO name {rec_domain}" if helo_only and rec_domain else ""
    guessed = _best_guess(rec)
    if guessed and same_domain:
        # The domain published no SPF record at delivery, by the receiver's own words: its result
        # is none in RFC 7208's terms (section 4.5), whatever the guessed record gave.
        guess = (f"{who} found no SPF record for {rec_domain} at delivery and recorded spf={rec.result} from a "
                 f"record it guessed (\"best guess record\"), not from a policy {rec_domain} published")
        if ours == "none":
            return make("not_recomputed", f"{guess}; {rec_domain} publishes no SPF record now either, so nothing "
                                          "changed in DNS.")
        if rec.result == ours:
            return make("same", f"{guess}; the record {rec_domain} publishes now gives {ours} too.")
        if same_ip and ours != "temperror":
            return make("dns_drift", f"{guess}; {rec_domain} publishes one now, which gives {ours}: it published "
                                     "an SPF record since delivery.")
    if rec.result == ours:
        return make("same", f"{who} recorded spf={ours}{checked}; it is {ours} now too.")
    if rec_domain is None or rec_ip is None:
        # Without the recorded identity and client IP there is no telling whether DNS changed
        # or the inputs differ (RFC 7208 section 9.1 names both for this reason).
        missing = " and ".join(w for w, v in (("the sender domain", rec_domain), ("the client IP", rec_ip))
                               if v is None)
        # Not a difference found: the recorded evaluation cannot be redone (no finding).
        return make("not_recomputed",
                    f"{who} recorded spf={rec.result} without naming {missing}; we evaluated "
                    f"{our_domain or '?'} from {spf.client_ip or '?'} and got {ours}, which is not the "
                    "same evaluation, so the two are not comparable.")
    judged = gateway_judged(rec, recorded, gateway) if not same_ip else None
    if judged is not None and judged.confirmed:
        # Not a change in DNS, nor the sender's result: the receiver checked the recipient's own
        # gateway (the boundary is where the gateway took the message from the sender).
        return make("not_recomputed",
                    f"{who} recorded spf={rec.result} for {rec_domain} from {rec_ip}: "
                    f"{gateway_words(judged, rec, recorded)}. We evaluated {our_domain or '?'} from "
                    f"{spf.client_ip or '?'} there and got {ours}: the two judged different hand-overs.")
    if not (same_domain and same_ip):
        return make("not_recomputed",
                    f"{who} recorded spf={rec.result} for {rec_domain or '?'} from {rec_ip or '?'}; "
                    f"we evaluated {our_domain or '?'} from {spf.client_ip or '?'} and got {ours}: "
                    "the inputs differ, so the recorded evaluation was not redone and the two are not "
                    "comparable.")
    if ours == "temperror":
        return make("not_recomputed", f"{who} recorded spf={rec.result}; the SPF lookup failed temporarily now.")
    if rec.result == "temperror":
        return make("different",
                    f"{who} had a temporary DNS failure at delivery (spf=temperror); it is {ours} now.")
    if rec.result == "permerror":
        # Not proof of a DNS change: RFC 7208 section 4.6.4 counts only the DNS-querying terms
        # (and void lookups) evaluated before a match, and receivers that count every term of
        # the record give permerror where a match comes first.
        return make("different",
                    f"{who} recorded spf=permerror for the same sender and IP; it is {ours} now. Either the SPF "
                    f"record of {our_domain or subject or 'the domain'} changed in DNS since delivery, or the "
                    "receiver counted its DNS lookups differently (RFC 7208 section 4.6.4 counts only the terms "
                    "evaluated before a match; a receiver that counts every term of the record finds the limit "
                    "exceeded sooner).")
    sender = "the same HELO name and IP" if helo_only else "the same sender and IP"
    return make("dns_drift",
                f"{who} recorded spf={rec.result} for {sender}; it is {ours} now, so the "
                f"SPF policy of {our_domain or subject or 'the domain'} changed in DNS since delivery.")


def _recorded_policy(rec: RecordedResult) -> str | None:
    """The policy a recorded DMARC result names: a policy.* property, else the p= of its comment.
    Which policy that is (the record's p=, or the one applied to the From: domain) depends on the
    writer's shape: see _recorded_policy_reading."""
    props = dict(rec.properties)
    for key in ("policy.published-domain-policy", "policy.dmarc", "policy.p"):
        if props.get(key):
            return props[key].lower()
    match = _POLICY_IN_COMMENT.search((rec.reason or "")[:1024])
    return match.group(1).lower() if match else None


def _recorded_policy_reading(rec: RecordedResult) -> tuple[str, bool] | None:
    """(the recorded policy, whether it is the record's own p=) of a recorded DMARC result.

    Only a comment that gives p= beside sp= (Google's "p=REJECT sp=NONE dis=NONE") names the
    record's p= apart from its subdomain policy. OpenDMARC's "(p=reject dis=none)" names the
    policy it applied (opendmarc.c picks sp= or p= by opendmarc_get_policy_token_used), and so do
    authheaders' and others' policy.dmarc properties: for a From: in a subdomain that is the
    sp= (or np=) of the organisational domain's record, not a p= anyone published."""
    policy = _recorded_policy(rec)
    if policy is None:
        return None
    props = dict(rec.properties)
    if props.get("policy.published-domain-policy"):
        # authentication_milter (Fastmail, OVH) writes the record's p= there, its sp= apart in
        # policy.published-subdomain-policy and which applied in policy.policy-from (V35a).
        return policy, True
    if any(props.get(key) for key in ("policy.dmarc", "policy.p")):
        return policy, False
    return policy, _subdomain_policy_in_comment().search((rec.reason or "")[:1024]) is not None


def _applied_policies_now(dmarc: DmarcResult) -> frozenset[str]:
    """The policies the record found now may give the From: domain, whichever rule the receiver
    followed: the one applied here, and for a subdomain of the record's domain its sp= (or p=)
    and its np= too, since whether the subdomain exists (RFC 9989 section 3.2.13) may have
    changed since delivery or been judged otherwise, and a receiver that follows RFC 7489 alone
    applies sp= to every subdomain (section 6.3)."""
    policies = {dmarc.policy.lower()} if dmarc.policy else set()
    record = dmarc.record
    if record is not None and dmarc.from_domain and dmarc.record_domain and \
            normalize_domain(dmarc.from_domain) != normalize_domain(dmarc.record_domain):
        policies.add(record.sp or record.p or "none")
        if record.np:
            policies.add(record.np)
    return frozenset(policies)


def _policy_change(rec: RecordedResult, dmarc: DmarcResult, subject: str | None) -> tuple[str, str, str] | None:
    """(the recorded policy, the policy now, the policy now after "passes now with") in words when
    the policy a recorded DMARC result names cannot be the one the record found now gives, else
    None (no change shown)."""
    reading = _recorded_policy_reading(rec)
    if reading is None or dmarc.record is None:
        return None
    recorded, record_level = reading
    own = dmarc.record_domain is None or dmarc.from_domain is None or \
        normalize_domain(dmarc.from_domain) == normalize_domain(dmarc.record_domain)
    if record_level:
        now = (dmarc.record.p or "").lower()
        if not now or recorded == now:
            return None
        owner = (f"{subject} publishes" if own
                 else f"_dmarc.{dmarc.record_domain}, the record that applies to {subject}, publishes")
        return f"p={recorded}", f"{owner} p={now}", f"p={now}"
    if recorded in _applied_policies_now(dmarc) or not dmarc.policy:
        return None
    if own:
        # (The record's own domain: the p= applied is the p= published.)
        return f"p={recorded}", f"{subject} publishes p={dmarc.policy.lower()}", f"p={dmarc.policy.lower()}"
    return (f"the {recorded} policy it applied",
            f"the record at _dmarc.{dmarc.record_domain} gives {subject} {dmarc.policy.lower()} "
            f"({dmarc.policy_reason})", f"{dmarc.policy.lower()} ({dmarc.policy_reason})")


# Google's comment on a DMARC result: "(p=REJECT sp=REJECT dis=NONE arc=pass)".
_google_arc_accept = compiled_on_first_use(
    r"\bp=(?:reject|quarantine)\b.{0,60}?\bdis=none\b.{0,40}?\barc=pass\b", re.IGNORECASE)


def _recorded_from_among(rec_from: str, dmarc: DmarcResult) -> tuple[str, str] | None:
    """The From: domain (and its own result now) that a recorded header.from names, when From:
    holds several domains (DmarcResult.from_results): the domain itself, or its organisational
    domain as Gmail writes it."""
    for domain, result in dmarc.from_results:
        if rec_from in (normalize_domain(domain), organizational_domain(domain)):
            return domain, result
    return None


_SEALED_EARLIER = "sealed"
"""parse_recorded's mark for a field in the receiver's name below the boundary that the operator's own
verified ARC set records (_sealed_earlier_delivery): an earlier delivery's record, or this delivery's
written low among the message's fields (a gateway's placement), not a forgery."""

_POSITION_ONLY = "position"
"""_judge_trust's mark for a field trusted by its position alone (the closed run of trace fields
below the boundary Received): see _softens."""


def _softens(rec: RecordedResult) -> bool:
    """Whether a recorded result is set aside when trusted by its position alone: a dmarc=fail that
    records an ARC override (``arc_override_recorded``'s words; RFC 8617 section 7.2), which alone
    turns a DMARC failure on an ARC chain into "vouched" and is what a forger writes under the
    receiver's name there (verification V39d). Passes stay the receiver's record in that position,
    as pre-ARC Gmail, Yandex and Postfix milter layouts write them (V39e: setting them aside made a
    genuine 2016 Gmail copy read SPOOFED once its sender rotated its key); with DNS, headerscope's
    own checks stand beside them."""
    return _override_words(rec)


def _override_words(rec: RecordedResult) -> bool:
    """A dmarc=fail whose reason or properties say the writer accepted it on an ARC chain: OpenDMARC's
    and others' "arc override ...", or Google's comment giving a policy of quarantine or reject the
    disposition none beside arc=pass."""
    if rec.result != "fail" or rec.method != "dmarc":
        return False
    words = f"{rec.reason or ''} {' '.join(v for _, v in rec.properties)}"[:1024]
    lowered = words.lower()
    # "arc" as a word of its own: authentication_milter's "arc_aware_result=fail" beside its
    # mailing-list override ("override=mailing_list") names no ARC override (verification V39e).
    return ("override" in lowered and _arc_word().search(lowered) is not None) \
        or _google_arc_accept().search(words) is not None


_arc_word = compiled_on_first_use(r"(?<![a-z0-9_.-])arc(?![a-z0-9_-])")


def _says_enforced(rec: RecordedResult) -> bool:
    """A dmarc=fail that records applying the policy (action=reject/quarantine/oreject, Google's
    dis=REJECT or dis=QUARANTINE) and no override words of its own."""
    if rec.method != "dmarc" or rec.result != "fail" or _override_words(rec):
        return False
    return _records_enforcement(rec)


def _records_enforcement(rec: RecordedResult) -> bool:
    """A dmarc=fail's action= (reject, quarantine, oreject) or Google's dis= (REJECT, QUARANTINE)
    says the policy was applied."""
    action = (dict(rec.properties).get("action") or "").strip().lower()
    if action in ("reject", "quarantine", "oreject"):
        return True
    match = _disposition_in_comment().search((rec.reason or "")[:1024])
    return match is not None and match.group(1).lower() in ("reject", "quarantine")


def _same_writer_and_from(a: RecordedResult, b: RecordedResult) -> bool:
    """Two dmarc results by the same receiving organisation for the same header.from (a missing
    header.from matches any)."""
    def org(rec: RecordedResult) -> str | None:
        name = normalize_domain(rec.authserv_id) if rec.authserv_id else None
        return (organizational_domain(name) or name) if name else None

    if org(a) != org(b):
        return False
    from_a = _property_domain(dict(a.properties).get("header.from"))
    from_b = _property_domain(dict(b.properties).get("header.from"))
    return from_a is None or from_b is None or from_a == from_b


def arc_override_recorded(rec: RecordedResult, recorded: tuple[RecordedResult, ...] = ()) -> bool:
    """Whether a recorded dmarc=fail says its writer accepted the message on the word of an ARC
    chain (RFC 8617 section 7.2, local policy): OpenDMARC's and others' reason "arc override
    ...", Google's comment giving a policy of quarantine or reject the disposition none
    beside arc=pass (RFC 7489 section 7.2.1.1: the disposition is the policy applied), or, in
    the same Authentication-Results field (among ``recorded``), Exchange Online's
    ``compauth=pass reason=130`` (``microsoft_arc_override``)."""
    if rec.result != "fail" or rec.method != "dmarc":
        return False
    if not (_override_words(rec) or microsoft_arc_override(rec, recorded) is not None):
        return False
    # The same receiver cannot both have accepted the message on the chain and applied the policy:
    # where a trusted record of its says it enforced, the override beside it is not its own
    # (verification V39d f1b: a forger's "dis=NONE arc=pass" below Gmail's real dis=QUARANTINE).
    return not any(other is not rec and other.trusted and _same_writer_and_from(rec, other)
                   and _says_enforced(other) and microsoft_arc_override(other, recorded) is None
                   for other in recorded)


MICROSOFT_ARC_OVERRIDE_REASON = "130"
"""Exchange Online's composite authentication reason for a DMARC failure it overrode on the ARC
chain of a sealer the tenant trusts: "To check whether the ARC result was used to override a
DMARC failure, look for compauth=pass and reason=130 in the last Authentication-Results header"
(learn.microsoft.com, "Configure trusted ARC sealers"). No other reason code is read as one."""


def microsoft_arc_override(rec: RecordedResult, recorded: tuple[RecordedResult, ...]) -> RecordedResult | None:
    """The ``compauth=pass reason=130`` (see ``MICROSOFT_ARC_OVERRIDE_REASON``) that the writer of the
    dmarc result ``rec`` recorded beside it in the same field, or None."""
    if rec.header_index is None or not rec.trusted:
        return None
    for other in recorded:
        if other.method == "compauth" and other.header_index == rec.header_index and other.trusted \
                and other.result.lower() == "pass" \
                and (other.reason or "").strip() == MICROSOFT_ARC_OVERRIDE_REASON:
            return other
    return None


def aar_records_dmarc_pass(value: str | None, from_domain: str | None) -> bool:
    """Whether an ARC-Authentication-Results value records dmarc=pass, for ``from_domain`` when
    it names a header.from (its own domain or, as some receivers write it, its organisational
    domain). Read as RFC 8601 clauses, not searched as text: an intermediary copies values the
    sender chose (a MAIL FROM local part "dmarc=pass@...", a comment) into its results."""
    if not value:
        return False
    wanted = normalize_domain(from_domain) if from_domain else None
    for clause in _parse_authentication_results(value, True).clauses:
        if clause.method.lower() != "dmarc" or clause.result.lower() != "pass":
            continue
        # A bare dmarc=pass names no domain: it vouches for none (intermediaries that record DMARC
        # name the header.from they judged, RFC 8601 section 2.7.1).
        judged = _property_domain(dict(clause.properties).get("header.from"))
        if judged is not None and (wanted is None or judged in (wanted, organizational_domain(wanted))):
            return True
    return False


def receiver_enforced(rec: RecordedResult, recorded: tuple[RecordedResult, ...] = ()) -> bool:
    """Whether a recorded dmarc=fail says the receiver applied the domain's reject or quarantine
    policy (Google's "dis=REJECT", Exchange Online's action=reject/quarantine/oreject) without an
    ARC override: it saw the message's ARC chain, if any, and did not act on it. ``recorded``: the
    results beside it, where Exchange Online writes its override (compauth=pass reason=130): its
    action= is then the policy's, which it did not apply (oreject: "override reject")."""
    if rec.method != "dmarc" or rec.result != "fail" or arc_override_recorded(rec, recorded):
        return False
    return _records_enforcement(rec)


def _compare_dmarc(recorded: tuple[RecordedResult, ...], dmarc: DmarcResult | None,
                   dkim: tuple[DkimSignatureResult, ...], spf_comparison: Comparison | None,
                   resent_domains: frozenset[str] = frozenset(), from_literal: str | None = None,
                   gateway: InboundGateway | None = None) -> Comparison | None:
    candidates = sorted((r for r in recorded if _usable(r, "dmarc")), key=_rank)
    rec = candidates[0] if candidates else None
    if rec is None and dmarc is None:
        return None
    subject = (dmarc.from_domain if dmarc else None) or (
        _property_domain(dict(rec.properties).get("header.from")) if rec else None)
    ours = dmarc.result if dmarc else None
    rec_from = _property_domain(dict(rec.properties).get("header.from")) if rec else None
    # A From: address literal names no domain (RFC 7489 section 6.6.1): a receiver that judged a
    # domain judged another From: than the one shown now, as when the domains differ.
    literal = from_literal if dmarc is not None and not dmarc.from_domain else None
    if rec is not None and rec_from and dmarc is not None and (
            (dmarc.from_domain and rec_from != normalize_domain(dmarc.from_domain)
             and rec_from != organizational_domain(dmarc.from_domain))
            or (literal and rec_from != _property_domain(literal))):
        # (A receiver may write the organisational domain whose policy it applied, as Gmail
        # does for a From: in a subdomain: "header.from=schoolstore.com" for
        # emails.schoolstore.com. That is the same From:.)
        # RFC 7489 section 6.6.1: DMARC judges the From: domain, and header.from names the one
        # the receiver judged. Another domain there means the From: shown now is not the one it
        # judged (changed after delivery): its verdict, recomputed or not, says nothing of it.
        who = _who(rec) if rec.authserv_id or rec.header == _GMAIL_SUMMARY else "The receiver"
        judged = _recorded_from_among(rec_from, dmarc)
        if judged is not None:
            # From: holds several domains and the receiver judged one of them (receivers commonly
            # evaluate only the first): nothing was changed. RFC 7489 section 6.6.1 checks each
            # domain and applies the strictest failing policy, so the domain reported here may
            # be another one; the recorded result is compared with its own domain's result.
            domain, now = judged
            holds = f"{result_words(now)} now{' too' if now == rec.result else ''}"
            return _make("dmarc", subject, rec, ours, "different",
                         f"{who} recorded dmarc={rec.result} for {domain}, one of the From: domains ({holds}); "
                         f"it did not judge {dmarc.from_domain}, which is {result_words(ours or 'not checked')} "
                         f"now. With several From: domains RFC 7489 section 6.6.1 checks each one and the "
                         f"strictest failing policy decides, so the recorded result speaks for {domain} only.")
        # A Resent-From:/Resent-Sender: of the judged domain may be what the receiver read (a resend,
        # RFC 5322 section 3.6.6), or a field added with the change: said, never a lower severity
        # (DMARC judges From: alone, RFC 7489 section 3.1; verification V14 F1).
        resent = (f" A Resent-From: or Resent-Sender: of {rec_from} is present: the receiver may have judged "
                  "that resender's domain, or the field was added along with the change."
                  if rec_from in resent_domains else "")
        shown = dmarc.from_domain or f"an address literal ({(literal or '')[:260]}), which names no domain,"
        if literal:
            subject = literal.rpartition("@")[2][:260]  # what From: shows now: "[192.0.2.1]"
        return _make("dmarc", subject, rec, ours, "from_changed",
                     f"{who} recorded dmarc={rec.result} for {rec_from}, but From: shows "
                     f"{shown} now: the From: header was changed after delivery, or the receiver "
                     f"read another one, so its result is not this From:'s.{resent}")
    if dmarc is None or ours == "not_checked":
        return _make("dmarc", subject, rec, ours, "not_recomputed",
                     _sentence(dmarc.explanation if dmarc else "DMARC was not evaluated"))
    if rec is None:
        return _make("dmarc", subject, None, ours, "not_recorded", _not_recorded(recorded, "dmarc", "DMARC result"))
    who = _who(rec)
    if rec.result == "bestguesspass":
        # A "none" with Microsoft's guess beside it: no record at delivery (_VALID_RESULTS).
        guessed = (f"{who} recorded dmarc=bestguesspass: {subject or 'the From: domain'} published no DMARC "
                   "record at delivery, and an identity aligned with it passed (Microsoft's word for \"would have "
                   "passed\")")
        if ours == "none":
            return _make("dmarc", subject, rec, ours, "same", f"{guessed}; it publishes none now either.")
        if ours in ("pass", "fail"):
            return _make("dmarc", subject, rec, ours, "dns_drift", f"{guessed}; it publishes one now ({ours}).")
        return _make("dmarc", subject, rec, ours, "different", f"{guessed}; it is {ours} now ({dmarc.explanation}).")
    change = _policy_change(rec, dmarc, subject)
    if ours == "temperror":
        return _make("dmarc", subject, rec, ours, "not_recomputed",
                     f"{who} recorded dmarc={rec.result}; the DMARC lookup failed temporarily now.")
    if rec.result == "temperror" and ours in ("pass", "fail", "none"):
        # As for DKIM: a transient error at delivery (RFC 8601 section 2.7.1; RFC 7489 section
        # 6.6.3 has the receiver retry later or deliver), not a judgement of the message.
        return _make("dmarc", subject, rec, ours, "different",
                     f"{who} recorded dmarc=temperror: a transient DNS error when it looked up the policy or an "
                     f"identity at delivery (RFC 8601 section 2.7.1), not a judgement of the message. The lookups "
                     f"answer now, and DMARC is {ours}.")
    unsupported = _unsupported_dmarc_pass(rec, recorded, dmarc) if ours != "pass" else None
    if unsupported is not None:
        # A recorded dmarc=pass resting only on identities that cannot align with From: (the
        # receiver's own dkim/spf results name other domains) authenticates nobody as the From:
        # domain (RFC 7489 section 3.1), whatever DNS says now: not drift, a difference.
        return _make("dmarc", subject, rec, ours, "different",
                     f"{who} recorded dmarc=pass, but {unsupported}; it is {ours} now, and the recorded "
                     f"pass does not authenticate {subject or 'the From: domain'}.")
    if rec.result == "pass" and ours in ("fail", "none"):
        modified = _modified_aligned_signature(dkim)
        if modified is not None:
            # The message alone decides a body or signature mismatch (RFC 6376 section 3.7):
            # a change in DNS can never explain it.
            return _make("dmarc", subject, rec, ours, "modified_after_delivery",
                         f"{who} recorded dmarc=pass; {modified}, because the message changed after "
                         "delivery.")
    if ours == "permerror" and not dmarc.from_domain and not rec_from and rec.result in ("none", "permerror"):
        # No From: domain (RFC 7489 section 6.6.1): receivers write it as none or permerror with an
        # empty header.from; both say DMARC had nothing to judge.
        return _make("dmarc", subject, rec, ours, "same",
                     f"{who} recorded dmarc={rec.result} with no header.from domain: the message has no From: domain "
                     "to judge, as found now (permerror).")
    if rec.result == ours:
        if change is not None:
            return _make("dmarc", subject, rec, ours, "policy_changed",
                         f"{who} recorded dmarc={ours} under {change[0]}; {change[1]} now (the DMARC record "
                         "changed since delivery).")
        override = ""
        if ours == "fail" and arc_override_recorded(rec, recorded):
            # RFC 8617 section 7.2: the receiver applied local policy on the ARC chain's word.
            composite = microsoft_arc_override(rec, recorded)
            said = (f"compauth=pass reason={MICROSOFT_ARC_OVERRIDE_REASON}, Exchange Online's mark of a DMARC "
                    "failure overridden on a trusted ARC sealer's chain" if composite is not None
                    else (rec.reason or "")[:200])
            override = f" It recorded an ARC override ({said}): it accepted the message anyway."
        return _make("dmarc", subject, rec, ours, "same",
                     f"{who} recorded dmarc={ours}; it is {ours} now too.{override}")
    older = dmarc.rfc7489
    if older is not None and rec.result == older.result != ours and ours in ("pass", "fail", "none"):
        # The receiver decided as RFC 7489 does now (the Public Suffix List's organisational domain,
        # the record it finds, pct=), and RFC 9989, which obsoletes it, decides otherwise (its
        # appendix C.3: the DNS Tree Walk replaces the Public Suffix List): the receiver follows the
        # older rules, neither DNS nor the message changed.
        how = dmarc.tree_walk_note or f"a receiver still on RFC 7489 decides {older.result}"
        return _make("dmarc", subject, rec, ours, "older_rules",
                     f"{who} recorded dmarc={rec.result}, which is what a receiver still on RFC 7489 decides now; "
                     f"RFC 9989, which obsoletes it, gives {ours}: the receiver follows the older rules, not a "
                     f"change in DNS or in the message. {_sentence(how)}")
    if rec.result == "pass" and ours == "fail":
        aligned = [s for s in dkim if s.aligned]
        codes = {s.reason_code for s in aligned}
        if aligned and codes <= _NOT_RECOMPUTED:
            return _make("dmarc", subject, rec, ours, "not_recomputed",
                         f"{who} recorded dmarc=pass; the aligned DKIM signature could not be "
                         "re-verified here, so our DMARC fail is not a finding about the message.")
        if codes & _DKIM_MODIFIED:
            return _make("dmarc", subject, rec, ours, "modified_after_delivery",
                         f"{who} recorded dmarc=pass; the aligned DKIM signature fails now because the "
                         "message changed after delivery.")
        if any(s.body_hash_ok is False for s in aligned):
            return _make("dmarc", subject, rec, ours, "modified_after_delivery",
                         f"{who} recorded dmarc=pass; the aligned DKIM signature's body hash does not "
                         "match now, so the message changed after signing.")
        # DNS drift explains the difference only when the receiver recorded a pass for the very
        # identity that fails now: the aligned signature (by header.b/d/s) or the same SPF
        # sender and client IP. A recorded pass for another identity proves nothing here.
        drifted_keys = [s for s in aligned if s.reason_code in _DKIM_KEY_DRIFT
                        and _recorded_dkim_pass(recorded, s)]
        if drifted_keys or (spf_comparison is not None and spf_comparison.label == "dns_drift"
                            and bool(dmarc.from_domain) and _spf_supported(spf_comparison, dmarc)):
            if drifted_keys and drifted_keys[0].key_among_several:
                # (As _label_dkim says of that signature: the receiver may have used another record.)
                return _make("dmarc", subject, rec, ours, "key_among_several",
                             f"{who} recorded dmarc=pass and a pass for the same identity; it fails now because the "
                             f"key record used for the aligned signature {drifted_keys[0].domain}/"
                             f"{drifted_keys[0].selector} is revoked, one of several at its selector: RFC 6376 "
                             "section 6.1.2 lets a verifier use any of them, so the receiver may have verified the "
                             "signature with another, not a change to the message.")
            what = (f"the key of the aligned signature {drifted_keys[0].domain}/{drifted_keys[0].selector}"
                    if drifted_keys else "the aligned SPF policy")
            return _make("dmarc", subject, rec, ours, "dns_drift",
                         f"{who} recorded dmarc=pass and a pass for the same identity; it fails now "
                         f"because {what} changed in DNS since delivery.")
        expired = [s for s in aligned if s.reason_code == "expired"]
        if expired and _expired_before_delivery(expired[0]):
            # (A signature valid at delivery passes as of then: see _label_dkim.)
            return _make("dmarc", subject, rec, ours, "different",
                         f"{who} recorded dmarc=pass; the aligned DKIM signature's x= expiry had passed before it "
                         "was delivered: the recorded pass does not hold.")
        if expired:
            return _make("dmarc", subject, rec, ours, "expired_since",
                         f"{who} recorded dmarc=pass; the aligned DKIM signature's x= expiry has passed by now (when it "
                         "was delivered is not known here).")
        # The aligned signature the receiver recorded a pass for still verifies now, body and
        # signed header fields, but uses rsa-sha1, which verifiers refuse since RFC 8301 section 3.1
        # (2018): the rules changed, not the message.
        # (Its key was had: rsa_sha1 is then the verdict on a signature that verified, not offline's;
        # _judge_valid refuses a key size, an expiry or a future t= first. Only on mail delivered
        # before 2018, when rsa-sha1 was accepted, and with no text after an l= that nobody signed.)
        refused_sha1 = [s for s in aligned if s.reason_code == "rsa_sha1" and s.body_hash_ok is True
                        and s.key_bits is not None and s.rsa_sha1_accepted_at_delivery
                        and not s.unsigned_body_text and not s.unsigned_headers and _recorded_dkim_pass(recorded, s)]
        # (Nor when another aligned signature fails on a change: V29, a Reply-To changed under a
        # second signature that signs it.)
        if refused_sha1 and not codes & _DKIM_MODIFIED:
            return _make("dmarc", subject, rec, ours, "rules_changed",
                         f"{who} recorded dmarc=pass; the aligned DKIM signature by {refused_sha1[0].domain} still "
                         "verifies, body and signed header fields, but uses rsa-sha1, which verifiers refuse since "
                         "RFC 8301 (2018): the rules changed since delivery, not the message.")
    behind = gateway_judged(rec, recorded, gateway) if rec.result == "fail" and ours == "pass" else None
    if behind is not None and behind.confirmed and dmarc.spf_aligned and not dmarc.dkim_aligned:
        # DMARC passes here on SPF alone, evaluated where the gateway took the message from the
        # sender; the receiver's SPF judged the gateway's address (RFC 7489 section 4.2: the
        # same identifier, another client): different hand-overs, not a change in DNS.
        return _make("dmarc", subject, rec, ours, "not_recomputed",
                     f"{who} recorded dmarc=fail: no DKIM signature aligned with {subject or 'the From: domain'} "
                     f"passed, and {gateway_words(behind, rec, recorded)}. DMARC passes now on SPF for "
                     "the sender's server: the receiver's fail is about the gateway's hand-over, not the sender.")
    if rec.result == "none" and ours in ("pass", "fail"):
        return _make("dmarc", subject, rec, ours, "dns_drift",
                     f"{who} found no DMARC record at delivery (dmarc=none); {subject} publishes one now.")
    if ours == "none" and rec.result in ("pass", "fail"):
        now = (f"{subject} publishes no DMARC record now" if dmarc.record_domain is None
               else f"its DMARC record is not applicable now ({dmarc.policy_reason})")
        return _make("dmarc", subject, rec, ours, "dns_drift", f"{who} recorded dmarc={rec.result}; {now}.")
    if rec.result == "fail" and ours == "pass" and change is not None:
        return _make("dmarc", subject, rec, ours, "dns_drift",
                     f"{who} recorded dmarc=fail under {change[0]}; it passes now with {change[2]}.")
    return _make("dmarc", subject, rec, ours, "different",
                 f"{who} recorded dmarc={rec.result}; it is {ours} now ({dmarc.explanation}).")


def _unsupported_dmarc_pass(rec: RecordedResult, recorded: tuple[RecordedResult, ...],
                            dmarc: DmarcResult) -> str | None:
    """Why a recorded dmarc=pass cannot be for the From: domain, or None when it can.

    It is for the From: domain when it names it (header.from) or when the receiving side also
    recorded a DKIM or SPF pass for an identity aligned (relaxed) with it (RFC 7489 section 3.1).
    """
    if rec.result != "pass" or not dmarc.from_domain:
        return None
    from_domain = normalize_domain(dmarc.from_domain)
    if _property_domain(dict(rec.properties).get("header.from")) == from_domain:
        return None
    identities: list[str] = []
    for item in recorded:
        if not item.trusted or item.result != "pass" or item.method not in ("dkim", "spf"):
            continue
        domain = (_dkim_identity(item.properties)[0] if item.method == "dkim" else _spf_identity(item)[1])
        if domain is None:
            continue
        if aligned(domain, from_domain, strict=False):
            return None
        identities.append(f"{item.method}={domain}")
    named = ", ".join(dict.fromkeys(identities))
    if not named:
        return (f"it names no From: domain and the receiving side recorded no DKIM or SPF pass aligned "
                f"with {from_domain}")
    return (f"it names no From: domain and the receiving side's recorded passes are only for {named}, "
            f"which do not align with {from_domain}")


def _modified_aligned_signature(dkim: tuple[DkimSignatureResult, ...]) -> str | None:
    """Words for an aligned signature that fails now because the message differs, or None."""
    for sig in dkim:
        if not sig.aligned:
            continue
        if sig.reason_code in _DKIM_MODIFIED:
            return f"the aligned DKIM signature {sig.domain}/{sig.selector} fails now ({sig.reason})"
        if sig.body_hash_ok is False:
            return f"the body hash of the aligned DKIM signature {sig.domain}/{sig.selector} does not match now"
    return None


def _recorded_dkim_pass(recorded: tuple[RecordedResult, ...], sig: DkimSignatureResult) -> bool:
    """A trusted recorded dkim=pass names this very signature."""
    for rec in recorded:
        if not _usable(rec, "dkim") or rec.result != "pass":
            continue
        if rec.signature_header_index is not None:
            if rec.signature_header_index == sig.header_index:
                return True
            continue
        domain, selector, _ = _dkim_identity(rec.properties)
        if (_domain_matches(domain, normalize_domain(sig.domain))
                and (selector is None or selector == (sig.selector or "").lower())):
            return True
    return False


def _spf_supported(spf_comparison: Comparison, dmarc: DmarcResult) -> bool:
    """The SPF identity that drifted could have aligned with From (relaxed)."""
    strict = dmarc.record is not None and dmarc.record.aspf == "s"
    return aligned(spf_comparison.subject, dmarc.from_domain, strict=strict)


# ARC results receivers write in words of their own, and the RFC 8617 result each stands for:
# rspamd records its ARC_REJECT symbol (a chain that fails validation) as "arc=reject"
# (lualib/lua_auth_results.lua). Shown as written, compared as the result it stands for.
_ARC_VENDOR_WORDS = {"reject": "fail"}


def _compare_arc(recorded: tuple[RecordedResult, ...], arc: ArcResult | None) -> Comparison | None:
    if not any(_usable(r, "arc") for r in recorded):
        vendor = next((r for r in sorted(recorded, key=_rank) if r.trusted and r.method == "arc"
                       and r.result in _ARC_VENDOR_WORDS), None)
        if vendor is not None:
            compared = _compare_arc_results((replace(vendor, result=_ARC_VENDOR_WORDS[vendor.result]),), arc)
            if compared is not None:
                written = (f"{_who(vendor)[:120]} wrote arc={vendor.result}, rspamd's word for a chain that fails "
                           "validation (RFC 8617 section 4.4: fail)")
                return replace(compared, recorded=vendor.result,
                               explanation=(f"{written}; it is {compared.recomputed} now too."
                                            if compared.label == "same" else f"{written}. {compared.explanation}"))
    return _compare_arc_results(recorded, arc)


def _compare_arc_results(recorded: tuple[RecordedResult, ...], arc: ArcResult | None) -> Comparison | None:
    candidates = sorted((r for r in recorded if _usable(r, "arc") and r.header != _ARC_AR), key=_rank)
    if not candidates:
        # No Authentication-Results of it: the receiver's own ARC-Authentication-Results (a set it
        # sealed, trusted) records the chain as it arrived, as Exchange Online writes only there.
        candidates = sorted((r for r in recorded if _usable(r, "arc")), key=lambda r: -(r.instance or 0))
    rec = candidates[0] if candidates else None
    if rec is None and (arc is None or arc.result == "none"):
        return None
    ours = arc.result if arc else None
    # "none" beside ARC sets that exist means the chain was not evaluated (offline), not absent.
    if arc is not None and arc.reason_code in COPY_UNCHECKABLE_CODES:
        # As for DKIM (_label_dkim): the copy, not the message, stops the check.
        recorded_words = f"{_who(rec)} recorded arc={rec.result}; it " if rec is not None else "It "
        return _make("arc", None, rec, ours, "not_recomputed",
                     f"{recorded_words}cannot be re-checked from this copy: {_after_prefix(arc.reason).rstrip('.')}.")
    if arc is None and rec is not None and rec.result == "none":
        # check_arc returns None only for a message with no ARC field at all.
        return _make("arc", None, rec, "none", "same",
                     f"{_who(rec)} recorded arc=none, and the message has no ARC set now either.")
    if arc is None or ours in ("not_checked", None) or (ours == "none" and arc.instances) \
            or arc.reason_code == "no_body":
        # Without a body the message signatures cannot be checked: not recomputed, as for DKIM.
        return _make("arc", None, rec, ours, "not_recomputed",
                     _sentence(arc.reason if arc else "ARC was not evaluated"))
    if rec is None:
        return _make("arc", None, None, ours, "not_recorded", _not_recorded(recorded, "arc", "ARC result"))
    who = _who(rec)
    if arc.instances and rec.authserv_id:
        top = max(arc.instances, key=lambda i: i.instance)
        # The receiver records the chain as it arrived, then may seal it itself (RFC 8617
        # section 5.1): its own set's cv= is that recorded verdict, so compare against it.
        if (top.domain and organizational_domain(top.domain) == organizational_domain(rec.authserv_id)
                and (top.cv or "").lower() == rec.result and ours == "pass"):
            return _make("arc", None, rec, ours, "same",
                         f"{who} recorded arc={rec.result} and then added ARC set i={top.instance} "
                         f"(cv={top.cv}) itself; the chain, including that set, validates now.")
    if rec.result == ours:
        return _make("arc", None, rec, ours, "same", f"{who} recorded arc={ours}; it is {ours} now too.")
    if ours == "temperror":
        return _make("arc", None, rec, ours, "not_recomputed",
                     f"{who} recorded arc={rec.result}; a key lookup failed temporarily now.")
    if rec.result == "pass" and arc.key_among_several:
        # The revoked record used is one of several at the sealer's selector: the receiver may
        # have used another (ARC keys are looked up as DKIM keys, RFC 8617 section 5.2; RFC 6376
        # section 6.1.2).
        return _make("arc", None, rec, ours, "key_among_several",
                     f"{who} recorded arc=pass; now {arc.reason}. An ARC key is looked up as a DKIM key (RFC 8617 "
                     f"section 5.2), and {_ANOTHER_KEY_WORDS}.")
    if rec.result == "pass" and arc.reason_code in ("key_not_found", "key_revoked"):
        # A sealer's key that is gone or revoked now says nothing about the chain at delivery.
        return _make("arc", None, rec, ours, "dns_drift",
                     f"{who} recorded arc=pass; a sealer's key has since been "
                     f"{'removed from' if arc.reason_code == 'key_not_found' else 'revoked in'} DNS ({arc.reason}).")
    if arc.reason_code == "chain_terminated" and arc.instances:
        # RFC 8617 section 5.2 step 2: the newest seal's cv=fail ends the chain whatever its
        # signatures say, so the "now" is that seal's record, not a recomputation; from the very
        # receiver that recorded arc=pass it is two of its own records contradicting each other
        # at delivery (Gmail writes both in one second; mailauth's fixture arc-fail3).
        top = max(arc.instances, key=lambda i: i.instance)
        sealer = normalize_domain(top.domain) or ""
        own = bool(sealer and rec.authserv_id
                   and organizational_domain(sealer) == organizational_domain(normalize_domain(rec.authserv_id) or ""))
        seal_words = "verified" if top.seal_result == "pass" else "not verified here"
        if own:
            return _make("arc", None, rec, ours, "records_disagree",
                         f"{who} recorded arc={rec.result}, and the ARC-Seal i={top.instance} in its name "
                         f"({sealer[:120]}, {seal_words}) records cv=fail: the receiver's two records of the chain "
                         "at delivery contradict each other; nothing was recomputed, and nothing says the message "
                         "changed since.")
        return _make("arc", None, rec, ours, "records_disagree",
                     f"{who} recorded arc={rec.result}; the newest ARC-Seal i={top.instance}, by {sealer[:120] or 'an unnamed sealer'} "
                     f"({seal_words}), records cv=fail: that sealer's record, not a recomputation of the chain.")
    return _make("arc", None, rec, ours, "different",
                 f"{who} recorded arc={rec.result}; it is {ours} now ({arc.reason}).")


# A recorded pass beside a key record used now that is revoked and one of several DKIM key records
# at its selector (DkimSignatureResult.key_among_several, ArcResult.key_among_several).
_ANOTHER_KEY_WORDS = ("RFC 6376 section 6.1.2 lets a verifier use any of a selector's key records, so the receiver may "
                      "have used another: neither a change in DNS nor a change to the message is needed to explain "
                      "the difference")

_LABEL_FINDINGS: dict[str, tuple[Severity, str, str]] = {
    "dns_drift": (Severity.NOTICE, "changed in DNS since delivery", RFC6376_VERIFY),
    "key_among_several": (Severity.NOTICE, "the key record used is revoked, one of several: the receiver may have "
                          "used another", RFC6376_VERIFY),
    "modified_after_delivery": (Severity.WARNING, "message modified after delivery", RFC6376_VERIFY),
    "expired_since": (Severity.INFO, "signature expired since delivery", RFC6376_VERIFY),
    "rules_changed": (Severity.INFO, "the rules changed since delivery (rsa-sha1 refused since RFC 8301)",
                      "https://www.rfc-editor.org/rfc/rfc8301#section-3.1"),
    "policy_changed": (Severity.INFO, "DMARC policy changed since delivery", RFC7489_POLICY),
    "older_rules": (Severity.INFO, "the receiver follows the older rules of RFC 7489, which RFC 9989 obsoletes",
                    "https://www.rfc-editor.org/rfc/rfc9989#appendix-C.3"),
    "different": (Severity.NOTICE, "recorded and recomputed results differ", RFC8601_TRUST),
}


def _comparison_finding(comparison: Comparison) -> Finding | None:
    if comparison.label == "from_changed":
        # A pass for another From: domain than the one shown: the shown one may be a forgery
        # pasted onto a message that once passed.
        return Finding(
            id="recorded.from_changed",
            severity=Severity.WARNING if comparison.recorded == "pass" else Severity.NOTICE,
            title=f"DMARC {comparison.recorded} was recorded for another From: domain than {comparison.subject}",
            explanation=comparison.explanation, reference=RFC7489_POLICY, subject=f"dmarc {comparison.subject}")
    if comparison.label == "records_disagree":
        # The "now" was read from a seal, not recomputed (_compare_arc_results): said so.
        return Finding(
            id="recorded.records_disagree", severity=Severity.NOTICE,
            title=(f"{comparison.method.upper()}: recorded {result_words(comparison.recorded or 'nothing')}, but an "
                   "ARC-Seal records cv=fail (the records disagree; nothing recomputed)"),
            explanation=comparison.explanation, reference=RFC8617_ARC, subject=comparison.method)
    entry = _LABEL_FINDINGS.get(comparison.label)
    if entry is None:
        return None
    severity, words, reference = entry
    if comparison.label == "modified_after_delivery" and comparison.method == "dkim" \
            and SIGNED_FIELDS_NOT_IN_INPUT in comparison.explanation:
        words = "signed fields not in the input"
    if comparison.method == "arc":
        reference = RFC8617_ARC
    elif comparison.method != "dkim" and reference == RFC6376_VERIFY:
        # RFC 6376 section 6.1 is DKIM's verification: an SPF or DMARC result recorded then and
        # recomputed now is RFC 8601's comparison (section 5), or DMARC's policy.
        reference = RFC8601_TRUST if comparison.method == "spf" else RFC7489_POLICY
    subject = f"{comparison.method} {comparison.subject}" if comparison.subject else comparison.method
    return Finding(
        id=f"recorded.{comparison.label}", severity=severity,
        title=(f"{comparison.method.upper()}: recorded {result_words(comparison.recorded or 'nothing')}, "
               f"now {result_words(comparison.recomputed or 'nothing')} ({words})"),
        explanation=comparison.explanation, reference=reference, subject=subject,
    )


# --- one key, several signatures ------------------------------------------------------------

_RFC6376_MULTIPLE = "https://www.rfc-editor.org/rfc/rfc6376#section-4"
_MAX_SAME_KEY_GROUPS = 3
_MAX_LISTED = 6  # signatures named in one finding (a hostile field can hold hundreds)
_TIMES = {2: "twice", 3: "three times", 4: "four times"}
_SHORT_DKIM_REASONS = {"body_hash_mismatch": "the body hash does not match",
                       "signature_mismatch": "the signed header fields changed"}
_STACKED = ("stacked signers: two signing filters on its servers, or a relay of its own that signed again, "
            "with the domain's key, after changing the message")


def _times(count: int) -> str:
    return _TIMES.get(count, f"{count} times")


def _signed_with_one_key(message: Message, dkim: Sequence[DkimSignatureResult],
                         recorded: Sequence[RecordedResult]) -> tuple[list[Finding], set[tuple[str, str]]]:
    """Groups of distinct DKIM-Signature fields with the same d= and s=, and the keys they cover."""
    values = {header.index: header.value for header in message.all("DKIM-Signature")[:50]}
    groups: dict[tuple[str, str], list[DkimSignatureResult]] = {}
    seen: set[str] = set()
    for sig in dkim[:50]:
        value = values.get(sig.header_index)
        if not sig.domain or not sig.selector or value is None or value in seen:
            continue  # a byte-for-byte copy is one signature (message.repeated_signature says so)
        seen.add(value)
        groups.setdefault((sig.domain.lower()[:253], sig.selector.lower()[:63]), []).append(sig)
    findings: list[Finding] = []
    for (domain, selector), sigs in groups.items():
        if len(sigs) < 2 or len(findings) >= _MAX_SAME_KEY_GROUPS:
            continue
        sigs = sorted(sigs, key=attrgetter("header_index"))
        passing = [s for s in sigs if s.result == "pass"]
        failing = [s for s in sigs if s.result in ("fail", "permerror")]

        def now_said(sig: DkimSignatureResult) -> str:
            why = _SHORT_DKIM_REASONS.get(sig.reason_code, " ".join(sig.reason.split())[:100])
            receiver = next((r for r in recorded if r.trusted and r.method == "dkim"
                             and r.signature_header_index == sig.header_index), None)
            at_delivery = f"; the receiver recorded {receiver.result}" if receiver is not None else ""
            return (f"{header_ref(sig.header_index)}: {result_words(sig.result)}"
                    + (f" ({why})" if sig.result in _DKIM_DOES_NOT_VERIFY and why else "") + at_delivery)

        order = ""
        if passing and failing and sigs[0].result == "pass" and all(s.result != "pass" for s in sigs[1:]):
            # Signers prepend their field (RFC 6376 section 5.6): the topmost was added last.
            order = (" The topmost, added last (signers put theirs above the others, RFC 6376 section 5.6), "
                     "passes: the message changed between the signings (a footer, a re-encoding, a rewritten "
                     "field), which broke the earlier signature, and the last signer signed what was delivered.")
        findings.append(Finding(
            id="dkim.signed_repeatedly", severity=Severity.NOTICE if passing and failing else Severity.INFO,
            title=(f"{domain} signed the message {_times(len(sigs))} with the same key (s={selector})"
                   + (f": {len(passing)} pass, {len(failing)} fail" if passing and failing else "")),
            explanation=(f"{header_refs([s.header_index for s in sigs]).capitalize()} are DKIM signatures by {domain} "
                         f"with the same selector, {selector}, each a signature of its own (not a copy): the sending "
                         f"side signed the message more than once with the same key ({_STACKED}). Now: "
                         + "; ".join(now_said(s) for s in sigs[:_MAX_LISTED])
                         + (f"; and {len(sigs) - _MAX_LISTED} more" if len(sigs) > _MAX_LISTED else "") + "." + order
                         + (" Each signature is judged on its own, and one that passes is enough for DKIM (RFC 6376 "
                            "section 4); a failing one beside it is what signing twice leaves, not a sign by itself."
                            if passing and failing else " Each signature is judged on its own (RFC 6376 section 4).")),
            reference=_RFC6376_MULTIPLE, subject=f"dkim {domain}/{selector}"))
    return findings, {key for key, sigs in groups.items() if len(sigs) >= 2}


def _recorded_with_one_key(recorded: Sequence[RecordedResult], covered: set[tuple[str, str]]) -> list[Finding]:
    """One field's DKIM results about distinct signatures (header.b) with the same header.d and
    header.s, whose signatures this copy does not hold (a paste that stops before them)."""
    fields: dict[int, list[RecordedResult]] = {}
    for result in recorded[:_MAX_CLAUSES_PER_FIELD]:
        if result.method == "dkim" and result.header_index is not None:
            fields.setdefault(result.header_index, []).append(result)
    findings: list[Finding] = []
    said: set[tuple[str, str, frozenset[str]]] = set()
    # The receiver's own fields first: one group told once, from its best source.
    for index, results in sorted(fields.items(), key=lambda item: (not item[1][0].trusted, item[0])):
        groups: dict[tuple[str, str], dict[str, RecordedResult]] = {}
        for result in results:
            properties = {key.lower(): value for key, value in result.properties}
            domain = normalize_domain(properties.get("header.d")) or ""
            selector = " ".join((properties.get("header.s") or "").split()).lower()[:63]
            signature = " ".join((properties.get("header.b") or "").split()).strip('"')[:40]
            if domain and selector and signature:
                groups.setdefault((domain, selector), {}).setdefault(signature, result)
        for (domain, selector), by_signature in groups.items():
            key = (domain, selector, frozenset(by_signature))
            if len(by_signature) < 2 or (domain, selector) in covered or key in said \
                    or len(findings) >= _MAX_SAME_KEY_GROUPS:
                continue
            said.add(key)
            first = next(iter(by_signature.values()))
            writer = (first.authserv_id or "an unnamed writer")[:120]
            passed = [b for b, r in by_signature.items() if r.result == "pass"]
            failed = [b for b, r in by_signature.items() if r.result in ("fail", "permerror")]
            recorded_words = "; ".join(
                f"{r.result} for {b}" + (f" ({' '.join(r.reason.split())[:80]})" if r.reason and r.result != "pass"
                                         else "") for b, r in list(by_signature.items())[:_MAX_LISTED])
            mixed = (" A signature made before a later change of the message (a footer, a re-encoding, a rewritten "
                     "field) breaks, and one made after it holds: each is judged on its own, and one that passes is "
                     "enough for DKIM (RFC 6376 section 4)." if passed and failed else "")
            standing = ("" if first.trusted else
                        f" The field is a claim, not relied on ({header_ref(index)}'s standing is told in its own "
                        "finding): this says what it records, not that the receiver did.")
            findings.append(Finding(
                id="dkim.signed_repeatedly", severity=Severity.NOTICE if passed and failed else Severity.INFO,
                title=(f"{_COUNT_WORDS.get(len(by_signature), str(len(by_signature)))} DKIM results for signatures "
                       f"of {domain} with one key (s={selector}): signed more than once"
                       + (f"; {len(passed)} pass, {len(failed)} fail, as recorded" if passed and failed else "")),
                explanation=(f"{header_ref(index).capitalize()} ({first.header}, by {writer}) records "
                             f"{len(by_signature)} DKIM results for {domain} with the same selector, {selector}, each "
                             f"about a different signature (header.b {', '.join(list(by_signature)[:_MAX_LISTED])}): what a sending side "
                             f"that signed the message more than once with the same key leaves ({_STACKED}). It "
                             f"recorded "
                             f"{recorded_words}.{mixed} The signatures themselves are not in this copy, so they "
                             f"are not re-checked.{standing}"),
                reference=_RFC6376_MULTIPLE, subject=f"dkim {domain}/{selector}"))
    return findings


def signed_repeatedly(message: Message, dkim: Sequence[DkimSignatureResult],
                      recorded: Sequence[RecordedResult]) -> list[Finding]:
    """dkim.signed_repeatedly: several signatures of one domain with one selector (one key), which
    a pass/fail mix otherwise leaves unexplained: the sending side signed more than once (stacked
    signing filters, a relay that signed again). Told from the signatures when this copy holds
    them, else from one result field's DKIM results about distinct signatures (header.b, RFC 6008)."""
    findings, covered = _signed_with_one_key(message, dkim, recorded)
    return findings + _recorded_with_one_key(recorded, covered)


_MAX_REMOVED = 3
# The fields in which a list keeps the results it recorded when the message reached it.
_PRESERVED_BY_LISTS = frozenset({"x-original-authentication-results", "x-mailman-original-authentication-results"})
_MAX_FIELDS_LOOKED_AT = 1000
# The d= tag of a (renamed) DKIM signature's tag list (RFC 6376 section 3.5).
_signature_domain_re = compiled_on_first_use(r"(?:^|;)\s*d\s*=\s*([A-Za-z0-9._-]{1,253})")


def removed_signatures(message: Message, dkim: Sequence[DkimSignatureResult],
                       recorded: Sequence[RecordedResult]) -> Finding | None:
    """dkim.removed: an earlier server recorded a DKIM pass for a domain (an ARC set's
    Authentication-Results, a list's preserved results, an earlier receiver's field) whose
    signature this copy no longer carries, under its own name or a renamed one: a server after
    that record removed it, as a Google group or a list that re-signs does. It explains why
    DMARC for that domain has no signature to pass with now. The receiving side's own records
    are compared with the signatures (compare); a pasted header may leave a signature out, so
    a paste is not judged."""
    if message.header_only:
        return None
    # Only where the copy shows a list or a forward that re-signs: a list's header fields, or
    # results a list kept under another name. A direct spoof can carry a made-up earlier record
    # too; without an intermediary in the copy, no server "after the record" is there to have
    # removed anything.
    through_list = message.first("List-Id") is not None
    present = {normalize_domain(s.domain) for s in dkim if s.domain}
    renamed = {normalize_domain(m.group(1)) for field in (
        message.headers[:_MAX_FIELDS_LOOKED_AT] if message.has_name_ending("-dkim-signature") else ())
        if field.name.lower().endswith("-dkim-signature")
        for m in [_signature_domain_re().search(field.value[:4000])] if m}
    gone: dict[str, RecordedResult] = {}
    for rec in recorded:
        if rec.method != "dkim" or rec.result != "pass" or rec.trusted \
                or not (through_list or rec.header.lower() in _PRESERVED_BY_LISTS):
            continue
        domain, selector, signature = _dkim_identity(rec.properties)
        # A record that names the signature it verified (its selector or its b=, RFC 8601
        # section 2.7.1 / RFC 6008), not only a domain: Microsoft's outbound record of the tenant's
        # own sending says "dkim=pass header.d=<From: domain>" before it signs with the tenant's
        # onmicrosoft.com key, of a signature that never existed.
        if domain is None or not (selector or signature) or domain in gone \
                or any(_domain_matches(domain, d) for d in present | renamed):
            continue
        gone[domain] = rec
        if len(gone) >= _MAX_REMOVED:
            break
    if not gone:
        return None
    domains = list(gone)
    first = gone[domains[0]]
    where = (f"{first.header} i={first.instance}" if first.instance is not None else first.header) + (
        f", {header_ref(first.header_index)}" if first.header_index is not None else "")
    names = ", ".join(domains)
    return Finding(
        id="dkim.removed", severity=Severity.INFO,
        title=f"An earlier server's record says a DKIM signature of {names} passed; it is not in the message now",
        explanation=(f"{_who(first)} recorded dkim=pass for {names} ({where}): an earlier server's record, a claim not "
                     f"checked here. The message carries no DKIM-Signature of {names} now, under that name or "
                     "another: if the record is true, the list the message came through removed it (mailing list "
                     "software that re-signs, a Google group, does). DMARC for that domain can then pass only through another aligned "
                     "signature, SPF, or an ARC set the receiver trusts (RFC 8617 section 7.2)."),
        reference="https://www.rfc-editor.org/rfc/rfc6376#section-3.5", subject="DKIM-Signature")
