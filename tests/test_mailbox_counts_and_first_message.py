"""Verification V52d: scan counts messages and unreadable inputs apart, an empty mailbox is a mailbox
with no message (D3-1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
