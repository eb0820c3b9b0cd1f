"""Hybrid Exchange: the recipient domain's MX is Exchange Online Protection, which hands the message
through its own hosts to the organisation's on-premises Exchange. The trust boundary is EOP's
intake, not the on-premises edge taking it from EOP's outbound relay (verification V40f, D1). The
chain is the real shape of an Exchange Online inbound message (a REMnux post) followed by the
on-premises edge, Frontend Transport and Mailbox Transport hops of a real on-premises Exchange."""

from __future__ import annotations

from datetime import datetime, timezone

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report

NOW = datetime(2024, 11, 21, 12, 0, tzinfo=timezone.utc)
SENDER_IP = "150.60.232.67"
EOP_OUT_IP = "40.107.22.53"

_ONPREM = (
    b"Received: from EXMBX01.corp.mailonline.co.uk (10.18.126.90) by\r\n"
    b" EXMBX01.corp.mailonline.co.uk (10.18.126.90) with Microsoft SMTP Server\r\n"
    b" (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
    b" 15.2.1748.26 via Mailbox Transport; Thu, 21 Nov 2024 11:01:28 +0000\r\n"
    b"Received: from edge01.mailonline.co.uk (10.1.192.144) by\r\n"
    b" EXMBX01.corp.mailonline.co.uk (10.18.126.90) with Microsoft SMTP Server\r\n"
    b" (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
    b" 15.2.1748.26 via Frontend Transport; Thu, 21 Nov 2024 11:01:27 +0000\r\n")


def _edge(client_ip: str = EOP_OUT_IP) -> bytes:
    return (b"Received: from EUR05-DB8-obe.outbound.protection.outlook.com (" + client_ip.encode() + b") by\r\n"
            b" edge01.mailonline.co.uk (192.0.2.82) with Microsoft SMTP Server\r\n"
            b" (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
            b" 15.2.1748.26; Thu, 21 Nov 2024 11:01:26 +0000\r\n")


# EOP's own hops: its frontend (the tenant's MX host) hands the message on over IPv6.
_EOP_INTERNAL = (
    b"Received: from AM0PR10CA0051.EURPRD10.PROD.OUTLOOK.COM (2603:10a6:20b:150::31)\r\n"
    b" by DB9PR05MB10374.eurprd05.prod.outlook.com (2603:10a6:10:463::22) with\r\n"
    b" Microsoft SMTP Server (version=TLS1_2,\r\n"
    b" cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8158.23; Thu, 21 Nov\r\n"
    b" 2024 11:01:25 +0000\r\n"
    b"Received: from AM2PEPF0001C713.eurprd05.prod.outlook.com\r\n"
    b" (2603:10a6:20b:150:cafe::ec) by AM0PR10CA0051.outlook.office365.com\r\n"
    b" (2603:10a6:20b:150::31) with Microsoft SMTP Server (version=TLS1_2,\r\n"
    b" cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8182.15 via Frontend\r\n"
    b" Transport; Thu, 21 Nov 2024 11:01:25 +0000\r\n")
_EOP_RESULTS = (
    b"Authentication-Results: spf=pass (sender IP is 150.60.232.67)\r\n"
    b" smtp.mailfrom=720901.com; dkim=none (message not signed)\r\n"
    b" header.d=none;dmarc=bestguesspass action=none\r\n"
    b" header.from=720901.com;compauth=pass reason=109\r\n"
    b"Received-SPF: Pass (protection.outlook.com: domain of 720901.com designates\r\n"
    b" 150.60.232.67 as permitted sender) receiver=protection.outlook.com;\r\n"
    b" client-ip=150.60.232.67; helo=mta.ham1002.secure.ne.jp; pr=C\r\n")


def _frontend(client: bytes = b"mta.ham1002.secure.ne.jp (150.60.232.67)") -> bytes:
    return (b"Received: from " + client + b" by\r\n"
            b" AM2PEPF0001C713.mail.protection.outlook.com (10.167.16.183) with Microsoft\r\n"
            b" SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8182.16\r\n"
            b" via Frontend Transport; Thu, 21 Nov 2024 11:01:24 +0000\r\n")


_SENDER = (
    b"Received: from ham1002.secure.ne.jp (localhost [127.0.0.1])\r\n"
    b"\tby mta.ham1002.secure.ne.jp (Postfix) with SMTP id 05EC1520D1E\r\n"
    b"\tfor <ed.riley@mailonline.co.uk>; Thu, 21 Nov 2024 20:01:22 +0900 (JST)\r\n")
_MESSAGE = (
    b"From: Payroll <kuma@720901.com>\r\n"
    b"To: <ed.riley@mailonline.co.uk>\r\n"
    b"Subject: test\r\n"
    b"Message-Id: <20241121110122.05EC1520D1E@mta.ham1002.secure.ne.jp>\r\n"
    b"Date: Thu, 21 Nov 2024 20:01:22 +0900 (JST)\r\n"
    b"Return-Path: kuma@720901.com\r\n"
    b"X-Microsoft-Antispam:\r\n BCL:0;ARA:13230040|12012899012;\r\n"
    b"X-Forefront-Antispam-Report:\r\n"
    b" CIP:150.60.232.67;CTRY:JP;LANG:el;SCL:5;SRV:;IPV:NLI;SFV:SPM;H:mta.ham1002.secure.ne.jp;"
    b"PTR:ham1002.secure.ne.jp;CAT:SPM;SFS:(13230040);DIR:INB;\r\n"
    b"\r\n"
    b"Body.\r\n")

HYBRID = _ONPREM + _edge() + _EOP_INTERNAL + _EOP_RESULTS + _frontend() + _SENDER + _MESSAGE


def _dns(mx: str = "0 mailonline-co-uk.mail.protection.outlook.com.", ptr: bool = True) -> dict[str, object]:
    zone: dict[str, object] = {
        "mailonline.co.uk": {"MX": [mx]},
        "720901.com": {"TXT": [["v=spf1 ip4:150.60.232.0/24 ~all"]]},
        "_dmarc.720901.com": {"TXT": []},
    }
    if ptr:
        zone["53.22.107.40.in-addr.arpa"] = {"PTR": ["mail-db8eur05on2053.outbound.protection.outlook.com."]}
        zone["mail-db8eur05on2053.outbound.protection.outlook.com"] = {"A": [EOP_OUT_IP]}
    return zone


def _analyze(raw: bytes, dns: dict[str, object] | None) -> Report:
    if dns is None:
        return headerscope.analyze(raw, offline=True, now=NOW)
    return headerscope.analyze(raw, resolver=SnapshotResolver(dns), now=NOW)


def _edge_number(report: Report) -> int:
    return next(h.number for h in report.hops if (h.fields.by or "").startswith("edge01."))


def test_eop_as_the_mx_in_front_of_on_premises_exchange_is_the_boundary() -> None:
    for ptr in (True, False):  # FCrDNS of the outbound relay, or its address in EOP's published networks
        report = _analyze(HYBRID, _dns(ptr=ptr))
        frontend = next(h for h in report.hops if (h.fields.by or "").endswith(".mail.protection.outlook.com"))
        assert report.boundary_hop == frontend.number, (ptr, report.boundary_hop)
        assert any(f.id == "hops.inbound_gateway" for f in report.findings)
        assert report.spf is not None and report.spf.client_ip == SENDER_IP and report.spf.result == "pass"
        # EOP's records and its report are the receiving organisation's own.
        assert all(r.trusted for r in report.recorded if r.header in ("Authentication-Results", "Received-SPF"))
        [forefront] = [s for s in report.spam_filters if s.header == "X-Forefront-Antispam-Report"]
        assert forefront.trusted


def test_without_an_mx_at_eop_the_on_premises_edge_stays_the_boundary() -> None:
    for dns in (None, _dns(mx="10 mx.mailonline.co.uk."), _dns(mx="0 outlook-com.olc.protection.outlook.com.")):
        report = _analyze(HYBRID, dns)
        assert report.boundary_hop == _edge_number(report)
        assert not any(f.id == "hops.inbound_gateway" for f in report.findings)


def test_a_forger_greeting_as_eops_relay_moves_nothing() -> None:
    # A direct sender, not at Microsoft's address, greeting as EOP's outbound relay above a made-up
    # EOP chain whose "frontend" names a client of its choice.
    raw = _ONPREM + _edge("185.12.34.56") + _EOP_INTERNAL + _EOP_RESULTS + _frontend() + _SENDER + _MESSAGE
    report = _analyze(raw, _dns())
    assert report.boundary_hop == _edge_number(report)
    assert report.spf is not None and report.spf.client_ip == "185.12.34.56"


# A Microsoft 365 tenant's own submission (Outlook's "with mapi" stamp, then HTTPS) above lines it wrote.
_TENANT_MAPI = (
    b"Received: from AM0PR10MB3411.EURPRD10.PROD.OUTLOOK.COM (2603:10a6:20b:150::31)\r\n"
    b" by DB9PR05MB10374.eurprd05.prod.outlook.com (2603:10a6:10:463::22) with\r\n"
    b" Microsoft SMTP Server (version=TLS1_2,\r\n"
    b" cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8158.23; Thu, 21 Nov\r\n"
    b" 2024 11:01:25 +0000\r\n"
    b"Received: from AM0PR10MB3411.EURPRD10.PROD.OUTLOOK.COM\r\n"
    b" ([fe80::5d6c:4c2e:9e1b:2f40]) by AM0PR10MB3411.EURPRD10.PROD.OUTLOOK.COM\r\n"
    b" ([fe80::5d6c:4c2e:9e1b:2f40%6]) with mapi id 15.20.8158.023; Thu, 21 Nov 2024\r\n"
    b" 11:01:25 +0000\r\n")
_TENANT_HTTPS = (
    b"Received: from AM0PR10MB3411.EURPRD10.PROD.OUTLOOK.COM (2603:10a6:20b:150::31)\r\n"
    b" by DB9PR05MB10374.eurprd05.prod.outlook.com with HTTPS; Thu, 21 Nov 2024\r\n"
    b" 11:01:25 +0000\r\n")


def test_a_tenants_forged_lines_below_its_submission_move_nothing() -> None:
    # Genuine: EOP's outbound relay at its own address, the tenant's submission stamp. Forged
    # (the sending tenant's text): an EOP frontend taking it from an address of its choice.
    for submission in (_TENANT_MAPI, _TENANT_HTTPS):
        raw = _ONPREM + _edge() + submission + _EOP_RESULTS + _frontend() + _SENDER + _MESSAGE
        report = _analyze(raw, _dns())
        assert report.boundary_hop == _edge_number(report), submission
        assert not any(f.id == "hops.inbound_gateway" for f in report.findings)
        assert report.spf is not None and report.spf.client_ip == EOP_OUT_IP
