"""What an analyst reads off a scan: the brand and collector of an impersonation (display
name, Reply-To, To), domains by organisation, copies of one message, mail-client flags."""

from __future__ import annotations

import csv
import io

import pytest

from headerscope.api import analyze
from headerscope.scan.filters import parse_expression
from headerscope.scan.output import CsvWriter, Summary, render_summary
from headerscope.scan.runner import ScanRow, summarize

# The Facebook-branded login phish: no From: address at all, the collector in Reply-To.
PHISH = (
    b"Received: from cumqueqahzt.co.uk ([89.144.57.55]) by mx.example.net (Postfix) with ESMTP id A1;\r\n"
    b" Sat, 27 Aug 2022 10:00:00 +0000\r\n"
    b'From: "Facebook" <>\r\n'
    b"Reply-To: unrecognized.suspicious.sign.in22@gmail.com\r\n"
    b'To: victim@example.net, "Second" <second@example.net>\r\n'
    b"Subject: Someone tried to log in to your account\r\n"
    b"Date: Sat, 27 Aug 2022 05:14:00 +0000\r\n"
    b"Message-ID: <campaign-1@cumqueqahzt.co.uk>\r\n\r\nVerify now.\r\n"
)


def _row(data: bytes, index: int = 1, source: str = "x.eml") -> ScanRow:
    return summarize(index, source, analyze(data, offline=True, source=source))


def _csv(rows: list[ScanRow]) -> list[dict[str, str]]:
    out = io.StringIO()
    writer = CsvWriter(out)
    for row in rows:
        writer.write(row)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_the_brand_the_collector_and_the_targets_are_columns() -> None:
    row = _row(PHISH)
    assert (row.from_address, row.from_name) == ("", "Facebook")
    assert row.reply_to == ("unrecognized.suspicious.sign.in22@gmail.com",)
    assert row.to == ("victim@example.net", "second@example.net")
    [cells] = _csv([row])
    assert cells["from_name"] == "Facebook"
    assert cells["reply_to"] == "unrecognized.suspicious.sign.in22@gmail.com"
    assert cells["to"] == "victim@example.net;second@example.net"
    # The terminal table shows the brand where the address is empty, and both when both exist.
    summary = Summary()
    summary.add(row)
    summary.add(_row(PHISH.replace(b'"Facebook" <>', b'"PayPal Service" <info@mailer.example.com>'), 2))
    text = render_summary(summary, color=False, width=200)
    assert "Facebook" in text and "PayPal Service <info@" in text


def test_to_is_bounded() -> None:
    many = ", ".join(f"user{n}@example.net" for n in range(500)).encode()
    row = _row(PHISH.replace(b'To: victim@example.net, "Second" <second@example.net>', b"To: " + many))
    assert len(row.to) == 20 and row.addresses_not_kept == 480
    assert _csv([row])[0]["to"].endswith(";(+480 more)")


def test_name_and_reply_to_filters_match_a_substring_whatever_the_case() -> None:
    phish = _row(PHISH)
    plain = _row(PHISH.replace(b'"Facebook" <>', b"Ann <ann@example.org>").replace(
        b"Reply-To: unrecognized.suspicious.sign.in22@gmail.com\r\n", b""))
    assert [parse_expression("name=FACEBOOK")(r) for r in (phish, plain)] == [True, False]
    assert [parse_expression("reply_to=@Gmail.com")(r) for r in (phish, plain)] == [True, False]
    assert parse_expression("name=paypal,ann")(plain)


def test_domain_finds_the_organisation_and_its_subdomains_and_none() -> None:
    def row(domain: str | None, index: int = 1) -> ScanRow:
        return ScanRow(index=index, label="x", error=None, from_domain=domain, verdict="not_checked")

    otto = parse_expression("domain=otto.de")
    assert [otto(row(d)) for d in ("newsletter.otto.de", "otto.de", "OTTO.DE", "nototto.de", "otto.de.evil.example",
                                   None)] == [True, True, True, False, False, False]
    # An exact subdomain finds itself (and below it), not its organisation's other mail.
    exact = parse_expression("domain=newsletter.otto.de")
    assert [exact(row(d)) for d in ("newsletter.otto.de", "otto.de", "a.newsletter.otto.de")] == [True, False, True]
    none = parse_expression("domain=(none)")
    assert [none(row(d)) for d in (None, "", "otto.de")] == [True, True, False]
    assert not none(ScanRow(index=1, label="x", error="empty"))  # an unreadable file is no message


def test_copies_of_one_message_are_grouped_and_counted_once() -> None:
    def row(index: int, message_id: str | None, folder: str, ip: str, flags: tuple[str, ...] = (),
            subject: str = "Someone tried to log in") -> ScanRow:
        return ScanRow(index=index, label=f"m{index}", error=None, verdict="not_checked", message_id=message_id,
                       subject=subject, date="2022-08-27T05:14:00+00:00", folder=folder, client_ip=ip,
                       mailbox_flags=flags)

    summary = Summary()
    for item in (row(1, "<c1@x>", "INBOX", "89.144.57.55", ("replied", "seen")),
                 row(2, "<c1@x>", "Archive/Phish-reports", "89.144.57.55"),
                 row(3, "<c2@x>", "Junk", "89.144.57.30"), row(4, "<c2@x>", "Junk", "89.144.57.30"),
                 row(5, "<other@y>", "INBOX", "192.0.2.1", subject="Lunch"),
                 # No Message-ID: Subject and Date say it is one message.
                 row(6, None, "INBOX", "192.0.2.9", subject="Invoice"), row(7, None, "Sent", "192.0.2.9", subject="Invoice")):
        summary.add(item)
    assert summary.distinct() == 4
    lines = render_summary(summary, color=False, width=200).splitlines()
    assert lines[0].startswith("7 message(s) (4 distinct), 0 unreadable.")
    [inbox_copy] = [line for line in lines if "INBOX, Archive/Phish-reports" in line]
    assert "89.144.57.55" in inbox_copy and inbox_copy.split("│")[-1].strip() == "yes"
    assert "messages seen more than once" in "\n".join(lines)
    assert any("Invoice" in line and "INBOX, Sent" in line for line in lines)
    repeated = lines[lines.index(next(line for line in lines if "messages seen more than once" in line)):]
    assert not any("Lunch" in line for line in repeated[:5])  # seen once: not in the table


def test_the_copy_count_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import headerscope.scan.output as output

    monkeypatch.setattr(output, "MAX_GROUPS", 3)
    summary = Summary()
    for n in range(6):
        summary.add(ScanRow(index=n + 1, label="x", error=None, verdict="not_checked", message_id=f"<{n}@x>"))
    assert len(summary.copies) == 3 and summary.groups_full
    text = render_summary(summary, color=False, width=200)
    assert "(at least 3 distinct)" in text and "first 3 distinct messages only" in text


def test_subject_filter() -> None:
    row = ScanRow(index=1, label="x", error=None, subject="Someone tried to Iog in To your account")
    assert parse_expression("subject=tried to iog")(row)
    assert not parse_expression("subject=invoice")(row)


def test_csv_writes_the_filters_words() -> None:
    rows = [ScanRow(index=1, label="a", error=None, spam="spam", mailbox_flags=("passed on (forwarded or bounced)",
                                                                               "seen")),
            ScanRow(index=2, label="b", error=None, spam="not spam"), ScanRow(index=3, label="c", error=None),
            ScanRow(index=4, label="d", error="empty")]
    cells = _csv(rows)
    assert [c["spam"] for c in cells] == ["yes", "no", "unknown", ""]
    assert cells[0]["mailbox_flags"] == "passed;seen"
    assert [parse_expression(f"spam={c['spam']}")(r) for c, r in zip(cells[:3], rows, strict=False)] == [True] * 3
    assert parse_expression(f"flag={cells[0]['mailbox_flags'].split(';')[0]}")(rows[0])


def test_message_ids_alike_in_their_first_hundreds_of_characters_are_distinct() -> None:
    # Verification V8: the key was the first 300 characters of the Message-ID, so a sender could
    # make three messages read as copies of one.
    summary = Summary()
    for n in range(3):
        summary.add(ScanRow(index=n + 1, label="x", error=None, verdict="not_checked",
                            message_id="<" + "Q" * 900 + f"{n}@example.com>"))
    assert summary.distinct() == 3
    assert render_summary(summary, color=False, width=200).splitlines()[0].startswith("3 message(s), 0 unreadable.")
