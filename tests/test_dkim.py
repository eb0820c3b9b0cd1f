"""DKIM re-verification: RFC 8463 example, dkimpy's vectors, tampered copies, and messages
signed here with keys generated here by an independent signer (RFC 6376 section 3.7)."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import time
from datetime import datetime, timedelta, timezone
from functools import cache

import dkim  # only to sign test messages the way dkimpy's own tests do
import nacl.signing
import pytest
from conftest import CORPUS
from timing import assert_within

from headerscope.auth.dkim import check_dkim
from headerscope.auth.tags import parse_tag_list
from headerscope.dns.offline import OfflineResolver
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.message import parse_message
from headerscope.model import DkimSignatureResult, Finding

DKIMPY = CORPUS / "dkim" / "dkimpy"
RFC8463 = CORPUS / "dkim" / "rfc8463"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


def crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def verify(raw: bytes, dns: dict[str, object], *, from_domain: str | None = "example.com",
           delivery: datetime | None = None, now: datetime = NOW,
           resolver: object = None) -> tuple[tuple[DkimSignatureResult, ...], tuple[Finding, ...]]:
    res = resolver if resolver is not None else SnapshotResolver(dns)
    return check_dkim(parse_message(raw), res, from_domain=from_domain,  # type: ignore[arg-type]
                      delivery_time=delivery, now=now)


# ------------------------------------------------------------------ an independent signer

_SMALL_PRIMES = [p for p in range(3, 2000) if all(p % d for d in range(2, int(p**0.5) + 1))]


def _probable_prime(n: int, rng: random.Random) -> bool:
    if any(n % p == 0 for p in _SMALL_PRIMES):
        return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(24):
        x = pow(rng.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


@cache
def rsa_key(bits: int, seed: int = 1) -> tuple[int, int, int]:
    """(n, e, d) generated here, deterministically."""
    rng = random.Random(seed * 100_003 + bits)
    e = 65537
    while True:
        primes = []
        while len(primes) < 2:
            c = rng.getrandbits(bits // 2) | (3 << (bits // 2 - 2)) | 1
            if _probable_prime(c, rng):
                primes.append(c)
        p, q = primes
        phi = (p - 1) * (q - 1)
        if p != q and phi % e:
            return p * q, e, pow(e, -1, phi)


def _der(tag: int, body: bytes) -> bytes:
    if len(body) < 128:
        return bytes([tag, len(body)]) + body
    size = len(body).to_bytes((len(body).bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body


def _der_int(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def rsa_p(n: int, e: int) -> str:
    """p= value: base64 SubjectPublicKeyInfo (RFC 6376 section 3.6.1)."""
    algorithm = _der(0x30, _der(0x06, bytes.fromhex("2a864886f70d010101")) + b"\x05\x00")
    public = _der(0x30, _der_int(n) + _der_int(e))
    return base64.b64encode(_der(0x30, algorithm + _der(0x03, b"\x00" + public))).decode()


def _canon_header(name: str, value: str, relaxed: bool) -> str:
    if not relaxed:
        return f"{name}:{value}"
    unfolded = value.replace("\r\n", "").replace("\n", "")
    return f"{name.lower().strip()}:{' '.join(unfolded.split())}\r\n"


def _canon_body(body: bytes, relaxed: bool) -> bytes:
    lines = body.split(b"\r\n")
    if relaxed:
        # RFC 6376 section 3.4.4: every run of WSP (a leading one too) becomes one SP, WSP at a
        # line's end goes.
        lines = [re.sub(rb"[ \t]+", b" ", line).rstrip(b" ") for line in lines]
    while lines and lines[-1] == b"":
        lines.pop()
    if not lines:
        return b"" if relaxed else b"\r\n"
    return b"\r\n".join(lines) + b"\r\n"


def sign(raw: bytes, *, domain: str = "example.com", selector: str = "s1", key: object,
         algorithm: str = "rsa-sha256", canon: str = "relaxed/relaxed",
         headers: str = "from:to:subject:date", extra: str = "", length: bool = False) -> bytes:
    """Prepend a DKIM-Signature computed per RFC 6376 section 3.7 (no dkimpy involved)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    header_canon, body_canon = canon.split("/")
    canonical_body = _canon_body(body, body_canon == "relaxed")
    hash_name = "sha1" if algorithm == "rsa-sha1" else "sha256"
    bh = base64.b64encode(hashlib.new(hash_name, canonical_body).digest()).decode()
    tags = f"v=1; a={algorithm}; c={canon}; d={domain}; s={selector};{extra} h={headers}; bh={bh}; "
    if length:
        tags = tags.replace(" h=", f" l={len(canonical_body)}; h=")
    fields: list[tuple[str, str]] = []
    for line in head.split(b"\r\n"):
        text = line.decode()
        if text[:1] in (" ", "\t"):
            fields[-1] = (fields[-1][0], fields[-1][1] + "\r\n" + text)
        else:
            name, _, value = text.partition(":")
            fields.append((name, value))
    data = ""
    used: dict[str, int] = {}
    for wanted in headers.split(":"):
        matches = [f for f in fields if f[0].lower() == wanted]
        count = used.get(wanted, 0)
        used[wanted] = count + 1
        if count < len(matches):
            name, value = matches[-1 - count]  # bottom-up (RFC 6376 section 5.4.2)
            data += _canon_header(name, value + "\r\n", header_canon == "relaxed")
    unsigned = f" {tags}b="
    data += _canon_header("DKIM-Signature", unsigned, header_canon == "relaxed").rstrip("\r\n")
    digest_input = data.encode()
    if algorithm == "ed25519-sha256":
        assert isinstance(key, nacl.signing.SigningKey)
        signature = key.sign(hashlib.sha256(digest_input).digest()).signature
    else:
        n, _, d = key  # type: ignore[misc]
        prefix = {"sha256": "3031300d060960864801650304020105000420", "sha1": "3021300906052b0e03021a05000414"}[hash_name]
        digest_info = bytes.fromhex(prefix) + hashlib.new(hash_name, digest_input).digest()
        size = (n.bit_length() + 7) // 8
        encoded = b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info
        signature = pow(int.from_bytes(encoded, "big"), d, n).to_bytes(size, "big")
    return f"DKIM-Signature:{unsigned}{base64.b64encode(signature).decode()}\r\n".encode() + raw


MESSAGE = crlf(b"""From: Alice <alice@example.com>
To: Bob <bob@example.net>
Subject: Quarterly figures
Date: Mon, 12 Jan 2026 10:00:00 +0000
Message-ID: <1@example.com>

Hello Bob,
the  figures are attached.\t
Alice

""")


def rsa_dns(bits: int, extra: str = "", name: str = "s1._domainkey.example.com") -> dict[str, object]:
    n, e, _ = rsa_key(bits)
    return {name: {"TXT": [["v=DKIM1; k=rsa;" + extra + " p=", rsa_p(n, e)]]}}


# ------------------------------------------------------------------ corpus: RFC 8463 and dkimpy


def test_rfc8463_both_signatures_pass() -> None:
    raw = crlf((RFC8463 / "rfc8463_appendixA.eml").read_bytes())
    dns = json.loads((RFC8463 / "dns.json").read_text())
    results, findings = verify(raw, dns, from_domain="football.example.com")
    assert [(r.algorithm, r.selector, r.result, r.reason_code) for r in results] == [
        ("ed25519-sha256", "brisbane", "pass", "ok"), ("rsa-sha256", "test", "pass", "ok")]
    assert [r.key_bits for r in results] == [256, 1024]
    assert all(r.aligned and r.aligned_strict and r.body_hash_ok for r in results)
    assert results[0].timestamp == "2018-02-12T18:27:34Z"
    assert results[0].signed_headers[:3] == ("from", "to", "subject")
    assert not [f for f in findings if f.severity.value in ("warning", "danger")]


def _dkimpy_dns() -> dict[str, object]:
    expected = json.loads((DKIMPY / "expected.json").read_text())
    return {name: {"TXT": [value]} for name, value in expected["dns"].items() if not value.startswith("(")}


@pytest.mark.parametrize(("file", "from_domain", "result", "code"), [
    ("rfc6376.signed.msg", "football.example.com", "pass", "ok"),
    ("rfc6376.signed.rsa.msg", "football.example.com", "pass", "ok"),
    ("ed25519test2.msg", "test.ex", "pass", "ok"),
    ("test2.message", "gmail.com", "pass", "ok"),
    ("rfc6376.signed.no_t.msg", "football.example.com", "fail", None),
    ("test.message.baddomain", "legitimate.com", "permerror", "malformed"),
])
def test_dkimpy_presigned_vectors(file: str, from_domain: str, result: str, code: str | None) -> None:
    raw = crlf((DKIMPY / file).read_bytes())
    results, _ = verify(raw, _dkimpy_dns(), from_domain=from_domain)
    assert results
    assert {r.result for r in results} == {result}
    if code:
        assert {r.reason_code for r in results} == {code}


def test_dkimpy_corrupt_key_does_not_pass() -> None:
    # dkimpy's test_catch_bad_key: the RSA signature with a corrupt key must not verify.
    raw = crlf((DKIMPY / "rfc6376.signed.rsa.msg").read_bytes())
    dns = {"test._domainkey.football.example.com": {"TXT": [(DKIMPY / "test_bad.txt").read_text().strip()]}}
    (result,), _ = verify(raw, dns, from_domain="football.example.com")
    assert result.result in ("fail", "permerror")
    assert result.reason_code in ("signature_mismatch", "key_syntax")


@pytest.mark.parametrize(("record", "result", "code"), [
    ("test.txt", "pass", "ok"),
    ("test2.txt", "pass", "ok"),  # no v=/k=: both have defaults (RFC 6376 section 3.6.1)
    ("badversion.txt", "permerror", "key_syntax"),
    ("badk.txt", "permerror", "key_syntax"),
    ("test_tlsrpt.txt", "permerror", "key_mismatch"),  # s=tlsrpt: not an email key
])
def test_dkimpy_key_record_variants(record: str, result: str, code: str) -> None:
    # As dkimpy's own tests: sign test.message with test.private, vary the key record.
    raw = crlf((DKIMPY / "test.message").read_bytes())
    signature = dkim.sign(raw, b"test", b"example.com", (DKIMPY / "test.private").read_bytes())
    dns = {"test._domainkey.example.com": {"TXT": [(DKIMPY / record).read_text().strip()]}}
    (r,), _ = verify(signature + raw, dns, now=datetime.now(timezone.utc))  # dkimpy signs with t=now
    assert (r.result, r.reason_code) == (result, code)


# ------------------------------------------------------------------ signed here


@pytest.mark.parametrize("bits", [1024, 2048])
@pytest.mark.parametrize("canon", ["relaxed/relaxed", "simple/simple", "relaxed/simple"])
def test_rsa_signatures_pass(bits: int, canon: str) -> None:
    raw = sign(MESSAGE, key=rsa_key(bits), canon=canon)
    (r,), findings = verify(raw, rsa_dns(bits))
    assert (r.result, r.reason_code, r.key_bits, r.canonicalization) == ("pass", "ok", bits, canon)
    assert r.body_hash_ok is True and r.aligned is True
    assert not [f for f in findings if f.id != "dkim.not_oversigned"]


def test_ed25519_signature_passes_and_wrong_key_fails() -> None:
    key = nacl.signing.SigningKey(bytes(range(32)))
    raw = sign(MESSAGE, key=key, algorithm="ed25519-sha256")
    public = base64.b64encode(bytes(key.verify_key)).decode()
    (r,), _ = verify(raw, {"s1._domainkey.example.com": {"TXT": [f"v=DKIM1; k=ed25519; p={public}"]}})
    assert (r.result, r.key_bits, r.algorithm) == ("pass", 256, "ed25519-sha256")
    other = base64.b64encode(bytes(nacl.signing.SigningKey(bytes(32)).verify_key)).decode()
    (r,), _ = verify(raw, {"s1._domainkey.example.com": {"TXT": [f"v=DKIM1; k=ed25519; p={other}"]}})
    assert (r.result, r.reason_code, r.body_hash_ok) == ("fail", "signature_mismatch", True)


def test_rsa_sha1_is_not_accepted() -> None:
    raw = sign(MESSAGE, key=rsa_key(1024), algorithm="rsa-sha1")
    (r,), findings = verify(raw, rsa_dns(1024))
    assert (r.result, r.reason_code) == ("permerror", "rsa_sha1")
    assert "RFC 8301" in r.reason and "verifies" in r.reason
    assert any(f.id == "dkim.weak_crypto" for f in findings)
    # Offline the algorithm alone says it (Postmark's rsa-sha1 signatures, real, read offline),
    # and a changed body is still told.
    (r,), findings = verify(raw, {}, resolver=OfflineResolver())
    assert (r.result, r.reason_code) == ("permerror", "rsa_sha1") and "not checked (offline)" in r.reason
    assert [f.id for f in findings] == ["dkim.weak_crypto"]
    (r,), _ = verify(raw.replace(b"Hello Bob", b"Hello Eve"), {}, resolver=OfflineResolver())
    assert r.reason_code == "rsa_sha1" and "body hash mismatch" in r.reason
    # An rsa-sha256 signature offline stays "not checked".
    (r,), _ = verify(sign(MESSAGE, key=rsa_key(1024)), {}, resolver=OfflineResolver())
    assert (r.result, r.reason_code) == ("not_checked", "offline")
    # Beside an rsa-sha256 signature (Postmark signs both ways, real 2021) the sha1 one is a notice:
    # today's verifiers use the other.
    both = sign(sign(MESSAGE, key=rsa_key(1024), algorithm="rsa-sha1", selector="s2"), key=rsa_key(1024))
    _, findings = verify(both, {}, resolver=OfflineResolver())
    [weak] = [f for f in findings if f.id == "dkim.weak_crypto"]
    assert weak.severity.value == "notice" and "also carries a rsa-sha256 signature" in weak.explanation


def test_weak_rsa_key_is_policy() -> None:
    raw = sign(MESSAGE, key=rsa_key(512))
    (r,), _ = verify(raw, rsa_dns(512))
    assert (r.result, r.reason_code, r.key_bits) == ("policy", "weak_key", 512)


def test_body_changed_vs_headers_changed() -> None:
    raw = sign(MESSAGE, key=rsa_key(1024))
    dns = rsa_dns(1024)
    (r,), findings = verify(raw.replace(b"figures are", b"figures were"), dns)
    assert (r.result, r.reason_code, r.body_hash_ok) == ("fail", "body_hash_mismatch", False)
    assert any(f.id == "dkim.body_changed" for f in findings)
    (r,), findings = verify(raw.replace(b"Quarterly figures", b"Quarterly figures!"), dns)
    assert (r.result, r.reason_code, r.body_hash_ok) == ("fail", "signature_mismatch", True)
    assert any(f.id == "dkim.headers_changed" for f in findings)
    # An unsigned header changing breaks nothing.
    (r,), _ = verify(raw.replace(b"Message-ID: <1@", b"Message-ID: <2@"), dns)
    assert r.result == "pass"


def test_key_removed_revoked_and_dns_failures() -> None:
    raw = sign(MESSAGE, key=rsa_key(1024))
    (r,), _ = verify(raw, {})
    assert (r.result, r.reason_code) == ("permerror", "key_not_found")
    assert "s1._domainkey.example.com" in r.reason and r.body_hash_ok is True
    (r,), _ = verify(raw, {"s1._domainkey.example.com": {"TXT": ["v=DKIM1; k=rsa; p="]}})
    assert (r.result, r.reason_code) == ("permerror", "key_revoked")
    (r,), _ = verify(raw, {"s1._domainkey.example.com": "SERVFAIL"})
    assert (r.result, r.reason_code) == ("temperror", "temperror")
    assert "s1._domainkey.example.com" in r.reason and "SERVFAIL" in r.reason
    (r,), _ = verify(raw, {"s1._domainkey.example.com": {"TXT": "TIMEOUT"}})
    assert (r.result, r.reason_code) == ("temperror", "temperror")
    (r,), _ = verify(raw, {}, resolver=OfflineResolver())
    # RFC 8601 "none" means unsigned: an existing, unchecked signature is "not_checked".
    assert (r.result, r.reason_code) == ("not_checked", "offline")
    assert r.reason == "not checked (offline)"
    assert r.row_reason == ("not checked (offline); body hash matches: the body is unchanged since signing, if the "
                            "signature is genuine")


def test_body_hash_match_is_said_when_the_key_cannot_be_had() -> None:
    # RFC 6376 section 3.7: the body hash needs no key. Offline, a matching one is said in the
    # reason (the result word stays: nothing passes without the key), worded as depending on
    # the signature being genuine, since anyone can write the hash of a body of their own.
    raw = sign(MESSAGE, key=rsa_key(1024))
    (r,), findings = verify(raw, {}, resolver=OfflineResolver())
    assert (r.result, r.reason_code, r.body_hash_ok) == ("not_checked", "offline", True)
    assert r.row_reason.endswith("body hash matches: the body is unchanged since signing, if the signature is genuine")
    # Only the row says it: the reason, which verdicts and comparisons quote, does not (a forger
    # writes the hash of its own body; verification V9, N5).
    assert "body hash" not in r.reason
    assert not any(f.id == "dkim.body_changed" for f in findings)
    # A DNS failure (one a snapshot holds, so not to be tried again later): the same words
    # beside the lookup's.
    (r,), _ = verify(raw, {"s1._domainkey.example.com": "SERVFAIL"})
    assert r.result == "temperror" and r.row_reason.endswith(
        "(the DNS snapshot holds this failure: analyze with live DNS, or record a new snapshot); "
        "body hash matches: the body is unchanged since signing, if the signature is genuine")
    assert "body hash" not in r.reason
    # A changed body is said as before, with its finding.
    (r,), findings = verify(raw.replace(b"figures are", b"figures were"), {}, resolver=OfflineResolver())
    assert (r.result, r.body_hash_ok) == ("not_checked", False)
    assert r.reason == "not checked (offline); the body has also changed since signing (body hash mismatch)"
    assert [f.id for f in findings] == ["dkim.body_changed"]
    # l= hashes only the first bytes: said so, with the bytes after them signed by nobody.
    signed = sign(MESSAGE, key=rsa_key(1024), length=True)
    (r,), _ = verify(signed + b"Click here: http://evil.example/\r\n", {}, resolver=OfflineResolver())
    assert r.body_length is not None and r.unsigned_body_bytes
    assert r.row_reason == (f"not checked (offline); the first {r.body_length} bytes of the body match its body hash "
                            f"(l=): unchanged since signing, if the signature is genuine; {r.unsigned_body_bytes} later "
                            "bytes are signed by nobody")


def test_key_replaced_at_same_selector_is_signature_mismatch() -> None:
    raw = sign(MESSAGE, key=rsa_key(1024))
    n, e, _ = rsa_key(1024, seed=2)
    (r,), _ = verify(raw, {"s1._domainkey.example.com": {"TXT": [f"v=DKIM1; p={rsa_p(n, e)}"]}})
    assert (r.result, r.reason_code) == ("fail", "signature_mismatch")


def test_key_testing_flag() -> None:
    raw = sign(MESSAGE, key=rsa_key(1024))
    (r,), findings = verify(raw, rsa_dns(1024, extra=" t=y;"))
    assert (r.result, r.reason_code, r.key_testing) == ("pass", "key_testing", True)
    assert any(f.id == "dkim.key_testing" for f in findings)


def test_expiry_relative_to_delivery_and_now() -> None:
    signed_at = int(datetime(2025, 6, 1, tzinfo=timezone.utc).timestamp())
    raw = sign(MESSAGE, key=rsa_key(1024), extra=f" t={signed_at}; x={signed_at + 86400};")
    dns = rsa_dns(1024)
    # Delivered within the validity window, re-checked long after: it verifies as of delivery, the
    # verification time RFC 6376 section 3.5 asks for when it is reliably known (the receiving
    # side's own Received); its expiry since is said (verification V26: it read "Spoofed").
    (r,), findings = verify(raw, dns, delivery=datetime(2025, 6, 1, 1, tzinfo=timezone.utc))
    assert (r.result, r.reason_code) == ("pass", "expired_after_delivery")
    assert r.expiration == "2025-06-02T00:00:00Z"
    assert "as of delivery (2025-06-01T01:00:00Z)" in r.reason and "has passed since" in r.reason
    assert [(f.id, f.severity.value) for f in findings if f.id == "dkim.expired"] == [("dkim.expired", "info")]
    # Delivered after expiry.
    (r,), _ = verify(raw, dns, delivery=datetime(2025, 6, 5, tzinfo=timezone.utc))
    assert (r.result, r.reason_code) == ("policy", "expired")
    assert "before delivery" in r.reason
    # Checked within the window.
    (r,), _ = verify(raw, dns, now=datetime(2025, 6, 1, 2, tzinfo=timezone.utc))
    assert (r.result, r.reason_code) == ("pass", "ok")


def test_future_timestamp() -> None:
    later = int((NOW + timedelta(days=2)).timestamp())
    raw = sign(MESSAGE, key=rsa_key(1024), extra=f" t={later};")
    (r,), _ = verify(raw, rsa_dns(1024))
    assert (r.result, r.reason_code) == ("policy", "future_timestamp")


def test_times_past_the_year_9999() -> None:
    # Twelve digits (RFC 6376 section 3.5) reach the year 33658; a datetime ends with 9999, and
    # t=999999999999 crashed the whole analysis (speed review). A signing time no clock reaches
    # is malformed; an expiry there is one the signature never reaches.
    import headerscope

    key, dns = rsa_key(1024), rsa_dns(1024)
    (r,), _ = verify(sign(MESSAGE, key=key, extra=" t=999999999999;"), dns)
    assert (r.result, r.reason) == ("permerror", "t= 999999999999 is after the year 9999")
    (r,), _ = verify(sign(MESSAGE, key=key, extra=" t=253402300799;"), dns)  # the last second that is
    assert (r.result, r.reason_code, r.timestamp) == ("policy", "future_timestamp", "9999-12-31T23:59:59Z")
    (r,), _ = verify(sign(MESSAGE, key=key, extra=" t=1700000000; x=999999999999;"), dns)
    assert (r.result, r.expiration) == ("pass", None)
    # The whole analysis, with a Received stamp at the last date too (delivery + tolerance).
    raw = sign(MESSAGE, key=key, extra=" t=999999999999;")
    stamped = b"Received: from a.example.com by mx.example.net; Fri, 31 Dec 9999 23:59:59 +0000\r\n" + raw
    report = headerscope.analyze(stamped, resolver=SnapshotResolver(dns))
    assert [s.result for s in report.dkim] == ["permerror"]


def test_body_length_limit_and_appended_content() -> None:
    raw = sign(MESSAGE, key=rsa_key(1024), length=True)
    dns = rsa_dns(1024)
    (r,), findings = verify(raw, dns)
    assert (r.result, r.unsigned_body_bytes) == ("pass", None)
    appended = raw + b"Click here: http://evil.example/\r\n"
    (r,), findings = verify(appended, dns)
    assert r.result == "pass" and r.body_length is not None
    # The blank line that ended the signed body (ignored by canonicalization) now counts too.
    assert r.unsigned_body_bytes == len(b"\r\nClick here: http://evil.example/\r\n")
    assert any(f.id == "dkim.unsigned_body" for f in findings)


def test_a_subject_the_signer_left_out_is_a_warning_not_a_field_added_after_signing() -> None:
    # Libero signs "h=From;" on all its mail (V46c): its one Subject was never covered, not added
    # after signing. Nobody vouches for it (a warning, in those words), but it is no danger.
    dns = rsa_dns(1024)
    from_only = sign(MESSAGE, key=rsa_key(1024), headers="from")
    (r,), findings = verify(from_only, dns)
    assert r.result == "pass" and r.unsigned_headers == ("subject",)
    (finding,) = [f for f in findings if f.id == "dkim.unsigned_header"]
    assert finding.severity.value == "warning", finding
    assert "left it out" in finding.explanation and "added after signing" not in finding.explanation
    # A second Subject beside it: which one a program shows is anyone's choice, the danger stays.
    (r,), findings = verify(b"Subject: Urgent: wire money\r\n" + from_only, dns)
    assert any(f.id == "dkim.unsigned_header" and f.severity.value == "danger" for f in findings)


def test_headers_added_after_signing() -> None:
    raw = sign(MESSAGE, key=rsa_key(1024))
    dns = rsa_dns(1024)
    (r,), findings = verify(b"Subject: Urgent: wire money\r\n" + raw, dns)
    assert r.result == "pass" and r.unsigned_headers == ("subject",)
    assert any(f.id == "dkim.unsigned_header" and f.severity.value == "danger" for f in findings)
    (r,), findings = verify(b"From: CEO <ceo@example.com>\r\n" + raw, dns)
    assert (r.result, r.reason_code) == ("fail", "from_added")
    # Over-signed (h= lists Subject one more time than present): adding one breaks it.
    oversigned = sign(MESSAGE, key=rsa_key(1024), headers="from:from:to:subject:subject:date")
    (r,), _ = verify(oversigned, dns)
    assert r.result == "pass" and "subject" not in r.not_oversigned and "date" in r.not_oversigned
    (r,), _ = verify(b"Subject: Urgent\r\n" + oversigned, dns)
    assert (r.result, r.reason_code) == ("fail", "signature_mismatch")


def test_headers_only_input_is_neutral() -> None:
    raw = sign(MESSAGE, key=rsa_key(1024))
    head = raw.split(b"\r\n\r\n")[0] + b"\r\n"
    (r,), _ = verify(head, rsa_dns(1024))
    assert (r.result, r.reason_code, r.body_hash_ok) == ("neutral", "no_body", None)
    (r,), _ = verify(head.replace(b"Quarterly", b"Annual"), rsa_dns(1024))
    assert (r.result, r.reason_code) == ("fail", "signature_mismatch")


@pytest.mark.parametrize("canon", ["relaxed/relaxed", "relaxed/simple"])
def test_a_header_copy_that_kept_its_empty_line_has_its_body_missing_not_changed(canon: str) -> None:
    # A pasted header block ending in its empty line reads as a message with an empty body: its
    # body hashes failed, and "Body changed after DKIM signing" was said of every signature.
    raw = sign(MESSAGE, key=rsa_key(1024), canon=canon)
    head = raw.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    for copy in (head, head + b"\r\n \r\n"):
        (r,), findings = verify(copy, rsa_dns(1024))
        assert (r.result, r.reason_code, r.body_hash_ok) == ("neutral", "no_body", None)
        assert "the input's body is empty" in r.reason
        assert not [f for f in findings if f.id == "dkim.body_changed"]
        (r,), findings = verify(copy, {})  # offline: no key, and still no "body changed"
        assert r.body_hash_ok is None and not [f for f in findings if f.id == "dkim.body_changed"]
        (r,), _ = verify(copy.replace(b"Quarterly", b"Annual"), rsa_dns(1024))
        assert (r.result, r.reason_code) == ("fail", "signature_mismatch")
    # A message signed with its empty body verifies; a body that is not blank still changed.
    empty = MESSAGE.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    (r,), _ = verify(sign(empty, key=rsa_key(1024), canon=canon), rsa_dns(1024))
    assert (r.result, r.reason_code) == ("pass", "ok")
    (r,), _ = verify(head + b"x\r\n", rsa_dns(1024))
    assert (r.result, r.reason_code) == ("fail", "body_hash_mismatch")


@pytest.mark.parametrize(("mutation", "needle"), [
    (lambda s: s.replace(b"v=1;", b"v=1; s=x;"), "more than once"),
    (lambda s: s.replace(b" bh=", b" bx="), "bh="),
    (lambda s: s.replace(b"h=from:", b"h="), "From"),
    (lambda s: s.replace(b"d=example.com;", b"d=example.com; i=@evil.example;"), "i="),
    (lambda s: s.replace(b"v=1;", b"v=1; t=200; x=100;"), "x="),
    (lambda s: s.replace(b"a=rsa-sha256", b"a=rsa-md5"), "algorithm"),
    (lambda s: s.replace(b"d=example.com;", b"d=legitimate.com(.attacker.com;"), "d="),
])
def test_malformed_signatures(mutation: object, needle: str) -> None:
    raw = sign(MESSAGE, key=rsa_key(1024))
    head, _, rest = raw.partition(b"\r\n")
    (r,), findings = verify(mutation(head) + b"\r\n" + rest, rsa_dns(1024))  # type: ignore[operator]
    assert (r.result, r.reason_code) == ("permerror", "malformed")
    assert needle in r.reason
    assert any(f.id == "dkim.malformed" for f in findings)


@pytest.mark.parametrize("mask", [b"***", b"[redacted]", b"<removed>", b"REDACTED"])
def test_a_signature_masked_in_a_shared_copy_is_unreadable_not_malformed(mask: bytes) -> None:
    # A blog post's paste hid a signature as "DKIM-Signature: ***;": permerror and a "Malformed
    # DKIM signature" warning read as forgery. A mask someone put there makes it unreadable.
    raw = sign(MESSAGE, key=rsa_key(1024))
    head, _, rest = raw.partition(b"\r\n")
    (r,), findings = verify(b"DKIM-Signature: " + mask + b";\r\n" + rest, rsa_dns(1024))
    assert (r.result, r.reason_code) == ("neutral", "redacted")
    assert repr(mask.decode()) in r.reason
    assert [f.id for f in findings] == ["dkim.redacted"]
    # A tag's value masked: the same.
    masked_b = head.split(b" b=")[0] + b" b=" + mask
    (r,), _ = verify(masked_b + b"\r\n" + rest, rsa_dns(1024))
    assert (r.result, r.reason_code) == ("neutral", "redacted")
    # A malformed signature with no mask stays malformed.
    (r,), _ = verify(head.replace(b" bh=", b" bx=") + b"\r\n" + rest, rsa_dns(1024))
    assert r.reason_code == "malformed"


def test_several_signatures_in_header_order() -> None:
    once = sign(MESSAGE, key=rsa_key(1024), selector="s1")
    twice = sign(once, key=rsa_key(2048), selector="s2", domain="esp.example")
    dns = rsa_dns(1024) | rsa_dns(2048, name="s2._domainkey.esp.example")
    results, _ = verify(twice, dns)
    assert [(r.index, r.header_index, r.domain, r.result) for r in results] == [
        (0, 0, "esp.example", "pass"), (1, 1, "example.com", "pass")]
    assert [r.aligned for r in results] == [False, True]


def test_hostile_inputs_are_bounded() -> None:
    raw = sign(MESSAGE, key=rsa_key(1024))
    huge_tag = b"DKIM-Signature: v=1; " + b"z=" + b"a" * 1_000_000 + b"\r\n" + raw
    many = b"".join(b"DKIM-Signature: v=1; a=rsa-sha256; d=x; s=y; h=from; bh=; b=\r\n" for _ in range(300)) + raw
    junk_line = b"this is not a header\r\n" + raw
    start = time.perf_counter()
    results, _ = verify(huge_tag, rsa_dns(1024))
    assert results[0].result == "permerror" and results[1].result == "pass"
    results, _ = verify(many, rsa_dns(1024))
    # 50 verified and the bottom 10 listed (the rest only counted, in dkim.too_many); example.com's
    # signature, aligned with From:, is verified though 300 are above it.
    assert len(results) == 60 and results[-1].result == "pass" and results[-1].index == 300
    assert {r.reason_code for r in results[:-1]} == {"malformed"} and results[-2].index == 299
    (r,), _ = verify(junk_line, rsa_dns(1024))
    assert r.result == "pass"
    assert_within(start, 10)


def _unverifiable(number: int) -> bytes:
    """A well-formed signature of d<number>.example whose body hash is not the body's."""
    return (b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=d%d.example; s=s%d; h=from:to:subject;\r\n"
            b" bh=TZuQQANB5Sb3eVdY2v5Oa3jsYb+fe0tColTh2Qhp0QU=; b=AAAA\r\n" % (number, number))


def test_signatures_past_the_verified_50_are_counted_not_listed_one_by_one() -> None:
    # RFC 6376 section 6.1 lets a verifier limit the signatures it tries (50 here); 64,000 made
    # 64,000 entries (85 MB of JSON). The 50 checked and the bottom 10 (the oldest) are listed.
    raw = b"".join(_unverifiable(n) for n in range(1000)) + MESSAGE
    results, findings = verify(raw, {})
    assert [r.index for r in results] == [*range(50), *range(990, 1000)]
    assert {r.reason_code for r in results[50:]} == {"too_many_signatures"}
    assert [r.domain for r in results[-2:]] == ["d998.example", "d999.example"]
    [too_many] = [f for f in findings if f.id == "dkim.too_many"]
    assert (too_many.severity.value, too_many.title) == ("warning", "1000 DKIM-Signature fields: only the first 50 checked")
    assert "the 950 below them were not, and only the bottom 10 of those" in too_many.explanation
    assert "the 940 between are only counted here" in too_many.explanation
    # The same finding of 50 signatures is one finding with a count and the first signatures named.
    [changed] = [f for f in findings if f.id == "dkim.body_changed"]
    assert changed.title == "Body changed after DKIM signing (50 signatures)"
    assert changed.explanation.startswith(
        "50 DKIM signatures give this finding: dkim d0.example/s0, dkim d1.example/s1, dkim d2.example/s2, "
        "dkim d3.example/s3, dkim d4.example/s4 and 45 more. The first: The body hash in the signature by d0.example")
    assert changed.subject == "dkim d0.example/s0 and 49 more" and changed.count == 50
    [unpublished] = [f for f in findings if f.id == "dkim.key_unavailable"]
    assert unpublished.title == "DKIM key no longer published (50 signatures)"
    # 60 or fewer: every one listed, no dkim.too_many past 50 checked only when there are more than 50.
    results, findings = verify(b"".join(_unverifiable(n) for n in range(50)) + MESSAGE, {})
    assert len(results) == 50 and not any(f.id == "dkim.too_many" for f in findings)


def test_the_from_aligned_signature_is_verified_whatever_its_place() -> None:
    # 60 junk signatures above example.com's valid one: it was the 61st, past the 50 checked, and
    # went unverified. RFC 6376 section 6.1 lets a verifier choose which it tries: the aligned one
    # is among the 50 (with the top 49), and passes.
    signed = sign(MESSAGE, key=rsa_key(1024))
    raw = b"".join(_unverifiable(number) for number in range(60)) + signed
    results, findings = verify(raw, rsa_dns(1024))
    [ours] = [r for r in results if r.domain == "example.com"]
    assert (ours.index, ours.result) == (60, "pass")
    assert [r.reason_code for r in results if r.index in (48, 50)] == ["key_not_found", "too_many_signatures"]
    assert sum(r.reason_code != "too_many_signatures" for r in results) == 50
    [too_many] = [f for f in findings if f.id == "dkim.too_many"]
    assert too_many.title == "61 DKIM-Signature fields: only 50 checked"
    assert "the 1 whose d= aligns with From: below the top 50 (signature 61) were checked first, then the top 49" \
        in too_many.explanation
    # A d= written with white space around "=" and after other tags is read too.
    spaced = signed.replace(b"d=example.com;", b"d = example.com ;", 1)
    results, _ = verify(b"".join(_unverifiable(number) for number in range(60)) + spaced, rsa_dns(1024))
    assert [r.reason_code for r in results if r.domain == "example.com"] != ["too_many_signatures"]


def test_merged_findings_lead_with_and_name_the_from_aligned_signature() -> None:
    # Six junk signatures above the From: domain's, all with a body hash the body does not match:
    # the merged "Body changed" finding carried the first junk one's words and named only junk,
    # hiding the one DMARC rests on. It now leads with example.com's and counts all seven.
    aligned = (b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1; h=from:to:subject;\r\n"
               b" bh=TZuQQANB5Sb3eVdY2v5Oa3jsYb+fe0tColTh2Qhp0QU=; b=AAAA\r\n")
    raw = b"".join(_unverifiable(n) for n in range(6)) + aligned + MESSAGE
    _, findings = verify(raw, {})
    [changed] = [f for f in findings if f.id == "dkim.body_changed"]
    assert changed.title == "Body changed after DKIM signing (7 signatures)"
    assert changed.explanation.startswith(
        "7 DKIM signatures give this finding: dkim example.com/s1, dkim d0.example/s0, dkim d1.example/s1, "
        "dkim d2.example/s2, dkim d3.example/s3 and 2 more. The From:-aligned one: The body hash in the signature "
        "by example.com")
    assert changed.subject == "dkim example.com/s1 and 6 more" and changed.count == 7
    # With no aligned signature among them, the first leads as before.
    _, findings = verify(raw, {}, from_domain="elsewhere.example")
    [changed] = [f for f in findings if f.id == "dkim.body_changed"]
    assert changed.subject == "dkim d0.example/s0 and 6 more" and ". The first: " in changed.explanation


def test_a_key_lookup_that_failed_for_now_is_one_notice_naming_each_lookup() -> None:
    # spf.temperror and dmarc.temperror exist; a DKIM key lookup's SERVFAIL or TIMEOUT gave no
    # finding, so `scan --filter reason=dkim.temperror` could not select the messages to retry.
    raw = _unverifiable(2) + _unverifiable(1) + _unverifiable(0) + MESSAGE
    dns: dict[str, object] = {"s0._domainkey.d0.example": "SERVFAIL", "s1._domainkey.d1.example": {"TXT": "TIMEOUT"}}
    _, findings = verify(raw, dns)
    [found] = [f for f in findings if f.id == "dkim.temperror"]
    assert (found.severity.value, found.title) == ("notice", "DKIM key lookup failed (DNS error): 2 signatures not verified")
    assert found.explanation.startswith(
        "The key lookup failed for s1._domainkey.d1.example: TIMEOUT; s0._domainkey.d0.example: SERVFAIL. ")
    assert found.subject == "dkim d1.example/s1 and 1 more"
    _, findings = verify(_unverifiable(0) + MESSAGE, {"s0._domainkey.d0.example": "SERVFAIL"})
    [found] = [f for f in findings if f.id == "dkim.temperror"]
    assert (found.title, found.subject) == ("DKIM key lookup failed (DNS error): 1 signature not verified",
                                            "dkim d0.example/s0")
    # Offline is not a DNS failure: nothing was asked.
    _, findings = verify(_unverifiable(0) + MESSAGE, {}, resolver=OfflineResolver())
    assert not any(f.id == "dkim.temperror" for f in findings)


def test_a_few_signatures_keep_one_finding_each() -> None:
    raw = b"".join(_unverifiable(n) for n in range(3)) + MESSAGE
    _, findings = verify(raw, {})
    assert [f.subject for f in findings if f.id == "dkim.body_changed"] == [
        "dkim d0.example/s0", "dkim d1.example/s1", "dkim d2.example/s2"]


# ------------------------------------------------------------------ tag lists


def test_tag_list_parser() -> None:
    tags = parse_tag_list(" v=1; a=rsa-sha256;\r\n\tb=abc\r\n def ; ")
    assert tags.valid and tags.tags == (("v", "1"), ("a", "rsa-sha256"), ("b", "abc\r\n def"))
    assert parse_tag_list("a=1; a=2").error == "tag a= appears more than once"
    assert not parse_tag_list("a=1;; b=2").valid
    assert not parse_tag_list("1a=x").valid
    assert parse_tag_list("v=DKIM1; p=").get("p") == ""
    assert "limit" in (parse_tag_list("a=" + "x" * 1_000_000).error or "")


def test_rsa_public_key_encoding_is_what_dkimpy_reads() -> None:
    # Guard for the test signer itself: its p= must decode to the generated modulus.
    n, e, _ = rsa_key(1024)
    parsed = dkim.crypto.parse_public_key(base64.b64decode(rsa_p(n, e)))
    assert (parsed["modulus"], parsed["publicExponent"]) == (n, e)


def test_signer_agrees_with_dkimpy() -> None:
    # Our signer and dkimpy's verifier agree, so the signer is a fair independent oracle.
    raw = sign(MESSAGE, key=rsa_key(1024))
    n, e, _ = rsa_key(1024)

    def dnsfunc(name: bytes, timeout: float = 5) -> bytes:
        return f"v=DKIM1; p={rsa_p(n, e)}".encode()

    assert dkim.verify(raw, dnsfunc=dnsfunc)



# ------------------------------------------------------------------ audit fixes and speed work


def test_not_byte_exact_input_turns_mismatches_neutral() -> None:
    """A .msg or paste is not the signed bytes: a mismatch then says nothing about the message."""
    raw = sign(MESSAGE, key=rsa_key(1024))
    dns = rsa_dns(1024)
    changed_body = raw.replace(b"Hello Bob", b"Hello Rob")
    changed_head = raw.replace(b"Quarterly", b"Annual")
    msg = parse_message(changed_body)
    (r,), findings = check_dkim(msg, SnapshotResolver(dns), from_domain="example.com", delivery_time=None,
                                now=NOW, byte_exact=False)
    assert (r.result, r.reason_code, r.body_hash_ok) == ("neutral", "not_original", False)
    assert "not the original message bytes" in r.reason and ".msg" in r.reason
    assert not [f for f in findings if f.id in ("dkim.body_changed", "dkim.headers_changed")]
    (r,), _ = check_dkim(parse_message(changed_head), SnapshotResolver(dns), from_domain="example.com",
                         delivery_time=None, now=NOW, byte_exact=False)
    assert (r.result, r.reason_code) == ("neutral", "not_original")
    # Byte-exact input (the default) keeps the verdicts; a verifying signature still passes.
    (r,), findings = verify(changed_body, dns)
    assert (r.result, r.reason_code) == ("fail", "body_hash_mismatch")
    assert any(f.id == "dkim.body_changed" for f in findings)
    (r,), _ = check_dkim(parse_message(raw), SnapshotResolver(dns), from_domain="example.com",
                         delivery_time=None, now=NOW, byte_exact=False)
    assert r.result == "pass"
    # Offline, a rebuilt body's mismatch is not told as a change to the message either (an
    # Outlook .msg keeps no MIME bytes); a byte-exact input's still is.
    (r,), findings = check_dkim(msg, OfflineResolver(), from_domain="example.com", delivery_time=None,
                                now=NOW, byte_exact=False)
    assert (r.result, r.reason_code, r.body_hash_ok) == ("not_checked", "offline", None)
    assert "changed" not in r.reason and "this copy's body is not the original bytes" in r.reason
    assert not [f for f in findings if f.id == "dkim.body_changed"]
    (r,), _ = check_dkim(msg, OfflineResolver(), from_domain="example.com", delivery_time=None, now=NOW)
    assert r.body_hash_ok is False and "the body has also changed since signing" in r.reason


def test_not_oversigned_is_a_detail_unless_a_field_is_duplicated() -> None:
    """Most signers do not over-sign; a finding only when signed copies really are duplicated."""
    dns = rsa_dns(1024)
    (r,), findings = verify(sign(MESSAGE, key=rsa_key(1024)), dns)
    assert r.result == "pass" and "from" in r.not_oversigned
    assert not [f for f in findings if f.id == "dkim.not_oversigned"]
    two_to = MESSAGE.replace(b"To: Bob", b"To: Carol <carol@example.net>\r\nTo: Bob")
    (r,), findings = verify(sign(two_to, key=rsa_key(1024), headers="from:to:to:subject:date"), dns)
    assert r.result == "pass" and "to" in r.not_oversigned
    assert [(f.id, f.title) for f in findings] == [("dkim.not_oversigned", "Several signed copies of To, not over-signed")]


def test_oversized_rsa_key_is_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    """RFC 8301 section 3.2: verifiers need handle 1024-4096 bits; huge keys are refused."""
    import headerscope.auth.dkim as dkim_module

    monkeypatch.setattr(dkim_module, "MAX_USUAL_RSA_BITS", 1500)
    (r,), findings = verify(sign(MESSAGE, key=rsa_key(2048)), rsa_dns(2048))
    assert (r.result, r.reason_code, r.key_bits) == ("policy", "key_too_large", 2048)
    assert any(f.id == "dkim.key_too_large" for f in findings)
    (r,), _ = verify(sign(MESSAGE, key=rsa_key(1024)), rsa_dns(1024))
    assert r.result == "pass"


def test_timestamp_is_judged_against_delivery_and_now() -> None:
    signed_at = NOW - timedelta(days=1)
    raw = sign(MESSAGE, key=rsa_key(1024), extra=f" t={int(signed_at.timestamp())};")
    (r,), _ = verify(raw, rsa_dns(1024), delivery=signed_at + timedelta(minutes=1))
    assert r.result == "pass"
    # --now set to a moment before the signature was made.
    (r,), _ = verify(raw, rsa_dns(1024), delivery=signed_at + timedelta(minutes=1), now=signed_at - timedelta(days=3))
    assert (r.result, r.reason_code) == ("policy", "future_timestamp") and "later than now" in r.reason


def _dkimpy_relaxed_body(body: bytes) -> bytes:
    import dkim.canonicalization as canon

    return bytes(canon.Relaxed.canonicalize_body(body))


def test_streamed_body_canonicalization_matches_dkimpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunked, copy-free canonicalization gives dkimpy's bytes for any body and chunk size."""
    import dkim.canonicalization as canon

    from headerscope.auth import _dkimpy

    rng = random.Random(7)
    pieces = [b" ", b"\t", b"a", b"\r\n", b"  ", b"\r", b"\n", b"b\n", b" \r\n", b"\t\r\n"]
    for _ in range(600):
        body = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 50)))
        raw = b"From: a@example.com\r\n\r\n" + body
        _, reference_body = dkim.rfc822_parse(raw)
        for chunk in (1, 5, 1 << 20):
            monkeypatch.setattr(_dkimpy, "BODY_CHUNK", chunk)
            split = _dkimpy._split(raw)
            assert split.body == reference_body
            assert split.canonical_body("simple") == canon.Simple.canonicalize_body(reference_body)
            assert split.canonical_body("relaxed") == _dkimpy_relaxed_body(reference_body)
            digest, size = split.body_hash("relaxed", "rsa-sha256", 3)
            relaxed = _dkimpy_relaxed_body(reference_body)
            assert (digest, size) == (hashlib.sha256(relaxed[:3]).digest(), len(relaxed))


def test_b_tag_blanking_and_header_selection_match_dkimpy() -> None:
    from headerscope.auth import _dkimpy

    rng = random.Random(11)
    chars = [b" ", b"\t", b"\r\n ", b"b", b"=", b";", b"A", b"x", b"\n", b"\r\n", b"b=", b"; b=", b"bh="]
    for _ in range(3000):
        value = b"".join(rng.choice(chars) for _ in range(rng.randint(0, 30)))
        assert _dkimpy.blank_b_tag(value) == dkim.RE_BTAG.sub(b"\\1", value), value
    for _ in range(500):
        headers = [(rng.choice([b"From", b"to", b"Subject", b"X"]), b"v%d" % i) for i in range(rng.randint(0, 8))]
        include = [rng.choice([b"from", b"to", b"subject", b"x", b"y"]) for _ in range(rng.randint(0, 8))]
        split = _dkimpy.SplitMessage(headers, b"", 0)
        selected = [headers[p] for p in _dkimpy.select_header_positions(split, include)]
        assert selected == dkim.select_headers(headers, include)


def test_quadratic_inputs_of_dkimpy_are_linear_here() -> None:
    """dkimpy's RE_BTAG (folded whitespace after b=), its trailing-WSP body regex (long WSP
    runs) and its select_headers (many h= names) take minutes on these; here milliseconds."""
    raw = sign(MESSAGE, key=rsa_key(1024))
    dns = rsa_dns(1024)
    head, _, rest = raw.partition(b"\r\n")
    folded = head + b"\r\n " * 20_000 + b";"  # folded whitespace after the b= value
    names = b":".join(b"x%d" % i for i in range(5000))
    many_names = head.replace(b"h=from:", b"h=" + names + b":from:")
    spaces = raw + b" " * 300_000 + b"x \r\n"
    many_fields = b"".join(b"X-%d: y\r\n" % i for i in range(20_000))
    start = time.process_time()
    (r,), _ = verify(folded + b"\r\n" + rest, dns)
    assert (r.result, r.reason_code) == ("fail", "signature_mismatch")
    (r,), _ = verify(many_names + b"\r\n" + many_fields + rest, dns)
    assert (r.result, r.reason_code) == ("fail", "signature_mismatch")
    (r,), _ = verify(spaces, dns)
    assert (r.result, r.reason_code) == ("fail", "body_hash_mismatch")
    assert time.process_time() - start < 3


def test_large_body_is_hashed_without_copies() -> None:
    """A 4 MB WSP-rich body (LF or CRLF line ends) is canonicalized in chunks, never copied whole."""
    import tracemalloc

    for line_end in (b"\r\n", b"\n"):
        body = (b"Some text  with\tspaces \r\n" * 150_000).replace(b"\r\n", line_end)
        raw = sign(MESSAGE, key=rsa_key(1024)).replace(b"\r\n", line_end)
        message = parse_message(raw.replace(b"Hello Bob", b"Hello Rob") + body)
        tracemalloc.start()
        try:
            (r,), _ = check_dkim(message, SnapshotResolver(rsa_dns(1024)), from_domain="example.com",
                                 delivery_time=None, now=NOW)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert (r.result, r.reason_code) == ("fail", "body_hash_mismatch")
        assert peak < len(body) // 2, peak


def test_openssl_rsa_path_judges_every_case_as_the_arithmetic_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan verifies RSA through OpenSSL (auth._dkimpy.use_openssl_rsa); single messages use
    Python's arithmetic. Both must give the same verdict for every signature, odd ones included;
    a signature that is not k octets long or not below the modulus is invalid (RFC 8017
    section 8.2.2 step 1), though dkimpy's own verifier accepts the zero-padded and the
    modulus-plus-signature cases."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

    from headerscope.auth import _dkimpy

    private = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    numbers = private.public_key().public_numbers()
    key = {"modulus": numbers.n, "publicExponent": numbers.e}
    size = (numbers.n.bit_length() + 7) // 8
    cases: list[tuple[str, str, bytes]] = []
    for name, algorithm in (("sha256", hashes.SHA256()), ("sha1", hashes.SHA1())):
        digest = hashlib.new(name, b"signed header fields").digest()
        good = private.sign(digest, padding.PKCS1v15(), utils.Prehashed(algorithm))
        cases += [
            (name, "good", good),
            (name, "one bit flipped", bytes([good[0] ^ 1]) + good[1:]),
            (name, "leading zero dropped", good.lstrip(b"\0") if good[0] == 0 else good[1:]),
            (name, "zero-padded to a longer value", b"\0" + good),
            (name, "modulus plus signature", (int.from_bytes(good, "big") + numbers.n).to_bytes(size + 1, "big")),
            (name, "all ones", b"\xff" * size),
        ]

    def verdicts() -> list[bool]:
        out = []
        for name, _label, signature in cases:
            hasher = hashlib.new(name, b"signed header fields")
            out.append(_dkimpy.rsa_verify(hasher, signature, key))
        return out

    monkeypatch.setattr(_dkimpy, "_openssl_verify", None)
    arithmetic = verdicts()
    assert _dkimpy.use_openssl_rsa()
    assert _dkimpy._openssl_verify is not None
    openssl = verdicts()
    assert openssl == arithmetic
    assert [label for (_n, label, _s), ok in zip(cases, openssl, strict=True) if ok] == ["good", "good"]


# ------------------------------------------------------------------ fast paths against the plain forms


def test_relaxed_header_value_matches_the_regex_form() -> None:
    """_relaxed_value skips the regex passes when they change nothing; the bytes must be
    dkimpy's unfold-compress-strip form for any value (bare LF, lone CR, tabs, VT/FF)."""
    import re

    from headerscope.auth import _dkimpy

    rng = random.Random(23)
    pieces = [b" ", b"\t", b"  ", b"a", b"b:", b"\r\n", b"\r\n ", b"\r\n\t", b"\n", b"\r", b"\x0b", b"\x0c", b"\r\r\n"]
    for _ in range(4000):
        value = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        plain = re.sub(rb"[ \t]+", b" ", re.sub(rb"\r?\n", b"", value)).strip()
        assert _dkimpy._relaxed_value(value) == plain, value
        assert _dkimpy.canonicalize_header("relaxed", (b"X-A ", value)) == (b"x-a", plain + b"\r\n")


def test_split_matches_dkimpy_and_the_two_search_blank_line() -> None:
    """The one-search blank-line split and the CR-free header loop give dkimpy's fields."""
    from headerscope.auth import _dkimpy

    def two_searches(raw: bytes) -> tuple[bytes, int]:
        best: tuple[int, int] | None = None
        for separator in (b"\n\r\n", b"\n\n"):
            found = raw.find(separator, 0, len(raw) if best is None else best[0] + len(separator))
            if found >= 0 and (best is None or found < best[0]):
                best = (found, found + len(separator))
        if best is None:
            return raw, len(raw)
        start = best[0] - 1 if best[0] and raw[best[0] - 1:best[0]] == b"\r" else best[0]
        return raw[:start], best[1]

    rng = random.Random(29)
    pieces = [b"A: 1", b"B:2", b" x", b"\tfold", b"\r\n", b"\n", b"\r", b"\r\r\n", b"\n\r\n", b"\n\n", b"C :", b"bad line"]
    for _ in range(4000):
        raw = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert _dkimpy._split_at_blank_line(raw) == two_searches(raw), raw
        split = _dkimpy._split(raw)
        try:
            reference_headers, reference_body = dkim.rfc822_parse(raw)
        except (dkim.MessageFormatError, IndexError):
            continue  # a stray line or a leading continuation: dkimpy gives up, we skip the line
        assert split.headers == [tuple(pair) for pair in reference_headers], raw
        assert split.body == reference_body, raw


def test_tag_dict_matches_a_plain_tag_list_parser() -> None:
    """parse_tag_dict (and parse_tag_list built on it) against the straightforward parser."""
    from headerscope.auth.tags import parse_tag_dict

    wsp = " \t\r\n"

    def plain(text: str) -> tuple[tuple[tuple[str, str], ...], str | None]:
        tags: list[tuple[str, str]] = []
        seen: set[str] = set()
        error: str | None = None
        specs = text.split(";")
        if specs and not specs[-1].strip(wsp):
            specs.pop()
        for position, spec in enumerate(specs, start=1):
            name, equals, value = spec.partition("=")
            name, value = name.strip(wsp), value.strip(wsp)
            if not equals:
                shown = spec.strip(wsp)
                if error is None:
                    error = (f"tag {position} has no '=': {shown[:40]!r}" if shown
                             else f"empty tag at position {position} (two semicolons in a row)")
                continue
            valid = bool(name) and name[0].isascii() and name[0].isalpha() and name.isascii() \
                and name.replace("_", "").isalnum()
            if not valid:
                if error is None:
                    error = f"invalid tag name {name[:40]!r}"
                continue
            if name in seen:
                if error is None:
                    error = f"tag {name}= appears more than once"
                continue
            seen.add(name)
            tags.append((name, value))
        return tuple(tags), error

    rng = random.Random(31)
    pieces = ["v", "a", "bh", "b", "x_1", "1a", "é", "=", "==", ";", " ", "\r\n\t", "1", "rsa-sha256", ":", ""]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        tags, error = plain(text)
        values, dict_error = parse_tag_dict(text)
        assert (tuple(values.items()), dict_error) == (tags, error), text
        assert (parse_tag_list(text).tags, parse_tag_list(text).error) == (tags, error), text


def test_b_tag_blanking_with_many_b_candidates_matches_dkimpy() -> None:
    """The literal-first b= search passes over every "b" not preceded by ";" or whitespace."""
    from headerscope.auth import _dkimpy

    rng = random.Random(37)
    chars = [b"b", b"b=", b"b =", b"bb=", b"xb=", b"=b=", b";b=", b"\x0bb=", b"\x0cb\t=", b"A", b"/", b"+",
             b" ", b"\r\n ", b"\r\n", b"h=from:b=", b";", b"bh=abc="]
    for _ in range(4000):
        value = b"".join(rng.choice(chars) for _ in range(rng.randint(0, 24)))
        assert _dkimpy.blank_b_tag(value) == dkim.RE_BTAG.sub(b"\\1", value), value


def test_canonical_fields_are_the_joined_canonical_headers() -> None:
    from headerscope.auth import _dkimpy

    raw = crlf(b"From: a@example.com\nSubject:  x \t y\n  folded\nTo: b@example.net\nsubject: two\n\nbody\n")
    split = _dkimpy._split(raw)
    for algorithm in ("simple", "relaxed"):
        for positions in ([0, 1, 2, 3], [3, 1], [1, 1], []):
            expected = b"".join(b"%s:%s" % _dkimpy.canonicalize_header(algorithm, split.headers[p]) for p in positions)
            assert split.canonical_fields(algorithm, positions) == expected  # first: computed
            assert split.canonical_fields(algorithm, positions) == expected  # then: cached


def test_key_record_facts_match_the_record() -> None:
    """The cached reading of a key record says what reading it for every signature said."""
    from headerscope.auth.dkim import _read_key_record
    from headerscope.auth.tags import split_colon_list

    rng = random.Random(41)
    pieces = ["v=DKIM1", "v=DKIM2", "k=rsa", "k=ED25519", "k=x", "p=", "p=AB CD", "h=sha256", "h=SHA1:sha256",
              "s=email", "s=*", "s=tlsrpt", "t=y", "t=s:Y", "t= s ", "x", "v=DKIM1"]
    for _ in range(3000):
        record = "; ".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        tags = parse_tag_list(record)
        values = dict(tags.tags)
        facts = _read_key_record(record)
        flags = [f.strip().lower() for f in split_colon_list(values.get("t", ""))]
        services = [s.strip().lower() for s in split_colon_list(values.get("s", "*"))]
        assert facts.values == values and facts.error == tags.error
        assert (facts.testing, facts.same_domain) == ("y" in flags, "s" in flags)
        assert facts.bad_version == ("v" in values and (values["v"] != "DKIM1" or tags.tags[0][0] != "v"))
        assert facts.p_value == ("".join(values["p"].split()) if "p" in values else None)
        assert facts.kind == values.get("k", "rsa").strip().lower()
        assert facts.hashes == (tuple(h.strip().lower() for h in split_colon_list(values["h"])) if "h" in values else None)
        assert facts.for_email == ("*" in services or "email" in services)


def test_iso_times_match_strftime() -> None:
    from headerscope.auth.dkim import _iso

    moments = [datetime(1, 1, 1, tzinfo=timezone.utc), datetime(999, 12, 31, 23, 59, 59, tzinfo=timezone.utc),
               datetime(1000, 1, 1, tzinfo=timezone.utc), datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc),
               datetime(2026, 3, 4, 5, 6, 7, 89, tzinfo=timezone(timedelta(hours=-7, minutes=-30)))]
    moments += [datetime.fromtimestamp(t, tz=timezone.utc) for t in range(0, 4_000_000_000, 77_777_777)]
    for moment in moments:
        assert _iso(moment) == moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_key_record_cache_is_judged_per_signature() -> None:
    """One cached key record (t=s) serves two signatures: each is judged on its own i=."""
    raw = sign(MESSAGE, key=rsa_key(1024), extra="i=@example.com;")
    raw = sign(raw, key=rsa_key(1024), extra="i=@sub.example.com;")
    results, _ = verify(raw, rsa_dns(1024, extra=" t=s;"))
    # The second signature is on top (index 0); t=s refuses its i= in a subdomain.
    assert [(r.auid, r.result, r.reason_code) for r in results] == [
        ("@sub.example.com", "permerror", "key_mismatch"), ("@example.com", "pass", "ok")]


def test_a_header_only_copy_re_spaced_under_simple_canonicalization_is_no_forgery() -> None:
    # OpenDKIM's default c=simple signs header lines as written: a header view or a web page
    # that leaves a space at a line's end (or turns a tab into spaces) breaks it, and a header
    # alone is such a copy.
    raw = sign(MESSAGE, key=rsa_key(1024), canon="simple/simple")
    head = raw.split(b"\r\n\r\n")[0] + b"\r\n"
    respaced = head.replace(b"Quarterly figures\r\n", b"Quarterly figures \r\n")
    assert respaced != head
    (r,), findings = verify(respaced, rsa_dns(1024))
    assert (r.result, r.reason_code) == ("neutral", "not_original")
    assert "simple header canonicalization" in r.reason
    assert not [f for f in findings if f.id == "dkim.headers_changed"]
    # The whole message, byte for byte as given, keeps the verdict: its header was changed.
    (r,), _ = verify(raw.replace(b"Quarterly figures\r\n", b"Quarterly figures \r\n"), rsa_dns(1024))
    assert (r.result, r.reason_code) == ("fail", "signature_mismatch")


def test_a_body_changed_after_signing_is_found_without_the_key() -> None:
    # The body hash needs no DNS (RFC 6376 section 3.7): offline, a changed body is a finding,
    # not only words in a "not checked" row.
    from conftest import SAMPLES

    import headerscope

    raw = (SAMPLES / "direct.eml").read_bytes()
    assert "dkim.body_changed" not in {f.id for f in headerscope.analyze(raw, offline=True).findings}
    # The sample's receiver verified the signature at delivery: the change came after it.
    found = [f for f in headerscope.analyze(raw + b"tampered\r\n", offline=True).findings
             if f.id in ("dkim.body_changed", "recorded.modified_after_delivery")]
    assert [f.id for f in found] == ["recorded.modified_after_delivery"]
    assert "computed without the key, no longer matches: the body changed after delivery" in found[0].explanation
    # Result codes are said as words in a title ("not_checked" was printed as it is).
    assert found[0].title.startswith("DKIM: recorded pass, now not checked (")
    # Without the receiver's record, the keyless finding says the body changed after signing
    # (test_recorded's test_the_keyless_body_finding_is_not_repeated_beside_the_after_delivery_comparison).


def test_a_body_the_receiving_server_re_encoded_is_said_to_be_its_change() -> None:
    # sendmail notes "X-MIME-Autoconverted: from base64 to 8bit by <host> id <queue id>" when it
    # re-encodes a body after accepting it (real, 2019): the keyless body-hash finding names that
    # server. It stays a warning: the note is text a sender can write too (verification V15 F2: a
    # forged note lowered it and blamed the MX). A note naming a host of no receiving hop changes nothing.
    import headerscope

    def message(converter: bytes) -> bytes:
        return (b"Received: from mail-pg1-f205.google.example (mail-pg1-f205.google.example [209.85.215.205]) by "
                b"neko.example.jp (8.14.4) with ESMTP id 01SLcgSv017310; Thu, 28 Feb 2019 23:34:45 +0900\r\n"
                b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=googlemail.example; s=x; h=from;"
                b" bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n"
                b"X-MIME-Autoconverted: from base64 to 8bit by " + converter + b" id 01SLcgSv017310\r\n"
                b"From: a@googlemail.example\r\nDate: Thu, 28 Feb 2019 06:34:43 -0800\r\n\r\nConverted body.\r\n")

    [changed] = [f for f in headerscope.analyze(message(b"neko.example.jp"), offline=True).findings
                 if f.id == "dkim.body_changed"]
    assert changed.severity.value == "warning"
    assert "says the receiving side's own server neko.example.jp converted the body from base64 to 8bit" \
        in changed.explanation and "The note is text a sender can write too." in changed.explanation
    [changed] = [f for f in headerscope.analyze(message(b"relay.elsewhere.example"), offline=True).findings
                 if f.id == "dkim.body_changed"]
    assert changed.severity.value == "warning" and "X-MIME-Autoconverted" not in changed.explanation


def test_a_body_a_mailing_list_changed_and_re_signed_is_a_notice() -> None:
    # samba.org's Mailman added its footer to a Postmark-signed message and signed it again
    # (real, 2020): "Body changed after DKIM signing" headlined every list message. With the
    # list's own signature over the body as sent, it is a notice naming the list.
    import headerscope

    body = b"Reply text.\r\n-- \r\nsamba-technical mailing list footer\r\n"
    list_bh = base64.b64encode(hashlib.sha256(_canon_body(body, True)).digest())

    def message(list_fields: bytes, list_domain: bytes = b"samba.example") -> bytes:
        return (b"Received: from hr1." + list_domain + b" (hr1." + list_domain + b" [192.0.2.8]) by mail.lfdr.example"
                b" with ESMTPS id 9; Mon, 7 Dec 2020 17:59:38 +0000\r\n"
                b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=lists." + list_domain + b"; s=x; h=from;"
                b" bh=" + list_bh + b"; b=AAAA\r\n" + list_fields +
                b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=gget.example; s=pm; h=from;"
                b" bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n"
                b"From: j@gget.example\r\nDate: Mon, 7 Dec 2020 17:58:00 +0000\r\n\r\n" + body)

    listed = message(b"List-Id: Samba Technical <samba-technical.lists.samba.example>\r\n")
    [changed] = [f for f in headerscope.analyze(listed, offline=True).findings if f.id == "dkim.body_changed"]
    assert changed.subject == "dkim gget.example/pm" and changed.severity.value == "notice"
    assert "mailing list Samba Technical <samba-technical.lists.samba.example>" in changed.explanation
    assert "(d=lists.samba.example) covers the body as the list sent it" in changed.explanation
    # No list field, or a list of another organisation than the body's signer: a warning as before.
    for other in (message(b""), message(b"List-Id: <samba-technical.lists.other.example>\r\n")):
        [changed] = [f for f in headerscope.analyze(other, offline=True).findings if f.id == "dkim.body_changed"]
        assert changed.severity.value == "warning" and "mailing list" not in changed.explanation


def test_a_domainkeys_signature_is_said_and_not_verified() -> None:
    # seznam.cz signed with DomainKeys as late as 2010 (real): the report said the message had no
    # signature at all. It is told, by its domain, as historic and unverified.
    raw = (b"DomainKey-Signature: a=rsa-sha1; q=dns; c=nofws; s=beta; d=seznam.example; b=AAAA\r\n" + MESSAGE)
    results, findings = verify(raw, {})
    assert results == ()
    [note] = [f for f in findings if f.id == "dkim.domainkeys"]
    assert note.title == "DomainKeys signature by seznam.example: historic, not verified"
    assert note.severity.value == "info" and note.subject == "header 1"
    _, findings = verify(sign(MESSAGE, key=rsa_key(1024)), rsa_dns(1024))
    assert not [f for f in findings if f.id == "dkim.domainkeys"]


def test_a_signature_the_paste_stops_inside_is_cut_off_not_malformed() -> None:
    # A header pasted into a GitHub issue (real, 2023) ends in the DKIM-Signature's bh=: "Malformed
    # DKIM signature", a warning about the sender, for what the paste left out.
    import headerscope

    head = (b"Received: from mail-ed1-f41.google.com (mail-ed1-f41.google.com [209.85.208.41]) by mx.example.net "
            b"with ESMTPS id 1; Mon, 2 Nov 2026 10:00:02 +0000\r\nSubject: x\r\n")
    cut = head + (b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=gmail.com; s=20221208;\r\n"
                  b" h=to:subject:message-id:date:from:mime-version:from:to:cc:subject:date;\r\n"
                  b" bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n")
    report = headerscope.analyze(cut, offline=True)
    [signature] = report.dkim
    assert (signature.result, signature.reason_code) == ("neutral", "cut_off")
    assert [f.id for f in report.findings if f.id.startswith("dkim.")] == ["dkim.cut_off"]
    # The same signature with a field after it was not cut by the paste: malformed.
    whole = cut + b"To: a@example.net\r\n"
    assert [s.reason_code for s in headerscope.analyze(whole, offline=True).dkim] == ["malformed"]


def test_a_body_a_mailing_list_broke_with_its_footer_is_a_notice() -> None:
    # Mailman 3 at lists.01.org (real, 2020): the author's signature broken by the list's footer,
    # with no list signature after it, headlined "Body changed after DKIM signing".
    import headerscope

    def message(body: bytes) -> bytes:
        return (b"Received: from ml01.lists.example (ml01.lists.example [192.0.2.8]) by mail.lfdr.example"
                b" with ESMTPS id 9; Mon, 7 Dec 2020 17:59:38 +0000\r\n"
                b"List-Id: \"Dev list.\" <dev.lists.example>\r\nList-Post: <mailto:dev@lists.example>\r\n"
                b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=author.example; s=pm; h=from;"
                b" bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n"
                b"From: j@author.example\r\nDate: Mon, 7 Dec 2020 17:58:00 +0000\r\n\r\n" + body)

    footer = b"Patch.\r\n_______________________________________________\r\nDev mailing list -- dev@lists.example\r\n"
    [changed] = [f for f in headerscope.analyze(message(footer), offline=True).findings if f.id == "dkim.body_changed"]
    assert changed.severity.value == "notice"
    assert "its body ends with the list's footer (dev@lists.example)" in changed.explanation, changed.explanation
    # A changed body with no footer of the list's: a warning as before.
    [changed] = [f for f in headerscope.analyze(message(b"Patch, edited.\r\n"), offline=True).findings
                 if f.id == "dkim.body_changed"]
    assert changed.severity.value == "warning"
    # List fields and a footer anyone can write: not when the receiver took it from another organisation.
    elsewhere = message(footer).replace(b"from ml01.lists.example (ml01.lists.example", b"from out.other.example "
                                        b"(out.other.example")
    [changed] = [f for f in headerscope.analyze(elsewhere, offline=True).findings if f.id == "dkim.body_changed"]
    assert changed.severity.value == "warning"
    # A signature not of the From: domain (SourceForge's own, real 2013) is no author's the footer broke.
    lists_own = message(footer).replace(b"d=author.example", b"d=sf.example")
    [changed] = [f for f in headerscope.analyze(lists_own, offline=True).findings if f.id == "dkim.body_changed"]
    assert changed.severity.value == "warning" and "author's signature" not in changed.explanation


@pytest.mark.parametrize("mark", ["[...]", "...", "\u2026", "[snip]"])
def test_a_signature_value_shortened_in_a_pasted_copy_is_not_checked_not_malformed(mark: str) -> None:
    # A blog post (Mailchimp self-spoof, Exchange Online's A-R, 2022) shortened the signature by
    # hand: "b=f/QQI/aH2h[...]zd+afw==". Exchange Online had verified the whole one (dkim=pass).
    import headerscope

    header = ("Authentication-Results: spf=pass (sender IP is 198.2.184.252)\r\n smtp.mailfrom=mail252.suw101.mcdlv.net; "
              "dkim=pass (signature was verified)\r\n header.d=martinsohn.dk;dmarc=pass action=none\r\n "
              "header.from=martinsohn.dk;compauth=pass reason=100\r\n"
              "Received: from mail252.suw101.mcdlv.net (198.2.184.252) by\r\n DB8EUR05FT024.mail.protection.outlook.com "
              "(10.233.239.191) with Microsoft\r\n SMTP Server id 15.20.5164.19 via Frontend Transport; "
              "Sat, 16 Apr 2022 16:45:37 +0000\r\n"
              "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=martinsohn.dk; s=k3;\r\n"
              "  t=1650127536; x=1650429936; i=john@martinsohn.dk;\r\n"
              "  bh=fgC38+u6EAPPkt0qmpcIMe74WeuFs1sd34Zw+M4bE0I=;\r\n  h=Subject:From:Reply-To:To:Date;\r\n"
              f"  b=f/QQI/aH2h{mark}zd+afw==\r\n"
              "Subject: URGENT\r\nFrom: John Doe <john@martinsohn.dk>\r\nTo: <accounting@martinsohn.dk>\r\n"
              "Date: Sat, 16 Apr 2022 16:45:36 +0000\r\n")
    report = headerscope.analyze(header.encode(), offline=True)
    [signature] = report.dkim
    assert (signature.result, signature.reason_code) == ("neutral", "shortened")
    assert "shortened its b= value" in signature.reason
    assert [f.id for f in report.findings if f.id.startswith("dkim.")] == ["dkim.shortened"]
    [dkim_row] = [c for c in report.comparison if c.method == "dkim"]
    assert (dkim_row.recorded, dkim_row.label) == ("pass", "not_recomputed")
    assert not [f for f in report.findings if f.id.startswith("recorded.") and "dkim" in (f.subject or "")]
    # In a whole message (its original bytes) the same value is the sender's: malformed.
    whole = (header + "\r\nHello\r\n").encode()
    assert [(s.result, s.reason_code) for s in headerscope.analyze(whole, offline=True).dkim] == [
        ("permerror", "malformed")]


# ------------------------------------------------------------------ one key, several signatures

def test_a_domain_that_signed_twice_with_one_key_is_explained() -> None:
    from headerscope.auth.recorded import signed_repeatedly

    key = rsa_key(1024)
    first = sign(MESSAGE, key=key)
    # A relay of the sender's adds a footer, then signs again with the same key (stacked signers).
    head, _, body = first.partition(b"\r\n\r\n")
    changed = head + b"\r\n\r\n" + body + b"-- \r\nSent through the Example relay\r\n"
    raw = sign(changed, key=key)
    results, _ = verify(raw, rsa_dns(1024))
    assert [(r.header_index, r.result, r.reason_code) for r in results] == [
        (0, "pass", "ok"), (1, "fail", "body_hash_mismatch")]
    findings = signed_repeatedly(parse_message(raw), results, ())
    assert len(findings) == 1
    finding = findings[0]
    assert finding.id == "dkim.signed_repeatedly" and finding.severity.value == "notice"
    assert finding.title == "example.com signed the message twice with the same key (s=s1): 1 pass, 1 fail"
    assert "header 1: pass; header 2: fail (the body hash does not match)" in finding.explanation
    assert "The topmost, added last" in finding.explanation


def test_a_copied_signature_and_two_selectors_are_not_signing_twice() -> None:
    from headerscope.auth.recorded import signed_repeatedly

    key = rsa_key(1024)
    once = sign(MESSAGE, key=key)
    copied = once.split(b"\r\n", 1)[0] + b"\r\n" + once  # the same field twice, byte for byte
    results, _ = verify(copied, rsa_dns(1024))
    assert signed_repeatedly(parse_message(copied), results, ()) == []
    two_keys = sign(once, selector="s2", key=key)
    dns = {**rsa_dns(1024), **rsa_dns(1024, name="s2._domainkey.example.com")}
    results, _ = verify(two_keys, dns)
    assert signed_repeatedly(parse_message(two_keys), results, ()) == []


# ------------------------------------------------------------------ signatures kept under another name

def test_a_renamed_original_signature_is_told_and_never_verified() -> None:
    key = rsa_key(1024)
    original = sign(MESSAGE, key=key, extra=" t=1768212000;")
    # A list renames the author's signature (Mailman's REMOVE_DKIM_HEADERS = 3), tags the
    # subject, and signs afresh with its own domain.
    renamed = original.replace(b"DKIM-Signature:", b"X-Mailman-Original-DKIM-Signature:", 1).replace(
        b"Subject: Quarterly figures", b"Subject: [team] Quarterly figures")
    raw = sign(renamed, domain="lists.example.org", key=key)
    dns = rsa_dns(1024, name="s1._domainkey.lists.example.org")
    results, findings = verify(raw, dns)
    assert [(r.domain, r.result) for r in results] == [("lists.example.org", "pass")]
    notes = [f for f in findings if f.id == "dkim.renamed_signature"]
    assert len(notes) == 1 and notes[0].severity.value == "info"
    assert notes[0].title == "A DKIM signature kept under another name (by example.com): not verified"
    assert notes[0].explanation.startswith(
        "Header 2, X-Mailman-Original-DKIM-Signature, keeps a signature by example.com (s=s1, signed "
        "2026-01-12T10:00:00Z)")
    assert "not verified here and vouches for nothing" in notes[0].explanation
    assert "now are by lists.example.org" in notes[0].explanation
    assert notes[0].subject == "header 2"


def test_gateway_renamed_signatures_are_told_but_googles_own_is_not() -> None:
    raw = crlf(b"X-msw-original-dkim-signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
               b" d=contoso.onmicrosoft.com; s=selector1-contoso-onmicrosoft-com;\n"
               b" h=From:Date:Subject:Message-ID; bh=AAAA; b=BBBB\n"
               b"X-Google-DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=1e100.net; s=20230601;\n"
               b" h=from:to; bh=AAAA; b=CCCC\n") + MESSAGE
    _, findings = verify(raw, {})
    notes = [f for f in findings if f.id == "dkim.renamed_signature"]
    assert len(notes) == 1 and "by contoso.onmicrosoft.com" in notes[0].title
    assert "1e100.net" not in notes[0].explanation
    assert "carries no DKIM-Signature field now" in notes[0].explanation


def test_a_signature_an_earlier_server_saw_pass_and_the_list_removed_is_told() -> None:
    """A Google group removes the author's DKIM signature and signs as itself; the ARC set
    Google added records that the author's signature passed on arrival. The finding says the
    signature is gone and what that leaves DMARC (RFC 8617 section 7.2); a signature still in
    the message, or one a paste may have left out, is not called removed."""
    import headerscope

    copy = (b"Received: from mail-yb1.google.example (mail-yb1.google.example [203.0.113.5]) by mx.member.example "
            b"(Postfix) with ESMTPS id 2; Sun, 10 May 2020 07:33:06 +0000\r\n"
            b"ARC-Authentication-Results: i=1; mx.google.example; dkim=pass header.i=@kernel.example "
            b"header.s=k20201202 header.b=abc; spf=pass smtp.mailfrom=stern@kernel.example\r\n"
            b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=lists.group.example; s=google; "
            b"h=from:subject; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA\r\n"
            b"Received: from mail.kernel.example (mail.kernel.example [198.51.100.99]) by mx.google.example with "
            b"ESMTPS id 1; Sun, 10 May 2020 00:33:01 -0700\r\n"
            b"From: Alan <stern@kernel.example>\r\nTo: usb@lists.group.example\r\nSubject: [PATCH]\r\n"
            b"List-Id: <usb.lists.group.example>\r\n"
            b"Date: Sun, 10 May 2020 03:32:58 -0400\r\nMessage-ID: <1@kernel.example>\r\n\r\nbody\r\n")
    [removed] = [f for f in headerscope.analyze(copy, offline=True).findings if f.id == "dkim.removed"]
    assert removed.title == ("An earlier server's record says a DKIM signature of kernel.example passed; it is not in "
                             "the message now")
    assert "ARC-Authentication-Results i=1" in removed.explanation and "a claim not checked here" in removed.explanation
    # Without a list in the copy (a direct spoof with a made-up earlier record), nothing is told.
    direct = copy.replace(b"List-Id: <usb.lists.group.example>\r\n", b"")
    assert not [f for f in headerscope.analyze(direct, offline=True).findings if f.id == "dkim.removed"]
    # Still there: nothing to tell.
    kept = copy.replace(b"Received:", b"DKIM-Signature: v=1; a=rsa-sha256; d=kernel.example; s=k20201202; "
                                      b"h=from; bh=x; b=y\r\nReceived:", 1)
    assert not [f for f in headerscope.analyze(kept, offline=True).findings if f.id == "dkim.removed"]
    # Kept under another name (Mailman's): dkim.renamed_signature tells it instead.
    renamed = copy.replace(b"Received:", b"X-Mailman-Original-DKIM-Signature: v=1; a=rsa-sha256; d=kernel.example; "
                                         b"s=k20201202; h=from; bh=x; b=y\r\nReceived:", 1)
    assert not [f for f in headerscope.analyze(renamed, offline=True).findings if f.id == "dkim.removed"]
    # A record naming only a domain, no selector or signature (Microsoft's outbound record of
    # the tenant's own sending, real shape): no signature is known to have existed.
    domain_only = copy.replace(b"header.s=k20201202 header.b=abc", b"")
    assert not [f for f in headerscope.analyze(domain_only, offline=True).findings if f.id == "dkim.removed"]
    # A pasted header (no body) may have left the signature out.
    paste = copy.split(b"\r\n\r\n")[0] + b"\r\n"
    assert not [f for f in headerscope.analyze(paste, offline=True).findings if f.id == "dkim.removed"]


def test_a_list_that_adds_fields_the_signature_over_signs_is_named_as_the_likely_cause() -> None:
    """The author's signer named List-Id and List-Unsubscribe in h= while the message had none
    (RFC 6376 section 5.4.2), so the list's added fields break the signature: said beside
    dkim.headers_changed, which stays a warning. Not for the list's own signature, nor without
    a list."""
    raw = sign(MESSAGE, key=rsa_key(1024), headers="from:to:subject:date:list-id:list-unsubscribe")
    dns = rsa_dns(1024)
    listed = raw.replace(b"Subject:", b"List-Id: <dev.lists.example.org>\r\nList-Unsubscribe: "
                                      b"<mailto:dev-leave@lists.example.org>\r\nSubject:", 1)
    (r,), findings = verify(listed, dns)
    assert (r.result, r.reason_code, r.body_hash_ok) == ("fail", "signature_mismatch", True)
    [changed] = [f for f in findings if f.id == "dkim.headers_changed"]
    assert changed.severity.value == "warning"
    assert "likely cause: the signature by example.com covers List-Id, List-Unsubscribe (h=), fields the mailing " \
           "list (dev.lists.example.org) adds" in changed.explanation
    # Without a list's fields in the message, another change is not blamed on a list.
    plain = raw.replace(b"Quarterly figures", b"Quarterly figures!")
    (r,), findings = verify(plain, dns)
    [changed] = [f for f in findings if f.id == "dkim.headers_changed"]
    assert "likely cause" not in changed.explanation
    # The list's own signature (its organisation signs): its own fields are not the cause.
    own = listed.replace(b"<dev.lists.example.org>", b"<dev.example.com>")
    (r,), findings = verify(own, dns)
    [changed] = [f for f in findings if f.id == "dkim.headers_changed"]
    assert "likely cause" not in changed.explanation


def carry_signature(raw: bytes, domain: str) -> bytes:
    """``raw`` with a DKIM-Signature of ``domain`` whose body hash is right, put just above its
    From: field and folded as a mail program writes it: what a receiver's recorded pass for the
    domain needs to stand for the message offline (the key is nobody's, and not looked up)."""
    signed = sign(raw, domain=domain, key=rsa_key(1024))
    line, _, rest = signed.partition(b"\r\n")
    at = 0 if rest.startswith(b"From:") else rest.find(b"\r\nFrom:") + 2
    assert at != 1, "no From: field"
    return rest[:at] + line.replace(b"; ", b";\r\n ") + b"\r\n" + rest[at:]


def test_a_carried_copys_own_received_is_not_the_delivery_time_of_its_expiry() -> None:
    # Verification V27 D4: a message attached by whoever forwards it (--attached 1) has a topmost
    # Received that forwarder wrote; a replay whose x= passed long ago, under a Received dated
    # before it, passed "as of delivery". Only the receiving side's own stamp is that time.
    from headerscope.api import AnalysisOptions, analyze_loaded
    from headerscope.cli import _attached_input
    from headerscope.loader import load_bytes

    signed_at = int(datetime(2026, 1, 12, 10, tzinfo=timezone.utc).timestamp())
    inner = (b"Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.net with ESMTPS; "
             b"Mon, 12 Jan 2026 10:00:09 +0000\r\n"
             + sign(MESSAGE, key=rsa_key(1024), extra=f" t={signed_at}; x={signed_at + 86400};"))
    carrier = (b"From: Mallory <m@attacker.example>\r\nTo: Bob <bob@example.net>\r\nSubject: Fwd\r\n"
               b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
               b"Content-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"
               + inner + b"\r\n--b--\r\n")
    options = AnalysisOptions(resolver=SnapshotResolver(rsa_dns(1024)), now=datetime(2026, 11, 1, tzinfo=timezone.utc))
    attached, attached_options = _attached_input(load_bytes(carrier, source="fwd.eml"), 1, options)
    [sig] = analyze_loaded(attached, attached_options).dkim
    assert (sig.result, sig.reason_code) == ("policy", "expired")
    # The same message as the receiving side stored it: valid at delivery, it passes as of then.
    [stored] = verify(inner, rsa_dns(1024), delivery=datetime(2026, 1, 12, 10, 0, 9, tzinfo=timezone.utc),
                      now=datetime(2026, 11, 1, tzinfo=timezone.utc))[0]
    assert (stored.result, stored.reason_code) == ("pass", "expired_after_delivery")


def test_arc_and_dkim_share_one_split_of_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    # check_arc released the split message it shares with DKIM, which runs after it: every message
    # with an ARC set was split twice (a copy of its header and body each time). Released once every
    # check is done, so a scan keeps no message's split beyond its own analysis.
    import json

    from conftest import SAMPLES

    import headerscope
    from headerscope.auth import _dkimpy

    splits = []
    original = _dkimpy.SplitMessage.__init__

    def counting(self: _dkimpy.SplitMessage, *args: object, **kwargs: object) -> None:
        if args[1]:  # raw: ARC's view of its fields (SplitMessage.fields_view) holds no bytes of the message
            splits.append(1)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_dkimpy.SplitMessage, "__init__", counting)
    raw = (SAMPLES / "direct.eml").read_bytes()
    assert b"ARC-Seal:" in raw and b"DKIM-Signature:" in raw
    report = headerscope.analyze(raw, resolver=SnapshotResolver(json.loads((SAMPLES / "direct.dns.json").read_text())))
    assert report.verdict.status == "authenticated"
    assert len(splits) == 1
    assert _dkimpy._last_split is None


def test_a_signature_of_another_length_than_the_key_is_said_not_made_with_it() -> None:
    # RFC 8017 section 8.2.2 step 1: an RSA signature is exactly the modulus's length, so a b= of
    # 256 bytes under a 1024-bit key (the selector's key replaced by a smaller one) was not made
    # with that key: "signed headers changed" sends the postmaster to the wrong cause.
    raw = sign(MESSAGE, key=rsa_key(2048))
    (r,), _ = verify(raw, rsa_dns(1024))
    assert (r.result, r.reason_code) == ("fail", "signature_mismatch")
    assert r.reason.startswith("b= is 256 bytes, but a signature by the 1024-bit rsa key at s1._domainkey.example.com "
                               "is 128 bytes (RFC 8017 section 8.2.2)"), r.reason
    # A key of the same size that did not sign: the length tells nothing, the old words stand.
    (r,), _ = verify(raw, rsa_dns(2048) | {"s1._domainkey.example.com": {"TXT": [[
        "v=DKIM1; k=rsa; p=", rsa_p(*rsa_key(2048, seed=2)[:2])]]}})
    assert r.reason.startswith("signed headers changed since signing"), r.reason
    # ed25519: 64 bytes (RFC 8032 section 5.1.7), b= cut short in transit.
    key = nacl.signing.SigningKey(bytes(range(32)))
    signed = sign(MESSAGE, key=key, algorithm="ed25519-sha256")
    cut = re.sub(rb"(b=[A-Za-z0-9+/]{40})[A-Za-z0-9+/=]+", rb"\1", signed, count=1)
    public = base64.b64encode(bytes(key.verify_key)).decode()
    (r,), _ = verify(cut, {"s1._domainkey.example.com": {"TXT": [f"v=DKIM1; k=ed25519; p={public}"]}})
    assert r.reason.startswith("b= is 30 bytes, but a signature by the 256-bit ed25519 key"), r.reason
    assert "RFC 8032 section 5.1.7" in r.reason


def test_a_body_hash_of_another_length_than_the_digest_is_a_damaged_signature() -> None:
    # RFC 6376 section 3.5: bh= is the body's sha256 (32 bytes) or sha1 (20) digest; one of another
    # length can match no body, so "the body changed" would blame the message for a damaged tag.
    raw = sign(MESSAGE, key=rsa_key(1024))
    cut = re.sub(rb"bh=([A-Za-z0-9+/]{20})[A-Za-z0-9+/=]+;", rb"bh=\1;", raw, count=1)
    (r,), _ = verify(cut, rsa_dns(1024))
    assert (r.result, r.reason_code) == ("permerror", "malformed"), (r.result, r.reason_code, r.reason)
    assert r.reason == "bh= is 15 bytes, but a sha256 digest is 32 bytes: the signature was damaged (cut, or its tags joined) or written by hand"
    assert r.body_hash_ok is None
    # Offline: not checked, and the body is not said to have changed.
    (r,), _ = verify(cut, {}, resolver=OfflineResolver())
    assert r.result == "not_checked" and r.body_hash_ok is None and "body has also changed" not in r.reason
    assert "bh= is 15 bytes" in r.reason
    (r,), _ = verify(raw, rsa_dns(1024))
    assert r.result == "pass"


def test_a_selector_aliased_to_a_missing_name_names_the_alias_and_its_target() -> None:
    # Verification V40c, defect 2: Microsoft 365's selector2 is a CNAME to the tenant's
    # onmicrosoft.com name, which does not exist before DKIM is enabled there. The selector's name
    # exists (dig shows the CNAME): the missing one is its target (RFC 6604 section 3).
    raw = sign(MESSAGE, key=rsa_key(1024), selector="selector2")
    target = "selector2-example-com._domainkey.examplecorp.onmicrosoft.com"
    (r,), _ = verify(raw, {"selector2._domainkey.example.com": {"CNAME": [target + "."]}})
    assert (r.result, r.reason_code) == ("permerror", "key_not_found")
    assert r.reason == (f"no key published: selector2._domainkey.example.com is an alias (CNAME) of {target}, which "
                        "does not exist (NXDOMAIN); the key is not published where the alias points (for Microsoft "
                        "365: DKIM signing not yet enabled for the domain in the tenant, or this selector not yet "
                        "rotated in)")
    # Another provider, through two aliases, whose last name has no TXT record.
    (r,), _ = verify(raw, {"selector2._domainkey.example.com": {"CNAME": ["s2.dkim.esp.example."]},
                           "s2.dkim.esp.example": {"CNAME": ["keys.esp.example."]},
                           "keys.esp.example": {"A": ["192.0.2.1"]}})
    assert r.reason == ("no key published: selector2._domainkey.example.com is an alias (CNAME) of s2.dkim.esp.example, "
                        "itself an alias of keys.esp.example, which has no TXT record; the key is not published where "
                        "the alias points: the provider it points to has not published it yet, or removed it")
    # No alias: the words as before.
    (r,), _ = verify(raw, {})
    assert r.reason == ("no key published: selector2._domainkey.example.com does not exist (NXDOMAIN); the selector "
                        "was rotated out or is wrong")


def test_a_record_beginning_with_another_v_is_discarded_not_chosen() -> None:
    # Verification V40c, defect 4: RFC 6376 section 3.6.1, records beginning with a v= of another
    # value MUST be discarded; DNS gives the TXT set in no fixed order, so an SPF record at the
    # selector's name must not hide the key, whichever comes first.
    raw = sign(MESSAGE, key=rsa_key(1024))
    n, e, _ = rsa_key(1024)
    key = ["v=DKIM1; k=rsa; p=", rsa_p(n, e)]
    for records in ([["v=spf1 -all"], key], [key, ["v=spf1 -all"]], [[" v = DKIM2; p=", rsa_p(n, e)], key]):
        (r,), _ = verify(raw, {"s1._domainkey.example.com": {"TXT": records}})
        assert (r.result, r.reason_code) == ("pass", "ok"), records
        assert r.reason.endswith("(s1._domainkey.example.com has 2 TXT records; 1 beginning with a v= other than "
                                 "DKIM1 was discarded (RFC 6376 section 3.6.1), the other used)")
    # Several left: the first of them (section 6.1.2 step 3 lets the verifier choose).
    other_n, other_e, _ = rsa_key(1024, seed=2)
    (r,), _ = verify(raw, {"s1._domainkey.example.com": {"TXT": [["v=spf1 -all"], key,
                                                                  ["v=DKIM1; p=", rsa_p(other_n, other_e)]]}})
    assert r.result == "pass" and "2 beginning" not in r.reason and "the first of the others used" in r.reason
    # Two DKIM records: the first, as before; an SPF record alone is judged, and named.
    (r,), _ = verify(raw, {"s1._domainkey.example.com": {"TXT": [key, ["v=DKIM1; p=", rsa_p(other_n, other_e)]]}})
    assert r.result == "pass" and r.reason.endswith("(s1._domainkey.example.com has 2 TXT records; the first was used)")
    (r,), _ = verify(raw, {"s1._domainkey.example.com": {"TXT": [["v=spf1 -all"]]}})
    assert (r.result, r.reason_code) == ("permerror", "key_syntax") and "v='spf1 -all'" in r.reason


def test_a_key_records_version_and_upper_case_tags_are_said_as_they_are() -> None:
    # Verification V40c, wording: v=DKIM1 that is not first was said "has v='DKIM1'; it must be DKIM1".
    raw = sign(MESSAGE, key=rsa_key(1024))
    n, e, _ = rsa_key(1024)
    (r,), _ = verify(raw, {"s1._domainkey.example.com": {"TXT": [["k=rsa; v=DKIM1; p=", rsa_p(n, e)]]}})
    assert (r.reason_code, r.reason) == ("key_syntax", "key record at s1._domainkey.example.com has v=DKIM1 but not as "
                                                       "its first tag, where RFC 6376 section 3.6.1 requires it")
    (r,), _ = verify(raw, {"s1._domainkey.example.com": {"TXT": [["k=rsa; v=DKIM2; p=", rsa_p(n, e)]]}})
    assert r.reason == ("key record at s1._domainkey.example.com has v='DKIM2', and not as its first tag: v= must be "
                        "DKIM1 (RFC 6376 section 3.6.1)")
    (r,), _ = verify(raw, {"s1._domainkey.example.com": {"TXT": [["V=DKIM1; K=rsa; P=", rsa_p(n, e)]]}})
    assert r.reason == ("key record at s1._domainkey.example.com has no p= tag (P= present in upper case: tag names "
                        "are case-sensitive, RFC 6376 section 3.2)")
    (r,), _ = verify(raw, {"s1._domainkey.example.com": {"TXT": [["v=spf1 -all"]]}})
    assert r.reason == ("key record at s1._domainkey.example.com has v='spf1 -all', an SPF record, not a DKIM key: "
                        "v= must be DKIM1 (RFC 6376 section 3.6.1)")
    # The signature's own tags (RFC 6376 section 3.2: tag names are case-sensitive).
    (r,), _ = verify(raw.replace(b"DKIM-Signature: v=1; a=rsa-sha256;", b"DKIM-Signature: V=1; A=rsa-sha256;"),
                     rsa_dns(1024))
    assert (r.result, r.reason_code, r.reason) == (
        "permerror", "malformed", "signature lacks required tag(s) v=, a= (V=, A= present in upper case: tag names "
                                  "are case-sensitive, RFC 6376 section 3.2)")


def test_a_from_added_below_the_signed_one_or_above_an_oversigned_one_is_said_as_added() -> None:
    # Verification V40c, wording: a From: added below the signed one is the one a verifier selects
    # (RFC 6376 section 5.4.2), and one added above a signature that over-signs From fills its
    # empty entry; both failed as "signed headers changed", while a From: added above an ordinary
    # signature is the precise danger of section 8.15. Checked with the key: the signature
    # verifies with the added field left out.
    dns = rsa_dns(1024)
    raw = sign(MESSAGE, key=rsa_key(1024))
    below = raw.replace(b"From: Alice <alice@example.com>\r\n",
                        b"From: Alice <alice@example.com>\r\nFrom: CEO <ceo@example.com>\r\n")
    oversigned = b"From: CEO <ceo@example.com>\r\n" + sign(MESSAGE, key=rsa_key(1024), headers="from:from:to:subject:date")
    for message, where in ((below, "below"), (oversigned, "above")):
        (r,), findings = verify(message, dns)
        assert (r.result, r.reason_code, r.reason) == (
            "fail", "from_added", f"a From: field the signer did not sign was added {where} the signed one; the signed "
                                  "fields verify with it left out; mail programs differ in which From: they show (RFC "
                                  "6376 section 8.15)")
        [changed] = [f for f in findings if f.id == "dkim.headers_changed"]
        assert (changed.severity.value, changed.title) == ("danger", "An unsigned From: was added after DKIM signing")
    # Added above an ordinary signature: as before.
    (r,), _ = verify(b"From: CEO <ceo@example.com>\r\n" + raw, dns)
    assert (r.reason_code, r.reason) == ("from_added", "a From: field the signer did not sign was added; the signed "
                                                       "fields verify")
    # A From: added and another signed field changed: no From: left out makes it verify.
    (r,), _ = verify(below.replace(b"Quarterly figures", b"Quarterly figures!"), dns)
    assert (r.result, r.reason_code) == ("fail", "signature_mismatch")
    # The signed From: itself changed, beside a second one: not an added field either.
    (r,), _ = verify(below.replace(b"From: Alice <alice@", b"From: Mallory <alice@"), dns)
    assert r.reason_code == "signature_mismatch"
