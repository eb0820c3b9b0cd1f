"""Walking a directory tree: messages and mailboxes are read, other files are passed over."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, SAMPLES

from headerscope.scan.readers import iter_inputs, looks_like_mail


def test_samples_folder_yields_only_the_messages() -> None:
    labels = sorted(Path(item.label).name for item in iter_inputs([str(SAMPLES)]))
    # The keys, DNS snapshots, generator script and README beside the samples are not mail.
    assert labels == sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".eml", ".txt"))


def test_sniffing_rules(tmp_path: Path) -> None:
    cases = {
        "message.eml": b"Received: from a by b; Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nx",
        "paste.txt": b"\r\n\r\n  Subject: indented paste\n",
        "box": b"From someone Mon Nov  2 10:00:00 2026\nSubject: x\n\nbody\n",
        "outlook.msg": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        "snapshot.json": b'{"example.com": {"TXT": []}}',
        "key.pem": b"-----BEGIN PRIVATE KEY-----\nMII\n",
        "notes.md": b"# Notes\n\nnothing here\n",
        "image.png": b"\x89PNG\r\n\x1a\n",
        # Pastes as saved from a client or a page: Gmail's "Show original", Outlook's header
        # pane banner, a UTF-16 text from Windows, a quoted header.
        "gmail.txt": b"Original message\nMessage ID\t<1@example.com>\n",
        "outlook.txt": b"Microsoft Mail Internet Headers Version 2.0\r\nReceived: from a by b\r\n",
        "utf16.txt": "Subject: x\r\n".encode("utf-16"),
        "quoted.txt": b"> Received: from a by b; Mon, 2 Nov 2026 10:00:00 +0000\n",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    assert {n for n in cases if looks_like_mail(tmp_path / n)} == {
        "message.eml", "paste.txt", "box", "outlook.msg", "gmail.txt", "outlook.txt", "utf16.txt", "quoted.txt"}
    # The others are passed over, and named for the caller to say so.
    passed_over: list[str] = []
    found = [Path(i.label).name for i in iter_inputs([str(tmp_path)], passed_over=passed_over)]
    assert "gmail.txt" in found and "notes.md" not in found
    assert sorted(Path(p).name for p in passed_over) == ["image.png", "key.pem", "notes.md", "snapshot.json"]
    # A file named on the command line is analyzed whatever it holds.
    assert [i.label for i in iter_inputs([str(tmp_path / "notes.md")])] == [str(tmp_path / "notes.md")]


def test_corpus_messages_are_all_recognised() -> None:
    for path in sorted((CORPUS / "messages").rglob("*")):
        if path.is_file() and path.name not in ("README.md", "LICENSE.txt"):
            assert looks_like_mail(path), path


def test_files_named_as_mail_are_taken_whatever_they_hold(tmp_path: Path) -> None:
    # A damaged message or mailbox must show as an error row, not vanish from the scan.
    for name in ("junk.eml", "Saved.EML", "old.mbx", "inbox.mbox.gz", "mail.msg", "box.mbox.xz"):
        (tmp_path / name).write_bytes(b"\x89\x00\x01 not mail")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    (tmp_path / "archive.tar.gz").write_bytes(b"\x1f\x8b\x08\x00")
    assert sorted(p.name for p in tmp_path.iterdir() if looks_like_mail(p)) == [
        "Saved.EML", "box.mbox.xz", "inbox.mbox.gz", "junk.eml", "mail.msg", "old.mbx"]


def test_compressed_files_are_judged_by_what_they_hold(tmp_path: Path) -> None:
    import gzip

    # A mailing list's monthly archive, and a compressed file that is not mail.
    (tmp_path / "2024-January.txt.gz").write_bytes(gzip.compress(b"From a@b.test Mon Jan  1 10:00:00 2024\nSubject: x\n\nhi\n"))
    (tmp_path / "notes.txt.gz").write_bytes(gzip.compress(b"# Notes\n\nnothing here\n"))
    (tmp_path / "broken.txt.gz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    assert sorted(p.name for p in tmp_path.iterdir() if looks_like_mail(p)) == ["2024-January.txt.gz"]
    assert [i.label for i in iter_inputs([str(tmp_path)])] == [f"{tmp_path / '2024-January.txt.gz'}#1"]


def test_a_fifo_or_an_unlistable_folder_in_a_tree_is_an_error_row_and_the_walk_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from headerscope.scan import readers

    tree = tmp_path / "tree"
    (tree / "locked").mkdir(parents=True)
    (tree / "a.eml").write_bytes(b"From: a@example.org\nSubject: a\n\nhi\n")
    os.mkfifo(tree / "pipe.eml")  # opening it to read would wait for a writer for ever
    real_walk = os.walk

    def walk(top, onerror=None):  # type: ignore[no-untyped-def]
        # As os.walk reports a folder it may not list (root may list any, so it is simulated).
        for root, dirs, files in real_walk(top, onerror=onerror):
            if root.endswith("locked") and onerror is not None:
                onerror(PermissionError(13, "Permission denied", root))
                continue
            yield root, dirs, files

    monkeypatch.setattr(readers.os, "walk", walk)
    items = list(iter_inputs([str(tree)]))
    assert [(Path(i.label).name, i.error) for i in items] == [
        ("a.eml", None), ("pipe.eml", "not a regular file (a FIFO)"), ("locked", "Permission denied")]
    # The same in a Maildir's new/ (it was passed over without a word).
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.host").write_bytes(b"From: a@example.org\r\nSubject: a\r\n\r\nhi\r\n")
    os.mkfifo(maildir / "new" / "2.host")
    assert [(Path(i.label).name, i.error) for i in iter_inputs([str(maildir)])] == [
        ("1.host", None), ("2.host", "not a regular file (a FIFO)")]
    # A folder whose entries cannot be looked at is no Maildir, and no crash.
    monkeypatch.setattr(readers.Path, "is_dir", lambda self: (_ for _ in ()).throw(PermissionError(13, "denied")))
    assert readers.is_maildir(tree) is False


def test_an_mh_folders_profile_files_and_deleted_messages_are_no_messages(tmp_path: Path) -> None:
    # nmh keeps "context" ("Current-Folder: inbox") beside its folders and renames a deleted
    # message ",3": both were analysed as messages. "Key: value" lines without one field a
    # message carries are not mail (a YAML or properties file either).
    root = tmp_path / "Mail"
    (root / "inbox").mkdir(parents=True)
    (root / "context").write_bytes(b"Current-Folder: inbox\n")
    (root / "settings").write_bytes(b"name: mailer\nversion: 3\n")
    message = b"Received: by mx.example.org; Mon, 2 Nov 2026 10:00:00 +0000\nFrom: a@example.org\nSubject: s\n\nhi\n"
    for name in ("1", "2", ",3", "10"):
        (root / "inbox" / name).write_bytes(message)
    (root / "inbox" / ".mh_sequences").write_bytes(b"unseen: 1-2\n")
    passed_over: list[str] = []
    assert [Path(i.label).relative_to(root).as_posix() for i in iter_inputs([str(root)], passed_over=passed_over)] == [
        "inbox/1", "inbox/2", "inbox/10"]
    assert sorted(Path(p).name for p in passed_over) == ["context", "settings"]
    # Extension fields count as a message's: a bare "X-" header block still is one.
    (root / "inbox" / "11").write_bytes(b"X-Mailer: x\nX-Priority: 1\n\nbody\n")
    assert looks_like_mail(root / "inbox" / "11")


def test_a_folder_that_could_not_be_listed_is_counted_apart_from_the_messages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # "3 message(s), 2 unreadable" was said of one message, one unreadable file and one folder
    # that could not be listed (V38c): a folder is no message.
    import csv
    import io
    import json
    import os

    from headerscope.scan import readers
    from headerscope.scan.output import CsvWriter, JsonlWriter, Summary, render_summary
    from headerscope.scan.runner import ScanOptions, run_scan

    tree = tmp_path / "tree"
    (tree / "locked").mkdir(parents=True)
    (tree / "a.eml").write_bytes(b"From: a@example.org\nSubject: a\nDate: Mon, 2 Jan 2023 10:00:00 +0000\n\nhi\n")
    (tree / "b.eml").write_bytes(bytes(range(256)) * 8)  # binary: an unreadable row
    real_walk = os.walk

    def walk(top, onerror=None):  # type: ignore[no-untyped-def]
        for root, dirs, files in real_walk(top, onerror=onerror):
            if root.endswith("locked") and onerror is not None:
                onerror(PermissionError(13, "Permission denied", root))
                continue
            yield root, dirs, files

    monkeypatch.setattr(readers.os, "walk", walk)
    rows = list(run_scan(iter_inputs([str(tree)]), ScanOptions(offline=True), jobs=1))
    assert [(Path(r.label).name, r.error is None, r.kind) for r in rows] == [
        ("a.eml", True, "message"), ("b.eml", False, ""), ("locked", False, "folder")]
    summary = Summary()
    for row in rows:
        summary.seen(row)
        summary.add(row)
    text = render_summary(summary, color=False)
    # The unreadable file is counted apart from the messages too (V52d D3-1): it holds none.
    assert text.splitlines()[0] == "1 message(s), 1 unreadable, 1 folder could not be listed."
    assert "Permission denied" in text  # listed in the table with the unreadable file
    # Filtered: the scan's totals count the folder apart too.
    kept = Summary()
    for row in rows:
        kept.seen(row)
        if row.error is None:
            kept.add(row)
    kept.scanned = len(rows)
    assert render_summary(kept, color=False).splitlines()[0] == (
        "1 message(s) kept by --filter, of 1 scanned (1 unreadable, 1 folder could not be listed).")
    assert kept.total == 1
    # CSV and JSONL say which row is a folder.
    out = io.StringIO()
    writer = CsvWriter(out)
    for row in rows:
        writer.write(row)
    assert [r["kind"] for r in csv.DictReader(io.StringIO(out.getvalue()))] == ["message", "", "folder"]
    lines = io.StringIO()
    jsonl = JsonlWriter(lines)
    for row in rows[1:]:
        jsonl.write(row)
    assert [json.loads(line).get("kind") for line in lines.getvalue().splitlines()] == [None, "folder"]
