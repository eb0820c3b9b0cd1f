"""Signed and encrypted mail (verification V60b): a list's From: rewrite beside a signed part's
protected From:, the receiver's recorded S/MIME result, a gateway's S/MIME verdict tag, the
kinds of application/pkcs7-mime, and what the signature and cipher parts are."""

from __future__ import annotations

from datetime import datetime, timezone

import headerscope

_NOW = datetime(2026, 11, 26, tzinfo=timezone.utc)

_LIST_HEAD = ("Authentication-Results: mx.example.net;\r\n"
              " dmarc={dmarc} (p=none dis=none) header.from=lists.example.org\r\n"
              "Received: from mail.lists.example.org (mail.lists.example.org [198.51.100.40])\r\n"
              " by mx.example.net (Postfix) with ESMTPS id 4dKb4C0aaaz1abc\r\n"
              " for <bob@example.net>; Wed, 25 Nov 2026 10:41:47 -0500\r\n"
              "From: Alice Martin via Devel <devel@lists.example.org>\r\n"
              "Reply-To: {reply_to}\r\n"
              "To: devel@lists.example.org\r\nSubject: [devel] Meeting notes\r\n"
              "Date: Wed, 25 Nov 2026 10:41:02 -0500\r\nMessage-ID: <munged@example.com>\r\nMIME-Version: 1.0\r\n"
              "{list_fields}"
              'Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature";\r\n'
              ' boundary="SIG"\r\n\r\n'
              "--SIG\r\nContent-Type: text/plain; charset=utf-8; protected-headers=\"v1\"\r\n"
              "From: Alice Martin <alice@example.com>\r\nTo: devel@lists.example.org\r\n"
              "Message-ID: <munged@example.com>\r\nSubject: Meeting notes\r\n\r\nNotes.\r\n"
              "--SIG\r\nContent-Type: application/pgp-signature; name=\"OpenPGP_signature.asc\"\r\n\r\n"
              "-----BEGIN PGP SIGNATURE-----\r\n\r\nwsB5\r\n-----END PGP SIGNATURE-----\r\n--SIG--\r\n")
_LIST_FIELDS = ("List-Id: Development discussion <devel.lists.example.org>\r\n"
                "List-Post: <mailto:devel@lists.example.org>\r\nPrecedence: list\r\n")


def _munged(dmarc: str = "pass", reply_to: str = "Alice Martin <alice@example.com>",
            list_fields: str = _LIST_FIELDS) -> headerscope.Report:
    raw = _LIST_HEAD.format(dmarc=dmarc, reply_to=reply_to, list_fields=list_fields).encode()
    return headerscope.analyze(raw, offline=True, now=_NOW)


def _protected(report: headerscope.Report) -> headerscope.Finding:
    [finding] = [f for f in report.findings if f.id == "message.protected_headers"]
    return finding


def test_a_signed_post_whose_list_rewrote_from_is_the_lists_rewrite_not_a_spoof() -> None:
    """Mailman's "Munge From" (RFC 7960 section 4.1.3): the list's address in From:, the author in
    Reply-To:, which is the signed part's protected From:; the receiver recorded DMARC pass for
    the list's domain."""
    finding = _protected(_munged())
    assert finding.severity.value == "notice" and finding.subject == "From"
    assert finding.title == ("The signed part's protected From: is the author's; the mailing list put its own "
                             "address in From:")
    assert "rewrote From: to its own address (devel@lists.example.org)" in finding.explanation
    assert "kept the author in Reply-To:, which names the protected From:'s address" in finding.explanation
    assert "vouch for the list's domain only; that the author wrote it rests on the OpenPGP signature" \
        in finding.explanation
    assert "mark of a spoof" not in finding.explanation


def test_a_forged_list_post_keeps_the_two_senders_warning() -> None:
    """The same fields without the list's domain authenticated (the receiver recorded DMARC
    fail), without the list's fields, or with another author kept: two senders, still a warning."""
    for report in (_munged(dmarc="fail"), _munged(list_fields=""),
                   _munged(reply_to="Mallory <mallory@example.com>")):
        finding = _protected(report)
        assert finding.severity.value == "warning"
        assert finding.title == "The signed part's protected From: differs from the message's From:"
        assert "Two senders in one message is the mark of a spoof" in finding.explanation


_SMIME_SIGNED = ("Authentication-Results: mx.example.net;\r\n"
                 " smime=fail body.smime-identifier=alice@example.com(Alice Martin) body.smime-part=TEXT\r\n"
                 "Received: from mx-out1.example.com (mx-out1.example.com [192.0.2.25])\r\n"
                 " by mx.example.net (Postfix) with ESMTPS id 4dKb4C0aaaz1abd\r\n"
                 " for <bob@example.net>; Thu, 26 Nov 2026 12:12:42 -0500\r\n"
                 "{forged}"
                 "From: Alice Martin <alice@example.com>\r\nTo: bob@example.net\r\nSubject: SMIME Testing\r\n"
                 "Date: Thu, 26 Nov 2026 12:12:40 -0500\r\nMessage-ID: <smime@example.com>\r\nMIME-Version: 1.0\r\n"
                 'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256;\r\n'
                 ' boundary="S"\r\n\r\n--S\r\nContent-Type: text/plain\r\n\r\nHello.\r\n'
                 "--S\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n"
                 "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=smime.p7s\r\n\r\n"
                 "MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAA==\r\n--S--\r\n")


def test_the_receivers_recorded_smime_result_is_shown_in_every_format_and_in_the_finding() -> None:
    """RFC 7281's smime= as Fastmail's authentication_milter writes it, at the boundary: the
    terminal and markdown reports show it (JSON and HTML list every recorded result), and the
    S/MIME finding says the receiver checked the signature and what it found."""
    from headerscope.render.markdown import MarkdownRenderer
    from headerscope.render.terminal import TerminalRenderer

    report = headerscope.analyze(_SMIME_SIGNED.format(forged="").encode(), offline=True, now=_NOW)
    terminal = " ".join(TerminalRenderer(width=250).render(report).split())
    assert ("Recorded by the receiving side (mx.example.net in header 1, Authentication-Results), not checked by "
            "this tool: smime=fail for alice@example.com (Alice Martin)") in terminal
    markdown = MarkdownRenderer().render(report)
    assert "#### Recorded by the receiving side, not checked by this tool" in markdown
    assert "| header 1 (Authentication-Results) | mx.example.net | smime=fail for alice@example.com (Alice Martin) |" \
        in markdown
    [smime] = [f for f in report.findings if f.id == "message.smime_signed"]
    assert smime.severity.value == "notice"
    assert smime.title.endswith("; the receiving side recorded smime=fail")
    assert "The receiving side checked it: mx.example.net recorded smime=fail (RFC 7281) for alice@example.com." \
        in smime.explanation


def test_a_senders_smime_pass_below_the_boundary_is_no_receivers_record() -> None:
    """A forger's own Authentication-Results saying smime=pass, written below the receiver's
    Received, is a claim: not told as the receiving side's check, nor in the S/MIME finding."""
    from headerscope.render.terminal import TerminalRenderer

    forged = "Authentication-Results: mx.example.net; smime=pass body.smime-identifier=ceo@example.com\r\n"
    raw = _SMIME_SIGNED.format(forged=forged).replace(
        " smime=fail body.smime-identifier=alice@example.com(Alice Martin) body.smime-part=TEXT\r\n",
        " dkim=none\r\n").encode()
    report = headerscope.analyze(raw, offline=True, now=_NOW)
    assert report.signature_results() == []
    [smime] = [f for f in report.findings if f.id == "message.smime_signed"]
    assert smime.severity.value == "info" and "smime=pass" not in smime.explanation
    terminal = " ".join(TerminalRenderer(width=250).render(report).split())
    assert "not checked by this tool: smime" not in terminal
    assert "smime=pass" in terminal.split("not relied on")[1]  # shown among the claims
