"""The safety net for a boundary field holding the client's text the parser could not place
(verification V53f): an Exim ident reply breaking out of Exim's record, a quoted address that cannot
be read as one unit. The field is marked hops.greeting_injection, and no favourable reading rests on
it: no login, no webmail, no sent copy, no submission inside the provider. A field cut off after its
from part is distrusted too, in words that say it is cut.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report
from headerscope.received import parse_received

NOW = datetime(2024, 11, 6, tzinfo=timezone.utc)
FORGER = "45.67.89.10"
_DATE = "Tue, 05 Nov 2024 16:12:34 +0000"
_DNS = {
    "example.net": {"TXT": [["v=spf1 ip4:192.0.2.0/24 -all"]]},
    "_dmarc.example.net": {"TXT": [["v=DMARC1; p=reject"]]},
    "bank.example": {"TXT": [["v=spf1 ip4:198.51.100.0/24 -all"]]},
    "_dmarc.bank.example": {"TXT": [["v=DMARC1; p=reject"]]},
}


def _analyze(received: str, sender: str = "president@example.net") -> Report:
    raw = (f"Return-Path: <{sender}>\r\n{received}From: Boss <{sender}>\r\nTo: victim@example.net\r\n"
           "Subject: Wire transfer today\r\nDate: Tue, 05 Nov 2024 16:12:30 +0000\r\n"
           "Message-ID: <20241105161230.1234@example.net>\r\n\r\nPay.\r\n").encode()
    return headerscope.analyze(raw, resolver=SnapshotResolver(_DNS), now=NOW)


def _exim(record: str, ident: str, protocol: str = "esmtp", sender: str = "president@example.net") -> str:
    # Exim's two forms: "rdns ([IP]:port helo=NAME ident=USER)" and "[IP] (port=N helo=NAME ident=USER)".
    opening = (f"from host.forger.example ([{FORGER}]:51234 helo=mail.example.net ident={ident})" if record == "rdns"
               else f"from [{FORGER}] (port=51234 helo=mail.example.net ident={ident})")
    return (f"Received: {opening}\r\n\tby mx.example.net with {protocol} (Exim 4.96)\r\n"
            f"\t(envelope-from <{sender}>)\r\n\tid 1tA2bC-000123-4x\r\n\tfor victim@example.net; {_DATE}\r\n")


def _marked(report: Report) -> bool:
    return any(f.id == "hops.greeting_injection" and f.severity.value == "danger" for f in report.findings)


# RFC 1413 replies that end Exim's record early (Exim keeps the reply's parentheses and spaces,
# verify.c: string_printing(string_copyn(p, 127))): each adds what a receiver writes after a client
# record, a bare address literal, a login comment, webmail, an authenticated protocol (V53f D1-1, D1-2).
IDENT_BREAKOUTS = ["x) [198.51.100.20] (x", "x) [IPv6:2001:db8::1] (x", "x) (Authenticated sender: president) (x",
                   "x) (authenticated as president) (x", "x) via HTTP (x", "x) with esmtpa (x",
                   "x) (authenticated bits=0) (x"]


@pytest.mark.parametrize("record", ["rdns", "literal"])
@pytest.mark.parametrize("ident", IDENT_BREAKOUTS)
def test_an_ident_reply_breaking_out_of_exims_record_adds_nothing_and_is_said(record: str, ident: str) -> None:
    fields = parse_received(" ".join(_exim(record, ident).split(":", 1)[1].split()))
    assert (fields.from_ip, fields.auth, fields.via, fields.protocol) == (FORGER, None, None, "esmtp")
    assert any(p.startswith("the client's ident reply holds text after the receiver's record") for p in fields.problems)


@pytest.mark.parametrize("record", ["rdns", "literal"])
@pytest.mark.parametrize("ident", IDENT_BREAKOUTS)
def test_a_spoof_whose_ident_breaks_out_reads_spoofed(record: str, ident: str) -> None:
    # Forgery: the forger's identd answers with text closing Exim's record. On the old code the bare
    # literal became the client (AUTHENTICATED on bank.example's SPF, no finding), and a login or
    # "via HTTP" made a spoof of p=reject example.net read NOT CHECKED as a sent copy.
    sender = "service@bank.example" if "[" in ident else "president@example.net"
    report = _analyze(_exim(record, ident, sender=sender), sender=sender)
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert report.spf is not None and (report.spf.client_ip, report.spf.result) == (FORGER, "fail")
    assert _marked(report)
    assert not any(f.id == "hops.submission_only" for f in report.findings)
    assert report.hops[0].fields.auth is None


@pytest.mark.parametrize("ident", ["a b", "x(y)z", '"x"', "x[1]"])
def test_an_ident_reply_with_characters_no_account_name_has_is_said(ident: str) -> None:
    fields = parse_received(" ".join(_exim("literal", ident).split(":", 1)[1].split()))
    assert fields.from_ip == FORGER
    assert any(p.startswith("the client's ident reply holds characters no account name has") for p in fields.problems)


def test_a_plain_ident_reads_as_before() -> None:
    fields = parse_received(" ".join(_exim("rdns", "exim-user.1").split(":", 1)[1].split()))
    assert (fields.from_ip, fields.ident, fields.problems) == (FORGER, "exim-user.1", ())


def test_the_safety_net_switches_off_a_login_read_from_a_marked_field() -> None:
    # An Exim submission whose ident reply holds a space: nothing broke out, but the field holds the
    # client's text the parser cannot place, so "with esmtpsa" there is no sent copy's submission.
    # On the old code: NOT CHECKED, "a sent copy ... after a login (esmtpsa)".
    report = _analyze(_exim("rdns", "a b", protocol="esmtpsa"))
    assert _marked(report)
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert not any(f.id in ("hops.submission_only", "hops.internal_only") for f in report.findings)
    assert report.hops[0].role.value != "msa" and report.hops[0].fields.auth is None
    # Control: the same stamp with a plain ident is the sender's copy of a submission.
    control = _analyze(_exim("rdns", "ab", protocol="esmtpsa"))
    assert control.verdict.status == "not_checked" and not _marked(control)


def _exim_envelope(mail_from: str) -> str:
    return (f"Received: from host.forger.example ([{FORGER}]:51234 helo=mx.bank.example)\r\n"
            "\tby mx.example.net with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384\r\n\t(Exim 4.96)\r\n"
            f"\t(envelope-from <{mail_from}>)\r\n\tid 1tA2bC-000123-4x\r\n\tfor victim@example.net; {_DATE}\r\n")


# Quoted addresses the unit reading refuses (728dcc8's bounds and its "by" guard), V53f D1-3.
UNBOUNDED = [
    _exim_envelope('"x) via HTTP (by"@example.net'),
    _exim_envelope('"x) via HTTP (x"."a"."b"."c"."d"@example.net'),
    _exim_envelope('"x) via HTTP (' + "y" * 1030 + '"@example.net'),
    (f"Received: from host.forger.example (unknown [{FORGER}])\r\n\tby mx.example.net (Postfix) with ESMTPS id 4XjK2\r\n"
     f'\tfor <"victim+{"y" * 1030}) (authenticated as president) (x"@example.net>; {_DATE}\r\n'),
]


@pytest.mark.parametrize("received", UNBOUNDED)
def test_a_quoted_address_that_cannot_be_bounded_marks_the_field_and_reads_spoofed(received: str) -> None:
    fields = parse_received(" ".join(received.split(":", 1)[1].split()))
    assert any(p.startswith("the client's quoted address cannot be bounded") for p in fields.problems)
    # Forgery: on the old code each read NOT CHECKED, a webmail or login sent copy.
    report = _analyze(received)
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert _marked(report)
    assert not any(f.id == "hops.submission_only" for f in report.findings)


@pytest.mark.parametrize("value", [
    # Postfix's TLS client certificate: quotes and nested parentheses, the receiver's own words.
    f'from mail.bank.example (mail.bank.example [198.51.100.20]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 '
    f'(256/256 bits)) (Client CN "mail.bank.example", Issuer "R3" (verified OK)) by mx.example.net (Postfix) '
    f'with ESMTPS id 4XjK2 for <victim@example.net>; {_DATE}',
    # A quoted display name in "for <...>" (Salesforce), a comment after it.
    'from 127.0.0.1 (localhost. [127.0.0.1]) by eaas-14 (EaaS) id <3Thv@sfdc.net> for <"a@gmail.com" <a@gmail.com>> '
    'Sat, 5 Oct 2024 00:48:25 GMT (GMT)',
    f'from mail.bank.example ([198.51.100.20]:1 helo=mail.bank.example) by mx.example.net with esmtp (Exim 4.96) '
    f'(envelope-from <"john doe"@bank.example>) id 1 for "a b"@example.net; {_DATE}',
])
def test_quotes_the_receiver_writes_mark_nothing(value: str) -> None:
    assert not any("cannot be bounded" in p for p in parse_received(value).problems)


def test_a_field_cut_after_its_from_part_is_said_to_be_cut_and_trusted_for_nothing() -> None:
    # A paste that lost the continuation lines: no "by", no date. Not an injection, but the address in
    # it is no receiver's record for certain (V53f D3-1: the old words said the greeting wrote it).
    report = _analyze("Received: from mail.bank.example (mail.bank.example [198.51.100.20])\r\n",
                      sender="service@bank.example")
    found = [f for f in report.findings if f.id == "hops.greeting_injection"]
    assert len(found) == 1 and found[0].severity.value == "danger"
    assert "cut off" in found[0].title and "greeting" not in found[0].title + found[0].explanation
    assert report.verdict.status != "authenticated", report.verdict.summary


def test_a_marked_field_is_no_customers_submission_inside_the_provider() -> None:
    # Forgery: a Postfix greeting holding clause words ("x by evil") before a login comment, the
    # provider's own mailbox hop above. The field is marked, yet on the old code the login made it
    # the provider's customer submitting inside it (hops.internal_only, verdict.submitted_inside):
    # "Unauthenticated: sent by a customer of example.net ..., every hop is inside it" (SPF not judged).
    report = _analyze(
        "Received: from mx.example.net (mx.example.net [192.0.2.5])\r\n\tby mbox.example.net with LMTP id kLm3 "
        f"for <victim@example.net>; Tue, 05 Nov 2024 16:12:36 +0000\r\nReceived: from x by evil (x [{FORGER}])\r\n"
        "\t(Authenticated sender: president@example.net)\r\n\tby mx.example.net (Postfix) with ESMTPSA id 4XjK2\r\n"
        f"\tfor <victim@example.net>; {_DATE}\r\n")
    assert _marked(report)
    assert not any(f.id in ("hops.internal_only", "hops.submission_only") for f in report.findings)
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert report.spf is not None and (report.spf.client_ip, report.spf.result) == (FORGER, "fail")


def test_a_marked_delivery_hop_names_no_login() -> None:
    # Dovecot LMTP quotes the MAIL FROM in its delivery stamp, above the boundary: a quoted address it
    # cannot bound gave that hop "auth HTTP, via HTTP" on the old code (V53f, the V50a D2 shape).
    mail_from = '"x) via HTTP (by"@example.net'
    lmtp = (f"Received: from mx.example.net by mx.example.net with LMTP id kLm3AbCdZ2cAbC00d0cE0w\r\n"
            f"\t(envelope-from <{mail_from}>)\r\n\tfor <victim@example.net>; {_DATE}\r\n")
    postfix = (f"Received: from host.forger.example (unknown [{FORGER}])\r\n\tby mx.example.net (Postfix) with ESMTPS"
               f" id 4XjK2m1Qz9z1234\r\n\tfor <victim@example.net>; {_DATE}\r\n")
    report = _analyze(lmtp + postfix, sender=mail_from)
    assert [(hop.fields.auth, hop.fields.via) for hop in report.hops] == [(None, None), (None, None)]
    assert report.verdict.status == "spoofed", report.verdict.summary


# qmail-smtpd writes tcpserver's $TCPREMOTEINFO as "(remoteinfo@IP)", and tcpserver asks the client's
# identd for it by default (tcpserver(1): "-r (Default.)"): on a qmail without SMTP AUTH the forger's
# identd answers anything qmail's received.c lets through ([A-Za-z0-9.@%+/=:-], the rest turned to "?").
QMAIL_IDENT_CLAIMS = ["president@example.net", "alice", "Authenticated:president", "auth:president@example.net",
                      "c2VjcmV0+Zm9v="]


def _qmail(ident: str, address: str = FORGER, protocol: str = "SMTP") -> str:
    return (f"Received: from unknown (HELO mail.example.net) ({ident}@{address})\r\n"
            f"  by mx.example.net with {protocol}; 5 Nov 2024 16:12:34 -0000\r\n")


@pytest.mark.parametrize("address", [FORGER, f"[{FORGER}]"])
@pytest.mark.parametrize("ident", QMAIL_IDENT_CLAIMS)
def test_a_spoof_whose_identd_answers_a_login_at_a_qmail_receiver_reads_spoofed(ident: str, address: str) -> None:
    # Forgery: on the old code "president@example.net" (an "@"), "Authenticated:president" (an
    # AUTHPREPEND-like prefix) or "c2VjcmV0+Zm9v=" (no plain account name) read as a login, and
    # this spoof of p=reject example.net read NOT CHECKED, "a sent copy ... after a login".
    report = _analyze(_qmail(ident, address))
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert report.spf is not None and (report.spf.client_ip, report.spf.result) == (FORGER, "fail")
    assert not any(f.id in ("hops.submission_only", "hops.internal_only") for f in report.findings)
    hop = report.hops[0]
    assert (hop.fields.auth, hop.fields.ident, hop.role.value) == (None, ident, "MTA")


def test_a_qmail_ident_claim_with_brackets_or_quotes_is_said() -> None:
    # qmail's received.c writes neither; a receiver that keeps them could be made to show a record
    # of the client's choosing, so the field is marked as the Exim ident reply is.
    report = _analyze(_qmail('x"[198.51.100.20]'))
    assert _marked(report)
    assert report.verdict.status == "spoofed", report.verdict.summary


def test_a_qmail_login_where_the_stamp_says_the_client_logged_in_reads_as_before() -> None:
    # "with ESMTPA" (RFC 3848) is the receiver's own record of the login: a sent copy, as before.
    report = _analyze(_qmail("president@example.net", protocol="ESMTPA"))
    assert report.hops[0].fields.auth == "ESMTPA (authenticated as president@example.net)"
    assert report.hops[0].role.value == "MSA"
    assert report.verdict.status != "spoofed", report.verdict.summary
