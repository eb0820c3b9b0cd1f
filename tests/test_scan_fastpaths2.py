"""Fast paths of `headerscope scan` checked against their plain versions: the mbox splitter
(views of the bytes read, offsets instead of copies) against a line-by-line reading, and a
one-job scan that leaves the process-pool modules unimported."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from headerscope.scan import readers
from headerscope.scan.readers import iter_mbox, read_input

_SEPARATOR = re.compile(rb"^From \S+ +[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]?\d \d\d:\d\d")
# Thunderbird's other forms, a separator without a blank line before it when a field follows.
_OTHER = re.compile(rb"^From \S{1,500} +(?:\S{1,500} +)?[A-Z][a-z]{2},? +[A-Z][a-z]{2} +\d?\d +(?:\d{4} +\d\d:\d\d:\d\d|\d\d:\d\d:\d\d +\d{4})")
_QUOTED = re.compile(rb">+From ")
_DATED = re.compile(rb"\b\d\d?:\d\d(?::\d\d)?\b.{0,40}?\b(?:19|20)\d\d\b|\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr"
                    rb"|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b.{0,40}?\b\d\d?:\d\d\b")
_FIELD = re.compile(rb"[\x21-\x39\x3b-\x7e]{1,200}[ \t]*:")


def _plain_split(path: Path, max_message: int) -> list[tuple[str, bytes | None, str | None, bool]]:
    """The mbox rules of readers, one line at a time (RFC 4155 separators, the bytes as stored
    and whether a line is quoted the mboxrd way, the blank line before a separator dropped,
    over-long messages as errors)."""
    out: list[tuple[str, bytes | None, str | None, bool]] = []
    number, started, too_big, size = 0, False, False, 0
    lines: list[bytes] = []

    def finish() -> None:
        label = f"{path}#{number}"
        if too_big:
            out.append((label, None, f"message over the {max_message}-byte limit", False))
            return
        data = b"".join(lines)
        if lines and lines[-1] in (b"\n", b"\r\n"):
            data = data[: len(data) - len(lines[-1])]
        if len(data) > max_message:
            # The limit is the message's, the blank line before the next separator not counted.
            out.append((label, None, f"message over the {max_message}-byte limit", False))
            return
        out.append((label, data, None, any(_QUOTED.match(line) for line in lines)))

    all_lines = re.findall(rb"[^\n]*\n|[^\n]+$", path.read_bytes())
    for index, line in enumerate(all_lines):
        after = all_lines[index + 1] if index + 1 < len(all_lines) else b""
        # After an empty line: a dated "From sender date" line, or one a header field follows.
        separator = line.startswith(b"From ") and (
            not started or too_big or not lines
            or (lines[-1] in (b"\n", b"\r\n") and (_DATED.search(line[5:320]) is not None
                                                    or _FIELD.match(after) is not None))
            or _SEPARATOR.match(line.rstrip(b"\n")) is not None
            or (_OTHER.match(line.rstrip(b"\n")) is not None and _FIELD.match(after) is not None))
        if separator:
            if started:
                finish()
            number, started, too_big, size, lines = number + 1, True, False, 0, []
            continue
        if not started or too_big:
            continue
        size += len(line)
        if size > max_message + 2:  # (room for that blank line, CR LF at most)
            too_big, lines = True, []
        else:
            lines.append(line)
    if started:
        finish()
    return out


_LINES = (b"From a@b Mon Nov  2 10:00:00 2026\n", b"From b Tue Dec 12 1:00:00 2026\r\n", b"From x\n",
          b"From \n", b">From y\n", b">>From z\r\n", b"\n", b"\r\n", b"\r", b"text\n", b"Subject: hi\r\n",
          b"x" * 70 + b"\n", b"From", b">From", b"a >From b\n", b"x>>From y\n", b"text From z\n", b"From From \n",
          b"From my side: what?\n", b"From a at b.org  Sat Nov 14 21:29:28 2015\n", b"Received: x\n",
          b">From From \n", b">>x>From y\n", b"From a>From b\n", b">From a>>From b\n",
          b"From jwz  Fri, Jul 01 09:13:09 1994\n", b"From - a@b  Mon Oct 16 2023 16:18:56 GMT-0700\r\n",
          b"From here on, Fri, Jul 01 09:13:09 1994\n", b"From Alice Mon, Oct 16 09:12\n")


@pytest.mark.parametrize("seed", range(4))
def test_mbox_splitter_matches_a_line_by_line_reading_at_any_chunk_size(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    rng = random.Random(seed)
    path = tmp_path / "box.mbox"
    for _ in range(300):
        data = b"".join(rng.choice(_LINES) for _ in range(rng.randint(0, 40)))
        if rng.random() < 0.2:
            data += b"y" * rng.randint(1, 100)  # no line end at EOF
        path.write_bytes(data)
        max_message = rng.choice([10, 60, 300, 1 << 20])
        expected = _plain_split(path, max_message)
        for chunk in (1, 2, 5, 16, 1 << 20):
            monkeypatch.setattr(readers, "_READ_CHUNK", chunk)
            got = [(i.label, i.data, i.error, i.quoted) for i in iter_mbox(path, max_message)]
            assert got == expected, (data, chunk, max_message)
            assert all(i.data is None or type(i.data) is bytes for i in iter_mbox(path, max_message))
            # A parallel scan's parent finds only where each message lies; the worker reads it.
            found = list(iter_mbox(path, max_message, lazy=True))
            assert all(i.data is None for i in found)
            read = [read_input(i, max_message) for i in found]
            assert [(i.label, i.data, i.error, i.quoted) for i in read] == expected, (data, chunk, max_message)


def test_a_line_longer_than_any_message_is_dropped_whatever_the_chunks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "box.mbox"
    # "From b" and "From c" carry no date: a header field after each makes it a separator, and
    # for "From b" that field is the long line itself.
    path.write_bytes(b"From a\nshort\n\nFrom b\nX-Long: " + b"z" * 50 + b"\nend\n\nFrom c\nSubject: last\n")
    monkeypatch.setattr(readers, "_LONGEST_SEPARATOR", 8)
    results = []
    for chunk in (3, 7, 1 << 20):
        monkeypatch.setattr(readers, "_READ_CHUNK", chunk)
        results.append([(i.label, i.data, i.error) for i in iter_mbox(path, 20)])
        results.append([(i.label, i.data, i.error) for i in map(read_input, iter_mbox(path, 20, lazy=True))])
    # Read in small chunks, the long line is never held whole: the message is over the limit,
    # as it is when read at once; the messages around it are untouched.
    label = f"{path}#"
    expected = [(label + "1", b"short\n", None), (label + "2", None, "message over the 20-byte limit"),
                (label + "3", b"Subject: last\n", None)]
    assert results == [expected] * 6


def test_scan_with_one_job_imports_no_process_pool() -> None:
    code = ("import sys\n"
            "from headerscope.scan.runner import ScanOptions, run_scan\n"
            "from headerscope.scan.readers import ScanInput\n"
            "rows = list(run_scan([ScanInput(label='x', data=b'From: a@example.org\\r\\n\\r\\nhi\\r\\n'),\n"
            "                      ScanInput(label='y', data=None, error='unreadable here')],\n"
            "                     ScanOptions(offline=True), jobs=1))\n"
            "print([(r.index, r.label, r.error) for r in rows])\n"
            "print(sorted(m for m in ('multiprocessing', 'concurrent.futures') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    rows, modules = out.stdout.strip().splitlines()
    assert rows == "[(1, 'x', None), (2, 'y', 'unreadable here')]"
    assert modules == "[]"


class _Trickle:
    """An unbuffered file whose reads return at most a few bytes, as a read may."""

    def __init__(self, data: bytes) -> None:
        self.data, self.position = data, 0

    def seek(self, position: int) -> int:
        self.position = position
        return position

    def read(self, size: int) -> bytes:
        piece = self.data[self.position:self.position + min(size, 3)]
        self.position += len(piece)
        return piece


def test_a_span_is_read_whole_even_when_each_read_returns_a_few_bytes() -> None:
    data = bytes(range(256)) * 4
    assert readers._read_span(_Trickle(data), 10, 1000) == data[10:1000]
    assert readers._read_span(_Trickle(data), 1000, 2000) == data[1000:]  # the file ends first


def test_a_mailbox_cut_shorter_after_its_messages_were_found_gives_error_rows(tmp_path: Path) -> None:
    path = tmp_path / "box.mbox"
    path.write_bytes(b"From a\nSubject: one\n\nbody one\n\nFrom b\nSubject: two\n\nbody two\n")
    found = list(iter_mbox(path, lazy=True))
    path.write_bytes(path.read_bytes()[:30])  # compacted, or cut by a full disk
    read = [read_input(item) for item in found]
    assert read[0].data == b"Subject: one\n\nbody one\n"
    assert (read[1].data, read[1].error) == (None, "the mailbox changed while it was being read")


def test_a_file_that_grew_after_its_size_was_taken_is_read_on_up_to_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    path = tmp_path / "m.eml"
    path.write_bytes(b"Subject: x\n\n" + b"y" * 100)
    real_fstat = os.fstat

    class _Shrunk:
        def __init__(self, fd: int) -> None:
            self.st_size = real_fstat(fd).st_size - 60  # as if 60 bytes came after the fstat

    monkeypatch.setattr(readers.os, "fstat", _Shrunk)
    found = readers.ScanInput(label=str(path), data=None, path=str(path))
    assert read_input(found).data == path.read_bytes()
    over = read_input(found, max_message=80)
    assert (over.data, over.error) == (None, "message over the 80-byte limit")


_LONG_LINES = (b"From a@b Mon Nov  2 10:00:00 2026 " + b"x" * 400 + b"\n", b"From a " + b"y" * 400 + b"\n",
               b"z" * 450 + b"\n", b"Subject: " + b"w" * 400 + b"\n", b"From b Tue Dec  1 09:00:00 2026\n",
               b"\n", b"text\n", b"Subject: hi\n", b"From c\n")


@pytest.mark.parametrize("seed", range(3))
def test_lines_longer_than_any_message_split_alike_at_any_read_size(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    # A "From " line longer than a message may be is judged by its start when it arrives in
    # pieces (a decompressor's small reads), as it is when read whole: the same messages, and
    # none lost.
    rng = random.Random(seed)
    path = tmp_path / "box.mbox"
    monkeypatch.setattr(readers, "_LONGEST_SEPARATOR", 200)
    for _ in range(150):
        data = b"".join(rng.choice(_LONG_LINES) for _ in range(rng.randint(1, 25)))
        path.write_bytes(data)
        results = []
        for chunk in (1 << 20, 333, 64, 7):
            monkeypatch.setattr(readers, "_READ_CHUNK", chunk)
            results.append([(i.label, i.data, i.error) for i in iter_mbox(path, 150)])
            results.append([(i.label, i.data, i.error) for i in map(lambda i: read_input(i, 150),
                                                                    iter_mbox(path, 150, lazy=True))])
        assert all(r == results[0] for r in results), data
