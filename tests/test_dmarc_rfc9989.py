"""DMARC by RFC 9989's DNS Tree Walk (sections 4.10, 4.10.1, 4.10.2), with the RFC 7489 reading beside it.

The cases follow RFC 9989's text and appendix B.4, and mailauth v6's rfc9989-compliance tests
(postalsys/mailauth test/dmarc/rfc9989-compliance-test.js), which cite the same sections.
"""

from __future__ import annotations

import itertools
from typing import Any

from test_dmarc import dkim, run, spf, txt

from headerscope.auth.dmarc import _Aligner, _Dns, _walk, check_dmarc, walk_names
from headerscope.auth.recorded import compare
from headerscope.dns.interface import DnsAnswer
from headerscope.dns.offline import OfflineResolver
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import RecordedResult


class Counting(SnapshotResolver):
    """A snapshot that keeps the names asked, in order."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.asked: list[str] = []

    def resolve(self, name: str, rdtype: str) -> DnsAnswer:
        self.asked.append(name)
        return super().resolve(name, rdtype)


def dmarc_queries(resolver: Counting) -> list[str]:
    return [name for name in resolver.asked if name.startswith("_dmarc.")]


def test_walk_names_follow_section_4_10_steps() -> None:
    # Section 4.10's own example, and step 4 for eight and nine labels (mailauth's "shortens an
    # author of exactly eight labels by one label and one of nine labels to seven").
    assert walk_names("a.b.c.d.e.f.g.h.i.j.mail.example.com") == (
        "a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com", "h.i.j.mail.example.com",
        "i.j.mail.example.com", "j.mail.example.com", "mail.example.com", "example.com", "com")
    assert walk_names("a.b.c.d.e.f.example.com")[:2] == ("a.b.c.d.e.f.example.com", "b.c.d.e.f.example.com")
    assert walk_names("x.a.b.c.d.e.f.example.com")[:2] == ("x.a.b.c.d.e.f.example.com", "b.c.d.e.f.example.com")
    for labels in range(1, 40):
        names = walk_names(".".join(f"l{i}" for i in range(labels)))
        assert len(names) <= 8 and names[-1] == f"l{labels - 1}" and len(set(names)) == len(names)


def test_query_limit_on_a_long_name_asks_the_rfc_sequence() -> None:
    # Appendix B.4.2: eight queries for the author, the TLD included; the SPF domain's walk reuses
    # them and the DKIM domain's adds one.
    zone = {"_dmarc.example.com": txt("v=DMARC1; p=reject"), "_dmarc.signing.example.com": txt("v=DMARC1; p=reject")}
    resolver = Counting(zone)
    result, _ = check_dmarc(resolver, from_domains=("a.b.c.d.e.f.g.h.i.j.k.example.com",),
                            dkim=(dkim("signing.example.com"),), spf=spf("example.com"), arc=None)
    asked = dmarc_queries(resolver)
    assert asked[:8] == [f"_dmarc.{name}" for name in walk_names("a.b.c.d.e.f.g.h.i.j.k.example.com")]
    assert asked[-1] == "_dmarc.signing.example.com" and len(set(asked)) == 9
    assert (result.result, result.record_domain, result.org_domain) == ("pass", "example.com", "example.com")
    assert result.dkim_aligned and result.spf_aligned


def test_simple_hierarchy_b41_asks_each_name_once() -> None:
    zone = {"_dmarc.example.com": txt("v=DMARC1; p=reject"), "_dmarc.signing.example.com": txt("v=DMARC1; p=reject")}
    resolver = Counting(zone)
    result, _ = check_dmarc(resolver, from_domains=("example.com",), dkim=(dkim("signing.example.com"),),
                            spf=spf("example.com"), arc=None)
    assert dmarc_queries(resolver) == ["_dmarc.example.com", "_dmarc.com", "_dmarc.signing.example.com"]
    assert (result.result, result.aligned_dkim_domain) == ("pass", "signing.example.com")


def test_a_subdomain_whose_parent_publishes_nothing_is_its_own_organisational_domain() -> None:
    # Section 4.10.2 rule 3 (mailauth v6: "A subdomain whose parent publishes no record is now its own
    # Organizational Domain, so a signature or SPF domain of the parent no longer aligns with it").
    # The Public Suffix List made example.com the organisational domain, and both aligned.
    zone = {"_dmarc.mail.example.com": txt("v=DMARC1; p=reject")}
    result, ids = run(zone, ("mail.example.com",), sigs=(dkim("example.com"),),
                      spf_result=spf("bounce.example.com"))
    assert (result.result, result.org_domain, result.policy, result.disposition) == (
        "fail", "mail.example.com", "reject", "reject")
    assert (result.dkim_aligned, result.spf_aligned) == (False, False) and "dmarc.fail" in ids
    older = result.rfc7489
    assert older is not None and (older.result, older.org_domain, older.dkim_aligned) == ("pass", "example.com", True)
    assert result.tree_walk_note and "organisational domain example.com by the Public Suffix List" in result.tree_walk_note
    assert "decides pass, aligned by DKIM and SPF" in result.tree_walk_note
    # Once the parent publishes, it is the organisational domain again (fewest labels), and both align.
    result, _ = run({**zone, "_dmarc.example.com": txt("v=DMARC1; p=none")}, ("mail.example.com",),
                    sigs=(dkim("example.com"),))
    assert (result.result, result.org_domain, result.record_domain) == ("pass", "example.com", "mail.example.com")
    assert result.tree_walk_note is None


def test_a_public_suffix_list_private_suffix_with_a_record_is_inherited() -> None:
    # blogspot.com is a Public Suffix List suffix (its private section), so RFC 7489 never asks it;
    # the tree walk finds its record, which then applies to and aligns its subdomains (mailauth v6).
    zone = {"_dmarc.blogspot.com": txt("v=DMARC1; p=reject"), "alice.blogspot.com": {"A": ["192.0.2.1"]}}
    result, _ = run(zone, ("alice.blogspot.com",), sigs=(dkim("bob.blogspot.com"),))
    assert (result.result, result.record_domain, result.org_domain) == ("pass", "blogspot.com", "blogspot.com")
    assert result.aligned_dkim_domain == "bob.blogspot.com"
    older = result.rfc7489
    assert older is not None and (older.result, older.record_domain, older.org_domain) == (
        "none", None, "alice.blogspot.com")
    assert result.tree_walk_note and "decides none" in result.tree_walk_note
    failing, _ = run(zone, ("alice.blogspot.com",), sigs=(dkim("evil.example"),))
    assert (failing.result, failing.policy) == ("fail", "reject")


def test_psd_n_and_psd_y_stop_the_walk() -> None:
    # Steps 2 and 6: a single record with psd= stops the walk; names above it are never asked.
    zone = {"_dmarc.dept.example.com": txt("v=DMARC1; p=quarantine; psd=n"),
            "_dmarc.example.com": txt("v=DMARC1; p=none")}
    resolver = Counting(zone)
    result, _ = check_dmarc(resolver, from_domains=("a.dept.example.com",), dkim=(), spf=None, arc=None)
    # (The RFC 7489 reading beside it asks the Public Suffix List's organisational domain.)
    assert dmarc_queries(resolver) == ["_dmarc.a.dept.example.com", "_dmarc.dept.example.com", "_dmarc.example.com"]
    assert (result.org_domain, result.record_domain, result.policy) == ("dept.example.com", "dept.example.com",
                                                                        "quarantine")
    # psd=y at the From: domain itself: it is its own organisational domain (rule 2 excludes the
    # start), and its p= applies.
    zone = {"_dmarc.bank.example": txt("v=DMARC1; p=reject; sp=none; psd=y")}
    result, _ = run(zone, ("bank.example",), sigs=(dkim("other.bank.example"),))
    assert (result.result, result.org_domain, result.policy) == ("fail", "bank.example", "reject")


def test_appendix_b43_psd_example() -> None:
    zone = {"_dmarc.bank.example": txt("v=DMARC1; p=reject; psd=y"),
            "_dmarc.giant.bank.example": txt("v=DMARC1; p=quarantine")}
    result, _ = run(zone, ("giant.bank.example",), sigs=(dkim("mail.mega.bank.example"),),
                    spf_result=spf("mail.giant.bank.example"))
    assert (result.result, result.org_domain, result.record_domain) == ("pass", "giant.bank.example",
                                                                        "giant.bank.example")
    assert (result.dkim_aligned, result.spf_aligned) == (False, True)


def test_a_dns_failure_mid_walk() -> None:
    # Section 4.10.1 leaves DNS errors to the receiver; section 5.3.6: the message "cannot be
    # considered to pass or fail the DMARC mechanism check".
    zone: dict[str, Any] = {"_dmarc.example.com": {"TXT": "SERVFAIL"}, "_dmarc.com": txt("v=DMARC1; p=reject; psd=y")}
    result, ids = run(zone, ("mail.example.com",), sigs=(dkim("example.com"),))
    assert (result.result, result.record_domain, result.org_domain) == ("temperror", None, None)
    assert "_dmarc.example.com failed (SERVFAIL)" in result.explanation and "dmarc.temperror" in ids
    # The From: domain's own record is the policy; the walk above it fails, so its organisational
    # domain, and a parent's signature's alignment, are unknown; the very domain still aligns.
    zone["_dmarc.mail.example.com"] = txt("v=DMARC1; p=reject")
    result, _ = run(zone, ("mail.example.com",), sigs=(dkim("example.com"),))
    assert (result.result, result.policy, result.dkim_aligned) == ("temperror", "reject", None)
    result, _ = run(zone, ("mail.example.com",), sigs=(dkim("mail.example.com"),))
    assert (result.result, result.dkim_aligned) == ("pass", True)
    # ... and a domain in another TLD is known not to align.
    result, _ = run(zone, ("mail.example.com",), sigs=(dkim("esp.example.net"),))
    assert (result.result, result.dkim_aligned) == ("fail", False)
    # psd=n at the From: domain stops the walk before the failing name: nothing is unknown.
    zone["_dmarc.mail.example.com"] = txt("v=DMARC1; p=reject; psd=n")
    result, _ = run(zone, ("mail.example.com",), sigs=(dkim("example.com"),))
    assert (result.result, result.org_domain) == ("fail", "mail.example.com")


def test_offline_says_nothing_was_asked_and_invents_no_organisational_domain() -> None:
    result, _ = check_dmarc(OfflineResolver(), from_domains=("mail.example.com",), dkim=(dkim("example.com"),),
                            spf=None, arc=None)
    assert (result.result, result.org_domain, result.tree_walk_note) == ("not_checked", None, None)
    assert result.rfc7489 is not None and (result.rfc7489.result, result.rfc7489.org_domain) == (
        "not_checked", "example.com")


def test_unknown_tags_ignored_p_anywhere_and_removed_tags() -> None:
    # Section 4.7: "unknown tags MUST be ignored"; only v= must come first. pct=, rf= and ri= are
    # RFC 7489's (appendix C.5.2 removed them).
    result, ids = run({"_dmarc.example.com": txt("v=DMARC1; rua=mailto:d@example.com; xnew=1; rf=afrf; ri=3600; "
                                                 "pct=20; p=reject")})
    assert (result.result, result.policy, result.disposition) == ("fail", "reject", "reject")
    assert result.record is not None and result.record.removed_tags == ("rf", "ri", "pct")
    assert "dmarc.invalid_record" not in ids and "dmarc.partial_pct" in ids
    assert result.rfc7489 is not None and result.rfc7489.disposition == "reject"  # 20% of the time: reject
    # An invalid np= is as an invalid sp= (section 4.10.1): without rua= no DMARC, with it p=none.
    bad_np, ids = run({"_dmarc.example.com": txt("v=DMARC1; p=reject; np=rejct")})
    assert (bad_np.result, bad_np.policy) == ("none", None) and "dmarc.invalid_record" in ids
    assert bad_np.rfc7489 is not None and bad_np.rfc7489.result == "fail"  # np= is no RFC 7489 tag
    with_rua, _ = run({"_dmarc.example.com": txt("v=DMARC1; p=reject; np=rejct; rua=mailto:d@example.com")})
    assert (with_rua.result, with_rua.policy) == ("fail", "none")


def test_recorded_result_that_follows_the_older_rules() -> None:
    zone = {"_dmarc.mail.example.com": txt("v=DMARC1; p=reject")}
    ours, _ = run(zone, ("mail.example.com",), sigs=(dkim("example.com"),))
    rec = RecordedResult(header="Authentication-Results", header_index=0, authserv_id="mx.receiver.example",
                         method="dmarc", result="pass", reason=None,
                         properties=(("header.from", "mail.example.com"),), trusted=True)
    comparisons, findings = compare((rec,), dkim=(dkim("example.com"),), spf=None, dmarc=ours, arc=None)
    [row] = [c for c in comparisons if c.method == "dmarc"]
    assert (row.recorded, row.recomputed, row.label) == ("pass", "fail", "older_rules")
    assert "follows the older rules, not a change in DNS" in row.explanation
    assert "recorded.older_rules" in {f.id for f in findings}
    # A recorded pass that neither reading gives is not the older rules.
    other, _ = run(zone, ("mail.example.com",), sigs=(dkim("esp.example.net"),))
    comparisons, _ = compare((rec,), dkim=(dkim("esp.example.net"),), spf=None, dmarc=other, arc=None)
    assert [c.label for c in comparisons if c.method == "dmarc"] != ["older_rules"]


def test_relaxed_alignment_shortcut_equals_both_walks() -> None:
    # _Aligner asks no walk for an identifier outside the From: domain's organisational domain: an
    # organisational domain is always the name or one of its parents. Compared with the plain rule,
    # both names walked (section 4.10.2), over zones that hit psd=y, psd=n, several records, deep
    # names and failures.
    names = ["example.com", "mail.example.com", "a.mail.example.com", "b.example.com", "x.b.example.com",
             "other.com", "sub.other.com", "example.net", "a.b.c.d.e.f.g.h.example.com", "com"]
    records = [None, "v=DMARC1; p=none", "v=DMARC1; p=reject; psd=n", "v=DMARC1; p=reject; psd=y", "SEVERAL",
               "SERVFAIL"]
    zones = []
    for choice in itertools.product(range(len(records)), repeat=4):
        zone: dict[str, Any] = {}
        for name, index in zip(("com", "example.com", "mail.example.com", "b.example.com"), choice, strict=True):
            value = records[index]
            if value == "SEVERAL":
                zone[f"_dmarc.{name}"] = {"TXT": [["v=DMARC1; p=none"], ["v=DMARC1; p=reject"]]}
            elif value == "SERVFAIL":
                zone[f"_dmarc.{name}"] = {"TXT": "SERVFAIL"}
            elif value is not None:
                zone[f"_dmarc.{name}"] = txt(value)
        zones.append(zone)
    for zone in zones[::7]:
        for from_domain in names:
            dns = _Dns(SnapshotResolver(zone))
            author = _walk(dns, from_domain)
            aligner = _Aligner(dns, from_domain, author)
            for identity in names:
                got = aligner(identity, False)
                if identity == from_domain:
                    assert got is True
                    continue
                theirs = _walk(_Dns(SnapshotResolver(zone)), identity).org
                plain = None if author.org is None or theirs is None else author.org == theirs
                if author.org is None:
                    # Without the author's walk only the top-level-domain rule is known.
                    tld_only = (identity.count(".") == 0 or from_domain.count(".") == 0
                                or identity.rsplit(".", 2)[-2:] != from_domain.rsplit(".", 2)[-2:])
                    assert got is (False if tld_only else None), (zone, from_domain, identity)
                elif plain is None:
                    assert got is None or got is False, (zone, from_domain, identity)
                else:
                    assert got is plain, (zone, from_domain, identity, got, plain)


def test_a_pass_by_the_older_rules_is_no_forgery_sign_unless_a_psd_drew_the_line() -> None:
    # The domain's own mail (DKIM by the parent, which publishes no record) fails only by RFC 9989's
    # walk: dmarc.fail is a warning that says RFC 7489's receivers pass it and how to make both pass,
    # and the verdict reads authenticated by those rules, never "spoofed" for that alone.
    from headerscope.auth.dmarc import OLDER_RULES_PASS
    from headerscope.model import Severity
    from headerscope.verdict import decide

    zone = {"_dmarc.mail.example.com": txt("v=DMARC1; p=reject")}
    sigs = (dkim("example.com"),)
    resolver = SnapshotResolver(zone)
    result, findings = check_dmarc(resolver, from_domains=("mail.example.com",), dkim=sigs, spf=None, arc=None)
    [fail] = [f for f in findings if f.id == "dmarc.fail"]
    assert fail.severity is Severity.WARNING and fail.title.endswith(OLDER_RULES_PASS)
    assert "a DMARC record at example.com (when that is one organisation)" in fail.explanation
    verdict = decide(from_domains=("mail.example.com",), dkim=sigs, spf=None, dmarc=result, arc=None,
                             comparison=(), findings=tuple(findings), checked=True)
    assert verdict.status == "authenticated" and "by RFC 7489's rules" in verdict.summary, verdict.summary
    # Where a public suffix operator's psd=y record draws the line, the Public Suffix List's wider
    # organisation joins two registrants: RFC 9989's fail stands, a danger, and the verdict is spoofed.
    gov = {"_dmarc.gov.example": txt("v=DMARC1; p=reject; psd=y")}
    result, findings = check_dmarc(SnapshotResolver(gov), from_domains=("victim.gov.example",),
                                   dkim=(dkim("attacker.gov.example"),), spf=None, arc=None)
    older = result.rfc7489
    assert result.result == "fail" and older is not None
    [fail] = [f for f in findings if f.id == "dmarc.fail"]
    assert not fail.title.endswith(OLDER_RULES_PASS)
    # (gov.example is no Public Suffix List entry: RFC 7489 joins the two registrants and passes.)
    assert older.result == "pass" and fail.severity is Severity.DANGER
    verdict = decide(from_domains=("victim.gov.example",), dkim=(dkim("attacker.gov.example"),), spf=None,
                             dmarc=result, arc=None, comparison=(), findings=tuple(findings), checked=True)
    assert verdict.status == "spoofed", verdict.summary


def test_an_unverified_signatures_reason_is_said_once() -> None:
    # Verification V38b (a real nvidia.com patch through vger): with the aligned signature's key
    # lookup timing out and SPF passing for the list, the explanation (and the headline that shows it)
    # gave the key lookup's failure twice in one sentence.
    from headerscope.model import DkimSignatureResult

    zone = {"_dmarc.nvidia.example": txt("v=DMARC1; p=reject")}
    unknown = dkim("nvidia.example")
    unknown = DkimSignatureResult(**{**unknown.__dict__, "result": "temperror", "reason_code": "temperror",
                                     "reason": "key lookup for s1._domainkey.nvidia.example failed: TIMEOUT"})
    result, _ = check_dmarc(SnapshotResolver(zone), from_domains=("nvidia.example",), dkim=(unknown,),
                            spf=spf("vger.kernel.example"), arc=None)
    assert result.result == "temperror"
    assert result.explanation.count("could not be verified") == 1, result.explanation
    assert "so whether DMARC would pass is unknown" in result.explanation


def _fail_and_verdict(zone: dict[str, Any], from_domain: str, signer: str) -> tuple[Any, str, str]:
    from headerscope.verdict import decide

    sigs = (dkim(signer),)
    result, findings = check_dmarc(SnapshotResolver(zone), from_domains=(from_domain,), dkim=sigs, spf=None, arc=None)
    verdict = decide(from_domains=(from_domain,), dkim=sigs, spf=None, dmarc=result, arc=None, comparison=(),
                     findings=tuple(findings), checked=True)
    fail = next((f for f in findings if f.id == "dmarc.fail"), None)
    return fail, verdict.status, verdict.summary


def test_the_older_rules_soften_only_the_names_own_parent_and_no_psd_line() -> None:
    # Verification V39c: a sibling's signature (attacker.hoster.example for victim.hoster.example,
    # hoster.example in no Public Suffix List entry) read "Authenticated ... by RFC 7489's rules",
    # and so did three psd= shapes the first rule missed: psd=y at the walk's own start (the
    # operator's domain itself), psd=n below psd=y, psd=y below the list's organisational domain.
    from headerscope.model import Severity

    forged = [
        ({"_dmarc.victim.hoster.example": txt("v=DMARC1; p=reject")}, "victim.hoster.example"),
        ({"_dmarc.hoster.example": txt("v=DMARC1; p=reject; psd=y")}, "hoster.example"),
        ({"_dmarc.victim.hoster.example": txt("v=DMARC1; p=reject; psd=n"),
          "_dmarc.hoster.example": txt("v=DMARC1; p=reject; psd=y")}, "victim.hoster.example"),
        ({"_dmarc.victim.customers.hoster.example": txt("v=DMARC1; p=reject; psd=n"),
          "_dmarc.customers.hoster.example": txt("v=DMARC1; p=reject; psd=y")}, "victim.customers.hoster.example"),
    ]
    for zone, author in forged:
        fail, status, summary = _fail_and_verdict(zone, author, "attacker.hoster.example")
        assert fail is not None and fail.severity is Severity.DANGER, author
        assert status == "spoofed", (author, summary)
    # The parent's own signature for a subdomain that publishes its own record stays softened.
    fail, status, summary = _fail_and_verdict({"_dmarc.news.hoster.example": txt("v=DMARC1; p=reject")},
                                              "news.hoster.example", "hoster.example")
    assert fail is not None and fail.severity is Severity.WARNING and status == "authenticated"
    assert "DKIM by hoster.example aligns" in summary


def test_a_pass_only_by_joining_a_sibling_under_a_listed_public_suffix_is_suspicious() -> None:
    # Verification V39c: under blogspot.com (a Public Suffix List private suffix whose record has no
    # psd=y), RFC 9989's walk aligns attacker.blogspot.com with victim.blogspot.com; by RFC 7489's
    # rules they are two registrants and DMARC fails. It read "Authenticated" (before: "Spoofed").
    zone = {"_dmarc.blogspot.com": txt("v=DMARC1; p=none"), "_dmarc.victim.blogspot.com": txt("v=DMARC1; p=reject")}
    fail, status, summary = _fail_and_verdict(zone, "victim.blogspot.com", "attacker.blogspot.com")
    assert fail is None and status == "suspicious", summary
    assert "only by RFC 9989's DNS tree walk, through DKIM by attacker.blogspot.com" in summary
    # blogspot.com signing for its own subdomain is its owner's word: authenticated.
    _, status, _ = _fail_and_verdict(zone, "victim.blogspot.com", "blogspot.com")
    assert status == "authenticated"
