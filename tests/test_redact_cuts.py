"""--redact and the text a reading cuts short (verification V47 f D2, D3): every cut of a value
the sender writes (an attachment's name shown in the middle, a regex's bound on a reply line, a
refusal cut at 300 characters, a login quoted in a verdict or a hop's words, a Received field's
problem note) falls before an address it would split, so no start of a mailbox name, which
redaction cannot tell from a word without its "@" and domain, reaches any format."""

from __future__ import annotations

import headerscope
from headerscope.redact import redact_report
from headerscope.render import get_renderer

LOCAL = "zqxjkvbwpyfhtg"  # 14 characters, as ordinary a length as any (jane.doe.smith)
ADDRESS = LOCAL + "@example.org"
_PIECES = {LOCAL[i:i + 3] for i in range(len(LOCAL) - 2)}


def _leaks(raw: bytes) -> list[tuple[str, str]]:
    """(format, the piece of the mailbox name shown) for each format of the redacted report."""
    report = redact_report(headerscope.analyze(raw, offline=True))
    found: list[tuple[str, str]] = []
    for output_format in ("terminal", "json", "html", "markdown"):
        text = get_renderer(output_format).render(report).replace("\\", "")  # (Markdown's escapes)
        found.extend((output_format, piece) for piece in _PIECES if piece in text)
    return found


_HEAD = ("Received: from mail.sender.example (mail.sender.example [192.0.2.10]) by mx.example.net\r\n"
         " with ESMTP id 4Bq; Tue, 03 Nov 2020 10:00:05 +0000\r\n"
         "From: Accounts <accounts@sender.example>\r\nTo: buyer@example.net\r\nSubject: Quotation\r\n"
         "Date: Tue, 03 Nov 2020 10:00:00 +0000\r\nMessage-ID: <q1@sender.example>\r\nMIME-Version: 1.0\r\n")
_WORDS = "Scan document page " * 20


def _attachment(header: str) -> bytes:
    return (_HEAD + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n'
            "Attached.\r\n--b1\r\n" + header + "\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b1--\r\n").encode()


def test_a_long_attachment_name_shown_in_the_middle_keeps_no_piece_of_an_address() -> None:
    """A name over 200 characters is shown as its start, "…" and its end: the start was cut after
    139 characters wherever that fell, inside an address too; in Content-Type's name= beside
    another filename= (said in the names' disagreement) and in the listed name alike."""
    for at in range(124, 141, 2):  # the address starts here: the cut falls in its local part or at its "@"
        name = _WORDS[:at] + ADDRESS + " " + _WORDS[:100] + ".pdf"
        for header in (f'Content-Type: application/pdf; name="{name}"\r\n'
                       'Content-Disposition: attachment; filename="scan.pdf"',
                       f'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="{name}"'):
            report = headerscope.analyze(_attachment(header), offline=True)
            # (Shown in the middle, in the list or in the names' disagreement.)
            said = " ".join([str(a.filename) for a in report.attachments] + [f.explanation for f in report.findings])
            assert "Scan document page Scan" in said and "…" in said, at
            assert _leaks(_attachment(header)) == [], (at, header[:20])


def _qmail(reply: str) -> bytes:
    body = ("Hi. This is the qmail-send program at sender.example.\r\nI'm afraid I wasn't able to deliver your "
            "message to the following addresses.\r\nThis is a permanent error; I've given up. Sorry it didn't "
            f"work out.\r\n\r\n<{ADDRESS}>:\r\n192.0.2.25 does not like recipient.\r\nRemote host said: {reply}\r\n"
            "Giving up on 192.0.2.25.\r\n\r\n--- Below this line is a copy of the message.\r\n\r\n"
            "From: accounts@sender.example\r\n")
    return (_HEAD.replace("Subject: Quotation", "Subject: failure notice") + "Content-Type: text/plain\r\n\r\n"
            + body).encode()


def test_a_qmail_reply_line_past_the_readings_bound_keeps_no_piece_of_an_address() -> None:
    """qmail-remote's reply lines are read to 1,000 characters each: a longer line was cut by the
    pattern itself, inside the address it quotes ("<zqxjkvbw"), before any cut could avoid it."""
    for pad in range(968, 1000, 3):
        reply = "550 5.7.1 " + ("lorem ipsum dolor sit amet " * 40)[:pad - 10] + f" <{ADDRESS}> refused"
        report = headerscope.analyze(_qmail(reply), offline=True)
        assert report.delivery_report is not None and report.delivery_report.recipients, pad
        assert _leaks(_qmail(reply)) == [], pad


def _sendmail(line: str) -> bytes:
    body = ("The original message was received at Sat, 26 Sep 2026 10:00:00 +0000\r\nfrom localhost [127.0.0.1]\r\n\r\n"
            "   ----- The following addresses had permanent fatal errors -----\r\n"
            f"<{ADDRESS}>\r\n    (reason: 550 5.7.1 Message refused)\r\n\r\n"
            "   ----- Transcript of session follows -----\r\n... while talking to mx.example.org.:\r\n"
            f">>> RCPT To:<{ADDRESS}>\r\n<<< {line}\r\n550 5.1.1 <{ADDRESS}>... User unknown\r\n")
    return ("Return-Path: <>\r\n" + _HEAD.replace("Subject: Quotation", "Subject: Returned mail: see transcript for "
            "details").replace("From: Accounts <accounts@sender.example>", "From: Mail Delivery Subsystem "
            "<MAILER-DAEMON@sender.example>") + "Content-Type: text/plain\r\n\r\n" + body).encode()


def test_a_transcripts_refusal_cut_at_300_characters_keeps_no_piece_of_an_address() -> None:
    """sendmail's "<<< 550 ..." refusal is read to 300 characters: an address at the cut kept its
    start ("<zqxjkv") in the unstructured bounce's explanation."""
    for pad in range(276, 300, 3):
        line = "550 5.7.1 Message refused " + "x" * (pad - 26) + f" <{ADDRESS}> (policy 7F3A)"
        assert _leaks(_sendmail(line)) == [], pad


def test_a_login_quoted_in_the_verdict_and_the_spf_row_is_never_cut_inside_its_address() -> None:
    """A qmail or Plesk submission records the login as "(jane.doe.smith@example.org@198.51.100.7)"
    ("ESMTPA (authenticated as ...)" in the hop's reading): its words were cut at 40 characters,
    right after the "@" of a 14-character local part, in the SPF row and the comparison; a sent
    copy's verdict the same way. The login is quoted whole now, redacted whole."""
    sent_copy = ("Received: (qmail 12345 invoked from network); 3 Nov 2020 10:00:06 -0000\r\n"
                 f"Received: from unknown (HELO laptop.home) ({ADDRESS}@198.51.100.7)\r\n"
                 "  by mail.example.org with ESMTPA; 3 Nov 2020 10:00:06 -0000\r\n"
                 f"From: Jane <{ADDRESS}>\r\nTo: bob@example.net\r\nSubject: hi\r\n"
                 "Date: Tue, 03 Nov 2020 10:00:00 +0000\r\nMessage-ID: <q1@example.org>\r\n\r\nHello\r\n").encode()
    report = headerscope.analyze(sent_copy, offline=True)
    assert f"(hop 1, ESMTPA (authenticated as {ADDRESS}) submission)" in report.spf.explanation
    assert _leaks(sent_copy) == []
    received = (f"Received: from unknown (HELO somehost.example.net) ( {ADDRESS}@198.51.100.7) by mx.example.org "
                "with ESMTPA; Tue, 03 Nov 2020 10:00:06 +0000\r\n" + _HEAD.replace(
                    "From: Accounts <accounts@sender.example>", "From: Alice <alice@sender.example>")
                + "Content-Type: text/plain\r\n\r\nHello\r\n").encode()
    assert _leaks(received) == []


def test_a_received_fields_problem_note_keeps_no_piece_of_an_address() -> None:
    """A Received field's unread text is quoted to 60 characters in its problem note (the hop's
    'partly read'): a cut in an address there kept the start of its mailbox name."""
    for pad in range(30, 62, 2):
        words = ("lorem ipsum dolor sit amet " * 4)[:pad]
        raw = (f"Received: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP id 1 {words} "
               f"{ADDRESS}; Tue, 03 Nov 2020 10:00:06 +0000\r\n" + _HEAD + "Content-Type: text/plain\r\n\r\nHi\r\n")
        assert _leaks(raw.encode()) == [], pad


def test_a_login_written_with_its_clients_address_is_never_cut_after_its_own_at_sign() -> None:
    """qmail and Plesk write the login with the client's address ("jane@example.org@198.51.100.7"):
    a cut at its second "@" took "example.org" for a local part and kept "jane@", which redaction
    cannot mask without a domain; in the Received note of a comment that holds an address too."""
    from headerscope.redact import redact_text
    from headerscope.text import address_safe_cut

    text = f"lorem ipsum ({ADDRESS}@198.51.100.7) by mx"
    for limit in range(len(text) + 2):
        kept = address_safe_cut(text, limit)
        assert text.startswith(kept) and len(kept) <= limit, limit
        assert not any(piece in redact_text(kept) for piece in _PIECES), (limit, kept)
    for pad in range(20, 46):
        words = ("lorem ipsum dolor sit amet " * 4)[:pad]
        raw = (f"Received: from unknown (HELO somehost.example.net) ({words} {ADDRESS}@198.51.100.7) by mx.example.org "
               "with ESMTPA; Tue, 03 Nov 2020 10:00:06 +0000\r\n" + _HEAD + "Content-Type: text/plain\r\n\r\nHi\r\n")
        assert _leaks(raw.encode()) == [], pad


def _delivery_report(recipient: str, diagnostic: str) -> bytes:
    """A Postfix-shaped bounce whose Final-Recipient and Diagnostic-Code the sender wrote."""
    return ("Received: from mx-out1.example.com (mx-out1.example.com [10.20.0.6]) by mail.example.com with ESMTPS id 4dL;"
            " Fri, 27 Nov 2026 08:30:13 +0100\r\n"
            "From: MAILER-DAEMON@mx-out1.example.com (Mail Delivery System)\r\nTo: alice@example.com\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\nDate: Fri, 27 Nov 2026 08:30:12 +0100\r\n"
            "Message-ID: <dsn1@mx-out1.example.com>\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
            "--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n"
            "--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx-out1.example.com\r\n\r\n"
            f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.7.1\r\n"
            f"Remote-MTA: dns; mx1.partner.example\r\nDiagnostic-Code: smtp; {diagnostic}\r\n\r\n--b1--\r\n").encode()


def test_a_mistyped_or_obsolete_address_a_bounce_quotes_keeps_no_piece_of_its_mailbox_name() -> None:
    """A doubled "@" ("Bounce: delivery to zqxjkvbwpyfhtg@@example.org failed"), a domain that starts
    with a dot, and RFC 5322 section 4.4's obs-local-part of atoms and a quoted string
    ('x."zqxjkvbwpyfhtg x"@[IPv6:2001:db8::1]') were shown whole under --redact (V50b)."""
    refused = "550 5.1.1 " + ("lorem ipsum dolor sit amet " * 4)[:90]
    for recipient in (f"{LOCAL}@@example.org", f"{LOCAL}@.example.org", f'x."{LOCAL} x"@[IPv6:2001:db8::1]'):
        raw = _delivery_report(recipient, f"{refused} {recipient} refused")
        report = headerscope.analyze(raw, offline=True)
        assert any(LOCAL in f.title for f in report.findings), recipient  # (what redaction has to hide)
        assert _leaks(raw) == [], recipient


def test_a_received_notes_address_with_a_literal_or_a_quoted_local_part_keeps_no_piece_of_it() -> None:
    """A Received field's unread text is noted word by word: "zqx@[192.0.2.1]" became "zqx@
    [192.0.2.1]" and '"zqx x"@example.org' became '"zqx x" @example.org', a mailbox name without
    its domain that --redact showed (V49b D3-2)."""
    for address in (f"{LOCAL}@[192.0.2.1]", f'"{LOCAL} x"@example.org'):
        for pad in range(20, 42, 3):
            words = ("lorem ipsum dolor sit amet " * 4)[:pad]
            raw = (f"Received: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP id 1 {words} "
                   f"{address}; Tue, 03 Nov 2020 10:00:06 +0000\r\n" + _HEAD + "Content-Type: text/plain\r\n\r\nHi\r\n")
            notes = [note for hop in headerscope.analyze(raw.encode(), offline=True).hops for note in hop.fields.problems]
            if len(f"{words.strip()} {address}") <= 60:  # (else the note's 60 characters end before the address)
                assert notes == [f"unrecognized text in 'id' clause: {words.strip()} {address}"], (address, pad)
            assert _leaks(raw.encode()) == [], (address, pad)


def test_the_end_kept_of_a_long_attachment_name_never_starts_inside_a_quoted_local_part() -> None:
    """A long name keeps its last 60 characters: cut there raw, they started inside
    '"zqxjkvbwpyfhtg x"@example.org', with no opening quote to tell redaction a mailbox name
    follows (V49b D3-1). Every start in the local part, for a quoted and a plain one."""
    from urllib.parse import quote

    for address in (f'"{LOCAL} x"@example.org', f'"{LOCAL}"@example.org', ADDRESS):
        for cut in range(len(address.partition("@")[0]) + 1):
            end = (address[cut:] + " lorem ipsum dolor sit amet lorem ipsum dolor sit amet")[:56] + ".pdf"
            name = ("lorem ipsum dolor sit amet " * 8) + address[:cut] + end  # (its last 60 characters: end)
            header = f"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''{quote(name)}"
            assert _leaks(_attachment(header)) == [], (address, cut)


def test_every_cut_keeps_whole_the_local_part_forms_redaction_masks() -> None:
    """The cuts looked only for '"@' (V53b D3-1): next to a single-quoted local part (a file name's
    quotes), RFC 5322 section 4.4's dotted obs-local-part or a quoted string with a blank before
    its "@", all of which redaction masks whole, they left the mailbox name without what redaction
    needs. The four paths the verification found: a long attachment name's kept end and its cut
    start, a Received field's problem note at 60 characters, a bounce's Diagnostic-Code in its
    title and its Final-Recipient shortened there."""
    from urllib.parse import quote

    reverse = LOCAL[::-1]
    forms = (f"'{LOCAL} {reverse}'@example.org", f'x."{LOCAL} {reverse}".y@example.org',
             f"x.'{LOCAL} {reverse}'.y@example.org", f'"{LOCAL} {reverse}" @example.org')
    lorem = "lorem ipsum dolor sit amet " * 20
    for form in forms:
        for pad in range(0, 90, 9):  # the attachment name's kept end (its last 60 characters)
            name = lorem[:160] + " " + form + " " + lorem[:pad] + ".pdf"
            header = f"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''{quote(name)}"
            assert _leaks(_attachment(header)) == [], (form, "kept end", pad)
        for pad in range(96, 140, 7):  # its start, cut after 139 characters
            name = lorem[:pad] + " " + form + " " + lorem[:200] + ".pdf"
            header = f"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''{quote(name)}"
            assert _leaks(_attachment(header)) == [], (form, "cut", pad)
        for pad in range(0, 62, 6):  # a Received note
            raw = (f"Received: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP id 1 {lorem[:pad]} "
                   f"{form}; Tue, 03 Nov 2020 10:00:06 +0000\r\n" + _HEAD + "Content-Type: text/plain\r\n\r\nHi\r\n")
            assert _leaks(raw.encode()) == [], (form, "received", pad)
        for pad in range(60, 130, 10):  # Diagnostic-Code, and Final-Recipient
            assert _leaks(_delivery_report("bob@example.org", f"550 5.1.1 {lorem[:pad]} {form} rejected")) == [], \
                (form, "diagnostic", pad)
        for pad in range(0, 64, 8):
            recipient = "a" * pad + form
            assert _leaks(_delivery_report(recipient, "550 5.1.1 user unknown")) == [], (form, "recipient", pad)
