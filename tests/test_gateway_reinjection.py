"""The recipient's Proofpoint gateway with its own loopback re-injection (verification V44d): a real
inbound chain, Hankyu-Hanshin's Postfix behind mx0a/mx0b-00650b01.pphosted.com, as a bounce kept it
("from pps.filterd (m0288454.ppops.net [127.0.0.1]) by mx0b-00650b01.pphosted.com" between
Proofpoint's intake and its hand-over, "Authentication-Results: ppops.net" directly above the
intake). Only the sender's hop, the headers and the body are example.org's."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from conftest import SAMPLES, sign_as_example_org

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.hops import build_chain, host_organization
from headerscope.message import parse_message
from headerscope.model import Report

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)
PP_IP = "148.163.133.197"

_TOP = (b"Return-Path: <alice@example.org>\r\n"
        b"Received: from intgsmtp2.hankyu-hanshin.co.jp (unknown [10.2.1.23])\r\n"
        b"\tby intgimap1.hankyu-hanshin.co.jp (Postfix) with ESMTPS id 86A2D8085D82\r\n"
        b"\tfor <lfhib@billboard-live.com>; Thu, 26 Nov 2026 22:05:27 +0900 (JST)\r\n")
_HANDOVER = (b"Received: from mx0a-00650b01.pphosted.com (mx0a-00650b01.pphosted.com [148.163.133.197])\r\n"
             b"\tby intgsmtp2.hankyu-hanshin.co.jp (Postfix) with ESMTPS id 755B291\r\n"
             b"\tfor <lfhib@billboard-live.com>; Thu, 26 Nov 2026 22:05:26 +0900 (JST)\r\n")
_FILTERD = (b"Received: from pps.filterd (m0288454.ppops.net [127.0.0.1])\r\n"
            b"\tby mx0b-00650b01.pphosted.com (8.17.1.24/8.17.1.24) with ESMTP id 41T9wXJG004228\r\n"
            b"\tfor <lfhib@billboard-live.com>; Thu, 26 Nov 2026 22:05:25 +0900\r\n")


def _intake(client: bytes, name: bytes = b"mail.example.org") -> bytes:
    return (b"Received: from " + name + b" (" + name + b" [" + client + b"])\r\n"
            b"\tby mx0b-00650b01.pphosted.com (PPS) with ESMTPS id 3wf0vpmd2v-1\r\n"
            b"\t(version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NOT)\r\n"
            b"\tfor <lfhib@billboard-live.com>; Thu, 26 Nov 2026 22:05:24 +0900 (JST)\r\n")


def _ar(mailfrom: bytes = b"alice@example.org") -> bytes:
    return (b"Authentication-Results: ppops.net;\r\n\tspf=pass smtp.mailfrom=" + mailfrom + b";\r\n"
            b"\tdmarc=pass header.from=example.org\r\n")


_HEAD = (b"From: Alice Martin <alice@example.org>\r\n"
         b"To: <lfhib@billboard-live.com>\r\n"
         b"Subject: Shipment report\r\n"
         b"Date: Thu, 26 Nov 2026 22:04:20 +0900\r\n"
         b"Message-ID: <20261126130420.A1@mail.example.org>\r\n")
_BODY = (b"Hello,\r\n\r\nThe shipment report is here:\r\n"
         b"https://www.example.org/reports/2026/11/shipment.pdf\r\n\r\nRegards,\r\nAlice\r\n")
# Proofpoint URL Defense's v3 form, as real list copies show it.
_PP_BODY = (b"Hello,\r\n\r\nThe shipment report is here:\r\n"
            b"https://urldefense.com/v3/__https://www.example.org/reports/2026/11/shipment.pdf__;!!GjvTz_vk!US3Loz"
            b"mCgynsWtz-1LkwhFPTXfY0XZNT7XKAw9GSNjZn0JkehqevMU7StsFKkjsS9b1hfGRsOCu0e1E$\r\n\r\nRegards,\r\nAlice\r\n")
_MC_BODY = _PP_BODY.replace(b"https://urldefense.com/v3/__", b"https://protect-eu.mimecast.com/s/AbCdEf__")


def _message(*, filterd: bool = True, client: bytes = b"192.0.2.25", name: bytes = b"mail.example.org",
             ar: bytes | None = None, handover: bytes = _HANDOVER, below: bytes = b"") -> bytes:
    return (_TOP + handover + (_FILTERD if filterd else b"") + (_ar() if ar is None else ar)
            + _intake(client, name) + below + _HEAD + b"\r\n" + _BODY)


def _dns(ptr: str = "mx0a-00650b01.pphosted.com.", mx: bool = True) -> dict[str, object]:
    samples = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())
    zone: dict[str, object] = {
        "197.133.163.148.in-addr.arpa": {"PTR": [ptr]},
        "mx0a-00650b01.pphosted.com": {"A": [PP_IP]},
        "example.org": {"TXT": [["v=spf1 ip4:192.0.2.25 -all"]]},
        "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject"]]},
        "25.2.0.192.in-addr.arpa": {"PTR": ["mail.example.org."]},
        "mail.example.org": {"A": ["192.0.2.25"]},
        "mailer.example.net": {"TXT": [["v=spf1 ip4:198.51.100.7 -all"]]},
        "mail2026._domainkey.example.org": samples["mail2026._domainkey.example.org"],
    }
    if mx:
        zone["billboard-live.com"] = {"MX": ["10 mx0a-00650b01.pphosted.com.", "10 mx0b-00650b01.pphosted.com."]}
    return zone


_MX = {"billboard-live.com": ("10 mx0a-00650b01.pphosted.com.", "10 mx0b-00650b01.pphosted.com.")}


def _analyze(raw: bytes, dns: dict[str, object] | None = None) -> Report:
    return headerscope.analyze(raw, resolver=SnapshotResolver(_dns() if dns is None else dns), now=NOW)


def _ids(report: Report) -> list[str]:
    return [f.id for f in report.findings]


def test_proofpoints_loopback_reinjection_is_the_gateways_own() -> None:
    # D1: the pps.filterd hop between Proofpoint's intake and its hand-over kept the boundary at
    # the hand-over, SPF judged Proofpoint's address and a genuine sender read as spoofed.
    for filterd in (True, False):
        raw = _message(filterd=filterd)
        report = _analyze(raw)
        assert report.boundary_hop == 1, filterd
        assert "hops.inbound_gateway" in _ids(report)
        gateway = build_chain(parse_message(raw), None, NOW, mail_exchangers=_MX.get,
                              reverse_names=lambda ip: (("mx0a-00650b01.pphosted.com",), True)).gateway
        assert gateway is not None and gateway.confirmed
        assert (gateway.service, gateway.intake, gateway.handed_on) == ("proofpoint.com", 1, 3 if filterd else 2)
        assert report.spf is not None and (report.spf.client_ip, report.spf.result) == ("192.0.2.25", "pass")
        assert report.verdict.status == "authenticated" and report.verdict.authenticated_domain == "example.org"


def test_a_sender_cannot_stretch_the_gateways_run() -> None:
    # Below the real intake (the address Proofpoint recorded), a sender's own "pps.filterd" and
    # "intake" lines are text: the intake stays where Proofpoint took the message from outside.
    forged = (_FILTERD + _intake(b"192.0.2.25"))
    report = _analyze(_message(client=b"203.0.113.66", name=b"mail.example.org", below=forged))
    assert report.boundary_hop == 3  # the real intake, above the forged pair
    assert report.spf is not None and (report.spf.client_ip, report.spf.result) == ("203.0.113.66", "fail")
    assert report.verdict.status == "spoofed"


def test_a_sender_greeting_as_proofpoint_is_no_gateway() -> None:
    # Straight to the recipient's Postfix, greeting as Proofpoint's host, with a made-up
    # Proofpoint run below: the receiver's PTR of the client is not Proofpoint's.
    direct = (b"Received: from mx0a-00650b01.pphosted.com (unknown [203.0.113.9])\r\n"
              b"\tby intgsmtp2.hankyu-hanshin.co.jp (Postfix) with ESMTPS id 755B291\r\n"
              b"\tfor <lfhib@billboard-live.com>; Thu, 26 Nov 2026 22:05:26 +0900 (JST)\r\n")
    report = _analyze(_message(handover=direct), {**_dns(), "9.113.0.203.in-addr.arpa": {"PTR": ["h9.isp.example."]}})
    assert "hops.inbound_gateway" not in _ids(report) and report.boundary_hop == 3
    # The MX names the service the client claims: said, with no gateway (V45d: its words read
    # "with hops 1–2 are that service's below it").
    possible = next(f for f in report.findings if f.id == "hops.gateway_possible")
    assert "with hops 1–2 of that service's below it, which took the message from 192.0.2.25" in possible.explanation
    assert "hops.inbound_gateway" not in _ids(report)
    assert report.verdict.status == "spoofed"
    # D4: the comparison row says why Proofpoint's look-alike field is not relied on.
    rows = [c.explanation for c in report.comparison if c.label == "not_recorded" and c.method == "spf"]
    assert rows and "the findings say why" not in rows[0]
    assert "ppops.net, claims spf=pass, not relied on: written by ppops.net" in rows[0]


def test_a_private_handover_below_the_boundary_is_no_gateway_intake() -> None:
    # Over a private network (not loopback) the hop below is the sender's side: no gateway.
    report = _analyze(_message(client=b"10.1.2.3"))
    assert "hops.inbound_gateway" not in _ids(report) and report.boundary_hop == 3


def test_the_mx_names_the_service_but_the_records_do_not_bear_it_out() -> None:
    # The MX names Proofpoint, but the PTR of the hand-over's address is another's: no gateway and
    # no softening, but the finding is not dropped in silence either.
    report = _analyze(_message(), _dns(ptr="relay.other.example."))
    assert "hops.inbound_gateway" not in _ids(report) and report.boundary_hop == 3
    possible = [f for f in report.findings if f.id == "hops.gateway_possible"]
    assert len(possible) == 1 and "MX names proofpoint.com" in possible[0].title
    assert "mx0a-00650b01.pphosted.com" in possible[0].explanation
    assert report.verdict.status == "spoofed"
    # Another MX: nothing said (the MX does not name the service).
    other = _analyze(_message(), {**_dns(mx=False), "billboard-live.com": {"MX": ["10 mx.billboard-live.com."]}})
    assert "hops.inbound_gateway" not in _ids(other) and "hops.gateway_possible" not in _ids(other)


def test_proofpoints_own_results_are_the_receivers() -> None:
    # D2: ppops.net is Proofpoint's authserv-id and the name of its filter hosts.
    assert host_organization("ppops.net") == host_organization("m0288454.ppops.net") == "proofpoint.com"
    report = _analyze(_message(filterd=False))
    ours = [r for r in report.recorded if r.authserv_id == "ppops.net"]
    assert ours and all(r.trusted for r in ours)
    assert all("the receiving side's own gateway (proofpoint.com)" in (r.trust_reason or "") for r in ours)
    assert "recorded.untrusted_claim" not in _ids(report)
    assert {c.method: c.label for c in report.comparison}["dmarc"] == "same"


def _rewritten(body: bytes, ar: bytes | None = None) -> bytes:
    signature = sign_as_example_org(_HEAD + b"\r\n" + _BODY, [b"from", b"to", b"subject", b"date", b"message-id"])
    return (_TOP.replace(b"alice@example.org", b"bounce-77@mailer.example.net") + _HANDOVER + _FILTERD
            + (_ar(b"bounce-77@mailer.example.net") if ar is None else ar)
            + _intake(b"198.51.100.7", b"out7.mailer.example.net") + signature + _HEAD + b"\r\n" + body)


def test_the_receivers_gateway_rewrote_the_body_after_its_check() -> None:
    # D3: genuine DKIM-signed mail through an ESP; Proofpoint recorded dmarc=pass, then rewrote the
    # link through URL Defense: not "changed after delivery".
    report = _analyze(_rewritten(_PP_BODY))
    assert report.verdict.status == "authenticated" and report.verdict.authenticated_domain == "example.org"
    assert "the receiving side's own gateway, proofpoint.com (ppops.net), recorded DMARC pass" in report.verdict.summary
    assert "Proofpoint URL Defense" in report.verdict.summary
    assert "not what example.org signed" in report.verdict.summary


def test_a_rewrite_not_the_gateways_or_a_record_not_its_own_excuses_nothing() -> None:
    # Another vendor's rewrite behind Proofpoint: the change is not explained by the gateway.
    other = _analyze(_rewritten(_MC_BODY))
    assert other.verdict.status == "suspicious" and "changed after delivery" in other.verdict.summary
    # The pass written below the intake (the sender's text), with the body rewritten: no pass to rest on.
    below = (_TOP.replace(b"alice@example.org", b"bounce-77@mailer.example.net") + _HANDOVER + _FILTERD
             + _intake(b"198.51.100.7", b"out7.mailer.example.net") + _ar(b"bounce-77@mailer.example.net"))
    raw = _rewritten(_PP_BODY)
    moved = below + raw[raw.index(b"DKIM-Signature:"):]
    report = _analyze(moved)
    assert report.verdict.status != "authenticated"
    # Offline no gateway is confirmed: the summary stays as it was.
    offline = headerscope.analyze(_rewritten(_PP_BODY), offline=True, now=NOW)
    assert offline.verdict.status != "authenticated"


def test_a_forwarders_loopback_hop_makes_it_no_gateway() -> None:
    # samples/forwarded-srs.eml: alumni.example's server re-injects over loopback and forwards to
    # Exchange Online; the To: domain's MX names it, but a forwarder is no filtering service in front
    # of the provider: the boundary stays at its hand-over (hop 4), SPF judges its address.
    raw = (SAMPLES / "forwarded-srs.eml").read_bytes()
    dns = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())
    report = headerscope.analyze(raw, resolver=SnapshotResolver(dns), now=NOW)
    assert report.boundary_hop == 4 and "hops.inbound_gateway" not in _ids(report)
    assert report.spf is not None and report.spf.client_ip == "203.0.113.45"


def test_another_customers_proofpoint_instance_is_not_the_recipients_gateway() -> None:
    # Verification V45d: the recipient's MX names its own tenant (mx0a/mx0b-00650b01), but the
    # message reached its internal MX straight from another tenant's host (mx0a-00999999, its PTR
    # genuinely Proofpoint's), with that tenant's ppops.net pass above its intake and the body
    # rewritten after it: it read "Authenticated ... the receiving side's own gateway". A forger
    # with its own Proofpoint tenant controls that tenant's hops and results; the recipient's MX
    # names whose gateway is the recipient's.
    zone = {**_dns(), "10.150.163.148.in-addr.arpa": {"PTR": ["mx0a-00999999.pphosted.com."]},
            "mx0a-00999999.pphosted.com": {"A": ["148.163.150.10"]}}
    own = _rewritten(_PP_BODY)
    other = own.replace(b"from mx0a-00650b01.pphosted.com (mx0a-00650b01.pphosted.com [148.163.133.197])",
                        b"from mx0a-00999999.pphosted.com (mx0a-00999999.pphosted.com [148.163.150.10])"
                        ).replace(b"by mx0b-00650b01.pphosted.com", b"by mx0a-00999999.pphosted.com")
    assert other.count(b"00999999") == 4
    for raw in (other, other.replace(_FILTERD.replace(b"by mx0b-00650b01", b"by mx0a-00999999"), b"")):
        report = _analyze(raw, zone)
        assert "hops.inbound_gateway" not in _ids(report)
        assert report.verdict.status == "spoofed"
    # The recipient's own tenant, the same message: its gateway, as before.
    assert _analyze(own, zone).verdict.status == "authenticated"



def test_proofpoints_mx07_names_carry_the_tenant_too() -> None:
    # Verification V45g: Proofpoint's hosts are also named mx07-/mx08-TENANT (STMicroelectronics'
    # "from mx07-00178001.pphosted.com (mx08-00178001.pphosted.com [91.207.212.93])" in public
    # copies); the tenant check read only mx0a-/mx0b-, and another customer's instance passed
    # for the recipient's gateway when the MX was named so.
    zone = {**_dns(), "billboard-live.com": {"MX": ["10 mx07-00650b01.pphosted.com.", "10 mx08-00650b01.pphosted.com."]},
            "10.150.163.148.in-addr.arpa": {"PTR": ["mx0a-00999999.pphosted.com."]},
            "mx0a-00999999.pphosted.com": {"A": ["148.163.150.10"]}}
    own = _rewritten(_PP_BODY)
    other = own.replace(b"from mx0a-00650b01.pphosted.com (mx0a-00650b01.pphosted.com [148.163.133.197])",
                        b"from mx0a-00999999.pphosted.com (mx0a-00999999.pphosted.com [148.163.150.10])"
                        ).replace(b"by mx0b-00650b01.pphosted.com", b"by mx0a-00999999.pphosted.com")
    report = _analyze(other, zone)
    assert "hops.inbound_gateway" not in _ids(report) and report.verdict.status == "spoofed"
    # The recipient's own instance under mx07/mx08 names: its gateway.
    mine = own.replace(b"mx0a-00650b01", b"mx07-00650b01").replace(b"mx0b-00650b01", b"mx08-00650b01")
    zone_mine = {**zone, "197.133.163.148.in-addr.arpa": {"PTR": ["mx07-00650b01.pphosted.com."]},
                 "mx07-00650b01.pphosted.com": {"A": [PP_IP]}}
    assert _analyze(mine, zone_mine).verdict.status == "authenticated"
