"""`headerscope scan`: mailbox formats, error rows, order with several jobs, CSV/JSONL, filters."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, REPO, SAMPLES

from headerscope.scan.readers import iter_inputs, iter_mbox, read_input
from headerscope.scan.runner import ScanOptions, run_scan


def message(n: int, body: bytes = b"Hello\r\n", from_domain: str = "example.org") -> bytes:
    return (
        f"Received: from out{n}.{from_domain} (out{n}.{from_domain} [192.0.2.{n % 250 + 1}]) by mx.example.net "
        f"(Postfix) with ESMTPS id Q{n}; Mon, 2 Nov 2026 10:00:{n % 60:02d} +0000\r\n"
        f"From: Sender {n} <s{n}@{from_domain}>\r\nTo: bob@example.net\r\nSubject: message {n}\r\n"
        f"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{n}@{from_domain}>\r\n\r\n"
    ).encode() + body


def mbox_of(messages: list[bytes]) -> bytes:
    out = []
    for i, msg in enumerate(messages):
        out.append(f"From sender{i}@example.org Mon Nov  2 10:00:00 2026\n".encode())
        out.append(msg.replace(b"\r\n", b"\n"))
        out.append(b"\n")
    return b"".join(out)


def test_mbox_split_keeps_from_quoting_as_stored(tmp_path: Path) -> None:
    # How an mbox writer stored a body: mboxo and mboxrd both quote "From " as ">From "; mboxrd
    # also quotes ">From " as ">>From " (and so on). Which of the two wrote a file cannot be known
    # (RFC 4155 section 2), so the entry keeps its bytes and says it has such lines: DKIM and ARC
    # read its body both ways (test_mbox_quoting).
    stored = b"line\r\n>From the start of a line\r\n>>From already quoted by a person\r\n"
    mbox = tmp_path / "box.mbox"
    mbox.write_bytes(mbox_of([message(1), message(2, body=stored), message(3)]))
    for lazy in (False, True):
        items = [read_input(item) for item in iter_mbox(mbox, lazy=lazy)]
        assert [i.label for i in items] == [f"{mbox}#1", f"{mbox}#2", f"{mbox}#3"]
        assert items[1].data is not None
        assert items[1].data.endswith(stored.replace(b"\r\n", b"\n"))
        assert [i.quoted for i in items] == [False, True, False]
        assert b"Subject: message 3" in (items[2].data or b"")
        assert not (items[0].data or b"").endswith(b"\n\n")  # the separator's blank line is not message content


@pytest.mark.parametrize("lazy", [False, True])
def test_an_unquoted_body_line_starting_with_from_is_no_separator(tmp_path: Path, lazy: bool) -> None:
    # A body line "From ..." after an empty line that a writer left unquoted (mboxcl2 quotes
    # nothing; careless writers forget): no date of a "From sender date" line and no header
    # field after it, so it stays in its message (RFC 4155 section 2; mutt's is_from()).
    body = (b"This is cool.\n\nFrom my side: which rights do you need?\n\n"
            b"From the 2.3M + 17M MO files in Ubuntu 7.10, a typical GNOME session\n> loads up a subset\n")
    mbox = tmp_path / "careless.mbox"
    separators = [b"From a at example.org  Sat Nov 14 21:29:28 2015\n",  # pipermail
                  b"From - Mon Jan  1 00:00:00 2001\n",  # Thunderbird
                  b"From MAILER-DAEMON\n"]  # no date, but a header follows
    mbox.write_bytes(separators[0] + message(1, body=body).replace(b"\r\n", b"\n") + b"\n"
                     + separators[1] + message(2).replace(b"\r\n", b"\n") + b"\n"
                     + separators[2] + message(3).replace(b"\r\n", b"\n"))
    items = [read_input(item) for item in iter_mbox(mbox, lazy=lazy)]
    assert len(items) == 3
    assert (items[0].data or b"").endswith(body)
    assert [b"Subject: message %d" % n in (item.data or b"") for n, item in enumerate(items, 1)] == [True] * 3


@pytest.mark.parametrize("lazy", [False, True])
def test_thunderbirds_other_separator_dates_split_without_a_blank_line(tmp_path: Path, lazy: bool) -> None:
    # Thunderbird's parser takes these forms (nsParseMailbox.cpp, cpython issue #93376); with no
    # blank line before them only the asctime form split, and the others merged messages (V38c).
    # Followed by a header field they separate; a body line of the same start does not.
    from headerscope.scan.readers import iter_stream

    separators = [b"From jwz  Fri Jul  1 09:13:09 1994\n", b"From jwz  Fri, Jul 01 09:13:09 1994\n",
                  b"From jwz  Fri Jul  1 09:13:09 1994 PST\n", b"From jwz  Fri Jul  1 09:13:09 1994 (+0700)\n",
                  b"From - no-reply@example.org  Mon Oct 16 2023 16:18:56 GMT-0700\n"]
    # (A voicemail listing's unquoted lines, time without seconds and no year, with a "field"
    # after them, stay body lines: V39b.)
    body = (b"Hello\nFrom here on, Fri, Jul 01 09:13:09 1994 was the day.\nbye\n"
            b"From Alice Mon, Oct 16 09:12\nDuration: 0:42\nFrom +15551234567 Tue, Oct 17 11:40\nDuration: 1:05\n")
    data = b"".join(separator + message(n, body=body).replace(b"\r\n", b"\n")
                    for n, separator in enumerate(separators, 1))
    mbox = tmp_path / "datestyles.mbox"
    mbox.write_bytes(data)
    items = [read_input(item) for item in iter_mbox(mbox, lazy=lazy)]
    assert [b"Subject: message %d" % n in (item.data or b"") for n, item in enumerate(items, 1)] == [True] * 5
    assert all((item.data or b"").endswith(body) for item in items)
    for most in (1, 7, 4096):
        assert [item.data for item in iter_stream(_trickle(data, most), "stdin")] == [item.data for item in items]
    # A Content-Length body ending right before such a line is borne out by it (mboxcl2 keeps
    # the body's own unquoted "From " lines).
    inner = b"From jwz  Fri, Jul 01 09:13:09 1994\nnot a header\n"
    first = (b"From: a@example.org\nSubject: one\nContent-Length: %d\n\n" % len(inner)) + inner
    cl2 = tmp_path / "cl2.mbox"
    cl2.write_bytes(b"From jwz  Fri Jul  1 09:13:09 1994\n" + first + b"From jwz  Fri, Jul 01 09:13:09 1994\n"
                    + b"From: b@example.org\nSubject: two\n\nhi\n")
    items = [read_input(item) for item in iter_mbox(cl2, lazy=lazy)]
    assert [item.data for item in items] == [first, b"From: b@example.org\nSubject: two\n\nhi\n"]


@pytest.mark.parametrize("lazy", [False, True])
def test_mbox_with_crlf_line_ends(tmp_path: Path, lazy: bool) -> None:
    # A mailbox written on Windows: every line, separators and quoted lines too, ends in CRLF.
    stored = b"line\r\n>From the start of a line\r\n"
    mbox = tmp_path / "windows.mbox"
    mbox.write_bytes(mbox_of([message(1), message(2, body=stored), message(3)]).replace(b"\n", b"\r\n"))
    items = [read_input(item) for item in iter_mbox(mbox, lazy=lazy)]
    assert [i.label for i in items] == [f"{mbox}#1", f"{mbox}#2", f"{mbox}#3"]
    assert all((i.data or b"").startswith(b"Received: ") for i in items)
    assert (items[1].data or b"").endswith(b"line\r\n>From the start of a line\r\n") and items[1].quoted
    assert not (items[0].data or b"").endswith(b"\r\n\r\n")  # the separator's blank line is not content


def _trickle(data: bytes, most: int = 3):  # type: ignore[no-untyped-def]
    """A read function giving at most ``most`` bytes per call, as a pipe may."""
    position = 0

    def read(size: int) -> bytes:
        nonlocal position
        piece = data[position:position + min(size, most)]
        position += len(piece)
        return piece

    return read


def test_stream_is_split_as_it_comes(tmp_path: Path) -> None:
    from headerscope.scan.readers import iter_stream

    stored = b"line\r\n>From the start of a line\r\n"
    mbox = mbox_of([message(1), message(2, body=stored), message(3)])
    (tmp_path / "box.mbox").write_bytes(mbox)
    from_file = list(iter_mbox(tmp_path / "box.mbox"))
    for most in (1, 3, 4096):
        items = list(iter_stream(_trickle(mbox, most), "stdin"))
        assert [i.label for i in items] == ["stdin#1", "stdin#2", "stdin#3"]
        assert [i.data for i in items] == [i.data for i in from_file]
    single = list(iter_stream(_trickle(message(4)), "stdin"))
    assert [(i.label, i.data) for i in single] == [("stdin", message(4))]
    assert [(i.data, i.error) for i in iter_stream(_trickle(b"Fr"), "stdin")] == [(b"Fr", None)]
    assert [(i.data, i.error) for i in iter_stream(_trickle(b""), "stdin")] == [(b"", None)]
    too_big = list(iter_stream(_trickle(message(5, body=b"x" * 5000), 4096), "stdin", max_message=2000))
    assert [(i.data, i.error) for i in too_big] == [(None, "message over the 2000-byte limit")]


def test_scan_reads_standard_input(tmp_path: Path) -> None:
    import gzip

    mbox = tmp_path / "box.mbox"
    mbox.write_bytes(mbox_of([message(i) for i in range(1, 21)]))
    from_file = run_cli(str(mbox), "--offline", "--format", "jsonl", "--now", "2026-11-27T10:00:00Z", "--jobs", "1")
    # As "zcat box.mbox.gz | headerscope scan -" gives it: the rows of the file, labelled stdin#N.
    env = {**os.environ, "NO_COLOR": "1"}
    piped = subprocess.run([sys.executable, "-m", "headerscope", "scan", "-", "--offline", "--format", "jsonl",
                            "--now", "2026-11-27T10:00:00Z", "--jobs", "2"], capture_output=True, env=env,
                           cwd=REPO, timeout=120, input=gzip.decompress(gzip.compress(mbox.read_bytes())))
    assert piped.returncode == 0, piped.stderr
    assert len(from_file.stdout.splitlines()) == 20
    assert piped.stdout.decode().replace('"stdin#', f'"{mbox}#') == _without_folder(from_file.stdout)
    # "cat box.mbox.gz | headerscope scan -" and the other compressions: decompressed as a
    # file of that name is.
    import bz2
    import lzma

    for compress in (gzip.compress, bz2.compress, lzma.compress):
        piped = subprocess.run([sys.executable, "-m", "headerscope", "scan", "-", "--offline", "--format", "jsonl",
                                "--now", "2026-11-27T10:00:00Z", "--jobs", "1"], capture_output=True, env=env,
                               cwd=REPO, timeout=120, input=compress(mbox.read_bytes()))
        assert piped.returncode == 0, piped.stderr
        assert piped.stdout.decode().replace('"stdin#', f'"{mbox}#') == _without_folder(from_file.stdout), compress


def _without_folder(jsonl: str) -> str:
    """The reports of a mailbox file as standard input gives them: a stream has no folder."""
    lines = []
    for line in jsonl.splitlines():
        report = json.loads(line)
        assert report["input"]["folder"]["name"] == "box"
        report["input"]["folder"] = None
        report["findings"] = [f for f in report["findings"] if f["id"] != "input.folder"]
        lines.append(json.dumps(report, ensure_ascii=False, separators=(",", ":")) + "\n")
    return "".join(lines)


def test_maildir_reads_new_and_cur(tmp_path: Path) -> None:
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1700000000.A.host").write_bytes(message(1))
    (maildir / "cur" / "1700000001.B.host:2,S").write_bytes(message(2))
    (maildir / "tmp" / "1700000002.C.host").write_bytes(message(3))  # unfinished delivery: ignored
    items = list(iter_inputs([str(maildir)]))
    assert [Path(i.label).parent.name for i in items] == ["new", "cur"]
    assert all(i.container == "maildir" for i in items)


def _maildir(path: Path, messages: dict[str, bytes]) -> None:
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True)
    for name, data in messages.items():
        (path / name).write_bytes(data)


def test_maildir_folders_are_read_after_the_inbox(tmp_path: Path) -> None:
    # Maildir++ (Courier, Dovecot): folders are Maildirs named ".Folder" inside the root;
    # Dovecot's LAYOUT=fs nests plain-named ones. Its index files are not mail.
    root = tmp_path / "Maildir"
    _maildir(root, {"new/1.A.host": message(1), "cur/2.B.host:2,S": message(2)})
    _maildir(root / ".Sent", {"cur/3.C.host:2,S": message(3)})
    _maildir(root / ".Lists.dev", {"new/4.D.host": message(4)})
    _maildir(root / "Archive" / "2025", {"cur/5.E.host:2,S": message(5)})
    (root / "dovecot-uidlist").write_bytes(b"3 V1 N6\n")
    (root / "dovecot.index.cache").write_bytes(b"\x00\x01")
    (root / ".Sent" / "loop").symlink_to(root)  # a link back up is not followed
    items = list(iter_inputs([str(root)]))
    assert [str(Path(i.label).relative_to(root)) for i in items] == [
        "new/1.A.host", "cur/2.B.host:2,S", ".Lists.dev/new/4.D.host", ".Sent/cur/3.C.host:2,S",
        "Archive/2025/cur/5.E.host:2,S"]
    assert all(i.container == "maildir" and i.error is None for i in items)


def test_numbered_files_come_in_number_order(tmp_path: Path) -> None:
    # An MH folder (nmh, Claws Mail, Sylpheed) numbers its messages; so do many exports.
    for number in (1, 2, 10, 11, 100):
        (tmp_path / "inbox" / str(number)).parent.mkdir(exist_ok=True)
        (tmp_path / "inbox" / str(number)).write_bytes(message(number))
    for name in ("msg-2.eml", "msg-10.eml", "msg-9.eml"):
        (tmp_path / "export" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "export" / name).write_bytes(message(1))
    labels = [str(Path(i.label).relative_to(tmp_path)) for i in iter_inputs([str(tmp_path)])]
    assert labels == ["export/msg-2.eml", "export/msg-9.eml", "export/msg-10.eml",
                      "inbox/1", "inbox/2", "inbox/10", "inbox/11", "inbox/100"]


def test_unlistable_maildir_folder_is_an_error_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "Maildir"
    _maildir(root, {"new/1.A.host": message(1), "cur/2.B.host:2,S": message(2)})
    real_iterdir = Path.iterdir

    def iterdir(self: Path):  # type: ignore[no-untyped-def]
        if self.name == "cur":  # as a folder without read permission does (root reads every folder)
            raise PermissionError(13, "Permission denied")
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    items = list(iter_inputs([str(root)]))
    assert [(Path(i.label).name, i.error) for i in items] == [("1.A.host", None), ("cur", "Permission denied")]


def test_tree_mixes_formats_and_reports_missing(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.eml").write_bytes(message(1))
    (tmp_path / "b.mbox").write_bytes(mbox_of([message(2), message(3)]))
    items = list(iter_inputs([str(tmp_path), str(tmp_path / "missing.eml")]))
    assert len(items) == 4
    assert items[-1].error == "no such file or directory"


def _scan_rows(paths: list[str], jobs: int, **options: object) -> list:  # type: ignore[type-arg]
    return list(run_scan(iter_inputs(paths), ScanOptions(offline=True, **options), jobs))  # type: ignore[arg-type]


def test_broken_message_in_the_middle_and_order_with_jobs(tmp_path: Path) -> None:
    msgs = [message(i) for i in range(1, 41)]
    msgs[19] = b"\x00\xff" * 5000 + b"\r\n\r\n\x00"  # binary garbage in the middle
    mbox = tmp_path / "big.mbox"
    mbox.write_bytes(mbox_of(msgs))
    rows_1 = _scan_rows([str(mbox)], jobs=1)
    rows_2 = _scan_rows([str(mbox)], jobs=2)
    assert [r.index for r in rows_2] == list(range(1, 41))
    assert [(r.label, r.subject, r.verdict) for r in rows_1] == [(r.label, r.subject, r.verdict) for r in rows_2]
    assert rows_2[0].subject == "message 1" and rows_2[-1].subject == "message 40"
    # Not a message: an error row that says why, in its place, and not counted as one.
    assert rows_2[19].error == "binary data, not the text of a message" and rows_2[19].verdict is None
    assert all(r.error is None for r in rows_2[:19] + rows_2[20:])


def test_oversized_message_is_an_error_row(tmp_path: Path) -> None:
    (tmp_path / "small.eml").write_bytes(message(1))
    (tmp_path / "zbig.eml").write_bytes(message(2, body=b"x" * 5000))
    rows = list(run_scan(iter_inputs([str(tmp_path)], max_message=2000), ScanOptions(offline=True), 1))
    assert rows[0].error is None
    assert rows[1].error is not None and "limit" in rows[1].error


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "headerscope", "scan", *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=120)


@pytest.fixture()
def mixed_mbox(tmp_path: Path) -> Path:
    msgs = [message(i, from_domain="example.org" if i % 2 else "example.com") for i in range(1, 7)]
    path = tmp_path / "mixed.mbox"
    path.write_bytes(mbox_of(msgs))
    return path


def test_csv_and_jsonl_parse_back(mixed_mbox: Path, tmp_path: Path) -> None:
    out_csv = tmp_path / "out.csv"
    result = run_cli(str(mixed_mbox), "--offline", "--format", "csv", "-o", str(out_csv), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text())))
    assert [r["subject"] for r in rows] == [f"message {i}" for i in range(1, 7)]
    # The receiver's stamp of the last hop ("... 10:00:0N +0000" for message N), in UTC.
    assert [r["delivered"] for r in rows] == [f"2026-11-02T10:00:0{i}+00:00" for i in range(1, 7)]
    assert rows[1]["from_domain"] == "example.com"
    result = run_cli(str(mixed_mbox), "--offline", "--format", "jsonl", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(reports) == 6
    assert reports[2]["subject"] == "message 3"
    assert {"hops", "envelope", "findings", "input"} <= set(reports[0])


def test_inputs_that_are_no_message_are_error_rows_that_say_why(tmp_path: Path) -> None:

    root = tmp_path / "export"
    root.mkdir()
    (root / "a.eml").write_bytes(message(1))
    (root / "b.eml").write_bytes(b"")
    (root / "c.mbox.zst").write_bytes(b"\x28\xb5\x2f\xfd\x04\x58" + bytes(100))  # no zstd in the standard library
    (root / "d.eml").write_bytes(b"%PDF-1.7\n\x00\x01binary")
    (root / "e.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")  # not named or shaped as mail: passed over
    (root / "f.mbox").write_bytes(mbox_of([message(4), b"", message(5)]))
    out = tmp_path / "rows.jsonl"
    result = run_cli(str(root), "--offline", "--format", "jsonl", "-o", str(out), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(Path(line["input"]["source"]).name, line.get("error")) for line in lines] == [
        ("a.eml", None),
        ("b.eml", "empty"),
        ("c.mbox.zst", "zstd-compressed data, not the text of a message: decompress it first (zstdcat FILE)"),
        ("d.eml", "binary data, not the text of a message"),
        ("f.mbox#1", None),
        ("f.mbox#2", "empty"),
        ("f.mbox#3", None),
    ]
    assert [line.get("subject") for line in lines if "error" not in line] == ["message 1", "message 4", "message 5"]


def test_compressed_mailboxes_and_messages_are_read_as_they_decompress(tmp_path: Path) -> None:
    import bz2
    import gzip
    import lzma

    box = mbox_of([message(i) for i in range(1, 6)])
    (tmp_path / "a.mbox.gz").write_bytes(gzip.compress(box))
    (tmp_path / "b.mbox.bz2").write_bytes(bz2.compress(box))
    (tmp_path / "c.mbox.xz").write_bytes(lzma.compress(box))
    (tmp_path / "d.eml.gz").write_bytes(gzip.compress(message(6)))
    plain = {i.label.rpartition("#")[2]: i.data for i in iter_mbox(_write(tmp_path / "plain.mbox", box))}
    for jobs in (1, 2):
        rows = _scan_rows([str(tmp_path / name) for name in ("a.mbox.gz", "b.mbox.bz2", "c.mbox.xz", "d.eml.gz")],
                          jobs=jobs)
        assert [(Path(r.label).name, r.error, r.subject) for r in rows] == [
            *((f"{name}#{i}", None, f"message {i}") for name in ("a.mbox.gz", "b.mbox.bz2", "c.mbox.xz")
              for i in range(1, 6)),
            ("d.eml.gz", None, "message 6")]
    # The same bytes as the plain mailbox gives, quoting undone alike.
    assert {i.label.rpartition("#")[2]: i.data for i in iter_inputs([str(tmp_path / "c.mbox.xz")])} == plain
    # bzip2's "BZh" alone is text: a message starting so is read as it is; an empty bzip2 file is bzip2.
    text = _write(tmp_path / "odd.eml", b"BZh9: an odd field\r\n" + message(7))
    assert [(i.data, i.error) for i in iter_inputs([str(text)])] == [(text.read_bytes(), None)]
    empty = _write(tmp_path / "empty.mbox.bz2", bz2.compress(b""))
    assert [(i.label, i.data) for i in iter_inputs([str(empty)])] == [(str(empty), b"")]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_damaged_compressed_mailbox_keeps_the_messages_before_the_damage(tmp_path: Path) -> None:
    import gzip

    # Big enough that the damage lies past the decompressor's first steps.
    box = mbox_of([message(i, body=(b"line %d\r\n" % i) * 3000) for i in range(1, 9)])
    packed = gzip.compress(box)
    cut = _write(tmp_path / "cut.mbox.gz", packed[: len(packed) * 3 // 4])
    items = list(iter_inputs([str(cut)]))
    *whole, damaged = items
    assert len(whole) >= 4 and all(i.error is None and i.data for i in whole)
    assert [i.label for i in items] == [f"{cut}#{n}" for n in range(1, len(items) + 1)]
    assert damaged.error is not None and damaged.error.startswith("damaged gzip data: ")


def test_compressed_file_without_its_decompressor_is_an_error_row(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import lzma

    box = _write(tmp_path / "box.mbox.xz", lzma.compress(mbox_of([message(1)])))
    real_import = importlib.import_module

    def import_module(name: str, package: str | None = None):  # type: ignore[no-untyped-def]
        if name == "lzma":  # as in a Python built without liblzma
            raise ImportError("No module named '_lzma'")
        return real_import(name, package)

    monkeypatch.setattr(importlib, "import_module", import_module)
    assert [(i.label, i.error) for i in iter_inputs([str(box)])] == [
        (str(box), "this Python has no lzma module to decompress it with: decompress it first")]


def test_decompression_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gzip

    from headerscope.scan import readers

    # A highly compressible mailbox stands for a decompression bomb under a lowered limit.
    monkeypatch.setattr(readers, "_MAX_EXPANSION", 3)
    monkeypatch.setattr(readers, "_EXPANSION_SLACK", 0)
    bomb = _write(tmp_path / "bomb.mbox.gz", gzip.compress(mbox_of([message(i, body=b"A" * 400_000) for i in (1, 2)])))
    items = list(iter_inputs([str(bomb)]))
    assert items[-1].error == "it decompresses to over 3 times its size: not read further"
    assert all(i.error is None for i in items[:-1])


def test_read_error_in_a_mailbox_names_the_message_it_cut_off() -> None:
    from headerscope.scan.readers import iter_stream

    box = mbox_of([message(i) for i in range(1, 4)])
    stop = box.index(b"Subject: message 3")  # inside message 3
    position = 0

    def read(size: int) -> bytes:
        nonlocal position
        if position >= stop:
            raise OSError(5, "Input/output error")
        piece = box[position:min(position + min(size, 100), stop)]
        position += len(piece)
        return piece

    items = list(iter_stream(read, "box"))
    assert [(i.label, i.error) for i in items] == [("box#1", None), ("box#2", None), ("box#3", "Input/output error")]


def test_filter_and_fail_on(mixed_mbox: Path) -> None:
    result = run_cli(str(mixed_mbox), "--offline", "--format", "csv", "--filter", "domain=example.com")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["subject"] for r in rows] == ["message 2", "message 4", "message 6"]
    verdict = rows[0]["verdict"]
    failed = run_cli(str(mixed_mbox), "--offline", "--format", "csv", "--fail-on", verdict)
    assert failed.returncode == 3
    # Said, not only a status: how many matched, and that --filter does not narrow it.
    assert f"6 message(s) match --fail-on {verdict} (exit status 3; judged on every message scanned" in failed.stderr
    passed = run_cli(str(mixed_mbox), "--offline", "--format", "csv", "--fail-on", "verdict=spoofed")
    # It does not fire (offline no verdict is spoofed), and says why (a gate that cannot fire).
    assert passed.returncode == 0 and "match --fail-on" not in passed.stderr
    assert "so --fail-on verdict=spoofed cannot match them" in passed.stderr
    twice = subprocess.run([sys.executable, "-m", "headerscope", "scan", "-", "-", "--offline"], input=b"",
                           capture_output=True, cwd=REPO)
    assert twice.returncode == 2 and b"given more than once" in twice.stderr
    bad = run_cli(str(mixed_mbox), "--offline", "--filter", "colour=red")
    assert bad.returncode == 2 and "unknown filter key" in bad.stderr
    # A value no row can have is a typo that would never match: refused, like an unknown key.
    for typo in ("spoofd", "dmarc=permerorr", "spam=maybe"):
        bad = run_cli(str(mixed_mbox), "--offline", "--format", "csv", "--fail-on", typo)
        assert bad.returncode == 2 and "unknown" in bad.stderr and "values:" in bad.stderr, typo


def test_error_rows_match_verdict_error_and_a_missing_path_fails_the_run(mixed_mbox: Path, tmp_path: Path) -> None:
    binary = tmp_path / "attachment.eml"
    binary.write_bytes(bytes(range(256)) * 8)
    missing = tmp_path / "no-such.mbox"
    result = run_cli(str(mixed_mbox), str(binary), "--offline", "--format", "csv", "--filter", "verdict=error")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.returncode == 0 and [r["source"] for r in rows] == [str(binary)]
    assert run_cli(str(mixed_mbox), str(binary), "--offline", "--format", "csv", "--fail-on", "error").returncode == 3
    # A mistyped path: its error row is written, the other paths are scanned, the run fails.
    result = run_cli(str(mixed_mbox), str(missing), "--offline", "--format", "csv", "--fail-on", "spoofed")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.returncode == 1 and len(rows) == 7 and rows[-1]["error"] == "no such file or directory"
    assert result.stderr.strip().endswith(f"{missing}: no such file or directory")
    # Nothing but inputs that hold no message: nothing was scanned.
    result = run_cli(str(binary), "--offline", "--format", "csv")
    assert result.returncode == 1 and "no message could be read" in result.stderr


def test_fail_on_matches_are_said_when_a_failed_run_makes_the_status_1(mixed_mbox: Path, tmp_path: Path) -> None:
    # Status 1 (the run failed) wins over 3, but the matches are said: a gate's reader must not
    # take the failed run for one where nothing matched (V38c). The error rows matched are said as
    # unreadable inputs, not messages (V52d D3-1).
    binary = tmp_path / "attachment.eml"
    binary.write_bytes(bytes(range(256)) * 8)
    missing = tmp_path / "no-such.mbox"
    result = run_cli(str(mixed_mbox), str(binary), str(missing), "--offline", "--format", "csv", "--fail-on", "error")
    assert result.returncode == 1
    assert "2 unreadable input(s) match --fail-on error (exit status 1, as the run failed: see below;" in result.stderr
    assert result.stderr.index("match --fail-on") < result.stderr.index("no such file or directory")
    result = run_cli(str(binary), "--offline", "--format", "csv", "--fail-on", "error")
    assert result.returncode == 1 and "no message could be read" in result.stderr
    assert "1 unreadable input(s) match --fail-on error (exit status 1" in result.stderr
    # Without a failure, status 3 as before.
    result = run_cli(str(mixed_mbox), str(binary), "--offline", "--format", "csv", "--fail-on", "error")
    assert result.returncode == 3 and "1 unreadable input(s) match --fail-on error (exit status 3;" in result.stderr


def test_terminal_summary(mixed_mbox: Path) -> None:
    result = run_cli(str(mixed_mbox), "--offline")
    assert result.returncode == 0, result.stderr
    assert "6 message(s), 0 unreadable." in result.stdout
    assert "example.com" in result.stdout and "message 6" in result.stdout
    assert "first, last: delivered" in result.stdout


def test_summary_says_since_when() -> None:
    from datetime import datetime, timezone

    from headerscope.scan.output import Summary, render_summary
    from headerscope.scan.runner import ScanRow

    def utc(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)

    rows = [
        ScanRow(index=1, label="a", error=None, verdict="authenticated", from_domain="x.test",
                delivered="2026-11-02T10:00:05+00:00", date="2026-11-02T09:59:00+00:00"),
        ScanRow(index=2, label="b", error=None, verdict="spoofed", from_domain="x.test",
                delivered="2026-11-03T09:00:00+00:00", failing_reasons=("dmarc.fail",)),
        # No hop stamped it: the sender's Date:, read as UTC.
        ScanRow(index=3, label="c", error=None, verdict="spoofed", from_domain="y.test",
                date="2026-10-30T12:00:00-05:00", failing_reasons=("dmarc.fail", "dkim.fail")),
        ScanRow(index=4, label="d", error=None, verdict="spoofed", from_domain="y.test"),  # no time at all
        ScanRow(index=5, label="e", error="empty"),
    ]
    summary = Summary()
    for row in rows:
        summary.add(row)
    assert summary.spans["verdict"] == {"authenticated": [utc("2026-11-02T10:00:05")] * 2,
                                        "spoofed": [utc("2026-10-30T17:00:00"), utc("2026-11-03T09:00:00")]}
    assert summary.spans["sending domain"]["x.test"] == [utc("2026-11-02T10:00:05"), utc("2026-11-03T09:00:00")]
    assert summary.spans["failing reason"] == {"dmarc.fail": [utc("2026-10-30T17:00:00"), utc("2026-11-03T09:00:00")],
                                               "dkim.fail": [utc("2026-10-30T17:00:00")] * 2}
    lines = render_summary(summary, color=False).splitlines()
    spoofed = next(line for line in lines if line.startswith("spoofed"))
    assert spoofed.split() == ["spoofed", "│", "3", "│", "2026-10-30", "17:00", "│", "2026-11-03", "09:00"]
    # The table lists the first rows only; the counts and spans still cover every message.
    capped = Summary(row_limit=2)
    for row in rows:
        capped.add(row)
    assert [r.index for r in capped.rows] == [1, 2] and capped.rows_not_kept == 3
    assert capped.spans == summary.spans and capped.verdicts == summary.verdicts
    text = render_summary(capped, color=False)
    assert "… and 3 more message(s), counted above but not listed: narrow with --filter, or list every one " \
           "with --format csv." in text.replace("\n", " ")
    # A CSV or JSONL scan keeps no rows, and no spans.
    streaming = Summary(keep_rows=False)
    for row in rows:
        streaming.add(row)
    assert not any(streaming.spans.values()) and streaming.total == 5


def test_msg_files_scan_and_analyze(tmp_path: Path) -> None:
    msg_files = [CORPUS / "messages" / "mail-parser" / "mail_outlook_1",
                 CORPUS / "messages" / "eml_analyzer" / "other.msg", CORPUS / "messages" / "eml_analyzer" / "outer.msg"]
    rows = _scan_rows([str(p) for p in msg_files], jobs=1)
    assert all(r.error is None for r in rows), [r.error for r in rows]
    assert rows[0].hops and rows[0].hops >= 3
    # With several jobs each worker reads its .msg file itself: the same rows.
    from headerscope.scan.runner import scan_paths

    options = ScanOptions(offline=True, want_json=True, now="2026-11-27T10:00:00+00:00")
    assert (_row_facts(list(scan_paths([str(p) for p in msg_files], options, 2)))
            == _row_facts(list(scan_paths([str(p) for p in msg_files], options, 1))))
    import headerscope

    report = headerscope.analyze(msg_files[0].read_bytes(), offline=True)
    assert report.input.format == "msg"
    assert report.input.byte_exact is False
    assert any(f.id == "input.not_byte_exact" for f in report.findings)


def test_batches_keep_order_and_bound_count_and_bytes() -> None:
    from headerscope.scan import runner
    from headerscope.scan.readers import ScanInput

    sizes = [10, 300_000, 300_000, 10, 10, 600_000, *([1] * 20), 5]
    items = [ScanInput(label=str(i), data=b"x" * n) for i, n in enumerate(sizes)]
    items.insert(3, ScanInput(label="unreadable", data=None, error="gone"))
    batches = list(runner._batches(items))
    flat = [item for _, batch in batches for item in batch]
    assert flat == items
    assert [first for first, _ in batches] == [1 + sum(len(b) for _, b in batches[:i]) for i in range(len(batches))]
    for _, batch in batches:
        assert len(batch) <= runner._BATCH_MESSAGES
        # Bytes bounded: a batch closes as soon as it reaches the limit.
        assert sum(len(i.data or b"") for i in batch[:-1]) < runner._BATCH_BYTES


def test_jsonl_rows_from_workers_are_the_reports(tmp_path: Path) -> None:
    import json

    msgs = [message(i) for i in range(1, 21)]
    mbox = tmp_path / "m.mbox"
    mbox.write_bytes(mbox_of(msgs))
    options = ScanOptions(offline=True, want_json=True, now="2026-11-27T10:00:00+00:00")
    rows = list(run_scan(iter_inputs([str(mbox)]), options, 2))
    assert [r.index for r in rows] == list(range(1, 21))
    for row in rows:
        assert row.report_json is not None
        report = json.loads(row.report_json)
        assert report["subject"] == f"message {row.index}"
        assert report["input"]["source"] == row.label


def _mixed_tree(tmp_path: Path) -> Path:
    """An mbox (quoted From lines, a broken message in the middle, one over the size limit),
    a Maildir with both folders, and loose .eml files."""
    stored = b"line\r\n>From the start of a line\r\n>>From already quoted\r\n"
    msgs = [message(i) for i in range(1, 30)]
    msgs[4] = message(5, body=stored)
    msgs[11] = b"\x00\xff binary \x00 junk, no header at all" * 50
    msgs[17] = message(18, body=b"x" * 9000 + b"\r\n")
    root = tmp_path / "tree"
    root.mkdir()
    (root / "a.mbox").write_bytes(mbox_of(msgs))
    maildir = root / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    for i in range(3):
        (maildir / "new" / f"17000000{i}.A.host").write_bytes(message(40 + i))
        (maildir / "cur" / f"17000001{i}.B.host:2,S").write_bytes(message(50 + i))
    for i in range(5):
        (root / f"z{i}.eml").write_bytes(message(60 + i))
    return root


def _row_facts(rows: list) -> list[tuple]:  # type: ignore[type-arg]
    return [(r.index, r.label, r.error, r.verdict, r.subject, r.report_json) for r in rows]


@pytest.mark.parametrize("jobs", [2, 3])
def test_workers_read_their_own_messages_and_give_the_rows_of_one_job(tmp_path: Path, jobs: int) -> None:
    from headerscope.scan.runner import scan_paths

    root = _mixed_tree(tmp_path)
    options = ScanOptions(offline=True, want_json=True, now="2026-11-27T10:00:00+00:00", max_message=8000)
    one_job = list(scan_paths([str(root)], options, 1))
    several = list(scan_paths([str(root)], options, jobs))
    assert _row_facts(several) == _row_facts(one_job)
    assert [r.index for r in several] == list(range(1, 29 + 6 + 5 + 1))
    by_label = {r.label: r for r in several}
    assert by_label[f"{root / 'a.mbox'}#18"].error == "message over the 8000-byte limit"
    assert by_label[f"{root / 'a.mbox'}#5"].report_json is not None
    assert by_label[f"{root / 'a.mbox'}#12"].error == "binary data, not the text of a message"  # as one job says
    assert by_label[f"{root / 'a.mbox'}#13"].subject == "message 13"
    # The parent handed the workers places, not bytes: an mbox entry is a span of the file.
    from headerscope.scan.readers import iter_inputs as found

    lazy = list(found([str(root)], max_message=8000, lazy=True))
    assert all(i.data is None for i in lazy)
    quoted = next(i for i in lazy if i.label == f"{root / 'a.mbox'}#5")
    assert quoted.span is not None and quoted.quoted and quoted.path == str(root / "a.mbox")
    assert next(i for i in lazy if i.label.endswith("z0.eml")).path is not None


@pytest.mark.parametrize(("death", "reason"), [("exit", "exit code 3"), ("kill", "killed by signal 9")])
def test_a_worker_that_dies_turns_its_batches_into_error_rows_and_the_scan_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, death: str, reason: str) -> None:
    import signal

    from headerscope.scan import runner

    if runner._start_method() != "fork":
        pytest.skip("the workers must inherit the patched analysis (fork)")
    mbox = tmp_path / "m.mbox"
    mbox.write_bytes(mbox_of([message(i) for i in range(1, 41)]))
    real = runner.analyze_one

    def dies_on_message_13(index: int, item: runner.ScanInput) -> runner.ScanRow:
        if item.label.endswith("#13"):
            # As a crash in a C library would, or the kernel's out-of-memory killer.
            if death == "exit":
                os._exit(3)
            os.kill(os.getpid(), signal.SIGKILL)
        return real(index, item)

    monkeypatch.setattr(runner, "analyze_one", dies_on_message_13)
    rows = list(runner.scan_paths([str(mbox)], ScanOptions(offline=True), 2))
    assert [r.index for r in rows] == list(range(1, 41))
    dead = [r for r in rows if r.error]
    # Message 13's batch (1-16 with batches of 16 small messages) is lost with its worker;
    # every other message was analyzed by the remaining worker or by the one that replaced it.
    first = (13 - 1) // runner._BATCH_MESSAGES * runner._BATCH_MESSAGES + 1
    assert [r.index for r in dead] == list(range(first, first + runner._BATCH_MESSAGES))
    assert {r.error for r in dead} == {f"the worker process analyzing it died ({reason})"}
    assert all(r.verdict for r in rows if not r.error)


def test_workers_that_keep_dying_end_the_scan_with_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from headerscope.scan import runner

    if runner._start_method() != "fork":
        pytest.skip("the workers must inherit the patched analysis (fork)")
    mbox = tmp_path / "m.mbox"
    mbox.write_bytes(mbox_of([message(i) for i in range(1, 200)]))
    monkeypatch.setattr(runner, "analyze_one", lambda index, item: os._exit(4))
    with pytest.raises(RuntimeError, match="keep dying"):
        list(runner.scan_paths([str(mbox)], ScanOptions(offline=True), 2))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_end_when_the_parent_is_killed(tmp_path: Path) -> None:
    import signal
    import time

    mbox = tmp_path / "m.mbox"
    mbox.write_bytes(mbox_of([message(i) for i in range(1, 3001)]))
    proc = subprocess.Popen([sys.executable, "-m", "headerscope", "scan", str(mbox), "--offline", "--jobs", "2",
                             "--format", "jsonl", "-o", str(tmp_path / "out.jsonl")],
                            cwd=REPO, stderr=subprocess.PIPE, text=True)
    def children_of(pid: int) -> list[str]:
        listed = Path(f"/proc/{pid}/task/{pid}/children")
        if listed.exists():
            return listed.read_text().split()
        found = []  # kernels without CONFIG_PROC_CHILDREN: every process's parent, from its stat
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if stat.read_text().rsplit(")", 1)[1].split()[1] == str(pid):
                    found.append(stat.parent.name)
            except (OSError, IndexError):
                continue
        return found

    deadline = time.monotonic() + 30
    workers: list[str] = []
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
        workers = children_of(proc.pid)
    assert len(workers) == 2, "the scan ended before both workers were seen"
    proc.send_signal(signal.SIGKILL)  # no clean-up at all in the parent
    proc.wait(timeout=10)

    def alive(pid: str) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    # Each worker sees end-of-file on its batch pipe, ends after its batch, and says nothing.
    assert not any(alive(pid) for pid in workers)
    assert proc.stderr is not None and proc.stderr.read() == ""


def test_workers_started_by_spawn_give_the_rows_of_one_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # macOS and Windows start workers by spawn: a fresh interpreter that is handed its pipes,
    # the options and nothing else (no warm-up, no inherited descriptors).
    from headerscope.scan import runner

    root = _mixed_tree(tmp_path)
    options = ScanOptions(offline=True, want_json=True, now="2026-11-27T10:00:00+00:00", max_message=8000)
    one_job = list(runner.scan_paths([str(root)], options, 1))
    monkeypatch.setattr(runner, "_start_method", lambda: "spawn")
    assert runner._mp_context().get_start_method() == "spawn"
    spawned = list(runner.scan_paths([str(root)], options, 2))
    assert _row_facts(spawned) == _row_facts(one_job)


def test_receivers_spam_verdict_in_csv_and_filter(tmp_path: Path) -> None:
    # Message 2's receiver (mx.example.net) ran SpamAssassin above its Received: spam; message 3
    # says the same below it, which is no more than the sender's word; message 1 has no verdict.
    spam = b"X-Spam-Status: Yes, score=9.1 required=5.0 tests=BAYES_99 version=4.0.0\r\n"
    path = tmp_path / "inbox.mbox"  # "spam.mbox" would be a junk folder (test_folders)
    third = message(3)
    third = third.replace(b"From: ", b"X-Spam-Status: No, score=0.1 required=5.0 tests=none\r\nFrom: ", 1)
    path.write_bytes(mbox_of([message(1), spam + message(2), third]))
    result = run_cli(str(path), "--offline", "--format", "csv", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["spam"] for r in rows] == ["unknown", "yes", "unknown"]  # the words --filter spam= takes
    assert "spam.flagged" in rows[1]["failing_reasons"]
    kept = run_cli(str(path), "--offline", "--format", "csv", "--filter", "spam=yes")
    assert [r["subject"] for r in csv.DictReader(io.StringIO(kept.stdout))] == ["message 2"]
    unknown = run_cli(str(path), "--offline", "--format", "csv", "--filter", "spam=unknown")
    assert [r["subject"] for r in csv.DictReader(io.StringIO(unknown.stdout))] == ["message 1", "message 3"]
    assert run_cli(str(path), "--offline", "--format", "csv", "--fail-on", "spam=yes").returncode == 3


def test_files_a_folder_scan_passes_over_are_said(tmp_path: Path) -> None:
    (tmp_path / "a.eml").write_bytes((SAMPLES / "direct.eml").read_bytes())
    (tmp_path / "notes.md").write_bytes(b"# What I checked\n\nnothing yet\n")
    proc = run_cli(str(tmp_path), "--offline", "--format", "csv")
    assert proc.returncode == 0
    assert len(proc.stdout.strip().splitlines()) == 2  # the header row and the message
    assert "passed over 1 file(s) in the folders given that do not look like mail" in proc.stderr
    assert "notes.md" in proc.stderr


def test_a_message_embedded_in_an_outlook_msg_is_listed_and_analyzed_as_a_copy(tmp_path: Path) -> None:
    # A real bounce saved from Outlook keeps the returned message as a .msg inside the .msg
    # (attachment type MSG), with its own transport headers; --attached 1 analyzes it.
    import headerscope

    bounce = CORPUS / "messages" / "eml_analyzer" / "other.msg"
    report = headerscope.analyze(bounce.read_bytes(), offline=True)
    [carried] = report.attached
    assert carried.content_type == "message/rfc822" and carried.subject is not None
    assert carried.subject.startswith("\u56de\u590d\uff1a\u8f6c\u53d1\uff1a")
    assert any("embedded message(s) rebuilt" in c for c in report.input.cleanups)
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-m", "headerscope", "analyze", str(bounce), "--offline", "--attached", "1",
                             "--format", "json"], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    inner = json.loads(result.stdout)
    assert inner["hops"][-1]["by"] == "tjdpf.org.cn" and inner["input"]["byte_exact"] is False
    # Bytes that start like a .msg but are too short for an OLE file: one line, no file-name error.
    short = tmp_path / "short.msg"
    short.write_bytes(bounce.read_bytes()[:600])
    result = subprocess.run([sys.executable, "-m", "headerscope", "analyze", str(short), "--offline"],
                            capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert result.returncode == 1 and "too short for an OLE compound file" in result.stderr


def test_the_slowest_hop_is_a_wait_not_a_clock_step(tmp_path: Path) -> None:
    # Two stamps from a server whose clock was two years ahead: +769 days then -769 days. The
    # jump is a clock step (analyze says hops.clock_skew), not the message's slowest hop.
    def received(by: str, client: str, when: str) -> bytes:
        return (f"Received: from {client} ({client} [192.0.2.7]) by {by} with ESMTP id Q; {when}\r\n").encode()

    raw = (received("mx.example.net", "relay.example.net", "Mon, 22 Aug 2016 14:24:58 +0000")
           + received("relay.example.net", "wrongclock.example.org", "Mon, 22 Aug 2016 14:22:58 +0000")
           + received("wrongclock.example.org", "out.example.org", "Mon, 1 Oct 2018 09:49:21 +0000")
           + received("out.example.org", "laptop.example.org", "Mon, 22 Aug 2016 14:22:50 +0000")
           + b"From: a@example.org\r\nSubject: s\r\nDate: Mon, 22 Aug 2016 14:22:49 +0000\r\n\r\nx\r\n")
    path = tmp_path / "skew.eml"
    path.write_bytes(raw)
    # Named as the hand-over, client → receiver (review AL D7): the wait is most often the client's queue.
    [row] = _scan_rows([str(path)], jobs=1)
    assert row.slowest_hop == "relay.example.net → mx.example.net" and row.slowest_delay_seconds == 120.0
    # A step of an hour and 3 s between hops seconds apart is that server's clock being an hour
    # off (analyze says hops.clock_offset), not the slowest hop either.
    hour = (b"Received: from mx.example.net ([127.0.0.1]) by store.example.net with LMTP id R; "
            b"Mon, 22 Aug 2016 15:23:02 +0000\r\n"
            + received("mx.example.net", "relay.example.net", "Mon, 22 Aug 2016 15:23:01 +0000")
            + received("relay.example.net", "out.example.org", "Mon, 22 Aug 2016 14:22:58 +0000")
            + received("out.example.org", "laptop.example.org", "Mon, 22 Aug 2016 14:22:50 +0000")
            + b"From: a@example.org\r\nSubject: s\r\nDate: Mon, 22 Aug 2016 14:22:49 +0000\r\n\r\nx\r\n")
    path.write_bytes(hour)
    [row] = _scan_rows([str(path)], jobs=1)
    assert row.slowest_hop == "out.example.org → relay.example.net" and row.slowest_delay_seconds == 8.0


def test_summary_counts_messages_per_reason_and_says_what_it_left_out(tmp_path: Path) -> None:
    # Two broken signatures are one failing reason for one message, not two; and a table cut
    # to its ten largest rows says how many it left out.
    import dataclasses

    import headerscope
    from headerscope.model import Finding, Severity
    from headerscope.scan.output import Summary, render_summary
    from headerscope.scan.runner import ScanRow, _steady_hops, summarize

    report = headerscope.analyze(message(1), offline=True)
    broken = Finding(id="dkim.headers_changed", severity=Severity.WARNING, title="t", explanation="e")
    twice = dataclasses.replace(report, findings=(broken, dataclasses.replace(broken, subject="signature 2")))
    assert summarize(1, "m", twice).failing_reasons == ("dkim.headers_changed",)
    summary = Summary()
    for n in range(12):
        summary.add(ScanRow(index=n, label=f"m{n}", error=None, from_domain=f"d{n}.example", verdict="not_checked"))
    text = render_summary(summary, False)
    assert "… and 2 more sending domains, with fewer messages (all: --format csv)" in text
    # For CSV and JSONL (no terminal summary) nothing per domain or IP is kept: memory stays flat.
    flat = Summary(keep_rows=False)
    for n in range(12):
        flat.add(ScanRow(index=n, label=f"m{n}", error=None, from_domain=f"d{n}.example", verdict="not_checked",
                         client_ip=f"192.0.2.{n}"))
    assert not flat.domains and not flat.ips and not any(flat.by_verdict.values()) and flat.total == 12
    # A stamp a later hop takes back, two hops on, is a clock step, not the slowest hop; and a
    # negative delay is never one.
    class Hop:
        def __init__(self, delay: float | None) -> None:
            self.delay_seconds = delay

    hops = [Hop(None), Hop(66_500_000.0), Hop(0.0), Hop(-66_500_100.0), Hop(120.0)]
    assert [h.delay_seconds for h in _steady_hops(hops)] == [120.0]
    # An earlier step back says nothing of a later wait by itself: a lagging clock's step forward
    # is left out by its hops.clock_lag finding instead (verification V13 R2: a real 5 h queue
    # after a fast clock's step back was dropped from the slowest hop).
    later_wait = [Hop(-700.0), Hop(-578.0), Hop(18.0), Hop(1040.0), Hop(30.0)]
    assert [h.delay_seconds for h in _steady_hops(later_wait)] == [18.0, 1040.0, 30.0]


def test_the_slowest_hop_leaves_out_a_lagging_clocks_step_forward_only(tmp_path: Path) -> None:
    # Review AL D2 (real 1992 layout): a relay's stamps ~10 min behind; the 17 min step out of
    # them is that clock (hops.clock_lag), not the slowest wait.
    lagging = (b"Received: from relay.example.com by mx.example.edu (5.65/1.3) id AA01; Tue, 1 Sep 92 00:58:25 EDT\r\n"
               b"Received: by relay.example.com (4.1/SMI-4.1) id AA02; Mon, 31 Aug 92 21:41:05 PDT\r\n"
               b"Received: from desk.example.com ([192.0.2.116]) by relay.example.com (4.1/SMI-4.1) id AA03; "
               b"Mon, 31 Aug 92 21:40:47 PDT\r\n"
               b"Received: by desk.example.com (4.1/SMI-4.1) id AA04; Mon, 31 Aug 92 21:50:25 PDT\r\n"
               b"Date: Mon, 31 Aug 92 21:50:25 PDT\r\nFrom: a@example.com\r\nSubject: s\r\n\r\nbody\r\n")
    box = tmp_path / "lag.mbox"
    box.write_bytes(mbox_of([lagging]))
    [row] = list(run_scan(iter_inputs([str(box)]), ScanOptions(offline=True), 1))
    assert row.slowest_delay_seconds == 18.0


def test_filter_by_failing_reason_and_the_summary_says_what_it_kept(tmp_path: Path) -> None:
    # Offline, "which failed DMARC?" is the receiver's own recorded fail (recorded.dmarc_fail).
    failed = (b"Authentication-Results: mx.example.net; dmarc=fail header.from=example.org\r\n"
              + message(1).replace(b"Received: from", b"Received: from", 1))
    box = tmp_path / "box.mbox"
    box.write_bytes(mbox_of([failed, message(2), message(3)]))
    result = run_cli(str(box), "--offline", "--format", "csv", "--filter", "reason=recorded.dmarc_fail")
    assert result.returncode == 0, result.stderr
    assert [r["subject"] for r in csv.DictReader(io.StringIO(result.stdout))] == ["message 1"]
    bad = run_cli(str(box), "--offline", "--filter", "reason=DMARC")
    assert bad.returncode == 2 and "is no finding id" in bad.stderr
    # A mistyped id is refused too (a --fail-on gate on it would never fire), with the id meant.
    typo = run_cli(str(box), "--offline", "--fail-on", "reason=recorded.dmarc_fial")
    assert typo.returncode == 2 and "did you mean recorded.dmarc_fail?" in typo.stderr
    terminal = run_cli(str(box), "--offline", "--filter", "reason=recorded.dmarc_fail")
    assert "1 message(s) kept by --filter, of 3 scanned (0 unreadable)." in terminal.stdout
    # The table's time is the delivery stamp in UTC, as the counts' "first, last".
    assert "2026-11-02 10:00" in terminal.stdout and "delivered" in terminal.stdout
    # Any finding's id, a notice's or an info's too (reason=dsn.unstructured, a notice, found no
    # bounce without a report part; reason=mdn.receipt never matched).
    autoreply = message(2).replace(b"Subject: message 2", b"Subject: message 2\r\nAuto-Submitted: auto-replied")
    box.write_bytes(mbox_of([failed, autoreply, message(3)]))
    result = run_cli(str(box), "--offline", "--format", "csv", "--filter", "reason=message.auto_reply")
    assert [r["subject"] for r in csv.DictReader(io.StringIO(result.stdout))] == ["message 2"]
    gate = run_cli(str(box), "--offline", "--format", "csv", "--fail-on", "reason=message.auto_reply")
    assert gate.returncode == 3


def test_an_incident_view_splits_each_domain_and_sending_ip_by_verdict(tmp_path: Path) -> None:
    # "Which of these failed, sent from where?": the CSV names each message's sending server (the
    # boundary client IP), envelope sender, DKIM signers and Message-ID; the summary splits each
    # sending domain and each sending IP by verdict; --filter ip= takes an address or a network.
    from headerscope.scan.output import Summary, render_summary
    from headerscope.scan.runner import ScanRow

    signed = message(1).replace(b"Received:", b"Return-Path: <bounce@example.org>\r\n"
                                b"DKIM-Signature: v=1; a=rsa-sha256; d=esp.example; s=s; h=from; bh=YQ==; b=YQ==\r\n"
                                b"Received:", 1)
    box = tmp_path / "box.mbox"
    box.write_bytes(mbox_of([signed, message(2), message(201)]))
    result = run_cli(str(box), "--offline", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["client_ip"], r["mail_from"], r["dkim_domains"], r["message_id"]) for r in rows] == [
        ("192.0.2.2", "bounce@example.org", "esp.example", "<1@example.org>"),
        ("192.0.2.3", "", "", "<2@example.org>"),
        ("192.0.2.202", "", "", "<201@example.org>"),
    ]
    kept = run_cli(str(box), "--offline", "--format", "csv", "--filter", "ip=192.0.2.0/30")
    assert [r["subject"] for r in csv.DictReader(io.StringIO(kept.stdout))] == ["message 1", "message 2"]
    one = run_cli(str(box), "--offline", "--format", "csv", "--filter", "ip=192.0.2.202,2001:db8::1")
    assert [r["subject"] for r in csv.DictReader(io.StringIO(one.stdout))] == ["message 201"]
    bad = run_cli(str(box), "--offline", "--filter", "ip=mx.example.org")
    assert bad.returncode == 2 and "is no IP address or network" in bad.stderr

    summary = Summary()
    for n, (verdict, ip) in enumerate([("spoofed", "203.0.113.9")] * 3 + [("authenticated", "192.0.2.1")] * 2):
        summary.add(ScanRow(index=n, label=f"m{n}", error=None, from_domain="bank.example", verdict=verdict,
                            client_ip=ip, delivered=f"2026-11-02T10:0{n}:00+00:00"))
    lines = render_summary(summary, False).splitlines()
    assert any(line.split("│")[0].strip() == "bank.example" and "spoofed 3, authenticated 2" in line
               for line in lines)
    [forger] = [line for line in lines if line.startswith("203.0.113.9 ")]
    assert [cell.strip() for cell in forger.split("│")] == ["203.0.113.9", "3", "spoofed 3", "2026-11-02 10:00",
                                                          "2026-11-02 10:02"]


def test_the_output_file_never_destroys_or_joins_the_input(tmp_path: Path) -> None:
    # -o naming the mailbox itself (or a link to it) would empty it before it is read: refused.
    # An output file inside a scanned folder is not scanned as one of its messages.
    box = tmp_path / "box.mbox"
    original = mbox_of([message(1), message(2)])
    box.write_bytes(original)
    link = tmp_path / "link.mbox"
    link.symlink_to(box)
    for target in (box, link):
        refused = run_cli(str(box), "--offline", "-f", "csv", "-o", str(target))
        assert refused.returncode == 2 and "is also an input" in refused.stderr, refused.stderr
        assert box.read_bytes() == original
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "a.eml").write_bytes(message(3))
    report = folder / "report.eml"  # a name the walk would read as mail
    done = run_cli(str(folder), "--offline", "-f", "csv", "-o", str(report))
    assert done.returncode == 0, done.stderr
    assert [r["subject"] for r in csv.DictReader(io.StringIO(report.read_text()))] == ["message 3"]


# A byte order mark or blank lines an editor or a careless concatenation left, and the NUL
# bytes of a mail client that crashed while writing (up to 64 KB of them are looked past; on
# standard input only a short lead is).
@pytest.mark.parametrize(("lead", "piped_too"), [
    (b"\n", True), (b"\r\n\r\n", True), (b"\xef\xbb\xbf", True), (b"\xef\xbb\xbf\n", True),
    (b"\x00" * 4096, False), (b"\x00" * 1024, False), (b"\x00" * 1500, False),
    (b"\x00" * 60_000 + b"\n\n", False), (b"\x00" * 3000 + b"\r\n", False)])
def test_an_mbox_after_a_lead_of_blank_lines_a_byte_order_mark_or_nul_bytes_is_still_an_mbox(
        tmp_path: Path, lead: bytes, piped_too: bool) -> None:
    # Each made the whole mailbox one message (or, in a folder, not mail at all).
    boxed = mbox_of([message(1), message(2), message(3)])
    folder = tmp_path / "mail"
    folder.mkdir()
    box = folder / "inbox"  # no name that says mail: the walk judges by content
    box.write_bytes(lead + boxed)
    expected = [item.data for item in iter_mbox(_write(tmp_path / "plain.mbox", boxed))]
    for lazy in (False, True):
        for source in (box, folder):
            items = [read_input(item) for item in iter_inputs([str(source)], lazy=lazy)]
            assert [item.data for item in items] == expected, (lazy, source)
    for jobs in ("1", "2"):
        result = run_cli(str(folder), "--offline", "-f", "csv", "--jobs", jobs)
        assert [(r["subject"], r["error"]) for r in csv.DictReader(io.StringIO(result.stdout))] == [
            ("message 1", ""), ("message 2", ""), ("message 3", "")], result.stderr
    if piped_too:
        piped = subprocess.run([sys.executable, "-m", "headerscope", "scan", "-", "--offline", "-f", "csv"],
                               input=lead + boxed, capture_output=True, cwd=REPO)
        assert [r["subject"] for r in csv.DictReader(io.StringIO(piped.stdout.decode()))] == [
            "message 1", "message 2", "message 3"], piped.stderr


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_csv_cells_fit_a_spreadsheet_and_jsonl_says_how_the_run_was_made(tmp_path: Path) -> None:
    # A 200,000-character Subject made a cell no spreadsheet takes and Python's csv module
    # refuses (its field limit is 131,072); the JSONL reports said nothing of --offline.
    box = tmp_path / "box.mbox"
    box.write_bytes(mbox_of([message(1).replace(b"Subject: message 1", b"Subject: " + b"x" * 200_000), message(2)]))
    result = run_cli(str(box), "--offline", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows[0]["subject"]) == 32_767 and rows[0]["subject"].endswith("…")
    assert rows[1]["subject"] == "message 2"
    lines = run_cli(str(box), "--offline", "-f", "jsonl", "--jobs", "2").stdout.splitlines()
    assert [json.loads(line)["options"] for line in lines] == [{"offline": "True"}] * 2


def test_a_fragment_without_header_fields_is_an_error_row_not_a_phantom_message(tmp_path: Path) -> None:
    # An mboxcl2 writer quotes nothing: a body line "From ..." with a date, after an empty line,
    # splits the message; the text after it has no header field and is no message.
    body = b"See below.\n\nFrom bob@example.com Sat Jan  1 00:00:00 2000\nforwarded text follows\n"
    box = tmp_path / "cl2.mbox"
    box.write_bytes(mbox_of([message(1, body=body), message(2)]))
    rows = list(csv.DictReader(io.StringIO(run_cli(str(box), "--offline", "-f", "csv").stdout)))
    assert [(r["subject"], r["verdict"], r["error"][:31]) for r in rows] == [
        ("message 1", "not_checked", ""), ("", "", "no header fields: not a message"), ("message 2", "not_checked", "")]


def mboxcl2_of(messages: list[bytes], lengths: dict[int, int] | None = None, field: bytes = b"Content-Length") -> bytes:
    """An mbox as Solaris mail writes it: each message with a Content-Length field (its body's
    size, or ``lengths[index]`` for a stale one), no "From " line quoted, LF line ends."""
    out = []
    for index, msg in enumerate(messages):
        header, body = msg.replace(b"\r\n", b"\n").split(b"\n\n", 1)
        length = (lengths or {}).get(index, len(body))
        out.append(b"From sender%d@example.org Mon Nov  2 10:00:00 2026\n" % index)
        out.append(header + b"\n" + field + b": %d\n\n" % length + body + b"\n")
    return b"".join(out)


# Body lines an mboxcl2 writer leaves as they are: after an empty line, a dated "From " line (a
# separator to any mbox reader) with a header after it, and a ">From " line of the sender's own.
_CL2_BODY = (b"See the forwarded mailbox below.\r\n\r\nFrom bob@example.com Sat Jan  1 00:00:00 2000\r\n"
             b"Subject: forwarded\r\n\r\n>From the sender, as typed\r\nFrom here on, plain text.\r\n")


@pytest.mark.parametrize("lazy", [False, True])
def test_a_content_length_borne_out_by_the_mailbox_keeps_unquoted_from_lines_in_the_body(
        tmp_path: Path, lazy: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # mboxcl2 (Solaris and SVR4 mail) quotes no body line: the Content-Length field says where
    # the body ends. A dated "From " line in the body split the message, the rest an error row.
    from headerscope.scan import readers

    messages = [message(1), message(2, body=_CL2_BODY), message(3, body=_CL2_BODY)]
    box = tmp_path / "solaris.mbox"
    box.write_bytes(mboxcl2_of(messages))
    body = _CL2_BODY.replace(b"\r\n", b"\n")
    for chunk in (1 << 20, 64, 7):  # the body's end read ahead across chunks
        monkeypatch.setattr(readers, "_READ_CHUNK", chunk)
        items = [read_input(item) for item in iter_mbox(box, lazy=lazy)]
        assert [b"Subject: message %d" % n in (item.data or b"") for n, item in enumerate(items, 1)] == [True] * 3
        assert [(item.data or b"").endswith(b"Content-Length: %d\n\n" % len(body) + body) for item in items] == [
            False, True, True]  # the ">From " line is the sender's: not un-quoted
    monkeypatch.setattr(readers, "_READ_CHUNK", 1 << 20)
    for most in (1, 5, 4096):  # a pipe's short reads
        streamed = list(readers.iter_stream(_trickle(box.read_bytes(), most), "stdin"))
        assert [item.data for item in streamed] == [read_input(item).data for item in iter_mbox(box)]
    result = run_cli(str(box), "--offline", "-f", "csv", "--jobs", "2" if lazy else "1")
    assert [(r["subject"], r["error"]) for r in csv.DictReader(io.StringIO(result.stdout))] == [
        ("message 1", ""), ("message 2", ""), ("message 3", "")]


# Each body's length: inside a line, past the end of the file, at a "From " line that is no
# separator (no empty line before it, no date), one byte short of the separator.
_HERE = _CL2_BODY.replace(b"\r\n", b"\n").index(b"From here")


@pytest.mark.parametrize("lengths", [{1: 40, 2: 3}, {1: 10**6, 2: 5000}, {1: _HERE, 2: _HERE},
                                     {1: len(_CL2_BODY.replace(b"\r\n", b"\n")) - 1, 2: 10**9}])
def test_a_content_length_the_mailbox_does_not_bear_out_is_not_trusted(tmp_path: Path, lengths: dict[int, int]) -> None:
    # A field left stale by an edit, or wrong: the bytes at its end are no separator (or past
    # the end of the file), so the mailbox splits as it would without it.
    messages = [message(1), message(2, body=_CL2_BODY), message(3, body=_CL2_BODY), message(4)]
    stale = tmp_path / "stale.mbox"
    stale.write_bytes(mboxcl2_of(messages, lengths))
    plain = tmp_path / "plain.mbox"
    plain.write_bytes(mboxcl2_of(messages, lengths, field=b"X-Length"))
    for lazy in (False, True):
        got = [read_input(item).data for item in iter_mbox(stale, lazy=lazy)]
        expected = [read_input(item).data for item in iter_mbox(plain, lazy=lazy)]
        assert len(got) == 6  # the two bodies split at their dated "From " lines, as before
        assert got == [(data or b"").replace(b"X-Length", b"Content-Length") for data in expected]


def test_a_content_length_ending_at_the_end_of_the_file_or_before_a_bare_from_line(tmp_path: Path) -> None:
    # The last message's body runs to the end of the file (with or without a last line end),
    # and a separator without a date but with a header after it follows an earlier one.
    body = _CL2_BODY.replace(b"\r\n", b"\n")
    data = mboxcl2_of([message(1, body=_CL2_BODY), message(2, body=_CL2_BODY)], field=b"content-length")
    data = data.replace(b"From sender1@example.org Mon Nov  2 10:00:00 2026\n", b"From MAILER-DAEMON\n")
    box = tmp_path / "box.mbox"
    for tail in (b"\n", b"", b"\n\n"):
        box.write_bytes(data[:-1] + tail)
        items = [read_input(item) for item in iter_mbox(box)]
        if tail == b"\n\n":  # a byte past the length: the last body splits as before
            assert len(items) == 3
            continue
        assert [(item.data or b"").endswith(body) for item in items] == [True, True]


@pytest.mark.parametrize("lazy", [False, True])
def test_a_mailbox_of_bare_cr_line_ends_is_split_on_them(tmp_path: Path, lazy: bool) -> None:
    # Classic Mac OS ended lines with a bare CR: the mailbox was one line, one empty message.
    # Split on its CRs, each message keeps its bytes, which the loader converts (and says so)
    # as it does a single message's: scan and analyze report the same.
    stored = b"line\r\n>From the start of a line\r\n\r\nFrom my side, plain text\r\n"
    boxed = mbox_of([message(1), message(2, body=stored), message(3)]).replace(b"\n", b"\r")
    folder = tmp_path / "mac"
    folder.mkdir()
    box = folder / "Inbox"  # no name that says mail: the walk judges by content
    box.write_bytes(boxed)
    # A header whose first field is not one every message has: found on a later CR-ended line.
    (folder / "Note").write_bytes(b"X" + message(4).replace(b"\r\n", b"\r").replace(b"Received:", b"Relayed:", 1))
    items = [read_input(item) for item in iter_mbox(box, lazy=lazy)]
    assert [b"Subject: message %d\r" % n in (item.data or b"") for n, item in enumerate(items, 1)] == [True] * 3
    assert all(b"\n" not in (item.data or b"\n") for item in items)
    assert (items[1].data or b"").endswith(b"line\r>From the start of a line\r\rFrom my side, plain text\r")
    assert [item.quoted for item in items] == [False, True, False]
    assert not (items[0].data or b"").endswith(b"\r\r")  # the separator's blank line is not content
    from headerscope.scan.readers import iter_stream

    for most in (1, 3, 4096):
        assert [item.data for item in iter_stream(_trickle(boxed, most), "stdin")] == [item.data for item in items]
    result = subprocess.run([sys.executable, "-m", "headerscope", "scan", str(folder), "--offline", "-f", "jsonl",
                             "--jobs", "2" if lazy else "1"], capture_output=True, text=True, cwd=REPO, timeout=120)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    note = "converted bare CR line ends (old Mac style) to CR LF"
    assert [(row["subject"], note in row["input"]["cleanups"]) for row in rows] == [
        ("message 1", True), ("message 2", True), ("message 3", True), ("message 4", True)], result.stderr
    single = tmp_path / "mac.eml"
    single.write_bytes(message(2, body=stored).replace(b"\r\n", b"\r"))
    analyzed = subprocess.run([sys.executable, "-m", "headerscope", "analyze", str(single), "--offline", "-f", "json"],
                              capture_output=True, text=True, cwd=REPO, timeout=120)
    assert json.loads(analyzed.stdout)["input"]["cleanups"] == rows[1]["input"]["cleanups"]


def test_a_mailbox_compacted_during_a_parallel_scan_gives_error_rows_not_other_messages(tmp_path: Path) -> None:
    # A parallel scan's workers read each message at the place the parent found it. A mail
    # client that expunges the first messages in place moves every later one: reading those
    # places gave byte runs matching no message, analysed without a word (mailbox review).
    box = tmp_path / "live.mbox"
    messages = [message(n, body=b"x" * (100 + 37 * n) + b"\r\n") for n in range(1, 9)]
    box.write_bytes(mbox_of(messages))
    found = list(iter_inputs([str(box)], lazy=True))
    assert [read_input(item).data is not None for item in found] == [True] * 8
    box.write_bytes(mbox_of(messages[3:]) + mbox_of(messages[:3]))  # compacted, then appended to
    rows = [read_input(item) for item in found]
    readable = [row for row in rows if row.data is not None]
    # Whatever is read is a whole message of the mailbox (by chance at the same place), never a
    # run of bytes across two; the rest are error rows saying why.
    assert all(b"Subject: message" in (row.data or b"") and (row.data or b"").count(b"Subject:") == 1
               for row in readable)
    assert {row.error for row in rows if row.data is None} == {"the mailbox changed while it was being read"}
    assert len(readable) < 8


@pytest.mark.parametrize("lazy", [False, True])
def test_nul_bytes_a_crashed_mail_client_left_split_no_message_and_join_none(tmp_path: Path, lazy: bool) -> None:
    # A crash leaves a run of NULs where data should be, the next "From " line right after it:
    # the second message was glued to the first, and a NUL tail made the last an error row.
    first, second, third = message(1), message(2), message(3)
    data = mbox_of([first, second, third])
    cut = data.index(b"From sender1@")
    box = tmp_path / "crashed.mbox"
    for run in (4096, 100):  # a short run too: a lazy read found no "From " line where it looked
        box.write_bytes(data[:cut] + b"\x00" * run + data[cut:] + b"\x00" * 512)
        items = [read_input(item) for item in iter_mbox(box, lazy=lazy)]
        assert [b"Subject: message %d" % n in (item.data or b"") for n, item in enumerate(items, 1)] == [True] * 3
        assert all(b"\x00" not in (item.data or b"") for item in items)
    result = run_cli(str(box), "--offline", "-f", "csv", "--jobs", "2" if lazy else "1")
    assert [(r["subject"], r["error"]) for r in csv.DictReader(io.StringIO(result.stdout))] == [
        ("message 1", ""), ("message 2", ""), ("message 3", "")]



def test_an_mmdf_mailbox_is_split_at_its_delimiters(tmp_path: Path) -> None:
    # MMDF (Python's mailbox.MMDF writes it) encloses each message between lines of four ^A:
    # it was one message, reported byte-exact, without a word (mailbox review).
    import mailbox

    path = tmp_path / "box.mmdf"
    box = mailbox.MMDF(str(path))
    for n in range(1, 4):
        box.add(message(n, body=b"From the start of a line, unquoted in MMDF\r\n"))
    box.close()
    items = [read_input(item) for item in iter_inputs([str(path)])]
    assert [b"Subject: message %d" % n in (item.data or b"") for n, item in enumerate(items, 1)] == [True] * 3
    assert all((item.data or b"").rstrip().endswith(b"unquoted in MMDF") for item in items)
    for source in ([str(path)], ["-"]):
        result = subprocess.run([sys.executable, "-m", "headerscope", "scan", *source, "--offline", "-f", "csv"],
                                input=path.read_bytes(), capture_output=True, cwd=REPO)
        assert [r["subject"] for r in csv.DictReader(io.StringIO(result.stdout.decode()))] == [
            "message 1", "message 2", "message 3"], result.stderr
    # Each row's report says what it was read from, as analyze of the mailbox says of its first.
    jsonl = subprocess.run([sys.executable, "-m", "headerscope", "scan", str(path), "--offline", "-f", "jsonl"],
                           capture_output=True, cwd=REPO)
    assert [json.loads(line)["input"]["format"] for line in jsonl.stdout.splitlines()] == ["mmdf-entry"] * 3
    # Read a byte at a time, or with a message over the limit: the same split, an error row.
    data = path.read_bytes()
    stream = io.BytesIO(data)
    from headerscope.scan.readers import iter_mmdf

    assert [i.data for i in iter_mmdf(lambda size: stream.read(1), "x")] == [i.data for i in items]
    small = list(iter_mmdf(io.BytesIO(data).read, "x", max_message=100))
    assert [i.error for i in small] == ["message over the 100-byte limit"] * 3


def test_csv_says_what_kind_each_message_is_and_a_bounces_recipients(tmp_path: Path) -> None:
    # Scanning a bounce folder: which rows are bounces, and who failed with which code, needed
    # the JSON lines and a script.
    bounce = (b"From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\nTo: s1@example.org\r\n"
              b"Subject: Undelivered Mail Returned to Sender\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
              b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
              b"--B\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\n"
              b"Reporting-MTA: dns;mx.example.net\r\n\r\nFinal-Recipient: rfc822;gone@example.com\r\nAction: failed\r\n"
              b"Status: 5.1.1\r\n\r\n--B--\r\n")
    box = tmp_path / "box.mbox"
    box.write_bytes(mbox_of([message(1), bounce]))
    result = run_cli(str(box), "--offline", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["kind"], r["delivery_status"]) for r in rows] == [
        ("message", ""), ("delivery_report", "gone@example.com failed 5.1.1")]
    # Every finding id, notices too, as --filter reason= matches them (the CSV had only warnings).
    assert (rows[1]["failing_reasons"], rows[1]["other_findings"]) == ("dsn.failed", "input.folder;hops.no_received")


def test_jsonl_rows_are_written_as_their_workers_made_them() -> None:
    # The report's UTF-8 goes to the stream's binary buffer as it is (no decode and encode in the
    # parent); a text-only stream gets the same text, and an error row is JSON too.

    from headerscope.scan.output import JsonlWriter
    from headerscope.scan.runner import ScanRow

    report = '{"subject":"Grüße – ✓"}'.encode()
    rows = [ScanRow(index=1, label="a#1", error=None, report_json=report),
            ScanRow(index=2, label="a#2", error="unreadable: binary")]
    raw = io.BytesIO()
    text = io.TextIOWrapper(raw, encoding="utf-8")
    text.write("")
    writer = JsonlWriter(text)
    for row in rows:
        writer.write(row)
    writer.close()
    lines = raw.getvalue().split(b"\n")
    assert lines[0] == report and json.loads(lines[1]) == {"input": {"source": "a#2"}, "error": "unreadable: binary"}
    plain = io.StringIO()
    writer = JsonlWriter(plain)
    for row in rows:
        writer.write(row)
    assert plain.getvalue().encode() == raw.getvalue()


def test_a_result_asked_of_a_check_that_was_not_checked_is_said(mixed_mbox: Path) -> None:
    # Offline DMARC is not checked: --fail-on dmarc=fail (the --help example) cannot fire, and the
    # user is told so, with the finding id that matches the receiver's own recorded result.
    result = run_cli(str(mixed_mbox), "--offline", "--format", "csv", "--fail-on", "dmarc=fail")
    assert result.returncode == 0
    assert ("headerscope: dmarc was not checked for 6 of 6 message(s) scanned (offline: --dns-snapshot or live "
            "DNS checks it), so --fail-on dmarc=fail cannot match them; reason=recorded.dmarc_fail matches the "
            "DMARC fail a receiver recorded at delivery") in result.stderr
    # What matches is not changed: the filter keeps nothing, and says why.
    result = run_cli(str(mixed_mbox), "--offline", "--format", "csv", "--filter", "spf=pass,fail")
    assert result.returncode == 0 and len(list(csv.DictReader(io.StringIO(result.stdout)))) == 0
    assert "spf was not checked for 6 of 6 message(s) scanned" in result.stderr
    assert "--filter spf=pass,fail cannot match them" in result.stderr
    # Asking for not_checked, or for another key, is answered as asked: nothing to say.
    result = run_cli(str(mixed_mbox), "--offline", "--format", "csv", "--filter", "dmarc=not_checked",
                     "--filter", "verdict=not_checked,unauthenticated", "--fail-on", "domain=example.net")
    assert result.returncode == 0 and "not checked for" not in result.stderr and "not_checked for" not in result.stderr


def test_a_verdict_that_needs_the_checks_asked_offline_is_said(tmp_path: Path) -> None:
    # Offline the verdict never reaches spoofed (verdict.py needs a recomputed DMARC fail): a
    # --fail-on spoofed gate cannot fire on a mailbox whose receivers recorded DMARC fail and
    # Microsoft's compauth=fail. It still does not fire (a verdict is a verdict), but says so,
    # with the reason= ids that match what the receivers recorded.
    failed = (b"Authentication-Results: mx.example.net; spf=fail smtp.mailfrom=example.org; dkim=none; "
              b"dmarc=fail action=quarantine header.from=example.org; compauth=fail reason=000\r\n" + message(1))
    box = tmp_path / "box.mbox"
    box.write_bytes(mbox_of([failed, message(2)]))
    hint = ("reason=recorded.dmarc_fail,recorded.compauth_fail matches the DMARC and composite authentication "
            "fails the receivers recorded at delivery")
    gate = run_cli(str(box), "--offline", "--format", "csv", "--fail-on", "spoofed")
    assert gate.returncode == 0
    assert ("headerscope: the verdict was not_checked for 2 of 2 message(s) scanned (offline: --dns-snapshot or "
            f"live DNS checks it), so --fail-on spoofed cannot match them; {hint}") in gate.stderr
    kept = run_cli(str(box), "--offline", "--format", "csv", "--filter", "verdict=suspicious,spoofed")
    assert list(csv.DictReader(io.StringIO(kept.stdout))) == []
    assert "so --filter verdict=suspicious,spoofed cannot match them" in kept.stderr
    # The hint's expression is valid and finds the receiver's recorded fail.
    recorded = run_cli(str(box), "--offline", "--format", "csv", "--filter",
                       "reason=recorded.dmarc_fail,recorded.compauth_fail")
    assert [r["subject"] for r in csv.DictReader(io.StringIO(recorded.stdout))] == ["message 1"]


def test_an_error_row_claims_no_kind(tmp_path: Path) -> None:
    # A row that holds no message is not sorted among the messages by its kind.
    maildir = tmp_path / "Maildir"
    _maildir(maildir, {"cur/1:2,S": message(1), "cur/2:2,S": bytes(range(256)) * 8})
    rows = list(csv.DictReader(io.StringIO(run_cli(str(maildir), "--offline", "--format", "csv").stdout)))
    assert [(r["error"], r["kind"]) for r in rows] == [("", "message"), ("binary data, not the text of a message", "")]


def test_a_cut_off_file_in_a_maildir_is_said_to_be(tmp_path: Path) -> None:
    from test_loader import CUT_OFF

    maildir = tmp_path / "Maildir"
    _maildir(maildir, {"cur/1:2,S": message(1), "cur/3:2,S": CUT_OFF})
    rows = list(csv.DictReader(io.StringIO(run_cli(str(maildir), "--offline", "--format", "csv").stdout)))
    # Said (a warning, so among the failing reasons), and its earliest hop's client, a hand-over
    # inside the receiving side (hops.arrival_missing), is no sending server.
    assert "input.truncated" in rows[1]["failing_reasons"].split(";")
    assert "hops.arrival_missing" in rows[1]["other_findings"].split(";") and rows[1]["client_ip"] == ""
    assert rows[0]["client_ip"] == "192.0.2.2"
    # analyze of the same Maildir file says the same; the same bytes in a loose file stay a paste.
    env = {**os.environ, "NO_COLOR": "1"}

    def finding_ids(path: Path) -> list[str]:
        done = subprocess.run([sys.executable, "-m", "headerscope", "analyze", str(path), "--offline", "-f", "json"],
                              capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
        return [f["id"] for f in json.loads(done.stdout)["findings"]]

    assert "input.truncated" in finding_ids(maildir / "cur" / "3:2,S")
    loose = tmp_path / "headers.txt"
    loose.write_bytes(CUT_OFF)
    assert "input.truncated" not in finding_ids(loose)


def test_a_never_sent_msg_has_no_check_results_in_its_row(tmp_path: Path) -> None:
    # The corpus's outer.msg is an Outlook draft (flagged unsent: input.never_sent). No server
    # took it in, so its rebuilt header's missing From: domain is no DMARC permerror, and no
    # check has a delivery to judge: --filter dmarc=permerror must not list it beside forgeries.
    import headerscope
    from headerscope.scan.runner import summarize

    draft = (CORPUS / "messages" / "eml_analyzer" / "outer.msg").read_bytes()
    report = headerscope.analyze(draft, offline=True)
    assert report.verdict.status == "not_checked" and "input.never_sent" in [f.id for f in report.findings]
    assert report.dmarc is not None and report.dmarc.result == "not_checked"
    assert "never sent" in report.dmarc.explanation
    assert [c.recomputed for c in report.comparison if c.method == "dmarc"] == ["not_checked"]
    row = summarize(1, "outer.msg", report)
    assert (row.dkim, row.spf, row.dmarc, row.arc) == ("not_checked",) * 4
    # A sent .msg keeps its row as read (no signature: dkim none).
    sent = summarize(2, "other.msg", headerscope.analyze(
        (CORPUS / "messages" / "eml_analyzer" / "other.msg").read_bytes(), offline=True))
    assert (sent.dkim, sent.arc) == ("none", "none")
    (tmp_path / "draft.msg").write_bytes(draft)
    result = run_cli(str(tmp_path), "--offline", "--format", "csv", "--filter", "dmarc=permerror")
    assert result.returncode == 0 and list(csv.DictReader(io.StringIO(result.stdout))) == []


def test_the_header_line_gives_the_scans_unreadable_and_cut_off_files_filtered_or_not(tmp_path: Path) -> None:
    # A zero-byte file is an error row; a Maildir file that stops inside its header (before its
    # Subject:) is read as far as it goes (input.truncated). The header line counts both, the
    # unreadable one apart from the messages (V52d D3-1), and a filtered run says the scan's
    # totals, not the kept rows' "0 unreadable".
    whole = message(3, from_domain="example.com")
    cut = message(1)[:message(1).index(b"To: ") + 9]  # "To: bob@e", no line end
    maildir = tmp_path / "Maildir"
    _maildir(maildir, {"cur/1.M1.host:2,S": cut, "cur/2.M1.host:2,S": b"", "cur/3.M1.host:2,S": whole})
    result = run_cli(str(maildir), "--offline", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "2 message(s), 1 unreadable, 1 cut off."
    line = next(x for x in result.stdout.splitlines() if "(cut off)" in x)
    assert line.split()[0] == "1"  # its subject cell, which the file stops before
    kept = run_cli(str(maildir), "--offline", "--jobs", "1", "--filter", "domain=example.com")
    assert kept.stdout.splitlines()[0] == "1 message(s) kept by --filter, of 2 scanned (1 unreadable, 1 cut off)."
    both = run_cli(str(maildir), "--offline", "--jobs", "1", "--filter", "error=no")
    assert both.stdout.splitlines()[0] == "2 message(s) kept by --filter (1 cut off), of 2 scanned (1 unreadable, 1 cut off)."


def test_the_failing_reason_table_says_its_severities_and_the_same_id_as_a_notice() -> None:
    # The table counts warnings and dangers; --filter reason= matches any severity. A receiver's
    # DMARC fail an ARC chain explains is a notice (other_findings): counted beside the failing
    # ones, so 2 + 1 is what --filter reason=recorded.dmarc_fail keeps.
    from headerscope.scan.filters import parse_expression
    from headerscope.scan.output import Summary, render_summary
    from headerscope.scan.runner import ScanRow

    rows = [ScanRow(index=1, label="a", error=None, verdict="not_checked", failing_reasons=("recorded.dmarc_fail",)),
            ScanRow(index=2, label="b", error=None, verdict="not_checked",
                    failing_reasons=("recorded.dmarc_fail", "spam.flagged"), other_findings=("recorded.dmarc_fail",)),
            ScanRow(index=3, label="c", error=None, verdict="not_checked", failing_reasons=("spam.flagged",),
                    other_findings=("recorded.dmarc_fail", "input.cleaned")),
            ScanRow(index=4, label="d", error=None, verdict="not_checked", other_findings=("input.cleaned",))]
    summary = Summary()
    for row in rows:
        summary.add(row)
    text = render_summary(summary, False)
    assert "failing reason (warning, danger)" in text and "+ as notice/info" in text
    table = {line.split()[0]: line.split("│") for line in text.splitlines() if line.startswith(("recorded.", "spam."))}
    assert [cell.strip() for cell in table["recorded.dmarc_fail"][1:3]] == ["2", "+1"]
    assert [cell.strip() for cell in table["spam.flagged"][1:3]] == ["2", ""]
    assert "input.cleaned" not in table  # a notice only: no failing reason
    assert sum(parse_expression("reason=recorded.dmarc_fail")(row) for row in rows) == 3


def test_csv_says_who_the_copy_was_delivered_to_and_filters_blind_copies(tmp_path: Path) -> None:
    # "Who got the phishing mail by Bcc?": the envelope recipient the receiver recorded, beside To:.
    from headerscope.scan.output import CsvWriter

    def delivered(n: int, to_header: str, extra: str = "") -> bytes:
        return ("Delivered-To: carol@example.net\r\n" + extra + message(n).decode().replace(
            "To: bob@example.net", f"To: {to_header}")).encode()

    box = tmp_path / "box.mbox"
    box.write_bytes(mbox_of([
        delivered(1, "undisclosed-recipients:;"),
        delivered(2, "carol@example.net"),
        delivered(3, "dev@lists.example.org", "List-Id: Developers <dev.lists.example.org>\r\n"),
    ]))
    rows = list(run_scan(iter_inputs([str(box)]), ScanOptions(offline=True), 1))
    assert [(r.rcpt_to, r.envelope) for r in rows] == [
        (("carol@example.net",), ("bcc",)), (("carol@example.net",), ()), (("carol@example.net",), ("list",))]
    out = io.StringIO()
    writer = CsvWriter(out)
    for row in rows:
        writer.write(row)
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["rcpt_to"], r["envelope"]) for r in parsed] == [
        ("carol@example.net", "bcc"), ("carol@example.net", ""), ("carol@example.net", "list")]
    blind = run_cli(str(box), "--offline", "--format", "csv", "--jobs", "1", "--filter", "envelope=bcc")
    assert [r["subject"] for r in csv.DictReader(io.StringIO(blind.stdout))] == ["message 1"]
    carol = run_cli(str(box), "--offline", "--format", "csv", "--jobs", "1", "--filter", "rcpt=CAROL@",
                    "--filter", "envelope=list")
    assert [r["subject"] for r in csv.DictReader(io.StringIO(carol.stdout))] == ["message 3"]
    refused = run_cli(str(box), "--offline", "--format", "csv", "--filter", "envelope=blind")
    assert refused.returncode != 0 and "unknown envelope value 'blind'" in refused.stderr


def test_a_semicolon_inside_a_list_columns_value_does_not_split_it(tmp_path: Path) -> None:
    # A quoted local part may hold ";" (RFC 5321 section 4.1.2): splitting the cell on ";" must
    # give back the addresses, not "\"a" and "b\"@example.net".
    from headerscope.scan.output import CsvWriter

    box = tmp_path / "box.mbox"
    box.write_bytes(mbox_of([message(1).decode().replace(
        "To: bob@example.net", 'Reply-To: "a;b"@example.net, c@example.net\r\nTo: bob@example.net').encode()]))
    [row] = list(run_scan(iter_inputs([str(box)]), ScanOptions(offline=True), 1))
    assert row.reply_to == ('"a;b"@example.net', "c@example.net")
    out = io.StringIO()
    CsvWriter(out).write(row)
    [parsed] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert parsed["reply_to"].split(";") == ['"a%3Bb"@example.net', "c@example.net"]


def test_a_reporting_mailbox_scan_finds_the_reports_by_the_messages_they_carry(tmp_path: Path) -> None:
    # Review AM 7: a SOC's reporting mailbox holds user reports; "which reports carry the
    # costco.com spoof?" matched none (the rows were the reporters').
    from headerscope.scan.output import CsvWriter

    phish = message(7, from_domain="costco.example").replace(b"Hello", b"You won")
    report = (message(1, from_domain="contoso.example").split(b"\r\n\r\n")[0]
              .replace(b"Subject: message 1", b"Subject: [Phish Alert] You won")
              + b"\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"
              b"--B\r\nContent-Type: text/plain\r\n\r\nPlease look at this.\r\n"
              b"--B\r\nContent-Type: message/rfc822\r\n\r\n" + phish + b"\r\n--B--\r\n")
    box = tmp_path / "reports.mbox"
    box.write_bytes(mbox_of([report, message(2)]))
    rows = list(run_scan(iter_inputs([str(box)]), ScanOptions(offline=True), 1))
    assert [(r.kind, r.attached_domains) for r in rows] == [("forward", ("costco.example",)), ("message", ())]
    out = io.StringIO()
    writer = CsvWriter(out)
    for row in rows:
        writer.write(row)
    assert [r["attached_domains"] for r in csv.DictReader(io.StringIO(out.getvalue()))] == ["costco.example", ""]
    kept = run_cli(str(box), "--offline", "--format", "csv", "--jobs", "1", "--filter", "attached=costco.example")
    assert [r["subject"] for r in csv.DictReader(io.StringIO(kept.stdout))] == ["[Phish Alert] You won"]


def test_a_file_name_that_is_not_utf8_or_holds_a_line_break_is_named_alike_in_csv_and_jsonl(tmp_path: Path) -> None:
    # CSV dropped the Latin-1 byte ("Rechnung_Mrz.eml") and the line break, JSONL wrote U+FFFD:
    # neither named the file (V38c). Both now write the byte as \xe4 and the break as \n.
    folder = os.fsencode(tmp_path / "names")
    os.mkdir(folder)
    body = b"From: a@example.org\nSubject: s\nDate: Mon, 2 Jan 2023 10:00:00 +0000\n\nhi\n"
    for name in (b"Rechnung_M\xe4rz.eml", b"line\nbreak.eml", b"esc\x1b[2J\xe2\x80\xaegpj.eml"):
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(body)
    # A Maildir folder named in Latin-1: its folder and flags are still read from the path.
    maildir = os.path.join(folder, b"Maildir")
    for part in (b"", b"cur", b"new", b"tmp", b".Sp\xe4m", b".Sp\xe4m/cur", b".Sp\xe4m/new", b".Sp\xe4m/tmp"):
        os.mkdir(os.path.join(maildir, part))
    with open(os.path.join(maildir, b".Sp\xe4m/cur/1.host:2,S"), "wb") as handle:
        handle.write(body)
    base = str(tmp_path / "names")
    expected = [f"{base}/Maildir/.Sp\\xe4m/cur/1.host:2,S", f"{base}/Rechnung_M\\xe4rz.eml",
                f"{base}/esc\\x1b[2J\\u202egpj.eml", f"{base}/line\\nbreak.eml"]
    result = run_cli(base, "--offline", "--format", "csv", "--jobs", "1")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["source"] for r in rows] == expected
    assert (rows[0]["folder"], rows[0]["mailbox_flags"]) == ("Sp\\xe4m", "seen")
    result = run_cli(base, "--offline", "--format", "jsonl", "--jobs", "2")
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["input"]["source"] for r in reports] == expected
    assert reports[0]["input"]["folder"]["name"] == "Sp\\xe4m"
    # The terminal never gets the escape byte raw.
    assert "\x1b" not in run_cli(base, "--offline", "--no-color").stdout


@pytest.mark.parametrize("lazy", [False, True])
def test_a_mailbox_whose_first_line_is_not_a_separator_is_read_as_a_mailbox(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lazy: bool) -> None:
    # A cut mailbox ("Subject: junk first", a blank line, then a whole mbox) was read as one
    # message, the real ones merged into its body (V38c); Python's mailbox.mbox gives them.
    from headerscope.scan import readers
    from headerscope.scan.readers import iter_inputs

    stray = b"Subject: junk first\n\n"
    box = mbox_of([message(1), message(2)])
    for name, data in (("cut.mbox", stray + box), ("Inbox.mbox", stray + box),
                       ("crlf.mbox", (stray + box).replace(b"\n", b"\r\n"))):
        path = tmp_path / name
        path.write_bytes(data)
        for chunk in (7, 1 << 20):  # a separator line straddling two chunks of the look-through
            monkeypatch.setattr(readers, "_READ_CHUNK", chunk)
            items = [read_input(item) for item in iter_inputs([str(path)], lazy=lazy)]
            assert [item.label for item in items] == [f"{path}#1", f"{path}#2", f"{path}#3"], (name, chunk)
            assert [item.no_separator for item in items] == [True, False, False]
            assert items[0].data == stray[:-1].replace(b"\n", b"\r\n" if "crlf" in name else b"\n")
            assert b"Subject: message 2" in (items[2].data or b"")
    monkeypatch.setattr(readers, "_READ_CHUNK", 1 << 20)
    # One message whose body has "From " lines after a blank line, none of a separator's full
    # shape (no date, or no header field after it), stays one; a file named as one message
    # stays one whatever its body quotes (its DKIM body hash needs the whole body).
    single = message(1, body=b"hi\n\nFrom my side: Mon Jan  2 10:00:00 2023\n\n"
                             b"From alice@example.org Mon Jan  2 10:00:00 2023\nnot a field\n").replace(b"\r\n", b"\n")
    (tmp_path / "note").write_bytes(single)
    (tmp_path / "quoted.eml").write_bytes(stray + box)
    for name in ("note", "quoted.eml"):
        items = list(iter_inputs([str(tmp_path / name)], lazy=lazy))
        assert [item.label for item in items] == [str(tmp_path / name)]
    # A message whose body quotes "git format-patch" output (its "From <commit>" line carries git's
    # fixed date, header fields follow), one named .txt, and a file found in a folder walk (an MH
    # folder's "1") are single messages: a body may quote a separator-shaped line.
    patch = message(1, body=b"Please apply:\n\nFrom 3f1a2b4c5d6e7f8091a2b3c4d5e6f708192a3b4c Mon Sep 17 00:00:00 2001\n"
                            b"From: Dev <dev@example.org>\nSubject: [PATCH] fix\n\n--- a/x\n").replace(b"\r\n", b"\n")
    (tmp_path / "patchmail").write_bytes(patch)
    (tmp_path / "saved.txt").write_bytes(stray + box)
    folder = tmp_path / "mh"
    folder.mkdir()
    (folder / "1").write_bytes(stray + box)
    # Only a name that says mailbox is looked through (V39b): an extensionless message given by
    # name, or a .eml with "mbox" in its name, whose body quotes a bounce's mbox entry, stays one.
    (tmp_path / "Inbox").write_bytes(stray + box)
    (tmp_path / "Re mbox corruption.eml").write_bytes(stray + box)
    for name in ("patchmail", "saved.txt", "Inbox", "Re mbox corruption.eml"):
        items = list(iter_inputs([str(tmp_path / name)], lazy=lazy))
        assert [item.label for item in items] == [str(tmp_path / name)], name
    assert [item.label for item in iter_inputs([str(folder)], lazy=lazy)] == [str(folder / "1")]
    # A folder's file named as a mailbox is looked through.
    (folder / "1").unlink()
    (folder / "old.mbox").write_bytes(stray + box)
    assert len(list(iter_inputs([str(folder)], lazy=lazy))) == 3
    # The scan's row of the stray entry says what it is.
    result = run_cli(str(tmp_path / "cut.mbox"), "--offline", "--format", "csv", "--jobs", "1")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert ["input.no_separator" in row["other_findings"].split(";") for row in rows] == [True, False, False]


@pytest.mark.parametrize("lazy", [False, True])
def test_a_cut_thunderbird_folder_is_read_as_a_mailbox_by_its_msf_index(tmp_path: Path, lazy: bool) -> None:
    # Thunderbird keeps each folder as an mbox file with no extension and its summary index beside
    # it, the same name with ".msf" added (a Mork file); subfolders under "Inbox.sbd/". A cut folder
    # (its first entry lost its separator) was read as one message, the others merged into its body.
    stray = b"Subject: junk first\n\n"
    box = mbox_of([message(1), message(2)])
    mork = b'// <!-- <mdb:mork:z v="1.4"/> -->\n< <(a=c)> // (f=iso-8859-1)\n  (B8=Subject)>\n'
    local = tmp_path / "Mail" / "Local Folders"
    (local / "Inbox.sbd").mkdir(parents=True)
    (local / "Inbox").write_bytes(stray + box)
    (local / "Inbox.msf").write_bytes(mork)
    (local / "Inbox.sbd" / "Sub").write_bytes(stray + box)
    (local / "Inbox.sbd" / "Sub.msf").write_bytes(mork)
    inbox, sub = local / "Inbox", local / "Inbox.sbd" / "Sub"
    # Given by name.
    for folder in (inbox, sub):
        items = [read_input(item) for item in iter_inputs([str(folder)], lazy=lazy)]
        assert [item.label for item in items] == [f"{folder}#1", f"{folder}#2", f"{folder}#3"]
        assert [item.no_separator for item in items] == [True, False, False]
        assert b"Subject: message 2" in (items[2].data or b"")
    # Scanned as a directory: the two folders' entries; the indexes are passed over (no mail).
    passed: list[str] = []
    labels = [item.label for item in iter_inputs([str(tmp_path / "Mail")], lazy=lazy, passed_over=passed)]
    assert labels == [f"{folder}#{n}" for folder in (inbox, sub) for n in (1, 2, 3)]
    assert sorted(Path(name).name for name in passed) == ["Inbox.msf", "Sub.msf"]
    # A message saved on its own with no extension has no index beside it: one message whatever its
    # body quotes (V39b); nor does an index make a file named as one message a mailbox.
    (local / "Saved").write_bytes(stray + box)
    (local / "Drafts.eml").write_bytes(stray + box)
    (local / "Drafts.eml.msf").write_bytes(mork)
    for name in ("Saved", "Drafts.eml"):
        assert [item.label for item in iter_inputs([str(local / name)], lazy=lazy)] == [str(local / name)]
    # An index that is a folder, not a file, says nothing.
    (local / "Saved.msf").mkdir()
    assert [item.label for item in iter_inputs([str(local / "Saved")], lazy=lazy)] == [str(local / "Saved")]


def _quoted_bounce(sign: bool) -> bytes:
    """A single message whose body quotes a bounce as it sits in an mbox: a separator of the full
    shape (blank line, dated "From " line, header fields after it), DKIM-signed or not (V39b)."""
    body = (b"Bob,\r\n\r\nhere is the raw bounce as it sits in my mbox:\r\n\r\n"
            b"From MAILER-DAEMON Thu Nov 26 09:00:00 2026\r\nReturn-Path: <>\r\n"
            b"From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
            b"Subject: Undelivered Mail Returned to Sender\r\n\r\nThis is the mail system.\r\n\r\n-- Alice\r\n")
    header = (b"From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: the raw bounce\r\n"
              b"Date: Thu, 26 Nov 2026 09:10:00 -0800\r\nMessage-ID: <q1@example.com>\r\n\r\n")
    if not sign:
        return header + body
    import dkim

    key = (SAMPLES / "keys" / "example.com.rsa2048.pem").read_bytes()
    return bytes(dkim.sign(header + body, b"s2026", b"example.com", key,
                           include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])) + header + body


@pytest.mark.parametrize("lf", [True, False])
def test_a_cut_mailbox_compressed_is_read_as_a_mailbox_and_standard_input_is_one_message(tmp_path: Path, lf: bool) -> None:
    # A cut mailbox compressed (.gz, .bz2, .xz) was read as one message, the real ones merged into its
    # body: a file whose name (without the compression suffix) says mailbox is looked through as that
    # file would be. Standard input has no name: a single message piped in keeps its sender's "From "
    # lines unquoted (RFC 4155 section 2), so it is never cut there (verification V41b: a list post
    # quoting a mailbox entry, and a forger's message quoting a genuine signed one, became two rows).
    import bz2
    import gzip
    import lzma

    from headerscope.scan.readers import STDIN_LABEL, iter_stream

    def ends(data: bytes) -> bytes:
        return data.replace(b"\r\n", b"\n") if lf else data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")

    cut = ends(b"Subject: junk first\n\n" + mbox_of([message(1), message(2)]))

    def piped(data: bytes, max_message: int = 1 << 20) -> list[tuple[str, bool, bytes | None]]:
        stream = io.BytesIO(data)
        return [(item.label, item.no_separator, item.data)
                for item in iter_stream(lambda size: stream.read(min(size, 5)), STDIN_LABEL, max_message)]

    assert piped(cut) == [(STDIN_LABEL, False, cut)]
    for single in (ends(_quoted_bounce(False)), ends(_quoted_bounce(True))):
        assert piped(single) == [(STDIN_LABEL, False, single)]
    parts = [ends(b"Subject: junk first\n")] + [ends(m) for m in (message(1), message(2))]
    for suffix, compress in ((".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)):
        assert piped(compress(cut)) == [(STDIN_LABEL, False, cut)]
        for name, looked in (("cut.mbox", True), ("Archive-mbox", True), ("cut.eml", False), ("cut.txt", False),
                             ("cut", False)):
            path = tmp_path / (name + suffix)
            path.write_bytes(compress(cut))
            items = list(iter_inputs([str(path)]))
            # By the name of the file it holds, as that file would be read.
            assert [item.no_separator for item in items] == ([True, False, False] if looked else [False]), path.name
            if looked:
                assert items[0].data == parts[0] and b"Subject: message 2" in (items[2].data or b"")
            else:
                assert [item.data for item in items] == [cut]
    # The same guards as a file's: "git format-patch" output quoted in a body, a "From " line with
    # no date or no header field after it, are no separators.
    patch = ends(message(1, body=b"Please apply:\n\nFrom 3f1a2b4c5d6e7f8091a2b3c4d5e6f708192a3b4c Mon Sep 17 00:00:00 "
                                 b"2001\nFrom: Dev <dev@example.org>\nSubject: [PATCH] fix\n\n--- a/x\n"))
    path = tmp_path / "patch.mbox.gz"
    path.write_bytes(gzip.compress(patch))
    assert [item.no_separator for item in iter_inputs([str(path)])] == [False]


def test_a_cut_mailbox_piped_to_scan_is_one_message(tmp_path: Path) -> None:
    data = b"Subject: junk first\n\n" + mbox_of([message(1), message(2)])
    result = subprocess.run([sys.executable, "-m", "headerscope", "scan", "-", "--offline", "--format", "csv",
                             "--jobs", "1"], input=data, capture_output=True, cwd=REPO, timeout=120)
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode())))
    # One message: standard input has no name to say mailbox (see the test above).
    assert [row["source"] for row in rows] == ["stdin"], rows
