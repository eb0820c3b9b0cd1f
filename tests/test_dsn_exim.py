"""Exim bounces (real shapes from public list archives): the reason a report part leaves out,
whose words a delivery report's reason column holds, and bounces of spam that forged its From:
(backscatter), told apart from bounces of a domain's own mail."""

from __future__ import annotations

import headerscope
from headerscope.message import parse_message
from headerscope.mime import delivery_report
from headerscope.model import Report
from headerscope.render import get_renderer

# Exim 4.96 at us256.siteground.us (lfdr.de's archive of ksummit@lists.linux.dev, 2022-10-05, the
# bounce as the list delivered it, its filter fields trimmed): spam with From: ksummit@lists.linux.dev
# from [113.133.226.15] helo=lists.linux.dev, refused for an unknown local user. Exim writes
# Diagnostic-Code only for a remote server's reply (deliver.c print_dsn_diagnostic_code), so the
# reason, "No Such User Here", is only in the text part, indented under the address.
KSUMMIT = (
    b"Return-Path: <ksummit+bounces-931-lists=lfdr.de@lists.linux.dev>\n"
    b"X-Original-To: lists@lfdr.de\n"
    b"Delivered-To: lists@lfdr.de\n"
    b"Received: from sv.mirrors.kernel.org (sv.mirrors.kernel.org [139.178.88.99])\n"
    b"\tby mail.lfdr.de (Postfix) with ESMTPS id 166AC5F5430\n"
    b"\tfor <lists@lfdr.de>; Wed,  5 Oct 2022 14:07:32 +0200 (CEST)\n"
    b"Received: from smtp.subspace.kernel.org (wormhole.subspace.kernel.org [52.25.139.140])\n"
    b"\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))\n"
    b"\t(No client certificate requested)\n"
    b"\tby sv.mirrors.kernel.org (Postfix) with ESMTPS id 43E1E280BEA\n"
    b"\tfor <lists@lfdr.de>; Wed,  5 Oct 2022 12:07:30 +0000 (UTC)\n"
    b"Received: from localhost.localdomain (localhost.localdomain [127.0.0.1])\n"
    b"\tby smtp.subspace.kernel.org (Postfix) with ESMTP id DC134138E;\n"
    b"\tWed,  5 Oct 2022 12:07:23 +0000 (UTC)\n"
    b"X-Original-To: ksummit@lists.linux.dev\n"
    b"Received: from delivery29.mailspamprotection.com (delivery29.mailspamprotection.com [185.56.84.32])\n"
    b"\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))\n"
    b"\t(No client certificate requested)\n"
    b"\tby smtp.subspace.kernel.org (Postfix) with ESMTPS id F16CF136B\n"
    b"\tfor <ksummit@lists.linux.dev>; Wed,  5 Oct 2022 12:07:21 +0000 (UTC)\n"
    b"Received: from 10.99.208.35.bc.googleusercontent.com ([35.208.99.10] helo=us256.siteground.us)\n"
    b"\tby se29.mailspamprotection.com with esmtps (TLSv1.2:AES128-GCM-SHA256:128)\n"
    b"\t(Exim 4.92)\n"
    b"\tid 1ofxGu-0006H6-92\n"
    b"\tfor ksummit@lists.linux.dev; Wed, 05 Oct 2022 00:48:45 -0500\n"
    b"Received: from mailnull by us256.siteground.us with local (Exim 4.96)\n"
    b"\tid 1ofxGm-000Fek-1l\n"
    b"\tfor ksummit@lists.linux.dev;\n"
    b"\tWed, 05 Oct 2022 05:48:36 +0000\n"
    b"X-Failed-Recipients: kevin@salonbasinger.com\n"
    b"Auto-Submitted: auto-replied\n"
    b"From: Mail Delivery System <Mailer-Daemon@us256.siteground.us>\n"
    b"To: ksummit@lists.linux.dev\n"
    b"References: <48c97496-983b-4227-9566-2223268b51bf@lists.linux.dev>\n"
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=1664948916-eximdsn-1789472636\n"
    b"Precedence: bulk\n"
    b"X-Mailing-List: ksummit@lists.linux.dev\n"
    b"List-Id: <ksummit.lists.linux.dev>\n"
    b"List-Subscribe: <mailto:ksummit+subscribe@lists.linux.dev>\n"
    b"List-Unsubscribe: <mailto:ksummit+unsubscribe@lists.linux.dev>\n"
    b"MIME-Version: 1.0\n"
    b"Subject: Mail delivery failed: returning message to sender\n"
    b"Message-Id: <E1ofxGm-000Fek-1l@us256.siteground.us>\n"
    b"Date: Wed, 05 Oct 2022 05:48:36 +0000\n"
    b"\n"
    b"--1664948916-eximdsn-1789472636\n"
    b"Content-type: text/plain; charset=us-ascii\n"
    b"\n"
    b"This message was created automatically by mail delivery software.\n"
    b"\n"
    b"A message that you sent could not be delivered to one or more of its\n"
    b"recipients. This is a permanent error. The following address(es) failed:\n"
    b"\n"
    b"  kevin@salonbasinger.com\n"
    b"    No Such User Here\n"
    b"\n"
    b"--1664948916-eximdsn-1789472636\n"
    b"Content-type: message/delivery-status\n"
    b"\n"
    b"Reporting-MTA: dns; us256.siteground.us\n"
    b"\n"
    b"Action: failed\n"
    b"Final-Recipient: rfc822;kevin@salonbasinger.com\n"
    b"Status: 5.0.0\n"
    b"\n"
    b"--1664948916-eximdsn-1789472636\n"
    b"Content-type: text/rfc822-headers\n"
    b"\n"
    b"Return-path: <ksummit@lists.linux.dev>\n"
    b"Received: from [113.133.226.15] (port=59646 helo=lists.linux.dev)\n"
    b"\tby us256.siteground.us with esmtp (Exim 4.96)\n"
    b"\t(envelope-from <ksummit@lists.linux.dev>)\n"
    b"\tid 1ofxEn-000EK3-11\n"
    b"\tfor kevin@salonbasinger.com;\n"
    b"\tWed, 05 Oct 2022 05:48:36 +0000\n"
    b"User-Agent: Mozilla/5.0 (Windows NT 6.1; WOW64; rv:68.0) Gecko/20100101 Thunderbird/68.2.2\n"
    b'From: "5A07B0e" <ksummit@lists.linux.dev>\n'
    b"Subject: 001408175866\n"
    b'To: "kevin" <kevin@salonbasinger.com>\n'
    b'Content-Type: multipart/mixed; charset=GB2312; boundary="------------84392CCBAC08B926331F3F4C"\n'
    b"MIME-Version: 1.0\n"
    b"Reply-To: gjkk1234@21cn.com\n"
    b"Date: Wed, 5 Oct 2022 13:46:35 +0800\n"
    b"Message-Id: <48c97496-983b-4227-9566-2223268b51bf@lists.linux.dev>\n"
    b"X-Mailer: Thunderbird/68.2.2\n"
    b"X-Exim-DSN-Information: Due to administrative limits only headers are returned\n"
    b"\n"
    b"\n"
    b"--1664948916-eximdsn-1789472636--\n"
)

# Exim 4.98.1 at server9.maghost.ro (sourceware.org's cygwin-patches archive, 2025-02-25, its
# filter fields trimmed): spam with From: "Maersk Line" <cygwin-patches@cygwin.com>, Reply-To
# at proton.me, submitted with a login (esmtpsa) at the hosting provider, discarded for a rate limit.
CYGWIN = (
    b"Return-Path: <>\n"
    b"Received: from server9.maghost.ro (server9.maghost.ro [91.213.11.12])\n"
    b"\tby sourceware.org (Postfix) with ESMTPS id 941A03858D26\n"
    b"\tfor <cygwin-patches@cygwin.com>; Tue, 25 Feb 2025 01:00:58 +0000 (GMT)\n"
    b"DMARC-Filter: OpenDMARC Filter v1.4.2 sourceware.org 941A03858D26\n"
    b"Authentication-Results: sourceware.org; dmarc=none (p=none dis=none) header.from=server9.maghost.ro\n"
    b"Authentication-Results: sourceware.org; spf=none smtp.helo=server9.maghost.ro\n"
    b"Received: from mailnull by server9.maghost.ro with local (Exim 4.98.1)\n"
    b"\tid 1tmjJg-00000000X0U-02JL\n"
    b"\tfor cygwin-patches@cygwin.com;\n"
    b"\tTue, 25 Feb 2025 03:00:56 +0200\n"
    b"X-Failed-Recipients: cygwin-patches@cygwin.com\n"
    b"Auto-Submitted: auto-replied\n"
    b"From: Mail Delivery System <Mailer-Daemon@server9.maghost.ro>\n"
    b"To: cygwin-patches@cygwin.com\n"
    b"References: <20250225020054.459A92F400213C94@cygwin.com>\n"
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=1740445256-eximdsn-1372809679\n"
    b"MIME-Version: 1.0\n"
    b"Subject: Mail delivery failed: returning message to sender\n"
    b"Message-Id: <E1tmjJg-00000000X0U-02JL@server9.maghost.ro>\n"
    b"Date: Tue, 25 Feb 2025 03:00:56 +0200\n"
    b"X-Authenticated-Sender: server9.maghost.ro: mailnull\n"
    b"List-Id: <cygwin-patches.cygwin.com>\n"
    b"\n"
    b"--1740445256-eximdsn-1372809679\n"
    b"Content-type: text/plain; charset=us-ascii\n"
    b"\n"
    b"This message was created automatically by mail delivery software.\n"
    b"\n"
    b"A message that you sent could not be delivered to one or more of its\n"
    b"recipients. This is a permanent error. The following address(es) failed:\n"
    b"\n"
    b"  cygwin-patches@cygwin.com\n"
    b"    Domain profilaxis.ro has exceeded the max emails per hour (125/100 (125%)) allowed.  Message discarded.\n"
    b"\n"
    b"--1740445256-eximdsn-1372809679\n"
    b"Content-type: message/delivery-status\n"
    b"\n"
    b"Reporting-MTA: dns; server9.maghost.ro\n"
    b"\n"
    b"Action: failed\n"
    b"Final-Recipient: rfc822;cygwin-patches@cygwin.com\n"
    b"Status: 5.0.0\n"
    b"\n"
    b"--1740445256-eximdsn-1372809679\n"
    b"Content-type: text/rfc822-headers\n"
    b"\n"
    b"Return-path: <cygwin-patches@cygwin.com>\n"
    b"Received: from [134.209.241.153] (port=58265)\n"
    b"\tby server9.maghost.ro with esmtpsa  (TLS1.2) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n"
    b"\t(Exim 4.98.1)\n"
    b"\t(envelope-from <cygwin-patches@cygwin.com>)\n"
    b"\tid 1tmjJf-00000000Wug-3JYb\n"
    b"\tfor cygwin-patches@cygwin.com;\n"
    b"\tTue, 25 Feb 2025 03:00:55 +0200\n"
    b'Reply-To: "Maersk Line" <krakengroups@proton.me>\n'
    b'From: "Maersk Line" <cygwin-patches@cygwin.com>\n'
    b"To: cygwin-patches@cygwin.com\n"
    b"Subject: Re: Bill of Lading Arrival & Inv\n"
    b"Date: 25 Feb 2025 02:00:54 +0100\n"
    b"Message-ID: <20250225020054.459A92F400213C94@cygwin.com>\n"
    b"MIME-Version: 1.0\n"
    b"Content-Type: multipart/mixed;\n"
    b'\tboundary="----=_NextPart_000_0012_DD84E46D.4AD60761"\n'
    b"X-Exim-DSN-Information: Due to administrative limits only headers are returned\n"
    b"\n"
    b"\n"
    b"--1740445256-eximdsn-1372809679--\n"
)


def _findings(raw: bytes, kind: str) -> list[str]:
    return [f.explanation for f in headerscope.analyze(raw, offline=True).findings if f.id == kind]


def _title(raw: bytes, kind: str) -> str:
    [title] = [f.title for f in headerscope.analyze(raw, offline=True).findings if f.id == kind]
    return title


def test_an_exim_reports_reason_is_read_from_its_text_when_no_diagnostic_code_gives_it() -> None:
    # Was "(5.0.0: permanent failure: other or undefined status)", the reason dropped, while the
    # same bounce without its report part read "No Such User Here".
    report = delivery_report(parse_message(KSUMMIT))
    assert report is not None
    [recipient] = report.recipients
    assert (recipient.diagnostic_code, recipient.text_reason) == (None, "No Such User Here")
    assert _title(KSUMMIT, "dsn.failed") == "Bounce: delivery to kevin@salonbasinger.com failed (5.0.0: “No Such User Here”)"
    [explanation] = _findings(KSUMMIT, "dsn.failed")
    assert "us256.siteground.us's own text gives the reason: \"No Such User Here\"" in explanation
    assert "answered" not in explanation  # no remote server's reply
    limit = "Domain profilaxis.ro has exceeded the max emails per hour (125/100 (125%)) allowed. Message discarded."
    assert headerscope.analyze(CYGWIN, offline=True).delivery_report.recipients[0].text_reason == limit  # type: ignore[union-attr]
    assert limit[:60] in _title(CYGWIN, "dsn.failed")
    # The control: the same bounce without its report part gives the same words.
    unstructured = KSUMMIT.replace(KSUMMIT[KSUMMIT.index(b"Content-type: message/delivery-status"):
                                           KSUMMIT.index(b"--1664948916-eximdsn-1789472636\nContent-type: text/rfc822")], b"")
    assert "“No Such User Here”" in _title(unstructured, "dsn.unstructured")
    # A Diagnostic-Code stays the reason, and is not doubled by the text's.
    coded = KSUMMIT.replace(b"Status: 5.0.0\n", b"Status: 5.0.0\nRemote-MTA: dns; mx.salonbasinger.com\n"
                                                b"Diagnostic-Code: smtp; 550 5.1.1 unknown user\n")
    [recipient] = delivery_report(parse_message(coded)).recipients  # type: ignore[union-attr]
    assert (recipient.diagnostic_code, recipient.diagnostic_type, recipient.text_reason) == (
        "550 5.1.1 unknown user", "smtp", None)
    # An address only mentioned inside a sentence gives no reason.
    inline = KSUMMIT.replace(b"  kevin@salonbasinger.com\n    No Such User Here",
                             b"  Mail to kevin@salonbasinger.com\n    No Such User Here")
    assert delivery_report(parse_message(inline)).recipients[0].text_reason is None  # type: ignore[union-attr]


def _render(report: Report, name: str) -> str:
    # A terminal wide enough that no cell is folded.
    return get_renderer(name, **({"color": False, "width": 400} if name == "terminal" else {})).render(report)


# Postfix's delay notice (its layout): no Remote-MTA, the diagnostic its own (X-Postfix).
POSTFIX_DELAY = (
    b"From: MAILER-DAEMON@mail.example.com (Mail Delivery System)\r\nTo: alice@example.com\r\n"
    b"Subject: Delayed Mail (still being retried)\r\nDate: Fri, 27 Nov 2026 12:30:08 +0100\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
    b"--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered for more than 4 hour(s).\r\n"
    b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail.example.com\r\n\r\n"
    b"Final-Recipient: rfc822; bob@partner.example\r\nAction: delayed\r\nStatus: 4.4.1\r\n"
    b"Diagnostic-Code: X-Postfix; connect to mx.partner.example[192.0.2.1]:25:\r\n    Connection timed out\r\n"
    b"Will-Retry-Until: Wed, 2 Dec 2026 08:12:40 +0100 (CET)\r\n"
    b"Last-Attempt-Date: Fri, 27 Nov 2026 12:30:00 +0100 (CET)\r\n"
    b"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: alice@example.com\r\nSubject: figures\r\n--B--\r\n")


def test_a_delivery_reports_reason_column_is_headed_by_who_said_it() -> None:
    own = headerscope.analyze(POSTFIX_DELAY, offline=True)
    for name in ("terminal", "markdown", "html"):
        text = _render(own, name)
        assert "emote server said" not in text, name
        assert "eporting server said" in text, name
        assert "Connection timed out" in text, name
        # What a support engineer asks of a delay: until when it is retried, and the last try.
        assert "Wed, 2 Dec 2026 08:12:40" in text, name
        assert "Fri, 27 Nov 2026 12:30:00" in text, name
    remote = POSTFIX_DELAY.replace(b"Status: 4.4.1\r\nDiagnostic-Code: X-Postfix; connect to mx.partner.example[192.0.2.1]:25:\r\n"
                                   b"    Connection timed out\r\n",
                                   b"Status: 4.2.2\r\nRemote-MTA: dns; mx.partner.example\r\n"
                                   b"Diagnostic-Code: smtp; 452 4.2.2 Mailbox full\r\n")
    assert remote != POSTFIX_DELAY
    theirs = headerscope.analyze(remote, offline=True)
    for name in ("terminal", "markdown", "html"):
        text = _render(theirs, name)
        assert "emote server said" in text and "eporting server said" not in text, name
        assert "mx.partner.example: 452 4.2.2 Mailbox full" in text, name
    # A long reply cut at the cell's limit keeps the dates after it (Gmail's groups.io refusal).
    long = remote.replace(b"Mailbox full", b"Mailbox full " + b"x" * 2000)
    assert "Fri, 27 Nov 2026 12:30:00" in _render(headerscope.analyze(long, offline=True), "markdown")
    # A Remote-MTA beside the reporting server's own diagnostic type is still its own words.
    postfix_own = POSTFIX_DELAY.replace(b"Status: 4.4.1\r\n", b"Status: 4.4.1\r\nRemote-MTA: dns; mx.partner.example\r\n")
    assert "eporting server said" in _render(headerscope.analyze(postfix_own, offline=True), "markdown")
    # Both kinds in one table: each cell says whose.
    both = remote.replace(b"Will-Retry-Until:", b"Will-Retry-Until:", 1).replace(
        b"--B\r\nContent-Type: text/rfc822-headers",
        b"\r\nFinal-Recipient: rfc822; carol@partner.example\r\nAction: delayed\r\nStatus: 4.4.1\r\n"
        b"Diagnostic-Code: X-Postfix; connect to mx2.partner.example[192.0.2.2]:25: Connection timed out\r\n"
        b"--B\r\nContent-Type: text/rfc822-headers")
    text = _render(headerscope.analyze(both, offline=True), "markdown")
    assert "| Server said |" in text
    assert "reporting server (mail.example.com): connect to mx2.partner.example" in text
    # Exim's reason from its text is the reporting server's, marked as read from the notice.
    text = _render(headerscope.analyze(KSUMMIT, offline=True), "markdown")
    assert "| Reporting server said |" in text and "No Such User Here (notice text)" in text


def test_a_bounce_of_spam_that_forged_the_address_is_said_to_be_likely_backscatter() -> None:
    # Both were read as "delivery to <the list> failed", as if the list's own mail had failed.
    [finding] = [f for f in headerscope.analyze(KSUMMIT, offline=True).findings if f.id == "dsn.backscatter"]
    assert finding.severity.value == "notice"
    assert finding.title == "Likely backscatter: the returned message only claims to be from ksummit@lists.linux.dev"
    assert "(113.133.226.15, without a reverse DNS name) said HELO lists.linux.dev" in finding.explanation
    assert "not a failure of lists.linux.dev's own mail" in finding.explanation
    assert "read from the returned copy, the bouncing server's text, not proved" in finding.explanation
    [explanation] = _findings(CYGWIN, "dsn.backscatter")
    assert "submitted with a login (esmtpsa) at server9.maghost.ro" in explanation
    assert "Reply-To sends answers elsewhere (krakengroups@proton.me)" in explanation
    # The same evidence in a bounce without a report part (Exim's text and returned header).
    unstructured = KSUMMIT.replace(KSUMMIT[KSUMMIT.index(b"Content-type: message/delivery-status"):
                                           KSUMMIT.index(b"--1664948916-eximdsn-1789472636\nContent-type: text/rfc822")], b"")
    assert _findings(unstructured, "dsn.backscatter")


def test_a_bounce_of_the_domains_own_mail_is_not_called_backscatter() -> None:
    copy_from = b"Received: from [134.209.241.153] (port=58265)\n\tby server9.maghost.ro with esmtpsa"
    # A signature of the From: domain's organisation counts only once it verifies (or the bouncing
    # side recorded dkim=pass for it): one the sender merely wrote ("d=cygwin.com; bh=x; b=y") is
    # no evidence (verification V58d D-5; these two cases read as the domain's own mail before).
    # tests/test_dsn_returned_copy.py::test_only_a_verified_signature_of_the_domain_removes_the_notice
    # holds the signature that verifies.
    for written in (b"DKIM-Signature: v=1; a=rsa-sha256;\n\td=cygwin.com; s=k; bh=x; b=y\n",
                    b"DKIM-Signature: v=1; d=mail.cygwin.com; s=k; bh=x; b=y\n"):
        assert _findings(CYGWIN.replace(b"Reply-To: \"Maersk", written + b"Reply-To: \"Maersk"), "dsn.backscatter")
    cases = {
        # Taken first by the domain's own server.
        "own server": CYGWIN.replace(b"by server9.maghost.ro with esmtpsa", b"by smtp.cygwin.com with esmtpsa"),
        # A webmail provider lets only verified addresses send as another domain.
        "webmail": CYGWIN.replace(b"by server9.maghost.ro with esmtpsa", b"by smtp.gmail.com with esmtpsa"),
        # The bounce goes to someone else than the address the copy claims.
        "other recipient": CYGWIN.replace(b"To: cygwin-patches@cygwin.com\nReferences", b"To: someone@other.example\n"
                                          b"References"),
        # No Received in the copy: no first hop to read.
        "no stamp": CYGWIN.replace(copy_from, b"X-Was: [134.209.241.153]\n\tby server9.maghost.ro with esmtpsa"),
        # A receiver named by its address only (Gmail's own "by 10.64.10.4 with HTTP", 2006).
        "ip receiver": CYGWIN.replace(b"by server9.maghost.ro with esmtpsa", b"by 10.64.10.4 with esmtpsa"),
        # A client of the domain itself, by its reverse DNS name, or a private one.
        "own client": KSUMMIT.replace(b"from [113.133.226.15] (port=59646 helo=lists.linux.dev)",
                                      b"from smtp.linux.dev ([113.133.226.15] helo=lists.linux.dev)"),
        "private client": KSUMMIT.replace(b"[113.133.226.15] (port=59646", b"[10.1.2.3] (port=59646"),
        # A HELO that does not claim the domain: nothing to say whose the client is.
        "other helo": KSUMMIT.replace(b"helo=lists.linux.dev)", b"helo=mail.example.net)"),
    }
    for name, raw in cases.items():
        assert raw not in (CYGWIN, KSUMMIT), name  # each case changes the bounce it starts from
        report = headerscope.analyze(raw, offline=True)
        assert any(f.id == "dsn.failed" for f in report.findings), name
        assert not [f for f in report.findings if f.id == "dsn.backscatter"], name
    # The repository's own bounce sample is a bounce of its sender's own mail.
    from conftest import SAMPLES

    sample = headerscope.analyze((SAMPLES / "bounce.eml").read_bytes(), offline=True)
    assert any(f.id == "dsn.failed" for f in sample.findings)
    assert not [f for f in sample.findings if f.id == "dsn.backscatter"]


# The sender's own mail, bounced by the relay it was submitted to when another domain's server
# refused it: each looked like backscatter (a login, or a HELO of the From: domain, at another
# organisation's server, no DKIM of the domain), V35b. IONOS: Laurent Vivier's qemu-devel patch
# (its returned header as published), submitted with a login at mrelayeu.kundenserver.de, bounced
# in Postfix's layout for mx1.redhat.com's refusal at RCPT TO (Remote-MTA, smtp 550 5.1.1).
IONOS_OWN_MAIL = (
    b'Return-Path: <>\n'
    b'Received: from mout.kundenserver.de by mrelayeu.kundenserver.de id 1MJnnX; Mon, 04 Oct 2021 10:31:10 +0200\n'
    b'From: Mail Delivery System <MAILER-DAEMON@kundenserver.de>\n'
    b'To: laurent@vivier.eu\n'
    b'Subject: Undelivered Mail Returned to Sender\n'
    b'Date: Mon, 04 Oct 2021 10:31:10 +0200\n'
    b'Auto-Submitted: auto-replied\n'
    b'MIME-Version: 1.0\n'
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="BB"\n'
    b'\n'
    b'--BB\n'
    b'Content-Type: text/plain; charset=us-ascii\n'
    b'\n'
    b'This is the mail system at host mout.kundenserver.de.\n'
    b'\n'
    b"I'm sorry to have to inform you that your message could not\n"
    b'be delivered to one or more recipients.\n'
    b'\n'
    b'<armbru@redhat.com>: host mx1.redhat.com[203.0.113.5] said: 550 5.1.1\n'
    b'    <armbru@redhat.com>: Recipient address rejected: User unknown (in reply to\n'
    b'    RCPT TO command)\n'
    b'\n'
    b'--BB\n'
    b'Content-Type: message/delivery-status\n'
    b'\n'
    b'Reporting-MTA: dns; mout.kundenserver.de\n'
    b'Arrival-Date: Mon, 04 Oct 2021 10:30:58 +0200\n'
    b'\n'
    b'Final-Recipient: rfc822; armbru@redhat.com\n'
    b'Action: failed\n'
    b'Status: 5.1.1\n'
    b'Remote-MTA: dns; mx1.redhat.com\n'
    b'Diagnostic-Code: smtp; 550 5.1.1 <armbru@redhat.com>: Recipient address rejected: User unknown\n'
    b'\n'
    b'--BB\n'
    b'Content-Type: text/rfc822-headers\n'
    b'\n'
    b'Return-Path: <laurent@vivier.eu>\n'
    b'Received: from quad ([82.142.3.114]) by mrelayeu.kundenserver.de (mreue012\n'
    b' [212.227.15.167]) with ESMTPSA (Nemesis) id 1MJnnV-1mDqY43stt-00K5xC; Mon, 04\n'
    b' Oct 2021 10:30:58 +0200\n'
    b'From: Laurent Vivier <laurent@vivier.eu>\n'
    b'To: qemu-devel@nongnu.org\n'
    b'Cc: armbru@redhat.com\n'
    b'Subject: [PULL 1/5] qemu-options: -chardev reconnect=seconds duplicated in\n'
    b' help, tidy up\n'
    b'Date: Mon,  4 Oct 2021 10:30:51 +0200\n'
    b'Message-Id: <20211004083055.3288583-2-laurent@vivier.eu>\n'
    b'X-Mailer: git-send-email 2.31.1\n'
    b'MIME-Version: 1.0\n'
    b'Content-Type: text/plain; charset=UTF-8\n'
    b'Content-Transfer-Encoding: 8bit\n'
    b'\n'
    b'--BB--\n'
)

# Amazon SES (its returned header as published): a message SES relayed for its customer expired
# unsent (4.4.7, RFC 3463 section 3.5: a routing/network status), no Remote-MTA.
SES_OWN_MAIL = (
    b'Return-Path: <>\n'
    b'From: MAILER-DAEMON@amazonses.com\n'
    b'To: admin@taiwan-sugar.net\n'
    b'Subject: Delivery Status Notification (Failure)\n'
    b'Date: Sun, 13 Feb 2022 18:26:20 +0000\n'
    b'MIME-Version: 1.0\n'
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="SES"\n'
    b'\n'
    b'--SES\n'
    b'Content-Type: text/plain; charset=UTF-8\n'
    b'\n'
    b'An error occurred while trying to deliver the mail to the following recipients:\n'
    b'Alex.yentz@msa.Hines.net\n'
    b'\n'
    b'--SES\n'
    b'Content-Type: message/delivery-status\n'
    b'\n'
    b'Reporting-MTA: dns; a27-35.smtp-out.us-west-2.amazonses.com\n'
    b'\n'
    b'Action: failed\n'
    b'Final-Recipient: rfc822; Alex.yentz@msa.Hines.net\n'
    b'Diagnostic-Code: smtp; 550 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.1 Failed to establish connection>\n'
    b'Status: 4.4.7\n'
    b'\n'
    b'--SES\n'
    b'Content-Type: text/rfc822-headers\n'
    b'\n'
    b'Received: from taiwan-sugar.net (li1891-114.members.linode.com [172.105.237.114]) by email-smtp.amazonaws.com with SMTP (SimpleEmailService-d-PPRK2UC3F) id R7k4w8ZK1XzQRkXgJ4Cr for Alex.yentz@msa.Hines.net; Sun, 13 Feb 2022 04:18:08 +0000 (UTC)\n'
    b'DKIM-Signature: v=1; a=rsa-sha256; q=dns/txt; c=relaxed/simple; s=7v7vs6w47njt4pimodk5mmttbegzsi6n; d=amazonses.com; t=1644725888; h=Message-ID:Date:Subject:From:To:MIME-Version:Content-Type:Feedback-ID; bh=AAAA; b=AAAA\n'
    b'Message-ID: <f90ca779c2f1a2305752b91c93c3fae5@taiwan-sugar.net>\n'
    b'Date: Sun, 13 Feb 2022 12:18:05 +0800\n'
    b'Subject: =?UTF-8?B?55So5oi26amX6K2J?=\n'
    b'From: =?UTF-8?B?5Y+w54Gj55Sc5b+D57ay?= <admin@taiwan-sugar.net>\n'
    b'To: Alex.yentz@msa.Hines.net\n'
    b'MIME-Version: 1.0\n'
    b'Content-Type: multipart/alternative; boundary="_=_swift_1644725885_b53a67ed263ddcb6f5267774bab8ad16_=_"\n'
    b'\n'
    b'--SES--\n'
)

# sisimai's set-of-emails/maildir/bsd/email-exim-30.eml: a user's own esmtpsa submission refused
# by the remote server, in Exim's bounce without a report part.
SISIMAI_EXIM30 = (
    b'X-Spam-Checker-Version: SpamAssassin 3.3.2 (2011-06-06) on nekochan.example.net\n'
    b'X-Spam-Level: \n'
    b'X-Spam-Status: No, score=-1.9 required=5.0 tests=BAYES_00,NO_RELAYS\n'
    b'\tautolearn=ham version=3.3.2\n'
    b'Received: from Debian-exim by nekochan.example.net with local (Exim 4.80)\n'
    b'\tid 1d18ZP-0000cF-9f\n'
    b'\tfor sironeko@example.de; Thu, 20 Apr 2017 11:40:11 +0200\n'
    b'X-Failed-Recipients: kijitora@exmaple.ch\n'
    b'Auto-Submitted: auto-replied\n'
    b'From: Mail Delivery System <Mailer-Daemon@mx1.example.net>\n'
    b'To: sironeko@example.de\n'
    b'Subject: Mail delivery failed: returning message to sender\n'
    b'Message-Id: <E1d18ZP-0000cF-9f@nekochan.example.net>\n'
    b'Date: Thu, 20 Apr 2017 11:40:11 +0200\n'
    b'\n'
    b'This message was created automatically by mail delivery software.\n'
    b'\n'
    b'A message that you sent could not be delivered to one or more of its\n'
    b'recipients. This is a permanent error. The following address(es) failed:\n'
    b'\n'
    b'  kijitora@exmaple.ch\n'
    b'    SMTP error from remote mail server after RCPT TO:<kijitora@exmaple.ch>:\n'
    b'    host mx1.example.eu [192.0.2.32]: 554 5.7.1 <kijitora@exmaple.ch>:\n'
    b'    Recipient address rejected: Access denied\n'
    b'\n'
    b'------ This is a copy of the message, including all the headers. ------\n'
    b'\n'
    b'Return-path: <sironeko@example.de>\n'
    b'Received: from a198-51-100-41.neko.example.de ([198.51.100.41] helo=[203.0.113.136])\n'
    b'\tby nekochan.example.net with esmtpsa (TLS1.2:DHE_RSA_AES_128_CBC_SHA1:128)\n'
    b'\t(Exim 4.80)\n'
    b'\t(envelope-from <sironeko@example.de>)\n'
    b'\tid 1d18ZN-0000br-Mp; Thu, 20 Apr 2017 11:40:09 +0200\n'
    b'To: kijitora@exmaple.ch\n'
    b'From: "White Cat" <sironeko@example.de>\n'
    b'Subject: Reject test\n'
    b'Message-ID: <22222222-2222-2222-2222-222222222222@example.de>\n'
    b'Date: Thu, 20 Apr 2017 11:40:03 +0200\n'
    b'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:45.0) Gecko/20100101\n'
    b' Thunderbird/45.8.0\n'
    b'MIME-Version: 1.0\n'
    b'Content-Type: text/plain; charset=utf-8\n'
    b'Content-Transfer-Encoding: 7bit\n'
    b'\n'
    b'Nyaan\n'
    b'\n'
)


def _ses_unsigned(raw: bytes) -> bytes:
    """The SES bounce with its returned copy's DKIM-Signature (d=amazonses.com) taken out."""
    start = raw.index(b"DKIM-Signature: ")
    return raw[:start] + raw[raw.index(b"\n", start) + 1:]


# Amazon SES's refusal of an address on its suppression list (verification V35b): SES sends nothing,
# so no remote server is named; its report says so in its own words, with Status 5.1.1 (the
# diagnostic as SES's bounce notifications write it: sesv2 docs, "OnAccountSuppressionList").
SES_SUPPRESSED = SES_OWN_MAIL.replace(
    b"Reporting-MTA: dns; a27-35.smtp-out.us-west-2.amazonses.com", b"Reporting-MTA: dns; amazonses.com").replace(
    b"Diagnostic-Code: smtp; 550 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.1 Failed to "
    b"establish connection>\nStatus: 4.4.7",
    b"Diagnostic-Code: smtp; Amazon SES did not send the message to this address because it is on the suppression "
    b"list for your account. For more information about removing addresses from the suppression list, see the "
    b"Amazon SES Developer Guide at https://docs.aws.amazon.com/ses/latest/DeveloperGuide/"
    b"sending-email-suppression-list.html\nStatus: 5.1.1")


def test_a_bounce_by_the_service_that_signed_the_returned_message_is_not_called_backscatter() -> None:
    # The reporting side (Reporting-MTA, else the bounce's From:) signed the returned copy (d= of its
    # organisation): it was sending the message out for its customer and refused it itself, as SES
    # does for an address on its suppression list. A receiver of forged mail signs nothing it takes in.
    assert SES_SUPPRESSED != SES_OWN_MAIL and b"Remote-MTA" not in SES_SUPPRESSED
    assert any(f.id == "dsn.failed" for f in headerscope.analyze(SES_SUPPRESSED, offline=True).findings)
    assert not _findings(SES_SUPPRESSED, "dsn.backscatter")
    # The same refusal of a copy the bouncing side did not sign reads as before.
    assert _findings(_ses_unsigned(SES_SUPPRESSED), "dsn.backscatter")
    # Another organisation's signature is no sign of the bouncing side's, nor is a d= that is no domain.
    for signer in (b"d=mailer.example", b"d=[192.0.2.1]", b"d=amazonses..com"):
        assert _findings(SES_SUPPRESSED.replace(b"d=amazonses.com", signer), "dsn.backscatter"), signer
    # Without a Reporting-MTA the bounce's own From: names the bouncing side.
    unreported = SES_SUPPRESSED.replace(b"Reporting-MTA: dns; amazonses.com\n", b"")
    assert not _findings(unreported, "dsn.backscatter")
    assert _findings(unreported.replace(b"From: MAILER-DAEMON@amazonses.com", b"From: MAILER-DAEMON@mx.other.example"),
                     "dsn.backscatter")


def test_a_bounce_of_the_senders_mail_its_relay_failed_to_deliver_onward_is_not_called_backscatter() -> None:
    for name, raw in (("ionos", IONOS_OWN_MAIL), ("ses", SES_OWN_MAIL), ("exim text", SISIMAI_EXIM30)):
        report = headerscope.analyze(raw, offline=True)
        assert any(f.id in ("dsn.failed", "dsn.unstructured") for f in report.findings), name
        assert not [f for f in report.findings if f.id == "dsn.backscatter"], name
    # The same returned copies when the bounce says nothing of a remote server or a route: the
    # reporting server's own refusal is what a receiver of forged mail writes, still backscatter.
    own_refusal = {
        "ionos, no Remote-MTA": IONOS_OWN_MAIL.replace(b"Remote-MTA: dns; mx1.redhat.com\n", b""),
        # (Without SES's own signature: a copy the bouncing side signed is its customer's, below.)
        "ses, not a routing status": _ses_unsigned(SES_OWN_MAIL).replace(b"Status: 4.4.7", b"Status: 5.0.0"),
        "exim text, a local refusal": SISIMAI_EXIM30.replace(
            b"    SMTP error from remote mail server after RCPT TO:<kijitora@exmaple.ch>:\n"
            b"    host mx1.example.eu [192.0.2.32]: 554 5.7.1 <kijitora@exmaple.ch>:\n"
            b"    Recipient address rejected: Access denied\n", b"    No Such User Here\n"),
    }
    for name, raw in own_refusal.items():
        assert raw not in (IONOS_OWN_MAIL, SES_OWN_MAIL, SISIMAI_EXIM30), name
        assert _findings(raw, "dsn.backscatter"), name
    # A delay is the relay still trying onward, whatever its status.
    delayed = _ses_unsigned(SES_OWN_MAIL).replace(b"Status: 4.4.7", b"Status: 4.0.0").replace(
        b"Action: failed", b"Action: delayed")
    assert any(f.id == "dsn.delayed" for f in headerscope.analyze(delayed, offline=True).findings)
    assert not _findings(delayed, "dsn.backscatter")
    assert _findings(delayed.replace(b"Action: delayed", b"Action: failed"), "dsn.backscatter")
    # Postfix's text without a report part names the remote server that refused ("host X[ip] said:").
    postfix_text = IONOS_OWN_MAIL.replace(IONOS_OWN_MAIL[IONOS_OWN_MAIL.index(b"--BB\nContent-Type: message/delivery-status"):
                                                         IONOS_OWN_MAIL.index(b"--BB\nContent-Type: text/rfc822-headers")], b"")
    assert any(f.id == "dsn.unstructured" for f in headerscope.analyze(postfix_text, offline=True).findings)
    assert not _findings(postfix_text, "dsn.backscatter")
    assert _findings(postfix_text.replace(b"host mx1.redhat.com[203.0.113.5] said: ", b""), "dsn.backscatter")
    # The returned message's own body is not the bounce's text: a forged message (a fake bounce
    # itself) cannot silence the notice by quoting a remote refusal.
    forged = SISIMAI_EXIM30.replace(
        b"    SMTP error from remote mail server after RCPT TO:<kijitora@exmaple.ch>:\n"
        b"    host mx1.example.eu [192.0.2.32]: 554 5.7.1 <kijitora@exmaple.ch>:\n"
        b"    Recipient address rejected: Access denied\n", b"    No Such User Here\n").replace(
        b"\nNyaan\n", b"\nSMTP error from remote mail server after RCPT TO:<x@y.example>:\n"
        b"host mx.y.example[192.0.2.1] said: 550 no\n")
    assert _findings(forged, "dsn.backscatter")


# Exim's layout for four failures (V35b): three it decided itself (each its reason in the text
# only, Status 5.0.0 all), one a remote reply; the report writes Carol@dest.example, the text
# carol@dest.example, as Exim does when the address was given in another case.
EXIM_MULTI = (
    b'Return-path: <>\n'
    b'Received: from mailnull by mx.host.example with local (Exim 4.98)\n'
    b'\tid 1tmjJg-0000\n'
    b'\tfor alice@sender.example; Tue, 25 Feb 2025 03:00:56 +0200\n'
    b'X-Failed-Recipients: jimbob@dest.example, bob@dest.example, Carol@dest.example, dave@remote.example\n'
    b'Auto-Submitted: auto-replied\n'
    b'From: Mail Delivery System <Mailer-Daemon@mx.host.example>\n'
    b'To: alice@sender.example\n'
    b'Content-Type: multipart/report; report-type=delivery-status; boundary=EXIM\n'
    b'MIME-Version: 1.0\n'
    b'Subject: Mail delivery failed: returning message to sender\n'
    b'Date: Tue, 25 Feb 2025 03:00:56 +0200\n'
    b'\n'
    b'--EXIM\n'
    b'Content-type: text/plain; charset=us-ascii\n'
    b'\n'
    b'This message was created automatically by mail delivery software.\n'
    b'\n'
    b'A message that you sent could not be delivered to one or more of its\n'
    b'recipients. This is a permanent error. The following address(es) failed:\n'
    b'\n'
    b'  jimbob@dest.example\n'
    b'    Unrouteable address\n'
    b'  bob@dest.example\n'
    b'    (generated from sales@dest.example)\n'
    b'    mailbox is full: retry timeout exceeded\n'
    b'  carol@dest.example\n'
    b'    No Such User Here\n'
    b'  dave@remote.example\n'
    b'    host mx.remote.example [192.0.2.9]\n'
    b'    SMTP error from remote mail server after RCPT TO:<dave@remote.example>:\n'
    b'    550 5.1.1 User unknown\n'
    b'\n'
    b'--EXIM\n'
    b'Content-type: message/delivery-status\n'
    b'\n'
    b'Reporting-MTA: dns; mx.host.example\n'
    b'\n'
    b'Action: failed\n'
    b'Final-Recipient: rfc822;jimbob@dest.example\n'
    b'Status: 5.0.0\n'
    b'\n'
    b'Action: failed\n'
    b'Final-Recipient: rfc822;bob@dest.example\n'
    b'Status: 5.0.0\n'
    b'\n'
    b'Action: failed\n'
    b'Final-Recipient: rfc822;Carol@dest.example\n'
    b'Status: 5.0.0\n'
    b'\n'
    b'Action: failed\n'
    b'Final-Recipient: rfc822;dave@remote.example\n'
    b'Status: 5.0.0\n'
    b'Remote-MTA: dns; mx.remote.example\n'
    b'Diagnostic-Code: smtp; 550 5.1.1 User unknown\n'
    b'\n'
    b'--EXIM\n'
    b'Content-type: text/rfc822-headers\n'
    b'\n'
    b'Return-path: <alice@sender.example>\n'
    b'Received: from alice by mx.host.example with local (Exim 4.98)\n'
    b'\tid 1tmjJf-0000; Tue, 25 Feb 2025 03:00:55 +0200\n'
    b'From: Alice <alice@sender.example>\n'
    b'To: jimbob@dest.example, bob@dest.example, carol@dest.example, dave@remote.example\n'
    b'Subject: hi\n'
    b'\n'
    b'--EXIM--\n'
)


def test_one_recipients_reason_is_not_said_for_all_when_each_has_its_own() -> None:
    # Was "(5.0.0: “Unrouteable address”)", jimbob's reason said of all four.
    assert _title(EXIM_MULTI, "dsn.failed") == ("Bounce: delivery to jimbob@dest.example, bob@dest.example, "
                                                "Carol@dest.example and 1 more failed (5.0.0, each its own reason)")
    # The reasons that differ only by each recipient's own address are one reason.
    same = (b"Status: 5.1.1\nRemote-MTA: dns; mx.dest.example\nDiagnostic-Code: smtp; 550 5.1.1 <%s>: Recipient address "
            b"rejected: User unknown\n")
    one_reason = EXIM_MULTI
    for address in (b"jimbob@dest.example", b"bob@dest.example", b"Carol@dest.example", b"dave@remote.example"):
        one_reason = one_reason.replace(b"Final-Recipient: rfc822;%s\nStatus: 5.0.0\n" % address,
                                        b"Final-Recipient: rfc822;%s\n" % address + same % address)
    one_reason = one_reason.replace(b"Remote-MTA: dns; mx.remote.example\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n", b"")
    assert one_reason.count(b"Recipient address rejected") == 4
    assert _title(one_reason, "dsn.failed").endswith(
        "and 1 more failed (5.1.1: “<jimbob@dest.example>: Recipient address rejected: User unknown”)")
    # A recipient without a reason beside one with a reason: the words are not the other's either.
    carol_silent = EXIM_MULTI.replace(b"  carol@dest.example\n    No Such User Here\n", b"")
    for address in (b"bob", b"dave@remote.example\nStatus: 5.0.0\nRemote-MTA"):
        carol_silent = carol_silent.replace(b"Action: failed\nFinal-Recipient: rfc822;" + address, b"Action: delivered\n"
                                            b"Final-Recipient: rfc822;" + address)
    assert carol_silent.count(b"Action: failed") == 2
    assert _title(carol_silent, "dsn.failed").endswith("example, Carol@dest.example failed (5.0.0, each its own reason)")
    assert _title(carol_silent.replace(b"  jimbob@dest.example\n    Unrouteable address\n", b""), "dsn.failed") \
        .endswith("example, Carol@dest.example failed (5.0.0: permanent failure: other or undefined status)")


def test_a_recipients_reason_is_found_under_its_address_in_another_case() -> None:
    # Carol's reason was not found: the report writes Carol@, the text carol@.
    reasons = {r.final_recipient: r.text_reason for r in delivery_report(parse_message(EXIM_MULTI)).recipients}
    assert reasons == {"jimbob@dest.example": "Unrouteable address",
                       "bob@dest.example": "mailbox is full: retry timeout exceeded",
                       "Carol@dest.example": "No Such User Here", "dave@remote.example": None}
    # The address as written is taken before one in another case.
    both = EXIM_MULTI.replace(b"  dave@remote.example\n", b"  Carol@dest.example\n    Mailbox disabled\n"
                              b"  dave@remote.example\n")
    [carol] = [r for r in delivery_report(parse_message(both)).recipients if r.final_recipient == "Carol@dest.example"]
    assert carol.text_reason == "Mailbox disabled"


def test_the_terminal_keeps_a_delivery_reports_dates_after_a_long_reply() -> None:
    # A long reply cut at the cell's limit took "last attempt ..." with it (V35b; markdown b767972).
    long = POSTFIX_DELAY.replace(b"Connection timed out", b"Connection timed out " + b"x" * 2000)
    text = _render(headerscope.analyze(long, offline=True), "terminal")
    assert "xxx…" in text and "(last attempt Fri, 27 Nov 2026 12:30:00 +0100 (CET))" in text
    # The longest meaning (a class-only Status with the remote code's meaning beside it) and a
    # long retry date: the date stays whole after the meaning.
    retry = b"Wed, 2 Dec 2026 08:12:40 +0100 (Central European Standard Time, as the queue's clock reads it)"
    meaning = POSTFIX_DELAY.replace(b"Status: 4.4.1", b"Status: 4.0.0").replace(
        b"Connection timed out", b"Connection timed out 4.1.10").replace(b"Wed, 2 Dec 2026 08:12:40 +0100 (CET)", retry)
    # Wide enough for both long cells on one line each.
    text = get_renderer("terminal", color=False, width=2000).render(headerscope.analyze(meaning, offline=True))
    assert "the remote server's code 4.1.10; the report's Status is 4.0.0)" in text
    assert f"(will retry until {retry.decode()})" in text


def test_a_forwarding_aliass_bounce_of_forged_mail_is_still_backscatter() -> None:
    # The ksummit bounce as it reads when the address was an alias siteground forwarded to Gmail,
    # which refused it (Exim's "(generated from ...)" under the address it expanded to, and the
    # remote reply): the onward failure is the alias's forward, not the sender's own relay
    # (verification V36: the notice went silent).
    forwarded = (KSUMMIT
                 .replace(b"  kevin@salonbasinger.com\n    No Such User Here\n",
                          b"  kevin.basinger@gmail.com\n    (generated from kevin@salonbasinger.com)\n"
                          b"    host gmail-smtp-in.l.google.com [142.250.27.26]\n"
                          b"    SMTP error from remote mail server after end of data:\n"
                          b"    550 5.7.26 Unauthenticated email from lists.linux.dev is not accepted due to domain's "
                          b"DMARC policy. - gsmtp\n")
                 .replace(b"Final-Recipient: rfc822;kevin@salonbasinger.com\nStatus: 5.0.0\n",
                          b"Final-Recipient: rfc822;kevin.basinger@gmail.com\nStatus: 5.0.0\n"
                          b"Remote-MTA: dns; gmail-smtp-in.l.google.com\n"
                          b"Diagnostic-Code: smtp; 550 5.7.26 Unauthenticated email from lists.linux.dev is not "
                          b"accepted due to domain's DMARC policy. - gsmtp\n"))
    assert forwarded != KSUMMIT and b"Remote-MTA" in forwarded
    assert _findings(forwarded, "dsn.backscatter")
    # Without the alias note, the same remote refusal reads as the sender's relay failing onward.
    relayed = forwarded.replace(b"    (generated from kevin@salonbasinger.com)\n", b"")
    assert not _findings(relayed, "dsn.backscatter")
    # Exim's wording after several levels of aliases (cPanel's and extendcp's bounces).
    assert _findings(forwarded.replace(b"(generated from", b"(ultimately generated from"), "dsn.backscatter")
    # A login submission's own mail, forwarded by the alias and refused, is the sender's (V37): the
    # CYGWIN copy (esmtpsa at server9.maghost.ro) with the same alias note and remote refusal.
    own = (CYGWIN.replace(b"Final-Recipient: rfc822;cygwin-patches@cygwin.com\n",
                          b"Final-Recipient: rfc822;cygwin-patches@cygwin.com\nRemote-MTA: dns; gmail-smtp-in.l.google.com\n"
                          b"Diagnostic-Code: smtp; 550 5.7.26 Unauthenticated email is not accepted. - gsmtp\n")
           .replace(b"  cygwin-patches@cygwin.com\n", b"  cygwin-patches@cygwin.com\n    (generated from alias@example.net)\n"))
    assert own != CYGWIN and b"generated from alias" in own
    assert not _findings(own, "dsn.backscatter")
