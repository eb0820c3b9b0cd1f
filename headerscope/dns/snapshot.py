"""Answer DNS from a recorded snapshot (the JSON format in DESIGN.md; mailauth --dns-cache too).

A name that is absent is NXDOMAIN; a name present without the asked type is NODATA; a
CNAME is followed within the snapshot as a recursive resolver would, with loop detection.
A snapshot whose ``$meta`` says ``"absent": "NOT_RECORDED"`` (--record-dns writes it: it writes
NXDOMAIN and NODATA explicitly) answers a missing name or type NOT_RECORDED instead: unknown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..text import compiled_on_first_use, one_line
from .interface import DnsAnswer, DnsStatus, Resolver, SnapshotError, normalize_name

_ERRORS = {DnsStatus.NXDOMAIN, *DnsStatus.TEMPORARY}
"""NXDOMAIN and the failures; REFUSED, FORMERR and NOTIMP are newer (a server's own rcode, kept
by --record-dns), and a snapshot without them reads as before. BUDGET is no DNS answer: a
question the recorded analysis did not ask, its DNS time being spent; --record-dns writes it
(and the budget in ``$meta``), so the replay says the same (verification V42a D2)."""
ABSENT_NOT_RECORDED = {"absent": DnsStatus.NOT_RECORDED}
"""The ``$meta`` entry of a snapshot whose missing names and types were not recorded (written by
--record-dns, which writes every answer it used, NXDOMAIN and NODATA too): a missing one is no
NXDOMAIN nor NODATA but unknown. Without it, absent is NXDOMAIN (hand-written and mailauth
--dns-cache files, DESIGN.md)."""
_NODATA = DnsStatus.NODATA
"""Accepted as a string too (same as an empty list / object): what a hand-written snapshot says."""
_MAX_NAMESERVER_WORDS = 200
"""Characters of ``$meta.source``'s nameserver said in a report: a few addresses with ports."""
# One nameserver as LiveResolver.detail writes it: an IPv4 address or a bracketed IPv6 one, and
# a port other than 53.
_nameserver_shape = compiled_on_first_use(r"(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")
_MAX_CNAME_CHAIN = 16
_MAX_MEMO_ENTRIES = 4096
"""Answers kept for repeated questions; emptied when full, so a long scan stays bounded."""
_MAX_MEMO_NAME = 255
"""Longer names (never valid, RFC 1035 section 2.3.4) are answered but not kept."""
_MAX_MESSAGE_OCTETS = 65_535
"""The largest DNS message there is: TCP frames one with a two-octet length (RFC 1035
section 4.2.2; over UDP it is smaller still)."""
_RR_FIXED_OCTETS = 12
"""What every resource record takes besides its data, at the least: a two-octet compressed
owner name, TYPE, CLASS, TTL and RDLENGTH (RFC 1035 sections 3.2.1 and 4.1.4)."""


def _least_octets(rdtype: str, records: tuple[tuple[str, ...], ...]) -> int:
    """The fewest octets these records can take in a DNS message: the fixed part of each
    record, and for TXT the octets of its strings with their length octets (RFC 1035 section
    3.3.14); other types' data counted as nothing, since their written form can be longer than
    their wire form. A lower bound, so no answer a real server gave is ever over the limit."""
    total = _RR_FIXED_OCTETS * len(records)
    if rdtype in ("TXT", "SPF"):
        total += sum(len(chunk.encode("utf-8", "surrogatepass")) + 1 for record in records for chunk in record)
    return total


def _record(rdtype: str, value: Any) -> tuple[str, ...]:
    if rdtype in ("TXT", "SPF"):
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(chunk, str) for chunk in value):
            return tuple(value)
        raise SnapshotError(f"{rdtype} answer must be a string or a list of strings, got {value!r:.80}")
    if rdtype == "MX" and isinstance(value, dict):
        # mailauth's --dns-cache form (Node's dns.resolveMx): {"exchange": "mx.example", "priority": 10}
        exchange, priority = value.get("exchange"), value.get("priority", 0)
        if not isinstance(exchange, str) or isinstance(priority, bool) or not isinstance(priority, int):
            raise SnapshotError(f"MX answer needs a string exchange and an integer priority, got {value!r:.80}")
        return (f"{priority} {exchange.rstrip('.')}.",)
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return (str(value),)
    raise SnapshotError(f"{rdtype} answer must be a string, got {value!r:.80}")


FOUND_BESIDE = "snapshot found beside the message"
"""The words a report's DNS source ends with when NAME.dns.json was found, not named."""

# The snapshot files loaded in this process, by (path, modification time, size).
_LOADED: dict[tuple[str, int, int], SnapshotResolver] = {}


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return re.sub("[\ud800-\udfff]", "\ufffd", value)
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_surrogates(key): _without_surrogates(item) for key, item in value.items()}
    return value


class SnapshotResolver(Resolver):
    """Serves answers from a snapshot mapping; never opens a socket."""

    source = "snapshot"

    @property
    def replays_stored_answers(self) -> bool:
        return True

    def __init__(self, data: Mapping[str, Any], detail: str | None = None, *, dns_sized: bool = False) -> None:
        """``dns_sized``: refuse an answer no DNS response can hold (a snapshot file, which stands
        for answers a server gave); a mapping handed in through the API may hold any answer, as
        tests of how the checks bound hostile records do."""
        self._detail = detail
        self.meta: dict[str, Any] = dict(data.get("$meta", {})) if isinstance(data.get("$meta"), dict) else {}
        absent = self.meta.get("absent")
        if absent is not None and (not isinstance(absent, str) or absent.upper() not in (
                DnsStatus.NXDOMAIN, DnsStatus.NOT_RECORDED)):
            raise SnapshotError(f"$meta: \"absent\" must be \"NXDOMAIN\" or \"NOT_RECORDED\", got {absent!r:.40}")
        # What a name, or a type of a present name, that the file does not hold reads as.
        self._unrecorded = isinstance(absent, str) and absent.upper() == DnsStatus.NOT_RECORDED
        self._names: dict[str, str | dict[str, str | tuple[tuple[str, ...], ...]]] = {}
        for raw_name, entry in data.items():
            if raw_name == "$meta":
                continue
            name = normalize_name(raw_name)
            if not isinstance(raw_name, str):
                raise SnapshotError(f"name {raw_name!r:.80} is not a string")
            if isinstance(entry, str):
                status = entry.upper()
                if status == _NODATA:
                    self._names[name] = {}
                    continue
                if status not in _ERRORS:
                    raise SnapshotError(f"{raw_name!r:.80}: unknown error string {entry!r:.40}")
                self._names[name] = status
                continue
            if not isinstance(entry, dict):
                raise SnapshotError(f"{raw_name!r:.80}: expected an object or an error string")
            types: dict[str, str | tuple[tuple[str, ...], ...]] = {}
            for raw_type, answers in entry.items():
                rdtype = str(raw_type).upper()
                if isinstance(answers, str) and answers.upper() in _ERRORS:
                    types[rdtype] = answers.upper()
                    continue
                if isinstance(answers, str) and answers.upper() == _NODATA:
                    types[rdtype] = ()
                    continue
                if not isinstance(answers, list):
                    answers = [answers]
                if dns_sized and len(answers) > _MAX_MESSAGE_OCTETS // _RR_FIXED_OCTETS:
                    # Thousands of records: refused before each is converted.
                    raise SnapshotError(f"{raw_name!r:.80} {rdtype}: {len(answers)} records, more than one DNS "
                                        f"response can hold ({_MAX_MESSAGE_OCTETS} octets, RFC 1035 section "
                                        "4.2.2): not an answer recorded from the DNS")
                try:
                    records = tuple(_record(rdtype, value) for value in answers)
                except SnapshotError as exc:
                    raise SnapshotError(f"{raw_name!r:.80} {rdtype}: {exc}") from None
                least = _least_octets(rdtype, records) if dns_sized else 0
                if least > _MAX_MESSAGE_OCTETS:
                    # No server can send this answer, and --record-dns writes only answers a server
                    # sent: the file was written or edited by hand. Answering from the rest of it
                    # would present its other answers as the DNS's, so the whole file is refused.
                    raise SnapshotError(f"{raw_name!r:.80} {rdtype}: the answer takes at least {least} octets, "
                                        f"more than one DNS response can hold ({_MAX_MESSAGE_OCTETS}, RFC 1035 "
                                        "section 4.2.2): not an answer recorded from the DNS")
                types[rdtype] = records
            self._names[name] = types
        # The snapshot never changes, so an answer computed once holds for every later message
        # of a scan (which asks the same SPF, DKIM and DMARC names again and again).
        self._memo: dict[tuple[str, str], DnsAnswer] = {}

    @classmethod
    def from_file(cls, path: str | Path) -> SnapshotResolver:
        """Load a snapshot file; SnapshotError with a one-line reason when it cannot be read.

        A file loaded before in this process, unchanged since, is not read again (``scan``
        checks the snapshot before it starts, then its analysis loads it)."""
        try:
            stat = Path(path).stat()
        except OSError as exc:
            raise SnapshotError(f"cannot read DNS snapshot {path}: {exc}") from None
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        loaded = _LOADED.get(key)
        if loaded is None:
            loaded = cls._read_file(path)
            _LOADED.clear()  # one file per run: keep only the latest
            _LOADED[key] = loaded
        return loaded

    @classmethod
    def _read_file(cls, path: str | Path) -> SnapshotResolver:
        try:
            # A leading byte order mark is dropped (RFC 8259 section 8.1 lets a parser ignore it;
            # Windows editors write one). Not by the utf-8-sig codec: a scan's workers would each
            # import it (tests/test_deferred_imports.py).
            text = Path(path).read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SnapshotError(f"cannot read DNS snapshot {path}: {exc}") from None
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, and an integer of 4,300+ digits
            raise SnapshotError(f"DNS snapshot {path} is not JSON: {str(exc)[:200]}") from None
        if "\\u" in text or "\\U" in text:
            # "\udc80" in a snapshot is a lone surrogate: no character a DNS answer can hold.
            try:
                data = _without_surrogates(data)
            except RecursionError:
                raise SnapshotError(f"DNS snapshot {path} is nested too deeply") from None
        if not isinstance(data, dict):
            raise SnapshotError(f"DNS snapshot {path} must be a JSON object")
        try:
            return cls(data, detail=str(path), dns_sized=True)
        except SnapshotError as exc:
            raise SnapshotError(f"DNS snapshot {path}: {exc}") from None

    @property
    def detail(self) -> str | None:
        return self._detail

    @property
    def recorded_budget(self) -> float | None:
        """``$meta.dns_budget``: the DNS time the recorded analysis had, after which its BUDGET
        questions were not asked (None when not given or not a positive number)."""
        value = self.meta.get("dns_budget")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e9:
            return None
        return float(value)

    @property
    def recorded_nameserver(self) -> str | None:
        """The nameserver a recording of live DNS asked (``$meta.source`` "live NAMESERVER", as
        --record-dns writes it, or ``$meta.live_source`` of a recording made from such a
        snapshot): "" when it is not named, None when the file was not recorded from live DNS.
        The replay's dns.unanswered warning names it, as the live run's did. The file's own
        words: a snapshot found beside a message can be anyone's, so only what --record-dns writes
        there (LiveResolver.detail: "system resolver", or addresses with their ports) is named;
        other text ("9.9.9.9 ALL CHECKS PASSED", verification V45b) is not put in a headline."""
        for key in ("live_source", "source"):
            value = self.meta.get(key)
            if isinstance(value, str) and (value == "live" or value.startswith("live ")):
                named = one_line(value[5:].strip())[:_MAX_NAMESERVER_WORDS]
                return named if named == "system resolver" or all(
                    _nameserver_shape().fullmatch(item.strip()) for item in named.split(",")) else ""
        return None

    def found_beside(self) -> SnapshotResolver:
        """The same answers, with a detail saying the file was found beside the message, not
        named by the user: a message and a snapshot saved together (someone else's archive, an
        attacker's) are trusted together, and the report must say so."""
        import copy

        found = copy.copy(self)  # shares the names and the memo: the same answers
        found._detail = f"{self._detail}, {FOUND_BESIDE}" if self._detail else FOUND_BESIDE
        return found

    def resolve(self, name: str, rdtype: str) -> DnsAnswer:
        key = (name, rdtype)
        answer = self._memo.get(key)
        if answer is None:
            answer = self._lookup(name, rdtype)
            if len(name) <= _MAX_MEMO_NAME:
                if len(self._memo) >= _MAX_MEMO_ENTRIES:
                    self._memo.clear()
                self._memo[key] = answer
        return answer

    def _lookup(self, name: str, rdtype: str) -> DnsAnswer:
        qname = normalize_name(name)
        qtype = rdtype.upper()
        chain: list[str] = []  # the CNAME targets followed, kept in the answer as evidence
        current = qname
        for _ in range(_MAX_CNAME_CHAIN):
            entry = self._names.get(current)
            via = tuple(chain)
            if entry is None:
                return DnsAnswer(qname, qtype, DnsStatus.NOT_RECORDED if self._unrecorded else DnsStatus.NXDOMAIN,
                                 cname_chain=via)
            if isinstance(entry, str):
                return DnsAnswer(qname, qtype, entry, cname_chain=via)
            answers = entry.get(qtype)
            if answers is not None:
                if isinstance(answers, str):
                    return DnsAnswer(qname, qtype, answers, cname_chain=via)
                if not answers:
                    return DnsAnswer(qname, qtype, DnsStatus.NODATA, cname_chain=via)
                return DnsAnswer(qname, qtype, DnsStatus.NOERROR, answers, cname_chain=via)
            cname = entry.get("CNAME")
            if qtype != "CNAME" and isinstance(cname, tuple) and cname:
                target = normalize_name(cname[0][0])
                if target == qname or target in chain:
                    return DnsAnswer(qname, qtype, DnsStatus.SERVFAIL)  # a loop, as a resolver reports it
                chain.append(target)
                current = target
                continue
            return DnsAnswer(qname, qtype, DnsStatus.NOT_RECORDED if self._unrecorded else DnsStatus.NODATA,
                             cname_chain=via)
        return DnsAnswer(qname, qtype, DnsStatus.SERVFAIL)

    def to_dict(self) -> dict[str, Any]:
        """The snapshot as JSON-ready data (same format it was loaded from)."""
        out: dict[str, Any] = {}
        if self.meta:
            out["$meta"] = self.meta
        for name, entry in self._names.items():
            if isinstance(entry, str):
                out[name] = entry
                continue
            out[name] = {
                rdtype: answers if isinstance(answers, str) else [
                    list(record) if rdtype in ("TXT", "SPF") else record[0] for record in answers
                ]
                for rdtype, answers in entry.items()
            }
        return out
