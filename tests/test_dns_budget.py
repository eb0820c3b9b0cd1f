"""Bounds on the time DNS may cost one analysis: the SPF evaluation deadline (RFC 7208 section
4.6.4), the per-analysis DNS budget, and the parallel prefetch before the serial stages."""

from __future__ import annotations

import time
from collections.abc import Iterable

import pytest

from headerscope.api import analyze, dns_budget
from headerscope.auth import _pyspf
from headerscope.auth.spf import check_spf
from headerscope.dns.evidence import EvidenceResolver
from headerscope.dns.interface import DnsAnswer, DnsStatus, Resolver
from headerscope.dns.snapshot import SnapshotResolver

ZONE = {
    "sender.test": {"TXT": [["v=spf1 include:a.sender.test include:b.sender.test include:c.sender.test -all"]]},
    "a.sender.test": {"TXT": [["v=spf1 ip4:198.51.100.1 -all"]]},
    "b.sender.test": {"TXT": [["v=spf1 ip4:198.51.100.2 -all"]]},
    "c.sender.test": {"TXT": [["v=spf1 ip4:192.0.2.10 -all"]]},
}


class SlowResolver(Resolver):
    """A snapshot whose every answer takes ``delay`` seconds, as a crawling nameserver's; says it
    asks the network, so the analysis's DNS budget applies to it."""

    source = "live"

    def __init__(self, data: dict[str, object], delay: float) -> None:
        self._inner = SnapshotResolver(data)
        self._delay = delay
        self.asked: list[tuple[str, str]] = []
        self.prefetched: list[tuple[str, str]] = []

    @property
    def asks_network(self) -> bool:
        return True

    def resolve(self, name: str, rdtype: str) -> DnsAnswer:
        self.asked.append((name, rdtype))
        time.sleep(self._delay)
        return self._inner.resolve(name, rdtype)

    def prefetch(self, questions: Iterable[tuple[str, str]]) -> None:
        self.prefetched.extend(questions)


def test_spf_evaluation_stops_at_its_deadline_with_temperror(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each lookup takes 0.2 s and the deadline is 0.3 s: the second include is never asked, and
    # the result is temperror naming the deadline (RFC 7208 section 4.6.4), not pass.
    monkeypatch.setattr(_pyspf, "SPF_DEADLINE_SECONDS", 0.3)
    slow = SlowResolver(ZONE, delay=0.2)
    result, _ = check_spf(slow, client_ip="192.0.2.10", mail_from="alice@sender.test", helo="mx.sender.test",
                          from_domain="sender.test", inputs_from=None)
    assert result.result == "temperror"
    assert "longer than 0.3 seconds" in result.explanation and "4.6.4" in result.explanation
    assert ("c.sender.test", "TXT") not in slow.asked


def test_spf_within_its_deadline_is_unchanged() -> None:
    result, _ = check_spf(SlowResolver(ZONE, delay=0), client_ip="192.0.2.10", mail_from="alice@sender.test",
                          helo="mx.sender.test", from_domain="sender.test", inputs_from=None)
    assert result.result == "pass"


def test_analysis_budget_answers_budget_without_asking() -> None:
    # The clock starts at the first question: the third starts at 0.6 s, the fourth at 0.9 s.
    slow = SlowResolver(ZONE, delay=0.3)
    evidence = EvidenceResolver(slow, budget=0.75)
    first = [evidence.resolve(name, "TXT").status for name in ("sender.test", "a.sender.test", "b.sender.test")]
    late = evidence.resolve("c.sender.test", "TXT")
    assert first == [DnsStatus.NOERROR] * 3
    assert late.status == DnsStatus.BUDGET and late.temporary_failure
    assert ("c.sender.test", "TXT") not in slow.asked
    assert evidence.over_budget == 1
    # Evidence keeps the BUDGET status: the tool's limit, not the server's timeout.
    assert [(use.name, use.status) for use in evidence.evidence()][-1] == ("c.sender.test", DnsStatus.BUDGET)


def test_no_budget_for_snapshots() -> None:
    evidence = EvidenceResolver(SnapshotResolver(ZONE))
    assert evidence.budget is None


def test_budget_is_thirty_seconds_or_four_timeouts() -> None:
    assert dns_budget(5) == 30
    assert dns_budget(10) == 40


MESSAGE = (
    b"Received: from mail.sender.test (mail.sender.test [203.0.113.7])\r\n"
    b"\tby mx.rcpt.test with ESMTPS id abc; Mon, 2 Nov 2026 10:00:01 +0000\r\n"
    b"ARC-Seal: i=1; a=rsa-sha256; cv=none; d=fwd.test; s=arc1; b=AAAA\r\n"
    b"ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=fwd.test; s=arc2;\r\n"
    b"\th=from:to:subject; bh=AAAA; b=AAAA\r\n"
    b"ARC-Authentication-Results: i=1; fwd.test; spf=pass smtp.mailfrom=sender.test\r\n"
    b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sender.test; s=k1;\r\n"
    b"\th=from:to:subject; bh=AAAA; b=AAAA\r\n"
    b"Return-Path: <bounce@bounces.sender.test>\r\n"
    b"From: Alice <alice@sender.test>\r\n"
    b"To: bob@rcpt.test\r\n"
    b"Subject: hi\r\n"
    b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
    b"\r\n"
    b"hello\r\n"
)


def test_first_prefetch_holds_every_key_and_policy_before_any_question() -> None:
    # The first prefetch comes before the hop chain, ARC and DKIM ask anything serially, and holds
    # the ARC-Seal and ARC-Message-Signature keys as well as DKIM's, DMARC, SPF and the client's PTR.
    slow = SlowResolver({}, delay=0)
    calls: list[tuple[int, list[tuple[str, str]]]] = []
    original = slow.prefetch

    def record(questions: Iterable[tuple[str, str]]) -> None:
        calls.append((len(slow.asked), list(questions)))
        original([])

    slow.prefetch = record  # type: ignore[method-assign]
    analyze(MESSAGE, resolver=slow)
    asked_before, first = calls[0]
    assert asked_before == 0
    assert set(first) >= {("arc1._domainkey.fwd.test", "TXT"), ("arc2._domainkey.fwd.test", "TXT"),
                          ("k1._domainkey.sender.test", "TXT"), ("_dmarc.sender.test", "TXT"),
                          ("bounces.sender.test", "TXT"), ("7.113.0.203.in-addr.arpa", "PTR")}
