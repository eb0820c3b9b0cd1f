"""DKIM replay without an earlier delivery left in the copy (verification V38g r1b, r2c): a
genuine signature on a message resent to a recipient its signed To:/Cc: does not name, with the
signs of a replay rather than a Bcc (replay.possible_replay, RFC 6376 section 8.6)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from conftest import SAMPLES, sign_as_example_org

import headerscope
from headerscope.dns.snapshot import SnapshotResolver
from headerscope.model import Finding, Report, Severity

NOW = datetime(2026, 11, 30, tzinfo=timezone.utc)
# sign_as_example_org signs at 2026-11-26 13:03:11 UTC.
FRESH = b"Thu, 26 Nov 2026 05:05:09 -0800 (PST)"  # two minutes after signing
STALE = b"Fri, 27 Nov 2026 06:05:09 -0800 (PST)"  # a day and an hour after
SIGNED = [b"from", b"to", b"subject", b"date", b"message-id"]


def _author(to: bytes, extra: bytes = b"") -> bytes:
    return (b"From: Dana Reyes <dana@example.org>\r\n"
            b"To: " + to + b"\r\n" + extra +
            b"Subject: Your order has shipped\r\n"
            b"Date: Thu, 26 Nov 2026 13:03:10 +0000\r\n"
            b"Message-ID: <20261126130310.4471@mail.example.org>\r\n"
            b"\r\n"
            b"Your order 4471 has shipped.\r\n")


def _message(to: bytes, mail_from: bytes, client: bytes, when: bytes, *, rcpt: bytes = b"victim.user@gmail.com",
             signed: list[bytes] | None = None, submitted: bytes = b"") -> bytes:
    """Gmail's copy: the resender's server (``client``) hands the signed original to mx.google.com."""
    author = _author(to)
    signature = sign_as_example_org(author, signed or SIGNED)
    return (b"Delivered-To: " + rcpt + b"\r\n"
            b"Received: by 2002:a05:7208:3102:b0:8c:1f2a:59a2 with SMTP id r2csp1234567rbb;\r\n"
            b"        " + when + b"\r\n"
            b"Return-Path: <" + mail_from + b">\r\n"
            b"Received: from " + client + b"\r\n"
            b"        by mx.google.com with ESMTPS id o18-20020a170907291200b00a307e5b22b1si3401242ejc.829\r\n"
            b"        for <" + rcpt + b">\r\n"
            b"        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\r\n"
            b"        " + when + b"\r\n" + submitted + signature + author)


_ATTACKER = b"mail.attacker.example (mail.attacker.example. [203.0.113.50])"
_SPAMMER = b"mail.spammer.example (mail.spammer.example. [203.0.113.77])"
_OWN = b"mail.example.org (mail.example.org. [192.0.2.10])"


def _dns(example_org_spf: str = "v=spf1 ip4:192.0.2.10 -all") -> dict[str, object]:
    samples = json.loads((SAMPLES / "forwarded-srs.dns.json").read_text())
    return {
        "example.org": {"TXT": [[example_org_spf]]},
        "mail2026._domainkey.example.org": samples["mail2026._domainkey.example.org"],
        "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject"]]},
        "attacker.example": {"TXT": [["v=spf1 ip4:203.0.113.50 -all"]]},
        "spammer.example": {"TXT": [["v=spf1 ip4:203.0.113.77 -all"]]},
        "50.113.0.203.in-addr.arpa": {"PTR": ["mail.attacker.example."]},
        "mail.attacker.example": {"A": ["203.0.113.50"]},
        "77.113.0.203.in-addr.arpa": {"PTR": ["mail.spammer.example."]},
        "mail.spammer.example": {"A": ["203.0.113.77"]},
        "10.2.0.192.in-addr.arpa": {"PTR": ["mail.example.org."]},
        "mail.example.org": {"A": ["192.0.2.10"]},
    }


def _analyze(raw: bytes, dns: dict[str, object] | None = None) -> Report:
    return headerscope.analyze(raw, resolver=SnapshotResolver(dns or _dns()), now=NOW)


def _replay(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.id == "dkim.possible_replay"]


def test_a_replay_by_the_signed_addressee_without_its_earlier_delivery() -> None:
    # V38g r1b: the signed original went to me@attacker.example, who sends it on from its own
    # server a day later, envelope sender that same address; the Delivered-To of its own
    # delivery is gone. Three signs agree: a warning, and the verdict line says it.
    raw = _message(b"me@attacker.example", b"me@attacker.example", _ATTACKER, STALE)
    report = _analyze(raw)
    assert report.dmarc is not None and report.dmarc.result == "pass" and report.verdict.status == "authenticated"
    [replay] = _replay(report)
    assert replay.severity is Severity.WARNING and replay.subject == "dkim example.org/mail2026"
    assert replay.title == ("Possibly a DKIM replay: example.org signed it for me@attacker.example, and it was "
                            "delivered to victim.user@gmail.com")
    assert "the envelope sender (Return-Path), me@attacker.example, is that very addressee" in replay.explanation
    assert "the Date: it signs is 2026-11-26 13:03 +0000, 25 h before" in replay.explanation
    assert "example.org's own SPF record refuses 203.0.113.50" in replay.explanation
    assert replay.reference == "https://www.rfc-editor.org/rfc/rfc6376#section-8.6"
    assert "but it may be a DKIM replay" in report.verdict.summary
    # One sign alone (sent at once, from a server the From: domain's SPF only softfails): a notice.
    fresh = _analyze(_message(b"me@attacker.example", b"me@attacker.example", _ATTACKER, FRESH),
                     _dns("v=spf1 ip4:192.0.2.10 ~all"))
    [notice] = _replay(fresh)
    assert notice.severity is Severity.NOTICE and "envelope sender" in notice.explanation
    assert "t=" not in notice.explanation and "refuses" not in notice.explanation
    # Sent on at once by the addressee's organisation from a server the signer's SPF refuses: a
    # forward that left no trace but its envelope looks so too (signs 1 and 3, fresh): a notice.
    forward_like = _analyze(_message(b"me@attacker.example", b"me@attacker.example", _ATTACKER, FRESH))
    [notice] = _replay(forward_like)
    assert notice.severity is Severity.NOTICE and "refuses 203.0.113.50" in notice.explanation
    # The login the chain records (an authenticated submission's account) counts as the resender.
    login = (b"Received: from [198.51.100.7] by mail.attacker.example (Postfix) with ESMTPSA id 4Zc2y31lRz2yr\r\n"
             b"\t(Authenticated sender: me@attacker.example) for <victim.user@gmail.com>;\r\n"
             b"\tThu, 26 Nov 2026 05:05:07 -0800 (PST)\r\n")
    submitted = _analyze(_message(b"me@attacker.example", b"bounce@relay.example", _ATTACKER, FRESH,
                                  submitted=login), _dns("v=spf1 ip4:192.0.2.10 ~all"))
    [by_login] = _replay(submitted)
    assert "the account that logged in to submit it (hop 1's Received" in by_login.explanation


def test_a_replay_to_a_stranger_from_a_server_the_signer_refuses() -> None:
    # V38g r2c: brand's signature for alice@customer.example, a day old, handed to Gmail by a
    # server whose own SPF passes but which the From: domain's SPF refuses.
    raw = _message(b"alice@customer.example", b"bounce@spammer.example", _SPAMMER, STALE)
    report = _analyze(raw)
    [replay] = _replay(report)
    assert replay.severity is Severity.WARNING
    assert "envelope sender" not in replay.explanation
    assert "25 h before" in replay.explanation and "refuses 203.0.113.77" in replay.explanation
    # The From: domain's record was asked, and is kept as evidence.
    assert any(use.name == "example.org" for use in report.dns)


def test_an_ordinary_bcc_is_no_replay_and_costs_no_question() -> None:
    # An email service provider's copy to a Bcc recipient, sent when signed: no sign, nothing said,
    # and the From: domain's SPF record is not asked for the client.
    raw = _message(b"alice@customer.example", b"bounce@spammer.example", _SPAMMER, FRESH)
    report = _analyze(raw)
    assert report.verdict.status == "authenticated" and not _replay(report)
    assert "replay" not in report.verdict.summary
    assert not any(use.name == "example.org" for use in report.dns)
    # The author's own address in To: and the recipients in Bcc, even sent late: the envelope sender
    # being the author's organisation is no resender.
    own = _analyze(_message(b"dana@example.org", b"bounce@spammer.example", _SPAMMER, FRESH))
    assert not _replay(own)
    # SPF passes aligned with From:: the signer's own server sent this copy.
    aligned = _analyze(_message(b"me@attacker.example", b"dana@example.org", _OWN, STALE))
    assert aligned.dmarc is not None and aligned.dmarc.spf_aligned is True and not _replay(aligned)
    # The recipient is in the signed To:: no blind copy at all.
    addressed = _analyze(_message(b"victim.user@gmail.com", b"me@attacker.example", _ATTACKER, STALE))
    assert not _replay(addressed)
    # A signature that does not cover To: says nothing of whom the signer addressed.
    unsigned_to = _analyze(_message(b"me@attacker.example", b"me@attacker.example", _ATTACKER, STALE,
                                    signed=[b"from", b"subject", b"date", b"message-id"]))
    assert not _replay(unsigned_to)
    # DMARC not evaluated (offline): nothing to rest on.
    offline = headerscope.analyze(_message(b"me@attacker.example", b"me@attacker.example", _ATTACKER, STALE),
                                  offline=True, now=NOW)
    assert not _replay(offline)


def test_a_replay_with_its_earlier_delivery_is_told_by_the_earlier_delivery() -> None:
    # The Delivered-To of the first delivery left below the boundary: the envelope calls the
    # recipient forwarded, and envelope.earlier_delivery tells the replay; not said twice.
    raw = _message(b"me@attacker.example", b"me@attacker.example", _ATTACKER, STALE)
    at = raw.index(b"DKIM-Signature")
    earlier = (raw[:at] + b"Delivered-To: me@attacker.example\r\n"
               b"Received: from mail.example.org (mail.example.org [192.0.2.10]) by mx1.attacker.example\r\n"
               b"\twith ESMTPS id 4Zc2y31lRz2yq for <me@attacker.example>; Thu, 26 Nov 2026 13:03:12 +0000\r\n"
               + raw[at:])
    report = _analyze(earlier)
    assert not _replay(report) and any(f.id == "envelope.earlier_delivery" for f in report.findings)


def test_an_unsigned_list_id_of_another_organisation_does_not_hide_a_replay() -> None:
    # Verification V39d: one added "List-Id: <announce.brand.example>" line made the envelope read
    # the recipient as a list member's, and the replay warning vanished. A List-Id the signer did not
    # sign, of an organisation the signed To:/Cc: does not name, explains nothing.
    raw = _message(b"me@attacker.example", b"me@attacker.example", _ATTACKER, STALE)
    listed = raw.replace(b"Return-Path:", b"List-Id: <announce.brand.example>\r\nReturn-Path:", 1)
    [replay] = _replay(_analyze(listed))
    assert replay.severity is Severity.WARNING
    # A list the signed original was addressed to (its List-Id of the addressee's organisation)
    # is the list's copy: no replay said.
    own_list = raw.replace(b"Return-Path:", b"List-Id: <members.attacker.example>\r\nReturn-Path:", 1)
    assert not _replay(_analyze(own_list))


def test_a_signature_that_names_its_fields_in_capitals_is_read_the_same() -> None:
    # Field names in h= are case-insensitive (RFC 6376 section 3.5); Microsoft and Amazon SES write
    # "From:To:Subject", and the model keeps h= as written. The replay check looked for "to" as
    # written and never ran for them. (dkimpy writes h= in lower case, so the signature is edited
    # in the result, where a real one would carry it.)
    import dataclasses

    from headerscope import replay

    report = _analyze(_message(b"me@attacker.example", b"me@attacker.example", _ATTACKER, STALE))
    [signature] = [s for s in report.dkim if s.result == "pass"]
    written = dataclasses.replace(signature, signed_headers=("From", "To", "Subject", "Date", "Message-ID"))
    assert replay._signed(written) == ["from", "to", "subject", "date", "message-id"]
