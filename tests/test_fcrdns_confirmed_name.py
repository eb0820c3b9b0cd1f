"""Forward-confirmed reverse DNS confirms a name, not the PTR set (RFC 8601 section 3, iprev): the
owner of an address can publish a second PTR name that is someone else's beside its own, which
resolves back; only the confirmed name says whose host the address is (verification V53d D1)."""

from __future__ import annotations

from datetime import datetime, timezone

import headerscope
from headerscope.auth.ptr import check_reverse_dns
from headerscope.dns.snapshot import SnapshotResolver

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)

# A forger at 203.0.113.66 greets the recipient's Exchange as the recipient's own relay and writes a
# Received in that relay's name below it, claiming the message came from example.org's server.
_MESSAGE = (
    b"Return-Path: <alice@example.org>\n"
    b"Received: from smtp-relay.billboard-live.com (203.0.113.66) by\n"
    b" EXCH01.billboard-live.com (10.20.0.5) with Microsoft SMTP Server (version=TLS1_2,\n"
    b" cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1118.40; Thu, 26 Nov 2026\n"
    b" 22:05:26 +0900\n"
    b"Received: from mail.example.org (mail.example.org [192.0.2.25])\n"
    b"\tby smtp-relay.billboard-live.com (Postfix) with ESMTPS id 3wf0vpmd2v\n"
    b"\tfor <lfhib@billboard-live.com>; Thu, 26 Nov 2026 22:05:24 +0900 (JST)\n"
    b"From: Alice Martin <alice@example.org>\nTo: <lfhib@billboard-live.com>\nSubject: New bank details\n"
    b"Date: Thu, 26 Nov 2026 22:04:20 +0900\nMessage-ID: <20261126130420.A1@mail.example.org>\n\n"
    b"Please pay invoice 4471 to IBAN XX00 1234 5678 from today.\n")


def _dns(ptr_names: list[str]) -> SnapshotResolver:
    return SnapshotResolver({
        "66.113.0.203.in-addr.arpa": {"PTR": ptr_names},
        "mail.forger.example": {"A": ["203.0.113.66"]},
        "smtp-relay.billboard-live.com": {"A": ["198.51.100.9"]},
        "example.org": {"TXT": [["v=spf1 ip4:192.0.2.25 -all"]]},
        "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject"]]},
        "25.2.0.192.in-addr.arpa": {"PTR": ["mail.example.org."]},
        "mail.example.org": {"A": ["192.0.2.25"]},
    })


def test_the_confirmed_name_is_the_one_that_resolves_back() -> None:
    result = check_reverse_dns(_dns(["mail.forger.example.", "smtp-relay.billboard-live.com."]), "203.0.113.66")
    assert (result.confirmed, result.confirmed_names) == (True, ("mail.forger.example",))
    assert result.ptr_names == ("mail.forger.example", "smtp-relay.billboard-live.com")


def test_a_second_ptr_name_of_the_receivers_relay_does_not_move_the_boundary() -> None:
    # The forger's own name confirms the address; the relay's name beside it does not resolve to
    # it. Before, "confirmed" and "some PTR name is the receiver's relay" together walked the
    # boundary down into the forger's Received: SPF passed for 192.0.2.25, AUTHENTICATED.
    for names in (["mail.forger.example.", "smtp-relay.billboard-live.com."],
                  ["smtp-relay.billboard-live.com.", "mail.forger.example."],
                  ["smtp-relay.billboard-live.com."]):
        report = headerscope.analyze(_MESSAGE, resolver=_dns(names), now=NOW)
        assert report.verdict.status == "spoofed", names
        assert report.boundary_hop == 2, names  # EXCH01's own hop, not the relay's (hop 1)
        assert report.spf is not None and report.spf.client_ip == "203.0.113.66", names


def _genuine_dns(ptr_names: list[str]) -> SnapshotResolver:
    # The receiving organisation's own relay at 203.0.113.66 carries its hosting provider's name
    # beside its own, both resolving back to it.
    return SnapshotResolver({
        "66.113.0.203.in-addr.arpa": {"PTR": ptr_names},
        "host66.hosting-isp.example": {"A": ["203.0.113.66"]},
        "smtp-relay.billboard-live.com": {"A": ["203.0.113.66"]},
        "billboard-live.com": {"MX": ["10 smtp-relay.billboard-live.com."]},
        "example.org": {"TXT": [["v=spf1 ip4:192.0.2.25 -all"]]},
        "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject"]]},
        "25.2.0.192.in-addr.arpa": {"PTR": ["mail.example.org."]},
        "mail.example.org": {"A": ["192.0.2.25"]},
    })


def test_every_name_that_resolves_back_is_confirmed_whatever_the_order() -> None:
    # Verification V54a D1: stopping at the first confirmed name read the relay's own name, second
    # in the answer, as unconfirmed: the boundary moved up onto the relay and SPF judged its
    # address, SPOOFED; DNS answer order is not fixed, so live runs could differ.
    isp_first = ["host66.hosting-isp.example.", "smtp-relay.billboard-live.com."]
    result = check_reverse_dns(_genuine_dns(isp_first), "203.0.113.66")
    assert result.confirmed_names == ("host66.hosting-isp.example", "smtp-relay.billboard-live.com")
    for names in (isp_first, list(reversed(isp_first)), ["smtp-relay.billboard-live.com."]):
        report = headerscope.analyze(_MESSAGE, resolver=_genuine_dns(names), now=NOW)
        assert report.verdict.status == "authenticated", names
        assert report.boundary_hop == 1, names
