"""``offline=True``: no socket is opened, and every check that needed DNS says it was not checked."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES

from headerscope.api import analyze
from headerscope.dns.live import LiveResolver

_NOT_CHECKED = "not_checked"


class NetworkUsed(AssertionError):
    """Raised (and recorded) when code under test tries to use the network."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every way to reach the network raises and is recorded (also if the raise is swallowed)."""
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def blocked(*args: object, **kwargs: object) -> Any:
            attempts.append(f"{what}{args[:2]!r}")
            raise NetworkUsed(f"network used: {what}")
        return blocked

    # Patch the class, not only the module attribute: libraries keep their own reference
    # to socket.socket (dnspython's dns.query.socket_factory, for one).
    monkeypatch.setattr(socket.socket, "__init__", refuse("socket.socket"))
    for function in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyaddr", "socketpair"):
        monkeypatch.setattr(socket, function, refuse(f"socket.{function}"))
    yield attempts


def test_the_guard_catches_a_resolver(no_network: list[str]) -> None:
    # Proves the fixture can fail: a live lookup under it is recorded (and becomes a status).
    answer = LiveResolver(nameserver="192.0.2.53", timeout=0.5).resolve("example.com", "TXT")
    assert answer.temporary_failure
    assert no_network and no_network[0].startswith("socket.socket")


def _samples() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*") if p.suffix in (".eml", ".txt"))


def _header_count(raw: bytes, name: bytes) -> int:
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    return sum(1 for line in head.split(b"\n") if line.lower().startswith(name.lower() + b":"))


@pytest.mark.parametrize("sample", _samples(), ids=lambda p: p.name)
def test_offline_opens_no_socket_and_says_not_checked(no_network: list[str], sample: Path) -> None:
    raw = sample.read_bytes()
    # A snapshot lies beside every sample: offline must win over it, and over a nameserver.
    report = analyze(raw, offline=True, source=str(sample), nameserver="192.0.2.53")
    assert no_network == []
    data = report.to_dict()
    assert data["dns_source"]["source"] == "offline"
    assert all(q["status"] == "OFFLINE" and q["records"] == [] for q in data["dns"])

    assert data["spf"] is None or data["spf"]["result"] == _NOT_CHECKED
    assert data["dmarc"] is None or data["dmarc"]["result"] == _NOT_CHECKED
    assert data["reverse_dns"] is None or data["reverse_dns"]["result"] == _NOT_CHECKED
    if sample.name == "bounce.eml":
        # A bounce its own organisation's server wrote and handed over inside it: SPF and DMARC do
        # not apply, and it carries no DKIM signature of its own, which needs no DNS to know.
        assert data["verdict"]["status"] == "unauthenticated"
        assert data["verdict"]["summary"].startswith("Unauthenticated, generated inside the receiving system")
    else:
        assert data["verdict"]["status"] == _NOT_CHECKED

    # Every DKIM signature is reported, none judged, each saying why (needs the DNS key).
    assert len(data["dkim"]) == _header_count(raw, b"DKIM-Signature")
    for signature in data["dkim"]:
        assert signature["result"] not in ("pass", "fail"), signature
        assert "offline" in (signature["reason"] + signature["reason_code"]).lower(), signature
    if _header_count(raw, b"ARC-Seal"):
        assert data["arc"] is not None and data["arc"]["result"] not in ("pass", "fail")
        assert "offline" in data["arc"]["reason"].lower()


def test_offline_says_when_nothing_can_authenticate_the_from_domain() -> None:
    # A phish forwarded by Cloudflare Email Routing into Gmail (real layout): no signature by the
    # From: domain, the envelope an SRS address of another sender. No DNS is needed to say DMARC
    # cannot pass; the receiver's own recorded DMARC fail is the evidence at delivery.
    import headerscope

    raw = (b"Return-Path: <SRS0=zpcd=vb=deadsett.com=help@whither.jp>\r\n"
           b"Authentication-Results: mx.google.com; dkim=pass header.i=@whither.jp header.s=cf2024-1; spf=pass "
           b"smtp.mailfrom=\"SRS0=zpcd=vb=deadsett.com=help@whither.jp\"; dmarc=fail (p=NONE) "
           b"header.from=mercari.co.jp\r\n"
           b"Received: from mail.whither.jp (mail.whither.jp [104.30.0.1]) by mx.google.com with ESMTPS id x; "
           b"Mon, 2 Nov 2026 10:00:05 -0800 (PST)\r\n"
           b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=whither.jp; s=cf2024-1; h=from:to; bh=eA==; "
           b"b=eQ==\r\n"
           b"From: \"Mercari\" <server@mercari.co.jp>\r\nTo: a@whither.jp\r\nSubject: s\r\n"
           b"Date: Mon, 2 Nov 2026 18:00:00 +0000\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    [nothing] = [f for f in report.findings if f.id == "dmarc.nothing_aligned"]
    assert "the DKIM signatures are by whither.jp" in nothing.explanation
    assert "before forwarding the sender was help@deadsett.com" in nothing.explanation
    [recorded] = [f for f in report.findings if f.id == "recorded.dmarc_fail"]
    assert recorded.severity.value == "warning" and "mercari.co.jp" in recorded.title
    assert nothing.severity.value == "notice"
    # Through a mailing list, which re-sends under its own envelope, it is told, not raised: the
    # server that handed it over (its reverse DNS as the receiver recorded it) is the list's.
    listed = headerscope.analyze(raw.replace(b"Subject: s\r\n", b"Subject: s\r\nList-Id: <dev.whither.jp>\r\n"),
                                 offline=True)
    assert [f.severity.value for f in listed.findings if f.id == "dmarc.nothing_aligned"] == ["info"]
    # A List-Id of another organisation than the server's is text a sender writes too (V10, P3).
    claimed = headerscope.analyze(raw.replace(b"Subject: s\r\n", b"Subject: s\r\nList-Id: <dev.example.org>\r\n"),
                                  offline=True)
    [still] = [f for f in claimed.findings if f.id == "dmarc.nothing_aligned"]
    assert still.severity.value == "notice" and "came through a mailing list" not in still.explanation
    # A big operator's servers send any customer's mail: a Google Groups List-Id on a message from
    # a google.com host with a gmail.com envelope is no list copy by that alone (V11); the group's
    # own envelope sender (...@googlegroups.com) is.
    google = (raw.replace(b"mail.whither.jp (mail.whither.jp [104.30.0.1])",
                          b"mail-sor-f41.google.com (mail-sor-f41.google.com [209.85.220.41])")
              .replace(b"Subject: s\r\n", b"Subject: s\r\nList-Id: <club.googlegroups.com>\r\n"))
    gmail_envelope = google.replace(b"Return-Path: <SRS0=zpcd=vb=deadsett.com=help@whither.jp>",
                                    b"Return-Path: <someone@gmail.com>")
    assert [f.severity.value for f in headerscope.analyze(gmail_envelope, offline=True).findings
            if f.id == "dmarc.nothing_aligned"] == ["notice"]
    group_envelope = google.replace(b"Return-Path: <SRS0=zpcd=vb=deadsett.com=help@whither.jp>",
                                    b"Return-Path: <club+bncBDJ5@googlegroups.com>")
    assert [f.severity.value for f in headerscope.analyze(group_envelope, offline=True).findings
            if f.id == "dmarc.nothing_aligned"] == ["info"]
    # A message signed by its From: domain can align: no such finding.
    signed = raw.replace(b"d=whither.jp; s=cf2024-1; h=from:to", b"d=mercari.co.jp; s=s1; h=from:to")
    assert not [f for f in headerscope.analyze(signed, offline=True).findings if f.id == "dmarc.nothing_aligned"]


def test_an_unknown_envelope_sender_is_not_said_to_leave_dmarc_no_way_to_pass() -> None:
    # No DKIM signature and no recorded MAIL FROM (no Return-Path): SPF for the sender's own
    # MAIL FROM could have aligned, so "DMARC cannot pass" would be a guess, not a finding.
    import headerscope

    raw = (b"Received: from mail.sender.example (mail.sender.example [192.0.2.7]) by mx.receiver.example "
           b"with ESMTPS id 1; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           b"From: a@sender.example\r\nTo: b@receiver.example\r\nSubject: s\r\n"
           b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert report.spf is not None and report.spf.mail_from is None
    assert not [f for f in report.findings if f.id == "dmarc.nothing_aligned"]
    # With a recorded MAIL FROM in another organisation, nothing can align: it is said.
    other = headerscope.analyze(b"Return-Path: <bounce@esp.example>\r\n" + raw, offline=True)
    [nothing] = [f for f in other.findings if f.id == "dmarc.nothing_aligned"]
    assert "the envelope sender's domain is esp.example" in nothing.explanation


def test_a_list_domain_envelope_sender_the_receiver_refused_is_no_list_evidence() -> None:
    # Verification V38a: a real Outlook.com-delivered spoof (phishing_pot sample 1004, SPF softfail
    # recorded for the forged envelope sender) with Mailman fields added below every Received: the
    # List-Id and an envelope sender in the list's domain lowered "DMARC cannot pass" to info as a
    # list copy's. The MAIL FROM is the client's word: with SPF refused for it, it shows no list.
    import headerscope

    def build(spf: str) -> bytes:
        return ("Authentication-Results: spf=" + spf + " (sender IP is 203.0.113.9)\r\n"
                " smtp.mailfrom=lists.cyber.example; dkim=none (message not signed)\r\n"
                " header.d=none;dmarc=fail action=quarantine header.from=cyber.example;compauth=fail\r\n"
                " reason=000\r\n"
                "Received-SPF: " + spf.capitalize() + " (protection.outlook.com: domain of transitioning\r\n"
                " lists.cyber.example discourages use of 203.0.113.9 as permitted sender)\r\n"
                "Received: from mail.badhost.example (203.0.113.9) by\r\n"
                " DM6NAM10FT113.mail.protection.outlook.com (10.13.152.75) with Microsoft SMTP\r\n"
                " Server id 15.20.6002.13 via Frontend Transport; Mon, 2 Mar 2026 10:00:01 +0000\r\n"
                "Return-Path: donations-bounces@lists.cyber.example\r\n"
                "From: Donations <ghulam@cyber.example>\r\nTo: victim@outlook.example\r\n"
                "Sender: donations-bounces@lists.cyber.example\r\nList-Id: <donations.lists.cyber.example>\r\n"
                "Subject: s\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nbody\r\n").encode()

    refused = headerscope.analyze(build("softfail"), offline=True)
    assert [f.severity.value for f in refused.findings if f.id == "dmarc.cannot_pass"] == ["notice"]
    # The same envelope sender with the receiver's SPF pass for it is the list's evidence.
    from headerscope.api import _list_copy_evidenced
    from headerscope.message import parse_message

    # none and neutral assert nothing (RFC 7208 sections 8.1, 8.2): a list whose domain publishes
    # no SPF is not refused by them (verification V39a).
    for spf, expected in (("softfail", False), ("fail", False), ("pass", True), ("none", True), ("neutral", True)):
        report = headerscope.analyze(build(spf), offline=True)
        message = parse_message(build(spf))
        assert _list_copy_evidenced(message, report.hops, report.boundary_hop, report.envelope.mail_from,
                                    report.spf, report.recorded, "cyber.example") is expected


def test_the_receivers_recorded_spf_pass_for_a_list_outweighs_todays_record() -> None:
    # Verification V39a: an archived list copy whose receiver recorded spf=pass for the list's
    # envelope sender lost its list reading when the list's SPF record later dropped the address.
    import headerscope
    from headerscope.api import _list_copy_evidenced
    from headerscope.dns.snapshot import SnapshotResolver
    from headerscope.message import parse_message

    raw = (b"Return-Path: <dev-bounces@lists.moved.example>\r\n"
           b"Authentication-Results: mx.receiver.example; spf=pass smtp.mailfrom=dev-bounces@lists.moved.example\r\n"
           b"Received: from smtp.subspace.relay.example (smtp.subspace.relay.example [198.51.100.20]) by "
           b"mx.receiver.example (Postfix) with ESMTPS id 1 for <me@receiver.example>; Mon, 2 Mar 2026 10:00:01 +0000\r\n"
           b"From: someone@author.example\r\nTo: dev@lists.moved.example\r\nList-Id: <dev.lists.moved.example>\r\n"
           b"Subject: s\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nbody\r\n")
    dns = {"lists.moved.example": {"TXT": [["v=spf1 ip4:192.0.2.0/24 -all"]]},
           "20.100.51.198.in-addr.arpa": {"PTR": ["smtp.subspace.relay.example."]},
           "smtp.subspace.relay.example": {"A": ["198.51.100.20"]}}
    report = headerscope.analyze(raw, resolver=SnapshotResolver(dns), now=None)
    assert report.spf is not None and report.spf.result == "fail"
    message = parse_message(raw)
    assert _list_copy_evidenced(message, report.hops, report.boundary_hop, report.envelope.mail_from,
                                report.spf, report.recorded, "author.example")
    # (The list's mail leaves through another organisation's server, as lists.linux.dev's through
    # kernel.org's: its name does not tell the list.) Without the receiver's record, today's fail
    # refuses the envelope sender.
    unrecorded = raw.replace(b"Authentication-Results: mx.receiver.example; spf=pass "
                             b"smtp.mailfrom=dev-bounces@lists.moved.example\r\n", b"")
    report = headerscope.analyze(unrecorded, resolver=SnapshotResolver(dns), now=None)
    assert not _list_copy_evidenced(parse_message(unrecorded), report.hops, report.boundary_hop, report.envelope.mail_from,
                                    report.spf, report.recorded, "author.example")
