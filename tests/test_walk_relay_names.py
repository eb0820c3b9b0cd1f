"""The boundary walk below a receiver that records only the client's greeting and address
(verification V55d D1-1), and below a local program's pickup (V55d D1-2).

An organisation's zone names more than its relays: its customers' lines, its hosted machines and
aliases (CNAME) of services hosted elsewhere all get forward-confirmed names under its registered
domain. A forger on such an address must not walk the boundary into a Received it wrote itself.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from headerscope import analyze
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Report

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)

_EXCHANGE_HOP = ("Received: from {greeting} (203.0.113.66) by\r\n EXCH01.billboard-live.com (10.20.0.5) with "
                 "Microsoft SMTP Server (version=TLS1_2,\r\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id "
                 "15.2.1118.40; Thu, 26 Nov 2026\r\n 22:05:26 +0900\r\n")
_FORGED_HOP = ("Received: from mail.example.org (mail.example.org [192.0.2.25])\r\n\tby {by} (Postfix) with "
               "ESMTPS id 3wf0vpmd2v\r\n\tfor <lfhib@billboard-live.com>; Thu, 26 Nov 2026 22:05:24 +0900 (JST)\r\n")
_BODY = ("From: Alice Martin <alice@example.org>\r\nTo: <lfhib@billboard-live.com>\r\nSubject: New bank details\r\n"
         "Date: Thu, 26 Nov 2026 22:04:20 +0900\r\nMessage-ID: <20261126130420.A1@mail.example.org>\r\n\r\n"
         "Please pay invoice 4471.\r\n")
_SENDER_DNS: dict[str, Any] = {
    "example.org": {"TXT": [["v=spf1 ip4:192.0.2.25 -all"]]},
    "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject"]]},
    "25.2.0.192.in-addr.arpa": {"PTR": ["mail.example.org."]},
    "mail.example.org": {"A": ["192.0.2.25"]},
}


def _exchange(greeting: str, ptr: str, by: str = "smtp-relay.billboard-live.com",
              more: dict[str, Any] | None = None) -> Report:
    raw = ("Return-Path: <alice@example.org>\r\n" + _EXCHANGE_HOP.format(greeting=greeting)
           + _FORGED_HOP.format(by=by) + _BODY).encode()
    dns = dict(_SENDER_DNS)
    dns["66.113.0.203.in-addr.arpa"] = {"PTR": [ptr + "."]}
    dns.update(more if more is not None else {ptr: {"A": ["203.0.113.66"]}})
    return analyze(raw, resolver=SnapshotResolver(dns), now=NOW)


def test_the_organisations_own_relay_is_still_walked_into() -> None:
    # The address's confirmed name is the relay the client greeted as and the hop below names.
    report = _exchange("smtp-relay.billboard-live.com", "smtp-relay.billboard-live.com")
    assert report.boundary_hop == 1
    assert report.verdict.status == "authenticated", report.verdict.summary
    # Named by the greeting alone (the hop below names another of the organisation's hosts).
    greeting_only = _exchange("smtp-relay.billboard-live.com", "smtp-relay.billboard-live.com",
                              by="relay2.billboard-live.com")
    assert greeting_only.boundary_hop == 1


@pytest.mark.parametrize("ptr", [
    "dsl-203-0-113-66.dyn.billboard-live.com",  # dashed, with access-line words
    "66.113.0.203.billboard-live.com",  # reversed, dotted
    "host203000113066.billboard-live.com",  # zero-padded, run together
    "cb007142.billboard-live.com",  # hex
    "c-203-0-113-66.hsd1.ca.billboard-live.com",  # Comcast's shape
    "pool-17.broadband.billboard-live.com",  # access-line word only
    # Verification V56a D1-2: mixed padding and separators, words run together.
    "modemcable066.113-0-203.mc.billboard-live.com",  # Videotron's shape
    "dslpool-x.billboard-live.com",
    "dynip-17.billboard-live.com",
])
@pytest.mark.parametrize("greeting", ["forger-box", "{ptr}", "smtp-relay.billboard-live.com"])
def test_a_customer_lines_generic_name_in_the_organisations_zone_is_not_its_relay(ptr: str, greeting: str) -> None:
    # The forger's address has one true, forward-confirmed name under the receiving
    # organisation's domain: its ISP arm's customer line. It greets the receiver as anything,
    # even as that very name, and writes a Received from an SPF-authorised address below.
    by = ptr if greeting == "{ptr}" else "smtp-relay.billboard-live.com"
    report = _exchange(greeting.format(ptr=ptr), ptr, by=by)
    assert report.boundary_hop == 2
    assert report.verdict.status == "spoofed", report.verdict.summary


def test_a_name_of_the_organisation_that_is_neither_the_greeting_nor_the_receiver_below_is_not_its_relay() -> None:
    # A hosted machine's specific name (no access-line sign): the zone names it, but the hop's
    # writer does not say it is that host.
    report = _exchange("forger-box", "vm17.billboard-live.com")
    assert report.boundary_hop == 2
    assert report.verdict.status == "spoofed"


@pytest.mark.parametrize("greeting", ["smtp-relay.billboard-live.com", "shop.billboard-live.com"])
def test_a_name_that_is_an_alias_into_another_organisation_is_that_organisations_host(greeting: str) -> None:
    # shop.billboard-live.com is a CNAME to a hosted shop whose address the forger rents; the
    # forger greets as that name and says the hop below was received by it.
    cname = {"shop.billboard-live.com": {"CNAME": ["billboard.shops.hoster.example."]},
             "billboard.shops.hoster.example": {"A": ["203.0.113.66"]}}
    report = _exchange(greeting, "shop.billboard-live.com", by="shop.billboard-live.com", more=cname)
    assert report.boundary_hop == 2
    assert report.verdict.status == "spoofed", report.verdict.summary
    # An alias inside the organisation's own zone still names its host.
    inside = {"shop.billboard-live.com": {"CNAME": ["relay1.billboard-live.com."]},
              "relay1.billboard-live.com": {"A": ["203.0.113.66"]}}
    genuine = _exchange("shop.billboard-live.com", "shop.billboard-live.com", by="shop.billboard-live.com",
                        more=inside)
    assert genuine.boundary_hop == 1
    assert genuine.verdict.status == "authenticated"


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


@pytest.mark.parametrize("ptr", ["2001-db8-1-0-0-0-0-42.v6.billboard-live.com",  # groups written out
                                 "2001-0db8-0001-0000-0000-0000-0000-0042.billboard-live.com",  # zero-padded
                                 "20010db8000100000000000000000042.billboard-live.com"])
def test_a_generic_ipv6_name_in_any_written_form_is_not_the_relay(ptr: str) -> None:
    # Verification V56a D1-2: only the compressed "2001-db8-1--42" form was caught.
    raw = ("Return-Path: <alice@example.org>\r\n" + _EXCHANGE_HOP.replace("(203.0.113.66)", "(2001:db8:1::42)")
           .format(greeting=ptr) + _FORGED_HOP.format(by=ptr) + _BODY).encode()
    dns = dict(_SENDER_DNS)
    dns["2.4.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"] = {"PTR": [ptr + "."]}
    dns[ptr] = {"AAAA": ["2001:db8:1::42"]}
    report = analyze(raw, resolver=SnapshotResolver(dns), now=NOW)
    assert report.boundary_hop == 2, ptr
    assert report.verdict.status != "authenticated"


# Local hand-over stamps of other MTAs than Postfix (verification V56a D1-1), each on web1 above a
# Received that the local user wrote, naming mx.corp.example as its receiver.
_HANDOVERS = {
    "exim_local": "Received: from www-data by web1.corp.example with local (Exim 4.96)\r\n\t(envelope-from "
                  "<alerts@bank.example>)\r\n\tid 1kXyZa-000123-AB; Thu, 26 Nov 2026 22:05:26 +0900\r\n",
    "exim_local_esmtp": "Received: from www-data by web1.corp.example with local-esmtp (Exim 4.96)\r\n\t"
                        "(envelope-from <alerts@bank.example>)\r\n\tid 1kXyZa-000123-AB; Thu, 26 Nov 2026 "
                        "22:05:26 +0900\r\n",
    "sendmail_submit": "Received: (from www-data@localhost)\r\n\tby web1.corp.example (8.15.2/8.15.2/Submit) id "
                       "3AQD5QaA001234;\r\n\tThu, 26 Nov 2026 22:05:26 +0900\r\n",
    "sendmail_old": "Received: (from www-data@localhost)\r\n\tby web1.corp.example (8.9.3/8.9.3) id WAA01234;\r\n\t"
                    "Thu, 26 Nov 2026 22:05:26 +0900\r\n",
    "opensmtpd_local": "Received: from localhost (web1.corp.example [local])\r\n\tby web1.corp.example (OpenSMTPD) "
                       "with ESMTPA id 1a2b3c4d\r\n\tfor <ceo@corp.example>; Thu, 26 Nov 2026 22:05:26 +0900 (JST)\r\n",
    "courier_local": "Received: from localhost (localhost [127.0.0.1])\r\n  (uid 33)\r\n  by web1.corp.example with "
                     "local; Thu, 26 Nov 2026 22:05:26 +0900\r\n  id 00000001.5F1A2B3C.00001234\r\n",
    # nullmailer only sends: its stamp names no host, and nothing is re-injected through it.
    "nullmailer": "Received: (nullmailer pid 2211 invoked by uid 33);\r\n\tThu, 26 Nov 2026 13:05:26 -0000\r\n",
}


def _handed_over(stamp: str, below: str) -> Report:
    raw = ("Return-Path: <alerts@bank.example>\r\n" + stamp + below + _BANK_BODY).encode()
    return analyze(raw, resolver=SnapshotResolver(_BANK_DNS), now=NOW)


def test_every_local_hand_over_stamp_above_a_forged_received_is_where_the_message_entered() -> None:
    forged = _BANK_HOP.format(by="mx.corp.example")
    for name, stamp in _HANDOVERS.items():
        report = _handed_over(stamp, forged)
        assert report.boundary_hop == 2, name
        assert report.verdict.status != "authenticated", (name, report.verdict.summary)
        assert report.spf is None or report.spf.result != "pass", name


def test_a_same_host_re_injection_below_a_local_stamp_keeps_the_client_below() -> None:
    # Exim or sendmail re-injecting on the host that took the message from the network (a pipe
    # filter, majordomo's "(from majordomo-owner@localhost)"): read as before.
    genuine = _BANK_HOP.format(by="web1.corp.example")
    for name in ("exim_local", "sendmail_submit", "sendmail_old"):
        report = _handed_over(_HANDOVERS[name], genuine)
        assert report.boundary_hop == 1, name
        assert report.verdict.status == "authenticated", (name, report.verdict.summary)
