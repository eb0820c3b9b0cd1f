"""Messages carried by a person's report: a saved .eml or Outlook .msg attached as a file, the
headline of a forward or user report, and an inline forward that lost the original's header."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import CORPUS, REPO

import headerscope
from headerscope.loader import load_bytes
from headerscope.message import parse_message
from headerscope.mime import attached_messages, count_attached, might_carry_parts

PHISH = (b"Received: from pcvelocity.com (unknown [89.144.10.219])\r\n"
         b"\tby mx.corp.example (Postfix) with ESMTP id 4RGL2k1xYz\r\n"
         b"\tfor <victim@corp.example>; Wed, 02 Aug 2023 20:45:14 +0000\r\n"
         b"Authentication-Results: mx.corp.example; spf=fail smtp.mailfrom=pcvelocity.com;\r\n"
         b"\tdkim=none; dmarc=fail (p=reject) header.from=costco.com\r\n"
         b"From: Costco Customer Support <noreply@costco.com>\r\nTo: victim@corp.example\r\n"
         b"Subject: You Are Our July Winner\r\nDate: Wed, 02 Aug 2023 20:45:10 +0000\r\n"
         b"Message-ID: <win-1@pcvelocity.com>\r\n\r\nClaim your prize.\r\n")


def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _report(*parts: bytes, subject: bytes = b"[Phish Alert] You Are Our July Winner") -> bytes:
    """A user's report as KnowBe4's Phish Alert or a mail client sends it: a note and the parts."""
    body = b"".join(b"--b1\r\n" + part for part in parts)
    return (b"Received: from mail.corp.example (mail.corp.example [192.0.2.5])\r\n\tby mx.corp.example "
            b"(Postfix) with ESMTPSA id 1; Thu, 03 Aug 2023 08:00:00 +0000\r\n"
            b"From: Victim <victim@corp.example>\r\nTo: phishing@corp.example\r\nSubject: " + subject + b"\r\n"
            b"Date: Thu, 03 Aug 2023 08:00:00 +0000\r\nMessage-ID: <r1@corp.example>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            b"--b1\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\n\r\nPlease look at this.\r\n"
            + body + b"--b1--\r\n")


def _eml_file(data: bytes, name: bytes = b"phish_alert_sp2_2.0.0.0.eml") -> bytes:
    """A saved .eml attached as a file: application/octet-stream, base64 (the Phish Alert layout)."""
    return (b"Content-Type: application/octet-stream; name=\"" + name + b"\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=\"" + name + b"\";\r\n\tsize=" +
            str(len(data)).encode() + b"\r\n\r\n" + _b64(data))


def test_an_eml_file_attached_as_octet_stream_is_a_carried_message() -> None:
    data = _report(_eml_file(PHISH))
    message = parse_message(data)
    # Base64 hides "message/": the name is what the cheap pre-check must find.
    assert b"essage/" not in data[message.body_start or 0:]
    assert might_carry_parts(message)
    (entry, body), = attached_messages(message)
    assert body == PHISH
    assert (entry.number, entry.content_type, entry.filename) == (
        1, "application/octet-stream (.eml file)", "phish_alert_sp2_2.0.0.0.eml")
    assert entry.from_header == "Costco Customer Support <noreply@costco.com>"
    assert count_attached(message) == (1, False)
    report = headerscope.analyze(data, offline=True)
    assert [a.subject for a in report.attached] == ["You Are Our July Winner"]


def test_a_batch_keeps_the_order_of_its_message_parts_and_eml_files() -> None:
    rfc822 = b"Content-Type: message/rfc822\r\n\r\n" + PHISH
    second = PHISH.replace(b"You Are Our July Winner", b"Verify Your Wallet")
    data = _report(rfc822, _eml_file(second, b"Urgent Verify Your Wallet.EML"), rfc822)
    found = attached_messages(parse_message(data))
    assert [(e.number, e.subject) for e, _ in found] == [
        (1, "You Are Our July Winner"), (2, "Verify Your Wallet"), (3, "You Are Our July Winner")]
    assert count_attached(parse_message(data)) == (3, False)


def test_other_files_and_an_eml_name_without_a_message_are_not_carried_messages() -> None:
    pdf = (b"Content-Type: application/pdf; name=\"invoice.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + _b64(b"%PDF-1.7\n" + bytes(range(256))))
    not_a_message = _eml_file(bytes(range(256)) * 4, b"broken.eml")
    data = _report(pdf, not_a_message)
    assert attached_messages(parse_message(data)) == ()
    assert count_attached(parse_message(data)) == (0, False)


def test_an_outlook_msg_attached_as_a_file_is_read_through_the_msg_reader() -> None:
    msg = (CORPUS / "messages" / "eml_analyzer" / "other.msg").read_bytes()
    part = (b"Content-Type: application/vnd.ms-outlook; name=\"Returned mail.msg\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=\"Returned mail.msg\"\r\n\r\n" + _b64(msg))
    data = _report(part)
    (entry, body), = attached_messages(parse_message(data))
    assert body == msg  # the .msg file itself: --attached N loads it as any .msg is loaded
    assert entry.content_type == "application/vnd.ms-outlook (.msg file)"
    assert entry.subject is not None and entry.from_header is not None
    assert count_attached(parse_message(data)) == (1, False)
    loaded = load_bytes(body, source="x#attached-1")
    assert loaded.format == "msg" and not loaded.byte_exact


def test_cli_attached_opens_an_eml_file(tmp_path: Path) -> None:
    report = tmp_path / "report.eml"
    report.write_bytes(_report(_eml_file(PHISH)))
    env = {**os.environ, "NO_COLOR": "1"}
    run = [sys.executable, "-m", "headerscope", "analyze", str(report), "--format", "json", "--offline",
           "--attached", "1"]
    inner = json.loads(subprocess.run(run, capture_output=True, env=env, cwd=REPO, check=True).stdout)
    assert inner["input"]["source"] == f"{report}#attached-1"
    assert inner["headers"][0]["name"] == "Received"
