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
