"""A qmail bounce quotes a remote server's reply in full (qmail-remote's outsmtptext(), every line
it read): its reading keeps at most 21 lines of 1,000 characters, then 2,000 characters, and says
when a reply was longer and how much of it was kept (QSBMF, https://cr.yp.to/proto/qsbmf.txt)."""

from __future__ import annotations

import time

import headerscope
from headerscope.message import parse_message
from headerscope.mime import delivery_report, dsn_said_cell
from headerscope.model import DsnRecipient


def _qmail(reply: str, after: str = "Giving up on 192.0.2.5.\n", copy: bool = True) -> bytes:
    """A qmail-send bounce (the shape of tests/test_dsn_v44c.py's, from a real LKML one) whose
    remote server answered ``reply``."""
    return (b"Return-Path: <>\nFrom: MAILER-DAEMON@mail.example.net\nTo: alice@example.net\n"
            b"Subject: failure notice\nDate: 14 Nov 2023 10:00:05 -0000\n\n"
            b"Hi. This is the qmail-send program at mail.example.net.\n"
            b"I'm afraid I wasn't able to deliver your message to the following addresses.\n"
            b"This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
            b"<nobody@example.org>:\n192.0.2.5 does not like recipient.\n"
            b"Remote host said: " + reply.encode() + b"\n" + after.encode()
            + (b"\n--- Below this line is a copy of the message.\n\nFrom: alice@example.net\nSubject: hi\n\nbody\n"
               if copy else b""))


def _first(raw: bytes) -> DsnRecipient:
    report = delivery_report(parse_message(raw))
    assert report is not None and report.format == "qmail"
    return report.recipients[0]


def test_a_reply_of_more_lines_than_the_reading_keeps_says_it_was_cut_and_how_much_was_kept() -> None:
    # 35 lines of a policy text (RFC 5321 section 4.2.1's multi-line reply), 6,007 characters.
    lines = [f"550-5.7.1 policy line {i:02d} " + "x" * 150 for i in range(34)] + ["550 5.7.1 end of policy"]
    recipient = _first(_qmail("\n".join(lines)))
    assert recipient.diagnostic_code is not None and len(recipient.diagnostic_code) == 2000
    # Before: cut without a word (no diagnostic_cut).
    assert recipient.diagnostic_cut == ("the first 2000 of its 6007 characters (35 lines; white space runs counted "
                                        "as one)")
    [finding] = [f for f in headerscope.analyze(_qmail("\n".join(lines)), offline=True).findings
                 if f.id == "dsn.failed"]
    assert ("(the reply is longer than the reading keeps: cut, the first 2000 of its 6007 characters (35 lines; "
            "white space runs counted as one) kept)") in finding.explanation
    assert dsn_said_cell(recipient, "mail.example.net", False).endswith(  # type: ignore[union-attr]
        " [cut: the first 2000 of its 6007 characters (35 lines; white space runs counted as one) kept]")


def test_short_lines_past_the_line_bound_and_one_overlong_line_are_cut_too() -> None:
    # 30 short lines: the reading keeps 21 (the first and 20 more), well under 2,000 characters.
    many = _first(_qmail("\n".join([f"550-5.7.1 line {i:02d}" for i in range(29)] + ["550 5.7.1 line 29"])))
    assert many.diagnostic_code is not None and many.diagnostic_code.endswith("550-5.7.1 line 20")
    assert many.diagnostic_cut == (f"the first {len(many.diagnostic_code)} of its 539 characters (30 lines; white "
                                   "space runs counted as one)")
    # One line of 1,500 characters: the reply code and the 1,000 characters after it are kept.
    long = _first(_qmail("550 5.7.1 " + "y" * 1490))
    assert long.diagnostic_code == "550 5.7.1 " + "y" * 993
    assert long.diagnostic_cut == "the first 1003 of its 1500 characters (1 line; white space runs counted as one)"


def test_a_reply_within_the_bounds_is_kept_whole_and_says_nothing() -> None:
    whole = _first(_qmail("553-5.7.1 Sender rejected\n553 5.7.1 see https://example.com/policy"))
    assert whole.diagnostic_code == "553-5.7.1 Sender rejected 553 5.7.1 see https://example.com/policy"
    assert whole.diagnostic_cut is None
    # Twenty-one lines (the first and 20 more) are the bound itself: nothing is cut.
    bound = _first(_qmail("\n".join([f"550-5.7.1 line {i:02d}" for i in range(20)] + ["550 5.7.1 line 20"])))
    assert bound.diagnostic_cut is None and bound.diagnostic_code is not None
    assert bound.diagnostic_code.endswith("550 5.7.1 line 20")


def test_a_reply_running_past_the_text_read_says_at_least() -> None:
    # No copy marker within the 64 KB read: the reply may run on past it, so its size is a floor.
    raw = _qmail("\n".join(f"550-5.7.1 {i:04d} " + "z" * 900 for i in range(80)), after="", copy=False)
    cut = _first(raw).diagnostic_cut
    assert cut is not None and cut.startswith("the first 2000 of its at least ") and "(at least 72 lines;" in cut


def test_a_qmail_local_text_longer_than_the_field_says_it_was_cut() -> None:
    raw = _qmail("", after="").replace(b"192.0.2.5 does not like recipient.\nRemote host said: \n",
                                       b"Sorry, " + b"w " * 1500 + b"(#5.1.1)\n")
    recipient = _first(raw)
    assert recipient.remote_mta is None and recipient.status == "5.1.1"
    assert recipient.diagnostic_cut == "the first 2000 of its 3015 characters (1 line; white space runs counted as one)"


def test_counting_a_hostile_reply_stays_linear() -> None:
    started = time.process_time()
    for _ in range(20):
        _first(_qmail("550 " + ("x" * 999 + "\n") * 60))
    assert time.process_time() - started < 2.0
