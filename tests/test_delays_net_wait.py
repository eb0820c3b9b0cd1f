"""A hop's wait net of the clock steps its stamps show (Hop.wait_seconds): one measure for
hops.slow_hop, hops.greylisted, scan's slowest hop and the views (verification V34e).

The messages are real list copies with one or two stamps changed, as the verification made them:
LIP6 is the lfdr.de copy of a cocci@systeme.lip6.fr post (Joe Perches, 2021-03-08: hostedemail.com
→ osiris.lip6.fr, milter-greylist → systeme.lip6.fr → mail.lfdr.de); ULISBOA the lfdr.de copy of a
dri-devel post (2025-02-13: tecnico.ulisboa.pt with amavis → gabe.freedesktop.org, postgrey →
mail.lfdr.de), both from lfdr.de's public list archive (V34e gen/lag1h.eml, base2.py)."""
from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone

import headerscope
from headerscope.hops import _fmt_seconds
from headerscope.model import Finding, Report, Severity
from headerscope.render.html import HtmlRenderer, build_timeline
from headerscope.render.markdown import MarkdownRenderer
from headerscope.render.terminal import TerminalRenderer
from headerscope.scan import runner

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)

LIP6 = """Return-Path: <cocci-bounces@systeme.lip6.fr>
X-Original-To: lists+cocci@lfdr.de
Delivered-To: lists+cocci@lfdr.de
Received: from isis.lip6.fr (isis.lip6.fr [IPv6:2001:660:3302:283c::2])
\tby mail.lfdr.de (Postfix) with ESMTPS id F34FE3307BB
\tfor <lists+cocci@lfdr.de>; Mon,  8 Mar 2021 {T8} +0100 (CET)
Received: from systeme.lip6.fr (systeme.lip6.fr [132.227.104.7])
\tby isis.lip6.fr (8.15.2/8.15.2) with ESMTP id 1285tSwo025353;
\tMon, 8 Mar 2021 {T7} +0100 (CET)
Received: from systeme.lip6.fr (systeme.lip6.fr [127.0.0.1])
\tby systeme.lip6.fr (Postfix) with ESMTP id E7F1677E2;
\tMon,  8 Mar 2021 {T6} +0100 (CET)
X-Original-To: cocci@systeme.lip6.fr
Delivered-To: cocci@systeme.lip6.fr
Received: from osiris.lip6.fr (osiris.lip6.fr [132.227.60.30])
 (using TLSv1 with cipher DHE-RSA-AES256-SHA (256/256 bits))
 (No client certificate requested)
 by systeme.lip6.fr (Postfix) with ESMTPS id 421815DC3
 for <cocci@systeme.lip6.fr>; Mon,  8 Mar 2021 {T5} +0100 (CET)
Received: from smtprelay.hostedemail.com (smtprelay0203.hostedemail.com
 [216.40.44.203])
 by osiris.lip6.fr (8.15.2/8.15.2) with ESMTP id 1285tNxF025104
 for <cocci@systeme.lip6.fr>; Mon, 8 Mar 2021 {T4} +0100 (CET)
Received: from smtprelay.hostedemail.com (10.5.19.251.rfc1918.com
 [10.5.19.251])
 by smtpgrave03.hostedemail.com (Postfix) with ESMTP id 2BDF71801AB4C
 for <cocci@systeme.lip6.fr>; Mon,  8 Mar 2021 03:38:55 +0000 (UTC)
Received: from filter.hostedemail.com (clb03-v110.bra.tucows.net
 [216.40.38.60])
 by smtprelay04.hostedemail.com (Postfix) with ESMTP id 3521118027FAC;
 Mon,  8 Mar 2021 05:38:52 +0000 (UTC)
X-Session-Marker: 6A6F6540706572636865732E636F6D
Received: from [192.168.1.159] (unknown [47.151.137.21])
 (Authenticated sender: joe@perches.com)
 by omf07.hostedemail.com (Postfix) with ESMTPA;
 Mon,  8 Mar 2021 05:38:50 +0000 (UTC)
Message-ID: <dd39a6974e6cef241ecfd1014d683a42cc722366.camel@perches.com>
From: Joe Perches <joe@perches.com>
To: Julia Lawall <julia.lawall@inria.fr>
Date: {DATE}
MIME-Version: 1.0
X-Greylist: Sender IP whitelisted, Sender e-mail whitelisted, not delayed by milter-greylist-4.4.3 (isis.lip6.fr [132.227.60.2]); Mon, 08 Mar 2021 06:55:30 +0100 (CET)
X-Greylist: Delayed for 111:19:22 by milter-greylist-4.4.3 (osiris.lip6.fr
 [132.227.60.30]); Mon, 08 Mar 2021 {T4} +0100 (CET)
Subject: Re: [Cocci] linux-kernel janitorial RFP: Mark static arrays as const
List-Id: <cocci.systeme.lip6.fr>
Sender: cocci-bounces@systeme.lip6.fr

body
"""
# smtpgrave03's stamp (03:38:55 UTC) is 2 h behind hop 2's (05:38:52): a real 1 h wait into osiris.
LAG_1H = dict(T4="07:38:56", T5="07:38:57", T6="07:38:59", T7="07:39:00", T8="07:39:04",
              DATE="Sun, 07 Mar 2021 21:38:49 -0800")
# The same with a wait of about 16 min into osiris (05:38:52 UTC to 05:55:24 UTC).
LAG_16 = dict(T4="06:55:24", T5="06:55:25", T6="06:55:27", T7="06:55:28", T8="06:56:04",
              DATE="Sun, 07 Mar 2021 21:38:49 -0800")


def _lip6(**stamps: str) -> bytes:
    return LIP6.format(**stamps).replace("\n", "\r\n").encode()


ULISBOA = """Return-Path: <dri-devel-bounces@lists.freedesktop.org>
X-Original-To: lists+dri-devel@lfdr.de
Delivered-To: lists+dri-devel@lfdr.de
Received: from gabe.freedesktop.org (gabe.freedesktop.org [131.252.210.177])
\tby mail.lfdr.de (Postfix) with ESMTPS id B5D4EA34AB6
\tfor <lists+dri-devel@lfdr.de>; {D6}
Received: from gabe.freedesktop.org (localhost [127.0.0.1])
\tby gabe.freedesktop.org (Postfix) with ESMTP id 3448D10EB38;
\t{D5}
X-Original-To: dri-devel@lists.freedesktop.org
Delivered-To: dri-devel@lists.freedesktop.org
{GREY}Received: from smtp1.tecnico.ulisboa.pt (smtp1.tecnico.ulisboa.pt
 [193.136.128.21])
 by gabe.freedesktop.org (Postfix) with ESMTPS id 397CA10EB38
 for <dri-devel@lists.freedesktop.org>; {D4}
Received: from localhost (localhost.localdomain [127.0.0.1])
 by smtp1.tecnico.ulisboa.pt (Postfix) with ESMTP id 28C78600022F;
 {D3}
X-Virus-Scanned: by amavis-2.13.0 (20230106) (Debian) at tecnico.ulisboa.pt
Received: from smtp1.tecnico.ulisboa.pt ([127.0.0.1])
 by localhost (smtp1.tecnico.ulisboa.pt [127.0.0.1]) (amavis, port 10025)
 with LMTP id D_X-8oSLhMw0; Thu, 13 Feb 2025 16:45:11 +0000 (WET)
Received: from mail1.tecnico.ulisboa.pt (mail1.ist.utl.pt [193.136.128.10])
 by smtp1.tecnico.ulisboa.pt (Postfix) with ESMTPS id CB87E60020DD;
 Thu, 13 Feb 2025 16:45:10 +0000 (WET)
Received: from [IPV6:2001:8a0:57db:f00:3ee2:38aa:e2c9:7dde] (unknown
 [IPv6:2001:8a0:57db:f00:3ee2:38aa:e2c9:7dde])
 (Authenticated sender: ist187313)
 by mail1.tecnico.ulisboa.pt (Postfix) with ESMTPSA id 3A1FB600013C;
 Thu, 13 Feb 2025 16:45:09 +0000 (WET)
Message-ID: <8b3c0f2e-0b5a-4d0e-9a57-2f0d1c1e6a10@tecnico.ulisboa.pt>
Date: Thu, 13 Feb 2025 16:45:09 +0000
From: Someone <someone@tecnico.ulisboa.pt>
To: dri-devel@lists.freedesktop.org
Subject: Re: [PATCH] drm: a patch
List-Id: Direct Rendering Infrastructure - Development <dri-devel.lists.freedesktop.org>
Sender: "dri-devel" <dri-devel-bounces@lists.freedesktop.org>

body
"""
# As the list copy has them: amavis back at 16:45:14, postgrey's 6 min at gabe, then seconds.
ULISBOA_REAL = dict(D3="Thu, 13 Feb 2025 16:45:14 +0000 (WET)", D4="Thu, 13 Feb 2025 16:51:16 +0000 (UTC)",
                    D5="Thu, 13 Feb 2025 16:51:19 +0000 (UTC)", D6="Thu, 13 Feb 2025 17:51:21 +0100 (CET)",
                    GREY="X-Greylist: delayed 359 seconds by postgrey-1.36 at gabe;\n Thu, 13 Feb 2025 16:51:16 UTC\n")


def _ulisboa(**changed: str) -> bytes:
    return ULISBOA.format(**{**ULISBOA_REAL, **changed}).replace("\n", "\r\n").encode()


def _analyze(raw: bytes) -> Report:
    return headerscope.analyze(raw, offline=True, now=NOW)


def _finding(report: Report, finding_id: str) -> Finding:
    [finding] = [f for f in report.findings if f.id == finding_id]
    return finding


def test_a_step_out_of_a_stamp_behind_an_earlier_one_waits_as_slow_hop_says() -> None:
    report = _analyze(_lip6(**LAG_1H))
    hop = report.hops[3]
    assert (hop.number, hop.delay_seconds, hop.wait_seconds) == (4, 10801.0, 3604.0)
    slow = _finding(report, "hops.slow_hop")
    assert slow.subject == "hop 4" and slow.title == "Delay of 60 min"
    # hops.greylisted measures the same wait, not the 3.0 h step.
    grey = _finding(report, "hops.greylisted")
    assert grey.title == "A greylisting field for hop 4 says 4.6 days, but the hop took 60 min", grey.title
    assert "3.0 h" in grey.explanation and "took only 60 min once the clock steps" in grey.explanation
    # Every other hop's wait is its step; the step back has none.
    assert [h.wait_seconds for h in report.hops] == [1.0, 2.0, None, 3604.0, 1.0, 2.0, 1.0, 4.0]
    # scan's slowest hop: the wait analyze gives, not +3h 00m (README: "clock steps left out").
    row = runner.summarize(1, "lag1h", report)
    assert row.slowest_hop == "smtprelay0203.hostedemail.com → osiris.lip6.fr"
    assert row.slowest_delay_seconds == 3604.0


def test_a_sixteen_minute_wait_behind_a_two_hour_step() -> None:
    report = _analyze(_lip6(**LAG_16))
    hop = report.hops[3]
    assert (hop.delay_seconds, hop.wait_seconds) == (8189.0, 992.0)
    assert not [f for f in report.findings if f.id == "hops.slow_hop"]
    grey = _finding(report, "hops.greylisted")
    assert grey.title.endswith("but the hop took 17 min"), grey.title
    assert runner.summarize(1, "lag16", report).slowest_delay_seconds == 992.0


def test_views_show_the_wait_beside_the_raw_step() -> None:
    report = _analyze(_lip6(**LAG_1H))
    assert report.hops[3].wait_differs() and not report.hops[4].wait_differs()
    assert not report.hops[2].wait_differs()  # a step back is marked as one already
    terminal = TerminalRenderer(width=200).render(report)
    assert "+3h 00m" in terminal and "(wait" in terminal and "+1h 00m)" in terminal
    row = next(r for r in build_timeline(report).rows if r.hop.number == 4)
    assert row.delay_label == "3 h (wait 1 h)", row.delay_label
    markdown = MarkdownRenderer().render(report)
    assert "| 3 h (wait 1 h) |" in markdown
    html = HtmlRenderer().render(report)
    assert ">3 h (wait 1 h)</text>" in html and '3 h<div class="muted">wait 1 h</div>' in html
    data = report.to_json()
    [hop4] = [h for h in json.loads(data)["hops"] if h["number"] == 4]
    assert (hop4["delay_seconds"], hop4["wait_seconds"]) == (10801.0, 3604.0)  # delay_seconds keeps its meaning


def test_terminal_findings_name_their_subject_safely() -> None:
    report = _analyze(_lip6(**LAG_1H))
    terminal = TerminalRenderer(width=200).render(report)
    line = next(x for x in terminal.splitlines() if "[hops.slow_hop]" in x)
    assert "Delay of 60 min (hop 4)  [hops.slow_hop]" in line, line
    # A subject is message-derived text: rich markup is shown as written, controls never reach the terminal.
    hostile = Finding(id="x.test", severity=Severity.INFO, title="t", explanation="e",
                      subject="[bold red]evil[/bold red]\x1b[2J\nnext\u202e")
    shown = TerminalRenderer(width=200).render(dataclasses.replace(report, findings=(hostile,)))
    line = next(x for x in shown.splitlines() if "[x.test]" in x)
    assert "[bold red]evil[/bold red]" in line and "\x1b" not in shown and "\u202e" not in shown
    assert "next" in line  # the line break became a space: the subject cannot start a line of its own


def test_slow_hop_names_the_side_and_the_party() -> None:
    # A queue retry at the hand-over from ulisboa.pt to freedesktop.org, no greylisting stamp: below the boundary.
    retry = _finding(_analyze(_ulisboa(D4="Thu, 13 Feb 2025 20:51:16 +0000 (UTC)",
                                       D5="Thu, 13 Feb 2025 20:51:19 +0000 (UTC)",
                                       D6="Thu, 13 Feb 2025 21:51:21 +0100 (CET)", GREY="")), "hops.slow_hop")
    assert retry.subject == "hop 5"
    assert "before the trust boundary, on the sender's side or a relay's" in retry.explanation
    assert ("Either smtp1.tecnico.ulisboa.pt kept it in its queue (an outage, or retrying after a refusal) or "
            "gabe.freedesktop.org deferred it") in retry.explanation and "nothing in the message says which" \
        in retry.explanation
    # Five hours at the hand-over into lfdr.de, the trust boundary.
    last = _finding(_analyze(_ulisboa(D6="Thu, 13 Feb 2025 22:51:21 +0100 (CET)")), "hops.slow_hop")
    assert last.subject == "hop 7"
    assert "at the trust boundary, the hand-over into the receiving organisation (lfdr.de)" in last.explanation
    assert "Either gabe.freedesktop.org kept it in its queue" in last.explanation
    # Three hours inside the sender's organisation, between amavis's stamp and its re-injection.
    amavis = _finding(_analyze(_ulisboa(D3="Thu, 13 Feb 2025 19:45:14 +0000 (WET)",
                                        D4="Thu, 13 Feb 2025 19:51:16 +0000 (UTC)",
                                        D5="Thu, 13 Feb 2025 19:51:19 +0000 (UTC)",
                                        D6="Thu, 13 Feb 2025 20:51:21 +0100 (CET)",
                                        GREY="X-Greylist: delayed 359 seconds by postgrey-1.36 at gabe;\n"
                                             " Thu, 13 Feb 2025 19:51:16 UTC\n")), "hops.slow_hop")
    assert amavis.subject == "hop 4"
    assert "Both stamps are ulisboa.pt's: its content filter (amavis) held it." in amavis.explanation
    # Greylisting is evidence of which party: the receiving server deferred it.
    grey = _finding(_analyze(_lip6(**LAG_1H)), "hops.slow_hop")
    # Its milter-greylist field is at the end of the header, below the trust boundary's Received (mail.lfdr.de):
    # a field the sending side could write, said as its claim.
    assert ("A greylisting field naming osiris.lip6.fr, which a sender could also write (it is below the trust "
            "boundary's Received), says osiris.lip6.fr deferred it; if so, smtprelay0203.hostedemail.com kept it "
            "queued until its retry was accepted.") in grey.explanation


def test_spans_over_a_year_are_said_in_years() -> None:
    assert _fmt_seconds(2191 * 86400.0) == "6.0 years (2191 days)"
    assert _fmt_seconds(-2191 * 86400.0) == "6.0 years (2191 days)"
    assert _fmt_seconds(364 * 86400.0) == "364.0 days"
    report = _analyze(_lip6(**{**LAG_1H, "DATE": "Sun, 07 Mar 2015 21:38:49 -0800"}))
    said = " ".join(f.title + " " + f.explanation for f in report.findings)
    assert "years (" in said and "days before the first server" not in said.replace("years (", "")


# A message into Gmail whose sender writes the lower stamps (verification V35c hops/f1, f2, f3): mx.google.com's
# Received is the trust boundary; {BELOW} is what the sender adds under it, {ABOVE} a field above it.
GMAIL = """Delivered-To: bob@gmail.com
Received: by 2002:a05:6838:1234:0:0:0:0 with SMTP id x1csp123456nkb;
        Mon, 8 Mar 2021 04:00:06 -0800 (PST)
X-Received: by 2002:a17:90a:1234:: with SMTP id abc.12.1615190000000;
        Mon, 8 Mar 2021 04:00:06 -0800 (PST)
{ABOVE}Received: from mail.attacker.example (mail.attacker.example. [203.0.113.5])
        by mx.google.com with ESMTPS id a1si1234567qkb.100.2021.03.08.00.00.00
        for <bob@gmail.com>
        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);
        Mon, 08 Mar 2021 04:00:05 -0800 (PST)
Received-SPF: pass (google.com: domain of alice@attacker.example designates 203.0.113.5 as permitted sender) \
client-ip=203.0.113.5;
Authentication-Results: mx.google.com;
       spf=pass (google.com: domain of alice@attacker.example designates 203.0.113.5 as permitted sender) \
smtp.mailfrom=alice@attacker.example
Return-Path: <alice@attacker.example>
{BELOW}Received: from [10.0.0.2] (unknown [10.0.0.2]) by mail.attacker.example (Postfix) with ESMTP id 1ABC;
        Mon,  8 Mar 2021 07:00:00 +0000 (UTC)
{END}Date: Mon, 8 Mar 2021 06:59:58 +0000
From: Alice <alice@attacker.example>
To: bob@gmail.com
Subject: hello
Message-ID: <x1@attacker.example>

body
"""


def _gmail(**parts: str) -> bytes:
    return GMAIL.format(**{"ABOVE": "", "BELOW": "", "END": "", **parts}).replace("\n", "\r\n").encode()


def test_a_fake_receiver_stamp_below_the_boundary_does_not_make_the_receiver_slow() -> None:
    # The sender writes "by mx.google.com" 5 h before Google's real stamp: the wait is measured from its claim.
    fake = ("Received: from mail.attacker.example (mail.attacker.example. [203.0.113.5]) by mx.google.com (Postfix) "
            "with ESMTP id 0ABC;\n        Mon, 08 Mar 2021 07:00:00 +0000 (UTC)\n")
    report = _analyze(_gmail(BELOW=fake))
    assert [h.boundary for h in report.hops] == [False, False, True, False]
    slow = _finding(report, "hops.slow_hop")
    assert slow.subject == "hop 3"
    assert "Both stamps are" not in slow.explanation, slow.explanation
    assert ("Hop 2's stamp claims google.com's server (mx.google.com) wrote it too, but it is below the trust "
            "boundary: if google.com wrote it, its own queue or a filter held the message; if the sender's side "
            "made it up, its time is made up too") in slow.explanation


def test_a_greylisting_field_is_the_receivers_word_only_above_the_boundary() -> None:
    stamp = "delayed 18000 seconds by {by} ({host} [209.85.220.41]); Mon, 08 Mar 2021 12:00:05 +0000 (UTC)\n"
    milter = "X-Greylist: " + stamp.format(by="milter-greylist-4.6.2", host="mx.google.com")
    # A milter's field at the end of the header, among the sender's fields: a claim anyone can write.
    forged = _finding(_analyze(_gmail(END=milter)), "hops.slow_hop")
    assert forged.subject == "hop 2"
    assert "deferred it (its greylisting stamp" not in forged.explanation, forged.explanation
    assert ("A greylisting field naming mx.google.com, which a sender could also write (it is below the trust "
            "boundary's Received), says mx.google.com deferred it; if so, mail.attacker.example kept it queued")\
        in forged.explanation
    assert "By that field, the server greylisted it" in forged.explanation
    # Postgrey's field, prepended just above the Received of the transaction it delayed: the receiver's own.
    postgrey = "X-Greylist: delayed 18000 seconds by postgrey-1.36 at mx.google.com; Mon, 08 Mar 2021 12:00:05 UTC\n"
    own = _finding(_analyze(_gmail(ABOVE=postgrey)), "hops.slow_hop")
    assert ("mx.google.com deferred it (its greylisting stamp, above the trust boundary's Received, says so), and "
            "mail.attacker.example kept it queued until its retry was accepted.") in own.explanation, own.explanation
    # The same field moved below the boundary's Received is the sender's to write again.
    moved = _finding(_analyze(_gmail(BELOW=postgrey)), "hops.slow_hop")
    assert "which a sender could also write" in moved.explanation, moved.explanation


def test_a_greylisting_field_a_sender_could_write_is_no_cause_and_its_finding_a_claim() -> None:
    # Verification V35c hops/f2: the slow hop's finding said a forged milter-greylist field (naming
    # mx.google.com, at the end of the header) was a claim, but the hop's cause and hops.greylisted
    # (when the slow hop does not quote it) still said "greylisted" as the receiver's word.
    from headerscope.model import WaitCause

    stamp = "delayed {seconds} seconds by {by}; Mon, 08 Mar 2021 12:00:05 +0000 (UTC)\n"
    milter = "X-Greylist: " + stamp.format(seconds="{seconds}", by="milter-greylist-4.6.2 (mx.google.com [209.85.220.41])")
    postgrey = "X-Greylist: " + stamp.format(seconds="{seconds}", by="postgrey-1.36 at mx.google.com")
    forged = _analyze(_gmail(END=milter.format(seconds=18000)))
    assert _finding(forged, "hops.slow_hop").subject == "hop 2"
    assert forged.hops[1].wait_cause is None
    assert _analyze(_gmail(BELOW=postgrey.format(seconds=18000))).hops[1].wait_cause is None
    assert _analyze(_gmail(ABOVE=postgrey.format(seconds=18000))).hops[1].wait_cause is WaitCause.GREYLISTED
    # "delayed 10 min" is no reason for a 5 h step (read as hop 1's clock 5 h off, so the hop took 5 s):
    # the slow hop does not quote it, hops.greylisted says it.
    claimed = _finding(_analyze(_gmail(END=milter.format(seconds=600))), "hops.greylisted")
    assert claimed.title == "A greylisting field for hop 2 says 10 min, but the hop took 5 s", claimed.title
    assert "a sender could have written it, so it is a claim" in claimed.explanation
    own = _finding(_analyze(_gmail(ABOVE=postgrey.format(seconds=600))), "hops.greylisted")
    assert own.title == "Greylisting at hop 2 says 10 min, but the hop took 5 s", own.title
    assert "claim" not in own.explanation
    # A stated delay the hop's time matches.
    matched = _finding(_analyze(_gmail(END=milter.format(seconds=5))), "hops.greylisted")
    assert matched.title == "A greylisting field says hop 2's server delayed it 5 s", matched.title
    assert "The hop took 5 s: if the field is true, that wait is the greylisting." in matched.explanation
    matched_own = _finding(_analyze(_gmail(ABOVE=postgrey.format(seconds=5))), "hops.greylisted")
    assert matched_own.title == "Greylisted at hop 2: the server delayed it 5 s", matched_own.title
    assert "The hop took 5 s: that wait is the greylisting." in matched_own.explanation
    # A stamp whose server's Received is not in the copy says its standing too.
    unplaced = _finding(_analyze(_gmail(END=milter.format(seconds=600).replace("mx.google.com [209.85.220.41]",
                                                                                "grey.other.example [192.0.2.9]"))),
                        "hops.greylisted")
    assert "is not in this copy" in unplaced.explanation and "so it is a claim" in unplaced.explanation
