"""Outlook's "Internet headers" text (PidTagTransportMessageHeaders) keeps, after the header's
empty line, every MIME part's boundary line and part header fields, with no part content
(verification V42c D1). Read as a body it was a body changed after signing: DKIM "body changed",
a receiver's recorded pass "modified after delivery", a Suspicious verdict. It is read as the
header alone it is (the box's text without the stub is read so): no body, DKIM's body hash not
checkable. A real message whose parts are empty, given whole, keeps its body and verifies."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES, sign_as_example_org

import headerscope
from headerscope import loader
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.loader import load_bytes, mime_part_stub

DIRECT = (SAMPLES / "direct.eml").read_bytes()
HEADER = DIRECT.split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"\n") + b"\n"
BOUNDARY = b"------------Vq3K8mZ0b1cY7uTn2wXe4hLd"
# The stub as Outlook's box shows it for samples/direct.eml (a multipart/alternative of a text
# and an HTML part): each part's boundary and fields, the empty line that ends them, no content.
STUB = (b"--" + BOUNDARY + b"\nContent-Type: text/plain; charset=UTF-8; format=flowed\n"
        b"Content-Transfer-Encoding: 7bit\n\n"
        b"--" + BOUNDARY + b"\nContent-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: 7bit\n\n"
        b"--" + BOUNDARY + b"--\n")
BANNER = b"Microsoft Mail Internet Headers Version 2.0\n"
# samples/direct.dns.json, with example.com's SPF no longer listing the sending server: the
# verdict rests on DKIM and the receiver's record, where the stub read as a body made it Suspicious.
NO_SPF = json.loads((SAMPLES / "direct.dns.json").read_text())
for _name, _records in NO_SPF.items():
    if _name == "example.com" and isinstance(_records, dict):
        _records["TXT"] = [["v=spf1 ip4:203.0.113.0/24 -all"]]


def _report(data: bytes, records: object) -> headerscope.Report:
    return headerscope.analyze(data, resolver=SnapshotResolver(records), source="headers.txt")  # type: ignore[arg-type]


@pytest.mark.parametrize("banner", [True, False])
def test_outlooks_part_header_stub_is_read_as_the_header_alone(banner: bool) -> None:
    records = json.loads((SAMPLES / "direct.dns.json").read_text())
    control = _report((BANNER if banner else b"") + HEADER, records)
    report = _report((BANNER if banner else b"") + HEADER + b"\n" + STUB, records)
    assert not report.input.has_body and report.input.byte_exact
    assert report.input.format == control.input.format
    assert any(cleanup.startswith("removed the MIME boundary and part header lines after the header (9 line(s)")
               for cleanup in report.input.cleanups)
    assert [(d.result, d.reason_code) for d in report.dkim] == [(d.result, d.reason_code) for d in control.dkim]
    assert [d.result for d in report.dkim] == ["neutral"]
    assert report.verdict.status == control.verdict.status
    # Without SPF's pass the verdict rests on the signature and the record: the stub read as a
    # body made the recorded pass "modified after delivery" (Suspicious).
    no_spf = _report((BANNER if banner else b"") + HEADER + b"\n" + STUB, NO_SPF)
    assert no_spf.verdict.status != "suspicious"
    assert "modified_after_delivery" not in {c.label for c in no_spf.comparison}


def test_the_stub_with_crlf_line_ends_and_on_the_full_path_reads_the_same() -> None:
    paste = HEADER + b"\n" + STUB
    crlf = load_bytes(paste.replace(b"\n", b"\r\n"), source="headers.txt")
    assert not crlf.has_body and crlf.data == HEADER.replace(b"\n", b"\r\n")
    assert loader._part_header_stub_after(paste.replace(b"\n", b"\r\n")) and loader._part_header_stub_after(paste)


def _signed_empty_parts(part_end: bytes) -> bytes:
    """A message signed by example.org whose multipart/alternative body has two parts with no
    content: ``part_end`` follows each part's fields. CR LF line ends, as received."""
    body = (b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n" + part_end +
            b"--b1\r\nContent-Type: text/html; charset=utf-8\r\n" + part_end + b"--b1--\r\n")
    author = (b"From: Carol Dupont <carol@example.org>\r\nTo: Dave Okafor <dave@alumni.example>\r\n"
              b"Subject: empty\r\nDate: Thu, 26 Nov 2026 14:03:09 +0100\r\n"
              b"Message-ID: <empty-parts@mail.example.org>\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n" + body)
    signed = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type"]
    return sign_as_example_org(author, signed) + author


def test_a_real_message_with_empty_parts_keeps_its_body_and_verifies() -> None:
    # RFC 2046 section 5.1.1: a part's empty content lies between the empty line that ends its
    # fields and the CR LF that starts the next boundary: two empty lines, which no stub has.
    records = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())
    message = _signed_empty_parts(b"\r\n\r\n")
    report = headerscope.analyze(message, resolver=SnapshotResolver(records), source="empty.eml")  # type: ignore[arg-type]
    assert report.input.has_body and report.input.byte_exact and not report.input.cleanups
    assert [(d.result, d.reason_code) for d in report.dkim] == [("pass", "ok")]
    # A stub's shape in a message a mail store wrote is a body too: only a paste holds a stub.
    stub_shaped = _signed_empty_parts(b"\r\n")
    stored = load_bytes(stub_shaped, source="box/cur/1:2,S", from_mail_store=True)
    assert stored.has_body and stored.data == stub_shaped


def test_only_boundary_lines_and_part_fields_make_a_stub() -> None:
    header = HEADER.splitlines()
    assert mime_part_stub(header, STUB, outlook=False)
    assert mime_part_stub(header, STUB.replace(b"\n", b"\r\n"), outlook=False)
    # A stub may stop after a part's fields (a .msg keeps the first boundary and part header).
    assert mime_part_stub(header, b"--" + BOUNDARY + b"\nContent-Type: text/plain\n", outlook=False)
    # A nested multipart's own boundary, declared in its part's fields.
    nested = (b"--" + BOUNDARY + b"\nContent-Type: multipart/related;\n boundary=\"in\"\n\n--in\n"
              b"Content-Type: text/html\n\n--in--\n--" + BOUNDARY + b"--\n")
    assert mime_part_stub(header, nested, outlook=False)
    not_stubs = [
        STUB.replace(b"7bit\n\n--", b"7bit\n\nHi Bob,\n--", 1),  # content in a part
        STUB.replace(b"7bit\n\n--", b"7bit\n\n\n--", 1),  # an empty part's content: a second empty line
        STUB.replace(b"7bit\n\n--", b"7bit\n \n--", 1),  # a line of a space is content without the banner
        b"This is a multi-part message in MIME format.\n" + STUB,  # a preamble
        STUB + b"epilogue text\n",
        STUB.replace(BOUNDARY, b"other-boundary"),  # not the header's boundary
        STUB.replace(b"Content-Transfer-Encoding: 7bit", b"Subject: pay now", 1),  # no part field
        b"--" + BOUNDARY + b"\n\n--" + BOUNDARY + b"--\n",  # a part with no field
        b"--" + BOUNDARY + b"\nContent-Type: text/plain\n--" + BOUNDARY + b"--\n",  # no empty line
        STUB + b"x" * (loader._MAX_PART_STUB + 1),
    ]
    for body in not_stubs:
        assert not mime_part_stub(header, body, outlook=False), body[:80]
    # After Outlook's banner, white space ending a part's fields is no content.
    assert mime_part_stub(header, STUB.replace(b"7bit\n\n--", b"7bit\n \n\n--", 1), outlook=True)
    assert not mime_part_stub(header, not_stubs[0], outlook=True)
    # The header must be multipart with that boundary, once.
    text_plain = [line for line in header if not line.lower().startswith(b"content-type:")] + [
        b"Content-Type: text/plain"]
    assert not mime_part_stub(text_plain, STUB, outlook=True)
    twice = [*header, b"Content-Type: multipart/mixed; boundary=\"" + BOUNDARY + b"\""]
    assert not mime_part_stub(twice, STUB, outlook=True)


def test_fast_path_gives_the_full_paths_result_on_stub_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    variants = [HEADER + b"\n" + STUB, BANNER + HEADER + b"\n" + STUB]
    variants += [HEADER + b"\n" + STUB.replace(b"7bit\n\n--", edge, 1) for edge in
                 (b"7bit\n\nHi\n--", b"7bit\n\n\n--", b"7bit\n \n--", b"7bit\n--", b"7bit\n\r--")]
    variants += [HEADER + b"\n" + STUB + b"x" * (loader._MAX_PART_STUB - len(STUB) + extra) for extra in (-1, 0, 1)]
    variants += [HEADER + b"\n" + STUB[:cut] for cut in range(0, len(STUB), 7)]
    variants += [data.replace(b"\n", b"\r\n") for data in variants] + [_signed_empty_parts(b"\r\n"),
                                                                        _signed_empty_parts(b"\r\n\r\n")]
    sources = (("headers.txt", False), ("box/cur/1:2,S", True))
    fast = [load_bytes(data, source=source, from_mail_store=store) for data in variants for source, store in sources]
    monkeypatch.setattr(loader, "_needs_no_cleanup", lambda data: False)
    full = [load_bytes(data, source=source, from_mail_store=store) for data in variants for source, store in sources]
    fields = ("data", "format", "cleanups", "has_body", "byte_exact", "byte_exact_note")
    for one, other in zip(fast, full, strict=True):
        assert [getattr(one, name) for name in fields] == [getattr(other, name) for name in fields]
    assert sum(not loaded.has_body for loaded in full) >= 4


def test_the_first_parts_content_check_gives_the_full_readings_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    # loader._first_part_has_content rejects a real first part without splitting the body: with
    # it or without it, mime_part_stub answers the same.
    header = HEADER.splitlines()
    edges = [b"7bit\n\nHi\n--", b"7bit\n\n\n--", b"7bit\n \n--", b"7bit\n--", b"7bit\n\r--", b"7bit\r\r--",
             b"7bit\n\n   ", b"7bit\n \t\n\n--", b"7bit\r\n\r\nHi\r\n--", b"7bit\n\r\n--", b"7bit\r\n\n\r--"]
    bodies = [STUB, STUB.replace(b"\n", b"\r\n"), STUB.replace(b"\n", b"\r")]
    bodies += [STUB.replace(b"7bit\n\n--", edge, 1) for edge in edges]
    bodies += [STUB[:cut] for cut in range(2, len(STUB))] + [STUB + tail for tail in (b"   ", b"\n \n", b"x", b"\r\r")]
    bodies += [body.replace(b"\n", b"\r\n") for body in bodies]
    answers = [(mime_part_stub(header, body, outlook=False), mime_part_stub(header, body, outlook=True)) for body in bodies]
    assert sum(loader._first_part_has_content(body) for body in bodies) >= 6
    monkeypatch.setattr(loader, "_first_part_has_content", lambda body: False)
    assert answers == [(mime_part_stub(header, body, outlook=False), mime_part_stub(header, body, outlook=True))
                       for body in bodies]
    assert any(strict for strict, _ in answers) and any(loose and not strict for strict, loose in answers)
