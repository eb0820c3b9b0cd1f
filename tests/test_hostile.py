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
from timing import assert_within

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


# Shapes of the audit's findings (tests/hostile review, 2026-11): charsets that are Python
# codecs but no character set, encoded-words that spell a line break or a lone surrogate.
CHARSET_TRICKS = {
    "rot13": b"=?rot13?Q?uryyb?=", "hex": b"=?hex?Q?6869?=", "zlib": b"=?zlib?B?eJzLSM3JyQcABiwCFQ==?=",
    "base64": b"=?base64?Q?aGk=?=", "punycode": b"=?punycode?Q?=FF=FF?=", "idna": b"=?idna?Q?xn--a-?=",
    "unicode_escape": b"=?unicode_escape?Q?=5Cudc9b31mUE?=", "utf7": b"=?utf-7?Q?x+3Js-31m?=",
    "undefined": b"=?undefined?Q?x?=",
}


@pytest.mark.parametrize("name", sorted(CHARSET_TRICKS))
def test_an_encoded_word_in_a_codec_that_is_no_charset_is_a_defect_not_a_crash(name: str) -> None:
    import headerscope
    from headerscope.message import parse_message

    raw = b"From: a@example.org\r\nSubject: " + CHARSET_TRICKS[name] + b"\r\n\r\nx\r\n"
    [_, subject] = parse_message(raw).headers
    assert subject.defects, name
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in subject.decoded), name
    # Also inside an attached message, whose subject the report lists.
    outer = (b"From: b@example.org\r\nSubject: fwd\r\nContent-Type: message/rfc822\r\n\r\n" + raw)
    assert headerscope.analyze(outer, offline=True).attached


def test_message_text_cannot_forge_a_line_of_the_terminal_report(tmp_path: Path) -> None:
    # "=0A" in an encoded-word would start a line of its own with a made-up verdict; hidden
    # characters (bidi marks, line separators, lone surrogates) never reach the terminal.
    import headerscope
    from headerscope.render import get_renderer

    forged = (b"From: PayPal <service@paypa1-secure.example>\r\nTo: v@corp.example\r\nSubject: =?utf-8?Q?Invoice=0A=0A"
              b"AUTHENTICATED__Authenticated_as_paypal.com=0D=0A?=\r\nX-Note: \xd8\x9c\xe2\x80\xa8\xe2\x81\xa0\xef\xbb\xbf\r\n"
              b"\r\nx\r\n")
    report = headerscope.analyze(forged, offline=True)
    assert report.subject is not None and "\n" not in report.subject and "\r" not in report.subject
    text = get_renderer("terminal", color=False, width=200).render(report)
    assert not any(line.startswith("AUTHENTICATED") for line in text.splitlines())
    assert not set(text) & {"\u061c", "\u2028", "\u2060", "\ufeff"}
    # A file name that is not UTF-8 gives lone surrogates: written out they are raw 8-bit
    # control bytes (0x9B is CSI). JSON to a file stays UTF-8 and the terminal drops them.
    name = os.fsdecode(b"evil\x9b2J\x9b31m.eml")
    path = tmp_path / name
    path.write_bytes(b"From: a@example.org\r\nSubject: hi\r\n\r\nx\r\n")
    for output_format in ("json", "terminal", "html"):
        result, _ = run_cli(path, "--format", output_format, "-o", str(tmp_path / "out"))
        assert result.returncode == 0, result.stderr
        written = (tmp_path / "out").read_bytes()
        assert b"\x9b" not in written.replace("\u009b".encode(), b"")  # no raw C1 byte
        written.decode("utf-8")


def test_a_scan_names_passed_over_files_without_their_escape_sequences(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.eml").write_bytes(b"From: a@example.org\r\nSubject: hi\r\n\r\nx\r\n")
    (folder / "n\x1b]0;PWNED\x07\x1b[2J.txt").write_bytes(b"just a note, not mail")
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-m", "headerscope", "scan", str(folder), "--offline", "--format", "csv"],
                            capture_output=True, env=env, cwd=REPO, timeout=120)
    assert result.returncode == 0 and b"passed over 1 file(s)" in result.stderr
    assert b"\x1b" not in result.stderr and b"\x07" not in result.stderr


def test_hostile_dns_snapshots_end_in_one_line_or_valid_json(tmp_path: Path) -> None:
    message = tmp_path / "m.eml"
    message.write_bytes(b"From: a@evil.example\r\nSubject: hi\r\n\r\nx\r\n")
    big = tmp_path / "big.json"
    big.write_text('{"evil.example": {"A": [' + "1" * 5001 + "]}}")
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-m", "headerscope", "analyze", str(message), "--dns-snapshot", str(big)],
                            capture_output=True, env=env, cwd=REPO, timeout=120)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    lone = tmp_path / "lone.json"
    lone.write_text('{"_dmarc.evil.example": {"TXT": [["v=DMARC1; p=none \\udc80"]]}}')
    result = subprocess.run([sys.executable, "-m", "headerscope", "analyze", str(message), "--dns-snapshot", str(lone),
                             "--format", "json"], capture_output=True, env=env, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    import json

    assert "\ufffd" in json.dumps(json.loads(result.stdout.decode("utf-8"))["dmarc"], ensure_ascii=False)


def test_runs_of_blank_lines_or_quote_marks_cost_memory_in_proportion() -> None:
    # Python's re keeps state per repetition of a group: "(?:[ \t]*(?:\r\n|\n|\r))*" over 20 MB
    # of empty lines took 3.4 GB. Possessive quantifiers keep none.
    import tracemalloc

    from headerscope.loader import load_bytes

    for data in (b"From: a@example.org\r\nSubject: hi\r\n\r\n" + b"\n" * 2_000_000,
                 b"\n" * 2_000_000 + b"From: a@example.org\r\n\r\nx\r\n",
                 b"> " * 1_000_000 + b"\nFrom: a@example.org\r\n\r\nx\r\n"):
        tracemalloc.start()
        load_bytes(data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 40 * len(data), peak


def test_thousands_of_result_fields_are_capped_with_a_notice() -> None:
    import headerscope

    raw = b"".join(b"Authentication-Results: mx%d.corp.example; dkim=pass header.d=corp.example\r\n" % i
                   for i in range(1000)) + b"From: a@corp.example\r\nSubject: hi\r\n\r\nx\r\n"
    started = time.perf_counter()
    report = headerscope.analyze(raw, offline=True)
    assert_within(started, LIMIT_SECONDS)
    assert len({r.header_index for r in report.recorded}) == 200
    [notice] = [f for f in report.findings if f.id == "recorded.too_many"]
    assert notice.title == "1000 authentication result fields: the first 200 read"


def test_fuzzed_inputs_end_in_a_report_or_one_line(tmp_path: Path) -> None:
    # Found by fuzzing this session's new paths: a NUL in a charset name (codecs.lookup raises
    # ValueError), and a broken snapshot given to scan (exit 70, or a traceback per worker).
    import headerscope

    padding = b"X-Pad: " + b"a" * 5000 + b"\n"
    for raw in (b"From: a@example.com\n" + padding + b"Subject: caf\xe9\nContent-Type: text/plain; charset=\"latin-1\x00\"\n\nhi\n",
                b"From: a@example.com\n" + padding + b"Subject: =?latin-1\x00?Q?caf=E9?=\n\nhi\n"):
        report = headerscope.analyze(raw, offline=True)
        assert report.subject is not None
    broken = tmp_path / "broken.dns.json"
    broken.write_text('{"a": [1,')
    env = {**os.environ, "NO_COLOR": "1"}
    for jobs in ("1", "2"):
        result = subprocess.run([sys.executable, "-m", "headerscope", "scan", str(REPO / "samples" / "direct.eml"),
                                 "--dns-snapshot", str(broken), "--jobs", jobs], capture_output=True, env=env,
                                cwd=REPO, timeout=120)
        assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert b"Traceback" not in result.stderr and b"is not JSON" in result.stderr


def test_a_received_field_of_many_tiny_tokens_is_cut_before_it_costs() -> None:
    # 32 KB of "(" or "from x" took 0.1 to 0.27 s each (a 9.6 MB message of them: 70 s).
    from headerscope.received import MAX_PARSED_CHARS, parse_received

    for value in ("(" * 65536, ("from x " * 10000)[:65536], "[" * 65536):
        fields = parse_received(value)
        assert fields.problems[0] == f"header is 65536 characters long; only the first {MAX_PARSED_CHARS} read"
    assert MAX_PARSED_CHARS <= 8192
    many = parse_received(" ".join(["by x"] * 200) + "; Mon, 2 Nov 2026 10:00:00 +0000")
    assert many.problems[0] == "201 clauses: only the first 64 read"


def test_json_output_escapes_what_a_terminal_would_obey() -> None:
    # U+009B is a CSI that terminals obey and U+202E turns text around: JSON printed to a
    # terminal writes them as \u escapes, the same text to a JSON reader.
    import json

    import headerscope

    raw = b"From: a@example.org\r\nSubject: =?utf-8?q?a=C2=9B2J=1B[31mX=E2=80=AE?=\r\n\r\nx\r\n"
    data = headerscope.analyze(raw, offline=True).to_json()
    assert b"\xc2\x9b" not in data and b"\xe2\x80\xae" not in data and b"\\u009b" in data
    assert json.loads(data)["subject"] == "a\x9b2J\x1b[31mX\u202e"


def test_a_mailbox_of_many_times_splits_in_time_proportional_to_its_size(tmp_path: Path) -> None:
    # "From " lines after empty lines, each full of "1:11 ": the date search retried a run to
    # the end of its window from every time (about 1000 times slower than a normal mailbox).
    from headerscope.scan.readers import iter_mbox

    hostile = tmp_path / "times.mbox"
    hostile.write_bytes(b"From a Mon Nov  2 10:00:00 2026\nSubject: x\n\n" + (b"\nFrom " + b"1:11 " * 199 + b"\n") * 4000)
    normal = tmp_path / "normal.mbox"
    normal.write_bytes(b"From a Mon Nov  2 10:00:00 2026\nSubject: x\n\n" + (b"\nplain " + b"text " * 199 + b"\n") * 4000)
    timings = []
    for path in (normal, hostile):
        started = time.perf_counter()
        list(iter_mbox(path))
        timings.append(time.perf_counter() - started)
    assert timings[1] < max(timings[0], 0.01) * 150, timings


def test_stale_content_lengths_read_ahead_in_time_proportional_to_the_mailbox(tmp_path: Path) -> None:
    # Every message claims a body far longer than it has, and has a "From " line inside that
    # claim: each is judged by bytes read ahead once, not by feeding the mailbox again.
    from headerscope.scan.readers import iter_mbox

    entry = (b"From a Mon Nov  2 10:00:00 2026\nSubject: x\n%s: 9000000\n\nbody\n\n"
             b"From b Mon Nov  2 10:00:00 2026\nSubject: y\n\n" + b"text " * 60 + b"\n\n")
    timings = []
    for field in (b"X-Length", b"Content-Length"):
        path = tmp_path / "box.mbox"
        path.write_bytes((entry % field) * 8000)
        started = time.perf_counter()
        assert len(list(iter_mbox(path, lazy=True))) == 16000
        timings.append(time.perf_counter() - started)
    assert timings[1] < max(timings[0], 0.01) * 10, timings
