"""An rsa-sha1 DKIM signature is judged by the era of the message's receipt: before RFC 8301
(January 2018) rsa-sha1 was one of RFC 6376's two algorithms (section 3.3), so on mail the
receiving side stamped before 2018 it is historic (info); on later mail a warning. The era comes
from the receiving side's trusted Received stamp only (headerscope/era.py), never from a date
the sender writes (Date:, t=), which can only keep the warning."""

from __future__ import annotations

from datetime import datetime, timezone

from test_dkim import crlf, rsa_dns, rsa_key, sign

from headerscope.api import analyze
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Finding, Report

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


def _message(date: str) -> bytes:
    return crlf(f"""From: Alice <alice@example.com>
To: Bob <bob@example.net>
Subject: Quarterly figures
Date: {date}
Message-ID: <1@example.com>

Hello Bob,
the figures are attached.
""".encode())


def _received(stamp: str, relay_stamp: str) -> bytes:
    # The receiver's stamp on top (hop 2, trusted), the sender's relay's below it: Sendmail's form.
    return crlf(f"""Received: from relay.example.com (relay.example.com [192.0.2.7])
	by mx.example.net (8.15.2/8.15.2) with ESMTP id 1A2B3C; {stamp}
Received: from host.example.com by relay.example.com (8.15.2/8.15.2) id 4D5E6F; {relay_stamp}
""".encode())


def _signed(date: str = "Tue, 14 Jun 2016 10:00:00 +0000", *, extra: str = "") -> bytes:
    return sign(_message(date), key=rsa_key(1024), algorithm="rsa-sha1", extra=extra)


def _run(raw: bytes, *, offline: bool = False) -> Report:
    if offline:
        return analyze(raw, offline=True, now=NOW)
    return analyze(raw, resolver=SnapshotResolver(rsa_dns(1024)), now=NOW)


def _weak(report: Report) -> Finding:
    [weak] = [f for f in report.findings if f.id == "dkim.weak_crypto"]
    return weak


RECEIVED_2016 = _received("Tue, 14 Jun 2016 10:00:09 +0000", "Tue, 14 Jun 2016 10:00:03 +0000")
RECEIVED_2019 = _received("Fri, 14 Jun 2019 10:00:09 +0000", "Fri, 14 Jun 2019 10:00:03 +0000")


def test_rsa_sha1_on_mail_received_before_rfc_8301_is_historic() -> None:
    report = _run(RECEIVED_2016 + _signed())
    [sig] = report.dkim
    # The result stays: a verifier today rejects it.
    assert (sig.result, sig.reason_code) == ("permerror", "rsa_sha1")
    weak = _weak(report)
    assert weak.severity.value == "info"
    assert weak.title == "DKIM signature uses rsa-sha1 (historic algorithm, normal when sent)"
    assert weak.explanation.endswith(
        "The message was received 2016-06-14 (hop 2's Received stamp, written by the receiving side's "
        "mx.example.net), before RFC 8301 (January 2018) retired rsa-sha1: it was one of RFC 6376's two "
        "algorithms (section 3.3) and normal when the message was sent; a verifier today rejects it")
    # Offline the algorithm alone decides it, and the era the same.
    assert _weak(_run(RECEIVED_2016 + _signed(), offline=True)).severity.value == "info"


def test_rsa_sha1_on_mail_received_since_rfc_8301_stays_a_warning() -> None:
    weak = _weak(_run(RECEIVED_2019 + _signed("Fri, 14 Jun 2019 10:00:00 +0000")))
    assert (weak.severity.value, weak.title) == ("warning", "DKIM signature uses rsa-sha1")


def test_a_date_the_sender_writes_never_lowers_it() -> None:
    # No Received field: only the sender's Date: of 2016, which a forger writes.
    assert _weak(_run(_signed())).severity.value == "warning"
    # A Date: or a t= of 2018 or later beside a 2016 stamp: the dates disagree, today's rule holds.
    assert _weak(_run(RECEIVED_2016 + _signed("Fri, 14 Jun 2019 10:00:00 +0000"))).severity.value == "warning"
    signed_2019 = f" t={int(datetime(2019, 6, 14, tzinfo=timezone.utc).timestamp())};"
    # (A t= years after the receiving side's stamp is refused first, as signed in the future; the
    # rsa-sha1 refusal is said beside it, never lowered to the historic information.)
    later = _run(RECEIVED_2016 + _signed(extra=signed_2019))
    [sig] = later.dkim
    assert sig.reason_code == "future_timestamp" and "rsa-sha1" in sig.reason
    assert not sig.rsa_sha1_accepted_at_delivery
    assert not [f for f in later.findings if f.id == "dkim.weak_crypto" and f.severity.value == "info"]


def test_a_changed_body_is_still_a_warning_beside_the_historic_algorithm() -> None:
    # Offline rsa-sha1 is refused before the key is asked; its body mismatch gets its own finding,
    # so lowering the algorithm's finding does not take the changed body down with it.
    raw = RECEIVED_2016 + _signed().replace(b"the figures are", b"the figures were")
    report = _run(raw, offline=True)
    assert _weak(report).severity.value == "info"
    [changed] = [f for f in report.findings if f.id == "dkim.body_changed"]
    assert changed.severity.value == "warning" and changed.subject == "dkim example.com/s1"


def test_a_recorded_pass_of_a_verifying_rsa_sha1_signature_is_authenticated_at_delivery() -> None:
    # Verification V26: a 2016 message the receiving side recorded dkim=pass and dmarc=pass for
    # read "Spoofed" (p=reject), though its rsa-sha1 signature still verifies, body and signed
    # header fields: the rules changed since (RFC 8301, 2018), not the message.
    recorded = crlf(b"""Authentication-Results: mx.example.net;
 dkim=pass header.d=example.com header.s=s1;
 spf=none smtp.mailfrom=bounce.other.example;
 dmarc=pass header.from=example.com
""")
    records = {**rsa_dns(1024), "_dmarc.example.com": {"TXT": [["v=DMARC1; p=reject"]]}}
    raw = recorded + RECEIVED_2016 + _signed()
    report = analyze(raw, resolver=SnapshotResolver(records), now=NOW)
    [sig] = report.dkim
    assert (sig.result, sig.reason_code, sig.body_hash_ok) == ("permerror", "rsa_sha1", True)
    [dmarc] = [c for c in report.comparison if c.method == "dmarc"]
    assert (dmarc.recorded, dmarc.label) == ("pass", "rules_changed")
    assert report.verdict.status == "authenticated"
    assert report.verdict.summary.startswith("Authenticated as example.com at delivery: the receiving side "
                                             "(mx.example.net) recorded a pass; it fails now only because verifiers "
                                             "refuse its rsa-sha1 DKIM signature since RFC 8301 (2018)")
    # A changed body is a change, whatever the algorithm: not the rules.
    changed = analyze(recorded + RECEIVED_2016 + _signed().replace(b"the figures are", b"the figures were"),
                      resolver=SnapshotResolver(records), now=NOW)
    assert changed.verdict.status != "authenticated"


RECORDED_PASS = crlf(b"""Authentication-Results: mx.example.net;
 dkim=pass header.d=example.com header.s=s1;
 spf=none smtp.mailfrom=bounce.other.example;
 dmarc=pass header.from=example.com
""")


def _with_policy(bits: int = 1024) -> SnapshotResolver:
    return SnapshotResolver({**rsa_dns(bits), "_dmarc.example.com": {"TXT": [["v=DMARC1; p=reject"]]}})


def test_only_a_signature_whose_one_fault_is_rsa_sha1_on_mail_of_its_era_is_a_rule_change() -> None:
    # Verification V27: rsa-sha1 was judged before every other rule, so a 512-bit key, an x= passed
    # before delivery, a t= after it, and text appended after l= all read "Authenticated at delivery
    # ... fails now only because verifiers refuse rsa-sha1"; so did mail delivered since 2018.
    def verdict(raw: bytes, bits: int = 1024) -> tuple[str, str, str]:
        report = analyze(RECORDED_PASS + raw, resolver=_with_policy(bits), now=NOW)
        [sig] = report.dkim
        [dmarc] = [c for c in report.comparison if c.method == "dmarc"]
        return sig.reason_code, dmarc.label, report.verdict.status

    assert verdict(RECEIVED_2016 + _signed()) == ("rsa_sha1", "rules_changed", "authenticated")
    weak = sign(_message("Tue, 14 Jun 2016 10:00:00 +0000"), key=rsa_key(512), algorithm="rsa-sha1")
    assert verdict(RECEIVED_2016 + weak, bits=512)[0] == "weak_key"
    expired = _signed(extra=f" x={int(datetime(2016, 6, 1, tzinfo=timezone.utc).timestamp())};")
    assert verdict(RECEIVED_2016 + expired)[:2] == ("expired", "different")
    future = _signed(extra=f" t={int(datetime(2017, 6, 14, tzinfo=timezone.utc).timestamp())};")
    assert verdict(RECEIVED_2016 + future)[0] == "future_timestamp"
    appended = sign(_message("Tue, 14 Jun 2016 10:00:00 +0000"), key=rsa_key(1024), algorithm="rsa-sha1",
                    length=True) + b"Pay the new account: XX00 1234.\r\n"
    assert verdict(RECEIVED_2016 + appended)[1:] != ("rules_changed", "authenticated")
    # Delivered in 2019, after RFC 8301: the rules did not change since delivery.
    later = RECEIVED_2019 + _signed("Fri, 14 Jun 2019 10:00:00 +0000")
    assert verdict(later)[1:] != ("rules_changed", "authenticated")


def test_on_a_copy_without_the_signed_body_rsa_sha1_of_its_era_cannot_be_checked() -> None:
    # An Outlook .msg of a 2016 message (its body Outlook's text): the signed header fields verify,
    # the body cannot be checked, and rsa-sha1 was accepted then, so the signature is "cannot be
    # checked" (its refusal today said), and the receiver's recorded pass leads the verdict.
    from msgfile import msg_bytes

    from headerscope.api import AnalysisOptions, analyze_loaded
    from headerscope.loader import load_bytes

    header, _, body = (RECORDED_PASS + RECEIVED_2016 + _signed()).partition(b"\r\n\r\n")
    loaded = load_bytes(msg_bytes(header.decode() + "\r\n", body.decode() + "\r\nSent from Outlook\r\n",
                                  embedded=False), source="x.msg")
    report = analyze_loaded(loaded, AnalysisOptions(resolver=_with_policy(), now=NOW))
    [sig] = report.dkim
    assert (sig.result, sig.reason_code) == ("neutral", "body_uncheckable") and "rsa-sha1" in sig.reason
    assert report.verdict.status == "not_checked" and "recorded DMARC pass" in report.verdict.summary


def test_rsa_sha1_of_its_era_without_a_record_or_a_body_is_no_forgery() -> None:
    # Verification V28: a genuine 2016 message whose rsa-sha1 signature verifies, with no receiver
    # record, read "Spoofed" beside the finding that rsa-sha1 was normal then; a header-only paste
    # of it read "Spoofed" where an rsa-sha256 one reads "Could not check".
    bounce = crlf(b"Return-Path: <bounce@bounce.other.example>\n")  # SPF none: DMARC rests on the signature
    whole = analyze(bounce + RECEIVED_2016 + _signed(), resolver=_with_policy(), now=NOW)
    assert whole.verdict.status == "unauthenticated"
    assert whole.verdict.summary.startswith("Unauthenticated by today's rules only: the DKIM signature by example.com "
                                            "verifies, body and signed header fields, with rsa-sha1")
    header_only = (RECORDED_PASS + RECEIVED_2016 + _signed()).partition(b"\r\n\r\n")[0] + b"\r\n"
    pasted = analyze(header_only, resolver=_with_policy(), now=NOW)
    [sig] = pasted.dkim
    assert (sig.result, sig.reason_code) == ("neutral", "no_body") and "rsa-sha1" in sig.reason
    assert pasted.verdict.status == "not_checked"
    # Since 2018 rsa-sha1 is refused whatever the copy: a header alone of 2019 mail still fails it.
    later = (RECEIVED_2019 + _signed("Fri, 14 Jun 2019 10:00:00 +0000")).partition(b"\r\n\r\n")[0] + b"\r\n"
    [sig] = analyze(later, resolver=_with_policy(), now=NOW).dkim
    assert sig.reason_code == "rsa_sha1"


def test_a_recorded_pass_of_an_expired_signature_is_read_by_what_is_known_of_delivery() -> None:
    # Verification V28 D1: the words pasted the signature's reason after "had passed", and a copy
    # whose delivery time is not known was called a replay. Expired before a known delivery: the
    # pass does not hold; delivery unknown: expired by now, maybe since.
    from headerscope.auth.recorded import _label_dkim
    from headerscope.model import DkimSignatureResult, RecordedResult

    def sig(reason: str) -> DkimSignatureResult:
        return DkimSignatureResult(index=0, header_index=3, domain="example.com", selector="s1", algorithm="rsa-sha256",
                                   canonicalization="relaxed/relaxed", signed_headers=("from",), body_length=None,
                                   timestamp=None, expiration="2026-01-19T10:00:00Z", key_bits=1024, key_testing=False,
                                   result="policy", reason=reason, reason_code="expired", aligned=True,
                                   aligned_strict=True, auid=None)
    recorded = RecordedResult(header="Authentication-Results", header_index=0, authserv_id="mx.example.net",
                              method="dkim", result="pass", properties=(), reason=None, trusted=True)
    before = _label_dkim("example.com/s1", recorded, sig(
        "signature expired (2026-01-19T10:00:00Z) before delivery (2026-10-31T10:00:09Z); otherwise it verifies"))
    assert before.label == "different"
    assert "expiry (2026-01-19T10:00:00Z) had passed before it was delivered" in before.explanation
    unknown = _label_dkim("example.com/s1", recorded, sig(
        "signature expired (2026-01-19T10:00:00Z) before now (2026-11-01T00:00:00Z); otherwise it verifies"))
    assert unknown.label == "expired_since" and "When it was delivered is not known here" in unknown.explanation


def test_the_era_of_rsa_sha1_excuses_nothing_but_the_algorithm() -> None:
    # Verification V29: a Subject added above the signed one on 2016 rsa-sha1 mail read
    # "Unauthenticated by today's rules only ... not for a change to the message" (and with the
    # receiver's recorded pass "Authenticated at delivery"), and its unsigned Subject went unsaid;
    # a receiver's own recorded DMARC fail from then was passed over too.
    bounce = crlf(b"Return-Path: <bounce@bounce.other.example>\n")
    added = crlf(b"Subject: URGENT: new bank details\n")
    for recorded in (b"", RECORDED_PASS):
        report = analyze(recorded + bounce + RECEIVED_2016 + added + _signed(), resolver=_with_policy(), now=NOW)
        assert report.verdict.status in ("spoofed", "suspicious")
        assert "subject" in report.dkim[0].unsigned_headers
        assert "dkim.unsigned_header" in {f.id for f in report.findings}
    recorded_fail = crlf(b"""Authentication-Results: mx.example.net;
 dkim=fail header.d=example.com header.s=s1;
 dmarc=fail header.from=example.com
""")
    report = analyze(recorded_fail + bounce + RECEIVED_2016 + _signed(), resolver=_with_policy(), now=NOW)
    assert not report.verdict.summary.startswith("Unauthenticated by today's rules only")
