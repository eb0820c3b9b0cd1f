"""Forwarded mail as the forwarders really leave it (verification V52a): an operator's own earlier
delivery record, a forward the forwarder changed, and a forwarder named by the envelope."""

from __future__ import annotations

from conftest import CORPUS

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report

_FIRST_RESULTS = (b"mx.google.com;\r\n spf=pass (google.com: domain of carol@sender.example designates 192.0.2.40 "
                  b"as permitted sender) smtp.mailfrom=carol@sender.example;\r\n dmarc=pass (p=NONE sp=NONE "
                  b"dis=NONE) header.from=sender.example")


def _gmail_auto_forward(first_results: bytes = _FIRST_RESULTS, *, sealed: bool = True,
                        after_sealing: tuple[bytes, bytes] | None = None) -> bytes:
    """carol@sender.example -> alice@gmail.com, whose mailbox forwards to dave@gmail.com: Gmail keeps
    the first delivery's block (Return-Path, Received, Authentication-Results) and, forwarding,
    seals ARC set i=1 over it (with dkimpy's test key, published for arc._domainkey.google.com).
    ``after_sealing``: a replacement made in the message once the set was sealed."""
    import dkim

    author = (b"From: Carol <carol@sender.example>\r\nTo: alice@gmail.com\r\nSubject: dinner\r\n"
              b"Date: Thu, 26 Nov 2026 14:03:09 +0100\r\nMessage-ID: <1@sender.example>\r\n\r\nThe body.\r\n")
    first = (b"Return-Path: <carol@sender.example>\r\n"
             b"Received: from mail.sender.example (mail.sender.example. [192.0.2.40])\r\n"
             b" by mx.google.com with ESMTPS id a640c23a62f3a-ab7e1b2c3d4si1;\r\n"
             b" Thu, 26 Nov 2026 05:03:13 -0800 (PST)\r\n"
             b"Authentication-Results: " + first_results + b"\r\n" + author)
    delivered = (b"Delivered-To: alice@gmail.com\r\n"
                 b"Received: by 2002:a05:7208:3182:b0:9a:1c2b:3d4e with SMTP id v2csp123456rbb;\r\n"
                 b" Thu, 26 Nov 2026 05:03:13 -0800 (PST)\r\n" + first)
    key = (CORPUS / "dkim" / "dkimpy" / "test.private").read_bytes()
    seal = b"".join(dkim.arc_sign(delivered, b"arc", b"google.com", key, b"mx.google.com",
                                  timestamp=1795698193)) if sealed else b""
    message = (b"Delivered-To: dave@gmail.com\r\n"
               b"Received: by 2002:a05:7300:1a2b:b0:1f2:3c4d:5e6f with SMTP id q11csp654321dyb;\r\n"
               b" Thu, 26 Nov 2026 05:03:15 -0800 (PST)\r\n"
               b"Return-Path: <alice+caf_=dave=gmail.com@gmail.com>\r\n"
               b"Received: from mail-sor-f41.google.com (mail-sor-f41.google.com. [203.0.113.41])\r\n"
               b" by mx.google.com with SMTPS id 4fb4d7f45d1cf-5d3ff12abcdsor1;\r\n"
               b" Thu, 26 Nov 2026 05:03:15 -0800 (PST)\r\n"
               b"Authentication-Results: mx.google.com;\r\n arc=pass (i=1);\r\n"
               b" spf=pass smtp.mailfrom=alice+caf_=dave=gmail.com@gmail.com;\r\n"
               b" dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=sender.example\r\n"
               b"X-Forwarded-To: dave@gmail.com\r\nX-Forwarded-For: alice@gmail.com dave@gmail.com\r\n"
               + seal + delivered)
    if after_sealing is not None:
        message = message.replace(*after_sealing)
    return message


def _analyze_sealed(raw: bytes) -> Report:
    dns = {"arc._domainkey.google.com": {"TXT": [(CORPUS / "dkim" / "dkimpy" / "test.txt").read_text().strip()]}}
    return headerscope.analyze(raw, resolver=SnapshotResolver(dns))


def _first_delivery_claim(report: Report) -> tuple[str, str, str]:
    [claim] = [f for f in report.findings if f.id == "recorded.untrusted_claim"]
    return claim.severity.value, claim.title, claim.explanation


def test_the_forwarding_mailboxs_own_record_sealed_by_its_operator_is_said_so() -> None:
    # V52a D2-1: Gmail's Authentication-Results of the first delivery, below the boundary (Google's
    # first intake) while Google recorded the same checks above it, was "Possibly forged ... in the
    # receiver's name". Google's verified ARC set i=1 carries these very results: its record.
    report = _analyze_sealed(_gmail_auto_forward())
    assert report.arc is not None and [(i.seal_result, i.signature_result) for i in report.arc.instances] == [
        ("pass", "pass")]
    severity, title, explanation = _first_delivery_claim(report)
    assert severity == "info"
    assert title == ("Authentication-Results by mx.google.com (spf=pass, dmarc=pass): the first delivery's record, "
                     "at the forwarding mailbox; sealed in ARC i=1 by google.com")
    assert "not relied on" in explanation and "forged" not in explanation
    first = [r for r in report.recorded if r.header == "Authentication-Results"
             and dict(r.properties).get("smtp.mailfrom") == "carol@sender.example"]
    assert [(r.method, r.trusted) for r in first] == [("spf", False)]
    assert not any("Possibly forged" in f.title for f in report.findings)


def test_a_forged_first_delivery_record_without_the_matching_seal_stays_possibly_forged() -> None:
    # A sender can write the field below the boundary, but cannot seal a set with Google's key over
    # this message carrying it: without the set, offline (no seal verified), with a result the set
    # does not carry, or with the set's results edited after sealing (its seal no longer verifies),
    # it is what it was.
    forged_title = "Possibly forged Authentication-Results: claims dmarc=pass, spf=pass in the receiver's name"
    assert _first_delivery_claim(_analyze_sealed(_gmail_auto_forward(sealed=False)))[:2] == ("warning", forged_title)
    assert _first_delivery_claim(headerscope.analyze(_gmail_auto_forward(), offline=True))[:2] == (
        "warning", forged_title)
    added = _gmail_auto_forward(after_sealing=(b"header.from=sender.example\r\nFrom:",
                                               b"header.from=sender.example;\r\n dkim=pass header.d=bank.example "
                                               b"header.s=s1\r\nFrom:"))
    severity, title, _ = _first_delivery_claim(_analyze_sealed(added))
    assert (severity, title) == ("warning", "Possibly forged Authentication-Results: claims dkim=pass, dmarc=pass, "
                                            "spf=pass in the receiver's name")
    # Both the field and the set's results made to say another From: domain: the seal signed the old text.
    edited = _gmail_auto_forward().replace(b"header.from=sender.example", b"header.from=bank.example")
    report = _analyze_sealed(edited)
    assert _first_delivery_claim(report)[:2] == ("warning", forged_title)
    # Never relied on, in any of them.
    assert [r.trusted for r in report.recorded if r.header == "Authentication-Results"
            and dict(r.properties).get("smtp.mailfrom") == "carol@sender.example"] == [False]


def _gateway_own_field(*, sealed: bool = True) -> bytes:
    """A receiver (a gateway's layout: Mimecast writes its Authentication-Results among the message's own
    fields, below its Received) that seals ARC set i=1 over the delivery, its results being those of
    the field (dkimpy builds the set's ARC-Authentication-Results from it)."""
    import dkim

    author = (b"From: Carol <carol@sender.example>\r\nTo: dave@example.net\r\nSubject: invoice\r\n"
              b"Date: Thu, 26 Nov 2026 14:03:09 +0100\r\nMessage-ID: <2@sender.example>\r\n"
              b"Authentication-Results: mx.google.com;\r\n spf=pass smtp.mailfrom=carol@sender.example;\r\n"
              b" dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=sender.example\r\n"
              b"X-Spam-Score: 0\r\nMIME-Version: 1.0\r\n\r\nThe body.\r\n")
    delivered = (b"Received: from mail.sender.example (mail.sender.example. [192.0.2.40])\r\n"
                 b" by mx.google.com with ESMTPS id a640c23a62f3a-ab7e1b2c3d4si2;\r\n"
                 b" Thu, 26 Nov 2026 05:03:13 -0800 (PST)\r\n" + author)
    key = (CORPUS / "dkim" / "dkimpy" / "test.private").read_bytes()
    seal = b"".join(dkim.arc_sign(delivered, b"arc", b"google.com", key, b"mx.google.com",
                                  timestamp=1795698193)) if sealed else b""
    return b"Delivered-To: dave@example.net\r\n" + seal + delivered


def test_the_receivers_own_field_among_the_messages_matching_its_newest_seal_is_said_so() -> None:
    # V52c defect 3: the field matches the newest (here the only) set the receiving side sealed, the
    # set of this very delivery: not "the first delivery's record, at the forwarding mailbox" (the
    # words for an older set, above), nor "Possibly forged"; still never relied on.
    report = _analyze_sealed(_gateway_own_field())
    severity, title, explanation = _first_delivery_claim(report)
    assert severity == "info"
    assert title == ("Authentication-Results by mx.google.com (spf=pass, dmarc=pass): the receiving side's own "
                     "record of this delivery, written among the message's fields below its Received; sealed in "
                     "ARC i=1 by google.com")
    assert "the sealed record is what counts" in explanation
    assert [r.trusted for r in report.recorded if r.header == "Authentication-Results"] == [False, False]
    # Without the seal, the same field is what a sender can write there.
    assert _first_delivery_claim(_analyze_sealed(_gateway_own_field(sealed=False)))[:2] == (
        "warning", "Possibly forged Authentication-Results: claims dmarc=pass, spf=pass in the receiver's name")


# V52a D1/D2-2: a genuine forward that the forwarder changed kept its status (a replay of a genuine
# signature with a new body looks the same), but its line never said why DMARC failed nor named the
# forwarder the findings had found.

_FOOTER = b"\n-- \nSent through the alumni forwarding service\n"


def _forward_verdict(raw: bytes) -> tuple[str, str]:
    from test_forwarded_spf import NOW, _resolver

    report = headerscope.analyze(raw, resolver=_resolver(), now=NOW)
    return report.verdict.status, report.verdict.summary


def _footer_forward(*, srs: bool = False, subject_tag: bool = False, footer: bool = True) -> bytes:
    """samples/forwarded-srs.eml forwarded by mail.alumni.example with the original envelope sender (or,
    ``srs``, its SRS0 address), a footer appended and (``subject_tag``) "[EXTERNAL]" put on the Subject."""
    from test_forwarded_spf import _plain_forward

    raw = _plain_forward()
    if srs:
        raw = raw.replace(b"Return-Path: <carol@example.org>", b"Return-Path: SRS0=hX4d=T3=example.org=carol@alumni.example")
    if subject_tag:
        raw = raw.replace(b"\nSubject: ", b"\nSubject: [EXTERNAL] ", 1)
    return raw.rstrip(b"\n") + b"\n" + _FOOTER if footer else raw


def test_a_forward_the_forwarder_changed_says_why_dmarc_fails_and_names_the_forwarder() -> None:
    status, summary = _forward_verdict(_footer_forward())
    assert status == "spoofed"  # p=reject: as before, a body-swapped replay reads the same
    assert summary.startswith("Spoofed: From claims example.org, but no aligned DKIM or SPF passes and example.org "
                              "publishes p=reject.")
    assert ("DMARC fails because the signature by example.org no longer verifies: its signed header fields are "
            "intact (checked with the key) and only the body changed; and the message came through the forwarder "
            "alumni.example, which did not rewrite the envelope sender, so SPF fails for the author's domain "
            "(RFC 7960 section 3.2.1). A genuine forward broken by its forwarder looks like this, and so does a "
            "replay of a signed message with a new body.") in summary


def test_a_subject_tag_and_an_srs_forward_are_said_as_such() -> None:
    status, summary = _forward_verdict(_footer_forward(subject_tag=True, footer=False))
    assert status == "spoofed"
    assert ("its signed header fields are intact but for '[EXTERNAL]' added to the Subject (it verifies with that "
            "taken off, checked with the key), and the body is unchanged;") in summary
    assert "so does a signed message sent again by anyone with a tag added to its Subject." in summary
    status, summary = _forward_verdict(_footer_forward(srs=True))
    assert status == "spoofed"
    assert ("the message came through the forwarder alumni.example, which rewrote the envelope sender (SRS), so SPF "
            "passes only for the forwarder and does not align (RFC 7960 section 3.2.1)") in summary


def test_without_intact_signed_headers_or_an_established_forward_the_line_is_as_before() -> None:
    # A signed header field changed beyond a tag: nothing shows the author's headers arrived intact.
    changed = _footer_forward().replace(b"\nSubject: Reunion dinner", b"\nSubject: Reunion lunch", 1)
    assert _forward_verdict(changed) == ("spoofed", "Spoofed: From claims example.org, but no aligned DKIM or SPF "
                                                    "passes and example.org publishes p=reject.")
    # A sender's own server replaying the signed message with a new body, with no forward the envelope
    # shows (the receiver delivered it to the signed To:): the same status, and no forwarder named.
    direct = _footer_forward().replace(b"dave@fabrikam.example", b"dave@alumni.example")
    status, summary = _forward_verdict(direct)
    assert status == "spoofed" and "forwarder" not in summary and "RFC 7960" not in summary
