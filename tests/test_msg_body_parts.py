"""A message/rfc822 part inside the decoded body of an Outlook .msg (text its sender wrote, not a
message Outlook embedded and headerscope rebuilt) is judged as any copy: verification V24 D2."""

from __future__ import annotations

import json
import re

from conftest import SAMPLES
from msgfile import msg_bytes

from headerscope.api import AnalysisOptions, analyze_loaded
from headerscope.cli import _attached_input
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.loader import load_bytes


def test_a_body_part_naming_the_rebuild_s_boundary_is_no_rebuild() -> None:
    # A forged copy of direct.eml (its signed Subject changed) whose Content-Type names the
    # boundary prefix headerscope's own rebuild writes, sent inside a .msg that embeds nothing.
    header, _, body = (SAMPLES / "direct.eml").read_text().partition("\r\n\r\n")
    header = header.replace("Subject: ", "Subject: URGENT wire transfer - ", 1)
    header = re.sub(r"(?im)^Content-Type:.*(\r\n[ \t].*)*",
                    'Content-Type: multipart/mixed; boundary="=_headerscope_msg_0_fake"', header)
    inner = (header + "\r\n\r\n--=_headerscope_msg_0_fake\r\nContent-Type: text/plain\r\n\r\n" + body
             + "\r\n--=_headerscope_msg_0_fake--\r\n")
    outer = ("Received: from mail.sender.example (mail.sender.example [192.0.2.10])\r\n\tby mx.victim.example "
             "(Postfix) with ESMTPS id 4AbC\r\n\tfor <bob@victim.example>; Mon, 30 Nov 2026 06:00:00 +0000\r\n"
             "From: alice@sender.example\r\nTo: bob@victim.example\r\nSubject: fwd\r\n"
             "Date: Mon, 30 Nov 2026 05:59:00 +0000\r\nMessage-ID: <a1@sender.example>\r\nMIME-Version: 1.0\r\n"
             'Content-Type: multipart/mixed; boundary="X"\r\n')
    outer_body = ("--X\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--X\r\nContent-Type: message/rfc822\r\n\r\n"
                  + inner + "\r\n--X--\r\n")
    loaded = load_bytes(msg_bytes(outer, outer_body, embedded=False), source="x.msg")
    records = json.loads((SAMPLES / "direct.dns.json").read_text())
    carried, options = _attached_input(loaded, 1, AnalysisOptions(resolver=SnapshotResolver(records)))
    assert carried.uncheckable_body is None and not carried.byte_exact
    report = analyze_loaded(carried, options)
    # Not "the rebuild changed them": the signed header fields changed, a copy's failure.
    assert [(s.result, s.reason_code) for s in report.dkim] == [("neutral", "not_original")]
    assert report.arc is not None and report.arc.result == "fail"
