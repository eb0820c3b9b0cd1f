"""A field already told as a forged claim (recorded.untrusted_claim, a warning) is left out of the
same-writer comparison (verification V52c D5): IronPort's own records above its intake and a
sender's pass in IronPort's name below it read 'Three results ... disagree ... neither tells which
the receiver acted on', where the receiver acted on its own. The layout is IronPort's (hosted
iphmx.com) in front of on-premises Exchange, with the Received-SPF of Cisco's AsyncOS guide."""

from __future__ import annotations

from datetime import datetime, timezone

import headerscope
from headerscope.dns.snapshot import SnapshotResolver

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)

_EXCH = (b"Received: from esa1.hc1234-56.iphmx.com (198.51.100.21) by\r\n"
         b" EXCH01.corp.example.com (10.10.0.21) with Microsoft SMTP Server\r\n"
         b" (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
         b" 15.1.2507.35; Thu, 26 Nov 2026 08:05:08 -0500\r\n")
_OWN = (b"Authentication-Results: esa1.hc1234-56.iphmx.com; dkim=none (message not signed)\r\n"
        b"  header.i=none; spf=Fail smtp.mailfrom=dana@example.org;\r\n"
        b"  spf=None smtp.helo=postmaster@host66.example.net; dmarc=fail (p=reject dis=none)\r\n  d=example.org\r\n"
        b"Received-SPF: Fail (esa1.hc1234-56.iphmx.com: domain of\r\n"
        b"  dana@example.org does not designate 203.0.113.66 as permitted sender)\r\n"
        b"  identity=mailfrom; client-ip=203.0.113.66;\r\n"
        b"  receiver=esa1.hc1234-56.iphmx.com;\r\n"
        b"  envelope-from=\"dana@example.org\";\r\n"
        b"  x-sender=\"dana@example.org\"; x-conformance=spf_only\r\n"
        b"Received: from host66.example.net ([203.0.113.66])\r\n"
        b"  by esa1.hc1234-56.iphmx.com with ESMTP/TLS/TLS_AES_256_GCM_SHA384; 26 Nov 2026 08:05:06 -0500\r\n")
_FORGED = (b"Authentication-Results: esa1.hc1234-56.iphmx.com; dkim=pass (signature verified)\r\n"
           b"  header.i=@example.org; spf=Pass smtp.mailfrom=dana@example.org;\r\n"
           b"  dmarc=pass (p=reject dis=none) d=example.org\r\n")
_AUTHOR = (b"From: Dana Reyes <dana@example.org>\r\nTo: Lee Chan <lee@example.com>\r\nSubject: Invoice 4471\r\n"
           b"Date: Thu, 26 Nov 2026 08:05:03 -0500\r\nMessage-ID: <20261126130503.4471@mail.example.org>\r\n"
           b"\r\nThe invoice is on our portal: https://portal.example.org/inv/4471\r\n")
_DNS = {
    "example.org": {"TXT": [["v=spf1 ip4:192.0.2.10 -all"]]},
    "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject"]]},
    "example.com": {"MX": ["10 mx1.hc1234-56.iphmx.com.", "10 mx2.hc1234-56.iphmx.com."]},
    "21.100.51.198.in-addr.arpa": {"PTR": ["esa1.hc1234-56.iphmx.com."]},
    "esa1.hc1234-56.iphmx.com": {"A": ["198.51.100.21"]},
    "66.113.0.203.in-addr.arpa": {"PTR": ["host66.example.net."]},
    "host66.example.net": {"A": ["203.0.113.66"]},
}


def test_a_forged_pass_below_the_intake_is_not_one_of_the_receivers_records_that_disagree() -> None:
    report = headerscope.analyze(_EXCH + _OWN + _FORGED + _AUTHOR, resolver=SnapshotResolver(_DNS), now=NOW)
    assert report.verdict.status == "spoofed"
    claims = [f for f in report.findings if f.id == "recorded.untrusted_claim"]
    assert claims and claims[0].title.startswith("Possibly forged Authentication-Results")
    assert "recorded.disagree" not in {f.id for f in report.findings}


def test_the_receivers_own_fields_that_disagree_are_still_told() -> None:
    # Two of IronPort's own fields above its intake, one saying pass: its own contradiction stays told.
    own_pass = _OWN.replace(b"Received-SPF: Fail", b"Received-SPF: Pass")
    report = headerscope.analyze(_EXCH + own_pass + _FORGED + _AUTHOR, resolver=SnapshotResolver(_DNS), now=NOW)
    told = [f for f in report.findings if f.id == "recorded.disagree"]
    assert told and told[0].subject == "headers 2, 3"  # the forged field (header 5) left out
