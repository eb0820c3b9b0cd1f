"""`scan` with live DNS: one question per name and type per run, however many messages or workers.

Issue 5: "With live DNS, one name and type is asked at most once per run, whatever the number
of messages or workers; DNS answers are shared, not re-fetched per message." A real dnsmasq
(tests/dnsserver.py) serves the merged snapshots of two signed samples and logs every question
that reaches it; an mbox repeats those samples so every question comes up many times.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SAMPLES, require_dnsmasq
from dnsserver import DnsServer, serve

from headerscope.dns.snapshot import SnapshotResolver
from headerscope.scan.readers import iter_inputs
from headerscope.scan.runner import _BATCH_MESSAGES, ScanOptions, ScanRow, run_scan

# Signature expiry is judged as of this time, as in the samples' own tests.
FIXED_NOW = "2026-12-01T12:00:00+00:00"
SAMPLE_NAMES = ("direct", "ed25519")
# Two full batches of the runner, so both workers of --jobs 2 get messages, each batch
# holding both samples: the workers ask the same questions at about the same time.
COPIES = _BATCH_MESSAGES
# dnsmasq's query log line: "query[TXT] s1._domainkey.example.com from 127.0.0.1".
_LOGGED_QUERY = re.compile(r"query\[(\w+)\] (\S+) from 127\.0\.0\.1")
_READY_NAME = "ready.dnsserver.test"  # dnsserver's own start-up probe, not the scan's



def merged_snapshot() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for name in SAMPLE_NAMES:
        snapshot = json.loads((SAMPLES / f"{name}.dns.json").read_text(encoding="utf-8"))
        snapshot.pop("$meta", None)
        assert not set(snapshot) & set(merged), "the samples' snapshots must not disagree on a name"
        merged.update(snapshot)
    return merged


SNAPSHOT = merged_snapshot()


@pytest.fixture()
def mbox(tmp_path: Path) -> Path:
    """The samples alternating, COPIES times each, stored the way an mbox writer stores them."""
    messages = [(SAMPLES / f"{name}.eml").read_bytes() for name in SAMPLE_NAMES] * COPIES
    parts = []
    for number, raw in enumerate(messages):
        assert b"\nFrom " not in raw  # nothing to quote: the stored bytes are the signed bytes
        parts.append(f"From sender{number}@example.com Mon Nov  2 10:00:00 2026\n".encode())
        parts.append(raw.replace(b"\r\n", b"\n"))
        parts.append(b"\n")
    path = tmp_path / "repeated.mbox"
    path.write_bytes(b"".join(parts))
    return path


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[DnsServer]:
    """A fresh dnsmasq per test, so its log holds one run's questions only."""
    require_dnsmasq()
    workdir = tmp_path / "dnsmasq"
    workdir.mkdir()
    with serve(SNAPSHOT, workdir) as running:
        yield running


def questions_reaching(server: DnsServer) -> Counter[tuple[str, str]]:
    """(name, type) -> how many times it reached the server, from dnsmasq's query log."""
    server.queries(_READY_NAME, "TXT")  # waits for dnsmasq to flush its log
    text = server.log_path.read_text(encoding="utf-8", errors="replace")
    return Counter((name.rstrip(".").lower(), rdtype.upper()) for rdtype, name in _LOGGED_QUERY.findall(text)
                   if name.rstrip(".").lower() != _READY_NAME)


def assert_evidence_is_the_served_answers(reports: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """Every DNS answer a report shows is what dnsmasq serves; returns how often each was used."""
    expected = SnapshotResolver(SNAPSHOT)
    used: Counter[tuple[str, str]] = Counter()
    for report in reports:
        assert report["dns_source"]["source"] == "live", report["dns_source"]
        assert report["dns"], "a report used no DNS: this test would prove nothing"
        for query in report["dns"]:
            answer = expected.resolve(query["name"], query["rdtype"])
            assert query["status"] == answer.status, query
            # The DNS does not order an RRset (RFC 2181 section 5): compare as sets.
            assert sorted(map(tuple, query["records"])) == sorted(answer.records), query
            used[(query["name"].rstrip(".").lower(), query["rdtype"].upper())] += 1
    return used


def assert_each_question_asked_once(server: DnsServer, used: Counter[tuple[str, str]]) -> None:
    asked = questions_reaching(server)
    repeated = {question: count for question, count in asked.items() if count > 1}
    assert not repeated, f"asked the DNS server more than once per run: {repeated}"
    # Every question a report shows reached the server (once), and the server saw no other but
    # the hop chain's PTR and MX questions, which are prefetched on a guess before the hop chain
    # is built (api._early_questions) so a dead nameserver costs one round, not one per stage.
    assert set(used) <= set(asked)
    assert {rdtype for _name, rdtype in set(asked) - set(used)} <= {"PTR", "MX"}
    # The messages did repeat their questions: 2 x COPIES messages, the same few names.
    assert sum(used.values()) >= COPIES * len(used)
    for key_name in ("s2026._domainkey.example.com", "ed2026._domainkey.sender.example",
                     "rsa1024._domainkey.sender.example"):
        assert server.queries(key_name, "TXT") == 1, key_name
        assert used[(key_name, "TXT")] >= COPIES


def check_rows(rows: list[ScanRow]) -> None:
    assert [row.index for row in rows] == list(range(1, 2 * COPIES + 1))
    assert all(row.error is None for row in rows), [row.error for row in rows]
    # Signatures verify, SPF and DMARC pass: the live answers were used, not ignored.
    assert {(row.dkim, row.spf, row.dmarc) for row in rows} == {("pass", "pass", "pass")}
    assert [row.from_domain for row in rows[:2]] == ["example.com", "sender.example"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_scan_asks_each_question_once(server: DnsServer, mbox: Path, jobs: int) -> None:
    options = ScanOptions(nameserver=server.nameserver, dns_timeout=3, now=FIXED_NOW, want_json=True)
    rows = list(run_scan(iter_inputs([str(mbox)]), options, jobs=jobs))
    check_rows(rows)
    reports = [json.loads(row.report_json or "null") for row in rows]
    used = assert_evidence_is_the_served_answers(reports)
    assert_each_question_asked_once(server, used)


def test_cli_scan_jsonl_with_two_jobs_asks_each_question_once(server: DnsServer, mbox: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "headerscope", "scan", str(mbox), "--nameserver", server.nameserver,
         "--dns-timeout", "3", "--jobs", "2", "--format", "jsonl", "--now", FIXED_NOW],
        capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(reports) == 2 * COPIES
    assert all(any(s["result"] == "pass" for s in report["dkim"]) for report in reports)
    used = assert_evidence_is_the_served_answers(reports)
    assert_each_question_asked_once(server, used)


def test_a_scan_says_once_when_the_nameserver_answers_nothing(tmp_path: Path) -> None:
    # A dead --nameserver: after 20 messages whose every question failed, one line on stderr.
    import socket

    from test_scan import mbox_of, message

    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))  # bound, never read
    try:
        box = tmp_path / "box.mbox"
        box.write_bytes(mbox_of([message(n) for n in range(1, 22)]))
        proc = subprocess.run([sys.executable, "-m", "headerscope", "scan", str(box), "--nameserver",
                               f"127.0.0.1:{silent.getsockname()[1]}", "--dns-timeout", "0.1", "--jobs", "1",
                               "-f", "csv"], capture_output=True, text=True, cwd=REPO, timeout=120,
                              env={**os.environ, "NO_COLOR": "1"})
    finally:
        silent.close()
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "answered none of the DNS questions" in line]
    assert len(warnings) == 1 and "of the first 20 messages" in warnings[0]
    assert all("dns.unanswered" in row.split(",") or "dns.unanswered" in row for row in proc.stdout.splitlines()[1:])
