"""Mimecast customer to Mimecast customer (verification V52c D1): the sender's Mimecast delivers
from its delivery host (eu-smtp-delivery-1.mimecast.com) to the recipient's Mimecast intake
(relay.mimecast.com, another region's id), which hands on to the recipient's server. That intake
took the message from outside, as from any sender: SPF judges the sender's Mimecast egress (RFC
7208 section 2.4), not the recipient's own gateway's. Layout rebuilt from real copies: the
delivery hosts' names as public copies show them (us-smtp-delivery-124, de-smtp-delivery-102)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from conftest import SAMPLES

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)

_HANDOVER = (b"Return-Path: <dana@example.org>\r\n"
             b"Received: from mimecast-mx01.example.com (mimecast-mx01.example.com [198.51.100.40])\r\n"
             b"\tby mbox.example.com (Postfix) with ESMTPS id 51E8A801E63\r\n"
             b"\tfor <lee@example.com>; Thu, 26 Nov 2026 13:05:09 +0000 (UTC)\r\n"
             b"Received: from us-smtp-1.mimecast.com (us-smtp-delivery-124.mimecast.com [170.10.129.124])\r\n"
             b"\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-SHA384 (256/256 bits))\r\n"
             b"\tby mimecast-mx01.example.com (Postfix) with ESMTPS id AC672833B4E\r\n"
             b"\tfor <lee@example.com>; Thu, 26 Nov 2026 13:05:08 +0000 (UTC)\r\n")


def _intake(client: bytes, mta_id: bytes = b"us-mta-269-pllN3kQcOcOr8WtQmXaO-Q-1") -> bytes:
    return (b"Received: from " + client + b" (Using TLS) by relay.mimecast.com with ESMTP id\r\n"
            b"\t" + mta_id + b"; Thu, 26 Nov 2026 08:05:07 -0500\r\n"
            b"X-MC-Unique: pllN3kQcOcOr8WtQmXaO-Q-1\r\n")


_EU_EGRESS = b"eu-smtp-1.mimecast.com (eu-smtp-delivery-1.mimecast.com\r\n\t[207.211.30.44])"
_SENDER = (_intake(b"mail.example.org (mail.example.org [192.0.2.10])", b"uk-mta-12-AbCdEfGhIjKlMnOpQrStUv-1")
           + b"Received: from [10.0.0.5] (unknown [10.0.0.5])\r\n"
             b"\tby mail.example.org (Postfix) with ESMTPSA id 4cF1x2Z3k4z9sXz\r\n"
             b"\tfor <lee@example.com>; Thu, 26 Nov 2026 08:05:05 -0500 (EST)\r\n")
_AUTHOR = (b"From: Dana Reyes <dana@example.org>\r\nTo: Lee Chan <lee@example.com>\r\nSubject: Invoice 4471\r\n"
           b"Date: Thu, 26 Nov 2026 08:05:03 -0500\r\nMessage-ID: <20261126130503.4471@mail.example.org>\r\n"
           b"\r\nThe invoice is on our portal: https://portal.example.org/inv/4471\r\n")


def _dns(**extra: object) -> dict[str, object]:
    samples = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())
    zone: dict[str, object] = {
        "mail2026._domainkey.example.org": samples["mail2026._domainkey.example.org"],
        # The sender's SPF lists its own region's Mimecast netblock, not the recipient's region's.
        "example.org": {"TXT": [["v=spf1 ip4:192.0.2.10 include:eu._netblocks.mimecast.com -all"]]},
        "eu._netblocks.mimecast.com": {"TXT": [["v=spf1 ip4:207.211.30.0/24 ip4:91.220.42.0/24 -all"]]},
        "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject"]]},
        "example.com": {"MX": ["10 us-smtp-inbound-1.mimecast.com.", "10 us-smtp-inbound-2.mimecast.com."]},
        "124.129.10.170.in-addr.arpa": {"PTR": ["us-smtp-delivery-124.mimecast.com."]},
        "us-smtp-delivery-124.mimecast.com": {"A": ["170.10.129.124"]},
        "44.30.211.207.in-addr.arpa": {"PTR": ["eu-smtp-delivery-1.mimecast.com."]},
        "eu-smtp-delivery-1.mimecast.com": {"A": ["207.211.30.44"]},
        "40.100.51.198.in-addr.arpa": {"PTR": ["mimecast-mx01.example.com."]},
        "mimecast-mx01.example.com": {"A": ["198.51.100.40"]},
        "66.113.0.203.in-addr.arpa": {"PTR": ["host66.example.net."]},
        "host66.example.net": {"A": ["203.0.113.66"]},
    }
    zone.update(extra)
    return zone


def _analyze(raw: bytes, dns: dict[str, object] | None = None) -> Report:
    return headerscope.analyze(raw, resolver=SnapshotResolver(_dns() if dns is None else dns), now=NOW)


def test_mimecast_to_mimecast_enters_the_recipients_tenant_at_its_intake() -> None:
    report = _analyze(_HANDOVER + _intake(_EU_EGRESS) + _SENDER + _AUTHOR)
    assert report.boundary_hop == 3
    assert "hops.inbound_gateway" in {f.id for f in report.findings}
    assert report.spf is not None and (report.spf.client_ip, report.spf.result) == ("207.211.30.44", "pass")
    assert report.verdict.status == "authenticated" and report.verdict.authenticated_domain == "example.org"


def test_a_delivery_host_named_only_in_the_greeting_is_not_another_customer() -> None:
    # The intake recorded no reverse-DNS name, only the client's greeting: the old reading stands.
    greeting = b"eu-smtp-delivery-1.mimecast.com ([207.211.30.44])"
    report = _analyze(_HANDOVER + _intake(greeting) + _SENDER + _AUTHOR)
    assert report.boundary_hop == 4
    assert report.spf is not None and report.spf.client_ip == "170.10.129.124"


def test_a_delivery_host_name_the_address_does_not_confirm_is_not_another_customer() -> None:
    # The name recorded, but DNS says the address is not Mimecast's (its PTR names another host).
    dns = _dns(**{"44.30.211.207.in-addr.arpa": {"PTR": ["host44.example.net."]},
                  "host44.example.net": {"A": ["207.211.30.44"]}})
    report = _analyze(_HANDOVER + _intake(_EU_EGRESS) + _SENDER + _AUTHOR, dns)
    assert report.boundary_hop == 4
    assert report.spf is not None and report.spf.client_ip == "170.10.129.124"


def test_a_forgers_made_up_tenant_hand_over_below_the_real_intake_is_not_read() -> None:
    # The forger sends from his own server to the recipient's Mimecast, which records his address
    # at its intake; below it he writes a Mimecast-to-Mimecast hand-over from the sender's region.
    forged = _intake(_EU_EGRESS, b"us-mta-1-ForgedForgedForged-1") + _SENDER
    raw = _HANDOVER + _intake(b"host66.example.net (host66.example.net [203.0.113.66])") + forged + _AUTHOR
    report = _analyze(raw)
    assert report.boundary_hop == 4  # the real intake, hop 4 of 6
    assert report.spf is not None and (report.spf.client_ip, report.spf.result) == ("203.0.113.66", "fail")
    assert report.verdict.status == "spoofed"
