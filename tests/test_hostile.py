"""Hostile input: each ends in a report or a one-line error, never a traceback, in bounded time.

The time bounds are generous on purpose (catastrophic backtracking takes minutes, not
seconds); they guard against blow-ups, they are not performance targets.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

LIMIT_SECONDS = 20.0


def run_cli(path: Path, *extra: str) -> tuple[subprocess.CompletedProcess[bytes], float]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("HEADERSCOPE_DEBUG", None)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "headerscope", "analyze", str(path), "--offline", *extra],
                            capture_output=True, env=env, cwd=REPO, timeout=120)
    return result, time.monotonic() - started


def _received_lines(count: int) -> bytes:
    lines = [
        f"Received: from h{i}.example.org (h{i}.example.org [192.0.2.{i % 250 + 1}]) by h{i + 1}.example.org "
        f"(Postfix) with ESMTP id Q{i}; Mon, 2 Nov 2026 10:{i % 60:02d}:00 +0000\r\n".encode()
        for i in range(count, 0, -1)
    ]
    return b"".join(lines) + b"From: a@example.org\r\nSubject: many hops\r\n\r\nbody\r\n"


HOSTILE: dict[str, bytes] = {
    "empty": b"",
    "random": random.Random(1234).randbytes(200_000),
    "nul_bytes": b"From: a@example.org\x00\x00\r\nSubject: \x00\r\n\r\n\x00",
    "huge_header_line": b"Subject: " + b"A" * 10_000_000 + b"\r\nFrom: a@example.org\r\n\r\nbody\r\n",
    "huge_received_line": b"Received: from " + b"(x " * 2_000_000 + b"\r\n\r\nbody\r\n",
    "many_received": _received_lines(100_000),
    "nested_comments": (b"Received: from a " + b"(" * 50_000 + b"x" + b")" * 50_000
                        + b" by b; Mon, 2 Nov 2026 10:00:00 +0000\r\nFrom: " + b"(" * 50_000 + b"a@example.org\r\n\r\nx\r\n"),
    "unbalanced_comments": b"Received: from a (((((( by b with ESMTP id ((((; Mon, 2 Nov 2026\r\n\r\nx\r\n",
    "many_dkim_signatures": b"".join(
        b"DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s%d; h=from; bh=AAAA; b=AAAA\r\n" % i for i in range(2000)
    ) + b"From: a@example.org\r\n\r\nx\r\n",
    "binary_headers": b"Subject: \xff\xfe\xfa\r\nFrom: \xc3\x28@\xa0\xa1\r\n\r\n\xff",
    "ansi_and_markup": b"Subject: \x1b[2J\x1b]0;pwned\x07[bold red]x[/] <script>alert(1)</script>\r\n"
                       b"From: \"[link=http://evil]\" <a@example.org>\r\n\r\nx\r\n",
    "encoded_word_bomb": b"Subject: " + b"=?utf-8?b?" + b"QUFB" * 500_000 + b"?=\r\n\r\nx\r\n",
    # Dates that have no UTC equivalent (datetime's range ends at years 1 and 9999).
    "dates_past_the_calendar": b"".join(
        b"Received: from a.example (a.example [192.0.2.1]) by b.example with ESMTP id %d; %s\r\n" % (i, date)
        for i, date in enumerate((b"Fri, 31 Dec 9999 23:30:00 -0100", b"Mon, 1 Jan 0001 00:00:00 +1400"))
    ) + b"Date: Mon, 1 Jan 0001 00:00:00 +0100\r\nFrom: x@example.com\r\n"
        b"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from; bh=AAAA; b=AAAA; t=1\r\n\r\nx\r\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("output_format", ["terminal", "json"])
def test_hostile_input_ends_cleanly(tmp_path: Path, name: str, output_format: str) -> None:
    path = tmp_path / f"{name}.eml"
    path.write_bytes(HOSTILE[name])
    result, elapsed = run_cli(path, "--format", output_format, "-o", str(tmp_path / "out"))
    assert b"Traceback" not in result.stderr, result.stderr[-2000:]
    assert elapsed < LIMIT_SECONDS, f"{name} took {elapsed:.1f}s"
    if result.returncode == 0:
        assert (tmp_path / "out").stat().st_size > 0
    else:
        assert result.returncode == 1
        assert len(result.stderr.strip().splitlines()) == 1


def test_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "secret.eml"
    path.write_bytes(b"From: a@example.org\r\n\r\nx")
    path.chmod(0)
    result, _ = run_cli(path)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1


def test_api_never_raises_on_hostile_bytes() -> None:
    import headerscope

    for name, data in HOSTILE.items():
        if len(data) > 1_000_000:
            continue
        report = headerscope.analyze(data, offline=True)
        assert report.input.size == len(data), name
