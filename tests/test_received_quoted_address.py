"""An address the receiver copies from the client, "(envelope-from <MAIL FROM>)" or "for <RCPT TO>",
is the sender's text (RFC 5321 section 4.4), whatever its quoted local part holds.

Verification V50a D1-3: MAIL FROM <"x) via HTTP (x"@example.net> made Exim write
'(envelope-from <"x) via HTTP (x"@example.net>)', read by parentheses alone as a comment, the words
"via HTTP" and another comment: a spoof of a p=reject domain read as a webmail sent copy (NOT CHECKED).
Through Dovecot LMTP the same MAIL FROM put a login on the delivery hop.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import headerscope
from headerscope import received
from headerscope.addresses import envelope_address
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report
from headerscope.received import _parse, parse_received

NOW = datetime(2024, 11, 6, tzinfo=timezone.utc)
FORGER = "45.67.89.10"
_DATE = "Tue, 05 Nov 2024 16:12:34 +0000"
_DNS = {
    "example.net": {"TXT": [["v=spf1 ip4:192.0.2.0/24 -all"]]},
    "_dmarc.example.net": {"TXT": [["v=DMARC1; p=reject"]]},
    "bank.example": {"TXT": [["v=spf1 ip4:198.51.100.0/24 -all"]]},
    "_dmarc.bank.example": {"TXT": [["v=DMARC1; p=reject"]]},
}
_HEADERS = ("From: President <president@example.net>\r\nTo: victim@example.net\r\nSubject: Wire transfer today\r\n"
            "Date: Tue, 05 Nov 2024 16:12:30 +0000\r\nMessage-ID: <20241105161230.1234@example.net>\r\n\r\nPay.\r\n")


def _exim(mail_from: str) -> str:
    return (f"Received: from host.forger.example ([{FORGER}]:51234 helo=mx.bank.example)\r\n"
            "\tby mx.example.net with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384\r\n\t(Exim 4.96)\r\n"
            f"\t(envelope-from <{mail_from}>)\r\n\tid 1tA2bC-000123-4x\r\n\tfor victim@example.net; {_DATE}\r\n")


def _analyze(return_path: str, received: str) -> Report:
    raw = f"Return-Path: <{return_path}>\r\n{received}{_HEADERS}".encode()
    return headerscope.analyze(raw, resolver=SnapshotResolver(_DNS), now=NOW)


BREAKOUTS = ['"x) via HTTP (x"@example.net', '"x) (authenticated as president) (x"@example.net',
             '"x\\" ) via HTTP (x"@example.net', '"x) (Authenticated sender: president) (x"@example.net']


@pytest.mark.parametrize("mail_from", BREAKOUTS)
def test_a_mail_from_breaking_out_of_exims_envelope_from_is_read_as_one_address(mail_from: str) -> None:
    fields = _parse(_exim(mail_from).split(":", 1)[1].strip())
    assert (fields.from_ip, fields.auth, fields.via, fields.protocol) == (FORGER, None, None, "esmtps")
    assert fields.envelope_from == mail_from
    assert fields.complete, fields.problems


@pytest.mark.parametrize("mail_from", BREAKOUTS)
def test_a_spoof_whose_mail_from_breaks_out_reads_as_the_plain_one_does(mail_from: str) -> None:
    # The same message with a plain MAIL FROM reads spoofed: SPF fails for the forger's address.
    control = _analyze("x@example.net", _exim("x@example.net"))
    assert control.verdict.status == "spoofed"
    report = _analyze(mail_from, _exim(mail_from))
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert report.spf is not None and (report.spf.client_ip, report.spf.result, report.spf.domain) == (
        FORGER, "fail", "example.net")


def test_dovecot_lmtps_envelope_from_never_gives_the_delivery_a_login() -> None:
    mail_from = '"x) (authenticated as president) (x"@example.net'
    lmtp = ("from mx.example.net by mx.example.net with LMTP id kLm3AbCdZ2cAbC00d0cE0w "
            f"(envelope-from <{mail_from}>) for <victim@example.net>; {_DATE}")
    fields = parse_received(lmtp)
    assert (fields.auth, fields.envelope_from, fields.for_, fields.complete) == (
        None, mail_from, "<victim@example.net>", True)
    postfix = (f"Received: from host.forger.example (unknown [{FORGER}])\r\n\tby mx.example.net (Postfix) with ESMTPS"
               f" id 4XjK2m1Qz9z1234\r\n\tfor <victim@example.net>; {_DATE}\r\n")
    report = _analyze(mail_from, f"Received: {lmtp}\r\n{postfix}")
    assert [hop.fields.auth for hop in report.hops] == [None, None]
    assert report.verdict.status == "spoofed"


@pytest.mark.parametrize("local", ['"x) via HTTP (x"', '"' + "y" * 300 + ') (authenticated as president) (x"'])
def test_a_quoted_rcpt_to_is_one_address(local: str) -> None:
    # Postfix's "for <RCPT TO>": a quoted local part longer than a path may be (RFC 5321 section
    # 4.5.3.1.3 says 256 octets; Postfix takes more) had its parentheses read as comments: a login.
    fields = parse_received(f"from host.forger.example (unknown [{FORGER}]) by mx.example.net (Postfix) with ESMTPS "
                            f"id 4XjK2m1Qz9z1234 for <{local}@example.net>; {_DATE}")
    assert (fields.from_ip, fields.auth, fields.via, fields.for_) == (FORGER, None, None, f"<{local}@example.net>")
    assert fields.complete, fields.problems


@pytest.mark.parametrize(("greeting", "rcpt"), [
    ('x (mx.bank.example [198.51.100.20]) (envelope-from <"a', '"b>)"@c'),
    ('x (mx.bank.example [198.51.100.20]) for <"a', '"b>"@c'),
    ('x (mx.bank.example [198.51.100.20]) "a', '"b"@c'),
])
def test_a_greeting_that_opens_an_address_never_swallows_the_receivers_record(greeting: str, rcpt: str) -> None:
    # Forgery: a Postfix greeting (written verbatim) with a record of the bank's address, then an
    # envelope-from comment, an address or a quoted string opened, the RCPT TO closing it. Read as
    # one address the receiver's "(unknown [IP]) by mx" would be in it and the greeting's record
    # the only one. No address holding "by" is one unit; a field whose "by" was taken into a
    # comment or quoted string (as the last two were before) authenticates nothing.
    value = (f"from {greeting} (unknown [{FORGER}]) by mx.example.net (Postfix) with ESMTPS id 4XjK2 "
             f"for <{rcpt}>; {_DATE}")
    assert all(value[at:end].count(FORGER) == 0 for at, end in received._quoted_angle_spans(value)[0].items())
    bank = ("Return-Path: <service@bank.example>\r\nFrom: Bank <service@bank.example>\r\nTo: victim@example.net\r\n"
            "Subject: Your account\r\nDate: Tue, 05 Nov 2024 16:12:30 +0000\r\n\r\nLog in.\r\n")
    report = headerscope.analyze(f"Received: {value}\r\n{bank}".encode(), resolver=SnapshotResolver(_DNS), now=NOW)
    assert report.verdict.status != "authenticated", report.verdict.summary
    assert any(f.id == "hops.greeting_injection" for f in report.findings)


def test_envelope_address_keeps_a_quoted_local_part_whole() -> None:
    assert envelope_address('"x) via HTTP (x"@example.net') == '"x) via HTTP (x"@example.net'
    assert envelope_address('"a b"@example.net trailing') == '"a b"@example.net'
    assert envelope_address("x@example.net (comment)") == "x@example.net"
