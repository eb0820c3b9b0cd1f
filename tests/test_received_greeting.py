"""A client's greeting that carries an address, or clause words, never stands in for the receiver's
record of the connection (RFC 5321 section 4.4: "from" the greeting, then the receiver's TCP-info).

Verification V47c D1-1: a forger connecting from 45.67.89.10 greeted "EHLO mx.bank.example([198.51.100.20])"
(or "x (name [IP])", or, at GMX, "mout.gmx.net([212.227.17.20])"); the receiver wrote the greeting
verbatim before its own "(unknown [45.67.89.10])", the parser took the first bracketed address, and
the forgery read AUTHENTICATED by the SPF of the address it chose. V47a O-1: a greeting ending "by
mail.uni.example with ESMTPSA" was read as the stamp's by and with clauses.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import headerscope
from headerscope import received
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report
from headerscope.received import parse_received

NOW = datetime(2024, 11, 6, tzinfo=timezone.utc)
FORGER = "45.67.89.10"  # a public address (documentation ones are read as a copy's stand-ins)
_DATE = "Tue, 5 Nov 2024 16:12:34 +0000 (UTC)"
_POSTFIX = f"by mx.example.net (Postfix) with ESMTPS id 4XjK2m1Qz9z1234 for <victim@example.net>; {_DATE}"
_GMAIL = ("by mx.google.com with ESMTPS id 6a1803df08f44-6d353fe1234si1234567 for <victim@gmail.com> "
          "(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); Tue, 05 Nov 2024 08:12:34 -0800 (PST)")

# (header, the client's address the receiver recorded, the address in the greeting)
ATTACKS = [
    # Postfix: an address glued to the greeting, then its own "(unknown [IP])".
    (f"from mx.bank.example([198.51.100.20]) (unknown [{FORGER}]) {_POSTFIX}", FORGER, "198.51.100.20"),
    # Postfix joins a greeting of several words: the greeting looks like a whole "(name [IP])".
    (f"from mx.bank.example (mx.bank.example [198.51.100.20]) (unknown [{FORGER}]) {_POSTFIX}",
     FORGER, "198.51.100.20"),
    # The same after a TLS comment of the receiver's (the record is still the last of its shape).
    (f"from x (name [198.51.100.20]) (unknown [{FORGER}]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 "
     f"(256/256 bits)) {_POSTFIX}", FORGER, "198.51.100.20"),
    # Gmail's "from HELO ([IP])".
    (f"from mx.bank.example([198.51.100.20]) ([{FORGER}]) {_GMAIL}", FORGER, "198.51.100.20"),
    # GMX (Nemesis): "from HELO ([IP]) by mx-ha.gmx.net (mxgmx017 [212.227.15.9])".
    (f"from mout.gmx.net([212.227.17.20]) ([{FORGER}]) by mx-ha.gmx.net (mxgmx017 [212.227.15.9]) with ESMTPS "
     f"(Nemesis) id 1MxAbC-1aBcDe0fGh-00XyZw for <victim@gmx.de>; Tue, 05 Nov 2024 17:12:34 +0100",
     FORGER, "212.227.17.20"),
    # An IPv6 record after a greeting's IPv4.
    (f"from x([198.51.100.20]) (unknown [IPv6:2001:db8::66]) {_POSTFIX}", "2001:db8::66", "198.51.100.20"),
    # Exchange's bare "(IP)" after a greeting in the same shape.
    (f"from x (198.51.100.20) ({FORGER}) by mail.example.net (10.0.0.2) with Microsoft SMTP Server id 15.1.2; "
     f"{_DATE}", FORGER, "198.51.100.20"),
]


@pytest.mark.parametrize(("value", "recorded", "claimed"), ATTACKS)
def test_the_receivers_record_wins_over_an_address_in_the_greeting(value: str, recorded: str, claimed: str) -> None:
    for fields in (parse_received(value), received._parse(value)):  # fast path (if taken) and general
        assert fields.from_ip == recorded
        assert fields.from_rdns is None  # "unknown": the greeting's name is not a reverse-DNS name
        assert not fields.complete
        assert any(p.startswith("the client's greeting holds another address") and claimed in p
                   for p in fields.problems), fields.problems


# The same stamps without an address in the greeting, and receivers' own shapes with the address once.
CONTROLS = [
    (f"from mx.bank.example (unknown [{FORGER}]) {_POSTFIX}", FORGER, None, "mx.bank.example"),
    (f"from mail.example.org (mail.example.org [192.0.2.25]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 "
     f"(256/256 bits)) (Client CN \"x [198.51.100.20]\", Issuer \"x\" (not verified)) {_POSTFIX}",
     "192.0.2.25", "mail.example.org", "mail.example.org"),
    # qmail / IronPort: the greeting in its HELO comment, an address literal, then the record.
    ("from unknown (HELO [192.168.1.222]) ([118.208.187.186]) by mx.example.net with SMTP; " + _DATE,
     "118.208.187.186", None, "[192.168.1.222]"),
    # Exim: the greeting inside the receiver's own comment, after the address.
    ("from mail.example.org ([192.0.2.25]:41022 helo=x.example) by mx.example.net with esmtps (Exim 4.96) "
     "id 1tA-000 for victim@example.net; " + _DATE, "192.0.2.25", "mail.example.org", "x.example"),
]


@pytest.mark.parametrize(("value", "ip", "rdns", "helo"), CONTROLS)
def test_a_single_record_reads_as_before(value: str, ip: str, rdns: str | None, helo: str) -> None:
    fields = parse_received(value)
    assert (fields.from_ip, fields.from_rdns, fields.from_helo) == (ip, rdns, helo)
    assert not any("greeting holds" in p for p in fields.problems)


def test_clause_words_in_the_greeting_are_not_the_receivers_clauses() -> None:
    # Postfix writing "EHLO x ([192.0.2.5]) by mail.uni.example with ESMTPSA" verbatim, then its own
    # record and clauses: the stamp is mx.uni.example's, by plain ESMTP, from 45.33.10.20.
    for protocol in ("ESMTP", "ESMTPSA"):
        value = (f"from x ([192.0.2.5]) by mail.uni.example with {protocol} (unknown [45.33.10.20])\r\n"
                 "\tby mx.uni.example (Postfix) with ESMTP id 5F6A7B8C9D\r\n"
                 "\tfor <bob@uni.example>; Tue, 30 Dec 2025 17:17:30 +0100 (CET)")
        fields = parse_received(value)
        assert (fields.from_ip, fields.by, fields.protocol, fields.auth, fields.id) \
            == ("45.33.10.20", "mx.uni.example", "ESMTP", None, "5F6A7B8C9D")
        assert any("greeting holds clause words" in p and "mail.uni.example" in p for p in fields.problems)
    # T-Online's mailin shape, "from HELO ([IP]) by mailin...", with "by fwd80.t-online.de" greeted.
    fields = parse_received(
        "from helios.localnet ([198.51.100.27]) by fwd80.t-online.de ([45.33.10.20]) by mailin27.mgt.mul.t-online.de"
        "\r\n\twith (TLSv1.3:TLS_AES_256_GCM_SHA384 encrypted)\r\n\tesmtp id 1vacPZ-2VeEM41; "
        "Tue, 30 Dec 2025 17:17:30 +0100")
    assert (fields.from_ip, fields.by) == ("45.33.10.20", "mailin27.mgt.mul.t-online.de")
    # A second "by" with no record after the first is a problem read out, the first "by" kept.
    fields = parse_received("from a.example (a.example [192.0.2.1]) by mx.example by b.example with SMTP; "
                            "27 Jun 2001 14:04:01 -0700")
    assert (fields.from_ip, fields.by) == ("192.0.2.1", "mx.example")
    assert "repeated 'by' clause: b.example" in fields.problems


def test_the_shape_cache_never_fills_the_greetings_address_in() -> None:
    # Two stamps of one shape: the first's greeting address equals its record, the second's does not.
    # A cached shape must not fill the second's greeting address in as its client.
    shape = "from x (x [{ip}]) (unknown [10.0.0.1]) by mx.example.net with ESMTP id 1; Mon, 02 Nov 2026 08:00:42 +0000"
    received._SHAPES.clear()
    try:
        assert parse_received(shape.format(ip="10.0.0.1")).from_ip == "10.0.0.1"
        assert parse_received(shape.format(ip="198.51.100.20")).from_ip == "10.0.0.1"
    finally:
        received._SHAPES.clear()


# End to end: the forgery reads spoofed, as the same message greeting without the address does.
_DNS = {
    "bank.example": {"TXT": [["v=spf1 ip4:198.51.100.0/24 -all"]]},
    "_dmarc.bank.example": {"TXT": [["v=DMARC1; p=reject"]]},
    "gmx.de": {"MX": ["10 mx00.emig.gmx.net."]},
}
_BODY = (b"Return-Path: <service@bank.example>\r\nFrom: Bank <service@bank.example>\r\nTo: victim@example.net\r\n"
         b"Subject: Your account is limited\r\nDate: Tue, 05 Nov 2024 16:12:30 +0000\r\n"
         b"Message-ID: <20241105161230.1234@bank.example>\r\n\r\nPlease log in.\r\n")


def _analyze(received_lines: str) -> Report:
    raw = received_lines.replace("\n", "\r\n").encode() + _BODY
    return headerscope.analyze(raw, resolver=SnapshotResolver(_DNS), now=NOW)


@pytest.mark.parametrize("greeting", ["mx.bank.example([198.51.100.20])",
                                      "mx.bank.example (mx.bank.example [198.51.100.20])",
                                      "x ([198.51.100.20]) by mail.bank.example with ESMTPSA",
                                      "mx.bank.example"])
def test_a_forgery_greeting_with_the_domains_address_reads_spoofed(greeting: str) -> None:
    report = _analyze(f"Received: from {greeting} (unknown [{FORGER}])\n\t{_POSTFIX}\n")
    assert report.spf is not None and (report.spf.client_ip, report.spf.result) == (FORGER, "fail")
    assert report.verdict.status == "spoofed"


def test_a_forgery_greeting_with_gmxs_address_stays_outside_gmx() -> None:
    # GMX's own hops (its networks) are walked through: with the greeting's address as the client the
    # boundary moved down to the forged stamp below (hop 1), whose client is in the domain's SPF range.
    report = _analyze(
        f"Received: from mout.gmx.net([212.227.17.20]) ([{FORGER}]) by mx-ha.gmx.net (mxgmx017 [212.227.15.9])"
        f" with ESMTPS (Nemesis) id 1MxAbC-1aBcDe0fGh-00XyZw for <victim@gmx.de>; Tue, 05 Nov 2024 17:12:34 +0100\n"
        "Received: from mx.bank.example ([198.51.100.20]) by mx-ha.gmx.net (mxgmx114 [212.227.17.5]) with ESMTPS"
        " (Nemesis) id 1MaJKP-1pWHuy2AM9-00WQcz for <victim@gmx.de>; Tue, 05 Nov 2024 17:12:33 +0100\n")
    assert report.boundary_hop == 2
    assert report.spf is not None and (report.spf.client_ip, report.spf.result) == (FORGER, "fail")
    assert report.verdict.status == "spoofed"


def test_clause_words_in_a_greeting_before_the_only_by_are_the_greeting() -> None:
    # "EHLO mail with ESMTPSA", written verbatim by Postfix: with one "by" the record after the
    # greeting's "with" was read as a logged-in submission with no client address, and a spoof of
    # the recipient's own domain read NOT CHECKED (verification V48a D-4).
    value = ("from mail with ESMTPSA (unknown [203.0.113.66]) by mx.example.net (Postfix) with ESMTP id 4ZQ1 "
             "for <victim@example.net>; Wed, 20 May 2026 09:00:05 +0000")
    fields = parse_received(value)
    assert (fields.from_ip, fields.by, fields.protocol, fields.auth) == ("203.0.113.66", "mx.example.net", "ESMTP", None)
    assert any("clause words" in p for p in fields.problems)
    # An ordinary stamp, its record before "by": unchanged.
    plain = parse_received("from mail.example.org (mail.example.org [192.0.2.25]) by mx.example.net (Postfix) "
                           "with ESMTPSA id 4ZQ1; Wed, 20 May 2026 09:00:05 +0000")
    assert (plain.from_ip, plain.by, plain.protocol, plain.problems) == ("192.0.2.25", "mx.example.net", "ESMTPSA", ())


@pytest.mark.parametrize("received", [
    # A Postfix greeting copying Exim's record and a "by" of its own (V51a D1-2).
    f"Received: from x ([198.51.100.20] helo=mx.bank.example) by mx.example.net (unknown [{FORGER}])\n\t{_POSTFIX}\n",
    # An Exim receiver doing ident lookups, the ident reply breaking out of its record (V51a D1-1).
    "Received: from host.forger.example ([45.67.89.10]:51234 helo=mx.bank.example ident=x) id 1\n"
    "\t(mx.bank.example [198.51.100.20])\n\tby mx.example.net with esmtp (Exim 4.96)\n"
    f"\t(envelope-from <service@bank.example>)\n\tid 1tA2bC-000123-4x\n\tfor victim@example.net; {_DATE}\n",
    # A greeting of 63 "id" clauses pushing the receiver's own past the clauses read (V51a D1-4).
    "Received: from mx.bank.example ([198.51.100.20])" + " id 1" * 63 + f" (unknown [{FORGER}])\n\t{_POSTFIX}\n",
])
def test_a_boundary_field_that_reads_as_more_than_one_stamp_authenticates_nothing(received: str) -> None:
    # No parse of every verbatim greeting is unambiguous: where the parser sees that the boundary's
    # field reads as more than one stamp, whatever address it took, SPF there vouches for nothing.
    report = _analyze(received)
    assert any(f.id == "hops.greeting_injection" and f.severity.value == "danger" for f in report.findings)
    assert report.verdict.status != "authenticated", report.verdict.summary


_EXIM_TAIL = ("by mx.example.net with esmtp (Exim 4.96)\n\t(envelope-from <service@bank.example>)\n\tid 1tA2bC-000123-4x\n"
              f"\tfor victim@example.net; {_DATE}\n")


@pytest.mark.parametrize("received", [
    # A Postfix greeting copying Exim's record and a "by" (V50a D1-1): no "(Exim ...)" after the first
    # "by", so the greeting is joined and Postfix's own record, the last before its "by", is read.
    f"Received: from x ([198.51.100.20] helo=mx.bank.example) by mx.example.net (unknown [{FORGER}])\n\t{_POSTFIX}\n",
    # An Exim receiver doing ident lookups (V50a D1-2): its record is the first comment; the ident
    # reply's record after it is the client's text.
    f"Received: from host.forger.example ([{FORGER}]:51234 helo=mx.bank.example ident=x)\n"
    f"\t(mx.bank.example [198.51.100.20])\n\t{_EXIM_TAIL}",
    # The same without reverse DNS: Exim's "from [IP] (port=N helo=NAME ident=USER)".
    f"Received: from [{FORGER}] (port=51234 helo=mx.bank.example ident=x)\n\t(mx.bank.example [198.51.100.20])\n"
    f"\t{_EXIM_TAIL}",
])
def test_the_receivers_record_is_read_where_a_greeting_or_ident_copies_another(received: str) -> None:
    fields = parse_received(received.split(":", 1)[1].strip())
    assert fields.from_ip == FORGER, fields.problems
    # SPF judges the real client and fails; the field still says the client wrote part of it.
    report = _analyze(received)
    assert report.spf is not None and (report.spf.client_ip, report.spf.result) == (FORGER, "fail")
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert any(f.id == "hops.greeting_injection" for f in report.findings)


def test_a_greeting_that_also_copies_exims_name_authenticates_nothing() -> None:
    # Forgery: the greeting copies Exim's record, a "by" and "(Exim 4.96)" before Postfix's own
    # record. The receiver cannot be told from the text (the first "by" names Exim), but the
    # field holds two "by" clauses: whatever address is read, SPF vouches for nothing.
    report = _analyze(f"Received: from x ([198.51.100.20] helo=mx.bank.example) by mx.example.net with esmtp "
                      f"(Exim 4.96) (unknown [{FORGER}])\n\t{_POSTFIX}\n")
    assert any(f.id == "hops.greeting_injection" for f in report.findings)
    assert report.verdict.status != "authenticated", report.verdict.summary


def test_an_exim_record_alone_is_read_as_before() -> None:
    for value in (f"from mail.bank.example ([198.51.100.20]:51234 helo=mail.bank.example) {_EXIM_TAIL}",
                  f"from [198.51.100.20] (port=51234 helo=mail.bank.example) {_EXIM_TAIL}"):
        fields = parse_received(" ".join(value.split()))
        assert (fields.from_ip, fields.from_helo, fields.problems) == ("198.51.100.20", "mail.bank.example", ())
