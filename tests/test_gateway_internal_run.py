"""The recipient's inbound gateway handing the message among its own hosts before it hands it on:
Trend Micro Email Security's private hop from its intake (inpre01) to its egress (inpost), and
MessageLabs' (Broadcom Email Security.cloud) qmail stamp and private tower-to-bemta hop.

Real chains, public copies: Trend Micro's from a bounce that kept a Chinese University of Hong Kong
delivery's header ("from 171.211.41.102_.trendmicro.com (unknown [192.168.197.243]) by
inpost.tmes.trendmicro.com" above "from YM-20200820EAUR (unknown [171.211.41.102]) by
inpre01.tmes.trendmicro.com (Trend Micro Email Security)", 2024); MessageLabs' from list copies
("(qmail 10981 invoked from network)" between "by server-10.tower-244.messagelabs.com" and "from
[100.113.1.43] ... by server-1.bemta.az-a.eu-central-1.aws.symcld.net", 2019-2020; the older
"from mail164.messagelabs.com" directly above the qmail stamp, 2008). The sender's hop, the
recipient's server and the headers are example.org's and example.com's."""

from __future__ import annotations

from datetime import datetime, timezone

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.hops import build_chain
from headerscope.message import parse_message
from headerscope.model import Report

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)

_RECIPIENT = b"mx.example.com (Postfix) with ESMTPS id 0B103385735D\r\n\tfor <info@example.com>"


def _handover(client: bytes, address: bytes) -> bytes:
    return (b"Received: from " + client + b" (" + client + b" [" + address + b"])\r\n\tby " + _RECIPIENT
            + b"; Thu, 26 Nov 2026 19:24:17 +0000 (GMT)\r\n")


_TM_HANDOVER = _handover(b"inpost.tmes.trendmicro.com", b"18.208.22.119")
_TM_INTERNAL = (b"Received: from 192.0.2.25_.trendmicro.com (unknown [192.168.197.243])\r\n"
                b"\tby inpost.tmes.trendmicro.com (Postfix) with SMTP id D9D521000030A\r\n"
                b"\tfor <info@example.com>; Thu, 26 Nov 2026 19:24:13 +0000 (UTC)\r\n")


def _tm_intake(client: bytes = b"192.0.2.25", name: bytes = b"mail.example.org") -> bytes:
    return (b"Received: from " + name + b" (unknown [" + client + b"])\r\n"
            b"\tby inpre01.tmes.trendmicro.com (Trend Micro Email Security) with ESMTPS id 26D2C100003D8\r\n"
            b"\tfor <info@example.com>; Thu, 26 Nov 2026 19:24:10 +0000 (UTC)\r\n")


_ML_HANDOVER = _handover(b"mail6.bemta26.messagelabs.com", b"85.158.142.152")
_ML_BEMTA = (b"Received: from [100.113.1.43] (using TLSv1.2 with cipher DHE-RSA-AES256-GCM-SHA384 (256 bits))\r\n"
             b"\tby server-1.bemta.az-a.eu-central-1.aws.symcld.net id C8/C5-28499-576916E5;"
             b" Thu, 26 Nov 2026 19:24:13 +0000\r\n")
_QMAIL = b"Received: (qmail 10981 invoked from network); 26 Nov 2026 19:24:12 -0000\r\n"


def _ml_intake(client: bytes = b"192.0.2.25", name: bytes = b"mail.example.org",
               tower: bytes = b"server-10.tower-244.messagelabs.com") -> bytes:
    return (b"Received: from " + name + b" (HELO " + name + b") (" + client + b")\r\n"
            b"  by " + tower + b" with ECDHE-RSA-AES128-GCM-SHA256 encrypted SMTP; 26 Nov 2026 19:24:12 -0000\r\n")


_HEAD = (b"From: Alice Martin <alice@example.org>\r\nTo: <info@example.com>\r\nSubject: Shipment report\r\n"
         b"Date: Thu, 26 Nov 2026 19:24:09 +0000\r\nMessage-ID: <20261126192409.A1@mail.example.org>\r\n"
         b"\r\nHello,\r\n\r\nThe shipment report is attached.\r\n")


def _message(chain: bytes) -> bytes:
    return b"Return-Path: <alice@example.org>\r\n" + chain + _HEAD


def _dns(mx: str | None) -> dict[str, object]:
    zone: dict[str, object] = {
        "example.org": {"TXT": [["v=spf1 ip4:192.0.2.25 -all"]]},
        "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject"]]},
        "119.22.208.18.in-addr.arpa": {"PTR": ["inpost.tmes.trendmicro.com."]},
        "inpost.tmes.trendmicro.com": {"A": ["18.208.22.119"]},
        "152.142.158.85.in-addr.arpa": {"PTR": ["mail6.bemta26.messagelabs.com."]},
        "mail6.bemta26.messagelabs.com": {"A": ["85.158.142.152"]},
        "131.253.82.216.in-addr.arpa": {"PTR": ["mail164.messagelabs.com."]},
        "mail164.messagelabs.com": {"A": ["216.82.253.131"]},
        "9.113.0.203.in-addr.arpa": {"PTR": ["h9.isp.example."]},
    }
    if mx is not None:
        zone["example.com"] = {"MX": [f"10 {mx}."]}
    return zone


# The MX shapes of the two services' customers.
_TM_MX = "example-com.in.tmes.trendmicro.com"
_ML_MX = "cluster1.eu.messagelabs.com"


def _analyze(raw: bytes, mx: str | None) -> Report:
    return headerscope.analyze(raw, resolver=SnapshotResolver(_dns(mx)), now=NOW)


def _ids(report: Report) -> list[str]:
    return [f.id for f in report.findings]


def _genuine(report: Report, intake: int = 1) -> None:
    assert report.boundary_hop == intake
    assert "hops.inbound_gateway" in _ids(report)
    assert report.spf is not None and (report.spf.client_ip, report.spf.result) == ("192.0.2.25", "pass")
    assert report.verdict.status == "authenticated" and report.verdict.authenticated_domain == "example.org"


def test_trend_micros_private_hop_from_intake_to_egress_is_its_own() -> None:
    # The private hop between inpre01 and inpost kept the boundary at inpost's hand-over: SPF judged
    # Trend Micro's address (18.208.22.119) and a genuine sender read as spoofed.
    raw = _message(_TM_HANDOVER + _TM_INTERNAL + _tm_intake())
    _genuine(_analyze(raw, _TM_MX))
    gateway = build_chain(parse_message(raw), None, NOW, mail_exchangers={"example.com": (f"10 {_TM_MX}.",)}.get,
                          reverse_names=lambda ip: (("inpost.tmes.trendmicro.com",), True)).gateway
    assert gateway is not None and gateway.confirmed
    assert (gateway.service, gateway.client_ip, gateway.intake, gateway.handed_on) \
        == ("trendmicro.com", "18.208.22.119", 1, 3)


def test_messagelabs_qmail_stamp_and_private_hop_are_its_own() -> None:
    # Tower (intake) -> qmail-queue's stamp -> bemta over a private (RFC 6598) address -> hand-over.
    for stamp in (_QMAIL, b"Received: (qmail 5161 invoked by uid 89); 26 Nov 2026 19:24:12 -0000\r\n"):
        raw = _message(_ML_HANDOVER + _ML_BEMTA + stamp + _ml_intake())
        _genuine(_analyze(raw, _ML_MX))
    # Without the private hop: the tower's qmail stamp right under the hand-over (the 2008 shape, the
    # tower handing on under its cluster name), whose receiver the tower's own line below names.
    older = _message(_handover(b"mail164.messagelabs.com", b"216.82.253.131") + _QMAIL
                     + _ml_intake(tower=b"server-4.tower-164.messagelabs.com"))
    _genuine(_analyze(older, _ML_MX))


def test_without_the_mx_nothing_moves() -> None:
    # The same services relay senders' outbound mail in the same shape: only the MX tells.
    for raw, mx in ((_message(_TM_HANDOVER + _TM_INTERNAL + _tm_intake()), "mx.other.example"),
                    (_message(_ML_HANDOVER + _ML_BEMTA + _QMAIL + _ml_intake()), None)):
        report = _analyze(raw, mx)
        assert "hops.inbound_gateway" not in _ids(report) and report.boundary_hop == (3 if b"inpost" in raw else 4)
        assert report.verdict.status != "authenticated"


def test_a_sender_cannot_stretch_the_gateways_internal_run() -> None:
    # A forger connecting to the gateway from its own address, with a made-up internal run and an
    # "intake" naming the genuine server below: the intake is where the gateway recorded a public
    # client, and nothing below it is read.
    forged_tm = _TM_INTERNAL + _tm_intake()
    report = _analyze(_message(_TM_HANDOVER + _TM_INTERNAL + _tm_intake(b"203.0.113.9", b"mail.example.org")
                               + forged_tm), _TM_MX)
    assert report.boundary_hop == 3  # the real intake, above the forged pair
    assert report.spf is not None and (report.spf.client_ip, report.spf.result) == ("203.0.113.9", "fail")
    assert report.verdict.status == "spoofed"
    forged_ml = _ML_BEMTA + _QMAIL + _ml_intake()
    report = _analyze(_message(_ML_HANDOVER + _ML_BEMTA + _QMAIL + _ml_intake(b"203.0.113.9") + forged_ml), _ML_MX)
    assert report.boundary_hop == 4
    assert report.spf is not None and (report.spf.client_ip, report.spf.result) == ("203.0.113.9", "fail")
    assert report.verdict.status == "spoofed"


def test_a_sender_greeting_as_the_gateway_is_no_gateway() -> None:
    # Straight to the recipient's server, greeting as the gateway's egress, with a made-up internal run
    # below: the receiver's reverse DNS of the client is not the service's, nothing moves.
    direct_tm = _message(b"Received: from inpost.tmes.trendmicro.com (h9.isp.example [203.0.113.9])\r\n\tby "
                         + _RECIPIENT + b"; Thu, 26 Nov 2026 19:24:17 +0000 (GMT)\r\n" + _TM_INTERNAL + _tm_intake())
    direct_ml = _message(b"Received: from mail6.bemta26.messagelabs.com (h9.isp.example [203.0.113.9])\r\n\tby "
                         + _RECIPIENT + b"; Thu, 26 Nov 2026 19:24:17 +0000 (GMT)\r\n" + _ML_BEMTA + _QMAIL
                         + _ml_intake())
    for raw, mx, top in ((direct_tm, _TM_MX, 3), (direct_ml, _ML_MX, 4)):
        report = _analyze(raw, mx)
        assert "hops.inbound_gateway" not in _ids(report) and report.boundary_hop == top
        assert report.spf is not None and report.spf.client_ip == "203.0.113.9"
        assert report.verdict.status == "spoofed"


def test_a_private_hop_not_between_two_of_the_services_hosts_is_no_internal_run() -> None:
    # The service's host taking the message over a private network from a host that is not its own
    # (the service relaying a customer's outbound mail from the customer's network), or a private hop
    # whose receiver is not the service's: the sender's side, no gateway.
    from_customer = (b"Received: from relay.example.org (unknown [10.1.2.3])\r\n"
                     b"\tby inpost.tmes.trendmicro.com (Postfix) with SMTP id D9D521000030A;"
                     b" Thu, 26 Nov 2026 19:24:13 +0000 (UTC)\r\n"
                     b"Received: from pc.example.org (unknown [10.9.9.9])\r\n\tby relay.example.org (Postfix)"
                     b" with ESMTP id 1A2B; Thu, 26 Nov 2026 19:24:11 +0000 (UTC)\r\n")
    report = _analyze(_message(_TM_HANDOVER + from_customer + _tm_intake()), _TM_MX)
    assert "hops.inbound_gateway" not in _ids(report) and report.boundary_hop == 4
    other_receiver = _TM_INTERNAL.replace(b"by inpost.tmes.trendmicro.com", b"by relay.example.org")
    report = _analyze(_message(_TM_HANDOVER + other_receiver + _tm_intake()), _TM_MX)
    assert "hops.inbound_gateway" not in _ids(report) and report.boundary_hop == 3


def test_a_gateways_intake_client_greeting_as_the_recipients_provider_moves_nothing_below_it() -> None:
    # The recipient on Google Workspace behind Trend Micro: a forger connects to the gateway from
    # its own address greeting as Google's "mail-sor-f41.google.com", with a made-up hop below
    # naming the genuine sender's server. The gateway took the message from outside at its intake:
    # the walk that trusts a big operator's greeting from any address walked past it into the
    # forger's text and read AUTHENTICATED (verification V47b).
    google_handover = (b"Received: from inpost.tmes.trendmicro.com (inpost.tmes.trendmicro.com. [18.208.22.119])\r\n"
                       b"        by mx.google.com with ESMTPS id a1si123456qkb.12.2026.11.26.11.24.17\r\n"
                       b"        for <info@example.com>\r\n"
                       b"        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\r\n"
                       b"        Thu, 26 Nov 2026 11:24:17 -0800 (PST)\r\n")
    forged_below = (b"Received: from mail.example.org (mail.example.org [192.0.2.25])\r\n"
                    b"\tby relay.example.org (Postfix) with ESMTPS id 1A2B\r\n"
                    b"\tfor <info@example.com>; Thu, 26 Nov 2026 19:24:07 +0000 (UTC)\r\n")
    raw = _message(google_handover + _TM_INTERNAL.replace(b"192.0.2.25_", b"203.0.113.9_")
                   + _tm_intake(b"203.0.113.9", b"mail-sor-f41.google.com") + forged_below)
    report = _analyze(raw, _TM_MX)
    assert "hops.inbound_gateway" in _ids(report)
    assert report.boundary_hop == 2  # the gateway's intake, its client the forger's
    assert report.spf is not None and (report.spf.client_ip, report.spf.result) == ("203.0.113.9", "fail")
    assert report.verdict.status == "spoofed", report.verdict.summary
