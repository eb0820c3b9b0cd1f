"""Bounces of verification V44c (real shapes): Exchange Online's and Outlook.com's NDR that names
the recipient, the remote server and its multi-line reply in its diagnostic block; qmail's report
of a remote server's refusal; the address the sender wrote beside the one an alias made of it;
Gmail's multi-line reply in the delivery report's reason column."""

from __future__ import annotations

import headerscope
from headerscope.mime import dsn_said_cell, joined_reply
from headerscope.render import get_renderer

GMAIL_DIAGNOSTIC = (
    "550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the "
    "recipient's email address for typos or 550-5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser "
    "q1si123456pjb.1 - gsmtp")


def test_gmails_multi_line_reply_is_shown_without_its_continuation_prefixes() -> None:
    assert joined_reply(GMAIL_DIAGNOSTIC) == (
        "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the "
        "recipient's email address for typos or unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser "
        "q1si123456pjb.1 - gsmtp")
    # A one-line reply comes back as it was, whatever codes its text repeats.
    for single in ("550 5.1.1 plain 550 5.1.1 x", "554 5.7.1 quota of 550 MB", "", "250 OK"):
        assert joined_reply(single) == single
    # Without an enhanced code only the continuation marks and the last line's code go; the text's own
    # "550" stays.
    assert joined_reply("550-Line one 550-line two 550 last line of 550 MB") == "550 Line one line two last line of 550 MB"
    dsn = (b"Return-Path: <>\nFrom: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: me@gmail.com\n"
           b"Subject: Delivery Status Notification (Failure)\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/report; boundary=\"B\"; report-type=delivery-status\n\n"
           b"--B\nContent-Type: text/plain\n\n** Address not found **\n\n"
           b"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; googlemail.com\n\n"
           b"Final-Recipient: rfc822; jane.doe@acme.example\nAction: failed\nStatus: 5.1.1\n"
           b"Remote-MTA: dns; mx.acme.example. (192.0.2.4, the server for the domain acme.example.)\n"
           b"Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does\n not exist. Please try\n"
           b" 550-5.1.1 double-checking the recipient's email address for typos or\n"
           b" 550-5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser\n q1si123456pjb.1 - gsmtp\n\n"
           b"--B--\n")
    report = headerscope.analyze(dsn, offline=True)
    assert report.delivery_report is not None
    [recipient] = report.delivery_report.recipients
    assert recipient.diagnostic_code is not None and "550-5.1.1 double-checking" in recipient.diagnostic_code  # JSON as written
    cell = dsn_said_cell(recipient, "googlemail.com", mixed=False)
    assert cell is not None and "550-" not in cell and "Please try double-checking" in cell
    assert "550-5.1.1" not in get_renderer("markdown").render(report)
    [finding] = [f for f in report.findings if f.id == "dsn.failed"]
    assert "answered \"550 5.1.1 The email account" in finding.explanation and "550-" not in finding.explanation
