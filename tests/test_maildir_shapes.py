"""Maildirs as the clients that make them lay them out (verification V42c D2, D3): Thunderbird's
Maildir store (cur/ and tmp/, no new/: comm-central nsMsgMaildirStore.cpp CreateMaildir), and
Courier's and Dovecot's folder names in modified UTF-7 (RFC 3501 section 5.1.3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_scan import message

from headerscope.cli import _in_maildir
from headerscope.folders import mail_folder
from headerscope.maildir import decode_folder_name, is_maildir
from headerscope.scan.readers import iter_inputs
from headerscope.scan.runner import ScanOptions, run_scan

MOZILLA_SEEN = b"X-Mozilla-Status: 0001\r\nX-Mozilla-Status2: 00000000\r\n"


def _thunderbird_folder(path: Path) -> Path:
    """A folder of Thunderbird's Maildir store: cur/ and tmp/, its summary file beside it."""
    for sub in ("cur", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    path.with_name(path.name + ".msf").write_bytes(b"")
    return path


def test_thunderbirds_maildir_store_is_read_as_maildirs(tmp_path: Path) -> None:
    local = tmp_path / "Mail" / "Local Folders"
    inbox = _thunderbird_folder(local / "Inbox")
    junk = _thunderbird_folder(local / "Junk")
    (inbox / "cur" / "1700000000.M123456P4242Q1.host").write_bytes(MOZILLA_SEEN + message(1))
    (junk / "cur" / "1700000000.M123456P4242Q1.host").write_bytes(MOZILLA_SEEN + message(2))
    # An unfinished write: tmp/ is never read (README), in Thunderbird's store as in any Maildir.
    (junk / "tmp" / "1700000001.M1P1Q1.host").write_bytes(message(3))
    assert is_maildir(junk) and is_maildir(str(junk)) and _in_maildir(str(junk / "cur" / "x"))
    rows = list(run_scan(iter_inputs([str(tmp_path / "Mail")]), ScanOptions(offline=True), 1))
    assert [(r.subject, r.folder, r.mailbox_flags, r.spam) for r in rows] == [
        ("message 1", "Inbox", ("seen",), None), ("message 2", "Junk", ("seen",), "spam")]
    # Courier's and Dovecot's Maildir (cur/ and new/) is their inbox, as before; so is one with
    # all three.
    dovecot = tmp_path / "Maildir"
    for sub in ("cur", "new"):
        (dovecot / sub).mkdir(parents=True)
    (dovecot / "cur" / "1.M1.host:2,S").write_bytes(message(4))
    folder = mail_folder(str(dovecot / "cur" / "1.M1.host:2,S"), "eml")
    assert folder is not None and (folder.name, folder.flags) == ("INBOX", ("seen",))
    # cur/ alone, or new/ and tmp/ without cur/, is no Maildir.
    (tmp_path / "only-cur" / "cur").mkdir(parents=True)
    for sub in ("new", "tmp"):
        (tmp_path / "no-cur" / sub).mkdir(parents=True)
    assert not is_maildir(tmp_path / "only-cur") and not is_maildir(tmp_path / "no-cur")


@pytest.mark.parametrize(("written", "shown"), [
    ("Courrier ind&AOk-sirable", "Courrier indésirable"),  # Dovecot's Namespaces documentation's shape
    ("Wiadomo&AVs-ci-&AVs-mieci", "Wiadomości-śmieci"),
    ("&ZeVnLIqe-", "日本語"),
    ("Tom &- Jerry", "Tom & Jerry"),
    ("&2D3eAA-", "\U0001f600"),  # a surrogate pair
    ("Courrier indésirable", "Courrier indésirable"),  # a name stored in UTF-8 is its own
    # Not modified UTF-7: kept as written.
    ("Q&A", "Q&A"), ("&AOk", "&AOk"), ("&AOk!-", "&AOk!-"), ("&AGE-", "&AGE-"), ("&2D0-", "&2D0-"),
    ("&AOl-", "&AOl-"), ("&A-", "&A-"), ("&AO-", "&AO-"), ("&AOk=-", "&AOk=-"),
])
def test_modified_utf7_folder_names_are_decoded(written: str, shown: str) -> None:
    assert decode_folder_name(written) == shown


def test_a_maildir_plus_plus_junk_folder_named_in_modified_utf7_is_junk(tmp_path: Path) -> None:
    root = tmp_path / "Maildir"
    for folder in (root, root / ".Courrier ind&AOk-sirable", root / ".Archives.2026 &AOk-t&AOk-"):
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(parents=True)
    (root / ".Courrier ind&AOk-sirable" / "cur" / "1.M1.host:2,S").write_bytes(message(1))
    (root / ".Archives.2026 &AOk-t&AOk-" / "cur" / "2.M1.host:2,S").write_bytes(message(2))
    rows = list(run_scan(iter_inputs([str(root)]), ScanOptions(offline=True), 1))
    assert [(r.folder, r.spam) for r in rows] == [("Archives/2026 été", None), ("Courrier indésirable", "spam")]
