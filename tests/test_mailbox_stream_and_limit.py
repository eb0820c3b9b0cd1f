"""Verification V54a D3: analyze streams a mailbox on standard input as it reads a mailbox file
(it was read whole, up to 256 MiB); a message cut off where analyze stops counting is counted
(D-2); the message limit is the message's, not its separator's (D-3). Inputs are generated as
they are read, or made small by a smaller limit: none is written out at its full size."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from headerscope import cli
from headerscope.scan.readers import iter_mbox, iter_stream
from headerscope.sources.interface import InputError
from headerscope.sources.stdin import StdinSource

SEPARATOR = b"From alice@example.org Mon Nov  2 10:00:05 2026\r\n"


def numbered(n: int, body: bytes = b"Hi Bob\r\n") -> bytes:
    return (b"Received: from mail.example.org (mail.example.org [192.0.2.10]) by mx.example.net (Postfix) with ESMTPS"
            b" id 4AB; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
            b"From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: message %d\r\n"
            b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <%d@example.org>\r\n\r\n" % (n, n) + body)


def of_size(n: int, size: int) -> bytes:
    """Message ``n``, its body filled out with lines of text to exactly ``size`` bytes."""
    head = numbered(n, b"")
    line = b"x" * 76 + b"\r\n"
    lines, rest = divmod(size - len(head), len(line))
    body = line * lines + (b"y" * (rest - 2) + b"\r\n" if rest >= 2 else b"")
    message = head + body
    if rest == 1:
        message = message[:-3] + b"zz\r\n"  # one byte more on the last line
    assert len(message) == size
    return message


class _Generated(io.RawIOBase):
    """A stream of the given pieces, repeated as told, made as it is read; counts the bytes read."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self.pieces = pieces
        self.left = b""
        self.read_so_far = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.left:
            piece = next(self.pieces, None)
            if piece is None:
                return 0
            self.left = piece
        size = min(len(buffer), len(self.left))
        buffer[:size] = self.left[:size]
        self.left = self.left[size:]
        self.read_so_far += size
        return size


def _large_mailbox(megabytes: int) -> Iterator[bytes]:
    """A mailbox of small messages, about ``megabytes`` MB, message 1 first."""
    yield SEPARATOR + numbered(1) + b"\r\n"
    block = b"".join(SEPARATOR + numbered(n, b"Hi Bob\r\n" * 50) + b"\r\n" for n in range(2, 1000))
    for _ in range(megabytes * 1_000_000 // len(block) + 1):
        yield block


def _analyze(args: list[str], stdin: Any = None) -> tuple[int, str, dict[str, Any] | None]:
    result = CliRunner().invoke(cli.cli, ["analyze", *args, "--offline", "--format", "json"], input=stdin)
    report = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, result.output, report


def _mailbox_note(report: dict[str, Any]) -> str:
    [note] = [f["explanation"] for f in report["findings"] if f["id"] == "input.mailbox"]
    return str(note)


# Standard input ----------------------------------------------------------------------------


def test_a_mailbox_on_standard_input_is_read_no_further_than_a_file_is() -> None:
    # 600 MB piped in: it was read whole up to the 256 MiB limit and refused ("standard input is
    # larger than the limit"); a smaller one was held whole to report its first message. Now it
    # is read as far as its first message and _COUNT_AFTER_FIRST bytes on, as a file is.
    stream = _Generated(_large_mailbox(600))
    code, output, report = _analyze(["-"], io.BufferedReader(stream))
    assert code == 0, output
    assert report is not None
    assert report["input"]["sha256"] == hashlib.sha256(numbered(1)).hexdigest()
    assert [h["value"] for h in report["headers"] if h["name"] == "Subject"] == ["message 1"]
    first = len(SEPARATOR + numbered(1)) + 2
    assert stream.read_so_far <= first + cli._COUNT_AFTER_FIRST + (2 << 20), stream.read_so_far
    note = _mailbox_note(report)
    assert "the first message of an mbox mailbox (RFC 4155), standard input read only as far as its first " in note
    assert "more message(s) start: at least" in note and "(`headerscope scan -` reads them all)" in note


def test_a_mailbox_piped_in_reads_as_the_same_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The same bytes, the same report and the same count (the chunks read line up as a file's).
    monkeypatch.setattr(cli, "_COUNT_AFTER_FIRST", 1 << 20)
    data = b"".join(_large_mailbox(3))
    path = tmp_path / "inbox.mbox"
    path.write_bytes(data)
    _, _, from_file = _analyze([str(path)])
    _, _, piped = _analyze(["-"], data)
    assert from_file is not None and piped is not None
    assert piped["input"]["sha256"] == from_file["input"]["sha256"] == hashlib.sha256(numbered(1)).hexdigest()
    assert _mailbox_note(piped) == _mailbox_note(from_file).replace(
        f"a file of {len(data)} bytes", "standard input").replace("`headerscope scan`", "`headerscope scan -`", 1)


def test_a_small_mailbox_and_a_single_message_on_standard_input_read_as_before() -> None:
    two = SEPARATOR + numbered(1) + b"\r\n" + SEPARATOR + numbered(2)
    _, _, report = _analyze(["-"], two)
    assert report is not None
    assert "this report is of the first of the 2 messages of an mbox mailbox (RFC 4155)" in _mailbox_note(report)
    # One message, with or without its "From " line: hashed as scan's row, as before.
    for data in (numbered(1), SEPARATOR + numbered(1)):
        _, _, report = _analyze(["-"], data)
        assert report is not None and report["input"]["sha256"] == hashlib.sha256(numbered(1)).hexdigest()


def test_a_first_message_over_the_limit_on_standard_input_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_SPLIT_SLACK", 1 << 20)
    monkeypatch.setattr("headerscope.sources.interface.DEFAULT_MAX_SIZE", 1 << 20)
    stream = _Generated(iter([SEPARATOR + of_size(1, 3 << 20) + b"\r\n" + SEPARATOR + numbered(2)]))
    code, output, _ = _analyze(["-"], io.BufferedReader(stream))
    assert code == 1
    assert "standard input: its first message is larger than the limit of 1 MiB" in output
    assert stream.read_so_far <= (3 << 20), stream.read_so_far  # not read through


def test_standard_input_read_after_its_start_keeps_the_limit() -> None:
    # A single message piped in is read whole up to the limit, as before, its start included.
    assert StdinSource(io.BytesIO(b"0123456789"), max_size=10).read_after(b"") == b"0123456789"
    source = StdinSource(io.BytesIO(b"3456789"), max_size=10)
    assert source.read_after(b"012") == b"0123456789"
    with pytest.raises(InputError) as too_big:
        StdinSource(io.BytesIO(b"3456789x"), max_size=10).read_after(b"012")
    assert str(too_big.value) == "standard input is larger than the limit of 10 bytes"


# D-2: a message cut off where counting stops ------------------------------------------------


@pytest.mark.parametrize("piped", [False, True])
def test_a_message_running_past_what_is_counted_is_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            piped: bool) -> None:
    # One small message, then one larger than what is read to count: 2 messages. The second,
    # unfinished where reading stopped, was not said to start.
    monkeypatch.setattr(cli, "_COUNT_AFTER_FIRST", 1 << 20)
    data = SEPARATOR + numbered(1) + b"\r\n" + SEPARATOR + of_size(2, 3 << 20) + b"\r\n"
    path = tmp_path / "bigsecond.mbox"
    path.write_bytes(data)
    _, output, report = _analyze(["-"], data) if piped else _analyze([str(path)])
    assert report is not None, output
    assert report["input"]["sha256"] == hashlib.sha256(numbered(1)).hexdigest()
    note = _mailbox_note(report)
    assert "read only as far as its first " in note
    assert "bytes, in which 1 more message(s) start: at least 2 in all" in note


def test_a_mailbox_read_to_its_end_is_counted_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The second message ends within what is read to count: the count is all of them.
    monkeypatch.setattr(cli, "_COUNT_AFTER_FIRST", 4 << 20)
    path = tmp_path / "two.mbox"
    path.write_bytes(SEPARATOR + numbered(1) + b"\r\n" + SEPARATOR + of_size(2, 3 << 20) + b"\r\n")
    _, output, report = _analyze([str(path)])
    assert report is not None, output
    assert "this report is of the first of the 2 messages of an mbox mailbox" in _mailbox_note(report)


# D-3: the limit is the message's -----------------------------------------------------------


@pytest.mark.parametrize("piped", [False, True])
def test_a_first_message_of_exactly_the_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      piped: bool) -> None:
    # The mailbox's empty line before the next "From " line was counted against the message:
    # a message of exactly the limit was "larger than the limit". One byte more is.
    monkeypatch.setattr(cli, "_SPLIT_SLACK", 1 << 20)
    monkeypatch.setattr("headerscope.sources.interface.DEFAULT_MAX_SIZE", 1 << 20)
    for size, readable in (((1 << 20) - 1, True), (1 << 20, True), ((1 << 20) + 1, False)):
        message = of_size(1, size)
        data = SEPARATOR + message + b"\r\n" + SEPARATOR + numbered(2) + b"\r\n"
        path = tmp_path / f"limit{size}.mbox"
        path.write_bytes(data)
        code, output, report = _analyze(["-"], data) if piped else _analyze([str(path)])
        if readable:
            assert report is not None, (size, output)
            assert report["input"]["size"] == size
            assert report["input"]["sha256"] == hashlib.sha256(message).hexdigest()
            assert "the first of the 2 messages" in _mailbox_note(report)
        else:
            assert code == 1 and "its first message is larger than the limit of 1 MiB" in output, (size, output)


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n"])
@pytest.mark.parametrize("lazy", [False, True])
def test_scan_splits_a_message_of_exactly_the_limit_as_a_message(tmp_path: Path, line_end: bytes,
                                                                 lazy: bool) -> None:
    # scan's row said "over the limit" for the same entry.
    limit = 4096

    def sized(n: int, size: int) -> bytes:
        head = numbered(n, b"").replace(b"\r\n", line_end)
        return head + b"x" * (size - len(head) - len(line_end)) + line_end

    message, over = sized(1, limit), sized(2, limit + 1)
    separator = SEPARATOR.replace(b"\r\n", line_end)
    data = separator + message + line_end + separator + over + line_end + separator + numbered(3).replace(
        b"\r\n", line_end)
    path = tmp_path / "limit.mbox"
    path.write_bytes(data)
    rows = list(iter_mbox(path, max_message=limit, lazy=lazy))
    assert [row.error for row in rows] == [None, f"message over the {limit}-byte limit", None]
    if lazy:
        assert rows[0].span is not None and data[rows[0].span[0]:rows[0].span[1]] == message
    else:
        assert rows[0].data == message
    streamed = list(iter_stream(io.BytesIO(data).read, "-", max_message=limit))
    assert streamed[0].data == message and streamed[1].error is not None and streamed[2].data is not None
