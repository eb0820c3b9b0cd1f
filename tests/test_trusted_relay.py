"""--trusted-relay: the user declares hosts or networks its own receiving side (SpamAssassin's
trusted_networks), for an inbound gateway the headers and DNS cannot bind to the recipient:
Exchange Online Protection in front of on-premises Exchange (hybrid), an in-house filter. The
trust boundary moves past the hops the relay handed on, to its intake (hops.trusted_relay)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_eop_hybrid import (
    _AUTHOR,
    _EOP_RUN,
    _FORGED_STAMP,
    _ONPREM,
    FORGER_IP,
    GMAIL_IP,
    NOW,
    _dns,
    _eop_intake,
    _forgers_tenant,
    _genuine,
)

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.hops import trusted_relay
from headerscope.model import Report

REPO = Path(__file__).resolve().parent.parent


def _analyze(text: str, dns: dict[str, object], *relays: str) -> Report:
    return headerscope.analyze(("Return-Path: ceo@example.org\r\n" + text).encode(),
                               resolver=SnapshotResolver(dns), now=NOW, trusted_relays=relays)


def _trusted(report: Report) -> list[str]:
    return [f"{f.title} | {f.explanation}" for f in report.findings if f.id == "hops.trusted_relay"]


def test_a_hybrid_copy_behind_trusted_eop_reads_as_eops_intake_judged_it() -> None:
    report = _analyze(_genuine(), _dns(), "outlook.com")
    assert report.boundary_hop == 2
    assert report.verdict.status == "authenticated"
    assert report.spf is not None and report.spf.client_ip == GMAIL_IP and report.spf.result == "pass"
    [words] = _trusted(report)
    assert "outlook.com" in words and "from hop 5 to hop 2" in words
    assert "hop 5's client by the forward-confirmed reverse-DNS name mail-am6eur05on2110" in words
    assert "hop 4's client" in words and "hop 3's client" in words
    assert "hops 3-5 are your side's own relays" in words
    # The finding that said the boundary stays at the hand-over no longer holds, and the verdict
    # names the new boundary.
    assert "hops.gateway_unbound" not in {f.id for f in report.findings}
    assert "The trust boundary is hop 2" in report.verdict.summary
    assert report.options == (("trusted_relays", "outlook.com"),)


def test_without_the_option_nothing_moves() -> None:
    report = _analyze(_genuine(), _dns())
    assert report.boundary_hop == 5
    assert report.verdict.status == "spoofed"
    assert not _trusted(report)
    assert report.options == ()


def test_a_forgers_own_tenant_copy_still_reads_spoofed_behind_trusted_eop() -> None:
    # EOP's intake in the forger's tenant records the forger's real address; its own results
    # (spf=pass, dmarc=pass for a Google address the forger's Received line below names, through
    # Enhanced Filtering) do not outweigh SPF for the client EOP took the message from.
    report = _analyze(_forgers_tenant(), _dns(), "outlook.com")
    assert report.boundary_hop == 2
    assert report.spf is not None and report.spf.client_ip == FORGER_IP and report.spf.result == "fail"
    assert report.verdict.status == "spoofed"


def test_a_forger_greeting_eops_intake_with_an_eop_host_name_is_the_intake() -> None:
    # The greeting is the client's own text: at the intake, its address is outside the relay's
    # network, so the run stops there and nothing the forger wrote below is read.
    forged = (_ONPREM + _EOP_RUN + _eop_intake("DB1PEPF000509E9.eurprd03.prod.outlook.com", FORGER_IP, GMAIL_IP)
              + _FORGED_STAMP + _AUTHOR)
    report = _analyze(forged, _dns(), "outlook.com")
    assert report.boundary_hop == 2
    assert report.spf is not None and report.spf.client_ip == FORGER_IP
    assert report.verdict.status == "spoofed"


def test_a_forged_hop_below_a_submission_inside_the_trusted_service_is_not_read() -> None:
    # A customer of the shared service submitting its own message (MAPI, Exchange Web Services
    # with MIME content it wrote) with a made-up "intake" Received below: the run stops at the
    # submission and the boundary stays at the hand-over.
    submission = ("Received: from AM9PR04MB8555.eurprd04.prod.outlook.com ([fe80::1234:5678:9abc:def0]) by\r\n"
                  " AM9PR04MB8555.eurprd04.prod.outlook.com ([fe80::1234:5678:9abc:def0%6]) with mapi id\r\n"
                  " 15.20.7270.29; Tue, 3 Nov 2026 09:01:08 +0000\r\n")
    forged = (_ONPREM + _EOP_RUN.split("Received: from DB1PEPF")[0] + submission
              + _eop_intake("mail-wr1-f54.google.com", GMAIL_IP, GMAIL_IP) + _AUTHOR)
    report = _analyze(forged, _dns(), "outlook.com")
    assert report.boundary_hop == 4  # EOP's relay handing it to the on-premises server, as without the option
    assert report.verdict.status == "spoofed"
    [words] = _trusted(report)
    assert "the trust boundary stays there" in words and "hop 2 is a submission" in words


def test_a_relay_named_only_by_its_greeting_moves_nothing() -> None:
    # No PTR for EOP's relay: only its greeting ("EUR05-AM6-obe.outbound.protection.outlook.com")
    # names it, which any server can give itself.
    dns = _dns()
    del dns["110.18.47.104.in-addr.arpa"]
    report = _analyze(_genuine(), dns, "outlook.com")
    assert report.boundary_hop == 5
    assert report.verdict.status == "spoofed"
    assert not _trusted(report)


def test_networks_as_specs_walk_the_relays_addresses() -> None:
    report = _analyze(_genuine(), _dns(), "104.47.0.0/17", "2603:10a6::/32")
    assert report.boundary_hop == 2
    assert report.verdict.status == "authenticated"
    [words] = _trusted(report)
    assert "hop 5's client by its address 104.47.18.110" in words
    assert "hop 4's client by its address 2603:10a6:10:230::8" in words


def test_a_spec_that_leaves_the_relays_internal_hosts_out_says_so_and_moves_nothing() -> None:
    # The relay's own address only: its internal hop below (a client beside the receiver's own
    # address) matches nothing, which is no intake from another server.
    report = _analyze(_genuine(), _dns(), "104.47.18.110")
    assert report.boundary_hop == 5
    assert report.verdict.status == "spoofed"
    [words] = _trusted(report)
    assert "stays there" in words and "hop 4's client" in words and "on the relay's own network" in words


@pytest.mark.parametrize(("spec", "network", "domain"), [
    ("192.0.2.7", "192.0.2.7/32", None),
    ("192.0.2.0/24", "192.0.2.0/24", None),
    ("2001:db8::/32", "2001:db8::/32", None),
    ("Protection.Outlook.COM.", None, "protection.outlook.com"),
])
def test_specs_parse(spec: str, network: str | None, domain: str | None) -> None:
    relay = trusted_relay(spec)
    assert (str(relay.network) if relay.network else None, relay.domain) == (network, domain)


@pytest.mark.parametrize("spec", ["com", "*.example.com", "https://example.com/", "", "example..com"])
def test_bad_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="not an IP address"):
        trusted_relay(spec)


def _files(tmp_path: Path, text: str) -> Path:
    eml = tmp_path / "hybrid.eml"
    eml.write_bytes(("Return-Path: ceo@example.org\r\n" + text).encode())
    (tmp_path / "dns.json").write_text(json.dumps(_dns()))
    return eml


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "headerscope", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=120)


def test_analyze_takes_the_option_and_records_it(tmp_path: Path) -> None:
    eml = _files(tmp_path, _genuine())
    done = _run("analyze", str(eml), "--dns-snapshot", str(tmp_path / "dns.json"), "--now", NOW.isoformat(),
                "--format", "json", "--trusted-relay", "outlook.com", "--trusted-relay", "192.0.2.0/24")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["boundary_hop"] == 2
    assert report["verdict"]["status"] == "authenticated"
    assert report["options"]["trusted_relays"] == "outlook.com, 192.0.2.0/24"
    refused = _run("analyze", str(eml), "--offline", "--trusted-relay", "com")
    assert refused.returncode == 2 and "--trusted-relay" in refused.stderr


def test_scan_passes_the_option_to_its_workers(tmp_path: Path) -> None:
    _files(tmp_path, _genuine())
    (tmp_path / "forged.eml").write_bytes(("Return-Path: ceo@example.org\r\n" + _forgers_tenant()).encode())
    done = _run("scan", str(tmp_path / "hybrid.eml"), str(tmp_path / "forged.eml"), "--dns-snapshot",
                str(tmp_path / "dns.json"), "--now", NOW.isoformat(), "--format", "jsonl", "--jobs", "2",
                "--trusted-relay", "outlook.com")
    assert done.returncode == 0, done.stderr
    reports = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["boundary_hop"], r["verdict"]["status"]) for r in reports] == [(2, "authenticated"), (2, "spoofed")]
    assert all(r["options"]["trusted_relays"] == "outlook.com" for r in reports)


def test_a_greeting_carrying_a_by_clause_of_its_own_cannot_choose_the_receivers_address() -> None:
    # Exchange records the greeting verbatim in its from clause: a forger's "NAME by RECEIVER
    # (ADDRESS)" there, with an address beside its own, would put it on "the relay's network".
    helo = "DB1PEPF000509E9.eurprd03.prod.outlook.com by DB1PEPF000509E8.mail.protection.outlook.com (198.51.100.1)"
    forged = _ONPREM + _EOP_RUN + _eop_intake(helo, FORGER_IP, GMAIL_IP) + _FORGED_STAMP + _AUTHOR
    report = _analyze(forged, _dns(), "outlook.com")
    assert report.boundary_hop == 2
    assert report.spf is not None and report.spf.client_ip == FORGER_IP
    assert report.verdict.status == "spoofed"


def test_offline_a_forgers_tenant_record_behind_trusted_networks_raises_nothing() -> None:
    # Offline nothing is verified: the relay's recorded dmarc=pass (the forger's own tenant's,
    # Enhanced Filtering judging an address the forger's Received names) is quoted as the
    # receiving side's record, as a known gateway's is, but the status stays not checked.
    report = headerscope.analyze(("Return-Path: ceo@example.org\r\n" + _forgers_tenant()).encode(), offline=True,
                                 now=NOW, trusted_relays=("104.47.0.0/17", "2603:10a6::/32"))
    assert report.boundary_hop == 2
    assert report.verdict.status == "not_checked"
