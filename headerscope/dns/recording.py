"""Wrap a resolver and keep every answer, to write a snapshot that replays losslessly.

``--record-dns FILE``: the file is in the DESIGN.md snapshot format, so replaying it with
``--dns-snapshot FILE`` gives every check the identical answers, errors included.
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
import threading
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .interface import DnsAnswer, DnsStatus, Resolver, normalize_name
from .snapshot import ABSENT_NOT_RECORDED

_TEXT_TYPES = frozenset({"TXT", "SPF"})


class RecordingResolver(Resolver):
    """Delegates to ``inner`` and remembers each distinct (name, type) answer, in first-use order."""

    source = "recording"

    def __init__(self, inner: Resolver) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], DnsAnswer] = {}
        self._budget: float | None = None

    @property
    def detail(self) -> str | None:
        return self._inner.detail

    @property
    def asks_network(self) -> bool:
        return self._inner.asks_network

    @property
    def replays_stored_answers(self) -> bool:
        return self._inner.replays_stored_answers

    def resolve(self, name: str, rdtype: str) -> DnsAnswer:
        answer = self._inner.resolve(name, rdtype)
        key = (normalize_name(name), rdtype.upper())
        with self._lock:
            self._answers.setdefault(key, answer)
        return answer

    def cached(self, name: str, rdtype: str) -> DnsAnswer | None:
        # An answer handed out from the cache is used like any other: it goes into the snapshot.
        answer = self._inner.cached(name, rdtype)
        if answer is not None:
            with self._lock:
                self._answers.setdefault((normalize_name(name), rdtype.upper()), answer)
        return answer

    def prefetch(self, questions: Iterable[tuple[str, str]]) -> None:
        # Only answers a check actually used are recorded (through resolve), so a
        # prefetched question that nobody asks stays out of the snapshot.
        self._inner.prefetch(questions)

    @property
    def recorded_budget(self) -> float | None:
        """The DNS time budget of the analysis the inner snapshot recorded (replayed as is)."""
        recorded = getattr(self._inner, "recorded_budget", None)
        return recorded if isinstance(recorded, float) else None

    @property
    def recorded_nameserver(self) -> str | None:
        """The nameserver the inner snapshot's live recording asked (replayed as is); None live."""
        recorded = getattr(self._inner, "recorded_nameserver", None)
        return recorded if isinstance(recorded, str) else None

    def note_unasked(self, answers: Iterable[DnsAnswer], budget: float | None) -> None:
        """Keep the questions the analysis did not ask, its DNS time ``budget`` being spent
        (EvidenceResolver answers them BUDGET without asking this resolver): the snapshot says
        so, and its replay gives the same temporary errors and warning, not NXDOMAIN."""
        with self._lock:
            for answer in answers:
                if answer.status == DnsStatus.BUDGET:
                    self._answers.setdefault((answer.name, answer.rdtype), answer)
                    self._budget = budget

    def answers(self) -> tuple[DnsAnswer, ...]:
        """Every recorded answer, in first-use order."""
        with self._lock:
            return tuple(self._answers.values())

    def snapshot(self, recorded_at: datetime | None = None) -> dict[str, Any]:
        """The answers in the snapshot format (DESIGN.md), with ``$meta``."""
        when = (recorded_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
        source = self._inner.source if self._inner.detail is None else f"{self._inner.source} {self._inner.detail}"
        out: dict[str, Any] = {
            # Every answer used is written, NXDOMAIN and NODATA too: a name or type the file does
            # not hold was not asked, and its replay must not read it as NXDOMAIN (V42a D3).
            "$meta": {"recorded_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "source": source, **ABSENT_NOT_RECORDED},
        }
        live = self.recorded_nameserver
        if live is not None:
            # Recorded from a snapshot of live DNS: its failures are still that nameserver's, and
            # this file's replay must say so as the first file's does (dns.unanswered).
            out["$meta"]["live_source"] = f"live {live}".rstrip()
        with self._lock:
            budget = self._budget
        if budget is not None:
            # The time after which the BUDGET questions were not asked: the replay's warning names it.
            out["$meta"]["dns_budget"] = budget
        by_name: dict[str, list[DnsAnswer]] = {}
        for answer in self.answers():
            if answer.status in (DnsStatus.OFFLINE, DnsStatus.NOT_RECORDED):
                continue  # not an answer from the DNS (not recorded reads so when absent): nothing to replay
            for link in _links(answer):
                answers = by_name.setdefault(link.name, [])
                if all((a.rdtype, a.status) != (link.rdtype, link.status) for a in answers):
                    answers.append(link)
        for name, answers in by_name.items():
            if all(a.status == DnsStatus.NXDOMAIN for a in answers):
                # NXDOMAIN is about the name, whatever the type (RFC 8020): write it once.
                out[name] = DnsStatus.NXDOMAIN
                continue
            out[name] = {answer.rdtype: _encode(answer) for answer in answers}
        return out

    def write(self, path: Path) -> None:
        """Write the snapshot to ``path`` atomically (a reader never sees half a file)."""
        text = json.dumps(self.snapshot(), indent=1, ensure_ascii=False) + "\n"
        target = Path(path)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
        except OSError as exc:
            # The error names the temporary file beside it, which the user never named (V42a D5).
            raise OSError(exc.errno, exc.strerror, str(target)) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, target)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise OSError(exc.errno, exc.strerror, str(target)) from None
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _links(answer: DnsAnswer) -> list[DnsAnswer]:
    """An answer that came through CNAMEs as the snapshot holds it: each name's CNAME, and the
    answer at the last name, so a replay follows the same chain (and its evidence shows it)."""
    if not answer.cname_chain:
        return [answer]
    names = (answer.name, *answer.cname_chain)
    links = [DnsAnswer(alias, "CNAME", DnsStatus.NOERROR, ((target + ".",),))
             for alias, target in itertools.pairwise(names)]
    return [*links, DnsAnswer(names[-1], answer.rdtype, answer.status, answer.records)]


def _encode(answer: DnsAnswer) -> Any:
    """One type's answer: records, ``[]`` for NODATA, or the error string."""
    if answer.status == DnsStatus.NOERROR:
        if answer.rdtype in _TEXT_TYPES:
            return [list(record) for record in answer.records]
        return [record[0] if len(record) == 1 else " ".join(record) for record in answer.records]
    if answer.status == DnsStatus.NODATA:
        return []
    # NXDOMAIN for one type of a name that has others, SERVFAIL, TIMEOUT, BUDGET: per type.
    return answer.status
