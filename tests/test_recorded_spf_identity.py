"""The receiver's recorded SPF result beside the one evaluated here: which identity it judged (a
HELO-only record), a result from a record the receiver guessed, and a client recorded as an
IPv4-mapped IPv6 address (verification V40b, D1-D3; shapes from its cases)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from headerscope._value import replace
from headerscope.api import analyze
from headerscope.auth.recorded import _best_guess, _same_client, receiver_spf_passed
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Comparison, Report

NOW = datetime(2026, 11, 26, 18, 0, tzinfo=timezone.utc)


def _analyze(raw: bytes, zone: dict[str, Any] | None = None) -> Report:
    if zone is None:
        return analyze(raw, offline=True, now=NOW)
    return analyze(raw, resolver=SnapshotResolver(zone), now=NOW)


def _spf_row(report: Report) -> Comparison:
    return next(c for c in report.comparison if c.method == "spf")


def _message(received_spf: bytes, received: bytes, mail_from: bytes, author: bytes) -> bytes:
    return (b"Return-Path: <" + mail_from + b">\r\nDelivered-To: bob@rcv.example\r\n" + received_spf + received
            + b"From: " + author + b"\r\nTo: bob@rcv.example\r\nSubject: test\r\n"
            b"Date: Thu, 26 Nov 2026 17:12:40 +0000\r\nMessage-ID: <t@sender.example>\r\n\r\nhello\r\n")


# --- D1: postfix-policyd-spf's HELO-only record (the lists.01.org archives' shape) -------------

_HELO_ONLY = _message(
    b"Received-SPF: Pass (helo) identity=helo; client-ip=211.29.132.97; helo=mail110.syd.optusnet.com.au; "
    b"envelope-from=david@fromorbit.com; receiver=<UNKNOWN> \r\n",
    b"Received: from mail110.syd.optusnet.com.au (mail110.syd.optusnet.com.au [211.29.132.97])\r\n"
    b"\tby ml01.01.org (Postfix) with ESMTPS id 4ZxQk21abcz9sT\r\n"
    b"\tfor <bob@rcv.example>; Thu, 26 Nov 2026 17:12:47 +0000 (UTC)\r\n",
    b"david@fromorbit.com", b"Dave Chinner <david@fromorbit.com>")
_HELO_ZONE: dict[str, Any] = {
    "mail110.syd.optusnet.com.au": {"TXT": [["v=spf1 a -all"]], "A": ["211.29.132.97"]},
    "fromorbit.com": {"TXT": [["v=spf1 ip4:192.0.2.0/24 -all"]]},
}


def test_a_helo_only_record_is_compared_as_the_helo_check_and_names_the_unchecked_mail_from() -> None:
    # The HELO passes now as it did; fromorbit.com's own record fails the client, which the
    # receiver never checked: the row was "spf fromorbit.com: pass, pass, same".
    report = _analyze(_HELO_ONLY, _HELO_ZONE)
    assert report.spf is not None and (report.spf.result, report.spf.helo_result) == ("fail", "pass")
    row = _spf_row(report)
    assert (row.subject, row.recorded, row.recomputed, row.label) == (
        "mail110.syd.optusnet.com.au", "pass", "pass", "same")
    assert "recorded spf=pass for the HELO name mail110.syd.optusnet.com.au" in row.explanation
    assert "did not check the MAIL FROM domain fromorbit.com, which is fail here" in row.explanation
    assert "spf.fail" in {f.id for f in report.findings}  # the MAIL FROM's fail stands
    # The HELO's record changed since: a drift of the HELO's policy, said as the HELO's.
    zone = dict(_HELO_ZONE, **{"mail110.syd.optusnet.com.au": {"TXT": [["v=spf1 -all"]], "A": ["211.29.132.97"]}})
    row = _spf_row(_analyze(_HELO_ONLY, zone))
    assert (row.subject, row.label) == ("mail110.syd.optusnet.com.au", "dns_drift")
    assert "for the same HELO name and IP" in row.explanation
    assert "did not check the MAIL FROM domain fromorbit.com" in row.explanation


def test_the_null_senders_helo_record_is_not_said_to_leave_a_mail_from_unchecked() -> None:
    # RFC 7208 section 2.4: for MAIL FROM:<> the HELO is the identity (postmaster@HELO).
    raw = _HELO_ONLY.replace(b"Return-Path: <david@fromorbit.com>", b"Return-Path: <>").replace(
        b"envelope-from=david@fromorbit.com", b"envelope-from=<>")
    row = _spf_row(_analyze(raw, _HELO_ZONE))
    assert (row.subject, row.label) == ("mail110.syd.optusnet.com.au", "same")
    assert "MAIL FROM" not in row.explanation


# --- D2: Gmail's "best guess record" (the mail-parser fixture's shape) --------------------------

def _gmail(result: bytes, comment: bytes) -> bytes:
    return _message(
        b"Received-SPF: " + result + b" (google.com: " + comment + b") client-ip=205.234.109.19;\r\n"
        b"Authentication-Results: mx.google.com; spf=" + result + b" (google.com: " + comment
        + b") smtp.mail=noreply@rubyforge.org\r\n",
        b"Received: from rubyforge.org (rubyforge.org [205.234.109.19])\r\n"
        b"\tby mx.google.com with ESMTPS id 4ZxQk21abcz9sT\r\n"
        b"\tfor <bob@rcv.example>; Thu, 26 Nov 2026 17:12:47 +0000 (UTC)\r\n",
        b"noreply@rubyforge.org", b"<noreply@rubyforge.org>")


_GUESSED_PASS = _gmail(b"pass", b"best guess record for domain of noreply@rubyforge.org designates 205.234.109.19 "
                                b"as permitted sender")
_NO_RECORD: dict[str, Any] = {"rubyforge.org": {"A": ["205.234.109.19"], "MX": ["10 rubyforge.org."]}}


def test_a_best_guess_pass_of_a_domain_without_a_record_is_no_dns_drift() -> None:
    report = _analyze(_GUESSED_PASS, _NO_RECORD)
    row = _spf_row(report)
    assert (row.recorded, row.recomputed, row.label) == ("pass", "none", "not_recomputed")
    assert "found no SPF record for rubyforge.org at delivery" in row.explanation
    assert "guessed" in row.explanation and "nothing changed in DNS" in row.explanation
    assert "recorded.dns_drift" not in {f.id for f in report.findings}
    # A guessed pass is not the domain's word: never counted as the receiver's SPF pass for it.
    assert receiver_spf_passed(report.recorded, "rubyforge.org") is False


def test_a_best_guess_result_beside_a_record_published_since_is_a_change_in_dns() -> None:
    # Gmail's neutral form ("... neither permitted nor denied by best guess record for domain of").
    neutral = _gmail(b"neutral", b"205.234.109.19 is neither permitted nor denied by best guess record for "
                                 b"domain of noreply@rubyforge.org")
    zone = dict(_NO_RECORD, **{"rubyforge.org": {"TXT": [["v=spf1 ip4:205.234.109.19 -all"]]}})
    row = _spf_row(_analyze(neutral, zone))
    assert (row.recorded, row.recomputed, row.label) == ("neutral", "pass", "dns_drift")
    assert "it published an SPF record since delivery" in row.explanation
    # The guess passed, and the record published since passes too.
    row = _spf_row(_analyze(_GUESSED_PASS, zone))
    assert (row.label, row.recomputed) == ("same", "pass") and "guessed" in row.explanation


def test_a_pass_of_the_domains_own_record_is_read_as_before() -> None:
    genuine = _gmail(b"pass", b"domain of noreply@rubyforge.org designates 205.234.109.19 as permitted sender")
    report = _analyze(genuine, _NO_RECORD)
    row = _spf_row(report)
    assert (row.label, row.recomputed) == ("dns_drift", "none") and "guess" not in row.explanation
    assert receiver_spf_passed(report.recorded, "rubyforge.org") is True


def test_best_guess_is_read_only_before_the_sender_supplied_address() -> None:
    # What follows "domain of" is the MAIL FROM, which the sender chooses: a quoted local part
    # holding the words makes no guess of a pass.
    guessed = next(r for r in _analyze(_GUESSED_PASS).recorded if r.method == "spf")
    assert _best_guess(guessed)
    for reason in ('google.com: domain of "best guess record for domain of"@x.example designates 192.0.2.1',
                   "google.com: best guess record for x.example", "", "best guess record for " * 5000 + "domain of"):
        assert not _best_guess(replace(guessed, reason=reason)), reason[:80]


# --- D3: a client recorded as an IPv4-mapped IPv6 address ---------------------------------------

_MAPPED = _message(
    b"Received-SPF: Fail (mailfrom) identity=mailfrom; client-ip=::ffff:192.0.2.10; helo=mail.sender.example; "
    b"envelope-from=bounces@sender.example; receiver=<UNKNOWN> \r\n",
    b"Received: from mail.sender.example (softdnserr [::ffff:192.0.2.10])\r\n"
    b"\tby mail.rcv.example with ESMTPS id 4ZxQk21abcz9sT\r\n"
    b"\tfor <bob@rcv.example>; Thu, 26 Nov 2026 17:12:47 +0000 (UTC)\r\n",
    b"bounces@sender.example", b"Alice <alice@sender.example>")


def test_an_ipv4_mapped_recorded_client_is_the_same_client() -> None:
    # RFC 4291 section 2.5.5.2: ::ffff:192.0.2.10 is 192.0.2.10, the address SPF evaluates.
    report = _analyze(_MAPPED, {"sender.example": {"TXT": [["v=spf1 ip4:192.0.2.0/24 -all"]]}})
    assert report.spf is not None and (report.spf.client_ip, report.spf.result) == ("192.0.2.10", "pass")
    assert "Received-SPF" in (report.spf.inputs_from or "")  # the boundary's own record
    row = _spf_row(report)
    assert (row.recorded, row.recomputed, row.label) == ("fail", "pass", "dns_drift")
    assert "not comparable" not in row.explanation
    # Offline, the receiver's fail is the evidence; it names the client as the Received shows it.
    fail = next(f for f in _analyze(_MAPPED).findings if f.id == "recorded.spf_fail")
    assert "from 192.0.2.10" in fail.title and "::ffff:" not in fail.title + fail.explanation


def test_same_client_compares_addresses() -> None:
    assert _same_client("::ffff:192.0.2.10", "192.0.2.10")
    assert _same_client("[192.0.2.10]", "192.0.2.10")
    assert _same_client("2001:DB8::1", "2001:db8:0::1")
    assert _same_client("IPv6:2001:db8::1", "2001:db8::1")
    assert not _same_client("::ffff:192.0.2.11", "192.0.2.10")
    assert not _same_client("::192.0.2.10", "192.0.2.10")  # IPv4-compatible (deprecated), not mapped
    for junk in (None, "", "unknown", "192.0.2.10" + "0" * 10000, "\x00\udcff"):
        assert not _same_client(junk, "192.0.2.10") and not _same_client("192.0.2.10", junk)


# --- V44e D4: Cisco Secure Email (IronPort) writes one Received-SPF per identity ------------------
# Its layout (Cisco's own field order, public copies in the code corpus): a MAIL FROM check and a
# HELO check, both with envelope-from= (the HELO one naming the HELO only as postmaster@HELO in its
# comment and x-sender=), then its Authentication-Results with spf= for each identity.

def _ironport(helo_result: bytes = b"None", mailfrom_result: bytes = b"Pass") -> bytes:
    return (
        b"Return-Path: <alice@example.org>\r\n"
        b"Received: from esa3.hc1234-56.iphmx.com (esa3.hc1234-56.iphmx.com [216.71.145.155])\r\n"
        b"\tby mx.corp.example (Postfix) with ESMTPS id 4A1B22C0F3\r\n"
        b"\tfor <bob@corp.example>; Mon, 19 Aug 2019 09:26:09 +0000 (UTC)\r\n"
        b"Received-SPF: " + mailfrom_result + b" (esa3.hc1234-56.iphmx.com: domain of\r\n"
        b" alice@example.org designates 192.0.2.25 as\r\n permitted sender) identity=mailfrom;\r\n"
        b" client-ip=192.0.2.25; receiver=esa3.hc1234-56.iphmx.com;\r\n envelope-from=\"alice@example.org\";\r\n"
        b" x-sender=\"alice@example.org\"; x-conformance=spf_only\r\n"
        b"Received-SPF: " + helo_result + b" (esa3.hc1234-56.iphmx.com: no sender\r\n"
        b" authenticity information available from domain of\r\n postmaster@mail.example.org) identity=helo;\r\n"
        b" client-ip=192.0.2.25; receiver=esa3.hc1234-56.iphmx.com;\r\n envelope-from=\"alice@example.org\";\r\n"
        b" x-sender=\"postmaster@mail.example.org\"; x-conformance=spf_only\r\n"
        b"Authentication-Results: esa3.hc1234-56.iphmx.com;\r\n spf=" + mailfrom_result
        + b" smtp.mailfrom=alice@example.org;\r\n spf=" + helo_result + b" smtp.helo=postmaster@mail.example.org;\r\n"
        b" dkim=none (message not signed) header.i=none;\r\n dmarc=pass (p=reject dis=none) d=example.org\r\n"
        b"Received: from mail.example.org (HELO mail.example.org) ([192.0.2.25])\r\n"
        b" by esa3.hc1234-56.iphmx.com with ESMTP/TLS/AES256-SHA256; 19 Aug 2019 02:26:08 -0700\r\n"
        b"From: Alice Example <alice@example.org>\r\nTo: Bob <bob@corp.example>\r\nSubject: Contract draft\r\n"
        b"Date: Mon, 19 Aug 2019 09:26:05 +0000\r\nMessage-ID: <20190819092605.1234@mail.example.org>\r\n\r\nHello\r\n")


_IRONPORT_ZONE: dict[str, Any] = {
    "corp.example": {"MX": ["10 mx1.hc1234-56.iphmx.com."]},
    "155.145.71.216.in-addr.arpa": {"PTR": ["esa3.hc1234-56.iphmx.com."]},
    "esa3.hc1234-56.iphmx.com": {"A": ["216.71.145.155"]},
    "example.org": {"TXT": [["v=spf1 ip4:192.0.2.25 -all"]]},
    "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject"]]},
}


def test_a_helo_check_beside_a_mail_from_check_is_not_a_disagreement_on_the_mail_from_domain() -> None:
    # Before: "Three results by esa3... disagree on SPF for example.org (pass vs none)": the HELO
    # field's envelope-from= was taken for what it checked, so every genuine delivery through
    # Cisco's gateway hinted at a forged field.
    report = _analyze(_ironport(), _IRONPORT_ZONE)
    assert not [f for f in report.findings if f.id == "recorded.disagree"]
    assert report.verdict.status == "authenticated"


def test_two_mail_from_checks_that_disagree_are_still_told() -> None:
    # The HELO field rewritten as a second MAIL FROM check with another result: the same check
    # twice, one of them not the receiver's (a sender can write any field under its name).
    raw = _ironport().replace(b"postmaster@mail.example.org) identity=helo;", b"alice@example.org) identity=mailfrom;")
    found = [f for f in _analyze(raw, _IRONPORT_ZONE).findings if f.id == "recorded.disagree"]
    assert len(found) == 1 and "for example.org (pass vs none)" in found[0].title


def test_the_helo_check_named_only_in_its_comment_is_the_helo_of_the_comment() -> None:
    from headerscope.auth.recorded import _spf_identity
    report = _analyze(_ironport(), _IRONPORT_ZONE)
    helo_records = [r for r in report.recorded if r.method == "spf" and dict(r.properties).get("identity") == "helo"]
    assert helo_records
    assert _spf_identity(helo_records[0]) == ("helo", "mail.example.org", "192.0.2.25")


# --- V45a D1, D2: Cisco's three fields, identity=pra and a HELO check named only in x-sender= ------
# RCN's gateway (a 2011 git-list copy in the code corpus) writes identity=pra, mailfrom and helo,
# each with envelope-from=, the identity checked in x-sender= and no comment.

def _cisco_three(pra: bytes, mailfrom: bytes, helo: bytes) -> bytes:
    def field(result: bytes, identity: bytes, sender: bytes) -> bytes:
        return (b"Received-SPF: " + result + b" identity=" + identity + b"; client-ip=198.51.100.7;\r\n"
                b"  receiver=esa3.example.net;\r\n  envelope-from=\"ceo@victim.example\";\r\n"
                b"  x-sender=\"" + sender + b"\";\r\n  x-conformance=sidf_compatible\r\n")
    return (b"Received: from esa3.example.net (esa3.example.net [192.0.2.33]) by mbox.example.net (Postfix) "
            b"with ESMTPS id 9F; Wed, 04 May 2024 19:17:34 +0000 (UTC)\r\n"
            + field(pra, b"pra", b"x@forger.example") + field(mailfrom, b"mailfrom", b"ceo@victim.example")
            + field(helo, b"helo", b"postmaster@mail.forger.example")
            + b"Received: from mail.forger.example ([198.51.100.7])\r\n"
            b"  by esa3.example.net with ESMTP; 04 May 2024 15:17:33 -0400\r\n"
            b"From: CEO <ceo@victim.example>\r\nSender: x@forger.example\r\nTo: bob@example.net\r\nSubject: pay\r\n"
            b"Date: Wed, 04 May 2024 15:17:32 -0400\r\nMessage-ID: <a1@forger.example>\r\n\r\npay\r\n")


_CISCO_NOW = datetime(2024, 5, 5, tzinfo=timezone.utc)


def test_a_sender_id_pass_is_not_the_mail_from_check() -> None:
    # A forger's Sender: made the receiver's Sender ID check (pra, RFC 4407) pass; its MAIL FROM
    # check failed. Before: the pass stood for the MAIL FROM's ("spf victim.example: pass"), the
    # recorded fail was gone, and the verdict was NOT CHECKED instead of UNAUTHENTICATED.
    report = analyze(_cisco_three(b"Pass", b"Fail", b"Pass"), offline=True, now=_CISCO_NOW)
    row = _spf_row(report)
    assert (row.subject, row.recorded) == ("victim.example", "fail")
    assert "recorded.spf_fail" in {f.id for f in report.findings}
    assert not [f for f in report.findings if f.id == "recorded.disagree"]
    assert report.verdict.status == "unauthenticated"


def test_a_helo_check_named_only_in_x_sender_is_kept_apart_from_the_mail_from_check() -> None:
    # A genuine delivery: HELO pass, MAIL FROM none. Before: "Three results ... disagree on SPF
    # for victim.example (none vs pass)", the HELO field merged with every SPF result.
    report = analyze(_cisco_three(b"None", b"None", b"Pass"), offline=True, now=_CISCO_NOW)
    assert not [f for f in report.findings if f.id == "recorded.disagree"]
    assert _spf_row(report).recorded == "none"
    # Two MAIL FROM checks that disagree are still told, whatever the HELO field says.
    raw = _cisco_three(b"None", b"Fail", b"Pass").replace(
        b"identity=pra; client-ip=198.51.100.7;\r\n  receiver=esa3.example.net;\r\n  envelope-from=\"ceo@victim.example\";"
        b"\r\n  x-sender=\"x@forger.example\"",
        b"identity=mailfrom; client-ip=198.51.100.7;\r\n  receiver=esa3.example.net;\r\n  "
        b"envelope-from=\"ceo@victim.example\";\r\n  x-sender=\"ceo@victim.example\"")
    found = [f for f in analyze(raw, offline=True, now=_CISCO_NOW).findings if f.id == "recorded.disagree"]
    assert len(found) == 1 and "for victim.example (none vs fail)" in found[0].title
