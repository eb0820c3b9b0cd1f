"""Apple Mail's .emlx files: analyzed as the message inside, DKIM re-verified on a real signed
message, a partial copy reported as such (not as a failed signature), and an Apple Mail store
scanned as its messages, without their attachment files."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from conftest import SAMPLES

import headerscope
from headerscope.scan.runner import ScanOptions, scan_paths

SNAPSHOT = str(SAMPLES / "direct.dns.json")
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
PLIST = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
         b'"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n'
         b'\t<key>flags</key>\n\t<integer>8590195713</integer>\n</dict>\n</plist>\n')
# Mail stores the message as it arrived, with LF line ends.
SIGNED = (SAMPLES / "direct.eml").read_bytes().replace(b"\r\n", b"\n")
HTML_PART = b"Content-Type: text/html; charset=UTF-8\n"


def emlx(message: bytes) -> bytes:
    return f"{len(message)}\n".encode() + message + PLIST


def partial(message: bytes) -> bytes:
    """The message as Mail keeps it when it stored its HTML part apart: that part's header
    with X-Apple-Content-Length, and an empty body."""
    start = message.index(HTML_PART)
    header_end = message.index(b"\n\n", start) + 2
    part_end = message.index(b"\n--", header_end) + 1
    stub = message[start:header_end - 1] + f"X-Apple-Content-Length: {part_end - header_end}\n\n".encode()
    return message[:start] + stub + message[part_end:]


def analyze(data: bytes, source: str) -> headerscope.Report:
    return headerscope.analyze(data, dns_snapshot=SNAPSHOT, now=NOW, source=source)


def test_a_signed_message_in_an_emlx_verifies() -> None:
    assert analyze(SIGNED, "direct.eml").dkim[0].result == "pass"  # the LF copy itself verifies
    report = analyze(emlx(SIGNED), "Messages/7.emlx")
    assert (report.input.format, report.input.byte_exact) == ("emlx", True)
    assert [d.result for d in report.dkim] == ["pass"]
    assert report.verdict.status == "authenticated"
    assert not any(f.id in ("headers.defects", "input.not_byte_exact") for f in report.findings)


def test_an_emlx_whose_byte_count_does_not_match_is_not_the_original_bytes() -> None:
    # Mail's count says how long the message was when Mail wrote it; a different length means
    # the file was edited since, so a DKIM failure may come from the edit.
    edited = SIGNED.replace(b"Q4 capacity plan", b"Q4 capacity plans")
    report = analyze(f"{len(SIGNED)}\n".encode() + edited + PLIST, "Messages/9.emlx")
    assert (report.input.format, report.input.byte_exact) == ("emlx", False)
    note = next(f for f in report.findings if f.id == "input.not_byte_exact")
    assert "edited after Apple Mail wrote it" in note.explanation


def test_a_partial_emlx_is_not_reported_as_a_broken_signature() -> None:
    data = emlx(partial(SIGNED))
    report = analyze(data, "Messages/8.partial.emlx")
    assert (report.input.format, report.input.byte_exact) == ("emlx", False)
    dkim = report.dkim[0]
    # The body hash cannot match a body Mail cut, and that is said, not called a failure.
    assert dkim.result == "neutral" and "kept only part of the body" in dkim.reason
    note = next(f for f in report.findings if f.id == "input.not_byte_exact")
    assert "Apple Mail kept 1 part(s)" in note.explanation
    # The same cut message as a plain .eml is a real body-hash failure: the stub is what tells.
    assert analyze(partial(SIGNED), "cut.eml").dkim[0].result == "fail"


def test_an_apple_mail_store_scans_as_its_messages(tmp_path: Path) -> None:
    # ~/Library/Mail/V10/<account>/INBOX.mbox/<uuid>/Data/Messages/ with its neighbours.
    store = tmp_path / "INBOX.mbox"
    messages = store / "5F2C" / "Data" / "Messages"
    messages.mkdir(parents=True)
    (store / "Info.plist").write_bytes(PLIST)
    (messages / "10.emlx").write_bytes(emlx(SIGNED))
    (messages / "9.partial.emlx").write_bytes(emlx(partial(SIGNED)))
    (messages / "9.2.emlxpart").write_bytes(b"<html><body>the HTML part, kept apart</body></html>\n")
    attachments = store / "5F2C" / "Data" / "Attachments" / "9" / "2"
    attachments.mkdir(parents=True)
    (attachments / "report.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    options = ScanOptions(dns_snapshot=SNAPSHOT, want_json=True, now=NOW.isoformat())
    for jobs in (1, 2):
        rows = list(scan_paths([str(tmp_path)], options, jobs))
        assert [Path(r.label).name for r in rows] == ["9.partial.emlx", "10.emlx"]  # natural order
        assert all(r.error is None for r in rows)
        assert [r.dkim for r in rows] == ["neutral", "pass"]
        assert [r.verdict for r in rows] == ["authenticated", "authenticated"]


def test_mails_flags_in_its_property_list_say_what_was_done_with_the_copy(tmp_path: Path) -> None:
    # Apple Mail's "flags" number (Thunderbird's importer, nsEmlxHelperUtils.h: read 1<<0,
    # answered 1<<2, flagged 1<<4, forwarded 1<<8), kept after the message, never in it: a
    # flags entry the sender writes into the message's own text is not read.
    flags = (1 << 0) | (1 << 2) | (1 << 8)
    plist = PLIST.replace(b"8590195713", str(flags).encode())
    decoy = SIGNED.replace(b"\n\n", b"\n\n<key>flags</key><integer>16</integer>\n", 1)
    folder = tmp_path / "V10" / "account" / "INBOX.mbox" / "X" / "Data" / "Messages"
    folder.mkdir(parents=True)
    path = folder / "12.emlx"
    path.write_bytes(f"{len(decoy)}\n".encode() + decoy + plist)
    report = analyze(path.read_bytes(), str(path))
    assert report.input.folder is not None and report.input.folder.name == "INBOX"
    assert report.input.folder.flags == ("passed on (forwarded or bounced)", "replied", "seen")
    assert report.input.folder.flags_as_written == "emlx flags 0x105"
    row = next(iter(scan_paths([str(tmp_path)], ScanOptions(offline=True), jobs=1)))
    assert row.mailbox_flags == ("passed on (forwarded or bounced)", "replied", "seen")
