"""--record-dns then --dns-snapshot gives the same report, also for what the live run did not get
answered (verification V42a D2), and a recorded snapshot's missing name is no NXDOMAIN (D3)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES, require_dnsmasq
from dnsserver import TIMEOUT_NAME, serve

from headerscope import api
from headerscope.api import analyze
from headerscope.dns.interface import DnsStatus, SnapshotError, retry_words
from headerscope.dns.snapshot import ABSENT_NOT_RECORDED, SnapshotResolver
from headerscope.render.terminal import TerminalRenderer

FIXED_NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in report.items() if key not in ("analyzed_at", "options", "dns_source")}


def test_questions_the_budget_stopped_replay_as_not_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # V42a r7: the boundary's PTR names ten hosts whose A questions time out; the forward checks
    # spend the analysis's DNS budget (max(0.5, 4 x 0.25) = 1 s), and what comes after (the
    # HELO's SPF, BIMI, ...) is not asked. The recording must say so, not leave them out (read
    # as NXDOMAIN: HELO SPF "none", "no BIMI record", an organisational domain found).
    require_dnsmasq()
    monkeypatch.setattr(api, "DNS_BUDGET_SECONDS", 0.5)
    zone = json.loads((SAMPLES / "direct.dns.json").read_text(encoding="utf-8"))
    zone["25.2.0.192.in-addr.arpa"] = {"PTR": [f"h{i}.{TIMEOUT_NAME}." for i in range(10)]}
    raw = (SAMPLES / "direct.eml").read_bytes()
    recorded = tmp_path / "recorded.dns.json"
    with serve(zone, tmp_path) as running:
        live = analyze(raw, nameserver=running.nameserver, dns_timeout=0.25, record_dns=str(recorded), now=FIXED_NOW)
    stopped = [use for use in live.dns if use.status == "BUDGET"]
    assert stopped, "the budget was not spent: this test would prove nothing"
    assert any(f.id == "dns.budget_spent" for f in live.findings)
    data = json.loads(recorded.read_text(encoding="utf-8"))
    assert data["$meta"]["dns_budget"] == 1.0
    assert data[stopped[-1].name] in ("BUDGET", {stopped[-1].rdtype: "BUDGET"}) or \
        data[stopped[-1].name][stopped[-1].rdtype] == "BUDGET"
    replayed = analyze(raw, dns_snapshot=str(recorded), now=FIXED_NOW)
    assert replayed.dns_source.source == "snapshot"
    assert _without_budget_words(replayed) == _without_budget_words(live)
    # The replay waited for nothing: the warning says the recorded analysis's budget was spent.
    [said] = [f for f in live.findings if f.id == "dns.budget_spent"]
    [again] = [f for f in replayed.findings if f.id == "dns.budget_spent"]
    assert said.title == f"DNS: {len(stopped)} question(s) not asked: the analysis's DNS time budget of 1 s was spent"
    assert said.explanation.startswith("This analysis waited 1 seconds for DNS answers in all")
    assert again.title == (f"DNS: {len(stopped)} question(s) not asked: the recorded analysis's DNS time budget of "
                           "1 s was spent")
    assert again.explanation.startswith("When this DNS snapshot was recorded, that analysis waited 1 seconds")
    assert "This analysis waited" not in again.explanation
    assert said.explanation.split("stopped asking ")[1].split(";")[0] == \
        again.explanation.split("stopped asking ")[1].split(";")[0]
    assert (again.severity, again.subject, again.reference) == (said.severity, said.subject, said.reference)


def _without_budget_words(report: Any) -> dict[str, Any]:
    """The report as _comparable gives it, dns.budget_spent reduced to its id and severity (a
    replay says it of the recorded analysis, which is what waited)."""
    data = _comparable(report.to_dict())
    data["findings"] = [{"id": f["id"], "severity": f["severity"]} if f["id"] == "dns.budget_spent" else f
                        for f in data["findings"]]
    return data


def _sample_without_key(marker: bool) -> dict[str, Any]:
    snapshot = json.loads((SAMPLES / "direct.dns.json").read_text(encoding="utf-8"))
    del snapshot["s2026._domainkey.example.com"]
    if marker:
        snapshot["$meta"] = {"recorded_at": "2026-11-27T10:00:00Z", "source": "live 127.0.0.1:15301", **ABSENT_NOT_RECORDED}
    return snapshot


def test_a_name_missing_from_a_recorded_snapshot_is_unknown_not_a_rotated_key(tmp_path: Path) -> None:
    # V42a D3: direct.eml against its snapshot without the DKIM key. Written by --record-dns
    # (which writes NXDOMAIN explicitly), the missing key was not recorded: temperror, no
    # "rotated out", no "changed in DNS since delivery".
    raw = (SAMPLES / "direct.eml").read_bytes()
    recorded = tmp_path / "missing-key.dns.json"
    recorded.write_text(json.dumps(_sample_without_key(marker=True)), encoding="utf-8")
    report = analyze(raw, dns_snapshot=str(recorded), now=FIXED_NOW)
    [signature] = report.dkim
    assert signature.result == "temperror"
    key = next(use for use in report.dns if use.name == "s2026._domainkey.example.com")
    assert key.status == DnsStatus.NOT_RECORDED
    ids = {f.id for f in report.findings}
    assert "dns.not_recorded" in ids and "dkim.key_unavailable" not in ids
    text = TerminalRenderer(verbose=True, width=400).render(report)
    assert "rotated out" not in text and "changed in DNS since delivery" not in text and "no longer published" not in text
    assert "s2026._domainkey.example.com TXT: NOT_RECORDED (not in the snapshot: unknown)" in text
    # The same file written by hand (no "absent" in $meta): absent is NXDOMAIN, as DESIGN.md says.
    hand = tmp_path / "hand.dns.json"
    hand.write_text(json.dumps(_sample_without_key(marker=False)), encoding="utf-8")
    by_hand = analyze(raw, dns_snapshot=str(hand), now=FIXED_NOW)
    assert by_hand.dkim[0].result == "permerror" and "NXDOMAIN" in by_hand.dkim[0].reason
    assert not any(f.id == "dns.not_recorded" for f in by_hand.findings)


def test_a_question_missing_from_a_recorded_snapshot_is_not_advised_to_be_tried_again_later(tmp_path: Path) -> None:
    # V43a D3: replaying the same file later gives the same answer, so the key's reason and the
    # verdict name another DNS source instead of "try again later". Without example.com's SPF
    # record too, DMARC is unknown and the verdict "Could not check".
    raw = (SAMPLES / "direct.eml").read_bytes()
    snapshot = _sample_without_key(marker=True)
    del snapshot["example.com"]
    recorded = tmp_path / "missing.dns.json"
    recorded.write_text(json.dumps(snapshot), encoding="utf-8")
    report = analyze(raw, dns_snapshot=str(recorded), now=FIXED_NOW)
    assert report.verdict.status == "not_checked"
    assert "try again later" not in report.verdict.summary
    assert "not in the DNS snapshot: analyze with live DNS" in report.verdict.summary
    [signature] = report.dkim
    assert "try again later" not in signature.reason and "not in the DNS snapshot" in signature.reason
    # A live server's timeout is still one to try again later.
    assert retry_words(DnsStatus.TIMEOUT) == "try again later"


def test_a_recorded_snapshot_replayed_with_another_client_ip_does_not_invent_a_missing_ptr(tmp_path: Path) -> None:
    # V42a D3: a recording replayed with --client-ip of an address it never asked about.
    raw = (SAMPLES / "direct.eml").read_bytes()
    recorded = tmp_path / "recorded.dns.json"
    first = analyze(raw, dns_snapshot=str(SAMPLES / "direct.dns.json"), record_dns=str(recorded), now=FIXED_NOW)
    assert json.loads(recorded.read_text(encoding="utf-8"))["$meta"]["absent"] == "NOT_RECORDED"
    again = analyze(raw, dns_snapshot=str(recorded), now=FIXED_NOW)
    assert _comparable(again.to_dict()) == _comparable(first.to_dict())
    other = analyze(raw, dns_snapshot=str(recorded), client_ip="198.51.100.130", now=FIXED_NOW)
    ptr = next(use for use in other.dns if use.name == "130.100.51.198.in-addr.arpa")
    assert ptr.status == DnsStatus.NOT_RECORDED
    assert not any("has no PTR record" in f.explanation or "has no PTR record" in f.title for f in other.findings)


def test_the_absent_entry_of_meta_is_checked() -> None:
    answers = {"x.test": {"A": ["192.0.2.1"]}, "gone.test": "NXDOMAIN"}
    recorded = SnapshotResolver({"$meta": {"absent": "not_recorded"}, **answers})
    assert recorded.resolve("nobody.test", "TXT").status == DnsStatus.NOT_RECORDED
    assert recorded.resolve("x.test", "TXT").status == DnsStatus.NOT_RECORDED
    assert recorded.resolve("x.test", "TXT").temporary_failure
    assert recorded.resolve("gone.test", "TXT").status == DnsStatus.NXDOMAIN
    assert recorded.resolve("x.test", "A").values == ("192.0.2.1",)
    for plain in (SnapshotResolver(answers), SnapshotResolver({"$meta": {"absent": "NXDOMAIN"}, **answers})):
        assert plain.resolve("nobody.test", "TXT").status == DnsStatus.NXDOMAIN
        assert plain.resolve("x.test", "TXT").status == DnsStatus.NODATA
    for bad in ("NODATA", 1, ["NOT_RECORDED"]):
        with pytest.raises(SnapshotError, match="absent"):
            SnapshotResolver({"$meta": {"absent": bad}, **answers})
