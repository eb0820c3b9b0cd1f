"""The RFC 7208 SPF conformance suite (openspf, pyspf's copy), through check_spf and a snapshot.

Each scenario's zone data becomes a DNS snapshot, served by SnapshotResolver, the way pyspf's
own test driver serves it: ``SPF:`` records are also served as TXT unless the name lists TXT
itself, ``TXT: NONE`` means no TXT record, and a bare ``TIMEOUT`` makes every type of the name
without data time out.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
import yaml
from conftest import CORPUS

from headerscope.auth.spf import check_spf
from headerscope.dns.interface import SUPPORTED_TYPES
from headerscope.dns.snapshot import SnapshotResolver

SUITE = CORPUS / "spf" / "rfc7208-tests.yml"

# Tests whose expected result we do not give, each with the RFC argument.
# (scenario description, test name) -> why.
KNOWN_MISSES: dict[tuple[str, str], str] = {}


def _scenarios() -> list[dict[str, Any]]:
    with SUITE.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


def _rdata(rdtype: str, value: Any) -> Any:
    if rdtype in ("TXT", "SPF"):
        return [str(chunk) for chunk in value] if isinstance(value, list) else [str(value)]
    if rdtype == "MX":
        preference, host = value
        return f"{int(preference)} {str(host).rstrip('.')}."
    if rdtype == "AAAA":
        return str(ipaddress.ip_address(str(value)))
    return str(value)


def zone_to_snapshot(zonedata: dict[str, list[Any]]) -> dict[str, Any]:
    """The suite's zone data in the snapshot format (DESIGN.md), as pyspf's driver reads it."""
    snapshot: dict[str, Any] = {}
    for name, entries in zonedata.items():
        records: dict[str, list[Any]] = {}
        declared: set[str] = set()
        timeout = False
        for entry in entries or []:
            if entry == "TIMEOUT":
                timeout = True
                continue
            for rdtype, value in entry.items():
                declared.add(rdtype)
                records.setdefault(rdtype, [])
                if value != "NONE":
                    records[rdtype].append(_rdata(rdtype, value))
        if "TXT" not in declared and "SPF" in records:
            records["TXT"] = list(records["SPF"])
        if timeout:
            if not any(records.values()):
                snapshot[name] = "TIMEOUT"
                continue
            for rdtype in SUPPORTED_TYPES:
                if not records.get(rdtype):
                    records[rdtype] = "TIMEOUT"  # type: ignore[assignment]
        snapshot[name] = records
    return snapshot


def _cases() -> list[Any]:
    cases = []
    for scenario in _scenarios():
        snapshot = zone_to_snapshot(scenario["zonedata"])
        for test_name, test in scenario["tests"].items():
            cases.append(pytest.param(scenario["description"], test_name, test, snapshot,
                                      id=f"{scenario['description']}/{test_name}"))
    return cases


CASES = _cases()


def _run(test: dict[str, Any], snapshot: dict[str, Any]) -> tuple[str, str]:
    spf, _findings = check_spf(SnapshotResolver(snapshot), client_ip=str(test["host"]),
                               mail_from=str(test["mailfrom"]), helo=str(test["helo"]),
                               from_domain=None, inputs_from="test")
    return spf.result, spf.explanation


def _accepted(test: dict[str, Any]) -> list[str]:
    expected = test["result"]
    return [str(r) for r in expected] if isinstance(expected, list) else [str(expected)]


def test_suite_has_203_tests() -> None:
    assert len(CASES) == 203


@pytest.mark.parametrize(("scenario", "name", "test", "snapshot"), CASES)
def test_rfc7208_case(scenario: str, name: str, test: dict[str, Any], snapshot: dict[str, Any]) -> None:
    result, explanation = _run(test, snapshot)
    accepted = _accepted(test)
    if (scenario, name) in KNOWN_MISSES:
        assert result not in accepted, f"listed as a miss but now passes: {name}"
        return
    assert result in accepted, f"{name}: got {result} ({explanation}), expected {accepted}"
    expected_exp = test.get("explanation")
    if expected_exp is not None:
        if expected_exp == "DEFAULT":
            assert "(exp=)" not in explanation
        else:
            assert f'(exp=): "{expected_exp}"' in explanation, explanation


def test_pass_count(capsys: pytest.CaptureFixture[str]) -> None:
    passed = 0
    for param in CASES:
        _scenario, _name, test, snapshot = param.values
        result, _ = _run(test, snapshot)
        passed += result in _accepted(test)
    with capsys.disabled():
        print(f"\nRFC 7208 suite: {passed}/{len(CASES)} accepted results, {len(KNOWN_MISSES)} argued misses")
    assert passed == len(CASES) - len(KNOWN_MISSES)


# rspamd's SPF cases (117_spf.robot) with its fake DNS records: an extra outside check.
RSPAMD = CORPUS / "rspamd"
RSPAMD_SPF_SYMBOLS = {"R_SPF_ALLOW": "pass", "R_SPF_FAIL": "fail", "R_SPF_SOFTFAIL": "softfail",
                      "R_SPF_NEUTRAL": "neutral", "R_SPF_NA": "none", "R_SPF_DNSFAIL": "temperror",
                      "R_SPF_PERMFAIL": "permerror", "R_SPF_PLUSALL": "pass"}
RSPAMD_SPF_MISSES = {
    "SPF FAIL UNRESOLVEABLE INCLUDE": (
        "permerror",
        "include:total.barf names a domain that does not exist. RFC 7208 section 5.2: when the included "
        "check_host() returns none, include yields permerror (the table there says so); rspamd reports fail."),
    "SPF ALLOW DNS REQUESTS AT LIMIT": (
        "permerror",
        "The record has 30 a: terms. RFC 7208 section 4.6.4 allows at most 10 DNS-querying terms and the "
        "11th MUST give permerror; rspamd's own limit is configured higher."),
}
# "SPF EXTERNAL RELAY" is not run: its client IP comes from rspamd's external-relay configuration,
# not from the case parameters.


def _rspamd_spf_cases() -> list[Any]:
    import json

    data = json.loads((RSPAMD / "cases.json").read_text(encoding="utf-8"))
    cases = []
    for case in data["cases"]:
        symbols = [e[1] for e in case["expect"] if e[1] in RSPAMD_SPF_SYMBOLS]
        if case["suite"].startswith("117") and symbols and "IP" in case["params"]:
            cases.append(pytest.param(case, symbols[0], id=case["name"]))
    return cases


@pytest.mark.parametrize(("case", "symbol"), _rspamd_spf_cases())
def test_rspamd_spf_case(case: dict[str, Any], symbol: str) -> None:
    from test_dmarc_corpus import rspamd_snapshot

    params = case["params"]
    spf, findings = check_spf(SnapshotResolver(rspamd_snapshot(case["dns_config"])), client_ip=params["IP"],
                              mail_from=params["From"], helo=params.get("Helo"), from_domain=None,
                              inputs_from="test")
    expected = RSPAMD_SPF_SYMBOLS[symbol]
    if case["name"] in RSPAMD_SPF_MISSES:
        expected = RSPAMD_SPF_MISSES[case["name"]][0]
    assert spf.result == expected, spf.explanation
    for forbidden in case["do_not_expect"]:
        if forbidden in RSPAMD_SPF_SYMBOLS:
            assert spf.result != RSPAMD_SPF_SYMBOLS[forbidden]
    if symbol == "R_SPF_PLUSALL":
        assert "spf.permissive" in {f.id for f in findings}
