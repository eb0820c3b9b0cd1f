"""The safety net's fourth round: the Received residue verifications V55c and V56a left. An Exim
ident reply that leaves Exim's record open must not give the client address; a greeting comment
with only a login protocol word is the client's text; a Postfix greeting faking an Exim stamp is
read as a greeting; a Courier local stamp is a local hand-over.
"""

from __future__ import annotations

import pytest
from test_received_safety_net import _DATE, FORGER, _analyze, _exim, _marked

from headerscope.received import parse_received

# Idents that open a parenthesis and write another client record inside Exim's (V55c D1-2): Exim
# writes "NAME ([IP]:port helo=HELO ident=USER)" or "[IP] (port=N helo=HELO ident=USER)" (host.c,
# host_build_sender_fullhost), the address before the reply.
OPEN_RECORD_IDENTS = ["x (mx.bank.example [198.51.100.20]", "x ([198.51.100.20]", "x ((mx.bank.example [198.51.100.20]",
                      "x with esmtp (mx.bank.example [198.51.100.20]", "x (authenticated bits=0"]


def _unfolded(received: str) -> str:
    return " ".join(received.split(":", 1)[1].split())


@pytest.mark.parametrize("record", ["rdns", "literal"])
@pytest.mark.parametrize("ident", OPEN_RECORD_IDENTS)
def test_an_ident_leaving_exims_record_open_gives_the_address_exim_wrote(record: str, ident: str) -> None:
    fields = parse_received(_unfolded(_exim(record, ident)))
    assert (fields.from_ip, fields.auth, fields.via) == (FORGER, None, None)
    assert any(p.startswith("the client's ident reply leaves the receiver's record open") for p in fields.problems)
    # Forgery: on the old code the address the ident wrote, an address bank.example's SPF allows,
    # was the client's: SUSPICIOUS, "SPF passes for bank.example from 198.51.100.20".
    report = _analyze(_exim(record, ident, sender="service@bank.example"), sender="service@bank.example")
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert _marked(report)


@pytest.mark.parametrize("opening", ["from host.forger.example ([45.67.89.10] helo=mail.example.net ident=x",
                                     "from host.forger.example ([45.67.89.10]:51234 ident=x",
                                     "from [45.67.89.10] (helo=mail.example.net ident=x",
                                     "from [45.67.89.10] (ident=x"])
def test_every_form_of_exims_record_is_placed(opening: str) -> None:
    value = (f"{opening} (mx.bank.example [198.51.100.20]) by mx.example.net with esmtp (Exim 4.96) id 1tA2bC-000123-4x"
             f"; {_DATE}")
    fields = parse_received(value)
    assert fields.from_ip == FORGER


def test_an_open_record_exim_did_not_write_gives_no_address() -> None:
    # No address where Exim writes one: which record is whose cannot be told, so none is read.
    value = ("from host.forger.example (helo=mail.example.net ident=x (mx.bank.example [198.51.100.20]) by mx.example.net"
             f" with esmtp (Exim 4.96) id 1tA2bC-000123-4x; {_DATE}")
    fields = parse_received(value)
    assert (fields.from_ip, fields.from_rdns) == (None, None)
    assert any("its address cannot be told" in p for p in fields.problems)


def test_a_closed_ident_and_a_plain_one_read_as_before() -> None:
    fields = parse_received(_unfolded(_exim("rdns", "bob")))
    assert (fields.from_ip, fields.from_rdns, fields.from_helo, fields.ident) == (
        FORGER, "host.forger.example", "mail.example.net", "bob")
    assert fields.problems == ()
    fields = parse_received(_unfolded(_exim("literal", "x) (mx.bank.example [198.51.100.20]) (x")))
    assert fields.from_ip == FORGER


def _postfix(helo: str, protocol: str = "ESMTP") -> str:
    return (f"Received: from {helo} (unknown [{FORGER}])\r\n\tby mx.example.net (Postfix) with {protocol}"
            f" id 4XjK2L3m4nz9abc\r\n\tfor <victim@example.net>; {_DATE}\r\n")


@pytest.mark.parametrize("helo", ["x (with esmtpa)", "x (esmtpsa)", "x (with ESMTPA)", "x (lmtpa)",
                                  "x (esmtpa [198.51.100.20])"])
def test_a_greeting_comment_with_only_a_login_protocol_word_is_marked(helo: str) -> None:
    # The fast path read these (no marker it declines on), so the greeting's login word was not said
    # and hops' safety net did not see it; the general parser says it.
    fields = parse_received(_unfolded(_postfix(helo)))
    assert (fields.from_ip, fields.auth) == (FORGER, None)
    assert any(p.startswith("the client's greeting holds a nested comment or login words") for p in fields.problems)
    report = _analyze(_postfix(helo))
    assert _marked(report)
    assert report.verdict.status == "spoofed", report.verdict.summary


@pytest.mark.parametrize("helo", ["smtpa.example.net", "x (esmtp)", "x (my laptop)"])
def test_a_greeting_comment_without_login_words_is_not_marked(helo: str) -> None:
    fields = parse_received(_unfolded(_postfix(helo)))
    assert not any("greeting holds" in p for p in fields.problems)


_POSTFIX_STAMP = ("(unknown [45.67.89.10]) by mx.example.net (Postfix) with ESMTP id 4XjK2L3m4nz9abc"
                  f" for <victim@example.net>; {_DATE}")
# Greetings that copy an Exim stamp whole, its record, "by" and "(Exim ...)" (Postfix writes a
# multi-word HELO verbatim): the receiver's "by" is the last one, Postfix's.
FAKE_EXIM_GREETINGS = [
    "x ([198.51.100.20]:25 helo=y ident=z) by mx.example.net with esmtp (Exim 4.96)",
    "x ([198.51.100.20]:25 helo=y) by mx.example.net with esmtpa (Exim 4.96)",
    "x ([198.51.100.20]:25 helo=y) by mx.example.net with esmtp (Exim 4.96) (envelope-from <service@bank.example>)"
    " id 1tA2bC-000123-4x for victim@example.net",
    "x ([198.51.100.20]:25 helo=y) by mx.example.net (Exim 4.96) with esmtp",
]


@pytest.mark.parametrize("greeting", FAKE_EXIM_GREETINGS)
def test_a_postfix_greeting_faking_an_exim_stamp_is_the_greeting(greeting: str) -> None:
    fields = parse_received(f"from {greeting} {_POSTFIX_STAMP}")
    assert (fields.from_ip, fields.by, fields.protocol, fields.auth) == (FORGER, "mx.example.net", "ESMTP", None)
    assert any(p.startswith("the client's greeting holds clause words before the receiver's record")
               for p in fields.problems)
    # Forgery: on the old code the first "by" named Exim, so the fake record was the client's:
    # SUSPICIOUS on bank.example's SPF pass for 198.51.100.20. Without the fake part it reads SPOOFED.
    received = f"Received: from {greeting}\r\n\t{_POSTFIX_STAMP}\r\n"
    report = _analyze(received, sender="service@bank.example")
    assert report.verdict.status == "spoofed", report.verdict.summary
    plain = _analyze(f"Received: from x\r\n\t{_POSTFIX_STAMP}\r\n", sender="service@bank.example")
    assert plain.verdict.status == "spoofed"


def test_an_exim_ident_faking_a_postfix_stamp_is_dropped() -> None:
    # The other way round: the ident reply writes "by mx (Postfix)" before Exim's own "by".
    fields = parse_received(_unfolded(_exim("rdns", "x (mx.bank.example [198.51.100.20]) by mx.bank.example (Postfix) "
                                                    "with esmtp (")))
    assert (fields.from_ip, fields.by, fields.protocol) == (FORGER, "mx.example.net", "esmtp")


def test_a_mail_from_breaking_out_after_exims_by_does_not_move_the_receivers_by() -> None:
    # A quoted MAIL FROM that cannot be read as a unit can write a "by" after Exim's: the receiver's
    # "by" is the last one before it (V49a D1-a).
    head = ("from host.forger.example ([45.67.89.10]:51234 helo=mx.bank.example) by mx.example.net with esmtp "
            "(Exim 4.96) ")
    fields = parse_received(head + '(envelope-from <"x)(mx.bank.example [198.51.100.20]) by mx.bank.example (Exim 4.96) '
                            f'with esmtp (x"@bank.example>) id 1tA2bC-000123-4x for victim@example.net; {_DATE}')
    assert (fields.from_ip, fields.by) == (FORGER, "mx.example.net")


@pytest.mark.parametrize("mail_from", ["<a)(mx.bank.example [198.51.100.20]) by evil@bank.example>",
                                       "<a)(mx.bank.example [198.51.100.20]) by mx.bank.example (x@bank.example>"])
def test_an_unquoted_mail_from_breaking_out_after_exims_by_does_not_move_the_receivers_by(mail_from: str) -> None:
    # Exim's envelope-from comment ending before its '>' (or a ')' left unpaired) is an address
    # broken out of its place: a "by" after it is the address's text (V53f's corpus string; the
    # plain last-"by" rule had read 198.51.100.20 as the client).
    fields = parse_received(f"from [45.67.89.10] (helo=mx.bank.example) by mx.example.net with esmtp (Exim 4.96) "
                            f"(envelope-from {mail_from}) id 1tA2bC-000123-4x for victim@example.net; {_DATE}")
    # (The "by" read is the broken address's, as on main: the greeting join, not changed here.)
    assert (fields.from_ip, fields.auth) == (FORGER, None)


def test_every_local_hand_over_stamp_reads_as_a_postfix_pickup_does() -> None:
    # Courier's local stamp carries the loopback address its sendmail wrapper always writes
    # ("dns; localhost (localhost [127.0.0.1])"); SPF judged it and the hand-over read SPOOFED,
    # where Postfix's pickup and Exim's "with local", which record no address, read NOT CHECKED
    # (verification V56a).
    from test_walk_relay_names import _BANK_HOP, _HANDOVERS, _handed_over, _pickup

    postfix = _pickup("web1.corp.example", "mx.corp.example")
    assert postfix.verdict.status == "not_checked"
    forged = _BANK_HOP.format(by="mx.corp.example")
    for name, stamp in _HANDOVERS.items():
        report = _handed_over(stamp, forged)
        assert (report.boundary_hop, report.verdict.status) == (2, postfix.verdict.status), (name, report.verdict.summary)


def test_a_loopback_smtp_client_is_still_judged() -> None:
    # Control: a program that connects over SMTP to the loopback address is an SMTP client ("with
    # ESMTP"), and the address it came from is judged as any other; only the local submission's is not.
    from test_walk_relay_names import _HANDOVERS, _handed_over

    stamp = ("Received: from localhost (localhost [127.0.0.1])\r\n\tby web1.corp.example (Postfix) with ESMTP id "
             "4Qx7Zr1Tz9z9sT\r\n\tfor <ceo@corp.example>; Thu, 26 Nov 2026 22:05:26 +0900 (JST)\r\n")
    report = _handed_over(stamp, "")
    assert report.spf is not None and report.spf.client_ip == "127.0.0.1"
    courier = _handed_over(_HANDOVERS["courier_local"], "")
    assert courier.spf is None or courier.spf.client_ip is None
    assert courier.verdict.status == "not_checked", courier.verdict.summary
