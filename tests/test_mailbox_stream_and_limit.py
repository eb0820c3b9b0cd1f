"""Verification V54a D3: analyze streams a mailbox on standard input as it reads a mailbox file
(it was read whole, up to 256 MiB); a message cut off where analyze stops counting is counted
(D-2); the message limit is the message's, not its separator's (D-3). Inputs are generated as
they are read, or made small by a smaller limit: none is written out at its full size."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from headerscope import cli
from headerscope.scan.readers import iter_mbox, iter_stream

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


def _analyze(args: list[str], stdin: Any = None) -> tuple[int, str, dict[str, Any] | None]:
    result = CliRunner().invoke(cli.cli, ["analyze", *args, "--offline", "--format", "json"], input=stdin)
    report = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, result.output, report


def _mailbox_note(report: dict[str, Any]) -> str:
    [note] = [f["explanation"] for f in report["findings"] if f["id"] == "input.mailbox"]
    return str(note)


# D-3: the limit is the message's -----------------------------------------------------------


@pytest.mark.parametrize("piped", [False])
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
