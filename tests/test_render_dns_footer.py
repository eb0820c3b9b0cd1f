"""The DNS footer lines: the nameserver named in every format, and one prominent line when a
live nameserver answered none of the questions."""

from __future__ import annotations

import dataclasses

from report_factory import make_report

from headerscope.model import DnsRecordUse, DnsSource, Report
from headerscope.render.markdown import MarkdownRenderer
from headerscope.render.terminal import TerminalRenderer


def _dead(*statuses: str) -> Report:
    report = make_report()
    dns = tuple(DnsRecordUse(name=f"q{i}.example", rdtype="TXT", status=status, records=())
                for i, status in enumerate(statuses))
    return dataclasses.replace(report, dns_source=DnsSource(source="live", detail="127.0.0.1:5353"), dns=dns)


def test_markdown_footer_names_the_nameserver_and_arc_set_count_is_singular() -> None:
    text = MarkdownRenderer().render(_dead("NOERROR"))
    assert "DNS: live (127.0.0.1:5353)_" in text
    assert "| ARC (1 set) |" in text
    assert "answered none" not in text


def test_a_nameserver_that_answered_nothing_is_said_once_in_every_format() -> None:
    report = _dead("TIMEOUT", "TIMEOUT", "TIMEOUT")
    line = ("DNS: 127.0.0.1:5353 answered none of the 3 question(s) (all timed out): every DNS-based result "
            "here is unknown")
    assert f"**{line}**" in MarkdownRenderer().render(report)
    terminal = " ".join(TerminalRenderer(width=300).render(report).split())
    assert line in terminal


def test_mixed_failures_are_counted_by_status() -> None:
    text = MarkdownRenderer().render(_dead("TIMEOUT", "REFUSED", "TIMEOUT"))
    assert "answered none of the 3 question(s) (all failed: 2 TIMEOUT, 1 REFUSED)" in text
