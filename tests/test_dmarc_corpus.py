"""DMARC against two outside corpora: ValiMail authentication-headers (13 cases) and rspamd.

authentication-headers cases whose DKIM results come from a prior Authentication-Results
(``checks.dkim = false``) are evaluated with check_dmarc on those results, so they test this
module alone. Cases that verify DKIM themselves run end to end through ``analyze()`` and
need the DKIM module; so do the rspamd messages that carry a DKIM signature.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from email import message_from_bytes
from email.utils import getaddresses
from typing import Any

import pytest
from conftest import CORPUS

from headerscope.api import analyze
from headerscope.auth.dmarc import check_dmarc
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import DkimSignatureResult, DmarcResult

AUTHHEADERS = CORPUS / "dmarc" / "authheaders"
RSPAMD = CORPUS / "rspamd"
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)

# authheaders runs with dmarcbis=True: its expectations are the tree walk's, which our result
# follows (RFC 9989). test_authenticate_dmarc_psdsub: _dmarc.gov (psd=y) makes example.gov its own
# organisational domain, and p=reject applies to it (RFC 9989 section 4.7: sp= and np= are for the
# organisational domain's subdomains, not itself); a receiver still on RFC 7489 finds no record
# (gov is a public suffix, and _dmarc.example.gov has none), asserted on ``rfc7489``.
AUTHHEADERS_RFC7489 = {"test_authenticate_dmarc_psdsub": ("none", None)}


def _authheaders() -> dict[str, Any]:
    return json.loads((AUTHHEADERS / "cases.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def authheaders_snapshot(table: dict[str, str | None]) -> dict[str, Any]:
    """The case DNS table as a snapshot: None = NXDOMAIN, "" = the name exists without TXT."""
    snapshot: dict[str, Any] = {}
    for name, value in table.items():
        key = name.rstrip(".").lower()
        if value is None:
            snapshot[key] = "NXDOMAIN"
        elif value == "":
            snapshot[key] = {}
        else:
            snapshot[key] = {"TXT": [[value.strip()]]}
    return snapshot


def _prior_dkim(header: str | None) -> tuple[DkimSignatureResult, ...]:
    out = []
    for index, (result, domain) in enumerate(re.findall(r"dkim=(\w+) header\.d=([^\s;]+)", header or "")):
        out.append(DkimSignatureResult(
            index=index, header_index=0, domain=domain, selector=None, algorithm=None, canonicalization=None,
            signed_headers=(), body_length=None, timestamp=None, expiration=None, key_bits=None,
            key_testing=False, result=result, reason="from prior Authentication-Results", reason_code="ok",
            aligned=None, aligned_strict=None))
    return tuple(out)


def _from_domains(raw: bytes) -> tuple[str, ...]:
    message = message_from_bytes(raw)
    addresses = getaddresses([str(v) for v in message.get_all("From", [])])
    return tuple(addr.rpartition("@")[2].lower() for _name, addr in addresses if "@" in addr)


def _expected(text: str) -> dict[str, str | None]:
    def field(pattern: str) -> str | None:
        match = re.search(pattern, text)
        return match.group(1) if match else None

    return {"result": field(r"dmarc=(\w+)"), "policy": field(r"policy\.dmarc=(\w+)"),
            "from": field(r"header\.from=([^\s;]+)")}


def _authheaders_cases() -> list[Any]:
    data = _authheaders()
    return [pytest.param(case, id=case["name"]) for case in data["cases"]]


def test_authheaders_has_13_cases() -> None:
    assert len(_authheaders()["cases"]) == 13


@pytest.mark.parametrize("case", _authheaders_cases())
def test_authheaders_case(case: dict[str, Any]) -> None:
    data = _authheaders()
    resolver = SnapshotResolver(authheaders_snapshot(data["dns"]))
    raw = (AUTHHEADERS / case["message"]).read_bytes()
    checks = case["checks"]
    expected = _expected(case["expected"])
    if checks.get("dmarc") is False:
        # DKIM-only cases: the signature must verify end to end.
        report = analyze(raw, resolver=resolver, now=NOW)
        assert [(s.domain, s.result) for s in report.dkim] == [("example.com", "pass")]
        return
    if checks.get("dkim") is False:
        result, _ = check_dmarc(resolver, from_domains=_from_domains(raw),
                                dkim=_prior_dkim(case["prev_authentication_results"]), spf=None, arc=None)
    else:
        dmarc = analyze(raw, resolver=resolver, now=NOW).dmarc
        assert dmarc is not None
        result = dmarc
    _compare_authheaders(case["name"], result, expected)


def _compare_authheaders(name: str, result: DmarcResult, expected: dict[str, str | None]) -> None:
    if name in AUTHHEADERS_RFC7489:
        assert result.rfc7489 is not None
        assert (result.rfc7489.result, result.rfc7489.record_domain) == AUTHHEADERS_RFC7489[name]
        assert result.tree_walk_note and "A receiver still on RFC 7489" in result.tree_walk_note
    assert result.result == expected["result"], result.explanation
    if expected["policy"] is not None:
        assert (result.policy or "none") == expected["policy"], result.policy_reason
    if expected["from"] not in (None, "none"):
        assert result.from_domain == expected["from"]


# rspamd: symbols -> (our result, our disposition); disposition None = not compared.
RSPAMD_SYMBOLS: dict[str, tuple[str, str | None]] = {
    "DMARC_POLICY_ALLOW": ("pass", None),
    "DMARC_POLICY_REJECT": ("fail", "reject"),
    "DMARC_POLICY_QUARANTINE": ("fail", "quarantine"),
    "DMARC_POLICY_SOFTFAIL": ("fail", "none"),
    "DMARC_NA": ("none", None),
    "DMARC_DNSFAIL": ("temperror", None),
    "DMARC_BAD_POLICY": ("permerror", None),
}


def rspamd_snapshot(config: str) -> dict[str, Any]:
    """rspamd's fake DNS records (one upstream config) in the snapshot format."""
    data = json.loads((RSPAMD / "dns_fake_records.json").read_text(encoding="utf-8"))
    snapshot: dict[str, Any] = {}
    nxdomain: set[str] = set()
    for record in data["records"]:
        if config not in record["_in"]:
            continue
        name, rdtype, rcode = record["name"].lower(), record["type"].upper(), record.get("rcode")
        if rcode == "nxdomain":
            nxdomain.add(name)
            continue
        entry = snapshot.setdefault(name, {})
        if rcode == "norec":
            entry.setdefault(rdtype, [])
        elif rcode == "timeout":
            entry[rdtype] = "TIMEOUT"
        else:
            replies = record["replies"]
            entry[rdtype] = [[r] for r in replies] if rdtype == "TXT" else list(replies)
    for name in nxdomain - set(snapshot):
        snapshot[name] = "NXDOMAIN"
    return snapshot


def _rspamd_cases() -> list[Any]:
    data = json.loads((RSPAMD / "cases.json").read_text(encoding="utf-8"))
    cases = []
    for case in data["cases"]:
        symbols = [e[1] for e in case["expect"] if e[1].startswith("DMARC_")]
        if symbols:
            cases.append(pytest.param(case, symbols[0], id=case["name"]))
    return cases


RSPAMD_CASES = _rspamd_cases()


def test_rspamd_dmarc_cases_found() -> None:
    # 18 in 115_dmarc.robot, one in 117_spf.robot that expects a DMARC symbol too.
    assert len(RSPAMD_CASES) == 19


# rspamd's expectations that encode RFC 7489 where RFC 9989 decides otherwise: they are checked
# against the RFC 7489 reading (``rfc7489``), and the RFC 9989 result beside it is the one named.
RSPAMD_RFC7489 = {
    # The From: domain my.mom.za.org publishes its own record and mom.za.org none: the tree walk
    # makes my.mom.za.org its own organisational domain (RFC 9989 section 4.10.2 rule 3), so the
    # parent's signature and SPF domain no longer align; the Public Suffix List said mom.za.org.
    # (No client IP: SPF is unevaluated for the DKIM case, so whether it passes is unknown.)
    "DMARC SUBDOMAIN PASS DKIM RELAXED ALIGNMENT": ("not_checked", None),
    "DMARC SUBDOMAIN PASS SPF RELAXED ALIGNMENT": ("fail", "reject"),
    # pct=0 is no RFC 9989 tag (appendix A.6): the policy applies as published.
    "DMARC PCT ZERO REJECT": ("fail", "reject"),
    "DMARC PCT ZERO SP QUARANTINE": ("fail", "quarantine"),
}


@pytest.mark.parametrize(("case", "symbol"), RSPAMD_CASES)
def test_rspamd_case(case: dict[str, Any], symbol: str) -> None:
    resolver = SnapshotResolver(rspamd_snapshot(case["dns_config"]))
    raw = (RSPAMD / case["message"]).read_bytes()
    params = case["params"]
    report = analyze(raw, resolver=resolver, now=NOW, client_ip=params.get("IP"),
                     mail_from=params.get("From"), helo=params.get("Helo"))
    dmarc = report.dmarc
    assert dmarc is not None
    result, disposition = RSPAMD_SYMBOLS[symbol]
    if case["name"] in RSPAMD_RFC7489:
        older = dmarc.rfc7489
        assert older is not None and (older.result, older.disposition) == (result, disposition or older.disposition)
        assert (dmarc.result, dmarc.disposition) == RSPAMD_RFC7489[case["name"]], dmarc.explanation
        assert dmarc.tree_walk_note and "A receiver still on RFC 7489" in dmarc.tree_walk_note
        return
    if result == "fail" and not params.get("IP") and not dmarc.dkim_aligned:
        # rspamd counts SPF without a client IP as not passing; RFC 7489 section 6.6.2 fails DMARC
        # only when no identifier can pass aligned, so an unevaluated SPF leaves it unknown,
        # with the policy that would apply.
        assert dmarc.result == "not_checked", f"{symbol}: {dmarc.explanation}"
        assert "SPF was not evaluated" in dmarc.explanation
        if disposition is not None:
            assert dmarc.policy == disposition or (dmarc.record is not None and dmarc.record.pct < 100)
        return
    assert dmarc.result == result, f"{symbol}: {dmarc.explanation}"
    if disposition is not None:
        assert dmarc.disposition == disposition, dmarc.explanation
    for expectation in case["expect"]:
        if expectation[0] == "Expect Symbol With Option":
            # The option rspamd prints is the evaluated From: domain.
            assert dmarc.from_domain == expectation[2]
    for forbidden in case["do_not_expect"]:
        if forbidden in RSPAMD_SYMBOLS:
            assert dmarc.result != RSPAMD_SYMBOLS[forbidden][0]


def test_authheaders_multi_from_unknown_outcomes_report_the_strictest_policy() -> None:
    # test.message_multi end to end: From: names example.org (p=none) and example.com
    # (p=reject); no client IP, so SPF and hence DMARC stay unknown for both. RFC 7489 section
    # 6.6.1: the strictest policy that may apply is example.com's reject, not the first domain's.
    data = _authheaders()
    raw = (AUTHHEADERS / "test.message_multi").read_bytes()
    report = analyze(raw, resolver=SnapshotResolver(authheaders_snapshot(data["dns"])), now=NOW)
    dmarc = report.dmarc
    assert dmarc is not None
    assert (dmarc.result, dmarc.from_domain, dmarc.policy) == ("not_checked", "example.com", "reject")
    assert "strictest policy among the domains that fail or may fail, so example.com" in dmarc.explanation
    assert "example.org: not_checked (p=none)" in dmarc.explanation
