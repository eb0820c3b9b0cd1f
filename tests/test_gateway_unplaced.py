"""A Microsoft 365 sender, through the recipient's third-party gateway, to the recipient's Exchange
Online tenant with Enhanced Filtering for Connectors, when no MX answer tells whether the service is
the recipient's gateway (hops.gateway_unplaced).

The chain is the real shape of a Chinese University of Hong Kong delivery kept by a bounce (public,
2024): Trend Micro Email Security's inpre01 and inpost in front of
cuhk-edu-hk.mail.protection.outlook.com. Exchange Online's own record, above its frontend's Received,
names the client it checked past the gateway: here one of Exchange Online Protection's outbound
relays, the sending tenant's. The same record comes from the recipient tenant's own mail looped out
through an inline service and back (verification V45e D1), where the relay is the recipient's: the
boundary must not move on it, and the verdict must not read "spoofed" on the gateway's address
either."""

from __future__ import annotations

from datetime import datetime, timezone

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)
RELAY = b"104.47.13.55"  # EUR04-HE1-obe.outbound.protection.outlook.com, in EOP's published 104.47.0.0/17

_EOP_TOP = (b"Return-Path: <alice@example.org>\r\n"
            b"Received: from AS9PR06CA0769.eurprd06.prod.outlook.com (2603:10a6:20b:484::24)\r\n"
            b" by AM7PR02MB5846.eurprd02.prod.outlook.com (2603:10a6:20b:107::10) with\r\n"
            b" Microsoft SMTP Server (version=TLS1_2,\r\n"
            b" cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.5612.19; Thu, 26 Nov\r\n"
            b" 2026 19:24:15 +0000\r\n")


def _eop_record(ip: bytes) -> bytes:
    """Exchange Online's Authentication-Results and Received-SPF for ``ip``, above its frontend."""
    return (b"Authentication-Results: spf=pass (sender IP is " + ip + b")\r\n"
            b" smtp.mailfrom=example.org; dkim=none (message not signed)\r\n"
            b" header.d=none;dmarc=pass action=none header.from=example.org;compauth=pass\r\n"
            b" reason=100\r\n"
            b"Received-SPF: Pass (protection.outlook.com: domain of example.org designates\r\n"
            b" " + ip + b" as permitted sender) receiver=protection.outlook.com;\r\n"
            b" client-ip=" + ip + b"; helo=EUR04-HE1-obe.outbound.protection.outlook.com; pr=C\r\n")


def _front(client: bytes = b"inpost.tmes.trendmicro.com (18.208.22.119)") -> bytes:
    return (b"Received: from " + client + b" by\r\n"
            b" HK2PEPF00006FB1.mail.protection.outlook.com (10.152.19.37) with Microsoft SMTP\r\n"
            b" Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
            b" 15.20.5612.13 via Frontend Transport; Thu, 26 Nov 2026 19:24:14 +0000\r\n")


_TMES = (b"Received: from 104.47.13.55_.trendmicro.com (unknown [192.168.197.243])\r\n"
         b"\tby inpost.tmes.trendmicro.com (Postfix) with SMTP id D9D521000030A\r\n"
         b"\tfor <info@cuhk.edu.hk>; Thu, 26 Nov 2026 19:24:13 +0000 (UTC)\r\n")


def _intake(client: bytes = b"EUR04-HE1-obe.outbound.protection.outlook.com (unknown [104.47.13.55])") -> bytes:
    return (b"Received: from " + client + b"\r\n"
            b"\tby inpre01.tmes.trendmicro.com (Trend Micro Email Security) with ESMTPS id 26D2C100003D8\r\n"
            b"\tfor <info@cuhk.edu.hk>; Thu, 26 Nov 2026 19:24:10 +0000 (UTC)\r\n")


_HEAD = (b"From: Alice Martin <alice@example.org>\r\nTo: <info@cuhk.edu.hk>\r\nSubject: Shipment report\r\n"
         b"Date: Thu, 26 Nov 2026 19:24:09 +0000\r\nMessage-ID: <20261126192409.A1@example.org>\r\n"
         b"\r\nHello,\r\n\r\nThe shipment report is attached.\r\n")
_GENUINE = _EOP_TOP + _eop_record(RELAY) + _front() + _TMES + _intake() + _HEAD


def _dns(mx: str | None = None) -> dict[str, object]:
    zone: dict[str, object] = {
        "example.org": {"TXT": [["v=spf1 include:spf.protection.outlook.com -all"]]},
        "spf.protection.outlook.com": {"TXT": [["v=spf1 ip4:104.47.0.0/17 ip4:40.107.0.0/16 ip4:20.176.0.0/14 -all"]]},
        "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject"]]},
        "119.22.208.18.in-addr.arpa": {"PTR": ["inpost.tmes.trendmicro.com."]},
        "inpost.tmes.trendmicro.com": {"A": ["18.208.22.119"]},
    }
    if mx is not None:
        zone["cuhk.edu.hk"] = {"MX": [f"10 {mx}."]}
    return zone


def _analyze(raw: bytes, mx: str | None = None) -> Report:
    return headerscope.analyze(raw, resolver=SnapshotResolver(_dns(mx)), now=NOW)


def _ids(report: Report) -> list[str]:
    return [f.id for f in report.findings]


def test_without_the_mx_the_gateways_hand_over_is_not_called_a_spoof() -> None:
    # It read SPOOFED: SPF and DMARC judged Trend Micro's address at Exchange Online's frontend, though
    # Exchange Online's own record shows it looked past Trend Micro to the sender's Microsoft 365 relay.
    report = _analyze(_GENUINE)
    assert report.boundary_hop == 3  # not moved: the record alone cannot tell a gateway from a loop
    assert report.spf is not None and report.spf.client_ip == "18.208.22.119"
    assert report.verdict.status == "unauthenticated", report.verdict
    summary = report.verdict.summary
    assert summary.startswith("Unauthenticated as far as can be told without the recipient domain's MX")
    assert "hop 3" in summary and "Run with DNS holding the recipient domain's MX" in summary
    [unplaced] = [f for f in report.findings if f.id == "hops.gateway_unplaced"]
    assert unplaced.subject == "hop 3" and "104.47.13.55" in unplaced.explanation
    assert "trendmicro.com" in unplaced.title
    # With the MX naming Trend Micro: its intake is the boundary, the relay's SPF passes.
    confirmed = _analyze(_GENUINE, "cuhk-edu-hk.in.tmes.trendmicro.com")
    assert confirmed.boundary_hop == 1 and "hops.gateway_unplaced" not in _ids(confirmed)
    assert confirmed.verdict.status == "authenticated"


def test_the_recipient_tenants_own_loop_still_reads_spoofed() -> None:
    # V45e D1's shape through a filtering service: a forger straight to the recipient tenant's frontend,
    # the tenant's mail out through its relay to an inline Trend Micro and back. Exchange Online's first
    # frontend, below the relay, took the message from the forger's address: the loop is shown.
    first_front = _front(b"mail.forger.example (203.0.113.66)").replace(b"HK2PEPF00006FB1", b"HK2PEPF00001A2B")
    tenant = (b"Received: from HK2PEPF00001A2B.apcprd03.prod.outlook.com (2603:1096:4:1a::24) by\r\n"
              b" TYZPR03MB1234.apcprd03.prod.outlook.com (2603:1096:400:33::10) with Microsoft SMTP\r\n"
              b" Server id 15.20.5612.13; Thu, 26 Nov 2026 19:24:09 +0000\r\n")
    raw = _EOP_TOP + _eop_record(RELAY) + _front() + _TMES + _intake() + tenant + first_front + _HEAD
    report = _analyze(raw)
    assert "hops.gateway_unplaced" not in _ids(report) and report.verdict.status == "spoofed"
    # The recipient's MX is its own tenant's (a loop, no gateway): nothing said, spoofed as before.
    own = _analyze(_GENUINE, "cuhk-edu-hk.mail.protection.outlook.com")
    assert "hops.gateway_unplaced" not in _ids(own) and own.verdict.status == "spoofed"


def test_a_forger_cannot_write_the_record_or_the_relay() -> None:
    # Straight to Exchange Online greeting as Trend Micro's egress, with a made-up Trend Micro run from a
    # Microsoft relay below: Exchange Online records the forger's own address as the client it checked.
    forged_front = _front(b"inpost.tmes.trendmicro.com (203.0.113.66)")
    raw = (_EOP_TOP + _eop_record(b"203.0.113.66").replace(b"spf=pass", b"spf=fail").replace(b"Pass (", b"Fail (")
           + forged_front + _TMES + _intake() + _HEAD)
    report = _analyze(raw)
    assert "hops.gateway_unplaced" not in _ids(report) and report.verdict.status == "spoofed"
    # The same with the record naming the relay written below the frontend's Received, among the
    # forger's own fields: not Exchange Online's word.
    raw = _EOP_TOP + forged_front + _eop_record(RELAY) + _TMES + _intake() + _HEAD
    report = _analyze(raw)
    assert "hops.gateway_unplaced" not in _ids(report) and report.verdict.status == "spoofed"


def test_only_eops_outbound_relays_and_the_services_own_intake_count() -> None:
    # A recorded address in Microsoft's wider networks (20.176.0.0/14, which Azure also rents out) is not
    # one of EOP's relays: the reading stands.
    azure = b"20.176.215.212"
    raw = _EOP_TOP + _eop_record(azure) + _front() + _TMES + _intake(
        b"EUR04-HE1-obe.outbound.protection.outlook.com (unknown [" + azure + b"])") + _HEAD
    report = _analyze(raw.replace(b"104.47.13.55_", azure + b"_"))
    assert "hops.gateway_unplaced" not in _ids(report) and report.verdict.status == "spoofed"
    # The relay recorded as the client of a hop that is not the service's intake (another hop below it).
    extra = (b"Received: from EUR04-HE1-obe.outbound.protection.outlook.com (unknown [104.47.13.55])\r\n"
             b"\tby relay.other.example (Postfix) with ESMTPS id 1A2B; Thu, 26 Nov 2026 19:24:09 +0000 (UTC)\r\n")
    raw = (_EOP_TOP + _eop_record(RELAY) + _front() + _TMES + _intake(b"relay.other.example (unknown [198.51.100.7])")
           + extra + _HEAD)
    report = _analyze(raw)
    assert "hops.gateway_unplaced" not in _ids(report) and report.verdict.status == "spoofed"
