"""Re-verify every DKIM-Signature (RFC 6376, RFC 8463 ed25519, RFC 8301 crypto update).

For each signature, in header order: read its tags, fetch the key through our Resolver,
check the body hash and the header signature separately (so the report can say "body
changed" vs. "signed headers changed"), then judge crypto strength and time. Around that,
the forensic view: body bytes beyond ``l=``, header fields added after signing, fields
signed but not over-signed, and alignment with the From: domain.

dkimpy supplies canonicalization and the RSA/ed25519 checks; see ``_dkimpy`` for why the
verification steps are driven from here rather than through ``dkim.DKIM.verify()``.
"""

from __future__ import annotations

import binascii
import dataclasses
import functools
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from .._value import IdentityMemo
from ..dns.interface import (
    REPLAYED_FAILURE_WORDS,
    DnsAnswer,
    DnsStatus,
    Resolver,
    normalize_name,
    retry_words,
)
from ..domains import aligned, list_id_label, organizational_domain
from ..era import RSA_SHA1_RETIRED
from ..message import Message
from ..model import (
    CANNOT_CHECK_FROM_COPY,
    DkimSignatureResult,
    Finding,
    HeaderField,
    Severity,
    UncheckableBody,
)
from ..text import compiled_on_first_use, header_ref, redaction_mark
from . import _dkimpy
from .tags import parse_tag_dict, parse_tag_list, split_colon_list

RFC6376 = "https://www.rfc-editor.org/rfc/rfc6376"
RFC8301 = "https://www.rfc-editor.org/rfc/rfc8301"

# Fields whose extra (unsigned) copy changes what a reader sees: the RFC 6376 section 5.4
# recommended set that MUAs display or that steer rendering.
IMPORTANT_HEADERS = ("from", "subject", "to", "cc", "date", "reply-to", "sender",
                     "content-type", "message-id")
_IMPORTANT_NAMES = tuple((name, name.encode("ascii")) for name in IMPORTANT_HEADERS)
_REQUIRED_TAGS = ("v", "a", "b", "bh", "d", "h", "s")  # RFC 6376 section 6.1.1
# RFC 6376 section 3.5 c=: header[/body], each simple or relaxed (body simple when absent).
_CANONICALIZATIONS = frozenset({"simple", "relaxed"} | {f"{h}/{b}" for h in ("simple", "relaxed")
                                                       for b in ("simple", "relaxed")})
_DOMAIN_SPECIALS = frozenset('()<>[]:;@\\,"') | frozenset(" \t\r\n")
FUTURE_TOLERANCE = timedelta(hours=1)
"""Clock skew allowed before a t= later than the reference time counts as future-dated."""
MAX_SIGNATURES = 50
"""RFC 6376 section 6.1: verifiers SHOULD limit how many signatures they try (each costs DNS)."""
MAX_LISTED_UNCHECKED = 10
"""Signatures past ``MAX_SIGNATURES`` that still get an entry (the bottom ones, the oldest): the
others are only counted (``dkim.too_many``), so 64,000 signatures do not make 64,000 entries."""
MAX_SAME_FINDINGS = 3
"""Findings of one id, severity and title kept apart (one per signature); more are merged into one."""
MIN_RSA_BITS = 1024
"""RFC 8301 section 3.2: verifiers must not consider signatures with smaller RSA keys valid."""
MAX_USUAL_RSA_BITS = 8192
"""RFC 8301 section 3.2 obliges verifiers to handle keys up to 4096 bits only; keys beyond
this are refused by common verifiers (rspamd: permfail) and cost them CPU per message."""


def _format_iso(moment: datetime) -> str:
    utc = moment.astimezone(timezone.utc)
    if utc.year >= 1000:
        # isoformat gives what strftime("%Y-%m-%dT%H:%M:%SZ") gives for 4-digit years, cheaper.
        return utc.isoformat(timespec="seconds")[:19] + "Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


# One signature's t= is written in its result and again in a reason, and a scan's "now" in the
# reason of every future-dated signature, while formatting an aware datetime costs more than a
# dozen dictionary lookups (datetimes are immutable: each object's text is kept).
_iso = IdentityMemo(_format_iso, 256)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


# The last second a datetime holds (9999-12-31T23:59:59Z), as seconds since 1970.
_LAST_EPOCH = 253_402_300_799


def _epoch(value: str | None, never_reached_ok: bool = False) -> tuple[datetime | None, str | None]:
    """(time, problem) for a t=/x= value: ``1*12DIGIT`` (RFC 6376 section 3.5). Twelve digits
    reach the year 33658, past the last date (and clock): a signing time there is a problem; with
    ``never_reached_ok`` (an expiry) it is (None, None), a moment no clock reaches."""
    if value is None:
        return None, None
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        return None, f"{value[:20]!r} is not a number of at most 12 digits"
    if int(value) > _LAST_EPOCH:
        return None, None if never_reached_ok else f"{value} is after the year 9999"
    return datetime.fromtimestamp(int(value), tz=timezone.utc), None


def _valid_domain(name: str) -> bool:
    # RFC 6376 section 3.5 d= is a domain name (A-labels or, per RFC 8616, U-labels):
    # refuse specials and empty labels, which dkimpy also rejects (d=a(.b) tricks).
    return 0 < len(name) <= 253 and _valid_domain_text(name)


@functools.lru_cache(maxsize=512)
def _valid_domain_text(name: str) -> bool:
    # Cached: a scan meets the same few d= and s= values again and again (at most 253
    # characters each, so the cache stays small).
    if not _DOMAIN_SPECIALS.isdisjoint(name):
        return False
    return all(label for label in name.rstrip(".").split("."))


class _Check:
    """What is learnt about one signature; turned into a DkimSignatureResult at the end.

    A plain slotted class, not a dataclass: dataclasses compiles its methods from source at
    import, a cost every start-up paid for this private record."""

    __slots__ = ("algorithm", "appended_lines", "auid", "body_hash", "body_hash_ok", "body_hash_words", "body_length", "body_missing", "budget", "canonicalization", "copied_subject", "domain",
                 "expiration", "failed_lookup", "header_index", "index", "key_among_several", "key_bits", "key_record_verified", "key_testing", "mbox_judged",
                 "mbox_limit", "mbox_reading", "mbox_unmatched", "not_oversigned", "notes",
                 "reason", "reason_code", "result", "selector", "signature", "signed_from", "signed_headers", "signed_lower",
                 "timestamp", "unsigned_body_bytes", "unsigned_body_text", "unsigned_headers", "untagged_subject")

    def __init__(self, index: int, header_index: int) -> None:
        self.index = index
        self.header_index = header_index
        self.domain: str | None = None
        self.selector: str | None = None
        self.algorithm: str | None = None
        # What its verifications may draw from the message's budget (_check_dkim); None: unbounded.
        self.budget: _dkimpy.BudgetClaim | None = None
        self.canonicalization: str | None = None
        self.signed_headers: tuple[str, ...] = ()
        self.signed_lower: tuple[str, ...] = ()  # signed_headers lower-cased (names are case-insensitive)
        self.body_hash = b""  # bh= and b= decoded (when the tags are valid)
        self.signature = b""
        self.body_length: int | None = None
        self.timestamp: datetime | None = None
        self.expiration: datetime | None = None
        self.auid: str | None = None
        self.key_bits: int | None = None
        self.key_testing = False
        # The revoked key record used is one of several at the selector (DkimSignatureResult).
        self.key_among_several = False
        # Which record verified it when the one used first did not (_other_key_record).
        self.key_record_verified: str | None = None
        self.body_hash_ok: bool | None = None
        self.body_hash_words: str | None = None
        self.body_missing = False  # the body is empty and the signer hashed another: not in the input
        self.unsigned_body_bytes: int | None = None
        self.unsigned_body_text: bool | None = None  # the bytes beyond l= hold more than white space
        self.unsigned_headers: tuple[str, ...] = ()
        self.not_oversigned: tuple[str, ...] = ()
        self.result = "permerror"
        self.reason = ""
        self.reason_code = "malformed"
        self.notes: list[str] = []
        self.failed_lookup: str | None = None  # "NAME: STATUS" of a key lookup that failed for now
        self.copied_subject: str | None = None  # the Subject as z= copied it when signed (RFC 6376 section 3.5)
        # (the tags taken off the Subject, whether the header signature then verifies) when it
        # failed with a tag at the Subject's start and the key was at hand; None otherwise.
        self.untagged_subject: tuple[str, bool] | None = None
        # On a message that names a mailing list (_names_list), a failing signature verified again
        # with what a list changes undone (_verify_list_changes): (lines, their text: _footer_text)
        # when the body hash matches the body without lines added at its end, proven with bh=; and
        # (the field it came from, that From: value, the Subject tag taken off or None) when the
        # header signature verifies with From: as another field still shows it, proven with the key.
        self.appended_lines: tuple[int, str] | None = None
        self.signed_from: tuple[str, str, str | None] | None = None
        # A mailbox's entry with quoted "From " lines (LoadedInput.mbox_quoted): the reading of its
        # body the body hash matched (MBOX_READING_WORDS), or True in mbox_unmatched when none did.
        self.mbox_reading: str | None = None
        self.mbox_unmatched = False
        # The reading the message's other signatures establish (mbox_established_reading), over
        # which this one's body hash, matching no reading, is judged a mismatch; None otherwise.
        self.mbox_judged: str | None = None
        # Matching no reading: what the line-by-line readings left untried (SplitMessage.mbox_mixed_limit).
        self.mbox_limit: str | None = None

    def finish(self, result: str, code: str, reason: str) -> None:
        self.result, self.reason_code, self.reason = result, code, reason

    @property
    def label(self) -> str:
        return signature_subject(self.domain, self.selector)


def signature_subject(domain: str | None, selector: str | None) -> str:
    """The subject of a finding about one DKIM signature: "dkim example.com/s1"."""
    return f"dkim {domain or '?'}/{selector or '?'}"


def check_dkim(message: Message, resolver: Resolver, *, from_domain: str | None,
               delivery_time: datetime | None, now: datetime, byte_exact: bool = True,
               received_before_sha1_retired: tuple[datetime, str] | None = None,
               uncheckable_body: UncheckableBody | None = None, mbox_quoted: bool = False,
               budget: _dkimpy.VerificationBudget | None = None,
               ) -> tuple[tuple[DkimSignatureResult, ...], tuple[Finding, ...]]:
    """Every signature in header order, with result, reason and forensic extras; and a note of
    any DomainKeys signature, which is not verified (see _domainkeys_note).

    ``budget``: the message's signature-checking budget, shared with ARC (a new one when None): a
    signature whose verification it cannot pay for is not tried (``policy``, ``budget_spent``).

    ``received_before_sha1_retired``: (the receiving side's trusted stamp, its source in words)
    when the message was received before RFC 8301 retired rsa-sha1 (era.received_before, which
    never takes a date the sender writes); an rsa-sha1 signature is then a historic one.
    ``uncheckable_body``: set for a copy that keeps the header as received but not the signed body
    (LoadedInput.uncheckable_body: an Outlook .msg, Apple Mail's .partial.emlx, a paste the loader
    cleaned up). ``mbox_quoted``: the message is a mailbox's entry whose body has lines its writer
    may have quoted (LoadedInput.mbox_quoted): a body hash that does not match the body as stored
    is matched against the body with that quoting undone (see _verify)."""
    results, findings = _check_dkim(message, resolver, from_domain=from_domain, delivery_time=delivery_time,
                                    now=now, byte_exact=byte_exact, historic=received_before_sha1_retired,
                                    uncheckable_body=uncheckable_body, mbox_quoted=mbox_quoted,
                                    budget=budget if budget is not None else _dkimpy.VerificationBudget())
    notes = [note for note in (_domainkeys_note(message), _renamed_signature_note(message, results))
             if note is not None]
    return results, (*findings, *notes) if notes else findings


def _domainkeys_note(message: Message) -> Finding | None:
    """DomainKeys (RFC 4870, historic since RFC 6376 replaced it): a signature of it is said, with
    its domain, and not verified; DMARC does not use it (RFC 7489 section 4.2 names DKIM)."""
    fields = message.all("DomainKey-Signature")
    if not fields:
        return None
    values, _ = parse_tag_dict(fields[0].value[:4000])
    domain = (values.get("d") or "").strip()[:253] or "a domain it does not name"
    return Finding(
        "dkim.domainkeys", Severity.INFO, f"DomainKeys signature by {domain}: historic, not verified",
        f"{header_ref(fields[0].index).capitalize()} is a DomainKeys signature (RFC 4870), the predecessor DKIM "
        "replaced in 2007 (RFC 4871, now RFC 6376). Receivers no longer verify it and DMARC does not count it, so it "
        "is not checked here and authenticates nothing today.", "https://www.rfc-editor.org/rfc/rfc4870",
        header_ref(fields[0].index))


# Words in a field name ending "-DKIM-Signature" that mark a signature kept under another name
# when a server changed the message: X-Original-DKIM-Signature (Sympa's DMARC protection,
# forwarding scripts), X-Mailman-Original-DKIM-Signature (Mailman 2.1's REMOVE_DKIM_HEADERS = 3),
# X-MSW-Original-DKIM-Signature (a filtering gateway), XMD-OLD-DKIM-Signature (MailData's audit
# gateway). X-Google-DKIM-Signature is none of them: Google's own internal signature.
_RENAMED_WORDS = frozenset({"original", "orig", "old"})
_RENAMED_SUFFIX = "-dkim-signature"
_MAX_RENAMED = 5


def _renamed_signatures(message: Message) -> list[HeaderField]:
    if not message.has_name_ending(_RENAMED_SUFFIX):
        return []
    return [header for header in message.headers
            if header.name.lower().endswith(_RENAMED_SUFFIX) and len(header.name) <= 80
            and not _RENAMED_WORDS.isdisjoint(header.name.lower()[:-len(_RENAMED_SUFFIX)].split("-"))
            ][:_MAX_RENAMED]


def _renamed_signature_note(message: Message, results: tuple[DkimSignatureResult, ...]) -> Finding | None:
    """dkim.renamed_signature: a server that changed the message (a filtering gateway, a mailing
    list) kept the DKIM-Signature its change broke under another name, so that receivers would
    not verify it. What the field says (its signer, selector and time) is told; it is never
    verified and vouches for nothing, since verifiers read DKIM-Signature fields only (RFC 6376
    section 3.5) and anyone can write such a field."""
    found = _renamed_signatures(message)
    if not found:
        return None
    said: list[str] = []
    signers: list[str] = []
    for header in found:
        values, _ = parse_tag_dict(header.value[:4000])
        domain = " ".join((values.get("d") or "").split())[:253]
        selector = " ".join((values.get("s") or "").split())[:63]
        when, _ = _epoch((values.get("t") or "").strip() or None)
        parts = [f"s={selector}"] if selector else []
        if when is not None:
            parts.append(f"signed {_iso(when)}")
        signers.append(domain or "an unnamed signer")
        said.append(f"{header_ref(header.index)}, {header.name[:80]}, keeps a signature by "
                    f"{domain or 'a domain it does not name'}" + (f" ({', '.join(parts)})" if parts else ""))
    now = list(dict.fromkeys(r.domain for r in results if r.domain))[:5]
    present = (f" The DKIM-Signature fields the message carries now are by {', '.join(now)}: those are the ones "
               "verified." if now else " The message carries no DKIM-Signature field now.")
    return Finding(
        "dkim.renamed_signature", Severity.INFO,
        f"A DKIM signature kept under another name (by {', '.join(dict.fromkeys(signers))}): not verified",
        "; ".join(said)[:1].upper() + "; ".join(said)[1:] + ". A server that changed the message on its way (a "
        "filtering gateway, or a mailing list: Mailman with REMOVE_DKIM_HEADERS = 3, Sympa when it rewrites From: "
        "for DMARC) renamed the original DKIM-Signature, which its change would break, so that receivers would "
        "not verify it and fail the message. Verifiers read DKIM-Signature fields only (RFC 6376 section 3.5), so it is not "
        "verified here and vouches for nothing: it tells who says they signed the message before it was changed, "
        "a claim anyone could write." + present,
        f"{RFC6376}#section-3.5", header_ref(found[0].index))


def _check_dkim(message: Message, resolver: Resolver, *, from_domain: str | None,
               delivery_time: datetime | None, now: datetime, byte_exact: bool = True,
               historic: tuple[datetime, str] | None = None, uncheckable_body: UncheckableBody | None = None,
               mbox_quoted: bool = False, budget: _dkimpy.VerificationBudget | None = None
               ) -> tuple[tuple[DkimSignatureResult, ...], tuple[Finding, ...]]:
    """Every signature in header order, with result, reason and forensic extras.

    ``byte_exact`` False says the input is not the bytes that were signed (an Outlook .msg
    rebuilt into MIME, a paste): a body hash or header signature mismatch then says
    nothing about the message and becomes ``neutral`` with reason_code ``not_original``.
    ``uncheckable_body`` (see check_dkim): a body hash mismatch the copy itself causes is ``neutral``
    with a reason code of COPY_UNCHECKABLE_CODES, a signature that cannot be checked from this copy
    (see _uncheckable_words). A signature over fields a .msg's rebuild wrote itself is verified over
    the header the rebuild started from (UncheckableBody.received_header), which keeps the received
    ones; without it, or when it does not verify there either, it fails as on any copy.
    """
    header_indexes = [h.index for h in message.all("DKIM-Signature")]
    if not header_indexes:
        return (), ()
    split = _dkimpy.split_message(message.raw)
    fields = split.field_positions()
    positions = fields.get(b"dkim-signature")
    if not positions:
        return (), ()
    # How many fields of each name a reader may see; field names are ASCII (RFC 5322
    # section 3.6.8), so the byte-wise lower-casing of the index is the text one.
    present = {name: len(fields.get(key, ())) for name, key in _IMPORTANT_NAMES}
    # A .msg's rebuild replaced these fields with its own (msg.REWRITTEN_FIELDS); the header it
    # started from keeps the received ones verbatim, so a signature over them is verified there,
    # and their copies are counted there: the rebuild's one Content-Type is no copy a sender wrote.
    rewritten = uncheckable_body.rewritten_fields if uncheckable_body is not None else ()
    received_header = uncheckable_body.received_header if uncheckable_body is not None else None
    as_received: _dkimpy.SplitMessage | None = None
    if received_header is not None and rewritten:
        as_received = split.with_header(received_header)
        kept = as_received.field_positions()
        present.update({name: len(kept.get(key, ())) for name, key in _IMPORTANT_NAMES if name in rewritten})
    delivery = _aware(delivery_time)
    now = _aware(now) or datetime.now(timezone.utc)
    established = functools.partial(mbox_established_reading, message, split) if mbox_quoted else None

    total = len(positions)
    # MAX_SIGNATURES are verified: those whose d= aligns with From: first (the ones DMARC rests
    # on, which junk signatures above them must not push out), then the others top first. Of the
    # rest only the bottom few get an entry: the signatures written first (RFC 5321 section 4.4:
    # fields are prepended), nearest the author, which a receiver's record most likely names.
    verified = _chosen(total, [split.headers[pos][1] for pos in positions] if total > MAX_SIGNATURES else [],
                       from_domain)
    listed = (range(total) if total <= MAX_SIGNATURES + MAX_LISTED_UNCHECKED else
              sorted(verified | set(itertools.islice((i for i in range(total - 1, -1, -1) if i not in verified),
                                                     MAX_LISTED_UNCHECKED))))
    kept_positions = [positions[index] for index in listed]
    checks: list[_Check] = []
    parsed: list[tuple[_Check, dict[str, str] | None]] = []
    for index, pos in zip(listed, kept_positions, strict=True):
        header_index = header_indexes[index] if index < len(header_indexes) else pos
        check = _Check(index=index, header_index=header_index)
        # The last field of a pasted header may be cut off where the paste stops; a copy (not the
        # original bytes, or a header alone) may have shortened a value by hand.
        tags = _read_tags(check, split.headers[pos][1],
                          last_of_paste=message.header_only and pos == len(split.headers) - 1,
                          copy=not byte_exact or message.header_only)
        if tags is not None and index not in verified:
            check.finish("policy", "too_many_signatures",
                         f"not verified: only {MAX_SIGNATURES} signatures are checked, those aligned with From: "
                         "first, then the topmost (RFC 6376 section 6.1)")
            tags = None
        parsed.append((check, tags))
        checks.append(check)

    # Let a live resolver fetch every key at once (RFC 6376 section 3.6.2.1 names).
    key_names = {f"{c.selector}._domainkey.{c.domain}" for c, tags in parsed if tags is not None}
    resolver.prefetch((name, "TXT") for name in sorted(key_names))
    answers: dict[str, DnsAnswer] = {}
    if message.has_body:
        # Every body hash the signatures need, in one pass over the body per canonicalization.
        split.prepare_body_hashes(_body_request(c) for c, tags in parsed if tags is not None)

    # A body of nothing but line ends: a copy of the header that kept the empty line after it,
    # or a message cut there. A signer's body hash that does not match it says the body is
    # missing, not that it changed (who would sign a body and then empty it?).
    blank_body = message.body_blank
    # A message that names a mailing list (RFC 2919): a failing signature is verified again with a
    # list's usual changes undone (_verify_list_changes); the List-Id only chooses what to try.
    footers = _ListFooters(split) if b"list-id" in fields else None
    for (check, tags), pos in zip(parsed, kept_positions, strict=True):
        if tags is None:
            continue
        header_split = split
        if as_received is not None and any(name in check.signed_lower for name in rewritten):
            header_split = as_received
        if budget is not None:
            check.budget = _dkimpy.BudgetClaim(budget, bool(from_domain and check.domain
                                                            and aligned(check.domain, from_domain)))
        try:
            _verify(check, split, split.headers[pos], resolver, answers, present,
                    has_body=message.has_body, delivery=delivery, now=now, blank_body=blank_body,
                    byte_exact=byte_exact, header_split=header_split, body_uncheckable=uncheckable_body is not None,
                    sha1_accepted_at_delivery=_accepted_at_delivery(check, historic), mbox_quoted=mbox_quoted,
                    mbox_established=established, footers=footers)
        except _dkimpy.VerificationBudgetSpent as spent:
            _not_paid_for(check, str(spent))
            continue
        if (not message.has_body or check.body_missing) and byte_exact \
                and check.reason_code == "signature_mismatch" \
                and (check.canonicalization or "simple").partition("/")[0] == "simple":
            # A header alone is a copy (from a mail program's header view or a web page), and a
            # copy may re-space what c=simple signs as written (RFC 6376 section 3.4.1); relaxed
            # canonicalization ignores such white space, so its mismatch still counts.
            check.finish("neutral", "not_original",
                         f"{check.reason}; but the input is a copy of the header alone and the signature "
                         "uses simple header canonicalization, which any change of white space by the copy "
                         "breaks (a mail program's header view or a web page re-spaces lines), so a mismatch "
                         "here says nothing about the message")
        mask = redaction_mark(split.headers[pos][1].decode("utf-8", "replace")) \
            if check.reason_code in _NOT_ORIGINAL else None
        if mask is not None:
            # A value masked with letters base64 allows ("b=REDACTED") reads, and fails.
            check.finish("neutral", "redacted", f"not verifiable: part of it was masked in this copy ({mask!r}) "
                                                f"({check.reason})")
        elif uncheckable_body is not None and (
                uncheckable := _uncheckable_words(check, uncheckable_body)) is not None:
            check.finish("neutral", "body_uncheckable", uncheckable)
            # Computed over a body that is not the signed one: it says nothing either way.
            check.body_hash_ok = None
        elif not byte_exact and check.reason_code in _NOT_ORIGINAL:
            check.finish("neutral", "not_original",
                         f"{check.reason}; but the input is not the original message bytes (an Outlook .msg "
                         "or a paste rebuilt them, or a mail client kept only part of the body), so a "
                         "mismatch here says nothing about the message")
        elif check.mbox_unmatched and check.reason_code == "body_hash_mismatch":
            # Not "changed after signing": the mailbox's quoting may be the difference. Its
            # signed header fields verify (else signature_mismatch, which stays a failure).
            check.finish("neutral", "not_original", f"body hash mismatch: {MBOX_UNMATCHED_WORDS}; the signed "
                                                    "headers are intact, so the mismatch may be the quoting's "
                                                    "and says nothing certain about the message")
            check.body_hash_ok = None
        elif check.mbox_reading is not None and check.body_hash_words is None:
            check.reason += f"; body hash verified over the body {mbox_reading_words(check.mbox_reading)}"
        elif check.mbox_judged is not None:
            check.reason += f"; {_judged_words(check.mbox_judged)}"
        if check.algorithm == "rsa-sha1" and check.reason_code != "rsa_sha1":
            # RFC 8301 section 3.1: whatever the outcome here, today's verifiers refuse rsa-sha1,
            # so no pass of this signature can be had now (said beside a failure's own reason).
            check.reason += f"; {_SHA1_WORDS}"
        if check.key_testing and check.reason_code != "key_testing":
            # A key with t=y that fails or is refused for another reason (a 512-bit key): the
            # testing flag is a fact of the key, said beside that reason.
            check.reason += f"; {_TESTING_WORDS}"

    results = tuple(_to_result(c, from_domain, _accepted_at_delivery(c, historic)) for c in checks)
    findings = _key_replaced(_findings(checks, present, from_domain, historic), results)
    if message.first("List-Id") is not None and any(c.reason_code == "signature_mismatch" for c in checks):
        findings = [_with_list_cause(f, checks, message) if f.id == "dkim.headers_changed" else f for f in findings]
    if any(_list_changes_proven(c) for c in checks):
        findings = _with_named_list_changes(findings, checks, message)
    if byte_exact and message.has_body:
        findings.extend(_body_changed_without_key(checks))
    mbox_note = _mbox_quoting_note(checks)
    if mbox_note is not None:
        findings.append(mbox_note)
    if byte_exact:
        findings.extend(_subject_tag_only_change(checks, _signed_list_label(message, checks)))
        cause = _possible_cause(checks, message)
        if cause is not None:
            findings.append(cause)
    findings = _merged(findings, frozenset(c.label for c in checks
                                           if from_domain and c.domain and aligned(c.domain, from_domain)))
    temperror = _temperror(checks, resolver.replays_stored_answers)
    if temperror is not None:
        findings.append(temperror)
    if total > MAX_SIGNATURES:
        findings.append(_too_many(total, verified))
    unpaid = [c for c in checks if c.reason_code == "budget_spent"]
    if unpaid:
        findings.append(_budget_finding(unpaid, from_domain))
    return results, tuple(findings)


def _not_paid_for(check: _Check, words: str) -> None:
    """A signature a verification of which the message's budget could not pay for (a key record
    used or another at its selector): not verified, whatever the verifications paid for said. Not a
    failure, not a pass, no key record that "may have been used", no rotation: what _verify learnt
    of its key is dropped, and only the body hash (computed without the key) is kept."""
    check.finish("policy", "budget_spent", words)
    check.key_among_several = False
    check.key_record_verified = None
    check.untagged_subject = None
    check.notes = [note for note in check.notes if note.startswith("l=")]


def _budget_finding(unpaid: list[_Check], from_domain: str | None) -> Finding:
    """dkim.budget_spent: the signatures left unverified when the message's signature-checking
    budget was spent (verification V48b D1-2: 50 signatures over selectors of costly keys cost 8 s)."""
    aligned_ones = [c for c in unpaid if from_domain and c.domain and aligned(c.domain, from_domain)]
    named = ", ".join(c.label for c in unpaid[:3]) + (f" and {len(unpaid) - 3} more" if len(unpaid) > 3 else "")
    return Finding(
        "dkim.budget_spent", Severity.WARNING,
        f"{len(unpaid)} DKIM signature{'' if len(unpaid) == 1 else 's'} not verified: the signature-checking budget "
        "was spent",
        f"{unpaid[0].reason[:1].upper()}{unpaid[0].reason[1:]} ({named}). Each signature check is paid for from one "
        "budget per message, shared with ARC, so that keys chosen to be slow to verify (large moduli and exponents) "
        "cannot stall the analysis; real mail uses a small part of it, and a quarter is kept for signatures aligned "
        "with From: with keys of the usual sizes. A signature not tried proves nothing either way: it does not pass, "
        "and DMARC does not rest on it" + (f" ({len(aligned_ones)} of them aligned with From:)" if aligned_ones else "")
        + ".", f"{RFC6376}#section-6.1", unpaid[0].label)


_MAX_NAMES_NAMED = 5


def _temperror(checks: list[_Check], replay: bool) -> Finding | None:
    """dkim.temperror: key lookups that failed for now (SERVFAIL, TIMEOUT), one finding for all
    the signatures they left unverified (RFC 6376 section 6.1.2: the verifier may try later,
    TEMPFAIL), so a scan can select the messages to check again (as spf.temperror, dmarc.temperror)."""
    failed = [c for c in checks if c.reason_code == "temperror"]
    if not failed:
        return None
    lookups = list(dict.fromkeys(c.failed_lookup or "?" for c in failed))
    named = "; ".join(lookups[:_MAX_NAMES_NAMED]) + (f"; and {len(lookups) - _MAX_NAMES_NAMED} more"
                                                     if len(lookups) > _MAX_NAMES_NAMED else "")
    count = "1 signature" if len(failed) == 1 else f"{len(failed)} signatures"
    return Finding(
        "dkim.temperror", Severity.NOTICE, f"DKIM key lookup failed (DNS error): {count} not verified",
        f"The key lookup failed for {named}. A temporary DNS failure (RFC 6376 section 6.1.2: the verifier may "
        f"try again later) says nothing of the {count} it left unverified: "
        + (f"{REPLAYED_FAILURE_WORDS}." if replay else "analyse the message again later."),
        f"{RFC6376}#section-6.1.2",
        failed[0].label if len(failed) == 1 else f"{failed[0].label} and {len(failed) - 1} more")


# The d= tag of a DKIM-Signature's tag list (RFC 6376 section 3.2: tags separated by ";", white
# space around "=" allowed), read from its first bytes only, to choose which signatures to verify.
_d_tag = compiled_on_first_use(rb"(?:^|;)[ \t\r\n]{0,64}d[ \t\r\n]{0,64}=[ \t\r\n]{0,64}([A-Za-z0-9._-]{1,253})")
_D_TAG_SCAN = 8192


def _chosen(total: int, values: list[bytes], from_domain: str | None) -> set[int]:
    """The indexes of the signatures to verify, MAX_SIGNATURES at most (RFC 6376 section 6.1 lets
    a verifier limit them): every one when there are no more; else those whose d= aligns with
    From: (RFC 7489 section 3.1, relaxed), then the others, top first. ``values``: each field's
    raw value, needed only past the limit."""
    if total <= MAX_SIGNATURES:
        return set(range(total))
    first: list[int] = []
    from_org = (organizational_domain(from_domain) or from_domain).lower().encode("ascii", "replace") \
        if from_domain else b""
    if from_domain and from_org:
        for index, value in enumerate(values):
            found = _d_tag().search(value[:_D_TAG_SCAN])
            # An organisational domain is a suffix of its name: only a d= ending in From:'s can
            # align (a cheap test first, for the 64,000 signatures of a hostile message).
            d = found.group(1).lower() if found else b""
            if d and (d == from_org or d.endswith(b"." + from_org)) \
                    and aligned(d.decode("ascii"), from_domain):
                first.append(index)
                if len(first) == MAX_SIGNATURES:
                    break
    chosen = set(first)
    for index in range(total):
        if len(chosen) >= MAX_SIGNATURES:
            break
        chosen.add(index)
    return chosen


def _too_many(total: int, verified: set[int]) -> Finding:
    """dkim.too_many: more signatures than are verified (RFC 6376 section 6.1 lets a verifier
    limit them), as hops.too_many says of Received fields."""
    unlisted = max(0, total - MAX_SIGNATURES - MAX_LISTED_UNCHECKED)
    listed = total - MAX_SIGNATURES - unlisted
    later = sorted(index for index in verified if index >= MAX_SIGNATURES)
    if not later:
        title = f"{total} DKIM-Signature fields: only the first {MAX_SIGNATURES} checked"
        which = (f"the first {MAX_SIGNATURES} (top) were checked; the {total - MAX_SIGNATURES} below them were not"
                 + (f", and only the bottom {listed} of those (the oldest, nearest the author) are listed; the "
                    f"{unlisted} between are only counted here." if unlisted else "."))
    else:
        # Signatures aligned with From: below the first MAX_SIGNATURES were checked in place of
        # the last of the top ones: DMARC rests on them.
        title = f"{total} DKIM-Signature fields: only {MAX_SIGNATURES} checked"
        which = (f"the {len(later)} whose d= aligns with From: below the top {MAX_SIGNATURES} (signature"
                 f"{'s' if len(later) > 1 else ''} {', '.join(str(i + 1) for i in later[:5])}"
                 + (f" and {len(later) - 5} more" if len(later) > 5 else "")
                 + f") were checked first, then the top {MAX_SIGNATURES - len(later)}; the other "
                 f"{total - MAX_SIGNATURES} were not" + (", and of those only the bottom ones (the oldest, nearest "
                                                        "the author) are listed." if unlisted else "."))
    return Finding(
        "dkim.too_many", Severity.WARNING, title,
        f"The message carries {total} DKIM-Signature fields. Real mail carries one to three (the author's domain, "
        f"its sending provider, a mailing list); this many means a message built to overload verifiers, or to "
        f"bury a signature among them. RFC 6376 section 6.1 lets a verifier limit how many it tries: {which}",
        f"{RFC6376}#section-6.1", "DKIM-Signature")


_MAX_SUBJECTS_NAMED = 5
# Signatures aligned with From: a merged finding names, however many others it stands for.
_MAX_ALIGNED_NAMED = 10


def _merged(findings: list[Finding], aligned_labels: frozenset[str] = frozenset()) -> list[Finding]:
    """Findings of one id, severity and title (the same problem of many signatures: 50 "Body
    changed after DKIM signing") as one finding with a count and the first few signatures, where
    there are more than MAX_SAME_FINDINGS of them. Those about a signature aligned with From:
    (``aligned_labels``, the one DMARC rests on) come first, so the merged finding carries their
    words and names each of them: junk signatures above the From: domain's must not hide its
    changed body or added From: among theirs."""
    groups: dict[tuple[str, Severity, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.id, finding.severity, finding.title), []).append(finding)
    if all(len(group) <= MAX_SAME_FINDINGS for group in groups.values()):
        return findings
    out: list[Finding] = []
    for finding in findings:
        group = groups[(finding.id, finding.severity, finding.title)]
        if len(group) <= MAX_SAME_FINDINGS:
            out.append(finding)
            continue
        if finding is not group[0]:
            continue  # merged into the first of its group, in that one's place
        ranked = sorted(group, key=lambda f: f.subject not in aligned_labels)  # stable: aligned first
        lead = ranked[0]
        aligned_named = [(f.subject or "?")[:120] for f in ranked if f.subject in aligned_labels][:_MAX_ALIGNED_NAMED]
        others = [(f.subject or "?")[:120] for f in ranked[len(aligned_named):]]
        named = aligned_named + others[:max(0, _MAX_SUBJECTS_NAMED - len(aligned_named))]
        more = len(group) - len(named)
        which = "The From:-aligned one" if aligned_named else "The first"
        out.append(dataclasses.replace(
            lead, title=f"{lead.title} ({len(group)} signatures)",
            explanation=(f"{len(group)} DKIM signatures give this finding: {', '.join(named)}"
                         + (f" and {more} more" if more else "") + f". {which}: {lead.explanation}"),
            # Not one signature's subject: nothing that looks a finding up by its signature
            # (to explain it as a list's change, say) takes it for that one signature's alone.
            subject=f"{lead.subject or 'dkim'} and {len(group) - 1} more",
            count=sum(f.count for f in group)))
    return out


_NOT_ORIGINAL = frozenset({"body_hash_mismatch", "signature_mismatch"})
"""Results that compare bytes: meaningless when the input is not the signed bytes."""


def _uncheckable_words(check: _Check, uncheckable: UncheckableBody) -> str | None:
    """Why a body hash mismatch on a copy that does not keep the signed body says nothing; None
    for any other failure, which stands as for any copy.

    Such a copy keeps the header fields as received and a body that is not the signed one (an
    Outlook .msg keeps the decoded text, not the MIME bytes, MS-OXMSG; Apple Mail's .partial.emlx
    leaves out the attachments it keeps in separate files; a paste's body is what a mail program's
    view or a web page showed, re-spaced and re-encoded): the body hash (RFC 6376 section 3.7)
    cannot match. The header hash can: the signed fields are verified as received, those a .msg's
    rebuild wrote itself too (over the transport headers, which keep the originals: _check_dkim),
    so a header mismatch is a change to the message, not the copy's doing."""
    if check.reason_code != "body_hash_mismatch":
        return None
    body = f"the body is {uncheckable.words}, not the bytes that were signed"
    restored = [name for name in uncheckable.rewritten_fields if name in check.signed_lower] \
        if uncheckable.received_header is not None else []
    if not restored:
        return (f"{CANNOT_CHECK_FROM_COPY}: the signed header fields verify, but {body}, so the body hash (bh=) "
                "cannot match whatever the message was (RFC 6376 section 3.7)")
    return (f"{CANNOT_CHECK_FROM_COPY}: the signed header fields verify, {as_kept_words(restored)}, but {body}, so "
            "the body hash (bh=) cannot match whatever the message was (RFC 6376 section 3.7)")


def as_kept_words(names: list[str]) -> str:
    """How a signature over the fields a .msg's rebuild wrote itself was verified, in words that
    follow "the signed header fields verify"."""
    shown = [FIELD_SPELLING.get(name, name) for name in names]
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    return (f"with the {listed} the .msg keeps in its transport headers (headerscope's rebuild wrote its own to "
            "attach the messages embedded in it)")


FIELD_SPELLING = {  # how the rewritten fields are written (RFC 2045 section 3)
    "mime-version": "MIME-Version", "content-type": "Content-Type",
    "content-transfer-encoding": "Content-Transfer-Encoding"}


def _body_request(check: _Check) -> tuple[str, str, int | None]:
    """(body canonicalization, a=, l=) of a signature, the key of its body hash."""
    body_canon = (check.canonicalization or "simple/simple").partition("/")[2] or "simple"
    return body_canon, check.algorithm or "rsa-sha256", check.body_length


# What a page or a person puts in place of the middle of a long value it shortens: "[...]",
# "...", "…", "[snip]". None of these characters is in base64 or in a tag value a signer writes
# (RFC 6376 section 3.5), z= aside, whose copied header values may hold dots.
_elision = compiled_on_first_use(r"\[\s?(?:\.{3}|\u2026|snip(?:ped)?)\s?\]|\.{3}|\u2026", re.IGNORECASE)
_MAX_ELISION_SCAN = 8000


def _shortened_tag(values: dict[str, str]) -> tuple[str, str] | None:
    """(tag, mark) of the first tag value (z= aside) holding an elision mark, or None."""
    for tag, value in values.items():
        if tag == "z":
            continue
        found = _elision().search(value, 0, _MAX_ELISION_SCAN)
        if found is not None:
            return tag, found.group(0)
    return None


def _read_tags(check: _Check, raw_value: bytes, last_of_paste: bool = False,
               copy: bool = False) -> dict[str, str] | None:
    """Fill the descriptive fields; None (with the check finished) when it cannot be verified.
    ``last_of_paste``: the field ends a pasted header, where the paste may have cut it off.
    ``copy``: the input is a copy (not the original bytes, or a header alone), which may have
    shortened a value by hand."""
    values, error = parse_tag_dict(raw_value.decode("utf-8", "replace"))
    check.domain = (values.get("d") or "").strip().lower() or None
    check.selector = (values.get("s") or "").strip() or None
    check.algorithm = (values.get("a") or "").strip().lower() or None
    check.canonicalization = (values.get("c") or "").strip().lower() or None
    check.auid = (values.get("i") or "").strip() or None
    if "h" in values:
        check.signed_headers, check.signed_lower = _signed_names(values["h"])
    if "z" in values:
        check.copied_subject = _copied_subject(values["z"])
    shortened = _shortened_tag(values) if copy else None
    if shortened is not None:
        # A blog or a ticket shortened the value ("b=f/QQI/aH2h[...]zd+afw=="): the signature the
        # message carried is not in the copy, which says nothing of whether it was well formed
        # or valid. Only in a copy: in the original bytes such a value is the sender's, and
        # malformed.
        tag, mark = shortened
        check.finish("neutral", "shortened",
                     f"not checked: the copy shortened its {tag}= value ({mark!r} in place of the rest), so the "
                     "signature the message carried cannot be read from it")
        return None
    missing = [t for t in _REQUIRED_TAGS if t not in values]
    problem = (f"signature tags are malformed: {error}" if error else
               "signature lacks required tag(s) " + ", ".join(f"{t}=" for t in missing) + _upper_case_words(
                   missing, values) if missing else
               _tag_problem(check, values))
    if problem is None:
        return values
    mask = redaction_mark(raw_value.decode("utf-8", "replace"))
    if mask is not None:
        # A person hid part of it before sharing the copy: the signature the message carried
        # cannot be read here, which says nothing of whether it was well formed or valid.
        check.finish("neutral", "redacted",
                     f"not readable: part of it was masked in this copy ({mask!r}), so it cannot be verified "
                     f"({problem})")
        return None
    if last_of_paste and "b" in missing:
        # The paste stops inside the signature (b= comes last as signers write it): what is
        # missing was never copied, which says nothing of the signature the message carried.
        check.finish("neutral", "cut_off",
                     f"not readable: it is the last field of the pasted header and stops before its b= tag, so the "
                     f"paste cut it off ({problem})")
        return None
    check.finish("permerror", "malformed", problem)
    return None


def _upper_case_words(missing: list[str], values: dict[str, str]) -> str:
    """The missing tags written in upper case ("V=1; A=rsa-sha256"), said as such: tag names are
    case-sensitive (RFC 6376 section 3.2), so V= is not v=, but a reader needs to be told why a tag
    in plain sight is said to be missing (verification V40c)."""
    upper = [tag.upper() for tag in missing if tag.upper() in values]
    if not upper:
        return ""
    return (" (" + ", ".join(f"{tag}=" for tag in upper) + " present in upper case: tag names are case-sensitive, "
            "RFC 6376 section 3.2)")


_qp_octet = compiled_on_first_use(r"=([0-9A-Fa-f]{2})")


def _copied_subject(z_value: str) -> str | None:
    """The Subject in z= ("From:a@b|Subject:Hello=20there"), dkim-quoted-printable undone
    (RFC 6376 sections 2.11 and 3.5), or None when z= copies none."""
    for item in z_value[:4000].split("|"):
        name, colon, value = item.strip().partition(":")
        if colon and name.strip().lower() == "subject":
            raw = _qp_octet().sub(lambda m: chr(int(m.group(1), 16)), "".join(value.split())[:1000])
            return raw.encode("latin-1", "replace").decode("utf-8", "replace")
    return None


def _read_signed_names(h_value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(``h=`` names as written, the same lower-cased), empty items left out."""
    names = tuple(n for n in split_colon_list(h_value) if n)
    return names, tuple(n.lower() for n in names)


_cached_signed_names = functools.lru_cache(maxsize=256)(_read_signed_names)
MAX_CACHED_H_LENGTH = 1024
"""Longest ``h=`` whose reading is cached: real lists are far shorter; longer ones (hostile,
up to a whole tag list) are read each time, so the cache stays small."""


def _signed_names(h_value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``_read_signed_names``, cached: a scan meets the same few signers' ``h=`` again and again."""
    if len(h_value) <= MAX_CACHED_H_LENGTH:
        return _cached_signed_names(h_value)
    return _read_signed_names(h_value)


def _damaged_body_hash(check: _Check) -> str | None:
    """Why bh= is no digest at all, or None. bh= is the body's hash (RFC 6376 section 3.5): of
    another length than the algorithm's digest it matches no body, so its mismatch would blame
    the body for a damaged tag. Judged after the key lookup, as a mismatch is, so the evidence
    (and the DNS the analysis asks) stays that of any failing signature."""
    digest_size = 20 if check.algorithm == "rsa-sha1" else 32
    if not check.body_hash or len(check.body_hash) == digest_size:
        return None
    return (f"bh= is {len(check.body_hash)} bytes, but a {(check.algorithm or 'rsa-sha256').rsplit('-', 1)[1]} "
            f"digest is {digest_size} bytes: the signature was damaged (cut, or its tags joined) or written by hand")


def _tag_problem(check: _Check, values: dict[str, str]) -> str | None:
    """First RFC 6376 section 3.5 / 6.1.1 violation, or None."""
    if values["v"].strip() != "1":
        return f"v={values['v'][:10]!r} is not 1"
    if check.algorithm not in _dkimpy.HASHES:
        return f"unsupported signature algorithm a={check.algorithm!r}"
    canon = check.canonicalization or "simple/simple"
    if canon not in _CANONICALIZATIONS:
        return f"unknown canonicalization c={canon!r}"
    domain = check.domain or ""
    if not _valid_domain(domain):
        return f"d={domain[:60]!r} is not a domain name"
    if not _valid_domain(check.selector or ""):
        return f"s={(check.selector or '')[:60]!r} is not a valid selector"
    if "from" not in check.signed_lower:
        # RFC 6376 section 6.1.1: signatures that do not sign From: must be ignored.
        return "h= does not include From: (RFC 6376 section 6.1.1 requires it)"
    if check.auid:
        auid_domain = check.auid.rpartition("@")[2].lower().rstrip(".")
        if not (auid_domain == domain or auid_domain.endswith("." + domain)):
            return f"i={check.auid[:60]!r} is not in d={domain} or a subdomain"
    query = values.get("q")
    if query is not None and query != "dns/txt" and "dns/txt" not in (q.lower() for q in split_colon_list(query)):
        return f"q={values['q'][:30]!r} names no supported key query method"
    if "l" in values:
        length = values["l"].strip()
        if not length.isascii() or not length.isdigit() or len(length) > 76:
            return f"l={length[:20]!r} is not a decimal number"
        check.body_length = int(length)
    check.timestamp, problem = _epoch(values["t"].strip() if "t" in values else None)
    if problem:
        return f"t= {problem}"
    check.expiration, problem = _epoch(values["x"].strip() if "x" in values else None, never_reached_ok=True)
    if problem:
        return f"x= {problem}"
    if check.timestamp and check.expiration and check.expiration < check.timestamp:
        # RFC 6376 section 3.5: x= MUST be greater than t=.
        return "x= (expiration) is earlier than t= (signing time)"
    decoded: list[bytes] = []
    for tag in ("b", "bh"):
        if not values[tag].strip():
            return f"{tag}= is empty"  # base64string has at least one character (RFC 6376 section 2.4)
        try:
            # base64.b64decode(text, validate=True) without its wrapper: the same ASCII
            # encoding (a non-ASCII character raises ValueError) and the same strict decoder.
            decoded.append(binascii.a2b_base64("".join(values[tag].split()).encode("ascii"), strict_mode=True))
        except (binascii.Error, ValueError):
            return f"{tag}= is not valid base64"
    # Kept for the checks: once validated, decoding without validate=True gives the same bytes.
    check.signature, check.body_hash = decoded
    return None


def _fetch_key(check: _Check, resolver: Resolver, answers: dict[str, DnsAnswer]) -> tuple[_dkimpy.PublicKey, dict[str, str]] | None:
    """Key and its tags (RFC 6376 section 3.6.1), or None with the check finished."""
    name = normalize_name(f"{check.selector}._domainkey.{check.domain}")
    answer = answers.get(name)
    if answer is None:
        answer = answers[name] = resolver.resolve(name, "TXT")
    if answer.status == DnsStatus.OFFLINE:
        # RFC 8601 section 2.7.1 "none" means unsigned; this signature exists but was not checked.
        check.finish("not_checked", "offline", "not checked (offline)")
        return None
    if answer.temporary_failure:
        check.finish("temperror", "temperror",
                     f"key lookup for {name} failed: {answer.status} ({retry_words(answer.status, resolver.replays_stored_answers)})")
        check.failed_lookup = f"{name[:300]}: {answer.status}"
        return None
    if answer.status == DnsStatus.NXDOMAIN or not answer.ok:
        cause = ("the selector was rotated out or is wrong" if not answer.cname_chain else
                 f"the key is not published where the alias points{_provider_words(answer.cname_chain[-1])}")
        check.finish("permerror", "key_not_found", f"no key published: {missing_key_words(name, answer)}; {cause}")
        return None
    record, note = _dkimpy.key_record(name, answer.records)
    if note is not None:
        check.notes.append(note)
    return _key_of_record(check, name, record, note, answer.records)


def _key_of_record(check: _Check, name: str, record: str, note: str | None,
                   records: Sequence[Sequence[str]]) -> tuple[_dkimpy.PublicKey, dict[str, str]] | None:
    """The key a record at ``name`` gives this signature (RFC 6376 section 6.1.2 steps 4 to 6),
    or None with the check finished: why the record cannot verify it. ``note``: key_record's
    note on the several records at the name (``records``), None for a single one."""
    key_record = _read_key_record(record)
    values = key_record.values
    if key_record.error:
        check.finish("permerror", "key_syntax", f"key record at {name} is malformed: {key_record.error}")
        return None
    check.key_testing = key_record.testing
    if key_record.bad_version:
        # RFC 6376 section 3.6.1: v= "MUST be set to DKIM1" and "MUST be the first tag"; which
        # of the two it breaks is said (verification V40c: "has v='DKIM1'; it must be DKIM1" read
        # as a contradiction).
        if values["v"] != "DKIM1":
            later = "" if next(iter(values)) == "v" else ", and not as its first tag"
            spf = ", an SPF record, not a DKIM key" if values["v"].startswith("spf1") else ""
            return _key_error(check, "key_syntax", f"key record at {name} has v={values['v'][:10]!r}{later}{spf}: "
                                                   "v= must be DKIM1 (RFC 6376 section 3.6.1)")
        return _key_error(check, "key_syntax", f"key record at {name} has v=DKIM1 but not as its first tag, where "
                                               "RFC 6376 section 3.6.1 requires it")
    p_value = key_record.p_value
    if p_value is None:
        return _key_error(check, "key_syntax", f"key record at {name} has no p= tag{_upper_case_words(['p'], values)}")
    if p_value == "":
        # RFC 6376 section 3.6.1: an empty p= means the key has been revoked.
        if note is not None and _dkimpy.key_record_count(records) > 1:
            # One of several key records, the first, used (section 3.6.2.2: undefined): whether the
            # signer revoked its key or left a revoked record beside it is not known, and a verifier
            # that chose another may have verified (section 6.1.2). Said as ARC says it (arc._key_problem).
            check.notes.remove(note)
            check.key_among_several = True
            return _key_error(check, "key_revoked", f"{note}, and it is revoked (empty p=): with several key "
                                                    "records the result is undefined (RFC 6376 section 3.6.2.2)")
        return _key_error(check, "key_revoked", f"the key at {name} has been revoked (empty p=)")
    kind = key_record.kind
    if kind not in ("rsa", "ed25519"):
        return _key_error(check, "key_syntax", f"key record at {name} has unknown key type k={kind!r}")
    algorithm = check.algorithm or ""
    if not algorithm.startswith(kind + "-"):
        return _key_error(check, "key_mismatch", f"a={algorithm} cannot be verified with the {kind} key at {name}")
    if key_record.hashes is not None and algorithm.split("-")[-1] not in key_record.hashes:
        # RFC 6376 section 6.1.2 step 5: the key restricts the hash algorithms.
        return _key_error(check, "key_mismatch", f"the key at {name} allows only h={values['h']} hashes")
    if not key_record.for_email:
        return _key_error(check, "key_mismatch", f"the key at {name} is not for email (s={values['s']})")
    if key_record.same_domain and check.auid:
        auid_domain = check.auid.rpartition("@")[2].lower().rstrip(".")
        if auid_domain != check.domain:
            return _key_error(check, "key_mismatch", f"the key at {name} has t=s, so i= must be in d= itself")
    key = _dkimpy.load_public_key(kind, p_value)
    if isinstance(key, str):
        return _key_error(check, "key_syntax", f"key at {name} cannot be used: {key}")
    check.key_bits = key.bits
    return key, values


def missing_key_words(name: str, answer: DnsAnswer) -> str:
    """Where a key lookup of ``name`` found nothing (NXDOMAIN or no TXT record). A selector that is
    an alias (CNAME) exists: the name that does not is its target, the one named (RFC 6604 section
    3: the response code is that of the chain's last name). A customer's selector points at its
    provider's name this way (Microsoft 365's selector1/selector2 at the tenant's onmicrosoft.com
    name), and the provider's record missing is the common case (verification V40c defect 2)."""
    what = "does not exist (NXDOMAIN)" if answer.status == DnsStatus.NXDOMAIN else "has no TXT record"
    if not answer.cname_chain:
        return f"{name} {what}"
    aliases = ", itself an alias of ".join(answer.cname_chain)
    return f"{name} is an alias (CNAME) of {aliases}, which {what}"


def _provider_words(target: str) -> str:
    """What a missing key at an alias's target means, for the provider the target names."""
    if target.rstrip(".").lower().endswith(".onmicrosoft.com"):
        # Microsoft 365 publishes a custom domain's keys at its tenant's name only once DKIM
        # signing is set up for that domain (its DKIM setup documentation).
        return (" (for Microsoft 365: DKIM signing not yet enabled for the domain in the tenant, or this "
                "selector not yet rotated in)")
    return ": the provider it points to has not published it yet, or removed it"


class _KeyRecord(NamedTuple):
    """What a key record says (RFC 6376 section 3.6.1), read once per record text."""

    values: dict[str, str]
    """The tags by name (callers must not modify it: it is shared through the cache)."""
    error: str | None
    """Why the tag list is malformed, or None."""
    testing: bool
    """t= has the flag y."""
    same_domain: bool
    """t= has the flag s: i= must be in d= itself."""
    bad_version: bool
    """v= is present but is not DKIM1 or not the first tag."""
    p_value: str | None
    """p= without whitespace, None when absent."""
    kind: str
    """k=, lower-cased (rsa when absent)."""
    hashes: tuple[str, ...] | None
    """h= items, lower-cased, None when absent."""
    for_email: bool
    """s= (default ``*``) includes ``*`` or ``email``."""


@functools.lru_cache(maxsize=256)
def _read_key_record(record: str) -> _KeyRecord:
    """The key record's tags and flags; cached because a scan meets the same few key records
    again and again. Nothing here depends on the signature: _fetch_key judges that part."""
    values, error = parse_tag_dict(record)
    flags = [f.strip().lower() for f in split_colon_list(values.get("t", ""))]
    services = [s.strip().lower() for s in split_colon_list(values.get("s", "*"))]
    return _KeyRecord(
        values=values,
        error=error,
        testing="y" in flags,
        same_domain="s" in flags,
        bad_version="v" in values and (values["v"] != "DKIM1" or next(iter(values)) != "v"),
        p_value="".join(values["p"].split()) if "p" in values else None,
        kind=values.get("k", "rsa").strip().lower(),
        hashes=tuple(h.strip().lower() for h in split_colon_list(values["h"])) if "h" in values else None,
        for_email="*" in services or "email" in services,
    )


def _key_error(check: _Check, code: str, reason: str) -> tuple[_dkimpy.PublicKey, dict[str, str]] | None:
    """Finish the check with a key problem; returns None for ``return _key_error(...)``."""
    check.finish("permerror", code, reason)
    return None


def _verify(check: _Check, split: _dkimpy.SplitMessage,
            field_pair: _dkimpy.HeaderPair, resolver: Resolver, answers: dict[str, DnsAnswer],
            present: dict[str, int], *, has_body: bool, delivery: datetime | None, now: datetime,
            blank_body: bool = False, byte_exact: bool = True,
            header_split: _dkimpy.SplitMessage | None = None, body_uncheckable: bool = False,
            sha1_accepted_at_delivery: bool = False, mbox_quoted: bool = False,
            mbox_established: Callable[[], str | None] | None = None, footers: _ListFooters | None = None) -> None:
    """Verify one signature: its body hash over ``split``'s body, its header hash over
    ``header_split``'s header fields (``split``'s when None: see _check_dkim). ``body_uncheckable``:
    the input keeps the header but not the signed body (LoadedInput.uncheckable_body).
    ``sha1_accepted_at_delivery``: see _accepted_at_delivery. ``mbox_quoted``: a mailbox's entry
    whose body has quoted "From " lines (LoadedInput.mbox_quoted): a body hash that does not match
    the body as stored is matched against its readings with the quoting undone
    (SplitMessage.mbox_readings: two at most, computed only then); the one that matches is the body
    (``check.mbox_reading``), and matching none, the body hash cannot be judged
    (``check.mbox_unmatched``: which quoting the writer used cannot be known, RFC 4155 section 2),
    unless the message's other signatures establish the reading (``mbox_established``), over which
    it is a mismatch as on any message (``check.mbox_judged``). ``footers``: the message has a
    List-Id; a failure is then verified again with a list's changes undone (_verify_list_changes),
    the body cut where a footer may start hashed once for all its signatures (_ListFooters)."""
    algorithm = check.algorithm or "rsa-sha256"
    header_canon, _, body_canon = (check.canonicalization or "simple/simple").partition("/")
    body_canon = body_canon or "simple"
    _forensics(check, present)

    # The body hash does not need the key: compute it first so "body changed" is reported
    # even when the key is gone (RFC 6376 section 3.7).
    if has_body:
        matched, body_size = _body_matches(check, split, body_canon, algorithm)
        body = split
        if mbox_quoted and not blank_body:
            if matched:
                check.mbox_reading = "stored" if split.has_mbox_quoted_lines() else None
            else:
                # The whole readings, then (an mboxo writer that quoted some lines beside the
                # sender's own '>From ' lines) each such line read both ways: as ARC reads an AMS.
                request = (body_canon, algorithm, check.body_length)
                found = split.mbox_reading_matching(request, check.body_hash)
                if found is not None:
                    matched = True
                    check.mbox_reading, body, body_size = found
                    # Lines past l= are unsigned: a line-by-line reading names only those within.
                    check.mbox_reading = mbox_reading_within(check.mbox_reading, split, body_canon, check.body_length)
                elif readings := split.mbox_readings():
                    check.mbox_limit = split.mbox_mixed_limit()
                    check.mbox_judged = mbox_established() if mbox_established is not None else None
                    check.mbox_unmatched = check.mbox_judged is None
                    judged = dict(readings).get(check.mbox_judged or "")
                    if judged is not None:
                        body, body_size = judged, judged.body_hash(*request)[1]
        length = check.body_length
        check.body_hash_ok = matched
        if not matched and _damaged_body_hash(check) is not None:
            check.body_hash_ok = None  # no body matches it: the tag is damaged, not the body changed
        if not matched and length is not None and length > body_size:
            check.notes.append(f"l={length} is longer than the body ({body_size} bytes): content was removed")
        if length is not None and length < body_size:
            check.unsigned_body_bytes = body_size - length
            check.unsigned_body_text = body.tail_has_text(body_canon, length)
        if blank_body and check.body_hash_ok is False:
            # The body the signer hashed is not in the input: judged as a header alone.
            check.body_missing = True
            check.body_hash_ok = None
            check.notes = [note for note in check.notes if not note.startswith("l=")]
            has_body = False

    fetched = _fetch_key(check, resolver, answers)
    fields = header_split if header_split is not None else split
    verdict: bool | str | None = None
    if fetched is not None and _damaged_body_hash(check) is None:
        verdict = _dkimpy.verify_header_signature(
            fields, header_canon=header_canon, algorithm=algorithm, include_headers=check.signed_lower,
            signature_field=field_pair, signature=check.signature, key=fetched[0], budget=check.budget)
    added_from: str | None = None
    if verdict is False or (fetched is None and check.reason_code in _RECORD_CODES
                            and _damaged_body_hash(check) is None):
        # The record used does not verify it: the selector's other key records may (RFC 6376
        # section 6.1.2 lets a verifier cycle through them; a key rotation leaves the old one
        # beside the new). A key the signer's domain publishes is that domain's: none is excused.
        other = _other_key_record(check, answers, fields, field_pair, header_canon=header_canon, algorithm=algorithm,
                                  record_used_gave_no_key=fetched is None)
        if other is not None:
            fetched, added_from = (other[0], {}), other[1]
            verdict = other[2] and added_from is None
    if fetched is None:
        if check.reason_code == "offline" and algorithm == "rsa-sha1":
            # RFC 8301 section 3.1 rejects rsa-sha1 whatever the key: known without DNS.
            check.finish("permerror", "rsa_sha1",
                         "signed with rsa-sha1, which verifiers must no longer accept whatever the key (RFC 8301 "
                         "section 3.1); the signature itself was not checked (offline)")
        if check.body_hash_ok is False and not byte_exact:
            # The body hashed is a rebuild (an Outlook .msg keeps no MIME bytes): its mismatch is the
            # copy's, not a change to the message, and no failure is reported for it.
            check.body_hash_ok = None
            check.reason += "; its body hash cannot be checked: this copy's body is not the original bytes"
        elif check.body_hash_ok is False and check.mbox_unmatched:
            check.body_hash_ok = None
            check.reason += f"; its body hash cannot be checked: {MBOX_UNMATCHED_WORDS}"
        elif check.body_hash_ok is False:
            check.reason += "; the body has also changed since signing (body hash mismatch)"
        elif (damaged := _damaged_body_hash(check)) is not None:
            check.reason += f"; {damaged}"
        elif check.body_hash_ok:
            # The one part checkable without the key (RFC 6376 section 3.7) is said in the
            # signature's row, as a mismatch is: it tells an analyst whether only the signed
            # headers or the key can be at issue. Not in the reason, which verdicts and
            # comparisons quote: a forger writes the hash of its own body (verification V9, N5).
            # The result word stays: nothing passes without the key.
            check.body_hash_words = _body_match_words(check)
            if check.mbox_reading is not None:
                check.body_hash_words += f" (over the body {mbox_reading_words(check.mbox_reading)})"
        return
    key, _ = fetched
    damaged = _damaged_body_hash(check)
    if damaged is not None or verdict is None:
        check.finish("permerror", "malformed", damaged or "")
        return
    if isinstance(verdict, str):
        check.finish("permerror", "malformed", verdict)
        return
    name = f"{check.selector}._domainkey.{check.domain}"
    expected = (key.bits + 7) // 8 if key.kind == "rsa" else 64
    if not verdict and added_from is None and len(check.signature) == expected:
        added_from = _verify_without_added_from(check, fields, field_pair, key, header_canon=header_canon,
                                                algorithm=algorithm)
    # A list's changes are looked for only on the original bytes of a whole body (not a copy,
    # a mailbox's quoting or an l= signature, whose tail is unsigned anyway).
    list_changes = footers is not None and byte_exact and has_body and not body_uncheckable and not mbox_quoted \
        and check.body_length is None
    if not verdict and added_from is None:
        if "subject" in check.signed_lower:
            _verify_untagged(check, fields, field_pair, key, header_canon=header_canon, algorithm=algorithm)
        if footers is not None and list_changes and len(check.signature) == expected:
            _verify_list_changes(check, footers, fields, field_pair, key, header_canon=header_canon,
                                 body_canon=body_canon, algorithm=algorithm)
        reason = (f"signed headers changed since signing (or the key at {name} was replaced)")
        not_in_input = _signed_fields_not_in_input(check, present, header_only=not has_body or blank_body)
        if not_in_input:
            reason = not_in_input
        if len(check.signature) != expected:
            # An RSA signature is exactly as long as the key's modulus (RFC 8017 section 8.2.2
            # step 1), an ed25519 one 64 bytes (RFC 8032 section 5.1.7): a b= of another length
            # was not made with this key, whatever the headers say, so a change to them is not the
            # cause to look for.
            reason = (f"b= is {len(check.signature)} bytes, but a signature by the {key.bits}-bit {key.kind} key at "
                      f"{name} is {expected} bytes ({'RFC 8017 section 8.2.2' if key.kind == 'rsa' else 'RFC 8032 section 5.1.7'}): "
                      "b= was damaged, or made with "
                      "another key (the key was replaced, or the signature forged)")
        if check.body_hash_ok is False and body_uncheckable:
            # A .msg's, .partial.emlx's or paste's body is not the signed one: its hash cannot match, which
            # says nothing of the body (not "changed too", which reads as a change after delivery).
            reason += "; its body hash cannot be checked from this copy"
            check.body_hash_ok = None
        elif check.body_hash_ok is False and check.mbox_unmatched:
            reason += f"; its body hash cannot be checked: {MBOX_UNMATCHED_WORDS}"
            check.body_hash_ok = None
        elif check.body_hash_ok is False:
            reason += "; the body changed too"
        check.finish("fail", "signature_mismatch", reason)
        return
    from_added = added_from is not None or present["from"] > check.signed_lower.count("from")
    # On a copy without the signed body a body hash mismatch is excused (_uncheckable_words): an
    # added From: is not the copy's doing, so it is judged first there and stays a failure. So on a
    # mailbox's entry whose body hash matches no reading of its "From " quoting (mbox_unmatched).
    body_unknown = body_uncheckable or check.mbox_unmatched
    if check.body_hash_ok is False and not (body_unknown and from_added):
        if body_unknown or not byte_exact:
            # On a copy whose body is not the signed bytes the mismatch says nothing (_check_dkim
            # words it so), but the rules a verifier applies whatever the body still do: a
            # signature they refuse whenever it was delivered (a key too small to trust or too
            # large, expired before delivery, signed in the future: RFC 8301 section 3.2, RFC 6376
            # section 3.5) is refused here too, not left unchecked. rsa-sha1 on mail delivered before 2018 is the exception: refused today
            # (RFC 8301 section 3.1) but one of RFC 6376's algorithms then, so on a copy it is
            # "cannot be checked" with the refusal said beside it (_check_dkim), as a receiver's
            # recorded pass of it may be right; delivered since, it is refused as on any input.
            _judge_valid(check, has_body=has_body, delivery=delivery, now=now,
                         sha1_accepted_at_delivery=sha1_accepted_at_delivery)
            if check.result != "pass" and not (check.reason_code == "rsa_sha1" and sha1_accepted_at_delivery):
                check.reason += ("; its body hash cannot be checked from this copy"
                                 if body_uncheckable or not byte_exact else
                                 f"; its body hash cannot be checked: {MBOX_UNMATCHED_WORDS}")
                check.body_hash_ok = None
                return
        check.finish("fail", "body_hash_mismatch",
                     "body changed after signing (body hash mismatch); the signed headers are intact")
        if footers is not None and list_changes:
            check.appended_lines = _appended_lines(check, footers, body_canon, algorithm)
        return
    if from_added:
        # dkimpy fails such messages (its bug #644046, RFC 6376 section 8.15): the From: a
        # reader sees may be the unsigned one added above the signed one.
        reason = ("a From: field the signer did not sign was added; the signed fields verify" if added_from is None
                  else f"a From: field the signer did not sign was added {added_from} the signed one; the signed "
                       "fields verify with it left out; mail programs differ in which From: they show (RFC 6376 "
                       "section 8.15)")
        if check.body_hash_ok is False:
            # (Only on a copy without the signed body, as above: its hash says nothing.)
            reason += ("; its body hash cannot be checked from this copy" if body_uncheckable else
                       f"; its body hash cannot be checked: {MBOX_UNMATCHED_WORDS}")
            check.body_hash_ok = None
        check.finish("fail", "from_added", reason)
        return
    _judge_valid(check, has_body=has_body, delivery=delivery, now=now,
                 sha1_accepted_at_delivery=sha1_accepted_at_delivery)


_RECORD_CODES = frozenset({"key_syntax", "key_revoked", "key_mismatch"})
"""Reason codes of a key record that gives this signature no key (_key_of_record): another record
at the selector may."""


def _other_key_record(check: _Check, answers: dict[str, DnsAnswer], fields: _dkimpy.SplitMessage,
                      field_pair: _dkimpy.HeaderPair, *, header_canon: str, algorithm: str,
                      record_used_gave_no_key: bool = False) -> tuple[_dkimpy.PublicKey, str | None, bool] | None:
    """The key of another key record at the selector that verifies the signature when the record
    used does not (RFC 6376 section 6.1.2: "the Verifier can choose one of the key records or may
    cycle through the key records"), and _verify_without_added_from's answer with it (None: the
    fields verify as they are). At most _dkimpy.MAX_KEY_RECORDS records are tried in all, revoked
    ones and those of another v= never. Found: the check's key facts and notes are that record's,
    and a note says which it is. None when none verifies: a note says which were tried, and the
    check is otherwise as the record used left it; except when the record used gave no key
    (``record_used_gave_no_key``: revoked, another key type) and another record's key was tried:
    then, every other key record tried, (that key, None, False): the signature judged with the
    selector's usable key, so it fails
    as a signature that does not verify (verification V45b D1: a revoked record put first beside the
    real key turned a header changed after delivery into "the receiver may have used another
    record", which the tool had just disproved)."""
    name = normalize_name(f"{check.selector}._domainkey.{check.domain}")
    answer = answers.get(name)
    if answer is None or not answer.ok or len(answer.records) < 2:
        return None
    others, untried = _dkimpy.other_key_records(answer.records)
    if not others:
        if check.key_among_several:
            # No other record is a key a verifier could use (revoked too, no p=, text of another
            # kind): the receiver that recorded a pass cannot have used one (verification V45b D2).
            check.key_among_several = False
            check.reason = check.reason.split(": with several key records", 1)[0]
        return None
    tried: list[int] = []
    too_large: list[tuple[int, str]] = []
    usable: tuple[_dkimpy.PublicKey, _Check, int] | None = None
    unpaid = 0
    for index, (position, record) in enumerate(others):
        refusal = _dkimpy.oversized_key_words(record)
        if refusal is not None:
            # Over DKIM's size bounds (load_public_key): no key to try, said so with its size,
            # not as a key tried (verification V45f).
            too_large.append((position, refusal))
            continue
        trial = _Check(check.index, check.header_index)
        trial.domain, trial.selector, trial.algorithm, trial.auid = check.domain, check.selector, algorithm, check.auid
        fetched = _key_of_record(trial, name, record, None, answer.records)
        tried.append(position)
        if fetched is None:
            continue
        key = fetched[0]
        usable = usable or (key, trial, position)
        try:
            verdict = _dkimpy.verify_header_signature(
                fields, header_canon=header_canon, algorithm=algorithm, include_headers=check.signed_lower,
                signature_field=field_pair, signature=check.signature, key=key, budget=check.budget)
        except _dkimpy.VerificationBudgetSpent:
            if record_used_gave_no_key:
                raise  # no key was used: the signature is not tried (_not_paid_for)
            # The record used was tried and did not verify it: that failure stands, and this record
            # and those after it are said as not tried for want of budget (verification V53a D2-1:
            # it read "it was not tried", and the record used's failure was lost).
            tried.pop()
            rest = others[index + 1:]
            too_large += [(at, words) for at, text in rest if (words := _dkimpy.oversized_key_words(text)) is not None]
            unpaid = 1 + sum(1 for _, text in rest if _dkimpy.oversized_key_words(text) is None)
            break
        added_from: str | None = None
        if verdict is not True and len(check.signature) == ((key.bits + 7) // 8 if key.kind == "rsa" else 64):
            added_from = _verify_without_added_from(check, fields, field_pair, key, header_canon=header_canon,
                                                    algorithm=algorithm)
        if verdict is True or added_from is not None:
            first_note = _dkimpy.key_record(name, answer.records)[1]
            check.notes = [note for note in check.notes if note != first_note]
            check.key_record_verified = _dkimpy.key_records_verified_words(name, answer.records, position)
            check.notes.append(check.key_record_verified)
            check.key_among_several = False
            check.key_testing, check.key_bits = trial.key_testing, trial.key_bits
            return key, added_from, True
    words = _dkimpy.key_records_tried_words(tried, untried, too_large, unpaid)
    if record_used_gave_no_key and usable is not None and not untried:
        # The selector publishes a key (the record used is no key): the signature is judged with it,
        # and does not verify with any key the selector gave.
        key, trial, position = usable
        check.result, check.reason_code, check.reason = "permerror", "", ""
        check.key_among_several = False
        check.key_testing, check.key_bits = trial.key_testing, trial.key_bits
        check.notes.append(f"the {_dkimpy.ordinal(position)} of {len(answer.records)} TXT records at {name} is the "
                           f"selector's key, the first being no key; {words}")
        return key, None, False
    if check.key_among_several:
        # The revoked record's reason names the several records (_key_of_record): the others tried are
        # said there, so dkim.key_unavailable says it too. Every other key record tried, the receiver
        # that recorded a pass cannot have used one of them: the revoked record reads as a single one.
        if not untried and not unpaid:
            check.key_among_several = False
            check.reason = check.reason.split(": with several key records", 1)[0]
        check.reason += f"; {words}"
    else:
        check.notes.append(words)
    return None


def _body_matches(check: _Check, body: _dkimpy.SplitMessage, canon: str, algorithm: str) -> tuple[bool, int]:
    """(whether ``body``'s hash by the signature's rules is its bh=, the canonical body's length).
    An l= longer than the body never matches: content was removed (RFC 6376 section 8.2)."""
    digest, size = body.body_hash(canon, algorithm, check.body_length)
    return (check.body_length is None or check.body_length <= size) and digest == check.body_hash, size


# How the body hash of a mailbox's entry was matched (_Check.mbox_reading, ARC's instances too),
# in words that follow "over the body". RFC 4155 section 2: mboxo writers put a ">" before body
# lines starting with "From ", mboxrd writers also before ">From ", ">>From "... lines.
MBOX_READING_WORDS = {
    "stored": "as stored (its '>From ' lines are the sender's own: an mboxo writer leaves an original '>From ' "
              "line alone)",
    "mboxrd": "with the mailbox's '>From ' quoting undone (mboxrd: one '>' taken off every '>From ', '>>From ', ... "
              "line)",
    "mboxo": "with the mailbox's '>From ' quoting undone (mboxo: one '>' taken off each '>From ' line, the "
             "'>>From ' lines as stored)",
    "mbox": "with the mailbox's '>From ' quoting undone (one '>' taken off each '>From ' line, as mboxo and mboxrd "
            "readers both do)",
}
MBOX_UNMATCHED_WORDS = (
    "the message is a mailbox's entry whose body has lines starting with '>From ', and which of them its writer "
    "quoted cannot be known from the file (RFC 4155 section 2: mboxo puts a '>' before 'From ' lines and leaves an "
    "original '>From ' line alone, mboxrd quotes both); the body hash matches none of its readings (as stored, "
    "mboxrd, mboxo, and each of the first four '>From ' lines un-quoted or left)")
"""Why the body hash of such an entry cannot be judged: a body none of the readings restores (a
change, or '>From ' lines beyond those read both ways: see _Check.mbox_limit)."""


def mbox_reading_words(reading: str, consequence: bool = True) -> str:
    """How the body of a mailbox's entry was read (a name of MBOX_READING_WORDS, or a line-by-line
    reading's: _dkimpy.mbox_mixed_name, with mbox_reading_within's reach), in words that follow
    "over the body". ``consequence``: a line-by-line reading's words end by saying the body as
    stored is not the signed one (False in a note that says it once for all its readings)."""
    if not reading.startswith(_dkimpy.MIXED_PREFIX):
        return MBOX_READING_WORDS[reading]
    parts = reading[len(_dkimpy.MIXED_PREFIX):].split("/")
    taken, left, total = ([number for number in part.split(",") if number] for part in parts[:3])
    later = int(total[0]) - len(taken) - len(left)
    # The lines past l= (mbox_reading_within): unsigned, so either reading of them matches.
    reach = int(parts[3]) if len(parts) > 3 else None
    past = [number for number in taken + left if reach is not None and int(number) > reach]
    taken = [number for number in taken if number not in past]
    left = [number for number in left if number not in past]
    off = [f"body line{_plural(taken)} {', '.join(taken)}"] if taken else []
    off += [f"the {later} later '>From ' line{'s' if later > 1 else ''}"] if later else []
    what = [f"one '>' taken off {' and '.join(off)}"] if off else []
    what += [f"body line{_plural(left)} {', '.join(left)} as stored"] if left else []
    several = len(past) > 1
    past_words = (f"; body line{_plural(past)} {', '.join(sorted(past, key=int))}, past the signed length (l=), "
                  f"{'are' if several else 'is'} unsigned, so either reading of {'them' if several else 'it'} "
                  "matches" if past else "")
    return ("with the mailbox's '>From ' quoting undone line by line (an mboxo writer quoted some lines and left "
            f"the sender's own '>From ' lines alone: {', '.join(what)}{past_words})"
            + (", so the body as stored is not the signed one" if consequence else ""))


def mbox_reading_within(reading: str, split: _dkimpy.SplitMessage, body_canon: str, length: int | None) -> str:
    """A line-by-line reading's name (_dkimpy.mbox_mixed_name) with "/N" appended when an l= of
    ``length`` canonical bytes reaches only the lines it names up to line N: a line past l= is
    unsigned, so un-quoting it or not matches alike, and mbox_reading_words says so instead of
    naming how it was read (verification V43c: "body lines 4, 7 as stored", line 7 appended past
    l=). Any other name, or no l=, is returned as it is. A line counts as reached when its first
    byte, where the quoting's '>' is, lies within l=."""
    if length is None or not reading.startswith(_dkimpy.MIXED_PREFIX):
        return reading
    taken, left = ({int(number) for number in part.split(",") if number}
                   for part in reading[len(_dkimpy.MIXED_PREFIX):].split("/")[:2])
    lines = tuple(sorted(taken | left))
    offsets = _mixed_line_offsets(split, body_canon, lines)
    reach = 0
    for line, offset in zip(lines, offsets, strict=False):
        # The reading's body is shorter by the '>' taken off each un-quoted line before this one.
        if offset - sum(1 for other in taken if other < line) >= length:
            break
        reach = line
    return reading if reach == lines[-1] else f"{reading}/{reach}"


@functools.lru_cache(maxsize=2)
def _mixed_line_offsets(split: _dkimpy.SplitMessage, body_canon: str, lines: tuple[int, ...]) -> tuple[int, ...]:
    """The offsets in the canonical body (RFC 6376 sections 3.4.3, 3.4.4: one line per body line)
    at which body ``lines`` (ascending, from 1) start, for those it holds. Kept for the two
    messages last asked: every signature of a message with a line-by-line reading asks of the same
    lines (the ones read both ways), and the canonical body is a copy of the whole body (under
    MBOX_MIXED_MAX_BODY, as only such a body has those readings), made once, not per signature."""
    canonical = split.canonical_body(body_canon)
    offsets: list[int] = []
    line, start = 1, 0
    for wanted in lines:
        while line < wanted:
            end = canonical.find(b"\r\n", start)
            if end < 0:
                return tuple(offsets)
            start, line = end + 2, line + 1
        offsets.append(start)
    return tuple(offsets)


def _plural(numbers: list[str]) -> str:
    return "s" if len(numbers) > 1 else ""


def _judged_words(reading: str) -> str:
    """How a signature whose body hash matches no reading of a mailbox entry's body is judged when
    the message's other signatures establish one (_Check.mbox_judged)."""
    return (f"judged over the body {mbox_reading_words(reading)}, the reading another signature's body hash in "
            "the message matches")


def mbox_established_reading(message: Message, split: _dkimpy.SplitMessage) -> str | None:
    """The reading of a mailbox entry's body its DKIM-Signature and ARC-Message-Signature fields
    establish (SplitMessage.mbox_established_reading): the first MAX_SIGNATURES of each, by their
    own body hash tags, whatever their header signatures say (a body hash anyone could write only
    ever takes the excuse of an ambiguous reading away from another signature, never makes one pass)."""
    def body_hashes() -> Iterator[tuple[tuple[str, str, int | None], bytes]]:
        for name in ("DKIM-Signature", "ARC-Message-Signature"):
            for field in message.all(name)[:MAX_SIGNATURES]:
                read = _dkimpy.body_hash_request(parse_tag_list(field.value))
                if read is not None:
                    yield read

    return split.mbox_established_reading(body_hashes)


def _mbox_quoting_note(checks: list[_Check]) -> Finding | None:
    """dkim.mbox_quoting: how the body of a mailbox's entry with quoted "From " lines was read for
    each signature's body hash (info), or that it matched no reading (notice)."""
    read = [c for c in checks if c.mbox_reading is not None or c.mbox_unmatched or c.mbox_judged is not None]
    if not read:
        return None
    unmatched = [c for c in read if c.mbox_unmatched]
    # A line-by-line reading: the body as stored is not the signed bytes, some of its '>' were the writer's.
    mixed = [c for c in read if (c.mbox_reading or "").startswith(_dkimpy.MIXED_PREFIX)]
    limits = sorted({c.mbox_limit for c in unmatched if c.mbox_limit is not None})
    said = "; ".join(f"{c.label}: " + ("matches none of the readings" if c.mbox_unmatched else
                                        f"matches no reading, and is {_judged_words(c.mbox_judged)}: its body "
                                        "changed after it signed" if c.mbox_judged is not None else
                                        f"verified over the body {mbox_reading_words(c.mbox_reading or 'stored', False)}")
                     for c in read[:_MAX_NAMES_NAMED])
    more = f"; and {len(read) - _MAX_NAMES_NAMED} more" if len(read) > _MAX_NAMES_NAMED else ""
    background = (
        "The message is a mailbox's entry whose body has lines starting with '>From '. A mailbox writer puts a "
        "'>' before body lines starting with 'From ' (mboxo), or also before '>From ', '>>From '... lines "
        "(mboxrd), and which one wrote a file cannot be known from it (RFC 4155 section 2), so each body hash was "
        "matched against the body as stored and with that quoting undone (wholly, or line by line when neither "
        "matched).")
    if unmatched:
        return Finding(
            "dkim.mbox_quoting", Severity.NOTICE,
            "DKIM body hash matches no reading of the mailbox's '>From ' quoting",
            f"{background} {said}{more}. A signature whose body hash matches none is neither passed nor said to be "
            "broken by a change: a changed body matches none, and so may one an mboxo writer quoted beyond the "
            "readings tried" + (f" ({'; '.join(limits)})" if limits else "") + ". Its signed header fields are "
            "still verified.", "https://www.rfc-editor.org/rfc/rfc4155#section-2",
            ", ".join(c.label for c in unmatched))
    if mixed:
        # Verified, but over bytes that are not the stored ones: an analyst quoting the stored body
        # as the signed one would be wrong about which '>' characters the sender wrote.
        return Finding(
            "dkim.mbox_quoting", Severity.NOTICE,
            "DKIM body hash verified only with the mailbox's '>From ' quoting undone line by line",
            f"{background} {said}{more}. The body as stored is not byte for byte the signed one: the mailbox's "
            "writer (mboxo) put a '>' before some of its lines and not before the sender's own '>From ' lines, and "
            f"only the reading{'s' if len(mixed) > 1 else ''} named restore{'' if len(mixed) > 1 else 's'} the "
            "signed bytes.", "https://www.rfc-editor.org/rfc/rfc4155#section-2",
            ", ".join(c.label for c in mixed))
    return Finding(
        "dkim.mbox_quoting", Severity.INFO, "DKIM body hashes checked over the mailbox's '>From ' quoting",
        f"{background} {said}{more}.", "https://www.rfc-editor.org/rfc/rfc4155#section-2",
        ", ".join(c.label for c in read))


def _verify_untagged(check: _Check, split: _dkimpy.SplitMessage, field_pair: _dkimpy.HeaderPair,
                     key: _dkimpy.PublicKey, *, header_canon: str, algorithm: str) -> None:
    """A header signature that fails on a Subject starting with a tag ("[EXTERNAL]", "[SPAM]"):
    verified again with the tag taken off the signed Subject field (the bottom-most, RFC 6376
    section 5.4.2). A pass proves the tag is the only change to the signed header fields, as a
    gateway or filter adds it after signing; a failure proves it is not the only one."""
    positions = split.field_positions().get(b"subject")
    if not positions:
        return
    from . import modifiers  # only when a signature broke

    position = positions[-1]
    field_name, value = split.headers[position]
    candidates = modifiers.untagged_subjects(value)
    # A tag inside encoded words the tagger wrote again: the signer's own word breaks are
    # guessed, so only a pass tells anything (verification V17 N3).
    reencoded = not candidates
    if reencoded:
        candidates = modifiers.reencoded_untagged_subjects(value)
    if not candidates:
        return
    for tags, untagged in candidates:
        # Sharing the message's canonical fields and hashes: only the Subject is canonicalized again.
        copy = split.with_field(position, (field_name, untagged))
        try:
            verdict = _dkimpy.verify_header_signature(
                copy, header_canon=header_canon, algorithm=algorithm, include_headers=check.signed_lower,
                signature_field=field_pair, signature=check.signature, key=key, budget=check.budget)
        except _dkimpy.VerificationBudgetSpent:
            # The signature itself was verified and failed: only this re-check is not done.
            _note_once(check, f"not verified again without the Subject tag: {_dkimpy.BUDGET_SPENT_WORDS}")
            return
        if verdict is True:
            check.untagged_subject = (tags, True)
            return
    if not reencoded:
        check.untagged_subject = (candidates[0][0], False)


_FOOTER_TAIL = 3000
"""Bytes at the end of the body in which a list's footer is looked for (Mailman's is four lines)."""
_FOOTER_LINES = 40
"""Lines at the end of the body looked at for where a footer starts."""
_FOOTER_TRIES = 4
"""Body hashes computed at most, one per place a footer may start."""
_MAX_LIST_TRIES = 6
"""Header signatures verified at most with From: as another field shows it (and a Subject tag off)."""
_MAX_FROM_CANDIDATES = 3
_footer_rule = compiled_on_first_use(rb"(?:[_=*~#-] ?){10,80}[ \t]{0,40}\r?\n?|-- ?\r?\n?")
"""A line that starts a footer block: a rule (Mailman's 47 underscores, Sympa's and mlmmj's dashes)
or the signature separator Google Groups and others put before theirs (RFC 3676 section 4.3)."""


_FOOTER_PROOF_MAX_BODY = 4 << 20
"""Bodies longer than this (4 MiB) are not searched for a list's footer: list posts are far
smaller, and each canonicalization a failing signature uses costs one more pass over the body."""
_body_text = compiled_on_first_use(rb"[^ \t\r\n\x0b\x0c]")
"""A byte bytes.strip() keeps: text, not white space."""


def _footer_starts(raw: bytes, body_start: int) -> list[int]:
    """Where a block added at the end of the body may start, at most _FOOTER_TRIES of them: lines
    that are a rule or a signature separator, then lines after an empty one, nearest the end first;
    only within the body's last _FOOTER_TAIL bytes and _FOOTER_LINES lines, and never so that no
    text is left before it. Reads no byte before the tail but to find the body's first text once."""
    end = len(raw)
    floor = max(body_start, end - _FOOTER_TAIL)
    first_text = _body_text().search(raw, body_start, end)
    if first_text is None:
        return []
    search_end = end - 1 if raw.endswith(b"\n") else end
    rules: list[int] = []
    after_empty: list[int] = []
    for _ in range(_FOOTER_LINES):
        newline = raw.rfind(b"\n", floor, search_end)
        if newline < 0:
            break
        start, search_end = newline + 1, newline
        if first_text.start() >= start:
            break  # no text before it
        line_end = raw.find(b"\n", start)
        line = raw[start:end if line_end < 0 else line_end + 1]
        if _footer_rule().fullmatch(line):
            rules.append(start)
        elif line.strip():
            previous = raw.rfind(b"\n", floor, newline)
            if previous >= 0 and _body_text().search(raw, previous + 1, newline) is None:
                after_empty.append(start)  # the line before it is empty (or white space)
    return list(dict.fromkeys(rules + after_empty))[:_FOOTER_TRIES]


def _content_type_multipart(value: bytes) -> bool:
    """Whether a Content-Type value may name a multipart type (RFC 2046 section 5.1): its media
    type before any parameter holds "multipart". Said yes when in doubt, the side that claims less."""
    return b"multipart" in value.partition(b";")[0].lower()


class _ListFooters:
    """The places a footer may start in a message's body that names a mailing list, and the body
    hashes of the body cut there, computed once for the message per (canonicalization, hash) and
    compared with every failing signature's bh= (V53e D-1: per signature, a forger's 50 failing
    signatures bought 200 hashes of the whole body). Only for bodies up to _FOOTER_PROOF_MAX_BODY.
    A plain slotted class, as _Check."""

    __slots__ = ("_cuts", "_digests", "content_types", "multipart", "split")

    def __init__(self, split: _dkimpy.SplitMessage) -> None:
        self.split = split
        positions = split.field_positions().get(b"content-type", [])
        self.content_types = len(positions)
        """How many Content-Type fields the header holds."""
        self.multipart = any(_content_type_multipart(split.headers[at][1]) for at in positions)
        """A Content-Type names a multipart body: what the reader sees is its parts, not its text."""
        self._cuts: list[int] | None = None
        self._digests: dict[tuple[str, str], dict[int, bytes]] = {}

    def cuts(self) -> list[int]:
        """_footer_starts of the body, none when it is longer than _FOOTER_PROOF_MAX_BODY."""
        if self._cuts is None:
            split = self.split
            self._cuts = [] if len(split.raw) - split.body_start > _FOOTER_PROOF_MAX_BODY \
                else _footer_starts(split.raw, split.body_start)
        return self._cuts

    def cut_matching(self, body_canon: str, algorithm: str, body_hash: bytes) -> int | None:
        """The place nearest the end where the body cut there hashes to ``body_hash``, or None."""
        cuts = self.cuts()
        if not cuts or algorithm not in _dkimpy.HASHES or body_canon not in ("simple", "relaxed"):
            return None
        key = (body_canon, algorithm)
        digests = self._digests.get(key)
        if digests is None:
            digests = self._digests[key] = self.split.prefix_body_hashes(body_canon, algorithm, cuts)
        return next((cut for cut in cuts if digests[cut] == body_hash), None)


def _appended_lines(check: _Check, footers: _ListFooters, body_canon: str,
                    algorithm: str) -> tuple[int, str] | None:
    """(lines, their text) when the signature's body hash (bh=) matches the body without lines at
    its end: the body as signed, to which those lines were added (a list's footer, RFC 6377
    section 5). Computed by the signature's own canonicalization, as l= would have cut it
    (RFC 6376 section 3.4.5), at the few places a footer may start (_footer_starts).

    Not on a multipart body unless the signature signs its one Content-Type (and so its header
    signature, which the proof requires too, shows it unchanged): with an unsigned Content-Type
    made multipart, the signed text becomes a preamble no mail program shows and the "footer" is
    the whole message as read (RFC 2046 section 5.1.1; V53e D-2)."""
    if footers.multipart and ("content-type" not in check.signed_lower or footers.content_types != 1):
        return None
    cut = footers.cut_matching(body_canon, algorithm, check.body_hash) if check.body_hash else None
    if cut is None:
        return None
    tail = footers.split.raw[cut:]
    lines = tail.count(b"\n") + (0 if tail.endswith(b"\n") else 1)
    return lines, _footer_text(tail)


_FOOTER_TEXT_LINES = 3
"""Lines of an added block's text quoted in the words."""


def _footer_text(tail: bytes) -> str:
    """The text of lines added at the end of a body, as the words quote it: its first
    _FOOTER_TEXT_LINES lines with text that are not a rule or a '-- ' separator (a block that
    starts with a rule would otherwise be quoted as the rule, and a lure after it left unsaid:
    V53e D-5), each cut at 80 characters, joined with ' / ', and how many more there are."""
    texts = [line.strip() for line in tail.splitlines()
             if line.strip() and not _footer_rule().fullmatch(line.strip())]
    if not texts:
        texts = [line.strip() for line in tail.splitlines() if line.strip()][:1]
    shown = " / ".join(line[:80].decode("utf-8", "replace") for line in texts[:_FOOTER_TEXT_LINES])
    more = len(texts) - _FOOTER_TEXT_LINES
    return shown + (f" (and {more} more line{'s' if more != 1 else ''} of text)" if more > 0 else "")


_angle_address = compiled_on_first_use(rb"<([^<>\s@]{1,64}@[^<>\s@]{1,253})>")


def _original_from_values(fields: _dkimpy.SplitMessage) -> list[tuple[str, bytes]]:
    """(field name, value) of the From: the author wrote, as a list that rewrote From: keeps it:
    X-Original-From (Google Groups), Reply-To or Cc (Mailman's "Munge From" puts the author in
    one of them), or the name before " via " in From: with the address of Reply-To or Cc. Candidates
    to verify with the key, nothing more: a sender writes all of these fields."""
    positions = fields.field_positions()
    found: list[tuple[str, bytes]] = []
    for key, name in ((b"x-original-from", "X-Original-From"), (b"reply-to", "Reply-To"), (b"cc", "Cc")):
        at = positions.get(key)
        if at and len(at) == 1 and len(fields.headers[at[0]][1]) <= 998 and b"," not in fields.headers[at[0]][1]:
            found.append((name, fields.headers[at[0]][1]))
    from_value = fields.headers[positions[b"from"][-1]][1]
    display = from_value.partition(b"<")[0].strip().strip(b'"')
    via = display.rfind(b" via ")
    if via > 0:
        for name, value in found:
            if name == "X-Original-From":
                continue
            address = _angle_address().search(value)
            if address is not None:
                found.append((f"the name before 'via' in From: with the address in {name}",
                              b" " + display[:via].strip() + b" <" + address.group(1) + b">\r\n"))
                break
    unique = {value.strip(): (name, value) for name, value in reversed(found)}
    return list(reversed(unique.values()))[:_MAX_FROM_CANDIDATES]


def _verify_list_changes(check: _Check, footers: _ListFooters, fields: _dkimpy.SplitMessage,
                         field_pair: _dkimpy.HeaderPair, key: _dkimpy.PublicKey, *, header_canon: str,
                         body_canon: str, algorithm: str) -> None:
    """A header signature that fails on a message naming a mailing list, verified again with what a
    list changes undone (RFC 6377 section 5): the body without lines added at its end (a footer:
    ``check.appended_lines``), and From: as X-Original-From, Reply-To or Cc keep the author's, with
    a Subject tag taken off too when there is one (``check.signed_from``). Only a match with bh= or
    a verification with the key sets them: proof of what changed, which fields a sender writes
    cannot give. At most _FOOTER_TRIES body hashes and _MAX_LIST_TRIES header signatures."""
    if check.body_hash_ok is False:
        check.appended_lines = _appended_lines(check, footers, body_canon, algorithm)
    untagged = check.untagged_subject
    positions = fields.field_positions()
    from_positions = positions.get(b"from")
    if "from" not in check.signed_lower or (untagged is not None and untagged[1]) \
            or not from_positions or len(from_positions) != 1:
        return  # the tag alone explains it, or From: is not signed, or several (RFC 6376 section 8.15)
    candidates = _original_from_values(fields)
    if not candidates:
        return
    subjects: list[tuple[str | None, int | None, bytes]] = []
    subject_positions = positions.get(b"subject")
    if untagged is not None and subject_positions:
        from . import modifiers  # loaded already: the tag was looked for with it

        position = subject_positions[-1]
        taken = modifiers.untagged_subjects(fields.headers[position][1])
        subjects = [(tags, position, value) for tags, value in taken[:1 if header_canon == "relaxed" else 2]]
    subjects.append((None, None, b""))
    # Paid from the message's budget as any verification, never from the reserve kept for the
    # signatures aligned with From: (BudgetClaim); one it cannot pay for ends the search, and the
    # failure stands as it is (the words, not the result, are what these checks change).
    claim = _dkimpy.BudgetClaim(check.budget.budget, False) if check.budget is not None else None
    tries = 0
    for source, value in candidates:
        for tags, subject_position, subject in subjects:
            tries += 1
            if tries > _MAX_LIST_TRIES:
                return
            headers = list(fields.headers)
            headers[from_positions[0]] = (headers[from_positions[0]][0], value)
            if subject_position is not None:
                headers[subject_position] = (headers[subject_position][0], subject)
            copy = _dkimpy.SplitMessage(headers, fields.raw, fields.body_start, fields.body_needs_crlf,
                                        fields.body_has_cr, fields.skipped_lines)
            try:
                verified = _dkimpy.verify_header_signature(
                    copy, header_canon=header_canon, algorithm=algorithm, include_headers=check.signed_lower,
                    signature_field=field_pair, signature=check.signature, key=key, budget=claim)
            except _dkimpy.VerificationBudgetSpent:
                return
            if verified is True:
                check.signed_from = (source, " ".join(value.decode("utf-8", "replace").split())[:200], tags)
                return


def _verify_without_added_from(check: _Check, split: _dkimpy.SplitMessage, field_pair: _dkimpy.HeaderPair,
                               key: _dkimpy.PublicKey, *, header_canon: str, algorithm: str) -> str | None:
    """A header signature that fails on a message with several From: fields, verified again with
    the topmost, then the bottommost, left out: "above" or "below" (where the one left out sits
    beside the others) when that verifies, else None. A From: added below the signed one is the
    one a verifier selects (fields are selected from the bottom up, RFC 6376 section 5.4.2), and
    one added above a signature that over-signs From takes the place of its empty entry: either
    way the signature fails as "headers changed", while it is the attack of section 8.15 that
    dkim.headers_changed names when the From: is added above an ordinary signature (verification
    V40c). Only the two ends are tried: two verifications at most, whatever the message holds."""
    positions = split.field_positions().get(b"from") or []
    if len(positions) < 2:
        return None
    for where, position in (("above", positions[0]), ("below", positions[-1])):
        # Sharing the message's canonical fields and hashes (verification V53a D1-2: each copy
        # canonicalized and hashed 5 MB of signed fields again, 900 times on one message).
        copy = split.without_field(position)
        try:
            verdict = _dkimpy.verify_header_signature(
                copy, header_canon=header_canon, algorithm=algorithm, include_headers=check.signed_lower,
                signature_field=field_pair, signature=check.signature, key=key, budget=check.budget)
        except _dkimpy.VerificationBudgetSpent:
            # The signature itself was verified with this key and failed: only this re-check is not done.
            _note_once(check, f"not verified again without an added From: field: {_dkimpy.BUDGET_SPENT_WORDS}")
            return None
        if verdict is True:
            return where
    return None


def _note_once(check: _Check, note: str) -> None:
    """Adds ``note`` to the check's notes unless it is there (one per re-check not done)."""
    if note not in check.notes:
        check.notes.append(note)


def _body_match_words(check: _Check) -> str:
    """What a body hash that matches says when the header signature could not be checked.

    bh= is vouched for only by the header signature (b= covers the DKIM-Signature field, bh=
    included: RFC 6376 section 3.7), and anyone can write the hash of a body of their own, so
    the match says the body is unchanged only if the signature is genuine. With l= only the
    first bytes are hashed (RFC 6376 section 8.2): the rest is signed by nobody."""
    if check.unsigned_body_bytes:
        tail = "" if check.unsigned_body_text else " (white space only)"
        return (f"the first {check.body_length} bytes of the body match its body hash (l=): unchanged since "
                f"signing, if the signature is genuine; {check.unsigned_body_bytes} later bytes are signed by "
                f"nobody{tail}")
    return "body hash matches: the body is unchanged since signing, if the signature is genuine"


def _judge_valid(check: _Check, *, has_body: bool, delivery: datetime | None, now: datetime,
                 sha1_accepted_at_delivery: bool = False) -> None:
    """The cryptography verifies: apply RFC 8301, time and key-flag rules. The refusals that hold
    whenever the message was delivered come before rsa-sha1's: a key too small to trust (RFC 8301
    section 3.2; RFC 6376 section 3.3.3 allowed 512 bits, which can be factored) or too large, an
    expiry before delivery, a future t=. ``sha1_accepted_at_delivery`` (_accepted_at_delivery): an
    rsa-sha1 signature of its era on a copy without a body is judged as any copy without one
    (no_body), its refusal today said beside it (_check_dkim)."""
    if check.key_bits is not None and check.algorithm != "ed25519-sha256" and check.key_bits < MIN_RSA_BITS:
        check.finish("policy", "weak_key",
                     f"RSA key of {check.key_bits} bits is below the 1024-bit minimum (RFC 8301 section 3.2); "
                     "the signature itself verifies")
        return
    if check.key_bits is not None and check.algorithm != "ed25519-sha256" and check.key_bits > MAX_USUAL_RSA_BITS:
        check.finish("policy", "key_too_large",
                     f"RSA key of {check.key_bits} bits: verifiers need only support 1024 to 4096 bits "
                     f"(RFC 8301 section 3.2) and common ones refuse keys over {MAX_USUAL_RSA_BITS} bits, "
                     "which cost them CPU on every message; the signature itself verifies")
        return
    expired_since_delivery = False
    if check.expiration is not None:
        if delivery is not None and check.expiration < delivery:
            check.finish("policy", "expired",
                         f"signature expired ({_iso(check.expiration)}) before delivery ({_iso(delivery)}); "
                         "otherwise it verifies")
            return
        if check.expiration < now and delivery is None:
            check.finish("policy", "expired",
                         f"signature expired ({_iso(check.expiration)}) before now ({_iso(now)}); "
                         "otherwise it verifies")
            return
        # RFC 6376 section 3.5: "the verification time should be the time that the message was first
        # received at the administrative domain of the Verifier if that time is reliably available":
        # the receiving side's own topmost Received gives it. A signature valid then verifies, its
        # expiry since said beside the pass (a replay after x= arrives after it: "expired" above).
        expired_since_delivery = delivery is not None and check.expiration < now
    # RFC 6376 section 3.5: t= is when the message was signed; judged against delivery
    # and against "now" (which a caller may set to a moment before delivery).
    for what, moment in (("delivery", delivery), ("now", now)):
        if moment is not None and check.timestamp is not None and check.timestamp > moment + FUTURE_TOLERANCE:
            check.finish("policy", "future_timestamp",
                         f"signing time t={_iso(check.timestamp)} is later than {what} ({_iso(moment)}); "
                         "otherwise it verifies")
            return
    if check.algorithm == "rsa-sha1" and (has_body or not sha1_accepted_at_delivery):
        check.finish("permerror", "rsa_sha1",
                     "signed with rsa-sha1, which verifiers must no longer accept (RFC 8301 section 3.1); "
                     "the signature itself verifies")
        return
    if not has_body:
        check.finish("neutral", "no_body",
                     "the signed headers verify, but the input's body is empty (a copy of the header that kept "
                     "the empty line after it, or a message cut there) and the signer hashed another, so the "
                     "body hash could not be checked" if check.body_missing else
                     "the signed headers verify, but the input has no body, so the body hash could not be checked")
        return
    # l= leaves the bytes after it signed by nobody (RFC 6376 section 8.2): "body unchanged"
    # would hide text appended after signing.
    verifies = ("signature verifies: signed headers and body unchanged" if not check.unsigned_body_bytes else
                f"signature verifies for the first {check.body_length} body bytes (l=); "
                f"{check.unsigned_body_bytes} later bytes are signed by nobody"
                + ("" if check.unsigned_body_text else " (white space only)"))
    if expired_since_delivery and delivery is not None and check.expiration is not None:
        check.finish("pass", "expired_after_delivery",
                     f"{verifies} as of delivery ({_iso(delivery)}), the verification time RFC 6376 section 3.5 "
                     f"asks for; its x= expiry ({_iso(check.expiration)}) has passed since")
        return
    if check.key_testing:
        # RFC 6376 section 3.6.1 asks verifiers not to treat a testing signer's mail differently
        # from unsigned mail; DMARC receivers (Gmail, Microsoft) count a passing signature all the
        # same, so the DMARC row may pass on it: said so, not "must treat as unsigned".
        check.finish("pass", "key_testing", f"{verifies}; {_TESTING_WORDS}, yet DMARC receivers still count a "
                     "passing signature")
        return
    check.finish("pass", "ok", verifies)


_SHA1_WORDS = ("signed with rsa-sha1, which verifiers no longer accept whatever the key (RFC 8301 section 3.1, "
               "2018)")
_TESTING_WORDS = ("the signer flags this key as testing (t=y): RFC 6376 section 3.6.1 asks verifiers not to treat "
                  "its mail differently from unsigned mail")


def _forensics(check: _Check, present: dict[str, int]) -> None:
    """Unsigned copies and missing over-signing of the fields a reader sees (RFC 6376 section 8.15)."""
    unsigned: list[str] = []
    not_oversigned: list[str] = []
    for name in IMPORTANT_HEADERS:
        count = present[name]
        if not count:
            continue  # neither unsigned copies nor copies to over-sign
        signed = check.signed_lower.count(name)
        if count > signed and (signed or name in ("from", "subject")):
            unsigned.append(name)
        elif signed == count:
            not_oversigned.append(name)
    check.unsigned_headers = tuple(unsigned)
    check.not_oversigned = tuple(not_oversigned)


def _accepted_at_delivery(check: _Check, historic: tuple[datetime, str] | None) -> bool:
    """Whether ``check`` is an rsa-sha1 signature on mail the receiving side stamped before RFC 8301
    (January 2018) retired rsa-sha1 (``historic``: era.received_before, never a date the sender
    writes): then one of RFC 6376's two algorithms (section 3.3). Its t=, the signer's, can only
    keep today's rule (a t= of 2018 or later)."""
    return (check.algorithm == "rsa-sha1" and historic is not None
            and (check.timestamp is None or check.timestamp < RSA_SHA1_RETIRED))


def _to_result(check: _Check, from_domain: str | None, sha1_accepted_at_delivery: bool = False) -> DkimSignatureResult:
    reason = check.reason
    if check.notes:
        reason += " (" + "; ".join(check.notes) + ")"
    return DkimSignatureResult(
        index=check.index,
        header_index=check.header_index,
        domain=check.domain,
        selector=check.selector,
        algorithm=check.algorithm,
        canonicalization=check.canonicalization,
        signed_headers=check.signed_headers,
        body_length=check.body_length,
        timestamp=_iso(check.timestamp) if check.timestamp else None,
        expiration=_iso(check.expiration) if check.expiration else None,
        key_bits=check.key_bits,
        key_testing=check.key_testing,
        result=check.result,
        reason=reason,
        reason_code=check.reason_code,
        aligned=aligned(check.domain, from_domain) if from_domain else None,
        aligned_strict=aligned(check.domain, from_domain, strict=True) if from_domain else None,
        auid=check.auid,
        body_hash_ok=check.body_hash_ok,
        body_hash_words=check.body_hash_words,
        unsigned_body_bytes=check.unsigned_body_bytes,
        unsigned_body_text=check.unsigned_body_text if check.unsigned_body_bytes else None,
        unsigned_headers=check.unsigned_headers,
        not_oversigned=check.not_oversigned,
        rsa_sha1_accepted_at_delivery=sha1_accepted_at_delivery,
        verifies_without_subject_tag=(check.untagged_subject[0] if check.untagged_subject is not None
                                      and check.untagged_subject[1] and check.reason_code == "signature_mismatch"
                                      else None),
        key_among_several=check.key_among_several and check.reason_code == "key_revoked",
        key_record_verified=check.key_record_verified,
        lines_added_after_signing=check.appended_lines[0] if check.appended_lines is not None
        and _list_changes_proven(check) else None,
    )


_CODE_FINDINGS: dict[str, tuple[str, Severity, str, str]] = {
    # reason_code: (finding id, severity, title, reference)
    "body_hash_mismatch": ("dkim.body_changed", Severity.WARNING, "Body changed after DKIM signing", f"{RFC6376}#section-3.7"),
    # The body hash matched and the signature did not: the signed headers changed, or another
    # key than the one published made the signature (a forger's); the message cannot tell which.
    "signature_mismatch": ("dkim.headers_changed", Severity.WARNING,
                           "DKIM signature does not verify: signed headers changed, or another key signed",
                           f"{RFC6376}#section-3.7"),
    "from_added": ("dkim.headers_changed", Severity.DANGER, "An unsigned From: was added after DKIM signing", f"{RFC6376}#section-8.15"),
    "key_not_found": ("dkim.key_unavailable", Severity.NOTICE, "DKIM key no longer published", f"{RFC6376}#section-6.1.2"),
    "key_revoked": ("dkim.key_unavailable", Severity.NOTICE, "DKIM key revoked", f"{RFC6376}#section-3.6.1"),
    "rsa_sha1": ("dkim.weak_crypto", Severity.WARNING, "DKIM signature uses rsa-sha1", f"{RFC8301}#section-3.1"),
    "weak_key": ("dkim.weak_crypto", Severity.WARNING, "DKIM key shorter than 1024 bits", f"{RFC8301}#section-3.2"),
    "expired": ("dkim.expired", Severity.NOTICE, "DKIM signature expired", f"{RFC6376}#section-3.5"),
    "expired_after_delivery": ("dkim.expired", Severity.INFO, "DKIM signature expired since delivery", f"{RFC6376}#section-3.5"),
    "future_timestamp": ("dkim.future_timestamp", Severity.NOTICE, "DKIM signature dated in the future", f"{RFC6376}#section-3.5"),
    "malformed": ("dkim.malformed", Severity.WARNING, "Malformed DKIM signature", f"{RFC6376}#section-3.5"),
    "redacted": ("dkim.redacted", Severity.INFO, "DKIM signature masked in this copy", f"{RFC6376}#section-3.5"),
    "cut_off": ("dkim.cut_off", Severity.INFO, "DKIM signature cut off where the paste stops", f"{RFC6376}#section-3.5"),
    "shortened": ("dkim.shortened", Severity.INFO, "DKIM signature shortened in this copy", f"{RFC6376}#section-3.5"),
    "key_syntax": ("dkim.malformed", Severity.WARNING, "Malformed DKIM key record", f"{RFC6376}#section-3.6.1"),
    "key_mismatch": ("dkim.malformed", Severity.WARNING, "DKIM key record does not fit the signature", f"{RFC6376}#section-3.6.1"),
    "key_testing": ("dkim.key_testing", Severity.INFO, "DKIM key in testing mode", f"{RFC6376}#section-3.6.1"),
    "key_too_large": ("dkim.key_too_large", Severity.NOTICE, "DKIM key larger than verifiers accept",
                      f"{RFC8301}#section-3.2"),
}


# Where the key could not be had: the body hash, which needs no key, is still known.
_KEYLESS_CODES = frozenset({"offline", "temperror", "key_not_found", "key_syntax"})


# The fields a mailing list adds (RFC 2369, RFC 2919, RFC 8058).
_LIST_FIELDS = ("list-id", "list-help", "list-unsubscribe", "list-subscribe", "list-post", "list-owner",
                "list-archive", "list-unsubscribe-post")


def _with_list_cause(finding: Finding, checks: list[_Check], message: Message) -> Finding:
    """dkim.headers_changed of a signature whose h= names List-* fields, on a message a mailing
    list of another organisation passed on: the list added those fields after the author signed.
    A signer that names a field the message lacks asks verifiers to count one added later as a
    change (RFC 6376 sections 5.4 and 5.4.2, over-signing), so the list's addition breaks the
    signature: the likely cause, said beside the finding, which stays as it is."""
    label = list_id_label(message.first("List-Id"))
    list_org = organizational_domain(label) if label else None
    check = next((c for c in checks if c.label == finding.subject and c.reason_code == "signature_mismatch"), None)
    if check is None or not check.domain or list_org is None or organizational_domain(check.domain) == list_org:
        return finding
    covered = [name for name in _LIST_FIELDS if name in check.signed_lower and message.first(name) is not None]
    if not covered:
        return finding
    names = ", ".join("-".join(part.capitalize() for part in name.split("-")) for name in covered)
    return dataclasses.replace(finding, explanation=(
        f"{finding.explanation}; likely cause: the signature by {check.domain} covers {names} (h=), fields the "
        f"mailing list ({label}) adds when it passes the message on; a signer that names fields the message lacks "
        "makes any later copy of them a change (RFC 6376 section 5.4.2), so a list's addition breaks it: "
        "expected of any list, not a sign of tampering by itself"))


def _list_changes_proven(check: _Check) -> bool:
    """Whether a failing signature verifies with a mailing list's changes undone, all of its failure
    accounted for (_verify_list_changes): the header signature with the key (as delivered, with a
    Subject tag off, or with From: as the list kept the author's), and the body hash over the body
    as delivered or without the lines added at its end; more than a Subject tag alone, which
    dkim.subject_tag_only_change proves and words by itself."""
    if check.reason_code == "body_hash_mismatch":
        return check.appended_lines is not None
    if check.reason_code != "signature_mismatch" or (check.appended_lines is None and check.signed_from is None):
        return False
    tag_only = check.untagged_subject is not None and check.untagged_subject[1]
    return (tag_only or check.signed_from is not None) \
        and (check.body_hash_ok is True or check.appended_lines is not None)


_LIST_CHANGE_FINDINGS = ("dkim.headers_changed", "dkim.body_changed")


def _with_named_list_changes(findings: list[Finding], checks: list[_Check], message: Message) -> list[Finding]:
    """``findings`` with the failure of each signature proven to verify with a list's changes
    undone said as those changes (_named_list_changes). Each finding is matched with its own
    signature, not by its subject: two signatures of one d= and s= (stacked signers) share it, and
    one must not be told the other's story (V53e D-4). _findings makes one finding per signature,
    in order, and the rewrites since keep that order: the n-th finding of an id and subject is the
    n-th signature of that label whose reason gives that id."""
    owners: dict[tuple[str, str], list[_Check]] = {}
    for check in checks:
        spec = _CODE_FINDINGS.get(check.reason_code)
        if spec is not None and spec[0] in _LIST_CHANGE_FINDINGS:
            owners.setdefault((spec[0], check.label), []).append(check)
    list_signed = _signed_list_label(message, checks) is not None
    named: list[Finding] = []
    for finding in findings:
        queue = owners.get((finding.id, finding.subject or ""))
        owner = queue.pop(0) if queue else None
        named.append(_named_list_changes(finding, owner, message, list_signed)
                     if owner is not None and _list_changes_proven(owner) else finding)
    return named


def _named_list_changes(finding: Finding, check: _Check, message: Message, list_signed: bool) -> Finding:
    """The failure of a signature that verifies with a mailing list's changes undone
    (_list_changes_proven), said as those changes, each proven, with the list the List-Id names as
    the one that relayed it. Its severity stays: the List-Id is text a sender can write, the proof
    is of what changed, not of who changed it, and what was added is nobody's signed text.
    ``list_signed``: a signature of the List-Id's organisation passes (_signed_list_label)."""
    label = list_id_label(message.first("List-Id")) or "?"
    list_org = organizational_domain(label)
    domain = check.domain or "?"
    undone: list[str] = []
    changes: list[str] = []
    short: list[str] = []
    tags = check.untagged_subject[0] if check.untagged_subject is not None and check.untagged_subject[1] else None
    if check.signed_from is not None:
        source, value, tags = check.signed_from
        delivered = " ".join((message.first("From") or "").split())[:200]
        address = delivered.rpartition("<")[2].partition(">")[0] if "<" in delivered else delivered
        own = (", an address of the list's own organisation"
               if list_org and organizational_domain(address.rpartition("@")[2].lower()) == list_org else "")
        undone.append(f"From: as {source} shows it ({value!r})")
        changes.append(f"From: was rewritten to {delivered!r}{own} (the signed one is {value!r})")
        short.append("From: rewritten")
    if tags is not None:
        undone.append(f"{tags!r} taken off the Subject")
        changes.append(f"{tags!r} was added to the Subject")
        short.append(f"Subject tag {tags!r}")
    if check.appended_lines is not None:
        lines, text = check.appended_lines
        plural = "s" if lines != 1 else ""
        undone.append(f"the body's last {lines} line{plural} taken off")
        changes.append(f"a footer of {lines} line{plural} was added at the end of the body, its text (rules left "
                       f"out) reading {text!r}")
        short.append(f"a footer of {lines} line{plural}")
    checked = ("its body hash (bh=) matches the body without them, and its header signature verifies with the "
               "key" if check.reason_code == "body_hash_mismatch" and check.appended_lines is not None else
               "checked with the key" + (", and the body hash (bh=) against the body without the added lines"
                                         if check.appended_lines is not None else ""))
    if finding.id == "dkim.body_changed":
        title = f"Body changed after DKIM signing: {short[-1]} added at its end"
    else:
        title = f"DKIM d={domain} fails, and verifies with a mailing list's changes undone: {', '.join(short)}"
    return dataclasses.replace(finding, title=title[:200], explanation=(
        f"The signature by d={domain} (DKIM #{check.index + 1}) fails on the message as delivered, and verifies "
        f"with {' and '.join(undone)} ({checked}): after signing, {'; '.join(changes)}; nothing else it signs "
        f"changed. The List-Id names the mailing list that relayed it, {label}, and these are the changes a list "
        "makes to the posts it passes on (RFC 6377 section 5). "
        + ("A signature of the list's organisation passes: the list vouches for the message as it sent it. "
           if list_signed else "The List-Id is text a sender can write. ")
        + "This proves what changed, not who changed it, and what was added is not the signer's. The result stays a "
        "failure: a verifier judges the message it receives."))


def _body_changed_without_key(checks: list[_Check]) -> list[Finding]:
    """A body-hash mismatch found without the key (offline, a key no longer published): the
    body of the original bytes changed after signing, so the signature fails whatever its key
    (RFC 6376 section 3.7 computes the body hash first)."""
    return [Finding("dkim.body_changed", Severity.WARNING, "Body changed after DKIM signing",
                    f"The body hash in the signature by {check.domain or '?'} does not match the body, computed "
                    "without the key: the body was changed after signing, so this signature fails whatever the "
                    f"key ({check.reason}).", f"{RFC6376}#section-3.7", check.label)
            for check in checks if check.body_hash_ok is False
            # rsa-sha1 offline: refused by the algorithm before any key (see _verify), the body
            # mismatch is told by its own finding, not only inside the algorithm's (info for mail
            # received before RFC 8301, which must not take the changed body down with it).
            and (check.reason_code in _KEYLESS_CODES or check.reason_code == "rsa_sha1")]


# Failures a change of the message explains: the body hash, or the header signature.
_CHANGE_CODES = frozenset({"body_hash_mismatch", "signature_mismatch"})


def _possible_cause(checks: list[_Check], message: Message) -> Finding | None:
    """dkim.possible_cause: the modifiers the message shows (modifiers.py) beside the signatures
    a change broke, as evidence of what changed it, not as proof. The same whether the key was
    fetched or not: the body hash and the marks need no DNS. The failure keeps its own finding
    and severity: the marks are text a sender can write too."""
    # (Proven changes are named by the signature's own finding: _named_list_changes.)
    body_broken = [c for c in checks if c.body_hash_ok is False and not _list_changes_proven(c)]
    label = list_id_label(message.first("List-Id"))
    list_org = organizational_domain(label) if label else None
    # A subject tag breaks only the header signature, never the body hash, and a list signs after
    # it tags: its own tag is no cause of its own signature's break (verification V15 R1).
    header_open = [c for c in checks if "subject" in c.signed_lower and c.reason_code == "signature_mismatch"
                   and not (list_org and c.domain and organizational_domain(c.domain.lower()) == list_org)
                   and not _list_changes_proven(c)]
    if not body_broken and not header_open:
        return None
    # Imported only when a signature broke: nothing at start-up.
    from . import modifiers

    shown: list[tuple[str, str, list[_Check]]] = []
    if body_broken:
        shown.extend((name, words, body_broken) for name, words in modifiers.body_modifiers(message))
    for check in header_open:
        untagged = check.untagged_subject
        if untagged is not None and untagged[1]:
            continue  # proven with the key: dkim.subject_tag_only_change says it
        words = modifiers.subject_tag_words(message, check.copied_subject, label)
        if words is not None and untagged is not None:
            # Verification V16 F5: a forger's tag beside other changes is no cause of the break.
            spacing = (" (or, with c=simple, the Subject's spacing was changed too)"
                       if (check.canonicalization or "simple").partition("/")[0] == "simple" else "")
            words += ("; but with the tag taken off the signature still fails (checked with the key): other "
                      f"signed header fields changed as well{spacing}, so the tag alone does not explain the break")
        if words is not None:
            same = next((item for item in shown if item[1] == words), None)
            if same is None:
                shown.append(("a subject tag", words, [check]))
            elif check not in same[2]:
                same[2].append(check)
    if not shown:
        return None
    broken = list(dict.fromkeys(c for _, _, cs in shown for c in cs))
    names = ", ".join(f"d={c.domain or '?'} (DKIM #{c.index + 1})" for c in broken[:_MAX_NAMES_NAMED])
    marks = "; ".join(words for _, words, _ in shown)
    short = ", ".join(dict.fromkeys(name for name, _, _ in shown))
    return Finding(
        "dkim.possible_cause", Severity.NOTICE, f"Possible cause of the DKIM break: {short}"[:200],
        f"The signature by {names} no longer matches the message. The message shows marks of what may have changed it: "
        f"{marks}. This names a possible cause, not a proof: these marks are text in the message, which a sender "
        "could write as well, and the signature fails all the same (it vouches for nothing); see the DKIM "
        "findings for the failure itself.",
        f"{RFC6376}#section-5.3", ", ".join(c.label for c in broken[:_MAX_NAMES_NAMED]))


def _signed_list_label(message: Message, checks: list[_Check]) -> str | None:
    """The List-Id's label when a signature of the list's organisation passes: a list signs the
    copies it tags, and a List-Id anyone can write vouches for no tag (verification V18 P5)."""
    label = list_id_label(message.first("List-Id"))
    list_org = organizational_domain(label) if label else None
    if list_org and any(c.result == "pass" and c.domain and organizational_domain(c.domain.lower()) == list_org
                        for c in checks):
        return label
    return None


def _subject_tag_only_change(checks: list[_Check], list_label: str | None) -> list[Finding]:
    """dkim.subject_tag_only_change: a header signature that fails as delivered and verifies
    with the tag taken off the Subject, at its start or end (``_verify_untagged``): proof, made with the
    signer's key, of what changed the signed header fields."""
    findings: list[Finding] = []
    for check in checks:
        untagged = check.untagged_subject
        if untagged is None or not untagged[1] or check.reason_code != "signature_mismatch" \
                or _list_changes_proven(check):
            continue  # (the tag is named among the list's changes, by dkim.headers_changed)
        tags, domain = untagged[0], check.domain or "?"
        if check.body_hash_ok:
            body = (f"; the body hash matches too, so apart from the tag the message is as d={domain} signed "
                    "it")
        elif check.body_hash_ok is False:
            body = "; the body changed as well (body hash mismatch), which the tag does not explain"
        else:
            body = ""
        from . import modifiers  # loaded already: the tag was taken off with it

        verdicts = modifiers.secure_gateway_verdicts(tags)
        if verdicts:
            # A secure-mail gateway's verdict on the S/MIME or OpenPGP signature, or its
            # decryption. The words are anyone's to write: a failure verdict gains a forger
            # nothing, a passing one ("[signed OK]") is what a lure would add, so only the
            # failures are lowered to a notice.
            said = "; ".join(f"{vendor}'s {tag!r}: {words}" for tag, vendor, words, _ in verdicts[:3])
            failure = all(failed for *_, failed in verdicts)
            severity = Severity.NOTICE if failure else Severity.WARNING
            whose = (f"in the words a secure-mail gateway writes into the Subject for its verdict on the message's "
                     f"signature or encryption ({said})"
                     + ("" if failure else "; a verdict that the message passed is also what a lure would add, so "
                        "it counts only if the receiving side's own gateway wrote it, which these fields cannot "
                        "show"))
        elif modifiers.gateway_tags(tags, list_label):
            severity, whose = Severity.NOTICE, "as gateways, filters and lists add one"
        else:
            # Not a gateway's words (verification V17 N2): whoever handled the message wrote them.
            severity, whose = Severity.WARNING, ("in words no gateway or filter writes: whoever handled the "
                                                 "message after signing could have put them there")
        findings.append(Finding(
            "dkim.subject_tag_only_change", severity,
            f"DKIM d={domain} verifies with {tags!r} taken off the Subject"[:200],
            f"The signature by d={domain} (DKIM #{check.index + 1}) fails on the message as delivered, and "
            f"verifies once {tags!r} is taken off the Subject (checked with the key): the text was "
            f"added after signing, {whose}, and it is the only change to the signed header fields{body}. The "
            "result stays a failure: a verifier judges the message it receives, and a receiver that added the "
            "tag after its own check may have recorded a pass.",
            f"{RFC6376}#section-5.4", check.label))
    return findings


def _stronger_signature(check: _Check, checks: list[_Check], from_domain: str | None) -> _Check | None:
    """Another signature than rsa-sha1 that verifiers use in its place: one that passes and aligns
    with From (what DMARC counts) first, then one that passes, then one not known to fail."""
    others = [c for c in checks if c is not check and c.algorithm and c.algorithm != "rsa-sha1"
              and c.result not in ("fail", "permerror")]
    if not others:
        return None
    return min(others, key=lambda c: (not (c.result == "pass" and bool(from_domain) and aligned(c.domain, from_domain)),
                                      c.result != "pass", c.index))


def unchanged_fields_witness(sig: DkimSignatureResult, siblings: tuple[DkimSignatureResult, ...]
                              ) -> DkimSignatureResult | None:
    """Another signature by the same domain (d=), at another selector, that verifies now over every
    header field ``sig`` names in its h= (as many instances of each), with the same header
    canonicalization, while ``sig``'s body hash matches: those fields are unchanged, which points
    to a key replaced at ``sig``'s selector since signing. It proves nothing of ``sig``'s own
    DKIM-Signature field, which ``sig`` alone signs (RFC 6376 section 3.7): an edit of its h= or
    other tags breaks it the same way (verification V31), so this is a hint said beside the
    failure, never a pass or a proof. The same domain only: another domain's signature says
    nothing of whose key made this one. None when there is none.

    Only a signature made no later than ``sig`` witnesses the fields as ``sig`` signed them: one
    below it in the header (RFC 6376 section 5.6 and RFC 5321 section 4.4: a signer prepends its
    field, so those below were there first) whose t= is not later than ``sig``'s. A signature
    added after a change (a relay of the same domain that re-encoded or tagged the Subject, then
    signed again) verifies over the changed fields and says nothing of a key (verification V40c
    defect 1). Nor is there a witness when the key itself proved ``sig`` verifies with a Subject
    tag taken off (dkim.subject_tag_only_change): that key was not replaced."""
    if sig.body_hash_ok is not True or sig.verifies_without_subject_tag:
        return None
    signed_at = _parsed_iso(sig.timestamp)
    wanted = _field_counts(sig.signed_headers)
    header_c = _header_canonicalization(sig)
    for other in siblings:
        if other.header_index == sig.header_index or other.result != "pass" or other.body_length is not None \
                or (other.domain or "").lower().rstrip(".") != (sig.domain or "").lower().rstrip(".") or not sig.domain:
            continue
        if (other.selector or "").lower() == (sig.selector or "").lower():
            # The same key verifies the other one: this one's key was not replaced, so its own
            # field or the fields it signs changed (verification V31).
            return None
        if _header_canonicalization(other) != header_c or other.header_index < sig.header_index:
            continue
        other_signed_at = _parsed_iso(other.timestamp)
        if signed_at is not None and other_signed_at is not None and other_signed_at > signed_at:
            continue  # its signer's clock says it was made after this one
        have = _field_counts(other.signed_headers)
        if all(have.get(name, 0) >= count for name, count in wanted.items()):
            return other
    return None


def _parsed_iso(text: str | None) -> datetime | None:
    """A result's t= back as a time (_format_iso's text); None when absent or unreadable."""
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _field_counts(names: tuple[str, ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in names:
        key = name.strip().lower()
        counts[key] = counts.get(key, 0) + 1
    return counts


def _header_canonicalization(sig: DkimSignatureResult) -> str:
    """The header half of c= (RFC 6376 section 3.5: "simple" when absent)."""
    return ((sig.canonicalization or "simple").split("/", 1)[0].strip().lower()) or "simple"


def _key_replaced(findings: list[Finding], results: tuple[DkimSignatureResult, ...]) -> list[Finding]:
    """A signature that fails while its body hash matches and another signature of its domain over
    the same fields verifies (unchanged_fields_witness): its finding says that this points to a key
    replaced at its selector, and that an edit of its own DKIM-Signature field cannot be ruled out.
    It stays a warning: nothing vouches for the failing signature's own tags."""
    hints: dict[str, str] = {}
    for result in results:
        if result.reason_code != "signature_mismatch":
            continue
        witness = unchanged_fields_witness(result, results)
        if witness is None:
            continue
        hints[signature_subject(result.domain, result.selector)] = (
            f" Its body hash matches, and the signature by {witness.domain}/{witness.selector} over the header "
            "fields this one names, canonicalized alike, verifies: those fields are as signed, which points to a "
            f"key replaced at {result.selector}._domainkey.{result.domain} since signing; but an edit of this "
            "signature's own field (its h= list or other tags, which only it signs) breaks it the same way, and "
            "nothing here can tell the two apart.")
    if not hints:
        return findings
    return [dataclasses.replace(f, explanation=f.explanation + hints[f.subject])
            if f.id == "dkim.headers_changed" and f.subject in hints else f for f in findings]


_FIELD_SPELLING = {"message-id": "Message-ID", "mime-version": "MIME-Version"}
SIGNED_FIELDS_NOT_IN_INPUT = "are not in the input (a copy that stops early, or a message without them)"
"""What a failing signature's reason says when the header alone was given, without From: (a paste
that may stop before it: envelope.no_from) and without fields the signature signs
(_signed_fields_not_in_input); recorded.py words its comparison by it."""


def _signed_fields_not_in_input(check: _Check, present: dict[str, int], *, header_only: bool) -> str | None:
    """A signature that does not verify over a header given alone without From: and without some
    of the fields it signs, in words: those fields are not in the input, a paste that stops before
    them being the likeliest cause (each server puts its fields on top, RFC 5321 section 4.4, so
    the author's come last). Not "changed after delivery": a signed field that is absent hashes as
    empty (RFC 6376 section 5.4), so no signature over it can match. Words only: the result stays a
    failure, as a message delivered without those fields would read (a sender can send one)."""
    if not header_only or present.get("from", 0):
        return None
    missing = [name for name in dict.fromkeys(check.signed_lower) if name in present and not present[name]]
    if not missing:
        return None
    names = ", ".join(_FIELD_SPELLING.get(name, "-".join(part.capitalize() for part in name.split("-"))) + ":"
                      for name in missing)
    return (f"the signed fields {names} {SIGNED_FIELDS_NOT_IN_INPUT}: a signed field that is absent hashes as "
            "empty (RFC 6376 section 5.4), so the signature cannot match here")


def _findings(checks: list[_Check], present_counts: dict[str, int], from_domain: str | None = None,
              historic: tuple[datetime, str] | None = None) -> list[Finding]:
    findings: list[Finding] = []
    for check in checks:
        spec = _CODE_FINDINGS.get(check.reason_code)
        if spec:
            finding_id, severity, title, reference = spec
            reason = check.reason
            stronger = _stronger_signature(check, checks, from_domain) if check.reason_code == "rsa_sha1" else None
            if stronger is not None:
                # Senders (Postmark) add an rsa-sha1 signature beside their rsa-sha256 one for old
                # verifiers: the sha1 one is ignored by today's, which use the other.
                severity = Severity.NOTICE
                aligned_words = (", aligned with From" if from_domain and stronger.result == "pass"
                                 and aligned(stronger.domain, from_domain) else "")
                reason = (f"{reason}; the message also carries a {stronger.algorithm} signature "
                          f"(d={stronger.domain or '?'}{aligned_words}), which verifiers use")
            if check.reason_code == "rsa_sha1" and historic is not None and _accepted_at_delivery(check, historic):
                # Received before RFC 8301 (2018), by the receiving side's stamp: rsa-sha1 was
                # then one of RFC 6376's two algorithms (section 3.3), normal when sent.
                severity, title = Severity.INFO, "DKIM signature uses rsa-sha1 (historic algorithm, normal when sent)"
                received, stamp = historic
                reason = (f"{reason}. The message was received {received.date().isoformat()} ({stamp}), before "
                          "RFC 8301 (January 2018) retired rsa-sha1: it was one of RFC 6376's two algorithms "
                          "(section 3.3) and normal when the message was sent; a verifier today rejects it")
            if check.reason_code == "key_revoked" and check.key_among_several:
                # Not "revoked" alone: a valid key may stand beside the revoked record used, and
                # RFC 6376 section 6.1.2 lets a verifier use it (as arc.key_unavailable says).
                title, reference = "DKIM key record used is revoked, one of several", f"{RFC6376}#section-3.6.2.2"
                reason = (f"{reason}. The signature cannot be verified with the record used, and not every other "
                          f"record at the selector was tried (revoked ones are no key to try, and at most "
                          f"{_dkimpy.MAX_KEY_RECORDS} are tried per selector): whether the signer revoked its key or "
                          "published a revoked record beside it cannot be told, and a verifier that used another "
                          "may have verified it")
            if check.reason_code == "signature_mismatch" and SIGNED_FIELDS_NOT_IN_INPUT in reason:
                title, reference = ("DKIM signature cannot match: fields it signs are not in the input",
                                    f"{RFC6376}#section-5.4")
            findings.append(Finding(finding_id, severity, title, reason, reference, check.label))
    # Signatures whose signed header fields verified (no_body: all but the body hash), and those
    # proven to verify with a Subject tag taken off: their unsigned copies of a field matter as
    # much (verification V17 N1: a Subject added above the signed one, both tagged).
    # (An rsa-sha1 signature refused after its key verified it is one too: V29, a Subject added
    # above the signed one on old mail went unsaid.)
    verified = [c for c in checks
                if c.result in ("pass", "policy") or (c.result, c.reason_code) == ("neutral", "no_body")
                or (c.reason_code == "rsa_sha1" and c.key_bits is not None and c.body_hash_ok is not False)
                or (c.reason_code == "signature_mismatch" and c.untagged_subject is not None
                    and c.untagged_subject[1])]
    if not verified:
        return findings
    for check in verified:
        # A field the signature lists in h= fewer times than the message has it: the extra copies
        # were added above the signed ones after signing (section 8.15). A Subject h= never lists
        # (Libero signs "h=From;" on all its mail, V46c) was not added: the signer left it out of
        # the signature, which RFC 6376 allows (only From is required, section 5.4) and which
        # leaves it for anyone to change, without breaking the signature, so nobody vouches for
        # it: a warning, not the danger of a field added after signing.
        # (Two copies of a field none of which is signed stay the danger: which one a program shows
        # is anyone's choice.)
        left_out = [h for h in check.unsigned_headers if h not in check.signed_lower and h != "from"
                    and present_counts.get(h, 0) == 1]
        added = [h for h in check.unsigned_headers if h not in left_out]
        if added:
            names = ", ".join(h.capitalize() for h in added)
            severity = Severity.DANGER if "from" in added or "subject" in added else Severity.WARNING
            findings.append(Finding(
                "dkim.unsigned_header", severity, f"Header fields not covered by the signature: {names}",
                f"The message has more {names} fields than {check.domain} signed. Fields are signed from "
                "the bottom up, so the extra copies are the topmost ones, which mail programs usually "
                "display: they were added after signing and nobody vouches for them.",
                f"{RFC6376}#section-8.15", check.label))
        elif left_out:
            names = ", ".join(h.capitalize() for h in left_out)
            findings.append(Finding(
                "dkim.unsigned_header", Severity.WARNING, f"Header fields not covered by the signature: {names}",
                f"{check.domain}'s signature does not cover {names} (its h= tag does not list it): the signer left "
                "it out, so it can be changed after signing without breaking the signature, and the signature "
                "vouches for nothing it says. RFC 6376 section 5.4 recommends signing it.",
                f"{RFC6376}#section-5.4", check.label))
        elif any(present_counts.get(name, 0) > 1 for name in check.not_oversigned):
            # Most signers do not over-sign (the detail stays in the result): a finding only
            # when the message really carries several copies of a field a reader sees, all
            # signed, so which one a program shows is ambiguous and one more may follow.
            names = ", ".join(h.capitalize() for h in check.not_oversigned if present_counts.get(h, 0) > 1)
            findings.append(Finding(
                "dkim.not_oversigned", Severity.INFO, f"Several signed copies of {names}, not over-signed",
                f"The message has more than one {names} field and {check.domain} signed each copy without "
                "an extra empty entry in h=: mail programs may show either copy, and another copy "
                "could be added later without breaking the signature.",
                f"{RFC6376}#section-5.4.2", check.label))
    # Body bytes beyond l= are covered by no signature when every verified one stops short.
    if all(c.unsigned_body_bytes for c in verified):
        reaching = min(verified, key=lambda c: c.unsigned_body_bytes or 0)
        uncovered = reaching.unsigned_body_bytes or 0
        blank = (" Those bytes are white space only." if reaching.unsigned_body_text is False else "")
        findings.append(Finding(
            "dkim.unsigned_body", Severity.WARNING, f"{uncovered} body bytes not covered by any DKIM signature",
            "Every valid signature uses l= (body length), and the body is longer than that: the content "
            "at the end of the body was added after signing (for example by a mailing list, or by someone "
            "appending their own text) and nobody vouches for it." + blank,
            f"{RFC6376}#section-8.2", ", ".join(c.label for c in verified)))
    return findings
