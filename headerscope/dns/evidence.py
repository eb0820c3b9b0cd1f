"""Wraps a resolver for one analysis and keeps every question and answer as evidence."""

from __future__ import annotations

import re
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from .._value import IdentityMemo
from ..model import DnsRecordUse
from ..text import compiled_on_first_use
from .interface import DnsAnswer, DnsStatus, Resolver, normalize_name

T = TypeVar("T")

MAX_EVIDENCE_RECORDS = 50
"""Records of one answer kept in the report: a mail check uses a handful (SPF stops at 10 MX or
PTR names, RFC 7208 section 4.6.4), and a snapshot or a hostile zone can hold thousands."""
MAX_EVIDENCE_CHARACTERS = 4096
"""Characters of one record kept in the report: more than a 4096-bit DKIM key or a long SPF
policy, far less than the 65,535 octets one answer can carry (RFC 1035 section 4.2.2)."""


# A record a check selects from a TXT answer: SPF's "v=spf1" followed by a space or the end
# (RFC 7208 section 4.5), DMARC's "v=DMARC1" (RFC 7489 section 6.6.3) and DKIM's "v=DKIM1"
# (RFC 6376 section 3.6.1), which allow spaces around "=" (tag-list, RFC 6376 section 3.2).
_SELECTED_VERSION = compiled_on_first_use(r"\s{0,16}(?:v=spf1(?: |$)|v\s{0,16}=\s{0,16}(?:dmarc1|dkim1)\s{0,16}(?:;|$))",
                                          re.IGNORECASE)
# A DKIM key record without v= (it is optional): a tag-list with a p= tag.
_KEY_TAG = compiled_on_first_use(r"(?:^|;)\s{0,16}p\s{0,16}=")
# Characters of a record looked at to tell whether a check selects it: its tags come first.
_SELECT_PREFIX = 1024


def _selected(rdtype: str, key_name: bool, record: tuple[str, ...]) -> bool:
    """True for a record a check reads (an SPF, DMARC or DKIM key record): the evidence must show
    it, among however many other TXT records the name holds."""
    if rdtype not in ("TXT", "SPF"):
        return False
    head = ""
    for chunk in record:
        head += chunk[:_SELECT_PREFIX - len(head)]
        if len(head) >= _SELECT_PREFIX:
            break
    if _SELECTED_VERSION().match(head):
        return True
    return key_name and _KEY_TAG().search(head) is not None


def _kept(name: str, rdtype: str, records: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """At most MAX_EVIDENCE_RECORDS records, in the answer's order: every record a check selects
    first (a site's SPF record as the 61st of its 60 verification strings, both records behind
    an SPF permerror), then the others as room is left."""
    if len(records) <= MAX_EVIDENCE_RECORDS:
        return records
    key_name = "._domainkey." in f".{name}."
    chosen = [i for i, record in enumerate(records) if _selected(rdtype, key_name, record)][:MAX_EVIDENCE_RECORDS]
    taken = set(chosen)
    for i in range(len(records)):
        if len(chosen) >= MAX_EVIDENCE_RECORDS:
            break
        if i not in taken:
            chosen.append(i)
    return tuple(records[i] for i in sorted(chosen))


def _clipped(records: tuple[tuple[str, ...], ...], name: str = "", rdtype: str = "") -> tuple[
        tuple[tuple[str, ...], ...], int, int]:
    """The records kept as evidence, how many were left out, and how many octets were cut
    from the ones kept. Only the report's copy is clipped: the checks got the whole answer."""
    kept = _kept(name, rdtype, records)
    more_records = len(records) - len(kept)
    if all(sum(map(len, record)) <= MAX_EVIDENCE_CHARACTERS for record in kept):
        return kept, more_records, 0
    more_octets = 0
    out: list[tuple[str, ...]] = []
    for record in kept:
        budget = MAX_EVIDENCE_CHARACTERS
        chunks: list[str] = []
        for chunk in record:
            if budget <= 0:
                # A TXT record of thousands of strings: the strings past the budget go whole.
                more_octets += len(chunk.encode("utf-8", "surrogatepass"))
                continue
            if len(chunk) > budget:
                more_octets += len(chunk[budget:].encode("utf-8", "surrogatepass"))
                chunk = chunk[:budget]
            budget -= len(chunk)
            chunks.append(chunk)
        out.append(tuple(chunks))
    return tuple(out), more_records, more_octets


class EvidenceResolver(Resolver):
    """Delegates to another resolver, remembering each distinct answer in first-use order.

    A scan shares one inner resolver (and its cache) across messages; each message gets its
    own EvidenceResolver so its report holds exactly the answers its analysis used.
    """

    def __init__(self, inner: Resolver, budget: float | None = None) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], DnsAnswer] = {}
        # The answer given to each question as asked (name and type as written), for resolve.
        self._asked: dict[tuple[str, str], DnsAnswer] = {}
        self.source = inner.source
        self._budget = budget
        self._started: float | None = None
        self._exempt: set[tuple[str, str]] = set()
        self.over_budget = 0
        """Questions answered BUDGET without being asked, the analysis's DNS time being spent."""
        self.not_asked: list[str] = []
        """The first few of those questions, as "name TYPE", for the report."""

    def _spent(self) -> bool:
        """True once the analysis's DNS budget (seconds from its first question) is used up."""
        if self._budget is None:
            return False
        with self._lock:
            if self._started is None:
                self._started = time.monotonic()
                return False
            return time.monotonic() - self._started > self._budget

    @property
    def budget(self) -> float | None:
        """The DNS time one analysis may spend (None: no limit, for snapshots and offline)."""
        return self._budget

    @property
    def spent_budget(self) -> float | None:
        """The DNS time whose spending the BUDGET answers show: this analysis's own, or for a
        snapshot's replayed BUDGET answers the recording analysis's (its ``$meta``)."""
        if self._budget is not None:
            return self._budget
        recorded = getattr(self._inner, "recorded_budget", None)
        return recorded if isinstance(recorded, float) else None

    @property
    def recorded_nameserver(self) -> str | None:
        """For a replay of a snapshot recorded from live DNS (not for a live analysis), the
        nameserver that recording asked ("" when not named); None otherwise."""
        if self._inner.asks_network:
            return None
        recorded = getattr(self._inner, "recorded_nameserver", None)
        return recorded if isinstance(recorded, str) else None

    def not_recorded(self) -> bool:
        """Whether some question was answered NOT_RECORDED: a recorded snapshot holds no answer to it."""
        with self._lock:
            return any(answer.status == DnsStatus.NOT_RECORDED for answer in self._answers.values())

    def unasked(self) -> tuple[DnsAnswer, ...]:
        """The answers BUDGET, in first-use order: questions the analysis did not ask."""
        with self._lock:
            return tuple(answer for answer in self._answers.values() if answer.status == DnsStatus.BUDGET)

    @property
    def asks_network(self) -> bool:
        return self._inner.asks_network

    @property
    def replays_stored_answers(self) -> bool:
        return self._inner.replays_stored_answers

    @property
    def detail(self) -> str | None:
        return self._inner.detail

    @property
    def inner(self) -> Resolver:
        """The resolver this one asks (shared by every message of a scan)."""
        return self._inner

    def exempt(self, questions: Iterable[tuple[str, str]]) -> None:
        """Questions asked whatever the budget: those that decide the verdict for the From:
        domain (its DMARC record, its organisational domain's, the keys of signatures aligned
        with it). Names in a message are the sender's choice, so a sender could otherwise spend
        the budget on slow names of its own and have the From: domain's policy read as
        unanswered; each of these still stops at its own --dns-timeout."""
        with self._lock:
            self._exempt.update((normalize_name(name), rdtype.upper()) for name, rdtype in questions)

    def cached(self, name: str, rdtype: str) -> DnsAnswer | None:
        key = (normalize_name(name), rdtype.upper())
        with self._lock:
            answer = self._answers.get(key)
        return answer if answer is not None else self._inner.cached(*key)

    def resolve(self, name: str, rdtype: str) -> DnsAnswer:
        # A question asked again as written (another check asking the same name) gets the
        # answer it got before without normalising it again: its key's answer never changes once
        # set. One dict lookup is atomic; the lock guards the compound updates below.
        asked = (name, rdtype)
        answer = self._asked.get(asked)
        if answer is not None:
            return answer
        key = (normalize_name(name), rdtype.upper())
        with self._lock:
            cached = self._answers.get(key)
            exempt = key in self._exempt
        if cached is not None:
            return cached
        if not exempt and self._budget is not None and self._spent():
            # The analysis has waited for DNS as long as it may: the rest is not asked (a dead or
            # crawling nameserver must not make one message cost minutes; RFC 7208 section 4.6.4
            # asks the same of SPF alone). An answer already fetched (a prefetch's) costs no
            # time, so it is used; only what would need the network is BUDGET, which says it was
            # the tool's limit, not the server's timeout.
            held = self._inner.cached(*key)
            answer = held if held is not None else DnsAnswer(key[0], key[1], DnsStatus.BUDGET)
        else:
            answer = self._inner.resolve(*key)
        if answer.status == DnsStatus.BUDGET:
            # Not asked here, or (a snapshot's answer) not asked by the analysis that recorded it,
            # whose report said so: its replay says the same (verification V42a D2).
            with self._lock:
                if key not in self._answers:
                    self.over_budget += 1
                    if len(self.not_asked) < 5:
                        self.not_asked.append(f"{key[0]} {key[1]}")
        with self._lock:
            answer = self._asked[asked] = self._answers.setdefault(key, answer)
        return answer

    def prefetch(self, questions: Iterable[tuple[str, str]]) -> None:
        if not self._spent():
            self._inner.prefetch(questions)
            return
        with self._lock:
            wanted = [q for q in questions if (normalize_name(q[0]), q[1].upper()) in self._exempt]
        if wanted:
            self._inner.prefetch(wanted)

    def evidence(self) -> tuple[DnsRecordUse, ...]:
        """Every distinct question asked, with its answer, in first-use order."""
        with self._lock:
            answers = list(self._answers.values())
        return tuple(map(_evidence_of, answers))


def _record_use(answer: DnsAnswer) -> DnsRecordUse:
    records, more_records, more_octets = _clipped(answer.records, answer.name, answer.rdtype)
    return DnsRecordUse(name=answer.name, rdtype=answer.rdtype, status=answer.status, records=records,
                        cname_chain=answer.cname_chain, more_records=more_records, more_octets=more_octets)


# The evidence row of an answer object, kept beside the object itself: a scan's inner resolver
# hands every message the same answer objects (one sender's keys and policies, one relay's PTR),
# and the row depends on the answer alone (both are immutable). Bounded like _DERIVED.
_evidence_of = IdentityMemo(_record_use, 4096)


# Results computed from DNS answers only, kept per inner resolver: a scan's messages share
# one inner resolver, and bulk mail repeats the same questions (one sender's SPF policy for
# the same client IP, one relay's reverse DNS), so a check worked out for one message is
# reused for the next instead of evaluated again. Weak keys: the results go when the
# resolver goes, and a different resolver (another snapshot, another analyze() call) never
# sees them.
_DERIVED: weakref.WeakKeyDictionary[Resolver, dict[Hashable, tuple[object, tuple[tuple[str, str], ...]]]] = (
    weakref.WeakKeyDictionary())
_DERIVED_LOCK = threading.Lock()
# Distinct results kept per resolver; a hostile or huge mailbox cannot grow it further.
_DERIVED_LIMIT = 4096


class _QuestionLog(Resolver):
    """Passes questions through, noting each one and whether any answer was temporary."""

    def __init__(self, inner: Resolver) -> None:
        self._inner = inner
        self.source = inner.source
        self.questions: list[tuple[str, str]] = []
        self.stable = True

    def resolve(self, name: str, rdtype: str) -> DnsAnswer:
        answer = self._inner.resolve(name, rdtype)
        self.questions.append((normalize_name(name), rdtype.upper()))
        if answer.temporary_failure or answer.status == DnsStatus.OFFLINE:
            self.stable = False
        return answer


def memoized(resolver: Resolver, key: Hashable, compute: Callable[[Resolver], T],
             keep: Callable[[T], bool] | None = None) -> T:
    """``compute(resolver)``, reused for the same key while the inner resolver lives.

    ``compute`` must depend only on the key and on the answers it gets from the resolver
    it is given. A reused result replays the questions the first computation asked, in the
    same order, so each message's DNS evidence is what computing it would have recorded.
    A result that met a temporary failure or offline mode is never kept: the next message
    asks again, and so is one ``keep`` refuses.
    """
    if not isinstance(resolver, EvidenceResolver):
        return compute(resolver)
    try:
        with _DERIVED_LOCK:
            memo = _DERIVED.get(resolver.inner)
            if memo is None:
                memo = _DERIVED[resolver.inner] = {}
            hit = memo.get(key)
    except TypeError:
        # A resolver handed in through the API that cannot be a dictionary key (a class
        # with __eq__ and no __hash__): nothing is reused for it.
        return compute(resolver)
    if hit is not None:
        result, questions = hit
        for name, rdtype in questions:
            resolver.resolve(name, rdtype)
        return result  # type: ignore[return-value]
    log = _QuestionLog(resolver)
    result = compute(log)
    if log.stable and (keep is None or keep(result)):
        with _DERIVED_LOCK:
            if len(memo) >= _DERIVED_LIMIT:
                memo.clear()
            memo[key] = (result, tuple(log.questions))
    return result
