"""The loader: any paste accepted, the exact bytes kept when nothing needs cleaning."""

from __future__ import annotations

import hashlib
import io
import random
import re
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, SAMPLES
from timing import assert_within

from headerscope import loader
from headerscope.loader import load_bytes
from headerscope.message import header_body_offsets, parse_message

MESSAGE = (b"Return-Path: <alice@sender.test>\r\n"
           b"Received: from mail.sender.test (mail.sender.test [192.0.2.10])\r\n"
           b"\tby mx.receiver.test with ESMTPS id 4A1; Tue, 5 Mar 2024 10:12:00 +0000\r\n"
           b"From: Alice <alice@sender.test>\r\n"
           b"To: bob@receiver.test\r\n"
           b"Subject: hello\r\n"
           b"\r\n"
           b"Body line.\r\n")


def test_clean_message_keeps_exact_bytes() -> None:
    loaded = load_bytes(MESSAGE, source="x.eml")
    assert loaded.data is MESSAGE
    assert loaded.byte_exact and loaded.has_body and loaded.format == "eml"
    assert loaded.cleanups == ()
    assert loaded.sha256 == hashlib.sha256(MESSAGE).hexdigest() and loaded.size == len(MESSAGE)


@pytest.mark.parametrize("data", [MESSAGE.replace(b"\r\n", b"\n"),
                                  MESSAGE.replace(b"\r\n", b"\n", 3)])
def test_lf_and_mixed_line_ends_accepted_unchanged(data: bytes) -> None:
    loaded = load_bytes(data)
    assert loaded.data is data and loaded.byte_exact and loaded.format == "eml"
    message = parse_message(loaded.data)
    assert [h.name for h in message.headers] == ["Return-Path", "Received", "From", "To", "Subject"]


def test_doubled_and_bare_cr_line_ends_repaired() -> None:
    doubled = load_bytes(MESSAGE.replace(b"\r\n", b"\r\r\n"))
    assert doubled.data == MESSAGE and not doubled.byte_exact
    bare = load_bytes(MESSAGE.replace(b"\r\n", b"\r"))
    assert bare.data == MESSAGE and any("CR" in c for c in bare.cleanups)


def test_mbox_separator_removed_without_from_unquoting() -> None:
    data = b"From alice@sender.test Tue Mar  5 10:12:00 2024\n" + MESSAGE.replace(b"Body line.", b">From here")
    loaded = load_bytes(data)
    # RFC 4155: a ">From " body line may be a quoted "From " line, or the sender's own: the bytes
    # stay as stored (byte-exact: nothing was done to them), and the entry says it has such lines,
    # for DKIM and ARC to read the body both ways.
    assert loaded.format == "mbox-entry" and loaded.byte_exact and loaded.byte_exact_note is None
    assert loaded.mbox_quoted
    assert loaded.data.startswith(b"Return-Path:") and b">From here" in loaded.data


def test_mbox_separator_of_a_null_sender_is_removed() -> None:
    # A bounce stored in an mbox: the envelope sender is empty (real separator line).
    loaded = load_bytes(b"From  Wed Dec 01 08:04:29 2021\n" + MESSAGE)
    assert loaded.format == "mbox-entry" and loaded.data.startswith(b"Return-Path:")
    # A header line is still a header line.
    assert load_bytes(b"From: a@example.org\n" + MESSAGE).format != "mbox-entry"


@pytest.mark.parametrize("quoted", [b">>From there\r\n", b"text\r\n>From there\r\n"])
def test_mboxrd_quoting_found_anywhere_in_the_body(quoted: bytes) -> None:
    body = b"x" * 100_000 + b"\r\n" + quoted  # past the first split chunk
    data = b"From alice@sender.test Tue Mar  5 10:12:00 2024\n" + MESSAGE + body
    assert load_bytes(data).mbox_quoted and load_bytes(data).byte_exact


_SEPARATOR = b"From alice@sender.test Tue Mar  5 10:12:00 2024\n"
_HEADER, _BODY = MESSAGE.split(b"\r\n\r\n", 1)


@pytest.mark.parametrize(("data", "mbox_quoting", "quoted"), [
    # The first body line, and one after a LF-only line end.
    (_SEPARATOR + _HEADER + b"\r\n\r\n>From the top\r\n", None, True),
    (_SEPARATOR + (_HEADER + b"\r\n\r\nline\r\n>>>From x\r\n").replace(b"\r\n", b"\n"), None, True),
    # Not a quoted line: inside a line, a '>' with a space, "From" without its space, in the header.
    (_SEPARATOR + MESSAGE + b"a >From b\r\n> From c\r\n>From\r\n>>Fromage\r\n", None, False),
    # A header field folded onto a line starting '>From '... is no body line; a line that is no
    # field ends the header (the loader puts the empty line before it), and starts the body.
    (_SEPARATOR + _HEADER + b"\r\n >From x\r\n\r\nbody\r\n", None, False),
    (_SEPARATOR + _HEADER + b"\r\n>From x\r\n\r\nbody\r\n", None, True),
    # Not an mbox entry: a .eml's own '>From ' line, or one the caller says its writer did not
    # quote (mboxcl2); and one the caller says is an entry (scan's reader took its separator off).
    (MESSAGE + b">From the top\r\n", None, False),
    (_SEPARATOR + MESSAGE + b">From the top\r\n", False, False),
    (MESSAGE + b">From the top\r\n", True, True),
    (MESSAGE, True, False),
    # No body.
    (_SEPARATOR + _HEADER + b"\r\n", True, False),
])
def test_an_mbox_entry_with_quoted_from_lines_is_said_to_be_one(data: bytes, mbox_quoting: bool | None,
                                                                quoted: bool) -> None:
    loaded = load_bytes(data, mbox_quoting=mbox_quoting)
    assert loaded.mbox_quoted is quoted
    # As stored (but for the loader's own repair of a stray line: an empty line put before it).
    assert loaded.byte_exact is (b"\n>From x\r\n\r\nbody" not in data)
    if loaded.byte_exact:
        assert loaded.data.endswith(data.partition(b"\n")[2] if data.startswith(b"From ") else data)


def test_removing_lines_in_front_of_the_message_keeps_it_byte_exact() -> None:
    # The mbox separator, a byte order mark and blank lines were never part of the message:
    # removing them leaves exactly the bytes DKIM hashes (audit item 19).
    for prefix in (b"From alice@sender.test Tue Mar  5 10:12:00 2024\n", b"\xef\xbb\xbf", b"\r\n \r\n\n"):
        loaded = load_bytes(prefix + MESSAGE)
        assert loaded.data == MESSAGE and loaded.byte_exact and loaded.byte_exact_note is None, prefix
        assert loaded.cleanups


def test_changes_inside_the_message_say_why_not_byte_exact() -> None:
    loaded = load_bytes(MESSAGE.replace(b"\r\n", b"\r\r\n"))
    assert not loaded.byte_exact and loaded.byte_exact_note is not None
    assert "CR CR LF" in loaded.byte_exact_note


def test_lone_cr_cr_lf_inside_a_message_is_kept() -> None:
    # A Windows text box doubles every line end; one CR CR LF in a body is the message's own.
    data = MESSAGE + b"second\r\r\nthird\r\n"
    loaded = load_bytes(data)
    assert loaded.data is data and loaded.byte_exact


def test_large_body_is_not_split_into_lines() -> None:
    body = b"A" * 76 + b"\r\n"
    data = MESSAGE + body * 200_000  # 15 MB, 200,000 lines
    started = time.process_time()
    loaded = load_bytes(data)
    assert time.process_time() - started < 0.5
    assert loaded.data is data and loaded.byte_exact and loaded.has_body and loaded.format == "eml"


def test_trailing_blank_lines_of_a_headers_paste_removed_without_splitting() -> None:
    headers = MESSAGE.split(b"\r\n\r\n")[0] + b"\r\n"
    loaded = load_bytes(headers + b"\r\n" * 3_000_000, source="clipboard")
    assert loaded.data == headers and not loaded.has_body and loaded.format == "headers-only"


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64])
@pytest.mark.parametrize("data", [
    MESSAGE, MESSAGE.replace(b"\r\n", b"\n"), MESSAGE.replace(b"\r\n", b"\r"),
    b"\n\n  \n" + b"".join(b"    " + line + b"\n" for line in MESSAGE.split(b"\r\n")),
    b"From a@b Tue Mar  5 10:12:00 2024\r\n" + MESSAGE + b">From x\r\n",
    b"Received: from a by b; Tue, 5 Mar 2024 10:12:00 +0000\n\nX-A: 1\n\n\nX-B: 2\n  fold\n\n\n",
    b"X-auditid:\t\nabc\nReceived:\t\nfrom x by y\nSubject:\t\nhi\n\n",
])
def test_lazy_line_split_gives_the_same_result_at_any_chunk_size(
        monkeypatch: pytest.MonkeyPatch, chunk: int, data: bytes) -> None:
    expected = load_bytes(data)
    monkeypatch.setattr(loader, "_SPLIT_CHUNK", chunk)
    monkeypatch.setattr(loader, "_BODY_CHUNK", chunk)
    assert load_bytes(data) == expected


def test_header_body_offsets_do_not_copy_the_body() -> None:
    # A CRLF message whose body has LF LF further down: the first empty line wins.
    raw = b"A: 1\r\nB: 2\r\n\r\nbody\n\nmore\r\n"
    assert header_body_offsets(raw) == (10, 14)
    message = parse_message(raw)
    assert message.has_body and message.body == b"body\n\nmore\r\n"
    view = message.body_view()
    assert view is not None and view.obj is raw and bytes(view) == message.body
    assert header_body_offsets(b"A: 1\n\nB\r\n\r\n") == (4, 6)
    headers_only = parse_message(b"A: 1\r\n")
    assert not headers_only.has_body and headers_only.body is None and headers_only.body_view() is None
    # A region of a larger buffer (a MIME part), as offsets into it: the blank line of the
    # next region is not this one's.
    parts = b"--b\r\nA: 1\r\n\r\nx\r\n--b\r\nB: 2\r\n--b\r\n\r\n"
    assert header_body_offsets(parts, 5, 18) == (9, 13)
    assert header_body_offsets(parts, 21, 31) == (31, None)  # its blank line starts at 30, ends past 31
    assert header_body_offsets(parts, 15, 30) == (15, 16)  # an empty header: the body at once
    # "From:" and "From :" are header fields, not separators.
    assert load_bytes(b"From : a@b.test\n\nx").format == "eml"


def test_leading_blank_lines_and_common_indent() -> None:
    indented = b"\n  \n" + b"".join(b"    " + line + b"\n" for line in MESSAGE.split(b"\r\n"))
    loaded = load_bytes(indented)
    message = parse_message(loaded.data)
    assert [h.name for h in message.headers] == ["Return-Path", "Received", "From", "To", "Subject"]
    # The folded Received line stays folded: its continuation keeps the extra tab.
    assert message.headers[1].value.endswith("+0000") and "by mx.receiver.test" in message.headers[1].value
    assert message.body is not None and message.body.startswith(b"Body line.")
    assert len(loaded.cleanups) == 2 and not loaded.byte_exact


def test_first_line_only_indented() -> None:
    loaded = load_bytes(b"   Delivered-To: bob@receiver.test\nFrom: a@sender.test\n\nhi\n")
    assert [h.name for h in parse_message(loaded.data).headers] == ["Delivered-To", "From"]


GMAIL = (b"Original message\n"
         b"Message ID\t<CAF=abc@mail.gmail.com>\n"
         b"Created at:\tTue, Mar 5, 2024 at 10:12 AM (Delivered after 2 seconds)\n"
         b"From:\tAlice <alice@sender.test>\n"
         b"To:\tbob@gmail.com\n"
         b"Subject:\thello\n"
         b"SPF:\tPASS with IP 203.0.113.5 Learn more\n"
         b"DKIM:\t'PASS' with domain sender.test Learn more\n"
         b"DMARC:\t'FAIL' Learn more\n"
         b"Download original\tCopy to clipboard\t\n"
         b"\n")


def test_gmail_show_original_summary() -> None:
    loaded = load_bytes(GMAIL + MESSAGE.replace(b"\r\n", b"\n"))
    # Not because the table was removed, but because the text was copied from a web page.
    assert loaded.format == "gmail-original" and loaded.has_body and not loaded.byte_exact
    assert loaded.byte_exact_note is not None and "web page" in loaded.byte_exact_note
    assert loaded.data == MESSAGE.replace(b"\r\n", b"\n")
    got = [(r.method, r.result, r.properties) for r in loaded.recorded]
    assert got == [("spf", "pass", (("smtp.client-ip", "203.0.113.5"),)),
                   ("dkim", "pass", (("header.d", "sender.test"),)),
                   ("dmarc", "fail", ())]
    assert all(r.header == "gmail-summary" and r.header_index is None and r.trusted
               and r.authserv_id == "mx.google.com" for r in loaded.recorded)
    # The table alone (the part of the page a quick copy takes) is not a message: say what to copy.
    alone = load_bytes(GMAIL)
    assert alone.unreadable is not None and alone.unreadable.startswith(
        "only the summary table of Gmail's 'Show original' page")


def test_gmail_summary_space_separated_and_message_starting_with_from() -> None:
    summary = GMAIL.replace(b"\t", b"  ").replace(b"Original message\n", b"")
    body = b"From: Alice <alice@sender.test>\nTo: bob@gmail.com\n\nhi\n"
    loaded = load_bytes(summary + body)
    assert loaded.data == body and len(loaded.recorded) == 3


def test_gmail_summary_in_another_language_or_a_cell_per_line() -> None:
    # Gmail translates the table's labels and the words around the verdicts, not "SPF", "DKIM",
    # "DMARC" or the verdict itself; a browser may copy each cell onto a line of its own.
    german = ("Originalnachricht\n"
              "Nachrichten-ID\t<CAF=abc@mail.gmail.com>\n"
              "Erstellt am:\tDi., 5. M\u00e4rz 2024 um 10:12 (nach 2 Sekunden zugestellt)\n"
              "Von:\tAlice <alice@sender.test>\n"
              "An:\tbob@gmail.com\n"
              "Betreff:\thello\n"
              "SPF:\tPASS mit IP 203.0.113.5 Weitere Informationen\n"
              "DKIM:\t'PASS' mit Domain sender.test Weitere Informationen\n"
              "DMARC:\t'FAIL' Weitere Informationen\n"
              "Original herunterladen\tIn Zwischenablage kopieren\t\n\n").encode("utf-8")
    cells = b"".join(line.replace(b"\t", b"\n", 1) if line[:4] in (b"SPF:", b"DKIM", b"DMAR") else line
                     for line in GMAIL.splitlines(keepends=True))
    assert b"SPF:\nPASS" in cells
    message = MESSAGE.replace(b"\r\n", b"\n")
    expected = [("spf", "pass", (("smtp.client-ip", "203.0.113.5"),)),
                ("dkim", "pass", (("header.d", "sender.test"),)),
                ("dmarc", "fail", ())]
    titled = german.replace(b"Originalnachricht\n", b"Originalnachricht\n\n")  # a blank line after the title
    for summary in (german, cells, titled):
        for body in (message, b"From: Alice <alice@sender.test>\nTo: bob@gmail.com\n\nhi\n"):
            loaded = load_bytes(summary + body)
            assert loaded.format == "gmail-original" and loaded.data == body
            assert [(r.method, r.result, r.properties) for r in loaded.recorded] == expected
        assert load_bytes(summary).unreadable is not None
    # An "SPF:" line whose value is no verdict is not taken for the table, nor a note whose
    # rows name no address or domain as Gmail's do: its words are no recorded result.
    for note in (b"SPF: looks wrong to me\n", b"Checked it:\nSPF: pass\nDKIM: fail\nDMARC: fail\n"):
        assert load_bytes(note + message).recorded == ()


def test_outlook_properties_layout_corpus_file() -> None:
    raw = (CORPUS / "messages" / "issues" / "cyberdefenders_13_outlook_properties_paste.txt").read_bytes()
    loaded = load_bytes(raw)
    assert loaded.format == "outlook-properties" and not loaded.has_body
    message = parse_message(loaded.data)
    assert [h.name for h in message.headers] == ["X-auditid"] + ["Received"] * 4
    assert message.headers[0].value == "a2962c47-fbdff7000001abb1-0a-5c5ca11b80de"
    assert message.headers[1].value.startswith("from COPDCEXC36.sampledomain.com (")
    assert all(not h.defects for h in message.headers)


def test_outlook_internet_headers_pane() -> None:
    pane = (b"Microsoft Mail Internet Headers Version 2.0\r\n"
            b"Received: from EX1.corp.test (10.0.0.1) by EX2.corp.test (10.0.0.2) with Microsoft SMTP "
            b"Server id 15.1.1; Thu, 7 Feb 2019 14:20:25 -0700\r\n"
            b"X-MS-Exchange-Organization-AuthAs: Internal\r\n"
            b"\r\n"
            b"From: a@corp.test\r\n"
            b"Subject: hi\r\n"
            b"\r\n  \r\n")
    loaded = load_bytes(pane, source="clipboard")
    assert loaded.format == "outlook-internet-headers" and not loaded.has_body
    message = parse_message(loaded.data)
    assert [h.name for h in message.headers] == ["Received", "X-MS-Exchange-Organization-AuthAs", "From", "Subject"]
    assert message.body is None


def test_headers_only_detected() -> None:
    loaded = load_bytes(MESSAGE.split(b"\r\n\r\n")[0] + b"\r\n")
    assert loaded.format == "headers-only" and not loaded.has_body and loaded.byte_exact


def test_message_with_message_body_is_not_joined() -> None:
    data = (b"From: a@b.test\nContent-Type: message/rfc822\n\nReceived: from x by y; Tue, 5 Mar 2024 10:12:00 +0000\n"
            b"Subject: inner\n")
    loaded = load_bytes(data)
    assert loaded.data is data and loaded.has_body


@pytest.mark.parametrize("data", [b"", b"   \n\n", bytes(range(256)) * 10, b"just some text\nnot mail\n",
                                  b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100])
def test_not_a_message(data: bytes) -> None:
    loaded = load_bytes(data)
    assert loaded.format == "unknown" and loaded.data == data


def _compressed_forms(text: bytes) -> dict[str, bytes]:
    import bz2
    import gzip
    import lzma
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("inbox.mbox", text)
    return {
        "gzip": gzip.compress(text),
        "bzip2": bz2.compress(text),
        "xz": lzma.compress(text),
        "zip": archive.getvalue(),
        # No zstd in the standard library: a real frame's first bytes (RFC 8878 section 3.1.1).
        "zstd": b"\x28\xb5\x2f\xfd\x04\x58\x45\x00\x00" + text,
    }


def test_unreadable_says_why() -> None:
    text = b"From someone Mon Nov  2 10:00:00 2026\nFrom: a@b.test\nSubject: x\n\nbody\n" * 20
    for name, data in _compressed_forms(text).items():
        command = {"gzip": "zcat", "bzip2": "bzcat", "xz": "xzcat", "zstd": "zstdcat", "zip": "unzip -p"}[name]
        also = ", or give the file to headerscope scan" if name in ("gzip", "bzip2", "xz") else ""
        assert load_bytes(data).unreadable == (f"{name}-compressed data, not the text of a message: decompress "
                                               f"it first ({command} FILE){also}")
    assert load_bytes(b"").unreadable == "empty"
    assert load_bytes(b"  \r\n\t\n").unreadable == "empty: only white space"
    assert load_bytes(bytes(range(256)) * 10).unreadable == "binary data, not the text of a message"
    broken_msg = load_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert broken_msg.unreadable is not None and ".msg" in broken_msg.unreadable
    # Read as messages: text that is not mail (a report of what could be read), a UTF-16
    # message (NUL bytes, decoded first), one starting "BZh" as a word, and plain mail.
    for data in (b"just some text\nnot mail\n", "From: a@b.test\r\n\r\nhi\r\n".encode("utf-16"),
                 b"BZh9 is not a header\n", b"From: a@b.test\r\nSubject: x\r\n\r\nbody\r\n"):
        assert load_bytes(data).unreadable is None, data


def test_utf16_paste_converted() -> None:
    data = "\ufeffFrom: a@b.test\r\nSubject: é\r\n\r\nhi\r\n".encode("utf-16-le")
    loaded = load_bytes(data)
    assert loaded.data == "From: a@b.test\r\nSubject: é\r\n\r\nhi\r\n".encode()
    assert loaded.format == "eml" and loaded.size == len(data)


def test_utf16_without_a_byte_order_mark_is_converted_and_binary_stays_refused() -> None:
    # Windows' clipboard text (CF_UNICODETEXT) saved raw is UTF-16LE with no byte order mark and
    # a NUL code unit at its end; every other byte of an ASCII header is NUL (verification V40:
    # "binary data"). Read as its UTF-8 form reads, said, and not byte-exact.
    source = (SAMPLES / "direct.eml").read_bytes()
    plain = load_bytes(source)
    for data, order in ((source.decode().encode("utf-16-le"), "LE"), (source.decode().encode("utf-16-be"), "BE"),
                        ((source.decode() + "\x00").encode("utf-16-le"), "LE")):
        loaded = load_bytes(data, source="stdin")
        assert loaded.unreadable is None, order
        assert loaded.data == plain.data, order
        assert not loaded.byte_exact and loaded.has_body
        assert f"converted the text from UTF-16 without a byte order mark ({order}) to UTF-8 (a saved paste)" in (
            loaded.cleanups)
    # A Latin-1 letter keeps its NUL high byte; the text decodes whole.
    latin = "From: a@b.test\r\nSubject: caf\u00e9\r\n\r\nhi\r\n"
    assert load_bytes(latin.encode("utf-16-le")).data == latin.encode()
    # Binary data with NUL bytes is not UTF-16 text: no message field at its start, an odd
    # length, or NUL code units inside it.
    refused = "binary data, not the text of a message"
    assert load_bytes(b"\x7fE\x00L\x00F\x00" * 600).unreadable == refused
    assert load_bytes(source.decode().encode("utf-16-le") + b"\x01").unreadable == refused
    assert load_bytes(b"F\x00r\x00o\x00m\x00:\x00 \x00" + b"\x00\x00\x01\x02" * 500).unreadable == refused


def test_corpus_messages_all_load() -> None:
    for path in sorted((CORPUS / "messages").rglob("*")):
        if path.is_file():
            loaded = load_bytes(path.read_bytes(), source=str(path))
            parse_message(loaded.data)
            assert loaded.format in ("eml", "headers-only", "outlook-properties", "mbox-entry", "unknown",
                                     "outlook-internet-headers", "msg")
            # Outlook .msg files are rebuilt from their transport headers, never byte-exact.
            assert (loaded.format == "msg") == path.read_bytes().startswith(b"\xd0\xcf\x11\xe0")
            if loaded.format == "msg":
                assert loaded.byte_exact is False and loaded.has_body


@pytest.mark.parametrize("data", [
    b"X-Long: " + b"a" * 10_000_000 + b"\n\nbody",
    b"".join(b"Received: from h%d by h; Tue, 5 Mar 2024 10:12:00 +0000\n" % i for i in range(100_000)),
    b"    " + b"\n    ".join(b"X-%d:\t\nvalue" % i for i in range(50_000)),
    b"\n" * 1_000_000 + b"Original message\n" + b"From:\tx\n" * 100_000,
    # Markdown links of every near-miss shape, on one 10 MB line and on 100,000 lines.
    b"X-A: " + b"[" * 1_000_000 + b"[a](http://a/)" + b"](http://" * 1_000_000 + b"](mailto:" * 100_000 + b"\n\nbody",
    b"X-A: " + (b"[" + b"a" * 320 + b"](http://" + b"a" * 253 + b"/" + b"](mailto:" + b"a" * 400) * 10_000 + b"\n",
    b"".join(b"Received: by [h%d.example](http://h%d.example/) for <[a@b](mailto:a@b)>\n" % (i, i)
             for i in range(100_000)),
    # Forum BBCode of every near-miss shape, on one 10 MB line.
    b"X-A: " + b"[email]" * 1_000_000 + b"[email=a]" * 100_000 + b"a" * 400 + b"[/email]" * 100_000 + b"\n\nbody",
    # Field names run together: on one 10 MB line, on 100,000 lines, in runs of letters and digits.
    b"X-A: " + b"b To: " * 2_000_000, b"X-A: " + b"1a" * 5_000_000, b"X-A: " + b"0Received: from " * 16_000,
    b"".join(b"X-%d: a To: b From: c\n" % i for i in range(100_000)),
    # A header in HTML source: tags and references on 100,000 lines, tags with long attributes.
    b"".join(b"<u>Received: from h%d</u> for <b>x</b> &lt &#1 &amp;\n" % i for i in range(100_000)),
    b"<pre>From: x\n" + b"<span " + b"a" * 199 + b"<b " * 1_000_000 + b"\n",
    # Prose between fields (each line a candidate second header), and lines of words.
    b"From: a\nDate: b\nSubject: c\n" + b"Words of a note here.\nReceived: x\nFrom: y\nDate: z\n" * 50_000,
    b"To: a\n" + b"Many words of prose " * 500_000 + b".\n" + (b"and " * 1_000 + b"words.\n") * 2_000,
    # A grid of 200,000 numbered rows.
    b"\n".join(b"%d\tReceived\tfrom x" % i for i in range(1, 200_000)),
])
def test_big_inputs_load_fast(data: bytes) -> None:
    started = time.perf_counter()
    load_bytes(data)
    assert_within(started, 3.0)


@pytest.mark.parametrize(("raw", "expected"), [
    # Folds after CRLF, LF or a bare CR all continue the field; unfolding drops the breaks.
    (b"A: 1\r\n 2\n\t3\r 4\r\nB: x\r\n\r\nbody", [("A", "1 2\t3 4"), ("B", "x")]),
    # A bare CR that is not followed by white space ends the line (as bytes.splitlines does).
    (b"A: 1\rB: 2\n\nbody", [("A", "1"), ("B", "2")]),
    (b"A: 1\r\r\nB: 2\n\nbody", [("A", "1"), ("", ""), ("B", "2")]),
    # A continuation line with nothing above it is a damaged line of its own.
    (b" lost\r\nA: 1\r\n", [("", "lost"), ("A", "1")]),
    (b"A: 1\r\n", [("A", "1")]),
])
def test_header_fields_split_and_unfolded(raw: bytes, expected: list[tuple[str, str]]) -> None:
    assert [(h.name, h.value) for h in parse_message(raw).headers] == expected


def test_indented_headers_paste_without_a_blank_line() -> None:
    # Every line is indented and no blank line ends the block: all of it is re-indented,
    # however far the first split reached.
    lines = [b"  X-%d: value" % i for i in range(3000)]
    loaded = load_bytes(b"\n".join(lines) + b"\n")
    assert [h.name for h in parse_message(loaded.data).headers][-1] == "X-2999"
    assert all(not h.defects for h in parse_message(loaded.data).headers)


def test_mbox_separator_alone_gives_no_not_byte_exact_finding() -> None:
    # Audit item 19: removing the separator does not change the message, so no notice. Nor does a
    # ">From " body line, kept as stored: DKIM reads such a body both ways (test_mbox_quoting).
    from headerscope.api import analyze

    separator = b"From alice@sender.test Tue Mar  5 10:12:00 2024\n"
    clean = analyze(separator + MESSAGE, offline=True)
    assert clean.input.byte_exact and not [f for f in clean.findings if f.id == "input.not_byte_exact"]
    quoted = analyze(separator + MESSAGE + b">From the start\r\n", offline=True)
    assert quoted.input.byte_exact and not [f for f in quoted.findings if f.id == "input.not_byte_exact"]


# --- The fast path for ordinary messages gives exactly the full path's answer ---------------

_FRAGMENTS = (
    b"From: a@b.test", b"Subject: hi", b"X-Ms-Exchange-Organization-Auth: x", b"Content-Type: message/rfc822",
    b"Received: from a by b", b" folded", b"\tfolded", b"Name:", b"Name:\t", b"Name: ", b"value only",
    b"", b" ", b"\t", b"From a@b.test Tue Mar  5 10:12:00 2024", b"Original message", b"Message ID: <x@y>",
    b"SPF: PASS with IP 192.0.2.1", b"Download original", b"Microsoft Mail Internet Headers Version 2.0",
    b"  From: indented@b.test", b"body text", b">From quoted", b"x" * 5000 + b":", b"N" + b":" + b" " * 5000,
    b"\x0bvt", b"\xef\xbb\xbfFrom: bom@b.test", b"X-Nul: a\x00b", b"body\x00text",
    b"To: [email]a@b.test[/email]", b"Subject: [url]http://x.test/[/url]",
)
_ENDS = (b"\r\n", b"\n", b"\r", b"\r\r\n", b"\n\r", b"")


def _fuzz_inputs(count: int) -> list[bytes]:
    """Messages, pastes and odd mixtures built from the pieces each clean-up step looks for."""
    rng = random.Random(5322)
    out = []
    for _ in range(count):
        head = [rng.choice(_FRAGMENTS[:6]) + rng.choice(_ENDS[:2]) for _ in range(rng.randint(0, 4))]
        mixed = [rng.choice(_FRAGMENTS) + rng.choice(_ENDS) for _ in range(rng.randint(0, 8))]
        tail = [rng.choice(_FRAGMENTS) + rng.choice(_ENDS) for _ in range(rng.randint(0, 4))]
        parts = head + mixed + [rng.choice((b"\r\n", b"\n", b"\r\n\r\n", b"\n\n", b" \n", b"\r\r\n"))] + tail
        if rng.random() < 0.3:
            rng.shuffle(parts)
        out.append(b"".join(parts))
    return out


def _test_inputs() -> list[bytes]:
    """Every bytes value the loader, source, hostile and sample tests use, the samples and the
    corpus messages, each also with LF line ends, a blank line, an indentation or an mbox line."""
    import test_hostile
    import test_samples
    import test_sources

    found: list[bytes] = []

    def walk(value: object, depth: int = 0) -> None:
        if isinstance(value, bytes):
            found.append(value)
        elif isinstance(value, (list, tuple, set, frozenset)) and depth < 4:
            for item in value:
                walk(item, depth + 1)
        elif isinstance(value, dict) and depth < 4:
            for item in value.values():
                walk(item, depth + 1)

    for module in (sys.modules[__name__], test_hostile, test_samples, test_sources):
        for value in list(vars(module).values()):
            walk(value)
            for mark in getattr(value, "pytestmark", ()):
                if mark.name == "parametrize":
                    walk(mark.args[1])
    for folder in (CORPUS / "messages", SAMPLES):
        found.extend(path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file())
    small = [data for data in found if len(data) < 200_000]
    for data in small:
        found.extend((data.replace(b"\r\n", b"\n"), data.replace(b"\r\n", b"\r"), b"\n" + data, b"  " + data,
                      b"From x@y.test Tue Mar  5 10:12:00 2024\n" + data, data.split(b"\r\n\r\n")[0],
                      data.split(b"\n\n")[0] + b"\n\n\n", data.replace(b"\r\n\r\n", b"\r\n\r\nX-Next: 1\r\n", 1)))
    return found + _fuzz_inputs(3000)


# A header with no folded line, where one "name:" line reads as a field only because its fold
# lost its indentation (a name no field has, a colon and no space): the full path indents it
# again, so the fast path must not take the message.
_UNFOLDED_COLON_LINE = b"From: a@b.test\r\nName:Subject: hi\r\nTo: c@d.test\r\n\r\nbody\r\n"


def test_a_colon_line_in_an_unfolded_header_is_indented_again_on_either_path() -> None:
    loaded = load_bytes(_UNFOLDED_COLON_LINE, source="api")
    assert loaded.data == _UNFOLDED_COLON_LINE.replace(b"\r\nName:", b"\r\n Name:")
    assert any("indented 1 line(s)" in cleanup for cleanup in loaded.cleanups)
    assert not loader._needs_no_cleanup(_UNFOLDED_COLON_LINE)


# Trailing spaces on four of five header lines, the last one's CR LF running into a LF blank
# line (found by fuzzing): the fast path counted that line's space as no trailing space.
_TRAILING_SPACES_BEFORE_CR = b"A: x \r\nB: y \r\nC: z\r\nD: w \r\nE: v \r\n\nbody\n"


def test_trailing_spaces_on_the_last_header_line_before_a_cr_count_on_the_fast_path() -> None:
    assert loader._needs_no_cleanup(_TRAILING_SPACES_BEFORE_CR)
    assert load_bytes(_TRAILING_SPACES_BEFORE_CR).byte_exact_note == (
        "nearly every header line ends with spaces, as a copy from a web page or an editor leaves them")


def test_fast_path_gives_the_full_paths_result(monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = _test_inputs()
    # A mail store's bytes too (from_mail_store: a header cut off inside a field is a cut-off message).
    sources = (("api", False), ("clipboard", False), ("box/cur/1:2,S", True))
    fast = [load_bytes(data, source=source, from_mail_store=from_file) for data in inputs for source, from_file in sources]
    taken = sum(1 for data in inputs if loader._needs_no_cleanup(data))
    monkeypatch.setattr(loader, "_needs_no_cleanup", lambda data: False)
    full = [load_bytes(data, source=source, from_mail_store=from_file) for data in inputs for source, from_file in sources]
    fields = ("data", "source", "sha256", "size", "format", "cleanups", "has_body", "byte_exact", "recorded",
              "byte_exact_note")
    pairs = zip([data for data in inputs for _ in sources], fast, full, strict=True)
    for data, one, other in pairs:
        assert [getattr(one, name) for name in fields] == [getattr(other, name) for name in fields]
        assert (one.data is data) == (other.data is data)  # unchanged input is handed on as is
    # The fast path was taken for the ordinary messages (and only decided, never guessed).
    assert taken > 100


def test_first_blank_line_without_a_cr_search_equals_both_searches() -> None:
    # _first_blank_line skips the LF CR LF search when no CR comes before where it could end.
    def both_searches(data: bytes) -> int:
        limit = min(loader._SPLIT_CHUNK, len(data))
        first = data.find(b"\n\n", 0, limit)
        crlf = data.find(b"\n\r\n", 0, limit if first < 0 else first + 2)
        return crlf if crlf >= 0 else first

    crafted = [b"A: 1\nB: 2\n\nbody", b"A: 1\r\nB: 2\r\n\r\nbody", b"A: 1\n\r\nB: 2\n\nbody",
               b"A: 1\nB: 2\n\r\n", b"A: 1\rB: 2\n\nbody\r\n", b"A: 1\nB: 2", b"\n\r\n", b"\r", b"",
               b"A: 1\n\n\r\n", b"A: 1\r\n" * 9000 + b"\r\nbody", b"A: 1\n" * 9000 + b"\n\r\n"]
    inputs = crafted + _test_inputs()
    assert [loader._first_blank_line(data) for data in inputs] == [both_searches(data) for data in inputs]


def test_header_fields_built_directly_equal_the_constructors(monkeypatch: pytest.MonkeyPatch) -> None:
    from headerscope import message

    assert message._DIRECT_HEADER  # the fast route is the one taken
    raw = [data for data in _test_inputs() if len(data) < 2_000_000]
    inputs = raw + [load_bytes(data).data for data in raw]
    direct = [parse_message(data) for data in inputs]
    monkeypatch.setattr(message, "_DIRECT_HEADER", False)
    built = [parse_message(data) for data in inputs]
    for one, other in zip(direct, built, strict=True):
        assert one.body_start == other.body_start and len(one.headers) == len(other.headers)
        for field, expected in zip(one.headers, other.headers, strict=True):
            assert type(field) is type(expected) and field == expected and repr(field) == repr(expected)
            assert list(vars(field).items()) == list(vars(expected).items())  # field order too


def test_one_kind_of_line_end_splits_fields_as_the_general_pattern() -> None:
    from headerscope import message

    def reference(section: bytes) -> list[bytes]:
        lines = message._FIELD_BREAK.split(section) if section else []
        if lines and not lines[-1]:
            lines.pop()
        return lines

    sections = [data[:message.header_body_offsets(data)[0]] for data in _test_inputs() if len(data) < 2_000_000]
    sections += [b"A: 1\r\n 2\r\nB: 2\r\n", b"A: 1\n\t2\nB: 2", b"A: 1\r\n\r\n x\r\n", b"A:\r\r\n",
                 b"A: 1\n\r\nB", b" x\r\nA: 1", b"\r\n", b"\n"]
    for section in sections:
        assert message._logical_lines(section) == reference(section)


# Apple Mail's .emlx: "<length>\n", the message with LF line ends, then Mail's property list.
_PLIST = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
          b'"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n'
          b'\t<key>date-received</key>\n\t<integer>1764150768</integer>\n\t<key>flags</key>\n'
          b'\t<integer>8590195713</integer>\n</dict>\n</plist>\n')


def emlx(message: bytes, count: int | None = None) -> bytes:
    length = len(message) if count is None else count
    return f"{length}       \n".encode() + message + _PLIST


def test_emlx_wrapping_is_removed_and_the_message_kept_whole() -> None:
    message = MESSAGE.replace(b"\r\n", b"\n")
    data = emlx(message)
    loaded = load_bytes(data, source="Messages/41.emlx")
    assert loaded.format == "emlx" and loaded.data == message
    assert loaded.byte_exact and loaded.has_body
    assert (loaded.sha256, loaded.size) == (hashlib.sha256(data).hexdigest(), len(data))  # the file's
    assert loaded.cleanups == ("Apple Mail's .emlx wrapping was removed: the byte-count line before the message "
                               "and Mail's property list after it",)
    # Without the property list (some exporters drop it) the count alone still ends the file.
    assert load_bytes(f"{len(message)}\n".encode() + message).data == message


def test_emlx_with_a_wrong_count_is_cut_at_the_property_list() -> None:
    message = MESSAGE.replace(b"\r\n", b"\n")
    loaded = load_bytes(emlx(message, count=len(message) - 7))
    assert loaded.format == "emlx" and loaded.data == message
    assert "does not match the message" in loaded.cleanups[0] and f"({len(message)} bytes" in loaded.cleanups[0]


def test_a_first_line_of_digits_alone_is_no_emlx() -> None:
    # A paste that happens to start with a number: the count neither ends the input nor
    # leads to a property list, so it is read as any paste (not cut, not called .emlx).
    data = b"42\n" + MESSAGE
    loaded = load_bytes(data)
    assert loaded.format != "emlx" and b"Body line." in loaded.data
    # The count is read once: a message inside whose own first line is digits stays as it is.
    inner = b"3\nabc"
    assert load_bytes(emlx(inner)).data == inner


def test_partial_emlx_says_the_body_is_not_the_original() -> None:
    message = MESSAGE.replace(b"\r\n", b"\n").replace(
        b"\nBody line.\n",
        b"Content-Type: multipart/mixed; boundary=b1\n\n--b1\nContent-Type: text/plain\n\nBody line.\n"
        b"--b1\nContent-Type: application/pdf; name=report.pdf\nContent-Transfer-Encoding: base64\n"
        b"X-Apple-Content-Length: 48213\n\n\n--b1--\n")
    loaded = load_bytes(emlx(message), source="Messages/42.partial.emlx")
    assert loaded.format == "emlx" and loaded.data == message
    assert not loaded.byte_exact
    assert loaded.byte_exact_note is not None and "kept 1 part(s)" in loaded.byte_exact_note


def test_a_body_of_trailer_lines_is_a_body_not_a_headers_paste() -> None:
    # A patch review whose whole body is "Acked-by: ..." looks like a field after the blank
    # line; a paste of Outlook's pane splits header fields with blank lines. Only the second
    # loses its blank lines (and has no body).
    reply = (b"From: Deepa <deepa@example.org>\nTo: list@example.org\nSubject: Re: [PATCH] fix\n"
             b"Date: Mon, 2 Nov 2026 10:00:00 +0000\nMessage-ID: <1@example.org>\n\n"
             b"Acked-by: Deepa Dinamani <deepa@example.org>\n")
    loaded = load_bytes(reply, source="reply.eml")
    assert (loaded.format, loaded.has_body, loaded.byte_exact, loaded.cleanups) == ("eml", True, True, ())
    assert loaded.data is reply
    pane = (b"Received: from a.example by b.example; Mon, 2 Nov 2026 10:00:00 +0000\n\n"
            b"From: a@example.org\n\nSubject: hi\n\nX-MS-Exchange-Organization-SCL: 1\n")
    loaded = load_bytes(pane)
    assert not loaded.has_body and loaded.cleanups == ("removed 3 blank line(s) between header fields (a headers paste)",)


def test_an_encoded_word_that_never_ends_is_a_header_defect() -> None:
    # A real subject (RFC 2047 section 2: an encoded-word ends with "?="): shown as written.
    from headerscope.api import analyze
    from headerscope.message import parse_message

    message = parse_message(b"Subject: =?utf-8?q?Din_faktura_fr=C3=A5n_Personal_AI\r\nFrom: a@example.org\r\n\r\nx")
    subject = message.headers[0]
    assert subject.decoded == "=?utf-8?q?Din_faktura_fr=C3=A5n_Personal_AI"
    assert subject.defects == ("an encoded-word (RFC 2047 section 2) that does not end with '?=': shown as written",)
    report = analyze(message.raw, offline=True)
    assert [f.id for f in report.findings if f.id == "headers.defects"] == ["headers.defects"]
    # Complete encoded-words, and "=?" in a URL, are no defect.
    fine = parse_message(b"Subject: =?utf-8?q?ok?=\r\nList-Unsubscribe: <https://x.example/u?a=?b>\r\n\r\nx")
    assert [h.defects for h in fine.headers] == [(), ()]


def test_encoded_words_in_the_charsets_mail_programs_really_send() -> None:
    # Labels real mail uses for more than the strict charset (the probes' words, after real
    # clients): Hebrew Outlook's iso-8859-8-i, Shift_JIS with half-width kana and NEC's ①,
    # ISO-2022-JP holding NEC's ① and ㈱, GBK labelled gb2312, Windows-949 labelled ks_c_5601-1987.
    from headerscope.message import parse_message

    cases = {
        b"=?iso-8859-8-i?B?6+vsIPnm5CDw5eLyIOzpIC4uLg==?=": "\u05db\u05db\u05dc \u05e9\u05d6\u05d4 \u05e0\u05d5"
                                                            "\u05d2\u05e2 \u05dc\u05d9 ...",
        b"=?Shift_JIS?B?h0DK3ba47uCLtA==?=": "\u2460\uff8a\uff9d\uff76\uff78\u9ad9\u6a4b",
        b"=?ISO-2022-JP?B?GyRCLSEbKEIgdGVzdCAbJEItahsoQg==?=": "\u2460 test \u3231",
        b"=?gb2312?B?1uzpRrv5IIa0?=": "\u6731\u9555\u57fa \u5586",
        b"=?ks_c_5601-1987?B?xvc=?=": "\ud3ec",
        # A character split across two words (RFC 2047 section 5 forbids it; mailers do it).
        b"=?UTF-8?B?8J+Y?= =?UTF-8?B?gA==?=": "\U0001f600",
        # One word in a charset nobody knows does not undo its neighbour.
        b"Re: =?UTF-8?B?5pel5pys6Kqe?= =?x-unheard-of?Q?abc?=": "Re: \u65e5\u672c\u8a9eabc",
    }
    for word, expected in cases.items():
        [subject] = parse_message(b"Subject: " + word + b"\r\n\r\nx").headers
        assert subject.decoded == expected, word
    [unknown] = parse_message(b"Subject: Re: =?UTF-8?B?5pel5pys6Kqe?= =?x-unheard-of?Q?abc?=\r\n\r\nx").headers
    assert unknown.defects == ("an encoded-word in an unknown charset 'x-unheard-of': read as UTF-8",)
    # Bytes its charset does not have: replacement characters and a defect, the rest decoded.
    [bad] = parse_message(b"Subject: =?utf-8?Q?caf=C3=A9_=FF?=\r\n\r\nx").headers
    assert bad.decoded == "caf\u00e9 \ufffd"
    assert bad.defects == ("an encoded-word with bytes that are not valid utf-8 (shown as \ufffd)",)
    # A broken base64 word is shown as written, and said so.
    [broken] = parse_message(b"Subject: =?utf-8?B?!!!?= x\r\n\r\nx").headers
    assert broken.decoded == "=?utf-8?B?!!!?= x"
    assert broken.defects == ("an encoded-word whose B encoding is broken: shown as written",)


def test_raw_header_bytes_in_a_legacy_charset_are_read_in_the_charset_the_message_declares() -> None:
    # Old Russian and Japanese mailers wrote raw windows-1251/KOI8-R bytes, or ISO-2022-JP with
    # its escapes, in From and Subject instead of RFC 2047 encoded-words. Mail readers read them
    # in the message's declared charset; a defect still says the field breaks RFC 5322.
    from headerscope.api import analyze
    from headerscope.message import parse_message

    name, subject = "\u0418\u0432\u0430\u043d \u041f\u0435\u0442\u0440\u043e\u0432", "\u0421\u0447\u0451\u0442"
    cp1251 = (b"From: " + name.encode("cp1251") + b" <ivan@example.ru>\r\nSubject: " + subject.encode("cp1251")
              + b"\r\nContent-Type: text/plain; charset=windows-1251\r\n\r\nx\r\n")
    sender, title, _ = parse_message(cp1251).headers
    assert (sender.value, title.decoded) == (f"{name} <ivan@example.ru>", subject)
    assert sender.defects == ("bytes that are not UTF-8: read as windows-1251, the charset the message declares",)
    report = analyze(cp1251, offline=True)
    assert report.envelope.header_from[0].display_name == name and report.subject == subject
    [defects] = [f for f in report.findings if f.id == "headers.defects"]
    assert (defects.severity.value, defects.title) == (
        "notice", "2 header field(s) in a legacy charset, not RFC 2047 encoded-words")
    # A multipart message declares its charset in its first part.
    koi8 = (b"From: " + name.encode("koi8-r") + b" <i@example.ru>\r\nContent-Type: multipart/mixed; boundary=b"
            b"\r\n\r\n--b\r\nContent-Type: text/plain;\r\n\tcharset=\"KOI8-R\"\r\n\r\nx\r\n--b--\r\n")
    assert parse_message(koi8).headers[0].value == f"{name} <i@example.ru>"
    # ISO-2022-JP announces itself by its escapes (RFC 1468), NEC's \u2460 included.
    iso2022 = b"Subject: \x1b$B@A5a=q\x1b(B \x1b$B-!\x1b(B\r\nFrom: \x1b$B;3ED\x1b(B <t@example.jp>\r\n\r\nx"
    assert [h.decoded for h in parse_message(iso2022).headers] == [
        "\u8acb\u6c42\u66f8 \u2460", "\u5c71\u7530 <t@example.jp>"]
    # Bytes the declared charset does not explain stay replacement characters, a warning.
    wrong = b"From: " + name.encode("cp1251") + b" <i@example.ru>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx"
    field = parse_message(wrong).headers[0]
    assert field.value.startswith("\ufffd") and field.defects == ("bytes that are not UTF-8 (shown as \ufffd)",)
    assert [f.severity.value for f in analyze(wrong, offline=True).findings if f.id == "headers.defects"] == ["warning"]


def _paste_of_the_outlook_sample() -> tuple[bytes, tuple[object, ...]]:
    """The headers-only sample as it reads without any wrapping: its fields, for comparison."""
    from headerscope.message import parse_message

    data = (SAMPLES / "headers-only.txt").read_bytes()
    plain = load_bytes(data)
    return data, tuple((h.name, h.value) for h in parse_message(plain.data).headers)


def test_a_header_pasted_after_a_note_a_code_fence_or_a_forward_summary() -> None:
    from headerscope.message import parse_message

    data, fields = _paste_of_the_outlook_sample()
    wrappers = {
        # A GitHub issue: a sentence, then a Markdown code fence around the header.
        "code fence": b"Headers of the message that failed DMARC:\n\n```\n" + data + b"\n```\nThanks!\n",
        # A forum post: a sentence, then the header indented four spaces.
        "indented": b"Here is what Outlook shows:\n\n" + b"".join(b"    " + line for line in
                                                                   data.splitlines(keepends=True)),
        # A helpdesk forward: Outlook's summary of the forwarded message, a note, then the header.
        "forward": (b"From: Elliot Alderson <elliot@starcom.example>\nSent: Friday, 2 October 2026 09:12\n"
                    b"To: IT Helpdesk <helpdesk@starcom.example>\nSubject: FW: unusual sign-in activity\n\n"
                    b"Is this real? Headers below.\n\n" + data),
    }
    for name, paste in wrappers.items():
        loaded = load_bytes(paste, source="stdin")
        assert tuple((h.name, h.value) for h in parse_message(loaded.data).headers) == fields, name
        assert any(c.startswith("skipped ") for c in loaded.cleanups), name
    # A message that starts with its own header is left alone, even without trace fields, and
    # a Received quoted in its body stays body.
    draft = b"From: a@example.org\nTo: b@example.org\nSubject: s\n\nHello, look at this\nReceived: from x by y; 1 Jan 2026\n"
    assert load_bytes(draft).data == draft


def test_a_quoted_header_loses_its_quote_marks() -> None:
    from headerscope.message import parse_message

    data, fields = _paste_of_the_outlook_sample()
    quoted = b"".join(b"> " + line for line in data.splitlines(keepends=True))
    for paste in (b"On Fri, 2 Oct 2026, Elliot wrote:\n" + quoted + b"\nI think it is phishing.\n",
                  b"".join(b">> " + line for line in data.splitlines(keepends=True))):
        loaded = load_bytes(paste, source="stdin")
        assert tuple((h.name, h.value) for h in parse_message(loaded.data).headers) == fields
        assert any("quote marks" in c for c in loaded.cleanups)


# An LKML reply of 5 Dec 2003 (Thunderbird 0.3) quoting a message with ">" and no space (RFC 3676
# section 4.5 marks), selected from its first quoted field: ">Received" is a legal field name.
_LKML_NOSPACE_QUOTE = (
    b">Received: from localhost (sendmail-bs@127.0.0.1)\n"
    b">  by localhost with SMTP; 5 Dec 2003 17:36:11 -0000\n"
    b">Date: Fri, 5 Dec 2003 12:36:11 -0500 (EST)\n"
    b">From: Gerhard Mack <gmack@innerfire.net>\n"
    b">To: Linus Torvalds <torvalds@osdl.org>\n"
    b">cc: David Schwartz <davids@webmaster.com>, Valdis.Kletnieks@vt.edu, \n"
    b">    Peter Chubb <peter@chubb.wattle.id.au>, linux-kernel@vger.kernel.org\n"
    b">Subject: RE: Linux GPL and binary module exception clause? \n"
    b">In-Reply-To: <Pine.LNX.4.58.0312042245350.9125@home.osdl.org>\n"
    b">Message-ID: <Pine.LNX.4.58.0312051232530.16547@innerfire.net>\n"
    b">References: <MDEHLPKNGKAHNMBLJOLKMEIDIHAA.davids@webmaster.com>\n"
    b"> <Pine.LNX.4.58.0312042245350.9125@home.osdl.org>\n"
    b">MIME-Version: 1.0\n"
    b">Content-Type: TEXT/PLAIN; charset=US-ASCII\n"
    b">X-Spam-Level: \n"
    b">\n"
    b">Those views are scary when you consider that webmaster Inc sells closed\n"
    b">source software that works exactly like IRC (wich is GPL)\n"
    b">\n")


def test_a_header_quoted_without_a_space_from_its_first_field_loses_its_quote_marks() -> None:
    loaded = load_bytes(_LKML_NOSPACE_QUOTE, source="stdin")
    headers = parse_message(loaded.data).headers
    assert [h.name for h in headers][:4] == ["Received", "Date", "From", "To"]
    assert headers[0].value.endswith("by localhost with SMTP; 5 Dec 2003 17:36:11 -0000")
    assert "Peter Chubb" in headers[4].value  # the cc: fold, indented past the marks, stays a fold
    assert any("quote marks ('>')" in c for c in loaded.cleanups)
    # The same block with its "wrote:" line above it reads the same.
    intro = load_bytes(b"gmack@innerfire.net wrote:\n\n" + _LKML_NOSPACE_QUOTE, source="stdin")
    assert parse_message(intro.data).headers == headers

    # The Outlook sample quoted ">" with no space: its one-space folds become "> designates ...",
    # most quoted lines start "> ", and the field lines (">Received:") tell the quote's style.
    data, fields = _paste_of_the_outlook_sample()
    quoted = b"".join(b">" + line for line in data.splitlines(keepends=True))
    loaded = load_bytes(quoted, source="stdin")
    assert tuple((h.name, h.value) for h in parse_message(loaded.data).headers) == fields
    assert not loaded.byte_exact


def test_a_header_with_one_field_that_starts_with_a_quote_mark_is_no_quote() -> None:
    # Only a header quoted on every line is unquoted: a message whose receiver wrote its own
    # fields below a ">"-named one (legal ftext) keeps its bytes.
    message = b">X-Note: odd\n" + MESSAGE
    loaded = load_bytes(message, source="x.eml")
    assert loaded.data == message and loaded.byte_exact
    assert parse_message(loaded.data).headers[0].name == ">X-Note"


def test_a_header_copied_as_html_text_gets_its_angle_brackets_back() -> None:
    # A ticket tool or a page's HTML source gives "From: Ann &lt;ann@example.org&gt;": read as
    # written, the address would be "ann@example.org&gt;" and its domain "example.org&gt;".
    import html

    from headerscope.message import parse_message

    data, fields = _paste_of_the_outlook_sample()
    assert b"<" in data and b"&" not in data
    escaped = html.escape(data.decode("utf-8")).encode("utf-8")
    for paste in (escaped, escaped.replace(b"\n", b"\r\n")):
        loaded = load_bytes(paste, source="stdin")
        assert tuple((h.name, h.value) for h in parse_message(loaded.data).headers) == fields
        assert not loaded.byte_exact and len(loaded.cleanups) == 1
        assert loaded.cleanups[0].startswith("decoded HTML character references")
    # A message with angle brackets of its own keeps a "&lt;" someone wrote in its subject.
    message = (b"From: Ann <ann@example.org>\nSubject: 1 &lt; 2\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n\nx\n")
    assert load_bytes(message).data is message
    subject = b"Subject: 1 &lt; 2\nFrom: ann@example.org\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n\nx\n"
    assert load_bytes(subject).data is subject  # "&lt;" alone, no "&gt;": not an escaped copy
    # A reference to a line break would start a header field of its own: it stays as written.
    smuggled = b"From: Ann &lt;ann@example.org&gt;\nSubject: x&#10;Authentication-Results: mx; dmarc=pass&#x0D;\n\nx\n"
    fields = parse_message(load_bytes(smuggled).data).headers
    assert [h.name for h in fields] == ["From", "Subject"]
    assert fields[1].value == "x&#10;Authentication-Results: mx; dmarc=pass&#x0D;"


def test_web_page_spaces_and_lost_fold_indentation_are_repaired() -> None:
    from headerscope.message import parse_message

    data, fields = _paste_of_the_outlook_sample()
    # A web page indents folds with no-break spaces and can put a zero-width space before a field.
    nbsp = data.replace(b"\n ", "\n\u00a0".encode()).replace(b"Received:", "\u200bReceived:".encode(), 1)
    loaded = load_bytes(nbsp, source="stdin")
    assert tuple((h.name, h.value) for h in parse_message(loaded.data).headers) == fields
    assert "replaced a web page's no-break and zero-width spaces at the start of header lines" in loaded.cleanups
    # A no-break space inside a value is the message's own (French typography, RFC 6532): kept.
    french = "From: a@example.fr\nSubject: Bonjour\u00a0!\n\nbody\n".encode()
    assert load_bytes(french).data == french and load_bytes(french).byte_exact
    # A chat or ticket tool trims every line: the folds lose their indentation.
    trimmed = b"".join(line.lstrip(b" \t") for line in data.splitlines(keepends=True))
    loaded = load_bytes(trimmed, source="stdin")
    assert not loaded.byte_exact
    assert [name for name, _ in fields] == [h.name for h in parse_message(loaded.data).headers]
    assert any(c.startswith("indented ") and "lost the indentation" in c for c in loaded.cleanups)
    # A signature's folded h= list ("Message-ID:Subject:From:") is the rest of the signature.
    signed = (b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1; h=Date:\n"
              b"Message-ID:Subject:From:To;\nbh=abc=; b=def=\nFrom: a@example.com\nSubject: s\n")
    names = [h.name for h in parse_message(load_bytes(signed).data).headers]
    assert names == ["DKIM-Signature", "From", "Subject"]
    # A header whose folds kept their indentation keeps a stray line between fields as a damaged field.
    stray = b"From: a@example.com\nSubject: s\n with a fold\nnot a field\nTo: b@example.com\n\nbody\n"
    assert load_bytes(stray).data == stray


def test_a_copy_that_re_spaced_the_header_is_not_taken_for_the_original() -> None:
    data, _ = _paste_of_the_outlook_sample()
    # Trailing spaces on every line (a copy from a web page or an editor).
    trailing = b"".join(line.rstrip(b"\r\n") + b" \n" for line in data.splitlines(keepends=True))
    loaded = load_bytes(trailing)
    assert not loaded.byte_exact and "ends with spaces" in (loaded.byte_exact_note or "")
    # A long signature on one line and no folded line anywhere: the copy unfolded the header.
    unfolded = (b"DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple; d=example.com; s=s1; h=from:to; bh="
                + b"A" * 44 + b"; b=" + b"B" * 344 + b"\nFrom: a@example.com\nTo: b@example.org\n\nbody\n")
    loaded = load_bytes(unfolded)
    assert not loaded.byte_exact and "unfolded" in (loaded.byte_exact_note or "")
    # An ordinary message stays byte-exact.
    assert load_bytes(b"From: a@example.com\nSubject: s\n  folded\n\nbody\n").byte_exact


def test_header_fields_past_the_cap_are_one_defect_not_a_million_objects() -> None:
    # A crafted message of a million one-line fields (13 MB) took 18 s and 1.3 GB; servers
    # refuse such headers (Exim's header_maxsize is 1 MB), so past 20,000 fields the rest is
    # said, not read one by one.
    from headerscope.api import analyze
    from headerscope.message import MAX_HEADER_FIELDS

    raw = b"From: a@example.org\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(MAX_HEADER_FIELDS + 500)) + b"\r\nhi\r\n"
    message = parse_message(raw)
    assert len(message.headers) == MAX_HEADER_FIELDS + 1
    last = message.headers[-1]
    assert last.defects == (f"501 more header field(s) after the first {MAX_HEADER_FIELDS}: not read one by one; "
                            "none of them has a name the checks read (From:, DKIM-Signature, Date, Received, ...)",)
    assert message.body == b"hi\r\n"
    report = analyze(raw, offline=True)
    assert [f.severity.value for f in report.findings if f.id == "headers.defects"] == ["warning"]


def test_lines_of_spaces_standing_for_every_empty_line_end_the_header_section() -> None:
    # A DMARC failure report whose empty lines all carry one space (an editor's trailing white
    # space): without an empty line the whole message was read as header fields, the report's
    # parts as a second From: and To:. The first such line after the fields, followed by no
    # field, is the empty line (RFC 5322 section 2.1); so are those after it, in the parts.
    import headerscope
    from headerscope.message import parse_message

    raw = (b"From: dmarc-report@example.de\nTo: postmaster@example.de\nSubject: DMARC Failure Report\n"
           b"Date: Mon, 1 Oct 2018 11:20:27 +0200\nMIME-Version: 1.0\n"
           b'Content-Type: multipart/report; report-type=feedback-report;\n    boundary="b1"\n \n'
           b"--b1\nContent-Type: text/plain\n \nAn abuse report.\n \n"
           b"--b1\nContent-Type: message/feedback-report\n \nFeedback-Type: auth-failure\nVersion: 1\n"
           b"Auth-Failure: dmarc\n \n--b1\nContent-Type: message/rfc822\n \n"
           b"From: someone@example.de\nTo: peter@example.de\nSubject: original\n \nhello\n \n--b1--\n")
    loaded = load_bytes(raw)
    assert loaded.has_body and not loaded.byte_exact
    assert [f.name for f in parse_message(loaded.data).headers] == [
        "From", "To", "Subject", "Date", "MIME-Version", "Content-Type"]
    report = headerscope.analyze(raw, offline=True)
    assert report.feedback_report is not None and report.feedback_report.feedback_type == "auth-failure"
    assert [a.address for a in report.envelope.header_from] == ["dmarc-report@example.de"]
    # A line of white space folded into a field, followed by more fields, stays a fold.
    folded = b"Subject: one\n \n two\nFrom: a@example.org\nTo: b@example.org\n"
    assert load_bytes(folded).data == folded


def test_a_paste_that_lost_some_folds_of_a_received_field_gets_them_back() -> None:
    # A real copy of a 2013 scam through Exchange Online kept most folds but lost those of one
    # Received field: its "(authenticated ...)" and "by ..." lines stood alone, and the hop lost
    # its receiving host, its date and its role. Lines of Received clauses after a Received field
    # are indented again; another stray line stays as it is.
    import headerscope

    raw = (b"Received: from BL2PRD0711HT001.namprd07.prod.outlook.com (10.255.104.164) by\r\n"
           b" BY2PRD0711HT003.namprd07.prod.outlook.com (10.255.88.166) with Microsoft SMTP\r\n"
           b" Server (TLS) id 14.16.257.4; Thu, 17 Jan 2013 23:35:35 +0000\r\n"
           b"Received: from User (85-250-54-29.bb.netvision.example[85.250.54.29])\r\n"
           b"(authenticated bits=0)\r\n"
           b"by mail.shako.example (8.14.3/8.14.3/4.90) with ESMTP\r\n"
           b" id r0HNXZSI028539; Fri, 18 Jan 2013 07:33:38 +0800\r\n"
           b"From: Joseph <vieria@aol.example>\r\nDate: Thu, 17 Jan 2013 23:46:07 +0000\r\n\r\nDear Sir,\r\n")
    report = headerscope.analyze(raw, offline=True)
    first = report.hops[0]
    assert (first.fields.by, first.fields.timestamp, first.role.value) == (
        "mail.shako.example", "2013-01-18T07:33:38+08:00", "MSA")
    assert any("lost the indentation of some folded lines" in note for note in report.input.cleanups)
    # A stray line that starts no Received clause is not taken for a fold.
    stray = raw.replace(b"(authenticated bits=0)\r\n", b"(authenticated bits=0)\r\nDear reader\r\n")
    assert "Dear reader" not in " ".join(h.value for h in headerscope.analyze(stray, offline=True).headers
                                         if h.name.lower() == "received")


# Exchange Online folds its Received before the IPv6 literal (an amd-gfx list message of 29 Jul
# 2025): "(2603:10b6:...) by ..." at a line's start is a legal field named "(2603" once the fold's
# indentation is lost.
_EXO_RECEIVED = (b"Received: from SJ5PEPF000001CD.namprd05.prod.outlook.com\n"
                 b" (2603:10b6:a03:33e:cafe::69) by SJ0PR03CA0049.outlook.office365.com\n"
                 b" (2603:10b6:a03:33e::24) with Microsoft SMTP Server (version=TLS1_3,\n"
                 b" cipher=TLS_AES_256_GCM_SHA384) id 15.20.8964.25 via Frontend Transport; Tue,\n"
                 b" 29 Jul 2025 07:52:48 +0000\n")


def _fields(data: bytes) -> list[tuple[str, str]]:
    """Each field's name and its value with white space runs made one space (a wrap's own)."""
    return [(h.name, " ".join(h.value.split())) for h in parse_message(data).headers]


def test_an_exchange_received_fold_before_its_ipv6_literal_is_no_field_named_by_it() -> None:
    lost = _EXO_RECEIVED.replace(b"\n (2603:10b6:a03:33e:cafe::69)", b"\n(2603:10b6:a03:33e:cafe::69)")
    for paste in (lost,
                  # A 72-column wrap puts the literal alone on a line.
                  _EXO_RECEIVED.replace(b"\n (2603:10b6:a03:33e:cafe::69) by", b"\n(2603:10b6:a03:33e:cafe::69)\n by")):
        loaded = load_bytes(paste + b"From: a@amd.example\n")
        assert [name for name, _ in _fields(loaded.data)] == ["Received", "From"]
        assert _fields(loaded.data)[0] == _fields(_EXO_RECEIVED)[0]
    # The Outlook sample with its two Exchange hops' "(IPv6) by" lines unindented reads as the
    # sample does (the hop keeps its "by", the trust boundary stays at hop 3).
    sample = (SAMPLES / "headers-only.txt").read_bytes()
    damaged = sample.replace(b".outlook.com (2001:db8:10b6:5:1c0::33) by\n", b".outlook.com\n(2001:db8:10b6:5:1c0::33) by\n")
    damaged = damaged.replace(b".outlook.com (2001:db8:10b6:f:fff::9b) by\n", b".outlook.com\n(2001:db8:10b6:f:fff::9b) by\n")
    assert damaged.count(b"\n(2001:") == 2
    assert _fields(load_bytes(damaged).data) == _fields(load_bytes(sample).data)


def test_an_ipv6_literal_line_under_a_finished_received_stays_a_field() -> None:
    # The sender writes every field below the receiver's Received: one named "(2001" (legal
    # ftext) is not joined to a Received that already ended with its date (RFC 5321 section
    # 4.4), even in a paste, so a sender cannot add a "by" clause to a receiver's stamp.
    forged = (b"Received: from mx.sender.example (mx.sender.example [192.0.2.9])\n"
              b" by mx.receiver.example with ESMTPS id 4A1; Tue, 29 Jul 2025 07:52:48 +0000\n"
              b"(2001:db8::1) by mx.bank.example with ESMTPS id 7; Tue, 29 Jul 2025 07:50:00 +0000\n"
              b"From: a@bank.example\n")
    assert [name for name, _ in _fields(load_bytes(forged).data)] == ["Received", "(2001", "From"]


def test_a_ticket_wrap_at_72_or_76_columns_restores_the_last_folds_of_any_field() -> None:
    # direct.eml hard-wrapped at spaces with the continuation at the left margin (Thunderbird's
    # plain-text wrap, a ticket tool): the last fold of Received-SPF ("192.0.2.25 as permitted
    # sender) client-ip=...") and of Content-Type ('boundary="..."') have no colon, so they
    # cannot be fields (RFC 5322 section 2.2); in a copy that lost three or more folds they are
    # folds too, and DKIM's signed Content-Type is whole again.
    def wrap(text: bytes, width: int) -> bytes:
        out = []
        for line in text.split(b"\n"):
            while len(line) > width:
                cut = line.rfind(b" ", 0, width)
                cut = cut if cut > 0 else width
                out.append(line[:cut])
                line = line[cut:].lstrip(b" ")
            out.append(line)
        return b"\n".join(out)

    source = (SAMPLES / "direct.eml").read_bytes().replace(b"\r\n", b"\n")
    header = source.split(b"\n\n", 1)[0]
    plain = _fields(header + b"\n")
    for width in (72, 76):
        loaded = load_bytes(wrap(header, width) + b"\n")
        assert _fields(loaded.data) == plain, width
        whole = load_bytes(wrap(source, width))
        assert _fields(whole.data) == plain, width
    # One or two stray lines in a message as given stay what they are (the wrap reading needs a
    # copy that lost three or more folds).
    stray = header.replace(b"; boundary=", b";\nboundary=") + b"\n\nbody\n"
    assert load_bytes(stray).data == stray


def test_a_received_date_whose_time_lost_its_fold_is_no_field_named_by_the_hour() -> None:
    # "07:15:59 +0200" alone on a line after a Received's "; Sun, 22 May 2022" was read as a
    # field named "07": the hop lost its time (shown as midnight). It is the date's fold.
    import headerscope

    raw = (b"Received: from mx25.gateway.example ([198.51.100.69])\r\n by mail.example.org with ESMTPS id 1;"
           b" Sun, 22 May 2022\r\n07:15:59 +0200\r\n"
           b"From: a@example.org\r\nSubject: s\r\nDate: Sun, 22 May 2022 07:15:00 +0200\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert report.hops[0].fields.timestamp == "2022-05-22T07:15:59+02:00"
    assert not [f for f in report.findings if f.id == "headers.defects"]
    assert not loader._needs_no_cleanup(raw)
    # A body line that starts with a time is not taken for a date (no zone after it).
    assert loader._is_field(b"07:15 meeting: room 4") is True


def test_a_copy_that_lost_many_folds_of_trace_and_signature_fields_gets_them_back() -> None:
    # A message kept in a script's template string (real shape, 2022: Exchange 2013 behind a
    # gateway) lost the indentation of the folds of its Exchange Received fields and its
    # signatures, while others kept theirs. The folds that start no Received clause (a host
    # name, "Server (TLS) id ...", "+0200") and a DKIM tag list's "h=From:Date:..." (read as a
    # field named "h=From") were damaged fields: the hop lost its receiving host and date, the
    # signature its b= and bh=. Three or more such lines are a copy's damage, not a sender's text.
    import headerscope

    raw = (b"Received: from HMC-DAG02SVR04.gw.example (192.168.200.113) by\n"
           b"HMC-DAG02SVR02.gw.example (192.168.200.111) with Microsoft SMTP\n"
           b"Server (TLS) id 15.0.1497.32 via Mailbox Transport; Sun, 22 May 2022 07:16:00\n"
           b"+0200\n"
           b"Received: from mx25.gateway.example ([198.51.100.69] helo=out.example)\n"
           b"   by HMC-DAG02SVR04.gw.example with esmtps (TLS1.2) (Exim 4.95)\n"
           b"   id 1nsdwE-000b99-BC; Sun, 22 May 2022 07:15:50 +0200\n"
           b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
           b"d=sender.example; s=s1;\n"
           b"h=From:Date:Subject:Message-ID;\n"
           b"bh=2wRFM4ujm2tD0546GDKJDUL0JOTX1jgzbYVETNiRad4=;\n"
           b"b=O7aCz0v1hMmr6GXuGuZRr93gFBjaFAWR6hd5HQxi8wLEGXZI0g4OuWTZRN6VsyGpop+k1jay2CLyHhZFlANF2Y==\n"
           b"From: Sender <a@sender.example>\nDate: Sun, 22 May 2022 07:15:40 +0200\nSubject: s\n"
           b"Message-ID: <1@sender.example>\n\nbody\n")
    report = headerscope.analyze(raw, offline=True)
    assert not [f for f in report.findings if f.id == "headers.defects"]
    assert [h.name for h in report.headers] == ["Received", "Received", "DKIM-Signature", "From", "Date", "Subject",
                                                "Message-ID"]
    top = report.hops[-1]
    assert (top.fields.by, top.fields.timestamp) == ("HMC-DAG02SVR02.gw.example", "2022-05-22T07:16:00+02:00")
    [signature] = report.dkim
    assert (signature.domain, signature.selector) == ("sender.example", "s1")
    assert any("indented 7 line(s) of header fields again" in note for note in report.input.cleanups)
    # One or two stray lines in a message as given stay what they are (damage), as before.
    few = raw.replace(b"HMC-DAG02SVR02.gw.example (192.168.200.111) with Microsoft SMTP\n"
                      b"Server (TLS) id 15.0.1497.32 via Mailbox Transport; Sun, 22 May 2022 07:16:00\n+0200\n",
                      b" HMC-DAG02SVR02.gw.example (192.168.200.111) with Microsoft SMTP\n"
                      b" Server (TLS) id 15.0.1497.32 via Mailbox Transport; Sun, 22 May 2022 07:16:00\n +0200\n")
    few = few.replace(b"d=sender.example; s=s1;\nh=From", b" d=sender.example; s=s1;\n h=From").replace(
        b"bh=2wR", b" bh=2wR")
    assert load_bytes(few).data == few
    assert [f for f in headerscope.analyze(few, offline=True).findings if f.id == "headers.defects"]


@pytest.mark.parametrize("mark", [b"...", b"\xe2\x80\xa6", b"[...]", b"[snip]", b"<snip>"])
def test_lines_that_mark_fields_a_paste_left_out_are_removed_and_said(mark: bytes) -> None:
    # A blog post's paste (real, 2023) puts "..." where it left fields out: they were damaged
    # header fields, or the folds of the field above. A "..." inside a value stays.
    import headerscope

    raw = (b"Delivered-To: john.doe@gmail.example\r\n" + mark + b"\r\n"
           b"Received: from mail-2061.simplelogin.example (mail-2061.simplelogin.example [192.0.2.61]) by "
           b"mx.google.com with ESMTPS id 1; Sat, 8 Apr 2023 22:48:25 -0700 (PDT)\r\n" + mark + b"\r\n"
           b"Subject: Your order ...\r\nFrom: shop@simplelogin.example\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert not [f for f in report.findings if f.id == "headers.defects"]
    assert any("mark header fields the paste left out" in note for note in report.input.cleanups)
    assert [h.name for h in report.headers] == ["Delivered-To", "Received", "Subject", "From"]
    assert report.headers[2].value == "Your order ..."
    assert report.hops[0].fields.timestamp == "2023-04-08T22:48:25-07:00"


def test_a_header_that_runs_into_its_body_with_no_empty_line_is_split_before_the_text() -> None:
    # A real copy of a 2013 scam went from "MIME-Version: 1.0" straight to "Dear Sir/Madam,":
    # its first two body lines were reported as damaged header fields. A line of words that no
    # field follows starts the body, as mail readers take it (Python's email parser too).
    import headerscope

    header = (b"Received: from mail.shako.example (mail.shako.example [192.0.2.7])\r\n by mx.example.net with "
              b"ESMTP id 1; Fri, 18 Jan 2013 07:33:38 +0800\r\n"
              b"From: Joseph <vieria@aol.example>\r\nTo: Undisclosed recipients:;\r\n"
              b"Subject: Dear Sir/Madam\r\nDate: Fri, 18 Jan 2013 01:46:07 +0200\r\nMIME-Version: 1.0\r\n")
    raw = header + b"Dear Sir/Madam,\r\nmy name is Joseph, i am from Guinea Bissau\r\n\r\nRegards.\r\n"
    loaded = load_bytes(raw)
    assert loaded.has_body and not loaded.byte_exact
    assert loaded.data == header + b"\r\n" + raw[len(header):]
    assert any('put an empty line before "Dear Sir/Madam,"' in note for note in loaded.cleanups)
    report = headerscope.analyze(raw, offline=True)
    assert not [f for f in report.findings if f.id == "headers.defects"]
    assert [h.name for h in report.headers][-1] == "MIME-Version"

    def defects(data: bytes) -> list[str]:
        return [f.id for f in headerscope.analyze(data, offline=True).findings if f.id == "headers.defects"]

    # A line that is no field, with fields after it, is damage inside the header.
    assert defects(header.replace(b"MIME-Version", b"Dear reader\r\nMIME-Version")) == ["headers.defects"]
    # A last line of one word (a field that lost its colon), or one that names a field, stays damage.
    assert defects(header + b"X-Spam-Status\r\n") == ["headers.defects"]
    assert defects(header + b"X-Spam-Status Yes, score=9\r\n") == ["headers.defects"]
    assert not load_bytes(header + b"X-Spam-Status Yes, score=9\r\n").has_body


# A headers paste copied back from a GitHub issue (real shape, 2023): the page auto-linked each
# host name ("[host](http://host/)"), each address ("[a@b](mailto:a@b)") and DKIM's d= domain.
AUTOLINKED_HEADER = (
    b"Received: (qmail 17325 invoked from network); 4 Jul 2023 08:10:06 -0000\n"
    b"Received: from [mail-ed1-f41.google.com](http://mail-ed1-f41.google.com/) (HELO "
    b"[mail-ed1-f41.google.com](http://mail-ed1-f41.google.com/)) (209.85.208.41)\n"
    b"  by [server-8.tower-541.messagelabs.com](http://server-8.tower-541.messagelabs.com/) with "
    b"ECDHE-RSA-AES256-GCM-SHA384 encrypted SMTP for <[ayoku.liadi@bank.example](mailto:ayoku.liadi@bank.example)>;"
    b" 4 Jul 2023 08:10:06 -0000\n"
    b"Received: by [mail-ed1-f41.google.com](http://mail-ed1-f41.google.com/) with SMTP id 51d88f1c476so5977354a12.0\n"
    b"        for <[ayoku.liadi@bank.example](mailto:ayoku.liadi@bank.example)>; Tue, 04 Jul 2023 01:10:06 -0700 (PDT)\n"
    b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
    b"        d=[gmail.com](http://gmail.com/); s=20221208; t=1688458206;\n"
    b"        h=to:subject:message-id:date:from:mime-version;\n"
    b"        bh=6648O0AlO3AfPriowp65/z0tA6S6R5fLacCgmlie0n0=; b=AAAA\n"
    b"From: Sender <[sender@gmail.com](mailto:sender@gmail.com)>\n"
    b"To: [ayoku.liadi@bank.example](mailto:ayoku.liadi@bank.example)\n"
    b"Subject: Statement\n"
)
AUTOLINKS_UNDONE = (
    "undid 9 Markdown auto-link(s) the paste added ([host](http://host) \u2192 host)")


def test_markdown_auto_links_a_page_added_to_a_paste_are_undone() -> None:
    import headerscope

    expected = (AUTOLINKED_HEADER
                .replace(b"[mail-ed1-f41.google.com](http://mail-ed1-f41.google.com/)", b"mail-ed1-f41.google.com")
                .replace(b"[server-8.tower-541.messagelabs.com](http://server-8.tower-541.messagelabs.com/)",
                         b"server-8.tower-541.messagelabs.com")
                .replace(b"[ayoku.liadi@bank.example](mailto:ayoku.liadi@bank.example)", b"ayoku.liadi@bank.example")
                .replace(b"[sender@gmail.com](mailto:sender@gmail.com)", b"sender@gmail.com")
                .replace(b"[gmail.com](http://gmail.com/)", b"gmail.com"))
    assert b"](" not in expected
    for paste in (AUTOLINKED_HEADER, AUTOLINKED_HEADER.replace(b"\n", b"\r\n")):
        loaded = load_bytes(paste, source="clipboard")
        assert loaded.data == (expected if paste is AUTOLINKED_HEADER else expected.replace(b"\n", b"\r\n"))
        assert loaded.cleanups == (AUTOLINKS_UNDONE,)
        assert not loaded.byte_exact and AUTOLINKS_UNDONE in (loaded.byte_exact_note or "")
    report = headerscope.analyze(AUTOLINKED_HEADER, offline=True)
    assert report.input.cleanups == (AUTOLINKS_UNDONE,)
    boundary = next(hop for hop in report.hops if hop.boundary)
    assert (boundary.fields.by, boundary.fields.from_helo, boundary.fields.from_ip) == (
        "server-8.tower-541.messagelabs.com", "mail-ed1-f41.google.com", "209.85.208.41")
    assert report.hops[0].fields.for_ == "<ayoku.liadi@bank.example>"
    assert report.envelope.rcpt_to == ("ayoku.liadi@bank.example",)
    assert [address.address for address in report.envelope.to] == ["ayoku.liadi@bank.example"]
    assert [signature.domain for signature in report.dkim] == ["gmail.com"]


# Brackets a header has of its own (an address literal, "[IPv6:...]"), and links whose text is
# not exactly their target's host or address; and an auto-link in other case ("[HOST](http://host)").
KEPT_BRACKETS = (b"Received: from mx.example.org ([192.0.2.1]) by [mx.example.net](http://other.example) "
                 b"(helo=[IPv6:2001:db8::1]) for <[a@example.net](mailto:b@example.net)>; 4 Jul 2023 08:10:06 -0000\n"
                 b"X-Note: [text](http://other.example) [host.example](https://host.example:8443/) "
                 b"[x.example](http://x.example/path) [x.example](ftp://x.example)\n")
LINKED_RECEIVED = b"Received: by [MX.Example.net](https://mx.example.NET) id 1; 4 Jul 2023 08:10:05 -0000\n"
MARKDOWN_SUBJECT = b"Subject: see [example.com](http://example.com)\n"
# Whole messages (with a body), so the fast path is asked about them too.
LINKED_MESSAGES = (LINKED_RECEIVED + KEPT_BRACKETS + b"\nbody\n", MARKDOWN_SUBJECT + b"From: a@example.com\n\nbody\n",
                   MARKDOWN_SUBJECT + LINKED_RECEIVED + b"\nbody\n")


def test_only_links_whose_text_is_their_own_target_are_undone() -> None:
    # The brackets and links of KEPT_BRACKETS stay as written; the host's case does not matter.
    mixed, in_subject, both = LINKED_MESSAGES
    loaded = load_bytes(mixed)
    assert loaded.data == b"Received: by MX.Example.net id 1; 4 Jul 2023 08:10:05 -0000\n" + KEPT_BRACKETS + b"\nbody\n"
    assert loaded.cleanups == (AUTOLINKS_UNDONE.replace("9", "1"),)
    # A subject an author wrote in Markdown is theirs: a message whose only links are there is
    # read as it is; in a paste with links elsewhere too, the page linked the subject as well.
    assert load_bytes(in_subject).data is in_subject
    assert load_bytes(both).data == (
        b"Subject: see example.com\nReceived: by MX.Example.net id 1; 4 Jul 2023 08:10:05 -0000\n\nbody\n")


# A Gmail header as a reply or a chat quotes it (real shapes, 2025): "> " before every line.
QUOTED_GMAIL_HEADER = (
    b"Received: from mail8421.emails.shop.example (mail8421.emails.shop.example. [192.0.2.248])\n"
    b"        by mx.google.com with ESMTPS id 6a1803df08f44-882865c0e8dsi25549736d6.627.2025.11.15.05.28.36\n"
    b"        for <pat@gmail.example>\n"
    b"        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\n"
    b"        Sat, 15 Nov 2025 05:28:36 -0800 (PST)\n"
    b"Received-SPF: pass (google.com: domain of bounce@shop.example designates 192.0.2.248 as permitted sender) "
    b"client-ip=192.0.2.248;\n"
    b"Authentication-Results: mx.google.com;\n"
    b"       spf=pass (google.com: domain of bounce@shop.example designates 192.0.2.248 as permitted sender) "
    b"smtp.mailfrom=bounce@shop.example;\n"
    b"       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=shop.example\n"
    b"From: Shop <customer-service@shop.example>\n"
)


def _quoted(header: bytes, after_each: bytes = b"") -> bytes:
    return b"".join(b"> " + line + after_each for line in header.splitlines(keepends=True))


def test_empty_lines_inside_a_quoted_header_do_not_end_it() -> None:
    # A chat export put an empty line after every quoted line; a reply had one stray empty line
    # after its first quoted line, whose mark had no space (">Received:"). Both were cut at the
    # first empty line: one hop, "No From:", the receiver's verdicts gone.
    expected = [(h.name, h.value) for h in parse_message(QUOTED_GMAIL_HEADER).headers]
    assert [name for name, _ in expected] == ["Received", "Received-SPF", "Authentication-Results", "From"]
    every_line = b"is this legit?\n\n" + _quoted(QUOTED_GMAIL_HEADER, after_each=b"\n")
    first, rest = QUOTED_GMAIL_HEADER.split(b"\n", 1)
    stray = (b"from the headers in the copy I received:\n\n>" + first + b"\n\n" + _quoted(rest)
             + b"\nYou might want to have a look at that.\n")
    for paste, removed in ((every_line, 9), (stray, 1)):
        loaded = load_bytes(paste, source="stdin")
        assert [(h.name, h.value) for h in parse_message(loaded.data).headers] == expected
        assert not loaded.has_body and not loaded.byte_exact
        assert (f"removed {removed} empty line(s) between the lines of the quoted header: the copy put them there "
                "(a chat or web page's line spacing)") in loaded.cleanups
    # The quoted header's own empty line (a line of quote marks alone) still ends it: the
    # quoted body after it keeps its empty lines.
    message = _quoted(b"Received: from a.example by b.example; Sat, 15 Nov 2025 05:28:35 -0800\nFrom: a@example.org\n"
                      b"\nHello,\n\nregards\n")
    loaded = load_bytes(b"On Monday Ann wrote:\n" + message)
    assert parse_message(loaded.data).body == b"Hello,\n\nregards\n"


def test_a_header_dropped_after_a_quoted_paste_is_named() -> None:
    # Text after the quote is dropped; when it holds trace fields (a second header pasted
    # unquoted), the clean-up says which, rather than losing them without a word.
    paste = (_quoted(QUOTED_GMAIL_HEADER) + b"\nand the other one:\n"
             + b"Received: from a.example by b.example; Sat, 15 Nov 2025 05:28:36 -0800\n"
             + b"Received: from c.example by a.example; Sat, 15 Nov 2025 05:28:35 -0800\n")
    loaded = load_bytes(paste)
    assert ("dropped the text after the quoted header (it held header fields too, not analysed: "
            "Received \u00d72)") in loaded.cleanups


def test_header_fields_run_together_on_one_line_are_split() -> None:
    # Real copies lost every line break: a 1999 list message (each field run onto the end of the
    # one before), a blog's five Received fields on one line, a web page that glued Date: onto
    # the last Received's zone comment, Yahoo's webmail header on one line, and an Outlook.com
    # header on one line after a note, behind a list number. Each was read as one field: "No
    # Received headers", or one hop with the last hop's date.
    import headerscope

    hop = (b"Received: from relay%d.example.net (relay%d.example.net [192.0.2.%d]) by mx%d.example.org (8.9.3/8.9.3) "
           b"with ESMTP id OAA1966%d; Sun, 15 Aug 1999 14:1%d:02 -0400")
    received = [hop % (n, n, n, n, n, 9 - n) for n in range(1, 4)]
    list_message = (b"Return-path: <list-admin@lists.example.org>Envelope-to: martin@example.co.uk "
                    + b"".join(received) + b"Date: Sun, 15 Aug 1999 19:09:17 +0100x-mailer: Claris Emailer 2.0v3, "
                    b"January 22, 1998From: Martin <martin@example.co.uk>To: \"list\" <list@lists.example.org>"
                    b"Mime-Version: 1.0Content-Type: text/plain; charset=\"US-ASCII\"Message-Id: <E11G4ig@example.net>"
                    b"Subject: site live! To: everyone Reply-To: list@lists.example.org")
    loaded = load_bytes(list_message, source="stdin")
    fields = parse_message(loaded.data).headers
    assert [h.name for h in fields] == ["Return-path", "Envelope-to", "Received", "Received", "Received", "Date",
                                        "x-mailer", "From", "To", "Mime-Version", "Content-Type", "Message-Id",
                                        "Subject"]
    assert fields[2].value == received[0].split(b": ", 1)[1].decode()
    # A subject may hold any words: what follows "Subject:" stays in it.
    assert fields[-1].value == "site live! To: everyone Reply-To: list@lists.example.org"
    assert loaded.cleanups == ("split 1 line(s) holding header fields run together (a copy that lost the line "
                               "breaks) into 13 fields: the text after a Subject: or another field of free text "
                               "stays in it",)
    report = headerscope.analyze(list_message, offline=True)
    assert [hop.fields.timestamp for hop in report.hops] == [
        "1999-08-15T14:16:02-04:00", "1999-08-15T14:17:02-04:00", "1999-08-15T14:18:02-04:00"]
    assert [a.address for a in report.envelope.header_from] == ["martin@example.co.uk"]
    # Five Received fields on one line: five hops, the top one with its own date.
    stamps = b" ".join(
        b"Received: from h%d.example.fi (h%d.example.fi [192.0.2.%d]) by h%d.example.fi (Postfix) with ESMTP id "
        b"3B0385D648%d for <chris@example.net>; Thu, 7 Feb 2008 12:2%d:45 +0000 (GMT)" % (n + 1, n + 1, n + 1, n, n, 9 - n)
        for n in range(5))
    report = headerscope.analyze(stamps, offline=True)
    assert len(report.hops) == 5 and report.hops[-1].fields.timestamp == "2008-02-07T12:29:45+00:00"
    # A web page glued the Date: field onto the last Received's zone comment.
    glued = (b"Return-Path: test@seznam.example\nReceived: from mx1.seznam.example (mx1.seznam.example [192.0.2.45]) "
             b"by relay.zoner.example (Postfix) with SMTP id 5E9A620004D5 for info@example.cz; Fri, 12 Aug 2005 "
             b"12:46:16 +0200 (CEST)\nReceived: from [192.0.2.101] by arkanoid.go.seznam.example with HTTP for "
             b"test@seznam.example; Fri, 12 Aug 2005 12:46:00 +0200 (CEST)Date: Fri, 12 Aug 2005 12:46:15 +0200 (CEST)\n"
             b"To: info@example.cz\nFrom: test@seznam.example\n")
    loaded = load_bytes(glued)
    assert [h.name for h in parse_message(loaded.data).headers] == ["Return-Path", "Received", "Received", "Date",
                                                                     "To", "From"]
    assert headerscope.analyze(glued, offline=True).date == "2005-08-12T12:46:15+02:00"
    # Yahoo's webmail header on one line: a date's zone name ends the Received.
    yahoo = (b"Received: from [192.0.2.7] by web53409.mail.re2.yahoo.example via HTTP; Sat, 14 Feb 2009 05:42:03 PST "
             b"X-Mailer: YahooMailWebService/0.7.260.1 Date: Sat, 14 Feb 2009 05:42:03 -0800 (PST) From: Sender Name "
             b"<sender@yahoo.example> Subject: Test Message")
    assert [h.name for h in parse_message(load_bytes(yahoo).data).headers] == [
        "Received", "X-Mailer", "Date", "From", "Subject"]
    # An Outlook.com header on one line, after a note and behind a list number.
    outlook = (b"Our IP is OK, at least in SNDS.\n\n@MS: in case it helps with the two junk mails:\n"
               b"1. Received: from DBXPR05CA0024.eurprd05.prod.outlook.example (2001:db8::24) by "
               b"AM2PR05MB0898.eurprd05.prod.outlook.example (2001:db8::27) with Microsoft SMTP Server "
               b"(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_P256) id 15.1.991.14 via Mailbox "
               b"Transport; Mon, 27 Mar 2017 22:12:28 +0000 Received: from inbound.protection.outlook.example "
               b"(192.0.2.182) by DBXPR05CA0024.outlook.example (192.0.2.24) with Microsoft SMTP Server id 15.1.991.14 "
               b"via Frontend Transport; Mon, 27 Mar 2017 22:12:28 +0000 Authentication-Results: spf=softfail (sender "
               b"IP is 198.51.100.148) smtp.mailfrom=sender.example; dkim=none (message not signed) header.d=none;"
               b"dmarc=none action=none header.from=sender.example; Received-SPF: SoftFail (protection.outlook.example: "
               b"domain of transitioning sender.example discourages use of 198.51.100.148 as permitted sender)\n")
    loaded = load_bytes(outlook)
    assert [h.name for h in parse_message(loaded.data).headers] == [
        "Received", "Received", "Authentication-Results", "Received-SPF"]
    assert loaded.cleanups[:2] == (
        "skipped 3 line(s) of text before the pasted header fields (a note, a code fence, a reply's or a forward's "
        "lines)", "removed the list marker ('1.') before the first header field")


# A note that numbered each Received field it pasted, the folds' indentation lost (as a help
# page or a ticket shows them): "1. Received: ..." to "3. Received: ...".
NUMBERED_PASTE = (
    b"Here is the header of the message from my phone (I numbered the Received lines):\n"
    b"1. Received: from relay.example.net (relay.example.net [198.51.100.40]) by mailstore.example.net\n"
    b"(Postfix) with ESMTP id 847989746 for <bob@example.net>; Wed, 15 Jun 2011 10:42:09 -0400 (EDT)\n"
    b"2. Received: by 10.229.78.96 with SMTP id j32mr509819qck.121.1308148929825; Wed, 15\n"
    b"Jun 2011 07:42:09 -0700 (PDT)\n"
    b"3. Received: from [10.231.252.223] (79.sub-174-252-72.myvzw.com [174.252.72.79]) by\n"
    b"mx.google.com with ESMTPS id m16sm345129qck.28.2011.06.15.07.42.02\n"
    b"(version=TLSv1/SSLv3 cipher=OTHER); Wed, 15 Jun 2011 07:42:08 -0700 (PDT)\n")


def test_every_numbered_field_of_a_paste_loses_its_marker_and_stays_its_own() -> None:
    # Only the first marker was removed: "2. Received:" and "3. Received:" were no fields, and
    # the lost-fold repair folded them into the first Received (one hop with mixed facts).
    loaded = load_bytes(NUMBERED_PASTE)
    headers = parse_message(loaded.data).headers
    assert [h.name for h in headers] == ["Received", "Received", "Received"]
    assert headers[2].value.lstrip().startswith("from [10.231.252.223] (79.sub-174-252-72.myvzw.com")
    assert "removed the list markers ('1.' and 2 more) before 3 header fields" in loaded.cleanups
    import headerscope

    report = headerscope.analyze(NUMBERED_PASTE, offline=True)
    assert len(report.hops) == 3
    assert report.hops[0].fields.from_ip == "174.252.72.79" and report.hops[0].fields.by == "mx.google.com"
    last = report.hops[2].fields
    assert last.by == "mailstore.example.net" and last.tls.encrypted is not True and not last.problems
    # A line of a field's lost fold that only looks numbered (no field after the marker) stays a fold,
    # and another kind of marker ("- ") is not the note's numbering.
    mixed = NUMBERED_PASTE.replace(b"2. Received:", b"- Received:")
    assert [h.name for h in parse_message(load_bytes(mixed).data).headers] == ["Received", "Received"]


def test_fields_are_not_split_on_weak_evidence_or_in_a_message_as_delivered() -> None:
    # One field name in a value, with no Received or date before it: a field's own words.
    note = b"X-Note: sent To: you\nFrom: a@example.org\n"
    assert load_bytes(note).data is note
    # A message with a body, or with folded lines (every server folds its Received): its
    # fields are its own, whatever their values say.
    run_on = (b"Received: from a.example by b.example; Mon, 27 Mar 2017 22:12:28 +0000 "
              b"Received: from c.example by a.example; Mon, 27 Mar 2017 22:12:27 +0000\n")
    for message in (run_on + b"\nbody\n", run_on + b"X-Folded: one\n two\n"):
        assert load_bytes(message).data is message
    # A subject's words are never split off.
    subject = b"Subject: Re: From: me Received: from you; Mon, 27 Mar 2017 22:12:28 +0000 Date: today\n"
    assert load_bytes(subject).data is subject


def test_the_message_header_analyzers_grid_is_read_as_fields() -> None:
    # Microsoft's Message Header Analyzer shows "N<TAB>Name<TAB>Value" rows; a copy of its grid
    # (here from an issue, behind an inline-code backtick) read as 7 damaged fields, no hop.
    import headerscope

    grid = (b"`1\tMIME-Version\t1.0\n"
            b"2\tReceived\tfrom DB8P191MB1110.EURP191.PROD.OUTLOOK.EXAMPLE (2001:db8:800:7d::17) by "
            b"VI1P191MB0477.EURP191.PROD.OUTLOOK.EXAMPLE with HTTPS; Wed, 12 Feb 2020 13:34:53 +0000\n"
            b"3\tAuthentication-Results\tspf=pass (sender IP is 192.0.2.138) smtp.mailfrom=sender.example; "
            b"dkim=pass (signature was verified) header.d=sender.example;dmarc=pass action=none "
            b"header.from=sender.example;compauth=pass reason=100\n"
            b"4\tReceived\tfrom odedi83569.host.example (192.0.2.138) by HE1EUR02FT028.mail.protection.outlook.example "
            b"(10.152.10.137) with Microsoft SMTP Server id 15.20.2707.20; Wed, 12 Feb 2020 13:34:52 +0000`\n")
    loaded = load_bytes(grid)
    assert [(h.name, h.value[:20]) for h in parse_message(loaded.data).headers] == [
        ("MIME-Version", "1.0"), ("Received", "from DB8P191MB1110.E"), ("Authentication-Results", "spf=pass (sender IP "),
        ("Received", "from odedi83569.host")]
    assert parse_message(loaded.data).headers[-1].value.endswith("13:34:52 +0000")  # the code span's backtick too
    assert loaded.cleanups == ("rewrote 4 row(s) of the Message Header Analyzer's grid (number, name, value) as "
                               "header fields",)
    assert len(headerscope.analyze(grid, offline=True).hops) == 2
    # Numbered tab-separated lines of another kind (no header field among them) stay as they are.
    table = b"1\tapples\t3\n2\tpears\t4\n"
    assert load_bytes(table).data is table


def test_forum_bbcode_around_addresses_of_a_paste_is_taken_off() -> None:
    # A header posted to a vBulletin/phpBB forum: every address became "[email]...[/email]".
    import headerscope

    paste = (b"X-Apparently-To: [email]me@yahoo.com[/email] via 98.138.85.242; Thu, 04 Oct 2012 11:53:47 -0700\n"
             b"Received: from [66.196.81.173] by nm6.bullet.mail.ne1.yahoo.com with NNFMP; "
             b"04 Oct 2012 18:53:47 -0000\n"
             b"From: Alvin <[EMAIL=alvin@yahoo.com]alvin@yahoo.com[/EMAIL]>\n"
             b"To: [email]nels@wilmerhale.example[/email], [email]me@yahoo.com[/email]\n"
             b"Subject: see [email]kept@example.org[/email] and [url]http://x.example/[/url]\n"
             b"Reply-To: [email=other@example.org]somebody else[/email]\n")
    loaded = load_bytes(paste, source="clipboard")
    assert loaded.data.splitlines()[0] == b"X-Apparently-To: me@yahoo.com via 98.138.85.242; Thu, 04 Oct 2012 11:53:47 -0700"
    assert b"To: nels@wilmerhale.example, me@yahoo.com" in loaded.data
    # The originator fields and the author's Subject keep what was written (their form is judged
    # as written: a malformed From: is a trick of its own, verification V9, N6).
    assert b"From: Alvin <[EMAIL=alvin@yahoo.com]alvin@yahoo.com[/EMAIL]>" in loaded.data
    assert b"Subject: see [email]kept@example.org[/email] and [url]http://x.example/[/url]" in loaded.data
    assert b"Reply-To: [email=other@example.org]somebody else[/email]" in loaded.data
    assert len(loaded.cleanups) == 1 and "forum markup" in loaded.cleanups[0] and "3 address" in loaded.cleanups[0]
    report = headerscope.analyze(paste, offline=True)
    assert report.envelope.rcpt_to == ("me@yahoo.com",)
    # A delivered message (with its body) keeps every field as its sender wrote it.
    delivered = load_bytes(paste + b"\nbody\n", source="x.eml")
    assert b"[email]me@yahoo.com[/email]" in delivered.data and not delivered.cleanups


def test_markdown_emphasis_typed_around_pasted_header_text_is_taken_off() -> None:
    # A GitHub issue quoted an Authentication-Results with the dkim clause in bold: the method
    # was read as "**dkim". The marks are taken off in a paste, not in a subject.
    import headerscope

    paste = (b"Original message:\n"
             b"> Received: from mx.sender.example (mx.sender.example [192.0.2.9])\n"
             b">\tby mx.receiver.example (8.15.2/8.14.5) with ESMTPS id 06JJ4pSe012595\n"
             b">\tfor <autorespond@receiver.example>; Sun, 19 Jul 2020 12:04:57 -0700 (PDT)\n"
             b"> Authentication-Results: mx.receiver.example;\n"
             b">\t**dkim=fail reason=\"signature verification failed\" (2048-bit key)** header.d=sender.example "
             b"header.i=@sender.example header.b=yiEAqRGp; `spf=pass` smtp.mailfrom=sender.example\n"
             b"> Subject: **urgent** read `this`\n"
             b"> To: autorespond@receiver.example\n")
    loaded = load_bytes(paste)
    fields = parse_message(loaded.data).headers
    assert fields[1].value == ("mx.receiver.example;\tdkim=fail reason=\"signature verification failed\" (2048-bit "
                               "key) header.d=sender.example header.i=@sender.example header.b=yiEAqRGp; spf=pass "
                               "smtp.mailfrom=sender.example")
    assert fields[2].value == "**urgent** read `this`"
    assert ("removed the Markdown emphasis or code marks (**...**, `...`) typed around 2 piece(s) of header text"
            in loaded.cleanups)
    report = headerscope.analyze(paste, offline=True)
    assert {(r.method, r.result) for r in report.recorded if r.header == "Authentication-Results"} == {
        ("dkim", "fail"), ("spf", "pass")}
    # A message as delivered keeps its bytes; a run of stars holds no text.
    message = b"X-Spam-Level: ****\nX-Note: **a** `b`\nFrom: a@example.org\n\nbody\n"
    assert load_bytes(message).data is message
    assert load_bytes(b"X-Spam-Level: ****\nFrom: a@example.org\n").data == b"X-Spam-Level: ****\nFrom: a@example.org\n"
    # Stars that mask an address in a shared copy are no emphasis either.
    masked = b"Received-SPF: pass (mail: domain of ***@groups.io) envelope-from=***@groups.io; receiver=***@***.net\n"
    assert load_bytes(masked).data == masked
    # Text that is no header (a README) keeps its Markdown, and its paragraphs are not dropped.
    readme = load_bytes(b"\nNotes on **bold** text\n\nThe `samples` folder holds messages.\n")
    assert readme.data == b"Notes on **bold** text\n\nThe `samples` folder holds messages.\n" and readme.has_body


def test_gmail_summary_retyped_as_a_markdown_list_is_read() -> None:
    # A forum post retyped Gmail's table as a list ("* SPF: | PASS with IP ..."), then fenced the
    # header: its DMARC FAIL, which the post asked about, was skipped as prose.
    header = (b"Delivered-To: me@gmail.example\n"
              b"Received: by 2002:a59:afa8:0:b0:29e:61ae:1e25 with SMTP id h8csp1209700vqa;\n"
              b"        Fri, 20 May 2022 11:33:25 -0700 (PDT)\n"
              b"From: eve@example.com\n")
    paste = (b"Mail from example.com forwarded through our forwarder ends up in spam in Gmail.\n\n"
             b"Gmail tells me:\n"
             b"* SPF: | PASS with IP 192.0.2.185 Learn more\n"
             b"* DKIM:\t'PASS' with domain example-com.20210112.gappssmtp.example\n"
             b"* DMARC:\t'FAIL' [Learn more](https://support.google.com/a?p=show_original&hl=en)\n\n"
             b"The full headers are here:\n\n```\n" + header + b"```\nAny idea?\n")
    loaded = load_bytes(paste)
    assert [(r.method, r.result, r.properties) for r in loaded.recorded] == [
        ("spf", "pass", (("smtp.client-ip", "192.0.2.185"),)),
        ("dkim", "pass", (("header.d", "example-com.20210112.gappssmtp.example"),)),
        ("dmarc", "fail", ())]
    assert loaded.data == header and loaded.format == "gmail-original"
    # A note with a single verdict in a list is not Gmail's table.
    note = b"What I see:\n* SPF: pass\n\nDelivered-To: me@gmail.example\n" + header[len(b"Delivered-To: me@gmail.example\n"):]
    assert not load_bytes(note).recorded


def test_the_askers_words_after_a_pasted_header_are_not_its_body() -> None:
    # A forum question: a note, the Received part of a Gmail header, then the asker's question.
    # Read as the body, the partial header was judged as a whole message: "No Date:", and the
    # Delivered-To address a Bcc recipient of a message with no To: at all.
    import headerscope

    header = (b"Delivered-To: aaaa@gmail.example\n"
              b"Received: by 10.79.29.73 with SMTP id d70csp1033542ivd;\n"
              b"        Sun, 10 Apr 2016 13:13:50 -0700 (PDT)\n"
              b"Return-Path: <bbbb@sur5r.example>\n"
              b"Received: from libri.sur5r.example (libri.sur5r.example. [192.0.2.41])\n"
              b"        by mx.google.com with ESMTPS id l10si24947537wjx.231.2016.04.10.13.13.49\n"
              b"        for <aaaa@gmail.example>\n"
              b"        (version=TLS1_2 cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=128/128);\n"
              b"        Sun, 10 Apr 2016 13:13:50 -0700 (PDT)\n")
    question = "Как вы видите, он содержит много информации. Почему первое Received: 127.0.0.1?\n".encode()
    paste = "Ниже пример заголовка письма (только часть):\n\n".encode() + header + b"\n" + question
    loaded = load_bytes(paste, source="stdin")
    assert loaded.data == header and not loaded.has_body and loaded.format == "headers-only"
    assert loaded.cleanups[-1] == (
        f"dropped the text after the pasted header (from \"{question.decode()[:40]}\"): a note, not the message's "
        "body (the header holds no From:, Date:, Message-ID: or MIME-Version: of a whole message)")
    report = headerscope.analyze(paste, offline=True)
    assert not report.input.has_body
    assert [f.severity.value for f in report.findings if f.id == "envelope.no_from"] == ["notice"]
    assert not [f for f in report.findings if f.id == "date.missing"]
    assert not [d for d in report.envelope.differences if d.kind == "bcc"]
    # A whole message pasted after a note keeps its body, and so does a header with MIME fields.
    whole = b"Here it is:\n\n" + header + b"From: b@sur5r.example\nDate: Sun, 10 Apr 2016 13:13:49 -0700\n\nHi Bob, see you.\n"
    assert load_bytes(whole).has_body
    mime = b"Here it is:\n\n" + header + b"Content-Type: text/plain\n\nHi Bob, see you.\n"
    assert load_bytes(mime).has_body
    # A message given as it is (no clean-up) keeps its body whatever its header lacks.
    plain = header + b"\nHi Bob, see you.\n"
    assert load_bytes(plain).has_body


# A header pasted into an issue, as the page shows it: the first line unindented, every later
# line indented by a blank or two, folds and fields alike (Proton Mail's fields, SocketLabs' hops).
ISSUE_INDENTED_PASTE = (
    b"Received: from s1-b12.socketlabs.email-od.com (s1-b12.socketlabs.email-od.com [142.0.182.12])\n"
    b"  Received: from r1.sg.in.socketlabs.com (r1.sg.in.socketlabs.com [142.0.179.11]) by\n"
    b" mxsg2.email-od.com with ESMTP(version=Tls12 cipher=Aes256 bits=256); Tue, 7 May 2019\n"
    b" 09:45:14 -0400\n"
    b" Authentication-Results: mail.protonmail.ch; dmarc=fail (p=none dis=none)\n"
    b" header.from=example.org\n"
    b" Authentication-Results: mail.protonmail.ch; spf=pass\n"
    b" smtp.mailfrom=bounce@email-od.com\n"
    b" Authentication-Results: mail.protonmail.ch; dkim=pass (1024-bit key)\n"
    b" header.d=email-od.com header.i=@email-od.com header.b=\"Met1rwuL\"\n")


def test_a_paste_indented_after_its_first_line_gets_its_fields_back() -> None:
    loaded = load_bytes(ISSUE_INDENTED_PASTE, source="stdin")
    headers = parse_message(loaded.data).headers
    assert [h.name for h in headers] == ["Received", "Received"] + ["Authentication-Results"] * 3
    assert headers[1].value.endswith("Tue, 7 May 2019 09:45:14 -0400")
    assert headers[2].value == "mail.protonmail.ch; dmarc=fail (p=none dis=none) header.from=example.org"
    assert not loaded.byte_exact and len(loaded.cleanups) == 1
    assert loaded.cleanups[0].startswith("read 4 indented line(s) that start with a header field's name as fields")
    # Folds indented deeper than the fields keep a blank: they stay folds.
    deeper = ISSUE_INDENTED_PASTE.replace(b"\n ", b"\n   ").replace(b"\n   Authentication-Results:",
                                                                   b"\n  Authentication-Results:")
    headers = parse_message(load_bytes(deeper).data).headers
    assert [h.name for h in headers] == ["Received", "Received"] + ["Authentication-Results"] * 3
    assert headers[2].value == "mail.protonmail.ch; dmarc=fail (p=none dis=none) header.from=example.org"


def test_a_single_folded_field_or_a_message_is_not_split_at_its_folds() -> None:
    # One signature whose folded h= list names fields: its folds are its own.
    signature = (b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=s1;\n"
                 b" h=From:To:Subject;\n From:To:Subject:Date;\n bh=abc=; b=def=\n")
    assert load_bytes(signature).data is signature
    # A message with a body, as it was given, keeps its folds (Received: at a fold's start too).
    message = (b"Subject: a report\n Received: from x by y; Tue, 7 May 2019 09:45:14 -0400\n"
               b" From: a@example.org\n To: b@example.org\n\nbody\n")
    assert load_bytes(message).data is message
    # One known name only at the common indentation: weak evidence, nothing is changed.
    one = b"Subject: a report\n From: a@example.org\n and more words\n"
    assert load_bytes(one).data is one


# A header shown in a blog's <pre> block, copied from the page's HTML source: tags around a field
# and a name, "&lt;" with and without its ";" (HTML parsers read both), a closing tag alone.
HTML_SOURCE_PASTE = (
    b"<pre>Authentication-Results: mx.google.com;\n"
    b"       spf=pass (google.com: domain of bounce@mail.example.com designates 192.0.2.7 as permitted sender)"
    b" smtp.mailfrom=bounce@mail.example.com\n"
    b"Return-Path: &ltbounce@mail.example.com&gt\n"
    b"<u>Received: from mta7.example.net (mta7.example.net. [192.0.2.7])</u>\n"
    b"        by mx.google.com with ESMTPS id 62-20020a63\n"
    b"        for <b>Clueless Sheep</b>\n"
    b"        (version=TLS1_2 cipher=ECDHE-ECDSA-AES128-GCM-SHA256 bits=128/128);\n"
    b"        Sat, 26 Nov 2022 12:06:50 -0800 (PST)\n"
    b"<b>From:</b> News &lt;news@example.com&gt;\n"
    b"</pre>\n")
# The same with a body, as a whole message would be shown: the fast path must not take it.
HTML_SOURCE_MESSAGE = HTML_SOURCE_PASTE.replace(b"<pre>", b"").replace(b"</pre>\n", b"\nHello &lt;b&gt;\n")


def test_a_header_copied_from_a_pages_html_source_loses_its_tags() -> None:
    loaded = load_bytes(HTML_SOURCE_PASTE, source="stdin")
    headers = parse_message(loaded.data).headers
    assert [h.name for h in headers] == ["Authentication-Results", "Return-Path", "Received", "From"]
    assert headers[1].value == "<bounce@mail.example.com>" and headers[3].value == "News <news@example.com>"
    assert "for Clueless Sheep" in headers[2].value and "<" not in headers[2].value
    assert not loaded.byte_exact and len(loaded.cleanups) == 1
    assert loaded.cleanups[0] == ("removed the HTML tags (<b>, <pre>, <u>) from 5 header line(s) and decoded 4 "
                                  "character reference(s) (&lt; &gt; ...): the header was copied from a page's "
                                  "HTML source")
    # With a body: the header block is cleaned, the body is the message's own.
    loaded = load_bytes(HTML_SOURCE_MESSAGE)
    assert [h.name for h in parse_message(loaded.data).headers] == [h.name for h in headers]
    assert loaded.data.endswith(b"\n\nHello &lt;b&gt;\n")


def test_addresses_and_tags_in_free_text_are_no_html_source() -> None:
    # Addresses whose local part is a tag's name, at a line's start too, stay as they are.
    message = (b"From: <b@example.com>\nTo: <u@example.org>,\n <i@example.net>\nReferences: <span@example.org>\n"
               b"Subject: use <b> for bold &lt;\n\nbody\n")
    assert load_bytes(message).data is message
    paste = b"To: a@example.com,\n<b@example.com>\nSubject: <b>bold</b> &lt\nFrom: <em@example.com>\n"
    loaded = load_bytes(paste)
    assert not any("HTML" in cleanup for cleanup in loaded.cleanups)
    assert b"<b>bold</b> &lt" in loaded.data and b"<b@example.com>" in loaded.data


# Two headers pasted one below the other into a forum post that trimmed every line, with the
# poster's label between them (a POP copy and the web mail's copy of the same spam).
TWO_TRIMMED_HEADERS = (
    b"POP Mail Header:\n"
    b"Return-Path: <spam@example.com>\n"
    b"Received: from relay.example.kr ([192.0.2.2]) by mta4.example.net\n"
    b"(InterMail vM.4.01.02.27 201-229-119-110) with ESMTP\n"
    b"id <20010615084520.PZA25065.mta4.example.net@relay.example.kr>;\n"
    b"Fri, 15 Jun 2001 09:45:20 +0100\n"
    b"From: spam@example.com\n"
    b"Message-ID: <00000d7e74de@example.com>\n"
    b"To: <spam@example.com>\n"
    b"Subject: Increase Your Performance!\n"
    b"Date: Thu, 14 Jun 2001 23:19:52 -0700\n"
    b"X-Mailer: Pegasus Mail for Win32 (v3.11)\n"
    b"Web mail header:\n"
    b"Received: from M2W054.example.org ([198.51.100.161]) by relay1.example.ca with Microsoft SMTPSVC(5.0.2195.5576);\n"
    b"Thu, 6 Feb 2003 06:36:58 -0500\n"
    b"Message-ID: <410-22003246113658310@M2W054.example.org>\n"
    b"From: \"test@example.net\"\n"
    b"To: test@example.net\n"
    b"Date: Thu, 6 Feb 2003 06:36:58 -0500\n")
# A header a page annotated between its lines, which lost their indentation.
ANNOTATED_RECEIVED = (
    b"Received: from virus_14.example.co.uk (virus-cluster.example.co.uk [192.0.2.10])\n"
    b"by smtp-in-136.example.co.uk (Postfix) with SMTP id C70F428E1EF\n"
    b"The above received notices are the servers that passed the email on (shown on the next line). Each "
    b"server performs a service such as routing, anti-virus or censoring etc\n"
    b"for <sales@example.co.uk>; Tue, 14 Aug 2012 01:33:34 +0100 (BST)\n"
    b"Email passed from anti-spam servers to anti-virus servers |\n"
    b"X-Spam-Flag: YES\n"
    b"Subject: Your mailbox is full\n"
    b"Act now to keep your account.\n")


def test_prose_and_a_second_pasted_header_are_not_folded_into_fields() -> None:
    from headerscope.api import analyze

    loaded = load_bytes(TWO_TRIMMED_HEADERS, source="stdin")
    headers = parse_message(loaded.data).headers
    assert [h.name for h in headers] == ["Return-Path", "Received", "From", "Message-ID", "To", "Subject", "Date",
                                         "X-Mailer"]
    assert headers[7].value == "Pegasus Mail for Win32 (v3.11)"
    assert headers[1].value.endswith("ESMTP id <20010615084520.PZA25065.mta4.example.net@relay.example.kr>; "
                                     "Fri, 15 Jun 2001 09:45:20 +0100")
    assert ("dropped 1 line(s) of prose between the header fields (\"Web mail header:\"): words of whoever pasted "
            "the header, not the folds of a field") in loaded.cleanups
    assert ("the paste holds a second header block (6 lines, from its Received: field on), not analysed"
            in loaded.cleanups)
    titles = [finding.title for finding in analyze(TWO_TRIMMED_HEADERS, offline=True).findings]
    assert not [t for t in titles if "backwards" in t or "authors in From" in t or "more than once" in t]
    # Prose inside a Received field is dropped; its trace clause after the prose stays a fold.
    loaded = load_bytes(ANNOTATED_RECEIVED, source="stdin")
    headers = parse_message(loaded.data).headers
    assert [h.name for h in headers] == ["Received", "X-Spam-Flag", "Subject"]
    assert headers[0].value == ("from virus_14.example.co.uk (virus-cluster.example.co.uk [192.0.2.10]) by "
                                "smtp-in-136.example.co.uk (Postfix) with SMTP id C70F428E1EF for "
                                "<sales@example.co.uk>; Tue, 14 Aug 2012 01:33:34 +0100 (BST)")
    assert headers[2].value == "Your mailbox is full Act now to keep your account."  # free text takes any words
    assert any(c.startswith("dropped 2 line(s) of prose between the header fields (\"The above received notices")
               for c in loaded.cleanups)


def test_a_header_with_fields_out_of_order_after_a_note_is_not_cut() -> None:
    # A Received after a note and a Message-ID, with no field of the first part repeated: one
    # header in an unusual order, kept whole (its repeated fields would be a finding of their own).
    paste = (b"Received: from a.example.org by b.example.org; Tue, 15 Jul 2003 12:16:56 +0100\n"
             b"Message-ID: <1@example.org>\nEmail received by the anti-spam server from the sender's server.\n"
             b"Received: from [192.0.2.49] by a.example.org via HTTP; Tue, 15 Jul 2003 12:14:24 +0100\n"
             b"Date: Tue, 15 Jul 2003 12:14:24 +0100\nFrom: Dan <dan@example.org>\n")
    loaded = load_bytes(paste)
    assert [h.name for h in parse_message(loaded.data).headers] == ["Received", "Message-ID", "Received", "Date",
                                                                    "From"]
    assert not any("second header block" in cleanup for cleanup in loaded.cleanups)
    # In a message as it was given (with its body), a stray line stays a fold, as before.
    message = b"From: a@example.org\nX-Note: x\nThis is a note.\nTo: b@example.org\n\nbody\n"
    assert parse_message(load_bytes(message).data).headers[1].value == "x This is a note."
    # A host name or a token line after a Received is its fold, not prose.
    paste = b"Received: from a.example.org by\nmx.example.net with ESMTP id 1;\nTue, 15 Jul 2003 12:16:56 +0100\n"
    assert [h.name for h in parse_message(load_bytes(paste).data).headers] == ["Received"]


def test_a_line_a_page_wrapped_to_its_margin_inside_a_folded_field_is_a_fold() -> None:
    # A blog's <pre> block wrapped a long reason of Google's results at the left margin: the
    # line stands between the field's folds, and the fold after it continues the same field.
    paste = (b"ARC-Authentication-Results: i=1; mx.google.com;\n"
             b"       spf=pass (google.com: domain of bounce@mail.example.com\n"
             b"designates 192.0.2.7 as permitted sender) smtp.mailfrom=bounce@mail.example.com;\n"
             b"       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com\n"
             b"Received: from mta7.example.net (mta7.example.net. [192.0.2.7])\n"
             b"        by mx.google.com with ESMTPS id 62; Sat, 26 Nov 2022 12:06:50 -0800 (PST)\n")
    loaded = load_bytes(paste)
    headers = parse_message(loaded.data).headers
    assert [h.name for h in headers] == ["ARC-Authentication-Results", "Received"]
    assert "bounce@mail.example.com designates 192.0.2.7 as permitted sender) smtp.mailfrom" in headers[0].value
    assert headers[0].value.endswith("header.from=example.com")
    assert "indented 1 line(s) of header fields again: the paste lost the indentation of some folded lines" in (
        loaded.cleanups)
    # A message as it was given, with its body, keeps such a line as it is (a damaged field).
    message = paste + b"\nbody\n"
    assert load_bytes(message).data is message
    # After the last field, such a line starts a body that lost the empty line before it.
    ran_on = b"Subject: a report\n folded\nDear John, here it is\n  an indented line\n"
    loaded = load_bytes(ran_on)
    assert [h.name for h in parse_message(loaded.data).headers] == ["Subject"]
    assert loaded.cleanups[0].startswith("put an empty line before \"Dear John, here it is\"")


# A file from a mail store cut off inside its second Received (no line end, no empty line, no body).
CUT_OFF = (b"Received: from mx2.example.net (mx2.example.net [198.51.100.7]) by mx1.example.net (Postfix) with ESMTPS"
           b" id A1; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           b"Received: from relay.example.net (relay.example.net [198.51.100.8]) by mx2.example.net (Postfix) with"
           b" ESMTPS id B2")


def test_a_file_cut_off_inside_its_header_is_said_to_be_cut_off_not_a_paste() -> None:
    from headerscope.api import AnalysisOptions, analyze_loaded

    loaded = load_bytes(CUT_OFF, source="Maildir/cur/1:2,S", from_mail_store=True)
    assert (loaded.format, loaded.has_body, loaded.cleanups) == ("cut-off", False, ())
    report = analyze_loaded(loaded, AnalysisOptions(offline=True, source=loaded.source))
    [truncated] = [f for f in report.findings if f.id == "input.truncated"]
    assert truncated.severity.value == "warning"
    assert truncated.explanation.startswith("The file ends inside header field 2 (Received:), with no line end")
    # Never a paste's words for a file that is none; what it lacks is still unknown, not missing.
    words = " ".join(f"{f.title} {f.explanation}" for f in report.findings) + (report.dmarc.explanation
                                                                              if report.dmarc else "")
    assert "paste" not in words
    assert {f.id: f.title for f in report.findings}["envelope.no_from"] == "No From: in the cut-off file's header"
    assert report.dmarc is not None and report.dmarc.result == "not_checked"
    # A paste (standard input, the clipboard, a file a person saved, which often lacks its last
    # line end) keeps its reading, as does a mail store's whole header (its last line ended) and
    # one that needed a paste's clean-ups.
    for source, data, from_store in (("-", CUT_OFF, False), ("clipboard", CUT_OFF, False),
                                     ("headers.txt", CUT_OFF, False),
                                     ("Maildir/cur/2", CUT_OFF + b"\r\n", True),
                                     ("Maildir/cur/3", b"> " + CUT_OFF.replace(b"\r\n", b"\r\n> "), True)):
        pasted = load_bytes(data, source=source, from_mail_store=from_store)
        assert pasted.format == "headers-only", source
        report = analyze_loaded(pasted, AnalysisOptions(offline=True, source=source))
        assert "input.truncated" not in {f.id for f in report.findings}
        assert {f.id: f.title for f in report.findings}["envelope.no_from"] == "No From: in the pasted header"


def test_a_msg_never_sent_is_said_to_be_one_not_an_unauthenticated_message() -> None:
    """A .msg without transport headers (a draft, a message saved before sending; the corpus's
    outer.msg) holds no trace or signature: not checked, said so, without the warnings about a
    sent message's missing From: and Date:, which its rebuilt header does not bear out."""
    import headerscope

    never_sent = headerscope.analyze((CORPUS / "messages" / "eml_analyzer" / "outer.msg").read_bytes(), offline=True)
    assert never_sent.verdict.status == "not_checked" and "never sent" in never_sent.verdict.summary
    ids = [f.id for f in never_sent.findings]
    assert "input.never_sent" in ids
    assert not {"envelope.no_from", "dmarc.no_from_domain", "date.missing"} & set(ids)
    assert never_sent.input.cleanups[0].startswith("Outlook .msg: rebuilt from its properties")
    # A sent one keeps its reading.
    sent = headerscope.analyze((CORPUS / "messages" / "eml_analyzer" / "other.msg").read_bytes(), offline=True)
    assert "input.never_sent" not in [f.id for f in sent.findings]
    assert sent.input.cleanups[0].startswith("Outlook .msg: rebuilt from its transport headers")


def test_a_delivered_msg_without_transport_headers_is_not_called_never_sent(tmp_path: Path) -> None:
    """Mail between two mailboxes of one Exchange organisation travels over MAPI and has no
    transport headers, although it was delivered: only PR_MESSAGE_FLAGS with MSGFLAG_UNSENT (0x8,
    MS-OXCMSG section 2.2.1.6) make a .msg "never sent". The corpus's delivered bounce other.msg
    (flags 0x40011: read, has attachments, not unsent) with its transport header stream blanked
    keeps the ordinary reading and says it has no SMTP trace; outer.msg (flags 0x18, unsent)
    stays a draft."""
    import olefile

    import headerscope

    copy = tmp_path / "delivered-no-transport.msg"
    copy.write_bytes((CORPUS / "messages" / "eml_analyzer" / "other.msg").read_bytes())
    stream = "__substg1.0_007D001F"  # PR_TRANSPORT_MESSAGE_HEADERS, the outer message's (UTF-16)
    with olefile.OleFileIO(str(copy), write_mode=True) as ole:
        # olefile rewrites a stream only at its own size: line ends in place of every character.
        ole.write_stream(stream, b"\n\x00" * (ole.get_size(stream) // 2))
    delivered = headerscope.analyze(copy.read_bytes(), offline=True)
    assert "input.never_sent" not in [f.id for f in delivered.findings]
    assert "never sent" not in delivered.verdict.summary and delivered.verdict.status == "not_checked"
    assert any("no SMTP trace (delivered inside one Exchange organisation without SMTP, or exported without "
               "its headers)" in note for note in delivered.input.cleanups)
    assert not any("never sent" in note for note in delivered.input.cleanups)
    assert delivered.input.cleanups[0].startswith("Outlook .msg: rebuilt from its properties")
    # outer.msg's flags say unsent: still a draft.
    draft = headerscope.analyze((CORPUS / "messages" / "eml_analyzer" / "outer.msg").read_bytes(), offline=True)
    assert "input.never_sent" in [f.id for f in draft.findings] and "never sent" in draft.verdict.summary


def test_the_address_on_an_mbox_from_line_is_shown_as_a_claim_when_nothing_records_the_mail_from() -> None:
    """RFC 4155 section 2: the "From " line carries the envelope sender as the mailbox's writer
    knew it. Old mail without Return-Path shows it beside "not recorded", as a claim SPF never
    uses; Thunderbird's "From - " and a Return-Path that does record it leave nothing to add."""
    import headerscope

    message = (b"From jgd@acl.example.gov Wed Jun 16 12:37:23 1993\n"
               b"Received: by kodiak.acl.example.gov (5.65/SMI-4.1) id AA10568; Wed, 16 Jun 93 10:14:01 MDT\n"
               b"From: Jerry <jgd@acl.example.gov>\nTo: amd-workers@acl.example.gov\nSubject: amd\n"
               b"Date: Wed, 16 Jun 93 10:14:00 MDT\n\nbody\n")
    loaded = load_bytes(message)
    assert loaded.format == "mbox-entry" and loaded.mbox_sender == "jgd@acl.example.gov"
    report = headerscope.analyze(message, offline=True)
    assert report.envelope.mail_from is None and report.spf.mail_from is None
    assert report.envelope.claimed_mail_from == "jgd@acl.example.gov"
    assert report.envelope.claimed_mail_from_source == "the mbox 'From ' line (RFC 4155, a claim)"
    thunderbird = message.replace(b"From jgd@acl.example.gov Wed", b"From - Wed")
    assert load_bytes(thunderbird).mbox_sender is None
    recorded = message.replace(b"Received:", b"Return-Path: <bounce@acl.example.gov>\nReceived:", 1)
    assert headerscope.analyze(recorded, offline=True).envelope.claimed_mail_from is None


# A real iCloud delivery of a qq.com message through Cloudflare Email Routing (2023-12-18; code
# corpus id 35531906638), its "message source" kept in a Markdown note: an empty line after every
# line, and most folds' indentation lost (cut to a few of its fields here).
_ICLOUD_NOTE_LINES = (
    b"Return-path: <SRS0=Z8Bj=5h=qq.com=chriswhite33333@wh1te.dev>",
    b"Original-recipient: rfc822;chriswhite1024@icloud.com",
    b"Received: from st43p00im-qukt05021701.me.com by p44-mailgateway-smtp-778464bd6-glqrh (mailgateway 2403B92)",
    b"with SMTP id d888ea55-3ef2-4d3c-b43b-1fafd97034a9 ",
    b"for <chriswhite1024@icloud.com>; Mon, 18 Dec 2023 10:56:29 GMT",
    b"Received: from i-bf.email.cloudflare.net (i-bf.email.cloudflare.net [104.30.8.15])",
    b"by st43p00im-qukt05021701.me.com (Postfix) with ESMTPS id EC1AC39C0207",
    b"for <chriswhite1024@icloud.com>; Mon, 18 Dec 2023 10:56:23 +0000 (UTC)",
    b"Authentication-Results: dmarc.icloud.com; dmarc=pass header.from=qq.com",
    b"Received: from out203-205-251-72.mail.qq.com (203.205.251.72)",
    b"        by email.cloudflare.net (unknown) id RG92Nrb6R2cD",
    b"        for <moe@wh1te.dev>; Mon, 18 Dec 2023 10:56:16 +0000",
    b"From: \"Chris\" <chriswhite33333@qq.com>",
    b"To: \"White\" <moe@wh1te.dev>",
    b"Date: Tue, 15 Nov 1994 08:12:31 GMT",
    b"Subject: D-Mail",
)


def test_a_double_spaced_paste_whose_folds_lost_their_indentation_reads_as_its_header() -> None:
    # Verification V34g: the blank lines between fields were only removed when every line after
    # them was a field or an indented fold, so the first fold that lost its indentation ("with
    # SMTP id ...") made everything after Return-path: the body: no From:, no Received.
    plain = b"\n".join(_ICLOUD_NOTE_LINES) + b"\n"
    for body, lines in ((b"", _ICLOUD_NOTE_LINES), (b"  \n\nEl Psy Kongroo\n", (*_ICLOUD_NOTE_LINES, b"  ", b"El Psy Kongroo"))):
        doubled = b"".join(line + b"\n\n" for line in lines)
        loaded = load_bytes(doubled)
        assert loaded.has_body is bool(body)
        assert loaded.cleanups == (f"removed the empty line after each of {len(lines)} line(s): the copy doubled "
                                   "every line break",
                                   "indented 4 line(s) of header fields again: the paste lost the indentation of "
                                   "some folded lines"), loaded.cleanups
        assert not loaded.byte_exact and loaded.uncheckable_body is not None if body else True
        message = parse_message(loaded.data)
        assert [h.name for h in message.headers] == [line.split(b":")[0].decode() for line in plain.splitlines()
                                                    if line[:1] not in (b" ", b"w", b"f", b"b")]
        assert len(message.all("Received")) == 3 and message.all("From")[0].value == "\"Chris\" <chriswhite33333@qq.com>"
        assert message.all("Received")[0].value.endswith("for <chriswhite1024@icloud.com>; Mon, 18 Dec 2023 10:56:29 GMT")
        assert loaded.data.endswith(b"Subject: D-Mail\n" + (b"\nEl Psy Kongroo\n" if body else b""))


def test_a_double_spaced_paste_keeps_a_fold_of_white_space_only_inside_its_header() -> None:
    # Verification V35c: a line of spaces only that the sender wrote (RFC 5322 section 4.2,
    # obs-FWS; qq.com's Foxmail writes one after X-Mailer:) ended the undoubled header there: no
    # From:, no To:, no Subject:. Before a field it is a fold; before the body, the header's end.
    folded = (*_ICLOUD_NOTE_LINES[:9], b"X-Mailer: Foxmail", b"   ", *_ICLOUD_NOTE_LINES[9:])
    for body in ((), (b"  ", b"El Psy Kongroo"), (b"", b"El Psy Kongroo")):
        loaded = load_bytes(b"".join(line + b"\n\n" for line in (*folded, *body)))
        assert loaded.cleanups[0].startswith("removed the empty line after each of"), loaded.cleanups
        assert loaded.has_body is bool(body)
        message = parse_message(loaded.data)
        assert message.all("From")[0].value == "\"Chris\" <chriswhite33333@qq.com>", loaded.data
        assert message.all("Subject")[0].value == "D-Mail" and len(message.all("Received")) == 3
        assert message.all("X-Mailer")[0].value.strip() == "Foxmail"
        assert loaded.data.endswith(b"Subject: D-Mail\n" + (b"\nEl Psy Kongroo\n" if body else b""))
    # Every line's indentation lost but the fold of spaces: the lost folds are indented again all the same.
    lost = [line.lstrip(b" ") or line for line in folded]
    loaded = load_bytes(b"".join(line + b"\n\n" for line in lost))
    assert loaded.cleanups[1] == ("indented 6 line(s) that are no header field again: the paste lost the "
                                  "indentation of folded lines"), loaded.cleanups
    assert len(parse_message(loaded.data).all("Received")) == 3


def test_a_double_spaced_paste_with_white_space_on_its_added_lines_is_undoubled() -> None:
    # Verification V35c: a note that put its indentation (spaces, a tab) on the empty lines it added.
    for added in (b" ", b"\t", b"  \t"):
        raw = b"".join(line + b"\n" + added + b"\n" for line in (*_ICLOUD_NOTE_LINES, b"", b"El Psy Kongroo"))
        loaded = load_bytes(raw)
        assert loaded.cleanups[0] == (f"removed the empty line after each of {len(_ICLOUD_NOTE_LINES) + 2} line(s): "
                                      "the copy doubled every line break"), loaded.cleanups
        message = parse_message(loaded.data)
        assert len(message.all("Received")) == 3 and message.all("From")[0].value == "\"Chris\" <chriswhite33333@qq.com>"
        assert loaded.has_body and loaded.data.endswith(b"Subject: D-Mail\n\nEl Psy Kongroo\n")
    # Added lines of differing white space are no doubling a copy made: left as they were.
    mixed = b"".join(line + b"\n" + (b" " if i % 2 else b"\t") + b"\n" for i, line in enumerate(_ICLOUD_NOTE_LINES))
    assert not any(c.startswith("removed the empty line after each") for c in load_bytes(mixed).cleanups)


def test_a_message_with_one_header_line_and_a_double_spaced_body_stays_a_header_and_a_body() -> None:
    # Never structure invented in a message as it was given: a first line and an empty line are a
    # header and a body, whatever the body's lines look like, unless the whole input is doubled and
    # its lines before the header's end are a header's fields (three or more).
    for raw in (b"Subject: notes\n\nTo do:\n\nfix the build\n\nFrom: the team\n\n",
                b"Subject: notes\n\nNote: one\n\nplain words here\n\nAcked-by: a <a@example.org>\n\n",
                # Two fields a header carries are not enough ...
                b"From: a@example.org\n\nTo: b@example.org\n\nwith words\n\n",
                # ... nor is a doubling that stops (a line where its empty line would be).
                b"From: a@example.org\n\nTo: b@example.org\n\nDate: x\n\nwith words\nmore\n"):
        loaded = load_bytes(raw, source="note.eml")
        assert (loaded.format, loaded.has_body, loaded.byte_exact, loaded.cleanups) == ("eml", True, True, ()), raw
        assert loaded.data == raw


def test_a_senders_field_below_the_receivers_is_never_joined_to_it_in_a_message_as_given() -> None:
    import headerscope

    # Verification V41c: in a whole message (header, empty line, body) a sender wrote a field named
    # "dkim=pass(x)header.d=paypal.com(y" (legal ftext, RFC 5322 section 3.6.8) right below the
    # receiver's Authentication-Results, and three "(2001:db8::N) by" lines to reach the reading
    # that repairs three or more lost folds: the line was joined on and read as the receiver's DMARC pass.
    forged = (b"Return-Path: <a@evil.example>\r\nDelivered-To: victim@rcpt.example\r\n"
              b"Received: from mx.evil.example (mx.evil.example [192.0.2.10]) by mx.rcpt.example (Postfix) with "
              b"ESMTP id 4AB; Mon, 30 Nov 2026 10:00:00 +0000 (UTC)\r\n"
              b"Authentication-Results: mx.rcpt.example; spf=fail smtp.mailfrom=evil.example\r\n"
              b"dkim=pass(x)header.d=paypal.com(y:z);dmarc=pass(x)header.from=paypal.com\r\n"
              + b"".join(b"Received: from a%d.example\r\n(2001:db8::%d) by b%d.example\r\n" % (n, n, n) for n in range(3))
              + b"From: PayPal <service@paypal.com>\r\nTo: victim@rcpt.example\r\nSubject: test\r\n"
              b"Date: Mon, 30 Nov 2026 09:59:00 +0000\r\nMessage-ID: <x1@evil.example>\r\n\r\nhi\r\n")
    report = headerscope.analyze(forged, offline=True)
    assert report.verdict.status == "unauthenticated", report.verdict.summary
    assert not [r for r in report.recorded if r.method == "dmarc"], report.recorded
    # The same lines in a headers-only paste (no body: a copy that may have lost its folds) are
    # still repaired as before.
    paste = forged.split(b"\r\n\r\n")[0] + b"\r\n"
    assert len(headerscope.analyze(paste, offline=True).hops) >= 4


# Verification V41c's inputs (A1_ar_join.eml and its controls, l3-l6) as headers-only pastes, the
# folds' indentation lost (Outlook's "Internet headers" box, Gmail's header copy). Written by the
# receiver: Return-Path, Delivered-To, its Received and its Authentication-Results (spf=fail). All
# below is the sender's: a field whose name holds no space ("dkim=pass(x)header.d=paypal.com(y",
# legal ftext, RFC 5322 section 3.6.8) right below the receiver's record, where Exchange's and
# Gmail's order puts the message's own fields, then fields of its choice.
_V41C_RECEIVER = (b"Return-Path: <a@evil.example>\nDelivered-To: victim@rcpt.example\n"
                  b"Received: from mx.evil.example (mx.evil.example [192.0.2.10]) by mx.rcpt.example (Postfix) with "
                  b"ESMTP id 4AB; Mon, 30 Nov 2026 10:00:00 +0000 (UTC)\n"
                  b"Authentication-Results: mx.rcpt.example; spf=fail smtp.mailfrom=evil.example\n")
_V41C_FROM = (b"From: PayPal <service@paypal.com>\nTo: victim@rcpt.example\nSubject: test\n"
              b"Date: Mon, 30 Nov 2026 09:59:00 +0000\nMessage-ID: <x1@evil.example>\n")
_V41C_LOST_2001 = b"".join(b"Received: from %s.example\n(2001:db8::%d) by %s.example\n" % (a, n, b)
                           for n, (a, b) in enumerate(((b"a", b"b"), (b"c", b"d"), (b"e", b"f")), 1))
_V41C_PASTES = {
    "A1_ar_join": b"dkim=pass(x)header.d=paypal.com(y:z);dmarc=pass(x)header.from=paypal.com\n" + _V41C_LOST_2001,
    "A1_control_no2001": (b"dkim=pass(x)header.d=paypal.com(y:z);dmarc=pass(x)header.from=paypal.com\n"
                          b"X-Note-a: plain\nX-Note-c: plain\nX-Note-e: plain\n"),
    "A2_control_indented": (b"dkim=pass(x)header.d=paypal.com(y:z);dmarc=pass(x)header.from=paypal.com\n"
                            + _V41C_LOST_2001.replace(b"\n(2001", b"\n (2001")),
    "l3": b"dkim=pass(good):header.d=paypal.com\n" + _V41C_LOST_2001,
    "l5": b"dmarc=pass(:)\n" + _V41C_LOST_2001,
    "l6_no2001": b"dmarc=pass(:)\nX-Note-a: plain\nX-Note-c: plain\nX-Note-e: plain\n",
}


@pytest.mark.parametrize("name", sorted(_V41C_PASTES))
def test_a_senders_field_below_the_receivers_record_is_not_its_fold_in_a_paste_either(name: str) -> None:
    import headerscope

    paste = _V41C_RECEIVER + _V41C_PASTES[name] + _V41C_FROM
    report = headerscope.analyze(paste, offline=True)
    # The receiver's record is read from its own line: it recorded spf=fail, no DKIM or DMARC pass.
    assert [(r.method, r.result) for r in report.recorded] == [("spf", "fail")], report.recorded
    assert report.verdict.status == "unauthenticated", report.verdict.summary
    # The sender's line stays a field of its own, and the report says it may have been a lost fold.
    kept = [note for note in report.input.cleanups if note.startswith("kept \"d")]
    assert len(kept) == 1 and "as a field of its own, not as a fold of the Authentication-Results field" in kept[0]
    assert "or a field the message's sender wrote below it" in kept[0]
    # The receiver's own Received keeps its place; the sender's lost "(2001:...) by" folds are still
    # joined to the sender's own date-less Received fields (a Received may take them).
    assert [h.name for h in report.headers][:5] == ["Return-Path", "Delivered-To", "Received", "Authentication-Results",
                                                     parse_message(_V41C_PASTES[name]).headers[0].name]
    if b"(2001" in _V41C_PASTES[name]:
        assert len(report.hops) == 4


def test_a_line_that_is_no_field_below_the_receivers_record_is_still_its_lost_fold_in_a_paste() -> None:
    # V41c's l2: a line with a space before any colon is no field (RFC 5322 section 2.2), so no
    # sender can have written it right below the receiver's record (a receiving MTA ends the header
    # at such a line, as Postfix's cleanup does); in a paste it is that record's lost fold.
    import headerscope

    paste = (_V41C_RECEIVER + b"dkim=pass header.d=paypal.com header.s=s1; dmarc=pass header.from=paypal.com\n"
             + _V41C_LOST_2001 + _V41C_FROM)
    report = headerscope.analyze(paste, offline=True)
    assert [(r.method, r.result) for r in report.recorded if r.method != "dkim"] == [("spf", "fail"), ("dmarc", "pass")]
    assert not [note for note in report.input.cleanups if note.startswith("kept ")]


def test_gmails_record_ends_where_the_senders_fields_start_in_a_paste() -> None:
    # samples/direct.eml in Gmail's order (its Authentication-Results right above the sender's
    # Received), every fold's indentation lost: read as the message's fields are.
    header = (SAMPLES / "direct.eml").read_bytes().replace(b"\r\n", b"\n").split(b"\n\n", 1)[0] + b"\n"
    lost = b"".join(line.lstrip(b" \t") for line in header.splitlines(keepends=True))
    loaded = load_bytes(lost)
    assert _fields(loaded.data) == _fields(header)
    assert not [note for note in loaded.cleanups if note.startswith("kept ")]
    # A field the sender wrote right below Gmail's record (a name, a colon, no space) is not joined.
    end = b"header.from=example.com\n"
    forged = lost.replace(end, end + b"dmarc=pass(p=reject):header.from=paypal.com\n", 1)
    assert forged != lost
    fields = _fields(load_bytes(forged).data)
    records = [value for name, value in fields if name == "Authentication-Results"]
    assert len(records) == 1 and "paypal" not in records[0] and records[0].endswith("header.from=example.com")
    assert ("dmarc=pass(p=reject)", "header.from=paypal.com") in fields


def test_an_exchange_record_that_cannot_end_takes_its_lost_fold_in_a_paste() -> None:
    # Exchange Online's copy (tests/test_microsoft_fields.py's M1, a real inbound phish) with every
    # fold's indentation lost: a report on the line below its empty field ("X-Microsoft-Antispam:",
    # "BCL:0;ARA:..."), and, with the message from an IPv6 address (Microsoft's own outbound
    # relays send over IPv6), Received-SPF's folds "2a01:111:... as permitted sender)" inside the
    # open comment and "client-ip=2a01:..." after "receiver=protection.outlook.com;" read as fields
    # but are folds: each is joined back.
    from test_microsoft_fields import M1

    header = M1.split(b"\n\n")[0] + b"\n"
    over_ipv6 = header.replace(b"designates\n 150.60.232.67 as permitted sender) receiver=protection.outlook.com;\n"
                               b" client-ip=150.60.232.67;",
                               b"designates\n 2a01:111:f403:c20a::3 as permitted sender) receiver=protection.outlook.com;\n"
                               b" client-ip=2a01:111:f403:c20a::3;")
    assert over_ipv6 != header
    for original in (header, over_ipv6):
        lost = b"".join(line.lstrip(b" \t") for line in original.splitlines(keepends=True))
        loaded = load_bytes(lost)
        assert _fields(loaded.data) == _fields(original)
        assert not [note for note in loaded.cleanups if note.startswith("kept ")]


@pytest.mark.parametrize(("record", "continues"), [
    # No value yet: the value is below (Exchange's "X-Microsoft-Antispam:").
    ([b"X-Microsoft-Antispam:"], True),
    ([b"X-Microsoft-Antispam:  ", b"  "], True),
    # An open comment (Exchange's Received-SPF fold inside its reason).
    ([b"Received-SPF: Pass (protection.outlook.com: domain of a.example designates"], True),
    ([b"Authentication-Results: spf=pass (sender IP is (nested)"], True),
    # A parenthesis in a quoted string, or quoted as a pair, opens no comment: a receiver quotes a
    # sender's local part there, even inside its reason.
    ([b'Authentication-Results: mx.example; spf=fail (domain of "(a"@evil.example) smtp.mailfrom=evil.example'], False),
    ([b"Authentication-Results: mx.example; spf=fail (domain of a\\(@evil.example) smtp.mailfrom=evil.example"], False),
    # A quote left open says nothing sure of the comments.
    ([b'Authentication-Results: mx.example; spf=fail (domain of "a(@evil.example'], False),
    # A finished record.
    ([b"Authentication-Results: mx.rcpt.example; spf=fail smtp.mailfrom=evil.example"], False),
    ([b"Authentication-Results: mx.google.com;", b"dkim=pass header.i=@example.com;",
      b"dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=example.com"], False),
    # ';' ends no Authentication-Results (RFC 8601 section 2.2) but no real method line needs it.
    ([b"Authentication-Results: mx.example; spf=fail smtp.mailfrom=evil.example;"], False),
    # Received-SPF: ';' before its client-ip (Exchange's fold) continues; after it (Gmail's last) not.
    ([b"Received-SPF: Pass (protection.outlook.com: domain of a.example designates",
      b"2a01:111:f403:c20a::3 as permitted sender) receiver=protection.outlook.com;"], True),
    ([b"Received-SPF: pass (google.com: domain of a@a.example designates 192.0.2.25 as permitted sender) "
      b"client-ip=192.0.2.25;"], False),
    # A filter's report ends each item with ';'.
    ([b"X-Forefront-Antispam-Report: CIP:208.75.123.162;CTRY:US;SFV:NSPM;DIR:INB;SFP:;"], False),
    # A list ending with ',' continues (RFC 2369), not in an Authentication-Results or Received-SPF.
    ([b"List-Unsubscribe: <mailto:leave@lists.example.org>,"], True),
    ([b"Authentication-Results: mx.example; dkim=permerror header.s=x,"], False),
    ([b"Received-SPF: none (mx.example) helo=x,"], False),
])
def test_whether_a_record_can_end_where_it_stands(record: list[bytes], continues: bool) -> None:
    below = b"name:value"
    lines = [*record, below]
    assert loader._OpenRecord(lines).continues(len(record)) is continues


# Verification V43b D1: Gmail's record in a paste, its folds' indentation lost, where the receiver
# copied a '(' the sender wrote in its DKIM selector ("header.s=x(y", sender-controlled) and the
# sender wrote, right below the record, a field that closes it ("a)dmarc=pass(...)"). The comment
# left open holds the record's ';'s, which no receiver's comment does (RFC 8601 section 2.2): it
# shows nothing left open, and the sender's line stays a field (it read as the receiver's DMARC pass).
_V43B_SELECTOR_PAREN = (
    b'Delivered-To: victim@gmail.com\n'
    b'Received: by 2002:a05:6214:5d0c:b0:6f5:4c21:9a3e with SMTP id fb2csp1201847qvb;\n'
    b'Thu, 26 Nov 2026 09:12:48 -0800 (PST)\n'
    b'Return-Path: <a@evil.example>\n'
    b'Received: from mx.evil.example (mx.evil.example. [192.0.2.10])\n'
    b'by mx.google.com with ESMTPS id af79cd13be357-8d3c2a91e7fsi512084385a.412.2026.11.26.09.12.47\n'
    b'for <victim@gmail.com>\n'
    b'(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\n'
    b'Thu, 26 Nov 2026 09:12:47 -0800 (PST)\n'
    b'Received-SPF: pass (google.com: domain of a@evil.example designates 192.0.2.10 as permitted sender) client-ip=192.0.2.10;\n'
    b'Authentication-Results: mx.google.com;\n'
    b'dkim=neutral (no key for signature) header.i=@evil.example header.s=x(y header.b=AbCdEfGh;\n'
    b'spf=pass (google.com: domain of a@evil.example designates 192.0.2.10 as permitted sender) smtp.mailfrom=a@evil.example;\n'
    b'dmarc=fail (p=REJECT sp=REJECT dis=REJECT) header.from=paypal.com\n'
    b'a)dmarc=pass(p=REJECT:sp=REJECT);dmarc=pass header.from=paypal.com\n'
    b'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=evil.example; s=x(y; h=from:to:subject; bh=AAAA; b=AbCdEfGhIjKl\n'
    b'From: PayPal <service@paypal.com>\n'
    b'To: victim@gmail.com\n'
    b'Subject: Your account\n'
    b'Date: Thu, 26 Nov 2026 09:12:40 -0800\n'
    b'Message-ID: <x1@evil.example>\n'
)


def test_a_comment_a_sender_opened_in_the_receivers_record_joins_no_field_below_it_in_a_paste() -> None:
    import headerscope

    report = headerscope.analyze(_V43B_SELECTOR_PAREN, offline=True)
    assert not [r for r in report.recorded if r.method == "dmarc" and r.result == "pass"], report.recorded
    kept = [note for note in report.input.cleanups if note.startswith("kept \"a)dmarc=pass")]
    assert len(kept) == 1 and "not as a fold of the Authentication-Results field" in kept[0]
    # The same record with a comment of the receiver's own left open still takes its lost fold.
    assert loader._OpenRecord([b"Authentication-Results: mx.example; spf=pass (sender IP is",
                               b"2a01:111:f403::1)"]).continues(1)
    assert not loader._OpenRecord([b"Authentication-Results: mx.example; dkim=neutral header.s=x(y header.b=A;",
                                   b"spf=pass smtp.mailfrom=a.example", b"a)dmarc=pass"]).continues(2)


# Verification V43b D2: rspamd's X-Spamd-Result in a real lfdr.de copy of a kernel list mail (code
# corpus), its folds' indentation lost: each symbol line ends with ';' and its options hold a colon
# ("ARC_ALLOW(-1.00)[subspace.kernel.org:s=arc-20240116:i=1];"), so it reads as a field; each is
# the record's fold (rspamd's symbol shape), as before the paste mend of V41c D1.
_V43B_RSPAMD = (
    b'Return-Path: <stable+bounces-250462-lists+stable=lfdr.de@vger.kernel.org>\n'
    b'Delivered-To: lists+stable@lfdr.de\n'
    b'Received: from mail.lfdr.de\n'
    b'by lfdr with LMTP\n'
    b'id EMM5B67oDWrM4gUAu9opvQ\n'
    b'(envelope-from <stable+bounces-250462-lists+stable=lfdr.de@vger.kernel.org>)\n'
    b'for <lists+stable@lfdr.de>; Wed, 20 May 2026 19:00:30 +0200\n'
    b'X-Original-To: lists+stable@lfdr.de\n'
    b'Received: from sto.lore.kernel.org (sto.lore.kernel.org [172.232.135.74])\n'
    b'by mail.lfdr.de (Postfix) with ESMTPS id 64E5E592C8D\n'
    b'for <lists+stable@lfdr.de>; Wed, 20 May 2026 19:00:29 +0200 (CEST)\n'
    b'Received: from smtp.subspace.kernel.org (conduit.subspace.kernel.org [100.90.174.1])\n'
    b'by sto.lore.kernel.org (Postfix) with ESMTP id 689BE310AB87\n'
    b'for <lists+stable@lfdr.de>; Wed, 20 May 2026 16:45:19 +0000 (UTC)\n'
    b'From: Greg Kroah-Hartman <gregkh@linuxfoundation.org>\n'
    b'To: stable@vger.kernel.org\n'
    b'Subject: [PATCH 7.0 0393/1146] PCI: imx6: Keep Root Port MSI capability with iMSI-RX to work around hardware bug\n'
    b'Date: Wed, 20 May 2026 18:10:43 +0200\n'
    b'Message-ID: <20260520162157.093572938@linuxfoundation.org>\n'
    b'MIME-Version: 1.0\n'
    b'Content-Transfer-Encoding: 8bit\n'
    b'X-Spamd-Result: default: False [-1.66 / 15.00];\n'
    b'ARC_ALLOW(-1.00)[subspace.kernel.org:s=arc-20240116:i=1];\n'
    b'DMARC_POLICY_ALLOW(-0.50)[linuxfoundation.org,none];\n'
    b'R_MISSING_CHARSET(0.50)[];\n'
    b'R_SPF_ALLOW(-0.20)[+ip4:172.232.135.74:c];\n'
    b'R_DKIM_ALLOW(-0.20)[linuxfoundation.org:s=korg];\n'
    b'MAILLIST(-0.15)[generic];\n'
    b'MIME_GOOD(-0.10)[text/plain];\n'
    b'HAS_LIST_UNSUB(-0.01)[];\n'
    b'MIME_TRACE(0.00)[0:+];\n'
    b'DKIM_TRACE(0.00)[linuxfoundation.org:+];\n'
    b'FORGED_SENDER_MAILLIST(0.00)[];\n'
    b'TAGGED_FROM(0.00)[bounces-250462-lists,stable=lfdr.de];\n'
    b'RCVD_COUNT_THREE(0.00)[4];\n'
    b'ASN(0.00)[asn:63949, ipnet:172.232.128.0/19, country:SG];\n'
    b'NEURAL_HAM(-0.00)[-1.000];\n'
    b'DBL_BLOCKED_OPENRESOLVER(0.00)[sto.lore.kernel.org:rdns,sto.lore.kernel.org:helo,msgid.link:url,linuxfoundation.org:mid,linuxfoundation.org:dkim,nxp.com:email]\n'
    b'X-Rspamd-Queue-Id: 64E5E592C8D\n'
    b'X-Rspamd-Action: no action\n'
    b'X-Rspamd-Server: lfdr\n'
)


def test_rspamds_symbol_lines_are_its_results_lost_folds_in_a_paste() -> None:
    import headerscope

    report = headerscope.analyze(_V43B_RSPAMD, offline=True)
    (rspamd,) = [v for v in report.spam_filters if v.filter == "rspamd"]
    assert len(rspamd.rules) == 16 and rspamd.score == -1.66
    names = [h.name for h in report.headers]
    assert not [name for name in names if "(" in name], names
    assert not [note for note in report.input.cleanups if note.startswith("kept ")]


def test_a_record_of_many_lines_is_read_once() -> None:
    # A paste of 10,000 lines that read as fields below a comment left open: each is the record's
    # lost fold, and the record's lines are read once (not once per line below it).
    paste = (b"Received-SPF: Pass (mx.example: domain of a.example designates\n"
             + b"".join(b"2001:db8::%x:%x\n" % (n, n) for n in range(10_000)) + b"From: a@a.example\n")
    started = time.perf_counter()
    loaded = load_bytes(paste)
    assert_within(started, 10)
    assert [name for name, _ in _fields(loaded.data)] == ["Received-SPF", "From"]


def _undo_markdown_autolinks_line_by_line(lines: loader._Lines) -> None:
    """The plain path _undo_markdown_autolinks had: each line looked at in turn."""
    end = lines.header_block_end()
    repaired: dict[int, bytes] = {}
    undone = 0
    outside_free_text = free_text = False

    def undo(link: re.Match[bytes]) -> bytes:
        nonlocal undone
        text, target = link.group(1), link.group(2) or link.group(3)
        if text.lower() != target.lower():
            return link.group(0)
        undone += 1
        return text

    for index in range(end):
        line = lines.text[index]
        if line[:1] not in (b" ", b"\t"):
            free_text = line[:14].lower().startswith(loader._FREE_TEXT_FIELDS)
        if line.find(b"](http") < 0 and line.find(b"](mailto:") < 0:
            continue
        before = undone
        repaired_line = loader._markdown_autolink().sub(undo, line)
        if undone > before:
            repaired[index] = repaired_line
            outside_free_text = outside_free_text or not free_text
    if outside_free_text:
        for index, repaired_line in repaired.items():
            lines.text[index] = repaired_line


def test_markdown_links_found_by_one_search_give_the_line_by_line_answers() -> None:
    # The candidate lines come from one search over the joined block and each one's field from
    # a walk back (V42b D4): links in continuation lines under a subject or a trace field, in
    # the first line, under leading continuation lines, two in a line, after the empty line.
    pieces = [b"Subject: x", b"Received: by h", b"From: a", b" ", b"\t", b"x", b"",
              b"[h.example](http://h.example/)", b"[a@b.example](mailto:a@b.example)", b"](http", b"](mailto:",
              b"[H.example](https://h.EXAMPLE)", b"[o.example](http://p.example/)"]
    ends = [b"\n", b"\r\n", b"\r"]
    rng = random.Random(43)
    for _ in range(3000):
        data = b"".join(rng.choice(pieces) + (rng.choice(ends) if rng.random() < 0.5 else b"")
                        for _ in range(rng.randrange(1, 14)))
        fast, plain = loader._Lines(data), loader._Lines(data)
        loader._undo_markdown_autolinks(fast)
        _undo_markdown_autolinks_line_by_line(plain)
        assert fast.text == plain.text, data


def test_line_ends_taken_by_maps_are_each_lines_own_end() -> None:
    # _Lines takes each line's end by C-level maps (V42b D4): LF, CR LF, lone CR, CR CR LF,
    # a last line without an end, empty lines, a CR LF at a chunk's edge.
    rng = random.Random(43)
    for _ in range(500):
        data = b"".join(rng.choice((b"a: b", b"", b" x", b"\xff")) + rng.choice((b"\n", b"\r\n", b"\r", b"\r\r\n", b""))
                        for _ in range(rng.randrange(0, 3000 if rng.random() < 0.05 else 12)))
        lines = loader._Lines(data)
        while lines._split_more():
            pass
        assert lines.text == data.splitlines()
        assert lines.ends == [whole[len(line):] for whole, line in zip(data.splitlines(keepends=True), data.splitlines(), strict=True)]
        assert b"".join(text + end for text, end in zip(lines.text, lines.ends, strict=True)) == data


def test_a_block_longer_than_any_dialog_is_not_read_as_outlooks_properties_layout() -> None:
    # Outlook's properties dialog shows one header, a few hundred lines: a block of more lines than a
    # header is read to is not walked for that layout (a Python step per line; 40 million "a:"
    # lines took a minute, verification V47e). Under the bound the layout is rebuilt as before.
    pair = b"X-Note:\nvalue\n"
    small = load_bytes(pair * 100)
    assert small.format == "outlook-properties"
    large = load_bytes(pair * 20_001)
    assert large.format != "outlook-properties"
