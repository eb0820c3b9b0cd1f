"""DMARC discovery, parsing, alignment and policy with constructed DKIM/SPF results."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from timing import assert_within

from headerscope.auth.dmarc import check_dmarc
from headerscope.dns.offline import OfflineResolver
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import (
    ArcInstance,
    ArcResult,
    DkimSignatureResult,
    DmarcResult,
    Hop,
    ReceivedFields,
    RecordedResult,
    Role,
    SpfResult,
)


def dkim(domain: str, result: str = "pass") -> DkimSignatureResult:
    return DkimSignatureResult(
        index=0, header_index=0, domain=domain, selector="s1", algorithm="rsa-sha256",
        canonicalization="relaxed/relaxed", signed_headers=("from",), body_length=None, timestamp=None,
        expiration=None, key_bits=2048, key_testing=False, result=result, reason="", reason_code="ok",
        aligned=None, aligned_strict=None)


def spf(domain: str, result: str = "pass") -> SpfResult:
    return SpfResult(result=result, client_ip="192.0.2.1", mail_from=f"bounce@{domain}", helo="mx.test",
                     domain=domain, record=None, mechanism=None, explanation="", lookups=0, void_lookups=0,
                     helo_result=None)


def run(data: dict[str, Any], from_domains: tuple[str, ...] = ("example.com",), *,
        sigs: tuple[DkimSignatureResult, ...] = (), spf_result: SpfResult | None = None,
        arc: ArcResult | None = None) -> tuple[DmarcResult, set[str]]:
    result, findings = check_dmarc(SnapshotResolver(data), from_domains=from_domains, dkim=sigs,
                                   spf=spf_result, arc=arc)
    return result, {f.id for f in findings}


def txt(record: str) -> dict[str, Any]:
    return {"TXT": [[record]]}


def test_parses_every_tag() -> None:
    record = ("v=DMARC1; p=Reject; sp=quarantine; np=reject; pct=50; adkim=s; aspf=s; fo=1:d; "
              "rua=mailto:a@example.com, mailto:b@example.net; ruf=mailto:f@example.com; t=y; psd=n; x=1;")
    result, _ = run({"_dmarc.example.com": txt(record)})
    parsed = result.record
    assert parsed is not None
    assert (parsed.p, parsed.sp, parsed.np, parsed.pct) == ("reject", "quarantine", "reject", 50)
    assert (parsed.adkim, parsed.aspf, parsed.fo, parsed.t, parsed.psd) == ("s", "s", "1:d", "y", "n")
    assert parsed.rua == ("mailto:a@example.com", "mailto:b@example.net")
    assert parsed.ruf == ("mailto:f@example.com",)
    assert parsed.tags[-1] == ("x", "1")  # unknown tags are kept and ignored (RFC 7489 section 6.3)
    assert result.record_domain == "example.com"


def test_defaults() -> None:
    result, ids = run({"_dmarc.example.com": txt("v=DMARC1; p=none")})
    assert result.record is not None
    assert (result.record.pct, result.record.adkim, result.record.aspf) == (100, "r", "r")
    assert result.result == "fail" and result.policy == "none" and result.disposition == "none"
    assert {"dmarc.fail", "dmarc.monitoring_only"} <= ids


def test_monitoring_only_names_the_tag_that_set_the_policy() -> None:
    # A subdomain under p=reject; sp=none: monitoring only by sp=, not "p=none" (V46a D3).
    data = {"_dmarc.example.com": txt("v=DMARC1; p=reject; sp=none"), "email.example.com": {"A": ["192.0.2.1"]}}
    _, findings = check_dmarc(SnapshotResolver(data), from_domains=("email.example.com",), dkim=(), spf=None, arc=None)
    titles = [f.title for f in findings if f.id == "dmarc.monitoring_only"]
    assert titles == ["email.example.com: DMARC sp=none (monitoring only)"], titles
    # Nor does its text say the domain publishes DMARC only to collect reports (V48b D3-1).
    (text,) = [f.explanation for f in findings if f.id == "dmarc.monitoring_only"]
    assert "sp=none" in text and "only to collect reports" not in text, text
    # The organisational domain's own p=none is still p=.
    _, findings = check_dmarc(SnapshotResolver({"_dmarc.example.com": txt("v=DMARC1; p=none; sp=reject")}),
                                   from_domains=("example.com",), dkim=(), spf=None, arc=None)
    assert [f.title for f in findings if f.id == "dmarc.monitoring_only"] == ["example.com: DMARC p=none (monitoring only)"]


def test_relaxed_dkim_alignment_passes_strict_does_not() -> None:
    relaxed, _ = run({"_dmarc.example.com": txt("v=DMARC1; p=reject")}, ("news.example.com",),
                     sigs=(dkim("example.com"),))
    assert (relaxed.result, relaxed.dkim_aligned, relaxed.aligned_dkim_domain) == ("pass", True, "example.com")
    assert relaxed.org_domain == "example.com" and relaxed.record_domain == "example.com"
    strict, ids = run({"_dmarc.example.com": txt("v=DMARC1; p=reject; adkim=s")}, ("news.example.com",),
                      sigs=(dkim("example.com"),))
    assert (strict.result, strict.disposition) == ("fail", "reject")
    assert "dmarc.fail" in ids


def test_failing_or_unaligned_signatures_do_not_count() -> None:
    result, _ = run({"_dmarc.example.com": txt("v=DMARC1; p=quarantine")},
                    sigs=(dkim("example.com", "fail"), dkim("mailer.test")))
    assert (result.result, result.dkim_aligned, result.disposition) == ("fail", False, "quarantine")


def test_spf_alignment_relaxed_and_strict() -> None:
    zone = {"_dmarc.example.com": txt("v=DMARC1; p=reject")}
    result, _ = run(zone, spf_result=spf("bounces.example.com"))
    assert (result.result, result.spf_aligned) == ("pass", True)
    zone = {"_dmarc.example.com": txt("v=DMARC1; p=reject; aspf=s")}
    result, _ = run(zone, spf_result=spf("bounces.example.com"))
    assert (result.result, result.spf_aligned) == ("fail", False)
    result, _ = run(zone, spf_result=spf("example.com", "softfail"))
    assert result.result == "fail"


def test_subdomain_policy_and_non_existent_subdomain_policy() -> None:
    zone = {"_dmarc.example.com": txt("v=DMARC1; p=none; sp=quarantine; np=reject"),
            "exists.example.com": {"A": ["192.0.2.1"]}}
    existing, _ = run(zone, ("exists.example.com",))
    assert (existing.policy, existing.disposition) == ("quarantine", "quarantine")
    assert existing.policy_reason.startswith("sp=")
    missing, _ = run(zone, ("ghost.example.com",))
    assert (missing.policy, missing.disposition) == ("reject", "reject")
    assert "NXDOMAIN" in missing.policy_reason
    own, _ = run(zone, ("example.com",))
    assert own.policy == "none" and own.policy_reason.startswith("p=")


def test_pct_is_the_older_reading_and_testing_downgrades_the_disposition() -> None:
    # RFC 9989 appendix A.6 removed pct=: the policy applies as published. RFC 7489 section 6.6.4,
    # which receivers still on it follow, gives a message sampled out the next less strict policy.
    zero, ids = run({"_dmarc.example.com": txt("v=DMARC1; p=reject; pct=0")})
    assert (zero.policy, zero.disposition) == ("reject", "reject")
    assert zero.rfc7489 is not None and (zero.rfc7489.policy, zero.rfc7489.disposition) == ("reject", "quarantine")
    assert zero.tree_walk_note and "another disposition" in zero.tree_walk_note
    assert "dmarc.partial_pct" in ids
    half, _ = run({"_dmarc.example.com": txt("v=DMARC1; p=quarantine; pct=50")})
    assert half.disposition == "quarantine" and "pct=" not in half.explanation
    assert half.rfc7489 is not None and half.rfc7489.disposition == "quarantine" and half.tree_walk_note is None
    testing, ids = run({"_dmarc.example.com": txt("v=DMARC1; p=quarantine; t=y")})
    assert testing.disposition == "none" and "dmarc.testing" in ids


def test_no_record_is_none() -> None:
    result, ids = run({}, ("mail.example.com",))
    assert (result.result, result.record, result.policy) == ("none", None, None)
    assert "dmarc.no_record" in ids


def test_record_must_start_with_version() -> None:
    result, _ = run({"_dmarc.example.com": txt("p=reject; v=DMARC1")})
    assert result.result == "none"


def test_multiple_records_are_discarded_and_the_walk_goes_on() -> None:
    # RFC 9989 section 4.10 step 2 discards them all; RFC 7489 section 6.6.3 step 4 ended
    # discovery there (mailauth v6's rfc9989-compliance test, "discards a multi-record set at the
    # author domain and continues the walk").
    zone = {"_dmarc.example.com": {"TXT": [["v=DMARC1; p=reject"], ["v=DMARC1; p=none"]]}}
    result, ids = run(zone)
    assert result.result == "none" and "dmarc.invalid_record" in ids
    assert result.rfc7489 is not None and "RFC 7489 section 6.6.3" in result.rfc7489.policy_reason
    parent = {"_dmarc.mail.example.com": {"TXT": [["v=DMARC1; p=reject"], ["v=DMARC1; p=quarantine"]]},
              "_dmarc.example.com": txt("v=DMARC1; p=none; sp=quarantine")}
    result, ids = run(parent, ("mail.example.com",))
    assert (result.result, result.record_domain, result.policy) == ("fail", "example.com", "quarantine")
    assert result.rfc7489 is not None and (result.rfc7489.result, result.rfc7489.record_domain) == ("none", "mail.example.com")
    assert result.tree_walk_note and "another result" in result.tree_walk_note


def test_syntax_error_is_permerror_and_missing_p() -> None:
    broken, ids = run({"_dmarc.example.com": txt("v=DMARC1; p=none; reject")})
    assert broken.result == "permerror" and "dmarc.invalid_record" in ids
    no_p, _ = run({"_dmarc.example.com": txt("v=DMARC1; sp=reject")})
    assert no_p.result == "none"
    # RFC 7489 section 6.6.3 step 5: with a valid rua= the record acts as p=none.
    with_rua, _ = run({"_dmarc.example.com": txt("v=DMARC1; p=bogus; rua=mailto:r@example.com")})
    assert (with_rua.result, with_rua.policy) == ("fail", "none")


def test_dns_errors_and_offline() -> None:
    failed, ids = run({"_dmarc.example.com": {"TXT": "SERVFAIL"}})
    assert failed.result == "temperror" and "_dmarc.example.com" in failed.explanation
    assert "dmarc.temperror" in ids
    offline, _ = check_dmarc(OfflineResolver(), from_domains=("example.com",), dkim=(), spf=None, arc=None)
    assert (offline.result, offline.explanation) == ("not_checked", "not checked (offline)")


def test_multiple_from_domains_use_the_strictest_failing_policy() -> None:
    zone = {"_dmarc.example.org": txt("v=DMARC1; p=none"), "_dmarc.example.com": txt("v=DMARC1; p=reject")}
    result, ids = run(zone, ("example.org", "example.com"), sigs=(dkim("example.org"),))
    assert (result.from_domain, result.result, result.disposition) == ("example.com", "fail", "reject")
    assert "dmarc.multiple_from" in ids
    none_found, ids = run({}, ())
    assert none_found.result == "permerror" and "dmarc.no_from_domain" in ids


def test_multiple_from_domains_with_unknown_outcomes_report_the_strictest_possible_policy() -> None:
    # RFC 7489 section 6.6.1: each domain is checked and the strictest policy applies. Unknown
    # outcomes (SPF not evaluated) compete with the policy that would apply if they failed.
    zone = {"_dmarc.example.org": txt("v=DMARC1; p=none"), "_dmarc.example.com": txt("v=DMARC1; p=reject")}
    result, _ = run(zone, ("example.org", "example.com"), spf_result=unchecked_spf(None))
    assert (result.from_domain, result.result, result.policy) == ("example.com", "not_checked", "reject")
    assert "may fail, so example.com is reported" in result.explanation
    # A known failure under p=none does not outrank a possible reject ...
    zone["_dmarc.example.org"] = txt("v=DMARC1; p=none")
    result, _ = run(zone, ("example.org", "example.com"),
                    sigs=(unverifiable("example.com"),), spf_result=spf("esp.example", "fail"))
    assert (result.from_domain, result.result) == ("example.com", "not_checked")
    # ... and on equal strictness the known failure is reported.
    zone["_dmarc.example.org"] = txt("v=DMARC1; p=reject")
    result, _ = run(zone, ("example.com", "example.org"),
                    sigs=(unverifiable("example.com"),), spf_result=spf("esp.example", "fail"))
    assert (result.from_domain, result.result, result.disposition) == ("example.org", "fail", "reject")


def test_receivers_own_seal_is_not_a_sealer_to_trust_and_its_override_is_reported() -> None:
    # RFC 8617 section 5.1: the receiver (example.net) seals after recording its verdict; its
    # recorded dmarc=fail with "arc override" is what it decided (RFC 8617 section 7.2).
    arc = ArcResult(result="pass", reason="ok", instances=(
        ArcInstance(instance=1, domain="lists.example.org", selector="a", cv="none", seal_result="pass",
                    signature_result="pass", authentication_results="lists.example.org; dmarc=pass header.from=example.com"),
        ArcInstance(instance=2, domain="example.net", selector="arc", cv="pass", seal_result="pass",
                    signature_result="pass", authentication_results="mx1.example.net; dmarc=fail"),))
    zone = {"_dmarc.example.com": txt("v=DMARC1; p=quarantine")}
    receiver_fail = RecordedResult(
        header="Authentication-Results", header_index=6, authserv_id="mx1.example.net", method="dmarc",
        result="fail", properties=(("header.from", "example.com"),), reason="arc override: lists.example.org",
        trusted=True)
    list_claim = replace(receiver_fail, authserv_id="lists.example.org", result="pass", reason=None,
                         trusted=False, header_index=27)
    result, findings = check_dmarc(SnapshotResolver(zone), from_domains=("example.com",), dkim=(),
                                   spf=spf("lists.example.org"), arc=arc, recorded=(receiver_fail, list_claim))
    assert result.arc_override is not None
    assert "mx1.example.net) recorded dmarc=fail with an ARC override and accepted" in result.arc_override
    assert "example.net" not in result.arc_override.replace("mx1.example.net", "").replace(
        "lists.example.org", "")
    fail = next(f for f in findings if f.id == "dmarc.fail")
    assert fail.title.endswith("overridden by the receiver on ARC")
    assert ", example.net" not in fail.explanation
    # Without the receiver's records nothing is known about its seal: both sealers are named.
    result, _ = check_dmarc(SnapshotResolver(zone), from_domains=("example.com",), dkim=(),
                            spf=spf("lists.example.org"), arc=arc)
    assert result.arc_override and "lists.example.org, example.net may override" in result.arc_override
    # A claim by somebody else never counts as the receiver's override.
    result, _ = check_dmarc(SnapshotResolver(zone), from_domains=("example.com",), dkim=(),
                            spf=spf("lists.example.org"), arc=arc,
                            recorded=(replace(receiver_fail, trusted=False),))
    assert result.arc_override and "may override" in result.arc_override


def test_policy_is_the_fewest_labels_record_not_the_first_found() -> None:
    # RFC 9989 section 4.10.2 rule 3: without psd=, the record with the fewest labels is the
    # organisational domain, and section 4.10.1 takes its policy, not an intermediate one's.
    zone = {"_dmarc.b.example.com": txt("v=DMARC1; p=reject"), "_dmarc.example.com": txt("v=DMARC1; p=none")}
    result, _ = run(zone, ("a.b.example.com",))
    assert (result.record_domain, result.org_domain, result.policy) == ("example.com", "example.com", "none")
    assert result.tree_walk_note is None
    # psd=n makes b.example.com its own organisational domain, and its policy applies; the
    # Public Suffix List reading keeps example.com's.
    zone["_dmarc.b.example.com"] = txt("v=DMARC1; p=reject; psd=n")
    result, _ = run(zone, ("a.b.example.com",))
    assert (result.record_domain, result.org_domain, result.policy) == ("b.example.com", "b.example.com", "reject")
    assert result.rfc7489 is not None and (result.rfc7489.record_domain, result.rfc7489.policy) == ("example.com", "none")
    assert result.tree_walk_note and "uses _dmarc.example.com" in result.tree_walk_note
    same, _ = run(zone, ("example.com",))
    assert same.tree_walk_note is None


def test_psd_record_at_a_tld_found_by_the_tree_walk() -> None:
    # RFC 9989 section 4.10.2 rule 2: psd=y at gov makes example.gov the organisational domain;
    # no record of its own, so the public suffix domain's applies (section 4.10.1), its p= for the
    # organisational domain itself and sp=/np= for names below (section 4.7). RFC 7489 never asks
    # a public suffix: no record.
    zone = {"_dmarc.gov": txt("v=DMARC1; p=reject; sp=none; np=reject; psd=y"), "example.gov": {},
            "mail.example.gov": {"A": ["192.0.2.1"]}}
    result, _ = run(zone, ("example.gov",))
    assert (result.result, result.record_domain, result.org_domain, result.policy) == (
        "fail", "gov", "example.gov", "reject")
    assert result.rfc7489 is not None and (result.rfc7489.result, result.rfc7489.org_domain) == ("none", "example.gov")
    assert result.tree_walk_note and "decides none" in result.tree_walk_note
    below, _ = run(zone, ("mail.example.gov",))
    assert (below.result, below.org_domain, below.policy) == ("fail", "example.gov", "none")
    ghost, _ = run(zone, ("ghost.example.gov",))
    assert (ghost.result, ghost.policy) == ("fail", "reject") and "NXDOMAIN" in ghost.policy_reason
    # A record at the organisational domain itself is preferred to the PSD's (section 4.10.1:
    # "PSD policy is not used for Organizational Domains that have published a DMARC Policy Record").
    own, _ = run({**zone, "_dmarc.example.gov": txt("v=DMARC1; p=none")}, ("mail.example.gov",))
    assert (own.record_domain, own.org_domain, own.policy) == ("example.gov", "example.gov", "none")


def test_arc_override_when_first_sealer_saw_pass() -> None:
    arc = ArcResult(result="pass", reason="", instances=(
        ArcInstance(instance=1, domain="lists.test", selector="s", cv="none", seal_result="pass",
                    signature_result="pass", authentication_results="lists.test; dkim=pass; dmarc=pass header.from=example.com"),))
    result, _ = run({"_dmarc.example.com": txt("v=DMARC1; p=reject")}, arc=arc)
    assert result.result == "fail" and result.arc_override and "lists.test" in result.arc_override
    assert "may override the reject" in result.arc_override
    passed, _ = run({"_dmarc.example.com": txt("v=DMARC1; p=reject")}, sigs=(dkim("example.com"),), arc=arc)
    assert passed.arc_override is None


def test_hostile_record_is_bounded() -> None:
    started = time.perf_counter()
    result, _ = run({"_dmarc.example.com": txt("v=DMARC1; p=reject; " + "rua=" + "x;" * 500_000)})
    assert result.result == "permerror"
    result, _ = run({}, ("a." * 100_000 + "example.com",))
    assert result.result == "none"
    assert_within(started, 2)


def unchecked_spf(mail_from: str | None) -> SpfResult:
    return SpfResult(result="not_checked", client_ip=None, mail_from=mail_from, helo=None, domain=None,
                     record=None, mechanism=None, explanation="not checked: no client IP", lookups=None,
                     void_lookups=None, helo_result=None)


def unverifiable(domain: str, code: str = "no_body", result: str = "neutral") -> DkimSignatureResult:
    return replace(dkim(domain, result), reason_code=code, reason="no body to hash")


def test_unevaluated_aligned_inputs_leave_dmarc_unknown_not_failed() -> None:
    # RFC 7489 section 6.6.2: fail only when no identifier can pass aligned.
    data = {"_dmarc.example.com": txt("v=DMARC1; p=reject")}
    result, ids = run(data, sigs=(unverifiable("example.com"),), spf_result=spf("esp.example", "none"))
    assert result.result == "not_checked" and result.disposition is None and result.policy == "reject"
    assert "DKIM signature by example.com could not be verified" in result.explanation
    assert "dmarc.fail" not in ids
    result, ids = run(data, spf_result=unchecked_spf(None))
    assert result.result == "not_checked" and "SPF was not evaluated" in result.explanation
    assert "dmarc.fail" not in ids
    result, _ = run(data, sigs=(unverifiable("example.com", "temperror", "temperror"),),
                    spf_result=spf("esp.example", "fail"))
    assert result.result == "temperror"
    # An unevaluated identity that could never align changes nothing: a definite fail.
    result, ids = run(data, sigs=(unverifiable("other.example"),), spf_result=unchecked_spf("b@esp.example"))
    assert result.result == "fail" and "dmarc.fail" in ids
    # ... and an aligned pass still passes whatever else was not evaluated.
    result, _ = run(data, sigs=(dkim("example.com"),), spf_result=unchecked_spf(None))
    assert result.result == "pass"


def test_signatures_whose_key_lookup_failed_are_unknown_not_failing() -> None:
    # Review AF defect 2 (RFC 6376 section 6.1.2, TEMPFAIL): "no DKIM signature passes" read as a failure.
    data = {"_dmarc.example.com": txt("v=DMARC1; p=reject")}
    timeout = replace(dkim("example.com", "temperror"), reason_code="temperror",
                      reason="key lookup for s1._domainkey.example.com failed: TIMEOUT (try again later)")
    result, _ = run(data, sigs=(timeout,), spf_result=spf("example.com"))
    assert result.result == "pass"
    assert result.explanation == (
        "pass: the DKIM signature by example.com could not be verified (key lookup for s1._domainkey.example.com "
        "failed: TIMEOUT (try again later)); SPF passes for example.com and aligns (relaxed)")
    broken = replace(dkim("example.com", "fail"), reason_code="body_hash_mismatch", reason="body changed")
    result, _ = run(data, sigs=(broken,), spf_result=spf("example.com"))
    assert result.explanation.startswith("pass: no DKIM signature passes; SPF passes")


def test_an_unknown_record_aligns_only_the_very_domain() -> None:
    # RFC 7489 sections 3.1 and 6.3: adkim=/aspf= are part of the record that could not be read.
    failing = {"_dmarc.mail.example.com": {"TXT": "SERVFAIL"}, "_dmarc.example.com": txt("v=DMARC1; p=reject")}
    result, ids = run(failing, ("mail.example.com",), sigs=(dkim("example.com"),), spf_result=spf("example.com"))
    assert result.result == "temperror" and "dmarc.temperror" in ids
    assert (result.dkim_aligned, result.spf_aligned, result.aligned_dkim_domain) == (None, None, None)
    assert ("DKIM d=example.com passes but aligns with mail.example.com only if the unknown DMARC record allows "
            "relaxed alignment") in result.explanation
    result, _ = run(failing, ("mail.example.com",), sigs=(dkim("mail.example.com"),), spf_result=spf("example.com"))
    assert (result.dkim_aligned, result.aligned_dkim_domain) == (True, "mail.example.com")
    # Outside the organisation it fails alignment in either mode: known, not unknown.
    result, _ = run(failing, ("mail.example.com",), sigs=(dkim("esp.example"),), spf_result=spf("esp.example"))
    assert (result.dkim_aligned, result.spf_aligned) == (False, False)
    assert "DKIM passes only for esp.example, which does not align (relaxed) with mail.example.com" in \
        result.explanation


def test_arc_vouched_failure_stays_danger_without_a_receivers_override() -> None:
    data = {"_dmarc.example.com": txt("v=DMARC1; p=quarantine")}
    vouching = ArcResult(result="pass", reason="ok", instances=(
        ArcInstance(instance=1, domain="lists.example.org", selector="a", cv="none", seal_result="pass",
                    signature_result="pass",
                    authentication_results="lists.example.org; dkim=pass; dmarc=pass header.from=example.com"),))
    result, findings = check_dmarc(SnapshotResolver(data), from_domains=("example.com",), dkim=(),
                                   spf=spf("lists.example.org"), arc=vouching)
    fail = [f for f in findings if f.id == "dmarc.fail"]
    # RFC 8617 section 7.2: ARC results count only from sealers the receiver trusts; no receiver
    # recorded acting on this chain, and anyone can seal one (V38e): nothing is lowered.
    assert result.result == "fail" and result.arc_vouched and fail[0].severity.value == "danger"
    assert "an ARC chain claims a pass no receiver acted on" in fail[0].title
    assert "anyone can seal a chain with a key in their own DNS" in fail[0].explanation
    result, findings = check_dmarc(SnapshotResolver(data), from_domains=("example.com",), dkim=(),
                                   spf=spf("lists.example.org"), arc=None)
    assert [f.severity.value for f in findings if f.id == "dmarc.fail"] == ["danger"]


def _sealed(number: int, sealer: str, results: str) -> ArcInstance:
    return ArcInstance(instance=number, domain=sealer, selector="arc", cv="none" if number == 1 else "pass",
                       seal_result="pass", signature_result="pass", authentication_results=f"i={number}; {results}")


def _gmail_dmarc_fail(reason: str = "p=REJECT sp=REJECT dis=REJECT") -> RecordedResult:
    return RecordedResult(header="Authentication-Results", header_index=3, authserv_id="mx.google.com",
                          method="dmarc", result="fail", properties=(("header.from", "example.com"),),
                          reason=reason, trusted=True)


_REJECT = {"_dmarc.example.com": txt("v=DMARC1; p=reject")}
_GMAIL_SEAL = _sealed(1, "google.com", "mx.google.com; spf=fail smtp.mailfrom=example.com; "
                                       "dmarc=fail (p=REJECT sp=REJECT dis=REJECT) header.from=example.com")


def test_the_receivers_own_arc_set_vouches_for_nothing() -> None:
    # Gmail seals every incoming message as i=1 (cv=none) after recording its own verdict (RFC
    # 8617 section 5.1); its set carries no intermediary's assertion (section 7.2), so a spoof it
    # sealed stays a DMARC failure at the policy's full weight, and google.com is named as no
    # sealer "to trust".
    arc = ArcResult(result="pass", reason="ok", instances=(_GMAIL_SEAL,))
    result, findings = check_dmarc(SnapshotResolver(_REJECT), from_domains=("example.com",), dkim=(),
                                   spf=spf("example.com", "fail"), arc=arc, recorded=(_gmail_dmarc_fail(),))
    assert (result.result, result.arc_sealers, result.arc_vouched) == ("fail", (), False)
    [fail] = [f for f in findings if f.id == "dmarc.fail"]
    assert fail.severity.value == "danger" and "by ARC" not in fail.title
    assert result.arc_override is not None and "only sealer is the receiving side (google.com)" in result.arc_override
    assert "first sealer (google.com)" not in (result.arc_override + fail.explanation)
    # The receiving side told by its hosts above the trust boundary alone (no trusted A-R).
    gmail_hop = Hop(number=1, header_index=0, fields=ReceivedFields(by="mx.google.com"), raw="", delay_seconds=None,
                    role=Role.MTA, organization="google.com", trusted=True, boundary=True)
    result, _ = check_dmarc(SnapshotResolver(_REJECT), from_domains=("example.com",), dkim=(),
                            spf=spf("example.com", "fail"), arc=arc, hops=(gmail_hop,))
    assert (result.arc_sealers, result.arc_vouched) == ((), False)


def test_a_forwarders_dmarc_pass_vouches_below_the_receivers_own_set() -> None:
    # fwd.example saw dmarc=pass when the message reached it, changed it, sealed it (i=1); the
    # receiver sealed it again (i=2): the chain vouches, through fwd.example only.
    forwarder = _sealed(1, "fwd.example", "fwd.example; dkim=pass header.d=example.com; "
                                          "dmarc=pass header.from=example.com")
    receiver = _sealed(2, "google.com", "mx.google.com; arc=pass; dmarc=fail header.from=example.com")
    arc = ArcResult(result="pass", reason="ok", instances=(forwarder, receiver))
    # (A receiver's record that names no disposition: it said nothing of trusting the chain.)
    result, findings = check_dmarc(SnapshotResolver(_REJECT), from_domains=("example.com",), dkim=(),
                                   spf=spf("fwd.example"), arc=arc,
                                   recorded=(_gmail_dmarc_fail("p=REJECT sp=REJECT"),))
    assert (result.arc_sealers, result.arc_vouched) == (("fwd.example",), True)
    [fail] = [f for f in findings if f.id == "dmarc.fail"]
    assert fail.severity.value == "danger" and fail.title.endswith(", an ARC chain claims a pass no receiver acted on")
    assert "first intermediary that sealed it (fwd.example) recorded dmarc=pass" in fail.explanation
    assert "google.com" not in fail.explanation
    # The receiver recorded that it applied reject all the same (dis=REJECT, no override): it had
    # the chain and did not trust fwd.example; anyone can seal a chain with a key of their own.
    result, findings = check_dmarc(SnapshotResolver(_REJECT), from_domains=("example.com",), dkim=(),
                                   spf=spf("fwd.example"), arc=arc, recorded=(_gmail_dmarc_fail(),))
    assert (result.arc_sealers, result.arc_vouched) == (("fwd.example",), False)
    [fail] = [f for f in findings if f.id == "dmarc.fail"]
    assert fail.severity.value == "danger" and "did not act on it" in (result.arc_override or "")
    # A bare dmarc=pass names no From: domain: it vouches for none.
    bare = _sealed(1, "fwd.example", "fwd.example; dkim=pass header.d=example.com; dmarc=pass")
    result, _ = check_dmarc(SnapshotResolver(_REJECT), from_domains=("example.com",), dkim=(),
                            spf=spf("fwd.example"), arc=ArcResult(result="pass", reason="ok", instances=(bare, receiver)),
                            recorded=(_gmail_dmarc_fail("p=REJECT sp=REJECT"),))
    assert result.arc_vouched is False
    # The receiver recorded that it accepted the message on the chain's word (Gmail's dis=NONE
    # beside arc=pass): overridden, on fwd.example's word.
    result, findings = check_dmarc(SnapshotResolver(_REJECT), from_domains=("example.com",), dkim=(),
                                   spf=spf("fwd.example"), arc=arc,
                                   recorded=(_gmail_dmarc_fail("p=REJECT sp=REJECT dis=NONE arc=pass"),))
    [fail] = [f for f in findings if f.id == "dmarc.fail"]
    assert fail.title.endswith(", overridden by the receiver on ARC") and "on the word of fwd.example " \
        in fail.explanation


def test_only_the_oldest_intermediarys_own_dmarc_pass_vouches() -> None:
    # An intermediary's results hold values the sender chose (a MAIL FROM local part
    # "dmarc=pass"): read as RFC 8601 clauses, not searched as text.
    sender_text = _sealed(1, "fwd.example", "fwd.example; spf=pass smtp.mailfrom=dmarc=pass@evil.example; "
                                            "dmarc=fail header.from=example.com")
    arc = ArcResult(result="pass", reason="ok", instances=(sender_text,))
    result, findings = check_dmarc(SnapshotResolver(_REJECT), from_domains=("example.com",), dkim=(),
                                   spf=spf("evil.example"), arc=arc)
    assert [f.severity.value for f in findings if f.id == "dmarc.fail"] == ["danger"]
    assert (result.arc_sealers, result.arc_vouched) == (("fwd.example",), False)
    # A pass for another From: domain says nothing of this one.
    other = _sealed(1, "fwd.example", "fwd.example; dmarc=pass header.from=other.example")
    result, _ = run(_REJECT, spf_result=spf("fwd.example"), arc=replace(arc, instances=(other,)))
    assert result.arc_vouched is False
    # Google saw dmarc=fail at the first forward (i=1), then a sealer of the sender's choosing
    # claims a pass (i=2) before the final receiver's own set (i=3): only the receiver's newest
    # set is left out, so the oldest intermediary is still Google's i=1, which did not vouch.
    claimed = _sealed(2, "evil.example", "evil.example; dmarc=pass header.from=example.com")
    arc = replace(arc, instances=(_GMAIL_SEAL, claimed, _sealed(3, "google.com", "mx.google.com; arc=pass")))
    result, _ = check_dmarc(SnapshotResolver(_REJECT), from_domains=("example.com",), dkim=(),
                            spf=spf("evil.example"), arc=arc, recorded=(_gmail_dmarc_fail(),))
    assert (result.arc_sealers, result.arc_vouched) == (("google.com", "evil.example"), False)


def test_pct_zero_finding_says_no_message_gets_the_policy() -> None:
    result, _ = run({"_dmarc.example.com": txt("v=DMARC1; p=reject; pct=0")}, spf_result=spf("esp.example"))
    _, findings = check_dmarc(SnapshotResolver({"_dmarc.example.com": txt("v=DMARC1; p=reject; pct=0")}),
                              from_domains=("example.com",), dkim=(), spf=spf("esp.example"), arc=None)
    pct = next(f for f in findings if f.id == "dmarc.partial_pct")
    assert "to no failing message" in pct.explanation and result.disposition == "reject"
    assert "not a tag of RFC 9989" in pct.explanation and "still on RFC 7489" in pct.explanation


def test_nothing_aligned_names_the_srs_sender_spf_judged_rightly() -> None:
    # kernel.org's archive copy: the Return-Path is the SRS address kernel.org itself wrote when
    # it forwarded the message inside, so SPF judged the sender it encodes (kvack.org). The
    # finding called kvack.org "a forwarder's SRS address" (real layout, lore.kernel.org, 2019).
    import headerscope

    inside = (b"Return-Path: <SRS0=yRuK=WC=kvack.org=owner-linux-mm@kernel.org>\r\n"
              b"Received: from mail.kernel.org (mail.kernel.org [198.145.29.99]) by smtp.lore.kernel.org (Postfix) with"
              b" ESMTP id E0F42C31E40 for <linux-mm@archiver.kernel.org>; Tue,  6 Aug 2019 21:28:14 +0000 (UTC)\r\n"
              b"Received: from kanga.kvack.org (kanga.kvack.org [205.233.56.17]) by mail.kernel.org (Postfix) with"
              b" ESMTP id 9B65A2075B for <linux-mm@archiver.kernel.org>; Tue,  6 Aug 2019 21:28:14 +0000 (UTC)\r\n"
              b"From: Dave <david@fromorbit.example>\r\nList-Id: <linux-mm.kvack.org>\r\n"
              b"Date: Tue, 6 Aug 2019 21:28:00 +0000\r\n\r\nbody\r\n")
    [finding] = [f for f in headerscope.analyze(inside, offline=True).findings if f.id == "dmarc.nothing_aligned"]
    assert "the envelope sender's domain is kvack.org (owner-linux-mm@kvack.org, the sender encoded in the SRS " \
           "address kernel.org wrote when it forwarded the message)" in finding.explanation
    assert "a forwarder's SRS address" not in finding.explanation
    # An SRS address another server wrote is the envelope sender SPF judged: said as such.
    forwarded = (b"Return-Path: <SRS0=HHH=TT=sender.example=alice@forwarder.example>\r\n"
                 b"Received: from mx.forwarder.example (mx.forwarder.example [192.0.2.9]) by mx.final.example with"
                 b" ESMTPS id 1; Tue, 6 Aug 2019 21:28:14 +0000\r\n"
                 b"From: Alice <alice@sender.example>\r\nDate: Tue, 6 Aug 2019 21:28:00 +0000\r\n\r\nbody\r\n")
    [finding] = [f for f in headerscope.analyze(forwarded, offline=True).findings if f.id == "dmarc.nothing_aligned"]
    assert "the envelope sender's domain is forwarder.example (a forwarder's SRS address; before forwarding the " \
           "sender was alice@sender.example)" in finding.explanation
    # The null sender: SPF checked postmaster@HELO (RFC 7208 section 2.4), a host's name, not a
    # sender's domain ("the envelope sender's domain is localhost" of a sendmail bounce, real).
    bounce = (b"Return-Path: <>\r\n"
              b"Received: from localhost (mx.bouncer.example [192.0.2.9]) by mx.final.example with"
              b" ESMTPS id 1; Tue, 6 Aug 2019 21:28:14 +0000\r\n"
              b"From: MAILER-DAEMON@bouncer.example\r\nDate: Tue, 6 Aug 2019 21:28:00 +0000\r\n\r\nbody\r\n")
    [finding] = [f for f in headerscope.analyze(bounce, offline=True).findings if f.id == "dmarc.nothing_aligned"]
    assert "the envelope sender is empty (the null sender), so SPF checked the HELO name localhost" in finding.explanation


def test_alignment_not_checked_is_unknown_never_no() -> None:
    # DMARC's dkim_aligned / spf_aligned say "an aligned identity passes". Offline nothing is
    # verified: an identity that aligns may have passed (unknown, None); one outside the From:
    # domain's organisation cannot (False, known without DNS: RFC 7489 section 3.1).
    aligned_sig, other_sig = dkim("mail.example.com", "not_checked"), dkim("esp.example.net", "not_checked")
    offline_spf = replace(spf("example.com", "not_checked"), lookups=None, void_lookups=None)
    result, _ = check_dmarc(OfflineResolver(), from_domains=("example.com",), dkim=(aligned_sig,),
                            spf=offline_spf, arc=None)
    assert (result.result, result.dkim_aligned, result.spf_aligned) == ("not_checked", None, None)
    assert result.alignment_words() == ("DKIM aligned and passing: unknown (not checked)",
                                        "SPF aligned and passing: unknown (not checked)")
    result, _ = check_dmarc(OfflineResolver(), from_domains=("example.com",), dkim=(other_sig,),
                            spf=replace(offline_spf, domain="bounces.example.net"), arc=None)
    assert (result.dkim_aligned, result.spf_aligned) == (False, False)
    # SPF with no envelope sender recorded: whose domain SPF would judge is unknown.
    result, _ = check_dmarc(OfflineResolver(), from_domains=("example.com",), dkim=(),
                            spf=replace(offline_spf, domain=None, mail_from=None), arc=None)
    assert (result.dkim_aligned, result.spf_aligned) == (False, None)
    # No From: domain (a paste cut before it, or none written): nothing to align with.
    for from_not_pasted in (True, False):
        result, _ = check_dmarc(OfflineResolver(), from_domains=(), dkim=(aligned_sig,), spf=offline_spf, arc=None,
                                from_not_pasted=from_not_pasted)
        assert (result.dkim_aligned, result.spf_aligned) == (None, None)
        assert result.alignment_words()[1] == "SPF aligned and passing: unknown (no From: domain)"
    # With DNS, a pass is known: True; a fail is known: False.
    result, _ = run({"_dmarc.example.com": txt("v=DMARC1; p=none")}, sigs=(dkim("example.com"),),
                    spf_result=spf("example.com", "fail"))
    assert (result.dkim_aligned, result.aligned_dkim_domain, result.spf_aligned) == (True, "example.com", False)


def test_an_invalid_policy_with_rua_is_its_own_warning_not_monitoring_only() -> None:
    # RFC 7489 section 6.6.3: p=rejct with a valid rua= is read as p=none. The domain meant a
    # policy; "publishes DMARC only to collect reports" would misstate its choice.
    zone = {"_dmarc.example.com": txt("v=DMARC1; p=rejct; rua=mailto:r@example.com")}
    result, findings = check_dmarc(SnapshotResolver(zone), from_domains=("example.com",), dkim=(),
                                   spf=spf("esp.example"), arc=None)
    assert (result.result, result.policy) == ("fail", "none")
    [invalid] = [f for f in findings if f.id == "dmarc.invalid_record"]
    assert invalid.title == "DMARC record with an invalid policy: treated as p=none"
    assert "p='rejct' is not a valid policy" in invalid.explanation and invalid.reference.endswith("section-4.10.1")
    assert "dmarc.monitoring_only" not in {f.id for f in findings}
    # A real p=none is monitoring only, and no invalid-record warning.
    _, ids = run({"_dmarc.example.com": txt("v=DMARC1; p=none; rua=mailto:r@example.com")})
    assert "dmarc.monitoring_only" in ids and "dmarc.invalid_record" not in ids


def test_pct_is_said_only_for_a_failing_message() -> None:
    # pct= samples failing mail only (RFC 7489 section 6.6.4): nothing to say of a pass.
    zone = {"_dmarc.example.com": txt("v=DMARC1; p=reject; pct=50")}
    passed, ids = run(zone, sigs=(dkim("example.com"),))
    assert passed.result == "pass" and "dmarc.partial_pct" not in ids
    failed, ids = run(zone, spf_result=spf("esp.example"))
    assert failed.result == "fail" and "dmarc.partial_pct" in ids


def test_exchange_onlines_own_seal_by_microsoft_com_is_the_receivers() -> None:
    # Exchange Online seals incoming mail as d=microsoft.com while its hosts and results are
    # outlook.com's (one operator, hops.OPERATOR_ALIASES): its set is the receiver's own, which
    # vouches for nothing (RFC 8617 section 7.2), even where it recorded dmarc=pass at delivery.
    own = _sealed(1, "microsoft.com", "mx.microsoft.com 1; dmarc=pass action=none header.from=example.com")
    exchange = RecordedResult(header="Authentication-Results", header_index=3,
                              authserv_id="eur03.prod.protection.outlook.com", method="spf", result="pass",
                              properties=(("smtp.mailfrom", "example.com"),), reason=None, trusted=True)
    result, _ = check_dmarc(SnapshotResolver(_REJECT), from_domains=("example.com",), dkim=(),
                            spf=spf("elsewhere.example"), arc=ArcResult(result="pass", reason="ok", instances=(own,)),
                            recorded=(exchange,))
    assert (result.result, result.arc_sealers, result.arc_vouched) == ("fail", (), False)


def _receiver_spf_spoof(received_spf: bytes, *, dkim_signature: bytes = b"", below: bytes = b"") -> bytes:
    # A direct spoof of a freemail domain into a Postfix MX running policyd-spf (its Received-SPF
    # above its own Received, RFC 7208 section 9.1 key=value form); no DKIM signature.
    return (b"Received-SPF: " + received_spf + b"\r\n"
            b"Received: from relay.somewhere.example (relay.somewhere.example [203.0.113.66])\r\n"
            b"\tby mx1.receiver.example (Postfix) with ESMTPS id 6D8C13F069\r\n"
            b"\tfor <alias@receiver.example>; Thu, 17 Mar 2022 16:50:20 +0000 (UTC)\r\n"
            + below + dkim_signature +
            b"Date: Thu, 17 Mar 2022 16:50:18 +0000\r\nTo: alias@receiver.example\r\n"
            b"From: someone@gmail.com\r\nSubject: test\r\nMessage-Id: <1@relay.somewhere.example>\r\n\r\nhello\r\n")


def _softfail(result: bytes = b"Softfail", client: bytes = b"203.0.113.66") -> bytes:
    return (result + b" (mailfrom) identity=mailfrom; client-ip=" + client + b"; helo=relay.somewhere.example; "
            b"envelope-from=other@gmail.com; receiver=mx1.receiver.example")


def test_receivers_own_spf_not_pass_for_the_only_aligned_identity_means_dmarc_cannot_pass() -> None:
    # No DKIM signature, and the receiver's own SPF result for the envelope sender (gmail.com, the
    # only identity that could align) is softfail: DMARC cannot pass whatever DNS says (RFC 7489
    # sections 3.1 and 4.2), offline too.
    import headerscope

    report = headerscope.analyze(_receiver_spf_spoof(_softfail()), offline=True)
    assert report.verdict.status == "unauthenticated"
    assert report.verdict.summary.startswith("Unauthenticated: DMARC for gmail.com cannot pass, whatever DNS says")
    assert "recorded SPF softfail for gmail.com" in report.verdict.summary
    [finding] = [f for f in report.findings if f.id == "dmarc.cannot_pass"]
    assert "SPF softfail" in finding.title and "the envelope sender other@gmail.com" in finding.explanation
    assert "rests on the receiver's recorded SPF result" in finding.explanation
    for result in (b"Fail", b"Neutral", b"None"):
        fail = headerscope.analyze(_receiver_spf_spoof(_softfail(result)), offline=True)
        assert fail.verdict.status == "unauthenticated", result


def test_a_signature_the_receiver_recorded_as_failing_does_not_keep_dmarc_possible() -> None:
    # One garbage DKIM-Signature with d= in the From: organisation, which the receiver's own
    # Authentication-Results (OpenDKIM's form, RFC 8601 header.d/header.b) records as dkim=fail:
    # it cannot make DMARC pass (RFC 7489 section 4.2 needs a passing one), so the spoof stays
    # unauthenticated offline.
    import headerscope

    signature = (b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=gmail.com; s=20210112; h=from:to:subject;"
                 b" bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAAB3NzaC1yc2EAAAADAQAB\r\n")

    def analyzed(results: bytes, signatures: bytes = signature) -> tuple[str, str, list[str]]:
        raw = (b"Authentication-Results: mx1.receiver.example; " + results + b"\r\n"
               + _receiver_spf_spoof(_softfail(), dkim_signature=signatures))
        report = headerscope.analyze(raw, offline=True)
        return (report.verdict.status, report.verdict.summary,
                [f.title for f in report.findings if f.id == "dmarc.cannot_pass"])

    status, summary, [title] = analyzed(b"dkim=fail (bad signature) header.d=gmail.com header.b=AAAAB3Nz")
    assert status == "unauthenticated"
    assert "the DKIM signatures in its organisation failed, as the receiving side recorded" in summary
    assert title == "DMARC for gmail.com cannot pass: its DKIM signature recorded as failing, and SPF softfail " \
                    "recorded for gmail.com"
    # Named by header.d alone: the only signature of that domain.
    assert analyzed(b"dkim=fail header.d=gmail.com")[0] == "unauthenticated"
    # A failure recorded for one signature (by header.b) leaves another of the same domain possible.
    second = signature.replace(b"s=20210112", b"s=20230601").replace(b"b=AAAAB3Nz", b"b=ZZZZ9999")
    assert analyzed(b"dkim=fail header.d=gmail.com header.b=ZZZZ9999", signature + second)[0] == "not_checked"
    assert analyzed(b"dkim=fail header.d=gmail.com header.b=ZZZZ9999; dkim=fail header.d=gmail.com "
                    b"header.b=AAAAB3Nz", signature + second)[0] == "unauthenticated"
    # Two signatures of the domain and a failure naming neither by header.b: not known which.
    assert analyzed(b"dkim=fail header.d=gmail.com", signature + second)[0] == "not_checked"
    # A pass recorded for it: the receiver saw it verify.
    assert analyzed(b"dkim=pass header.d=gmail.com header.b=AAAAB3Nz")[0] != "unauthenticated"


def test_dmarc_cannot_pass_needs_the_receivers_own_final_spf_result() -> None:
    import headerscope

    def status(raw: bytes) -> tuple[str, bool]:
        report = headerscope.analyze(raw, offline=True)
        return report.verdict.status, any(f.id == "dmarc.cannot_pass" for f in report.findings)

    # Temporary and permanent errors: a retry or a fixed record could tell otherwise.
    assert status(_receiver_spf_spoof(_softfail(b"Temperror"))) == ("not_checked", False)
    assert status(_receiver_spf_spoof(_softfail(b"Permerror"))) == ("not_checked", False)
    assert status(_receiver_spf_spoof(_softfail(b"Pass"))) == ("not_checked", False)
    # A result for another client than the boundary's: not about this session.
    assert status(_receiver_spf_spoof(_softfail(client=b"198.51.100.1"))) == ("not_checked", False)
    # A signature in gmail.com's organisation could still pass: not decided offline.
    signature = (b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=gmail.com; s=20210112; h=from:to:subject;"
                 b" bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n")
    assert status(_receiver_spf_spoof(_softfail(), dkim_signature=signature)) == ("not_checked", False)
    # The same result written below the receiver's Received, by the sending side: a claim,
    # which drives nothing (a spoofer can write any field).
    claim = (b"Received: from [192.0.2.7] by relay.somewhere.example with ESMTPSA id 1; "
             b"Thu, 17 Mar 2022 16:50:19 +0000\r\n"
             b"Received-SPF: Softfail (mailfrom) identity=mailfrom; client-ip=203.0.113.66; "
             b"envelope-from=other@gmail.com; receiver=mx1.receiver.example\r\n")
    raw = b"Return-Path: <other@gmail.com>\r\n" + _receiver_spf_spoof(b"", below=claim).partition(b"\r\n")[2]
    report = headerscope.analyze(raw, offline=True)
    assert [r.trusted for r in report.recorded if r.method == "spf"] == [False]
    assert (report.verdict.status, any(f.id == "dmarc.cannot_pass" for f in report.findings)) == ("not_checked", False)
    # The same field above the receiver's Received is its own and decides.
    raw = b"Return-Path: <other@gmail.com>\r\n" + _receiver_spf_spoof(_softfail())
    assert status(raw) == ("unauthenticated", True)


def test_an_address_literal_in_from_names_no_domain_for_dmarc() -> None:
    # Verification V30d (m/from_literal.eml): "From: Joe <joe@[192.0.2.1]>" (RFC 5322 section 3.4.1
    # domain-literal) was checked as the domain 192.0.2.1 and asked DNS for _dmarc.192.0.2.1 and its
    # parents; an address literal names no domain (RFC 7489 section 6.6.1), as a missing From: names none.
    import headerscope

    for literal in ("[192.0.2.1]", "[IPv6:2001:db8::1]"):
        result, ids = run({}, (literal,))
        assert (result.result, result.from_domain, ids) == ("permerror", None, {"dmarc.no_from_domain"}), literal
    result, findings = check_dmarc(SnapshotResolver({}), from_domains=(), dkim=(), spf=None, arc=None,
                                   from_literals=("joe@[192.0.2.1]",))
    assert result.explanation == ("permerror: the From: address joe@[192.0.2.1] ends in an address literal, not a "
                                  "domain name, so DMARC cannot be applied (RFC 7489 section 6.6.1)")
    assert "address literal (RFC 5322 section 3.4.1)" in findings[0].explanation
    # A real domain beside a literal is evaluated alone.
    zone = {"_dmarc.example.com": txt("v=DMARC1; p=reject")}
    result, ids = run(zone, ("[192.0.2.1]", "example.com"))
    assert (result.from_domain, result.policy) == ("example.com", "reject") and "dmarc.multiple_from" not in ids
    raw = (b"Received: from mail.sender.example (mail.sender.example [192.0.2.10])\r\n\tby mx.recipient.example "
           b"(Postfix) with ESMTPS id 4F1C81234\r\n\tfor <bob@recipient.example>; Mon, 13 May 2024 10:00:05 +0000\r\n"
           b"From: Joe <joe@[192.0.2.1]>\r\nSubject: hi\r\nTo: bob@recipient.example\r\n"
           b"Date: Mon, 13 May 2024 10:00:00 +0000\r\nMessage-ID: <abc123@sender.example>\r\n\r\nHello.\r\n")
    report = headerscope.analyze(raw, resolver=SnapshotResolver({}))
    assert not [q.name for q in report.dns if "192.0.2.1" in q.name and q.name.startswith("_")]
    assert report.dmarc is not None and report.dmarc.result == "permerror"
    assert report.verdict.summary == "Unauthenticated: the message has no From: domain, so DMARC cannot apply."
    # Offline it is said the same way, as for a From: with no domain: no DNS could change it.
    offline = headerscope.analyze(raw, offline=True)
    assert (offline.verdict.status, offline.verdict.summary) == (report.verdict.status, report.verdict.summary)
    assert "envelope.no_from" not in {f.id for f in offline.findings}  # the address is there
    # A receiver's pass for a domain (verification V22's bench_from_literal): the From: it judged is not
    # the one shown now, said as for another domain, and the verdict line says it too.
    recorded = headerscope.analyze(b"Authentication-Results: mx.recipient.example; dmarc=pass header.from=sender.example"
                                   b"\r\n" + raw, offline=True)
    [changed] = [f for f in recorded.findings if f.id == "recorded.from_changed"]
    assert changed.title == "DMARC pass was recorded for another From: domain than [192.0.2.1]"
    assert "but From: shows an address literal (joe@[192.0.2.1]), which names no domain, now" in changed.explanation
    assert recorded.verdict.summary == (
        "Unauthenticated: the message has no From: domain, so DMARC cannot apply. The receiving side "
        "(mx.recipient.example) recorded DMARC pass at delivery, but for another From: domain than the one shown now "
        "([192.0.2.1]).")


def test_tag_names_are_case_insensitive_the_version_value_is_not() -> None:
    # RFC 7489 section 6.4: "v" is a quoted string (case-insensitive, RFC 5234 section 2.3),
    # DMARC1 a %x string (case-sensitive). Verification V34c, cases syn_upper_v and syn_lower_dmarc1.
    upper, ids = run({"_dmarc.example.com": txt("V=DMARC1; P=REJECT; RUA=mailto:d@example.com")})
    assert upper.record_domain == "example.com" and upper.record is not None
    assert (upper.result, upper.policy, upper.disposition) == ("fail", "reject", "reject")
    assert upper.record.rua == ("mailto:d@example.com",) and "dmarc.invalid_record" not in ids
    lower, ids = run({"_dmarc.example.com": txt("v=dmarc1; p=reject")})
    assert (lower.result, lower.record) == ("none", None) and "dmarc.no_record" in ids


def test_no_record_words_name_each_name_asked_once() -> None:
    _, findings = check_dmarc(SnapshotResolver({}), from_domains=("example.com",), dkim=(), spf=None, arc=None)
    said = next(f.explanation for f in findings if f.id == "dmarc.no_record")
    assert said.startswith("Neither _dmarc.example.com nor any name on its RFC 9989 tree walk (_dmarc.com) publishes")
    _, findings = check_dmarc(SnapshotResolver({}), from_domains=("com",), dkim=(), spf=None, arc=None)
    said = next(f.explanation for f in findings if f.id == "dmarc.no_record")
    assert said.startswith("_dmarc.com publishes no DMARC policy") and "Neither" not in said
    _, findings = check_dmarc(SnapshotResolver({}), from_domains=("mail.example.com",), dkim=(), spf=None, arc=None)
    said = next(f.explanation for f in findings if f.id == "dmarc.no_record")
    assert said.startswith("Neither _dmarc.mail.example.com nor any name on its RFC 9989 tree walk "
                           "(_dmarc.example.com, _dmarc.com) publishes a DMARC policy")


def test_np_and_sp_differ_and_existence_is_unknown() -> None:
    # A DNS error on the existence query leaves np= or sp= open (verification V34c, case
    # dns_np_servfail): temperror, both policies said, never sp= applied silently.
    # (Every query for the name failing: a snapshot's name without a type is NODATA, an answer.)
    zone: dict[str, Any] = {"_dmarc.example.com": txt("v=DMARC1; p=reject; sp=none; np=reject"),
                            "ghost.example.com": {"A": "SERVFAIL", "TXT": "SERVFAIL", "MX": "SERVFAIL"}}
    result, ids = run(zone, ("ghost.example.com",), spf_result=spf("esp.example"))
    assert (result.result, result.policy, result.disposition) == ("temperror", "reject", None)
    assert "np=reject if ghost.example.com does not exist, sp=none if it does" in result.explanation
    assert "SERVFAIL" in result.policy_reason and "dmarc.temperror" in ids and "dmarc.fail" not in ids
    # An aligned pass needs no policy; the same policy either way needs no existence answer.
    passed, _ = run(zone, ("ghost.example.com",), sigs=(dkim("example.com"),))
    assert passed.result == "pass"
    same = {**zone, "_dmarc.example.com": txt("v=DMARC1; p=reject; sp=none; np=none")}
    result, _ = run(same, ("ghost.example.com",))
    assert (result.result, result.policy) == ("fail", "none") and result.policy_reason.startswith("sp=none")
    # Another answer for the name tells (verification V35a): a TXT record (asked for SPF too) says
    # it exists, an NXDOMAIN says it does not.
    answered = {**zone, "ghost.example.com": {"A": "SERVFAIL", "TXT": [["v=spf1 -all"]]}}
    result, ids = run(answered, ("ghost.example.com",), spf_result=spf("esp.example"))
    assert (result.result, result.policy) == ("fail", "none") and "its TXT query was answered" in result.policy_reason
    # Both possible policies enforcing: the failure is certain and enforced; the stricter is told.
    enforcing = {**zone, "_dmarc.example.com": txt("v=DMARC1; p=reject; sp=quarantine; np=reject")}
    result, ids = run(enforcing, ("ghost.example.com",), spf_result=spf("esp.example"))
    assert (result.result, result.policy) == ("fail", "reject") and "dmarc.fail" in ids
    assert "np=reject if ghost.example.com does not exist, sp=quarantine if it does" in result.policy_reason


def test_np_existence_definitions_nxdomain_and_rfc9091_nodata() -> None:
    # RFC 9989 counts only NXDOMAIN as non-existent (RFC 8020), the older RFC 9091 section 2.1 also a name
    # without A, AAAA and MX: the words say which is applied and what the other gives (V34c
    # np_nodata_only_txt). AAAA and MX are asked only when np= differs from sp=.
    zone: dict[str, Any] = {"_dmarc.example.com": txt("v=DMARC1; p=none; sp=none; np=reject"),
                            "ghost.example.com": {"TXT": [["v=spf1 -all"]]}}
    result, _ = run(zone, ("ghost.example.com",))
    assert (result.result, result.policy) == ("fail", "none")
    assert "exists under RFC 9989" in result.policy_reason and "RFC 9091 section 2.1" in result.policy_reason
    assert "applies np=reject" in result.policy_reason
    with_mx = {**zone, "ghost.example.com": {"TXT": [["v=spf1 -all"]], "MX": ["10 mx.example.com."]}}
    result, _ = run(with_mx, ("ghost.example.com",))
    assert (result.result, result.policy) == ("fail", "none") and "RFC 9091" not in result.policy_reason
    asked: list[tuple[str, str]] = []

    class Counting(SnapshotResolver):
        def resolve(self, name: str, rdtype: str) -> Any:
            asked.append((name, rdtype))
            return super().resolve(name, rdtype)

    check_dmarc(Counting({**zone, "_dmarc.example.com": txt("v=DMARC1; p=none; sp=reject; np=reject")}),
                from_domains=("ghost.example.com",), dkim=(), spf=None, arc=None)
    assert ("ghost.example.com", "MX") not in asked and ("ghost.example.com", "AAAA") not in asked


def test_tree_walk_aligns_identifiers_by_their_own_walks() -> None:
    # RFC 9989 section 4.10.2: psd=n makes dept.bigco.example the author's organisational domain;
    # the SPF domain's own walk gives bigco.example, so DMARC fails with reject where the PSL's
    # bigco.example passes for a receiver still on RFC 7489 (verification V34c, case tw_psdn).
    zone: dict[str, Any] = {"_dmarc.dept.bigco.example": txt("v=DMARC1; p=reject; psd=n; aspf=r"),
                            "_dmarc.bigco.example": txt("v=DMARC1; p=none"),
                            "x.dept.bigco.example": {"A": ["192.0.2.7"]}}
    result, _ = run(zone, ("x.dept.bigco.example",), spf_result=spf("bounce.bigco.example"))
    assert (result.result, result.policy, result.record_domain) == ("fail", "reject", "dept.bigco.example")
    assert result.org_domain == "dept.bigco.example" and result.spf_aligned is False
    assert result.rfc7489 is not None and (result.rfc7489.result, result.rfc7489.org_domain) == ("pass", "bigco.example")
    assert result.tree_walk_note and "decides pass, aligned by SPF" in result.tree_walk_note
    # An identifier inside the walk's organisational domain aligns there too.
    result, _ = run(zone, ("x.dept.bigco.example",), spf_result=spf("bounce.dept.bigco.example"))
    assert result.result == "pass" and result.spf_aligned is True
    # A DKIM d= whose walk fails temporarily leaves its alignment unknown: neither pass nor fail
    # (RFC 9989 section 5.3.6).
    broken = {**zone, "_dmarc.mail.dept.bigco.example": {"TXT": "SERVFAIL"}}
    result, ids = run(broken, ("x.dept.bigco.example",), sigs=(dkim("mail.dept.bigco.example"),))
    assert (result.result, result.dkim_aligned, result.policy) == ("temperror", None, "reject")
    assert "_dmarc.mail.dept.bigco.example failed (SERVFAIL)" in result.explanation and "dmarc.temperror" in ids
    # A d= outside the author's organisational domain needs no walk: it cannot align.
    result, _ = run(broken, ("x.dept.bigco.example",), sigs=(dkim("mail.bigco.example"),))
    assert (result.result, result.dkim_aligned) == ("fail", False)
