"""The safety net's fifth round (verification V58a D1-1): text the client writes after the
receiver's "by" (Exim's bare "for RCPT", its envelope-from) cannot move the receiver's "by", and a
boundary field holding client text the parser could not place cannot switch SPF and DMARC off.
"""

from __future__ import annotations

import pytest
from test_received_safety_net import _DATE, FORGER, _analyze, _marked

from headerscope.received import parse_received

# The ident reply that leaves Exim's record open (V55c D1-2), handled only where Exim's "by" is
# known to be the receiver's.
_OPEN_IDENT = "x (mx.bank.example [198.51.100.20]"


def _exim_for(rcpt: str, ident: str = _OPEN_IDENT, sender: str = "service@bank.example") -> str:
    # Exim writes "for RCPT" without angle brackets (received_header_text: "for $received_for").
    return (f"Received: from host.forger.example ([{FORGER}]:51234 helo=mail.example.net ident={ident})\r\n"
            f"\tby mx.example.net with esmtp (Exim 4.96)\r\n\t(envelope-from <{sender}>)\r\n"
            f"\tid 1tA2bC-000123-4x\r\n\tfor {rcpt}; {_DATE}\r\n")


def _unfolded(received: str) -> str:
    return " ".join(received.split(":", 1)[1].split())


# RCPT TOs that leave a bare "by" after Exim's own when read without quoted-pairs or past the
# bound: an escaped quote (RFC 5321 section 4.1.2's quoted-pairSMTP), a quoted local part longer
# than a path may be, and (the "for" rule alone) a "by" written after the address.
RCPT_BREAKOUTS = ['"victim+\\" by x"@example.net', f'"victim+{"a" * 250} by x"@example.net',
                  '"victim+\\" by x with local"@example.net', "victim@example.net by x with local"]


@pytest.mark.parametrize("rcpt", RCPT_BREAKOUTS)
def test_a_rcpt_to_after_exims_by_does_not_move_the_receivers_by(rcpt: str) -> None:
    fields = parse_received(_unfolded(_exim_for(rcpt)))
    assert (fields.from_ip, fields.by, fields.protocol) == (FORGER, "mx.example.net", "esmtp")
    assert any(p.startswith("the client's ident reply leaves the receiver's record open") for p in fields.problems)
    # Forgery: on the old code the RCPT's "by" was read as the receiver's, Exim's open record was
    # not seen and the ident's 198.51.100.20 was the client: SUSPICIOUS on bank.example's SPF pass.
    report = _analyze(_exim_for(rcpt), sender="service@bank.example")
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert _marked(report)


def test_a_loopback_in_the_ident_with_a_rcpt_breakout_is_no_hand_over_inside() -> None:
    # V58a's exim_ident_open_loopback_local: read as "sent inside the receiving organisation" on
    # the old code (127.0.0.1 from the ident, "with local" from the RCPT).
    received = _exim_for('"victim+\\" by x with local"@example.net', ident="x (localhost [127.0.0.1]",
                         sender="president@example.net")
    report = _analyze(received)
    assert report.verdict.status == "spoofed", report.verdict.summary
    control = _analyze(_exim_for("victim@example.net", ident="x (localhost [127.0.0.1]", sender="president@example.net"))
    assert control.verdict.status == "spoofed"


def test_a_quoted_local_part_with_an_escaped_quote_is_one_string() -> None:
    fields = parse_received(_unfolded(_exim_for('"victim+\\" by x"@example.net', ident="bob")))
    assert (fields.from_ip, fields.by, fields.ident) == (FORGER, "mx.example.net", "bob")
    assert not any("'by'" in p for p in fields.problems)


@pytest.mark.parametrize("greeting", [
    "x ([198.51.100.20]:25 helo=y) by mx.example.net with esmtp (Exim 4.96) for v",
    "x ([198.51.100.20]:25 helo=y) by mx.example.net with esmtp (Exim 4.96) for v (mx.bank.example [198.51.100.20])",
    'x "a\\" by mx.example.net with esmtp (Exim 4.96) for v (mx.bank.example [198.51.100.20])',
])
def test_a_postfix_greeting_writing_for_is_still_the_greeting(greeting: str) -> None:
    # The other direction: a greeting can write "for" too. Postfix's record stands after it, before
    # Postfix's "by", which the receiver writes only before its own "by": that "for" is the greeting's.
    stamp = (f"(unknown [{FORGER}])\r\n\tby mx.example.net (Postfix) with ESMTP id 4XjK2L3m4nz9abc\r\n"
             f"\tfor <victim@example.net>; {_DATE}\r\n")
    fields = parse_received(_unfolded(f"Received: from {greeting} {stamp}"))
    assert (fields.from_ip, fields.by, fields.protocol) == (FORGER, "mx.example.net", "ESMTP")
    report = _analyze(f"Received: from {greeting}\r\n\t{stamp}", sender="service@bank.example")
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert _marked(report)


@pytest.mark.parametrize("received", [
    # A Postfix greeting opening a quote the RCPT TO closes: the receiver's record and "by" are inside
    # it, and the greeting's loopback record is read as the client's (no "by": marked).
    f'Received: from x (localhost [127.0.0.1]) "a (unknown [{FORGER}])\r\n\tby mx.example.net (Postfix) with ESMTP'
    f' id 4XjK2L3m4nz9abc\r\n\tfor <"b"@example.net>; {_DATE}\r\n',
    # A breakout the parser cannot place writing a loopback record and "with local" after Exim's
    # "for": marked, read as a local submission on the old code (SPF not checked).
    f"Received: from host.forger.example ([{FORGER}]:51234 helo=mail.example.net ident={_OPEN_IDENT})\r\n"
    "\tby mx.example.net with esmtp (Exim 4.96)\r\n\tid 1tA2bC-000123-4x\r\n"
    f"\tfor victim@example.net (localhost [127.0.0.1]) by x with local; {_DATE}\r\n",
])
def test_a_marked_boundarys_private_client_does_not_switch_spf_and_dmarc_off(received: str) -> None:
    report = _analyze(received)
    assert _marked(report)
    # Forgery: the old code read "Unauthenticated, sent inside the receiving organisation ... where
    # SPF and DMARC ... do not apply", or NOT CHECKED: the forger's text switched the checks off.
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert "inside the receiving organisation" not in report.verdict.summary
