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
    # EOP's relay by its address, in the outbound networks Microsoft publishes for Exchange Online
    # Protection; EOP's own hops by their addresses in Microsoft's networks.
    assert "hop 5's client by its address 104.47.18.110, in the networks the operator of outlook.com" in words
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
    # A client outside Microsoft's networks, with no PTR: only its greeting
    # ("EUR05-AM6-obe.outbound.protection.outlook.com") names EOP, which any server can give
    # itself. Nothing moves, and the report says why.
    text = _genuine().replace("(104.47.18.110)\r\n by EXCH02", f"({FORGER_IP})\r\n by EXCH02")
    report = _analyze(text, _dns(), "outlook.com")
    assert report.boundary_hop == 5
    assert report.verdict.status == "spoofed"
    [words] = _trusted(report)
    assert "could not be matched at hop 5" in words and "a greeting names nothing" in words


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
    assert "stays there" in words and "hop 4's client" in words and "beside the relay's own address" in words


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


# --- verification V59b -------------------------------------------------------------------------

# A company gateway (Exchange, "by NAME (ADDRESS)") at a hosting provider, handing to the mailbox
# server, which records the gateway's verified reverse-DNS name.
_GATEWAY_AUTHOR = _AUTHOR.replace("bob@example.com", "bob@corp.example")


def _gateway_copy(client_ip: str, gateway_ip: str) -> str:
    """The gateway's intake of ``client_ip``, which greets with the gateway's own name, and a
    forged "intake from Gmail" with a forged result below it."""
    return ("Received: from gw1.corpfilter.example (gw1.corpfilter.example [" + gateway_ip + "])\r\n"
            "\tby mail.corp.example (Postfix) with ESMTPS id 4XyzAbC1d2z9sT\r\n"
            "\tfor <bob@corp.example>; Tue,  3 Nov 2026 10:01:10 +0100 (CET)\r\n"
            f"Received: from gw1.corpfilter.example ({client_ip}) by\r\n"
            f" gw1.corpfilter.example ({gateway_ip}) with Microsoft SMTP Server id\r\n"
            " 15.2.1258.12; Tue, 3 Nov 2026 09:01:08 +0000\r\n"
            "Authentication-Results: gw1.corpfilter.example; spf=pass smtp.mailfrom=example.org; dmarc=pass "
            "header.from=example.org\r\n"
            f"Received: from mail-wr1-f54.google.com ({GMAIL_IP}) by\r\n"
            f" gw1.corpfilter.example ({client_ip}) with Microsoft SMTP Server id\r\n"
            " 15.2.1258.12; Tue, 3 Nov 2026 09:01:07 +0000\r\n" + _GATEWAY_AUTHOR)


def _gateway_dns(gateway_ip: str, ptr: str) -> dict[str, object]:
    dns = _dns()
    dns["corp.example"] = {"MX": ["10 gw1.corpfilter.example."]}
    dns["gw1.corpfilter.example"] = {"AAAA" if ":" in gateway_ip else "A": [gateway_ip]}
    dns[ptr] = {"PTR": ["gw1.corpfilter.example."]}
    return dns


@pytest.mark.parametrize(("client_ip", "gateway_ip", "ptr", "spec"), [
    ("203.0.113.77", "203.0.113.10", "10.113.0.203.in-addr.arpa", "gw1.corpfilter.example"),
    ("2a01:4f8:c0c:5678::77", "2a01:4f8:c17:1234::10",
     "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.3.2.1.7.1.c.0.8.f.4.0.1.0.a.2.ip6.arpa", "corpfilter.example"),
])
def test_a_greeting_from_the_relays_hosting_network_opens_no_forged_run(client_ip: str, gateway_ip: str, ptr: str,
                                                                       spec: str) -> None:
    # V59b D1-1: another customer of the gateway's hosting provider (same IPv4 /24, same IPv6 /32)
    # greets the gateway's intake with the gateway's own name. Its address is no specification's
    # and is public: the run stops there, and nothing it wrote below is read.
    report = _analyze(_gateway_copy(client_ip, gateway_ip), _gateway_dns(gateway_ip, ptr), spec)
    assert report.verdict.status == "spoofed"
    assert report.boundary_hop == 3
    assert report.spf is not None and report.spf.client_ip != GMAIL_IP


_A2_RUN = (
    "Received: from DU2PR04CA0123.eurprd04.prod.outlook.com (2603:10a6:10:230::8)\r\n"
    " by AM9PR04MB8555.eurprd04.prod.outlook.com (2603:10a6:20b:436::11) with\r\n"
    " Microsoft SMTP Server id 15.20.7270.29; Tue, 3 Nov 2026 09:01:08 +0000\r\n"
    + _eop_intake("mail-wr1-f54.google.com", GMAIL_IP, GMAIL_IP) + _AUTHOR.replace("bob@example.com", "bob@corp.example"))
_A2_SENDMAIL = (
    "Received: from mail-am6eur05on2110.outbound.protection.outlook.com (mail-am6eur05on2110.outbound.protection."
    f"outlook.com [{FORGER_IP}] (may be forged))\r\n\tby mx.corp.example (8.15.2/8.15.2) with ESMTPS id "
    "0A39180012345\r\n\tfor <bob@corp.example>; Tue, 3 Nov 2026 10:01:10 +0100\r\n")
_A2_QMAIL = (
    "Received: (qmail 12345 invoked from network); 3 Nov 2026 09:01:10 -0000\r\n"
    "Received: from mail-am6eur05on2110.outbound.protection.outlook.com (HELO EUR05-AM6-obe.outbound.protection."
    f"outlook.com) ({FORGER_IP})\r\n  by mx.corp.example with ESMTPS; 3 Nov 2026 09:01:10 -0000\r\n")


@pytest.mark.parametrize("boundary", [_A2_SENDMAIL, _A2_QMAIL], ids=["sendmail-may-be-forged", "qmail"])
@pytest.mark.parametrize("offline", [False, True])
def test_an_unverified_reverse_dns_name_does_not_match_a_trusted_relay(boundary: str, offline: bool) -> None:
    # V59b D1-2: the forger publishes a PTR for its own address naming an EOP relay (not resolving
    # back). sendmail marks it "(may be forged)"; qmail (tcpserver without -p) records it as is.
    dns = _dns()
    dns["corp.example"] = {"MX": ["10 mx.corp.example."]}
    dns["7.100.51.198.in-addr.arpa"] = {"PTR": ["mail-am6eur05on2110.outbound.protection.outlook.com."]}
    raw = ("Return-Path: ceo@example.org\r\n" + boundary + _A2_RUN).encode()
    report = (headerscope.analyze(raw, offline=True, now=NOW, trusted_relays=("outlook.com",)) if offline else
              headerscope.analyze(raw, resolver=SnapshotResolver(dns), now=NOW, trusted_relays=("outlook.com",)))
    assert report.boundary_hop == 3
    assert report.spf is not None and report.spf.client_ip == FORGER_IP
    assert report.verdict.status == ("not_checked" if offline else "spoofed")
    assert "at delivery" not in report.verdict.summary
    # V59b D3-1: the option was given and nothing moved: the report says so, and why.
    [words] = _trusted(report)
    assert "could not be matched at hop 3" in words
    assert ("no DNS answer" in words) == offline


def test_offline_a_hybrid_copy_behind_eop_is_matched_by_microsofts_published_networks() -> None:
    # V59b D3-1: on-premises Exchange records EOP's relay by its greeting and address only; offline
    # its address, in the outbound networks Microsoft publishes for EOP, matches outlook.com.
    raw = ("Return-Path: ceo@example.org\r\n" + _genuine()).encode()
    report = headerscope.analyze(raw, offline=True, now=NOW, trusted_relays=("outlook.com",))
    assert report.boundary_hop == 2
    [words] = _trusted(report)
    assert "from hop 5 to hop 2" in words


def test_a_forgers_own_tenant_arc_override_does_not_vouch_behind_trusted_eop() -> None:
    # V59b D1-3: the forger's own tenant lists the forger's domain as a trusted ARC sealer; its EOP
    # records dmarc=fail with compauth=pass reason=130 above its intake and relays the message to
    # the victim's on-premises server. A shared relay's records are what its customer configures:
    # not credited, headerscope's own checks decide.
    import dkim
    from conftest import CORPUS
    key = (CORPUS / "dkim" / "dkimpy" / "test.private").read_bytes()
    public = (CORPUS / "dkim" / "dkimpy" / "test.txt").read_text().strip()
    sealed = ("Authentication-Results: mx.forger.example; spf=pass smtp.mailfrom=example.org; dkim=none;"
              " dmarc=pass header.from=example.org\r\n"
              "Received: from mail-wr1-f54.google.com (mail-wr1-f54.google.com [209.85.221.54]) by mx.forger.example"
              " with ESMTPS id F1; Tue, 3 Nov 2026 09:01:05 +0000\r\n" + _AUTHOR).encode()
    sealed = b"".join(dkim.arc_sign(sealed, b"arc", b"forger.example", key, b"mx.forger.example",
                                    timestamp=1793696466)) + sealed
    intake = ("Authentication-Results: spf=fail (sender IP is 198.51.100.7)\r\n"
              " smtp.mailfrom=example.org; dkim=none (message not signed)\r\n"
              " header.d=none;dmarc=fail action=oreject header.from=example.org;compauth=pass\r\n"
              " reason=130\r\n"
              "Received: from mx.forger.example (198.51.100.7) by\r\n"
              " DB1PEPF000509E8.mail.protection.outlook.com (10.167.242.58) with Microsoft\r\n"
              " SMTP Server id 15.20.7270.12 via Frontend Transport; Tue, 3 Nov 2026 09:01:07 +0000\r\n")
    raw = ("Return-Path: ceo@example.org\r\n" + _ONPREM + _EOP_RUN + intake).encode() + sealed
    dns = _dns()
    dns["arc._domainkey.forger.example"] = {"TXT": [public]}
    report = headerscope.analyze(raw, resolver=SnapshotResolver(dns), now=NOW, trusted_relays=("outlook.com",))
    assert report.boundary_hop == 2
    assert report.spf is not None and report.spf.client_ip == FORGER_IP
    assert report.verdict.status == "spoofed"
    relays = [r for r in report.recorded if r.method in ("dmarc", "compauth")]
    assert relays and not any(r.trusted for r in relays)


# The sender's own hybrid: its on-premises server hands to its tenant's EOP intake (Microsoft
# records spf=fail for it: the sender's SPF lists Microsoft 365 only), whose outbound relay carries
# it to the recipient's tenant.
_SENDER_TENANT = (
    "Received: from CWLP123CA0086.GBRP123.PROD.OUTLOOK.COM (2603:10a6:401:5b::26)\r\n"
    " by DB8P195MB0677.EURP195.PROD.OUTLOOK.COM (2603:10a6:10:151::17) with\r\n"
    " Microsoft SMTP Server id 15.20.8489.19; Tue, 3 Nov 2026 09:01:05 +0000\r\n"
    "Received: from AM2PEPF0001C70E.eurprd05.prod.outlook.com\r\n"
    " (2603:10a6:401:5b:cafe::78) by CWLP123CA0086.outlook.office365.com\r\n"
    " (2603:10a6:401:5b::26) with Microsoft SMTP Server id 15.20.8489.21 via Frontend\r\n"
    " Transport; Tue, 3 Nov 2026 09:01:05 +0000\r\n"
    "Authentication-Results: spf=fail (sender IP is 198.51.100.189)\r\n"
    " smtp.mailfrom=partner.example; dkim=none (message not signed)\r\n"
    " header.d=none;dmarc=fail action=quarantine header.from=partner.example;\r\n"
    "Received: from Diagnostix.partner.example (198.51.100.189) by\r\n"
    " AM2PEPF0001C70E.mail.protection.outlook.com (10.167.16.202) with Microsoft\r\n"
    " SMTP Server id 15.20.8489.16 via Frontend Transport; Tue, 3 Nov 2026 09:01:04 +0000\r\n"
    "Received: from Florix.partner.example (172.25.0.13) by Diagnostix.partner.example\r\n"
    " (172.25.0.14) with Microsoft SMTP Server id 15.1.2507.44; Tue, 3 Nov 2026 10:01:03 +0100\r\n"
    + _AUTHOR.replace("ceo@example.org", "ceo@partner.example"))
_RECIPIENT_INTAKE = (
    "Authentication-Results: spf=pass (sender IP is 40.107.105.104)\r\n"
    " smtp.mailfrom=partner.example; dkim=none (message not signed)\r\n"
    " header.d=none;dmarc=pass action=none header.from=partner.example;compauth=pass\r\n"
    " reason=100\r\n"
    "Received: from EUR03-AM7-obe.outbound.protection.outlook.com (40.107.105.104) by\r\n"
    " DB1PEPF000509E8.mail.protection.outlook.com (10.167.242.58) with Microsoft\r\n"
    " SMTP Server id 15.20.8489.12 via Frontend Transport; Tue, 3 Nov 2026 09:01:06 +0000\r\n")


def test_hybrid_to_hybrid_stops_where_the_recipients_tenant_took_it_from_the_senders() -> None:
    # V59b D1-4: the run stops at the recipient tenant's EOP intake, whose client is the sender
    # tenant's outbound relay (another customer of the same service): SPF passes for it.
    dns = _dns()
    dns["partner.example"] = {"TXT": [["v=spf1 include:spf.protection.outlook.com -all"]]}
    dns["_dmarc.partner.example"] = {"TXT": [["v=DMARC1; p=quarantine"]]}
    dns["spf.protection.outlook.com"] = {"TXT": [["v=spf1 ip4:104.47.0.0/17 ip4:40.107.0.0/16 -all"]]}
    # The sender tenant's relay is forward-confirmed as EOP's, as any outbound relay is.
    dns["104.105.107.40.in-addr.arpa"] = {"PTR": ["mail-am7eur03on2104.outbound.protection.outlook.com."]}
    dns["mail-am7eur03on2104.outbound.protection.outlook.com"] = {"A": ["40.107.105.104"]}
    raw = ("Return-Path: ceo@partner.example\r\n" + _ONPREM + _EOP_RUN + _RECIPIENT_INTAKE + _SENDER_TENANT).encode()
    report = headerscope.analyze(raw, resolver=SnapshotResolver(dns), now=NOW, trusted_relays=("outlook.com",))
    assert report.boundary_hop == 5
    assert report.spf is not None and report.spf.client_ip == "40.107.105.104" and report.spf.result == "pass"
    assert report.verdict.status == "authenticated"
    [words] = _trusted(report)
    assert "from hop 8 to hop 5" in words


_AMAVIS_GATEWAY = (
    "Received: from mx1.corpfilter.example (mx1.corpfilter.example [198.51.100.10])\r\n"
    "\tby mail.corp.example (Postfix) with ESMTPS id 4XyzAbC1d2z9sT\r\n"
    "\tfor <bob@corp.example>; Tue,  3 Nov 2026 10:01:10 +0100 (CET)\r\n"
    "Received: from mx1.corpfilter.example (localhost [127.0.0.1])\r\n"
    "\tby mx1.corpfilter.example (Postfix) with ESMTP id 7B2C1A0123\r\n"
    "\tfor <bob@corp.example>; Tue,  3 Nov 2026 10:01:09 +0100 (CET)\r\n"
    "Received: from mx1.corpfilter.example ([127.0.0.1])\r\n"
    "\tby localhost (mx1.corpfilter.example [127.0.0.1]) (amavisd-new, port 10024)\r\n"
    "\twith ESMTP id aBcDeFgHiJkL for <bob@corp.example>;\r\n"
    "\tTue,  3 Nov 2026 10:01:08 +0100 (CET)\r\n"
    "Received: from mail-wr1-f54.google.com (mail-wr1-f54.google.com [209.85.221.54])\r\n"
    "\tby mx1.corpfilter.example (Postfix) with ESMTPS id 3F1A2A0099\r\n"
    "\tfor <bob@corp.example>; Tue,  3 Nov 2026 10:01:07 +0100 (CET)\r\n" + _GATEWAY_AUTHOR)


def test_an_amavis_stamp_on_the_loopback_address_is_inside_the_relays_host() -> None:
    # V59b D2-1: amavisd-new's "by localhost (...) (amavisd-new, port 10024)" is a hand-over
    # inside the gateway's own host: the run goes on to the gateway's intake.
    dns = _dns()
    dns["corp.example"] = {"MX": ["10 mail.corp.example."]}
    dns["10.100.51.198.in-addr.arpa"] = {"PTR": ["mx1.corpfilter.example."]}
    dns["mx1.corpfilter.example"] = {"A": ["198.51.100.10"]}
    report = _analyze(_AMAVIS_GATEWAY, dns, "corpfilter.example")
    assert report.boundary_hop == 1
    assert report.spf is not None and report.spf.client_ip == GMAIL_IP
    assert report.verdict.status == "authenticated"


def test_a_public_client_exchange_online_took_in_outside_its_intake_is_a_submission() -> None:
    # The organisation's own scanner or application sending through smtp.office365.com (SMTP AUTH,
    # whose stamp carries no submission word) from the office's address: Exchange Online takes mail
    # from outside at EOP's intake only, so this is a customer's submission, and nothing moves
    # (verification V63c D1-2: it read SPOOFED with the option, judged at the office's address).
    submission = ("Received: from [192.168.1.20] (203.0.113.45) by\r\n"
                  " DB1PEPF000509E8.eurprd03.prod.outlook.com (2603:10a6:10:230:cafe::5e) with Microsoft\r\n"
                  " SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
                  " 15.20.7270.12; Tue, 3 Nov 2026 09:01:07 +0000\r\n")
    text = _ONPREM + _EOP_RUN + submission + _AUTHOR
    without = _analyze(text, _dns())
    report = _analyze(text, _dns(), "outlook.com")
    assert report.boundary_hop == without.boundary_hop == 4
    assert report.verdict.status == without.verdict.status
    [words] = _trusted(report)
    assert "not at Exchange Online Protection's intake: a customer's own submission to Exchange Online" in words


# A forger's own text below Microsoft's record of its SMTP AUTH submission: the results EOP would
# write, and a Received line naming an Exchange Online host as the receiver, either an internal one
# or EOP's intake (the only way outside mail enters, which would end the walk as the intake).
_FORGED_RESULTS = ("Authentication-Results: spf=pass (sender IP is 209.85.221.54)\r\n"
                   " smtp.mailfrom=example.org; dkim=none (message not signed)\r\n"
                   " header.d=none;dmarc=pass action=none header.from=example.org;compauth=pass reason=100\r\n")
_FORGED_INTERNAL = ("Received: from mail-wr1-f54.google.com (209.85.221.54) by\r\n"
                    " AM9PR04MB8555.eurprd04.prod.outlook.com (2603:10a6:20b:436::11) with Microsoft\r\n"
                    " SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
                    " 15.20.7270.12; Tue, 3 Nov 2026 09:01:06 +0000\r\n")


@pytest.mark.parametrize("below", [_FORGED_INTERNAL, _FORGED_STAMP], ids=["forged-internal", "forged-intake"])
@pytest.mark.parametrize(("greeting", "client_ip"), [
    ("[10.0.0.4]", "2603:1030:20e:3::23"),  # an Azure machine's IPv6 address, in Microsoft's 2603:1000::/24
    ("[10.0.0.4]", "20.177.50.9"),  # an Azure machine's IPv4 address, in 20.176.0.0/14
    ("DM6PR11MB4444.namprd11.prod.outlook.com", "2603:1030:20e:3::23"),  # greeting as an Exchange Online host
])
def test_a_submission_from_an_azure_machine_opens_no_forged_run(greeting: str, client_ip: str, below: str) -> None:
    # A Microsoft 365 customer submitting by SMTP AUTH to smtp.office365.com from an Azure machine:
    # Microsoft's own stamp records the machine's address, which lies in Microsoft's wider
    # networks but is no Exchange Online host's (verification V63c D1-1: AUTHENTICATED with the
    # option, judged at the forged Gmail client below).
    submission = (f"Received: from {greeting} ({client_ip}) by\r\n"
                  " DB1PEPF000509E8.eurprd03.prod.outlook.com (2603:10a6:10:230:cafe::5e) with Microsoft\r\n"
                  " SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
                  " 15.20.7270.12; Tue, 3 Nov 2026 09:01:07 +0000\r\n")
    text = _ONPREM + _EOP_RUN + submission + _FORGED_RESULTS + below + _AUTHOR
    without = _analyze(text, _dns())
    report = _analyze(text, _dns(), "outlook.com")
    assert report.boundary_hop == without.boundary_hop == 5
    assert report.verdict.status == without.verdict.status == "spoofed"
    assert report.spf is not None and report.spf.client_ip != GMAIL_IP
    [words] = _trusted(report)
    assert "the boundary stays at hop 5" in words
    assert f"took the message from {client_ip}" in words


def test_exchange_onlines_internal_hosts_are_matched_beside_their_receivers_address() -> None:
    # The genuine hybrid copy: EOP's hops between its intake and its outbound relay record internal
    # hosts at addresses Microsoft does not publish (2603:10a6:10:230::8), in the same Microsoft /32
    # as the receiver's own; they are walked through to EOP's intake.
    report = _analyze(_genuine(), _dns(), "outlook.com")
    assert report.boundary_hop == 2 and report.verdict.status == "authenticated"
    [words] = _trusted(report)
    assert "hop 4's client by its address 2603:10a6:10:230::8, an Exchange Online host's in the same Microsoft /32" \
        in words
