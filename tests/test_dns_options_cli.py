"""The DNS options of analyze and scan that contradict or override each other, and the snapshot
file's own edges (verification V42a D4, D5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO
from test_cli import run

from headerscope.api import analyze
from headerscope.dns.snapshot import SnapshotResolver

SAMPLE = REPO / "samples" / "direct.eml"
SNAPSHOT = REPO / "samples" / "direct.dns.json"
NOW = "2026-11-27T10:00:00+00:00"


def test_offline_with_record_dns_is_refused_not_a_missing_file(tmp_path: Path) -> None:
    recorded = tmp_path / "x.dns.json"
    result = run("analyze", str(SAMPLE), "--offline", "--record-dns", str(recorded))
    assert result.returncode == 2
    assert b"--offline and --record-dns contradict" in result.stderr and b"Traceback" not in result.stderr
    assert not recorded.exists()
    with pytest.raises(ValueError, match="offline and record_dns contradict"):
        analyze(SAMPLE.read_bytes(), offline=True, record_dns=str(recorded))


@pytest.mark.parametrize(("args", "said"), [
    (("--offline", "--dns-snapshot", str(SNAPSHOT)), f"--dns-snapshot {SNAPSHOT} not used: --offline: no DNS is used"),
    (("--dns-snapshot", str(SNAPSHOT), "--nameserver", "192.0.2.53"),
     "--nameserver 192.0.2.53 not used: DNS is replayed from --dns-snapshot"),
    (("--offline", "--nameserver", "192.0.2.53"), "--nameserver 192.0.2.53 not used: --offline: no DNS is used"),
])
@pytest.mark.parametrize("command", ["analyze", "scan"])
def test_the_dns_option_that_wins_is_said(command: str, args: tuple[str, ...], said: str) -> None:
    result = run(command, str(SAMPLE), *args, "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert f"headerscope: note: {said}\n".encode() in result.stderr


def test_one_dns_source_says_nothing() -> None:
    result = run("analyze", str(SAMPLE), "--dns-snapshot", str(SNAPSHOT), "--now", NOW)
    assert result.returncode == 0 and b"note" not in result.stderr


def test_record_dns_into_a_missing_folder_names_the_users_path(tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "x.json"
    result = run("analyze", str(SAMPLE), "--dns-snapshot", str(SNAPSHOT), "--record-dns", str(target))
    assert result.returncode == 1
    line = result.stderr.decode()
    assert line.startswith("headerscope: error: ") and str(target) in line and ".tmp" not in line
    assert not (tmp_path / "nonexistent").exists()


def test_a_snapshot_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # RFC 8259 section 8.1: a parser may ignore a BOM; Notepad writes one.
    marked = tmp_path / "bom.dns.json"
    marked.write_bytes(b"\xef\xbb\xbf" + SNAPSHOT.read_bytes())
    resolver = SnapshotResolver.from_file(marked)
    assert resolver.to_dict() == SnapshotResolver.from_file(SNAPSHOT).to_dict()
    plain = run("analyze", str(SAMPLE), "--dns-snapshot", str(SNAPSHOT), "-f", "json", "--now", NOW)
    with_bom = run("analyze", str(SAMPLE), "--dns-snapshot", str(marked), "-f", "json", "--now", NOW)
    assert with_bom.returncode == 0, with_bom.stderr
    reports = [json.loads(r.stdout) for r in (plain, with_bom)]
    for report in reports:
        report.pop("options"), report.pop("dns_source")
    assert reports[0] == reports[1]
    # Only one mark, at the start: one elsewhere is no JSON whitespace.
    twice = tmp_path / "twice.dns.json"
    twice.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf{}")
    assert run("analyze", str(SAMPLE), "--dns-snapshot", str(twice)).returncode == 1
