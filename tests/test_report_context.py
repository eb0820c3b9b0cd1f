"""A message attached to a feedback report (ARF, RFC 5965; DMARC failure report, RFC 6591),
analysed with ``analyze --attached N``: the report's own record of its arrival (Source-IP,
Arrival-Date, Authentication-Results, DKIM-Domain) reaches the analysis (review AM D1, D2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from headerscope.auth.recorded import FEEDBACK_AR, reported_results

REPO = Path(__file__).resolve().parent.parent


def _report(feedback: bytes, copy: bytes, copy_type: str = "message/rfc822") -> bytes:
    """A report laid out as RFC 5965 section 2 asks: a text part, the message/feedback-report
    part, then the reported message (or its header, text/rfc822-headers)."""
    return (b"From: <dmarc-noreply@reporter.example>\r\nTo: <ruf@example.net>\r\n"
            b"Subject: DMARC failure report\r\nDate: Fri, 28 Sep 2018 16:50:00 +0800\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/report; report-type=feedback-report;\r\n\tboundary=\"b1\"\r\n\r\n"
            b"--b1\r\nContent-Type: text/plain\r\n\r\nThis is an authentication failure report.\r\n\r\n"
            b"--b1\r\nContent-Type: message/feedback-report\r\n\r\n" + feedback +
            b"\r\n--b1\r\nContent-Type: " + copy_type.encode() + b"\r\n\r\n" + copy + b"\r\n--b1--\r\n")


def _attached(tmp_path: Path, data: bytes) -> dict[str, Any]:
    path = tmp_path / "report.eml"
    path.write_bytes(data)
    out = subprocess.run([sys.executable, "-m", "headerscope", "analyze", str(path), "--offline", "--format", "json",
                          "--attached", "1"], capture_output=True, env={**os.environ, "NO_COLOR": "1"}, cwd=REPO,
                         check=True).stdout
    return json.loads(out)  # type: ignore[no-any-return]


def _finding(report: dict[str, Any], finding_id: str) -> dict[str, Any] | None:
    return next((f for f in report["findings"] if f["id"] == finding_id), None)


# An RFC 6591 report of a message an email service provider sent for its customer: the copy keeps
# only the ESP's own Received fields (its HTTP API intake, SendGrid's layout), not the reporter's,
# and no DKIM-Signature; the report says where the message came from and what the reporter found.
ESP_FEEDBACK = (b"Feedback-Type: auth-failure\r\nUser-Agent: NtesDmarcReporter/1.0\r\nVersion: 1\r\n"
                b"Original-Mail-From: <bounces+1137616-c1ad-u1=reporter.example@email.customer.example>\r\n"
                b"Arrival-Date: Fri, 28 Sep 2018 16:48:42 +0800\r\nSource-IP: 167.89.69.24\r\n"
                b"Reported-Domain: brand.example\r\n"
                b"Authentication-Results: reporter.example; dkim=pass (verify result: all signatures verified) "
                b"header.d=customer.example; spf=pass smtp.mailfrom=bounces+1137616-c1ad-u1=reporter.example@"
                b"email.customer.example\r\nDKIM-Domain: customer.example\r\nDelivery-Result: delivered\r\n")
ESP_COPY = (b"Received: by filter1356p1mdw1.sendgrid.net with SMTP id filter1356p1mdw1-1-5BADEB54-1\r\n"
            b"        Fri, 28 Sep 2018 08:48:36.858842 +0000 (UTC)\r\n"
            b"Received: from [198.190.14.10] (unknown) by ismtpd0007p1las1.sendgrid.net (SG) with HTTP id\r\n"
            b"        abcDEF123 for <system@customer.example>; Fri, 28 Sep 2018 08:48:36.716 +0000 (UTC)\r\n"
            b"From: Property Office <info@brand.example>\r\nTo: u1@reporter.example\r\n"
            b"Subject: Rent Reminder\r\nDate: Fri, 28 Sep 2018 08:48:39 +0000\r\n"
            b"Message-ID: <abcDEF123@ismtpd0007p1las1.sendgrid.net>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/plain\r\n\r\nYour rent is due.\r\n")


def test_the_reports_source_ip_is_spfs_client_when_the_copys_top_hop_is_the_senders_submission(
        tmp_path: Path) -> None:
    report = _attached(tmp_path, _report(ESP_FEEDBACK, ESP_COPY))
    spf = report["spf"]
    # Not 198.190.14.10, the ESP customer's API client, which never connected to the reporter.
    assert spf["client_ip"] == "167.89.69.24"
    assert spf["mail_from"] == "bounces+1137616-c1ad-u1=reporter.example@email.customer.example"
    assert spf["helo"] is None
    assert spf["inputs_from"].startswith("the feedback report's Source-IP (RFC 5965 section 3.2)")
    arrival = _finding(report, "input.reported_arrival")
    assert arrival is not None and "167.89.69.24" in arrival["title"]
    assert "Fri, 28 Sep 2018 16:48:42 +0800" in arrival["explanation"]
    assert "is a submission, the sending side's intake" in arrival["explanation"]
    # The Message-ID names the sending ESP, not a server of the reporter's.
    assert _finding(report, "hops.message_id_by_receiver") is None


def test_the_reports_authentication_results_are_listed_as_its_claims(tmp_path: Path) -> None:
    # The report's results are listed, never relied on: whoever sent the report wrote them, and
    # analysing the copy does not authenticate the report (verification V13 F1: a made-up report
    # with dmarc=pass made its phish read authenticated).
    report = _attached(tmp_path, _report(ESP_FEEDBACK, ESP_COPY))
    from_report = [r for r in report["recorded"] if r["header"] == FEEDBACK_AR]
    assert [(r["method"], r["result"], r["authserv_id"], r["trusted"]) for r in from_report] == [
        ("dkim", "pass", "reporter.example", False), ("spf", "pass", "reporter.example", False)]
    rows = {c["method"]: c for c in report["comparison"]}
    assert rows["spf"]["recorded"] is None and report["verdict"]["status"] != "authenticated"


def test_a_copy_without_the_signature_the_report_names_is_not_called_unsigned(tmp_path: Path) -> None:
    report = _attached(tmp_path, _report(ESP_FEEDBACK, ESP_COPY))
    nothing = _finding(report, "dmarc.nothing_aligned")
    assert nothing is not None
    assert "the message carries no DKIM signature" not in nothing["explanation"]
    assert ("this copy carries no DKIM signature (the feedback report carrying it says it was signed by "
            "customer.example (dkim=pass); the signature is not in this copy") in nothing["explanation"]


def test_dkim_domain_alone_names_the_signer_and_keeps_a_replay_possible(tmp_path: Path) -> None:
    # RFC 6591's appendix B layout (NetEase's reports): a header-only copy delivered before to
    # another mailbox (X-Original-To below the final delivery's Received), the report's
    # DKIM-Domain and Authentication-Results naming signatures the copy does not carry.
    feedback = (b"Feedback-Type: auth-failure\r\nUser-Agent: NtesDmarcReporter/1.0\r\nVersion: 1\r\n"
                b"Original-Mail-From: <sironeko@neko.example.com>\r\nArrival-Date: Thu, 29 Apr 2015 23:34:45 +0900\r\n"
                b"Source-IP: 203.0.113.2\r\nReported-Domain: example.net\r\n"
                b"Authentication-Results: 126.example.com; dkim=permerror (signature verify error: message body "
                b"does not hash to bh value) header.d=example.net; spf=pass smtp.mailfrom=sironeko@neko.example.com\r\n"
                b"DKIM-Domain: ietf.org; example.net\r\nDelivery-Result: delivered\r\n")
    copy = (b"Received: from mail.ietf.org (unknown [198.51.100.22]) by nekochan.example.com (Postfix) with SMTP id\r\n"
            b" 1A2B3C for <kijitora@example.org>; Wed, 29 Apr 2015 23:34:45 +0900\r\n"
            b"X-Original-To: dmarc@ietf.example.org\r\nDelivered-To: dmarc@ietf.example.org\r\n"
            b"Received: from localhost (ietf.example.org [127.0.0.1]) by ietf.example.org (Postfix) with ESMTP id\r\n"
            b" 4D5E6F for <dmarc@ietf.example.org>; Wed, 29 Apr 2015 14:34:45 +0000\r\n"
            b"From: sironeko@example.net\r\nTo: kijitora@example.org\r\nSubject: Nyaan\r\n"
            b"Date: Wed, 29 Apr 2015 23:34:40 +0900\r\nMessage-ID: <20150429143440.1234@example.net>\r\n")
    report = _attached(tmp_path, _report(feedback, copy, "text/rfc822-headers"))
    earlier = _finding(report, "envelope.earlier_delivery")
    assert earlier is not None
    assert "so not a DKIM replay" not in earlier["explanation"]
    assert "signed by example.net (dkim=permerror) and ietf.org; the signatures are not in this copy" \
        in earlier["explanation"]
    assert "is not ruled out" in earlier["explanation"]
    # The top hop is by nekochan.example.com, the reporter's organisation (126.example.com): its
    # client stays SPF's, and the report's other Source-IP is named.
    assert report["spf"]["client_ip"] == "198.51.100.22"
    assert _finding(report, "input.reported_arrival")["severity"] == "notice"  # type: ignore[index]


def test_a_private_top_hop_gives_way_to_the_reports_public_source_ip(tmp_path: Path) -> None:
    # Return Path's FBL layout: the copy ends at the reporter's LMTP hand-over from a private
    # address; the report's Source-IP is where it came from.
    feedback = (b"Feedback-Type: abuse\r\nUser-Agent: ReturnPathFBL/1.0\r\nVersion: 1\r\n"
                b"Original-Mail-From: fake.sender@example.net\r\nArrival-Date: Fri, 12 Dec 2014 13:09:00 +0000\r\n"
                b"Source-IP: 192.0.2.8\r\n")
    copy = (b"Return-Path: <fake.sender@example.net>\r\n"
            b"Received: from [10.235.200.102] by mail-lmtp03-mia.tpn.terra.example with LMTP;\r\n"
            b" Fri, 12 Dec 2014 13:09:01 +0000\r\nFrom: Colunex <fake.sender@example.net>\r\n"
            b"To: undisclosed-recipients:;\r\nSubject: Pronta Entrega\r\nDate: Fri, 12 Dec 2014 13:09:00 +0000\r\n"
            b"Message-ID: <1@example.net>\r\n\r\nbody\r\n")
    report = _attached(tmp_path, _report(feedback, copy))
    assert report["spf"]["client_ip"] == "192.0.2.8"
    assert "not applicable" not in report["spf"]["explanation"]
    assert _finding(report, "hops.internal_only") is None and _finding(report, "hops.private_entry") is None
    assert "a private address" in _finding(report, "input.reported_arrival")["explanation"]  # type: ignore[index]


def test_a_copy_that_may_end_at_the_reporters_own_hop_keeps_its_boundary_with_a_notice(tmp_path: Path) -> None:
    # The top hop was received by the reporter's organisation from another public client than the
    # Source-IP: the copy and the report disagree, so the copy's boundary stays, and the notice says
    # what the report names.
    feedback = (b"Feedback-Type: abuse\r\nUser-Agent: SomeGenerator/1.0\r\nVersion: 1\r\n"
                b"Original-Mail-From: <somespammer@example.net>\r\nSource-IP: 192.0.2.1\r\n"
                b"Authentication-Results: mail.example.com; spf=fail smtp.mailfrom=somespammer@example.net\r\n")
    copy = (b"Received: from relay.example.org (relay.example.org [198.51.100.7]) by mx.example.com with ESMTP id 1;\r\n"
            b" Thu, 08 Mar 2005 14:00:00 -0400\r\nFrom: <somespammer@example.net>\r\nTo: <user@example.com>\r\n"
            b"Subject: Earn money\r\nDate: Thu, 08 Mar 2005 13:59:00 -0400\r\nMessage-ID: <8787@example.net>\r\n\r\nx\r\n")
    report = _attached(tmp_path, _report(feedback, copy))
    assert report["spf"]["client_ip"] == "198.51.100.7"
    notice = _finding(report, "input.reported_arrival")
    assert notice is not None and notice["severity"] == "notice"
    assert "--client-ip 192.0.2.1" in notice["explanation"]
    # The copy recording the Source-IP itself: nothing to add.
    same = _attached(tmp_path, _report(feedback, copy.replace(b"198.51.100.7", b"192.0.2.1")))
    assert same["spf"]["client_ip"] == "192.0.2.1" and _finding(same, "input.reported_arrival") is None


def test_reported_results_are_claims_named_as_the_reports() -> None:
    [dkim, spf] = reported_results(["163.example; dkim=pass header.d=a.example; spf=pass smtp.mailfrom=b@a.example"])
    assert (dkim.header, dkim.header_index, dkim.trusted) == (FEEDBACK_AR, None, False)
    assert "a claim of whoever sent the report" in (dkim.trust_reason or "")
    assert spf.properties == (("smtp.mailfrom", "b@a.example"),)


def test_a_made_up_report_cannot_authenticate_its_phish(tmp_path: Path) -> None:
    # Verification V13 F1: a report from anyone, naming the bank's own server as Source-IP and
    # dmarc=pass in its Authentication-Results, around a phish whose copy records the attacker's
    # own hop (or none): the copy's public client stays SPF's, and a pass for the report's
    # Source-IP is not relied on.
    import dataclasses

    from headerscope.api import AnalysisOptions, analyze_loaded
    from headerscope.dns.snapshot import SnapshotResolver
    from headerscope.loader import load_bytes
    from headerscope.model import ReportedEnvelope

    dns = {"bank.example": {"TXT": [["v=spf1 ip4:192.0.2.10 -all"]]},
           "_dmarc.bank.example": {"TXT": [["v=DMARC1; p=reject"]]}}
    copy = (b"Received: from mail.attacker.example (mail.attacker.example [203.0.113.66]) by mail.attacker.example "
            b"with ESMTP id 1; Mon, 2 Nov 2026 10:00:01 +0000\r\n"
            b"From: Bank <security@bank.example>\r\nTo: victim@reporter.example\r\nSubject: locked\r\n"
            b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@attacker.example>\r\n\r\nx\r\n")
    reported = ReportedEnvelope(mail_from="bounce@bank.example", rcpt_to=(), client_ip="192.0.2.10",
                                source="the feedback report that carries it",
                                authentication_results=("mx.bigmail.example; dkim=pass header.d=bank.example; "
                                                        "spf=pass smtp.mailfrom=bank.example; dmarc=pass "
                                                        "header.from=bank.example",))
    for data in (copy, copy.split(b"\r\n", 1)[1]):  # with the attacker's hop, and with no Received
        loaded = dataclasses.replace(load_bytes(data, source="x#attached-1"), reported_envelope=reported)
        result = analyze_loaded(loaded, AnalysisOptions(resolver=SnapshotResolver(dns)))
        assert result.verdict.status in ("spoofed", "not_checked"), result.verdict.summary
        assert result.spf is not None and result.spf.result != "pass"
