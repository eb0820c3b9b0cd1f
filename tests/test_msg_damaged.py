"""A damaged Outlook .msg: said in words, and its transport headers read when the rest cannot be."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS

import headerscope
from headerscope.loader import load_bytes
from headerscope.msg import MsgError, msg_to_message

OTHER = CORPUS / "messages" / "eml_analyzer" / "other.msg"
# The named-property map's GUID stream (MS-OXMSG section 2.2.3.1.1): renamed, the map is broken.
GUID_STREAM = "__substg1.0_00020102".encode("utf-16-le")


def _without_guid_stream() -> bytes:
    data = OTHER.read_bytes()
    assert data.count(GUID_STREAM) == 1
    return data.replace(GUID_STREAM, "__substg1.0_00020103".encode("utf-16-le"))


def test_a_msg_damaged_in_its_named_properties_is_read_for_its_transport_headers() -> None:
    whole = headerscope.analyze(OTHER.read_bytes(), offline=True)
    loaded = load_bytes(_without_guid_stream(), source="damaged.msg")
    assert loaded.unreadable is None and loaded.format == "msg" and not loaded.has_body
    note = loaded.cleanups[0]
    assert note.startswith("Outlook .msg: damaged (a property stream of the file is damaged: Guid stream missing")
    assert "Error" not in note and "PR_TRANSPORT_MESSAGE_HEADERS" in note
    report = headerscope.analyze(_without_guid_stream(), offline=True)
    # The same transport headers as the whole file gives: its subject, hops and sender.
    assert report.subject == whole.subject and report.subject
    assert [hop.fields.by for hop in report.hops] == [hop.fields.by for hop in whole.hops] and report.hops
    assert report.envelope.header_from == whole.envelope.header_from
    assert "input.no_body" in {f.id for f in report.findings}


def test_a_msg_whose_transport_headers_are_damaged_too_is_refused_in_words(tmp_path: Path) -> None:
    data = _without_guid_stream()
    # Both the named properties and the transport header stream's name broken: nothing to read.
    stream = "__substg1.0_007D001F".encode("utf-16-le")
    data = data.replace(stream, "__substg1.0_007D001X".encode("utf-16-le"))
    with pytest.raises(MsgError) as caught:
        msg_to_message(data)
    message = str(caught.value)
    assert message == ("damaged Outlook .msg file: a property stream of the file is damaged: Guid stream missing "
                       "from named properties, and its transport headers cannot be read either")
    # An exception of Python's own, not the format's, is named in words too.
    damaged = bytearray(OTHER.read_bytes())
    damaged[512:1024] = b"\xff" * 512  # the first directory or FAT sector
    loaded = load_bytes(bytes(damaged), source="x.msg")
    for text in (loaded.unreadable or "", *loaded.cleanups):
        assert "Error" not in text and "tuple index" not in text


def test_a_nul_inside_the_transport_headers_of_a_damaged_msg_is_kept_and_said(tmp_path: Path) -> None:
    # The olefile fallback must not drop a NUL inside the text: "service@paypal.com\0@evil.example"
    # would read as "service@paypal.com@evil.example" with nothing said. It stays, shown as
    # U+FFFD with the "NUL byte" header defect, as in an .eml; the UTF-16 string's terminating
    # NULs (here the stream's padding) are dropped.
    import olefile

    copy = tmp_path / "nul.msg"
    copy.write_bytes(OTHER.read_bytes())
    header = ("Received: from mail.evil.example (mail.evil.example [203.0.113.9]) by mx.example.net; "
              "Thu, 26 Nov 2026 09:12:47 -0800\r\nFrom: PayPal <service@paypal.com\0@evil.example>\r\n"
              "To: bob@example.net\r\nSubject: Your account\r\n").encode("utf-16-le")
    stream = "__substg1.0_007D001F"  # PR_TRANSPORT_MESSAGE_HEADERS (UTF-16)
    with olefile.OleFileIO(str(copy), write_mode=True) as ole:
        size = ole.get_size(stream)  # olefile rewrites a stream only at its own size
        assert size > len(header)
        ole.write_stream(stream, header + b"\0" * (size - len(header)))
    data = copy.read_bytes()
    assert data.count(GUID_STREAM) == 1
    data = data.replace(GUID_STREAM, "__substg1.0_00020103".encode("utf-16-le"))
    loaded = load_bytes(data, source="nul.msg")
    assert loaded.cleanups[0].startswith("Outlook .msg: damaged")
    assert b"From: PayPal <service@paypal.com\x00@evil.example>\r\n" in loaded.data
    assert loaded.data.endswith(b"Subject: Your account\r\n")
    report = headerscope.analyze(data, offline=True)
    assert [a.address for a in report.envelope.header_from] == ["service@paypal.com\ufffd@evil.example"]
    (defects,) = [f for f in report.findings if f.id == "headers.defects"]
    assert "From: NUL byte: RFC 5322 section 2.2 allows none" in defects.explanation
