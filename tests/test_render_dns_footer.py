"""The DNS footer lines: the nameserver named in every format, and one prominent line when a
live nameserver answered none of the questions."""

from __future__ import annotations

import dataclasses

from report_factory import make_report

from headerscope.dns.interface import DnsStatus
from headerscope.model import DnsRecordUse, DnsSource, Finding, Report, Severity
from headerscope.render.markdown import MarkdownRenderer
from headerscope.render.terminal import TerminalRenderer


def _dead(*statuses: str) -> Report:
    """A live report with these answers, and the warning dns.unanswered when the analysis gives
    it (no answer: every status a failure), which the footer line comes with."""
    report = make_report()
    dns = tuple(DnsRecordUse(name=f"q{i}.example", rdtype="TXT", status=status, records=())
                for i, status in enumerate(statuses))
    failed = [status for status in statuses if status not in ("BUDGET", "NOT_RECORDED")]
    findings = report.findings
    if failed and all(status in DnsStatus.TEMPORARY for status in failed):
        findings = (Finding(id="dns.unanswered", severity=Severity.WARNING, subject="dns",
                            title=f"DNS: 127.0.0.1:5353 answered none of the {len(failed)} question(s)",
                            explanation="Every DNS question of this analysis failed."), *findings)
    return dataclasses.replace(report, dns_source=DnsSource(source="live", detail="127.0.0.1:5353"), dns=dns,
                               findings=findings)


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


def test_the_line_comes_with_the_warning_and_says_what_it_says() -> None:
    # A replay of a recording of a dead nameserver: the warning names the recorded nameserver and
    # says "when this snapshot was recorded", the footer line too; questions not recorded and
    # not asked are not counted. No warning (a snapshot that was not recorded live): no line.
    report = _dead("TIMEOUT", "NOT_RECORDED", "TIMEOUT", "BUDGET")
    replayed = dataclasses.replace(
        report, dns_source=DnsSource(source="snapshot", detail="/tmp/dead.dns.json"),
        findings=tuple(dataclasses.replace(f, title=f"{f.title} when this snapshot was recorded")
                       if f.id == "dns.unanswered" else f for f in report.findings))
    assert ("**DNS: 127.0.0.1:5353 answered none of the 2 question(s) when this snapshot was recorded (all timed "
            "out): every DNS-based result here is unknown**") in MarkdownRenderer().render(replayed)
    silent = dataclasses.replace(replayed, findings=tuple(f for f in replayed.findings if f.id != "dns.unanswered"))
    assert "answered none" not in MarkdownRenderer().render(silent)
    assert "answered none" not in " ".join(TerminalRenderer(width=300).render(silent).split())
