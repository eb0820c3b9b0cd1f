"""An ARC set the sending organisation added on its way out is not what an intermediary saw
(arc.sender_sealed)."""

from __future__ import annotations

from headerscope.api import analyze
from headerscope.auth.arc import check_arc
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.message import parse_message
from headerscope.render import get_renderer

OUTBOUND_AAR = ("mx.microsoft.com 1; spf=pass (sender ip is 198.51.100.160) smtp.rcpttodomain=recipient.example "
                "smtp.mailfrom=tenant.example; dmarc=pass (p=reject sp=reject pct=100) action=none "
                "header.from=tenant.example; dkim=none (message not signed); arc=none (0)")


def _microsoft_set(aar: str) -> str:
    return ("ARC-Seal: i=1; a=rsa-sha256; s=arcselector10001; d=microsoft.com; cv=none;\r\n b=c2VhbA==\r\n"
            "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=microsoft.com; s=arcselector10001;\r\n"
            " h=From:Date:Subject; bh=moeswr1uLUprQD/Ko7eiYcwpJy8/RSTh1wI38gpHwpY=; b=YW1z\r\n"
            f"ARC-Authentication-Results: i=1; {aar}\r\n")


def _tenant_outbound(direction: str = "OUT", receiver: str = "mx.recipient.example") -> bytes:
    return ("Received: from NAM12-DM6-obe.outbound.protection.outlook.com (mail-dm6nam12on2060.outbound."
            f"protection.outlook.com [52.101.48.17])\r\n by {receiver} (Postfix) with ESMTPS id 4Q;\r\n"
            " Tue, 5 Mar 2024 10:00:05 +0000\r\n"
            + _microsoft_set(OUTBOUND_AAR)
            + "X-Forefront-Antispam-Report:\r\n CIP:198.51.100.160;CTRY:US;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;"
              f"H:mail.tenant.example;PTR:mail.tenant.example;CAT:NONE;DIR:{direction};SFP:1101;\r\n"
              "From: Jo <jo@tenant.example>\r\nTo: a@recipient.example\r\nSubject: x\r\n"
              "Date: Tue, 5 Mar 2024 10:00:00 +0000\r\n").encode()


def _ids(raw: bytes) -> list[str]:
    _, findings = check_arc(parse_message(raw), SnapshotResolver({}))
    return [f.id for f in findings if f.id == "arc.sender_sealed"]


def test_a_microsoft_365_tenants_outbound_set_is_the_senders_own_check() -> None:
    raw = _tenant_outbound()
    _, findings = check_arc(parse_message(raw), SnapshotResolver({}))
    [finding] = [f for f in findings if f.id == "arc.sender_sealed"]
    assert finding.title == ("ARC i=1 by microsoft.com: sealed by the sending organisation on its way out; its "
                             "results are the sender's own check")
    assert "X-Forefront-Antispam-Report says DIR:OUT" in finding.explanation and finding.subject == "arc i=1"
    text = " ".join(get_renderer("terminal", color=False, width=400).render(analyze(raw, offline=True)).split())
    assert ("ARC i=1 by microsoft.com: cv=none seal=? AMS=?; sealed by the sending organisation on its way out; "
            "its results are the sender's own check: mx.microsoft.com 1; spf=pass") in text
    assert "it saw: mx.microsoft.com" not in text


def test_an_outlook_com_senders_set_read_at_another_provider() -> None:
    # Yandex's receipt of an outlook.com user's mail (review AH, 06): Microsoft sealed it for its own user.
    raw = (b"Authentication-Results: myt6-0c6ff95e6b5b.qloud-c.yandex.net; spf=pass "
           b"smtp.mail=alice@outlook.com; dkim=pass header.i=@outlook.com\r\n"
           b"ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=none; dmarc=none;\r\n dkim=none; arc=none\r\n"
           b"From: <alice@outlook.com>\r\nTo: <alice@yandex.ru>\r\n")
    assert _ids(raw) == ["arc.sender_sealed"]


def test_an_inbound_or_receivers_own_set_is_still_an_intermediarys() -> None:
    # Exchange Online's inbound report (DIR:INB) beside its one set: the receiving side's own.
    assert _ids(_tenant_outbound(direction="INB")) == []
    # The message was delivered inside Microsoft: the set may be the receiver's.
    assert _ids(_tenant_outbound(receiver="DM6PR12MB1234.namprd12.prod.outlook.com")) == []
    # Google sealing a gmail.com user's post to a group: the group is an intermediary.
    listed = (b"Received: from mail-sor-f69.google.com (mail-sor-f69.google.com [209.85.220.69])\r\n"
              b" by mx.fastmail.example with ESMTPS id 1; Tue, 5 Mar 2024 10:00:05 +0000\r\n"
              + _microsoft_set("mx.google.com; dkim=pass header.i=@gmail.com").replace("microsoft.com", "google.com")
              .encode()
              + b"List-Id: <club.googlegroups.com>\r\nFrom: a@gmail.com\r\n")
    assert _ids(listed) == []
    assert _ids(listed.replace(b"List-Id: <club.googlegroups.com>\r\n", b"")) == ["arc.sender_sealed"]


def test_a_sender_written_direction_without_a_microsoft_hop_says_nothing_of_microsoft() -> None:
    # Verification V9, N4: a forged d=microsoft.com set and a sender-written "DIR:OUT" on mail that
    # never passed a Microsoft server are not "Exchange Online sealing a tenant's outbound mail".
    raw = _tenant_outbound().replace(b"NAM12-DM6-obe.outbound.protection.outlook.com (mail-dm6nam12on2060.outbound."
                                     b"protection.outlook.com [52.101.48.17])",
                                     b"mail.evil.example (mail.evil.example [203.0.113.9])")
    assert _ids(raw) == []
    assert _ids(_tenant_outbound()) == ["arc.sender_sealed"]


def test_a_seal_that_fails_says_nothing_of_who_sealed_it() -> None:
    from dataclasses import replace

    from headerscope.auth.arc import _read_sets, _sealed_on_the_way_out

    message = parse_message(_tenant_outbound())
    result, _ = check_arc(message, SnapshotResolver({}))
    assert result is not None
    instances = list(result.instances)
    assert _sealed_on_the_way_out(message, _read_sets(message), instances) is not None
    failed = [replace(instances[0], seal_result="fail"), *instances[1:]]
    assert _sealed_on_the_way_out(message, _read_sets(message), failed) is None
