"""A T-Online customer's own submission (verification V44f, D1): T-Online's submission hosts
(fwdNN.t-online.de) record no login ("esmtp", no ESMTPA), so a customer's hand-over there read as
a relay from outside, and mail between two T-Online mailboxes had the customer's home address
judged by t-online.de's SPF record. The chains below follow real T-Online stamps of 2022-2025
(addresses from the documentation ranges): (a) a customer's message to an outside recipient
(fwd, mailout, the recipient's MX), (b) mail from outside into a T-Online mailbox (mailin, LMTP
into the mailbox store), (c) a customer's message to another T-Online mailbox (fwd, LMTP)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import headerscope
from headerscope.hops import loginless_submission
from headerscope.model import Role, Severity
from headerscope.received import parse_received

# (a) To Gmail: the customer's program at home, fwd79, mailout11, Google's MX.
OUTBOUND = (
    b"Delivered-To: carol@gmail.com\r\n"
    b"Received: by 2002:a05:6a10:1234:b0:5a1:2b3c:4d5e with SMTP id abc123csp1234567pxb;\r\n"
    b"        Wed, 22 Jan 2025 11:01:32 -0800 (PST)\r\n"
    b"Return-Path: <alice@t-online.de>\r\n"
    b"Received: from mailout11.t-online.de (mailout11.t-online.de. [194.25.134.85])\r\n"
    b"        by mx.google.com with ESMTPS id a640c23a62f3a-aab123456789si1234567a.123.2025.01.22.11.01.31\r\n"
    b"        for <carol@gmail.com>\r\n"
    b"        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\r\n"
    b"        Wed, 22 Jan 2025 11:01:31 -0800 (PST)\r\n"
    b"Received: from fwd79.aul.t-online.de (fwd79.aul.t-online.de [10.223.144.105])\r\n"
    b"\tby mailout11.t-online.de (Postfix) with SMTP id 276E7219A\r\n"
    b"\tfor <carol@gmail.com>; Wed, 22 Jan 2025 20:01:31 +0100 (CET)\r\n"
    b"Received: from [192.168.178.52] ([198.51.100.84]) by fwd79.t-online.de\r\n"
    b"\twith (TLSv1.3:TLS_AES_256_GCM_SHA384 encrypted)\r\n"
    b"\tesmtp id 1tafyk-0y5Sb20; Wed, 22 Jan 2025 20:01:30 +0100\r\n"
    b"Message-ID: <d7fd0b1c-98fe-4cc3-b657-c2c3d0bc5c47@t-online.de>\r\n"
    b"Date: Wed, 22 Jan 2025 20:01:31 +0100\r\n"
    b"From: Alice Example <alice@t-online.de>\r\nTo: carol@gmail.com\r\nSubject: hello\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello\r\n")

# (b) From a city's server into a T-Online mailbox: T-Online's MX (mailin27), then LMTP.
INBOUND = (
    b"Return-Path: <no-reply@stadt.example>\r\n"
    b"Received: from mailin27.aul.t-online.de ([10.223.144.67])\r\n"
    b"\tby ehead26a17.aul.t-online.de with LMTP\r\n"
    b"\tid Pt57OZaBU2kiPAAAzmg42g\r\n"
    b"\t(envelope-from <no-reply@stadt.example>); Tue, 30 Dec 2025 08:39:02 +0100\r\n"
    b"Received: from stadt.example ([203.0.113.66]) by mailin27.mgt.mul.t-online.de\r\n"
    b"\twith (TLSv1.3:TLS_AES_256_GCM_SHA384 encrypted)\r\n"
    b"\tesmtp id 1vaUJg-0uW6E50; Tue, 30 Dec 2025 08:38:52 +0100\r\n"
    b"Received: from cms.stadt.example (cms.stadt.example [10.30.1.51])\r\n"
    b"\tby stadt.example (Postfix) with ESMTPS id 1AE0F140109\r\n"
    b"\tfor <bob@t-online.de>; Tue, 30 Dec 2025 08:38:51 +0100 (CET)\r\n"
    b"Date: Tue, 30 Dec 2025 08:38:50 +0100 (CET)\r\n"
    b"From: Stadt <no-reply@stadt.example>\r\nTo: Bob Example <bob@t-online.de>\r\n"
    b"Message-ID: <726721990.20028.1767080330633@cms>\r\nSubject: Newsletter\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello\r\n")

# (c) T-Online to T-Online: the customer's program, fwd80, LMTP into the recipient's mailbox.
INTERNAL = (
    b"Return-Path: <alice@t-online.de>\r\n"
    b"Received: from fwd80.aul.t-online.de ([10.223.144.106])\r\n"
    b"\tby ehead26a17.aul.t-online.de with LMTP\r\n"
    b"\tid y30cFhv7U2k0fgAAzmg42g\r\n"
    b"\t(envelope-from <alice@t-online.de>); Tue, 30 Dec 2025 17:17:31 +0100\r\n"
    b"Received: from helios.localnet ([198.51.100.27]) by fwd80.t-online.de\r\n"
    b"\twith (TLSv1.3:TLS_AES_256_GCM_SHA384 encrypted)\r\n"
    b"\tesmtp id 1vacPX-2VeEM40; Tue, 30 Dec 2025 17:17:27 +0100\r\n"
    b"From: \"Alice Example\" <alice@t-online.de>\r\nTo: \"Bob Example\" <bob@t-online.de>\r\n"
    b"Subject: test email\r\nDate: Tue, 30 Dec 2025 17:17:27 +0100\r\n"
    b"Message-ID: <3461859.mvXUDI8C0e@helios>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello\r\n")

# A forger sending to a T-Online mailbox: it connects to T-Online's MX (mailin27 records its
# address, 203.0.113.200, greeting as a T-Online host) and writes a customer's fwd stamp below.
FORGED = (
    b"Return-Path: <alice@t-online.de>\r\n"
    b"Received: from mailin27.aul.t-online.de ([10.223.144.67])\r\n"
    b"\tby ehead26a17.aul.t-online.de with LMTP\r\n"
    b"\tid Pt57OZaBU2kiPAAAzmg42g\r\n"
    b"\t(envelope-from <alice@t-online.de>); Tue, 30 Dec 2025 17:17:35 +0100\r\n"
    b"Received: from fwd80.aul.t-online.de ([203.0.113.200]) by mailin27.mgt.mul.t-online.de\r\n"
    b"\twith (TLSv1.3:TLS_AES_256_GCM_SHA384 encrypted)\r\n"
    b"\tesmtp id 1vacPZ-2VeEM41; Tue, 30 Dec 2025 17:17:30 +0100\r\n"
) + INTERNAL.split(b"(envelope-from <alice@t-online.de>); Tue, 30 Dec 2025 17:17:31 +0100\r\n", 1)[1]


@pytest.fixture()
def snapshot(tmp_path: Path) -> str:
    # Hand-made: t-online.de's outbound hosts alone may send for it, and a reject policy, so that a
    # forgery reads spoofed and the customer's home address fails SPF.
    path = tmp_path / "tonline.dns.json"
    path.write_text(json.dumps({
        "$meta": {"recorded_at": "2026-12-01T00:00:00Z", "source": "tests/test_tonline_submission.py"},
        "t-online.de": {"TXT": [["v=spf1 ip4:194.25.134.0/24 -all"]]},
        "_dmarc.t-online.de": {"TXT": [["v=DMARC1; p=reject"]]},
        "bank.example": {"TXT": [["v=spf1 -all"]]},
        "_dmarc.bank.example": {"TXT": [["v=DMARC1; p=reject"]]},
        "gmail.com": {"TXT": [["v=spf1 ip4:209.85.128.0/17 ~all"]]},
        "_dmarc.gmail.com": {"TXT": [["v=DMARC1; p=none; sp=quarantine"]]},
    }))
    return str(path)


def test_the_fwd_host_is_a_submission_host() -> None:
    def fields(text: str) -> bool:
        return loginless_submission(parse_received(text + "; Tue, 30 Dec 2025 17:17:27 +0100"))

    assert fields("from helios.localnet ([198.51.100.27]) by fwd80.t-online.de with esmtp id 1vacPX-2VeEM40")
    # The older stamps: "fwd04.sul.t-online.de", the client by the customer's T-Online number.
    assert fields("from (982759573974586-0001@[198.51.100.42]) by fwd04.sul.t-online.de with smtp id 1331DN-0upLeKC")
    # T-Online's MX, its outbound relays, and look-alikes under another domain are not.
    assert not fields("from stadt.example ([203.0.113.66]) by mailin27.mgt.mul.t-online.de with esmtp id 1vaUJg-0uW6E50")
    assert not fields("from fwd79.aul.t-online.de ([10.223.144.105]) by mailout11.t-online.de with SMTP id 276E7219A")
    assert not fields("from x ([203.0.113.9]) by fwd80.t-online.de.example with esmtp id 1")
    assert not fields("from x ([203.0.113.9]) by fwd80.example.net with esmtp id 1")
    assert not fields("by fwd80.t-online.de with esmtp id 1")  # no client: no hand-over recorded


def test_a_customers_message_to_another_provider_is_submitted_at_the_fwd_host() -> None:
    # (a) The boundary stays at Google's intake; T-Online's hops are the sending side, and the
    # first is the customer's submission (was an MTA's relay, "it came in at hop 1").
    report = headerscope.analyze(OUTBOUND, offline=True)
    assert report.boundary_hop == 3
    assert [hop.role for hop in report.hops] == [Role.MSA, Role.MTA, Role.MTA, Role.MTA]
    words = report.claimed_entry_words()
    assert words is not None and words.startswith(
        "by their own record it was submitted at hop 1, where fwd79.t-online.de took it from 198.51.100.84")
    assert not any(f.id == "hops.internal_only" for f in report.findings)


def test_mail_from_outside_still_enters_at_t_onlines_mx(snapshot: str) -> None:
    # (b) The MX intake stamp has the same id shape and "esmtp" as a fwd stamp: it stays a relay
    # from outside, and SPF judges its client.
    report = headerscope.analyze(INBOUND, dns_snapshot=snapshot)
    assert report.boundary_hop == 2
    assert report.hops[1].role is Role.MTA
    assert report.spf is not None and report.spf.client_ip == "203.0.113.66"
    assert not any(f.id == "hops.internal_only" for f in report.findings)


def test_t_online_to_t_online_is_sent_inside_and_spf_does_not_judge_the_home_address(snapshot: str) -> None:
    # (c) Was: the boundary a relay from outside, SPF fail for the customer's home address, and
    # under a reject policy "spoofed".
    report = headerscope.analyze(INTERNAL, dns_snapshot=snapshot)
    assert report.boundary_hop == 1 and report.hops[0].role is Role.MSA
    inside = next(f for f in report.findings if f.id == "hops.internal_only")
    assert inside.title == "Sent and delivered inside t-online.de"
    assert "submitted to t-online.de's submission host for its own customers" in inside.explanation
    assert report.verdict.status == "unauthenticated"
    assert report.verdict.summary.startswith(
        "Unauthenticated: sent by a customer of t-online.de from 198.51.100.27 through t-online.de's own server "
        "fwd80.t-online.de (hop 1)")
    assert "do not apply" in report.verdict.summary
    # Computed, and kept for the record, not raised as the message's.
    assert report.spf is not None and report.spf.result == "fail"
    assert report.spf.explanation.startswith("not applicable: sent by a customer of t-online.de")
    failures = [f for f in report.findings if f.id in ("spf.fail", "dmarc.fail")]
    assert failures and all(f.severity is Severity.INFO for f in failures)


def test_a_forged_fwd_stamp_below_t_onlines_mx_moves_nothing(snapshot: str) -> None:
    # The forger's own connection is recorded by the MX (greeting as a T-Online host from an
    # address T-Online's names do not vouch for): the boundary stays there, its stamp below is
    # the forger's text, and the forgery reads spoofed, as without the fwd stamp.
    report = headerscope.analyze(FORGED, dns_snapshot=snapshot)
    assert report.boundary_hop == 2 and report.hops[1].role is Role.MTA
    assert report.spf is not None and report.spf.client_ip == "203.0.113.200" and report.spf.result == "fail"
    assert not any(f.id == "hops.internal_only" for f in report.findings)
    assert report.verdict.status == "spoofed"
    assert any(f.id == "spf.fail" and f.severity is Severity.WARNING for f in report.findings)


def test_a_customer_writing_as_another_domain_keeps_its_results(snapshot: str) -> None:
    # Submitted at T-Online by its customer, but From: another organisation's address: the
    # submission authorised the customer, not bank.example, whose DMARC fails as before.
    report = headerscope.analyze(INTERNAL.replace(b"alice@t-online.de", b"ceo@bank.example"), dns_snapshot=snapshot)
    assert any(f.id == "hops.internal_only" for f in report.findings)
    assert report.verdict.status == "spoofed"
    assert any(f.id == "dmarc.fail" and f.severity is not Severity.INFO for f in report.findings)


def _uni_submission(login: str, author: str) -> bytes:
    """An organisation's own Postfix stamp of a customer's login submission, delivered inside it."""
    return (b"Return-Path: <" + author.encode() + b">\r\nDelivered-To: bob@uni.example\r\n"
            b"Received: from mail.uni.example (mail.uni.example [192.0.2.10])\r\n"
            b"\tby imap.uni.example (Postfix) with LMTP id 4A1B2C3D4E\r\n"
            b"\tfor <bob@uni.example>; Tue, 30 Dec 2025 17:17:31 +0100 (CET)\r\n"
            b"Received: from [192.168.1.5] (dslb-094-222-001-002.pools.example.net [198.51.100.84])\r\n"
            b"\t(Authenticated sender: " + login.encode() + b")\r\n"
            b"\tby mail.uni.example (Postfix) with ESMTPSA id 5F6A7B8C9D\r\n"
            b"\tfor <bob@uni.example>; Tue, 30 Dec 2025 17:17:30 +0100 (CET)\r\n"
            b"From: <" + author.encode() + b">\r\nTo: bob@uni.example\r\nSubject: urgent\r\n"
            b"Date: Tue, 30 Dec 2025 17:17:27 +0100\r\nMessage-ID: <3461859.mvXUDI8C0e@helios>\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nplease buy gift cards\r\n")


def test_a_logged_in_submission_is_sent_inside_only_as_the_login_it_records(tmp_path: Path) -> None:
    # The rule is the submission's, not T-Online's: a login the organisation's own stamp records
    # that is the From: address itself reads as sent inside, SPF not judging the home address.
    path = tmp_path / "uni.dns.json"
    path.write_text(json.dumps({"uni.example": {"TXT": [["v=spf1 ip4:192.0.2.0/24 -all"]]},
                                "_dmarc.uni.example": {"TXT": [["v=DMARC1; p=reject"]]}}))
    report = headerscope.analyze(_uni_submission("alice@uni.example", "alice@uni.example"), dns_snapshot=str(path))
    assert any(f.id == "hops.internal_only" for f in report.findings)
    assert report.verdict.summary.startswith(
        "Unauthenticated: sent by a customer of uni.example from 198.51.100.84 through uni.example's own server "
        "mail.uni.example (hop 1), after a login as alice@uni.example"), report.verdict.summary
    assert not any(f.id in ("spf.fail", "dmarc.fail") and f.severity is not Severity.INFO for f in report.findings)
    # One account writing as another (verification V47a D-1, internal gift-card fraud): spoofed,
    # as before the rule.
    report = headerscope.analyze(_uni_submission("mallory.student@uni.example", "president@uni.example"),
                                 dns_snapshot=str(path))
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert any(f.id == "dmarc.fail" and f.severity is not Severity.INFO for f in report.findings)


def test_a_login_the_stamp_does_not_name_proves_no_address(snapshot: str) -> None:
    # Gmail's "with ESMTPSA id ..." names no login: the From: address is not shown to be the
    # account's (nor a relay customer's server writing as the provider's own domains, V47a D-3),
    # so SPF and DMARC judge as before.
    raw = (b"Delivered-To: bob@gmail.com\r\n"
           b"Received: by 2002:a05:6a10:1234:b0:5a1:2b3c:4d5e with SMTP id abc123csp1234567pxb;\r\n"
           b"        Wed, 22 Jan 2025 11:01:32 -0800 (PST)\r\n"
           b"Return-Path: <alice@gmail.com>\r\n"
           b"Received: from [192.168.178.52] (p5b0a1234.dip0.t-ipconnect.de. [198.51.100.84])\r\n"
           b"        by smtp.gmail.com with ESMTPSA id a640c23a62f3a-aab1234sm1234567a.123.2025.01.22.11.01.31\r\n"
           b"        for <bob@gmail.com>\r\n"
           b"        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\r\n"
           b"        Wed, 22 Jan 2025 11:01:31 -0800 (PST)\r\n"
           b"Message-ID: <d7fd0b1c-98fe-4cc3-b657-c2c3d0bc5c47@gmail.com>\r\n"
           b"Date: Wed, 22 Jan 2025 20:01:31 +0100\r\n"
           b"From: Alice Example <alice@gmail.com>\r\nTo: bob@gmail.com\r\nSubject: hello\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello\r\n")
    report = headerscope.analyze(raw, dns_snapshot=snapshot)
    assert not report.verdict.summary.startswith("Unauthenticated: sent by a customer"), report.verdict.summary
    assert any(f.id == "dmarc.fail" and f.severity is not Severity.INFO for f in report.findings)
