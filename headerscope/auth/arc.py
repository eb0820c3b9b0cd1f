"""Validate the ARC chain with dkimpy (RFC 8617) and report every ARC set.

dkimpy decides the chain validation status (``cv``); this module reads each set itself as
well, so the report lists every instance (signer, recorded ``cv=``, what its
ARC-Authentication-Results saw) even when dkimpy stops at the first broken one.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence
from typing import NamedTuple

from .._value import Value, frozen, replace
from ..addresses import parse_addresses
from ..dns.interface import REPLAYED_FAILURE_WORDS, DnsStatus, Resolver, retry_words
from ..domains import list_id_label, organizational_domain
from ..hops import host_organization
from ..message import Message
from ..model import (
    CANNOT_CHECK_FROM_COPY,
    ArcInstance,
    ArcResult,
    Finding,
    Severity,
    UncheckableBody,
)
from ..text import compiled_on_first_use, header_ref
from . import _dkimpy
from .dkim import (
    MBOX_UNMATCHED_WORDS,
    as_kept_words,
    mbox_established_reading,
    mbox_reading_within,
    mbox_reading_words,
    missing_key_words,
)
from .recorded import _parse_authentication_results
from .tags import TagList, parse_tag_list

RFC8617 = "https://www.rfc-editor.org/rfc/rfc8617"
MAX_INSTANCE = 50  # RFC 8617 section 4.2.1
_ARC_NAMES = (b"arc-seal", b"arc-message-signature", b"arc-authentication-results")
_BEYOND = 10 ** 9
"""An instance number of more digits than this holds, kept as this value (only "above 50" matters)."""


class _Set:
    """The ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results of one instance.

    A plain slotted class, not a dataclass: dataclasses compiles its methods from source at
    import, a cost every start-up paid for this private record."""

    __slots__ = ("results", "seal", "signature")

    def __init__(self) -> None:
        self.seal: str | None = None
        self.signature: str | None = None
        self.results: str | None = None


def _instance_of(value: str) -> int | None:
    """The i= of an ARC-Seal or ARC-Message-Signature value."""
    raw = parse_tag_list(value).get("i")
    if raw is None or not raw.strip().isdigit() or len(raw.strip()) > 3:
        return None
    return int(raw.strip())


def _aar_instance(value: str) -> tuple[int | None, str]:
    """ARC-Authentication-Results is ``i=N; authserv-id; results`` (RFC 8617 section 4.1.1)."""
    head, _, rest = value.partition(";")
    name, equals, number = head.partition("=")
    if not equals or name.strip().lower() != "i" or not number.strip().isdigit() or len(number.strip()) > 3:
        return None, value.strip()
    return int(number.strip()), rest.strip()


class _Census:
    """Every ARC field of the whole header, counted in one pass before dkimpy sees any.

    dkimpy's ARC verifier rescans all header fields for each instance: a chain of n sets costs
    it n^2 (16,000 sets ran for minutes). RFC 8617 section 4.2.1 allows instances 1 to 50 and
    fails a chain with more, so a chain past that limit is judged here without dkimpy and
    without DNS. Counted from dkimpy's split of the raw message, not ``message.headers``
    (which stops at its field cap), so the counts are of the whole header."""

    __slots__ = ("fields", "highest", "sets", "written")

    def __init__(self, split: _dkimpy.SplitMessage) -> None:
        positions = split.field_positions()
        counts = [len(positions.get(name, ())) for name in _ARC_NAMES]
        self.fields = sum(counts)
        self.sets = max(counts)
        """The number of sets the fields make: the most fields of one of the three names."""
        self.highest = 0
        """The largest instance any ARC field names (``_BEYOND`` for a number too long to hold)."""
        self.written: dict[bytes, Counter[int]] = {name: Counter() for name in _ARC_NAMES}
        """How often each instance is written, per kind of ARC field."""
        tag = _i_tag()
        for name in _ARC_NAMES:
            for position in positions.get(name, ()):
                value = split.headers[position][1]
                if name == b"arc-authentication-results":
                    # ``i=N; authserv-id; ...`` (RFC 8617 section 4.1.1).
                    tag_name, _, written = value.partition(b";")[0].partition(b"=")
                    number = _number(written) if tag_name.strip().lower() == b"i" else None
                else:
                    # A search, not parse_tag_list: one C scan per field for thousands of fields.
                    found = tag.search(value)
                    number = _number(found.group(1)) if found else None
                if number is not None:
                    self.written[name][number] += 1
                if number is not None and number > self.highest:
                    self.highest = number

    @property
    def over_limit(self) -> bool:
        """More instances than RFC 8617 section 4.2.1 allows, or more fields than 50 sets hold."""
        return self.highest > MAX_INSTANCE or self.fields > 3 * MAX_INSTANCE

    def most_repeated(self, preferred: int | None = None) -> tuple[int, int]:
        """(times, instance) of the instance written most often in one kind of ARC field;
        ``preferred`` (the instance dkimpy named) when it is repeated."""
        if preferred is not None:
            times = max(counter[preferred] for counter in self.written.values())
            if times > 1:
                return times, preferred
        # max, not Counter.most_common, which imports heapq (a scan's workers import nothing new).
        return max(((times, number) for counter in self.written.values() for number, times in counter.items()),
                   default=(0, 0))


# The first tag named i= of a tag list (RFC 6376 section 3.2: tags are separated by ";",
# which no tag value holds) and its digits; white space and digits bounded (hostile input).
_i_tag = compiled_on_first_use(rb"(?:^|;)[ \t\r\n]{0,200}i[ \t\r\n]{0,200}=[ \t\r\n]{0,200}([0-9]{1,200})"
                               rb"[ \t\r\n]{0,200}(?:;|$)")


def _number(raw: bytes) -> int | None:
    """An instance number as written (any number of digits), or None when it is not one."""
    text = raw.strip()
    if not text or not text.isdigit():
        return None
    text = text.lstrip(b"0") or b"0"
    return int(text) if len(text) <= 9 else _BEYOND


_dkimpy_instance = compiled_on_first_use(r"\binstance (\d{1,9})\b")


def _times(times: int) -> str:
    return "twice" if times == 2 else f"{times} times"


def _read_sets(message: Message) -> dict[int, _Set]:
    sets: dict[int, _Set] = {}
    for header in message.headers:
        name = header.name.lower()
        if name == "arc-authentication-results":
            number, rest = _aar_instance(header.value)
            if number is not None:
                entry = sets.setdefault(number, _Set())
                entry.results = entry.results if entry.results is not None else rest
        elif name in ("arc-seal", "arc-message-signature"):
            number = _instance_of(header.value)
            if number is None:
                continue
            entry = sets.setdefault(number, _Set())
            if name == "arc-seal" and entry.seal is None:
                entry.seal = header.value
            elif name == "arc-message-signature" and entry.signature is None:
                entry.signature = header.value
    return sets


def _word(valid: bool | None) -> str | None:
    return None if valid is None else ("pass" if valid else "fail")


@frozen
class _KeyProblem(Value):
    """Why an ARC key could not be used: the signature it guards was not really checked."""

    code: str
    """offline, temperror, key_not_found or key_revoked."""
    reason: str
    several: bool = False
    """The record used is one of several DKIM key records at the selector, the others not tried
    (RFC 6376 section 3.6.2.2: the result is then undefined): a revoked one is then not known to
    be the sealer's only key."""


def _other_version(strings: Sequence[str]) -> bool:
    """Whether a TXT record (its character-strings) has a v= other than DKIM1: not a DKIM key
    record (RFC 6376 section 3.6.1), as dkimpy judges it ("bad version", wherever the tag is)."""
    version = parse_tag_list("".join(strings)).get("v")
    return version is not None and version != "DKIM1"


BODY_CHANGED_WORDS = ("its body hash does not match: the body changed after it was signed, which no key record "
                      "verifies (the body hash does not depend on the key, RFC 6376 section 3.7), so the other "
                      "records were not tried")
"""Why an ARC-Message-Signature whose body hash does not match was not tried with other records."""


def _key_problem(dnsfunc: _dkimpy.DnsFunc, tags: TagList | None, tried: _dkimpy.KeyRecordsTried | None = None
                 ) -> tuple[_KeyProblem | None, str | None]:
    """The problem with the key a seal or AMS names (RFC 8617 section 5.2 uses the DKIM key
    lookup of RFC 6376 section 3.6.2), or None when the key was usable or never fetched; and,
    for a usable key, the note saying which of several TXT records at the selector was used
    (_dkimpy.key_record, which chose it for dkimpy too), as DKIM says it in its reason.
    ``tried``: the selector's other key records were tried (_Arc.verify_sig); one that verified
    the signature leaves no problem and no note (``_verified_words`` says it), none: the note
    says which were tried."""
    if tags is None or (tried is not None and tried.verified is not None):
        return None, None
    domain, selector = (tags.get("d") or "").strip(), (tags.get("s") or "").strip()
    if not domain or not selector:
        return None, None
    name = f"{selector}._domainkey.{domain}"
    answer = dnsfunc.answer_for(name)
    if answer is None:
        return None, None
    if answer.status == DnsStatus.OFFLINE:
        return _KeyProblem("offline", "not checked (offline)"), None
    if answer.temporary_failure:
        return _KeyProblem("temperror", f"key lookup for {name} failed: {answer.status} "
                                        f"({retry_words(answer.status, dnsfunc.replays)})"), None
    if answer.status == DnsStatus.NXDOMAIN or not answer.ok:
        return _KeyProblem("key_not_found", f"no key published: {missing_key_words(name, answer)}"), None
    record, note = _dkimpy.key_record(name, answer.records)
    tried_words = _dkimpy.key_records_tried_words(tried.tried, tried.untried, tried.too_large, tried.unpaid) \
        if tried is not None else None
    key = parse_tag_list(record)
    version = key.get("v")
    if version is not None and version != "DKIM1":
        # RFC 6376 section 3.6.1: a record whose v= is not DKIM1 MUST be discarded, so no key is
        # published (an SPF record at the selector's name; dkim._fetch_key says the same of a
        # DKIM signature's): not a broken chain, which dkimpy's "bad version" failure read as.
        spf = ", an SPF record, not a DKIM key" if version.startswith("spf1") else ""
        if note is None:
            where = f"the record at {name} has v={version[:10]!r}{spf}"
        elif all(_other_version(strings) for strings in answer.records):
            where = f"none of the {len(answer.records)} TXT records at {name} is a DKIM key (the first has " \
                    f"v={version[:10]!r}{spf})"
        else:
            where = f"the record used at {name} has v={version[:10]!r}{spf} ({note})"
        return _KeyProblem("key_not_found", f"no key published: {where}, and RFC 6376 section 3.6.1 discards a "
                                            "record whose v= is not DKIM1"), None
    if note is not None and tried is not None and tried.body_changed:
        # Its body hash does not match: no key record can verify it, so which record was used
        # does not matter, and the others were not tried (verification V45f).
        revoked = ", and it is revoked (empty p=)" if "p" in key and not "".join((key.get("p") or "").split()) else ""
        return None, f"{note}{revoked}; {BODY_CHANGED_WORDS}"
    if "p" in key and not "".join((key.get("p") or "").split()):
        # RFC 6376 section 3.6.1: an empty p= means the key has been revoked.
        if note is None:
            return _KeyProblem("key_revoked", f"the key at {name} has been revoked (empty p=)"), None
        if tried is not None and tried.tried and not tried.untried:
            # The selector publishes a key beside the revoked record, and it was tried: the seal
            # or signature does not verify with it, which is the chain's failure, not a DNS
            # change (verification V45b D1: a revoked record put first turned fields changed after
            # delivery into "revoked since").
            return None, f"{note}, and it is revoked (empty p=); {tried_words}"
        if _dkimpy.other_key_records(answer.records)[0]:
            # Several key records, the one used revoked: whether the sealer revoked its key or
            # left a revoked record beside it is not known (RFC 6376 section 3.6.2.2: undefined).
            return _KeyProblem("key_revoked", f"{note}, and it is revoked (empty p=): with several key records "
                                              "the result is undefined (RFC 6376 section 3.6.2.2)"
                                              + (f"; {tried_words}" if tried_words else ""), several=True), None
        return _KeyProblem("key_revoked", f"the key at {name} has been revoked (empty p=) ({note})"), None
    return None, note if tried_words is None or note is None else f"{note}; {tried_words}"


def _verified_words(dnsfunc: _dkimpy.DnsFunc, tried: _dkimpy.KeyRecordsTried | None) -> str | None:
    """Which of the selector's TXT records verified a seal or AMS the record used did not (ArcInstance)."""
    if tried is None or tried.verified is None:
        return None
    answer = dnsfunc.answer_for(tried.name)
    if answer is None:
        return None
    return _dkimpy.key_records_verified_words(tried.name, answer.records, tried.verified)


def _instance_word(valid: bool | None, problem: _KeyProblem | None) -> str | None:
    """pass/fail, permerror when the key is not published, None when it could not be fetched."""
    if problem is None:
        return _word(valid)
    if problem.code in ("offline", "temperror"):
        return None
    return "permerror"


def check_arc(message: Message, resolver: Resolver, *, uncheckable_body: UncheckableBody | None = None,
              mbox_quoted: bool = False, budget: _dkimpy.VerificationBudget | None = None
              ) -> tuple[ArcResult | None, tuple[Finding, ...]]:
    """None when the message has no ARC headers. ``uncheckable_body``: set for a copy whose body is
    not the one signed (LoadedInput.uncheckable_body: an Outlook .msg, Apple Mail's .partial.emlx):
    an ARC-Message-Signature's body hash is then uncheckable, as a DKIM signature's (RFC 8617
    section 5.2 verifies it as DKIM does). ``mbox_quoted``: a mailbox's entry whose body has lines
    its writer may have quoted (LoadedInput.mbox_quoted): each body hash is matched against the
    body as stored and with that quoting undone, as a DKIM signature's (auth.dkim._verify).
    ``budget``: the message's signature-checking budget, shared with DKIM (a new one when None), of
    which ARC spends _dkimpy.ARC_BUDGET_SHARE at most: a signature it cannot pay for is not tried,
    and a chain that rests on one is ``neutral`` (``budget_spent``), never a pass."""
    # The split message is shared with DKIM, which runs after ARC (api._run_checks releases it
    # once every check is done): releasing it here split every message with ARC twice.
    return _check_arc(message, resolver, uncheckable_body, mbox_quoted,
                      budget if budget is not None else _dkimpy.VerificationBudget())


def _check_arc(message: Message, resolver: Resolver, uncheckable_body: UncheckableBody | None = None,
               mbox_quoted: bool = False, budget: _dkimpy.VerificationBudget | None = None
               ) -> tuple[ArcResult | None, tuple[Finding, ...]]:
    if not any(h.name.lower() in ("arc-seal", "arc-message-signature", "arc-authentication-results")
               for h in message.headers):
        return None, ()
    sets = _read_sets(message)
    dnsfunc = _dkimpy.DnsFunc(resolver)
    split = _dkimpy.split_message(message.raw)
    census = _Census(split)
    # A blank body (a copy of the header that kept its empty line) is not the body signed.
    has_body = message.has_body and not message.body_blank
    # Past RFC 8617 section 4.2.1's 50 instances the chain fails whatever its signatures say:
    # known without a key, and dkimpy (quadratic in the number of sets) is not asked.
    # A .msg's rebuild replaced its MIME fields with its own (msg.REWRITTEN_FIELDS): the
    # signatures are verified over the header it started from, which keeps the received ones
    # verbatim (as auth.dkim does). Not known: over the rebuilt header, where a signature over
    # them fails as on any copy.
    received_header = uncheckable_body.received_header \
        if uncheckable_body is not None and uncheckable_body.rewritten_fields else None
    signed_split = split.with_header(received_header) if received_header is not None else split
    # The reading of a mailbox entry's body the message's signatures establish: asked only when
    # a body hash matches no reading (the split keeps the answer).
    established = functools.partial(mbox_established_reading, message, split) if mbox_quoted and has_body else None
    # Without a body (a header pasted alone) each ARC-Message-Signature is verified over its signed
    # header fields alone, as for a copy whose body is not the one signed: whether the newest one's
    # do is what a receiver's record of arc=pass at delivery can stand on (auth.dmarc).
    outcome = (_dkimpy.ArcOutcome("fail", "", ()) if census.over_limit
               else _dkimpy.verify_arc(signed_split, dnsfunc,
                                       body_uncheckable=(uncheckable_body is not None and has_body) or not has_body,
                                       mbox_quoted=mbox_quoted and has_body, mbox_established=established,
                                       budget=budget))
    # Each set's AMS read once, for the From check and for the report below.
    signatures = {number: parse_tag_list(entry.signature) if entry.signature else None
                  for number, entry in sorted(sets.items())[:MAX_INSTANCE + 1]}
    outcome = _without_unsigned_from(outcome, signatures)
    checks = {c.instance: c for c in outcome.instances}
    # The sets whose AMS cannot be checked from this copy: its signed header fields verify, only
    # its body hash cannot (the body is not the original). One whose header fields fail, fails.
    rebuilt = frozenset(number for number in outcome.body_unchecked
                        if number in checks and number in sets and checks[number].ams_valid)
    # So for a mailbox's entry whose body matches the AMS's body hash in no reading of its quoting.
    unmatched = frozenset(number for number in outcome.mbox_unmatched
                          if number in checks and number in sets and checks[number].ams_valid)

    instances: list[ArcInstance] = []
    problems: dict[tuple[str, int], _KeyProblem] = {}
    unpaid = frozenset(outcome.not_verified)
    tried = {(record.kind, record.instance): record for record in outcome.key_records}
    # Which of several TXT records at a selector was used, per signature whose key was usable.
    key_notes: dict[tuple[str, int], str] = {}
    for number in sorted(sets)[:MAX_INSTANCE + 1]:
        entry = sets[number]
        seal = parse_tag_list(entry.seal) if entry.seal else None
        ams = signatures.get(number)
        check = checks.get(number)
        seal_problem, seal_note = _key_problem(dnsfunc, seal, tried.get(("seal", number))) if check else (None, None)
        # A signature the budget could not pay for was not tried: no result (dkimpy's False is none).
        seal_unpaid, ams_unpaid = ("seal", number) in unpaid, ("ams", number) in unpaid
        ams_problem, ams_note = _key_problem(dnsfunc, ams, tried.get(("ams", number))) if check else (None, None)
        if seal_problem:
            problems[("seal", number)] = seal_problem
        if ams_problem:
            problems[("ams", number)] = ams_problem
        if seal_note:
            key_notes[("seal", number)] = seal_note
        if ams_note:
            key_notes[("ams", number)] = ams_note
        source = seal if seal is not None else ams
        instances.append(ArcInstance(
            instance=number,
            domain=source.get("d") if source else None,
            selector=source.get("s") if source else None,
            cv=seal.get("cv") if seal else None,
            seal_result=_instance_word(check.seal_valid, seal_problem) if check and not seal_unpaid else None,
            # Without a body an ARC-Message-Signature cannot validate (its bh= covers the body): one
            # whose signed header fields verify is neutral, as a DKIM signature of a header-only
            # input, not a failure; one whose fields do not, fails (a signed field changed, or the
            # copy lost it). A blank body (a header copy that kept its empty line) is the same.
            signature_result=(None if ams_unpaid else "neutral" if check and not ams_problem and (
                number in rebuilt or number in unmatched)
                              else _instance_word(check.ams_valid, ams_problem) if check else None),
            authentication_results=entry.results,
            seal_key_record=_verified_words(dnsfunc, tried.get(("seal", number))) if tried else None,
            signature_key_record=_verified_words(dnsfunc, tried.get(("ams", number))) if tried else None,
        ))

    several_records: str | None = None
    """The note on the several TXT records at the selector of the signature that broke the chain."""
    if census.over_limit:
        times, repeated = census.most_repeated()
        if census.highest > MAX_INSTANCE:
            highest = f"i={census.highest}" if census.highest < _BEYOND else "an i= of more than 9 digits"
            result, code, reason = ("fail", "instance_limit",
                                    f"{census.sets} ARC sets, instances above 50 (RFC 8617 section 4.2.1): the "
                                    f"highest is {highest}, and a chain of more than 50 sets fails whatever its "
                                    "signatures (so none was checked)")
        else:
            # More fields than 50 complete sets hold, every instance at most 50: some are repeated.
            result, code, reason = ("fail", "duplicate_set",
                                    f"{census.sets} sets, the same instance i={repeated} {_times(times)} (a copied "
                                    "or replayed set): each instance may hold one set, so a chain holds at most 50 "
                                    "(RFC 8617 section 4.2.1); no signature was checked")
    elif instances and instances[-1].instance == max(sets) and (instances[-1].cv or "").strip().lower() == "fail":
        # RFC 8617 section 5.2 step 2: the newest seal records that its sealer found the chain
        # broken; it fails whatever the signatures say, so no key is needed to say so.
        verified = instances[-1].seal_result == "pass"
        result, code, reason = ("fail", "chain_terminated",
                                f"the newest ARC-Seal (i={instances[-1].instance}) records cv=fail: its "
                                f"sealer{'' if verified else ' says it'} found the chain already broken"
                                + ("" if verified else " (its seal not verified here)"))
    else:
        newest_signature = signatures.get(max(checks)) if checks else None
        # The newest AMS's bh= against the body as it is now, when its key is gone: only over a body
        # that is the one received (not a rebuilt .msg's, not a header alone), and only when asked.
        newest_body: Callable[[], bool | None] = (
            (lambda: _dkimpy.ams_body_hash_matches(signed_split, newest_signature, mbox_quoted and has_body,
                                                   established))
            if newest_signature is not None and has_body and uncheckable_body is None else (lambda: None))
        result, code, reason = _verdict(outcome, dnsfunc, problems, has_body=has_body, newest_body=newest_body)
        culprit = _first_failure(outcome) if result == "fail" and code == "invalid" else None
        several_records = key_notes.get(culprit) if culprit is not None else None
        others_tried = culprit is not None and culprit in tried and bool(tried[culprit].tried)
        body_changed = culprit is not None and culprit in tried and tried[culprit].body_changed
        if several_records is not None and culprit is not None and (
                culprit[0] == "seal" or _signs_from(signatures.get(culprit[1]))):
            # The signature that broke the chain was checked with one of several TXT records at its
            # selector (RFC 6376 section 3.6.2.2: the result is undefined), said as DKIM says it
            # (dkim._fetch_key). Not for an AMS judged invalid for leaving From unsigned.
            reason += f" ({several_records})"
        else:
            several_records = None
        newest_unchecked = bool(rebuilt) and max(rebuilt) == max(checks, default=0)
        seals_valid = all(c.seal_valid for c in outcome.instances)
        if result in ("pass", "fail") and uncheckable_body is not None and newest_unchecked and seals_valid \
                and (result == "pass" or _first_failure(outcome) == ("ams", max(rebuilt))):
            # Every seal validates (they sign ARC fields only, which the copy keeps as received), and
            # the newest AMS, the one the chain rests on (RFC 8617 section 5.2), verifies but for its
            # body hash, which the copy cannot match: not a verdict on the message either way.
            newest = checks[max(rebuilt)]
            result, code = "neutral", "body_uncheckable"
            reason = _uncheckable_words(newest, sets[max(rebuilt)], uncheckable_body)
        elif result in ("pass", "fail") and not has_body and newest_unchecked and seals_valid \
                and (result == "pass" or _first_failure(outcome) == ("ams", max(rebuilt))):
            # A header without its body: the same, said as such. Not a pass: the body hash the chain
            # also rests on is not in the input (auth.dmarc credits only the receiver's arc=pass).
            result, code = "neutral", "no_body"
            reason = (f"every ARC seal and the signed header fields of the newest ARC-Message-Signature "
                      f"(i={max(rebuilt)}) validate, but the input has no body, so its body hash could not be checked")
        elif result in ("pass", "fail") and unmatched and max(unmatched) == max(checks, default=0) and seals_valid \
                and (result == "pass" or _first_failure(outcome) == ("ams", max(unmatched))):
            # As for a DKIM signature (auth.dkim): the chain rests on the newest AMS, whose body hash
            # matches no reading of the mailbox's quoting. Not a failure, nor a pass: DMARC's
            # override by a sealer's record (holds) does not rest on it.
            result, code = "neutral", "not_original"
            reason = (f"every ARC seal validates and the signed header fields of the newest ARC-Message-Signature "
                      f"(i={max(unmatched)}) verify, but its body hash cannot be checked: {MBOX_UNMATCHED_WORDS}")
        if unpaid and result in ("pass", "fail", "neutral") and (result != "fail" or _first_failure(outcome) in unpaid):
            # Signatures the message's budget could not pay for were not tried (a forger's sets of
            # costly keys, verification V48b D1-2): dkimpy's False for them is no verdict, so a chain
            # that rests on one is not verified, neither failed nor passed. A signature that was
            # tried and failed fails the chain whatever the others (RFC 8617 section 5.2): kept.
            result, code = "neutral", "budget_spent"
            reason = _unpaid_words(outcome.not_verified, budget)
            several_records = None
    if result == "pass":
        other_records = [f"{'ARC-Seal' if kind == 'seal' else 'ARC-Message-Signature'} i={item.instance}: {words}"
                         for item in instances for kind, words in (("seal", item.seal_key_record),
                                                                   ("ams", item.signature_key_record)) if words]
        if other_records:
            reason += f" ({'; '.join(other_records)})"
    times, repeated = census.most_repeated()
    if times > 1 and result == "fail" and code == "invalid":
        # dkimpy says "Duplicate ARC-Seal for instance 1", and the sets are read by instance, so
        # "1 set" was shown for a message holding two. RFC 8617 section 4.1: a set is one of each
        # ARC field per instance, so one instance twice is a set copied in again or replayed.
        # The instance named is the one dkimpy named when it is repeated, so the two agree.
        named = _dkimpy_instance().search(reason, 0, 300)
        times, repeated = census.most_repeated(int(named.group(1)) if named else None)
        # dkimpy's words are kept only when they name that same instance (else they are dropped).
        said = f" ({reason})" if named is not None and int(named.group(1)) == repeated else ""
        code = "duplicate_set"
        reason = (f"{census.sets} sets, the same instance i={repeated} {_times(times)} "
                  f"(a copied or replayed set): each instance may hold one set{said}")
    oldest_pass = None
    if result == "pass":
        # RFC 8617 section 5.2 step 6: walk down from the newest set while its AMS validates.
        for check in sorted(outcome.instances, key=lambda c: -c.instance):
            if not check.ams_valid:
                break
            oldest_pass = check.instance
    # RFC 8617 section 4.1: a set is its ARC-Seal, ARC-Message-Signature and
    # ARC-Authentication-Results; section 5.1.1 fails a chain with a set missing one of them.
    missing = {number: [name for name, value in (("ARC-Seal", entry.seal), ("ARC-Message-Signature", entry.signature),
                                                 ("ARC-Authentication-Results", entry.results)) if value is None]
               for number, entry in sorted(sets.items())}
    partial = [number for number, names in missing.items() if names]
    if result in ("fail", "permerror") and partial and (not message.has_body or message.starts_mid_field) \
            and not census.over_limit:
        # A header alone copied in part, or stopping early (a paste, a file cut off in its header):
        # a set without all of its fields says the copy left them out or ends before them (the
        # ARC-Authentication-Results Gmail writes below its seal and signature, say), not that a
        # chain broke (as a DKIM result without its signature in a paste, recorded._compare_dkim).
        # Only a header without the empty line that ends it is such a part: with that line the
        # header section is complete (RFC 5322 section 2.1), so a message whose body is empty is
        # whole, and a set missing a member fails it (RFC 8617 section 5.1.1), as above; else a
        # sender could put the lure in Subject:, send no body and be spared the warning.
        result, code = "neutral", "incomplete_copy"
        names = " and ".join(missing[partial[0]])
        # So is a paste that starts inside a field (the loader left that field's lines out): the
        # fields above its first one were not copied, a set's member among them (a delivered
        # message never starts so: each server puts whole fields on top, RFC 5321 section 4.4).
        where = ("the file is cut off inside its header and may stop before it" if message.cut_off
                 else f"the paste starts inside a header field: its {names} may be that field or above it, which "
                      "the copy cut" if message.starts_mid_field
                 else f"the paste may have left out its {names}, or stop before it")
        reason = f"not checkable: ARC set i={partial[0]} is incomplete in the part given, without its {names} ({where})"
    key_gone = problems.get(_first_failure(outcome) or ("", 0)) if code in ("key_not_found", "key_revoked") else None
    arc = ArcResult(result=result, reason=reason, instances=tuple(instances),
                    oldest_pass=oldest_pass, reason_code=code,
                    key_among_several=key_gone is not None and key_gone.several and code == "key_revoked")
    findings: list[Finding] = []
    changed = _changed_between(sets, instances, oldest_pass, problems, split, mbox_quoted and has_body,
                               established) if result == "pass" else None
    if changed is not None:
        findings.append(changed)
    elif times <= 1 and not census.over_limit:
        # (Validation located the change itself, above, when it could: not said twice.)
        findings.extend(_body_hash_trail(message, sets, instances))
    mbox_note = _mbox_quoting_note(outcome, unmatched, signed_split.mbox_mixed_limit() if unmatched else None,
                                   signed_split, signatures)
    if mbox_note is not None:
        findings.append(mbox_note)
    if result == "pass" and has_body and uncheckable_body is None:
        unsigned = _unsigned_body(signed_split, outcome, signatures, instances)
        if unsigned is not None:
            findings.append(unsigned)
    if result == "pass":
        # (Only a chain that validates could vouch; a broken or unchecked one vouches for nothing.)
        findings.extend(_absent_signatures(message, sets))
    sender_sealed = _sealed_on_the_way_out(message, sets, instances)
    if sender_sealed is not None:
        findings.append(sender_sealed)
    temporary = [a for a in dnsfunc.failures if a.temporary_failure]
    if temporary:
        # RFC 8617 section 5.2 uses the DKIM key lookup (RFC 6376 section 6.1.2): a lookup that
        # failed for now leaves its signature unverified, as spf.temperror and dmarc.temperror say.
        names = "; ".join(f"{a.name[:300]}: {a.status}" for a in temporary[:5]) + (
            f"; and {len(temporary) - 5} more" if len(temporary) > 5 else "")
        findings.append(Finding(
            "arc.temperror", Severity.NOTICE, "ARC key lookup failed (DNS error)",
            f"The key lookup failed for {names}. A temporary DNS failure says nothing of the ARC chain, "
            f"which could not be validated whole now (the chain: {result}): "
            + (f"{REPLAYED_FAILURE_WORDS}." if dnsfunc.replays else "analyse the message again later."),
            f"{RFC8617}#section-5.2", "arc"))
    if key_gone is not None and key_gone.several:
        # Not "rotated": a valid key may stand beside the revoked record used (verification V43c).
        findings.append(Finding(
            "arc.key_unavailable", Severity.NOTICE, "ARC key record used is revoked, one of several",
            f"{reason}. The chain cannot be validated with the record used, and not every other record at the "
            f"selector was tried (revoked ones are no key to try, and at most {_dkimpy.MAX_KEY_RECORDS} are tried "
            "per selector): whether the sealer revoked its key or published a revoked record beside it cannot "
            "be told, so this says nothing of the message either way.",
            "https://www.rfc-editor.org/rfc/rfc6376#section-3.6.2.2", "arc"))
    elif code in ("key_not_found", "key_revoked"):
        findings.append(Finding(
            "arc.key_unavailable", Severity.NOTICE, "ARC key no longer published",
            f"{reason}. The chain cannot be validated now; if the receiver recorded arc=pass, the "
            "sealer has rotated its key since (a DNS change, not a change to the message).",
            f"{RFC8617}#section-5.2", "arc"))
    elif result in ("fail", "permerror"):
        findings.append(Finding(
            # A sealer's own record that the chain reached it broken (a list or gateway before it
            # changed the message) is its statement, not a failure found here: a notice.
            "arc.chain_failed", Severity.NOTICE if code == "chain_terminated" else Severity.WARNING,
            "ARC chain does not validate" + (f" (i={instances[-1].instance} recorded cv=fail)"
                                             if code == "chain_terminated" else ""),
            f"{reason}. A receiver cannot rely on what the intermediaries recorded in their "
            "ARC-Authentication-Results." + (
                (" The signature that failed does not match the body, whichever key record at its selector is "
                 "used: its body hash does not depend on the key (RFC 6376 section 3.7)." if body_changed else
                 " The signature that failed was checked with the key records at its selector named, and none "
                 "verified it (RFC 6376 section 6.1.2 lets a verifier try each)." if others_tried else
                 " The signature that failed was checked with one of several TXT records at its selector (the one "
                 "named), where RFC 6376 section 3.6.2.2 leaves the result undefined; the others were not tried.")
                if several_records is not None and code == "invalid" else ""),
            f"{RFC8617}#section-5.2", "arc"))
    if unpaid:
        findings.append(_unpaid_finding(outcome.not_verified, budget, code == "budget_spent"))
    return arc, tuple(findings)


def _unpaid_finding(unpaid: tuple[tuple[str, int], ...], budget: _dkimpy.VerificationBudget | None,
                    chain_unverified: bool) -> Finding:
    """arc.budget_spent: ARC signatures left untried when the message's signature-checking budget was
    spent (verification V48b D1-2: a forger's 50 sets over selectors of costly keys cost 20 s)."""
    return Finding(
        "arc.budget_spent", Severity.WARNING if chain_unverified else Severity.NOTICE,
        f"ARC signatures not verified: the signature-checking budget was spent ({len(unpaid)} not tried)",
        f"{_unpaid_words(unpaid, budget, chain_unverified)[:1].upper()}"
        f"{_unpaid_words(unpaid, budget, chain_unverified)[1:]}. Each signature check is paid "
        "for from one budget per message, shared with DKIM (ARC may spend half of it), so that keys chosen to be slow "
        "to verify (large moduli and exponents) cannot stall the analysis; real mail uses a small part of it. A "
        "signature not tried proves nothing either way: "
        + ("the chain is neither passed nor failed here." if chain_unverified else
           "the chain fails for a signature that was tried."),
        f"{RFC8617}#section-5.2", "arc")


def _changed_between(sets: dict[int, _Set], instances: list[ArcInstance], oldest_pass: int | None,
                     problems: dict[tuple[str, int], _KeyProblem], split: _dkimpy.SplitMessage,
                     mbox_quoted: bool = False, mbox_established: Callable[[], str | None] | None = None
                     ) -> Finding | None:
    """An info finding when a passing chain holds an older ARC-Message-Signature that no longer
    validates: the message was changed after that sealer signed it (RFC 8617 section 5.2 step 6,
    the oldest-pass walk, exists to locate such a change). Mailing lists do this legitimately
    (a subject tag, a footer), so it is told, not alarmed about."""
    if oldest_pass is None:
        return None
    below = next((i for i in reversed(instances) if i.instance < oldest_pass), None)
    above = next((i for i in instances if i.instance == oldest_pass), None)
    if below is None or above is None or below.signature_result != "fail" or ("ams", below.instance) in problems:
        return None  # no older set, or its key was not usable: nothing shows a change
    entry = sets.get(below.instance)
    tags = parse_tag_list(entry.signature) if entry is not None and entry.signature else None
    if tags is None:
        return None
    signed = [name.strip().lower() for name in (tags.get("h") or "").split(":")[:40] if name.strip()]
    shown = ", ".join(dict.fromkeys(name[:40] for name in signed[:12])) + (", ..." if len(signed) > 12 else "")
    body_same = _dkimpy.ams_body_hash_matches(split, tags, mbox_quoted, mbox_established)

    def who(instance: ArcInstance) -> str:
        return f"set i={instance.instance}" + (f" ({instance.domain[:100]})" if instance.domain else "")

    if body_same is True:
        what = ("The body is unchanged (the signature's body hash bh= still matches), so a header field it "
                f"signed was changed or added: one of {shown or 'the fields it names in h='}.")
        title_what = "a signed header field"
    elif body_same is False:
        what = ("The body was changed (the signature's body hash bh= no longer matches): a footer, a "
                "re-encoding, a rewritten part" + (f"; header fields it signed ({shown}) may have changed too."
                                                    if shown else "."))
        title_what = "the body"
    else:
        what = f"Fields it signed: {shown}." if shown else ""
        title_what = "the message"
    return Finding(
        "arc.changed_after_set", Severity.INFO,
        f"ARC: {title_what} changed between {who(below)} and {who(above)}"[:200],
        (f"The ARC-Message-Signature of {who(below)} no longer validates, while those of {who(above)} and of "
         f"every later set do: the message was changed after {who(below)} signed it and before {who(above)} "
         f"signed (by that sealer itself or by a server between them). {what} The chain still passes: only the "
         "newest ARC-Message-Signature must validate (RFC 8617 section 5.2), and mailing lists and "
         "forwarders change messages this way (a subject tag, a footer). What the earlier sets' "
         "ARC-Authentication-Results recorded was about the message before that change.").replace("  ", " "),
        f"{RFC8617}#section-5.2", "arc")


def _mbox_quoting_note(outcome: _dkimpy.ArcOutcome, unmatched: frozenset[int], limit: str | None,
                       split: _dkimpy.SplitMessage, signatures: dict[int, TagList | None]) -> Finding | None:
    """arc.mbox_quoting: how the body of a mailbox's entry with quoted "From " lines was read for
    each ARC-Message-Signature's body hash (info), or that the one the chain rests on matched no
    reading, or matched only line by line (notice), as dkim.mbox_quoting says of DKIM signatures.
    ``limit``: why some line-by-line readings were not tried (SplitMessage.mbox_mixed_limit).
    ``split`` and ``signatures`` (each instance's AMS): a line-by-line reading names only the
    lines within its AMS's l= (mbox_reading_within)."""
    said = [f"i={number}: verified over the body {mbox_reading_words(_within(reading, split, signatures.get(number)), False)}"
            for number, reading in outcome.mbox_readings]
    said += [f"i={number}: matches none of the readings" for number in sorted(unmatched)]
    said += [f"i={number}: matches no reading, and over the body {mbox_reading_words(reading)}, the reading another "
             "signature's body hash in the message matches, it does not: the body changed after it signed"
             for number, reading in outcome.mbox_judged]
    if not said:
        return None
    text = ("The message is a mailbox's entry whose body has lines starting with '>From ', which its writer may have "
            "quoted (mboxo, mboxrd) or left as the sender wrote them: the file does not say which (RFC 4155 section "
            "2), so each ARC-Message-Signature's body hash was matched against the body as stored and with that "
            "quoting undone (wholly, or line by line when neither matched). "
            f"{'; '.join(said[:MAX_INSTANCE])}.")
    if unmatched:
        return Finding("arc.mbox_quoting", Severity.NOTICE,
                       "ARC body hash matches no reading of the mailbox's '>From ' quoting",
                       text + (f" Readings not tried: {limit}." if limit else ""),
                       "https://www.rfc-editor.org/rfc/rfc4155#section-2", "arc")
    mixed = [number for number, reading in outcome.mbox_readings if reading.startswith(_dkimpy.MIXED_PREFIX)]
    if mixed:
        # Verified, but over bytes that are not the stored ones (as dkim.mbox_quoting says): the
        # stored body is not the one the sealer signed, byte for byte. Said once, not per instance.
        several = len(mixed) > 1
        return Finding("arc.mbox_quoting", Severity.NOTICE,
                       "ARC body hash verified only with the mailbox's '>From ' quoting undone line by line",
                       f"{text} The body as stored is not byte for byte the signed one: the mailbox's writer (mboxo) "
                       "put a '>' before some of its lines and not before the sender's own '>From ' lines, and only "
                       f"the reading{'s' if several else ''} named restore{'' if several else 's'} the signed bytes.",
                       "https://www.rfc-editor.org/rfc/rfc4155#section-2", "arc")
    return Finding("arc.mbox_quoting", Severity.INFO, "ARC body hashes checked over the mailbox's '>From ' quoting",
                   text, "https://www.rfc-editor.org/rfc/rfc4155#section-2", "arc")


def _unsigned_body(split: _dkimpy.SplitMessage, outcome: _dkimpy.ArcOutcome, signatures: dict[int, TagList | None],
                   instances: list[ArcInstance]) -> Finding | None:
    """arc.unsigned_body: the body of a passing chain runs past the l= of every
    ARC-Message-Signature that validates, the newest among them, the one the chain rests on (RFC
    8617 section 5.2), as dkim.unsigned_body says of DKIM signatures. RFC 8617 section 4.1.2 gives
    the AMS DKIM's tags: an l= signs the body's first bytes only, and what follows them (RFC 6376
    section 8.2) anyone may have added after the sealer signed."""
    readings = dict(outcome.mbox_readings)
    reaching: tuple[int, int, int, _dkimpy.SplitMessage, str] | None = None  # (unsigned, instance, l=, body, c=)
    for check in sorted(outcome.instances, key=lambda c: -c.instance):
        tags = signatures.get(check.instance)
        # (One whose body hash was not matched, over a copy or a mailbox's quoting, vouches for no body.)
        unchecked = check.instance in outcome.body_unchecked or check.instance in outcome.mbox_unmatched
        read = _dkimpy.body_hash_request(tags) if check.ams_valid and not unchecked and tags is not None else None
        if read is None:
            continue
        request, expected = read
        length = request[2]
        if length is None:
            return None  # this one signs the whole body
        # The body its hash matched: as stored, or a reading of a mailbox's quoting (its '>' differ).
        body: _dkimpy.SplitMessage | None = split
        size = split.body_hash(*request)[1]
        if readings.get(check.instance, "stored") != "stored":
            found = split.mbox_reading_matching(request, expected)
            body, size = (found[1], found[2]) if found is not None else (None, 0)
        if body is None or size <= length:
            return None
        if reaching is None or size - length < reaching[0]:
            reaching = (size - length, check.instance, length, body, request[0])
    if reaching is None:
        return None
    unsigned, number, length, body, canon = reaching
    newest = max(c.instance for c in outcome.instances)
    sealer = next((i.domain for i in instances if i.instance == number and i.domain), None)
    who = f"i={number}" + (f", {sealer[:100]}" if sealer else "")
    blank = "" if body.tail_has_text(canon, length) else " Those bytes are white space only."
    return Finding(
        "arc.unsigned_body", Severity.WARNING, f"{unsigned} body bytes not covered by any ARC-Message-Signature",
        f"The {'newest ' if number == newest else ''}ARC-Message-Signature ({who})"
        f"{', the one the chain rests on (RFC 8617 section 5.2),' if number == newest else ''} has l={length}: its "
        f"sealer signed only the first {length} bytes of the body (RFC 8617 section 4.1.2 gives it DKIM's tags), "
        f"and no other ARC-Message-Signature that validates signs more, so the {unsigned} bytes after them are "
        "sealed by no one: content at the end of the body added after the sealers signed (a footer, or someone "
        f"appending their own text) passes the chain unseen (RFC 6376 section 8.2).{blank}",
        "https://www.rfc-editor.org/rfc/rfc6376#section-8.2", "arc")


def _within(reading: str, split: _dkimpy.SplitMessage, signature: TagList | None) -> str:
    """A line-by-line reading's name with the reach of its AMS's l= (mbox_reading_within)."""
    if signature is None or not reading.startswith(_dkimpy.MIXED_PREFIX):
        return reading
    read = _dkimpy.body_hash_request(signature)
    return reading if read is None else mbox_reading_within(reading, split, read[0][0], read[0][2])


def holds(arc: ArcResult | None) -> bool:
    """The chain validates (RFC 8617 section 5.2), or does as far as a copy without the signed body
    (an Outlook .msg, Apple Mail's .partial.emlx) can show: every seal validates and the newest
    ARC-Message-Signature's signed header fields verify, only its body hash cannot be checked
    (reason_code body_uncheckable). What the sealers recorded is then intact, as the seals prove."""
    return arc is not None and (arc.result == "pass"
                                or (arc.result == "neutral" and arc.reason_code == "body_uncheckable"))


def _rewritten_signed(entry: _Set, rewritten_fields: tuple[str, ...]) -> list[str]:
    """The fields the rebuild of a .msg wrote itself that an ARC-Message-Signature signs (h=): it
    was verified with the ones the .msg keeps (_check_arc)."""
    tags = parse_tag_list(entry.signature) if entry.signature else None
    signed = {name.strip().lower() for name in ((tags.get("h") or "") if tags else "").split(":")[:200]}
    return [name for name in rewritten_fields if name in signed]


def _uncheckable_words(check: _dkimpy.ArcInstanceCheck, entry: _Set, uncheckable: UncheckableBody) -> str:
    """Why the chain of a copy without the signed body cannot be checked: every seal and the newest
    AMS's signed header fields verify, only its body hash cannot be checked."""
    body = (f"the body is {uncheckable.words}, not the bytes that were signed, so its body hash (bh=) cannot match "
            "whatever the message was")
    restored = _rewritten_signed(entry, uncheckable.rewritten_fields) \
        if uncheckable.received_header is not None else []
    kept = f", {as_kept_words(restored)}," if restored else ""
    return (f"{CANNOT_CHECK_FROM_COPY}: every ARC seal validates and the signed header fields of the newest "
            f"ARC-Message-Signature (i={check.instance}) verify{kept} but {body} (RFC 8617 section 5.2 verifies it "
            "as a DKIM signature)")


def _unpaid_words(unpaid: tuple[tuple[str, int], ...], budget: _dkimpy.VerificationBudget | None,
                  chain_unverified: bool = True) -> str:
    """Which ARC signatures the message's budget could not pay for, and why; and, when the chain rests
    on them (``chain_unverified``), that it cannot be validated (else it fails on a signature tried:
    verification V53a D3-1, the words said both)."""
    named = ", ".join(f"{'ARC-Seal' if kind == 'seal' else 'ARC-Message-Signature'} i={instance}"
                      for kind, instance in unpaid[:3]) + (f" and {len(unpaid) - 3} more" if len(unpaid) > 3 else "")
    why = budget.arc_words() if budget is not None else "not verified: the signature-checking budget was spent"
    return f"{why}: {named} not tried" + (", so the chain cannot be validated" if chain_unverified else "")


def _first_failure(outcome: _dkimpy.ArcOutcome) -> tuple[str, int] | None:
    """Which signature made dkimpy's chain fail: the newest AMS, else the newest bad seal."""
    ordered = sorted(outcome.instances, key=lambda c: -c.instance)
    if not ordered:
        return None
    if not ordered[0].ams_valid:
        return "ams", ordered[0].instance
    for check in ordered:
        if not check.seal_valid:
            return "seal", check.instance
    return None


def _changed_beside_missing_key(outcome: _dkimpy.ArcOutcome, problems: dict[tuple[str, int], _KeyProblem],
                                newest_body: Callable[[], bool | None]) -> str | None:
    """Why the chain fails for a reason besides a sealer's key that left DNS, or None.

    A chain fails "only because a key was removed" when everything checkable without that key
    still holds: every ARC-Seal whose key is published validates, the newest ARC-Message-Signature
    validates where its key is published, and, where it is not, its bh= still matches the body
    (a hash of the body, which needs no key: RFC 6376 section 3.7). Older message signatures are
    not asked: RFC 8617 section 5.2 rests the chain on the newest, and an older one failing is a
    list's or forwarder's change that the oldest-pass walk locates, not a sign of tampering."""
    if not outcome.instances:
        return None
    for check in sorted(outcome.instances, key=lambda c: -c.instance):
        if ("seal", check.instance) not in problems and check.seal_valid is not True:
            return f"the ARC-Seal i={check.instance} does not validate, though its key is published"
    newest = max(outcome.instances, key=lambda c: c.instance)
    if ("ams", newest.instance) not in problems:
        if not newest.ams_valid:
            return (f"the newest ARC-Message-Signature (i={newest.instance}) does not validate, though its key is "
                    "published")
        return None
    if newest_body() is False:
        return (f"the body was changed after the newest ARC set (i={newest.instance}) was sealed: its "
                "ARC-Message-Signature's body hash (bh=) no longer matches the body, which no key is needed to see")
    return None


def _signs_from(signature: TagList | None) -> bool:
    """Whether an ARC-Message-Signature's h= names From (RFC 6376 section 5.4: the From header
    field MUST be signed), read as DKIM reads h= (colon-separated names, folding white space)."""
    if signature is None:
        return True  # no AMS to judge: the set is incomplete, as validation says itself
    names = signature.get("h") or ""
    return any(name.strip().lower() == "from" for name in names.split(":", _MAX_SIGNED_NAMES)[:_MAX_SIGNED_NAMES])


_MAX_SIGNED_NAMES = 1000
"""The names of an h= read for From (a hostile AMS may name thousands)."""


def _without_unsigned_from(outcome: _dkimpy.ArcOutcome, signatures: dict[int, TagList | None]) -> _dkimpy.ArcOutcome:
    """dkimpy's outcome with every ARC-Message-Signature whose h= leaves out From judged invalid.

    RFC 8617 section 4.1.2 gives the AMS the syntax and semantics of a DKIM-Signature, whose h=
    must include From (RFC 6376 section 5.4); a verifier fails one that does not (section 6.1.1,
    PERMFAIL "From field not signed"). dkimpy's ARC verifier skips that check, so an AMS over
    To and Subject alone validated: its sealer vouched for a message whose author nothing signed.
    The newest AMS is the one the chain rests on (RFC 8617 section 5.2 step 5): when it is such a
    one, the chain fails."""
    unsigned = {c.instance for c in outcome.instances
                if c.ams_valid and c.instance in signatures and not _signs_from(signatures[c.instance])}
    if not unsigned:
        return outcome
    instances = tuple(replace(c, ams_valid=False) if c.instance in unsigned else c for c in outcome.instances)
    newest = max(c.instance for c in outcome.instances)
    if outcome.cv != "pass" or newest not in unsigned:
        return replace(outcome, instances=instances)
    return replace(outcome, instances=instances, cv="fail",
                   reason=f"the ARC-Message-Signature i={newest} does not sign the From: field (its h= leaves it "
                          "out): RFC 8617 section 4.1.2 gives it DKIM's rules, and a DKIM signature that does not "
                          "sign From is invalid (RFC 6376 sections 5.4 and 6.1.1)")


def _verdict(outcome: _dkimpy.ArcOutcome, dnsfunc: _dkimpy.DnsFunc, problems: dict[tuple[str, int], _KeyProblem],
             *, has_body: bool, newest_body: Callable[[], bool | None] = lambda: None) -> tuple[str, str, str]:
    """(result, reason_code, reason) from dkimpy's cv and what DNS answered. ``newest_body``:
    whether the newest ARC-Message-Signature's bh= matches the body now (None: cannot tell)."""
    if outcome.cv == "pass":
        return "pass", "ok", "every ARC seal and the newest ARC-Message-Signature validate"
    if outcome.cv == "none":
        return "none", "no_arc", "no ARC set with a readable instance number"
    failures = dnsfunc.failures
    if failures:
        if any(a.status == DnsStatus.OFFLINE for a in failures):
            # RFC 8601 section 2.7.1 "none" would say "not signed"; the chain exists, unchecked.
            return "not_checked", "offline", "not checked (offline)"
        first = failures[0]
        return ("temperror", "temperror",
                f"key lookup for {first.name} failed: {first.status} ({retry_words(first.status, dnsfunc.replays)})")
    if outcome.cv == "error":
        return "permerror", "library_error", f"ARC validation could not complete: {outcome.reason}"
    if outcome.cv == "terminated":
        return "fail", "chain_terminated", f"chain already failed upstream: {outcome.reason}"
    culprit = _first_failure(outcome)
    problem = problems.get(culprit) if culprit else None
    if culprit and problem and problem.code in ("key_not_found", "key_revoked"):
        tampered = _changed_beside_missing_key(outcome, problems, newest_body)
        if tampered is not None:
            # A key gone from DNS does not excuse what needs no key to see (verification V39d t1:
            # a body edited after the last sealer, whose key was since removed, read as DNS drift).
            return "fail", "invalid", f"{tampered} (and {problem.reason})"
        # The chain does fail (RFC 8617 section 5.2: cv is pass, fail or none), but, as for
        # DKIM (RFC 6376 section 6.1.2), a key that is not published is a permanent lookup
        # error, not evidence that the signed content changed: say so in the code and reason.
        what = "ARC-Message-Signature" if culprit[0] == "ams" else "ARC-Seal"
        return ("fail", problem.code,
                f"the key of {what} i={culprit[1]} is not available ({problem.reason}), so it could not be verified")
    if not has_body and outcome.instances and all(c.seal_valid for c in outcome.instances):
        return ("neutral", "no_body",
                "every ARC seal validates, but the input has no body, so the message signatures "
                "could not be checked")
    return "fail", "invalid", outcome.reason


# --- Where the body changed, from the body hashes alone ------------------------------------
# A DKIM-Signature's and an ARC-Message-Signature's bh= is the hash of the body as its signer
# canonicalized it (RFC 6376 section 3.7; RFC 8617 section 4.1.2 gives the AMS DKIM's tags).
# Two made with the same body canonicalization, hash and l= hash the same text exactly when the
# canonicalized body was the same: comparing them needs neither the body nor a key, so a pasted
# header tells where the body changed along the chain.

BODY_CHANGED_ID = "arc.body_changed_between"
_AFTER_PASS = "ARC: the body was changed after "
_AS_CLAIMED = ", as the sets claim"
_MAX_WITNESSES = 10
"""DKIM-Signature fields read below the chain (a message may hold hundreds: hostile)."""
_MAX_CHANGES = 3
_MAX_BH_CHARS = 200  # a sha256 bh= is 44 characters
_bh_chars = compiled_on_first_use(r"[A-Za-z0-9+/]{1,200}={0,2}")


class _Witness(NamedTuple):
    """One signature's body hash and what it was made over."""

    label: str
    """How the report names it: "set i=2 (mimecast.com)", "the DKIM-Signature by d= (header 9)"."""
    instance: int | None
    """The ARC instance, None for a DKIM-Signature."""
    key: tuple[str, str, str]
    """(body canonicalization, hash, l= or ""): only equal keys hash the same text."""
    bh: str


def _body_key(tags: TagList) -> tuple[tuple[str, str, str], str] | None:
    """(key, bh) of a signature's tags, or None when they do not say what was hashed."""
    # RFC 6376 section 3.5: c= defaults to simple/simple; "relaxed" alone is relaxed/simple.
    canon = (tags.get("c") or "simple/simple").strip().lower()[:40]
    body = canon.partition("/")[2].strip() or "simple"
    digest = (tags.get("a") or "").strip().lower()[:40].rpartition("-")[2]
    length = "".join((tags.get("l") or "").split())[:80]
    bh = "".join((tags.get("bh") or "")[:_MAX_BH_CHARS * 2].split())
    if body not in ("simple", "relaxed") or digest not in ("sha1", "sha256") or (length and not length.isdigit()) \
            or not bh or len(bh) > _MAX_BH_CHARS or not _bh_chars().fullmatch(bh):
        return None
    return (body, digest, length), bh


def _witnesses(message: Message) -> list[_Witness]:
    """The body hashes in the order they were made: the DKIM-Signatures that were in the message
    before the first ARC set (below its AMS), oldest first, then each AMS by instance."""
    signatures: dict[int, tuple[int, TagList]] = {}
    repeated = False
    for header in message.headers:
        if header.name.lower() == "arc-message-signature":
            number = _instance_of(header.value)
            if number is None:
                continue
            repeated = repeated or number in signatures
            signatures.setdefault(number, (header.index, parse_tag_list(header.value)))
    if repeated or not signatures or len(signatures) > MAX_INSTANCE:
        return []  # a copied or replayed set: which of its hashes is the sealer's is not known
    first = signatures[min(signatures)][0]
    # Fields are added at the top (RFC 5322 section 3.6): a DKIM-Signature below the first AMS was
    # there when its sealer signed; the bottom one is the oldest.
    below = [h for h in message.headers if h.name.lower() == "dkim-signature" and h.index > first]
    witnesses: list[_Witness] = []
    for header in reversed(below[-_MAX_WITNESSES:]):
        tags = parse_tag_list(header.value)
        read = _body_key(tags)
        if read is not None:
            signer = (tags.get("d") or "?").strip()[:100]
            witnesses.append(_Witness(f"the DKIM-Signature by {signer} ({header_ref(header.index)})",
                                      None, read[0], read[1]))
    for number in sorted(signatures):
        tags = signatures[number][1]
        read = _body_key(tags)
        if read is not None:
            sealer = (tags.get("d") or "").strip()[:100]
            witnesses.append(_Witness(f"set i={number}" + (f" ({sealer})" if sealer else ""), number,
                                      read[0], read[1]))
    return witnesses


def _recorded_passes(results: str | None) -> list[str]:
    """The dkim=pass and dmarc=pass an ARC-Authentication-Results records, in its words."""
    if not results:
        return []
    parsed = _parse_authentication_results(results[:4000], arc=False)
    return list(dict.fromkeys(f"{c.method}=pass" for c in parsed.clauses
                              if c.method in ("dkim", "dmarc") and c.result == "pass"))


def _body_hash_trail(message: Message, sets: dict[int, _Set], instances: list[ArcInstance]) -> list[Finding]:
    """arc.body_changed_between: each place along the chain where two body hashes made the same
    way differ, naming the signers on either side (RFC 6376 section 3.7)."""
    witnesses = _witnesses(message)
    # RFC 8617 section 5.2: each seal signs every ARC field of its set and the sets before it, so
    # when every seal validates the AMS fields (and their bh=) are the sealers' own; else a claim.
    verified = bool(instances) and all(i.seal_result == "pass" for i in instances)
    findings: list[Finding] = []
    for position, later in enumerate(witnesses):
        if later.instance is None or len(findings) >= _MAX_CHANGES:
            continue
        earlier = next((w for w in reversed(witnesses[:position]) if w.key == later.key), None)
        if earlier is None or earlier.bh == later.bh:
            continue
        same_after = [w.label for w in witnesses[position + 1:] if w.key == later.key and w.bh == later.bh]
        findings.append(_body_change_finding(earlier, later, same_after, sets, verified, message))
    return findings


def _body_change_finding(earlier: _Witness, later: _Witness, same_after: list[str], sets: dict[int, _Set],
                         verified: bool, message: Message) -> Finding:
    body, digest, length = later.key
    entry = sets.get(later.instance) if later.instance is not None else None
    passes = _recorded_passes(entry.results if entry is not None else None)
    claim = "" if verified else _AS_CLAIMED
    words = " and ".join(passes)
    if passes:
        title = f"{_AFTER_PASS}{later.label} recorded {words}{claim}"
        sealer = later.label.rpartition("(")[2].rstrip(")").lower() if later.label.endswith(")") else ""
        list_label = list_id_label(message.first("List-Id")) or ""
        if sealer and list_label and organizational_domain(sealer) == organizational_domain(list_label):
            # The sealer is the list the List-Id names: lists add footers and subject tags after
            # their checks (RFC 6377 section 5; review AP 3).
            changer = (f"by that sealer, the mailing list the List-Id names ({list_label[:80]}): lists add a "
                       "footer or subject tag after their checks (RFC 6377 section 5), and every later check of the "
                       "earlier signature fails on that change. The List-Id and the set are that sealer's own text: "
                       "a domain imitating a list, with its own seal, looks the same, and nothing here shows what "
                       "the change was.")
        else:
            changer = ("by that sealer or a server of its own (a list's footer, a gateway's banner or rewritten "
                       "links, a disclaimer), and every later check of the earlier signature fails on that change.")
        where = (f" {later.label[:1].upper()}{later.label[1:]}'s ARC-Authentication-Results record {words}: by "
                 f"its own record its sealer received the message as signed, so the body was changed after those "
                 f"checks, {changer}")
    else:
        title = f"ARC: the body changed between {earlier.label} and {later.label}{claim}"
        where = (f" It was changed after {earlier.label} was made and before {later.label} was signed, by that "
                 "sealer or by a server between them.")
    since = (f" {same_after[0][:1].upper()}{', '.join(same_after[:5])[1:]} signed the same body as {later.label}: it has not changed since."
             if same_after else "")
    standing = (" Every ARC seal validates, so the body hashes are the sealers' own (RFC 8617 section 5.2)."
                if verified else
                " These are what the sets claim: their seals are not verified here, and anyone can add ARC sets "
                "with any bh=, so this locates a change if the sets are genuine; it vouches for nothing.")
    return Finding(
        BODY_CHANGED_ID, Severity.NOTICE if passes else Severity.INFO, title[:240],
        (f"{earlier.label[:1].upper()}{earlier.label[1:]} and {later.label} hash the body the same way "
         f"({body} body canonicalization, {digest}, " + (f"l={length[:20]}" if length else "no l=") + ") and their "
         f"body hashes differ (bh={earlier.bh[:12]}... and bh={later.bh[:12]}...): the body, as canonicalized, was "
         f"not the same when each was made (RFC 6376 section 3.7).{where}{since}{standing}"),
        "https://www.rfc-editor.org/rfc/rfc6376#section-3.7", f"arc i={later.instance}")


# --- An ARC-Authentication-Results pass for a signature the message does not carry ----------
SIGNATURE_ABSENT_ID = "arc.signature_absent"
_MAX_ABSENT = 3


def _absent_signatures(message: Message, sets: dict[int, _Set]) -> list[Finding]:
    """arc.signature_absent: an ARC-Authentication-Results records dkim=pass for a signature (its
    header.d, and header.b when given, RFC 6008) that no DKIM-Signature in the message is. A
    forwarder leaves the author's signature in place (it only adds its own fields, RFC 8617
    section 5.1), so the pass describes a signature nobody can check here: a forger's own set
    claims one this way. A list that deletes DKIM-Signature fields (Mailman's REMOVE_DKIM_HEADERS)
    produces it too, which the words say."""
    signatures: list[tuple[str, str]] | None = None  # (d=, b=) of each DKIM-Signature, read when needed
    findings: list[Finding] = []
    for number in sorted(sets)[:MAX_INSTANCE]:
        results = sets[number].results
        if not results or len(findings) >= _MAX_ABSENT:
            continue
        for clause in _parse_authentication_results(results[:4000], arc=False).clauses:
            if clause.method.lower() != "dkim" or clause.result.lower() != "pass":
                continue
            properties = dict((k.lower(), v) for k, v in clause.properties)
            domain = (properties.get("header.d") or "").strip().strip('"').lower()[:255]
            if not domain and "@" in (properties.get("header.i") or ""):
                domain = (properties.get("header.i") or "").rpartition("@")[2].strip().strip('"').lower()[:255]
            b_prefix = "".join((properties.get("header.b") or "").strip('"').split())[:200]
            if signatures is None:
                signatures = []
                for header in message.all("DKIM-Signature")[:_MAX_WITNESSES * 5]:
                    tags = parse_tag_list(header.value[:20000])
                    signatures.append(((tags.get("d") or "").strip().lower()[:255],
                                       "".join((tags.get("b") or "").split())))
            if not domain or any(d == domain and (not b_prefix or b.startswith(b_prefix)) for d, b in signatures):
                continue
            sealer = parse_tag_list(sets[number].seal or sets[number].signature or "").get("d") or "an unnamed sealer"
            named = f"header.d={domain}" + (f" header.b={b_prefix[:12]}" if b_prefix else "")
            findings.append(Finding(
                SIGNATURE_ABSENT_ID, Severity.NOTICE,
                f"ARC i={number} records dkim=pass for {domain[:100]}, but the message carries no such signature",
                (f"The ARC-Authentication-Results of set i={number} (sealed by {sealer.strip()[:100]}) record dkim=pass "
                 f"for a signature ({named[:160]}) that no DKIM-Signature in the message is. A forwarder leaves the "
                 "author's signature in place and only adds its own fields (RFC 8617 section 5.1), so nothing here "
                 "can check that pass: it is the sealer's word alone, and a forger's own ARC set claims a pass "
                 "for a domain this way. (A mailing list that deletes DKIM-Signature fields before resending "
                 "leaves the same trace.)"),
                f"{RFC8617}#section-5.1", f"arc i={number}"))
            break
    return findings


# --- A set the sending organisation added on its way out ----------------------------------
SENDER_SEALED_ID = "arc.sender_sealed"
SENDER_SEALED_WORDS = "sealed by the sending organisation on its way out; its results are the sender's own check"
# Microsoft's X-Forefront-Antispam-Report DIR: the message's direction, OUT for a tenant's outbound
# mail (learn.microsoft.com, "Anti-spam message headers"); bounded, one match in its first 4,000 characters.
_ms_direction = compiled_on_first_use(r"(?:^|;)[ \t]{0,20}DIR[ \t]{0,20}:[ \t]{0,20}([A-Za-z]{1,8})")


_received_by = compiled_on_first_use(r"\bby[ \t\r\n]{1,20}([A-Za-z0-9.-]{1,255})")
# The host names after "from" and "by" in a Received field.
_received_hosts = compiled_on_first_use(r"\b(?:from|by)[ \t\r\n]{1,20}([A-Za-z0-9.-]{1,255})")


def _final_receiver(message: Message) -> str | None:
    """The organisation of the server that wrote the topmost Received field (else the topmost
    Authentication-Results' authserv-id): the receiving side, as far as the header says."""
    received = message.first("Received")
    found = _received_by().search(received[:2000]) if received else None
    if found is not None:
        return host_organization(found.group(1))
    results = message.first("Authentication-Results")
    return host_organization(results.partition(";")[0].strip().split(" ")[0][:255]) if results else None


def _sealed_on_the_way_out(message: Message, sets: dict[int, _Set], instances: list[ArcInstance]) -> Finding | None:
    """arc.sender_sealed: the first set (cv=none) sealed by the organisation that sent the
    message, so its ARC-Authentication-Results are the sender's own check of its outbound mail, not
    what an intermediary saw (RFC 8617 section 1: ARC records what intermediaries saw). Either its
    sealer is the organisation of the From: domain or of a DKIM-Signature made before it (Microsoft's
    sets for outlook.com mail), or it is Exchange Online's set on a message whose
    X-Forefront-Antispam-Report says DIR:OUT (a Microsoft 365 tenant's outbound mail). Only the
    wording of a claim changes: nothing here is relied on more than before."""
    # (A paste may hold the set's ARC-Authentication-Results without its seal: cv unknown.)
    if not instances or instances[0].instance != 1 or (instances[0].cv or "none").strip().lower() != "none":
        return None
    first = instances[0]
    entry = sets.get(1)
    if entry is None or entry.results is None:
        return None
    if (first.seal_result or "").lower() == "fail":
        # A seal that does not validate says nothing of who sealed the set: no route fact from it.
        # (One whose key is no longer published, permerror, is as unverified as one offline.)
        return None
    authserv = entry.results.partition(";")[0].strip().split(" ")[0][:255]
    sealer = host_organization(first.domain.strip()[:255]) if first.domain else host_organization(authserv)
    writer = host_organization(authserv)
    if sealer is None or (writer is not None and writer != sealer):
        return None  # its results written in another organisation's name (a list sealing with a borrowed key)
    receiver = _final_receiver(message)
    if receiver is None or sealer == receiver:
        # Not shown to have left the sealer's organisation (no receiver's field to tell), or
        # perhaps the receiving side's own set (a provider's mail to its own users).
        return None
    senders: dict[str, str] = {}
    # A list's copy (RFC 2919 List-Id) may have been sealed by a list host of the sender's own
    # provider (Google Groups for gmail.com): an intermediary, so the From:/DKIM rule is not used.
    listed = message.first("List-Id") is not None
    for address in ([] if listed else parse_addresses((message.first("From") or "")[:2000])[:5]):
        domain = address.domain
        organisation = host_organization(domain) if domain else None
        if organisation is not None:
            senders.setdefault(organisation, f"the organisation of the From: domain {domain}")
    seal_index = next((h.index for h in message.headers if h.name.lower() == "arc-seal"
                       and _instance_of(h.value) == 1), None)
    for header in [h for h in message.headers if h.name.lower() == "dkim-signature"][:_MAX_WITNESSES]:
        if seal_index is not None and header.index > seal_index and not listed:
            signer = (parse_tag_list(header.value).get("d") or "").strip()[:255]
            organisation = host_organization(signer) if signer else None
            if organisation is not None:
                senders.setdefault(organisation, f"the organisation of the DKIM signer {signer}")
    why = senders.get(sealer)
    if why is None and sealer == "outlook.com":
        directions = {match.group(1).upper() for header in message.all("X-Forefront-Antispam-Report")[:5]
                      for match in _ms_direction().finditer(header.value[:4000])}
        microsoft_sets = sum(1 for i in instances if i.domain and host_organization(i.domain.strip()[:255]) == sealer)
        # A tenant's outbound set, unless an inbound EOP report stands beside it with no later
        # Microsoft set of the receiving side's own.
        # The report is text a sender can write too: only read beside a Microsoft hop in the
        # Received chain (the tenant's own servers relaying the message out).
        microsoft_hop = any(host_organization(host) == "outlook.com" for header in message.all("Received")[:50]
                            for host in _received_hosts().findall(header.value[:2000]))
        if "OUT" in directions and microsoft_hop and ("INB" not in directions or microsoft_sets > 1):
            why = "Exchange Online sealing a tenant's outbound mail (its X-Forefront-Antispam-Report says DIR:OUT)"
    if why is None:
        return None
    name = first.domain or authserv or "?"
    return Finding(
        SENDER_SEALED_ID, Severity.INFO,
        f"ARC i=1 by {name[:100]}: {SENDER_SEALED_WORDS}",
        (f"The first ARC set was sealed by {name[:100]}, {why[:200]}: it was added "
         "by the sending side before the message left it, not by an intermediary on the way (RFC 8617 section 1: "
         "ARC lets intermediaries record what they saw). Its ARC-Authentication-Results are the sender's own check "
         "of its outbound mail, what its system recorded when the message was submitted or relayed out, and say "
         "nothing of how a receiver saw it; like every ARC set before the receiving side's, a claim."),
        f"{RFC8617}#section-1", "arc i=1")
