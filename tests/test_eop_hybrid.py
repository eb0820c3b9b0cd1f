"""Exchange Online Protection in front of an organisation's own Exchange server (hybrid, or
standalone EOP): the recipient domain's MX is *.mail.protection.outlook.com and EOP's outbound
relay hands the message to the on-premises server. EOP serves every Microsoft 365 tenant, and any
tenant can deliver to that server from the same relays, so nothing binds the hops below the
hand-over to the recipient's tenant: the boundary and the verdict stay where they were, and the
words say what is known (verification V57b D1-1, hops.gateway_unbound)."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

import headerscope
from headerscope.cli import main
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report

NOW = datetime(2026, 11, 3, 10, tzinfo=timezone.utc)
EOP_RELAY_IP = "104.47.18.110"
GMAIL_IP = "209.85.221.54"
FORGER_IP = "198.51.100.7"

# The on-premises organisation's hops above EOP's hand-over (Exchange 2019: Frontend Transport,
# then the mailbox server), as V57b's rebuilt hybrid copy has them.
_ONPREM = (
    "Received: from EXCH01.corp.example.com (10.1.0.21) by EXCH02.corp.example.com\r\n"
    " (10.1.0.22) with Microsoft SMTP Server (version=TLS1_2,\r\n"
    " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1258.12 via Mailbox\r\n"
    " Transport; Tue, 3 Nov 2026 10:01:10 +0100\r\n"
    "Received: from EXCH02.corp.example.com (10.1.0.22) by EXCH01.corp.example.com\r\n"
    " (10.1.0.21) with Microsoft SMTP Server (version=TLS1_2,\r\n"
    " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1258.12; Tue, 3 Nov\r\n"
    " 2026 10:01:09 +0100\r\n"
    "Received: from EUR05-AM6-obe.outbound.protection.outlook.com (104.47.18.110)\r\n"
    " by EXCH02.corp.example.com (10.1.0.22) with Microsoft SMTP Server\r\n"
    " (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
    " 15.2.1258.12 via Frontend Transport; Tue, 3 Nov 2026 10:01:09 +0100\r\n")
# EOP's own hops between its intake and its outbound relay (public 2603:10a6:: addresses).
_EOP_RUN = (
    "Received: from DU2PR04CA0123.eurprd04.prod.outlook.com (2603:10a6:10:230::8)\r\n"
    " by AM9PR04MB8555.eurprd04.prod.outlook.com (2603:10a6:20b:436::11) with\r\n"
    " Microsoft SMTP Server (version=TLS1_2,\r\n"
    " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7270.29; Tue, 3 Nov\r\n"
    " 2026 09:01:08 +0000\r\n"
    "Received: from DB1PEPF000509E8.eurprd03.prod.outlook.com\r\n"
    " (2603:10a6:10:230:cafe::5e) by DU2PR04CA0123.outlook.office365.com\r\n"
    " (2603:10a6:10:230::8) with Microsoft SMTP Server (version=TLS1_2,\r\n"
    " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7270.29 via Frontend\r\n"
    " Transport; Tue, 3 Nov 2026 09:01:08 +0000\r\n")


def _eop_intake(client_name: str, client_ip: str, spf_ip: str) -> str:
    """EOP's results and its intake Received: ``spf_ip`` is the client its SPF judged (another than
    the connecting one under Enhanced Filtering for Connectors, which reads it from the Received
    lines below, the sender's own)."""
    return (f"Authentication-Results: spf=pass (sender IP is {spf_ip})\r\n"
            " smtp.mailfrom=example.org; dkim=none (message not signed)\r\n"
            " header.d=none;dmarc=pass action=none header.from=example.org;compauth=pass\r\n"
            " reason=100\r\n"
            "Received-SPF: Pass (protection.outlook.com: domain of example.org designates\r\n"
            f" {spf_ip} as permitted sender) receiver=protection.outlook.com;\r\n"
            f" client-ip={spf_ip}; helo=mail-wr1-f54.google.com; pr=C\r\n"
            f"Received: from {client_name} ({client_ip}) by\r\n"
            " DB1PEPF000509E8.mail.protection.outlook.com (10.167.242.58) with Microsoft\r\n"
            " SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
            " 15.20.7270.12 via Frontend Transport; Tue, 3 Nov 2026 09:01:07 +0000\r\n")


_GMAIL_STAMP = ("Received: by mail-wr1-f54.google.com with SMTP id ffacd0b85a97d-3f4a2b1c8d9so1234567f8f.2\r\n"
                "        for <bob@example.com>; Tue, 03 Nov 2026 01:01:06 -0800 (PST)\r\n")
# A forger's own line, written below its tenant's intake, that Enhanced Filtering reads.
_FORGED_STAMP = ("Received: from mail-wr1-f54.google.com (209.85.221.54) by\r\n"
                 " DB1PEPF000509E8.mail.protection.outlook.com (10.167.242.58) with Microsoft\r\n"
                 " SMTP Server id 15.20.7270.12 via Frontend Transport; Tue, 3 Nov 2026 09:01:06 +0000\r\n")
_AUTHOR = ("From: \"CEO Example\" <ceo@example.org>\r\n"
           "Date: Tue, 3 Nov 2026 10:01:00 +0100\r\n"
           "Message-ID: <CAF=abcd1234efgh5678ijkl@mail.gmail.com>\r\n"
           "Subject: board minutes\r\n"
           "To: bob@example.com\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=\"UTF-8\"\r\n"
           "X-MS-Exchange-Organization-AuthAs: Anonymous\r\n"
           "X-MS-Exchange-CrossTenant-FromEntityHeader: Internet\r\n"
           "\r\n"
           "wire now\r\n")


def _dns(mx: str = "0 example-com.mail.protection.outlook.com.", sender_spf: str = "v=spf1 ip4:209.85.128.0/17 -all"
         ) -> dict[str, object]:
    return {
        "example.org": {"TXT": [[sender_spf]], "MX": ["10 mx.example.org."]},
        "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject; adkim=r; aspf=r"]]},
        "example.com": {"MX": [mx], "TXT": [["v=spf1 include:spf.protection.outlook.com -all"]]},
        "spf.protection.outlook.com": {"TXT": [["v=spf1 ip4:104.47.0.0/17 -all"]]},
        "110.18.47.104.in-addr.arpa": {"PTR": ["mail-am6eur05on2110.outbound.protection.outlook.com."]},
        "mail-am6eur05on2110.outbound.protection.outlook.com": {"A": [EOP_RELAY_IP]},
        "54.221.85.209.in-addr.arpa": {"PTR": ["mail-wr1-f54.google.com."]},
        "mail-wr1-f54.google.com": {"A": [GMAIL_IP]},
    }


def _analyze(text: str, dns: dict[str, object]) -> Report:
    return headerscope.analyze(("Return-Path: ceo@example.org\r\n" + text).encode(),
                               resolver=SnapshotResolver(dns), now=NOW)


def _genuine() -> str:
    return _ONPREM + _EOP_RUN + _eop_intake("mail-wr1-f54.google.com", GMAIL_IP, GMAIL_IP) + _GMAIL_STAMP + _AUTHOR


def _forgers_tenant() -> str:
    """A forger's own Microsoft 365 tenant, with an inbound connector from its own server
    (Enhanced Filtering on, so EOP's SPF judges the Google address the forger's line names) and an
    outbound connector pointed at the recipient's on-premises server: EOP's hops and relay are the
    same as the recipient tenant's; only the client of EOP's intake differs."""
    return (_ONPREM + _EOP_RUN + _eop_intake("mx.forger.example", FORGER_IP, GMAIL_IP) + _FORGED_STAMP + _AUTHOR)


def _ids(report: Report) -> set[str]:
    return {f.id for f in report.findings}


def test_a_hybrid_copy_says_eops_record_is_there_but_cannot_be_tied_to_the_tenant() -> None:
    report = _analyze(_genuine(), _dns())
    [unbound] = [f for f in report.findings if f.id == "hops.gateway_unbound"]
    assert unbound.subject == "hop 5"
    assert "example-com.mail.protection.outlook.com" in unbound.explanation
    assert f"hop 2 from {GMAIL_IP}" in unbound.explanation
    assert "X-MS-Exchange-CrossTenant-Id" in unbound.explanation
    assert "any tenant, a forger's own too" in unbound.explanation
    # And what the user can say that the headers cannot (tests/test_trusted_relay.py).
    assert "--trusted-relay outlook.com" in unbound.explanation
    # Nothing moves on it: the boundary stays at EOP's hand-over, the verdict keeps its status
    # and says what SPF judged.
    assert report.boundary_hop == 5
    assert "hops.inbound_gateway" not in _ids(report)
    assert report.verdict.status == "spoofed"
    assert "hops.gateway_unbound" in report.verdict.summary
    assert "Exchange Online Protection's relay" in report.verdict.summary


def test_a_forgers_own_tenant_copy_reads_no_better_than_the_genuine_copy() -> None:
    # The forger's tenant's EOP records spf=pass and dmarc=pass for a Google address the forger's
    # own Received line names (Enhanced Filtering): still not the receiver's record, boundary at
    # the hand-over, SPF judged for EOP's relay, spoofed, as before the finding existed.
    report = _analyze(_forgers_tenant(), _dns())
    assert report.boundary_hop == 5
    assert report.verdict.status == "spoofed"
    assert report.verdict.authenticated_domain is None
    assert report.spf is not None and report.spf.client_ip == EOP_RELAY_IP and report.spf.result == "fail"
    assert not any(r.trusted for r in report.recorded if r.method in ("spf", "dmarc"))
    assert "hops.gateway_unbound" in _ids(report)


def test_a_forgers_tenant_copy_for_a_sender_listing_microsoft_365_stays_as_it_was() -> None:
    # The sender's SPF record lists Microsoft 365: SPF passes for EOP's relay whichever tenant
    # used it (as before); the finding says that a pass means only that.
    dns = _dns(sender_spf="v=spf1 include:spf.protection.outlook.com -all")
    report = _analyze(_forgers_tenant(), dns)
    assert report.boundary_hop == 5
    assert report.spf is not None and report.spf.client_ip == EOP_RELAY_IP
    [unbound] = [f for f in report.findings if f.id == "hops.gateway_unbound"]
    assert "a pass says only that it lists Microsoft 365" in unbound.explanation


def test_a_relay_name_given_only_as_a_greeting_from_another_address_says_nothing() -> None:
    # A direct sender greeting as EOP's relay from its own address (no PTR, not EOP's network).
    text = _genuine().replace("(104.47.18.110)\r\n by EXCH02", f"({FORGER_IP})\r\n by EXCH02")
    report = _analyze(text, _dns())
    assert "hops.gateway_unbound" not in _ids(report)
    assert report.boundary_hop == 5
    assert "hops.gateway_unbound" not in report.verdict.summary


def test_no_finding_when_the_recipients_mx_is_not_exchange_online_protection() -> None:
    report = _analyze(_genuine(), _dns(mx="10 mx.example.com."))
    assert "hops.gateway_unbound" not in _ids(report)
    assert report.boundary_hop == 5


def test_no_finding_offline() -> None:
    raw = ("Return-Path: ceo@example.org\r\n" + _genuine()).encode()
    report = headerscope.analyze(raw, offline=True, now=NOW)
    assert "hops.gateway_unbound" not in _ids(report)


def test_the_cli_reads_the_finding_from_a_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The same chain through the CLI and a snapshot file, as the verification ran it.

    message = tmp_path / "hybrid.eml"
    message.write_bytes(("Return-Path: ceo@example.org\r\n" + _genuine()).encode())
    snapshot = tmp_path / "hybrid.dns.json"
    snapshot.write_text(json.dumps(_dns()))
    with contextlib.suppress(SystemExit):
        main(["analyze", str(message), "--dns-snapshot", str(snapshot), "--format", "json",
              "--now", "2026-11-03T10:00:00Z"])
    out = json.loads(capsys.readouterr().out)
    assert "hops.gateway_unbound" in {f["id"] for f in out["findings"]}
    assert out["boundary_hop"] == 5 and out["verdict"]["status"] == "spoofed"
