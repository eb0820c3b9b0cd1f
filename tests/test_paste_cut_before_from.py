"""A headers paste cut before From: (verification V40d, defect 3): the common "copied the Received
part" paste. The fields a DKIM signature signs are not in it (every signature signs From:, RFC
6376 section 5.4): absent, not changed, so the signature cannot be checked from this copy, no
"modified after delivery" is said, and the verdict says the paste lacks From:, not the message.
A whole message without From: is no copy, and keeps its failure."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from conftest import SAMPLES

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)
DIRECT = (SAMPLES / "direct.eml").read_bytes()
OUTLOOK = (SAMPLES / "headers-only.txt").read_bytes()


def _analyze(raw: bytes, snapshot: str) -> Report:
    dns = json.loads((SAMPLES / snapshot).read_text())
    return headerscope.analyze(raw, resolver=SnapshotResolver(dns), now=NOW)


def _cut_before(raw: bytes, field: bytes) -> bytes:
    """The header copied from the top down to the line above ``field`` (a paste that stops there)."""
    return raw[:raw.index(b"\n" + field) + 1]


def test_a_paste_cut_before_from_cannot_check_the_signature_nor_says_the_message_has_no_from() -> None:
    # in/17: samples/direct.eml copied down to its submission Received, above Message-ID, Date, From.
    report = _analyze(_cut_before(DIRECT, b"Message-ID:"), "direct.dns.json")
    [signature] = report.dkim
    assert (signature.result, signature.reason_code) == ("neutral", "fields_not_pasted")
    assert signature.reason == (
        "not checked: header fields it signs are not in the pasted header (From, To, Cc, Subject, Date, Message-ID, "
        "Reply-To, MIME-Version and 2 more; the part pasted may stop before them), so this copy cannot show whether "
        "they changed")
    ids = {f.id for f in report.findings}
    assert not ids & {"dkim.headers_changed", "recorded.modified_after_delivery", "dkim.possible_cause"}
    assert "dkim.cut_off" in ids
    assert {c.subject: c.label for c in report.comparison if c.method == "dkim"} == {
        "example.com/s2026": "not_recomputed"}
    assert report.verdict.status == "not_checked"
    assert report.verdict.summary == (
        "Could not check: the pasted header holds no From: field (the part pasted may stop before it), so DMARC "
        "cannot be judged. The receiving side (mx.google.com) recorded DMARC pass for example.com at delivery; this "
        "copy shows no From: domain.")


def test_an_outlook_paste_cut_before_from_and_one_received_alone() -> None:
    # in/35: the Outlook sample cut the same way; in/13: one Received field alone, nothing signed.
    report = _analyze(_cut_before(OUTLOOK, b"From:"), "headers-only.dns.json")
    assert [(s.result, s.reason_code) for s in report.dkim] == [("neutral", "fields_not_pasted")]
    assert report.verdict.status == "not_checked"
    assert report.verdict.summary.startswith("Could not check: the pasted header holds no From: field")
    assert "recorded DMARC pass for shop.example at delivery" in report.verdict.summary
    alone = DIRECT[DIRECT.index(b"Received: from mx-out1"):]
    alone = alone[:alone.index(b"\nReceived-SPF:") + 1]
    report = _analyze(alone, "direct.dns.json")
    assert report.verdict.summary == ("Could not check: the pasted header holds no From: field (the part pasted may "
                                      "stop before it), so DMARC cannot be judged.")


def test_a_whole_message_without_from_or_a_paste_with_it_keeps_its_failure() -> None:
    # A field removed after signing is a change: a whole message is no paste that stopped early.
    start = DIRECT.index(b"\r\nFrom: ") + 2
    without_from = DIRECT[:start] + DIRECT[DIRECT.index(b"\r\n", start) + 2:]
    report = _analyze(without_from, "direct.dns.json")
    assert [(s.result, s.reason_code) for s in report.dkim] == [("fail", "signature_mismatch")]
    assert report.verdict.summary.startswith("Unauthenticated: the message has no From: domain")
    # A paste that holds From: and a changed Subject: the change is in the copy, and fails.
    header = DIRECT[:DIRECT.index(b"\r\n\r\n") + 2].replace(b"Subject: ", b"Subject: [EXT] ")
    report = _analyze(header, "direct.dns.json")
    assert [(s.result, s.reason_code) for s in report.dkim] == [("fail", "signature_mismatch")]
