"""Shared hosting's mail (cPanel/Exim, PHP mail(), GoDaddy), as verification V57c found it read:
a form's message delivered on the same server, a site's own form mail without DKIM, a contact
form writing the visitor's address into From:, cPanel's from_h sender, and a submission server
that records no name. The messages are built here in the fields' real formats (cPanel's Exim
local pickup, X-PHP-Script, X-Get-Message-Sender-Via, GoDaddy's "by :SMTPAUTH:")."""

from __future__ import annotations

from typing import Any

import pytest

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Finding, Report, Severity
from headerscope.scan.runner import summarize

# cPanel's PHP form hand-over on server1.hostco.example (Exim's local pickup, uid 1056), as the
# real copies have it: X-Get-Message-Sender-Via's "/from_h" and X-Authenticated-Sender repeating From:.
_LOCAL = """\
Received: from shopuser by server1.hostco.example with local (Exim 4.96.2)
\t(envelope-from <shopuser@server1.hostco.example>)
\tid 1vo1fk-000PVh-3D
\tfor info@shop.example;
\tThu, 12 Mar 2026 10:41:20 -0500
To: info@shop.example
Subject: Quote request
X-PHP-Script: shop.example/index.php for 198.51.100.77
X-PHP-Originating-Script: 1056:PHPMailer.php
Date: Thu, 12 Mar 2026 15:41:19 +0000
From: Jane Visitor <FROM>
Message-ID: <ZQd7Fb3kLmPq9sT2@shop.example>
X-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
X-AntiAbuse: This header was added to track abuse, please include it with any abuse report
X-AntiAbuse: Primary Hostname - server1.hostco.example
X-AntiAbuse: Original Domain - shop.example
X-AntiAbuse: Originator/Caller UID/GID - [1056 1051] / [47 12]
X-Get-Message-Sender-Via: server1.hostco.example: authenticated_id: shopuser/from_h
X-Authenticated-Sender: server1.hostco.example: FROM

Hello, could you send me a quote?
"""

# The copy delivered on the same server (Exim's Return-Path, Envelope-to) ...
_DELIVERED_LOCALLY = """\
Return-Path: <shopuser@server1.hostco.example>
Envelope-to: info@shop.example
Delivery-date: Thu, 12 Mar 2026 10:41:20 -0500
""" + _LOCAL

# ... and the copy sent to Gmail (the form's site mailbox is hosted there).
_SENT_OUT = """\
Delivered-To: info@shop.example
Received: by 2002:a05:6214:5d0c:b0:6f5:4c21:9a3e with SMTP id fb2csp1201847qvb;
        Thu, 12 Mar 2026 08:41:23 -0700 (PDT)
Return-Path: <shopuser@server1.hostco.example>
Received: from server1.hostco.example (server1.hostco.example. [203.0.113.10])
        by mx.google.com with ESMTPS id 5b1f17b1804b1-43d2a8c9f1esi1234567f9.112.2026.03.12.07.41.22
        for <info@shop.example>
        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);
        Thu, 12 Mar 2026 08:41:22 -0700 (PDT)
Authentication-Results: mx.google.com;
       spf=pass (google.com: domain of shopuser@server1.hostco.example designates 203.0.113.10 as permitted sender) smtp.mailfrom=shopuser@server1.hostco.example;
       dmarc=fail (p=QUARANTINE sp=QUARANTINE dis=QUARANTINE) header.from=FROMDOMAIN
""" + _LOCAL

_HOST_SPF = "v=spf1 +a +mx +ip4:203.0.113.10 ~all"
_DNS: dict[str, Any] = {
    "shop.example": {"TXT": [[_HOST_SPF]], "MX": ["0 shop.example."], "A": ["203.0.113.10"]},
    "_dmarc.shop.example": {"TXT": [["v=DMARC1; p=quarantine"]]},
    "server1.hostco.example": {"TXT": [[_HOST_SPF]], "A": ["203.0.113.10"]},
    "10.113.0.203.in-addr.arpa": {"PTR": ["server1.hostco.example."]},
    "example.net": {"TXT": [["v=spf1 -all"]]},
    "_dmarc.example.net": {"TXT": [["v=DMARC1; p=reject"]]},
}


def _message(template: str, sender: str) -> bytes:
    domain = sender.rpartition("@")[2]
    return template.replace("FROMDOMAIN", domain).replace("FROM", sender).replace("\n", "\r\n").encode()


def _analyze(raw: bytes, dns: dict[str, Any] | None = None) -> Report:
    return headerscope.analyze(raw, resolver=SnapshotResolver(_DNS if dns is None else dns))


def _finding(report: Report, finding_id: str) -> Finding | None:
    return next((f for f in report.findings if f.id == finding_id), None)


# D-4: delivered inside the receiving system.

def test_a_form_message_delivered_on_its_own_server_says_dmarc_as_an_outside_receiver_would() -> None:
    report = _analyze(_message(_DELIVERED_LOCALLY, "visitor@example.net"))
    assert report.verdict.status == "unauthenticated"
    assert "do not apply" in report.verdict.summary
    found = _finding(report, "dmarc.fail")
    assert found is not None
    # No danger, no disposition no one took, under a line that says DMARC does not apply.
    assert found.severity is Severity.INFO
    assert found.title == "DMARC would fail for example.net at a receiver outside (policy reject)"
    assert "no receiver applied DMARC to it and no disposition was taken" in found.explanation
    assert "Sent as it is to a receiver outside, it would fail there" in found.explanation
    # The computed result stays, for the record; the row applies no disposition.
    assert report.dmarc is not None and report.dmarc.result == "fail"
    assert report.dmarc.disposition is None
    assert report.dmarc.explanation.startswith("not applicable: a program on server1.hostco.example handed it")
    # scan: dmarc=fail still finds the computed result; no failing reason raises an alarm.
    row = summarize(0, "local", report)
    assert row.dmarc == "fail"
    assert "dmarc.fail" not in row.failing_reasons and "dmarc.fail" in row.other_findings


def test_the_same_form_message_arriving_from_outside_keeps_its_danger() -> None:
    # Forgery check: the local hand-over below a public client's hop is the sender's own record,
    # no reason to say DMARC does not apply.
    report = _analyze(_message(_SENT_OUT, "visitor@example.net"))
    assert "do not apply" not in report.verdict.summary
    assert report.verdict.status == "spoofed"
    found = _finding(report, "dmarc.fail")
    assert found is not None and found.severity is Severity.DANGER
    assert found.title == "DMARC fail for example.net (policy reject, disposition reject)"
    assert report.dmarc is not None and report.dmarc.disposition == "reject"
    assert "dmarc.fail" in summarize(0, "out", report).failing_reasons


# D-3: the site's own form mail without DKIM, from the server shop.example's own SPF lists.

def test_a_from_domain_whose_own_spf_lists_the_client_is_not_told_ceo_fraud() -> None:
    report = _analyze(_message(_SENT_OUT, "wordpress@shop.example"))
    # The status is the policy's, as receivers apply it: words only change.
    assert report.verdict.status == "spoofed"
    assert ("The SPF record of shop.example itself lists the server that sent it (203.0.113.10, matched +a), but "
            "the envelope sender was shopuser@server1.hostco.example, of another domain, so SPF did not align with "
            "shop.example") in report.verdict.summary
    assert "on shared hosting, for every other tenant of that server too" in report.verdict.summary
    found = _finding(report, "envelope.own_domain_from_outside")
    assert found is not None and found.severity is Severity.WARNING
    assert "CEO fraud" not in found.explanation and "not one of" not in found.explanation
    assert found.title == ("From: claims the recipients' own organisation (shop.example), sent from a server its "
                           "SPF lists, without an aligned envelope sender or signature")
    assert "the fix: an envelope sender of the domain, -f, and DKIM for it" in found.explanation
    # The domain's SPF answer is evidence like the other SPF checks' (shop.example's TXT and A).
    assert any(e.name == "shop.example" and e.rdtype == "TXT" for e in report.dns)


def test_a_server_the_from_domain_s_spf_does_not_list_is_still_how_ceo_fraud_looks() -> None:
    # Forgery check: another server, its own envelope domain passing SPF, writing as shop.example.
    raw = _message(_SENT_OUT, "ceo@shop.example").replace(b"203.0.113.10", b"192.0.2.66")
    dns = {**_DNS, "server1.hostco.example": {"TXT": [["v=spf1 ip4:192.0.2.66 -all"]], "A": ["192.0.2.66"]},
           "66.2.0.192.in-addr.arpa": {"PTR": ["server1.hostco.example."]}}
    report = _analyze(raw, dns)
    assert report.verdict.status == "spoofed"
    assert "lists the server that sent it" not in report.verdict.summary
    found = _finding(report, "envelope.own_domain_from_outside")
    assert found is not None and "how CEO fraud looks" in found.explanation


# D-2: a contact form writing the visitor's address into From:.

def test_a_form_writing_the_visitor_into_from_is_told_the_cause_and_the_fix() -> None:
    report = _analyze(_message(_SENT_OUT, "visitor@example.net"))
    found = _finding(report, "dmarc.program_third_party_from")
    assert found is not None and found.severity is Severity.NOTICE
    assert found.title == ("A program on shop.example wrote visitor@example.net into From: and sent it to the site's "
                           "own info@shop.example: DMARC for example.net cannot pass from there")
    assert "what a contact form does when it writes the visitor's address into From:" in found.explanation
    assert ("put an address of the site's own domain in From:, and the visitor's address in Reply-To:"
            in found.explanation)
    # Words only: the verdict is the policy's.
    assert report.verdict.status == "spoofed"


def test_the_same_message_to_an_outside_mailbox_or_without_a_program_gets_no_form_diagnosis() -> None:
    # Forgery check: to someone else's mailbox the "site" is not the recipient's own, and a local
    # hand-over without any field naming a program is no form.
    elsewhere = _message(_SENT_OUT, "visitor@example.net").replace(b"info@shop.example", b"bob@elsewhere.example")
    assert _finding(_analyze(elsewhere), "dmarc.program_third_party_from") is None
    plain = b"\r\n".join(line for line in _message(_SENT_OUT, "visitor@example.net").split(b"\r\n")
                         if not line.startswith((b"X-PHP", b"X-AntiAbuse", b"X-Get-Message", b"X-Authenticated",
                                                 b"X-Mailer")))
    assert _finding(_analyze(plain), "dmarc.program_third_party_from") is None
    # The site's own address in From: is dmarc.host_envelope_sender's case, not this.
    assert _finding(_analyze(_message(_SENT_OUT, "wordpress@shop.example")), "dmarc.program_third_party_from") is None


# D-1: cPanel's from_h: X-Authenticated-Sender repeats From:, no login.

def test_from_h_s_authenticated_sender_is_the_from_address_not_a_login() -> None:
    found = _finding(_analyze(_message(_SENT_OUT, "visitor@example.net")), "origin.program")
    assert found is not None
    assert "the login visitor@example.net" not in found.explanation
    assert ("X-Authenticated-Sender (header 22) repeats the From: address visitor@example.net, no login: "
            "server1.hostco.example's from_h took it from the From: header, and the hosting account shopuser sent "
            "the message") in found.explanation
    assert "took it from the account shopuser (from_h: a local hand-over by that hosting account" in found.explanation


def test_a_mailbox_login_s_authenticated_sender_stays_a_login() -> None:
    raw = _message(_SENT_OUT, "tom@shop.example").replace(
        b"authenticated_id: shopuser/from_h", b"authenticated_id: tom@shop.example")
    found = _finding(_analyze(raw), "origin.program")
    assert found is not None
    assert "took it from the login tom@shop.example" in found.explanation


# A Sieve vacation reply (RFC 5230: the null MAIL FROM of RFC 3834 section 3.3) from example.org's
# own mail server, whose HELO name publishes no SPF record (verification V57a D2-3).
_VACATION = """\
Delivered-To: ceo@example.com
Received: by 2002:a05:6214:5d0c:b0:6f5:4c21:9a3e with SMTP id fb2csp1201848qvb;
        Thu, 12 Mar 2026 08:41:23 -0700 (PDT)
Return-Path: <>
Received: from mail.example.org (mail.example.org. [198.51.100.20])
        by mx.google.com with ESMTPS id 5b1f17b1804b1-43d2a8c9f1esi1234568f9.112.2026.03.12.07.41.22
        for <ceo@example.com>
        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);
        Thu, 12 Mar 2026 08:41:22 -0700 (PDT)
Auto-Submitted: auto-replied (vacation)
From: Bob Builder <bob@example.org>
To: ceo@example.com
Subject: Automatic reply: Q4 plan
Date: Thu, 12 Mar 2026 15:41:21 +0000
Message-ID: <vacation.1@mail.example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

I am away until Monday.
"""

_VACATION_DNS: dict[str, Any] = {
    "example.org": {"TXT": [["v=spf1 ip4:198.51.100.20 -all"]]},
    "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject"]]},
    "mail.example.org": {"A": ["198.51.100.20"]},
    "20.100.51.198.in-addr.arpa": {"PTR": ["mail.example.org."]},
}


def test_a_null_sender_reply_from_the_from_domains_own_server_says_the_helo_name_is_why() -> None:
    raw = _VACATION.replace("\n", "\r\n").encode()
    report = _analyze(raw, _VACATION_DNS)
    assert report.verdict.status == "spoofed"  # receivers apply p=reject: the status is the policy's
    summary = report.verdict.summary
    assert "lists the server that sent it (198.51.100.20, matched ip4:198.51.100.20)" in summary
    assert "the envelope sender was empty" in summary and "SPF judged the HELO name mail.example.org" in summary
    assert "publishes no SPF record" in summary and "an SPF record for mail.example.org" in summary
    # Matched by ip4, not by a or mx: no shared-hosting caveat.
    assert "every other tenant" not in summary


def test_a_null_sender_from_a_server_the_from_domain_does_not_list_gets_no_such_words() -> None:
    dns = {**_VACATION_DNS, "example.org": {"TXT": [["v=spf1 ip4:192.0.2.1 -all"]]}}
    report = _analyze(_VACATION.replace("\n", "\r\n").encode(), dns)
    assert report.verdict.status == "spoofed"
    assert "lists the server" not in report.verdict.summary


# Attack pass V58c: the words above must not soften a forgery.

@pytest.mark.parametrize("record", [
    "v=spf1 include:_spf.provider.example -all",  # a shared provider's servers, every customer's
    "v=spf1 redirect=_spf.provider.example",
    "v=spf1 +all",
    "v=spf1 ptr:provider.example -all",
    "v=spf1 ip4:192.0.2.0/16 -all",  # wider than one organisation's block
    "v=spf1 a:relay.provider.example -all",  # a host of another organisation
    "v=spf1 mx/16 -all",  # a network around the domain's host (V63b D-2)
    "v=spf1 a/0 -all",
    "v=spf1 a mx redirect=_spf.provider.example",  # matched in the redirect's target (V63b D-3)
])
def test_a_from_domain_spf_pass_through_a_shared_or_wide_term_keeps_the_ceo_fraud_words(record: str) -> None:
    # The forger's own account on a platform the victim's SPF lists sends from 192.0.2.66.
    raw = _message(_SENT_OUT, "ceo@shop.example").replace(b"203.0.113.10", b"192.0.2.66")
    dns = {**_DNS, "shop.example": {"TXT": [[record]], "MX": ["0 shop.example."], "A": ["203.0.113.10"]},
           "_spf.provider.example": {"TXT": [["v=spf1 ip4:192.0.2.0/24 -all"]]},
           "relay.provider.example": {"A": ["192.0.2.66"]},
           "66.2.0.192.in-addr.arpa": {"PTR": ["relay.provider.example."]},
           "server1.hostco.example": {"TXT": [["v=spf1 ip4:192.0.2.66 -all"]], "A": ["192.0.2.66"]}}
    report = _analyze(raw, dns)
    assert report.verdict.status == "spoofed"
    assert "lists the server that sent it" not in report.verdict.summary
    found = _finding(report, "envelope.own_domain_from_outside")
    assert found is not None and "how CEO fraud looks" in found.explanation


def test_a_null_sender_whose_helo_is_not_the_from_domains_gets_no_helo_advice() -> None:
    # A provider's relay name (or a forger's) is no name the domain can publish SPF for.
    raw = _VACATION.replace("mail.example.org", "relay7.provider.example").replace("\n", "\r\n").encode()
    dns = {**_VACATION_DNS, "20.100.51.198.in-addr.arpa": {"PTR": ["relay7.provider.example."]},
           "relay7.provider.example": {"A": ["198.51.100.20"]}}
    report = _analyze(raw, dns)
    assert report.verdict.status == "spoofed"
    assert "lists the server that sent it" not in report.verdict.summary


def test_a_form_diagnosis_needs_the_delivery_to_come_from_the_forms_server() -> None:
    # A phish from another server writing a local hop 1 and the program fields below its own.
    raw = _message(_SENT_OUT, "service@example.net").replace(
        b"from server1.hostco.example (server1.hostco.example. [203.0.113.10])",
        b"from vps.elsewhere.example (vps.elsewhere.example. [192.0.2.99])")
    dns = {**_DNS, "99.2.0.192.in-addr.arpa": {"PTR": ["vps.elsewhere.example."]},
           "vps.elsewhere.example": {"A": ["192.0.2.99"]}}
    assert _finding(_analyze(raw, dns), "dmarc.program_third_party_from") is None


# D-5: GoDaddy's submission servers write ":SMTPAUTH:" where their name goes.
_GODADDY = """\
Received: from p3plsmtpa07-05.prod.phx3.secureserver.net (p3plsmtpa07-05.prod.phx3.secureserver.net. [203.0.113.105])
        by mx.google.com with ESMTPS id 5b1f17b1804b1-43d2a8c9f1esi1234569f9.112.2026.03.12.07.41.22
        for <customer@example.com>
        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);
        Thu, 12 Mar 2026 08:41:22 -0700 (PDT)
Received: from [192.168.0.78] ([198.51.100.144])
        by :SMTPAUTH: with ESMTPSA
        id 2F6Hv7sQpXqJ52F6HvH0Qa; Thu, 12 Mar 2026 08:41:20 -0700
From: Tom Owner <tom@shop.example>
To: customer@example.com
Subject: Invoice
Date: Thu, 12 Mar 2026 15:41:19 +0000
Message-ID: <invoice.1@shop.example>

Attached.
"""


def test_a_submission_server_that_writes_a_token_for_its_name_is_not_named_by_it() -> None:
    report = _analyze(_GODADDY.replace("\n", "\r\n").encode(), {})
    assert report.hops[0].fields.by == ":SMTPAUTH:"  # the table shows what was written
    words = report.claimed_entry_words() or ""
    assert "where a server that wrote \u201c:SMTPAUTH:\u201d in place of its name took it from 198.51.100.144" in words
