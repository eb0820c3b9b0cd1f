"""The safety net's third round (verification V55c): a parenthesis the client's text leaves unpaired,
a greeting comment nesting another or writing login words, the qmail software marker read from the
client's ident, a quoted address after a long run, Sendmail's ident read as a login. Each is a forgery
that must not read as a login, a sent copy or an authenticated message.
"""

from __future__ import annotations

import pytest
from test_received_safety_net import _DATE, FORGER, _analyze, _exim, _exim_envelope, _marked, _qmail

from headerscope.received import parse_received

# Exim keeps the RFC 1413 reply's parentheses (verify.c: string_printing(string_copyn(p, 127))): a
# reply that opens one takes Exim's record into its comment, and Exim's own '(' is left unpaired,
# so the ident rule never sees "ident=" (V55c D1-2).
OPEN_IDENTS = ["x (mx.bank.example [198.51.100.20]", "x ([198.51.100.20]", "x (authenticated bits=0",
               "x (Authenticated sender: president", "x via HTTP ("]


@pytest.mark.parametrize("record", ["rdns", "literal"])
@pytest.mark.parametrize("ident", OPEN_IDENTS)
def test_an_ident_reply_leaving_a_parenthesis_open_marks_the_field(record: str, ident: str) -> None:
    fields = parse_received(" ".join(_exim(record, ident).split(":", 1)[1].split()))
    assert any(p.startswith("the client's text leaves a parenthesis unpaired") for p in fields.problems)
    # Forgery: on the old code the record form read AUTHENTICATED on bank.example's SPF, with no
    # danger finding; the login and webmail forms made a spoof of p=reject example.net read NOT
    # CHECKED, a sent copy "after a login".
    sender = "service@bank.example" if "[" in ident else "president@example.net"
    report = _analyze(_exim(record, ident, sender=sender), sender=sender)
    assert _marked(report)
    assert report.verdict.status not in ("authenticated", "not_checked"), report.verdict.summary
    assert report.hops[0].fields.auth is None and report.hops[0].role.value != "MSA"
    assert not any(f.id in ("hops.submission_only", "hops.internal_only") for f in report.findings)


def _postfix(helo: str, protocol: str = "ESMTP") -> str:
    return (f"Received: from {helo} (unknown [{FORGER}])\r\n\tby mx.example.net (Postfix) with {protocol}"
            f" id 4XjK2L3m4nz9abc\r\n\tfor <victim@example.net>; {_DATE}\r\n")


# Postfix writes a multi-word HELO verbatim (V55c D1-4).
DRESSED_GREETINGS = ["x ((Authenticated sender: president))", "x (unknown (authenticated bits=0) )",
                     "x (Authenticated sender: president)", "x (via HTTP)"]


@pytest.mark.parametrize("helo", DRESSED_GREETINGS)
def test_a_greeting_nesting_a_comment_or_writing_login_words_marks_the_field(helo: str) -> None:
    fields = parse_received(" ".join(_postfix(helo).split(":", 1)[1].split()))
    assert fields.auth is None and fields.from_ip == FORGER
    assert any(p.startswith("the client's greeting holds a nested comment or login words") for p in fields.problems)
    # Forgery: on the old code the nested forms read NOT CHECKED, "after a login (Authenticated
    # sender: president)".
    report = _analyze(_postfix(helo))
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert _marked(report)


def test_a_nested_greeting_below_a_delivery_hop_is_no_submission_inside() -> None:
    lmtp = ("Received: from mx.example.net (mx.example.net [192.0.2.5])\r\n\tby mbox.example.net with LMTP id kLm3"
            " for <victim@example.net>; Tue, 05 Nov 2024 16:12:36 +0000\r\n")
    report = _analyze(lmtp + _postfix("x ((Authenticated sender: president))"))
    assert not any(f.id in ("hops.internal_only", "hops.submission_only") for f in report.findings)
    assert report.verdict.status == "spoofed", report.verdict.summary


@pytest.mark.parametrize("helo", ["host.author.example", "[192.0.2.7]", "mail.example.net (my laptop)"])
def test_a_plain_greeting_marks_nothing(helo: str) -> None:
    fields = parse_received(" ".join(_postfix(helo).split(":", 1)[1].split()))
    assert not any("greeting holds" in p for p in fields.problems)


@pytest.mark.parametrize(("ident", "address"), [("qmail-ldap", FORGER), ("qmail-ldap:president@example.net", FORGER),
                                                 ("wp-smtpd", f"[{FORGER}]"), ("qmail-ptmail", FORGER)])
def test_the_qmail_software_is_read_from_the_receivers_part_only(ident: str, address: str) -> None:
    # Forgery: the forger's identd answers "qmail-ldap"; on the old code the ident comment itself
    # named the receiver's software and the ident became the login: NOT CHECKED, a sent copy (V55c D1-1).
    report = _analyze(_qmail(ident, address))
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert (report.hops[0].fields.auth, report.hops[0].fields.ident) == (None, ident)


def test_a_qmail_ldap_receiver_naming_itself_after_by_still_reads_the_login() -> None:
    fields = parse_received(f"from unknown (HELO laptop) (jane@{FORGER}) by mx.example.net (qmail-ldap-1.03) with SMTP; "
                            "5 Nov 2024 16:12:34 -0000")
    assert fields.auth == "authenticated as jane" and fields.ident is None


def test_a_quoted_address_after_a_long_run_is_looked_into() -> None:
    # Exim accepts an RFC 822 word-dotted local part with no 64-octet check: a quote after 300 atom
    # characters had been skipped since 4485c5f, its parentheses pairing as comments: 'via HTTP', a
    # sent copy (V55c D1-3).
    received = _exim_envelope("a" * 300 + '."x) via HTTP (by"@example.net')
    fields = parse_received(" ".join(received.split(":", 1)[1].split()))
    assert any(p.startswith("the client's quoted address cannot be bounded") for p in fields.problems)
    report = _analyze(received)
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert _marked(report)
    assert (report.hops[0].fields.auth, report.hops[0].fields.via) == (None, None)


@pytest.mark.parametrize("ident", ["authenticated", "Authenticated", "authenticated.as.president"])
def test_a_sendmail_ident_is_no_login(ident: str) -> None:
    # Sendmail's "$_" is "ident@rdns [IP]", the RFC 1413 reply the client's identd chose: on the old
    # code "(authenticated@host [IP])" read as a login, and a spoof read NOT CHECKED (V55c D1-5).
    received = (f"Received: from mail.example.net ({ident}@host.forger.example [{FORGER}])\r\n"
                f"\tby mx.example.net (8.17.1/8.17.1) with ESMTP id 4A5GCYxk012345\r\n"
                f"\tfor <victim@example.net>; {_DATE}\r\n")
    report = _analyze(received)
    assert report.hops[0].fields.auth is None
    assert report.verdict.status == "spoofed", report.verdict.summary


def test_sendmails_own_login_comment_after_its_record_still_reads() -> None:
    fields = parse_received(f"from laptop (jane@host.example.net [{FORGER}]) (authenticated bits=0) by mx.example.net "
                            f"(8.17.1/8.17.1) with ESMTP id 4A5G; {_DATE}")
    assert (fields.auth, fields.ident) == ("authenticated bits=0", "jane")


@pytest.mark.parametrize("protocol", ["SMTP", "DHE-RSA-AES256-SHA encrypted SMTP"])
def test_a_qmail_user_with_plain_smtp_is_said_to_be_a_login_or_an_ident(protocol: str) -> None:
    # John Simpson's combined qmail patch writes an SMTP AUTH login as "(user@IP)" "with SMTP", the shape
    # of the client's ident claim elsewhere: it is not trusted (a genuine sent copy still reads SPOOFED),
    # but the report says why (V55c D2-1). On the old code no finding said anything.
    received = (f"Received: from unknown (HELO laptop) (president@example.net@{FORGER})\r\n"
                f"  by mx.example.net with {protocol}; 5 Nov 2024 16:12:34 -0000\r\n")
    report = _analyze(received)
    found = [f for f in report.findings if f.id == "hops.qmail_user_unclear"]
    assert len(found) == 1 and found[0].severity.value == "notice"
    assert "login" in found[0].title and "ident" in found[0].explanation
    assert report.verdict.status == "spoofed", report.verdict.summary
    assert report.hops[0].fields.auth is None


def test_a_qmail_login_the_stamp_records_is_not_said_to_be_unclear() -> None:
    report = _analyze(_qmail("president@example.net", protocol="ESMTPA"))
    assert not any(f.id == "hops.qmail_user_unclear" for f in report.findings)


def test_a_damaged_stamp_with_an_unpaired_parenthesis_is_said_as_damaged_or_the_clients_text() -> None:
    # dkimpy's test fixture has a Received that lost its "(" before "envelope-from": the net marks
    # it (its address is not relied on), and the title no longer says a greeting wrote it.
    from conftest import CORPUS

    import headerscope

    report = headerscope.analyze((CORPUS / "dkim" / "dkimpy" / "ed25519test2.msg").read_bytes(), offline=True)
    [marked] = [f for f in report.findings if f.id == "hops.greeting_injection"]
    assert marked.title == "Hop 1's Received field leaves a parenthesis unpaired: damaged, or text the client wrote"
