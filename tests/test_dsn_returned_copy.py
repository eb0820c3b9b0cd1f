"""What a bounce records about the message it returns (verification V57a): the original envelope
sender (Postfix's X-Postfix-Sender, the bounce's To:) for ``analyze --attached 1`` when the copy
has no Return-Path (D2-1), and the backscatter notice from the copy's own evidence, the bouncing
side's recorded DMARC failure or the forged domain's SPF refusing the client, whatever the bot's
HELO (D2-2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import headerscope

REPO = Path(__file__).resolve().parent.parent

# example.com authorises 192.0.2.0/28 only (-all) and asks for reject; the bouncing server is
# mx.remote.example.net.
SNAPSHOT = {
    "$meta": {"recorded_at": "2026-11-24T10:20:00Z", "source": "test"},
    "example.com": {"TXT": [["v=spf1 ip4:192.0.2.0/28 -all"]], "MX": ["10 mx1.example.com."]},
    "_dmarc.example.com": {"TXT": [["v=DMARC1; p=reject"]]},
    "mx.remote.example.net": {"TXT": [["v=spf1 a -all"]], "A": ["198.51.100.10"]},
    "remote.example.net": {"TXT": [["v=spf1 mx -all"]]},
    "_dmarc.remote.example.net": {"TXT": [["v=DMARC1; p=none"]]},
    "10.100.51.198.in-addr.arpa": {"PTR": ["mx.remote.example.net."]},
}

# A forged message as the bouncing server stamped it: a bot at 203.0.113.77 greeting with its own
# dynamic name, not the forged domain's.
FORGED_COPY = (b"Received: from pc-77.dyn.example.org (unknown [203.0.113.77])\r\n"
               b"\tby mx.remote.example.net (Postfix) with ESMTP id 4fKq2V2sYvz9sTm\r\n"
               b"\tfor <nobody@remote.example.net>; Tue, 24 Nov 2026 10:15:01 +0000 (UTC)\r\n"
               b"From: \"Chief Executive\" <ceo@example.com>\r\nTo: nobody@remote.example.net\r\n"
               b"Subject: Your invoice is ready\r\nDate: Tue, 24 Nov 2026 11:14:58 +0100\r\n"
               b"Message-ID: <20261124111458.2231.qmail@pc-77.dyn.example.org>\r\n"
               b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
               b"Please see the invoice.\r\n")


def _postfix_bounce(copy: bytes, sender: bytes = b"ceo@example.com", to: bytes = b"ceo@example.com",
                    copy_type: bytes = b"message/rfc822") -> bytes:
    """A bounce as Postfix's bounce(8) writes it, received by example.com's MX."""
    return (b"Return-Path: <>\r\nDelivered-To: ceo@example.com\r\n"
            b"Received: from mx.remote.example.net (mx.remote.example.net [198.51.100.10])\r\n"
            b"\tby mx1.example.com (Postfix) with ESMTPS id 4fKq2X0nWzz4wM7\r\n"
            b"\tfor <ceo@example.com>; Tue, 24 Nov 2026 10:15:03 +0000 (UTC)\r\n"
            b"Received: by mx.remote.example.net (Postfix)\r\n"
            b"\tid 4fKq2W6RkGz9sTn; Tue, 24 Nov 2026 10:15:02 +0000 (UTC)\r\n"
            b"Date: Tue, 24 Nov 2026 10:15:02 +0000 (UTC)\r\n"
            b"From: MAILER-DAEMON@mx.remote.example.net (Mail Delivery System)\r\n"
            b"Subject: Undelivered Mail Returned to Sender\r\nTo: " + to + b"\r\nAuto-Submitted: auto-replied\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n"
            b"\tboundary=\"b1\"\r\nMessage-Id: <20261124101502.4fKq2W6RkGz9sTn@mx.remote.example.net>\r\n\r\n"
            b"--b1\r\nContent-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            b"This is the mail system at host mx.remote.example.net.\r\n\r\n"
            b"<nobody@remote.example.net>: unknown user: \"nobody\"\r\n\r\n"
            b"--b1\r\nContent-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n"
            b"Reporting-MTA: dns; mx.remote.example.net\r\nX-Postfix-Queue-ID: 4fKq2V2sYvz9sTm\r\n"
            + (b"X-Postfix-Sender: rfc822; " + sender + b"\r\n" if sender else b"") +
            b"Arrival-Date: Tue, 24 Nov 2026 10:15:01 +0000 (UTC)\r\n\r\n"
            b"Final-Recipient: rfc822; nobody@remote.example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            b"Diagnostic-Code: X-Postfix; unknown user: \"nobody\"\r\n\r\n"
            b"--b1\r\nContent-Description: Undelivered Message\r\nContent-Type: " + copy_type + b"\r\n\r\n"
            + copy + b"\r\n--b1--\r\n")


def _snapshot(tmp_path: Path) -> str:
    path = tmp_path / "snapshot.dns.json"
    path.write_text(json.dumps(SNAPSHOT))
    return str(path)


def _attached(tmp_path: Path, bounce: bytes, *extra: str) -> dict[str, Any]:
    path = tmp_path / "bounce.eml"
    path.write_bytes(bounce)
    out = subprocess.run([sys.executable, "-m", "headerscope", "analyze", str(path), "--dns-snapshot",
                          _snapshot(tmp_path), "--format", "json", "--attached", "1", *extra],
                         capture_output=True, env={**os.environ, "NO_COLOR": "1"}, cwd=REPO, check=True).stdout
    return json.loads(out)  # type: ignore[no-any-return]


def _backscatter(tmp_path: Path, bounce: bytes, dns: dict[str, Any] | None = None) -> list[str]:
    """The backscatter notice's explanation, with SNAPSHOT and ``dns`` over it."""
    path = tmp_path / "backscatter.dns.json"
    path.write_text(json.dumps({**SNAPSHOT, **(dns or {})}))
    report = headerscope.analyze(bounce, dns_snapshot=str(path))
    return [f.explanation for f in report.findings if f.id == "dsn.backscatter"]


def _signed_copy(copy: bytes) -> tuple[bytes, dict[str, Any]]:
    """``copy`` with a DKIM signature of example.com that verifies (the samples' shop.example key,
    published at s1._domainkey.example.com), below its Received fields, and the key's DNS."""
    import base64
    from unittest import mock

    import dkim
    from cryptography.hazmat.primitives import serialization

    pem = (REPO / "samples" / "keys" / "shop.example.rsa2048.pem").read_bytes()
    public = serialization.load_pem_private_key(pem, None).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    record = "v=DKIM1; k=rsa; p=" + base64.b64encode(public).decode()
    at = copy.index(b"\r\nFrom: ") + 2
    with mock.patch("dkim.time.time", return_value=1_795_000_000):  # 2026-11-18, before the stamps
        field = bytes(dkim.sign(copy[at:], b"s1", b"example.com", pem,
                                include_headers=[b"from", b"to", b"subject", b"date", b"message-id"]))
    dns = {"s1._domainkey.example.com": {"TXT": [[record[i:i + 255] for i in range(0, len(record), 255)]]}}
    return copy[:at] + field + copy[at:], dns


# D2-1: the returned copy's MAIL FROM.

def test_a_postfix_bounces_recorded_sender_is_the_returned_copys_mail_from(tmp_path: Path) -> None:
    report = _attached(tmp_path, _postfix_bounce(FORGED_COPY))
    assert report["envelope"]["mail_from"] == "ceo@example.com"
    assert report["envelope"]["mail_from_source"] == \
        "the bounce that returns it (the bouncing server's claim): X-Postfix-Sender"
    assert report["spf"]["result"] == "fail"
    assert "MAIL FROM: the bounce that returns it (the bouncing server's claim): X-Postfix-Sender" \
        in report["spf"]["inputs_from"]
    assert report["verdict"]["status"] == "spoofed"


def test_without_x_postfix_sender_the_bounces_to_is_the_returned_copys_mail_from(tmp_path: Path) -> None:
    # Sendmail's DSN names no sender: the notice goes to the reverse-path (RFC 5321 section 4.5.5).
    report = _attached(tmp_path, _postfix_bounce(FORGED_COPY, sender=b""))
    assert report["envelope"]["mail_from"] == "ceo@example.com"
    assert report["envelope"]["mail_from_source"] == "the bounce that returns it (the bouncing server's claim): To"
    # X-Postfix-Sender is read before To:, and two To: addresses name no one sender.
    both = _attached(tmp_path, _postfix_bounce(FORGED_COPY, to=b"a@example.org, b@example.org"))
    assert both["envelope"]["mail_from"] == "ceo@example.com"
    assert both["envelope"]["mail_from_source"].endswith("X-Postfix-Sender")
    none = _attached(tmp_path, _postfix_bounce(FORGED_COPY, sender=b"", to=b"a@example.org, b@example.org"))
    assert none["envelope"]["mail_from"] is None


def test_the_copys_own_return_path_outranks_the_bounces_record(tmp_path: Path) -> None:
    copy = b"Return-path: <someone@example.org>\r\n" + FORGED_COPY
    report = _attached(tmp_path, _postfix_bounce(copy))
    assert report["envelope"]["mail_from"] == "someone@example.org"
    assert report["envelope"]["mail_from_source"] == "Return-Path"


def test_a_forged_bounces_sender_gives_spf_no_more_than_the_same_mail_from_on_the_command_line(
        tmp_path: Path) -> None:
    # A forger writes the whole bounce: a copy whose stamp claims a client example.com authorises.
    # The bounce's record is a claim like the copy's Return-Path: the verdict is the one the same
    # MAIL FROM given with --mail-from (or written as the copy's Return-Path) gives, never more.
    authorised = FORGED_COPY.replace(b"unknown [203.0.113.77]", b"unknown [192.0.2.5]")
    recorded = _attached(tmp_path, _postfix_bounce(authorised))
    given = _attached(tmp_path, _postfix_bounce(authorised, sender=b"", to=b"a@example.org, b@example.org"),
                      "--mail-from", "ceo@example.com")
    in_copy = _attached(tmp_path, _postfix_bounce(b"Return-Path: <ceo@example.com>\r\n" + authorised))
    assert recorded["spf"]["result"] == given["spf"]["result"] == in_copy["spf"]["result"] == "pass"
    assert recorded["verdict"]["status"] == given["verdict"]["status"] == in_copy["verdict"]["status"]
    assert any(f["id"] == "input.attached" for f in recorded["findings"])


def test_a_feedback_reports_original_mail_from_is_still_its_own(tmp_path: Path) -> None:
    report = (b"From: <fbl@reporter.example>\r\nTo: <abuse@example.com>\r\nSubject: FBL\r\n"
              b"Date: Tue, 24 Nov 2026 10:15:02 +0000\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: multipart/report; report-type=feedback-report; boundary=\"b1\"\r\n\r\n"
              b"--b1\r\nContent-Type: text/plain\r\n\r\nA complaint.\r\n\r\n"
              b"--b1\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nVersion: 1\r\n"
              b"Original-Mail-From: <bounce@example.com>\r\n\r\n"
              b"--b1\r\nContent-Type: message/rfc822\r\n\r\n" + FORGED_COPY + b"\r\n--b1--\r\n")
    found = _attached(tmp_path, report)
    assert found["envelope"]["mail_from"] == "bounce@example.com"
    assert found["envelope"]["mail_from_source"] == "the feedback report that carries it: Original-Mail-From"


# D2-2: backscatter from the copy's own evidence.

def test_a_bounce_of_a_copy_the_domains_spf_refuses_is_likely_backscatter(tmp_path: Path) -> None:
    [explanation] = _backscatter(tmp_path, _postfix_bounce(FORGED_COPY))
    assert ("the client that handed it to mx.remote.example.net (203.0.113.77, without a reverse DNS name) is one "
            "example.com's own SPF record refuses (SPF fail for example.com)") in explanation


def test_the_bouncing_sides_recorded_dmarc_failure_in_the_copy_is_backscatter_evidence(tmp_path: Path) -> None:
    # Microsoft 365's returned header: its own results above its arrival stamp. The client is one
    # example.com's SPF does not refuse here (the record is gone), so only the recorded result tells.
    recorded = (b"Authentication-Results: spf=fail (sender IP is 203.0.113.77) smtp.mailfrom=example.com;\r\n"
                b" dkim=none (message not signed) header.d=none;dmarc=fail action=oreject\r\n"
                b" header.from=example.com;compauth=fail reason=000\r\n")
    bounce = _postfix_bounce(recorded + FORGED_COPY)
    unpublished = {**SNAPSHOT, "example.com": {"TXT": [], "MX": ["10 mx1.example.com."]}}
    path = tmp_path / "unpublished.dns.json"
    path.write_text(json.dumps(unpublished))
    [explanation] = [f.explanation for f in headerscope.analyze(bounce, dns_snapshot=str(path)).findings
                     if f.id == "dsn.backscatter"]
    assert ("the bouncing side's own Authentication-Results in the copy record dmarc=fail and compauth=fail for "
            "example.com") in explanation
    # Below the arrival stamp it is the sender's own text, and a field about another From: domain
    # is about another message: neither is evidence.
    lines = FORGED_COPY.split(b"\r\n")
    below = b"\r\n".join(lines[:3]) + b"\r\n" + recorded + b"\r\n".join(lines[3:])
    other = recorded.replace(b"header.from=example.com", b"header.from=example.org")
    for copy in (below, other + FORGED_COPY):
        assert not [f for f in headerscope.analyze(_postfix_bounce(copy), dns_snapshot=str(path)).findings
                    if f.id == "dsn.backscatter"]


def test_a_genuine_bounce_of_the_domains_own_mail_is_not_backscatter(tmp_path: Path) -> None:
    # From example.com's own server, 192.0.2.5, which its SPF authorises: no notice, whether it
    # greets with a name of example.com (without a reverse DNS name in it) or another.
    own = FORGED_COPY.replace(b"pc-77.dyn.example.org (unknown [203.0.113.77])",
                              b"out.example.com (unknown [192.0.2.5])")
    assert not _backscatter(tmp_path, _postfix_bounce(own))
    assert not _backscatter(tmp_path, _postfix_bounce(own.replace(b"out.example.com", b"relay.hoster.example")))
    # The same greeting from a client example.com's SPF does not list is the forger's.
    assert _backscatter(tmp_path, _postfix_bounce(own.replace(b"192.0.2.5", b"203.0.113.77")))
    # Signed by example.com with a signature that verifies: its own mail, whatever the route, even
    # from a client its SPF does not list. (A signature that does not verify is no evidence: see
    # test_only_a_verified_signature_of_the_domain_removes_the_notice; this assertion used to hold
    # for an unverifiable "d=example.com; bh=AAAA; b=BBBB", which the bot can write: V58d D-5.)
    signed, dns = _signed_copy(FORGED_COPY)
    assert not _backscatter(tmp_path, _postfix_bounce(signed), dns)
    # Offline, the SPF record is not asked: no evidence, no notice.
    assert not [f for f in headerscope.analyze(_postfix_bounce(FORGED_COPY), offline=True).findings
                if f.id == "dsn.backscatter"]


# D3: the words about a bounce's own parts.

def test_a_returned_header_is_said_as_the_attached_header_not_an_outlook_paste(tmp_path: Path) -> None:
    # A text/rfc822-headers part (RFC 6522) that kept Exchange's own fields is no Outlook paste.
    header = FORGED_COPY.split(b"\r\n\r\n")[0] + b"\r\nX-MS-Exchange-Organization-AuthAs: Anonymous\r\n"
    bounce = _postfix_bounce(header, copy_type=b"text/rfc822-headers")
    report = _attached(tmp_path, bounce)
    assert report["input"]["format"] == "headers-only"
    path = tmp_path / "bounce.eml"
    text = subprocess.run([sys.executable, "-m", "headerscope", "analyze", str(path), "--dns-snapshot",
                           _snapshot(tmp_path), "--format", "markdown", "--attached", "1"], capture_output=True,
                          cwd=REPO, check=True, text=True).stdout
    assert "no DKIM-Signature in the attached header" in text
    assert "pasted header" not in text


def test_exims_own_bounce_stamp_names_no_account() -> None:
    bounce = (b"Received: from mailnull by mx.remote.example.net with local (Exim 4.96)\r\n"
              b"\tid 1tABCD-0001XY-2Z for ceo@example.com; Tue, 24 Nov 2026 10:15:02 +0000\r\n"
              b"X-Failed-Recipients: nobody@remote.example.net\r\nAuto-Submitted: auto-replied\r\n"
              b"From: Mail Delivery System <Mailer-Daemon@mx.remote.example.net>\r\nTo: ceo@example.com\r\n"
              b"Subject: Mail delivery failed: returning message to sender\r\n"
              b"Message-Id: <E1tABCD-0001XY-2Z@mx.remote.example.net>\r\nDate: Tue, 24 Nov 2026 10:15:02 +0000\r\n"
              b"\r\nThis message was created automatically by mail delivery software.\r\n")
    assert not [f for f in headerscope.analyze(bounce, offline=True).findings if f.id == "origin.program"]
    # A hosting account's local hand-over is still named.
    [finding] = [f for f in headerscope.analyze(bounce.replace(b"from mailnull", b"from webuser"),
                                                offline=True).findings if f.id == "origin.program"]
    assert "the account webuser" in finding.title


def test_a_pasted_exchange_ndrs_5_1_10_is_read_as_microsoft_means_it() -> None:
    from headerscope.mime import pasted_notice

    text = ("Your message to nobody@contoso.example couldn't be delivered.\n\n"
            "Diagnostic information for administrators:\n\n"
            "Generating server: DM6PR11MB1234.namprd11.prod.outlook.com\n\nnobody@contoso.example\n"
            "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP "
            "address lookup'\n\nOriginal message headers:\n\n")
    finding = pasted_notice(text)
    assert finding is not None
    assert finding.title.endswith("(5.1.10: permanent failure: recipient not found (Microsoft 365's use of the code))")


# Verification V58d: what the bounce's record and the copy's evidence may say.

def _own_relay_bounce(copy: bytes, reporting: bytes = b"mx1.example.com") -> bytes:
    """example.com's own outbound relay (mx1.example.com) bouncing a message it failed to deliver
    to mx.remote.example.net (Postfix's shape: 'host ... said:' and Remote-MTA)."""
    return (b"Return-Path: <>\r\nDelivered-To: ceo@example.com\r\n"
            b"Received: by mx1.example.com (Postfix)\r\n\tid 4fKq2W6RkGz9sTn; Tue, 24 Nov 2026 10:15:02 +0000 (UTC)\r\n"
            b"Date: Tue, 24 Nov 2026 10:15:02 +0000 (UTC)\r\n"
            b"From: MAILER-DAEMON@" + reporting + b" (Mail Delivery System)\r\n"
            b"Subject: Undelivered Mail Returned to Sender\r\nTo: ceo@example.com\r\nAuto-Submitted: auto-replied\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"b1\"\r\n"
            b"Message-Id: <20261124101502.4fKq2W6RkGz9sTn@" + reporting + b">\r\n\r\n"
            b"--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            b"This is the mail system at host " + reporting + b".\r\n\r\n<someone@remote.example.net>: host "
            b"mx.remote.example.net[198.51.100.10] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\r\n\r\n"
            b"--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
            b"Reporting-MTA: dns; " + reporting + b"\r\nX-Postfix-Sender: rfc822; ceo@example.com\r\n\r\n"
            b"Final-Recipient: rfc822; someone@remote.example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            b"Remote-MTA: dns; mx.remote.example.net\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
            b"--b1\r\nContent-Type: message/rfc822\r\n\r\n" + copy + b"\r\n--b1--\r\n")


APP_COPY = (b"Received: from app1.example.com (app1.example.com [198.51.100.77])\r\n"
            b"\tby mx1.example.com (Postfix) with ESMTP id 4fKq2V2sYvz9sTm;\r\n\tTue, 24 Nov 2026 10:15:01 +0000 (UTC)\r\n"
            b"From: \"Chief Executive\" <ceo@example.com>\r\nTo: someone@remote.example.net\r\n"
            b"Subject: Quarterly figures\r\nDate: Tue, 24 Nov 2026 11:14:58 +0100\r\nMessage-ID: <abc@example.com>\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHi\r\n")


def test_an_own_relays_bounce_of_its_own_servers_mail_gives_no_mail_from(tmp_path: Path) -> None:
    # D-1: the copy never left example.com (its relay took it from its own app server and failed
    # onward): no outside hand-over for SPF to judge, so the relay's recorded sender is not used
    # and the domain's own mail never reads SPOOFED (it read NOT CHECKED before 87d7eb3).
    report = _attached(tmp_path, _own_relay_bounce(APP_COPY))
    assert report["envelope"]["mail_from"] is None
    assert report["verdict"]["status"] == "not_checked"
    # Named by another organisation (a report written by a provider's name for the relay), the
    # copy's own stamp still shows example.com's internal hand-over (its client named in it).
    other = _attached(tmp_path, _own_relay_bounce(APP_COPY, reporting=b"out.relayhost.example"))
    assert other["envelope"]["mail_from"] is None
    assert other["verdict"]["status"] == "not_checked"
    # Control: another organisation's bounce of a copy an outside client handed it still gives it.
    assert _attached(tmp_path, _postfix_bounce(FORGED_COPY))["envelope"]["mail_from"] == "ceo@example.com"
    # Spam forging example.com's own address, taken in by example.com's own server from an outside
    # client and bounced there: the bouncer's name is example.com's, but its stamp on the copy
    # records the outside client, so the copy came from outside (V62b D-2).
    spam = APP_COPY.replace(b"from app1.example.com (app1.example.com [198.51.100.77])",
                            b"from pc-77.dyn.example.org (unknown [203.0.113.77])")
    assert _attached(tmp_path, _own_relay_bounce(spam))["envelope"]["mail_from"] == "ceo@example.com"
    # The same behind the bouncer's content filter re-injecting on the loopback (amavisd-new):
    # the hop where the bouncer took it in decides, not its topmost stamp (V63b D-1).
    filtered = (b"Received: from localhost (localhost [127.0.0.1])\r\n\tby mx1.example.com (Postfix) with ESMTP id "
                b"4fKq2V9aaaz1abc;\r\n\tTue, 24 Nov 2026 10:15:01 +0000 (UTC)\r\n" + spam)
    assert _attached(tmp_path, _own_relay_bounce(filtered))["envelope"]["mail_from"] == "ceo@example.com"


def test_a_bounce_to_the_postmaster_about_a_message_without_sender_gives_no_mail_from(tmp_path: Path) -> None:
    # D-3: a double bounce (the returned message is itself a bounce, sent with <>: RFC 5321 section
    # 4.5.5) goes to the postmaster; that To: is not the returned message's reverse-path.
    notice = FORGED_COPY.replace(b"From: \"Chief Executive\" <ceo@example.com>",
                                 b"From: MAILER-DAEMON@mx.remote.example.net (Mail Delivery System)")
    for copy, to in ((notice, b"postmaster@example.com"),
                     (FORGED_COPY, b"postmaster@example.com"), (FORGED_COPY, b"MAILER-DAEMON@example.com")):
        report = _attached(tmp_path, _postfix_bounce(copy, sender=b"", to=to))
        assert report["envelope"]["mail_from"] is None, (copy[:0], to)
    # But the copy's own From: decides nothing (V62b D-1): a spammer writes "MAILER-DAEMON" there as
    # easily, and a bounce sent to an ordinary mailbox shows the copy had that reverse-path.
    assert _attached(tmp_path, _postfix_bounce(notice, sender=b"", to=b"ceo@example.com"))["envelope"][
        "mail_from"] == "ceo@example.com"
    # Postfix's field naming the null sender says so too: To: is then not asked.
    report = _attached(tmp_path, _postfix_bounce(FORGED_COPY, sender=b"<>"))
    assert report["envelope"]["mail_from"] is None
    # Control: a user's To: is still the reverse-path.
    assert _attached(tmp_path, _postfix_bounce(FORGED_COPY, sender=b""))["envelope"]["mail_from"] == "ceo@example.com"


M365 = {"example.com": {"TXT": [["v=spf1 include:spf.protection.outlook.com -all"]], "MX": ["10 mx1.example.com."]},
        "spf.protection.outlook.com": {"TXT": [["v=spf1 ip4:40.107.0.0/16 ip4:52.100.0.0/15 -all"]]}}
# Genuine Microsoft 365 mail submitted by a client with SMTP AUTH from a home address (Microsoft
# writes no login word), relayed out by EOP to the bouncing server.
M365_COPY = (b"Received: from EUR05-AM6-obe.outbound.protection.outlook.com (mail-am6eur05on2101.outbound.protection."
             b"outlook.com [40.107.22.101])\r\n\tby mx.remote.example.net (Postfix) with ESMTPS id 4fKq2V2sYvz9sTm\r\n"
             b"\tfor <nobody@remote.example.net>; Tue, 24 Nov 2026 10:15:01 +0000 (UTC)\r\n"
             b"Received: from AM9PR04MB8555.eurprd04.prod.outlook.com (2603:10a6:20b:436::11)\r\n"
             b" by DU0PR04MB9999.eurprd04.prod.outlook.com (2603:10a6:10:4ef::12) with\r\n Microsoft SMTP Server "
             b"(version=TLS1_2,\r\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7270.29; Tue, 24 Nov\r\n"
             b" 2026 10:15:00 +0000\r\n"
             b"Received: from [192.168.1.101] (92.77.140.102) by AM9PR04MB8555.eurprd04.prod.outlook.com "
             b"(2603:10a6:20b:436::11) with Microsoft SMTP Server (version=TLS1_2, "
             b"cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7270.29 via Frontend Transport; Tue, 24 Nov "
             b"2026 10:14:59 +0000\r\n"
             b"Message-ID: <cf066e98@example.com>\r\nDate: Tue, 24 Nov 2026 11:14:58 +0100\r\n"
             b"From: \"Chief Executive\" <ceo@example.com>\r\nTo: nobody@remote.example.net\r\nSubject: Figures\r\n"
             b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nHello.\r\n")
RECORDED_PASS = (b"Authentication-Results: mx.remote.example.net; spf=pass smtp.mailfrom=example.com;"
                 b" dmarc=pass (p=reject) header.from=example.com\r\n")
RECORDED_FAIL = (b"Authentication-Results: mx.remote.example.net; spf=fail smtp.mailfrom=example.com;"
                 b" dkim=fail header.d=example.com; dmarc=fail (p=reject) header.from=example.com\r\n")


def test_the_spf_question_is_about_the_client_that_handed_the_copy_to_the_bouncer(tmp_path: Path) -> None:
    # D-2: the earliest stamp is the submission at example.com's own provider, whose SPF does not
    # list the user's home address; the bouncing server took the copy from EOP's relay, which it
    # does list: no notice.
    assert not _backscatter(tmp_path, _postfix_bounce(M365_COPY), M365)
    # Control: a bot handing the same text to the bouncing server is still refused by the SPF.
    bot = M365_COPY.replace(b"mail-am6eur05on2101.outbound.protection.outlook.com [40.107.22.101]",
                            b"unknown [203.0.113.77]")
    assert _backscatter(tmp_path, _postfix_bounce(bot), M365)


def test_the_bouncers_own_recorded_dmarc_pass_is_evidence_against_backscatter(tmp_path: Path) -> None:
    # D-2: the bouncing side recorded dmarc=pass for example.com above its arrival stamp. With no
    # DNS for example.com the SPF question cannot answer either way; the record alone tells.
    bot = M365_COPY.replace(b"mail-am6eur05on2101.outbound.protection.outlook.com [40.107.22.101]",
                            b"unknown [203.0.113.77]")
    assert not _backscatter(tmp_path, _postfix_bounce(RECORDED_PASS + bot), M365)
    # Forgery: the same pass written below the arrival stamp is the sender's text.
    lines = bot.split(b"\r\n")
    below = b"\r\n".join(lines[:3]) + b"\r\n" + RECORDED_PASS + b"\r\n".join(lines[3:])
    assert _backscatter(tmp_path, _postfix_bounce(below), M365)
    # Nor does a stamp of the bouncing side's own network the bot writes under it lower the arrival.
    internal = (b"Received: from app.remote.example.net (app.remote.example.net [10.1.1.1]) by mx2.remote.example.net "
                b"(Postfix) with ESMTP id 9Z; Tue, 24 Nov 2026 10:14:59 +0000 (UTC)\r\n")
    below = b"\r\n".join(lines[:3]) + b"\r\n" + RECORDED_PASS + internal + b"\r\n".join(lines[3:])
    assert _backscatter(tmp_path, _postfix_bounce(below), M365)


def test_an_spf_pass_only_through_a_shared_include_does_not_make_it_the_domains_own(tmp_path: Path) -> None:
    # D-4: a bot greeting with example.com from an address example.com lists only through its
    # provider's include: (the same rule as api._own_listing) still gets the notice.
    shared = {"example.com": {"TXT": [["v=spf1 ip4:192.0.2.0/28 include:_spf.provider.example -all"]]},
              "_spf.provider.example": {"TXT": [["v=spf1 ip4:203.0.113.0/24 -all"]]}}
    helo = FORGED_COPY.replace(b"pc-77.dyn.example.org (unknown", b"example.com (unknown")
    [explanation] = _backscatter(tmp_path, _postfix_bounce(helo), shared)
    assert "said HELO example.com, claiming example.com's organisation" in explanation
    # Control: a server example.com's own ip4: term lists is its own, whatever its greeting.
    own = {"example.com": {"TXT": [["v=spf1 ip4:203.0.113.0/24 -all"]]}}
    assert not _backscatter(tmp_path, _postfix_bounce(helo), own)


def test_only_a_verified_signature_of_the_domain_removes_the_notice(tmp_path: Path) -> None:
    # D-5: a DKIM-Signature the bot wrote (d=example.com, a b= that does not verify) is no
    # evidence, on the recorded-failure path and on the SPF path.
    bogus = b"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; h=from:to:subject; bh=AAAA; b=AAAA\r\n"
    at = FORGED_COPY.index(b"From: ")
    for copy in (FORGED_COPY[:at] + bogus + FORGED_COPY[at:], RECORDED_FAIL + FORGED_COPY[:at] + bogus + FORGED_COPY[at:]):
        assert _backscatter(tmp_path, _postfix_bounce(copy))
    # One that verifies removes it; its key unpublished, it is unverified again.
    signed, dns = _signed_copy(FORGED_COPY)
    assert not _backscatter(tmp_path, _postfix_bounce(signed), dns)
    assert _backscatter(tmp_path, _postfix_bounce(signed))
    # Returned as its header alone (RFC 6522), the signed header fields still verify.
    header = signed.split(b"\r\n\r\n")[0] + b"\r\n"
    assert not _backscatter(tmp_path, _postfix_bounce(header, copy_type=b"text/rfc822-headers"), dns)
    tampered = header.replace(b"Subject: Your invoice", b"Subject: Our invoice")
    assert _backscatter(tmp_path, _postfix_bounce(tampered, copy_type=b"text/rfc822-headers"), dns)
    # The bouncing side's own dkim=pass for example.com above its stamp counts as verified.
    recorded = b"Authentication-Results: mx.remote.example.net; dkim=pass header.d=example.com\r\n"
    assert not _backscatter(tmp_path, _postfix_bounce(recorded + FORGED_COPY[:at] + bogus + FORGED_COPY[at:]))


def test_a_fake_earliest_received_does_not_remove_the_notice(tmp_path: Path) -> None:
    # D-5: the bot writes a stamp of example.com's own server below the bouncing server's; the
    # evidence is the hop the bouncing server recorded.
    fake = b"Received: from localhost (localhost [127.0.0.1]) by mail.example.com (Postfix) with ESMTP id 1A2B3C; " \
           b"Tue, 24 Nov 2026 11:14:50 +0100\r\n"
    at = FORGED_COPY.index(b"From: ")
    for copy in (FORGED_COPY[:at] + fake + FORGED_COPY[at:], RECORDED_FAIL + FORGED_COPY[:at] + fake + FORGED_COPY[at:]):
        assert _backscatter(tmp_path, _postfix_bounce(copy))


def test_a_relays_bounce_asks_no_spf_question(tmp_path: Path) -> None:
    # D-6: a bounce reporting an onward failure (Remote-MTA, 'host ... said:') is a relay's: the
    # copy's client is never asked about, whatever its HELO.
    from unittest import mock

    from headerscope.auth import _pyspf

    asked: list[str] = []
    real = _pyspf.evaluate

    def counting(resolver: Any, *, ip: str, sender: str, helo: str) -> Any:
        asked.append(ip)
        return real(resolver, ip=ip, sender=sender, helo=helo)

    relayed = _own_relay_bounce(FORGED_COPY, reporting=b"smtp.isp.example")
    for copy in (FORGED_COPY, FORGED_COPY.replace(b"pc-77.dyn.example.org (unknown", b"example.com (unknown")):
        with mock.patch.object(_pyspf, "evaluate", counting):
            assert not _backscatter(tmp_path, relayed.replace(FORGED_COPY, copy))
    assert "203.0.113.77" not in asked


def test_a_spammers_signature_in_the_bouncers_name_removes_the_notice_only_where_it_cannot_be_checked(
        tmp_path: Path) -> None:
    # V62b D-4: the bot writes d= of the bouncing side (mx.remote.example.net's organisation) into
    # its spam. Checked against the bouncer's published key, it fails: the notice stays. Where it
    # cannot be checked (no DNS answer for the key), it is read as before, the bouncing side's own
    # customer's message (SES's suppression-list refusals, tests/test_dsn_exim.py).
    fake = b"DKIM-Signature: v=1; a=rsa-sha256; d=remote.example.net; s=s1; h=from:to:subject; bh=AAAA; b=AAAA\r\n"
    at = FORGED_COPY.index(b"From: ")
    bounce = _postfix_bounce(FORGED_COPY[:at] + fake + FORGED_COPY[at:])
    _, published = _signed_copy(FORGED_COPY)
    key = {"s1._domainkey.remote.example.net": published["s1._domainkey.example.com"]}
    assert _backscatter(tmp_path, bounce, key)
    # Offline, on the bouncer's recorded DMARC failure (evidence that needs no DNS): the notice is
    # there without the signature, and the unchecked signature in the bouncer's name removes it.
    recorded = _postfix_bounce(RECORDED_FAIL + FORGED_COPY)
    assert [f for f in headerscope.analyze(recorded, offline=True).findings if f.id == "dsn.backscatter"]
    signed = _postfix_bounce(RECORDED_FAIL + FORGED_COPY[:at] + fake + FORGED_COPY[at:])
    assert not [f for f in headerscope.analyze(signed, offline=True).findings if f.id == "dsn.backscatter"]
