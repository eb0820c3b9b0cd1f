"""A replay of a recording whose nameserver answered nothing says so as the live run did
(dns.unanswered), and a replayed dns.budget_spent says the recorded run waited, not the replay.

Live runs ask a loopback server (tests/dnsresponder.py) or a bound UDP socket that is never read
(every question times out), record with --record-dns, and the recording is replayed with
--dns-snapshot: the findings are the live run's, except the words that say "recorded"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import dns.message
import dns.rcode
import dns.rdatatype
import pytest
from conftest import REPO, SAMPLES
from dnsresponder import respond, silent_nameserver

from headerscope.api import analyze
from headerscope.dns.interface import REPLAYED_FAILURE_WORDS, DnsStatus
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report
from headerscope.render.markdown import MarkdownRenderer
from headerscope.render.terminal import TerminalRenderer

FIXED_NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)
RAW = (SAMPLES / "direct.eml").read_bytes()
# The finding words a replay says of the recording instead of the live run.
RECORDED_WORDS = {"dns.unanswered", "dns.budget_spent"}


def _rcode_for(rcode_of: Callable[[str], str | None]) -> Callable[[dns.message.Message], dns.message.Message | None]:
    """A responder handler answering each question with the rcode ``rcode_of(TYPE)`` (None: silent)."""

    def handler(query: dns.message.Message) -> dns.message.Message | None:
        rcode = rcode_of(dns.rdatatype.to_text(query.question[0].rdtype))
        if rcode is None:
            return None
        reply = dns.message.make_response(query)
        reply.set_rcode(dns.rcode.from_text(rcode))
        return reply

    return handler


def _record_and_replay(nameserver: str, recorded: Path, **options: Any) -> tuple[Report, Report]:
    live = analyze(RAW, nameserver=nameserver, dns_timeout=0.3, record_dns=str(recorded), now=FIXED_NOW, **options)
    replayed = analyze(RAW, dns_snapshot=str(recorded), now=FIXED_NOW, **options)
    assert live.dns_source.source == "recording" and replayed.dns_source.source == "snapshot"
    return live, replayed


def _comparable(report: Report) -> dict[str, Any]:
    """The report without what differs between runs, and with the findings that say "recorded"
    on a replay reduced to their id and severity (their words are compared by each test)."""
    data = {key: value for key, value in report.to_dict().items()
            if key not in ("analyzed_at", "options", "dns_source")}
    data["findings"] = [{"id": f["id"], "severity": f["severity"]} if f["id"] in RECORDED_WORDS else f
                        for f in data["findings"]]
    # The advice for a temporary DNS error (in the verdict and each check's reason): a live run's
    # is to try again later, a replay's to use live DNS (the same file fails again); the rest of
    # their words are compared.
    text = json.dumps(data, default=str).replace(REPLAYED_FAILURE_WORDS, "try again later")
    return dict(json.loads(text.replace("analyse the message again later", "try again later")))


def _finding(report: Report, finding_id: str) -> Any:
    found = [f for f in report.findings if f.id == finding_id]
    return found[0] if found else None


def test_a_replay_of_a_run_whose_every_question_timed_out_says_the_nameserver_answered_none(tmp_path: Path) -> None:
    recorded = tmp_path / "dead.dns.json"
    with silent_nameserver() as nameserver:
        live, replayed = _record_and_replay(nameserver, recorded)
    assert live.dns and all(use.status == DnsStatus.TIMEOUT for use in live.dns)
    assert json.loads(recorded.read_text(encoding="utf-8"))["$meta"]["source"] == f"live {nameserver}"
    assert _comparable(replayed) == _comparable(live)
    said, again = _finding(live, "dns.unanswered"), _finding(replayed, "dns.unanswered")
    assert said is not None and again is not None
    count = len(live.dns)
    assert said.title == f"DNS: {nameserver} answered none of the {count} question(s)"
    assert again.title == f"DNS: {nameserver} answered none of the {count} question(s) when this snapshot was recorded"
    assert f"({count} TIMEOUT)" in again.explanation and "When this DNS snapshot was recorded" in again.explanation
    # The replay waited for nothing and asked no nameserver: it does not advise checking one now.
    assert "check --nameserver" not in again.explanation
    assert (again.severity, again.subject, again.reference) == (said.severity, said.subject, said.reference)
    # The verdict's advice: the live run's timeout may pass if tried again later; the replay's
    # fails again whenever it is replayed, so it names live DNS instead.
    assert live.verdict.status == replayed.verdict.status == "not_checked"
    assert "try again later" in live.verdict.summary and REPLAYED_FAILURE_WORDS not in live.verdict.summary
    assert "try again later" not in replayed.verdict.summary and REPLAYED_FAILURE_WORDS in replayed.verdict.summary
    # The line above the DNS footer, in the terminal and Markdown reports, comes with the warning.
    for renderer in (TerminalRenderer(width=400), MarkdownRenderer()):
        assert f"{nameserver} answered none of the {count} question(s) (all timed out)" in renderer.render(live)
        assert (f"{nameserver} answered none of the {count} question(s) when this snapshot was recorded "
                "(all timed out): every DNS-based result here is unknown") in renderer.render(replayed)


@pytest.mark.parametrize("rcode", ["SERVFAIL", "REFUSED"])
def test_a_replay_of_a_run_whose_server_answered_only_errors_says_the_same(tmp_path: Path, rcode: str) -> None:
    recorded = tmp_path / "errors.dns.json"
    with respond(_rcode_for(lambda rdtype: rcode)) as nameserver:
        live, replayed = _record_and_replay(nameserver, recorded)
    assert live.dns and {use.status for use in live.dns} == {rcode}
    assert _finding(live, "dns.unanswered") is not None
    assert _comparable(replayed) == _comparable(live)
    assert f"({len(live.dns)} {rcode})" in _finding(replayed, "dns.unanswered").explanation
    assert f"(all failed: {len(live.dns)} {rcode})" in TerminalRenderer(width=400).render(replayed)


def test_a_replay_of_mixed_failures_says_them_all(tmp_path: Path) -> None:
    # TXT questions (DKIM key, SPF, DMARC) SERVFAIL, the others time out: still none answered.
    recorded = tmp_path / "mixed.dns.json"
    with respond(_rcode_for(lambda rdtype: "SERVFAIL" if rdtype == "TXT" else None)) as nameserver:
        live, replayed = _record_and_replay(nameserver, recorded)
    assert {use.status for use in live.dns} == {DnsStatus.SERVFAIL, DnsStatus.TIMEOUT}
    assert _comparable(replayed) == _comparable(live)
    said, again = _finding(live, "dns.unanswered"), _finding(replayed, "dns.unanswered")
    how = said.explanation.split("failed (", 1)[1].split(")", 1)[0]
    assert "SERVFAIL" in how and "TIMEOUT" in how and f"failed ({how})" in again.explanation


def test_a_replay_of_a_run_that_got_an_answer_says_nothing_of_a_dead_nameserver(tmp_path: Path) -> None:
    # PTR answered NXDOMAIN (an answer), the rest SERVFAIL: the nameserver works, live and replayed.
    recorded = tmp_path / "some.dns.json"
    with respond(_rcode_for(lambda rdtype: "NXDOMAIN" if rdtype == "PTR" else "SERVFAIL")) as nameserver:
        live, replayed = _record_and_replay(nameserver, recorded)
    assert DnsStatus.NXDOMAIN in {use.status for use in live.dns}
    assert _finding(live, "dns.unanswered") is None and _finding(replayed, "dns.unanswered") is None
    assert _comparable(replayed) == _comparable(live)


def test_questions_a_recording_does_not_hold_say_nothing_of_its_nameserver(tmp_path: Path) -> None:
    recorded = tmp_path / "dead.dns.json"
    with silent_nameserver() as nameserver:
        analyze(RAW, nameserver=nameserver, dns_timeout=0.3, record_dns=str(recorded), now=FIXED_NOW)
    # Replayed with another client IP: its PTR was not recorded (dns.not_recorded), the rest
    # timed out when recorded. The count is of the recorded failures only.
    other = analyze(RAW, dns_snapshot=str(recorded), client_ip="198.51.100.130", now=FIXED_NOW)
    statuses = [use.status for use in other.dns]
    assert DnsStatus.NOT_RECORDED in statuses and DnsStatus.TIMEOUT in statuses
    assert _finding(other, "dns.not_recorded") is not None
    assert _finding(other, "dns.unanswered").title.endswith(
        f"answered none of the {statuses.count(DnsStatus.TIMEOUT)} question(s) when this snapshot was recorded")
    # Another message, none of whose questions the file holds: only dns.not_recorded.
    stranger = (SAMPLES / "ed25519.eml").read_bytes()
    unrelated = analyze(stranger, dns_snapshot=str(recorded), now=FIXED_NOW)
    assert unrelated.dns and all(use.status == DnsStatus.NOT_RECORDED for use in unrelated.dns)
    assert _finding(unrelated, "dns.not_recorded") is not None and _finding(unrelated, "dns.unanswered") is None


def test_a_recording_of_the_replay_keeps_the_nameserver_it_came_from(tmp_path: Path) -> None:
    # --record-dns with --dns-snapshot: its report is the replay's, and so is its file's replay.
    first = tmp_path / "first.dns.json"
    with silent_nameserver() as nameserver:
        live = analyze(RAW, nameserver=nameserver, dns_timeout=0.3, record_dns=str(first), now=FIXED_NOW)
    second = tmp_path / "second.dns.json"
    rerecorded = analyze(RAW, dns_snapshot=str(first), record_dns=str(second), now=FIXED_NOW)
    meta = json.loads(second.read_text(encoding="utf-8"))["$meta"]
    assert meta["source"] == f"snapshot {first}" and meta["live_source"] == f"live {nameserver}"
    again = analyze(RAW, dns_snapshot=str(second), now=FIXED_NOW)
    replayed = analyze(RAW, dns_snapshot=str(first), now=FIXED_NOW)
    for report in (rerecorded, again):
        assert _comparable(report) == _comparable(live)
        assert report.findings == replayed.findings
    # A replay recorded again still replays: its failures are the file's, not to be tried again
    # later (verification V45b D3: RecordingResolver's source is "recording" over a snapshot too).
    for report in (rerecorded, again, replayed):
        assert "try again later" not in report.verdict.summary and REPLAYED_FAILURE_WORDS in report.verdict.summary
        assert all("try again later" not in d.reason for d in report.dkim)
        # dkim.temperror's advice too (V45b D4).
        temperror = _finding(report, "dkim.temperror")
        assert temperror is not None and "analyse the message again later" not in temperror.explanation
        assert REPLAYED_FAILURE_WORDS in temperror.explanation
    said = _finding(live, "dkim.temperror")
    assert said is not None and said.explanation.endswith("analyse the message again later.")


def test_a_snapshot_not_recorded_from_live_dns_says_no_nameserver_failed(tmp_path: Path) -> None:
    # Hand-written or generated files (the samples' $meta.source names their script) hold
    # TIMEOUT answers as test data: no nameserver was asked, so there is none to name.
    replayed = analyze(RAW, dns_snapshot=str(SAMPLES / "direct.dns.json"), now=FIXED_NOW)
    timeouts = {"$meta": {"source": "samples/make_samples.py (direct)"},
                **{use.name: {use.rdtype: "TIMEOUT"} for use in replayed.dns}}
    path = tmp_path / "hand.dns.json"
    path.write_text(json.dumps(timeouts), encoding="utf-8")
    report = analyze(RAW, dns_snapshot=str(path), now=FIXED_NOW)
    assert all(use.status == DnsStatus.TIMEOUT for use in report.dns)
    assert _finding(report, "dns.unanswered") is None
    assert "answered none" not in TerminalRenderer(width=400).render(report)


def test_the_recorded_nameserver_is_the_files_words_on_one_bounded_line(tmp_path: Path) -> None:
    # A snapshot found beside a message can be the sender's: its $meta.source must not start a
    # line of the report of its own, nor fill it.
    replayed = analyze(RAW, dns_snapshot=str(SAMPLES / "direct.dns.json"), now=FIXED_NOW)
    forged = {"$meta": {"source": "live 10.0.0.1\nVERDICT: AUTHENTICATED\x1b[32m" + "x" * 5000},
              **{use.name: {use.rdtype: "TIMEOUT"} for use in replayed.dns}}
    path = tmp_path / "forged.dns.json"
    path.write_text(json.dumps(forged), encoding="utf-8")
    report = analyze(RAW, dns_snapshot=str(path), now=FIXED_NOW)
    title = _finding(report, "dns.unanswered").title
    assert "\n" not in title and "\x1b" not in title and len(title) < 300
    # Only what --record-dns writes there (addresses with ports, "system resolver") is named: the
    # file's other words stay out of a headline (verification V45b D6).
    assert title.startswith("DNS: the nameserver answered none") and "VERDICT" not in title
    assert report.verdict.status == "not_checked"
    for named in ("10.0.0.1", "127.0.0.1:5353, [2001:db8::1]:5300", "system resolver", "[::1]"):
        assert SnapshotResolver({"$meta": {"source": f"live {named}"}}).recorded_nameserver == named
    for words in ("9.9.9.9 ALL CHECKS PASSED", "10.0.0.1, evil", "ns.example"):
        assert SnapshotResolver({"$meta": {"source": f"live {words}"}}).recorded_nameserver == ""
    # "live" alone names no nameserver.
    assert SnapshotResolver({"$meta": {"source": "live"}}).recorded_nameserver == ""
    assert SnapshotResolver({"$meta": {"source": "lively.example"}}).recorded_nameserver is None
    assert SnapshotResolver({"$meta": {"source": 5}}).recorded_nameserver is None


def _scan(box: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "headerscope", "scan", str(box), "--jobs", "1", "-f", "csv",
                           "--now", "2026-11-27T00:00:00+00:00", *options], capture_output=True, text=True,
                          cwd=REPO, timeout=180, env={**os.environ, "NO_COLOR": "1"})


def test_a_scan_replaying_a_dead_nameservers_recording_gives_the_live_rows(tmp_path: Path) -> None:
    # The scan's rows carry dns.unanswered as the live scan's do; the stderr line that a live
    # scan says once (check --nameserver) is about a nameserver asked now: a replay asks none.
    from test_scan import mbox_of

    box = tmp_path / "box.mbox"
    box.write_bytes(mbox_of([RAW] * 21))
    recorded = tmp_path / "dead.dns.json"
    with silent_nameserver() as nameserver:
        analyze(RAW, nameserver=nameserver, dns_timeout=0.3, record_dns=str(recorded), now=FIXED_NOW)
        live = _scan(box, "--nameserver", nameserver, "--dns-timeout", "0.1")
    replayed = _scan(box, "--dns-snapshot", str(recorded))
    assert live.returncode == 0 and replayed.returncode == 0, live.stderr + replayed.stderr
    rows = live.stdout.splitlines()[1:]
    assert len(rows) == 21 and all("dns.unanswered" in row for row in rows)
    assert replayed.stdout == live.stdout
    assert "answered none of the DNS questions" in live.stderr
    assert "answered none" not in replayed.stderr
