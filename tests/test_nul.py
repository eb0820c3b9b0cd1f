"""NUL bytes in a message: read with a defect, not refused as binary data (RFC 5322 section
2.2 allows none in a field; 8BITMIME/BINARYMIME bodies carry them)."""
from __future__ import annotations

import random
import struct
import zlib

import pytest
from test_dkim import MESSAGE, crlf, rsa_dns, rsa_key, sign, verify

from headerscope.api import analyze
from headerscope.loader import load_bytes
from headerscope.message import NUL_DEFECT, parse_message

PLAIN = crlf(b"Received: from a.example (a.example [192.0.2.1]) by mx.example.net; Thu, 26 Nov 2026 09:12:47 -0800\n"
             b"From: Alice <alice@example.com>\nTo: bob@example.net\nSubject: hi\n"
             b"Date: Thu, 26 Nov 2026 09:12:40 -0800\nMessage-ID: <1@example.com>\n")


@pytest.mark.parametrize("raw", [
    PLAIN + b"X-Nul: a\x00b\r\n\r\nbody\r\n",
    PLAIN.replace(b"Subject: hi", b"Subject: hi\x00there") + b"\r\nbody\r\n",
    PLAIN.replace(b"from a.example", b"from a\x00.example") + b"\r\nbody\r\n",
    PLAIN + b"\r\nhello\x00world\r\n",
    b"From alice@example.com Thu Nov 26 09:12:40 2026\n" + PLAIN + b"X-Nul: a\x00b\r\n\r\nbody\r\n",
])
def test_a_message_with_a_nul_byte_is_read(raw: bytes) -> None:
    loaded = load_bytes(raw)
    assert loaded.unreadable is None and loaded.format in ("eml", "mbox-entry") and loaded.has_body


def test_a_nul_in_a_field_is_a_header_defect_and_shown_as_replacement() -> None:
    raw = PLAIN + b"X-Nul: a\x00b\r\n\r\nbody\r\n"
    (field,) = parse_message(raw).all("X-Nul")
    assert (field.value, field.defects) == ("a\ufffdb", (NUL_DEFECT,))
    report = analyze(raw, offline=True)
    assert [a.address for a in report.envelope.header_from] == ["alice@example.com"]
    (defects,) = [f for f in report.findings if f.id == "headers.defects"]
    assert "NUL byte: RFC 5322 section 2.2 allows none" in defects.explanation


def test_body_nul_bytes_stay_bytes_so_the_body_hash_matches() -> None:
    raw = sign(MESSAGE.replace(b"Hello Bob,", b"Hello\x00Bob,"), key=rsa_key(1024))
    loaded = load_bytes(raw)
    assert (loaded.unreadable, loaded.data) == (None, raw)
    (result,), _ = verify(raw, rsa_dns(1024))
    assert (result.result, result.body_hash_ok) == ("pass", True)


def test_binary_files_are_still_refused() -> None:
    noise = random.Random(1952).randbytes(8192)
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + bytes(13) + zlib.compress(noise)
    for data in (noise, png, b"Subject: x\n" + b"\x00\x01\x02\x03" * 2000, b"just text\x00 with a NUL\n"):
        assert load_bytes(data).unreadable == "binary data, not the text of a message"


def _binary_part(noise: bytes) -> bytes:
    # A MIME part sent with BINARYMIME (RFC 3030): its bytes are as they are, NULs included.
    return crlf(b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
                b"Content-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n\n") + noise + \
        b"\r\n--b1--\r\n"


@pytest.mark.parametrize("raw", [
    PLAIN + b"\r\n" + b"\x00" * 1024 + b"\r\nend\r\n",
    PLAIN.replace(b"\r\n", b"\n") + b"\n" + b"\x00" * 16384 + b"\nend\n",
    b"From alice@example.com Thu Nov 26 09:12:40 2026\n" + PLAIN + b"\r\n" + b"\x00" * 4096 + b"\r\n",
    PLAIN.replace(b"\r\n", b"\r") + b"\r" + b"\x00" * 4096 + b"\r",
    PLAIN + _binary_part(random.Random(3030).randbytes(8192)),
    # An uncompressed image (a 64x32 black BMP, BITMAPINFOHEADER): mostly NUL bytes.
    PLAIN + _binary_part(b"BM" + struct.pack("<IHHIIiiHHIIiiII", 14 + 40 + 6144, 0, 0, 54, 40, 64, 32, 1, 24,
                                             0, 6144, 2835, 2835, 0, 0) + bytes(6144)),
])
def test_nul_and_control_bytes_in_the_body_never_make_a_message_binary(raw: bytes) -> None:
    # A short header and a body that fills the first 4 KB with NULs (or a binary part) must
    # still be analysed: the control-byte share is read over the header block.
    loaded = load_bytes(raw)
    assert (loaded.unreadable, loaded.has_body) == (None, True)
    report = analyze(raw, offline=True)
    assert [a.address for a in report.envelope.header_from] == ["alice@example.com"]


def test_a_header_block_of_control_bytes_is_still_binary() -> None:
    # A first line that reads as a field, then a "header" that is mostly control bytes: not text.
    junk = b"Subject: x\nX-Junk: " + b"\x00\x01\x02\x03" * 200 + b"\n\n"
    for data in (junk + b"\x00" * 4096, junk + b"body text\n" * 10,
                 b"Subject: x\n\x00\x01\x02\x03\x04\x05\x06\x07" * 300):
        assert load_bytes(data).unreadable == "binary data, not the text of a message"
