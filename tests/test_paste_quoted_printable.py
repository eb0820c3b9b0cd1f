"""A paste copied from the raw source of a text part that carried it quoted-printable (a ticket's
or a customer's email, RFC 2045 section 6.7): "=" is "=3D" everywhere and long lines end in a
soft line break ("="). It is decoded and said (loader._decode_quoted_printable); a delivered
message, whose header holds "=" of its own and whose receiver's first fields the sender cannot
write, never is, even when the fields its sender wrote look encoded (V52b D1-2)."""

from __future__ import annotations

import quopri
from datetime import datetime, timezone

from conftest import SAMPLES

import headerscope
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
    header, _ = _sample("forwarded-srs.eml")
    for encoded in (quopri.encodestring(header), _cut_at_76(header)):
        loaded = load_bytes(encoded, source="-")
        assert loaded.data == header
        assert QP_DECODED in loaded.cleanups
        assert not loaded.byte_exact
        report = _report(encoded, "forwarded-srs.eml")
        # Headers only: as the sample's header pasted as it is, not SPOOFED on "d=3Dexample.org=".
        assert report.verdict.status == "not_checked"
        assert [s.domain for s in report.dkim] == ["example.org"]
        assert report.dkim[0].result != "permerror"


def test_a_quoted_printable_whole_message_reads_as_the_message() -> None:
    header, body = _sample("forwarded-srs.eml")
    report = _report(_cut_at_76(header + b"\n" + body), "forwarded-srs.eml")
    assert QP_DECODED in report.input.cleanups
    assert report.verdict.status == "authenticated"
    assert report.verdict.authenticated_domain == "example.org"


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
