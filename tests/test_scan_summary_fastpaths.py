"""The scan row's summary (scan.runner.summarize) checked against the plain readings it
replaced: the steady hops walked once from the end instead of comparing every pair, the kind
found with one prefix test per finding id, the reasons read in one pass."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

from conftest import SAMPLES

from headerscope.model import Severity
from headerscope.scan import runner


def _plain_steady_hops(hops: Any) -> list[Any]:
    steady = []
    for position, hop in enumerate(hops):
        delay = hop.delay_seconds
        if delay is None or delay <= 0:
            continue
        if any(later.delay_seconds is not None and later.delay_seconds < -0.5 * delay
               for later in hops[position + 1:]):
            continue
        steady.append(hop)
    return steady


def test_steady_hops_are_those_no_later_delay_takes_back() -> None:
    rng = random.Random(5)
    # The edges: a later step back of exactly half (kept), just over half (dropped), zero and
    # None delays, a step back before the delay, equal delays, one hop, none.
    cases: list[list[float | None]] = [
        [], [None], [10.0], [0.0], [-5.0], [10.0, -5.0], [10.0, -5.000001], [10.0, None, -6.0], [-6.0, 10.0],
        [10.0, 10.0, -5.0], [4.0, 0.0, 8.0, -4.0, None, -2.0], [1e9, -5e8, 3.0, -1.0, -1.5],
    ]
    for _ in range(3000):
        cases.append([rng.choice([None, 0.0, rng.randint(-50, 50) * 0.5, float(rng.randint(-3, 3))])
                      for _ in range(rng.randint(0, 9))])
    for delays in cases:
        hops = [SimpleNamespace(number=i + 1, delay_seconds=d) for i, d in enumerate(delays)]
        assert runner._steady_hops(hops) == _plain_steady_hops(hops), delays
        assert runner._steady_hops(tuple(hops)) == _plain_steady_hops(tuple(hops)), delays


def _plain_kind(report: Any) -> str:
    if report.delivery_report is not None:
        return "delivery_report"
    if report.feedback_report is not None:
        return "feedback_report"
    ids = [f.id for f in report.findings]
    return next((kind for prefix, kind in runner._KIND_FINDINGS if any(i.startswith(prefix) for i in ids)), "message")


def _report(ids: list[str]) -> Any:
    findings = tuple(SimpleNamespace(id=i) for i in ids)
    return SimpleNamespace(delivery_report=None, feedback_report=None, findings=findings)


def test_kind_is_the_first_prefix_any_finding_has() -> None:
    prefixes = [prefix for prefix, _ in runner._KIND_FINDINGS]
    words = [*prefixes, "dsn", "message.carrier.x", "message.auto_replyx", "hops.clock_lag", "feedback",
             "x.dsn.y", "mdn.", "message.", ""]
    rng = random.Random(7)
    for _ in range(3000):
        ids = [rng.choice(words) for _ in range(rng.randint(0, 6))]
        report = _report(ids)
        assert runner._kind(report, tuple(dict.fromkeys(ids))) == _plain_kind(report), ids
    said = _report(["dsn.x"])
    said.delivery_report = object()
    assert runner._kind(said, ("dsn.x",)) == "delivery_report"


def test_rows_of_the_samples_read_findings_as_before() -> None:
    import headerscope

    for path in [*sorted(SAMPLES.glob("*.eml")), SAMPLES / "headers-only.txt"]:
        report = headerscope.analyze(path.read_bytes(), dns_snapshot=str(path.with_suffix(".dns.json")))
        row = runner.summarize(1, path.name, report)
        severe = (Severity.DANGER, Severity.WARNING)
        assert row.failing_reasons == tuple(dict.fromkeys(f.id for f in report.findings if f.severity in severe))
        assert row.other_findings == tuple(dict.fromkeys(f.id for f in report.findings if f.severity not in severe))
        assert row.kind == _plain_kind(report)
        offset = {f.subject for f in report.findings
                  if f.id in ("hops.clock_offset", "hops.clock_lag", "hops.earlier_delivery")}
        # Measured as hops.slow_hop measures a wait (Hop.wait_seconds), net of the stamps' clock steps.
        slowest = max((h for h in _plain_steady_hops(report.hops)
                       if h.wait_seconds is not None and h.number > 1 and f"hop {h.number}" not in offset),
                      key=lambda h: h.wait_seconds or 0.0, default=None)
        assert row.slowest_delay_seconds == (slowest.wait_seconds if slowest else None)
