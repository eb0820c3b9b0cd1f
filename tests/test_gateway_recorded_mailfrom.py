"""Without a Return-Path (headers pasted from some clients and ticket tools), the MAIL FROM the
recipient's gateway recorded in its own ARC-Authentication-Results above its intake Received
(smtp.mailfrom, RFC 8601 section 2.7.2) is SPF's MAIL FROM, as IronPort's Received-SPF
envelope-from is (verification V52c D4: a forgery under p=reject read 'NOT CHECKED'); one below
the boundary Received is the sender's text and never read."""

from __future__ import annotations

from test_gateway_sealed_change import _BODY, _HANDOVER, _HEAD, _analyze, _intake, _seal

_FORGER_HOP = (b"Received: from [10.0.0.5] (unknown [10.0.0.5])\r\n"
               b"\tby mail.example.org (Postfix) with ESMTPSA id 4cF1x2Z3k4z9sXz\r\n"
               b"\tfor <lee@example.com>; Thu, 26 Nov 2026 08:05:05 -0500 (EST)\r\n")
_FAIL = (b"dkim=none; dmarc=fail header.from=example.org; spf=fail smtp.mailfrom=dana@example.org")


def _forged(*, above: bool = True) -> bytes:
    intake = _intake(b"host66.example.net", b"203.0.113.66")
    text = _FORGER_HOP + _HEAD + b"\r\n" + _BODY
    arc = _seal(intake + text, _FAIL)
    if above:
        return _HANDOVER + arc + intake + text
    return _HANDOVER + intake + arc + text


def test_the_gateways_sealed_smtp_mailfrom_is_spfs_mail_from() -> None:
    report = _analyze(_forged())
    assert report.boundary_hop == 2
    assert report.spf is not None
    assert (report.spf.client_ip, report.spf.mail_from, report.spf.result) == ("203.0.113.66", "dana@example.org",
                                                                               "fail")
    assert report.verdict.status == "spoofed"


def test_an_smtp_mailfrom_below_the_boundary_is_not_read() -> None:
    # The same set, sealed by Mimecast and verifying, but below the intake Received: a set a sender
    # can replay from a message once received through the service. Its MAIL FROM is not SPF's.
    report = _analyze(_forged(above=False))
    assert report.boundary_hop == 2
    assert report.spf is not None and report.spf.mail_from is None and report.spf.result == "not_checked"
    assert report.verdict.status != "authenticated"


def test_the_gateways_sealed_smtp_mailfrom_outranks_a_return_path_the_sender_wrote_below_it() -> None:
    # A Return-Path the forger puts among the message's own fields, below every Received, is text
    # that was in the message when the gateway took it (RFC 5321 section 4.4: the final delivery
    # writes it at the top). The gateway's own record of the MAIL FROM it checked wins, and the
    # Return-Path is shown as a claim (verification V53d D2: it replaced the recorded envelope and
    # read "SPF passes only for forger.example").
    intake = _intake(b"host66.example.net", b"203.0.113.66")
    text = _FORGER_HOP + b"Return-Path: <bounce@forger.example>\r\n" + _HEAD + b"\r\n" + _BODY
    report = _analyze(_HANDOVER + _seal(intake + text, _FAIL) + intake + text)
    assert report.envelope.mail_from == "dana@example.org"
    assert report.envelope.claimed_mail_from == "bounce@forger.example"
    assert report.spf is not None and (report.spf.mail_from, report.spf.result) == ("dana@example.org", "fail")
    assert report.verdict.status == "spoofed"
