"""The terminal view: message text is shown as written, never as markup or escape codes."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import pytest
from conftest import SAMPLES
from report_factory import VIA_HOPS

import headerscope
from headerscope.render import get_renderer
from headerscope.render.terminal import format_duration

HOSTILE = (
    b"Received: from evil.example (evil.example [203.0.113.9]) by mx.example.net with ESMTP id X;"
    b" Mon, 2 Nov 2026 10:00:05 +0000\r\n"
    b"Subject: [bold red]alarm[/bold red] \x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x07link\x1b]8;;\x07\r\n"
    b"From: \"[link=http://evil.example]Bank[/link]\" <alice@example.org>\r\n"
    b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n"
)


def test_markup_and_escapes_are_neutralised() -> None:
    report = headerscope.analyze(HOSTILE, offline=True)
    for color in (False, True):
        text = get_renderer("terminal", color=color).render(report)
        assert "[bold red]alarm[/bold red]" in text  # shown literally, not interpreted
        assert "[link=http://evil.example]Bank[/link]" in text
        assert "\x1b]8" not in text  # no hyperlink escape from the message
        assert "\x07" not in text
        if not color:
            assert "\x1b" not in text


def test_colour_only_when_asked() -> None:
    report = headerscope.analyze(HOSTILE, offline=True)
    assert "\x1b[" in get_renderer("terminal", color=True).render(report)
    assert "\x1b[" not in get_renderer("terminal", color=False).render(report)


def test_durations_are_signed_and_never_wrapped() -> None:
    assert format_duration(-5) == "-5s"
    assert format_duration(-3600 * 23) == "-23h 00m"
    assert format_duration(65) == "+1m 05s"
    assert format_duration(None) == "?"
    assert format_duration(0.25) == "+0.25s"


def test_hop_table_shows_the_via_link() -> None:
    # Old sendmail wrote its protocol as "via ESMTP"; Exchange names its transport with via.
    text = get_renderer("terminal", color=False, width=200).render(headerscope.analyze(VIA_HOPS, offline=True))
    assert "via ESMTP" in text
    assert "via Frontend Transport" in text


def test_missing_signature_tags_and_library_messages_read_as_text() -> None:
    # A DKIM-Signature without s= shows "s=?" (never Python's None), in every format; dkimpy's
    # messages name tags as byte strings ("missing b'b'="), shown as text.
    from headerscope.auth._dkimpy import _plain

    raw = (b"Received: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP id 1; "
           b"Mon, 2 Nov 2026 10:00:04 +0000\r\n"
           b"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; h=from; bh=eA==; b=eQ==\r\n"
           b"From: a@example.com\r\nTo: b@example.org\r\nSubject: s\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
           b"\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    terminal = get_renderer("terminal").render(report)
    assert "d=example.com s=?" in terminal and "None" not in terminal
    html = get_renderer("html").render(report)
    assert "<dd>(missing)</dd>" in html and ">None<" not in html
    assert _plain("missing b'b'=") == "missing b="
    assert _plain("KeyError: b'bh'") == "KeyError: bh"


def test_the_journey_time_is_the_servers_when_the_date_is_much_older() -> None:
    # A git-send-email resend of an old patch (real shape): Date: three days before the first
    # server's stamp, then 41 s between servers. The headline says the servers' time.
    raw = (b"Received: from mx.example.org (mx.example.org [192.0.2.2]) by mail.example.net with ESMTP id 2; "
           b"Mon, 18 Jul 2022 21:44:34 +0800\r\n"
           b"Received: from [192.0.2.9] by smtp.example.org with ESMTPSA id 1; Mon, 18 Jul 2022 21:43:53 +0800\r\n"
           b"From: a@example.org\r\nTo: b@example.net\r\nSubject: [PATCH] fix\r\n"
           b"Date: Fri, 15 Jul 2022 13:41:56 +0800\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert report.transit_split() == (41.0, 288117.0)
    terminal = get_renderer("terminal").render(report)
    assert "in 41s. Its Date: is 3d 8h older than the first server's stamp." in " ".join(terminal.split())
    assert "Between servers 41 s" in get_renderer("html").render(report)
    assert "between servers 41 s, 3 d 8 h from its Date: to the first server" in get_renderer("markdown").render(report)
    # A few minutes in the sender's outbox stay part of the total.
    recent = raw.replace(b"Fri, 15 Jul 2022 13:41:56", b"Mon, 18 Jul 2022 21:40:53")
    assert headerscope.analyze(recent, offline=True).transit_split() == (221.0, None)


def test_the_route_starts_where_the_receiving_side_took_the_message() -> None:
    # The spoofed sample's lower hops name bank.example: claims a sender writes, not a place the
    # message went through. The route starts at the boundary's client, as the receiver saw it.
    from conftest import SAMPLES

    def journey(name: str) -> str:
        report = headerscope.analyze((SAMPLES / name).read_bytes(), dns_snapshot=str(SAMPLES / name.replace(".eml", ".dns.json")),
                                     now=datetime(2026, 11, 28, tzinfo=timezone.utc))
        text = get_renderer("terminal", color=False, width=400).render(report)
        return next(line for line in text.splitlines() if line.startswith("Travelled"))

    spoofed = journey("spoofed.eml")
    # What the lower hops name is said after the route, as their claim, not hidden (Mailchimp's
    # hop before a list server's vanished from the route of real list mail).
    # A client with no reverse-DNS name is said as the address it came from, never as a place the
    # message went "through" (review AO D7: "through 192.0.2.195 → example.com").
    assert ("Travelled 5 hops from 203.0.113.66 through outlook.com (before that, by the earlier hops' own "
            "claim: bank.example → cheap-hosting.test) in 40s.") in spoofed
    assert "through 203.0.113.66" not in spoofed
    # The name the client gave itself, unverified, beside the address the receiver recorded.
    assert "accepted it from 203.0.113.66 (which called itself mail.bank.example); hops 1–2" in spoofed
    assert "hops 1–2, before it, are claims of earlier servers, not evidence." in spoofed
    direct = journey("direct.eml")
    assert "through example.com → google.com" in direct and "claim:" not in direct
    # A boundary at hop 1 has no earlier hops to speak of.
    one = headerscope.analyze(b"Received: from deadsett.com (34.85.88.131) by mx.cloudflare.net with ESMTPS id 1; "
                              b"Mon, 2 Nov 2026 10:00:00 +0000\r\nFrom: a@deadsett.com\r\n\r\nx\r\n", offline=True)
    line = next(x for x in get_renderer("terminal", color=False, width=400).render(one).splitlines()
                if x.startswith("Travelled"))
    # The sender's side, which the route of by-names alone left out, comes first.
    assert line.startswith("Travelled 1 hop through deadsett.com → ") and line.endswith("accepted it from 34.85.88.131.")


def test_the_dmarc_fail_explanation_reads_as_one_sentence() -> None:
    from conftest import SAMPLES

    report = headerscope.analyze((SAMPLES / "spoofed.eml").read_bytes(), dns_snapshot=str(SAMPLES / "spoofed.dns.json"),
                                 now=datetime(2026, 11, 28, tzinfo=timezone.utc))
    [fail] = [f for f in report.findings if f.id == "dmarc.fail"]
    assert fail.explanation.startswith("No passing DKIM signature or SPF identity aligns with bank.example: no DKIM "
                                       "signature passes; SPF fail for bank.example. ")


def test_a_signature_that_fails_on_its_headers_alone_names_both_causes() -> None:
    # The spoofed sample's body hash matches and its signature fails: changed headers, or a key
    # other than the published one (a forger's). The title does not pick the harmless one.
    from conftest import SAMPLES

    report = headerscope.analyze((SAMPLES / "spoofed.eml").read_bytes(), dns_snapshot=str(SAMPLES / "spoofed.dns.json"),
                                 now=datetime(2026, 11, 28, tzinfo=timezone.utc))
    [broken] = [f for f in report.findings if f.id == "dkim.headers_changed"]
    assert broken.title == "DKIM signature does not verify: signed headers changed, or another key signed"


def test_the_comparison_says_its_labels_in_words() -> None:
    # Offline, every recorded result is "not recomputed": said in words, not as a code.
    raw = (b"Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.org\r\n"
           b"Received: from out.example.org (out.example.org [192.0.2.7]) by mx.example.net with ESMTPS id 1; "
           b"Mon, 2 Nov 2026 10:00:05 +0000\r\nFrom: a@example.org\r\n\r\nx\r\n")
    text = get_renderer("terminal", color=False, width=200).render(headerscope.analyze(raw, offline=True))
    assert "not recomputed:" in text and "not_recomputed" not in text


def test_a_local_submissions_user_id_reads_as_words() -> None:
    # Postfix's "(Postfix, from userid 1001)" was shown as "user userid 1001" (terminal) and
    # "ident userid 1001" (HTML).
    import headerscope
    from headerscope.render import get_renderer

    raw = (b"Received: from mx.example.org (mx.example.org [192.0.2.1]) by mx2.example.net with ESMTP id 2; "
           b"Mon, 2 Nov 2026 10:00:02 +0000\r\n"
           b"Received: by mx.example.org (Postfix, from userid 1001) id 1; Mon, 2 Nov 2026 10:00:01 +0000\r\n"
           b"From: a@example.org\r\nTo: b@example.net\r\nSubject: s\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nx\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert report.hops[0].fields.ident == "userid 1001"  # the data as read
    terminal = get_renderer("terminal", color=False, width=200).render(report)
    assert "local user, uid 1001" in terminal and "user userid" not in terminal
    page = get_renderer("html").render(report)
    assert "local user, uid 1001" in page and "ident userid" not in page


def test_an_empty_subject_is_said_in_words() -> None:
    import headerscope
    from headerscope.render import get_renderer

    raw = b"From: a@example.org\r\nTo: b@example.net\r\nSubject: \r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nx\r\n"
    story = " ".join(get_renderer("terminal", color=False).render(headerscope.analyze(raw, offline=True)).split())
    assert "to b@example.net, with an empty subject." in story and "“”" not in story


def test_result_codes_read_as_words_in_every_report() -> None:
    # "not_checked" in the result columns (and "HELO identity: not_checked") read as a code.
    from conftest import SAMPLES

    import headerscope
    from headerscope.render import get_renderer

    report = headerscope.analyze((SAMPLES / "direct.eml").read_bytes(), offline=True)
    assert report.spf is not None and report.spf.result == "not_checked"  # the data keeps the code
    terminal = get_renderer("terminal", color=False, width=200).render(report)
    markdown = get_renderer("markdown").render(report)
    page = get_renderer("html").render(report)
    for text in (terminal, markdown, page):
        assert "not checked" in text
    assert "not_checked" not in terminal and "| not_checked |" not in markdown
    assert ">not_checked<" not in page


QMAIL_QUEUE = (
    b"Received: (qmail 13850 invoked from network); 22 Aug 2016 13:56:15 -0000\r\n"
    b"Received: from 67.175.76.202.static.example.com.tr (67.175.76.202)\r\n"
    b"  by smtp.server.example with SMTP; 22 Aug 2016 13:56:15 -0000\r\n"
    b"Received: ([bold]x[/bold] \x1b[2J10024); 22 Aug 2016 13:56:16 -0000\r\n"
    b"From: a@example.com.tr\r\nDate: Mon, 22 Aug 2016 16:56:09 +0300\r\n\r\nbody\r\n"
)


def test_a_stamp_that_names_neither_side_shows_its_own_words() -> None:
    # qmail's queue stamp names no client and no server: the hop row says what it does say
    # instead of blanks, in every format, and as text (markup and escapes neutralised).
    report = headerscope.analyze(QMAIL_QUEUE, offline=True)
    queue_hop = next(h for h in report.hops if "qmail" in h.raw)
    assert queue_hop.own_words() == "(qmail 13850 invoked from network)"
    assert next(h for h in report.hops if h.fields.by).own_words() is None
    text = " ".join(get_renderer("terminal", color=False, width=200).render(report).split())
    assert "(qmail 13850 invoked from network)" in text
    assert "[bold]x[/bold]" in text and "\x1b" not in text
    assert "| (qmail 13850 invoked from network) |" in get_renderer("markdown").render(report)
    assert '<span class="muted">(qmail 13850 invoked from network)</span>' in get_renderer("html").render(report)
    # A stamp of a date alone (a paste's "Received: Sat, 8 Apr 2023 ...", no ";") says nothing
    # else: no date in the "from" column.
    dated = headerscope.analyze(b"Received: Sat, 8 Apr 2023 22:48:25 -0700 (PDT)\r\n" + QMAIL_QUEUE, offline=True)
    assert dated.hops[-1].fields.timestamp == "2023-04-08T22:48:25-07:00"
    assert dated.hops[-1].own_words() is None
    # Words around a date without ";" are kept.
    assert headerscope.analyze(b"Received: (amavisd-new, port 10024) Sat, 8 Apr 2023 22:48:25 -0700\r\n" + QMAIL_QUEUE,
                               offline=True).hops[-1].own_words() == "(amavisd-new, port 10024)"


def test_a_stamp_of_a_with_clause_alone_names_no_client() -> None:
    # ECARTIS expanding a list writes "Received: with ECARTIS (v1.0.0; list NAME); date": no from
    # clause, so the from column stays empty instead of repeating the with clause.
    raw = (b"Received: with ECARTIS (v1.0.0; list linux-mips); Tue, 26 Nov 2002 03:16:30 +0100 (MET)\r\n"
           b"Received: from out.example.com (out.example.com [192.0.2.9]) by lists.example.org with ESMTP id 1; "
           b"Tue, 26 Nov 2002 03:16:19 +0100\r\n"
           b"From: a@example.com\r\nDate: Tue, 26 Nov 2002 03:16:10 +0100\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    ecartis = report.hops[-1]
    assert (ecartis.fields.protocol, ecartis.own_words()) == ("ECARTIS", None)
    rows = [line for line in get_renderer("terminal", color=False, width=200).render(report).splitlines()
            if line.startswith("2 ")]
    assert len(rows) == 1 and "ECARTIS" in rows[0] and "with ECARTIS" not in rows[0] and "—" in rows[0]
    assert "with ECARTIS" not in get_renderer("markdown").render(report).split("### Hops", 1)[1].split("###")[0]


def _changed_body_signature(domain: str) -> bytes:
    # A well-formed signature whose bh= cannot match the body: found offline, without the key.
    return (f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=x; h=from:subject;\r\n"
            f" bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n").encode()


def test_headline_says_a_repeated_warning_once_naming_each_signature() -> None:
    tail = (b"Received: from mx.sender.example (mx.sender.example [203.0.113.9]) by mx.example.net with ESMTP;"
            b" Mon, 2 Nov 2026 10:00:05 +0000\r\n"
            b"From: a@sender.example\r\nSubject: s\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nchanged body\r\n")
    two_domains = _changed_body_signature("sender.example") + _changed_body_signature("esp.example") + tail
    report = headerscope.analyze(two_domains, offline=True)
    assert [f.subject for f in report.findings if f.id == "dkim.body_changed"] == [
        "dkim sender.example/x", "dkim esp.example/x"]
    lines = get_renderer("terminal", color=False, width=200).render(report).splitlines()
    headline = [line for line in lines if line.startswith("  ! ")]
    assert headline.count("  ! Body changed after DKIM signing (sender.example/x, esp.example/x)") == 1
    assert not [line for line in headline if line == "  ! Body changed after DKIM signing"]
    # A relay that added the same signature twice: one finding, one line.
    twice = _changed_body_signature("sender.example") * 2 + tail
    report = headerscope.analyze(twice, offline=True)
    assert len([f for f in report.findings if f.id == "dkim.body_changed"]) == 1
    lines = get_renderer("terminal", color=False, width=200).render(report).splitlines()
    assert [line for line in lines if "Body changed" in line and line.startswith("  ! ")] == [
        "  ! Body changed after DKIM signing"]


def test_a_client_name_only_its_greeting_gives_is_marked_as_such() -> None:
    # Exim's "from [193.47.61.161] (helo=server.example)": the name is the client's claim, not a
    # reverse lookup; a name the receiver's lookup confirmed stays bare.
    raw = (b"Received: from lists.example.net (lists.example.net [216.105.38.7]) by mx.example.org with ESMTPS id 2;"
           b" Sat, 29 Oct 2022 09:55:53 +0000\r\n"
           b"Received: from [193.47.61.161] (helo=server.example) by lists.example.net with esmtp (Exim 4.95)"
           b" id 1; Sat, 29 Oct 2022 09:55:27 +0000\r\n"
           b"From: a@server.example\r\nDate: Sat, 29 Oct 2022 09:55:21 +0000\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    text = get_renderer("terminal", color=False, width=200).render(report)
    assert "helo=server.example" in text and "helo=lists.example.net" not in text
    markdown = get_renderer("markdown").render(report)
    assert "| helo=server.example \\[193.47.61.161\\] |" in markdown
    assert "| lists.example.net \\[216.105.38.7\\] |" in markdown


def test_a_uucp_hops_neighbour_is_not_shown_as_a_helo() -> None:
    # UUCP has no HELO: the name in "from NAME by HOST with UUCP" is the neighbour system the
    # receiver called or was called by (RFC 976). JSON keeps it in from_helo.
    raw = (b"Received: from relay.example.edu by mx.example.org via TCP with SMTP id AA2; "
           b"Tue, 5 Feb 91 00:44:57 EST\r\n"
           b"Received: from decvax.example.com by relay.example.edu (5.61/1.14) with UUCP id AA1; "
           b"Mon, 4 Feb 91 17:12:29 -0500\r\n"
           b"From: a@decvax.example.com\r\nDate: Mon, 4 Feb 91 17:06:45 EST\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert report.hops[0].fields.from_helo == "decvax.example.com"
    text = get_renderer("terminal", color=False, width=200).render(report)
    assert "uucp peer decvax.example.com" in text and "helo=decvax.example.com" not in text
    assert "helo=relay.example.edu" in text  # the SMTP hop above keeps its label
    markdown = get_renderer("markdown").render(report)
    assert "| uucp peer decvax.example.com |" in markdown


def test_the_route_quotes_the_domains_the_message_names_not_an_operators_other_name() -> None:
    # Proton's MX is under protonmail.ch; merging operator aliases (for the trust boundary) gave
    # "→ proton.me", a domain the message never names (a postmaster greps logs for what it shows).
    raw = (b"Received: from mail.kagoya.net (mail.kagoya.net [203.0.113.5]) by mailin028.protonmail.ch with ESMTPS"
           b" id 1; Wed, 6 Sep 2023 01:02:03 +0000\r\n"
           b"From: a@kagoya.net\r\nDate: Wed, 6 Sep 2023 01:02:00 +0000\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert report.hops[0].organization == "proton.me"  # one operator, for the boundary's reasoning
    text = " ".join(get_renderer("terminal", color=False, width=200).render(report).split())
    assert "through kagoya.net → protonmail.ch" in text and "proton.me" not in text.split("Trust boundary")[0]


def test_an_unread_stamp_date_does_not_squeeze_the_hop_table() -> None:
    # A paste that ran every field onto the Received line: the text after its last ";" is no
    # date. Shown uncut in the unwrapped date column, it left the other columns no width.
    junk = "charset=us-ascii Message-ID: <6959760.1234.qm@web12345.mail.yahoo.com> X-Mailer: YahooMailWebService"
    raw = (b"Received: from [198.51.100.7] by web12345.mail.yahoo.com via HTTP; " + junk.encode() + b"\r\n"
           b"From: a@yahoo.com\r\nSubject: s\r\n\r\nbody\r\n")
    text = get_renderer("terminal", color=False, width=160).render(headerscope.analyze(raw, offline=True))
    hop_table = text.split("Hops (earliest first)")[1].split("Envelope vs. headers")[0]
    assert "198.51.100.7" in hop_table and "web12345.mail.yahoo.com" in hop_table
    assert "YahooMailWebService" not in hop_table


def _offline_story(raw: bytes) -> str:
    """The terminal report of an offline analysis, its white space runs made single spaces."""
    return " ".join(get_renderer("terminal", color=False, width=200).render(headerscope.analyze(raw, offline=True))
                    .split())


def test_a_missing_sender_and_the_recipients_read_as_two_statements() -> None:
    # "No From: in the pasted header to x@y" read as if the header had been sent to nobody.
    paste = (b"Received: from mx.example.net (mx.example.net [192.0.2.5]) by mail.dest.example with ESMTP id 1; "
             b"Mon, 2 Mar 2026 10:00:00 +0000\r\nTo: autorespond@dest.example\r\nSubject: test\r\n")
    text = _offline_story(paste)
    assert "No From: in the pasted header; To: autorespond@dest.example, subject “test”." in text


def test_an_spf_row_with_no_inputs_says_so_in_words() -> None:
    # A qmail list hop recording neither side: the row read "? for ? (HELO ?)".
    raw = (b"Received: (qmail 24023 invoked from network); 5 Mar 2008 10:00:00 -0000\r\n"
           b"From: a@example.org\r\nSubject: s\r\nDate: Wed, 5 Mar 2008 09:59:59 +0000\r\n\r\nbody\r\n")
    text = _offline_story(raw)
    assert "no client IP, MAIL FROM or HELO recorded" in text and "? for ? (HELO ?)" not in text


def test_an_spf_row_names_each_missing_input_in_words() -> None:
    # "? for ? (HELO x.y.test)": which of them was missing had to be guessed.
    raw = (b"Received: from x.y.test by mx.dest.example with SMTP id 1; Wed, 5 Mar 2008 10:00:00 -0000\r\n"
           b"From: a@example.org\r\nSubject: s\r\nDate: Wed, 5 Mar 2008 09:59:59 +0000\r\n\r\nbody\r\n")
    text = _offline_story(raw)
    assert "client not recorded, MAIL FROM not recorded, HELO x.y.test" in text


def test_a_long_finding_explanation_keeps_its_conclusion() -> None:
    # Explanations of 800 to 2,100 characters occur (a compauth verdict beside every recorded
    # result): cut at 800, the terminal lost their last sentence.
    import dataclasses

    from headerscope.model import Finding, Severity

    report = headerscope.analyze(b"From: a@example.org\r\nSubject: s\r\n\r\nbody\r\n", offline=True)
    long = Finding(id="hops.slow_hop", severity=Severity.WARNING, title="Long",
                   explanation="word " * 300 + "and so the conclusion.")
    text = " ".join(get_renderer("terminal", color=False, width=200).render(
        dataclasses.replace(report, findings=(long,))).split())
    assert "and so the conclusion." in text


def test_a_paste_that_starts_in_the_receivers_own_filter_loop_says_so_in_the_journey() -> None:
    # Zimbra: Postfix to amavisd-new and back, LMTP to mailboxd; the arrival hop is not pasted.
    # Hops 1-2 are the receiving host's own hand-overs, not "claims of earlier servers".
    raw = (b"Received: from mail.city.example (LHLO mail.city.example) (198.51.100.118) by mail.city.example with "
           b"LMTP; Mon, 18 Dec 2017 12:06:19 -0300 (BRT)\n"
           b"Received: from localhost (localhost.city.example [127.0.0.1]) by mail.city.example (Postfix) with ESMTP "
           b"id 714E1EE83C1 for <ana@city.example>; Mon, 18 Dec 2017 12:06:19 -0300 (BRT)\n"
           b"Received: from mail.city.example ([127.0.0.1]) by localhost (mail.city.example [127.0.0.1]) "
           b"(amavisd-new, port 10024) with ESMTP id bAyUx_i3qbat for <ana@city.example>; "
           b"Mon, 18 Dec 2017 12:06:18 -0300 (BRT)\n")
    story = _offline_story(raw)
    assert ("Trust boundary: hop 3, where mail.city.example accepted it from 198.51.100.118; hops 1–2, before it, are "
            "hand-overs to and from a content filter on the receiving side, and the hop where the message arrived is "
            "not in this copy.") in story
    # The same loop on the sender's side, below a boundary where the message came from outside, is its claim.
    sender = (b"Received: from mail.sender.example (mail.sender.example [192.0.2.7]) by mx.receiver.example with ESMTP "
              b"id 9; Mon, 18 Dec 2017 12:06:21 -0300\n" + raw.replace(b"LMTP;", b"ESMTP;"))
    assert "hops 1–3, before it, are claims of earlier servers, not evidence." in _offline_story(sender)


def test_the_route_names_mail_systems_not_a_submitting_users_access_network() -> None:
    # sendmail's authenticated submission from a dynamic DSL address, then Cyrus LMTP: the DSL
    # provider carried no mail; it is where the author's device was.
    raw = (b"Received: from murder ([unix socket]) (authenticated user=support bits=0) by mail1.provider.example "
           b"(Cyrus v2.3.7) with LMTPA; Sat, 14 Feb 2009 07:47:59 -0500\r\n"
           b"Received: from laptop.lan (54.pool85-53-5.dynamic.access.example [85.53.5.54]) (authenticated bits=0) "
           b"by mail1.provider.example (8.13.8/8.13.8) with ESMTP id n1EClvSd008356 (version=TLSv1/SSLv3 "
           b"cipher=AES128-SHA bits=128 verify=NO) for <support@provider.example>; Sat, 14 Feb 2009 07:47:58 -0500\r\n"
           b"From: W <w@provider.example>\r\nTo: support@provider.example\r\nSubject: s\r\n"
           b"Date: Sat, 14 Feb 2009 13:47:56 +0100\r\n\r\nx\r\n")
    story = _offline_story(raw)
    assert "Travelled 2 hops through provider.example, submitted from an address of access.example, in 3s." in story
    # A relay's client is a mail system: it stays in the route.
    relayed = raw.replace(b" (authenticated bits=0)", b"").replace(b"laptop.lan", b"mx.access.example")
    assert "Travelled 2 hops through access.example → provider.example in 3s." in _offline_story(relayed)


def test_the_route_says_a_cloud_instances_default_name_is_not_an_organisation() -> None:
    # Review V 07: "through ec2-52-10-201-128.us-west-2.compute.amazonaws.com → google.com" named the
    # instance's default name (a Public Suffix List private suffix) as an organisation.
    raw = (b"Received: by 10.194.205.133 with SMTP id lg5csp447424wjc; Sat, 21 Feb 2015 18:48:38 -0800 (PST)\r\n"
           b"Received: from panel.dinfra.mx (ec2-52-10-201-128.us-west-2.compute.amazonaws.com. [52.10.201.128]) by "
           b"mx.google.com with ESMTP id j6si5476792pdo.204; Sat, 21 Feb 2015 18:48:37 -0800 (PST)\r\n"
           b"Received: by panel.dinfra.mx (Postfix, from userid 48) id 01AD5A1820E; Sun, 22 Feb 2015 02:48:35 +0000\r\n"
           b"From: Equipo Dinfra <info@dinfra.mx>\r\nTo: xxx@gmail.com\r\nSubject: s\r\n"
           b"Date: Sat, 21 Feb 2015 20:48:35 -0600\r\n\r\nx\r\n")
    assert "Travelled 3 hops through an AWS EC2 instance → google.com" in _offline_story(raw)


def test_authentication_explanations_are_wrapped_not_cut() -> None:
    # An explanation's remedy comes last ("give --client-ip"): the table wraps it, never cuts it.
    import dataclasses
    import re

    from report_factory import make_report

    report = make_report()
    assert report.spf is not None
    why = ("not checked: the arrival hop is missing. This copy stops before the hop where the message arrived; "
           "hop 1's client is a hand-over inside the receiving side, not the server that sent the message, and "
           "no result relied on names that server (one in the receiver's name that is not relied on may: the "
           "findings say which) " * 2 + "; give --client-ip")
    report = dataclasses.replace(report, spf=dataclasses.replace(report.spf, explanation=why))
    text = get_renderer("terminal", color=False).render(report)
    flat = re.sub(r"[\s│]+", " ", text)
    assert "the findings say which) ; give --client-ip" in flat


def test_the_from_aligned_signature_is_listed_among_many() -> None:
    # Verification V8: 50 junk signatures above the From: domain's own pushed it into the
    # table's hidden "N more signatures" row. The listed rows now put aligned ones first,
    # each under its own number, in the terminal, Markdown and HTML alike.
    import dataclasses

    from report_factory import make_report

    from headerscope.render.html import HtmlRenderer
    from headerscope.render.markdown import MarkdownRenderer
    from headerscope.render.terminal import TerminalRenderer

    report = make_report()
    template = report.dkim[0]
    junk = [dataclasses.replace(template, index=i, domain=f"news{i}.example", aligned=False) for i in range(50)]
    own = dataclasses.replace(template, index=50, domain="example.com", selector="own2026", aligned=True)
    report = dataclasses.replace(report, dkim=(*junk, own))
    assert report.dkim_listed(40)[0] is own and len(report.dkim_listed(40)) == 40
    terminal = TerminalRenderer(width=200).render(report)
    assert "DKIM #51" in terminal and "s=own2026" in terminal
    assert "own2026" in MarkdownRenderer().render(report)
    assert "own2026" in HtmlRenderer().render(report)


def test_a_partly_read_hop_has_its_star_explained() -> None:
    # Hops whose Received was only partly read are numbered "6*": the mark needs a legend.
    raw = (b"Received: from relay.example (relay.example [192.0.2.7]) by mx.example.net gobbledygook words; "
           b"Mon, 2 Nov 2026 10:00:05 +0000\r\nFrom: a@example.org\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n")
    text = get_renderer("terminal", color=False).render(headerscope.analyze(raw, offline=True))
    assert "1*" in text
    assert "* the Received field was only partly read" in text
    plain = get_renderer("terminal", color=False).render(headerscope.analyze(HOSTILE, offline=True))
    assert "only partly read" not in plain


def test_a_dumb_terminal_gets_no_colour_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    # TERM=dumb (Emacs's shell, a serial console) shows escape sequences as text; the renderer
    # forces rich's terminal mode, so the CLI has to ask (verification V40: 35 escapes).
    from headerscope import cli

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert cli._use_color(None, None)
    monkeypatch.setenv("TERM", "dumb")
    assert not cli._use_color(None, None)
    assert cli._progress(True) is None
    assert cli._use_color(None, True)  # --color still colours


def test_the_width_is_the_terminals_own_down_to_40_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    from headerscope import cli

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    for columns, width in (("40", 40), ("64", 64), ("80", 80), ("20", 40), ("500", 200)):
        monkeypatch.setenv("COLUMNS", columns)
        assert cli._terminal_width(None) == width, columns
    monkeypatch.delenv("COLUMNS")
    assert cli._terminal_width("out.txt") == 110
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert cli._terminal_width(None) == 110  # a pipe, COLUMNS not set: the fixed width


def test_a_pipe_or_a_file_takes_the_width_columns_sets(monkeypatch: pytest.MonkeyPatch) -> None:
    # `COLUMNS=160 headerscope analyze x.eml | less` (or `> file`, `-o file`): an explicit COLUMNS is
    # the width asked for, held to the terminal's bounds; rich's own reading of COLUMNS never came
    # into it, as the renderer is given a width. Anything that is no positive whole number is no width.
    from headerscope import cli

    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    for columns, width in (("160", 160), ("64", 64), (" 90 ", 90), ("20", 40), ("500", 200), ("9" * 5000, 110),
                           ("0", 110), ("-80", 110), ("80px", 110), ("", 110), ("\u0668\u0660", 110)):
        monkeypatch.setenv("COLUMNS", columns)
        assert cli._terminal_width(None) == width, columns
        assert cli._terminal_width("out.txt") == width, columns
    # Through the command: the rules of the report's hop table are as wide as asked.
    from click.testing import CliRunner

    sample = str(SAMPLES / "spoofed.eml")
    for columns, width in (("150", 150), (None, 110)):
        env = {"COLUMNS": columns} if columns else {}
        result = CliRunner().invoke(cli.cli, ["analyze", "--offline", sample], env=env)
        assert result.exit_code == 0, result.output
        assert max(len(line) for line in result.output.splitlines()) == width, columns


@pytest.mark.parametrize("width", [40, 64, 80])
def test_a_narrow_terminal_stacks_each_hops_fields(width: int) -> None:
    # At 80 columns the nine-column hop table cut host names into slivers ("wi/th", "helo=[" /
    # "192.16"); below the table's width each hop's fields stand one below the other, whole.
    from headerscope.dns.snapshot import SnapshotResolver

    report = headerscope.analyze((SAMPLES / "direct.eml").read_bytes(), now=datetime(2026, 11, 27, tzinfo=timezone.utc),
                                 resolver=SnapshotResolver.from_file(SAMPLES / "direct.dns.json"))
    text = get_renderer("terminal", color=False, width=width).render(report)
    assert max(len(line) for line in text.splitlines()) <= width
    hops = text.split("Hops (earliest first)", 1)[1].split("Envelope vs. headers", 1)[0]
    lines = [line.rstrip() for line in hops.splitlines()]
    assert "1  received  2026-11-26 09:12:42-08:00" in lines or "1  received  2026-11-26 09:12:42-08:00  +1s" in lines
    for whole in ("   from      helo=[192.168.1.23]", "             (dyn-23.cable.example.org)",
                  "             [198.51.100.23]", "   by        submit.example.com", "   with      ESMTPSA",
                  "   role      MTA  boundary"):
        assert whole in lines, whole
    wide = get_renderer("terminal", color=False, width=110).render(report)
    assert "# ┃ received" in wide and "   by        submit.example.com" not in wide


def _mail_loop(loop_hops: int) -> bytes:
    """samples/direct.eml under ``loop_hops`` more Received fields of two MXes passing it back and
    forth (Exim's shape, as in samples/mailing-list.eml): RFC 5321 section 6.3 asks for a hop
    limit of at least 100, so such a message is delivered, or bounced with all of them."""
    from conftest import SAMPLES

    stamps = []
    for number in range(loop_hops, 0, -1):
        sender, receiver = ("mx1", "mx2") if number % 2 else ("mx2", "mx1")
        address = "198.51.100.41" if sender == "mx1" else "198.51.100.40"
        stamps.append(f"Received: from {sender}.example.net ([{address}] helo={sender}.example.net)\r\n"
                      f"\tby {receiver}.example.net with esmtp (Exim 4.97.1)\r\n"
                      f"\t(envelope-from <alice@example.com>)\r\n\tid 1vQ2Xz-00A3bC-{number:02d}\r\n"
                      f"\tfor bob@example.net;\r\n\tFri, 27 Nov 2026 03:{20 + number // 60:02d}:{number % 60:02d} +0000\r\n")
    return "".join(stamps).encode() + (SAMPLES / "direct.eml").read_bytes()


def test_hops_left_out_of_a_long_loop_do_not_squeeze_the_hop_table() -> None:
    # Verification V40e: past 60 hops the "N hops not shown" line went into the unwrapped
    # "received" column, which rich sized to it: every other column was cut to 6 characters
    # ("mx-out / 1.exam / ple.co / m"). The line is said below the table; the columns are those
    # of a table of 60 hops, where nothing is left out.
    def hop_table(loop_hops: int) -> str:
        report = headerscope.analyze(_mail_loop(loop_hops), offline=True)
        text = get_renderer("terminal", color=False).render(report)
        return text.split("Hops (earliest first)")[1].split("Envelope vs. headers")[0]

    whole, cut = hop_table(56), hop_table(60)  # 4 hops of direct.eml's own: 60 and 64 in all
    assert "not shown" not in whole
    assert whole.splitlines()[1] == cut.splitlines()[1]  # the column heads, where they were
    assert "mx1.example.net" in cut and "mx2.example.net" in cut  # not cut into pieces
    rows = cut.splitlines()
    assert rows[-2] == "… 4 hops between hop 20 and hop 25 not shown (see --format json)"
    # In the table, only "…" marks where they were left out.
    assert any(row.startswith("…  │") and set(row[1:]) <= set(" │") for row in rows)


def test_hidden_characters_in_a_finding_title_from_the_from_name_are_marked_as_in_html() -> None:
    # A finding's title that quotes the From: name ("From: names no address (only the name “...”)",
    # "From: holds text that is no address (...)") lost its U+202E / U+200B silently in the terminal,
    # in the top lines and in the findings list, while the HTML marks them: marked in both places,
    # in the explanation under it, the envelope difference and the envelope table's From: cell too.
    import base64
    import re

    from headerscope.render.html import HtmlRenderer

    def encoded(text: str) -> str:
        return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="

    received = ("Received: from mail.sender.example (mail.sender.example [203.0.113.66]) by mx1.fabrikam.example "
                "(Postfix) with ESMTPS id 4dKtR12Pq0z1xBc; Fri, 27 Nov 2026 03:18:30 +0000\r\n")
    rest = "To: lee@fabrikam.example\r\nSubject: hi\r\nDate: Fri, 27 Nov 2026 03:17:55 +0000\r\n\r\nbody\r\n"
    for from_field, finding_id, marked in (
            (encoded("Pay\u202elaPyaP Support") + " <>\r\nReply-To: help@collect.example",
             "envelope.reply_to_other_domain", "Pay⟨U+202E⟩laPyaP Support"),
            (encoded("Microsoft\u200b account team") + " ,_<no-reply@sender.example>",
             "envelope.from_not_an_address", "Microsoft⟨U+200B⟩ account team")):
        report = headerscope.analyze((received + f"From: {from_field}\r\n" + rest).encode(), offline=True)
        finding = next(f for f in report.findings if f.id == finding_id)
        assert marked.replace("⟨U+202E⟩", "\u202e").replace("⟨U+200B⟩", "\u200b") in finding.title
        title = finding.title.replace("\u202e", "⟨U+202E⟩").replace("\u200b", "⟨U+200B⟩")
        assert marked in title
        html_titles = re.findall(r'<span class="title">([^<]*)</span>', HtmlRenderer().render(report))
        assert any(marked in t for t in html_titles), html_titles  # the HTML's marker, the terminal's too
        text = get_renderer("terminal", color=False, width=400).render(report)
        lines = text.splitlines()
        assert f"  ! {title}" in lines, [line for line in lines if line.startswith("  ! ")]
        listed = next(line for line in lines if line.endswith(f"[{finding_id}]"))
        assert listed.startswith(f"warning {title} ("), listed
        explanation = " ".join(lines[lines.index(listed) + 1:lines.index(listed) + 4])
        assert marked in explanation, explanation
        if finding_id == "envelope.reply_to_other_domain":  # the other's From: entry is the encoded-word
            assert any(line.startswith("MAIL FROM") and f"From: {marked} <>" in line for line in lines), lines
            assert any(line.startswith("  • reply_to_domain: ") and marked in line for line in lines), lines
        assert "\u202e" not in text and "\u200b" not in text


def test_hidden_characters_in_the_sender_and_subject_line_are_marked_as_in_the_other_formats() -> None:
    # Verification V40e: the opening line showed "From invoicegpj.exe", dropping the U+202E that
    # turns "exe.jpg" around (and an escape or NUL without a mark), while the HTML and Markdown
    # reports, and the terminal's own attachment names, show ⟨U+202E⟩. The From: name, the
    # recipients and the Subject are the sender's text: marked, never obeyed.
    import base64

    from headerscope.render.html import HtmlRenderer

    def encoded(text: str) -> str:
        return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="

    name, to_name = encoded("invoice\u202egpj.exe"), encoded("lee\u200b")
    subject_field = encoded("invoice\u202egpj.exe \x1b[2J\x1b[31mRED\x1b[0m a\x00b")
    raw = ("Received: from mail.sender.example (mail.sender.example [203.0.113.66]) by mx1.fabrikam.example "
           "(Postfix) with ESMTPS id 4dKtR12Pq0z1xBc; Fri, 27 Nov 2026 03:18:30 +0000\r\n"
           f"From: {name} <security@sender.example>\r\nTo: {to_name} <lee@fabrikam.example>\r\n"
           f"Subject: {subject_field}\r\nDate: Fri, 27 Nov 2026 03:17:55 +0000\r\n\r\nbody\r\n").encode()
    report = headerscope.analyze(raw, offline=True)
    text = get_renderer("terminal", color=False, width=200).render(report)
    story = next(line for line in text.splitlines() if line.startswith("From "))
    assert story.startswith("From invoice⟨U+202E⟩gpj.exe <security@sender.example> to lee@fabrikam.example, subject ")
    subject = "invoice⟨U+202E⟩gpj.exe ⟨U+001B⟩[2J⟨U+001B⟩[31mRED⟨U+001B⟩[0m a⟨U+0000⟩b"
    assert f"“{subject}”" in story
    assert subject in HtmlRenderer().render(report)  # as the HTML shows it
    assert not any(c in text for c in "\u202e\x1b\x00\u200b")
    for color in (False, True):  # nothing from the message acts on the terminal
        shown = get_renderer("terminal", color=color).render(report)
        assert "\u202e" not in shown and "\x1b[2J" not in shown and "\x00" not in shown
