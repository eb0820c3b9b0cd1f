"""A paste that starts inside a header field (its first lines are folded lines of a field whose
start was not copied): those lines are left out and it is said, with the fields above missing; the
hops are not told as "never received from outside", and an ARC set the copy cut is not blamed on
the chain (V52b D2-2). A delivered message never starts so: its receiver puts whole fields on top."""

from __future__ import annotations

from datetime import datetime, timezone

from conftest import SAMPLES

import headerscope
from headerscope.loader import load_bytes
from headerscope.model import Report

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)


def _report(data: bytes, sample: str) -> Report:
    return headerscope.analyze(data, dns_snapshot=str(SAMPLES / f"{sample}.dns.json"), now=NOW, source="-")


def _from_line_after(sample: str, marker: bytes) -> bytes:
    """The sample from the line after the one holding ``marker`` (a continuation line)."""
    data = (SAMPLES / f"{sample}.eml").read_bytes()
    start = data.index(b"\n", data.index(marker)) + 1
    assert data[start:start + 1] in (b" ", b"\t")
    return data[start:]


def test_a_paste_starting_inside_a_field_is_said_so() -> None:
    pasted = _from_line_after("forwarded-srs", b"DKIM-Signature:")
    loaded = load_bytes(pasted, source="-")
    assert loaded.starts_mid_field
    assert any("the paste starts inside a header field" in cleanup for cleanup in loaded.cleanups)
    report = _report(pasted, "forwarded-srs")
    assert not any(f.id == "headers.defects" for f in report.findings)
    internal = [f for f in report.findings if f.id == "hops.internal_only"]
    assert internal and all("never received from outside" not in f.explanation for f in internal)
    assert all(not f.title.startswith("Sent and delivered inside") for f in internal)


def test_an_arc_set_the_copy_cut_is_not_blamed_on_the_chain() -> None:
    pasted = _from_line_after("direct", b"ARC-Seal: i=1;")
    report = _report(pasted, "direct")
    assert report.arc is not None
    assert (report.arc.result, report.arc.reason_code) == ("neutral", "incomplete_copy")
    assert "the copy cut" in report.arc.reason
    assert not any(f.id == "arc.chain_failed" for f in report.findings)


def test_indented_lines_with_no_field_after_them_are_left_as_they_were() -> None:
    text = b"  just some indented text\n  and more of it\n"
    assert not load_bytes(text, source="-").starts_mid_field


def test_a_whole_message_reads_as_before() -> None:
    data = (SAMPLES / "direct.eml").read_bytes()
    loaded = load_bytes(data, source="-")
    assert not loaded.starts_mid_field and loaded.data == data
    report = _report(data, "direct")
    assert report.arc is not None and report.arc.result == "pass"
