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
    assert _comparable(replayed.to_dict()) == _comparable(live.to_dict())
