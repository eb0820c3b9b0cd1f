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
