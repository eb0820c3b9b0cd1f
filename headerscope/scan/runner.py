"""Analyze many messages, in parallel processes, results in input order, memory bounded.

Each worker process keeps one resolver for the whole run. With live DNS and several
workers, the resolver lives in one manager process that all workers ask, so a name and
type is asked at most once per run however many workers there are.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .._value import Value, frozen
from ..dns.interface import Resolver
from .readers import ScanInput

if TYPE_CHECKING:
    from concurrent.futures import Future


@frozen
class ScanOptions(Value):
    """What every worker needs to analyze a message the same way."""

    offline: bool = False
    """No network."""
    dns_snapshot: str | None = None
    """One snapshot for the whole scan."""
    nameserver: str | None = None
    """Live DNS server."""
    dns_timeout: float = 5.0
    """Seconds per DNS question."""
    want_json: bool = False
    """Keep each full report as one JSON line (for --format jsonl)."""
    now: str | None = None
    """ISO time of analysis, for reproducible runs."""


@frozen
class ScanRow(Value):
    """The summary of one message in a scan (or why it could not be analyzed)."""

    index: int
    """1-based position in input order."""
    label: str
    """Where the message came from."""
    error: str | None
    """Why it could not be read or analyzed; None when it was."""
    date: str | None = None
    """Date: as ISO 8601."""
    from_address: str | None = None
    """First From: address."""
    from_domain: str | None = None
    """Its domain."""
    subject: str | None = None
    """Decoded Subject."""
    verdict: str | None = None
    """Verdict status."""
    dkim: str | None = None
    """Best DKIM result (pass if any signature passes)."""
    spf: str | None = None
    """SPF result."""
    dmarc: str | None = None
    """DMARC result."""
    arc: str | None = None
    """ARC result."""
    hops: int | None = None
    """Number of hops."""
    total_delay_seconds: float | None = None
    """Date: to delivery."""
    failing_reasons: tuple[str, ...] = ()
    """Ids of the warning and danger findings."""
    slowest_hop: str | None = None
    """Receiving host of the slowest hop."""
    slowest_delay_seconds: float | None = None
    """Its delay."""
    report_json: str | None = None
    """The full report as one JSON line, when asked for."""


_DKIM_RANK = {"pass": 0, "fail": 1, "permerror": 2, "temperror": 3, "policy": 4, "neutral": 5, "none": 6}

_worker_state: dict[str, Any] = {}


def _base_resolver(options: ScanOptions, shared: Resolver | None) -> Resolver:
    if shared is not None:
        return shared
    if options.offline:
        from ..dns.offline import OfflineResolver

        return OfflineResolver()
    if options.dns_snapshot:
        from ..dns.snapshot import SnapshotResolver

        return SnapshotResolver.from_file(options.dns_snapshot)
    from ..dns.live import LiveResolver

    return LiveResolver(nameserver=options.nameserver, timeout=options.dns_timeout)


def _init_worker(options: ScanOptions, shared: Resolver | None) -> None:
    from ..auth._dkimpy import use_openssl_rsa

    _worker_state["options"] = options
    _worker_state["resolver"] = _base_resolver(options, shared)
    # Many messages: worth importing OpenSSL's RSA once (a single analyze is not).
    use_openssl_rsa()


def analyze_one(index: int, item: ScanInput) -> ScanRow:
    """Analyze one input in this process (worker state must be initialised)."""
    if item.data is None:
        return ScanRow(index=index, label=item.label, error=item.error or "unreadable")
    options: ScanOptions = _worker_state["options"]
    try:
        from datetime import datetime

        from ..api import AnalysisOptions, analyze_loaded
        from ..loader import load_bytes

        now = datetime.fromisoformat(options.now) if options.now else None
        report = analyze_loaded(load_bytes(item.data, source=item.label),
                                AnalysisOptions(resolver=_worker_state["resolver"], now=now, source=item.label))
    except Exception as exc:  # noqa: BLE001 - one bad message must not stop the scan
        return ScanRow(index=index, label=item.label, error=f"{type(exc).__name__}: {exc}"[:500])
    return summarize(index, item.label, report, want_json=options.want_json)


def summarize(index: int, label: str, report: Any, want_json: bool = False) -> ScanRow:
    """The scan row of a report."""
    from ..model import Report, Severity

    assert isinstance(report, Report)
    sender = report.envelope.header_from[0] if report.envelope.header_from else None
    dkim = min((s.result for s in report.dkim), key=lambda r: _DKIM_RANK.get(r, 9), default="none")
    slowest = max((h for h in report.hops if h.delay_seconds is not None and h.number > 1),
                  key=lambda h: h.delay_seconds or 0.0, default=None)
    report_json = None
    if want_json:
        from ..render.json import JsonRenderer

        report_json = JsonRenderer(compact=True).render(report)
    return ScanRow(
        index=index, label=label, error=None, date=report.date,
        from_address=sender.address if sender else None, from_domain=sender.domain if sender else None,
        subject=report.subject, verdict=report.verdict.status, dkim=dkim,
        spf=report.spf.result if report.spf else None, dmarc=report.dmarc.result if report.dmarc else None,
        arc=report.arc.result if report.arc else "none", hops=len(report.hops),
        total_delay_seconds=report.total_delay_seconds,
        failing_reasons=tuple(f.id for f in report.findings if f.severity in (Severity.DANGER, Severity.WARNING)),
        slowest_hop=slowest.fields.by if slowest else None,
        slowest_delay_seconds=slowest.delay_seconds if slowest else None,
        report_json=report_json,
    )


def _mp_context() -> Any:
    # Imported here, not with the module: a scan with one job never starts a process, and
    # multiprocessing (with logging, pickle, socket, tempfile...) costs it ~25 ms of start-up.
    import multiprocessing

    # fork starts workers in milliseconds and shares the imported modules; macOS and
    # Windows lack a safe fork, so they spawn.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def run_scan(inputs: Iterable[ScanInput], options: ScanOptions, jobs: int | None = None) -> Iterator[ScanRow]:
    """Rows in input order. At most a few messages per worker are in flight, so memory stays flat."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1:
        _init_worker(options, None)
        for index, item in enumerate(inputs, start=1):
            yield analyze_one(index, item)
        return
    yield from _run_parallel(inputs, options, jobs)


def _warm_up() -> None:
    """Import the analysis and load the Public Suffix List once, before forking, so the
    workers share them instead of each paying for them (about a third of a second each)."""
    from .. import api
    from ..auth._dkimpy import use_openssl_rsa
    from ..auth._dkimpy_import import import_dkim
    from ..auth._pyspf_import import import_pyspf
    from ..domains import organizational_domain

    import_dkim()
    import_pyspf()
    use_openssl_rsa()
    api.warm_up()
    organizational_domain("example.com")


# Messages are sent to the workers in batches: with one task per message the parent (which
# also reads the mailbox and writes every row) spent 0.8 ms per message on task overhead,
# CPU the two workers of a two-core machine needed; batched it spends about 0.15 ms.
# A batch closes at this many messages or bytes, whichever comes first, so the bytes in
# flight stay bounded (window x batch) however large the mailbox.
_BATCH_MESSAGES = 8
_BATCH_BYTES = 1 << 19


def analyze_batch(first_index: int, items: list[ScanInput]) -> list[ScanRow]:
    """Analyze consecutive inputs in this process; rows in the same order."""
    return [analyze_one(first_index + offset, item) for offset, item in enumerate(items)]


def _batches(inputs: Iterable[ScanInput]) -> Iterator[tuple[int, list[ScanInput]]]:
    """(index of the first, inputs) runs of consecutive inputs, bounded in count and bytes."""
    batch: list[ScanInput] = []
    size = 0
    first = 1
    for index, item in enumerate(inputs, start=1):
        if not batch:
            first = index
        batch.append(item)
        size += len(item.data) if item.data is not None else 0
        if len(batch) >= _BATCH_MESSAGES or size >= _BATCH_BYTES:
            yield first, batch
            batch, size = [], 0
    if batch:
        yield first, batch


def _run_parallel(inputs: Iterable[ScanInput], options: ScanOptions, jobs: int) -> Iterator[ScanRow]:
    # Imported only when worker processes are used (see _mp_context).
    from concurrent.futures import ProcessPoolExecutor

    context = _mp_context()
    if context.get_start_method() == "fork":
        _warm_up()
    manager = None
    shared: Resolver | None = None
    if not options.offline and not options.dns_snapshot:
        from ..dns.shared import start_shared_resolver

        manager, shared = start_shared_resolver(context, options.nameserver, options.dns_timeout)
    # Three batches per worker in flight: one being analyzed, two queued, so no worker waits
    # for the parent; more would only hold more messages in memory.
    window = jobs * 3
    pending: deque[Future[list[ScanRow]]] = deque()
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                                 initargs=(options, shared)) as pool:
            for first, batch in _batches(inputs):
                pending.append(pool.submit(analyze_batch, first, batch))
                while len(pending) >= window:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
    finally:
        if manager is not None:
            manager.shutdown()
