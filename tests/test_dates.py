"""The Date: field a message's journey is measured from: with several (a server added its own),
the one the trace agrees with (RFC 5322 section 3.6.1: the author's, written just before the
first server received it). The duplicate itself stays reported."""

from __future__ import annotations

import headerscope
from headerscope.model import Report

# A Mailman 2.0 list copy of 2001 (built on the real layout): the list host's Postfix added a
# Date: above the author's, equal to its own stamp (hop 3) to the second.
TWO_DATES = (
    "Return-Path: <talk-admin@lists.example.org>\r\n"
    "Received: from lists.example.org (lists.example.org [192.0.2.51])\r\n"
    "\tby mail.receiver.example (8.9.3/8.9.3) with ESMTP id BAA14990\r\n"
    "\tfor <frank@receiver.example>; Tue, 19 Jun 2001 01:16:09 +0800\r\n"
    "Received: from lists.example.org (localhost [127.0.0.1])\r\n"
    "\tby lists.example.org (Postfix) with ESMTP\r\n"
    "\tid 66A4575C5; Tue, 19 Jun 2001 01:16:04 +0800 (CST)\r\n"
    "Received: from mail.author.example (mail.author.example [198.51.100.60])\r\n"
    "\tby lists.example.org (Postfix) with ESMTP id 3CB2075C4\r\n"
    "\tfor <talk@lists.example.org>; Tue, 19 Jun 2001 01:04:25 +0800 (CST)\r\n"
    "Received: from [10.1.1.7] (dialup.example.net [203.0.113.137])\r\n"
    "\tby mail.author.example (8.8.7/8.8.7) with SMTP id BAA15500;\r\n"
    "\tTue, 19 Jun 2001 01:04:22 +0800\r\n"
    "From: amy@author.example\r\n"
    "Message-Id: <200106181704.BAA15500@mail.author.example>\r\n"
    "To: talk@lists.example.org\r\n"
    "Subject: [talk] hello\r\n"
    "Date: Tue, 19 Jun 2001 01:16:04 +0800 (CST)\r\n"
    "Sender: talk-admin@lists.example.org\r\n"
    "List-Id: Talk <talk.lists.example.org>\r\n"
    "Date: Tue, 19 Jun 2001 01:04:20 +0800\r\n"
    "\r\nbody\r\n")


def analyze(text: str) -> Report:
    return headerscope.analyze(text.encode(), offline=True)


def test_two_dates_the_authors_one_before_the_first_hop_is_used() -> None:
    report = analyze(TWO_DATES)
    assert report.date == "2001-06-19T01:04:20+08:00"
    assert report.hops[0].delay_seconds == 2  # not -11 min 42 s from the list's Date:
    assert not [f for f in report.findings if f.id == "hops.clock_skew"]
    [chosen] = [f for f in report.findings if f.id == "date.duplicate_chosen"]
    assert "01:04:20" in chosen.explanation and "hop 3's stamp to the second" in chosen.explanation
    # The repeated field stays reported as before.
    assert any(f.id == "message.repeated_field" and "Date (2 times)" in f.title for f in report.findings)


def test_no_date_before_the_first_hop_uses_the_bottom_one() -> None:
    # Both after hop 1's stamp (01:04:22 + 2 min): the bottom-most, the original, is used.
    text = TWO_DATES.replace("Date: Tue, 19 Jun 2001 01:04:20 +0800", "Date: Tue, 19 Jun 2001 01:10:00 +0800")
    report = analyze(text)
    assert report.date == "2001-06-19T01:10:00+08:00"
    [chosen] = [f for f in report.findings if f.id == "date.duplicate_chosen"]
    assert "bottom-most" in chosen.explanation


def test_one_date_says_nothing_more() -> None:
    text = TWO_DATES.replace("Date: Tue, 19 Jun 2001 01:16:04 +0800 (CST)\r\n", "")
    report = analyze(text)
    assert report.date == "2001-06-19T01:04:20+08:00"
    assert not [f for f in report.findings if f.id == "date.duplicate_chosen"]
