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
