"""The samples verify with dkimpy directly from their snapshots, and the generator is reproducible.

dkimpy is used here on purpose instead of headerscope's DKIM module: these tests vouch for the
sample files themselves, independently of the code that will analyze them.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import re
import shutil
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType

import dkim
import pytest
from conftest import SAMPLES

from headerscope.dns.snapshot import SnapshotResolver

# After the newest t= in the samples (late November 2026) and independent of the machine's
# clock: dkimpy rejects a t= in the future.
VERIFY_AT = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc).timestamp()

# Expected dkimpy result of each DKIM-Signature, top first.
EXPECTED_DKIM = {
    "direct.eml": [True],
    "forwarded-srs.eml": [True],
    "mailing-list.eml": [True, False],  # the list's own signature; the author's, broken by the footer
    "spoofed.eml": [False],  # signed with a key that is not the one published for s1._domainkey.bank.example
    "headers-only.txt": [False],  # no body to hash (see test_headers_only_paste_is_the_real_header)
    "ed25519.eml": [True, True],  # ed25519-sha256 above rsa-sha256 (RFC 8463)
    "bounce.eml": [],  # the bounce itself is unsigned; the returned message inside it is signed
}
EXPECTED_ARC = {"direct.eml": b"pass", "mailing-list.eml": b"pass"}
DOCUMENTATION_NETS = [ipaddress.ip_network(n) for n in
                      ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dkim.time, "time", lambda: VERIFY_AT)


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = module
    spec.loader.exec_module(module)
    return module


def dnsfunc_for(sample: str) -> Callable[..., bytes | None]:
    resolver = SnapshotResolver.from_file(SAMPLES / (sample.rsplit(".", 1)[0] + ".dns.json"))

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        answer = resolver.resolve(name.decode(), "TXT")
        return answer.texts[0].encode() if answer.ok else None

    return dnsfunc


def as_crlf(raw: bytes) -> bytes:
    return re.sub(rb"\r?\n", b"\r\n", raw)


def dkim_results(raw: bytes, sample: str) -> list[bool]:
    message = as_crlf(raw)
    # The header's signatures only: a bounce carries the returned message's in its body.
    header = message.split(b"\r\n\r\n", 1)[0]
    count = len(re.findall(rb"^DKIM-Signature:", header, flags=re.M | re.I))
    dnsfunc = dnsfunc_for(sample)
    results = []
    for index in range(count):
        verifier = dkim.DKIM(message, minkey=1024)
        try:
            results.append(bool(verifier.verify(idx=index, dnsfunc=dnsfunc)))
        except dkim.DKIMException:  # DKIM.verify raises where dkim.verify() returns False
            results.append(False)
    return results


def test_every_sample_is_listed() -> None:
    present = {p.name for p in SAMPLES.iterdir() if p.suffix in (".eml", ".txt")}
    assert present == set(EXPECTED_DKIM)
    for name in present:
        assert (SAMPLES / (name.rsplit(".", 1)[0] + ".dns.json")).is_file()


@pytest.mark.parametrize("sample", sorted(EXPECTED_DKIM))
def test_dkim_signatures_verify_from_the_snapshot(sample: str) -> None:
    assert dkim_results((SAMPLES / sample).read_bytes(), sample) == EXPECTED_DKIM[sample]


@pytest.mark.parametrize("sample", sorted(EXPECTED_DKIM))
def test_arc_chain_validates_from_the_snapshot(sample: str) -> None:
    cv, _results, reason = dkim.arc_verify(as_crlf((SAMPLES / sample).read_bytes()), dnsfunc=dnsfunc_for(sample))
    assert cv == EXPECTED_ARC.get(sample, b"none"), reason


def test_mailing_list_arc_sets_record_what_each_hop_saw() -> None:
    raw = (SAMPLES / "mailing-list.eml").read_bytes().decode()
    assert re.search(r"^ARC-Seal: i=1; cv=none;", raw, re.M)
    assert re.search(r"^ARC-Seal: i=2; cv=pass;", raw, re.M)
    aar1 = raw.split("ARC-Authentication-Results: i=1;", 1)[1].split("\nReceived:", 1)[0]
    assert "dkim=pass header.d=example.com" in aar1  # before the list changed the body


def test_tampering_breaks_the_direct_sample() -> None:
    # Proves the verification above can fail: one changed body byte, one changed header.
    raw = as_crlf((SAMPLES / "direct.eml").read_bytes())
    assert dkim_results(raw.replace(b"before Friday", b"before Monday"), "direct.eml") == [False]
    assert dkim_results(raw.replace(b"Subject: Q4", b"Subject: Q3"), "direct.eml") == [False]
    removed = dnsfunc_for("direct.eml")
    assert not dkim.verify(raw, dnsfunc=lambda name, timeout=5: None if b"s2026" in name else removed(name))


def test_headers_only_paste_is_the_real_header() -> None:
    # The paste is the header of a real signed message: with the body the generator wrote, it verifies.
    generator = load_generator()
    full, _dns = generator.sample_headers_only(SAMPLES / "keys")
    assert full == (SAMPLES / "headers-only.txt").read_bytes()
    assert b"\n\n" not in full and b"\r" not in full  # Outlook's pane: LF, no body
    head = as_crlf(full)
    body = b"--3f1b6e0c9a7d2e4b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" \
           b"30% off everything until Monday.\r\n--3f1b6e0c9a7d2e4b--\r\n"
    assert dkim_results(head + b"\r\n" + body, "headers-only.txt") == [True]


@pytest.mark.parametrize("sample", sorted(EXPECTED_DKIM))
def test_samples_are_realistic_and_use_documentation_addresses(sample: str) -> None:
    text = (SAMPLES / sample).read_text(encoding="utf-8")
    assert 4 <= len(re.findall(r"^Received:", text, re.M)) <= 8
    for header in ("Return-Path:", "Message-ID:", "Date:", "From:", "Authentication-Results:"):
        assert re.search("^" + header, text, re.M | re.I), header
    for match in re.finditer(r"(?<![\w.:])(\d{1,3}(?:\.\d{1,3}){3})(?![\w.])", text):
        ip = ipaddress.ip_address(match.group(1))
        assert ip.is_private or ip.is_loopback or any(ip in net for net in DOCUMENTATION_NETS), ip
    for match in re.finditer(r"\b(?:[0-9a-f]{1,4}:){2,7}(?::|[0-9a-f]{1,4})\b", text, re.I):
        try:
            ip6 = ipaddress.ip_address(match.group(0))
        except ValueError:
            continue  # a time of day or a hash, not an address
        assert any(ip6 in net for net in DOCUMENTATION_NETS), ip6


def test_dkim_timestamps_are_late_2026() -> None:
    for sample in EXPECTED_DKIM:
        raw = (SAMPLES / sample).read_text(encoding="utf-8")
        stamps = [int(t) for t in re.findall(r"\bt=(\d+);", raw)]
        assert stamps, sample
        for stamp in stamps:
            assert datetime(2026, 9, 1, tzinfo=timezone.utc).timestamp() < stamp < VERIFY_AT, sample


def test_generator_is_reproducible(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    shutil.copytree(SAMPLES / "keys", keys)
    before = {p.name: p.read_bytes() for p in keys.iterdir()}
    generator = load_generator()
    assert generator.main(["--out", str(tmp_path / "out"), "--keys", str(keys)]) == 0
    assert {p.name: p.read_bytes() for p in keys.iterdir()} == before  # no key regenerated
    for written in (tmp_path / "out").iterdir():
        assert written.read_bytes() == (SAMPLES / written.name).read_bytes(), written.name
    assert len(list((tmp_path / "out").iterdir())) == 2 * len(EXPECTED_DKIM)


def test_the_bounce_returns_the_signed_original_whole() -> None:
    # The message/rfc822 part is the original as Alice's server sent it: its signature verifies.
    from headerscope.message import parse_message
    from headerscope.mime import attached_messages

    (entry, original), = attached_messages(parse_message((SAMPLES / "bounce.eml").read_bytes()))
    assert entry.subject == "Signed contract, as agreed"
    assert dkim_results(original, "bounce.eml") == [True]
