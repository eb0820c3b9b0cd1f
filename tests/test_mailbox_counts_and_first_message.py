"""Verification V52d: scan counts messages and unreadable inputs apart, an empty mailbox is a mailbox
with no message (D3-1); analyze reads a mailbox only as far as its first message (D3-2), and hashes
an mbox of one message as scan's row does (D3-3)."""

from __future__ import annotations

import builtins
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest
from conftest import REPO

SIMPLE = (
    b"Received: from mail.example.org (mail.example.org [192.0.2.10]) by mx.example.net (Postfix) with ESMTPS id 4AB;"
    b" Mon, 2 Nov 2026 10:00:05 +0000\r\n"
    b"From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: hello\r\n"
    b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@example.org>\r\n\r\nHi Bob\r\n"
)
SEPARATOR = b"From alice@example.org Mon Nov  2 10:00:05 2026\r\n"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("HEADERSCOPE_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "headerscope", *args], input=stdin.decode() if stdin else None,
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=120)


def numbered(n: int) -> bytes:
    return SIMPLE.replace(b"Subject: hello", b"Subject: message %d" % n).replace(b"<1@", b"<%d@" % n)


def mailbox(count: int) -> bytes:
    return b"".join(SEPARATOR + numbered(n) + b"\r\n" for n in range(1, count + 1))


# D3-1 ------------------------------------------------------------------------------------------


def test_the_header_line_counts_an_unreadable_file_apart_from_the_messages(tmp_path: Path) -> None:
    # "2 message(s), 1 unreadable" was said of one message and one binary file saved as .eml.
    (tmp_path / "phish.eml").write_bytes(SIMPLE)
    (tmp_path / "attachment.eml").write_bytes(bytes(range(256)) * 8)
    result = run("scan", str(tmp_path / "phish.eml"), str(tmp_path / "attachment.eml"), "--offline", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "1 message(s), 1 unreadable."
    assert "binary data" in result.stdout  # its error row is still listed
    # Filtered: the scan's totals count the messages apart too.
    kept = run("scan", str(tmp_path / "phish.eml"), str(tmp_path / "attachment.eml"), "--offline", "--jobs", "1",
               "--filter", "error=yes")
    assert kept.stdout.splitlines()[0] == "0 message(s) kept by --filter (1 unreadable), of 1 scanned (1 unreadable)."
    # --fail-on says an unreadable input it matched as one, not as a message.
    gate = run("scan", str(tmp_path / "phish.eml"), str(tmp_path / "attachment.eml"), "--offline", "--jobs", "1",
               "--format", "csv", "--fail-on", "error=yes", "--fail-on", "subject=hello")
    assert gate.returncode == 3
    assert "headerscope: 1 message(s) and 1 unreadable input(s) match --fail-on error=yes or subject=hello" in gate.stderr


def test_an_empty_mailbox_of_any_name_is_a_mailbox_with_no_message(tmp_path: Path) -> None:
    # A Takeout folder with an empty Drafts.mbox was "9 message(s) (4 distinct), 1 unreadable" for
    # 8 messages, while Thunderbird's empty Trash beside its Trash.msf was passed over as not mail.
    takeout = tmp_path / "Takeout"
    takeout.mkdir()
    (takeout / "All mail.mbox").write_bytes(mailbox(2))
    (takeout / "Drafts.mbox").write_bytes(b"")
    (takeout / "Old.mbx").write_bytes(b"\n\n")  # only white space: no message either
    (takeout / "Trash").write_bytes(b"")
    (takeout / "Trash.msf").write_bytes(b"// <!-- <mdb:mork:z v=\"1.4\"/> -->\n")
    (takeout / "empty.eml").write_bytes(b"")  # a message file that is empty is damage: an error row
    result = run("scan", str(takeout), "--offline", "--jobs", "1", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(Path(r["input"]["source"]).name, r.get("error")) for r in rows] == [
        ("All mail.mbox#1", None), ("All mail.mbox#2", None), ("empty.eml", "empty")]
    [said] = [line for line in result.stderr.splitlines() if "empty mailbox" in line]
    assert said.startswith("headerscope: 3 empty mailbox(es), holding no message (")
    assert all(name in said for name in ("Drafts.mbox", "Old.mbx", "Trash)"))
    assert "Trash," not in result.stderr.split("do not look like mail")[0]  # not passed over as not mail
    terminal = run("scan", str(takeout), "--offline", "--jobs", "2")
    assert terminal.stdout.splitlines()[0] == "2 message(s), 1 unreadable."
    # Named alone: no message found (status 1, as before), said, and no error row.
    alone = run("scan", str(takeout / "Drafts.mbox"), "--offline", "--format", "jsonl")
    assert alone.returncode == 1 and alone.stdout == ""
    assert "1 empty mailbox(es), holding no message" in alone.stderr and "no messages found in" in alone.stderr


# D3-2 ------------------------------------------------------------------------------------------


def test_analyze_of_a_mailbox_over_the_size_limit_reports_its_first_message(tmp_path: Path) -> None:
    # A Takeout mbox of 301 MB was refused ("larger than the limit of 256 MiB"): the limit is a
    # message's. The file is sparse: its tail past two messages is a hole of NUL bytes.
    from headerscope.sources.interface import DEFAULT_MAX_SIZE

    path = tmp_path / "All mail Including Spam and Trash.mbox"
    with path.open("wb") as handle:
        handle.write(mailbox(2))
        handle.truncate(DEFAULT_MAX_SIZE + (8 << 20))
    result = run("analyze", str(path), "--offline", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["input"]["sha256"] == hashlib.sha256(numbered(1)).hexdigest()
    assert [h["value"] for h in report["headers"] if h["name"] == "Subject"] == ["message 1"]
    [note] = [f for f in report["findings"] if f["id"] == "input.mailbox"]
    assert f"a file of {DEFAULT_MAX_SIZE + (8 << 20)} bytes read only as far as its first" in note["explanation"]
    # Its second message runs on into the hole, past what is read to count: it starts there all
    # the same (verification V54a D-2: it was not counted).
    assert "in which 1 more message(s) start: at least 2 in all (`headerscope scan` reads them all)" \
        in note["explanation"]


class _CountingFile(io.FileIO):
    """A file that adds up the bytes read from it."""

    read_so_far: ClassVar[dict[str, int]] = {}

    def readinto(self, buffer: Any) -> int | None:
        count = super().readinto(buffer)
        _CountingFile.read_so_far[str(self.name)] = _CountingFile.read_so_far.get(str(self.name), 0) + (count or 0)
        return count

    def read(self, size: int | None = -1) -> bytes | None:
        data = super().read(size)
        _CountingFile.read_so_far[str(self.name)] = _CountingFile.read_so_far.get(str(self.name), 0) + len(data or b"")
        return data


def _analyze_counting(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], int]:
    """analyze in this process, every open of ``path`` counting the bytes read from it."""
    from click.testing import CliRunner

    from headerscope import cli

    real_open = builtins.open

    def counting_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if str(file) == str(path) and mode == "rb":
            raw = _CountingFile(str(file), "r")
            return raw if kwargs.get("buffering", args[0] if args else -1) == 0 else io.BufferedReader(raw)
        return real_open(file, mode, *args, **kwargs)

    _CountingFile.read_so_far = {}
    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(io, "open", counting_open)  # Path.open's
    result = CliRunner().invoke(cli.cli, ["analyze", str(path), "--offline", "--format", "json"])
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), _CountingFile.read_so_far.get(str(path), 0)


def test_analyze_reads_a_mailbox_no_further_than_its_first_message_when_told(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # With nothing to be counted after it, the reads stop within a chunk (1 MiB) and a separator
    # line past the first message's end, however large the mailbox (here 12 MB).
    from headerscope import cli

    path = tmp_path / "big.mbox"
    path.write_bytes(mailbox(40_000))
    size = path.stat().st_size
    assert size > 12_000_000
    monkeypatch.setattr(cli, "_COUNT_AFTER_FIRST", 0, raising=False)
    report, read = _analyze_counting(path, monkeypatch)
    assert read <= len(SEPARATOR + numbered(1)) + (1 << 20) + 8192 + 1100, read
    assert report["input"]["sha256"] == hashlib.sha256(numbered(1)).hexdigest()
    [note] = [f for f in report["findings"] if f["id"] == "input.mailbox"]
    assert f"a file of {size} bytes read only as far as its first" in note["explanation"]


def test_analyze_of_a_small_mailbox_still_counts_its_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    # Under _COUNT_AFTER_FIRST past its first message, a mailbox is counted whole, in the words as before.
    path = tmp_path / "inbox.mbox"
    path.write_bytes(mailbox(3000))
    report, read = _analyze_counting(path, monkeypatch)
    assert read == path.stat().st_size  # read through once (its start looked at is read again from the buffer)
    [note] = [f for f in report["findings"] if f["id"] == "input.mailbox"]
    assert "this report is of the first of the 3000 messages of an mbox mailbox (RFC 4155) (the one" in note["explanation"]
    assert "without the mailbox's separator or delimiter lines" in note["explanation"]  # which bytes are hashed


def test_analyze_of_a_mailbox_whose_first_message_is_over_the_limit_says_so(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # One line, not a read through the rest of the file (here the limit is made 1 MiB).
    from click.testing import CliRunner

    from headerscope import cli

    path = tmp_path / "big.mbox"
    path.write_bytes(SEPARATOR + numbered(1).replace(b"Hi Bob", b"x" * 3_000_000) + b"\r\n" + mailbox(1))
    monkeypatch.setattr(cli, "_SPLIT_SLACK", 1 << 20, raising=False)
    monkeypatch.setattr("headerscope.sources.interface.DEFAULT_MAX_SIZE", 1 << 20)

    result = CliRunner().invoke(cli.cli, ["analyze", str(path), "--offline"])
    assert result.exit_code == 1
    assert "its first message is larger than the limit of 1 MiB" in result.output


# D3-3 ------------------------------------------------------------------------------------------


def test_an_mbox_of_one_message_is_hashed_as_scan_hashes_it(tmp_path: Path) -> None:
    # analyze hashed the file, separator line included, scan the entry: an analyst could not match
    # a scan row's SHA-256 to an analyze of the same saved entry.
    path = tmp_path / "entry1.mbox"
    path.write_bytes(SEPARATOR + SIMPLE)
    analyzed = json.loads(run("analyze", str(path), "--offline", "--format", "json").stdout)
    scanned = json.loads(run("scan", str(path), "--offline", "--format", "jsonl").stdout.splitlines()[0])
    assert analyzed["input"]["sha256"] == scanned["input"]["sha256"] == hashlib.sha256(SIMPLE).hexdigest()
    assert analyzed["input"]["size"] == scanned["input"]["size"] == len(SIMPLE)
    # Read as before otherwise (its "From " line taken off, the sender on it kept as a claim), and
    # the clean-up says which bytes were hashed.
    assert analyzed["input"]["format"] == "mbox-entry"
    assert analyzed["input"]["cleanups"] == [
        "removed the mbox 'From ' separator line (RFC 4155); the size and SHA-256 are of the message after it, "
        "as `headerscope scan` gives them"]
    assert not [f for f in analyzed["findings"] if f["id"] == "input.mailbox"]
    # Standard input alike.
    piped = json.loads(run("analyze", "-", "--offline", "--format", "json", stdin=SEPARATOR + SIMPLE).stdout)
    assert piped["input"]["sha256"] == hashlib.sha256(SIMPLE).hexdigest()
    # A message without a separator line is hashed whole, as ever.
    plain = tmp_path / "plain.eml"
    plain.write_bytes(SIMPLE)
    report = json.loads(run("analyze", str(plain), "--offline", "--format", "json").stdout)
    assert report["input"]["sha256"] == hashlib.sha256(SIMPLE).hexdigest() and report["input"]["cleanups"] == []
