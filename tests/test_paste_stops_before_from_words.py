"""A header pasted without its lower part (Outlook's pane, a ticket's paste that stops early):
the DKIM signature over From:, To:, Subject:... cannot match, since those fields are not in the
input. Said as such, not as "modified after delivery"; the verdict stays as it was (commit
5ffe23d: a forger's delivered message without From: looks the same) (V52b D2-1)."""

from __future__ import annotations

from datetime import datetime, timezone

from conftest import SAMPLES

import headerscope
from headerscope.model import Report

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)
HEADER = (SAMPLES / "forwarded-srs.eml").read_bytes().split(b"\r\n\r\n", 1)[0] + b"\r\n"


def _report(data: bytes) -> Report:
    return headerscope.analyze(data, dns_snapshot=str(SAMPLES / "forwarded-srs.dns.json"), now=NOW, source="-")


def test_a_paste_that_stops_before_from_is_told_the_signed_fields_are_not_in_it() -> None:
    report = _report(HEADER[:HEADER.index(b"\r\nFrom:") + 2])
    assert report.verdict.status == "unauthenticated"  # as before: words only
    assert any(f.id == "envelope.no_from" for f in report.findings)
    [signature] = report.dkim
    assert signature.result == "fail" and signature.reason_code == "signature_mismatch"
    assert signature.reason.startswith("the signed fields From:, To:")
    assert "Message-ID:" in signature.reason
    titles = [f.title for f in report.findings]
    assert "DKIM signature cannot match: fields it signs are not in the input" in titles
    assert not any("modified after delivery" in title or "signed headers changed" in title for title in titles)
    [dkim_row] = [c for c in report.comparison if c.method == "dkim"]
    assert "changed after delivery" not in dkim_row.explanation
    assert "a copy that stops early, or a message without them" in dkim_row.explanation


def test_a_pasted_header_with_from_and_a_changed_field_still_says_changed() -> None:
    changed = HEADER.replace(b"Subject: Reunion dinner", b"Subject: Reunion dinners", 1)
    assert changed != HEADER
    report = _report(changed)
    [signature] = report.dkim
    assert signature.reason_code == "signature_mismatch"
    assert signature.reason.startswith("signed headers changed")
    assert any("message modified after delivery" in f.title for f in report.findings)
