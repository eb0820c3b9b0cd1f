"""A recorded pass beside a key record used now that is revoked and one of several DKIM key records
at its selector (verification V43c, arc45): RFC 6376 section 3.6.2.2 leaves the result undefined and
section 6.1.2 lets a verifier use any of them, so the receiver may have used another record. The
comparison, DMARC's override words and the verdict said "revoked in DNS" / "changed in DNS since
delivery", a DNS change that need not have happened. ARC chains are signed here with dkimpy's
arc_sign and keys made for the test (test_arc_trust's kit); the DKIM signature is the direct
sample's, signed with its real key.

The other records are tried when the one used does not verify (RFC 6376 section 6.1.2; at most four
key records in all: test_key_records_cycle), so a revoked record first beside the real key verifies
now; the receiver may have used another only when records were left untried: here the real key
comes fifth, after three other keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_arc_trust import GMAIL_OVERRIDE, NOW, _Kit, _run

from headerscope.api import analyze
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Comparison, Finding, Report

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
REVOKED = ["v=DKIM1; k=rsa; p="]
OLD_WORDS = ("revoked in DNS", "changed in DNS since delivery", "removed, revoked or changed since",
             "DNS changed since delivery", "rotated")


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> _Kit:
    return _Kit(tmp_path_factory.mktemp("arc-keys"))


def _others(kit: _Kit) -> list[list[str]]:
    """Three key records of other keys: tried after the revoked one, leaving a fifth untried."""
    return [kit.record(f"other{number}")["TXT"][0] for number in range(3)]


def _comparison(report: Report, method: str) -> Comparison:
    [item] = [c for c in report.comparison if c.method == method]
    return item


def _findings(report: Report, prefix: str) -> dict[str, Finding]:
    return {f.id: f for f in report.findings if f.id.startswith(prefix)}


def _says_another(text: str) -> None:
    assert "may have used another" in text or "may have verified the signature with another" in text, text
    for words in OLD_WORDS:
        assert words not in text, (words, text)


@pytest.mark.parametrize("name", ["arc-2026._domainkey.uni.example", "arc-20240605._domainkey.google.com"],
                         ids=["seal-i1", "ams-i2"])
def test_a_revoked_arc_key_record_among_several_is_not_said_to_be_a_dns_change(kit: _Kit, name: str) -> None:
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    key = dns[name]["TXT"][0]
    report = _run(raw, {**dns, name: {"TXT": [REVOKED, *_others(kit), key]}})
    assert report.arc is not None and (report.arc.result, report.arc.reason_code) == ("fail", "key_revoked")
    assert report.arc.key_among_several
    arc = _comparison(report, "arc")
    assert arc.label == "key_among_several", arc
    _says_another(arc.explanation)
    assert "RFC 6376 section 6.1.2" in arc.explanation
    recorded = _findings(report, "recorded.")
    assert "recorded.dns_drift" not in recorded
    assert "one of several" in recorded["recorded.key_among_several"].title
    # DMARC's words on the receiver's override, and the verdict: the receiver's pass still stands.
    [dmarc_fail] = [f for f in report.findings if f.id == "dmarc.fail"]
    tail = dmarc_fail.explanation.split("It recorded arc=pass at delivery", 1)[1]
    _says_another(tail)
    assert report.verdict.status == "vouched", report.verdict.summary
    _says_another(report.verdict.summary.split("It recorded arc=pass at delivery", 1)[1])


@pytest.mark.parametrize("records", [[REVOKED], [["v=spf1 -all"], REVOKED]], ids=["only", "beside-spf"])
def test_the_only_revoked_arc_key_record_is_still_a_dns_change(kit: _Kit, records: list[list[str]]) -> None:
    # One key record (an SPF record beside it is discarded, RFC 6376 section 3.6.1): nothing else a
    # receiver could have used, so the words stay those of a key revoked since delivery.
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    report = _run(raw, {**dns, "arc-2026._domainkey.uni.example": {"TXT": records}})
    assert report.arc is not None and report.arc.reason_code == "key_revoked"
    assert not report.arc.key_among_several
    assert _comparison(report, "arc").label == "dns_drift"
    assert "revoked in DNS" in report.verdict.summary and report.verdict.status == "vouched"


def test_a_body_changed_beside_a_revoked_arc_key_record_among_several_still_fails(kit: _Kit) -> None:
    # Edited after Gmail's delivery (V39d t1): the change needs no key to be seen, and a revoked
    # record first at the last sealer's selector excuses nothing.
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE, list_sealer=True)
    raw = raw.replace(b"Your statement is ready.", b"Your statement is ready at https://bank.example.evil/.")
    name = "arc-20240605._domainkey.google.com"
    report = _run(raw, {**dns, name: {"TXT": [REVOKED, dns[name]["TXT"][0]]}})
    assert report.arc is not None and report.arc.reason_code == "invalid" and not report.arc.key_among_several
    assert _comparison(report, "arc").label != "key_among_several"
    assert report.verdict.status == "spoofed", report.verdict.summary


def _direct(records: list[list[str]] | None, *, spf_gone: bool = True,
            edit: tuple[bytes, bytes] | None = None) -> Report:
    """The direct sample (example.com's real signature, Gmail's recorded dkim=pass and dmarc=pass)
    with the signature's selector holding ``records`` (None: as published); with ``spf_gone`` the
    SPF record no longer lists the sender's server, so DMARC rests on the signature alone."""
    raw = (SAMPLES / "direct.eml").read_bytes()
    if edit is not None:
        assert edit[0] in raw
        raw = raw.replace(*edit)
    dns: dict[str, Any] = json.loads((SAMPLES / "direct.dns.json").read_text())
    if records is not None:
        dns["s2026._domainkey.example.com"] = {"TXT": records}
    if spf_gone:
        dns["example.com"] = {"TXT": [["v=spf1 -all"]]}
    return analyze(raw, resolver=SnapshotResolver(dns), now=NOW)


def _sample_key() -> list[str]:
    dns = json.loads((SAMPLES / "direct.dns.json").read_text())
    return dns["s2026._domainkey.example.com"]["TXT"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize("spf_gone", [True, False], ids=["dkim-only", "spf-too"])
def test_a_revoked_dkim_key_record_among_several_is_not_said_to_be_a_dns_change(kit: _Kit, spf_gone: bool) -> None:
    report = _direct([REVOKED, *_others(kit), _sample_key()], spf_gone=spf_gone)
    [sig] = report.dkim
    assert (sig.reason_code, sig.key_among_several) == ("key_revoked", True)
    several = "s2026._domainkey.example.com has 5 TXT records; the first was used, and it is revoked (empty p=)"
    assert sig.reason.startswith(several), sig.reason
    assert sig.reason.count("5 TXT records") == 1, sig.reason
    assert sig.reason.endswith("; the second, third and fourth were tried too and did not verify it, 1 more key "
                               "record not tried (at most 4 are tried per selector)"), sig.reason
    # The finding names the several records, as arc.key_unavailable does (was "DKIM key revoked",
    # its explanation without the records' note).
    unavailable = _findings(report, "dkim.")["dkim.key_unavailable"]
    assert unavailable.title == "DKIM key record used is revoked, one of several"
    assert several in unavailable.explanation and "not every other record at the selector was tried" in \
        unavailable.explanation
    dkim = _comparison(report, "dkim")
    assert dkim.label == "key_among_several"
    _says_another(dkim.explanation)
    # Only SPF's own change (when its record was changed) is a change in DNS.
    assert [f.title.split(":")[0] for f in report.findings if f.id == "recorded.dns_drift"] == (["SPF"] if spf_gone else [])
    assert [f.title.split(":")[0] for f in report.findings if f.id == "recorded.key_among_several"] == (
        ["DKIM", "DMARC"] if spf_gone else ["DKIM"])
    if spf_gone:
        # DMARC rests on the signature: its comparison and the verdict say the same.
        dmarc = _comparison(report, "dmarc")
        assert dmarc.label == "key_among_several"
        _says_another(dmarc.explanation)
        assert report.verdict.status == "authenticated", report.verdict.summary
        assert report.verdict.summary.startswith("Authenticated as example.com at delivery")
        _says_another(report.verdict.summary)


def test_the_only_revoked_dkim_key_record_is_still_a_dns_change() -> None:
    report = _direct([REVOKED])
    [sig] = report.dkim
    assert (sig.reason_code, sig.key_among_several) == ("key_revoked", False)
    assert _findings(report, "dkim.")["dkim.key_unavailable"].title == "DKIM key revoked"
    assert _comparison(report, "dkim").label == "dns_drift"
    assert _comparison(report, "dmarc").label == "dns_drift"
    assert "DNS changed since delivery" in report.verdict.summary


def test_a_changed_message_beside_a_revoked_dkim_key_record_among_several_is_still_modified() -> None:
    # The body hash needs no key (RFC 6376 section 3.7): a body edited after delivery is said as
    # such whatever the selector holds; the several records excuse nothing.
    report = _direct([REVOKED, _sample_key()], edit=(b"storage numbers", b"payment details"))
    [sig] = report.dkim
    assert sig.body_hash_ok is False
    assert _comparison(report, "dkim").label == "modified_after_delivery"
    assert report.verdict.status == "suspicious", report.verdict.summary


def test_a_record_no_verifier_can_use_is_not_another_key(kit: _Kit) -> None:
    # A v= other than DKIM1 anywhere in the record (dkimpy: "bad version"; RFC 6376 section 3.6.1)
    # is no key to any verifier: beside it the revoked record is the only one, for DKIM as for ARC.
    key = "".join(_sample_key())
    report = _direct([REVOKED, [key.replace("v=DKIM1; ", "") + "; v=DKIM2"]])
    [sig] = report.dkim
    assert (sig.reason_code, sig.key_among_several) == ("key_revoked", False), sig.reason
    assert _comparison(report, "dkim").label == "dns_drift"
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    name = "arc-2026._domainkey.uni.example"
    uni = "".join(dns[name]["TXT"][0])
    report = _run(raw, {**dns, name: {"TXT": [REVOKED, [uni.replace("v=DKIM1; ", "") + "; v=DKIM2"]]}})
    assert report.arc is not None and report.arc.reason_code == "key_revoked" and not report.arc.key_among_several
    assert _comparison(report, "arc").label == "dns_drift"
