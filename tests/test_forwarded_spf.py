"""An SPF failure that a forward without sender rewriting explains (verification V34a)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from conftest import SAMPLES

import headerscope
from headerscope.dns.snapshot import SnapshotResolver

NOW = datetime(2026, 11, 26, 14, 0, tzinfo=timezone.utc)


def _plain_forward(*, signed: bool = True) -> bytes:
    """samples/forwarded-srs.eml as a .forward without SRS sends it on: the original MAIL FROM
    kept (Return-Path carol@example.org), Exchange Online's own records of the SRS address taken
    out. mail.alumni.example (203.0.113.45) is not in example.org's SPF (-all)."""
    raw = (SAMPLES / "forwarded-srs.eml").read_bytes()
    head, _, body = raw.partition(b"\n\n")
    lines = head.split(b"\n")
    kept: list[bytes] = []
    skipping = False
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        skipping = line.startswith((b"Authentication-Results: spf=pass", b"Received-SPF:"))
        if line.startswith(b"Return-Path:"):
            line = b"Return-Path: <carol@example.org>"
        if not signed and line.startswith(b"DKIM-Signature:"):
            skipping = True
        if not skipping:
            kept.append(line)
    return b"\n".join(kept) + b"\n\n" + body


def _resolver() -> SnapshotResolver:
    return SnapshotResolver(json.loads((SAMPLES / "forwarded-srs.dns.json").read_text()))


def test_an_spf_failure_a_plain_forward_explains_is_said_so_and_lowered_when_dmarc_passes() -> None:
    report = headerscope.analyze(_plain_forward(), resolver=_resolver(), now=NOW)
    assert report.spf is not None and report.spf.result == "fail"
    assert report.dmarc is not None and report.dmarc.result == "pass"
    [spf] = [f for f in report.findings if f.id == "spf.fail"]
    assert spf.severity.value == "notice"
    assert spf.title.endswith("(forwarded by alumni.example)")
    assert "reached dave@alumni.example and was forwarded" in spf.explanation
    assert "RFC 7208 appendix D" in spf.explanation and "does not count against the message" in spf.explanation
    assert spf.reference == "https://www.rfc-editor.org/rfc/rfc7208#appendix-D"
    assert "either was forged" not in spf.explanation


def test_the_same_forward_without_an_aligned_signature_keeps_the_warning() -> None:
    # The forward's words are records of the receiver and earlier servers (a spoofer's own server
    # can claim to have forwarded): without DMARC passing, the failure stays a warning.
    report = headerscope.analyze(_plain_forward(signed=False), resolver=_resolver(), now=NOW)
    assert report.dmarc is not None and report.dmarc.result == "fail"
    [spf] = [f for f in report.findings if f.id == "spf.fail"]
    assert spf.severity.value == "warning"
    assert "That explains this failure if the forward is genuine" in spf.explanation


def test_a_client_name_that_does_not_resolve_back_explains_nothing() -> None:
    # The forwarder's name is the client's PTR: one that does not resolve back to the address names
    # whoever controls the reverse zone, a forger's own (verification V35d).
    records = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())
    records["mail.alumni.example"] = {"A": ["198.51.100.99"]}
    # A Postfix receiver, which writes the client's PTR name in its Received, in place of Exchange
    # Online's hops (which write the client's greeting).
    forward = _plain_forward()
    below = forward[forward.index(b"Received: from mail.alumni.example (localhost"):]
    raw = (b"Return-Path: <carol@example.org>\nDelivered-To: dave@fabrikam.example\n"
           b"Received: from mail.alumni.example (mail.alumni.example [203.0.113.45])\n"
           b"\tby mx.fabrikam.example (Postfix) with ESMTPS id 4dKpZ97\n"
           b"\tfor <dave@fabrikam.example>; Thu, 26 Nov 2026 13:03:17 +0000 (UTC)\n" + below)
    confirmed = headerscope.analyze(raw, resolver=_resolver(), now=NOW)
    [spf] = [f for f in confirmed.findings if f.id == "spf.fail"]
    assert spf.title.endswith("(forwarded by alumni.example)")
    report = headerscope.analyze(raw, resolver=SnapshotResolver(records), now=NOW)
    assert report.reverse_dns is not None and report.reverse_dns.confirmed is False
    [spf] = [f for f in report.findings if f.id == "spf.fail"]
    assert spf.severity.value == "warning" and "forwarded by" not in spf.title
    assert "either was forged or was forwarded without sender rewriting" in spf.explanation


def _shared_host_forward(by_below: bytes = b"server.host.example") -> tuple[bytes, SnapshotResolver]:
    """The plain forward sent on by a shared host named under its hosting company's domain
    (server.host.example, 203.0.113.45), which serves alumni.example's mail (V52a s3): its Received
    took the message for dave@alumni.example. ``by_below``: the host its own Received fields name."""
    raw = _plain_forward().replace(b"by mail.alumni.example", b"by " + by_below) \
        .replace(b"mail.alumni.example", b"server.host.example")
    records = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())
    records["server.host.example"] = records.pop("mail.alumni.example")
    records["45.113.0.203.in-addr.arpa"] = {"PTR": ["server.host.example."]}
    return raw, SnapshotResolver(records)


def test_a_shared_host_that_took_the_message_for_the_forwarding_mailbox_is_named() -> None:
    # V52a D3-3: the envelope found the forward from dave@alumni.example, and the client whose hand-over
    # SPF checked is the very host whose Received took the message for that mailbox; its name is not
    # under alumni.example, so the finding said "either was forged or was forwarded".
    raw, resolver = _shared_host_forward()
    report = headerscope.analyze(raw, resolver=resolver, now=NOW)
    assert report.reverse_dns is not None and report.reverse_dns.confirmed is True
    assert report.dmarc is not None and report.dmarc.result == "pass"
    [spf] = [f for f in report.findings if f.id == "spf.fail"]
    assert spf.title.endswith("(forwarded by server.host.example for alumni.example)")
    assert ("(server.host.example) is the host that took the message for dave@alumni.example at hop 2 "
            "(its Received, below the boundary) and forwarded it (see the envelope)") in spf.explanation
    assert "either was forged" not in spf.explanation and spf.severity.value == "notice"


def test_a_forward_through_another_host_than_the_client_is_not_linked() -> None:
    # The Received that took the message for the mailbox names another host than the client SPF
    # checked: nothing ties the failure to that forward.
    raw, resolver = _shared_host_forward(by_below=b"mx.elsewhere.example")
    report = headerscope.analyze(raw, resolver=resolver, now=NOW)
    [spf] = [f for f in report.findings if f.id == "spf.fail"]
    assert "forwarded by" not in spf.title
    assert "either was forged or was forwarded without sender rewriting" in spf.explanation
