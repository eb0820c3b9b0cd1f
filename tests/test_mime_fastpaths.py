"""Fast paths of the MIME readers checked against their plain versions: the parsed Content-Type
cache, and the per-message caches and narrowed searches of the carried-message readers."""

from __future__ import annotations

import pytest

from headerscope import mime
from headerscope.loader import load_bytes
from headerscope.message import Message, parse_message


def test_a_cached_content_type_is_the_parse_and_a_callers_change_stays_its_own() -> None:
    value = 'multipart/mixed; boundary="b0e8e2329b2609a0b"; charset*=utf-8\'\'%C3%A9'
    first = mime.parse_content_type(value)
    assert first == mime._parse_content_type(value) == ("multipart/mixed",
                                                          {"boundary": "b0e8e2329b2609a0b", "charset": "é"})
    first[1]["boundary"] = "changed"  # a caller's own copy
    assert mime.parse_content_type(value) == mime._parse_content_type(value)
    # A long value is parsed each time, not kept.
    long_value = "text/plain; name=" + "x" * 1000
    assert mime.parse_content_type(long_value) == mime._parse_content_type(long_value)
    assert long_value not in mime._parsed_types


def _messages() -> list[Message]:
    """The loader tests' inputs (samples, corpus, hostile and crafted messages), parsed as loaded."""
    from test_loader import _test_inputs

    return [parse_message(load_bytes(data).data) for data in _test_inputs() if len(data) < 2_000_000]


def test_the_per_message_answers_are_the_uncached_ones() -> None:
    messages = _messages()
    assert len(messages) > 200
    for message in messages:
        for cached, plain in ((mime.is_automatic_notification, mime._is_automatic_notification),
                              (mime._looks_like_bounce, mime._bounce_said)):
            assert cached(message) == plain(message) == cached(message)
        shape = mime._spamcop_shape(message)
        assert mime._spamcop_shape(message) is shape  # read once
        again = mime._read_spamcop_shape(message)
        assert (shape is None) == (again is None)
        if shape is not None and again is not None:
            assert [m.group(0) if m else None for m in shape[:2]] == [m.group(0) if m else None for m in again[:2]]
            assert shape[2] == again[2]


def _names_a_message_file_as_before(raw: bytes, start: int, content_type: str) -> bool:
    """_names_a_message_file before its searches were narrowed (each part header's CR LF CR LF
    looked for in all 8 KB, the regex run on every header)."""
    boundaries = [mime.parse_content_type(content_type)[1].get("boundary") or ""]
    looked = 0
    while boundaries and looked < mime._MAX_PART_HEADERS:
        boundary = boundaries.pop()
        if not 1 <= len(boundary) <= 70:
            continue
        delimiter = b"--" + boundary.encode("ascii", "replace")
        at = raw.find(delimiter, start)
        while at >= 0 and looked < mime._MAX_PART_HEADERS:
            looked += 1
            header_end = raw.find(b"\n\n", at, at + mime._PART_HEADER_BYTES)
            crlf_end = raw.find(b"\r\n\r\n", at, at + mime._PART_HEADER_BYTES)
            ends = [e for e in (header_end, crlf_end) if e >= 0]
            head = raw[at:min(ends) if ends else at + mime._PART_HEADER_BYTES]
            if mime._file_message_hint().search(head) is not None:
                return True
            if b"ultipart/" in head or b"ULTIPART/" in head:
                inner = mime._part_boundary().search(head)
                if inner is not None:
                    boundaries.append((inner.group(1) or inner.group(2)).decode("ascii", "replace"))
            at = raw.find(delimiter, at + len(delimiter))
    return False


def assert_names_a_message_file_as_before(messages: list[Message]) -> None:
    """mime._names_a_message_file answers as the plain reading above for every message with a
    body and a Content-Type, and the messages hold both answers."""
    seen = set()
    for message in messages:
        content_type = message.first("Content-Type")
        if message.body_start is None or content_type is None:
            continue
        expected = _names_a_message_file_as_before(message.raw, message.body_start, content_type)
        assert mime._names_a_message_file(message.raw, message.body_start, content_type) == expected
        seen.add(expected)
    assert seen == {True, False}


def test_message_file_names_are_found_as_before() -> None:
    crafted = []
    for name in ("report.eml", "Phish.MSG", "x.emlx", "report.eml.txt", "a.msg;", "outlook"):
        for first, second in (("\r\n", "\n"), ("\n", "\r\n")):
            # A CR LF blank line after a LF one, and the other way round: the header ends at the first.
            crafted.append(parse_message((
                f'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\nContent-Type: text/plain{first}{first}'
                f'text{second}{second}--b1\nContent-Type: application/octet-stream;\n name="{name}"{second}{second}'
                f'data\n--b1\r\nContent-Type: application/VND.MS-OUTLOOK{first}{first}x\n--b1--\n').encode()))
    assert_names_a_message_file_as_before(_messages() + crafted)


def _carried_readings(messages: list[Message]) -> list[object]:
    """What the carried-message readers make of each message, on fresh copies (no cache)."""
    out: list[object] = []
    for message in messages:
        fresh = parse_message(message.raw)
        out.append((mime.read_carried(fresh), mime.attached_messages(parse_message(message.raw)),
                    mime.inline_forward(parse_message(message.raw)),
                    mime._text_bounce_copy(parse_message(message.raw))))
    return out


def test_the_text_part_searches_give_the_body_searches_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    messages = _messages()
    taken = []
    real = mime._head_lacks

    def counted(raw: bytes, part: mime._Part, needles: tuple[bytes, ...]) -> bool:
        lacks = real(raw, part, needles)
        taken.append(lacks)
        return lacks

    monkeypatch.setattr(mime, "_head_lacks", counted)
    fast = _carried_readings(messages)
    assert sum(taken) > 200  # decided on the text parts for most messages
    monkeypatch.setattr(mime, "_head_lacks", lambda raw, part, needles: False)
    assert _carried_readings(messages) == fast


def _forward_in(charset: str, separator: str) -> bytes:
    """A forward whose first text part writes its separator in ``charset``'s bytes; the HTML
    part beside it says "Forwarded" as written."""
    return (
        "From: Ann <ann@example.com>\nTo: bob@example.org\nSubject: look at this\n"
        "Date: Mon, 4 Mar 2024 10:00:00 +0000\nMessage-ID: <f1@example.com>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/alternative; boundary="b2"\n\n'
        f"--b2\nContent-Type: text/plain; charset={charset}\n\nSee below.\n\n{separator}\n"
        "From: Carl <carl@example.net>\nDate: Fri, 1 Mar 2024 09:00:00 +0000\nSubject: invoice\n"
        "To: ann@example.com\n\nPay now.\n"
        "--b2\nContent-Type: text/html; charset=utf-8\n\n<p>Forwarded</p>\n--b2--\n").encode("ascii")


def test_a_separator_written_in_utf7_bytes_is_still_found() -> None:
    # UTF-7 writes the "o" of "Forwarded" as "+AG8-" (RFC 2152): the hint is not in the part's
    # bytes, and the text part alone cannot rule the separator out.
    message = parse_message(_forward_in("utf-7", "---------- F+AG8-rwarded message ---------"))
    finding = mime.inline_forward(message)
    assert finding is not None and finding.id == "message.inline_forward"
    plain = parse_message(_forward_in("utf-8", "---------- Forwarded message ---------"))
    assert mime.inline_forward(plain) is not None
    nothing = parse_message(_forward_in("utf-8", "---------- F+AG8-rwarded message ---------"))
    assert mime.inline_forward(nothing) is None
