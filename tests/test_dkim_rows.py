"""What the DKIM and SPF rows say beside the DMARC row, end to end: alignment in the mode the DMARC
record asks (adkim=/aspf=), signatures limited by l=, testing keys (t=y) and rsa-sha1."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from test_dkim import MESSAGE, NOW, crlf, rsa_dns, rsa_key, sign, verify
from test_recorded import _gmail_recorded, sig

from headerscope.api import analyze
from headerscope.auth.recorded import compare
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report
from headerscope.render.html import HtmlRenderer
from headerscope.render.markdown import MarkdownRenderer
from headerscope.render.terminal import TerminalRenderer

CLIENT = "192.0.2.77"


def message(from_address: str, body: bytes = b"Your statement is ready.\r\n") -> bytes:
    return crlf(b"From: Billing <" + from_address.encode() + b""">
To: Bob <bob@example.net>
Subject: Your statement
Date: Mon, 12 Jan 2026 10:00:00 +0000
Message-ID: <1@example.com>

""") + body


def zone(dmarc: str, *, spf: str = f"v=spf1 ip4:{CLIENT} -all", key_extra: str = "") -> dict[str, Any]:
    return {**rsa_dns(1024, extra=key_extra),
            "example.com": {"TXT": [[spf]]},
            "_dmarc.example.com": {"TXT": [[dmarc]]}}


def run(raw: bytes, dns: dict[str, Any], mail_from: str = "bounce@example.com") -> Report:
    return analyze(raw, resolver=SnapshotResolver(dns), client_ip=CLIENT, mail_from=mail_from,
                   helo="out.example.com", now=NOW)


def terminal(report: Report) -> str:
    return " ".join(TerminalRenderer(color=False, width=400).render(report).split())


# ------------------------------------------------------------------ adkim=s / aspf=s


def test_rows_follow_the_strict_alignment_the_dmarc_record_asks() -> None:
    # From: a subdomain, signer and envelope the organisational domain: relaxed alignment holds,
    # strict does not (RFC 7489 sections 3.1.1 and 3.1.2), and the record asks strict.
    raw = sign(message("billing@mail.example.com"), key=rsa_key(1024))
    report = run(raw, zone("v=DMARC1; p=reject; adkim=s; aspf=s"))
    assert report.dmarc is not None and report.dmarc.result == "fail"
    [sig] = report.dkim
    assert (sig.result, sig.aligned, sig.aligned_strict, sig.alignment_mode) == ("pass", True, False, "strict")
    assert sig.aligned_by_mode is False
    assert report.spf is not None and report.spf.result == "pass"
    assert (report.spf.aligned, report.spf.aligned_strict, report.spf.aligned_by_mode) == (True, False, False)
    text = terminal(report)
    assert "1024-bit key, aligned (relaxed) with From but not strictly, as its DMARC record asks (adkim=s)" in text
    assert "domain example.com aligned (relaxed) with From but not strictly, as its DMARC record asks (aspf=s)" \
        in text
    assert "1024-bit key, aligned with From" not in text and "domain example.com aligned with From" not in text
    # The headline names the signer that passes without aligning, as the DMARC row does.
    assert report.verdict.status == "spoofed"
    assert "DKIM passes only for example.com" in report.verdict.summary
    assert "aligned (relaxed) with From but not strictly" in MarkdownRenderer().render(report)
    page = HtmlRenderer().render(report)
    assert "aligned (relaxed) with From but not strictly" in page


def test_rows_under_relaxed_alignment_and_strict_alignment_that_holds() -> None:
    raw = sign(message("billing@mail.example.com"), key=rsa_key(1024))
    report = run(raw, zone("v=DMARC1; p=reject"))
    assert report.dmarc is not None and report.dmarc.result == "pass"
    assert report.dkim[0].alignment_mode == "relaxed" and report.dkim[0].aligned_by_mode is True
    assert "1024-bit key, aligned with From" in terminal(report)
    raw = sign(message("billing@example.com"), key=rsa_key(1024))
    report = run(raw, zone("v=DMARC1; p=reject; adkim=s; aspf=s"))
    assert report.dmarc is not None and report.dmarc.result == "pass"
    text = terminal(report)
    assert "1024-bit key, aligned (strict) with From" in text
    assert "domain example.com aligned (strict) with From" in text


# ------------------------------------------------------------------ l= (RFC 6376 section 8.2)

APPENDED = b"URGENT: our bank details changed, pay to IBAN XX00 0000 0000 0000 0000 00.\r\n"


def test_text_appended_after_an_l_signature_is_said_on_the_row_and_makes_the_headline_suspicious() -> None:
    signed = sign(message("billing@example.com"), key=rsa_key(1024), length=True)
    report = run(signed + APPENDED, zone("v=DMARC1; p=reject", spf="v=spf1 -all"))
    assert report.dmarc is not None and report.dmarc.result == "pass"
    [sig] = report.dkim
    length = len(b"Your statement is ready.\r\n")
    assert (sig.result, sig.body_length, sig.unsigned_body_bytes, sig.unsigned_body_text) == (
        "pass", length, len(APPENDED), True)
    assert sig.reason == (f"signature verifies for the first {length} body bytes (l=); {len(APPENDED)} later bytes "
                          "are signed by nobody")
    assert "body unchanged" not in terminal(report)
    assert report.verdict.status == "suspicious"
    assert f"but {len(APPENDED)} body bytes at the end are covered by no signature of example.com's (l=)" \
        in report.verdict.summary
    assert any(f.id == "dkim.unsigned_body" for f in report.findings)


def test_an_unaligned_full_body_signature_does_not_cover_the_tail_of_an_aligned_l_signature() -> None:
    # The l= attack with the attacker's own signature over the whole body added (review V5, L1):
    # another domain's signature vouches for nothing about the From: domain.
    replayed = sign(message("billing@example.com"), key=rsa_key(1024), length=True) + APPENDED
    attacker = sign(replayed, key=rsa_key(2048), domain="attacker.example", selector="a1")
    dns = {**zone("v=DMARC1; p=reject", spf="v=spf1 -all"),
           **rsa_dns(2048, name="a1._domainkey.attacker.example")}
    report = run(attacker, dns)
    assert sorted((s.domain, s.result) for s in report.dkim) == [("attacker.example", "pass"), ("example.com", "pass")]
    assert report.verdict.status == "suspicious"
    assert "covered by no signature of example.com's (l=)" in report.verdict.summary


def test_an_l_signature_with_white_space_after_it_or_an_aligned_spf_pass_stays_authenticated() -> None:
    # c=relaxed/simple keeps a line of spaces (RFC 6376 section 3.4.3): five bytes of white space.
    signed = sign(message("billing@example.com"), key=rsa_key(1024), length=True, canon="relaxed/simple")
    report = run(signed + b"   \r\n", zone("v=DMARC1; p=reject", spf="v=spf1 -all"))
    [sig] = report.dkim
    assert (sig.unsigned_body_bytes, sig.unsigned_body_text) == (5, False)
    assert sig.reason.endswith("5 later bytes are signed by nobody (white space only)")
    assert report.verdict.status == "authenticated"
    assert report.verdict.summary.endswith(
        "but 5 body bytes at the end (white space) are covered by no DKIM signature of example.com's (l=).")
    # The domain's own server sent it (SPF passes aligned): authenticated, the tail still said.
    signed = sign(message("billing@example.com"), key=rsa_key(1024), length=True)
    report = run(signed + APPENDED, zone("v=DMARC1; p=reject"))
    assert report.verdict.status == "authenticated"
    assert f"but {len(APPENDED)} body bytes at the end (text) are covered by no DKIM signature" \
        in report.verdict.summary
    # A signature without l= says the body is unchanged, and the headline nothing more.
    report = run(sign(message("billing@example.com"), key=rsa_key(1024)), zone("v=DMARC1; p=reject"))
    assert report.dkim[0].reason == "signature verifies: signed headers and body unchanged"
    assert report.verdict.summary.endswith("(DMARC pass).")


# ------------------------------------------------------------------ t=y (RFC 6376 section 3.6.1)


def test_a_testing_key_does_not_contradict_the_dmarc_pass_it_gives() -> None:
    raw = sign(message("support@example.com"), key=rsa_key(1024))
    report = run(raw, zone("v=DMARC1; p=reject", spf="v=spf1 -all", key_extra=" t=y;"))
    assert report.dmarc is not None and report.dmarc.result == "pass"
    [sig] = report.dkim
    assert (sig.result, sig.reason_code, sig.key_testing) == ("pass", "key_testing", True)
    assert sig.reason == (
        "signature verifies: signed headers and body unchanged; the signer flags this key as testing (t=y): "
        "RFC 6376 section 3.6.1 asks verifiers not to treat its mail differently from unsigned mail, yet DMARC "
        "receivers still count a passing signature")
    assert "must treat the message as unsigned" not in terminal(report)


def test_a_testing_key_refused_for_another_reason_still_says_t_y() -> None:
    raw = sign(message("support@example.com"), key=rsa_key(512))
    dns = {**zone("v=DMARC1; p=reject"), **rsa_dns(512, extra=" t=y;")}
    [sig] = run(raw, dns).dkim
    assert (sig.result, sig.reason_code, sig.key_testing) == ("policy", "weak_key", True)
    assert sig.reason.endswith("the signature itself verifies; the signer flags this key as testing (t=y): RFC 6376 "
                               "section 3.6.1 asks verifiers not to treat its mail differently from unsigned mail")


# ------------------------------------------------------------------ rsa-sha1 (RFC 8301 section 3.1)


def test_an_rsa_sha1_signature_that_fails_says_verifiers_refuse_rsa_sha1_anyway() -> None:
    # The key at the selector was replaced since (real for 2017 senders): the mismatch is the fact,
    # the RFC 8301 rule is said beside it.
    raw = sign(MESSAGE, key=rsa_key(1024), algorithm="rsa-sha1")
    (sig,), findings = verify(raw, rsa_dns(2048))
    assert (sig.result, sig.reason_code) == ("fail", "signature_mismatch")
    assert any(f.id == "dkim.headers_changed" for f in findings)
    assert sig.reason.endswith("; signed with rsa-sha1, which verifiers no longer accept whatever the key "
                               "(RFC 8301 section 3.1, 2018)")


def test_a_recorded_pass_of_a_verifying_rsa_sha1_signature_is_a_rule_change_not_a_modification() -> None:
    ours = sig("example.com", "s1", 10, result="permerror", code="rsa_sha1",
               reason="signed with rsa-sha1, which verifiers must no longer accept (RFC 8301 section 3.1); the "
                      "signature itself verifies")
    comparisons, _ = compare(_gmail_recorded(), dkim=(replace(ours, algorithm="rsa-sha1"),), spf=None, dmarc=None,
                             arc=None)
    dkim = next(c for c in comparisons if c.method == "dkim")
    assert dkim.label == "different"
    assert dkim.explanation == (
        "mx.google.com verified this signature at delivery; its signature still verifies now, but verifiers no "
        "longer accept rsa-sha1 (RFC 8301 section 3.1, 2018), so the recorded pass cannot be reproduced: the rules "
        "changed since, which says nothing of a change to the message.")
    # A mismatch stays a mismatch (rsa-sha1 refusal does not cause one), with the rule said first.
    broken = replace(ours, algorithm="rsa-sha1", result="fail", reason_code="signature_mismatch",
                     reason="signed headers changed since signing (or the key at s1._domainkey.example.com was "
                            "replaced); signed with rsa-sha1, which verifiers no longer accept whatever the key")
    comparisons, _ = compare(_gmail_recorded(), dkim=(broken,), spf=None, dmarc=None, arc=None)
    dkim = next(c for c in comparisons if c.method == "dkim")
    assert dkim.label == "modified_after_delivery"
    assert "uses rsa-sha1, which verifiers no longer accept (RFC 8301 section 3.1, 2018)" in dkim.explanation
    assert "or the key at the selector was replaced since" in dkim.explanation


def test_the_rsa_sha1_notice_names_the_aligned_passing_signature_verifiers_use() -> None:
    # Signed (bottom to top) with rsa-sha1 by the From: domain, rsa-sha256 by an ESP and rsa-sha256 by
    # the From: domain: the notice names the aligned one, which DMARC counts.
    raw = sign(message("billing@example.com"), key=rsa_key(1024), selector="s1")
    raw = sign(raw, key=rsa_key(1024), domain="esp.example", selector="esp")
    raw = sign(raw, key=rsa_key(1024), algorithm="rsa-sha1", selector="old")
    dns = {**zone("v=DMARC1; p=reject"), **rsa_dns(1024, name="esp._domainkey.esp.example"),
           **rsa_dns(1024, name="old._domainkey.example.com")}
    report = run(raw, dns)
    assert [(s.domain, s.selector, s.result) for s in report.dkim] == [
        ("example.com", "old", "permerror"), ("esp.example", "esp", "pass"), ("example.com", "s1", "pass")]
    [weak] = [f for f in report.findings if f.id == "dkim.weak_crypto"]
    assert weak.severity.value == "notice"
    assert weak.explanation.endswith("the message also carries a rsa-sha256 signature (d=example.com, aligned with "
                                     "From), which verifiers use")


def test_offline_rows_say_the_body_hash_matches_in_every_format() -> None:
    # RFC 6376 section 3.7: the body hash needs no key, so offline it is still known; every format
    # says it in the row, while the result stays "not checked" (nothing passes without the key).
    from headerscope.dns.offline import OfflineResolver

    raw = sign(message("billing@example.com"), key=rsa_key(1024))
    report = analyze(raw, resolver=OfflineResolver(), now=NOW)
    [row] = report.dkim
    assert (row.result, row.body_hash_ok) == ("not_checked", True)
    words = "body hash matches: the body is unchanged since signing, if the signature is genuine"
    assert f"DKIM #1 │ not checked │ d=example.com s=s1, rsa-sha256, aligned with From, not checked (offline); " \
           f"{words}" in terminal(report)
    # The verdict line quotes the reason, never the body-hash words (a forger writes its own hash).
    assert "body hash" not in report.verdict.summary
    assert words in MarkdownRenderer().render(report)
    assert words in HtmlRenderer().render(report)


def test_the_rows_told_the_mode_are_what_dataclasses_replace_builds() -> None:
    # api._with_alignment_mode tells the rows the mode with _value.replace, which copies the
    # row's __dict__ instead of calling __init__: the same object, field order (which the JSON
    # follows) included.
    from headerscope._value import replace as value_replace

    raw = sign(message("billing@mail.example.com"), key=rsa_key(1024))
    report = run(raw, zone("v=DMARC1; p=reject; adkim=s; aspf=s"))
    assert report.spf is not None
    for row in (*report.dkim, report.spf):
        for mode in ("strict", "relaxed"):
            made = value_replace(row, alignment_mode=mode)
            expected = replace(row, alignment_mode=mode)
            assert made == expected and type(made) is type(expected)
            assert list(made.__dict__.items()) == list(expected.__dict__.items())
            assert made.alignment_mode == mode and made is not row
