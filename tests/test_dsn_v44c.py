"""Bounces of verification V44c (real shapes): Exchange Online's and Outlook.com's NDR that names
the recipient, the remote server and its multi-line reply in its diagnostic block; qmail's report
of a remote server's refusal; the address the sender wrote beside the one an alias made of it;
Gmail's multi-line reply in the delivery report's reason column."""

from __future__ import annotations

import time

import headerscope
from headerscope import mime
from headerscope.message import parse_message
from headerscope.mime import delivery_report, dsn_said, dsn_said_cell, joined_reply
from headerscope.render import get_renderer

# A real Outlook.com NDR of 2026 ("Undeliverable: Introduction and PHS summer schedule", from
# postmaster@outlook.com, a public archive): an inbox rule's forward that Gmail refused. Current
# Exchange writes "Remote server returned" (lower-case s), the remote server's line between the
# recipient and the reply, and Gmail's multi-line 5.7.26 reply joined into one line of 450 characters.
OUTLOOK_NDR = (
    "mx.google.com rejected your message to the following email addresses:\n\n"
    "jeffguiney@gmail.com<mailto:jeffguiney@gmail.com>\n"
    "Your message wasn't delivered. Please try resending the message.\n\n\n"
    "mx.google.com gave this error:\n"
    "Your email has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate "
    "with either SPF or DKIM. Authentication results: DKIM = did not pass SPF [hotmail.com] with ip: "
    "[2a01:111:f403:c10d::3] = did not pass For instructions on setting up authentication, go to "
    "https://support.google.com/mail/answer/81126#authentication d9443c01a7336-2bd5d35e228si248988955ad.161 - gsmtp\n\n\n"
    "Diagnostic information for administrators:\n\n"
    "Generating server: IA0PR12MB7699.namprd12.prod.outlook.com\n\n"
    "jeffguiney@gmail.com\n"
    "mx.google.com\n"
    "Remote server returned '550-5.7.26 Your email has been blocked because the sender is unauthenticated. "
    "550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM. 550-5.7.26 Authentication "
    "results: 550-5.7.26 DKIM = did not pass 550-5.7.26 SPF [hotmail.com] with ip: [2a01:111:f403:c10d::3] = did "
    "not pass 550-5.7.26 For instructions on setting up authentication, go to 550 5.7.26 "
    "https://support.google.com/mail/answer/81126#authentication d9443c01a7336-2bd5d35e228si248988955ad.161 - gsmtp'\n\n"
)
PASTED_HEADER = (
    "Original message headers:\n\n"
    "Received: from DM6PR12MB2971.namprd12.prod.outlook.com (2603:10b6:5:118::28)\n"
    " by IA0PR12MB7699.namprd12.prod.outlook.com (2603:10b6:208:431::7) with\n"
    " Microsoft SMTP Server (version=TLS1_2,\n"
    " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.21.25.23; Mon, 18 May\n"
    " 2026 17:31:43 +0000\n"
    "Resent-From: <jrguiney@hotmail.com>\n"
    "From: Jason Younker <jason@ynkr.org>\n"
    "To: jrguiney@hotmail.com\n"
    "Subject: Introduction and PHS summer schedule\n"
    "Date: Mon, 18 May 2026 10:31:20 -0700\n"
    "Message-ID: <ynkr-1@ynkr.org>\n"
)
# Another real one (a public archive, 2026-10-02, postmaster@microsoft.com): a display name before
# the address in the opening, and Gmail's 5.2.1 reply.
MICROSOFT_NDR = (
    "mx.google.com rejected your message to the following email addresses:\n\n"
    "Lindsay (noreply@github.com)<mailto:noreply@github.com>\n"
    "There's a problem with the recipient's mailbox. Please try resending your message. If the problem "
    "continues, please contact your email admin.\n\n\n"
    "Diagnostic information for administrators:\n\n"
    "Generating server: CH8PR21MB4887.namprd21.prod.outlook.com\n\n"
    "noreply@github.com\n"
    "mx.google.com\n"
    "Remote server returned '550-5.2.1 The user you are trying to contact is receiving mail at a rate that "
    "550-5.2.1 prevents additional messages from being delivered. For more 550-5.2.1 information, go to 550 5.2.1 "
    "https://support.google.com/mail/?p=ReceivingRatePerm 5614622812f47-4f569082759si2803290b6e.43 - gsmtp'\n\n"
)
# Exchange 2016 on premises refusing to relay (a Microsoft Q&A thread, the address redacted there as
# "@gmail.com"): its own server is the line between the recipient and "Remote Server returned".
ONPREM_NDR = (
    "EXCHANGE.local-domain.local rejected your message to the following email addresses:  \n\n"
    "   @gmail.com (@gmail.com)  \n\n"
    "   Diagnostic information for administrators:  \n\n"
    "   Generating server: EXCHANGE.local-domain.local  \n\n"
    "   @gmail.com  \n\n"
    "   EXCHANGE.local-domain.local  \n\n"
    "   Remote Server returned '550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain'  \n\n"
)


def test_exchange_onlines_diagnostic_block_names_recipient_remote_server_and_whole_reply() -> None:
    address, reply, remote = mime._exchange_diagnostic(OUTLOOK_NDR) or (None, "", None)
    assert (address, remote) == ("jeffguiney@gmail.com", "mx.google.com")
    # The whole reply, its continuation prefixes taken out (RFC 5321 section 4.2.1).
    assert reply.startswith("550 5.7.26 Your email has been blocked because the sender is unauthenticated. Gmail ")
    assert reply.endswith("d9443c01a7336-2bd5d35e228si248988955ad.161 - gsmtp") and "550-" not in reply
    assert mime._exchange_diagnostic(MICROSOFT_NDR)[::2] == ("noreply@github.com", "mx.google.com")  # type: ignore[index]
    # The redacted address is no address: the reply is read, no recipient or remote server is made up.
    assert mime._exchange_diagnostic(ONPREM_NDR) == (
        None, "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain", None)
    # Exchange 2010's line below the recipient reads as before.
    assert mime._exchange_diagnostic("Generating server: mx.corp.example\n\nbob@corp.example\n"
                                     "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##\n") == (
        "bob@corp.example", "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", None)
    # Two lines that are no host name between the address and the reply: no recipient is taken.
    assert mime._exchange_diagnostic("bob@corp.example\nsome words here\nmx.example\n"
                                     "Remote server returned '550 5.1.1 unknown'\n")[0] is None  # type: ignore[index]


def test_a_quote_inside_exchanges_reply_does_not_end_it_and_an_unclosed_one_is_bounded() -> None:
    line = ("bob@gmail.example\nmx.google.com\nRemote server returned '550-5.1.1 The email account that you tried "
            "to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos "
            "or 550-5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser x.1 - gsmtp'\n")
    assert mime._exchange_diagnostic(line)[1].endswith("unnecessary spaces. https://support.google.com/mail/"  # type: ignore[index]
                                                       "?p=NoSuchUser x.1 - gsmtp")
    # A reply that never closes within the bound is no diagnostic line; a long line costs linear time.
    assert mime._exchange_diagnostic("Remote server returned '550 5.1.1 " + "x" * 3000 + "'\n") is None
    started = time.process_time()
    mime._exchange_diagnostic(("Remote server returned '550 5.1.1 " + "'" * 1990 + "\n") * 300)
    assert time.process_time() - started < 2.0


def test_an_outlook_ndr_pasted_above_its_header_names_the_recipient_the_remote_server_and_its_reply() -> None:
    finding = mime.pasted_notice(OUTLOOK_NDR + PASTED_HEADER)
    assert finding is not None and finding.id == "dsn.unstructured"
    assert finding.title.startswith("Bounce pasted above the header: delivery to jeffguiney@gmail.com failed (5.7.26")
    assert "The server's reason: “550 5.7.26 Your email has been blocked" in finding.explanation
    assert "” (from mx.google.com). IA0PR12MB7699.namprd12.prod.outlook.com generated the report." in finding.explanation
    report = headerscope.analyze((OUTLOOK_NDR + PASTED_HEADER).encode(), offline=True)
    assert any(f.id == "dsn.unstructured" and "jeffguiney@gmail.com" in f.title for f in report.findings)


def test_the_newer_exchange_opening_names_the_recipient_in_each_form_outlook_keeps() -> None:
    found = [next(g for g in m.groups() if g) for text in (OUTLOOK_NDR, MICROSOFT_NDR,
             "contoso.com rejected your message to the following email addresses:\n\njane@contoso.com ( jane@contoso.com )\n")
             for m in mime._failed_recipient_re().finditer(text)][:3]
    assert found[0] == "jeffguiney@gmail.com" and "noreply@github.com" in found and "jane@contoso.com" in found
    assert not list(mime._failed_recipient_re().finditer(ONPREM_NDR))


def test_a_whole_outlook_ndr_without_a_report_part_names_the_recipient_and_the_remote_reply() -> None:
    ndr = ("Return-Path: <>\nFrom: postmaster@outlook.com\nTo: jrguiney@hotmail.com\n"
           "Subject: Undeliverable: Introduction and PHS summer schedule\nDate: Mon, 18 May 2026 17:31:44 +0000\n"
           "X-MS-Exchange-Message-Is-Ndr:\nMIME-Version: 1.0\nContent-Type: text/plain; charset=\"us-ascii\"\n\n"
           + OUTLOOK_NDR).encode()
    [finding] = [f for f in headerscope.analyze(ndr, offline=True).findings if f.id == "dsn.unstructured"]
    assert finding.title.startswith("Bounce: delivery to jeffguiney@gmail.com failed (5.7.26")
    assert "jeffguiney@gmail.com: “550 5.7.26 Your email has been blocked" in finding.explanation
    assert "the reply of mx.google.com as Exchange's diagnostic block quotes it" in finding.explanation


# qmail-remote.c's words for a remote refusal ("IP does not like recipient.", outsmtptext()'s "Remote
# host said:", qmail-send's "Giving up on IP."), as in a real LKML bounce of that shape, beside a
# local failure with qmail's own "(#5.1.1)".
QMAIL = (b"Return-Path: <>\nDelivered-To: alice@example.net\n"
         b"Received: (qmail 23456 invoked for bounce); 14 Nov 2023 10:00:05 -0000\n"
         b"Date: 14 Nov 2023 10:00:05 -0000\nFrom: MAILER-DAEMON@mail.example.net\nTo: alice@example.net\n"
         b"Subject: failure notice\n\n"
         b"Hi. This is the qmail-send program at mail.example.net.\n"
         b"I'm afraid I wasn't able to deliver your message to the following addresses.\n"
         b"This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
         b"<nobody@example.org>:\n192.0.2.5 does not like recipient.\n"
         b"Remote host said: 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual "
         b"mailbox table\nGiving up on 192.0.2.5.\n\n"
         b"<dave@example.com>:\nConnected to 198.51.100.7 but sender was rejected.\n"
         b"Remote host said: 553-5.7.1 Sender rejected\n553 5.7.1 see https://example.com/policy\n"
         b"Giving up on 198.51.100.7.\n\n"
         b"<carol@example.com>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
         b"--- Below this line is a copy of the message.\n\n"
         b"Return-Path: <alice@example.net>\nFrom: Alice <alice@example.net>\nTo: nobody@example.org\n"
         b"Subject: Quarterly figures\n\nHello.\n")


def test_a_qmail_remote_refusal_is_the_remote_servers_with_its_status() -> None:
    report = delivery_report(parse_message(QMAIL))
    assert report is not None
    nobody, dave, carol = report.recipients
    assert (nobody.status, nobody.remote_mta, nobody.diagnostic_code) == (
        "5.1.1", "192.0.2.5",
        "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual mailbox table")
    assert dsn_said(nobody, report.reporting_mta)[0] == "remote"
    # qmail's host line beside the reply is its own words (task mime46: which command was refused).
    assert dsn_said_cell(nobody, report.reporting_mta, mixed=True) == (
        "192.0.2.5: 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual mailbox table"
        "; reporting server (mail.example.net): 192.0.2.5 does not like recipient.")
    assert (dave.status, dave.remote_mta) == ("5.7.1", "198.51.100.7")
    assert dsn_said_cell(dave, report.reporting_mta, mixed=True) == (
        "198.51.100.7: 553 5.7.1 Sender rejected see https://example.com/policy"
        "; reporting server (mail.example.net): Connected to 198.51.100.7 but sender was rejected.")
    # qmail's own failure stays the reporting server's.
    assert (carol.status, carol.remote_mta, dsn_said(carol, report.reporting_mta)[0]) == ("5.1.1", None, "reporting")
    assert dsn_said_cell(carol, report.reporting_mta, mixed=True) == (
        "reporting server (mail.example.net): Sorry, no mailbox here by that name. (#5.1.1)")


POSTFIX_ALIAS = (
    b"Return-Path: <>\nX-Original-To: alice@example.net\nDelivered-To: alice@example.net\n"
    b"Date: Tue, 14 Nov 2023 10:00:07 +0000 (UTC)\n"
    b"From: MAILER-DAEMON@mail.example.net (Mail Delivery System)\nSubject: Undelivered Mail Returned to Sender\n"
    b"To: alice@example.net\nMIME-Version: 1.0\n"
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
    b"--B\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
    b"This is the mail system at host mail.example.net.\n\n"
    b"<bob@gmail.example> (expanded from <info@example.net>): host\n"
    b"    mx.gmail.example[192.0.2.27] said: 550 5.7.26 Unauthenticated email\n"
    b"    is not accepted from this domain (in reply to end of DATA command)\n\n"
    b"--B\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
    b"Reporting-MTA: dns; mail.example.net\nX-Postfix-Queue-ID: 4A1B2C3D4E\n\n"
    b"Final-Recipient: rfc822; bob@gmail.example\nOriginal-Recipient: rfc822;info@example.net\n"
    b"Action: failed\nStatus: 5.7.26\nRemote-MTA: dns; mx.gmail.example\n"
    b"Diagnostic-Code: smtp; 550 5.7.26 Unauthenticated email is not accepted from\n    this domain\n\n"
    b"--B--\n")


def test_the_address_the_sender_wrote_is_shown_beside_the_one_an_alias_made_of_it() -> None:
    report = headerscope.analyze(POSTFIX_ALIAS, offline=True)
    [finding] = [f for f in report.findings if f.id == "dsn.failed"]
    assert finding.title.startswith("Bounce: delivery to bob@gmail.example (sent to info@example.net) failed (5.7.26")
    assert ("bob@gmail.example (the sender wrote to info@example.net, its Original-Recipient: an alias, a forward or "
            "a rewrite on the way made it this address, so the failure is of that onward delivery): failed"
            ) in finding.explanation
    assert "bob@gmail.example (sent to" in get_renderer("terminal").render(report).replace("\n", " ")
    assert "| bob@gmail.example (sent to info@example.net) | failed |" in get_renderer("markdown").render(report)
    assert 'bob@gmail.example <span class="muted">(sent to info@example.net)</span>' in get_renderer("html").render(report)
    # The JSON keeps both fields as they were.
    [recipient] = report.to_dict()["delivery_report"]["recipients"]
    assert (recipient["final_recipient"], recipient["original_recipient"]) == ("bob@gmail.example", "info@example.net")
    # The same address twice (case aside) is no alias: nothing is added.
    same = headerscope.analyze(POSTFIX_ALIAS.replace(b"rfc822;info@example.net", b"rfc822;Bob@Gmail.example"),
                               offline=True)
    assert "sent to" not in get_renderer("markdown").render(same)
    assert not any("sent to" in f.title or "wrote to" in f.explanation for f in same.findings)


GMAIL_DIAGNOSTIC = (
    "550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the "
    "recipient's email address for typos or 550-5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser "
    "q1si123456pjb.1 - gsmtp")


def test_gmails_multi_line_reply_is_shown_without_its_continuation_prefixes() -> None:
    assert joined_reply(GMAIL_DIAGNOSTIC) == (
        "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the "
        "recipient's email address for typos or unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser "
        "q1si123456pjb.1 - gsmtp")
    # A one-line reply comes back as it was, whatever codes its text repeats.
    for single in ("550 5.1.1 plain 550 5.1.1 x", "554 5.7.1 quota of 550 MB", "", "250 OK"):
        assert joined_reply(single) == single
    # Without an enhanced code only the continuation marks and the last line's code go; the text's own
    # "550" stays.
    assert joined_reply("550-Line one 550-line two 550 last line of 550 MB") == "550 Line one line two last line of 550 MB"
    dsn = (b"Return-Path: <>\nFrom: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: me@gmail.com\n"
           b"Subject: Delivery Status Notification (Failure)\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/report; boundary=\"B\"; report-type=delivery-status\n\n"
           b"--B\nContent-Type: text/plain\n\n** Address not found **\n\n"
           b"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; googlemail.com\n\n"
           b"Final-Recipient: rfc822; jane.doe@acme.example\nAction: failed\nStatus: 5.1.1\n"
           b"Remote-MTA: dns; mx.acme.example. (192.0.2.4, the server for the domain acme.example.)\n"
           b"Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does\n not exist. Please try\n"
           b" 550-5.1.1 double-checking the recipient's email address for typos or\n"
           b" 550-5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser\n q1si123456pjb.1 - gsmtp\n\n"
           b"--B--\n")
    report = headerscope.analyze(dsn, offline=True)
    assert report.delivery_report is not None
    [recipient] = report.delivery_report.recipients
    assert recipient.diagnostic_code is not None and "550-5.1.1 double-checking" in recipient.diagnostic_code  # JSON as written
    cell = dsn_said_cell(recipient, "googlemail.com", mixed=False)
    assert cell is not None and "550-" not in cell and "Please try double-checking" in cell
    assert "550-5.1.1" not in get_renderer("markdown").render(report)
    [finding] = [f for f in report.findings if f.id == "dsn.failed"]
    assert "answered \"550 5.1.1 The email account" in finding.explanation and "550-" not in finding.explanation


# qmail-send.c gives up on a message that outlived its queue lifetime by appending "I'm not going
# to try again; this message has been in the queue too long." to the last deferral: the paragraph
# below is a real one quoted on LKML in 2005 (verification V45c D2), the second a greylisting's
# deferral in the same shape, the third qmail-local's text with its own code (Sisimai's sample).
QMAIL_EXPIRED = (b"Return-Path: <>\nFrom: MAILER-DAEMON@mail.example.net\nTo: alice@example.com\n"
                 b"Subject: failure notice\nDate: Mon, 30 Nov 2026 10:00:00 +0000\n\n"
                 b"Hi. This is the qmail-send program at mail.example.net.\n"
                 b"I'm afraid I wasn't able to deliver your message to the following addresses.\n"
                 b"This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
                 b"<drzeus-wbsd@drzeus.cx>:\nConnected to 213.115.189.212 but sender was rejected.\n"
                 b"Remote host said: 417 SPF error mailout.stusta.mhn.de: Address does not \npass the\n"
                 b"+Sender Policy Framework\n"
                 b"I'm not going to try again; this message has been in the queue too long.\n\n"
                 b"<bob@example.org>:\n192.0.2.5 does not like recipient.\n"
                 b"Remote host said: 450 4.2.0 <bob@example.org>: Recipient address rejected: Greylisted\n"
                 b"I'm not going to try again; this message has been in the queue too long.\n\n"
                 b"<kijitora@example.net>:\nUnable to contact LDAP server. (#4.4.3)I'm not going to try again; this\n"
                 b"message has been in the queue too long.\n\n"
                 b"--- Below this line is a copy of the message.\n\n"
                 b"Return-Path: <alice@example.com>\nFrom: alice@example.com\nTo: bob@example.org\nSubject: hi\n\n"
                 b"Hello.\n")
_GAVE_UP = "I'm not going to try again; this message has been in the queue too long."


def _qmail_one(paragraph: int) -> bytes:
    """QMAIL_EXPIRED with only its recipient paragraph number ``paragraph`` (0, 1, 2)."""
    head, _, rest = QMAIL_EXPIRED.partition(b"<drzeus")
    body, marker, copy = (b"<drzeus" + rest).partition(b"--- Below")
    return head + body.split(b"\n\n")[paragraph] + b"\n\n" + marker + copy


def test_a_qmail_bounce_of_an_expired_message_says_it_expired_beside_the_last_reply() -> None:
    """Task mime46 (V45c D2): the remote server's reply stays its (remote_mta, diagnostic_code), and
    qmail's giving up is kept as its own reason (text_reason), with its host line; a 4.x.x code of
    the last reply is not the failure's status. "Connected to IP but sender was rejected." says the
    sender (MAIL FROM) was refused."""
    report = delivery_report(parse_message(QMAIL_EXPIRED))
    assert report is not None
    lkml, grey, ldap = report.recipients
    assert (lkml.remote_mta, lkml.diagnostic_type, lkml.status) == ("213.115.189.212", "smtp", None)
    assert lkml.diagnostic_code == "417 SPF error mailout.stusta.mhn.de: Address does not pass the +Sender Policy Framework"
    assert lkml.text_reason == "Connected to 213.115.189.212 but sender was rejected. " + _GAVE_UP
    assert (grey.remote_mta, grey.status, grey.status_meaning) == ("192.0.2.5", None, None)
    assert grey.diagnostic_code == "450 4.2.0 <bob@example.org>: Recipient address rejected: Greylisted"
    assert grey.text_reason == "192.0.2.5 does not like recipient. " + _GAVE_UP
    # qmail-local's own code of its last deferral is qmail's, and stays; its give-up line is apart.
    assert (ldap.status, ldap.remote_mta, ldap.diagnostic_code, ldap.text_reason) == (
        "4.4.3", None, "Unable to contact LDAP server. (#4.4.3)", _GAVE_UP)
    assert _GAVE_UP in (dsn_said_cell(grey, report.reporting_mta, mixed=False) or "")

    [sender] = [f for f in headerscope.analyze(_qmail_one(0), offline=True).findings if f.id == "dsn.failed"]
    assert sender.title == ("Bounce: delivery to drzeus-wbsd@drzeus.cx failed (expired in the queue; the last attempt: "
                            "“SPF error mailout.stusta.mhn.de: Address does not pass the +Sender Policy Framework”); "
                            "the sender address was refused (after MAIL FROM), not the recipient")
    assert ("expired in the queue: mail.example.net gave up on the message (“" + _GAVE_UP) in sender.explanation
    assert "its last attempt: 213.115.189.212 answered \"417 SPF error" in sender.explanation
    assert "refused the envelope sender" in sender.explanation
    [grey_finding] = [f for f in headerscope.analyze(_qmail_one(1), offline=True).findings if f.id == "dsn.failed"]
    assert grey_finding.title.startswith("Bounce: delivery to bob@example.org failed (expired in the queue; the last "
                                         "attempt: “<bob@example.org>: Recipient address rejected: Greylisted”)")
    assert "status 4.2.0" not in grey_finding.explanation and "4.2.0:" not in grey_finding.title
    [ldap_finding] = [f for f in headerscope.analyze(_qmail_one(2), offline=True).findings if f.id == "dsn.failed"]
    assert ldap_finding.title.startswith("Bounce: delivery to kijitora@example.net failed (expired in the queue, "
                                         "status 4.4.3; the last attempt: “Unable to contact LDAP server.")
    assert "expired in the queue: mail.example.net gave up" in ldap_finding.explanation
    # A permanent reply's code stays the status beside the give-up line (which qmail writes after a
    # deferral only: a sender's text that has both still shows the reply's own code).
    forged = QMAIL_EXPIRED.replace(b"417 SPF error", b"550 5.7.1 SPF error")
    assert delivery_report(parse_message(forged)).recipients[0].status == "5.7.1"  # type: ignore[union-attr]
    # Without the give-up line, a qmail refusal reads as before (status from the reply, no expiry).
    [kept] = [f for f in headerscope.analyze(QMAIL, offline=True).findings if f.id == "dsn.failed"]
    assert "expired" not in kept.title + kept.explanation and "status 5.1.1" in kept.explanation
