"""The recipient's own inbound gateway (Mimecast, Proofpoint) in front of Exchange Online or Gmail:
the mailbox provider's results behind it are the receiving side's own records, judged for the
gateway's address (verification V30f)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from conftest import SAMPLES, sign_as_example_org

import headerscope
from headerscope.auth.dmarc import UNLESS_GATEWAY
from headerscope.auth.recorded import COMPAUTH_FAIL_SUBJECT
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Finding, Report, Severity

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)
MIMECAST_IP = "170.10.129.124"
SENDER_IP = "192.0.2.10"

# Exchange Online's own hops above its frontend (real layout, as Outlook shows the headers).
_EOP_TOP = (
    b"Received: from SA1PR12MB7199.namprd12.prod.outlook.com (::1) by\r\n"
    b" MN0PR12MB5979.namprd12.prod.outlook.com with HTTPS; Thu, 26 Nov 2026\r\n"
    b" 13:05:09 +0000\r\n"
    b"Received: from BN9PR03CA0544.namprd03.prod.outlook.com (2603:10b6:408:138::9)\r\n"
    b" by SA1PR12MB7199.namprd12.prod.outlook.com (2603:10b6:806:2bc::21) with\r\n"
    b" Microsoft SMTP Server (version=TLS1_2,\r\n"
    b" cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.6745.33; Thu, 26 Nov\r\n"
    b" 2026 13:05:09 +0000\r\n"
    b"Received: from BN8NAM11FT011.eop-nam11.prod.protection.outlook.com\r\n"
    b" (2603:10b6:408:138:cafe::1e) by BN9PR03CA0544.outlook.office365.com\r\n"
    b" (2603:10b6:408:138::9) with Microsoft SMTP Server (version=TLS1_2,\r\n"
    b" cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.6745.34 via Frontend\r\n"
    b" Transport; Thu, 26 Nov 2026 13:05:08 +0000\r\n")


def _eop_results(ip: str, spf: str, dkim: str, dmarc: str, compauth: str, helo: str) -> bytes:
    """Exchange Online's nameless Authentication-Results and its Received-SPF, whose comment alone
    names the MAIL FROM domain (helo= beside it is the client's greeting)."""
    word = {"fail": "Fail", "pass": "Pass"}[spf]
    designates = "designates" if spf == "pass" else "does not designate"
    return (f"Authentication-Results: spf={spf} (sender IP is {ip})\r\n"
            f" smtp.mailfrom=example.org; {dkim};dmarc={dmarc}\r\n"
            f" header.from=example.org;compauth={compauth}\r\n"
            f"Received-SPF: {word} (protection.outlook.com: domain of example.org {designates}\r\n"
            f" {ip} as permitted sender) receiver=protection.outlook.com;\r\n"
            f" client-ip={ip}; helo={helo};\r\n").encode()


def _eop_front(client: bytes) -> bytes:
    return (b"Received: from " + client + b" by\r\n"
            b" BN8NAM11FT011.mail.protection.outlook.com (10.13.176.140) with Microsoft SMTP\r\n"
            b" Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
            b" 15.20.6745.24 via Frontend Transport; Thu, 26 Nov 2026 13:05:08 +0000\r\n")


_TAIL = (b"Return-Path: dana@example.org\r\n"
         b"X-MS-Exchange-Organization-AuthSource:\r\n BN8NAM11FT011.eop-nam11.prod.protection.outlook.com\r\n"
         b"X-MS-Exchange-Organization-AuthAs: Anonymous\r\n")
_MIMECAST_INTAKE = (
    b"Received: from mail.example.org (mail.example.org [192.0.2.10]) by\r\n"
    b" relay.mimecast.com with ESMTP with STARTTLS (version=TLSv1.3,\r\n"
    b" cipher=TLS_AES_256_GCM_SHA384) id us-mta-126-hj69FZGJNlOFjwD1FAjRtQ-1; Thu,\r\n"
    b" 26 Nov 2026 08:05:06 -0500\r\n"
    b"X-MC-Unique: hj69FZGJNlOFjwD1FAjRtQ-1\r\n")
_SENDER_OUT = (
    b"Received: from mail.example.org (localhost [127.0.0.1])\r\n"
    b"\tby mail.example.org (Postfix) with ESMTP id 4cF1x2Z3k4z9sXz\r\n"
    b"\tfor <lee@contoso.example>; Thu, 26 Nov 2026 08:05:05 -0500 (EST)\r\n")
_AUTHOR = (b"From: Dana Reyes <dana@example.org>\r\n"
           b"To: Lee Chan <lee@contoso.example>\r\n"
           b"Subject: Invoice 4471\r\n"
           b"Date: Thu, 26 Nov 2026 08:05:03 -0500\r\n"
           b"Message-ID: <20261126130503.4471@mail.example.org>\r\n"
           b"\r\n"
           b"The invoice is on our portal.\r\n")
_MIMECAST_FRONT = _eop_front(b"us-smtp-delivery-124.mimecast.com (170.10.129.124)")


def _author(signed: bool, author: bytes = _AUTHOR) -> bytes:
    if not signed:
        return author
    return sign_as_example_org(author, [b"from", b"to", b"subject", b"date", b"message-id"]) + author


def _behind_mimecast(results: bytes, signed: bool, author: bytes = _AUTHOR) -> bytes:
    return _EOP_TOP + results + _MIMECAST_FRONT + _TAIL + _MIMECAST_INTAKE + _SENDER_OUT + _author(signed, author)


def _dns(mx: tuple[str, ...] | None = ("10 us-smtp-inbound-1.mimecast.com.",)) -> dict[str, object]:
    samples = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())
    zone: dict[str, object] = {
        "example.org": {"TXT": [["v=spf1 ip4:192.0.2.10 -all"]]},
        "mail2026._domainkey.example.org": samples["mail2026._domainkey.example.org"],
        "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject"]]},
        "contoso.example": {"TXT": [["v=spf1 include:spf.protection.outlook.com -all"]]},
        "10.2.0.192.in-addr.arpa": {"PTR": ["mail.example.org."]},
        "mail.example.org": {"A": [SENDER_IP]},
        "124.129.10.170.in-addr.arpa": {"PTR": ["us-smtp-delivery-124.mimecast.com."]},
        "us-smtp-delivery-124.mimecast.com": {"A": [MIMECAST_IP]},
    }
    if mx is not None:
        zone["contoso.example"] = {**zone["contoso.example"], "MX": list(mx)}  # type: ignore[dict-item]
    return zone


def _analyze(raw: bytes, dns: dict[str, object] | None = None) -> Report:
    if dns is None:
        return headerscope.analyze(raw, offline=True, now=NOW)
    return headerscope.analyze(raw, resolver=SnapshotResolver(dns), now=NOW)


def _only(report: Report, finding_id: str) -> list[Finding]:
    return [f for f in report.findings if f.id == finding_id]


_NO_EFC_SIGNED = _eop_results(MIMECAST_IP, "fail", "dkim=pass (signature was verified)\r\n header.d=example.org",
                              "pass action=none", "pass reason=100", "us-smtp-delivery-124.mimecast.com")
_NO_EFC_UNSIGNED = _eop_results(MIMECAST_IP, "fail", "dkim=none (message not signed)\r\n header.d=none",
                                "fail action=oreject", "fail reason=000", "us-smtp-delivery-124.mimecast.com")
_EFC_UNSIGNED = _eop_results(SENDER_IP, "pass", "dkim=none (message not signed)\r\n header.d=none",
                             "pass action=none", "pass reason=100", "mail.example.org")


def test_exchange_onlines_results_behind_the_recipients_gateway_are_the_receivers() -> None:
    # The MX is Mimecast: the boundary is Mimecast's intake (hop 3), and Exchange Online's
    # nameless Authentication-Results above its own frontend's Received (hop 4) is the receiving
    # organisation's record of the gateway's hand-over, not "(not the receiver)".
    report = _analyze(_behind_mimecast(_NO_EFC_SIGNED, signed=True), _dns())
    assert report.boundary_hop == 2
    exchange = [r for r in report.recorded if r.header == "Authentication-Results"]
    assert exchange and all(r.trusted for r in exchange), [r.trust_reason for r in exchange]
    assert "Exchange Online's own record" in (exchange[0].trust_reason or "")
    assert "gateway, mimecast.com" in (exchange[0].trust_reason or "")
    spf_field = [r for r in report.recorded if r.header == "Received-SPF"]
    assert spf_field and spf_field[0].trusted and "Exchange Online's own record" in (spf_field[0].trust_reason or "")
    assert not _only(report, "recorded.untrusted_claim")
    rows = {c.method: c for c in report.comparison}
    assert rows["dkim"].label == "same" and rows["dmarc"].label == "same"
    # Its spf=fail judged the gateway's address: said so, neither "inputs differ" nor drift.
    assert rows["spf"].label == "not_recomputed"
    assert f"{MIMECAST_IP} is the recipient's own gateway, mimecast.com" in rows["spf"].explanation
    assert "Enhanced Filtering for Connectors" in rows["spf"].explanation
    [spf_fail] = _only(report, "recorded.spf_fail")
    assert spf_fail.severity is Severity.INFO and "recipient's own gateway (mimecast.com)" in spf_fail.title
    assert "forged" not in spf_fail.explanation
    assert report.verdict.status == "authenticated"


def test_a_nameless_field_among_the_senders_hops_stays_a_claim() -> None:
    # Below the gateway's intake the fields are the sender's text: a nameless pass there is no
    # Exchange Online record, whatever the hops above it are.
    forged = b"Authentication-Results: spf=pass smtp.mailfrom=example.org;dmarc=pass header.from=example.org\r\n"
    raw = _behind_mimecast(_NO_EFC_UNSIGNED, signed=False)
    raw = raw.replace(_SENDER_OUT, forged + _SENDER_OUT)
    report = _analyze(raw, _dns())
    below = [r for r in report.recorded if r.header == "Authentication-Results" and r.result == "pass"
             and r.method == "dmarc"]
    assert below and not any(r.trusted for r in below)


def test_received_spf_names_the_mail_from_only_in_its_comment() -> None:
    # With Enhanced Filtering for Connectors Exchange Online looked past the gateway: it recorded
    # spf=pass for example.org from the sender's address. Its Received-SPF names the MAIL FROM
    # only in the comment, helo= beside it: filed as a HELO check, it read as "SPF of
    # mail.example.org changed in DNS" (recorded.dns_drift).
    report = _analyze(_behind_mimecast(_EFC_UNSIGNED, signed=False), _dns())
    assert not _only(report, "recorded.dns_drift")
    rows = {c.method: c for c in report.comparison}
    assert rows["spf"].label == "same" and rows["spf"].subject == "example.org"
    assert rows["dmarc"].label == "same"
    # The Received-SPF alone (the Authentication-Results removed): the same identity.
    alone = _behind_mimecast(b"Received-SPF" + _EFC_UNSIGNED.split(b"Received-SPF", 1)[1], signed=False)
    rows = {c.method: c for c in _analyze(alone, _dns()).comparison}
    assert rows["spf"].label == "same" and rows["spf"].subject == "example.org", rows["spf"]


def test_the_helo_check_of_a_received_spf_stays_one() -> None:
    from headerscope.auth.recorded import _spf_identity
    from headerscope.model import RecordedResult

    def identity(reason: str, **properties: str) -> tuple[str, str | None, str | None]:
        return _spf_identity(RecordedResult(
            header="Received-SPF", header_index=0, authserv_id="protection.outlook.com", method="spf",
            result="pass", properties=tuple(properties.items()), reason=reason, trusted=True))

    said = "protection.outlook.com: domain of {} designates 192.0.2.10 as permitted sender"
    assert identity(said.format("example.org"), helo="mail.example.org") == ("mailfrom", "example.org", SENDER_IP)
    assert identity(said.format("dana@example.org"), helo="mail.example.org")[:2] == ("mailfrom", "example.org")
    # The comment naming the HELO itself (a null MAIL FROM), or identity=helo: the HELO check.
    assert identity(said.format("mail.example.org"), helo="mail.example.org")[:2] == ("helo", "mail.example.org")
    assert identity(said.format("example.org"), helo="mail.example.org", identity="helo")[:2] == \
        ("helo", "mail.example.org")
    # A MAIL FROM property wins over the comment.
    assert identity(said.format("other.example"), helo="h.example", **{"envelope-from": "a@example.org"})[:2] == \
        ("mailfrom", "example.org")


def test_genuine_unsigned_mail_behind_the_gateway_is_not_called_spoofed() -> None:
    # Without Enhanced Filtering Exchange Online judged Mimecast's address: spf=fail, so dmarc=fail
    # and compauth=fail for a message the sender's own server handed to the gateway.
    report = _analyze(_behind_mimecast(_NO_EFC_UNSIGNED, signed=False), _dns())
    assert report.verdict.status == "authenticated"
    alarms = [f for f in report.findings if f.severity in (Severity.WARNING, Severity.DANGER)]
    assert not alarms, [(f.id, f.title) for f in alarms]
    rows = {c.method: c for c in report.comparison}
    assert rows["dmarc"].label == "not_recomputed" and "gateway" in rows["dmarc"].explanation
    [composite] = _only(report, "recorded.compauth_fail")
    assert composite.severity is Severity.NOTICE and composite.subject != COMPAUTH_FAIL_SUBJECT
    assert "recipient's own gateway (mimecast.com)" in composite.title
    [dmarc_fail] = _only(report, "recorded.dmarc_fail")
    assert dmarc_fail.severity is Severity.NOTICE and "gateway" in dmarc_fail.title
    [spf_fail] = _only(report, "recorded.spf_fail")
    assert spf_fail.severity is Severity.INFO and "forged" not in spf_fail.explanation


_GMAIL = (
    b"Delivered-To: lee@contoso.example\r\n"
    b"Received: by 2002:a05:7000:1f0b:b0:5c1:2d4e:9a1b with SMTP id r11csp2231447mab;\r\n"
    b"        Thu, 26 Nov 2026 05:05:09 -0800 (PST)\r\n"
    b"Return-Path: <dana@example.org>\r\n"
    b"Received: from us-smtp-delivery-124.mimecast.com (us-smtp-delivery-124.mimecast.com. [170.10.129.124])\r\n"
    b"        by mx.google.com with ESMTPS id af79cd13be357-7c5a1b2c3d4si1234567885a.312.2026.11.26.05.05.08\r\n"
    b"        for <lee@contoso.example>\r\n"
    b"        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\r\n"
    b"        Thu, 26 Nov 2026 05:05:08 -0800 (PST)\r\n"
    b"Received-SPF: fail (google.com: domain of dana@example.org does not designate 170.10.129.124 as permitted "
    b"sender) client-ip=170.10.129.124;\r\n"
    b"Authentication-Results: mx.google.com;\r\n"
    b"       dkim=none;\r\n"
    b"       spf=fail (google.com: domain of dana@example.org does not designate 170.10.129.124 as permitted "
    b"sender) smtp.mailfrom=dana@example.org;\r\n"
    b"       dmarc=fail (p=REJECT sp=REJECT dis=REJECT) header.from=example.org\r\n")


def test_gmail_behind_the_recipients_gateway() -> None:
    report = _analyze(_GMAIL + _MIMECAST_INTAKE + _SENDER_OUT + _AUTHOR, _dns())
    assert report.boundary_hop == 2 and report.verdict.status == "authenticated"
    [spf_fail] = _only(report, "recorded.spf_fail")
    assert spf_fail.severity is Severity.INFO and "Google Workspace lists it as an inbound gateway" in \
        spf_fail.explanation
    rows = {c.method: c for c in report.comparison}
    assert rows["dmarc"].label == "not_recomputed" and not _only(report, "recorded.different")


def test_offline_the_forgery_words_are_conditional_on_a_possible_gateway() -> None:
    # No MX answer: Mimecast's hop may be the recipient's gateway (hops.gateway_possible). The
    # receiver's failures stand, but "forged" and "cannot pass" hold only if it is not.
    for raw, dns in ((_behind_mimecast(_NO_EFC_UNSIGNED, signed=False), None),
                     (_behind_mimecast(_NO_EFC_UNSIGNED, signed=False), _dns(mx=None)),
                     (_GMAIL + _MIMECAST_INTAKE + _SENDER_OUT + _AUTHOR, None)):
        report = _analyze(raw, dns)
        assert _only(report, "hops.gateway_possible")
        if dns is None:
            # (With DNS, SPF is recomputed for the same client: no recorded.spf_fail to word.)
            [spf_fail] = _only(report, "recorded.spf_fail")
            assert "may be the recipient's own gateway" in spf_fail.explanation
            assert "(mimecast.com: perhaps the recipient's gateway)" in spf_fail.title
            [cannot] = _only(report, "dmarc.cannot_pass")
            assert UNLESS_GATEWAY in cannot.title and "may be the recipient's own gateway" in cannot.explanation
            [dmarc_fail] = _only(report, "recorded.dmarc_fail")
            assert "may be the recipient's own gateway" in dmarc_fail.explanation
        for composite in (f for f in report.findings if f.id == "recorded.compauth_fail"):
            assert composite.severity is Severity.WARNING and "may be the recipient's own gateway" in \
                composite.explanation


def test_offline_the_verdicts_cannot_pass_is_conditional_on_a_possible_gateway() -> None:
    # With no DMARC result recorded (dmarc=none), "cannot pass" is the verdict's own line: behind
    # a possible gateway it holds only if the service is not the recipient's; from a spammer's
    # server straight to Exchange Online it reads as before.
    results = _eop_results(MIMECAST_IP, "fail", "dkim=none (message not signed)\r\n header.d=none",
                           "none action=none", "fail reason=001", "us-smtp-delivery-124.mimecast.com")
    report = _analyze(_behind_mimecast(results, signed=False))
    assert report.verdict.status == "unauthenticated" and "cannot pass" in report.verdict.summary
    assert "Unless that client was the recipient's own inbound gateway" in report.verdict.summary
    spammer = results.replace(MIMECAST_IP.encode(), b"203.0.113.66").replace(
        b"us-smtp-delivery-124.mimecast.com", b"mail.spam.example")
    direct = _analyze(_EOP_TOP + spammer + _eop_front(b"mail.spam.example (203.0.113.66)") + _TAIL + _AUTHOR)
    assert direct.verdict.status == "unauthenticated" and "cannot pass" in direct.verdict.summary
    assert "gateway" not in direct.verdict.summary


_SPAMMER_RESULTS = _eop_results("203.0.113.66", "fail", "dkim=none (message not signed)\r\n header.d=none",
                                "fail action=oreject", "fail reason=000", "mail.spam.example")


def test_a_forgery_straight_to_exchange_online_reads_as_before() -> None:
    # No gateway in sight: the spammer's server connected to Exchange Online itself. Nothing is
    # softened and no gateway is mentioned.
    raw = (_EOP_TOP + _SPAMMER_RESULTS + _eop_front(b"mail.spam.example (203.0.113.66)") + _TAIL
           + _AUTHOR)
    for dns in (None, _dns(mx=("10 contoso-example.mail.protection.outlook.com.",))):
        report = _analyze(raw, dns)
        assert not _only(report, "hops.gateway_possible") and not _only(report, "hops.inbound_gateway")
        texts = " ".join(f.title + f.explanation for f in report.findings)
        assert "gateway" not in texts and UNLESS_GATEWAY not in texts
        [composite] = _only(report, "recorded.compauth_fail")
        assert composite.severity is Severity.WARNING and composite.subject == COMPAUTH_FAIL_SUBJECT
        if dns is None:
            [spf_fail] = _only(report, "recorded.spf_fail")
            assert spf_fail.severity is Severity.WARNING and "(forged)" in spf_fail.explanation
            assert _only(report, "dmarc.cannot_pass") and report.verdict.status != "authenticated"
        else:
            assert report.verdict.status == "spoofed"


def test_mail_that_went_around_the_domains_mx_gateway() -> None:
    # The MX is Mimecast, but the sender's server handed the message straight to Exchange Online.
    direct = _eop_results(SENDER_IP, "pass", "dkim=none (message not signed)\r\n header.d=none",
                          "pass action=none", "pass reason=100", "mail.example.org")
    raw = _EOP_TOP + direct + _eop_front(b"mail.example.org (192.0.2.10)") + _TAIL + _SENDER_OUT + _AUTHOR
    [bypassed] = _only(_analyze(raw, _dns()), "hops.gateway_bypassed")
    assert bypassed.severity is Severity.NOTICE and bypassed.subject == "hop 2"
    assert "contoso.example's MX host is us-smtp-inbound-1.mimecast.com" in bypassed.explanation
    # Only when DNS shows that MX.
    assert not _only(_analyze(raw, _dns(mx=None)), "hops.gateway_bypassed")
    assert not _only(_analyze(raw), "hops.gateway_bypassed")
    assert not _only(_analyze(raw, _dns(mx=("10 contoso-example.mail.protection.outlook.com.",))),
                     "hops.gateway_bypassed")
    # Not through the gateway, when it took it; not for a list's copy; not when another domain the
    # message is addressed to takes its mail at Exchange Online itself.
    assert not _only(_analyze(_behind_mimecast(_NO_EFC_UNSIGNED, signed=False), _dns()), "hops.gateway_bypassed")
    listed = raw.replace(b"Subject:", b"List-Id: <news.example.org>\r\nSubject:")
    assert not _only(_analyze(listed, _dns()), "hops.gateway_bypassed")
    copied = raw.replace(b"Subject:", b"Cc: ann@fabrikam.example\r\nSubject:")
    zone = {**_dns(), "fabrikam.example": {"MX": ["0 fabrikam-example.mail.protection.outlook.com."]}}
    assert not _only(_analyze(copied, zone), "hops.gateway_bypassed")
    # A greeting is the client's own word (verification V32): a server greeting as the gateway or as
    # Exchange Online, with no reverse DNS confirming it, still went around the MX.
    for greeting in (b"us-smtp-delivery-124.mimecast.com", b"mail-bn8nam11on2040.outbound.protection.outlook.com"):
        claimed = raw.replace(b"mail.example.org (192.0.2.10)", greeting + b" (192.0.2.10)")
        attacker = {**_dns(), "10.2.0.192.in-addr.arpa": {"PTR": ["mail.attacker.example."]},
                    "mail.attacker.example": {"A": ["192.0.2.10"]}}
        assert _only(_analyze(claimed, attacker), "hops.gateway_bypassed"), greeting
    # A greeting naming the gateway from an address with no PTR at hand may be the gateway's own,
    # whose confirmation failed for want of an answer (verification V33): not said.
    claimed = raw.replace(b"mail.example.org (192.0.2.10)", b"us-smtp-delivery-124.mimecast.com (192.0.2.10)")
    no_ptr = {name: value for name, value in _dns().items() if name != "10.2.0.192.in-addr.arpa"}
    assert not _only(_analyze(claimed, no_ptr), "hops.gateway_bypassed")
    # The reverse DNS answering another organisation: said.
    assert _only(_analyze(claimed, _dns()), "hops.gateway_bypassed")


def test_the_chain_names_the_gateway() -> None:
    from headerscope.hops import build_chain
    from headerscope.message import parse_message

    message = parse_message(_behind_mimecast(_NO_EFC_UNSIGNED, signed=False))
    mx = {"contoso.example": ("10 us-smtp-inbound-1.mimecast.com.",)}
    chain = build_chain(message, None, NOW, mail_exchangers=mx.get,
                        reverse_names=lambda ip: (("us-smtp-delivery-124.mimecast.com",), True))
    assert chain.gateway is not None and chain.boundary_hop == 2
    assert (chain.gateway.service, chain.gateway.client_ip, chain.gateway.handed_on, chain.gateway.intake,
            chain.gateway.confirmed) == ("mimecast.com", MIMECAST_IP, 3, 2, True)
    possible = build_chain(message, None, NOW).gateway
    assert possible is not None and (possible.handed_on, possible.intake, possible.confirmed) == (3, 2, False)
    # Another MX: no gateway of the recipient's, nor a possible one (the MX answered).
    other = build_chain(message, None, NOW, mail_exchangers={"contoso.example": ("10 mx.contoso.example.",)}.get)
    assert other.gateway is None and other.boundary_hop == 3


# Gmail (Google Workspace) behind Proofpoint (verification V38g w1/w2): Gmail's own stamps above
# the hop where it took the message, with the recipient in its "for".
_GMAIL_TOP = (b"Delivered-To: cfo@acme.example\r\n"
              b"Received: by 2002:a05:7208:3102:b0:8c:1f2a:59a2 with SMTP id r2csp1234567rbb;\r\n"
              b"        Tue, 14 Jan 2025 06:12:09 -0800 (PST)\r\n"
              b"Return-Path: <service@paypal.example>\r\n")
_GMAIL_AUTHOR = (b"From: PayPal <service@paypal.example>\r\n"
                 b"To: cfo@acme.example\r\n"
                 b"Subject: Your account has been limited\r\n"
                 b"Date: Tue, 14 Jan 2025 14:12:05 +0000\r\n"
                 b"Message-ID: <20250114141205.1234@mail.bulk-relay.example>\r\n"
                 b"\r\n"
                 b"Please verify your account.\r\n")


def _gmail_hop(client: bytes, by: bytes = b"mx.google.com", recipient: bytes = b"cfo@acme.example") -> bytes:
    return (b"Received: from " + client + b"\r\n"
            b"        by " + by + b" with ESMTPS id o18-20020a170907291200b00a307e5b22b1si3401242ejc.829.2025.01.14\r\n"
            b"        for <" + recipient + b">\r\n"
            b"        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\r\n"
            b"        Tue, 14 Jan 2025 06:12:09 -0800 (PST)\r\n")


_PROOFPOINT_INTAKE = (b"Received: from mail.bulk-relay.example (mail.bulk-relay.example [185.220.101.5])\r\n"
                      b"\tby mx0a-00123401.pphosted.com (8.18.1.2/8.18.1.2) with ESMTPS id 4AUD12345678\r\n"
                      b"\tfor <cfo@acme.example>; Tue, 14 Jan 2025 06:12:07 -0800\r\n")


def _gmail_dns(mx: tuple[str, ...] = ("10 mx0a-00123401.pphosted.com.", "10 mx0b-00123401.pphosted.com.")
               ) -> dict[str, object]:
    return {
        "paypal.example": {"TXT": [["v=spf1 ip4:64.4.240.0/21 ~all"]]},
        "_dmarc.paypal.example": {"TXT": [["v=DMARC1; p=reject"]]},
        "5.101.220.185.in-addr.arpa": {"PTR": ["mail.bulk-relay.example."]},
        "mail.bulk-relay.example": {"A": ["185.220.101.5"]},
        "1.156.163.148.in-addr.arpa": {"PTR": ["mx0a-00123401.pphosted.com."]},
        "mx0a-00123401.pphosted.com": {"A": ["148.163.156.1"]},
        "acme.example": {"MX": list(mx)},
        "gmail.com": {"MX": ["5 gmail-smtp-in.l.google.com."]},
    }


def test_mail_that_went_around_the_mx_gateway_to_gmail() -> None:
    # Verification V38g w1: acme.example's MX is Proofpoint, but mx.google.com took the phish
    # straight from the spammer's server; Google's inbound gateway setting with "Reject all mail
    # not from gateway IPs" refuses that.
    raw = (_GMAIL_TOP + _gmail_hop(b"mail.bulk-relay.example (mail.bulk-relay.example. [185.220.101.5])")
           + _GMAIL_AUTHOR)
    [bypassed] = _only(_analyze(raw, _gmail_dns()), "hops.gateway_bypassed")
    assert bypassed.severity is Severity.NOTICE and bypassed.subject == "hop 1"
    assert "delivered straight to Gmail (Google Workspace)" in bypassed.title
    assert "acme.example's MX host is mx0a-00123401.pphosted.com, a host of proofpoint.com" in bypassed.explanation
    assert "took the message for acme.example straight from mail.bulk-relay.example (185.220.101.5)" \
        in bypassed.explanation
    assert "Reject all mail not from gateway IPs" in bypassed.explanation
    assert bypassed.reference == "https://support.google.com/a/answer/60730"
    # aspmx.l.google.com names the same servers.
    assert _only(_analyze(raw.replace(b"by mx.google.com", b"by aspmx.l.google.com"), _gmail_dns()),
                 "hops.gateway_bypassed")
    # Only where DNS shows an MX that is a filtering service, for the recipient Gmail recorded.
    assert not _only(_analyze(raw), "hops.gateway_bypassed")
    assert not _only(_analyze(raw, _gmail_dns(mx=("1 aspmx.l.google.com.",))), "hops.gateway_bypassed")
    personal = raw.replace(b"for <cfo@acme.example>", b"for <victim.user@gmail.com>")
    personal_report = _analyze(personal, _gmail_dns())
    assert not _only(personal_report, "hops.gateway_bypassed")
    assert not any(use.name == "gmail.com" for use in personal_report.dns)  # Gmail's own: not asked
    # With no "for" (Gmail leaves it out for several recipients) the mailbox is unknown: To:/Cc: are
    # the sender's choice, and a Bcc to a consumer Gmail mailbox went around nothing (V39d).
    no_for = raw.replace(b"        for <cfo@acme.example>\r\n", b"")
    assert not _only(_analyze(no_for, _gmail_dns()), "hops.gateway_bypassed")
    assert not _only(_analyze(b"Delivered-To: alice.smith@gmail.com\r\n" + no_for, _gmail_dns()),
                     "hops.gateway_bypassed")
    # Google's own relay (a forward from another Gmail mailbox) is not a sender going around the MX.
    google = raw.replace(b"mail.bulk-relay.example (mail.bulk-relay.example. [185.220.101.5])",
                         b"mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])")
    assert not _only(_analyze(google, _gmail_dns()), "hops.gateway_bypassed")
    # Through the gateway (verification V38g w2): the gateway's intake is the boundary, nothing bypassed.
    fronted = (_GMAIL_TOP + _gmail_hop(b"mx0a-00123401.pphosted.com (mx0a-00123401.pphosted.com. [148.163.156.1])")
               + _PROOFPOINT_INTAKE + _GMAIL_AUTHOR)
    report = _analyze(fronted, _gmail_dns())
    assert not _only(report, "hops.gateway_bypassed") and _only(report, "hops.inbound_gateway")
    # Exchange Online's wording is as before: no recipient named.
    assert "took the message for" not in " ".join(
        f.explanation for f in _analyze(_EOP_TOP + _EFC_UNSIGNED + _eop_front(b"mail.example.org (192.0.2.10)")
                                        + _TAIL + _SENDER_OUT + _AUTHOR, _dns()).findings)
