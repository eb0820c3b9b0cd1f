"""Where the body changed, from the body hashes of the DKIM-Signature and ARC-Message-Signature
fields alone (RFC 6376 section 3.7; RFC 8617 section 4.1.2), and how the verdict says it."""

from __future__ import annotations

from dataclasses import replace

import headerscope
from headerscope.auth.arc import check_arc
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.message import parse_message
from headerscope.model import Finding, Severity
from headerscope.verdict import decide

# Base64 of two different sha256 digests (what real bh= values look like).
BH_SENT = "DT9pTFZtJ0pDQmJ1Qk1ZbFVqT3ZhN0x0b0F5dEhWZz0="
BH_GATEWAY = "qs40boYZ3fTBc2VxZ0Rvb3RHZ2c5T1pYZ0l0a0VYZz0="


def _set(number: int, domain: str, bh: str, results: str, *, canon: str = "relaxed/relaxed",
         length: str = "") -> str:
    l_tag = f" l={length};" if length else ""
    return (f"ARC-Seal: i={number}; a=rsa-sha256; s=arc; d={domain}; cv={'none' if number == 1 else 'pass'};\r\n"
            f" b=c2VhbA==\r\n"
            f"ARC-Message-Signature: i={number}; a=rsa-sha256; c={canon}; d={domain}; s=arc;{l_tag}\r\n"
            f" h=from:to:subject:date; bh={bh};\r\n b=YW1z\r\n"
            f"ARC-Authentication-Results: i={number}; {results}\r\n")


def _gateway_chain(*, dkim_canon: str = "relaxed/simple", second: str = BH_GATEWAY,
                   second_canon: str = "relaxed/relaxed", second_length: str = "") -> bytes:
    """The shape of a real Mimecast-in-front-of-Exchange-Online header: the sender's relay seals
    i=1 over the signed body, the gateway records dkim=pass and dmarc=pass, rewrites the body and
    seals i=2, Exchange Online seals i=3 over the gateway's body and records dkim=fail."""
    return (
        _set(3, "microsoft.com", second,
             "mx.microsoft.com 1; spf=softfail (sender ip is 198.51.100.7) smtp.mailfrom=sender.example; "
             "dmarc=fail (p=none sp=none pct=100) action=none header.from=sender.example; "
             "dkim=fail (body hash did not verify) header.d=sender.example; arc=pass (0 oda=0 ltdi=0 93)")
        + _set(2, "gateway.example", second,
               "relay.gateway.example; dkim=pass header.d=sender.example header.s=s1 header.b=abcdEFGH; "
               "arc=pass (\"relay.example:s=arc:i=1\"); dmarc=pass (policy=none) header.from=sender.example; "
               "spf=pass smtp.mailfrom=bounce@sender.example",
               canon=second_canon, length=second_length)
        + _set(1, "relay.example", BH_SENT, "relay.example; auth=pass smtp.auth=customer")
        + f"DKIM-Signature: v=1; a=rsa-sha256; c={dkim_canon}; d=sender.example; s=s1;\r\n"
          f" h=from:to:subject:date; bh={BH_SENT};\r\n b=abcdEFGHc2ln\r\n"
        "From: Shop <orders@sender.example>\r\nTo: a@recipient.example\r\nSubject: Order\r\n"
        "Date: Mon, 11 Apr 2022 22:35:48 +0000\r\n").encode()


def _body_findings(raw: bytes) -> list[Finding]:
    _, findings = check_arc(parse_message(raw), SnapshotResolver({}))
    return [f for f in findings if f.id == "arc.body_changed_between"]


def test_change_after_a_gateway_recorded_pass_is_located_as_the_sets_claim() -> None:
    found = _body_findings(_gateway_chain())
    assert len(found) == 1
    finding = found[0]
    assert finding.severity is Severity.NOTICE and finding.subject == "arc i=2"
    # No key is published (the snapshot is empty): the seals are not verified, a claim.
    assert finding.title == ("ARC: the body was changed after set i=2 (gateway.example) recorded dkim=pass and "
                             "dmarc=pass, as the sets claim")
    assert "Set i=1 (relay.example) and set i=2 (gateway.example) hash the body the same way (relaxed" in \
        finding.explanation
    assert "Set i=3 (microsoft.com) signed the same body as set i=2 (gateway.example)" in finding.explanation
    assert "anyone can add ARC sets with any bh=" in finding.explanation


def _two_sets(second_canon: str, second_length: str = "") -> bytes:
    return (_set(2, "gateway.example", BH_GATEWAY, "gateway.example; dkim=pass header.d=sender.example",
                 canon=second_canon, length=second_length)
            + _set(1, "relay.example", BH_SENT, "relay.example; auth=pass")
            + "From: a@sender.example\r\nSubject: x\r\n").encode()


def test_equal_hashes_and_hashes_made_differently_locate_nothing() -> None:
    assert _body_findings(_gateway_chain(second=BH_SENT)) == []
    # Simple and relaxed canonicalization hash different texts: no change can be read from them.
    assert _body_findings(_two_sets("relaxed/simple")) == []
    # Nor from a hash of the first 100 bytes only (l=) against one of the whole body.
    assert _body_findings(_two_sets("relaxed/relaxed", "100")) == []
    # The same two made alike do show the change (the cases above differ only in c= and l=).
    assert len(_body_findings(_two_sets("relaxed/relaxed"))) == 1


def test_each_hash_is_compared_with_the_last_one_made_alike() -> None:
    # i=2 hashes as the DKIM-Signature does (relaxed/simple), i=3 as i=1 (relaxed/relaxed): both
    # pairs differ, so the change is located twice, each against the last hash made the same way.
    found = _body_findings(_gateway_chain(second_canon="relaxed/simple"))
    assert [f.subject for f in found] == ["arc i=2", "arc i=3"]
    assert found[0].explanation.startswith("The DKIM-Signature by sender.example (header 10) and set i=2")
    assert found[1].explanation.startswith("Set i=1 (relay.example) and set i=3 (microsoft.com)")


def test_change_between_the_dkim_signature_and_the_first_set() -> None:
    raw = (_set(1, "list.example", BH_GATEWAY, "list.example; dkim=fail (body hash did not verify) "
                "header.d=sender.example")
           + "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sender.example; s=s1;\r\n"
             f" h=from:to:subject; bh={BH_SENT};\r\n b=c2ln\r\n"
             "From: a@sender.example\r\nSubject: x\r\n").encode()
    found = _body_findings(raw)
    assert [f.title for f in found] == [
        "ARC: the body changed between the DKIM-Signature by sender.example (header 4) and set i=1 "
        "(list.example), as the sets claim"]
    assert found[0].severity is Severity.INFO


def test_the_verdict_line_never_carries_it() -> None:
    # Valid seals prove who wrote a set, not that its writer is an honest intermediary: a forger
    # seals its own sets with its own key (verification V9, N3). The located change stays in the
    # finding, as what the sets say; the verdict line is the same with or without it.
    finding = _body_findings(_gateway_chain())[0]
    for found in (finding, replace(finding, title=finding.title.removesuffix(", as the sets claim"))):
        v = decide(from_domains=("sender.example",), dkim=(), spf=None, dmarc=None, arc=None, comparison=(),
                   findings=(found,), checked=True)
        bare = decide(from_domains=("sender.example",), dkim=(), spf=None, dmarc=None, arc=None, comparison=(),
                      findings=(), checked=True)
        assert (v.status, v.summary) == (bare.status, bare.summary)


FORGED = (
    "Received: from mail.attacker.example (mail.attacker.example [203.0.113.66])\r\n"
    " by mx.recipient.example (Postfix) with ESMTPS id 4AbCdE\r\n"
    " for <victim@recipient.example>; Mon, 11 Apr 2022 22:36:03 +0000\r\n"
    "Return-Path: <billing@bank.example>\r\n"
) + _gateway_chain().decode().replace("sender.example", "bank.example") + (
    "Message-ID: <1@attacker.example>\r\n\r\nPlease update your details.\r\n")

FORGED_DNS = {
    "bank.example": {"TXT": [["v=spf1 ip4:192.0.2.10 -all"]]},
    "_dmarc.bank.example": {"TXT": [["v=DMARC1; p=reject"]]},
}


def test_forged_message_with_made_up_arc_hashes_stays_spoofed() -> None:
    """An attacker's ARC sets claiming a gateway saw dkim=pass and dmarc=pass, with bh= values of its
    choosing: the located change is said as the sets' claim, and nothing softens the verdict."""
    report = headerscope.analyze(FORGED.encode(), resolver=SnapshotResolver(FORGED_DNS))
    assert report.verdict.status == "spoofed"
    assert report.verdict.summary.startswith("Spoofed: From claims bank.example")
    assert "body was changed" not in report.verdict.summary  # the attacker's excuse stays out of the line
    ids = [f.id for f in report.findings]
    assert "arc.body_changed_between" in ids


def test_a_change_by_the_list_the_list_id_names_is_said_to_be_the_lists() -> None:
    # Review AP 3: the sealer that recorded the pass is the mailing list the List-Id names: its
    # footer or tag changed the body, not "a gateway, possibly the recipient's own".
    listed = _gateway_chain().replace(b"gateway.example", b"lists.example.org").replace(
        b"From: Shop", b"List-Id: Test <test.lists.example.org>\r\nFrom: Shop")
    [finding] = _body_findings(listed)
    assert "the mailing list the List-Id names (test.lists.example.org)" in finding.explanation
    assert "recipient's own" not in finding.explanation
    [other] = _body_findings(_gateway_chain())
    assert "a gateway's banner or rewritten links" in other.explanation
