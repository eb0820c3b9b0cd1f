"""Barracuda Email Gateway Defense in front of Exchange Online, and Exchange Online's Enhanced
Filtering for Connectors (skip listing), on real chains (verification V44e, defects 1 and 3).

Barracuda's intake hosts are *.ess.aws.cudaops.com, its egress hosts *.ess.<region>.barracuda.com
and its customers' MX *.ess.barracudanetworks.com: one operator under three domains. The chain
below is an Office 365 DSN's copy of a real delivery (public, V44e), with the sender's hop and
headers replaced by example.org's at 192.0.2.25 for the genuine variant."""

from __future__ import annotations

from datetime import datetime, timezone

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.hops import host_organization
from headerscope.model import Finding, Report

NOW = datetime(2022, 9, 11, tzinfo=timezone.utc)

# Exchange Online's own hops above its frontend, as the real copy has them.
_EOP_TOP = (
    b"Received: from AS9PR06CA0769.eurprd06.prod.outlook.com (2603:10a6:20b:484::24)\r\n"
    b" by AM7PR02MB5846.eurprd02.prod.outlook.com (2603:10a6:20b:107::10) with\r\n"
    b" Microsoft SMTP Server (version=TLS1_2,\r\n"
    b" cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.5612.19; Sat, 10 Sep\r\n"
    b" 2022 01:05:15 +0000\r\n"
    b"Received: from VE1EUR03FT013.eop-EUR03.prod.protection.outlook.com\r\n"
    b" (2603:10a6:20b:484:cafe::cb) by AS9PR06CA0769.outlook.office365.com\r\n"
    b" (2603:10a6:20b:484::24) with Microsoft SMTP Server (version=TLS1_2,\r\n"
    b" cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.5612.13 via Frontend\r\n"
    b" Transport; Sat, 10 Sep 2022 01:05:15 +0000\r\n")
# Exchange Online's frontend taking the message from Barracuda's egress host.
_EOP_FRONT = (
    b"Received: from egress-ip15b.ess.uk.barracuda.com (35.176.92.116) by\r\n"
    b" VE1EUR03FT013.mail.protection.outlook.com (10.152.19.37) with Microsoft SMTP\r\n"
    b" Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
    b" 15.20.5612.13 via Frontend Transport; Sat, 10 Sep 2022 01:05:14 +0000\r\n")
# Barracuda's intake (its Received as the real copy has it, the client example.org's).
_BARRACUDA_INTAKE = (
    b"Received: from mail.example.org (mail.example.org [192.0.2.25]) by"
    b" mx-inbound22-18.eu-west-2b.ess.aws.cudaops.com (version=TLSv1.2"
    b" cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NO); Sat, 10 Sep 2022 01:05:05 +0000\r\n")
_AUTHOR = (b"From: \"Alice Example\" <alice@example.org>\r\n"
           b"Subject: Contract draft for review\r\n"
           b"To: \"info\" <info@morgansolicitors.com>\r\n"
           b"Content-Type: text/plain; charset=UTF-8\r\n"
           b"MIME-Version: 1.0\r\n"
           b"Date: Sat, 10 Sep 2022 01:05:03 +0000\r\n"
           b"Message-ID: <20220910010503.1234@mail.example.org>\r\n"
           b"X-BESS-ID: 1662771905-205650-5378-26572-1\r\n"
           b"X-BESS-Apparent-Source-IP: 192.0.2.25\r\n"
           b"Received-SPF: pass (mx-inbound22-18.eu-west-2b.ess.aws.cudaops.com: domain of alice@example.org"
           b" designates 192.0.2.25 as permitted sender)\r\n"
           b"Return-Path: alice@example.org\r\n"
           b"X-EOPAttributedMessage: 0\r\n"
           b"X-MS-PublicTrafficType: Email\r\n")
_BODY = b"\r\nHello,\r\n\r\nplease find the draft attached.\r\n"
# Exchange Online's record of the gateway's address (no Enhanced Filtering), as in the real copy.
_EOP_CHECKED_GATEWAY = (
    b"Authentication-Results: spf=fail (sender IP is 35.176.92.116)\r\n"
    b" smtp.mailfrom=example.org; dkim=none (message not signed)\r\n"
    b" header.d=none;dmarc=fail action=oreject header.from=example.org;\r\n"
    b"Received-SPF: Fail (protection.outlook.com: domain of example.org does not\r\n"
    b" designate 35.176.92.116 as permitted sender)\r\n")


def _eop_checked(ip: bytes) -> bytes:
    """Exchange Online's Authentication-Results and Received-SPF for a pass from ``ip``: what it writes
    with Enhanced Filtering for Connectors, having looked past the gateway to the sender's server."""
    return (b"Authentication-Results: spf=pass (sender IP is " + ip + b")\r\n"
            b" smtp.mailfrom=example.org; dkim=none (message not signed)\r\n"
            b" header.d=none;dmarc=pass action=none header.from=example.org;compauth=pass\r\n"
            b" reason=100\r\n"
            b"Received-SPF: Pass (protection.outlook.com: domain of example.org designates\r\n"
            b" " + ip + b" as permitted sender) receiver=protection.outlook.com;\r\n"
            b" client-ip=" + ip + b"; helo=mail.example.org; pr=C\r\n")


# Exchange Online's fields naming the original client (real shape: "ip=[20.222.87.207];domain=User").
_SKIP_LISTED = (b"X-MS-Exchange-SkipListedInternetSender: ip=[192.0.2.25];domain=mail.example.org\r\n"
                b"X-MS-Exchange-ExternalOriginalInternetSender: ip=[192.0.2.25];domain=mail.example.org\r\n")


def _message(results: bytes, skip_listed: bytes = b"", front: bytes = _EOP_FRONT,
             intake: bytes = _BARRACUDA_INTAKE) -> bytes:
    return _EOP_TOP + results + front + intake + _AUTHOR + skip_listed + _BODY


def _dns(mx: bool = True) -> dict[str, object]:
    zone: dict[str, object] = {
        "116.92.176.35.in-addr.arpa": {"PTR": ["egress-ip15b.ess.uk.barracuda.com."]},
        "egress-ip15b.ess.uk.barracuda.com": {"A": ["35.176.92.116"]},
        "example.org": {"TXT": [["v=spf1 ip4:192.0.2.25 -all"]], "MX": ["10 mail.example.org."]},
        "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject"]]},
        "25.2.0.192.in-addr.arpa": {"PTR": ["mail.example.org."]},
        "mail.example.org": {"A": ["192.0.2.25"]},
    }
    if mx:
        # The MX shape of Barracuda's customers (a public test fixture's "d226511.a.ess.uk.barracudanetworks.com").
        zone["morgansolicitors.com"] = {"MX": ["10 d123456.a.ess.uk.barracudanetworks.com.",
                                               "20 d123456.b.ess.uk.barracudanetworks.com."]}
    return zone


def _analyze(raw: bytes, dns: dict[str, object] | None = None) -> Report:
    if dns is None:
        return headerscope.analyze(raw, offline=True, now=NOW)
    return headerscope.analyze(raw, resolver=SnapshotResolver(dns), now=NOW)


def _only(report: Report, finding_id: str) -> list[Finding]:
    return [f for f in report.findings if f.id == finding_id]


def _ids(report: Report) -> set[str]:
    return {f.id for f in report.findings}


def test_barracudas_three_domains_are_one_operator() -> None:
    intake = host_organization("mx-inbound22-18.eu-west-2b.ess.aws.cudaops.com")
    assert intake == host_organization("egress-ip15b.ess.uk.barracuda.com") \
        == host_organization("outbound-ip23b.ess.barracuda.com") \
        == host_organization("d123456.a.ess.uk.barracudanetworks.com") == "barracuda.com"
    # Trend Micro Email Security's European servers hand over under trendmicro.com.
    assert host_organization("repost01.tmes.trendmicro.eu") == host_organization("104.47.7.169_.trendmicro.com")


def test_genuine_mail_through_barracuda_is_judged_at_its_intake() -> None:
    # V44e defect 1: SPF was judged at Barracuda's egress (35.176.92.116), the verdict SPOOFED, and a
    # false "went around morgansolicitors.com's MX (barracudanetworks.com)" was told.
    report = _analyze(_message(_EOP_CHECKED_GATEWAY), _dns())
    assert report.verdict.status == "authenticated", report.verdict
    assert report.boundary_hop == 1
    [gateway] = _only(report, "hops.inbound_gateway")
    assert "d123456.a.ess.uk.barracudanetworks.com, a host of barracuda.com" in gateway.explanation
    assert not _ids(report) & {"hops.gateway_bypassed", "dmarc.fail", "spf.fail", "hops.chain_gap"}
    # Offline: Barracuda's egress host is a known filtering service, perhaps the recipient's gateway.
    [possible] = _only(_analyze(_message(_EOP_CHECKED_GATEWAY)), "hops.gateway_possible")
    assert "barracuda.com" in possible.title


def test_the_real_spoof_through_barracuda_is_judged_for_its_own_address() -> None:
    # The real message's own hop: SPF is for 115.209.79.125, Barracuda's client, and nothing says it
    # went around the MX (it came through the MX's own operator).
    spoof_intake = (b"Received: from lists.linux.dev (unknown [115.209.79.125]) by"
                    b" mx-inbound22-18.eu-west-2b.ess.aws.cudaops.com; Sat, 10 Sep 2022 01:05:05 +0000\r\n")
    results = _EOP_CHECKED_GATEWAY.replace(b"example.org", b"lists.linux.dev")
    raw = _message(results, intake=spoof_intake).replace(b"alice@example.org", b"nvdimm@lists.linux.dev")
    zone = {**_dns(), "lists.linux.dev": {"TXT": [["v=spf1 ip4:147.75.69.165 ~all"]]},
            "_dmarc.lists.linux.dev": {"TXT": [["v=DMARC1; p=none"]]}}
    report = _analyze(raw, zone)
    assert report.boundary_hop == 1 and not _only(report, "hops.gateway_bypassed")
    assert report.verdict.status != "authenticated"
    assert report.spf is not None and (report.spf.client_ip, report.spf.result) == ("115.209.79.125", "softfail")
    assert "115.209.79.125" in " ".join(f.explanation for f in _only(report, "spf.softfail"))


def test_a_sender_going_around_barracudas_mx_is_still_told() -> None:
    # Comparing operators must not silence a real bypass: the sender's own server, straight to
    # Exchange Online, though the MX is Barracuda's.
    direct = (b"Received: from mail.example.org (192.0.2.25) by\r\n"
              b" VE1EUR03FT013.mail.protection.outlook.com (10.152.19.37) with Microsoft SMTP\r\n"
              b" Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
              b" 15.20.5612.13 via Frontend Transport; Sat, 10 Sep 2022 01:05:14 +0000\r\n")
    raw = _EOP_TOP + _eop_checked(b"192.0.2.25") + direct + _AUTHOR + _BODY
    [bypassed] = _only(_analyze(raw, _dns()), "hops.gateway_bypassed")
    assert "(barracuda.com)" in bypassed.title
    # A greeting naming Barracuda's egress from an address whose PTR is another organisation's: told.
    claimed = raw.replace(b"from mail.example.org (192.0.2.25)", b"from egress-ip15b.ess.uk.barracuda.com (192.0.2.25)")
    assert _only(_analyze(claimed, _dns()), "hops.gateway_bypassed")


def test_exchange_online_with_enhanced_filtering_names_the_senders_server() -> None:
    # V44e defect 3: Exchange Online's own record above its frontend's Received checked 192.0.2.25,
    # the client of Barracuda's intake; without the MX (offline, or DNS without it) the tool judged
    # Barracuda's egress and printed SPOOFED, a DMARC reject and "recorded pass, now fail".
    raw = _message(_eop_checked(b"192.0.2.25"), _SKIP_LISTED)
    for dns in (None, _dns(mx=False)):
        report = _analyze(raw, dns)
        assert report.boundary_hop == 1, dns
        [placed] = [f for f in _only(report, "hops.boundary_uncertain") if "Enhanced Filtering" in f.title]
        assert placed.subject == "hop 1" and "192.0.2.25" in placed.explanation
        assert not _ids(report) & {"hops.gateway_bypassed", "dmarc.fail", "spf.fail", "recorded.different",
                                   "hops.gateway_possible"}
    assert _analyze(raw, _dns(mx=False)).verdict.status == "authenticated"
    # Without the skip-listing fields (a copy that lost them) Exchange Online's record alone places it.
    assert _analyze(_message(_eop_checked(b"192.0.2.25")), _dns(mx=False)).boundary_hop == 1
    # The real hybrid shape: an on-premises Exchange skip-listed, its private hop between.
    hybrid = (
        b"Received: from mail.prasarana.com.my (58.26.8.159) by\r\n"
        b" VE1EUR03FT013.mail.protection.outlook.com (10.13.36.173) with Microsoft SMTP\r\n"
        b" Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) id\r\n"
        b" 15.20.5504.14 via Frontend Transport; Sat, 10 Sep 2022 01:05:14 +0000\r\n"
        b"Received: from MRL-EXH-02.prasarana.com.my (10.128.66.101) by\r\n"
        b" MRL-EXH-02.prasarana.com.my (10.128.66.101) with Microsoft SMTP Server\r\n"
        b" (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) id\r\n"
        b" 15.1.2176.14; Sat, 10 Sep 2022 09:05:10 +0800\r\n"
        b"Received: from User (20.222.87.207) by MRL-EXH-02.prasarana.com.my\r\n"
        b" (10.128.66.101) with Microsoft SMTP Server id 15.1.2176.14 via Frontend\r\n"
        b" Transport; Sat, 10 Sep 2022 09:05:06 +0800\r\n")
    raw = _EOP_TOP + _eop_checked(b"20.222.87.207") + hybrid + _AUTHOR + _BODY
    assert _analyze(raw).boundary_hop == 1


def test_skip_listing_words_a_sender_writes_move_nothing() -> None:
    # A forger connecting to Exchange Online itself: Exchange Online records the forger's address.
    # Below its Received the forger controls everything: a made-up Barracuda intake naming
    # 192.0.2.25, the skip-listing fields, a nameless Authentication-Results claiming a pass.
    forger_front = _EOP_FRONT.replace(b"egress-ip15b.ess.uk.barracuda.com (35.176.92.116)",
                                      b"egress-ip15b.ess.uk.barracuda.com (203.0.113.66)")
    forged = _eop_checked(b"192.0.2.25")
    gateway_record = _EOP_CHECKED_GATEWAY.replace(b"35.176.92.116", b"203.0.113.66")
    raw = _EOP_TOP + gateway_record + forger_front + forged + _BARRACUDA_INTAKE + _AUTHOR + _SKIP_LISTED + _BODY
    for dns in (None, _dns(mx=False)):
        report = _analyze(raw, dns)
        assert report.boundary_hop == 2, dns
        assert not any("Enhanced Filtering" in f.title for f in report.findings)
    assert _analyze(raw, _dns(mx=False)).verdict.status == "spoofed"
    # Exchange Online's record names the connecting client: no skip listing, nothing moves.
    assert _analyze(_message(_EOP_CHECKED_GATEWAY, _SKIP_LISTED)).boundary_hop == 2
    # The skip-listing field naming another address than Exchange Online's record: Exchange Online's
    # record alone decides (verification V45e D2: a sender's copy naming another address switched
    # the move off, and a forged message behind an on-premises relay whose SPF passes read
    # AUTHENTICATED; Microsoft 365 senders' own outgoing copies name their internal hosts).
    other = _SKIP_LISTED.replace(b"ip=[192.0.2.25]", b"ip=[198.51.100.7]")
    moved = _analyze(_message(_eop_checked(b"192.0.2.25"), other))
    assert moved.boundary_hop == 1
    assert not any("names it too" in f.explanation for f in moved.findings)
    # Exchange Online's record naming an address no hop below records: not moved.
    assert _analyze(_message(_eop_checked(b"198.51.100.7"))).boundary_hop == 2
    # Hops that do not connect between the record's client and the frontend: not moved.
    elsewhere = _BARRACUDA_INTAKE.replace(b"mx-inbound22-18.eu-west-2b.ess.aws.cudaops.com", b"mx.unrelated.example")
    assert _analyze(_message(_eop_checked(b"192.0.2.25"), intake=elsewhere)).boundary_hop == 2
    # Not a frontend of Exchange Online: another receiver's nameless record is not Microsoft's word.
    gmail_front = _EOP_FRONT.replace(b"VE1EUR03FT013.mail.protection.outlook.com", b"mx.example.net")
    assert _analyze(_message(_eop_checked(b"192.0.2.25"), front=gmail_front)).boundary_hop != 1


def test_exchange_onlines_own_relay_recorded_as_the_client_moves_nothing() -> None:
    # Verification V45e D1: a tenant loops its inbound mail out through an inline service and back
    # into Exchange Online, whose second frontend records Microsoft's own outbound relay as the client
    # it checked (a real copy records "client-ip=40.93.86.6; helo=...outbound.protection.outlook.com").
    # The boundary moved to the relay's hand-over, SPF passed for Microsoft's address, and a
    # direct-to-MX spoof read AUTHENTICATED, its first frontend's failures below the boundary.
    relay = b"40.107.22.55"
    loop_front = _EOP_FRONT.replace(b"egress-ip15b.ess.uk.barracuda.com (35.176.92.116)",
                                    b"inline.filter.example (198.51.100.20)")
    relay_hop = (b"Received: from EUR05-AM6-obe.outbound.protection.outlook.com (" + relay + b") by"
                 b" gw1.inline.filter.example (Postfix) with ESMTPS id 4A1B2; Sat, 10 Sep 2022 01:05:12 +0000\r\n")
    first_front = (b"Received: from mail.forger.example (203.0.113.66) by\r\n"
                   b" AM6EUR05FT011.mail.protection.outlook.com (10.233.240.2) with Microsoft SMTP\r\n"
                   b" Server id 15.20.5612.13 via Frontend Transport; Sat, 10 Sep 2022 01:05:10 +0000\r\n")
    raw = (_EOP_TOP + _eop_checked(relay) + loop_front + relay_hop
           + _EOP_CHECKED_GATEWAY.replace(b"35.176.92.116", b"203.0.113.66") + first_front + _AUTHOR + _BODY)
    zone = {**_dns(mx=False), "example.org": {"TXT": [["v=spf1 ip4:192.0.2.25 include:spf.protection.outlook.com -all"]]},
            "spf.protection.outlook.com": {"TXT": [["v=spf1 ip4:40.107.0.0/16 -all"]]}}
    report = _analyze(raw, zone)
    assert not any("Enhanced Filtering" in f.title for f in report.findings)
    assert report.spf is None or report.spf.client_ip != "40.107.22.55"
    assert report.verdict.status != "authenticated"
