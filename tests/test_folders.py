"""The mail folder a stored copy was in (a Maildir's, an mbox file's, an export's) and its
Maildir flags: read from the path, shown in analyze, and as scan columns."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from test_scan import mbox_of, message

from headerscope.api import analyze
from headerscope.folders import is_junk_name, mail_folder
from headerscope.scan.output import CsvWriter
from headerscope.scan.readers import iter_inputs
from headerscope.scan.runner import ScanOptions, run_scan


def _maildir(path: Path) -> Path:
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    return path


def test_maildir_folders_and_flags(tmp_path: Path) -> None:
    root = _maildir(tmp_path / "Maildir")
    junk = _maildir(root / ".Junk")
    nested = _maildir(root / ".Lists.dev")
    fs_layout = _maildir(root / "Archive")  # Dovecot LAYOUT=fs: a plain directory in its parent
    inbox_file = root / "cur" / "1700000000.M1P2.host,S=120,W=124:2,RS"
    junk = mail_folder(str(junk / "cur" / "1700000001.M1P2.host:2,S"), "eml")
    inbox = mail_folder(str(inbox_file), "eml")
    assert inbox is not None and junk is not None
    assert (inbox.name, inbox.store, inbox.junk) == ("INBOX", "Maildir", False)
    assert inbox.flags == ("replied", "seen") and inbox.flags_as_written == ":2,RS"
    assert (junk.name, junk.junk, junk.flags) == ("Junk", True, ("seen",))
    listed = mail_folder(str(nested / "new" / "1700000002.M1P2.host"), "eml")
    assert listed is not None and (listed.name, listed.flags, listed.flags_as_written) == ("Lists/dev", (), "")
    archived = mail_folder(str(fs_layout / "cur" / "1.M1.host:2,PFT"), "eml")
    assert archived is not None and archived.name == "Archive"
    assert archived.flags == ("flagged", "passed on (forwarded or bounced)", "trashed")
    # Maildirs on file systems without ":" write "!" (Dovecot's maildir_colon_char, mbsync);
    # Dovecot's own keywords are lower-case letters, not the specification's flags.
    windows = mail_folder(str(root / "cur" / "1.M1.host!2,Sab"), "eml")
    assert windows is not None and windows.flags == ("seen",) and windows.flags_as_written == "!2,Sab"


def test_mailbox_files_exports_and_loose_files(tmp_path: Path) -> None:
    thunderbird = mail_folder(str(tmp_path / "Mail" / "Local Folders" / "Junk") + "#3", "mbox-entry")
    assert thunderbird is not None and (thunderbird.name, thunderbird.store, thunderbird.junk) == ("Junk", "mbox", True)
    apple = mail_folder(str(tmp_path / "Spam.mbox" / "mbox") + "#1", "mbox-entry")
    assert apple is not None and (apple.name, apple.junk) == ("Spam", True)
    archive = mail_folder(str(tmp_path / "2024-January.txt.gz") + "#12", "mbox-entry")
    assert archive is not None and (archive.name, archive.junk) == ("2024-January", False)
    emlx = mail_folder(str(tmp_path / "V10" / "acct" / "Junk.mbox" / "X" / "Data" / "Messages" / "12.emlx"), "emlx")
    assert emlx is not None and (emlx.name, emlx.store, emlx.junk) == ("Junk", "Apple Mail", True)
    outlook = mail_folder(str(tmp_path / "export" / "Junk E-mail" / "offer.msg"), "msg")
    assert outlook is not None and (outlook.name, outlook.store, outlook.junk) == ("Junk E-mail", "folder", True)
    # Any other directory says nothing about the mail, nor does standard input.
    assert mail_folder(str(tmp_path / "Downloads" / "x.eml"), "eml") is None
    assert mail_folder("-", "eml") is None and mail_folder("stdin#2", "mbox-entry") is None


@pytest.mark.parametrize(("name", "junk"), [
    ("Junk", True), ("[Gmail]/Spam", True), ("INBOX/Junk E-mail", True), ("Bulk Mail", True),
    ("Courrier indésirable", True), ("Junk.sbd", True), ("junk-e-mail", True),
    ("INBOX", False), ("Junkyard", False), ("Spam reports", False), ("Sent", False),
])
def test_junk_folder_names(name: str, junk: bool) -> None:
    assert is_junk_name(name) is junk


def test_analyze_says_where_the_copy_was_stored(tmp_path: Path) -> None:
    root = _maildir(tmp_path / "Maildir")
    path = _maildir(root / ".Junk") / "cur" / "1700000001.M1P2.host:2,RS"
    path.write_bytes(message(1))
    report = analyze(path.read_bytes(), offline=True, source=str(path))
    assert report.input.folder is not None and report.input.folder.junk
    finding = next(f for f in report.findings if f.id == "input.junk_folder")
    assert finding.severity == "notice" and "\"Junk\"" in finding.explanation and "replied, seen" in finding.explanation
    # Text in the message naming a folder is the sender's and changes nothing.
    loose = tmp_path / "x.eml"
    loose.write_bytes(b"X-Folder: Junk\r\nX-Spam-Folder: Junk\r\n" + message(2))
    other = analyze(loose.read_bytes(), offline=True, source=str(loose))
    assert other.input.folder is None
    assert not any(f.id in ("input.junk_folder", "input.folder") for f in other.findings)


@pytest.mark.parametrize("jobs", [1, 2])
def test_scan_rows_carry_the_folder_and_a_junk_folder_is_spam(tmp_path: Path, jobs: int) -> None:
    root = _maildir(tmp_path / "Maildir")
    (root / "cur" / "1.M1.host:2,RS").write_bytes(message(1))
    (_maildir(root / ".Junk") / "cur" / "2.M1.host:2,").write_bytes(message(2))
    (tmp_path / "Junk").write_bytes(mbox_of([message(3)]))  # a Thunderbird folder file
    rows = list(run_scan(iter_inputs([str(root), str(tmp_path / "Junk")]), ScanOptions(offline=True), jobs))
    assert [(r.folder, r.mailbox_flags, r.spam) for r in rows] == [
        ("INBOX", ("replied", "seen"), None), ("Junk", (), "spam"), ("Junk", (), "spam")]
    assert "input.junk_folder" in rows[1].other_findings and "input.folder" in rows[0].other_findings
    out = io.StringIO()
    writer = CsvWriter(out)
    for row in rows:
        writer.write(row)
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["folder"], r["mailbox_flags"], r["spam"]) for r in parsed] == [
        ("INBOX", "replied;seen", "unknown"), ("Junk", "", "yes"), ("Junk", "", "yes")]


def test_a_copy_moved_to_junk_is_spam_whatever_the_receiver_said_at_delivery(tmp_path: Path) -> None:
    # The receiver's SpamAssassin (above its own Received:) said "No" at delivery; the user, or a
    # client-side filter, then moved the copy to Junk: a later spam report, which --help's
    # "spam=yes (the receiver's spam filter, or a junk folder)" promises to match.
    from test_scan import run_cli

    clean = b"X-Spam-Status: No, score=0.4 required=5.0 tests=none version=4.0.0\r\n"
    root = _maildir(tmp_path / "Maildir")
    (root / "cur" / "1.M1.host:2,S").write_bytes(clean + message(1))
    (_maildir(root / ".Junk") / "cur" / "2.M1.host:2,S").write_bytes(clean + message(2))
    (_maildir(root / ".Junk") / "cur" / "3.M1.host:2,S").write_bytes(message(3))
    rows = list(run_scan(iter_inputs([str(root)]), ScanOptions(offline=True), 1))
    assert [(r.folder, r.spam) for r in rows] == [("INBOX", "not spam"), ("Junk", "spam"), ("Junk", "spam")]
    kept = run_cli(str(root), "--offline", "--format", "csv", "--jobs", "1", "--filter", "spam=yes")
    assert [r["subject"] for r in csv.DictReader(io.StringIO(kept.stdout))] == ["message 2", "message 3"]
    kept = run_cli(str(root), "--offline", "--format", "csv", "--jobs", "1", "--filter", "spam=no")
    assert [r["subject"] for r in csv.DictReader(io.StringIO(kept.stdout))] == ["message 1"]


def test_filter_by_maildir_flag(tmp_path: Path) -> None:
    from headerscope.scan.filters import FilterError, parse_expression

    root = _maildir(tmp_path / "Maildir")
    (root / "cur" / "1.M1.host:2,RS").write_bytes(message(1))
    (root / "cur" / "2.M1.host:2,S").write_bytes(message(2))
    (root / "cur" / "3.M1.host:2,PS").write_bytes(message(3))
    rows = list(run_scan(iter_inputs([str(root)]), ScanOptions(offline=True), 1))
    replied = parse_expression("flag=replied")
    passed_on = parse_expression("flag=passed,flagged")
    assert [r.subject for r in rows if replied(r)] == ["message 1"]
    assert [r.subject for r in rows if passed_on(r)] == ["message 3"]
    with pytest.raises(FilterError):
        parse_expression("flag=answered")


def test_a_maildir_file_with_an_envelope_from_line_is_a_maildir_message(tmp_path: Path) -> None:
    # procmail/maildrop deliveries and mb2md conversions keep the mbox "From " line at the top
    # of a Maildir file: its folder and flags are still the Maildir's, not the file name's.
    root = _maildir(tmp_path / "Maildir")
    path = _maildir(root / ".Archive.2004") / "cur" / "503784307.M102886P2078.mx1,S=1874,W=1930:2,RS"
    path.write_bytes(b"From likewise!bandit!dlf Wed Dec 18 19:06:48 1985\n" + message(1).replace(b"\r\n", b"\n"))
    rows = list(run_scan(iter_inputs([str(root)]), ScanOptions(offline=True), 1))
    assert [(r.folder, r.mailbox_flags) for r in rows] == [("Archive/2004", ("replied", "seen"))]
    report = analyze(path.read_bytes(), offline=True, source=str(path))
    assert report.input.folder is not None and report.input.folder.store == "Maildir"
    # A mailbox file's N-th message is still the mailbox's.
    entry = mail_folder(str(path) + "#2", "mbox-entry")
    assert entry is not None and entry.store == "mbox"


def _thunderbird_mbox(entries: list[tuple[bytes, bytes]]) -> bytes:
    """An mbox as Thunderbird keeps a local folder: "From - date" separators, and its own
    status fields written above each stored message (nsMsgLocalFolderHdrs.h)."""
    out = []
    for status_fields, msg in entries:
        out.append(b"From - Mon Nov  2 10:05:00 2026\n" + status_fields + msg.replace(b"\r\n", b"\n") + b"\n")
    return b"".join(out)


@pytest.mark.parametrize("jobs", [1, 2])
def test_thunderbird_flags_are_read_from_its_own_status_fields(tmp_path: Path, jobs: int) -> None:
    inbox = tmp_path / "Inbox"
    sender_written = b"X-Mozilla-Status: 0003\r\n"  # below the receiver's Received: the sender's text
    inbox.write_bytes(_thunderbird_mbox([
        # read and replied (0x0003), forwarded (0x1000)
        (b"X-Mozilla-Status: 1003\nX-Mozilla-Status2: 00000000\nX-Mozilla-Keys:\n", message(1)),
        # deleted by the user, kept until the folder is compacted (0x0008); deleted on the
        # IMAP server (X-Mozilla-Status2 0x00200000); starred (0x0004)
        (b"X-Mozilla-Status: 000d\nX-Mozilla-Status2: 00200000\n", message(2)),
        # no status of Thunderbird's: a sender-written one below the Received field is not read
        (b"", message(3).replace(b"From: ", sender_written + b"From: ", 1)),
        # garbage in the status field: no flags rather than made-up ones
        (b"X-Mozilla-Status: zz01\n", message(4)),
    ]))
    rows = list(run_scan(iter_inputs([str(inbox)]), ScanOptions(offline=True), jobs))
    assert [r.mailbox_flags for r in rows] == [
        ("passed on (forwarded or bounced)", "replied", "seen"), ("flagged", "seen", "trashed"), (), ()]
    assert all(r.folder == "Inbox" for r in rows)
    report = analyze(inbox.read_bytes(), offline=True, source=str(inbox))  # analyze takes the first
    assert report.input.folder is not None
    assert report.input.folder.flags_as_written == "X-Mozilla-Status: 1003; X-Mozilla-Status2: 00000000"
    finding = next(f for f in report.findings if f.id == "input.folder")
    assert "Thunderbird's fields at the top of the stored message" in finding.explanation
    assert "never by the sender" not in finding.explanation
    from headerscope.scan.filters import parse_expression

    deleted = parse_expression("flag=trashed")
    assert [r.subject for r in rows if deleted(r)] == ["message 2"]


def test_a_never_delivered_copy_has_its_thunderbird_status_read(tmp_path: Path) -> None:
    # Thunderbird's Sent folder: no Received field at all; the status fields at the top are its own.
    sent = tmp_path / "Sent"
    body = b"From: me@example.org\nTo: you@example.net\nSubject: sent\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n\nhi\n"
    sent.write_bytes(b"From - Mon Nov  2 10:05:00 2026\nX-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\n" + body)
    rows = list(run_scan(iter_inputs([str(sent)]), ScanOptions(offline=True), 1))
    assert [(r.folder, r.mailbox_flags) for r in rows] == [("Sent", ("seen",))]


def test_google_takeout_labels_give_the_flags_of_each_copy(tmp_path: Path) -> None:
    # Takeout's "All mail Including Spam and Trash.mbox": X-GM-THRID and X-Gmail-Labels above
    # each message; a sender's X-Gmail-Labels below the receiver's Received field is not read.
    takeout = tmp_path / "All mail Including Spam and Trash.mbox"
    entries = [
        b"X-GM-THRID: 1\nX-Gmail-Labels: Inbox,Starred,Opened,Category Updates\n" + message(1),
        b"X-GM-THRID: 2\nX-Gmail-Labels: Trash,Unread\n" + message(2),
        message(3).replace(b"From: ", b"X-Gmail-Labels: Opened,Starred\r\nFrom: ", 1),
    ]
    takeout.write_bytes(b"".join(b"From 1500000000000000000@xxx Mon Nov 02 10:00:00 +0000 2026\n"
                                 + entry.replace(b"\r\n", b"\n") + b"\n" for entry in entries))
    rows = list(run_scan(iter_inputs([str(takeout)]), ScanOptions(offline=True), 1))
    assert [(r.folder, r.mailbox_flags) for r in rows] == [
        ("All mail Including Spam and Trash", ("flagged", "seen")),
        ("All mail Including Spam and Trash", ("trashed",)),
        ("All mail Including Spam and Trash", ())]
    report = analyze(takeout.read_bytes(), offline=True, source=str(takeout))
    finding = next(f for f in report.findings if f.id == "input.folder")
    assert "Google Takeout's labels" in finding.explanation and "Category Updates" in finding.explanation


def test_a_message_file_in_mbox_form_is_no_folder(tmp_path: Path) -> None:
    saved = tmp_path / "01-saved-by-mutt.eml"
    saved.write_bytes(mbox_of([message(1)]))
    report = analyze(saved.read_bytes(), offline=True, source=str(saved))
    assert report.input.format == "mbox-entry" and report.input.folder is None
    assert not any(f.id == "input.folder" for f in report.findings)
    named = tmp_path / "Archive"
    named.write_bytes(mbox_of([message(1)]))
    folder = analyze(named.read_bytes(), offline=True, source=str(named)).input.folder
    assert folder is not None and folder.name == "Archive"



def test_a_never_delivered_copy_has_only_its_top_status_fields_read(tmp_path: Path) -> None:
    # Verification V9, N7: with no Received field, a status field below the message's own fields
    # is the file author's text, not the store's.
    box = tmp_path / "Sent"
    body = b"From: me@example.org\nTo: you@example.net\nSubject: sent\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n"
    box.write_bytes(b"From - Mon Nov  2 10:05:00 2026\n" + body + b"X-Mozilla-Status: 0003\n"
                    b"X-Gmail-Labels: Trash\n\nhi\n")
    rows = list(run_scan(iter_inputs([str(box)]), ScanOptions(offline=True), 1))
    assert [(r.folder, r.mailbox_flags) for r in rows] == [("Sent", ())]
