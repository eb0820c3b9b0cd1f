"""One live resolver shared by every worker process of a scan, through a manager process.

The manager process owns the only LiveResolver (and its cache); workers hold proxies. So a
name and type is asked at most once per run, whatever the number of workers.
"""

from __future__ import annotations

from collections.abc import Iterable
from multiprocessing.managers import BaseManager
from typing import Any

from .interface import DnsAnswer, Resolver


class _DnsManager(BaseManager):
    pass


def _make_live(nameserver: str | None, timeout: float) -> Resolver:
    from .live import LiveResolver

    return LiveResolver(nameserver=nameserver, timeout=timeout)


_DnsManager.register("LiveResolver", callable=_make_live, exposed=("resolve", "prefetch", "cached"))


class SharedResolver(Resolver):
    """A worker's handle on the manager's resolver; picklable, so it crosses into workers."""

    source = "live"

    def __init__(self, proxy: Any, detail: str | None) -> None:
        self._proxy = proxy
        self._detail = detail

    @property
    def detail(self) -> str | None:
        return self._detail

    @property
    def asks_network(self) -> bool:
        return True

    def resolve(self, name: str, rdtype: str) -> DnsAnswer:
        answer = self._proxy.resolve(name, rdtype)
        assert isinstance(answer, DnsAnswer)
        return answer

    def cached(self, name: str, rdtype: str) -> DnsAnswer | None:
        answer = self._proxy.cached(name, rdtype)
        assert answer is None or isinstance(answer, DnsAnswer)
        return answer

    def prefetch(self, questions: Iterable[tuple[str, str]]) -> None:
        self._proxy.prefetch(list(questions))


def start_shared_resolver(context: Any, nameserver: str | None, timeout: float) -> tuple[BaseManager, Resolver]:
    """Start the manager process; returns it (shut it down when done) and the shared resolver."""
    manager = _DnsManager(ctx=context)
    manager.start()
    proxy = manager.LiveResolver(nameserver, timeout)  # type: ignore[attr-defined]
    return manager, SharedResolver(proxy, nameserver or "system resolver")
