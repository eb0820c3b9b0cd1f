"""SPF check behaviour beyond the RFC 7208 suite: identities, inputs, counts, findings, threads."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from timing import assert_within

from headerscope.auth.spf import check_spf
from headerscope.dns.interface import DnsAnswer
from headerscope.dns.offline import OfflineResolver
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import SpfResult
from headerscope.redact import redact_report


def _spf(data: dict[str, Any], **kwargs: Any) -> tuple[SpfResult, set[str]]:
    args: dict[str, Any] = {"client_ip": "192.0.2.10", "mail_from": "alice@sender.test", "helo": "mx.sender.test",
                            "from_domain": "sender.test", "inputs_from": "hop 2"}
    args.update(kwargs)
    result, findings = check_spf(SnapshotResolver(data), **args)
    return result, {f.id for f in findings}


ZONE: dict[str, Any] = {
    "sender.test": {"TXT": [["v=spf1 ip4:192.0.2.0/24 -all"], ["google-site-verification=xyz"]]},
    "mx.sender.test": {"TXT": [["v=spf1 a -all"]], "A": ["192.0.2.10"]},
}


def test_pass_reports_record_mechanism_domain_and_alignment() -> None:
    result, ids = _spf(ZONE)
    assert result.result == "pass"
    assert result.domain == "sender.test"
    assert result.record == "v=spf1 ip4:192.0.2.0/24 -all"
    assert result.mechanism == "ip4:192.0.2.0/24"
    assert result.aligned is True
    assert result.helo_result == "pass"
    assert (result.lookups, result.void_lookups, result.inputs_from) == (0, 0, "hop 2")
    assert ids == set()


def test_fail_and_alignment_with_another_from_domain() -> None:
    result, ids = _spf(ZONE, client_ip="198.51.100.7", from_domain="other.test")
    assert (result.result, result.mechanism, result.aligned) == ("fail", "-all", False)
    assert result.helo_result == "fail"
    assert "spf.fail" in ids


def test_null_sender_uses_postmaster_at_helo() -> None:
    # RFC 7208 section 2.4: MAIL FROM:<> is checked as postmaster@HELO.
    result, _ = _spf(ZONE, mail_from="<>")
    assert (result.result, result.mail_from, result.domain) == ("pass", "postmaster@mx.sender.test", "mx.sender.test")
    assert result.lookups == 1  # the a mechanism


def test_missing_inputs_are_not_checked_with_a_reason() -> None:
    no_ip, _ = _spf(ZONE, client_ip=None)
    assert no_ip.result == "not_checked" and "client IP" in no_ip.explanation
    bad_ip, _ = _spf(ZONE, client_ip="999.1.1.1")
    assert bad_ip.result == "not_checked" and "not an IP address" in bad_ip.explanation
    no_sender, _ = _spf(ZONE, mail_from=None)
    assert no_sender.result == "not_checked" and "MAIL FROM" in no_sender.explanation
    assert no_sender.helo_result == "pass"  # the HELO identity can still be checked
    null_no_helo, _ = _spf(ZONE, mail_from="", helo=None)
    assert null_no_helo.result == "not_checked" and "null sender" in null_no_helo.explanation


def test_address_literal_helo_has_no_spf_identity() -> None:
    result, _ = _spf(ZONE, helo="[192.0.2.10]")
    assert (result.result, result.helo_result) == ("pass", "none")


def test_offline_is_not_checked() -> None:
    result, ids = check_spf(OfflineResolver(), client_ip="192.0.2.10", mail_from="a@sender.test",
                            helo="mx.sender.test", from_domain="sender.test", inputs_from=None)
    assert (result.result, result.explanation, result.helo_result) == (
        "not_checked", "not checked (offline)", "not_checked")
    assert ids == ()


def test_servfail_and_timeout_are_temperror_naming_the_name() -> None:
    result, ids = _spf({"sender.test": {"TXT": "SERVFAIL"}})
    assert result.result == "temperror"
    assert "sender.test" in result.explanation and "SERVFAIL" in result.explanation
    assert "spf.temperror" in ids
    zone = {"sender.test": {"TXT": [["v=spf1 include:slow.test -all"]]}, "slow.test": "TIMEOUT"}
    result, _ = _spf(zone)
    assert result.result == "temperror" and "slow.test" in result.explanation and "TIMEOUT" in result.explanation


def test_lookup_limit_is_permerror_with_counts() -> None:
    # RFC 7208 section 4.6.4: more than 10 DNS-querying terms is a permerror.
    zone = {"sender.test": {"TXT": [["v=spf1 " + " ".join(f"a:h{i}.sender.test" for i in range(11)) + " -all"]]}}
    zone.update({f"h{i}.sender.test": {"A": ["198.51.100.1"]} for i in range(11)})
    result, ids = _spf(zone)
    assert result.result == "permerror"
    assert result.lookups == 11
    assert "spf.permerror" in ids


def test_a_policy_over_the_lookup_limit_that_passes_early_is_noted() -> None:
    # RFC 7208 section 4.6.4: 10 DNS-querying terms per evaluation. The record and its includes
    # hold 12; this client matches the first include, so its pass stands, but a server that
    # only a later term authorizes would get permerror.
    zone: dict[str, Any] = {
        "sender.test": {"TXT": [["v=spf1 include:_a.sender.test include:_b.sender.test mx a ~all"]]},
        "_a.sender.test": {"TXT": [["v=spf1 ip4:192.0.2.0/24 include:_c.sender.test -all"]]},
        "_b.sender.test": {"TXT": [["v=spf1 " + " ".join(f"a:h{i}.sender.test" for i in range(6)) + " -all"]]},
        "_c.sender.test": {"TXT": [["v=spf1 exists:%{i}.rbl.sender.test -all"]]},
    }
    result, findings = check_spf(SnapshotResolver(zone), client_ip="192.0.2.10", mail_from="alice@sender.test",
                                 helo="mx.sender.test", from_domain="sender.test", inputs_from="hop 2")
    assert (result.result, result.mechanism, result.lookups) == ("pass", "include:_a.sender.test", 1)
    budget = next(f for f in findings if f.id == "spf.lookup_budget")
    # sender.test 4 (two includes, mx, a) + _a 1 + _b 6 + _c 1 (exists) = 12.
    assert budget.title == "SPF policy of sender.test needs 12 DNS lookups (the limit is 10)"
    assert "ended at include:_a.sender.test after 1 lookup(s)" in budget.explanation
    # An include that cannot be read makes the count a lower bound, said as "at least".
    del zone["_c.sender.test"]
    zone["_b.sender.test"]["TXT"][0][0] += " include:_d.sender.test include:_e.sender.test"
    _, findings = check_spf(SnapshotResolver(zone), client_ip="192.0.2.10", mail_from="alice@sender.test",
                            helo="mx.sender.test", from_domain="sender.test", inputs_from="hop 2")
    assert next(f for f in findings if f.id == "spf.lookup_budget").title == (
        "SPF policy of sender.test needs at least 13 DNS lookups (the limit is 10)")
    # Ten terms in all is within the limit: nothing to say.
    zone["_b.sender.test"]["TXT"] = [["v=spf1 " + " ".join(f"a:h{i}.sender.test" for i in range(5)) + " -all"]]
    _, ids = _spf(zone)
    assert "spf.lookup_budget" not in ids


def test_void_lookup_limit() -> None:
    # RFC 7208 section 4.6.4: more than two lookups with no answer is a permerror.
    zone = {"sender.test": {"TXT": [["v=spf1 a:n1.sender.test a:n2.sender.test a:n3.sender.test -all"]]}}
    result, _ = _spf(zone)
    assert result.result == "permerror"
    assert result.void_lookups == 3
    two = {"sender.test": {"TXT": [["v=spf1 a:n1.sender.test a:n2.sender.test -all"]]}}
    result, _ = _spf(two)
    assert (result.result, result.void_lookups) == ("fail", 2)


def test_exp_text_is_reported_on_fail() -> None:
    zone = {"sender.test": {"TXT": [["v=spf1 -all exp=why.sender.test"]]},
            "why.sender.test": {"TXT": [["%{i} may not send for %{d}"]]}}
    result, _ = _spf(zone)
    assert '(exp=): "192.0.2.10 may not send for sender.test"' in result.explanation


def test_no_record_and_permissive_record_findings() -> None:
    _result, ids = _spf({})
    assert "spf.none" in ids
    result, ids = _spf({"sender.test": {"TXT": [["v=spf1 include:big.test -all"]]},
                        "big.test": {"TXT": [["v=spf1 ip4:0.0.0.0/1 +all"]]}})
    assert result.result == "pass" and "spf.permissive" in ids


def test_threads_do_not_share_state() -> None:
    zones = []
    for i in range(40):
        zone = {"sender.test": {"TXT": [[f"v=spf1 include:z{i}.test -all"]]},
                f"z{i}.test": {"TXT": [[f"v=spf1 ip4:192.0.2.{i} -all"]]}}
        zones.append((i, zone))

    class Slow(SnapshotResolver):
        def resolve(self, name: str, rdtype: str) -> DnsAnswer:
            time.sleep(0.001)  # let evaluations interleave
            return super().resolve(name, rdtype)

    def run(item: tuple[int, dict[str, Any]]) -> tuple[str | None, str]:
        i, zone = item
        result, _ = check_spf(Slow(zone), client_ip=f"192.0.2.{i % 2 * i}", mail_from="a@sender.test",
                              helo=None, from_domain=None, inputs_from=None)
        return result.mechanism, result.result

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(run, zones))
    expected = [(f"include:z{i}.test", "pass") if i % 2 else ("-all", "fail") for i in range(40)]
    expected[0] = ("include:z0.test", "pass")  # 192.0.2.0 is z0's address
    assert outcomes == expected


def test_hostile_inputs_are_bounded() -> None:
    huge = "v=spf1 " + "a:" + "a-" * 500_000 + ".test -all"
    started = time.perf_counter()
    result, _ = _spf({"sender.test": {"TXT": [[huge]]}})
    assert result.result == "permerror"
    result, _ = _spf(ZONE, mail_from="x@" + "a." * 500_000 + "test", helo="b" * 1_000_000)
    assert result.result == "none"
    assert_within(started, 2)


def test_spf_takes_the_mail_from_the_receivers_own_results_name_when_nothing_else_does() -> None:
    # A list archive's copy (real layout, subspace.kernel.org): no Return-Path, no envelope-from;
    # the receiver's trusted Authentication-Results names the SPF identity it checked.
    import headerscope

    raw = (b"Authentication-Results: smtp.subspace.kernel.org; spf=pass smtp.mailfrom=sina.com\r\n"
           b"Received: from mail114-240.sinamail.sina.com.cn (mail114-240.sinamail.sina.com.cn [218.30.114.240]) "
           b"by smtp.subspace.kernel.org (Postfix) with ESMTPS id 4E9151EB44; Wed, 20 Mar 2024 07:17:30 +0000\r\n"
           b"Received: from jjb8256@sina.com([218.4.204.164]) by m1.mail.sina.com.cn via HTTP; "
           b"Wed, 20 Mar 2024 15:17:25 +0800\r\n"
           b"From: jjb8256@sina.com\r\nTo: a@vger.kernel.org\r\nSubject: s\r\n"
           b"Date: Wed, 20 Mar 2024 15:17:25 +0800\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    spf = report.spf
    assert spf is not None and (spf.mail_from, spf.domain) == ("postmaster@sina.com", "sina.com")
    assert spf.inputs_from is not None and "Authentication-Results (header 1) smtp.mailfrom" in spf.inputs_from
    # The address is the RFC's stand-in for a domain alone, and the report says so, in words that
    # --redact keeps: "postmaster@ stands for it" read "p***@ stands for it" (V53b D3-2).
    said = "names the domain only: the domain's postmaster address stands for it (RFC 7208 section 4.3)"
    assert said in spf.inputs_from
    redacted = redact_report(report).spf
    assert redacted is not None and redacted.inputs_from is not None and said in redacted.inputs_from


def test_a_recorded_smtp_mailfrom_that_is_no_domain_makes_up_no_postmaster_address() -> None:
    # A Stack Overflow paste (Hotmail, 2015) with '#' for every '@': "smtp.mailfrom=test#hotmail.co.uk"
    # is a mailbox disguised, not a domain, so no "postmaster@test#hotmail.co.uk" is evaluated.
    import headerscope

    raw = (b"Authentication-Results: hotmail.com; spf=softfail (sender IP is 213.171.216.60) "
           b"smtp.mailfrom=test#hotmail.co.uk; dkim=none header.d=hotmail.co.uk\r\n"
           b"Received: from cust-smtp-auth1.fasthosts.net.uk ([213.171.216.60]) by BLU004-MC1F22.hotmail.com "
           b"with Microsoft SMTPSVC(7.5.7601.23143); Mon, 28 Dec 2015 05:59:03 -0800\r\n"
           b"Date: Mon, 28 Dec 2015 13:59:02 +0000\r\nTo: c_qatest#hotmail.co.uk\r\n"
           b"From: \"test#hotmail.co.uk\" <test#hotmail.co.uk>\r\nSubject: Booking form\r\n\r\nx\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert report.spf is not None and (report.spf.mail_from, report.spf.domain) == (None, None)
    assert report.spf.explanation == "not checked: the MAIL FROM was not recorded (give --mail-from)"
    assert report.envelope.header_from[0].domain is None
    # The same field naming a real domain still stands for its postmaster.
    good = raw.replace(b"smtp.mailfrom=test#hotmail.co.uk", b"smtp.mailfrom=hotmail.co.uk")
    spf = headerscope.analyze(good, offline=True).spf
    assert spf is not None and spf.mail_from == "postmaster@hotmail.co.uk"


def test_ptr_mechanism_is_noted() -> None:
    # RFC 7208 section 5.5: ptr SHOULD NOT be used; said when a record used has it, and whether
    # it decided the result.
    zone: dict[str, Any] = {
        "sender.test": {"TXT": [["v=spf1 ip4:198.51.100.0/24 ptr:sender.test -all"]]},
        "10.2.0.192.in-addr.arpa": {"PTR": ["mx.sender.test."]},
        "mx.sender.test": {"A": ["192.0.2.10"]},
    }
    result, findings = check_spf(SnapshotResolver(zone), client_ip="192.0.2.10", mail_from="alice@sender.test",
                                 helo="mx.sender.test", from_domain="sender.test", inputs_from="hop 2")
    assert result.result == "pass"
    [ptr] = [f for f in findings if f.id == "spf.ptr"]
    assert ptr.explanation.startswith("sender.test: ptr:sender.test. RFC 7208 section 5.5 says ptr SHOULD NOT")
    assert ptr.explanation.endswith("here it decided the result.")
    _, ids = _spf(ZONE)
    assert "spf.ptr" not in ids


def test_a_pyspf_error_text_ending_in_a_period_gets_no_second_one() -> None:
    zone = {"sender.test": {"TXT": [["v=spf1 -all"], ["v=spf1 +all"]]}}
    result, findings = check_spf(SnapshotResolver(zone), client_ip="192.0.2.10", mail_from="alice@sender.test",
                                 helo="mx.sender.test", from_domain="sender.test", inputs_from="hop 2")
    assert result.result == "permerror"
    [broken] = [f for f in findings if f.id == "spf.permerror"]
    assert "Two or more type TXT spf records found. Receivers" in broken.explanation
    assert ".." not in broken.explanation and ".." not in result.explanation


def test_helo_that_is_not_a_domain_name_is_not_asked_about() -> None:
    # RFC 7208 section 2.3: only a fully qualified HELO is an SPF identity. qmail writes an
    # unverified HELO as "(HELO ?192.0.2.10?)"; a bare word or free text is no name either.
    from headerscope.dns.recording import RecordingResolver

    for helo in ("?192.0.2.10?", "my laptop.sender.test", "[192.0.2.10]"):
        recorder = RecordingResolver(SnapshotResolver(ZONE))
        result, _ = check_spf(recorder, client_ip="192.0.2.10", mail_from="a@sender.test", helo=helo,
                              from_domain="sender.test", inputs_from="hop 1")
        asked = {answer.name for answer in recorder.answers()}
        assert asked == {"sender.test"}, (helo, asked)
        assert result.helo_result == "none"
        assert result.helo_note is not None and "is not a domain name" in result.helo_note
        assert "not checked" in result.helo_note
        assert any("is not a domain name" in word for word in result.detail_words())


def test_null_sender_with_a_helo_that_is_no_name_is_none_without_a_question() -> None:
    result, _ = _spf(ZONE, mail_from="<>", helo="?192.0.2.10?")
    assert (result.result, result.lookups) == ("none", 0)
    assert "cannot carry an SPF policy" in result.explanation


def _includes_zone(count: int, tail: str, listed: int) -> dict[str, Any]:
    """sender.test includes i0..i{count-1} (each neutral), then ``tail``; include i{listed} lists
    the client (verification V40b's 17_limit and 50_redirect_count shapes)."""
    zone: dict[str, Any] = {"sender.test": {"TXT": [["v=spf1 " + " ".join(
        f"include:i{i}.sender.test" for i in range(count)) + f" {tail}"]]}}
    for i in range(count):
        zone[f"i{i}.sender.test"] = {"TXT": [[f"v=spf1 ip4:198.51.100.{i} ?all"]]}
    zone[f"i{listed}.sender.test"] = {"TXT": [["v=spf1 ip4:192.0.2.10 -all"]]}
    zone["_spf.sender.test"] = {"TXT": [["v=spf1 -all"]]}
    return zone


def test_redirect_counts_toward_the_lookup_limit_only_when_followed() -> None:
    # RFC 7208 section 6.1: redirect= is used only when no mechanism matched; section 4.6.4 counts
    # the terms evaluated. pyspf counts it before any mechanism runs (verification V40b, D4): ten
    # includes, the tenth listing the client, and a redirect= gave permerror with 11 lookups.
    result, ids = _spf(_includes_zone(10, "redirect=_spf.sender.test", listed=9))
    assert (result.result, result.mechanism, result.lookups) == ("pass", "include:i9.sender.test", 10)
    assert "spf.permerror" not in ids and "spf.lookup_budget" in ids  # 11 terms in the tree: noted
    # Followed, it is counted: after ten includes that do not match, it is the 11th.
    result, ids = _spf(_includes_zone(10, "redirect=_spf.sender.test", listed=99))
    assert (result.result, result.lookups) == ("permerror", 11)
    # Nine, then the redirect: the tenth, within the limit, and its record decides.
    result, _ = _spf(_includes_zone(9, "redirect=_spf.sender.test", listed=99))
    assert (result.result, result.lookups, result.mechanism) == ("fail", 10, "-all")


def test_redirect_count_is_kept_apart_from_its_records_other_lookups() -> None:
    # The count of each term stays its own (a pyspf that stopped counting redirect= early would
    # make the first mechanism's count look like the modifier's: these fail then).
    zone: dict[str, Any] = {
        "sender.test": {"TXT": [["v=spf1 a:h.sender.test include:_x.sender.test redirect=_x.sender.test"]]},
        "h.sender.test": {"A": ["198.51.100.1"]},
        "_x.sender.test": {"TXT": [["v=spf1 ip4:198.51.100.2 ?all"]]},
    }
    # a, include, then the redirect to the same domain the include named: three.
    result, _ = _spf(zone)
    assert (result.result, result.lookups) == ("neutral", 3)
    # An included record's own redirect= is not counted when that record matches first.
    zone["_x.sender.test"] = {"TXT": [["v=spf1 ip4:192.0.2.10 redirect=_y.sender.test"]]}
    result, _ = _spf(zone)
    assert (result.result, result.mechanism, result.lookups) == ("pass", "include:_x.sender.test", 2)
    # Nor the top record's when a mechanism matched, however the redirect= is written.
    for tail in ("redirect=_y.sender.test", "redirect=%{d}.y.sender.test exp=why.sender.test"):
        result, _ = _spf({"sender.test": {"TXT": [[f"v=spf1 ip4:192.0.2.10 {tail}"]]}})
        assert (result.result, result.lookups) == ("pass", 0)
    # A "REDIRECT=" is a redirect= (RFC 7208 section 4.6.1): deferred, and counted when followed.
    result, _ = _spf({"sender.test": {"TXT": [["v=spf1 a:h.sender.test REDIRECT=_x.sender.test"]]},
                      "h.sender.test": {"A": ["198.51.100.1"]},
                      "_x.sender.test": {"TXT": [["v=spf1 ip4:198.51.100.2 ?all"]]}})
    assert (result.result, result.mechanism, result.lookups) == ("neutral", "?all", 2)
    result, _ = _spf({"sender.test": {"TXT": [["v=spf1 ip4:192.0.2.10 REDIRECT=_y.sender.test"]]}})
    assert (result.result, result.lookups) == ("pass", 0)


def test_the_lookup_limit_permerror_says_the_limit_and_where_it_stopped() -> None:
    # Verification V40b, D5: 11 includes, the client in the 11th: pyspf's "Too many DNS lookups"
    # was titled "SPF record is broken" with the reference for permerror in general.
    zone = _includes_zone(11, "-all", listed=10)
    result, findings = check_spf(SnapshotResolver(zone), client_ip="192.0.2.10", mail_from="alice@sender.test",
                                 helo="mx.sender.test", from_domain="sender.test", inputs_from="hop 2")
    assert (result.result, result.lookups) == ("permerror", 11)
    assert "more than 10 DNS lookups" in result.explanation and "in its own record" in result.explanation
    found = next(f for f in findings if f.id == "spf.permerror")
    assert found.title == "SPF record exceeds the DNS lookup limits (10, RFC 7208 section 4.6.4)"
    assert found.reference.endswith("#section-4.6.4")
    assert "stopped at the 11th, in its own record" in found.explanation
    # Reached inside an included record: that record is named.
    zone = {"sender.test": {"TXT": [["v=spf1 a:h0.sender.test include:_b.sender.test -all"]]},
            "_b.sender.test": {"TXT": [["v=spf1 " + " ".join(f"a:h{i}.sender.test" for i in range(1, 11))
                                        + " -all"]]}}
    zone.update({f"h{i}.sender.test": {"A": ["198.51.100.1"]} for i in range(11)})
    result, findings = check_spf(SnapshotResolver(zone), client_ip="192.0.2.10", mail_from="alice@sender.test",
                                 helo="mx.sender.test", from_domain="sender.test", inputs_from="hop 2")
    assert result.result == "permerror"
    assert "stopped at the 11th, in the record of _b.sender.test" in next(
        f for f in findings if f.id == "spf.permerror").explanation
    # Other permerrors keep their words (the void-lookup limit, a broken record).
    result, findings = _spf({"sender.test": {"TXT": [["v=spf1 a:n1.sender.test a:n2.sender.test a:n3.sender.test"]]}})
    assert "Void lookup limit of 2 exceeded" in result.explanation
    result, findings = check_spf(SnapshotResolver({"sender.test": {"TXT": [["v=spf1 ip4:192.0.2.300 -all"]]}}),
                                 client_ip="192.0.2.10", mail_from="alice@sender.test", helo="mx.sender.test",
                                 from_domain="sender.test", inputs_from="hop 2")
    assert next(f for f in findings if f.id == "spf.permerror").title == "SPF record is broken (permerror)"


def test_modifier_names_are_case_insensitive() -> None:
    # RFC 7208 section 4.6.1: "mechanism and modifier names are case-insensitive". pyspf compared
    # the name with "redirect" as written: "v=spf1 REDIRECT=_spf.sender.test" was neutral (no
    # mechanism, an unknown modifier) instead of the redirect target's pass.
    zone: dict[str, Any] = {"_spf.sender.test": {"TXT": [["v=spf1 ip4:192.0.2.10 -all"]]},
                            "why.sender.test": {"TXT": [["%{i} is not ours"]]}}
    for name in ("redirect", "REDIRECT", "Redirect", "reDIRect"):
        record = f"v=spf1 {name}=_spf.sender.test"
        result, _ = _spf({**zone, "sender.test": {"TXT": [[record]]}})
        assert (result.result, result.lookups, result.record) == ("pass", 1, record), name
        result, _ = _spf({**zone, "sender.test": {"TXT": [[record]]}}, client_ip="198.51.100.7")
        assert (result.result, result.mechanism) == ("fail", "-all"), name
    # The explanation modifier too, and the rule that each appears at most once (section 6).
    result, _ = _spf({**zone, "sender.test": {"TXT": [["v=spf1 -all EXP=why.sender.test"]]}})
    assert '(exp=): "192.0.2.10 is not ours"' in result.explanation
    twice = "v=spf1 redirect=_spf.sender.test REDIRECT=_spf.sender.test"
    result, _ = _spf({**zone, "sender.test": {"TXT": [[twice]]}})
    assert result.result == "permerror" and "redirect= MUST appear at most once" in result.explanation
    # Not a modifier: a name that only folds to one outside ASCII, a qualified one, an unknown one.
    for record in ("v=spf1 REDİRECT=_spf.sender.test", "v=spf1 Foo=_spf.sender.test"):
        result, _ = _spf({**zone, "sender.test": {"TXT": [[record]]}})
        assert result.result in ("neutral", "permerror") and result.lookups == 0, record
    result, _ = _spf({**zone, "sender.test": {"TXT": [["v=spf1 +REDIRECT=_spf.sender.test"]]}})
    assert result.result == "permerror" and result.lookups == 0


def test_lowering_modifier_names_only_when_a_letter_is_upper_case_is_the_same_as_always() -> None:
    from headerscope.auth._pyspf import _modifier_names_lowered

    records = ["v=spf1 redirect=a.test", "v=spf1 REDIRECT=a.test", "v=spf1  Exp=%{D}.x.test  -all ",
               "v=spf1 ip4:192.0.2.1 -all", "V=SPF1 REDIRECT=A.TEST", "v=spf1 redirect=%{L}.test EXP=",
               "v=spf1 r\u00e9direct=a.test", "v=spf1 \x00EXP=a", "v=spf1 ==REDIRECT", "v=spf1 redirect",
               "", "v=spf1", "REDIRECT=a.test", "v=spf1 exp=a REDIRECT=b redirect=c\tEXP=d", "v=spf1 ExP=a=b=c"]
    for record in records:
        gated = _modifier_names_lowered(record) if not record.islower() else record
        assert gated == _modifier_names_lowered(record), record
        # Only the names change, and only in case.
        assert gated.lower() == record.lower() and len(gated) == len(record), record
    assert _modifier_names_lowered("v=spf1 REDIRECT=A.Test Exp=X EXPX=Y") == "v=spf1 redirect=A.Test exp=X EXPX=Y"
    assert _modifier_names_lowered("V=SPF1 REDIRECT=a") == "V=SPF1 redirect=a"


def test_more_than_ten_mx_names_for_one_mx_mechanism_is_said_as_the_lookup_limit_it_is() -> None:
    # RFC 7208 section 4.6.4 (the RFC 7208 suite's mx-limit): an mx mechanism whose MX lookup gives
    # more than 10 names is a permerror. It was titled "SPF record is broken (permerror)", with
    # pyspf's "More than 10 MX records returned" and no name, as a record that cannot be read.
    def zone(names: int, record: str = "v=spf1 mx -all") -> dict[str, Any]:
        data: dict[str, Any] = {"sender.test": {"TXT": [[record]],
                                                "MX": [f"{i} mx{i}.sender.test" for i in range(names)]}}
        data.update({f"mx{i}.sender.test": {"A": [f"198.51.100.{i + 1}"]} for i in range(names)})
        return data

    result, findings = check_spf(SnapshotResolver(zone(11)), client_ip="192.0.2.10", mail_from="alice@sender.test",
                                 helo="mx.sender.test", from_domain="sender.test", inputs_from="hop 2")
    assert result.result == "permerror"
    assert result.explanation == ("permerror: the SPF policy of sender.test has an mx mechanism whose MX lookup of "
                                  "sender.test returned 11 MX records: RFC 7208 section 4.6.4 lets one mx mechanism "
                                  "look up the addresses of at most 10 MX names, and more is a permerror")
    found = next(f for f in findings if f.id == "spf.permerror")
    assert found.title == ("SPF record exceeds the DNS lookup limits (more than 10 MX names for one mx mechanism, "
                           "RFC 7208 section 4.6.4)")
    assert found.reference.endswith("#section-4.6.4") and "mx.sender.test" not in found.explanation
    # In an included record, through mx:NAME: the name looked up is the one said.
    data = zone(12, "v=spf1 ip4:203.0.113.0/24 -all")
    data["other.test"] = {"TXT": [["v=spf1 mx:sender.test -all"]]}
    data["sender.test"]["TXT"] = [["v=spf1 include:other.test -all"]]
    result, _ = _spf(data)
    assert result.result == "permerror" and "MX lookup of sender.test returned 12 MX records" in result.explanation
    # Ten are within the limit: the mechanism is evaluated (the client is none of them: -all).
    result, ids = _spf(zone(10))
    assert (result.result, result.mechanism) == ("fail", "-all") and "spf.permerror" not in ids
    # The other permerrors keep their words: a void lookup past the limit under an mx mechanism.
    data = zone(3)
    for i in range(3):
        del data[f"mx{i}.sender.test"]
    result, findings = check_spf(SnapshotResolver(data), client_ip="192.0.2.10", mail_from="alice@sender.test",
                                 helo="mx.sender.test", from_domain="sender.test", inputs_from="hop 2")
    assert result.result == "permerror" and "Void lookup limit of 2 exceeded" in result.explanation
    assert next(f for f in findings if f.id == "spf.permerror").title == "SPF record exceeds the DNS lookup limits"
