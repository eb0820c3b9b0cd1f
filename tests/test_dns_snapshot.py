"""The snapshot resolver: every rule of the DESIGN.md snapshot format, and its failures."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from conftest import CORPUS

from headerscope.dns.interface import DnsAnswer, DnsStatus, SnapshotError
from headerscope.dns.recording import RecordingResolver
from headerscope.dns.snapshot import SnapshotResolver

DESIGN_EXAMPLE = {
    "$meta": {"recorded_at": "2026-11-27T10:00:00Z", "source": "live 1.1.1.1"},
    "sender.test": {"TXT": [["v=spf1 ip4:192.0.2.10 -all"]], "MX": ["10 mx.sender.test."], "A": ["192.0.2.10"]},
    "s1._domainkey.sender.test": {"TXT": [["v=DKIM1; k=rsa; p=MIIBIjAN", "rest"]]},
    "_dmarc.sender.test": {"TXT": [["v=DMARC1; p=reject; rua=mailto:d@sender.test"]]},
    "10.2.0.192.in-addr.arpa": {"PTR": ["mx.sender.test."]},
    "old._domainkey.sender.test": "NXDOMAIN",
    "flaky.test": {"TXT": "SERVFAIL", "A": "TIMEOUT"},
}


def resolver(data: dict[str, object]) -> SnapshotResolver:
    return SnapshotResolver(data)


def test_design_example_answers() -> None:
    r = resolver(DESIGN_EXAMPLE)
    assert r.resolve("sender.test", "TXT") == DnsAnswer("sender.test", "TXT", "NOERROR",
                                                         (("v=spf1 ip4:192.0.2.10 -all",),))
    assert r.resolve("sender.test", "MX").values == ("10 mx.sender.test.",)
    assert r.resolve("sender.test", "A").values == ("192.0.2.10",)
    key = r.resolve("s1._domainkey.sender.test", "TXT")
    assert key.records == (("v=DKIM1; k=rsa; p=MIIBIjAN", "rest"),)
    assert key.texts == ("v=DKIM1; k=rsa; p=MIIBIjANrest",)
    assert r.resolve("10.2.0.192.in-addr.arpa", "ptr").values == ("mx.sender.test.",)
    assert r.meta["source"] == "live 1.1.1.1"
    assert r.source == "snapshot"


def test_names_match_case_insensitively_with_or_without_trailing_dot() -> None:
    r = resolver({"Sender.TEST.": {"a": ["192.0.2.1"]}})
    for name in ("sender.test", "SENDER.test.", "Sender.Test"):
        answer = r.resolve(name, "A")
        assert answer.status == DnsStatus.NOERROR and answer.values == ("192.0.2.1",)
        assert answer.name == "sender.test" and answer.rdtype == "A"


def test_absent_name_is_nxdomain_and_missing_type_is_nodata() -> None:
    r = resolver(DESIGN_EXAMPLE)
    assert r.resolve("nobody.sender.test", "TXT").status == DnsStatus.NXDOMAIN
    assert r.resolve("sender.test", "AAAA").status == DnsStatus.NODATA
    assert r.resolve("sender.test", "AAAA").records == ()
    assert resolver({"x.test": {"TXT": []}}).resolve("x.test", "TXT").status == DnsStatus.NODATA
    assert resolver({"x.test": {}}).resolve("x.test", "A").status == DnsStatus.NODATA
    assert resolver({"x.test": "NODATA"}).resolve("x.test", "A").status == DnsStatus.NODATA


def test_error_strings_per_name_and_per_type() -> None:
    r = resolver(DESIGN_EXAMPLE)
    assert r.resolve("old._domainkey.sender.test", "TXT").status == DnsStatus.NXDOMAIN
    assert r.resolve("old._domainkey.sender.test", "A").status == DnsStatus.NXDOMAIN
    assert r.resolve("flaky.test", "TXT").status == DnsStatus.SERVFAIL
    assert r.resolve("flaky.test", "A").status == DnsStatus.TIMEOUT
    assert r.resolve("flaky.test", "A").temporary_failure
    assert r.resolve("flaky.test", "MX").status == DnsStatus.NODATA
    whole = resolver({"down.test": "timeout", "broken.test": "SERVFAIL"})
    assert whole.resolve("down.test", "MX").status == DnsStatus.TIMEOUT
    assert whole.resolve("broken.test", "TXT").status == DnsStatus.SERVFAIL


def test_cname_is_followed_and_loops_are_detected() -> None:
    r = resolver({
        "www.sender.test": {"CNAME": ["sender.test."]},
        "sender.test": {"A": ["192.0.2.10"], "TXT": ["v=spf1 -all"]},
        "chain1.test": {"CNAME": "chain2.test"},
        "chain2.test": {"CNAME": "WWW.sender.test."},
        "dangling.test": {"CNAME": ["gone.test."]},
        "loop-a.test": {"CNAME": ["loop-b.test."]},
        "loop-b.test": {"CNAME": ["loop-a.test."]},
        "self.test": {"CNAME": ["self.test."]},
        "to-error.test": {"CNAME": ["flaky.test."]},
        "flaky.test": "SERVFAIL",
    })
    www = r.resolve("www.sender.test", "A")
    assert (www.name, www.status, www.values) == ("www.sender.test", "NOERROR", ("192.0.2.10",))
    # The names followed are kept, as evidence of who publishes the answer.
    assert www.cname_chain == ("sender.test",) and r.resolve("sender.test", "A").cname_chain == ()
    assert r.resolve("chain1.test", "TXT").cname_chain == ("chain2.test", "www.sender.test", "sender.test")
    assert r.resolve("dangling.test", "A").cname_chain == ("gone.test",)
    assert r.resolve("chain1.test", "TXT").texts == ("v=spf1 -all",)
    assert r.resolve("www.sender.test", "CNAME").values == ("sender.test.",)
    assert r.resolve("www.sender.test", "MX").status == DnsStatus.NODATA
    assert r.resolve("dangling.test", "A").status == DnsStatus.NXDOMAIN
    assert r.resolve("loop-a.test", "A").status == DnsStatus.SERVFAIL
    assert r.resolve("self.test", "TXT").status == DnsStatus.SERVFAIL
    assert r.resolve("to-error.test", "TXT").status == DnsStatus.SERVFAIL


def test_long_cname_chain_stops() -> None:
    data: dict[str, object] = {f"c{i}.test": {"CNAME": [f"c{i + 1}.test."]} for i in range(40)}
    data["c40.test"] = {"A": ["192.0.2.1"]}
    assert resolver(data).resolve("c0.test", "A").status == DnsStatus.SERVFAIL
    assert resolver(data).resolve("c30.test", "A").values == ("192.0.2.1",)


def test_txt_as_list_of_chunks_list_of_strings_or_plain_string() -> None:
    r = resolver({
        "chunks.test": {"TXT": [["v=DKIM1; p=abc", "def"], ["second record"]]},
        "strings.test": {"TXT": ["v=spf1 a -all", "google-site-verification=x"]},
        "plain.test": {"TXT": "v=spf1 -all"},
        "spf.test": {"SPF": [["v=spf1 ", "-all"]]},
    })
    assert r.resolve("chunks.test", "TXT").records == (("v=DKIM1; p=abc", "def"), ("second record",))
    assert r.resolve("chunks.test", "TXT").texts == ("v=DKIM1; p=abcdef", "second record")
    assert r.resolve("strings.test", "TXT").texts == ("v=spf1 a -all", "google-site-verification=x")
    assert r.resolve("plain.test", "TXT").records == (("v=spf1 -all",),)
    assert r.resolve("spf.test", "SPF").texts == ("v=spf1 -all",)


def test_mx_in_both_forms() -> None:
    r = resolver({
        "ours.test": {"MX": ["10 mx1.ours.test.", "20 mx2.ours.test."]},
        "mailauth.test": {"MX": [{"exchange": "mx.mailauth.test", "priority": 5},
                                 {"exchange": "backup.mailauth.test.", "priority": 50}]},
    })
    assert r.resolve("ours.test", "MX").values == ("10 mx1.ours.test.", "20 mx2.ours.test.")
    assert r.resolve("mailauth.test", "MX").values == ("5 mx.mailauth.test.", "50 backup.mailauth.test.")


def test_mailauth_dns_cache_file_loads_unchanged(tmp_path: Path) -> None:
    # The shape mailauth's CLI reads with --dns-cache: Node's dns.resolve* results keyed
    # by name then type (TXT as arrays of chunks, MX as objects, names without dots).
    cache = {
        "example.com": {
            "TXT": [["v=spf1 include:_spf.example.com ~all"], ["MS=ms12345"]],
            "MX": [{"exchange": "mx.example.com", "priority": 10}],
            "A": ["192.0.2.80"],
            "AAAA": ["2001:db8::80"],
        },
        "_spf.example.com": {"TXT": [["v=spf1 ip4:192.0.2.0/24 ", "ip6:2001:db8::/32 -all"]]},
        "selector._domainkey.example.com": {"TXT": [["v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEB", "AQUAA4GNADCBiQKBgQC"]]},
        "_dmarc.example.com": {"TXT": [["v=DMARC1; p=none"]]},
        "80.2.0.192.in-addr.arpa": {"PTR": ["mail.example.com"]},
    }
    path = tmp_path / "cache.json"
    path.write_text(json.dumps(cache), encoding="utf-8")
    r = SnapshotResolver.from_file(path)
    assert r.detail == str(path)
    assert r.resolve("_spf.example.com", "TXT").texts == ("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all",)
    assert r.resolve("example.com", "TXT").texts == ("v=spf1 include:_spf.example.com ~all", "MS=ms12345")
    assert r.resolve("example.com", "MX").values == ("10 mx.example.com.",)
    assert r.resolve("example.com", "AAAA").values == ("2001:db8::80",)
    assert r.resolve("80.2.0.192.in-addr.arpa", "PTR").values == ("mail.example.com",)
    assert r.resolve("selector._domainkey.example.com", "TXT").texts[0].endswith("p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC")
    assert r.resolve("_dmarc.example.com", "TXT").texts == ("v=DMARC1; p=none",)


def test_corpus_rfc8463_dns_loads() -> None:
    r = SnapshotResolver.from_file(CORPUS / "dkim" / "rfc8463" / "dns.json")
    key = r.resolve("brisbane._domainkey.football.example.com", "TXT")
    assert key.texts == ("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",)


@pytest.mark.parametrize("content, reason", [
    ("{not json", "is not JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('{"x.test": 5}', "expected an object or an error string"),
    ('{"x.test": "BROKEN"}', "unknown error string"),
    ('{"x.test": {"TXT": [[1, 2]]}}', "TXT answer must be"),
    ('{"x.test": {"A": [null]}}', "A answer must be a string"),
    ('{"x.test": {"A": [true]}}', "A answer must be a string"),
    ('{"x.test": {"MX": [{"exchange": "mx.test", "priority": "high"}]}}', "integer priority"),
    ('{"x.test": {"MX": [{"priority": 10}]}}', "string exchange"),
    ("[" * 100000 + "]" * 100000, "is not JSON"),
])
def test_malformed_snapshot_raises_one_line_snapshot_error(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "bad.dns.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SnapshotError) as caught:
        SnapshotResolver.from_file(path)
    message = str(caught.value)
    assert reason in message and str(path) in message
    assert "\n" not in message and len(message) < 400


def test_unreadable_snapshot_raises_snapshot_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="cannot read"):
        SnapshotResolver.from_file(tmp_path / "missing.json")
    (tmp_path / "latin1.json").write_bytes(b'{"x": "\xff"}')
    with pytest.raises(SnapshotError, match="cannot read"):
        SnapshotResolver.from_file(tmp_path / "latin1.json")


def test_round_trip_through_to_dict() -> None:
    r = resolver(DESIGN_EXAMPLE)
    again = SnapshotResolver(json.loads(json.dumps(r.to_dict())))
    for name, rdtype in [("sender.test", "TXT"), ("sender.test", "MX"), ("s1._domainkey.sender.test", "TXT"),
                         ("old._domainkey.sender.test", "TXT"), ("flaky.test", "A"), ("sender.test", "AAAA")]:
        assert again.resolve(name, rdtype) == r.resolve(name, rdtype)


def test_recording_replays_every_status_identically(tmp_path: Path) -> None:
    source = resolver({
        **DESIGN_EXAMPLE,
        "www.sender.test": {"CNAME": ["sender.test."]},
        "mixed.test": {"A": ["192.0.2.7"], "TXT": "NXDOMAIN"},
        "utf8.test": {"TXT": [["caf\u00e9 \ufffd", ""]]},
    })
    recorder = RecordingResolver(source)
    questions = [("sender.test", "TXT"), ("sender.test", "MX"), ("SENDER.test.", "A"), ("sender.test", "AAAA"),
                 ("s1._domainkey.sender.test", "TXT"), ("old._domainkey.sender.test", "TXT"),
                 ("old._domainkey.sender.test", "A"), ("absent.test", "TXT"), ("flaky.test", "TXT"),
                 ("flaky.test", "A"), ("www.sender.test", "A"), ("www.sender.test", "CNAME"),
                 ("10.2.0.192.in-addr.arpa", "PTR"), ("mixed.test", "A"), ("mixed.test", "TXT"),
                 ("utf8.test", "TXT")]
    original = [recorder.resolve(n, t) for n, t in questions]
    assert {a.status for a in original} == {"NOERROR", "NXDOMAIN", "NODATA", "SERVFAIL", "TIMEOUT"}
    path = tmp_path / "recorded.dns.json"
    recorder.write(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["$meta"]["source"] == "snapshot" and data["$meta"]["recorded_at"].endswith("Z")
    assert data["absent.test"] == "NXDOMAIN" and data["old._domainkey.sender.test"] == "NXDOMAIN"
    assert data["sender.test"]["AAAA"] == [] and data["flaky.test"] == {"TXT": "SERVFAIL", "A": "TIMEOUT"}
    replay = SnapshotResolver.from_file(path)
    assert [replay.resolve(n, t) for n, t in questions] == original
    # An answer reached through a CNAME is written as the CNAME and the answer at its target,
    # not as records of the alias: the replay shows the same chain.
    assert data["www.sender.test"] == {"CNAME": ["sender.test."]}
    assert replay.resolve("www.sender.test", "A").cname_chain == ("sender.test",)
    recorder.resolve("Sender.Test.", "TXT")  # the same question again is not a new record
    assert len(recorder.answers()) == len(questions)


def test_snapshot_resolver_is_safe_under_threads() -> None:
    r = resolver(DESIGN_EXAMPLE)
    results: list[DnsAnswer] = []
    lock = threading.Lock()

    def ask() -> None:
        for _ in range(200):
            answer = r.resolve("sender.test", "TXT")
            with lock:
                results.append(answer)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 1600 and len(set(results)) == 1


def test_repeated_questions_keep_their_answers_and_the_memo_stays_bounded() -> None:
    from headerscope.dns import snapshot as snapshot_module

    resolver = SnapshotResolver({"a.test": {"TXT": ["v=spf1 -all"]}, "b.test": "SERVFAIL"})
    first = resolver.resolve("A.test.", "TXT")
    assert resolver.resolve("A.test.", "TXT") == first
    assert first.status == DnsStatus.NOERROR and first.texts == ("v=spf1 -all",)
    assert resolver.resolve("b.test", "A").status == DnsStatus.SERVFAIL
    for number in range(snapshot_module._MAX_MEMO_ENTRIES + 10):
        assert resolver.resolve(f"n{number}.test", "A").status == DnsStatus.NXDOMAIN
    assert len(resolver._memo) <= snapshot_module._MAX_MEMO_ENTRIES
    long_name = "x" * 300 + ".test"
    assert resolver.resolve(long_name, "A").status == DnsStatus.NXDOMAIN
    assert (long_name, "A") not in resolver._memo
    assert resolver.resolve("a.test", "TXT") == first


def test_an_answer_no_dns_response_can_hold_refuses_the_snapshot(tmp_path: Path) -> None:
    # RFC 1035 section 4.2.2: a DNS message over TCP is framed by a two-octet length, so no
    # answer holds more than 65,535 octets; each record takes at least 12 besides its data.
    key = "v=DKIM1; k=rsa; p=" + "A" * 70_000
    for entry, reason in (({"TXT": [[key]]}, "at least 70031 octets"),
                          ({"MX": [f"10 mx{n}.example.org." for n in range(6000)]}, "6000 records"),
                          ({"TXT": [["v=spf1 -all"]] * 6000}, "6000 records")):
        path = tmp_path / f"forged-{len(reason)}-{len(str(entry))}.dns.json"
        path.write_text(json.dumps({"ok.example.org": {"A": ["192.0.2.1"]}, "s._domainkey.example.org": entry}))
        with pytest.raises(SnapshotError) as caught:
            SnapshotResolver.from_file(path)
        message = str(caught.value)
        assert reason in message and "RFC 1035 section 4.2.2" in message and "\n" not in message
    # Just under the limit is an answer a server can send (a TXT of 255-octet strings): loaded whole.
    chunks = ["a" * 255] * 250  # 250 x 256 octets + 12 = 64,012
    near = SnapshotResolver({"big.example.org": {"TXT": [chunks]}, "mx.example.org": {"A": ["192.0.2.1"] * 5000}},
                            dns_sized=True)
    assert near.resolve("big.example.org", "TXT").records == (tuple(chunks),)
    assert len(near.resolve("mx.example.org", "A").records) == 5000
    # A mapping handed in through the API is not a recording: any answer, as tests of hostile records need.
    assert SnapshotResolver({"big.example.org": {"TXT": [[key]]}}).resolve("big.example.org", "TXT").texts == (key,)


def test_evidence_keeps_fifty_records_and_four_kilobytes_each_but_the_checks_get_all() -> None:
    from headerscope.dns.evidence import EvidenceResolver

    mx = [f"{n} mx{n}.example.org." for n in range(120)]
    key = "v=DKIM1; k=rsa; p=" + "B" * 9_982  # 10,000 characters in one string
    spf = ["v=spf1 " + "x" * 4_000, "é" * 200, "tail"]  # 4,007 + 200 + 4 characters in three strings
    evidence = EvidenceResolver(SnapshotResolver({
        "example.org": {"MX": mx, "TXT": [spf]}, "s._domainkey.example.org": {"TXT": [[key]]},
        "small.example.org": {"A": ["192.0.2.1"]}}))
    assert len(evidence.resolve("example.org", "MX").records) == 120
    assert evidence.resolve("s._domainkey.example.org", "TXT").texts == (key,)
    assert evidence.resolve("example.org", "TXT").texts == ("".join(spf),)
    evidence.resolve("small.example.org", "A")
    uses = {(use.name, use.rdtype): use for use in evidence.evidence()}
    many = uses[("example.org", "MX")]
    assert many.records == tuple((record,) for record in mx[:50]) and many.more_records == 70
    assert many.more_octets == 0 and many.left_out_words() == "70 more records not shown; the checks used the whole answer"
    long_key = uses[("s._domainkey.example.org", "TXT")]
    assert long_key.records == ((key[:4096],),) and long_key.more_octets == 10_000 - 4096 and long_key.more_records == 0
    # The budget runs over a record's strings: the second keeps 89 characters (178 octets of é)
    # and the third goes whole.
    policy = uses[("example.org", "TXT")]
    assert policy.records == ((spf[0], "é" * 89),) and policy.more_octets == (200 - 89) * 2 + 4
    small = uses[("small.example.org", "A")]
    assert small.records == (("192.0.2.1",),) and (small.more_records, small.more_octets) == (0, 0)
    assert small.left_out_words() == ""


def test_clipping_keeps_the_records_the_checks_select() -> None:
    from headerscope.dns.evidence import EvidenceResolver

    # A large domain's apex holds dozens of verification strings; the SPF record can come last
    # (answers come in any order), and two SPF records (a permerror, RFC 7208 section 4.5) can be
    # far apart. The evidence must show the records the checks read, and count what it leaves out.
    noise = [[f"google-site-verification={n:040d}"] for n in range(60)]
    spf = ["v=spf1 include:_spf.example.org -all"]
    second = ["v=spf1 +all"]
    dmarc = ["v=DMARC1; p=reject"]
    key = ["k=rsa; p=MIIBIjANBgkq"]  # v= is optional in a key record (RFC 6376 section 3.6.1)
    evidence = EvidenceResolver(SnapshotResolver({
        "example.org": {"TXT": [*noise, spf]},
        "two.example.org": {"TXT": [*noise[:30], second, *noise[30:], spf]},
        "_dmarc.example.org": {"TXT": [*noise, dmarc]},
        "s1._domainkey.example.org": {"TXT": [*noise, key]},
    }))
    for name in ("example.org", "two.example.org", "_dmarc.example.org", "s1._domainkey.example.org"):
        evidence.resolve(name, "TXT")
    uses = {use.name: use for use in evidence.evidence()}
    apex = uses["example.org"]
    assert apex.records[-1] == tuple(spf) and len(apex.records) == 50 and apex.more_records == 11
    assert apex.records[:49] == tuple(tuple(r) for r in noise[:49])  # the answer's order kept
    two = uses["two.example.org"]
    assert tuple(second) in two.records and tuple(spf) in two.records and two.more_records == 12
    assert uses["_dmarc.example.org"].records[-1] == tuple(dmarc)
    assert uses["s1._domainkey.example.org"].records[-1] == tuple(key)


def test_html_and_verbose_terminal_say_what_the_evidence_left_out() -> None:
    import dataclasses

    from conftest import SAMPLES

    import headerscope
    from headerscope.model import DnsRecordUse
    from headerscope.render import get_renderer

    path = SAMPLES / "direct.eml"
    report = headerscope.analyze(path.read_bytes(), dns_snapshot=str(path.with_suffix(".dns.json")))
    clipped = DnsRecordUse(name="example.org", rdtype="MX", status="NOERROR", records=(("10 mx.example.org.",),),
                           more_records=70, more_octets=12)
    report = dataclasses.replace(report, dns=(*report.dns, clipped))
    words = "70 more records and 12 more octets not shown; the checks used the whole answer"
    assert words in get_renderer("html").render(report)
    assert words in get_renderer("terminal", color=False, verbose=True, width=200).render(report)
    assert json.loads(report.to_json())["dns"][-1]["more_records"] == 70


def test_an_answers_evidence_row_is_the_one_built_from_it() -> None:
    # evidence() keeps each answer object's row (dns.evidence._evidence_of): the row must be the
    # one _record_use builds, for the same object asked again and for an equal new object.
    from headerscope.dns.evidence import _evidence_of, _record_use

    answers = [
        DnsAnswer("a.test", "TXT", DnsStatus.NOERROR, (("v=spf1 -all",), ("x" * 5000,))),
        DnsAnswer("b.test", "A", DnsStatus.NXDOMAIN),
        DnsAnswer("c.test", "TXT", DnsStatus.NOERROR, tuple((f"r{n}",) for n in range(60))),
        DnsAnswer("d.test", "CNAME", DnsStatus.NOERROR, (("e.test.",),), ("e.test",)),
    ]
    for answer in answers:
        built = _record_use(answer)
        assert _evidence_of(answer) == built
        assert _evidence_of(answer) == built  # the kept row
        assert _evidence_of(DnsAnswer(**answer.__dict__)) == built
    changed = DnsAnswer("a.test", "TXT", DnsStatus.NOERROR, (("v=spf1 +all",),))
    assert _evidence_of(changed).records == (("v=spf1 +all",),)
