"""The signature-checking work that is not a key's arithmetic: canonicalizing and hashing the signed
header fields (verification V53a D1-1, D1-2). A forger's ARC sets or DKIM signatures over selectors of
several cheap key records, naming large fields, had every verification canonicalize and hash those
fields again: 48 s (ARC) and 14 s (DKIM) of CPU on a 5 MB message, which the budget, paying for key
arithmetic only, never refused.

Counted, not timed: how often each large field is canonicalized, and what the budget paid for."""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Callable
from typing import Any

import pytest
import test_verification_budget as budget_tests
from test_arc_trust import _Kit, _run

from headerscope.auth import _dkimpy

PAD_FIELDS = 6
PAD_LINE = "abcdefghij" * 7


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> _Kit:
    return _Kit(tmp_path_factory.mktemp("work"))


def _pads(kilobytes: int, fields: int = PAD_FIELDS) -> str:
    """``fields`` folded X-Pad: fields of about ``kilobytes`` KB each, each different."""
    return "".join("X-Pad: " + f"{number} " + "\r\n ".join([PAD_LINE] * (kilobytes * 1024 // 73)) + "\r\n"
                   for number in range(fields))


def _junk(rng: random.Random) -> str:
    """A b= as long as a 2048-bit key's signatures, made with no key."""
    return base64.b64encode(b"\x01" + bytes(rng.getrandbits(8) for _ in range(255))).decode()


BODY = b"Lunch at noon?\r\n"
BH = base64.b64encode(hashlib.sha256(BODY).digest()).decode()


def _selector(kit: _Kit, records: int = 3) -> dict[str, Any]:
    """attacker.example's selector s1 with ``records`` key records (none made the junk signatures)."""
    return {"s1._domainkey.attacker.example": {"TXT": [kit.m.rsa_record(kit.key(f"work{n}")) for n in range(records)]},
            "attacker.example": {"TXT": [["v=spf1 -all"]]}}


def _counting_canonicalizations(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every X-Pad: field canonicalized, by headerscope's canonicalize_header or by dkimpy's (the
    value's first bytes, one entry per canonicalization)."""
    seen: list[bytes] = []
    ours = _dkimpy.canonicalize_header
    theirs = _dkimpy.dkim_canon.Relaxed.canonicalize_headers

    def counted(algorithm: str, pair: _dkimpy.HeaderPair) -> _dkimpy.HeaderPair:
        if pair[0].lower() == b"x-pad":
            seen.append(pair[1][:8])
        return ours(algorithm, pair)

    def counted_dkimpy(headers: list[_dkimpy.HeaderPair]) -> Any:
        seen.extend(value[:8] for name, value in headers if name.lower() == b"x-pad")
        return theirs(headers)

    monkeypatch.setattr(_dkimpy, "canonicalize_header", counted)
    monkeypatch.setattr(_dkimpy.dkim_canon.Relaxed, "canonicalize_headers", staticmethod(counted_dkimpy))
    return seen


def _arc_message(sets: int, pad_kb: int) -> bytes:
    rng = random.Random(5)
    fields = []
    for instance in range(1, sets + 1):
        cv = "none" if instance == 1 else "pass"
        fields[:0] = [
            f"ARC-Seal: i={instance}; a=rsa-sha256; cv={cv}; d=attacker.example; s=s1; b={_junk(rng)}\r\n",
            f"ARC-Message-Signature: i={instance}; a=rsa-sha256; c=relaxed/relaxed; d=attacker.example; s=s1; "
            f"h=from:subject:x-pad; bh={BH}; b={_junk(rng)}\r\n",
            f"ARC-Authentication-Results: i={instance}; relay{instance}.attacker.example; arc={cv}\r\n",
        ]
    head = ("".join(fields) + _pads(pad_kb) + "From: Alice <alice@attacker.example>\r\nTo: bob@example.com\r\n"
            "Subject: Lunch\r\nDate: Thu, 26 Nov 2026 09:00:00 +0000\r\nMessage-ID: <lunch@attacker.example>\r\n")
    return head.encode() + b"\r\n" + BODY


def test_arc_canonicalizes_each_signed_field_once_per_message(kit: _Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    # 5 sets, 3 key records at the selector: 30 verifications, each of which had dkimpy
    # canonicalize all 6 X-Pad: fields (ARC can use them all: 5 AMS name x-pad) again.
    raw, dns = _arc_message(5, 2), _selector(kit)
    unbounded = _run(raw, dns)
    seen = _counting_canonicalizations(monkeypatch)
    report = _run(raw, dns)
    assert report.arc is not None and unbounded.arc is not None
    assert (report.arc.result, report.arc.reason_code) == (unbounded.arc.result, unbounded.arc.reason_code)
    assert report.arc.result == "fail"
    assert report.verdict.status == unbounded.verdict.status
    # Every AMS signs the bottom-most X-Pad: alone: canonicalized once, for all 30 verifications.
    assert len(seen) == len(set(seen)) == 1


def _dkim_message(signatures: int, pad_kb: int, h_of: Callable[[int], str], from_fields: int = 2,
                  subject: str = "[A] [B] Lunch", from_domain: str = "attacker.example") -> bytes:
    rng = random.Random(6)
    sigs = "".join(f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=attacker.example; s=s1; "
                   f"h={h_of(number)}; bh={BH}; b={_junk(rng)}\r\n" for number in range(signatures))
    froms = f"From: Alice <alice@{from_domain}>\r\n" * from_fields
    head = (sigs + froms + _pads(pad_kb) + f"To: bob@example.com\r\nSubject: {subject}\r\n"
            "Date: Thu, 26 Nov 2026 09:00:00 +0000\r\nMessage-ID: <lunch@attacker.example>\r\n")
    return head.encode() + b"\r\n" + BODY


def test_dkim_retries_share_the_canonical_fields(kit: _Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two From: fields and a tagged Subject: each signature is verified again without either From:
    # and without the tags, with each of the 3 key records; each such copy of the fields started
    # with an empty cache, so the 6 signed X-Pad: fields were canonicalized again every time.
    raw = _dkim_message(4, 2, lambda _: "from:subject:" + ":".join(["x-pad"] * PAD_FIELDS))
    dns = _selector(kit)
    unbounded = _run(raw, dns)
    seen = _counting_canonicalizations(monkeypatch)
    made = budget_tests._budget(monkeypatch, 1000)
    report = _run(raw, dns)
    assert [(s.result, s.reason_code) for s in report.dkim] == [(s.result, s.reason_code) for s in unbounded.dkim]
    assert {s.result for s in report.dkim} == {"fail"}
    assert report.verdict.status == unbounded.verdict.status
    # Each X-Pad: field canonicalized once, for all signatures, records and copies.
    assert sorted(seen) == sorted(set(seen)) and len(seen) == PAD_FIELDS
    # The copies' fields are hashed once per distinct selection too (the original, either From:
    # left out, the untagged Subjects): a few times the pad, not once per verification.
    [budget] = made
    pad = len(_pads(2))
    assert budget.paid > 40
    assert budget.hashed < budget.paid * pad // 4


def test_the_budget_pays_for_the_signed_bytes_it_hashes(kit: _Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    # Signatures each naming another selection of large fields (x-pad listed 1, 2, ... times) cannot
    # share a hash: each costs its bytes, which the budget pays for as it pays for keys. 24
    # verifications with the kit's keys fit in the open share of a budget of 40; the 8 x 64 KB of
    # fields they hash do not.
    raw = _dkim_message(8, 64, lambda number: "from:subject:" + ":".join(["x-pad"] * (number % PAD_FIELDS + 1)),
                        from_fields=1, subject="Lunch", from_domain="other.example")
    dns = _selector(kit)
    unbounded = _run(raw, dns)
    assert {(s.result, s.reason_code) for s in unbounded.dkim} == {("fail", "signature_mismatch")}
    made = budget_tests._budget(monkeypatch, 40)
    report = _run(raw, dns)
    [budget] = made
    codes = [s.reason_code for s in report.dkim]
    assert "budget_spent" in codes and "pass" not in {s.result for s in report.dkim}
    assert set(codes) == {"signature_mismatch", "budget_spent"}
    assert budget.spent <= budget.open_share
    assert budget.hashed * _dkimpy.HASHED_BYTE_COST > budget.spent // 2
    assert report.verdict.status == unbounded.verdict.status


def test_typical_signed_fields_are_far_from_the_budget() -> None:
    # A real message's signed fields (a few KB; MTAs refuse headers over about 100 KB): a hundred
    # verifications of 100 KB each, with 2048-bit keys, use an eighth of the budget.
    budget = _dkimpy.VerificationBudget()
    cost = _dkimpy.verification_cost("rsa", 2048, 17) + 100 * 1024 * _dkimpy.HASHED_BYTE_COST
    assert cost * 100 < budget.limit // 8


def test_signatures_sharing_a_hash_of_their_fields_are_each_judged_on_their_own(
        kit: _Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    # Forgery guard: a forged bank.example signature over the same fields as the genuine one (same
    # h=) gets the cached hash of those fields, and its own signature field after it: it fails, and
    # the genuine ones, above and below it, still pass (the cache hands out copies).
    from test_arc_trust import HEADERS, T0

    m, dns = kit.m, kit.dns()
    message = kit.author()
    message = m.prepend(message, m.dkim_sign(message, "s1", "bank.example", kit.key("bank"), T0, HEADERS))
    message = m.prepend(message, m.dkim_sign(message, "s1", "bank.example", kit.key("forger"), T0, HEADERS))
    message = m.prepend(message, m.dkim_sign(message, "s1", "bank.example", kit.key("bank"), T0, HEADERS))
    made = budget_tests._budget(monkeypatch, 1000)
    report = _run(message, dns)
    assert [(s.result, s.reason_code) for s in report.dkim] == [
        ("pass", "ok"), ("fail", "signature_mismatch"), ("pass", "ok")], [s.reason for s in report.dkim]
    assert report.dmarc is not None and report.dmarc.result == "pass"
    [budget] = made
    # The three signed the same fields: hashed once (the rest is the three signature fields).
    fields = len(kit.author().split(b"\r\n\r\n", 1)[0]) + len(HEADERS) * _dkimpy.FIELD_OVERHEAD_BYTES
    assert fields + 3 * 500 < budget.hashed < fields + 3 * 1000


def test_arc_body_hashes_take_one_pass_over_the_body_per_canonicalization(
        kit: _Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    # Verification V54b D-1: each ARC-Message-Signature with its own l= had its body hash computed
    # alone, one canonicalization of the whole body per set (50 sets over a 5 MB relaxed body with
    # tabs: 8 s). Now one pass per canonicalization, as DKIM's body hashes are.
    raw = _arc_message(6, 1)
    lengths = iter(range(1, 7))
    raw = b"".join(line.replace(b"h=from:subject:x-pad;", f"h=from:subject:x-pad; l={next(lengths)};".encode())
                   if line.startswith(b"ARC-Message-Signature") else line for line in raw.splitlines(keepends=True))
    raw = raw.replace(BODY, b"Lunch\tat  noon?\r\n" * 200)
    passes: list[str] = []
    original = _dkimpy.SplitMessage._canonical_pieces

    def counted(self: _dkimpy.SplitMessage, algorithm: str) -> Any:
        passes.append(algorithm)
        return original(self, algorithm)

    monkeypatch.setattr(_dkimpy.SplitMessage, "_canonical_pieces", counted)
    report = _run(raw, _selector(kit))
    assert report.arc is not None and report.arc.result == "fail"
    assert passes == ["relaxed"]


def test_body_hashes_of_many_lengths_take_one_running_hash_and_match_a_direct_hash() -> None:
    # Verification V55d D1-3: each (canonicalization, a=, l=) body hash hashed the whole body on its
    # own, so 50 signatures with 50 l= values cost 50 hashes of a 100 MB body. One running hash per
    # hash function now, its state copied where each l= ends; every digest as a direct hash gives.
    rng = random.Random(7)
    body = b"".join(rng.choice([b"a  b\t\r\n", b"\r\n", b"line of text\r\n", b" \r\n", b"x" * 300 + b"\r\n"])
                    for _ in range(400)) + b"\r\n\r\n"
    raw = b"From: a@example.org\r\nSubject: s\r\n\r\n" + body
    for canon in ("simple", "relaxed"):
        whole = b"".join(bytes(p) for p in _dkimpy.split_message(raw)._canonical_pieces(canon))
        lengths: list[int | None] = [None, 0, 1, 77, len(whole) - 1, len(whole), len(whole) + 50,
                                     *rng.sample(range(len(whole)), 40)]
        split = _dkimpy.split_message(raw)
        hashed: list[int] = []

        def counted(self: Any, piece: Any, *, hashed: list[int] = hashed,
                    original: Callable[..., None] = _dkimpy._PrefixDigests.update) -> None:
            hashed.append(len(piece))
            original(self, piece)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_dkimpy._PrefixDigests, "update", counted)
            split.prepare_body_hashes([(canon, algorithm, length) for length in lengths
                                       for algorithm in ("rsa-sha256", "rsa-sha1")])
        assert sum(hashed) == 2 * len(whole)  # one pass per hash function, not one per length
        for length in lengths:
            for algorithm, name in (("rsa-sha256", "sha256"), ("rsa-sha1", "sha1")):
                digest, size = split.body_hash(canon, algorithm, length)
                assert size == len(whole)
                assert digest == hashlib.new(name, whole if length is None else whole[:length]).digest(), (canon, length)
