"""Mail received before SPF, DKIM or DMARC existed is not judged by them (headerscope/era.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from headerscope.api import analyze
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report

NOW = datetime(2026, 11, 29, tzinfo=timezone.utc)

# A 1993 list message as SunOS sendmail and IDA sendmail stamped it: the list host relayed it to
# the receiver, whose own stamp (the top one) is the delivery's.
LIST_1993 = (
    "Return-Path: <owner-amd-workers@lists.example.org>\r\n"
    "Received: from relay.example.org (relay.example.org [192.0.2.7]) by mail.example.net (8.6.4/8.6.4)"
    " with SMTP id AA01234; Wed, 16 Jun 1993 14:02:11 -0400\r\n"
    "Received: from host.example.com by relay.example.org (4.1/SMI-4.1) id AA05678;"
    " Wed, 16 Jun 93 11:01:50 MDT\r\n"
    "Date: Wed, 16 Jun 93 11:01:02 MDT\r\n"
    "From: Jerry DeLapp <jgd@example.com>\r\n"
    "To: amd-workers@lists.example.org\r\n"
    "Subject: Perl script to front-end ls\r\n"
    "Message-Id: <9306161701.AA05678@host.example.com>\r\n"
    "\r\n"
    "Here it is.\r\n"
)

# Today's DNS for those names: a strict SPF record that does not name the 1993 relay, and a
# reject policy for the From: domain. Neither says anything of a message of 1993.
TODAY = {
    "lists.example.org": {"TXT": [["v=spf1 ip4:198.51.100.0/24 -all"]]},
    "relay.example.org": {"TXT": [["v=spf1 -all"]]},
    "_dmarc.example.com": {"TXT": [["v=DMARC1; p=reject"]]},
}


def _run(raw: str, **options: Any) -> Report:
    return analyze(raw.encode(), now=NOW, **options)


def _ids(report: Report) -> set[str]:
    return {f.id for f in report.findings}


def test_mail_of_1993_is_not_judged_by_spf_and_dmarc_offline() -> None:
    report = _run(LIST_1993, offline=True)
    assert report.verdict.status == "not_checked"
    assert report.verdict.summary.startswith(
        "Predates SPF, DKIM and DMARC: received 1993-06-16 (hop 2's Received stamp, written by the receiving "
        "side's mail.example.net), before any of them existed, so nothing could authenticate example.com")
    # The line says what it rests on: a stamp a made-up file can carry.
    assert "This rests on that stamp's date, which an altered or made-up file can set." in report.verdict.summary
    # No "DMARC cannot pass, whatever DNS says", no "offline" as the reason, no --client-ip to give.
    assert "dmarc.nothing_aligned" not in _ids(report)
    assert "offline" not in report.verdict.summary
    assert report.spf is not None and report.spf.explanation.startswith(
        "not applicable: received 1993-06-16 (hop 2's Received stamp, written by the receiving side's "
        "mail.example.net), before SPF existed")
    assert report.dmarc is not None and report.dmarc.result == "not_checked"
    assert report.dmarc.explanation.startswith("not applicable: received 1993-06-16")
    assert "hops.predates_authentication" in _ids(report)


def test_mail_of_1993_is_not_evaluated_against_todays_dns() -> None:
    report = _run(LIST_1993, resolver=SnapshotResolver(TODAY))
    # Today's records would fail SPF and reject for DMARC; neither is asked.
    assert report.verdict.status == "not_checked" and report.verdict.summary.startswith("Predates SPF")
    assert report.spf is not None and report.spf.result == "not_checked"
    assert report.dmarc is not None and report.dmarc.result == "not_checked"
    asked = {use.name for use in report.dns if use.rdtype == "TXT"}
    assert not asked & {"lists.example.org", "relay.example.org", "_dmarc.example.com"}
    assert not _ids(report) & {"spf.fail", "dmarc.fail", "dmarc.nothing_aligned"}
    # SPF inputs given on the command line are evaluated as asked; DMARC still is not.
    given = _run(LIST_1993, resolver=SnapshotResolver(TODAY), client_ip="192.0.2.7")
    assert given.spf is not None and given.spf.result == "fail"
    assert given.spf.explanation.endswith("; judged by today's DNS, for a message received 1993-06-16")
    assert given.dmarc is not None and given.dmarc.result == "not_checked"


def test_a_newer_date_or_stamp_anywhere_keeps_todays_judgement() -> None:
    # The receiver's clock reset to a past year (or a forger's stamp) against a Date: of today.
    raw = LIST_1993.replace("Date: Wed, 16 Jun 93 11:01:02 MDT", "Date: Mon, 16 Jun 2025 11:01:02 -0600")
    report = _run(raw, offline=True)
    assert report.verdict.status == "unauthenticated"
    assert "dmarc.nothing_aligned" in _ids(report)
    assert "hops.predates_authentication" not in _ids(report)
    # The era of the message still is the stamp's, not the Date:'s.
    assert _run(LIST_1993, offline=True).verdict.summary.startswith("Predates SPF")


def test_a_field_of_a_later_mechanism_contradicts_the_stamp() -> None:
    # A made-up "1993" message that carries a DKIM signature (which did not exist before 2005):
    # the stamp's date is not believed, and the message is judged as mail of today.
    signature = ("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1;"
                 " h=from:to:subject:date; bh=AAAA; b=BBBB\r\n")
    raw = LIST_1993.replace("Date: ", signature + "Date: ", 1)
    report = _run(raw, offline=True)
    assert report.verdict.status != "not_checked" or not report.verdict.summary.startswith("Predates")
    assert "hops.predates_authentication" not in _ids(report)
    contradiction = next(f for f in report.findings if f.id == "hops.anachronistic_field")
    assert contradiction.title == "Received 1993-06-16 by its stamp, yet it carries DKIM-Signature"
    assert "nothing wrote before 2005" in contradiction.explanation
    # A Received-SPF in the receiver's name dates it no earlier than SPF either.
    spf = "Received-SPF: pass (mail.example.net: domain of lists.example.org designates 192.0.2.7)\r\n"
    assert "hops.anachronistic_field" in _ids(_run(spf + LIST_1993, offline=True))


def test_without_a_trusted_stamp_the_date_field_alone_sets_no_era() -> None:
    # A header of 1993 whose only Received is missing its date: the sender's Date: could say anything.
    raw = LIST_1993.replace("; Wed, 16 Jun 1993 14:02:11 -0400", "").replace(
        "; Wed, 16 Jun 93 11:01:50 MDT", "")
    report = _run(raw, offline=True)
    assert "hops.predates_authentication" not in _ids(report)
    assert not report.verdict.summary.startswith("Predates")
    # ... while the same message with its stamps has an era.
    assert "hops.predates_authentication" in _ids(_run(LIST_1993, offline=True))


# A 2004 message from Gmail's beta through a list: signed with DomainKeys, the mechanism of its day.
GMAIL_2004 = (
    "Return-Path: <linux-kernel-owner@vger.example.org>\r\n"
    "Received: (majordomo@vger.example.org) by vger.example.org via listexpand id S262695AbUKEOIz;"
    " Fri, 5 Nov 2004 09:08:55 -0500\r\n"
    "Received: from rproxy.gmail.com ([64.233.170.203]:5315 \"EHLO rproxy.gmail.com\") by vger.example.org"
    " with ESMTP id S262698AbUKEOIx; Fri, 5 Nov 2004 09:08:53 -0500\r\n"
    "DomainKey-Signature: a=rsa-sha1; q=dns; c=nofws; s=beta; d=gmail.com;"
    " h=received:message-id:date:from:reply-to:to:subject:mime-version:content-type;"
    " b=dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ==\r\n"
    "Message-ID: <58cb370e041105060832dbd7c7@mail.gmail.com>\r\n"
    "Date: Fri, 5 Nov 2004 15:08:47 +0100\r\n"
    "From: Bartlomiej Zolnierkiewicz <bzolnier@gmail.com>\r\n"
    "To: Jens Axboe <axboe@example.net>\r\n"
    "Subject: Re: [PATCH] ide-scsi: DMA alignment bug fixed\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=US-ASCII\r\n"
    "\r\n"
    "Looks fine.\r\n"
)


def test_gmail_of_2004_with_domainkeys_is_not_told_to_sign() -> None:
    report = _run(GMAIL_2004, offline=True)
    assert report.verdict.status == "not_checked"
    summary = report.verdict.summary
    assert summary.startswith("Predates DKIM and DMARC: received 2004-11-05 (hop 2's Received stamp, written by "
                              "the receiving side's vger.example.org), before either existed")
    assert summary.endswith("It carries a DomainKeys signature by gmail.com, the mechanism of its day, "
                            "unverifiable now.")
    assert "normally carries its signature" not in " ".join(f.explanation for f in report.findings)
    assert "dmarc.nothing_aligned" not in _ids(report)
    assert "dkim.domainkeys" in _ids(report)
    # SPF existed in 2004 (drafts from 2003): its row is the usual one, not "not applicable".
    assert report.spf is not None and not report.spf.explanation.startswith("not applicable")


def test_mail_of_1993_without_a_from_domain_still_says_so() -> None:
    raw = LIST_1993.replace("From: Jerry DeLapp <jgd@example.com>\r\n", "")
    summary = _run(raw, offline=True).verdict.summary
    assert summary.startswith("Predates SPF, DKIM and DMARC: received 1993-06-16")
    assert "so nothing could authenticate its sender as mail is authenticated now" in summary
    assert summary.endswith(" The message has no From: domain.")
