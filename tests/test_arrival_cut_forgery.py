"""A sender's own result fields cannot make the arrival hop read as missing (verification V35a)."""

from __future__ import annotations

from datetime import datetime, timezone

import headerscope
from headerscope.dns.snapshot import SnapshotResolver

# A spoofer connects to Gmail straight, with no reverse DNS name, greeting as one of Google's own
# hosts (Gmail then writes "from HELO ([ip])": "from localhost.localdomain ([62.70.27.104]) by
# mx.google.com" in real copies); Gmail's own results above its Received; below it, the sender's
# made-up passes and a Received-SPF naming PayPal's server, a client no Received shows.
_SPOOF = (
    "Delivered-To: victim@gmail.com\n"
    "Received: by 2002:a05:7010:8c0b:b0:3e6:2b3c:8f0e with SMTP id m11csp1234567mdb;\n"
    "        Tue, 5 Nov 2024 08:12:35 -0800 (PST)\n"
    "Return-Path: <service@paypal.com>\n"
    "Received: from mail-sor-f41.google.com ([45.67.89.10])\n"
    "        by mx.google.com with ESMTPS id 6a1803df08f44-6d353fe1234si123456786d6.100.2024.11.05.08.12.34\n"
    "        for <victim@gmail.com>\n"
    "        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\n"
    "        Tue, 05 Nov 2024 08:12:34 -0800 (PST)\n"
    "Received-SPF: softfail (google.com: domain of transitioning service@paypal.com does not designate 45.67.89.10 "
    "as permitted sender) client-ip=45.67.89.10;\n"
    "Authentication-Results: mx.google.com;\n"
    "       spf=softfail (google.com: domain of transitioning service@paypal.com does not designate 45.67.89.10 as "
    "permitted sender) smtp.mailfrom=service@paypal.com;\n"
    "       dmarc=fail (p=REJECT sp=REJECT dis=QUARANTINE) header.from=paypal.com\n"
    "From: PayPal <service@paypal.com>\n"
    "Authentication-Results: mx.google.com;\n"
    "       dkim=pass header.i=@paypal.com header.s=pp-dkim1 header.b=AbCdEfGh;\n"
    "       spf=pass (google.com: domain of service@paypal.com designates 173.0.84.226 as permitted sender) "
    "smtp.mailfrom=service@paypal.com;\n"
    "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=paypal.com\n"
    "{forged_spf}"
    "To: victim@gmail.com\nSubject: Your account is limited\nDate: Tue, 05 Nov 2024 16:12:30 +0000\n"
    "Message-ID: <20241105161230.1234@paypal.com>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
    "Please log in.\n")
_FORGED_SPF = ("Received-SPF: pass (google.com: domain of service@paypal.com designates 173.0.84.226 as permitted "
               "sender) client-ip=173.0.84.226;\n")
_DNS = {"paypal.com": {"TXT": [["v=spf1 ip4:173.0.84.0/24 -all"]], "A": ["64.4.250.36"]},
        "_dmarc.paypal.com": {"TXT": [["v=DMARC1; p=reject; rua=mailto:d@rua.agari.com"]]}}
NOW = datetime(2024, 11, 6, tzinfo=timezone.utc)


def test_a_forged_received_spf_does_not_make_the_arrival_missing_or_silence_forged_results() -> None:
    reports = {name: headerscope.analyze(_SPOOF.replace("{forged_spf}", spf).encode(),
                                         resolver=SnapshotResolver(_DNS), now=NOW)
               for name, spf in (("with", _FORGED_SPF), ("without", ""))}
    for name, report in reports.items():
        ids = {f.id: f.severity.value for f in report.findings}
        assert "hops.arrival_missing" not in ids, name
        assert report.verdict.status == "spoofed", name
        assert report.spf is not None and (report.spf.result, report.spf.client_ip) == ("fail", "45.67.89.10"), name
        forged = [f for f in report.findings if f.id == "recorded.untrusted_claim" and f.title.startswith(
            "Possibly forged Authentication-Results")]
        assert forged and forged[0].severity.value == "warning", name


def test_a_forged_receiver_stamp_below_a_greeting_in_the_receivers_name_is_not_the_boundary() -> None:
    # The spoofer greets Gmail as one of Google's hosts from an address with no reverse DNS name and
    # writes a Received of its own below, "from mx3.slc.paypal.com ([173.0.84.226]) by mx.google.com":
    # Gmail's own Received-SPF records 45.67.89.10 as the client it checked, so the boundary is that
    # hop, and the forged line is the sender's text (verification V36: it read authenticated).
    raw = (_SPOOF.replace("{forged_spf}", "")
           .replace("From: PayPal <service@paypal.com>\n",
                    "Received: from mx3.slc.paypal.com (mx3.slc.paypal.com. [173.0.84.226])\n"
                    "        by mx.google.com with ESMTPS id a1si1234567qvb.33.2024.11.05.08.12.33\n"
                    "        for <victim@gmail.com>\n"
                    "        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\n"
                    "        Tue, 05 Nov 2024 08:12:33 -0800 (PST)\n"
                    "From: PayPal <service@paypal.com>\n", 1))
    raw = raw.replace(raw[raw.index("Authentication-Results: mx.google.com;\n       dkim=pass"):raw.index("To: victim")], "")
    # The same copy fetched from the mailbox (a real fetchmail stamp on top, verification V37): below
    # the retrieval, the receiving organisation is the mailbox provider's.
    fetched = ("Received: from imap.gmail.com [142.250.27.108]\n\tby localhost with IMAP (fetchmail-6.4.37)\n"
               "\tfor <victim@localhost> (single-drop); Tue, 05 Nov 2024 16:20:00 +0000 (UTC)\n" + raw)
    for copy in (raw, fetched):
        report = headerscope.analyze(copy.encode(), resolver=SnapshotResolver(_DNS), now=NOW)
        assert report.verdict.status == "spoofed"
        assert report.spf is not None and (report.spf.result, report.spf.client_ip) == ("fail", "45.67.89.10")
        boundary = next(h for h in report.hops if h.boundary)
        assert boundary.fields.from_ip == "45.67.89.10"
        notes = [f.title for f in report.findings if f.id == "hops.boundary_uncertain"]
        # One reading: no "uncertain: hop 2 or hop 1" beside the receiver's record (V37).
        assert len(notes) == 1 and "receiver's own record" in notes[0], notes


def test_yahoos_record_of_the_client_in_its_received_spf_comment_outweighs_a_yahoo_greeting() -> None:
    # Yahoo writes the client it checked only in its Received-SPF comment ("does not designate
    # 45.67.89.10 as permitted sender", no client-ip=; real copies in yahoo-inc's DKIM fixtures):
    # a spoofer greeting as a Yahoo host with a forged Yahoo stamp below read authenticated (V37).
    raw = ("Received: from 127.0.0.1\n by atlas-production.v2-mail-prod1-gq1.omega.yahoo.com with HTTP; "
           "Tue, 5 Nov 2024 16:12:35 +0000\n"
           "Return-Path: <service@paypal.com>\n"
           "Received-SPF: fail (domain of paypal.com does not designate 45.67.89.10 as permitted sender)\n"
           "Authentication-Results: atlas-production.v2-mail-prod1-gq1.omega.yahoo.com;\n dkim=unknown;\n"
           " spf=fail smtp.mailfrom=paypal.com;\n dmarc=fail(p=REJECT) header.from=paypal.com;\n"
           "Received: from 45.67.89.10 (EHLO sonic301-20.consmr.mail.gq1.yahoo.com)\n by 10.253.231.24 with SMTPs\n"
           " (version=TLS1_2 cipher=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);\n Tue, 05 Nov 2024 16:12:34 +0000\n"
           "Received: from mx3.slc.paypal.com ([173.0.84.226])\n\tby sonic301-20.consmr.mail.gq1.yahoo.com with ESMTP\n"
           "\tid A7iAolQIFxJs1A7nioOK6W; Tue, 05 Nov 2024 16:12:33 +0000\n"
           "From: PayPal <service@paypal.com>\nTo: victim@yahoo.com\nSubject: Your account is limited\n"
           "Date: Tue, 05 Nov 2024 16:12:30 +0000\nMessage-ID: <20241105161230.1234@paypal.com>\nMIME-Version: 1.0\n"
           "Content-Type: text/plain; charset=utf-8\n\nPlease log in.\n")
    report = headerscope.analyze(raw.encode(), resolver=SnapshotResolver(_DNS), now=NOW)
    assert report.verdict.status == "spoofed"
    assert report.spf is not None and (report.spf.result, report.spf.client_ip) == ("fail", "45.67.89.10")
    # The comment's address does not make an arrival "missing" either: the chain shows it.
    assert "hops.arrival_missing" not in {f.id for f in report.findings}


def _gmx_spoof(client: str) -> bytes:
    # GMX's MX writes "from HELO ([ip]) by mx-ha.gmx.net (mxgmxNNN [its address]) with ESMTPS (Nemesis)"
    # and its own Authentication-Results ("Authentication-Results: gmx.net; ...") above it.
    return ("Authentication-Results: gmx.net; dkim=none; spf=fail smtp.mailfrom=paypal.com; "
            "dmarc=fail header.from=paypal.com\n"
            f"Received: from mout.gmx.net ([{client}]) by mx-ha.gmx.net (mxgmx017 [212.227.15.9]) with ESMTPS "
            "(Nemesis) id 1MxAbC-1aBcDe0fGh-00XyZw for <victim@gmx.de>; Tue, 05 Nov 2024 17:12:34 +0100\n"
            "Authentication-Results: gmx.net; dkim=pass header.i=@paypal.com; spf=pass smtp.mailfrom=paypal.com; "
            "dmarc=pass header.from=paypal.com\n"
            "Received: from mx3.slc.paypal.com ([173.0.84.226]) by mx-ha.gmx.net (mxgmx114 [212.227.17.5]) with "
            "ESMTPS (Nemesis) id 1MaJKP-1pWHuy2AM9-00WQcz for <victim@gmx.de>; Tue, 05 Nov 2024 17:12:33 +0100\n"
            "Return-Path: <service@paypal.com>\n"
            "From: PayPal <service@paypal.com>\nTo: victim@gmx.de\nSubject: Your account is limited\n"
            "Date: Tue, 05 Nov 2024 16:12:30 +0000\nMessage-ID: <20241105161230.1234@paypal.com>\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\n\nPlease log in.\n").encode()


def test_a_gmx_greeting_from_an_outside_address_with_a_forged_gmx_stamp_below_reads_spoofed() -> None:
    # Verification V37, at GMX: a spoofer greets GMX's MX as mout.gmx.net from an address of its own
    # with no reverse DNS name and writes a GMX-looking Received and results below. GMX's MX records
    # only the greeting, also for its own relays, so the address decides: not one of United
    # Internet's published networks, an outsider's claim (it read authenticated on the forged hop).
    report = headerscope.analyze(_gmx_spoof("45.67.89.10"), resolver=SnapshotResolver(_DNS), now=NOW)
    assert report.verdict.status == "spoofed"
    assert report.spf is not None and (report.spf.result, report.spf.client_ip) == ("fail", "45.67.89.10")
    assert next(h for h in report.hops if h.boundary).fields.from_ip == "45.67.89.10"
    forged = [f for f in report.findings if f.id == "recorded.untrusted_claim"
              and f.title.startswith("Possibly forged Authentication-Results")]
    assert forged and forged[0].severity.value == "warning"
    # The same stamps with the client at GMX's own relay (mout.gmx.net's 212.227.17.20): GMX's hand-over.
    inside = headerscope.analyze(_gmx_spoof("212.227.17.20"), resolver=SnapshotResolver(_DNS), now=NOW)
    assert next(h for h in inside.hops if h.boundary).fields.from_ip == "173.0.84.226"
