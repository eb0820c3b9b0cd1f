"""Mailing lists marked the pre-RFC 2369 way (X-Mailing-List, ECARTIS' fields, majordomo's
owner-LIST Sender: and Errors-To:, a list host's trace): read as a list's copy, which explains a
member's address in the envelope alone and an earlier delivery to the list, and vouches for
nothing. The messages are built on the list managers' real field formats."""

from __future__ import annotations

import headerscope
from headerscope.lists import read_list
from headerscope.message import parse_message
from headerscope.model import Report

# vger.kernel.org in 2004: zmailer's list expansion stamps, the member in an ORCPT comment,
# majordomo's Sender: and the list's X-Mailing-List (no List-Id, no List-Post).
VGER = (
    "Return-Path: <linux-kernel-owner+willy=40w.example.org-S262695AbUKEOIz@vger.kernel.org>\r\n"
    "Received: (majordomo@vger.kernel.org) by vger.kernel.org via listexpand\r\n"
    "\tid S262695AbUKEOIz (ORCPT <rfc822;willy@w.example.org>);\r\n"
    "\tFri, 5 Nov 2004 09:08:55 -0500\r\n"
    "Received: (majordomo@vger.kernel.org) by vger.kernel.org id S262697AbUKEOIz\r\n"
    "\t(ORCPT <rfc822;linux-kernel-outgoing>);\r\n"
    "\tFri, 5 Nov 2004 09:08:55 -0500\r\n"
    "Received: from rproxy.example.com ([192.0.2.203]:61164 \"EHLO rproxy.example.com\")\r\n"
    "\tby vger.kernel.org with ESMTP id S262695AbUKEOIx (ORCPT\r\n"
    "\t<rfc822;linux-kernel@vger.kernel.org>);\r\n"
    "\tFri, 5 Nov 2004 09:08:53 -0500\r\n"
    "Message-ID: <58cb370e041105060837f6c555@mail.example.com>\r\n"
    "Date: Fri, 5 Nov 2004 15:08:53 +0100\r\n"
    "From: Bart Z <bart@example.com>\r\n"
    "To: Jens A <jens@suse.example>\r\n"
    "Subject: Re: [PATCH] ide-scsi: DMA alignment bug fixed\r\n"
    "Cc: linux-kernel@vger.kernel.org\r\n"
    "Sender: linux-kernel-owner@vger.kernel.org\r\n"
    "X-Mailing-List: linux-kernel@vger.kernel.org\r\n"
    "\r\nbody\r\n")

# ECARTIS in 2002: its own Received, X-list, X-ecartis-version, Sender/Errors-to LIST-bounce@ and
# Precedence: bulk.
ECARTIS = (
    "Received: with ECARTIS (v1.0.0; list linux-mips); Tue, 26 Nov 2002 03:16:30 +0100 (MET)\r\n"
    "Received: from f169.law9.example.com ([192.0.2.169]:5380 \"EHLO example.com\")\r\n"
    "\tby ralf.linux-mips.org with ESMTP id <S868817AbSKZCQT>;\r\n"
    "\tTue, 26 Nov 2002 03:16:19 +0100\r\n"
    "From: henaldo@example.com\r\n"
    "To: jeff@coventive.example\r\n"
    "Cc: linux-mips@linux-mips.org\r\n"
    "Subject: RE: Problem about porting mips kernel\r\n"
    "Date: Tue, 26 Nov 2002 02:16:02 +0000\r\n"
    "Message-ID: <F169TgbLY@example.com>\r\n"
    "Return-Path: <henaldo@example.com>\r\n"
    "X-archive-position: 721\r\n"
    "X-ecartis-version: Ecartis v1.0.0\r\n"
    "Sender: linux-mips-bounce@linux-mips.org\r\n"
    "Errors-to: linux-mips-bounce@linux-mips.org\r\n"
    "Precedence: bulk\r\n"
    "X-list: linux-mips\r\n"
    "\r\nbody\r\n")


def majordomo(extra: str = "", sender: str = "owner-mhonarc-users@mhonarc.example",
              to: str = "mhonarc-users@mhonarc.example", pickup: str = "majordomo") -> str:
    """A majordomo list's copy delivered by qmail: the list host's X-Envelope-To (its delivery to
    the list) below the receiver's Received, majordomo's resend as a local pickup."""
    return (
        f"Return-Path: <{sender}>\r\n"
        "Delivered-To: ach@xray.example.de\r\n"
        "Received: from lorien.mallorn.example (lorien.mallorn.example [198.51.100.30])\r\n"
        "\tby mx.xray.example.de (8.8.6/8.8.6) with ESMTP id PAA07075\r\n"
        "\tfor <ach@xray.example.de>; Mon, 16 Dec 2002 15:31:34 +0100 (MET)\r\n"
        f"Received: (from {pickup}@localhost)\r\n"
        "\tby lorien.mallorn.example (8.11.6/8.11.6) id gBGE8lW08971;\r\n"
        "\tMon, 16 Dec 2002 08:08:47 -0600\r\n"
        "X-Envelope-From: shin@stained.example\r\n"
        f"X-Envelope-To: <{to}>\r\n"
        "Received: from st26.arena.example (st26.arena.example [203.0.113.2])\r\n"
        "\tby lorien.mallorn.example (8.11.6/8.11.6) with ESMTP id gBGE8ia08961\r\n"
        f"\tfor <{to}>; Mon, 16 Dec 2002 08:08:44 -0600\r\n"
        "Date: Mon, 16 Dec 2002 23:07:49 +0900\r\n"
        "Message-ID: <87pts29hvu.wl@stained.example>\r\n"
        "From: Shin H <shin@stained.example>\r\n"
        f"To: {to}\r\n"
        "Subject: MIME text/plain attach\r\n"
        f"{extra}"
        f"Sender: {sender}\r\n"
        "\r\nbody\r\n")


def analyze(text: str) -> Report:
    return headerscope.analyze(text.encode(), offline=True)


def finding(report: Report, finding_id: str) -> list[tuple[str, str]]:
    return [(f.severity.value, f.explanation) for f in report.findings if f.id == finding_id]


def test_vger_copy_is_a_list_copy_and_its_member_came_through_the_list() -> None:
    report = analyze(VGER)
    assert report.bulk is not None and report.bulk.kind == "mailing_list"
    assert report.bulk.list_name == "linux-kernel@vger.kernel.org"
    assert report.bulk.list_markers[0] == "X-Mailing-List: linux-kernel@vger.kernel.org"
    forwarded = [d for d in report.envelope.differences if d.envelope_value == "willy@w.example.org"]
    assert len(forwarded) == 1
    assert forwarded[0].header_value == "linux-kernel@vger.kernel.org"
    assert "came through that list" in forwarded[0].explanation
    assert "alias or forwarding rule" not in forwarded[0].explanation
    # No List-Id: only the pre-RFC 2369 marks, which the sender writes, say so (a spoof can carry them).
    assert "came through that list (by its list marks, which the sender writes), which resent it" \
        in forwarded[0].explanation


def test_ecartis_copy_is_no_bulk_senders_mail() -> None:
    report = analyze(ECARTIS)
    assert report.bulk is not None and report.bulk.kind == "mailing_list"
    assert report.bulk.list_name == "linux-mips@linux-mips.org"
    assert any(m.startswith("Received: with ECARTIS (v1.0.0; list linux-mips") for m in report.bulk.list_markers)
    # The Gmail/Yahoo bulk-sender notice is for a sender's own bulk mail, not a discussion list's copy.
    assert not finding(report, "bulk.no_unsubscribe")


def test_majordomo_owner_sender_and_errors_to_with_the_list_addressed() -> None:
    # 1993: sendmail's owner-LIST alias convention in Sender: and Errors-To:, the list in To:.
    text = ("Received: from acl.example.gov by cunixf.cc.columbia.example (5.59/FCB/jba)\r\n"
            "\tid AA14613; Wed, 16 Jun 93 12:36:51 EDT\r\n"
            "Message-Id: <9306161601.AA10568@kodiak.acl.example.gov>\r\n"
            "Errors-To: owner-amd-workers@acl.example.gov\r\n"
            "From: jgd@acl.example.gov (Jerry D)\r\n"
            "Sender: <owner-amd-workers@acl.example.gov>\r\n"
            "Subject: Perl script to front-end ls for amd\r\n"
            "To: amd-workers@acl.example.gov\r\n"
            "Date: Wed, 16 Jun 93 10:01:46 -0600\r\n\r\nbody\r\n")
    report = analyze(text)
    assert report.bulk is not None and report.bulk.kind == "mailing_list"
    assert report.bulk.list_name == "amd-workers@acl.example.gov"


def test_one_owner_address_alone_is_no_list() -> None:
    # A Sender: of list shape with nothing else (the list not addressed, no list field) is one
    # weak mark; Sender: and Errors-To: naming one address count once.
    text = ("From: Ann <ann@example.com>\r\nTo: bob@example.net\r\nSubject: hi\r\n"
            "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
            "Sender: news-bounce@example.com\r\nErrors-To: news-bounce@example.com\r\n\r\nbody\r\n")
    assert read_list(parse_message(text.encode())) is None
    assert analyze(text).bulk is None


def test_x_loop_and_x_list_together_make_a_list_one_alone_does_not() -> None:
    base = "From: a@example.com\r\nTo: b@example.net\r\nSubject: s\r\n"
    assert read_list(parse_message((base + "X-Loop: a@example.com\r\n\r\n").encode())) is None  # procmail's
    found = read_list(parse_message((base + "X-Loop: talk@lists.example.org\r\nX-List: talk\r\n\r\n").encode()))
    assert found is not None and found.name == "talk@lists.example.org"


def test_ezmlm_mailing_list_help_address_names_the_list() -> None:
    text = ("From: a@example.com\r\nTo: b@example.net\r\nSubject: s\r\n"
            "Mailing-List: contact oss-security-help@lists.openwall.example; run by ezmlm\r\n\r\n")
    found = read_list(parse_message(text.encode()))
    assert found is not None and found.addresses == ("oss-security@lists.openwall.example",)


def test_majordomo_list_intake_without_dkim_is_told_as_the_list_not_a_replay() -> None:
    report = analyze(majordomo())
    [(severity, explanation)] = finding(report, "envelope.earlier_delivery")
    assert severity == "info"
    assert "mailing list's copy (mhonarc-users@mhonarc.example" in explanation
    assert "DKIM replay" not in explanation and "reuses a genuinely signed" not in explanation
    forwarded = [d for d in report.envelope.differences if d.envelope_value == "ach@xray.example.de"]
    assert forwarded and "came through that list" in forwarded[0].explanation


def test_old_list_marks_on_a_dkim_signed_message_keep_the_replay_notice() -> None:
    # The marks are the sender's text: with a signature a replay could reuse, the notice stays.
    signature = ("DKIM-Signature: v=1; a=rsa-sha256; d=stained.example; s=s1; h=from:to:subject:date;\r\n"
                 "\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n")
    report = analyze(majordomo(extra=signature))
    [(severity, explanation)] = finding(report, "envelope.earlier_delivery")
    assert severity == "notice"
    assert "mailing list's copy" in explanation and "replay" in explanation


def test_earlier_delivery_without_list_or_dkim_drops_the_dkim_replay_clause() -> None:
    # No list mark at all (an ordinary Sender:): still a notice, but no talk of a DKIM replay.
    report = analyze(majordomo(sender="shin@stained.example", to="friend@elsewhere.example", pickup="shin"))
    [(severity, explanation)] = finding(report, "envelope.earlier_delivery")
    assert severity == "notice"
    assert "DKIM replay reuses" not in explanation and "no DKIM signature" in explanation


def test_old_list_marks_do_not_soften_the_reply_to_notice() -> None:
    # Reply-To the list's own address is a List-Id list's setting; old marks, the sender's text,
    # do not hide the notice.
    report = analyze(majordomo(extra="Reply-To: mhonarc-users@mhonarc.example\r\n"))
    assert finding(report, "envelope.reply_to_other_domain")


# L-Soft LISTSERV's copy of a SOAP list post, verbatim from Mail::ListDetector's test data (2001):
# its "(LISTSERV-TCP/IP release 1.8d)" stamp for the list, the list as Sender: and Reply-To:, the
# owner-LIST envelope sender in the mbox 'From ' line only. Verification V30c found it read as
# "forwarded or redirected" and its Reply-To to the list flagged.
LISTSERV_SOAP = (
    "From owner-soap@DISCUSS.DEVELOP.COM Wed Nov 28 14:18:07 2001\n"
    "Received: from [63.111.243.6] (helo=la-infoserver.develop.com) by ns0 with\n"
    "    smtp (Exim 3.33 #1) id 16958E-0002Uy-00 for acme@astray.com;\n"
    "    Wed, 28 Nov 2001 13:52:10 +0000\n"
    "Received: from listserv3 ([63.111.243.44]) by la-infoserver.develop.com\n"
    "    with Microsoft SMTPSVC(5.0.2195.2966); Wed, 28 Nov 2001 02:09:36 -0800\n"
    "Received: from DISCUSS.DEVELOP.COM by DISCUSS.DEVELOP.COM (LISTSERV-TCP/IP\n"
    "    release 1.8d) with spool id 897536 for SOAP@DISCUSS.DEVELOP.COM;\n"
    "    Wed, 28 Nov 2001 02:09:36 -0800\n"
    "Received: from 194.213.203.154 by DISCUSS.DEVELOP.COM (SMTPL release 1.0d)\n"
    "    with TCP; Wed, 28 Nov 2001 01:39:35 -0800\n"
    "Received: (qmail 16376 invoked by uid 0); 28 Nov 2001 10:39:34 +0100\n"
    "Received: from big.in.idoox.com (HELO BIG) (10.0.0.71) by\n"
    "    bimbo.in.idoox.com with SMTP; 28 Nov 2001 10:39:34 +0100\n"
    "References: <007001c1784c$eb8d5400$151010ac@visic21>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain\n"
    "X-Priority: 3\n"
    "X-Msmail-Priority: Normal\n"
    "X-Mailer: Microsoft Outlook Express 5.50.4807.1700\n"
    "X-Mimeole: Produced By Microsoft MimeOLE V5.50.4807.1700\n"
    "X-Virus-Scanned: by AMaViS\n"
    "Message-Id: <00e501c177f0$965eb4d0$4700000a@in.idoox.com>\n"
    "Date: Wed, 28 Nov 2001 10:39:33 +0100\n"
    "Reply-To: SOAP <SOAP@DISCUSS.DEVELOP.COM>\n"
    "Sender: SOAP <SOAP@DISCUSS.DEVELOP.COM>\n"
    "From: Jan Alexander <alex@SYSTINET.COM>\n"
    "Subject: Re: Authenticating Example Messages\n"
    "To: SOAP@DISCUSS.DEVELOP.COM\n"
    "X-Originalarrivaltime: 28 Nov 2001 10:09:36.0701 (UTC) FILETIME=[C8C2A6D0:\n"
    "    01C177F4]\n"
    "\n"
    "Example Message\n"
)


def test_listserv_copy_is_a_list_copy_its_member_came_through_the_list() -> None:
    report = analyze(LISTSERV_SOAP)
    assert report.bulk is not None and report.bulk.kind == "mailing_list"
    assert report.bulk.list_name == "soap@discuss.develop.com"
    assert report.bulk.list_markers == ("Received: by DISCUSS.DEVELOP.COM (LISTSERV-TCP/IP release 1.8d) with spool id "
                                        "897536 for SOAP@DISCUSS.DEVELOP.COM",)
    [member] = [d for d in report.envelope.differences if d.envelope_value == "acme@astray.com"]
    assert member.kind == "list" and member.header_value == "SOAP@DISCUSS.DEVELOP.COM"
    assert "came through that list (by its list marks, which the sender writes)" in member.explanation
    assert "forwarded or redirected" not in member.explanation
    # Sender: and Reply-To: are the list's own address, but the marks are the sender's text (a
    # spoofer's owner-PAY@ Return-Path and Sender: PAY silenced the notice, verification V33): kept.
    assert finding(report, "envelope.reply_to_other_domain")


def listserv(sender: str = "History discussion list <HIST-L@LISTSERV.EXAMPLE.EDU>",
             return_path: str = "owner-hist-l@LISTSERV.EXAMPLE.EDU", stamp: bool = True,
             reply_to: str = "Alice Martin <alice@example.org>", to: str = "HIST-L@LISTSERV.EXAMPLE.EDU") -> str:
    """A LISTSERV list's copy (verification V30c's listserv.eml, built on LISTSERV's real fields):
    owner-LIST Return-Path, its stamp, the list as Sender: and To:."""
    return (
        f"Return-Path: <{return_path}>\r\n"
        "Delivered-To: bob@company.example\r\n"
        "Received: from listserv.example.edu (listserv.example.edu [192.0.2.77])\r\n"
        "\tby mx.company.example (Postfix) with ESMTP id 4dKpZ95Jx1z4wQm\r\n"
        "\tfor <bob@company.example>; Thu, 26 Nov 2026 14:03:14 +0100 (CET)\r\n"
        + ("Received: from LISTSERV.EXAMPLE.EDU by LISTSERV.EXAMPLE.EDU (LISTSERV-TCP/IP\r\n"
           "          release 16.5) with spool id 1234567 for HIST-L@LISTSERV.EXAMPLE.EDU;\r\n"
           "          Thu, 26 Nov 2026 08:03:10 -0500\r\n" if stamp else "")
        + "Received: from mail.example.org (mail.example.org [198.51.100.4]) by\r\n"
        "          listserv.example.edu (8.14.4/8.14.4) with ESMTP id 0AQD39aB012345 for\r\n"
        "          <HIST-L@LISTSERV.EXAMPLE.EDU>; Thu, 26 Nov 2026 08:03:09 -0500\r\n"
        "Message-ID: <5FBF8A1D.2080805@example.org>\r\n"
        "Date: Thu, 26 Nov 2026 14:03:05 +0100\r\n"
        f"Reply-To: {reply_to}\r\n"
        f"Sender: {sender}\r\n"
        "From: Alice Martin <alice@example.org>\r\n"
        "Subject: Sources on the 1848 revolutions\r\n"
        f"To: {to}\r\n"
        "\r\nHi all\r\n")


def test_listserv_owner_return_path_and_the_list_as_sender_make_a_list_copy() -> None:
    for stamp in (True, False):
        report = analyze(listserv(stamp=stamp))
        assert report.bulk is not None and report.bulk.kind == "mailing_list", stamp
        assert report.bulk.list_name == "hist-l@listserv.example.edu"
        assert "Return-Path: owner-hist-l@listserv.example.edu" in report.bulk.list_markers
        assert "Sender: hist-l@listserv.example.edu (the list of that owner address)" in report.bulk.list_markers
        [member] = [d for d in report.envelope.differences if d.envelope_value == "bob@company.example"]
        assert member.kind == "list" and "came through that list" in member.explanation, stamp
    # The owner Return-Path and the list as Sender: are two marks without the list in To:.
    report = analyze(listserv(stamp=False, to="Alice's readers <readers@example.org>"))
    assert report.bulk is not None and report.bulk.list_name == "hist-l@listserv.example.edu"


def test_an_owner_return_path_alone_or_a_stamp_for_another_host_makes_no_list() -> None:
    # One owner address (Return-Path) and nothing else: one weak mark, as for Sender:/Errors-To:.
    text = listserv(stamp=False, sender="Alice Martin <alice@example.org>", to="bob@company.example")
    assert read_list(parse_message(text.encode())) is None
    # A LISTSERV stamp "for" an address at another host is no distribution to a list's members.
    text = listserv(sender="Alice Martin <alice@example.org>", return_path="alice@example.org",
                    to="bob@company.example").replace("for HIST-L@LISTSERV.EXAMPLE.EDU;", "for bob@company.example;")
    assert read_list(parse_message(text.encode())) is None


def test_a_reply_to_the_list_named_only_by_old_style_marks_keeps_its_notice() -> None:
    # LISTSERV's Reply-To: LIST beside Sender: LIST, with its marks: the marks are the sender's text,
    # which a spoofer writes too (verification V33), so the notice stays.
    report = analyze(listserv(reply_to="HIST-L@LISTSERV.EXAMPLE.EDU"))
    assert finding(report, "envelope.reply_to_other_domain")
    # The same Sender: and Reply-To without any list mark (no stamp, no owner address): a notice.
    report = analyze(listserv(reply_to="HIST-L@LISTSERV.EXAMPLE.EDU", stamp=False, return_path="alice@example.org"))
    assert report.bulk is None and finding(report, "envelope.reply_to_other_domain")
    # Marks naming one list, Sender: and Reply-To another address: a notice.
    report = analyze(listserv(reply_to="collect@elsewhere.example", sender="collect@elsewhere.example"))
    assert finding(report, "envelope.reply_to_other_domain")
