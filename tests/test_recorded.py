"""Recorded results (Authentication-Results, ARC-Authentication-Results, Received-SPF): parsing,
trust, and the comparison with recomputed results."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import CORPUS
from timing import assert_within

from headerscope.api import analyze
from headerscope.auth.recorded import compare, parse_recorded
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.hops import build_chain
from headerscope.loader import load_bytes
from headerscope.message import Message, parse_message
from headerscope.model import (
    ArcInstance,
    ArcResult,
    DkimSignatureResult,
    DmarcRecord,
    DmarcResult,
    Finding,
    Hop,
    ReceivedFields,
    RecordedResult,
    Report,
    Role,
    Severity,
    SpfResult,
)

# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------


def message(*fields: tuple[str, str]) -> Message:
    raw = "".join(f"{name}: {value}\r\n" for name, value in fields) + "\r\nbody\r\n"
    return parse_message(raw.encode())


def hop(number: int, header_index: int, by: str, *, trusted: bool, boundary: bool = False,
        org: str | None = None) -> Hop:
    return Hop(number=number, header_index=header_index, fields=ReceivedFields(by=by), raw="",
               delay_seconds=None, role=Role.MTA, organization=org, trusted=trusted, boundary=boundary)


def sig(domain: str, selector: str, header_index: int, *, result: str = "pass", code: str = "ok",
        reason: str = "signature verifies", aligned: bool | None = True) -> DkimSignatureResult:
    return DkimSignatureResult(
        index=0, header_index=header_index, domain=domain, selector=selector, algorithm="rsa-sha256",
        canonicalization="relaxed/relaxed", signed_headers=("from",), body_length=None, timestamp=None,
        expiration=None, key_bits=2048, key_testing=False, result=result, reason=reason, reason_code=code,
        aligned=aligned, aligned_strict=aligned)


def spf_result(result: str, *, domain: str = "example.com", ip: str = "192.0.2.10",
               aligned: bool = True) -> SpfResult:
    return SpfResult(result=result, client_ip=ip, mail_from=f"bounce@{domain}", helo="mail." + domain,
                     domain=domain, record="v=spf1 -all", mechanism=None, explanation="evaluated",
                     lookups=1, void_lookups=0, helo_result="none", aligned=aligned)


def dmarc_result(result: str, *, domain: str = "example.com", p: str | None = "reject",
                 dkim_aligned: bool = False, aligned_domain: str | None = None,
                 spf_aligned: bool = False) -> DmarcResult:
    record = None
    if p is not None:
        record = DmarcRecord(raw=f"v=DMARC1; p={p}", tags=(("v", "DMARC1"), ("p", p)), p=p, sp=None, np=None,
                             pct=100, adkim="r", aspf="r", fo=None, rua=(), ruf=(), t=None, psd=None)
    return DmarcResult(result=result, from_domain=domain, org_domain=domain, record_domain=domain,
                       record=record, policy=p, policy_reason="p applies", disposition=p,
                       dkim_aligned=dkim_aligned, spf_aligned=spf_aligned, aligned_dkim_domain=aligned_domain,
                       explanation="evaluated")


def by_method(recorded: tuple[RecordedResult, ...], header: str, method: str) -> list[RecordedResult]:
    return [r for r in recorded if r.header == header and r.method == method]


# --------------------------------------------------------------------------------------------
# Realistic header sets
# --------------------------------------------------------------------------------------------

GMAIL_B = "AbCdEfGhIjKlMnOp+qRsTuVwXyZ0123456789abcdefghijkl=="
GMAIL_AR = ("mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=s1 header.b=AbCdEfGh;\r\n"
            "       spf=pass (google.com: domain of bounce@example.com designates 192.0.2.10 as permitted "
            "sender) smtp.mailfrom=bounce@example.com;\r\n"
            "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com")
GMAIL = message(
    ("Delivered-To", "alice@gmail.com"),  # 0
    ("Received", "by 2002:a05:6a10:1234:b0:1 with SMTP id x1; Mon, 6 Jan 2025 10:00:02 -0800 (PST)"),  # 1
    ("X-Received", "by 2002:a17:90a:1 with SMTP id y2; Mon, 06 Jan 2025 10:00:01 -0800 (PST)"),  # 2
    ("ARC-Seal", "i=1; a=rsa-sha256; t=1736186401; cv=none; d=google.com; s=arc-20240605; b=zzz"),  # 3
    ("ARC-Message-Signature", "i=1; a=rsa-sha256; c=relaxed/relaxed; d=google.com; s=arc-20240605; bh=x; b=y"),  # 4
    ("ARC-Authentication-Results", "i=1; " + GMAIL_AR),  # 5
    ("Return-Path", "<bounce@example.com>"),  # 6
    ("Received", "from mail.example.com (mail.example.com. [192.0.2.10]) by mx.google.com with ESMTPS id "
                 "abc for <alice@gmail.com>; Mon, 06 Jan 2025 10:00:01 -0800 (PST)"),  # 7
    ("Received-SPF", "pass (google.com: domain of bounce@example.com designates 192.0.2.10 as permitted "
                     "sender) client-ip=192.0.2.10;"),  # 8
    ("Authentication-Results", GMAIL_AR),  # 9
    ("DKIM-Signature", f"v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1; h=from:to:subject; "
                       f"bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b={GMAIL_B[:30]}\r\n {GMAIL_B[30:]}"),  # 10
    ("Received", "from [10.0.0.5] by mail.example.com (Postfix) with ESMTPSA id 4Y1; "
                 "Mon, 6 Jan 2025 18:00:00 +0000"),  # 11
    ("From", "Example News <news@example.com>"),  # 12
    ("To", "alice@gmail.com"),  # 13
)
GMAIL_HOPS = (
    hop(1, 11, "mail.example.com", trusted=False, org="example.com"),
    hop(2, 7, "mx.google.com", trusted=True, boundary=True, org="google.com"),
    hop(3, 1, "2002:a05:6a10:1234:b0:1", trusted=True),
)

M365 = message(
    ("Received", "from BN8PR12MB.namprd12.prod.outlook.com (2603:10b6:408::1) by "
                 "SN6PR12MB.namprd12.prod.outlook.com with HTTPS; Tue, 7 Jan 2025 09:00:03 +0000"),  # 0
    ("Received", "from BN1NAM02FT021.eop-nam02.prod.protection.outlook.com (2603:10b6:408::2) by "
                 "BN8PR12MB.namprd12.prod.outlook.com (2603:10b6:408::1) with Microsoft SMTP Server; "
                 "Tue, 7 Jan 2025 09:00:02 +0000"),  # 1
    ("Authentication-Results", "spf=pass (sender IP is 209.85.128.41) smtp.mailfrom=gmail.com; "
                               "dkim=pass (signature was verified) header.d=gmail.com;dmarc=pass action=none "
                               "header.from=gmail.com;compauth=pass reason=100"),  # 2
    ("Received-SPF", "Pass (protection.outlook.com: domain of gmail.com designates 209.85.128.41 as "
                     "permitted sender) receiver=protection.outlook.com; client-ip=209.85.128.41; "
                     "helo=mail-wm1-f41.google.com; pr=C"),  # 3
    ("Received", "from mail-wm1-f41.google.com (209.85.128.41) by BN1NAM02FT021.mail.protection.outlook.com "
                 "(10.13.2.1) with Microsoft SMTP Server; Tue, 7 Jan 2025 09:00:01 +0000"),  # 4
    ("DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/relaxed; d=gmail.com; s=20230601; h=from:to; bh=x; "
                       "b=Zm9vYmFyYmF6cXV4"),  # 5
    ("From", "Bob <bob@gmail.com>"),  # 6
)
M365_HOPS = (
    hop(1, 4, "BN1NAM02FT021.mail.protection.outlook.com", trusted=True, boundary=True, org="outlook.com"),
    hop(2, 1, "BN8PR12MB.namprd12.prod.outlook.com", trusted=True, org="outlook.com"),
    hop(3, 0, "SN6PR12MB.namprd12.prod.outlook.com", trusted=True, org="outlook.com"),
)

POSTFIX = message(
    ("Return-Path", "<alice@example.com>"),  # 0
    ("Received", "from localhost (localhost [127.0.0.1]) by mail.example.net (Postfix) with ESMTP id A1; "
                 "Wed, 8 Jan 2025 12:00:02 +0100"),  # 1
    ("Authentication-Results", "mail.example.net; dmarc=pass (p=quarantine dis=none) header.from=example.com"),  # 2
    ("Authentication-Results", "mail.example.net;\r\n\tdkim=pass (2048-bit key; unprotected) "
                               "header.d=example.com header.i=@example.com header.a=rsa-sha256 "
                               "header.s=mail header.b=\"Qk1x2y3z\""),  # 3
    ("Authentication-Results", "mail.example.net; spf=pass (sender SPF authorized) "
                               "smtp.mailfrom=alice@example.com"),  # 4
    ("Received", "from out.example.com (out.example.com [198.51.100.7]) by mail.example.net (Postfix) "
                 "with ESMTPS id B2 for <bob@example.net>; Wed, 8 Jan 2025 12:00:01 +0100"),  # 5
    ("DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; s=mail; h=from:to; bh=x; "
                       "b=Qk1x2y3zAAAABBBBCCCC"),  # 6
    ("DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; s=other; h=from:to; bh=x; "
                       "b=ZZZZ2y3zAAAABBBBCCCC"),  # 7
    ("From", "alice@example.com"),  # 8
)
POSTFIX_HOPS = (
    hop(1, 5, "mail.example.net", trusted=True, boundary=True, org="example.net"),
    hop(2, 1, "mail.example.net", trusted=True, org="example.net"),
)


def test_gmail_every_field_read_and_trusted() -> None:
    recorded, findings = parse_recorded(GMAIL, GMAIL_HOPS, 2)
    assert [(r.header, r.header_index, r.method, r.result) for r in recorded] == [
        ("ARC-Authentication-Results", 5, "dkim", "pass"),
        ("ARC-Authentication-Results", 5, "spf", "pass"),
        ("ARC-Authentication-Results", 5, "dmarc", "pass"),
        ("Received-SPF", 8, "spf", "pass"),
        ("Authentication-Results", 9, "dkim", "pass"),
        ("Authentication-Results", 9, "spf", "pass"),
        ("Authentication-Results", 9, "dmarc", "pass"),
    ]
    assert all(r.trusted for r in recorded), [r.trust_reason for r in recorded]
    assert recorded[0].instance == 1
    assert all(r.authserv_id in ("mx.google.com", "google.com") for r in recorded)
    # Received-SPF has no receiver=: the writer is the host that starts its comment.
    assert recorded[3].authserv_id == "google.com"
    dkim = by_method(recorded, "Authentication-Results", "dkim")[0]
    assert dict(dkim.properties)["header.b"] == "AbCdEfGh"
    # header.b names the folded b= of the DKIM-Signature at index 10 (RFC 6008).
    assert dkim.signature_header_index == 10
    dmarc = by_method(recorded, "Authentication-Results", "dmarc")[0]
    assert dmarc.reason == "p=REJECT sp=REJECT dis=NONE"
    spf = by_method(recorded, "Authentication-Results", "spf")[0]
    assert spf.reason is not None and spf.reason.startswith("google.com: domain of bounce@example.com")
    assert findings == ()


def test_gmail_a_r_below_the_sender_block_is_a_forgery() -> None:
    # Same Gmail message, plus an A-R in Gmail's name that the sender put under its DKIM-Signature.
    fields = [(h.name, h.value) for h in GMAIL.headers]
    fields.insert(11, ("Authentication-Results", "mx.google.com; dkim=pass header.d=paypal.com; dmarc=pass"))
    forged_msg = message(*fields)
    hops = (hop(1, 12, "mail.example.com", trusted=False, org="example.com"), *GMAIL_HOPS[1:])
    recorded, findings = parse_recorded(forged_msg, hops, 2)
    forged = [r for r in recorded if r.header_index == 11]
    assert [(r.method, r.trusted) for r in forged] == [("dkim", False), ("dmarc", False)]
    assert "possibly forged" in (forged[0].trust_reason or "")
    assert [(f.id, f.severity, f.subject) for f in findings] == [
        ("recorded.untrusted_claim", Severity.WARNING, "header 12")]
    # The genuine ones above stay trusted.
    assert all(r.trusted for r in recorded if r.header_index in (5, 8, 9))


def test_microsoft_365_without_authserv_id() -> None:
    recorded, findings = parse_recorded(M365, M365_HOPS, 1)
    ar = [r for r in recorded if r.header == "Authentication-Results"]
    assert [(r.method, r.result) for r in ar] == [
        ("spf", "pass"), ("dkim", "pass"), ("dmarc", "pass"), ("compauth", "pass")]
    assert all(r.authserv_id is None and r.trusted for r in ar)
    assert ar[0].reason == "sender IP is 209.85.128.41"
    assert dict(ar[0].properties)["smtp.mailfrom"] == "gmail.com"
    # authres skips Microsoft's non-RFC "action=" and "reason=100"; the evidence keeps them.
    assert dict(ar[2].properties)["action"] == "none"
    assert ar[3].reason == "100"
    assert any("no authserv-id" in d for d in ar[0].defects)
    rspf = [r for r in recorded if r.header == "Received-SPF"]
    assert len(rspf) == 1 and rspf[0].trusted and rspf[0].authserv_id == "protection.outlook.com"
    assert dict(rspf[0].properties)["client-ip"] == "209.85.128.41"
    assert dict(rspf[0].properties)["helo"] == "mail-wm1-f41.google.com"
    # Microsoft's normal format: the defect stays on the results, no finding on every message.
    assert findings == ()


def test_postfix_opendkim_opendmarc_and_b_prefix_picks_the_right_signature() -> None:
    recorded, findings = parse_recorded(POSTFIX, POSTFIX_HOPS, 1)
    assert [(r.method, r.result, r.trusted) for r in recorded] == [
        ("dmarc", "pass", True), ("dkim", "pass", True), ("spf", "pass", True)]
    dkim = recorded[1]
    assert dkim.reason == "2048-bit key; unprotected"
    assert dict(dkim.properties)["header.b"] == "Qk1x2y3z"
    # Two signatures by example.com; header.b selects the first (index 6), not "other" (7).
    assert dkim.signature_header_index == 6
    assert findings == ()


def test_arc_authentication_results_from_a_list_are_claims() -> None:
    msg = message(
        ("Received", "from out.lists.example.org (out.lists.example.org [192.0.2.20]) by mx.example.net "
                     "with ESMTPS id Q1; Thu, 9 Jan 2025 08:00:00 +0000"),  # 0
        ("Authentication-Results", "mx.example.net; arc=pass (i=1); dkim=pass header.d=lists.example.org; "
                                   "dmarc=fail header.from=example.com"),  # 1
        ("ARC-Seal", "i=1; a=rsa-sha256; cv=none; d=lists.example.org; s=arc; b=abc"),  # 2
        ("ARC-Message-Signature", "i=1; a=rsa-sha256; d=lists.example.org; s=arc; h=from; bh=x; b=y"),  # 3
        ("ARC-Authentication-Results", "i=1; lists.example.org; dkim=pass header.d=example.com header.s=s1; "
                                       "spf=pass smtp.mailfrom=example.com; dmarc=pass header.from=example.com"),  # 4
        ("Received", "from out.example.com by out.lists.example.org with ESMTP id L1; "
                     "Thu, 9 Jan 2025 07:59:58 +0000"),  # 5
        ("From", "alice@example.com"),  # 6
    )
    hops = (hop(1, 5, "out.lists.example.org", trusted=False, org="example.org"),
            hop(2, 0, "mx.example.net", trusted=True, boundary=True, org="example.net"))
    recorded, findings = parse_recorded(msg, hops, 2)
    list_arc = [r for r in recorded if r.header == "ARC-Authentication-Results"]
    assert [(r.method, r.result, r.trusted, r.instance) for r in list_arc] == [
        ("dkim", "pass", False, 1), ("spf", "pass", False, 1), ("dmarc", "pass", False, 1)]
    assert list_arc[0].authserv_id == "lists.example.org"
    assert "not a host or domain of the receiving side" in (list_arc[0].trust_reason or "")
    receiver = [r for r in recorded if r.header == "Authentication-Results"]
    # Directly below the boundary Received with nothing from the receiver above it: a sender
    # connecting straight to the MX could have written it (RFC 5321 section 4.4 order).
    assert not any(r.trusted for r in receiver)
    assert "nothing above the boundary corroborates" in (receiver[0].trust_reason or "")
    # An intermediary's ARC-A-R is expected; it is noted, not alarmed on.
    assert [(f.id, f.severity, f.subject) for f in findings] == [
        ("recorded.untrusted_claim", Severity.INFO, "header 2"),
        ("recorded.untrusted_claim", Severity.INFO, "header 5")]


def test_forged_a_r_in_the_receivers_name_below_the_boundary() -> None:
    msg = message(
        ("Received", "from evil.test ([203.0.113.9]) by mail.example.net (Postfix) with ESMTP id C3; "
                     "Fri, 10 Jan 2025 10:00:00 +0000"),  # 0
        ("Received", "from localhost by evil.test with SMTP; Fri, 10 Jan 2025 09:59:59 +0000"),  # 1
        ("Authentication-Results", "mail.example.net; dkim=pass header.d=paypal.com; "
                                   "spf=pass smtp.mailfrom=paypal.com; dmarc=pass header.from=paypal.com"),  # 2
        ("Authentication-Results", "relay.evil.test; dmarc=pass header.from=paypal.com"),  # 3
        ("From", "service@paypal.com"),  # 4
    )
    hops = (hop(1, 1, "evil.test", trusted=False), hop(2, 0, "mail.example.net", trusted=True,
                                                         boundary=True, org="example.net"))
    recorded, findings = parse_recorded(msg, hops, 2)
    assert not any(r.trusted for r in recorded)
    assert [(f.subject, f.severity) for f in findings] == [
        ("header 3", Severity.WARNING), ("header 4", Severity.INFO)]
    assert "dkim=pass, dmarc=pass, spf=pass" in findings[0].title


def test_no_hops_means_nothing_is_trusted() -> None:
    recorded, _ = parse_recorded(POSTFIX, (), None)
    assert recorded and not any(r.trusted for r in recorded)
    assert "no Received chain" in (recorded[0].trust_reason or "")


def test_gmail_summary_extra_stays_trusted_and_comes_last() -> None:
    extra = RecordedResult(header="gmail-summary", header_index=None, authserv_id=None, method="dmarc",
                           result="pass", properties=(), reason=None, trusted=True)
    recorded, _ = parse_recorded(POSTFIX, (), None, (extra,))
    assert recorded[-1] == replace(extra, trust_reason=recorded[-1].trust_reason)
    assert "Gmail" in (recorded[-1].trust_reason or "")


def test_trailing_semicolon_is_tolerated_without_a_finding() -> None:
    # Real rspamd output: a trailing ";" after the last resinfo and a comment after a property.
    # Yahoo, AOL and Microsoft 365 end every field with ";" too: no finding for it.
    msg = message(
        ("Authentication-Results", "mail.highsecure.ru;\r\n\tdkim=pass header.d=freebsd.org header.s=dkim "
                                   "header.b=H7pb97c0;\r\n\tdkim=fail (body hash did not verify) "
                                   "header.d=outlook.com header.s=selector1 header.b=LWxzK+W8;\r\n\tdmarc=fail "
                                   "reason=\"SPF not aligned (relaxed), DKIM not aligned (relaxed)\" "
                                   "header.from=outlook.com (policy=none);"),
        ("Received", "from mx1.freebsd.org by mail.highsecure.ru with ESMTPS id Z; Sat, 11 Jan 2025 1:00:00 +0000"),
    )
    hops = (hop(1, 1, "mail.highsecure.ru", trusted=True, boundary=True, org="highsecure.ru"),)
    recorded, findings = parse_recorded(msg, hops, 1)
    assert [(r.method, r.result) for r in recorded] == [("dkim", "pass"), ("dkim", "fail"), ("dmarc", "fail")]
    assert recorded[1].reason == "body hash did not verify"
    assert recorded[2].reason == "SPF not aligned (relaxed), DKIM not aligned (relaxed)"
    assert dict(recorded[2].properties)["header.from"] == "outlook.com"
    assert all(r.trusted for r in recorded)
    assert all(r.defects == () for r in recorded)
    assert findings == ()


def test_zoho_bracketed_address_reads_cleanly() -> None:
    # Zoho: an angle-bracketed address as a property value ("<" is a special, not a pvalue by RFC
    # 8601 section 2.2) and the policy in a comment after it. On every message Zoho delivers or
    # seals: read as the address, not a finding (as Yahoo's trailing ";").
    msg = message(
        ("Authentication-Results", "mx.zohomail.eu; dkim=pass; spf=pass (zohomail.eu: domain of "
                                   "_spf.mail.yahoo.com designates 77.238.177.32 as permitted sender)  "
                                   "smtp.mailfrom=alice@yahoo.com; dmarc=pass header.from=<alice@yahoo.com> "
                                   "(p=reject dis=none)"),
        ("Received", "from sonic.yahoo.com by mx.zohomail.eu with ESMTPS id Z; Sat, 11 Jan 2025 1:00:00 +0000"),
    )
    hops = (hop(1, 1, "mx.zohomail.eu", trusted=True, boundary=True, org="zohomail.eu"),)
    recorded, findings = parse_recorded(msg, hops, 1)
    assert [(r.method, r.result) for r in recorded] == [("dkim", "pass"), ("spf", "pass"), ("dmarc", "pass")]
    assert dict(recorded[1].properties)["smtp.mailfrom"] == "alice@yahoo.com"
    # The address inside the brackets.
    assert dict(recorded[2].properties)["header.from"] == "alice@yahoo.com"
    assert recorded[2].reason == "p=reject dis=none"
    assert all(r.trusted for r in recorded)
    assert all(r.defects == () for r in recorded)
    assert findings == ()


def test_malformed_a_r_that_authres_rejects_is_read_tolerantly() -> None:
    # An unquoted URL as a property value ("/" and ":" are specials) and brackets around what is
    # not an address: still a field that could not be read cleanly.
    msg = message(
        ("Authentication-Results", "mx.zohomail.eu; dkim=pass; spf=pass smtp.mailfrom=alice@yahoo.com; "
                                   "dmarc=pass header.from=<yahoo.com> policy.url=https://example.com/p"),
        ("Received", "from sonic.yahoo.com by mx.zohomail.eu with ESMTPS id Z; Sat, 11 Jan 2025 1:00:00 +0000"),
    )
    hops = (hop(1, 1, "mx.zohomail.eu", trusted=True, boundary=True, org="zohomail.eu"),)
    recorded, findings = parse_recorded(msg, hops, 1)
    assert [(r.method, r.result) for r in recorded] == [("dkim", "pass"), ("spf", "pass"), ("dmarc", "pass")]
    assert dict(recorded[1].properties)["smtp.mailfrom"] == "alice@yahoo.com"
    assert all(r.trusted for r in recorded)
    # Where the grammar broke, in words, not the parser's own message.
    assert [d for d in recorded[0].defects if d.startswith("not in RFC 8601's syntax near “")], recorded[0].defects
    assert not any("Syntax error" in d or "authres" in d for d in recorded[0].defects)
    assert [f.id for f in findings] == ["recorded.malformed"]


def test_received_spf_rfc7208_fields_and_invalid_result() -> None:
    msg = message(
        ("Received-SPF", "pass (mybox.example.org: domain of myname@example.com designates 192.0.2.1 as "
                         "permitted sender) receiver=mybox.example.org; client-ip=192.0.2.1; "
                         "envelope-from=\"myname@example.com\"; helo=foo.example.com; identity=mailfrom;"),
        ("Received-SPF", "custom_header1"),
        ("Received", "from foo.example.com ([192.0.2.1]) by mybox.example.org; Sun, 12 Jan 2025 1:00:00 +0000"),
    )
    hops = (hop(1, 2, "mybox.example.org", trusted=True, boundary=True, org="example.org"),)
    recorded, _ = parse_recorded(msg, hops, 1)
    first, second = recorded
    assert first.result == "pass" and first.trusted and first.authserv_id == "mybox.example.org"
    assert dict(first.properties) == {"receiver": "mybox.example.org", "client-ip": "192.0.2.1",
                                      "envelope-from": "myname@example.com", "helo": "foo.example.com",
                                      "identity": "mailfrom"}
    assert second.result == "custom_header1" and second.defects


@pytest.mark.parametrize("value", [
    "mx.example.net; " + "(" * 200_000,
    "mx.example.net; dkim=pass " + "header.d=a.example " * 60_000,
    "mx.example.net; " + "dkim=pass; " * 100_000,
    '"' * 1_000_000,
    "a=" * 500_000,
])
def test_hostile_megabyte_values_are_bounded(value: str) -> None:
    msg = message(("Authentication-Results", value), ("ARC-Authentication-Results", "i=1; " + value),
                  ("Received-SPF", value))
    start = time.perf_counter()
    recorded, _ = parse_recorded(msg, POSTFIX_HOPS, 1)
    assert_within(start, 5)
    assert len(recorded) <= 3 * 200


# --------------------------------------------------------------------------------------------
# compare: one label per case
# --------------------------------------------------------------------------------------------


def _gmail_recorded() -> tuple[RecordedResult, ...]:
    return parse_recorded(GMAIL, GMAIL_HOPS, 2)[0]


def _labels(comparisons: tuple[object, ...]) -> dict[str, str]:
    return {c.method: c.label for c in comparisons}  # type: ignore[attr-defined]


def test_compare_same() -> None:
    comparisons, findings = compare(
        _gmail_recorded(), dkim=(sig("example.com", "s1", 10),), spf=spf_result("pass"),
        dmarc=dmarc_result("pass", dkim_aligned=True, aligned_domain="example.com"), arc=None)
    assert _labels(comparisons) == {"dkim": "same", "spf": "same", "dmarc": "same"}
    dkim = comparisons[0]
    assert (dkim.subject, dkim.recorded, dkim.recomputed, dkim.recorded_by, dkim.recorded_header_index) == (
        "example.com/s1", "pass", "pass", "mx.google.com", 9)
    assert findings == ()


@pytest.mark.parametrize(("code", "label", "finding"), [
    ("key_not_found", "dns_drift", Severity.NOTICE),
    ("key_revoked", "dns_drift", Severity.NOTICE),
    ("body_hash_mismatch", "modified_after_delivery", Severity.WARNING),
    ("signature_mismatch", "modified_after_delivery", Severity.WARNING),
    # "expired" with the delivery time unknown: expired by now, maybe since delivery (an x= passed
    # before a known delivery is "different": test_a_signature_expired_before_delivery_...).
    ("expired", "expired_since", Severity.INFO),
    ("rsa_sha1", "different", Severity.NOTICE),
])
def test_compare_dkim_labels(code: str, label: str, finding: Severity) -> None:
    ours = sig("example.com", "s1", 10, result="fail" if code != "key_revoked" else "permerror", code=code,
               reason=code.replace("_", " "))
    comparisons, findings = compare(_gmail_recorded(), dkim=(ours,), spf=None, dmarc=None, arc=None)
    dkim = next(c for c in comparisons if c.method == "dkim")
    assert dkim.label == label
    assert [(f.id, f.severity) for f in findings if f.subject == "dkim example.com/s1"] == [
        (f"recorded.{label}", finding)]


def test_compare_dkim_not_recomputed_and_not_recorded() -> None:
    offline = sig("example.com", "s1", 10, result="temperror", code="offline", reason="offline")
    unknown = sig("other.example", "k", 99)
    comparisons, findings = compare(_gmail_recorded(), dkim=(offline, unknown), spf=None, dmarc=None, arc=None)
    assert [(c.subject, c.label) for c in comparisons if c.method == "dkim"] == [
        ("example.com/s1", "not_recomputed"), ("other.example/k", "not_recorded")]
    assert not [f for f in findings if f.subject and f.subject.startswith("dkim")]


def test_compare_dkim_signature_gone_since_delivery() -> None:
    comparisons, _ = compare(_gmail_recorded(), dkim=(), spf=None, dmarc=None, arc=None)
    assert [(c.method, c.label, c.recomputed) for c in comparisons if c.method == "dkim"] == [
        ("dkim", "different", None)]
    assert _labels(comparisons)["spf"] == "not_recomputed"


def test_compare_spf_drift_and_different_inputs() -> None:
    recorded = _gmail_recorded()
    comparisons, _ = compare(recorded, dkim=(), spf=spf_result("fail"), dmarc=None, arc=None)
    spf = next(c for c in comparisons if c.method == "spf")
    assert spf.label == "dns_drift" and spf.recorded == "pass" and spf.recomputed == "fail"
    comparisons, findings = compare(recorded, dkim=(), spf=spf_result("fail", ip="203.0.113.1"), dmarc=None,
                                    arc=None)
    spf = next(c for c in comparisons if c.method == "spf")
    # Other inputs: not the same evaluation, so one label that says so, and no finding.
    assert spf.label == "not_recomputed" and "inputs differ" in spf.explanation
    assert "not comparable" in spf.explanation and not any(f.subject and "spf" in f.subject for f in findings)
    comparisons, _ = compare(recorded, dkim=(), spf=spf_result("not_checked"), dmarc=None, arc=None)
    assert next(c for c in comparisons if c.method == "spf").label == "not_recomputed"


def test_compare_dmarc_labels() -> None:
    recorded = _gmail_recorded()
    key_gone = sig("example.com", "s1", 10, result="fail", code="key_not_found", reason="key not published")
    comparisons, _ = compare(recorded, dkim=(key_gone,), spf=spf_result("pass", aligned=False),
                             dmarc=dmarc_result("fail"), arc=None)
    assert _labels(comparisons)["dmarc"] == "dns_drift"
    body = sig("example.com", "s1", 10, result="fail", code="body_hash_mismatch", reason="body changed")
    comparisons, _ = compare(recorded, dkim=(body,), spf=None, dmarc=dmarc_result("fail"), arc=None)
    assert _labels(comparisons)["dmarc"] == "modified_after_delivery"
    # Same result, but the published policy moved from reject (recorded) to none.
    comparisons, findings = compare(recorded, dkim=(), spf=None, dmarc=dmarc_result("pass", p="none"), arc=None)
    dmarc = next(c for c in comparisons if c.method == "dmarc")
    assert dmarc.label == "policy_changed" and "p=reject" in dmarc.explanation and "p=none" in dmarc.explanation
    assert any(f.id == "recorded.policy_changed" for f in findings)
    comparisons, _ = compare(recorded, dkim=(), spf=None, dmarc=dmarc_result("none", p=None), arc=None)
    assert _labels(comparisons)["dmarc"] == "dns_drift"
    comparisons, _ = compare(recorded, dkim=(), spf=None, dmarc=dmarc_result("temperror"), arc=None)
    assert _labels(comparisons)["dmarc"] == "not_recomputed"
    comparisons, _ = compare((), dkim=(), spf=None, dmarc=dmarc_result("pass"), arc=None)
    assert _labels(comparisons)["dmarc"] == "not_recorded"


def test_compare_ignores_claims() -> None:
    recorded = tuple(r for r in parse_recorded(GMAIL, GMAIL_HOPS, 2)[0])
    claims = tuple(RecordedResult(**{**r.__dict__, "trusted": False}) for r in recorded)
    comparisons, _ = compare(claims, dkim=(sig("example.com", "s1", 10),), spf=None, dmarc=None, arc=None)
    assert _labels(comparisons) == {"dkim": "not_recorded"}


def test_compare_arc_receiver_sealed_itself() -> None:
    recorded = (RecordedResult(header="Authentication-Results", header_index=3, authserv_id="mx.google.com",
                               method="arc", result="none", properties=(), reason=None, trusted=True),)
    arc = ArcResult(result="pass", reason="chain validates", instances=(
        ArcInstance(instance=1, domain="google.com", selector="arc", cv="none", seal_result="pass",
                    signature_result="pass", authentication_results=None),))
    comparisons, _ = compare(recorded, dkim=(), spf=None, dmarc=None, arc=arc)
    assert [(c.method, c.label) for c in comparisons] == [("arc", "same")]
    offline = ArcResult(result="none", reason="not checked (offline)", instances=arc.instances)
    comparisons, _ = compare(recorded, dkim=(), spf=None, dmarc=None, arc=offline)
    assert [(c.method, c.label) for c in comparisons] == [("arc", "not_recomputed")]
    broken = ArcResult(result="fail", reason="seal i=1 fails", instances=arc.instances)
    comparisons, _ = compare(recorded, dkim=(), spf=None, dmarc=None, arc=broken)
    assert [(c.method, c.label) for c in comparisons] == [("arc", "different")]



def test_rspamds_arc_reject_is_read_as_a_recorded_fail() -> None:
    # rspamd writes its ARC_REJECT symbol as "arc=reject" (not an RFC 8617 word): the row shows
    # what it wrote and compares it as fail, never "the receiving side recorded no ARC result".
    recorded = (RecordedResult(header="Authentication-Results", header_index=4, authserv_id="mail.example.net",
                               method="arc", result="reject", properties=(), reason='"cv is fail on i=2"',
                               trusted=True),)
    instances = (ArcInstance(instance=1, domain="example.org", selector="arc", cv="none", seal_result="pass",
                             signature_result="pass", authentication_results=None),)
    broken = ArcResult(result="fail", reason="the newest seal records cv=fail", instances=instances)
    comparisons, _ = compare(recorded, dkim=(), spf=None, dmarc=None, arc=broken)
    assert [(c.method, c.recorded, c.recomputed, c.label) for c in comparisons] == [("arc", "reject", "fail", "same")]
    assert "rspamd's word" in comparisons[0].explanation and "recorded no" not in comparisons[0].explanation
    valid = ArcResult(result="pass", reason="chain validates", instances=instances)
    comparisons, _ = compare(recorded, dkim=(), spf=None, dmarc=None, arc=valid)
    assert [(c.recorded, c.label) for c in comparisons] == [("reject", "different")]
    # Another receiver's word (below the boundary, not trusted) is not read as the receiver's.
    claim = (replace(recorded[0], trusted=False),)
    comparisons, _ = compare(claim, dkim=(), spf=None, dmarc=None, arc=broken)
    assert [(c.recorded, c.label) for c in comparisons] == [(None, "not_recorded")]

# --------------------------------------------------------------------------------------------
# Corpus: never an exception, known answers where the corpus gives them
# --------------------------------------------------------------------------------------------

_NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _corpus_files() -> list[Path]:
    roots = [CORPUS / "messages", CORPUS / "rspamd" / "messages", CORPUS / "dmarc" / "authheaders"]
    files = [p for root in roots for p in sorted(root.rglob("*")) if p.is_file()
             and not p.name.startswith(("LICENSE", "COPYING", "README")) and p.suffix not in (".json", ".md")]
    return files


def test_corpus_never_raises() -> None:
    files = _corpus_files()
    assert len(files) > 70
    total = 0
    for path in files:
        loaded = load_bytes(path.read_bytes(), source=str(path))
        msg = parse_message(loaded.data)
        chain = build_chain(msg, None, _NOW)
        recorded, _ = parse_recorded(msg, chain.hops, chain.boundary_hop, loaded.recorded)
        total += len(recorded)
        for item in recorded:
            assert item.method and item.result
            assert item.header_index is None or msg.headers[item.header_index].name.lower() in (
                "authentication-results", "arc-authentication-results", "received-spf")
        compare(recorded, dkim=(), spf=None, dmarc=None, arc=None)
    assert total > 50


def test_corpus_authheaders_known_answer() -> None:
    path = CORPUS / "dmarc" / "authheaders" / "test.message"
    msg = parse_message(path.read_bytes())
    recorded, _ = parse_recorded(msg, (), None)
    assert [(r.authserv_id, r.method, r.result) for r in recorded] == [
        ("lists.example.org", "arc", "none"), ("lists.example.org", "spf", "pass"),
        ("lists.example.org", "dkim", "pass"), ("lists.example.org", "dmarc", "pass")]
    assert dict(recorded[1].properties) == {"smtp.mfrom": "jqd@d1.example"}
    assert recorded[2].reason == "1024-bit key"


def test_receiver_named_a_r_appended_at_the_end_is_a_milder_claim() -> None:
    # rspamd's milter appends its fields after the last sender field; so could a sender.
    msg = message(
        ("Received", "from mx1.freebsd.org by mail.highsecure.ru (Postfix) with ESMTPS id 7B5; "
                     "Mon, 7 Sep 2020 15:43:40 +0000"),  # 0
        ("From", "Vsevolod <vstakhov@outlook.com>"),  # 1
        ("Sender", "owner-freebsd-test@freebsd.org"),  # 2
        ("X-Rspamd-Queue-Id", "7B5193003B9"),  # 3
        ("Authentication-Results", "mail.highsecure.ru; dkim=pass header.d=freebsd.org header.s=dkim"),  # 4
    )
    hops = (hop(1, 0, "mail.highsecure.ru", trusted=True, boundary=True, org="highsecure.ru"),)
    recorded, findings = parse_recorded(msg, hops, 1)
    assert [r.trusted for r in recorded] == [False]
    assert "end of the header section" in (recorded[0].trust_reason or "")
    assert [(f.id, f.severity) for f in findings] == [("recorded.untrusted_claim", Severity.NOTICE)]
    # The reason reads as one sentence after the claim (it was run into "and names ..., but names"),
    # and names the field as a reader counts it: the fifth, index 4.
    assert findings[0].explanation.startswith("Header 5 says dkim=pass. Its standing: names the receiving side "
                                              "(mail.highsecure.ru) but sits at the end of the header section")
    # Several such fields (Proton appends one per method, real): one notice saying every result,
    # the dmarc=fail of a field with no pass among them (it was told nowhere).
    several = message(
        ("Received", "from mx1.freebsd.org by mail.highsecure.ru (Postfix) with ESMTPS id 7B5; "
                     "Mon, 7 Sep 2020 15:43:40 +0000"),
        ("From", "Vsevolod <vstakhov@outlook.com>"),
        ("Authentication-Results", "mail.highsecure.ru; dmarc=fail (p=reject) header.from=outlook.com"),
        ("Authentication-Results", "mail.highsecure.ru; spf=pass smtp.mailfrom=freebsd.org"),
        ("Authentication-Results", "mail.highsecure.ru; dkim=pass header.d=freebsd.org header.s=dkim"))
    _, findings = parse_recorded(several, hops, 1)
    [claim] = findings
    assert (claim.severity, claim.title) == (
        Severity.NOTICE, "3 Authentication-Results fields in the receiver's name at the end of the header: not relied on")
    assert claim.explanation.startswith("Headers 3, 4, 5 say dmarc=fail, spf=pass, dkim=pass.")


def test_receiver_without_host_names_is_trusted_by_position_only() -> None:
    msg = message(
        ("Authentication-Results", "lists.example.org; spf=pass smtp.mfrom=jqd@d1.example"),  # 0
        ("Received", "from localhost"),  # 1
        ("Authentication-Results", "lists.example.org; dkim=pass header.i=@d1.example"),  # 2
        ("From", "test@example.com"),  # 3
    )
    hops = (Hop(number=1, header_index=1, fields=ReceivedFields(), raw="from localhost", delay_seconds=None,
                role=Role.UNKNOWN, organization=None, trusted=True, boundary=True),)
    recorded, _ = parse_recorded(msg, hops, 1)
    assert [(r.header_index, r.trusted) for r in recorded] == [(0, True), (2, False)]
    assert "by position only" in (recorded[0].trust_reason or "")


# --------------------------------------------------------------------------------------------
# Audit fixes: trust below the boundary, identity-bound drift, summary rows, forged claims.
# --------------------------------------------------------------------------------------------

SPOOFED_DNS = Path(__file__).resolve().parents[1] / "samples" / "spoofed.dns.json"

# A phish sent straight to a Postfix MX, with an Authentication-Results in the receiver's name
# placed by the client directly below the receiver's Received (RFC 5321 section 4.4 order).
DIRECT_TO_MX_FORGED_AR = (
    b"Return-Path: <security@bank.example>\r\n"
    b"Received: from mail.bank.example (unknown [203.0.113.99])\r\n"
    b"\tby mx.fabrikam.example (Postfix) with ESMTP id 4XyZ1\r\n"
    b"\tfor <victim@fabrikam.example>; Fri, 27 Nov 2026 03:18:32 +0000 (UTC)\r\n"
    b"Authentication-Results: mx.fabrikam.example;\r\n"
    b"\tdkim=pass header.d=bank.example header.s=k2025 header.b=AAAAAAAA;\r\n"
    b"\tspf=pass smtp.mailfrom=bank.example;\r\n"
    b"\tdmarc=pass (p=reject dis=none) header.from=bank.example\r\n"
    b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=bank.example; s=k2025;\r\n"
    b"\tt=1795713162; h=from:to:subject:date; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n"
    b"\tb=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n"
    b"From: Bank Security <security@bank.example>\r\n"
    b"To: victim@fabrikam.example\r\n"
    b"Subject: Verify your account\r\n"
    b"Date: Fri, 27 Nov 2026 03:18:30 +0000\r\n"
    b"Message-ID: <x1@bank.example>\r\n"
    b"\r\n"
    b"Click here.\r\n")


def test_receiver_named_result_directly_below_its_received_is_not_trusted_without_corroboration() -> None:
    report = analyze(DIRECT_TO_MX_FORGED_AR, dns_snapshot=str(SPOOFED_DNS),
                     now=datetime(2026, 11, 28, tzinfo=timezone.utc))
    ar = [r for r in report.recorded if r.header == "Authentication-Results"]
    assert ar and not any(r.trusted for r in ar)
    assert "nothing above the boundary corroborates" in (ar[0].trust_reason or "")
    assert all(c.recorded is None for c in report.comparison)
    # bank.example publishes p=reject, SPF -all fails from 203.0.113.99, the signature is garbage.
    assert report.verdict.status == "spoofed", report.verdict.summary


def _below_boundary_message(*above: tuple[str, str], second_ar: bool = False) -> tuple[Message, tuple[Hop, ...]]:
    fields = [
        *above,
        ("Received", "from out.sender.example (out.sender.example [192.0.2.10]) by mx.receiver.example "
                     "with ESMTPS id Q1; Thu, 9 Jan 2025 08:00:00 +0000"),
        ("Authentication-Results", "mx.receiver.example; dkim=pass header.d=sender.example header.s=s1; "
                                   "spf=pass smtp.mailfrom=sender.example"),
    ]
    if second_ar:
        fields.append(("Authentication-Results", "mx.receiver.example; spf=fail smtp.mailfrom=sender.example"))
    fields += [("From", "a@sender.example"), ("Subject", "x")]
    boundary_index = len(above)
    return message(*fields), (hop(1, boundary_index, "mx.receiver.example", trusted=True, boundary=True,
                                  org="receiver.example"),)


def test_receiver_seal_above_the_boundary_corroborates_the_field_below_it() -> None:
    seal = ("ARC-Seal", "i=1; a=rsa-sha256; cv=none; d=receiver.example; s=arc; b=zzz")
    msg, hops = _below_boundary_message(seal)
    recorded, findings = parse_recorded(msg, hops, 1)
    assert [r.trusted for r in recorded] == [True, True]
    assert "also wrote a field above it" in (recorded[0].trust_reason or "")
    assert findings == ()
    # A seal by somebody else proves nothing about the receiver.
    msg, hops = _below_boundary_message(("ARC-Seal", "i=1; cv=none; d=sender.example; s=arc; b=zzz"))
    recorded, _ = parse_recorded(msg, hops, 1)
    assert not any(r.trusted for r in recorded)


def test_two_fields_with_the_receivers_authserv_id_below_it_are_both_claims() -> None:
    seal = ("ARC-Seal", "i=1; a=rsa-sha256; cv=none; d=receiver.example; s=arc; b=zzz")
    msg, hops = _below_boundary_message(seal, second_ar=True)
    recorded, findings = parse_recorded(msg, hops, 1)
    assert not any(r.trusted for r in recorded)
    assert "same authserv-id" in (recorded[0].trust_reason or "")
    assert [(f.id, f.severity) for f in findings] == [("recorded.untrusted_claim", Severity.WARNING)]


def _trusted(method: str, result: str, *props: tuple[str, str], reason: str | None = None,
             signature: int | None = None, header: str = "Authentication-Results") -> RecordedResult:
    return RecordedResult(header=header, header_index=0, authserv_id="mx.receiver.example", method=method,
                          result=result, properties=props, reason=reason, trusted=True,
                          signature_header_index=signature)


def test_recorded_spf_without_client_ip_is_not_comparable_not_drift() -> None:
    rec = (_trusted("spf", "pass", ("smtp.mailfrom", "bounce@example.com")),)
    comparisons, findings = compare(rec, dkim=(), spf=spf_result("fail"), dmarc=None, arc=None)
    assert comparisons[0].label == "not_recomputed" and findings == ()
    assert "not comparable" in comparisons[0].explanation
    rec = (_trusted("spf", "pass", ("smtp.mailfrom", "bounce@example.com"), ("smtp.client-ip", "192.0.2.10")),)
    comparisons, _ = compare(rec, dkim=(), spf=spf_result("fail"), dmarc=None, arc=None)
    assert comparisons[0].label == "dns_drift"


def test_recorded_spf_takes_the_client_ip_from_the_same_receivers_received_spf() -> None:
    # Gmail's Authentication-Results name smtp.mailfrom only; its Received-SPF beside it names
    # client-ip= (RFC 7208 section 9.1): the same evaluation, so the two are comparable.
    def received_spf(result: str, ip: str, writer: str = "google.com") -> RecordedResult:
        return RecordedResult(header="Received-SPF", header_index=1, authserv_id=writer, method="spf",
                              result=result, properties=(("client-ip", ip),), trusted=True,
                              reason=f"{writer}: domain of bounce@example.com does not designate {ip} as permitted "
                                     "sender")

    def gmail_ar(result: str) -> RecordedResult:
        return replace(_trusted("spf", result, ("smtp.mailfrom", "bounce@example.com")), header_index=2,
                       authserv_id="mx.google.com")

    comparisons, _ = compare((gmail_ar("pass"), received_spf("pass", "192.0.2.10")), dkim=(),
                             spf=spf_result("fail"), dmarc=None, arc=None)
    assert [(c.label, c.recorded_header_index) for c in comparisons] == [("dns_drift", 2)]
    # Another IP in it: the inputs differ. Another writer's, or another result: no IP taken.
    comparisons, _ = compare((gmail_ar("pass"), received_spf("pass", "198.51.100.7")), dkim=(),
                             spf=spf_result("fail"), dmarc=None, arc=None)
    assert comparisons[0].label == "not_recomputed" and "from 198.51.100.7" in comparisons[0].explanation
    for other in (received_spf("pass", "192.0.2.10", writer="mx.other.example"), received_spf("fail", "192.0.2.10")):
        comparisons, _ = compare((gmail_ar("pass"), other), dkim=(), spf=spf_result("fail"), dmarc=None, arc=None)
        assert comparisons[0].label == "not_recomputed" and "without naming the client IP" in comparisons[0].explanation
    # A recorded permerror that passes now with the same inputs: a DNS change or a receiver that
    # counts the lookup limit over every term (RFC 7208 section 4.6.4), not proven drift.
    comparisons, _ = compare((gmail_ar("permerror"), received_spf("permerror", "192.0.2.10")), dkim=(),
                             spf=spf_result("pass"), dmarc=None, arc=None)
    assert comparisons[0].label == "different"
    assert "RFC 7208 section 4.6.4" in comparisons[0].explanation


def test_a_dkim_temperror_at_delivery_that_passes_now_is_expected() -> None:
    # RFC 8601 section 2.7.1: temperror is a transient failure (the key lookup), not a judgement.
    rec = (_trusted("dkim", "temperror", ("header.d", "example.com"), ("header.s", "s1"), signature=7),)
    comparisons, findings = compare(rec, dkim=(sig("example.com", "s1", 7),), spf=None, dmarc=None, arc=None)
    [dkim] = [c for c in comparisons if c.method == "dkim"]
    assert (dkim.recorded, dkim.recomputed, dkim.label) == ("temperror", "pass", "dns_drift")
    assert "transient DNS error" in dkim.explanation and "RFC 8601 section 2.7.1" in dkim.explanation
    assert [f.id for f in findings] == ["recorded.dns_drift"]


def test_spf_drift_cites_rfc_8601_not_dkims_section() -> None:
    rec = (_trusted("spf", "pass", ("smtp.mailfrom", "bounce@example.com"), ("smtp.client-ip", "192.0.2.10")),)
    _, findings = compare(rec, dkim=(), spf=spf_result("fail"), dmarc=None, arc=None)
    [drift] = [f for f in findings if f.id == "recorded.dns_drift"]
    assert drift.reference == "https://www.rfc-editor.org/rfc/rfc8601#section-5"


def test_dmarc_drift_needs_a_recorded_pass_for_the_same_aligned_signature() -> None:
    gone = sig("example.com", "s1", 7, result="permerror", code="key_not_found", reason="no key")
    # The receiver's dkim=pass names another domain: the key change proves nothing.
    rec = (_trusted("dkim", "pass", ("header.i", "@d1.example")), _trusted("dmarc", "pass"))
    comparisons, _ = compare(rec, dkim=(gone,), spf=None, dmarc=dmarc_result("fail"), arc=None)
    assert [c.label for c in comparisons if c.method == "dmarc"] == ["different"]
    # The same signature, recorded as passing: its key was rotated since.
    rec = (_trusted("dkim", "pass", ("header.d", "example.com"), ("header.s", "s1"), signature=7),
           _trusted("dmarc", "pass"))
    comparisons, _ = compare(rec, dkim=(gone,), spf=None, dmarc=dmarc_result("fail"), arc=None)
    assert [c.label for c in comparisons] == ["dns_drift", "dns_drift"]
    # ... unless the body hash fails now too: then the message changed, whatever DNS did.
    changed = replace(gone, body_hash_ok=False)
    comparisons, _ = compare(rec, dkim=(changed,), spf=None, dmarc=dmarc_result("fail"), arc=None)
    assert [c.label for c in comparisons] == ["modified_after_delivery", "modified_after_delivery"]


def test_summary_dkim_line_without_selector_joins_the_signature_row() -> None:
    summary = RecordedResult(header="gmail-summary", header_index=None, authserv_id="mx.google.com",
                             method="dkim", result="pass", properties=(("header.d", "example.com"),),
                             reason=None, trusted=True)
    rec = (_trusted("dkim", "pass", ("header.d", "example.com"), ("header.s", "s1"), signature=7), summary)
    comparisons, findings = compare(rec, dkim=(sig("example.com", "s1", 7),), spf=None, dmarc=None, arc=None)
    assert [(c.subject, c.label) for c in comparisons] == [("example.com/s1", "same")]
    assert findings == ()
    # A different verdict for the same signature is compared with it, never a phantom row.
    contrary = replace(summary, result="fail")
    comparisons, _ = compare((rec[0], contrary), dkim=(sig("example.com", "s1", 7),), spf=None, dmarc=None,
                             arc=None)
    assert [(c.subject, c.recorded, c.label) for c in comparisons] == [
        ("example.com/s1", "pass", "same"), ("example.com/s1", "fail", "different")]


def test_sender_supplied_pass_contradicting_the_receiver_is_a_warning() -> None:
    msg = message(
        ("Received", "from a (a [203.0.113.66]) by mx.receiver.example with ESMTP id 1; "
                     "Fri, 27 Nov 2026 03:18:32 +0000"),  # 0
        ("Authentication-Results", "mx.receiver.example 1; spf=fail smtp.mailfrom=bank.example; "
                                   "dmarc=fail header.from=bank.example"),  # 1
        ("Received", "from b by a with ESMTP id 2; Fri, 27 Nov 2026 03:18:30 +0000"),  # 2
        ("Authentication-Results", "spf=pass (sender IP is 203.0.113.66) smtp.mailfrom=bank.example; "
                                   "dmarc=pass action=none header.from=bank.example"),  # 3
        ("From", "a@bank.example"),
    )
    top = message(("Authentication-Results", "mx.receiver.example; spf=fail smtp.mailfrom=bank.example"),
                  *[(h.name, h.value) for h in msg.headers])
    hops = (hop(1, 3, "a", trusted=False), hop(2, 1, "mx.receiver.example", trusted=True, boundary=True,
                                                org="receiver.example"))
    _, findings = parse_recorded(top, hops, 2)
    forged = [f for f in findings if f.subject == "header 5"]
    assert [(f.id, f.severity) for f in forged] == [("recorded.untrusted_claim", Severity.WARNING)]
    assert "spf" in forged[0].explanation


def test_a_nameless_result_beside_a_receiver_that_names_itself_is_not_the_receivers() -> None:
    # A Gmail auto-forward (real lines): Gmail's own results name mx.google.com; the nameless one
    # above its Received is the sending Microsoft tenant's stamp ("sender IP is " empty).
    msg = message(
        ("Authentication-Results", "mx.google.com; dkim=pass header.i=@virtuozzo.com header.s=selector2; "
                                   "dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=virtuozzo.com"),  # 0
        ("Authentication-Results", "spf=none (sender IP is ) smtp.mailfrom=vsementsov@virtuozzo.com;"),  # 1
        ("Received", "from EUR01-HE1-obe.outbound.protection.outlook.com ([40.107.13.117]) by mx.google.com "
                     "with ESMTPS id a; Mon, 14 Oct 2019 02:14:48 -0700 (PDT)"),  # 2
        ("From", "vsementsov@virtuozzo.com"),  # 3
    )
    hops = (hop(1, 2, "mx.google.com", trusted=True, boundary=True, org="google.com"),)
    recorded, _ = parse_recorded(msg, hops, 1)
    nameless = [r for r in recorded if r.authserv_id is None]
    assert [r.trusted for r in nameless] == [False]
    assert "RFC 8601 section 2.2" in (nameless[0].trust_reason or "")
    assert all(r.trusted for r in recorded if r.authserv_id == "mx.google.com")
    # Exchange Online writes its own results without an authserv-id: at a Microsoft mailbox the
    # nameless field above the boundary is the receiver's, whatever else names Microsoft there.
    microsoft = message(
        ("ARC-Seal", "i=1; a=rsa-sha256; s=arcselector9901; d=microsoft.com; cv=none; b=x"),  # 0
        ("Authentication-Results", "spf=pass (sender IP is 209.85.128.41) smtp.mailfrom=gmail.com; "
                                   "dkim=pass (signature was verified) header.d=gmail.com;"),  # 1
        ("Received", "from mail-wm1-f41.google.com (209.85.128.41) by AM0EUR01FT001.mail.protection.outlook.com "
                     "(10.0.0.1) with Microsoft SMTP Server id 15.20.1; Mon, 2 Nov 2026 10:00:04 +0000"),  # 2
        ("From", "a@gmail.com"),  # 3
    )
    hops = (hop(1, 2, "AM0EUR01FT001.mail.protection.outlook.com", trusted=True, boundary=True, org="outlook.com"),)
    recorded, _ = parse_recorded(microsoft, hops, 1)
    assert [r.trusted for r in recorded if r.header == "Authentication-Results"] == [True, True]


def test_receiver_recorded_arc_override_is_named_in_the_comparison() -> None:
    rec = (_trusted("dmarc", "fail", reason="arc override: lists.example.org"),)
    comparisons, _ = compare(rec, dkim=(), spf=None, dmarc=dmarc_result("fail", p="quarantine"), arc=None)
    assert comparisons[0].label == "same"
    assert "ARC override" in comparisons[0].explanation


def test_googles_disposition_none_beside_arc_pass_is_an_arc_override() -> None:
    # Gmail writes "dmarc=fail (p=REJECT sp=REJECT dis=NONE arc=pass)": it gave a reject policy
    # the disposition none (RFC 7489 section 7.2.1.1: the policy applied) on the ARC chain's word.
    from headerscope.auth.recorded import arc_override_recorded

    google = _trusted("dmarc", "fail", ("header.from", "example.com"), reason="p=REJECT sp=REJECT dis=NONE arc=pass")
    assert arc_override_recorded(google)
    comparisons, _ = compare((google,), dkim=(), spf=None, dmarc=dmarc_result("fail", p="reject"), arc=None)
    assert "It recorded an ARC override (p=REJECT sp=REJECT dis=NONE arc=pass)" in comparisons[0].explanation
    # The policy applied, or a policy of none, or no ARC pass: no override.
    for reason in ("p=REJECT sp=REJECT dis=QUARANTINE arc=pass", "p=NONE sp=NONE dis=NONE arc=pass",
                   "p=REJECT sp=REJECT dis=NONE", "p=REJECT sp=REJECT dis=NONE arc=fail"):
        assert not arc_override_recorded(_trusted("dmarc", "fail", reason=reason)), reason
    assert not arc_override_recorded(_trusted("dmarc", "pass", reason="p=REJECT dis=NONE arc=pass"))


def test_positional_authres_parser_matches_authres_on_real_and_mutated_values() -> None:
    import random

    from headerscope.auth import _authres

    values = {GMAIL_AR, "mx.example.net; none", "x.invalid; spf=pass (a (nested) comment) smtp.mailfrom=a@b",
              'x.invalid; dkim=pass reason="good sig" header.d=example.com header.b="ab cd"',
              "x.invalid 1 (v); dmarc=fail (p=reject) header.from=a.example; auth=pass smtp.auth=u@x"}
    for path in sorted((CORPUS / "rspamd" / "messages").rglob("*.eml"))[:40]:
        for header in parse_message(path.read_bytes()).all("Authentication-Results"):
            values.add(header.value.strip())
    chooser = random.Random(7)
    for value in sorted(values):
        for _ in range(6):
            k = chooser.randrange(len(value) + 1)
            values.add(value[:k] + chooser.choice('();="\\@./ ^') + value[k:])
    for value in sorted(values):
        assert _authres._parse_uncached(value) == _authres.parse_value_reference(value), value


def test_arc_key_removed_since_delivery_is_dns_drift() -> None:
    from headerscope.auth.recorded import compare
    from headerscope.model import ArcInstance, ArcResult, RecordedResult

    recorded = (RecordedResult(header="Authentication-Results", header_index=0, authserv_id="mx.example.net",
                               method="arc", result="pass", properties=(), reason=None, trusted=True),)
    arc = ArcResult(result="fail", reason="the key at arc._domainkey.lists.example.org is not published",
                    instances=(ArcInstance(instance=1, domain="lists.example.org", selector="arc", cv="none",
                                           seal_result=None, signature_result=None, authentication_results=None),),
                    reason_code="key_not_found")
    comparisons, _ = compare(recorded, dkim=(), spf=None, dmarc=None, arc=arc)
    arc_rows = [c for c in comparisons if c.method == "arc"]
    assert [c.label for c in arc_rows] == ["dns_drift"]
    assert "removed from DNS" in arc_rows[0].explanation


# --------------------------------------------------------------------------------------------
# Re-audit: the receiver's block below its Received, unsupported recorded passes, labels.
# --------------------------------------------------------------------------------------------

# A Gmail message from before ARC: Received-SPF and A-R by the boundary host between its
# Received and the sender's; nothing of Gmail's above the boundary to corroborate them.
PRE_ARC_GMAIL = (
    b"Delivered-To: alice@gmail.com\r\n"
    b"Received: by 10.67.31.8 with SMTP id i8cs1195ugj; Mon, 22 Sep 2008 13:45:18 -0700 (PDT)\r\n"
    b"Return-Path: <noreply@rubyforge.example>\r\n"
    b"Received: from rubyforge.example (rubyforge.example [205.234.109.19])\r\n"
    b"        by mx.google.com with ESMTP id c2si899474ana.10; Mon, 22 Sep 2008 12:06:33 -0700 (PDT)\r\n"
    b"Received-SPF: pass (google.com: domain of noreply@rubyforge.example designates 205.234.109.19 as "
    b"permitted sender) client-ip=205.234.109.19;\r\n"
    b"Authentication-Results: mx.google.com; spf=pass (google.com: domain of noreply@rubyforge.example "
    b"designates 205.234.109.19 as permitted sender) smtp.mail=noreply@rubyforge.example\r\n"
    b"Received: by rubyforge.example (Postfix, from userid 502) id 8FB1518581AC; "
    b"Mon, 22 Sep 2008 15:06:28 -0400 (EDT)\r\n"
    b"From: Sandy <noreply@rubyforge.example>\r\n"
    b"To: alice@gmail.com\r\n"
    b"Subject: hello\r\n"
    b"Date: Mon, 22 Sep 2008 15:06:28 -0400 (EDT)\r\n"
    b"\r\n"
    b"Testing.\r\n")


def _recorded_of(raw: bytes) -> tuple[tuple[RecordedResult, ...], int | None]:
    report = analyze(raw, offline=True)
    return report.recorded, report.boundary_hop


def test_boundary_hosts_results_between_its_received_and_the_previous_one_are_the_receivers() -> None:
    # RFC 8601 section 5: the receiver deletes look-alikes of its authserv-id; its own results
    # sit in the unbroken run of trace fields below its Received, which the sender's Received
    # closes (RFC 5321 section 4.4 prepending).
    recorded, _ = _recorded_of(PRE_ARC_GMAIL)
    assert [(r.header, r.authserv_id, r.trusted) for r in recorded] == [
        ("Received-SPF", "google.com", True), ("Authentication-Results", "mx.google.com", True)]
    assert "the boundary host" in (recorded[1].trust_reason or "")
    # The same field under the sender's own Received is the sender's: a forgery.
    fields = PRE_ARC_GMAIL.split(b"\r\n")
    ar = next(i for i, line in enumerate(fields) if line.startswith(b"Authentication-Results"))
    sender_received = next(i for i, line in enumerate(fields) if line.startswith(b"Received: by rubyforge"))
    moved = [*fields[:ar], fields[sender_received], fields[ar], *fields[sender_received + 1:]]
    recorded, _ = _recorded_of(b"\r\n".join(moved))
    assert [r.trusted for r in recorded if r.header == "Authentication-Results"] == [False]
    # A non-trace field between the Received and the A-R ends the receiver's run.
    broken = [*fields[:ar], b"X-Mailer: mass-mailer 1.0", *fields[ar:]]
    recorded, _ = _recorded_of(b"\r\n".join(broken))
    assert [r.trusted for r in recorded if r.header == "Authentication-Results"] == [False]
    # Another host's authserv-id in the run is not the boundary host's own.
    renamed = list(fields)
    renamed[ar] = renamed[ar].replace(b"mx.google.com;", b"filter.example.net;")
    recorded, _ = _recorded_of(b"\r\n".join(renamed))
    assert [r.trusted for r in recorded if r.header == "Authentication-Results"] == [False]


# Yandex's layout (a real message, addresses kept): its MX front writes "X-Yandex-Fwd" and
# "X-Yandex-Spam" around its Authentication-Results, all below its own Received and above the
# sender's last one.
YANDEX_STAMPED_RUN = (
    b"Received: from mail-nwsmtp-mxfront-production-main-83.iva.yp-c.yandex.net "
    b"(mail-nwsmtp-mxfront-production-main-83.iva.yp-c.yandex.net [IPv6:2a02:6b8:c0c:8911:0:640:81aa:0])\r\n"
    b"\tby postback6d.mail.yandex.net (Yandex) with ESMTPS id 1915EC0014\r\n"
    b"\tfor <info@mooon.by>; Wed, 06 May 2026 10:01:33 +0300 (MSK)\r\n"
    b"Received: from relay07.paysecure.ru (relay07.paysecure.ru [195.50.5.76])\r\n"
    b"\tby mail-nwsmtp-mxfront-production-main-83.iva.yp-c.yandex.net (mxfront) with ESMTPS id "
    b"W1bRJN4LZuQ0-6P2YJRIg;\r\n\tWed, 06 May 2026 10:01:32 +0300\r\n"
    b"X-Yandex-Fwd: 1\r\n"
    b"Authentication-Results: mail-nwsmtp-mxfront-production-main-83.iva.yp-c.yandex.net; spf=pass "
    b"(mail-nwsmtp-mxfront-production-main-83.iva.yp-c.yandex.net: domain of belassist.by designates "
    b"195.50.5.76 as permitted sender, rule=[ip4:195.50.5.64/28]) smtp.mail=crm-bounce-mailing@belassist.by\r\n"
    b"X-Yandex-Spam: 1\r\n"
    b"Received: from localhost (127.0.0.1)\r\n\tby relay07.paysecure.ru with esmtp (Exim 4.96)\r\n"
    b"\t(envelope-from <crm-bounce-mailing@belassist.by>)\r\n\tid 1wKWGC-00A1h4-0W\r\n"
    b"\tfor info@mooon.by;\r\n\tWed, 06 May 2026 07:01:32 +0000\r\n"
    b"Date: Wed, 6 May 2026 07:01:32 +0000 (UTC)\r\n"
    b"From: BELASSIST <support@belassist.by>\r\n"
    b"To: info@mooon.by\r\n"
    b"Subject: notice\r\n"
    b"\r\n"
    b"Body.\r\n")


def test_receivers_own_stamps_in_the_run_below_its_received_do_not_break_it() -> None:
    recorded, boundary = _recorded_of(YANDEX_STAMPED_RUN)
    assert boundary == 2
    assert [(r.authserv_id, r.trusted) for r in recorded] == [
        ("mail-nwsmtp-mxfront-production-main-83.iva.yp-c.yandex.net", True)]
    assert "the boundary host" in (recorded[0].trust_reason or "")
    report = analyze(YANDEX_STAMPED_RUN, offline=True)
    assert not [f for f in report.findings if f.id == "recorded.untrusted_claim"]
    # A field the sending side writes in the run (its DKIM-Signature, added above its own
    # Received) means the run is not the receiver's alone: the A-R stays a claim.
    signed = YANDEX_STAMPED_RUN.replace(b"X-Yandex-Spam: 1\r\n",
                                        b"X-Yandex-Spam: 1\r\nDKIM-Signature: v=1; d=belassist.by; s=x; b=AA\r\n")
    recorded, _ = _recorded_of(signed)
    assert [r.trusted for r in recorded] == [False]
    # So does a run that no Received of the sender closes (a client talking straight to the MX).
    lines = YANDEX_STAMPED_RUN.split(b"\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(b"Received: from localhost"))
    unclosed = b"\r\n".join([*lines[:start], *lines[start + 6:]])
    recorded, _ = _recorded_of(unclosed)
    assert [r.trusted for r in recorded] == [False]


def test_direct_to_mx_forgery_still_fails_without_the_senders_received_below_it() -> None:
    # The client wrote the A-R itself: no previous hop's Received closes the receiver's run.
    recorded, _ = _recorded_of(DIRECT_TO_MX_FORGED_AR)
    assert [r.trusted for r in recorded if r.header == "Authentication-Results"] == [False, False, False]


@pytest.mark.parametrize("name", ["test.message", "test_nop.message"])
def test_recorded_dmarc_pass_resting_on_unaligned_identities_authenticates_nobody(name: str) -> None:
    # The receiver recorded dkim=pass and spf=pass for d1.example only, plus a dmarc=pass that
    # names no From: domain: nothing of it aligns with From (RFC 7489 section 3.1).
    from test_dmarc_corpus import AUTHHEADERS, _authheaders, authheaders_snapshot

    from headerscope.dns.snapshot import SnapshotResolver

    # As in the audit's DNS: example.com publishes no DMARC record now, so DMARC is "none" and
    # only the recorded pass could make the message look authenticated.
    snapshot = authheaders_snapshot(_authheaders()["dns"])
    snapshot.pop("_dmarc.example.com", None)
    resolver = SnapshotResolver(snapshot)
    report = analyze((AUTHHEADERS / name).read_bytes(), resolver=resolver,
                     now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    dmarc = next(c for c in report.comparison if c.method == "dmarc")
    assert (dmarc.recorded, dmarc.label) == ("pass", "different"), dmarc.explanation
    assert "only for spf=d1.example, dkim=d1.example, which do not align" in dmarc.explanation
    assert report.verdict.status == "unauthenticated", report.verdict.summary
    assert "at delivery" not in report.verdict.summary
    assert not any(f.id == "recorded.dns_drift" for f in report.findings)


def test_recorded_dmarc_pass_with_an_aligned_recorded_identity_or_header_from_is_supported() -> None:
    gone = replace(dmarc_result("none", p=None), record_domain=None)
    aligned_dkim = (_trusted("dkim", "pass", ("header.d", "mail.example.com")), _trusted("dmarc", "pass"))
    comparisons, _ = compare(aligned_dkim, dkim=(), spf=None, dmarc=gone, arc=None)
    assert next(c for c in comparisons if c.method == "dmarc").label == "dns_drift"
    named = (_trusted("dmarc", "pass", ("header.from", "example.com")),)
    comparisons, _ = compare(named, dkim=(), spf=None, dmarc=gone, arc=None)
    assert comparisons[0].label == "dns_drift"


def test_aligned_signature_that_fails_on_the_message_is_never_dns_drift() -> None:
    # The DMARC record is gone now, but the aligned signature's body hash fails too: the
    # message alone decides that (RFC 6376 section 3.7), so the message changed.
    gone = replace(dmarc_result("none", p=None), record_domain=None)
    changed = replace(sig("example.com", "s1", 10, result="fail", code="body_hash_mismatch",
                          reason="the body hash does not match"), body_hash_ok=False)
    rec = (_trusted("dkim", "pass", ("header.d", "example.com"), ("header.s", "s1")),
           _trusted("dmarc", "pass", ("header.from", "example.com")))
    comparisons, findings = compare(rec, dkim=(changed,), spf=None, dmarc=gone, arc=None)
    dmarc = next(c for c in comparisons if c.method == "dmarc")
    assert dmarc.label == "modified_after_delivery", dmarc.explanation
    assert not any(f.id == "recorded.dns_drift" for f in findings)


def test_not_recomputed_explanations_do_not_repeat_the_label_or_result_word() -> None:
    unknown = replace(dmarc_result("not_checked"), explanation="not_checked: SPF was not evaluated")
    offline = sig("example.com", "s1", 10, result="not_checked", code="offline", reason="not checked (offline)")
    comparisons, _ = compare(_gmail_recorded(), dkim=(offline,), spf=spf_result("not_checked"), dmarc=unknown,
                             arc=None)
    texts = {c.method: c.explanation for c in comparisons if c.label == "not_recomputed"}
    assert texts["dmarc"] == "SPF was not evaluated."
    assert texts["dkim"] == "Not checked (offline)."
    assert not any(t.lower().startswith(("not recomputed", "not_checked")) for t in texts.values())


def _tokens_char_by_char(text: str) -> list[list[tuple[str, str]]]:
    """The tolerant tokenizer as first written, one character per step: the reference that
    ``recorded._tokens`` (which reads runs of ordinary characters at once) must agree with."""
    from headerscope.auth.recorded import _MAX_TOKENS_PER_FIELD
    from headerscope.text import read_comment

    segments: list[list[tuple[str, str]]] = []
    tokens: list[tuple[str, str]] = []
    word: list[str] = []
    i, n = 0, len(text)

    def flush() -> None:
        if word:
            tokens.append(("word", "".join(word)))
            word.clear()

    count = 0
    while i < n:
        if len(tokens) + count > _MAX_TOKENS_PER_FIELD:
            break
        char = text[i]
        if char == '"':
            j = i + 1
            quoted: list[str] = []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                quoted.append(text[j])
                j += 1
            if word and word[-1] == "=" and not quoted:
                flush()  # an empty quoted value: a token of its own (RFC 8601 section 2.2 pvalue)
                tokens.append(("quoted", ""))
            elif word and word[-1] == "=":
                word.append("".join(quoted))
                flush()
            else:
                flush()
                tokens.append(("quoted", "".join(quoted)))
            i = j + 1
        elif char == "(":
            flush()
            content, end = read_comment(text, i)
            tokens.append(("comment", content.strip()))
            i = end if end >= 0 else n
        elif char == ";":
            flush()
            segments.append(tokens)
            count += len(tokens) + 1
            tokens = []
            i += 1
        elif char in " \t\r\n":
            flush()
            i += 1
        else:
            word.append(char)
            i += 1
    flush()
    segments.append(tokens)
    return [s for s in segments if s]


def test_tokenizer_reading_runs_matches_the_char_by_char_reader() -> None:
    import random

    from headerscope.auth.recorded import _tokens

    fixed = [
        "", ";", "a", "mx.example.org; spf=pass smtp.mailfrom=\"a b\"@x (c (d) e) ;dkim=fail",
        'x="q"y "z" =w ==v a= "b" a=b="c" (unclosed', "\\\"a\" \"\\", "a;" * 5000, "a b " * 5000,
        '";"(;)";', "k= \"v\"", "k=\"\"x", "(x)=y; =z", "\r\n\t a\r\n=b",
    ]
    rng = random.Random(8601)
    alphabet = 'ab=;"( )\\\t\r\n.@x'
    fixed += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(60))) for _ in range(3000)]
    for text in fixed:
        assert _tokens(text) == _tokens_char_by_char(text), text


def test_cfws_shortcut_parses_like_authres() -> None:
    # _PositionalHeader skips authres's CFWS patterns when the next character cannot start
    # CFWS; the parse must stay the library's own, result for result and error for error.
    import random

    from headerscope.auth import _authres

    fixed = [
        "mx.example.org; spf=pass smtp.mailfrom=a@example.com",
        "mx.example.org;spf=pass(x)smtp.mailfrom=a@example.com;dkim=pass header.d=example.com",
        "mx.example.org (c) ; dkim = pass ( a (b) ) header.d = example.com header.b=abc",
        "mx.example.org;\r\n\tdmarc=fail (p=none) header.from=example.com",
        "mx.example.org; none", "mx.example.org 1; arc=pass (i=1)", "mx.example.org; spf=",
        "mx.example.org; spf=pass reason=\"ok\" smtp.helo=h", "mx.example.org; (", "x;;",
    ]
    rng = random.Random(6008)
    pieces = [" ", "\t", "\r\n ", "(", ")", "(c)", ";", "=", "spf", "pass", "dkim", "fail",
              "header.d", "example.com", "reason", '"r"', "/1", "none", "mx.example.org", ".", "@"]
    fixed += ["mx.example.org;" + "".join(rng.choice(pieces) for _ in range(rng.randrange(25)))
              for _ in range(3000)]
    for text in fixed:
        expected = _authres.parse_value_reference(text)
        try:
            got: _authres.AuthresHeader | str = _authres.parse_value(text)
        except _authres.AuthresParseError as error:
            got = str(error)
        assert got == expected, text


def test_trust_context_fields_are_all_carried_by_with_corroboration() -> None:
    # _with_corroboration builds a new _TrustContext field by field instead of with
    # dataclasses.replace: a field added to the class must be added there too.
    from dataclasses import fields

    from headerscope.auth.recorded import _TrustContext

    assert [f.name for f in fields(_TrustContext)] == [
        "hosts", "orgs", "boundary_index", "receiver_block_end", "boundary_number",
        "receiver_names", "trailing_start", "earlier_leg_end", "loop_host", "tenant_handover", "sealed_instances", "corroborating",
        "duplicated", "results_above", "boundary_names", "block_closed", "sealed_here", "stamped", "boundary_host", "block_own", "trace_runs", "cut_in_block",
        "gateway", "arrival_cut", "behind_boundary", "relay_run", "sealed_records"]


def test_recorded_header_from_as_an_address_names_its_domain() -> None:
    # RFC 8601 section 2.3 puts the domain in header.from; Zoho writes the address in angle
    # brackets. The comparison must read it as the same From: domain, not a different one.
    recorded = tuple(replace(r, properties=tuple((k, "<News@Example.com>" if k == "header.from" else v)
                                                 for k, v in r.properties))
                     for r in _gmail_recorded())
    comparisons, _ = compare(recorded, dkim=(), spf=None, dmarc=dmarc_result("pass"), arc=None)
    dmarc = next(c for c in comparisons if c.method == "dmarc")
    assert dmarc.label == "same" and dmarc.subject == "example.com"


def test_microsoft_365_bare_domain_segments() -> None:
    # Exchange Online can add the recipient's domain as a segment of its own after a clause
    # (Microsoft's anti-spoofing documentation shows it): no method there, nothing malformed.
    value = ("spf=pass (sender IP is 209.85.128.41) smtp.mailfrom=gmail.com; contoso.com; dkim=pass "
             "(signature was verified) header.d=gmail.com;contoso.com; dmarc=bestguesspass action=none "
             "header.from=gmail.com;compauth=pass reason=109")
    headers = [(name, value if name == "Authentication-Results" else v) for name, v in
               ((h.name, h.value) for h in M365.headers)]
    recorded, findings = parse_recorded(message(*headers), M365_HOPS, 1)
    ar = [r for r in recorded if r.header == "Authentication-Results"]
    assert [(r.method, r.result) for r in ar] == [
        ("spf", "pass"), ("dkim", "pass"), ("dmarc", "bestguesspass"), ("compauth", "pass")]
    assert ar[1].reason == "signature was verified"
    assert all("no authserv-id" in r.defects[0] for r in ar)
    assert not any("not in RFC 8601's syntax" in d for r in ar for d in r.defects)
    assert findings == ()


def test_provider_quirks_in_authentication_results() -> None:
    # Amazon SES writes Received-SPF's key-value pairs (RFC 7208 section 9.1) as segments of
    # their own after spf=: they are the SPF check's properties, not methods.
    ses = message(
        ("Authentication-Results", "amazonses.com; spf=pass (spfCheck: domain of _spf.google.com designates "
                                   "209.85.160.178 as permitted sender) client-ip=209.85.160.178; "
                                   "envelope-from=carol@gmail.com; helo=mail-qt1-f178.google.com; "
                                   "dkim=pass header.i=@gmail.com; dmarc=pass header.from=gmail.com;"),
        ("Received", "from mail-qt1-f178.google.com by inbound-smtp.us-east-1.amazonaws.com with SMTP id Z; "
                     "Sat, 11 Jan 2025 1:00:00 +0000"),
    )
    hops = (hop(1, 1, "inbound-smtp.us-east-1.amazonaws.com", trusted=True, boundary=True, org="amazonaws.com"),)
    recorded, _ = parse_recorded(ses, hops, 1)
    assert [r.method for r in recorded] == ["spf", "dkim", "dmarc"]
    assert dict(recorded[0].properties) == {"client-ip": "209.85.160.178", "envelope-from": "carol@gmail.com",
                                            "helo": "mail-qt1-f178.google.com"}
    # Exim: an IPv6 address as a property value is not a token, yet nothing is wrong with it.
    exim = message(("Authentication-Results", "mail.nwl.cc; iprev=pass (localhost) smtp.remote-ip=::1"),
                   ("Received", "from localhost ([::1]) by mail.nwl.cc with esmtp (Exim 4.97) id Z; "
                                "Sat, 11 Jan 2025 1:00:00 +0000"))
    recorded, findings = parse_recorded(exim, (hop(1, 1, "mail.nwl.cc", trusted=True, boundary=True, org="nwl.cc"),), 1)
    assert [(r.method, r.result, r.reason, r.properties) for r in recorded] == [
        ("iprev", "pass", "localhost", (("smtp.remote-ip", "::1"),))]
    assert recorded[0].defects == () and findings == ()
    # A property alone between two ";" (SiteGround's filter) is no method; the clauses after it keep
    # their comments, and the skipped segment is said.
    stray = message(("Authentication-Results", "antispam.example; smtp.remote-ip=35.214.173.214; iprev=pass "
                                               "(host.example) smtp.remote-ip=35.214.173.214; auth=pass (LOGIN) "
                                               "smtp.auth=esm19.example"),
                    ("Received", "from a by antispam.example with ESMTPSA id Z; Sat, 11 Jan 2025 1:00:00 +0000"))
    recorded, findings = parse_recorded(stray, (hop(1, 1, "antispam.example", trusted=True, boundary=True,
                                                    org="antispam.example"),), 1)
    assert [(r.method, r.reason) for r in recorded] == [("iprev", "host.example"), ("auth", "LOGIN")]
    assert "smtp.remote-ip=35.214.173.214" in recorded[0].defects[0]
    assert [f.id for f in findings] == ["recorded.malformed"]


def test_ipv6_value_beside_a_quoted_string() -> None:
    # The IPv6 value is quoted for the strict read; a quoted string elsewhere stays as it is.
    msg = message(("Authentication-Results", 'mx.example; iprev=pass policy.iprev=2001:db8::1 (host.example); '
                                             'dkim=pass reason="ok=1:2" header.d=a.example'),
                  ("Received", "from a by mx.example with ESMTPS id Z; Sat, 11 Jan 2025 1:00:00 +0000"))
    recorded, findings = parse_recorded(msg, (hop(1, 1, "mx.example", trusted=True, boundary=True,
                                                  org="mx.example"),), 1)
    assert [(r.method, r.reason, r.properties) for r in recorded] == [
        ("iprev", "host.example", (("policy.iprev", "2001:db8::1"),)),
        ("dkim", "ok=1:2", (("header.d", "a.example"),))]
    assert findings == ()


def _milter_layout(*above: tuple[str, str], results: tuple[str, ...],
                   stamps: tuple[tuple[str, str], ...] = ()) -> tuple[Message, tuple[Hop, ...]]:
    """The receiver's Received, then one A-R per filter (OpenDKIM, OpenDMARC, OpenARC insert
    theirs below the MTA's Received, each in its own field, with their stamps), then the
    previous hop's Received."""
    fields = [
        *above,
        ("Received", "from out.sender.example (out.sender.example [192.0.2.10]) by mx.receiver.example "
                     "with ESMTPS id Q1; Thu, 9 Jan 2025 08:00:00 +0000"),
        *stamps,
        *(("Authentication-Results", f"mx.receiver.example; {result}") for result in results),
        ("Received", "from laptop ([198.51.100.7]) by out.sender.example with ESMTPSA id P1; "
                     "Thu, 9 Jan 2025 07:59:58 +0000"),
        ("From", "a@sender.example"), ("Subject", "x"),
    ]
    boundary_index = len(above)
    return message(*fields), (
        hop(1, boundary_index + len(stamps) + len(results) + 1, "out.sender.example", trusted=False),
        hop(2, boundary_index, "mx.receiver.example", trusted=True, boundary=True, org="receiver.example"))


def test_one_field_per_filter_with_the_receivers_authserv_id_is_the_receivers_layout() -> None:
    # Four fields of one authserv-id, each about another check (or another signature): the
    # standard milter layout, not a forgery. Trusted as the receiver's, like a single field there.
    results = ("arc=none smtp.client-ip=192.0.2.10", "dmarc=pass (p=none dis=none) header.from=sender.example",
               "spf=pass smtp.mailfrom=sender.example",
               "dkim=pass header.d=sender.example header.s=s1 header.b=AAAA",
               "dkim=fail header.d=esp.example header.s=s2 header.b=BBBB")
    msg, hops = _milter_layout(results=results)
    recorded, findings = parse_recorded(msg, hops, 2)
    assert [(r.method, r.result, r.trusted) for r in recorded] == [
        ("arc", "none", True), ("dmarc", "pass", True), ("spf", "pass", True), ("dkim", "pass", True),
        ("dkim", "fail", True)]
    assert findings == ()
    # Two of those fields disagreeing on the same check: one of them is the sender's.
    msg, hops = _milter_layout(results=(*results, "spf=fail smtp.mailfrom=sender.example"))
    recorded, findings = parse_recorded(msg, hops, 2)
    assert not any(r.trusted for r in recorded)
    assert "different result for the same check" in (recorded[0].trust_reason or "")
    assert {(f.id, f.severity) for f in findings} == {("recorded.untrusted_claim", Severity.WARNING)}


def test_the_filters_stamps_beside_their_results_keep_them_the_receivers() -> None:
    # OpenDMARC and OpenDKIM write "DMARC-Filter:"/"DKIM-Filter:" (host and queue id) beside
    # their Authentication-Results, below the MTA's Received: still the receiver's block.
    stamps = (("DKIM-Filter", "OpenDKIM Filter v2.11.0 mx.receiver.example Q1"),
              ("DMARC-Filter", "OpenDMARC Filter v1.4.2 mx.receiver.example Q1"))
    msg, hops = _milter_layout(results=("dmarc=pass (p=none dis=none) header.from=sender.example",
                                        "spf=pass smtp.mailfrom=sender.example"), stamps=stamps)
    recorded, findings = parse_recorded(msg, hops, 2)
    assert [(r.method, r.trusted) for r in recorded] == [("dmarc", True), ("spf", True)]
    assert findings == ()


def test_a_dkim_result_naming_no_signature_is_about_the_only_one() -> None:
    # Zoho writes "dkim=pass;" with no header.d/header.i/header.b (RFC 8601 makes them
    # optional): with one DKIM-Signature in the message, that is the one it is about.
    bare = (_trusted("dkim", "pass"),)
    ours = sig("beauty.example", "zm", 7)
    comparisons, findings = compare(bare, dkim=(ours,), spf=None, dmarc=None, arc=None)
    (dkim,) = [c for c in comparisons if c.method == "dkim"]
    assert (dkim.subject, dkim.recorded, dkim.recomputed, dkim.label) == ("beauty.example/zm", "pass", "pass", "same")
    assert not [f for f in findings if f.id == "recorded.different"]
    # With two signatures it could be either: compared with neither, shown on its own.
    two = (ours, sig("esp.example", "s1", 9))
    comparisons, _ = compare(bare, dkim=two, spf=None, dmarc=None, arc=None)
    assert [c.recorded for c in comparisons if c.method == "dkim" and c.subject != "?/?"] == [None, None]


def test_two_signatures_of_one_domain_named_only_by_header_i_do_not_disagree() -> None:
    # "dkim=pass header.i=@example.org" and "dkim=fail header.i=@example.org" in two fields of
    # one authserv-id: two signatures of one domain, one broken; no sign of a forgery.
    msg, hops = _milter_layout(results=("dkim=pass header.i=@sender.example", "dkim=fail header.i=@sender.example",
                                        "spf=pass smtp.mailfrom=sender.example"))
    recorded, findings = parse_recorded(msg, hops, 2)
    assert all(r.trusted for r in recorded)
    assert not [f for f in findings if f.id == "recorded.untrusted_claim"]


def test_a_quoted_property_value_is_kept() -> None:
    # RFC 8601 section 2.2: a pvalue may be a quoted string (RFC 2045 value); authres drops
    # header.i="user@example.com", the tolerant read keeps it.
    msg, hops = _below_boundary_message()
    fields = [(h.name, h.value) for h in msg.headers]
    fields[1] = ("Authentication-Results",
                 'mx.receiver.example; dkim=pass header.i="user@sender.example" header.d=sender.example header.b=abcdef')
    recorded, _ = parse_recorded(message(*fields), hops, 1)
    assert dict(recorded[0].properties) == {"header.i": "user@sender.example", "header.d": "sender.example",
                                            "header.b": "abcdef"}


def test_yahoos_results_before_rfc_5451_give_the_from_domain_to_each_result() -> None:
    # Yahoo's 2010 syntax (a real line from a feedback-loop copy): "from=DOMAIN;" before each.
    msg = message(
        ("Authentication-Results", "mta1253.mail.ac4.yahoo.com  from=ourdomain.com; domainkeys=neutral (no sig);  "
                                   "from=ourdomain.com; dkim=pass (ok)"),  # 0
        ("Received", "from a.example (a.example [192.0.2.1]) by mta1253.mail.ac4.yahoo.com with SMTP; "
                     "Mon, 2 Nov 2026 10:00:00 +0000"),  # 1
        ("From", "x@ourdomain.com"),  # 2
    )
    hops = (hop(1, 1, "mta1253.mail.ac4.yahoo.com", trusted=True, boundary=True, org="yahoo.com"),)
    recorded, _ = parse_recorded(msg, hops, 1)
    assert [(r.method, r.result, dict(r.properties).get("header.from")) for r in recorded] == [
        ("domainkeys", "neutral", "ourdomain.com"), ("dkim", "pass", "ourdomain.com")]


def test_yahoos_received_spf_has_no_authserv_id_and_is_still_the_receivers() -> None:
    # Yahoo (real layout): its Received-SPF names no writer (RFC 7208 section 9.1 has no
    # authserv-id), beside its named Authentication-Results, above its Received.
    msg = message(
        ("Received", "from 127.0.0.1 by atlas-production.v2-mail-prod1-gq1.omega.yahoo.com with HTTP; "
                     "Sat, 9 Jul 2022 10:35:03 +0000"),  # 0
        ("Received-SPF", "pass (domain of mms.att.net designates 166.216.149.4 as permitted sender)"),  # 1
        ("Authentication-Results", "atlas-production.v2-mail-prod1-gq1.omega.yahoo.com; dkim=pass "
                                   "header.i=@mms.att.net header.s=EMG20171113; spf=pass smtp.mailfrom=mms.att.net"),  # 2
        ("Received", "from 166.216.149.4 (EHLO alpemg-mtmta01.wnsnet.attws.com) by 10.253.231.24 with SMTPs; "
                     "Sat, 9 Jul 2022 10:35:03 +0000"),  # 3
        ("From", "6462563609@mms.att.net"),  # 4
    )
    hops = (hop(1, 3, "10.253.231.24", trusted=True, boundary=True, org="yahoo.com"),
            hop(2, 0, "atlas-production.v2-mail-prod1-gq1.omega.yahoo.com", trusted=True, org="yahoo.com"))
    recorded, findings = parse_recorded(msg, hops, 1)
    assert all(r.trusted for r in recorded)
    assert not [f for f in findings if f.id == "recorded.untrusted_claim"]


def test_results_a_sender_adds_under_gmails_name_below_its_received() -> None:
    # Gmail's layout (real), with a sender's additions after Gmail's own fields: an ARC set
    # part Gmail never sealed, and a Received-SPF and A-R that contradict Gmail's.
    msg = message(
        ("ARC-Seal", "i=1; a=rsa-sha256; d=google.com; s=arc-20160816; cv=none; b=x"),  # 0
        ("ARC-Authentication-Results", "i=1; mx.google.com; spf=fail smtp.mailfrom=paypal.example; "
                                       "dmarc=fail (p=REJECT) header.from=paypal.example"),  # 1
        ("Received", "from mail.evil.example (mail.evil.example. [203.0.113.9]) by mx.google.com with ESMTPS "
                     "id abc; Mon, 2 Nov 2026 10:00:02 -0800 (PST)"),  # 2
        ("Received-SPF", "fail (google.com: domain of a@paypal.example does not designate 203.0.113.9 as "
                         "permitted sender) client-ip=203.0.113.9;"),  # 3
        ("Authentication-Results", "mx.google.com; spf=fail smtp.mailfrom=a@paypal.example; "
                                   "dmarc=fail (p=REJECT) header.from=paypal.example"),  # 4
        ("ARC-Authentication-Results", "i=2; mx.google.com; dkim=pass header.d=paypal.example; "
                                       "dmarc=pass header.from=paypal.example"),  # 5
        ("Received-SPF", "pass (google.com: domain of a@paypal.example designates 203.0.113.9 as permitted "
                         "sender) client-ip=203.0.113.9;"),  # 6
        ("Received", "from [10.0.0.5] by mail.evil.example; Mon, 2 Nov 2026 18:00:01 +0000"),  # 7
        ("From", "PayPal <service@paypal.example>"),  # 8
    )
    hops = (hop(1, 7, "mail.evil.example", trusted=False),
            hop(2, 2, "mx.google.com", trusted=True, boundary=True, org="google.com"))
    recorded, findings = parse_recorded(msg, hops, 2)
    by_header = {r.header_index: r.trusted for r in recorded}
    # The unsealed ARC part is not Gmail's; the contradicting Received-SPF makes neither
    # Received-SPF nor A-R below the Received relied on; Gmail's sealed set above stays.
    assert by_header[5] is False and by_header[6] is False and by_header[3] is False
    assert by_header[1] is True
    assert [f for f in findings if f.id == "recorded.untrusted_claim"]
    # The unsealed ARC part alone, agreeing with nothing and contradicting nothing: still not Gmail's.
    alone = message(*[(h.name, h.value) for h in msg.headers if h.index not in (3, 4, 6)])
    hops = (hop(1, 4, "mail.evil.example", trusted=False),
            hop(2, 2, "mx.google.com", trusted=True, boundary=True, org="google.com"))
    recorded, _ = parse_recorded(alone, hops, 2)
    [unsealed] = {r.header_index: r for r in recorded if r.header_index == 3}.values()
    assert not unsealed.trusted and "sealed no ARC set of that instance" in (unsealed.trust_reason or "")


def test_a_result_from_an_earlier_leg_inside_one_organisation_is_no_forgery() -> None:
    # A Yandex webmail message forwarded by Yandex to a Yandex mailbox (real lines): the A-R of
    # the first leg sits below the final Received, but every hop is Yandex's.
    msg = message(
        ("Received", "from mxback24o.mail.yandex.net (mxback24o.mail.yandex.net [IPv6:2a02:6b8:0:1a2d::75]) by "
                     "forward105o.mail.yandex.net (Yandex) with ESMTP id 96EB642007F5; Sun, 26 Apr 2020 20:07:36 +0300"),  # 0
        ("Received", "from localhost (localhost [::1]) by mxback24o.mail.yandex.net (mxback/Yandex) with ESMTP id "
                     "x; Sun, 26 Apr 2020 20:07:35 +0300"),  # 1
        ("Authentication-Results", "mxback24o.mail.yandex.net; dkim=pass header.i=@yandex.ru"),  # 2
        ("Received", "by sas1-55829ddbd171.qloud-c.yandex.net with HTTP; Sun, 26 Apr 2020 20:07:35 +0300"),  # 3
        ("From", "someone@yandex.ru"),  # 4
    )
    hops = (hop(1, 3, "sas1-55829ddbd171.qloud-c.yandex.net", trusted=False, org="yandex.net"),
            hop(2, 1, "mxback24o.mail.yandex.net", trusted=False, org="yandex.net"),
            hop(3, 0, "forward105o.mail.yandex.net", trusted=True, boundary=True, org="yandex.net"))
    recorded, findings = parse_recorded(msg, hops, 3)
    assert [r.trusted for r in recorded] == [False]
    assert "earlier leg" in (recorded[0].trust_reason or "")
    assert [(f.id, f.severity) for f in findings] == [("recorded.untrusted_claim", Severity.INFO)]
    # With an outside hop in the journey, the same field is the possible forgery it was.
    outside = (hop(1, 3, "sas1.sender.example", trusted=False, org="sender.example"), *hops[1:])
    _, findings = parse_recorded(msg, outside, 3)
    assert [(f.id, f.severity) for f in findings] == [("recorded.untrusted_claim", Severity.WARNING)]


def test_a_receivers_stamps_between_its_results_do_not_make_them_forgeries() -> None:
    # iCloud (real lines): Apple's stamps interleave its results below its MX's Received; the
    # sender's DKIM-Signature follows. Not closed by the sender's Received, so not relied on,
    # but no "possibly forged" warning either.
    msg = message(
        ("Received", "from sender4-of-o50.zoho.com (sender4-of-o50.zoho.com [136.143.188.50]) by "
                     "ci74p00im-qukt09072702.me.com (Postfix) with ESMTPS id 11C766C0012C; "
                     "Tue, 2 Jan 2024 18:52:55 +0000 (UTC)"),  # 0
        ("X-ICL-SCORE", "3.332033030043"),  # 1
        ("Authentication-Results", "arc.icloud.com; arc=pass"),  # 2
        ("X-DMARC-Info", "pass=none; dmarc-policy=none; s=r1; d=r1; pdomain=lifeape.com"),  # 3
        ("Authentication-Results", "dkim-verifier.icloud.com; dkim=pass (1024-bit key) header.d=lifeape.com "
                                   "header.i=sales@lifeape.com header.b=I77INjus"),  # 4
        ("DKIM-Signature", "v=1; a=rsa-sha256; d=lifeape.com; s=zmail; b=I77INjus"),  # 5
        ("Received", "by mx.zohomail.com with SMTPS id 1704; Tue, 2 Jan 2024 10:52:54 -0800 (PST)"),  # 6
        ("From", "sales@lifeape.com"),  # 7
    )
    hops = (hop(1, 6, "mx.zohomail.com", trusted=False, org="zoho.com"),
            hop(2, 0, "ci74p00im-qukt09072702.me.com", trusted=True, boundary=True, org="icloud.com"))
    recorded, findings = parse_recorded(msg, hops, 2)
    assert [r.trusted for r in recorded] == [False, False]
    assert all("directly below the boundary Received" in (r.trust_reason or "") for r in recorded)
    assert {(f.id, f.severity) for f in findings} == {("recorded.untrusted_claim", Severity.INFO)}


def test_the_spf_record_about_the_identity_evaluated_is_the_one_compared() -> None:
    # A forward inside the receiving side (Gmail Workspace to Gmail, real identities): the final
    # leg's result is about the forwarder's envelope, the first leg's about the sender's.
    final_leg = replace(_trusted("spf", "pass", ("smtp.mailfrom", "palmer+caf_=palmer=dabbelt.com@sifive.com"),
                                 ("smtp.client-ip", "209.85.220.41")), header_index=9)
    first_leg = replace(_trusted("spf", "fail", ("smtp.mailfrom", "law@example.com"),
                                 ("smtp.client-ip", "192.0.2.10"), header="ARC-Authentication-Results"),
                        header_index=24)
    comparisons, _ = compare((final_leg, first_leg), dkim=(), spf=spf_result("fail"), dmarc=None, arc=None)
    [spf] = [c for c in comparisons if c.method == "spf"]
    assert (spf.recorded, spf.label) == ("fail", "same")
    # With only the other leg's record, it is named but not comparable.
    comparisons, _ = compare((final_leg,), dkim=(), spf=spf_result("fail"), dmarc=None, arc=None)
    [spf] = [c for c in comparisons if c.method == "spf"]
    assert spf.label == "not_recomputed" and "inputs differ" in spf.explanation


def test_results_a_list_or_gateway_kept_under_another_name_are_shown_not_relied_on() -> None:
    # Real fields: Google Groups' X-Original-Authentication-Results (a group's message delivered
    # on), Mailman 3's X-Mailman-Original-Authentication-Results (one field per method) and the
    # Authentication-Results-Original Exchange Online keeps of a filtering gateway's.
    msg = message(
        ("Authentication-Results", "mx.example.net; dkim=fail header.d=nxp.com; spf=pass "
                                   "smtp.mailfrom=googlegroups.com; dmarc=fail header.from=nxp.com"),  # 0
        ("Received", "from mail-pl1-f187.google.com (mail-pl1-f187.google.com [209.85.214.187]) by mx.example.net "
                     "with ESMTPS id Q1; Thu, 9 Jan 2025 08:00:00 +0000"),  # 1
        ("X-Original-Authentication-Results", "gmr-mx.google.com;       dkim=pass\r\n header.i=@nxp.com "
                                              "header.s=selector2 header.b=czfpU6M1;       arc=pass (i=1\r\n spf=pass "
                                              "spfdomain=nxp.com dkim=pass dkdomain=nxp.com dmarc=pass\r\n "
                                              "fromdomain=nxp.com);       spf=pass (google.com: domain of "
                                              "peng.fan@nxp.com designates 40.107.1.1 as permitted sender) "
                                              "smtp.mailfrom=peng.fan@nxp.com"),  # 2
        ("X-Mailman-Original-Authentication-Results", "smtp1.osuosl.org;\r\n dmarc=pass (p=none dis=none)\r\n "
                                                      "header.from=intel.com"),  # 3
        ("Authentication-Results-Original", "eu1-mdac18-23.fra.mdlocal; spf=pass\r\n smtp.mailfrom=; dmarc=fail "
                                            "header.from=hmail.jitbit.com header.policy=none;"),  # 4
        ("From", "peng.fan@nxp.com"),  # 5
        ("Mailing-list", "list linux-imx@googlegroups.com; contact linux-imx+owners@googlegroups.com"),  # 6
    )
    hops = (hop(1, 1, "mx.example.net", trusted=True, boundary=True, org="example.net"),)
    recorded, findings = parse_recorded(msg, hops, 1)
    # Without a group's marker the keeper is Google (a forwarding or routing rule, or a group).
    no_group = message(*[(h.name, h.value) for h in msg.headers if h.name != "Mailing-list"])
    _, no_group_findings = parse_recorded(no_group, hops, 1)
    assert "kept by Google)" in no_group_findings[0].explanation
    assert "Google Groups" not in no_group_findings[0].explanation
    kept = [(r.header, r.authserv_id, r.method, r.result, r.trusted) for r in recorded if r.header_index != 0]
    assert kept == [
        ("X-Original-Authentication-Results", "gmr-mx.google.com", "dkim", "pass", False),
        ("X-Original-Authentication-Results", "gmr-mx.google.com", "arc", "pass", False),
        ("X-Original-Authentication-Results", "gmr-mx.google.com", "spf", "pass", False),
        ("X-Mailman-Original-Authentication-Results", "smtp1.osuosl.org", "dmarc", "pass", False),
        ("Authentication-Results-Original", "eu1-mdac18-23.fra.mdlocal", "spf", "pass", False),
        ("Authentication-Results-Original", "eu1-mdac18-23.fra.mdlocal", "dmarc", "fail", False)]
    assert "Google Groups keeps" in (recorded[3].trust_reason or "")
    # One informational finding tells them; no "claim" warnings for what a list kept openly.
    [finding] = findings
    assert (finding.id, finding.severity) == ("recorded.preserved", Severity.INFO)
    assert finding.title == ("Results recorded before Google Groups and Mailman and Exchange Online passed the "
                             "message on")
    assert finding.explanation.startswith("Header 3 (X-Original-Authentication-Results, kept by Google Groups): "
                                          "gmr-mx.google.com recorded dkim=pass, arc=pass, spf=pass")
    # The comparison uses the receiver's own results, not the kept ones.
    dkim = (sig("nxp.com", "selector2", 5, result="fail", code="body_hash_mismatch"),)
    comparisons, _ = compare(recorded, dkim=dkim, spf=None, dmarc=None, arc=None)
    [comparison] = [c for c in comparisons if c.method == "dkim"]
    assert comparison.recorded == "fail"


def test_the_receivers_own_arc_set_below_its_received_is_its_own() -> None:
    # OpenARC under Postfix at smtp.subspace.kernel.org (real layout): the milters' fields, the
    # receiver's own ARC set of instance 1 among them, sit below the MTA's Received.
    msg = message(
        ("Received", "from mail114-240.sinamail.sina.com.cn (mail114-240.sinamail.sina.com.cn [218.30.114.240]) "
                     "by smtp.subspace.kernel.org (Postfix) with ESMTPS id 4E9151EB44; Wed, 20 Mar 2024 07:17:30 "
                     "+0000 (UTC)"),  # 0
        ("Authentication-Results", "smtp.subspace.kernel.org; arc=none smtp.client-ip=218.30.114.240"),  # 1
        ("ARC-Seal", "i=1; a=rsa-sha256; d=subspace.kernel.org;\r\n\ts=arc-20240116; t=1710919050; cv=none; b=abc"),  # 2
        ("ARC-Message-Signature", "i=1; a=rsa-sha256; d=subspace.kernel.org;\r\n\ts=arc-20240116; h=from; "
                                  "bh=x; b=y"),  # 3
        ("ARC-Authentication-Results", "i=1; smtp.subspace.kernel.org; dmarc=none (p=none dis=none) "
                                       "header.from=sina.com; spf=pass smtp.mailfrom=sina.com; arc=none "
                                       "smtp.client-ip=218.30.114.240"),  # 4
        ("Authentication-Results", "smtp.subspace.kernel.org; dmarc=none (p=none dis=none) header.from=sina.com"),  # 5
        ("Authentication-Results", "smtp.subspace.kernel.org; spf=pass smtp.mailfrom=sina.com"),  # 6
        ("Received", "from jjb8256@sina.com([218.4.204.164]) by m1.mail.sina.com.cn via HTTP; "
                     "Wed, 20 Mar 2024 15:17:25 +0800 (CST)"),  # 7
        ("From", "jjb8256@sina.com"),  # 8
    )
    hops = (hop(1, 7, "m1.mail.sina.com.cn", trusted=False, org="sina.com.cn"),
            hop(2, 0, "smtp.subspace.kernel.org", trusted=True, boundary=True, org="kernel.org"))
    recorded, findings = parse_recorded(msg, hops, 2)
    assert all(r.trusted for r in recorded), [(r.header_index, r.trust_reason) for r in recorded if not r.trusted]
    assert not [f for f in findings if f.id == "recorded.untrusted_claim"]


def test_results_under_another_name_at_the_receiving_hop_are_said_as_such() -> None:
    # Amazon SES inbound (real layout): its Received-SPF and its "amazonses.com" results directly
    # below its Received on an amazonaws.com host. Not relied on, but not "written before".
    msg = message(
        ("Received", "from mail-lf1-f48.google.com (mail-lf1-f48.google.com [209.85.167.48]) by "
                     "inbound-smtp.us-east-1.amazonaws.com with SMTP id mki29j; Mon, 2 Nov 2026 10:00:05 +0000"),  # 0
        ("X-SES-Spam-Verdict", "PASS"),  # 1
        ("Received-SPF", "pass (spfCheck: domain of bci.cl designates 209.85.167.48 as permitted sender) "
                         "client-ip=209.85.167.48; envelope-from=alertas@bci.cl; helo=mail-lf1-f48.google.com;"),  # 2
        ("Authentication-Results", "amazonses.com; spf=pass (spfCheck: domain of bci.cl designates 209.85.167.48 "
                                   "as permitted sender) client-ip=209.85.167.48; envelope-from=alertas@bci.cl; "
                                   "helo=mail-lf1-f48.google.com; dkim=pass header.i=@bci.cl; dmarc=pass "
                                   "header.from=bci.cl;"),  # 3
        ("Received", "by 2002:a05:6520:1:b0:1 with SMTP id x; Mon, 2 Nov 2026 10:00:03 -0800"),  # 4
        ("From", "alertas@bci.cl"),  # 5
    )
    hops = (hop(1, 4, "2002:a05:6520:1:b0:1", trusted=False),
            hop(2, 0, "inbound-smtp.us-east-1.amazonaws.com", trusted=True, boundary=True, org="amazonaws.com"))
    recorded, findings = parse_recorded(msg, hops, 2)
    by_header = {r.header: r for r in recorded}
    assert not by_header["Authentication-Results"].trusted
    assert "directly below the boundary Received" in (by_header["Authentication-Results"].trust_reason or "")
    assert "perhaps the receiver's own under another name" in (by_header["Authentication-Results"].trust_reason or "")
    assert "directly below the boundary Received" in (by_header["Received-SPF"].trust_reason or "")
    assert all("written before" not in f.explanation for f in findings)


# Exchange Online behind Mimecast (real lines, 2022, from a public test fixture; its ARC seals and
# signatures left out): the tenant's MX is Mimecast; Exchange Online records DMARC fail for the
# gateway's hop, and compauth softpass.
M365_BEHIND_MIMECAST = (
    b'Received: from SYBPR01MB5902.ausprd01.prod.outlook.com (2603:10c6:10:9a::12)\r\n'
    b' by ME2PR01MB4035.ausprd01.prod.outlook.com with HTTPS; Mon, 11 Apr 2022\r\n'
    b' 22:36:09 +0000\r\n'
    b'ARC-Authentication-Results: i=3; mx.microsoft.com 1; spf=softfail (sender ip\r\n'
    b' is 124.47.150.22) smtp.rcpttodomain=caulfieldgs.vic.edu.au\r\n'
    b' smtp.mailfrom=mail1.wpengine.com; dmarc=fail (p=none sp=none pct=100)\r\n'
    b' action=none header.from=clifestaging.wpengine.com; dkim=fail (body hash did\r\n'
    b' not verify) header.d=mail1.wpengine.com; arc=pass (0 oda=0 ltdi=0 93)\r\n'
    b'Received: from ME3PR01CA0049.ausprd01.prod.outlook.com (2603:10c6:220:f7::22)\r\n'
    b' by SYBPR01MB5902.ausprd01.prod.outlook.com (2603:10c6:10:9a::12) with\r\n'
    b' Microsoft SMTP Server (version=TLS1_2,\r\n'
    b' cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.5144.29; Mon, 11 Apr\r\n'
    b' 2022 22:36:03 +0000\r\n'
    b'Received: from ME3AUS01FT014.eop-AUS01.prod.protection.outlook.com\r\n'
    b' (2603:10c6:220:f7:cafe::69) by ME3PR01CA0049.outlook.office365.com\r\n'
    b' (2603:10c6:220:f7::22) with Microsoft SMTP Server (version=TLS1_2,\r\n'
    b' cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.5144.29 via Frontend\r\n'
    b' Transport; Mon, 11 Apr 2022 22:36:03 +0000\r\n'
    b'Authentication-Results: spf=softfail (sender IP is 124.47.150.22)\r\n'
    b' smtp.mailfrom=mail1.wpengine.com; dkim=fail (body hash did not verify)\r\n'
    b' header.d=mail1.wpengine.com;dmarc=fail action=none\r\n'
    b' header.from=clifestaging.wpengine.com;compauth=softpass reason=201\r\n'
    b'Received-SPF: SoftFail (protection.outlook.com: domain of transitioning\r\n'
    b' mail1.wpengine.com discourages use of 124.47.150.22 as permitted sender)\r\n'
    b'Received: from au-smtp-1.mimecast.com (124.47.150.22) by\r\n'
    b' ME3AUS01FT014.mail.protection.outlook.com (10.114.155.155) with Microsoft\r\n'
    b' SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n'
    b' 15.20.5144.20 via Frontend Transport; Mon, 11 Apr 2022 22:36:03 +0000\r\n'
    b'ARC-Authentication-Results: i=2;\r\n'
    b'\trelay.mimecast.com;\r\n'
    b'\tdkim=pass header.d=mail1.wpengine.com header.s=mx header.b=rIcpDEZQ;\r\n'
    b'\tarc=pass ("mailchannels.net:s=arc-2022:i=1");\r\n'
    b'\tdmarc=pass (policy=none) header.from=wpengine.com;\r\n'
    b'\tspf=pass (relay.mimecast.com: domain of "wordpress=clifestaging.wpengine.com@mail1.wpengine.com" designates 23.83.212.6 as permitted sender) smtp.mailfrom="wordpress=clifestaging.wpengine.com@mail1.wpengine.com"\r\n'
    b'Received: from aye.elm.relay.mailchannels.net\r\n'
    b' (aye.elm.relay.mailchannels.net [23.83.212.6]) by relay.mimecast.com with\r\n'
    b' ESMTP with STARTTLS (version=TLSv1.2,\r\n'
    b' cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n'
    b' au-mta-96-TlAA1AJ3PIeVE3gTzAgvEA-1; Tue, 12 Apr 2022 08:35:59 +1000\r\n'
    b'To: brendan.woods@x-team.com, uat_wpclifeadmin@caulfieldgs.vic.edu.au, MarcusMonaghan@caulfieldgs.vic.edu.au, edmund.chan@xwp.co\r\n'
    b'Date: Mon, 11 Apr 2022 22:35:48 +0000\r\n'
    b'From: WordPress <wordpress@clifestaging.wpengine.com>\r\n'
    b'Return-Path: wordpress=clifestaging.wpengine.com@mail1.wpengine.com\r\n'
    b'X-MS-Exchange-Organization-SCL: -1\r\n'
    b'X-Forefront-Antispam-Report: CIP:124.47.150.22;CTRY:AU;LANG:en;SCL:-1;SRV:;IPV:CAL;SFV:NSPM;H:au-smtp-1.mimecast.com;PTR:au-smtp-1.mimecast.com;CAT:NONE;SFS:;DIR:INB\r\n'
    b"\r\n"
)


def test_exchange_online_behind_the_recipients_gateway() -> None:
    # Exchange Online checked the gateway's hop (SPF softfail for Mimecast's address, a body
    # that Mimecast changed): its dmarc=fail beside compauth=softpass is no "not authenticated".
    import headerscope

    report = headerscope.analyze(M365_BEHIND_MIMECAST, offline=True)
    [fail] = [f for f in report.findings if f.id == "recorded.dmarc_fail"]
    assert fail.severity == Severity.NOTICE and "compauth=softpass reason=201" in fail.explanation
    assert "composite authentication passed the message" in report.verdict.summary
    # Exchange Online's ARC-Authentication-Results names it mx.microsoft.com: its own.
    microsoft = [r for r in report.recorded if r.authserv_id == "mx.microsoft.com"]
    assert microsoft and all(r.trusted for r in microsoft)
    assert "recorded.untrusted_claim" not in {f.id for f in report.findings if "microsoft" in f.explanation}
    # The only SCL is Exchange's; with DNS the MX of a domain the message is addressed to is
    # Mimecast and the client's PTR is Mimecast's: the boundary is where Mimecast took it.
    from headerscope.hops import build_chain
    from headerscope.message import parse_message

    message = parse_message(M365_BEHIND_MIMECAST)
    now = datetime(2022, 4, 12, tzinfo=timezone.utc)
    mx = {"caulfieldgs.vic.edu.au": ("10 au-smtp-inbound-1.mimecast.com.",)}
    chain = build_chain(message, None, now, mail_exchangers=mx.get,
                        reverse_names=lambda ip: (("au-smtp-1.mimecast.com",), True))
    assert chain.hops[chain.boundary_hop - 1].fields.from_ip == "23.83.212.6"
    assert [f.id for f in chain.findings if f.id == "hops.inbound_gateway"] == ["hops.inbound_gateway"]
    # Exchange Online records no reverse DNS: the HELO alone, without a PTR to confirm it, moves nothing.
    for reverse in (None, lambda ip: (("host.attacker.example",), True)):
        unconfirmed = build_chain(message, None, now, mail_exchangers=mx.get, reverse_names=reverse)
        assert unconfirmed.hops[unconfirmed.boundary_hop - 1].fields.from_ip == "124.47.150.22"


def test_a_forwarders_several_result_fields_are_one_finding() -> None:
    # Cloudflare Email Routing writes one Authentication-Results per check (real layout): one
    # finding says they are shown, not relied on, instead of three.
    import headerscope

    raw = (b"Authentication-Results: mx.google.com; spf=pass smtp.mailfrom=example.org\r\n"
           b"Received: from a.mx.cloudflare.net (a.mx.cloudflare.net [198.51.100.7]) by mx.google.com with ESMTPS id q; "
           b"Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           b"Authentication-Results: mx.cloudflare.net; dkim=pass header.d=github.com\r\n"
           b"Authentication-Results: mx.cloudflare.net; spf=pass smtp.mailfrom=github.com\r\n"
           b"Authentication-Results: mx.cloudflare.net; dmarc=pass header.from=github.com\r\n"
           b"Received: from out-1.smtp.github.com (out-1.smtp.github.com [192.0.2.30]) by mx.cloudflare.net with ESMTPS "
           b"id 1; Mon, 2 Nov 2026 10:00:03 +0000\r\n"
           b"From: noreply@github.com\r\nTo: a@example.org\r\nSubject: s\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nx\r\n")
    claims = [f for f in headerscope.analyze(raw, offline=True).findings if f.id == "recorded.untrusted_claim"]
    assert len(claims) == 1
    assert claims[0].title == ("3 Authentication-Results fields by mx.cloudflare.net claim dkim=pass, spf=pass, dmarc=pass "
                               "(not the receiver)")
    assert claims[0].explanation.startswith("Headers 3, 4, 5 say dkim=pass, spf=pass, dmarc=pass.")


def test_what_the_receiver_did_with_a_dmarc_failure_is_told() -> None:
    # Exchange Online's action= and Google's dis= say what the receiver did: a ticket's question
    # (was it rejected, junked, delivered?). Its local policy may differ from the domain's.
    def action_of(rec: RecordedResult) -> list[str]:
        _, findings = compare((rec,), dkim=(), spf=None, dmarc=dmarc_result("fail", p="reject"), arc=None)
        return [f.title for f in findings if f.id == "recorded.dmarc_action"]

    microsoft = _trusted("dmarc", "fail", ("header.from", "example.com"), ("action", "oreject"))
    assert action_of(microsoft) == ["The receiving side (mx.receiver.example) did not reject it: it treated it as "
                                    "spam instead (action=oreject, 'override reject')"]
    sampled = _trusted("dmarc", "fail", ("header.from", "example.com"), ("action", "pct.reject"))
    assert "pct= sampling left this message out" in action_of(sampled)[0]
    google = _trusted("dmarc", "fail", ("header.from", "example.com"), reason="p=REJECT sp=REJECT dis=QUARANTINE")
    assert action_of(google) == ["The receiving side (mx.receiver.example) applied quarantine (dis=QUARANTINE)"]
    # Gmail's dis=REJECT on a copy that is here to read: the rejection was not carried out for it.
    rejected = _trusted("dmarc", "fail", ("header.from", "example.com"), reason="p=REJECT sp=REJECT dis=REJECT")
    assert action_of(rejected) == ["The receiving side (mx.receiver.example) recorded the disposition reject "
                                   "(dis=REJECT), yet kept this copy"]
    local = _trusted("dmarc", "fail", ("header.from", "example.com"), reason="p=REJECT sp=REJECT dis=NONE")
    assert "did not apply the domain's reject policy (dis=NONE)" in action_of(local)[0]
    # An ARC override is told with the verdict; nothing recorded, or a pass: no such finding.
    overridden = _trusted("dmarc", "fail", ("header.from", "example.com"), reason="p=REJECT dis=NONE arc=pass")
    assert action_of(overridden) == []
    assert action_of(_trusted("dmarc", "fail", ("header.from", "example.com"))) == []
    _, findings = compare((_trusted("dmarc", "pass", ("header.from", "example.com"), ("action", "none")),), dkim=(),
                          spf=None, dmarc=dmarc_result("pass"), arc=None)
    assert not [f for f in findings if f.id == "recorded.dmarc_action"]


def test_a_receiver_that_applied_sp_to_a_subdomain_did_not_override_the_policy() -> None:
    # bank.example publishes p=reject; sp=none; np=reject and login-verify.bank.example does not
    # exist: RFC 9989 gives it np=reject, but a receiver that follows RFC 7489 alone applies sp=none
    # (section 6.3), as Gmail's "p=REJECT sp=NONE dis=NONE" says. No local override.
    record = DmarcRecord(raw="v=DMARC1; p=reject; sp=none; np=reject",
                         tags=(("v", "DMARC1"), ("p", "reject"), ("sp", "none"), ("np", "reject")),
                         p="reject", sp="none", np="reject", pct=100, adkim="r", aspf="r", fo=None, rua=(), ruf=(),
                         t=None, psd=None)
    ours = replace(dmarc_result("fail"), from_domain="login-verify.bank.example", org_domain="bank.example",
                   record_domain="bank.example", record=record, policy="reject", disposition="reject",
                   policy_reason="np=reject: login-verify.bank.example does not exist (NXDOMAIN), and the record "
                                 "at bank.example sets a policy for non-existent subdomains (RFC 9989 section 3.2.13)")
    rec = _trusted("dmarc", "fail", ("header.from", "login-verify.bank.example"),
                   reason="p=REJECT sp=NONE dis=NONE")
    _, findings = compare((rec,), dkim=(), spf=None, dmarc=ours, arc=None)
    [action] = [f for f in findings if f.id == "recorded.dmarc_action"]
    assert action.title == ("The receiving side (mx.receiver.example) applied the domain's subdomain policy sp=none "
                            "(dis=NONE) to login-verify.bank.example")
    assert "local policy" not in action.explanation
    assert "did not apply np=reject for a non-existent subdomain, which RFC 9989 defines" in action.explanation
    # The same subdomain policy, from sp= (no np=): said without the np= words.
    plain = replace(ours, record=replace(record, np=None), policy="none", disposition="none",
                    policy_reason="sp=none: login-verify.bank.example is a subdomain of bank.example")
    _, findings = compare((rec,), dkim=(), spf=None, dmarc=plain, arc=None)
    [action] = [f for f in findings if f.id == "recorded.dmarc_action"]
    assert "applied the domain's subdomain policy sp=none" in action.title and "RFC 9989" not in action.explanation
    # dis=NONE for the record's own domain under p=reject is still the receiver's local policy.
    own = replace(ours, from_domain="bank.example", policy_reason="p=reject: the record is the From: domain's own")
    _, findings = compare((replace(rec, properties=(("header.from", "bank.example"),)),), dkim=(), spf=None,
                          dmarc=own, arc=None)
    [action] = [f for f in findings if f.id == "recorded.dmarc_action"]
    assert "its own local policy let the message through" in action.title


def test_a_dmarc_result_recorded_for_another_from_domain_is_no_credit_to_the_shown_one() -> None:
    # RFC 7489 section 6.6.1: header.from names the From: domain the receiver judged. A recorded
    # pass for hotmail.com on a message whose From: now says paypal.com is not PayPal's pass: the
    # From: was changed after delivery (or the receiver read another). Offline or online alike.
    from headerscope.verdict import decide

    rec = (_trusted("dmarc", "pass", ("header.from", "hotmail.com")),)
    for ours in (dmarc_result("not_checked"), dmarc_result("fail")):
        ours = replace(ours, from_domain="paypal.com")
        comparisons, findings = compare(rec, dkim=(), spf=None, dmarc=ours, arc=None)
        [dmarc] = [c for c in comparisons if c.method == "dmarc"]
        assert dmarc.label == "from_changed", dmarc
        assert "recorded dmarc=pass for hotmail.com, but From: shows paypal.com now" in dmarc.explanation
        [finding] = [f for f in findings if f.id == "recorded.from_changed"]
        assert finding.severity.value == "warning"
        verdict = decide(from_domains=("paypal.com",), dkim=(), spf=None, dmarc=ours, arc=None,
                         comparison=comparisons, findings=findings, checked=ours.result != "not_checked")
        assert "recorded DMARC pass at delivery." not in verdict.summary
        if ours.result == "not_checked":
            assert verdict.summary.endswith("recorded DMARC pass at delivery, but for another From: domain than the "
                                            "one shown now (paypal.com).")
    # The same domain (any case): the usual comparison.
    same = (_trusted("dmarc", "pass", ("header.from", "PayPal.com")),)
    comparisons, _ = compare(same, dkim=(), spf=None, dmarc=replace(dmarc_result("not_checked"),
                                                                    from_domain="paypal.com"), arc=None)
    assert [c.label for c in comparisons if c.method == "dmarc"] == ["not_recomputed"]
    # The organisational domain whose policy applied (Gmail writes it for a From: in a
    # subdomain): the same From:, not a changed one.
    org = (_trusted("dmarc", "pass", ("header.from", "schoolstore.example")),)
    comparisons, findings = compare(org, dkim=(), spf=None, dmarc=replace(
        dmarc_result("not_checked"), from_domain="emails.schoolstore.example"), arc=None)
    assert [c.label for c in comparisons if c.method == "dmarc"] == ["not_recomputed"]
    assert not [f for f in findings if f.id == "recorded.from_changed"]


def test_a_dmarc_result_for_the_resenders_domain_stays_a_changed_from_with_the_resend_said() -> None:
    # Exchange Online resent a Gmail user's message (Resent-From: queries@avon.com); the next
    # receiver recorded dmarc=pass header.from=avon.com. DMARC judges From: alone, and a
    # Resent-From: is text anyone editing the file can add (verification V14 F1): the warning
    # stays, and the resend is said as a possible reading.
    rec = (_trusted("dmarc", "pass", ("header.from", "avon.com")),)
    ours = replace(dmarc_result("not_checked"), from_domain="gmail.com")
    comparisons, findings = compare(rec, dkim=(), spf=None, dmarc=ours, arc=None,
                                    resent_domains=frozenset({"avon.com"}))
    [dmarc] = [c for c in comparisons if c.method == "dmarc"]
    assert dmarc.label == "from_changed"
    assert dmarc.explanation.endswith("A Resent-From: or Resent-Sender: of avon.com is present: the receiver may have "
                                      "judged that resender's domain, or the field was added along with the change.")
    assert [f.severity.value for f in findings if f.id == "recorded.from_changed"] == ["warning"]


def test_exchange_onlines_failed_composite_authentication_is_told() -> None:
    # "dmarc=none ... compauth=fail reason=001": Microsoft's spoofing verdict, beside a DMARC
    # result that says nothing; it was dropped from the report.
    def told(rec: RecordedResult) -> list[str]:
        _, findings = compare((rec,), dkim=(), spf=None, dmarc=dmarc_result("not_checked"), arc=None)
        return [f.title for f in findings if f.id == "recorded.compauth_fail"]

    failed = _trusted("compauth", "fail", reason="001")
    # Nothing aligned with example.com passed beside it: Microsoft's spoof verdict.
    assert told(failed) == ["Exchange Online judged the From: spoofed (compauth=fail reason=001)"]
    # Without a From: domain to read it against, only that it failed.
    _, findings = compare((failed,), dkim=(), spf=None, dmarc=None, arc=None)
    assert findings[0].title == "Exchange Online's composite authentication failed (compauth=fail reason=001)"
    assert "implicit authentication failed" in findings[0].explanation
    assert told(_trusted("compauth", "pass", reason="100")) == []
    assert told(replace(failed, trusted=False)) == []


def _compauth_severity(*recorded: RecordedResult) -> list[tuple[str, str]]:
    _, findings = compare(recorded, dkim=(), spf=None, dmarc=dmarc_result("not_checked"), arc=None)
    return [(f.severity.value, f.title) for f in findings if f.id == "recorded.compauth_fail"]


def test_a_failed_composite_authentication_with_nothing_aligned_passing_is_a_warning() -> None:
    # Exchange Online's own field (real layout of a self-addressed advance-fee spoof): "spf=fail
    # smtp.mailfrom=example.com; dkim=none; dmarc=none; compauth=fail reason=001". Nothing the
    # receiver checked authenticates the From: and it says it judged it spoofed.
    failed = _trusted("compauth", "fail", reason="001")
    spf_fail = _trusted("spf", "fail", ("smtp.mailfrom", "example.com"), reason="sender IP is 192.0.2.66")
    no_dkim = _trusted("dkim", "none", ("header.d", "none"), reason="message not signed")
    [(severity, title)] = _compauth_severity(spf_fail, no_dkim, failed)
    assert (severity, title) == ("warning", "Exchange Online judged the From: spoofed (compauth=fail reason=001)")
    _, findings = compare((spf_fail, no_dkim, failed), dkim=(), spf=None, dmarc=dmarc_result("not_checked"),
                          arc=None)
    [composite] = [f for f in findings if f.id == "recorded.compauth_fail"]
    assert "It recorded spf=fail for example.com, dkim=none beside it: no pass for an identity aligned with " \
           "example.com" in composite.explanation
    # A pass of another domain (an email service's own SPF and signature) aligns with nothing.
    esp = (_trusted("spf", "pass", ("smtp.mailfrom", "in.esp.example")),
           _trusted("dkim", "pass", ("header.d", "esp-customer.esp.example")), failed)
    assert [s for s, _ in _compauth_severity(*esp)] == ["warning"]
    # An aligned pass beside it (reason 002: an admin's block of the pair) is no spoof verdict.
    aligned_spf = _trusted("spf", "pass", ("smtp.mailfrom", "bounce.example.com"))
    assert _compauth_severity(aligned_spf, replace(failed, reason="002")) == [
        ("notice", "Exchange Online's composite authentication failed (compauth=fail reason=002)")]
    aligned_dkim = _trusted("dkim", "pass", ("header.d", "mail.example.com"))
    assert [s for s, _ in _compauth_severity(aligned_dkim, failed)] == ["notice"]
    # A pass recorded in another field (another hand-over) is not beside it.
    elsewhere = replace(aligned_dkim, header_index=3)
    assert [s for s, _ in _compauth_severity(elsewhere, failed)] == ["warning"]


def test_a_recorded_spf_fail_of_the_from_domain_is_a_finding_when_spf_was_not_recomputed() -> None:
    # Offline, the receiver's spf=fail for an envelope sender in the From: domain's organisation
    # is the only SPF evidence: a counterpart of spf.fail (RFC 7208 section 2.6.4).
    spf_fail = _trusted("spf", "fail", ("smtp.mailfrom", "bounces.example.com"), reason="sender IP is 192.0.2.66")
    offline_spf = replace(spf_result("not_checked", domain="bounces.example.com"), explanation="not checked (offline)")

    def found(*recorded: RecordedResult, spf: SpfResult = offline_spf) -> list[Finding]:
        _, findings = compare(recorded, dkim=(), spf=spf, dmarc=dmarc_result("not_checked"), arc=None)
        return [f for f in findings if f.id == "recorded.spf_fail"]

    [finding] = found(spf_fail)
    assert finding.severity == Severity.WARNING
    assert finding.title == ("The receiving side recorded SPF fail for bounces.example.com from 192.0.2.66, in the "
                             "From: domain's organisation")
    assert finding.reference.endswith("rfc7208#section-2.6.4")
    # An aligned DKIM pass beside it carried the message (a forward without SRS): a notice.
    signed = _trusted("dkim", "pass", ("header.d", "example.com"))
    assert [f.severity for f in found(spf_fail, signed)] == [Severity.NOTICE]
    # Another organisation's envelope sender: SPF says nothing of the From: domain.
    assert found(replace(spf_fail, properties=(("smtp.mailfrom", "esp.example"),)),
                 spf=replace(offline_spf, domain="esp.example")) == []
    # A softfail is no explicit "not authorised".
    assert found(replace(spf_fail, result="softfail")) == []
    # Recomputed with the same inputs, the check's own spf.fail says it.
    recomputed = spf_result("fail", domain="bounces.example.com", ip="192.0.2.66")
    assert found(replace(spf_fail, properties=(("smtp.mailfrom", "bounces.example.com"),
                                               ("smtp.remote-ip", "192.0.2.66"))), spf=recomputed) == []


def test_a_recorded_dkim_fail_beside_a_permerror_now_is_no_difference() -> None:
    # Exchange Online recorded "dkim=fail (no key for signature)"; offline the rsa-sha1 signature is
    # permerror (RFC 8301). Both say it authenticates nothing: the same class, the why kept.
    rec = (_trusted("dkim", "fail", ("header.d", "example.com"), reason="no key for signature"),)
    sha1 = sig("example.com", "smtp", 5, result="permerror", code="rsa_sha1",
               reason="signed with rsa-sha1, which verifiers must no longer accept")
    comparisons, findings = compare(rec, dkim=(sha1,), spf=None, dmarc=None, arc=None)
    [dkim] = comparisons
    assert (dkim.recorded, dkim.recomputed, dkim.label) == ("fail", "permerror", "same")
    assert "recorded dkim=fail (no key for signature); it is permerror now (signed with rsa-sha1" in dkim.explanation
    assert "does not verify" in dkim.explanation
    assert not [f for f in findings if f.id.startswith("recorded.")]
    # A recorded pass that does not verify now is still a difference.
    comparisons, _ = compare((replace(rec[0], result="pass", reason=None),), dkim=(sha1,), spf=None, dmarc=None,
                             arc=None)
    assert comparisons[0].label == "different"


def test_a_body_change_found_offline_after_the_receiver_verified_the_signature_is_after_delivery() -> None:
    # The receiver recorded dkim=pass for google.com; offline, the body hash (which needs no key)
    # no longer matches: its own filter appended "Virus checked by ..." after verifying.
    offline = replace(sig("google.com", "20161025", 5, result="not_checked", code="offline",
                          reason="not checked (offline)"), body_hash_ok=False)
    rec = (_trusted("dkim", "pass", ("header.d", "google.com"), ("header.s", "20161025")),)
    comparisons, findings = compare(rec, dkim=(offline,), spf=None, dmarc=None, arc=None)
    assert [c.label for c in comparisons] == ["modified_after_delivery"]
    assert [f.id for f in findings] == ["recorded.modified_after_delivery"]
    assert "the body changed after delivery" in comparisons[0].explanation
    # Without a recorded pass it stays "not recomputed" (the keyless body finding tells it).
    comparisons, _ = compare((), dkim=(offline,), spf=None, dmarc=None, arc=None)
    assert [c.label for c in comparisons] == ["not_recomputed"]


def test_the_keyless_body_finding_is_not_repeated_beside_the_after_delivery_comparison() -> None:
    import base64
    import hashlib

    import headerscope

    body = b"hello\r\n"
    bh = base64.b64encode(hashlib.sha256(body).digest()).decode()
    raw = (f"Authentication-Results: mx.example.net; dkim=pass header.d=example.org header.s=s1\r\n"
           f"Received: from out.example.org (out.example.org [192.0.2.1]) by mx.example.net with ESMTP id 1; "
           f"Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=s1; h=from; bh={bh}; b=YQ==\r\n"
           f"From: a@example.org\r\nTo: b@example.net\r\nSubject: s\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
           f"\r\n").encode() + body + b"-- Virus checked by the gateway\r\n"
    ids = [f.id for f in headerscope.analyze(raw, offline=True).findings]
    assert "recorded.modified_after_delivery" in ids and "dkim.body_changed" not in ids
    alone = raw.replace(b"Authentication-Results: mx.example.net; dkim=pass header.d=example.org header.s=s1\r\n", b"")
    assert "dkim.body_changed" in [f.id for f in headerscope.analyze(alone, offline=True).findings]


# A Gmail-to-Gmail forward of mail from a p=reject domain (postalsys/mailauth's arc-fail.eml
# fixture, real lines, its seals and signatures left out): Gmail's final results record
# dmarc=fail with its disposition none beside arc=pass, its first set dmarc=pass.
GMAIL_FORWARD_ARC_OVERRIDE = (
    b"Delivered-To: andris.reinman@gmail.com\r\n"
    b"Received: by 2002:a4a:8e45:0:0:0:0:0 with SMTP id z5csp3690610ook;\r\n"
    b"        Mon, 2 Nov 2020 01:57:25 -0800 (PST)\r\n"
    b"Return-Path: <andris+caf_=andris.reinman=gmail.com@tr.ee>\r\n"
    b"Received: from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\r\n"
    b"        by mx.google.com with SMTPS id e21sor2892698lfq.1.2020.11.02.01.57.24\r\n"
    b"        for <andris.reinman@gmail.com>\r\n"
    b"        (Google Transport Security);\r\n"
    b"        Mon, 02 Nov 2020 01:57:24 -0800 (PST)\r\n"
    b"Authentication-Results: mx.google.com;\r\n"
    b"       dkim=pass header.i=@zonevs.eu header.s=oct2016 header.b=0ZgeYqhD;\r\n"
    b"       arc=pass (i=1 spf=pass spfdomain=zone.ee dkim=pass dkdomain=zonevs.eu dmarc=pass fromdomain=zone.ee);\r\n"
    b"       spf=neutral (google.com: 209.85.220.41 is neither permitted nor denied by best guess record for "
    b"domain of andris+caf_=andris.reinman=gmail.com@tr.ee) smtp.mailfrom=\"andris+caf_=andris.reinman=gmail.com@tr.ee\";\r\n"
    b"       dmarc=fail (p=REJECT sp=REJECT dis=NONE arc=pass) header.from=zone.ee\r\n"
    b"X-Forwarded-To: andris.reinman@gmail.com\r\n"
    b"X-Forwarded-For: andris@tr.ee andris.reinman@gmail.com\r\n"
    b"Delivered-To: andris@tr.ee\r\n"
    b"Received: by 2002:a19:24c6:0:0:0:0:0 with SMTP id k189csp3869744lfk;\r\n"
    b"        Mon, 2 Nov 2020 01:57:23 -0800 (PST)\r\n"
    b"Return-Path: <andris@zone.ee>\r\n"
    b"Received: from srs3.zonevs.eu (srs3.zonevs.eu. [217.146.68.193])\r\n"
    b"        by mx.google.com with ESMTPS id a8si9424545lfb.359.2020.11.02.01.57.23\r\n"
    b"        for <andris@tr.ee>\r\n"
    b"        (version=TLS1_2 cipher=ECDHE-ECDSA-AES128-GCM-SHA256 bits=128/128);\r\n"
    b"        Mon, 02 Nov 2020 01:57:23 -0800 (PST)\r\n"
    b"From: andris@zone.ee\r\nTo: andris@tr.ee\r\nSubject: test\r\n"
    b"Date: Mon, 2 Nov 2020 09:57:17 +0000\r\n\r\nbody\r\n"
)


def test_gmail_dmarc_fail_accepted_on_an_arc_override_is_a_notice_not_an_unauthenticated_from() -> None:
    # RFC 8617 section 7.2: Gmail let the forward through on the ARC chain's word (dis=NONE under
    # p=REJECT, arc=pass). Its recorded DMARC fail is the forwarding's, not "From: not
    # authenticated, whatever the message shows".
    import headerscope

    report = headerscope.analyze(GMAIL_FORWARD_ARC_OVERRIDE, offline=True)
    [fail] = [f for f in report.findings if f.id == "recorded.dmarc_fail"]
    assert fail.severity == Severity.NOTICE and "accepted it on the word of an ARC chain" in fail.title
    assert "p=REJECT sp=REJECT dis=NONE arc=pass" in fail.explanation
    assert "whatever the message shows" not in fail.explanation
    assert "accepted the message on the word of an ARC chain" in report.verdict.summary
    assert "composite" not in report.verdict.summary


def test_a_comparison_with_only_claims_recorded_names_the_claim_instead_of_saying_nothing_was_recorded() -> None:
    # The receiver's A-R sits below its Received with nothing to corroborate it: not relied on,
    # but the row must not say the receiver "recorded no ARC result" of a message carrying one.
    import headerscope

    raw = (b"Received: from out.sender.example (out.sender.example [192.0.2.7]) by smtp.lists.example.org "
           b"with ESMTPS id 1; Mon, 19 Aug 2024 14:26:09 +0000\r\n"
           b"Authentication-Results: smtp.lists.example.org; arc=fail smtp.client-ip=192.0.2.7\r\n"
           b"ARC-Seal: i=1; a=rsa-sha256; d=sender.example; s=arc; cv=fail; b=AAAA\r\n"
           b"ARC-Message-Signature: i=1; a=rsa-sha256; d=sender.example; s=arc; h=from; bh=AAAA; b=AAAA\r\n"
           b"ARC-Authentication-Results: i=1; mx.sender.example; spf=pass smtp.mailfrom=sender.example\r\n"
           b"From: a@sender.example\r\nDate: Mon, 19 Aug 2024 14:25:48 +0000\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    [arc] = [c for c in report.comparison if c.method == "arc"]
    assert arc.label == "not_recorded" and arc.recorded is None
    assert "recorded no ARC result" not in arc.explanation
    assert "header 2 by smtp.lists.example.org, claims arc=fail" in arc.explanation


def test_a_failure_in_the_receivers_name_not_relied_on_is_still_shown() -> None:
    # kernel.org's subspace wrote dmarc=fail for a Brevo message with a gmail.com From: (real,
    # 2024), below its Received with nothing to corroborate it. The finding listed only the
    # passes, and the terminal said results "are shown as claims" without showing any.
    import headerscope
    from headerscope.render import get_renderer

    raw = (b"Received: from aa.d.sender-sib.example (aa.d.sender-sib.example [185.41.28.128]) by "
           b"smtp.subspace.kernel.example (Postfix) with ESMTPS id 3; Tue, 9 Jan 2024 00:53:09 +0000\r\n"
           b"Authentication-Results: smtp.subspace.kernel.example; dmarc=fail (p=none dis=none) header.from=gmail.com\r\n"
           b"Authentication-Results: smtp.subspace.kernel.example; spf=pass smtp.mailfrom=aa.d.sender-sib.example\r\n"
           b"From: someone@gmail.com\r\nDate: Tue, 9 Jan 2024 00:53:04 +0000\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert [(r.method, r.result, r.trusted) for r in report.recorded] == [("dmarc", "fail", False), ("spf", "pass", False)]
    [claim] = [f for f in report.findings if f.id == "recorded.untrusted_claim"]
    assert "Headers 2, 3 say dmarc=fail, spf=pass." in claim.explanation
    assert report.claimed_results() == [
        (1, "Authentication-Results", "smtp.subspace.kernel.example", "dmarc=fail"),
        (2, "Authentication-Results", "smtp.subspace.kernel.example", "spf=pass")]
    terminal = get_renderer("terminal", color=False, width=200).render(report)
    assert "header 2 (Authentication-Results, smtp.subspace.kernel.example): dmarc=fail" in terminal
    assert "shown as claims" not in terminal
    # A failure alone in the receiver's name is told too.
    alone = raw.replace(b"Authentication-Results: smtp.subspace.kernel.example; spf=pass smtp.mailfrom="
                        b"aa.d.sender-sib.example\r\n", b"")
    [claim] = [f for f in headerscope.analyze(alone, offline=True).findings if f.id == "recorded.untrusted_claim"]
    assert "Header 2 says dmarc=fail." in claim.explanation


def _sealed_by_the_receiver() -> bytes:
    """A message that reached mx.example.com straight from the sender, whose results and ARC set
    (sealed with dkimpy's test key, test._domainkey.example.com) sit below its Received."""
    import dkim

    key = (CORPUS / "dkim" / "dkimpy" / "test.private").read_bytes()
    message = (b"Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=sender.example.net;"
               b" dmarc=pass header.from=sender.example.net\r\n"
               b"From: a@sender.example.net\r\nTo: b@example.com\r\nSubject: sealed\r\n"
               b"Date: Mon, 19 Aug 2024 14:25:48 +0000\r\n\r\nThe body.\r\n")
    sealed = b"".join(dkim.arc_sign(message, b"test", b"example.com", key, b"mx.example.com",
                                    timestamp=1724077560))
    return (b"Received: from out.sender.example.net (out.sender.example.net [192.0.2.7]) by mx.example.com"
            b" with ESMTPS id 1; Mon, 19 Aug 2024 14:26:00 +0000\r\n" + sealed + message)


def test_results_beside_the_receivers_verified_arc_set_are_the_receivers() -> None:
    # RFC 8617 section 5.1: only mx.example.com's key makes its ARC set, and the set verifies in
    # this message; the A-R beside it, below the Received with no earlier hop to close the block,
    # is the receiver's. Without the set's proof (offline, or a body changed since), it stays a
    # claim that nothing corroborates.
    import headerscope
    from headerscope.dns.snapshot import SnapshotResolver

    dns = {"test._domainkey.example.com": {"TXT": [(CORPUS / "dkim" / "dkimpy" / "test.txt").read_text().strip()]}}
    raw = _sealed_by_the_receiver()
    report = headerscope.analyze(raw, resolver=SnapshotResolver(dns))
    assert report.arc is not None and [(i.seal_result, i.signature_result) for i in report.arc.instances] == [
        ("pass", "pass")]
    results = [r for r in report.recorded if r.header == "Authentication-Results"]
    assert [(r.method, r.result, r.trusted) for r in results] == [("spf", "pass", True), ("dmarc", "pass", True)]
    assert "whose seal and message signature verify" in (results[0].trust_reason or "")

    offline = headerscope.analyze(raw, offline=True)
    assert [r.trusted for r in offline.recorded if r.header == "Authentication-Results"] == [False, False]
    changed = headerscope.analyze(raw.replace(b"The body.", b"The body, changed."), resolver=SnapshotResolver(dns))
    assert changed.arc is not None and changed.arc.instances[0].signature_result == "fail"
    assert [r.trusted for r in changed.recorded if r.header == "Authentication-Results"] == [False, False]


def test_results_after_the_receivers_stamp_of_its_queue_id_are_the_receivers() -> None:
    # Coremail (163.com, 126.com) writes X-CM-TRANSID, the queue id of its own Received, then
    # its Authentication-Results, among the sender's fields (real layout, QQ to 163.com, 2020).
    # A sender cannot know that id before it connects; a look-alike above the stamp stays a claim.
    import headerscope

    def coremail(stamp: str, forged: bool = False) -> bytes:
        return ("Received: from qq.com (unknown [113.96.223.68]) by mx40 (Coremail) with SMTP id "
                "WsCowAAH4Dv04MRekurPAA--.17594S3; Wed, 20 May 2020 15:49:08 +0800 (CST)\r\n"
                "From: a@qq.example\r\nTo: b@163.example\r\nSubject: hi\r\nDate: Wed, 20 May 2020 15:49:07 +0800\r\n"
                "Feedback-ID: bglocal:qq.example:bgspam:bgspam8\r\n"
                + ("Authentication-Results: mx40; dmarc=pass header.from=bank.example\r\n" if forged else "")
                + f"X-CM-TRANSID:{stamp}\r\n"
                "Authentication-Results: mx40; spf=pass smtp.mail=a@qq.example; dkim=pass header.i=@qq.example\r\n"
                "X-Coremail-Antispam: 1Uf129KBjDUn29KB7ZKAUJUUUUU5\r\n"
                "Sender: a@qq.example\r\n\r\nbody\r\n").encode()

    report = headerscope.analyze(coremail("WsCowAAH4Dv04MRekurPAA--.17594S3"), offline=True)
    assert [(r.method, r.trusted) for r in report.recorded] == [("spf", True), ("dkim", True)]
    assert "follow its stamp of the queue id" in (report.recorded[0].trust_reason or "")
    assert not [f for f in report.findings if f.id == "recorded.untrusted_claim"]
    forged = headerscope.analyze(coremail("WsCowAAH4Dv04MRekurPAA--.17594S3", forged=True), offline=True)
    assert [(r.method, r.trusted) for r in forged.recorded] == [("dmarc", False), ("spf", True), ("dkim", True)]
    other = headerscope.analyze(coremail("AnotherMessagesId--.1S3"), offline=True)
    assert [r.trusted for r in other.recorded] == [False, False]


def test_a_receivers_own_result_word_for_a_signature_is_shown_not_dropped() -> None:
    # Exchange Online writes "dkim=ignore (ignored public key size)" for a signature it did not
    # evaluate (real, 2023): not one of RFC 8601's words, so it was dropped and the row said nothing
    # was recorded. It is shown beside the signature, and compared with nothing.
    import headerscope

    raw = (b"Authentication-Results: spf=pass (sender IP is 192.232.233.127) smtp.mailfrom=att.example; "
           b"dkim=ignore (ignored public key size) header.d=jewelry.example;dmarc=none action=none "
           b"header.from=att.example;compauth=fail reason=001\r\n"
           b"Received: from her.jewelry.example (192.232.233.127) by DB8EUR06FT037.mail.protection.outlook.com "
           b"(10.233.253.40) with Microsoft SMTP Server id 15.20.6631.22 via Frontend Transport; Thu, 27 Jul 2023"
           b" 12:07:24 +0000\r\n"
           b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=jewelry.example; s=default; h=from;"
           b" bh=AAAA; b=AAAA\r\n"
           b"From: Mary <noreply@att.example>\r\nDate: Thu, 27 Jul 2023 12:07:20 +0000\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    [row] = [c for c in report.comparison if c.method == "dkim"]
    assert (row.subject, row.recorded) == ("jewelry.example/default", "ignore")
    assert "recorded dkim=ignore (ignored public key size), a word of its own" in row.explanation


def test_a_recorded_signature_missing_from_a_pasted_header_may_be_left_out_of_the_paste() -> None:
    # A Thunderbird paste (real, free.fr to Outlook) stopped before the DKIM-Signature the
    # receiver had recorded as failing: "removed or altered after delivery" blamed the message.
    import headerscope

    header = (b"Authentication-Results: mx.example.net; dkim=fail header.d=free.example; spf=neutral "
              b"smtp.mailfrom=free.example\r\n"
              b"Received: from smtp.free.example (smtp.free.example [192.0.2.9]) by mx.example.net with ESMTPS id 1;"
              b" Mon, 2 Nov 2026 10:00:05 +0000\r\n"
              b"From: a@free.example\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n")
    [pasted] = [c for c in headerscope.analyze(header, offline=True).comparison if c.method == "dkim"]
    assert (pasted.recorded, pasted.label) == ("fail", "not_recomputed")
    assert "the paste may have left it out" in pasted.explanation
    # A paste that kept the empty line after the header (a blank body) is a header alone too.
    report = headerscope.analyze(header + b"\r\n", offline=True)
    assert [c.label for c in report.comparison if c.method == "dkim"] == ["not_recomputed"]
    no_from = header.replace(b"From: a@free.example\r\n", b"")
    [missing] = [f for f in headerscope.analyze(no_from + b"\r\n", offline=True).findings
                 if f.id == "envelope.no_from"]
    assert missing.severity.value == "notice"
    # The whole message without it: the signature is gone from the message.
    [whole] = [c for c in headerscope.analyze(header + b"\r\nbody\r\n", offline=True).comparison if c.method == "dkim"]
    assert whole.label == "different" and "removed or altered after delivery" in whole.explanation


def test_the_receivers_own_arc_authentication_results_is_its_recorded_arc_result() -> None:
    # Exchange Online writes its arc=pass only in the ARC-Authentication-Results of the set it
    # seals (real, a Gmail forward to Outlook.com): the comparison showed nothing recorded.
    from headerscope.model import ArcResult, RecordedResult

    def aar(instance: int, result: str, trusted: bool) -> RecordedResult:
        return RecordedResult(header="ARC-Authentication-Results", header_index=instance, authserv_id="mx.microsoft.com",
                              method="arc", result=result, properties=(), reason=None, trusted=trusted,
                              instance=instance)

    offline = ArcResult(result="not_checked", reason="not checked (offline)", instances=(), reason_code="offline")
    comparisons, _ = compare((aar(3, "pass", True), aar(2, "fail", False)), dkim=(), spf=None, dmarc=None,
                             arc=offline)
    [row] = [c for c in comparisons if c.method == "arc"]
    assert (row.recorded, row.label, row.recorded_header_index) == ("pass", "not_recomputed", 3)
    # A trusted Authentication-Results' arc= comes first; an untrusted set's is never used.
    ar = RecordedResult(header="Authentication-Results", header_index=0, authserv_id="mx.microsoft.com",
                        method="arc", result="fail", properties=(), reason=None, trusted=True)
    comparisons, _ = compare((ar, aar(3, "pass", True)), dkim=(), spf=None, dmarc=None, arc=offline)
    assert [c.recorded for c in comparisons if c.method == "arc"] == ["fail"]
    comparisons, _ = compare((aar(2, "pass", False),), dkim=(), spf=None, dmarc=None, arc=offline)
    assert [c.recorded for c in comparisons if c.method == "arc"] == [None]


def test_a_recorded_dmarc_none_without_a_from_domain_is_the_same_as_permerror_now() -> None:
    # Exchange Online's "dmarc=none action=none header.from=;" of a phish with From: "Facebook" <>
    # (real, 2023) was "recorded none, now permerror: differ", as if something changed since.
    import headerscope

    raw = (b"Authentication-Results: spf=none smtp.mailfrom=x.example; dkim=none (message not signed) "
           b"header.d=none;dmarc=none action=none header.from=;compauth=fail reason=001\r\n"
           b"Received: from out.x.example (out.x.example [203.0.113.9]) by mx.example.net with ESMTP id 1; "
           b"Mon, 2 Nov 2026 10:00:02 +0000\r\n"
           b"From: \"Facebook\" <>\r\nTo: a@example.net\r\nSubject: x\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
           b"\r\nbody\r\n")
    [dmarc] = [c for c in headerscope.analyze(raw, offline=True).comparison if c.method == "dmarc"]
    assert (dmarc.recorded, dmarc.recomputed, dmarc.label) == ("none", "permerror", "same")


def test_an_spf_row_from_an_earlier_leg_names_the_final_deliverys_result() -> None:
    # Google Workspace forwarding to Gmail (real, 2024): the SPF row came from the first receipt's
    # ARC set (pass for zone.ee) beside the final delivery's dmarc=fail, and the final delivery's
    # own spf=neutral (for the forward's +caf_ address) was nowhere.
    from headerscope.auth.recorded import _compare_spf

    def spf_record(header: str, index: int, result: str, mailfrom: str, ip: str) -> RecordedResult:
        return RecordedResult(header=header, header_index=index, authserv_id="mx.google.com", method="spf",
                              result=result, properties=(("smtp.mailfrom", mailfrom),),
                              reason=f"google.com: domain of {mailfrom} designates {ip} as permitted sender",
                              trusted=True)

    recorded = (spf_record("Authentication-Results", 9, "neutral", "andris+caf_=x=gmail.com@tr.example", "209.85.1.1"),
                spf_record("ARC-Authentication-Results", 21, "pass", "andris@zone.example", "192.0.2.10"))
    comparison = _compare_spf(recorded, spf_result("pass", domain="zone.example", ip="192.0.2.10"))
    assert comparison is not None and (comparison.recorded, comparison.recorded_header_index) == ("pass", 21)
    assert comparison.explanation.endswith(
        "This is the record of the hop SPF is evaluated at (ARC-Authentication-Results, header 22); the final "
        "delivery recorded spf=neutral for tr.example (header 10), the identity of a later leg."), comparison.explanation


def test_a_recorded_dmarc_fail_beside_a_verified_arc_chain_whose_first_sealer_saw_a_pass() -> None:
    # A QQ Exmail author through vger.kernel.org to lfdr.de (real, 2026): "the From: address is not
    # authenticated, whatever the message shows", though the receiver recorded arc=pass and the
    # list's first ARC set recorded dmarc=pass.
    import headerscope

    def report(arc: str) -> headerscope.Report:
        raw = (f"Authentication-Results: mail.lfdr.example; dmarc=fail (p=none dis=none) header.from=radxa.example; "
               f"arc={arc} (\"subspace.kernel.example:s=arc-2024:i=1\")\r\n"
               "Received: from sea.lore.kernel.example (sea.lore.kernel.example [172.234.253.10]) by mail.lfdr.example"
               " with ESMTPS id 1; Mon, 2 Nov 2026 10:00:05 +0000\r\n"
               "ARC-Authentication-Results: i=1; smtp.subspace.kernel.example; dmarc=pass (p=none dis=none) "
               "header.from=radxa.example; spf=pass smtp.mailfrom=radxa.example\r\n"
               "From: a@radxa.example\r\nTo: list@vger.kernel.example\r\nSubject: x\r\n"
               "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n").encode()
        return headerscope.analyze(raw, offline=True)

    passed = report("pass")
    [fail] = [f for f in passed.findings if f.id == "recorded.dmarc_fail"]
    # Still a warning: anyone can seal a chain, and the receiver recorded no override.
    assert fail.severity.value == "warning"
    assert fail.title == ("The receiving side recorded DMARC fail for radxa.example at delivery; its verified ARC "
                          "chain says it passed at smtp.subspace.kernel.example")
    assert "anyone can seal a chain" in fail.explanation
    [fail] = [f for f in report("fail").findings if f.id == "recorded.dmarc_fail"]
    assert fail.title == "The receiving side recorded DMARC fail for radxa.example at delivery"


def test_protons_results_in_its_host_name_are_its_own_where_it_stamped_its_queue_id() -> None:
    # Proton (real, 2022-2023) writes its Authentication-Results below the Received fields, its
    # own or the message's last, and stamps the transaction's queue id further down: its
    # results were "possibly forged" while its rspamd verdict beside them was the receiver's.
    import headerscope

    def report(writer: str, queue_id: str) -> headerscope.Report:
        raw = ("Received: from mail.club.example (club.example [45.236.131.99]) by mailin022.protonmail.example "
               "(Postfix) with ESMTPS id 4N5kkT29RCz7QQ5Y for <wpx@protonmail.example>; Mon, 7 Nov 2022 21:24:01 +0000\r\n"
               "Received: from noreply.example (localhost [IPv6:::1]) by mail.club.example (Postfix) with ESMTP id 84D6; "
               "Mon, 7 Nov 2022 20:17:19 +0000\r\n"
               f"Authentication-Results: {writer}; spf=fail smtp.mailfrom=noreply.example\r\n"
               f"Authentication-Results: {writer}; dmarc=fail (p=reject dis=reject) header.from=noreply.example\r\n"
               "From: Admin <itsupport@noreply.example>\r\nTo: wpx@protonmail.example\r\nSubject: x\r\n"
               "Date: Mon, 7 Nov 2022 20:17:00 +0000\r\n"
               f"X-Rspamd-Queue-Id: {queue_id}\r\nX-Spamd-Result: default: False [5.0 / 25.0]; R_SPF_FAIL(1.0)[]\r\n"
               "\r\nbody\r\n").encode()
        return headerscope.analyze(raw, offline=True)

    own = report("mailin022.protonmail.example", "4N5kkT29RCz7QQ5Y")
    assert [(r.method, r.trusted) for r in own.recorded] == [("spf", True), ("dmarc", True)]
    assert own.verdict.summary.startswith("The receiving side (mailin022.protonmail.example) recorded DMARC fail")
    # Another host's name, or no stamp of the transaction's queue id: as before, not relied on.
    assert not any(r.trusted for r in report("mailin099.protonmail.example", "4N5kkT29RCz7QQ5Y").recorded)
    assert not any(r.trusted for r in report("mailin022.protonmail.example", "0000000000").recorded)


def test_a_verified_arc_chain_tells_where_a_signature_stopped_verifying() -> None:
    # Proton -> Red Hat's Mimecast -> a Google group -> lfdr.de (real, 2024): Mimecast's set (i=1)
    # recorded dkim=pass for protonmail.com and Google's (i=2) "neutral (body hash did not verify)":
    # the change happened inside Red Hat, before the group. The chain was listed, never read so.
    import headerscope

    def report(arc: str) -> headerscope.Report:
        raw = (f"Authentication-Results: mail.lfdr.example; arc={arc} (\"google.com:s=arc-20160816:i=2\")\r\n"
               "Received: from mail-yw1.google.example (mail-yw1.google.example [209.85.128.1]) by mail.lfdr.example "
               "with ESMTPS id 9; Mon, 2 Nov 2026 10:00:09 +0000\r\n"
               "ARC-Authentication-Results: i=2; mx.google.example; dkim=neutral (body hash did not verify) "
               "header.i=@protonmail.example header.s=protonmail3 header.b=AbC\r\n"
               "ARC-Authentication-Results: i=1; relay.mimecast.example; dkim=pass header.d=protonmail.example "
               "header.s=protonmail3 header.b=AbC; dmarc=pass header.from=protonmail.example\r\n"
               "From: a@protonmail.example\r\nTo: group@googlegroups.example\r\nSubject: x\r\n"
               "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n").encode()
        return headerscope.analyze(raw, offline=True)

    [broken] = [f for f in report("pass").findings if f.id == "arc.signature_broken_between"]
    assert broken.title == ("DKIM for protonmail.example passed at ARC set 1 (relay.mimecast.example) and not at "
                            "set 2 (mx.google.example)")
    # A chain nobody verified carries claims only: nothing is said.
    assert not [f for f in report("fail").findings if f.id == "arc.signature_broken_between"]


def test_a_received_spf_naming_no_receiver_is_credited_to_the_hop_of_its_client() -> None:
    # GNU's list host (real, 2024): "Received-SPF by an unnamed writer claims spf=pass", though its
    # client-ip and helo were exactly hop 4's client, which eggs.gnu.org received from.
    import headerscope

    raw = (b"Received: from lists.gnu.example (lists.gnu.example [209.51.188.17]) by mail.lfdr.example with ESMTPS "
           b"id 9; Mon, 2 Nov 2026 10:00:09 +0000\r\n"
           b"Received: from mailgate01.uberspace.example ([2001:1a50:11::1]) by eggs.gnu.example with esmtps id 8; "
           b"Mon, 2 Nov 2026 10:00:05 +0000\r\n"
           b"Received-SPF: pass client-ip=2001:1a50:11::1; envelope-from=a@uberspace.example; "
           b"helo=mailgate01.uberspace.example\r\n"
           b"From: a@uberspace.example\r\nTo: list@gnu.example\r\nSubject: x\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
           b"\r\nbody\r\n")
    titles = [f.title for f in headerscope.analyze(raw, offline=True).findings if f.id == "recorded.untrusted_claim"]
    assert titles == ["Received-SPF by the server of hop 1 (eggs.gnu.example, by its client-ip) claims spf=pass "
                      "(not the receiver)"], titles
    # The same field naming the receiving side's own client (the boundary hop's) is not credited
    # to the receiver's server in a claim's title: its own field would be relied on (V10, P5).
    direct = raw.replace(b"Received: from lists.gnu.example (lists.gnu.example [209.51.188.17]) by mail.lfdr.example "
                         b"with ESMTPS id 9; Mon, 2 Nov 2026 10:00:09 +0000\r\n", b"").replace(
        b"Received-SPF: pass client-ip", b"From: a@uberspace.example\r\nReceived-SPF: pass client-ip")
    titles = [f.title for f in headerscope.analyze(direct, offline=True).findings if f.id == "recorded.untrusted_claim"]
    assert not any("by its client-ip" in title for title in titles), titles


def test_microsofts_bestguesspass_is_a_recorded_dmarc_none_with_its_guess() -> None:
    # Exchange Online's dmarc=bestguesspass: no DMARC record at delivery, an aligned identity
    # passed. It was dropped from the comparison ("not recorded") as no DMARC result word.
    value = ("spf=pass (sender IP is 209.85.128.41) smtp.mailfrom=gmail.com; dkim=pass (signature was "
             "verified) header.d=gmail.com;dmarc=bestguesspass action=none header.from=gmail.com;compauth=pass "
             "reason=109")
    headers = [(name, value if name == "Authentication-Results" else v) for name, v in
               ((h.name, h.value) for h in M365.headers)]
    recorded, _ = parse_recorded(message(*headers), M365_HOPS, 1)
    assert not any("result word" in d for r in recorded if r.method == "dmarc" for d in r.defects)
    for ours, label in (("none", "same"), ("pass", "dns_drift")):
        comparisons, _ = compare(recorded, dkim=(), spf=None, arc=None,
                                 dmarc=dmarc_result(ours, domain="gmail.com", p=None if ours == "none" else "none"))
        dmarc = next(c for c in comparisons if c.method == "dmarc")
        assert (dmarc.recorded, dmarc.recomputed, dmarc.label) == ("bestguesspass", ours, label)
        assert "published no DMARC record at delivery" in dmarc.explanation
    comparisons, _ = compare(recorded, dkim=(), spf=None, arc=None, dmarc=None)
    dmarc = next(c for c in comparisons if c.method == "dmarc")
    assert (dmarc.recorded, dmarc.label) == ("bestguesspass", "not_recomputed")


def test_a_claim_in_a_header_with_no_received_is_not_said_to_be_another_writers() -> None:
    # An admin's paste of their own receiver's results with no Received above: nothing shows the
    # writer is not the receiver, and the finding's own explanation says it cannot be tied to it.
    from headerscope.api import analyze

    paste = (b"Authentication-Results: mail.lima-city.example; dkim=pass header.d=example.org header.s=s1\r\n"
             b"From: a@example.org\r\nTo: b@lima-city.example\r\nSubject: s\r\n")
    [claim] = [f for f in analyze(paste, offline=True).findings if f.id == "recorded.untrusted_claim"]
    assert claim.title == ("Authentication-Results by mail.lima-city.example claims dkim=pass "
                           "(not tied to the receiver: no Received chain)")


def test_a_delivered_signed_message_whose_receiver_recorded_nothing_says_so() -> None:
    # Modoboa's admin asked why SPF was not enforced: Postfix, amavis and Dovecot's LMTP
    # delivered the message and wrote no result at all. Said as a finding (no DNS needed).
    from headerscope.api import analyze

    raw = (b"Received: from mail.dest.example by mail.dest.example with LMTP id x1; Mon, 2 Mar 2026 10:00:03 +0000\r\n"
           b"Received: from mx.sender.example (mx.sender.example [192.0.2.5]) by mail.dest.example (Postfix) "
           b"with ESMTPS id 4Y1 for <u@dest.example>; Mon, 2 Mar 2026 10:00:01 +0000\r\n"
           b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sender.example; s=s1; h=from:to:subject; "
           b"bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=Zm9vYmFy\r\n"
           b"From: a@sender.example\r\nTo: u@dest.example\r\nSubject: s\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n"
           b"\r\nbody\r\n")
    [nothing] = [f for f in analyze(raw, offline=True).findings if f.id == "recorded.none"]
    assert nothing.subject == "hop 1" and "mail.dest.example (hop 1" in nothing.explanation
    recorded = raw.replace(b"DKIM-Signature:", b"Authentication-Results: mail.dest.example; spf=pass "
                                               b"smtp.mailfrom=sender.example\r\nDKIM-Signature:", 1)
    assert not [f for f in analyze(recorded, offline=True).findings if f.id == "recorded.none"]
    unsigned = raw.replace(b"DKIM-Signature:", b"X-Other:", 1)
    assert not [f for f in analyze(unsigned, offline=True).findings if f.id == "recorded.none"]


# Coremail (163.com) folds Authentication-Results at a fixed width, inside tokens.
COREMAIL_AR = ("mx40; spf=pass smtp.mail=107-fms-070.0.16516.0\r\n\t.0.5375.9.10954819@em.oreilly.com; "
               "dkim=pass header.i=@oreilly.com; dk\r\n\tim=pass header.i=@mktdns.com")


def test_coremail_fold_inside_a_token_is_rejoined() -> None:
    msg = message(
        ("Received", "from em.oreilly.com (unknown [192.28.152.137]) by mx40 (Coremail) with SMTP id "
                     "WsCowABXjR0B_Ehc5+UEDw--.38557S9; Thu, 24 Jan 2019 07:43:07 +0800 (CST)"),  # 0
        ("From", "reply@oreilly.com"),  # 1
        ("X-CM-TRANSID", "WsCowABXjR0B_Ehc5+UEDw--.38557S9"),  # 2
        ("Authentication-Results", COREMAIL_AR),  # 3
    )
    recorded, findings = parse_recorded(msg, (hop(1, 0, "mx40", trusted=True, boundary=True),), 1)
    assert [(r.method, r.result) for r in recorded] == [("spf", "pass"), ("dkim", "pass"), ("dkim", "pass")]
    assert recorded[0].properties == (("smtp.mail", "107-fms-070.0.16516.0.0.5375.9.10954819@em.oreilly.com"),)
    assert recorded[2].properties == (("header.i", "@mktdns.com"),)
    assert not any(r.defects for r in recorded)
    assert not [f for f in findings if f.id == "recorded.malformed"]


@pytest.mark.parametrize(("value", "expected"), [
    # A fold between whole tokens stays a separator.
    ("mx.example;\r\n\tdkim=pass\r\n\theader.d=example.com;\r\n\tspf=pass", [("dkim", "pass"), ("spf", "pass")]),
    # A result word completed; a method that is registered only joined ("dm" + "arc" = dmarc).
    ("mx.example; dkim=pa\r\n\tss header.d=example.com; dm\r\n\tarc=pass header.from=example.com",
     [("dkim", "pass"), ("dmarc", "pass")]),
    # A property name split; a comment's inside is never touched.
    ("mx.example; dkim=pass (good\r\n\tsignature) hea\r\n\tder.d=example.com", [("dkim", "pass")]),
])
def test_fold_inside_a_token_only_where_the_grammar_has_no_room_for_two(value: str,
                                                                        expected: list[tuple[str, str]]) -> None:
    msg = message(("Authentication-Results", value))
    recorded, _ = parse_recorded(msg, (), None)
    assert [(r.method, r.result) for r in recorded] == expected
    assert not any(r.defects for r in recorded)
    dkim = [r for r in recorded if r.method == "dkim"]
    assert dict(dkim[0].properties).get("header.d") == "example.com"


@pytest.mark.parametrize("code", ["cut_off", "redacted", "shortened"])
def test_a_signature_not_in_the_copy_as_carried_is_not_recomputed_not_different(code: str) -> None:
    # The receiver verified the whole signature; the copy cut, masked or shortened it: no difference.
    ours = sig("example.com", "s1", 10, result="neutral", code=code, reason="not checked: the copy changed it")
    comparisons, findings = compare(_gmail_recorded(), dkim=(ours,), spf=None, dmarc=None, arc=None)
    dkim = next(c for c in comparisons if c.method == "dkim")
    assert (dkim.recorded, dkim.label) == ("pass", "not_recomputed")
    assert not [f for f in findings if f.subject == "dkim example.com/s1"]


def test_results_under_a_renamed_field_are_read_as_claims() -> None:
    # lima-city runs OpenDKIM and rspamd; rspamd's milter_headers keeps its results under a name of
    # its own, which held the only spf= and dmarc= records of the message.
    msg = message(
        ("Received", "from mout.gmx.net (mout.gmx.net [212.227.17.21]) by mail.lima-city.de (Postfix) with ESMTPS "
                     "id 4F1; Mon, 6 Jan 2025 10:00:01 +0100"),  # 0
        ("Authentication-Results", "mail.lima-city.de;\r\n\tdkim=pass (1024-bit key; secure) header.d=gmx.net "
                                   "header.i=@gmx.net header.b=\"GVe6wlAs\";\r\n\tdkim-atps=neutral"),  # 1
        ("X-Rspamd-Authentication-Results", "mail.lima-city.de;\r\n\tdkim=pass header.d=gmx.net "
                                            "header.s=badeba3b8450 header.b=GVe6wlAs;\r\n\tspf=pass (mail.lima-city.de: "
                                            "domain of example@gmx.de designates 212.227.17.21 as permitted sender) "
                                            "smtp.mailfrom=example@gmx.de;\r\n\tdmarc=pass (policy=none) "
                                            "header.from=gmx.de"),  # 2
        ("X-Forwarded-Authentication-Results", "mx.relay.example; spf=fail smtp.mailfrom=example@gmx.de"),  # 3
        ("From", "example@gmx.de"),  # 4
    )
    recorded, findings = parse_recorded(msg, (hop(1, 0, "mail.lima-city.de", trusted=True, boundary=True,
                                                  org="lima-city.de"),), 1)
    renamed = [r for r in recorded if r.header == "X-Rspamd-Authentication-Results"]
    assert [(r.method, r.result, r.authserv_id) for r in renamed] == [
        ("dkim", "pass", "mail.lima-city.de"), ("spf", "pass", "mail.lima-city.de"),
        ("dmarc", "pass", "mail.lima-city.de")]
    assert dict(renamed[1].properties)["smtp.mailfrom"] == "example@gmx.de"
    forwarded = [r for r in recorded if r.header == "X-Forwarded-Authentication-Results"]
    assert [(r.method, r.result) for r in forwarded] == [("spf", "fail")]
    # Never relied on, whatever name they carry.
    assert not any(r.trusted for r in (*renamed, *forwarded))
    assert "renamed field, X-Rspamd-Authentication-Results" in (renamed[0].trust_reason or "")
    [finding] = [f for f in findings if f.id == "recorded.renamed"]
    assert finding.severity is Severity.INFO and finding.subject == "header 3"
    assert "X-Rspamd-Authentication-Results, X-Forwarded-Authentication-Results" in finding.title
    assert "mail.lima-city.de recorded dkim=pass, spf=pass, dmarc=pass" in finding.explanation
    # The comparison relies on none of them.
    comparisons, _ = compare(recorded, dkim=(), spf=spf_result("pass", domain="gmx.de"), dmarc=None, arc=None)
    assert all(c.recorded is None for c in comparisons if c.method == "spf")


def test_one_writers_disagreeing_results_are_told_without_a_received_chain() -> None:
    # OpenDMARC 1.4.1 issue: pypolicyd-spf and OpenDMARC both write under the receiver's name; the
    # admin pasted the three fields alone (no Received), and the contradiction was the question.
    msg = message(
        ("Authentication-Results", "mail.simonandkate.net; spf=pass (mailfrom) smtp.mailfrom=groups.io "
                                   "(client-ip=66.175.222.108; helo=mail02.groups.io; envelope-from=x@groups.io; "
                                   "receiver=y@simonandkate.net)"),
        ("Authentication-Results", "mail.simonandkate.net; dmarc=none (p=none dis=none) header.from=groups.io"),
        ("Authentication-Results", "mail.simonandkate.net; spf=fail smtp.mailfrom=x@groups.io"),
    )
    _, findings = parse_recorded(msg, (), None)
    [finding] = [f for f in findings if f.id == "recorded.disagree"]
    assert finding.title == "Two results by mail.simonandkate.net disagree on SPF for groups.io (pass vs fail)"
    assert finding.severity is Severity.NOTICE and finding.subject == "headers 1, 3"
    assert "different identities (domain vs address" in finding.explanation
    # The same identity checked twice with two answers: no excuse offered.
    same = message(
        ("Authentication-Results", "mail.example.net; spf=pass smtp.mailfrom=a@example.org"),
        ("Authentication-Results", "mail.example.net; spf=fail smtp.mailfrom=b@example.org"),
    )
    [finding] = [f for f in parse_recorded(same, (), None)[1] if f.id == "recorded.disagree"]
    assert "same check" in finding.explanation and "rather than a forgery" not in finding.explanation
    # Results about different domains, or agreeing, are no disagreement.
    apart = message(
        ("Authentication-Results", "mail.example.net; spf=pass smtp.mailfrom=a@example.org"),
        ("Authentication-Results", "mail.example.net; spf=fail smtp.mailfrom=b@other.example"),
    )
    assert not [f for f in parse_recorded(apart, (), None)[1] if f.id == "recorded.disagree"]


def test_spf_results_of_two_deliveries_are_no_disagreement() -> None:
    # A Gmail auto-forward: Google checks the first delivery (the author's MAIL FROM, from the
    # author's server) and again the forward (the forwarding envelope, from Google's own server).
    # Google's Received-SPF names the identity only in its comment (RFC 7208 section 9.1).
    forward = message(
        ("Received-SPF", "neutral (google.com: 209.85.220.41 is neither permitted nor denied by best guess "
                         "record for domain of owner+caf_=owner=gmail.com@forwarder.example) client-ip=209.85.220.41;"),
        ("Authentication-Results", "mx.google.com; spf=neutral (google.com: 209.85.220.41 is neither permitted "
                                   "nor denied by best guess record for domain of "
                                   "owner+caf_=owner=gmail.com@forwarder.example) "
                                   "smtp.mailfrom=\"owner+caf_=owner=gmail.com@forwarder.example\""),
        ("Received-SPF", "pass (google.com: domain of author@sender.example designates 198.51.100.7 as permitted "
                         "sender) client-ip=198.51.100.7;"),
        ("Authentication-Results", "mx.google.com; spf=pass (google.com: domain of author@sender.example "
                                   "designates 198.51.100.7 as permitted sender) smtp.mailfrom=author@sender.example"),
    )
    assert not [f for f in parse_recorded(forward, (), None)[1] if f.id == "recorded.disagree"]
    # The same MAIL FROM kept by a forwarder, checked from two different clients: two sessions.
    kept = message(
        ("Received-SPF", "fail (mx.example.net: domain of a@example.org does not designate 203.0.113.9 as "
                         "permitted sender) client-ip=203.0.113.9; envelope-from=a@example.org;"),
        ("Received-SPF", "pass (mx.example.net: domain of a@example.org designates 198.51.100.7 as permitted "
                         "sender) client-ip=198.51.100.7; envelope-from=a@example.org;"),
    )
    assert not [f for f in parse_recorded(kept, (), None)[1] if f.id == "recorded.disagree"]
    # Results that do not say which identity they checked, nor whose they are, contradict nothing.
    unknown = message(
        ("Received-SPF", "softfail client-ip=203.0.113.9"),
        ("Received-SPF", "pass client-ip=203.0.113.9"),
    )
    assert not [f for f in parse_recorded(unknown, (), None)[1] if f.id == "recorded.disagree"]


def test_spf_results_about_one_client_and_identity_that_disagree_stay_told() -> None:
    # The same session (client 198.51.100.7, MAIL FROM author@sender.example) recorded twice under
    # Google's name with two answers: one was written by someone else (a sender can add any field).
    msg = message(
        ("Received-SPF", "pass (google.com: domain of author@sender.example designates 198.51.100.7 as permitted "
                         "sender) client-ip=198.51.100.7;"),
        ("Authentication-Results", "mx.google.com; spf=softfail (google.com: domain of transitioning "
                                   "author@sender.example does not designate 198.51.100.7 as permitted sender) "
                                   "smtp.mailfrom=author@sender.example"),
    )
    [finding] = [f for f in parse_recorded(msg, (), None)[1] if f.id == "recorded.disagree"]
    assert finding.title == "Two results by google.com disagree on SPF for sender.example (pass vs softfail)"
    assert "same check" in finding.explanation and finding.subject == "headers 1, 2"
    # A result naming no client may be about either session: it still contradicts each.
    unplaced = message(
        ("Received-SPF", "pass (mx.example.net: domain of a@example.org designates 198.51.100.7 as permitted "
                         "sender) client-ip=198.51.100.7; envelope-from=a@example.org;"),
        ("Received-SPF", "pass (mx.example.net: domain of a@example.org designates 203.0.113.9 as permitted "
                         "sender) client-ip=203.0.113.9; envelope-from=a@example.org;"),
        ("Authentication-Results", "mx.example.net; spf=fail smtp.mailfrom=a@example.org"),
    )
    told = [f for f in parse_recorded(unplaced, (), None)[1] if f.id == "recorded.disagree"]
    assert [f.subject for f in told] == ["headers 1, 3", "headers 2, 3"]


def test_spf_results_set_apart_only_by_their_comments_ip_stay_a_disagreement() -> None:
    # A forged spf=pass under Google's name beside Google's fail: its comment names another client,
    # which the forger writes freely. Only a key=value property the writer records (client-ip=,
    # smtp.remote-ip, RFC 7208 section 9.1, RFC 8601 section 2.7.2) makes two sessions of them.
    fail = ("Authentication-Results", "mx.google.com; spf=fail (google.com: domain of ceo@bank.example does not "
                                      "designate 203.0.113.9 as permitted sender) smtp.mailfrom=ceo@bank.example")
    forged = ("Authentication-Results", "mx.google.com; spf=pass (google.com: domain of ceo@bank.example "
                                        "designates 192.0.2.10 as permitted sender) smtp.mailfrom=ceo@bank.example")
    [finding] = [f for f in parse_recorded(message(fail, forged), (), None)[1] if f.id == "recorded.disagree"]
    assert finding.title == "Two results by mx.google.com differ on SPF for bank.example (fail vs pass)"
    assert "203.0.113.9, 192.0.2.10" in finding.explanation
    assert "two deliveries, or one was written by someone else" in finding.explanation
    # The forged one recording smtp.remote-ip for itself alone does not set it apart either.
    remote = (forged[0], forged[1] + " smtp.remote-ip=192.0.2.10")
    [finding] = [f for f in parse_recorded(message(fail, remote), (), None)[1] if f.id == "recorded.disagree"]
    assert finding.subject == "headers 1, 2"
    # Both recording their client as key=value: two sessions (a delivery and a forward).
    both = (fail[0], fail[1] + " smtp.remote-ip=203.0.113.9")
    assert not [f for f in parse_recorded(message(both, remote), (), None)[1] if f.id == "recorded.disagree"]


def test_an_spf_result_naming_no_identity_is_compared_with_its_writers_results() -> None:
    # A Received-SPF that leaves the identity out still speaks for its writer's session: with the
    # same client it contradicts the writer's other result (a forger need not name the identity).
    named = ("Received-SPF", "fail (mx.example.net: domain of a@example.org does not designate 203.0.113.9 as "
                             "permitted sender) client-ip=203.0.113.9;")
    bare = ("Received-SPF", "pass (mx.example.net: permitted) client-ip=203.0.113.9;")
    [finding] = [f for f in parse_recorded(message(named, bare), (), None)[1] if f.id == "recorded.disagree"]
    assert finding.title == "Two results by mx.example.net disagree on SPF for example.org (fail vs pass)"
    # Two such results of one writer and client contradict each other too.
    bare_fail = ("Received-SPF", "softfail (mx.example.net: transitional) client-ip=203.0.113.9;")
    [finding] = [f for f in parse_recorded(message(bare_fail, bare), (), None)[1] if f.id == "recorded.disagree"]
    assert finding.title == "Two results by mx.example.net disagree on SPF (softfail vs pass)"
    # Another client recorded as client-ip=: another session.
    other = ("Received-SPF", "pass (mx.example.net: permitted) client-ip=198.51.100.7;")
    assert not [f for f in parse_recorded(message(named, other), (), None)[1] if f.id == "recorded.disagree"]


def test_disagreement_below_the_boundary_stays_the_forgery_warning() -> None:
    # Below the boundary Received the pair is already told as a possible forgery (a warning): not
    # told again more mildly.
    seal = ("ARC-Seal", "i=1; a=rsa-sha256; cv=none; d=receiver.example; s=arc; b=zzz")
    msg, hops = _below_boundary_message(seal, second_ar=True)
    _, findings = parse_recorded(msg, hops, 1)
    assert [f.id for f in findings] == ["recorded.untrusted_claim"]


def test_a_paste_that_ends_in_the_receivers_block_says_so() -> None:
    # OpenARC issue 126: a Gmail header pasted down to its A-R (the question: arc=fail). Google's own
    # Received, X-Google-Smtp-Source and X-Received sit above the boundary.
    paste = (
        "Delivered-To: me@gmail.com\r\n"
        "Received: by 2002:a67:ce12:0:0:0:0:0 with SMTP id s18csp144897vsl;\r\n        Tue, 7 Jan 2020 16:48:45 -0800 (PST)\r\n"
        "X-Google-Smtp-Source: APXvYqxqLlLcEVjlczm7o4ECRqp+ndsGo0CyuiHST4SLBs9E3XJlDbcIQSlZw7UrvheQWcxjRK0L\r\n"
        "X-Received: by 2002:a1c:1b41:: with SMTP id b62mr855403wmb.53.1578444525749;\r\n"
        "        Tue, 07 Jan 2020 16:48:45 -0800 (PST)\r\n"
        "Return-Path: <SRS0=IhDU=25=crypterium.com=support@domain.example>\r\n"
        "Received: from mx0.domain.example (mx0.domain.example. [192.0.2.111])\r\n"
        "        by mx.google.com with ESMTPS id k4si611020wmj.82.2020.01.07.16.48.45\r\n        for <me@gmail.com>\r\n"
        "        (version=TLS1_2 cipher=ECDHE-RSA-CHACHA20-POLY1305 bits=256/256);\r\n"
        "        Tue, 07 Jan 2020 16:48:45 -0800 (PST)\r\n"
        "Authentication-Results: mx.google.com;\r\n       dkim=pass header.i=@zendesk.com header.s=zendesk1 "
        "header.b=eHD631x7;\r\n       arc=fail (signature failed)\r\n")
    report = analyze(paste.encode(), offline=True)
    [ar] = {r.header_index: r for r in report.recorded if r.header == "Authentication-Results"}.values()
    assert not ar.trusted
    assert "the paste ends inside this run of fields" in (ar.trust_reason or "")
    # A sender's field after it would have shown whose run it is: then the usual reason.
    whole = paste + "From: support@crypterium.example\r\n"
    [ar] = {r.header_index: r for r in analyze(whole.encode(), offline=True).recorded
            if r.header == "Authentication-Results"}.values()
    assert not ar.trusted and "paste ends" not in (ar.trust_reason or "")


def test_whether_the_receivers_results_vouch_for_the_from_domain() -> None:
    from headerscope.auth.recorded import receiver_vouched

    assert receiver_vouched((_trusted("spf", "fail", ("smtp.mailfrom", "example.com")),
                             _trusted("compauth", "fail", reason="001")), "example.com") is False
    assert receiver_vouched((_trusted("dkim", "pass", ("header.d", "mail.example.com")),), "example.com") is True
    assert receiver_vouched((_trusted("dkim", "pass", ("header.d", "esp.example")),), "example.com") is False
    assert receiver_vouched((_trusted("compauth", "softpass", reason="201"),), "example.com") is True
    assert receiver_vouched((_trusted("dmarc", "bestguesspass"),), "example.com") is True
    # Nothing trusted recorded: nothing to tell.
    assert receiver_vouched((replace(_trusted("dmarc", "pass"), trusted=False),), "example.com") is None
    assert receiver_vouched((), "example.com") is None


def test_a_receivers_own_dmarc_word_is_shown_in_the_comparison() -> None:
    # Yahoo's "dmarc=unknown": the table said "recorded —" of a message whose receiver wrote it.
    rec = (_trusted("dmarc", "unknown", ("header.from", "example.com")),)
    comparisons, _ = compare(rec, dkim=(), spf=None, dmarc=dmarc_result("not_checked"), arc=None)
    [dmarc] = [c for c in comparisons if c.method == "dmarc"]
    assert dmarc.recorded == "unknown" and "a word of its own" in dmarc.explanation


# A mailcow admin's paste (its top lines only): the receiver recorded three results for one
# sender's key, one pass and two body-hash failures; the signatures are below the part pasted.
_THREE_RESULTS_ONE_KEY = b"""Return-Path: <office@shop.example>
Delivered-To: anna@receiver.example
Received: from mail.receiver.example ([172.22.1.253])
\tby 5c1a2b3d4e5f with LMTP
\tid 8EV5D7FZOWTRLAEA51J6UA
\t(envelope-from <office@shop.example>)
\tfor <anna@receiver.example>; Fri, 14 Apr 2023 15:48:33 +0200
Received: from out.shop.example (out.shop.example [198.51.100.20])
\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))
\tby mail.receiver.example (Postfix) with ESMTPS id 5FA9D3883CC
\tfor <anna@receiver.example>; Fri, 14 Apr 2023 15:48:31 +0200 (CEST)
Authentication-Results: mail.receiver.example;
\tdkim=pass header.d=shop.example header.s=default header.b="Q1w2E3r4";
\tdkim=fail ("body hash did not verify") header.d=shop.example header.s=default header.b="T5y6U7i8";
\tdkim=fail ("body hash did not verify") header.d=shop.example header.s=default header.b=O9p0A1s2;
\tspf=pass smtp.mailfrom=office@shop.example
""".replace(b"\n", b"\r\n")


def test_several_recorded_results_for_one_key_are_told_as_signing_more_than_once() -> None:
    report = analyze(_THREE_RESULTS_ONE_KEY, offline=True)
    found = [f for f in report.findings if f.id == "dkim.signed_repeatedly"]
    assert len(found) == 1
    finding = found[0]
    assert finding.severity.value == "notice" and finding.subject == "dkim shop.example/default"
    assert finding.title == ("Three DKIM results for signatures of shop.example with one key (s=default): signed "
                             "more than once; 1 pass, 2 fail, as recorded")
    assert "header.b Q1w2E3r4, T5y6U7i8, O9p0A1s2" in finding.explanation
    assert "pass for Q1w2E3r4; fail for T5y6U7i8 (body hash did not verify)" in finding.explanation
    assert "The signatures themselves are not in this copy" in finding.explanation


def test_results_for_one_key_about_one_signature_are_not_signing_twice() -> None:
    # Two selectors, or the same header.b twice (a result repeated), are no repeated signing.
    raw = _THREE_RESULTS_ONE_KEY.replace(b'header.s=default header.b="T5y6U7i8"', b'header.s=k2 header.b="T5y6U7i8"'
                                         ).replace(b"header.b=O9p0A1s2", b'header.b="Q1w2E3r4"')
    assert not [f for f in analyze(raw, offline=True).findings if f.id == "dkim.signed_repeatedly"]


def _zimbra_paste(result_above_filter: bool = True, relay: str = "") -> bytes:
    """A pasted Zimbra header that starts inside its host's own filter loop: Postfix hands the
    message to amavisd-new on 127.0.0.1:10024 (the filter's own stamp), amavisd-new writes its
    results and hands it back to Postfix, which delivers over LMTP to mailboxd from the host's
    own address. The hop where the message arrived is not pasted."""
    results = "Authentication-Results: mail.city.example (amavisd-new);\n\tdkim=pass (1024-bit key) header.d=shop.example\n"
    filter_stamp = ("Received: from mail.city.example ([127.0.0.1]) by localhost (mail.city.example [127.0.0.1]) "
                    "(amavisd-new, port 10024) with ESMTP id bAyUx_i3qbat for <ana@city.example>; "
                    "Mon, 18 Dec 2017 12:06:18 -0300 (BRT)\n")
    return ("Return-Path: news@mailer.shop.example\n"
            "Received: from mail.city.example (LHLO mail.city.example) (198.51.100.118) by mail.city.example with "
            "LMTP; Mon, 18 Dec 2017 12:06:19 -0300 (BRT)\n"
            "Received: from localhost (localhost.city.example [127.0.0.1]) by mail.city.example (Postfix) with ESMTP "
            "id 714E1EE83C1 for <ana@city.example>; Mon, 18 Dec 2017 12:06:19 -0300 (BRT)\n" + relay
            + "X-Virus-Scanned: amavisd-new at mail.city.example\n"
            + (results + filter_stamp if result_above_filter else filter_stamp + results)).encode()


def test_the_result_a_hosts_own_filter_wrote_inside_its_filter_loop_is_the_receivers() -> None:
    import headerscope

    # Every Received of the paste is mail.city.example's own (its filter loop and LMTP): the
    # field between them, in that host's name, was written at this delivery, not on an
    # "earlier leg" nor by the sender (whose fields sit below the missing arrival hop).
    report = headerscope.analyze(_zimbra_paste(), offline=True)
    [result] = report.recorded
    assert result.trusted and "the one host every Received of this copy names" in (result.trust_reason or "")
    assert not [f for f in report.findings if f.id == "recorded.untrusted_claim"]
    # Below the filter's own stamp, where a sender's field would sit, it stays a claim.
    below = headerscope.analyze(_zimbra_paste(result_above_filter=False), offline=True)
    assert [r.trusted for r in below.recorded] == [False]
    # Another host of the organisation among the hops: no longer one host's loop (an earlier leg).
    relay = ("Received: from mx.city.example (mx.city.example [10.0.0.3]) by mail.city.example (Postfix) with ESMTP "
             "id 614E1EE83C0; Mon, 18 Dec 2017 12:06:18 -0300 (BRT)\n")
    other = headerscope.analyze(_zimbra_paste(relay=relay), offline=True)
    assert [r.trusted for r in other.recorded] == [False]
    assert "earlier leg" in (other.recorded[0].trust_reason or "")


# Microsoft 365 tenant to tenant, as the receiving tenant's mailbox keeps it (review AA 02, an
# Outlook .msg's transport headers): every Received first, then Exchange Online's own
# Authentication-Results and Received-SPF for the hop where its frontend took the message from the
# sending tenant's outbound relay (104.47.32.88), then the message's fields and Exchange's stamps.
_TENANT_RECEIVED = (
    b"Received: from DM5PR16MB2262.namprd16.prod.outlook.com (2603:10b6:405:60::21) by\r\n"
    b" BN3PR16MB0851.namprd16.prod.outlook.com with HTTPS via BN6PR02CA0080.NAMPRD02.PROD.OUTLOOK.COM;\r\n"
    b" Mon, 29 Oct 2018 18:13:22 +0000\r\n"
    b"Received: from CO1NAM03FT051.eop-NAM03.prod.protection.outlook.com (2a01:111:f400:7e48::209) by\r\n"
    b" DM5PR16MB2262.namprd16.prod.outlook.com (2603:10b6:4:b6::39) with Microsoft SMTP Server\r\n"
    b" (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384) id 15.20.1273.18 via Frontend\r\n"
    b" Transport; Mon, 29 Oct 2018 18:12:58 +0000\r\n"
    b"Received: from NAM01-SN1-obe.outbound.protection.outlook.com (104.47.32.88) by\r\n"
    b" CO1NAM03FT051.mail.protection.outlook.com (10.152.80.242) with Microsoft SMTP Server\r\n"
    b" (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384) id 15.20.1294.14 via Frontend\r\n"
    b" Transport; Mon, 29 Oct 2018 18:12:54 +0000\r\n"
    b"Received: from BL0PR1701MB2641.namprd17.prod.outlook.com (20.177.206.204) by\r\n"
    b" BL0PR1701MB2403.namprd17.prod.outlook.com (20.177.146.220) with Microsoft SMTP Server\r\n"
    b" (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.1273.21; Mon, 29 Oct 2018\r\n"
    b" 18:12:30 +0000\r\n"
    b"Received: from BL0PR1701MB2641.namprd17.prod.outlook.com ([fe80::f8c3:e77a:6982:7c10]) by\r\n"
    b" BL0PR1701MB2641.namprd17.prod.outlook.com ([fe80::f8c3:e77a:6982:7c10%5]) with mapi id\r\n"
    b" 15.20.1273.027; Mon, 29 Oct 2018 18:12:29 +0000\r\n"
)
_TENANT_RESULTS = (
    b"Authentication-Results: spf=pass (sender IP is 104.47.32.88)\r\n"
    b" smtp.mailfrom=fabrikam.onmicrosoft.com; contoso.onmicrosoft.com; dkim=fail (body hash did not verify)\r\n"
    b" header.d=fabrikam.onmicrosoft.com;contoso.onmicrosoft.com; dmarc=bestguesspass action=none\r\n"
    b" header.from=fabrikam.onmicrosoft.com;compauth=pass reason=109\r\n"
    b"Received-SPF: Pass (protection.outlook.com: domain of fabrikam.onmicrosoft.com designates\r\n"
    b" 104.47.32.88 as permitted sender) receiver=protection.outlook.com;\r\n"
    b" client-ip=104.47.32.88; helo=NAM01-SN1-obe.outbound.protection.outlook.com;\r\n"
    b"Received-SPF: None (protection.outlook.com: fabrikam.onmicrosoft.com does not designate\r\n"
    b" permitted sender hosts)\r\n"
)
_TENANT_REST = (
    b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=fabrikam.onmicrosoft.com;\r\n"
    b" s=selector1-fabrikam-onmicrosoft-com; h=From:Date:Subject:Message-ID; bh=AAAA; b=AAAA\r\n"
    b"From: Vikram <admin@fabrikam.onmicrosoft.com>\r\n"
    b"To: qa <qa@contoso.onmicrosoft.com>\r\n"
    b"Subject: test\r\nDate: Mon, 29 Oct 2018 18:12:29 +0000\r\n"
    b"Message-ID: <BL0PR1701MB26411CF3@BL0PR1701MB2641.namprd17.prod.outlook.com>\r\n"
    b"Return-Path: admin@fabrikam.onmicrosoft.com\r\n"
    b"X-MS-Exchange-Organization-MessageDirectionality: Incoming\r\n"
    b"X-MS-Exchange-Organization-AuthSource: CO1NAM03FT051.eop-NAM03.prod.protection.outlook.com\r\n"
    b"X-MS-Exchange-Organization-AuthAs: Anonymous\r\n"
    b"X-MS-Exchange-CrossTenant-Id: 686281b0-46a5-41ac-9ab0-2dc7548c11e4\r\n"
    b"X-MS-Exchange-CrossTenant-FromEntityHeader: Internet\r\n"
)


def _tenant_copy(results: bytes = _TENANT_RESULTS, rest: bytes = _TENANT_REST) -> bytes:
    return _TENANT_RECEIVED + results + rest + b"\r\nbody\r\n"


def test_exchange_onlines_results_below_every_received_are_the_receivers_at_a_tenant_handover() -> None:
    # The receiving tenant's results for the hop where it took the message (their client is that
    # hop's client), kept below every Received: its own, not "possibly forged" claims; its
    # dkim=fail at delivery is the recorded result, not a claim.
    report = analyze(_tenant_copy(), offline=True)
    assert report.boundary_hop == 3
    by_index = {(r.header_index, r.method): r for r in report.recorded}
    assert by_index[(5, "spf")].trusted and by_index[(5, "dkim")].trusted and by_index[(5, "dkim")].result == "fail"
    assert by_index[(6, "spf")].trusted and "CO1NAM03FT051" in str(by_index[(6, "spf")].trust_reason)
    # The Received-SPF that records no client is not tied to the hop: still a claim.
    assert not by_index[(7, "spf")].trusted
    assert not [f for f in report.findings if f.id == "recorded.untrusted_claim" and f.severity is Severity.WARNING]
    [dkim] = [c for c in report.comparison if c.method == "dkim"]
    assert dkim.recorded == "fail"


def test_a_look_alike_of_exchange_onlines_results_keeps_the_warning() -> None:
    # A second Received-SPF in Microsoft's name for the same client, disagreeing: one of them is a
    # sender's, and a sender forges passes, not failures: the worse result is the receiver's, and
    # the passes it contradicts stay claims, told as possible forgeries.
    forged = (b"Received-SPF: Fail (protection.outlook.com: domain of fabrikam.onmicrosoft.com does not designate"
              b" 104.47.32.88 as permitted sender) receiver=protection.outlook.com; client-ip=104.47.32.88;\r\n")
    report = analyze(_tenant_copy(_TENANT_RESULTS + forged), offline=True)
    assert {(r.header_index, r.result) for r in report.recorded if r.trusted and r.method == "spf"} == {(8, "fail")}
    assert [f for f in report.findings if f.id == "recorded.untrusted_claim" and f.severity is Severity.WARNING]
    # Without Exchange's AuthSource naming the boundary's frontend (a field Exchange removes from
    # mail arriving from outside), nothing shows this copy is the one Exchange stored.
    for source in (b"", b"X-MS-Exchange-Organization-AuthSource: BN3NAM04FT003.eop-NAM04.prod.protection.outlook.com\r\n"):
        rest = _TENANT_REST.replace(
            b"X-MS-Exchange-Organization-AuthSource: CO1NAM03FT051.eop-NAM03.prod.protection.outlook.com\r\n", source)
        unanchored = analyze(_tenant_copy(rest=rest), offline=True)
        assert not any(r.trusted for r in unanchored.recorded if r.header == "Received-SPF")
    # In the layout of a message as sent on, Exchange's own results sit above its Received: a
    # look-alike below every Received stays a claim there.
    raw_layout = _TENANT_RECEIVED.replace(
        b"Received: from NAM01-SN1-obe", _TENANT_RESULTS.split(b"Received-SPF: None")[0] + b"Received: from NAM01-SN1-obe")
    sent_on = analyze(raw_layout + forged.replace(b"Fail", b"Pass").replace(b"does not designate", b"designates")
                      + _TENANT_REST + b"\r\nbody\r\n", offline=True)
    below = [r for r in sent_on.recorded if r.header_index > 6 and r.header == "Received-SPF"]
    assert below and not any(r.trusted for r in below)
    # A second Authentication-Results for the same client with the same result words for other
    # domains: not the receiver's one field for the hop; neither is relied on.
    second = (b"Authentication-Results: spf=pass (sender IP is 104.47.32.88) smtp.mailfrom=bank.example;"
              b" dkim=fail (body hash did not verify) header.d=bank.example;dmarc=bestguesspass action=none"
              b" header.from=bank.example;compauth=pass reason=109\r\n")
    doubled = analyze(_tenant_copy(_TENANT_RESULTS + second), offline=True)
    assert not any(r.trusted for r in doubled.recorded if r.header == "Authentication-Results")


def test_amavis_pass_for_a_signature_it_just_made_is_not_called_a_verification() -> None:
    # amavisd-new signing outbound mail on the same host records dkim=pass reason="pass (just
    # generated, assumed good)" (review AA 06): it made the signature and verified nothing. A body
    # changed since still shows, in those words.
    raw = (b"Received: from mail.example.net (mail.example.net [127.0.0.1]) by mail.example.net (Postfix) with ESMTP"
           b" id 4RXwV61k4Jz62kW for <kim@example.net>; Sat, 26 Aug 2023 12:04:30 +0000 (UTC)\r\n"
           b"Authentication-Results: mail.example.net (amavisd-new); dkim=pass\r\n"
           b"\treason=\"pass (just generated, assumed good)\" header.d=example.net\r\n"
           b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=example.net; h=from:to:subject; s=dkim;"
           b" bh=9j2IFk0ZpW4pfmvikNYY7hFOEsr+Ze1bR/Ba4zdoUeU=; b=V/krnK4TR1tqxJUcKOs1elfa2D4X6hovoYkOpGBtxQgk2+xA4A==\r\n"
           b"Received: from localhost (mail.example.net [127.0.0.1]) by mail.example.net (Postfix) with ESMTPSA id"
           b" 4RXwV43FB8z62kJ for <kim@example.net>; Sat, 26 Aug 2023 12:04:27 +0000 (UTC)\r\n"
           b"From: tom@example.net\r\nTo: kim@example.net\r\nSubject: help\r\nDate: Sat, 26 Aug 2023 12:04:26 +0000\r\n"
           b"\r\nHi Kim,\r\n")
    [row] = [c for c in analyze(raw, offline=True).comparison if c.method == "dkim"]
    assert (row.recorded, row.label) == ("pass", "modified_after_delivery")
    assert "signed this message itself and recorded dkim=pass without verifying it" in row.explanation
    assert "verified this signature" not in row.explanation
    # A receiver's own verification keeps its words.
    verified = raw.replace(b"\treason=\"pass (just generated, assumed good)\" header.d", b"\theader.d")
    [checked] = [c for c in analyze(verified, offline=True).comparison if c.method == "dkim"]
    assert "mail.example.net verified this signature at delivery" in checked.explanation


# A spoof through Exchange Online, as the recipient's mailbox keeps it (verification V4's
# m365-1..4): Exchange's own results below every Received, and the sender's look-alike
# Authentication-Results in the same unnamed form, claiming passes.
_SPOOF_TOP = (
    "Received: from DM6PR11MB4010.namprd11.prod.outlook.com (2603:10b6:5:19a::21) by SA1PR11MB8400.namprd11.prod"
    ".outlook.com with HTTPS; Mon, 10 Mar 2025 10:00:09 +0000\r\n"
    "Received: from BN9PR03CA0123.namprd03.prod.outlook.com (2603:10b6:408:fe::8) by DM6PR11MB4010.namprd11.prod"
    ".outlook.com (2603:10b6:5:19a::21) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_"
    "256_GCM_SHA384) id 15.20.8511.20; Mon, 10 Mar 2025 10:00:08 +0000\r\n"
    "Received: from BN2PEPF000044A9.namprd04.prod.outlook.com (2603:10b6:408:fe:cafe::2b) by BN9PR03CA0123.outlook"
    ".office365.com (2603:10b6:408:fe::8) with Microsoft SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384)"
    " id 15.20.8511.20 via Frontend Transport; Mon, 10 Mar 2025 10:00:08 +0000\r\n"
    "Received: from {helo} ({ip}) by BN2PEPF000044A9.mail.protection.outlook.com (10.167.243.160) with Microsoft"
    " SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8511.20 via Frontend Transport;"
    " Mon, 10 Mar 2025 10:00:07 +0000\r\n"
)
_SPOOF_TENANT_HOPS = (
    "Received: from AS8PR04MB8001.eurprd04.prod.outlook.com (2603:10a6:20b:2a1::14) by AS8PR04MB7900.eurprd04.prod"
    ".outlook.com (2603:10a6:20b:2a0::9) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_"
    "256_GCM_SHA384) id 15.20.8511.20; Mon, 10 Mar 2025 10:00:05 +0000\r\n"
    "Received: from AS8PR04MB8001.eurprd04.prod.outlook.com ([fe80::1c2b:3d4e:5f60:7182]) by AS8PR04MB8001.eurprd04"
    ".prod.outlook.com ([fe80::1c2b:3d4e:5f60:7182%6]) with mapi id 15.20.8511.020; Mon, 10 Mar 2025 10:00:05 +0000\r\n"
)
_SPOOF_REST = (
    "From: Example Bank Security <security@examplebank.com>\r\nTo: victim@contoso.com\r\n"
    "Subject: Urgent: confirm the wire\r\nDate: Mon, 10 Mar 2025 10:00:04 +0000\r\n"
    "Message-ID: <AS8PR04MB80011234@AS8PR04MB8001.eurprd04.prod.outlook.com>\r\n"
    "X-MS-Exchange-Organization-MessageDirectionality: Incoming\r\n"
    "X-MS-Exchange-Organization-AuthSource: BN2PEPF000044A9.namprd04.prod.outlook.com\r\n"
    "X-MS-Exchange-Organization-AuthAs: Anonymous\r\n\r\nPlease wire 50000 today.\r\n"
)


def _ms_results(ip: str, mailfrom: str, dkim: str, dmarc: str, compauth: str) -> str:
    spf = "pass" if "pass" in dmarc or mailfrom != "examplebank.com" else "fail"
    return (f"Authentication-Results: spf={spf} (sender IP is {ip}) smtp.mailfrom={mailfrom}; {dkim};"
            f"dmarc={dmarc} action={'none' if dmarc == 'pass' else 'oreject'} header.from=examplebank.com;"
            f"compauth={compauth}\r\n")


def _direct_spoof(lookalike: str = "", genuine: str | None = None, lower: str = "") -> bytes:
    ip = "203.0.113.66"
    genuine = genuine if genuine is not None else _ms_results(
        ip, "examplebank.com", "dkim=none (message not signed) header.d=none", "fail", "fail reason=000")
    return (_SPOOF_TOP.format(helo="mail.evil-host.ru", ip=ip) + lower + lookalike + genuine
            + "Received-SPF: Fail (protection.outlook.com: domain of examplebank.com does not designate 203.0.113.66"
            " as permitted sender) receiver=protection.outlook.com; client-ip=203.0.113.66; helo=mail.evil-host.ru;\r\n"
            + _SPOOF_REST).encode()


def _tenant_spoof(lookalike: str = "") -> bytes:
    ip = "40.107.22.51"
    genuine = _ms_results(ip, "evilcorp.onmicrosoft.com",
                          "dkim=pass (signature was verified) header.d=evilcorp.onmicrosoft.com", "fail",
                          "fail reason=000")
    return (_SPOOF_TOP.format(helo="EUR05-DB8-obe.outbound.protection.outlook.com", ip=ip) + _SPOOF_TENANT_HOPS
            + lookalike + genuine
            + "Received-SPF: Pass (protection.outlook.com: domain of evilcorp.onmicrosoft.com designates 40.107.22.51"
            " as permitted sender) receiver=protection.outlook.com; client-ip=40.107.22.51;"
            " helo=EUR05-DB8-obe.outbound.protection.outlook.com; pr=C\r\n" + _SPOOF_REST).encode()


def _passing(ip: str) -> str:
    return _ms_results(ip, "examplebank.com", "dkim=pass (signature was verified) header.d=examplebank.com",
                       "pass", "pass reason=100")


def _ids(report: Report, severity: Severity = Severity.WARNING) -> set[str]:
    return {f.id for f in report.findings if f.severity is severity}


def test_a_look_alike_pass_does_not_silence_exchange_onlines_own_failures() -> None:
    # A sender adds one Authentication-Results in Exchange's unnamed form claiming every pass:
    # Exchange writes one per hop, and a sender forges passes, never failures, so the failing one
    # stays the receiver's, and the look-alike is told as forged (review V4 NEW-1).
    for plain, forged, lookalike_index in (
            (_direct_spoof(), _direct_spoof(_passing("203.0.113.66")), 4),
            (_tenant_spoof(), _tenant_spoof(_passing("40.107.22.51")), 6)):
        alone, both = analyze(plain, offline=True), analyze(forged, offline=True)
        for report in (alone, both):
            assert {"recorded.dmarc_fail", "recorded.compauth_fail"} <= _ids(report)
            assert not [f for f in report.findings if f.title.startswith("Possibly forged Received-SPF")]
        assert all(not r.trusted for r in both.recorded if r.header_index == lookalike_index)
        assert {(r.method, r.result) for r in both.recorded if r.trusted and r.method == "dmarc"} == {("dmarc", "fail")}
        [claim] = [f for f in both.findings if f.subject == f"header {lookalike_index + 1}"]
        assert claim.severity is Severity.WARNING and claim.title.startswith("Forged Authentication-Results?")
    # The direct spoof: its recorded SPF fail from the spoofer's address still shows.
    assert "recorded.spf_fail" in _ids(analyze(_direct_spoof(_passing("203.0.113.66")), offline=True))


def test_exchange_form_results_that_disagree_without_a_failure_to_point_to_are_a_warning() -> None:
    # A look-alike that records the receiver's failures but a pass for another domain (dkim for
    # the From: domain): neither Authentication-Results can be told apart, neither is relied on,
    # and the disagreement itself is told as the forgery sign it is.
    lookalike = _ms_results("40.107.22.51", "examplebank.com",
                            "dkim=pass (signature was verified) header.d=examplebank.com", "fail", "fail reason=000")
    report = analyze(_tenant_spoof(lookalike), offline=True)
    assert not any(r.trusted for r in report.recorded if r.header == "Authentication-Results")
    [told] = [f for f in report.findings if f.id == "recorded.disagree"]
    assert told.severity is Severity.WARNING and "Exchange Online's form disagree" in told.title


def test_an_exchange_form_result_among_the_senders_received_does_not_disable_the_mailbox_rule() -> None:
    # Only a Microsoft-form result above the boundary Received shows the layout of a message as
    # sent on; one among the lower Received is the sender's own, and Exchange's results below
    # every Received stay the receiver's (review V4 NEW-1).
    report = analyze(_tenant_spoof().replace(
        b"Received: from AS8PR04MB8001.eurprd04.prod.outlook.com ([fe80",
        _passing("40.107.22.51").encode() + b"Received: from AS8PR04MB8001.eurprd04.prod.outlook.com ([fe80"),
        offline=True)
    assert {"recorded.dmarc_fail", "recorded.compauth_fail"} <= _ids(report)
    assert not any(r.trusted for r in report.recorded if r.result == "pass" and r.method == "dmarc")


def _amavis_inbound(body: bytes = b"Please update.\r\n", reason: bytes = b"reason=\"pass (just generated, assumed good)\"",
                    bh: str = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=") -> bytes:
    # An outside client (203.0.113.66) sends From: the receiver's own domain; the receiver's amavis
    # signs the message as it passes (a content filter signing all mail of its domain) and records
    # its own fresh signature as dkim=pass (verification V4's amavis1).
    return (b"Return-Path: <ceo@example.org>\r\nDelivered-To: payroll@example.org\r\n"
            b"Received: from localhost (localhost [127.0.0.1])\r\n\tby mx1.example.org (Postfix) with ESMTP id 7C2D1E\r\n"
            b"\tfor <payroll@example.org>; Mon, 10 Mar 2025 10:00:07 +0000 (UTC)\r\n"
            b"Authentication-Results: mx1.example.org (amavisd-new);\r\n\tdkim=pass (2048-bit key) " + reason
            + b"\r\n\theader.d=example.org\r\n"
            b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=example.org; h=\r\n"
            b"\tfrom:to:subject:date:message-id; s=dkim; t=1741600006; bh=" + bh.encode() + b"; b=AAAA\r\n"
            b"Received: from mx1.example.org ([127.0.0.1])\r\n\tby localhost (mx1.example.org [127.0.0.1]) (amavisd-new,"
            b" port 10026)\r\n\twith ESMTP id abc123; Mon, 10 Mar 2025 10:00:06 +0000 (UTC)\r\n"
            b"Received: from mail.evil-host.ru (mail.evil-host.ru [203.0.113.66])\r\n"
            b"\tby mx1.example.org (Postfix) with ESMTP id 4F1A2B3C4D\r\n"
            b"\tfor <payroll@example.org>; Mon, 10 Mar 2025 10:00:05 +0000 (UTC)\r\n"
            b"From: CEO <ceo@example.org>\r\nTo: payroll@example.org\r\nSubject: change my bank details\r\n"
            b"Date: Mon, 10 Mar 2025 09:59:50 +0000\r\nMessage-ID: <20250310095950.1@example.org>\r\n\r\n" + body)


def test_amavis_pass_for_its_own_fresh_signature_is_no_recorded_pass_for_the_verdict() -> None:
    # The receiver's amavis signed the message itself ("just generated, assumed good"): no evidence
    # about the sender. An outside SPF-fail spoof of a p=reject domain is spoofed, whether the
    # signature's body changed since (modified_after_delivery) or its key is gone (dns_drift),
    # which would otherwise read as "authenticated at delivery" (verification V4 NEW-5).
    import base64
    import hashlib

    from headerscope.dns.snapshot import SnapshotResolver

    dns = {"example.org": {"TXT": [["v=spf1 ip4:192.0.2.0/24 -all"]]},
           "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject"]]},
           "66.113.0.203.in-addr.arpa": {"PTR": ["mail.evil-host.ru."]},
           "mail.evil-host.ru": {"A": ["203.0.113.66"]}}
    good_bh = base64.b64encode(hashlib.sha256(b"Please update.\r\n").digest()).decode()
    for raw, label in ((_amavis_inbound(), "modified_after_delivery"), (_amavis_inbound(bh=good_bh), "dns_drift")):
        report = analyze(raw, resolver=SnapshotResolver(dns))
        [row] = [c for c in report.comparison if c.method == "dkim"]
        assert (row.recorded, row.label) == ("pass", label)
        assert report.verdict.status == "spoofed", report.verdict.summary
        assert "recorded DMARC pass" not in report.verdict.summary
    # A receiver's own verification (no such reason), with no dmarc= recorded: the pass is told as
    # the aligned DKIM pass it is, not as a "recorded DMARC pass".
    verified = analyze(_amavis_inbound(reason=b""), resolver=SnapshotResolver(dns))
    assert verified.verdict.status == "suspicious"
    assert "recorded a DKIM pass aligned with example.org (example.org)" in verified.verdict.summary
    assert "recorded DMARC pass" not in verified.verdict.summary


_TWO_FROM_DOMAINS = (
    b"Delivered-To: bob@gmail.com\r\n"
    b"Received: by 2002:a05:6358:9d8e:b0:1c3:8a2e:5f41 with SMTP id fb2csp1201847qvb;\r\n"
    b"        Sun, 22 Nov 2026 06:00:02 -0800 (PST)\r\n"
    b"Received-SPF: pass (google.com: domain of ceo@plusall.example designates 45.13.22.9 as permitted sender)"
    b" client-ip=45.13.22.9;\r\n"
    b"Authentication-Results: mx.google.com;\r\n"
    b"       dkim=none;\r\n"
    b"       spf=pass (google.com: domain of ceo@plusall.example designates 45.13.22.9 as permitted sender)"
    b" smtp.mailfrom=ceo@plusall.example;\r\n"
    b"       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=plusall.example\r\n"
    b"Return-Path: <ceo@plusall.example>\r\n"
    b"Received: from vps9.hostkey.example (vps9.hostkey.example. [45.13.22.9])\r\n"
    b"        by mx.google.com with ESMTPS id af79cd13be357-8d3c2a91e7fsi5120843583a.412\r\n"
    b"        for <bob@gmail.com>\r\n"
    b"        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\r\n"
    b"        Sun, 22 Nov 2026 06:00:01 -0800 (PST)\r\n"
    b"From: CEO <ceo@plusall.example>, Assistant <pa@other.example>\r\n"
    b"SENDER\r\n"
    b"To: bob@gmail.com\r\nSubject: urgent wire\r\nDate: Sun, 22 Nov 2026 14:00:00 +0000\r\n"
    b"Message-ID: <x-1@plusall.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nPay now.\r\n"
)
_TWO_FROM_DNS = {
    "plusall.example": {"TXT": [["v=spf1 ip4:45.13.22.0/24 -all"]]},
    "_dmarc.plusall.example": {"TXT": [["v=DMARC1; p=reject"]]},
    "_dmarc.other.example": {"TXT": [["v=DMARC1; p=quarantine"]]},
}


def test_a_dmarc_pass_recorded_for_one_of_several_from_domains_is_not_a_changed_from() -> None:
    # Gmail judged the first From: domain (plusall.example, pass); RFC 7489 section 6.6.1 checks
    # each and the strictest failing policy (other.example's) decides. Nothing changed the From:
    # that the receiver read: it is there, and its own result is compared.
    report = analyze(_TWO_FROM_DOMAINS.replace(b"SENDER", b"Sender: pa@other.example"),
                     resolver=SnapshotResolver(_TWO_FROM_DNS))
    [dmarc] = [c for c in report.comparison if c.method == "dmarc"]
    assert (dmarc.subject, dmarc.recorded, dmarc.recomputed, dmarc.label) == ("other.example", "pass", "fail",
                                                                              "different")
    assert dmarc.explanation.startswith("mx.google.com recorded dmarc=pass for plusall.example, one of the From: "
                                        "domains (pass now too); it did not judge other.example, which is fail now.")
    assert "RFC 7489 section 6.6.1" in dmarc.explanation
    assert report.dmarc is not None and report.dmarc.from_results == (("plusall.example", "pass"),
                                                                      ("other.example", "fail"))
    ids = [f.id for f in report.findings]
    assert "recorded.from_changed" not in ids
    # One warning for the two From: domains, not two saying the same; it says Sender: is present
    # (RFC 5322 section 3.6.2) and how DMARC judged each domain.
    assert "dmarc.multiple_from" not in ids
    [multiple] = [f for f in report.findings if f.id == "envelope.multiple_from"]
    assert "Sender: field, which is present (pa@other.example)" in multiple.explanation
    assert "(plusall.example: pass; other.example: fail)" in multiple.explanation
    without_sender = analyze(_TWO_FROM_DOMAINS.replace(b"SENDER\r\n", b""), resolver=SnapshotResolver(_TWO_FROM_DNS))
    [multiple] = [f for f in without_sender.findings if f.id == "envelope.multiple_from"]
    assert "naming the one who sent it, and there is none" in multiple.explanation
    # A header.from that is in no From: field still is a changed (or other) From:.
    forged = analyze(_TWO_FROM_DOMAINS.replace(b"SENDER", b"Sender: pa@other.example")
                     .replace(b"header.from=plusall.example", b"header.from=hotmail.example"),
                     resolver=SnapshotResolver(_TWO_FROM_DNS))
    assert [c.label for c in forged.comparison if c.method == "dmarc"] == ["from_changed"]
    assert "recorded.from_changed" in [f.id for f in forged.findings]


def test_more_than_five_findings_of_one_kind_are_said_once_with_a_count() -> None:
    import json as _json

    from conftest import SAMPLES

    # Twelve Authentication-Results written by strangers above a real message: twelve untrusted
    # claims, said once, so they do not push the other findings out of the reports' lists.
    claims = b"".join(b"Authentication-Results: evil%d.example; dmarc=pass header.from=example.com\r\n" % n
                      for n in range(12))
    report = analyze(claims + (SAMPLES / "direct.eml").read_bytes(), offline=True)
    untrusted = [f for f in report.findings if f.id == "recorded.untrusted_claim"]
    assert len(untrusted) == 1
    claim = untrusted[0]
    assert claim.count == 12 and claim.subject == "header 1"
    assert claim.title == "Authentication-Results by evil0.example claims dmarc=pass (not the receiver) (and 11 more like it)"
    assert "12 findings of this kind (recorded.untrusted_claim, info)" in claim.explanation
    assert "They are about header 1, header 2, header 3 and 9 more." in claim.explanation
    assert _json.loads(report.to_json())["findings"][0]["count"] == 12
    # Five of one kind stay five findings.
    five = claims.split(b"\r\n")[:5]
    report = analyze(b"\r\n".join(five) + b"\r\n" + (SAMPLES / "direct.eml").read_bytes(), offline=True)
    assert [f.count for f in report.findings if f.id == "recorded.untrusted_claim"] == [1] * 5


def test_grouping_keeps_the_first_ones_place_and_leaves_hop_marks_alone() -> None:
    from headerscope.api import _grouped
    from headerscope.model import Finding, Severity

    def finding(id_: str, n: int, severity: Severity = Severity.INFO) -> Finding:
        return Finding(id=id_, severity=severity, title=f"t{n}", explanation="e", subject=f"hop {n}")

    findings = (finding("a.b", 0, Severity.WARNING), *(finding("x.y", n) for n in range(1, 8)),
                finding("x.y", 8, Severity.NOTICE), *(finding("hops.clock_offset", n) for n in range(9, 16)))
    grouped = _grouped(findings)
    assert [(f.id, f.severity, f.count) for f in grouped[:3]] == [
        ("a.b", Severity.WARNING, 1), ("x.y", Severity.INFO, 7), ("x.y", Severity.NOTICE, 1)]
    assert "Their titles include: t1; t2; t3 (4 more)." in grouped[1].explanation
    # The hop table marks each hop these name: they stay one per hop.
    assert [f.subject for f in grouped[3:]] == [f"hop {n}" for n in range(9, 16)]
    assert _grouped(findings[:6]) == findings[:6]


def test_grouping_leads_with_and_names_the_from_aligned_signatures_finding() -> None:
    # Seven DANGER "unsigned From: added" findings, the From: domain's last: the group carried the
    # first junk one's words and named three junk signatures. The aligned one leads and is named.
    from headerscope.api import _grouped
    from headerscope.model import Finding, Severity

    def finding(domain: str) -> Finding:
        return Finding(id="dkim.headers_changed", severity=Severity.DANGER, title="An unsigned From: was added",
                       explanation=f"by {domain}", subject=f"dkim {domain}/s1")

    findings = (*(finding(f"news{n}.example") for n in range(6)), finding("bank.example"))
    [group] = _grouped(findings, frozenset({"dkim bank.example/s1"}))
    assert group.count == 7 and group.subject == "dkim bank.example/s1"
    assert group.explanation.startswith("by bank.example 7 findings of this kind")
    assert "They are about dkim bank.example/s1, dkim news0.example/s1, dkim news1.example/s1 and 4 more." \
        in group.explanation
    # One finding that already stands for seven (the DKIM merge) is left as it is.
    merged = Finding(id="dkim.body_changed", severity=Severity.WARNING, title="Body changed (7 signatures)",
                     explanation="e", subject="dkim bank.example/s1 and 6 more", count=7)
    assert _grouped((merged,)) == (merged,)



def test_a_look_alike_below_the_receivers_received_is_not_its_own_when_it_writes_above() -> None:
    # Verification V10, P1: the receiver wrote its Authentication-Results above its Received
    # (spf=fail); a field under its authserv-id directly below it, supplied by the sender,
    # recorded "dmarc=pass header.from=paypal.test" and was read as the receiver's.
    import headerscope

    raw = (b"Authentication-Results: mx.corp.example; spf=fail smtp.mailfrom=evil.example\r\n"
           b"Received: from mail.evil.example (mail.evil.example [203.0.113.9])\r\n"
           b" by mx.corp.example (Postfix) with ESMTPS id 4AbC1\r\n"
           b" for <victim@corp.example>; Mon, 11 Apr 2022 22:36:03 +0000\r\n"
           b"Authentication-Results: mx.corp.example; dkim=pass header.d=paypal.test; dmarc=pass header.from=paypal.test\r\n"
           b"From: PayPal <service@paypal.test>\r\nTo: victim@corp.example\r\nSubject: x\r\n"
           b"Date: Mon, 11 Apr 2022 22:36:00 +0000\r\nMessage-ID: <1@evil.example>\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    lower = [r for r in report.recorded if r.header_index == 2]
    assert {(r.method, r.result) for r in lower} == {("dkim", "pass"), ("dmarc", "pass")}
    assert not any(r.trusted for r in lower)
    assert "recorded DMARC pass" not in report.verdict.summary
    assert [(r.method, r.result, r.trusted) for r in report.recorded if r.header_index == 0] == [("spf", "fail", True)]


# Review AM D2: an empty quoted-string pvalue is valid RFC 8601, and the recorded SPF row is
# labelled with the identity the receiver recorded.
def test_an_empty_quoted_property_value_is_valid_and_keeps_the_next_property() -> None:
    # RFC 8601 section 2.2: pvalue = [[local-part] "@"] domain-name / value, and value is an
    # RFC 2045 token or quoted-string, which may be empty: null-sender mail is recorded so.
    field = (b'Authentication-Results: mail516.prod.linkedin.example; spf=neutral smtp.mailfrom="" '
             b'smtp.helo="mail02.someserver.example"; dkim=none (message not signed) header.i=none\r\n'
             b"From: a@example.com\r\n\r\n")
    from headerscope.auth.recorded import parse_recorded

    recorded, findings = parse_recorded(parse_message(field), (), None)
    assert not [f for f in findings if f.id == "recorded.malformed"]
    spf = next(r for r in recorded if r.method == "spf")
    assert dict(spf.properties) == {"smtp.mailfrom": "", "smtp.helo": "mail02.someserver.example"}
    # Quoted values elsewhere are not touched: an empty string inside one is no property.
    field2 = b'Authentication-Results: mx.example; dkim=pass reason="a x="" b" header.d=example.com\r\n\r\n'
    recorded2, _ = parse_recorded(parse_message(field2), (), None)
    assert dict(recorded2[0].properties)["header.d"] == "example.com"


def test_the_recorded_spf_row_is_labelled_with_the_identity_the_receiver_recorded() -> None:
    field = (b'Authentication-Results: mx.example.com; spf=neutral smtp.mailfrom="" smtp.helo=mail02.sender.example\r\n'
             b"\r\n")
    import dataclasses

    from headerscope.auth.recorded import compare, parse_recorded
    from headerscope.model import SpfResult

    recorded, _ = parse_recorded(parse_message(field), (), None)
    recorded = tuple(dataclasses.replace(r, trusted=True) for r in recorded)
    spf = SpfResult(result="not_checked", client_ip="127.0.0.1", mail_from="postmaster@internal.sender.loc",
                    helo="internal.sender.loc", domain="internal.sender.loc", record=None, mechanism=None,
                    lookups=None, void_lookups=None, helo_result=None, inputs_from="hop 1",
                    explanation="not checked (offline)")
    comparisons, _ = compare(recorded, dkim=(), spf=spf, dmarc=None, arc=None)
    [row] = [c for c in comparisons if c.method == "spf"]
    assert row.subject == "mail02.sender.example" and row.recorded == "neutral"
    assert row.explanation.startswith("mx.example.com recorded spf=neutral for mail02.sender.example (smtp.helo); "
                                      "the SPF row here is for internal.sender.loc")


def test_a_sender_field_does_not_explain_away_a_changed_from() -> None:
    # Review AN 1: DMARC judges From: alone (RFC 7489 section 3.1). A receiver's dmarc=pass for
    # githubsupport.com above a From: now at another domain is a From: changed after delivery,
    # whatever Sender: says; only a resend (Resent-From:) is the receiver's other reading.
    from headerscope.api import analyze

    raw = (b"Authentication-Results: mx.google.com; dmarc=pass (p=NONE) header.from=githubsupport.com\r\n"
           b"Received: from out.zendesk.example (out.zendesk.example [192.0.2.7]) by mx.google.com with ESMTPS id 1; "
           b"Mon, 2 Nov 2026 10:00:01 +0000\r\n"
           b"From: GitHub Support <support@evil.example>\r\nSender: developer@githubsupport.com\r\n"
           b"To: a@gmail.example\r\nSubject: s\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n")
    ids = {f.id: f.severity.value for f in analyze(raw, offline=True).findings}
    assert ids.get("recorded.from_changed") == "warning"
    resent = raw.replace(b"Sender: developer@", b"Resent-From: developer@")
    assert {f.id: f.severity.value for f in analyze(resent, offline=True).findings}.get(
        "recorded.from_changed") == "warning"


def test_only_the_agent_in_sender_authenticated_is_said() -> None:
    # Review AN 5, verification V14 F2/R1: a forged "on behalf of": From: the boss at corp.example
    # (DMARC fail), Sender: an agent of another organisation. Whether the agent is authenticated
    # (DKIM or SPF of its organisation) is said; a list's own Sender: and a provider's mark of
    # delegation are no accusation.
    from headerscope.api import _agent_only_authenticated
    from headerscope.envelope import analyze_envelope
    from headerscope.message import parse_message

    raw = (b"From: CEO <ceo@corp.example>\r\nSender: assistant@gmail.example\r\nTo: ap@corp.example\r\n"
           b"Subject: wire\r\n\r\nx\r\n")

    def finding(data: bytes, dkim: tuple[object, ...] = (), spf: object = None, result: str = "fail") -> object:
        message = parse_message(data)
        envelope, _ = analyze_envelope(message, (), None)
        return _agent_only_authenticated(message, envelope, "corp.example", dkim, spf,  # type: ignore[arg-type]
                                         dmarc_result(result, domain="corp.example"))

    agent = sig("gmail.example", "s", 1, aligned=False)
    found = finding(raw, (agent,))
    assert found is not None and found.severity.value == "warning"
    assert found.title == ("Only the agent in Sender: (assistant@gmail.example) is authenticated, not the author in "
                           "From: (corp.example)")
    assert '"assistant@gmail.example on behalf of ceo@corp.example"' in found.explanation
    # SPF of the agent's organisation authenticates it too.
    spf_agent = finding(raw, (), spf_result("pass", domain="gmail.example"))
    assert spf_agent is not None and spf_agent.title.startswith("Only the agent in Sender:")
    # An unauthenticated brand in Sender: is said too, not passed over.
    brand = finding(raw.replace(b"assistant@gmail.example", b"DocuSign <dse@docusign.example>"))
    assert brand is not None and brand.severity.value == "warning"
    assert brand.title == ("Neither the author in From: (corp.example) nor the agent in Sender: (dse@docusign.example) "
                           "is authenticated")
    # A list's own Sender:, a provider's mark of delegation (a notice), DMARC passing or not checked.
    listed = raw.replace(b"assistant@gmail.example", b"test-bounces@lists.example.org") + b""
    listed = listed.replace(b"Subject: wire", b"List-Id: <test.lists.example.org>\r\nSubject: wire")
    list_finding = finding(listed, (sig("lists.example.org", "s", 1, aligned=False),))
    assert list_finding is not None and list_finding.severity.value == "notice"
    assert list_finding.title.startswith("Sender: is a mailing list's address (test-bounces@lists.example.org)")
    # A delegation mark is text: it lowers nothing (verification V16 F3).
    marked = raw.replace(b"Subject: wire", b"X-MS-Exchange-MessageSentRepresentingType: 2\r\nSubject: wire")
    marked_finding = finding(marked, (agent,))
    assert marked_finding is not None and marked_finding.severity.value == "warning"
    assert "marks it as a delegation" in marked_finding.explanation
    assert finding(raw, (agent,), result="pass") is None and finding(raw, (agent,), result="not_checked") is None
    # Verification V15 F3: a List-Id or a delegation mark is text: beside an unauthenticated brand
    # neither silences nor lowers the warning.
    forged_list = raw.replace(b"assistant@gmail.example", b"DocuSign <dse@docusign.example>").replace(
        b"Subject: wire", b"List-Id: <notify.docusign.example>\r\nSubject: wire")
    listed_brand = finding(forged_list)
    assert listed_brand is not None and listed_brand.severity.value == "warning"
    forged_mark = raw.replace(b"assistant@gmail.example", b"dse@docusign.example").replace(
        b"Subject: wire", b"X-MS-Exchange-MessageSentRepresentingType: 2\r\nSubject: wire")
    marked_brand = finding(forged_mark)
    assert marked_brand is not None and marked_brand.severity.value == "warning"




def _gateway_then_mailbox(lower_writer: str = "mx.gw.firma.example", upper_result: str = "fail") -> bytes:
    # A receiving organisation's gateway (hop 1) checks the message, tags its subject and adds a
    # banner; its mailbox server (hop 2) checks it again and records the break (review AP 1).
    return (
        f"Authentication-Results: EXCH01.firma.example; dkim=fail (body hash did not verify)\r\n"
        f" header.d=ekiri.ee; dmarc={upper_result} action=none header.from=ekiri.ee\r\n"
        "Received: from mx.gw.firma.example (10.20.0.5) by EXCH01.firma.example (10.20.1.11)\r\n"
        " with Microsoft SMTP Server id 15.2.1544.14; Mon, 17 Nov 2025 12:43:30 +0000\r\n"
        f"Authentication-Results: {lower_writer}; dkim=pass header.d=ekiri.ee header.s=hs;\r\n"
        "\tspf=pass smtp.mailfrom=andris@ekiri.ee; dmarc=pass (p=quarantine) header.from=ekiri.ee\r\n"
        "Received: from out.ekiri.ee (out.ekiri.ee [217.146.67.33])\r\n"
        "\tby mx.gw.firma.example (Postfix) with ESMTPS id 4dA7kX2fZ1z9sQ\r\n"
        "\tfor <kalle@firma.example>; Mon, 17 Nov 2025 12:43:28 +0000 (UTC)\r\n"
        "Return-Path: <andris@ekiri.ee>\r\n"
        "From: andris <andris@ekiri.ee>\r\nTo: kalle@firma.example\r\nSubject: [EXTERNAL] Arve\r\n"
        "Date: Mon, 17 Nov 2025 14:43:26 +0200\r\nMessage-ID: <a1@ekiri.ee>\r\n\r\n"
        "CAUTION: This email originated from outside of the organization.\r\n\r\nTere\r\n"
    ).encode()


def test_results_of_two_receiving_hosts_at_two_hops_are_a_change_between_them() -> None:
    # RFC 8601 section 2.5: the authserv-id names the host that checked. The gateway's pass and the
    # mailbox server's fail, a hop later, are two checks, not one writer contradicting itself.
    report = analyze(_gateway_then_mailbox(), offline=True)
    assert not [f for f in report.findings if f.id == "recorded.disagree"]
    [change] = [f for f in report.findings if f.id == "recorded.changed_between_hops"]
    assert change.title == "DMARC for ekiri.ee: pass at hop 1 (mx.gw.firma.example), fail at hop 2 (exch01.firma.example)"
    assert change.severity is Severity.NOTICE and change.subject == "headers 1, 3"
    assert "changed in transit between hop 1 and hop 2" in change.explanation
    # One name at both hops is not two writers by the fields' words: the disagreement stays.
    same = analyze(_gateway_then_mailbox(lower_writer="EXCH01.firma.example"), offline=True)
    assert not [f for f in same.findings if f.id == "recorded.changed_between_hops"]
    [told] = [f for f in same.findings if f.id == "recorded.disagree"]
    assert "one of the writer's filters is wrong" in told.explanation
    # Two hosts that agree: nothing to say.
    agreeing = analyze(_gateway_then_mailbox(upper_result="pass"), offline=True)
    assert not [f for f in agreeing.findings if f.id in ("recorded.changed_between_hops", "recorded.disagree")]


def test_an_arc_fail_read_from_the_receivers_own_seal_is_no_recomputation() -> None:
    # Gmail recorded arc=pass in its Authentication-Results and, in the same second, sealed i=2
    # with cv=fail (mailauth keeps such a message as its fixture arc-fail3). Offline, the chain's
    # "fail" is that seal's cv= alone (RFC 8617 section 5.2 step 2): two records of the receiver
    # contradicting each other, not "recorded and recomputed results differ" (review AP 7).
    recorded = (RecordedResult(header="Authentication-Results", header_index=9, authserv_id="mx.google.com",
                               method="arc", result="pass", properties=(), reason=None, trusted=True),)
    instances = (
        ArcInstance(instance=1, domain="google.com", selector="arc-20160816", cv="none", seal_result=None,
                    signature_result=None, authentication_results=None),
        ArcInstance(instance=2, domain="google.com", selector="arc-20160816", cv="fail", seal_result=None,
                    signature_result=None, authentication_results=None))
    terminated = ArcResult(result="fail", reason="the newest ARC-Seal (i=2) records cv=fail", instances=instances,
                           reason_code="chain_terminated")
    comparisons, findings = compare(recorded, dkim=(), spf=None, dmarc=None, arc=terminated)
    assert [(c.method, c.recorded, c.label) for c in comparisons] == [("arc", "pass", "records_disagree")]
    assert "the receiver's two records of the chain at delivery contradict each other" in comparisons[0].explanation
    [finding] = [f for f in findings if f.subject == "arc"]
    assert finding.id == "recorded.records_disagree" and "recomputed results differ" not in finding.title
    assert finding.title == ("ARC: recorded pass, but an ARC-Seal records cv=fail (the records disagree; "
                             "nothing recomputed)")
    # Another organisation's newest seal: its record, still no recomputation.
    other = replace(terminated, instances=(instances[0], replace(instances[1], domain="lists.example.org")))
    comparisons, _ = compare(recorded, dkim=(), spf=None, dmarc=None, arc=other)
    assert comparisons[0].label == "records_disagree" and "by lists.example.org" in comparisons[0].explanation
    # A chain that really fails validation now is a recomputed difference, as before.
    invalid = replace(terminated, reason="seal i=2 does not verify", reason_code="invalid")
    comparisons, _ = compare(recorded, dkim=(), spf=None, dmarc=None, arc=invalid)
    assert comparisons[0].label == "different"


def test_preserved_results_are_worded_by_what_the_message_shows() -> None:
    # Exchange Online keeps a gateway's results as Authentication-Results-Original; a message that
    # went through Exclaimer's hosted signatures on the way was changed by that service, not by a
    # list (review AP 5); only a list's keeping is "before the list changed it".
    kept = ("Authentication-Results-Original", "sender.example; dkim=pass header.d=sender.example; "
                                               "dmarc=pass header.from=sender.example")
    exclaimer = ("Received", "from EUR03-AM5-obe.outbound.protection.outlook.com (104.47.8.52) by "
                             "eu1.smtp.exclaimer.net (104.40.229.156) with Exclaimer Signature Manager ESMTP Proxy "
                             "eu1.smtp.exclaimer.net; Mon, 3 Nov 2025 10:00:00 +0000")
    [told] = [f for f in parse_recorded(message(exclaimer, kept), (), None)[1] if f.id == "recorded.preserved"]
    assert "passed through Exclaimer's signature service (header 1" in told.explanation
    assert "list" not in told.explanation
    marked = ("X-ExclaimerHostedSignatures-MessageProcessed", "true")
    [told] = [f for f in parse_recorded(message(kept, marked), (), None)[1] if f.id == "recorded.preserved"]
    assert "Exclaimer's signature service (X-ExclaimerHostedSignatures-MessageProcessed)" in told.explanation
    [plain] = [f for f in parse_recorded(message(kept), (), None)[1] if f.id == "recorded.preserved"]
    assert "list" not in plain.explanation and "before it was changed or relayed on" in plain.explanation
    mailman = ("X-Mailman-Original-Authentication-Results", kept[1])
    [listed] = [f for f in parse_recorded(message(mailman), (), None)[1] if f.id == "recorded.preserved"]
    assert "before the list changed it" in listed.explanation


def test_the_sending_tenants_results_below_a_tenant_handover_are_not_called_forged() -> None:
    # Review AQ 2 (a real phish relayed through an attacker's Microsoft 365 tenant): Exchange Online
    # of the sending tenant wrote Received-SPF for its own client; all tenants' hosts are named
    # under outlook.com, so the field "names the receiver" without being the receiver's, and it is
    # neither a forgery nor the receiver's earlier leg of a journey that never left it.
    from test_hops import _M365_TENANTS

    import headerscope

    stamps = [f"Received: {stamp}\r\n".encode() for stamp in _M365_TENANTS[::-1]]
    sending_spf = (b"Received-SPF: Pass (protection.outlook.com: domain of shop.example designates 192.0.2.9 as "
                   b"permitted sender) receiver=protection.outlook.com; client-ip=192.0.2.9; helo=mail.shop.example;\r\n")
    raw = (b"".join(stamps[:4]) + sending_spf + b"".join(stamps[4:])
           + b"From: a@shop.example\r\nTo: b@example.org\r\nSubject: s\r\nDate: Mon, 29 Oct 2018 18:12:20 +0000\r\n"
             b"\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    [spf] = [r for r in report.recorded if r.header == "Received-SPF"]
    assert not spf.trusted
    assert "the sending side's result at most, not the receiver's" in (spf.trust_reason or "")
    [claim] = [f for f in report.findings if f.id == "recorded.untrusted_claim"]
    assert claim.severity is Severity.INFO and "forged" not in claim.title.lower()
    assert "never left it" not in claim.explanation


def _tenant_chain_with_boundary_client(client: str) -> bytes:
    """_M365_TENANTS with the receiving tenant's frontend (hop 3) taking the message from
    ``client`` instead of EOP's outbound relay at 104.47.32.88, and a Received-SPF in
    protection.outlook.com's name below it."""
    from test_hops import _M365_TENANTS

    chain = list(_M365_TENANTS)
    chain[2] = chain[2].replace("NAM01-SN1-obe.outbound.protection.outlook.com (104.47.32.88)", client)
    assert chain[2] != _M365_TENANTS[2]
    stamps = [f"Received: {stamp}\r\n".encode() for stamp in chain[::-1]]
    spf = (b"Received-SPF: Pass (protection.outlook.com: domain of bank.example designates 192.0.2.9 as "
           b"permitted sender) receiver=protection.outlook.com; client-ip=192.0.2.9; helo=mail.bank.example;\r\n")
    return (b"".join(stamps[:4]) + spf + b"".join(stamps[4:])
            + b"From: a@bank.example\r\nTo: b@example.org\r\nSubject: s\r\nDate: Mon, 29 Oct 2018 18:12:20 +0000\r\n"
              b"\r\nbody\r\n")


def test_a_greeting_alone_does_not_make_a_tenant_handover_for_the_results_below() -> None:
    # Review V17 N4 (m1): a direct-to-MX sender greets as EOP's outbound relay from an address
    # that is not Microsoft's (203.0.113.77 is outside EOP's published networks, and no rDNS
    # says otherwise). Its Received-SPF in protection.outlook.com's name is its own text: the
    # possible forgery, not "the sending side's result at most".
    import headerscope

    raw = _tenant_chain_with_boundary_client("NAM01-SN1-obe.outbound.protection.outlook.com (203.0.113.77)")
    report = headerscope.analyze(raw, offline=True)
    assert report.boundary_hop == 3
    [spf] = [r for r in report.recorded if r.header == "Received-SPF"]
    assert not spf.trusted and "possibly forged" in (spf.trust_reason or "")
    assert "sending side's result" not in (spf.trust_reason or "")
    [claim] = [f for f in report.findings if f.id == "recorded.untrusted_claim"]
    assert claim.severity is Severity.WARNING and "forged" in claim.title.lower()


def test_an_outside_client_at_the_boundary_is_no_journey_that_never_left_the_organisation() -> None:
    # Review V17 N4 (m1c): every Received is by an outlook.com host, but the boundary hop's own
    # client is mail.attacker.example at a public address: the message came from outside there,
    # so a Microsoft-named field below it is no "earlier leg" of Microsoft's, but a possible forgery.
    import headerscope

    report = headerscope.analyze(_tenant_chain_with_boundary_client("mail.attacker.example (203.0.113.77)"),
                                 offline=True)
    assert report.boundary_hop == 3
    [spf] = [r for r in report.recorded if r.header == "Received-SPF"]
    assert not spf.trusted and "earlier leg" not in (spf.trust_reason or "")
    assert "possibly forged" in (spf.trust_reason or "")
    [claim] = [f for f in report.findings if f.id == "recorded.untrusted_claim"]
    assert claim.severity is Severity.WARNING


# Verification V30b, defect 1: Postfix with one milter per check writes OpenDKIM's field above its
# Received and OpenDMARC's and policyd-spf's directly below it, all in its own name (the layout of
# smtp.subspace.kernel.org in stored lore copies:
#   Authentication-Results: smtp.subspace.kernel.org; dkim=pass (2048-bit key) header.d=google.com ...
#   Received: from mail-qv1-f53.google.com (...) by smtp.subspace.kernel.org (Postfix) with ESMTPS id ...
#   Authentication-Results: smtp.subspace.kernel.org; dmarc=pass (p=reject dis=none) header.from=google.com
#   Authentication-Results: smtp.subspace.kernel.org; spf=pass smtp.mailfrom=google.com).
# Those were called "Possibly forged" because the receiver "writes its results above".
def _kernel_org_layout(*, client_ip: bytes, body: bytes, above: bytes) -> bytes:
    from conftest import sign_as_example_org

    author = (b"From: Carol Dupont <carol@example.org>\r\nTo: dave@rcpt.example\r\nSubject: Reunion\r\n"
              b"Date: Thu, 26 Nov 2026 14:03:09 +0100\r\nMessage-ID: <reunion@mail.example.org>\r\n\r\n"
              b"See you on the 12th.\r\n")
    signature = sign_as_example_org(author, [b"from", b"to", b"subject", b"date", b"message-id"])
    b_tag = signature.split(b" b=", 1)[1][:8]
    return (b"Return-Path: <carol@example.org>\r\n"
            b"Authentication-Results: mx.rcpt.example;\r\n\t" + above.replace(b"{b}", b_tag) + b"\r\n"
            b"Received: from mail.example.org (mail.example.org [" + client_ip + b"])\r\n"
            b"\tby mx.rcpt.example (Postfix) with ESMTPS id 4R93q8140pz3cc5\r\n"
            b"\tfor <dave@rcpt.example>; Thu, 26 Nov 2026 13:03:20 +0000 (UTC)\r\n"
            b"Authentication-Results: mx.rcpt.example; dmarc=pass (p=reject dis=none) header.from=example.org\r\n"
            b"Authentication-Results: mx.rcpt.example; spf=pass (sender SPF authorized) smtp.mailfrom=example.org\r\n"
            b"Received: from [10.0.0.77] by mail.example.org with ESMTPSA id 9F1; Thu, 26 Nov 2026 14:03:12 +0100\r\n"
            + signature + author.replace(b"See you on the 12th.\r\n", body))


def _snapshot_analyze(raw: bytes) -> Report:
    import json

    from conftest import SAMPLES

    dns = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())
    return analyze(raw, resolver=SnapshotResolver(dns))


def test_results_of_per_check_milters_below_the_receivers_received_are_not_called_forged() -> None:
    genuine = _kernel_org_layout(client_ip=b"192.0.2.40", body=b"See you on the 12th.\r\n",
                                 above=b'dkim=pass (2048-bit key) header.d=example.org header.i=@example.org header.b="{b}"')
    report = _snapshot_analyze(genuine)
    assert report.verdict.status == "authenticated"
    assert report.dmarc is not None and report.dmarc.result == "pass"
    below = [r for r in report.recorded if r.header_index in (3, 4)]
    assert {(r.method, r.result, r.trusted, r.below_with_filters) for r in below} == {
        ("dmarc", "pass", False, True), ("spf", "pass", False, True)}
    claims = [f for f in report.findings if f.id == "recorded.untrusted_claim"]
    assert [(f.severity.value, f.title) for f in claims] == [
        ("info", "Authentication-Results 2 fields in the receiver's name below its Received: not relied on")]
    assert "Postfix's milters, one per check" in claims[0].explanation
    assert "headerscope's own checks do not contradict them" in claims[0].explanation
    # The receiver's own field above its Received is relied on, as before.
    [dkim_above] = [r for r in report.recorded if r.header_index == 1]
    assert dkim_above.trusted and dkim_above.result == "pass" and not dkim_above.below_with_filters


def test_a_sender_supplied_pass_below_the_receivers_received_that_headerscope_contradicts_is_possibly_forged() -> None:
    # The same layout from a client SPF does not authorise, with the body changed after signing:
    # what a sender connecting directly would write there, claiming passes it did not earn.
    forged = _kernel_org_layout(client_ip=b"203.0.113.9", body=b"Wire the money today.\r\n",
                                above=b"dkim=fail (body hash did not verify) header.d=example.org")
    report = _snapshot_analyze(forged)
    assert report.verdict.status == "spoofed"
    claims = [f for f in report.findings if f.id == "recorded.untrusted_claim"]
    assert [(f.severity.value, f.title) for f in claims] == [
        ("warning", "Possibly forged Authentication-Results: claims dmarc=pass, spf=pass in the receiver's name, "
                    "against headerscope's own checks")]
    assert "contradict dmarc=pass (headerscope: fail), spf=pass (headerscope: fail)" in claims[0].explanation
    # A pass below for the same check the receiver recorded above is forged by position alone (V10 P1).
    same_check = forged.replace(b"mx.rcpt.example; dmarc=pass", b"mx.rcpt.example; dkim=pass header.d=example.org; dmarc=pass")
    titles = [f.title for f in _snapshot_analyze(same_check).findings if f.id == "recorded.untrusted_claim"]
    assert "Possibly forged Authentication-Results: claims dkim=pass, dmarc=pass in the receiver's name" in titles


def _pem_and_record(bits: int = 1024) -> tuple[bytes, str]:
    """A new RSA key: its PKCS#8 PEM, and the DKIM key record publishing it (RFC 6376 section 3.6.1)."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = private.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, "v=DKIM1; k=rsa; p=" + base64.b64encode(public).decode()


def _two_signatures_one_key_replaced(recorded: bytes, *, edit: tuple[bytes, bytes] | None = None) -> Report:
    """A message signed twice by example.org over the same fields (selectors mail2026, the samples'
    key, and s2, a key made here), delivered straight from its authorised server to a receiver that
    wrote ``recorded`` above its Received. Since then example.org put another key at s2. ``edit``:
    a change to the stored copy."""
    import json
    from datetime import datetime, timezone
    from unittest import mock

    import dkim
    from conftest import SAMPLES, sign_as_example_org

    author = (b"From: Carol Dupont <carol@example.org>\r\nTo: dave@rcpt.example\r\nSubject: Reunion\r\n"
              b"Date: Thu, 26 Nov 2026 14:03:09 +0100\r\nMessage-ID: <reunion@mail.example.org>\r\n\r\n"
              b"See you on the 12th.\r\n")
    fields = [b"from", b"to", b"subject", b"date", b"message-id"]
    first = sign_as_example_org(author, fields, canonicalize=(b"relaxed", b"simple"))
    pem, _ = _pem_and_record()
    with mock.patch("dkim.time.time", return_value=datetime(2026, 11, 26, 13, 3, 11, tzinfo=timezone.utc).timestamp()):
        second = bytes(dkim.sign(author, b"s2", b"example.org", pem, canonicalize=(b"relaxed", b"simple"),
                                 include_headers=fields))
    dns = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())
    dns["s2._domainkey.example.org"] = {"TXT": [[_pem_and_record()[1]]]}  # replaced since
    raw = (b"Return-Path: <carol@example.org>\r\n" + recorded.replace(b"{b}", second.split(b" b=", 1)[1][:8]) +
           b"Received: from mail.example.org (mail.example.org [192.0.2.40])\r\n"
           b"\tby mx.rcpt.example (Postfix) with ESMTPS id 4R93q8140pz3cc5\r\n"
           b"\tfor <dave@rcpt.example>; Thu, 26 Nov 2026 13:03:20 +0000 (UTC)\r\n" + second + first + author)
    if edit is not None:
        raw = raw.replace(*edit)
    return analyze(raw, resolver=SnapshotResolver(dns))


def _dkim_rows(report: Report) -> dict[str | None, tuple[str | None, str | None, str]]:
    return {c.subject: (c.recorded, c.recomputed, c.label) for c in report.comparison if c.method == "dkim"}


def test_a_replaced_key_beside_a_verifying_signature_over_the_same_fields_is_said_not_proven() -> None:
    # Verification V30b, defect 3 (Gmail's A-R form, naming each signature by header.s and header.b):
    # the copy is byte-exact; only the key at s2 changed. The signature by mail2026 over the same
    # fields verifies: those fields did not change, which points to a replaced key. Not a proof
    # (verification V31): the failing signature's own field, which it alone signs, may have been
    # edited (its h=, to drop a field changed after delivery) and fails the same way. So: a
    # difference with both said, the DKIM warning kept with the hint, no "modified after delivery".
    report = _two_signatures_one_key_replaced(
        b"Authentication-Results: mx.rcpt.example;\r\n"
        b"\tdkim=pass header.i=@example.org header.s=s2 header.b={b};\r\n"
        b"\tdkim=pass header.i=@example.org header.s=mail2026\r\n")
    rows = _dkim_rows(report)
    assert rows["example.org/s2"] == ("pass", "fail", "different")
    assert rows["example.org/mail2026"] == ("pass", "pass", "same")
    explanation = next(c.explanation for c in report.comparison if c.subject == "example.org/s2")
    assert "which points to the key at this selector replaced since (key rotation)" in explanation
    assert "an edit of this signature's own field (its h= or other tags) fails the same way" in explanation
    ids = {f.id: f for f in report.findings}
    assert "recorded.modified_after_delivery" not in ids and "dkim.key_unavailable" not in ids
    changed = ids["dkim.headers_changed"]
    assert changed.severity.value == "warning" and changed.subject == "dkim example.org/s2"
    assert "points to a key replaced at s2._domainkey.example.org since signing" in changed.explanation
    assert "nothing here can tell the two apart" in changed.explanation
    # A Subject changed after delivery breaks both: no witness, a change (its words now also name
    # the other possibility, a key replaced at the selector).
    edited = _two_signatures_one_key_replaced(
        b"Authentication-Results: mx.rcpt.example;\r\n"
        b"\tdkim=pass header.i=@example.org header.s=s2 header.b={b};\r\n"
        b"\tdkim=pass header.i=@example.org header.s=mail2026\r\n", edit=(b"Subject: Reunion", b"Subject: [EXT] Reunion"))
    rows = _dkim_rows(edited)
    assert rows["example.org/s2"][2] == rows["example.org/mail2026"][2] == "modified_after_delivery"
    assert "points to a key replaced" not in next(f for f in edited.findings if f.id == "dkim.headers_changed").explanation
    explanation = next(c.explanation for c in edited.comparison if c.subject == "example.org/s2")
    assert "or the key at the selector was replaced since" in explanation


def test_one_domain_level_dkim_pass_is_about_one_signature_of_that_domain() -> None:
    # Verification V30b, defect 2: Exchange Online writes one "dkim=pass header.d=..." per domain,
    # with no selector or header.b. It was compared with every signature of the domain, so a
    # second one whose key was replaced read "verified at delivery ... modified after delivery".
    report = _two_signatures_one_key_replaced(
        b"Authentication-Results: spf=pass (sender IP is 192.0.2.40) smtp.mailfrom=example.org;\r\n"
        b" dkim=pass (signature was verified) header.d=example.org;dmarc=pass action=none\r\n"
        b" header.from=example.org;compauth=pass reason=100\r\n")
    rows = _dkim_rows(report)
    assert rows["example.org/mail2026"] == ("pass", "pass", "same")
    assert rows["example.org/s2"] == (None, "fail", "not_recorded")
    assert "recorded.modified_after_delivery" not in {f.id for f in report.findings}


def test_a_recorded_dmarc_temperror_is_a_transient_error_and_arc_none_agrees_with_no_arc_set() -> None:
    # Verification V30b, minor: dmarc=temperror recorded at delivery against a pass now read
    # "different" with no word of why (dkim=temperror already reads as a transient DNS error), and
    # Fastmail's "arc=none (no signatures found)" on a message without ARC sets read "ARC was not
    # evaluated".
    raw = _kernel_org_layout(client_ip=b"192.0.2.40", body=b"See you on the 12th.\r\n",
                             above=b"dkim=pass header.d=example.org header.b={b};\r\n\tdmarc=temperror "
                                   b"header.from=example.org;\r\n\tarc=none (no signatures found)")
    rows = {c.method: c for c in _snapshot_analyze(raw).comparison}
    # Not "changed in DNS since delivery" (verification V31): nothing in DNS needs to have changed.
    assert (rows["dmarc"].recorded, rows["dmarc"].recomputed, rows["dmarc"].label) == ("temperror", "pass", "different")
    assert "a transient DNS error" in rows["dmarc"].explanation and "RFC 8601 section 2.7.1" in rows["dmarc"].explanation
    assert (rows["arc"].recorded, rows["arc"].recomputed, rows["arc"].label) == ("none", "none", "same")
    assert rows["arc"].explanation == "mx.rcpt.example recorded arc=none, and the message has no ARC set now either."


def test_a_none_above_the_receivers_received_still_makes_a_pass_below_a_look_alike() -> None:
    # Verification V31, D5: "Authentication-Results: <id>; none" above the receiver's Received (no
    # check in it, RFC 8601 section 2.2) counted as no result above, so a forged field below in its
    # name (dkim, spf and dmarc pass, for a signature made with the forger's own unpublished key) was
    # trusted and the spoof read "Authenticated ... at delivery".
    forged = _kernel_org_layout(client_ip=b"203.0.113.9", body=b"Wire the money today.\r\n", above=b"none")
    forged = forged.replace(b"mx.rcpt.example; dmarc=pass", b"mx.rcpt.example; dkim=pass header.d=example.org; dmarc=pass")
    report = _snapshot_analyze(forged)
    assert report.verdict.status == "spoofed"
    below = [r for r in report.recorded if r.header_index in (3, 4)]
    assert below and not any(r.trusted for r in below)
    titles = [f.title for f in report.findings if f.id == "recorded.untrusted_claim"]
    assert titles == ["Possibly forged Authentication-Results: claims dkim=pass, dmarc=pass in the receiver's name",
                      "Possibly forged Authentication-Results: claims spf=pass in the receiver's name"], titles


def test_arc_iprev_and_auth_passes_below_the_receivers_received_are_judged_against_its_own_checks() -> None:
    # Verification V31, D4: arc=pass on a message with no ARC set, auth=pass on a hop with no login,
    # iprev=pass for a client without forward-confirmed reverse DNS were "not contradicted".
    forged = _kernel_org_layout(client_ip=b"203.0.113.9", body=b"Wire the money today.\r\n",
                                above=b"dkim=fail header.d=example.org")
    forged = forged.replace(
        b"Authentication-Results: mx.rcpt.example; dmarc=pass (p=reject dis=none) header.from=example.org\r\n"
        b"Authentication-Results: mx.rcpt.example; spf=pass (sender SPF authorized) smtp.mailfrom=example.org\r\n",
        b"Authentication-Results: mx.rcpt.example; auth=pass smtp.auth=carol@example.org; arc=pass; iprev=pass "
        b"policy.iprev=203.0.113.9\r\n")
    report = _snapshot_analyze(forged)
    [claim] = [f for f in report.findings if f.id == "recorded.untrusted_claim"]
    assert claim.severity.value == "warning", claim
    assert "auth=pass (headerscope: none), arc=pass (headerscope: none), iprev=pass (headerscope: " in claim.explanation


def _subdomain_dmarc(result: str, record: str, policy: str, reason: str) -> DmarcResult:
    """DMARC for From: sub.example.com under the record at _dmarc.example.com."""
    tags = tuple((k.strip(), v.strip()) for k, _, v in (t.partition("=") for t in record.split(";") if t.strip()))
    values = dict(tags)
    parsed = DmarcRecord(raw=record, tags=tags, p=values.get("p"), sp=values.get("sp"), np=values.get("np"),
                         pct=100, adkim="r", aspf="r", fo=None, rua=(), ruf=(), t=None, psd=None)
    return DmarcResult(result=result, from_domain="sub.example.com", org_domain="example.com",
                       record_domain="example.com", record=parsed, policy=policy, policy_reason=reason,
                       disposition=policy if result == "fail" else "none", dkim_aligned=result == "pass",
                       spf_aligned=False, aligned_dkim_domain="example.com" if result == "pass" else None,
                       explanation="evaluated")


def _dmarc_recorded(reason: str | None, *, result: str = "fail",
                    properties: tuple[tuple[str, str], ...] = ()) -> tuple[RecordedResult, ...]:
    return (RecordedResult(header="Authentication-Results", header_index=0, authserv_id="mail.example.net",
                           method="dmarc", result=result,
                           properties=(*properties, ("header.from", "sub.example.com")), reason=reason,
                           trusted=True),)


@pytest.mark.parametrize("result", ["fail", "pass"])
def test_applied_policy_of_a_subdomain_is_compared_with_the_applied_policy(result: str) -> None:
    # OpenDMARC's "p=" and authheaders' policy.dmarc name the policy applied (sp= for a
    # subdomain), not the record's p=: verification V34c, cases od_sp and ah_np.
    now = _subdomain_dmarc(result, "v=DMARC1; p=none; sp=reject", "reject", "sp=reject: sub.example.com is a subdomain")
    for recorded in (_dmarc_recorded("p=reject dis=none", result=result),
                     _dmarc_recorded(None, result=result, properties=(("policy.dmarc", "reject"),))):
        comparisons, findings = compare(recorded, dkim=(), spf=None, dmarc=now, arc=None)
        assert _labels(comparisons)["dmarc"] == "same"
        assert not any(f.id == "recorded.policy_changed" for f in findings)
    # np= applied to a non-existent subdomain, or the sp= a receiver that follows RFC 7489 alone applies.
    np_now = _subdomain_dmarc(result, "v=DMARC1; p=none; sp=quarantine; np=reject", "reject",
                              "np=reject: sub.example.com does not exist (NXDOMAIN)")
    for applied in ("reject", "quarantine"):
        comparisons, _ = compare(_dmarc_recorded(f"p={applied} dis=none", result=result), dkim=(), spf=None,
                                 dmarc=np_now, arc=None)
        assert _labels(comparisons)["dmarc"] == "same"
    # A policy the record cannot give the subdomain now is a change, told with the record's owner.
    changed = _subdomain_dmarc(result, "v=DMARC1; p=reject; sp=none", "none", "sp=none: sub.example.com is a subdomain")
    comparisons, findings = compare(_dmarc_recorded("p=reject dis=none", result=result), dkim=(), spf=None,
                                    dmarc=changed, arc=None)
    dmarc = next(c for c in comparisons if c.method == "dmarc")
    assert dmarc.label == "policy_changed"
    assert "the reject policy it applied" in dmarc.explanation
    assert "_dmarc.example.com gives sub.example.com none" in dmarc.explanation
    assert "sub.example.com publishes" not in dmarc.explanation


def test_gmail_comment_gives_the_records_p_beside_sp() -> None:
    # Google's "p=X sp=Y dis=Z": p= is the record's own, compared with the record's p= now.
    now = _subdomain_dmarc("fail", "v=DMARC1; p=none; sp=reject", "reject", "sp=reject: sub.example.com is a subdomain")
    comparisons, _ = compare(_dmarc_recorded("p=NONE sp=REJECT dis=REJECT"), dkim=(), spf=None, dmarc=now, arc=None)
    assert _labels(comparisons)["dmarc"] == "same"
    comparisons, _ = compare(_dmarc_recorded("p=REJECT sp=REJECT dis=REJECT"), dkim=(), spf=None, dmarc=now,
                             arc=None)
    dmarc = next(c for c in comparisons if c.method == "dmarc")
    assert dmarc.label == "policy_changed"
    assert "_dmarc.example.com, the record that applies to sub.example.com, publishes p=none" in dmarc.explanation


# A real Outlook.com non-delivery report's "Original message headers" (an inbox rule's forward
# from hotmail.com to Gmail, refused 550 5.7.26; Zoho -> hotmail.com, 2026-05-18; code corpus id
# 55072752262), cut to its trace and result fields: the copy keeps only Microsoft's internal hops,
# not the Received where the message arrived from Zoho (136.143.188.11).
_OUTLOOK_NDR_COPY = (
    b"Received: from DM6PR12MB2971.namprd12.prod.outlook.com (2603:10b6:5:118::28)\r\n"
    b" by IA0PR12MB7699.namprd12.prod.outlook.com (2603:10b6:208:431::7) with\r\n"
    b" Microsoft SMTP Server (version=TLS1_2,\r\n"
    b" cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.21.25.23; Mon, 18 May\r\n"
    b" 2026 17:31:43 +0000\r\n"
    b"Received: from DM6PR12MB2971.namprd12.prod.outlook.com ([::1]) by\r\n"
    b" DM6PR12MB2971.namprd12.prod.outlook.com ([fe80::1d36:dae5:4d49:de87%4]) with\r\n"
    b" Microsoft SMTP Server id 15.21.0025.022; Mon, 18 May 2026 17:31:43 +0000\r\n"
    b"{submission}"
    b"ARC-Authentication-Results: i=2; mx.microsoft.com 1; spf=pass (sender ip is\r\n"
    b" 136.143.188.11) smtp.rcpttodomain=hotmail.com smtp.mailfrom=ynkr.org;\r\n"
    b" dmarc=bestguesspass action=none header.from=ynkr.org; dkim=fail (no key for\r\n"
    b" signature) header.d=ynkr.org; arc=pass (0 oda=0 ltdi=0 93)\r\n"
    b"Authentication-Results: spf=pass (sender IP is 136.143.188.11)\r\n"
    b" smtp.mailfrom=ynkr.org; dkim=fail (no key for signature)\r\n"
    b" header.d=ynkr.org;dmarc=bestguesspass action=none\r\n"
    b" header.from=ynkr.org;compauth=pass reason=109\r\n"
    b"Received-SPF: Pass (protection.outlook.com: domain of ynkr.org designates\r\n"
    b" 136.143.188.11 as permitted sender) receiver=protection.outlook.com;\r\n"
    b" client-ip=136.143.188.11; helo=sender4-op-o11.zoho.com; pr=C\r\n"
    b"From: Jason Younker <jason@ynkr.org>\r\n"
    b"Subject: Introduction and PHS summer schedule\r\n"
    b"Message-ID: <BF7DE6E1-A65C-4301-A61E-165526EDEBB3@ynkr.org>\r\n"
    b"Date: Mon, 18 May 2026 13:31:25 -0400\r\n"
    b"To: jrguiney@hotmail.com\r\n"
    b"Return-Path: jason@ynkr.org\r\n"
)


def test_results_below_a_missing_arrival_hop_are_not_relied_on_and_not_called_forged() -> None:
    # Verification V34g: with the arrival hop missing (hops.arrival_missing), Microsoft's own
    # ARC-Authentication-Results and Received-SPF sit below every Received shown, as a sender's
    # would: their writer cannot be placed. They were two headline warnings, "Possibly forged ...
    # the sender (or a hop before the receiver) wrote it".
    report = analyze(_OUTLOOK_NDR_COPY.replace(b"{submission}", b""), offline=True)
    assert "hops.arrival_missing" in {f.id for f in report.findings}
    claims = [f for f in report.findings if f.id == "recorded.untrusted_claim"]
    assert {f.subject for f in claims} == {"header 3", "header 4", "header 5"}
    assert all(f.severity is Severity.INFO and "forged" not in f.title.lower() for f in claims), claims
    for subject in ("header 3", "header 5"):
        [claim] = [f for f in claims if f.subject == subject]
        assert "the hop where the message arrived is missing from this copy (hops.arrival_missing)" in claim.explanation
        assert "forged" not in claim.explanation
    assert not any(r.trusted for r in report.recorded)


@pytest.mark.parametrize("submission", [
    # Outlook submitting to its mailbox server (Exchange's "with mapi", RFC 6409's submission)...
    b"Received: from DM6PR12MB2971.namprd12.prod.outlook.com (2603:10b6:5:118::28) by\r\n"
    b" DM6PR12MB2971.namprd12.prod.outlook.com with mapi id 15.21.0025.022; Mon, 18 May 2026 17:31:40 +0000\r\n",
    # ... an authenticated SMTP submission ...
    b"Received: from [10.0.0.5] (10.0.0.5) by DM6PR12MB2971.namprd12.prod.outlook.com with ESMTPSA\r\n"
    b" id 15.21.0025.022; Mon, 18 May 2026 17:31:40 +0000\r\n",
    # ... or webmail (HTTPS), below the last hop.
    b"Received: from DM6PR12MB2971.namprd12.prod.outlook.com (2603:10b6:5:118::28) by\r\n"
    b" DM6PR12MB2971.namprd12.prod.outlook.com with HTTPS; Mon, 18 May 2026 17:31:40 +0000\r\n",
])
def test_a_sender_inside_cannot_silence_a_forged_result_by_making_the_arrival_read_as_missing(submission: bytes) -> None:
    # hops.arrival_missing is said when no hop shows the message coming from outside; a sender
    # whose message never leaves the receiving side (an account at the same provider) can write a
    # Received-SPF in the receiver's name recording a client no Received names, and so make the
    # arrival read as missing. Its chain still holds its own submission, which it cannot remove:
    # the message was written inside, and its look-alikes stay possibly forged.
    # The sender's From: first, then its look-alikes among its own fields (not in the receiver's
    # run of trace fields under its Received, nor at the end of the header).
    copy = _OUTLOOK_NDR_COPY.replace(b"{submission}", submission)
    results = copy.index(b"ARC-Authentication-Results:")
    sender = copy.index(b"From:")
    subject = copy.index(b"Subject:")
    copy = copy[:results] + copy[sender:subject] + copy[results:sender] + copy[subject:]
    report = analyze(copy, offline=True)
    assert "hops.arrival_missing" in {f.id for f in report.findings}
    warned = [f.subject for f in report.findings if f.id == "recorded.untrusted_claim"
              and f.severity is Severity.WARNING and f.title.startswith("Possibly forged")]
    assert warned == ["header 5", "header 7"], warned
    # Without the submission, the same layout is the copy cut before its arrival: not relied on.
    cut = copy.replace(submission, b"")
    report = analyze(cut, offline=True)
    assert "hops.arrival_missing" in {f.id for f in report.findings}
    assert not [f for f in report.findings if f.id == "recorded.untrusted_claim" and f.severity is not Severity.INFO]


def test_authentication_milters_published_domain_policy_is_the_records_p() -> None:
    # authentication_milter (Fastmail, OVH) writes the record's p= as policy.published-domain-policy,
    # its sp= apart, and which applied in policy.policy-from (verification V35a): the unchanged record
    # p=reject; sp=none of a subdomain's From: is the same policy, not one changed since delivery.
    now = _subdomain_dmarc("pass", "v=DMARC1; p=reject; sp=none", "none", "sp=none: sub.example.com is a subdomain")
    recorded = _dmarc_recorded(None, result="pass", properties=(
        ("policy.published-domain-policy", "reject"), ("policy.published-subdomain-policy", "none"),
        ("policy.policy-from", "sp")))
    comparisons, findings = compare(recorded, dkim=(), spf=None, dmarc=now, arc=None)
    assert _labels(comparisons)["dmarc"] == "same"
    assert not any(f.id == "recorded.policy_changed" for f in findings)
    # The record's p= changed since delivery: still told.
    changed = _subdomain_dmarc("pass", "v=DMARC1; p=quarantine; sp=none", "none", "sp=none: sub.example.com is a subdomain")
    comparisons, _ = compare(recorded, dkim=(), spf=None, dmarc=changed, arc=None)
    assert _labels(comparisons)["dmarc"] == "policy_changed"


def test_a_subdomain_policys_dis_reject_on_a_kept_copy_is_a_rejection_not_carried_out() -> None:
    # Gmail's "p=NONE sp=REJECT dis=REJECT" for a subdomain: the sp= wording is kept, and the copy
    # here to read was kept, not rejected (verification V35a).
    ours = _subdomain_dmarc("fail", "v=DMARC1; p=none; sp=reject", "reject", "sp=reject: sub.example.com is a subdomain")
    _, findings = compare(_dmarc_recorded("p=NONE sp=REJECT dis=REJECT"), dkim=(), spf=None, dmarc=ours, arc=None)
    [action] = [f for f in findings if f.id == "recorded.dmarc_action"]
    assert action.title == ("The receiving side (mail.example.net) recorded the disposition reject (dis=REJECT) under the "
                            "domain's subdomain policy sp=reject for sub.example.com, yet kept this copy")


def test_authentication_milters_mailing_list_override_is_no_arc_override() -> None:
    # Verification V39e (the shape of fastmail/authentication_milter's test data): a dmarc=fail with
    # "policy.override-reason=mailing_list" and "arc_aware_result=fail" in its comment, arc=none, no
    # ARC set: it read "accepted the message on the word of an ARC chain" ("arc" and "override").
    import headerscope

    raw = (b"Authentication-Results: mx6.messagingengine.com;\r\n"
           b"    arc=none (no signatures found);\r\n"
           b"    dmarc=fail policy.published-domain-policy=reject\r\n"
           b"      policy.applied-disposition=none policy.evaluated-disposition=reject\r\n"
           b"      policy.override-reason=mailing_list policy.arc-aware-result=fail\r\n"
           b"      (p=reject,sp=none,has-list-id=yes,d=none,d.eval=reject,override=mailing_list,arc_aware_result=fail)\r\n"
           b"      header.from=bank-example.com;\r\n"
           b"    spf=pass smtp.mailfrom=list-bounces@lists.example.org\r\n"
           b"Received: from mail.lists.example.org (mail.lists.example.org [203.0.113.80])\r\n"
           b"\tby mx6.messagingengine.com (Postfix) with ESMTPS\r\n"
           b"\tfor <alice@fastmail.com>; Mon, 30 Nov 2026 10:00:02 -0500 (EST)\r\n"
           b"List-Id: <talk.lists.example.org>\r\nFrom: Bank <alerts@bank-example.com>\r\n"
           b"To: talk@lists.example.org\r\nSubject: s\r\nDate: Mon, 30 Nov 2026 09:59:00 -0500\r\n\r\nBody.\r\n")
    report = headerscope.analyze(raw, offline=True)
    assert "ARC chain" not in report.verdict.summary, report.verdict.summary
    assert not any("ARC chain" in f.explanation for f in report.findings if f.id == "recorded.dmarc_fail")


# iCloud's layout (a real delivery, QQ -> Cloudflare Email Routing -> iCloud, 2023): its results
# under per-method names of icloud.com, below the Received of its me.com host.
ICLOUD_RUN = (
    b"Return-path: <SRS0=Z8Bj=5h=qq.com=chriswhite33333@wh1te.dev>\r\n"
    b"Original-recipient: rfc822;chriswhite1024@icloud.com\r\n"
    b"Received: from st43p00im-qukt05021701.me.com by p44-mailgateway-smtp-778464bd6-glqrh (mailgateway 2403B92)\r\n"
    b"\twith SMTP id d888ea55-3ef2-4d3c-b43b-1fafd97034a9 \r\n"
    b"\tfor <chriswhite1024@icloud.com>; Mon, 18 Dec 2023 10:56:29 GMT\r\n"
    b"X-Apple-MoveToFolder: INBOX \r\n"
    b"X-Apple-Action: MOVE_TO_FOLDER/INBOX\r\n"
    b"X-Apple-UUID: d888ea55-3ef2-4d3c-b43b-1fafd97034a9\r\n"
    b"Received: from i-bf.email.cloudflare.net (i-bf.email.cloudflare.net [104.30.8.15])\r\n"
    b"\tby st43p00im-qukt05021701.me.com (Postfix) with ESMTPS id EC1AC39C0207\r\n"
    b"\tfor <chriswhite1024@icloud.com>; Mon, 18 Dec 2023 10:56:23 +0000 (UTC)\r\n"
    b"X-ICL-SCORE: 3.333033230041\r\n"
    b"Authentication-Results: bimi.icloud.com; bimi=none\r\n"
    b"X-ARC-Info: policy=fail; arc=none\r\n"
    b"Authentication-Results: arc.icloud.com; arc=none\r\n"
    b"Authentication-Results: dmarc.icloud.com; dmarc=pass header.from=qq.com\r\n"
    b"X-DMARC-Info: pass=pass; dmarc-policy=quarantine; s=r0; d=r1; pdomain=qq.com\r\n"
    b"Authentication-Results: spf.icloud.com; spf=pass (spf.icloud.com: domain of "
    b"SRS0=Z8Bj=5h=qq.com=chriswhite33333@wh1te.dev designates 104.30.8.15 as permitted sender) "
    b"smtp.mailfrom=\"SRS0=Z8Bj=5h=qq.com=chriswhite33333@wh1te.dev\"\r\n"
    b"Received: from out203-205-251-72.mail.qq.com (203.205.251.72)\r\n"
    b"        by email.cloudflare.net (unknown) id RG92Nrb6R2cD\r\n"
    b"        for <moe@wh1te.dev>; Mon, 18 Dec 2023 10:56:16 +0000\r\n"
    b"From: Chris <chriswhite33333@qq.com>\r\nTo: moe@wh1te.dev\r\nSubject: test\r\n"
    b"Date: Mon, 18 Dec 2023 18:56:10 +0800\r\n\r\nTesting.\r\n")


def test_other_names_of_the_receiving_organisation_in_its_run_are_not_called_the_boundary_host() -> None:
    # Verification V44g, defect 3: iCloud's bimi/arc/dmarc/spf.icloud.com fields, trusted rightly,
    # read "written by bimi.icloud.com, the boundary host (hop 3)"; the boundary host is
    # st43p00im-qukt05021701.me.com. Gmail's Received-SPF in google.com's name likewise.
    recorded, boundary = _recorded_of(ICLOUD_RUN)
    assert boundary == 2  # hop 3 in the full copy, which has the sender's own hop below
    icloud = [r for r in recorded if (r.authserv_id or "").endswith("icloud.com")]
    assert [r.authserv_id for r in icloud] == ["bimi.icloud.com", "arc.icloud.com", "dmarc.icloud.com", "spf.icloud.com"]
    for rec in icloud:
        assert rec.trusted
        assert rec.trust_reason == (
            f"written by {rec.authserv_id}, a name of the receiving organisation (icloud.com), in the unbroken run "
            "of trace fields and stamps between the boundary Received (hop 2, by st43p00im-qukt05021701.me.com) "
            "and the previous hop's, where the receiver writes its results")
    recorded, _ = _recorded_of(PRE_ARC_GMAIL)
    assert [(r.authserv_id, r.trust_reason.split(", in the unbroken run")[0]) for r in recorded] == [
        ("google.com", "written by google.com, the receiving organisation's domain"),
        ("mx.google.com", "written by mx.google.com, the boundary host (hop 2)")]


def test_a_result_written_without_the_semicolon_before_it_is_said() -> None:
    # An older Zoho form (help.zoho.com thread on the header's format): no ";" between dkim= and
    # spf=, so both readers take spf=pass for a property of dkim's: said, not lost in silence
    # (verification V47e E3).
    from headerscope.auth.recorded import _parse_authentication_results_uncached as parse

    value = ("mx.zoho.com;\r\n dkim=pass\r\n spf=pass (zoho.com: domain of _spf.google.com designates 209.85.192.169 "
             "as permitted sender) smtp.mailfrom=x@gmail.com;\r\n dmarc=pass header.from=<x@gmail.com>")
    parsed = parse(value, False)
    assert [c.method for c in parsed.clauses] == ["dkim", "dmarc"]
    assert any(d.startswith("spf=pass written without the ';' before it") for d in parsed.defects), parsed.defects
