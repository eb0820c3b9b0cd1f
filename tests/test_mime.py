"""Bounces and attached messages: a delivery status notification's report (RFC 3464), the
messages carried inside a message (RFC 2046 section 5.2.1), and the MIME walk that finds them."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, REPO, SAMPLES
from report_factory import hostile_payload, inject, make_report, parse_html
from test_dkim import carry_signature

import headerscope
from headerscope.message import parse_message
from headerscope.mime import (
    MAX_PARTS,
    attached_messages,
    delivery_report,
    feedback_rows,
    parse_content_type,
    recipients_words,
    status_meaning,
)
from headerscope.model import Finding, Report, Severity
from headerscope.redact import redact_report
from headerscope.render import get_renderer

EML_ANALYZER = CORPUS / "messages" / "eml_analyzer"


def test_corpus_bounces_give_their_recipients_status_and_remote_answer() -> None:
    # Known answers, read off each file's message/delivery-status part.
    cases = {
        "multipart_report_emails__report_530.eml": (
            "mail12.rrrr.com.au", [("edwin@zzzzzzz.com", "failed", "5.3.0", "mail.zzzzzz.com",
                                    "553 5.3.0 <edwin@zzzzzzz.com>... Unknown E-Mail Address")]),
        "multipart_report_emails__report_422.eml": (
            "mail11.ttttt.com.au", [("fraser@oooooooo.com.au", "delayed", "4.2.2", "mail.oooooooo.com.au",
                                     "452 4.2.2 <fraser@oooooooo.com.au>... Mailbox full")]),
        # A first part labelled message/delivery-status holds prose; the second is the report.
        "multipart_report_emails__multipart_report_multiple_status.eml": (
            "schemailmta04.ci.com", [("u@ci.com", "failed", "5.3.0", None, None)]),
    }
    for name, (reporting_mta, recipients) in cases.items():
        report = headerscope.analyze((EML_ANALYZER / name).read_bytes(), offline=True)
        assert report.delivery_report is not None, name
        assert report.delivery_report.reporting_mta == reporting_mta
        assert [(r.final_recipient, r.action, r.status, r.remote_mta, r.diagnostic_code)
                for r in report.delivery_report.recipients] == recipients
    bounce = headerscope.analyze((EML_ANALYZER / "multipart_report_emails__multi_address_bounce1.eml").read_bytes(),
                                 offline=True)
    assert bounce.delivery_report is not None
    assert len(bounce.delivery_report.recipients) == 5
    assert {r.status for r in bounce.delivery_report.recipients} == {"5.1.1"}
    first = bounce.delivery_report.recipients[0]
    # Folded lines unfold to single spaces.
    assert first.diagnostic_code is not None and first.diagnostic_code.startswith(
        "550-5.1.1 The email account that you tried to reach does not exist. Please try")
    finding = next(f for f in bounce.findings if f.id == "dsn.failed")
    assert finding.title.startswith("Bounce: delivery to bbbbvhvbbvkjbhfbvbvjhb@gmail.com")
    # The title says what the remote server said, not only the code's registered meaning.
    assert "and 2 more failed (5.1.1: “The email account that you tried to reach does not exist." in finding.title
    assert [a.subject for a in bounce.attached] == ["Test of bounce email"]


def _dsn(status_part: bytes, returned: bytes, boundary: str = "B0UND") -> bytes:
    return (f"From: Mail Delivery System <MAILER-DAEMON@mx.sender.example>\r\n"
            f"To: alice@sender.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
            f"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{boundary}\"\r\n\r\n"
            f"This is a MIME-encapsulated message.\r\n\r\n--{boundary}\r\n"
            f"Content-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n--{boundary}\r\n"
            f"Content-Type: message/delivery-status\r\n\r\n").encode() + status_part + (
            f"\r\n--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n").encode() + returned + (
            f"\r\n--{boundary}--\r\n").encode()


# Postfix's layout: per-message fields, then one group per recipient (RFC 3464 section 2).
STATUS = (b"Reporting-MTA: dns; mx.sender.example\r\nX-Postfix-Queue-ID: 4AB12\r\n"
          b"Arrival-Date: Mon,  2 Nov 2026 09:59:58 +0000 (UTC)\r\n\r\n"
          b"Final-Recipient: rfc822; bob@receiver.example\r\nOriginal-Recipient: rfc822;Bob@Receiver.example\r\n"
          b"Action: failed\r\nStatus: 5.7.26\r\nRemote-MTA: dns; mx.receiver.example\r\n"
          b"Diagnostic-Code: smtp; 550-5.7.26 Unauthenticated email from sender.example is not\r\n"
          b"    accepted due to domain's DMARC policy.\r\n\r\n"
          b"Final-Recipient: rfc822; carol@slow.example\r\nAction: delayed\r\nStatus: 4.4.1\r\n"
          b"Will-Retry-Until: Thu, 5 Nov 2026 10:00:00 +0000\r\n")


def test_a_postfix_style_bounce_is_read_and_its_returned_message_analyzed() -> None:
    signed = (SAMPLES / "direct.eml").read_bytes()
    data = _dsn(STATUS, signed)
    report = headerscope.analyze(data, offline=True)
    dsn = report.delivery_report
    assert dsn is not None
    assert (dsn.reporting_mta, dsn.arrival_date) == ("mx.sender.example", "Mon, 2 Nov 2026 09:59:58 +0000 (UTC)")
    bob, carol = dsn.recipients
    assert (bob.final_recipient, bob.original_recipient, bob.action, bob.status, bob.remote_mta) == (
        "bob@receiver.example", "Bob@Receiver.example", "failed", "5.7.26", "mx.receiver.example")
    assert bob.status_meaning == ("permanent failure: multiple authentication checks failed (RFC 7372): "
                                  "typically DMARC")
    assert bob.diagnostic_code == ("550-5.7.26 Unauthenticated email from sender.example is not accepted due to "
                                   "domain's DMARC policy.")
    assert (carol.action, carol.status, carol.will_retry_until) == ("delayed", "4.4.1", "Thu, 5 Nov 2026 10:00:00 +0000")
    failed = next(f for f in report.findings if f.id == "dsn.failed")
    assert failed.severity.value == "warning" and "bob@receiver.example" in failed.title
    assert "carol" not in failed.title  # the failure is the headline; the delay is in the table
    assert "--attached 1" in failed.explanation
    # The returned message is the signed sample, byte for byte: analyzed, its DKIM passes.
    (entry, inner), = attached_messages(parse_message(data))
    assert inner == signed and entry.subject == "Q4 capacity plan - draft for review"
    returned = headerscope.analyze(inner, dns_snapshot=str(SAMPLES / "direct.dns.json"))
    assert [d.result for d in returned.dkim] == ["pass"]


def test_recipient_groups_after_two_blank_lines_are_all_read() -> None:
    # Microsoft's SMTP service (IIS, Exchange 2000/2003) writes two blank lines before each
    # recipient group (real layout): every failed recipient is reported, not the first alone.
    status = (b"Reporting-MTA: dns;smtp.example.com\r\nReceived-From-MTA: dns;AdminAsst\r\n"
              b"Arrival-Date: Wed, 30 Aug 2006 13:54:00 -0700\r\n" + b"".join(
                  b"\r\n\r\nFinal-Recipient: rfc822;bounced%d@example.net\r\nAction: failed\r\nStatus: 5.0.0\r\n"
                  b"Diagnostic-Code: smtp;550 Requested action not taken: mailbox unavailable\r\n" % n
                  for n in range(1, 5)))
    report = delivery_report(parse_message(_dsn(status, b"From: a@example.org\r\n\r\nx")))
    assert report is not None and report.reporting_mta == "smtp.example.com"
    assert [r.final_recipient for r in report.recipients] == [f"bounced{n}@example.net" for n in range(1, 5)]
    assert {r.diagnostic_code for r in report.recipients} == {"550 Requested action not taken: mailbox unavailable"}


def test_cli_attached_analyzes_the_part_with_the_snapshot_beside_the_file(tmp_path: Path) -> None:
    bounce = tmp_path / "bounce.eml"
    bounce.write_bytes(_dsn(STATUS, (SAMPLES / "direct.eml").read_bytes()))
    (tmp_path / "bounce.dns.json").write_bytes((SAMPLES / "direct.dns.json").read_bytes())
    env = {**os.environ, "NO_COLOR": "1"}
    run = [sys.executable, "-m", "headerscope", "analyze", str(bounce), "--format", "json",
           "--now", "2026-11-28T12:00:00+00:00"]
    outer = json.loads(subprocess.run(run, capture_output=True, env=env, cwd=REPO, check=True).stdout)
    assert outer["delivery_report"]["recipients"][0]["status"] == "5.7.26"
    assert outer["attached"][0]["number"] == 1
    inner = json.loads(subprocess.run([*run, "--attached", "1"], capture_output=True, env=env, cwd=REPO,
                                      check=True).stdout)
    assert inner["input"]["source"] == f"{bounce}#attached-1"
    assert inner["dkim"][0]["result"] == "pass" and inner["verdict"]["status"] == "authenticated"
    # Where it came from is said on its own, not as a clean-up (nothing was cleaned).
    assert inner["input"]["carried_in"] == f"the message attached to {bounce} as its part 1 (message/rfc822)"
    assert inner["input"]["cleanups"] == []
    assert [f["id"] for f in inner["findings"] if f["id"].startswith("input.")] == ["input.attached"]
    missing = subprocess.run([*run, "--attached", "2"], capture_output=True, env=env, cwd=REPO)
    assert missing.returncode == 1
    assert missing.stderr.decode().strip() == f"headerscope: error: {bounce}: no attached message 2 (it carries 1)"


def test_a_phishing_report_forwarded_as_attachment_in_a_signed_wrapper() -> None:
    # multipart/signed > multipart/mixed > (text, message/rfc822 in base64, as Outlook sends it).
    inner = (b"From: \"IT Support\" <helpdesk@evil.example>\r\nTo: victim@corp.example\r\n"
             b"Subject: =?utf-8?q?Passwort_l=C3=A4uft_ab?=\r\nDate: Tue, 3 Nov 2026 08:00:00 +0000\r\n"
             b"Message-ID: <p1@evil.example>\r\n\r\nClick here.\r\n")
    encoded = base64.encodebytes(inner).replace(b"\n", b"\r\n")
    data = (b"From: victim@corp.example\r\nTo: soc@corp.example\r\nSubject: FW: suspicious\r\n"
            b"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=outer\r\n\r\n"
            b"--outer\r\nContent-Type: multipart/mixed; boundary=\"outer-inner\"\r\n\r\n"
            b"--outer-inner\r\nContent-Type: text/plain\r\n\r\nPlease look at the attached mail.\r\n"
            b"--outer-inner\r\nContent-Type: message/rfc822; name=\"phish.eml\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename*=UTF-8''Passwort%20l%C3%A4uft%20ab.eml\r\n\r\n"
            + encoded + b"--outer-inner--\r\n\r\n--outer\r\nContent-Type: application/pkcs7-signature\r\n\r\nMIIB\r\n"
            b"--outer--\r\n")
    (entry, body), = attached_messages(parse_message(data))
    assert body == inner
    assert (entry.from_header, entry.subject, entry.filename) == (
        "\"IT Support\" <helpdesk@evil.example>", "Passwort läuft ab", "Passwort läuft ab.eml")
    report = headerscope.analyze(data, offline=True)
    assert report.delivery_report is None
    assert [f.id for f in report.findings if f.id.startswith(("attached", "dsn"))] == ["attached.messages"]


def test_boundaries_that_share_a_prefix_and_a_missing_closing_delimiter() -> None:
    # "--b" must not split at "--bb" lines (RFC 2046: the delimiter line is the boundary and
    # white space only); a cut-off message keeps its last part.
    msg = (b"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
           b"--b \t\r\nContent-Type: multipart/mixed; boundary=bb\r\n\r\n"
           b"--bb\r\nContent-Type: message/rfc822\r\n\r\nFrom: one@example.org\r\nSubject: one\r\n\r\nx\r\n--bb--\r\n"
           b"--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: two@example.org\r\nSubject: two\r\n\r\ncut off")
    found = attached_messages(parse_message(msg))
    assert [(e.number, e.subject) for e, _ in found] == [(1, "one"), (2, "two")]
    assert found[0][1] == b"From: one@example.org\r\nSubject: one\r\n\r\nx"
    assert found[1][1].endswith(b"cut off")
    # Types are case-insensitive (RFC 2045 section 5.1).
    upper = msg.replace(b"Content-Type: message/rfc822", b"Content-Type: Message/RFC822")
    assert [e.subject for e, _ in attached_messages(parse_message(upper))] == ["one", "two"]
    # multipart/alternative cannot hold a message: not walked, nothing found.
    assert attached_messages(parse_message(msg.replace(b"multipart/mixed; boundary=b\r", b"multipart/alternative; boundary=b\r"))) == ()
    # In a digest a part without Content-Type is a message (RFC 2046 section 5.1.5).
    digest = (b"From: list@example.org\r\nContent-Type: multipart/digest; boundary=d\r\n\r\n"
              b"--d\r\n\r\nFrom: x@example.org\r\nSubject: first\r\n\r\nhi\r\n--d--\r\n")
    assert [e.subject for e, _ in attached_messages(parse_message(digest))] == ["first"]


def test_content_type_parameters() -> None:
    assert parse_content_type('Multipart/Report; report-type="delivery-status"; boundary="a;b"') == (
        "multipart/report", {"report-type": "delivery-status", "boundary": "a;b"})
    assert parse_content_type("text/plain (a comment); charset=us-ascii") == ("text/plain", {"charset": "us-ascii"})
    # RFC 2231: continuations and charset-encoded values.
    assert parse_content_type("attachment; filename*0*=UTF-8''%E2%82%AC%20rate; filename*1=\" 2026.eml\"")[1] == {
        "filename": "€ rate 2026.eml"}
    assert status_meaning("5.1.10") == ("permanent failure: recipient address has null MX (RFC 7505), or, from "
                                        "Microsoft 365, recipient not found")
    assert status_meaning("4.4.99") == "persistent transient failure (a condition that may clear): other or undefined network or routing status (detail 99)"
    assert status_meaning("2.0.0") == "success: other or undefined status"
    assert status_meaning("7.1.1") is None


def test_hostile_structures_stay_bounded() -> None:
    many = b"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" + (
        b"--x\r\nContent-Type: message/rfc822\r\n\r\nFrom: b@example.org\r\n\r\nhi\r\n" * 5000) + b"--x--\r\n"
    found = attached_messages(parse_message(many))
    assert 0 < len(found) <= 20
    deep = b"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=x0\r\n\r\n" + b"".join(
        f"--x{i}\r\nContent-Type: multipart/mixed; boundary=x{i + 1}\r\n\r\n".encode() for i in range(2000))
    assert attached_messages(parse_message(deep)) == ()
    long_code = b"Diagnostic-Code: smtp; 550 " + b"x" * 100_000 + b"\r\n"
    recipients = b"".join(b"\r\nFinal-Recipient: rfc822; r%d@example.org\r\nAction: failed\r\nStatus: 5.0.0\r\n" % i
                          + long_code for i in range(1000))
    report = delivery_report(parse_message(_dsn(b"Reporting-MTA: dns; m.example\r\n" + recipients,
                                                b"From: a@example.org\r\n\r\nx")))
    assert report is not None and len(report.recipients) == 100
    assert [r.final_recipient for r in report.recipients[:2]] == ["r0@example.org", "r1@example.org"]
    assert all(1000 < len(r.diagnostic_code or "") <= 2000 for r in report.recipients)
    assert MAX_PARTS >= 100


def test_renderers_show_the_report_and_the_attachments_as_text() -> None:
    data = _dsn(STATUS.replace(b"Unauthenticated", b"<script>alert(1)</script>[bold]x[/bold]"),
                (SAMPLES / "direct.eml").read_bytes())
    report = headerscope.analyze(data, offline=True)
    terminal = get_renderer("terminal", width=160).render(report)
    section = terminal[terminal.index("Delivery report"):terminal.index("Hops (earliest first)")]
    assert "bob@receiver.example" in section and "5.7.26" in section and "[bold]x[/bold]" in section
    assert "Attached messages (analyze one with --attached N)" in terminal
    page = get_renderer("html").render(report)
    root = parse_html(page)
    assert len(root.by_id("delivery-recipients").find_all("tr", cls="dsn-row")) == 2
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert len(root.by_id("attached-messages").find_all("tr")) == 2  # header row and one message
    markdown = get_renderer("markdown").render(report)
    assert "### Delivery report" in markdown and "### Attached messages" in markdown
    assert "\\<script\\>" in markdown


def test_every_string_of_the_new_sections_is_escaped_in_html() -> None:
    from headerscope.model import AttachedMessage, DeliveryReport, DsnRecipient

    base = dataclasses.replace(make_report(), delivery_report=DeliveryReport(
        reporting_mta="mx.example", received_from_mta=None, arrival_date="now", original_envelope_id=None,
        recipients=(DsnRecipient(final_recipient="a@example.org", original_recipient="A@example.org",
                                 action="failed", status="5.1.1", status_meaning="no such user",
                                 remote_mta="mx.example.org", diagnostic_code="550 no", last_attempt_date="then",
                                 will_retry_until="later"),)),
        attached=(AttachedMessage(number=1, content_type="message/rfc822", headers_only=False, size=10,
                                  filename="f.eml", from_header="x@example.org", to="y@example.org",
                                  subject="s", date="d", message_id="<m@x>"),))
    payload = hostile_payload(9)
    page = get_renderer("html").render(inject(base, payload))
    root = parse_html(page)
    assert not root.find_all("script") and not [e for e in root.iter() if "data-pwned" in e.attrs]
    redacted = redact_report(base)
    assert redacted.delivery_report is not None
    assert redacted.delivery_report.recipients[0].final_recipient == "a***@example.org"
    assert redacted.attached[0].from_header == "x***@example.org"


@pytest.mark.parametrize("name", sorted(p.name for p in EML_ANALYZER.iterdir() if p.suffix == ".eml"))
def test_corpus_messages_without_such_parts_report_none(name: str) -> None:
    data = (EML_ANALYZER / name).read_bytes()
    report = headerscope.analyze(data, offline=True)
    if b"delivery-status" not in data:
        assert report.delivery_report is None
    if b"message/rfc822" not in data.lower() and b"rfc822-headers" not in data.lower():
        assert report.attached == ()


def test_the_bounce_sample_tells_its_story() -> None:
    # samples/bounce.eml: a Postfix bounce delivered inside example.com; the returned original
    # is signed by example.com.
    data = (SAMPLES / "bounce.eml").read_bytes()
    snapshot = str(SAMPLES / "bounce.dns.json")
    now = __import__("datetime").datetime(2026, 11, 28, 12, 0, tzinfo=__import__("datetime").timezone.utc)
    report = headerscope.analyze(data, dns_snapshot=snapshot, now=now)
    assert report.delivery_report is not None
    (dave,) = report.delivery_report.recipients
    assert (dave.final_recipient, dave.action, dave.status, dave.remote_mta) == (
        "dave@partner.example", "failed", "5.7.1", "mx1.partner.example")
    assert dave.diagnostic_code == ("550 5.7.1 <dave@partner.example>: Recipient address rejected: the sender's "
                                    "domain is on this site's block list (policy PX-17)")
    # Handed over on example.com's private network only: unauthenticated, not "spoofed".
    assert report.verdict.status == "unauthenticated"
    assert report.verdict.summary.startswith("Unauthenticated, sent inside the receiving organisation")
    # Its findings agree: DMARC's fail is told for the record, not raised; no PTR is looked up
    # in the public DNS for the private client.
    [dmarc_fail] = [f for f in report.findings if f.id == "dmarc.fail"]
    assert dmarc_fail.severity.value == "info" and dmarc_fail.explanation.startswith(
        "The message never arrived from the internet")
    assert report.reverse_dns is not None and report.reverse_dns.result == "not_checked"
    (_entry, original), = attached_messages(parse_message(data))
    returned = headerscope.analyze(original, dns_snapshot=snapshot, now=now)
    assert [d.result for d in returned.dkim] == ["pass"] and returned.verdict.status == "authenticated"


# --------------------------------------------------------------------------- feedback reports


def _arf(feedback_part: bytes, reported: bytes, returned_type: str = "message/rfc822") -> bytes:
    """An abuse report laid out as RFC 5965 section 2 asks: a human-readable part, the
    machine-readable message/feedback-report part, then the reported message."""
    return (b"From: <abusedesk@example.com>\r\nTo: <abuse@example.net>\r\nSubject: FW: Earn money\r\n"
            b"Date: Thu, 8 Mar 2005 17:40:36 EDT\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/report; report-type=feedback-report;\r\n\tboundary=\"part1_13d.2e68ed54\"\r\n"
            b"\r\n--part1_13d.2e68ed54\r\nContent-Type: text/plain; charset=\"US-ASCII\"\r\n\r\n"
            b"This is an email abuse report for an email message received from IP 192.0.2.1.\r\n"
            b"\r\n--part1_13d.2e68ed54\r\nContent-Type: message/feedback-report\r\n\r\n" + feedback_part +
            b"\r\n--part1_13d.2e68ed54\r\nContent-Type: " + returned_type.encode() + b"\r\n\r\n" + reported +
            b"\r\n--part1_13d.2e68ed54--\r\n")


# The fields of RFC 5965's appendix B.2 example.
ABUSE_FIELDS = (b"Feedback-Type: abuse\r\nUser-Agent: SomeGenerator/1.0\r\nVersion: 1\r\n"
                b"Original-Mail-From: <somespammer@example.net>\r\nOriginal-Rcpt-To: <user@example.com>\r\n"
                b"Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\r\nReporting-MTA: dns; mail.example.com\r\n"
                b"Source-IP: 192.0.2.1\r\n"
                b"Authentication-Results: mail.example.com;\r\n          spf=fail smtp.mail=somespammer@example.com\r\n"
                b"Reported-Domain: example.net\r\nReported-Uri: http://example.net/earn_money.html\r\n"
                b"Reported-Uri: mailto:user@example.com\r\nRemoval-Recipient: user@example.com\r\n")
REPORTED = (b"From: <somespammer@example.net>\r\nReceived: from mailserver.example.net (mailserver.example.net\r\n"
            b"  [192.0.2.1]) by example.com with ESMTP id M63d4137594e46;\r\n  Thu, 08 Mar 2005 14:00:00 -0400\r\n"
            b"To: <Undisclosed Recipients>\r\nSubject: Earn money\r\nMIME-Version: 1.0\r\n"
            b"Content-type: text/plain\r\nMessage-ID: 8787KJKJ3K4J3K4J3K4J3.mail@example.net\r\n"
            b"Date: Thu, 02 Sep 2004 12:31:03 -0500\r\n\r\nSpam Spam Spam\r\n")


def test_an_abuse_report_is_read_as_a_complaint_about_the_attached_message() -> None:
    report = headerscope.analyze(_arf(ABUSE_FIELDS, REPORTED), offline=True)
    feedback = report.feedback_report
    assert feedback is not None
    assert (feedback.feedback_type, feedback.user_agent, feedback.version) == ("abuse", "SomeGenerator/1.0", "1")
    assert (feedback.original_mail_from, feedback.original_rcpt_to) == ("somespammer@example.net",
                                                                         ("user@example.com",))
    assert (feedback.source_ip, feedback.reporting_mta) == ("192.0.2.1", "mail.example.com")
    assert feedback.reported_domain == ("example.net",)
    assert feedback.reported_uri == ("http://example.net/earn_money.html", "mailto:user@example.com")
    assert feedback.authentication_results == ("mail.example.com; spf=fail smtp.mail=somespammer@example.com",)
    # RFC 5965 section 7.3: unsolicited mail or other abuse, not necessarily a person's complaint
    # (abusix's spam-trap hits are "abuse" reports too).
    assert feedback.meaning and feedback.meaning.startswith("reported as unsolicited mail (spam) or other abuse, by "
                                                            "a recipient or an automated system such as a spam trap")
    [finding] = [f for f in report.findings if f.id.startswith("feedback.")]
    assert (finding.id, finding.severity.value) == ("feedback.abuse", "warning")
    assert finding.title == "Abuse report (SomeGenerator/1.0): a message sent from 192.0.2.1 was reported as abuse"
    assert "envelope sender somespammer@example.net" in finding.explanation
    assert "--attached 1" in finding.explanation
    assert [a.subject for a in report.attached] == ["Earn money"]
    assert report.delivery_report is None


def test_a_dmarc_failure_report_says_what_failed_and_what_the_receiver_did() -> None:
    # RFC 6591 section 3.1's fields, with RFC 7489 section 7.3.1's DMARC additions; the reported
    # message's header alone, as RFC 6591 section 3.3 allows.
    fields = (b"Feedback-Type: auth-failure\r\nUser-Agent: Lua/1.0\r\nVersion: 1.0\r\n"
              b"Original-Mail-From: <>\r\nOriginal-Rcpt-To: recipient@receiver.example\r\n"
              b"Arrival-Date: Tue, 30 Apr 2019 02:09:00 +0000\r\nSource-IP: 203.0.113.10\r\n"
              b"Authentication-Results: receiver.example; dmarc=fail (p=reject) header.from=sender.example\r\n"
              b"Auth-Failure: dmarc\r\nDelivery-Result: reject\r\nIdentity-Alignment: none\r\n"
              b"DKIM-Domain: sender.example\r\nDKIM-Selector: s1\r\nReported-Domain: sender.example\r\n")
    header = REPORTED.split(b"\r\n\r\n")[0] + b"\r\n"
    report = headerscope.analyze(_arf(fields, header, "text/rfc822-headers"), offline=True)
    feedback = report.feedback_report
    assert feedback is not None
    assert (feedback.feedback_type, feedback.auth_failure, feedback.delivery_result, feedback.identity_alignment,
            feedback.dkim_domain, feedback.dkim_selector) == ("auth-failure", "dmarc", "reject", "none",
                                                              "sender.example", "s1")
    assert feedback.original_mail_from is None  # the null sender
    [finding] = [f for f in report.findings if f.id.startswith("feedback.")]
    assert finding.id == "feedback.auth_failure"
    assert finding.title == ("Authentication failure report (Lua/1.0): a message sent from 203.0.113.10 failed "
                             "(DMARC failed: no aligned DKIM or SPF pass)")
    assert "delivery result reject" in finding.explanation and "header --attached 1" not in finding.explanation
    # Unsigned: the attached header is whatever the sender chose (review V19 P1).
    assert "A message header is attached (the sender's choice)" in finding.explanation
    assert report.attached[0].headers_only


def test_feedback_reports_of_other_types_and_parts_without_a_type() -> None:
    for kind, finding_id, severity in (("not-spam", "feedback.not_spam", "info"), ("virus", "feedback.virus", "warning"),
                                       ("x-new-kind", "feedback.other", "notice")):
        fields = ABUSE_FIELDS.replace(b"Feedback-Type: abuse", b"Feedback-Type: " + kind.encode())
        report = headerscope.analyze(_arf(fields, REPORTED), offline=True)
        [finding] = [f for f in report.findings if f.id.startswith("feedback.")]
        assert (finding.id, finding.severity.value) == (finding_id, severity), kind
    # A feedback part that names no type is no report.
    untyped = headerscope.analyze(_arf(ABUSE_FIELDS.replace(b"Feedback-Type: abuse\r\n", b""), REPORTED), offline=True)
    assert untyped.feedback_report is None
    assert not [f for f in untyped.findings if f.id.startswith("feedback.")]


def test_feedback_report_in_every_format_escaped_and_bounded() -> None:
    hostile = ABUSE_FIELDS.replace(b"SomeGenerator/1.0", b"<script>alert(1)</script>[bold]x[/bold]")
    many = hostile + b"".join(b"Original-Rcpt-To: r%d@example.com\r\n" % i for i in range(5000))
    report = headerscope.analyze(_arf(many, REPORTED), offline=True)
    assert report.feedback_report is not None and len(report.feedback_report.original_rcpt_to) == 100
    terminal = get_renderer("terminal", width=160).render(report)
    section = terminal[terminal.index("Feedback report"):terminal.index("Hops (earliest first)")]
    assert "Source-IP" in section and "192.0.2.1" in section and "[bold]x[/bold]" in section
    page = get_renderer("html").render(report)
    root = parse_html(page)
    rows = root.by_id("feedback-fields").find_all("tr")
    assert len(rows) > 8 and "<script>alert(1)" not in page and "&lt;script&gt;" in page
    markdown = get_renderer("markdown").render(report)
    assert "### Feedback report" in markdown and "\\<script\\>" in markdown
    data = json.loads(get_renderer("json").render(report))
    assert data["feedback_report"]["feedback_type"] == "abuse"
    redacted = redact_report(report)
    assert redacted.feedback_report is not None
    assert redacted.feedback_report.original_mail_from == "s***@example.net"


# ------------------------------------------------------------------- bounces without RFC 3464


QMAIL_BOUNCE = (b"Return-Path: <>\r\nReceived: (qmail 7513 invoked for bounce); 28 Aug 2006 20:38:01 -0000\r\n"
                b"Date: 28 Aug 2006 20:38:01 -0000\r\nFrom: MAILER-DAEMON@mail1.coqui.net\r\n"
                b"To: sender@somehost.example.com\r\nSubject: failure notice\r\n\r\n"
                b"Hi. This is the qmail-send program at mail1.coqui.net.\r\n"
                b"I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
                b"This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
                b"<recipient@example.net>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n"
                b"<summertime@sf.ca.example>:\r\nSorry, I couldn't find any host by that name. (#4.1.2)\r\n"
                b"I'm not going to try again; this message has been in the queue too long.\r\n\r\n"
                b"--- Below this line is a copy of the message.\r\n\r\n")


def test_a_qmail_bounce_is_read_and_its_returned_copy_analyzed() -> None:
    # qmail's format (QSBMF, cr.yp.to/proto/qsbmf.txt), as qmail-ldap wrote it (real lines).
    returned = (SAMPLES / "direct.eml").read_bytes()
    report = headerscope.analyze(QMAIL_BOUNCE + returned, offline=True)
    dsn = report.delivery_report
    assert dsn is not None and (dsn.format, dsn.reporting_mta) == ("qmail", "mail1.coqui.net")
    first, second = dsn.recipients
    assert (first.final_recipient, first.action, first.status) == ("recipient@example.net", "failed", "5.1.1")
    assert first.diagnostic_code == "Sorry, no mailbox here by that name. (#5.1.1)"
    assert (second.final_recipient, second.status) == ("summertime@sf.ca.example", "4.1.2")
    finding = next(f for f in report.findings if f.id == "dsn.failed")
    assert "qmail's bounce format (QSBMF)" in finding.explanation and finding.reference.startswith("https://cr.yp.to")
    assert [a.subject for a in report.attached] == ["Q4 capacity plan - draft for review"]
    assert "(in qmail's bounce format, QSBMF)" in get_renderer("markdown").render(report)
    assert "(in qmail's bounce format, QSBMF)" in get_renderer("html").render(report)
    # The copy is the message, byte for byte: its DKIM passes.
    (entry, inner), = attached_messages(parse_message(QMAIL_BOUNCE + returned))
    assert inner == returned and entry.content_type == "text/plain"
    analyzed = headerscope.analyze(inner, dns_snapshot=str(SAMPLES / "direct.dns.json"))
    assert [d.result for d in analyzed.dkim] == ["pass"]
    # Text that only mentions qmail is no bounce.
    plain = headerscope.analyze(b"From: a@example.org\r\nSubject: q\r\n\r\nHi. This is about qmail-send.\r\n",
                                offline=True)
    assert plain.delivery_report is None


def test_bounces_in_text_alone_are_named_with_their_status_codes() -> None:
    # Exchange Online's NDR kept without its report part (real lines): Exchange's own mark.
    ndr = (b"From: Microsoft Outlook <postmaster@example.onmicrosoft.com>\r\nTo: gordon@example.org\r\n"
           b"Subject: Undeliverable: SERV Volunteer Hours for November 2021\r\nX-MS-Exchange-Message-Is-Ndr:\r\n"
           b"Auto-Submitted: auto-replied\r\nContent-Type: text/plain\r\n\r\n"
           b"Delivery has failed to these recipients or groups:\r\n\r\ngordon@amateur-radio.example\r\n"
           b"Status code: 550 5.7.350\r\nReported error:550 5.7.350 Remote server returned message detected as "
           b"spam -> 554 5.7.1 Service unavailable\r\n")
    report = headerscope.analyze(ndr, offline=True)
    [finding] = [f for f in report.findings if f.id.startswith("dsn.")]
    assert (finding.id, finding.severity.value) == ("dsn.unstructured", "warning")
    assert finding.title.startswith("Bounce: delivery to gordon@amateur-radio.example failed (5.7.350")
    assert "X-MS-Exchange-Message-Is-Ndr" in finding.explanation and "5.7.1: permanent failure" in finding.explanation
    # Lotus Domino: its subject and its sender say so.
    domino = (b"From: Postmaster@Anthem.example\r\nTo: a@example.org\r\nSubject: DELIVERY FAILURE: User craig.vernon "
              b"(recipient@example.net) not listed in Domino Directory\r\n\r\nYour message was not delivered.\r\n")
    assert [f.id for f in headerscope.analyze(domino, offline=True).findings if f.id.startswith("dsn.")] == [
        "dsn.unstructured"]
    # A person's mail with such a subject is not a bounce.
    person = domino.replace(b"Postmaster@Anthem.example", b"Craig <craig@example.net>")
    assert not [f for f in headerscope.analyze(person, offline=True).findings if f.id.startswith("dsn.")]


def test_read_receipts_and_automatic_replies() -> None:
    # A message disposition notification laid out as RFC 8098 section 9's example.
    mdn = (b"Date: Wed, 20 Sep 1995 00:19:00 (EDT) -0400\r\nFrom: Joe Recipient <Joe_Recipient@example.com>\r\n"
           b"Message-Id: <199509200019.12345@example.com>\r\nSubject: Disposition notification\r\n"
           b"To: Jane Sender <Jane_Sender@example.org>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/report; report-type=disposition-notification;\r\n\tboundary=\"RAA14128.773615765/example.com\"\r\n"
           b"\r\n--RAA14128.773615765/example.com\r\n\r\nThe message sent on 1995 Sep 19 was displayed.\r\n"
           b"\r\n--RAA14128.773615765/example.com\r\nContent-Type: message/disposition-notification\r\n\r\n"
           b"Reporting-UA: joes-pc.cs.example.com; Foomail 97.1\r\nOriginal-Recipient: rfc822;Joe_Recipient@example.com\r\n"
           b"Final-Recipient: rfc822;Joe_Recipient@example.com\r\nOriginal-Message-ID: <199509192301.23456@example.org>\r\n"
           b"Disposition: manual-action/MDN-sent-manually; displayed\r\n\r\n--RAA14128.773615765/example.com--\r\n")
    report = headerscope.analyze(mdn, offline=True)
    [receipt] = [f for f in report.findings if f.id == "mdn.receipt"]
    assert receipt.title == "Read receipt from Joe_Recipient@example.com: displayed"
    assert "<199509192301.23456@example.org>" in receipt.explanation and "Foomail 97.1" in receipt.explanation
    assert not [f for f in report.findings if f.id.startswith(("dsn.", "message."))]
    assert receipt.severity.value == "info" and "Disposition fields that differ" not in receipt.explanation
    # Two Disposition fields that differ (RFC 8098 section 3.1 allows one; verification V23 D9:
    # the last, "displayed", was reported as the receipt): the first is read, the other said.
    twice = mdn.replace(b"Disposition: manual-action/MDN-sent-manually; displayed\r\n",
                        b"Disposition: automatic-action/MDN-sent-automatically; deleted\r\n"
                        b"Disposition: manual-action/MDN-sent-manually; displayed\r\n")
    [receipt] = [f for f in headerscope.analyze(twice, offline=True).findings if f.id == "mdn.receipt"]
    assert receipt.title == ("Read receipt from Joe_Recipient@example.com: deleted (contradicted by another "
                             "Disposition field)")
    assert receipt.severity.value == "notice"
    assert ('It carries 2 Disposition fields that differ (also "manual-action/MDN-sent-manually; displayed")'
            in receipt.explanation)
    # Fields that differ only in case, white space or a comment say the same (RFC 8098 section
    # 3.2.6's tokens; verification V24 D6 called them contradicted).
    same = mdn.replace(b"Disposition: manual-action/MDN-sent-manually; displayed\r\n",
                       b"Disposition: manual-action/MDN-sent-manually; displayed\r\n"
                       b"Disposition: Manual-Action/MDN-Sent-Manually;Displayed (read)\r\n")
    [receipt] = [f for f in headerscope.analyze(same, offline=True).findings if f.id == "mdn.receipt"]
    assert receipt.title == "Read receipt from Joe_Recipient@example.com: displayed"
    assert receipt.severity.value == "info"
    # An automatic reply (a Sieve vacation, real field); an automatic message that is no reply is not one.
    vacation = (b"From: someone@example.org\r\nTo: a@example.net\r\nSubject: Auto: hello\r\n"
                b"Auto-Submitted: auto-replied (vacation)\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nAway.\r\n")
    assert [f.id for f in headerscope.analyze(vacation, offline=True).findings if f.id == "message.auto_reply"] == [
        "message.auto_reply"]
    generated = vacation.replace(b"auto-replied (vacation)", b"auto-generated")
    assert not [f for f in headerscope.analyze(generated, offline=True).findings if f.id == "message.auto_reply"]


def test_a_text_only_bounce_names_the_recipient_its_text_gives() -> None:
    # Exchange Online's NDR kept as text (no delivery-status part), Exim's and Postfix's text
    # bounces: the failed recipient is in the text; it was "only in its text", with no headline.
    import headerscope

    head = (b"From: Microsoft Outlook <MicrosoftExchange329e@example.onmicrosoft.com>\r\nTo: cert@example.gov\r\n"
            b"Subject: Undeliverable: SERV Volunteer Hours\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
            b"X-MS-Exchange-Message-Is-Ndr:\r\n\r\n")
    exchange = head + (b"Your message to gordon@amateur-radio.example couldn't be delivered.\r\n"
                       b"amateur-radio.example suspects your message is spam and rejected it.\r\n"
                       b"Recipient Address:gordon@amateur-radio.example\r\n"
                       b"Reported error:550 5.7.350 Remote server returned message detected as spam\r\n")
    exim = (b"From: Mail Delivery System <Mailer-Daemon@mx.example.net>\r\nTo: a@example.org\r\n"
            b"Subject: Mail delivery failed: returning message to sender\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\n"
            b"This message was created automatically by mail delivery software.\r\n\r\nA message that you sent could "
            b"not be delivered to one or more of its\r\nrecipients. This is a permanent error. The following "
            b"address(es) failed:\r\n\r\n  user@example.com\r\n    host mx.example.com [192.0.2.1]\r\n")
    postfix = (b"From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\nTo: a@example.org\r\n"
               b"Subject: Undelivered Mail Returned to Sender\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\n"
               b"<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 no such user\r\n")
    for raw, who, code in ((exchange, "gordon@amateur-radio.example", "5.7.350"), (exim, "user@example.com", ""),
                           (postfix, "bob@example.org", "5.1.1")):
        [bounce] = [f for f in headerscope.analyze(raw, offline=True).findings if f.id == "dsn.unstructured"]
        assert bounce.severity.value == "warning", raw
        assert bounce.title.startswith(f"Bounce: delivery to {who} failed" + (f" ({code}" if code else "")), bounce.title
    # KDDI's (real, 2008): the address alone on its line, the reason above it.
    kddi = (b"From: Postmaster@ezweb.example\r\nTo: <info@example.net>\r\nSubject: Mail System Error - Returned Mail\r\n"
            b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nThe user(s) account is disabled.\r\n\r\n"
            b"<no-such-user@ezweb.example>\r\n\r\n")
    [bounce] = [f for f in headerscope.analyze(kddi, offline=True).findings if f.id == "dsn.unstructured"]
    assert bounce.title == "Bounce: delivery to no-such-user@ezweb.example failed"
    # An address alone on a folded (indented) line is a returned header's, not the failed recipient.
    folded = kddi.replace(b"<no-such-user@ezweb.example>", b"From: \"A long name\"\r\n <alice@example.org>")
    [bounce] = [f for f in headerscope.analyze(folded, offline=True).findings if f.id == "dsn.unstructured"]
    assert bounce.title == "Bounce without a machine-readable report"
    # No recipient in the text: the plain notice, as before.
    vague = head + b"Something went wrong.\r\n"
    [bounce] = [f for f in headerscope.analyze(vague, offline=True).findings if f.id == "dsn.unstructured"]
    assert bounce.severity.value == "notice" and bounce.title == "Bounce without a machine-readable report"


def test_a_text_bounce_reads_the_refusal_from_the_smtp_session_it_quotes() -> None:
    import headerscope

    def bounce_of(raw: bytes) -> Finding:
        [bounce] = [f for f in headerscope.analyze(raw, offline=True).findings if f.id == "dsn.unstructured"]
        return bounce

    # KDDI's EZweb (real layout, 2011): a "Recipient:" label above the quoted session.
    kddi = (b"From: Postmaster@ezweb.example\r\nTo: <sironeko@example.jp>\r\n"
            b"Subject: Mail System Error - Returned Mail\r\nDate: Thu, 29 Apr 2011 23:34:45 +0900\r\n\r\n"
            b"Each of the following recipients was rejected by a remote\r\nmail server.\r\n\r\n"
            b"    Recipient: <no-such-user@ezweb.example>\r\n"
            b"    >>> RCPT TO:<no-such-user@ezweb.example>\r\n"
            b"    <<< 550 <no-such-user@ezweb.example>: User unknown\r\n\r\n")
    bounce = bounce_of(kddi)
    assert bounce.title == "Bounce: delivery to no-such-user@ezweb.example failed (“550 <no-such-user@ezweb.example>: User unknown”)"
    assert "the receiving server's reply in the SMTP session the bounce quotes, read from its text" in bounce.explanation
    # The label alone names the recipient.
    assert bounce_of(kddi.split(b"    >>>")[0]).title == "Bounce: delivery to no-such-user@ezweb.example failed"
    # sendmail's transcript (a multi-line 550-5.1.1 reply, its first line taken); an accepted
    # RCPT (250) before it is no failure.
    sendmail = (b"From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>\r\nTo: a@example.org\r\n"
                b"Subject: Returned mail: see transcript for details\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\n"
                b"   ----- Transcript of session follows -----\r\n... while talking to mx.example.com.:\r\n"
                b">>> RCPT To:<ok@example.com>\r\n<<< 250 2.1.5 OK\r\n"
                b">>> RCPT To:<gone@example.com>\r\n"
                b"<<< 550-5.1.1 The email account that you tried to reach does not exist.\r\n"
                b"<<< 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser - gsmtp\r\n"
                b"550 5.1.1 <gone@example.com>... User unknown\r\n")
    bounce = bounce_of(sendmail)
    assert bounce.title == ("Bounce: delivery to gone@example.com failed (5.1.1: permanent failure: bad destination "
                            "mailbox address (no such user))")
    assert "gone@example.com: “550-5.1.1 The email account that you tried to reach does not exist.”" in bounce.explanation
    assert "ok@example.com" not in bounce.explanation
    # sendmail's refusal after DATA names the recipient in the reply itself.
    data = sendmail.replace(b">>> RCPT To:<gone@example.com>\r\n", b">>> DATA\r\n").replace(
        b"<<< 550-5.1.1 The email account that you tried to reach does not exist.\r\n"
        b"<<< 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser - gsmtp\r\n",
        b"<<< 550 5.1.1 <gone@example.com>... User unknown\r\n")
    assert "gone@example.com: “550 5.1.1 <gone@example.com>... User unknown”" in bounce_of(data).explanation
    # Exim's older layout: the reply after the host on the line below the command.
    exim = (b"From: Mail Delivery System <Mailer-Daemon@mx.example.net>\r\nTo: a@example.org\r\n"
            b"Subject: Mail delivery failed: returning message to sender\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\n"
            b"The following address(es) failed:\r\n\r\n  user@example.com\r\n"
            b"    SMTP error from remote mail server after RCPT TO:<user@example.com>:\r\n"
            b"    host mx.example.com [192.0.2.1]: 550 5.1.1 <user@example.com>: Recipient address rejected\r\n")
    assert "user@example.com: “550 5.1.1 <user@example.com>: Recipient address rejected”" in bounce_of(exim).explanation


def test_a_bounce_title_says_what_the_remote_server_said_not_only_the_codes_registered_meaning() -> None:
    # Yahoo refuses for policy with 5.7.9, registered (RFC 4954) as "authentication mechanism is
    # too weak": the title quotes the server (RFC 3464 section 2.3.6); the code stays beside it.
    status = (b"Reporting-MTA: dns; mx.sender.example\r\n\r\n"
              b"Final-Recipient: rfc822; kijitora@aol.example\r\nAction: failed\r\nStatus: 5.7.9\r\n"
              b"Remote-MTA: dns; mx-aol.mail.gm0.yahoodns.example\r\n"
              b"Diagnostic-Code: smtp; 554 5.7.9 Message not accepted for policy reasons.  See\r\n"
              b"    https://help.yahoo.example/kb/postmaster/SLN7253.html\r\n")
    report = headerscope.analyze(_dsn(status, b"From: a@sender.example\r\nSubject: x\r\n\r\nbody\r\n"), offline=True)
    [finding] = [f for f in report.findings if f.id == "dsn.failed"]
    assert finding.title == ("Bounce: delivery to kijitora@aol.example failed (5.7.9: “Message not accepted for "
                             "policy reasons. See https://help.yahoo.example/kb/postmaster/SLN7253.html”)")
    assert "too weak" not in finding.title
    # With nothing but codes to say, the registered meaning stands in.
    bare = status.replace(b"554 5.7.9 Message not accepted for policy reasons.  See\r\n"
                          b"    https://help.yahoo.example/kb/postmaster/SLN7253.html", b"554 5.7.9")
    report = headerscope.analyze(_dsn(bare, b"From: a@sender.example\r\nSubject: x\r\n\r\nbody\r\n"), offline=True)
    [finding] = [f for f in report.findings if f.id == "dsn.failed"]
    assert finding.title.endswith("(5.7.9: permanent failure: authentication mechanism is too weak)")


@pytest.mark.parametrize(("field", "marked"), [
    (b"X-QQ-HolidayReply: true", True), (b"X-Autoreply: yes", True), (b"X-Autorespond: 1", True),
    (b"Precedence: auto_reply", True), (b"Precedence: bulk", False), (b"X-Autoreply: no", False)])
def test_a_mail_systems_own_mark_of_an_automatic_reply_is_read(field: bytes, marked: bool) -> None:
    # QQ Mail's holiday reply (real, 2020) carries no Auto-Submitted (RFC 3834), only its own field.
    raw = (b"From: a@qq.example\r\nTo: b@163.example\r\nSubject: Automatic reply: hello\r\n" + field
           + b"\r\nDate: Wed, 20 May 2020 15:49:07 +0800\r\n\r\nI am away.\r\n")
    found = [f for f in headerscope.analyze(raw, offline=True).findings if f.id == "message.auto_reply"]
    assert [f.title for f in found] == ([f"Automatic reply ({field.decode()})"] if marked else [])


def test_a_code_a_vendor_uses_otherwise_is_read_as_the_vendor_means_it() -> None:
    # 5.1.10 is registered for a null MX (RFC 7505); Microsoft 365 uses it for "recipient not
    # found". Its report names it; another's keeps the registered meaning.
    status = (b"Reporting-MTA: dns;DB5PR06MB1800.eurprd06.prod.outlook.com\r\n\r\n"
              b"Final-Recipient: rfc822;noname@example.com\r\nAction: failed\r\nStatus: 5.1.10\r\n"
              b"Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address"
              b" lookup\r\n")
    returned = b"From: a@sender.example\r\nSubject: x\r\n\r\nbody\r\n"
    report = headerscope.analyze(_dsn(status, returned), offline=True)
    assert report.delivery_report is not None
    assert report.delivery_report.recipients[0].status_meaning == (
        "permanent failure: recipient not found (Microsoft 365's use of the code)")
    other = status.replace(b"DB5PR06MB1800.eurprd06.prod.outlook.com", b"mx.example.org").replace(
        b"RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", b"null MX")
    report = headerscope.analyze(_dsn(other, returned), offline=True)
    assert report.delivery_report is not None
    assert "null MX (RFC 7505)" in (report.delivery_report.recipients[0].status_meaning or "")


def test_a_class_only_status_takes_the_remote_servers_precise_code() -> None:
    # Courier's report (real, 2010) wrote "Status: 5.0.0" for the remote "550 5.1.1 ... User
    # Unknown": "other or undefined status" hid that the mailbox does not exist.
    status = (b"Reporting-MTA: dns; marutamachi.example.org\r\n\r\n"
              b"Final-Recipient: rfc822;kijitora@example.co.jp\r\nAction: failed\r\nStatus: 5.0.0\r\n"
              b"Diagnostic-Code: smtp; 550 5.1.1 <kijitora@example.co.jp>... User Unknown\r\n")
    returned = b"From: a@sender.example\r\nSubject: x\r\n\r\nbody\r\n"
    report = headerscope.analyze(_dsn(status, returned), offline=True)
    assert report.delivery_report is not None
    [recipient] = report.delivery_report.recipients
    assert recipient.status == "5.0.0"
    assert recipient.status_meaning == ("permanent failure: bad destination mailbox address (no such user) "
                                        "(the remote server's code 5.1.1; the report's Status is 5.0.0)")
    # A code of another class, or a specific Status, is left as it is.
    for changed in (status.replace(b"550 5.1.1", b"450 4.2.2"), status.replace(b"Status: 5.0.0", b"Status: 5.2.2")):
        report = headerscope.analyze(_dsn(changed, returned), offline=True)
        assert report.delivery_report is not None
        assert "remote server's code" not in (report.delivery_report.recipients[0].status_meaning or "")


def test_x_failed_recipients_names_the_recipient_a_bounce_is_about() -> None:
    # Google's bounce without a report part (real, 2019), and Exim's report whose Final-Recipient
    # is the file it delivered to ("rfc822;/mail/spool/..."): X-Failed-Recipients names who failed.
    text_only = (b"From: Mail Delivery Subsystem <mailer-daemon@googlemail.example>\r\nTo: a@example.jp\r\n"
                 b"Subject: Delivery Status Notification (Failure)\r\n"
                 b"X-Failed-Recipients: libsisimai@googlegroups.example\r\n\r\nThe message was not delivered.\r\n")
    [finding] = [f for f in headerscope.analyze(text_only, offline=True).findings if f.id.startswith("dsn.")]
    assert (finding.id, finding.title) == ("dsn.unstructured", "Bounce: delivery to libsisimai@googlegroups.example failed")
    status = (b"Reporting-MTA: dns; q002.kijitora.gol.example\r\n\r\n"
              b"Final-Recipient: rfc822;/mail/spool/q002.kijitora.gol.example/22r/cat/n2.nyaan\r\n"
              b"Action: failed\r\nStatus: 5.0.0\r\n")
    exim = _dsn(status, b"From: a@sender.example\r\nSubject: x\r\n\r\nbody\r\n").replace(
        b"Subject: Undelivered", b"X-Failed-Recipients: nyaan@gol.example\r\nSubject: Undelivered", 1)
    report = headerscope.analyze(exim, offline=True)
    [finding] = [f for f in report.findings if f.id == "dsn.failed"]
    assert finding.title.startswith("Bounce: delivery to nyaan@gol.example failed")
    assert report.delivery_report is not None  # the report's own value is kept as written
    assert report.delivery_report.recipients[0].final_recipient == "/mail/spool/q002.kijitora.gol.example/22r/cat/n2.nyaan"


def test_a_bounce_says_whose_words_and_each_recipients_code() -> None:
    # Three real reports: Exchange's own "RESOLVER.RST.RecipSizeLimit" with no Remote-MTA was put in
    # a remote server's mouth; two recipients with 5.1.1 and 5.2.1 were both titled 5.1.1; Exchange
    # Online's "550 5.4.1 ... Access denied" read as "no answer from host".
    returned = b"From: a@sender.example\r\nSubject: x\r\n\r\nbody\r\n"
    own = (b"Reporting-MTA: dns;emea.e.example\r\n\r\n"
           b"Final-Recipient: rfc822;kijitora@example.jp\r\nAction: failed\r\nStatus: 5.2.3\r\n"
           b"Diagnostic-Code: smtp;550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient\r\n")
    [finding] = [f for f in headerscope.analyze(_dsn(own, returned), offline=True).findings if f.id == "dsn.failed"]
    assert 'emea.e.example reported "550 5.2.3 RESOLVER.RST.RecipSizeLimit' in finding.explanation
    assert "answered" not in finding.explanation
    remote = own.replace(b"Status: 5.2.3\r\n", b"Status: 5.2.3\r\nRemote-MTA: dns;mx.example.jp\r\n")
    [finding] = [f for f in headerscope.analyze(_dsn(remote, returned), offline=True).findings if f.id == "dsn.failed"]
    assert 'mx.example.jp answered "550 5.2.3' in finding.explanation
    two = (b"Reporting-MTA: dns;mx.sender.example\r\n\r\n"
           b"Final-Recipient: rfc822;kijitora@example.jp\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
           b"Final-Recipient: rfc822;sabatora@example.jp\r\nAction: failed\r\nStatus: 5.2.1\r\n")
    [finding] = [f for f in headerscope.analyze(_dsn(two, returned), offline=True).findings if f.id == "dsn.failed"]
    assert finding.title == "Bounce: delivery to kijitora@example.jp, sabatora@example.jp failed (5.1.1, 5.2.1)"
    edge = (b"Reporting-MTA: dns;mx.sender.example\r\n\r\n"
            b"Final-Recipient: rfc822;kijitora@example.br\r\nAction: failed\r\nStatus: 5.4.1\r\n"
            b"Remote-MTA: dns;example-br.mail.protection.outlook.com\r\n"
            b"Diagnostic-Code: smtp;550 5.4.1 <kijitora@example.br>: Recipient address rejected: Access denied\r\n")
    report = headerscope.analyze(_dsn(edge, returned), offline=True)
    assert report.delivery_report is not None
    assert report.delivery_report.recipients[0].status_meaning == (
        "permanent failure: recipient not found (Exchange Online's directory-based edge blocking)")


def test_a_dmarc_aggregate_report_is_said_to_be_one() -> None:
    # Google's aggregate report (real, 2020) got only "Delay of 10.8 h": RFC 7489 section 7.2.1.1
    # gives such reports their Subject.
    raw = (b"From: noreply-dmarc-support@google.example\r\nTo: dmarc@borschow.example\r\n"
           b"Subject: Report domain: borschow.example Submitter: google.example Report-ID: 949348866075514174\r\n"
           b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nContent-Type: application/zip;\r\n"
           b" name=\"google.example!borschow.example!1604188800!1604275199.zip\"\r\n\r\nUEsDBA==\r\n")
    [finding] = [f for f in headerscope.analyze(raw, offline=True).findings if f.id == "message.dmarc_report"]
    assert finding.title == "DMARC aggregate report from google.example about borschow.example"
    assert "report 949348866075514174" in finding.explanation
    other = raw.replace(b"Subject: Report domain:", b"Subject: Re: Report domain:")
    assert not [f for f in headerscope.analyze(other, offline=True).findings if f.id == "message.dmarc_report"]
    # A gzipped report in a multipart, known by its file name whatever its type (RFC 7489 section
    # 7.2.1.1's layout, for the Subject's domain); a zip or gzip by its type alone, another
    # domain's report or a name of another layout is none (verification V24 D3: any .zip was).
    named = b"google.example!borschow.example!1604188800!1604275199.xml.gz"
    for part_header, expected in (
            (b"Content-Type: application/octet-stream;\r\n name=\"" + named + b"\"", "message.dmarc_report"),
            (b"Content-Type: application/gzip;\r\n name=\"" + named.upper() + b"\"", "message.dmarc_report"),
            (b"Content-Type: application/gzip", "message.report_subject_only"),
            (b"Content-Type: application/zip; name=\"invoice.zip\"", "message.report_subject_only"),
            (b"Content-Type: application/gzip;\r\n name=\"" + named.replace(b"!borschow.", b"!other.") + b"\"",
             "message.report_subject_only")):
        multipart = raw.replace(b"Content-Type: application/zip;\r\n"
                                b" name=\"google.example!borschow.example!1604188800!1604275199.zip\"\r\n\r\nUEsDBA==\r\n", (
            b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            b"Content-Type: text/plain\r\n\r\nThis is an aggregate report.\r\n--b\r\n" + part_header
            + b"\r\nContent-Transfer-Encoding: base64\r\n\r\nH4sIAAAAAAAAAwMAAAAAAAAAAAA=\r\n--b--\r\n"))
        assert [f.id for f in headerscope.analyze(multipart, offline=True).findings
                if f.id.startswith("message.")] == [expected], part_header


def test_a_dmarc_report_subject_without_a_report_is_not_filed_as_one() -> None:
    # Verification V23: the Subject alone made a phish "a DMARC aggregate report" (an info, the
    # scan row's kind dmarc_report) and turned off the inline-forward reading. RFC 7489 section
    # 7.2.1.1 has the report attached as XML, zipped or gzipped.
    phish = (b"From: PayPal <service@paypal.example>\r\nTo: a@example.net\r\n"
             b"Subject: Report Domain: paypal.example Submitter: google.example Report-ID: <123>\r\n"
             b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nYour account is locked: https://paypa1.example/login\r\n")
    report = headerscope.analyze(phish, offline=True)
    ids = [f.id for f in report.findings]
    assert "message.dmarc_report" not in ids
    [finding] = [f for f in report.findings if f.id == "message.report_subject_only"]
    assert finding.severity.value == "notice"
    assert "(about paypal.example, from google.example)" in finding.explanation
    assert "it is not shown to be such a report, whatever its Subject says" in finding.explanation
    # A forwarded message under that Subject is still read as the forward it is.
    forwarded = phish.replace(b"\r\n\r\nYour account", b"\r\n\r\nSee below.\r\n\r\n"
                              b"---------- Forwarded message ---------\r\nFrom: Bank <alerts@bank.example>\r\n"
                              b"Date: Mon, 2 Nov 2026 09:00:00 +0000\r\nSubject: Locked\r\nTo: <a@example.net>\r\n"
                              b"\r\nYour account")
    assert "message.inline_forward" in [f.id for f in headerscope.analyze(forwarded, offline=True).findings]


@pytest.mark.parametrize("marker", [
    b"------ This is a copy of the message, including all the headers. ------",
    b"------- Returned Message --------",
    b"   ----- Original message follows -----",
])
def test_the_copy_a_plain_text_bounce_returns_is_an_attached_message(marker: bytes) -> None:
    # Exim 4.69's and Lotus Notes' bounces (real) carry no MIME parts: the finding promised the
    # returned message, and "--attached 1" answered that the bounce carried none.
    returned = (b"Received: from foi by wildfire.ukcod.example with local (Exim 4.69) id 1; "
                b"Mon, 2 Nov 2026 09:59:59 +0000\r\n"
                b"From: WhatDoTheyKnow <team@whatdotheyknow.example>\r\nTo: user@example.com\r\n"
                b"Subject: Your email alert\r\nDate: Mon, 2 Nov 2026 09:59:58 +0000\r\n\r\nThe alert.\r\n")
    bounce = (b"From: Mail Delivery System <Mailer-Daemon@wildfire.ukcod.example>\r\nTo: team@whatdotheyknow.example\r\n"
              b"Subject: Mail delivery failed: returning message to sender\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
              b"\r\nThis message was created automatically by mail delivery software.\r\n\r\n"
              b"  user@example.com\r\n    Unrouteable address\r\n\r\n" + marker.lstrip() + b"\r\n\r\n" + returned)
    entries = attached_messages(parse_message(bounce))
    assert [(e.number, e.subject, e.headers_only) for e, _ in entries] == [(1, "Your email alert", False)]
    assert entries[0][1] == returned
    report = headerscope.analyze(bounce, offline=True)
    assert [a.subject for a in report.attached] == ["Your email alert"]
    # Text that only mentions the words is no copy.
    assert attached_messages(parse_message(bounce.replace(marker.lstrip(), b"The original message follows."))) == ()


def test_a_message_inside_an_attached_message_is_reached_by_its_path(tmp_path: Path) -> None:
    # A forwarded delayed bounce (real, 2001): its finding pointed at "--attached 1", which is the
    # bounce itself, and the message it returned could not be reached.
    inner_dsn = _dsn(STATUS, (SAMPLES / "direct.eml").read_bytes())
    outer = (b"From: ralf@example.org\r\nTo: help@example.org\r\nSubject: Fwd: delayed mail\r\n"
             b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: multipart/mixed; boundary=\"OUT\"\r\n\r\n--OUT\r\nContent-Type: text/plain\r\n\r\n"
             b"See below.\r\n--OUT\r\nContent-Type: message/rfc822\r\n\r\n" + inner_dsn + b"\r\n--OUT--\r\n")
    path = tmp_path / "fwd.eml"
    path.write_bytes(outer)
    env = {**os.environ, "NO_COLOR": "1"}
    run = [sys.executable, "-m", "headerscope", "analyze", str(path), "--offline", "--format", "json"]
    bounce = json.loads(subprocess.run([*run, "--attached", "1"], capture_output=True, env=env, cwd=REPO,
                                       check=True).stdout)
    [failed] = [f for f in bounce["findings"] if f["id"] == "dsn.failed"]
    assert "`headerscope analyze FILE --attached 1.1`" in failed["explanation"]
    returned = json.loads(subprocess.run([*run, "--attached", "1.1"], capture_output=True, env=env, cwd=REPO,
                                         check=True).stdout)
    assert returned["input"]["source"] == f"{path}#attached-1#attached-1"
    assert returned["subject"] == bounce["attached"][0]["subject"]
    for bad in ("0", "1.0", "x", "1..2"):
        refused = subprocess.run([*run, "--attached", bad], capture_output=True, env=env, cwd=REPO)
        assert refused.returncode == 2 and b"no attached message's number" in refused.stderr


def test_exims_plain_text_bounce_gives_the_reason_below_the_address() -> None:
    # Exim 4.69 (real, 2011): "  user@example.com\n    Unrouteable address" was read for the
    # address, and the reason, what a ticket asks first, was dropped.
    bounce = (b"From: Mail Delivery System <Mailer-Daemon@wildfire.example>\r\nTo: team@example.org\r\n"
              b"Subject: Mail delivery failed: returning message to sender\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
              b"\r\nA message that you sent could not be delivered to one or more of its\r\nrecipients. This is a "
              b"permanent error. The following address(es) failed:\r\n\r\n  user@example.com\r\n"
              b"    Unrouteable address\r\n")
    [finding] = [f for f in headerscope.analyze(bounce, offline=True).findings if f.id == "dsn.unstructured"]
    assert finding.title == "Bounce: delivery to user@example.com failed (“Unrouteable address”)"
    assert "(user@example.com: “Unrouteable address”)" in finding.explanation
    # A line below that is not indented further is no reason.
    flat = bounce.replace(b"    Unrouteable address", b"  Unrouteable address")
    [finding] = [f for f in headerscope.analyze(flat, offline=True).findings if f.id == "dsn.unstructured"]
    assert finding.title == "Bounce: delivery to user@example.com failed"


def test_an_abuse_reports_envelope_fills_what_the_attached_copy_does_not_record(tmp_path: Path) -> None:
    # RFC 5965 section 3.2: the report records the reported message's MAIL FROM, RCPT TO and
    # client IP. "--attached 1" said "MAIL FROM not recorded (give --mail-from)" for the copy,
    # which, as most reporters send it, keeps no Return-Path.
    env = {**os.environ, "NO_COLOR": "1"}

    def attached(reported: bytes) -> dict:  # type: ignore[type-arg]
        path = tmp_path / "arf.eml"
        path.write_bytes(_arf(ABUSE_FIELDS, reported))
        return json.loads(subprocess.run(  # type: ignore[no-any-return]
            [sys.executable, "-m", "headerscope", "analyze", str(path), "--offline", "--format", "json",
             "--attached", "1"], capture_output=True, env=env, cwd=REPO, check=True).stdout)

    report = attached(REPORTED)
    envelope = report["envelope"]
    assert (envelope["mail_from"], envelope["mail_from_source"]) == (
        "somespammer@example.net", "the feedback report that carries it: Original-Mail-From")
    assert envelope["rcpt_to"] == ["user@example.com"]
    assert envelope["rcpt_to_sources"] == ["the feedback report that carries it: Original-Rcpt-To"]
    spf = report["spf"]
    assert (spf["client_ip"], spf["mail_from"]) == ("192.0.2.1", "somespammer@example.net")
    assert spf["inputs_from"] == "hop 1; MAIL FROM: the feedback report that carries it: Original-Mail-From"
    # A copy without the reporter's Received: the report's Source-IP is the client.
    bare = attached(REPORTED.replace(REPORTED[REPORTED.index(b"Received:"):REPORTED.index(b"To:")], b""))
    assert bare["hops"] == [] and bare["spf"]["client_ip"] == "192.0.2.1"
    assert bare["spf"]["inputs_from"].startswith("the feedback report's Source-IP (RFC 5965 section 3.2)")
    # The copy's own record comes first.
    own = attached(b"Return-Path: <bounces@example.net>\r\n" + REPORTED)
    assert (own["envelope"]["mail_from"], own["envelope"]["mail_from_source"]) == ("bounces@example.net", "Return-Path")


def test_fields_allowed_once_that_appear_twice_and_a_copied_signature_are_said() -> None:
    # Real phishing (2023): two different Subject-like fields went unsaid; a compromised relay (and
    # Tessian's re-injection) left the same DKIM-Signature twice.
    head = (b"Received: from out.sender.example (out.sender.example [203.0.113.9]) by mx.example.net with ESMTP id 1; "
            b"Mon, 2 Nov 2026 10:00:02 +0000\r\n")
    signature = b"DKIM-Signature: v=1; a=rsa-sha256; d=sender.example; s=s1; h=from; bh=AAAA; b=BBBB\r\n"
    raw = (head + signature + signature + b"From: a@sender.example\r\nSubject: Invoice\r\nSubject: Your password\r\n"
           b"To: b@example.net\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n")
    findings = {f.id: f for f in headerscope.analyze(raw, offline=True).findings}
    assert findings["message.repeated_field"].title == "Fields allowed once appear more than once: Subject (2 times)"
    assert findings["message.repeated_signature"].title == "The same DKIM-Signature appears twice"
    once = raw.replace(b"Subject: Your password\r\n", b"").replace(signature + signature, signature)
    assert not [f for f in headerscope.analyze(once, offline=True).findings if f.id.startswith("message.repeated")]


def test_hidden_and_direction_changing_characters_in_shown_fields_are_said() -> None:
    # A Subject ending in a right-to-left mark (real, 2013, windows-1256): the terminal and CSV
    # removed it silently, HTML showed it, and no format said it was there.
    def hidden(subject: bytes, from_name: bytes = b"Ann") -> list[str]:
        raw = (b"From: " + from_name + b" <a@example.org>\r\nTo: b@example.net\r\nSubject: " + subject +
               b"\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n")
        return [f.explanation for f in headerscope.analyze(raw, offline=True).findings
                if f.id == "message.hidden_characters"]

    [said] = hidden("[PATCH] rc5_scan\u200f".encode())
    assert "(Subject: U+200F)" in said
    [said] = hidden(b"Invoice", "Pay\u202epal".encode())
    assert "From: U+202E" in said
    # A direction mark in right-to-left text, and an emoji's joiner, are no trick.
    assert hidden("\u05e9\u05dc\u05d5\u05dd\u200f".encode()) == []
    assert hidden("family \U0001f468\u200d\U0001f469".encode()) == []
    # A joiner between ASCII letters shapes nothing: it hides (verification V30d, "service@pay\u200dpal.com");
    # between Persian letters it is the word's own (\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645, "I want").
    [said] = hidden(b"Invoice", '"service@pay\u200dpal.com"'.encode())
    assert "(From: U+200D)" in said
    assert hidden("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645".encode()) == []


def test_a_multi_line_reply_written_unfolded_into_diagnostic_code_is_read_whole() -> None:
    # MessageLabs (real layout, 2017): the remote reply's later lines start at the margin, and
    # the reason, "relay through this server without authentication", was dropped with them.
    status = (b"Arrival-Date: Thu, 17 Jul 2017 23:34:45 +0000\r\nReporting-MTA: dns; server-0.bemta-0.messagelabs.example\r\n"
              b"\r\nLast-Attempt-Date: Thu, 17 Jul 2017 23:34:45 +0000\r\n"
              b"Diagnostic-Code: smtp; 550-Please turn on SMTP Authentication in your mail client. \r\n"
              b"550-mail0.bemta0.messagelabs.example [198.51.100.21]:11111 is not permitted to\r\n"
              b"550 relay through this server without authentication.\r\nStatus: 5.0.0\r\nAction: failed\r\n"
              b"Final-Recipient: rfc822; kijitora@example.net\r\n")
    report = delivery_report(parse_message(_dsn(status, b"From: a@example.org\r\n\r\nx")))
    assert report is not None
    [recipient] = report.recipients
    assert recipient.diagnostic_code == (
        "550-Please turn on SMTP Authentication in your mail client. 550-mail0.bemta0.messagelabs.example "
        "[198.51.100.21]:11111 is not permitted to 550 relay through this server without authentication.")
    assert (recipient.final_recipient, recipient.action, recipient.status) == ("kijitora@example.net", "failed", "5.0.0")
    # A field after the reply is still a field of its own; a reply-like line elsewhere is not folded.
    later = status.replace(b"550 relay through this server without authentication.\r\n",
                           b"550 relay through this server without authentication.\r\nX-Note: 250 fine\r\n"
                           b"250 not a continuation\r\n")
    report = delivery_report(parse_message(_dsn(later, b"From: a@example.org\r\n\r\nx")))
    assert report is not None and report.recipients[0].diagnostic_code is not None
    assert report.recipients[0].diagnostic_code.endswith("without authentication.")


def _tls_report(attachment: bytes, part_type: str = "application/tlsrpt+gzip", fields: bytes = (
        b"TLS-Report-Domain: krvtz.example\r\nTLS-Report-Submitter: mail.example\r\n"),
                report_type: bytes = b"tlsrpt") -> bytes:
    # RFC 8460 section 5.3's layout (as mail.ru and Microsoft send it): the Subject a DMARC
    # aggregate report has, the report fields, a text part and the gzipped JSON.
    return (b"From: noreply-smtp-tls-reporting@mail.example\r\nTo: tls-reports@krvtz.example\r\n"
            b"Subject: Report Domain: krvtz.example Submitter: mail.example Report-ID: <c96d67df@mail.example>\r\n"
            b"Date: Thu, 26 Jan 2023 03:10:38 +0300\r\nAuto-Submitted: auto-generated\r\n" + fields
            + b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=\"" + report_type
            + b"\";\r\n boundary=\"NP\"\r\n\r\n--NP\r\nContent-Type: text/plain\r\n\r\n"
            b"This is an aggregate TLS report from mail.example\r\n\r\n--NP\r\nContent-Type: " + part_type.encode()
            + b";\r\n name=\"mail.example!krvtz.example!1674604800!1674691200!001.json.gz\"\r\n"
            b"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment\r\n\r\n"
            + base64.encodebytes(attachment).replace(b"\n", b"\r\n") + b"\r\n--NP--\r\n")


TLSRPT_JSON = json.dumps({
    "organization-name": "Mail.example", "report-id": "c96d67df@mail.example",
    "date-range": {"start-datetime": "2023-01-25T00:00:00Z", "end-datetime": "2023-01-26T00:00:00Z"},
    "policies": [{"policy": {"policy-type": "sts", "policy-domain": "krvtz.example"},
                  "summary": {"total-successful-session-count": 3, "total-failure-session-count": 2},
                  "failure-details": [{"result-type": "sts-policy-fetch-error", "failed-session-count": 1},
                                      {"result-type": "certificate-expired", "failed-session-count": 1}]}],
}).encode()


def test_an_smtp_tls_report_is_not_called_a_dmarc_aggregate_report() -> None:
    # mail.ru's and Microsoft's TLS reports (real, 2023 and 2024) were called DMARC aggregate
    # reports: RFC 8460 section 5.3 gives them the Subject RFC 7489 gives those.
    import gzip

    report = headerscope.analyze(_tls_report(gzip.compress(TLSRPT_JSON)), offline=True)
    ids = [f.id for f in report.findings]
    assert "message.dmarc_report" not in ids
    [finding] = [f for f in report.findings if f.id == "message.tls_report"]
    assert finding.title == "SMTP TLS report from mail.example about krvtz.example: 2 failed TLS session(s)"
    assert finding.severity.value == "notice"
    assert ("policy sts for krvtz.example, 3 successful and 2 failed session(s) (sts-policy-fetch-error (the "
            "MTA-STS policy could not be fetched): 1; certificate-expired (the certificate had expired): 1)"
            in finding.explanation)
    assert "(report c96d67df@mail.example)" in finding.explanation
    assert not [i for i in ids if i.startswith("bulk.")]
    # Uncompressed JSON, no report fields, no report-type: the part alone says it; no failure, an info.
    clean = json.loads(TLSRPT_JSON)
    clean["policies"][0]["summary"]["total-failure-session-count"] = 0
    del clean["policies"][0]["failure-details"]
    plain = _tls_report(json.dumps(clean).encode(), "application/tlsrpt+json", fields=b"", report_type=b"x")
    [finding] = [f for f in headerscope.analyze(plain, offline=True).findings if f.id == "message.tls_report"]
    assert (finding.severity.value, finding.title) == ("info", "SMTP TLS report from mail.example about krvtz.example")
    assert "3 successful and 0 failed session(s)." in finding.explanation
    # A gzip bomb is read no further than its bound; JSON of another shape is not summed up.
    for attachment in (gzip.compress(b"[" * 5_000_000), gzip.compress(b'{"policies": "x"}'), b"not gzip"):
        [finding] = [f for f in headerscope.analyze(_tls_report(attachment), offline=True).findings
                     if f.id == "message.tls_report"]
        assert "could not be read" in finding.explanation
    # A DMARC aggregate report with the same Subject stays one. (Built in this test's multipart/report
    # with report-type=x around a zip, which RFC 6522 section 3 does not make a report: said too.)
    aggregate = _tls_report(b"PK\x03\x04", "application/zip", fields=b"", report_type=b"x")
    assert [f.id for f in headerscope.analyze(aggregate, offline=True).findings if f.id.startswith("message.")] == [
        "message.report_without_report", "message.dmarc_report"]


def test_a_tls_report_counts_the_failures_of_every_policy_it_lists() -> None:
    # Verification V23 D8: a report of 1,000 policies with 3 failed sessions each said "30 failed
    # TLS session(s)", the sum of the ten it described. RFC 8460 section 4.4: each policy's summary
    # counts its own sessions; the total is theirs all.
    many = json.loads(TLSRPT_JSON)
    policy = many["policies"][0]
    policy["summary"]["total-failure-session-count"] = 3
    policy["failure-details"] = [{"result-type": "certificate-expired", "failed-session-count": 1}] * 3
    many["policies"] = [policy] * 1000
    many["policies"][0] = dict(policy, **{"failure-details": policy["failure-details"] * 20})
    [finding] = [f for f in headerscope.analyze(_tls_report(json.dumps(many).encode(), "application/tlsrpt+json"),
                                                offline=True).findings if f.id == "message.tls_report"]
    assert finding.title == "SMTP TLS report from mail.example about krvtz.example: 3000 failed TLS session(s)"
    assert finding.explanation.count("policy sts for krvtz.example, 3 successful and 3 failed session(s)") == 10
    assert "990 more policies, not described here, 3000 failed session(s) in all 1000." in finding.explanation
    # The reasons come from the first 50 failure details of the 60, and say so.
    assert "certificate-expired (the certificate had expired): 50; counted from the first 50 of its 60 failure details" \
        in finding.explanation
    assert finding.explanation.count("certificate-expired (the certificate had expired): 3)") == 9


def _ses_bounce(subject: bytes, text: bytes) -> bytes:
    # Amazon WorkMail's bounce through SES (real layout, 2016): an encoded Subject, the RFC 3464
    # fields in a quoted-printable text part of multipart/mixed, the returned message after it.
    return (b"Return-Path: <>\r\nReceived: from a27-5.smtp-out.us-west-2.amazonses.example (a27-5.smtp-out.us-west-2."
            b"amazonses.example [54.240.27.5]) by inbound-smtp.us-west-2.amazonaws.example with SMTP id k6sbr4; "
            b"Thu, 14 Jan 2016 07:45:12 +0000\r\nSubject: " + subject + b"\r\n"
            b"From: MAILER-DAEMON@us-west-2.amazonses.example\r\nTo: shironeko@nyaan.example\r\n"
            b"Date: Thu, 14 Jan 2016 07:45:12 +0000\r\nMime-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; \r\n boundary=\"=_weRB\"\r\nX-Mailer: Amazon WorkMail\r\n"
            b"X-Ses-Outgoing: 2016.01.14-54.240.27.5\r\n\r\n--=_weRB\r\n"
            b"Content-Type: text/plain; charset=iso-8859-15\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + text + b"\r\n--=_weRB\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"
            b"Subject: Nyaaaaan\r\nFrom: shironeko@nyaan.example\r\nTo: kijitora@example.jp\r\n"
            b"Date: Thu, 14 Jan 2016 07:45:09 +0000\r\n\r\nNyaan\r\n--=_weRB--\r\n")


SES_TEXT = (b"An error occurred while trying to deliver the mail to the following recip=\r\nients:\r\n"
            b"kijitora@example.jp\r\n\r\nTechnical report:\r\n\r\nReporting-MTA: d=\r\n"
            b"sn; a27-85.smtp-out.us-west-2.amazonses.example\r\n\r\nAction: failed\r\nFinal-Reci=\r\n"
            b"pient: rfc822; kijitora@example.jp\r\nDiagnostic-Code: smtp; 550 5.1.1=\r\n"
            b" <kijitora@example.jp>... User Unknown\r\nStatus: 5.1.1\r\n\r\n")


def test_a_bounce_with_an_encoded_subject_and_its_report_in_a_text_part_is_read() -> None:
    # It got no bounce line at all, and "Sent through Amazon SES, with no List-Unsubscribe".
    raw = _ses_bounce(b"=?iso-8859-15?Q?Delivery_Status_Notification_=28Failure=29?=", SES_TEXT)
    report = headerscope.analyze(raw, offline=True)
    assert report.delivery_report is not None
    assert report.delivery_report.reporting_mta == "a27-85.smtp-out.us-west-2.amazonses.example"
    [recipient] = report.delivery_report.recipients
    assert (recipient.final_recipient, recipient.action, recipient.status, recipient.diagnostic_code) == (
        "kijitora@example.jp", "failed", "5.1.1", "550 5.1.1 <kijitora@example.jp>... User Unknown")
    [failed] = [f for f in report.findings if f.id == "dsn.failed"]
    assert failed.title == "Bounce: delivery to kijitora@example.jp failed (5.1.1: “<kijitora@example.jp>... User Unknown”)"
    assert not [f for f in report.findings if f.id.startswith("bulk.")]
    assert [a.subject for a in report.attached] == ["Nyaaaaan"]
    assert delivery_report(parse_message(raw)) == report.delivery_report
    # Its text without the fields: the encoded Subject still says it is a bounce.
    vague = _ses_bounce(b"=?iso-8859-15?Q?Delivery_Status_Notification_=28Failure=29?=",
                        b"An error occurred while trying to deliver the mail.\r\n")
    assert [f.id for f in headerscope.analyze(vague, offline=True).findings if f.id.startswith("dsn.")] == [
        "dsn.unstructured"]
    # The same fields in a person's mail are not read as a report.
    person = raw.replace(b"MAILER-DAEMON@us-west-2.amazonses.example", b"Alice <alice@example.org>")
    assert headerscope.analyze(person, offline=True).delivery_report is None


def test_a_bounce_from_the_null_sender_is_not_judged_as_bulk_mail() -> None:
    # A notifier's null-sender message whose text says nothing readable: no bulk findings.
    raw = _ses_bounce(b"Your message", b"Something went wrong.\r\n")
    assert not [f for f in headerscope.analyze(raw, offline=True).findings if f.id.startswith("bulk.")]
    # A sending service's mail from a person, with a sender, keeps them.
    person = raw.replace(b"Return-Path: <>", b"Return-Path: <a@nyaan.example>").replace(
        b"MAILER-DAEMON@us-west-2.amazonses.example", b"Alice <alice@nyaan.example>")
    assert [f.id for f in headerscope.analyze(person, offline=True).findings if f.id.startswith("bulk.")] == [
        "bulk.no_unsubscribe"]


def _exim_bounce(block: bytes) -> bytes:
    # Exim 4.86's bounce (real layout, 2016): the address, and indented below it the host, the
    # command the refusal came after and the remote server's reply.
    return (b"Return-path: <>\r\nFrom: Mail Delivery System <mailer-daemon@neko.example.com>\r\n"
            b"To: sironeko-nyaan@neko.example.com\r\nSubject: Mail delivery failed: returning message to sender\r\n"
            b"Date: Thu, 22 Apr 2016 23:34:45 +0900\r\nX-Failed-Recipients: kijitora@example.edu\r\n"
            b"Auto-Submitted: auto-replied\r\n\r\nThis message was created automatically by mail delivery software.\r\n\r\n"
            b"A message that you sent could not be delivered to one or more of its\r\nrecipients. This is a permanent "
            b"error. The following address(es) failed:\r\n\r\n  kijitora@example.edu\r\n" + block
            + b"\r\n------ This is a copy of the message, including all the headers. ------\r\n\r\n"
            b"Return-path: <sironeko-nyaan@neko.example.com>\r\nTo: kijitora@example.edu\r\nSubject: Nyaan\r\n"
            b"From: Sironeko <sironeko@nyaan.example.com>\r\nDate: Thu, 22 Apr 2016 23:34:45 +0900\r\n\r\nNyaan\r\n")


def test_exims_text_bounce_quotes_the_remote_reply_and_names_the_smtp_stage() -> None:
    # It said the reason was "host mail.example.edu [192.0.2.222]" and that the recipient failed;
    # the server refused the envelope sender, after MAIL FROM.
    def finding(block: bytes) -> tuple[str, str]:
        [bounce] = [f for f in headerscope.analyze(_exim_bounce(block), offline=True).findings
                    if f.id == "dsn.unstructured"]
        return bounce.title, bounce.explanation

    title, explanation = finding(
        b"    host mail.example.edu [192.0.2.222]\r\n"
        b"    SMTP error from remote mail server after MAIL FROM:<sironeko-nyaan@neko.example.com> SIZE=1024:\r\n"
        b"    550 Unroutable sender address\r\n")
    assert title == ("Bounce: delivery to kijitora@example.edu failed (“550 Unroutable sender address”); the sender "
                     "address was refused (after MAIL FROM), not the recipient")
    assert ("(kijitora@example.edu: “550 Unroutable sender address”, the reply of mail.example.edu [192.0.2.222] after "
            "MAIL FROM:<sironeko-nyaan@neko.example.com> SIZE=1024: the remote server refused the envelope sender"
            in explanation)
    # After RCPT TO, a multi-line reply joined, its enhanced code taken.
    title, explanation = finding(
        b"    host mx.example.edu [192.0.2.1]\r\n"
        b"    SMTP error from remote mail server after RCPT TO:<kijitora@example.edu>:\r\n"
        b"    550-5.1.1 The email account that you tried to reach does not exist.\r\n"
        b"    550 5.1.1 Please try double-checking the recipient's email address.\r\n")
    assert title == ("Bounce: delivery to kijitora@example.edu failed (5.1.1: permanent failure: bad destination "
                     "mailbox address (no such user)); the recipient address was refused (after RCPT TO)")
    assert ("“550-5.1.1 The email account that you tried to reach does not exist. 550 5.1.1 Please try "
            "double-checking the recipient's email address.”") in explanation
    # After the content: a content or policy refusal.
    title, _ = finding(b"    host mx.example.edu [192.0.2.1]\r\n"
                       b"    SMTP error from remote mail server after end of data:\r\n"
                       b"    550 5.7.1 Message rejected as spam\r\n")
    assert title.endswith("(5.7.1: permanent failure: delivery not authorized, message refused (a policy of the "
                          "receiving server)); the message was refused after its content was sent (DATA): content or "
                          "policy")
    # A reason without a reply stays the first line, as before.
    title, _ = finding(b"    Unrouteable address\r\n")
    assert title == "Bounce: delivery to kijitora@example.edu failed (“Unrouteable address”)"


def test_gmails_text_bounce_returns_its_inline_copy_and_quotes_the_remote_reply(tmp_path: Path) -> None:
    # Gmail's bounce (real layout, 2011), quoted-printable: the returned message inline after
    # "----- Original message -----" was not listed ("--attached 1": it carries none), and the
    # remote server's reply was not quoted.
    raw = (b"Return-Path: <>\r\nFrom: Mail Delivery Subsystem <mailer-daemon@googlemail.example>\r\n"
           b"To: sender@gmail.example\r\nX-Failed-Recipients: kijitora@example.or.jp\r\n"
           b"Subject: Delivery Status Notification (Failure)\r\nDate: Thu, 29 Apr 2011 23:34:45 +0000\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n"
           b"\r\nDelivery to the following recipient failed permanently:\r\n\r\n     kijitora@example.or.jp\r\n\r\n"
           b"Technical details of permanent failure:=20\r\nGoogle tried to deliver your message, but it was rejected "
           b"by the recipient =\r\ndomain. The error that the other server return=\r\ned was: 550 550 5.1.1 user "
           b"unknown (UserSearch) (state 14).\r\n\r\n----- Original message -----\r\n\r\n"
           b"Received: from [192.0.2.40] (135.kyoto.example.ne.jp [192.0=\r\n.2.135])\r\n"
           b"        by mx.google.example with ESMTPS id r99; Thu, 29 Apr 2011 23:34:45 -0700 (PDT)\r\n"
           b"From: sender <sender@gmail.example>\r\nTo: kijitora@example.or.jp\r\n"
           b"Content-Type: text/plain; charset=3DUS-ASCII; format=3Dflowed\r\nSubject: Nyaan\r\n"
           b"Date: Thu, 29 Apr 2011 23:34:45 +0900\r\n\r\nNyaan\r\n")
    report = headerscope.analyze(raw, offline=True)
    [bounce] = [f for f in report.findings if f.id == "dsn.unstructured"]
    assert "(kijitora@example.or.jp: “550 550 5.1.1 user unknown (UserSearch) (state 14)”" in bounce.explanation
    assert [(a.subject, a.headers_only) for a in report.attached] == [("Nyaan", False)]
    [(_, copy)] = attached_messages(parse_message(raw))
    # The copy is decoded: its Received line whole again, its charset= no longer =3D.
    assert b"[192.0.2.135])" in copy and b"charset=US-ASCII" in copy
    path = tmp_path / "gmail.eml"
    path.write_bytes(raw)
    returned = json.loads(subprocess.run(
        [sys.executable, "-m", "headerscope", "analyze", str(path), "--offline", "--format", "json", "--attached", "1"],
        capture_output=True, cwd=REPO, check=True, env={**os.environ, "NO_COLOR": "1"}).stdout)
    assert returned["subject"] == "Nyaan"
    # A person's reply quoting a message the same way carries no attached message.
    reply = raw.replace(b"Return-Path: <>\r\n", b"").replace(
        b"Mail Delivery Subsystem <mailer-daemon@googlemail.example>", b"Alice <alice@example.org>").replace(
        b"Subject: Delivery Status Notification (Failure)", b"Subject: Re: lunch").replace(
        b"X-Failed-Recipients: kijitora@example.or.jp\r\n", b"")
    assert attached_messages(parse_message(reply)) == ()
    assert headerscope.analyze(reply, offline=True).attached == ()


def test_a_dmarc_failure_report_in_plain_text_is_a_feedback_report_about_the_spoof_it_returns() -> None:
    # Exim's DMARC failure report (real, 2025): no ARF part, Auto-Submitted: auto-replied. It was
    # called "a vacation notice or an autoresponder", and the header it returns was not listed.
    raw = (b"Return-Path: <no-reply@node01.mailgate.example.net>\r\nReceived: from root by node04.mailgate.example.net "
           b"with local-generated (Exim 4.92)\r\n\t(envelope-from <no-reply@node01.mailgate.example.net>)\r\n\tid 1u1tpB; "
           b"Mon, 07 Apr 2025 23:16:09 +0200\r\nContent-Type: multipart/report;\r\n boundary=\"===2510==\"\r\n"
           b"MIME-Version: 1.0\r\nSubject: DMARC Forensic Report for example.com from IP 203.0.113.68\r\n"
           b"From: no-reply@node01.mailgate.example.net\r\nTo: dmarc@example.com\r\n"
           b"Date: Mon, 07 Apr 2025 23:16:09 +0200\r\nAuto-Submitted: auto-replied\r\n\r\n--===2510==\r\n"
           b"Content-Type: text/plain; charset=\"us-ascii\"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
           b"A message claiming to be from you has failed the published DMARC policy for your domain.\r\n\r\n"
           b"  Sender Domain: example.com\r\n  Sender IP Address: 203.0.113.68\r\n"
           b"  Received date: Mon, 07 Apr 2025 23:16:09 +0200\r\n  SPF Alignment: no\r\n  DKIM Alignment: no\r\n"
           b"  DMARC Results: None, Accept\r\n\r\n"
           b"------ This is a copy of the headers that were received before the error was detected.\r\n\r\n"
           b"Received: from [203.0.113.68] (helo=smtpclient.apple)\r\n\tby node04.mailgate.example.net with esmtp "
           b"(Exim 4.92)\r\n\t(envelope-from <user@example.com>)\r\n\tid 1u1tpA; Mon, 07 Apr 2025 23:16:08 +0200\r\n"
           b"From: <user@example.com>\r\nDate: Mon, 7 Apr 2025 10:10:06 -0600\r\nSubject: Payment from your account.\r\n"
           b"To: <user@example.com>\r\n\r\n--===2510==--\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert not [f for f in report.findings if f.id == "message.auto_reply"]
    feedback = report.feedback_report
    assert feedback is not None
    assert (feedback.format, feedback.feedback_type, feedback.auth_failure, feedback.source_ip, feedback.reported_domain,
            feedback.identity_alignment, feedback.delivery_result) == (
        "text", "auth-failure", "dmarc", "203.0.113.68", ("example.com",), "none", "delivered")
    [finding] = [f for f in report.findings if f.id == "feedback.auth_failure"]
    assert finding.title == ("Authentication failure report (plain text, not ARF): a message sent from 203.0.113.68 "
                             "failed (DMARC failed: no aligned DKIM or SPF pass)")
    assert "(“Payment from your account.” from <user@example.com>)" in finding.explanation
    [(entry, copy)] = attached_messages(parse_message(raw))
    assert entry.headers_only and copy.startswith(b"Received: from [203.0.113.68]")
    # Exim wraps the marker line in some versions.
    wrapped = raw.replace(b"before the error was detected.", b"before the error\r\n       was detected.")
    assert [e.subject for e, _ in attached_messages(parse_message(wrapped))] == ["Payment from your account."]
    # The text alone says it, without the Subject.
    plain = raw.replace(b"DMARC Forensic Report for example.com from IP 203.0.113.68", b"Report")
    found = headerscope.analyze(plain, offline=True).feedback_report
    assert found is not None and found.source_ip == "203.0.113.68"


def test_a_microsoft_jmrp_complaint_is_a_feedback_report_without_arf() -> None:
    # Hotmail's Junk Mail Reporting Program (real layout, 2016): no message/feedback-report part;
    # it got no feedback section at all.
    raw = (b"Date: Thu, 29 Apr 2016 23:34:45 +0000\r\nFrom: staff@hotmail.example\r\n"
           b"Subject:  complaint about message from 192.0.2.222\r\nTo: abuse-report@example.com\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"F0000EEE2\"\r\n\r\n--F0000EEE2\r\n"
           b"Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n"
           b"X-HmXmrOriginalRecipient: kijitora@example.com\r\nX-Reporter-IP: 192.0.2.22\r\n"
           b"Received: from smtp.example.com ([203.0.113.245]) by R7038-AA.example.com with Microsoft SMTPSVC;\r\n"
           b"    Thu, 29 Apr 2016 23:34:45 +0000\r\nDate: Thu, 29 Apr 2016 23:34:45 +0200\r\nTo: kijitora@example.com\r\n"
           b"From: Sironeko <sironeko@example.com>\r\nSubject: Nyaan\r\nMessage-ID: <0000@example.com>\r\n\r\nNyaan\r\n"
           b"\r\n--F0000EEE2--\r\n")
    report = headerscope.analyze(raw, offline=True)
    feedback = report.feedback_report
    assert feedback is not None
    assert (feedback.format, feedback.feedback_type, feedback.source_ip, feedback.original_rcpt_to) == (
        "jmrp", "abuse", "192.0.2.222", ("kijitora@example.com",))
    [finding] = [f for f in report.findings if f.id == "feedback.abuse"]
    assert finding.title == "Abuse report (Microsoft JMRP, not ARF): a message sent from 192.0.2.222 was reported as abuse"
    assert "1 recipient at 1 domain: kijitora@example.com" in finding.explanation
    assert "(“Nyaan” from Sironeko <sironeko@example.com>)" in finding.explanation
    # The Subject without Microsoft's field in the attached message is no JMRP complaint.
    assert headerscope.analyze(raw.replace(b"X-HmXmrOriginalRecipient", b"X-Other"), offline=True).feedback_report is None


def test_an_unsubscribe_request_and_an_unmarked_out_of_office_reply_are_named_as_what_they_are() -> None:
    # Apple Mail's List-Unsubscribe request (real, 2024) was "a vacation notice or an autoresponder".
    request = (b"Date: Thu, 2 May 2024 17:48:55 +0000 (UTC)\r\nFrom: example@icloud.example\r\n"
               b"To: opt-out-100731.e75std53@example.org\r\nSubject: unsubscribe\r\nMIME-Version: 1.0\r\n"
               b"Content-Type: text/plain; charset=UTF-8\r\nAuto-Submitted: auto-replied\r\nX-Apple-Unsubscribe: true\r\n"
               b"\r\nApple Mail sent this email to unsubscribe from the message.\r\n")
    findings = [f for f in headerscope.analyze(request, offline=True).findings if f.id.startswith("message.")]
    assert [(f.id, f.title) for f in findings] == [
        ("message.unsubscribe_request", "Unsubscribe request sent by Apple Mail (X-Apple-Unsubscribe)")]
    assert "opt-out-100731.e75std53@example.org" in findings[0].explanation
    # Another program's, known by its Subject and Auto-Submitted.
    other = request.replace(b"X-Apple-Unsubscribe: true\r\n", b"")
    assert [f.title for f in headerscope.analyze(other, offline=True).findings if f.id.startswith("message.")] == [
        "Unsubscribe request"]
    # Any other auto-replied message is worded neutrally: a program's answer, not only a vacation notice.
    answer = other.replace(b"Subject: unsubscribe", b"Subject: Your request")
    [generic] = [f for f in headerscope.analyze(answer, offline=True).findings if f.id == "message.auto_reply"]
    assert "or another program's answer (a report, a confirmation)" in generic.explanation
    # Exchange's out-of-office reply (real, 2009) without Auto-Submitted, from the null sender.
    ooo = (b"Return-Path: <>\r\nFrom: Fred Somebody <fred@example.com>\r\nTo: joe@example.com\r\n"
           b"Date: Fri, 29 May 2009 14:33:19 -0700\r\nSubject: Out of Office: I like turtles\r\n"
           b"Thread-Topic: I like turtles\r\nX-MS-Has-Attach:\r\nContent-Type: text/plain\r\n\r\nI am away.\r\n")
    [reply] = [f for f in headerscope.analyze(ooo, offline=True).findings if f.id == "message.auto_reply"]
    assert reply.title == "Automatic reply (Subject “Out of Office: I like turtles”), without Auto-Submitted"
    assert "RFC 3834 section 5" in reply.explanation and "mail loop" in reply.explanation
    # A person's mail with that Subject, from a sender, is not called one.
    person = ooo.replace(b"Return-Path: <>", b"Return-Path: <fred@example.com>")
    assert not [f for f in headerscope.analyze(person, offline=True).findings if f.id == "message.auto_reply"]


_RETURNED_COPY = (
    "------- This is a copy of the message, including all the headers. ------\n"
    "Received: from mail-oi0-f42.google.example ([192.0.2.42]:51934)\n"
    "\tby server14.host.example with esmtps (TLSv1.2:ECDHE-RSA-AES128-GCM-SHA256:128)\n"
    "\t(Exim 4.89)\n"
    "\t(envelope-from <pawan+caf_=pawan=oss.example@gmail.example>)\n"
    "\tid 1e5JZo-001ZNV-8B\n"
    "\tfor pawan@oss.example; Fri, 20 Oct 2017 04:16:28 +0530\n"
    "Subject: a notification\n")


def test_the_words_of_a_delay_notice_pasted_above_the_returned_header_are_read() -> None:
    """A user pasted Exim's notice and the header it returned (real shape, a GitHub comment,
    2017): the header is analysed, and the words, skipped as text before it, say the delivery
    was only deferred (RFC 3464 section 2.3.3), to whom, and why."""
    import headerscope
    from headerscope.loader import load_bytes

    paste = ("This message was created automatically by mail delivery software.\n\n"
             "A message that you sent could not be delivered to one or more of its\n"
             "recipients. This is a temporary error. The following address(es) deferred:\n\n"
             "  backup@gmail.example\n"
             "    Domain oss.example has exceeded the max emails per hour (108/100 (108%)) allowed.  Message will be "
             "reattempted later\n\n" + _RETURNED_COPY).encode()
    assert "temporary error" in load_bytes(paste).text_before
    report = headerscope.analyze(paste, offline=True)
    [notice] = [f for f in report.findings if f.id == "dsn.delayed"]
    assert notice.severity.value == "notice"
    assert notice.title == "Delay notice pasted above the header: delivery to backup@gmail.example was deferred"
    assert "Exim's words" in notice.explanation and "it was not lost" in notice.explanation
    assert "exceeded the max emails per hour (108/100 (108%)) allowed. Message will be reattempted later" \
        in notice.explanation
    assert report.hops[0].fields.by == "server14.host.example"  # the returned header is the message analysed
    # The terminal's opening lines say it (a notice, not a warning, but what the paste is about).
    from headerscope.render.terminal import TerminalRenderer

    opening = TerminalRenderer(width=200).render(report).split("─")[0]
    assert "! Delay notice pasted above the header: delivery to backup@gmail.example was deferred" in opening

    # A permanent failure: a bounce, with the remote server's reply.
    bounce = ("This message was created automatically by mail delivery software.\n\n"
              "A message that you sent could not be delivered to one or more of its\n"
              "recipients. This is a permanent error. The following address(es) failed:\n\n"
              "  nobody@example.org\n"
              "    host mx.example.org [198.51.100.7]\n"
              "    SMTP error from remote mail server after RCPT TO:<nobody@example.org>:\n"
              "    550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown\n\n"
              + _RETURNED_COPY).encode()
    [failed] = [f for f in headerscope.analyze(bounce, offline=True).findings if f.id == "dsn.unstructured"]
    assert failed.title.startswith("Bounce pasted above the header: delivery to nobody@example.org failed (5.1.1")
    assert "User unknown" in failed.explanation and "mx.example.org" in failed.explanation

    # Given up after retrying: the last remote reply says "Temporary error", the notice itself
    # says permanent (Exim's "retry timeout exceeded"): a bounce, not a delay.
    given_up = ("This message was created automatically by mail delivery software.\n\n"
                "A message that you sent could not be delivered to one or more of its\n"
                "recipients. This is a permanent error. The following address(es) failed:\n\n"
                "  carol@example.org\n"
                "    retry timeout exceeded\n"
                "    host mx.example.org [192.0.2.1]: 451 4.3.0 Temporary error, please try again later\n\n"
                + _RETURNED_COPY).encode()
    found = [f for f in headerscope.analyze(given_up, offline=True).findings if f.id.startswith("dsn.")]
    assert [f.id for f in found] == ["dsn.unstructured"]
    # The last reply's 4.x.x code is not read as "a condition that may clear" beside "failed".
    assert found[0].title == ("Bounce pasted above the header: delivery to carol@example.org failed (4.3.0: other or "
                              "undefined mail system status; temporary at the last attempt, retries given up)")
    # A person's note above a pasted header is no notice.
    note = ("Hi, my mail is not arriving, here are the headers:\n\n" + _RETURNED_COPY.split("\n", 1)[1]).encode()
    assert not [f for f in headerscope.analyze(note, offline=True).findings if f.id.startswith("dsn.")]


def test_failed_delivery_with_a_temporary_code_says_the_retries_were_given_up() -> None:
    # Postfix bounces a message that outlived its queue lifetime with "Action: failed" and the
    # last attempt's 4.x.x status (RFC 3464 section 2.3.3): failed, not "a condition that may clear".
    report = (b"From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\nTo: a@example.org\r\n"
              b"Subject: Undelivered Mail Returned to Sender\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
              b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n"
              b"--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n"
              b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"
              b"Final-Recipient: rfc822; gone@example.com\r\nAction: failed\r\nStatus: 4.4.1\r\n\r\n--B--\r\n")
    [bounce] = [f for f in headerscope.analyze(report, offline=True).findings if f.id == "dsn.failed"]
    assert bounce.title == ("Bounce: delivery to gone@example.com failed (4.4.1: no answer from host; temporary at the "
                            "last attempt, retries given up)")
    # A delay keeps the class's own meaning.
    delayed = report.replace(b"Action: failed", b"Action: delayed")
    [notice] = [f for f in headerscope.analyze(delayed, offline=True).findings if f.id == "dsn.delayed"]
    assert notice.title == ("Delay warning: delivery to gone@example.com is delayed (4.4.1: persistent transient "
                            "failure (a condition that may clear): no answer from host)")


def test_a_bounce_with_a_localised_subject_is_read_when_sent_from_the_null_sender() -> None:
    """eYou's and Coremail's bounces put the English words after a Chinese subject ("投递状态通知
    (Failure Notice)"); sent from a mail system's sender with the null envelope sender (RFC 5321
    section 4.5.5), they are bounces. A person's "Re: ... failure notice" is not."""
    import headerscope

    bounce = (b"Return-Path: <>\r\nFrom: =?GBK?B?TWFpbCBEZWxpdmVyeSBTdWJzeXN0ZW0=?= <mailer-daemon@mail.example.cn>\r\n"
              b"To: a@example.org\r\nSubject: =?UTF-8?B?5oqV6YCS54q25oCB6YCa55+lIChGYWlsdXJlIE5vdGljZSk=?=\r\n"
              b"Date: Mon, 27 Nov 2017 17:44:30 +0800\r\n\r\n"
              b"I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
              b"This is a permanent error.\r\n\r\n<gone@mail.example.cn>: 550 5.1.1 user unknown\r\n")
    ids = [f.id for f in headerscope.analyze(bounce, offline=True).findings]
    assert "dsn.unstructured" in ids
    # Without the null sender, the words inside a subject are not enough.
    person = bounce.replace(b"Return-Path: <>", b"Return-Path: <a@example.org>")
    assert "dsn.unstructured" not in [f.id for f in headerscope.analyze(person, offline=True).findings]


def _batch_of_reports(count: int) -> bytes:
    """An abuse desk's forward of ``count`` reported messages, each as a message/rfc822 part."""
    parts = [b"From: desk@example.org\r\nTo: abuse@example.net\r\nSubject: batch\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbatch\r\n"]
    for n in range(count):
        parts.append(b"--b\r\nContent-Type: message/rfc822\r\n\r\n"
                     + f"From: s{n}@phish.example\r\nTo: v@example.org\r\nSubject: s{n}\r\n\r\nbody {n}\r\n".encode())
    parts.append(b"--b--\r\n")
    return b"".join(parts)


def test_attached_messages_past_the_listed_twenty_are_counted_and_reachable(tmp_path: Path) -> None:
    # A batch of 30 reported messages: the report lists 20, says there are 30, and
    # `--attached 25` opens the 25th (it used to say "no attached message 25 (it carries 20)").
    from test_cli import run

    import headerscope

    raw = _batch_of_reports(30)
    report = headerscope.analyze(raw, offline=True)
    assert len(report.attached) == 20
    finding = next(f for f in report.findings if f.id == "attached.messages")
    assert finding.title == "30 message(s) attached"
    assert "the first 20 are listed" in finding.explanation
    path = tmp_path / "batch.eml"
    path.write_bytes(raw)
    opened = run("analyze", str(path), "--offline", "--attached", "25", "-f", "json")
    assert opened.returncode == 0, opened.stderr
    assert json.loads(opened.stdout)["subject"] == "s24"
    missing = run("analyze", str(path), "--offline", "--attached", "31")
    assert missing.returncode == 1
    assert missing.stderr.decode().strip().endswith("no attached message 31 (it carries 30)")


_GMAIL_DELAY = (
    b"Delivered-To: someone@gmail.example\r\nReturn-Path: <>\r\n"
    b"Received: by 10.1.2.3 with SMTP id x; Thu, 01 Jan 2009 08:49:45 -0800 (PST)\r\n"
    b"From: Mail Delivery Subsystem <mailer-daemon@googlemail.example>\r\nTo: someone@gmail.example\r\n"
    b"Subject: Delivery Status Notification (Delay)\r\nDate: Thu, 01 Jan 2009 08:49:45 -0800 (PST)\r\n\r\n"
    b"This is an automatically generated Delivery Status Notification\r\n\r\nTHIS IS A WARNING MESSAGE ONLY.\r\n\r\n"
    b"YOU DO NOT NEED TO RESEND YOUR MESSAGE.\r\n\r\nDelivery to the following recipient has been delayed:\r\n\r\n"
    b"     root@box.example.org\r\n\r\nMessage will be retried for 2 more day(s)\r\n\r\n"
    b"Technical details of temporary failure: \r\nThe recipient server did not accept our requests to connect.\r\n"
    b"[box.example.org (1): Connection timed out]\r\n\r\n   ----- Message header follows -----\r\n\r\n"
    b"Received: by 10.1.2.4 with SMTP id y;\r\n        Wed, 31 Dec 2008 08:10:22 -0800 (PST)\r\n"
    b"Return-Path: <someone@gmail.example>\r\nTo: root@box.example.org\r\nSubject: Anacron job 'cron.daily'\r\n"
    b"Date: Wed, 31 Dec 2008 08:09:58 -0800\r\nFrom: Anacron <someone@gmail.example>\r\n\r\n"
    b"   ----- Message body suppressed -----\r\n")


def test_a_plain_text_delay_notice_is_a_delay_with_its_recipient_reason_and_wait() -> None:
    # Gmail's 2008 "Delivery Status Notification (Delay)" (real layout): no delivery status part,
    # its marker line indented. It was read as no notice at all, and its returned header was lost.
    report = headerscope.analyze(_GMAIL_DELAY, offline=True)
    [delayed] = [f for f in report.findings if f.id == "dsn.delayed"]
    assert delayed.title == "Delay notice: delivery to root@box.example.org is still being retried"
    assert "“[box.example.org (1): Connection timed out]”" in delayed.explanation
    assert "Message will be retried for 2 more day(s)." in delayed.explanation
    # Accepted 08:10:22 on 31 December, the notice written 08:49:45 on 1 January (both -0800).
    assert "stamped 24 h 39 min before this notice's Date:" in delayed.explanation
    assert [(a.subject, a.headers_only) for a in report.attached] == [("Anacron job 'cron.daily'", True)]
    assert not [f for f in report.findings if f.id == "dsn.unstructured"]
    # A failure of the same kind stays a failure.
    failed = _GMAIL_DELAY.replace(b"(Delay)", b"(Failure)").replace(b"THIS IS A WARNING MESSAGE ONLY.",
                                                                    b"Delivery has failed permanently.")
    found = {f.id for f in headerscope.analyze(failed, offline=True).findings}
    assert "dsn.unstructured" in found and "dsn.delayed" not in found
    # A person quoting the marker line in ordinary mail returns no copy.
    quoted = _GMAIL_DELAY.replace(b"Mail Delivery Subsystem <mailer-daemon@", b"Ann <ann@").replace(
        b"Delivery Status Notification (Delay)", b"look at this")
    assert attached_messages(parse_message(quoted)) == ()


def _text_notice(subject: str, body: str, *, sender: str = "Mail Delivery System <MAILER-DAEMON@mx.sender.example>",
            return_path: str = "<>", fields: str = "", date: str = "Mon, 30 Nov 2026 09:10:00 +0000") -> bytes:
    """A plain-text delivery notice as a mail server writes it (no report part)."""
    return (f"Return-Path: {return_path}\r\nReceived: by mx.sender.example (Postfix) id 4dKq7X3Fwnz2Jg5; {date}\r\n"
            f"From: {sender}\r\nTo: alice@sender.example\r\nSubject: {subject}\r\nDate: {date}\r\n"
            f"Message-ID: <n1@mx.sender.example>\r\n{fields}MIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=us-ascii\r\n\r\n{body}").encode()


def _dsn_findings(report: Report) -> list[tuple[str, str, str]]:
    return [(f.id, f.severity.value, f.title) for f in report.findings if f.id.startswith("dsn.")]


# Exchange's delay notice, as Exchange Server and Exchange Online write its text part.
_EXCHANGE_DELAY = (
    "Delivery is delayed to these recipients or groups:\r\n\r\nbob@partner.example\r\n\r\n"
    "Subject: Quarterly figures\r\n\r\n"
    "This message hasn't been delivered yet. Delivery will continue to be attempted.\r\n\r\n"
    "The server will keep trying to deliver this message for the next 1 days, 19 hours and 57 minutes. "
    "You'll be notified if the message can't be delivered by that time.\r\n\r\n"
    "Diagnostic information for administrators:\r\n\r\nGenerating server: EXCH01.corp.example\r\n"
    "Receiving server: mx.partner.example (192.0.2.45)\r\n\r\nbob@partner.example\r\n"
    "Remote Server at mx.partner.example (192.0.2.45) returned '400 4.4.7 Message delayed'\r\n"
    "11/30/2026 9:01:10 AM - Remote Server at mx.partner.example (192.0.2.45) returned '441 4.4.1 Error "
    "encountered while communicating with primary target IP address'\r\n")
# Gmail's delay notice since about 2016 (text part).
_GMAIL_LATER_DELAY = (
    "\r\n** Delivery incomplete **\r\n\r\nThere was a temporary problem delivering your message to "
    "bob@partner.example. Gmail will retry for 46 more hours. You'll be notified if the delivery fails "
    "permanently.\r\n\r\nThe response was:\r\n\r\nThe recipient server did not accept our requests to connect. "
    "[partner.example 192.0.2.45: timed out]\r\n")


def test_delay_subjects_never_read_as_failures_without_a_failure_in_the_notices_own_text() -> None:
    # Exchange's "Delivery delayed:" was a failure ("retries given up") and Gmail's later delay
    # notice "a non-delivery report": their delay wording was not known.
    exchange = headerscope.analyze(_text_notice("Delivery delayed:Quarterly figures", _EXCHANGE_DELAY,
                                           sender="Microsoft Outlook <postmaster@corp.example>"), offline=True)
    assert _dsn_findings(exchange) == [("dsn.delayed", "notice", "Delay notice: delivery to bob@partner.example is still "
                               "being retried (4.4.7: persistent transient failure (a condition that may clear): "
                               "delivery time expired)")]
    [delayed] = [f for f in exchange.findings if f.id == "dsn.delayed"]
    assert "“400 4.4.7 Message delayed”" in delayed.explanation
    gmail = headerscope.analyze(_text_notice("Delivery Status Notification (Delay)", _GMAIL_LATER_DELAY,
                                        sender="Mail Delivery Subsystem <mailer-daemon@googlemail.com>"), offline=True)
    assert _dsn_findings(gmail) == [("dsn.delayed", "notice", "Delay notice: delivery to bob@partner.example is still "
                            "being retried")]
    [delayed] = [f for f in gmail.findings if f.id == "dsn.delayed"]
    assert "Gmail will retry for 46 more hours." in delayed.explanation
    assert "“The recipient server did not accept our requests to connect." in delayed.explanation
    # Postfix's delay warning says "could not be delivered for more than 4 hour(s)": still a delay.
    postfix = headerscope.analyze(_text_notice(
        "Delayed Mail (still being retried)",
        "This is the mail system at host mx.sender.example.\r\n\r\n"
        "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n\r\n"
        "Your message could not be delivered for more than 4 hour(s).\r\n"
        "It will be retried until it is 5 day(s) old.\r\n"), offline=True)
    assert [i for i, _, _ in _dsn_findings(postfix)] == ["dsn.delayed"]
    # sendmail's warning in words not read here: its subject says delay, nothing says failure.
    sendmail = headerscope.analyze(_text_notice(
        "Warning: could not send message for past 4 hours",
        "The original message was received at Mon, 30 Nov 2026 05:10:00 GMT\r\n\r\n"
        "   ----- Transcript of session follows -----\r\n"
        "bob@partner.example... Deferred: Connection timed out with mx.partner.example.\r\n"
        "Warning: message still undelivered after 4 hours\r\nWill keep trying until message is 5 days old\r\n"),
        offline=True)
    assert _dsn_findings(sendmail) == [("dsn.delayed", "notice",
                               "Delay notice (by its subject): delivery to a recipient is said to be delayed")]


def test_a_failure_is_never_a_delay_for_words_of_the_returned_copy_or_a_failure_in_the_notice() -> None:
    # Postfix's bounce: the returned message's own body says "has been delayed". It was a delay
    # notice "still being retried (5.1.1: permanent failure)".
    postfix = _text_notice(
        "Undelivered Mail Returned to Sender",
        "This is the mail system at host mx.sender.example.\r\n\r\nI'm sorry to have to inform you that your "
        "message could not\r\nbe delivered to one or more recipients. It's attached below.\r\n\r\n"
        "<bob@partner.example>: host mx.partner.example[192.0.2.45] said: 550 5.1.1\r\n"
        "    <bob@partner.example>: Recipient address rejected: User unknown (in reply to RCPT TO command)\r\n\r\n"
        "--- Original message follows ---\r\n\r\n"
        "Received: by mx.sender.example (Postfix, from userid 1000) id 4dKq7X3Fwnz2Jg4; "
        "Mon, 30 Nov 2026 09:09:58 +0000\r\nFrom: Alice <alice@sender.example>\r\nTo: bob@partner.example\r\n"
        "Subject: your order\r\nDate: Mon, 30 Nov 2026 09:09:58 +0000\r\n\r\n"
        "Hi Bob, your order has been delayed: the courier will come on Friday.\r\n")
    [(kind, severity, title)] = _dsn_findings(headerscope.analyze(postfix, offline=True))
    assert (kind, severity) == ("dsn.unstructured", "warning")
    assert title.startswith("Bounce: delivery to bob@partner.example failed (5.1.1")
    # Exim's failure with X-Failed-Recipients, the reply itself speaking of a delay.
    exim = _text_notice(
        "Mail delivery failed: returning message to sender",
        "This message was created automatically by mail delivery software.\r\n\r\n"
        "A message that you sent could not be delivered to one or more of its\r\nrecipients. "
        "The following address(es) failed:\r\n\r\n  bob@partner.example\r\n    host mx.partner.example "
        "[192.0.2.45]\r\n    SMTP error from remote mail server after RCPT TO:<bob@partner.example>:\r\n"
        "    550 5.7.1 Message has been delayed too long and is now refused\r\n",
        fields="X-Failed-Recipients: bob@partner.example\r\n")
    assert [(i, s) for i, s, _ in _dsn_findings(headerscope.analyze(exim, offline=True))] == [("dsn.unstructured", "warning")]
    # A delay subject over a text that reports a permanent failure: the failure is read.
    for failing in ("bob@partner.example: host mx.partner.example said: 550 5.1.1 User unknown\r\n",
                    "bob@partner.example\r\nRemote Server returned '554 Message rejected'\r\n"):
        mixed = _text_notice("Delivery delayed: Quarterly figures", _EXCHANGE_DELAY.split("Diagnostic")[0] + failing,
                        sender="Microsoft Outlook <postmaster@corp.example>")
        assert [i for i, _, _ in _dsn_findings(headerscope.analyze(mixed, offline=True))] == ["dsn.unstructured"], failing
    # Words of the delay subject after a failure notifier's own words are the returned message's.
    failed = _text_notice("Undeliverable: Delivery delayed: Quarterly figures", _EXCHANGE_DELAY,
                     sender="Microsoft Outlook <postmaster@corp.example>")
    assert [i for i, _, _ in _dsn_findings(headerscope.analyze(failed, offline=True))] == ["dsn.unstructured"]


def test_a_delay_notice_not_sent_with_the_null_sender_is_said_to_be_a_claim() -> None:
    body = ("Delivery to the following recipient has been delayed:\r\n\r\n     ap@supplier.example\r\n\r\n"
            "Open https://evil.example/outlook-release to release the message.\r\n")
    spoof = headerscope.analyze(_text_notice("Delivery delayed: Invoice 4471", body, return_path="<bounce@evil.example>",
                                        sender="Microsoft Outlook <postmaster@evil.example>"), offline=True)
    [delayed] = [f for f in spoof.findings if f.id == "dsn.delayed"]
    assert delayed.title == ("Delay notice not sent with the null sender: delivery to ap@supplier.example is still "
                             "being retried")
    assert ("It was not sent with the null sender (Return-Path: <bounce@evil.example>), as real delivery notices are "
            "(RFC 5321 section 4.5.5): its words are a claim of whoever sent it.") in delayed.explanation
    assert "if the notice is genuine, the server keeps the message" in delayed.explanation
    # With the null sender, the title states the notice; the returned copy stays the writer's.
    genuine = headerscope.analyze(_GMAIL_DELAY, offline=True)
    [delayed] = [f for f in genuine.findings if f.id == "dsn.delayed"]
    assert "null sender" not in delayed.explanation
    assert "is the notice writer's copy, the message that waits if the notice is genuine" in delayed.explanation


def test_the_returned_copys_wait_is_given_only_with_both_zones_and_as_the_copys_claim() -> None:
    [delayed] = [f for f in headerscope.analyze(_GMAIL_DELAY, offline=True).findings if f.id == "dsn.delayed"]
    assert ("if the returned copy is genuine, its latest Received is stamped 24 h 39 min before this notice's "
            "Date:") in delayed.explanation
    # A stamp or a Date: with no zone is read as UTC: 8 hours off here, so no figure.
    inner_no_zone = _GMAIL_DELAY.replace(b"Wed, 31 Dec 2008 08:10:22 -0800 (PST)", b"Wed, 31 Dec 2008 08:10:22")
    date_no_zone = _GMAIL_DELAY.replace(b"Date: Thu, 01 Jan 2009 08:49:45 -0800 (PST)",
                                        b"Date: Thu, 01 Jan 2009 08:49:45")
    for variant in (inner_no_zone, date_no_zone):
        assert variant != _GMAIL_DELAY
        [delayed] = [f for f in headerscope.analyze(variant, offline=True).findings if f.id == "dsn.delayed"]
        assert "stamped" not in delayed.explanation


def test_a_gateway_refusal_answered_in_the_thread_is_a_bounce() -> None:
    # Review AO D2: Verizon's email-to-SMS gateway answers "Re: Test message" from
    # post_master@vtext.com with the SMTP refusal and the envelope it refused; no bounce was read.
    raw = (b"From: post_master@vtext.com\r\nTo: kijitora@example.com\r\nSubject: Re:Test message\r\n"
           b"Date: 12 Jun 2013 02:21:53 -0000\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
           b"Error: Invalid user address\r\n\r\nError message below:\r\n"
           b"550 - Requested action not taken: no such user here\r\n\r\nMessage details:\r\n"
           b"  Subject: Test message\r\n  MAIL FROM: kijitora@example.com\r\n  RCPT TO: 000000000000@vtext.com\r\n")
    [bounce] = [f for f in headerscope.analyze(raw, offline=True).findings if f.id == "dsn.unstructured"]
    assert bounce.title == "Bounce: delivery to 000000000000@vtext.com failed"
    assert "its sender (post_master@vtext.com) and the SMTP refusal its text quotes say so" in bounce.explanation
    # A person's reply that quotes no refusal is no bounce, whatever the address.
    person = raw.replace(b"550 - Requested", b"Requested")
    assert not [f for f in headerscope.analyze(person, offline=True).findings if f.id.startswith("dsn.")]
    # Verification V14 F3/R2: the role must be the address's, not a display name; the message must
    # not be sent with a sender (a bounce goes with the null one); and a "refusal" of the very
    # address it was delivered to is no bounce (a phish typing the two lines).
    for variant in (raw.replace(b"From: post_master@vtext.com", b"From: System Administrator <jane@vtext.com>"),
                    b"Return-Path: <jane@vtext.com>\r\n" + raw,
                    raw.replace(b"RCPT TO: 000000000000@vtext.com", b"RCPT TO: kijitora@example.com")):
        assert not [f for f in headerscope.analyze(variant, offline=True).findings if f.id.startswith("dsn.")]


def test_a_feedback_reports_recipients_and_domains_are_counted_not_silently_cut() -> None:
    # RFC 5965 section 3.2: Original-Rcpt-To and Reported-Domain may each appear many times; a
    # complaint about 20 mailboxes at 9 providers is a campaign, and the report must say so.
    domains = ["hotmail.example", "gmail.example", "yahoo.example", "aol.example", "rr.example",
               "olv.example", "irish.example", "isp.example", "uni.example"]
    rcpts = b"".join(b"Original-Rcpt-To: u%d@%s\r\n" % (i, domains[i % 9].encode()) for i in range(20))
    reported = b"".join(b"Reported-Domain: %s\r\n" % d.encode() for d in domains)
    fields = ABUSE_FIELDS.replace(b"Original-Rcpt-To: <user@example.com>\r\n", rcpts).replace(
        b"Reported-Domain: example.net\r\n", reported)
    report = headerscope.analyze(_arf(fields, REPORTED), offline=True)
    feedback = report.feedback_report
    assert feedback is not None
    assert (feedback.original_rcpt_to_total, feedback.reported_domain_total) == (20, 9)
    [finding] = [f for f in report.findings if f.id == "feedback.abuse"]
    assert ("20 recipients at 9 domains, first 3: u0@hotmail.example, u1@gmail.example, u2@yahoo.example"
            in finding.explanation)
    assert "9 reported domains, first 3: hotmail.example, gmail.example, yahoo.example" in finding.explanation
    rows = dict(feedback_rows(feedback))
    assert rows["Original-Rcpt-To"].startswith("20 recipients at 9 domains: u0@hotmail.example, ")
    assert rows["Reported-Domain"].startswith("9 reported domains: hotmail.example, ")
    # More than the 100 kept: the count is still the report's.
    many = ABUSE_FIELDS + b"".join(b"Original-Rcpt-To: r%d@example.com\r\n" % i for i in range(150))
    counted = headerscope.analyze(_arf(many, REPORTED), offline=True).feedback_report
    assert counted is not None and len(counted.original_rcpt_to) == 100
    assert recipients_words(counted, shown=3).startswith("151 recipients at 1 domain or more, first 3: ")
    # One recipient reads as one.
    single = headerscope.analyze(_arf(ABUSE_FIELDS, REPORTED), offline=True).feedback_report
    assert single is not None and recipients_words(single) == "1 recipient at 1 domain: user@example.com"


# SpamCop's report layout (https://www.spamcop.net/fom-serve/cache/94.html): Subject
# "[SpamCop (IP) id:N]<the spam's Subject>", "Email from IP / date", the spam inline after
# "[ Offending message ]" (V4) or "Offending message:" (older versions), Precedence: list.
SPAMCOP_V4 = (
    b"Return-Path: <6301094139.ae7184df@bounces.spamcop.net>\r\n"
    b"Received: from mx.isp.example by mx.isp.example (Dovecot) with LMTP id lLgx; Wed, 29 Apr 2015 23:27:25 +0200\r\n"
    b"From: 6301094139@reports.spamcop.net\r\nTo: abuse@isp.example\r\n"
    b"Subject: [SpamCop (192.0.2.160) id:6301094139]Important: Please Review Your Account\r\n"
    b"Precedence: list\r\nDate: Wed, 29 Apr 2015 17:20:28 -0400\r\n\r\n"
    b"[ SpamCop V4.8.2.018 ]\r\nThis message is brief for your comfort.  Please use links below for details.\r\n\r\n"
    b"Email from 192.0.2.160 / Wed, 29 Apr 2015 17:20:28 -0400\r\n"
    b"https://www.spamcop.example/w3m?i=z6301094139zae71z\r\n\r\n[ Offending message ]\r\n"
    b"Received: from web.hoster.example (web.hoster.example [192.0.2.160]) by mx5.mail.example (Postfix)\r\n"
    b"\twith ESMTPS id 2A4EF280D85 for <x>; Wed, 29 Apr 2015 17:20:28 -0400 (EDT)\r\n"
    b"Date: Wed, 29 Apr 2015 21:20:25 +0000\r\nTo: x\r\nFrom: PayPal Support <support@pay-pal.example>\r\n"
    b"Subject: Important: Please Review Your Account\r\nMessage-ID: <4e95@web.hoster.example>\r\n"
    b"Content-Type: text/html; charset=\"iso-8859-1\"\r\n\r\n<html>Log in now</html>\r\n")
# The same report as the receiver recorded spamcop.net's DKIM pass above the boundary: what
# reads it as SpamCop's (review V18 P3: its From: and Return-Path are the sender's text).
_SPAMCOP_LMTP = b"Received: from mx.isp.example by mx.isp.example (Dovecot) with LMTP id lLgx;"
SPAMCOP_V4_RECORDED = SPAMCOP_V4.replace(
    _SPAMCOP_LMTP, b"Authentication-Results: mx.isp.example; dkim=pass header.d=spamcop.net header.s=k1\r\n"
    + _SPAMCOP_LMTP)
# ... and the signature that pass is of, still on the message (verification V20 N3).
SPAMCOP_V4_SIGNED = carry_signature(SPAMCOP_V4_RECORDED, "spamcop.net")


def test_a_spamcop_report_is_a_feedback_report_about_the_spam_it_carries_inline(tmp_path: Path) -> None:
    report = headerscope.analyze(SPAMCOP_V4_SIGNED, offline=True)
    feedback = report.feedback_report
    assert feedback is not None
    assert (feedback.format, feedback.feedback_type, feedback.source_ip, feedback.arrival_date) == (
        "spamcop", "abuse", "192.0.2.160", "Wed, 29 Apr 2015 17:20:28 -0400")
    [finding] = [f for f in report.findings if f.id == "feedback.abuse"]
    assert finding.title == ("Abuse report (SpamCop, not ARF; DKIM-signed by spamcop.net): a message sent from "
                             "192.0.2.160 was reported as abuse")
    assert "--attached 1" in finding.explanation and "the report's claim" in finding.explanation
    [entry] = report.attached
    assert (entry.subject, entry.headers_only) == ("Important: Please Review Your Account", False)
    # A report, not a sender's bulk mail, though it says Precedence: list.
    assert not [f for f in report.findings if f.id.startswith("bulk.")]
    # --attached 1 analyzes the spam; SpamCop's source IP is the report's record of it, a claim.
    def attached(data: bytes) -> dict:  # type: ignore[type-arg]
        path = tmp_path / "spamcop.eml"
        path.write_bytes(data)
        return json.loads(subprocess.run(  # type: ignore[no-any-return]
            [sys.executable, "-m", "headerscope", "analyze", str(path), "--offline", "--format", "json",
             "--attached", "1"], capture_output=True, cwd=REPO, check=True).stdout)

    inner = attached(SPAMCOP_V4_SIGNED)
    assert [h["by"] for h in inner["hops"]] == ["mx5.mail.example"]
    assert inner["spf"]["client_ip"] == "192.0.2.160"
    # A copy without any Received: SpamCop's source IP is the client, said to be the report's.
    start = SPAMCOP_V4_RECORDED.index(b"Received: from web")
    bare = attached(carry_signature(SPAMCOP_V4_RECORDED[:start] + SPAMCOP_V4_RECORDED[
        SPAMCOP_V4_RECORDED.index(b"Date: Wed, 29 Apr 2015 21:20"):], "spamcop.net"))
    assert bare["hops"] == [] and bare["spf"]["client_ip"] == "192.0.2.160"
    assert bare["spf"]["inputs_from"].startswith("the feedback report's Source-IP")


def test_a_spamcop_report_is_read_as_spamcop_s_only_when_spamcop_net_signed_it(tmp_path: Path) -> None:
    # Reviews V17 N6 and V18 P3: From: and Return-Path at spamcop.net are the sender's text; the
    # receiver's record of a DKIM pass for spamcop.net (or a pass recomputed now) is what shows
    # SpamCop sent it.
    report = headerscope.analyze(SPAMCOP_V4_SIGNED, offline=True)
    [finding] = [f for f in report.findings if f.id == "feedback.abuse"]
    assert "a DKIM signature of spamcop.net passes: SpamCop sent it" in finding.explanation
    assert not [f for f in report.findings if f.id == "feedback.spamcop_lookalike"]
    assert report.feedback_report is not None and report.feedback_report.authenticated_by == "spamcop.net"

    def unread(data: bytes) -> Finding:
        report = headerscope.analyze(data, offline=True)
        assert report.feedback_report is None and report.attached == ()
        assert not [f for f in report.findings if f.id.startswith("feedback.") and f.id != "feedback.spamcop_lookalike"]
        [lookalike] = [f for f in report.findings if f.id == "feedback.spamcop_lookalike"]
        assert lookalike.severity is Severity.NOTICE
        return lookalike

    # Without the signature, From: and Return-Path at spamcop.net (forged: V18's sc2) read as
    # no report: SpamCop's claim, not authenticated, and no copy offered.
    forged = unread(SPAMCOP_V4)
    assert forged.title == "Looks like a SpamCop report and claims to be from spamcop.net; not authenticated"
    assert "naming 192.0.2.160 as the source" in forged.explanation
    assert "no DKIM signature of spamcop.net passes" in forged.explanation
    # Another domain's pass is no SpamCop signature.
    unread(SPAMCOP_V4_SIGNED.replace(b"header.d=spamcop.net", b"header.d=isp.example"))
    # A pass recorded below the boundary (by a server the sender ran) is not the receiver's.
    lower = SPAMCOP_V4.replace(_SPAMCOP_LMTP, _SPAMCOP_LMTP.replace(b"with LMTP", b"with ESMTP"), 1)
    lower = lower.replace(b"From: 6301", b"Received: from [192.0.2.99] by mail.spamcop-lookalike.example with ESMTP "
                          b"id X; Wed, 29 Apr 2015 17:20:28 -0400\r\nAuthentication-Results: "
                          b"mail.spamcop-lookalike.example; dkim=pass header.d=spamcop.net\r\nFrom: 6301", 1)
    assert unread(carry_signature(lower, "spamcop.net")).title.endswith("not authenticated")
    # Only the Return-Path at spamcop.net, the From: still the phish's (V18's sc3).
    only_path = SPAMCOP_V4.replace(b"From: 6301094139@reports.spamcop.net", b"From: PayPal <service@paypal.example>")
    assert unread(only_path).title.endswith("claims to be from spamcop.net; not authenticated")
    # An analyst who asks for --attached 1 of the unsigned one gets its quote, said to be quoted by
    # an unauthenticated look-alike (review V19 P7: a genuine old report could not be opened),
    # with no report's blame (no Source-IP as the client); the report above offers none.
    path = tmp_path / "forged.eml"
    path.write_bytes(SPAMCOP_V4)
    run = subprocess.run([sys.executable, "-m", "headerscope", "analyze", str(path), "--offline", "--attached", "1",
                          "--format", "json"], capture_output=True, cwd=REPO, text=True)
    assert run.returncode == 0, run.stderr
    inner = json.loads(run.stdout)
    assert inner["input"]["carried_in"].startswith(f"the message quoted by {path}, an unauthenticated look-alike of a "
                                                   "SpamCop report (spamcop.net did not sign it)")
    assert "its header is the sender's text" in inner["input"]["carried_in"]
    assert inner["input"].get("reported_envelope") is None
    assert inner["spf"]["client_ip"] != "192.0.2.160" or not inner["spf"]["inputs_from"].startswith("the feedback")
    run = subprocess.run([sys.executable, "-m", "headerscope", "analyze", str(path), "--offline", "--attached", "2"],
                         capture_output=True, cwd=REPO, text=True)
    assert run.returncode == 1 and "no attached message 2" in run.stderr
    assert attached_messages(parse_message(SPAMCOP_V4)) == ()
    assert len(attached_messages(parse_message(SPAMCOP_V4), signed_by=frozenset({"spamcop.net"}))) == 1


def test_a_message_in_spamcop_s_layout_not_from_spamcop_net_is_no_report() -> None:
    # Review V17 N6: a phish with SpamCop's Subject tag and an "Offending message:" block, from
    # neither reports.spamcop.net nor bounces.spamcop.net. It was read as SpamCop's report naming
    # 192.0.2.200, with its harmless "offending message" offered as --attached 1.
    phish = (b"Return-Path: <billing@pay-pal-secure.example>\r\n"
             b"Received: from mail.pay-pal-secure.example (unknown [203.0.113.66])\r\n"
             b"\tby mx.firma.example (Postfix) with ESMTP id AAA; Tue, 18 Nov 2025 03:12:09 +0000\r\n"
             b"From: PayPal <service@paypal.example>\r\nTo: kalle@firma.example\r\n"
             b"Subject: [SpamCop (192.0.2.200) id:7000000001] Your account is limited\r\n"
             b"Date: Tue, 18 Nov 2025 03:12:00 +0000\r\nContent-Type: text/plain\r\n\r\n"
             b"Your account is limited. Log in at https://paypal.example.login.pay-pal-secure.example/\r\n\r\n"
             b"Offending message:\r\nFrom: Kalle <kalle@firma.example>\r\nTo: victim@example.org\r\n"
             b"Subject: hello\r\nDate: Tue, 18 Nov 2025 01:00:00 +0000\r\n\r\nhi\r\n")
    report = headerscope.analyze(phish, offline=True)
    assert report.feedback_report is None and report.attached == ()
    assert not [f for f in report.findings if f.id.startswith("feedback.") and f.id != "feedback.spamcop_lookalike"]
    [lookalike] = [f for f in report.findings if f.id == "feedback.spamcop_lookalike"]
    assert lookalike.title == "Looks like a SpamCop report, but is not from spamcop.net"
    assert lookalike.severity is Severity.NOTICE and "naming 192.0.2.200 as the source" in lookalike.explanation
    assert attached_messages(parse_message(phish)) == ()
    # The same text from spamcop.net's Return-Path is still no report (review V18 P3): that is
    # the sender's text; only a spamcop.net signature would make it SpamCop's.
    spamcop = phish.replace(b"billing@pay-pal-secure.example", b"7000000001.ab12@bounces.spamcop.net")
    report = headerscope.analyze(spamcop, offline=True)
    assert report.feedback_report is None and report.attached == ()
    [lookalike] = [f for f in report.findings if f.id == "feedback.spamcop_lookalike"]
    assert lookalike.title.endswith("claims to be from spamcop.net; not authenticated")
    # A look-alike domain is not spamcop.net.
    near = phish.replace(b"billing@pay-pal-secure.example", b"x@bounces.spamcop.net.example")
    assert headerscope.analyze(near, offline=True).feedback_report is None


def test_an_old_spamcop_report_with_the_offending_header_only() -> None:
    # SpamCop V1.3 (2003): "Offending message:" and, in a brief report, the spam's header alone.
    raw = (b"Authentication-Results: mx.isp.example; dkim=pass header.d=spamcop.net\r\n"
           b"Received: from sauron.spamcop.example (sauron.spamcop.example [192.0.2.85]) by mx.isp.example\r\n"
           b"    (8.12.9/8.12.6) with SMTP id h5K0Eg4X029360; Thu, 19 Jun 2003 20:14:43 -0400\r\n"
           b"From: 999@reports.spamcop.net\r\nTo: abuse@isp.example\r\n"
           b"Subject: [SpamCop (198.51.100.1) id:999999999]these gals\r\nPrecedence: list\r\n"
           b"Date: Thu, 19 Jun 2003 17:34:13 -0400\r\n\r\n- SpamCop V1.3.3 -\r\n"
           b"Email from 198.51.100.1 / Thu, 19 Jun 2003 17:34:13 -0400\r\n\r\nOffending message:\r\n"
           b"Received: from [198.51.100.1] (helo=ibm.example) by relay.victim.example with smtp (Exim 3.34 #2)\r\n"
           b"       id 19T72p-0004wF-00 for x; Thu, 19 Jun 2003 17:34:13 -0400\r\n"
           b"From: \"Bernie\" <b@iol.example>\r\nSubject: these gals\r\nDate: Fri, 20 Jun 2003 14:00:08 +0000\r\n")
    raw = carry_signature(raw, "spamcop.net")  # the signature the receiver's pass is of
    report = headerscope.analyze(raw, offline=True)
    assert report.feedback_report is not None and report.feedback_report.source_ip == "198.51.100.1"
    [entry] = report.attached
    assert entry.headers_only and entry.subject == "these gals"
    # Without SpamCop's Subject, its "Email from" line and the marker still name it; a person's
    # mail that merely says "Offending message:" is no report.
    untagged = raw.replace(b"[SpamCop (198.51.100.1) id:999999999]", b"")
    assert headerscope.analyze(untagged, offline=True).feedback_report is not None
    plain = untagged.replace(b"Email from 198.51.100.1 / Thu, 19 Jun 2003 17:34:13 -0400\r\n", b"")
    assert headerscope.analyze(plain, offline=True).feedback_report is None
    assert attached_messages(parse_message(plain)) == ()


def test_a_part_headers_quick_reading_is_the_full_parse() -> None:
    # message.first_values reads the three fields a MIME walk needs without parsing every field in
    # full; it must give what parse_message(...).first gives, or decline (None) for the header
    # sections that need the full reading.
    from headerscope.message import first_values, parse_message

    names = frozenset(("content-type", "content-disposition", "content-transfer-encoding"))
    heads = [
        b"Content-Type: text/plain;\r\n charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n",
        b"content-type:application/pdf; name=\"a b.pdf\"\nCONTENT-DISPOSITION: attachment;\n\tfilename=\"a b.pdf\"\n",
        b"Content-Type: text/html\r\nContent-Type: text/plain\r\nX-Junk no colon\r\n  folded junk\r\n",
        b"Content-Disposition : inline\r\nContent-Transfer-Encoding:   QUOTED-printable  \r\n\r\nbody\r\n",
        b"\r\n", b"", b"Content-Type: text/plain\rContent-Disposition: attachment\r",
    ]
    for path in sorted((CORPUS / "messages").rglob("*")):
        if path.is_file() and path.stat().st_size < 2_000_000:
            raw = path.read_bytes()
            heads.extend(raw[m.end():m.end() + 600].split(b"\r\n\r\n")[0].split(b"\n\n")[0]
                         for m in re.finditer(rb"\n--[^\r\n]{1,70}\r?\n", raw))
    checked = 0
    for head in heads:
        quick = first_values(head, names)
        if quick is None:
            continue
        full = parse_message(head)
        assert quick == {name: value for name in names for value in [full.first(name)] if value is not None}, head
        checked += 1
    assert checked > 20
    # Bytes that are not ASCII, a NUL, an escape: the full reading (legacy charsets, defects).
    for odd in (b"Content-Type: text/plain; name=\"\xe9t\xe9.pdf\"\r\n", b"Content-Type: a\x00b\r\n",
                b"Content-Type: text/plain; name=\"\x1b$B\"\r\n"):
        assert first_values(odd, names) is None


def test_an_arf_report_says_whether_its_from_domain_signed_it() -> None:
    # Review V19 P1: ARF has no signature of its own (RFC 5965 section 8.2); the section said
    # "ARF, RFC 5965" as fact and the attached copy was "the reported message" for anyone's text.
    from headerscope.mime import feedback_rows

    unsigned = headerscope.analyze(_arf(ABUSE_FIELDS, REPORTED), offline=True)
    feedback = unsigned.feedback_report
    assert feedback is not None and feedback.authenticated_by is None
    assert feedback_rows(feedback)[0] == ("Authenticated", "no: anyone can write this format")
    [finding] = [f for f in unsigned.findings if f.id == "feedback.abuse"]
    assert "A message is attached (the sender's choice)" in finding.explanation
    markdown = get_renderer("markdown").render(unsigned)
    assert "### Feedback report (ARF, RFC 5965; claimed, not authenticated)" in markdown
    # The receiver recorded example.com's pass (a subdomain's signature aligns, relaxed).
    received = (b"Authentication-Results: mx.example.net; dkim=pass header.d=fbl.example.com\r\n"
                b"Received: from mail.example.com (mail.example.com [192.0.2.5]) by mx.example.net with ESMTPS id 1;"
                b" Thu, 8 Mar 2005 17:40:40 EDT\r\n")
    signed = headerscope.analyze(carry_signature(received + _arf(ABUSE_FIELDS, REPORTED), "fbl.example.com"),
                                 offline=True)
    assert signed.feedback_report is not None and signed.feedback_report.authenticated_by == "fbl.example.com"
    [finding] = [f for f in signed.findings if f.id == "feedback.abuse"]
    assert "The reported message is attached" in finding.explanation
    assert "### Feedback report (ARF, RFC 5965; DKIM-signed by fbl.example.com)" in get_renderer("markdown").render(signed)


@pytest.mark.parametrize(("action", "status", "said"), [
    ("failed", "2.0.0", "Action failed with Status 2.0.0, a success code"),
    ("delivered", "5.7.1", "Action delivered with Status 5.7.1, a permanent failure code"),
    ("delayed", "5.1.1", "Action delayed with Status 5.1.1, a permanent failure code"),
    ("exploded", "2.0.0", "Action 'exploded' is none of failed, delayed, delivered, relayed, expanded"),
    ("failed", "9.99.999", "Status '9.99.999' is not an enhanced status code"),
])
def test_a_delivery_report_that_contradicts_itself_says_so(action: str, status: str, said: str) -> None:
    # Verification V23 D9: RFC 3464 sections 2.3.3 and 2.3.4 (RFC 3463 section 3.1 for the
    # classes); a "failed" with 2.0.0 or a "delivered" with 5.7.1 was shown as written.
    fields = (f"Reporting-MTA: dns; mx.sender.example\r\n\r\nFinal-Recipient: rfc822; bob@partner.example\r\n"
              f"Action: {action}\r\nStatus: {status}\r\n").encode()
    report = headerscope.analyze(_dsn(fields, b"From: alice@sender.example\r\n\r\nx"), offline=True)
    [finding] = [f for f in report.findings if f.id.startswith("dsn.")]
    assert f"bob@partner.example: {said}" in finding.explanation
    assert "what it says happened is not certain" in finding.explanation
    assert finding.severity.value != "info"


@pytest.mark.parametrize(("action", "status"), [
    ("failed", "5.1.1"), ("failed", "4.4.7"), ("delayed", "4.4.1"), ("delivered", "2.0.0"), ("relayed", "2.0.0"),
    ("expanded", "2.0.0"), ("failed", None)])
def test_a_delivery_report_whose_fields_agree_has_no_such_words(action: str, status: str | None) -> None:
    # "failed" with a 4.x.x code is Postfix's and Exim's report of a message that outlived its
    # queue lifetime: usual, not a contradiction.
    fields = (f"Reporting-MTA: dns; mx.sender.example\r\n\r\nFinal-Recipient: rfc822; bob@partner.example\r\n"
              f"Action: {action}\r\n" + (f"Status: {status}\r\n" if status else "")).encode()
    report = headerscope.analyze(_dsn(fields, b"From: alice@sender.example\r\n\r\nx"), offline=True)
    [finding] = [f for f in report.findings if f.id.startswith("dsn.")]
    assert "do not agree with RFC 3464" not in finding.explanation
