"""The live resolver against a real DNS server (dnsmasq) that the tests start on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SAMPLES, require_dnsmasq
from dnsserver import SERVFAIL_NAME, TIMEOUT_NAME, DnsServer, serve

from headerscope.api import analyze
from headerscope.dns.interface import DnsAnswer, DnsStatus
from headerscope.dns.live import LiveResolver, parse_nameserver
from headerscope.dns.recording import RecordingResolver
from headerscope.dns.snapshot import SnapshotResolver

LONG_KEY = "v=DKIM1; k=rsa; p=" + "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" * 9
# The size of a 4,096-bit RSA key's record (736 characters of base64): over 512 bytes of answer.
KEY_4096 = "v=DKIM1; k=rsa; p=" + ("MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA" * 17)[:736]
SERVED: dict[str, Any] = {
    "sender.test": {
        "TXT": [["v=spf1 ip4:192.0.2.10 ip6:2001:db8::10 -all"], ["verification=abc; x,y \"quoted\" \\ end"]],
        "MX": ["10 mx.sender.test.", "20 backup.sender.test."],
        "A": ["192.0.2.10", "192.0.2.11"],
        "AAAA": ["2001:db8::10"],
    },
    "s1._domainkey.sender.test": {"TXT": [[LONG_KEY[:255], LONG_KEY[255:]]]},
    "big._domainkey.sender.test": {"TXT": [[KEY_4096[i:i + 255] for i in range(0, len(KEY_4096), 255)]]},
    "_dmarc.sender.test": {"TXT": [["v=DMARC1; p=reject; rua=mailto:d@sender.test"]]},
    "utf8.sender.test": {"TXT": [["caf\u00e9 \u2713"]]},
    "mx.sender.test": {"A": ["192.0.2.10"]},
    "10.2.0.192.in-addr.arpa": {"PTR": ["mx.sender.test."]},
    "www.sender.test": {"CNAME": ["sender.test."]},
    "flaky.sender.test": "SERVFAIL",
    "slow.sender.test": "TIMEOUT",
}
QUESTIONS = [("sender.test", "TXT"), ("sender.test", "MX"), ("sender.test", "A"), ("sender.test", "AAAA"),
             ("s1._domainkey.sender.test", "TXT"), ("_dmarc.sender.test", "TXT"), ("utf8.sender.test", "TXT"),
             ("10.2.0.192.in-addr.arpa", "PTR"), ("www.sender.test", "CNAME"), ("www.sender.test", "A"),
             ("www.sender.test", "TXT"), ("sender.test", "PTR"), ("nobody.sender.test", "TXT"),
             ("elsewhere.example", "A")]
FIXED_NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)



@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsServer]:
    require_dnsmasq()
    with serve(SERVED, tmp_path_factory.mktemp("dnsmasq")) as running:
        yield running


def test_live_answers_match_the_snapshot_served(server: DnsServer) -> None:
    live = LiveResolver(nameserver=server.nameserver, timeout=3)
    snapshot = SnapshotResolver(SERVED)
    for name, rdtype in QUESTIONS:
        got, expected = live.resolve(name, rdtype), snapshot.resolve(name, rdtype)
        if rdtype != "TXT" and len(got.records) > 1:
            # The DNS does not order an RRset (RFC 2181 section 5): compare as sets.
            got = DnsAnswer(got.name, got.rdtype, got.status, tuple(sorted(got.records)))
            expected = DnsAnswer(expected.name, expected.rdtype, expected.status, tuple(sorted(expected.records)))
        if rdtype == "TXT" and len(got.records) > 1:
            got = DnsAnswer(got.name, got.rdtype, got.status, tuple(sorted(got.records)))
            expected = DnsAnswer(expected.name, expected.rdtype, expected.status, tuple(sorted(expected.records)))
        assert got == expected, (name, rdtype)
    # The chunks of a long TXT record stay apart; joined they are the key (RFC 6376 section 3.6.2.2).
    assert live.resolve("s1._domainkey.sender.test", "TXT").texts == (LONG_KEY,)
    assert live.source == "live" and live.detail == server.nameserver


def test_timeout_becomes_a_status_within_the_budget(server: DnsServer) -> None:
    live = LiveResolver(nameserver=server.nameserver, timeout=0.6)
    for name in (TIMEOUT_NAME, "slow.sender.test", "x." + TIMEOUT_NAME):
        started = time.monotonic()
        answer = live.resolve(name, "TXT")
        elapsed = time.monotonic() - started
        assert answer.status == DnsStatus.TIMEOUT and answer.temporary_failure
        assert 0.5 < elapsed < 0.6 + 0.5, elapsed


def test_servfail_becomes_a_status_quickly(server: DnsServer) -> None:
    live = LiveResolver(nameserver=server.nameserver, timeout=3)
    for name in (SERVFAIL_NAME, "flaky.sender.test"):
        started = time.monotonic()
        answer = live.resolve(name, "TXT")
        assert answer == DnsAnswer(name, "TXT", DnsStatus.SERVFAIL)
        assert time.monotonic() - started < 1.5


def test_unreachable_nameserver_times_out_within_budget() -> None:
    # Nothing listens on this loopback port: an ICMP refusal or silence, never an exception.
    live = LiveResolver(nameserver="127.0.0.1:9", timeout=0.5)
    started = time.monotonic()
    answer = live.resolve("sender.test", "TXT")
    assert answer.status in (DnsStatus.TIMEOUT, DnsStatus.SERVFAIL)
    assert time.monotonic() - started < 1.5


def test_cache_asks_each_question_once(server: DnsServer) -> None:
    live = LiveResolver(nameserver=server.nameserver, timeout=3)
    before = server.queries("_dmarc.sender.test", "TXT")  # the server is shared by this module's tests
    first = live.resolve("_dmarc.sender.test", "TXT")
    assert first.texts == ("v=DMARC1; p=reject; rua=mailto:d@sender.test",)
    for name in ("_dmarc.sender.test", "_DMARC.Sender.Test.", "_dmarc.sender.test."):
        assert live.resolve(name, "txt") is first
    assert server.queries("_dmarc.sender.test", "TXT") == before + 1
    assert live.network_queries == 1


def test_an_answer_over_512_bytes_is_asked_once(server: DnsServer) -> None:
    # Without EDNS (RFC 6891) a UDP answer stops at 512 bytes (RFC 1035 section 4.2.1): a
    # 4,096-bit key's record came back truncated and was asked again over TCP, two questions
    # where the issue allows one (verification V23).
    live = LiveResolver(nameserver=server.nameserver, timeout=3)
    before = server.queries("big._domainkey.sender.test", "TXT")
    assert live.resolve("big._domainkey.sender.test", "TXT").texts == (KEY_4096,)
    assert server.queries("big._domainkey.sender.test", "TXT") == before + 1


def test_threads_asking_at_once_share_one_query(server: DnsServer) -> None:
    live = LiveResolver(nameserver=server.nameserver, timeout=0.8)
    barrier = threading.Barrier(8)
    answers: list[DnsAnswer] = []
    lock = threading.Lock()

    def ask(name: str) -> None:
        barrier.wait()
        answer = live.resolve(name, "MX")
        with lock:
            answers.append(answer)

    for name in ("sender.test", "dedup." + TIMEOUT_NAME):
        answers.clear()
        before = server.queries(name, "MX")
        started = time.monotonic()
        threads = [threading.Thread(target=ask, args=(name,)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(answers) == 8 and len(set(answers)) == 1
        # Eight waits in a row on the unanswered name would take 8 x 0.8 s.
        assert time.monotonic() - started < 0.8 + 0.6
        # One question for the eight threads: sent once, and once more when the first try timed
        # out (the second round of the question's tries, resolv.conf(5)).
        tries = 1 if name == "sender.test" else 2
        assert server.queries(name, "MX") == before + tries, name
    assert live.network_queries == 2


def test_prefetch_answers_in_parallel(server: DnsServer) -> None:
    live = LiveResolver(nameserver=server.nameserver, timeout=0.7)
    slow = [(f"p{i}.{TIMEOUT_NAME}", "TXT") for i in range(6)]
    started = time.monotonic()
    live.prefetch([*slow, ("sender.test", "A"), ("sender.test", "A")])
    elapsed = time.monotonic() - started
    assert elapsed < 0.7 + 0.8, elapsed  # one after the other: 6 x 0.7 s
    before = live.network_queries
    assert before == 7
    assert all(live.resolve(n, t).status == DnsStatus.TIMEOUT for n, t in slow)
    assert live.resolve("sender.test", "A").status == DnsStatus.NOERROR
    assert live.network_queries == before  # all from the cache
    live.prefetch(slow)  # already answered: returns at once
    assert live.network_queries == before


def test_names_that_cannot_exist_are_nxdomain_without_a_query(server: DnsServer) -> None:
    live = LiveResolver(nameserver=server.nameserver, timeout=1)
    for name in ("a" * 64 + ".test", "a..b.test", ".".join(["abcdefghij"] * 30)):
        assert live.resolve(name, "TXT").status == DnsStatus.NXDOMAIN


def test_recording_live_answers_replays_identically(server: DnsServer, tmp_path: Path) -> None:
    recorder = RecordingResolver(LiveResolver(nameserver=server.nameserver, timeout=0.6))
    questions = [*QUESTIONS, (SERVFAIL_NAME, "TXT"), ("slow.sender.test", "A")]
    original = [recorder.resolve(n, t) for n, t in questions]
    assert {a.status for a in original} == {"NOERROR", "NXDOMAIN", "NODATA", "SERVFAIL", "TIMEOUT"}
    path = tmp_path / "live.dns.json"
    recorder.write(path)
    meta = json.loads(path.read_text(encoding="utf-8"))["$meta"]
    assert meta["source"] == f"live {server.nameserver}"
    replay = SnapshotResolver.from_file(path)
    # dnsmasq rotates an RRset's order from one answer to the next (the DNS does not order one,
    # RFC 2181 section 5): www.sender.test's A records, reached through its CNAME, are replayed in
    # the order sender.test's own A question recorded them.
    assert [_unordered(replay.resolve(n, t)) for n, t in questions] == [_unordered(a) for a in original]
    assert replay.resolve("www.sender.test", "A").cname_chain == ("sender.test",)
    assert json.loads(path.read_text(encoding="utf-8"))["www.sender.test"]["CNAME"] == ["sender.test."]


def _unordered(answer: DnsAnswer) -> DnsAnswer:
    if answer.rdtype in ("TXT", "SPF"):
        return answer
    return DnsAnswer(answer.name, answer.rdtype, answer.status, tuple(sorted(answer.records)), answer.cname_chain)


@pytest.mark.parametrize("text, expected", [
    ("192.0.2.53", ("192.0.2.53", 53)),
    ("127.0.0.1:5353", ("127.0.0.1", 5353)),
    ("[::1]:5353", ("::1", 5353)),
    ("[2001:db8::53]", ("2001:db8::53", 53)),
    ("2001:db8::53", ("2001:db8::53", 53)),
])
def test_nameserver_forms(text: str, expected: tuple[str, int]) -> None:
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize("text", ["dns.example", "127.0.0.1:0", "127.0.0.1:99999", "[::1", "[::1]x", "1.2.3.4:x",
                                  # an empty port; no server (unspecified); a group (multicast)
                                  "127.0.0.1:", "[::1]:", "0.0.0.0", "::", "[::]:53", "224.0.0.1", "ff02::1"])
def test_bad_nameserver_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="invalid nameserver"):
        LiveResolver(nameserver=text)


def test_ipv6_nameserver_detail() -> None:
    assert LiveResolver(nameserver="[::1]:5353").detail == "[::1]:5353"
    assert LiveResolver(nameserver="192.0.2.1").detail == "192.0.2.1"
    assert LiveResolver().detail == "system resolver"


def test_dnspython_is_imported_lazily() -> None:
    code = ("import sys, headerscope.dns.live as m; r = m.LiveResolver(nameserver='127.0.0.1:5353'); "
            "print(any(k == 'dns' or k.startswith('dns.') for k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "False"


def _samples() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*") if p.suffix in (".eml", ".txt") and
                  p.with_name(p.stem + ".dns.json").is_file())


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    out = dict(report)
    for key in ("analyzed_at", "options"):
        out.pop(key)
    out.pop("dns_source")
    return out


@pytest.mark.parametrize("sample", _samples(), ids=lambda p: p.name)
def test_record_then_replay_gives_an_identical_report(tmp_path: Path, sample: Path) -> None:
    require_dnsmasq()
    snapshot = json.loads(sample.with_name(sample.stem + ".dns.json").read_text(encoding="utf-8"))
    raw = sample.read_bytes()
    recorded_path = tmp_path / "recorded.dns.json"
    with serve(snapshot, tmp_path) as running:
        live = analyze(raw, nameserver=running.nameserver, dns_timeout=2.0, record_dns=str(recorded_path),
                       now=FIXED_NOW)
    assert recorded_path.is_file()
    assert live.dns, "the analysis asked the DNS nothing: this test would prove nothing"
    replayed = analyze(raw, dns_snapshot=str(recorded_path), now=FIXED_NOW)
    live_dict, replay_dict = live.to_dict(), replayed.to_dict()
    assert live_dict["dns_source"]["source"] == "recording" and replay_dict["dns_source"]["source"] == "snapshot"
    assert _comparable(live_dict) == _comparable(replay_dict)
    # And the live server told the same story as the sample's own snapshot (the server is faithful).
    original = analyze(raw, dns_snapshot=str(sample.with_name(sample.stem + ".dns.json")), now=FIXED_NOW)
    assert _comparable(original.to_dict()) == _comparable(live_dict)
    # Every answer the live run used is in the file, so nothing in the replay was a guess.
    recorded = SnapshotResolver.from_file(recorded_path)
    for query in live_dict["dns"]:
        answer = recorded.resolve(query["name"], query["rdtype"])
        assert answer.status == query["status"]
        assert [list(r) for r in answer.records] == query["records"]


def test_an_analysis_whose_every_question_timed_out_says_the_nameserver_answered_none() -> None:
    # A dead --nameserver: each DNS row says temperror for itself; one warning names the cause.
    import headerscope

    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))  # bound, never read: every question times out
    try:
        port = silent.getsockname()[1]
        raw = (REPO / "samples" / "direct.eml").read_bytes()
        report = headerscope.analyze(raw, resolver=LiveResolver(nameserver=f"127.0.0.1:{port}", timeout=0.2),
                                     now=FIXED_NOW)
    finally:
        silent.close()
    assert report.dns and all(use.status == "TIMEOUT" for use in report.dns)
    [dead] = [f for f in report.findings if f.id == "dns.unanswered"]
    assert dead.severity.value == "warning"
    assert dead.title == f"DNS: 127.0.0.1:{port} answered none of the {len(report.dns)} question(s)"
    assert report.verdict.status == "not_checked"
    # A snapshot that answers is no dead nameserver.
    fine = headerscope.analyze(raw, dns_snapshot=str(REPO / "samples" / "direct.dns.json"), now=FIXED_NOW)
    assert not any(f.id == "dns.unanswered" for f in fine.findings)
