"""Who the message was delivered to, and with which envelope sender, as the receiving side
recorded it: re-delivered copies, qmail's virtual domains, alias resolution, non-address
recipients (review AI items 1, 2, 3, 6, 7, 9; review AH D7). Messages are built here, in the
real formats of the programs that write them."""

from __future__ import annotations

from headerscope.api import analyze
from headerscope.model import Report

# amavisd-new behind Postfix: the quarantine's copy, delivered with the null sender to the local
# quarantine mailbox, with the original envelope kept in X-Envelope-From/-To.
AMAVIS_QUARANTINE = """\
Return-Path: <>
Delivered-To: spam-quarantine
X-Envelope-From: <root@vps1.sender.example>
X-Envelope-To: <carol@receiver.example>
X-Envelope-To-Blocked: <carol@receiver.example>
X-Quarantine-ID: <Qx7aBc12De3F>
X-Spam-Flag: YES
Received: from mx2.receiver.example ([192.168.10.26])
\tby localhost (spam.receiver.example [192.168.10.97]) (amavisd-new, port 10024)
\twith ESMTP id Qx7aBc12De3F for <carol@receiver.example>;
\tWed, 16 Mar 2016 21:47:21 +0100 (CET)
Received-SPF: None (no SPF record) identity=mailfrom; client-ip=198.51.100.215; helo=vps1.sender.example; envelope-from=root@vps1.sender.example; receiver=carol@receiver.example
Received: from vps1.sender.example (vps1.sender.example [198.51.100.215])
\tby mx2.receiver.example (Postfix) with ESMTPS id 98E24B16BA5
\tfor <carol@receiver.example>; Wed, 16 Mar 2016 21:47:21 +0100 (CET)
Received: by vps1.sender.example (Postfix, from userid 0)
\tid 864581E40479; Wed, 16 Mar 2016 21:06:21 +0100 (CET)
To: carol@receiver.example
Subject: Offer
Date: Wed, 16 Mar 2016 21:06:21 +0100
From: Shop <shop@freemail.example>
Message-ID: <7ef5c34de126c7de@localhost.localdomain>

body
"""


def _report(text: str) -> Report:
    return analyze(text.replace("\n", "\r\n").encode(), offline=True)


def _ids(report: Report) -> list[str]:
    return [f.id for f in report.findings]


def test_amavis_quarantine_copy_shows_the_accepted_sender_and_the_blocked_delivery() -> None:
    report = _report(AMAVIS_QUARANTINE)
    env = report.envelope
    # The MAIL FROM the receiver accepted, read from its own X-Envelope-From (above its Received).
    assert env.mail_from == "root@vps1.sender.example"
    assert (env.mail_from_source or "").startswith("X-Envelope-From (header 3)")
    assert "envelope.null_sender" not in _ids(report)
    assert "redelivered" in [d.kind for d in env.differences]
    quarantined = [f for f in report.findings if f.id == "envelope.quarantined_copy"]
    assert len(quarantined) == 1
    assert quarantined[0].title == "A quarantined copy: delivery to carol@receiver.example was blocked"


def test_redelivered_copy_without_quarantine_marks_uses_the_received_spf_record() -> None:
    text = "\n".join(line for line in AMAVIS_QUARANTINE.split("\n")
                     if not line.startswith(("X-Envelope-", "X-Quarantine-ID")))
    report = _report(text)
    assert report.envelope.mail_from == "root@vps1.sender.example"
    assert (report.envelope.mail_from_source or "").startswith("Received-SPF envelope-from")
    assert "envelope.redelivered_copy" in _ids(report)
    assert "envelope.quarantined_copy" not in _ids(report) and "envelope.null_sender" not in _ids(report)


def test_a_senders_own_envelope_fields_below_the_boundary_do_not_explain_a_null_sender() -> None:
    # A forger writes "X-Envelope-From" and the quarantine marks in its own header (below the
    # receiver's Received), and sends with MAIL FROM:<>: the receiver's Received-SPF says <>.
    forged = """\
Return-Path: <>
Delivered-To: carol@receiver.example
Received-SPF: None identity=helo; client-ip=198.51.100.215; helo=vps1.sender.example; envelope-from=<>; receiver=carol@receiver.example
Received: from vps1.sender.example (vps1.sender.example [198.51.100.215])
\tby mx2.receiver.example (Postfix) with ESMTPS id 98E24B16BA5
\tfor <carol@receiver.example>; Wed, 16 Mar 2016 21:47:21 +0100 (CET)
X-Envelope-From: <billing@bank.example>
X-Quarantine-ID: <Qx7aBc12De3F>
X-Envelope-To-Blocked: <carol@receiver.example>
To: carol@receiver.example
Subject: Invoice
Date: Wed, 16 Mar 2016 21:06:21 +0100
From: Bank <billing@bank.example>
Message-ID: <7ef5c34de126c7de@bank.example>

body
"""
    report = _report(forged)
    assert report.envelope.mail_from == ""
    assert "envelope.null_sender" in _ids(report)
    assert not {"envelope.quarantined_copy", "envelope.redelivered_copy"} & set(_ids(report))


# qmail with a virtual domain (control/virtualdomains "mails.shop.example:mails.shop.example"):
# qmail-local writes the prefixed form, then a .qmail-info-alert forward re-injects the message
# and the second delivery writes its own Delivered-To on top.
QMAIL_VIRTUAL_FORWARD = """\
Return-Path: <root@sender.example>
Delivered-To: noreply-alert@mails.shop.example
Received: (qmail 10745 invoked by uid 89); 13 Aug 2013 05:04:55 -0000
Delivered-To: mails.shop.example-info-alert@mails.shop.example
Received: (qmail 10742 invoked by uid 89); 13 Aug 2013 05:04:54 -0000
Received: from mail.sender.example (HELO mailserver.sender.example) (203.0.113.19)
  by mx.shop.example with SMTP; 13 Aug 2013 05:04:54 -0000
Date: 13 Aug 2013 10:34:39 +0530
Message-ID: <20130813050439.30310.qmail@mailserver.sender.example>
To: info-alert@mails.shop.example
From: postmaster@sender.example
Subject: Hello

body
"""


def test_qmail_virtual_domain_form_is_the_addressee_and_the_upper_delivered_to_a_forward() -> None:
    report = _report(QMAIL_VIRTUAL_FORWARD)
    by_rcpt = {d.envelope_value: d for d in report.envelope.differences}
    assert "bcc" not in [d.kind for d in report.envelope.differences]
    prefixed = by_rcpt["mails.shop.example-info-alert@mails.shop.example"]
    assert prefixed.kind == "alias" and prefixed.header_value == "info-alert@mails.shop.example"
    forwarded = by_rcpt["noreply-alert@mails.shop.example"]
    assert forwarded.kind == "forwarded"
    assert forwarded.header_value == "mails.shop.example-info-alert@mails.shop.example"


def test_a_prefixed_address_without_a_qmail_receiver_stays_a_possible_blind_copy() -> None:
    # The rule is qmail's: elsewhere "sales-info-alert@" is a mailbox of its own.
    text = (QMAIL_VIRTUAL_FORWARD.replace("Delivered-To: noreply-alert@mails.shop.example\n", "")
            .replace("Received: (qmail 10745 invoked by uid 89); 13 Aug 2013 05:04:55 -0000\n", "")
            .replace("Received: (qmail 10742 invoked by uid 89); 13 Aug 2013 05:04:54 -0000\n", ""))
    report = _report(text)
    assert [d.kind for d in report.envelope.differences if d.envelope_value ==
            "mails.shop.example-info-alert@mails.shop.example"] == ["bcc"]


def test_the_upper_delivered_to_of_a_forward_is_a_resolved_mailbox_not_another_rcpt_to() -> None:
    env = _report(QMAIL_VIRTUAL_FORWARD).envelope
    roles = dict(zip(env.rcpt_to, env.rcpt_to_roles, strict=True))
    assert roles == {"noreply-alert@mails.shop.example": "resolved_mailbox",
                     "mails.shop.example-info-alert@mails.shop.example": "rcpt"}


# Postfix's virtual(8)/local(8): X-Original-To is the recipient as received, Delivered-To the
# mailbox after the virtual alias expansion (DreamHost's layout).
POSTFIX_VIRTUAL = """\
Return-Path: <alice@sender.example>
X-Original-To: sam@shop.example
Delivered-To: m7438751@mx1.hosting.example
Received: from out.sender.example (out.sender.example [203.0.113.5])
\tby mx1.hosting.example (Postfix) with ESMTP id 7B1F2D0A
\tfor <sam@shop.example>; Tue, 10 Feb 2009 10:00:00 -0800 (PST)
From: Alice <alice@sender.example>
To: sam@shop.example
Subject: Hello
Date: Tue, 10 Feb 2009 09:59:58 -0800
Message-ID: <abc@sender.example>

body
"""

# Fastmail: X-Delivered-to is the RCPT TO, X-Resolved-to the mailbox its alias resolved to.
FASTMAIL_ALIAS = POSTFIX_VIRTUAL.replace(
    "X-Original-To: sam@shop.example\nDelivered-To: m7438751@mx1.hosting.example\n",
    "X-Delivered-to: sam@shop.example\nX-Resolved-to: sam.owner@fastmail.example\n")


def test_postfix_and_fastmail_resolved_mailboxes_are_shown_as_such() -> None:
    from headerscope.render import get_renderer

    for text, mailbox in ((POSTFIX_VIRTUAL, "m7438751@mx1.hosting.example"),
                          (FASTMAIL_ALIAS, "sam.owner@fastmail.example")):
        report = _report(text)
        env = report.envelope
        roles = dict(zip(env.rcpt_to, env.rcpt_to_roles, strict=True))
        assert roles == {"sam@shop.example": "rcpt", mailbox: "resolved_mailbox"}
        shown = " ".join(get_renderer("terminal", width=300).render(report).split())
        assert f"delivered to mailbox {mailbox} (after the receiver's alias expansion or forward)" in shown
        assert f"RCPT TO {mailbox}" not in shown
        markdown = get_renderer("markdown").render(report)
        assert "**RCPT TO (envelope):** sam@shop.example\n" in markdown
        assert f"(after the receiver's alias expansion):** {mailbox}" in markdown
        html = get_renderer("html").render(report)
        rcpt_cell = html.split("<dt>RCPT TO</dt>", 1)[1].split("</dd>", 1)[0]
        assert "sam@shop.example" in rcpt_cell and mailbox not in rcpt_cell
        mailbox_cell = html.split("<dt>Delivered to mailbox</dt>", 1)[1].split("</dd>", 1)[0]
        assert mailbox in mailbox_cell and "after the receiver's alias expansion or forward" in mailbox_cell


def test_recipients_that_are_no_address_are_shown() -> None:
    report = _report(AMAVIS_QUARANTINE)
    assert report.envelope.other_recipients == ("a local quarantine mailbox: spam-quarantine",)
    assert report.envelope.other_recipient_sources == ("Delivered-To (header 2)",)
    from headerscope.render import get_renderer

    html = get_renderer("html").render(report)
    assert "<dt>Delivered to</dt>" in html and "a local quarantine mailbox: spam-quarantine" in html
    # Ecartis's intake: its MDA piped the list's mail to the list manager (its field above the
    # receiving side's Received).
    above = "Return-Path: <alice@sender.example>\n"
    piped = _report(POSTFIX_VIRTUAL.replace(above, above + 'X-Envelope-To: <"|/home/ecartis/ecartis -s linux-mips"> '
                                                           "(uid 0)\n"))
    assert piped.envelope.other_recipients == ("a program: |/home/ecartis/ecartis -s linux-mips",)
    # The same field in the sender's own header (below every Received) is no delivery of the
    # receiver's (verification V9, N1b): a forger writes "Delivered-To: spam-quarantine" too.
    forged = _report(POSTFIX_VIRTUAL.replace("Subject: Hello\n", "Subject: Hello\nDelivered-To: spam-quarantine\n"
                                             'X-Envelope-To: <"|/usr/local/bin/release --approve">\n'))
    assert forged.envelope.other_recipients == ()
    # Bounded: a command line is cut.
    long = _report(POSTFIX_VIRTUAL.replace(above, above + 'X-Envelope-To: "|/bin/prog ' + "a" * 5000 + '"\n'))
    assert len(long.envelope.other_recipients[0]) < 230


def test_reply_to_display_name_warning_says_where_replies_go() -> None:
    report = _report(POSTFIX_VIRTUAL.replace("Subject: Hello\n", 'Subject: Hello\nReply-To: "me@mail.example" <alvin@mail.example>\n'))
    [warning] = [f for f in report.findings if f.id == "envelope.display_name_address"]
    assert "replies would go to alvin@mail.example" in warning.explanation
    assert "really from" not in warning.explanation


def test_an_empty_to_group_is_shown_as_written() -> None:
    # "To: undisclosed-recipients:;" names no address (an empty group, RFC 5322 section 3.4): the
    # mark of a message sent to Bcc recipients only, which the report showed as "To: —".
    from headerscope.render import get_renderer

    report = _report(POSTFIX_VIRTUAL.replace("To: sam@shop.example\n", "To: undisclosed-recipients:;\n"))
    assert report.envelope.to == () and report.envelope.to_without_address == "undisclosed-recipients:;"
    shown = " ".join(get_renderer("terminal", width=300).render(report).split())
    assert "To: undisclosed-recipients:; (an empty group: no recipient shown, RFC 5322 section 3.4)" in shown
    assert "- **To:** undisclosed-recipients:; (no address)" in get_renderer("markdown").render(report)
    assert "<code>undisclosed-recipients:;</code>" in get_renderer("html").render(report)
    named = _report(POSTFIX_VIRTUAL)
    assert named.envelope.to_without_address is None
    hostile = _report(POSTFIX_VIRTUAL.replace("To: sam@shop.example\n", "To: [bold]x[/bold] <script>;\n"))
    assert "<script>" not in get_renderer("html").render(hostile).split("<dt>To</dt>", 1)[1].split("</dd>", 1)[0]


DSN_TO_VERP = """\
Delivered-To: noreply-4592-1404-ryuzaki.arnold=gmail.com@karir.example
Received: from mx.karir.example (mx.karir.example [192.0.2.30])
\tby in.karir.example (Postfix) with ESMTP id AAA1 for <noreply-4592-1404-ryuzaki.arnold=gmail.com@karir.example>;
\tTue,  1 Jul 2014 05:02:06 +0700 (WIT)
Return-Path: <>
From: MAILER-DAEMON@mx.karir.example (Mail Delivery System)
To: noreply-4592-1404-ryuzaki.arnold=gmail.com@karir.example
Subject: Undelivered Mail Returned to Sender
Date: Tue,  1 Jul 2014 05:02:05 +0700 (WIT)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.karir.example

Final-Recipient: rfc822; ryuzaki.arnold@gmail.com
Action: failed
Status: 5.1.1

--B--
"""


def test_a_bounce_to_a_verp_address_names_the_recipient_it_is_about() -> None:
    report = _report(DSN_TO_VERP)
    [verp] = [d for d in report.envelope.differences if d.kind == "verp"]
    assert verp.envelope_value == "noreply-4592-1404-ryuzaki.arnold=gmail.com@karir.example"
    assert verp.header_value == "ryuzaki.arnold@gmail.com"
    # An ordinary message to such an address says nothing of the kind.
    ordinary = _report(DSN_TO_VERP.replace("Content-Type: multipart/report; report-type=delivery-status;",
                                           "Content-Type: multipart/mixed;")
                       .replace("Return-Path: <>", "Return-Path: <a@karir.example>")
                       .replace("MAILER-DAEMON@mx.karir.example (Mail Delivery System)", "a@karir.example")
                       .replace("Subject: Undelivered Mail Returned to Sender", "Subject: hello"))
    assert not [d for d in ordinary.envelope.differences if d.kind == "verp"]


GMAIL_FORWARD = """\
Delivered-To: palmer@dabbelt.example
Received: by 2002:aed:2963:: with SMTP id s90csp4254173qtd; Mon, 14 Oct 2019 02:14:50 -0700 (PDT)
Return-Path: <palmer+caf_=palmer=dabbelt.example@sifive.example>
Received: from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])
        by mx.google.com with SMTPS id x1sor; Mon, 14 Oct 2019 02:14:49 -0700 (PDT)
X-Forwarded-To: palmer@dabbelt.example
Delivered-To: palmer@sifive.example
Received: by 2002:a05:6504:749:: with SMTP id g9csp4150952ltq; Mon, 14 Oct 2019 02:14:48 -0700 (PDT)
Return-Path: <vsementsov@virtuozzo.example>
Received: from EUR01-HE1-obe.outbound.protection.outlook.com (mail-eopbgr130117.outbound.protection.outlook.com. [40.107.13.117])
        by mx.google.com with ESMTPS id y2si; Mon, 14 Oct 2019 02:14:48 -0700 (PDT)
Return-Path: <made-up@attacker.example>
From: Vladimir <vsementsov@virtuozzo.example>
To: qemu-devel@nongnu.example
Subject: Re: patch
Date: Mon, 14 Oct 2019 09:14:46 +0000
Message-ID: <1@virtuozzo.example>

"""


def test_an_earlier_delivery_inside_the_receiver_keeps_its_mail_from() -> None:
    # Gmail's auto-forward: delivered first to palmer@sifive with the author's envelope sender
    # (the lower Return-Path, written by Google above its boundary Received), then again with
    # its "+caf_" form. A Return-Path below the boundary is the sender's to write: not read.
    from headerscope.render import get_renderer

    report = _report(GMAIL_FORWARD)
    env = report.envelope
    assert env.mail_from == "palmer+caf_=palmer=dabbelt.example@sifive.example"
    assert env.earlier_mail_from == ("vsementsov@virtuozzo.example",)
    assert env.earlier_mail_from_sources[0].startswith("Return-Path (header ")
    shown = " ".join(get_renderer("terminal", width=300).render(report).split())
    assert "MAIL FROM of an earlier delivery vsementsov@virtuozzo.example" in shown
    assert "made-up@attacker.example" not in " ".join(env.earlier_mail_from)
    assert "<code>vsementsov@virtuozzo.example</code>" in get_renderer("html").render(report)


def test_a_null_sender_spoof_is_no_redelivered_copy_without_a_stores_mark() -> None:
    # Verification V9, N1: the receiver recorded the identity SPF checks for the null reverse-path,
    # postmaster@ the HELO (RFC 7208 section 2.4), a name the sender chose; no quarantine's mark.
    spoof = (AMAVIS_QUARANTINE
             .replace("Delivered-To: spam-quarantine\n", "Delivered-To: carol@receiver.example\n")
             .replace("X-Envelope-From: <root@vps1.sender.example>\n", "")
             .replace("X-Envelope-To-Blocked: <carol@receiver.example>\n", "")
             .replace("X-Quarantine-ID: <Qx7aBc12De3F>\n", "")
             .replace("envelope-from=root@vps1.sender.example", "envelope-from=postmaster@vps1.sender.example"))
    report = _report(spoof)
    ids = {f.id for f in report.findings}
    assert "envelope.null_sender" in ids and not ids & {"envelope.redelivered_copy", "envelope.quarantined_copy"}
    assert report.envelope.mail_from == ""
    # With the quarantine's mark above the boundary, the postmaster@HELO identity is still not taken
    # for the MAIL FROM: nothing the receiver recorded names the sender's own address.
    marked = spoof.replace("Delivered-To: carol@receiver.example\n", "Delivered-To: spam-quarantine\n")
    assert _report(marked).envelope.mail_from == ""
    # The genuine quarantine copy keeps its reading.
    assert _report(AMAVIS_QUARANTINE).envelope.mail_from == "root@vps1.sender.example"


def test_a_to_the_sender_picks_does_not_explain_away_a_blind_copy_at_a_qmail_site() -> None:
    # Verification V9, N2: "corp-accounts-payable@" is a mailbox of its own; a To: "payable@" the
    # sender invented must not make it qmail's virtual-domain form of that To:. Only the prefix
    # vpopmail and Plesk give a virtual domain, the domain's own name, is read.
    text = (QMAIL_VIRTUAL_FORWARD.replace("Delivered-To: noreply-alert@mails.shop.example\n", "")
            .replace("mails.shop.example-info-alert@", "mails.shop.example-accounts-payable@")
            .replace("To: info-alert@mails.shop.example", "To: payable@mails.shop.example"))
    report = _report(text)
    assert [d.kind for d in report.envelope.differences if d.envelope_value ==
            "mails.shop.example-accounts-payable@mails.shop.example"] == ["bcc"]
    # The To: that the domain prefix really maps to: read as that addressee.
    mapped = text.replace("To: payable@mails.shop.example", "To: accounts-payable@mails.shop.example")
    assert [d.kind for d in _report(mapped).envelope.differences if d.envelope_value ==
            "mails.shop.example-accounts-payable@mails.shop.example"] == ["alias"]


FETCHMAIL = """\
Return-Path: <gkj@sender.example>
X-Original-To: gkj+person@localhost
Delivered-To: gkj+person@localhost
Received: from localhost (localhost [127.0.0.1])
\tby laptop.example (Postfix) with ESMTP id 1; Wed, 13 Jul 2005 17:23:16 -0400 (EDT)
Delivered-To: gkj@mailhost.example
Received: from localhost [127.0.0.1]
\tby localhost with POP3 (fetchmail-6.2.5)
\tfor gkj+person@localhost (single-drop); Wed, 13 Jul 2005 17:23:16 -0400 (EDT)
Received: from out.sender.example (out.sender.example [64.32.235.228])
\tby mailhost.example (Postfix) with ESMTP id 2; Wed, 13 Jul 2005 17:23:11 -0400 (EDT)
From: Gregory <gkj@sender.example>
To: gkj@sender.example
Subject: Sample message
Date: Wed, 13 Jul 2005 17:23:10 -0400
Message-ID: <1@sender.example>

body
"""


def test_a_download_between_two_deliveries_is_no_forward() -> None:
    # Verification V9: the lower Delivered-To was written by the mailbox fetchmail downloaded from.
    kinds = {d.envelope_value: d.kind for d in _report(FETCHMAIL).envelope.differences}
    assert kinds.get("gkj+person@localhost") == "local"
