"""A mailing-list message copied without its body (Outlook's "Internet headers" box, a ticket's
paste): every ARC seal and the newest ARC-Message-Signature's signed header fields verify, only
that signature's body hash is not in the input, and the trusted receiver recorded arc=pass and a
DMARC ARC override. The verdict rests on that record (VOUCHED, as the whole message reads), said
with the body missing from the copy (V52b D1-1). A record below the trust boundary, or a seal
that fails, leaves the old reading."""

from __future__ import annotations

from datetime import datetime, timezone

from conftest import SAMPLES

import headerscope
from headerscope.model import Report

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)
HEADER = (SAMPLES / "mailing-list.eml").read_bytes().split(b"\r\n\r\n", 1)[0] + b"\r\n"
# The receiver's (mx1.example.net's) own Authentication-Results, above its Received field.
RECEIVER_RESULTS = HEADER[HEADER.index(b"Authentication-Results: mx1.example.net;"):
                          HEADER.index(b"Received: from mail.lists.example.org")]


def _report(data: bytes) -> Report:
    return headerscope.analyze(data, dns_snapshot=str(SAMPLES / "mailing-list.dns.json"), now=NOW, source="-")


def test_a_headers_only_copy_rests_on_the_receivers_recorded_override() -> None:
    report = _report(HEADER)
    assert not report.input.has_body
    assert report.arc is not None and report.arc.result == "neutral" and report.arc.reason_code == "no_body"
    assert "signed header fields of the newest ARC-Message-Signature (i=2) validate" in report.arc.reason
    assert report.verdict.status == "vouched"
    assert "mx1.example.net" in report.verdict.summary
    assert "the body was not in this copy" in report.verdict.summary
    assert report.dmarc is not None and report.dmarc.arc_sealers == ("lists.example.org",)
    assert not any(f.id == "dmarc.fail" and f.severity.value == "danger" for f in report.findings)


def test_the_whole_message_reads_as_before() -> None:
    report = _report((SAMPLES / "mailing-list.eml").read_bytes())
    assert report.arc is not None and report.arc.result == "pass"
    assert report.verdict.status == "vouched"
    assert "body was not in this copy" not in report.verdict.summary


def test_an_override_recorded_below_the_trust_boundary_vouches_for_nothing() -> None:
    """The receiver's own set and results taken out, and the same results written under its
    Received field, where a sender can write them: the list's set still verifies, and nothing the
    receiver wrote records an override."""
    receiver_set = HEADER[HEADER.index(b"ARC-Seal: i=2;"):HEADER.index(b"Received: from mail.lists.example.org")]
    below = HEADER.replace(receiver_set, b"").replace(b"ARC-Seal: i=1;", RECEIVER_RESULTS + b"ARC-Seal: i=1;", 1)
    report = _report(below)
    assert report.arc is not None and report.arc.reason_code == "no_body"
    assert report.verdict.status == "spoofed"


def test_a_receiver_that_recorded_no_arc_pass_vouches_for_nothing() -> None:
    """A receiver that recorded the override but arc=fail (a forger's replayed sets over a blank
    body fail its body hash check at delivery): nothing the copy cannot show is credited."""
    receiver_set = HEADER[HEADER.index(b"ARC-Seal: i=2;"):HEADER.index(b"Authentication-Results: mx1.example.net;")]
    failed = HEADER.replace(receiver_set, b"").replace(b'\tarc=pass ("lists.example.org:s=arc2026:i=1");',
                                                       b"\tarc=fail;", 1)
    assert b"\tarc=fail;" in failed
    assert _report(failed).verdict.status == "spoofed"


def test_a_seal_that_fails_vouches_for_nothing() -> None:
    start = HEADER.index(b"ARC-Seal: i=1;")
    b_tag = HEADER.index(b" b=", start) + 3
    broken = HEADER[:b_tag] + (b"A" if HEADER[b_tag:b_tag + 1] != b"A" else b"B") + HEADER[b_tag + 1:]
    report = _report(broken)
    assert report.arc is not None and report.arc.result == "fail"
    assert report.verdict.status == "spoofed"


def test_an_ams_whose_signed_fields_changed_vouches_for_nothing() -> None:
    """The newest ARC-Message-Signature signs Subject: a copy with another Subject fails it."""
    changed = HEADER.replace(b"Subject: [devel] Proposal", b"Subject: [devel] Proposed", 1)
    report = _report(changed)
    assert report.verdict.status != "vouched"
