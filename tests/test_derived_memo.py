"""Results derived from DNS answers are reused across messages of one resolver, exactly.

A scan shares one resolver across its messages; SPF and reverse-DNS results for the same
inputs are computed once (dns.evidence.memoized). Reuse must not change any report: each
message's evidence still lists the answers its checks used, temporary failures are asked
again, and nothing crosses to another resolver.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SAMPLES

import headerscope
from headerscope.auth import _pyspf
from headerscope.auth.ptr import check_reverse_dns
from headerscope.auth.spf import check_spf
from headerscope.dns.evidence import EvidenceResolver
from headerscope.dns.interface import DnsAnswer, DnsStatus
from headerscope.dns.snapshot import SnapshotResolver

ZONE: dict[str, Any] = {
    "sender.test": {"TXT": [["v=spf1 include:_spf.esp.test -all"]]},
    "_spf.esp.test": {"TXT": [["v=spf1 ip4:192.0.2.0/24 -all"]]},
    "10.2.0.192.in-addr.arpa": {"PTR": ["out.sender.test."]},
    "out.sender.test": {"A": ["192.0.2.10"]},
}


class Counting(SnapshotResolver):
    """A snapshot that counts the questions reaching it and can fail some names for a while."""

    def __init__(self, data: dict[str, Any], failing: int = 0) -> None:
        super().__init__(data)
        self.asked: list[tuple[str, str]] = []
        self.failing = failing

    def resolve(self, name: str, rdtype: str) -> DnsAnswer:
        self.asked.append((name, rdtype))
        if self.failing and name == "_spf.esp.test":
            self.failing -= 1
            return DnsAnswer(name=name, rdtype=rdtype, status=DnsStatus.TIMEOUT)
        return super().resolve(name, rdtype)


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    calls: list[tuple[str, str, str]] = []
    original = _pyspf._evaluate

    def counted(resolver: Any, *, ip: str, sender: str, helo: str) -> Any:
        calls.append((ip, sender, helo))
        return original(resolver, ip=ip, sender=sender, helo=helo)

    monkeypatch.setattr(_pyspf, "_evaluate", counted)
    return calls


def _check(inner: Any, ip: str = "192.0.2.10", mail_from: str = "bounce@sender.test") -> tuple[Any, Any]:
    per_message = EvidenceResolver(inner)
    result, _findings = check_spf(per_message, client_ip=ip, mail_from=mail_from, helo="out.sender.test",
                                  from_domain="sender.test", inputs_from="hop 2")
    return result, per_message.evidence()


def test_same_inputs_are_evaluated_once_with_the_same_result_and_evidence(evaluations: list[Any]) -> None:
    inner = Counting(ZONE)
    first, first_evidence = _check(inner)
    second, second_evidence = _check(inner)
    assert first.result == "pass" and first.mechanism == "include:_spf.esp.test"
    assert second == first
    # the second message's evidence is replayed, not empty
    assert second_evidence == first_evidence
    assert [(e.name, e.rdtype) for e in first_evidence] == [
        ("out.sender.test", "TXT"), ("sender.test", "TXT"), ("_spf.esp.test", "TXT")]
    # MAIL FROM and HELO once each, for the first message only
    assert len(evaluations) == 2
    # other inputs are evaluated on their own (HELO and MAIL FROM for the new client)
    third, _ = _check(inner, ip="198.51.100.7")
    assert third.result == "fail" and len(evaluations) == 4


def test_another_resolver_never_sees_the_results(evaluations: list[Any]) -> None:
    _check(Counting(ZONE))
    other = Counting({**ZONE, "_spf.esp.test": {"TXT": [["v=spf1 -all"]]}})
    result, _ = _check(other)
    assert result.result == "fail"
    assert len(evaluations) == 4


def test_a_temporary_failure_is_asked_again(evaluations: list[Any]) -> None:
    inner = Counting(ZONE, failing=1)
    first, _ = _check(inner)
    assert first.result == "temperror"
    second, _ = _check(inner)
    assert second.result == "pass"
    third, _ = _check(inner)
    assert third == second
    # HELO (kept) and the failing MAIL FROM, then MAIL FROM again (kept)
    assert len(evaluations) == 3


def test_a_record_with_the_time_macro_is_evaluated_every_time(evaluations: list[Any]) -> None:
    # RFC 7208 section 7.2: %{t} expands to the evaluation time, so no two evaluations
    # need ask the same names.
    inner = Counting({**ZONE, "_spf.esp.test": {"TXT": [["v=spf1 exists:%{t}.x.esp.test ip4:192.0.2.0/24 -all"]]}})
    _check(inner)
    _check(inner)
    # the HELO has no such record and is kept; MAIL FROM is evaluated both times
    assert evaluations.count(("192.0.2.10", "bounce@sender.test", "out.sender.test")) == 2
    assert len(evaluations) == 3


def test_reverse_dns_is_checked_once_per_address() -> None:
    inner = Counting(ZONE)
    first = check_reverse_dns(EvidenceResolver(inner), "192.0.2.10")
    asked = len(inner.asked)
    per_message = EvidenceResolver(inner)
    second = check_reverse_dns(per_message, "192.0.2.10")
    assert second == first and first.result == "pass"
    assert [(e.name, e.rdtype) for e in per_message.evidence()] == [
        ("10.2.0.192.in-addr.arpa", "PTR"), ("out.sender.test", "A")]
    assert len(inner.asked) == 2 * asked  # replayed through the resolver, not recomputed


def test_reports_sharing_a_resolver_equal_reports_made_alone() -> None:
    raw = (SAMPLES / "forwarded-srs.eml").read_bytes()
    snapshot = SAMPLES / "forwarded-srs.dns.json"
    alone = headerscope.analyze(raw, dns_snapshot=str(snapshot), now=None).to_dict()
    shared = SnapshotResolver.from_file(str(snapshot))
    headerscope.analyze(raw, resolver=shared)
    again = headerscope.analyze(raw, resolver=shared).to_dict()
    for report in (alone, again):
        del report["analyzed_at"], report["options"], report["dns_source"]
    assert again == alone


def test_an_unhashable_resolver_is_simply_not_reused(evaluations: list[Any]) -> None:
    class Unhashable(Counting):
        # __eq__ without __hash__, as in an API user's dataclass: instances are unhashable
        def __eq__(self, other: object) -> bool:
            return self is other

        __hash__ = None  # type: ignore[assignment]

    inner = Unhashable(ZONE)
    first, _ = _check(inner)
    second, _ = _check(inner)
    assert first.result == second.result == "pass"
    assert len(evaluations) == 4  # HELO and MAIL FROM, for each message: nothing reused


def test_the_lookup_term_count_is_replayed_with_the_same_finding_and_evidence() -> None:
    # Eleven include: terms: over RFC 7208 section 4.6.4's ten, though the first one matches.
    zone: dict[str, Any] = {
        "sender.test": {"TXT": [["v=spf1 " + " ".join(f"include:i{n}.esp.test" for n in range(11)) + " -all"]]},
        "i0.esp.test": {"TXT": [["v=spf1 ip4:192.0.2.0/24 -all"]]},
        **{f"i{n}.esp.test": {"TXT": [["v=spf1 -all"]]} for n in range(1, 11)},
    }
    inner = Counting(zone)
    first = EvidenceResolver(inner)
    _result, first_findings = check_spf(first, client_ip="192.0.2.10", mail_from="bounce@sender.test", helo=None,
                                        from_domain="sender.test", inputs_from="hop 2")
    second = EvidenceResolver(inner)
    _result, second_findings = check_spf(second, client_ip="192.0.2.10", mail_from="bounce@sender.test", helo=None,
                                         from_domain="sender.test", inputs_from="hop 2")
    assert [f.id for f in first_findings] == ["spf.lookup_budget"]
    assert "needs 11 DNS lookups" in first_findings[0].title
    assert second_findings == first_findings
    # every include's record is the second message's evidence too, in the same order
    assert second.evidence() == first.evidence()
    assert {(e.name, e.rdtype) for e in second.evidence()} >= {(f"i{n}.esp.test", "TXT") for n in range(11)}


def test_a_question_asked_again_as_written_gets_the_keyed_answer() -> None:
    # EvidenceResolver.resolve answers a repeated question from its memo of questions as
    # written; that must be the answer the normalised key holds, for every written form:
    # upper case, a trailing dot, lower-case types, and "x. ." whose normalised form
    # ("x. ") normalises again to "x" (normalize_name is not idempotent on it).
    zone: dict[str, Any] = {**ZONE, "x": {"TXT": [["v=spf1 -all"]]}, "x. ": {"TXT": [["other"]]}}
    forms = [("Sender.TEST.", "txt"), ("sender.test", "TXT"), ("x. .", "TXT"), ("x. ", "TXT"),
             ("x", "TXT"), ("missing.test", "A")]
    fresh_answers = []
    for name, rdtype in forms:
        fresh = EvidenceResolver(Counting(zone))
        fresh_answers.append(fresh.resolve(name, rdtype))
    shared = EvidenceResolver(Counting(zone))
    for _ in range(2):
        assert [shared.resolve(name, rdtype) for name, rdtype in forms] == fresh_answers
    once = EvidenceResolver(Counting(zone))
    for name, rdtype in forms:
        once.resolve(name, rdtype)
    assert shared.evidence() == once.evidence()
