"""A sender must not be able to spend the analysis's DNS time budget on names it controls so
that the From: domain's DMARC record reads as a timeout (SPOOFED turning into NOT CHECKED).

A loopback server (tests/dnsresponder.py) answers the From: domain's names at once and never
answers the attacker's, so every attacker question costs a whole --dns-timeout."""

from __future__ import annotations

import time

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
from dnsresponder import respond

from headerscope import api
from headerscope.api import _decisive_questions, analyze
from headerscope.dns.evidence import EvidenceResolver
from headerscope.dns.live import LiveResolver
from headerscope.message import Message, parse_message
from headerscope.render.terminal import TerminalRenderer

TIMEOUT = 0.25


def message_of(raw: bytes) -> Message:
    return parse_message(raw)


def _handler(query: dns.message.Message) -> dns.message.Message | None:
    question = query.question[0]
    name = question.name.to_text().rstrip(".").lower()
    if name.endswith("attacker.example"):
        return None  # never answers: each question costs the whole timeout
    reply = dns.message.make_response(query)
    if name == "_dmarc.bank.example" and question.rdtype == dns.rdatatype.TXT:
        reply.answer.append(dns.rrset.from_text(question.name, 300, "IN", "TXT", '"v=DMARC1; p=reject"'))
    else:
        reply.set_rcode(dns.rcode.NXDOMAIN)
    return reply


def _spoof(signatures: int) -> bytes:
    sigs = b"".join(
        b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=slow.attacker.example; s=k%d;\r\n"
        b"\th=from:to:subject; bh=AAAA; b=AAAA\r\n" % n for n in range(signatures))
    return (b"Received: from mail.attacker.example (mail.attacker.example [203.0.113.7])\r\n"
            b"\tby mx.rcpt.example with ESMTPS id abc; Mon, 2 Nov 2026 10:00:01 +0000\r\n"
            + sigs +
            b"Return-Path: <bounce@slow.attacker.example>\r\n"
            b"From: Bank <alerts@bank.example>\r\n"
            b"To: bob@rcpt.example\r\n"
            b"Subject: verify your account\r\n"
            b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
            b"\r\n"
            b"hello\r\n")


def test_attacker_cannot_spend_the_budget_to_hide_the_from_domains_dmarc(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A budget of 0.75 s: 30 silent signature keys (16 asked at once, the rest in a second round)
    # and a silent MAIL FROM policy and HELO take over a second, each question its whole 0.25 s
    # (since each try got a share of the question's time, a silent server's question costs the
    # --dns-timeout, no more: the second round starts at about 0.9 s), all before the DMARC check
    # asks _dmarc.bank.example.
    monkeypatch.setattr(api, "dns_budget", lambda timeout: 0.75)
    with respond(_handler) as nameserver:
        report = analyze(_spoof(30), nameserver=nameserver, dns_timeout=TIMEOUT)
    dmarc = next(use for use in report.dns if use.name == "_dmarc.bank.example")
    assert dmarc.status == "NOERROR"
    assert report.dmarc is not None and report.dmarc.result == "fail"
    assert report.verdict.status == "spoofed"
    # The budget stopped the attacker's later keys: said as the tool's limit, not a server timeout.
    stopped = [use.name for use in report.dns if use.status == "BUDGET"]
    assert "k29._domainkey.slow.attacker.example" in stopped
    spent = next(f for f in report.findings if f.id == "dns.budget_spent")
    assert "DNS time budget of 0.75 s was spent" in spent.title
    assert f"{len(stopped)} question(s) not asked" in spent.title
    text = TerminalRenderer(verbose=True, width=400).render(report)
    assert ("k29._domainkey.slow.attacker.example TXT: BUDGET (not asked: the analysis's DNS time budget was spent)"
            in text)


def test_the_from_domains_policy_is_prefetched_first() -> None:
    questions = _decisive_questions(message_of(_spoof(30)))[:1]
    assert questions == [("_dmarc.bank.example", "TXT")]


def test_a_held_answer_is_used_past_the_budget() -> None:
    # (a) The live resolver already holds the answer (a prefetch's): it costs no time, so the
    # spent budget does not turn it into a non-answer.
    with respond(_handler) as nameserver:
        live = LiveResolver(nameserver=nameserver, timeout=TIMEOUT)
        live.prefetch([("_dmarc.bank.example", "TXT"), ("k1._domainkey.slow.attacker.example", "TXT")])
        assert live.cached("_DMARC.bank.example.", "txt") is not None
        evidence = EvidenceResolver(live, budget=0.0)
        evidence.resolve("k2._domainkey.slow.attacker.example", "TXT")  # starts the clock
        time.sleep(0.01)
        assert evidence.resolve("_dmarc.bank.example", "TXT").status == "NOERROR"
        assert evidence.resolve("k1._domainkey.slow.attacker.example", "TXT").status == "TIMEOUT"
        assert evidence.resolve("k3._domainkey.slow.attacker.example", "TXT").status == "BUDGET"
        assert evidence.over_budget == 1


def test_decisive_questions_are_asked_whatever_the_budget() -> None:
    # (c) The From: domain's DMARC records, its organisational domain's and the aligned
    # signature's key are asked after the budget is spent (each still bounded by its own timeout);
    # the unaligned signature's key is not.
    message = message_of(
        b"DKIM-Signature: v=1; a=rsa-sha256; d=bank.example; s=s1; h=from; bh=AAAA; b=AAAA\r\n"
        b"DKIM-Signature: v=1; a=rsa-sha256; d=attacker.example; s=s2; h=from; bh=AAAA; b=AAAA\r\n"
        b"From: alerts@mail.bank.example\r\n\r\n")
    decisive = _decisive_questions(message)
    assert decisive == [("_dmarc.mail.bank.example", "TXT"), ("_dmarc.bank.example", "TXT"),
                        ("s1._domainkey.bank.example", "TXT")]
    with respond(_handler) as nameserver:
        evidence = EvidenceResolver(LiveResolver(nameserver=nameserver, timeout=TIMEOUT), budget=0.0)
        evidence.exempt(decisive)
        evidence.resolve("k2._domainkey.slow.attacker.example", "TXT")  # starts the clock
        time.sleep(0.01)
        assert evidence.resolve("_dmarc.bank.example", "TXT").status == "NOERROR"
        assert evidence.resolve("s1._domainkey.bank.example", "TXT").status == "NXDOMAIN"
        assert evidence.resolve("s2._domainkey.attacker.example", "TXT").status == "BUDGET"
