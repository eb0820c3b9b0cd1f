"""Wraps a resolver for one analysis and keeps every question and answer as evidence."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from ..model import DnsRecordUse
from .interface import DnsAnswer, Resolver, normalize_name


class EvidenceResolver(Resolver):
    """Delegates to another resolver, remembering each distinct answer in first-use order.

    A scan shares one inner resolver (and its cache) across messages; each message gets its
    own EvidenceResolver so its report holds exactly the answers its analysis used.
    """

    def __init__(self, inner: Resolver) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], DnsAnswer] = {}
        self.source = inner.source

    @property
    def detail(self) -> str | None:
        return self._inner.detail

    def resolve(self, name: str, rdtype: str) -> DnsAnswer:
        key = (normalize_name(name), rdtype.upper())
        with self._lock:
            cached = self._answers.get(key)
        if cached is not None:
            return cached
        answer = self._inner.resolve(*key)
        with self._lock:
            self._answers.setdefault(key, answer)
        return answer

    def prefetch(self, questions: Iterable[tuple[str, str]]) -> None:
        self._inner.prefetch(questions)

    def evidence(self) -> tuple[DnsRecordUse, ...]:
        """Every distinct question asked, with its answer, in first-use order."""
        with self._lock:
            answers = list(self._answers.values())
        return tuple(DnsRecordUse(name=a.name, rdtype=a.rdtype, status=a.status, records=a.records) for a in answers)
