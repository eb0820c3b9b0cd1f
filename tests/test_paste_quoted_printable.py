"""A paste copied from the raw source of a text part that carried it quoted-printable (a ticket's
or a customer's email, RFC 2045 section 6.7): "=" is "=3D" everywhere and long lines end in a
soft line break ("="). It is decoded and said (loader._decode_quoted_printable) when a result
field of the receiving side, above its first Received field with a FROM clause, reads "=3D" at its
own tag separator (V52b D1-2). A delivered message, whose receiver writes a bare "=" there or no
such field, never is, even when the fields its sender wrote, or the sender's text inside the
receiver's fields, look encoded (V53c D1-1, D2-1); and only the bytes checked are decoded."""

from __future__ import annotations

import quopri
from datetime import datetime, timezone

import pytest
from conftest import SAMPLES

import headerscope
import headerscope.loader
from headerscope.loader import load_bytes
from headerscope.model import Report

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)
QP_DECODED = "decoded quoted-printable: the paste was copied from an encoded text part"


def _sample(name: str) -> tuple[bytes, bytes]:
    """A sample's header block and body, with LF line ends (as a text part holds them)."""
    header, body = (SAMPLES / name).read_bytes().replace(b"\r\n", b"\n").split(b"\n\n", 1)
    return header + b"\n", body


def _cut_at_76(text: bytes) -> bytes:
    """As a plain encoder writes it: "=" becomes "=3D", and each line is cut every 75 characters
    with a soft break, even inside an escape (the verification's generator)."""
    out = []
    for line in text.split(b"\n"):
        line = line.replace(b"=", b"=3D")
        while len(line) > 75:
            out.append(line[:75] + b"=")
            line = line[75:]
        out.append(line)
    return b"\n".join(out)


def _report(data: bytes, name: str) -> Report:
    return headerscope.analyze(data, dns_snapshot=str(SAMPLES / name.replace(".eml", ".dns.json")),
                               now=NOW, source="-")


def test_a_quoted_printable_header_paste_is_decoded_and_said() -> None:
    """Gmail's shape: its ARC set sits above its first Received field with a FROM clause."""
    header, _ = _sample("direct.eml")
    for encoded in (quopri.encodestring(header), _cut_at_76(header)):
        loaded = load_bytes(encoded, source="-")
        assert loaded.data == header
        assert QP_DECODED in loaded.cleanups and not loaded.looks_quoted_printable
        assert not loaded.byte_exact
        report = _report(encoded, "direct.eml")
        # Headers only: as the sample's header pasted as it is, not SPOOFED on "d=3Dexample.com".
        assert report.verdict.status == _report(header, "direct.eml").verdict.status
        assert [s.domain for s in report.dkim] == ["example.com"]
        assert report.dkim[0].result != "permerror"


def test_a_quoted_printable_whole_message_reads_as_the_message() -> None:
    header, body = _sample("direct.eml")
    report = _report(_cut_at_76(header + b"\n" + body), "direct.eml")
    assert QP_DECODED in report.input.cleanups
    assert report.verdict.status == "authenticated"
    assert report.verdict.authenticated_domain == "example.com"
    assert [s.result for s in report.dkim] == ["pass"]


def test_a_paste_whose_receiver_wrote_no_result_field_on_top_is_left_as_it_is() -> None:
    """What the rule gives up: Microsoft's first field is a Received field with a FROM clause
    (its internal hop) and its Authentication-Results is below it, where a sender's fields may
    stand in a delivered message; so its encoded paste is not decoded."""
    header, _ = _sample("forwarded-srs.eml")
    encoded = _cut_at_76(header)
    loaded = load_bytes(encoded, source="-")
    assert QP_DECODED not in loaded.cleanups
    assert loaded.data.count(b"=3D") == encoded.count(b"=3D")
    # Said instead: copy the decoded text.
    assert loaded.looks_quoted_printable
    report = _report(encoded, "forwarded-srs.eml")
    assert [f.severity.value for f in report.findings if f.id == "input.quoted_printable"] == ["notice"]
    assert "copy the decoded text" in next(f.title for f in report.findings if f.id == "input.quoted_printable")


def test_the_receivers_results_read_as_written_once_decoded() -> None:
    header, _ = _sample("direct.eml")
    report = _report(quopri.encodestring(header), "direct.eml")
    assert QP_DECODED in report.input.cleanups
    results = [recorded.result for recorded in report.recorded]
    assert "pass" in results and not any(result.startswith("3d") for result in results)
    assert report.verdict.status == "authenticated"


def test_a_delivered_message_whose_sender_fields_look_encoded_is_not_decoded() -> None:
    """The receiver's fields (Gmail's, above its ARC-Seal) as delivered, the sender's below them
    encoded: the header holds the receiver's own "=", so nothing is decoded and the reading is
    the one the message had (the encoded fields are the message's as delivered)."""
    header, body = _sample("direct.eml")
    cut = header.index(b"X-Received:")
    forged = header[:cut] + _cut_at_76(header[cut:]) + b"\n" + body
    assert b"=3D" in forged[cut:] and b"=\n" in forged[cut:]
    loaded = load_bytes(forged, source="-")
    assert QP_DECODED not in loaded.cleanups
    assert loaded.data.count(b"=3D") == forged.count(b"=3D")


def test_a_receiver_that_writes_no_equals_sign_does_not_vouch_for_encoded_fields_below() -> None:
    """A receiver whose own fields hold no "=" (a Postfix with no milter): the encoded fields are
    all the sender's, and the first fields, down to the receiver's Received, show no encoding."""
    header, body = _sample("forwarded-srs.eml")
    receiver = (b"Return-Path: <carol@example.org>\nDelivered-To: dave@alumni.example\n"
                b"Received: from mail.example.org (mail.example.org [192.0.2.40])\n"
                b"\tby mx.alumni.example (Postfix) with ESMTPS id 4C1D2E3F\n"
                b"\tfor <dave@alumni.example>; Thu, 26 Nov 2026 14:03:14 +0100 (CET)\n")
    forged = receiver + _cut_at_76(header[header.index(b"DKIM-Signature:"):]) + b"\n" + body
    loaded = load_bytes(forged, source="-")
    assert QP_DECODED not in loaded.cleanups
    assert loaded.data.count(b"=3D") == forged.count(b"=3D")


def test_a_header_with_encoded_words_and_lines_ending_in_equals_is_not_decoded() -> None:
    """RFC 2047 encoded words hold "=3D" legitimately, and a base64 value or a folded DKIM b= tag
    may end a line in "=": a delivered header with both reads as it is."""
    header = (b"Received: from a.example (a.example [192.0.2.1]) by mx.example.net; "
              b"Thu, 26 Nov 2026 14:03:14 +0100\n"
              b"Subject: =?utf-8?Q?a=3Db_c=3Dd?=\n"
              b"X-Token: c2lnbmVkIGJ5IHNvbWVvbmUgZWxzZSBmb3IgYSB0ZXN0IG9mIHRoZSBsb2FkZXIncyBydWxl=\n"
              b"From: a@example.org\n\nbody\n")
    assert QP_DECODED not in load_bytes(header, source="-").cleanups


def test_a_soft_break_never_joins_away_a_field() -> None:
    """Decoding never hides a field: a line ending in "=" above "From:" stays a line of its own."""
    header, _ = _sample("forwarded-srs.eml")
    encoded = _cut_at_76(header)
    at = encoded.index(b"\nFrom:")
    line_start = encoded.rindex(b"\n", 0, at) + 1
    padded = encoded[:line_start] + b"X-Pad: " + b"p" * 68 + b"=\n" + encoded[at + 1:]
    assert QP_DECODED not in load_bytes(padded, source="-").cleanups


def test_a_soft_break_never_joins_the_header_to_its_body() -> None:
    header, body = _sample("forwarded-srs.eml")
    encoded = _cut_at_76(header).rstrip(b"\n") + b"=\n\n" + body
    loaded = load_bytes(encoded, source="-")
    assert QP_DECODED not in loaded.cleanups


# A Postfix with no milter: its own fields hold no "=", and the sender's text in them (the MAIL
# FROM's local part, the HELO) is "=3D" (V53c).
_POSTFIX_RECEIVER = (b"Return-Path: <a=3Db@bank.example>\nDelivered-To: lee@fabrikam.example\n"
                     b"Received: from mail.forger.example (unknown [198.51.100.9])\n"
                     b"\tby mx.fabrikam.example (Postfix) with ESMTP id 4C1D2E3F\n"
                     b"\tfor <lee@fabrikam.example>; Fri, 27 Nov 2026 03:18:30 +0000 (UTC)\n")


def _bank_report(data: bytes) -> Report:
    return headerscope.analyze(data, dns_snapshot=str(SAMPLES / "spoofed.dns.json"), now=NOW, source="-")


def test_an_escape_past_the_checked_window_never_hides_from(monkeypatch: pytest.MonkeyPatch) -> None:
    """V53c D1-1, the window made small: a delivered forgery whose header runs past the window
    the checks read, with "=0A" beyond it above From:. Nothing is decoded: it reads as the same
    message without those bytes, SPOOFED (bank.example publishes p=reject), From: read."""
    monkeypatch.setattr(headerscope.loader, "_MAX_QP_HEADER", 2048)
    pad = b"".join(b"X-Pad-%d: start\n" % n + b"\t" + b"p" * 66 + b"\n" for n in range(40))
    top = (_POSTFIX_RECEIVER + b"To: lee@fabrikam.example\nSubject: Your account\n"
           b"Date: Fri, 27 Nov 2026 03:18:29 +0000\nMessage-ID: <x1@bank.example>\n"
           b"X-Tag: a=3D1; b=3D2\n" + pad)
    assert len(top) > 2048
    rest = b"From: notice@bank.example\n\nPlease log in.\n"
    attack, control = top + b"X-Cut: z=0A\n" + rest, top + b"X-Cut: z\n" + rest
    loaded = load_bytes(attack, source="-")
    assert QP_DECODED not in loaded.cleanups and loaded.data == attack
    report, raw = _bank_report(attack), _bank_report(control)
    assert report.verdict.status == raw.verdict.status == "spoofed"
    assert report.dmarc is not None and report.dmarc.from_domain == "bank.example"
    assert report.dmarc.result == raw.dmarc.result == "fail"


def test_a_header_that_does_not_end_in_the_window_is_not_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A genuine encoded paste (Gmail's) whose header block runs past the window is left as it
    is: its unread rest is never decoded, so none of it is."""
    header, body = _sample("direct.eml")
    encoded = _cut_at_76(header + b"\n" + body)
    monkeypatch.setattr(headerscope.loader, "_MAX_QP_HEADER", encoded.index(b"\n\n") - 10)
    assert QP_DECODED not in load_bytes(encoded, source="-").cleanups


def test_a_body_escape_outside_the_header_rules_leaves_the_body_as_it_is() -> None:
    """Only =3D, =20, =09 and 8-bit text are decoded, never a line end: a body holding "=0A"
    stays encoded while the header, which was checked, is decoded."""
    header, _ = _sample("direct.eml")
    encoded = _cut_at_76(header) + b"\n" + b"line one=0Aline two\n"
    loaded = load_bytes(encoded, source="-")
    assert QP_DECODED in loaded.cleanups
    assert loaded.data == header + b"\n" + b"line one=0Aline two\n"


def test_a_delivered_message_with_encoded_looking_sender_text_is_read_as_delivered() -> None:
    """V53c D2-1: a Postfix delivery whose MAIL FROM is "a=3Db@..." and whose client greeted
    "HELO x=3D=20(a=20[192.0.2.130])". Read byte exact: the envelope and the boundary hop's
    record are the receiver's as written."""
    message = (b"Return-Path: <a=3Db@bank.example>\nDelivered-To: lee@fabrikam.example\n"
               b"Received: from x=3D=20(a=20[192.0.2.130]) (unknown [198.51.100.9])\n"
               b"\tby mx.fabrikam.example (Postfix) with ESMTP id 4C1D2E3F\n"
               b"\tfor <lee@fabrikam.example>; Fri, 27 Nov 2026 03:18:30 +0000 (UTC)\n"
               b"From: notice@bank.example\nTo: lee@fabrikam.example\nSubject: hi\n"
               b"Date: Fri, 27 Nov 2026 03:18:29 +0000\nMessage-ID: <x1@bank.example>\n"
               b"X-Tag: a=3D1; b=3D2\n\nhello\n")
    loaded = load_bytes(message, source="-")
    assert QP_DECODED not in loaded.cleanups
    assert loaded.byte_exact and loaded.data == message
    report = _bank_report(message)
    assert report.input.byte_exact
    assert report.envelope.mail_from == "a=3Db@bank.example"
    assert "x=3D=20(a=20[192.0.2.130])" in report.hops[0].raw
    assert report.verdict.status == "spoofed"
    # The notice is words only: the verdict is the one the same message without it has.
    assert loaded.looks_quoted_printable
    plain = message.replace(b"X-Tag: a=3D1; b=3D2\n", b"")
    assert not load_bytes(plain, source="-").looks_quoted_printable
    assert _bank_report(plain).verdict.status == "spoofed"


def test_result_fields_a_sender_wrote_below_the_receivers_received_do_not_count() -> None:
    """A sender's own encoded-looking Authentication-Results and ARC-Seal below a Postfix's
    Received field (whose fields hold no "="): not the receiver's, so nothing is decoded."""
    sender = (b"Authentication-Results: mx.fabrikam.example; spf=3Dpass\n"
              b"ARC-Seal: i=3D1; cv=3Dnone; a=3Drsa-sha256; d=3Dbank.example; s=3Ds1\n"
              b"From: notice@bank.example\nTo: lee@fabrikam.example\nSubject: hi\n\nhello\n")
    for receiver in (_POSTFIX_RECEIVER, _POSTFIX_RECEIVER.replace(b"a=3Db@", b"ab@")):
        message = receiver + sender
        loaded = load_bytes(message, source="-")
        assert QP_DECODED not in loaded.cleanups and loaded.data == message


def test_a_greeting_quoted_in_a_received_spf_comment_is_no_key_value_list() -> None:
    """A receiver that writes Received-SPF above its Received field with only a comment quoting
    the client's greeting: a greeting "x) receiver=3Dy; z" would end the comment early and read
    as its key-value list. A parenthesis after the list shows it is the comment's text."""
    block = (b"Received-SPF: none (mx.fabrikam.example: x) receiver=3Dy; z (no record))\n"
             b"Received: from x (unknown [198.51.100.9]) by mx.fabrikam.example; "
             b"Fri, 27 Nov 2026 03:18:30 +0000\n")
    assert not headerscope.loader._receiver_shows_encoding(block)
    genuine = (b"Received-SPF: Pass (mx.fabrikam.example: domain of bank.example designates "
               b"192.0.2.130 as permitted sender) receiver=3Dmx.fabrikam.example; client-ip=3D192.0.2.130\n"
               + block[block.index(b"Received:"):])
    assert headerscope.loader._receiver_shows_encoding(genuine)
