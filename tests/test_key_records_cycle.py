"""A selector that publishes several TXT records: when the record used (_dkimpy.key_record, the first
DKIM1 one) does not verify a DKIM signature, ARC-Seal or ARC-Message-Signature, the selector's other
key records are tried (RFC 6376 section 6.1.2: "the Verifier can choose one of the key records or may
cycle through the key records"), at most _dkimpy.MAX_KEY_RECORDS in all, revoked ones and those of
another v= never. arc45 found a key rotation (the stale key left first beside the new one) read as DKIM
fail, "modified since delivery", ARC invalid and a spoofed verdict although Gmail recorded arc=pass.

Messages are signed with dkimpy (dkim.sign, dkim.arc_sign, through make_samples) and RSA keys made for
the test (test_arc_trust's kit); an ed25519 signature with a key made by PyNaCl."""

from __future__ import annotations

import base64
import time
from datetime import datetime, timezone
from typing import Any

import dkim
import nacl.signing
import pytest
from test_arc_trust import GMAIL_OVERRIDE, HEADERS, T0, _Kit, _run
from timing import assert_within

from headerscope.auth import _dkimpy
from headerscope.model import Report

REVOKED = ["v=DKIM1; k=rsa; p="]
SPF = ["v=spf1 ip4:192.0.2.10 -all"]
BANK = "s1._domainkey.bank.example"
UNI = "arc-2026._domainkey.uni.example"
GOOGLE = "arc-20240605._domainkey.google.com"


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> _Kit:
    return _Kit(tmp_path_factory.mktemp("key-records"))


def _stale(kit: _Kit, number: int = 1) -> list[str]:
    """A key record of another key (a rotated-out key left at the selector, a typo'd record)."""
    return kit.record(f"stale{number}")["TXT"][0]  # type: ignore[no-any-return]


def _signed(kit: _Kit, body_edit: bytes | None = None, subject_edit: bytes | None = None) -> tuple[bytes, dict[str, Any]]:
    """bank.example's message signed by dkimpy with its key (selector s1), as delivered."""
    message = kit.author()
    message = kit.m.prepend(message, kit.m.dkim_sign(message, "s1", "bank.example", kit.key("bank"), T0, HEADERS))
    if body_edit is not None:
        message = message.replace(b"Your statement is ready.", body_edit)
    if subject_edit is not None:
        message = message.replace(b"Subject: Your statement is ready", subject_edit)
    return message, kit.dns()


def _dkim(kit: _Kit, records: list[list[str]], **edits: bytes) -> Report:
    raw, dns = _signed(kit, **edits)
    return _run(raw, {**dns, BANK: {"TXT": records}})


def test_a_single_record_selector_is_unchanged(kit: _Kit) -> None:
    report = _dkim(kit, [kit.record("bank")["TXT"][0]])
    [sig] = report.dkim
    assert (sig.result, sig.reason_code, sig.key_record_verified) == ("pass", "ok", None)


@pytest.mark.parametrize(("order", "words"), [
    ("stale,real", "the second of 2 TXT records at s1._domainkey.bank.example verified it; the first did not"),
    ("revoked,real", "the second of 2 TXT records at s1._domainkey.bank.example verified it; the first is revoked "
                     "(empty p=)"),
    ("spf,stale,real", "the third of 3 TXT records at s1._domainkey.bank.example verified it; the first is not a DKIM "
                       "key (v= other than DKIM1), the second did not"),
    ("stale,revoked,stale2,real", "the fourth of 4 TXT records at s1._domainkey.bank.example verified it; the first "
                                  "and third did not, the second is revoked (empty p=)"),
    ("stale,stale2,stale3,real,stale4,stale5", "the fourth of 6 TXT records at s1._domainkey.bank.example verified it; "
                                               "the first, second and third did not"),
    ("real,stale", None),
    ("spf,real,stale", None),
])
def test_dkim_tries_the_selectors_other_key_records(kit: _Kit, order: str, words: str | None) -> None:
    records = {"real": kit.record("bank")["TXT"][0], "stale": _stale(kit), "stale2": _stale(kit, 2),
               "stale3": _stale(kit, 3), "stale4": _stale(kit, 4), "stale5": _stale(kit, 5), "revoked": REVOKED,
               "spf": SPF}
    report = _dkim(kit, [records[name] for name in order.split(",")])
    [sig] = report.dkim
    assert (sig.result, sig.reason_code, sig.key_bits) == ("pass", "ok", 2048), sig.reason
    assert sig.key_record_verified == words
    if words is not None:
        assert words in sig.reason and "the first was used" not in sig.reason, sig.reason
        assert report.verdict.status != "spoofed" and not any(f.id.startswith("recorded.modified") for f in report.findings)


def test_dkim_tries_at_most_four_key_records(kit: _Kit) -> None:
    # Six records, the real key last (the sixth): the first and three others are tried, two are not.
    records = [_stale(kit, n) for n in range(1, 6)] + [kit.record("bank")["TXT"][0]]
    [sig] = _dkim(kit, records).dkim
    assert (sig.result, sig.reason_code, sig.key_record_verified) == ("fail", "signature_mismatch", None)
    assert ("s1._domainkey.bank.example has 6 TXT records; the first was used; the second, third and fourth were "
            "tried too and did not verify it, 2 more key records not tried (at most 4 are tried per selector)") in sig.reason


def test_a_changed_message_fails_with_every_key_record(kit: _Kit) -> None:
    # The signed Subject changed: no record verifies it, the failure is the first record's as before,
    # and the words say the other was tried too. A key the domain publishes excuses no change.
    records = [_stale(kit), kit.record("bank")["TXT"][0]]
    report = _dkim(kit, records, subject_edit=b"Subject: Your statement is overdue")
    [sig] = report.dkim
    assert (sig.result, sig.reason_code, sig.key_record_verified) == ("fail", "signature_mismatch", None)
    assert "the first was used; the second was tried too and did not verify it" in sig.reason, sig.reason
    # The body edited: the body hash says so whatever the key; the signed fields verify with the real key.
    [sig] = _dkim(kit, records, body_edit=b"Pay now at https://bank.example.evil/.").dkim
    assert (sig.result, sig.reason_code) == ("fail", "body_hash_mismatch"), sig.reason
    assert sig.key_record_verified is not None


def test_a_forgers_signature_verifies_with_no_record(kit: _Kit) -> None:
    # Signed with the forger's own key under bank.example's selector: none of bank.example's records
    # (each tried) verifies it.
    message = kit.author()
    message = kit.m.prepend(message, kit.m.dkim_sign(message, "s1", "bank.example", kit.key("forger"), T0, HEADERS))
    records = [_stale(kit), REVOKED, kit.record("bank")["TXT"][0]]
    report = _run(message, {**kit.dns(), BANK: {"TXT": records}})
    [sig] = report.dkim
    assert (sig.result, sig.reason_code, sig.key_record_verified) == ("fail", "signature_mismatch", None)
    assert "the third was tried too" in sig.reason, sig.reason


def test_a_revoked_record_first_with_every_other_tried_is_a_revoked_key(kit: _Kit) -> None:
    # Revoked first, another key beside it that does not verify: every key record was tried, so the
    # signature does not verify with the key the selector publishes: a failure, not a revocation
    # (verification V45b D1: a revoked record put first turned a change after delivery into "revoked").
    report = _dkim(kit, [REVOKED, _stale(kit)])
    [sig] = report.dkim
    assert (sig.result, sig.reason_code, sig.key_among_several) == ("fail", "signature_mismatch", False), sig.reason
    assert ("the second of 2 TXT records at s1._domainkey.bank.example is the selector's key, the first being no "
            "key; the second was tried too and did not verify it") in sig.reason
    assert not [f for f in report.findings if f.id == "dkim.key_unavailable"]
    # Past the bound a record was left untried: still one of several.
    [sig] = _dkim(kit, [REVOKED, *(_stale(kit, n) for n in range(1, 5))]).dkim
    assert (sig.reason_code, sig.key_among_several) == ("key_revoked", True), sig.reason
    assert "1 more key record not tried" in sig.reason


def test_an_ed25519_key_second_verifies(kit: _Kit) -> None:
    seed = bytes(range(32))
    signing = nacl.signing.SigningKey(seed)
    message = kit.author()
    field = dkim.sign(message, b"s1", b"bank.example", base64.b64encode(seed), signature_algorithm=b"ed25519-sha256",
                      include_headers=[h.encode() for h in HEADERS])
    record = ["v=DKIM1; k=ed25519; p=" + base64.b64encode(bytes(signing.verify_key)).decode()]
    report = _run(field + message, {**kit.dns(), BANK: {"TXT": [_stale(kit), record]}})
    [sig] = report.dkim
    assert (sig.algorithm, sig.key_bits) == ("ed25519-sha256", 256)
    assert sig.key_record_verified == ("the second of 2 TXT records at s1._domainkey.bank.example verified it; "
                                       "the first did not"), sig.reason


# ---------------------------------------------------------------- ARC


@pytest.mark.parametrize("name", [UNI, GOOGLE], ids=["uni-i1", "google-i2"])
@pytest.mark.parametrize("first", ["stale", "revoked", "spf,stale"])
def test_arc_tries_the_selectors_other_key_records(kit: _Kit, name: str, first: str) -> None:
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    before = {"stale": [_stale(kit)], "revoked": [REVOKED], "spf,stale": [SPF, _stale(kit)]}[first]
    report = _run(raw, {**dns, name: {"TXT": [*before, dns[name]["TXT"][0]]}})
    arc = report.arc
    assert arc is not None and (arc.result, arc.reason_code) == ("pass", "ok"), arc.reason
    instance = arc.instances[0 if name == UNI else 1]
    ordinal = _dkimpy.ordinal(len(before))
    assert instance.seal_key_record is not None and instance.seal_key_record.startswith(
        f"the {ordinal} of {len(before) + 1} TXT records at {name} verified it; the first ")
    assert instance.signature_key_record == instance.seal_key_record
    assert (instance.seal_result, instance.signature_result) == ("pass", "pass")
    assert instance.seal_key_record in arc.reason
    other = arc.instances[1 if name == UNI else 0]
    assert (other.seal_key_record, other.signature_key_record) == (None, None)
    assert not any(c.label == "different" for c in report.comparison if c.method == "arc")
    assert report.verdict.status != "spoofed", report.verdict.summary
    assert not [f for f in report.findings if f.id == "dmarc.fail" and f.severity.name == "DANGER"]


def test_arc_in_the_first_order_tries_nothing_more(kit: _Kit) -> None:
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    report = _run(raw, {**dns, UNI: {"TXT": [dns[UNI]["TXT"][0], _stale(kit)]}})
    assert report.arc is not None and report.arc.result == "pass"
    assert all(i.seal_key_record is None and i.signature_key_record is None for i in report.arc.instances)
    assert report.arc.reason == "every ARC seal and the newest ARC-Message-Signature validate"


def test_arc_tries_at_most_four_key_records(kit: _Kit) -> None:
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    records = [_stale(kit, n) for n in range(1, 6)] + [dns[GOOGLE]["TXT"][0]]
    report = _run(raw, {**dns, GOOGLE: {"TXT": records}})
    arc = report.arc
    assert arc is not None and (arc.result, arc.reason_code) == ("fail", "invalid"), arc.reason
    assert "2 more key records not tried (at most 4 are tried per selector)" in arc.reason, arc.reason
    # The real key fourth is tried.
    records = [_stale(kit, n) for n in range(1, 4)] + [dns[GOOGLE]["TXT"][0], _stale(kit, 4), _stale(kit, 5)]
    arc = _run(raw, {**dns, GOOGLE: {"TXT": records}}).arc
    assert arc is not None and arc.result == "pass", arc.reason
    assert arc.instances[1].seal_key_record == (f"the fourth of 6 TXT records at {GOOGLE} verified it; the first, "
                                                "second and third did not")


def test_an_arc_chain_changed_after_sealing_fails_with_every_key_record(kit: _Kit) -> None:
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE, list_sealer=True)
    raw = raw.replace(b"Your statement is ready.", b"Your statement is ready at https://bank.example.evil/.")
    report = _run(raw, {**dns, GOOGLE: {"TXT": [_stale(kit), dns[GOOGLE]["TXT"][0]]}})
    assert report.arc is not None and (report.arc.result, report.arc.reason_code) == ("fail", "invalid")
    assert report.verdict.status == "spoofed", report.verdict.summary


def test_arc_words_when_none_verifies(kit: _Kit) -> None:
    # A seal forged with another key at the sealer's selector: every record tried, the failure said.
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    report = _run(raw, {**dns, GOOGLE: {"TXT": [_stale(kit), _stale(kit, 2)]}})
    arc = report.arc
    assert arc is not None and (arc.result, arc.reason_code) == ("fail", "invalid"), arc.reason
    assert f"{GOOGLE} has 2 TXT records; the first was used; the second was tried too and did not verify it" in arc.reason
    [failed] = [f for f in report.findings if f.id == "arc.chain_failed"]
    assert "none verified it" in failed.explanation and "were not tried" not in failed.explanation


@pytest.mark.parametrize(("records", "tried", "untried"), [
    ([["p=A"]], (), 0),
    ([["p=A"], ["p=B"]], ((1, "p=B"),), 0),
    ([SPF, ["p=A"], REVOKED, ["v=DKIM1; p=B"], ["p=C; v=DKIM2"], ["p=D"], ["p=E"], ["p=F"]],
     ((3, "v=DKIM1; p=B"), (5, "p=D"), (6, "p=E")), 1),
    ([REVOKED, REVOKED], (), 0),
])
def test_other_key_records(records: list[list[str]], tried: tuple[tuple[int, str], ...], untried: int) -> None:
    assert _dkimpy.other_key_records(records) == (tried, untried)


def test_a_rotated_selector_beside_a_recorded_dkim_pass_agrees(kit: _Kit) -> None:
    # arc45's shape on the direct sample (example.com's real signature, Gmail's recorded dkim=pass,
    # DMARC resting on the signature alone): the stale key first read as "modified since delivery".
    from test_key_among_several import _comparison, _direct, _sample_key

    report = _direct([_stale(kit), _sample_key()])
    [sig] = report.dkim
    assert (sig.result, sig.key_record_verified) == ("pass", "the second of 2 TXT records at "
                                                             "s2026._domainkey.example.com verified it; the first did not")
    assert _comparison(report, "dkim").label == "same"
    assert not [f for f in report.findings if f.id in ("recorded.modified_after_delivery", "recorded.different")]
    assert report.verdict.status == "authenticated", report.verdict.summary


def test_a_header_changed_after_delivery_at_a_selector_with_a_revoked_record_first_is_a_change() -> None:
    # Verification V45b D1: the direct sample (Gmail's recorded dkim=pass), its Subject changed
    # after delivery, its selector holding a revoked record first and the real key second. Before:
    # "Authenticated ... the key record used now is revoked, one of several ... not a change to the
    # message", though the real key at hand shows the change.
    import json

    from conftest import SAMPLES

    from headerscope.api import analyze
    from headerscope.dns.snapshot import SnapshotResolver
    raw = (SAMPLES / "direct.eml").read_bytes()
    assert raw.count(b"Subject: ") == 1
    changed = raw.replace(b"Subject: ", b"Subject: URGENT ", 1)
    dns = json.loads((SAMPLES / "direct.dns.json").read_text())
    name = "s2026._domainkey.example.com"
    dns[name] = {"TXT": [["v=DKIM1; k=rsa; p="], dns[name]["TXT"][0]]}
    dns["example.com"] = {"TXT": [["v=spf1 -all"]]}
    report = analyze(changed, resolver=SnapshotResolver(dns), now=datetime(2026, 11, 27, tzinfo=timezone.utc))
    [sig] = report.dkim
    assert sig.reason_code == "signature_mismatch"
    assert next(c for c in report.comparison if c.method == "dkim").label == "modified_after_delivery"
    assert report.verdict.status == "suspicious"
    # Unchanged, the same selector: the second record verifies it, as before.
    clean = analyze(raw, resolver=SnapshotResolver(dns), now=datetime(2026, 11, 27, tzinfo=timezone.utc))
    assert clean.dkim[0].result == "pass" and clean.verdict.status == "authenticated"


@pytest.mark.parametrize("beside", [REVOKED, ["google-site-verification=rXOxyZounnZasA8Z7oaD3c14JdjS9aKSWvsR1EbUSIQ"],
                                    ["v=DKIM1; k=rsa"]], ids=["revoked", "other-text", "no-p"])
def test_a_revoked_record_beside_no_usable_key_is_not_one_of_several(kit: _Kit, beside: list[str]) -> None:
    # Verification V45b D2: beside a second revoked record, another kind of TXT record or one with
    # no p=, "the receiver may have used another" was said, though no other record is a key.
    [sig] = _dkim(kit, [REVOKED, beside]).dkim
    assert (sig.reason_code, sig.key_among_several) == ("key_revoked", False), sig.reason
    assert "with several key records" not in sig.reason


def _costly_record(seed: int, modulus_bits: int = 16384, exponent_bits: int = 16000) -> list[str]:
    """A key record whose RSA key no verifier accepts for its size (an exponent of thousands of bits):
    a pure-Python pow() with it takes seconds to minutes. DER written by hand (the libraries refuse it)."""
    import random

    def length(n: int) -> bytes:
        if n < 128:
            return bytes([n])
        octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
        return bytes([0x80 | len(octets)]) + octets

    def integer(value: int) -> bytes:
        octets = value.to_bytes((value.bit_length() + 8) // 8, "big")
        return b"\x02" + length(len(octets)) + octets

    def sequence(content: bytes) -> bytes:
        return b"\x30" + length(len(content)) + content

    rng = random.Random(seed)
    modulus = rng.getrandbits(modulus_bits) | 1 | (1 << (modulus_bits - 1))
    exponent = rng.getrandbits(exponent_bits) | 1 | (1 << (exponent_bits - 1))
    key = sequence(integer(modulus) + integer(exponent))
    spki = sequence(sequence(b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01\x05\x00")
                    + b"\x03" + length(len(key) + 1) + b"\x00" + key)
    text = "v=DKIM1; k=rsa; p=" + base64.b64encode(spki).decode()
    return [text[i:i + 255] for i in range(0, len(text), 255)]


def test_a_forgers_arc_selector_of_costly_keys_costs_nothing(kit: _Kit) -> None:
    # Verification V45f: a forger's own ARC selector (its domain, its DNS) holding a key that does not
    # verify and three RSA keys of 16384-bit moduli and 16000-bit exponents: the other records were
    # handed to dkimpy's pure-Python pow() unscreened, and one analysis took about 250 s (one such
    # record first, 141 s for the pair of runs before this session). They are refused as DKIM refuses them.
    raw, dns = kit.forger()
    name = next(key for key in dns if key.startswith("arc") and "forger" in key)
    for records in ([_stale(kit), *(_costly_record(seed) for seed in (11, 12, 13))], [_costly_record(11)]):
        started = time.perf_counter()
        report = _run(raw, {**dns, name: {"TXT": records}})
        assert_within(started, 10)
        assert report.arc is not None and report.arc.result == "fail"
        assert report.verdict.status == "spoofed"
    assert _dkimpy.costly_key_refusal("".join(_costly_record(11))) is not None
    assert _dkimpy.costly_key_refusal("".join(_stale(kit))) is None


def test_a_costly_key_shorter_than_the_largest_accepted_is_refused_too(kit: _Kit) -> None:
    # Verification V47d: an 11,000-bit modulus with a 5,470-bit exponent fits in a p= under the
    # 2,800 characters that were taken to mean "no larger than a 16384-bit key", and was handed to
    # dkimpy's pure-Python pow() (1.4 s a key; a forger's selector of 22 such keys, a minute).
    short_costly = _costly_record(21, modulus_bits=11000, exponent_bits=5470)
    assert len("".join(short_costly).partition("p=")[2]) < 2800
    assert _dkimpy.costly_key_refusal("".join(short_costly)) is not None
    raw, dns = kit.forger()
    name = next(key for key in dns if key.startswith("arc") and "forger" in key)
    started = time.perf_counter()
    report = _run(raw, {**dns, name: {"TXT": [_stale(kit), *(_costly_record(seed, 11000, 5470) for seed in (22, 23, 24))]}})
    assert_within(started, 10)
    assert report.arc is not None and report.arc.result == "fail"
    assert report.verdict.status == "spoofed"


def test_an_ed25519_record_before_the_rsa_key_does_not_abort_arc(kit: _Kit) -> None:
    # Verification V45f: PyNaCl's ValueError for an RSA signature's length under an ed25519 key
    # escaped, and the whole ARC check read permerror library_error (a genuine chain: spoofed).
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    seed = bytes(range(32))
    ed_record = ["v=DKIM1; k=ed25519; p=" + base64.b64encode(bytes(nacl.signing.SigningKey(seed).verify_key)).decode()]
    report = _run(raw, {**dns, GOOGLE: {"TXT": [ed_record, dns[GOOGLE]["TXT"][0]]}})
    assert report.arc is not None and report.arc.result == "pass", report.arc.reason
    assert report.verdict.status != "spoofed"


def test_a_key_is_read_once_however_often_it_is_asked(kit: _Kit) -> None:
    # load_public_key is cached (a scan meets the same few keys again and again, and reading one
    # costs more than anything but the RSA check): a helper written above it in this session took
    # its cache decorator, and every benchmark message cost 4.5% more instructions.
    p_value = _dkimpy.parse_tag_list("".join(_stale(kit))).get("p") or ""
    first = _dkimpy.load_public_key("rsa", p_value)
    assert not isinstance(first, str)
    assert _dkimpy.load_public_key("rsa", p_value) is first


OVERSIZED = ("is not usable, too large to verify (an RSA key of 16384 bits with a 16000-bit exponent; at most "
             "16384-bit keys and 64-bit exponents are verified)")


def test_an_oversized_key_record_is_said_unusable_not_tried(kit: _Kit) -> None:
    # Verification V45f: a record refused for its size (costly_key_refusal) is never verified with,
    # yet its words said "tried too and did not verify it", and "did not" before a record that
    # verified. It is said not usable, with its size, in DKIM's and ARC's words and JSON fields.
    costly = _costly_record(11)
    report = _dkim(kit, [_stale(kit), costly, kit.record("bank")["TXT"][0]])
    [sig] = report.dkim
    assert sig.result == "pass"
    assert sig.key_record_verified == (f"the third of 3 TXT records at {BANK} verified it; the first did not, the "
                                       f"second {OVERSIZED}")
    assert report.to_dict()["dkim"][0]["key_record_verified"] == sig.key_record_verified
    [sig] = _dkim(kit, [_stale(kit), costly]).dkim
    assert sig.reason_code == "signature_mismatch"
    assert sig.reason.endswith(f"the first was used; the second {OVERSIZED})"), sig.reason
    assert "tried too" not in sig.reason
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE)
    report = _run(raw, {**dns, GOOGLE: {"TXT": [_stale(kit), costly, dns[GOOGLE]["TXT"][0]]}})
    assert report.arc is not None and report.arc.result == "pass"
    assert report.arc.instances[1].seal_key_record == (f"the third of 3 TXT records at {GOOGLE} verified it; the "
                                                       f"first did not, the second {OVERSIZED}")
    arc = _run(raw, {**dns, GOOGLE: {"TXT": [_stale(kit), costly]}}).arc
    assert arc is not None and arc.result == "fail"
    assert arc.reason.endswith(f"the first was used; the second {OVERSIZED})"), arc.reason
    assert "tried too" not in arc.reason


@pytest.mark.parametrize("first", ["revoked", "stale"])
def test_an_arc_body_changed_is_said_so_not_tried_with_each_record(kit: _Kit, first: str) -> None:
    # Verification V45f: the body edited after Gmail sealed it, a revoked record first at its selector
    # and the real key second: the mismatch found while trying the second record read "the second was
    # tried too and did not verify it". A body hash does not depend on the key (RFC 6376 section 3.7):
    # the body changed, and no other record is tried for it. (A stale key first: the same words.)
    raw, dns = kit.forwarded(receiver_ar=GMAIL_OVERRIDE, list_sealer=True)
    raw = raw.replace(b"Your statement is ready.", b"Your statement is ready at https://bank.example.evil/.")
    report = _run(raw, {**dns, GOOGLE: {"TXT": [REVOKED if first == "revoked" else _stale(kit), dns[GOOGLE]["TXT"][0]]}})
    arc = report.arc
    assert arc is not None and (arc.result, arc.reason_code, arc.key_among_several) == ("fail", "invalid", False)
    revoked = ", and it is revoked (empty p=)" if first == "revoked" else ""
    assert arc.reason.endswith(f"{GOOGLE} has 2 TXT records; the first was used{revoked}; its body hash does not "
                               "match: the body changed after it was signed, which no key record verifies (the body "
                               "hash does not depend on the key, RFC 6376 section 3.7), so the other records were not "
                               "tried)"), arc.reason
    assert "tried too" not in arc.reason
    [failed] = [f for f in report.findings if f.id == "arc.chain_failed"]
    assert "does not match the body, whichever key record" in failed.explanation, failed.explanation
    assert "none verified it" not in failed.explanation and "leaves the result undefined" not in failed.explanation
    assert report.verdict.status == "spoofed", report.verdict.summary
