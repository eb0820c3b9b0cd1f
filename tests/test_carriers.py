"""Messages carried by a person's report: a saved .eml or Outlook .msg attached as a file, the
headline of a forward or user report, and an inline forward that lost the original's header."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import CORPUS, REPO
from timing import assert_within

import headerscope
from headerscope.loader import load_bytes
from headerscope.message import parse_message
from headerscope.mime import attached_messages, count_attached, might_carry_parts
from headerscope.render import get_renderer

# The receiver writes its Authentication-Results above its own Received (RFC 8601 section 5).
PHISH = (b"Authentication-Results: mx.corp.example; spf=fail smtp.mailfrom=pcvelocity.com;\r\n"
         b"\tdkim=none; dmarc=fail (p=reject) header.from=costco.com\r\n"
         b"Received: from pcvelocity.com (unknown [89.144.10.219])\r\n"
         b"\tby mx.corp.example (Postfix) with ESMTP id 4RGL2k1xYz\r\n"
         b"\tfor <victim@corp.example>; Wed, 02 Aug 2023 20:45:14 +0000\r\n"
         b"From: Costco Customer Support <noreply@costco.com>\r\nTo: victim@corp.example\r\n"
         b"Subject: You Are Our July Winner\r\nDate: Wed, 02 Aug 2023 20:45:10 +0000\r\n"
         b"Message-ID: <win-1@pcvelocity.com>\r\n\r\nClaim your prize.\r\n")


def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _report(*parts: bytes, subject: bytes = b"[Phish Alert] You Are Our July Winner") -> bytes:
    """A user's report as KnowBe4's Phish Alert or a mail client sends it: a note and the parts."""
    body = b"".join(b"--b1\r\n" + part for part in parts)
    return (b"Received: from mail.corp.example (mail.corp.example [192.0.2.5])\r\n\tby mx.corp.example "
            b"(Postfix) with ESMTPSA id 1; Thu, 03 Aug 2023 08:00:00 +0000\r\n"
            b"From: Victim <victim@corp.example>\r\nTo: phishing@corp.example\r\nSubject: " + subject + b"\r\n"
            b"Date: Thu, 03 Aug 2023 08:00:00 +0000\r\nMessage-ID: <r1@corp.example>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            b"--b1\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\n\r\nPlease look at this.\r\n"
            + body + b"--b1--\r\n")


def _eml_file(data: bytes, name: bytes = b"phish_alert_sp2_2.0.0.0.eml") -> bytes:
    """A saved .eml attached as a file: application/octet-stream, base64 (the Phish Alert layout)."""
    return (b"Content-Type: application/octet-stream; name=\"" + name + b"\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=\"" + name + b"\";\r\n\tsize=" +
            str(len(data)).encode() + b"\r\n\r\n" + _b64(data))


def test_an_eml_file_attached_as_octet_stream_is_a_carried_message() -> None:
    data = _report(_eml_file(PHISH))
    message = parse_message(data)
    # Base64 hides "message/": the name is what the cheap pre-check must find.
    assert b"essage/" not in data[message.body_start or 0:]
    assert might_carry_parts(message)
    (entry, body), = attached_messages(message)
    assert body == PHISH
    assert (entry.number, entry.content_type, entry.filename) == (
        1, "application/octet-stream (.eml file)", "phish_alert_sp2_2.0.0.0.eml")
    assert entry.from_header == "Costco Customer Support <noreply@costco.com>"
    assert count_attached(message) == (1, False)
    report = headerscope.analyze(data, offline=True)
    assert [a.subject for a in report.attached] == ["You Are Our July Winner"]


def test_a_batch_keeps_the_order_of_its_message_parts_and_eml_files() -> None:
    rfc822 = b"Content-Type: message/rfc822\r\n\r\n" + PHISH
    second = PHISH.replace(b"You Are Our July Winner", b"Verify Your Wallet")
    data = _report(rfc822, _eml_file(second, b"Urgent Verify Your Wallet.EML"), rfc822)
    found = attached_messages(parse_message(data))
    assert [(e.number, e.subject) for e, _ in found] == [
        (1, "You Are Our July Winner"), (2, "Verify Your Wallet"), (3, "You Are Our July Winner")]
    assert count_attached(parse_message(data)) == (3, False)


def test_other_files_and_an_eml_name_without_a_message_are_not_carried_messages() -> None:
    pdf = (b"Content-Type: application/pdf; name=\"invoice.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + _b64(b"%PDF-1.7\n" + bytes(range(256))))
    not_a_message = _eml_file(bytes(range(256)) * 4, b"broken.eml")
    data = _report(pdf, not_a_message)
    assert attached_messages(parse_message(data)) == ()
    assert count_attached(parse_message(data)) == (0, False)


def test_an_outlook_msg_attached_as_a_file_is_read_through_the_msg_reader() -> None:
    msg = (CORPUS / "messages" / "eml_analyzer" / "other.msg").read_bytes()
    part = (b"Content-Type: application/vnd.ms-outlook; name=\"Returned mail.msg\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=\"Returned mail.msg\"\r\n\r\n" + _b64(msg))
    data = _report(part)
    (entry, body), = attached_messages(parse_message(data))
    assert body == msg  # the .msg file itself: --attached N loads it as any .msg is loaded
    assert entry.content_type == "application/vnd.ms-outlook (.msg file)"
    assert entry.subject is not None and entry.from_header is not None
    assert count_attached(parse_message(data)) == (1, False)
    loaded = load_bytes(body, source="x#attached-1")
    assert loaded.format == "msg" and not loaded.byte_exact


def test_cli_attached_opens_an_eml_file(tmp_path: Path) -> None:
    report = tmp_path / "report.eml"
    report.write_bytes(_report(_eml_file(PHISH)))
    env = {**os.environ, "NO_COLOR": "1"}
    run = [sys.executable, "-m", "headerscope", "analyze", str(report), "--format", "json", "--offline",
           "--attached", "1"]
    inner = json.loads(subprocess.run(run, capture_output=True, env=env, cwd=REPO, check=True).stdout)
    assert inner["input"]["source"] == f"{report}#attached-1"
    assert [h["name"] for h in inner["headers"][:2]] == ["Authentication-Results", "Received"]


def _outlook_forward(attached: bytes, subject: bytes = b"FW: You Are Our July Winner", tag: bytes = b"fw1") -> bytes:
    """Outlook's "Forward as attachment": the reporter's own mail, which its receiver passed."""
    return (b"Authentication-Results: mx.soc.example; spf=pass smtp.mailfrom=corp.example; dkim=pass "
            b"header.d=corp.example; dmarc=pass header.from=corp.example\r\n"
            b"Received: from NAM12-MW2-obe.outbound.protection.outlook.com (mail-mw2nam12on2071.outbound."
            b"protection.outlook.com [40.107.244.71])\r\n\tby mx.soc.example (Postfix) with ESMTPS id 2;"
            b" Thu, 03 Aug 2023 08:00:02 +0000\r\n"
            b"From: Victim <victim@corp.example>\r\nTo: phishing@soc.example\r\nSubject: " + subject + b"\r\n"
            b"Date: Thu, 03 Aug 2023 08:00:00 +0000\r\nMessage-ID: <" + tag + b"@corp.example>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"_002_" + tag + b"_\"\r\n\r\n"
            b"--_002_" + tag + b"_\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\n\r\nThis looks like phishing.\r\n"
            b"--_002_" + tag + b"_\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment;\r\n"
            b"\tcreation-date=\"Thu, 03 Aug 2023 08:00:00 GMT\"\r\n\r\n" + attached + b"\r\n--_002_" + tag + b"_--\r\n")


def test_a_forward_as_attachment_says_first_that_the_authentication_is_the_reporters() -> None:
    data = _outlook_forward(PHISH)
    report = headerscope.analyze(data, offline=True)
    (line,) = report.carried
    assert (line.number, line.path, line.from_domain, line.subject, line.carries) == (
        1, "1", "costco.com", "You Are Our July Winner", 0)
    # The receiver's record in the copy, and the copy's own status (nothing can authenticate costco.com).
    assert line.verdict == "recorded DMARC fail, unauthenticated"
    # The outer verdict stays the reporter's: corp.example's recorded pass, not the phish's fail.
    assert "corp.example" in report.verdict.summary and "costco" not in report.verdict.summary
    finding = next(f for f in report.findings if f.id == "message.carrier")
    assert "costco.com — recorded DMARC fail" in finding.explanation and "--attached N" in finding.explanation
    text = get_renderer("terminal", color=False, width=200).render(report).splitlines()
    assert text[1].startswith("Forwarded or reported message carrying 1 message(s): the authentication above is "
                              "the forwarder's or reporter's")
    assert text[2] == ("  1: costco.com — recorded DMARC fail, unauthenticated — “You Are Our July Winner” "
                       "(--attached 1)")
    markdown = get_renderer("markdown").render(report)
    assert "- 1: costco.com — recorded DMARC fail, unauthenticated" in markdown
    assert json.loads(get_renderer("json").render(report))["carried"][0]["verdict"] == line.verdict


def test_an_attached_forward_that_carries_a_message_says_so() -> None:
    # A SOC escalating a user's report: the attachment is itself a forward carrying the phish.
    data = _outlook_forward(_outlook_forward(PHISH), subject=b"FW: FW: You Are Our July Winner", tag=b"fw2")
    report = headerscope.analyze(data, offline=True)
    (line,) = report.carried
    assert (line.from_domain, line.carries) == ("corp.example", 1)
    assert line.line().startswith("1 (carries 1): corp.example — recorded DMARC pass")
    table = get_renderer("markdown").render(report)
    assert "| 1 (carries 1) | message/rfc822 |" in table


def test_a_bounce_or_abuse_report_keeps_its_own_reading_and_gets_no_carrier_line() -> None:
    bounce = (b"From: Mail Delivery System <MAILER-DAEMON@mx.corp.example>\r\nTo: victim@corp.example\r\n"
              b"Subject: Undelivered Mail Returned to Sender\r\nDate: Thu, 03 Aug 2023 08:00:00 +0000\r\n"
              b"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n"
              b"--r\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you.\r\n"
              b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.corp.example\r\n\r\n"
              b"Final-Recipient: rfc822; gone@other.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
              b"--r\r\nContent-Type: message/rfc822\r\n\r\n" + PHISH + b"\r\n--r--\r\n")
    report = headerscope.analyze(bounce, offline=True)
    assert report.attached and report.carried == ()
    assert report.carrier_headline() is None
    assert not any(f.id == "message.carrier" for f in report.findings)


def _person(subject: bytes, body: bytes, encoding: bytes = b"quoted-printable") -> bytes:
    return (b"From: Rodrigo <rodrigo@gmail.example>\r\nTo: phishing@soc.example\r\nSubject: " + subject + b"\r\n"
            b"Date: Tue, 15 Aug 2023 09:00:00 -0400\r\nMessage-ID: <f1@gmail.example>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/alternative; boundary=\"000000000000f3a2\"\r\n\r\n"
            b"--000000000000f3a2\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n"
            b"Content-Transfer-Encoding: " + encoding + b"\r\n\r\n" + body + b"\r\n"
            b"--000000000000f3a2\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n\r\n<div>see text</div>\r\n"
            b"--000000000000f3a2--\r\n")


GMAIL = (b"Is this real?\r\n\r\n---------- Forwarded message ---------\r\n"
         b"From: Act fast <help@ohalyycp.zendesk.com>\r\nDate: Tue, Aug 15, 2023 at 7:27 AM\r\n"
         b"Subject: Urgent: Verify Your Wallet\r\nTo: <rodrigo@gmail.example>\r\n\r\nYour wallet is locked.\r\n")
THUNDERBIRD = (b"FYI\r\n\r\n\r\n-------- Forwarded Message --------\r\nSubject: \tUrgent: Verify Your Wallet\r\n"
               b"Date: \tTue, 15 Aug 2023 07:27:00 -0400\r\nFrom: \tAct fast <help@ohalyycp.zendesk.com>\r\n"
               b"To: \trodrigo@gmail.example\r\n\r\nYour wallet is locked.\r\n")
APPLE = (b"\r\n\r\nBegin forwarded message:\r\n\r\nFrom: Act fast <help@ohalyycp.zendesk.com>\r\n"
         b"Subject: Urgent: Verify Your Wallet\r\nDate: 15 August 2023 at 07:27:00 EDT\r\n"
         b"To: rodrigo@gmail.example\r\n\r\nYour wallet is locked.\r\n")
OUTLOOK = (b"Phishing?\r\n\r\n________________________________\r\nFrom: Act fast <help@ohalyycp.zendesk.com>\r\n"
           b"Sent: Tuesday, August 15, 2023 7:27 AM\r\nTo: Rodrigo <rodrigo@gmail.example>\r\n"
           b"Subject: Urgent: Verify Your Wallet\r\n\r\nYour wallet is locked.\r\n")


def test_inline_forwards_of_each_mail_program_are_said_with_the_quoted_fields_as_claims() -> None:
    for subject, body in ((b"Fwd: Urgent: Verify Your Wallet", GMAIL), (b"Fwd: Urgent", THUNDERBIRD),
                          (b"Fwd: Urgent", APPLE), (b"FW: Urgent: Verify Your Wallet", OUTLOOK)):
        report = headerscope.analyze(_person(subject, body), offline=True)
        finding = next(f for f in report.findings if f.id == "message.inline_forward")
        assert finding.title == ("Inline forward of a message from “Act fast <help@ohalyycp.zendesk.com>”: its "
                                 "route and authentication were not kept")
        assert "Subject: “Urgent: Verify Your Wallet”" in finding.explanation
        assert "a claim" in finding.explanation and "forward it as an attachment" in finding.explanation
    outlook = headerscope.analyze(_person(b"FW: Urgent", OUTLOOK), offline=True)
    assert "Sent: “Tuesday, August 15, 2023 7:27 AM”" in next(
        f for f in outlook.findings if f.id == "message.inline_forward").explanation
    # A base64 text part hides the separator from the cheap check: the forward's Subject opens it.
    encoded = _person(b"Fwd: Urgent", _b64(GMAIL), encoding=b"base64")
    assert any(f.id == "message.inline_forward" for f in headerscope.analyze(encoded, offline=True).findings)


def test_a_reply_quoting_below_outlooks_separator_and_plain_mail_are_no_forward() -> None:
    reply = headerscope.analyze(_person(b"RE: Urgent", OUTLOOK), offline=True)
    assert not any(f.id == "message.inline_forward" for f in reply.findings)
    # A separator without the quoted fields below it is no forward either.
    plain = headerscope.analyze(_person(b"Fwd: notes", b"-------- Forwarded Message --------\r\nhello\r\n"),
                                offline=True)
    assert not any(f.id == "message.inline_forward" for f in plain.findings)


def test_a_hostile_body_of_separator_lines_stays_fast() -> None:
    import time

    body = (b"-------------------- Forwarded message --------------------\r\nFrom: x\r\n" * 3000
            + b"_" * 60000 + b"\r\n")
    start = time.perf_counter()
    headerscope.analyze(_person(b"Fwd: x", body, encoding=b"8bit"), offline=True)
    assert_within(start, 5)


def _arf(feedback: bytes, message_part: bytes) -> bytes:
    """An ARF report (RFC 5965 section 2): a text part, the machine-readable part, the message."""
    return (b"From: dmarc-report@reporter.example\r\nTo: ruf@sender.example\r\nSubject: Feedback report\r\n"
            b"Date: Sat, 31 Oct 2020 18:03:00 +0000\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/report; report-type=feedback-report; boundary=\"arf\"\r\n\r\n"
            b"--arf\r\nContent-Type: text/plain\r\n\r\nThis is a feedback report.\r\n"
            b"--arf\r\nContent-Type: message/feedback-report\r\n\r\n" + feedback + b"\r\n"
            b"--arf\r\nContent-Type: message/rfc822\r\n\r\n" + message_part + b"\r\n--arf--\r\n")


def test_an_auth_failure_report_without_auth_failure_says_it_names_no_check() -> None:
    report = headerscope.analyze(_arf(b"Feedback-Type: auth-failure\r\nUser-Agent: Reporter/1.0\r\nVersion: 1\r\n"
                                      b"Source-IP: 192.0.2.8\r\n", PHISH), offline=True)
    finding = next(f for f in report.findings if f.id == "feedback.auth_failure")
    assert finding.title == ("Authentication failure report (Reporter/1.0): a message sent from 192.0.2.8 failed "
                             "authentication (the report does not say which check)")
    named = headerscope.analyze(_arf(b"Feedback-Type: auth-failure\r\nUser-Agent: Reporter/1.0\r\nVersion: 1\r\n"
                                     b"Auth-Failure: dmarc\r\nSource-IP: 192.0.2.8\r\n", PHISH), offline=True)
    assert next(f for f in named.findings if f.id == "feedback.auth_failure").title == (
        "Authentication failure report (Reporter/1.0): a message sent from 192.0.2.8 failed (DMARC failed: no "
        "aligned DKIM or SPF pass)")


def test_a_source_ip_that_is_no_address_is_never_where_the_message_was_sent_from() -> None:
    # Verification V23 D9: "Source-IP: not-an-ip" titled the report "a message sent from
    # not-an-ip". RFC 5965 section 3.2: the field is the address the reported message came from.
    report = headerscope.analyze(_arf(b"Feedback-Type: abuse\r\nUser-Agent: FBL/1.0\r\nVersion: 1\r\n"
                                      b"Source-IP: not-an-ip\r\n", PHISH), offline=True)
    finding = next(f for f in report.findings if f.id == "feedback.abuse")
    assert finding.title == "Abuse report (FBL/1.0): a message was reported as abuse"
    assert "its Source-IP, 'not-an-ip', is not an IP address (RFC 5965 section 3.2" in finding.explanation
    valid = headerscope.analyze(_arf(b"Feedback-Type: abuse\r\nUser-Agent: FBL/1.0\r\nVersion: 1\r\n"
                                     b"Source-IP: 2001:db8::8\r\n", PHISH), offline=True)
    finding = next(f for f in valid.findings if f.id == "feedback.abuse")
    assert finding.title == "Abuse report (FBL/1.0): a message sent from 2001:db8::8 was reported as abuse"
    assert "is not an IP address" not in finding.explanation
    # RFC 5965 section 3.5 takes RFC 5321's address literals ("IPv6:...") and comments around them
    # (verification V24 D4: both were called no address).
    for written in (b"IPv6:2001:db8::8", b"192.0.2.8 (mailserver.example.net)", b"[192.0.2.8]"):
        tagged = headerscope.analyze(_arf(b"Feedback-Type: abuse\r\nUser-Agent: FBL/1.0\r\nVersion: 1\r\n"
                                          b"Source-IP: " + written + b"\r\n", PHISH), offline=True)
        finding = next(f for f in tagged.findings if f.id == "feedback.abuse")
        assert "is not an IP address" not in finding.explanation, written
        assert "a message sent from " in finding.title, written


def test_an_abuse_report_whose_message_part_was_redacted_says_the_reporter_removed_it() -> None:
    report = headerscope.analyze(_arf(b"Feedback-Type: abuse\r\nUser-Agent: ReturnPathFBL/2.0\r\nVersion: 1\r\n"
                                      b"Source-IP: 192.0.2.8\r\n", b"REDACTED"), offline=True)
    assert report.attached == ()
    finding = next(f for f in report.findings if f.id == "feedback.abuse")
    assert "the reporter removed the copy of the reported message" in finding.explanation


def test_an_attached_message_file_is_found_by_its_part_header_whatever_its_spelling() -> None:
    # The hint is read in the part headers the boundaries delimit (verification V16 R2: a find of
    # "ame=" missed FILENAME=, spaces around "=", folded and long names, and FILENAME*=).
    from headerscope.mime import _names_a_message_file

    def body(header: bytes, boundary: bytes = b"B") -> bytes:
        return (b"--" + boundary + b"\r\nContent-Type: text/plain\r\n\r\nhi\r\n--" + boundary + b"\r\n" + header
                + b"\r\n\r\nUmVjZWl2ZWQ6\r\n--" + boundary + b"--\r\n")

    for header in (b'Content-Disposition: attachment; FILENAME="Report.EML"',
                   b'Content-Disposition: attachment; filename = "report.eml"',
                   b'Content-Disposition: attachment;\r\n filename="a very long name ' + b"x" * 400 + b'.eml"',
                   b"Content-Disposition: attachment; FILENAME*=utf-8''r%C3%A9.msg",
                   b"Content-Type: application/vnd.ms-outlook"):
        assert _names_a_message_file(body(header), 0, 'multipart/mixed; boundary="B"'), header
    assert not _names_a_message_file(body(b'Content-Disposition: attachment; filename="report.pdf"'), 0,
                                     'multipart/mixed; boundary="B"')
    # A nested multipart's own boundary is followed.
    nested = (b"--OUT\r\nContent-Type: multipart/mixed; boundary=IN\r\n\r\n"
              + body(b'Content-Disposition: attachment; filename="x.eml"', b"IN") + b"--OUT--\r\n")
    assert _names_a_message_file(nested, 0, "multipart/mixed; boundary=OUT")
