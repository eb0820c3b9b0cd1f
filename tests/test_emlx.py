"""Apple Mail's .emlx files: analyzed as the message inside, DKIM re-verified on a real signed
message, a partial copy reported as such (not as a failed signature), and an Apple Mail store
scanned as its messages, without their attachment files."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timezone
from pathlib import Path

from conftest import SAMPLES, assert_dmarc_rests_on_spf_and_the_record, sign_as_example_org

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
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
    assert (dkim.result, dkim.reason_code) == ("neutral", "body_uncheckable")
    assert "Apple Mail's copy without the content of 1 part(s)" in dkim.reason
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


# --------------------------------------------------------------- a .partial.emlx's signatures
# An invoice with a PDF from example.org, forwarded by alumni.example (SRS): its DKIM signature is
# the only identifier that aligns with the From: domain (SPF passes for the forwarder only), as
# for a genuine invoice sent through an ESP whose bounce domain does not align.

FORWARDED = (SAMPLES / "forwarded-srs.eml").read_bytes()
FORWARDED_DNS = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PDF_PART = b'Content-Type: application/pdf; name="invoice-2026-117.pdf"\n'


def _invoice(oversigned: bool = True) -> bytes:
    """forwarded-srs's transport header above a new message with a PDF, signed by example.org with
    the sample's key (the one its DNS snapshot publishes), with LF line ends as Mail keeps it.
    ``oversigned``: From: and Subject: are signed twice, so that one added above fails the header
    hash (RFC 6376 section 8.15)."""
    author = (
        "From: Carol Dupont <carol@example.org>\r\nTo: Dave Okafor <dave@alumni.example>\r\n"
        "Subject: Invoice 2026-117\r\nDate: Thu, 26 Nov 2026 14:03:09 +0100\r\n"
        "Message-ID: <invoice-2026-117@mail.example.org>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="inv"\r\n\r\n'
        "--inv\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDear Dave,\r\nthe invoice is attached.\r\n"
        "Carol\r\n--inv\r\n" + PDF_PART.decode().replace("\n", "\r\n") + "Content-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="invoice-2026-117.pdf"\r\n\r\n'
        + base64.encodebytes(PDF).decode().replace("\n", "\r\n") + "--inv--\r\n").encode()
    signature = sign_as_example_org(author, [
        b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type",
        *((b"from", b"subject") if oversigned else ())])
    transport = FORWARDED[:FORWARDED.index(b"DKIM-Signature:")]
    return (transport + signature + author).replace(b"\r\n", b"\n")


def _cut(message: bytes, part: bytes) -> bytes:
    """The message as Mail keeps it when it stores ``part`` apart (see ``partial``)."""
    start = message.index(part)
    header_end = message.index(b"\n\n", start) + 2
    part_end = message.index(b"\n--", header_end) + 1
    stub = message[start:header_end - 1] + f"X-Apple-Content-Length: {part_end - header_end}\n\n".encode()
    return message[:start] + stub + message[part_end:]


def _forwarded(data: bytes, source: str) -> headerscope.Report:
    return headerscope.analyze(data, resolver=SnapshotResolver(FORWARDED_DNS), source=source)  # type: ignore[arg-type]


def test_a_partial_emlx_signature_cannot_be_checked_and_dmarc_does_not_fail_for_it() -> None:
    invoice = _invoice()
    whole = _forwarded(emlx(invoice), "Messages/21.emlx")  # Mail's whole copy verifies
    assert [(d.result, d.reason_code) for d in whole.dkim] == [("pass", "ok")]
    assert whole.dmarc is not None and whole.dmarc.result == "pass" and whole.verdict.status == "authenticated"

    report = _forwarded(emlx(_cut(invoice, PDF_PART)), "Messages/21.partial.emlx")
    assert (report.input.format, report.input.byte_exact) == ("emlx", False)
    (dkim,) = report.dkim
    assert (dkim.result, dkim.reason_code, dkim.body_hash_ok) == ("neutral", "body_uncheckable", None)
    assert dkim.reason.startswith("cannot be checked from this copy: the signed header fields verify, but the body "
                                  "is Apple Mail's copy without the content of 1 part(s) (attachments) that Mail "
                                  "keeps in separate files (a .partial.emlx)")
    assert "Outlook" not in dkim.reason and ".msg" not in dkim.reason
    assert_dmarc_rests_on_spf_and_the_record(report)
    compared = {c.method: c for c in report.comparison}
    assert "cannot be re-checked from this copy: the signed header fields verify" in compared["dkim"].explanation
    assert report.verdict.status not in ("suspicious", "spoofed")
    assert report.verdict.status == "not_checked"
    assert "recorded DMARC pass for example.org at delivery" in report.verdict.summary

    # The controls: what a .partial.emlx cannot excuse still fails.
    cut = _cut(invoice, PDF_PART)
    # A signed header field changed (Subject): the header hash fails whatever the body; not the
    # copy's doing, so DMARC fails as on any copy.
    changed = _forwarded(emlx(cut.replace(b"Subject: Invoice 2026-117", b"Subject: Invoice 2026-118")),
                         "Messages/21.partial.emlx")
    assert [(d.result, d.reason_code) for d in changed.dkim] == [("neutral", "not_original")]
    assert changed.dmarc is not None and changed.dmarc.result == "fail"
    assert "dmarc.fail" in {f.id for f in changed.findings}
    # The stub fields alone are text a sender can write: in a file Mail named N.emlx (a whole copy)
    # or one given without its name they do not make the body uncheckable, as before.
    for source in ("Messages/21.emlx", "-", "api"):
        report = _forwarded(emlx(cut), source)
        assert [(d.result, d.reason_code) for d in report.dkim] == [("neutral", "not_original")], source
        assert report.dmarc is not None and report.dmarc.result == "fail", source
    # Nor in a .partial.emlx edited after Mail wrote it (its byte count does not match).
    edited = _forwarded(f"{len(cut) + 1}\n".encode() + cut + PLIST, "Messages/21.partial.emlx")
    assert [(d.result, d.reason_code) for d in edited.dkim] == [("neutral", "not_original")]
    assert edited.dmarc is not None and edited.dmarc.result == "fail"
    # The same cut message as a .eml is a body changed after signing.
    report = _forwarded(cut, "invoice.eml")
    assert [(d.result, d.reason_code) for d in report.dkim] == [("fail", "body_hash_mismatch")]


def test_a_partial_emlx_arc_message_signature_is_uncheckable_as_its_dkim() -> None:
    # direct.eml with its HTML part kept apart: the AMS's bh= cannot match, its seals and signed
    # header fields verify; the chain still holds (RFC 8617 section 5.2 verifies the AMS as DKIM).
    report = analyze(emlx(partial(SIGNED)), "Messages/8.partial.emlx")
    assert report.arc is not None and (report.arc.result, report.arc.reason_code) == ("neutral", "body_uncheckable")
    assert "signed header fields of the newest ARC-Message-Signature (i=1) verify" in report.arc.reason
    assert "Apple Mail's copy" in report.arc.reason and ".msg" not in report.arc.reason
    assert "arc.chain_failed" not in {f.id for f in report.findings}
    # A changed signed field fails the AMS over its header fields too, body aside.
    changed = partial(SIGNED).replace(b"Subject: ", b"Subject: Re: ", 1)
    report = analyze(emlx(changed), "Messages/8.partial.emlx")
    assert report.arc is not None and report.arc.result == "fail"


def test_the_partial_emlx_name_is_read_from_the_file_name_alone() -> None:
    from headerscope.loader import _partial_emlx_name

    assert _partial_emlx_name("/Users/x/Library/Mail/V10/A/INBOX.mbox/B/Data/Messages/21.partial.emlx")
    assert _partial_emlx_name("C:\\export\\21.Partial.EMLX") and _partial_emlx_name("21.partial.emlx.gz")
    assert not _partial_emlx_name("21.emlx") and not _partial_emlx_name("21.partial.emlx/21.emlx")
    assert not _partial_emlx_name("partial.emlx.d/x") and not _partial_emlx_name("-")


def test_an_edited_partial_emlx_says_both_that_it_was_edited_and_that_parts_were_kept_apart() -> None:
    cut = partial(SIGNED)
    report = analyze(f"{len(cut) + 1}\n".encode() + cut + PLIST, "Messages/8.partial.emlx")
    note = next(f for f in report.findings if f.id == "input.not_byte_exact")
    assert "edited after Apple Mail wrote it" in note.explanation
    assert "Apple Mail kept 1 part(s)" in note.explanation
    # An edit is not Mail's cut: a failure stays "not the original", not "cannot be checked".
    assert [(d.result, d.reason_code) for d in report.dkim] == [("neutral", "not_original")]


# ---------------------------------------------------------- where Mail writes its placeholder lines
STUB = b"X-Apple-Content-Length: 2146\n"
PLAIN_PART = b"Content-Type: text/plain; charset=UTF-8; format=flowed\n"


def test_mails_placeholder_counts_only_in_the_header_of_an_empty_part() -> None:
    # Mail writes X-Apple-Content-Length in the header of a part of a multipart whose content it
    # stored apart, and leaves that part's body empty. The same line elsewhere is the sender's text
    # (or an editor's): it neither makes the copy partial nor excuses a body that changed.
    in_body = SIGNED.replace(b"Thanks,\nAlice\n", b"Thanks,\n" + STUB + b"Alice\n")
    above_content = SIGNED.replace(HTML_PART, HTML_PART + STUB)
    top_header = SIGNED.replace(b"Content-Type: multipart/alternative", STUB + b"Content-Type: multipart/alternative")
    for changed in (in_body, above_content, top_header):
        assert changed != SIGNED
        report = analyze(emlx(changed), "Messages/8.partial.emlx")
        assert report.input.byte_exact and "input.not_byte_exact" not in {f.id for f in report.findings}
        expected = ("pass", "ok") if changed is top_header else ("fail", "body_hash_mismatch")
        assert [(d.result, d.reason_code) for d in report.dkim] == [expected]
    # Mail's own: the part's header with the field, its body empty (also with a line end in it).
    spaced = re.sub(rb"X-Apple-Content-Length: ([0-9]+\n\n)", rb"X-Apple-Content-Length : \1\n\n", partial(SIGNED))
    for cut in (partial(SIGNED), spaced):
        report = analyze(emlx(cut), "Messages/8.partial.emlx")
        assert [(d.result, d.reason_code) for d in report.dkim] == [("neutral", "body_uncheckable")]


def test_the_placeholders_are_counted_where_mail_writes_them() -> None:
    from headerscope.message import parse_message
    from headerscope.mime import parts_kept_apart_by_apple_mail as kept_apart

    assert kept_apart(parse_message(partial(SIGNED))) == 1
    both = partial(partial(SIGNED).replace(b"Content-Type: text/plain; charset=UTF-8; format=flowed", HTML_PART[:-1], 1))
    assert kept_apart(parse_message(both)) == 2
    # A message that is no multipart has no part of its own to keep apart.
    assert kept_apart(parse_message(b"From: a@example.com\nContent-Type: application/pdf\n" + STUB + b"\n\n")) == 0
    # Inside an attached message too, as Mail numbers and stores its parts (not when it is encoded).
    assert kept_apart(parse_message(_carrying(partial(SIGNED)))) == 1
    assert kept_apart(parse_message(_carrying(SIGNED))) == 0
    encoded = _carrying(partial(SIGNED)).replace(b"message/rfc822\n", b"message/rfc822\nContent-Transfer-Encoding: base64\n")
    assert kept_apart(parse_message(encoded)) == 0


def _carrying(message: bytes, cut_part: bool = False) -> bytes:
    """A forward carrying ``message`` as a message/rfc822 part, with a PDF part Mail kept apart
    when ``cut_part``."""
    pdf = (b'--fwd\nContent-Type: application/pdf; name="a.pdf"\nContent-Disposition: attachment\n' + STUB + b"\n\n"
           if cut_part else b"")
    return (b"From: Dana <dana@example.net>\nTo: security@example.net\nSubject: Fwd: suspicious\nMIME-Version: 1.0\n"
            b'Content-Type: multipart/mixed; boundary="fwd"\n\n--fwd\nContent-Type: text/plain\n\nSee the attached.\n'
            + pdf + b"--fwd\nContent-Type: message/rfc822\n\n" + message + b"\n--fwd--\n")


def test_a_message_attached_in_a_partial_emlx_is_partial_when_mail_cut_its_parts() -> None:
    # `analyze --attached 1` of a .partial.emlx: Mail kept the attached message's HTML part apart
    # too, so its signature's body hash cannot be checked, as for the file's own message.
    from headerscope.api import AnalysisOptions, analyze_loaded
    from headerscope.cli import _attached_input
    from headerscope.loader import load_bytes

    options = AnalysisOptions(dns_snapshot=SNAPSHOT, now=NOW)
    loaded = load_bytes(emlx(_carrying(partial(SIGNED))), source="Messages/30.partial.emlx")
    assert loaded.uncheckable_body is not None
    inner, inner_options = _attached_input(loaded, 1, options)
    assert inner.uncheckable_body is not None and "Apple Mail's copy without the content of 1 part(s)" \
        in inner.uncheckable_body.words
    report = analyze_loaded(inner, inner_options)
    assert [(d.result, d.reason_code) for d in report.dkim] == [("neutral", "body_uncheckable")]
    assert report.arc is not None and report.arc.reason_code == "body_uncheckable"
    # Whole in a .partial.emlx whose other attachment was kept apart: it verifies as it is.
    loaded = load_bytes(emlx(_carrying(SIGNED, cut_part=True)), source="Messages/31.partial.emlx")
    assert loaded.uncheckable_body is not None
    inner, inner_options = _attached_input(loaded, 1, options)
    assert inner.uncheckable_body is None
    assert [(d.result, d.reason_code) for d in analyze_loaded(inner, inner_options).dkim] == [("pass", "ok")]
    # Not named by Mail as partial (the stub lines are then a sender's text): no excuse inside either,
    # only a copy carried in one that is not the original bytes.
    loaded = load_bytes(emlx(_carrying(partial(SIGNED))), source="Messages/30.emlx")
    inner, inner_options = _attached_input(loaded, 1, options)
    assert inner.uncheckable_body is None
    assert [(d.result, d.reason_code) for d in analyze_loaded(inner, inner_options).dkim] == [("neutral", "not_original")]


def test_a_from_added_above_the_signed_one_fails_on_a_partial_emlx_too() -> None:
    # A From: the signer did not sign, added above the signed one, is what a reader sees (RFC 6376
    # section 8.15): not the copy's doing, so the body hash the copy cannot match does not excuse it.
    cut = _cut(_invoice(oversigned=False), PDF_PART)
    added = cut.replace(b"DKIM-Signature:", b"From: Billing <billing@example.org>\nDKIM-Signature:", 1)
    report = _forwarded(emlx(added), "Messages/21.partial.emlx")
    (dkim,) = report.dkim
    assert (dkim.result, dkim.reason_code, dkim.body_hash_ok) == ("fail", "from_added", None)
    assert dkim.reason.endswith("; its body hash cannot be checked from this copy")
    assert report.dmarc is not None and report.dmarc.result == "fail"
    assert report.verdict.status in ("suspicious", "spoofed")
    # On the whole message (its body is the signed one) the added From: fails as it always did.
    whole = _forwarded(emlx(_invoice(oversigned=False).replace(
        b"DKIM-Signature:", b"From: Billing <billing@example.org>\nDKIM-Signature:", 1)), "Messages/21.emlx")
    assert [(d.result, d.reason_code, d.body_hash_ok) for d in whole.dkim] == [("fail", "from_added", True)]


def test_a_message_attached_in_a_paste_is_not_taken_for_mails_cut() -> None:
    # A pasted copy's body cannot be checked either (loader._pasted_body), but it is no Apple Mail
    # file: Mail's placeholder fields in a message attached to it are the sender's text, so that
    # message is not excused as one whose parts Mail kept apart.
    from headerscope.loader import load_bytes, load_carried

    carrier = _carrying(partial(SIGNED))
    pasted = b"".join(b"    " + line + b"\n" for line in carrier.split(b"\n"))
    loaded = load_bytes(pasted, source="-")
    assert loaded.uncheckable_body is not None and not loaded.uncheckable_body.apple_mail_parts
    assert load_carried(loaded, partial(SIGNED), "attached 1").uncheckable_body is None
    # Carried in a .partial.emlx, the same message is Mail's cut.
    stored = load_bytes(emlx(carrier), source="Messages/30.partial.emlx")
    assert stored.uncheckable_body is not None and stored.uncheckable_body.apple_mail_parts
    assert load_carried(stored, partial(SIGNED), "attached 1").uncheckable_body is not None
