"""A multipart/report around no report (RFC 6522 section 3) is a notice; a real DSN, read
receipt, ARF or TLS report gets none."""

from __future__ import annotations

import headerscope

_HEAD = ("From: Mail Delivery System <MAILER-DAEMON@mx.example>\r\nTo: a@example.com\r\n"
         "Subject: Undelivered Mail Returned to Sender\r\nDate: Tue, 03 Nov 2020 10:00:00 +0000\r\n"
         "Message-ID: <r1@mx.example>\r\nMIME-Version: 1.0\r\n")
_RETURNED = "From: a@example.com\r\nTo: b@example.org\r\nSubject: hi\r\n"


def _report(content_type: str, *parts: str) -> headerscope.Report:
    body = "".join(f"--B\r\n{part}\r\n" for part in parts) + "--B--\r\n"
    return headerscope.analyze((_HEAD + f"Content-Type: {content_type}\r\n\r\n" + body).encode(), offline=True)


def _notice(report: headerscope.Report) -> str | None:
    found = [f for f in report.findings if f.id == "message.report_without_report"]
    assert len(found) <= 1
    return found[0].title if found else None


_STATUS = ("Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
           "Final-Recipient: rfc822; b@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n")


def test_a_genuine_dsn_mdn_arf_and_tls_report_get_no_notice() -> None:
    dsn = _report('multipart/report; report-type=delivery-status; boundary="B"',
                  "Content-Type: text/plain\r\n\r\nI'm sorry.", _STATUS,
                  "Content-Type: text/rfc822-headers\r\n\r\n" + _RETURNED)
    assert dsn.delivery_report is not None and _notice(dsn) is None
    mdn = _report('multipart/report; report-type=disposition-notification; boundary="B"',
                  "Content-Type: text/plain\r\n\r\nDisplayed.",
                  "Content-Type: message/disposition-notification\r\n\r\nReporting-UA: mua.example\r\n"
                  "Final-Recipient: rfc822; b@example.org\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n")
    assert _notice(mdn) is None
    arf = _report('multipart/report; report-type="feedback-report"; boundary="B"',
                  "Content-Type: text/plain\r\n\r\nAbuse report.",
                  "Content-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: x/1\r\nVersion: 1\r\n",
                  "Content-Type: message/rfc822\r\n\r\n" + _RETURNED)
    assert arf.feedback_report is not None and _notice(arf) is None
    tls = _report('multipart/report; report-type="tlsrpt"; boundary="B"', "Content-Type: text/plain\r\n\r\nTLS report.",
                  'Content-Type: application/tlsrpt+gzip; name="r.json.gz"\r\nContent-Transfer-Encoding: base64\r\n\r\nH4sI')
    assert _notice(tls) is None
    # RFC 6533's UTF-8 status part answers report-type=delivery-status too.
    utf8 = _report('multipart/report; report-type=delivery-status; boundary="B"', "Content-Type: text/plain\r\n\r\nx",
                   _STATUS.replace("message/delivery-status", "message/global-delivery-status"))
    assert _notice(utf8) is None


def test_a_report_wrapper_without_its_report_is_a_notice() -> None:
    # A billing lure relayed through a tenant (review AQ, message 03): no report-type, one part.
    lure = _report('multipart/report; boundary="B"',
                   'Content-Type: multipart/related; boundary="R"\r\n\r\n--R\r\nContent-Type: text/html\r\n\r\n'
                   "<p>Your subscription renews today</p>\r\n--R--")
    assert _notice(lure) == "Dressed as a report: multipart/report with no report-type parameter and no second part"
    [finding] = [f for f in lure.findings if f.id == "message.report_without_report"]
    assert finding.severity.value == "notice" and "rfc6522#section-3" in (finding.reference or "")
    wrong = _report('multipart/report; report-type=delivery-status; boundary="B"',
                    "Content-Type: text/plain\r\n\r\nYour mailbox is full.",
                    'Content-Type: text/html\r\n\r\n<a href="https://login.example.net">Restore</a>')
    assert _notice(wrong) == ("Dressed as a report: multipart/report with report-type=delivery-status but its "
                              "second part is text/html, not that report")
    unnamed = _report('multipart/report; boundary="B"', "Content-Type: text/plain\r\n\r\nx", _STATUS)
    # Its status part was read as a delivery report: named so, not called a dress (V17 N9).
    assert _notice(unnamed) == ("Report not in RFC 6522's form: multipart/report with no report-type parameter (its "
                                "second part is message/delivery-status); it reads as a delivery report")
    lone = _report('multipart/report; report-type=delivery-status; boundary="B"', "Content-Type: text/plain\r\n\r\nx")
    assert _notice(lone) == ("Dressed as a report: multipart/report with report-type=delivery-status but no second "
                             "part to hold that report")


def test_an_exim_dmarc_failure_report_is_named_as_read_not_called_a_dress() -> None:
    """Exim 4.92 writes its DMARC failure report as one text part in a multipart/report with no
    report-type (reviews P 08 and AM 06). It was recognised as a report and, in the same output,
    called 'Dressed as a report' (verification V17 N9). The notice stays, a sender can write the
    text, but it names what the text was read as."""
    raw = ("Received: from node04.mailgate.example.net (node04.mailgate.example.net [198.51.100.176])\r\n"
           " by web01.hosting.example.net (Postfix) with ESMTPS id 9AD6912398C\r\n"
           " for <dmarc@example.com>; Mon,  7 Apr 2025 23:16:09 +0200 (CEST)\r\n"
           'Content-Type: multipart/report;\r\n boundary="===============2510560795302005415=="\r\nMIME-Version: 1.0\r\n'
           "Subject: DMARC Forensic Report for example.com from IP 203.0.113.68\r\n"
           "From: no-reply@node01.mailgate.example.net\r\nTo: dmarc@example.com\r\n"
           "Date: Mon, 07 Apr 2025 23:16:09 +0200\r\nAuto-Submitted: auto-replied\r\n"
           "Message-Id: <E1u1tpB-00AA5u-ED@node04.mailgate.example.net>\r\n\r\n"
           "--===============2510560795302005415==\r\n"
           'Content-Type: text/plain; charset="us-ascii"\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: 7bit\r\n\r\n'
           "A message claiming to be from you has failed the published DMARC policy for your domain.\r\n\r\n"
           "  Sender Domain: example.com\r\n  Sender IP Address: 203.0.113.68\r\n"
           "  Received date: Mon, 07 Apr 2025 23:16:09 +0200\r\n  SPF Alignment: no\r\n  DKIM Alignment: no\r\n"
           "  DMARC Results: None, Accept\r\n\r\n"
           "------ This is a copy of the headers that were received before the error was detected.\r\n\r\n"
           "From: <user@example.com>\r\nSubject: Payment from your account.\r\nTo: <user@example.com>\r\n\r\n"
           "--===============2510560795302005415==--\r\n")
    report = headerscope.analyze(raw.encode(), offline=True)
    assert report.feedback_report is not None and report.feedback_report.format == "text"
    [finding] = [f for f in report.findings if f.id == "message.report_without_report"]
    assert finding.severity.value == "notice"
    assert finding.title == ("Report not in RFC 6522's form: multipart/report with no report-type parameter and no "
                             "second part; it reads as a DMARC failure report in Exim's plain-text layout")
    assert "Dressed" not in finding.explanation and "anyone can write it" in finding.explanation
