"""The one-line verdict: status and the sentence a support engineer pastes."""

from __future__ import annotations

from pathlib import Path

from test_recorded import dmarc_result, sig, spf_result

from headerscope._value import replace
from headerscope.model import (
    ArcInstance,
    ArcResult,
    Comparison,
    DkimSignatureResult,
    DmarcResult,
    Finding,
    Severity,
    SpfResult,
    Verdict,
)


def verdict(*, from_domains: tuple[str, ...] = ("example.com",), dkim: tuple[DkimSignatureResult, ...] = (),
            spf: SpfResult | None = None, dmarc: DmarcResult | None = None, arc: ArcResult | None = None,
            comparison: tuple[Comparison, ...] = (), findings: tuple[Finding, ...] = (),
            checked: bool = True) -> Verdict:
    from headerscope.verdict import decide

    return decide(from_domains=from_domains, dkim=dkim, spf=spf, dmarc=dmarc, arc=arc,
                  comparison=comparison, findings=findings, checked=checked)


PASSING_DKIM = sig("example.com", "s1", 5)
DMARC_PASS_DKIM = dmarc_result("pass", dkim_aligned=True, aligned_domain="example.com")


def test_authenticated_by_aligned_dkim() -> None:
    v = verdict(dkim=(PASSING_DKIM,), spf=spf_result("pass"), dmarc=DMARC_PASS_DKIM)
    assert v.status == "authenticated" and v.authenticated_domain == "example.com"
    assert v.summary == ("Authenticated as example.com: DKIM signature by example.com passes and aligns "
                         "with From (DMARC pass).")


def test_authenticated_by_relaxed_alignment_names_both_domains() -> None:
    signer = sig("mail.example.com", "s1", 5)
    v = verdict(dkim=(signer,), dmarc=dmarc_result("pass", dkim_aligned=True, aligned_domain="mail.example.com"))
    assert v.summary == ("Authenticated as example.com: DKIM signature by mail.example.com passes and aligns "
                         "with From (example.com) (DMARC pass).")


def test_dmarc_pass_via_spf_only_says_it_is_fragile() -> None:
    v = verdict(dkim=(sig("esp.example", "k", 5, aligned=False),), spf=spf_result("pass"),
                dmarc=dmarc_result("pass", spf_aligned=True))
    assert v.status == "authenticated"
    assert v.summary.startswith("Authenticated as example.com: SPF passes for example.com from 192.0.2.10 "
                                "and aligns with From; no aligned DKIM signature passes")
    assert v.summary.endswith("(DMARC pass).")


def test_dmarc_pass_via_spf_with_an_aligned_signature_unchecked_for_want_of_a_body() -> None:
    # A headers-only paste: the aligned signature's headers verify; only the body is missing,
    # so "no aligned DKIM signature passes, a forward would break it" would be wrong.
    unchecked = sig("example.com", "s1", 5, result="neutral", code="no_body",
                    reason="the signed headers verify, but the input has no body")
    v = verdict(dkim=(unchecked,), spf=spf_result("pass"), dmarc=dmarc_result("pass", spf_aligned=True))
    assert v.summary == ("Authenticated as example.com: SPF passes for example.com from 192.0.2.10 and aligns with "
                         "From; the aligned DKIM signature by example.com could not be checked whole: the signed "
                         "headers verify, but the input has no body (DMARC pass).")


def test_spoofed_under_reject() -> None:
    v = verdict(from_domains=("paypal.com",), dkim=(sig("evil.test", "x", 5, aligned=False),),
                spf=spf_result("pass", domain="evil.test", aligned=False),
                dmarc=dmarc_result("fail", domain="paypal.com", p="reject"))
    assert v.status == "spoofed" and v.authenticated_domain is None
    assert v.summary == ("Spoofed: From claims paypal.com, but no aligned DKIM or SPF passes and paypal.com "
                         "publishes p=reject; DKIM passes only for evil.test and SPF passes only for evil.test.")


def test_with_two_from_domains_the_line_speaks_of_the_one_dmarc_reports() -> None:
    # RFC 7489 section 6.6.1: the strictest failing domain decides (review AC 30): "From claims
    # a.example ... and other.example publishes p=quarantine" named one domain's claim and the other's policy.
    failing = dmarc_result("fail", domain="other.example", p="quarantine")
    v = verdict(from_domains=("plusall.example", "other.example"), spf=spf_result("pass", domain="plusall.example"),
                dmarc=failing)
    assert v.summary.startswith("Spoofed: From claims other.example,") and "other.example publishes" in v.summary


def test_p_none_failure_is_unauthenticated_not_spoofed() -> None:
    v = verdict(spf=spf_result("softfail"), dmarc=dmarc_result("fail", p="none"))
    assert v.status == "unauthenticated"
    assert v.summary == ("Unauthenticated: From claims example.com, but no aligned DKIM or SPF passes; "
                         "example.com publishes p=none, so receivers deliver it anyway.")


def test_no_dmarc_record_and_nothing_aligned() -> None:
    v = verdict(dkim=(sig("esp.example", "k", 5, aligned=False),), dmarc=dmarc_result("none", p=None))
    assert v.status == "unauthenticated"
    assert v.summary == ("Unauthenticated: example.com publishes no DMARC policy and no DKIM or SPF identity "
                         "aligned with From passes; DKIM passes only for esp.example.")


def test_no_dmarc_record_but_aligned_dkim_still_authenticates() -> None:
    v = verdict(dkim=(PASSING_DKIM,), dmarc=dmarc_result("none", p=None))
    assert v.status == "authenticated"
    assert v.summary.endswith("(example.com publishes no DMARC policy).")


def test_offline() -> None:
    v = verdict(checked=False, dmarc=dmarc_result("not_checked"))
    assert v.status == "not_checked"
    assert v.summary.startswith("Could not check: offline")


def test_offline_mentions_what_the_receiver_recorded() -> None:
    recorded = Comparison(method="dmarc", subject="example.com", recorded="pass", recomputed="not_checked",
                          label="not_recomputed", explanation="offline", recorded_by="mx.google.com")
    v = verdict(checked=False, comparison=(recorded,))
    assert v.summary.endswith("The receiving side (mx.google.com) recorded DMARC pass for example.com at delivery.")


def test_no_from_domain() -> None:
    v = verdict(from_domains=(), dkim=(sig("esp.example", "k", 5, aligned=None),))
    assert v.status == "unauthenticated"
    assert "no From: domain" in v.summary and "esp.example" in v.summary


def test_multiple_from_domains_are_suspicious_even_when_one_passes() -> None:
    v = verdict(from_domains=("example.com", "paypal.com"), dkim=(PASSING_DKIM,), dmarc=DMARC_PASS_DKIM)
    assert v.status == "suspicious"
    assert v.summary.startswith("Suspicious: From: names 2 domains (example.com, paypal.com)")


def test_dmarc_temperror() -> None:
    # A failed policy lookup leaves no record (as dmarc.py reports it).
    v = verdict(dmarc=dmarc_result("temperror", p=None))
    assert v.status == "not_checked" and "failed temporarily" in v.summary
    v = verdict(dkim=(PASSING_DKIM,), dmarc=dmarc_result("temperror"))
    assert v.status == "authenticated"
    assert v.summary.endswith("(the DMARC record lookup failed temporarily).")


def test_headers_only_input_cannot_verify_dkim() -> None:
    no_body = sig("example.com", "s1", 5, result="permerror", code="no_body", reason="no body to hash")
    v = verdict(dkim=(no_body,), dmarc=dmarc_result("fail"))
    assert v.status == "not_checked"
    assert v.summary.startswith("Could not check: the DKIM signature by example.com could not be verified "
                                "(no body to hash)")


def test_danger_finding_makes_a_pass_suspicious() -> None:
    danger = Finding(id="hops.forged", severity=Severity.DANGER, title="Received chain looks forged",
                     explanation="...")
    v = verdict(dkim=(PASSING_DKIM,), dmarc=DMARC_PASS_DKIM, findings=(danger,))
    assert v.status == "suspicious"
    assert v.summary.endswith("but: Received chain looks forged.")


def test_only_claims_of_pass_are_suspicious() -> None:
    claim = Finding(id="recorded.untrusted_claim", severity=Severity.WARNING, title="forged", explanation="")
    v = verdict(dmarc=dmarc_result("fail", p="none"), findings=(claim,))
    assert v.status == "suspicious" and "possibly forged" in v.summary


def test_authenticated_at_delivery_despite_key_rotation() -> None:
    rotated = sig("example.com", "s1", 5, result="fail", code="key_not_found", reason="key not published")
    drift = Comparison(method="dmarc", subject="example.com", recorded="pass", recomputed="fail",
                       label="dns_drift", explanation="key rotated", recorded_by="mx.google.com")
    v = verdict(dkim=(rotated,), dmarc=dmarc_result("fail"), comparison=(drift,))
    assert v.status == "authenticated" and v.authenticated_domain == "example.com"
    assert v.summary.startswith("Authenticated as example.com at delivery: the receiving side "
                                "(mx.google.com) recorded a pass")


def _strict_subdomain_signature_rotated_out() -> tuple[DkimSignatureResult, Comparison, Comparison]:
    """A Mailgun-style signature of mg.example.com under example.com's adkim=s, its key rotated out
    since delivery, beside the receiver's own record: dkim=pass for it, dmarc=fail (V46a D1)."""
    rotated = replace(sig("mg.example.com", "smtp", 5, result="fail", code="key_not_found", reason="no key"),
                      aligned=True, aligned_strict=False, alignment_mode="strict")
    recorded_dkim = Comparison(method="dkim", subject="mg.example.com/smtp", recorded="pass", recomputed="fail",
                               label="dns_drift", explanation="key rotated", recorded_by="mx.google.com",
                               recorded_header_index=2)
    recorded_dmarc = Comparison(method="dmarc", subject="example.com", recorded="fail", recomputed="fail",
                                label="same", explanation="", recorded_by="mx.google.com", recorded_header_index=2)
    return rotated, recorded_dkim, recorded_dmarc


def test_a_subdomain_signature_under_strict_alignment_was_no_pass_at_delivery() -> None:
    # adkim=s: mg.example.com never aligned with example.com (RFC 7489 section 3.1.1), so the
    # receiver's dkim=pass for it is no aligned pass at delivery, whatever DNS says now.
    rotated, recorded_dkim, _ = _strict_subdomain_signature_rotated_out()
    v = verdict(dkim=(rotated,), dmarc=dmarc_result("fail"), comparison=(recorded_dkim,))
    assert v.status != "authenticated" and "at delivery" not in v.summary, v.summary


def test_a_dkim_pass_beside_the_same_receivers_dmarc_fail_is_no_pass_at_delivery() -> None:
    # Relaxed alignment as read here, but the receiver that recorded the dkim=pass judged DMARC
    # failed in the same field: it did not take that pass as aligned.
    rotated, recorded_dkim, recorded_dmarc = _strict_subdomain_signature_rotated_out()
    relaxed = replace(rotated, alignment_mode="relaxed")
    v = verdict(dkim=(relaxed,), dmarc=dmarc_result("fail"), comparison=(recorded_dkim, recorded_dmarc))
    assert v.status != "authenticated" and "at delivery: the receiving side" not in v.summary, v.summary
    # Without the receiver's DMARC fail, the same relaxed pass is the delivery pass it was.
    v = verdict(dkim=(relaxed,), dmarc=dmarc_result("fail"), comparison=(recorded_dkim,))
    assert v.status == "authenticated" and "at delivery" in v.summary, v.summary


def test_a_pass_now_with_no_policy_says_the_receivers_dmarc_fail_at_delivery() -> None:
    # The DMARC record was removed since delivery: authenticated by today's DNS, but the line says
    # the receiver failed it under the record of that time.
    passing = replace(sig("mg.example.com", "smtp", 5), aligned=True, aligned_strict=False)
    _, _, recorded_dmarc = _strict_subdomain_signature_rotated_out()
    v = verdict(dkim=(passing,), dmarc=dmarc_result("none", p=None, dkim_aligned=True,
                                                    aligned_domain="mg.example.com"),
                comparison=(recorded_dmarc,))
    assert v.status == "authenticated"
    assert v.summary.endswith("The receiving side (mx.google.com) recorded DMARC fail for example.com at delivery."), \
        v.summary


def test_modified_after_delivery_is_suspicious() -> None:
    changed = sig("example.com", "s1", 5, result="fail", code="body_hash_mismatch", reason="body changed")
    modified = Comparison(method="dmarc", subject="example.com", recorded="pass", recomputed="fail",
                          label="modified_after_delivery", explanation="the body changed.",
                          recorded_by="mx.example.net")
    v = verdict(dkim=(changed,), dmarc=dmarc_result("fail"), comparison=(modified,))
    assert v.status == "suspicious" and "modified since" in v.summary


def test_arc_vouches_for_a_list_message() -> None:
    arc = ArcResult(result="pass", reason="ok", instances=(
        ArcInstance(instance=1, domain="lists.example.org", selector="arc", cv="none", seal_result="pass",
                    signature_result="pass", authentication_results="lists.example.org; dmarc=pass header.from=example.com"),))
    dmarc = DmarcResult(**{**dmarc_result("fail").__dict__, "arc_override": "dmarc=pass at i=1",
                           "arc_sealers": ("lists.example.org",), "arc_vouched": True})
    v = verdict(dmarc=dmarc, arc=arc)
    # No receiver recorded acting on the chain, and anyone can seal one (RFC 8617 section 7.2;
    # V38e): the verdict is what it is without it, and says what the chain claims.
    assert v.status == "spoofed" and "A valid ARC chain sealed by lists.example.org claims DMARC passed" in v.summary


def test_a_valid_chain_vouches_only_through_an_intermediary_that_saw_dmarc_pass() -> None:
    # RFC 8617 section 7.2: a chain the receiving side alone sealed (Gmail seals every incoming
    # message as i=1 after its own verdict), or whose oldest intermediary did not record
    # dmarc=pass, vouches for nothing: the domain's reject policy decides.
    from dataclasses import replace

    own = ArcResult(result="pass", reason="ok", instances=(
        ArcInstance(1, "google.com", "arc-20240605", "none", "pass", "pass",
                    "i=1; mx.google.com; spf=fail smtp.mailfrom=bank.example; dmarc=fail header.from=bank.example"),))
    receiver_only = replace(dmarc_result("fail"), arc_override="The ARC chain validates, but its only sealer is "
                                                                "the receiving side (google.com)")
    v = verdict(spf=spf_result("fail"), dmarc=receiver_only, arc=own)
    assert v.status == "spoofed", v.summary
    assert "google.com" not in v.summary and "vouch" not in v.summary
    no_pass = replace(receiver_only, arc_override="did not record dmarc=pass", arc_sealers=("fwd.example",))
    assert verdict(spf=spf_result("fail"), dmarc=no_pass, arc=own).status == "spoofed"


def test_recorded_note_names_the_domain_the_receiver_judged() -> None:
    # Gmail's "dmarc=pass ... header.from=acba.am" for a From: of inf.acba.am (review AJ, D4), and
    # an edited copy whose From: is another domain than the one judged (review AK, item 2).
    org = Comparison(method="dmarc", subject="inf.acba.am", recorded="pass", recomputed="not_checked",
                     label="not_recomputed", explanation="x", recorded_by="mx.google.com", recorded_domain="acba.am")
    v = verdict(dmarc=dmarc_result("not_checked"), comparison=(org,))
    assert v.summary.endswith("recorded DMARC pass for acba.am (the organisational domain of inf.acba.am) at delivery.")
    edited = Comparison(method="dmarc", subject="secret.com", recorded="none", recomputed="not_checked",
                        label="from_changed", explanation="x", recorded_by="mx.example.net", recorded_domain="ul.com")
    failed = Comparison(method="spf", subject="secret.com", recorded="fail", recomputed="not_checked",
                        label="not_recomputed", explanation="x", recorded_by="mx.example.net")
    v = verdict(dmarc=dmarc_result("not_checked"), comparison=(failed, edited))
    # Another organisation's domain is not named on the line (a look-alike field could lend the
    # message a brand's name); the comparison table names it.
    assert "DMARC none for another From: domain than the one shown now (secret.com)" in v.summary
    assert "DMARC none for secret.com" not in v.summary and "ul.com" not in v.summary


def test_recorded_note_without_authserv_id_is_not_doubled() -> None:
    noted = Comparison(method="dmarc", subject="example.com", recorded="pass", recomputed="not_checked",
                       label="not_recomputed", explanation="x", recorded_by=None)
    v = verdict(dmarc=dmarc_result("not_checked"), comparison=(noted,))
    assert v.summary.endswith(" The receiving side recorded DMARC pass for example.com at delivery.")
    assert "(the receiving side)" not in v.summary


def _with_pct(pct: int, disposition: str, policy: str = "reject") -> DmarcResult:
    from dataclasses import replace

    base = dmarc_result("fail", p=policy)
    assert base.record is not None
    return replace(base, record=replace(base.record, pct=pct), disposition=disposition)


def test_pct_wording_and_verdict_follow_the_effective_disposition() -> None:
    # RFC 7489 section 6.6.4: pct=0 applies the policy to no message (the next lower one instead), for
    # receivers still on RFC 7489 (RFC 9989 removed pct=, appendix A.6).
    v = verdict(spf=spf_result("fail"), dmarc=_with_pct(0, "quarantine"))
    assert v.status == "spoofed"
    assert ("with pct=0 (no RFC 9989 tag: receivers still on RFC 7489 apply it to no message and use quarantine "
            "instead)") in v.summary
    v = verdict(spf=spf_result("fail"), dmarc=_with_pct(50, "reject"))
    assert "still on RFC 7489 applies reject to 50% of failing messages and quarantine to the rest" in v.summary
    # sp=quarantine with pct=0 leaves disposition none: receivers deliver it, as for p=none.
    v = verdict(spf=spf_result("fail"), dmarc=_with_pct(0, "none", policy="quarantine"))
    assert v.status == "unauthenticated", v.summary
    # One "so" per sentence: the pct note is parenthesised before "so receivers deliver it anyway".
    assert "apply it to no message and use none instead), so receivers deliver it anyway" \
        in v.summary and v.summary.count(" so ") == 1, v.summary


def test_unknown_dmarc_is_could_not_check_never_spoofed() -> None:
    unknown = replace_explanation(dmarc_result("not_checked"),
                                  "not_checked: no DKIM signature; SPF was not checked; SPF was not evaluated, "
                                  "so whether DMARC would pass is unknown")
    v = verdict(spf=None, dmarc=unknown)
    assert v.status == "not_checked" and v.summary.startswith("Could not check: no DKIM signature")


def replace_explanation(result: DmarcResult, text: str) -> DmarcResult:
    from dataclasses import replace

    return replace(result, explanation=text, disposition=None)


def test_arc_sealers_to_trust_exclude_the_receivers_own_seal() -> None:
    arc = ArcResult(result="pass", reason="ok", instances=(
        ArcInstance(1, "lists.example.org", "a", "none", "pass", "pass", "lists.example.org; dmarc=pass"),
        ArcInstance(2, "example.net", "a", "pass", "pass", "pass", "mx1.example.net; dmarc=fail"),))
    dmarc = replace_explanation(dmarc_result("fail", p="quarantine"), "fail")
    from dataclasses import replace

    # (check_dmarc leaves out the receiving side's own set, example.net: see test_dmarc.py.)
    dmarc = replace(dmarc, arc_override="may override", disposition="quarantine", arc_sealers=("lists.example.org",),
                    arc_vouched=True)
    recorded = Comparison(method="dmarc", subject="example.com", recorded="fail", recomputed="fail", label="same",
                          explanation="mx1.example.net recorded dmarc=fail; it is fail now too.",
                          recorded_by="mx1.example.net")
    v = verdict(arc=arc, dmarc=dmarc, comparison=(recorded,))
    assert v.status == "spoofed" and "lists.example.org" in v.summary and "example.net" not in \
        v.summary.replace("lists.example.org", "")
    overridden = replace(recorded, explanation=recorded.explanation + " It recorded an ARC override (arc "
                                                                     "override: lists.example.org).")
    v = verdict(arc=arc, dmarc=dmarc, comparison=(overridden,))
    # The receiving side decided on the chain's word itself: a list's copy, vouched for, not
    # suspicious (without that recorded decision, above, anyone's valid seal proves nothing).
    assert v.status == "vouched", v.summary
    assert v.summary.startswith("Vouched for by ARC: DMARC fails for example.com because lists.example.org")
    assert "(mx1.example.net) recorded an ARC override" in v.summary


def test_record_that_does_not_apply_is_not_called_no_policy() -> None:
    # RFC 7489 section 6.6.3 step 5: a record without a valid p= (and no rua=) is not applied.
    from dataclasses import replace

    inapplicable = replace(dmarc_result("none", p="invalid"), policy=None, disposition=None,
                           policy_reason="record has no valid p=")
    v = verdict(dmarc=inapplicable)
    assert v.status == "unauthenticated"
    assert v.summary.startswith("Unauthenticated: example.com's DMARC record does not apply (record has no "
                                "valid p=)"), v.summary
    assert "publishes no DMARC policy" not in v.summary


def test_mail_handed_over_inside_the_receiving_organisation_is_not_spoofed() -> None:
    # A bounce or alert the organisation's own servers wrote: every hop inside it, SPF's client
    # a private address. SPF and DMARC, which judge mail from the internet, do not apply.
    import dataclasses

    internal = Finding(id="hops.internal_only", severity=Severity.INFO, title="Every hop is inside",
                       explanation="x")
    spf = dataclasses.replace(spf_result("fail"), client_ip="10.20.0.6")
    dmarc = dmarc_result("fail", p="reject")
    v = verdict(spf=spf, dmarc=dmarc, findings=(internal,))
    assert v.status == "unauthenticated"
    assert v.summary.startswith("Unauthenticated, sent inside the receiving organisation: every hop is inside it "
                                "and the message was handed over on its private network (10.20.0.6)")
    # From the internet (a public client), or not every hop inside: the policy applies.
    assert verdict(spf=dataclasses.replace(spf, client_ip="192.0.2.10"), dmarc=dmarc,
                   findings=(internal,)).status == "spoofed"
    assert verdict(spf=spf, dmarc=dmarc).status == "spoofed"
    # A copy that stops before the message left the sender's organisation (an archive): the same
    # rule, said of the copy, not of the message's delivery.
    cut = Finding(id="hops.delivery_missing", severity=Severity.NOTICE, title="The copy ends", explanation="x")
    v = verdict(spf=spf, dmarc=dmarc, findings=(cut,))
    assert v.status == "unauthenticated"
    assert v.summary.startswith("Unauthenticated, as far as this copy shows: it holds the hops of one organisation only")
    # A paste that starts at a content filter's loopback hop: the arrival is not in the copy.
    arrival = Finding(id="hops.arrival_missing", severity=Severity.NOTICE, title="No arrival", explanation="x")
    v = verdict(spf=dataclasses.replace(spf, client_ip="127.0.0.1"), dmarc=dmarc, findings=(arrival,))
    assert v.status == "unauthenticated"
    assert v.summary.startswith("Unauthenticated, as far as this copy shows: it stops before the hop where the "
                                "message arrived, so SPF and DMARC judged a loopback or private address (127.0.0.1)")


def test_the_mailing_list_sample_is_vouched_for_in_every_format() -> None:
    # The bundled list post: the author's DKIM broken by the list's footer, DMARC fail for
    # example.com, and the receiving Exim recorded an ARC override on lists.example.org's seal.
    from conftest import SAMPLES

    import headerscope
    from headerscope.render import get_renderer

    path = SAMPLES / "mailing-list.eml"
    report = headerscope.analyze(path.read_bytes(), dns_snapshot=str(path.with_suffix(".dns.json")))
    assert report.verdict.status == "vouched", report.verdict.summary
    assert report.dmarc is not None and report.dmarc.result == "fail"
    assert 'class="verdict v-vouched"' in get_renderer("html").render(report)
    assert get_renderer("markdown").render(report).splitlines()[0] == "## Message analysis: Vouched for by ARC"
    assert get_renderer("terminal", color=False).render(report).startswith("VOUCHED  Vouched for by ARC")


def test_a_recorded_dmarc_result_of_a_copy_without_from_names_what_the_receiver_judged() -> None:
    # A headers paste cut before From: (real layout, Proton's inbound results): the receiver's
    # pass is said for the domain it judged, not "not for the From: shown now".
    import headerscope

    raw = (b"Authentication-Results: mailin012.protonmail.example; dmarc=pass (p=reject dis=none) "
           b"header.from=auth.opera.example\r\n"
           b"Received: from a1-2.smtp-out.amazonses.example (a1-2.smtp-out.amazonses.example [54.240.1.2]) by "
           b"mailin012.protonmail.example with ESMTPS id 1; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           b"Subject: Your code\r\n\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert not report.envelope.header_from
    assert report.verdict.summary.endswith(
        "The receiving side (mailin012.protonmail.example) recorded DMARC pass for auth.opera.example at delivery; "
        "this copy shows no From: domain.")


def test_offline_the_verdict_still_says_what_needs_no_dns() -> None:
    # Six real phishing messages opened with "Could not check: offline" although the report itself
    # showed that DMARC could not pass, that there was no From: domain, or that the receiver had
    # recorded a DMARC failure.
    import headerscope

    head = ("Received: from mx.example.net (mx.example.net [192.0.2.2]) by mbox.example.net with LMTP id 2; "
            "Mon, 2 Nov 2026 10:00:03 +0000\r\n"
            "Received: from droplet.cloud.example (droplet.cloud.example [203.0.113.9]) by mx.example.net with ESMTP "
            "id 1; Mon, 2 Nov 2026 10:00:02 +0000\r\n")
    tail = "To: victim@example.net\r\nSubject: Your account\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n"
    spoof = (f"Return-Path: <root@droplet.cloud.example>\r\n{head}From: Bank <alerts@bank.example>\r\n{tail}").encode()
    verdict = headerscope.analyze(spoof, offline=True).verdict
    assert verdict.status == "unauthenticated", verdict
    assert verdict.summary.startswith("Unauthenticated: nothing in the message can authenticate bank.example: "
                                      "neither a DKIM signature nor an envelope sender is in its organisation")
    assert "(offline)" in verdict.summary
    # An envelope sender of the From: domain's organisation could align: not decided offline.
    aligned = spoof.replace(b"root@droplet.cloud.example", b"bounce@mail.bank.example")
    assert headerscope.analyze(aligned, offline=True).verdict.status == "not_checked"
    # No From: at all in a whole message.
    nameless = (f"Return-Path: <root@droplet.cloud.example>\r\n{head}{tail}").encode()
    assert headerscope.analyze(nameless, offline=True).verdict.summary.startswith(
        "Unauthenticated: the message has no From: domain")
    # The receiver's own recorded failure comes first.
    recorded = (f"Authentication-Results: mx.example.net; dmarc=fail (p=reject) header.from=bank.example\r\n"
                f"Return-Path: <bounce@mail.bank.example>\r\n{head}From: Bank <alerts@bank.example>\r\n{tail}").encode()
    verdict = headerscope.analyze(recorded, offline=True).verdict
    assert verdict.status == "not_checked"
    assert verdict.summary.startswith("The receiving side (mx.example.net) recorded DMARC fail for bank.example at "
                                      "delivery. Not re-checked: offline"), verdict.summary


def test_an_unauthenticated_line_names_the_pass_a_group_recorded_before_passing_it_on() -> None:
    # Zendesk's mail for travis-ci.com through a Google group: the group's envelope and signature
    # leave nothing aligned, yet Google kept its own dmarc=pass from when the message reached the
    # group. The line said only "nothing can authenticate travis-ci.com".
    import headerscope

    raw = (b"Received: from mail-sor-f69.google.com (mail-sor-f69.google.com [209.85.220.69]) by mx.dest.example "
           b"with ESMTPS id 2; Mon, 2 Mar 2026 10:00:02 +0000\r\n"
           b"X-Original-Authentication-Results: gmr-mx.google.com; spf=pass (google.com: domain of "
           b"support@travis-ci.example designates 192.161.147.1 as permitted sender) "
           b"smtp.mailfrom=support@travis-ci.example; dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=travis-ci.example\r\n"
           b"X-Google-Group-Id: 1234\r\n"
           b"Return-Path: <list+bncBAABB@googlegroups.com>\r\n"
           b"Received: from out.zendesk.example (out.zendesk.example [192.161.147.1]) by gmr-mx.google.com with "
           b"ESMTPS id 1; Mon, 2 Mar 2026 10:00:01 +0000\r\n"
           b"From: Travis CI <support@travis-ci.example>\r\nTo: list@googlegroups.com\r\nSubject: s\r\n"
           b"Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nbody\r\n")
    summary = headerscope.analyze(raw, offline=True).verdict.summary
    assert summary.endswith("Header 2, X-Original-Authentication-Results, says gmr-mx.google.com recorded dmarc=pass "
                            "for travis-ci.example before the message was passed on (a claim, not relied on: the "
                            "sending side can write that field too).")
    assert summary.startswith("Unauthenticated")
    # Exchange Online's X-MS-Exchange-Authentication-Results is the sending tenant's own outbound
    # check: no earlier receiver's word, and the finding says whose it is.
    outbound = raw.replace(b"X-Original-Authentication-Results: gmr-mx.google.com",
                           b"X-MS-Exchange-Authentication-Results: spf=pass (sender IP is 192.161.147.1)")
    report = headerscope.analyze(outbound, offline=True)
    assert "recorded dmarc=pass" not in report.verdict.summary
    [kept] = [f for f in report.findings if f.id == "recorded.preserved"]
    assert "the sending side's own system judged its outbound mail" in kept.explanation


# Exchange Online's own fields on a self-addressed advance-fee spoof (real layout, addresses
# replaced): spf=fail for the From: domain, no signature, no DMARC record, compauth=fail 001.
_EXO_SPOOF = (
    "Received: from SN1NAM02FT0029.eop-nam02.prod.protection.outlook.com (2603:10b6:802:21:cafe::84) by "
    "SN1PR12CA0082.outlook.office365.com (2603:10b6:802:21::17) with Microsoft SMTP Server (version=TLS1_2, "
    "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.6544.31 via Frontend Transport; Sat, 29 Jul 2023 "
    "21:43:34 +0000\r\n"
    "Authentication-Results: spf=fail (sender IP is 198.51.100.52)\r\n smtp.mailfrom=victim.example; dkim=none "
    "(message not signed)\r\n header.d=none;dmarc=none action=none\r\n header.from=victim.example;compauth=fail "
    "reason=001\r\n"
    "Received-SPF: Fail (protection.outlook.com: domain of victim.example does not\r\n designate 198.51.100.52 as "
    "permitted sender) receiver=protection.outlook.com;\r\n client-ip=198.51.100.52; helo=relay.abused.example;\r\n"
    "Received: from relay.abused.example (198.51.100.52) by\r\n SN1NAM02FT0029.mail.protection.outlook.com "
    "(10.97.4.175) with Microsoft SMTP\r\n Server id 15.20.6631.42 via Frontend Transport; Sat, 29 Jul 2023 "
    "21:43:25\r\n +0000\r\n"
    "Subject: Attention\r\n"
    "To: Recipients <nemani@victim.example>\r\n"
    "From: \"Mr. Wood\" <nemani@victim.example>\r\n"
    "Date: Sat, 29 Jul 2023 21:43:00 +0000\r\n"
    "Reply-To: agent@webmail.example\r\n"
    "Return-Path: nemani@victim.example\r\n"
    "Message-ID: <CENTRAL1@relay.abused.example>\r\n"
    "MIME-Version: 1.0\r\n\r\nbody\r\n")


def test_offline_the_receivers_spoof_verdict_leads_where_dmarc_decided_nothing() -> None:
    # The line said only "recorded DMARC none": the same receiver's SPF fail for the From: domain,
    # no DKIM and compauth=fail (Microsoft: the message failed implicit authentication) were left out.
    import headerscope

    verdict = headerscope.analyze(_EXO_SPOOF.encode(), offline=True).verdict
    # No DKIM signature and the receiver's own SPF fail for the only identity that could align:
    # DMARC cannot pass (dmarc.cannot_pass), unauthenticated as online; the receiver's judgement follows.
    assert verdict.status == "unauthenticated"
    assert verdict.summary.startswith("Unauthenticated: DMARC for victim.example cannot pass, whatever DNS says")
    assert verdict.summary.endswith(
        " The receiving side (Exchange Online) judged the From: spoofed at delivery (compauth=fail): it "
        "recorded no DKIM signature, SPF fail for victim.example and DMARC none for victim.example (no DMARC policy "
        "applied, so DMARC could not act).")


def test_with_dns_the_receivers_spoof_verdict_follows_the_unauthenticated_line(tmp_path: Path) -> None:
    # Online (no DMARC record in DNS) the status stays unauthenticated: compauth=fail with nothing
    # aligned passing contradicts nothing, it agrees; the receiver's own evidence is said after.
    import headerscope

    snapshot = tmp_path / "dns.json"
    snapshot.write_text("{}")
    verdict = headerscope.analyze(_EXO_SPOOF.encode(), dns_snapshot=str(snapshot)).verdict
    assert verdict.status == "unauthenticated"
    assert verdict.summary == (
        "Unauthenticated: victim.example publishes no DMARC policy and no DKIM or SPF identity aligned with From "
        "passes. The receiving side (Exchange Online) judged the From: spoofed at delivery (compauth=fail): "
        "it recorded no DKIM signature, SPF fail for victim.example and DMARC none for victim.example "
        "(no DMARC policy applied, so DMARC could not act).")


def test_a_receivers_results_beside_dmarc_none_are_summarised_without_compauth() -> None:
    # Another receiver (no compauth): its SPF softfail and DKIM fail are said with its DMARC none.
    # Its dkim=fail is for the only signature in victim.example's organisation, and its SPF for the
    # envelope sender is softfail: DMARC cannot pass (dmarc.cannot_pass), which leads the line.
    import headerscope

    raw = (b"Authentication-Results: mx.receiver.example; dkim=fail (bad signature) header.d=victim.example "
           b"header.s=s1; spf=softfail smtp.mailfrom=victim.example; dmarc=none header.from=victim.example\r\n"
           b"Received: from relay.abused.example (relay.abused.example [198.51.100.52]) by mx.receiver.example "
           b"with ESMTP id 1; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=victim.example; s=s1; h=from:to; bh=eA==; "
           b"b=eQ==\r\n"
           b"Return-Path: <a@victim.example>\r\nFrom: a@victim.example\r\nTo: b@receiver.example\r\nSubject: s\r\n"
           b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n")
    verdict = headerscope.analyze(raw, offline=True).verdict
    assert verdict.status == "unauthenticated"
    assert verdict.summary.startswith("Unauthenticated: DMARC for victim.example cannot pass, whatever DNS says: the "
                                      "DKIM signatures in its organisation failed, as the receiving side recorded")
    assert verdict.summary.endswith(
        "was not checked (offline). The receiving side "
        "(mx.receiver.example) recorded DKIM fail for victim.example, SPF softfail for victim.example and DMARC none "
        "for victim.example (no DMARC policy applied, so DMARC could not act) at delivery.")
    # Where it recorded only passes, the DMARC sentence stays as it was.
    passed = raw.replace(b"dkim=fail (bad signature)", b"dkim=pass").replace(b"spf=softfail", b"spf=pass")
    assert headerscope.analyze(passed, offline=True).verdict.summary.endswith(
        "The receiving side (mx.receiver.example) recorded DMARC none for victim.example at delivery.")


def test_offline_a_recorded_dmarc_pass_nothing_in_the_message_can_bear_out_is_reconciled() -> None:
    # ARC test suite layout: the list recorded dmarc=pass for d1.example.org, but the signature and
    # envelope it rested on are of d1.example, which cannot align: side by side, "nothing can
    # authenticate" and "recorded DMARC pass" contradicted each other unexplained.
    import headerscope

    raw = (b"Authentication-Results: lists.example.org; spf=pass smtp.mfrom=jqd@d1.example; dkim=pass (1024-bit "
           b"key) header.i=@d1.example; dmarc=pass\r\n"
           b"Received: from segv.d1.example (segv.d1.example [72.52.75.15]) by lists.example.org (8.14.5/8.14.5) "
           b"with ESMTP id t0EKaNU9010123 for <arc@example.org>; Thu, 14 Jan 2015 15:01:30 -0800 (PST)\r\n"
           b"Return-Path: <jqd@d1.example>\r\n"
           b"From: Gene Q Doe <jqd@d1.example.org>\r\nTo: arc@dmarc.example\r\nSubject: Example 1\r\n"
           b"Date: Thu, 14 Jan 2015 15:00:01 -0800\r\n\r\nbody\r\n")
    verdict = headerscope.analyze(raw, offline=True).verdict
    assert verdict.status == "unauthenticated"
    assert verdict.summary.endswith(
        "The receiving side (lists.example.org) recorded DMARC pass for d1.example.org at delivery, which nothing now "
        "in the message can support: the DKIM signature or envelope sender it rested on is gone, or was never there.")


# Exim's bounce written and delivered on the recipient's own host (real layout): one "with local"
# hop, the null sender, From: the host's mailer-daemon.
_LOCAL_BOUNCE = (
    b"Return-path: <>\r\n"
    b"Envelope-to: alice@mail.example.com\r\n"
    b"Received: from mta2.example.org by mail.example.com with local (Exim 4.86)\r\n\tid 1aWxyz-0001Ab-CD\r\n"
    b"\tfor alice@mail.example.com; Fri, 22 Apr 2016 23:34:45 +0900\r\n"
    b"X-Failed-Recipients: bob@example.edu\r\n"
    b"Auto-Submitted: auto-replied\r\n"
    b"From: Mail Delivery System <mailer-daemon@mail.example.com>\r\n"
    b"To: alice@mail.example.com\r\n"
    b"Subject: Mail delivery failed: returning message to sender\r\n"
    b"Message-Id: <E1aWxyz-0001Ab-CD@mail.example.com>\r\n"
    b"Date: Fri, 22 Apr 2016 23:34:45 +0900\r\n\r\n"
    b"This message was created automatically by mail delivery software.\r\n")


def test_a_bounce_generated_on_the_receivers_own_host_is_said_to_be_beyond_spf_and_dmarc(tmp_path: Path) -> None:
    # It read "nothing in the message can authenticate mail.example.com ... DMARC cannot pass": SPF
    # and DMARC judge mail arriving from the internet (RFC 7208 section 2.1), which this never did.
    import headerscope

    expected = ("Unauthenticated, generated inside the receiving system: a notification with the null sender, "
                "which a program on mail.example.com handed over to the mail system (hop 1, with local), and every "
                "hop is inside it, so SPF and DMARC, which judge mail arriving from the internet (RFC 7208 section "
                "2.1, RFC 7489 section 3), do not apply; no DKIM signature aligned with mail.example.com vouches for "
                "it.")
    offline = headerscope.analyze(_LOCAL_BOUNCE, offline=True).verdict
    assert (offline.status, offline.summary) == ("unauthenticated", expected)
    snapshot = tmp_path / "dns.json"
    snapshot.write_text('{"_dmarc.example.com": {"TXT": [["v=DMARC1; p=reject"]]}}')
    online = headerscope.analyze(_LOCAL_BOUNCE, dns_snapshot=str(snapshot)).verdict
    assert (online.status, online.summary) == ("unauthenticated", expected)
    # A program's own message handed over locally (cron's mail, no null sender) is the same story.
    cron = (_LOCAL_BOUNCE.replace(b"Return-path: <>", b"Return-path: <root@mail.example.com>")
            .replace(b"X-Failed-Recipients: bob@example.edu\r\nAuto-Submitted: auto-replied\r\n", b"")
            .replace(b"Mail Delivery System <mailer-daemon@mail.example.com>", b"root@mail.example.com")
            .replace(b"Subject: Mail delivery failed: returning message to sender", b"Subject: Cron <root> backup"))
    verdict = headerscope.analyze(cron, dns_snapshot=str(snapshot)).verdict
    assert verdict.status == "unauthenticated", verdict
    assert verdict.summary.startswith("Unauthenticated, generated inside the receiving system: a program on "
                                      "mail.example.com handed it to the mail system (hop 1, with local)")


def test_a_bounce_from_outside_is_judged_as_any_message() -> None:
    # The same bounce arriving from another organisation's server over SMTP: the internet's rules apply.
    import headerscope

    arrived = _LOCAL_BOUNCE.replace(
        b"Received: from mta2.example.org by mail.example.com with local (Exim 4.86)",
        b"Received: from mta2.example.org ([198.51.100.7]) by mail.example.com with esmtps (Exim 4.86)").replace(
        b"mailer-daemon@mail.example.com", b"mailer-daemon@mta2.example.org")
    verdict = headerscope.analyze(arrived, offline=True).verdict
    assert "generated inside" not in verdict.summary


def test_a_persons_automatic_reply_from_a_public_client_is_not_generated_inside() -> None:
    # An out-of-office reply (null sender) that Google's servers relayed from one to another: every
    # hop is Google's, but the client of the first is a public address, where it came from the
    # internet. It was called "a bounce or a report its own servers wrote".
    import headerscope

    raw = (b"Return-Path: <>\r\n"
           b"Received: from mail-qk1-f41.google.com (mail-qk1-f41.google.com [209.85.222.41]) by mx.google.com "
           b"with ESMTPS id 1 for <joe@gmail.com>; Mon, 2 Mar 2026 10:00:01 +0000\r\n"
           b"Auto-Submitted: auto-replied\r\nFrom: Fred <fred@gmail.com>\r\nTo: joe@gmail.com\r\n"
           b"Subject: Out of Office: away\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nAway.\r\n")
    summary = headerscope.analyze(raw, offline=True).verdict.summary
    assert "generated inside the receiving system" not in summary.lower()


# --- mail sent between mailboxes of one provider, by the provider's own marker ----------------

# Proton to Proton (a custom domain hosted at Proton): one Received of Proton's own, no client
# address, and Proton's marker that the message never left it.
_PROTON_INTERNAL = b"""Return-Path: <ana@pm.example>
X-Original-To: luis@pm.example
Delivered-To: luis@pm.example
Received: from mail.protonmail.ch by mail.protonmail.ch; Tue, 05 Mar 2024 09:30:12 +0000
To: Luis <luis@pm.example>
From: Ana <ana@pm.example>
Subject: Minutes
Date: Tue, 05 Mar 2024 09:30:11 +0000
Message-Id: <aBcD1234efGH5678=@pm.example>
Mime-Version: 1.0
Content-Type: text/plain; charset=utf-8
X-Pm-Origin: internal
X-Pm-Content-Encryption: end-to-end
X-Pm-Spamscore: 0

See you Thursday.
""".replace(b"\n", b"\r\n")
_QUARANTINE = {"_dmarc.pm.example": {"TXT": [["v=DMARC1; p=quarantine"]]}}


def _proton(raw: bytes = _PROTON_INTERNAL, dns: dict[str, object] | None = None) -> object:
    from headerscope import analyze
    from headerscope.dns.snapshot import SnapshotResolver

    if dns is None:
        return analyze(raw, offline=True)
    return analyze(raw, resolver=SnapshotResolver(dns))


def test_provider_internal_mail_says_spf_and_dmarc_do_not_apply() -> None:
    from headerscope.model import Report

    for report in (_proton(), _proton(dns=_QUARANTINE)):
        assert isinstance(report, Report) and report.spf is not None and report.dmarc is not None
        assert report.spf.explanation.startswith(
            "not applicable: sent between Proton Mail mailboxes, by Proton Mail's own marker (X-Pm-Origin: "
            "internal, header 12; end-to-end encrypted)")
        assert "--client-ip" not in report.spf.explanation
        assert report.dmarc.explanation.startswith("not applicable: sent between Proton Mail mailboxes")
        assert report.dmarc.disposition is None
        assert report.verdict.status == "unauthenticated"
        assert "sent between Proton Mail mailboxes" in report.verdict.summary
        # A person's message between two mailboxes, not one the system generated.
        assert report.verdict.summary.startswith("Unauthenticated: sent between Proton Mail mailboxes")
        assert "do not apply" in report.verdict.summary and "quarantine" not in report.verdict.summary


def test_provider_marker_is_not_read_where_the_chain_does_not_corroborate_it() -> None:
    from headerscope.model import Report

    internal_hop = b"Received: from mail.protonmail.ch by mail.protonmail.ch;"
    variants = {
        # From outside: Proton's MX records the outside client; the marker is the sender's text.
        "outside": _PROTON_INTERNAL.replace(internal_hop, (
            b"Received: from mail-wr1-f41.google.com (mail-wr1-f41.google.com [209.85.221.41])\r\n"
            b"\tby mailin.protonmail.ch (Postfix) with ESMTPS id 4TpQ2b0x1Hz9rxB\r\n\tfor <luis@pm.example>;")),
        # A public client that only calls itself Proton's (its HELO), which the chain lets pass inside.
        "helo": _PROTON_INTERNAL.replace(internal_hop, (
            b"Received: from mail.protonmail.ch ([203.0.113.9])\r\n"
            b"\tby mailin.protonmail.ch (Postfix) with ESMTPS id 4TpQ2b0x1Hz9rxB\r\n\tfor <luis@pm.example>;")),
        # Delivered by another provider: the marker is not the receiver's statement.
        "elsewhere": _PROTON_INTERNAL.replace(internal_hop, b"Received: from mx.other.example by mx.other.example;"),
        # Two markers: one of them is not Proton's.
        "twice": _PROTON_INTERNAL.replace(b"X-Pm-Origin: internal\r\n",
                                          b"X-Pm-Origin: internal\r\nX-Pm-Origin: external\r\n"),
        # The receiver recorded a DMARC failure itself: never talked away.
        "recorded fail": _PROTON_INTERNAL.replace(internal_hop, (
            b"Authentication-Results: mail.protonmail.ch; dmarc=fail (p=quarantine) header.from=pm.example\r\n"
            + internal_hop)),
    }
    for name, raw in variants.items():
        report = _proton(raw)
        assert isinstance(report, Report) and report.spf is not None and report.dmarc is not None
        assert not report.spf.explanation.startswith("not applicable"), name
        assert not report.dmarc.explanation.startswith("not applicable"), name
        assert "Proton Mail mailboxes" not in report.verdict.summary, name


# Review V 03: a cron job's mail, handed to the host's own Postfix and sent through Gmail with a
# login; the copy the sending side kept ends at Gmail's submission stamp.
_SENT_COPY = (
    "Return-Path: <cron.box@gmail.com>\r\n"
    "Received: from serviplate.shop.example (c-76-121-170-6.hsd1.wa.comcast.net. [76.121.170.6])\r\n"
    "        by smtp.gmail.com with ESMTPSA id ei1sm14948541pbd.46.2014.10.06.23.26.41\r\n"
    "        for <root@shop.example>\r\n"
    "        (version=TLSv1.2 cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=128/128);\r\n"
    "        Mon, 06 Oct 2014 23:26:42 -0700 (PDT)\r\n"
    "From: Cron Daemon <cron.box@gmail.com>\r\n"
    "Received: by serviplate.shop.example (Postfix, from userid 0)\r\n"
    "        id 3A1F5211BE; Tue,  7 Oct 2014 06:26:36 +0000 (UTC)\r\n"
    "To: root@shop.example\r\n"
    "Subject: Cron <root@serviplate> run-parts /etc/cron.daily\r\n"
    "Message-Id: <20141007062636.3A1F5211BE@serviplate.shop.example>\r\n"
    "Date: Tue,  7 Oct 2014 06:26:36 +0000 (UTC)\r\n"
    "\r\n"
    "/etc/cron.daily/apt: done\r\n"
)
_GMAIL_DNS: dict[str, object] = {
    "gmail.com": {"TXT": [["v=spf1 redirect=_spf.google.com"]]},
    "_spf.google.com": {"TXT": [["v=spf1 ip4:209.85.128.0/17 ip4:74.125.0.0/16 ~all"]]},
    "_dmarc.gmail.com": {"TXT": [["v=DMARC1; p=none; sp=quarantine; rua=mailto:mailauth-reports@google.com"]]},
}


def _analyze_with(raw: bytes, dns: dict[str, object]) -> object:
    from headerscope import analyze
    from headerscope.dns.snapshot import SnapshotResolver

    return analyze(raw, resolver=SnapshotResolver(dns))


def test_a_copy_that_ends_at_its_authenticated_submission_judges_no_spf_or_dmarc() -> None:
    # SPF checks the server that hands a message to a receiving server (RFC 7208 section 2.4); a
    # submission is authorised by its login (RFC 6409 section 4.3). The home address that logged in to
    # Gmail is no SPF question, and "softfail, DMARC fail" for gmail.com was a false verdict.
    from headerscope.model import Report

    report = _analyze_with(_SENT_COPY.encode(), _GMAIL_DNS)
    assert isinstance(report, Report)
    assert report.verdict.status == "not_checked"
    assert report.verdict.summary.startswith("A sent copy, not a delivered one: it ends at its submission, hop 2, "
                                             "where smtp.gmail.com took it after a login (ESMTPSA).")
    assert "no DKIM signature aligned with gmail.com is in it" in report.verdict.summary
    assert report.spf is not None and report.spf.result == "not_checked"
    assert report.spf.explanation.startswith("not applicable: a sent copy")
    assert report.spf.client_ip == "76.121.170.6"  # shown, not evaluated
    assert report.dmarc is not None and report.dmarc.result == "not_checked"
    assert report.dmarc.explanation.startswith("not applicable: a sent copy")
    assert report.reverse_dns is not None and report.reverse_dns.result == "not_checked"
    ids = {f.id for f in report.findings}
    assert "hops.submission_only" in ids
    assert not ids & {"spf.softfail", "dmarc.fail"}
    # No SPF record was asked for: nothing was evaluated.
    assert not any(q.name == "gmail.com" for q in report.dns)


def test_a_headers_paste_that_ends_at_a_submission_may_have_left_out_the_receiving_hops() -> None:
    # A headers paste chosen from the DKIM-Signature or the submission Received down (the
    # header's lower half) ends at the submission too: the words hedge, as the paste may only have
    # left the receiving hops above out; a whole message with its body keeps the plain words.
    from headerscope.model import Report

    header_only = _SENT_COPY.split("\r\n\r\n", 1)[0] + "\r\n"
    report = _analyze_with(header_only.encode(), _GMAIL_DNS)
    assert isinstance(report, Report)
    assert report.verdict.status == "not_checked"
    assert report.verdict.summary.startswith(
        "A sent copy, or a paste that left out the receiving hops above its submission: it ends at its "
        "submission, hop 2, where smtp.gmail.com took it after a login (ESMTPSA).")
    whole = _analyze_with(_SENT_COPY.encode(), _GMAIL_DNS)
    assert isinstance(whole, Report) and whole.verdict.summary.startswith("A sent copy, not a delivered one:")


def test_a_delivered_copy_of_an_authenticated_submission_is_judged_as_before() -> None:
    from headerscope.model import Report

    # A delivery field (RFC 9228's Delivered-To) says the copy was delivered: no sender's copy.
    delivered = _analyze_with(("Delivered-To: root@shop.example\r\n" + _SENT_COPY).encode(), _GMAIL_DNS)
    # A receiving server's stamp above the submission: the boundary is the hand-over to it.
    received = _analyze_with((
        "Received: from mail-pd0-f171.google.com (mail-pd0-f171.google.com [209.85.192.171]) by mx.shop.example "
        "(Postfix) with ESMTPS id 5B2C1; Tue,  7 Oct 2014 06:26:44 +0000 (UTC)\r\n" + _SENT_COPY).encode(), _GMAIL_DNS)
    for report in (delivered, received):
        assert isinstance(report, Report)
        assert not report.verdict.summary.startswith("A sent copy")
        assert "hops.submission_only" not in {f.id for f in report.findings}
    assert isinstance(delivered, Report) and delivered.spf is not None and delivered.spf.result == "softfail"
    assert isinstance(received, Report) and received.spf is not None and received.spf.result == "pass"


def test_a_sent_copy_with_an_aligned_dkim_pass_is_authenticated() -> None:
    # DMARC passes on an aligned DKIM signature whatever SPF would say at the hand-over
    # (RFC 7489 section 4.2): the sent copy's own signature still vouches.
    import base64
    from unittest import mock

    import dkim
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from headerscope.model import Report

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    der = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    record = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
    raw = _SENT_COPY.encode()
    with mock.patch("dkim.time.time", return_value=1412663202):
        field: bytes = dkim.sign(raw, b"20120113", b"gmail.com", pem, include_headers=[b"from", b"to", b"subject"])
    dns = {**_GMAIL_DNS, "20120113._domainkey.gmail.com": {"TXT": [[record[i:i + 255]
                                                                    for i in range(0, len(record), 255)]]}}
    report = _analyze_with(field + raw, dns)
    assert isinstance(report, Report)
    assert report.verdict.status == "authenticated"
    assert report.dmarc is not None and report.dmarc.result == "pass"


def test_an_internal_message_from_a_private_client_says_in_its_rows_that_spf_and_dmarc_do_not_apply() -> None:
    """Every hop inside one organisation, from a private client of it (its web mail's submission):
    the verdict says SPF and DMARC do not apply, and the rows say it first too, with the results
    kept for the record and no DMARC policy said to apply (verification of this session: the table
    said "the quarantine policy applies" beside a headline saying they do not apply)."""
    from headerscope.api import analyze
    from headerscope.dns.snapshot import SnapshotResolver

    raw = (b"Return-Path: <alice@provider.example>\r\n"
           b"Received: from webmail-pod2 (webmail-pod2 [10.168.160.104]) by smtp.provider.example with ESMTPSA id 1"
           b" (authenticated as alice); Mon, 2 Nov 2026 10:00:01 +0000\r\n"
           b"From: Alice <alice@provider.example>\r\nTo: alice@provider.example\r\nSubject: s\r\n"
           b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@provider.example>\r\n\r\nbody\r\n")
    dns = {"provider.example": {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]},
           "_dmarc.provider.example": {"TXT": ["v=DMARC1; p=quarantine"]}}
    report = analyze(raw, resolver=SnapshotResolver(dns))
    assert report.spf is not None and report.dmarc is not None
    assert report.spf.result == "fail" and report.spf.explanation.startswith("not applicable: every hop is inside")
    assert report.dmarc.result == "fail" and report.dmarc.disposition is None
    assert report.dmarc.explanation.startswith("not applicable: every hop is inside")
    assert "do not apply" in report.verdict.summary


def test_a_spoof_through_a_nat_in_front_of_the_receiver_is_no_internal_message() -> None:
    """Verifications V10 P4 and V11 N1/R1: a receiver behind a NAT records a private address for
    every client; with no login and no reverse-DNS name of the receiver's, whatever the client's
    HELO (its own choice), the message is not said to be "sent inside the organisation": it was
    handed over by one of the receiver's servers or by a proxy or NAT that hides where it came
    from, and SPF against the address judges nothing (no SPOOFED on it either, which made genuine
    internal mail with an unusual HELO spoofed)."""
    from headerscope.api import analyze
    from headerscope.dns.snapshot import SnapshotResolver

    raw = (b"Return-Path: <bounce@evil.example>\r\n"
           b"Received: from mail.evil.example (unknown [10.0.0.9]) by mx.corp.example (Postfix) with ESMTP id 1;"
           b" Mon, 2 Nov 2026 10:00:01 +0000\r\n"
           b"From: PayPal <service@paypal.test>\r\nTo: victim@corp.example\r\nSubject: s\r\n"
           b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@evil.example>\r\n\r\nbody\r\n")
    dns = {"evil.example": {"TXT": ["v=spf1 -all"]}, "_dmarc.paypal.test": {"TXT": ["v=DMARC1; p=reject"]}}
    for helo in (b"mail.evil.example", b"mail.corp.example", b"localhost", b"[10.0.0.9]"):
        report = analyze(raw.replace(b"from mail.evil.example", b"from " + helo), resolver=SnapshotResolver(dns))
        assert "hops.private_entry" in {f.id for f in report.findings}, helo
        assert report.verdict.status == "unauthenticated", report.verdict.summary
        assert "sent inside" not in report.verdict.summary
        assert "by a proxy or NAT in front of it that hides where the message came from" in report.verdict.summary
    # A server of the organisation itself, named so by the receiver's reverse DNS: sent inside.
    inside = raw.replace(b"from mail.evil.example (unknown [10.0.0.9])", b"from app01.corp.example (app01.corp.example [10.0.0.9])")
    report = analyze(inside, resolver=SnapshotResolver(dns))
    assert "hops.private_entry" not in {f.id for f in report.findings}
    assert "sent inside the receiving organisation" in report.verdict.summary


def _gmail_delivered(*, spoof: bool, override: bool = False) -> tuple[bytes, dict[str, object]]:
    """A message from bank.example (p=reject) as Gmail delivers it, sealed by Gmail (i=1, or i=2
    above a forwarder's set) with dkimpy's test key published as Gmail's ARC key: straight from
    an attacker's server (``spoof``), or forwarded by fwd.example, whose own results recorded
    dmarc=pass, and whose new hand-over fails SPF at Gmail."""
    import dkim
    from conftest import CORPUS

    key = (CORPUS / "dkim" / "dkimpy" / "test.private").read_bytes()
    public = (CORPUS / "dkim" / "dkimpy" / "test.txt").read_text().strip()
    message = (b"From: HR <hr@bank.example>\r\nTo: bob@gmail.com\r\nSubject: payslip\r\n"
               b"Date: Sun, 22 Nov 2026 13:00:00 +0000\r\nMessage-ID: <p-1@bank.example>\r\n"
               b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nThe figures are below.\r\n")
    client, ip = b"mail.attacker.example", b"203.0.113.9"
    arc_result = b""
    if not spoof:
        client, ip = b"mx.fwd.example", b"192.0.2.25"
        message = (b"Authentication-Results: mx.fwd.example; dkim=none; spf=pass smtp.mailfrom=hr@bank.example;"
                   b" dmarc=pass header.from=bank.example\r\n"
                   b"Received: from out.bank.example (out.bank.example [198.51.100.7]) by mx.fwd.example with ESMTPS"
                   b" id F1; Sun, 22 Nov 2026 13:00:01 +0000\r\n") + message
        message = b"".join(dkim.arc_sign(message, b"arc", b"fwd.example", key, b"mx.fwd.example",
                                         timestamp=1795352401)) + message
        arc_result = b" arc=pass (i=1 spf=pass spfdomain=bank.example dmarc=pass fromdomain=bank.example);"
    disposition = b"NONE arc=pass" if override else b"REJECT"
    message = (b"Return-Path: <hr@bank.example>\r\n"
               b"Received: from " + client + b" (" + client + b". [" + ip + b"]) by mx.google.com with ESMTPS id "
               b"af79cd13be357-8d3c2a91e7fsi5120843612a.412 for <bob@gmail.com>; Sun, 22 Nov 2026 05:00:01 -0800 (PST)\r\n"
               b"Received-SPF: fail (google.com: domain of hr@bank.example does not designate " + ip
               + b" as permitted sender) client-ip=" + ip + b";\r\n"
               b"Authentication-Results: mx.google.com;" + arc_result + b" dkim=none; spf=fail (google.com: domain "
               b"of hr@bank.example does not designate " + ip + b" as permitted sender) smtp.mailfrom=hr@bank.example;"
               b" dmarc=fail (p=REJECT sp=REJECT dis=" + disposition + b") header.from=bank.example\r\n") + message
    sealed = b"".join(dkim.arc_sign(message, b"arc-20240605", b"google.com", key, b"mx.google.com",
                                    timestamp=1795352402))
    raw = (b"Delivered-To: bob@gmail.com\r\nReceived: by 2002:a05:6358:9d8e:b0:1c3:8a2e:5f41 with SMTP id "
           b"fb2csp1201847qvb; Sun, 22 Nov 2026 05:00:02 -0800 (PST)\r\n") + sealed + message
    dns: dict[str, object] = {
        "arc-20240605._domainkey.google.com": {"TXT": [public]},
        "arc._domainkey.fwd.example": {"TXT": [public]},
        "_dmarc.bank.example": {"TXT": [["v=DMARC1; p=reject"]]},
        "bank.example": {"TXT": [["v=spf1 ip4:198.51.100.0/24 -all"]]},
    }
    return raw, dns


def test_a_gmail_delivered_spoof_with_gmails_own_valid_seal_is_spoofed() -> None:
    # Gmail seals every incoming message (i=1, cv=none) after its own verdict, here dmarc=fail: its
    # set carries no intermediary's assertion (RFC 8617 section 7.2) and vouches for nothing.
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    raw, dns = _gmail_delivered(spoof=True)
    report = headerscope.analyze(raw, resolver=SnapshotResolver(dns))
    assert report.arc is not None and report.arc.result == "pass"
    assert [(i.instance, i.domain, i.seal_result) for i in report.arc.instances] == [(1, "google.com", "pass")]
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert report.dmarc is not None and (report.dmarc.result, report.dmarc.arc_sealers) == ("fail", ())
    assert report.verdict.summary.startswith("Spoofed: From claims bank.example") and "p=reject" in \
        report.verdict.summary
    [fail] = [f for f in report.findings if f.id == "dmarc.fail"]
    assert fail.severity == Severity.DANGER and "google.com" not in fail.explanation


def test_a_forward_whose_first_sealer_saw_dmarc_pass_is_still_vouched_under_gmails_own_seal() -> None:
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    raw, dns = _gmail_delivered(spoof=False)
    report = headerscope.analyze(raw, resolver=SnapshotResolver(dns))
    assert report.arc is not None and report.arc.result == "pass"
    assert [(i.instance, i.domain) for i in report.arc.instances] == [(1, "fwd.example"), (2, "google.com")]
    # Gmail recorded dis=REJECT without an ARC override: it had the chain and did not trust its
    # sealer, and anyone can seal with a key of their own (review V5, N1: an attacker's own set
    # claiming dmarc=pass), so nothing is softer than the receiver's own decision.
    assert report.dmarc is not None and (report.dmarc.arc_sealers, report.dmarc.arc_vouched) == (
        ("fwd.example",), False)
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert report.dmarc.arc_override is not None and "did not act on it" in report.dmarc.arc_override
    # Without the receiver's record of its disposition the chain vouches as before.
    quiet = raw.replace(b" (p=REJECT sp=REJECT dis=REJECT)", b"")
    report = headerscope.analyze(quiet, resolver=SnapshotResolver(dns))
    assert report.dmarc is not None and report.dmarc.arc_vouched is True
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert "A valid ARC chain sealed by fwd.example claims DMARC passed" in report.verdict.summary
    assert "google.com" not in report.verdict.summary
    # Gmail recorded that it accepted the message on the chain's word (dis=NONE beside arc=pass).
    raw, dns = _gmail_delivered(spoof=False, override=True)
    report = headerscope.analyze(raw, resolver=SnapshotResolver(dns))
    assert report.verdict.status == "vouched", report.verdict.summary
    assert report.verdict.summary.startswith("Vouched for by ARC: DMARC fails for bank.example because fwd.example")


def _strict_alignment_spoof(from_domain: str = "mail.strict.example") -> tuple[bytes, dict[str, object]]:
    """Review AF 23's pattern: a message whose From: is ``from_domain``, signed (d=strict.example,
    dkimpy's test key) and sent from strict.example's SPF-authorised server, as Gmail delivered it
    after recording dmarc=fail (p=REJECT): strict.example's record asks adkim=s and aspf=s, so a
    subdomain in From: aligns with neither (RFC 7489 section 3.1)."""
    from unittest import mock

    import dkim
    from conftest import CORPUS

    key = (CORPUS / "dkim" / "dkimpy" / "test.private").read_bytes()
    public = (CORPUS / "dkim" / "dkimpy" / "test.txt").read_text().strip()
    body = (f"From: Billing <billing@{from_domain}>\r\nTo: bob@gmail.com\r\nSubject: Your statement\r\n"
            f"Date: Sat, 21 Nov 2026 08:30:00 +0100\r\nMessage-ID: <st-1@{from_domain}>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n\r\nThe figures are attached below.\r\n").encode()
    with mock.patch("dkim.time.time", return_value=1795246200):  # signed at the Date:, before delivery
        signature = dkim.sign(body, b"s1", b"strict.example", key,
                              include_headers=[b"from", b"to", b"subject", b"date"])
    message = (b"Return-Path: <bounce@strict.example>\r\n"
               b"Received: from out.strict.example (out.strict.example. [192.0.2.77]) by mx.google.com with ESMTPS id "
               b"af79cd13be357-8d3c2a91e7fsi5120843785a.412 for <bob@gmail.com>; Fri, 20 Nov 2026 23:30:02 -0800 (PST)"
               b"\r\nAuthentication-Results: mx.google.com; dkim=pass header.i=@strict.example header.s=s1; spf=pass "
               b"(google.com: domain of bounce@strict.example designates 192.0.2.77 as permitted sender) "
               b"smtp.mailfrom=bounce@strict.example; dmarc=fail (p=REJECT sp=REJECT dis=REJECT) header.from="
               + from_domain.encode() + b"\r\n" + signature + body)
    # Gmail seals what it delivers (RFC 8617): its set above the boundary corroborates its results.
    sealed = b"".join(dkim.arc_sign(message, b"arc-20240605", b"google.com", key, b"mx.google.com",
                                    timestamp=1795246203))
    raw = (b"Delivered-To: bob@gmail.com\r\nReceived: by 2002:a05:6358:9d8e:b0:1c3:8a2e:5f41 with SMTP id "
           b"fb2csp1201847qvb; Fri, 20 Nov 2026 23:30:03 -0800 (PST)\r\n") + sealed + message
    dns: dict[str, object] = {
        "arc-20240605._domainkey.google.com": {"TXT": [public]},
        "strict.example": {"TXT": [["v=spf1 ip4:192.0.2.77 -all"]]},
        "s1._domainkey.strict.example": {"TXT": [public]},
        "_dmarc.strict.example": {"TXT": [["v=DMARC1; p=reject; adkim=s; aspf=s"]]},
    }
    return raw, dns


def test_a_failed_dmarc_lookup_does_not_assume_relaxed_alignment() -> None:
    # Review AF defect 1: the alignment mode is part of the record that could not be read (RFC 7489
    # sections 3.1 and 6.3). Relaxed was assumed, and a strict-alignment spoof, which the receiver
    # itself rejected, read "Authenticated".
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    raw, dns = _strict_alignment_spoof()
    report = headerscope.analyze(raw, resolver=SnapshotResolver(dns))
    assert report.verdict.status == "spoofed", report.verdict.summary  # (with the record: the known answer)
    # The From: domain's own lookup fails, or the organisational domain's (where the record is).
    for failing in ({"_dmarc.mail.strict.example": {"TXT": "SERVFAIL"}}, {"_dmarc.strict.example": {"TXT": "TIMEOUT"}}):
        report = headerscope.analyze(raw, resolver=SnapshotResolver({**dns, **failing}))
        assert report.verdict.status == "not_checked", report.verdict.summary
        assert report.verdict.authenticated_domain is None
        assert report.dmarc is not None and report.dmarc.result == "temperror"
        assert (report.dmarc.dkim_aligned, report.dmarc.spf_aligned, report.dmarc.aligned_dkim_domain) == (
            None, None, None)
        assert ("DKIM d=strict.example passes but aligns with mail.strict.example only if the unknown DMARC record "
                "allows relaxed alignment") in report.dmarc.explanation
        assert report.verdict.summary.startswith(
            "Could not check: the DMARC lookup for mail.strict.example failed temporarily (temperror), and the DKIM "
            "signature by strict.example passes, but aligns with mail.strict.example only if the unknown record "
            "allows relaxed alignment (adkim=s needs the very domain)")
        # The receiver's own trusted fail is said, not contradicted.
        assert report.verdict.summary.endswith(
            "The receiving side (mx.google.com) recorded DMARC fail for mail.strict.example at delivery.")


def test_a_failed_dmarc_lookup_keeps_an_identical_domain_aligned_and_says_a_recorded_fail() -> None:
    # The very From: domain aligns in either mode: still authenticated, but the receiver's recorded
    # dmarc=fail is not silently overridden by the line.
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    raw, dns = _strict_alignment_spoof("strict.example")
    report = headerscope.analyze(raw, resolver=SnapshotResolver({**dns, "_dmarc.strict.example": {"TXT": "TIMEOUT"}}))
    assert report.dmarc is not None and report.dmarc.result == "temperror"
    assert (report.dmarc.dkim_aligned, report.dmarc.aligned_dkim_domain) == (True, "strict.example")
    assert "aligns (the very domain, so in either mode)" in report.dmarc.explanation
    assert report.verdict.status == "authenticated"
    assert report.verdict.summary == (
        "Authenticated as strict.example: DKIM signature by strict.example passes and aligns with From (the DMARC "
        "record lookup failed temporarily). The receiving side (mx.google.com) recorded DMARC fail for "
        "strict.example at delivery.")


def test_a_key_lookup_failure_under_a_strict_record_leaves_the_spoof_spoofed() -> None:
    # adkim=s: a signature by strict.example cannot align with mail.strict.example whether or not its
    # key can be fetched, so its temporary failure leaves nothing unknown (DMARC fails, p=reject).
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    raw, dns = _strict_alignment_spoof()
    report = headerscope.analyze(raw, resolver=SnapshotResolver({**dns, "s1._domainkey.strict.example": "TIMEOUT"}))
    assert report.dmarc is not None and report.dmarc.result == "fail"
    assert report.verdict.status == "spoofed", report.verdict.summary
    # The key lookup's failure is its own finding (dkim.temperror), naming the name and the status.
    [temp] = [f for f in report.findings if f.id == "dkim.temperror"]
    assert temp.severity == Severity.NOTICE
    assert "s1._domainkey.strict.example: TIMEOUT" in temp.explanation


_KEY_TIMEOUT = "key lookup for s1._domainkey.example.com failed: TIMEOUT (try again later)"


def test_a_dkim_key_lookup_failure_is_unknown_not_failing() -> None:
    # Review AF defect 2 (RFC 6376 section 6.1.2, TEMPFAIL): the signature was not found failing.
    unknown = sig("example.com", "s1", 5, result="temperror", code="temperror", reason=_KEY_TIMEOUT)
    v = verdict(dkim=(unknown,), spf=spf_result("pass"), dmarc=dmarc_result("pass", spf_aligned=True))
    assert v.status == "authenticated"
    assert v.summary == ("Authenticated as example.com: SPF passes for example.com from 192.0.2.10 and aligns with "
                         f"From; the aligned DKIM signature by example.com could not be verified: {_KEY_TIMEOUT} "
                         "(DMARC pass).")
    # Under adkim=s a signature by another name of the organisation cannot align, known or not.
    from dataclasses import replace

    sub = replace(sig("mail.example.com", "s1", 5, result="temperror", code="temperror", reason=_KEY_TIMEOUT),
                  aligned_strict=False, alignment_mode="strict")
    v = verdict(dkim=(sub,), spf=spf_result("pass"), dmarc=dmarc_result("pass", spf_aligned=True))
    assert v.summary.endswith("no aligned DKIM signature passes, so a forward would break it (DMARC pass).")
    # Without any signature, the SPF pass is all there is: a forward would break it.
    v = verdict(spf=spf_result("pass"), dmarc=dmarc_result("pass", spf_aligned=True))
    assert v.summary == ("Authenticated as example.com: SPF passes for example.com from 192.0.2.10 and aligns with "
                         "From; the message carries no DKIM signature, so a forward would break it (DMARC pass).")


def test_a_failed_dmarc_lookup_names_what_the_signatures_are() -> None:
    # "and no aligned DKIM signature passes" was said of messages with no signature at all, and of
    # signatures whose key lookup failed.
    failed = dmarc_result("temperror", p=None)
    v = verdict(spf=spf_result("temperror"), dmarc=failed)
    assert v.status == "not_checked"
    assert v.summary == ("Could not check: the DMARC lookup for example.com failed temporarily (temperror), and the "
                         "message carries no DKIM signature; try again later.")
    unknown = sig("example.com", "s1", 5, result="temperror", code="temperror", reason=_KEY_TIMEOUT)
    v = verdict(dkim=(unknown,), spf=spf_result("temperror"), dmarc=failed)
    assert v.summary == ("Could not check: the DMARC lookup for example.com failed temporarily (temperror), and the "
                         f"aligned DKIM signature by example.com could not be verified ({_KEY_TIMEOUT}); try again "
                         "later.")
    broken = sig("example.com", "s1", 5, result="fail", code="body_hash_mismatch", reason="body changed")
    v = verdict(dkim=(broken,), dmarc=failed)
    assert "the aligned DKIM signature by example.com does not pass (fail)" in v.summary


# Exchange Online between two mailboxes of one tenant (real layout, anonymised): an Outlook "mapi"
# submission, mailbox servers handing it on at Microsoft's public addresses named only by their
# greeting, and the AuthAs field Exchange's header firewall removes from mail entering from outside.
_EXO_INTERNAL = b"""Received: from PH0PR16MB4899.namprd16.prod.outlook.com (2603:10b6:510:116::5)
 by MN6PR16MB5305.namprd16.prod.outlook.com with HTTPS; Thu, 18 Apr 2024 16:29:22 +0000
Received: from BLAPR16MB3875.namprd16.prod.outlook.com (2603:10b6:208:27c::13)
 by PH0PR16MB4899.namprd16.prod.outlook.com (2603:10b6:510:116::5) with Microsoft SMTP Server
 (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7472.39; Thu, 18 Apr 2024 16:29:19 +0000
Received: from BLAPR16MB3875.namprd16.prod.outlook.com ([fe80::421c:8611:afcd:6d2b]) by
 BLAPR16MB3875.namprd16.prod.outlook.com ([fe80::421c:8611:afcd:6d2b%5]) with mapi id 15.20.7452.049;
 Thu, 18 Apr 2024 16:29:19 +0000
From: ana@tenant.example
To: luis@tenant.example
Subject: Minutes
Date: Thu, 18 Apr 2024 16:29:19 +0000
Message-ID: <BLAPR16MB387583235FD166A6EAF9933C8B0E2@BLAPR16MB3875.namprd16.prod.outlook.com>
MIME-Version: 1.0
X-MS-Exchange-Organization-AuthSource: BLAPR16MB3875.namprd16.prod.outlook.com
X-MS-Exchange-Organization-AuthAs: Internal
Return-Path: ana@tenant.example
Content-Type: text/plain

See you Thursday.
""".replace(b"\n", b"\r\n")
# The tenant's SPF lists Exchange Online's outbound servers, not its mailbox servers' addresses.
_EXO_DNS = {"tenant.example": {"TXT": [["v=spf1 include:spf.protection.outlook.com -all"]]},
            "spf.protection.outlook.com": {"TXT": [["v=spf1 ip4:40.92.0.0/15 ip6:2a01:111:f400::/48 -all"]]},
            "_dmarc.tenant.example": {"TXT": [["v=DMARC1; p=reject"]]}}


def test_exchange_online_internal_mail_is_not_spoofed_by_a_mailbox_servers_address() -> None:
    # SPF judged the mailbox server 2603:10b6:208:27c::13 and failed: "SPOOFED" for a message one
    # colleague sent another (review AK 07).
    from headerscope.model import Report

    report = _proton(_EXO_INTERNAL, dns=_EXO_DNS)
    assert isinstance(report, Report) and report.spf is not None and report.dmarc is not None
    assert report.verdict.status == "unauthenticated"
    assert report.verdict.summary.startswith("Unauthenticated: sent between Exchange Online mailboxes, by Exchange "
                                             "Online's own marker (X-MS-Exchange-Organization-AuthAs: Internal")
    assert report.spf.result == "fail" and report.spf.explanation.startswith("not applicable: sent between Exchange")
    assert "computed for the record: " in report.dmarc.explanation and report.dmarc.disposition is None
    assert {f.id: f.severity.value for f in report.findings if f.id in ("spf.fail", "dmarc.fail")} == {
        "spf.fail": "info", "dmarc.fail": "info"}
    # The same marker in mail another provider delivered, or with a hop from outside Microsoft, is
    # the sender's text: the failure stands.
    outside = _EXO_INTERNAL.replace(b"Received: from PH0PR16MB4899.namprd16.prod.outlook.com (2603:10b6:510:116::5)\r\n"
                                    b" by MN6PR16MB5305.namprd16.prod.outlook.com with HTTPS;",
                                    b"Received: from evil.example ([203.0.113.9])\r\n by mx.google.com with ESMTPS;")
    spoof = _proton(outside, dns=_EXO_DNS)
    assert isinstance(spoof, Report) and spoof.verdict.status == "spoofed"


def test_an_exchange_mapi_submission_from_a_link_local_address_is_no_hidden_entry() -> None:
    # Review AM 3: Exchange's "with mapi" stamp is an Outlook client logged in to its mailbox; it
    # was "handed in from a private address, no login: may have come from outside", and fe80::
    # was cited as RFC 1918.
    from headerscope.api import analyze

    raw = (b"Received: from MN0PR19MB6312.namprd19.prod.outlook.com ([fe80::9c3a:6f1e:2b1d:44a0]) by "
           b"MN0PR19MB6312.namprd19.prod.outlook.com ([fe80::9c3a:6f1e:2b1d:44a0%3]) with mapi id 15.20.6631.045; "
           b"Wed, 2 Aug 2023 21:31:43 +0000\r\n"
           b"From: Rodrigo <rodrigo@contoso.example>\r\nTo: phishalert@contoso.example\r\nSubject: s\r\n"
           b"Date: Wed, 2 Aug 2023 21:31:43 +0000\r\n\r\nbody\r\n")
    assert "hops.private_entry" not in {f.id for f in analyze(raw, offline=True).findings}
    # Without the submission, the notice names the address's own kind.
    plain = analyze(raw.replace(b"with mapi", b"with ESMTP").replace(b"From: Rodrigo", b"From: R"), offline=True)
    [entry] = [f for f in plain.findings if f.id == "hops.private_entry"]
    assert "(a link-local address, RFC 4291 section 2.5.6)" in entry.explanation


def test_an_exchange_online_marker_in_a_carried_copy_is_the_senders_text() -> None:
    # Verification V13 F3: Exchange's header firewall vouches only for a copy Exchange delivered;
    # the same copy attached to a message from anyone ("CEO request.eml") stays judged.
    import dataclasses

    from headerscope.api import AnalysisOptions, analyze_loaded
    from headerscope.dns.snapshot import SnapshotResolver
    from headerscope.loader import load_bytes

    carried = dataclasses.replace(load_bytes(_EXO_INTERNAL, source="x.eml#attached-1"), attached_path="1")
    report = analyze_loaded(carried, AnalysisOptions(resolver=SnapshotResolver(_EXO_DNS)))
    assert report.verdict.status == "spoofed"
    assert report.dmarc is not None and report.dmarc.disposition is not None


def test_a_from_of_the_recipients_own_organisation_sent_from_outside_is_said() -> None:
    # Review AN 7: CEO fraud's shape: From: the boss at the recipients' own domain, taken from a
    # server outside it, nothing aligned passing (the receiver recorded dmarc=fail).
    from headerscope.api import analyze
    from headerscope.dns.snapshot import SnapshotResolver

    raw = (b"Authentication-Results: mx.corp.example; spf=fail smtp.mailfrom=corp.example; dmarc=fail "
           b"header.from=corp.example\r\n"
           b"Received: from mail.attacker.example (mail.attacker.example [203.0.113.9]) by mx.corp.example "
           b"(Postfix) with ESMTP id 1 for <staff@corp.example>; Mon, 2 Nov 2026 10:00:01 +0000\r\n"
           b"Return-Path: <ceo@corp.example>\r\n"
           b"From: CEO <ceo@corp.example>\r\nTo: staff@corp.example\r\nSubject: urgent wire\r\n"
           b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@attacker.example>\r\n\r\nbody\r\n")
    offline = {f.id: f.severity.value for f in analyze(raw, offline=True).findings}
    assert offline.get("envelope.own_domain_from_outside") == "notice"
    dns = {"corp.example": {"TXT": [["v=spf1 ip4:192.0.2.0/24 -all"]]},
           "_dmarc.corp.example": {"TXT": [["v=DMARC1; p=none"]]}}
    online = {f.id: f.severity.value for f in analyze(raw, resolver=SnapshotResolver(dns)).findings}
    assert online.get("envelope.own_domain_from_outside") == "warning"
    # A colleague's mail through the organisation's own server, or a bounce from its postmaster: no.
    inside = raw.replace(b"from mail.attacker.example (mail.attacker.example [203.0.113.9])",
                         b"from out.corp.example (out.corp.example [192.0.2.5])")
    assert "envelope.own_domain_from_outside" not in {f.id for f in analyze(inside, offline=True).findings}


def test_a_carried_copys_own_records_are_said_to_be_its_attachers() -> None:
    # Verifications V13 F3/F4 and V14: a copy attached to another message is whatever that
    # message's sender attached: no provider marker reads "sent inside", a receiver's pass it
    # holds is said to be its record, and input.attached says so as a notice.
    import dataclasses

    from headerscope.api import AnalysisOptions, analyze_loaded
    from headerscope.loader import load_bytes

    raw = (b"Authentication-Results: mx.google.example; dkim=pass header.d=paypal.example; spf=pass "
           b"smtp.mailfrom=paypal.example; dmarc=pass header.from=paypal.example\r\n"
           b"Received: from mail.paypal.example (mail.paypal.example [192.0.2.10]) by mx.google.example with ESMTPS "
           b"id 1; Mon, 2 Nov 2026 10:00:01 +0000\r\n"
           b"From: PayPal <service@paypal.example>\r\nTo: victim@gmail.example\r\nSubject: confirm\r\n"
           b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@paypal.example>\r\n\r\nbody\r\n")
    carried = dataclasses.replace(load_bytes(raw, source="r.eml#attached-1"), attached_path="1",
                                  carried_in="attached message 1 of r.eml")
    report = analyze_loaded(carried, AnalysisOptions(offline=True))
    [note] = [f for f in report.findings if f.id == "input.attached"]
    assert note.severity.value == "notice" and "anyone can attach a made-up copy" in note.explanation
    exo = dataclasses.replace(load_bytes(_EXO_INTERNAL, source="r.eml#attached-1"), attached_path="1",
                              carried_in="attached message 1 of r.eml")
    assert "Exchange Online mailboxes" not in analyze_loaded(exo, AnalysisOptions(offline=True)).verdict.summary


def test_a_failed_dmarc_lookup_does_not_hide_that_nothing_can_align() -> None:
    # Verification V38d: a groups.io copy of an SES notification (real layout, lfdr.de's copy):
    # the envelope sender is the list's, no DKIM signature, From: another organisation. With the
    # _dmarc lookup timing out, the line said "Could not check ... try again later", though no
    # identity in the message can align: that needs no DNS, as offline already said.
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    raw = (b"Return-Path: <bounce+64575+210129@lists.cip-project.example>\r\n"
           b"Delivered-To: lists@lfdr.example\r\n"
           b"Received: from mail01.groups.example (web01.groups.example [66.175.222.12])\r\n"
           b"\tby mail.lfdr.example (Postfix) with ESMTPS id 2BC02762BDF\r\n"
           b"\tfor <lists@lfdr.example>; Wed, 26 Jul 2023 08:48:31 +0200 (CEST)\r\n"
           b"From: noreply@ciplatform.example\r\nTo: results@lists.cip-project.example\r\n"
           b"Subject: s\r\nDate: Wed, 26 Jul 2023 06:48:28 +0000\r\n"
           b"List-Id: <results.lists.cip-project.example>\r\nSender: results@lists.cip-project.example\r\n\r\nbody\r\n")
    dns = {"lists.cip-project.example": {"TXT": [["v=spf1 ip4:66.175.222.0/24 -all"]]}}
    timed_out = headerscope.analyze(raw, resolver=SnapshotResolver(
        {**dns, "_dmarc.ciplatform.example": {"TXT": "TIMEOUT"}}))
    assert timed_out.dmarc is not None and timed_out.dmarc.result == "temperror"
    assert timed_out.verdict.status == "unauthenticated", timed_out.verdict.summary
    assert "cannot pass, whatever DNS says" in timed_out.verdict.summary
    assert timed_out.verdict.summary.endswith(
        "Whether it asks receivers to reject such mail is unknown: its DMARC lookup failed temporarily.")
    assert headerscope.analyze(raw, offline=True).verdict.status == "unauthenticated"


def test_a_signature_that_leaves_out_the_subject_authenticates_only_with_spf() -> None:
    # Libero signs "h=From;": a genuine signed message replayed from anywhere with a new Subject
    # verifies as well (V47c D1-2). Only the domain's own aligned SPF pass shows its server sent
    # this copy, as for text after l=.
    from_only = replace(PASSING_DKIM, unsigned_headers=("subject",))
    v = verdict(dkim=(from_only,), dmarc=DMARC_PASS_DKIM)
    assert v.status == "suspicious" and "covers the Subject" in v.summary, v.summary
    v = verdict(dkim=(from_only,), spf=spf_result("pass"), dmarc=DMARC_PASS_DKIM)
    assert v.status == "authenticated", v.summary
    # A signature that covers it: authenticated by DKIM alone, as before.
    v = verdict(dkim=(PASSING_DKIM,), dmarc=DMARC_PASS_DKIM)
    assert v.status == "authenticated", v.summary
