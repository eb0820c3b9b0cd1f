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


def test_a_signed_post_whose_list_rewrote_from_is_said_as_the_lists_rewrite_yet_stays_a_warning() -> None:
    """Mailman's "Munge From" (RFC 7960 section 4.1.3): the list's address in From:, the author in
    Reply-To:, which is the signed part's protected From:; the receiver recorded DMARC pass for
    the list's domain. The words say the list's rewrite; the severity stays a warning, as the list
    fields, the kept author and the inner From: are all the sender's to write and the end-to-end
    signature is not verified here (verification V62b D-3: a BEC lure from a domain of the forger's
    own, dressed as a list, carried the recipient's own CEO as the inner From:)."""
    finding = _protected(_munged())
    assert finding.severity.value == "warning" and finding.subject == "From"
    assert finding.title == ("The signed part's protected From: differs from the message's From:, which the fields "
                             "of a mailing list say it rewrote")
    assert "rewrote From: to its own address (devel@lists.example.org)" in finding.explanation
    assert "keeping the author in Reply-To:, which names the protected From:'s address" in finding.explanation
    assert "the list fields, the kept author and the inner From: are all the sender's to write" in finding.explanation
    assert "rests on the OpenPGP signature, not verified here" in finding.explanation
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


_HEAD = ("Received: from mail.example.org (mail.example.org [192.0.2.10]) by mx.example.net with ESMTPS id 1;"
         " Mon, 3 Mar 2025 10:00:02 +0000\r\n"
         "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nCc: {cc}\r\nSubject: {subject}\r\n"
         "Date: Mon, 3 Mar 2025 10:00:00 +0000\r\nMessage-ID: <m1@example.org>\r\nMIME-Version: 1.0\r\n"
         "Content-Type: {content_type}\r\n\r\n")


def _message(content_type: str, body: str = "", subject: str = "Hello",
             cc: str = "kevin@example.net, john@example.net") -> headerscope.Report:
    raw = (_HEAD.format(subject=subject, content_type=content_type, cc=cc) + body).encode()
    return headerscope.analyze(raw, offline=True, now=_NOW)


def _finding(report: headerscope.Report, finding_id: str) -> headerscope.Finding:
    [finding] = [f for f in report.findings if f.id == finding_id]
    return finding


def test_compressed_data_is_not_encryption_and_certs_only_is_no_signed_body() -> None:
    """RFC 8551 section 3.6: compressed-data (smime.p7z) is readable by anyone; section 3.7:
    certs-only (smime.p7c) carries certificates and no content."""
    compressed = _message('application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z')
    assert compressed.structure is not None and compressed.structure.kinds == ("smime_compressed",)
    assert not [f for f in compressed.findings if f.id == "message.encrypted"]
    finding = _finding(compressed, "message.smime_compressed")
    assert finding.title == "S/MIME compressed content (not signed, not encrypted; not decompressed by this tool)"
    assert finding.reference == "https://www.rfc-editor.org/rfc/rfc8551#section-3.6"
    certs = _message('application/pkcs7-mime; smime-type=certs-only; name=smime.p7c')
    assert certs.structure is not None and certs.structure.kinds == ("smime_certs_only",)
    assert not [f for f in certs.findings if f.id in ("message.smime_signed", "message.encrypted")]
    assert _finding(certs, "message.smime_certs_only").title == \
        "S/MIME certificates only (smime.p7c): no signed or encrypted content"
    # Enveloped-data, and no smime-type at all, are still encryption.
    for content_type in ('application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m',
                         'application/pkcs7-mime; name=smime.p7m'):
        assert _message(content_type).structure.kinds == ("smime_encrypted",)  # type: ignore[union-attr]


def test_each_kind_cites_its_own_rfc() -> None:
    """PGP/MIME encryption is RFC 3156's, S/MIME's RFC 8551's, inline PGP RFC 4880's."""
    pgp = _message('multipart/encrypted; protocol="application/pgp-encrypted"; boundary="E"',
                   "--E\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n"
                   "--E\r\nContent-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n--E--\r\n")
    encrypted = _finding(pgp, "message.encrypted")
    assert "(PGP/MIME encrypted (multipart/encrypted); RFC 3156 section 4)" in encrypted.explanation
    assert "RFC 8551" not in encrypted.explanation
    smime = _finding(_message('application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m'),
                     "message.encrypted")
    assert "RFC 8551 section 3.3)" in smime.explanation and "RFC 3156" not in smime.explanation
    inline = _message("text/plain", "-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\nhi\r\n")
    assert _finding(inline, "message.pgp_signed").reference == "https://www.rfc-editor.org/rfc/rfc4880#section-7"
    inline_encrypted = _finding(_message("text/plain", "-----BEGIN PGP MESSAGE-----\r\n\r\nhQEM\r\n"),
                                "message.encrypted")
    assert "RFC 4880 section 6.2)" in inline_encrypted.explanation
    assert inline_encrypted.reference == "https://www.rfc-editor.org/rfc/rfc4880#section-6.2"


def test_peps_subject_placeholder_is_recognised() -> None:
    report = _message('multipart/encrypted; protocol="application/pgp-encrypted"; boundary="E"',
                      "--E\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n"
                      "--E\r\nContent-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n--E--\r\n",
                      subject="=?utf-8?Q?p=E2=89=A1p?=")
    assert report.structure is not None and report.structure.subject_placeholder


def _signed_with_cc(inner_cc: str) -> headerscope.Report:
    body = ('--SIG\r\nContent-Type: text/plain; charset=utf-8; protected-headers="v1"\r\n'
            f"From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nCc: {inner_cc}\r\nSubject: Hello\r\n\r\n"
            "body\r\n--SIG\r\nContent-Type: application/pgp-signature; name=\"OpenPGP_signature.asc\"\r\n\r\n"
            "-----BEGIN PGP SIGNATURE-----\r\n\r\nwsB5\r\n-----END PGP SIGNATURE-----\r\n--SIG--\r\n")
    return _message('multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="SIG"',
                    body)


def test_a_list_that_only_reordered_cc_is_not_a_difference() -> None:
    """Mailman 2.1 writes Cc: in its own order: the same recipients are no change; another
    recipient still is, and the finding names that field."""
    reordered = _finding(_signed_with_cc("John <john@example.net>, kevin@example.net"), "message.protected_headers")
    assert reordered.severity.value == "info"
    assert reordered.title == "The signed part carries protected header fields: Cc reordered"
    assert "Cc: names the same addresses inside and outside, in another order" in reordered.explanation
    added = _finding(_signed_with_cc("john@example.net, kevin@example.net, eve@example.com"),
                     "message.protected_headers")
    assert added.title == "The signed part's protected header fields differ from the outer ones"
    assert added.subject == "Cc"
