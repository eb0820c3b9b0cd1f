"""The boundary walk below a receiver that records only the client's greeting and address
(verification V55d D1-1), and below a local program's pickup (V55d D1-2).

An organisation's zone names more than its relays: its customers' lines, its hosted machines and
aliases (CNAME) of services hosted elsewhere all get forward-confirmed names under its registered
domain. A forger on such an address must not walk the boundary into a Received it wrote itself.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from headerscope import analyze
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)

_PICKUP = ("Received: by {host} (Postfix, from userid 33)\r\n\tid 4Qx7Zr1Tz9z9sT; Thu, 26 Nov 2026 22:05:26 "
           "+0900 (JST)\r\n")
_BANK_HOP = ("Received: from mail.bank.example (mail.bank.example [192.0.2.25])\r\n\tby {by} (Postfix) with ESMTPS "
             "id 3wf0vpmd2v;\r\n\tThu, 26 Nov 2026 22:05:24 +0900\r\n")
_BANK_BODY = ("From: Bank <alerts@bank.example>\r\nTo: ceo@corp.example\r\nSubject: Urgent\r\n"
              "Date: Thu, 26 Nov 2026 22:04:20 +0900\r\nMessage-ID: <1@bank.example>\r\n\r\nPay now.\r\n")
_BANK_DNS: dict[str, Any] = {
    "bank.example": {"TXT": [["v=spf1 ip4:192.0.2.25 -all"]]},
    "_dmarc.bank.example": {"TXT": [["v=DMARC1; p=reject"]]},
    "25.2.0.192.in-addr.arpa": {"PTR": ["mail.bank.example."]},
    "mail.bank.example": {"A": ["192.0.2.25"]},
}


def _pickup(host: str, by: str) -> Report:
    raw = ("Return-Path: <alerts@bank.example>\r\n" + _PICKUP.format(host=host) + _BANK_HOP.format(by=by)
           + _BANK_BODY).encode()
    return analyze(raw, resolver=SnapshotResolver(_BANK_DNS), now=NOW)


def test_a_local_pickup_on_one_host_above_a_received_naming_another_is_where_the_message_entered() -> None:
    # A web script on web1 runs sendmail with a Received of its own making below the pickup.
    report = _pickup("web1.corp.example", "mx.corp.example")
    assert report.boundary_hop == 2
    # SPF is not judged for an address the local program wrote: there is no client to judge.
    assert report.verdict.status == "not_checked", report.verdict.summary
    assert report.spf is None or report.spf.result != "pass"


def test_a_filter_re_injecting_on_the_host_that_received_keeps_the_client_below() -> None:
    # A Postfix pipe filter (spamc, a list manager) re-injects on the host that took the message
    # from the network: the hop below is that host's own record, read as before.
    report = _pickup("mx.corp.example", "mx.corp.example")
    assert report.boundary_hop == 1
    assert report.verdict.status == "authenticated", report.verdict.summary
