"""The recipient's confirmed inbound gateway changes the body after its own check and seals the
changed body in its own ARC set (verification V52c D2: an external-sender banner on ESP mail that
aligns by DKIM only read 'Suspicious ... changed after delivery'), and the forgeries around it.
Credited only for a gateway whose hand-over names the recipient's own instance of the service
(Proofpoint's mx0a-TENANT.pphosted.com, as the MX names it): a shared service's hosts (Mimecast's
relay.mimecast.com and *-smtp-delivery-*) serve every customer, a forger's own account included.
The Mimecast layout is its real inbound one (Red Hat's gateway: the set by dkim.mimecast.com
s=201903 right above 'Received: ... by relay.mimecast.com with ESMTP id us-mta-...'); the
Proofpoint one is test_gateway_reinjection's (a real chain behind mx0a/mx0b-00650b01.pphosted.com)
with the set Microsoft's documentation shows Proofpoint sealing (d=pphosted.com). The sets are
sealed with the samples' example.org key, which the snapshots here publish at those selectors."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from unittest import mock

from conftest import SAMPLES, sign_as_example_org
from test_gateway_reinjection import _FILTERD, _TOP
from test_gateway_reinjection import _HANDOVER as _PP_HANDOVER
from test_gateway_reinjection import _HEAD as _PP_HEAD
from test_gateway_reinjection import _dns as _pp_dns
from test_gateway_reinjection import _intake as _pp_intake

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)
_HEADERS = [b"from", b"to", b"subject", b"date", b"message-id"]

_HANDOVER = (b"Received: from mimecast-mx01.example.com (mimecast-mx01.example.com [198.51.100.40])\r\n"
             b"\tby mbox.example.com (Postfix) with ESMTPS id 51E8A801E63\r\n"
             b"\tfor <lee@example.com>; Thu, 26 Nov 2026 13:05:09 +0000 (UTC)\r\n"
             b"Received: from us-smtp-1.mimecast.com (us-smtp-delivery-124.mimecast.com [170.10.129.124])\r\n"
             b"\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-SHA384 (256/256 bits))\r\n"
             b"\tby mimecast-mx01.example.com (Postfix) with ESMTPS id AC672833B4E\r\n"
             b"\tfor <lee@example.com>; Thu, 26 Nov 2026 13:05:08 +0000 (UTC)\r\n")


def _intake(name: bytes, ip: bytes, mta_id: bytes = b"us-mta-269-pllN3kQcOcOr8WtQmXaO-Q-1") -> bytes:
    return (b"Received: from " + name + b" (" + name + b" [" + ip + b"]) (Using\r\n"
            b"\tTLS) by relay.mimecast.com with ESMTP id\r\n\t" + mta_id + b"; Thu, 26 Nov 2026 08:05:06 -0500\r\n"
            b"X-MC-Unique: pllN3kQcOcOr8WtQmXaO-Q-1\r\n")


_ESP_HOP = (b"Received: by o1.esp.example.net with SMTP id 4cF1x2Z3k4z9sXz\r\n"
            b"\tfor <lee@example.com>; Thu, 26 Nov 2026 08:05:05 -0500 (EST)\r\n")
_HEAD = (b"From: Dana Reyes <dana@example.org>\r\n"
         b"To: Lee Chan <lee@example.com>\r\n"
         b"Subject: Invoice 4471\r\n"
         b"Date: Thu, 26 Nov 2026 08:05:03 -0500\r\n"
         b"Message-ID: <20261126130503.4471@mail.example.org>\r\n"
         b"MIME-Version: 1.0\r\n"
         b"Content-Type: text/plain; charset=us-ascii\r\n")
_BODY = b"The invoice is on our portal: https://portal.example.org/inv/4471\r\n"
_BANNER = (b"CAUTION: This email originated from outside of the organization. Do not click links or open\r\n"
           b"attachments unless you recognize the sender and know the content is safe.\r\n\r\n")
_PASS = (b"dkim=pass header.d=example.org; dmarc=pass header.from=example.org; "
         b"spf=pass smtp.mailfrom=bounces+4471@esp.example.net")


def _seal(state: bytes, results: bytes, sealer: tuple[bytes, bytes, bytes] = (
        b"201903", b"dkim.mimecast.com", b"relay.mimecast.com")) -> bytes:
    """The ARC set ``sealer`` (selector, d=, authserv-id; relay.mimecast.com's by default) adds on
    top of ``state``, its AAR holding ``results`` (dkimpy copies them from an
    Authentication-Results of that authserv-id, given here only while it seals)."""
    import dkim

    selector, domain, authserv = sealer
    key = (SAMPLES / "keys" / "example.org.rsa2048.pem").read_bytes()
    with mock.patch("dkim.time.time", return_value=datetime(2026, 11, 26, 13, 5, 7, tzinfo=timezone.utc).timestamp()):
        arc = dkim.arc_sign(b"Authentication-Results: " + authserv + b"; " + results + b"\r\n" + state,
                            selector, domain, key, authserv, include_headers=_HEADERS)
    assert len(arc) == 3
    return b"".join(arc)


def _signed() -> bytes:
    return sign_as_example_org(_HEAD + b"\r\n" + _BODY, _HEADERS, (b"relaxed", b"relaxed"))


def _banner_message() -> bytes:
    """Genuine: the ESP's mail, DKIM d=example.org; Mimecast checks it (dmarc=pass), puts its
    banner on top of the body and seals the result at its intake."""
    state = _intake(b"o1.esp.example.net", b"198.51.100.77") + _ESP_HOP + _signed() + _HEAD + b"\r\n" + _BANNER + _BODY
    return b"Return-Path: <bounces+4471@esp.example.net>\r\n" + _HANDOVER + _seal(state, _PASS) + state


def _dns() -> dict[str, object]:
    samples = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())
    key = samples["mail2026._domainkey.example.org"]
    return {
        "mail2026._domainkey.example.org": key,
        "201903._domainkey.dkim.mimecast.com": key,
        "example.org": {"TXT": [["v=spf1 ip4:192.0.2.10 -all"]]},
        "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject"]]},
        "example.com": {"MX": ["10 us-smtp-inbound-1.mimecast.com.", "10 us-smtp-inbound-2.mimecast.com."]},
        "124.129.10.170.in-addr.arpa": {"PTR": ["us-smtp-delivery-124.mimecast.com."]},
        "us-smtp-delivery-124.mimecast.com": {"A": ["170.10.129.124"]},
        "40.100.51.198.in-addr.arpa": {"PTR": ["mimecast-mx01.example.com."]},
        "mimecast-mx01.example.com": {"A": ["198.51.100.40"]},
        "esp.example.net": {"TXT": [["v=spf1 ip4:198.51.100.77 -all"]]},
        "77.100.51.198.in-addr.arpa": {"PTR": ["o1.esp.example.net."]},
        "o1.esp.example.net": {"A": ["198.51.100.77"]},
        "66.113.0.203.in-addr.arpa": {"PTR": ["host66.example.net."]},
        "host66.example.net": {"A": ["203.0.113.66"]},
    }


def _analyze(raw: bytes) -> Report:
    return headerscope.analyze(raw, resolver=SnapshotResolver(_dns()), now=NOW)


_PP = (b"arcselector", b"pphosted.com", b"ppops.net")
_PP_BANNER = (b"This Message Is From an External Sender\r\n"
              b"This message came from outside your organization.\r\n\r\n")
_PP_BODY = b"Hello,\r\n\r\nThe shipment report is attached.\r\n\r\nRegards,\r\nAlice\r\n"
_PP_PASS = (b"dkim=pass header.d=example.org; dmarc=pass header.from=example.org; "
            b"spf=pass smtp.mailfrom=bounce-77@mailer.example.net")


def _pp_signed() -> bytes:
    return sign_as_example_org(_PP_HEAD + b"\r\n" + _PP_BODY, _HEADERS, (b"relaxed", b"relaxed"))


def _pp_state(client: bytes = b"198.51.100.7", name: bytes = b"out7.mailer.example.net", text: bytes = b"") -> bytes:
    return _pp_intake(client, name) + (text or _pp_signed() + _PP_HEAD + b"\r\n" + _PP_BANNER + _PP_BODY)


def _pp_banner_message() -> bytes:
    """Genuine: an ESP's mail, DKIM d=example.org; the recipient's own Proofpoint instance checks
    it (dmarc=pass), puts its External Sender banner on top and seals the result at its intake."""
    state = _pp_state()
    return (_TOP.replace(b"alice@example.org", b"bounce-77@mailer.example.net") + _PP_HANDOVER + _FILTERD
            + _seal(state, _PP_PASS, _PP) + state)


def _pp_analyze(raw: bytes) -> Report:
    zone = _pp_dns()
    zone["arcselector._domainkey.pphosted.com"] = zone["mail2026._domainkey.example.org"]
    return headerscope.analyze(raw, resolver=SnapshotResolver(zone), now=NOW)


def test_the_gateways_own_sealed_banner_is_not_a_change_after_delivery() -> None:
    report = _pp_analyze(_pp_banner_message())
    assert report.arc is not None and report.arc.result == "pass"
    assert {c.method: c.label for c in report.comparison}["dmarc"] == "modified_after_delivery"
    assert report.verdict.status == "authenticated" and report.verdict.authenticated_domain == "example.org"
    summary = report.verdict.summary
    assert "the receiving side's own gateway, proofpoint.com (ppops.net), recorded DMARC pass" in summary
    assert "its own ARC set (i=1 by pphosted.com, right above its intake Received)" in summary
    assert "not what example.org signed" in summary and "Suspicious" not in summary
    # The failure itself keeps its severity: the body is not what was signed.
    assert "dmarc.fail" in {f.id for f in report.findings}


def test_a_shared_services_sealed_banner_is_not_credited() -> None:
    # Mimecast's hosts name no customer: a forger's own Mimecast account delivering straight to
    # the recipient's server (which accepts Mimecast's addresses), its own outbound disclaimer
    # added after a check of a replayed signed message and sealed, shows exactly this layout.
    report = _analyze(_banner_message())
    assert report.arc is not None and report.arc.result == "pass"
    assert report.verdict.status == "suspicious"
    assert "own gateway" not in report.verdict.summary


def test_a_replayed_older_set_under_the_gateways_failing_one_is_not_authenticated() -> None:
    # (a) A forger holds a message example.org once sent him through his own instance of the
    # service, with its set i=1 recording dmarc=pass; he changes the body and sends it from his own
    # server. The recipient's own instance seals i=2 at its intake, recording what it found.
    original = _pp_intake(b"198.51.100.7", b"out7.mailer.example.net") + _pp_signed() + _PP_HEAD + b"\r\n" + _PP_BODY
    forged_text = (_seal(original, _PP_PASS, _PP) + _pp_intake(b"198.51.100.7", b"out7.mailer.example.net")
                   + _pp_signed() + _PP_HEAD + b"\r\n" + _PP_BANNER + b"Pay to IBAN XX00 0000 0000 instead.\r\n"
                   + _PP_BODY)
    state = _pp_state(b"203.0.113.66", b"host66.example.net", forged_text)
    fail = (b"dkim=fail header.d=example.org; dmarc=fail header.from=example.org; "
            b"spf=none smtp.mailfrom=bounce-77@mailer.example.net; arc=pass")
    raw = (_TOP.replace(b"alice@example.org", b"bounce-77@mailer.example.net") + _PP_HANDOVER + _FILTERD
           + _seal(state, fail, _PP) + state)
    report = _pp_analyze(raw)
    assert report.arc is not None and [i.instance for i in report.arc.instances] == [1, 2]
    assert report.verdict.status != "authenticated"
    assert "own gateway" not in report.verdict.summary


def test_the_banner_shape_with_the_gateways_seal_failing_is_not_authenticated() -> None:
    # (b) The same layout, but the set's seal does not validate (a set made up, or altered).
    raw = _pp_banner_message()
    at = raw.index(b"ARC-Seal:")
    b_tag = raw.index(b"b=", at) + 2
    forged = raw[:b_tag] + (b"A" if raw[b_tag:b_tag + 1] != b"A" else b"B") + raw[b_tag + 1:]
    report = _pp_analyze(forged)
    assert report.arc is not None and report.arc.result != "pass"
    assert report.verdict.status != "authenticated"
    assert "own gateway" not in report.verdict.summary


def test_a_set_below_the_boundary_is_not_the_gateways() -> None:
    # (c) The set (replayed, or once sealed) sits below the intake Received: the sender's text.
    raw = _pp_banner_message()
    start, end = raw.index(b"ARC-Seal:"), raw.index(b"Received: from out7")
    moved = raw[:start] + raw[end:]
    below = moved.index(b"DKIM-Signature:")
    moved = moved[:below] + raw[start:end] + moved[below:]
    report = _pp_analyze(moved)
    assert report.boundary_hop == 1
    assert report.verdict.status != "authenticated"
    assert "own gateway" not in report.verdict.summary


def test_a_newest_set_by_another_sealer_proves_nothing_of_the_gateway() -> None:
    # The newest set right above the intake is not sealed by the gateway's operator (here a d= of
    # the sender's own): it tells nothing of who changed the body.
    state = _pp_state()
    raw = (_TOP.replace(b"alice@example.org", b"bounce-77@mailer.example.net") + _PP_HANDOVER + _FILTERD
           + _seal(state, _PP_PASS, (b"mail2026", b"example.org", b"ppops.net")) + state)
    report = _pp_analyze(raw)
    assert report.verdict.status != "authenticated"
