"""One signature-checking budget per message, shared by ARC and DKIM (_dkimpy.VerificationBudget):
verification V48b D1-2 found 50 ARC sets and 50 DKIM signatures over selectors of costly keys
(16384-bit moduli, 64-bit exponents: dkimpy's pure-Python pow(), 30-50 ms each) cost 28 s of CPU.

The tests inject a small budget (a few verifications with the test's 2048-bit keys) instead of
timing anything: what is asserted is which signatures were tried, which were said as not tried,
and that no verdict rises. Messages are signed with dkimpy through test_arc_trust's kit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from test_arc_trust import GMAIL_OVERRIDE, HEADERS, T0, _Kit, _run

from headerscope.auth import _dkimpy
from headerscope.model import Report

KEY_COST = 2048 ** 2 * 17
"""What one verification with the kit's keys (2048 bits, exponent 65537) costs."""
JUNK = 8
"""Signatures of attacker.example put above bank.example's."""


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> _Kit:
    return _Kit(tmp_path_factory.mktemp("budget"))


def _budget(monkeypatch: pytest.MonkeyPatch, verifications: float) -> list[Any]:
    """Every analysis gets a budget of ``verifications`` checks with the kit's keys; the budgets
    made are listed (raising=False: on code without a budget the tests fail on their assertions)."""
    made: list[Any] = []
    original = getattr(_dkimpy, "VerificationBudget", None)

    def budget() -> Any:
        assert original is not None
        made.append(original(int(verifications * KEY_COST)))
        return made[-1]

    monkeypatch.setattr(_dkimpy, "VerificationBudget", budget, raising=False)
    return made


def _with_junk(kit: _Kit, bank_key: str = "bank") -> tuple[bytes, dict[str, Any]]:
    """bank.example's message signed (with ``bank_key``: "forger" for a forgery), and JUNK signatures
    by attacker.example above it, made with a key its selector does not publish (each fails)."""
    m, dns = kit.m, kit.dns()
    message = kit.author()
    message = m.prepend(message, m.dkim_sign(message, "s1", "bank.example", kit.key(bank_key), T0, HEADERS))
    for number in range(JUNK):
        message = m.prepend(message, m.dkim_sign(message, f"j{number}", "attacker.example", kit.key("forger"), T0,
                                                 HEADERS))
        dns[f"j{number}._domainkey.attacker.example"] = kit.record("junk")
    return message, dns


def _bank(report: Report) -> Any:
    [sig] = [s for s in report.dkim if s.domain == "bank.example"]
    return sig


def test_junk_signatures_past_the_budget_are_not_tried_and_the_aligned_one_still_verifies(
        kit: _Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    raw, dns = _with_junk(kit)
    unbounded = _run(raw, dns)
    assert _bank(unbounded).result == "pass" and unbounded.dmarc is not None and unbounded.dmarc.result == "pass"
    made = _budget(monkeypatch, 6)
    report = _run(raw, dns)
    junk = [s for s in report.dkim if s.domain == "attacker.example"]
    # The junk, above bank.example's signature, is verified first, up to three quarters of the budget
    # (4.5 verifications): the rest are said as not tried, never as failed or passed.
    assert [s.reason_code for s in junk] == ["signature_mismatch"] * 4 + ["budget_spent"] * (JUNK - 4)
    assert {s.result for s in junk[4:]} == {"policy"}
    assert all(s.reason.startswith("not verified: this message's signature-checking budget was spent (") for s in junk[4:])
    # bank.example's, aligned with From: and below them all, is verified from the quarter kept for such.
    assert (_bank(report).result, report.dmarc and report.dmarc.result) == ("pass", "pass")
    assert report.verdict.status == unbounded.verdict.status
    [finding] = [f for f in report.findings if f.id == "dkim.budget_spent"]
    assert finding.title == f"{JUNK - 4} DKIM signatures not verified: the signature-checking budget was spent"
    [budget] = made
    assert (budget.paid, budget.refused) == (5, JUNK - 4)
    assert budget.spent <= budget.limit


def test_a_forged_aligned_signature_under_junk_is_still_tried_and_fails(kit: _Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    # A forger cannot turn its failing bank.example signature into "not tried" by spending the
    # budget above it: the reserve pays for it, and it fails as it does without a budget.
    raw, dns = _with_junk(kit, bank_key="forger")
    unbounded = _run(raw, dns)
    _budget(monkeypatch, 6)
    report = _run(raw, dns)
    assert (_bank(report).result, _bank(report).reason_code) == ("fail", "signature_mismatch")
    assert report.dmarc is not None and unbounded.dmarc is not None
    assert report.dmarc.result == unbounded.dmarc.result != "pass"
    assert report.verdict.status == unbounded.verdict.status


def test_a_signature_the_budget_cannot_pay_for_never_passes(kit: _Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    raw, dns = _with_junk(kit)
    unbounded = _run(raw, dns)
    _budget(monkeypatch, 0.5)
    report = _run(raw, dns)
    sig = _bank(report)
    assert (sig.result, sig.reason_code) == ("policy", "budget_spent")
    assert sig.key_among_several is False and sig.key_record_verified is None
    assert report.dmarc is not None and report.dmarc.result != "pass"
    assert report.verdict.status != unbounded.verdict.status == "authenticated"
    assert report.verdict.status not in ("authenticated", "vouched")


def test_an_arc_chain_the_budget_cannot_pay_for_is_not_verified_and_vouches_for_nothing(
        kit: _Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    assert _run(raw, dns).verdict.status == "vouched"
    # ARC may spend half: 0.75 of one verification, so none of its signatures is tried.
    _budget(monkeypatch, 1.5)
    report = _run(raw, dns)
    assert report.arc is not None
    assert (report.arc.result, report.arc.reason_code) == ("neutral", "budget_spent")
    assert all(i.seal_result is None and i.signature_result is None for i in report.arc.instances)
    assert report.verdict.status != "vouched"
    assert [f.severity.value for f in report.findings if f.id == "arc.budget_spent"] == ["warning"]


def test_typical_keys_are_far_from_the_budget() -> None:
    budget = _dkimpy.VerificationBudget()
    # A few hundred checks with 4096-bit keys, ed25519 ones: well within; the largest accepted
    # key (16384 bits, a 64-bit exponent) is costly, and sixteen of them spend it all.
    assert _dkimpy.verification_cost("rsa", 4096, 17) * 400 < budget.open_share
    assert _dkimpy.verification_cost("ed25519", 256, 0) * 1000 < budget.open_share
    largest = _dkimpy.verification_cost("rsa", _dkimpy.MAX_RSA_BITS, _dkimpy.MAX_RSA_EXPONENT_BITS)
    assert largest > _dkimpy.COSTLY_VERIFICATION >= _dkimpy.verification_cost("rsa", 8192, 17)
    assert [budget.spend(largest) for _ in range(17)] == [True] * 16 + [False]
    assert (budget.paid, budget.costly, budget.refused) == (16, 16, 1)


def _multi_record_signature(kit: _Kit) -> tuple[bytes, dict[str, Any]]:
    """bank.example's message with a signature by attacker.example made with a key its selector
    does not publish; the selector has three key records, none of which verifies it."""
    m, dns = kit.m, kit.dns()
    message = kit.author()
    message = m.prepend(message, m.dkim_sign(message, "multi", "attacker.example", kit.key("forger"), T0, HEADERS))
    dns["multi._domainkey.attacker.example"] = {"TXT": [m.rsa_record(kit.key(name)) for name in ("junk", "uni", "list")]}
    return message, dns


def test_a_signature_tried_with_its_record_used_keeps_that_failure_when_the_budget_stops_the_others(
        kit: _Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    # Verification V53a D2-1: the record used was verified and failed, then the budget refused the
    # selector's other records, and the signature read "not verified ... so it was not tried".
    raw, dns = _multi_record_signature(kit)
    unbounded = _run(raw, dns)
    [free] = [s for s in unbounded.dkim if s.domain == "attacker.example"]
    assert (free.result, free.reason_code) == ("fail", "signature_mismatch")
    made = _budget(monkeypatch, 2)  # an open share of 1.5 verifications: the record used alone
    report = _run(raw, dns)
    [sig] = [s for s in report.dkim if s.domain == "attacker.example"]
    assert (sig.result, sig.reason_code) == (free.result, free.reason_code)
    changed = "signed headers changed since signing (or the key at multi._domainkey.attacker.example was replaced)"
    assert free.reason.startswith(changed) and free.reason.endswith(
        "the first was used; the second and third were tried too and did not verify it)")
    assert sig.reason == (f"{changed} (multi._domainkey.attacker.example has 3 TXT records; the first was used; 2 other "
                          "key records not tried (this message's signature-checking budget was spent))")
    assert not [f for f in report.findings if f.id == "dkim.budget_spent"]
    assert report.verdict.status == unbounded.verdict.status
    [budget] = made
    assert (budget.paid, budget.refused) == (1, 1)


def test_an_arc_signature_tried_with_its_record_used_keeps_that_failure(kit: _Kit,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # The same for ARC: Gmail's AMS, whose record used (another key, listed first) does not verify
    # it, and whose second record, which does, the budget cannot pay for.
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    dns["arc-20240605._domainkey.google.com"] = {"TXT": [kit.m.rsa_record(kit.key("junk")),
                                                         kit.m.rsa_record(kit.key("google"))]}
    unbounded = _run(raw, dns)
    assert unbounded.arc is not None and unbounded.arc.result == "pass"
    _budget(monkeypatch, 3)  # ARC may spend 1.5 verifications: the AMS's record used alone
    report = _run(raw, dns)
    assert report.arc is not None
    # Tried with the record used and failed: a failure, not "not tried" (neutral/budget_spent).
    assert report.arc.reason_code != "budget_spent"
    assert report.arc.result == "fail"
    [newest] = [i for i in report.arc.instances if i.instance == 2]
    assert newest.signature_result is not None and newest.signature_result.startswith("fail")
    words = " ".join(f.explanation for f in report.findings) + " ".join(str(i) for i in report.arc.instances)
    assert "1 other key record not tried (this message's signature-checking budget was spent)" in words
    assert report.verdict.status != "vouched"


def test_the_arc_and_dkim_findings_agree_on_the_chain_and_on_what_was_spent(
        kit: _Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    # Verification V53a D3-1: arc.budget_spent said "so the chain cannot be validated" and then "the
    # chain fails for a signature that was tried"; and ARC's finding counted 8 verifications where
    # DKIM's counted 12, each taken when it was written (ARC is checked first).
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    # Gmail's key replaced: its AMS, verified first, fails; the rest of ARC is not paid for.
    dns["arc-20240605._domainkey.google.com"] = kit.record("junk")
    for number in range(JUNK):
        raw = kit.m.prepend(raw, kit.m.dkim_sign(raw, f"j{number}", "attacker.example", kit.key("forger"), T0, HEADERS))
        dns[f"j{number}._domainkey.attacker.example"] = kit.record("junk")
    _budget(monkeypatch, 3)
    report = _run(raw, dns)
    assert report.arc is not None and report.arc.result == "fail"
    [arc] = [f for f in report.findings if f.id == "arc.budget_spent"]
    assert "cannot be validated" not in arc.explanation
    assert arc.explanation.endswith("the chain fails for a signature that was tried.")
    arc_count = re.search(r"budget was spent \((\d+) verifications? by ARC[^)]*\): ARC-Seal i=2", arc.explanation)
    [dkim] = [f for f in report.findings if f.id == "dkim.budget_spent"]
    dkim_count = re.search(r"budget was spent \((\d+) verifications, (\d+) of them by ARC\)", dkim.explanation)
    assert arc_count is not None and dkim_count is not None, (arc.explanation, dkim.explanation)
    assert arc_count.group(1) == dkim_count.group(2) == "1"
    assert int(dkim_count.group(1)) > 1


def test_a_failed_signature_whose_re_checks_the_budget_stops_keeps_its_failure(
        kit: _Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two From: fields: a failing signature is verified again without each (_verify_without_added_from).
    # Those re-checks refused, the failure of the signature itself stands, and the note says what was not done.
    m, dns = kit.m, kit.dns()
    message = kit.author()
    message = m.prepend(message, m.dkim_sign(message, "j0", "attacker.example", kit.key("forger"), T0, HEADERS))
    message = m.prepend(message, "From: Payments <alerts@bank.example>")
    dns["j0._domainkey.attacker.example"] = kit.record("junk")
    unbounded = _run(message, dns)
    [free] = [s for s in unbounded.dkim if s.domain == "attacker.example"]
    _budget(monkeypatch, 2)
    report = _run(message, dns)
    [sig] = [s for s in report.dkim if s.domain == "attacker.example"]
    assert (sig.result, sig.reason_code) == (free.result, free.reason_code) == ("fail", "signature_mismatch")
    assert sig.reason == (f"{free.reason} (not verified again without an added From: field: this message's "
                          "signature-checking budget was spent)")
