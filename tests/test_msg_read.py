"""How an Outlook .msg is read (verification V23 D3-D7): embedded drafts judged as the same item
is on its own, caps said when they apply, oversized property streams bounded, and transport
header streams that are white space, not UTF-16 little-endian text, or not a stream at all."""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from cfb_writer import Entries, read_entries, write_cfb
from conftest import CORPUS, REPO

import headerscope
from headerscope.api import AnalysisOptions, analyze_loaded
from headerscope.loader import load_bytes, load_carried
from headerscope.message import parse_message
from headerscope.mime import attached_messages
from headerscope.msg import NO_SMTP_TRACE, NO_TRANSPORT_HEADERS, MsgError, msg_to_message

OTHER = CORPUS / "messages" / "eml_analyzer" / "other.msg"
OUTER = CORPUS / "messages" / "eml_analyzer" / "outer.msg"
HEADER_STREAM = ("__substg1.0_007D001F",)  # PR_TRANSPORT_MESSAGE_HEADERS, PT_UNICODE
PROPERTIES = "__properties_version1.0"
ATTACHMENT = "__attach_version1.0_#00000000"
EMBEDDED = "__substg1.0_3701000D"  # PR_ATTACH_DATA_OBJ: the storage of an embedded message
PR_MESSAGE_FLAGS = 0x0E070003


def _run(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("HEADERSCOPE_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "headerscope", *args], capture_output=True, env=env, cwd=REPO,
                          timeout=120)


def _with_flags(properties: bytes, flags: int, header: int) -> bytes:
    """A property stream with PR_MESSAGE_FLAGS set to ``flags`` (MS-OXMSG section 2.4.2: a
    header, then 16 bytes a property: tag, flags, value)."""
    out = bytearray(properties[:header])
    for at in range(header, len(properties) - 15, 16):
        tag, property_flags, value = struct.unpack("<IIQ", properties[at:at + 16])
        out += struct.pack("<IIQ", tag, property_flags, flags if tag == PR_MESSAGE_FLAGS else value)
    return bytes(out)


def _other_with_header(stream: bytes | None, name: tuple[str, ...] = HEADER_STREAM) -> bytes:
    entries = read_entries(OTHER)
    del entries[HEADER_STREAM]
    entries[name] = stream
    if stream is None:  # a storage where the stream belongs, with something inside
        entries[(*name, "inner")] = b"From: x@y\r\n"
    return write_cfb(entries)


def _nested(levels: int) -> Entries:
    """other.msg with its attachment holding other.msg, ``levels`` deep."""
    base = read_entries(OTHER)
    entries = dict(base)
    if levels == 0:
        return entries
    inner = _nested(levels - 1)
    entries = {path: data for path, data in entries.items()
               if not (path[0] == ATTACHMENT and len(path) > 1 and path[1] == EMBEDDED)}
    for path, data in inner.items():
        if not path[0].startswith("__nameid"):  # the named-property map is the file's, at its root
            entries[(ATTACHMENT, EMBEDDED, *path)] = data
    return entries


# D3 -------------------------------------------------------------------------------------------

def test_an_embedded_draft_is_judged_as_the_same_draft_is_on_its_own() -> None:
    outer = load_bytes(OUTER.read_bytes(), source="outer.msg")
    (_entry, data), = attached_messages(parse_message(outer.data))
    inner = load_carried(outer, data, "outer.msg#attached-1")
    # outer.msg's embedded item has no transport headers and PR_MESSAGE_FLAGS 9 (MSGFLAG_UNSENT).
    assert inner.format == "msg" and NO_TRANSPORT_HEADERS in inner.cleanups and not inner.byte_exact
    report = analyze_loaded(inner, AnalysisOptions(offline=True))
    ids = {f.id for f in report.findings}
    assert report.verdict.status == "not_checked" and "never sent" in report.verdict.summary
    assert "input.never_sent" in ids and not ids & {"envelope.no_from", "dmarc.no_from_domain", "date.missing"}
    assert report.dmarc.result == "not_checked"
    # The outer report's line for it says so too, not "unauthenticated".
    carrier = headerscope.analyze(OUTER.read_bytes(), offline=True)
    assert [s.verdict for s in carrier.carried] == ["not checked: never sent"]
    # A message/rfc822 part that is not the rebuilt embedded item is read as any message.
    other = load_carried(outer, data + b"\r\n", "x")
    assert other.format != "msg" and NO_TRANSPORT_HEADERS not in other.cleanups


def test_an_embedded_item_without_headers_not_flagged_unsent_gets_the_no_smtp_trace_note() -> None:
    entries = read_entries(OUTER)
    path = (ATTACHMENT, EMBEDDED, PROPERTIES)
    entries[path] = _with_flags(entries[path] or b"", 0x1, header=24)  # read, not unsent
    outer = load_bytes(write_cfb(entries), source="outer.msg")
    (_entry, data), = attached_messages(parse_message(outer.data))
    inner = load_carried(outer, data, "outer.msg#attached-1")
    assert inner.format == "msg" and NO_SMTP_TRACE in inner.cleanups and NO_TRANSPORT_HEADERS not in inner.cleanups
    assert "input.never_sent" not in {f.id for f in analyze_loaded(inner, AnalysisOptions(offline=True)).findings}


def test_attached_on_the_command_line_reads_the_embedded_draft_as_a_draft(tmp_path: Path) -> None:
    result = _run("analyze", str(OUTER), "--offline", "--attached", "1")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert out.startswith("NOT CHECKED  Not checked: never sent.") and "[input.never_sent]" in out
    assert "No readable From: address" not in out


# D4 -------------------------------------------------------------------------------------------

def test_embedded_messages_past_the_cap_are_said_in_the_report_and_by_attached(tmp_path: Path) -> None:
    entries = read_entries(OTHER)
    attachment = {path[1:]: data for path, data in entries.items() if path[0] == ATTACHMENT}
    for number in range(23):
        for path, data in attachment.items():
            entries[(f"__attach_version1.0_#{number:08X}", *path)] = data
    many = tmp_path / "many.msg"
    many.write_bytes(write_cfb(entries))
    loaded = load_bytes(many.read_bytes(), source=str(many))
    assert len(attached_messages(parse_message(loaded.data))) == 20
    assert ("3 of the 23 messages embedded in one message were not read: headerscope reads the first 20 "
            "(a cap on hostile input)") in loaded.cleanups
    result = _run("analyze", str(many), "--offline", "--attached", "21")
    assert result.returncode == 1
    assert result.stderr.decode().strip().endswith(
        "no attached message 21 (it carries 20; 3 more embedded message(s) were not read: headerscope reads the "
        "first 20 embedded in one message)")


def test_a_message_embedded_past_the_depth_cap_is_not_called_none(tmp_path: Path) -> None:
    nested = tmp_path / "nested.msg"
    nested.write_bytes(write_cfb(_nested(6)))
    loaded = load_bytes(nested.read_bytes(), source=str(nested))
    assert "messages embedded more than 5 levels deep were not read (a cap on hostile input)" in loaded.cleanups
    result = _run("analyze", str(nested), "--offline", "--attached", "1.1.1.1.1.1")
    assert result.returncode == 1
    assert result.stderr.decode().strip().endswith(
        "no attached message 1 (it carries none; 1 message(s) embedded 6 levels deep were not read: headerscope "
        "reads messages embedded 5 levels deep at most)")
    # Five levels are read, as before.
    assert _run("analyze", str(nested), "--offline", "--attached", "1.1.1.1.1").returncode == 0


# D5 -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [(PROPERTIES,), ("__nameid_version1.0", "__substg1.0_00030102")])
def test_an_oversized_property_stream_is_not_handed_to_extract_msg(path: tuple[str, ...]) -> None:
    entries = read_entries(OTHER)
    # 40,000 properties (8-byte entries for the named-property map): 16,384 are the most read.
    entries[path] = (entries.get(path) or b"") + b"\x03\x00\x07\x0e\x06\x00\x00\x00" * 80000
    loaded = load_bytes(write_cfb(entries), source="big.msg")
    assert loaded.format == "msg" and not loaded.has_body
    note = loaded.cleanups[0]
    assert note.startswith(f"Outlook .msg: damaged (its {'property stream' if len(path) == 1 else 'named-property map'} "
                           f"{'/'.join(path)} is ")
    assert "where a message has hundreds; at most 16,384 are read" in note
    # The transport headers are read all the same, straight from their stream.
    header = (entries[HEADER_STREAM] or b"").decode("utf-16-le").rstrip("\0").strip("\r\n")
    assert loaded.data == header.encode() + b"\r\n" and b"\r\nSubject: " in loaded.data


def test_an_oversized_property_stream_without_transport_headers_is_refused_in_words() -> None:
    entries = read_entries(OTHER)
    del entries[HEADER_STREAM]
    entries[(PROPERTIES,)] = (entries[(PROPERTIES,)] or b"") + b"\x03\x00\x07\x0e\x06\x00\x00\x00" * 40000
    with pytest.raises(MsgError, match=r"^not a readable Outlook \.msg file: its property stream "
                                       r"__properties_version1\.0 is [0-9,]+ bytes .*, and its transport headers "
                                       r"cannot be read either$"):
        msg_to_message(write_cfb(entries))


@pytest.mark.parametrize(("path", "digest"), [
    (OTHER, "0474c112479f9b217961890af1a1be9595b16cee07fd8cf99e57e7088e5067b6"),
    (OUTER, "9bc6eb60f720ce59e5f054dd1554e0b57902d7ffd9940f6d7a4ffe07d6ffd71c"),
])
def test_a_real_msg_is_rebuilt_as_before(path: Path, digest: str) -> None:
    # The bytes the reading before these checks rebuilt from the corpus's two .msg files.
    data, notes = msg_to_message(path.read_bytes())
    assert hashlib.sha256(data).hexdigest() == digest
    assert notes[0].startswith("Outlook .msg: rebuilt from its") and notes[-1] == (
        "its 1 embedded message(s) rebuilt the same way and attached as message/rfc822 parts (the body kept is the "
        "decoded text; its MIME-Version, Content-Type and Content-Transfer-Encoding fields are the rebuild's own)")


# D6, D7 ---------------------------------------------------------------------------------------

def _header_and_body(data: bytes) -> tuple[bytes, bytes]:
    header, _, body = data.partition(b"\r\n\r\n")
    return header, body


def test_white_space_alone_in_the_header_stream_is_read_as_an_empty_stream() -> None:
    empty = load_bytes(_other_with_header(b""), source="empty.msg")
    spaces = load_bytes(_other_with_header("   \r\n\r\n  ".encode("utf-16-le")), source="spaces.msg")
    assert spaces.unreadable is None and spaces.format == "msg"
    assert spaces.data == empty.data and spaces.cleanups == empty.cleanups
    assert NO_SMTP_TRACE in spaces.cleanups


def test_a_big_endian_header_stream_is_read_in_its_byte_order() -> None:
    header = read_entries(OTHER)[HEADER_STREAM] or b""
    little = load_bytes(OTHER.read_bytes(), source="other.msg")
    big = load_bytes(_other_with_header(header.decode("utf-16-le").encode("utf-16-be")), source="be.msg")
    assert big.data == little.data
    assert big.cleanups[1] == ("its transport headers (PR_TRANSPORT_MESSAGE_HEADERS) were stored as big-endian "
                               "UTF-16, where Outlook writes little-endian, and were read as such")
    # A byte-order mark is removed, not read as part of the first field's name.
    marked = load_bytes(_other_with_header(b"\xff\xfe" + header), source="bom.msg")
    assert marked.data == little.data
    assert "its transport headers began with a byte-order mark, which was removed" in marked.cleanups


@pytest.mark.parametrize("stream", [bytes(range(256)) * 12, "\u4600\u6f72\u6d3a".encode("utf-16-le") * 300, None])
def test_a_header_stream_that_is_not_text_is_set_aside_and_the_rest_is_read(stream: bytes | None) -> None:
    empty = load_bytes(_other_with_header(b""), source="empty.msg")
    loaded = load_bytes(_other_with_header(stream), source="odd.msg")
    assert loaded.unreadable is None and loaded.format == "msg" and loaded.has_body
    # The header rebuilt from the properties and the body, as for an empty stream.
    assert loaded.data == empty.data
    reason = loaded.cleanups[1]
    if stream is None:
        assert reason == ("its transport headers (PR_TRANSPORT_MESSAGE_HEADERS) are a storage where a stream "
                          "belongs, so they were set aside")
    else:
        assert reason == (f"its transport headers (PR_TRANSPORT_MESSAGE_HEADERS, {len(stream):,} bytes) are not "
                          "header fields in UTF-16 text, so they were set aside")
    assert loaded.cleanups[0].startswith("Outlook .msg: rebuilt from its properties")
    # The stream was there, only unusable: not "no SMTP trace ... exported without its headers"
    # (verification V24 D7), which explains a .msg that has none.
    assert loaded.cleanups[2] == "headers were rebuilt from its properties" and NO_SMTP_TRACE not in loaded.cleanups
    assert b"From: " in _header_and_body(loaded.data)[0]
